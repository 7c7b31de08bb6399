/* wlsimg: `update --wdtModelOnly` without validation, natively — see modelonly.h and
 * docs/internals/rebase.md. */
#include "lib/modelonly.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/alloc.h"
#include "lib/aux.h"
#include "lib/buf.h"
#include "lib/imgconfig.h"
#include "lib/layer.h"
#include "lib/passwd.h"
#include "lib/rebase.h"
#include "lib/wdtinst.h"

#define MAX_ETC_BYTES (4u << 20)
#define MAX_COMP      192
#define MAX_LAYERS    4
#define CHUNK         (64 * 1024)
#define R_OK_         4u
#define W_OK_         2u
#define X_OK_         1u

/* A directory's metadata: as the image has it, or as the build leaves it. */
struct dmeta {
  char *path; /* normalised, no leading "/" */
  bool found, is_dir;
  uint32_t mode, uid, gid;
};

struct ctx {
  const struct wi_modelonly_opts *o;
  char *dh, *dp, *wh, *mh, *wd; /* normalised; dp = dirname(dh), wd = <wh>/weblogic-deploy */
  bool mh_in_wh, wd_found;
  char *passwd, *group;
  struct wi_passwd_owner ow;
  struct dmeta comp[MAX_COMP]; /* every component of dp, wh and mh, once; after the RUN mkdir */
  size_t n_comp;
  char **zdirs; /* directories the installer put into the COPY layer */
  size_t n_zdirs;
  const char *root, *skip; /* the walk: what is copied, and what it leaves out */
  struct wi_layer_writer *w;
  char *buf;
};

static bool
under(const char *path, const char *dir)
{
  size_t l = strlen(dir);
  return strncmp(path, dir, l) == 0 && (path[l] == '\0' || path[l] == '/');
}

static struct dmeta *
comp_find(struct ctx *c, const char *path)
{
  for (size_t i = 0; i < c->n_comp; i++)
    if (strcmp(c->comp[i].path, path) == 0)
      return &c->comp[i];
  return NULL;
}

static int
comp_add_all(struct ctx *c, const char *path, wi_err *err)
{
  for (const char *s = strchr(path, '/');; s = strchr(s + 1, '/')) {
    wi_autofree char *p = s ? wi_xstrndup(path, (size_t)(s - path)) : wi_xstrdup(path);
    if (comp_find(c, p) == NULL) {
      if (c->n_comp == MAX_COMP)
        return wi_err_set(err, WI_EINVAL, "update: the WDT paths have too many components");
      c->comp[c->n_comp++].path = wi_steal(&p);
    }
    if (s == NULL)
      return 0;
  }
}

/* ---- what the user may do (the RUNs run as <u>) ---- */

static bool
may(const struct ctx *c, const struct dmeta *d, uint32_t want)
{
  uint32_t bits;
  if (c->ow.uid == 0)
    return true;
  if (d->uid == c->ow.uid)
    bits = d->mode >> 6;
  else if (wi_passwd_member(c->group, c->o->user, c->ow.pgid, d->gid))
    bits = d->mode >> 3;
  else
    bits = d->mode;
  return (bits & want) == want;
}

static int
refuse(const struct ctx *c, const char *what, const char *path, const struct dmeta *d,
       const char *why, wi_err *err)
{
  return wi_err_set(
      err, WI_EINVAL,
      "%s as %s (uid %u) would fail in WIT's build too: /%s (owner %u:%u, mode %04o) %s", what,
      c->o->user, c->ow.uid, path, d->uid, d->gid, d->mode, why);
}

