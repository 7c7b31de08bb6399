/* wlsimg ui: the JSON API behind /api (everything but the session handshake and the event
 * stream, which need the HTTP layer: ui_server.c).
 *
 * Requests arrive here already authenticated (cookie, CSRF header, Host and Origin checked).
 * Bodies are JSON; answers are JSON (or text/plain for logs and rendered text) and never carry a
 * secret. Errors are {"error": {"code", "message"}} with 400 (bad input), 404, 409 (a job is
 * running, or exists), 413, 422 (validation failed: {"validation": [...]}) or 500.
 */
#ifndef WI_UI_API_H
#define WI_UI_API_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/ui_jobs.h"

#define WI_UI_API_MAX_BODY (1024 * 1024)

struct wi_ui_api_opts {
  const char *project_file; /* required */
  const char *store_root;   /* NULL: the default store */
  const char *fs_root;      /* NULL: the file browser shows the home and project directories */
  const char *authfile;     /* NULL: where wlsimg login stores logins */
  int tls_verify;           /* 1 (default) or 0 */
};

struct wi_ui_api;

int wi_ui_api_new(struct wi_ui_api **out, const struct wi_ui_api_opts *o, wi_err *err);
/* Cancels and waits for a running job. */
void wi_ui_api_free(struct wi_ui_api *a);

struct wi_ui_resp {
  int status;
  char *body; /* malloc'ed */
  size_t len;
  const char *ctype; /* static */
};
void wi_ui_api_resp_dispose(struct wi_ui_resp *r);

/* Query parameter lookup of the HTTP layer (NULL when absent). */
typedef const char *(*wi_ui_arg_fn)(void *ctx, const char *name);

/* Answer one request. path starts with "/api/" and has no query string. */
void wi_ui_api_handle(struct wi_ui_api *a, const char *method, const char *path, wi_ui_arg_fn arg,
                      void *arg_ctx, const char *body, size_t len, struct wi_ui_resp *resp);
/* The job behind /api/jobs/{id}/events (a reference: wi_ui_jobs_put it), or NULL. */
struct wi_ui_job *wi_ui_api_job(struct wi_ui_api *a, const char *id);
/* Is a job running? (idle exit waits for it.) */
bool wi_ui_api_busy(struct wi_ui_api *a);

#endif
