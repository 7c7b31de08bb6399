/* Registry auth: users and their auth tokens (auth/users.json, 0600, only salted hashes), the
 * bearer tokens the registry issues for itself, and who may do what.
 *
 * Bearer tokens are JWTs signed with HMAC-SHA256 under a 256-bit secret kept in auth/secret
 * (0600). The registry is both issuer and verifier, so a shared-key MAC is enough: nobody else
 * needs to check these tokens, there is no key distribution, and verifying costs one HMAC.
 *
 * Auth tokens are 192-bit random strings, so a single salted SHA-256 is as strong as a slow KDF
 * against guessing; comparisons are constant-time (CRYPTO_memcmp).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/regserver_int.h"
#include "lib/util.h"

#define MAX_TOKENS_PER_USER 2
#define USERS_MAX_BYTES     (16 * 1024 * 1024)
#define CLOCK_LEEWAY        60
#define THROTTLE_BUCKETS    1024
#define THROTTLE_WAYS       8

/* Failed logins of one user or one address, found by a keyed hash of "u:<user>" / "a:<address>"
 * (the key is the token secret, so nobody can aim names at one bucket to push an entry out). */
struct throttle_entry {
  uint64_t id; /* 0 = free */
  unsigned failures;
  double last;  /* monotonic time of the last failure */
  double until; /* blocked until then */
};

struct wi_rs_auth {
  char *root;
  int ttl;
  unsigned char key[32];
  pthread_mutex_t mu;
  struct stat users_st; /* of the users.json last loaded */
  json_t *users;        /* {"users":[...]} */
  pthread_mutex_t th_mu;
  struct throttle_entry *th; /* THROTTLE_BUCKETS * THROTTLE_WAYS */
};

static char *
users_path(const char *root)
{
  return wi_xasprintf("%s/auth/users.json", root);
}

static void
rfc3339_now(char out[32])
{
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
wi_regserver_auth_hash_secret(const char *salt_hex, const char *secret, char out[65])
{
  static const char hex[] = "0123456789abcdef";
  unsigned char md[32];
  unsigned int mdlen = 0;
  EVP_MD_CTX *c = EVP_MD_CTX_new();

  EVP_DigestInit_ex(c, EVP_sha256(), NULL);
  EVP_DigestUpdate(c, salt_hex, strlen(salt_hex));
  EVP_DigestUpdate(c, ":", 1);
  EVP_DigestUpdate(c, secret, strlen(secret));
  EVP_DigestFinal_ex(c, md, &mdlen);
  EVP_MD_CTX_free(c);
  for (size_t i = 0; i < 32; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  out[64] = '\0';
}

/* NAMESPACE/USER or NAMESPACE/DOMAIN/USER; the namespace must be a valid repository component. */
static int
user_validate(const char *user, wi_err *err)
{
  const char *slash = strchr(user, '/');
  size_t n = strlen(user), comps = 1;

  if (n == 0 || n > 255 || slash == NULL)
    return wi_err_set(err, WI_EINVAL,
                      "invalid user name '%s': expected NAMESPACE/USER or NAMESPACE/DOMAIN/USER",
                      user);
  for (const char *p = user; *p; p++) {
    if (*p == '/') {
      comps++;
      if (p[1] == '\0' || p[1] == '/')
        return wi_err_set(err, WI_EINVAL, "invalid user name '%s': empty component", user);
    } else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                 strchr("._@+-", *p))) {
      return wi_err_set(err, WI_EINVAL, "invalid user name '%s': character '%c' not allowed", user,
                        *p);
    }
  }
  char ns[256];
  snprintf(ns, sizeof ns, "%.*s", (int)(slash - user), user);
  if (comps > 3 || !wi_regserver_routes_name_valid(ns))
    return wi_err_set(err, WI_EINVAL,
                      "invalid user name '%s': expected NAMESPACE/USER with a lower-case namespace",
                      user);
  return 0;
}

/* ---- users.json, for the admin commands (locked, read-modify-write) ---- */

