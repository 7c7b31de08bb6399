/* wlsimg: createAuxImage builds — natively (one new layer on the base, per platform, plus an index)
 * or through an external engine when RUN is needed. See aux.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/alloc.h"
#include "lib/aux_int.h"
#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/engine.h"
#include "lib/fs.h"
#include "lib/image.h"
#include "lib/imgconfig.h"
#include "lib/layer.h"
#include "lib/log.h"
#include "lib/manifest.h"
#include "lib/passwd.h"
#include "lib/str.h"
#include "lib/strv.h"
#include "lib/wdtinst.h"

extern char **environ;

/* ---- native build ---- */

/* Directory paths already in the layer (so implicit parents do not replace explicit entries). */
struct dirset {
  char **v;
  size_t n;
};

static bool
dirset_has(const struct dirset *d, const char *p)
{
  for (size_t i = 0; i < d->n; i++)
    if (strcmp(d->v[i], p) == 0)
      return true;
  return false;
}

static void
dirset_add(struct dirset *d, const char *p)
{
  d->v = wi_xreallocarray(d->v, d->n + 1, sizeof *d->v);
  d->v[d->n++] = wi_xstrdup(p);
}

static void
dirset_dispose(struct dirset *d)
{
  for (size_t i = 0; i < d->n; i++)
    free(d->v[i]);
  free(d->v);
  d->v = NULL;
  d->n = 0;
}

struct layer_ctx {
  struct wi_aux_plan *p;
  struct wi_layer_writer *w;
  struct dirset dirs;
  uint32_t uid, gid;
  const char *passwd, *group; /* for --chown names in COPY */
};

/* Add a directory (path without leading '/'), owned as given, unless already added. */
static int
add_dir(struct layer_ctx *c, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
        bool replace, wi_err *err)
{
  if (path[0] == '\0')
    return 0;
  if (dirset_has(&c->dirs, path) && !replace)
    return 0;
  if (!dirset_has(&c->dirs, path))
    dirset_add(&c->dirs, path);
  struct wi_layer_entry e = {
    .path = path, .type = WI_LAYER_DIR, .mode = mode, .uid = uid, .gid = gid, .mtime = c->p->epoch
  };
  return wi_layer_add(c->w, &e, err);
}

/* Parents of path (exclusive) that lie under `under` get owner uid:gid; others root 0755. */
static int
add_parents(struct layer_ctx *c, const char *path, const char *under, wi_err *err)
{
  wi_autofree char *t = wi_xstrdup(path);
  size_t ul = strlen(under);
  for (char *s = strchr(t, '/'); s; s = strchr(s + 1, '/')) {
    *s = '\0';
    bool own = ul && strncmp(t, under, ul) == 0 && (t[ul] == '\0' || t[ul] == '/');
    int r = add_dir(c, t, 0755, own ? c->uid : 0, own ? c->gid : 0, false, err);
    *s = '/';
    if (r < 0)
      return r;
  }
  return 0;
}

/* One regular file of the installer: small ones (the many scripts and modules) are copied from
 * memory, bigger ones streamed into the layer's spool (no whole entry in memory). */
#define INSTALLER_BUF (64 * 1024)

static int
add_installer_file(struct layer_ctx *c, struct wi_wdtinst *r, const struct wi_wdtinst_entry *ie,
                   struct wi_layer_entry *e, wi_err *err)
{
  wi_autofree char *buf = wi_xmalloc(INSTALLER_BUF);
  bool small = ie->size >= 0 && ie->size <= INSTALLER_BUF;
  size_t got = 0;
  int ret = small ? 0 : wi_layer_file_begin(c->w, e, err);

  while (ret == 0) {
    ssize_t k = wi_wdtinst_read(r, buf + got, INSTALLER_BUF - got, err);
    if (k < 0)
      ret = (int)k;
    else if (k == 0)
      break;
    else if (small)
      got += (size_t)k;
    else
      ret = wi_layer_file_write(c->w, buf, (size_t)k, err);
    if (ret == 0 && small && got == INSTALLER_BUF) {
      /* More than the header said (or exactly the buffer): stream it. */
      small = false;
      if ((ret = wi_layer_file_begin(c->w, e, err)) == 0)
        ret = wi_layer_file_write(c->w, buf, got, err);
      got = 0;
    }
  }
  if (ret < 0)
    return ret;
  if (small) {
    e->data = buf;
    e->size = got;
    return wi_layer_add(c->w, e, err);
  }
  return wi_layer_file_end(c->w, err);
}

struct installer_ctx {
  struct layer_ctx *c;
  const char *wh;
};

static int
add_installer_entry(struct wi_wdtinst *r, const struct wi_wdtinst_entry *ie, void *payload,
                    wi_err *err)
{
  struct installer_ctx *ic = payload;
  struct layer_ctx *c = ic->c;
  int ret = add_parents(c, ie->path, ic->wh, err);
  if (ret < 0)
    return ret;
  if (ie->type == WI_LAYER_DIR)
    return add_dir(c, ie->path, ie->mode, c->uid, c->gid, true, err);
  struct wi_layer_entry e = { .path = ie->path,
                              .type = ie->type,
                              .mode = ie->mode,
                              .uid = c->uid,
                              .gid = c->gid,
                              .mtime = c->p->epoch,
                              .link = ie->link };
  if (ie->type == WI_LAYER_FILE)
    return add_installer_file(c, r, ie, &e, err);
  return wi_layer_add(c->w, &e, err);
}

static int
add_installer(struct layer_ctx *c, const char *wh, wi_err *err)
{
  struct installer_ctx ic = { .c = c, .wh = wh };
  return wi_wdtinst_each(c->p->installer, wh, add_installer_entry, &ic, err);
}

/* Owner for a COPY --chown= value (names from the image's files; no users are added here). */
static int
copy_owner(const struct layer_ctx *c, const char *spec, uint32_t *uid, uint32_t *gid, wi_err *err)
{
  wi_autofree char *u = wi_xstrdup(spec);
  char *colon = strchr(u, ':');
  const char *g = colon ? colon + 1 : NULL;
  if (colon)
    *colon = '\0';
  if (wi_passwd_is_id(u)) {
    *uid = (uint32_t)strtoul(u, NULL, 10);
  } else {
    wi_autofree char *v = wi_passwd_lookup(c->passwd, u, 2);
    if (!v)
      return wi_err_set(err, WI_EINVAL, "COPY --chown=%s: no user %s in the image", spec, u);
    *uid = (uint32_t)strtoul(v, NULL, 10);
    wi_autofree char *pg = wi_passwd_lookup(c->passwd, u, 3);
    *gid = pg ? (uint32_t)strtoul(pg, NULL, 10) : 0;
  }
  if (g && wi_passwd_is_id(g)) {
    *gid = (uint32_t)strtoul(g, NULL, 10);
  } else if (g) {
    wi_autofree char *v = wi_passwd_lookup(c->group, g, 2);
    if (!v)
      return wi_err_set(err, WI_EINVAL, "COPY --chown=%s: no group %s in the image", spec, g);
    *gid = (uint32_t)strtoul(v, NULL, 10);
  } else if (wi_passwd_is_id(u)) {
    *gid = *uid;
  }
  return 0;
}

