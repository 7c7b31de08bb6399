/* wlsimg: an image read from the store without running it — see image.h. */
#include "lib/image.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/log.h"

#define MAX_LINK_ROUNDS 8

void
wi_image_free(struct wi_image *img)
{
  if (img == NULL)
    return;
  wi_manifest_free(img->manifest);
  wi_imgconfig_free(img->config);
  free(img->name);
  free(img);
}

static int
load_from_store(struct wi_store *s, const struct wi_descriptor *desc, const struct wi_platform *p,
                struct wi_image *img, wi_err *err)
{
  wi_autofree char *cfg = NULL;
  size_t cfg_len = 0;
  if (wi_store_load_image(s, desc, p, &img->manifest, img->manifest_digest, err) < 0)
    return err->code;
  if (wi_store_read_blob(s, img->manifest->config.digest, WI_MAX_CONFIG_BYTES, &cfg, &cfg_len,
                         err) < 0)
    return err->code;
  if (wi_imgconfig_parse(&img->config, cfg, cfg_len, err) < 0)
    return wi_err_wrap(err, "config %s", img->manifest->config.digest);
  if (p) {
    struct wi_platform have;
    wi_imgconfig_platform(img->config, &have);
    if (!wi_ref_platform_match(p, &have)) {
      char w[80], h[80];
      wi_ref_platform_format(p, w, sizeof w);
      wi_ref_platform_format(&have, h, sizeof h);
      return wi_err_set(err, WI_ENOTFOUND, "image is for %s, not %s", h, w);
    }
  }
  /* Every layer must be present to read files. */
  for (size_t i = 0; i < img->manifest->n_layers; i++)
    if (!wi_store_has_blob(s, img->manifest->layers[i].digest))
      return wi_err_set(err, WI_ENOTFOUND, "layer %s is not in the store",
                        img->manifest->layers[i].digest);
  return 0;
}

static void
image_reset(struct wi_image *img)
{
  wi_manifest_free(img->manifest);
  wi_imgconfig_free(img->config);
  img->manifest = NULL;
  img->config = NULL;
}

int
wi_image_open(struct wi_image **out, struct wi_store *s, const char *ref,
              const struct wi_platform *p, bool pull, const struct wi_transfer_opts *to,
              wi_err *err)
{
  struct wi_image *img = wi_xcalloc(1, sizeof *img);
  struct wi_descriptor desc = { 0 };
  wi_err e = { 0 };
  int ret;
  char pf[80] = "";

  if (p)
    wi_ref_platform_format(p, pf, sizeof pf);
  if (!pull && wi_store_lookup(s, ref, &desc, &img->name, &e) == 0) {
    ret = load_from_store(s, &desc, p, img, &e);
    wi_manifest_descriptor_dispose(&desc);
    if (ret == 0) {
      *out = img;
      return 0;
    }
    image_reset(img);
  } else if (!pull && e.code == WI_EINVAL) {
    wi_image_free(img);
    *err = e;
    return err->code;
  }
  /* Not usable from the store: fetch that platform from the registry. */
  struct wi_transfer_opts o = { 0 };
  if (to)
    o = *to;
  o.platform = p ? pf : NULL;
  o.store_root = wi_store_root(s);
  char digest[WI_DIGEST_MAX] = "";
  wi_log(WI_LOG_INFO, "Pulling %s%s%s", ref, p ? " for " : "", pf);
  ret = wi_transfer_pull(s, ref, &o, digest, err);
  if (ret < 0) {
    wi_image_free(img);
    return ret;
  }
  if (wi_store_lookup(s, digest, &desc, NULL, err) < 0) {
    wi_image_free(img);
    return err->code;
  }
  ret = load_from_store(s, &desc, p, img, err);
  wi_manifest_descriptor_dispose(&desc);
  if (ret < 0) {
    wi_image_free(img);
    return wi_err_wrap(err, "%s", ref);
  }
  free(img->name);
  img->name = wi_xstrdup(ref);
  *out = img;
  return 0;
}

void
wi_image_files_dispose(struct wi_image_file *f, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(f[i].data);
    free(f[i].uname);
    free(f[i].gname);
    f[i].data = f[i].uname = f[i].gname = NULL;
  }
}

/* Normalise a path inside an image: no leading "/" or "./", no "." components, ".." resolved
 * (never above the root), no trailing "/". malloc'ed. */
