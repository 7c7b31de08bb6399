/* wlsimg: `rebase --targetImage`, natively — see rebase.h and docs/internals/rebase.md. */
#include "lib/rebase.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/aux.h"
#include "lib/buf.h"
#include "lib/layer.h"
#include "lib/passwd.h"
#include "lib/str.h"

#define MAX_ETC_BYTES  (4u << 20)
#define MAX_COMPONENTS 64
#define CHUNK          (256 * 1024)
#define MAX_LAYERS     3

int64_t
wi_rebase_epoch(void)
{
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  return sde && wi_passwd_is_id(sde) ? strtoll(sde, NULL, 10) : 0;
}

/* Directory metadata as the target has it. */
struct dmeta {
  char *path; /* normalised, no leading "/" */
  bool found, is_dir;
  uint32_t mode, uid, gid;
};

struct ctx {
  const struct wi_rebase_opts *o;
  char *dh, *cp; /* domain_home and copy_path, normalised without the leading "/" */
  uint32_t uid, pgid, gid;
  struct dmeta comp[MAX_COMPONENTS]; /* the components of dh, then those of cp */
  size_t n_dh, n_cp;
  struct dmeta *tdirs; /* directories under cp that the target already has, sorted by path */
  size_t n_tdirs;
  bool cp_in_target, dh_in_target;
  struct wi_layer_stream *ls;
  uint64_t n_entries;
  bool root_seen;
  char *buf;
};

char *
wi_rebase_norm_path(const char *p)
{
  if (p == NULL || p[0] != '/')
    return NULL;
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  for (const char *s = p; *s;) {
    while (*s == '/')
      s++;
    size_t n = strcspn(s, "/");
    if (n == 0)
      break;
    if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) {
      wi_buf_dispose(&b);
      return NULL;
    }
    if (b.len)
      wi_buf_add(&b, "/", 1, NULL);
    wi_buf_add(&b, s, n, NULL);
    s += n;
  }
  if (b.len == 0) {
    wi_buf_dispose(&b);
    return NULL;
  }
  return wi_buf_steal(&b);
}

/* USER and --chown as an engine resolves them in the target's files. */
static int
resolve_ids(struct ctx *c, const char *passwd, const char *group, wi_err *err)
{
  struct wi_passwd_owner ow;
  int ret = wi_passwd_owner(passwd, group, c->o->user, c->o->group, "the target image", &ow, err);
  c->uid = ow.uid;
  c->pgid = ow.pgid;
  c->gid = ow.gid;
  return ret;
}

/* comp[first..] = every component of path ("u01", "u01/domains", "u01/domains/d"). */
static size_t
components(struct dmeta *comp, size_t room, const char *path)
{
  size_t n = 0;
  for (const char *s = strchr(path, '/');; s = strchr(s + 1, '/')) {
    if (n == room)
      return SIZE_MAX;
    comp[n++].path = s ? wi_xstrndup(path, (size_t)(s - path)) : wi_xstrdup(path);
    if (s == NULL)
      return n;
  }
}

/* One pass over the target's layers: /etc/passwd, /etc/group, the components of dh and cp. */
static int
read_target(struct ctx *c, wi_err *err)
{
  size_t n = 2 + c->n_dh + c->n_cp;
  struct wi_image_file *f = wi_xcalloc(n, sizeof *f);
  f[0].path = "etc/passwd";
  f[1].path = "etc/group";
  for (size_t i = 0; i < c->n_dh + c->n_cp; i++)
    f[2 + i].path = c->comp[i].path;
  int ret = wi_image_read_files(c->o->store, c->o->target->manifest, f, n, MAX_ETC_BYTES, err);
  if (ret == 0)
    ret = resolve_ids(c, f[0].data ? f[0].data : "", f[1].data ? f[1].data : "", err);
  for (size_t i = 0; ret == 0 && i < c->n_dh + c->n_cp; i++) {
    struct dmeta *d = &c->comp[i];
    d->found = f[2 + i].found;
    d->is_dir = f[2 + i].is_dir;
    d->mode = f[2 + i].mode;
    d->uid = f[2 + i].uid;
    d->gid = f[2 + i].gid;
    if (d->found && !d->is_dir)
      ret = wi_err_set(err, WI_EINVAL, "/%s is not a directory in the target image", d->path);
  }
  if (ret == 0) {
    c->cp_in_target = c->comp[c->n_dh + c->n_cp - 1].found;
    c->dh_in_target = c->comp[c->n_dh - 1].found;
  }
  wi_image_files_dispose(f, n);
  free(f);
  return ret;
}

