/* wlsimg ui: what the API files share (ui_api.c, ui_api_logins.c, ui_api_pages.c). Not for
 * src/cli. */
#ifndef WI_UI_API_INT_H
#define WI_UI_API_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

#include "lib/ui_api.h"
#include "lib/ui_creds.h"
#include "lib/ui_project.h"
#include "lib/ui_tasks.h"

#define WI_UI_API_CT_JSON "application/json"
#define WI_UI_API_CT_TEXT "text/plain; charset=utf-8"

struct wi_ui_api {
  char *project_file;
  char *store_root;
  char *fs_root;
  int tls_verify;
  pthread_mutex_t mu; /* project, project_exists */
  struct wi_ui_project project;
  bool project_exists;
  char *saved_json; /* what the project file holds, when this process wrote it */
  struct wi_ui_creds *creds;
  struct wi_ui_jobs *jobs;
  struct wi_ui_tasks_env env;
};

/* Answers; body is taken (malloc'ed), o is not. */
void wi_ui_api_reply(struct wi_ui_resp *r, int status, const char *ctype, char *body);
void wi_ui_api_reply_json(struct wi_ui_resp *r, int status, json_t *o);
/* {"error": {"code", "message"}}; status 0 picks one from err->code. */
void wi_ui_api_reply_error(struct wi_ui_resp *r, int status, const wi_err *err);
void wi_ui_api_reply_msg(struct wi_ui_resp *r, int status, int code, const char *msg);
/* A registry failure: 401/403/502 with {"error": {status, code, message, hint, code_name}}. */
void wi_ui_api_reply_registry(struct wi_ui_resp *r, const wi_err *err, const char *host,
                              const char *user, const char *tag);
/* The request body as a JSON object, or NULL with the 400/413 answer made. */
json_t *wi_ui_api_body(const char *body, size_t len, struct wi_ui_resp *r);

/* A copy of the project (dispose it). */
void wi_ui_api_snapshot(struct wi_ui_api *a, struct wi_ui_project *out);
/* Change the project under the lock and save it: fn returns 0 or a WI_E* with err set. */
int wi_ui_api_update(struct wi_ui_api *a, int (*fn)(struct wi_ui_project *p, void *payload),
                     void *payload, wi_err *err);

/* Routes of the other files: true when the path was theirs (the answer is made). */
bool wi_ui_api_logins_route(struct wi_ui_api *a, const char *method, const char *path,
                            wi_ui_arg_fn arg, void *ctx, const char *body, size_t len,
                            struct wi_ui_resp *r);
bool wi_ui_api_pages_route(struct wi_ui_api *a, const char *method, const char *path,
                           wi_ui_arg_fn arg, void *ctx, const char *body, size_t len,
                           struct wi_ui_resp *r);

#endif
