/* Registry storage: the content-addressed layout described in regserver.h, upload sessions that
 * survive restarts, manifests, tags, referrers, catalog and garbage collection. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/manifest.h"
#include "lib/regserver_int.h"
#include "lib/util.h"

#define WRITEBACK_STEP  (8 * 1024 * 1024)
#define HASH_THREAD_MIN (4 * 1024 * 1024) /* bodies larger than this hash in a helper */
#define HASH_READ_SIZE  (1024 * 1024)

/* "sha256:<hex>" -> "sha256-<hex>", the file-name form used in link directories. */
static void
dname(const char *digest, char out[WI_DIGEST_MAX])
{
  snprintf(out, WI_DIGEST_MAX, "%s", digest);
  char *c = strchr(out, ':');
  if (c)
    *c = '-';
}

/* The reverse of dname: a link file's name "algo-hex" as the digest "algo:hex"; false when the name
 * has no '-'. */
bool
wi_regserver_storage_link_digest(const char *link_name, char out[WI_DIGEST_MAX])
{
  snprintf(out, WI_DIGEST_MAX, "%s", link_name);
  char *dash = strchr(out, '-');
  if (dash == NULL)
    return false;
  *dash = ':';
  return true;
}

char *
wi_regserver_storage_blob_path(const char *root, const char *digest)
{
  const char *c = strchr(digest, ':');
  return wi_xasprintf("%s/blobs/%.*s/%s", root, (int)(c - digest), digest, c + 1);
}

char *
wi_regserver_storage_repo_dir(const char *root, const char *name)
{
  return wi_xasprintf("%s/repos/%s", root, name);
}

char *
wi_regserver_storage_repo_file(const char *root, const char *name, const char *sub,
                               const char *leaf)
{
  if (leaf)
    return wi_xasprintf("%s/repos/%s/%s/%s", root, name, sub, leaf);
  return wi_xasprintf("%s/repos/%s/%s", root, name, sub);
}

bool
wi_regserver_storage_is_tmp(const char *n)
{
  return strstr(n, ".tmp-") != NULL || n[0] == '.';
}

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in dir, sorted, without temporary files. A missing directory gives an empty list. */
int
wi_regserver_storage_list_dir(const char *dir, char ***out, size_t *n_out, wi_err *err)
{
  DIR *d = opendir(dir);
  char **v = NULL;
  size_t n = 0;
  struct dirent *e;

  *out = NULL;
  *n_out = 0;
  if (d == NULL)
    return errno == ENOENT ? 0 : wi_err_sys(err, WI_EIO, "open directory %s", dir);
  while ((e = readdir(d)) != NULL) {
    if (wi_regserver_storage_is_tmp(e->d_name))
      continue;
    v = wi_xreallocarray(v, n + 1, sizeof *v);
    v[n++] = wi_xstrdup(e->d_name);
  }
  closedir(d);
  if (n)
    qsort(v, n, sizeof *v, cmp_str);
  *out = v;
  *n_out = n;
  return 0;
}

/* gc.lock: manifest writes and blob links hold it shared, gc exclusive (see
 * wi_regserver_storage_gc). */
int
wi_regserver_storage_gc_lock(const char *root, int op, wi_err *err)
{
  wi_autofree char *p = wi_xasprintf("%s/gc.lock", root);
  int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return wi_err_sys(err, WI_EIO, "open %s", p);
  while (flock(fd, op) < 0) {
    if (errno != EINTR) {
      close(fd);
      return wi_err_sys(err, WI_EIO, "lock %s", p);
    }
  }
  return fd;
}

int
wi_regserver_storage_mkdir(const char *path, wi_err *err)
{
  wi_autofree char *p = wi_xstrdup(path);
  size_t len = strlen(p);

  while (len > 1 && p[len - 1] == '/')
    p[--len] = '\0';
  for (char *s = p + 1;; s++) {
    if (*s != '/' && *s != '\0')
      continue;
    char c = *s;
    *s = '\0';
    /* chmod what we create: mkdir's mode passes through the umask, and a umask such as 0277 would
     * leave a directory we cannot write into. */
    if (mkdir(p, 0700) == 0) {
      if (chmod(p, 0700) < 0)
        return wi_err_sys(err, WI_EIO, "chmod %s", p);
    } else if (errno != EEXIST) {
      return wi_err_sys(err, WI_EIO, "mkdir %s", p);
    }
    *s = c;
    if (c == '\0')
      return 0;
  }
}

int
wi_regserver_storage_write_private(const char *path, const void *data, size_t len, wi_err *err)
{
  wi_autofree char *dir = wi_xstrdup(path);
  char *slash = strrchr(dir, '/');
  if (slash)
    *slash = '\0';
  if (slash && wi_regserver_storage_mkdir(dir, err) < 0)
    return err->code;
  return wi_fs_write_file_atomic_exact(path, data, len, 0600, err);
}

static int
write_link(const char *path, const char *content, wi_err *err)
{
  return wi_regserver_storage_write_private(path, content, strlen(content), err);
}

void
wi_regserver_storage_namespace(const char *name, char out[WI_RS_NAME_MAX + 1])
{
  snprintf(out, WI_RS_NAME_MAX + 1, "%.*s", (int)strcspn(name, "/"), name);
}

/* errno of a failed open/stat as the storage's answer: absent, or an I/O problem to report. */
static int
fs_fail(wi_err *err, const char *what, const char *path)
{
  if (errno == ENOENT)
    return wi_err_set(err, WI_ENOTFOUND, "%s not found", what);
  return wi_err_sys(err, WI_EIO, "%s: %s", what, path);
}

/* ---- repositories ---- */

