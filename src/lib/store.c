/* wlsimg: the local image store, an OCI image layout. See store.h for the rules.
 *
 * Locks (flock):
 *   <root>/.lock     exclusive around every read-modify-write of index.json (tag, untag, gc);
 *   <root>/.gc.lock  shared from this handle's first blob write until wi_store_free (a handle may
 *                    write the blobs of several images before naming them all); gc takes it
 *                    exclusively without waiting. When another process holds it, gc only deletes
 *                    unreferenced blobs older than a day, so it never races an import or a pull.
 */
#include "lib/store.h"
#include "lib/store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/ref.h"
#include "lib/str.h"
#include "lib/util.h"

#define INDEX_MAX_BYTES (64 * 1024 * 1024)
#define OCI_LAYOUT_JSON "{\"imageLayoutVersion\":\"1.0.0\"}"
#define EMPTY_INDEX     "{\"schemaVersion\":2,\"mediaType\":\"" WI_MT_OCI_INDEX "\",\"manifests\":[]}"

struct wi_blob_writer {
  struct wi_store *s;
  char *tmp_path;
  int fd;
  struct wi_hasher h;
  bool committed;
};

#define autojson __attribute__((cleanup(json_decrefp)))

/* ---- open / paths ---- */

char *
wi_store_default_root(void)
{
  const char *env = getenv("WLSIMG_STORE");
  if (env && *env)
    return wi_xstrdup(env);
  return wi_util_data_path("store");
}

char *
wi_store_path(const struct wi_store *s, const char *sub)
{
  return wi_xasprintf("%s/%s", s->root, sub);
}

static int
ensure_file(const struct wi_store *s, const char *name, const char *content, wi_err *err)
{
  wi_autofree char *p = wi_store_path(s, name);
  if (access(p, F_OK) == 0)
    return 0;
  return wi_fs_write_file_atomic(p, content, strlen(content), 0666, err);
}

int
wi_store_open(struct wi_store **out, const char *root, bool create, wi_err *err)
{
  struct stat st;
  int ret;

  if (stat(root, &st) < 0) {
    if (errno != ENOENT)
      return wi_err_sys(err, WI_EIO, "image store %s", root);
    if (!create)
      return wi_err_set(err, WI_ENOTFOUND, "image store %s does not exist", root);
    ret = wi_fs_mkdir_p(root, 0755, err);
    if (ret < 0)
      return ret;
  } else if (!S_ISDIR(st.st_mode)) {
    return wi_err_set(err, WI_EINVAL, "image store %s is not a directory", root);
  }
  struct wi_store *s = wi_xcalloc(1, sizeof *s);
  s->root = wi_xstrdup(root);
  s->gc_fd = -1;
  s->keep_untagged = true;
  wi_autofree char *layout = wi_store_path(s, "oci-layout");
  if (access(layout, F_OK) < 0 && !create) {
    wi_err_set(err, WI_EINVAL, "%s is not an OCI image layout (no oci-layout file)", root);
    wi_store_free(s);
    return WI_EINVAL;
  }
  wi_autofree char *blobs = wi_store_path(s, "blobs/sha256");
  if (create && ((ret = wi_fs_mkdir_p(blobs, 0755, err)) < 0 ||
                 (ret = ensure_file(s, "oci-layout", OCI_LAYOUT_JSON, err)) < 0 ||
                 (ret = ensure_file(s, "index.json", EMPTY_INDEX, err)) < 0)) {
    wi_store_free(s);
    return ret;
  }
  *out = s;
  return 0;
}

int
wi_store_open_default(struct wi_store **out, bool create, wi_err *err)
{
  wi_autofree char *root = wi_store_default_root();
  return wi_store_open(out, root, create, err);
}

void
wi_store_free(struct wi_store *s)
{
  if (s == NULL)
    return;
  if (s->gc_fd >= 0)
    close(s->gc_fd);
  free(s->root);
  free(s);
}

const char *
wi_store_root(const struct wi_store *s)
{
  return s->root;
}

void
wi_store_set_keep_untagged(struct wi_store *s, bool keep)
{
  s->keep_untagged = keep;
}

char *
wi_store_blob_path(struct wi_store *s, const char *digest)
{
  if (digest == NULL || wi_digest_validate(digest, NULL) < 0)
    return NULL;
  const char *colon = strchr(digest, ':');
  return wi_xasprintf("%s/blobs/%.*s/%s", s->root, (int)(colon - digest), digest, colon + 1);
}

bool
wi_store_has_blob(struct wi_store *s, const char *digest)
{
  wi_autofree char *p = wi_store_blob_path(s, digest);
  return p && access(p, F_OK) == 0;
}

static int
check_digest(const char *digest, wi_err *err)
{
  wi_err e = { 0 };
  if (digest == NULL)
    return wi_err_set(err, WI_EINVAL, "missing digest");
  if (wi_digest_validate(digest, &e) < 0)
    return wi_err_set(err, e.code, "%s", e.msg);
  return 0;
}

