/* wlsimg: WIT's .metadata cache (Java properties) — see witcache.h. */
#include "lib/witcache.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/ref.h"
#include "lib/util.h"
#include "lib/version.h"

/* ---- the cache directory ---- */

char *
wi_witcache_default_dir(void)
{
  const char *d = getenv("WLSIMG_CACHEDIR");
  if (d && *d)
    return wi_xstrdup(d);
  return wi_xasprintf("%s/cache", wi_util_home_dir());
}

int
wi_witcache_prepare(const char *dir, wi_err *err)
{
  struct stat st;
  if (mkdir(dir, 0750) < 0 && errno != EEXIST)
    return wi_err_sys(err, WI_EIO, "cache directory %s: cannot create", dir);
  if (stat(dir, &st) < 0)
    return wi_err_sys(err, WI_EIO, "cache directory %s", dir);
  if (!S_ISDIR(st.st_mode))
    return wi_err_set(err, WI_EINVAL, "cache directory %s is not a directory", dir);
  if (access(dir, W_OK) < 0)
    return wi_err_sys(err, WI_EDENIED, "cache directory %s is not writable", dir);
  return 0;
}

static char *
lower_dup(const char *s)
{
  char *r = wi_xstrdup(s);
  for (char *p = r; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return r;
}

static int
read_props_file(const char *path, struct wi_props *out, wi_err *err)
{
  wi_autofree char *text = NULL;
  size_t len = 0;
  wi_err e = { 0 };

  memset(out, 0, sizeof *out);
  if (wi_fs_read_file(path, WI_MAX_PROPS_BYTES, &text, &len, &e) < 0) {
    if (e.sys_errno == ENOENT || access(path, F_OK) < 0)
      return 0;
    *err = e;
    return e.code < 0 ? e.code : WI_EIO;
  }
  if (wi_props_parse(out, text, len, err) < 0)
    return wi_err_wrap(err, "%s", path);
  return 0;
}

static int
write_props_file(const char *path, struct wi_props *p, wi_err *err)
{
  size_t len = 0;
  wi_props_sort(p);
  wi_autofree char *text = wi_props_store(p, -1, &len);
  return wi_fs_write_file_atomic(path, text, len, 0666, err);
}

/* An open, locked cache: its metadata and checksum sidecar. */
struct cache_tx {
  int lockfd;
  char *meta_path;
  char *sum_path;
  struct wi_props meta;
  struct wi_props sums;
};

static void
tx_end(struct cache_tx *tx)
{
  if (tx->lockfd >= 0)
    close(tx->lockfd); /* releases the flock */
  tx->lockfd = -1;
  free(tx->meta_path);
  free(tx->sum_path);
  tx->meta_path = tx->sum_path = NULL;
  wi_props_dispose(&tx->meta);
  wi_props_dispose(&tx->sums);
}

static int
tx_begin(struct cache_tx *tx, const char *dir, bool exclusive, wi_err *err)
{
  memset(tx, 0, sizeof *tx);
  tx->lockfd = -1;
  if (exclusive && wi_witcache_prepare(dir, err) < 0)
    return err->code;
  wi_autofree char *lock = wi_xasprintf("%s/%s", dir, WI_WITCACHE_LOCK);
  tx->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (tx->lockfd < 0 && exclusive)
    return wi_err_sys(err, WI_EIO, "cache lock %s", lock);
  /* A read-only look at a cache we cannot write proceeds without the lock. */
  if (tx->lockfd >= 0 && flock(tx->lockfd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
    int ret = wi_err_sys(err, WI_EIO, "cache lock %s", lock);
    tx_end(tx);
    return ret;
  }
  tx->meta_path = wi_xasprintf("%s/%s", dir, WI_WITCACHE_METADATA);
  tx->sum_path = wi_xasprintf("%s/%s", dir, WI_WITCACHE_CHECKSUMS);
  int ret = read_props_file(tx->meta_path, &tx->meta, err);
  if (ret == 0)
    ret = read_props_file(tx->sum_path, &tx->sums, err);
  if (ret < 0)
    tx_end(tx);
  return ret;
}

int
wi_witcache_list(const char *dir, const char *key_regex, struct wi_props *out, wi_err *err)
{
  struct cache_tx tx;
  regex_t re;
  struct wi_props res = { 0 };

  if (key_regex) {
    wi_autofree char *anch = wi_xasprintf("^(%s)$", key_regex);
    int rc = regcomp(&re, anch, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char m[256];
      regerror(rc, &re, m, sizeof m);
      return wi_err_set(err, WI_EINVAL, "--key %s: invalid regular expression: %s", key_regex, m);
    }
  }
  if (tx_begin(&tx, dir, false, err) < 0) {
    if (key_regex)
      regfree(&re);
    return err->code;
  }
  for (size_t i = 0; i < tx.meta.n; i++)
    if (!key_regex || regexec(&re, tx.meta.v[i].key, 0, NULL, 0) == 0)
      wi_props_set(&res, tx.meta.v[i].key, tx.meta.v[i].value);
  if (key_regex)
    regfree(&re);
  tx_end(&tx);
  wi_props_sort(&res);
  *out = res;
  return 0;
}

int
wi_witcache_get(const char *dir, const char *key, char **value_out, wi_err *err)
{
  struct cache_tx tx;
  wi_autofree char *k = lower_dup(key);
  if (tx_begin(&tx, dir, false, err) < 0)
    return err->code;
  const char *v = wi_props_get(&tx.meta, k);
  int ret = 0;
  if (v)
    *value_out = wi_xstrdup(v);
  else
    ret = wi_err_set(err, WI_ENOTFOUND, "cache entry %s not found", k);
  tx_end(&tx);
  return ret;
}

static char *
absolute_path(const char *path)
{
  char *r = realpath(path, NULL);
  if (r)
    return r;
  if (path[0] == '/')
    return wi_xstrdup(path);
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd) == NULL)
    return wi_xstrdup(path);
  return wi_xasprintf("%s/%s", cwd, path);
}

