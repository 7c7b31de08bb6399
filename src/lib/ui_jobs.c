/* wlsimg ui: the job table, event streams, logs, prompts and cancellation. */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/ui_jobs.h"
#include "lib/util.h"

#define autojson __attribute__((cleanup(json_decrefp)))

struct wi_ui_job {
  struct wi_ui_jobs *t;
  int refs; /* under t->mu */
  char id[WI_UI_JOB_ID_MAX];
  char *type;
  const char *state; /* static: running, done, failed, cancelled */
  time_t started, ended;
  double step_t0;
  pthread_t thread;
  bool joined;

  pthread_mutex_t mu; /* everything below */
  pthread_cond_t cv;
  char **events;
  size_t n_events;
  struct wi_buf log;
  bool log_full; /* the log reached WI_UI_JOBS_MAX_LOG: later lines are only streamed */
  char **secrets;
  size_t n_secrets;
  int cancel; /* atomic */
  char *prompt_id;
  char *answer;
  bool finished;
  bool has_result;
  char *result; /* data of the last "result" event */

  wi_ui_job_fn fn;
  void *payload;
  void (*payload_free)(void *);
};

struct wi_ui_jobs {
  pthread_mutex_t mu;
  struct wi_ui_job *v[WI_UI_JOBS_KEEP + 1];
  size_t n;
  unsigned next_id;
  struct wi_ui_job *running;
};

int
wi_ui_jobs_new(struct wi_ui_jobs **out)
{
  struct wi_ui_jobs *t = wi_xcalloc(1, sizeof *t);
  pthread_mutex_init(&t->mu, NULL);
  t->next_id = 1;
  *out = t;
  return 0;
}

static void
job_free(struct wi_ui_job *j)
{
  if (!j->joined)
    pthread_join(j->thread, NULL);
  for (size_t i = 0; i < j->n_events; i++)
    free(j->events[i]);
  free(j->events);
  for (size_t i = 0; i < j->n_secrets; i++)
    wi_alloc_secret_free(j->secrets[i]);
  free(j->secrets);
  wi_buf_dispose(&j->log);
  free(j->prompt_id);
  free(j->answer);
  free(j->result);
  free(j->type);
  if (j->payload_free)
    j->payload_free(j->payload);
  pthread_mutex_destroy(&j->mu);
  pthread_cond_destroy(&j->cv);
  free(j);
}

void
wi_ui_jobs_free(struct wi_ui_jobs *t)
{
  if (t == NULL)
    return;
  for (size_t i = 0; i < t->n; i++) {
    wi_ui_jobs_cancel(t->v[i]);
    job_free(t->v[i]);
  }
  pthread_mutex_destroy(&t->mu);
  free(t);
}

/* ---- redaction and events ---- */

static void
replace_all(struct wi_buf *b, const char *s, const char *needle)
{
  size_t nl = strlen(needle);
  wi_err err = { 0 };
  const char *p = s;
  const char *hit;
  while ((hit = strstr(p, needle)) != NULL) {
    wi_buf_add(b, p, (size_t)(hit - p), &err);
    wi_buf_adds(b, "***", &err);
    p = hit + nl;
  }
  wi_buf_adds(b, p, &err);
}

/* Called with j->mu held. */
static char *
redact_locked(struct wi_ui_job *j, const char *s)
{
  char *cur = wi_xstrdup(s);
  for (size_t i = 0; i < j->n_secrets; i++) {
    struct wi_buf b = WI_BUF_INIT(SIZE_MAX);
    replace_all(&b, cur, j->secrets[i]);
    wi_alloc_secret_free(cur);
    cur = wi_buf_steal(&b);
  }
  /* "Authorization: Basic …" to the end of the line (or of an escaped JSON line) */
  for (char *a = strcasestr(cur, "authorization:"); a; a = strcasestr(a + 1, "authorization:")) {
    char *v = a + strlen("authorization:");
    size_t n = strcspn(v, "\n\r\"\\");
    if (n > 4) {
      memcpy(v, " ***", 4);
      memmove(v + 4, v + n, strlen(v + n) + 1);
    }
  }
  return cur;
}

char *
wi_ui_jobs_redact(struct wi_ui_job *j, const char *s)
{
  pthread_mutex_lock(&j->mu);
  char *r = redact_locked(j, s);
  pthread_mutex_unlock(&j->mu);
  return r;
}