int
wi_store_open_blob(struct wi_store *s, const char *digest, int *fd_out, int64_t *size_out,
                   wi_err *err)
{
  struct stat st;
  int ret = check_digest(digest, err);
  if (ret < 0)
    return ret;
  wi_autofree char *p = wi_store_blob_path(s, digest);
  int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return wi_err_set(err, WI_ENOTFOUND, "blob %s not found in %s", digest, s->root);
    return wi_err_sys(err, WI_EIO, "open blob %s", p);
  }
  if (fstat(fd, &st) < 0) {
    wi_err_sys(err, WI_EIO, "stat blob %s", p);
    close(fd);
    return WI_EIO;
  }
  if (size_out)
    *size_out = st.st_size;
  *fd_out = fd;
  return 0;
}

int
wi_store_read_blob(struct wi_store *s, const char *digest, size_t max, char **data_out,
                   size_t *len_out, wi_err *err)
{
  wi_autoclose int fd = -1;
  int64_t size = 0;
  wi_autofree char *data = NULL;
  size_t len = 0;
  int ret = wi_store_open_blob(s, digest, &fd, &size, err);

  if (ret < 0)
    return ret;
  if ((uint64_t)size > max)
    return wi_err_set(err, WI_ETOOBIG, "blob %s is %lld bytes, more than the %zu allowed", digest,
                      (long long)size, max);
  ret = wi_fs_read_fd(fd, max, &data, &len, err);
  if (ret < 0)
    return wi_err_wrap(err, "read blob %s", digest);
  if (wi_digest_verify_bytes(digest, data, len, NULL) < 0)
    return wi_err_set(err, WI_EDIGEST, "blob %s in %s is corrupt: its content has another digest",
                      digest, s->root);
  *data_out = wi_steal(&data);
  if (len_out)
    *len_out = len;
  return 0;
}

/* ---- writing blobs ---- */

/* Hold .gc.lock shared from the first blob write until the next tag (see the top comment).
 * Parallel transfers start blob writes from several threads: the first fd to land is kept. */
static void
hold_gc_shared(struct wi_store *s)
{
  if (__atomic_load_n(&s->gc_fd, __ATOMIC_ACQUIRE) >= 0)
    return;
  wi_autofree char *p = wi_store_path(s, ".gc.lock");
  int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    wi_log(WI_LOG_DEBUG, "cannot open %s: %s", p, strerror(errno));
    return;
  }
  while (flock(fd, LOCK_SH) < 0 && errno == EINTR)
    ;
  int none = -1;
  if (!__atomic_compare_exchange_n(&s->gc_fd, &none, fd, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    close(fd); /* another thread got there first */
}

/* A temporary blob file in tmpdir, locked (flock) for as long as its writer lives: a file in tmp/
 * that nobody holds locked is what an interrupted process left behind (see sweep_tmp). */
static int
create_locked_tmp(const char *tmpdir, char **path_out, int *fd_out, wi_err *err)
{
  char rnd[33];

  for (int attempt = 0; attempt < 8; attempt++) {
    int ret = wi_util_random_hex(rnd, 16, err);
    if (ret < 0)
      return ret;
    char *p = wi_xasprintf("%s/blob-%s", tmpdir, rnd);
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      wi_err_sys(err, WI_EIO, "create %s", p);
      free(p);
      return WI_EIO;
    }
    struct stat st;
    while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
      ;
    /* A sweep may have taken the lock between open and flock and removed the file. */
    if (fstat(fd, &st) == 0 && st.st_nlink > 0) {
      *path_out = p;
      *fd_out = fd;
      return 0;
    }
    close(fd);
    free(p);
  }
  return wi_err_set(err, WI_EIO, "create a temporary file in %s: removed while being created",
                    tmpdir);
}

int
wi_store_blob_begin(struct wi_store *s, struct wi_blob_writer **out, wi_err *err)
{
  int ret;
  wi_autofree char *tmpdir = wi_store_path(s, "tmp");

  ret = wi_fs_mkdir_p(tmpdir, 0755, err);
  if (ret < 0)
    return ret;
  /* A retry of an interrupted pull must not leave the first attempt's partial blob behind. Once
   * per store, whichever of the parallel transfers gets here first. */
  if (!__atomic_exchange_n(&s->swept_tmp, true, __ATOMIC_ACQ_REL))
    wi_store_gc_sweep_tmp(tmpdir, true, NULL);
  hold_gc_shared(s);
  struct wi_blob_writer *w = wi_xcalloc(1, sizeof *w);
  w->s = s;
  ret = create_locked_tmp(tmpdir, &w->tmp_path, &w->fd, err);
  if (ret < 0) {
    free(w);
    return ret;
  }
  ret = wi_digest_hasher_init(&w->h, "sha256", err);
  if (ret < 0) {
    w->committed = true; /* nothing to hash: just remove the file */
    unlink(w->tmp_path);
    wi_store_blob_writer_free(w);
    return ret;
  }
  *out = w;
  return 0;
}

int
wi_store_blob_writer_write(struct wi_blob_writer *w, const void *data, size_t len, wi_err *err)
{
  if (w->fd < 0)
    return wi_err_set(err, WI_EINVAL, "blob writer already finished");
  wi_digest_hasher_update(&w->h, data, len);
  int ret = wi_fs_write_all(w->fd, data, len, err);
  if (ret < 0)
    return wi_err_wrap(err, "write %s", w->tmp_path);
  return 0;
}