int
wi_witcache_add_file(const char *dir, const char *key, const char *path, bool force,
                     enum wi_witcache_add_result *res_out, char **value_out, char **old_value_out,
                     wi_err *err)
{
  struct stat st;
  struct cache_tx tx;
  char digest[WI_DIGEST_MAX];
  wi_autofree char *k = lower_dup(key);
  int ret = 0;

  if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
    return wi_err_set(err, WI_EINVAL, "Specified installer path %s is not a file or does not exist",
                      path);
  wi_autofree char *abs = absolute_path(path);
  if (tx_begin(&tx, dir, true, err) < 0)
    return err->code;
  const char *old = wi_props_get(&tx.meta, k);
  if (old && strcmp(old, abs) == 0) {
    *res_out = WI_WITCACHE_UNCHANGED;
  } else if (old && !force) {
    ret = wi_err_set(err, WI_EEXISTS, "Entry %s already exists as %s. Use --force to override it.",
                     k, old);
    goto out;
  } else {
    *res_out = old ? WI_WITCACHE_REPLACED : WI_WITCACHE_ADDED;
    if (old_value_out && old)
      *old_value_out = wi_xstrdup(old);
  }
  /* Record the content's digest (again on an unchanged re-add: the user vouches for it). */
  if (wi_digest_file(abs, digest, NULL, err) < 0) {
    ret = err->code;
    goto out;
  }
  wi_props_set(&tx.meta, k, abs);
  wi_props_set(&tx.sums, abs, digest);
  if (write_props_file(tx.meta_path, &tx.meta, err) < 0 ||
      write_props_file(tx.sum_path, &tx.sums, err) < 0) {
    ret = err->code;
    goto out;
  }
  if (value_out)
    *value_out = wi_steal(&abs);
out:
  tx_end(&tx);
  return ret;
}

int
wi_witcache_add_entry(const char *dir, const char *key, const char *value,
                      enum wi_witcache_add_result *res_out, char **old_value_out, wi_err *err)
{
  struct cache_tx tx;
  wi_autofree char *k = lower_dup(key);
  int ret = 0;

  if (tx_begin(&tx, dir, true, err) < 0)
    return err->code;
  const char *old = wi_props_get(&tx.meta, k);
  *res_out = !old                      ? WI_WITCACHE_ADDED
             : strcmp(old, value) == 0 ? WI_WITCACHE_UNCHANGED
                                       : WI_WITCACHE_REPLACED;
  if (old && old_value_out)
    *old_value_out = wi_xstrdup(old);
  wi_props_set(&tx.meta, k, value);
  if (write_props_file(tx.meta_path, &tx.meta, err) < 0)
    ret = err->code;
  tx_end(&tx);
  return ret;
}