static int
add_dir(struct wi_layer_writer *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
        int64_t mtime, wi_err *err)
{
  struct wi_layer_entry e = {
    .path = path, .type = WI_LAYER_DIR, .mode = mode, .uid = uid, .gid = gid, .mtime = mtime
  };
  return wi_layer_add(w, &e, err);
}

/* What `mkdir -p dh` run as the user leaves: missing components uid:primary gid 0755. The
 * components are updated to their state after it. Returns whether anything was created. */
static bool
plan_mkdir(struct ctx *c)
{
  bool any = false;
  for (size_t i = 0; i < c->n_dh; i++) {
    struct dmeta *d = &c->comp[i];
    if (d->found)
      continue;
    *d = (struct dmeta){
      .path = d->path, .found = true, .is_dir = true, .mode = 0755, .uid = c->uid, .gid = c->pgid
    };
    any = true;
    /* cp's components that are also dh's were created with it */
    for (size_t j = c->n_dh; j < c->n_dh + c->n_cp; j++)
      if (strcmp(c->comp[j].path, d->path) == 0)
        c->comp[j] = (struct dmeta){ .path = c->comp[j].path,
                                     .found = true,
                                     .is_dir = true,
                                     .mode = 0755,
                                     .uid = c->uid,
                                     .gid = c->pgid };
  }
  return any;
}

static int
mkdir_layer(struct ctx *c, struct wi_layer_result *lr, wi_err *err)
{
  wi_autoptr(wi_layer_writer) struct wi_layer_writer *w = wi_layer_writer_new(NULL);
  int ret = 0;
  for (size_t i = 0; i < c->n_dh && ret == 0; i++)
    ret = add_dir(w, c->comp[i].path, c->comp[i].mode, c->comp[i].uid, c->comp[i].gid, c->o->epoch,
                  err);
  return ret < 0 ? ret : wi_layer_writer_finish_store(w, c->o->store, lr, err);
}

static int
cmp_dmeta(const void *a, const void *b)
{
  return strcmp(((const struct dmeta *)a)->path, ((const struct dmeta *)b)->path);
}

static const struct dmeta *
target_dir(const struct ctx *c, const char *path)
{
  struct dmeta key = { .path = (char *)(uintptr_t)path };
  return c->n_tdirs ? bsearch(&key, c->tdirs, c->n_tdirs, sizeof key, cmp_dmeta) : NULL;
}

static int
collect_target_dir(struct wi_image_walk *w, const struct wi_image_entry *e, void *payload,
                   wi_err *err)
{
  struct ctx *c = payload;
  WI_UNUSED(w);
  WI_UNUSED(err);
  if (e->type != WI_LAYER_DIR)
    return 0;
  c->tdirs = wi_xreallocarray(c->tdirs, c->n_tdirs + 1, sizeof *c->tdirs);
  c->tdirs[c->n_tdirs++] = (struct dmeta){ .path = wi_xstrdup(e->path),
                                           .found = true,
                                           .is_dir = true,
                                           .mode = e->mode,
                                           .uid = e->uid,
                                           .gid = e->gid };
  return 0;
}

/* One file entry and its content, read from the walk as the stream takes it. */
static int
copy_file(struct ctx *c, struct wi_image_walk *w, struct wi_layer_entry *le, int64_t size,
          wi_err *err)
{
  le->size = (size_t)size;
  int ret = wi_layer_stream_add(c->ls, le, err);
  while (ret == 0) {
    ssize_t n = wi_image_walk_read(w, c->buf, CHUNK, err);
    if (n <= 0) {
      ret = (int)n;
      break;
    }
    ret = wi_layer_stream_write(c->ls, c->buf, (size_t)n, err);
  }
  return ret;
}

/* A directory entry of the streamed layer. */
static int
stream_dir(struct ctx *c, const char *path, uint32_t mode, uint32_t uid, uint32_t gid, wi_err *err)
{
  struct wi_layer_entry e = {
    .path = path, .type = WI_LAYER_DIR, .mode = mode, .uid = uid, .gid = gid, .mtime = c->o->epoch
  };
  return wi_layer_stream_add(c->ls, &e, err);
}

