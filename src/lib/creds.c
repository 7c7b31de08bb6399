/* wlsimg: registry credentials in docker config.json, containers auth.json and credential helpers.
 *
 * Two file flavours share one format: docker's config.json (keys are host names or URLs, matched
 * by host) and containers' auth.json (keys may also be host/namespace/repo, most specific first;
 * URL keys are legacy and matched by host). Both may name credential helpers, which run as
 * docker-credential-<name> with secrets only on their stdin and stdout.
 */
#include "lib/creds.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/util.h"

#define MAX_CONFIG_BYTES (4 * 1024 * 1024)
#define MAX_HELPER_OUT   (1024 * 1024)
#define DOCKER_HUB_KEY   "https://index.docker.io/v1/"

extern char **environ;

enum flavour { DOCKER_CONFIG, CONTAINERS_AUTH };

static void
secret_freep(char **p)
{
  if (*p)
    wi_alloc_secret_free(*p);
}
#define autosecret __attribute__((cleanup(secret_freep)))

void
wi_creds_dispose(struct wi_cred *c)
{
  if (c == NULL)
    return;
  free(c->username);
  wi_alloc_secret_free(c->password);
  wi_alloc_secret_free(c->identity_token);
  wi_alloc_secret_free(c->registry_token);
  free(c->source);
  memset(c, 0, sizeof *c);
}

/* ---- host names and keys ---------------------------------------------------------------- */

static bool
is_docker_hub(const char *h, size_t len)
{
  static const char *const names[] = { "docker.io", "index.docker.io", "registry-1.docker.io" };
  for (size_t i = 0; i < WI_ARRAY_SIZE(names); i++)
    if (strlen(names[i]) == len && strncasecmp(h, names[i], len) == 0)
      return true;
  return false;
}

static bool
same_host(const char *a, size_t alen, const char *b)
{
  size_t blen = strlen(b);
  if (is_docker_hub(a, alen) && is_docker_hub(b, blen))
    return true;
  return alen == blen && strncasecmp(a, b, alen) == 0;
}

/* The host a file key stands for, or false when the key is a containers namespace key
 * ("host/ns/repo"), which only matches exactly. */
static bool
key_host(const char *key, enum flavour fl, const char **h, size_t *len)
{
  const char *p = key;
  bool url = false;
  if (wi_str_has_prefix(p, "https://")) {
    p += 8;
    url = true;
  } else if (wi_str_has_prefix(p, "http://")) {
    p += 7;
    url = true;
  }
  size_t n = strcspn(p, "/");
  if (!url && fl == CONTAINERS_AUTH && p[n] == '/')
    return false;
  *h = p;
  *len = n;
  return true;
}

static bool
key_matches_host(const char *key, enum flavour fl, const char *host)
{
  const char *h;
  size_t len;
  return key_host(key, fl, &h, &len) && same_host(h, len, host);
}

char *
wi_creds_config_key(const char *host)
{
  if (is_docker_hub(host, strlen(host)))
    return wi_xstrdup(DOCKER_HUB_KEY);
  return wi_xstrdup(host);
}

char *
wi_creds_registry_host(const char *arg)
{
  const char *p = arg;
  if (wi_str_has_prefix(p, "https://"))
    p += 8;
  else if (wi_str_has_prefix(p, "http://"))
    p += 7;
  return wi_xstrndup(p, strcspn(p, "/"));
}

/* Key written into a file for host. */
static char *
file_key(const char *host, enum flavour fl)
{
  if (fl == CONTAINERS_AUTH)
    return wi_xstrdup(is_docker_hub(host, strlen(host)) ? "docker.io" : host);
  return wi_creds_config_key(host);
}

char *
wi_creds_docker_config_path(void)
{
  const char *dir = getenv("DOCKER_CONFIG");
  if (dir && *dir)
    return wi_xasprintf("%s/config.json", dir);
  return wi_xasprintf("%s/.docker/config.json", wi_util_home_dir());
}

/* ---- reading and writing the files ------------------------------------------------------ */