static char *
norm_path(const char *p)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  const char *s = p;
  while (*s) {
    while (*s == '/')
      s++;
    const char *e = s;
    while (*e && *e != '/')
      e++;
    size_t n = (size_t)(e - s);
    if (n == 0 || (n == 1 && s[0] == '.')) {
      /* skip */
    } else if (n == 2 && s[0] == '.' && s[1] == '.') {
      char *slash = b.len ? strrchr(b.data, '/') : NULL;
      if (slash) {
        b.len = (size_t)(slash - b.data);
        b.data[b.len] = '\0';
      } else {
        wi_buf_reset(&b);
      }
    } else {
      if (b.len)
        wi_buf_add(&b, "/", 1, NULL);
      wi_buf_add(&b, s, n, NULL);
    }
    s = e;
  }
  return wi_buf_steal(&b);
}

struct want {
  char *path; /* normalised */
  int rounds;
  bool settled, deleted, found_here, whiteout_here;
  bool moved; /* followed a link in this round: searched again from the top in the next */
};

static bool
is_under(const char *path, const char *dir)
{
  size_t n = strlen(dir);
  if (n == 0)
    return true;
  return strncmp(path, dir, n) == 0 && path[n] == '/';
}

static int
read_entry_data(struct archive *a, struct archive_entry *ae, size_t max, struct wi_image_file *f,
                const char *layer, wi_err *err)
{
  int64_t size = archive_entry_size(ae);
  free(f->data);
  f->data = NULL;
  f->len = 0;
  if (size < 0 || (uint64_t)size > max)
    return 0;
  char *buf = wi_xmalloc((size_t)size + 1);
  size_t got = 0;
  while (got < (size_t)size) {
    la_ssize_t r = archive_read_data(a, buf + got, (size_t)size - got);
    if (r < 0) {
      free(buf);
      return wi_err_set(err, WI_EIO, "layer %s: %s", layer, archive_error_string(a));
    }
    if (r == 0)
      break;
    got += (size_t)r;
  }
  buf[got] = '\0';
  f->data = buf;
  f->len = got;
  return 0;
}

/* One layer: match entries against the unsettled wanted paths. Symlinks found here are turned
 * into new wanted paths (re-searched from the top by the caller). */
static int
scan_layer(struct wi_store *s, const struct wi_descriptor *layer, struct wi_image_file *files,
           struct want *w, size_t n, size_t max, bool *relink, wi_err *err)
{
  wi_autoclose int fd = -1;
  struct archive *a = archive_read_new();
  struct archive_entry *ae;
  int ret = 0;

  if (wi_store_open_blob(s, layer->digest, &fd, NULL, err) < 0) {
    archive_read_free(a);
    return err->code;
  }
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
    ret = wi_err_set(err, WI_EINVAL, "layer %s: %s", layer->digest, archive_error_string(a));
    archive_read_free(a);
    return ret;
  }
  for (size_t i = 0; i < n; i++)
    w[i].found_here = w[i].whiteout_here = false;
  for (;;) {
    int r = archive_read_next_header(a, &ae);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN) {
      ret = wi_err_set(err, WI_EINVAL, "layer %s: %s", layer->digest, archive_error_string(a));
      break;
    }
    const char *raw = archive_entry_pathname(ae);
    if (raw == NULL)
      continue; /* an entry without a name cannot be a wanted path */
    wi_autofree char *name = norm_path(raw);
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    wi_autofree char *dir = wi_xstrndup(name, slash ? (size_t)(slash - name) : 0);
    if (strncmp(base, ".wh.", 4) == 0) {
      bool opaque = strcmp(base, ".wh..wh..opq") == 0;
      wi_autofree char *target = opaque   ? NULL
                                 : dir[0] ? wi_xasprintf("%s/%s", dir, base + 4)
                                          : wi_xstrdup(base + 4);
      for (size_t i = 0; i < n; i++) {
        if (w[i].settled || w[i].moved)
          continue;
        if (opaque ? is_under(w[i].path, dir)
                   : (strcmp(w[i].path, target) == 0 || is_under(w[i].path, target)))
          w[i].whiteout_here = true;
      }
      continue;
    }
    for (size_t i = 0; i < n; i++) {
      if (w[i].settled || w[i].moved || strcmp(w[i].path, name) != 0)
        continue;
      struct wi_image_file *f = &files[i];
      mode_t type = archive_entry_filetype(ae);
      const char *hl = archive_entry_hardlink(ae);
      if (type == AE_IFLNK || hl) {
        /* follow: a symlink relative to its directory, a hard link by its layer path */
        const char *t = hl ? hl : archive_entry_symlink(ae);
        if (t == NULL || *t == '\0') {
          /* a link to nothing (a crafted layer): the path is absent */
          w[i].settled = w[i].deleted = true;
          continue;
        }
        char *np;
        if (hl || t[0] == '/') {
          np = norm_path(t);
        } else {
          wi_autofree char *tmp = wi_xasprintf("%s/%s", dir, t);
          np = norm_path(tmp);
        }
        free(w[i].path);
        w[i].path = np;
        w[i].moved = true;
        if (++w[i].rounds > MAX_LINK_ROUNDS)
          w[i].settled = w[i].deleted = true;
        *relink = true;
        continue;
      }
      w[i].found_here = true;
      f->found = true;
      f->is_dir = type == AE_IFDIR;
      f->mode = archive_entry_perm(ae);
      f->uid = (uint32_t)archive_entry_uid(ae);
      f->gid = (uint32_t)archive_entry_gid(ae);
      free(f->uname);
      free(f->gname);
      f->uname = archive_entry_uname(ae) ? wi_xstrdup(archive_entry_uname(ae)) : NULL;
      f->gname = archive_entry_gname(ae) ? wi_xstrdup(archive_entry_gname(ae)) : NULL;
      if (type == AE_IFREG && read_entry_data(a, ae, max, f, layer->digest, err) < 0) {
        ret = err->code;
        goto out;
      }
    }
  }
  for (size_t i = 0; i < n; i++) {
    if (w[i].settled || w[i].moved)
      continue;
    if (w[i].found_here)
      w[i].settled = true;
    else if (w[i].whiteout_here)
      w[i].settled = w[i].deleted = true;
  }
