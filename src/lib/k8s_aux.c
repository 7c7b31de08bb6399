/* wlsimg: the auxiliary images of a WKO Domain: where each keeps WDT and its models, and the one
 * WDT install the operator allows. See k8s.h. */
#include "lib/k8s.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/aux.h"
#include "lib/buf.h"
#include "lib/image.h"
#include "lib/imgconfig.h"
#include "lib/log.h"
#include "lib/manifest.h"
#include "lib/ref.h"
#include "lib/regclient.h"
#include "lib/store.h"
#include "lib/str.h"

/* ---------------------------------------------------------------- manifest and config */

/* The image in the local store, read only: 1 when it is there, 0 when it is not. */
static int
local_image(struct wi_store *s, const char *ref, struct wi_manifest **m, struct wi_imgconfig **cfg,
            wi_err *err)
{
  struct wi_descriptor desc = { 0 };
  wi_autofree char *data = NULL;
  size_t len = 0;
  wi_err e = { 0 };

  if (s == NULL)
    return 0;
  if (wi_store_lookup(s, ref, &desc, NULL, &e) < 0) {
    if (e.code == WI_ENOTFOUND)
      return 0;
    *err = e;
    return err->code;
  }
  int ret = wi_store_load_image(s, &desc, NULL, m, NULL, err);
  wi_manifest_descriptor_dispose(&desc);
  if (ret == 0)
    ret = wi_store_read_blob(s, (*m)->config.digest, WI_MAX_CONFIG_BYTES, &data, &len, err);
  if (ret == 0 && wi_imgconfig_parse(cfg, data, len, err) < 0)
    ret = wi_err_wrap(err, "config %s", (*m)->config.digest);
  return ret < 0 ? ret : 1;
}

static int
buf_write(const void *data, size_t len, void *payload)
{
  return wi_buf_add(payload, data, len, NULL);
}

/* A manifest from the registry (by tag or digest), parsed. */
static int
remote_manifest(struct wi_regclient *rc, const struct wi_ref *r, const char *ref,
                struct wi_manifest **m, wi_err *err)
{
  wi_autofree char *bytes = NULL;
  wi_autofree char *mt = NULL;
  size_t len = 0;

  if (wi_regclient_get_manifest(rc, r->path, ref, &bytes, &len, &mt, NULL, err) < 0)
    return err->code;
  return wi_manifest_parse(m, bytes, len, mt, err);
}

/* The image from its registry: the manifest (an index narrowed to the host's platform, else its
 * first entry) and the config blob, nothing else; nothing is stored. */
static int
remote_image(const struct wi_k8s_aux_opts *o, const char *ref, struct wi_manifest **m,
             struct wi_imgconfig **cfg, wi_err *err)
{
  struct wi_ref r = { 0 };
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  struct wi_regclient_opts ro = { .tls_skip_verify = !o->tls_verify, .authfile = o->authfile };
  struct wi_manifest *top = NULL;
  struct wi_buf b = WI_BUF_INIT(WI_MAX_CONFIG_BYTES);
  int ret;