/* RUN mkdir -p <dp> <wh> <mh> && chown <u>:<g> <dp> <wh> <mh>, as <u>, on the components. */
static int
run_mkdir_chown(struct ctx *c, wi_err *err)
{
  const char *paths[3] = { c->dp, c->wh, c->mh };
  static const struct dmeta root = {
    .path = (char *)(uintptr_t) "", .found = true, .is_dir = true, .mode = 0755
  };
  wi_autofree char *what = wi_xasprintf("RUN mkdir -p /%s /%s /%s && chown %s:%s …", c->dp, c->wh,
                                        c->mh, c->o->user, c->o->group);
  for (size_t i = 0; i < 3; i++) {
    const struct dmeta *parent = &root;
    for (const char *s = strchr(paths[i], '/');; s = strchr(s + 1, '/')) {
      wi_autofree char *p = s ? wi_xstrndup(paths[i], (size_t)(s - paths[i])) : NULL;
      struct dmeta *d = comp_find(c, p ? p : paths[i]);
      if (d == NULL)
        return wi_err_set(err, WI_EINVAL, "update: /%s was not read", p ? p : paths[i]);
      if (d->found && !d->is_dir)
        return wi_err_set(err, WI_EINVAL, "%s fails: /%s is not a directory in the image", what,
                          d->path);
      if (!d->found) {
        if (!may(c, parent, W_OK_ | X_OK_))
          return refuse(c, what, parent->path, parent, "is not writable", err);
        *d = (struct dmeta){ .path = d->path,
                             .found = true,
                             .is_dir = true,
                             .mode = 0755,
                             .uid = c->ow.uid,
                             .gid = c->ow.pgid };
      }
      parent = d;
      if (s == NULL)
        break;
    }
  }
  for (size_t i = 0; i < 3; i++) {
    struct dmeta *d = comp_find(c, paths[i]);
    if (d == NULL)
      return wi_err_set(err, WI_EINVAL, "update: /%s was not read", paths[i]);
    bool ok =
        c->ow.uid == 0 ||
        (d->uid == c->ow.uid &&
         (d->gid == c->ow.gid || wi_passwd_member(c->group, c->o->user, c->ow.pgid, c->ow.gid)));
    if (!ok)
      return refuse(c, what, d->path, d, "cannot be given to that owner", err);
    d->uid = c->ow.uid;
    d->gid = c->ow.gid;
  }
  return 0;
}

/* One pass over the image's layers: /etc/passwd, /etc/group, the components, weblogic-deploy. */
static int
read_image(struct ctx *c, wi_err *err)
{
  size_t n = 3 + c->n_comp;
  struct wi_image_file *f = wi_xcalloc(n, sizeof *f);
  f[0].path = "etc/passwd";
  f[1].path = "etc/group";
  f[2].path = c->wd;
  for (size_t i = 0; i < c->n_comp; i++)
    f[3 + i].path = c->comp[i].path;
  int ret = wi_image_read_files(c->o->store, c->o->from->manifest, f, n, MAX_ETC_BYTES, err);
  if (ret == 0) {
    c->passwd = wi_xstrdup(f[0].data ? f[0].data : "");
    c->group = wi_xstrdup(f[1].data ? f[1].data : "");
    c->wd_found = f[2].found && f[2].is_dir;
    ret = wi_passwd_owner(c->passwd, c->group, c->o->user, c->o->group, "the image to update",
                          &c->ow, err);
  }
  for (size_t i = 0; ret == 0 && i < c->n_comp; i++) {
    struct dmeta *d = &c->comp[i];
    d->found = f[3 + i].found;
    d->is_dir = f[3 + i].is_dir;
    d->mode = f[3 + i].mode;
    d->uid = f[3 + i].uid;
    d->gid = f[3 + i].gid;
  }
  wi_image_files_dispose(f, n);
  free(f);
  return ret;
}

/* ---- layers ---- */

static int
add_dir(struct ctx *c, const char *path, uint32_t mode, uint32_t uid, uint32_t gid, wi_err *err)
{
  struct wi_layer_entry e = {
    .path = path, .type = WI_LAYER_DIR, .mode = mode, .uid = uid, .gid = gid, .mtime = c->o->epoch
  };
  return wi_layer_add(c->w, &e, err);
}

