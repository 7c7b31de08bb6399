/* wlsimg: what `k8s` commands read from the user (secret files, env files, WebLogic credentials)
 * and the decisions of a rollout against a live Domain. See k8s.h. */
#include "lib/k8s.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/creds.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/util.h"

/* ---------------------------------------------------------------- key/value lists */

void
wi_k8s_input_kv_list_add_len(struct wi_k8s_kv_list *l, char *key, char *value, size_t len)
{
  l->v = wi_xreallocarray(l->v, l->n + 1, sizeof *l->v);
  l->v[l->n++] = (struct wi_k8s_kv){ key, value, len };
}

void
wi_k8s_input_kv_list_add(struct wi_k8s_kv_list *l, char *key, char *value)
{
  wi_k8s_input_kv_list_add_len(l, key, value, 0);
}

void
wi_k8s_input_kv_list_dispose(struct wi_k8s_kv_list *l, bool secret_values)
{
  for (size_t i = 0; i < l->n; i++) {
    char *v = (char *)(uintptr_t)l->v[i].value;
    free((void *)(uintptr_t)l->v[i].key);
    if (secret_values && v) /* a file's bytes may hold NUL: wipe by length */
      explicit_bzero(v, l->v[i].len ? l->v[i].len : strlen(v));
    free(v);
  }
  free(l->v);
  l->v = NULL;
  l->n = 0;
}

/* ---------------------------------------------------------------- secret files */

/* The whole file, wiped on every failure; WI_EINVAL when it holds a NUL byte (`what` is the
 * message for that case). */
static char *
read_text_secret(const char *path, size_t *len_out, const char *nul_msg, wi_err *err)
{
  char *data = NULL;
  size_t len = 0;

  if (wi_fs_read_file_secret(path, WI_K8S_MAX_SECRET_FILE, &data, &len, err) < 0)
    return NULL;
  if (memchr(data, '\0', len)) {
    explicit_bzero(data, len);
    free(data);
    wi_err_set(err, WI_EINVAL, "%s: %s", path, nul_msg);
    return NULL;
  }
  *len_out = len;
  return data;
}

char *
wi_k8s_input_read_secret_file(const char *path, const char *what, wi_err *err)
{
  size_t len = 0;
  char *data = read_text_secret(path, &len, "contains a NUL byte", err);

  if (data == NULL) {
    wi_err_wrap(err, "%s", what);
    return NULL;
  }
  while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
    data[--len] = '\0';
  if (len == 0) {
    free(data);
    wi_err_set(err, WI_EINVAL, "%s: %s is empty", what, path);
    return NULL;
  }
  return data;
}

char *
wi_k8s_input_read_value_file(const char *path, size_t *len_out, wi_err *err)
{
  char *data = NULL;

  if (wi_fs_read_file_secret(path, WI_K8S_MAX_SECRET_FILE, &data, len_out, err) < 0)
    return NULL;
  return data;
}

static int
file_key(struct wi_k8s_kv_list *l, char *key, const char *path, wi_err *err)
{
  size_t len = 0;
  char *value = NULL;

  if (wi_k8s_validate_secret_key("key name for a Secret", key, err) < 0) {
    free(key);
    return err->code;
  }
  value = wi_k8s_input_read_value_file(path, &len, err);
  if (value == NULL) {
    free(key);
    return err->code;
  }
  /* an empty file is an empty value: keep a length of 0 meaning strlen("") */
  wi_k8s_input_kv_list_add_len(l, key, value, len);
  return 0;
}

static int
cmp_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file directly in dir (kubectl reads the directory's entries and skips what is
 * not a regular file, symbolic links included), in name order. */
static int
dir_keys(struct wi_k8s_kv_list *l, const char *dir, wi_err *err)
{
  DIR *d = opendir(dir);
  char **names = NULL;
  size_t n = 0;
  int ret = 0;

  if (d == NULL)
    return wi_err_sys(err, WI_EIO, "--from-file %s", dir);
  for (struct dirent *e = readdir(d); e; e = readdir(d)) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    names = wi_xreallocarray(names, n + 1, sizeof *names);
    names[n++] = wi_xstrdup(e->d_name);
  }
  closedir(d);
  if (n > 1)
    qsort(names, n, sizeof *names, cmp_names);
  for (size_t i = 0; i < n && ret == 0; i++) {
    wi_autofree char *path = wi_xasprintf("%s/%s", dir, names[i]);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
      ret = file_key(l, wi_xstrdup(names[i]), path, err);
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return ret;
}

