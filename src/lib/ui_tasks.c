/* wlsimg ui: job requests, the step and result helpers, checkModel, and starting jobs. */
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/ref.h"
#include "lib/str.h"
#include "lib/ui_model.h"
#include "lib/ui_tasks.h"
#include "lib/ui_tasks_int.h"
#include "lib/ui_validate.h"
#include "lib/util.h"

#define autojson __attribute__((cleanup(json_decrefp)))

static const struct {
  const char *type;
  int steps;
  int (*run)(struct task *t, wi_err *err);
} types[] = {
  { "createAuxImage", 5, wi_ui_tasks_image_create },
  { "pushAuxImage", 4, wi_ui_tasks_image_push },
  { "createAndPush", 9, wi_ui_tasks_image_create_push },
  { "checkImage", 2, wi_ui_tasks_image_check },
  { "createPrimary", 6, wi_ui_tasks_primary_create },
  { "pushPrimaryImage", 4, wi_ui_tasks_primary_push },
  { "checkModel", 1, NULL }, /* below */
  { "pullSecret", 1, wi_ui_tasks_k8s_pull_secret },
  { "domainApply", 3, wi_ui_tasks_k8s_apply },
  { "domainStatus", 2, wi_ui_tasks_k8s_status },
};

bool
wi_ui_tasks_known(const char *type)
{
  for (size_t i = 0; type && i < WI_ARRAY_SIZE(types); i++)
    if (strcmp(types[i].type, type) == 0)
      return true;
  return false;
}

const char *
wi_ui_tasks_action(const struct wi_ui_tasks_req *r)
{
  if (r->dry_run && strcmp(r->type, "createPrimary") == 0)
    return "previewPrimary";
  return r->type; /* every other job validates as the action of its own name */
}

/* ---- the request body ---- */

static int
opt_str(json_t *o, const char *key, char **out, wi_err *err)
{
  json_t *v = json_object_get(o, key);
  if (v == NULL || json_is_null(v))
    return 0;
  if (!json_is_string(v))
    return wi_err_set(err, WI_EINVAL, "params.%s: expected a string, got %s", key,
                      wi_json_type_name(v));
  *out = wi_xstrdup(json_string_value(v));
  return 0;
}

static int
opt_bool(json_t *o, const char *key, bool dflt, bool *out, wi_err *err)
{
  json_t *v = json_object_get(o, key);
  if (v && !json_is_boolean(v))
    return wi_err_set(err, WI_EINVAL, "params.%s: expected a boolean", key);
  *out = v ? json_is_true(v) : dflt;
  return 0;
}

/* {"name:key": "value", …}: the values of the model's @@SECRET@@ tokens. */
static int
model_secrets(struct wi_ui_tasks_req *r, json_t *o, wi_err *err)
{
  const char *key;
  json_t *v;
  if (o == NULL || json_is_null(o))
    return 0;
  if (!json_is_object(o))
    return wi_err_set(err, WI_EINVAL, "params.modelSecrets: expected an object");
  if (json_object_size(o) > 256)
    return wi_err_set(err, WI_ETOOBIG, "params.modelSecrets: more than 256 entries");
  json_object_foreach (o, key, v) {
    if (!json_is_string(v))
      return wi_err_set(err, WI_EINVAL, "params.modelSecrets.%s: expected a string", key);
    if (strchr(key, ':') == NULL)
      return wi_err_set(err, WI_EINVAL, "params.modelSecrets.%s: expected \"name:key\"", key);
    wi_k8s_input_kv_list_add(&r->model_secrets, wi_xstrdup(key), wi_xstrdup(json_string_value(v)));
  }
  return 0;
}

static void
drop_empty(char **secret)
{
  if (*secret && (*secret)[0] == '\0')
    wi_alloc_secret_free(wi_steal(secret));
}

