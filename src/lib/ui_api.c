/* wlsimg ui: routes and handlers of the JSON API. */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/creds.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/ref.h"
#include "lib/regclient.h"
#include "lib/store.h"
#include "lib/str.h"
#include "lib/ui_api.h"
#include "lib/ui_api_int.h"
#include "lib/ui_assets.h"
#include "lib/ui_creds.h"
#include "lib/ui_primary.h"
#include "lib/ui_project.h"
#include "lib/ui_render.h"
#include "lib/ui_tasks.h"
#include "lib/ui_validate.h"
#include "lib/util.h"
#include "lib/witcache.h"

#define autojson __attribute__((cleanup(json_decrefp)))

#define CT_JSON WI_UI_API_CT_JSON
#define CT_TEXT WI_UI_API_CT_TEXT

/* Write the project unless the file already holds exactly this text (a job's "Save project"
 * step then costs no fsync). Called with a->mu held. */
static int
save_locked(struct wi_ui_api *a, const struct wi_ui_project *p, wi_err *err)
{
  wi_autofree char *j = wi_ui_project_to_json(p);
  if (a->project_exists && a->saved_json && strcmp(a->saved_json, j) == 0)
    return 0;
  int ret = wi_fs_write_file_atomic(a->project_file, j, strlen(j), 0644, err);
  if (ret == 0) {
    free(a->saved_json);
    a->saved_json = wi_steal(&j);
  }
  return ret;
}

static void
record(const char *kind, const char *ref, const char *digest, const char *host, void *payload)
{
  struct wi_ui_api *a = payload;
  wi_err err = { 0 };
  pthread_mutex_lock(&a->mu);
  wi_ui_project_add_history(&a->project, kind, ref, digest, host, (int64_t)time(NULL));
  if (save_locked(a, &a->project, &err) < 0)
    wi_log(WI_LOG_WARN, "history not saved: %s", err.msg);
  else
    a->project_exists = true;
  pthread_mutex_unlock(&a->mu);
}

static void
retag(bool primary, const char *tag, void *payload)
{
  struct wi_ui_api *a = payload;
  wi_err err = { 0 };
  pthread_mutex_lock(&a->mu);
  char **field = primary ? &a->project.primary_tag : &a->project.aux_tag;
  free(*field);
  *field = wi_xstrdup(tag);
  if (save_locked(a, &a->project, &err) < 0)
    wi_log(WI_LOG_WARN, "project not saved: %s", err.msg);
  pthread_mutex_unlock(&a->mu);
}

int
wi_ui_api_new(struct wi_ui_api **out, const struct wi_ui_api_opts *o, wi_err *err)
{
  struct wi_ui_api *a = wi_xcalloc(1, sizeof *a);
  a->project_file = wi_xstrdup(o->project_file);
  a->store_root = o->store_root ? wi_xstrdup(o->store_root) : NULL;
  a->fs_root = o->fs_root ? wi_xstrdup(o->fs_root) : NULL;
  a->tls_verify = o->tls_verify;
  pthread_mutex_init(&a->mu, NULL);
  int ret = wi_ui_project_load(&a->project, a->project_file, &a->project_exists, err);
  if (ret < 0) {
    wi_ui_project_dispose(&a->project);
    pthread_mutex_destroy(&a->mu);
    free(a->project_file);
    free(a->store_root);
    free(a->fs_root);
    free(a);
    return ret;
  }
  a->creds = wi_ui_creds_new(o->authfile);
  wi_ui_jobs_new(&a->jobs);
  a->env = (struct wi_ui_tasks_env){ .project_file = a->project_file,
                                     .store_root = a->store_root,
                                     .creds = a->creds,
                                     .tls_verify = a->tls_verify,
                                     .record = record,
                                     .retag = retag,
                                     .record_payload = a };
  *out = a;
  return 0;
}