int
wi_k8s_input_from_file(struct wi_k8s_kv_list *l, const char *spec, wi_err *err)
{
  const char *eq = strchr(spec, '=');
  const char *path = eq ? eq + 1 : spec;
  struct stat st;

  if (*path == '\0' || (eq && eq == spec))
    return wi_err_set(err, WI_EINVAL, "--from-file %s: key names or file paths cannot be empty",
                      spec);
  if (stat(path, &st) < 0)
    return wi_err_sys(err, errno == ENOENT ? WI_ENOTFOUND : WI_EIO, "--from-file %s", path);
  if (S_ISDIR(st.st_mode)) {
    if (eq)
      return wi_err_set(err, WI_EINVAL,
                        "--from-file %s: cannot give a key name for a directory path", spec);
    return dir_keys(l, path, err);
  }
  const char *slash = strrchr(path, '/');
  char *key = eq ? wi_xstrndup(spec, (size_t)(eq - spec)) : wi_xstrdup(slash ? slash + 1 : path);
  if (file_key(l, key, path, err) < 0)
    return wi_err_wrap(err, "--from-file %s", spec);
  return 0;
}

/* ---------------------------------------------------------------- stored logins */

int
wi_k8s_input_login_creds(const char *server, const char *authfile, const char *username,
                         char **user_out, char **pass_out, wi_err *err)
{
  wi_autofree char *host = wi_k8s_server_host(server);
  struct wi_cred c = { 0 };
  int ret = wi_creds_lookup(host, NULL, authfile, &c, err);

  if (ret == WI_ENOTFOUND)
    return wi_err_set(err, WI_ENOTFOUND, "no stored login for %s; run wlsimg login %s", host, host);
  if (ret < 0)
    return ret;
  if (c.password == NULL || c.password[0] == '\0' || c.username == NULL || c.username[0] == '\0') {
    ret = wi_err_set(
        err, WI_EUNSUPPORTED,
        "the stored login for %s (%s) is a token, not a username and password; the "
        "kubelet cannot use it in a pull secret. Log in with a user name and password or "
        "auth token (wlsimg login -u USER --password-stdin %s)",
        host, c.source ? c.source : "credential store", host);
  } else if (username && strcmp(username, c.username) != 0) {
    ret =
        wi_err_set(err, WI_EINVAL, "--docker-username %s differs from the stored login for %s (%s)",
                   username, host, c.username);
  } else {
    *user_out = wi_xstrdup(c.username);
    *pass_out = wi_xstrdup(c.password);
  }
  wi_creds_dispose(&c);
  return ret;
}

/* ---------------------------------------------------------------- line parsers */

/* Calls line_fn for each line of text (without its LF or CRLF) with its number; stops at the
 * first failure. A NUL byte is refused: C strings would silently cut the value there. */
typedef int (*line_fn)(char *line, size_t line_no, void *payload, wi_err *err);

static int
for_each_line(char *text, size_t len, const char *what, line_fn fn, void *payload, wi_err *err)
{
  if (memchr(text, '\0', len))
    return wi_err_set(err, WI_EINVAL, "%s: contains a NUL byte", what);
  size_t line_no = 0;
  for (char *p = text; p < text + len;) {
    char *nl = memchr(p, '\n', (size_t)(text + len - p));
    char *end = nl ? nl : text + len;
    line_no++;
    if (end > p && end[-1] == '\r')
      end--;
    *end = '\0';
    int ret = fn(p, line_no, payload, err);
    if (ret < 0)
      return ret;
    p = nl ? nl + 1 : text + len;
  }
  return 0;
}

struct env_ctx {
  struct wi_k8s_kv_list *l;
  const char *what;
};

