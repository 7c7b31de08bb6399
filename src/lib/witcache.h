/* wlsimg: the WebLogic Image Tool (WIT 1.16) installer cache, format-compatible both ways.
 *
 * The cache is a directory ($WLSIMG_CACHEDIR, else $HOME/cache) holding `.metadata`, a Java
 * properties file (Properties.store output: "#changed on:<LocalDateTime>", "#<Date>", key=value
 * lines) that maps lower-cased keys such as "wdt_latest" or "wls_14.1.2.0.0_arm64" to absolute
 * file paths. wlsimg keeps WIT's format (so WIT still reads what wlsimg writes), but takes an
 * exclusive flock on `.wlsimg-lock` around every read-modify-write, rewrites atomically (temp +
 * rename) and writes entries sorted. The sha256 of every file added through wlsimg is recorded in
 * the sidecar `.wlsimg-checksums` (same format, key = absolute path, value = "sha256:<hex>"), and
 * wi_witcache_verify() refuses a cached installer or patch whose content changed since.
 */
#ifndef WI_WITCACHE_H
#define WI_WITCACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/digest.h"
#include "lib/err.h"
#include "lib/props.h"

#define WI_WITCACHE_METADATA  ".metadata"
#define WI_WITCACHE_CHECKSUMS ".wlsimg-checksums"
#define WI_WITCACHE_LOCK      ".wlsimg-lock"

/* ---- the cache ---- */

/* The cache directory: $WLSIMG_CACHEDIR, else $HOME/cache (malloc'ed). */
char *wi_witcache_default_dir(void);
/* Make sure dir exists (one level, as WIT) and is a writable directory. */
int wi_witcache_prepare(const char *dir, wi_err *err);

/* All entries, sorted by key. key_regex (optional, POSIX extended) must match the whole key.
 * A missing .metadata is an empty cache. WI_EINVAL on a bad regex. */
int wi_witcache_list(const char *dir, const char *key_regex, struct wi_props *out, wi_err *err);
/* Value for a key (lower-cased first). WI_ENOTFOUND. */
int wi_witcache_get(const char *dir, const char *key, char **value_out, wi_err *err);

enum wi_witcache_add_result {
  WI_WITCACHE_ADDED,     /* new key */
  WI_WITCACHE_REPLACED,  /* key existed with another value (force / addEntry) */
  WI_WITCACHE_UNCHANGED, /* key existed with this very value (IMG-0075) */
};

/* addInstaller/addPatch: path must be a regular file (WI_EINVAL otherwise, IMG-0049 text); it is
 * made absolute. An existing different value without force is WI_EEXISTS (IMG-0048 text). The
 * file's sha256 is recorded. old_value_out (optional) receives the replaced value. */
int wi_witcache_add_file(const char *dir, const char *key, const char *path, bool force,
                         enum wi_witcache_add_result *res_out, char **value_out,
                         char **old_value_out, wi_err *err);
/* addEntry: no validation, always sets. */
int wi_witcache_add_entry(const char *dir, const char *key, const char *value,
                          enum wi_witcache_add_result *res_out, char **old_value_out, wi_err *err);
/* deleteEntry: WI_ENOTFOUND when the key is absent. Never deletes files; the file's checksum record
 * goes when no other key refers to it. */
int wi_witcache_delete(const char *dir, const char *key, char **old_value_out, wi_err *err);
/* deleteEntry --key deleteAll4Sure: empty the cache (and the checksum sidecar). */
int wi_witcache_clear(const char *dir, wi_err *err);

/* Installer key: "<type>_<version>" lower-cased (malloc'ed). */
char *wi_witcache_installer_key(const char *type, const char *version);
/* Candidate keys in WIT's lookup order (§7.3) for base key b and arch ("amd64", "arm64" or NULL
 * for unknown: b first, then the host's variants). Returns the count (≤ 8); strings malloc'ed. */
size_t wi_witcache_candidates(const char *base, const char *arch, char *out[8]);
/* Find a file under base key b: the first candidate (wi_witcache_candidates order) whose value is
 * an existing regular file. WI_ENOTFOUND naming the first candidate. key_out optional. */
int wi_witcache_find(const char *dir, const char *base, const char *arch, char **key_out,
                     char **path_out, wi_err *err);
/* Find an installer: wi_witcache_find for "<type>_<version>", WI_ENOTFOUND with WIT's IMG-0011
 * text naming the first candidate. key_out optional. */
int wi_witcache_lookup(const char *dir, const char *type, const char *version, const char *arch,
                       char **key_out, char **path_out, wi_err *err);
/* Record a file wlsimg itself wrote into the cache (a download): key = path, replacing any value
 * (as WIT does), and the sha256 computed while writing it, so that the file is not read again. */
int wi_witcache_add_download(const char *dir, const char *key, const char *path, const char *digest,
                             wi_err *err);
/* Check a cached file against its recorded sha256 (WI_EDIGEST naming the file when it changed);
 * a file added by WIT has no record yet: its digest is recorded now. digest_out optional. */
int wi_witcache_verify(const char *dir, const char *path, char digest_out[WI_DIGEST_MAX],
                       wi_err *err);

#endif