static int
parse_params(struct wi_ui_tasks_req *r, json_t *params, wi_err *err)
{
  static const char *const known[] = { "user",         "password",       "remember",
                                       "where",        "name",           "namespace",
                                       "wlsPassword",  "dryRun",         "runtimePassword",
                                       "modelSecrets", "supportPassword" };
  const char *key;
  json_t *v;
  if (!json_is_object(params))
    return wi_err_set(err, WI_EINVAL, "params: expected an object, got %s",
                      wi_json_type_name(params));
  json_object_foreach (params, key, v) {
    bool ok = false;
    for (size_t i = 0; i < WI_ARRAY_SIZE(known); i++)
      ok = ok || strcmp(key, known[i]) == 0;
    if (!ok)
      return wi_err_set(err, WI_EINVAL, "params.%s: unknown parameter", key);
  }
  if (opt_bool(params, "remember", true, &r->remember, err) < 0 ||
      opt_bool(params, "dryRun", false, &r->dry_run, err) < 0 ||
      opt_str(params, "user", &r->user, err) < 0 ||
      opt_str(params, "password", &r->password, err) < 0 ||
      opt_str(params, "where", &r->where, err) < 0 || opt_str(params, "name", &r->name, err) < 0 ||
      opt_str(params, "namespace", &r->ns, err) < 0 ||
      opt_str(params, "wlsPassword", &r->wls_password, err) < 0 ||
      opt_str(params, "runtimePassword", &r->runtime_password, err) < 0 ||
      opt_str(params, "supportPassword", &r->support_password, err) < 0 ||
      model_secrets(r, json_object_get(params, "modelSecrets"), err) < 0)
    return err->code;
  if (r->where && strcmp(r->where, "session") != 0 && strcmp(r->where, "loginFile") != 0)
    return wi_err_set(err, WI_EINVAL, "params.where: expected \"loginFile\" or \"session\"");
  drop_empty(&r->password);
  drop_empty(&r->wls_password);
  drop_empty(&r->runtime_password);
  drop_empty(&r->support_password);
  return 0;
}

int
wi_ui_tasks_parse(struct wi_ui_tasks_req *out, const char *text, size_t len, wi_err *err)
{
  json_error_t jerr;
  const char *key;
  json_t *v;
  memset(out, 0, sizeof *out);
  out->remember = true;
  if (len > WI_UI_TASKS_MAX_BODY)
    return wi_err_set(err, WI_ETOOBIG, "request body: more than %d bytes", WI_UI_TASKS_MAX_BODY);
  autojson json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!json_is_object(j))
    return wi_err_set(err, WI_EINVAL, "request body: %s", j ? "expected an object" : jerr.text);
  json_object_foreach (j, key, v) {
    if (strcmp(key, "type") != 0 && strcmp(key, "params") != 0)
      return wi_err_set(err, WI_EINVAL, "%s: unknown field", key);
  }
  const char *type = json_string_value(json_object_get(j, "type"));
  if (type == NULL)
    return wi_err_set(err, WI_EINVAL, "type: required (a string)");
  if (!wi_ui_tasks_known(type))
    return wi_err_set(err, WI_EINVAL, "type: unknown job type \"%s\" (%s)", type,
                      WI_UI_TASKS_TYPES);
  out->type = wi_xstrdup(type);
  json_t *params = json_object_get(j, "params");
  if (params && parse_params(out, params, err) < 0) {
    wi_ui_tasks_req_dispose(out);
    return err->code;
  }
  return 0;
}

static void
secret_free(char *s)
{
  if (s)
    wi_alloc_secret_free(s);
}

void
wi_ui_tasks_req_dispose(struct wi_ui_tasks_req *r)
{
  free(r->type);
  free(r->user);
  secret_free(r->password);
  free(r->where);
  free(r->name);
  free(r->ns);
  secret_free(r->wls_password);
  secret_free(r->runtime_password);
  secret_free(r->support_password);
  wi_k8s_input_kv_list_dispose(&r->model_secrets, true);
  memset(r, 0, sizeof *r);
}

/* ---- the log bridge ---- */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static struct wi_ui_job *log_job;

static void
set_log_job(struct wi_ui_job *j)
{
  pthread_mutex_lock(&log_mu);
  log_job = j;
  pthread_mutex_unlock(&log_mu);
}