static int
copy_tree(struct layer_ctx *c, const char *src, const char *dst, uint32_t uid, uint32_t gid,
          int depth, wi_err *err)
{
  struct stat st;
  if (depth > 64)
    return wi_err_set(err, WI_EINVAL, "COPY %s: directory tree too deep", src);
  if (lstat(src, &st) < 0)
    return wi_err_sys(err, WI_EINVAL, "COPY %s", src);
  if (S_ISDIR(st.st_mode)) {
    int r = add_dir(c, dst, st.st_mode & 07777, uid, gid, true, err);
    DIR *d = r < 0 ? NULL : opendir(src);
    if (r < 0)
      return r;
    if (d == NULL)
      return wi_err_sys(err, WI_EIO, "COPY %s", src);
    struct dirent *de;
    while ((de = readdir(d)) != NULL && r == 0) {
      if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
        continue;
      wi_autofree char *s2 = wi_xasprintf("%s/%s", src, de->d_name);
      wi_autofree char *d2 = wi_xasprintf("%s/%s", dst, de->d_name);
      r = copy_tree(c, s2, d2, uid, gid, depth + 1, err);
    }
    closedir(d);
    return r;
  }
  struct wi_layer_entry e = {
    .path = dst, .mode = st.st_mode & 07777, .uid = uid, .gid = gid, .mtime = c->p->epoch
  };
  char target[4096];
  if (S_ISLNK(st.st_mode)) {
    ssize_t n = readlink(src, target, sizeof target - 1);
    if (n < 0)
      return wi_err_sys(err, WI_EIO, "COPY %s", src);
    target[n] = '\0';
    e.type = WI_LAYER_SYMLINK;
    e.link = target;
  } else if (S_ISREG(st.st_mode)) {
    e.type = WI_LAYER_FILE;
    e.src_path = src;
  } else {
    return wi_err_set(err, WI_EINVAL, "COPY %s: not a regular file, directory or link", src);
  }
  return wi_layer_add(c->w, &e, err);
}

/* Split a Dockerfile instruction's arguments: JSON array form or whitespace separated. */
static size_t
split_args(const char *s, char ***out)
{
  char **v = NULL;
  size_t n = 0;
  while (isspace((unsigned char)*s))
    s++;
  bool json = *s == '[';
  if (json)
    s++;
  while (*s) {
    while (isspace((unsigned char)*s) || (json && *s == ','))
      s++;
    if (!*s || (json && *s == ']'))
      break;
    struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
    if (json && *s == '"') {
      s++;
      while (*s && *s != '"') {
        if (*s == '\\' && s[1])
          s++;
        wi_buf_add(&b, s++, 1, NULL);
      }
      if (*s == '"')
        s++;
    } else {
      while (*s && !isspace((unsigned char)*s))
        wi_buf_add(&b, s++, 1, NULL);
    }
    v = wi_xreallocarray(v, n + 1, sizeof *v);
    v[n++] = wi_buf_steal(&b);
  }
  *out = v;
  return n;
}

