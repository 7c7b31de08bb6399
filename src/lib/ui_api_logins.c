/* wlsimg ui: /api/credentials, /api/registries, /api/embedded and /api/import — registry logins,
 * the embedded registry's users and tokens, and Import WKT UI project… */
#include <jansson.h>
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/alloc.h"
#include "lib/creds.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/ref.h"
#include "lib/regclient.h"
#include "lib/regserver.h"
#include "lib/store.h"
#include "lib/str.h"
#include "lib/ui_api_int.h"
#include "lib/ui_wktproj.h"
#include "lib/util.h"

#define autojson __attribute__((cleanup(json_decrefp)))

/* The digest no blob has: a mount of it opens an upload session, which needs push rights. */
#define PROBE_DIGEST "sha256:0000000000000000000000000000000000000000000000000000000000000000"

static char *
tag_host(const char *tag)
{
  struct wi_ref ref = { 0 };
  wi_err err = { 0 };
  if (tag == NULL || tag[0] == '\0' || wi_ref_parse(&ref, tag, &err) < 0)
    return NULL;
  char *h = wi_xstrdup(ref.domain);
  wi_ref_dispose(&ref);
  return h;
}

/* A registry host as the user typed it, normalised ("https://h:5000/" → "h:5000"); NULL with err
 * when it is not hostname[:port]. */
static char *
check_host(const char *arg, wi_err *err)
{
  wi_autofree char *host = wi_creds_registry_host(arg);
  wi_autofree char *probe = wi_xasprintf("%s/x/y", host);
  struct wi_ref r = { 0 };
  if (host[0] == '\0' || wi_ref_parse(&r, probe, err) < 0 || strcmp(r.domain, host) != 0) {
    wi_ref_dispose(&r);
    wi_err_set(err, WI_EINVAL, "Registry Host: \"%s\" is not a hostname[:port]", arg);
    return NULL;
  }
  wi_ref_dispose(&r);
  return wi_steal(&host);
}

/* ---- the logins of the Registries page ---- */

/* One row: the login's state, with the table's name, e-mail and last test (row: the project's
 * registries[] entry as JSON, or NULL). */
static void
add_row(json_t *seen, json_t *arr, struct wi_ui_creds *c, const char *host, json_t *row)
{
  if (host == NULL || host[0] == '\0' || json_object_get(seen, host))
    return;
  json_object_set_new(seen, host, json_true());
  wi_autofree char *d = wi_ui_creds_describe(c, host);
  json_t *o = json_loads(d, 0, NULL);
  json_t *user = json_object_get(row, "user");
  const char *name = json_string_value(json_object_get(row, "name"));
  const char *email = json_string_value(json_object_get(row, "email"));
  json_object_set_new(o, "name", wi_json_str(name ? name : ""));
  json_object_set_new(o, "email", wi_json_str(email ? email : ""));
  if (json_string_length(user) && json_is_null(json_object_get(o, "user")))
    json_object_set(o, "user", user);
  json_t *t = json_object_get(row, "lastTest");
  json_object_set(o, "lastTest", t ? t : json_null());
  json_array_append_new(arr, o);
}

