/* wlsimg: the store's garbage collection, pruning and disk usage (see store_gc.h).
 *
 * Marks what index.json's entries reference (manifests, indexes, configs, layers) and sweeps the
 * rest of blobs/. Blobs of writers that have not named their image yet are protected by their
 * shared .gc.lock (gc then keeps unreferenced blobs younger than a day), temporary files by the
 * flock each writer holds on its own (see wi_store_gc_sweep_tmp).
 */
#include "lib/store_gc.h"

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
#include "lib/store_int.h"
#include "lib/str.h"

#define GRACE_SECONDS (24 * 60 * 60)
#define autojson      __attribute__((cleanup(json_decrefp)))

/* Leftovers in tmp/: a blob file no process holds locked belongs to a writer that was interrupted
 * (Ctrl-C, a crash); other files (hard links on their way into blobs/) live for an instant, so
 * those older than an hour are leftovers too. remove = delete the leftovers (under the lock, so a
 * writer never loses a file it is writing); otherwise only count them. */
void
wi_store_gc_sweep_tmp(const char *tmpdir, bool remove, struct wi_store_gc_tmp *st)
{
  DIR *d = opendir(tmpdir);
  struct dirent *de;
  time_t hour_ago = time(NULL) - 3600;

  while (d && (de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    wi_autofree char *p = wi_xasprintf("%s/%s", tmpdir, de->d_name);
    struct stat sb;
    if (lstat(p, &sb) < 0 || !S_ISREG(sb.st_mode))
      continue;
    bool stale = false;
    if (wi_str_has_prefix(de->d_name, "blob-")) {
      wi_autoclose int fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
      stale = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0;
      if (stale && remove && unlink(p) == 0)
        wi_log(WI_LOG_DEBUG, "removed %s, left by an interrupted transfer", p);
    } else {
      stale = sb.st_mtime < hour_ago;
      if (stale && remove)
        unlink(p);
    }
    if (st) {
      st->files++;
      st->bytes += (uint64_t)sb.st_size;
      st->in_use += !stale;
      st->stale_bytes += stale ? (uint64_t)sb.st_size : 0;
    }
  }
  if (d)
    closedir(d);
}

struct digest_set {
  char **v;
  size_t n;
  bool sorted; /* after marking: lookups by bsearch */
};

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
set_has(const struct digest_set *set, const char *d)
{
  if (set->sorted)
    return set->n > 0 && bsearch(&d, set->v, set->n, sizeof *set->v, cmp_str) != NULL;
  for (size_t i = 0; i < set->n; i++)
    if (strcmp(set->v[i], d) == 0)
      return true;
  return false;
}

static void
set_add(struct digest_set *set, const char *d)
{
  set->v = wi_xreallocarray(set->v, set->n + 1, sizeof *set->v);
  set->v[set->n++] = wi_xstrdup(d);
}

static void
set_dispose(struct digest_set *set)
{
  for (size_t i = 0; i < set->n; i++)
    free(set->v[i]);
  free(set->v);
}

static int mark(struct wi_store *s, const char *digest, struct digest_set *live, int depth,
                wi_err *err);

/* Layers, blobs and configs are leaves: keep them without reading them. */
static void
keep_desc_list(json_t *arr, struct digest_set *live)
{
  size_t i;
  json_t *d;
  json_array_foreach (arr, i, d) {
    const char *dg = json_string_value(json_object_get(d, "digest"));
    if (dg && wi_digest_validate(dg, NULL) == 0 && !set_has(live, dg))
      set_add(live, dg);
  }
}

/* Mark a manifest or index and what it references. A referenced manifest that is missing is not an
 * error (partial layouts exist); one that cannot be read or parsed stops gc, naming the file,
 * rather than risk deleting what it names. */
static int
mark(struct wi_store *s, const char *digest, struct digest_set *live, int depth, wi_err *err)
{
  wi_autofree char *data = NULL;
  size_t len = 0;
  json_error_t jerr;

  if (wi_digest_validate(digest, NULL) < 0 || set_has(live, digest))
    return 0;
  set_add(live, digest);
  if (depth > 8)
    return 0;
  wi_autofree char *p = wi_store_blob_path(s, digest);
  struct stat st;
  if (stat(p, &st) < 0) {
    if (errno == ENOENT)
      return 0;
    return wi_err_sys(err, WI_EIO, "gc stopped, nothing was deleted: manifest %s: %s", digest, p);
  }
  int ret = wi_fs_read_file(p, WI_MAX_MANIFEST_BYTES, &data, &len, err);
  if (ret < 0)
    return wi_err_wrap(err, "gc stopped, nothing was deleted: manifest %s", digest);
  autojson json_t *j = json_loadb(data, len, 0, &jerr);
  if (j == NULL || !json_is_object(j))
    return wi_err_set(err, WI_EINVAL,
                      "gc stopped, nothing was deleted: manifest %s (%s) is not valid JSON", digest,
                      p);
  keep_desc_list(json_object_get(j, "layers"), live);
  keep_desc_list(json_object_get(j, "blobs"), live);
  json_t *cfg = json_object_get(j, "config");
  const char *cd = json_string_value(json_object_get(cfg, "digest"));
  if (cd && wi_digest_validate(cd, NULL) == 0 && !set_has(live, cd))
    set_add(live, cd);
  size_t i;
  json_t *d;
  json_array_foreach (json_object_get(j, "manifests"), i, d) {
    const char *dg = json_string_value(json_object_get(d, "digest"));
    if (dg && (ret = mark(s, dg, live, depth + 1, err)) < 0)
      return ret;
  }
  return 0;
}

struct blob_stats {
  size_t n;
  uint64_t bytes;
};

/* Call fn for each file under blobs/<alg>/ with its digest, path and stat. */
static void
each_blob(struct wi_store *s,
          void (*fn)(const char *digest, const char *path, const struct stat *sb, void *payload),
          void *payload)
{
  wi_autofree char *blobs = wi_store_path(s, "blobs");
  DIR *d = opendir(blobs);
  struct dirent *de;

  while (d && (de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    wi_autofree char *sub = wi_xasprintf("%s/%s", blobs, de->d_name);
    DIR *d2 = opendir(sub);
    struct dirent *e2;
    while (d2 && (e2 = readdir(d2)) != NULL) {
      if (e2->d_name[0] == '.')
        continue;
      wi_autofree char *p = wi_xasprintf("%s/%s", sub, e2->d_name);
      wi_autofree char *digest = wi_xasprintf("%s:%s", de->d_name, e2->d_name);
      struct stat sb;
      if (lstat(p, &sb) == 0 && S_ISREG(sb.st_mode))
        fn(digest, p, &sb, payload);
    }
    if (d2)
      closedir(d2);
  }
  if (d)
    closedir(d);
}

struct sweep {
  const struct digest_set *live;
  time_t cutoff; /* keep what is newer (0: no limit) */
  struct blob_stats st;
};

/* Remove a blob that is not live (and, with a cutoff, older than it). */
static void
sweep_blob(const char *digest, const char *path, const struct stat *sb, void *payload)
{
  struct sweep *w = payload;
  if (set_has(w->live, digest) || (w->cutoff && sb->st_mtime > w->cutoff))
    return;
  if (unlink(path) == 0) {
    w->st.n++;
    w->st.bytes += (uint64_t)sb->st_size;
    wi_log(WI_LOG_DEBUG, "gc: removed %s", path);
  }
}

/* Mark what the store's entries reference (only the named ones with named_only); sorted after. */
static int
mark_entries(struct wi_store *s, const struct wi_store_entry *e, size_t n, bool named_only,
             struct digest_set *live, wi_err *err)
{
  for (size_t i = 0; i < n; i++) {
    int ret = 0;
    if ((!named_only || e[i].name) && (ret = mark(s, e[i].desc.digest, live, 0, err)) < 0)
      return ret;
  }
  if (live->n > 0)
    qsort(live->v, live->n, sizeof *live->v, cmp_str);
  live->sorted = true;
  return 0;
}

struct gc_stats {
  struct blob_stats blobs;
  struct wi_store_gc_tmp tmp;
};

/* gc with the index lock held. */
static int
gc_locked(struct wi_store *s, struct gc_stats *st, wi_err *err)
{
  struct wi_store_entry *e = NULL;
  size_t n = 0;
  struct digest_set live = { 0 };
  wi_autofree char *tmp = wi_store_path(s, "tmp");

  memset(st, 0, sizeof *st);
  /* Blobs written by other processes and not yet named are protected by their shared .gc.lock. */
  wi_autofree char *gp = wi_store_path(s, ".gc.lock");
  wi_autoclose int gfd =
      s->gc_fd >= 0 ? dup(s->gc_fd) : open(gp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  time_t cutoff = 0;
  if (gfd < 0 || flock(gfd, LOCK_EX | LOCK_NB) < 0) {
    cutoff = time(NULL) - GRACE_SECONDS;
    wi_log(WI_LOG_INFO, "gc: another process is writing to %s; keeping blobs newer than a day",
           s->root);
  }
  int ret = wi_store_list(s, &e, &n, err);
  if (ret == 0)
    ret = mark_entries(s, e, n, false, &live, err);
  if (ret == 0) {
    struct sweep w = { .live = &live, .cutoff = cutoff };
    each_blob(s, sweep_blob, &w);
    st->blobs = w.st;
    /* Leftovers of interrupted writers: a writer holds its temporary file locked. */
    wi_store_gc_sweep_tmp(tmp, true, &st->tmp);
  }
  if (gfd >= 0 && s->gc_fd >= 0)
    flock(gfd, LOCK_SH); /* the dup shares our shared lock: put it back */
  wi_store_entries_free(e, n);
  set_dispose(&live);
  return ret;
}

int
wi_store_gc(struct wi_store *s, uint64_t *freed_out, wi_err *err)
{
  struct gc_stats st;
  wi_autoclose int lock = wi_store_lock_index(s, err);

  if (lock < 0)
    return lock;
  int ret = gc_locked(s, &st, err);
  if (ret == 0 && freed_out)
    *freed_out = st.blobs.bytes + st.tmp.stale_bytes;
  return ret;
}

int
wi_store_gc_prune(struct wi_store *s, bool all, struct wi_store_gc_prune_result *out, wi_err *err)
{
  struct gc_stats st;
  struct wi_store_entry *gone = NULL;
  size_t n_gone = 0;
  wi_autoclose int lock = wi_store_lock_index(s, err);

  memset(out, 0, sizeof *out);
  if (lock < 0)
    return lock;
  /* Under one lock: no image can be named between the removal and the sweep. */
  int ret = wi_store_drop_entries_locked(s, all, &gone, &n_gone, err);
  if (ret < 0)
    return ret;
  ret = gc_locked(s, &st, err);
  if (ret < 0) {
    wi_store_entries_free(gone, n_gone);
    return ret;
  }
  out->images = gone;
  out->n_images = n_gone;
  out->blobs = st.blobs.n;
  out->blob_bytes = st.blobs.bytes;
  out->tmp_files = st.tmp.files - st.tmp.in_use;
  out->tmp_bytes = st.tmp.stale_bytes;
  return 0;
}

void
wi_store_gc_prune_result_dispose(struct wi_store_gc_prune_result *r)
{
  wi_store_entries_free(r->images, r->n_images);
  memset(r, 0, sizeof *r);
}

struct usage_walk {
  const struct digest_set *named, *all;
  struct wi_store_gc_usage *u;
};

static void
count_blob(const char *digest, const char *path, const struct stat *sb, void *payload)
{
  struct usage_walk *w = payload;
  uint64_t size = (uint64_t)sb->st_size;
  WI_UNUSED(path);
  if (set_has(w->named, digest)) {
    w->u->image_bytes += size;
  } else if (set_has(w->all, digest)) {
    w->u->image_bytes += size;
    w->u->untagged_bytes += size;
  } else {
    w->u->unref_blobs++;
    w->u->unref_bytes += size;
  }
}

int
wi_store_gc_usage(struct wi_store *s, struct wi_store_gc_usage *out, wi_err *err)
{
  struct wi_store_entry *e = NULL;
  size_t n = 0;
  struct digest_set named = { 0 }, all = { 0 }, images = { 0 }, tagged = { 0 };
  struct wi_store_gc_tmp ts = { 0 };
  wi_autofree char *tmp = wi_store_path(s, "tmp");

  memset(out, 0, sizeof *out);
  int ret = wi_store_list(s, &e, &n, err);
  if (ret == 0)
    ret = mark_entries(s, e, n, true, &named, err);
  if (ret == 0)
    ret = mark_entries(s, e, n, false, &all, err);
  if (ret == 0) {
    for (size_t i = 0; i < n; i++) {
      if (!set_has(&images, e[i].desc.digest))
        set_add(&images, e[i].desc.digest);
      if (e[i].name && !set_has(&tagged, e[i].desc.digest))
        set_add(&tagged, e[i].desc.digest);
    }
    out->images = images.n;
    out->images_tagged = tagged.n;
    struct usage_walk w = { &named, &all, out };
    each_blob(s, count_blob, &w);
    wi_store_gc_sweep_tmp(tmp, false, &ts);
    out->tmp_files = ts.files;
    out->tmp_in_use = ts.in_use;
    out->tmp_bytes = ts.bytes;
    out->tmp_stale_bytes = ts.stale_bytes;
  }
  wi_store_entries_free(e, n);
  set_dispose(&named);
  set_dispose(&all);
  set_dispose(&images);
  set_dispose(&tagged);
  return ret;
}