int
wi_regserver_storage_meta_read(const char *root, const char *name, struct wi_rs_meta *m,
                               wi_err *err)
{
  wi_autofree char *p = wi_regserver_storage_repo_file(root, name, "_meta.json", NULL);
  wi_autofree char *data = NULL;
  size_t len = 0;
  int ret = wi_fs_read_file(p, 64 * 1024, &data, &len, err);

  if (ret < 0) {
    if (err->sys_errno == ENOENT || ret == WI_ENOTFOUND)
      return wi_err_set(err, WI_ENOTFOUND, "repository %s not found", name);
    return ret;
  }
  json_t *j = json_loadb(data, len, 0, NULL);
  if (!json_is_object(j)) {
    json_decref(j);
    return wi_err_set(err, WI_EIO, "%s: not a JSON object", p);
  }
  const char *ns = json_string_value(json_object_get(j, "namespace"));
  snprintf(m->namespace_, sizeof m->namespace_, "%s", ns ? ns : "");
  m->public_ = json_is_true(json_object_get(j, "public"));
  json_decref(j);
  return 0;
}

static int
meta_write(const char *root, const char *name, const struct wi_rs_meta *m, wi_err *err)
{
  wi_autofree char *p = wi_regserver_storage_repo_file(root, name, "_meta.json", NULL);
  json_t *j = json_pack("{s:s, s:b}", "namespace", m->namespace_, "public", m->public_);
  wi_autofree char *s = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return write_link(p, s, err);
}

int
wi_regserver_storage_repo_ensure(const char *root, const char *name, wi_err *err)
{
  wi_autofree char *p = wi_regserver_storage_repo_file(root, name, "_meta.json", NULL);
  struct wi_rs_meta m = { 0 };

  if (access(p, F_OK) == 0)
    return 0;
  if (!wi_regserver_routes_name_valid(name))
    return wi_err_set(err, WI_EINVAL, "invalid repository name %s", name);
  const char *slash = strchr(name, '/');
  snprintf(m.namespace_, sizeof m.namespace_, "%.*s",
           (int)(slash ? slash - name : (long)strlen(name)), name);
  return meta_write(root, name, &m, err);
}

/* ---- blobs ---- */

/* Does the repository hold digest as a blob, or as a manifest (manifests are blobs too, and some
 * clients fetch them through /blobs/)? 0 yes, WI_ENOTFOUND no, WI_EIO when it cannot tell. */
static int
repo_links(const char *root, const char *name, const char *digest, wi_err *err)
{
  char dn[WI_DIGEST_MAX];
  struct stat st;

  dname(digest, dn);
  wi_autofree char *layer = wi_regserver_storage_repo_file(root, name, "_layers", dn);
  wi_autofree char *man = wi_regserver_storage_repo_file(root, name, "_manifests", dn);
  if (lstat(layer, &st) == 0)
    return 0;
  if (errno != ENOENT)
    return wi_err_sys(err, WI_EIO, "blob link %s", layer);
  if (lstat(man, &st) == 0)
    return 0;
  if (errno != ENOENT)
    return wi_err_sys(err, WI_EIO, "manifest link %s", man);
  return wi_err_set(err, WI_ENOTFOUND, "blob %s not found in %s", digest, name);
}

int
wi_regserver_storage_blob_stat(const char *root, const char *name, const char *digest,
                               uint64_t *size_out, wi_err *err)
{
  struct stat st;
  wi_autofree char *bp = wi_regserver_storage_blob_path(root, digest);

  if (repo_links(root, name, digest, err) < 0)
    return err->code;
  if (stat(bp, &st) < 0)
    return errno == ENOENT ? wi_err_set(err, WI_ENOTFOUND, "blob %s not found in %s", digest, name)
                           : wi_err_sys(err, WI_EIO, "blob %s", bp);
  if (!S_ISREG(st.st_mode))
    return wi_err_set(err, WI_EIO, "blob %s is not a regular file", bp);
  if (size_out)
    *size_out = (uint64_t)st.st_size;
  return 0;
}

int
wi_regserver_storage_blob_open(const char *root, const char *name, const char *digest, int *fd_out,
                               uint64_t *size_out, wi_err *err)
{
  struct stat st;
  wi_autofree char *bp = wi_regserver_storage_blob_path(root, digest);

  if (repo_links(root, name, digest, err) < 0)
    return err->code;
  int fd = open(bp, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? wi_err_set(err, WI_ENOTFOUND, "blob %s not found in %s", digest, name)
                           : wi_err_sys(err, WI_EIO, "open blob %s", bp);
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
    int ret = S_ISREG(st.st_mode) ? wi_err_sys(err, WI_EIO, "stat %s", bp)
                                  : wi_err_set(err, WI_EIO, "blob %s is not a regular file", bp);
    close(fd);
    return ret;
  }
  *fd_out = fd;
  *size_out = (uint64_t)st.st_size;
  return 0;
}

/* Link an existing blob into the repository, refreshing its mtime so a concurrent gc (which spares
 * young blobs) cannot take it between this link and the manifest that will reference it. */
static int
link_blob(const char *root, const char *name, const char *digest, wi_err *err)
{
  char dn[WI_DIGEST_MAX];
  wi_autofree char *bp = wi_regserver_storage_blob_path(root, digest);
  wi_autofree char *link = NULL;

  dname(digest, dn);
  link = wi_regserver_storage_repo_file(root, name, "_layers", dn);
  if (utimensat(AT_FDCWD, bp, NULL, 0) < 0)
    return fs_fail(err, "blob", bp);
  if (access(link, F_OK) == 0)
    return 0;
  if (wi_regserver_storage_repo_ensure(root, name, err) < 0)
    return err->code;
  wi_regserver_space_forget(root, name);
  return write_link(link, "", err);
}