static void
free_args(char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

/* The real path of rest (may be "") inside the real directory or file root: symbolic links are
 * followed, and a path they lead out of root is refused, as docker and buildah refuse a source
 * outside the build context. */
static char *
resolve_inside(const char *verb, const char *src, const char *root, const char *rest, wi_err *err)
{
  wi_autofree char *rroot = realpath(root, NULL);
  if (rroot == NULL) {
    wi_err_sys(err, WI_EINVAL, "%s %s: --additionalBuildFiles %s", verb, src, root);
    return NULL;
  }
  wi_autofree char *cand = rest[0] ? wi_xasprintf("%s/%s", rroot, rest) : wi_xstrdup(rroot);
  char *real = realpath(cand, NULL);
  size_t rl = strlen(rroot);
  if (real == NULL) {
    wi_err_sys(err, WI_EINVAL, "%s %s: not in the build context", verb, src);
    return NULL;
  }
  if (strncmp(real, rroot, rl) != 0 || (real[rl] != '\0' && real[rl] != '/' && rl > 1)) {
    wi_err_set(err, WI_EDENIED,
               "%s %s: forbidden path outside the build context: it leads to %s, outside %s", verb,
               src, real, rroot);
    free(real);
    return NULL;
  }
  return real;
}

/* A build-context path → the local file it stands for (malloc'ed); NULL with err set when it is
 * not in the context or leads out of it. */
static char *
context_source(const struct wi_aux_plan *p, const char *verb, const char *src, wi_err *err)
{
  /* as docker reads it against the context: ".." taken back lexically, a leading "/" is the root */
  wi_autofree char *cs = wi_aux_archive_clean_path(src);
  if (cs == NULL) {
    wi_err_set(err, WI_EDENIED, "%s %s: forbidden path outside the build context", verb, src);
    return NULL;
  }
  if (wi_str_has_prefix(cs, "files/")) {
    const char *rest = cs + 6;
    size_t bl = strcspn(rest, "/");
    for (size_t i = 0; i < p->o.additional_build_files.n; i++) {
      const char *f = p->o.additional_build_files.v[i];
      size_t fl = strlen(f);
      while (fl > 1 && f[fl - 1] == '/')
        fl--;
      const char *b = f + fl;
      while (b > f && b[-1] != '/')
        b--;
      if ((size_t)(f + fl - b) == bl && strncmp(b, rest, bl) == 0) {
        wi_autofree char *root = wi_xstrndup(f, fl);
        return resolve_inside(verb, src, root, rest[bl] ? rest + bl + 1 : "", err);
      }
    }
  }
  for (size_t i = 0; i < p->n_files; i++)
    if (strcmp(p->files[i].base, cs) == 0)
      return wi_xstrdup(p->files[i].path);
  if (p->installer_base && strcmp(p->installer_base, cs) == 0)
    return wi_xstrdup(p->installer);
  wi_err_set(err, WI_EINVAL,
             "%s %s: not in the build context (use --additionalBuildFiles and files/<name>)", verb,
             src);
  return NULL;
}

static bool
is_tar_name(const char *s)
{
  static const char *const sfx[] = { ".tar",  ".tar.gz", ".tgz", ".tar.bz2",
                                     ".tbz2", ".tar.xz", ".txz", ".tar.zst" };
  for (size_t i = 0; i < WI_ARRAY_SIZE(sfx); i++)
    if (wi_str_has_suffix(s, sfx[i]))
      return true;
  return false;
}

/* ADD of a local tar: its entries (checked like an installer's) under dir, owner uid:gid. */
static int
add_tar(struct layer_ctx *c, const char *src, const char *dir, uint32_t uid, uint32_t gid,
        wi_err *err)
{
  struct archive *a = wi_aux_archive_open(src, err);
  struct wi_aux_archive_links *links = NULL;
  struct archive_entry *ae;
  wi_autofree char *buf = NULL;
  int ret = 0;

  if (a == NULL)
    return err->code;
  if ((ret = add_dir(c, dir, 0755, uid, gid, false, err)) < 0)
    goto out;
  links = wi_aux_archive_links_new();
  while ((ret = wi_aux_archive_next_entry(a, src, "ADD", links, &ae, err)) > 0) {
    wi_autofree char *n = wi_aux_archive_entry_relname(ae);
    if (n == NULL)
      continue;
    wi_autofree char *path = wi_xasprintf("%s/%s", dir, n);
    wi_autofree char *link = NULL;
    mode_t type = archive_entry_filetype(ae);
    struct wi_layer_entry e = {
      .path = path, .uid = uid, .gid = gid, .mtime = c->p->epoch, .mode = archive_entry_perm(ae)
    };
    if ((ret = add_parents(c, path, dir, err)) < 0)
      break;
    if (type == AE_IFDIR) {
      if ((ret = add_dir(c, path, e.mode, uid, gid, true, err)) < 0)
        break;
      continue;
    } else if (archive_entry_hardlink(ae)) {
      link = wi_xasprintf("%s/%s", dir, archive_entry_hardlink(ae));
      e.type = WI_LAYER_HARDLINK;
      e.link = link;
    } else if (type == AE_IFLNK) {
      e.type = WI_LAYER_SYMLINK;
      e.link = archive_entry_symlink(ae);
    } else if (type == AE_IFREG) {
      int64_t size = archive_entry_size(ae);
      if (size < 0 || size > (int64_t)MAX_INSTALLER_ENTRY) {
        ret = wi_err_set(err, WI_ETOOBIG, "ADD %s: entry %s is too large", src, n);
        break;
      }
      buf = wi_xrealloc(buf, (size_t)size + 1);
      size_t got = 0;
      while (got < (size_t)size) {
        la_ssize_t k = archive_read_data(a, buf + got, (size_t)size - got);
        if (k <= 0)
          break;
        got += (size_t)k;
      }
      if (got != (size_t)size) {
        ret = wi_err_set(err, WI_EINVAL, "ADD %s: entry %s is truncated", src, n);
        break;
      }
      e.type = WI_LAYER_FILE;
      e.data = buf;
      e.size = (size_t)size;
    } else {
      continue;
    }
    if ((ret = wi_layer_add(c->w, &e, err)) < 0)
      break;
  }
out:
  wi_aux_archive_links_free(links);
  archive_read_free(a);
  return ret;
}

static int
native_copy(struct layer_ctx *c, struct wi_imgconfig *cfg, const char *args, bool add, wi_err *err)
{
  char **v = NULL;
  size_t n = 0;
  uint32_t uid = 0, gid = 0;
  int ret = 0;
  size_t first = 0;

  /* flags come before a JSON array */
  while (isspace((unsigned char)*args))
    args++;
  while (wi_str_has_prefix(args, "--")) {
    size_t fl = strcspn(args, " \t");
    wi_autofree char *flag = wi_xstrndup(args, fl);
    if (wi_str_has_prefix(flag, "--chown=")) {
      if ((ret = copy_owner(c, flag + 8, &uid, &gid, err)) < 0)
        return ret;
    } else if (!wi_str_has_prefix(flag, "--chmod=") && !wi_str_has_prefix(flag, "--link")) {
      return wi_err_set(err, WI_EUNSUPPORTED, "COPY %s is not supported without a container engine",
                        flag);
    }
    args += fl;
    while (isspace((unsigned char)*args))
      args++;
  }
  n = split_args(args, &v);
  if (n < 2) {
    free_args(v, n);
    return wi_err_set(err, WI_EINVAL, "COPY %s: expected a source and a destination", args);
  }
  const char *wd = wi_imgconfig_get_workdir(cfg);
  wi_autofree char *dest = v[n - 1][0] == '/'
                               ? wi_xstrdup(v[n - 1])
                               : wi_xasprintf("%s/%s", wd && *wd ? wd : "", v[n - 1]);
  bool dest_dir = dest[strlen(dest) - 1] == '/' || n > 2;
  wi_autofree char *dn = wi_aux_plan_norm_abs(dest);
  const char *d = dn + 1; /* no leading '/' */
  for (size_t i = first; i < n - 1 && ret == 0; i++) {
    wi_autofree char *src = context_source(c->p, add ? "ADD" : "COPY", v[i], err);
    struct stat st;
    if (src == NULL) {
      ret = err->code;
      break;
    }
    if (stat(src, &st) < 0) {
      ret = wi_err_sys(err, WI_EINVAL, "%s %s", add ? "ADD" : "COPY", v[i]);
      break;
    }
    wi_autofree char *cs = wi_aux_archive_clean_path(v[i]); /* context_source checked it */
    const char *b = strrchr(cs, '/');
    b = b ? b + 1 : cs;
    wi_autofree char *target =
        S_ISDIR(st.st_mode) || !dest_dir ? wi_xstrdup(d) : wi_xasprintf("%s/%s", d, b);
    if (add && S_ISREG(st.st_mode) && is_tar_name(cs)) {
      /* ADD unpacks a local tar archive into the destination directory */
      if ((ret = add_parents(c, d, "", err)) == 0)
        ret = add_tar(c, src, d, uid, gid, err);
    } else if ((ret = add_parents(c, target, "", err)) == 0) {
      ret = copy_tree(c, src, target, uid, gid, 0, err);
    }
  }
  free_args(v, n);
  return ret;
}

/* Apply one section's native instructions to the layer and config. */
static int
apply_section(struct layer_ctx *c, struct wi_imgconfig *cfg, int sec, wi_err *err)
{
  struct wi_aux_plan *p = c->p;
  struct wi_buf joined = WI_BUF_INIT(WI_BUF_NO_CAP);
  struct wi_dockerfile d;
  struct wi_dockerfile_ctx dc;
  size_t n = 0;
  int ret = 0;
  /* the lines as WIT renders them: mustache against the Dockerfile's model */
  wi_aux_dockerfile_model(p, &d);
  wi_dockerfile_ctx_init(&dc, &d);
  char **lines = wi_buildcmds_render(&p->cmds, sec, &dc.val, &n);
  wi_dockerfile_ctx_dispose(&dc);
  for (size_t i = 0; i < n && ret == 0; i++) {
    const char *l = lines[i];
    size_t ll = strlen(l);
    /* line continuations */
    if (ll && l[ll - 1] == '\\') {
      wi_buf_add(&joined, l, ll - 1, NULL);
      continue;
    }
    wi_buf_adds(&joined, l, NULL);
    const char *s = wi_buf_cstr(&joined);
    while (isspace((unsigned char)*s))
      s++;
    size_t kw = strcspn(s, " \t");
    if (*s == '\0' || *s == '#' || (kw == 3 && strncasecmp(s, "ARG", 3) == 0)) {
      /* nothing */
    } else if (kw == 4 && strncasecmp(s, "COPY", 4) == 0) {
      ret = native_copy(c, cfg, s + 4, false, err);
    } else if (kw == 3 && strncasecmp(s, "ADD", 3) == 0) {
      ret = native_copy(c, cfg, s + 3, true, err);
    } else {
      ret = wi_imgconfig_apply_change(cfg, s, err);
      if (ret == 0 && kw == 7 && strncasecmp(s, "WORKDIR", 7) == 0) {
        wi_autofree char *wd = wi_aux_plan_norm_abs(wi_imgconfig_get_workdir(cfg));
        if (strcmp(wd, "/") != 0 && (ret = add_parents(c, wd + 1, "", err)) == 0)
          ret = add_dir(c, wd + 1, 0755, 0, 0, false, err);
      }
    }
    if (ret == 0)
      wi_imgconfig_add_layer(cfg, NULL, p->epoch, s, "wlsimg: additional build command");
    wi_buf_reset(&joined);
  }
  wi_strv_free(lines, n);
  wi_buf_dispose(&joined);
  return ret;
}

/* Media types as writable arrays: struct wi_descriptor holds char *. */
static char mt_manifest[] = WI_MT_OCI_MANIFEST;
static char mt_index[] = WI_MT_OCI_INDEX;
static char mt_config[] = WI_MT_OCI_CONFIG;
static char mt_layer_gzip[] = WI_MT_OCI_LAYER_GZIP;

static char *
layer_media_type(char *mt)
{
  if (mt && strcmp(mt, WI_MT_DOCKER_LAYER) == 0)
    return mt_layer_gzip;
  return mt;
}

struct etc_files {
  char *passwd, *group, *shadow;
  uint32_t passwd_mode, group_mode, shadow_mode;
  bool has_home;
  bool has_tmp; /* /tmp, for check_tmp */
  uint32_t tmp_mode, tmp_uid, tmp_gid;
};

/* What read_etc found depends only on the base's layers: it is kept in
 * <store>/cache/etc/<sha256 of the layer digests>.json, so a base is scanned once (its layers are
 * inflated in full: an absent /etc/shadow can only be known at the end). Content-addressed, so
 * never stale; a missing or unreadable entry just means scanning again. */
static char *
etc_cache_path(struct wi_store *s, const struct wi_manifest *m)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  char d[WI_DIGEST_MAX];
  wi_buf_addf(&b, NULL, "wlsimg-etc-v3 %u\n", MAX_ETC_FILE);
  for (size_t i = 0; i < m->n_layers; i++)
    wi_buf_addf(&b, NULL, "%s\n", m->layers[i].digest ? m->layers[i].digest : "");
  wi_digest_bytes(b.data, b.len, d);
  wi_buf_dispose(&b);
  return wi_xasprintf("%s/cache/etc/%s.json", wi_store_root(s), wi_digest_hex(d));
}