static int
admin_lock(const char *root, wi_err *err)
{
  wi_autofree char *dir = wi_xasprintf("%s/auth", root);
  wi_autofree char *p = wi_xasprintf("%s/auth/.lock", root);
  if (wi_regserver_storage_mkdir(dir, err) < 0)
    return err->code;
  int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return wi_err_sys(err, WI_EIO, "open %s", p);
  if (flock(fd, LOCK_EX) < 0) {
    close(fd);
    return wi_err_sys(err, WI_EIO, "lock %s", p);
  }
  return fd;
}

static json_t *
users_load(const char *root, wi_err *err)
{
  wi_autofree char *p = users_path(root);
  wi_autofree char *data = NULL;
  size_t len = 0;
  json_error_t jerr;

  if (access(p, F_OK) < 0)
    return json_pack("{s:[]}", "users");
  if (wi_fs_read_file(p, USERS_MAX_BYTES, &data, &len, err) < 0)
    return NULL;
  json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!json_is_array(json_object_get(j, "users"))) {
    json_decref(j);
    wi_err_set(err, WI_EIO, "%s:%d:%d: not a users file: %s", p, jerr.line, jerr.column, jerr.text);
    return NULL;
  }
  return j;
}

static int
users_save(const char *root, json_t *j, wi_err *err)
{
  wi_autofree char *p = users_path(root);
  char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  int ret = wi_regserver_storage_write_private(p, s, strlen(s), err);
  free(s);
  return ret;
}

static json_t *
user_find(json_t *users, const char *name, size_t *index)
{
  size_t i;
  json_t *u;
  json_array_foreach (json_object_get(users, "users"), i, u) {
    const char *n = json_string_value(json_object_get(u, "name"));
    if (n && strcmp(n, name) == 0) {
      if (index)
        *index = i;
      return u;
    }
  }
  return NULL;
}

/* Load, let fn change, save, all under the admin lock. */
static int
users_update(const char *root, int (*fn)(json_t *users, void *arg, wi_err *err), void *arg,
             wi_err *err)
{
  int lk = admin_lock(root, err);
  if (lk < 0)
    return err->code;
  json_t *j = users_load(root, err);
  int ret = j ? fn(j, arg, err) : err->code;
  if (ret == 0)
    ret = users_save(root, j, err);
  json_decref(j);
  close(lk);
  return ret;
}

static int
do_user_add(json_t *users, void *arg, wi_err *err)
{
  const char *user = arg;
  char now[32];
  if (user_find(users, user, NULL))
    return wi_err_set(err, WI_EEXISTS, "user %s already exists", user);
  rfc3339_now(now);
  json_array_append_new(json_object_get(users, "users"),
                        json_pack("{s:s, s:s, s:[]}", "name", user, "created", now, "tokens"));
  return 0;
}

int
wi_regserver_auth_user_add(const char *root, const char *user, wi_err *err)
{
  if (user_validate(user, err) < 0)
    return err->code;
  return users_update(root, do_user_add, (void *)(uintptr_t)user, err);
}

static int
do_user_delete(json_t *users, void *arg, wi_err *err)
{
  const char *user = arg;
  size_t i;
  if (!user_find(users, user, &i))
    return wi_err_set(err, WI_ENOTFOUND, "user %s not found", user);
  json_array_remove(json_object_get(users, "users"), i);
  return 0;
}

int
wi_regserver_auth_user_delete(const char *root, const char *user, wi_err *err)
{
  return users_update(root, do_user_delete, (void *)(uintptr_t)user, err);
}

static int
cmp_strp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int
wi_regserver_auth_user_list(const char *root, char ***users_out, size_t *n_out, wi_err *err)
{
  json_t *j = users_load(root, err);
  size_t i;
  json_t *u;

  if (j == NULL)
    return err->code;
  json_t *arr = json_object_get(j, "users");
  char **v = wi_xcalloc(json_array_size(arr) + 1, sizeof *v);
  size_t n = 0;
  json_array_foreach (arr, i, u) {
    const char *name = json_string_value(json_object_get(u, "name"));
    if (name)
      v[n++] = wi_xstrdup(name);
  }
  json_decref(j);
  qsort(v, n, sizeof *v, cmp_strp);
  *users_out = v;
  *n_out = n;
  return 0;
}

