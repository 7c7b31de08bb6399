/* wlsimg: the embedded OCI registry (`wlsimg registry serve`) and its administration.
 *
 * Storage layout under the root directory (docs/internals/regserver.md):
 *   blobs/<alg>/<hex>                     every blob and manifest, content-addressed, shared by all
 * repos repos/<name>/_meta.json               {"namespace":"ns","public":false}
 *   repos/<name>/_layers/<alg>-<hex>      empty link: the repository holds this blob
 *   repos/<name>/_manifests/<alg>-<hex>   link whose content is the manifest's media type
 *   repos/<name>/_tags/<tag>              the manifest digest the tag points to
 *   repos/<name>/_referrers/<alg>-<hex>/<alg>-<hex>   descriptor JSON of a manifest naming a
 * subject repos/<name>/_uploads/<id>/data       upload in progress (its size is the upload offset)
 *   auth/users.json (0600), auth/secret (0600), gc.lock
 * Repository components never start with '_', so the data directories cannot collide with names.
 * Every write is atomic (temporary file, fsync, rename). Everything under the root is private:
 * files 0600 and directories 0700 whatever the umask.
 *
 * The administration functions work on the files directly and are safe while a server runs on the
 * same root: the server re-reads users.json when it changes.
 */
#ifndef WI_REGSERVER_H
#define WI_REGSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

enum wi_regserver_auth { WI_REGSERVER_AUTH_NONE, WI_REGSERVER_AUTH_TOKEN };

/* Defaults (docs/internals/regserver.md explains each choice). */
#define WI_REGSERVER_DEFAULT_MAX_CONNECTIONS 16384
#define WI_REGSERVER_DEFAULT_MAX_PER_IP      256
#define WI_REGSERVER_DEFAULT_HEADER_TIMEOUT  10             /* seconds */
#define WI_REGSERVER_DEFAULT_IDLE_TIMEOUT    60             /* seconds */
#define WI_REGSERVER_DEFAULT_UPLOAD_TTL      3600           /* seconds */
#define WI_REGSERVER_DEFAULT_MAX_UPLOAD      (10ULL << 30)  /* 10 GiB per blob */
#define WI_REGSERVER_DEFAULT_NS_QUOTA        (500ULL << 30) /* 500 GiB per namespace */
#define WI_REGSERVER_UNLIMITED               UINT64_MAX

struct wi_regserver_opts {
  const char *listen; /* "host:port" or "[v6]:port"; port 0 picks a free one */
  const char *root;
  enum wi_regserver_auth auth;
  const char *tls_cert; /* PEM files; both or neither */
  const char *tls_key;
  /* Base URL clients reach the registry at ("https://reg.example.com"); the token realm is built
   * from it. NULL: from the request's Host header. */
  const char *public_url;
  int token_ttl; /* seconds; 0 = 300 */
  /* Connections: 0 = the default of each. */
  int max_connections;        /* in all, bounded by the open-file limit */
  int max_connections_per_ip; /* from one client address */
  int header_timeout;         /* a request's line and headers must arrive within this */
  int idle_timeout;           /* keep-alive wait for the next request; transfer inactivity */
  /* Storage limits: 0 = the default, WI_REGSERVER_UNLIMITED = none. */
  uint64_t max_upload_size; /* bytes of one blob upload */
  uint64_t namespace_quota; /* bytes stored by a namespace's repositories */
  int upload_ttl;           /* seconds an upload may sit idle before it is removed */
};

/* Settings read from a config file (JSON; see docs/internals/regserver.md). NULL = not set. */
struct wi_regserver_config {
  char *listen;
  char *root;
  char *auth;
  char *tls_cert;
  char *tls_key;
  char *public_url;
  int token_ttl;
  int max_connections;
  int max_connections_per_ip;
  int header_timeout;
  int idle_timeout;
  int upload_ttl;
  uint64_t max_upload_size; /* 0 = not set; WI_REGSERVER_UNLIMITED for "0" or "unlimited" */
  uint64_t namespace_quota;
};
int wi_regserver_http_config_load(struct wi_regserver_config *cfg, const char *path, wi_err *err);
void wi_regserver_http_config_dispose(struct wi_regserver_config *cfg);
/* A size such as "1048576", "512M", "10G" or "1T" (binary units); "0" and "unlimited" give
 * WI_REGSERVER_UNLIMITED. WI_EINVAL names what. */