static bool
etc_cache_str(json_t *o, const char *k, char **out)
{
  json_t *v = json_object_get(o, k);
  if (json_is_null(v)) {
    *out = NULL;
    return true;
  }
  if (!json_is_string(v))
    return false;
  *out = wi_xstrndup(json_string_value(v), json_string_length(v));
  return true;
}

static bool
etc_cache_load(const char *path, struct etc_files *ef)
{
  json_t *o = json_load_file(path, 0, NULL);
  json_t *pm = json_object_get(o, "passwd_mode"), *gm = json_object_get(o, "group_mode"),
         *sm = json_object_get(o, "shadow_mode"), *hh = json_object_get(o, "has_home");
  json_t *tm = json_object_get(o, "tmp_mode"), *tu = json_object_get(o, "tmp_uid"),
         *tg = json_object_get(o, "tmp_gid"), *ht = json_object_get(o, "has_tmp");
  bool ok = json_is_object(o) && json_is_integer(pm) && json_is_integer(gm) &&
            json_is_integer(sm) && json_is_boolean(hh) && json_is_integer(tm) &&
            json_is_integer(tu) && json_is_integer(tg) && json_is_boolean(ht);
  ok = ok && etc_cache_str(o, "passwd", &ef->passwd);
  ok = ok && etc_cache_str(o, "group", &ef->group);
  ok = ok && etc_cache_str(o, "shadow", &ef->shadow);
  if (ok) {
    ef->passwd_mode = (uint32_t)json_integer_value(pm);
    ef->group_mode = (uint32_t)json_integer_value(gm);
    ef->shadow_mode = (uint32_t)json_integer_value(sm);
    ef->has_home = json_is_true(hh);
    ef->has_tmp = json_is_true(ht);
    ef->tmp_mode = (uint32_t)json_integer_value(tm);
    ef->tmp_uid = (uint32_t)json_integer_value(tu);
    ef->tmp_gid = (uint32_t)json_integer_value(tg);
  } else {
    free(ef->passwd);
    free(ef->group);
    free(ef->shadow);
    ef->passwd = ef->group = ef->shadow = NULL;
  }
  json_decref(o);
  return ok;
}

static json_t *
etc_cache_json_str(const char *v)
{
  return v ? json_string(v) : json_null(); /* NULL for text that is not UTF-8 */
}

