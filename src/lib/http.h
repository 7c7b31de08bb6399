/* wlsimg: the only module that talks to libcurl.
 *
 * One struct wi_http wraps one easy handle (connections are reused); use one per thread.
 * Always sets an error buffer, timeouts, CA locations, proxies from the environment and a redirect
 * policy that drops Authorization on a host change. A network failure is WI_ENET with the URL
 * (without userinfo) and libcurl's message; any HTTP status is a success of wi_http_do: callers
 * inspect resp->status. For callers that decide whether to retry, a WI_ENET error's sys_errno says
 * why: EHOSTUNREACH when the host name did not resolve, EPROTO when the TLS handshake or the
 * server's certificate failed, ETIMEDOUT on a timeout, else the operating system's errno of the
 * failed connection (ECONNREFUSED, …) or 0.
 */
#ifndef WI_HTTP_H
#define WI_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/buf.h"
#include "lib/err.h"

#define WI_HTTP_MAX_BODY (4 * 1024 * 1024) /* default cap for in-memory response bodies */

/* A zero-initialised struct is the safe configuration: certificates verified, default timeouts. */
struct wi_http_opts {
  bool tls_skip_verify;    /* true: accept any certificate (never the default) */
  const char *ca_file;     /* extra CA bundle (PEM), optional */
  const char *ca_dir;      /* certs.d/<host>/ directory: *.crt CAs, client.cert/client.key */
  const char *user_agent;  /* default "wlsimg/<version>" */
  long connect_timeout_ms; /* default 30000 */
  long low_speed_time_s;   /* abort when < 1 byte/s for this long; default 60 */
  const int *cancel;       /* optional: a transfer stops soon after *cancel becomes non-zero
                              (read atomically); the request fails with WI_ECANCELED */
  bool cookies;            /* keep cookies in memory across this handle's requests (a session);
                              libcurl sends each back only to the hosts that set it */
};

struct wi_http_header {
  char *name;
  char *value;
};

struct wi_http_resp {
  long status;
  struct wi_http_header *headers; /* of the final response (after redirects) */
  size_t n_headers;
  struct wi_buf body; /* in-memory body (unless streamed), capped at req->max_body */
  char *url;          /* effective URL */
};

typedef int (*wi_http_write_fn)(const void *data, size_t len, void *payload);
typedef void (*wi_http_progress_fn)(int64_t done, int64_t total, void *payload);

struct wi_http_req {
  const char *method; /* "GET", "HEAD", "PUT", "POST", "PATCH", "DELETE" */
  const char *url;
  const char *const *headers; /* "Name: value", NULL-terminated, optional */
  /* Request body: either memory … */
  const void *body;
  size_t body_len;
  /* … or a file range (body_fd >= 0 and body_fd_len > 0): body_fd_len bytes from body_offset,
   * read with pread. Content-Type is sent only when given in headers. */
  int body_fd;
  int64_t body_offset;
  int64_t body_fd_len;
  /* Response body: streamed to write_fn when the status is 2xx (else kept in memory for the
   * error message), or into resp->body capped at max_body (0 = WI_HTTP_MAX_BODY). A write_fn
   * returning < 0 aborts the transfer; its error is reported. */
  wi_http_write_fn write_fn;
  void *write_payload;
  size_t max_body;
  /* … or a multipart/form-data body of text parts: name, value, name, value, …, NULL. */
  const char *const *form;
  wi_http_progress_fn progress_fn; /* upload or download progress */
  void *progress_payload;
  bool follow_redirects; /* default false; registry GETs set true */
};

struct wi_http;

int wi_http_new(struct wi_http **out, const struct wi_http_opts *opts, wi_err *err);
void wi_http_free(struct wi_http *h);
static inline void
wi_http_freep(struct wi_http **pp)
{
  if (*pp)
    wi_http_free(*pp);
}
/* Perform a request. On success resp is filled (dispose it). Errors: WI_ENET, WI_ETOOBIG, or the
 * write_fn's error. */
int wi_http_do(struct wi_http *h, const struct wi_http_req *req, struct wi_http_resp *resp,
               wi_err *err);
void wi_http_resp_dispose(struct wi_http_resp *resp);
/* First header of that name (case-insensitive) or NULL. */
const char *wi_http_resp_header(const struct wi_http_resp *resp, const char *name);
/* Do two absolute http(s) URLs have the same origin: scheme, host and port (the scheme's default
 * port when none is given)? False when either does not parse. Credentials go only where this holds
 * for the URL they belong to. */
bool wi_http_same_origin(const char *a, const char *b);
/* Percent-encode for a query value. malloc'ed. */
char *wi_http_escape(const char *s);
/* "scheme://host:port" of an http or https URL, lower-cased, the port always written (443 and 80
 * by default), IPv6 hosts in brackets: two URLs have the same origin when these are equal.
 * malloc'ed; NULL when url is not an absolute http(s) URL. */
char *wi_http_url_origin(const char *url);
/* A redirect target (absolute, or relative to base) as an absolute URL. malloc'ed; NULL when
 * either cannot be parsed. */
char *wi_http_url_resolve(const char *base, const char *ref);
/* Global libcurl init (idempotent, thread-safe after the first call from main). */
void wi_http_global_init(void);

#endif
