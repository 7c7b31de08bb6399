/* wlsimg ui: what the job files share (ui_tasks.c, ui_tasks_image.c, ui_tasks_k8s.c). Not for
 * src/cli. */
#ifndef WI_UI_TASKS_INT_H
#define WI_UI_TASKS_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/store.h"
#include "lib/ui_tasks.h"

#define WI_UI_TASKS_MAX_LAYERS 64 /* layers whose progress is paced */

/* A running job: its own copy of the project and the request, and its step counter. */
struct task {
  struct wi_ui_tasks_env env;
  struct wi_ui_project p;
  struct wi_ui_tasks_req req;
  double t0;
  struct wi_ui_job *job;
  int step, total;
  const char *step_label;
  char label_buf[700];
  /* push progress, serialised by the transfer module */
  int n_uploaded, n_existing;
  struct {
    char digest[80];
    double last;
  } paced[WI_UI_TASKS_MAX_LAYERS];
  size_t n_paced;
};

/* Steps: a "step" event running, then done/skipped/failed with the same label. */
void wi_ui_tasks_step_begin(struct task *t, const char *id, const char *label);
void wi_ui_tasks_step_end(struct task *t, const char *id, const char *state);
/* Emit an event with a JSON object (not taken). */
void wi_ui_tasks_emit(struct task *t, const char *event, json_t *o);
/* A result object {ok, title, message, duration_ms} (new reference). */
json_t *wi_ui_tasks_result(const struct task *t, bool ok, const char *title, const char *message);
/* The failure result: title ("… Failed", or "… Cancelled" after a cancel), "Could not <what>
 * <subject>: <step>: <cause>", and with host the registry's status, code, message and hint.
 * Returns ret (WI_ECANCELED after a cancel). */
int wi_ui_tasks_fail(struct task *t, const char *what, const char *title, const char *subject,
                     const char *host, const char *user, int ret, wi_err *err);
/* WI_ECANCELED when the job was cancelled. */
int wi_ui_tasks_cancelled(struct task *t, wi_err *err);
/* The registry host of a tag (malloc'ed), or NULL when it does not parse. */
char *wi_ui_tasks_host_of(const char *tag);
/* The job's store (env->store_root or the default). */
int wi_ui_tasks_open_store(const struct task *t, bool create, struct wi_store **out, wi_err *err);

/* What a push job pushes: the aux image or the primary image. */
struct wi_ui_tasks_push {
  const char *tag;
  bool primary;      /* the login of the tag's host, or none; a bumped tag becomes the primary's */
  const char *title; /* "Push Auxiliary Image": the prompt's title and "… Failed" */
  const char *kind;  /* the history record */
};
/* Push what->tag from the store (steps find, login, upload, verify; "Push Image Complete"). */
int wi_ui_tasks_image_push_to(struct task *t, const struct wi_ui_tasks_push *what, wi_err *err);

/* The job types (ui_tasks_image.c, ui_tasks_primary.c, ui_tasks_k8s.c). */
int wi_ui_tasks_image_create(struct task *t, wi_err *err);
int wi_ui_tasks_image_push(struct task *t, wi_err *err);
int wi_ui_tasks_image_create_push(struct task *t, wi_err *err);
int wi_ui_tasks_image_check(struct task *t, wi_err *err);
int wi_ui_tasks_primary_create(struct task *t, wi_err *err);
int wi_ui_tasks_primary_push(struct task *t, wi_err *err);
int wi_ui_tasks_k8s_pull_secret(struct task *t, wi_err *err);
int wi_ui_tasks_k8s_apply(struct task *t, wi_err *err);
int wi_ui_tasks_k8s_status(struct task *t, wi_err *err);

#endif