static void
etc_cache_store(const char *path, const struct etc_files *ef)
{
  json_t *o = json_object();
  json_t *p = etc_cache_json_str(ef->passwd), *g = etc_cache_json_str(ef->group),
         *sh = etc_cache_json_str(ef->shadow);
  if (p && g && sh) {
    json_object_set_new(o, "passwd", p);
    json_object_set_new(o, "group", g);
    json_object_set_new(o, "shadow", sh);
    json_object_set_new(o, "passwd_mode", json_integer(ef->passwd_mode));
    json_object_set_new(o, "group_mode", json_integer(ef->group_mode));
    json_object_set_new(o, "shadow_mode", json_integer(ef->shadow_mode));
    json_object_set_new(o, "has_home", json_boolean(ef->has_home));
    json_object_set_new(o, "has_tmp", json_boolean(ef->has_tmp));
    json_object_set_new(o, "tmp_mode", json_integer(ef->tmp_mode));
    json_object_set_new(o, "tmp_uid", json_integer(ef->tmp_uid));
    json_object_set_new(o, "tmp_gid", json_integer(ef->tmp_gid));
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    wi_autofree char *dir = wi_xstrdup(path);
    *strrchr(dir, '/') = '\0';
    wi_err e = { 0 };
    if (text && wi_fs_mkdir_p(dir, 0755, &e) == 0)
      (void)wi_fs_write_file_atomic(path, text, strlen(text), 0644, &e);
    free(text);
  } else {
    json_decref(p);
    json_decref(g);
    json_decref(sh);
  }
  json_decref(o);
}

static int
read_etc(struct wi_store *s, const struct wi_image *img, struct etc_files *ef, wi_err *err)
{
  wi_autofree char *cache = etc_cache_path(s, img->manifest);
  if (etc_cache_load(cache, ef))
    return 0;
  struct wi_image_file f[5] = { { .path = "etc/passwd" },
                                { .path = "etc/group" },
                                { .path = "etc/shadow" },
                                { .path = "home" },
                                { .path = "tmp" } };
  int ret = wi_image_read_files(s, img->manifest, f, 5, MAX_ETC_FILE, err);
  /* Found but unread means too big (or not a file): taking it as empty would lose root. */
  for (size_t i = 0; i < 3 && ret == 0; i++) {
    if (f[i].found && f[i].is_dir)
      ret = wi_err_set(err, WI_EINVAL, "the base image's /%s is a directory", f[i].path);
    else if (f[i].found && f[i].data == NULL)
      ret = wi_err_set(
          err, WI_ETOOBIG,
          "the base image's /%s is larger than 4 MiB (%u bytes), the limit for a user database file, or not a regular file",
          f[i].path, MAX_ETC_FILE);
  }
  if (ret < 0) {
    wi_image_files_dispose(f, 5);
    return ret;
  }
  ef->passwd = wi_steal(&f[0].data);
  ef->group = wi_steal(&f[1].data);
  ef->shadow = wi_steal(&f[2].data);
  ef->passwd_mode = f[0].found ? f[0].mode : 0644;
  ef->group_mode = f[1].found ? f[1].mode : 0644;
  ef->shadow_mode = f[2].found ? f[2].mode : 0640;
  ef->has_home = f[3].found;
  ef->has_tmp = f[4].found && f[4].is_dir;
  ef->tmp_mode = f[4].mode;
  ef->tmp_uid = f[4].uid;
  ef->tmp_gid = f[4].gid;
  wi_image_files_dispose(f, 5);
  etc_cache_store(cache, ef);
  return 0;
}

/* The operator's init container runs the image's shell as uid 1000 (OpenShift: any uid in group
 * 0) and writes its log to /tmp/auxiliaryImage.out first: a /tmp it cannot write fails the
 * domain. Warn at build time, naming what the base has. */
static void
check_tmp(const struct wi_aux_plan *p, const struct etc_files *ef)
{
  uint32_t m = ef->tmp_mode;
  bool writable =
      ef->has_tmp && ((m & 0003) == 0003 || (ef->tmp_uid == 1000 && (m & 0300) == 0300) ||
                      (p->o.openshift && ef->tmp_gid == 0 && (m & 0030) == 0030));
  if (!ef->has_tmp)
    wi_log(WI_LOG_WARN,
           "--fromImage %s has no /tmp: the operator's init container (uid 1000) writes its log "
           "to /tmp/auxiliaryImage.out and the domain fails; use a base with /tmp mode 1777",
           p->from_image);
  else if (!writable)
    wi_log(WI_LOG_WARN,
           "--fromImage %s has /tmp with mode %04o, owner %u:%u: the operator's init container "
           "(uid 1000%s) cannot write its log /tmp/auxiliaryImage.out there and the domain fails; "
           "use a base whose /tmp is mode 1777",
           p->from_image, m & 07777, ef->tmp_uid, ef->tmp_gid,
           p->o.openshift ? ", or any uid in group 0 on OpenShift" : "");
}

static void
etc_dispose(struct etc_files *ef)
{
  free(ef->passwd);
  free(ef->group);
  free(ef->shadow);
}

static int
add_etc_file(struct layer_ctx *c, const char *path, const char *text, uint32_t mode, wi_err *err)
{
  struct wi_layer_entry e = { .path = path,
                              .type = WI_LAYER_FILE,
                              .mode = mode,
                              .uid = 0,
                              .gid = 0,
                              .mtime = c->p->epoch,
                              .data = text,
                              .size = text ? strlen(text) : 0 };
  return wi_layer_add(c->w, &e, err);
}