struct token_create_args {
  const char *user;
  char *token;
  char id[17];
};

static int
do_token_create(json_t *users, void *arg, wi_err *err)
{
  struct token_create_args *a = arg;
  unsigned char raw[24];
  char salt[33], hash[65], now[32];
  json_t *u = user_find(users, a->user, NULL);

  if (u == NULL)
    return wi_err_set(err, WI_ENOTFOUND,
                      "user %s not found (add it with 'wlsimg registry user add %s')", a->user,
                      a->user);
  json_t *tokens = json_object_get(u, "tokens");
  if (json_array_size(tokens) >= MAX_TOKENS_PER_USER)
    return wi_err_set(err, WI_EDENIED, "user %s already has %d auth tokens; revoke one first",
                      a->user, MAX_TOKENS_PER_USER);
  if (RAND_bytes(raw, sizeof raw) != 1 || wi_util_random_hex(salt, 16, err) < 0 ||
      wi_util_random_hex(a->id, 8, err) < 0)
    return wi_err_set(err, WI_ERR, "random number generator failed");
  a->token = wi_base64_url_encode(raw, sizeof raw);
  explicit_bzero(raw, sizeof raw);
  wi_regserver_auth_hash_secret(salt, a->token, hash);
  rfc3339_now(now);
  json_array_append_new(tokens, json_pack("{s:s, s:s, s:s, s:s}", "id", a->id, "created", now,
                                          "salt", salt, "hash", hash));
  return 0;
}

int
wi_regserver_auth_token_create(const char *root, const char *user, char **token_out,
                               char id_out[17], wi_err *err)
{
  struct token_create_args a = { .user = user };
  if (users_update(root, do_token_create, &a, err) < 0) {
    if (a.token)
      wi_alloc_secret_free(a.token);
    return err->code;
  }
  *token_out = a.token;
  memcpy(id_out, a.id, sizeof a.id);
  return 0;
}

int
wi_regserver_auth_token_list(const char *root, const char *user,
                             struct wi_regserver_token_info **out, size_t *n_out, wi_err *err)
{
  json_t *j = users_load(root, err);
  struct wi_regserver_token_info *v = NULL;
  size_t n = 0, i, k;
  json_t *u, *t;

  if (j == NULL)
    return err->code;
  if (user && !user_find(j, user, NULL)) {
    json_decref(j);
    return wi_err_set(err, WI_ENOTFOUND, "user %s not found", user);
  }
  json_array_foreach (json_object_get(j, "users"), i, u) {
    const char *name = json_string_value(json_object_get(u, "name"));
    if (name == NULL || (user && strcmp(name, user) != 0))
      continue;
    json_array_foreach (json_object_get(u, "tokens"), k, t) {
      const char *id = json_string_value(json_object_get(t, "id"));
      const char *created = json_string_value(json_object_get(t, "created"));
      v = wi_xreallocarray(v, n + 1, sizeof *v);
      snprintf(v[n].user, sizeof v[n].user, "%s", name);
      snprintf(v[n].id, sizeof v[n].id, "%s", id ? id : "");
      snprintf(v[n].created, sizeof v[n].created, "%s", created ? created : "");
      n++;
    }
  }
  json_decref(j);
  *out = v;
  *n_out = n;
  return 0;
}

struct token_revoke_args {
  const char *user;
  const char *id;
};

static int
do_token_revoke(json_t *users, void *arg, wi_err *err)
{
  struct token_revoke_args *a = arg;
  json_t *u = user_find(users, a->user, NULL);
  size_t i;
  json_t *t;

  if (u == NULL)
    return wi_err_set(err, WI_ENOTFOUND, "user %s not found", a->user);
  json_t *tokens = json_object_get(u, "tokens");
  json_array_foreach (tokens, i, t) {
    const char *id = json_string_value(json_object_get(t, "id"));
    if (id && strcmp(id, a->id) == 0) {
      json_array_remove(tokens, i);
      return 0;
    }
  }
  return wi_err_set(err, WI_ENOTFOUND, "user %s has no auth token %s", a->user, a->id);
}