/* A config file's text (empty: an empty object) as a JSON object. */
static int
parse_config(const char *data, size_t len, const char *path, json_t **out, wi_err *err)
{
  json_error_t jerr;
  json_t *root = len ? json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr) : json_object();
  /* jerr.text can quote file contents (secrets): only the position goes into the message */
  if (root == NULL)
    return wi_err_set(err, WI_EINVAL, "%s: invalid JSON at line %d, column %d", path, jerr.line,
                      jerr.column);
  if (!json_is_object(root)) {
    json_decref(root);
    return wi_err_set(err, WI_EINVAL, "%s: expected a JSON object", path);
  }
  *out = root;
  return 0;
}

/* Load a config file; a missing or empty file is an empty object when missing_ok. */
static int
load_config(const char *path, bool missing_ok, json_t **out, wi_err *err)
{
  char *data = NULL;
  size_t len = 0;
  int ret = wi_fs_read_file_secret(path, MAX_CONFIG_BYTES, &data, &len, err);
  if (ret == WI_ENOTFOUND && missing_ok) {
    *out = json_object();
    return 0;
  }
  if (ret < 0)
    return ret;
  ret = parse_config(data, len, path, out, err);
  explicit_bzero(data, len);
  free(data);
  return ret;
}

/* Serialise like docker (tab indentation) and write atomically, 0600 in a 0700 directory. */
static int
save_config(const char *path, json_t *root, wi_err *err)
{
  char *text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
  if (text == NULL)
    return wi_err_set(err, WI_ERR, "%s: cannot serialise JSON", path);
  /* jansson indents with spaces; strings cannot contain raw newlines, so leading spaces of each
   * line are indentation only */
  size_t n = strlen(text);
  struct wi_buf b = WI_BUF_INIT(MAX_CONFIG_BYTES * 2);
  int ret = 0;
  for (size_t i = 0; i < n && ret == 0;) {
    size_t sp = 0;
    while (text[i + sp] == ' ')
      sp++;
    for (size_t k = 0; k < sp && ret == 0; k++)
      ret = wi_buf_add(&b, "\t", 1, err);
    i += sp;
    const char *nl = strchr(text + i, '\n');
    size_t line = nl ? (size_t)(nl - (text + i)) + 1 : n - i;
    if (ret == 0)
      ret = wi_buf_add(&b, text + i, line, err);
    i += line;
  }
  if (ret == 0)
    ret = wi_buf_add(&b, "\n", 1, err);
  explicit_bzero(text, n);
  free(text);

  wi_autofree char *dir = wi_xstrdup(path);
  char *slash = strrchr(dir, '/');
  if (ret == 0 && slash && slash != dir) {
    *slash = '\0';
    ret = wi_fs_mkdir_p(dir, 0700, err);
  }
  if (ret == 0)
    ret = wi_fs_write_file_atomic(path, b.data, b.len, 0600, err);
  wi_buf_dispose_secret(&b);
  return ret;
}

/* ---- credential helpers ----------------------------------------------------------------- */

struct helper_result {
  int status; /* exit status; -1 when killed */
  char *out;  /* stdout, NUL-terminated (may hold secrets) */
  size_t len;
};

static void
helper_result_dispose(struct helper_result *r)
{
  if (r->out) {
    explicit_bzero(r->out, r->len);
    free(r->out);
  }
  r->out = NULL;
}

/* Run docker-credential-<name> <action> with input on stdin. The child's stdin is a socket so
 * that a helper exiting early cannot kill us with SIGPIPE (send with MSG_NOSIGNAL).
 * WI_EUNSUPPORTED when the helper is not installed. */
