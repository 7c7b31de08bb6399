/* wlsimg: one error type for the whole library.
 *
 * A fallible function returns int (0, or a negative WI_E* code) or a pointer (NULL on failure) and
 * takes `wi_err *err` last. The message is written once, where the failure is found, and names the
 * thing that failed. `err` is written only on failure. Secrets never enter a message.
 */
#ifndef WI_ERR_H
#define WI_ERR_H

#include <stddef.h>

#define WI_PRINTF(m, n) __attribute__((format(printf, m, n)))
#define WI_UNUSED(x)    ((void)(x))

enum wi_errcode {
  WI_OK = 0,
  WI_ERR = -1,
  WI_EINVAL = -2,
  WI_ENOTFOUND = -3,
  WI_EEXISTS = -4,
  WI_EAUTH = -5,
  WI_EDENIED = -6,
  WI_EDIGEST = -7,
  WI_ENET = -8,
  WI_EPROTO = -9,
  WI_EIO = -10,
  WI_EUNSUPPORTED = -11,
  WI_ETOOBIG = -12,
  WI_EUSAGE = -13,    /* bad command-line usage: exit status 2 */
  WI_ECANCELED = -14, /* stopped on request (a cancelled job); never retried */
};

typedef struct wi_err {
  int code;
  int sys_errno;
  int http_status;
  char msg[1024];
} wi_err;

/* err may be NULL in all three: the code and message then go to a per-thread error nobody reads,
 * and wi_err_wrap(NULL, ...) still returns the code that the failing callee set. */
/* Set code and message; returns code. */
int wi_err_set(wi_err *err, int code, const char *fmt, ...) WI_PRINTF(3, 4);
/* As wi_err_set, appending ": strerror(errno)" (errno read on entry). */
int wi_err_sys(wi_err *err, int code, const char *fmt, ...) WI_PRINTF(3, 4);
/* Prepend "ctx: " to the message; returns err->code. */
int wi_err_wrap(wi_err *err, const char *fmt, ...) WI_PRINTF(2, 3);
/* Reset to WI_OK with an empty message. */
void wi_err_clear(wi_err *err);
/* Short name of a code ("not found", "authentication required", …). */
const char *wi_err_name(int code);
/* Exit status for a code: 0 ok, 2 usage, 1 everything else. */
int wi_err_exit_status(int code);

#endif
