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
#include "lib/ui_creds.h"
#include "lib/ui_project.h"
#include "lib/ui_render.h"
#include "lib/ui_tasks.h"
#include "lib/ui_validate.h"
#include "lib/util.h"
#include "lib/witcache.h"

#define autojson __attribute__((cleanup(json_decrefp)))

#define CT_JSON "application/json"
#define CT_TEXT "text/plain; charset=utf-8"

struct wi_ui_api {
  char *project_file;
  char *store_root;
  int tls_verify;
  pthread_mutex_t mu; /* project, project_exists */
  struct wi_ui_project project;
  bool project_exists;
  struct wi_ui_creds *creds;
  struct wi_ui_jobs *jobs;
  struct wi_ui_tasks_env env;
};

static void
record(const char *kind, const char *ref, const char *digest, const char *host, void *payload)
{
  struct wi_ui_api *a = payload;
  wi_err err = { 0 };
  pthread_mutex_lock(&a->mu);
  wi_ui_project_add_history(&a->project, kind, ref, digest, host, (int64_t)time(NULL));
  if (wi_ui_project_save(&a->project, a->project_file, &err) < 0)
    wi_log(WI_LOG_WARN, "history not saved: %s", err.msg);
  else
    a->project_exists = true;
  pthread_mutex_unlock(&a->mu);
}