int
wi_regserver_storage_blob_mount(const char *root, const char *name, const char *digest, wi_err *err)
{
  wi_autoclose int lk = wi_regserver_storage_gc_lock(root, LOCK_SH, err);
  if (lk < 0)
    return err->code;
  return link_blob(root, name, digest, err);
}

int
wi_regserver_storage_blob_delete(const char *root, const char *name, const char *digest,
                                 wi_err *err)
{
  char dn[WI_DIGEST_MAX];

  dname(digest, dn);
  wi_autofree char *link = wi_regserver_storage_repo_file(root, name, "_layers", dn);
  if (unlink(link) < 0) {
    if (errno == ENOENT)
      return wi_err_set(err, WI_ENOTFOUND, "blob %s not found in %s", digest, name);
    return wi_err_sys(err, WI_EIO, "remove %s", link);
  }
  return 0;
}

/* ---- uploads ----
 * The data file's size is the upload offset. The running hash lives in an in-memory table keyed by
 * the upload directory; after a restart (or if the entry is gone) it is rebuilt by reading the
 * data written so far, once, on the next chunk. */

struct upload_entry {
  struct upload_entry *next;
  char *dir;
  struct wi_hasher h;
  uint64_t hashed; /* bytes folded into h */
  bool has_hash;
  bool busy;
};

static pthread_mutex_t upload_mu = PTHREAD_MUTEX_INITIALIZER;
static struct upload_entry *upload_table;

struct wi_rs_upload {
  struct upload_entry *e;
  char *root;
  char *name;
  char *dir;
  int fd;
  uint64_t offset;
  uint64_t flushed;   /* writeback started up to here */
  uint64_t opened_at; /* offset when this request took the upload */
  /* Large bodies are hashed by a helper thread that reads back what was just written (from the
   * page cache), so hashing overlaps with receiving on another core. */
  bool th_running;
  bool th_stop;
  bool th_failed;
  uint64_t th_written; /* bytes the helper may hash up to */
  pthread_t th;
  pthread_mutex_t th_mu;
  pthread_cond_t th_cv;
};

static struct upload_entry *
entry_find(const char *dir)
{
  for (struct upload_entry *e = upload_table; e; e = e->next)
    if (strcmp(e->dir, dir) == 0)
      return e;
  return NULL;
}

static void
entry_unlink_locked(struct upload_entry *e)
{
  for (struct upload_entry **pp = &upload_table; *pp; pp = &(*pp)->next) {
    if (*pp == e) {
      *pp = e->next;
      break;
    }
  }
}

static void
entry_free(struct upload_entry *e)
{
  if (e->has_hash)
    wi_digest_hasher_dispose(&e->h);
  free(e->dir);
  free(e);
}

static void
entry_remove(struct upload_entry *e)
{
  pthread_mutex_lock(&upload_mu);
  entry_unlink_locked(e);
  pthread_mutex_unlock(&upload_mu);
  entry_free(e);
}

static char *
upload_dir(const char *root, const char *name, const char *id)
{
  return wi_xasprintf("%s/repos/%s/_uploads/%s", root, name, id);
}

static bool
upload_id_valid(const char *id)
{
  size_t n = strlen(id);
  if (n != 32)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
      return false;
  return true;
}

