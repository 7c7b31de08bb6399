/* wlsimg registry server: helpers shared between regserver_*.c only.
 *
 * regserver_routes.c   request parsers (path, Range, Content-Range, scope) and the handlers, which
 *                      see requests through struct wi_rs_req and never touch libmicrohttpd
 * regserver_access.c   who is calling, what they may do, challenges, the token endpoint
 * regserver_storage.c  the on-disk layout (regserver.h), uploads, gc
 * regserver_auth.c     users, auth tokens, the signed bearer tokens and scope decisions
 * regserver_http.c     libmicrohttpd glue, the only file using it
 */
#ifndef WI_REGSERVER_INT_H
#define WI_REGSERVER_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/regserver.h"
#include "lib/strv.h"

#define WI_RS_NAME_MAX       255
#define WI_RS_REF_MAX        160 /* tag (128) or digest (sha512: 135) */
#define WI_RS_MAX_HEADERS    32
#define WI_RS_MAX_FORM       (64 * 1024)
#define WI_RS_MAX_TAG_PARAMS 16 /* ?tag= values on one manifest PUT */
#define WI_RS_SERVICE        "wlsimg-registry"

/* ---- parsers (fuzzed) ---- */

enum wi_rs_route {
  WI_RS_R_NOTFOUND,
  WI_RS_R_BASE,       /* /v2/ */
  WI_RS_R_CATALOG,    /* /v2/_catalog */
  WI_RS_R_TOKEN,      /* /token */
  WI_RS_R_BLOB,       /* /v2/<name>/blobs/<digest> */
  WI_RS_R_UPLOAD_NEW, /* /v2/<name>/blobs/uploads/ */
  WI_RS_R_UPLOAD,     /* /v2/<name>/blobs/uploads/<id> */
  WI_RS_R_MANIFEST,   /* /v2/<name>/manifests/<ref> */
  WI_RS_R_TAGS,       /* /v2/<name>/tags/list */
  WI_RS_R_REFERRERS,  /* /v2/<name>/referrers/<digest> */
};

struct wi_rs_path {
  enum wi_rs_route route;
  char name[WI_RS_NAME_MAX + 1];
  char ref[WI_RS_REF_MAX + 1]; /* digest, tag or upload id */
  const char *oci_code;        /* on WI_EINVAL: NAME_INVALID, DIGEST_INVALID, TAG_INVALID */
};

/* Route a request path (no query). WI_ENOTFOUND for unknown paths; WI_EINVAL with a message
 * naming NAME_INVALID / DIGEST_INVALID / TAG_INVALID problems (err->http_status says which: 400).
 */
int wi_regserver_routes_path_parse(const char *path, struct wi_rs_path *out, wi_err *err);
/* Repository name grammar of the distribution spec, at most 255 characters. */
bool wi_regserver_routes_name_valid(const char *name);
bool wi_regserver_routes_tag_valid(const char *tag);
/* sha256 or sha512 digest with the exact hex length. */
bool wi_regserver_routes_digest_valid(const char *d);

/* Range request header against a blob of `size` bytes. Returns 1 with start and len set for one
 * satisfiable range, 0 when the header is absent, malformed or multi-range (serve it all), -1 when
 * unsatisfiable (416). */
int wi_regserver_routes_range_parse(const char *hdr, uint64_t size, uint64_t *start, uint64_t *len);
/* Content-Range of a chunk upload: "<start>-<end>" (also "bytes=a-b", "bytes a-b/total").
 * 0 with start and end (inclusive) set on success, -1 when malformed. */
int wi_regserver_routes_content_range_parse(const char *hdr, uint64_t *start, uint64_t *end);

enum { WI_RS_PULL = 1, WI_RS_PUSH = 2, WI_RS_DELETE = 4, WI_RS_CATALOG = 8 };

struct wi_rs_scope {
  char type[32]; /* "repository", "registry" */
  char name[WI_RS_NAME_MAX + 1];
  unsigned actions; /* WI_RS_* bits; unknown actions are dropped */
};
/* One resource scope "type:name:a,b" (split at the last ':'). -1 when malformed. */
int wi_regserver_routes_scope_parse(const char *s, size_t len, struct wi_rs_scope *out);
/* Decode an application/x-www-form-urlencoded value (also '+' = space) into out (NUL-terminated,
 * at most outlen-1 bytes). -1 on a bad escape or overflow. */