void
wi_ui_api_free(struct wi_ui_api *a)
{
  if (a == NULL)
    return;
  wi_ui_jobs_free(a->jobs);
  wi_ui_creds_free(a->creds);
  wi_ui_project_dispose(&a->project);
  pthread_mutex_destroy(&a->mu);
  free(a->project_file);
  free(a->store_root);
  free(a->fs_root);
  free(a->saved_json);
  free(a);
}

void
wi_ui_api_resp_dispose(struct wi_ui_resp *r)
{
  free(r->body);
  memset(r, 0, sizeof *r);
}

struct wi_ui_job *
wi_ui_api_job(struct wi_ui_api *a, const char *id)
{
  return wi_ui_jobs_get(a->jobs, id);
}

bool
wi_ui_api_busy(struct wi_ui_api *a)
{
  return wi_ui_jobs_running(a->jobs);
}

/* ---- responses ---- */

void
wi_ui_api_reply(struct wi_ui_resp *r, int status, const char *ctype, char *body)
{
  r->status = status;
  r->ctype = ctype;
  r->body = body;
  r->len = strlen(body);
}

void
wi_ui_api_reply_json(struct wi_ui_resp *r, int status, json_t *o)
{
  wi_ui_api_reply(r, status, CT_JSON, json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER));
}

static int
status_for(int code)
{
  switch (code) {
  case WI_EINVAL:
  case WI_EUSAGE:
    return 400;
  case WI_EAUTH:
    return 401;
  case WI_EDENIED:
    return 403;
  case WI_ENOTFOUND:
    return 404;
  case WI_EEXISTS:
    return 409;
  case WI_ETOOBIG:
    return 413;
  case WI_ENET:
    return 502;
  default:
    return 500;
  }
}

void
wi_ui_api_reply_error(struct wi_ui_resp *r, int status, const wi_err *err)
{
  autojson json_t *o = json_object();
  json_t *e = json_object();
  json_object_set_new(e, "code", json_string(wi_err_name(err->code)));
  json_object_set_new(e, "message", wi_json_str(err->msg));
  json_object_set_new(o, "error", e);
  wi_ui_api_reply_json(r, status ? status : status_for(err->code), o);
}

void
wi_ui_api_reply_msg(struct wi_ui_resp *r, int status, int code, const char *msg)
{
  wi_err err = { 0 };
  wi_err_set(&err, code, "%s", msg);
  wi_ui_api_reply_error(r, status, &err);
}

void
wi_ui_api_reply_registry(struct wi_ui_resp *r, const wi_err *err, const char *host,
                         const char *user, const char *tag)
{
  wi_autofree char *e = wi_ui_validate_registry_error(err, host, user, tag, true);
  autojson json_t *o = json_object();
  json_t *ej = json_loads(e, 0, NULL);
  json_object_set_new(ej, "code_name", json_string(wi_err_name(err->code)));
  json_object_set_new(o, "error", ej);
  wi_ui_api_reply_json(r, err->code == WI_EAUTH ? 401 : err->code == WI_EDENIED ? 403 : 502, o);
}

json_t *
wi_ui_api_body(const char *body, size_t len, struct wi_ui_resp *r)
{
  json_error_t jerr;
  if (len > WI_UI_API_MAX_BODY) {
    wi_ui_api_reply_msg(r, 413, WI_ETOOBIG, "request body too large");
    return NULL;
  }
  json_t *j = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
  if (!json_is_object(j)) {
    wi_err err = { 0 };
    wi_err_set(&err, WI_EINVAL, "request body: %s", j ? "expected a JSON object" : jerr.text);
    json_decref(j);
    wi_ui_api_reply_error(r, 400, &err);
    return NULL;
  }
  return j;
}

void
wi_ui_api_snapshot(struct wi_ui_api *a, struct wi_ui_project *out)
{
  pthread_mutex_lock(&a->mu);
  wi_ui_project_copy(out, &a->project);
  pthread_mutex_unlock(&a->mu);
}