static int
run_helper(const char *name, const char *action, const char *input, struct helper_result *res,
           wi_err *err)
{
  int in[2] = { -1, -1 }, out[2] = { -1, -1 };
  posix_spawn_file_actions_t fa;
  pid_t pid;
  int ret = 0;

  memset(res, 0, sizeof *res);
  if (*name == '\0' || strchr(name, '/'))
    return wi_err_set(err, WI_EINVAL, "invalid credential helper name \"%s\"", name);
  wi_autofree char *prog = wi_xasprintf("docker-credential-%s", name);
  wi_autofree char *act = wi_xstrdup(action);
  char *argv[] = { prog, act, NULL };
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0 || pipe2(out, O_CLOEXEC) < 0) {
    ret = wi_err_sys(err, WI_EIO, "%s %s: cannot create pipes", prog, action);
    goto out;
  }
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[1], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  int rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[1]);
  close(out[1]);
  in[1] = out[1] = -1;
  if (rc != 0) {
    errno = rc;
    ret = wi_err_sys(err, rc == ENOENT ? WI_EUNSUPPORTED : WI_EIO, "credential helper %s", prog);
    goto out;
  }
  size_t left = strlen(input);
  const char *p = input;
  while (left > 0) {
    ssize_t n = send(in[0], p, left, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break; /* the helper stopped reading: its exit status tells what happened */
    p += n;
    left -= (size_t)n;
  }
  close(in[0]);
  in[0] = -1;
  wi_err rerr = { 0 };
  int rret =
      wi_fs_read_fd_secret(out[0], "its output", MAX_HELPER_OUT, &res->out, &res->len, &rerr);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  res->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  if (rret < 0)
    ret = wi_err_set(err, rret, "%s %s: %s", prog, action, rerr.msg);
out:
  for (int i = 0; i < 2; i++) {
    if (in[i] >= 0)
      close(in[i]);
    if (out[i] >= 0)
      close(out[i]);
  }
  if (ret < 0)
    helper_result_dispose(res);
  return ret;
}

static bool
helper_not_found(const struct helper_result *r)
{
  return r->out && strstr(r->out, "credentials not found") != NULL;
}

/* Error for a helper's failure: its stdout carries the message (not secrets). */
static int
helper_failed(const char *name, const char *action, const struct helper_result *r, wi_err *err)
{
  const char *msg = r->out ? r->out : "";
  size_t len = strlen(msg);
  while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r' || msg[len - 1] == ' '))
    len--;
  if (r->status < 0)
    return wi_err_set(err, WI_ERR, "docker-credential-%s %s: killed by a signal", name, action);
  return wi_err_set(err, WI_ERR, "docker-credential-%s %s: exit status %d%s%.300s", name, action,
                    r->status, len ? ": " : "", msg);
}

static int
helper_get(const char *name, const char *host, struct wi_cred *out, wi_err *err)
{
  wi_autofree char *url = wi_creds_config_key(host);
  wi_autofree char *input = wi_xasprintf("%s\n", url);
  struct helper_result r;
  int ret = run_helper(name, "get", input, &r, err);
  if (ret < 0)
    return ret;
  if (r.status != 0) {
    ret = helper_not_found(&r)
              ? wi_err_set(err, WI_ENOTFOUND, "docker-credential-%s: no credentials for %s", name,
                           host)
              : helper_failed(name, "get", &r, err);
    helper_result_dispose(&r);
    return ret;
  }
  ret = wi_creds_parse_helper_output(name, r.out, r.len, out, err);
  helper_result_dispose(&r);
  return ret;
}

int
wi_creds_parse_helper_output(const char *name, const char *data, size_t len, struct wi_cred *out,
                             wi_err *err)
{
  json_error_t jerr;
  json_auto_t *j = json_loadb(data, len, 0, &jerr);
  const char *user = json_string_value(json_object_get(j, "Username"));
  const char *secret = json_string_value(json_object_get(j, "Secret"));
  if (j == NULL || !json_is_object(j) || secret == NULL)
    return wi_err_set(err, WI_EPROTO, "docker-credential-%s get: expected JSON with \"Secret\"",
                      name);
  memset(out, 0, sizeof *out);
  if (user && strcmp(user, "<token>") == 0) {
    out->identity_token = wi_xstrdup(secret);
  } else {
    out->username = user && *user ? wi_xstrdup(user) : NULL;
    out->password = wi_xstrdup(secret);
  }
  out->source = wi_xasprintf("docker-credential-%s", name);
  return 0;
}

static int
helper_store(const char *name, const char *host, const struct wi_cred *c, wi_err *err)
{
  wi_autofree char *url = wi_creds_config_key(host);
  bool tok = c->identity_token != NULL;
  json_auto_t *j = json_pack("{s:s, s:s, s:s}", "ServerURL", url, "Username",
                             tok ? "<token>" : (c->username ? c->username : ""), "Secret",
                             tok ? c->identity_token : (c->password ? c->password : ""));
  if (j == NULL)
    return wi_err_set(err, WI_EINVAL, "docker-credential-%s store: credentials are not valid UTF-8",
                      name);
  autosecret char *input = json_dumps(j, JSON_COMPACT);
  struct helper_result r;
  int ret = run_helper(name, "store", input, &r, err);
  if (ret == 0 && r.status != 0)
    ret = helper_failed(name, "store", &r, err);
  helper_result_dispose(&r);
  return ret;
}