void
wi_ui_jobs_add_secret(struct wi_ui_job *j, const char *secret)
{
  if (secret == NULL || strlen(secret) < 3)
    return;
  pthread_mutex_lock(&j->mu);
  j->secrets = wi_xreallocarray(j->secrets, j->n_secrets + 1, sizeof *j->secrets);
  j->secrets[j->n_secrets++] = wi_xstrdup(secret);
  pthread_mutex_unlock(&j->mu);
}

void
wi_ui_jobs_emit(struct wi_ui_job *j, const char *event, const char *data)
{
  pthread_mutex_lock(&j->mu);
  wi_autofree char *clean = redact_locked(j, data);
  bool is_result = strcmp(event, "result") == 0;
  if (is_result) {
    free(j->result);
    j->result = wi_xstrdup(clean);
    j->has_result = true;
  }
  /* a runaway stream keeps its steps, prompts and result; byte counts are dropped */
  bool keep = j->n_events < WI_UI_JOBS_MAX_EVENTS ||
              (strcmp(event, "blob") != 0 && strcmp(event, "log") != 0);
  if (keep) {
    j->events = wi_xreallocarray(j->events, j->n_events + 1, sizeof *j->events);
    j->events[j->n_events] =
        wi_xasprintf("id: %zu\nevent: %s\ndata: %s\n\n", j->n_events + 1, event, clean);
    j->n_events++;
  }
  pthread_cond_broadcast(&j->cv);
  pthread_mutex_unlock(&j->mu);
}

void
wi_ui_jobs_log(struct wi_ui_job *j, const char *stream, const char *fmt, ...)
{
  va_list ap;
  char *text = NULL;
  va_start(ap, fmt);
  if (vasprintf(&text, fmt, ap) < 0)
    text = NULL;
  va_end(ap);
  if (text == NULL)
    return;
  pthread_mutex_lock(&j->mu);
  wi_autofree char *clean = redact_locked(j, text);
  wi_err err = { 0 };
  if (!j->log_full && wi_buf_addf(&j->log, &err, "%s%s\n",
                                  strcmp(stream, "err") == 0 ? "error: " : "", clean) < 0) {
    j->log_full = true; /* keep the head; the text says where it stops */
    wi_buf_clear_error(&j->log);
  }
  pthread_mutex_unlock(&j->mu);
  free(text);
  json_t *o = json_object();
  json_object_set_new(o, "stream", json_string(stream));
  json_object_set_new(o, "text", wi_json_str(clean));
  json_object_set_new(o, "ts", json_integer((json_int_t)time(NULL)));
  char *d = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  wi_ui_jobs_emit(j, "log", d);
  free(d);
}

void
wi_ui_jobs_step(struct wi_ui_job *j, int index, int total, const char *id, const char *label,
                const char *state)
{
  double now = wi_util_now();
  if (strcmp(state, "running") == 0)
    j->step_t0 = now;
  autojson json_t *o = json_object();
  json_object_set_new(o, "index", json_integer(index));
  json_object_set_new(o, "total", json_integer(total));
  json_object_set_new(o, "id", json_string(id));
  json_object_set_new(o, "label", wi_json_str(label));
  json_object_set_new(o, "state", json_string(state));
  json_object_set_new(o, "elapsed_ms", json_integer((json_int_t)((now - j->step_t0) * 1000)));
  wi_autofree char *d = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  wi_ui_jobs_emit(j, "step", d);
}

int
wi_ui_jobs_prompt(struct wi_ui_job *j, const char *id, const char *title, const char *question,
                  const char *const *options, size_t n_options, const char *dflt, char **answer_out,
                  wi_err *err)
{
  autojson json_t *o = json_object();
  json_t *opts = json_array();
  for (size_t i = 0; i < n_options; i++)
    json_array_append_new(opts, wi_json_str(options[i]));
  json_object_set_new(o, "id", wi_json_str(id));
  json_object_set_new(o, "title", wi_json_str(title));
  json_object_set_new(o, "question", wi_json_str(question));
  json_object_set_new(o, "options", opts);
  json_object_set_new(o, "default", wi_json_str(dflt));
  wi_autofree char *d = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  pthread_mutex_lock(&j->mu);
  free(j->prompt_id);
  j->prompt_id = wi_xstrdup(id);
  free(j->answer);
  j->answer = NULL;
  pthread_mutex_unlock(&j->mu);
  wi_ui_jobs_emit(j, "prompt", d);
  pthread_mutex_lock(&j->mu);
  while (j->answer == NULL && !__atomic_load_n(&j->cancel, __ATOMIC_RELAXED))
    pthread_cond_wait(&j->cv, &j->mu);
  char *a = wi_steal(&j->answer);
  free(j->prompt_id);
  j->prompt_id = NULL;
  pthread_mutex_unlock(&j->mu);
  if (a == NULL)
    return wi_err_set(err, WI_ECANCELED, "%s: cancelled by user", title);
  *answer_out = a;
  return 0;
}

