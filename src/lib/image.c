/* wlsimg: an image read from the store without running it — see image.h. */
#include "lib/image.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/mediatype.h"

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

/* ---- layer listings (store/cache/layers/<hex>.list) ----
 *
 * Every time a layer is read to its end, the type and path of each of its entries is kept in the
 * store's cache, one "<t> <path>" line per entry (t: d directory, f file, l symbolic link, h hard
 * link, o other). The blob is content-addressed, so a listing is never stale. A later reader that
 * wants nothing the listing names skips the layer without inflating it: a base image's Oracle
 * Home layer of a gigabyte is then not read again to find /etc/passwd or a domain home that is not
 * in it. A missing, damaged or unwritable listing only means reading the layer. */

#define MAX_LISTING_BYTES (64u << 20)

struct listing {
  struct wi_buf b;
  bool ok; /* false once an entry cannot be listed (a newline in its name, too many bytes) */
};

static char *
listing_path(struct wi_store *s, const char *digest)
{
  return wi_xasprintf("%s/cache/layers/%s.v2.list", wi_store_root(s), wi_digest_hex(digest));
}

static void
listing_add(struct listing *l, struct archive_entry *ae, const char *name)
{
  if (!l->ok || name[0] == '\0')
    return;
  mode_t ft = archive_entry_filetype(ae);
  char t = archive_entry_hardlink(ae) ? 'h'
           : ft == AE_IFDIR           ? 'd'
           : ft == AE_IFREG           ? 'f'
           : ft == AE_IFLNK           ? 'l'
                                      : 'o';
  if (strchr(name, '\n') ||
      wi_buf_addf(&l->b, NULL, "%c %o %u %u %s\n", t, (unsigned)archive_entry_perm(ae),
                  (unsigned)archive_entry_uid(ae), (unsigned)archive_entry_gid(ae), name) < 0)
    l->ok = false;
}

static void
listing_save(struct wi_store *s, const char *digest, struct listing *l)
{
  if (!l->ok)
    return;
  wi_autofree char *path = listing_path(s, digest);
  wi_autofree char *dir = wi_xstrdup(path);
  *strrchr(dir, '/') = '\0';
  wi_err e = { 0 };
  wi_buf_add(&l->b, "", 0, NULL); /* an empty layer still gets a (empty) listing */
  if (wi_fs_mkdir_p(dir, 0755, &e) == 0)
    (void)wi_fs_write_file_atomic(path, l->b.data ? l->b.data : "", l->b.len, 0644, &e);
}

/* One line of a listing. */
struct lrec {
  char type; /* d f l h o */
  uint32_t mode, uid, gid;
  const char *name;
};

/* Call fn for each line of the layer's listing until it returns true. 1 when fn did, 0 when it
 * never did, -1 when there is no usable listing (then nothing is known). */
typedef bool (*listing_fn)(const struct lrec *r, void *ctx);

static int
listing_each(struct wi_store *s, const char *digest, listing_fn fn, void *ctx)
{
  wi_autofree char *path = listing_path(s, digest);
  wi_autofree char *text = NULL;
  size_t len = 0;
  wi_err e = { 0 };
  if (wi_fs_read_file(path, MAX_LISTING_BYTES, &text, &len, &e) < 0)
    return -1;
  /* check every line first: a damaged listing must not stop a reader half-way */
  for (size_t pos = 0; pos < len;) {
    char *nl = memchr(text + pos, '\n', len - pos);
    unsigned mode, uid, gid;
    int off = 0;
    if (nl == NULL)
      return -1;
    *nl = '\0';
    if (sscanf(text + pos + 1, " %o %u %u %n", &mode, &uid, &gid, &off) != 3 || off == 0 ||
        text[pos + 1 + off] == '\0' || !strchr("dflho", text[pos]))
      return -1;
    pos = (size_t)(nl - text) + 1;
  }
  for (size_t pos = 0; pos < len; pos += strlen(text + pos) + 1) {
    struct lrec r = { .type = text[pos] };
    int off = 0;
    sscanf(text + pos + 1, " %o %u %u %n", &r.mode, &r.uid, &r.gid, &off);
    r.name = text + pos + 1 + off;
    if (fn(&r, ctx))
      return 1;
  }
  return 0;
}

