#include "lib/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void vset(wi_err *err, const char *fmt, va_list ap) WI_PRINTF(2, 0);

/* What a NULL err stands for: a per-thread error nobody reads. Writing to it costs a format on a
 * failure path only, and it lets wi_err_wrap(NULL, ...) return the code the callee set instead of a
 * generic WI_ERR, so that callers which pass NULL can still branch on the code. */
static _Thread_local wi_err scratch;

static wi_err *
target(wi_err *err)
{
  return err ? err : &scratch;
}

static void
vset(wi_err *err, const char *fmt, va_list ap)
{
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

int
wi_err_set(wi_err *err, int code, const char *fmt, ...)
{
  va_list ap;

  err = target(err);
  err->code = code;
  err->sys_errno = 0;
  va_start(ap, fmt);
  vset(err, fmt, ap);
  va_end(ap);
  return code;
}

int
wi_err_sys(wi_err *err, int code, const char *fmt, ...)
{
  int saved = errno;
  va_list ap;
  size_t len;

  err = target(err);
  err->code = code;
  err->sys_errno = saved;
  va_start(ap, fmt);
  vset(err, fmt, ap);
  va_end(ap);
  len = strlen(err->msg);
  snprintf(err->msg + len, sizeof err->msg - len, ": %s", strerror(saved));
  return code;
}

int
wi_err_wrap(wi_err *err, const char *fmt, ...)
{
  char prefix[512];
  char old[sizeof err->msg];
  va_list ap;

  err = target(err);
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  memcpy(old, err->msg, sizeof old);
  size_t plen = strnlen(prefix, sizeof err->msg - 3);
  memcpy(err->msg, prefix, plen);
  memcpy(err->msg + plen, ": ", 2);
  size_t olen = strnlen(old, sizeof err->msg - plen - 3);
  memcpy(err->msg + plen + 2, old, olen);
  err->msg[plen + 2 + olen] = '\0';
  if (err->code == WI_OK)
    err->code = WI_ERR;
  return err->code;
}

void
wi_err_clear(wi_err *err)
{
  err->code = WI_OK;
  err->sys_errno = 0;
  err->http_status = 0;
  err->msg[0] = '\0';
}

const char *
wi_err_name(int code)
{
  switch (code) {
  case WI_OK:
    return "ok";
  case WI_EINVAL:
    return "invalid argument";
  case WI_ENOTFOUND:
    return "not found";
  case WI_EEXISTS:
    return "already exists";
  case WI_EAUTH:
    return "authentication required";
  case WI_EDENIED:
    return "access denied";
  case WI_EDIGEST:
    return "digest mismatch";
  case WI_ENET:
    return "network error";
  case WI_EPROTO:
    return "protocol error";
  case WI_EIO:
    return "I/O error";
  case WI_EUNSUPPORTED:
    return "unsupported";
  case WI_ETOOBIG:
    return "too big";
  case WI_EUSAGE:
    return "usage error";
  case WI_ECANCELED:
    return "cancelled";
  default:
    return "error";
  }
}

int
wi_err_exit_status(int code)
{
  if (code == WI_OK)
    return 0;
  return code == WI_EUSAGE ? 2 : 1;
}