int
wi_regserver_storage_upload_new(const char *root, const char *name, char id_out[33], wi_err *err)
{
  if (wi_regserver_storage_repo_ensure(root, name, err) < 0)
    return err->code;
  if (wi_util_random_hex(id_out, 16, err) < 0)
    return err->code;
  wi_autofree char *dir = upload_dir(root, name, id_out);
  wi_autofree char *data = wi_xasprintf("%s/data", dir);
  if (wi_regserver_storage_mkdir(dir, err) < 0)
    return err->code;
  int fd = open(data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return wi_err_sys(err, WI_EIO, "create %s", data);
  /* The data file becomes the blob by rename: 0600 whatever the umask. */
  int ret = fchmod(fd, 0600) < 0 ? wi_err_sys(err, WI_EIO, "chmod %s", data) : 0;
  close(fd);
  return ret;
}

/* Fold the first `size` bytes of fd into a fresh hasher. */
static int
rehash(struct upload_entry *e, int fd, uint64_t size, const char *algo, wi_err *err)
{
  char *buf = wi_xmalloc(1 << 20);
  uint64_t off = 0;
  int ret = 0;

  if (e->has_hash)
    wi_digest_hasher_dispose(&e->h);
  e->has_hash = false;
  if (wi_digest_hasher_init(&e->h, algo, err) < 0) {
    free(buf);
    return err->code;
  }
  e->has_hash = true;
  while (off < size) {
    size_t want = size - off < (1 << 20) ? (size_t)(size - off) : (1 << 20);
    ssize_t n = pread(fd, buf, want, (off_t)off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      ret = wi_err_sys(err, WI_EIO, "read upload %s", e->dir);
      break;
    }
    wi_digest_hasher_update(&e->h, buf, (size_t)n);
    off += (uint64_t)n;
  }
  free(buf);
  e->hashed = off;
  return ret;
}

int
wi_regserver_storage_upload_open(const char *root, const char *name, const char *id,
                                 struct wi_rs_upload **out, wi_err *err)
{
  struct stat st;

  if (!upload_id_valid(id))
    return wi_err_set(err, WI_ENOTFOUND, "upload %s not found", id);
  char *dir = upload_dir(root, name, id);
  wi_autofree char *data = wi_xasprintf("%s/data", dir);
  int fd = open(data, O_RDWR | O_APPEND | O_CLOEXEC); /* read too: rehash */
  if (fd < 0) {
    fs_fail(err, "upload", data);
    free(dir);
    return err->code;
  }
  pthread_mutex_lock(&upload_mu);
  struct upload_entry *e = entry_find(dir);
  if (e == NULL) {
    e = wi_xcalloc(1, sizeof *e);
    e->dir = wi_xstrdup(dir);
    e->next = upload_table;
    upload_table = e;
  }
  bool busy = e->busy;
  e->busy = true;
  pthread_mutex_unlock(&upload_mu);
  if (busy) {
    close(fd);
    free(dir);
    return wi_err_set(err, WI_EEXISTS, "upload %s is in use by another request", id);
  }
  /* The upload may have been finished (its data renamed into blobs/) between our open() and
   * taking it: only write to a descriptor that is still the upload's data file. */
  struct stat cur;
  int ret = fstat(fd, &st) < 0 ? wi_err_sys(err, WI_EIO, "stat %s", data) : 0;
  if (ret == 0 && (stat(data, &cur) < 0 || cur.st_ino != st.st_ino || cur.st_dev != st.st_dev))
    ret = wi_err_set(err, WI_ENOTFOUND, "upload %s not found", id);
  if (ret == 0 && (!e->has_hash || e->hashed != (uint64_t)st.st_size))
    ret = rehash(e, fd, (uint64_t)st.st_size, "sha256", err);
  if (ret < 0) {
    pthread_mutex_lock(&upload_mu);
    e->busy = false;
    pthread_mutex_unlock(&upload_mu);
    close(fd);
    free(dir);
    return ret;
  }
  struct wi_rs_upload *u = wi_xcalloc(1, sizeof *u);
  u->e = e;
  u->root = wi_xstrdup(root);
  u->name = wi_xstrdup(name);
  u->dir = dir;
  u->fd = fd;
  u->offset = (uint64_t)st.st_size;
  u->flushed = u->offset;
  u->opened_at = u->offset;
  pthread_mutex_init(&u->th_mu, NULL);
  pthread_cond_init(&u->th_cv, NULL);
  *out = u;
  return 0;
}

uint64_t
wi_regserver_storage_upload_offset(const struct wi_rs_upload *u)
{
  return u->offset;
}

static void *
hash_thread(void *arg)
{
  struct wi_rs_upload *u = arg;
  struct upload_entry *e = u->e;
  char *buf = wi_xmalloc(HASH_READ_SIZE);

  for (;;) {
    pthread_mutex_lock(&u->th_mu);
    while (e->hashed == u->th_written && !u->th_stop)
      pthread_cond_wait(&u->th_cv, &u->th_mu);
    uint64_t target = u->th_written;
    bool stop = u->th_stop;
    pthread_mutex_unlock(&u->th_mu);
    while (e->hashed < target && !u->th_failed) {
      uint64_t left = target - e->hashed;
      ssize_t n = pread(u->fd, buf, left < HASH_READ_SIZE ? (size_t)left : HASH_READ_SIZE,
                        (off_t)e->hashed);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        u->th_failed = true;
        break;
      }
      wi_digest_hasher_update(&e->h, buf, (size_t)n);
      e->hashed += (uint64_t)n;
    }
    if (u->th_failed || (stop && e->hashed >= target))
      break;
  }
  free(buf);
  return NULL;
}

/* Wait for the helper to catch up and end it; the hash state is the entry's again. */
static void
hash_thread_join(struct wi_rs_upload *u)
{
  if (!u->th_running)
    return;
  pthread_mutex_lock(&u->th_mu);
  u->th_stop = true;
  pthread_cond_signal(&u->th_cv);
  pthread_mutex_unlock(&u->th_mu);
  pthread_join(u->th, NULL);
  u->th_running = false;
  if (u->th_failed)
    u->e->has_hash = false;
}

int
wi_regserver_storage_upload_write(struct wi_rs_upload *u, const void *data, size_t len, wi_err *err)
{
  if (wi_fs_write_all(u->fd, data, len, err) < 0) {
    /* The file may hold part of the chunk now: rebuild the hash from disk next time. */
    hash_thread_join(u);
    u->e->has_hash = false;
    return wi_err_wrap(err, "upload %s", u->dir);
  }
  u->offset += len;
  if (!u->th_running && u->offset - u->opened_at > HASH_THREAD_MIN && u->e->has_hash &&
      pthread_create(&u->th, NULL, hash_thread, u) == 0)
    u->th_running = true;
  if (u->th_running) {
    pthread_mutex_lock(&u->th_mu);
    u->th_written = u->offset;
    pthread_cond_signal(&u->th_cv);
    pthread_mutex_unlock(&u->th_mu);
  } else {
    wi_digest_hasher_update(&u->e->h, data, len);
    u->e->hashed += len;
  }
  /* Start writeback as we go, so the fsync at the end of a large upload has little left to do. */
  if (u->offset - u->flushed >= WRITEBACK_STEP) {
    sync_file_range(u->fd, (off_t)u->flushed, (off_t)(u->offset - u->flushed),
                    SYNC_FILE_RANGE_WRITE);
    u->flushed = u->offset;
  }
  return 0;
}

static void
upload_free(struct wi_rs_upload *u, bool keep_entry)
{
  hash_thread_join(u);
  pthread_mutex_destroy(&u->th_mu);
  pthread_cond_destroy(&u->th_cv);
  if (u->fd >= 0)
    close(u->fd);
  if (keep_entry) {
    pthread_mutex_lock(&upload_mu);
    u->e->busy = false;
    pthread_mutex_unlock(&upload_mu);
  } else {
    entry_remove(u->e);
  }
  free(u->root);
  free(u->name);
  free(u->dir);
  free(u);
}