/* WI_ENOTFOUND when the helper had nothing. */
static int
helper_erase(const char *name, const char *host, wi_err *err)
{
  wi_autofree char *url = wi_creds_config_key(host);
  wi_autofree char *input = wi_xasprintf("%s\n", url);
  struct helper_result r;
  int ret = run_helper(name, "erase", input, &r, err);
  if (ret == 0 && r.status != 0)
    ret = helper_not_found(&r) ? WI_ENOTFOUND : helper_failed(name, "erase", &r, err);
  helper_result_dispose(&r);
  return ret;
}

/* ---- lookup ----------------------------------------------------------------------------- */

/* credHelpers entry for host, else credsStore, else NULL. */
static const char *
helper_for(json_t *root, enum flavour fl, const char *host)
{
  json_t *helpers = json_object_get(root, "credHelpers");
  const char *key;
  json_t *v;
  json_object_foreach (helpers, key, v) {
    if (json_is_string(v) && key_matches_host(key, fl, host))
      return json_string_value(v);
  }
  const char *store = json_string_value(json_object_get(root, "credsStore"));
  return store && *store ? store : NULL;
}

/* One auths entry → credentials. WI_ENOTFOUND for an empty marker ({}). */
static int
parse_entry(json_t *e, const char *path, const char *key, struct wi_cred *out, wi_err *err)
{
  if (!json_is_object(e))
    return wi_err_set(err, WI_EINVAL, "%s: auths.\"%s\": expected an object", path, key);
  struct wi_cred c = { 0 };
  const char *auth = json_string_value(json_object_get(e, "auth"));
  if (auth && *auth) {
    size_t len = 0;
    unsigned char *raw = wi_base64_decode(auth, &len);
    char *colon = raw ? memchr(raw, ':', len) : NULL;
    if (colon == NULL || colon == (char *)raw) {
      if (raw) {
        explicit_bzero(raw, len);
        free(raw);
      }
      return wi_err_set(err, WI_EINVAL,
                        "%s: auths.\"%s\".auth: expected base64 of \"user:password\"", path, key);
    }
    size_t plen = len - (size_t)(colon + 1 - (char *)raw);
    while (plen && colon[plen] == '\0') /* trailing NULs, as docker trims them */
      plen--;
    c.username = wi_xstrndup((char *)raw, (size_t)(colon - (char *)raw));
    c.password = wi_xstrndup(colon + 1, plen);
    explicit_bzero(raw, len);
    free(raw);
  } else {
    const char *u = json_string_value(json_object_get(e, "username"));
    const char *p = json_string_value(json_object_get(e, "password"));
    if (u && *u && p) {
      c.username = wi_xstrdup(u);
      c.password = wi_xstrdup(p);
    }
  }
  const char *it = json_string_value(json_object_get(e, "identitytoken"));
  const char *rt = json_string_value(json_object_get(e, "registrytoken"));
  if (it && *it)
    c.identity_token = wi_xstrdup(it);
  if (rt && *rt)
    c.registry_token = wi_xstrdup(rt);
  if (c.password == NULL && c.identity_token == NULL && c.registry_token == NULL) {
    wi_creds_dispose(&c);
    return WI_ENOTFOUND;
  }
  c.source = wi_xstrdup(path);
  *out = c;
  return 0;
}

