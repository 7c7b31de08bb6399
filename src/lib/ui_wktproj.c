/* wlsimg ui: WKT UI projects (.wktproj) read into a wlsimg project, credentials decrypted. */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/json.h"
#include "lib/ref.h"
#include "lib/str.h"
#include "lib/ui_wktproj.h"
#include "lib/util.h"

#define autojson __attribute__((cleanup(json_decrefp)))

#define TAG_LEN  16
#define KEY_LEN  32
#define MIN_SALT 16

/* ---- decryption ---- */

/* zlib-inflate in (n bytes) into a NUL-terminated buffer of at most max bytes. */
static char *
inflate_all(const unsigned char *in, size_t n, size_t max, wi_err *err)
{
  z_stream z = { 0 };
  char *out = wi_xmalloc(max + 1);
  if (inflateInit(&z) != Z_OK) {
    free(out);
    wi_err_set(err, WI_EINVAL, "zlib: cannot start");
    return NULL;
  }
  z.next_in = (unsigned char *)(uintptr_t)in;
  z.avail_in = (uInt)n;
  z.next_out = (unsigned char *)out;
  z.avail_out = (uInt)max;
  int rc = inflate(&z, Z_FINISH);
  size_t len = max - z.avail_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    wi_alloc_secret_free(out);
    wi_err_set(err, WI_EINVAL, "not an encrypted WKT UI value (zlib: %s)",
               rc == Z_BUF_ERROR ? "too long or truncated" : "bad data");
    return NULL;
  }
  out[len] = '\0';
  return out;
}

struct packed {
  unsigned char *tag, *ct, *iv, *salt;
  size_t tag_len, ct_len, iv_len, salt_len;
};

static void
packed_dispose(struct packed *p)
{
  free(p->tag);
  free(p->ct);
  free(p->iv);
  free(p->salt);
}

/* "b64(tag)-b64(ciphertext)-b64(iv)-b64(salt)" (base64's alphabet has no '-'). */
static int
unpack(const char *text, struct packed *p, wi_err *err)
{
  unsigned char **dst[] = { &p->tag, &p->ct, &p->iv, &p->salt };
  size_t *lens[] = { &p->tag_len, &p->ct_len, &p->iv_len, &p->salt_len };
  const char *s = text;
  for (size_t i = 0; i < 4; i++) {
    size_t n = strcspn(s, "-");
    if ((i < 3 && s[n] != '-') || (i == 3 && s[n] != '\0'))
      return wi_err_set(err, WI_EINVAL, "not an encrypted WKT UI value (expected 4 fields)");
    wi_autofree char *field = wi_xstrndup(s, n);
    *dst[i] = wi_base64_decode(field, lens[i]);
    if (*dst[i] == NULL)
      return wi_err_set(err, WI_EINVAL, "not an encrypted WKT UI value (field %zu is not base64)",
                        i + 1);
    s += n + 1;
  }
  if (p->tag_len != TAG_LEN || p->iv_len == 0 || p->salt_len < MIN_SALT)
    return wi_err_set(err, WI_EINVAL,
                      "not an encrypted WKT UI value (tag %zu bytes, IV %zu, salt %zu)", p->tag_len,
                      p->iv_len, p->salt_len);
  return 0;
}

static int
aes_gcm_open(const struct packed *p, const unsigned char *key, char **clear_out, wi_err *err)
{
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  char *out = wi_xmalloc(p->ct_len + 1);
  int n = 0, fin = 0;
  bool ok = c && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)p->iv_len, NULL) == 1 &&
            EVP_DecryptInit_ex(c, NULL, NULL, key, p->iv) == 1 &&
            EVP_DecryptUpdate(c, (unsigned char *)out, &n, p->ct, (int)p->ct_len) == 1 &&
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, p->tag) == 1;
  /* the tag is checked here: a wrong passphrase gives a wrong key and fails */
  bool authentic = ok && EVP_DecryptFinal_ex(c, (unsigned char *)out + n, &fin) == 1;
  EVP_CIPHER_CTX_free(c);
  if (!authentic) {
    explicit_bzero(out, p->ct_len + 1);
    free(out);
    return ok ? wi_err_set(err, WI_EAUTH,
                           "wrong passphrase (the WKT UI project's credentials "
                           "do not decrypt with it)")
              : wi_err_set(err, WI_ERR, "AES-256-GCM: cannot start");
  }
  size_t len = (size_t)n + (size_t)fin;
  out[len] = '\0';
  if (memchr(out, '\0', len)) {
    wi_alloc_secret_free(out);
    return wi_err_set(err, WI_EINVAL, "a decrypted WKT UI value holds a NUL byte");
  }
  *clear_out = out;
  return 0;
}

