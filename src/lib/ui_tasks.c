/* wlsimg ui: createAuxImage, pushAuxImage, createAndPush and pullSecret jobs. */
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/alloc.h"
#include "lib/aux.h"
#include "lib/base64.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/ref.h"
#include "lib/regclient.h"
#include "lib/store.h"
#include "lib/str.h"
#include "lib/transfer.h"
#include "lib/ui_render.h"
#include "lib/ui_tasks.h"
#include "lib/ui_validate.h"
#include "lib/util.h"

#define autojson __attribute__((cleanup(json_decrefp)))

struct task {
  struct wi_ui_tasks_env env;
  struct wi_ui_project p;
  struct wi_ui_tasks_req req;
  double t0;
  /* steps */
  struct wi_ui_job *job;
  int step, total;
  const char *step_label;
  char label_buf[700];
  /* push progress, serialised by the transfer module */
  int n_uploaded, n_existing;
};

static const struct {
  const char *type;
  const char *action;
  int steps;
} types[] = {
  { "createAuxImage", "createAuxImage", 5 },
  { "pushAuxImage", "pushAuxImage", 4 },
  { "createAndPush", "createAndPush", 9 },
  { "pullSecret", "pullSecret", 1 },
};

bool
wi_ui_tasks_known(const char *type)
{
  return wi_ui_tasks_action(type) != NULL;
}