/* The components on the way to path, path itself and those beneath it (the model home's), as
 * the RUN mkdir left them. */
static int
add_comps(struct ctx *c, const char *path, wi_err *err)
{
  int ret = 0;
  for (size_t i = 0; i < c->n_comp && ret == 0; i++) {
    const struct dmeta *d = &c->comp[i];
    if (under(path, d->path)) /* the destination and its parents stay as they are */
      ret = add_dir(c, d->path, d->mode, d->uid, d->gid, err);
    else if (under(d->path, path)) /* copied: re-owned */
      ret = add_dir(c, d->path, d->mode, c->ow.uid, c->ow.gid, err);
  }
  return ret;
}

/* A file's content from a stream into the layer's spool. */
static int
add_streamed(struct ctx *c, const struct wi_layer_entry *e,
             ssize_t (*rd)(void *src, void *buf, size_t len, wi_err *err), void *src, wi_err *err)
{
  int ret = wi_layer_file_begin(c->w, e, err);
  while (ret == 0) {
    ssize_t n = rd(src, c->buf, CHUNK, err);
    if (n <= 0) {
      ret = (int)n;
      break;
    }
    ret = wi_layer_file_write(c->w, c->buf, (size_t)n, err);
  }
  return ret < 0 ? ret : wi_layer_file_end(c->w, err);
}

static ssize_t
read_walk(void *src, void *buf, size_t len, wi_err *err)
{
  return wi_image_walk_read(src, buf, len, err);
}

static ssize_t
read_inst(void *src, void *buf, size_t len, wi_err *err)
{
  return wi_wdtinst_read(src, buf, len, err);
}

/* The wdt_build stage's `rm -rf weblogic-deploy` as <u>: every directory in it must let <u> in. */
static int
check_rm(struct ctx *c, const struct wi_image_entry *e, wi_err *err)
{
  struct dmeta d = {
    .path = (char *)(uintptr_t)e->path, .mode = e->mode, .uid = e->uid, .gid = e->gid
  };
  if (e->type != WI_LAYER_DIR || may(c, &d, R_OK_ | W_OK_ | X_OK_))
    return 0;
  wi_autofree char *what = wi_xasprintf("RUN rm -rf /%s", c->wd);
  return refuse(c, what, e->path, &d, "cannot be emptied", err);
}

/* The image's entries under the copied root, re-owned; its directories keep theirs. */
static int
copy_image_entry(struct wi_image_walk *w, const struct wi_image_entry *e, void *payload,
                 wi_err *err)
{
  struct ctx *c = payload;
  if (strcmp(e->path, c->root) == 0)
    return 0; /* made by the RUN mkdir */
  if (c->skip && under(e->path, c->skip))
    return check_rm(c, e, err); /* removed in wdt_build: the final image keeps its own */
  struct wi_layer_entry le = { .path = e->path,
                               .type = e->type,
                               .mode = e->mode,
                               .uid = c->ow.uid,
                               .gid = c->ow.gid,
                               .mtime = e->mtime,
                               .link = e->link };
  if (e->type == WI_LAYER_DIR) {
    const struct dmeta *d = comp_find(c, e->path);
    le.mode = d ? d->mode : e->mode; /* wdt_build's mkdir -p left the image's mode */
    return wi_layer_add(c->w, &le, err);
  }
  if (e->type == WI_LAYER_FILE)
    return add_streamed(c, &le, read_walk, w, err);
  return wi_layer_add(c->w, &le, err);
}

static bool
zdir_has(const struct ctx *c, const char *p)
{
  for (size_t i = c->n_zdirs; i > 0; i--)
    if (strcmp(c->zdirs[i - 1], p) == 0)
      return true;
  return false;
}