/* The new layer: WDT install, model files, user/group, native COPYs. */
static int
build_layer(struct layer_ctx *c, struct wi_imgconfig *cfg, struct etc_files *ef,
            const struct wi_ids *ids, struct wi_store *out, struct wi_layer_result *lr, wi_err *err)
{
  struct wi_aux_plan *p = c->p;
  const char *wh = p->wdt_home + 1, *mh = p->wdt_model_home + 1;
  int ret = 0;

  if (ids->added_user) {
    if ((ret = add_etc_file(c, "etc/passwd", ef->passwd, ef->passwd_mode, err)) < 0 ||
        (ef->shadow && (ret = add_etc_file(c, "etc/shadow", ef->shadow, ef->shadow_mode, err)) < 0))
      return ret;
    if (!ef->has_home && (ret = add_dir(c, "home", 0755, 0, 0, false, err)) < 0)
      return ret;
    wi_autofree char *home = wi_xasprintf("home/%s", p->user);
    if ((ret = add_dir(c, home, 0755, ids->uid, ids->gid, true, err)) < 0)
      return ret;
  }
  if (ids->added_group && (ret = add_etc_file(c, "etc/group", ef->group, ef->group_mode, err)) < 0)
    return ret;
  if ((ret = apply_section(c, cfg, WI_BUILDCMDS_INITIAL, err)) < 0)
    return ret;
  /* WIT's user step on a base other than busybox/alpine: mkdir -p /u01, chown, chmod 775 */
  if (!p->busybox && (ret = add_dir(c, "u01", 0775, c->uid, c->gid, true, err)) < 0)
    return ret;
  /* <wdtHome> (WIT: mkdir -p + chown) and its parents */
  if (wh[0]) {
    if ((ret = add_parents(c, wh, "", err)) < 0 ||
        (ret = add_dir(c, wh, 0755, c->uid, c->gid, true, err)) < 0)
      return ret;
  }
  if (p->installer && (ret = add_installer(c, wh, err)) < 0)
    return ret;
  /* <wdtModelHome>: brought along with <wdtHome> when WDT is installed, else made for the files */
  bool under = wh[0] == '\0' || (wi_str_has_prefix(mh, wh) && mh[strlen(wh)] == '/');
  if (mh[0] && ((p->installer && under) || p->n_files)) {
    if ((ret = add_parents(c, mh, p->installer && under ? wh : "", err)) < 0 ||
        (ret = add_dir(c, mh, 0755, c->uid, c->gid, true, err)) < 0)
      return ret;
  }
  for (size_t i = 0; i < p->n_files; i++) {
    wi_autofree char *path =
        mh[0] ? wi_xasprintf("%s/%s", mh, p->files[i].base) : wi_xstrdup(p->files[i].base);
    struct wi_layer_entry e = { .path = path,
                                .type = WI_LAYER_FILE,
                                .mode = 0640,
                                .uid = c->uid,
                                .gid = c->gid,
                                .mtime = p->epoch,
                                .src_path = p->files[i].path };
    if ((ret = wi_layer_add(c->w, &e, err)) < 0)
      return ret;
  }
  /* WIT's final image: ENV, USER, WORKDIR, then final-build-commands */
  wi_imgconfig_set_env(cfg, "AUXILIARY_IMAGE_PATH", p->df_wdt_home);
  wi_imgconfig_set_env(cfg, "WDT_HOME", p->df_wdt_home);
  wi_imgconfig_set_env(cfg, "WDT_MODEL_HOME", p->df_wdt_model_home);
  wi_imgconfig_set_user(cfg, p->user);
  wi_imgconfig_set_workdir(cfg, p->wdt_home);
  if ((ret = apply_section(c, cfg, WI_BUILDCMDS_FINAL, err)) < 0)
    return ret;
  return wi_layer_writer_finish_store(c->w, out, lr, err);
}

struct layer_memo {
  bool valid;
  char *key;
  struct wi_layer_result lr;
};

/* One platform's image on an opened base: the layer (or the memo of an identical one), config,
 * manifest. */
static int
assemble_image(struct wi_aux_plan *p, struct wi_store *base_store, struct wi_store *out,
               struct wi_image *img, struct etc_files *efp, const struct wi_ids *idsp,
               struct layer_memo *memo, struct wi_descriptor *desc_out, int64_t *layer_bytes,
               wi_err *err)
{
  struct etc_files ef = *efp;
  struct wi_ids ids = *idsp;
  struct wi_layer_result lr;
  int ret = 0;

  struct wi_imgconfig *cfg = img->config;
  /* The layer depends on the base only through the user database: reuse it across platforms. */
  wi_autofree char *key =
      wi_xasprintf("%s\n--\n%s\n--\n%s\n%u:%u", ef.passwd ? ef.passwd : "",
                   ef.group ? ef.group : "", ef.shadow ? ef.shadow : "", ids.uid, ids.gid);
  struct layer_ctx c = { .p = p,
                         .uid = ids.uid,
                         .gid = ids.gid,
                         .passwd = ef.passwd ? ef.passwd : "",
                         .group = ef.group ? ef.group : "" };
  struct wi_layer_opts lo = { .add_parents = true, .parents_mtime = p->epoch };
  c.w = wi_layer_writer_new(&lo);
  wi_imgconfig_add_layer(cfg, NULL, p->epoch, "LABEL " WI_LABEL_BUILD_ID, "wlsimg createAuxImage");
  if (memo->valid && strcmp(memo->key, key) == 0 && !p->cmds.present[WI_BUILDCMDS_INITIAL] &&
      !p->cmds.present[WI_BUILDCMDS_FINAL]) {
    lr = memo->lr;
    /* the config changes build_layer would have made */
    wi_imgconfig_set_env(cfg, "AUXILIARY_IMAGE_PATH", p->df_wdt_home);
    wi_imgconfig_set_env(cfg, "WDT_HOME", p->df_wdt_home);
    wi_imgconfig_set_env(cfg, "WDT_MODEL_HOME", p->df_wdt_model_home);
    wi_imgconfig_set_user(cfg, p->user);
    wi_imgconfig_set_workdir(cfg, p->wdt_home);
  } else {
    ret = build_layer(&c, cfg, &ef, &ids, out, &lr, err);
    if (ret == 0) {
      free(memo->key);
      memo->key = wi_steal(&key);
      memo->lr = lr;
      memo->valid = true;
      *layer_bytes += lr.size;
    }
  }
  wi_layer_writer_free(c.w);
  dirset_dispose(&c.dirs);
  if (ret < 0)
    return ret;

  wi_autofree char *created_by = wi_xasprintf(
      "wlsimg createAuxImage: WDT %s and %zu model files to %s",
      p->installer ? (p->wdt_real_version ? p->wdt_real_version : p->wdt_version) : "none",
      p->n_files, p->wdt_home);
  wi_imgconfig_add_layer(cfg, lr.diff_id, p->epoch, created_by, NULL);
  wi_imgconfig_add_layer(cfg, NULL, p->epoch, "ENV AUXILIARY_IMAGE_PATH WDT_HOME WDT_MODEL_HOME",
                         NULL);
  wi_autofree char *uline = wi_xasprintf("USER %s", p->user);
  wi_imgconfig_add_layer(cfg, NULL, p->epoch, uline, NULL);
  wi_autofree char *wline = wi_xasprintf("WORKDIR %s", p->wdt_home);
  wi_imgconfig_add_layer(cfg, NULL, p->epoch, wline, NULL);
  /* from the first platform's layer: it holds every input file's content */
  if (p->build_id[0] == '\0')
    wi_aux_plan_compute_build_id(p, lr.diff_id);
  wi_imgconfig_set_label(cfg, WI_LABEL_BUILD_ID, p->build_id);
  wi_imgconfig_set_label(cfg, WI_LABEL_WDT_HOME, p->wdt_home);
  wi_autofree char *ih =
      p->installer
          ? wi_xasprintf("%s%s", strcmp(p->wdt_home, "/") ? p->wdt_home : "", "/weblogic-deploy")
          : wi_xstrdup("None");
  wi_imgconfig_set_label(cfg, WI_LABEL_WDT_INSTALL_HOME, ih);
  wi_imgconfig_set_label(cfg, WI_LABEL_WDT_MODEL_HOME,
                         p->n_files || p->installer ? p->wdt_model_home : "None");
  if (p->installer) {
    wi_imgconfig_set_label(cfg, WI_LABEL_WDT_VERSION,
                           p->wdt_real_version ? p->wdt_real_version : p->wdt_version);
    wi_imgconfig_set_label(cfg, WI_LABEL_WDT_INSTALLER, p->installer_digest);
  }
  wi_imgconfig_set_created(cfg, p->epoch);

  /* blobs: base layers (when building into another store), config, manifest */
  const struct wi_manifest *bm = img->manifest;
  struct wi_manifest m = { .kind = WI_MANIFEST_IMAGE,
                           .schema_version = 2,
                           .media_type = mt_manifest };
  m.layers = wi_xcalloc(bm->n_layers + 1, sizeof *m.layers);
  for (size_t i = 0; i < bm->n_layers && ret == 0; i++) {
    if (out != base_store)
      ret = wi_store_copy_blob_from(out, base_store, bm->layers[i].digest, err);
    m.layers[i] = bm->layers[i];
    m.layers[i].media_type = layer_media_type(bm->layers[i].media_type);
    m.layers[i].annotations = NULL;
    m.layers[i].n_annotations = 0;
  }
  m.layers[bm->n_layers] =
      (struct wi_descriptor){ .media_type = mt_layer_gzip, .digest = lr.digest, .size = lr.size };
  m.n_layers = bm->n_layers + 1;
  if (ret == 0 && out != base_store && !wi_store_has_blob(out, lr.digest))
    ret = wi_store_copy_blob_from(out, base_store, lr.digest, err);
  size_t cfg_len = 0;
  wi_autofree char *cfg_bytes = wi_imgconfig_serialize(cfg, &cfg_len);
  char cfg_digest[WI_DIGEST_MAX];
  if (ret == 0)
    ret = wi_store_put_blob(out, cfg_bytes, cfg_len, cfg_digest, err);
  if (ret == 0) {
    m.config = (struct wi_descriptor){ .media_type = mt_config,
                                       .digest = cfg_digest,
                                       .size = (int64_t)cfg_len };
    ret = wi_store_put_manifest(out, &m, desc_out, err);
    if (ret == 0) {
      wi_imgconfig_platform(cfg, &desc_out->platform);
      desc_out->has_platform = true;
    }
  }
  free(m.layers);
  return ret;
}