/* Go's unicode.IsSpace at p: the length of the white space character there, or 0. */
static size_t
space_len(const unsigned char *p, size_t n)
{
  uint32_t cp = 0;
  size_t len = wi_str_utf8_decode(p, n, &cp);

  if (len == 0)
    return 0;
  if (cp == '\t' || cp == '\n' || cp == '\v' || cp == '\f' || cp == '\r' || cp == ' ' ||
      cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
      cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000)
    return len;
  return 0;
}

static bool
valid_utf8(const char *s, size_t n)
{
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t len =
        (unsigned char)s[i] < 0x80 ? 1 : wi_str_utf8_decode((const void *)(s + i), n - i, &cp);
    if (len == 0)
      return false;
    i += len;
  }
  return true;
}

/* One line as kubectl's processEnvFileLine reads it. */
static int
env_line(char *line, size_t line_no, void *payload, wi_err *err)
{
  struct env_ctx *c = payload;
  size_t n = strlen(line), sp;

  if (!valid_utf8(line, n))
    return wi_err_set(err, WI_EINVAL, "%s:%zu: invalid UTF-8", c->what, line_no);
  if (line_no == 1 && wi_str_has_prefix(line, "\xEF\xBB\xBF"))
    line += 3;
  while ((sp = space_len((const unsigned char *)line, strlen(line))) > 0)
    line += sp;
  if (*line == '\0' || *line == '#')
    return 0;
  char *eq = strchr(line, '=');
  wi_autofree char *key = eq ? wi_xstrndup(line, (size_t)(eq - line)) : wi_xstrdup(line);
  if (wi_k8s_validate_env_name("key name", key, err) < 0)
    return wi_err_wrap(err, "%s:%zu", c->what, line_no);
  /* no '=': the value comes from the environment, as kubectl takes it */
  const char *env = eq ? NULL : getenv(key);
  wi_k8s_input_kv_list_add(c->l, wi_steal(&key), wi_xstrdup(eq ? eq + 1 : env ? env : ""));
  return 0;
}

int
wi_k8s_input_env_parse(struct wi_k8s_kv_list *l, const char *text, size_t len, const char *what,
                       wi_err *err)
{
  struct env_ctx c = { l, what };
  char *copy = wi_xmalloc(len + 1);

  memcpy(copy, text, len);
  copy[len] = '\0';
  int ret = for_each_line(copy, len, what, env_line, &c, err);
  explicit_bzero(copy, len + 1);
  free(copy);
  return ret;
}

int
wi_k8s_input_read_env_file(struct wi_k8s_kv_list *l, const char *path, wi_err *err)
{
  char *text = NULL;
  size_t len = 0;

  if (wi_fs_read_file_secret(path, WI_K8S_MAX_SECRET_FILE, &text, &len, err) < 0)
    return wi_err_wrap(err, "--from-env-file");
  int ret = wi_k8s_input_env_parse(l, text, len, path, err);
  explicit_bzero(text, len);
  free(text);
  return ret;
}

struct creds_ctx {
  bool kv_form;
  char *user, *pass;
};

static int
creds_line(char *line, size_t line_no, void *payload, wi_err *err)
{
  struct creds_ctx *c = payload;

  WI_UNUSED(err);
  if (!c->kv_form) {
    if (line_no == 1)
      c->user = wi_xstrdup(line);
    else if (line_no == 2)
      c->pass = wi_xstrdup(line);
    return 0;
  }
  if (*line == '#' || *line == '\0')
    return 0;
  if (wi_str_has_prefix(line, "username=") && c->user == NULL)
    c->user = wi_xstrdup(line + 9);
  else if (wi_str_has_prefix(line, "password=") && c->pass == NULL)
    c->pass = wi_xstrdup(line + 9);
  return 0;
}