int
wi_ui_jobs_answer(struct wi_ui_job *j, const char *prompt, const char *value, wi_err *err)
{
  int ret = 0;
  pthread_mutex_lock(&j->mu);
  if (j->prompt_id == NULL || prompt == NULL || strcmp(j->prompt_id, prompt) != 0)
    ret = wi_err_set(err, WI_ENOTFOUND, "job %s is not waiting for an answer to %s", j->id,
                     prompt ? prompt : "(none)");
  else {
    free(j->answer);
    j->answer = wi_xstrdup(value ? value : "");
    pthread_cond_broadcast(&j->cv);
  }
  pthread_mutex_unlock(&j->mu);
  return ret;
}

/* ---- running ---- */

static void
fallback_result(struct wi_ui_job *j, int ret, const wi_err *err)
{
  autojson json_t *o = json_object();
  json_object_set_new(o, "ok", json_boolean(ret == 0));
  json_object_set_new(o, "title", wi_json_str(j->type));
  json_object_set_new(o, "message", wi_json_str(ret == 0 ? "done" : err->msg));
  wi_autofree char *d = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  wi_ui_jobs_emit(j, "result", d);
}

static void *
job_thread(void *arg)
{
  struct wi_ui_job *j = arg;
  wi_err err = { 0 };
  int ret = j->fn(j, j->payload, &err);
  if (ret < 0)
    wi_ui_jobs_log(j, "err", "%s", err.msg);
  if (!j->has_result)
    fallback_result(j, ret, &err);
  struct wi_ui_jobs *t = j->t;
  pthread_mutex_lock(&t->mu);
  pthread_mutex_lock(&j->mu);
  j->state = ret == 0                                                ? "done"
             : ret == WI_ECANCELED || __atomic_load_n(&j->cancel, 0) ? "cancelled"
                                                                     : "failed";
  j->ended = time(NULL);
  j->finished = true;
  pthread_cond_broadcast(&j->cv);
  pthread_mutex_unlock(&j->mu);
  if (t->running == j)
    t->running = NULL;
  pthread_mutex_unlock(&t->mu);
  return NULL;
}

/* Drop the oldest finished job nobody holds, when the table is full. Called with t->mu held. */
static void
trim_locked(struct wi_ui_jobs *t)
{
  if (t->n < WI_UI_JOBS_KEEP)
    return;
  for (size_t i = 0; i < t->n; i++) {
    struct wi_ui_job *j = t->v[i];
    if (j->finished && j->refs == 1) {
      memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof t->v[0]);
      t->n--;
      job_free(j);
      return;
    }
  }
}

int
wi_ui_jobs_start(struct wi_ui_jobs *t, const char *type, wi_ui_job_fn fn, void *payload,
                 void (*payload_free)(void *), char *id_out, char *running_out,
                 char **running_type_out, wi_err *err)
{
  pthread_mutex_lock(&t->mu);
  if (t->running) {
    if (running_out)
      snprintf(running_out, WI_UI_JOB_ID_MAX, "%s", t->running->id);
    if (running_type_out)
      *running_type_out = t->running->type;
    pthread_mutex_unlock(&t->mu);
    if (payload_free)
      payload_free(payload);
    return wi_err_set(err, WI_EEXISTS, "a job is already running");
  }
  trim_locked(t);
  if (t->n >= WI_UI_JOBS_KEEP) {
    pthread_mutex_unlock(&t->mu);
    if (payload_free)
      payload_free(payload);
    return wi_err_set(err, WI_ETOOBIG, "too many jobs are still being watched");
  }
  struct wi_ui_job *j = wi_xcalloc(1, sizeof *j);
  j->t = t;
  j->refs = 1;
  snprintf(j->id, sizeof j->id, "j%u", t->next_id++);
  j->type = wi_xstrdup(type);
  j->state = "running";
  j->started = time(NULL);
  j->step_t0 = wi_util_now();
  pthread_mutex_init(&j->mu, NULL);
  pthread_cond_init(&j->cv, NULL);
  wi_buf_init(&j->log, WI_UI_JOBS_MAX_LOG);
  j->fn = fn;
  j->payload = payload;
  j->payload_free = payload_free;
  int rc = pthread_create(&j->thread, NULL, job_thread, j);
  if (rc != 0) {
    j->joined = true;
    pthread_mutex_unlock(&t->mu);
    job_free(j);
    errno = rc;
    return wi_err_sys(err, WI_ERR, "start job thread");
  }
  t->v[t->n++] = j;
  t->running = j;
  snprintf(id_out, WI_UI_JOB_ID_MAX, "%s", j->id);
  pthread_mutex_unlock(&t->mu);
  return 0;
}