  if (wi_ref_parse(&r, ref, err) < 0)
    return err->code;
  wi_log(WI_LOG_INFO, "Reading the manifest and config of %s", ref);
  ret = wi_regclient_new(&rc, r.domain, &ro, err);
  if (ret == 0)
    ret = remote_manifest(rc, &r, r.digest ? r.digest : r.tag, &top, err);
  if (ret == 0 && top->kind == WI_MANIFEST_INDEX) {
    struct wi_platform host;
    const struct wi_descriptor *d = NULL;
    wi_err e = { 0 };
    wi_ref_platform_host(&host);
    if (wi_manifest_index_select(top, &host, &d, &e) < 0)
      d = top->n_manifests > 0 ? &top->manifests[0] : NULL;
    if (d == NULL)
      ret = wi_err_set(err, WI_EINVAL, "%s: the index lists no image", ref);
    else
      ret = remote_manifest(rc, &r, d->digest, m, err);
    wi_manifest_free(top);
    top = NULL;
  } else if (ret == 0) {
    *m = wi_steal(&top);
  }
  if (ret == 0 && (*m)->kind != WI_MANIFEST_IMAGE)
    ret = wi_err_set(err, WI_EINVAL, "%s: nested index", ref);
  if (ret == 0 && (*m)->config.size > WI_MAX_CONFIG_BYTES)
    ret =
        wi_err_set(err, WI_ETOOBIG, "%s: config of %lld bytes", ref, (long long)(*m)->config.size);
  if (ret == 0)
    ret = wi_regclient_blob_get(rc, r.path, &(*m)->config, buf_write, &b, NULL, NULL, err);
  if (ret == 0 && wi_imgconfig_parse(cfg, b.data, b.len, err) < 0)
    ret = wi_err_wrap(err, "config %s", (*m)->config.digest);
  wi_manifest_free(top);
  wi_buf_dispose(&b);
  wi_ref_dispose(&r);
  return ret;
}

/* Metadata of one auxiliary image: labels written by wlsimg createAuxImage, else WIT's ENV, plus a
 * look at its layers when they are in the store. */
static int
aux_metadata(const struct wi_k8s_aux_opts *o, const char *ref, struct wi_k8s_aux_meta *m,
             char **install_label, char **model_label, wi_err *err)
{
  wi_autoptr(wi_manifest) struct wi_manifest *man = NULL;
  struct wi_imgconfig *cfg = NULL;
  int local = local_image(o->store, ref, &man, &cfg, err);

  if (local == 0)
    local = remote_image(o, ref, &man, &cfg, err);
  if (local < 0)
    return wi_err_wrap(
        err, "auxiliary image %s (use --no-inspect to assume the /auxiliary defaults)", ref);
  const char *il = wi_imgconfig_get_label(cfg, WI_LABEL_WDT_INSTALL_HOME);
  const char *ml = wi_imgconfig_get_label(cfg, WI_LABEL_WDT_MODEL_HOME);
  const char *wh = wi_imgconfig_get_env(cfg, "WDT_HOME");
  const char *mh = wi_imgconfig_get_env(cfg, "WDT_MODEL_HOME");
  *install_label = il ? wi_xstrdup(il) : NULL;
  *model_label = ml ? wi_xstrdup(ml) : NULL;
  m->wit_built = wh != NULL || mh != NULL;
  m->wdt_home = wi_xstrdup(wh ? wh : "/auxiliary");
  m->model_home = mh ? wi_xstrdup(mh) : wi_xasprintf("%s/models", m->wdt_home);
  wi_imgconfig_free(cfg);
  if (!m->wit_built && !il)
    wi_log(WI_LOG_WARN,
           "%s has no WDT_HOME/WDT_MODEL_HOME metadata; assuming the /auxiliary layout", ref);
  if (local != 1)
    return 0;
  /* The layers say whether the directories really hold files (a missing non-default source
   * directory fails the domain) and what the model files are. */
  m->read_models = o->read_models;
  bool scanned = true;
  for (size_t i = 0; i < man->n_layers; i++) {
    const struct wi_descriptor *d = &man->layers[i];
    int fd = -1;
    wi_err e = { 0 };
    if (wi_store_open_blob(o->store, d->digest, &fd, NULL, &e) < 0) {
      wi_log(WI_LOG_DEBUG, "%s: layer %s not in the store; paths taken from metadata only", ref,
             d->digest);
      scanned = false;
      break;
    }
    wi_autofree char *what = wi_xasprintf("%s layer %s", ref, d->digest);
    int r = wi_k8s_aux_scan_layer(m, fd, what, err);
    close(fd);
    if (r < 0)
      return r;
  }
  m->scanned = scanned;
  return 0;
}