static int
lookup_auths(json_t *root, const char *path, enum flavour fl, const char *host,
             const char *repo_path, struct wi_cred *out, wi_err *err)
{
  json_t *auths = json_object_get(root, "auths");
  if (auths == NULL)
    return WI_ENOTFOUND;
  if (!json_is_object(auths))
    return wi_err_set(err, WI_EINVAL, "%s: auths: expected an object", path);
  /* containers: host/ns/repo, host/ns, … most specific first */
  if (fl == CONTAINERS_AUTH && repo_path && *repo_path) {
    wi_autofree char *k =
        wi_xasprintf("%s/%s", is_docker_hub(host, strlen(host)) ? "docker.io" : host, repo_path);
    for (;;) {
      char *slash = strrchr(k, '/');
      if (slash == NULL)
        break;
      json_t *e = json_object_get(auths, k);
      if (e) {
        int ret = parse_entry(e, path, k, out, err);
        if (ret != WI_ENOTFOUND)
          return ret;
      }
      *slash = '\0';
    }
  }
  /* the exact key, then any key naming the same host */
  wi_autofree char *exact = file_key(host, fl);
  json_t *e = json_object_get(auths, exact);
  if (e) {
    int ret = parse_entry(e, path, exact, out, err);
    if (ret != WI_ENOTFOUND)
      return ret;
  }
  const char *key;
  json_t *v;
  json_object_foreach (auths, key, v) {
    if (strcmp(key, exact) == 0 || !key_matches_host(key, fl, host))
      continue;
    int ret = parse_entry(v, path, key, out, err);
    if (ret != WI_ENOTFOUND)
      return ret;
  }
  return WI_ENOTFOUND;
}

int
wi_creds_parse_file(const char *data, size_t len, const char *path, bool containers,
                    const char *host, const char *repo_path, struct wi_cred *out, char **helper_out,
                    wi_err *err)
{
  json_t *root = NULL;
  enum flavour fl = containers ? CONTAINERS_AUTH : DOCKER_CONFIG;

  memset(out, 0, sizeof *out);
  *helper_out = NULL;
  int ret = parse_config(data, len, path, &root, err);
  if (ret < 0)
    return ret;
  json_auto_t *r = root;
  const char *helper = helper_for(r, fl, host);
  if (helper)
    *helper_out = wi_xstrdup(helper);
  return lookup_auths(r, path, fl, host, repo_path, out, err);
}

static int
lookup_file(const char *path, enum flavour fl, const char *host, const char *repo_path,
            struct wi_cred *out, wi_err *err)
{
  json_t *root = NULL;
  int ret = load_config(path, false, &root, err);
  if (ret == WI_ENOTFOUND)
    return WI_ENOTFOUND;
  if (ret < 0)
    return ret;
  json_auto_t *r = root;
  const char *helper = helper_for(r, fl, host);
  if (helper) {
    ret = helper_get(helper, host, out, err);
    if (ret == 0 || ret != WI_ENOTFOUND) {
      if (ret == WI_EUNSUPPORTED) {
        /* a config copied from another machine ("desktop"): anonymous access may still work */
        wi_log(WI_LOG_WARN, "%s: %s", path, err->msg);
      } else {
        return ret;
      }
    }
  }
  return lookup_auths(r, path, fl, host, repo_path, out, err);
}

/* The file named by --authfile or REGISTRY_AUTH_FILE, if any. */
static const char *
user_authfile(const char *authfile)
{
  if (authfile && *authfile)
    return authfile;
  const char *env = getenv("REGISTRY_AUTH_FILE");
  return env && *env ? env : NULL;
}

int
wi_creds_lookup(const char *host, const char *repo_path, const char *authfile, struct wi_cred *out,
                wi_err *err)
{
  const char *uf = user_authfile(authfile);
  int ret;

  memset(out, 0, sizeof *out);
  if (uf) {
    /* like containers-image: a user-specified file replaces the default locations */
    ret = lookup_file(uf, CONTAINERS_AUTH, host, repo_path, out, err);
    if (ret == WI_ENOTFOUND)
      return wi_err_set(err, WI_ENOTFOUND, "no credentials for %s in %s", host, uf);
    return ret;
  }
  const char *xdg_run = getenv("XDG_RUNTIME_DIR");
  const char *xdg_cfg = getenv("XDG_CONFIG_HOME");
  wi_autofree char *run_path =
      xdg_run && *xdg_run ? wi_xasprintf("%s/containers/auth.json", xdg_run) : NULL;
  wi_autofree char *cfg_path =
      xdg_cfg && *xdg_cfg ? wi_xasprintf("%s/containers/auth.json", xdg_cfg)
                          : wi_xasprintf("%s/.config/containers/auth.json", wi_util_home_dir());
  wi_autofree char *docker_path = wi_creds_docker_config_path();
  const struct {
    const char *path;
    enum flavour fl;
  } files[] = { { run_path, CONTAINERS_AUTH },
                { cfg_path, CONTAINERS_AUTH },
                { docker_path, DOCKER_CONFIG } };
  for (size_t i = 0; i < WI_ARRAY_SIZE(files); i++) {
    if (files[i].path == NULL)
      continue;
    ret = lookup_file(files[i].path, files[i].fl, host, repo_path, out, err);
    if (ret != WI_ENOTFOUND)
      return ret;
  }
  return wi_err_set(err, WI_ENOTFOUND, "no credentials for %s", host);
}

