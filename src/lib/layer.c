/* wlsimg: reproducible layer tars (libarchive), written through gzip.c and hashed for their digest
 * and diff_id. See layer.h. */
#include "lib/layer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/gzip.h"
#include "lib/log.h"

#define CHUNK (64 * 1024)

/* ---- layer writer ---- */

struct lentry {
  char *path;
  enum wi_layer_type type;
  uint32_t mode, uid, gid;
  char *uname, *gname;
  int64_t mtime;
  char *link;
  void *data;
  size_t size;
  char *src_path;
  int fd;
  bool spooled; /* content at spool_off in the writer's spool file, `size` bytes */
  int64_t spool_off;
  size_t seq; /* order of wi_layer_add: the later of two equal paths wins */
};

struct wi_layer_writer {
  struct wi_layer_opts opts;
  char *spool_dir;
  struct lentry *v;
  size_t n;
  size_t seq;
  bool finished;
  int spool_fd; /* -1 until the first streamed file */
  int64_t spool_end;
  ssize_t cur; /* entry being streamed by wi_layer_file_write, -1 = none */
  size_t setid_cleared;
  char *setid_first;
};

struct wi_layer_writer *
wi_layer_writer_new(const struct wi_layer_opts *opts)
{
  struct wi_layer_writer *w = wi_xcalloc(1, sizeof *w);
  if (opts)
    w->opts = *opts;
  w->spool_dir = w->opts.spool_dir ? wi_xstrdup(w->opts.spool_dir) : NULL;
  w->opts.spool_dir = NULL;
  w->seq = 1; /* 0 is for implicit parent directories */
  w->spool_fd = -1;
  w->cur = -1;
  return w;
}

static void
lentry_dispose(struct lentry *e)
{
  free(e->path);
  free(e->uname);
  free(e->gname);
  free(e->link);
  free(e->data);
  free(e->src_path);
  if (e->fd >= 0)
    close(e->fd);
}

void
wi_layer_writer_free(struct wi_layer_writer *w)
{
  if (w == NULL)
    return;
  for (size_t i = 0; i < w->n; i++)
    lentry_dispose(&w->v[i]);
  free(w->v);
  if (w->spool_fd >= 0)
    close(w->spool_fd);
  free(w->spool_dir);
  free(w->setid_first);
  free(w);
}

size_t
wi_layer_count(const struct wi_layer_writer *w)
{
  return w->n;
}

size_t
wi_layer_setid_cleared(const struct wi_layer_writer *w, const char **first)
{
  if (first)
    *first = w->setid_first;
  return w->setid_cleared;
}

/* "/a//b/" → "a/b" is rejected for the empty component; "./a/b/" → "a/b". */
static char *
normalize_path(const char *p, wi_err *err)
{
  while (*p == '/' || (p[0] == '.' && p[1] == '/'))
    p += *p == '/' ? 1 : 2;
  size_t n = strlen(p);
  while (n > 0 && p[n - 1] == '/')
    n--;
  if (n == 0) {
    wi_err_set(err, WI_EINVAL, "layer entry: empty path");
    return NULL;
  }
  char *out = wi_xstrndup(p, n);
  for (char *c = out; c;) {
    char *slash = strchr(c, '/');
    size_t cl = slash ? (size_t)(slash - c) : strlen(c);
    if (cl == 0 || (cl == 1 && c[0] == '.') || (cl == 2 && c[0] == '.' && c[1] == '.')) {
      wi_err_set(err, WI_EINVAL, "layer entry \"%s\": empty, \".\" or \"..\" path component", out);
      free(out);
      return NULL;
    }
    c = slash ? slash + 1 : NULL;
  }
  return out;
}

static void
push_entry(struct wi_layer_writer *w, struct lentry *le, const struct wi_layer_entry *e)
{
  le->type = e->type;
  le->mode = e->mode & 07777;
  if (w->opts.clear_setid && e->type != WI_LAYER_DIR && (le->mode & (S_ISUID | S_ISGID))) {
    le->mode &= ~(uint32_t)(S_ISUID | S_ISGID);
    wi_log(WI_LOG_INFO, "%s: setuid/setgid bits cleared", le->path);
    if (w->setid_cleared++ == 0)
      w->setid_first = wi_xstrdup(le->path);
  }
  le->uid = e->uid;
  le->gid = e->gid;
  le->uname = e->uname && *e->uname ? wi_xstrdup(e->uname) : NULL;
  le->gname = e->gname && *e->gname ? wi_xstrdup(e->gname) : NULL;
  le->mtime = e->mtime;
  le->seq = w->seq++;
  w->v = wi_xreallocarray(w->v, w->n + 1, sizeof *w->v);
  w->v[w->n++] = *le;
}