/* The path a whiteout entry stands for (opaque: its directory, marked by *opaque). NULL if name
 * is no whiteout. */
static char *
whiteout_target(const char *name, bool *opaque)
{
  const char *slash = strrchr(name, '/');
  const char *base = slash ? slash + 1 : name;
  if (strncmp(base, ".wh.", 4) != 0)
    return NULL;
  size_t dl = slash ? (size_t)(slash - name) : 0;
  *opaque = strcmp(base, ".wh..wh..opq") == 0;
  if (*opaque)
    return wi_xstrndup(name, dl);
  return dl ? wi_xasprintf("%.*s/%s", (int)dl, name, base + 4) : wi_xstrdup(base + 4);
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

/* Open a layer blob of the store for reading as a (compressed) tar. */
static int
open_layer(struct wi_store *s, const struct wi_descriptor *layer, struct archive **out, int *fd,
           wi_err *err)
{
  if (wi_store_open_blob(s, layer->digest, fd, NULL, err) < 0)
    return err->code;
  struct archive *a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_fd(a, *fd, 1 << 20) != ARCHIVE_OK) {
    int ret = wi_err_set(err, WI_EINVAL, "layer %s: %s", layer->digest, archive_error_string(a));
    archive_read_free(a);
    return ret;
  }
  *out = a;
  return 0;
}

/* The next entry of a layer being read: *name gets its normalised path (malloc'ed; NULL for an
 * entry without one, which also spoils the listing); at the end the layer's listing is saved.
 * 1 = an entry, 0 = the end, < 0 = a damaged layer. */
static int
next_entry(struct wi_store *s, const struct wi_descriptor *layer, struct archive *a,
           struct listing *lst, struct archive_entry **ae, char **name, wi_err *err)
{
  int r = archive_read_next_header(a, ae);
  *name = NULL;
  if (r == ARCHIVE_EOF) {
    listing_save(s, layer->digest, lst);
    return 0;
  }
  if (r < ARCHIVE_WARN)
    return wi_err_set(err, WI_EINVAL, "layer %s: %s", layer->digest, archive_error_string(a));
  const char *raw = archive_entry_pathname(*ae);
  if (raw == NULL) {
    lst->ok = false;
    return 1;
  }
  *name = norm_path(raw);
  listing_add(lst, *ae, *name);
  return 1;
}

struct files_ctx {
  struct want *w;
  struct wi_image_file *files;
  size_t n;
  bool any;      /* the listing names something scan_layer reacts to */
  bool need_tar; /* ... that only the tar can tell: a file's content, a link's target */
  size_t line;   /* the listing's line being looked at (1-based) */
  size_t last;   /* the last line scan_layer reacts to: the tar need not be read past it */
};

/* A whiteout entry of a layer: the wanted paths it hides below. */
static void
mark_whiteout(struct want *w, size_t n, const char *name)
{
  bool opaque = false;
  wi_autofree char *t = whiteout_target(name, &opaque);
  for (size_t i = 0; t && i < n; i++) {
    if (w[i].settled || w[i].moved)
      continue;
    if (is_under(w[i].path, t) || (!opaque && strcmp(w[i].path, t) == 0))
      w[i].whiteout_here = true;
  }
}

static void
mark_found(struct wi_image_file *f, struct want *w, bool is_dir, uint32_t mode, uint32_t uid,
           uint32_t gid, const char *uname, const char *gname)
{
  w->found_here = true;
  f->found = true;
  f->is_dir = is_dir;
  f->mode = mode;
  f->uid = uid;
  f->gid = gid;
  free(f->uname);
  free(f->gname);
  f->uname = uname ? wi_xstrdup(uname) : NULL;
  f->gname = gname ? wi_xstrdup(gname) : NULL;
}

/* What scan_layer reacts to: a wanted path itself, a whiteout of it or of a parent, an opaque
 * parent. Only directories and whiteouts can be answered from the listing. */
static bool
files_check(const struct lrec *r, void *ctx)
{
  struct files_ctx *fc = ctx;
  bool opaque = false;
  wi_autofree char *t = whiteout_target(r->name, &opaque);
  fc->line++;
  for (size_t i = 0; i < fc->n; i++) {
    const struct want *w = &fc->w[i];
    if (w->settled || w->moved)
      continue;
    if (t ? is_under(w->path, t) || (!opaque && strcmp(w->path, t) == 0)
          : strcmp(r->name, w->path) == 0) {
      fc->any = true;
      fc->last = fc->line;
      if (t == NULL && r->type != 'd')
        fc->need_tar = true;
    }
  }
  return false; /* on to the end: a later entry of the same path wins */
}

