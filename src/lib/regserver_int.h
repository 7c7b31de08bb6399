/* wlsimg registry server: helpers shared between regserver_*.c only.
 *
 * regserver_routes.c   request parsers (path, Range, Content-Range, scope) and the handlers, which
 *                      see requests through struct wi_rs_req and never touch libmicrohttpd
 * regserver_storage.c  the on-disk layout (regserver.h), uploads, gc
 * regserver_auth.c     users, auth tokens, the signed bearer tokens and scope decisions
 * regserver_http.c     libmicrohttpd glue, the only file using it
 */
#ifndef WI_REGSERVER_INT_H
#define WI_REGSERVER_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/err.h"
#include "lib/regserver.h"
#include "lib/strv.h"

#define WI_RS_NAME_MAX    255
#define WI_RS_REF_MAX     160 /* tag (128) or digest (sha512: 135) */
#define WI_RS_MAX_HEADERS 12
#define WI_RS_MAX_FORM    (64 * 1024)
#define WI_RS_SERVICE     "wlsimg-registry"

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

/* ---- storage ---- */

struct wi_rs_meta {
  char namespace_[WI_RS_NAME_MAX + 1];
  bool public_;
};

char *wi_regserver_storage_repo_dir(const char *root, const char *name);
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

/* Salted SHA-256 of a secret as hex, constant-time check (exported for unit tests). */
void wi_regserver_auth_hash_secret(const char *salt_hex, const char *secret, char out[65]);

/* ---- request handling (regserver_routes.c), independent of the HTTP library ---- */

struct wi_rs_server {
  char *root;
  char *listen; /* as bound */
  bool tls;
  enum wi_regserver_auth auth_mode;
  struct wi_rs_auth *auth;
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
  bool monolithic; /* POST ?digest= */
  char user[256];  /* authenticated identity, for the log */
  struct wi_rs_resp resp;
  bool done; /* response ready */
};

void wi_regserver_routes_req_init(struct wi_rs_req *r, struct wi_rs_server *srv,
                                  const struct wi_rs_req_ops *ops, void *conn, const char *method,
                                  const char *path);
/* Called once headers are in. Either sets r->done (response ready) or sets body_kind. */
void wi_regserver_routes_req_begin(struct wi_rs_req *r);
/* A piece of the request body. */
void wi_regserver_routes_req_body(struct wi_rs_req *r, const char *data, size_t len);
/* The body is complete: produce the response (sets done). */
void wi_regserver_routes_req_end(struct wi_rs_req *r);
/* Release everything, including an upload left open by a dropped connection. */
void wi_regserver_routes_req_dispose(struct wi_rs_req *r);

#endif