/* A directory the installer makes (once: an explicit entry wins over the parent it implied). */
static int
add_inst_dir(struct ctx *c, const char *path, uint32_t mode, wi_err *err)
{
  if (zdir_has(c, path))
    return 0;
  c->zdirs = wi_xreallocarray(c->zdirs, c->n_zdirs + 1, sizeof *c->zdirs);
  c->zdirs[c->n_zdirs++] = wi_xstrdup(path);
  return add_dir(c, path, mode, c->ow.uid, c->ow.gid, err);
}

static int
copy_inst_entry(struct wi_wdtinst *r, const struct wi_wdtinst_entry *ie, void *payload, wi_err *err)
{
  struct ctx *c = payload;
  size_t wl = strlen(c->wh);
  int ret = 0;
  /* directories the archive implies: unzip makes them 0755 */
  for (const char *s = strchr(ie->path + wl + 1, '/'); s && ret == 0; s = strchr(s + 1, '/')) {
    wi_autofree char *p = wi_xstrndup(ie->path, (size_t)(s - ie->path));
    ret = add_inst_dir(c, p, 0755, err);
  }
  if (ret < 0)
    return ret;
  if (ie->type == WI_LAYER_DIR)
    return add_inst_dir(c, ie->path, ie->mode, err);
  struct wi_layer_entry le = { .path = ie->path,
                               .type = ie->type,
                               .mode = ie->mode,
                               .uid = c->ow.uid,
                               .gid = c->ow.gid,
                               .mtime = c->o->epoch,
                               .link = ie->link };
  if (ie->type == WI_LAYER_FILE)
    return add_streamed(c, &le, read_inst, r, err);
  return wi_layer_add(c->w, &le, err);
}

/* COPY --chown=<u>:<g> of the model-home files (their context copies) into <mh>/. */
static int
add_files(struct ctx *c, wi_err *err)
{
  for (size_t i = 0; i < c->o->n_files; i++) {
    const char *f = c->o->files[i];
    struct stat st;
    if (stat(f, &st) < 0 || !S_ISREG(st.st_mode))
      return wi_err_sys(err, WI_EIO, "%s", f);
    const char *base = strrchr(f, '/') ? strrchr(f, '/') + 1 : f;
    wi_autofree char *path = wi_xasprintf("%s/%s", c->mh, base);
    struct wi_layer_entry le = { .path = path,
                                 .type = WI_LAYER_FILE,
                                 .mode = st.st_mode & 07777,
                                 .uid = c->ow.uid,
                                 .gid = c->ow.gid,
                                 .mtime = c->o->epoch,
                                 .src_path = f };
    int ret = wi_layer_add(c->w, &le, err);
    if (ret < 0)
      return ret;
  }
  return 0;
}

static void
walk_reset(struct ctx *c)
{
  for (size_t i = 0; i < c->n_zdirs; i++)
    free(c->zdirs[i]);
  free(c->zdirs);
  c->zdirs = NULL;
  c->n_zdirs = 0;
}

static int
finish_layer(struct ctx *c, int ret, struct wi_layer_result *lr, wi_err *err)
{
  if (ret == 0)
    ret = wi_layer_writer_finish_store(c->w, c->o->store, lr, err);
  wi_layer_writer_free(c->w);
  c->w = NULL;
  walk_reset(c);
  return ret;
}

static int
mkdir_layer(struct ctx *c, struct wi_layer_result *lr, wi_err *err)
{
  c->w = wi_layer_writer_new(NULL);
  int ret = 0;
  for (size_t i = 0; i < c->n_comp && ret == 0; i++)
    ret = add_dir(c, c->comp[i].path, c->comp[i].mode, c->comp[i].uid, c->comp[i].gid, err);
  return finish_layer(c, ret, lr, err);
}

/* COPY --from=wdt_build <root> <root>/: the image's tree under root, the installer when root is
 * the WDT home, the files when the model home lies in it. */