int
wi_ui_wktproj_decrypt(const char *packed, const char *passphrase, char **clear_out, wi_err *err)
{
  size_t blen = 0;
  if (strlen(packed) > WI_UI_WKTPROJ_MAX_VALUE)
    return wi_err_set(err, WI_ETOOBIG, "an encrypted WKT UI value is over %d bytes",
                      WI_UI_WKTPROJ_MAX_VALUE);
  wi_autofree unsigned char *bin = wi_base64_decode(packed, &blen);
  if (bin == NULL)
    return wi_err_set(err, WI_EINVAL, "not an encrypted WKT UI value (not base64)");
  wi_autofree char *text = inflate_all(bin, blen, 4 * WI_UI_WKTPROJ_MAX_VALUE, err);
  if (text == NULL)
    return err->code;
  struct packed p = { 0 };
  int ret = unpack(text, &p, err);
  unsigned char key[KEY_LEN];
  if (ret == 0 && PKCS5_PBKDF2_HMAC(passphrase, (int)strlen(passphrase), p.salt, (int)p.salt_len,
                                    WI_UI_WKTPROJ_ITERATIONS, EVP_sha256(), KEY_LEN, key) != 1)
    ret = wi_err_set(err, WI_ERR, "PBKDF2: failed");
  if (ret == 0)
    ret = aes_gcm_open(&p, key, clear_out, err);
  explicit_bzero(key, sizeof key);
  packed_dispose(&p);
  return ret;
}

/* ---- the project ---- */

struct ctx {
  json_t *root;
  json_t *cred_paths; /* array of dotted paths, or NULL */
  const char *passphrase;
  const char *project_file;
  const char *wkt_dir;
  struct wi_ui_project *p;
  struct wi_ui_wktproj *out;
  int ret;
  wi_err *err;
};

static void note(struct wi_ui_wktproj *w, const char *fmt, ...) WI_PRINTF(2, 3);

static void
note(struct wi_ui_wktproj *w, const char *fmt, ...)
{
  va_list ap;
  char *s = NULL;
  va_start(ap, fmt);
  if (vasprintf(&s, fmt, ap) < 0)
    s = NULL;
  va_end(ap);
  if (s == NULL || w->n_notes >= 200) {
    free(s);
    return;
  }
  w->notes = wi_xreallocarray(w->notes, w->n_notes + 1, sizeof *w->notes);
  w->notes[w->n_notes++] = s;
}

/* The value at a dotted path ("image.auxImageTag"), or NULL. */
static json_t *
at(json_t *root, const char *path)
{
  json_t *cur = root;
  const char *p = path;
  while (cur && *p) {
    size_t n = strcspn(p, ".");
    wi_autofree char *k = wi_xstrndup(p, n);
    cur = json_is_object(cur) ? json_object_get(cur, k) : NULL;
    p += n + (p[n] == '.');
  }
  return cur;
}

static const char *
str_at(struct ctx *c, const char *path)
{
  const char *s = json_string_value(at(c->root, path));
  return s && s[0] ? s : NULL;
}

static bool
encrypted_path(struct ctx *c, const char *path)
{
  size_t i;
  json_t *e;
  json_array_foreach (c->cred_paths, i, e) {
    if (json_is_string(e) && strcmp(json_string_value(e), path) == 0)
      return true;
  }
  return false;
}

/* A credential's clear value (malloc'ed secret) or NULL when absent; decrypts the encrypted ones
 * (a failure is kept in c->ret). */
static char *
secret_at(struct ctx *c, const char *path)
{
  const char *v = str_at(c, path);
  if (v == NULL || c->ret < 0)
    return NULL;
  if (!encrypted_path(c, path))
    return wi_xstrdup(v);
  char *clear = NULL;
  int ret = wi_ui_wktproj_decrypt(v, c->passphrase, &clear, c->err);
  if (ret < 0) {
    c->ret = ret;
    wi_err_wrap(c->err, "%s", path);
    return NULL;
  }
  return clear;
}