void
wi_ui_tasks_forward_log(int level, const char *msg)
{
  pthread_mutex_lock(&log_mu);
  if (log_job && level <= WI_LOG_INFO)
    wi_ui_jobs_log(log_job, level <= WI_LOG_WARN ? "err" : "info", "%s", msg);
  pthread_mutex_unlock(&log_mu);
}

/* ---- steps and results ---- */

void
wi_ui_tasks_step_begin(struct task *t, const char *id, const char *label)
{
  t->step++;
  snprintf(t->label_buf, sizeof t->label_buf, "%s", label);
  t->step_label = t->label_buf;
  wi_ui_jobs_step(t->job, t->step, t->total, id, label, "running");
}

void
wi_ui_tasks_step_end(struct task *t, const char *id, const char *state)
{
  wi_ui_jobs_step(t->job, t->step, t->total, id, t->label_buf, state);
}

void
wi_ui_tasks_emit(struct task *t, const char *event, json_t *o)
{
  wi_autofree char *d = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  wi_ui_jobs_emit(t->job, event, d);
}

json_t *
wi_ui_tasks_result(const struct task *t, bool ok, const char *title, const char *message)
{
  json_t *o = json_object();
  json_object_set_new(o, "ok", json_boolean(ok));
  json_object_set_new(o, "title", wi_json_str(title));
  json_object_set_new(o, "message", wi_json_str(message));
  json_object_set_new(o, "duration_ms", json_integer((json_int_t)((wi_util_now() - t->t0) * 1000)));
  return o;
}

int
wi_ui_tasks_fail(struct task *t, const char *what, const char *title, const char *subject,
                 const char *host, const char *user, int ret, wi_err *err)
{
  bool cancelled = ret == WI_ECANCELED || wi_ui_jobs_cancelled(t->job);
  char cancelled_title[128];
  if (cancelled) {
    /* "Create Auxiliary Image Failed" → "… Cancelled" */
    snprintf(cancelled_title, sizeof cancelled_title, "%.*s Cancelled",
             (int)(strlen(title) - strlen(" Failed")), title);
    title = cancelled_title;
  }
  wi_autofree char *msg = cancelled
                              ? wi_xstrdup("Cancelled by user")
                              : wi_xasprintf("Could not %s %s: %s: %s", what, subject,
                                             t->step_label ? t->step_label : "start", err->msg);
  if (t->step > 0)
    wi_ui_tasks_step_end(t, "current", "failed");
  autojson json_t *o = wi_ui_tasks_result(t, false, title, msg);
  json_object_set_new(o, "ref", wi_json_str(subject));
  if (!cancelled && host) {
    wi_autofree char *e =
        wi_ui_validate_registry_error(err, host, user, subject, strcmp(what, "push") == 0);
    json_object_set_new(o, "error", json_loads(e, 0, NULL));
  }
  wi_ui_tasks_emit(t, "result", o);
  return cancelled ? wi_err_set(err, WI_ECANCELED, "cancelled by user") : ret;
}

int
wi_ui_tasks_cancelled(struct task *t, wi_err *err)
{
  if (!wi_ui_jobs_cancelled(t->job))
    return 0;
  return wi_err_set(err, WI_ECANCELED, "cancelled by user");
}

char *
wi_ui_tasks_host_of(const char *tag)
{
  struct wi_ref r = { 0 };
  wi_err err = { 0 };
  if (wi_ref_parse(&r, tag, &err) < 0)
    return NULL;
  char *h = wi_xstrdup(r.domain);
  wi_ref_dispose(&r);
  return h;
}

int
wi_ui_tasks_open_store(const struct task *t, bool create, struct wi_store **out, wi_err *err)
{
  if (t->env.store_root)
    return wi_store_open(out, t->env.store_root, create, err);
  return wi_store_open_default(out, create, err);
}

/* ---- checkModel ---- */