void
wi_regserver_storage_upload_release(struct wi_rs_upload *u)
{
  if (u)
    upload_free(u, true);
}

int
wi_regserver_storage_upload_finish(struct wi_rs_upload *u, const char *digest, wi_err *err)
{
  char got[WI_DIGEST_MAX];
  wi_autofree char *data = wi_xasprintf("%s/data", u->dir);
  wi_autofree char *bp = wi_regserver_storage_blob_path(u->root, digest);
  wi_autofree char *bdir = NULL;
  int lk = -1, ret = 0;

  hash_thread_join(u);
  if ((!u->e->has_hash || strncmp(digest, "sha256:", 7) != 0) &&
      rehash(u->e, u->fd, u->offset, strncmp(digest, "sha256:", 7) ? "sha512" : "sha256", err) <
          0) {
    ret = err->code;
    goto out;
  }
  wi_digest_hasher_final(&u->e->h, got);
  wi_digest_hasher_dispose(&u->e->h);
  u->e->has_hash = false;
  if (strcmp(got, digest) != 0) {
    ret =
        wi_err_set(err, WI_EDIGEST, "digest mismatch: uploaded content is %s, not %s", got, digest);
    goto out;
  }
  if (fsync(u->fd) < 0) {
    ret = wi_err_sys(err, WI_EIO, "fsync %s", data);
    goto out;
  }
  bdir = wi_xstrdup(bp);
  *strrchr(bdir, '/') = '\0';
  lk = wi_regserver_storage_gc_lock(u->root, LOCK_SH, err);
  if (lk < 0 || wi_regserver_storage_mkdir(bdir, err) < 0) {
    ret = err->code;
    goto out;
  }
  /* rename is atomic: the blob path shows either nothing or the complete, verified content. */
  if (access(bp, F_OK) < 0 && rename(data, bp) < 0) {
    ret = wi_err_sys(err, WI_EIO, "rename %s to %s", data, bp);
    goto out;
  }
  if (wi_fs_fsync_dir(bdir, err) < 0 || link_blob(u->root, u->name, digest, err) < 0)
    ret = err->code;
out:
  if (lk >= 0)
    close(lk);
  {
    wi_err e2 = { 0 };
    wi_fs_rm_rf(u->dir, &e2);
  }
  upload_free(u, false);
  return ret;
}

int
wi_regserver_storage_upload_status(const char *root, const char *name, const char *id,
                                   uint64_t *offset_out, wi_err *err)
{
  struct stat st;

  if (!upload_id_valid(id))
    return wi_err_set(err, WI_ENOTFOUND, "upload %s not found", id);
  wi_autofree char *dir = upload_dir(root, name, id);
  wi_autofree char *data = wi_xasprintf("%s/data", dir);
  if (stat(data, &st) < 0)
    return fs_fail(err, "upload", data);
  *offset_out = (uint64_t)st.st_size;
  return 0;
}

int
wi_regserver_storage_upload_cancel(const char *root, const char *name, const char *id, wi_err *err)
{
  if (!upload_id_valid(id))
    return wi_err_set(err, WI_ENOTFOUND, "upload %s not found", id);
  wi_autofree char *dir = upload_dir(root, name, id);
  if (access(dir, F_OK) < 0)
    return fs_fail(err, "upload", dir);
  pthread_mutex_lock(&upload_mu);
  struct upload_entry *e = entry_find(dir);
  if (e && e->busy) {
    pthread_mutex_unlock(&upload_mu);
    return wi_err_set(err, WI_EEXISTS, "upload %s is in use by another request", id);
  }
  if (e)
    entry_unlink_locked(e);
  pthread_mutex_unlock(&upload_mu);
  if (e)
    entry_free(e);
  return wi_fs_rm_rf(dir, err);
}

/* ---- manifests ---- */

static int
resolve_ref(const char *root, const char *name, const char *ref, char digest[WI_DIGEST_MAX],
            wi_err *err)
{
  if (strchr(ref, ':')) {
    snprintf(digest, WI_DIGEST_MAX, "%s", ref);
    return 0;
  }
  wi_autofree char *tp = wi_regserver_storage_repo_file(root, name, "_tags", ref);
  wi_autofree char *s = NULL;
  size_t len = 0;
  int ret = wi_fs_read_file(tp, WI_DIGEST_MAX, &s, &len, err);
  if (ret == WI_ENOTFOUND)
    return wi_err_set(err, WI_ENOTFOUND, "manifest %s:%s not found", name, ref);
  if (ret < 0)
    return ret;
  while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
    s[--len] = '\0';
  snprintf(digest, WI_DIGEST_MAX, "%s", s);
  return 0;
}

int
wi_regserver_storage_manifest_get(const char *root, const char *name, const char *ref,
                                  struct wi_rs_manifest_info *info, char **body_out, wi_err *err)
{
  char dn[WI_DIGEST_MAX];
  struct stat st;
  wi_autofree char *mt = NULL;
  size_t len = 0;