static void
set_str(char **dst, const char *v)
{
  if (v == NULL)
    return;
  free(*dst);
  *dst = wi_xstrdup(v);
}

static void
set_bool(struct ctx *c, bool *dst, const char *path)
{
  json_t *v = at(c->root, path);
  if (json_is_boolean(v))
    *dst = json_is_true(v);
}

/* A path of the .wktproj (relative to its directory) as the wlsimg project keeps it. */
static char *
project_rel(struct ctx *c, const char *rel)
{
  wi_autofree char *abs = rel[0] == '/' ? wi_xstrdup(rel) : wi_xasprintf("%s/%s", c->wkt_dir, rel);
  wi_autofree char *mine = wi_ui_project_path(c->project_file, ".");
  size_t n = strlen(mine) - 1; /* "<dir>/." → "<dir>/" */
  if (strncmp(abs, mine, n) == 0 && abs[n] != '\0')
    return wi_xstrdup(abs + n);
  return wi_steal(&abs);
}

static void
set_list(struct ctx *c, struct wi_ui_strlist *l, const char *path, bool files)
{
  json_t *v = at(c->root, path);
  size_t i;
  json_t *e;
  if (!json_is_array(v))
    return;
  for (size_t k = 0; k < l->n; k++)
    free(l->v[k]);
  free(l->v);
  l->v = NULL;
  l->n = 0;
  json_array_foreach (v, i, e) {
    const char *s = json_string_value(e);
    if (s == NULL || s[0] == '\0' || l->n >= WI_UI_PROJECT_MAX_LIST)
      continue;
    l->v = wi_xreallocarray(l->v, l->n + 1, sizeof *l->v);
    l->v[l->n++] = files ? project_rel(c, s) : wi_xstrdup(s);
  }
}

static char *
tag_host(const char *tag)
{
  struct wi_ref r = { 0 };
  wi_err err = { 0 };
  if (tag == NULL || wi_ref_parse(&r, tag, &err) < 0)
    return NULL;
  char *h = wi_xstrdup(r.domain);
  wi_ref_dispose(&r);
  return h;
}

static void
add_login(struct ctx *c, const char *name, const char *host, char *user, char *pass,
          const char *email)
{
  struct wi_ui_wktproj *w = c->out;
  if (w->n_logins >= WI_UI_WKTPROJ_MAX_LOGINS || user == NULL) {
    free(user);
    if (pass)
      wi_alloc_secret_free(pass);
    return;
  }
  w->logins = wi_xreallocarray(w->logins, w->n_logins + 1, sizeof *w->logins);
  w->logins[w->n_logins++] = (struct wi_ui_wktproj_login){
    .name = wi_xstrdup(name),
    .host = wi_xstrdup(host && host[0] ? host : "docker.io"),
    .user = user,
    .password = pass,
    .email = wi_xstrdup(email ? email : ""),
  };
}

/* settings.containerImageRegistriesCredentials (2.x) and the inline push logins of 1.x. */
static void
read_logins(struct ctx *c)
{
  json_t *table = at(c->root, "settings.containerImageRegistriesCredentials");
  const char *uid;
  json_t *e;
  json_object_foreach (table, uid, e) {
    wi_autofree char *base = wi_xasprintf("settings.containerImageRegistriesCredentials.%s", uid);
    wi_autofree char *pu = wi_xasprintf("%s.username", base);
    wi_autofree char *pp = wi_xasprintf("%s.password", base);
    const char *name = json_string_value(json_object_get(e, "name"));
    char *user = secret_at(c, pu);
    char *pass = secret_at(c, pp);
    add_login(c, name ? name : uid, json_string_value(json_object_get(e, "address")), user, pass,
              json_string_value(json_object_get(e, "email")));
  }
  wi_autofree char *host = tag_host(str_at(c, "image.auxImageTag"));
  char *user = secret_at(c, "image.auxImageRegistryPushUser");
  if (user && host)
    add_login(c, "aux-push", host, user, secret_at(c, "image.auxImageRegistryPushPassword"), NULL);
  else
    free(user);
}