static int
copy_layer(struct ctx *c, const char *root, bool wdt, bool files, struct wi_layer_result *lr,
           wi_err *err)
{
  c->w = wi_layer_writer_new(NULL);
  c->root = root;
  c->skip = wdt && c->wd_found ? c->wd : NULL;
  int ret = add_comps(c, root, err);
  if (ret == 0)
    ret = wi_image_walk(c->o->store, c->o->from->manifest, root, copy_image_entry, c, err);
  if (ret == 0 && c->skip && c->ow.uid != 0) {
    /* rm -rf needs to write <wh>, which wdt_build gave to <u> */
    const struct dmeta *wh = comp_find(c, c->wh);
    struct dmeta d = {
      .path = c->wh, .mode = wh ? wh->mode : 0755, .uid = c->ow.uid, .gid = c->ow.gid
    };
    if (!may(c, &d, W_OK_ | X_OK_)) {
      wi_autofree char *what = wi_xasprintf("RUN rm -rf /%s", c->wd);
      ret = refuse(c, what, c->wh, &d, "is not writable", err);
    }
  }
  if (ret == 0 && wdt)
    ret = wi_wdtinst_each(c->o->installer, c->wh, copy_inst_entry, c, err);
  if (ret == 0 && files)
    ret = add_files(c, err);
  return finish_layer(c, ret, lr, err);
}

/* ---- RUN chmod -R g=u <dp> <wh> <mh> ---- */

static int
chmod_entry(struct wi_image_walk *w, const struct wi_image_entry *e, void *payload, wi_err *err)
{
  struct ctx *c = payload;
  if (e->type == WI_LAYER_SYMLINK)
    return 0; /* chmod -R leaves the links it meets alone */
  if (c->ow.uid != 0 && e->uid != c->ow.uid) {
    struct dmeta d = { .mode = e->mode, .uid = e->uid, .gid = e->gid };
    wi_autofree char *what = wi_xasprintf("RUN chmod -R g=u /%s /%s /%s", c->dp, c->wh, c->mh);
    return refuse(c, what, e->path, &d, "is not the user's", err);
  }
  struct wi_layer_entry le = { .path = e->path,
                               .type = e->type,
                               .mode = (e->mode & ~070u) | ((e->mode & 0700u) >> 3),
                               .uid = e->uid,
                               .gid = e->gid,
                               .mtime = e->mtime,
                               .link = e->link };
  if (e->type == WI_LAYER_FILE)
    return add_streamed(c, &le, read_walk, w, err);
  return wi_layer_add(c->w, &le, err);
}

static int
chmod_layer(struct ctx *c, const struct wi_layer_result *layers, size_t n,
            struct wi_layer_result *lr, wi_err *err)
{
  const struct wi_manifest *bm = c->o->from->manifest;
  struct wi_manifest m;
  wi_image_view(&m, bm, bm->n_layers, layers, n);
  const char *roots[3] = { c->dp, c->wh, c->mh };
  c->w = wi_layer_writer_new(NULL);
  int ret = 0;
  for (size_t i = 0; i < 3 && ret == 0; i++) {
    bool nested = false;
    for (size_t j = 0; j < 3; j++)
      if (j != i && under(roots[i], roots[j]) && (strcmp(roots[i], roots[j]) != 0 || j < i))
        nested = true;
    if (!nested)
      ret = wi_image_walk(c->o->store, &m, roots[i], chmod_entry, c, err);
  }
  free(m.layers);
  return finish_layer(c, ret, lr, err);
}

/* ---- config ---- */