int
wi_ui_api_update(struct wi_ui_api *a, int (*fn)(struct wi_ui_project *p, void *payload),
                 void *payload, wi_err *err)
{
  struct wi_ui_project p;
  pthread_mutex_lock(&a->mu);
  wi_ui_project_copy(&p, &a->project);
  int ret = fn(&p, payload);
  if (ret == 0)
    ret = save_locked(a, &p, err);
  if (ret == 0) {
    wi_ui_project_dispose(&a->project);
    a->project = p;
    a->project_exists = true;
  } else {
    wi_ui_project_dispose(&p);
  }
  pthread_mutex_unlock(&a->mu);
  return ret;
}

#define reply      wi_ui_api_reply
#define reply_json wi_ui_api_reply_json
#define reply_msg  wi_ui_api_reply_msg

/* ---- project ---- */

static void
get_info(struct wi_ui_api *a, struct wi_ui_resp *r)
{
  autojson json_t *o = json_object();
  wi_autofree char *store = a->store_root ? wi_xstrdup(a->store_root) : wi_store_default_root();
  wi_autofree char *cache = wi_witcache_default_dir();
  wi_autofree char *registry = wi_util_data_path("registry");
  pthread_mutex_lock(&a->mu);
  json_object_set_new(o, "projectFile", wi_json_str(a->project_file));
  json_object_set_new(o, "projectExists", json_boolean(a->project_exists));
  pthread_mutex_unlock(&a->mu);
  json_object_set_new(o, "store", wi_json_str(store));
  json_object_set_new(o, "cache", wi_json_str(cache));
  json_object_set_new(o, "registryRoot", wi_json_str(registry));
  const char *af = wi_ui_creds_authfile(a->creds);
  wi_autofree char *docker = wi_creds_docker_config_path();
  json_object_set_new(o, "authfile", wi_json_str(af ? af : docker));
  json_object_set_new(o, "assetsBytes", json_integer((json_int_t)wi_ui_assets_total()));
  json_t *types = json_array();
  static const char types_s[] = WI_UI_TASKS_TYPES;
  for (const char *s = types_s; *s;) {
    size_t n = strcspn(s, " ");
    json_array_append_new(types, json_stringn(s, n));
    s += n + (s[n] == ' ');
  }
  json_object_set_new(o, "jobTypes", types);
  wi_autofree char *engines = wi_ui_primary_engines_json();
  json_object_set_new(o, "engines", json_loads(engines, 0, NULL));
  reply_json(r, 200, o);
}

static void
get_project(struct wi_ui_api *a, struct wi_ui_resp *r)
{
  pthread_mutex_lock(&a->mu);
  reply(r, 200, CT_JSON, wi_ui_project_to_json(&a->project));
  pthread_mutex_unlock(&a->mu);
}

static void
put_project(struct wi_ui_api *a, const char *body, size_t len, struct wi_ui_resp *r)
{
  struct wi_ui_project p;
  wi_err err = { 0 };
  pthread_mutex_lock(&a->mu);
  wi_ui_project_init(&p, a->project.name);
  int ret = wi_ui_project_from_json(&p, body ? body : "", len, &err);
  /* the history and the registries table are the server's: a page cannot rewrite them */
  if (ret == 0) {
    wi_ui_project_copy_records(&p, &a->project);
    ret = save_locked(a, &p, &err);
  }
  if (ret < 0) {
    pthread_mutex_unlock(&a->mu);
    wi_ui_project_dispose(&p);
    wi_ui_api_reply_error(r, ret == WI_EIO ? 500 : 400, &err);
    return;
  }
  wi_ui_project_dispose(&a->project);
  a->project = p;
  a->project_exists = true;
  reply(r, 200, CT_JSON, wi_ui_project_to_json(&a->project));
  pthread_mutex_unlock(&a->mu);
}