int
wi_k8s_input_wls_creds_parse(const char *text, size_t len, bool kv_form, const char *what,
                             char **user_out, char **pass_out, wi_err *err)
{
  struct creds_ctx c = { .kv_form = kv_form };
  char *copy = wi_xmalloc(len + 1);

  memcpy(copy, text, len);
  copy[len] = '\0';
  int ret = for_each_line(copy, len, what, creds_line, &c, err);
  explicit_bzero(copy, len + 1);
  free(copy);
  if (ret == 0 && (!c.user || !*c.user || !c.pass || !*c.pass))
    ret = wi_err_set(
        err, WI_EINVAL,
        kv_form
            ? "WebLogic credentials from %s: expected username=… and password=… lines"
            : "WebLogic credentials from %s: expected the user name and the password on two lines",
        what);
  if (ret < 0) {
    wi_alloc_secret_free(c.user);
    wi_alloc_secret_free(c.pass);
    return ret;
  }
  *user_out = c.user;
  *pass_out = c.pass;
  return 0;
}

int
wi_k8s_input_read_wls_creds(const char *path, int fd, char **user_out, char **pass_out, wi_err *err)
{
  char *text = NULL;
  size_t len = 0;
  int ret = path ? wi_fs_read_file_secret(path, WI_K8S_MAX_SECRET_FILE, &text, &len, err)
                 : wi_fs_read_fd_secret(fd, "stdin", WI_K8S_MAX_SECRET_FILE, &text, &len, err);

  if (ret < 0)
    return wi_err_wrap(err, "WebLogic credentials");
  ret = wi_k8s_input_wls_creds_parse(text, len, path != NULL, path ? path : "stdin", user_out,
                                     pass_out, err);
  explicit_bzero(text, len);
  free(text);
  return ret;
}

/* ---------------------------------------------------------------- a Domain's secrets */

static void
push_obj(struct wi_k8s_obj ***objs, size_t *n, struct wi_k8s_obj *o)
{
  *objs = wi_xreallocarray(*objs, *n + 1, sizeof **objs);
  (*objs)[(*n)++] = o;
}

/* An Opaque secret labelled with the domain UID, appended to objs. */
static int
domain_secret(struct wi_k8s_obj ***objs, size_t *n, const struct wi_k8s_domain_secrets *a,
              const char *name, const struct wi_k8s_kv *data, size_t n_data, wi_err *err)
{
  struct wi_k8s_kv label = { "weblogic.domainUID", a->uid, 0 };
  struct wi_k8s_generic_secret gs = { .name = name,
                                      .ns = a->ns,
                                      .data = data,
                                      .n_data = n_data,
                                      .labels = &label,
                                      .n_labels = 1,
                                      .type = "Opaque" };
  struct wi_k8s_obj *o = NULL;

  if (wi_k8s_generic_secret(&o, &gs, err) < 0)
    return err->code;
  push_obj(objs, n, o);
  return 0;
}

static int
credentials_secret(struct wi_k8s_obj ***objs, size_t *n, const struct wi_k8s_domain_secrets *a,
                   wi_err *err)
{
  char *user = NULL, *pass = NULL;
  int ret = 0;

  if (a->credentials_user && a->credentials_password) {
    user = wi_xstrdup(a->credentials_user);
    pass = wi_xstrdup(a->credentials_password);
  } else {
    ret = wi_k8s_input_read_wls_creds(a->credentials_file, a->credentials_fd, &user, &pass, err);
  }
  if (ret == 0) {
    struct wi_k8s_kv data[] = { { "username", user, 0 }, { "password", pass, 0 } };
    ret = domain_secret(objs, n, a, a->credentials, data, 2, err);
  }
  wi_alloc_secret_free(user);
  wi_alloc_secret_free(pass);
  return ret;
}

/* The operator's rule for an OPSS wallet password: at least eight characters, letters combined
 * with digits or special characters. */
static bool
opss_password_ok(const char *pw)
{
  bool alpha = false, other = false;

  for (const char *p = pw; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
      alpha = true;
    else
      other = true;
  }
  return strlen(pw) >= 8 && alpha && other;
}

/* A random password of 32 hex digits with at least one letter and one digit. */
static char *
random_password(wi_err *err)
{
  char hex[33];

  for (int tries = 0; tries < 64; tries++) {
    if (wi_util_random_hex(hex, 16, err) < 0)
      return NULL;
    if (opss_password_ok(hex)) {
      char *pw = wi_xstrdup(hex);
      explicit_bzero(hex, sizeof hex);
      return pw;
    }
  }
  wi_err_set(err, WI_ERR, "could not generate a password");
  return NULL;
}