  if (resolve_ref(root, name, ref, info->digest, err) < 0)
    return err->code;
  dname(info->digest, dn);
  wi_autofree char *link = wi_regserver_storage_repo_file(root, name, "_manifests", dn);
  wi_autofree char *bp = wi_regserver_storage_blob_path(root, info->digest);
  int ret = wi_fs_read_file(link, sizeof info->media_type - 1, &mt, &len, err);
  if (ret == WI_ENOTFOUND)
    return wi_err_set(err, WI_ENOTFOUND, "manifest %s@%s not found", name, info->digest);
  if (ret < 0)
    return ret;
  /* The link exists: a missing or odd blob behind it is damage to report, not an absence. */
  if (stat(bp, &st) < 0)
    return wi_err_sys(err, WI_EIO, "manifest %s@%s: blob %s", name, info->digest, bp);
  if (!S_ISREG(st.st_mode))
    return wi_err_set(err, WI_EIO, "manifest %s@%s: blob %s is not a regular file", name,
                      info->digest, bp);
  snprintf(info->media_type, sizeof info->media_type, "%s", mt);
  info->size = (uint64_t)st.st_size;
  if (body_out && wi_fs_read_file(bp, WI_MAX_MANIFEST_BYTES, body_out, &len, err) < 0)
    return err->code;
  return 0;
}

static bool
repo_has_manifest(const char *root, const char *name, const char *digest)
{
  char dn[WI_DIGEST_MAX];
  dname(digest, dn);
  wi_autofree char *link = wi_regserver_storage_repo_file(root, name, "_manifests", dn);
  return access(link, F_OK) == 0;
}

/* Every blob and child manifest the document names must be in the repository (not the subject). */
static int
check_references(const char *root, const char *name, const struct wi_manifest *m, wi_err *err)
{
  wi_err e2 = { 0 };

  if (m->kind == WI_MANIFEST_INDEX) {
    for (size_t i = 0; i < m->n_manifests; i++)
      if (!repo_has_manifest(root, name, m->manifests[i].digest))
        return wi_err_set(err, WI_ENOTFOUND, "manifests[%zu]: manifest %s not found in %s", i,
                          m->manifests[i].digest, name);
    return 0;
  }
  if (m->config.digest &&
      wi_regserver_storage_blob_stat(root, name, m->config.digest, NULL, &e2) < 0)
    return wi_err_set(err, WI_ENOTFOUND, "config: blob %s not found in %s", m->config.digest, name);
  for (size_t i = 0; i < m->n_layers; i++) {
    if (m->layers[i].n_urls > 0) /* foreign layer served from its URLs */
      continue;
    if (wi_regserver_storage_blob_stat(root, name, m->layers[i].digest, NULL, &e2) < 0)
      return wi_err_set(err, WI_ENOTFOUND, "layers[%zu]: blob %s not found in %s", i,
                        m->layers[i].digest, name);
  }
  return 0;
}

/* Descriptor of a referrer as stored under _referrers and returned by the referrers API. */
static char *
referrer_descriptor(const struct wi_manifest *m, const char *media_type, const char *digest,
                    size_t len)
{
  json_t *d = json_object();
  const char *at = m->artifact_type;

  if (at == NULL && m->kind == WI_MANIFEST_IMAGE)
    at = m->config.media_type;
  json_object_set_new(d, "mediaType", json_string(media_type));
  json_object_set_new(d, "digest", json_string(digest));
  json_object_set_new(d, "size", json_integer((json_int_t)len));
  if (at)
    json_object_set_new(d, "artifactType", json_string(at));
  if (m->n_annotations) {
    json_t *a = json_object();
    for (size_t i = 0; i < m->n_annotations; i++)
      json_object_set_new(a, m->annotations[i].key, json_string(m->annotations[i].value));
    json_object_set_new(d, "annotations", a);
  }
  char *s = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(d);
  return s;
}

static int
write_tags(const char *root, const char *name, const char *digest, const char *ref,
           const char *const *tags, size_t n_tags, wi_err *err)
{
  if (ref && !strchr(ref, ':')) {
    wi_autofree char *tp = wi_regserver_storage_repo_file(root, name, "_tags", ref);
    if (write_link(tp, digest, err) < 0)
      return err->code;
  }
  for (size_t i = 0; i < n_tags; i++) {
    if (!wi_regserver_routes_tag_valid(tags[i]))
      return wi_err_set(err, WI_EINVAL, "invalid tag %s", tags[i]);
    wi_autofree char *tp = wi_regserver_storage_repo_file(root, name, "_tags", tags[i]);
    if (write_link(tp, digest, err) < 0)
      return err->code;
  }
  return 0;
}

int
wi_regserver_storage_manifest_put(const char *root, const char *name, const char *ref,
                                  const char *content_type, const char *body, size_t len,
                                  const char *const *tags, size_t n_tags,
                                  struct wi_rs_manifest_info *info, char subject_out[WI_DIGEST_MAX],
                                  wi_err *err)
{
  wi_autoptr(wi_manifest) struct wi_manifest *m = NULL;
  char dn[WI_DIGEST_MAX];
  wi_autoclose int lk = -1;

  subject_out[0] = '\0';
  if (len > WI_MAX_MANIFEST_BYTES)
    return wi_err_set(err, WI_ETOOBIG, "manifest is larger than %d bytes", WI_MAX_MANIFEST_BYTES);
  if (strchr(ref, ':')) {
    if (wi_digest_verify_bytes(ref, body, len, err) < 0)
      return err->code;
    snprintf(info->digest, sizeof info->digest, "%s", ref);
  } else {
    wi_digest_bytes(body, len, info->digest);
  }
  if (content_type && strchr(content_type, ';')) /* drop parameters such as charset */
    content_type = NULL;
  if (wi_manifest_parse(&m, body, len, content_type, err) < 0)
    return err->code;
  const char *mt = m->media_type                  ? m->media_type
                   : m->kind == WI_MANIFEST_INDEX ? WI_MT_OCI_INDEX
                                                  : WI_MT_OCI_MANIFEST;
  snprintf(info->media_type, sizeof info->media_type, "%s", mt);
  info->size = len;
  lk = wi_regserver_storage_gc_lock(root, LOCK_SH, err);
  if (lk < 0 || check_references(root, name, m, err) < 0 ||
      wi_regserver_storage_repo_ensure(root, name, err) < 0)
    return err->code;
  wi_autofree char *bp = wi_regserver_storage_blob_path(root, info->digest);
  if (access(bp, F_OK) == 0) {
    utimensat(AT_FDCWD, bp, NULL, 0);
  } else {
    if (wi_regserver_storage_write_private(bp, body, len, err) < 0)
      return err->code;
  }
  dname(info->digest, dn);
  wi_autofree char *link = wi_regserver_storage_repo_file(root, name, "_manifests", dn);
  if (write_link(link, mt, err) < 0)
    return err->code;
  if (m->subject && m->subject->digest && wi_regserver_routes_digest_valid(m->subject->digest)) {
    char sdn[WI_DIGEST_MAX];
    dname(m->subject->digest, sdn);
    wi_autofree char *rdir = wi_regserver_storage_repo_file(root, name, "_referrers", sdn);
    wi_autofree char *rp = wi_xasprintf("%s/%s", rdir, dn);
    wi_autofree char *desc = referrer_descriptor(m, mt, info->digest, len);
    if (write_link(rp, desc, err) < 0)
      return err->code;
    snprintf(subject_out, WI_DIGEST_MAX, "%s", m->subject->digest);
  }
  return write_tags(root, name, info->digest, ref, tags, n_tags, err);
}

