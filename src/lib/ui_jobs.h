/* wlsimg ui: jobs, the long operations of the page, run one at a time on a worker thread.
 *
 * A job records every event it emits (Server-Sent Events text: "id: N\nevent: E\ndata: JSON\n\n")
 * so that a page that reconnects gets the whole stream again, and keeps a text log. Every event
 * and log line passes through one redaction step: the job's registered secrets become "***", and
 * so does the rest of a line after "Authorization:". A job can be cancelled (its cancel flag is
 * handed to the registry client, which stops transfers with WI_ECANCELED) and can wait for an
 * answer to a prompt. At most WI_UI_JOBS_KEEP finished jobs are kept. Thread-safe.
 */
#ifndef WI_UI_JOBS_H
#define WI_UI_JOBS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

#define WI_UI_JOBS_KEEP       32
#define WI_UI_JOBS_MAX_EVENTS 50000
#define WI_UI_JOBS_MAX_LOG    (4 * 1024 * 1024)
#define WI_UI_JOB_ID_MAX      24

struct wi_ui_jobs;
struct wi_ui_job;

/* The work of a job. Returns 0 or a WI_E* code with err set. It should emit a "result" event;
 * if it does not, one is made from err. */
typedef int (*wi_ui_job_fn)(struct wi_ui_job *j, void *payload, wi_err *err);

int wi_ui_jobs_new(struct wi_ui_jobs **out);
/* Cancels a running job, waits for it, frees every job. */
void wi_ui_jobs_free(struct wi_ui_jobs *t);

/* Start fn(payload) on a new thread as job `type`; payload_free(payload) runs when the job is
 * freed. id_out receives its id. WI_EEXISTS while another job runs: running_out (optional, a
 * WI_UI_JOB_ID_MAX buffer) gets its id and *running_type_out its type (static until the job is
 * freed; copy it). The payload is freed on failure too. */
int wi_ui_jobs_start(struct wi_ui_jobs *t, const char *type, wi_ui_job_fn fn, void *payload,
                     void (*payload_free)(void *), char *id_out, char *running_out,
                     char **running_type_out, wi_err *err);

/* Is a job running? */
bool wi_ui_jobs_running(struct wi_ui_jobs *t);

/* Look a job up (a reference the caller gives back with wi_ui_jobs_put), or NULL. */
struct wi_ui_job *wi_ui_jobs_get(struct wi_ui_jobs *t, const char *id);
void wi_ui_jobs_put(struct wi_ui_job *j);

/* Event idx (from 0) of the job as SSE text (malloc'ed): 1 when there is one, 0 when none came
 * within timeout_ms, -1 when the job has ended and every event was read. */
int wi_ui_jobs_event(struct wi_ui_job *j, size_t idx, int timeout_ms, char **out);
/* Index of the event after "id: N" (a Last-Event-ID header), or 0 when id is not a number. */
size_t wi_ui_jobs_event_after(const char *last_event_id);
/* Ask to cancel; false when it had already ended. */
bool wi_ui_jobs_cancel(struct wi_ui_job *j);
/* Answer the pending prompt `prompt`; WI_ENOTFOUND when that prompt is not waiting. */
int wi_ui_jobs_answer(struct wi_ui_job *j, const char *prompt, const char *value, wi_err *err);
/* The log text, already redacted (malloc'ed). */
char *wi_ui_jobs_log_text(struct wi_ui_job *j);
/* {"id","type","state","started","ended","result"} of one job, or an array of every job (newest
 * first), as JSON text (malloc'ed). Times are seconds since the epoch. */
char *wi_ui_jobs_describe(struct wi_ui_job *j);
char *wi_ui_jobs_list(struct wi_ui_jobs *t);

/* ---- for the job's own thread ---- */

const char *wi_ui_jobs_id(const struct wi_ui_job *j);
/* The cancel flag, for wi_regclient_opts.cancel. */
const int *wi_ui_jobs_cancel_flag(struct wi_ui_job *j);
bool wi_ui_jobs_cancelled(struct wi_ui_job *j);
/* Register a value to be redacted from every later event and log line (≥ 3 bytes; copied). */
void wi_ui_jobs_add_secret(struct wi_ui_job *j, const char *secret);
/* Append an event; data is a JSON text. */
void wi_ui_jobs_emit(struct wi_ui_job *j, const char *event, const char *data);
/* A "log" event {stream, text, ts} and a line in the log ("info", "out", "err"). */
void wi_ui_jobs_log(struct wi_ui_job *j, const char *stream, const char *fmt, ...) WI_PRINTF(3, 4);
/* A "step" event {index, total, id, label, state, elapsed_ms}; state: running, done, skipped,
 * failed. elapsed_ms counts from the step's "running" event. */
void wi_ui_jobs_step(struct wi_ui_job *j, int index, int total, const char *id, const char *label,
                     const char *state);
/* Emit a "prompt" event {id, title, question, options, default} and wait for the answer
 * (malloc'ed). WI_ECANCELED when the job is cancelled while waiting. */
int wi_ui_jobs_prompt(struct wi_ui_job *j, const char *id, const char *title, const char *question,
                      const char *const *options, size_t n_options, const char *dflt,
                      char **answer_out, wi_err *err);
/* Replace the registered secrets (and Authorization header values) in s by "***". malloc'ed. */
char *wi_ui_jobs_redact(struct wi_ui_job *j, const char *s);

#endif