/* A one-key password secret whose value must stay the same for the domain's life (runtime
 * encryption, OPSS wallet): from file, else random; with apply an existing secret is kept. */
struct password_secret {
  const char *name, *key, *file, *what;
  const char *option; /* that names an existing secret next time */
  bool opss;
};

static int
password_secret(struct wi_k8s_obj ***objs, size_t *n, const struct wi_k8s_domain_secrets *a,
                const struct password_secret *p, wi_err *err)
{
  char *pw = NULL;
  bool exists = false;

  if (p->file) {
    pw = wi_k8s_input_read_secret_file(p->file, p->what, err);
    if (pw == NULL)
      return err->code;
    if (p->opss && !opss_password_ok(pw)) {
      wi_alloc_secret_free(pw);
      return wi_err_set(err, WI_EINVAL,
                        "%s in %s: the operator needs at least eight characters, letters combined "
                        "with digits or special characters",
                        p->what, p->file);
    }
  } else {
    if (a->apply && wi_k8s_kubectl_secret_exists(p->name, a->ns, &exists, err) < 0)
      return err->code;
    if (exists) {
      wi_log(WI_LOG_WARN, "keeping the existing secret %s (its %s must not change)", p->name,
             p->what);
      return 0;
    }
    pw = random_password(err);
    if (pw == NULL)
      return err->code;
    if (!a->apply)
      wi_log(WI_LOG_WARN,
             "generated a random %s for %s; apply this output once, and next time pass %s %s so "
             "that it stays the same",
             p->what, p->name, p->option, p->name);
  }
  struct wi_k8s_kv data[] = { { p->key, pw, 0 } };
  int ret = domain_secret(objs, n, a, p->name, data, 1, err);
  wi_alloc_secret_free(pw);
  return ret;
}

int
wi_k8s_input_domain_secrets_objects(struct wi_k8s_obj ***objs, size_t *n,
                                    const struct wi_k8s_domain_secrets *a, wi_err *err)
{
  if (a->credentials && credentials_secret(objs, n, a, err) < 0)
    return err->code;
  const struct password_secret pw[] = {
    { a->encryption, "password", a->encryption_file, "runtime encryption password",
      "--runtime-encryption-secret", false },
    { a->opss_password, "walletPassword", a->opss_password_file, "OPSS wallet password",
      "--opss-wallet-password-secret", true },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(pw); i++)
    if (pw[i].name && password_secret(objs, n, a, &pw[i], err) < 0)
      return err->code;
  if (a->opss_wallet) {
    size_t len = 0;
    char *wallet = wi_k8s_input_read_value_file(a->opss_wallet_file, &len, err);
    if (wallet == NULL)
      return wi_err_wrap(err, "OPSS wallet file");
    if (len == 0) {
      free(wallet);
      return wi_err_set(err, WI_EINVAL, "OPSS wallet file %s is empty", a->opss_wallet_file);
    }
    struct wi_k8s_kv data[] = { { "walletFile", wallet, len } };
    int ret = domain_secret(objs, n, a, a->opss_wallet, data, 1, err);
    explicit_bzero(wallet, len);
    free(wallet);
    if (ret < 0)
      return ret;
  }
  return 0;
}

/* ---------------------------------------------------------------- the model's secrets */

void
wi_k8s_input_secret_srcs_dispose(struct wi_k8s_secret_srcs *s)
{
  for (size_t i = 0; i < s->n; i++) {
    free(s->v[i].name);
    wi_k8s_input_kv_list_dispose(&s->v[i].data, true);
  }
  free(s->v);
  memset(s, 0, sizeof *s);
}

static struct wi_k8s_secret_src *
src_entry(struct wi_k8s_secret_srcs *s, const char *name)
{
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->v[i].name, name) == 0)
      return &s->v[i];
  s->v = wi_xreallocarray(s->v, s->n + 1, sizeof *s->v);
  struct wi_k8s_secret_src *e = &s->v[s->n++];
  memset(e, 0, sizeof *e);
  e->name = wi_xstrdup(name);
  return e;
}