/* Remove the tags of a repository that point to digest. */
static void
drop_tags_of(const char *root, const char *name, const char *digest)
{
  wi_autofree char *dir = wi_regserver_storage_repo_file(root, name, "_tags", NULL);
  char **tags = NULL;
  size_t n = 0;
  wi_err e2 = { 0 };

  if (wi_regserver_storage_list_dir(dir, &tags, &n, &e2) < 0)
    return;
  for (size_t i = 0; i < n; i++) {
    char d[WI_DIGEST_MAX];
    if (resolve_ref(root, name, tags[i], d, &e2) == 0 && strcmp(d, digest) == 0) {
      wi_autofree char *tp = wi_xasprintf("%s/%s", dir, tags[i]);
      unlink(tp);
    }
  }
  wi_strv_free(tags, n);
}

int
wi_regserver_storage_manifest_delete(const char *root, const char *name, const char *ref,
                                     wi_err *err)
{
  char dn[WI_DIGEST_MAX];

  if (!strchr(ref, ':')) {
    wi_autofree char *tp = wi_regserver_storage_repo_file(root, name, "_tags", ref);
    if (unlink(tp) < 0)
      return wi_err_set(err, WI_ENOTFOUND, "manifest %s:%s not found", name, ref);
    return 0;
  }
  struct wi_rs_manifest_info info = { 0 };
  wi_autofree char *body = NULL;
  if (wi_regserver_storage_manifest_get(root, name, ref, &info, &body, err) < 0)
    return err->code;
  dname(ref, dn);
  wi_autofree char *link = wi_regserver_storage_repo_file(root, name, "_manifests", dn);
  if (unlink(link) < 0)
    return wi_err_set(err, WI_ENOTFOUND, "manifest %s@%s not found", name, ref);
  drop_tags_of(root, name, ref);
  /* Forget it as a referrer of its subject. */
  wi_autoptr(wi_manifest) struct wi_manifest *m = NULL;
  wi_err e2 = { 0 };
  if (wi_manifest_parse(&m, body, info.size, info.media_type, &e2) == 0 && m->subject &&
      m->subject->digest && wi_regserver_routes_digest_valid(m->subject->digest)) {
    char sdn[WI_DIGEST_MAX];
    dname(m->subject->digest, sdn);
    wi_autofree char *rp = wi_xasprintf("%s/repos/%s/_referrers/%s/%s", root, name, sdn, dn);
    unlink(rp);
  }
  return 0;
}

int
wi_regserver_storage_tags_list(const char *root, const char *name, char ***tags_out, size_t *n_out,
                               wi_err *err)
{
  struct wi_rs_meta m;
  if (wi_regserver_storage_meta_read(root, name, &m, err) < 0)
    return err->code;
  wi_autofree char *dir = wi_regserver_storage_repo_file(root, name, "_tags", NULL);
  return wi_regserver_storage_list_dir(dir, tags_out, n_out, err);
}