static int
copy_entry(struct wi_image_walk *w, const struct wi_image_entry *e, void *payload, wi_err *err)
{
  struct ctx *c = payload;
  struct wi_layer_entry le = { .path = e->path,
                               .type = e->type,
                               .mode = e->mode,
                               .uid = c->uid,
                               .gid = c->gid,
                               .mtime = e->mtime,
                               .link = e->link };
  if (strcmp(e->path, c->cp) == 0) {
    if (e->type != WI_LAYER_DIR)
      return wi_err_set(err, WI_EINVAL, "/%s is not a directory in the source image", c->cp);
    c->root_seen = true;
    return 0; /* the destination exists: it keeps its own owner and mode */
  }
  c->n_entries++;
  if (e->type == WI_LAYER_DIR) {
    const struct dmeta *t = target_dir(c, e->path);
    if (t) {
      le.mode = t->mode;
      le.uid = t->uid;
      le.gid = t->gid;
    }
    return wi_layer_stream_add(c->ls, &le, err);
  }
  if (e->type == WI_LAYER_HARDLINK) {
    size_t l = strlen(c->cp);
    if (strncmp(e->link, c->cp, l) != 0 || e->link[l] != '/')
      return wi_err_set(err, WI_EUNSUPPORTED,
                        "/%s is a hard link to /%s, outside /%s: copying it is not supported",
                        e->path, e->link, c->cp);
    return wi_layer_stream_add(c->ls, &le, err);
  }
  if (e->type == WI_LAYER_SYMLINK)
    return wi_layer_stream_add(c->ls, &le, err);
  return copy_file(c, w, &le, e->size, err);
}

/* The parents of cp and cp itself, as they are once the mkdir layer is applied; a component the
 * target lacks (cp outside dh) is made as COPY makes it: root 0755, cp itself with the owner. */
static int
add_copy_parents(struct ctx *c, wi_err *err)
{
  for (size_t i = c->n_dh; i < c->n_dh + c->n_cp; i++) {
    const struct dmeta *d = &c->comp[i];
    bool last = i + 1 == c->n_dh + c->n_cp;
    int ret = d->found ? stream_dir(c, d->path, d->mode, d->uid, d->gid, err)
              : last   ? stream_dir(c, d->path, 0755, c->uid, c->gid, err)
                       : stream_dir(c, d->path, 0755, 0, 0, err);
    if (ret < 0)
      return ret;
  }
  return 0;
}

static int
copy_layer(struct ctx *c, struct wi_layer_result *lr, wi_err *err)
{
  int ret = 0;
  if (c->cp_in_target) {
    /* a COPY onto existing directories leaves their owner and mode: learn them */
    ret = wi_image_walk(c->o->store, c->o->target->manifest, c->cp, collect_target_dir, c, err);
    if (ret < 0)
      return ret;
    if (c->n_tdirs > 1)
      qsort(c->tdirs, c->n_tdirs, sizeof *c->tdirs, cmp_dmeta);
  }
  if ((ret = wi_layer_stream_new(&c->ls, c->o->store, c->o->gzip_level, err)) < 0)
    return ret;
  ret = add_copy_parents(c, err);
  if (ret == 0)
    ret = wi_image_walk(c->o->store, c->o->source->manifest, c->cp, copy_entry, c, err);
  if (ret == 0 && !c->root_seen)
    ret = wi_err_set(err, WI_ENOTFOUND, "the source image has no /%s", c->cp);
  if (ret == 0)
    ret = wi_layer_stream_finish(c->ls, lr, err);
  wi_layer_stream_free(c->ls);
  c->ls = NULL;
  return ret;
}

/* ---- RUN chmod -R g=u <domain_home> ---- */