out:
  archive_read_free(a);
  return ret;
}

int
wi_image_read_files(struct wi_store *s, const struct wi_manifest *m, struct wi_image_file *files,
                    size_t n, size_t max, wi_err *err)
{
  struct want *w = wi_xcalloc(n ? n : 1, sizeof *w);
  int ret = 0;

  for (size_t i = 0; i < n; i++) {
    w[i].path = norm_path(files[i].path);
    files[i].found = false;
  }
  for (int round = 0; round <= MAX_LINK_ROUNDS && ret == 0; round++) {
    bool relink = false, pending = false;
    for (size_t i = 0; i < n; i++)
      pending = pending || !w[i].settled;
    if (!pending)
      break;
    for (size_t l = m->n_layers; l-- > 0 && ret == 0;) {
      bool left = false;
      ret = scan_layer(s, &m->layers[l], files, w, n, max, &relink, err);
      for (size_t i = 0; i < n; i++)
        left = left || !w[i].settled;
      if (!left)
        break;
    }
    /* Paths not settled after all layers are absent, unless a link sent them elsewhere. */
    for (size_t i = 0; i < n; i++) {
      if (!w[i].settled && !w[i].moved)
        w[i].settled = true;
      w[i].moved = false;
    }
    if (!relink)
      break;
  }
  for (size_t i = 0; i < n; i++) {
    if (w[i].deleted || !files[i].found) {
      files[i].found = false;
      free(files[i].data);
      files[i].data = NULL;
    }
    free(w[i].path);
  }
  free(w);
  return ret;
}
/* ---- directory listings ---- */

struct dir_state {
  char *path;       /* normalised */
  bool closed;      /* hidden below the current layer (whiteout, opaque, not a directory) */
  bool close_after; /* ... from the next layer on */
  char **deleted;   /* names whited out by the layers above */
  size_t n_deleted;
  char **fresh; /* names seen in the current layer */
  size_t n_fresh;
  char **wh_fresh; /* whiteouts seen in the current layer */
  size_t n_wh_fresh;
};

static bool
name_in(char *const *v, size_t n, const char *s, size_t len)
{
  for (size_t i = 0; i < n; i++)
    if (strlen(v[i]) == len && memcmp(v[i], s, len) == 0)
      return true;
  return false;
}

static void
name_add(char ***v, size_t *n, const char *s, size_t len)
{
  if (name_in(*v, *n, s, len))
    return;
  *v = wi_xreallocarray(*v, *n + 1, sizeof **v);
  (*v)[(*n)++] = wi_xstrndup(s, len);
}