static void
read_login_ref(struct ctx *c)
{
  const char *ref = str_at(c, "image.auxImageRegistryPushCredentialsReference");
  const char *tag = str_at(c, "image.auxImageTag");
  wi_autofree char *host = tag_host(tag);
  json_t *entry = ref ? at(c->root, "settings.containerImageRegistriesCredentials") : NULL;
  entry = entry ? json_object_get(entry, ref) : NULL;
  const char *name = json_string_value(json_object_get(entry, "name"));
  for (size_t i = 0; host && i < c->out->n_logins; i++) {
    struct wi_ui_wktproj_login *l = &c->out->logins[i];
    bool chosen = (name && strcmp(l->name, name) == 0) || strcmp(l->name, "aux-push") == 0;
    if (!chosen)
      continue;
    if (strcmp(l->host, host) != 0)
      note(c->out,
           "The push login \"%s\" was for %s; wlsimg logs in to the tag's host, %s, so it is "
           "saved for %s.",
           l->name, l->host, host, host);
    set_str(&l->host, host);
    set_str(&c->p->aux_login.host, host);
    set_str(&c->p->aux_login.user, l->user);
    note(c->out, "Auxiliary image push login: %s as %s.", host, l->user);
  }
}

static void
read_image(struct ctx *c)
{
  struct wi_ui_project *p = c->p;
  set_str(&p->primary_tag, str_at(c, "image.imageTag"));
  set_str(&p->aux_tag, str_at(c, "image.auxImageTag"));
  json_t *create = at(c->root, "image.createAuxImage");
  if (json_is_false(create) || json_is_false(at(c->root, "image.useAuxImage")))
    set_str(&p->aux_config, "existing");
  set_bool(c, &p->aux_push_auth, "image.auxImageRegistryPushRequireAuthentication");
  set_bool(c, &p->base_custom, "image.auxUseCustomBaseImage");
  set_str(&p->base_ref, str_at(c, "image.auxBaseImage"));
  set_bool(c, &p->always_pull, "image.auxAlwaysPullBaseImage");
  set_bool(c, &p->wdt_latest, "image.useLatestWdtVersion");
  const char *inst = str_at(c, "image.wdtInstaller");
  if (inst) {
    wi_autofree char *rel = project_rel(c, inst);
    set_str(&p->wdt_installer, rel);
  }
  set_str(&p->wdt_version, str_at(c, "image.wdtInstallerVersion"));
  /* WKT UI always passes its own defaults: keep them, so a running domain keeps its paths */
  const char *wh = str_at(c, "image.wdtHomePath");
  const char *mh = str_at(c, "image.modelHomePath");
  set_str(&p->wdt_home, wh ? wh : "/u01/wdt");
  set_str(&p->model_home, mh ? mh : "/u01/wdt/models");
  set_bool(c, &p->openshift, "image.auxTargetOpenShift");
  set_str(&p->owner, str_at(c, "image.auxFileOwner"));
  set_str(&p->group, str_at(c, "image.auxFileGroup"));
  if (p->openshift && str_at(c, "image.auxFileGroup") == NULL)
    set_str(&p->group, "root");
  set_str(&p->build_network, str_at(c, "image.auxBuilderNetworkName"));
  set_bool(c, &p->extend, "image.auxExtendBuild");
  const char *abc = str_at(c, "image.auxAdditionalBuildCommandsFile");
  if (abc) {
    wi_autofree char *rel = project_rel(c, abc);
    set_str(&p->extend_commands, rel);
  }
  set_list(c, &p->extend_files, "image.auxAdditionalBuildFiles", true);
  const char *arch = str_at(c, "settings.imageTargetArchitecture");
  if (arch && (strcmp(arch, "amd64") == 0 || strcmp(arch, "arm64") == 0)) {
    struct wi_ui_strlist *l = &p->platforms;
    for (size_t i = 0; i < l->n; i++)
      free(l->v[i]);
    l->v = wi_xreallocarray(l->v, 1, sizeof *l->v);
    l->v[0] = wi_xasprintf("linux/%s", arch);
    l->n = 1;
  }
  if (json_is_true(at(c->root, "image.createPrimaryImage")))
    note(c->out, "The project builds its primary image; wlsimg ui uses %s as it is.",
         p->primary_tag);
}