/* ---- store and erase -------------------------------------------------------------------- */

/* Where store and erase write: the user's authfile (containers format) or docker's config.json. */
static char *
target_file(const char *authfile, enum flavour *fl)
{
  const char *uf = user_authfile(authfile);
  *fl = uf ? CONTAINERS_AUTH : DOCKER_CONFIG;
  return uf ? wi_xstrdup(uf) : wi_creds_docker_config_path();
}

static json_t *
entry_for(const struct wi_cred *c)
{
  json_t *e = json_object();
  if (c->username || c->password) {
    autosecret char *plain =
        wi_xasprintf("%s:%s", c->username ? c->username : "", c->password ? c->password : "");
    autosecret char *b64 = wi_base64_encode(plain, strlen(plain));
    json_object_set_new(e, "auth", json_string(b64));
  }
  if (c->identity_token)
    json_object_set_new(e, "identitytoken", json_string(c->identity_token));
  if (c->registry_token)
    json_object_set_new(e, "registrytoken", json_string(c->registry_token));
  return e;
}

int
wi_creds_store(const char *host, const struct wi_cred *c, const char *authfile, char **where_out,
               wi_err *err)
{
  enum flavour fl;
  wi_autofree char *path = target_file(authfile, &fl);
  json_t *root = NULL;
  int ret = load_config(path, true, &root, err);
  if (ret < 0)
    return ret;
  json_auto_t *r = root;
  json_t *auths = json_object_get(r, "auths");
  if (auths == NULL) {
    auths = json_object();
    json_object_set_new(r, "auths", auths);
  } else if (!json_is_object(auths)) {
    return wi_err_set(err, WI_EINVAL, "%s: auths: expected an object", path);
  }
  wi_autofree char *key = file_key(host, fl);
  const char *helper = helper_for(r, fl, host);
  if (helper) {
    ret = helper_store(helper, host, c, err);
    if (ret < 0)
      return ret;
    /* docker keeps an empty entry as the "logged in" marker */
    json_object_set_new(auths, key, json_object());
  } else {
    json_t *e = entry_for(c);
    if (json_object_size(e) == 0) {
      json_decref(e);
      return wi_err_set(err, WI_EINVAL, "no credentials to store for %s", host);
    }
    json_object_set_new(auths, key, e);
  }
  ret = save_config(path, r, err);
  if (ret < 0)
    return ret;
  if (where_out)
    *where_out = helper ? wi_xasprintf("docker-credential-%s", helper) : wi_steal(&path);
  return 0;
}

int
wi_creds_erase(const char *host, const char *authfile, wi_err *err)
{
  enum flavour fl;
  wi_autofree char *path = target_file(authfile, &fl);
  json_t *root = NULL;
  int ret = load_config(path, false, &root, err);
  if (ret == WI_ENOTFOUND)
    return wi_err_set(err, WI_ENOTFOUND, "not logged in to %s (%s does not exist)", host, path);
  if (ret < 0)
    return ret;
  json_auto_t *r = root;
  bool removed = false;
  const char *helper = helper_for(r, fl, host);
  if (helper) {
    ret = helper_erase(helper, host, err);
    if (ret < 0 && ret != WI_ENOTFOUND)
      return ret;
    removed = ret == 0;
  }
  json_t *auths = json_object_get(r, "auths");
  const char *key;
  json_t *v;
  void *tmp;
  json_object_foreach_safe(auths, tmp, key, v)
  {
    if (key_matches_host(key, fl, host)) {
      json_object_del(auths, key);
      removed = true;
    }
  }
  if (!removed)
    return wi_err_set(err, WI_ENOTFOUND, "not logged in to %s", host);
  return save_config(path, r, err);
}