const char *
wi_ui_tasks_action(const char *type)
{
  for (size_t i = 0; type && i < WI_ARRAY_SIZE(types); i++)
    if (strcmp(types[i].type, type) == 0)
      return types[i].action;
  return NULL;
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
parse_params(struct wi_ui_tasks_req *r, json_t *params, wi_err *err)
{
  static const char *const known[] = {
    "user", "password", "remember", "where", "name", "namespace"
  };
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
  json_t *rem = json_object_get(params, "remember");
  if (rem && !json_is_boolean(rem))
    return wi_err_set(err, WI_EINVAL, "params.remember: expected a boolean");
  r->remember = rem == NULL || json_is_true(rem);
  if (opt_str(params, "user", &r->user, err) < 0 ||
      opt_str(params, "password", &r->password, err) < 0 ||
      opt_str(params, "where", &r->where, err) < 0 || opt_str(params, "name", &r->name, err) < 0 ||
      opt_str(params, "namespace", &r->ns, err) < 0)
    return err->code;
  if (r->where && strcmp(r->where, "session") != 0 && strcmp(r->where, "loginFile") != 0)
    return wi_err_set(err, WI_EINVAL, "params.where: expected \"loginFile\" or \"session\"");
  if (r->password && r->password[0] == '\0') {
    wi_alloc_secret_free(wi_steal(&r->password));
  }
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
    return wi_err_set(err, WI_EINVAL, "type: unknown job type \"%s\"", type);
  out->type = wi_xstrdup(type);
  json_t *params = json_object_get(j, "params");
  if (params && parse_params(out, params, err) < 0) {
    wi_ui_tasks_req_dispose(out);
    return err->code;
  }
  return 0;
}

void
wi_ui_tasks_req_dispose(struct wi_ui_tasks_req *r)
{
  free(r->type);
  free(r->user);
  if (r->password)
    wi_alloc_secret_free(r->password);
  free(r->where);
  free(r->name);
  free(r->ns);
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

static void
step_begin(struct task *t, const char *id, const char *label)
{
  t->step++;
  snprintf(t->label_buf, sizeof t->label_buf, "%s", label);
  t->step_label = t->label_buf;
  wi_ui_jobs_step(t->job, t->step, t->total, id, label, "running");
}

static void
step_end(struct task *t, const char *id, const char *state)
{
  wi_ui_jobs_step(t->job, t->step, t->total, id, t->label_buf, state);
}

static void
emit_json(struct wi_ui_job *j, const char *event, json_t *o)
{
  wi_autofree char *d = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  wi_ui_jobs_emit(j, event, d);
}

static json_t *
result_new(bool ok, const char *title, const char *message, double t0)
{
  json_t *o = json_object();
  json_object_set_new(o, "ok", json_boolean(ok));
  json_object_set_new(o, "title", wi_json_str(title));
  json_object_set_new(o, "message", wi_json_str(message));
  json_object_set_new(o, "duration_ms", json_integer((json_int_t)((wi_util_now() - t0) * 1000)));
  return o;
}

static int
fail_result(struct task *t, const char *what, const char *title, const char *tag, const char *host,
            const char *user, int ret, wi_err *err)
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
                              : wi_xasprintf("Could not %s %s: %s: %s", what, tag,
                                             t->step_label ? t->step_label : "start", err->msg);
  if (t->step > 0)
    step_end(t, "current", "failed");
  autojson json_t *o = result_new(false, title, msg, t->t0);
  json_object_set_new(o, "ref", wi_json_str(tag));
  if (!cancelled && host) {
    wi_autofree char *e = wi_ui_validate_registry_error(err, host, user, tag);
    json_object_set_new(o, "error", json_loads(e, 0, NULL));
  }
  emit_json(t->job, "result", o);
  return cancelled ? wi_err_set(err, WI_ECANCELED, "cancelled by user") : ret;
}

/* ---- createAuxImage ---- */

struct owned {
  char **v;
  size_t n;
};

static const char *
keep(struct owned *o, char *s)
{
  o->v = wi_xreallocarray(o->v, o->n + 1, sizeof *o->v);
  o->v[o->n++] = s;
  return s;
}

static struct wi_strv
paths(struct owned *o, const char *project_file, const struct wi_ui_strlist *l)
{
  struct wi_strv v = { wi_xcalloc(l->n + 1, sizeof(char *)), l->n };
  keep(o, (char *)(uintptr_t)v.v);
  for (size_t i = 0; i < l->n; i++)
    v.v[i] = keep(o, wi_ui_project_path(project_file, l->v[i]));
  return v;
}

static void
owned_free(struct owned *o)
{
  for (size_t i = 0; i < o->n; i++)
    free(o->v[i]);
  free(o->v);
}

static void
aux_opts_from(struct wi_aux_opts *o, struct owned *own, const struct task *t)
{
  const struct wi_ui_project *p = &t->p;
  const char *pf = t->env.project_file;
  memset(o, 0, sizeof *o);
  o->tag = p->aux_tag;
  o->from_image = p->base_custom && p->base_ref[0] ? p->base_ref : NULL;
  o->models = paths(own, pf, &p->model_files);
  o->variables = paths(own, pf, &p->variable_files);
  o->archives = paths(own, pf, &p->archive_files);
  o->wdt_version = !p->wdt_latest && p->wdt_version[0] ? p->wdt_version : NULL;
  o->wdt_home = p->wdt_home[0] ? p->wdt_home : NULL;
  o->wdt_model_home = p->model_home[0] ? p->model_home : NULL;
  bool default_owner = strcmp(p->owner, "oracle") == 0 && strcmp(p->group, "oracle") == 0;
  if (!default_owner && p->owner[0] && p->group[0])
    o->chown = keep(own, wi_xasprintf("%s:%s", p->owner, p->group));
  o->openshift = p->openshift;
  struct wi_strv pl = { wi_xcalloc(p->platforms.n + 1, sizeof(char *)), p->platforms.n };
  keep(own, (char *)(uintptr_t)pl.v);
  for (size_t i = 0; i < p->platforms.n; i++)
    pl.v[i] = p->platforms.v[i];
  o->platforms = pl;
  if (p->extend && p->extend_commands[0]) {
    o->additional_build_commands = keep(own, wi_ui_project_path(pf, p->extend_commands));
    o->additional_build_files = paths(own, pf, &p->extend_files);
  }
  o->build_network = p->build_network[0] ? p->build_network : NULL;
  o->pull = p->always_pull;
  o->transfer.src_reg.tls_skip_verify = !t->env.tls_verify;
  o->transfer.src_reg.authfile = wi_ui_creds_authfile(t->env.creds);
  o->transfer.src_reg.cancel = wi_ui_jobs_cancel_flag(t->job);
  o->transfer.store_root = t->env.store_root;
}

static int
open_store(const struct task *t, bool create, struct wi_store **out, wi_err *err)
{
  if (t->env.store_root)
    return wi_store_open(out, t->env.store_root, create, err);
  return wi_store_open_default(out, create, err);
}

static int
ask_prepare_model(struct task *t, wi_err *err)
{
  static const char *const opts[] = { "No", "Yes" };
  wi_autofree char *answer = NULL;
  int ret = wi_ui_jobs_prompt(t->job, "prepareModel", "Create Auxiliary Image to run Prepare Model",
                              "Do you want to run Prepare Model before creating the image?", opts,
                              2, "No", &answer, err);
  if (ret < 0)
    return ret;
  if (strcmp(answer, "Yes") == 0)
    wi_ui_jobs_log(t->job, "info",
                   "Prepare Model needs WDT's prepareModel and Java, which wlsimg does not run; "
                   "the model is used as it is.");
  return 0;
}

static int
cancelled(struct task *t, wi_err *err)
{
  if (!wi_ui_jobs_cancelled(t->job))
    return 0;
  return wi_err_set(err, WI_ECANCELED, "cancelled by user");
}

/* The create steps; *res filled on success. */
static int
create_steps(struct task *t, struct wi_aux_result *res, wi_err *err)
{
  __attribute__((cleanup(owned_free))) struct owned own = { 0 };
  struct wi_aux_opts o;
  wi_autoptr(wi_aux_plan) struct wi_aux_plan *plan = NULL;
  wi_autoptr(wi_store) struct wi_store *store = NULL;
  int ret;

  step_begin(t, "save", "Save project");
  step_end(t, "save", "done"); /* the server saved it before starting the job */
  if (t->p.offer_prepare_model && (ret = ask_prepare_model(t, err)) < 0)
    return ret;
  aux_opts_from(&o, &own, t);
  step_begin(t, "check", "Check model files");
  ret = wi_aux_plan_new(&plan, &o, err);
  if (ret < 0)
    return ret;
  step_end(t, "check", "done");
  step_begin(t, "wdt", "Resolve WebLogic Deploy Tooling installer");
  const char *inst = wi_aux_plan_installer(plan);
  wi_ui_jobs_log(t->job, "info", "WDT installer: %s", inst ? inst : "none");
  step_end(t, "wdt", inst ? "done" : "skipped");
  if ((ret = cancelled(t, err)) < 0)
    return ret;
  step_begin(t, "build", "Build layer and write image to store");
  ret = open_store(t, true, &store, err);
  if (ret == 0)
    ret = wi_aux_build(plan, store, res, err);
  if (ret < 0)
    return ret;
  step_end(t, "build", "done");
  step_begin(t, "store", "Write image to store");
  wi_ui_jobs_log(t->job, "info", "Image Tool build ID: %s", wi_aux_plan_build_id(plan));
  step_end(t, "store", "done");
  return 0;
}

static char *
host_of(const char *tag)
{
  struct wi_ref r = { 0 };
  wi_err err = { 0 };
  if (wi_ref_parse(&r, tag, &err) < 0)
    return NULL;
  char *h = wi_xstrdup(r.domain);
  wi_ref_dispose(&r);
  return h;
}

static int
job_create(struct wi_ui_job *j, void *payload, wi_err *err)
{
  struct task *t = payload;
  struct wi_aux_result res = { 0 };
  t->job = j;
  int ret = create_steps(t, &res, err);
  if (ret < 0) {
    wi_aux_build_result_dispose(&res);
    return fail_result(t, "create", "Create Auxiliary Image Failed", t->p.aux_tag, NULL, NULL, ret,
                       err);
  }
  wi_autofree char *host = host_of(t->p.aux_tag);
  wi_autofree char *msg = wi_xasprintf(
      "Created auxiliary image %s (digest %s, %lld bytes in the new layer, %zu platform%s). Push "
      "it to %s when you are ready.",
      t->p.aux_tag, res.digest, (long long)res.layer_bytes, res.n_platforms,
      res.n_platforms == 1 ? "" : "s", host ? host : "its registry");
  autojson json_t *o = result_new(true, "Create Auxiliary Image Complete", msg, t->t0);
  json_object_set_new(o, "ref", wi_json_str(t->p.aux_tag));
  json_object_set_new(o, "digest", json_string(res.digest));
  json_object_set_new(o, "platforms", json_integer((json_int_t)res.n_platforms));
  json_object_set_new(o, "size", json_integer(res.layer_bytes));
  json_t *next = json_array();
  json_array_append_new(next, json_string("pushAuxImage"));
  json_object_set_new(o, "next", next);
  emit_json(j, "result", o);
  if (t->env.record)
    t->env.record("createAuxImage", t->p.aux_tag, res.digest, host, t->env.record_payload);
  wi_aux_build_result_dispose(&res);
  return 0;
}

/* ---- pushAuxImage ---- */

static const char *
progress_name(enum wi_progress_event e)
{
  switch (e) {
  case WI_PROGRESS_START:
    return "start";
  case WI_PROGRESS_BYTES:
    return "bytes";
  case WI_PROGRESS_EXISTS:
    return "exists";
  case WI_PROGRESS_MOUNTED:
    return "mounted";
  case WI_PROGRESS_DONE:
    return "done";
  case WI_PROGRESS_RETRY:
    return "retry";
  case WI_PROGRESS_MANIFEST:
    return "done";
  case WI_PROGRESS_WAITING:
    return "waiting";
  }
  return "bytes";
}

static void
on_progress(const struct wi_progress *p, void *payload)
{
  struct task *t = payload;
  if (p->event == WI_PROGRESS_DONE || p->event == WI_PROGRESS_MOUNTED)
    t->n_uploaded++;
  else if (p->event == WI_PROGRESS_EXISTS)
    t->n_existing++;
  autojson json_t *o = json_object();
  json_object_set_new(o, "digest", wi_json_str(p->digest ? p->digest : ""));
  json_object_set_new(o, "kind",
                      json_string(p->event == WI_PROGRESS_MANIFEST ? "manifest" : "layer"));
  json_object_set_new(o, "event", json_string(progress_name(p->event)));
  json_object_set_new(o, "done", json_integer(p->done));
  json_object_set_new(o, "total", json_integer(p->total));
  json_object_set_new(o, "message", p->message ? wi_json_str(p->message) : json_null());
  emit_json(t->job, "blob", o);
}

struct login {
  char *user;
  char *pass;
  bool typed;
};

static void
login_dispose(struct login *l)
{
  free(l->user);
  if (l->pass)
    wi_alloc_secret_free(l->pass);
}

/* The credentials for the push: typed in this request, or the session's / stored login. */
static int
find_login(struct task *t, const char *host, struct login *l, wi_err *err)
{
  if (t->req.password) {
    if (t->req.user == NULL || t->req.user[0] == '\0')
      return wi_err_set(err, WI_EINVAL, "a push password was given without a user name");
    l->user = wi_xstrdup(t->req.user);
    l->pass = wi_xstrdup(t->req.password);
    l->typed = true;
    return 0;
  }
  if (!t->p.aux_push_auth)
    return 0;
  const char *want = t->req.user && t->req.user[0] ? t->req.user
                     : t->p.aux_login.user[0]      ? t->p.aux_login.user
                                                   : NULL;
  int ret = wi_ui_creds_resolve(t->env.creds, host, want, &l->user, &l->pass, NULL, err);
  if (ret == WI_ENOTFOUND)
    return wi_err_set(err, WI_EAUTH, "no login for %s%s%s: enter the push user name and password",
                      host, want ? " as " : "", want ? want : "");
  return ret;
}

static void
remember_login(struct task *t, const char *host, const struct login *l)
{
  if (!l->typed || !t->req.remember)
    return;
  const char *where = t->req.where ? t->req.where : t->p.secret_policy;
  bool session = strcmp(where, "session") == 0;
  wi_autofree char *place = NULL;
  wi_err err = { 0 };
  if (wi_ui_creds_save(t->env.creds, host, l->user, l->pass, session, &place, &err) < 0)
    wi_ui_jobs_log(t->job, "err", "The login was not saved: %s", err.msg);
  else
    wi_ui_jobs_log(t->job, "info", "Login for %s saved (%s)", host, place);
}

static int
push_steps(struct task *t, const struct wi_ref *r, struct login *l, char *digest, wi_err *err)
{
  wi_autoptr(wi_store) struct wi_store *store = NULL;
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  struct wi_descriptor d = { 0 };
  char label[600];
  int ret;

  step_begin(t, "find", "Find image in local store");
  ret = open_store(t, false, &store, err);
  if (ret == 0)
    ret = wi_store_lookup(store, t->p.aux_tag, &d, NULL, err);
  if (ret < 0)
    return ret;
  wi_ui_jobs_log(t->job, "info", "%s → %s", t->p.aux_tag, d.digest);
  wi_manifest_descriptor_dispose(&d);
  step_end(t, "find", "done");

  if ((ret = find_login(t, r->domain, l, err)) < 0)
    return ret;
  wi_ui_jobs_add_secret(t->job, l->pass);
  snprintf(label, sizeof label, "Log in to %s%s%s", r->domain, l->user ? " as " : "",
           l->user ? l->user : "");
  step_begin(t, "login", label);
  struct wi_regclient_opts ro = { .tls_skip_verify = !t->env.tls_verify,
                                  .username = l->user,
                                  .password = l->pass,
                                  .authfile = wi_ui_creds_authfile(t->env.creds),
                                  .cancel = wi_ui_jobs_cancel_flag(t->job) };
  ret = wi_regclient_new(&rc, r->domain, &ro, err);
  if (ret == 0)
    ret = wi_regclient_ping(rc, err);
  if (ret < 0)
    return ret;
  remember_login(t, r->domain, l);
  step_end(t, "login", "done");

  step_begin(t, "upload", "Upload layers");
  struct wi_transfer_opts o = {
    .dst_reg = ro, .progress = on_progress, .progress_payload = t, .store_root = t->env.store_root
  };
  ret = wi_transfer_push(store, t->p.aux_tag, t->p.aux_tag, &o, digest, err);
  if (ret < 0)
    return ret;
  step_end(t, "upload", "done");

  step_begin(t, "verify", "Verify");
  char seen[WI_DIGEST_MAX] = "";
  ret = wi_regclient_head_manifest(rc, r->path, r->tag ? r->tag : r->digest, seen, NULL, NULL, err);
  if (ret < 0)
    return ret;
  if (strcmp(seen, digest) != 0)
    return wi_err_set(err, WI_EDIGEST, "%s points to %s after the push, not %s", t->p.aux_tag, seen,
                      digest);
  step_end(t, "verify", "done");
  return 0;
}

static int
push_job(struct task *t, wi_err *err)
{
  struct wi_ref r = { 0 };
  __attribute__((cleanup(login_dispose))) struct login l = { 0 };
  char digest[WI_DIGEST_MAX] = "";
  int ret = wi_ref_parse(&r, t->p.aux_tag, err);
  if (ret < 0)
    return fail_result(t, "push", "Push Auxiliary Image Failed", t->p.aux_tag, NULL, NULL, ret,
                       err);
  ret = push_steps(t, &r, &l, digest, err);
  if (ret < 0) {
    ret = fail_result(t, "push", "Push Auxiliary Image Failed", t->p.aux_tag, r.domain,
                      l.user ? l.user : t->req.user, ret, err);
    wi_ref_dispose(&r);
    return ret;
  }
  wi_autofree char *repo = wi_ref_repo(&r);
  wi_autofree char *pinned = wi_xasprintf("%s@%s", repo, digest);
  wi_autofree char *msg =
      t->n_uploaded == 0 && t->n_existing > 0
          ? wi_xasprintf("Every layer was already in the registry; the tag now points to %s.",
                         digest)
          : wi_xasprintf("Pushed %s to %s. Digest %s.", t->p.aux_tag, r.domain, digest);
  autojson json_t *o = result_new(true, "Push Image Complete", msg, t->t0);
  json_object_set_new(o, "ref", wi_json_str(t->p.aux_tag));
  json_object_set_new(o, "digest", json_string(digest));
  json_object_set_new(o, "pinned", wi_json_str(pinned));
  json_object_set_new(o, "host", wi_json_str(r.domain));
  json_object_set_new(o, "layers_uploaded", json_integer(t->n_uploaded));
  json_object_set_new(o, "layers_existing", json_integer(t->n_existing));
  json_t *next = json_array();
  json_array_append_new(next, json_string("pullSecret"));
  json_array_append_new(next, json_string("domain"));
  json_object_set_new(o, "next", next);
  emit_json(t->job, "result", o);
  if (t->env.record)
    t->env.record("pushAuxImage", t->p.aux_tag, digest, r.domain, t->env.record_payload);
  wi_ref_dispose(&r);
  return 0;
}

static int
job_push(struct wi_ui_job *j, void *payload, wi_err *err)
{
  struct task *t = payload;
  t->job = j;
  return push_job(t, err);
}

static int
job_create_push(struct wi_ui_job *j, void *payload, wi_err *err)
{
  struct task *t = payload;
  struct wi_aux_result res = { 0 };
  t->job = j;
  int ret = create_steps(t, &res, err);
  if (ret < 0) {
    wi_aux_build_result_dispose(&res);
    return fail_result(t, "create", "Create Auxiliary Image Failed", t->p.aux_tag, NULL, NULL, ret,
                       err);
  }
  wi_autofree char *host = host_of(t->p.aux_tag);
  if (t->env.record)
    t->env.record("createAuxImage", t->p.aux_tag, res.digest, host, t->env.record_payload);
  wi_ui_jobs_log(j, "info", "Created %s (digest %s)", t->p.aux_tag, res.digest);
  wi_aux_build_result_dispose(&res);
  return push_job(t, err);
}

/* ---- pullSecret ---- */

static int
job_pull_secret(struct wi_ui_job *j, void *payload, wi_err *err)
{
  struct task *t = payload;
  t->job = j;
  step_begin(t, "render", "Create the pull secret from the push login");
  struct wi_ui_render_in in = { .project_file = t->env.project_file,
                                .creds = t->env.creds,
                                .secret_name = t->req.name,
                                .ns = t->req.ns };
  wi_autofree char *yaml = NULL;
  int ret = wi_ui_render(&t->p, "secret-yaml", &in, &yaml, err);
  if (ret < 0)
    return fail_result(t, "create the pull secret for", "Pull Secret Failed", t->p.aux_tag, NULL,
                       NULL, ret, err);
  step_end(t, "render", "done");
  autojson json_t *o = result_new(true, "Pull Secret Ready",
                                  "The pull secret was made from the push login (data redacted; "
                                  "GET /api/render/secret-yaml?reveal=1 shows it).",
                                  t->t0);
  json_object_set_new(o, "yaml", wi_json_str(yaml));
  emit_json(j, "result", o);
  return 0;
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
  int ret;
  wi_ui_jobs_add_secret(j, t->req.password);
  set_log_job(j);
  if (strcmp(t->req.type, "createAuxImage") == 0)
    ret = job_create(j, payload, err);
  else if (strcmp(t->req.type, "pushAuxImage") == 0)
    ret = job_push(j, payload, err);
  else if (strcmp(t->req.type, "createAndPush") == 0)
    ret = job_create_push(j, payload, err);
  else
    ret = job_pull_secret(j, payload, err);
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