static void
read_k8s(struct ctx *c)
{
  struct wi_ui_project *p = c->p;
  set_str(&p->k8s_context, str_at(c, "kubectl.kubeConfigContextToUse"));
  set_str(&p->domain_uid, str_at(c, "k8sDomain.uid"));
  set_str(&p->k8s_namespace, str_at(c, "k8sDomain.kubernetesNamespace"));
  set_str(&p->pull_policy_primary, str_at(c, "k8sDomain.imagePullPolicy"));
  set_str(&p->pull_policy_aux, str_at(c, "k8sDomain.auxImagePullPolicy"));
  set_str(&p->wls_cred_secret, str_at(c, "k8sDomain.credentialsSecretName"));
  set_str(&p->runtime_secret, str_at(c, "k8sDomain.runtimeSecretName"));
  set_str(&p->pull_secret_primary, str_at(c, "k8sDomain.imageRegistryPullSecretName"));
  set_str(&p->pull_secret_aux, str_at(c, "k8sDomain.auxImageRegistryPullSecretName"));
  wi_autofree char *wls_user = secret_at(c, "k8sDomain.credentialsUserName");
  set_str(&p->wls_user, wls_user);
  if (str_at(c, "k8sDomain.credentialsPassword") || str_at(c, "k8sDomain.runtimeSecretValue"))
    note(c->out, "The WebLogic admin password and the runtime encryption secret are not "
                 "imported: wlsimg ui asks for them when it applies the Domain.");
}

void
wi_ui_wktproj_dispose(struct wi_ui_wktproj *w)
{
  for (size_t i = 0; i < w->n_logins; i++) {
    struct wi_ui_wktproj_login *l = &w->logins[i];
    free(l->name);
    free(l->host);
    free(l->user);
    if (l->password)
      wi_alloc_secret_free(l->password);
    free(l->email);
  }
  free(w->logins);
  for (size_t i = 0; i < w->n_notes; i++)
    free(w->notes[i]);
  free(w->notes);
  memset(w, 0, sizeof *w);
}

int
wi_ui_wktproj_import(struct wi_ui_project *p, const char *project_file, const char *text,
                     size_t len, const char *wkt_dir, const char *passphrase,
                     struct wi_ui_wktproj *out, wi_err *err)
{
  json_error_t je;
  memset(out, 0, sizeof *out);
  if (len > WI_UI_WKTPROJ_MAX_BYTES)
    return wi_err_set(err, WI_ETOOBIG, "WKT UI project: more than %d bytes",
                      WI_UI_WKTPROJ_MAX_BYTES);
  autojson json_t *root = json_loadb(text, len, 0, &je);
  if (root == NULL)
    return wi_err_set(err, WI_EINVAL, "WKT UI project: line %d, column %d: %s", je.line, je.column,
                      je.text);
  if (!json_is_object(root) || (!json_object_get(root, "image") && !json_object_get(root, "model")))
    return wi_err_set(err, WI_EINVAL,
                      "not a WKT UI project (no \"image\" or \"model\" section at the top)");
  struct ctx c = { .root = root,
                   .cred_paths = json_object_get(root, "credentialPaths"),
                   .passphrase = passphrase,
                   .project_file = project_file,
                   .wkt_dir = wkt_dir,
                   .p = p,
                   .out = out,
                   .err = err };
  out->encrypted = json_array_size(c.cred_paths) > 0;
  if (out->encrypted && (passphrase == NULL || passphrase[0] == '\0'))
    return wi_err_set(err, WI_EAUTH,
                      "the WKT UI project's credentials are encrypted: it needs its passphrase");
  set_str(&p->name, str_at(&c, "name"));
  set_list(&c, &p->model_files, "model.modelFiles", true);
  set_list(&c, &p->variable_files, "model.propertiesFiles", true);
  set_list(&c, &p->archive_files, "model.archiveFiles", true);
  read_image(&c);
  read_k8s(&c);
  read_logins(&c);
  read_login_ref(&c);
  if (c.ret < 0) {
    wi_ui_wktproj_dispose(out);
    return c.ret;
  }
  note(out, "Imported %zu model, %zu variable and %zu archive file%s; auxiliary image %s.",
       p->model_files.n, p->variable_files.n, p->archive_files.n,
       p->archive_files.n == 1 ? "" : "s", p->aux_tag[0] ? p->aux_tag : "(no tag)");
  if (out->n_logins)
    note(out, "%zu registry login%s found: choose which to save.", out->n_logins,
         out->n_logins == 1 ? "" : "s");
  return 0;
}