int wi_regserver_routes_form_decode(const char *s, size_t len, char *out, size_t outlen);
/* Value of field `key` in a urlencoded form, decoded into out; -1 when absent or bad. */
int wi_regserver_routes_form_get(const char *form, const char *key, char *out, size_t outlen);
/* "pull,push" for bits (into out). */
void wi_regserver_routes_actions_format(unsigned actions, char *out, size_t outlen);
/* Copy s into out (NUL-terminated, truncated to fit) with every byte outside printable ASCII and
 * the backslash written as \xNN, so that nothing a client sends can start a line or drive a
 * terminal. */
void wi_regserver_routes_escape(const char *s, char *out, size_t outlen);
/* wi_log with the formatted message escaped as above: every line the server logs goes through
 * here, so a %0a in a path or a user name cannot forge log lines. */
void wi_regserver_routes_log(enum wi_log_level level, const char *fmt, ...) WI_PRINTF(2, 3);
/* Media type grammar (RFC 6838 type "/" subtype, restricted-name characters), for artifactType. */
bool wi_regserver_routes_mediatype_valid(const char *s);

/* ---- storage ---- */

struct wi_rs_meta {
  char namespace_[WI_RS_NAME_MAX + 1];
  bool public_;
};

char *wi_regserver_storage_repo_dir(const char *root, const char *name);
/* mkdir -p for paths under the root: every directory it creates is 0700 whatever the umask. */
int wi_regserver_storage_mkdir(const char *path, wi_err *err);
/* Atomic write of a private file: 0600 whatever the umask, its directory made as above. */
int wi_regserver_storage_write_private(const char *path, const void *data, size_t len, wi_err *err);
/* Namespace of a repository name: its first component. */
void wi_regserver_storage_namespace(const char *name, char out[WI_RS_NAME_MAX + 1]);
/* Paths and helpers of the layout, shared with regserver_space.c. */
char *wi_regserver_storage_blob_path(const char *root, const char *digest);
/* root/repos/<name>/<sub>[/<leaf>] */
char *wi_regserver_storage_repo_file(const char *root, const char *name, const char *sub,
                                     const char *leaf);
/* A link file's name "alg-hex" as the digest "alg:hex"; false when it is not one. */
bool wi_regserver_storage_link_digest(const char *link_name, char out[WI_DIGEST_MAX]);
/* A temporary file of an atomic write (or a dot file). */
bool wi_regserver_storage_is_tmp(const char *name);
/* Sorted names in dir without temporary files; a missing directory is empty, an unreadable one
 * WI_EIO naming it. */
int wi_regserver_storage_list_dir(const char *dir, char ***out, size_t *n_out, wi_err *err);
/* Open and flock gc.lock (LOCK_SH for writers, LOCK_EX for gc); returns the descriptor. */
int wi_regserver_storage_gc_lock(const char *root, int op, wi_err *err);

/* WI_ENOTFOUND when the repository does not exist. */
int wi_regserver_storage_meta_read(const char *root, const char *name, struct wi_rs_meta *m,
                                   wi_err *err);
/* Create the repository (private, namespace = first component) unless it exists. */
int wi_regserver_storage_repo_ensure(const char *root, const char *name, wi_err *err);

/* The repository holds the blob (link and content both present). size_out optional. */
int wi_regserver_storage_blob_stat(const char *root, const char *name, const char *digest,
                                   uint64_t *size_out, wi_err *err);
/* Open for reading; WI_ENOTFOUND. */
int wi_regserver_storage_blob_open(const char *root, const char *name, const char *digest,
                                   int *fd_out, uint64_t *size_out, wi_err *err);
/* Link an existing blob from any repository into name (mount). WI_ENOTFOUND if the blob is absent.
 */
int wi_regserver_storage_blob_mount(const char *root, const char *name, const char *digest,
                                    wi_err *err);
int wi_regserver_storage_blob_delete(const char *root, const char *name, const char *digest,
                                     wi_err *err);

struct wi_rs_upload;
/* New upload session; id_out gets 32 hex characters. */
int wi_regserver_storage_upload_new(const char *root, const char *name, char id_out[33],
                                    wi_err *err);
/* Take an upload for writing (one writer at a time: WI_EEXISTS while busy; WI_ENOTFOUND). After a
 * restart the hash state is rebuilt by re-reading the data written so far. */