uint64_t
wi_store_blob_writer_size(const struct wi_blob_writer *w)
{
  return w->h.size;
}

int
wi_store_blob_writer_commit(struct wi_blob_writer *w, const char *expected, int64_t expected_size,
                            char *digest_out, wi_err *err)
{
  char got[WI_DIGEST_MAX];
  int ret = 0;
  wi_autofree char *dst = NULL;
  wi_autofree char *dir = NULL;

  if (w->fd < 0)
    return wi_err_set(err, WI_EINVAL, "blob writer already finished");
  uint64_t size = w->h.size;
  wi_digest_hasher_final(&w->h, got);
  if (expected && strcmp(expected, got) != 0) {
    ret = wi_err_set(err, WI_EDIGEST, "digest mismatch: expected %s, got %s", expected, got);
    goto out;
  }
  if (expected_size >= 0 && (uint64_t)expected_size != size) {
    ret = wi_err_set(err, WI_EDIGEST, "size mismatch for %s: expected %lld bytes, got %llu", got,
                     (long long)expected_size, (unsigned long long)size);
    goto out;
  }
  dst = wi_store_blob_path(w->s, got);
  /* Already stored (a rebuild of the same content): keep that file, skipping the fsync and the
   * rename of a copy. Its mtime is refreshed so a concurrent gc treats it as just written. */
  struct stat st;
  if (stat(dst, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == size &&
      utimensat(AT_FDCWD, dst, NULL, 0) == 0) {
    close(w->fd);
    w->fd = -1;
    unlink(w->tmp_path);
    w->committed = true;
    if (digest_out)
      memcpy(digest_out, got, strlen(got) + 1);
    goto out;
  }
  if (fsync(w->fd) < 0) {
    ret = wi_err_sys(err, WI_EIO, "fsync %s", w->tmp_path);
    goto out;
  }
  dir = wi_xasprintf("%s/blobs/sha256", w->s->root);
  ret = wi_fs_mkdir_p(dir, 0755, err);
  if (ret < 0)
    goto out;
  /* Same name = same content, so replacing a blob another writer just stored is harmless. The
   * file is renamed before it is closed: closing drops the lock that keeps sweep_tmp off it. */
  if (rename(w->tmp_path, dst) < 0) {
    ret = wi_err_sys(err, WI_EIO, "rename %s to %s", w->tmp_path, dst);
    goto out;
  }
  close(w->fd);
  w->fd = -1;
  w->committed = true;
  wi_fs_fsync_dir(dir, NULL);
  if (digest_out)
    memcpy(digest_out, got, strlen(got) + 1);
out:
  if (w->fd >= 0)
    close(w->fd);
  w->fd = -1;
  return ret;
}

void
wi_store_blob_writer_free(struct wi_blob_writer *w)
{
  if (w == NULL)
    return;
  if (w->fd >= 0)
    close(w->fd);
  if (!w->committed)
    unlink(w->tmp_path);
  wi_digest_hasher_dispose(&w->h);
  free(w->tmp_path);
  free(w);
}

int
wi_store_put_blob(struct wi_store *s, const void *data, size_t len, char *digest_out, wi_err *err)
{
  char d[WI_DIGEST_MAX];
  wi_autoptr(wi_blob_writer) struct wi_blob_writer *w = NULL;
  int ret;

  wi_digest_bytes(data, len, d);
  if (wi_store_has_blob(s, d)) {
    hold_gc_shared(s);
    if (digest_out)
      memcpy(digest_out, d, strlen(d) + 1);
    return 0;
  }
  ret = wi_store_blob_begin(s, &w, err);
  if (ret < 0)
    return ret;
  ret = wi_store_blob_writer_write(w, data, len, err);
  if (ret < 0)
    return ret;
  return wi_store_blob_writer_commit(w, d, (int64_t)len, digest_out, err);
}

static int
blob_sink(const void *data, size_t len, void *payload, wi_err *err)
{
  return wi_store_blob_writer_write(payload, data, len, err);
}

int
wi_store_copy_blob_from(struct wi_store *dst, struct wi_store *src, const char *digest, wi_err *err)
{
  char rnd[33];
  int ret = check_digest(digest, err);

  if (ret < 0)
    return ret;
  if (wi_store_has_blob(dst, digest)) {
    hold_gc_shared(dst);
    return 0;
  }
  wi_autofree char *sp = wi_store_blob_path(src, digest);
  wi_autofree char *dp = wi_store_blob_path(dst, digest);
  wi_autofree char *tmpdir = wi_store_path(dst, "tmp");
  wi_autofree char *dir = wi_xstrdup(dp);
  *strrchr(dir, '/') = '\0';
  if (wi_fs_mkdir_p(tmpdir, 0755, NULL) == 0 && wi_fs_mkdir_p(dir, 0755, NULL) == 0 &&
      wi_util_random_hex(rnd, 16, NULL) == 0) {
    wi_autofree char *tp = wi_xasprintf("%s/link-%s", tmpdir, rnd);
    hold_gc_shared(dst);
    if (link(sp, tp) == 0) {
      if (rename(tp, dp) == 0)
        return 0;
      unlink(tp);
    }
  }
  /* Different file systems (or no hard links): stream and verify. */
  wi_autoclose int fd = -1;
  int64_t size = 0;
  wi_autoptr(wi_blob_writer) struct wi_blob_writer *w = NULL;
  ret = wi_store_open_blob(src, digest, &fd, &size, err);
  if (ret < 0)
    return ret;
  ret = wi_store_blob_begin(dst, &w, err);
  if (ret < 0)
    return ret;
  ret = wi_fs_read_each(fd, sp, blob_sink, w, err);
  if (ret < 0)
    return ret;
  return wi_store_blob_writer_commit(w, digest, size, NULL, err);
}

/* ---- index.json ---- */

int
wi_store_lock_index(struct wi_store *s, wi_err *err)
{
  wi_autofree char *p = wi_store_path(s, ".lock");
  int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return wi_err_sys(err, WI_EIO, "open lock file %s", p);
  while (flock(fd, LOCK_EX) < 0) {
    if (errno != EINTR) {
      wi_err_sys(err, WI_EIO, "lock %s", p);
      close(fd);
      return WI_EIO;
    }
  }
  return fd;
}

static int
load_index(struct wi_store *s, json_t **out, wi_err *err)
{
  wi_autofree char *p = wi_store_path(s, "index.json");
  wi_autofree char *data = NULL;
  size_t len = 0;
  json_error_t jerr;
  wi_err e = { 0 };
  int ret = wi_fs_read_file(p, INDEX_MAX_BYTES, &data, &len, &e);

  if (ret == WI_ENOTFOUND) {
    *out = json_loads(EMPTY_INDEX, 0, NULL);
    return 0;
  }
  if (ret < 0)
    return wi_err_set(err, ret, "%s", e.msg);
  json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
  if (j == NULL)
    return wi_err_set(err, WI_EINVAL, "%s: line %d column %d: %s", p, jerr.line, jerr.column,
                      jerr.text);
  json_t *m = json_object_get(j, "manifests");
  if (!json_is_object(j) || (m && !json_is_array(m))) {
    json_decref(j);
    return wi_err_set(err, WI_EINVAL, "%s: manifests: expected an array", p);
  }
  if (m == NULL)
    json_object_set_new(j, "manifests", json_array());
  *out = j;
  return 0;
}

static int
save_index(struct wi_store *s, json_t *idx, wi_err *err)
{
  wi_autofree char *p = wi_store_path(s, "index.json");
  wi_autofree char *data = json_dumps(idx, JSON_COMPACT);
  if (data == NULL)
    return wi_err_set(err, WI_ERR, "cannot serialise %s", p);
  return wi_fs_write_file_atomic(p, data, strlen(data), 0666, err);
}

static const char *
entry_name(json_t *e)
{
  return json_string_value(json_object_get(json_object_get(e, "annotations"), WI_ANNOT_REF_NAME));
}

static const char *
entry_digest(json_t *e)
{
  return json_string_value(json_object_get(e, "digest"));
}

static bool
index_has_digest(json_t *manifests, const char *digest)
{
  size_t i;
  json_t *e;
  json_array_foreach (manifests, i, e) {
    const char *dg = entry_digest(e);
    if (dg && digest && strcmp(dg, digest) == 0)
      return true;
  }
  return false;
}

/* index.json entry → descriptor (mediaType, digest, size, annotations, platform). */
static int
entry_to_desc(json_t *e, size_t i, struct wi_descriptor *d, wi_err *err)
{
  const char *mt = json_string_value(json_object_get(e, "mediaType"));
  const char *dg = json_string_value(json_object_get(e, "digest"));
  json_t *sz = json_object_get(e, "size");
  json_t *ann = json_object_get(e, "annotations");
  json_t *plat = json_object_get(e, "platform");
  const char *k;
  json_t *v;

  if (!json_is_object(e) || dg == NULL || wi_digest_validate(dg, NULL) < 0 ||
      !json_is_integer(sz) || json_integer_value(sz) < 0)
    return wi_err_set(err, WI_EINVAL,
                      "index.json: manifests[%zu]: expected a descriptor with digest and size", i);
  memset(d, 0, sizeof *d);
  d->media_type = wi_xstrdup(mt ? mt : WI_MT_OCI_MANIFEST);
  d->digest = wi_xstrdup(dg);
  d->size = json_integer_value(sz);
  json_object_foreach (ann, k, v) {
    if (json_is_string(v))
      wi_manifest_descriptor_set_annotation(d, k, json_string_value(v));
  }
  if (json_is_object(plat)) {
    const char *os = json_string_value(json_object_get(plat, "os"));
    const char *arch = json_string_value(json_object_get(plat, "architecture"));
    const char *var = json_string_value(json_object_get(plat, "variant"));
    d->has_platform = true;
    snprintf(d->platform.os, sizeof d->platform.os, "%s", os ? os : "");
    snprintf(d->platform.arch, sizeof d->platform.arch, "%s", arch ? arch : "");
    snprintf(d->platform.variant, sizeof d->platform.variant, "%s", var ? var : "");
  }
  return 0;
}

static json_t *
desc_to_entry(const char *name, const struct wi_descriptor *d)
{
  json_t *e = json_object();
  json_object_set_new(e, "mediaType",
                      json_string(d->media_type ? d->media_type : WI_MT_OCI_MANIFEST));
  json_object_set_new(e, "digest", json_string(d->digest));
  json_object_set_new(e, "size", json_integer(d->size));
  if (d->has_platform && d->platform.arch[0]) {
    json_t *p = json_object();
    json_object_set_new(p, "architecture", json_string(d->platform.arch));
    json_object_set_new(p, "os", json_string(d->platform.os[0] ? d->platform.os : "linux"));
    if (d->platform.variant[0])
      json_object_set_new(p, "variant", json_string(d->platform.variant));
    json_object_set_new(e, "platform", p);
  }
  json_t *ann = json_object();
  for (size_t i = 0; i < d->n_annotations; i++)
    if (strcmp(d->annotations[i].key, WI_ANNOT_REF_NAME) != 0)
      json_object_set_new(ann, d->annotations[i].key, json_string(d->annotations[i].value));
  if (name)
    json_object_set_new(ann, WI_ANNOT_REF_NAME, json_string(name));
  if (json_object_size(ann) > 0)
    json_object_set_new(e, "annotations", ann);
  else
    json_decref(ann);
  return e;
}

int
wi_store_tag(struct wi_store *s, const char *name, const struct wi_descriptor *desc, wi_err *err)
{
  autojson json_t *idx = NULL;
  int ret = check_digest(desc->digest, err);

  if (ret < 0)
    return ret;
  if (name == NULL || *name == '\0')
    return wi_err_set(err, WI_EINVAL, "empty image name");
  if (!wi_store_has_blob(s, desc->digest))
    return wi_err_set(err, WI_ENOTFOUND, "tag %s: manifest %s is not in %s", name, desc->digest,
                      s->root);
  wi_autoclose int lock = wi_store_lock_index(s, err);
  if (lock < 0)
    return lock;
  ret = load_index(s, &idx, err);
  if (ret < 0)
    return ret;
  json_t *m = json_object_get(idx, "manifests");
  autojson json_t *replaced = NULL;
  for (size_t i = json_array_size(m); i-- > 0;) {
    json_t *e = json_array_get(m, i);
    const char *n = entry_name(e);
    const char *dg = entry_digest(e);
    bool same = dg && strcmp(dg, desc->digest) == 0;
    if (n && strcmp(n, name) == 0) {
      if (!same && replaced == NULL)
        replaced = json_deep_copy(e);
      json_array_remove(m, i);
    } else if (n == NULL && same) {
      json_array_remove(m, i); /* an untagged image that gets a name is no longer <none> */
    }
  }
  json_array_append_new(m, desc_to_entry(name, desc));
  /* As docker does, the image the name leaves stays as an untagged <none> entry (until image
   * prune or rmi) unless another name still holds it. */
  if (replaced && s->keep_untagged && !index_has_digest(m, entry_digest(replaced))) {
    json_object_del(json_object_get(replaced, "annotations"), WI_ANNOT_REF_NAME);
    json_array_append(m, replaced);
  }
  return save_index(s, idx, err);
}

/* Remove the entries named key (untagged = false) or the untagged entries of the digest key;
 * WI_ENOTFOUND "No such image: KEY" when there is none. */
static int
remove_entries(struct wi_store *s, const char *key, bool untagged, wi_err *err)
{
  autojson json_t *idx = NULL;
  bool found = false;
  wi_autoclose int lock = wi_store_lock_index(s, err);

  if (lock < 0)
    return lock;
  int ret = load_index(s, &idx, err);
  if (ret < 0)
    return ret;
  json_t *m = json_object_get(idx, "manifests");
  for (size_t i = json_array_size(m); i-- > 0;) {
    json_t *e = json_array_get(m, i);
    const char *n = entry_name(e);
    const char *v = untagged ? (n ? NULL : entry_digest(e)) : n;
    if (v && strcmp(v, key) == 0) {
      json_array_remove(m, i);
      found = true;
    }
  }
  if (!found)
    return wi_err_set(err, WI_ENOTFOUND, "No such image: %s", key);
  return save_index(s, idx, err);
}

int
wi_store_untag(struct wi_store *s, const char *name, wi_err *err)
{
  return remove_entries(s, name, false, err);
}

int
wi_store_remove_untagged(struct wi_store *s, const char *digest, wi_err *err)
{
  return remove_entries(s, digest, true, err);
}

static int
cmp_entry(const void *a, const void *b)
{
  const struct wi_store_entry *x = a, *y = b;
  if (x->name == NULL || y->name == NULL)
    return (x->name == NULL) - (y->name == NULL);
  return strcmp(x->name, y->name);
}

int
wi_store_list(struct wi_store *s, struct wi_store_entry **out, size_t *n_out, wi_err *err)
{
  autojson json_t *idx = NULL;
  int ret = load_index(s, &idx, err);

  if (ret < 0)
    return ret;
  json_t *m = json_object_get(idx, "manifests");
  size_t n = json_array_size(m);
  struct wi_store_entry *e = wi_xcalloc(n, sizeof *e);
  for (size_t i = 0; i < n; i++) {
    json_t *je = json_array_get(m, i);
    ret = entry_to_desc(je, i, &e[i].desc, err);
    if (ret < 0) {
      wi_store_entries_free(e, i);
      return wi_err_wrap(err, "%s", s->root);
    }
    const char *name = entry_name(je);
    e[i].name = name ? wi_xstrdup(name) : NULL;
  }
  qsort(e, n, sizeof *e, cmp_entry);
  *out = e;
  *n_out = n;
  return 0;
}

void
wi_store_entries_free(struct wi_store_entry *e, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(e[i].name);
    wi_manifest_descriptor_dispose(&e[i].desc);
  }
  free(e);
}