static bool
files_apply(const struct lrec *r, void *ctx)
{
  struct files_ctx *fc = ctx;
  const char *slash = strrchr(r->name, '/');
  if (strncmp(slash ? slash + 1 : r->name, ".wh.", 4) == 0) {
    mark_whiteout(fc->w, fc->n, r->name);
    return false;
  }
  for (size_t i = 0; i < fc->n; i++)
    if (!fc->w[i].settled && !fc->w[i].moved && strcmp(fc->w[i].path, r->name) == 0)
      mark_found(&fc->files[i], &fc->w[i], true, r->mode, r->uid, r->gid, NULL, NULL);
  return false;
}

/* One layer: match entries against the unsettled wanted paths. Symlinks found here are turned
 * into new wanted paths (re-searched from the top by the caller). */
static int
scan_layer(struct wi_store *s, const struct wi_descriptor *layer, struct wi_image_file *files,
           struct want *w, size_t n, size_t max, bool *relink, wi_err *err)
{
  wi_autoclose int fd = -1;
  struct archive *a = NULL;
  struct archive_entry *ae;
  struct listing lst = { .b = WI_BUF_INIT(MAX_LISTING_BYTES), .ok = true };
  struct files_ctx fc = { .w = w, .files = files, .n = n };
  int ret = 0;

  for (size_t i = 0; i < n; i++)
    w[i].found_here = w[i].whiteout_here = false;
  if (listing_each(s, layer->digest, files_check, &fc) >= 0 && !fc.need_tar) {
    /* the listing tells all: none of the paths, or only directories and whiteouts */
    if (fc.any)
      listing_each(s, layer->digest, files_apply, &fc);
    goto settle;
  }
  if ((ret = open_layer(s, layer, &a, &fd, err)) < 0)
    return ret;
  /* The listing has a line for each named entry of the tar, in order: past its last line that
   * matters nothing in the layer changes the answer, and the rest of the tar is not inflated (a
   * base's /etc comes long before its /usr). Without a listing (fc.last 0) the whole tar is read.
   */
  size_t seen = 0;
  for (;;) {
    wi_autofree char *name = NULL;
    if (fc.last && seen >= fc.last)
      break;
    int r = next_entry(s, layer, a, &lst, &ae, &name, err);
    if (r <= 0) {
      ret = r;
      break;
    }
    if (name == NULL)
      continue; /* an entry without a name cannot be a wanted path */
    if (name[0])
      seen++;
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    wi_autofree char *dir = wi_xstrndup(name, slash ? (size_t)(slash - name) : 0);
    if (strncmp(base, ".wh.", 4) == 0) {
      mark_whiteout(w, n, name);
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
      mark_found(f, &w[i], type == AE_IFDIR, archive_entry_perm(ae),
                 (uint32_t)archive_entry_uid(ae), (uint32_t)archive_entry_gid(ae),
                 archive_entry_uname(ae), archive_entry_gname(ae));
      if (type == AE_IFREG && read_entry_data(a, ae, max, f, layer->digest, err) < 0) {
        ret = err->code;
        goto out;
      }
    }
  }
settle:
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
  wi_buf_dispose(&lst.b);
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

struct list_ctx {
  struct dir_state *st;
  struct wi_image_dir *dirs;
  size_t n;
};

static bool
list_apply(const struct lrec *r, void *ctx)
{
  struct list_ctx *lc = ctx;
  for (size_t i = 0; i < lc->n; i++)
    if (!lc->st[i].closed)
      dir_entry(&lc->st[i], &lc->dirs[i], r->name, r->type == 'd');
  return false;
}

static int
list_layer(struct wi_store *s, const struct wi_descriptor *layer, struct dir_state *st,
           struct wi_image_dir *dirs, size_t n, wi_err *err)
{
  wi_autoclose int fd = -1;
  struct archive *a = NULL;
  struct archive_entry *ae;
  struct listing lst = { .b = WI_BUF_INIT(MAX_LISTING_BYTES), .ok = true };
  struct list_ctx lc = { .st = st, .dirs = dirs, .n = n };
  bool root = false; /* the root's own entry ("./") is in no listing */
  int ret = 0;