bool
wi_ui_jobs_running(struct wi_ui_jobs *t)
{
  pthread_mutex_lock(&t->mu);
  bool r = t->running != NULL;
  pthread_mutex_unlock(&t->mu);
  return r;
}

struct wi_ui_job *
wi_ui_jobs_get(struct wi_ui_jobs *t, const char *id)
{
  struct wi_ui_job *found = NULL;
  pthread_mutex_lock(&t->mu);
  for (size_t i = 0; i < t->n && !found; i++)
    if (strcmp(t->v[i]->id, id) == 0)
      found = t->v[i];
  if (found)
    found->refs++;
  pthread_mutex_unlock(&t->mu);
  return found;
}

void
wi_ui_jobs_put(struct wi_ui_job *j)
{
  if (j == NULL)
    return;
  pthread_mutex_lock(&j->t->mu);
  j->refs--;
  pthread_mutex_unlock(&j->t->mu);
}

int
wi_ui_jobs_event(struct wi_ui_job *j, size_t idx, int timeout_ms, char **out)
{
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += timeout_ms / 1000;
  until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  int ret = 0;
  pthread_mutex_lock(&j->mu);
  while (idx >= j->n_events && !j->finished)
    if (pthread_cond_timedwait(&j->cv, &j->mu, &until) == ETIMEDOUT)
      break;
  if (idx < j->n_events) {
    *out = wi_xstrdup(j->events[idx]);
    ret = 1;
  } else if (j->finished) {
    ret = -1;
  }
  pthread_mutex_unlock(&j->mu);
  return ret;
}

size_t
wi_ui_jobs_event_after(const char *last_event_id)
{
  char *end = NULL;
  if (last_event_id == NULL || *last_event_id == '\0')
    return 0;
  unsigned long long n = strtoull(last_event_id, &end, 10);
  return *end == '\0' && n < WI_UI_JOBS_MAX_EVENTS * 2ULL ? (size_t)n : 0;
}

bool
wi_ui_jobs_cancel(struct wi_ui_job *j)
{
  pthread_mutex_lock(&j->mu);
  bool live = !j->finished;
  if (live) {
    __atomic_store_n(&j->cancel, 1, __ATOMIC_RELAXED);
    pthread_cond_broadcast(&j->cv);
  }
  pthread_mutex_unlock(&j->mu);
  return live;
}

char *
wi_ui_jobs_log_text(struct wi_ui_job *j)
{
  pthread_mutex_lock(&j->mu);
  char *s = wi_xasprintf("%s%s", wi_buf_cstr(&j->log), j->log_full ? "[log truncated]\n" : "");
  pthread_mutex_unlock(&j->mu);
  return s;
}

static json_t *
describe(struct wi_ui_job *j)
{
  json_t *o = json_object();
  pthread_mutex_lock(&j->mu);
  json_object_set_new(o, "id", json_string(j->id));
  json_object_set_new(o, "type", wi_json_str(j->type));
  json_object_set_new(o, "state", json_string(j->state));
  json_object_set_new(o, "started", json_integer((json_int_t)j->started));
  json_object_set_new(o, "ended", j->finished ? json_integer((json_int_t)j->ended) : json_null());
  json_t *r = j->result ? json_loads(j->result, 0, NULL) : NULL;
  json_object_set_new(o, "result", r ? r : json_null());
  pthread_mutex_unlock(&j->mu);
  return o;
}

char *
wi_ui_jobs_describe(struct wi_ui_job *j)
{
  autojson json_t *o = describe(j);
  return json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

char *
wi_ui_jobs_list(struct wi_ui_jobs *t)
{
  autojson json_t *a = json_array();
  pthread_mutex_lock(&t->mu);
  for (size_t i = t->n; i > 0; i--)
    json_array_append_new(a, describe(t->v[i - 1]));
  pthread_mutex_unlock(&t->mu);
  return json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

const char *
wi_ui_jobs_id(const struct wi_ui_job *j)
{
  return j->id;
}

const int *
wi_ui_jobs_cancel_flag(struct wi_ui_job *j)
{
  return &j->cancel;
}

bool
wi_ui_jobs_cancelled(struct wi_ui_job *j)
{
  return __atomic_load_n(&j->cancel, __ATOMIC_RELAXED) != 0;
}