int
wi_witcache_delete(const char *dir, const char *key, char **old_value_out, wi_err *err)
{
  struct cache_tx tx;
  wi_autofree char *k = lower_dup(key);
  wi_autofree char *path = NULL;
  int ret = 0;

  if (tx_begin(&tx, dir, true, err) < 0)
    return err->code;
  const char *old = wi_props_get(&tx.meta, k);
  if (old == NULL) {
    ret = wi_err_set(err, WI_ENOTFOUND, "Nothing to delete for key: %s", k);
    goto out;
  }
  if (old_value_out)
    *old_value_out = wi_xstrdup(old);
  path = wi_xstrdup(old);
  wi_props_delete(&tx.meta, k);
  /* Forget the file's checksum unless another key still points at it. */
  bool shared = false;
  for (size_t i = 0; i < tx.meta.n; i++)
    shared = shared || strcmp(tx.meta.v[i].value, path) == 0;
  bool forget = !shared && wi_props_delete(&tx.sums, path);
  if (write_props_file(tx.meta_path, &tx.meta, err) < 0 ||
      (forget && write_props_file(tx.sum_path, &tx.sums, err) < 0))
    ret = err->code;
out:
  tx_end(&tx);
  return ret;
}

int
wi_witcache_clear(const char *dir, wi_err *err)
{
  struct cache_tx tx;
  int ret = 0;

  if (tx_begin(&tx, dir, true, err) < 0)
    return err->code;
  wi_props_dispose(&tx.meta);
  wi_props_dispose(&tx.sums);
  if (write_props_file(tx.meta_path, &tx.meta, err) < 0 ||
      write_props_file(tx.sum_path, &tx.sums, err) < 0)
    ret = err->code;
  tx_end(&tx);
  return ret;
}

char *
wi_witcache_installer_key(const char *type, const char *version)
{
  wi_autofree char *k = wi_xasprintf("%s_%s", type, version);
  return lower_dup(k);
}

static const char *
host_arch(void)
{
  struct wi_platform p;
  wi_ref_platform_host(&p);
  return strcmp(p.arch, "arm64") == 0 ? "arm64" : "amd64";
}

static size_t
arch_variants(const char *base, const char *arch, char *out[], size_t n)
{
  if (strcmp(arch, "arm64") == 0) {
    out[n++] = wi_xasprintf("%s_arm64", base);
    out[n++] = wi_xasprintf("%s_linux/arm64", base);
    out[n++] = wi_xasprintf("%s_aarch64", base);
  } else {
    out[n++] = wi_xasprintf("%s_amd64", base);
    out[n++] = wi_xasprintf("%s_linux/amd64", base);
    out[n++] = wi_xasprintf("%s_x86_64", base);
  }
  return n;
}

size_t
wi_witcache_candidates(const char *base, const char *arch, char *out[8])
{
  size_t n = 0;
  if (arch == NULL) {
    out[n++] = wi_xstrdup(base);
    return arch_variants(base, host_arch(), out, n);
  }
  n = arch_variants(base, arch, out, n);
  out[n++] = wi_xstrdup(base);
  return n;
}

/* The highest WDT version the cache holds under another key than wdt_latest (malloc'ed), or NULL:
 * "wdt_4.3.1" and "wdt_4.3.1_amd64" both give 4.3.1. */
static char *
other_wdt_version(const char *dir)
{
  struct cache_tx tx;
  wi_err err = { 0 };
  char *best = NULL;

  if (tx_begin(&tx, dir, false, &err) < 0)
    return NULL;
  for (size_t i = 0; i < tx.meta.n; i++) {
    const char *k = tx.meta.v[i].key;
    if (strncmp(k, "wdt_", 4) != 0 || strncmp(k + 4, "latest", 6) == 0)
      continue;
    size_t l = strcspn(k + 4, "_");
    if (l == 0)
      continue;
    wi_autofree char *v = wi_xstrndup(k + 4, l);
    int cmp = 0;
    wi_err ignore = { 0 };
    /* a version that is not dotted numbers is no suggestion */
    if (wi_version_compare(v, best ? best : v, &cmp, &ignore) < 0)
      continue;
    if (best == NULL || cmp > 0) {
      free(best);
      best = wi_steal(&v);
    }
  }
  tx_end(&tx);
  return best;
}