/* What a validation is told besides the action: the typed push user and which passwords were
 * given. */
struct vextra {
  const char *user;
  bool wls_password, support_password;
};

static int
validate(struct wi_ui_api *a, const char *action, const struct vextra *x, char **json_out,
         size_t *n_errors, wi_err *err)
{
  struct wi_ui_validate_in in = { .action = action,
                                  .project_file = a->project_file,
                                  .push_user = x->user,
                                  .wls_password = x->wls_password,
                                  .support_password = x->support_password,
                                  .store_root = a->store_root };
  pthread_mutex_lock(&a->mu);
  int ret = wi_ui_validate_run(&a->project, &in, json_out, n_errors, err);
  pthread_mutex_unlock(&a->mu);
  return ret;
}

/* {"action": A, "user"?} → [findings]; {"actions": [A…], "user"?, "wlsPassword"?: bool,
 * "supportPassword"?: bool} → {A: [findings]…}. */
static void
post_validate(struct wi_ui_api *a, const char *body, size_t len, struct wi_ui_resp *r)
{
  autojson json_t *j = wi_ui_api_body(body, len, r);
  if (j == NULL)
    return;
  struct vextra x = { .user = json_string_value(json_object_get(j, "user")),
                      .wls_password = json_is_true(json_object_get(j, "wlsPassword")),
                      .support_password = json_is_true(json_object_get(j, "supportPassword")) };
  json_t *actions = json_object_get(j, "actions");
  wi_err err = { 0 };
  char *out = NULL;
  if (!json_is_array(actions)) {
    if (validate(a, json_string_value(json_object_get(j, "action")), &x, &out, NULL, &err) < 0)
      return wi_ui_api_reply_error(r, 400, &err);
    return reply(r, 200, CT_JSON, out);
  }
  autojson json_t *o = json_object();
  size_t i;
  json_t *e;
  json_array_foreach (actions, i, e) {
    const char *action = json_string_value(e);
    if (action == NULL || validate(a, action, &x, &out, NULL, &err) < 0) {
      if (action == NULL)
        wi_err_set(&err, WI_EINVAL, "actions[%zu]: expected a string", i);
      return wi_ui_api_reply_error(r, 400, &err);
    }
    json_object_set_new(o, action, json_loads(out, 0, NULL));
    free(out);
  }
  reply_json(r, 200, o);
}

/* ---- jobs ---- */

static void
post_job(struct wi_ui_api *a, const char *body, size_t len, struct wi_ui_resp *r)
{
  struct wi_ui_tasks_req req;
  wi_err err = { 0 };
  if (wi_ui_tasks_parse(&req, body ? body : "", len, &err) < 0)
    return wi_ui_api_reply_error(r, 400, &err);
  const char *action = wi_ui_tasks_action(&req);
  wi_autofree char *findings = NULL;
  size_t n_errors = 0;
  struct vextra x = { .user = req.user,
                      .wls_password = req.wls_password != NULL,
                      .support_password = req.support_password != NULL };
  if (validate(a, action, &x, &findings, &n_errors, &err) < 0) {
    wi_ui_tasks_req_dispose(&req);
    return wi_ui_api_reply_error(r, 400, &err);
  }
  if (n_errors > 0) {
    wi_ui_tasks_req_dispose(&req);
    autojson json_t *o = json_object();
    json_object_set_new(o, "validation", json_loads(findings, 0, NULL));
    return reply_json(r, 422, o);
  }
  char id[WI_UI_JOB_ID_MAX], running[WI_UI_JOB_ID_MAX];
  char *running_type = NULL;
  pthread_mutex_lock(&a->mu);
  /* the job's first step: the project is saved, as every action does */
  int ret = save_locked(a, &a->project, &err);
  if (ret == 0) {
    a->project_exists = true;
    ret = wi_ui_tasks_start(a->jobs, &a->env, &a->project, &req, id, running, &running_type, &err);
  }
  pthread_mutex_unlock(&a->mu);
  wi_ui_tasks_req_dispose(&req);
  autojson json_t *o = json_object();
  if (ret == WI_EEXISTS) {
    json_t *run = json_object();
    json_object_set_new(run, "id", json_string(running));
    json_object_set_new(run, "type", wi_json_str(running_type ? running_type : ""));
    json_object_set_new(o, "running", run);
    return reply_json(r, 409, o);
  }
  if (ret < 0)
    return wi_ui_api_reply_error(r, 0, &err);
  json_object_set_new(o, "id", json_string(id));
  reply_json(r, 202, o);
}