int
wi_layer_add(struct wi_layer_writer *w, const struct wi_layer_entry *e, wi_err *err)
{
  struct lentry le = { .fd = -1 };

  if (w->finished || w->cur >= 0)
    return wi_err_set(err, WI_EINVAL, "layer writer: %s",
                      w->finished ? "already finished" : "a streamed file is still open");
  le.path = normalize_path(e->path ? e->path : "", err);
  if (le.path == NULL)
    return WI_EINVAL;
  if ((e->type == WI_LAYER_SYMLINK || e->type == WI_LAYER_HARDLINK) &&
      (e->link == NULL || !*e->link)) {
    wi_err_set(err, WI_EINVAL, "layer entry \"%s\": a link needs a target", le.path);
    free(le.path);
    return WI_EINVAL;
  }
  if (e->type == WI_LAYER_HARDLINK) {
    le.link = normalize_path(e->link, err);
    if (le.link == NULL) {
      free(le.path);
      return WI_EINVAL;
    }
  } else if (e->type == WI_LAYER_SYMLINK) {
    le.link = wi_xstrdup(e->link);
  }
  if (e->type == WI_LAYER_FILE && e->use_fd) {
    le.fd = fcntl(e->fd, F_DUPFD_CLOEXEC, 3);
    if (le.fd < 0) {
      wi_err_sys(err, WI_EIO, "layer entry \"%s\": dup fd %d", le.path, e->fd);
      lentry_dispose(&le);
      return WI_EIO;
    }
  } else if (e->type == WI_LAYER_FILE && e->src_path) {
    le.src_path = wi_xstrdup(e->src_path);
  } else if (e->type == WI_LAYER_FILE && e->size > 0) {
    le.data = wi_xmalloc(e->size);
    memcpy(le.data, e->data, e->size);
    le.size = e->size;
  }
  push_entry(w, &le, e);
  return 0;
}

static int
open_spool(struct wi_layer_writer *w, wi_err *err)
{
  const char *dir = w->spool_dir ? w->spool_dir : getenv("TMPDIR");
  if (dir == NULL || *dir == '\0')
    dir = "/tmp";
  w->spool_fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (w->spool_fd >= 0)
    return 0;
  wi_autofree char *tpl = wi_xasprintf("%s/wlsimg-spool-XXXXXX", dir);
  w->spool_fd = mkostemp(tpl, O_CLOEXEC);
  if (w->spool_fd < 0)
    return wi_err_sys(err, WI_EIO, "create a spool file in %s", dir);
  unlink(tpl);
  return 0;
}

int
wi_layer_file_begin(struct wi_layer_writer *w, const struct wi_layer_entry *e, wi_err *err)
{
  struct lentry le = { .fd = -1, .spooled = true };

  if (w->finished || w->cur >= 0)
    return wi_err_set(err, WI_EINVAL, "layer writer: %s",
                      w->finished ? "already finished" : "a streamed file is still open");
  if (w->spool_fd < 0 && open_spool(w, err) < 0)
    return WI_EIO;
  le.path = normalize_path(e->path ? e->path : "", err);
  if (le.path == NULL)
    return WI_EINVAL;
  le.spool_off = w->spool_end;
  struct wi_layer_entry fe = *e;
  fe.type = WI_LAYER_FILE;
  push_entry(w, &le, &fe);
  w->cur = (ssize_t)w->n - 1;
  return 0;
}

int
wi_layer_file_write(struct wi_layer_writer *w, const void *data, size_t len, wi_err *err)
{
  if (w->cur < 0)
    return wi_err_set(err, WI_EINVAL, "layer writer: no streamed file open");
  int ret = wi_fs_write_all(w->spool_fd, data, len, err);
  if (ret < 0)
    return wi_err_wrap(err, "layer spool file");
  w->spool_end += (int64_t)len;
  w->v[w->cur].size += len;
  return 0;
}

