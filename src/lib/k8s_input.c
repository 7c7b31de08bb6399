/* wlsimg: what `k8s` commands read from the user (secret files, env files, WebLogic credentials)
 * and the decisions of a rollout against a live Domain. See k8s.h. */
#include "lib/k8s.h"

#include <stdlib.h>
#include <string.h>
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
wi_k8s_input_kv_list_add(struct wi_k8s_kv_list *l, char *key, char *value)
{
  l->v = wi_xreallocarray(l->v, l->n + 1, sizeof *l->v);
  l->v[l->n++] = (struct wi_k8s_kv){ key, value };
}

void
wi_k8s_input_kv_list_dispose(struct wi_k8s_kv_list *l, bool secret_values)
{
  for (size_t i = 0; i < l->n; i++) {
    free((void *)(uintptr_t)l->v[i].key);
    if (secret_values)
      wi_alloc_secret_free((char *)(uintptr_t)l->v[i].value);
    else
      free((void *)(uintptr_t)l->v[i].value);
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
wi_k8s_input_read_value_file(const char *path, wi_err *err)
{
  size_t len = 0;
  return read_text_secret(path, &len, "binary files are not supported", err);
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

static int
env_line(char *line, size_t line_no, void *payload, wi_err *err)
{
  struct env_ctx *c = payload;

  while (*line == ' ' || *line == '\t')
    line++;
  if (*line == '\0' || *line == '#')
    return 0;
  char *eq = strchr(line, '=');
  if (eq == NULL || eq == line)
    return wi_err_set(err, WI_EINVAL, "%s:%zu: expected KEY=VALUE", c->what, line_no);
  wi_k8s_input_kv_list_add(c->l, wi_xstrndup(line, (size_t)(eq - line)), wi_xstrdup(eq + 1));
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

int
wi_k8s_input_domain_secrets_objects(struct wi_k8s_obj ***objs, size_t *n,
                                    const struct wi_k8s_domain_secrets *a, wi_err *err)
{
  struct wi_k8s_kv label = { "weblogic.domainUID", a->uid };
  const char *cred_name = a->credentials, *enc_name = a->encryption;
  struct wi_k8s_obj *o = NULL;
  int ret = 0;

  if (cred_name) {
    char *user = NULL, *pass = NULL;
    ret = wi_k8s_input_read_wls_creds(a->credentials_file, a->credentials_fd, &user, &pass, err);
    if (ret == 0) {
      struct wi_k8s_kv data[] = { { "username", user }, { "password", pass } };
      struct wi_k8s_generic_secret gs = { .name = cred_name,
                                          .ns = a->ns,
                                          .data = data,
                                          .n_data = 2,
                                          .labels = &label,
                                          .n_labels = 1,
                                          .type = "Opaque" };
      ret = wi_k8s_generic_secret(&o, &gs, err);
      if (ret == 0)
        push_obj(objs, n, o);
    }
    wi_alloc_secret_free(user);
    wi_alloc_secret_free(pass);
    if (ret < 0)
      return ret;
  }
  if (enc_name) {
    char *pw = NULL;
    bool exists = false;
    if (a->encryption_file) {
      pw = wi_k8s_input_read_secret_file(a->encryption_file, "runtime encryption password", err);
      if (pw == NULL)
        return err->code;
    } else {
      if (a->apply && wi_k8s_kubectl_secret_exists(enc_name, a->ns, &exists, err) < 0)
        return err->code;
      if (exists) {
        wi_log(
            WI_LOG_WARN,
            "keeping the existing secret %s (its password must not change during the domain's life)",
            enc_name);
        return 0;
      }
      char hex[33];
      if (wi_util_random_hex(hex, 16, err) < 0)
        return err->code;
      pw = wi_xstrdup(hex);
      explicit_bzero(hex, sizeof hex);
      if (!a->apply)
        wi_log(WI_LOG_WARN,
               "generated a random password for %s; apply this output once, and next time pass "
               "--runtime-encryption-secret %s so that it stays the same",
               enc_name, enc_name);
    }
    struct wi_k8s_kv data[] = { { "password", pw } };
    struct wi_k8s_generic_secret gs = { .name = enc_name,
                                        .ns = a->ns,
                                        .data = data,
                                        .n_data = 1,
                                        .labels = &label,
                                        .n_labels = 1,
                                        .type = "Opaque" };
    ret = wi_k8s_generic_secret(&o, &gs, err);
    wi_alloc_secret_free(pw);
    if (ret == 0)
      push_obj(objs, n, o);
  }
  return ret;
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