int wi_regserver_storage_upload_open(const char *root, const char *name, const char *id,
                                     struct wi_rs_upload **out, wi_err *err);
uint64_t wi_regserver_storage_upload_offset(const struct wi_rs_upload *u);
int wi_regserver_storage_upload_write(struct wi_rs_upload *u, const void *data, size_t len,
                                      wi_err *err);
/* Verify the digest and move the data into the blob store, linked into the repository; the
 * upload is gone afterwards either way (WI_EDIGEST on mismatch). Frees u. */
int wi_regserver_storage_upload_finish(struct wi_rs_upload *u, const char *digest, wi_err *err);
/* Give the upload back (keeps the hash state for the next chunk). Frees u. */
void wi_regserver_storage_upload_release(struct wi_rs_upload *u);
int wi_regserver_storage_upload_status(const char *root, const char *name, const char *id,
                                       uint64_t *offset_out, wi_err *err);
int wi_regserver_storage_upload_cancel(const char *root, const char *name, const char *id,
                                       wi_err *err);

struct wi_rs_manifest_info {
  char digest[WI_DIGEST_MAX];
  char media_type[256];
  uint64_t size;
};
/* Resolve a tag or digest. body_out (optional) gets the bytes. WI_ENOTFOUND. */
int wi_regserver_storage_manifest_get(const char *root, const char *name, const char *ref,
                                      struct wi_rs_manifest_info *info, char **body_out,
                                      wi_err *err);
/* Store a manifest (bytes as given) under ref (tag or digest) plus extra tags. Checks every
 * referenced blob/child is in the repository (WI_ENOTFOUND: MANIFEST_BLOB_UNKNOWN), the digest
 * when ref is a digest (WI_EDIGEST), the JSON (WI_EINVAL). subject_out gets the subject digest or
 * "". */
int wi_regserver_storage_manifest_put(const char *root, const char *name, const char *ref,
                                      const char *content_type, const char *body, size_t len,
                                      const char *const *tags, size_t n_tags,
                                      struct wi_rs_manifest_info *info,
                                      char subject_out[WI_DIGEST_MAX], wi_err *err);
/* Delete by digest (manifest and its tags) or by tag (the tag only). WI_ENOTFOUND. */
int wi_regserver_storage_manifest_delete(const char *root, const char *name, const char *ref,
                                         wi_err *err);
/* Sorted tag names. WI_ENOTFOUND when the repository does not exist. */
int wi_regserver_storage_tags_list(const char *root, const char *name, char ***tags_out,
                                   size_t *n_out, wi_err *err);
/* Image index of the manifests whose subject is digest (filtered by artifact_type when given). */
int wi_regserver_storage_referrers(const char *root, const char *name, const char *digest,
                                   const char *artifact_type, struct wi_buf *out, wi_err *err);
/* Sorted repository names. */
int wi_regserver_storage_catalog(const char *root, char ***names_out, size_t *n_out, wi_err *err);

/* ---- disk space (regserver_space.c) ---- */

/* Bytes a namespace stores: every distinct blob and manifest its repositories link, plus the data
 * of its uploads in progress. Computed from the files (no bookkeeping to go stale); a result is
 * reused for a second unless a blob was linked into the namespace meanwhile. WI_EIO when a
 * directory cannot be read. */
int wi_regserver_space_usage(const char *root, const char *ns, uint64_t *out, wi_err *err);
/* A blob was linked into repository name: the next usage of its namespace is counted afresh. */
void wi_regserver_space_forget(const char *root, const char *name);

/* ---- auth ---- */

struct wi_rs_auth;
int wi_regserver_auth_new(struct wi_rs_auth **out, const char *root, int token_ttl, wi_err *err);
void wi_regserver_auth_free(struct wi_rs_auth *a);
/* Check NS/USER + auth token against users.json (re-read when it changes). WI_EAUTH. */
int wi_regserver_auth_check_password(struct wi_rs_auth *a, const char *user, const char *password,
                                     wi_err *err);
/* Actions user (NULL = anonymous) may have on a scope. */
unsigned wi_regserver_auth_allowed(struct wi_rs_auth *a, const char *user, const char *type,
                                   const char *name);
/* Signed token granting scopes[i] ∩ allowed; JSON response body {"token",...} into out. */
int wi_regserver_auth_issue(struct wi_rs_auth *a, const char *user,
                            const struct wi_rs_scope *scopes, size_t n, struct wi_buf *out,
                            wi_err *err);