/* Fields for one image: labels win over ENV; a scan that found nothing says None. */
static void
aux_fields(const struct wi_k8s_aux_meta *m, const char *install_label, const char *model_label,
           char **wdt_out, char **model_out)
{
  wi_k8s_aux_fields(m, wdt_out, model_out);
  if (install_label && !(m->scanned && !m->has_wdt)) {
    free(*wdt_out);
    *wdt_out = strcasecmp(install_label, WI_K8S_NONE) == 0          ? wi_xstrdup(WI_K8S_NONE)
               : strcmp(install_label, WI_K8S_AUX_WDT_DEFAULT) == 0 ? NULL
                                                                    : wi_xstrdup(install_label);
  }
  if (model_label && !(m->scanned && !m->has_models)) {
    free(*model_out);
    *model_out = strcasecmp(model_label, WI_K8S_NONE) == 0            ? wi_xstrdup(WI_K8S_NONE)
                 : strcmp(model_label, WI_K8S_AUX_MODEL_DEFAULT) == 0 ? NULL
                                                                      : wi_xstrdup(model_label);
  }
}

static void
model_files_free(struct wi_k8s_model_file *f, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(f[i].name);
    free(f[i].data);
  }
  free(f);
}

void
wi_k8s_aux_set_dispose(struct wi_k8s_aux_set *s)
{
  for (size_t i = 0; i < s->n_owned; i++)
    free(s->owned[i]);
  free(s->owned);
  free(s->v);
  model_files_free(s->models, s->n_models);
  memset(s, 0, sizeof *s);
}

/* Put file into the list under its name, replacing one of the same name (takes name and data). */
static void
put_model(struct wi_k8s_model_file **v, size_t *n, char *name, char *data, size_t len)
{
  for (size_t i = 0; i < *n; i++)
    if (strcmp((*v)[i].name, name) == 0) {
      free((*v)[i].data);
      free(name);
      (*v)[i].data = data;
      (*v)[i].len = len;
      return;
    }
  *v = wi_xreallocarray(*v, *n + 1, sizeof **v);
  (*v)[(*n)++] = (struct wi_k8s_model_file){ name, data, len };
}

/* The image's model files join the set's: a later image's file of the same name replaces an
 * earlier one, as the operator's copies overwrite. */
static void
merge_models(struct wi_k8s_aux_set *set, struct wi_k8s_aux_meta *m)
{
  for (size_t i = 0; i < m->n_models; i++) {
    struct wi_k8s_model_file *f = &m->models[i];
    put_model(&set->models, &set->n_models, wi_steal(&f->name), wi_steal(&f->data), f->len);
  }
}

static const char *
own(struct wi_k8s_aux_set *s, char *p)
{
  if (p == NULL)
    return NULL;
  s->owned = wi_xreallocarray(s->owned, s->n_owned + 1, sizeof *s->owned);
  s->owned[s->n_owned++] = p;
  return p;
}