static int
chmod_entry(struct wi_image_walk *w, const struct wi_image_entry *e, void *payload, wi_err *err)
{
  struct ctx *c = payload;
  struct wi_layer_entry le = { .path = e->path,
                               .type = e->type,
                               .mode = (e->mode & ~070u) | ((e->mode & 0700u) >> 3),
                               .uid = e->uid,
                               .gid = e->gid,
                               .mtime = e->mtime,
                               .link = e->link };
  if (e->type == WI_LAYER_SYMLINK)
    return 0; /* chmod -R leaves the links it meets alone */
  if (e->type == WI_LAYER_FILE)
    return copy_file(c, w, &le, e->size, err);
  return wi_layer_stream_add(c->ls, &le, err);
}

/* The merged view of the new layers (and the target's, when it already had the domain home). */
static int
chmod_layer(struct ctx *c, const struct wi_layer_result *layers, size_t n,
            struct wi_layer_result *lr, wi_err *err)
{
  const struct wi_manifest *tm = c->o->target->manifest;
  struct wi_manifest m;
  wi_image_view(&m, tm, c->dh_in_target ? tm->n_layers : 0, layers, n);
  int ret = wi_layer_stream_new(&c->ls, c->o->store, c->o->gzip_level, err);
  if (ret == 0)
    ret = wi_image_walk(c->o->store, &m, c->dh, chmod_entry, c, err);
  if (ret == 0)
    ret = wi_layer_stream_finish(c->ls, lr, err);
  wi_layer_stream_free(c->ls);
  c->ls = NULL;
  free(m.layers);
  return ret;
}

/* ---- config ---- */

void
wi_rebase_build_id(const struct wi_rebase_opts *o, char out[WI_DIGEST_UUID_SIZE])
{
  wi_autofree char *dh = wi_rebase_norm_path(o->domain_home);
  wi_autofree char *cp = wi_rebase_norm_path(o->copy_path ? o->copy_path : o->domain_home);
  struct wi_buf b = WI_BUF_INIT(1 << 20);
  wi_buf_addf(&b, NULL,
              "wlsimg-rebase-v1\nsource=%s\ntarget=%s\ndomainHome=/%s\ncopy=/%s\nchown=%s:%s\n"
              "openshift=%d\nepoch=%lld\n",
              o->source->manifest_digest, o->target->manifest_digest, dh ? dh : "", cp ? cp : "",
              o->user, o->group, o->openshift, (long long)o->epoch);
  for (size_t i = 0; i < o->n_changes; i++)
    wi_buf_addf(&b, NULL, "change=%s\n", o->changes[i]);
  wi_digest_uuid(b.data, b.len, out);
  wi_buf_dispose(&b);
}

static int
make_config(const struct ctx *c, const char *bid, const struct wi_layer_result *mk,
            const struct wi_layer_result *cp, const struct wi_layer_result *chm,
            struct wi_imgconfig **out, wi_err *err)
{
  const struct wi_rebase_opts *o = c->o;
  size_t len = 0;
  wi_autofree char *bytes = wi_imgconfig_serialize(o->target->config, &len);
  if (wi_imgconfig_parse(out, bytes, len, err) < 0)
    return wi_err_wrap(err, "target image config");
  struct wi_imgconfig *cfg = *out;
  wi_autofree char *dh = wi_xasprintf("/%s", c->dh);
  wi_autofree char *cph = wi_xasprintf("/%s", c->cp);
  wi_autofree char *l_env = wi_xasprintf("ENV DOMAIN_HOME=%s", dh);
  wi_autofree char *l_label = wi_xasprintf("LABEL %s=\"%s\"", WI_LABEL_BUILD_ID, bid);
  wi_autofree char *l_user = wi_xasprintf("USER %s", o->user);
  wi_autofree char *l_mkdir = wi_xasprintf("RUN mkdir -p %s", dh);
  wi_autofree char *l_copy =
      wi_xasprintf("COPY --from=source_image --chown=%s:%s %s %s/", o->user, o->group, cph, cph);
  wi_autofree char *l_chmod = wi_xasprintf("RUN chmod -R g=u %s", dh);
  wi_autofree char *l_wd = wi_xasprintf("WORKDIR %s", dh);
  const char *by = "wlsimg rebase";
  wi_imgconfig_add_layer(cfg, NULL, o->epoch, l_env, by);
  wi_imgconfig_add_layer(cfg, NULL, o->epoch, l_label, by);
  wi_imgconfig_add_layer(cfg, NULL, o->epoch, l_user, by);
  wi_imgconfig_add_layer(cfg, mk ? mk->diff_id : NULL, o->epoch, l_mkdir, by);
  wi_imgconfig_add_layer(cfg, cp->diff_id, o->epoch, l_copy, by);
  if (chm)
    wi_imgconfig_add_layer(cfg, chm->diff_id, o->epoch, l_chmod, by);
  wi_imgconfig_add_layer(cfg, NULL, o->epoch, l_wd, by);
  wi_imgconfig_set_env(cfg, "DOMAIN_HOME", dh);
  wi_imgconfig_set_label(cfg, WI_LABEL_BUILD_ID, bid);
  wi_imgconfig_set_user(cfg, o->user);
  wi_imgconfig_set_workdir(cfg, dh);
  wi_imgconfig_set_created(cfg, o->epoch);
  return wi_imgconfig_apply_changes(cfg, o->changes, o->n_changes, o->epoch, by, err);
}