int
wi_k8s_input_model_secret(struct wi_k8s_secret_srcs *s, const char *spec, wi_err *err)
{
  const char *eq = strchr(spec, '=');
  struct wi_k8s_kv_list add = { 0 };
  int ret = 0;

  if (eq == NULL || eq == spec || eq[1] == '\0')
    return wi_err_set(err, WI_EUSAGE,
                      "--model-secret %s: expected NAME=FILE (KEY=VALUE lines) or NAME:KEY=FILE",
                      spec);
  wi_autofree char *left = wi_xstrndup(spec, (size_t)(eq - spec));
  char *colon = strchr(left, ':');
  if (colon)
    *colon = '\0';
  if (wi_k8s_validate_subdomain("secret name", left, err) < 0)
    return wi_err_wrap(err, "--model-secret %s", spec);
  if (colon) {
    wi_autofree char *fspec = wi_xasprintf("%s=%s", colon + 1, eq + 1);
    struct stat st;
    if (stat(eq + 1, &st) == 0 && S_ISDIR(st.st_mode))
      ret = wi_err_set(err, WI_EINVAL, "%s is a directory; NAME:KEY=FILE takes a file", eq + 1);
    else
      ret = wi_k8s_input_from_file(&add, fspec, err);
  } else {
    ret = wi_k8s_input_read_env_file(&add, eq + 1, err);
  }
  struct wi_k8s_secret_src *e = ret == 0 ? src_entry(s, left) : NULL;
  for (size_t i = 0; ret == 0 && i < add.n; i++)
    for (size_t j = 0; ret == 0 && j < e->data.n; j++)
      if (strcmp(add.v[i].key, e->data.v[j].key) == 0)
        ret = wi_err_set(err, WI_EINVAL, "secret %s: key %s given twice", left, add.v[i].key);
  if (ret < 0) {
    wi_k8s_input_kv_list_dispose(&add, true);
    return wi_err_wrap(err, "--model-secret %s", spec);
  }
  for (size_t i = 0; i < add.n; i++)
    wi_k8s_input_kv_list_add_len(&e->data, (char *)(uintptr_t)add.v[i].key,
                                 (char *)(uintptr_t)add.v[i].value, add.v[i].len);
  free(add.v);
  return 0;
}

static const struct wi_k8s_secret_src *
given_secret(const struct wi_k8s_secret_srcs *g, const char *name)
{
  for (size_t i = 0; g && i < g->n; i++)
    if (strcmp(g->v[i].name, name) == 0)
      return &g->v[i];
  return NULL;
}

static bool
has_key(const struct wi_k8s_kv_list *l, const char *key)
{
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->v[i].key, key) == 0)
      return true;
  return false;
}

int
wi_k8s_input_model_secrets(struct wi_k8s_obj ***objs, size_t *n,
                           const struct wi_k8s_secret_srcs *given,
                           const struct wi_k8s_model_secrets *needs, const char *uid,
                           const char *ns, const char ***names_out, size_t *n_names_out,
                           const struct wi_k8s_model_secret ***missing_out, size_t *n_missing_out,
                           wi_err *err)
{
  size_t nn = needs ? needs->n : 0, ng = given ? given->n : 0;
  const char **names = wi_xcalloc(nn + ng + 1, sizeof *names);
  const struct wi_k8s_model_secret **missing = wi_xcalloc(nn + 1, sizeof *missing);
  size_t n_names = 0, n_missing = 0;
  struct wi_k8s_domain_secrets ds = { .uid = uid, .ns = ns };
  int ret = 0;

  for (size_t i = 0; i < nn && ret == 0; i++) {
    const struct wi_k8s_model_secret *need = &needs->v[i];
    const struct wi_k8s_secret_src *g = given_secret(given, need->name);
    names[n_names++] = need->name;
    if (g == NULL) {
      missing[n_missing++] = need;
      continue;
    }
    for (size_t k = 0; k < need->n_keys && ret == 0; k++)
      if (!has_key(&g->data, need->keys[k]))
        ret = wi_err_set(err, WI_EINVAL,
                         "secret %s: the model uses the key %s (%s), which --model-secret %s "
                         "does not give",
                         need->name, need->keys[k], need->where, need->name);
  }
  for (size_t i = 0; i < ng && ret == 0; i++) {
    const struct wi_k8s_secret_src *g = &given->v[i];
    bool used = false;
    for (size_t k = 0; k < nn && !used; k++)
      used = strcmp(needs->v[k].name, g->name) == 0;
    if (!used) {
      if (needs)
        wi_log(WI_LOG_WARN, "--model-secret %s: the model does not use this secret", g->name);
      names[n_names++] = g->name;
    }
    ret = domain_secret(objs, n, &ds, g->name, g->data.v, g->data.n, err);
  }
  if (ret < 0) {
    free(names);
    free(missing);
    return ret;
  }
  *names_out = names;
  *n_names_out = n_names;
  *missing_out = missing;
  *n_missing_out = n_missing;
  return 0;
}