int
wi_regserver_storage_referrers(const char *root, const char *name, const char *digest,
                               const char *artifact_type, struct wi_buf *out, wi_err *err)
{
  char sdn[WI_DIGEST_MAX];
  char **v = NULL;
  size_t n = 0;
  json_t *list = json_array();

  dname(digest, sdn);
  wi_autofree char *dir = wi_regserver_storage_repo_file(root, name, "_referrers", sdn);
  if (wi_regserver_storage_list_dir(dir, &v, &n, err) < 0) {
    json_decref(list);
    return err->code;
  }
  for (size_t i = 0; i < n; i++) {
    wi_autofree char *p = wi_xasprintf("%s/%s", dir, v[i]);
    wi_autofree char *s = NULL;
    size_t len = 0;
    wi_err e2 = { 0 };
    if (wi_fs_read_file(p, 1 << 20, &s, &len, &e2) < 0)
      continue;
    json_t *d = json_loadb(s, len, 0, NULL);
    const char *at = json_string_value(json_object_get(d, "artifactType"));
    if (d && (artifact_type == NULL || (at && strcmp(at, artifact_type) == 0)))
      json_array_append(list, d);
    json_decref(d);
  }
  wi_strv_free(v, n);
  json_t *idx = json_pack("{s:i, s:s, s:o}", "schemaVersion", 2, "mediaType", WI_MT_OCI_INDEX,
                          "manifests", list);
  char *s = json_dumps(idx, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(idx);
  int ret = wi_buf_adds(out, s, err);
  free(s);
  return ret;
}

/* Walk repos/ collecting directories that hold _meta.json. A directory that cannot be read is an
 * error (gc must not take a repository it could not see for one that is gone); a name that is not
 * a directory is skipped. */
static int
catalog_walk(const char *base, const char *prefix, char ***v, size_t *n, wi_err *err)
{
  wi_autofree char *dir = prefix[0] ? wi_xasprintf("%s/%s", base, prefix) : wi_xstrdup(base);
  DIR *d = opendir(dir);
  struct dirent *e;
  int ret = 0;

  if (d == NULL)
    return errno == ENOENT || errno == ENOTDIR ? 0
                                               : wi_err_sys(err, WI_EIO, "open directory %s", dir);
  while (ret == 0 && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.' || e->d_name[0] == '_')
      continue;
    wi_autofree char *sub =
        prefix[0] ? wi_xasprintf("%s/%s", prefix, e->d_name) : wi_xstrdup(e->d_name);
    wi_autofree char *meta = wi_xasprintf("%s/%s/_meta.json", base, sub);
    if (access(meta, F_OK) == 0) {
      *v = wi_xreallocarray(*v, *n + 1, sizeof **v);
      (*v)[(*n)++] = wi_xstrdup(sub);
    }
    ret = catalog_walk(base, sub, v, n, err);
  }
  closedir(d);
  return ret;
}

int
wi_regserver_storage_catalog(const char *root, char ***names_out, size_t *n_out, wi_err *err)
{
  wi_autofree char *base = wi_xasprintf("%s/repos", root);
  char **v = NULL;
  size_t n = 0;

  if (catalog_walk(base, "", &v, &n, err) < 0) {
    wi_strv_free(v, n);
    return err->code;
  }
  if (n)
    qsort(v, n, sizeof *v, cmp_str);
  *names_out = v;
  *n_out = n;
  return 0;
}

/* ---- administration ---- */

int
wi_regserver_storage_repo_list(const char *root, struct wi_regserver_repo_info **out, size_t *n_out,
                               wi_err *err)
{
  char **names = NULL;
  size_t n = 0;

  if (wi_regserver_storage_catalog(root, &names, &n, err) < 0)
    return err->code;
  struct wi_regserver_repo_info *r = wi_xcalloc(n ? n : 1, sizeof *r);
  for (size_t i = 0; i < n; i++) {
    struct wi_rs_meta m = { 0 };
    char **tags = NULL;
    wi_err e2 = { 0 };
    wi_regserver_storage_meta_read(root, names[i], &m, &e2);
    if (wi_regserver_storage_tags_list(root, names[i], &tags, &r[i].n_tags, &e2) == 0)
      wi_strv_free(tags, r[i].n_tags);
    r[i].name = wi_steal(&names[i]);
    r[i].namespace_ = wi_xstrdup(m.namespace_);
    r[i].public_ = m.public_;
  }
  free(names);
  *out = r;
  *n_out = n;
  return 0;
}

void
wi_regserver_storage_repo_list_free(struct wi_regserver_repo_info *r, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(r[i].name);
    free(r[i].namespace_);
  }
  free(r);
}

int
wi_regserver_storage_repo_create(const char *root, const char *name, bool public_, wi_err *err)
{
  struct wi_rs_meta m;

  if (!wi_regserver_routes_name_valid(name))
    return wi_err_set(err, WI_EINVAL, "invalid repository name %s", name);
  if (wi_regserver_storage_meta_read(root, name, &m, err) == 0)
    return wi_err_set(err, WI_EEXISTS, "repository %s already exists", name);
  if (wi_regserver_storage_repo_ensure(root, name, err) < 0)
    return err->code;
  return public_ ? wi_regserver_storage_repo_set_public(root, name, true, err) : 0;
}

int
wi_regserver_storage_repo_set_public(const char *root, const char *name, bool public_, wi_err *err)
{
  struct wi_rs_meta m;

  if (!wi_regserver_routes_name_valid(name))
    return wi_err_set(err, WI_EINVAL, "invalid repository name %s", name);
  if (wi_regserver_storage_meta_read(root, name, &m, err) < 0)
    return err->code;
  m.public_ = public_;
  return meta_write(root, name, &m, err);
}

int
wi_regserver_storage_repo_delete(const char *root, const char *name, wi_err *err)
{
  static const char *const parts[] = { "_tags",   "_manifests", "_referrers",
                                       "_layers", "_uploads",   "_meta.json" };
  struct wi_rs_meta m;

  if (!wi_regserver_routes_name_valid(name))
    return wi_err_set(err, WI_EINVAL, "invalid repository name %s", name);
  if (wi_regserver_storage_meta_read(root, name, &m, err) < 0)
    return err->code;
  /* Tags first, the metadata last: a crash in between leaves a repository that is still listed. */
  for (size_t i = 0; i < WI_ARRAY_SIZE(parts); i++) {
    wi_autofree char *p = wi_regserver_storage_repo_file(root, name, parts[i], NULL);
    if (wi_fs_rm_rf(p, err) < 0)
      return err->code;
  }
  wi_autofree char *dir = wi_regserver_storage_repo_dir(root, name);
  wi_autofree char *top = wi_xasprintf("%s/repos", root);
  while (strlen(dir) > strlen(top) && rmdir(dir) == 0)
    *strrchr(dir, '/') = '\0';
  return 0;
}