/* Every login the pages care about: the table's rows, the project's image hosts, the session's. */
static void
list_logins(struct wi_ui_api *a, const char *only, struct wi_ui_resp *r)
{
  autojson json_t *arr = json_array();
  autojson json_t *seen = json_object();
  struct wi_ui_project p;
  wi_ui_api_snapshot(a, &p);
  wi_autofree char *pj = wi_ui_project_to_json(&p);
  autojson json_t *proj = json_loads(pj, 0, NULL);
  size_t i;
  json_t *row;
  json_array_foreach (json_object_get(proj, "registries"), i, row) {
    const char *host = json_string_value(json_object_get(row, "host"));
    if (only == NULL || strcmp(only, host) == 0)
      add_row(seen, arr, a->creds, host, row);
  }
  if (only) {
    add_row(seen, arr, a->creds, only, NULL);
  } else {
    wi_autofree char *aux = tag_host(p.aux_tag);
    wi_autofree char *primary = tag_host(p.primary_tag);
    wi_autofree char *base = p.base_custom ? tag_host(p.base_ref) : NULL;
    add_row(seen, arr, a->creds, aux, NULL);
    add_row(seen, arr, a->creds, p.aux_login.host, NULL);
    add_row(seen, arr, a->creds, primary, NULL);
    add_row(seen, arr, a->creds, base, NULL);
    size_t n = 0;
    char **hosts = wi_ui_creds_session_hosts(a->creds, &n);
    for (size_t k = 0; k < n; k++) {
      add_row(seen, arr, a->creds, hosts[k], NULL);
      free(hosts[k]);
    }
    free(hosts);
  }
  wi_ui_project_dispose(&p);
  wi_ui_api_reply_json(r, 200, arr);
}

/* Log in to host (GET /v2/ with the token flow). With repo, also ask for push rights on it (an
 * upload session opened and cancelled) and HEAD tag there. */