static void
job_action(struct wi_ui_api *a, const char *method, const char *id, const char *what,
           const char *body, size_t len, struct wi_ui_resp *r)
{
  struct wi_ui_job *j = wi_ui_jobs_get(a->jobs, id);
  if (j == NULL)
    return reply_msg(r, 404, WI_ENOTFOUND, "no such job");
  bool get = strcmp(method, "GET") == 0;
  bool post = strcmp(method, "POST") == 0;
  if (get && what == NULL) {
    reply(r, 200, CT_JSON, wi_ui_jobs_describe(j));
  } else if (get && strcmp(what, "log") == 0) {
    reply(r, 200, CT_TEXT, wi_ui_jobs_log_text(j));
  } else if (post && strcmp(what, "cancel") == 0) {
    autojson json_t *o = json_object();
    json_object_set_new(o, "cancelled", json_boolean(wi_ui_jobs_cancel(j)));
    reply_json(r, 202, o);
  } else if (post && strcmp(what, "answer") == 0) {
    autojson json_t *b = wi_ui_api_body(body, len, r);
    wi_err err = { 0 };
    if (b && wi_ui_jobs_answer(j, json_string_value(json_object_get(b, "prompt")),
                               json_string_value(json_object_get(b, "value")), &err) < 0)
      wi_ui_api_reply_error(r, 409, &err);
    else if (b)
      reply(r, 200, CT_JSON, wi_xstrdup("{\"ok\":true}"));
  } else {
    reply_msg(r, 405, WI_EINVAL, "method not allowed");
  }
  wi_ui_jobs_put(j);
}

static void
route_jobs(struct wi_ui_api *a, const char *method, const char *rest, const char *body, size_t len,
           struct wi_ui_resp *r)
{
  if (*rest == '\0') {
    if (strcmp(method, "POST") == 0)
      return post_job(a, body, len, r);
    if (strcmp(method, "GET") == 0)
      return reply(r, 200, CT_JSON, wi_ui_jobs_list(a->jobs));
    return reply_msg(r, 405, WI_EINVAL, "method not allowed");
  }
  if (*rest != '/')
    return reply_msg(r, 404, WI_ENOTFOUND, "not found");
  rest++;
  const char *slash = strchr(rest, '/');
  wi_autofree char *id = slash ? wi_xstrndup(rest, (size_t)(slash - rest)) : wi_xstrdup(rest);
  job_action(a, method, id, slash ? slash + 1 : NULL, body, len, r);
}

/* ---- store and render ---- */

static json_t *
image_json(struct wi_store *s, const char *name, const struct wi_descriptor *d)
{
  json_t *o = json_object();
  struct wi_image_info info = { .created = -1 };
  wi_err err = { 0 };
  json_object_set_new(o, "name", name ? wi_json_str(name) : json_null());
  json_object_set_new(o, "digest", wi_json_str(d->digest));
  json_object_set_new(o, "mediaType", wi_json_str(d->media_type ? d->media_type : ""));
  if (wi_store_image_info(s, d, &info, &err) == 0) {
    json_object_set_new(o, "config", json_string(info.config_digest));
    json_object_set_new(o, "size", json_integer((json_int_t)info.size));
    json_object_set_new(o, "created", info.created >= 0 ? json_integer(info.created) : json_null());
  }
  return o;
}

