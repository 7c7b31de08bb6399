/* wlsimg ui: registry logins kept for the session or in the login file. */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/creds.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/str.h"
#include "lib/ui_creds.h"
#include "lib/util.h"

#define autojson __attribute__((cleanup(json_decrefp)))

struct slogin {
  char *host, *user, *password;
};

struct wi_ui_creds {
  pthread_mutex_t mu;
  char *authfile;
  struct slogin *v;
  size_t n;
};

struct wi_ui_creds *
wi_ui_creds_new(const char *authfile)
{
  struct wi_ui_creds *c = wi_xcalloc(1, sizeof *c);
  pthread_mutex_init(&c->mu, NULL);
  c->authfile = authfile ? wi_xstrdup(authfile) : NULL;
  return c;
}

static void
slogin_dispose(struct slogin *l)
{
  free(l->host);
  free(l->user);
  if (l->password) {
    munlock(l->password, strlen(l->password) + 1);
    wi_alloc_secret_free(l->password);
  }
}

void
wi_ui_creds_free(struct wi_ui_creds *c)
{
  if (c == NULL)
    return;
  for (size_t i = 0; i < c->n; i++)
    slogin_dispose(&c->v[i]);
  free(c->v);
  free(c->authfile);
  pthread_mutex_destroy(&c->mu);
  free(c);
}

const char *
wi_ui_creds_authfile(const struct wi_ui_creds *c)
{
  return c->authfile;
}

static int
body_str(json_t *j, const char *key, bool required, char **out, wi_err *err)
{
  json_t *v = json_object_get(j, key);
  if (v == NULL || json_is_null(v)) {
    if (required)
      return wi_err_set(err, WI_EINVAL, "%s: required", key);
    return 0;
  }
  if (!json_is_string(v))
    return wi_err_set(err, WI_EINVAL, "%s: expected a string, got %s", key, wi_json_type_name(v));
  *out = wi_xstrdup(json_string_value(v));
  return 0;
}

int
wi_ui_creds_parse_body(struct wi_ui_creds_body *out, const char *text, size_t len, wi_err *err)
{
  static const char *const known[] = { "host",  "user", "password", "email",
                                       "where", "name", "verify" };
  json_error_t jerr;
  const char *key;
  json_t *v;
  memset(out, 0, sizeof *out);
  out->verify = true;
  if (len > WI_UI_CREDS_MAX_BODY)
    return wi_err_set(err, WI_ETOOBIG, "request body: more than %d bytes", WI_UI_CREDS_MAX_BODY);
  autojson json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!json_is_object(j))
    return wi_err_set(err, WI_EINVAL, "request body: %s", j ? "expected an object" : jerr.text);
  json_object_foreach (j, key, v) {
    bool ok = false;
    for (size_t i = 0; i < WI_ARRAY_SIZE(known); i++)
      ok = ok || strcmp(key, known[i]) == 0;
    if (!ok)
      return wi_err_set(err, WI_EINVAL, "%s: unknown field", key);
  }
  wi_autofree char *where = NULL;
  json_t *verify = json_object_get(j, "verify");
  if (verify && !json_is_boolean(verify))
    return wi_err_set(err, WI_EINVAL, "verify: expected a boolean");
  out->verify = verify == NULL || json_is_true(verify);
  int ret = 0;
  if (body_str(j, "host", true, &out->host, err) < 0 ||
      body_str(j, "user", true, &out->user, err) < 0 ||
      body_str(j, "password", true, &out->password, err) < 0 ||
      body_str(j, "email", false, &out->email, err) < 0 ||
      body_str(j, "name", false, &out->name, err) < 0 ||
      body_str(j, "where", false, &where, err) < 0)
    ret = err->code;
  else if (where && strcmp(where, "session") != 0 && strcmp(where, "loginFile") != 0)
    ret = wi_err_set(err, WI_EINVAL, "where: expected \"loginFile\" or \"session\"");
  else if (out->host[0] == '\0' || out->user[0] == '\0' || out->password[0] == '\0')
    ret = wi_err_set(err, WI_EINVAL, "host, user and password must not be empty");
  if (ret < 0) {
    wi_ui_creds_body_dispose(out);
    return ret;
  }
  out->session = where && strcmp(where, "session") == 0;
  return 0;
}

void
wi_ui_creds_body_dispose(struct wi_ui_creds_body *b)
{
  free(b->host);
  free(b->user);
  if (b->password)
    wi_alloc_secret_free(b->password);
  free(b->email);
  free(b->name);
  memset(b, 0, sizeof *b);
}

/* Index of host's session login or -1; with c->mu held. */
static int
find_locked(struct wi_ui_creds *c, const char *host)
{
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->v[i].host, host) == 0)
      return (int)i;
  return -1;
}