int
wi_regserver_auth_token_revoke(const char *root, const char *user, const char *id, wi_err *err)
{
  struct token_revoke_args a = { user, id };
  return users_update(root, do_token_revoke, &a, err);
}

/* ---- the server side ---- */

static int
load_secret(struct wi_rs_auth *a, wi_err *err)
{
  wi_autofree char *dir = wi_xasprintf("%s/auth", a->root);
  wi_autofree char *p = wi_xasprintf("%s/auth/secret", a->root);
  wi_autofree char *s = NULL;
  size_t len = 0;

  if (access(p, F_OK) < 0) {
    char hex[65];
    if (wi_regserver_storage_mkdir(dir, err) < 0 || wi_util_random_hex(hex, 32, err) < 0 ||
        wi_regserver_storage_write_private(p, hex, 64, err) < 0)
      return err->code;
    explicit_bzero(hex, sizeof hex);
  }
  if (wi_fs_read_file(p, 1024, &s, &len, err) < 0)
    return err->code;
  if (len < 64) {
    explicit_bzero(s, len);
    return wi_err_set(err, WI_EIO, "%s: expected 64 hex characters", p);
  }
  for (size_t i = 0; i < 32; i++) {
    unsigned v = 0;
    sscanf(s + 2 * i, "%2x", &v);
    a->key[i] = (unsigned char)v;
  }
  explicit_bzero(s, len);
  return 0;
}

int
wi_regserver_auth_new(struct wi_rs_auth **out, const char *root, int token_ttl, wi_err *err)
{
  struct wi_rs_auth *a = wi_xcalloc(1, sizeof *a);
  a->root = wi_xstrdup(root);
  a->ttl = token_ttl > 0 ? token_ttl : 300;
  pthread_mutex_init(&a->mu, NULL);
  pthread_mutex_init(&a->th_mu, NULL);
  a->th = wi_xcalloc(THROTTLE_BUCKETS * THROTTLE_WAYS, sizeof *a->th);
  if (load_secret(a, err) < 0) {
    wi_regserver_auth_free(a);
    return err->code;
  }
  *out = a;
  return 0;
}

void
wi_regserver_auth_free(struct wi_rs_auth *a)
{
  if (a == NULL)
    return;
  explicit_bzero(a->key, sizeof a->key);
  json_decref(a->users);
  pthread_mutex_destroy(&a->mu);
  pthread_mutex_destroy(&a->th_mu);
  free(a->th);
  free(a->root);
  free(a);
}

/* Re-read users.json when it changed (admin commands rewrite it with rename). Call locked. */
static void
users_refresh(struct wi_rs_auth *a)
{
  wi_autofree char *p = users_path(a->root);
  struct stat st;
  wi_err err = { 0 };

  if (stat(p, &st) < 0)
    memset(&st, 0, sizeof st);
  if (a->users && st.st_ino == a->users_st.st_ino && st.st_size == a->users_st.st_size &&
      st.st_mtim.tv_sec == a->users_st.st_mtim.tv_sec &&
      st.st_mtim.tv_nsec == a->users_st.st_mtim.tv_nsec)
    return;
  json_t *j = users_load(a->root, &err);
  if (j == NULL) {
    wi_log(WI_LOG_ERROR, "%s", err.msg);
    return;
  }
  json_decref(a->users);
  a->users = j;
  a->users_st = st;
}

int
wi_regserver_auth_check_password(struct wi_rs_auth *a, const char *user, const char *password,
                                 wi_err *err)
{
  bool ok = false;
  size_t i;
  json_t *t;

  pthread_mutex_lock(&a->mu);
  users_refresh(a);
  json_t *u = a->users ? user_find(a->users, user, NULL) : NULL;
  json_array_foreach (json_object_get(u, "tokens"), i, t) {
    const char *salt = json_string_value(json_object_get(t, "salt"));
    const char *hash = json_string_value(json_object_get(t, "hash"));
    char got[65];
    if (salt == NULL || hash == NULL || strlen(hash) != 64)
      continue;
    wi_regserver_auth_hash_secret(salt, password, got);
    if (CRYPTO_memcmp(got, hash, 64) == 0)
      ok = true;
  }
  pthread_mutex_unlock(&a->mu);
  if (!ok)
    return wi_err_set(err, WI_EAUTH, "invalid username or auth token for %s", user);
  return 0;
}