int
wi_k8s_aux_resolve(struct wi_k8s_aux_set *set, const char *const *images, size_t n,
                   const struct wi_k8s_aux_opts *o, wi_err *err)
{
  size_t n_wdt = 0, wdt_pick = SIZE_MAX;
  int ret = 0;

  set->v = wi_xcalloc(n + 1, sizeof *set->v);
  set->n = n;
  set->models_read = o->inspect && o->read_models;
  for (size_t i = 0; i < n && ret == 0; i++) {
    set->v[i].image = images[i];
    if (!o->inspect)
      continue;
    struct wi_k8s_aux_meta m = { 0 };
    char *il = NULL, *ml = NULL, *wdt = NULL, *model = NULL;
    ret = aux_metadata(o, images[i], &m, &il, &ml, err);
    if (ret == 0) {
      aux_fields(&m, il, ml, &wdt, &model);
      set->v[i].wdt_install_home = own(set, wdt);
      set->v[i].model_home = own(set, model);
      if (wdt == NULL || strcmp(wdt, WI_K8S_NONE) != 0)
        n_wdt++;
      /* models None: nothing of this image reaches the model home */
      if (!m.scanned && !(model && strcmp(model, WI_K8S_NONE) == 0))
        set->models_read = false;
      if (m.scanned)
        merge_models(set, &m);
    }
    wi_k8s_aux_meta_dispose(&m);
    free(il);
    free(ml);
  }
  /* not inspected: the /auxiliary defaults, as if each image had WDT (nothing to check) */
  set->n_with_wdt = o->inspect ? n_wdt : n;
  if (ret < 0)
    return ret;
  if (o->wdt_image) {
    for (size_t i = 0; i < set->n; i++)
      if (strcmp(set->v[i].image, o->wdt_image) == 0)
        wdt_pick = i;
    if (wdt_pick == SIZE_MAX)
      return wi_err_set(err, WI_EUSAGE, "--wdt-image %s is not one of the --aux-image values",
                        o->wdt_image);
    for (size_t i = 0; i < set->n; i++)
      if (i != wdt_pick)
        set->v[i].wdt_install_home = WI_K8S_NONE;
    if (set->v[wdt_pick].wdt_install_home &&
        strcmp(set->v[wdt_pick].wdt_install_home, WI_K8S_NONE) == 0)
      return wi_err_set(err, WI_EINVAL, "--wdt-image %s has no WDT install", o->wdt_image);
    set->n_with_wdt = 1;
  } else if (n_wdt > 1) {
    /* The operator fails the domain (SEVERE) when two auxiliary images supply WDT. */
    struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
    for (size_t i = 0; i < set->n; i++)
      if (!set->v[i].wdt_install_home || strcmp(set->v[i].wdt_install_home, WI_K8S_NONE) != 0)
        wi_buf_addf(&b, NULL, "%s%s", b.len ? ", " : "", set->v[i].image);
    ret = wi_err_set(
        err, WI_EINVAL,
        "%zu auxiliary images carry a WDT install (%s); the operator fails such a domain. "
        "Choose one with --wdt-image REF (the others get sourceWDTInstallHome: None)",
        n_wdt, wi_buf_cstr(&b));
    wi_buf_dispose(&b);
  }
  return ret;
}

/* ---------------------------------------------------------------- auxiliary image metadata */

void
wi_k8s_aux_meta_dispose(struct wi_k8s_aux_meta *m)
{
  free(m->wdt_home);
  free(m->model_home);
  model_files_free(m->models, m->n_models);
  memset(m, 0, sizeof *m);
}

/* "/a/b/" → "a/b" for comparing with tar member names. malloc'ed. */
static char *
rel_dir(const char *dir)
{
  while (*dir == '/')
    dir++;
  size_t n = strlen(dir);
  while (n > 0 && dir[n - 1] == '/')
    n--;
  return wi_xstrndup(dir, n);
}

/* A model home file the operator reads: models (YAML, JSON) and variables. */
static bool
model_file_name(const char *name)
{
  return wi_str_has_suffix(name, ".yaml") || wi_str_has_suffix(name, ".yml") ||
         wi_str_has_suffix(name, ".json") || wi_str_has_suffix(name, ".properties");
}

/* ".wh.NAME" in the model home deletes NAME from the lower layers; ".wh..wh..opq" all of them. */
static int
whiteout(struct wi_k8s_aux_meta *m, const char *name)
{
  for (size_t i = 0; i < m->n_models;) {
    if (strcmp(name, ".wh..opq") == 0 || strcmp(m->models[i].name, name) == 0) {
      free(m->models[i].name);
      free(m->models[i].data);
      m->models[i] = m->models[--m->n_models];
    } else {
      i++;
    }
  }
  return 0;
}

static int
read_model(struct wi_k8s_aux_meta *m, struct archive *a, struct archive_entry *e, const char *name,
           const char *what, wi_err *err)
{
  int64_t size = archive_entry_size(e);
  if (size < 0 || size > WI_K8S_MAX_MODEL_FILE) {
    wi_log(WI_LOG_WARN, "%s: model file %s is larger than %d bytes; not checked", what, name,
           WI_K8S_MAX_MODEL_FILE);
    return 0;
  }
  char *data = wi_xmalloc((size_t)size + 1);
  la_ssize_t got = archive_read_data(a, data, (size_t)size);
  if (got != (la_ssize_t)size) {
    free(data);
    return wi_err_set(err, WI_EINVAL, "%s: %s: %s", what, name,
                      got < 0 ? archive_error_string(a) : "short read");
  }
  data[size] = '\0';
  put_model(&m->models, &m->n_models, wi_xstrdup(name), data, (size_t)size);
  return 0;
}