/* ---------------------------------------------------------------- rollout decisions */

int
wi_k8s_input_find_aux(const struct wi_k8s_domain_state *st, const char *old, size_t *idx_out,
                      wi_err *err)
{
  size_t hits = 0, idx = 0;

  for (size_t i = 0; i < st->n_aux; i++)
    if (strcmp(st->aux_images[i], old) == 0) {
      *idx_out = i;
      return 0;
    }
  /* old without a tag or digest: the only image of that repository. */
  size_t ol = strcspn(old, "@");
  const char *colon = memrchr(old, ':', ol);
  if (colon == NULL || strchr(colon, '/'))
    for (size_t i = 0; i < st->n_aux; i++) {
      const char *s = st->aux_images[i];
      if (strncmp(s, old, ol) == 0 && (s[ol] == ':' || s[ol] == '@')) {
        idx = i;
        hits++;
      }
    }
  if (hits == 1) {
    *idx_out = idx;
    return 0;
  }
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  for (size_t i = 0; i < st->n_aux; i++)
    wi_buf_addf(&b, NULL, "%s[%zu] %s", i ? ", " : "", i, st->aux_images[i]);
  int ret = wi_err_set(err, WI_ENOTFOUND, "%s is not an auxiliary image of the domain (it has: %s)",
                       old, st->n_aux ? wi_buf_cstr(&b) : "none");
  wi_buf_dispose(&b);
  return ret;
}

int
wi_k8s_input_aux_rollout_plan(struct wi_k8s_aux_rollout *out, const struct wi_k8s_domain_state *st,
                              const char *uid, const char *old, const char *new_image,
                              int aux_index, const char *introspect_version, wi_err *err)
{
  size_t idx = 0;
  int ret;

  memset(out, 0, sizeof *out);
  if (aux_index >= 0) {
    idx = (size_t)aux_index;
    if (idx >= st->n_aux)
      return wi_err_set(err, WI_EINVAL,
                        "domain %s has %zu auxiliary images; --aux-index %zu is out of range", uid,
                        st->n_aux, idx);
    if (old && strcmp(st->aux_images[idx], old) != 0)
      return wi_err_set(err, WI_EINVAL, "auxiliary image %zu of domain %s is %s, not %s", idx, uid,
                        st->aux_images[idx], old);
  } else {
    if (old == NULL)
      return wi_err_set(err, WI_EUSAGE,
                        "--aux-image NEW needs --aux-index I (or use --aux-image OLD=NEW)");
    ret = wi_k8s_input_find_aux(st, old, &idx, err);
    if (ret < 0)
      return ret;
  }
  out->index = idx;
  out->old_image = wi_xstrdup(st->aux_images[idx]);
  if (introspect_version)
    out->introspect_version = wi_xstrdup(introspect_version);
  if (strcmp(st->aux_images[idx], new_image) == 0 && introspect_version == NULL) {
    /* Same string: only an introspectVersion change makes the operator look again. */
    out->same_tag = true;
    out->introspect_version = wi_k8s_next_version(st->introspect_version);
    out->pull_policy =
        st->aux_pull_policies[idx] ? st->aux_pull_policies[idx] : wi_k8s_pull_policy(new_image);
  }
  return 0;
}

void
wi_k8s_input_aux_rollout_dispose(struct wi_k8s_aux_rollout *r)
{
  free(r->old_image);
  free(r->introspect_version);
  memset(r, 0, sizeof *r);
}