unsigned
wi_regserver_auth_allowed(struct wi_rs_auth *a, const char *user, const char *type,
                          const char *name)
{
  struct wi_rs_meta m;
  wi_err err = { 0 };

  if (strcmp(type, "registry") == 0)
    return strcmp(name, "catalog") == 0 ? WI_RS_CATALOG : 0;
  if (strcmp(type, "repository") != 0 || !wi_regserver_routes_name_valid(name))
    return 0;
  if (user) {
    const char *slash = strchr(user, '/');
    size_t nl = slash ? (size_t)(slash - user) : 0;
    if (nl && strncmp(name, user, nl) == 0 && name[nl] == '/')
      return WI_RS_PULL | WI_RS_PUSH | WI_RS_DELETE;
  }
  if (wi_regserver_storage_meta_read(a->root, name, &m, &err) == 0 && m.public_)
    return WI_RS_PULL;
  return 0;
}

static json_t *
actions_json(const char *type, unsigned bits)
{
  json_t *arr = json_array();
  if (strcmp(type, "registry") == 0) {
    if (bits & WI_RS_CATALOG)
      json_array_append_new(arr, json_string("*"));
    return arr;
  }
  if (bits & WI_RS_PULL)
    json_array_append_new(arr, json_string("pull"));
  if (bits & WI_RS_PUSH)
    json_array_append_new(arr, json_string("push"));
  if (bits & WI_RS_DELETE)
    json_array_append_new(arr, json_string("delete"));
  return arr;
}

static char *
b64url_json(json_t *j)
{
  char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  char *b = wi_base64_url_encode(s, strlen(s));
  free(s);
  return b;
}

static char *
sign(const struct wi_rs_auth *a, const char *input, size_t len)
{
  unsigned char mac[32];
  unsigned int maclen = 0;
  HMAC(EVP_sha256(), a->key, sizeof a->key, (const unsigned char *)input, len, mac, &maclen);
  return wi_base64_url_encode(mac, maclen);
}

int
wi_regserver_auth_issue(struct wi_rs_auth *a, const char *user, const struct wi_rs_scope *scopes,
                        size_t n, struct wi_buf *out, wi_err *err)
{
  char jti[33], issued[32];
  json_int_t now = (json_int_t)time(NULL);
  json_t *access = json_array();

  for (size_t i = 0; i < n; i++) {
    unsigned bits =
        scopes[i].actions & wi_regserver_auth_allowed(a, user, scopes[i].type, scopes[i].name);
    json_array_append_new(access,
                          json_pack("{s:s, s:s, s:o}", "type", scopes[i].type, "name",
                                    scopes[i].name, "actions", actions_json(scopes[i].type, bits)));
  }
  if (wi_util_random_hex(jti, 16, err) < 0) {
    json_decref(access);
    return err->code;
  }
  json_t *hdr = json_pack("{s:s, s:s}", "alg", "HS256", "typ", "JWT");
  json_t *claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:o}", "iss", WI_RS_SERVICE,
                             "sub", user ? user : "", "aud", WI_RS_SERVICE, "iat", now, "nbf",
                             now - 5, "exp", now + a->ttl, "jti", jti, "access", access);
  wi_autofree char *h64 = b64url_json(hdr);
  wi_autofree char *c64 = b64url_json(claims);
  json_decref(hdr);
  json_decref(claims);
  wi_autofree char *input = wi_xasprintf("%s.%s", h64, c64);
  wi_autofree char *sig = sign(a, input, strlen(input));
  wi_autofree char *tok = wi_xasprintf("%s.%s", input, sig);
  rfc3339_now(issued);
  json_t *resp = json_pack("{s:s, s:s, s:i, s:s}", "token", tok, "access_token", tok, "expires_in",
                           a->ttl, "issued_at", issued);
  char *s = json_dumps(resp, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(resp);
  int ret = wi_buf_adds(out, s, err);
  free(s);
  return ret;
}