int
wi_layer_file_end(struct wi_layer_writer *w, wi_err *err)
{
  if (w->cur < 0)
    return wi_err_set(err, WI_EINVAL, "layer writer: no streamed file open");
  w->cur = -1;
  return 0;
}

static int
add_tar_entry(struct wi_layer_writer *w, struct archive *a, struct archive_entry *ae,
              const char *what, wi_err *err)
{
  const char *name = archive_entry_pathname(ae);
  struct wi_layer_entry e = { .path = name,
                              .mode = archive_entry_perm(ae),
                              .uid = (uint32_t)archive_entry_uid(ae),
                              .gid = (uint32_t)archive_entry_gid(ae),
                              .uname = archive_entry_uname(ae),
                              .gname = archive_entry_gname(ae),
                              .mtime = archive_entry_mtime(ae) };
  const char *hl = archive_entry_hardlink(ae);
  int ret;

  if (name == NULL)
    return wi_err_set(err, WI_EINVAL, "%s: entry without a name", what);
  /* The root directory itself ("./") carries nothing a layer needs. */
  const char *p = name;
  while (*p == '/' || *p == '.')
    p++;
  if (*p == '\0')
    return 0;
  if (hl) {
    e.type = WI_LAYER_HARDLINK;
    e.link = hl;
    return wi_layer_add(w, &e, err);
  }
  switch (archive_entry_filetype(ae)) {
  case AE_IFDIR:
    e.type = WI_LAYER_DIR;
    return wi_layer_add(w, &e, err);
  case AE_IFLNK:
    e.type = WI_LAYER_SYMLINK;
    e.link = archive_entry_symlink(ae);
    return wi_layer_add(w, &e, err);
  case AE_IFREG:
    break;
  default:
    wi_log(WI_LOG_WARN, "%s: skipping %s: device nodes, FIFOs and sockets are not kept", what,
           name);
    return 0;
  }
  ret = wi_layer_file_begin(w, &e, err);
  if (ret < 0)
    return ret;
  wi_autofree char *buf = wi_xmalloc(CHUNK);
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf, CHUNK);
    if (n < 0) {
      ret = wi_err_set(err, WI_EINVAL, "%s: %s: %s", what, name, archive_error_string(a));
      break;
    }
    if (n == 0)
      break;
    ret = wi_layer_file_write(w, buf, (size_t)n, err);
    if (ret < 0)
      break;
  }
  w->cur = -1;
  return ret;
}

int
wi_layer_add_tar(struct wi_layer_writer *w, int fd, const char *what, wi_err *err)
{
  struct archive *a = archive_read_new();
  struct archive_entry *ae;
  int ret = 0, ar;
  size_t count = 0;

  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_fd(a, fd, CHUNK) != ARCHIVE_OK) {
    ret = wi_err_set(err, WI_EINVAL, "%s: not a tar archive: %s", what, archive_error_string(a));
    archive_read_free(a);
    return ret;
  }
  while ((ar = archive_read_next_header(a, &ae)) == ARCHIVE_OK || ar == ARCHIVE_WARN) {
    ret = add_tar_entry(w, a, ae, what, err);
    if (ret < 0)
      break;
    count++;
  }
  if (ret == 0 && ar != ARCHIVE_EOF)
    ret = wi_err_set(err, WI_EINVAL, "%s: not a valid tar archive: %s", what,
                     archive_error_string(a));
  if (ret == 0 && count == 0)
    ret = wi_err_set(err, WI_EINVAL, "%s: empty or not a tar archive", what);
  archive_read_free(a);
  return ret;
}

