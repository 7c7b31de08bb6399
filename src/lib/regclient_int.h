/* wlsimg: the registry client's internals, shared by regclient.c (transport, authentication,
 * manifests, tags) and regclient_blob.c (blob downloads and uploads). Not for src/cli.
 *
 * Locking, field by field of struct wi_regclient (lock order: tok_mu before mu; nothing that holds
 * mu takes tok_mu):
 * - host, api_host, may_switch, retries, chunk_size, tls_skip_verify, username, password,
 *   authfile, user_agent, ca_dir, cancel: set by wi_regclient_new, never changed: no lock.
 * - registry_token: set by wi_regclient_new, or once by load_creds under mu (from the credential
 *   store); read only after load_creds() returned in the reading thread, which took mu after the
 *   write, so the read is ordered after it.
 * - creds_loaded, have_cred, cred: written once by load_creds() under mu, never changed
 *   afterwards; read (without mu) only after load_creds() returned in the reading thread.
 * - base, scheme_settled, fell_back, https_error: mu (readers copy what they need under it).
 * - pool, n_pool: mu.
 * - kind, realm, service: mu. The token flow copies realm and service under mu and works on the
 *   copies, so a new challenge can replace them meanwhile.
 * - tokens, n_tokens: tok_mu, which also serialises token requests (one per scope at a time).
 */
#ifndef WI_REGCLIENT_INT_H
#define WI_REGCLIENT_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/auth.h"
#include "lib/creds.h"
#include "lib/http.h"
#include "lib/regclient.h"

#define MAX_TOKENS 32

struct token_entry {
  char *scope;
  char *token;
  double expires_at;
};

enum auth_kind { AUTH_UNKNOWN, AUTH_BASIC, AUTH_BEARER };

struct wi_regclient {
  char *host;            /* as in the reference: credentials and messages */
  char *api_host;        /* where requests go */
  char *base;            /* "https://api_host" or "http://api_host" */
  bool may_switch;       /* the other scheme may be tried while !scheme_settled */
  bool scheme_settled;   /* a response arrived: the scheme in base is final */
  bool fell_back;        /* https failed and base is now http */
  char https_error[512]; /* why https failed, for messages after the fallback */
  int retries;
  int64_t chunk_size;
  bool tls_skip_verify;
  char *username, *password, *authfile, *registry_token, *user_agent, *ca_dir;
  const int *cancel; /* optional: transfers stop when it becomes non-zero */

  pthread_mutex_t mu; /* pool, scheme, auth kind and challenge, credential loading */
  struct wi_http **pool;
  size_t n_pool;
  enum auth_kind kind;
  char *realm, *service;
  bool creds_loaded;
  bool have_cred;
  struct wi_cred cred;

  pthread_mutex_t tok_mu; /* token cache and token requests */
  struct token_entry tokens[MAX_TOKENS];
  size_t n_tokens;
};

/* One logical registry request. */
struct rreq {
  const char *method;
  const char *url;   /* absolute, or a path starting with "/" */
  const char *scope; /* "repository:x:pull"; NULL for none */
  const char *repo;  /* for credential lookup; may be NULL */
  const char *what;  /* "host/repo: action", for messages */
  const char *const *headers;
  const void *body;
  size_t body_len;
  int body_fd;
  int64_t body_offset;
  int64_t body_fd_len;
  wi_http_write_fn write_fn;
  void *write_payload;
  size_t max_body;
  wi_http_progress_fn progress_fn;
  void *progress_payload;
  bool follow;
  bool no_net_retry; /* the caller resumes after a network error itself */
};

#define RREQ_INIT .body_fd = -1
void wi_regclient_sleep(double s);
/* s (a header value, a URL from the registry) with control characters escaped into out, for a
 * message; returns out. */
const char *wi_regclient_shown(const char *s, char *out, size_t outlen);
/* Set err from a failed response: status, the registry's error code and message (escaped), and for
 * a denial of an OCIR-style "namespace/user" login outside its namespace, a hint saying so. repo
 * may be NULL. */
int wi_regclient_status_error(struct wi_regclient *rc, const char *repo,
                              const struct wi_http_resp *resp, const char *what, wi_err *err);
/* As wi_regclient_status_error for the answer to the HEAD request rr, which has no body: the
 * request is sent again as a GET to learn the registry's error code and message. */
int wi_regclient_head_error(struct wi_regclient *rc, const struct rreq *rr,
                            const struct wi_http_resp *resp, wi_err *err);
/* u made absolute against the client's base URL (malloc'ed). */
char *wi_regclient_abs_url(struct wi_regclient *rc, const char *u);
/* Send rr with authentication, retries and the token flow. */
int wi_regclient_do(struct wi_regclient *rc, const struct rreq *rr, struct wi_http_resp *resp,
                    wi_err *err);
/* "repository:<repo>:<actions>" (malloc'ed). */
char *wi_regclient_repo_scope(const char *repo, const char *actions);

#endif