static unsigned
action_bits(json_t *arr)
{
  unsigned bits = 0;
  size_t i;
  json_t *v;
  json_array_foreach (arr, i, v) {
    const char *s = json_string_value(v);
    if (s == NULL)
      continue;
    if (strcmp(s, "pull") == 0)
      bits |= WI_RS_PULL;
    else if (strcmp(s, "push") == 0)
      bits |= WI_RS_PUSH;
    else if (strcmp(s, "delete") == 0)
      bits |= WI_RS_DELETE;
    else if (strcmp(s, "*") == 0)
      bits |= WI_RS_CATALOG;
  }
  return bits;
}

int
wi_regserver_auth_verify(struct wi_rs_auth *a, const char *token, struct wi_rs_claims *c,
                         wi_err *err)
{
  const char *d1 = strchr(token, '.');
  const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
  size_t len = 0;

  memset(c, 0, sizeof *c);
  if (d1 == NULL || d2 == NULL || strlen(token) > 16384)
    return wi_err_set(err, WI_EAUTH, "malformed bearer token");
  wi_autofree char *sig = sign(a, token, (size_t)(d2 - token));
  if (strlen(sig) != strlen(d2 + 1) || CRYPTO_memcmp(sig, d2 + 1, strlen(sig)) != 0)
    return wi_err_set(err, WI_EAUTH, "bearer token signature does not verify");
  wi_autofree unsigned char *raw = wi_base64_url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &len);
  if (raw == NULL)
    return wi_err_set(err, WI_EAUTH, "malformed bearer token claims");
  json_t *j = json_loadb((const char *)raw, len, 0, NULL);
  json_int_t now = (json_int_t)time(NULL);
  json_int_t exp = json_integer_value(json_object_get(j, "exp"));
  json_int_t nbf = json_integer_value(json_object_get(j, "nbf"));
  const char *aud = json_string_value(json_object_get(j, "aud"));
  if (j == NULL || aud == NULL || strcmp(aud, WI_RS_SERVICE) != 0 || exp < now ||
      nbf > now + CLOCK_LEEWAY) {
    json_decref(j);
    return wi_err_set(err, WI_EAUTH, "bearer token expired or not for this registry");
  }
  const char *sub = json_string_value(json_object_get(j, "sub"));
  snprintf(c->sub, sizeof c->sub, "%s", sub ? sub : "");
  size_t i;
  json_t *g;
  json_array_foreach (json_object_get(j, "access"), i, g) {
    const char *type = json_string_value(json_object_get(g, "type"));
    const char *name = json_string_value(json_object_get(g, "name"));
    if (c->n >= WI_RS_MAX_GRANTS || type == NULL || name == NULL)
      continue;
    snprintf(c->grants[c->n].type, sizeof c->grants[c->n].type, "%s", type);
    snprintf(c->grants[c->n].name, sizeof c->grants[c->n].name, "%s", name);
    c->grants[c->n].actions = action_bits(json_object_get(g, "actions"));
    c->n++;
  }
  json_decref(j);
  return 0;
}

unsigned
wi_regserver_auth_claims_actions(const struct wi_rs_claims *c, const char *type, const char *name)
{
  unsigned bits = 0;
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->grants[i].type, type) == 0 && strcmp(c->grants[i].name, name) == 0)
      bits |= c->grants[i].actions;
  return bits;
}

/* ---- failed-login throttling ---- */

static double
mono_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An address as counted: IPv4 whole, IPv6 by its /64 (one host can hold a whole /64). */
static void
addr_key(const char *addr, char *out, size_t outlen)
{
  unsigned char a6[16];
  if (strchr(addr, ':') && inet_pton(AF_INET6, addr, a6) == 1) {
    snprintf(out, outlen, "a:%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", a6[0], a6[1], a6[2], a6[3],
             a6[4], a6[5], a6[6], a6[7]);
    return;
  }
  snprintf(out, outlen, "a:%s", addr);
}

