/* wlsimg: OCI distribution client (see regclient.h).
 *
 * Every request goes through wi_regclient_do(), which adds authentication (Basic or a cached Bearer
 * token for the request's scope), retries transient failures with exponential backoff, and turns a
 * 401 into the token flow or a clear WI_EAUTH. HTTP handles come from a small pool so that parallel
 * layer transfers reuse connections.
 */
#include "lib/regclient_int.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/auth.h"
#include "lib/buf.h"
#include "lib/creds.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/ref.h"
#include "lib/str.h"
#include "lib/util.h"

#define DEFAULT_CHUNK   (64LL << 20)
#define DEFAULT_RETRIES 4

#define MAX_RETRY_AFTER_S 30
#define MAX_LIST_PAGES    10000
#define MAX_LIST_BYTES    (64 << 20) /* all pages of one tag or catalog list together */
#define MAX_LIST_ENTRIES  (1 << 20)
#define TOKEN_CLIENT_ID   "wlsimg"

/* ---- small helpers ---- */

static void load_creds(struct wi_regclient *rc, const char *repo);

void
wi_regclient_sleep(double s)
{
  struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

static char *
dup_opt(const char *s)
{
  return s ? wi_xstrdup(s) : NULL;
}

const char *
wi_regclient_host(const struct wi_regclient *rc)
{
  return rc->host;
}

static bool
dir_exists(const char *p)
{
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* certs.d: --cert-dir, else the first existing <dir>/<host> of the containers/docker locations. */
static char *
find_cert_dir(const char *host, const char *cert_dir)
{
  if (cert_dir)
    return wi_xstrdup(cert_dir);
  char *cands[3] = {
    wi_xasprintf("%s/.config/containers/certs.d/%s", wi_util_home_dir(), host),
    wi_xasprintf("/etc/containers/certs.d/%s", host),
    wi_xasprintf("/etc/docker/certs.d/%s", host),
  };
  char *found = NULL;
  for (size_t i = 0; i < WI_ARRAY_SIZE(cands); i++) {
    if (found == NULL && dir_exists(cands[i]))
      found = wi_steal(&cands[i]);
    free(cands[i]);
  }
  return found;
}

int
wi_regclient_new(struct wi_regclient **out, const char *host, const struct wi_regclient_opts *o,
                 wi_err *err)
{
  static const struct wi_regclient_opts defaults = { 0 };
  struct wi_regclient *rc;

  if (host == NULL || *host == '\0' || strpbrk(host, "/ \t\r\n?#@") != NULL)
    return wi_err_set(err, WI_EINVAL, "invalid registry host \"%.100s\"", host ? host : "");
  if (o == NULL)
    o = &defaults;
  rc = wi_xcalloc(1, sizeof *rc);
  rc->host = wi_xstrdup(host);
  if (strcmp(host, "docker.io") == 0 || strcmp(host, "index.docker.io") == 0)
    rc->api_host = wi_xstrdup("registry-1.docker.io");
  else
    rc->api_host = wi_xstrdup(host);
  rc->tls_skip_verify = o->tls_skip_verify;
  /* Loopback hosts: plain http first (no TLS set-up cost for the common local registry), https
   * when the server turns out to speak TLS. Others: https, and plain http only with
   * tls_skip_verify after https failed to connect. */
  bool loopback = wi_ref_host_is_loopback(rc->api_host);
  rc->base = wi_xasprintf("%s://%s", loopback ? "http" : "https", rc->api_host);
  rc->may_switch = loopback || rc->tls_skip_verify;
  rc->scheme_settled = !rc->may_switch;
  rc->retries = o->retries > 0 ? o->retries : o->retries < 0 ? 0 : DEFAULT_RETRIES;
  rc->chunk_size = o->chunk_size > 0 ? o->chunk_size : DEFAULT_CHUNK;
  rc->username = dup_opt(o->username);
  rc->password = dup_opt(o->password);
  rc->authfile = dup_opt(o->authfile);
  rc->registry_token = dup_opt(o->registry_token);
  rc->user_agent = dup_opt(o->user_agent);
  rc->cancel = o->cancel;
  rc->ca_dir = find_cert_dir(host, o->cert_dir);
  if (rc->registry_token)
    rc->kind = AUTH_BEARER;
  pthread_mutex_init(&rc->mu, NULL);
  pthread_mutex_init(&rc->tok_mu, NULL);
  *out = rc;
  return 0;
}

void
wi_regclient_free(struct wi_regclient *rc)
{
  if (rc == NULL)
    return;
  for (size_t i = 0; i < rc->n_pool; i++)
    wi_http_free(rc->pool[i]);
  free(rc->pool);
  for (size_t i = 0; i < rc->n_tokens; i++) {
    free(rc->tokens[i].scope);
    wi_alloc_secret_free(rc->tokens[i].token);
  }
  if (rc->creds_loaded && rc->have_cred)
    wi_creds_dispose(&rc->cred);
  wi_alloc_secret_free(rc->password);
  wi_alloc_secret_free(rc->registry_token);
  free(rc->username);
  free(rc->authfile);
  free(rc->user_agent);
  free(rc->ca_dir);
  free(rc->realm);
  free(rc->service);
  free(rc->host);
  free(rc->api_host);
  free(rc->base);
  pthread_mutex_destroy(&rc->mu);
  pthread_mutex_destroy(&rc->tok_mu);
  free(rc);
}

/* ---- HTTP handle pool ---- */

static struct wi_http *
pool_get(struct wi_regclient *rc, wi_err *err)
{
  struct wi_http *h = NULL;

  pthread_mutex_lock(&rc->mu);
  if (rc->n_pool > 0)
    h = rc->pool[--rc->n_pool];
  pthread_mutex_unlock(&rc->mu);
  if (h)
    return h;
  struct wi_http_opts ho = {
    .tls_skip_verify = rc->tls_skip_verify,
    .ca_dir = rc->ca_dir,
    .user_agent = rc->user_agent,
    .cancel = rc->cancel,
  };
  if (wi_http_new(&h, &ho, err) < 0)
    return NULL;
  return h;
}

static void
pool_put(struct wi_regclient *rc, struct wi_http *h)
{
  if (h == NULL)
    return;
  pthread_mutex_lock(&rc->mu);
  rc->pool = wi_xreallocarray(rc->pool, rc->n_pool + 1, sizeof *rc->pool);
  rc->pool[rc->n_pool++] = h;
  pthread_mutex_unlock(&rc->mu);
}

/* ---- errors ---- */

const char *
wi_regclient_shown(const char *s, char *out, size_t outlen)
{
  wi_str_escape_ctl(out, outlen, s, strlen(s));
  return out;
}

/* A string member of a registry's error object, escaped into out ("" when absent). Other JSON
 * values (a "detail" object) are shown as compact JSON, empty ones not at all. */
static void
error_field(json_t *v, char *out, size_t outlen)
{
  out[0] = '\0';
  if (json_is_string(v)) {
    wi_str_escape_ctl(out, outlen, json_string_value(v), json_string_length(v));
  } else if (v && !json_is_null(v) && !(json_is_object(v) && json_object_size(v) == 0) &&
             !(json_is_array(v) && json_array_size(v) == 0)) {
    wi_autofree char *dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (dump)
      wi_str_escape_ctl(out, outlen, dump, strlen(dump));
  }
}

/* "HTTP 404 MANIFEST_UNKNOWN: manifest unknown" from the registry's error body, or the start of
 * a non-JSON body. Everything the registry wrote is escaped: it ends up on a terminal. */
static void
describe_status(const struct wi_http_resp *resp, char *out, size_t outlen)
{
  const char *body = wi_buf_cstr(&resp->body);
  json_t *j = resp->body.len ? json_loadb(body, resp->body.len, 0, NULL) : NULL;
  json_t *errs = j ? json_object_get(j, "errors") : NULL;

  if (json_is_array(errs) && json_array_size(errs) > 0) {
    json_t *e0 = json_array_get(errs, 0);
    char code[64], msg[300], detail[200];
    error_field(json_object_get(e0, "code"), code, sizeof code);
    error_field(json_object_get(e0, "message"), msg, sizeof msg);
    error_field(json_object_get(e0, "detail"), detail, sizeof detail);
    snprintf(out, outlen, "HTTP %ld %s: %s%s%s%s", resp->status, code[0] ? code : "?", msg,
             detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
  } else if (resp->body.len > 0 && !j) {
    /* an HTML or text page: its line breaks become spaces, anything else is escaped */
    char flat[160], text[160];
    size_t n = resp->body.len < sizeof flat ? resp->body.len : sizeof flat;
    for (size_t i = 0; i < n; i++)
      flat[i] = body[i] == '\n' || body[i] == '\r' || body[i] == '\t' ? ' ' : body[i];
    while (n > 0 && flat[n - 1] == ' ')
      n--;
    wi_str_escape_ctl(text, sizeof text, flat, n);
    snprintf(out, outlen, "HTTP %ld: %s", resp->status, text);
  } else {
    snprintf(out, outlen, "HTTP %ld", resp->status);
  }
  json_decref(j);
}

static bool
body_has_code(const struct wi_http_resp *resp, const char *code)
{
  return resp->body.len && strstr(wi_buf_cstr(&resp->body), code) != NULL;
}

/* For a denied request of an OCIR-style login ("namespace/user", "namespace/idp/user"): when the
 * repository lies outside the login's namespace, say that this is the reason. "" otherwise. */
static void
namespace_hint(struct wi_regclient *rc, const char *repo, char *out, size_t outlen)
{
  out[0] = '\0';
  if (repo == NULL)
    return;
  load_creds(rc, repo);
  const char *user = rc->have_cred ? rc->cred.username : NULL;
  const char *slash = user ? strchr(user, '/') : NULL;
  if (slash == NULL || slash == user)
    return;
  size_t nl = (size_t)(slash - user);
  if (strncmp(repo, user, nl) == 0 && repo[nl] == '/')
    return;
  char who[120], ns[100];
  wi_str_escape_ctl(who, sizeof who, user, strlen(user));
  wi_str_escape_ctl(ns, sizeof ns, user, nl);
  const char *rest = strchr(repo, '/') ? strchr(repo, '/') + 1 : repo;
  snprintf(out, outlen,
           "; the login %s belongs to namespace \"%s\", and with namespace/user logins (as OCIR's) "
           "the repository must be in that namespace (%s/%.100s)",
           who, ns, ns, rest);
}

int
wi_regclient_status_error(struct wi_regclient *rc, const char *repo,
                          const struct wi_http_resp *resp, const char *what, wi_err *err)
{
  char desc[700], hint[600] = "";
  int code;

  describe_status(resp, desc, sizeof desc);
  switch (resp->status) {
  case 401:
    code = WI_EAUTH;
    break;
  case 403:
    code = WI_EDENIED;
    namespace_hint(rc, repo, hint, sizeof hint);
    break;
  case 404:
    code = WI_ENOTFOUND;
    break;
  case 413:
    code = WI_ETOOBIG;
    break;
  case 400:
    code = body_has_code(resp, "DIGEST_INVALID") ? WI_EDIGEST
           : body_has_code(resp, "BLOB_UNKNOWN") ? WI_ENOTFOUND
                                                 : WI_EPROTO;
    break;
  default:
    code = WI_EPROTO;
    break;
  }
  int ret = wi_err_set(err, code, "%s: %s%s", what, desc, hint);
  if (err)
    err->http_status = (int)resp->status;
  return ret;
}

int
wi_regclient_head_error(struct wi_regclient *rc, const struct rreq *rr,
                        const struct wi_http_resp *resp, wi_err *err)
{
  if (resp->status >= 400 && resp->status != 404 && resp->body.len == 0) {
    /* a HEAD answer has no body: ask again with GET for the registry's code and message (a
     * request refused to HEAD is refused to GET too, so no content comes back) */
    struct wi_http_resp again = { 0 };
    struct rreq get = *rr;
    get.method = "GET";
    get.max_body = 65536;
    get.write_fn = NULL;
    if (wi_regclient_do(rc, &get, &again, NULL) == 0 && again.status == resp->status) {
      int ret = wi_regclient_status_error(rc, rr->repo, &again, rr->what, err);
      wi_http_resp_dispose(&again);
      return ret;
    }
    wi_http_resp_dispose(&again);
  }
  return wi_regclient_status_error(rc, rr->repo, resp, rr->what, err);
}

/* ---- credentials and tokens ---- */

static void
load_creds(struct wi_regclient *rc, const char *repo)
{
  pthread_mutex_lock(&rc->mu);
  if (!rc->creds_loaded) {
    rc->creds_loaded = true;
    memset(&rc->cred, 0, sizeof rc->cred);
    if (rc->username && rc->password) {
      rc->cred.username = wi_xstrdup(rc->username);
      rc->cred.password = wi_xstrdup(rc->password);
      rc->cred.source = wi_xstrdup("the command line");
      rc->have_cred = true;
    } else if (rc->registry_token == NULL) { /* a given token needs nothing else */
      wi_err e = { 0 };
      int r = wi_creds_lookup(rc->host, repo, rc->authfile, &rc->cred, &e);
      if (r == 0)
        rc->have_cred = true;
      else if (r != WI_ENOTFOUND)
        wi_log(WI_LOG_WARN, "credentials for %s: %s", rc->host, e.msg);
      if (rc->have_cred && rc->cred.registry_token && !rc->registry_token)
        rc->registry_token = wi_xstrdup(rc->cred.registry_token);
    }
  }
  pthread_mutex_unlock(&rc->mu);
}

static int
auth_required_error(struct wi_regclient *rc, const char *what, wi_err *err)
{
  return wi_err_set(err, WI_EAUTH, "%s: authentication required; run wlsimg login %s", what,
                    rc->host);
}

static const char *
cred_source(const struct wi_regclient *rc)
{
  return rc->cred.source ? rc->cred.source : "credential store";
}

/* Cached token covering scope, or NULL. Called with tok_mu held. */
static const char *
token_cached(struct wi_regclient *rc, const char *scope)
{
  double now = wi_util_now();
  for (size_t i = 0; i < rc->n_tokens; i++)
    if (rc->tokens[i].expires_at - 10 > now &&
        wi_regclient_scope_covers(rc->tokens[i].scope, scope))
      return rc->tokens[i].token;
  return NULL;
}

static void
token_store(struct wi_regclient *rc, const char *scope, const struct wi_token *t)
{
  size_t slot = rc->n_tokens;
  if (slot == MAX_TOKENS) {
    /* evict the one expiring first */
    slot = 0;
    for (size_t i = 1; i < rc->n_tokens; i++)
      if (rc->tokens[i].expires_at < rc->tokens[slot].expires_at)
        slot = i;
    free(rc->tokens[slot].scope);
    wi_alloc_secret_free(rc->tokens[slot].token);
  } else {
    rc->n_tokens++;
  }
  rc->tokens[slot].scope = wi_xstrdup(scope);
  rc->tokens[slot].token = wi_xstrdup(t->token);
  rc->tokens[slot].expires_at = t->expires_at;
}

static void
token_forget(struct wi_regclient *rc, const char *scope)
{
  pthread_mutex_lock(&rc->tok_mu);
  for (size_t i = 0; i < rc->n_tokens; i++)
    if (strcmp(rc->tokens[i].scope, scope) == 0)
      rc->tokens[i].expires_at = 0;
  pthread_mutex_unlock(&rc->tok_mu);
}

/* Query string for the token GET: service, one scope= per scope, account. */
static char *
token_url(const char *realm, const char *service, const char *scope, const char *account)
{
  struct wi_buf u = WI_BUF_INIT(WI_BUF_NO_CAP);
  char sep = strchr(realm, '?') ? '&' : '?';

  wi_buf_adds(&u, realm, NULL);
  if (service) {
    wi_autofree char *s = wi_http_escape(service);
    wi_buf_addf(&u, NULL, "%cservice=%s", sep, s);
    sep = '&';
  }
  for (const char *p = scope ? scope : ""; *p;) {
    while (*p == ' ')
      p++;
    size_t l = strcspn(p, " ");
    if (l == 0)
      break;
    wi_autofree char *one = wi_xstrndup(p, l);
    wi_autofree char *s = wi_http_escape(one);
    wi_buf_addf(&u, NULL, "%cscope=%s", sep, s);
    sep = '&';
    p += l;
  }
  if (account) {
    wi_autofree char *s = wi_http_escape(account);
    wi_buf_addf(&u, NULL, "%caccount=%s", sep, s);
  }
  return wi_buf_steal(&u);
}

/* OAuth2 refresh-token POST body. */
static char *
token_form(const char *service, const char *scope, const char *refresh)
{
  wi_autofree char *svc = wi_http_escape(service ? service : "");
  wi_autofree char *sc = wi_http_escape(scope ? scope : "");
  wi_autofree char *rt = wi_http_escape(refresh);
  return wi_xasprintf("grant_type=refresh_token&client_id=%s&service=%s&scope=%s&refresh_token=%s",
                      TOKEN_CLIENT_ID, svc, sc, rt);
}

/* One request to the token server at realm; the response is returned for the caller to inspect.
 * The credentials were loaded (load_creds) by the calling thread. */
static int
token_request(struct wi_regclient *rc, const char *realm, const char *service, const char *scope,
              bool post, struct wi_http_resp *resp, wi_err *err)
{
  wi_autofree char *url = NULL;
  char *authz = NULL, *form = NULL;
  const char *hdrs[4] = { 0 };
  size_t nh = 0;
  struct wi_http_req req = { .body_fd = -1, .follow_redirects = true };
  int ret;

  if (post) {
    url = wi_xstrdup(realm);
    form = token_form(service, scope, rc->cred.identity_token);
    hdrs[nh++] = "Content-Type: application/x-www-form-urlencoded";
    req.method = "POST";
    req.body = form;
    req.body_len = strlen(form);
  } else {
    const char *account = rc->have_cred ? rc->cred.username : NULL;
    url = token_url(realm, service, scope, account);
    req.method = "GET";
    if (rc->have_cred && rc->cred.username && rc->cred.password) {
      wi_autofree char *b = wi_auth_basic_header(rc->cred.username, rc->cred.password);
      authz = wi_xasprintf("Authorization: %s", b);
      explicit_bzero(b, strlen(b));
      hdrs[nh++] = authz;
    }
  }
  req.url = url;
  req.headers = hdrs;
  struct wi_http *h = pool_get(rc, err);
  if (h == NULL) {
    ret = err ? err->code : WI_ERR;
  } else {
    ret = wi_http_do(h, &req, resp, err);
    pool_put(rc, h);
  }
  wi_alloc_secret_free(authz);
  wi_alloc_secret_free(form);
  return ret;
}

/* Token for scope from the cache or the token server. *tok_out is malloc'ed (wipe it). The
 * credentials were loaded (load_creds) by the calling thread. */
static int
get_token(struct wi_regclient *rc, const char *scope, const char *what, char **tok_out, wi_err *err)
{
  struct wi_http_resp resp = { 0 };
  wi_autofree char *realm = NULL, *service = NULL;
  char shown[300]; /* the realm as messages show it */
  int ret = 0;

  if (rc->registry_token) {
    *tok_out = wi_xstrdup(rc->registry_token);
    return 0;
  }
  pthread_mutex_lock(&rc->tok_mu);
  const char *c = token_cached(rc, scope ? scope : "");
  if (c) {
    *tok_out = wi_xstrdup(c);
    goto out;
  }
  /* the challenge as it stands now; another thread may replace it while we ask */
  pthread_mutex_lock(&rc->mu);
  realm = rc->realm ? wi_xstrdup(rc->realm) : NULL;
  service = rc->service ? wi_xstrdup(rc->service) : NULL;
  pthread_mutex_unlock(&rc->mu);
  if (realm == NULL) {
    ret = wi_err_set(err, WI_EPROTO, "%s: Bearer challenge without a realm", what);
    goto out;
  }
  wi_str_escape_ctl(shown, sizeof shown, realm, strlen(realm));
  bool post = rc->have_cred && rc->cred.identity_token != NULL;
  for (int attempt = 0;; attempt++) {
    ret = token_request(rc, realm, service, scope, post, &resp, err);
    if (ret == WI_ENET && attempt < 1) {
      wi_regclient_sleep(0.5);
      continue;
    }
    if (ret < 0) {
      wi_err_wrap(err, "%s: token request", what);
      goto out;
    }
    if (post && (resp.status == 404 || resp.status == 405)) {
      post = false; /* the server only knows the GET flow */
      wi_http_resp_dispose(&resp);
      continue;
    }
    if (resp.status >= 500 && attempt < 1) {
      wi_http_resp_dispose(&resp);
      wi_regclient_sleep(0.5);
      continue;
    }
    break;
  }
  if (resp.status == 401 || resp.status == 403) {
    if (rc->have_cred)
      ret = wi_err_set(
          err, WI_EAUTH,
          "%s: wrong username or password (token server %s answered HTTP %ld for the credentials from %s)",
          what, shown, resp.status, cred_source(rc));
    else
      ret = auth_required_error(rc, what, err);
    goto out;
  }
  if (resp.status != 200) {
    char desc[700];
    describe_status(&resp, desc, sizeof desc);
    ret = wi_err_set(err, WI_EPROTO, "%s: token server %s: %s", what, shown, desc);
    goto out;
  }
  struct wi_token t = { 0 };
  ret = wi_auth_parse_token_response(resp.body.data, resp.body.len, wi_util_now(), &t, err);
  if (ret < 0) {
    wi_err_wrap(err, "%s: token server %s", what, shown);
    goto out;
  }
  token_store(rc, scope ? scope : "", &t);
  *tok_out = wi_xstrdup(t.token);
  wi_auth_token_dispose(&t);
out:
  pthread_mutex_unlock(&rc->tok_mu);
  wi_http_resp_dispose(&resp);
  return ret;
}

/* The Authorization header line for a request to the registry, or NULL when none is due. */
static int
auth_header(struct wi_regclient *rc, const struct rreq *rr, const char *scope, char **out,
            enum auth_kind *sent, wi_err *err)
{
  *out = NULL;
  pthread_mutex_lock(&rc->mu);
  enum auth_kind kind = rc->kind;
  pthread_mutex_unlock(&rc->mu);
  if (kind == AUTH_UNKNOWN)
    return 0;
  load_creds(rc, rr->repo); /* orders this thread's reads of the credentials after their loading */
  if (kind == AUTH_BASIC) {
    if (!rc->have_cred || !rc->cred.username || !rc->cred.password)
      return 0;
    wi_autofree char *b = wi_auth_basic_header(rc->cred.username, rc->cred.password);
    *out = wi_xasprintf("Authorization: %s", b);
    explicit_bzero(b, strlen(b));
    *sent = AUTH_BASIC;
    return 0;
  }
  if (kind == AUTH_BEARER) {
    char *tok = NULL;
    int ret = get_token(rc, scope, rr->what, &tok, err);
    if (ret < 0)
      return ret;
    *out = wi_xasprintf("Authorization: Bearer %s", tok);
    wi_alloc_secret_free(tok);
    *sent = AUTH_BEARER;
  }
  return 0;
}

/* Handle a 401: learn the challenge, maybe widen the scope. Returns 1 to retry, or an error. */
static int
on_unauthorized(struct wi_regclient *rc, const struct rreq *rr, const struct wi_http_resp *resp,
                enum auth_kind was, char **scope, int *auth_tries, wi_err *err)
{
  struct wi_auth_challenge *ch = NULL;
  size_t n = 0;
  const char *hdr = wi_http_resp_header(resp, "WWW-Authenticate");
  int ret = 1;
  wi_err perr = { 0 };

  if (hdr == NULL || wi_auth_parse_challenges(hdr, &ch, &n, &perr) < 0 || n == 0) {
    if (hdr)
      wi_log(WI_LOG_DEBUG, "%s: unparsable WWW-Authenticate: %s", rr->what, perr.msg);
    load_creds(rc, rr->repo);
    if (!rc->have_cred)
      return auth_required_error(rc, rr->what, err);
    return wi_regclient_status_error(rc, rr->repo, resp, rr->what, err);
  }
  const struct wi_auth_challenge *bearer = NULL, *basic = NULL;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(ch[i].scheme, "bearer") == 0 && !bearer)
      bearer = &ch[i];
    else if (strcmp(ch[i].scheme, "basic") == 0 && !basic)
      basic = &ch[i];
  }
  load_creds(rc, rr->repo);
  (*auth_tries)++;
  if (bearer) {
    pthread_mutex_lock(&rc->mu);
    rc->kind = AUTH_BEARER;
    if (bearer->realm && (!rc->realm || strcmp(rc->realm, bearer->realm) != 0)) {
      free(rc->realm);
      rc->realm = wi_xstrdup(bearer->realm);
    }
    if (bearer->service && (!rc->service || strcmp(rc->service, bearer->service) != 0)) {
      free(rc->service);
      rc->service = wi_xstrdup(bearer->service);
    }
    pthread_mutex_unlock(&rc->mu);
    char *wider = wi_regclient_scope_union(*scope, bearer->scope);
    bool changed = strcmp(wider, *scope ? *scope : "") != 0;
    if (was == AUTH_BEARER && !changed) {
      /* we sent a token for this scope and it was not enough */
      if (bearer->error && strcmp(bearer->error, "insufficient_scope") == 0 && *auth_tries <= 1) {
        token_forget(rc, wider); /* the token may predate a permission change: ask once more */
      } else if (!rc->have_cred && !rc->registry_token) {
        ret = auth_required_error(rc, rr->what, err);
      } else {
        char desc[700], hint[600];
        describe_status(resp, desc, sizeof desc);
        namespace_hint(rc, rr->repo, hint, sizeof hint);
        ret = wi_err_set(err, WI_EDENIED, "%s: access denied for the credentials from %s: %s%s",
                         rr->what, rc->registry_token ? "the registry token" : cred_source(rc),
                         desc, hint);
      }
    }
    free(*scope);
    *scope = wider;
  } else if (basic) {
    pthread_mutex_lock(&rc->mu);
    rc->kind = AUTH_BASIC;
    pthread_mutex_unlock(&rc->mu);
    if (!rc->have_cred || !rc->cred.username || !rc->cred.password)
      ret = auth_required_error(rc, rr->what, err);
    else if (was == AUTH_BASIC)
      ret = wi_err_set(err, WI_EAUTH,
                       "%s: wrong username or password (HTTP 401 for the credentials from %s)",
                       rr->what, cred_source(rc));
  } else {
    ret = wi_regclient_status_error(rc, rr->repo, resp, rr->what, err);
  }
  if (ret == 1 && *auth_tries > 3)
    ret = wi_regclient_status_error(rc, rr->repo, resp, rr->what, err);
  if (ret < 0 && err)
    err->http_status = 401;
  wi_auth_challenges_free(ch, n);
  return ret;
}

static bool
retryable_status(long s)
{
  return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

static double
retry_after(const struct wi_http_resp *resp, double dflt)
{
  const char *ra = wi_http_resp_header(resp, "Retry-After");
  if (ra) {
    char *end = NULL;
    long v = strtol(ra, &end, 10);
    if (end != ra && v >= 0)
      return v > MAX_RETRY_AFTER_S ? MAX_RETRY_AFTER_S : (double)v;
  }
  return dflt;
}

/* Absolute URL for a path or a Location header value. malloc'ed. */
char *
wi_regclient_abs_url(struct wi_regclient *rc, const char *u)
{
  if (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0)
    return wi_xstrdup(u);
  pthread_mutex_lock(&rc->mu);
  char *r = wi_xasprintf("%s%s%s", rc->base, u[0] == '/' ? "" : "/", u);
  pthread_mutex_unlock(&rc->mu);
  return r;
}

/* Try the other scheme after the first exchange failed (connection or TLS error, or a TLS server
 * answering plain http with 400). True when the request should be sent again. */
static bool
switch_scheme(struct wi_regclient *rc, const char *url, const char *why)
{
  bool retry = false;
  pthread_mutex_lock(&rc->mu);
  bool url_https = strncmp(url, "https://", 8) == 0;
  bool base_https = strncmp(rc->base, "https://", 8) == 0;
  if (rc->may_switch && !rc->scheme_settled && url_https == base_https) {
    if (url_https) {
      snprintf(rc->https_error, sizeof rc->https_error, "%.500s", why);
      rc->fell_back = true;
    }
    free(rc->base);
    rc->base = wi_xasprintf("%s://%s", url_https ? "http" : "https", rc->api_host);
    rc->scheme_settled = true;
    retry = true;
  } else if (rc->may_switch && url_https != base_https) {
    retry = true; /* another thread switched while this request was on its way */
  }
  pthread_mutex_unlock(&rc->mu);
  return retry;
}

/* A 400 that is not a registry error document: what a TLS server says to plain http. */
static bool
plain_http_refused(const struct wi_http_resp *resp)
{
  return resp->status == 400 &&
         (resp->body.len == 0 || strstr(wi_buf_cstr(&resp->body), "\"errors\"") == NULL);
}

static void
settle_scheme(struct wi_regclient *rc)
{
  pthread_mutex_lock(&rc->mu);
  rc->scheme_settled = true;
  pthread_mutex_unlock(&rc->mu);
}

/* Is url on the registry itself: its current scheme, host and port? Credentials go nowhere else
 * (an upload Location, a Link or a redirect may name any host). */
static bool
is_registry_url(struct wi_regclient *rc, const char *url)
{
  pthread_mutex_lock(&rc->mu);
  bool own = wi_http_same_origin(url, rc->base);
  pthread_mutex_unlock(&rc->mu);
  return own;
}

/* "scheme://host:port" of an absolute URL, escaped for a message. */
static void
url_origin(const char *url, char *out, size_t outlen)
{
  const char *h = strstr(url, "://");
  size_t n = h ? (size_t)(h + 3 - url) + strcspn(h + 3, "/?#") : strlen(url);
  wi_str_escape_ctl(out, outlen, url, n);
}

/* One HTTP exchange for rr with the Authorization due for scope, when url is on the registry.
 * *sent says what the request carried. Returns the wi_http_do status (network errors in *herr) or
 * an auth error in err. */
static int
send_once(struct wi_regclient *rc, const struct rreq *rr, const char *scope, const char *url,
          bool own, struct wi_http_resp *resp, enum auth_kind *sent, wi_err *herr, wi_err *err)
{
  char *authz = NULL;
  const char *hdrs[24];
  size_t nh = 0;
  int ret = own ? auth_header(rc, rr, scope, &authz, sent, err) : 0;

  if (ret < 0)
    return ret;
  if (authz)
    hdrs[nh++] = authz;
  hdrs[nh++] = "Docker-Distribution-API-Version: registry/2.0";
  for (size_t i = 0; rr->headers && rr->headers[i] && nh + 1 < WI_ARRAY_SIZE(hdrs); i++)
    hdrs[nh++] = rr->headers[i];
  hdrs[nh] = NULL;
  struct wi_http_req req = {
    .method = rr->method,
    .url = url,
    .headers = hdrs,
    .body = rr->body,
    .body_len = rr->body_len,
    .body_fd = rr->body_fd,
    .body_offset = rr->body_offset,
    .body_fd_len = rr->body_fd_len,
    .write_fn = rr->write_fn,
    .write_payload = rr->write_payload,
    .max_body = rr->max_body,
    .progress_fn = rr->progress_fn,
    .progress_payload = rr->progress_payload,
    .follow_redirects = rr->follow,
  };
  struct wi_http *h = pool_get(rc, err);
  if (h == NULL) {
    wi_alloc_secret_free(authz);
    return err ? err->code : WI_ERR;
  }
  ret = wi_http_do(h, &req, resp, herr);
  pool_put(rc, h);
  wi_alloc_secret_free(authz);
  return ret;
}

static void
resp_reset(struct wi_http_resp *resp)
{
  wi_http_resp_dispose(resp);
  memset(resp, 0, sizeof *resp);
}

/* The final error of a request whose exchanges all failed: the last failure, how often it was
 * retried, and the other scheme's failure when both were tried (in this request, or https in an
 * earlier one). */
static int
network_error(struct wi_regclient *rc, const struct rreq *rr, const char *url, int ret,
              const wi_err *herr, const char *first, int retried, wi_err *err)
{
  char earlier[600] = "", tries[40] = "";

  pthread_mutex_lock(&rc->mu);
  if (first[0])
    snprintf(earlier, sizeof earlier, "; before that: %.560s", first);
  else if (rc->fell_back)
    snprintf(earlier, sizeof earlier, "; HTTPS failed before: %.560s", rc->https_error);
  pthread_mutex_unlock(&rc->mu);
  if (retried)
    snprintf(tries, sizeof tries, " (retried %d time%s)", retried, retried == 1 ? "" : "s");
  bool cert = strncmp(url, "https://", 8) == 0 && strstr(herr->msg, "certificate");
  ret = wi_err_set(err, ret, "%s: %s%s%s%s", rr->what, herr->msg, tries, earlier,
                   cert ? " (trust the registry's certificate with --cert-dir or certs.d, or use "
                          "--tls-verify=false)"
                        : "");
  if (err)
    err->sys_errno = herr->sys_errno;
  return ret;
}

/* Perform a registry request with auth, retries and the https→http fallback. On success resp
 * holds the final response (any status but 401 and the transient ones once retries ran out). */
int
wi_regclient_do(struct wi_regclient *rc, const struct rreq *rr, struct wi_http_resp *resp,
                wi_err *err)
{
  wi_autofree char *scope = wi_xstrdup(rr->scope ? rr->scope : "");
  double backoff = 0.5;
  int auth_tries = 0, attempt = 0;
  bool switched = false; /* one scheme switch per request at most */
  char first[512] = "";  /* why the first scheme failed, when this request switched */

  memset(resp, 0, sizeof *resp);
  for (;;) {
    enum auth_kind sent = AUTH_UNKNOWN; /* what this request carried */
    wi_err herr = { 0 };
    wi_autofree char *url = wi_regclient_abs_url(rc, rr->url);
    bool own = is_registry_url(rc, url);
    int ret = send_once(rc, rr, scope, url, own, resp, &sent, &herr, err);
    if (ret < 0 && herr.code == 0)
      return ret; /* no request was sent: auth or handle failure, err is set */
    if (ret < 0) {
      resp_reset(resp);
      if (ret == WI_ENET && own && !switched && switch_scheme(rc, url, herr.msg)) {
        wi_log(WI_LOG_INFO, "%s; trying %s", herr.msg,
               strncmp(url, "https:", 6) == 0 ? "plain http" : "https");
        snprintf(first, sizeof first, "%.500s", herr.msg);
        switched = true;
        continue;
      }
      if (ret == WI_ENET && !rr->no_net_retry && attempt < rc->retries) {
        wi_log(WI_LOG_WARN, "%s; retrying in %.1f s (%d of %d)", herr.msg, backoff, attempt + 1,
               rc->retries);
        wi_regclient_sleep(backoff);
        backoff *= 2;
        attempt++;
        continue;
      }
      return network_error(rc, rr, url, ret, &herr, first, attempt, err);
    }
    if (plain_http_refused(resp) && own && strncmp(url, "http://", 7) == 0) {
      if (!switched && switch_scheme(rc, url, "plain HTTP answered 400")) {
        wi_log(WI_LOG_DEBUG, "%s: plain HTTP refused; trying https", rc->host);
        switched = true;
        resp_reset(resp);
        continue;
      }
      char https_error[sizeof rc->https_error] = "";
      pthread_mutex_lock(&rc->mu);
      if (rc->fell_back)
        memcpy(https_error, rc->https_error, sizeof https_error);
      pthread_mutex_unlock(&rc->mu);
      if (https_error[0]) {
        /* an HTTPS server that refuses plain HTTP: the https failure is the real story */
        resp_reset(resp);
        return wi_err_set(err, WI_ENET,
                          "%s: HTTPS failed (%s) and plain HTTP was refused; trust the registry's "
                          "certificate (--cert-dir, certs.d) or use --tls-verify=false",
                          rr->what, https_error);
      }
    }
    if (own)
      settle_scheme(rc);
    if (resp->status == 401 && !own) {
      /* another host (an upload Location, a redirect) wants credentials: it gets none */
      char origin[300];
      url_origin(url, origin, sizeof origin);
      resp_reset(resp);
      ret = wi_err_set(err, WI_EAUTH,
                       "%s: %s asks for credentials, but it is not the registry %s, and the "
                       "registry's credentials are only sent to the registry",
                       rr->what, origin, rc->host);
      if (err)
        err->http_status = 401;
      return ret;
    }
    if (resp->status == 401) {
      ret = on_unauthorized(rc, rr, resp, sent, &scope, &auth_tries, err);
      resp_reset(resp);
      if (ret < 0)
        return ret;
      continue;
    }
    if (retryable_status(resp->status) && attempt < rc->retries) {
      double d = retry_after(resp, backoff);
      wi_log(WI_LOG_WARN, "%s: HTTP %ld; retrying in %.1f s (%d of %d)", rr->what, resp->status, d,
             attempt + 1, rc->retries);
      resp_reset(resp);
      wi_regclient_sleep(d);
      backoff *= 2;
      attempt++;
      continue;
    }
    return 0;
  }
}

char *
wi_regclient_repo_scope(const char *repo, const char *actions)
{
  return wi_xasprintf("repository:%s:%s", repo, actions);
}

/* ---- ping ---- */

int
wi_regclient_ping(struct wi_regclient *rc, wi_err *err)
{
  struct wi_http_resp resp = { 0 };
  char what[300];

  snprintf(what, sizeof what, "%s", rc->host);
  /* credentials are loaded up front so that a Basic registry is asked with them */
  load_creds(rc, NULL);
  struct rreq rr = { RREQ_INIT, .method = "GET", .url = "/v2/", .what = what, .max_body = 65536 };
  int ret = wi_regclient_do(rc, &rr, &resp, err);
  if (ret < 0)
    return ret;
  pthread_mutex_lock(&rc->mu);
  enum auth_kind kind = rc->kind;
  pthread_mutex_unlock(&rc->mu);
  if (resp.status != 200)
    ret = wi_regclient_status_error(rc, NULL, &resp, what, err);
  else if (kind == AUTH_UNKNOWN && rc->have_cred && !rc->registry_token)
    wi_log(WI_LOG_DEBUG, "%s: /v2/ answered without asking for credentials", rc->host);
  wi_http_resp_dispose(&resp);
  return ret;
}

/* ---- manifests ---- */

static char *
media_type_of(const struct wi_http_resp *resp)
{
  const char *ct = wi_http_resp_header(resp, "Content-Type");
  if (ct == NULL)
    return NULL;
  size_t n = strcspn(ct, ";");
  while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
    n--;
  return wi_xstrndup(ct, n);
}

static bool
is_digest_ref(const char *ref)
{
  return strchr(ref, ':') != NULL;
}

int
wi_regclient_get_manifest(struct wi_regclient *rc, const char *repo, const char *ref,
                          char **bytes_out, size_t *len_out, char **media_type_out,
                          char *digest_out, wi_err *err)
{
  struct wi_http_resp resp = { 0 };
  char what[600];
  wi_autofree char *scope = wi_regclient_repo_scope(repo, "pull");
  wi_autofree char *path = wi_xasprintf("/v2/%s/manifests/%s", repo, ref);
  const char *hdrs[] = { "Accept: " WI_MANIFEST_ACCEPT, NULL };
  char dg[WI_DIGEST_MAX];
  int ret;

  snprintf(what, sizeof what, "%s/%s%s%s: manifest", rc->host, repo, is_digest_ref(ref) ? "@" : ":",
           ref);
  struct rreq rr = { RREQ_INIT,       .method = "GET",
                     .url = path,     .scope = scope,
                     .repo = repo,    .what = what,
                     .headers = hdrs, .max_body = WI_MAX_MANIFEST_BYTES,
                     .follow = true };
  ret = wi_regclient_do(rc, &rr, &resp, err);
  if (ret < 0) {
    if (ret == WI_ETOOBIG)
      wi_err_set(err, WI_ETOOBIG, "%s: larger than %d bytes", what, WI_MAX_MANIFEST_BYTES);
    return ret;
  }
  if (resp.status != 200) {
    ret = wi_regclient_status_error(rc, repo, &resp, what, err);
    goto out;
  }
  if (is_digest_ref(ref)) {
    ret = wi_digest_verify_bytes(ref, resp.body.data ? resp.body.data : "", resp.body.len, err);
    if (ret < 0) {
      wi_err_wrap(err, "%s", what);
      goto out;
    }
    snprintf(dg, sizeof dg, "%s", ref);
  } else {
    wi_digest_bytes(resp.body.data ? resp.body.data : "", resp.body.len, dg);
    const char *hd = wi_http_resp_header(&resp, "Docker-Content-Digest");
    char shown[WI_DIGEST_MAX * 2];
    if (hd && strncmp(hd, "sha256:", 7) == 0 && strcmp(hd, dg) != 0)
      wi_log(WI_LOG_WARN, "%s: registry says %s but the bytes hash to %s", what,
             wi_regclient_shown(hd, shown, sizeof shown), dg);
  }
  if (digest_out)
    memcpy(digest_out, dg, strlen(dg) + 1);
  if (media_type_out)
    *media_type_out = media_type_of(&resp);
  if (len_out)
    *len_out = resp.body.len;
  if (bytes_out)
    *bytes_out = wi_buf_steal(&resp.body);
out:
  wi_http_resp_dispose(&resp);
  return ret;
}

int
wi_regclient_head_manifest(struct wi_regclient *rc, const char *repo, const char *ref,
                           char *digest_out, char **media_type_out, int64_t *size_out, wi_err *err)
{
  struct wi_http_resp resp = { 0 };
  char what[600];
  wi_autofree char *scope = wi_regclient_repo_scope(repo, "pull");
  wi_autofree char *path = wi_xasprintf("/v2/%s/manifests/%s", repo, ref);
  const char *hdrs[] = { "Accept: " WI_MANIFEST_ACCEPT, NULL };
  int ret;

  snprintf(what, sizeof what, "%s/%s%s%s: manifest", rc->host, repo, is_digest_ref(ref) ? "@" : ":",
           ref);
  struct rreq rr = { RREQ_INIT,    .method = "HEAD", .url = path,     .scope = scope,
                     .repo = repo, .what = what,     .headers = hdrs, .follow = true };
  ret = wi_regclient_do(rc, &rr, &resp, err);
  if (ret < 0)
    return ret;
  if (resp.status != 200) {
    ret = wi_regclient_head_error(rc, &rr, &resp, err);
    goto out;
  }
  const char *hd = wi_http_resp_header(&resp, "Docker-Content-Digest");
  if (digest_out) {
    if (hd && wi_digest_validate(hd, NULL) == 0)
      snprintf(digest_out, WI_DIGEST_MAX, "%s", hd);
    else if (is_digest_ref(ref))
      snprintf(digest_out, WI_DIGEST_MAX, "%s", ref);
    else {
      ret = wi_err_set(err, WI_EPROTO, "%s: HEAD response without Docker-Content-Digest", what);
      goto out;
    }
  }
  if (media_type_out)
    *media_type_out = media_type_of(&resp);
  if (size_out) {
    const char *cl = wi_http_resp_header(&resp, "Content-Length");
    *size_out = cl ? strtoll(cl, NULL, 10) : -1;
  }
out:
  wi_http_resp_dispose(&resp);
  return ret;
}

int
wi_regclient_put_manifest(struct wi_regclient *rc, const char *repo, const char *ref,
                          const void *bytes, size_t len, const char *media_type, char *digest_out,
                          wi_err *err)
{
  struct wi_http_resp resp = { 0 };
  char what[600], dg[WI_DIGEST_MAX];
  wi_autofree char *scope = wi_regclient_repo_scope(repo, "pull,push");
  wi_autofree char *path = wi_xasprintf("/v2/%s/manifests/%s", repo, ref);
  wi_autofree char *ct =
      wi_xasprintf("Content-Type: %s", media_type ? media_type : WI_MT_OCI_MANIFEST);
  const char *hdrs[] = { ct, NULL };
  int ret;

  snprintf(what, sizeof what, "%s/%s%s%s: put manifest", rc->host, repo,
           is_digest_ref(ref) ? "@" : ":", ref);
  wi_digest_bytes(bytes, len, dg);
  struct rreq rr = { RREQ_INIT,       .method = "PUT",  .url = path,     .scope = scope,
                     .repo = repo,    .what = what,     .headers = hdrs, .body = bytes,
                     .body_len = len, .max_body = 65536 };
  ret = wi_regclient_do(rc, &rr, &resp, err);
  if (ret < 0)
    return ret;
  if (resp.status != 201 && resp.status != 200 && resp.status != 202) {
    ret = wi_regclient_status_error(rc, repo, &resp, what, err);
    goto out;
  }
  const char *hd = wi_http_resp_header(&resp, "Docker-Content-Digest");
  if (hd && strncmp(hd, "sha256:", 7) == 0 && strcmp(hd, dg) != 0) {
    char shown[WI_DIGEST_MAX * 2];
    ret = wi_err_set(err, WI_EDIGEST, "%s: registry stored %s but the manifest is %s", what,
                     wi_regclient_shown(hd, shown, sizeof shown), dg);
    goto out;
  }
  if (digest_out)
    memcpy(digest_out, dg, strlen(dg) + 1);
out:
  wi_http_resp_dispose(&resp);
  return ret;
}

int
wi_regclient_delete_manifest(struct wi_regclient *rc, const char *repo, const char *digest,
                             wi_err *err)
{
  struct wi_http_resp resp = { 0 };
  char what[600];
  wi_autofree char *scope = wi_regclient_repo_scope(repo, "delete");
  wi_autofree char *path = wi_xasprintf("/v2/%s/manifests/%s", repo, digest);
  int ret;

  snprintf(what, sizeof what, "%s/%s@%s: delete manifest", rc->host, repo, digest);
  struct rreq rr = { RREQ_INIT,    .method = "DELETE", .url = path,      .scope = scope,
                     .repo = repo, .what = what,       .max_body = 65536 };
  ret = wi_regclient_do(rc, &rr, &resp, err);
  if (ret < 0)
    return ret;
  if (resp.status != 202 && resp.status != 200 && resp.status != 204)
    ret = wi_regclient_status_error(rc, repo, &resp, what, err);
  wi_http_resp_dispose(&resp);
  return ret;
}

/* ---- tags and catalog ---- */

/* The rel="next" URL of a Link header, malloc'ed, or NULL. */
char *
wi_regclient_link_next(const char *link)
{
  if (link == NULL)
    return NULL;
  for (const char *p = link; (p = strchr(p, '<')) != NULL;) {
    const char *e = strchr(p, '>');
    if (e == NULL)
      return NULL;
    const char *params = e + 1;
    const char *stop = strchr(params, '<');
    size_t plen = stop ? (size_t)(stop - params) : strlen(params);
    wi_autofree char *pr = wi_xstrndup(params, plen);
    if (strstr(pr, "rel=\"next\"") || strstr(pr, "rel=next"))
      return wi_xstrndup(p + 1, (size_t)(e - p - 1));
    p = e;
  }
  return NULL;
}

/* The next page's URL from a list response's Link header (absolute, malloc'ed), NULL at the end.
 * A Link to another scheme, host or port, or to a page already fetched, is an error: following
 * the first would hand the registry's credentials to a stranger, the second never ends. */
static int
next_page(struct wi_regclient *rc, const struct wi_http_resp *resp, char **seen, size_t n_seen,
          const char *what, char **next_out, wi_err *err)
{
  wi_autofree char *link = wi_regclient_link_next(wi_http_resp_header(resp, "Link"));
  char shown[300];

  *next_out = NULL;
  if (link == NULL)
    return 0;
  wi_autofree char *next = wi_regclient_abs_url(rc, link);
  wi_str_escape_ctl(shown, sizeof shown, next, strlen(next));
  if (!is_registry_url(rc, next))
    return wi_err_set(err, WI_EPROTO,
                      "%s: the registry's next-page Link to another host (%s) is not followed",
                      what, shown);
  for (size_t i = 0; i < n_seen; i++)
    if (strcmp(seen[i], next) == 0)
      return wi_err_set(err, WI_EPROTO, "%s: Link loop: the next page %s was already fetched", what,
                        shown);
  *next_out = wi_steal(&next);
  return 0;
}

/* Append the strings of one page's array member key to v (*cap entries allocated). */
static int
append_page(const struct wi_http_resp *resp, const char *key, const char *what, char ***v,
            size_t *n, size_t *cap, wi_err *err)
{
  json_error_t je;
  json_t *j = json_loadb(resp->body.data ? resp->body.data : "", resp->body.len, 0, &je);
  json_t *arr = j ? json_object_get(j, key) : NULL;
  int ret = 0;

  if (j == NULL || !json_is_object(j) || (arr && !json_is_array(arr) && !json_is_null(arr))) {
    ret = wi_err_set(err, WI_EPROTO, "%s: malformed response: %s", what, j ? "bad \"" : je.text);
    json_decref(j);
    return ret;
  }
  size_t i;
  json_t *it;
  json_array_foreach (arr, i, it) {
    if (!json_is_string(it))
      continue;
    if (*n == MAX_LIST_ENTRIES) {
      ret = wi_err_set(err, WI_ETOOBIG, "%s: the list is larger than %d entries", what,
                       MAX_LIST_ENTRIES);
      break;
    }
    if (*n == *cap) { /* doubling: a million tags must not cost a million copies */
      *cap = *cap ? *cap * 2 : 64;
      *v = wi_xreallocarray(*v, *cap, sizeof **v);
    }
    (*v)[(*n)++] = wi_xstrdup(json_string_value(it));
  }
  json_decref(j);
  return ret;
}

/* GET paginated lists ("tags" or "repositories"), bounded in pages, bytes and entries. */
static int
get_list(struct wi_regclient *rc, const char *first, const char *key, const char *scope,
         const char *repo, const char *what, char ***out, size_t *n_out, wi_err *err)
{
  char **v = NULL, **seen = NULL;
  size_t n = 0, cap = 0, n_seen = 0, bytes = 0;
  char *url = wi_xstrdup(first); /* relative: it follows a scheme switch on the first request */
  int ret = 0;

  while (url && ret == 0) {
    if (n_seen == MAX_LIST_PAGES || bytes >= MAX_LIST_BYTES) {
      ret = wi_err_set(err, WI_ETOOBIG, "%s: the list is larger than %d pages or %d MiB", what,
                       MAX_LIST_PAGES, MAX_LIST_BYTES >> 20);
      break;
    }
    seen = wi_xreallocarray(seen, n_seen + 1, sizeof *seen);
    seen[n_seen++] = wi_regclient_abs_url(rc, url);
    struct wi_http_resp resp = { 0 };
    struct rreq rr = { RREQ_INIT,    .method = "GET", .url = url,    .scope = scope,
                       .repo = repo, .what = what,    .follow = true };
    rr.max_body = MAX_LIST_BYTES - bytes; /* what is left of the whole list's budget */
    ret = wi_regclient_do(rc, &rr, &resp, err);
    if (ret == WI_ETOOBIG)
      ret = wi_err_set(err, WI_ETOOBIG, "%s: the list is larger than %d MiB (%zu pages)", what,
                       MAX_LIST_BYTES >> 20, n_seen);
    if (ret < 0)
      break;
    free(url);
    url = NULL;
    bytes += resp.body.len;
    if (resp.status != 200)
      ret = wi_regclient_status_error(rc, repo, &resp, what, err);
    if (ret == 0)
      ret = append_page(&resp, key, what, &v, &n, &cap, err);
    if (ret == 0)
      ret = next_page(rc, &resp, seen, n_seen, what, &url, err);
    wi_http_resp_dispose(&resp);
  }
  free(url);
  wi_strv_free(seen, n_seen);
  if (ret < 0) {
    wi_strv_free(v, n);
    return ret;
  }
  *out = v;
  *n_out = n;
  return 0;
}

int
wi_regclient_tags(struct wi_regclient *rc, const char *repo, char ***tags_out, size_t *n_out,
                  wi_err *err)
{
  char what[600];
  wi_autofree char *scope = wi_regclient_repo_scope(repo, "pull");
  wi_autofree char *path = wi_xasprintf("/v2/%s/tags/list", repo);
  snprintf(what, sizeof what, "%s/%s: list tags", rc->host, repo);
  return get_list(rc, path, "tags", scope, repo, what, tags_out, n_out, err);
}

int
wi_regclient_catalog(struct wi_regclient *rc, char ***repos_out, size_t *n_out, wi_err *err)
{
  char what[300];
  snprintf(what, sizeof what, "%s: catalog", rc->host);
  return get_list(rc, "/v2/_catalog", "repositories", "registry:catalog:*", NULL, what, repos_out,
                  n_out, err);
}