static int
check_model(struct task *t, wi_err *err)
{
  wi_ui_tasks_step_begin(t, "check", "Check model, variable and archive files");
  wi_autofree char *report = NULL;
  size_t n_errors = 0;
  int ret = wi_ui_model_report(&t->p, t->env.project_file, &report, &n_errors, err);
  if (ret < 0)
    return wi_ui_tasks_fail(t, "check", "Check Model Failed", "the model", NULL, NULL, ret, err);
  autojson json_t *r = json_loads(report, 0, NULL);
  size_t i, n_warn = 0;
  json_t *f;
  json_array_foreach (json_object_get(r, "findings"), i, f) {
    bool error = strcmp(json_string_value(json_object_get(f, "severity")), "error") == 0;
    n_warn += !error;
    wi_ui_jobs_log(t->job, error ? "err" : "info", "%s%s",
                   error ? "" : "warning: ", json_string_value(json_object_get(f, "message")));
  }
  wi_ui_tasks_step_end(t, "check", n_errors ? "failed" : "done");
  wi_autofree char *msg = wi_xasprintf(
      "%zu model file%s, %zu variable file%s, %zu archive%s: %zu error%s, %zu warning%s. Syntax "
      "and reference checks only; WDT's validateModel needs Java.",
      t->p.model_files.n, t->p.model_files.n == 1 ? "" : "s", t->p.variable_files.n,
      t->p.variable_files.n == 1 ? "" : "s", t->p.archive_files.n,
      t->p.archive_files.n == 1 ? "" : "s", n_errors, n_errors == 1 ? "" : "s", n_warn,
      n_warn == 1 ? "" : "s");
  autojson json_t *o = wi_ui_tasks_result(
      t, n_errors == 0, n_errors ? "Check Model Failed" : "Check Model Complete", msg);
  json_object_set(o, "findings", json_object_get(r, "findings"));
  json_object_set(o, "secrets", json_object_get(r, "secrets"));
  wi_ui_tasks_emit(t, "result", o);
  return n_errors ? wi_err_set(err, WI_EINVAL, "%zu error%s in the model files", n_errors,
                               n_errors == 1 ? "" : "s")
                  : 0;
}

/* ---- starting ---- */

static void
task_free(void *payload)
{
  struct task *t = payload;
  wi_ui_project_dispose(&t->p);
  wi_ui_tasks_req_dispose(&t->req);
  free(t);
}

static int
job_main(struct wi_ui_job *j, void *payload, wi_err *err)
{
  struct task *t = payload;
  int ret = WI_EINVAL;
  t->job = j;
  wi_ui_jobs_add_secret(j, t->req.password);
  wi_ui_jobs_add_secret(j, t->req.wls_password);
  wi_ui_jobs_add_secret(j, t->req.runtime_password);
  wi_ui_jobs_add_secret(j, t->req.support_password);
  for (size_t i = 0; i < t->req.model_secrets.n; i++)
    wi_ui_jobs_add_secret(j, t->req.model_secrets.v[i].value);
  set_log_job(j);
  for (size_t i = 0; i < WI_ARRAY_SIZE(types); i++)
    if (strcmp(types[i].type, t->req.type) == 0)
      ret = types[i].run ? types[i].run(t, err) : check_model(t, err);
  set_log_job(NULL);
  return ret;
}

int
wi_ui_tasks_start(struct wi_ui_jobs *jobs, const struct wi_ui_tasks_env *env,
                  const struct wi_ui_project *snapshot, struct wi_ui_tasks_req *req, char *id_out,
                  char *running_out, char **running_type_out, wi_err *err)
{
  struct task *t = wi_xcalloc(1, sizeof *t);
  t->env = *env;
  wi_ui_project_copy(&t->p, snapshot);
  t->req = *req;
  memset(req, 0, sizeof *req);
  t->t0 = wi_util_now();
  for (size_t i = 0; i < WI_ARRAY_SIZE(types); i++)
    if (strcmp(types[i].type, t->req.type) == 0)
      t->total = types[i].steps;
  return wi_ui_jobs_start(jobs, t->req.type, job_main, t, task_free, id_out, running_out,
                          running_type_out, err);
}