static int
build_platform(struct wi_aux_plan *p, struct wi_store *base_store, struct wi_store *out,
               const struct wi_platform *plat, struct layer_memo *memo,
               struct wi_descriptor *desc_out, int64_t *layer_bytes, wi_err *err)
{
  wi_autoptr(wi_image) struct wi_image *img = NULL;
  struct etc_files ef = { 0 };
  struct wi_ids ids;
  int ret;

  if (wi_image_open(&img, base_store, p->from_image, plat, p->o.pull, &p->o.transfer, err) < 0)
    return wi_err_wrap(err, "--fromImage %s", p->from_image);
  if ((ret = read_etc(base_store, img, &ef, err)) < 0) {
    wi_err_wrap(err, "--fromImage %s", p->from_image);
    goto out;
  }
  /* WIT's user step always adds the group oracle, then the --chown group and user */
  struct wi_ids oracle_grp = { 0 };
  if (!wi_passwd_is_id(p->user) &&
      (ret = wi_passwd_resolve_ids("0", "oracle", &ef.passwd, &ef.group, NULL, p->epoch,
                                   &oracle_grp, err)) < 0)
    goto out;
  if ((ret = wi_passwd_resolve_ids(p->user, p->group, &ef.passwd, &ef.group, &ef.shadow, p->epoch,
                                   &ids, err)) < 0)
    goto out;
  ids.added_group = ids.added_group || oracle_grp.added_group;

  /* The operator's init container runs as uid 1000 (any uid, gid 0, on OpenShift). */
  if (ids.uid != 1000 && !(p->o.openshift && ids.gid == 0) && ids.uid != 0)
    wi_log(
        WI_LOG_WARN,
        "the files are owned by %s (uid %u, gid %u) with mode 0640: the operator's init container runs as uid 1000 and cannot read them; consider --chown 1000:0",
        p->user, ids.uid, ids.gid);
  check_tmp(p, &ef);
  ret = assemble_image(p, base_store, out, img, &ef, &ids, memo, desc_out, layer_bytes, err);
out:
  etc_dispose(&ef);
  return ret;
}

static int
build_into(struct wi_aux_plan *p, struct wi_store *base_store, struct wi_store *out,
           const char *name, struct wi_aux_result *res, wi_err *err)
{
  struct wi_descriptor *descs = wi_xcalloc(p->n_platforms, sizeof *descs);
  struct layer_memo memo = { 0 };
  struct wi_descriptor top = { 0 };
  int ret = 0;

  res->layer_bytes = 0;
  for (size_t i = 0; i < p->n_platforms && ret == 0; i++) {
    char pf[80];
    wi_ref_platform_format(&p->platforms[i], pf, sizeof pf);
    ret = build_platform(p, base_store, out, &p->platforms[i], &memo, &descs[i], &res->layer_bytes,
                         err);
    if (ret < 0)
      wi_err_wrap(err, "%s", pf);
  }
  free(memo.key);
  if (ret == 0 && p->n_platforms == 1 && p->o.platforms.n <= 1) {
    wi_manifest_descriptor_copy(&top, &descs[0]);
    top.has_platform = false;
  } else if (ret == 0) {
    struct wi_manifest idx = { .kind = WI_MANIFEST_INDEX,
                               .schema_version = 2,
                               .media_type = mt_index,
                               .manifests = descs,
                               .n_manifests = p->n_platforms };
    ret = wi_store_put_manifest(out, &idx, &top, err);
  }
  if (ret == 0)
    ret = wi_store_tag(out, name, &top, err);
  if (ret == 0) {
    snprintf(res->digest, sizeof res->digest, "%s", top.digest);
    res->name = wi_xstrdup(name);
    res->n_platforms = p->n_platforms;
  }
  wi_manifest_descriptor_dispose(&top);
  for (size_t i = 0; i < p->n_platforms; i++)
    wi_manifest_descriptor_dispose(&descs[i]);
  free(descs);
  return ret;
}

static char *
tag_name(const struct wi_aux_plan *p, wi_err *err)
{
  struct wi_ref r = { 0 };
  if (wi_ref_parse(&r, p->o.tag, err) < 0) {
    wi_err_wrap(err, "--tag");
    return NULL;
  }
  char *n = wi_ref_name(&r);
  wi_ref_dispose(&r);
  return n;
}