  for (size_t i = 0; i < n; i++)
    root = root || st[i].path[0] == '\0';
  if (root || listing_each(s, layer->digest, list_apply, &lc) < 0) {
    if ((ret = open_layer(s, layer, &a, &fd, err)) < 0)
      return ret;
    for (;;) {
      wi_autofree char *name = NULL;
      int r = next_entry(s, layer, a, &lst, &ae, &name, err);
      if (r <= 0) {
        ret = r;
        break;
      }
      if (name == NULL)
        continue;
      bool is_dir = archive_entry_filetype(ae) == AE_IFDIR && archive_entry_hardlink(ae) == NULL;
      for (size_t i = 0; i < n; i++)
        if (!st[i].closed)
          dir_entry(&st[i], &dirs[i], name, is_dir);
    }
    archive_read_free(a);
    wi_buf_dispose(&lst.b);
  }
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

/* ---- a subtree of the merged view, streamed ---- */

/* What the layers above have said about one path: the ordinal (1 = top layer) of the first layer
 * that whited it out, made it opaque, put a non-directory there, or showed it (0 = none). */
struct pmark {
  char *path;
  size_t wh, opq, nondir, seen;
};

/* Open addressing over normalised paths (FNV-1a); grows at 1/2 load. */
struct pmap {
  struct pmark *v;
  size_t cap, n;
};

static uint64_t
fnv(const char *s)
{
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static struct pmark *
pmap_find(const struct pmap *m, const char *path)
{
  if (m->cap == 0)
    return NULL;
  for (size_t i = fnv(path) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    if (m->v[i].path == NULL)
      return NULL;
    if (strcmp(m->v[i].path, path) == 0)
      return &m->v[i];
  }
}

static struct pmark *
pmap_get(struct pmap *m, const char *path)
{
  struct pmark *f = pmap_find(m, path);
  if (f)
    return f;
  if (2 * (m->n + 1) > m->cap) {
    struct pmap g = { .cap = m->cap ? 2 * m->cap : 256 };
    g.v = wi_xcalloc(g.cap, sizeof *g.v);
    for (size_t i = 0; i < m->cap; i++) {
      if (m->v[i].path == NULL)
        continue;
      size_t j = fnv(m->v[i].path) & (g.cap - 1);
      while (g.v[j].path)
        j = (j + 1) & (g.cap - 1);
      g.v[j] = m->v[i];
    }
    g.n = m->n;
    free(m->v);
    *m = g;
  }
  size_t i = fnv(path) & (m->cap - 1);
  while (m->v[i].path)
    i = (i + 1) & (m->cap - 1);
  m->v[i].path = wi_xstrdup(path);
  m->n++;
  return &m->v[i];
}

static void
pmap_dispose(struct pmap *m)
{
  for (size_t i = 0; i < m->cap; i++)
    free(m->v[i].path);
  free(m->v);
}

struct wi_image_walk {
  struct archive *a;
  const char *layer_digest;
};

ssize_t
wi_image_walk_read(struct wi_image_walk *w, void *buf, size_t len, wi_err *err)
{
  la_ssize_t n = archive_read_data(w->a, buf, len);
  if (n < 0)
    return wi_err_set(err, WI_EINVAL, "layer %s: %s", w->layer_digest, archive_error_string(w->a));
  return (ssize_t)n;
}

/* Is path (at layer ordinal k) hidden by what the layers above it recorded? Checks path itself for
 * a whiteout and every parent for a whiteout, an opaque mark or a non-directory ("" is the root).
 */
static bool
hidden_above(const struct pmap *m, const char *path, size_t k)
{
  wi_autofree char *p = wi_xstrdup(path);
  for (bool self = true;; self = false) {
    const struct pmark *pm = pmap_find(m, p);
    if (pm && pm->wh && pm->wh < k)
      return true;
    if (pm && !self && ((pm->opq && pm->opq < k) || (pm->nondir && pm->nondir < k)))
      return true;
    if (p[0] == '\0')
      return false;
    char *slash = strrchr(p, '/');
    if (slash)
      *slash = '\0';
    else
      p[0] = '\0';
  }
}

/* path is prefix, lies under it, or is one of its parents (whose marks can hide it). */
static bool
relevant(const char *path, const char *prefix, bool *under)
{
  size_t pl = strlen(prefix), l = strlen(path);
  *under = pl == 0 || strcmp(path, prefix) == 0 || is_under(path, prefix);
  return *under || l == 0 || (l < pl && strncmp(prefix, path, l) == 0 && prefix[l] == '/');
}

/* What can change prefix's view: an entry at or under it, a non-directory at a parent, a whiteout
 * or an opaque mark at it, a parent or under it. */
static bool
walk_check(const struct lrec *r, void *ctx)
{
  const char *prefix = ctx;
  bool opaque = false;
  wi_autofree char *t = whiteout_target(r->name, &opaque);
  if (t)
    return strcmp(t, prefix) == 0 || is_under(t, prefix) || is_under(prefix, t);
  return strcmp(r->name, prefix) == 0 || is_under(r->name, prefix) ||
         (r->type != 'd' && is_under(prefix, r->name));
}

/* Marks of one layer take effect below it: they are recorded with the layer's ordinal, and
 * hidden_above only counts marks of smaller ordinals. */
static int
walk_layer(struct wi_store *s, const struct wi_descriptor *layer, size_t index, size_t k,
           const char *prefix, struct pmap *marks, wi_image_walk_fn fn, void *payload, wi_err *err)
{
  wi_autoclose int fd = -1;
  struct archive *a = NULL;
  struct archive_entry *ae;
  struct listing lst = { .b = WI_BUF_INIT(MAX_LISTING_BYTES), .ok = true };
  int ret = 0;

  if (listing_each(s, layer->digest, walk_check, (void *)(uintptr_t)prefix) == 0)
    return 0; /* nothing at, under or above prefix in this layer */
  if ((ret = open_layer(s, layer, &a, &fd, err)) < 0)
    return ret;
  struct wi_image_walk w = { .a = a, .layer_digest = layer->digest };
  for (;;) {
    wi_autofree char *name = NULL;
    int r = next_entry(s, layer, a, &lst, &ae, &name, err);
    if (r <= 0) {
      ret = r;
      break;
    }
    if (name == NULL || name[0] == '\0')
      continue; /* no name, or the root directory itself */
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    bool under = false;
    if (strncmp(base, ".wh.", 4) == 0) {
      wi_autofree char *dir = wi_xstrndup(name, slash ? (size_t)(slash - name) : 0);
      bool opaque = strcmp(base, ".wh..wh..opq") == 0;
      wi_autofree char *target = opaque   ? wi_xstrdup(dir)
                                 : dir[0] ? wi_xasprintf("%s/%s", dir, base + 4)
                                          : wi_xstrdup(base + 4);
      if (relevant(target, prefix, &under)) {
        struct pmark *pm = pmap_get(marks, target);
        size_t *slot = opaque ? &pm->opq : &pm->wh;
        if (*slot == 0)
          *slot = k;
      }
      continue;
    }
    if (!relevant(name, prefix, &under))
      continue;
    mode_t ft = archive_entry_filetype(ae);
    const char *hl = archive_entry_hardlink(ae);
    bool is_dir = ft == AE_IFDIR && hl == NULL;
    if (!under) {
      /* a parent of prefix: a non-directory there hides prefix below */
      struct pmark *pm = pmap_get(marks, name);
      if (!is_dir && pm->nondir == 0)
        pm->nondir = k;
      continue;
    }
    if (hidden_above(marks, name, k))
      continue;
    struct pmark *pm = pmap_get(marks, name);
    if (pm->seen && pm->seen < k)
      continue; /* an upper layer has this path */
    pm->seen = k;
    if (!is_dir && pm->nondir == 0)
      pm->nondir = k;
    wi_autofree char *link = NULL;
    struct wi_image_entry e = { .path = name,
                                .mode = archive_entry_perm(ae),
                                .uid = (uint32_t)archive_entry_uid(ae),
                                .gid = (uint32_t)archive_entry_gid(ae),
                                .mtime = archive_entry_mtime(ae),
                                .layer = index };
    if (hl) {
      link = norm_path(hl);
      e.type = WI_LAYER_HARDLINK;
      e.link = link;
    } else if (ft == AE_IFDIR) {
      e.type = WI_LAYER_DIR;
    } else if (ft == AE_IFLNK) {
      e.type = WI_LAYER_SYMLINK;
      e.link = archive_entry_symlink(ae) ? archive_entry_symlink(ae) : "";
    } else if (ft == AE_IFREG) {
      e.type = WI_LAYER_FILE;
      e.size = archive_entry_size(ae);
    } else {
      continue; /* devices, FIFOs, sockets: nothing a copy could carry */
    }
    ret = fn(&w, &e, payload, err);
    if (ret < 0)
      break;
  }
  archive_read_free(a);
  wi_buf_dispose(&lst.b);
  return ret;
}

int
wi_image_walk(struct wi_store *s, const struct wi_manifest *m, const char *prefix,
              wi_image_walk_fn fn, void *payload, wi_err *err)
{
  wi_autofree char *pfx = norm_path(prefix ? prefix : "");
  struct pmap marks = { 0 };
  int ret = 0;

  for (size_t l = m->n_layers, k = 1; l-- > 0 && ret == 0; k++) {
    /* below a whiteout, an opaque mark or a non-directory at prefix or a parent, nothing of
     * prefix is left */
    const struct pmark *pm = pmap_find(&marks, pfx);
    if (hidden_above(&marks, pfx, k) ||
        (pm && ((pm->nondir && pm->nondir < k) || (pm->opq && pm->opq < k))))
      break;
    ret = walk_layer(s, &m->layers[l], l, k, pfx, &marks, fn, payload, err);
  }
  pmap_dispose(&marks);
  return ret;
}

/* ---- a new image on a base ---- */

int
wi_image_commit(struct wi_store *s, const struct wi_image *base,
                const struct wi_layer_result *layers, size_t n_layers,
                const struct wi_imgconfig *cfg, const char *tag, struct wi_descriptor *desc_out,
                wi_err *err)
{
  static char mt_gzip[] = WI_MT_OCI_LAYER_GZIP;
  const struct wi_manifest *bm = base->manifest;
  size_t n = bm->n_layers + n_layers;
  struct wi_descriptor *v = wi_xcalloc(n ? n : 1, sizeof *v);
  struct wi_descriptor desc = { 0 };
  wi_autofree char *name = NULL;
  int ret = 0;

  if (tag) {
    struct wi_ref r = { 0 };
    if (wi_ref_parse(&r, tag, err) < 0) {
      free(v);
      return wi_err_wrap(err, "tag %s", tag);
    }
    name = wi_ref_name(&r);
    wi_ref_dispose(&r);
  }
  for (size_t i = 0; i < bm->n_layers; i++) {
    v[i] = bm->layers[i];
    if (v[i].media_type && strcmp(v[i].media_type, WI_MT_DOCKER_LAYER) == 0)
      v[i].media_type = mt_gzip;
    v[i].annotations = NULL;
    v[i].n_annotations = 0;
  }
  for (size_t i = 0; i < n_layers; i++)
    v[bm->n_layers + i] = (struct wi_descriptor){ .media_type = mt_gzip,
                                                  .digest = (char *)(uintptr_t)layers[i].digest,
                                                  .size = layers[i].size };
  size_t cfg_len = 0;
  wi_autofree char *cfg_bytes = wi_imgconfig_serialize(cfg, &cfg_len);
  ret = wi_store_put_image(s, cfg_bytes, cfg_len, NULL, v, n, &desc, err);
  free(v);
  if (ret == 0 && name)
    ret = wi_store_tag(s, name, &desc, err);
  if (ret == 0 && desc_out)
    *desc_out = desc;
  else
    wi_manifest_descriptor_dispose(&desc);
  return ret;
}

void
wi_image_view(struct wi_manifest *m, const struct wi_manifest *base, size_t n_base,
              const struct wi_layer_result *layers, size_t n)
{
  memset(m, 0, sizeof *m);
  m->kind = WI_MANIFEST_IMAGE;
  m->layers = wi_xcalloc(n_base + n, sizeof *m->layers);
  for (size_t i = 0; i < n_base; i++)
    m->layers[i] = base->layers[i];
  for (size_t i = 0; i < n; i++)
    m->layers[n_base + i].digest = (char *)(uintptr_t)layers[i].digest;
  m->n_layers = n_base + n;
}
