/* Registry disk space: how much a namespace stores (for its quota), stale uploads, and garbage
 * collection of blobs nothing references.
 *
 * gc marks everything the manifests of every repository name and sweeps the rest. A manifest or
 * directory it cannot read would leave blobs unmarked that are in use, so any read error stops gc
 * before it deletes anything, with a message naming the file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/manifest.h"
#include "lib/regserver_int.h"
#include "lib/util.h"

#define GC_UPLOAD_STALE   (24 * 3600) /* gc removes uploads idle this long */
#define USAGE_CACHE_SLOTS 64
#define USAGE_CACHE_TTL   1.0 /* seconds: the blobs of one push start within it, one scan serves */

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- namespace usage ---- */

struct digest_list {
  char **v;
  size_t n;
};

static void
list_add(struct digest_list *dl, const char *digest)
{
  dl->v = wi_xreallocarray(dl->v, dl->n + 1, sizeof *dl->v);
  dl->v[dl->n++] = wi_xstrdup(digest);
}

static int
usage_links(const char *dir, struct digest_list *dl, wi_err *err)
{
  char **v = NULL;
  size_t n = 0;

  if (wi_regserver_storage_list_dir(dir, &v, &n, err) < 0)
    return err->code;
  for (size_t i = 0; i < n; i++) {
    char digest[WI_DIGEST_MAX];
    if (wi_regserver_storage_link_digest(v[i], digest))
      list_add(dl, digest);
  }
  wi_strv_free(v, n);
  return 0;
}

static int
usage_uploads(const char *dir, uint64_t *bytes, wi_err *err)
{
  char **v = NULL;
  size_t n = 0;

  if (wi_regserver_storage_list_dir(dir, &v, &n, err) < 0)
    return err->code;
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    wi_autofree char *data = wi_xasprintf("%s/%s/data", dir, v[i]);
    if (stat(data, &st) == 0)
      *bytes += (uint64_t)st.st_size;
  }
  wi_strv_free(v, n);
  return 0;
}