static int
check_opts(const struct wi_rebase_opts *o, struct ctx *c, wi_err *err)
{
  if (o->store == NULL || o->source == NULL || o->target == NULL)
    return wi_err_set(err, WI_EINVAL, "rebase: the store, the source and the target are required");
  if (o->user == NULL || !*o->user || o->group == NULL || !*o->group)
    return wi_err_set(err, WI_EINVAL, "rebase: a user and a group are required");
  c->dh = wi_rebase_norm_path(o->domain_home);
  if (c->dh == NULL)
    return wi_err_set(err, WI_EINVAL, "rebase: the domain home \"%s\" is not an absolute path",
                      o->domain_home ? o->domain_home : "");
  c->cp = wi_rebase_norm_path(o->copy_path ? o->copy_path : o->domain_home);
  if (c->cp == NULL)
    return wi_err_set(err, WI_EINVAL, "rebase: the path to copy \"%s\" is not an absolute path",
                      o->copy_path);
  c->n_dh = components(c->comp, MAX_COMPONENTS, c->dh);
  c->n_cp = c->n_dh == SIZE_MAX ? SIZE_MAX
                                : components(c->comp + c->n_dh, MAX_COMPONENTS - c->n_dh, c->cp);
  if (c->n_dh == SIZE_MAX || c->n_cp == SIZE_MAX)
    return wi_err_set(err, WI_EINVAL, "rebase: the domain home has too many path components");
  return 0;
}

static void
ctx_dispose(struct ctx *c)
{
  free(c->dh);
  free(c->cp);
  for (size_t i = 0; i < MAX_COMPONENTS; i++)
    free(c->comp[i].path);
  for (size_t i = 0; i < c->n_tdirs; i++)
    free(c->tdirs[i].path);
  free(c->tdirs);
  free(c->buf);
}

int
wi_rebase_build(const struct wi_rebase_opts *o, struct wi_rebase_result *res, wi_err *err)
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
  if ((ret = check_opts(o, &c, err)) < 0 || (ret = read_target(&c, err)) < 0)
    goto out;
  bool mk = plan_mkdir(&c);
  if (mk && (ret = mkdir_layer(&c, &layers[n++], err)) < 0)
    goto out;
  if ((ret = copy_layer(&c, &layers[n++], err)) < 0)
    goto out;
  if (o->openshift && (ret = chmod_layer(&c, layers, n, &layers[n], err)) < 0)
    goto out;
  if (o->openshift)
    n++;
  if (o->build_id)
    snprintf(bid, sizeof bid, "%s", o->build_id);
  else
    wi_rebase_build_id(o, bid);
  ret = make_config(&c, bid, mk ? &layers[0] : NULL, &layers[mk ? 1 : 0],
                    o->openshift ? &layers[n - 1] : NULL, &cfg, err);
  if (ret == 0)
    ret = wi_image_commit(o->store, o->target, layers, n, cfg, o->tag, &desc, err);
  if (ret == 0) {
    snprintf(res->digest, sizeof res->digest, "%s", desc.digest);
    snprintf(res->build_id, sizeof res->build_id, "%s", bid);
    res->uid = c.uid;
    res->gid = c.gid;
    res->n_entries = c.n_entries;
    for (size_t i = 0; i < n; i++)
      res->layer_bytes += layers[i].size;
  }
  wi_manifest_descriptor_dispose(&desc);
out:
  ctx_dispose(&c);
  return ret;
}