#define WI_RS_MAX_GRANTS 16
struct wi_rs_claims {
  char sub[256]; /* "" = anonymous */
  size_t n;
  struct wi_rs_scope grants[WI_RS_MAX_GRANTS];
};
/* Verify a bearer token's signature and expiry. WI_EAUTH. */
int wi_regserver_auth_verify(struct wi_rs_auth *a, const char *token, struct wi_rs_claims *c,
                             wi_err *err);
/* Actions the claims grant on type:name. */
unsigned wi_regserver_auth_claims_actions(const struct wi_rs_claims *c, const char *type,
                                          const char *name);

/* Failed-login throttling, per user and per client address (an IPv6 address counts by its /64).
 * A key may fail WI_RS_THROTTLE_FREE times; each further failure blocks it for twice as long as
 * the last (1 s, 2 s, … up to WI_RS_THROTTLE_MAX_DELAY); a success clears the user's count, and
 * a key without failures for WI_RS_THROTTLE_FORGET seconds is forgotten. */
#define WI_RS_THROTTLE_FREE      5
#define WI_RS_THROTTLE_MAX_DELAY 60
#define WI_RS_THROTTLE_FORGET    900
/* Seconds until user (NULL: none) or addr may try again; 0 = now. */
unsigned wi_regserver_auth_throttle_wait(struct wi_rs_auth *a, const char *user, const char *addr);
/* Record a failed login; returns the user's failure count (or the address's without a user). */
unsigned wi_regserver_auth_throttle_fail(struct wi_rs_auth *a, const char *user, const char *addr);
void wi_regserver_auth_throttle_ok(struct wi_rs_auth *a, const char *user);

/* Salted SHA-256 of a secret as hex, constant-time check (exported for unit tests). */
void wi_regserver_auth_hash_secret(const char *salt_hex, const char *secret, char out[65]);

/* ---- request handling (regserver_routes.c), independent of the HTTP library ---- */

struct wi_rs_server {
  char *root;
  char *listen;     /* as bound */
  char *public_url; /* without a trailing '/'; NULL = realm from the Host header */
  bool tls;
  enum wi_regserver_auth auth_mode;
  struct wi_rs_auth *auth;
  uint64_t max_upload; /* WI_REGSERVER_UNLIMITED = none */
  uint64_t ns_quota;
};

struct wi_rs_req;
/* Accessors the HTTP layer provides. */
struct wi_rs_req_ops {
  const char *(*header)(struct wi_rs_req *r, const char *name);
  const char *(*query)(struct wi_rs_req *r, const char *name);
  /* All values of a repeated query argument. */
  size_t (*query_all)(struct wi_rs_req *r, const char *name, const char **out, size_t max);
  /* All values of a repeated request header (skopeo sends one Accept per media type). */
  size_t (*header_all)(struct wi_rs_req *r, const char *name, const char **out, size_t max);
};
/* True when the Accept headers (none = anything) admit media type mt. */
bool wi_regserver_routes_accepts(const char *const *accept, size_t n, const char *mt);

struct wi_rs_header {
  char *name;
  char *value;
};

struct wi_rs_resp {
  int status;
  struct wi_rs_header headers[WI_RS_MAX_HEADERS];
  size_t n_headers;
  struct wi_buf body; /* when fd < 0 */
  int fd;             /* blob to send: fd, offset, length */
  uint64_t fd_offset;
  uint64_t fd_len;
  bool head_only; /* HEAD: Content-Length = content_length, no body */
  uint64_t content_length;
};

enum wi_rs_body_kind { WI_RS_BODY_NONE, WI_RS_BODY_DISCARD, WI_RS_BODY_BUFFER, WI_RS_BODY_UPLOAD };

struct wi_rs_req {
  const struct wi_rs_req_ops *ops;
  void *conn; /* HTTP-layer handle for the ops */
  struct wi_rs_server *srv;
  const char *method;
  const char *path;
  struct wi_rs_path p;
  enum wi_rs_body_kind body_kind;
  struct wi_buf body; /* BODY_BUFFER (manifest, token form), capped */
  bool body_too_big;
  struct wi_rs_upload *upload; /* BODY_UPLOAD */
  bool upload_failed;
  wi_err upload_err;
  bool monolithic;    /* POST ?digest= */
  uint64_t body_left; /* bytes this upload may still take (size limit and quota) */
  bool body_denied;   /* ... and it went past them: the HTTP layer closes the connection */
  char user[256];     /* authenticated identity, for the log */
  char peer[64];      /* client address, for throttling and the log */
  struct wi_rs_resp resp;
  bool done; /* response ready */
};