int
wi_modelonly_build_id(const struct wi_modelonly_opts *o, char out[WI_DIGEST_UUID_SIZE], wi_err *err)
{
  struct wi_buf b = WI_BUF_INIT(1 << 20);
  char d[WI_DIGEST_MAX];
  int ret = wi_digest_file(o->installer, d, NULL, err);
  wi_buf_addf(&b, NULL,
              "wlsimg-modelonly-v1\nfrom=%s\nchown=%s:%s\ndomainHome=%s\nwdtHome=%s\n"
              "modelHome=%s\nopenshift=%d\nepoch=%lld\ninstaller=%s\n",
              o->from->manifest_digest, o->user, o->group, o->domain_home, o->wdt_home,
              o->wdt_model_home, o->openshift, (long long)o->epoch, d);
  for (size_t i = 0; i < o->n_files && ret == 0; i++) {
    struct stat st;
    const char *f = o->files[i];
    if (stat(f, &st) < 0)
      ret = wi_err_sys(err, WI_EIO, "%s", f);
    else if ((ret = wi_digest_file(f, d, NULL, err)) == 0)
      wi_buf_addf(&b, NULL, "file=%s %04o %s\n", strrchr(f, '/') ? strrchr(f, '/') + 1 : f,
                  (unsigned)(st.st_mode & 07777), d);
  }
  for (size_t i = 0; i < o->n_changes; i++)
    wi_buf_addf(&b, NULL, "change=%s\n", o->changes[i]);
  if (ret == 0)
    wi_digest_uuid(b.data, b.len, out);
  wi_buf_dispose(&b);
  return ret;
}

static int
make_config(const struct ctx *c, const char *bid, const struct wi_layer_result *layers,
            struct wi_imgconfig **out, wi_err *err)
{
  const struct wi_modelonly_opts *o = c->o;
  size_t len = 0, n = 0;
  wi_autofree char *bytes = wi_imgconfig_serialize(o->from->config, &len);
  if (wi_imgconfig_parse(out, bytes, len, err) < 0)
    return wi_err_wrap(err, "image config");
  struct wi_imgconfig *cfg = *out;
  const char *by = "wlsimg update";
  wi_autofree char *l_env =
      wi_xasprintf("ENV DOMAIN_HOME=%s WDT_HOME=%s WDT_MODEL_HOME=%s PATH=${PATH}:%s/bin",
                   o->domain_home, o->wdt_home, o->wdt_model_home, o->domain_home);
  wi_autofree char *l_label = wi_xasprintf("LABEL %s=\"%s\"", WI_LABEL_BUILD_ID, bid);
  wi_autofree char *l_user = wi_xasprintf("USER %s", o->user);
  const char *head[] = { "USER root", "ENV OPATCH_NO_FUSER=true", l_env, l_label, l_user };
  int ret = wi_imgconfig_apply_changes(cfg, head, 5, o->epoch, by, err);
  if (ret < 0)
    return ret;
  wi_autofree char *l_mkdir =
      wi_xasprintf("RUN mkdir -p /%s /%s /%s && chown %s:%s /%s /%s /%s", c->dp, c->wh, c->mh,
                   o->user, o->group, c->dp, c->wh, c->mh);
  wi_autofree char *l_copy =
      wi_xasprintf("COPY --from=wdt_build --chown=%s:%s /%s /%s/", o->user, o->group, c->wh, c->wh);
  wi_autofree char *l_copym =
      wi_xasprintf("COPY --from=wdt_build --chown=%s:%s /%s /%s/", o->user, o->group, c->mh, c->mh);
  wi_autofree char *l_chmod = wi_xasprintf("RUN chmod -R g=u /%s /%s /%s", c->dp, c->wh, c->mh);
  wi_imgconfig_add_layer(cfg, layers[n++].diff_id, o->epoch, l_mkdir, by);
  wi_imgconfig_add_layer(cfg, layers[n++].diff_id, o->epoch, l_copy, by);
  if (!c->mh_in_wh)
    wi_imgconfig_add_layer(cfg, layers[n++].diff_id, o->epoch, l_copym, by);
  if (o->openshift)
    wi_imgconfig_add_layer(cfg, layers[n++].diff_id, o->epoch, l_chmod, by);
  wi_imgconfig_set_created(cfg, o->epoch);
  return wi_imgconfig_apply_changes(cfg, o->changes, o->n_changes, o->epoch, by, err);
}

