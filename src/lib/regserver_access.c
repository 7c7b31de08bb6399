/* Registry access control for requests: who is calling (Basic credentials, or a bearer token this
 * registry issued), what the caller may do, the 401/403 answers with their challenges, and the
 * token endpoint (/token, GET and the OAuth2 POST form) with its failed-login throttling.
 *
 * Challenges name every scope the request needs, the way distribution does: a blob mount asks for
 * repository:<name>:pull,push and repository:<from>:pull, so a client that follows the challenge
 * comes back with a token that allows the mount.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/buf.h"
#include "lib/regserver_int.h"

/* Host header fit for the realm: host or [v6] with an optional port, nothing that could leave the
 * quoted challenge parameter. */
static bool
host_valid(const char *h)
{
  size_t n = strlen(h);
  if (n == 0 || n > 255)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
          (h[i] >= '0' && h[i] <= '9') || strchr(".-:[]", h[i])))
      return false;
  return true;
}

/* The token endpoint's URL: --public-url when given, else built from the Host the client used. */
static void
realm(struct wi_rs_req *r, char *out, size_t outlen)
{
  if (r->srv->public_url) {
    snprintf(out, outlen, "%s/token", r->srv->public_url);
    return;
  }
  const char *host = r->ops->header(r, "Host");
  snprintf(out, outlen, "%s://%s/token", r->srv->tls ? "https" : "http",
           host && host_valid(host) ? host : r->srv->listen);
}

void
wi_regserver_access_challenge(struct wi_rs_req *r, const struct wi_rs_scope *scopes, size_t n,
                              const char *error)
{
  char rl[600];
  struct wi_buf b = WI_BUF_INIT(8192);
  wi_err e2 = { 0 };

  realm(r, rl, sizeof rl);
  wi_buf_addf(&b, &e2, "Bearer realm=\"%s\",service=\"%s\"", rl, WI_RS_SERVICE);
  for (size_t i = 0; i < n; i++) {
    char acts[64];
    if (strcmp(scopes[i].type, "registry") == 0)
      snprintf(acts, sizeof acts, "*");
    else
      wi_regserver_routes_actions_format(scopes[i].actions, acts, sizeof acts);
    wi_buf_addf(&b, &e2, "%s%s:%s:%s", i ? " " : ",scope=\"", scopes[i].type, scopes[i].name, acts);
  }
  if (n)
    wi_buf_adds(&b, "\"", &e2);
  if (error)
    wi_buf_addf(&b, &e2, ",error=\"%s\"", error);
  wi_regserver_routes_resp_header(r, "WWW-Authenticate", "%s", b.data ? b.data : "Bearer");
  wi_buf_dispose(&b);
  wi_regserver_routes_resp_error(r, 401, "UNAUTHORIZED", "authentication required");
}

static void
challenge_one(struct wi_rs_req *r, const char *type, const char *name, unsigned actions,
              const char *error)
{
  struct wi_rs_scope sc[1];
  memset(sc, 0, sizeof sc);
  snprintf(sc[0].type, sizeof sc[0].type, "%s", type);
  snprintf(sc[0].name, sizeof sc[0].name, "%s", name);
  sc[0].actions = actions;
  wi_regserver_access_challenge(r, sc, 1, error);
}

/* Split "Basic base64(user:pass)". */
static int
basic_credentials(const char *hdr, char **user, char **pass)
{
  size_t len = 0;
  unsigned char *raw = NULL;

  if (strncasecmp(hdr, "Basic ", 6) != 0)
    return -1;
  raw = wi_base64_decode(hdr + 6, &len);
  if (raw == NULL)
    return -1;
  char *s = wi_xstrndup((const char *)raw, len);
  bool nul = strlen(s) != len;
  explicit_bzero(raw, len);
  free(raw);
  char *colon = strchr(s, ':');
  if (nul || colon == NULL || colon == s) {
    wi_alloc_secret_free(s);
    return -1;
  }
  *user = wi_xstrndup(s, (size_t)(colon - s));
  *pass = wi_xstrdup(colon + 1);
  wi_alloc_secret_free(s);
  return 0;
}

static void
too_many(struct wi_rs_req *r, const char *user, unsigned wait)
{
  char msg[128];
  wi_regserver_routes_log(WI_LOG_DEBUG, "login throttled for user %s from %s (retry in %u s)", user,
                          r->peer, wait);
  snprintf(msg, sizeof msg, "too many failed logins; retry in %u seconds", wait);
  wi_regserver_routes_resp_header(r, "Retry-After", "%u", wait);
  wi_regserver_routes_resp_error(r, 429, "TOOMANYREQUESTS", msg);
}

/* Check user's password unless throttled. 1 = good; 0 = bad or throttled (response set by
 * on_bad, or the 429). */