/* Collect the links of every repository under dir and add up the data of its uploads. */
static int
usage_walk(const char *dir, struct digest_list *dl, uint64_t *bytes, wi_err *err)
{
  char **v = NULL;
  size_t n = 0;
  int ret = 0;

  if (wi_regserver_storage_list_dir(dir, &v, &n, err) < 0)
    return err->code;
  for (size_t i = 0; ret == 0 && i < n; i++) {
    wi_autofree char *sub = wi_xasprintf("%s/%s", dir, v[i]);
    struct stat st;
    if (strcmp(v[i], "_layers") == 0 || strcmp(v[i], "_manifests") == 0)
      ret = usage_links(sub, dl, err);
    else if (strcmp(v[i], "_uploads") == 0)
      ret = usage_uploads(sub, bytes, err);
    else if (v[i][0] != '_' && lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
      ret = usage_walk(sub, dl, bytes, err);
  }
  wi_strv_free(v, n);
  return ret;
}

static int
usage_scan(const char *root, const char *ns, uint64_t *out, wi_err *err)
{
  struct digest_list dl = { 0 };
  uint64_t total = 0;
  wi_autofree char *dir = wi_xasprintf("%s/repos/%s", root, ns);
  int ret = usage_walk(dir, &dl, &total, err);

  if (ret == 0 && dl.n)
    qsort(dl.v, dl.n, sizeof *dl.v, cmp_str);
  for (size_t i = 0; ret == 0 && i < dl.n; i++) {
    struct stat st;
    if (i > 0 && strcmp(dl.v[i], dl.v[i - 1]) == 0)
      continue; /* a blob linked by two repositories of the namespace counts once */
    wi_autofree char *bp = wi_regserver_storage_blob_path(root, dl.v[i]);
    if (stat(bp, &st) == 0)
      total += (uint64_t)st.st_size;
  }
  wi_strv_free(dl.v, dl.n);
  *out = total;
  return ret;
}

static struct {
  char *root;
  char ns[WI_RS_NAME_MAX + 1];
  double at;
  uint64_t bytes;
} usage_cache[USAGE_CACHE_SLOTS];
static pthread_mutex_t usage_mu = PTHREAD_MUTEX_INITIALIZER;

void
wi_regserver_space_forget(const char *root, const char *name)
{
  char ns[WI_RS_NAME_MAX + 1];

  wi_regserver_storage_namespace(name, ns);
  pthread_mutex_lock(&usage_mu);
  for (size_t i = 0; i < USAGE_CACHE_SLOTS; i++)
    if (usage_cache[i].root && strcmp(usage_cache[i].root, root) == 0 &&
        strcmp(usage_cache[i].ns, ns) == 0)
      usage_cache[i].at = 0;
  pthread_mutex_unlock(&usage_mu);
}

int
wi_regserver_space_usage(const char *root, const char *ns, uint64_t *out, wi_err *err)
{
  double now = wi_util_now();
  size_t slot = 0;

  pthread_mutex_lock(&usage_mu);
  for (size_t i = 0; i < USAGE_CACHE_SLOTS; i++) {
    if (usage_cache[i].root && strcmp(usage_cache[i].ns, ns) == 0 &&
        strcmp(usage_cache[i].root, root) == 0 && now - usage_cache[i].at < USAGE_CACHE_TTL) {
      *out = usage_cache[i].bytes;
      pthread_mutex_unlock(&usage_mu);
      return 0;
    }
    if (usage_cache[i].at < usage_cache[slot].at)
      slot = i;
  }
  pthread_mutex_unlock(&usage_mu);
  if (usage_scan(root, ns, out, err) < 0)
    return err->code;
  pthread_mutex_lock(&usage_mu);
  free(usage_cache[slot].root);
  usage_cache[slot].root = wi_xstrdup(root);
  snprintf(usage_cache[slot].ns, sizeof usage_cache[slot].ns, "%s", ns);
  usage_cache[slot].at = now;
  usage_cache[slot].bytes = *out;
  pthread_mutex_unlock(&usage_mu);
  return 0;
}

/* ---- stale uploads ---- */

/* Remove (or, dry_run, count) the uploads of one repository idle for more than max_age. An upload
 * in use by a request of this process is left alone. */
static int
reap_repo(const char *root, const char *name, time_t now, int64_t max_age, bool dry_run,
          size_t *count, wi_err *err)
{
  char **v = NULL;
  size_t n = 0;
  wi_autofree char *udir = wi_regserver_storage_repo_file(root, name, "_uploads", NULL);

  if (wi_regserver_storage_list_dir(udir, &v, &n, err) < 0)
    return err->code;
  for (size_t i = 0; i < n; i++) {
    struct stat sb;
    wi_err e2 = { 0 };
    wi_autofree char *dp = wi_xasprintf("%s/%s/data", udir, v[i]);
    if (stat(dp, &sb) < 0 || now - sb.st_mtime <= max_age)
      continue;
    if (dry_run || wi_regserver_storage_upload_cancel(root, name, v[i], &e2) == 0)
      (*count)++;
    else if (e2.code != WI_EEXISTS && e2.code != WI_ENOTFOUND)
      wi_regserver_routes_log(WI_LOG_WARN, "stale upload %s/%s: %s", udir, v[i], e2.msg);
  }
  wi_strv_free(v, n);
  return 0;
}

int
wi_regserver_space_reap_uploads(const char *root, int64_t max_age, size_t *n_out, wi_err *err)
{
  char **repos = NULL;
  size_t n = 0;
  time_t now = time(NULL);
  int ret = 0;

  *n_out = 0;
  if (wi_regserver_storage_catalog(root, &repos, &n, err) < 0)
    return err->code;
  for (size_t i = 0; ret == 0 && i < n; i++)
    ret = reap_repo(root, repos[i], now, max_age, false, n_out, err);
  wi_strv_free(repos, n);
  return ret;
}

/* ---- garbage collection ---- */

static void
mark(struct digest_list *s, const char *digest)
{
  if (digest && wi_regserver_routes_digest_valid(digest))
    list_add(s, digest);
}

static bool
marked(const struct digest_list *s, const char *digest)
{
  return s->n > 0 && bsearch(&digest, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

static int
stop(wi_err *err)
{
  return wi_err_wrap(err, "gc stopped, nothing was deleted");
}

/* Mark every manifest of the repository and what it names. */
static int
mark_repo(const char *root, const char *name, struct digest_list *s, wi_err *err)
{
  wi_autofree char *dir = wi_regserver_storage_repo_file(root, name, "_manifests", NULL);
  char **v = NULL;
  size_t n = 0;
  int ret = 0;

  if (wi_regserver_storage_list_dir(dir, &v, &n, err) < 0)
    return stop(err);
  for (size_t i = 0; ret == 0 && i < n; i++) {
    char digest[WI_DIGEST_MAX];
    struct wi_rs_manifest_info info = { 0 };
    wi_autofree char *body = NULL;
    wi_autoptr(wi_manifest) struct wi_manifest *m = NULL;
    wi_err e2 = { 0 };

    if (!wi_regserver_storage_link_digest(v[i], digest))
      continue;
    mark(s, digest);
    ret = wi_regserver_storage_manifest_get(root, name, digest, &info, &body, err);
    if (ret == WI_ENOTFOUND) { /* deleted since the listing: what it named may go */
      ret = 0;
      continue;
    }
    if (ret < 0) {
      ret = stop(err);
      break;
    }
    if (wi_manifest_parse(&m, body, info.size, info.media_type, &e2) < 0) {
      wi_autofree char *bp = wi_regserver_storage_blob_path(root, digest);
      ret = wi_err_set(err, WI_EIO,
                       "gc stopped, nothing was deleted: manifest %s of %s (%s) cannot be read: %s",
                       digest, name, bp, e2.msg);
      break;
    }
    mark(s, m->config.digest);
    for (size_t k = 0; k < m->n_layers; k++)
      mark(s, m->layers[k].digest);
    for (size_t k = 0; k < m->n_manifests; k++)
      mark(s, m->manifests[k].digest);
  }
  wi_strv_free(v, n);
  return ret;
}

/* Remove dangling layer links of one repository. */
static void
sweep_links(const char *root, const char *name, bool dry_run, struct wi_regserver_gc_stats *st)
{
  char **v = NULL;
  size_t n = 0;
  wi_err e2 = { 0 };
  wi_autofree char *ldir = wi_regserver_storage_repo_file(root, name, "_layers", NULL);

  if (wi_regserver_storage_list_dir(ldir, &v, &n, &e2) < 0)
    return;
  for (size_t i = 0; i < n; i++) {
    char digest[WI_DIGEST_MAX];
    if (!wi_regserver_storage_link_digest(v[i], digest))
      continue;
    wi_autofree char *bp = wi_regserver_storage_blob_path(root, digest);
    if (access(bp, F_OK) < 0 && errno == ENOENT) {
      wi_autofree char *lp = wi_xasprintf("%s/%s", ldir, v[i]);
      if (!dry_run)
        unlink(lp);
      st->links_removed++;
    }
  }
  wi_strv_free(v, n);
}

static void
sweep_blobs(const char *root, const char *algo, const struct digest_list *s, time_t now,
            int64_t min_age, bool dry_run, struct wi_regserver_gc_stats *st)
{
  wi_autofree char *dir = wi_xasprintf("%s/blobs/%s", root, algo);
  DIR *d = opendir(dir);
  struct dirent *e;

  if (d == NULL)
    return;
  while ((e = readdir(d)) != NULL) {
    struct stat sb;
    if (e->d_name[0] == '.')
      continue;
    wi_autofree char *p = wi_xasprintf("%s/%s", dir, e->d_name);
    wi_autofree char *digest = wi_xasprintf("%s:%s", algo, e->d_name);
    if (stat(p, &sb) < 0)
      continue;
    bool tmp = wi_regserver_storage_is_tmp(e->d_name);
    if ((!tmp && marked(s, digest)) || now - sb.st_mtime < min_age ||
        (tmp && now - sb.st_mtime < GC_UPLOAD_STALE)) {
      st->blobs_kept++;
      continue;
    }
    if (!dry_run && unlink(p) < 0)
      continue;
    st->blobs_removed++;
    st->bytes_removed += (uint64_t)sb.st_size;
  }
  closedir(d);
}

int
wi_regserver_space_gc(const char *root, int64_t min_age, bool dry_run,
                      struct wi_regserver_gc_stats *stats, wi_err *err)
{
  struct digest_list s = { 0 };
  char **repos = NULL;
  size_t n = 0;
  time_t now = time(NULL);
  int ret = 0;

  memset(stats, 0, sizeof *stats);
  if (access(root, F_OK) < 0)
    return wi_err_sys(err, WI_ENOTFOUND, "registry root %s", root);
  /* Exclusive: no manifest is being written and no blob is being linked while we mark and sweep. */
  wi_autoclose int lk = wi_regserver_storage_gc_lock(root, LOCK_EX, err);
  if (lk < 0)
    return err->code;
  if (wi_regserver_storage_catalog(root, &repos, &n, err) < 0)
    return stop(err);
  for (size_t i = 0; ret == 0 && i < n; i++)
    ret = mark_repo(root, repos[i], &s, err);
  if (ret == 0) {
    if (s.n)
      qsort(s.v, s.n, sizeof *s.v, cmp_str);
    sweep_blobs(root, "sha256", &s, now, min_age, dry_run, stats);
    sweep_blobs(root, "sha512", &s, now, min_age, dry_run, stats);
    for (size_t i = 0; i < n; i++) {
      wi_err e2 = { 0 };
      sweep_links(root, repos[i], dry_run, stats);
      reap_repo(root, repos[i], now, GC_UPLOAD_STALE, dry_run, &stats->uploads_removed, &e2);
    }
  }
  wi_strv_free(repos, n);
  wi_strv_free(s.v, s.n);
  return ret;
}