static int
check_opts(const struct wi_modelonly_opts *o, struct ctx *c, wi_err *err)
{
  if (o->store == NULL || o->from == NULL || o->installer == NULL)
    return wi_err_set(err, WI_EINVAL,
                      "update: the store, the image and the WDT installer are required");
  if (o->user == NULL || !*o->user || o->group == NULL || !*o->group)
    return wi_err_set(err, WI_EINVAL, "update: a user and a group are required");
  const char *typed[3] = { o->domain_home, o->wdt_home, o->wdt_model_home };
  char **norm[3] = { &c->dh, &c->wh, &c->mh };
  static const char *const names[3] = { "domain home", "WDT home", "WDT model home" };
  for (size_t i = 0; i < 3; i++)
    if ((*norm[i] = wi_rebase_norm_path(typed[i])) == NULL)
      return wi_err_set(err, WI_EINVAL, "update: the %s \"%s\" is not an absolute path", names[i],
                        typed[i] ? typed[i] : "");
  /* Path.getParent(): the domain home itself when it has none */
  char *slash = strrchr(c->dh, '/');
  c->dp = slash ? wi_xstrndup(c->dh, (size_t)(slash - c->dh)) : wi_xstrdup(c->dh);
  c->wd = wi_xasprintf("%s/weblogic-deploy", c->wh);
  c->mh_in_wh = under(c->mh, c->wh) && strcmp(c->mh, c->wh) != 0;
  int ret = comp_add_all(c, c->dp, err);
  if (ret == 0)
    ret = comp_add_all(c, c->wh, err);
  if (ret == 0)
    ret = comp_add_all(c, c->mh, err);
  return ret;
}

static void
ctx_dispose(struct ctx *c)
{
  char *owned[] = { c->dh, c->dp, c->wh, c->mh, c->wd, c->passwd, c->group, c->buf };
  for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
    free(owned[i]);
  for (size_t i = 0; i < c->n_comp; i++)
    free(c->comp[i].path);
  walk_reset(c);
  wi_layer_writer_free(c->w);
}

int
wi_modelonly_build(const struct wi_modelonly_opts *o, struct wi_modelonly_result *res, wi_err *err)
{
  struct ctx c = { .o = o };
  struct wi_layer_result layers[MAX_LAYERS];
  size_t n = 0;
  wi_autoptr(wi_imgconfig) struct wi_imgconfig *cfg = NULL;
  struct wi_descriptor desc = { 0 };
  char bid[40];
  int ret;

  memset(res, 0, sizeof *res);
  c.buf = wi_xmalloc(CHUNK);
  if ((ret = check_opts(o, &c, err)) < 0 || (ret = read_image(&c, err)) < 0 ||
      (ret = run_mkdir_chown(&c, err)) < 0 || (ret = mkdir_layer(&c, &layers[n++], err)) < 0 ||
      (ret = copy_layer(&c, c.wh, true, c.mh_in_wh, &layers[n++], err)) < 0)
    goto out;
  if (!c.mh_in_wh && (ret = copy_layer(&c, c.mh, false, true, &layers[n++], err)) < 0)
    goto out;
  if (o->openshift && (ret = chmod_layer(&c, layers, n, &layers[n], err)) < 0)
    goto out;
  if (o->openshift)
    n++;
  if (o->build_id)
    snprintf(bid, sizeof bid, "%s", o->build_id);
  else if ((ret = wi_modelonly_build_id(o, bid, err)) < 0)
    goto out;
  ret = make_config(&c, bid, layers, &cfg, err);
  if (ret == 0)
    ret = wi_image_commit(o->store, o->from, layers, n, cfg, o->tag, &desc, err);
  if (ret == 0) {
    snprintf(res->digest, sizeof res->digest, "%s", desc.digest);
    snprintf(res->build_id, sizeof res->build_id, "%s", bid);
    for (size_t i = 0; i < n; i++)
      res->layer_bytes += layers[i].size;
  }
  wi_manifest_descriptor_dispose(&desc);
out:
  ctx_dispose(&c);
  return ret;
}