static uint64_t
key_id(const struct wi_rs_auth *a, const char *key)
{
  unsigned char mac[32];
  unsigned int maclen = 0;
  uint64_t id = 0;

  HMAC(EVP_sha256(), a->key, sizeof a->key, (const unsigned char *)key, strlen(key), mac, &maclen);
  memcpy(&id, mac, sizeof id);
  return id ? id : 1;
}

/* The entry of key, or (create) a free or the stalest slot of its bucket. Call locked. */
static struct throttle_entry *
throttle_find(struct wi_rs_auth *a, const char *key, bool create, double now)
{
  uint64_t id = key_id(a, key);
  struct throttle_entry *b = &a->th[(id % THROTTLE_BUCKETS) * THROTTLE_WAYS], *victim = b;

  for (size_t i = 0; i < THROTTLE_WAYS; i++) {
    if (b[i].id == id) {
      if (now - b[i].last > WI_RS_THROTTLE_FORGET) { /* forgotten: start over */
        b[i].failures = 0;
        b[i].until = 0;
      }
      return &b[i];
    }
    if (b[i].id == 0 || b[i].last < victim->last)
      victim = &b[i];
  }
  if (!create)
    return NULL;
  memset(victim, 0, sizeof *victim);
  victim->id = id;
  return victim;
}

static unsigned
throttle_wait_key(struct wi_rs_auth *a, const char *key, double now)
{
  struct throttle_entry *e = throttle_find(a, key, false, now);
  if (e == NULL || e->until <= now)
    return 0;
  return (unsigned)(e->until - now) + 1;
}

unsigned
wi_regserver_auth_throttle_wait(struct wi_rs_auth *a, const char *user, const char *addr)
{
  char k[300];
  double now = mono_now();
  unsigned w = 0, w2;

  pthread_mutex_lock(&a->th_mu);
  if (user) {
    snprintf(k, sizeof k, "u:%s", user);
    w = throttle_wait_key(a, k, now);
  }
  if (addr && *addr) {
    addr_key(addr, k, sizeof k);
    w2 = throttle_wait_key(a, k, now);
    w = w2 > w ? w2 : w;
  }
  pthread_mutex_unlock(&a->th_mu);
  return w;
}

static unsigned
throttle_fail_key(struct wi_rs_auth *a, const char *key, double now)
{
  struct throttle_entry *e = throttle_find(a, key, true, now);
  e->failures++;
  e->last = now;
  if (e->failures > WI_RS_THROTTLE_FREE) {
    unsigned k = e->failures - WI_RS_THROTTLE_FREE - 1;
    double delay = k >= 16 ? WI_RS_THROTTLE_MAX_DELAY : (double)(1u << k);
    e->until = now + (delay > WI_RS_THROTTLE_MAX_DELAY ? WI_RS_THROTTLE_MAX_DELAY : delay);
  }
  return e->failures;
}

unsigned
wi_regserver_auth_throttle_fail(struct wi_rs_auth *a, const char *user, const char *addr)
{
  char k[300];
  double now = mono_now();
  unsigned n = 0;

  pthread_mutex_lock(&a->th_mu);
  if (addr && *addr) {
    addr_key(addr, k, sizeof k);
    n = throttle_fail_key(a, k, now);
  }
  if (user) {
    snprintf(k, sizeof k, "u:%s", user);
    n = throttle_fail_key(a, k, now);
  }
  pthread_mutex_unlock(&a->th_mu);
  return n;
}

void
wi_regserver_auth_throttle_ok(struct wi_rs_auth *a, const char *user)
{
  char k[300];

  snprintf(k, sizeof k, "u:%s", user);
  pthread_mutex_lock(&a->th_mu);
  struct throttle_entry *e = throttle_find(a, k, false, mono_now());
  if (e) {
    e->failures = 0;
    e->until = 0;
  }
  pthread_mutex_unlock(&a->th_mu);
}
