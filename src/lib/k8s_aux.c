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
#include "lib/store.h"
#include "lib/str.h"

/* Metadata of one auxiliary image: labels written by wlsimg createAuxImage, else WIT's ENV, plus a
 * look at its layers. */
static int
aux_metadata(const struct wi_k8s_aux_opts *o, const char *ref, struct wi_k8s_aux_meta *m,
             char **install_label, char **model_label, wi_err *err)
{
  wi_autoptr(wi_image) struct wi_image *img = NULL;
  struct wi_transfer_opts to = { 0 };

  to.src_reg.tls_skip_verify = !o->tls_verify;
  to.src_reg.authfile = o->authfile;
  if (wi_image_open(&img, o->store, ref, NULL, false, &to, err) < 0)
    return wi_err_wrap(
        err, "auxiliary image %s (use --no-inspect to assume the /auxiliary defaults)", ref);
  const char *il = wi_imgconfig_get_label(img->config, WI_LABEL_WDT_INSTALL_HOME);
  const char *ml = wi_imgconfig_get_label(img->config, WI_LABEL_WDT_MODEL_HOME);
  const char *wh = wi_imgconfig_get_env(img->config, "WDT_HOME");
  const char *mh = wi_imgconfig_get_env(img->config, "WDT_MODEL_HOME");
  *install_label = il ? wi_xstrdup(il) : NULL;
  *model_label = ml ? wi_xstrdup(ml) : NULL;
  m->wit_built = wh != NULL || mh != NULL;
  m->wdt_home = wi_xstrdup(wh ? wh : "/auxiliary");
  m->model_home = mh ? wi_xstrdup(mh) : wi_xasprintf("%s/models", m->wdt_home);
  if (!m->wit_built && !il)
    wi_log(WI_LOG_WARN,
           "%s has no WDT_HOME/WDT_MODEL_HOME metadata; assuming the /auxiliary layout", ref);
  /* The layers say whether the directories really hold files (a missing non-default source
   * directory fails the domain). */
  bool scanned = true;
  for (size_t i = 0; i < img->manifest->n_layers; i++) {
    const struct wi_descriptor *d = &img->manifest->layers[i];
    int fd = -1;
    if (wi_store_open_blob(o->store, d->digest, &fd, NULL, err) < 0) {
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

void
wi_k8s_aux_set_dispose(struct wi_k8s_aux_set *s)
{
  for (size_t i = 0; i < s->n_owned; i++)
    free(s->owned[i]);
  free(s->owned);
  free(s->v);
  memset(s, 0, sizeof *s);
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
  for (size_t i = 0; i < n && ret == 0; i++) {
    set->v[i].image = images[i];
    if (o->store == NULL)
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
    }
    wi_k8s_aux_meta_dispose(&m);
    free(il);
    free(ml);
  }
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
    if (wi_str_has_prefix(base ? base + 1 : p, ".wh."))
      continue;
    if (below(p, wdt))
      m->has_wdt = true;
    if (below(p, models))
      m->has_models = true;
  }
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