static void
get_images(struct wi_ui_api *a, const char *ref, struct wi_ui_resp *r)
{
  wi_autoptr(wi_store) struct wi_store *s = NULL;
  wi_err err = { 0 };
  int ret = a->store_root ? wi_store_open(&s, a->store_root, true, &err)
                          : wi_store_open_default(&s, true, &err);
  if (ret < 0)
    return wi_ui_api_reply_error(r, 500, &err);
  if (ref && ref[0]) {
    struct wi_descriptor d = { 0 };
    wi_autofree char *name = NULL;
    if (wi_store_lookup(s, ref, &d, &name, &err) < 0)
      return wi_ui_api_reply_error(r, 0, &err);
    autojson json_t *o = image_json(s, name, &d);
    wi_manifest_descriptor_dispose(&d);
    return reply_json(r, 200, o);
  }
  struct wi_store_entry *e = NULL;
  size_t n = 0;
  if (wi_store_list(s, &e, &n, &err) < 0)
    return wi_ui_api_reply_error(r, 500, &err);
  autojson json_t *arr = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(arr, image_json(s, e[i].name, &e[i].desc));
  wi_store_entries_free(e, n);
  reply_json(r, 200, arr);
}

static void
get_render(struct wi_ui_api *a, const char *kind, wi_ui_arg_fn arg, void *ctx, struct wi_ui_resp *r)
{
  const char *reveal = arg ? arg(ctx, "reveal") : NULL;
  struct wi_ui_render_in in = { .project_file = a->project_file,
                                .creds = a->creds,
                                .reveal = reveal && strcmp(reveal, "1") == 0,
                                .secret_name = arg ? arg(ctx, "name") : NULL,
                                .ns = arg ? arg(ctx, "namespace") : NULL };
  struct wi_ui_project p;
  wi_err err = { 0 };
  char *out = NULL;
  wi_ui_api_snapshot(a, &p);
  int ret = wi_ui_render(&p, kind, &in, &out, &err);
  wi_ui_project_dispose(&p);
  if (ret < 0)
    return wi_ui_api_reply_error(r, ret == WI_ENOTFOUND ? 404 : 400, &err);
  reply(r, 200, CT_TEXT, out);
}

void
wi_ui_api_handle(struct wi_ui_api *a, const char *method, const char *path, wi_ui_arg_fn arg,
                 void *arg_ctx, const char *body, size_t len, struct wi_ui_resp *r)
{
  bool get = strcmp(method, "GET") == 0;
  memset(r, 0, sizeof *r);
  if (strcmp(path, "/api/info") == 0 && get)
    get_info(a, r);
  else if (strcmp(path, "/api/project") == 0 && get)
    get_project(a, r);
  else if (strcmp(path, "/api/project") == 0 && strcmp(method, "PUT") == 0)
    put_project(a, body, len, r);
  else if (strcmp(path, "/api/validate") == 0 && strcmp(method, "POST") == 0)
    post_validate(a, body, len, r);
  else if (wi_str_has_prefix(path, "/api/jobs"))
    route_jobs(a, method, path + strlen("/api/jobs"), body, len, r);
  else if (strcmp(path, "/api/store/images") == 0 && get)
    get_images(a, NULL, r);
  else if (wi_str_has_prefix(path, "/api/store/images/") && get)
    get_images(a, path + strlen("/api/store/images/"), r);
  else if (wi_str_has_prefix(path, "/api/render/") && get)
    get_render(a, path + strlen("/api/render/"), arg, arg_ctx, r);
  else if (!wi_ui_api_logins_route(a, method, path, arg, arg_ctx, body, len, r) &&
           !wi_ui_api_pages_route(a, method, path, arg, arg_ctx, body, len, r))
    reply_msg(r, 404, WI_ENOTFOUND, "no such API endpoint");
}