int
wi_ui_creds_save(struct wi_ui_creds *c, const char *host, const char *user, const char *password,
                 bool session, char **where_out, wi_err *err)
{
  if (!session) {
    struct wi_cred cr = { .username = (char *)(uintptr_t)user,
                          .password = (char *)(uintptr_t)password };
    return wi_creds_store(host, &cr, c->authfile, where_out, err);
  }
  pthread_mutex_lock(&c->mu);
  int i = find_locked(c, host);
  if (i >= 0) {
    slogin_dispose(&c->v[i]);
  } else {
    c->v = wi_xreallocarray(c->v, c->n + 1, sizeof *c->v);
    i = (int)c->n++;
  }
  c->v[i].host = wi_xstrdup(host);
  c->v[i].user = wi_xstrdup(user);
  c->v[i].password = wi_xstrdup(password);
  /* keep it out of swap where the limits allow; it is wiped on free either way */
  (void)mlock(c->v[i].password, strlen(password) + 1);
  pthread_mutex_unlock(&c->mu);
  if (where_out)
    *where_out = wi_xstrdup("session");
  return 0;
}

int
wi_ui_creds_forget(struct wi_ui_creds *c, const char *host, wi_err *err)
{
  pthread_mutex_lock(&c->mu);
  int i = find_locked(c, host);
  if (i >= 0) {
    slogin_dispose(&c->v[i]);
    memmove(&c->v[i], &c->v[i + 1], (c->n - (size_t)i - 1) * sizeof c->v[0]);
    c->n--;
  }
  pthread_mutex_unlock(&c->mu);
  wi_err ferr = { 0 };
  int ret = wi_creds_erase(host, c->authfile, &ferr);
  if (ret == WI_ENOTFOUND && i >= 0)
    return 0;
  if (ret < 0) {
    *err = ferr;
    return ret;
  }
  return 0;
}

int
wi_ui_creds_resolve(struct wi_ui_creds *c, const char *host, const char *want_user, char **user_out,
                    char **pass_out, char **where_out, wi_err *err)
{
  pthread_mutex_lock(&c->mu);
  int i = find_locked(c, host);
  if (i >= 0 && (want_user == NULL || strcmp(want_user, c->v[i].user) == 0)) {
    *user_out = wi_xstrdup(c->v[i].user);
    *pass_out = wi_xstrdup(c->v[i].password);
    pthread_mutex_unlock(&c->mu);
    if (where_out)
      *where_out = wi_xstrdup("session");
    return 0;
  }
  pthread_mutex_unlock(&c->mu);
  struct wi_cred cr = { 0 };
  int ret = wi_creds_lookup(host, NULL, c->authfile, &cr, err);
  if (ret < 0)
    return ret;
  if (cr.username == NULL || cr.password == NULL) {
    wi_creds_dispose(&cr);
    return wi_err_set(err, WI_EUNSUPPORTED, "the login for %s holds a token, not a user name",
                      host);
  }
  if (want_user && strcmp(want_user, cr.username) != 0) {
    ret = wi_err_set(err, WI_ENOTFOUND, "the stored login for %s is for %s, not %s", host,
                     cr.username, want_user);
    wi_creds_dispose(&cr);
    return ret;
  }
  *user_out = wi_steal(&cr.username);
  *pass_out = wi_steal(&cr.password);
  if (where_out)
    *where_out = wi_xstrdup(cr.source ? cr.source : "login file");
  wi_creds_dispose(&cr);
  return 0;
}

char *
wi_ui_creds_describe(struct wi_ui_creds *c, const char *host)
{
  wi_autofree char *user = NULL;
  char *pass = NULL;
  wi_autofree char *where = NULL;
  wi_err err = { 0 };
  int ret = wi_ui_creds_resolve(c, host, NULL, &user, &pass, &where, &err);
  if (pass)
    wi_alloc_secret_free(pass);
  autojson json_t *o = json_object();
  json_object_set_new(o, "host", wi_json_str(host));
  json_object_set_new(o, "user", ret == 0 ? wi_json_str(user) : json_null());
  json_object_set_new(o, "stored", json_boolean(ret == 0));
  json_object_set_new(o, "where", ret == 0 ? wi_json_str(where) : json_null());
  if (ret < 0 && ret != WI_ENOTFOUND)
    json_object_set_new(o, "error", wi_json_str(err.msg));
  return json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

char **
wi_ui_creds_session_hosts(struct wi_ui_creds *c, size_t *n_out)
{
  pthread_mutex_lock(&c->mu);
  char **v = wi_xcalloc(c->n + 1, sizeof *v);
  for (size_t i = 0; i < c->n; i++)
    v[i] = wi_xstrdup(c->v[i].host);
  *n_out = c->n;
  pthread_mutex_unlock(&c->mu);
  return v;
}