int
wi_witcache_find(const char *dir, const char *base, const char *arch, char **key_out,
                 char **path_out, wi_err *err)
{
  struct cache_tx tx;
  char *cand[8];
  wi_autofree char *b = lower_dup(base);
  size_t n = wi_witcache_candidates(b, arch, cand);
  int ret = WI_ENOTFOUND;

  if (tx_begin(&tx, dir, false, err) < 0)
    goto out;
  for (size_t i = 0; i < n; i++) {
    const char *v = wi_props_get(&tx.meta, cand[i]);
    struct stat st;
    if (v && stat(v, &st) == 0 && S_ISREG(st.st_mode)) {
      *path_out = wi_xstrdup(v);
      if (key_out)
        *key_out = wi_xstrdup(cand[i]);
      ret = 0;
      break;
    }
  }
  tx_end(&tx);
  if (ret < 0)
    wi_err_set(err, WI_ENOTFOUND, "cache entry %s not found", cand[0]);
out:
  for (size_t i = 0; i < n; i++)
    free(cand[i]);
  return ret;
}

int
wi_witcache_lookup(const char *dir, const char *type, const char *version, const char *arch,
                   char **key_out, char **path_out, wi_err *err)
{
  wi_autofree char *base = wi_witcache_installer_key(type, version);
  int ret = wi_witcache_find(dir, base, arch, key_out, path_out, err);
  if (ret != WI_ENOTFOUND)
    return ret;
  char *cand[8];
  size_t n = wi_witcache_candidates(base, arch, cand);
  /* WIT's "latest" is only a key: point at the WDT the cache does hold */
  wi_autofree char *other = NULL;
  if (strcasecmp(type, "wdt") == 0 && strcasecmp(version, "latest") == 0)
    other = other_wdt_version(dir);
  if (other)
    wi_err_set(
        err, WI_ENOTFOUND,
        "Installer with key=\"%s\" is not in the local cache, please download the installer and add it to the cache with \"wlsimg cache addInstaller ...\"; the cache has WDT %s: use --wdtVersion %s",
        cand[0], other, other);
  else
    wi_err_set(
        err, WI_ENOTFOUND,
        "Installer with key=\"%s\" is not in the local cache, please download the installer and add it to the cache with \"wlsimg cache addInstaller ...\"",
        cand[0]);
  for (size_t i = 0; i < n; i++)
    free(cand[i]);
  return ret;
}

int
wi_witcache_add_download(const char *dir, const char *key, const char *path, const char *digest,
                         wi_err *err)
{
  struct cache_tx tx;
  wi_autofree char *k = lower_dup(key);
  int ret = 0;

  if (tx_begin(&tx, dir, true, err) < 0)
    return err->code;
  wi_props_set(&tx.meta, k, path);
  wi_props_set(&tx.sums, path, digest);
  if (write_props_file(tx.meta_path, &tx.meta, err) < 0 ||
      write_props_file(tx.sum_path, &tx.sums, err) < 0)
    ret = err->code;
  tx_end(&tx);
  return ret;
}

int
wi_witcache_verify(const char *dir, const char *path, char digest_out[WI_DIGEST_MAX], wi_err *err)
{
  struct cache_tx tx;
  char digest[WI_DIGEST_MAX];
  int ret = 0;

  if (wi_digest_file(path, digest, NULL, err) < 0)
    return err->code;
  if (tx_begin(&tx, dir, false, err) < 0)
    return err->code;
  wi_autofree char *recorded = NULL;
  const char *r = wi_props_get(&tx.sums, path);
  if (r)
    recorded = wi_xstrdup(r);
  tx_end(&tx);
  if (recorded && strcmp(recorded, digest) != 0)
    return wi_err_set(
        err, WI_EDIGEST,
        "cached file %s changed since it was added (recorded %s, now %s); add it again with cache addInstaller --force (a patch: cache addPatch --force)",
        path, recorded, digest);
  if (!recorded && tx_begin(&tx, dir, true, err) == 0) {
    /* First use of an entry that WIT added: remember its content now. Best effort. */
    wi_err ignore = { 0 };
    wi_props_set(&tx.sums, path, digest);
    write_props_file(tx.sum_path, &tx.sums, &ignore);
    tx_end(&tx);
  } else if (!recorded) {
    wi_err_clear(err);
  }
  if (digest_out)
    memcpy(digest_out, digest, WI_DIGEST_MAX);
  return ret;
}
