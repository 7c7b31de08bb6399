/* wlsimg: OCI distribution client for one registry.
 *
 * Handles auth transparently: anonymous, Basic, and Bearer tokens (challenge → GET realm with Basic
 * credentials, or OAuth2 POST with an identity token; cached per scope set until expiry; one retry
 * with a wider scope on insufficient_scope). Credentials (Basic or Bearer) go only to the
 * registry's own scheme, host and port: an upload Location or a redirect elsewhere gets none, a 401
 * from elsewhere is an error, and Link pagination is followed only on the registry itself. HTTPS,
 * except loopback hosts, which start with plain HTTP and switch to HTTPS when the server speaks
 * TLS, and tls_skip_verify, which falls back to HTTP when HTTPS fails to connect. Retries
 * connection errors, 408, 429, 5xx (bounded, exponential backoff, Retry-After honoured; each retry
 * is logged at WI_LOG_WARN). Thread-safe: each call takes an HTTP handle from an internal pool, so
 * layers can move in parallel.
 *
 * Errors name registry, repository, status and the registry's error code and message, e.g.
 * "127.0.0.1:5000/test/app: upload sha256:ab12…: HTTP 401 UNAUTHORIZED: authentication required".
 * Codes callers branch on: WI_ENOTFOUND (404/unknown), WI_EAUTH (bad or missing credentials),
 * WI_EDENIED (403), WI_EDIGEST (content did not match its digest), WI_ENET.
 */
#ifndef WI_REGCLIENT_H
#define WI_REGCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/digest.h"
#include "lib/err.h"
#include "lib/manifest.h"
#include "lib/strv.h"

/* A zero-initialised struct is the safe configuration: HTTPS with verified certificates,
 * credentials from the usual files, default retries. */
struct wi_regclient_opts {
  bool tls_skip_verify; /* true: accept any certificate and allow plain http (never the default) */
  const char *username; /* explicit credentials (flags); NULL → lookup in credential files */
  const char *password; /* secret */
  const char *authfile; /* --authfile; NULL → defaults */
  const char *registry_token; /* explicit bearer token, optional */
  const char *user_agent;
  const char *cert_dir; /* --cert-dir, overrides certs.d lookup */
  int retries;          /* retries of transient failures: 0 = default 4, negative = none */
  int64_t chunk_size;   /* blobs larger than this are uploaded in chunks; 0 = default 64 MiB */
  const int *cancel;    /* optional: see wi_http_opts.cancel (WI_ECANCELED) */
};

struct wi_regclient;

/* host as in the reference ("docker.io" is mapped to its API host). No network traffic yet. */
int wi_regclient_new(struct wi_regclient **out, const char *host, const struct wi_regclient_opts *o,
                     wi_err *err);
void wi_regclient_free(struct wi_regclient *rc);
static inline void
wi_regclient_freep(struct wi_regclient **pp)
{
  if (*pp)
    wi_regclient_free(*pp);
}
const char *wi_regclient_host(const struct wi_regclient *rc);

/* GET /v2/ with credentials, running the token flow if challenged (login check). WI_EAUTH on
 * bad credentials ("wrong username or password"). */
int wi_regclient_ping(struct wi_regclient *rc, wi_err *err);

/* Manifests. ref = tag or digest. Bytes are verified when ref is a digest. digest_out optional. */
int wi_regclient_get_manifest(struct wi_regclient *rc, const char *repo, const char *ref,
                              char **bytes_out, size_t *len_out, char **media_type_out,
                              char *digest_out, wi_err *err);
/* HEAD: digest, media type and size without the body. */
int wi_regclient_head_manifest(struct wi_regclient *rc, const char *repo, const char *ref,
                               char *digest_out, char **media_type_out, int64_t *size_out,
                               wi_err *err);
int wi_regclient_put_manifest(struct wi_regclient *rc, const char *repo, const char *ref,
                              const void *bytes, size_t len, const char *media_type,
                              char *digest_out, wi_err *err);
int wi_regclient_delete_manifest(struct wi_regclient *rc, const char *repo, const char *digest,
                                 wi_err *err);

/* Blobs. */
/* HEAD: WI_ENOTFOUND when absent; size_out optional. */
int wi_regclient_blob_head(struct wi_regclient *rc, const char *repo, const char *digest,
                           int64_t *size_out, wi_err *err);
/* Stream a blob to write_fn, verifying digest and size (WI_EDIGEST). Resumes with Range after a
 * broken connection. progress optional. */
int wi_regclient_blob_get(struct wi_regclient *rc, const char *repo, const struct wi_descriptor *d,
                          int (*write_fn)(const void *data, size_t len, void *payload),
                          void *payload,
                          void (*progress)(int64_t done, int64_t total, void *payload), void *pp,
                          wi_err *err);
/* As wi_regclient_blob_get, without hashing: for callers that verify the digest themselves in the
 * same pass (a store blob writer's commit). The size is still enforced. */
int wi_regclient_blob_get_unhashed(struct wi_regclient *rc, const char *repo,
                                   const struct wi_descriptor *d,
                                   int (*write_fn)(const void *data, size_t len, void *payload),
                                   void *payload,
                                   void (*progress)(int64_t done, int64_t total, void *payload),
                                   void *pp, wi_err *err);
/* Cross-repository mount; *mounted false when the registry opened an upload instead (it is
 * cancelled). */
int wi_regclient_blob_mount(struct wi_regclient *rc, const char *repo, const char *digest,
                            const char *from_repo, bool *mounted, wi_err *err);
/* Upload from a file: monolithic POST+PUT up to chunk_size, chunked PATCH with resume beyond. */
int wi_regclient_blob_push(struct wi_regclient *rc, const char *repo, const struct wi_descriptor *d,
                           int fd, void (*progress)(int64_t done, int64_t total, void *payload),
                           void *pp, wi_err *err);
/* Upload with a cross-repository mount attempt first (from_repo may be NULL): a 201 answer sets
 * *mounted_out and uploads nothing; a 202 answer's session receives the upload (no extra POST). */
int wi_regclient_blob_push_from(struct wi_regclient *rc, const char *repo,
                                const struct wi_descriptor *d, int fd, const char *from_repo,
                                bool *mounted_out,
                                void (*progress)(int64_t done, int64_t total, void *payload),
                                void *pp, wi_err *err);
int wi_regclient_blob_push_bytes(struct wi_regclient *rc, const char *repo, const char *digest,
                                 const void *data, size_t len, wi_err *err);

/* Tags, following Link pagination on the registry's own host; a Link elsewhere, a loop, more than
 * 10000 pages or 64 MiB in all is an error. */
int wi_regclient_tags(struct wi_regclient *rc, const char *repo, char ***tags_out, size_t *n_out,
                      wi_err *err);
/* Catalog, following Link pagination. */
int wi_regclient_catalog(struct wi_regclient *rc, char ***repos_out, size_t *n_out, wi_err *err);

/* Helpers exposed for tests and fuzzing. */
/* Token scopes (regclient_scope.c). Union of two token scope strings ("repository:a:pull
 * repository:b:push"), merging the actions of equal resources (split at the last ':'). malloc'ed.
 */
char *wi_regclient_scope_union(const char *a, const char *b);
/* Does the scope string `have` grant every resource/action of `want` ("*" grants all)? */
bool wi_regclient_scope_covers(const char *have, const char *want);
/* The URL of a Link header's rel="next" entry (malloc'ed), or NULL. */
char *wi_regclient_link_next(const char *link);

#endif