static int
cmp_lentry(const void *a, const void *b)
{
  const struct lentry *x = a, *y = b;
  int c = strcmp(x->path, y->path);
  if (c)
    return c;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort by path and keep only the last-added entry of each path. */
static void
sort_dedupe(struct wi_layer_writer *w)
{
  size_t k = 0;
  qsort(w->v, w->n, sizeof *w->v, cmp_lentry);
  for (size_t i = 0; i < w->n; i++) {
    if (i + 1 < w->n && strcmp(w->v[i].path, w->v[i + 1].path) == 0) {
      lentry_dispose(&w->v[i]);
      continue;
    }
    w->v[k++] = w->v[i];
  }
  w->n = k;
}

/* The index of path among the first n (sorted) entries, or -1. */
static ssize_t
find_sorted(const struct wi_layer_writer *w, size_t n, const char *path)
{
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(w->v[mid].path, path);
    if (c == 0)
      return (ssize_t)mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

static bool
has_path(const struct wi_layer_writer *w, size_t n, const char *path)
{
  return find_sorted(w, n, path) >= 0;
}

/* An entry beneath a symbolic link of the same layer is written through that link when the layer
 * is applied, and a chain of such links leads anywhere: no tool writes such a layer, so refuse
 * it. */
static int
check_beneath_links(const struct wi_layer_writer *w, wi_err *err)
{
  for (size_t i = 0; i < w->n; i++) {
    if (strchr(w->v[i].path, '/') == NULL)
      continue;
    wi_autofree char *p = wi_xstrdup(w->v[i].path);
    for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
      *s = '\0';
      ssize_t k = find_sorted(w, w->n, p);
      if (k >= 0 && w->v[k].type == WI_LAYER_SYMLINK)
        return wi_err_set(
            err, WI_EINVAL,
            "layer entry \"%s\" lies beneath the symbolic link \"%s\" -> \"%s\" of the same layer: applying the layer would write through the link",
            w->v[i].path, p, w->v[k].link);
      *s = '/';
    }
  }
  return 0;
}

static void
add_parents(struct wi_layer_writer *w)
{
  size_t n = w->n;
  for (size_t i = 0; i < n; i++) {
    wi_autofree char *p = wi_xstrdup(w->v[i].path);
    for (char *slash = strrchr(p, '/'); slash; slash = strrchr(p, '/')) {
      *slash = '\0';
      if (has_path(w, n, p))
        break;
      /* Implicit entries have seq 0, so explicit ones (and duplicates among these) win. */
      struct lentry d = { .path = wi_xstrdup(p),
                          .type = WI_LAYER_DIR,
                          .mode = 0755,
                          .fd = -1,
                          .mtime = w->opts.parents_mtime };
      w->v = wi_xreallocarray(w->v, w->n + 1, sizeof *w->v);
      w->v[w->n++] = d;
    }
  }
  sort_dedupe(w);
}

struct tar_out {
  struct wi_hasher tar_h; /* diff_id */
  struct wi_hasher gz_h;  /* blob digest (unless the sink hashes it: hash_gz false) */
  bool hash_gz;
  struct wi_gzip *gz;
  wi_sink_fn gz_sink, tar_sink;
  void *gz_payload, *tar_payload;
  uint64_t gz_size;
  wi_err *err;
  int failed; /* first WI_E* code from a sink */
};

static int
gz_out(const void *data, size_t len, void *payload, wi_err *err)
{
  struct tar_out *o = payload;
  o->gz_size += len;
  if (o->hash_gz)
    wi_digest_hasher_update(&o->gz_h, data, len);
  return o->gz_sink(data, len, o->gz_payload, err);
}

static la_ssize_t
tar_write_cb(struct archive *a, void *payload, const void *buf, size_t len)
{
  struct tar_out *o = payload;
  int ret = 0;
  if (o->gz == NULL)
    wi_digest_hasher_update(&o->tar_h, buf, len); /* else the gzip stream hashes its input */
  if (o->tar_sink)
    ret = o->tar_sink(buf, len, o->tar_payload, o->err);
  if (ret == 0 && o->gz)
    ret = wi_gzip_write(o->gz, buf, len, o->err);
  if (ret < 0) {
    o->failed = ret;
    archive_set_error(a, EIO, "output failed");
    return -1;
  }
  return (la_ssize_t)len;
}

static int
archive_fail(struct archive *a, struct tar_out *o, const char *what, wi_err *err)
{
  if (o->failed)
    return o->failed;
  return wi_err_set(err, WI_ERR, "write layer tar: %s: %s", what, archive_error_string(a));
}

/* Open the content of a file entry and learn its size and offset (fd_out = -1 for in-memory
 * data; for spooled contents the writer's spool descriptor itself, which the caller must not
 * close). */
static int
open_content(const struct wi_layer_writer *w, const struct lentry *e, int *fd_out, int64_t *off_out,
             int64_t *size_out, wi_err *err)
{
  struct stat st;
  *fd_out = -1;
  *off_out = 0;
  *size_out = (int64_t)e->size;
  if (e->type == WI_LAYER_FILE && e->spooled) {
    *fd_out = w->spool_fd;
    *off_out = e->spool_off;
    return 0;
  }
  if (e->type != WI_LAYER_FILE || (e->fd < 0 && e->src_path == NULL))
    return 0;
  int fd = e->fd >= 0 ? dup(e->fd) : open(e->src_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return wi_err_sys(err, WI_EIO, "layer entry \"%s\": open %s", e->path,
                      e->src_path ? e->src_path : "fd");
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return wi_err_set(err, WI_EIO, "layer entry \"%s\": %s is not a regular file", e->path,
                      e->src_path ? e->src_path : "fd");
  }
  *fd_out = fd;
  *size_out = st.st_size;
  return 0;
}

static int
write_content(struct archive *a, struct tar_out *o, const struct lentry *e, int fd, int64_t base,
              int64_t size, wi_err *err)
{
  if (fd < 0) {
    if (e->size > 0 && archive_write_data(a, e->data, e->size) < 0)
      return archive_fail(a, o, e->path, err);
    return 0;
  }
  wi_autofree char *buf = wi_xmalloc(CHUNK);
  int64_t off = 0;
  while (off < size) {
    size_t want = (size_t)(size - off < CHUNK ? size - off : CHUNK);
    ssize_t n = pread(fd, buf, want, base + off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return wi_err_sys(err, WI_EIO, "layer entry \"%s\": read", e->path);
    if (n == 0)
      return wi_err_set(err, WI_EIO, "layer entry \"%s\": the file shrank while being read",
                        e->path);
    if (archive_write_data(a, buf, (size_t)n) < 0)
      return archive_fail(a, o, e->path, err);
    off += n;
  }
  return 0;
}

/* One tar header (path already normalised; directories get their trailing "/"). */
static int
write_header(struct archive *a, struct tar_out *o, const char *path, enum wi_layer_type type,
             uint32_t mode, uint32_t uid, uint32_t gid, const char *uname, const char *gname,
             int64_t mtime, const char *link, int64_t size, wi_err *err)
{
  static const mode_t types[] = { [WI_LAYER_FILE] = AE_IFREG,
                                  [WI_LAYER_DIR] = AE_IFDIR,
                                  [WI_LAYER_SYMLINK] = AE_IFLNK,
                                  [WI_LAYER_HARDLINK] = AE_IFREG };
  struct archive_entry *ae = archive_entry_new();
  wi_autofree char *name = type == WI_LAYER_DIR ? wi_xasprintf("%s/", path) : wi_xstrdup(path);
  archive_entry_set_pathname(ae, name);
  archive_entry_set_filetype(ae, types[type]);
  archive_entry_set_perm(ae, (mode_t)mode);
  archive_entry_set_uid(ae, uid);
  archive_entry_set_gid(ae, gid);
  if (uname)
    archive_entry_set_uname(ae, uname);
  if (gname)
    archive_entry_set_gname(ae, gname);
  archive_entry_set_mtime(ae, (time_t)mtime, 0);
  if (type == WI_LAYER_SYMLINK)
    archive_entry_set_symlink(ae, link);
  if (type == WI_LAYER_HARDLINK)
    archive_entry_set_hardlink(ae, link);
  archive_entry_set_size(ae, type == WI_LAYER_FILE ? size : 0);
  int r = archive_write_header(a, ae);
  archive_entry_free(ae);
  return r < ARCHIVE_WARN ? archive_fail(a, o, path, err) : 0;
}

static int
write_entry(const struct wi_layer_writer *w, struct archive *a, struct tar_out *o,
            const struct lentry *e, wi_err *err)
{
  int fd = -1;
  int64_t size = 0, base = 0;
  int ret = open_content(w, e, &fd, &base, &size, err);

  if (ret < 0)
    return ret;
  wi_autoclose int own_fd = e->spooled ? -1 : fd; /* closed on return; only read through fd */
  WI_UNUSED(own_fd);
  ret = write_header(a, o, e->path, e->type, e->mode, e->uid, e->gid, e->uname, e->gname, e->mtime,
                     e->link, size, err);
  if (ret == 0 && e->type == WI_LAYER_FILE)
    return write_content(a, o, e, fd, base, size, err);
  return ret;
}

/* Move the content fields (not the path or metadata) from one entry to the other and back. */
static void
copy_content(struct lentry *dst, const struct lentry *src)
{
  dst->data = src->data;
  dst->size = src->size;
  dst->src_path = src->src_path;
  dst->fd = src->fd;
  dst->spooled = src->spooled;
  dst->spool_off = src->spool_off;
}

static void
swap_content(struct lentry *a, struct lentry *b)
{
  struct lentry t = *a;
  copy_content(a, b);
  copy_content(b, &t);
}

static ssize_t
find_entry(const struct wi_layer_writer *w, const char *path)
{
  for (size_t j = 0; j < w->n; j++)
    if (strcmp(w->v[j].path, path) == 0)
      return (ssize_t)j;
  return -1;
}

/* Every hard link must name a file of the layer, and a tar reader must meet that file first. In
 * sorted order the first of a group of links is the one that sorts first, so when a link sorts
 * before its target the two swap roles (same inode, so nothing changes for the extractor). */
static int
check_hardlinks(struct wi_layer_writer *w, wi_err *err)
{
  for (size_t i = 0; i < w->n; i++) {
    struct lentry *e = &w->v[i];
    if (e->type != WI_LAYER_HARDLINK)
      continue;
    ssize_t t = find_entry(w, e->link);
    if (t < 0 || (size_t)t == i || w->v[t].type != WI_LAYER_FILE)
      return wi_err_set(err, WI_EINVAL,
                        "layer entry \"%s\": hard link target \"%s\" is not a file in the layer",
                        e->path, e->link);
    if ((size_t)t < i)
      continue;
    /* e (index i) sorts before its target t: e becomes the file, t and the other links point to e.
     */
    char *old_target = wi_xstrdup(w->v[t].path);
    swap_content(e, &w->v[t]);
    e->type = WI_LAYER_FILE;
    free(e->link);
    e->link = NULL;
    w->v[t].type = WI_LAYER_HARDLINK;
    for (size_t j = 0; j < w->n; j++) {
      bool retarget = j == (size_t)t || (j != i && w->v[j].type == WI_LAYER_HARDLINK &&
                                         strcmp(w->v[j].link, old_target) == 0);
      if (retarget) {
        free(w->v[j].link);
        w->v[j].link = wi_xstrdup(e->path);
      }
    }
    free(old_target);
  }
  return 0;
}

static int
write_tar(struct wi_layer_writer *w, struct tar_out *o, wi_err *err)
{
  struct archive *a = archive_write_new();
  int ret = 0;

  if (a == NULL)
    return wi_err_set(err, WI_ERR, "cannot create a tar writer");
  if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      archive_write_add_filter_none(a) != ARCHIVE_OK ||
      archive_write_open(a, o, NULL, tar_write_cb, NULL) != ARCHIVE_OK) {
    ret = archive_fail(a, o, "open", err);
    archive_write_free(a);
    return ret;
  }
  for (size_t i = 0; i < w->n && ret == 0; i++)
    ret = write_entry(w, a, o, &w->v[i], err);
  if (ret == 0 && archive_write_close(a) != ARCHIVE_OK)
    ret = archive_fail(a, o, "close", err);
  archive_write_free(a);
  return ret;
}

/* wi_layer_writer_finish; hash_gz false leaves res->digest empty (the sink hashes the stream). */
static int
finish(struct wi_layer_writer *w, wi_sink_fn gz_sink, void *gz_payload, bool hash_gz,
       wi_sink_fn tar_sink, void *tar_payload, struct wi_layer_result *res, wi_err *err)
{
  struct tar_out o = { .gz_sink = gz_sink,
                       .gz_payload = gz_payload,
                       .hash_gz = hash_gz,
                       .tar_sink = tar_sink,
                       .tar_payload = tar_payload,
                       .err = err };
  int ret;

  if (w->finished)
    return wi_err_set(err, WI_EINVAL, "layer writer already finished");
  w->finished = true;
  sort_dedupe(w);
  if (w->opts.add_parents)
    add_parents(w);
  ret = check_beneath_links(w, err);
  if (ret == 0)
    ret = check_hardlinks(w, err);
  if (ret < 0)
    return ret;
  if ((ret = wi_digest_hasher_init(&o.tar_h, "sha256", err)) < 0)
    return ret;
  if ((ret = wi_digest_hasher_init(&o.gz_h, "sha256", err)) < 0) {
    wi_digest_hasher_dispose(&o.tar_h);
    return ret;
  }
  if (gz_sink) {
    o.gz = wi_gzip_new(w->opts.gzip_level, gz_out, &o);
    if (o.gz == NULL)
      ret = wi_err_set(err, WI_ERR, "cannot start the gzip compressor");
    else
      wi_gzip_hash_input(o.gz, &o.tar_h); /* the diff_id, beside the compression */
  }
  if (ret == 0)
    ret = write_tar(w, &o, err);
  if (ret == 0 && o.gz)
    ret = wi_gzip_finish(o.gz, err);
  if (ret == 0) {
    memset(res, 0, sizeof *res);
    res->tar_size = (int64_t)o.tar_h.size;
    res->size = (int64_t)o.gz_size;
    wi_digest_hasher_final(&o.tar_h, res->diff_id);
    if (o.gz && hash_gz)
      wi_digest_hasher_final(&o.gz_h, res->digest);
  }
  wi_gzip_free(o.gz);
  wi_digest_hasher_dispose(&o.tar_h);
  wi_digest_hasher_dispose(&o.gz_h);
  return ret;
}

int
wi_layer_writer_finish(struct wi_layer_writer *w, wi_sink_fn gz_sink, void *gz_payload,
                       wi_sink_fn tar_sink, void *tar_payload, struct wi_layer_result *res,
                       wi_err *err)
{
  return finish(w, gz_sink, gz_payload, true, tar_sink, tar_payload, res, err);
}

static int
blob_sink(const void *data, size_t len, void *payload, wi_err *err)
{
  return wi_store_blob_writer_write(payload, data, len, err);
}

int
wi_layer_writer_finish_store(struct wi_layer_writer *w, struct wi_store *s,
                             struct wi_layer_result *res, wi_err *err)
{
  wi_autoptr(wi_blob_writer) struct wi_blob_writer *bw = NULL;
  int ret = wi_store_blob_begin(s, &bw, err);

  if (ret < 0)
    return ret;
  /* The blob writer hashes what it stores: its digest is the blob's (no second pass). */
  ret = finish(w, blob_sink, bw, false, NULL, NULL, res, err);
  if (ret < 0)
    return ret;
  return wi_store_blob_writer_commit(bw, NULL, res->size, res->digest, err);
}

/* ---- streaming: entries written as they come ---- */

struct wi_layer_stream {
  struct tar_out o;
  struct archive *a;
  struct wi_blob_writer *bw;
  struct wi_store *s;
  int64_t pending; /* content bytes the current FILE entry still expects */
  char *cur;       /* its path, for messages */
  bool broken;     /* a write failed: only free is left */
};

void
wi_layer_stream_free(struct wi_layer_stream *ls)
{
  if (ls == NULL)
    return;
  if (ls->a)
    archive_write_free(ls->a);
  wi_gzip_free(ls->o.gz);
  wi_digest_hasher_dispose(&ls->o.tar_h);
  wi_digest_hasher_dispose(&ls->o.gz_h);
  wi_store_blob_writer_free(ls->bw);
  free(ls->cur);
  free(ls);
}

int
wi_layer_stream_new(struct wi_layer_stream **out, struct wi_store *s, int gzip_level, wi_err *err)
{
  struct wi_layer_stream *ls = wi_xcalloc(1, sizeof *ls);
  int ret;

  ls->s = s;
  ls->o.err = err;
  ls->o.gz_sink = blob_sink;
  if ((ret = wi_store_blob_begin(s, &ls->bw, err)) < 0 ||
      (ret = wi_digest_hasher_init(&ls->o.tar_h, "sha256", err)) < 0 ||
      (ret = wi_digest_hasher_init(&ls->o.gz_h, "sha256", err)) < 0) {
    wi_layer_stream_free(ls);
    return ret;
  }
  ls->o.gz_payload = ls->bw;
  ls->o.gz = wi_gzip_new(gzip_level, gz_out, &ls->o);
  ls->a = archive_write_new();
  if (ls->o.gz == NULL || ls->a == NULL) {
    wi_layer_stream_free(ls);
    return wi_err_set(err, WI_ERR, "cannot start the layer stream");
  }
  wi_gzip_hash_input(ls->o.gz, &ls->o.tar_h);
  if (archive_write_set_format_pax_restricted(ls->a) != ARCHIVE_OK ||
      archive_write_add_filter_none(ls->a) != ARCHIVE_OK ||
      archive_write_open(ls->a, &ls->o, NULL, tar_write_cb, NULL) != ARCHIVE_OK) {
    ret = archive_fail(ls->a, &ls->o, "open", err);
    wi_layer_stream_free(ls);
    return ret;
  }
  *out = ls;
  return 0;
}

static int
stream_check(struct wi_layer_stream *ls, wi_err *err)
{
  ls->o.err = err;
  if (ls->broken)
    return wi_err_set(err, WI_EINVAL, "layer stream: an earlier write failed");
  return 0;
}

int
wi_layer_stream_add(struct wi_layer_stream *ls, const struct wi_layer_entry *e, wi_err *err)
{
  int ret = stream_check(ls, err);
  if (ret < 0)
    return ret;
  if (ls->pending)
    return wi_err_set(err, WI_EINVAL, "layer entry \"%s\": %lld bytes missing", ls->cur,
                      (long long)ls->pending);
  wi_autofree char *path = normalize_path(e->path ? e->path : "", err);
  if (path == NULL)
    return WI_EINVAL;
  wi_autofree char *link = NULL;
  if (e->type == WI_LAYER_SYMLINK || e->type == WI_LAYER_HARDLINK) {
    if (e->link == NULL || !*e->link)
      return wi_err_set(err, WI_EINVAL, "layer entry \"%s\": a link needs a target", path);
    link = e->type == WI_LAYER_HARDLINK ? normalize_path(e->link, err) : wi_xstrdup(e->link);
    if (link == NULL)
      return WI_EINVAL;
  }
  int64_t size = e->type == WI_LAYER_FILE ? (int64_t)e->size : 0;
  ret = write_header(ls->a, &ls->o, path, e->type, e->mode & 07777, e->uid, e->gid, e->uname,
                     e->gname, e->mtime, link, size, err);
  if (ret == 0 && e->type == WI_LAYER_FILE && e->data && e->size &&
      archive_write_data(ls->a, e->data, e->size) < 0)
    ret = archive_fail(ls->a, &ls->o, path, err);
  if (ret < 0) {
    ls->broken = true;
    return ret;
  }
  if (e->type == WI_LAYER_FILE && e->data == NULL) {
    ls->pending = size;
    free(ls->cur);
    ls->cur = wi_steal(&path);
  }
  return 0;
}

int
wi_layer_stream_write(struct wi_layer_stream *ls, const void *data, size_t len, wi_err *err)
{
  int ret = stream_check(ls, err);
  if (ret < 0)
    return ret;
  if ((int64_t)len > ls->pending)
    return wi_err_set(err, WI_EINVAL, "layer entry \"%s\": more content than announced",
                      ls->cur ? ls->cur : "");
  if (len && archive_write_data(ls->a, data, len) < 0) {
    ls->broken = true;
    return archive_fail(ls->a, &ls->o, ls->cur, err);
  }
  ls->pending -= (int64_t)len;
  return 0;
}

int
wi_layer_stream_finish(struct wi_layer_stream *ls, struct wi_layer_result *res, wi_err *err)
{
  int ret = stream_check(ls, err);
  if (ret == 0 && ls->pending)
    ret = wi_err_set(err, WI_EINVAL, "layer entry \"%s\": %lld bytes missing", ls->cur,
                     (long long)ls->pending);
  if (ret == 0 && archive_write_close(ls->a) != ARCHIVE_OK)
    ret = archive_fail(ls->a, &ls->o, "close", err);
  if (ret == 0)
    ret = wi_gzip_finish(ls->o.gz, err);
  if (ret < 0) {
    ls->broken = true;
    return ret;
  }
  memset(res, 0, sizeof *res);
  res->tar_size = (int64_t)ls->o.tar_h.size;
  res->size = (int64_t)ls->o.gz_size;
  wi_digest_hasher_final(&ls->o.tar_h, res->diff_id);
  ls->broken = true; /* finished: nothing more can be added */
  return wi_store_blob_writer_commit(ls->bw, NULL, res->size, res->digest, err);
}