int
wi_store_drop_entries_locked(struct wi_store *s, bool all, struct wi_store_entry **gone_out,
                             size_t *n_out, wi_err *err)
{
  autojson json_t *idx = NULL;
  int ret = load_index(s, &idx, err);

  if (ret < 0)
    return ret;
  json_t *m = json_object_get(idx, "manifests");
  size_t n = json_array_size(m), n_gone = 0;
  struct wi_store_entry *gone = wi_xcalloc(n ? n : 1, sizeof *gone);
  for (size_t i = n; ret == 0 && i-- > 0;) {
    json_t *e = json_array_get(m, i);
    const char *name = entry_name(e);
    if (name && !all)
      continue;
    ret = entry_to_desc(e, i, &gone[n_gone].desc, err);
    if (ret == 0) {
      gone[n_gone++].name = name ? wi_xstrdup(name) : NULL;
      json_array_remove(m, i);
    }
  }
  if (ret == 0 && n_gone > 0)
    ret = save_index(s, idx, err);
  if (ret < 0) {
    wi_store_entries_free(gone, n_gone);
    return ret;
  }
  qsort(gone, n_gone, sizeof *gone, cmp_entry);
  *gone_out = gone;
  *n_out = n_gone;
  return 0;
}

/* ---- resolving ---- */