static int
login(struct wi_rs_req *r, const char *user, const char *pass)
{
  wi_err err = { 0 };
  unsigned wait = wi_regserver_auth_throttle_wait(r->srv->auth, user, r->peer);

  if (wait) {
    too_many(r, user, wait);
    return 0;
  }
  if (wi_regserver_auth_check_password(r->srv->auth, user, pass, &err) < 0) {
    unsigned n = wi_regserver_auth_throttle_fail(r->srv->auth, user, r->peer);
    wi_regserver_routes_log(WI_LOG_WARN, "failed login for user %s from %s (%u in a row)", user,
                            r->peer, n);
    return 0;
  }
  wi_regserver_auth_throttle_ok(r->srv->auth, user);
  return 1;
}

bool
wi_regserver_access_identify(struct wi_rs_req *r, struct wi_rs_identity *id)
{
  const char *h = r->ops->header(r, "Authorization");
  wi_err err = { 0 };

  memset(id, 0, sizeof *id);
  id->anonymous = true;
  if (h == NULL || *h == '\0')
    return true;
  id->anonymous = false;
  if (strncasecmp(h, "Bearer ", 7) == 0) {
    if (wi_regserver_auth_verify(r->srv->auth, h + 7, &id->claims, &err) < 0) {
      wi_regserver_access_challenge(r, NULL, 0, "invalid_token");
      return false;
    }
    id->bearer = true;
    id->user = id->claims.sub[0] ? id->claims.sub : NULL;
  } else {
    char *user = NULL, *pass = NULL;
    int ok = basic_credentials(h, &user, &pass) == 0 && login(r, user, pass) == 1;
    if (pass)
      wi_alloc_secret_free(pass);
    if (!ok) {
      free(user);
      if (!r->done)
        wi_regserver_access_challenge(r, NULL, 0, NULL);
      return false;
    }
    snprintf(id->claims.sub, sizeof id->claims.sub, "%s", user);
    free(user);
    id->user = id->claims.sub;
  }
  snprintf(r->user, sizeof r->user, "%s", id->user ? id->user : "");
  return true;
}

unsigned
wi_regserver_access_granted(struct wi_rs_req *r, const struct wi_rs_identity *id, const char *type,
                            const char *name)
{
  if (r->srv->auth_mode == WI_REGSERVER_AUTH_NONE)
    return WI_RS_PULL | WI_RS_PUSH | WI_RS_DELETE | WI_RS_CATALOG;
  if (id->bearer)
    return wi_regserver_auth_claims_actions(&id->claims, type, name) &
           wi_regserver_auth_allowed(r->srv->auth, id->user, type, name);
  return wi_regserver_auth_allowed(r->srv->auth, id->user, type, name);
}

bool
wi_regserver_access_authorize(struct wi_rs_req *r, const struct wi_rs_identity *id,
                              const char *type, const char *name, unsigned need,
                              const char *also_pull)
{
  struct wi_rs_scope sc[2];
  size_t n = 1;

  if (r->srv->auth_mode == WI_REGSERVER_AUTH_NONE)
    return true;
  if ((wi_regserver_access_granted(r, id, type, name) & need) == need)
    return true;
  memset(sc, 0, sizeof sc);
  snprintf(sc[0].type, sizeof sc[0].type, "%s", type);
  snprintf(sc[0].name, sizeof sc[0].name, "%s", name);
  sc[0].actions = need & WI_RS_PUSH ? need | WI_RS_PULL : need;
  if (also_pull) { /* a mount: the token must cover its source as well */
    snprintf(sc[1].type, sizeof sc[1].type, "repository");
    snprintf(sc[1].name, sizeof sc[1].name, "%s", also_pull);
    sc[1].actions = WI_RS_PULL;
    n = 2;
  }
  if (id->anonymous || id->user == NULL) { /* no credentials, or an anonymous token */
    wi_regserver_access_challenge(r, sc, n, id->anonymous ? NULL : "insufficient_scope");
    return false;
  }
  unsigned could = wi_regserver_auth_allowed(r->srv->auth, id->user, type, name);
  if (id->bearer && (could & need) == need) {
    wi_regserver_access_challenge(r, sc, n, "insufficient_scope");
    return false;
  }
  wi_regserver_routes_resp_error(r, 403, "DENIED", "requested access to the resource is denied");
  return false;
}

bool
wi_regserver_access_mount_scope(struct wi_rs_req *r, const struct wi_rs_identity *id,
                                const char *name, const char *from)
{
  struct wi_rs_scope sc[2];

  if (r->srv->auth_mode == WI_REGSERVER_AUTH_NONE ||
      (wi_regserver_access_granted(r, id, "repository", from) & WI_RS_PULL))
    return true;
  /* A token without the source's pull, held by someone who may pull it: ask for a wider token.
   * Anyone else gets a plain upload session, which leaks nothing about the source. */
  if (id->bearer && id->user &&
      (wi_regserver_auth_allowed(r->srv->auth, id->user, "repository", from) & WI_RS_PULL)) {
    memset(sc, 0, sizeof sc);
    snprintf(sc[0].type, sizeof sc[0].type, "repository");
    snprintf(sc[0].name, sizeof sc[0].name, "%s", name);
    sc[0].actions = WI_RS_PULL | WI_RS_PUSH;
    snprintf(sc[1].type, sizeof sc[1].type, "repository");
    snprintf(sc[1].name, sizeof sc[1].name, "%s", from);
    sc[1].actions = WI_RS_PULL;
    wi_regserver_access_challenge(r, sc, 2, "insufficient_scope");
  }
  return false;
}