int wi_regserver_http_size_parse(const char *s, const char *what, uint64_t *out, wi_err *err);

struct wi_regserver;

/* Start serving in background threads. Creates the root (0700) and, with token auth, the signing
 * secret. Raises the open-file soft limit to the hard limit for the connections. Warns (wi_log)
 * when
 * --auth none listens on a non-loopback address.
 * Errors: WI_EINVAL (bad address or options), WI_EIO (root, TLS files), WI_ERR (bind failed). */
int wi_regserver_http_start(struct wi_regserver **out, const struct wi_regserver_opts *opts,
                            wi_err *err);
/* "host:port" actually bound (borrowed). */
const char *wi_regserver_http_address(const struct wi_regserver *s);
/* Stop accepting, finish or drop open connections, free. */
void wi_regserver_http_stop(struct wi_regserver *s);

/* Users and auth tokens. User names are NAMESPACE/USER or NAMESPACE/DOMAIN/USER (OCIR's
 * NS/oracleidentitycloudservice/USER); the namespace is the first component. */
int wi_regserver_auth_user_add(const char *root, const char *user, wi_err *err); /* WI_EEXISTS */
int wi_regserver_auth_user_delete(const char *root, const char *user,
                                  wi_err *err); /* WI_ENOTFOUND */
/* Sorted names, malloc'ed array of malloc'ed strings. */
int wi_regserver_auth_user_list(const char *root, char ***users_out, size_t *n_out, wi_err *err);

struct wi_regserver_token_info {
  char user[256];
  char id[17];
  char created[32]; /* RFC 3339 UTC */
};
/* Create an auth token for user (at most two per user: WI_EDENIED beyond). *token_out is the
 * secret, shown once; only a salted hash is stored. id_out gets the token's id for list/revoke. */
int wi_regserver_auth_token_create(const char *root, const char *user, char **token_out,
                                   char id_out[17], wi_err *err);
/* Tokens of user, or of every user when user is NULL. */
int wi_regserver_auth_token_list(const char *root, const char *user,
                                 struct wi_regserver_token_info **out, size_t *n_out, wi_err *err);
int wi_regserver_auth_token_revoke(const char *root, const char *user, const char *id, wi_err *err);

struct wi_regserver_repo_info {
  char *name;
  char *namespace_;
  bool public_;
  size_t n_tags;
};
int wi_regserver_storage_repo_list(const char *root, struct wi_regserver_repo_info **out,
                                   size_t *n_out, wi_err *err);
void wi_regserver_storage_repo_list_free(struct wi_regserver_repo_info *r, size_t n);
int wi_regserver_storage_repo_create(const char *root, const char *name, bool public_, wi_err *err);
int wi_regserver_storage_repo_set_public(const char *root, const char *name, bool public_,
                                         wi_err *err);
/* Remove the repository's links, tags and uploads; blobs go at the next gc. */
int wi_regserver_storage_repo_delete(const char *root, const char *name, wi_err *err);

struct wi_regserver_gc_stats {
  size_t blobs_kept;
  size_t blobs_removed;
  uint64_t bytes_removed;
  size_t links_removed;
  size_t uploads_removed;
};
/* Remove blobs no manifest references (directly, as config/layer, or as an index child), unless
 * younger than min_age seconds; uploads idle for more than a day; dangling layer links. Safe while
 * a server runs: manifest pushes take a shared lock on gc.lock, gc an exclusive one. Any manifest
 * or directory that cannot be read stops gc before it deletes anything (WI_EIO naming the file). */
int wi_regserver_space_gc(const char *root, int64_t min_age, bool dry_run,
                          struct wi_regserver_gc_stats *stats, wi_err *err);
/* Remove uploads that received nothing for max_age seconds and are not in use; *n_out counts them.
 * The server runs this on its own every few minutes (--upload-ttl). */
int wi_regserver_space_reap_uploads(const char *root, int64_t max_age, size_t *n_out, wi_err *err);

#endif