static void
names_free(char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

/* One entry of a layer against one wanted directory. */
static void
dir_entry(struct dir_state *st, struct wi_image_dir *d, const char *name, bool is_dir)
{
  size_t pl = strlen(st->path);
  const char *slash = strrchr(name, '/');
  const char *base = slash ? slash + 1 : name;
  size_t dl = slash ? (size_t)(slash - name) : 0;

  if (strncmp(base, ".wh.", 4) == 0) {
    /* a whiteout of the directory or of one of its parents, or an opaque parent, hides it below */
    bool opaque = strcmp(base, ".wh..wh..opq") == 0;
    wi_autofree char *target = opaque ? wi_xstrndup(name, dl)
                               : dl   ? wi_xasprintf("%.*s/%s", (int)dl, name, base + 4)
                                      : wi_xstrdup(base + 4);
    if (strcmp(target, st->path) == 0 ? !opaque : is_under(st->path, target) || !target[0]) {
      st->close_after = true;
      return;
    }
    if (dl == pl && strncmp(name, st->path, pl) == 0) {
      d->found = true;
      if (opaque)
        st->close_after = true;
      else
        name_add(&st->wh_fresh, &st->n_wh_fresh, base + 4, strlen(base + 4));
    }
    return;
  }
  if (strcmp(name, st->path) == 0) {
    if (is_dir)
      d->found = true;
    else if (!d->found)
      st->close_after = true; /* something else than a directory hides the lower layers' one */
    return;
  }
  if (!is_under(name, st->path))
    return;
  const char *child = name + (pl ? pl + 1 : 0);
  size_t cl = strcspn(child, "/");
  d->found = true; /* an entry below it: the directory exists in this layer */
  name_add(&st->fresh, &st->n_fresh, child, cl);
}

/* After a layer: its names join the listing unless whited out above; its whiteouts apply below. */
static void
dir_layer_done(struct dir_state *st, struct wi_image_dir *d)
{
  for (size_t i = 0; i < st->n_fresh; i++) {
    size_t l = strlen(st->fresh[i]);
    if (!name_in(st->deleted, st->n_deleted, st->fresh[i], l))
      name_add(&d->names, &d->n, st->fresh[i], l);
  }
  for (size_t i = 0; i < st->n_wh_fresh; i++)
    name_add(&st->deleted, &st->n_deleted, st->wh_fresh[i], strlen(st->wh_fresh[i]));
  names_free(st->fresh, st->n_fresh);
  names_free(st->wh_fresh, st->n_wh_fresh);
  st->fresh = st->wh_fresh = NULL;
  st->n_fresh = st->n_wh_fresh = 0;
  if (st->close_after)
    st->closed = true;
}

static int
list_layer(struct wi_store *s, const struct wi_descriptor *layer, struct dir_state *st,
           struct wi_image_dir *dirs, size_t n, wi_err *err)
{
  wi_autoclose int fd = -1;
  struct archive *a = archive_read_new();
  struct archive_entry *ae;
  int ret = 0;

  if (wi_store_open_blob(s, layer->digest, &fd, NULL, err) < 0) {
    archive_read_free(a);
    return err->code;
  }
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
    ret = wi_err_set(err, WI_EINVAL, "layer %s: %s", layer->digest, archive_error_string(a));
    archive_read_free(a);
    return ret;
  }
  for (;;) {
    int r = archive_read_next_header(a, &ae);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN) {
      ret = wi_err_set(err, WI_EINVAL, "layer %s: %s", layer->digest, archive_error_string(a));
      break;
    }
    const char *raw = archive_entry_pathname(ae);
    if (raw == NULL)
      continue;
    wi_autofree char *name = norm_path(raw);
    bool is_dir = archive_entry_filetype(ae) == AE_IFDIR && archive_entry_hardlink(ae) == NULL;
    for (size_t i = 0; i < n; i++)
      if (!st[i].closed)
        dir_entry(&st[i], &dirs[i], name, is_dir);
  }
  archive_read_free(a);
  for (size_t i = 0; i < n && ret == 0; i++)
    if (!st[i].closed)
      dir_layer_done(&st[i], &dirs[i]);
  return ret;
}

static int
cmp_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int
wi_image_list_dirs(struct wi_store *s, const struct wi_manifest *m, struct wi_image_dir *dirs,
                   size_t n, wi_err *err)
{
  struct dir_state *st = wi_xcalloc(n ? n : 1, sizeof *st);
  int ret = 0;

  for (size_t i = 0; i < n; i++) {
    st[i].path = norm_path(dirs[i].path);
    dirs[i].found = false;
    dirs[i].names = NULL;
    dirs[i].n = 0;
  }
  for (size_t l = m->n_layers; l-- > 0 && ret == 0;) {
    bool open = false;
    for (size_t i = 0; i < n; i++)
      open = open || !st[i].closed;
    if (!open)
      break;
    ret = list_layer(s, &m->layers[l], st, dirs, n, err);
  }
  for (size_t i = 0; i < n; i++) {
    if (!dirs[i].found && dirs[i].n == 0) {
      names_free(dirs[i].names, dirs[i].n);
      dirs[i].names = NULL;
    }
    if (dirs[i].n > 1)
      qsort(dirs[i].names, dirs[i].n, sizeof *dirs[i].names, cmp_names);
    names_free(st[i].deleted, st[i].n_deleted);
    names_free(st[i].fresh, st[i].n_fresh);
    names_free(st[i].wh_fresh, st[i].n_wh_fresh);
    free(st[i].path);
  }
  free(st);
  if (ret < 0)
    wi_image_dirs_dispose(dirs, n);
  return ret;
}

void
wi_image_dirs_dispose(struct wi_image_dir *d, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    names_free(d[i].names, d[i].n);
    d[i].names = NULL;
    d[i].n = 0;
  }
}