static int
login_check(struct wi_ui_api *a, const char *host, const char *user, const char *pass,
            const char *tag, json_t *o, wi_err *err)
{
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  struct wi_regclient_opts ro = { .tls_skip_verify = !a->tls_verify,
                                  .username = user,
                                  .password = pass,
                                  .authfile = wi_ui_creds_authfile(a->creds),
                                  .retries = -1 };
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
  bool mounted = false;
  ret = wi_regclient_blob_mount(rc, ref.path, PROBE_DIGEST, ref.path, &mounted, err);
  json_object_set_new(o, "repository", wi_json_str(ref.path));
  json_object_set_new(o, "push", json_boolean(ret == 0));
  if (ret < 0) {
    wi_ref_dispose(&ref);
    return ret;
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
  /* the local image of that tag: a different digest in the registry means a re-push */
  wi_autoptr(wi_store) struct wi_store *s = NULL;
  struct wi_descriptor d = { 0 };
  int sret = a->store_root ? wi_store_open(&s, a->store_root, false, &terr)
                           : wi_store_open_default(&s, false, &terr);
  if (sret == 0 && wi_store_lookup(s, tag, &d, NULL, &terr) == 0) {
    json_object_set_new(t, "local", json_string(d.digest));
    if (ret == 0 && strcmp(d.digest, digest) != 0) {
      wi_autofree char *w = wi_xasprintf(
          "%s already exists with digest %s. Pods using it with IfNotPresent will keep the old "
          "image.",
          tag, digest);
      json_object_set_new(t, "warning", wi_json_str(w));
    }
    wi_manifest_descriptor_dispose(&d);
  }
  json_object_set_new(o, "tag", t);
  wi_ref_dispose(&ref);
  return 0;
}

struct row_args {
  const char *name, *host, *user, *email;
  bool test;
  bool ok;
  const char *message;
};

static int
put_row(struct wi_ui_project *p, void *payload)
{
  struct row_args *ra = payload;
  wi_err err = { 0 };
  struct wi_ui_registry *row = wi_ui_project_registry(p, ra->host);
  if (ra->test && row == NULL)
    return 0;
  if (!ra->test && wi_ui_project_registry_put(p, ra->name, ra->host, ra->user, ra->email, &err) < 0)
    return err.code;
  if (ra->test) {
    row->test_time = (int64_t)time(NULL);
    row->test_ok = ra->ok;
    free(row->test_message);
    row->test_message = wi_xstrdup(ra->message);
  }
  return 0;
}

static void
post_credentials(struct wi_ui_api *a, const char *body, size_t len, struct wi_ui_resp *r)
{
  struct wi_ui_creds_body b;
  wi_err err = { 0 };
  if (wi_ui_creds_parse_body(&b, body ? body : "", len, &err) < 0)
    return wi_ui_api_reply_error(r, 400, &err);
  wi_autofree char *host = check_host(b.host, &err);
  autojson json_t *o = json_object();
  int ret = host ? 0 : err.code;
  if (ret == 0 && b.verify && login_check(a, host, b.user, b.password, NULL, o, &err) < 0) {
    wi_ui_api_reply_registry(r, &err, host, b.user, NULL);
    wi_ui_creds_body_dispose(&b);
    return;
  }
  if (ret == 0)
    ret = wi_ui_creds_save(a->creds, host, b.user, b.password, b.session, NULL, &err);
  struct row_args ra = { .name = b.name, .host = host, .user = b.user, .email = b.email };
  if (ret == 0)
    ret = wi_ui_api_update(a, put_row, &ra, &err);
  wi_ui_creds_body_dispose(&b);
  if (ret < 0)
    return wi_ui_api_reply_error(r, ret == WI_EINVAL ? 400 : 500, &err);
  wi_autofree char *d = wi_ui_creds_describe(a->creds, host);
  wi_ui_api_reply(r, 201, WI_UI_API_CT_JSON, wi_steal(&d));
}

/* POST /api/credentials/{host}/test, body {} or {"user", "password"} (typed, not saved). */
static void
test_credentials(struct wi_ui_api *a, const char *host, const char *body, size_t len,
                 struct wi_ui_resp *r)
{
  wi_autofree char *user = NULL;
  char *pass = NULL;
  wi_autofree char *where = NULL;
  wi_err err = { 0 };
  autojson json_t *b = len ? wi_ui_api_body(body, len, r) : json_object();
  if (b == NULL)
    return;
  const char *tu = json_string_value(json_object_get(b, "user"));
  const char *tp = json_string_value(json_object_get(b, "password"));
  struct wi_ui_project p;
  wi_ui_api_snapshot(a, &p);
  wi_autofree char *tag = wi_xstrdup(p.aux_tag);
  wi_ui_project_dispose(&p);
  int ret = 0;
  if (tp && tp[0] && tu && tu[0]) {
    user = wi_xstrdup(tu);
    pass = wi_xstrdup(tp);
    where = wi_xstrdup("typed, not saved");
  } else {
    ret = wi_ui_creds_resolve(a->creds, host, tu && tu[0] ? tu : NULL, &user, &pass, &where, &err);
  }
  /* the body held a password: wipe it now that it is copied */
  if (tp)
    explicit_bzero((char *)(uintptr_t)tp, strlen(tp));
  if (ret < 0)
    return wi_ui_api_reply_error(r, 0, &err);
  autojson json_t *o = json_object();
  ret = login_check(a, host, user, pass, tag, o, &err);
  wi_alloc_secret_free(pass);
  struct row_args ra = { .host = host, .test = true, .ok = ret == 0 };
  wi_autofree char *msg = NULL;
  if (ret < 0) {
    ra.message = err.msg;
    wi_err uerr = { 0 };
    wi_ui_api_update(a, put_row, &ra, &uerr);
    return wi_ui_api_reply_registry(r, &err, host, user, tag);
  }
  const char *repo = json_string_value(json_object_get(o, "repository"));
  msg = repo ? wi_xasprintf("Logged in to %s as %s; push to %s allowed", host, user, repo)
             : wi_xasprintf("Logged in to %s as %s", host, user);
  ra.message = msg;
  wi_err uerr = { 0 };
  wi_ui_api_update(a, put_row, &ra, &uerr);
  json_object_set_new(o, "ok", json_true());
  json_object_set_new(o, "host", wi_json_str(host));
  json_object_set_new(o, "user", wi_json_str(user));
  json_object_set_new(o, "where", wi_json_str(where));
  json_object_set_new(o, "message", wi_json_str(msg));
  wi_ui_api_reply_json(r, 200, o);
}

static int
drop_row(struct wi_ui_project *p, void *payload)
{
  wi_ui_project_registry_remove(p, payload);
  return 0;
}

static void
route_credentials(struct wi_ui_api *a, const char *method, const char *rest, wi_ui_arg_fn arg,
                  void *ctx, const char *body, size_t len, struct wi_ui_resp *r)
{
  if (*rest == '\0') {
    if (strcmp(method, "GET") == 0)
      return list_logins(a, arg ? arg(ctx, "host") : NULL, r);
    if (strcmp(method, "POST") == 0)
      return post_credentials(a, body, len, r);
    return wi_ui_api_reply_msg(r, 405, WI_EINVAL, "method not allowed");
  }
  if (*rest != '/' || rest[1] == '\0')
    return wi_ui_api_reply_msg(r, 404, WI_ENOTFOUND, "not found");
  wi_autofree char *host = wi_xstrdup(rest + 1);
  char *test = strstr(host, "/test");
  if (test && test[5] == '\0' && strcmp(method, "POST") == 0) {
    *test = '\0';
    return test_credentials(a, host, body, len, r);
  }
  if (strcmp(method, "DELETE") == 0 && strchr(host, '/') == NULL) {
    wi_err err = { 0 };
    if (wi_ui_creds_forget(a->creds, host, &err) < 0)
      return wi_ui_api_reply_error(r, 0, &err);
    return wi_ui_api_reply(r, 200, WI_UI_API_CT_JSON, wi_xstrdup("{\"ok\":true}"));
  }
  wi_ui_api_reply_msg(r, 405, WI_EINVAL, "method not allowed");
}

/* DELETE /api/registries/{host}: the row goes, and the login with it. */
static void
delete_registry(struct wi_ui_api *a, const char *host, struct wi_ui_resp *r)
{
  wi_err err = { 0 };
  int ret = wi_ui_creds_forget(a->creds, host, &err);
  if (ret < 0 && ret != WI_ENOTFOUND)
    return wi_ui_api_reply_error(r, 0, &err);
  if (wi_ui_api_update(a, drop_row, (void *)(uintptr_t)host, &err) < 0)
    return wi_ui_api_reply_error(r, 500, &err);
  wi_ui_api_reply(r, 200, WI_UI_API_CT_JSON, wi_xstrdup("{\"ok\":true}"));
}

/* ---- the embedded registry ---- */

struct embedded {
  char *url, *root;
};

static void
embedded_of(struct wi_ui_api *a, struct embedded *e)
{
  pthread_mutex_lock(&a->mu);
  e->url = wi_xstrdup(a->project.registry_url);
  e->root = a->project.registry_root[0] ? wi_xstrdup(a->project.registry_root)
                                        : wi_util_data_path("registry");
  pthread_mutex_unlock(&a->mu);
}

static void
embedded_dispose(struct embedded *e)
{
  free(e->url);
  free(e->root);
}

/* {url, root, reachable, error?, users: [..], tokens: [{user, id, created}]} */
static void
get_embedded(struct wi_ui_api *a, struct wi_ui_resp *r)
{
  __attribute__((cleanup(embedded_dispose))) struct embedded e = { 0 };
  embedded_of(a, &e);
  autojson json_t *o = json_object();
  json_object_set_new(o, "url", wi_json_str(e.url));
  json_object_set_new(o, "root", wi_json_str(e.root));
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  struct wi_regclient_opts ro = { .tls_skip_verify = !a->tls_verify,
                                  .authfile = wi_ui_creds_authfile(a->creds),
                                  .retries = -1 };
  wi_err err = { 0 };
  int ret = wi_regclient_new(&rc, e.url, &ro, &err);
  if (ret == 0)
    ret = wi_regclient_ping(rc, &err);
  /* an answer that asks for a login is an answer: the registry is there */
  bool reachable = ret == 0 || ret == WI_EAUTH;
  json_object_set_new(o, "reachable", json_boolean(reachable));
  if (!reachable)
    json_object_set_new(o, "error", wi_json_str(err.msg));
  json_t *users = json_array();
  json_t *tokens = json_array();
  char **u = NULL;
  size_t n = 0;
  if (wi_regserver_auth_user_list(e.root, &u, &n, &err) == 0) {
    for (size_t i = 0; i < n; i++) {
      json_array_append_new(users, wi_json_str(u[i]));
      free(u[i]);
    }
    free(u);
  }
  struct wi_regserver_token_info *t = NULL;
  if (wi_regserver_auth_token_list(e.root, NULL, &t, &n, &err) == 0) {
    for (size_t i = 0; i < n; i++) {
      json_t *to = json_object();
      json_object_set_new(to, "user", wi_json_str(t[i].user));
      json_object_set_new(to, "id", wi_json_str(t[i].id));
      json_object_set_new(to, "created", wi_json_str(t[i].created));
      json_array_append_new(tokens, to);
    }
    free(t);
  }
  json_object_set_new(o, "users", users);
  json_object_set_new(o, "tokens", tokens);
  wi_ui_api_reply_json(r, 200, o);
}

/* The request body of the embedded registry's POSTs, which all name a "user"; NULL with the
 * answer made. */
static json_t *
user_body(const char *body, size_t len, const char **user, struct wi_ui_resp *r)
{
  json_t *b = wi_ui_api_body(body, len, r);
  *user = json_string_value(json_object_get(b, "user"));
  if (b && *user == NULL) {
    wi_ui_api_reply_msg(r, 400, WI_EINVAL, "user: required, as <namespace>/<user>");
    json_decref(b);
    return NULL;
  }
  return b;
}

static void
post_user(struct wi_ui_api *a, const char *body, size_t len, struct wi_ui_resp *r)
{
  __attribute__((cleanup(embedded_dispose))) struct embedded e = { 0 };
  const char *user = NULL;
  autojson json_t *b = user_body(body, len, &user, r);
  if (b == NULL)
    return;
  wi_err err = { 0 };
  embedded_of(a, &e);
  if (wi_regserver_auth_user_add(e.root, user, &err) < 0)
    return wi_ui_api_reply_error(r, 0, &err);
  autojson json_t *o = json_pack("{s:s}", "user", user);
  wi_ui_api_reply_json(r, 201, o);
}

/* {"user", "save"?: bool, "where"?} → {user, id, token, saved}: the token is shown this once. */
static void
post_token(struct wi_ui_api *a, const char *body, size_t len, struct wi_ui_resp *r)
{
  __attribute__((cleanup(embedded_dispose))) struct embedded e = { 0 };
  const char *user = NULL;
  autojson json_t *b = user_body(body, len, &user, r);
  if (b == NULL)
    return;
  const char *where = json_string_value(json_object_get(b, "where"));
  bool save = json_is_true(json_object_get(b, "save"));
  wi_err err = { 0 };
  char *token = NULL;
  char id[17] = "";
  embedded_of(a, &e);
  if (wi_regserver_auth_token_create(e.root, user, &token, id, &err) < 0)
    return wi_ui_api_reply_error(r, 0, &err);
  wi_autofree char *place = NULL;
  int ret = 0;
  if (save) {
    wi_autofree char *host = wi_creds_registry_host(e.url);
    struct row_args ra = { .host = host, .user = user, .name = "embedded" };
    ret = wi_ui_creds_save(a->creds, host, user, token, where && strcmp(where, "session") == 0,
                           &place, &err);
    if (ret == 0)
      ret = wi_ui_api_update(a, put_row, &ra, &err);
  }
  autojson json_t *o = json_object();
  json_object_set_new(o, "user", wi_json_str(user));
  json_object_set_new(o, "id", json_string(id));
  json_object_set_new(o, "token", wi_json_str(token));
  json_object_set_new(o, "saved", ret == 0 && save ? wi_json_str(place) : json_null());
  if (ret < 0)
    json_object_set_new(o, "error", wi_json_str(err.msg));
  wi_alloc_secret_free(token);
  wi_ui_api_reply_json(r, 201, o);
}

static void
route_embedded(struct wi_ui_api *a, const char *method, const char *rest, const char *body,
               size_t len, struct wi_ui_resp *r)
{
  bool post = strcmp(method, "POST") == 0;
  if (*rest == '\0' && strcmp(method, "GET") == 0)
    return get_embedded(a, r);
  if (strcmp(rest, "/users") == 0 && post)
    return post_user(a, body, len, r);
  if (strcmp(rest, "/tokens") == 0 && post)
    return post_token(a, body, len, r);
  if (wi_str_has_prefix(rest, "/users/") && strcmp(method, "DELETE") == 0) {
    __attribute__((cleanup(embedded_dispose))) struct embedded e = { 0 };
    wi_err err = { 0 };
    embedded_of(a, &e);
    if (wi_regserver_auth_user_delete(e.root, rest + strlen("/users/"), &err) < 0)
      return wi_ui_api_reply_error(r, 0, &err);
    return wi_ui_api_reply(r, 200, WI_UI_API_CT_JSON, wi_xstrdup("{\"ok\":true}"));
  }
  wi_ui_api_reply_msg(r, 404, WI_ENOTFOUND, "no such API endpoint");
}

/* ---- Import WKT UI project… ---- */

struct import_args {
  const char *text;
  size_t len;
  const char *dir, *passphrase, *project_file;
  struct wi_ui_wktproj *w;
  wi_err *err;
};

static int
import_into(struct wi_ui_project *p, void *payload)
{
  struct import_args *ia = payload;
  return wi_ui_wktproj_import(p, ia->project_file, ia->text, ia->len, ia->dir, ia->passphrase,
                              ia->w, ia->err);
}

static bool
chosen(json_t *names, const char *name)
{
  size_t i;
  json_t *e;
  json_array_foreach (names, i, e) {
    if (json_is_string(e) && strcmp(json_string_value(e), name) == 0)
      return true;
  }
  return false;
}

/* Save the chosen logins; the answer lists what happened to each. */
static json_t *
save_logins(struct wi_ui_api *a, struct wi_ui_wktproj *w, json_t *names, bool session)
{
  json_t *arr = json_array();
  for (size_t i = 0; i < w->n_logins; i++) {
    struct wi_ui_wktproj_login *l = &w->logins[i];
    json_t *o = json_object();
    json_object_set_new(o, "name", wi_json_str(l->name));
    json_object_set_new(o, "host", wi_json_str(l->host));
    json_object_set_new(o, "user", wi_json_str(l->user));
    json_object_set_new(o, "email", wi_json_str(l->email));
    json_object_set_new(o, "hasPassword", json_boolean(l->password != NULL));
    wi_err err = { 0 };
    wi_autofree char *place = NULL;
    if (names && chosen(names, l->name) && l->password) {
      struct row_args ra = { .name = l->name, .host = l->host, .user = l->user, .email = l->email };
      if (wi_ui_creds_save(a->creds, l->host, l->user, l->password, session, &place, &err) == 0 &&
          wi_ui_api_update(a, put_row, &ra, &err) == 0)
        json_object_set_new(o, "saved", wi_json_str(place));
      else
        json_object_set_new(o, "error", wi_json_str(err.msg));
    }
    json_array_append_new(arr, o);
  }
  return arr;
}

/* {"path", "passphrase"?, "apply"?: bool, "logins"?: [names], "where"?} → {applied, notes,
 * logins: [{name, host, user, email, hasPassword, saved?}], project?}. Without apply nothing is
 * changed (a preview). Passwords never come back. */
static void
post_import(struct wi_ui_api *a, const char *body, size_t len, struct wi_ui_resp *r)
{
  autojson json_t *b = wi_ui_api_body(body, len, r);
  if (b == NULL)
    return;
  const char *path = json_string_value(json_object_get(b, "path"));
  const char *pass = json_string_value(json_object_get(b, "passphrase"));
  const char *where = json_string_value(json_object_get(b, "where"));
  bool apply = json_is_true(json_object_get(b, "apply"));
  wi_err err = { 0 };
  wi_autofree char *text = NULL;
  size_t tlen = 0;
  if (path == NULL)
    return wi_ui_api_reply_msg(r, 400, WI_EINVAL, "path: required (the .wktproj file)");
  if (wi_fs_read_file(path, WI_UI_WKTPROJ_MAX_BYTES, &text, &tlen, &err) < 0)
    return wi_ui_api_reply_error(r, 0, &err);
  wi_autofree char *copy = wi_xstrdup(path);
  struct wi_ui_wktproj w = { 0 };
  struct import_args ia = { .text = text,
                            .len = tlen,
                            .dir = dirname(copy),
                            .passphrase = pass,
                            .project_file = a->project_file,
                            .w = &w,
                            .err = &err };
  int ret;
  struct wi_ui_project p;
  if (apply) {
    ret = wi_ui_api_update(a, import_into, &ia, &err);
  } else {
    wi_ui_api_snapshot(a, &p);
    ret = import_into(&p, &ia);
  }
  if (pass) /* the parsed copy of the passphrase; the server wipes the body itself */
    explicit_bzero((char *)(uintptr_t)pass, strlen(pass));
  autojson json_t *o = json_object();
  if (ret < 0) {
    if (!apply)
      wi_ui_project_dispose(&p);
    json_object_set_new(o, "needsPassphrase", json_boolean(ret == WI_EAUTH));
    json_object_set_new(o, "error",
                        json_pack("{s:s,s:s}", "code", wi_err_name(err.code), "message", err.msg));
    return wi_ui_api_reply_json(r, ret == WI_EAUTH ? 401 : ret == WI_ENOTFOUND ? 404 : 400, o);
  }
  json_t *notes = json_array();
  for (size_t i = 0; i < w.n_notes; i++)
    json_array_append_new(notes, wi_json_str(w.notes[i]));
  json_object_set_new(o, "applied", json_boolean(apply));
  json_object_set_new(o, "notes", notes);
  json_object_set_new(o, "logins",
                      save_logins(a, &w, apply ? json_object_get(b, "logins") : NULL,
                                  where && strcmp(where, "session") == 0));
  if (!apply) {
    wi_autofree char *pj = wi_ui_project_to_json(&p);
    json_object_set_new(o, "project", json_loads(pj, 0, NULL));
    wi_ui_project_dispose(&p);
  }
  wi_ui_wktproj_dispose(&w);
  wi_ui_api_reply_json(r, 200, o);
}

bool
wi_ui_api_logins_route(struct wi_ui_api *a, const char *method, const char *path, wi_ui_arg_fn arg,
                       void *ctx, const char *body, size_t len, struct wi_ui_resp *r)
{
  if (wi_str_has_prefix(path, "/api/credentials"))
    route_credentials(a, method, path + strlen("/api/credentials"), arg, ctx, body, len, r);
  else if (strcmp(path, "/api/registries") == 0 && strcmp(method, "GET") == 0)
    list_logins(a, NULL, r);
  else if (wi_str_has_prefix(path, "/api/registries/") && strcmp(method, "DELETE") == 0)
    delete_registry(a, path + strlen("/api/registries/"), r);
  else if (wi_str_has_prefix(path, "/api/embedded"))
    route_embedded(a, method, path + strlen("/api/embedded"), body, len, r);
  else if (strcmp(path, "/api/import/wktproj") == 0 && strcmp(method, "POST") == 0)
    post_import(a, body, len, r);
  else
    return false;
  return true;
}