static int run_engine(struct wi_aux_plan *p, struct wi_store *s, const char *name,
                      struct wi_aux_result *res, wi_err *err);

int
wi_aux_build(struct wi_aux_plan *p, struct wi_store *s, struct wi_aux_result *res, wi_err *err)
{
  wi_autofree char *name = tag_name(p, err);
  if (name == NULL)
    return err->code;
  if (p->needs_engine)
    return run_engine(p, s, name, res, err);
  return build_into(p, s, s, name, res, err);
}

int
wi_aux_build_push(struct wi_aux_plan *p, struct wi_store *s, bool keep, struct wi_aux_result *res,
                  wi_err *err)
{
  wi_autofree char *name = tag_name(p, err);
  wi_autofree char *tmp = NULL;
  wi_autoptr(wi_store) struct wi_store *ts = NULL;
  int ret;

  if (name == NULL)
    return err->code;
  if (keep || p->needs_engine) {
    ret = wi_aux_build(p, s, res, err);
  } else {
    /* a private layout: nothing is named in the store */
    tmp = wi_fs_mkdtemp("wlsimg-aux", err);
    if (tmp == NULL)
      return err->code;
    ret = wi_store_open(&ts, tmp, true, err);
    if (ret == 0)
      ret = build_into(p, s, ts, name, res, err);
  }
  if (ret == 0) {
    struct wi_transfer_opts o = p->o.transfer;
    o.platform = "all";
    char digest[WI_DIGEST_MAX] = "";
    ret = wi_transfer_push(ts ? ts : s, name, p->o.tag, &o, digest, err);
    if (ret == 0 && digest[0])
      snprintf(res->digest, sizeof res->digest, "%s", digest);
  }
  if (tmp) {
    wi_err e2 = { 0 };
    wi_fs_rm_rf(tmp, &e2);
  }
  return ret;
}

/* ---- external engine (RUN in the additional build commands) ---- */

/* WIT's build context: the Dockerfile, the WDT files and installer, files/ (engine.c links them).
 */
static int
write_context(struct wi_aux_plan *p, const char *ctx, wi_err *err)
{
  wi_autofree char *df = wi_aux_dockerfile_render(p);
  wi_autofree char *dfp = wi_xasprintf("%s/Dockerfile", ctx);
  if (wi_fs_write_file_atomic(dfp, df, strlen(df), 0644, err) < 0)
    return err->code;
  for (size_t i = 0; i < p->n_files; i++) {
    wi_autofree char *d = wi_xasprintf("%s/%s", ctx, p->files[i].base);
    wi_log(WI_LOG_INFO, "Copying %s to build context folder.", p->files[i].path);
    if (wi_engine_context_link(p->files[i].path, d, err) < 0)
      return err->code;
  }
  if (p->installer) {
    wi_autofree char *d = wi_xasprintf("%s/%s", ctx, p->installer_base);
    wi_log(WI_LOG_INFO, "Copying %s to build context folder.", p->installer);
    if (wi_engine_context_link(p->installer, d, err) < 0)
      return err->code;
  }
  if (p->o.additional_build_files.n) {
    wi_autofree char *files = wi_xasprintf("%s/files", ctx);
    if (wi_fs_mkdir_p(files, 0755, err) < 0)
      return err->code;
  }
  for (size_t i = 0; i < p->o.additional_build_files.n; i++) {
    const char *f = p->o.additional_build_files.v[i];
    size_t l = strlen(f);
    while (l > 1 && f[l - 1] == '/')
      l--;
    const char *b = f + l;
    while (b > f && b[-1] != '/')
      b--;
    wi_autofree char *dst = wi_xasprintf("%s/files/%.*s", ctx, (int)(f + l - b), b);
    if (wi_engine_context_link_tree(f, dst, err) < 0)
      return wi_err_wrap(err, "--additionalBuildFiles %s", f);
  }
  return 0;
}

static int
run_engine(struct wi_aux_plan *p, struct wi_store *s, const char *name, struct wi_aux_result *res,
           wi_err *err)
{
  struct wi_engine e;
  wi_engine_choose(&e, p->o.builder);
  if (!e.found) {
    wi_err_set(
        err, WI_EUNSUPPORTED,
        "the additional build commands need a container engine (RUN, a package manager or engine options after --), but the builder %s is not installed; install docker, podman or buildah, or pass --builder",
        e.exe);
    wi_engine_dispose(&e);
    return err->code;
  }
  wi_autofree char *ctx = wi_engine_context_new(err);
  if (ctx == NULL) {
    wi_engine_dispose(&e);
    return err->code;
  }
  int ret = write_context(p, ctx, err);
  /* one platform per engine build: WIT passes --platform as given */
  wi_autofree char *plats = NULL;
  if (p->o.platforms.n) {
    struct wi_buf pl = WI_BUF_INIT(WI_BUF_NO_CAP);
    for (size_t i = 0; i < p->o.platforms.n; i++)
      wi_buf_addf(&pl, NULL, "%s%s", i ? "," : "", p->o.platforms.v[i]);
    plats = wi_buf_steal(&pl);
  }
  struct wi_engine_build b = { .tag = p->o.tag,
                               .platform = plats,
                               .skipcleanup = p->o.skipcleanup,
                               .network = p->o.build_network,
                               .pull = p->o.pull,
                               .extra = p->o.extra_args.v,
                               .n_extra = p->o.extra_args.n,
                               .build_args = p->o.build_args.v,
                               .n_build_args = p->o.build_args.n,
                               .http_proxy = p->o.http_proxy,
                               .https_proxy = p->o.https_proxy,
                               .context = ctx };
  wi_autofree char *cmd = wi_engine_build_cmdline(&e, &b);
  wi_log(WI_LOG_INFO, "Starting build: %s", cmd);
  if (ret == 0)
    ret = wi_engine_provide(&e, s, p->from_image, plats, p->o.pull, &p->o.transfer, ctx, err);
  if (ret == 0)
    ret = wi_engine_build_run(&e, &b, NULL, p->o.output, p->o.output_payload, err);
  if (ret == 0)
    ret = wi_engine_import(&e, p->o.tag, s, name, ctx, &p->o.transfer, res->digest, err);
  if (ret == 0) {
    res->name = wi_xstrdup(name);
    res->n_platforms = 1;
  }
  if (!p->o.skipcleanup) {
    wi_err e2 = { 0 };
    wi_fs_rm_rf(ctx, &e2);
    wi_engine_prune(&e, wi_aux_plan_build_id(p));
  }
  wi_engine_dispose(&e);
  return ret;
}

void
wi_aux_build_result_dispose(struct wi_aux_result *r)
{
  free(r->name);
  r->name = NULL;
}