void wi_regserver_routes_req_init(struct wi_rs_req *r, struct wi_rs_server *srv,
                                  const struct wi_rs_req_ops *ops, void *conn, const char *method,
                                  const char *path);
/* True when handling the request may block on the disk (fsync, locks, directory walks): the HTTP
 * layer then runs req_begin and req_end on a worker thread instead of its event loop. */
bool wi_regserver_routes_req_may_block(const struct wi_rs_req *r);
/* Answer at once with an error (the HTTP layer's own checks, e.g. a NUL in the request target). */
void wi_regserver_routes_req_reject(struct wi_rs_req *r, int status, const char *code,
                                    const char *msg);
/* Called once headers are in. Either sets r->done (response ready) or sets body_kind. */
void wi_regserver_routes_req_begin(struct wi_rs_req *r);
/* A piece of the request body. Returns false when the connection must be closed (an upload
 * without Content-Length ran past its size limit or quota: there is no way to answer mid-body). */
bool wi_regserver_routes_req_body(struct wi_rs_req *r, const char *data, size_t len);
/* The body is complete: produce the response (sets done). */
void wi_regserver_routes_req_end(struct wi_rs_req *r);
/* Release everything, including an upload left open by a dropped connection. */
void wi_regserver_routes_req_dispose(struct wi_rs_req *r);

/* Building the response (regserver_routes.c): a header (dropped past WI_RS_MAX_HEADERS), the
 * status (marks the request done), an OCI error body, any body. */
void wi_regserver_routes_resp_header(struct wi_rs_req *r, const char *name, const char *fmt, ...)
    WI_PRINTF(3, 4);
void wi_regserver_routes_resp_status(struct wi_rs_req *r, int status);
void wi_regserver_routes_resp_error(struct wi_rs_req *r, int status, const char *code,
                                    const char *msg);
void wi_regserver_routes_resp_body(struct wi_rs_req *r, int status, const char *content_type,
                                   const char *body);

/* ---- access control (regserver_access.c) ---- */

struct wi_rs_identity {
  bool anonymous;   /* no credentials at all */
  bool bearer;      /* a bearer token (its grants are in claims) */
  const char *user; /* NULL = anonymous (also an anonymous token) */
  struct wi_rs_claims claims;
};
/* Work out who is calling. false with the response set (401, or 429 while logins from this user
 * or address are throttled) when the credentials are bad. */
bool wi_regserver_access_identify(struct wi_rs_req *r, struct wi_rs_identity *id);
/* Actions the caller has on type:name now (everything without auth). */
unsigned wi_regserver_access_granted(struct wi_rs_req *r, const struct wi_rs_identity *id,
                                     const char *type, const char *name);
/* True when the caller may do `need` on type:name; otherwise the 401 (challenge naming the scopes,
 * with repository:<also_pull>:pull too when given: a mount's source) or 403 is set. */
bool wi_regserver_access_authorize(struct wi_rs_req *r, const struct wi_rs_identity *id,
                                   const char *type, const char *name, unsigned need,
                                   const char *also_pull);
/* May the caller mount from `from` into `name`? false without a response when not (a plain
 * upload follows), or with a 401 insufficient_scope challenge for both scopes when the caller's
 * token lacks a pull on `from` that the account has. */
bool wi_regserver_access_mount_scope(struct wi_rs_req *r, const struct wi_rs_identity *id,
                                     const char *name, const char *from);
/* 401 Bearer challenge for scopes (none: realm and service only), with error= when given. */
void wi_regserver_access_challenge(struct wi_rs_req *r, const struct wi_rs_scope *scopes, size_t n,
                                   const char *error);
/* GET /v2/ and the catalog's scope check (false with the challenge set). */
void wi_regserver_access_base(struct wi_rs_req *r, const struct wi_rs_identity *id);
bool wi_regserver_access_catalog(struct wi_rs_req *r, const struct wi_rs_identity *id);
/* The token endpoint: GET (Basic credentials or anonymous) and POST (OAuth2 password form, the
 * body in r->body). */
void wi_regserver_access_token_get(struct wi_rs_req *r);
void wi_regserver_access_token_post(struct wi_rs_req *r);

#endif