/* Is path (a tar member, "./" and "/" stripped) strictly below dir? */
static bool
below(const char *path, const char *dir)
{
  size_t n = strlen(dir);
  if (n == 0)
    return true;
  return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
}

int
wi_k8s_aux_scan_layer(struct wi_k8s_aux_meta *m, int fd, const char *what, wi_err *err)
{
  struct archive *a = archive_read_new();
  struct archive_entry *e;
  const char *wh = m->wdt_home ? m->wdt_home : "/auxiliary";
  wi_autofree char *wdt_base = rel_dir(wh);
  wi_autofree char *wdt =
      wdt_base[0] ? wi_xasprintf("%s/weblogic-deploy", wdt_base) : wi_xstrdup("weblogic-deploy");
  wi_autofree char *models = rel_dir(m->model_home ? m->model_home : WI_K8S_AUX_MODEL_DEFAULT);
  int ret = 0, r;

  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK) {
    ret = wi_err_set(err, WI_EINVAL, "%s: %s", what, archive_error_string(a));
    goto out;
  }
  while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    const char *p = archive_entry_pathname(e);
    if (p == NULL || archive_entry_filetype(e) == AE_IFDIR)
      continue;
    while (p[0] == '.' && p[1] == '/')
      p += 2;
    while (*p == '/')
      p++;
    const char *base = strrchr(p, '/');
    bool in_models =
        base && (size_t)(base - p) == strlen(models) && strncmp(p, models, strlen(models)) == 0;
    if (wi_str_has_prefix(base ? base + 1 : p, ".wh.")) {
      if (m->read_models && in_models && (ret = whiteout(m, base + 5)) < 0)
        break;
      continue;
    }
    if (below(p, wdt))
      m->has_wdt = true;
    if (below(p, models))
      m->has_models = true;
    if (m->read_models && in_models && archive_entry_filetype(e) == AE_IFREG &&
        model_file_name(base + 1) && (ret = read_model(m, a, e, base + 1, what, err)) < 0)
      break;
  }
  if (ret < 0)
    goto out;
  if (r != ARCHIVE_EOF)
    ret = wi_err_set(err, WI_EINVAL, "%s: %s", what, archive_error_string(a));
  else
    m->scanned = true;
out:
  archive_read_free(a);
  return ret;
}

static bool
same_path(const char *a, const char *b)
{
  wi_autofree char *x = rel_dir(a);
  wi_autofree char *y = rel_dir(b);
  return strcmp(x, y) == 0;
}

void
wi_k8s_aux_fields(const struct wi_k8s_aux_meta *m, char **wdt_install_home_out,
                  char **model_home_out)
{
  *wdt_install_home_out = NULL;
  *model_home_out = NULL;
  if (m->scanned && !m->has_wdt) {
    *wdt_install_home_out = wi_xstrdup(WI_K8S_NONE);
  } else if (m->wdt_home) {
    wi_autofree char *base = rel_dir(m->wdt_home);
    wi_autofree char *path =
        base[0] ? wi_xasprintf("/%s/weblogic-deploy", base) : wi_xstrdup("/weblogic-deploy");
    if (!same_path(path, WI_K8S_AUX_WDT_DEFAULT))
      *wdt_install_home_out = wi_steal(&path);
  }
  if (m->scanned && !m->has_models) {
    *model_home_out = wi_xstrdup(WI_K8S_NONE);
  } else if (m->model_home) {
    wi_autofree char *rel = rel_dir(m->model_home);
    if (!same_path(rel, WI_K8S_AUX_MODEL_DEFAULT))
      *model_home_out = wi_xasprintf("/%s", rel);
  }
}