int
wi_ui_api_new(struct wi_ui_api **out, const struct wi_ui_api_opts *o, wi_err *err)
{
  struct wi_ui_api *a = wi_xcalloc(1, sizeof *a);
  a->project_file = wi_xstrdup(o->project_file);
  a->store_root = o->store_root ? wi_xstrdup(o->store_root) : NULL;
  a->tls_verify = o->tls_verify;
  pthread_mutex_init(&a->mu, NULL);
  int ret = wi_ui_project_load(&a->project, a->project_file, &a->project_exists, err);
  if (ret < 0) {
    wi_ui_project_dispose(&a->project);
    pthread_mutex_destroy(&a->mu);
    free(a->project_file);
    free(a->store_root);
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

static void
reply(struct wi_ui_resp *r, int status, const char *ctype, char *body)
{
  r->status = status;
  r->ctype = ctype;
  r->body = body;
  r->len = strlen(body);
}

static void
reply_json(struct wi_ui_resp *r, int status, json_t *o)
{
  reply(r, status, CT_JSON, json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER));
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

static void
reply_error(struct wi_ui_resp *r, int status, const wi_err *err)
{
  autojson json_t *o = json_object();
  json_t *e = json_object();
  json_object_set_new(e, "code", json_string(wi_err_name(err->code)));
  json_object_set_new(e, "message", wi_json_str(err->msg));
  json_object_set_new(o, "error", e);
  reply_json(r, status ? status : status_for(err->code), o);
}

static void
reply_msg(struct wi_ui_resp *r, int status, int code, const char *msg)
{
  wi_err err = { 0 };
  wi_err_set(&err, code, "%s", msg);
  reply_error(r, status, &err);
}

/* Parse a JSON object body (NULL on failure, the answer already made). */
static json_t *
body_object(const char *body, size_t len, struct wi_ui_resp *r)
{
  json_error_t jerr;
  if (len > WI_UI_API_MAX_BODY) {
    reply_msg(r, 413, WI_ETOOBIG, "request body too large");
    return NULL;
  }
  json_t *j = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
  if (!json_is_object(j)) {
    wi_err err = { 0 };
    wi_err_set(&err, WI_EINVAL, "request body: %s", j ? "expected a JSON object" : jerr.text);
    json_decref(j);
    reply_error(r, 400, &err);
    return NULL;
  }
  return j;
}

/* ---- project ---- */

static void
get_info(struct wi_ui_api *a, struct wi_ui_resp *r)
{
  autojson json_t *o = json_object();
  wi_autofree char *store = a->store_root ? wi_xstrdup(a->store_root) : wi_store_default_root();
  wi_autofree char *cache = wi_witcache_default_dir();
  pthread_mutex_lock(&a->mu);
  json_object_set_new(o, "projectFile", wi_json_str(a->project_file));
  json_object_set_new(o, "projectExists", json_boolean(a->project_exists));
  pthread_mutex_unlock(&a->mu);
  json_object_set_new(o, "store", wi_json_str(store));
  json_object_set_new(o, "cache", wi_json_str(cache));
  const char *af = wi_ui_creds_authfile(a->creds);
  json_object_set_new(o, "authfile", af ? wi_json_str(af) : json_null());
  json_t *types = json_array();
  static const char *const t[] = { "createAuxImage", "pushAuxImage", "createAndPush",
                                   "pullSecret" };
  for (size_t i = 0; i < WI_ARRAY_SIZE(t); i++)
    json_array_append_new(types, json_string(t[i]));
  json_object_set_new(o, "jobTypes", types);
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
  if (ret == 0)
    ret = wi_ui_project_save(&p, a->project_file, &err);
  if (ret < 0) {
    pthread_mutex_unlock(&a->mu);
    wi_ui_project_dispose(&p);
    reply_error(r, ret == WI_EIO ? 500 : 400, &err);
    return;
  }
  wi_ui_project_dispose(&a->project);
  a->project = p;
  a->project_exists = true;
  reply(r, 200, CT_JSON, wi_ui_project_to_json(&a->project));
  pthread_mutex_unlock(&a->mu);
}

static int
validate(struct wi_ui_api *a, const char *action, const char *user, char **json_out,
         size_t *n_errors, wi_err *err)
{
  struct wi_ui_validate_in in = { .action = action,
                                  .project_file = a->project_file,
                                  .push_user = user };
  pthread_mutex_lock(&a->mu);
  int ret = wi_ui_validate_run(&a->project, &in, json_out, n_errors, err);
  pthread_mutex_unlock(&a->mu);
  return ret;
}

static void
post_validate(struct wi_ui_api *a, const char *body, size_t len, struct wi_ui_resp *r)
{
  autojson json_t *j = body_object(body, len, r);
  if (j == NULL)
    return;
  const char *action = json_string_value(json_object_get(j, "action"));
  const char *user = json_string_value(json_object_get(j, "user"));
  wi_err err = { 0 };
  char *out = NULL;
  if (validate(a, action, user, &out, NULL, &err) < 0)
    return reply_error(r, 400, &err);
  reply(r, 200, CT_JSON, out);
}

/* ---- jobs ---- */

static void
post_job(struct wi_ui_api *a, const char *body, size_t len, struct wi_ui_resp *r)
{
  struct wi_ui_tasks_req req;
  wi_err err = { 0 };
  if (wi_ui_tasks_parse(&req, body ? body : "", len, &err) < 0)
    return reply_error(r, 400, &err);
  const char *action = wi_ui_tasks_action(req.type);
  wi_autofree char *findings = NULL;
  size_t n_errors = 0;
  if (validate(a, action, req.user, &findings, &n_errors, &err) < 0) {
    wi_ui_tasks_req_dispose(&req);
    return reply_error(r, 400, &err);
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
  int ret = wi_ui_project_save(&a->project, a->project_file, &err);
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
    return reply_error(r, 0, &err);
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
    autojson json_t *b = body_object(body, len, r);
    wi_err err = { 0 };
    if (b && wi_ui_jobs_answer(j, json_string_value(json_object_get(b, "prompt")),
                               json_string_value(json_object_get(b, "value")), &err) < 0)
      reply_error(r, 409, &err);
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

/* ---- credentials ---- */

static char *
tag_host(const char *tag)
{
  struct wi_ref ref = { 0 };
  wi_err err = { 0 };
  if (tag[0] == '\0' || wi_ref_parse(&ref, tag, &err) < 0)
    return NULL;
  char *h = wi_xstrdup(ref.domain);
  wi_ref_dispose(&ref);
  return h;
}

static void
add_host(json_t *seen, json_t *arr, struct wi_ui_creds *c, const char *host)
{
  if (host == NULL || host[0] == '\0' || json_object_get(seen, host))
    return;
  json_object_set_new(seen, host, json_true());
  wi_autofree char *d = wi_ui_creds_describe(c, host);
  json_array_append_new(arr, json_loads(d, 0, NULL));
}

static void
get_credentials(struct wi_ui_api *a, wi_ui_arg_fn arg, void *ctx, struct wi_ui_resp *r)
{
  autojson json_t *arr = json_array();
  autojson json_t *seen = json_object();
  const char *only = arg ? arg(ctx, "host") : NULL;
  if (only) {
    add_host(seen, arr, a->creds, only);
    return reply_json(r, 200, arr);
  }
  pthread_mutex_lock(&a->mu);
  wi_autofree char *aux = tag_host(a->project.aux_tag);
  wi_autofree char *login = wi_xstrdup(a->project.aux_login.host);
  wi_autofree char *base = a->project.base_custom ? tag_host(a->project.base_ref) : NULL;
  pthread_mutex_unlock(&a->mu);
  add_host(seen, arr, a->creds, aux);
  add_host(seen, arr, a->creds, login);
  add_host(seen, arr, a->creds, base);
  size_t n = 0;
  char **hosts = wi_ui_creds_session_hosts(a->creds, &n);
  for (size_t i = 0; i < n; i++) {
    add_host(seen, arr, a->creds, hosts[i]);
    free(hosts[i]);
  }
  free(hosts);
  reply_json(r, 200, arr);
}

/* Log in to host (GET /v2/ with the token flow); with tag, also HEAD the tag. */
static int
login_check(struct wi_ui_api *a, const char *host, const char *user, const char *pass,
            const char *tag, json_t *o, wi_err *err)
{
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  struct wi_regclient_opts ro = { .tls_skip_verify = !a->tls_verify,
                                  .username = user,
                                  .password = pass,
                                  .authfile = wi_ui_creds_authfile(a->creds) };
  int ret = wi_regclient_new(&rc, host, &ro, err);
  if (ret == 0)
    ret = wi_regclient_ping(rc, err);
  if (ret < 0)
    return ret;
  struct wi_ref ref = { 0 };
  wi_err terr = { 0 };
  if (tag == NULL || wi_ref_parse(&ref, tag, &terr) < 0 || strcmp(ref.domain, host) != 0) {
    wi_ref_dispose(&ref);
    return 0;
  }
  char digest[WI_DIGEST_MAX] = "";
  ret = wi_regclient_head_manifest(rc, ref.path, ref.tag ? ref.tag : ref.digest, digest, NULL, NULL,
                                   &terr);
  json_t *t = json_object();
  json_object_set_new(t, "ref", wi_json_str(tag));
  json_object_set_new(t, "exists", json_boolean(ret == 0));
  json_object_set_new(t, "digest", ret == 0 ? json_string(digest) : json_null());
  if (ret < 0 && ret != WI_ENOTFOUND)
    json_object_set_new(t, "error", wi_json_str(terr.msg));
  json_object_set_new(o, "tag", t);
  wi_ref_dispose(&ref);
  return 0;
}

static void
reply_registry_error(struct wi_ui_resp *r, const wi_err *err, const char *host, const char *user,
                     const char *tag)
{
  wi_autofree char *e = wi_ui_validate_registry_error(err, host, user, tag);
  autojson json_t *o = json_object();
  json_t *ej = json_loads(e, 0, NULL);
  json_object_set_new(ej, "code_name", json_string(wi_err_name(err->code)));
  json_object_set_new(o, "error", ej);
  reply_json(r, err->code == WI_EAUTH ? 401 : err->code == WI_EDENIED ? 403 : 502, o);
}

static void
post_credentials(struct wi_ui_api *a, const char *body, size_t len, struct wi_ui_resp *r)
{
  struct wi_ui_creds_body b;
  wi_err err = { 0 };
  if (wi_ui_creds_parse_body(&b, body ? body : "", len, &err) < 0)
    return reply_error(r, 400, &err);
  wi_autofree char *host = wi_creds_registry_host(b.host);
  autojson json_t *o = json_object();
  pthread_mutex_lock(&a->mu);
  wi_autofree char *tag = wi_xstrdup(a->project.aux_tag);
  pthread_mutex_unlock(&a->mu);
  if (b.verify && login_check(a, host, b.user, b.password, NULL, o, &err) < 0) {
    reply_registry_error(r, &err, host, b.user, tag);
    wi_ui_creds_body_dispose(&b);
    return;
  }
  int ret = wi_ui_creds_save(a->creds, host, b.user, b.password, b.session, NULL, &err);
  wi_ui_creds_body_dispose(&b);
  if (ret < 0)
    return reply_error(r, 500, &err);
  wi_autofree char *d = wi_ui_creds_describe(a->creds, host);
  reply(r, 201, CT_JSON, wi_steal(&d));
}

static void
test_credentials(struct wi_ui_api *a, const char *host, struct wi_ui_resp *r)
{
  wi_autofree char *user = NULL;
  char *pass = NULL;
  wi_autofree char *where = NULL;
  wi_err err = { 0 };
  pthread_mutex_lock(&a->mu);
  wi_autofree char *tag = wi_xstrdup(a->project.aux_tag);
  pthread_mutex_unlock(&a->mu);
  int ret = wi_ui_creds_resolve(a->creds, host, NULL, &user, &pass, &where, &err);
  if (ret < 0)
    return reply_error(r, 0, &err);
  autojson json_t *o = json_object();
  ret = login_check(a, host, user, pass, tag, o, &err);
  wi_alloc_secret_free(pass);
  if (ret < 0)
    return reply_registry_error(r, &err, host, user, tag);
  wi_autofree char *msg = wi_xasprintf("Logged in to %s as %s", host, user);
  json_object_set_new(o, "ok", json_true());
  json_object_set_new(o, "host", wi_json_str(host));
  json_object_set_new(o, "user", wi_json_str(user));
  json_object_set_new(o, "where", wi_json_str(where));
  json_object_set_new(o, "message", wi_json_str(msg));
  reply_json(r, 200, o);
}

static void
route_credentials(struct wi_ui_api *a, const char *method, const char *rest, wi_ui_arg_fn arg,
                  void *ctx, const char *body, size_t len, struct wi_ui_resp *r)
{
  if (*rest == '\0') {
    if (strcmp(method, "GET") == 0)
      return get_credentials(a, arg, ctx, r);
    if (strcmp(method, "POST") == 0)
      return post_credentials(a, body, len, r);
    return reply_msg(r, 405, WI_EINVAL, "method not allowed");
  }
  if (*rest != '/' || rest[1] == '\0')
    return reply_msg(r, 404, WI_ENOTFOUND, "not found");
  wi_autofree char *host = wi_xstrdup(rest + 1);
  char *test = strstr(host, "/test");
  if (test && test[5] == '\0' && strcmp(method, "POST") == 0) {
    *test = '\0';
    return test_credentials(a, host, r);
  }
  if (strcmp(method, "DELETE") == 0 && strchr(host, '/') == NULL) {
    wi_err err = { 0 };
    if (wi_ui_creds_forget(a->creds, host, &err) < 0)
      return reply_error(r, 0, &err);
    return reply(r, 200, CT_JSON, wi_xstrdup("{\"ok\":true}"));
  }
  reply_msg(r, 405, WI_EINVAL, "method not allowed");
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
    return reply_error(r, 500, &err);
  if (ref && ref[0]) {
    struct wi_descriptor d = { 0 };
    wi_autofree char *name = NULL;
    if (wi_store_lookup(s, ref, &d, &name, &err) < 0)
      return reply_error(r, 0, &err);
    autojson json_t *o = image_json(s, name, &d);
    wi_manifest_descriptor_dispose(&d);
    return reply_json(r, 200, o);
  }
  struct wi_store_entry *e = NULL;
  size_t n = 0;
  if (wi_store_list(s, &e, &n, &err) < 0)
    return reply_error(r, 500, &err);
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
  pthread_mutex_lock(&a->mu);
  wi_ui_project_copy(&p, &a->project);
  pthread_mutex_unlock(&a->mu);
  int ret = wi_ui_render(&p, kind, &in, &out, &err);
  wi_ui_project_dispose(&p);
  if (ret < 0)
    return reply_error(r, ret == WI_ENOTFOUND ? 404 : 400, &err);
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
  else if (wi_str_has_prefix(path, "/api/credentials"))
    route_credentials(a, method, path + strlen("/api/credentials"), arg, arg_ctx, body, len, r);
  else if (strcmp(path, "/api/store/images") == 0 && get)
    get_images(a, NULL, r);
  else if (wi_str_has_prefix(path, "/api/store/images/") && get)
    get_images(a, path + strlen("/api/store/images/"), r);
  else if (wi_str_has_prefix(path, "/api/render/") && get)
    get_render(a, path + strlen("/api/render/"), arg, arg_ctx, r);
  else
    reply_msg(r, 404, WI_ENOTFOUND, "no such API endpoint");
}