static bool
is_hex(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

/* The config digest of an image manifest (or of an index's first child), or "" if unknown. */
static void
config_digest_of(struct wi_store *s, const char *digest, char out[WI_DIGEST_MAX], int depth)
{
  wi_autofree char *data = NULL;
  size_t len = 0;
  autojson json_t *j = NULL;

  out[0] = '\0';
  if (depth > 2 || wi_store_read_blob(s, digest, WI_MAX_MANIFEST_BYTES, &data, &len, NULL) < 0)
    return;
  j = json_loadb(data, len, 0, NULL);
  const char *cd = json_string_value(json_object_get(json_object_get(j, "config"), "digest"));
  if (cd) {
    snprintf(out, WI_DIGEST_MAX, "%s", cd);
    return;
  }
  const char *child = json_string_value(
      json_object_get(json_array_get(json_object_get(j, "manifests"), 0), "digest"));
  if (child)
    config_digest_of(s, child, out, depth + 1);
}

/* A digest or hex prefix: match entries by manifest digest or image id (config digest). */
static int
resolve_id(struct wi_store *s, const char *id, struct wi_descriptor *out, wi_err *err)
{
  struct wi_store_entry *e = NULL;
  size_t n = 0;
  const char *hex = wi_str_has_prefix(id, "sha256:") ? id + 7 : id;
  size_t hl = strlen(hex);
  ssize_t found = -1;
  int ret;

  if (hl < 12 || hl > 64 || !is_hex(hex, hl))
    return wi_err_set(err, hl < 12 && is_hex(hex, hl) ? WI_EINVAL : WI_ENOTFOUND,
                      hl < 12 && is_hex(hex, hl)
                          ? "image id %s is too short: give at least 12 hex digits"
                          : "No such image: %s",
                      id);
  ret = wi_store_list(s, &e, &n, err);
  if (ret < 0)
    return ret;
  for (size_t i = 0; i < n; i++) {
    char cfg[WI_DIGEST_MAX];
    bool match = strncmp(wi_digest_hex(e[i].desc.digest), hex, hl) == 0;
    if (!match) {
      config_digest_of(s, e[i].desc.digest, cfg, 0);
      match = cfg[0] && strncmp(wi_digest_hex(cfg), hex, hl) == 0;
    }
    if (!match)
      continue;
    if (found >= 0 && strcmp(e[found].desc.digest, e[i].desc.digest) != 0) {
      wi_store_entries_free(e, n);
      return wi_err_set(err, WI_EINVAL, "image id %s is ambiguous: it matches more than one image",
                        id);
    }
    if (found < 0)
      found = (ssize_t)i;
  }
  if (found < 0) {
    wi_store_entries_free(e, n);
    /* An unnamed manifest blob can still be addressed by its full digest. */
    if (hl == 64 && wi_store_has_blob(s, id) && wi_str_has_prefix(id, "sha256:")) {
      wi_autofree char *data = NULL;
      size_t len = 0;
      ret = wi_store_read_blob(s, id, WI_MAX_MANIFEST_BYTES, &data, &len, err);
      if (ret < 0)
        return ret;
      autojson json_t *j = json_loadb(data, len, 0, NULL);
      const char *mt = json_string_value(json_object_get(j, "mediaType"));
      if (j == NULL || (mt && !wi_mediatype_is_manifest(mt)) ||
          (!mt && !json_object_get(j, "schemaVersion")))
        return wi_err_set(err, WI_EINVAL, "%s is not a manifest", id);
      memset(out, 0, sizeof *out);
      out->media_type = wi_xstrdup(mt                                ? mt
                                   : json_object_get(j, "manifests") ? WI_MT_OCI_INDEX
                                                                     : WI_MT_OCI_MANIFEST);
      out->digest = wi_xstrdup(id);
      out->size = (int64_t)len;
      return 0;
    }
    return wi_err_set(err, WI_ENOTFOUND, "No such image: %s", id);
  }
  wi_manifest_descriptor_copy(out, &e[found].desc);
  wi_store_entries_free(e, n);
  return 0;
}

static bool
looks_like_id(const char *s)
{
  if (wi_str_has_prefix(s, "sha256:"))
    return true;
  size_t n = strlen(s);
  return n >= 12 && n <= 64 && is_hex(s, n);
}

int
wi_store_resolve(struct wi_store *s, const char *name, struct wi_descriptor *out, wi_err *err)
{
  autojson json_t *idx = NULL;
  int ret = load_index(s, &idx, err);

  if (ret < 0)
    return ret;
  json_t *m = json_object_get(idx, "manifests");
  for (size_t i = json_array_size(m); i-- > 0;) {
    json_t *e = json_array_get(m, i);
    const char *n = entry_name(e);
    if (n && strcmp(n, name) == 0)
      return entry_to_desc(e, i, out, err);
  }
  if (looks_like_id(name))
    return resolve_id(s, name, out, err);
  return wi_err_set(err, WI_ENOTFOUND, "No such image: %s", name);
}

int
wi_store_lookup(struct wi_store *s, const char *arg, struct wi_descriptor *out, char **name_out,
                wi_err *err)
{
  struct wi_ref r = { 0 };
  wi_err perr = { 0 };
  int ret;

  if (name_out)
    *name_out = NULL;
  /* A 12-64 hex string is also a valid repository name; a name in the store wins (docker's rule).
   */
  if (wi_ref_parse(&r, arg, &perr) == 0) {
    wi_autofree char *name = wi_ref_name(&r);
    wi_autofree char *digest = r.digest ? wi_xstrdup(r.digest) : NULL;
    wi_ref_dispose(&r);
    ret = wi_store_resolve(s, name, out, err);
    if (ret == 0 && name_out)
      *name_out = wi_steal(&name);
    /* "repo@sha256:…" as docker prints RepoDigests: the store names images by tag, so the
     * digest is what finds it. */
    if (ret == WI_ENOTFOUND && digest) {
      ret = resolve_id(s, digest, out, err);
      if (ret == WI_ENOTFOUND)
        wi_err_set(err, WI_ENOTFOUND, "No such image: %s", arg);
      return ret;
    }
    if (ret != WI_ENOTFOUND || !looks_like_id(arg)) {
      if (ret == WI_ENOTFOUND)
        wi_err_set(err, WI_ENOTFOUND, "No such image: %s", arg);
      return ret;
    }
  } else if (!looks_like_id(arg)) {
    return wi_err_set(err, perr.code, "%s", perr.msg);
  }
  ret = resolve_id(s, arg, out, err);
  if (ret == WI_ENOTFOUND)
    wi_err_set(err, WI_ENOTFOUND, "No such image: %s", arg);
  return ret;
}

/* ---- images ---- */

static int
parse_manifest_blob(struct wi_store *s, const char *digest, const char *mt,
                    struct wi_manifest **out, wi_err *err)
{
  wi_autofree char *data = NULL;
  size_t len = 0;
  int ret = wi_store_read_blob(s, digest, WI_MAX_MANIFEST_BYTES, &data, &len, err);
  if (ret < 0)
    return ret;
  ret = wi_manifest_parse(out, data, len, mt, err);
  if (ret < 0)
    return wi_err_wrap(err, "manifest %s", digest);
  return 0;
}

int
wi_store_load_image(struct wi_store *s, const struct wi_descriptor *desc,
                    const struct wi_platform *platform, struct wi_manifest **m_out,
                    char digest_out[WI_DIGEST_MAX], wi_err *err)
{
  wi_autoptr(wi_manifest) struct wi_manifest *m = NULL;
  char digest[WI_DIGEST_MAX];
  int ret = parse_manifest_blob(s, desc->digest, desc->media_type, &m, err);

  if (ret < 0)
    return ret;
  snprintf(digest, sizeof digest, "%s", desc->digest);
  if (m->kind == WI_MANIFEST_INDEX) {
    struct wi_platform host;
    const struct wi_descriptor *child = NULL;
    if (platform == NULL)
      wi_ref_platform_host(&host);
    wi_err serr = { 0 };
    ret = wi_manifest_index_select(m, platform ? platform : &host, &child, &serr);
    if (ret == WI_ENOTFOUND && platform == NULL && m->n_manifests > 0) {
      /* No entry for this host: show the first one (as `images` and `save` need some image). */
      ret = 0;
      child = &m->manifests[0];
    }
    if (ret < 0)
      return wi_err_set(err, ret, "image %s: %s", desc->digest, serr.msg);
    wi_autoptr(wi_manifest) struct wi_manifest *cm = NULL;
    ret = parse_manifest_blob(s, child->digest, child->media_type, &cm, err);
    if (ret < 0)
      return ret;
    if (cm->kind != WI_MANIFEST_IMAGE)
      return wi_err_set(err, WI_EUNSUPPORTED, "image %s: nested index %s", desc->digest,
                        child->digest);
    snprintf(digest, sizeof digest, "%s", child->digest);
    wi_manifest_free(m);
    m = wi_steal(&cm);
  }
  if (digest_out)
    memcpy(digest_out, digest, strlen(digest) + 1);
  *m_out = wi_steal(&m);
  return 0;
}

/* "2024-01-02T03:04:05[.frac](Z|±hh:mm)" → epoch seconds, -1 if unparsable. */
static int64_t
parse_rfc3339(const char *s)
{
  struct tm tm = { 0 };
  const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
  if (p == NULL)
    return -1;
  int64_t t = (int64_t)timegm(&tm);
  while (*p == '.' || (*p >= '0' && *p <= '9'))
    p++;
  if ((*p == '+' || *p == '-') && strlen(p) >= 6) {
    int h = (p[1] - '0') * 10 + (p[2] - '0'), m = (p[4] - '0') * 10 + (p[5] - '0');
    t += (*p == '+' ? -1 : 1) * (int64_t)(h * 3600 + m * 60);
  }
  return t;
}

int
wi_store_image_info(struct wi_store *s, const struct wi_descriptor *desc, struct wi_image_info *out,
                    wi_err *err)
{
  wi_autoptr(wi_manifest) struct wi_manifest *m = NULL;
  wi_autofree char *cfg = NULL;
  size_t len = 0;
  int ret = wi_store_load_image(s, desc, NULL, &m, out->manifest_digest, err);

  if (ret < 0)
    return ret;
  if (m == NULL) /* cannot happen; keeps the static analyser's path check honest */
    return wi_err_set(err, WI_ERR, "image %s: no manifest", desc->digest);
  snprintf(out->config_digest, sizeof out->config_digest, "%s", m->config.digest);
  out->size = m->config.size > 0 ? (uint64_t)m->config.size : 0;
  for (size_t i = 0; i < m->n_layers; i++)
    out->size += m->layers[i].size > 0 ? (uint64_t)m->layers[i].size : 0;
  out->created = -1;
  ret = wi_store_read_blob(s, m->config.digest, WI_MAX_CONFIG_BYTES, &cfg, &len, err);
  if (ret < 0)
    return ret;
  autojson json_t *j = json_loadb(cfg, len, 0, NULL);
  out->created = parse_rfc3339(json_string_value(json_object_get(j, "created")));
  return 0;
}

int
wi_store_put_manifest(struct wi_store *s, const struct wi_manifest *m,
                      struct wi_descriptor *desc_out, wi_err *err)
{
  size_t len = 0;
  char d[WI_DIGEST_MAX];
  wi_autofree char *bytes = wi_manifest_serialize(m, &len);
  int ret = wi_store_put_blob(s, bytes, len, d, err);

  if (ret < 0)
    return ret;
  memset(desc_out, 0, sizeof *desc_out);
  desc_out->media_type = wi_xstrdup(m->media_type                  ? m->media_type
                                    : m->kind == WI_MANIFEST_INDEX ? WI_MT_OCI_INDEX
                                                                   : WI_MT_OCI_MANIFEST);
  desc_out->digest = wi_xstrdup(d);
  desc_out->size = (int64_t)len;
  return 0;
}

int
wi_store_put_image(struct wi_store *s, const void *config, size_t config_len, const char *config_mt,
                   const struct wi_descriptor *layers, size_t n_layers,
                   struct wi_descriptor *desc_out, wi_err *err)
{
  char cd[WI_DIGEST_MAX];
  wi_autoptr(wi_manifest) struct wi_manifest *m = wi_xcalloc(1, sizeof *m);
  int ret = wi_store_put_blob(s, config, config_len, cd, err);

  if (ret < 0)
    return ret;
  for (size_t i = 0; i < n_layers; i++)
    if (!wi_store_has_blob(s, layers[i].digest))
      return wi_err_set(err, WI_ENOTFOUND, "layer %s is not in %s", layers[i].digest, s->root);
  m->kind = WI_MANIFEST_IMAGE;
  m->schema_version = 2;
  m->media_type = wi_xstrdup(WI_MT_OCI_MANIFEST);
  m->config.media_type = wi_xstrdup(config_mt ? config_mt : WI_MT_OCI_CONFIG);
  m->config.digest = wi_xstrdup(cd);
  m->config.size = (int64_t)config_len;
  m->layers = wi_xcalloc(n_layers, sizeof *m->layers);
  for (size_t i = 0; i < n_layers; i++)
    wi_manifest_descriptor_copy(&m->layers[i], &layers[i]);
  m->n_layers = n_layers;
  return wi_store_put_manifest(s, m, desc_out, err);
}