void
wi_regserver_access_base(struct wi_rs_req *r, const struct wi_rs_identity *id)
{
  if (r->srv->auth_mode == WI_REGSERVER_AUTH_TOKEN && id->anonymous)
    return wi_regserver_access_challenge(r, NULL, 0, NULL);
  wi_regserver_routes_resp_body(r, 200, "application/json", "{}");
}

bool
wi_regserver_access_catalog(struct wi_rs_req *r, const struct wi_rs_identity *id)
{
  if (r->srv->auth_mode == WI_REGSERVER_AUTH_TOKEN && id->bearer &&
      !(wi_regserver_auth_claims_actions(&id->claims, "registry", "catalog") & WI_RS_CATALOG)) {
    challenge_one(r, "registry", "catalog", 0, "insufficient_scope");
    return false;
  }
  return true;
}

/* ---- the token endpoint ---- */

/* Scopes requested in a token query/form: each value may hold several, space-separated. */
static size_t
collect_scopes(const char *const *vals, size_t nvals, struct wi_rs_scope *out, size_t max)
{
  size_t n = 0;
  for (size_t i = 0; i < nvals; i++) {
    const char *p = vals[i];
    while (*p && n < max) {
      while (*p == ' ')
        p++;
      size_t len = strcspn(p, " ");
      if (len && wi_regserver_routes_scope_parse(p, len, &out[n]) == 0)
        n++;
      p += len;
    }
  }
  return n;
}

static void
issue_token(struct wi_rs_req *r, const char *user, const struct wi_rs_scope *scopes, size_t n)
{
  wi_err err = { 0 };
  wi_buf_reset(&r->resp.body);
  if (wi_regserver_auth_issue(r->srv->auth, user, scopes, n, &r->resp.body, &err) < 0) {
    wi_regserver_routes_log(WI_LOG_ERROR, "token: %s", err.msg);
    return wi_regserver_routes_resp_error(r, 500, "UNKNOWN",
                                          "internal error (see the registry log)");
  }
  wi_regserver_routes_resp_header(r, "Content-Type", "application/json");
  wi_regserver_routes_resp_header(r, "Cache-Control", "no-store");
  wi_regserver_routes_resp_status(r, 200);
}

static void
token_unauthorized(struct wi_rs_req *r)
{
  if (r->done) /* throttled: the 429 is set */
    return;
  wi_regserver_routes_resp_header(r, "WWW-Authenticate", "Basic realm=\"%s\"", WI_RS_SERVICE);
  wi_regserver_routes_resp_error(r, 401, "UNAUTHORIZED", "invalid username or auth token");
}

void
wi_regserver_access_token_get(struct wi_rs_req *r)
{
  const char *h = r->ops->header(r, "Authorization");
  struct wi_rs_scope scopes[WI_RS_MAX_GRANTS];
  const char *vals[WI_RS_MAX_GRANTS];
  char *user = NULL, *pass = NULL;

  if (h && *h) {
    bool ok = basic_credentials(h, &user, &pass) == 0 && login(r, user, pass) == 1;
    if (pass)
      wi_alloc_secret_free(pass);
    if (!ok) {
      free(user);
      return token_unauthorized(r);
    }
  }
  size_t nv = r->ops->query_all(r, "scope", vals, WI_ARRAY_SIZE(vals));
  if (nv > WI_ARRAY_SIZE(vals))
    nv = WI_ARRAY_SIZE(vals);
  size_t n = collect_scopes(vals, nv, scopes, WI_ARRAY_SIZE(scopes));
  snprintf(r->user, sizeof r->user, "%s", user ? user : "");
  issue_token(r, user, scopes, n);
  free(user);
}

void
wi_regserver_access_token_post(struct wi_rs_req *r)
{
  const char *form = r->body.data ? r->body.data : "";
  char grant[32], user[256], scope[2048];
  char *pass = wi_xmalloc(1024);
  struct wi_rs_scope scopes[WI_RS_MAX_GRANTS];

  if (r->body_too_big ||
      wi_regserver_routes_form_get(form, "grant_type", grant, sizeof grant) < 0 ||
      strcmp(grant, "password") != 0) {
    wi_alloc_secret_free(pass);
    return wi_regserver_routes_resp_body(r, 400, "application/json",
                                         "{\"error\":\"unsupported_grant_type\"}");
  }
  if (wi_regserver_routes_form_get(form, "username", user, sizeof user) < 0 ||
      wi_regserver_routes_form_get(form, "password", pass, 1024) < 0 || login(r, user, pass) != 1) {
    wi_alloc_secret_free(pass);
    return token_unauthorized(r);
  }
  wi_alloc_secret_free(pass);
  const char *vals[1] = { scope };
  size_t n = 0;
  if (wi_regserver_routes_form_get(form, "scope", scope, sizeof scope) == 0)
    n = collect_scopes(vals, 1, scopes, WI_ARRAY_SIZE(scopes));
  snprintf(r->user, sizeof r->user, "%s", user);
  issue_token(r, user, scopes, n);
}
