/* Registry HTTP layer: libmicrohttpd (the only file that uses it), server start/stop, the worker
 * pool, connection deadlines and the config file.
 *
 * Threads. libmicrohttpd runs an epoll event loop on a small pool of threads, so a connection that
 * only sits there costs a few kilobytes, not a thread. Handlers that may block on the disk (fsync
 * at the end of an upload, manifest writes, gc.lock, directory walks) must not stall the other
 * connections of their loop: for those requests (wi_regserver_routes_req_may_block) the connection
 * is suspended, req_begin / req_end run on a worker thread, and the worker resumes it. Request
 * bodies are written from the event loop: a write into the page cache is short, and handing every
 * chunk to a worker would copy it (libmicrohttpd moves unconsumed data while a connection is
 * suspended).
 *
 * Deadlines. libmicrohttpd's own timeout is an inactivity timeout, which a client renews with one
 * byte now and then. A housekeeping thread therefore gives every connection an absolute deadline
 * for its request line and headers (--header-timeout from the connection's start, --idle-timeout
 * after a response on a kept-alive connection) and shuts down the socket of any connection past
 * it; libmicrohttpd then closes it. The table is locked around the shutdown and the connection's
 * removal (which libmicrohttpd reports before it closes the descriptor), so a descriptor number is
 * never shut down after it was reused. The same thread starts the reaping of stale uploads.
 *
 * Blob bodies go out with MHD_create_response_from_fd_at_offset64 (sendfile on plain HTTP); HEAD
 * answers come from stat and never open the blob. Each request logs one line at INFO, escaped.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/regserver_int.h"
#include "lib/util.h"

/* Per-connection memory of libmicrohttpd: request line, headers and the read buffer for bodies.
 * Untouched pages cost nothing, so an idle connection stays small. */
#define CONN_MEMORY_LIMIT (128 * 1024)
#define WORKERS           16  /* threads for handlers that may block */
#define FD_RESERVE        256 /* descriptors kept for blobs, uploads and the housekeeping */
#define REAP_MAX_INTERVAL 600 /* seconds between two scans for stale uploads, at most */
#define TICK_MS           250 /* housekeeping period */

enum phase {
  PH_NEW,        /* request line seen, headers not yet handled */
  PH_BEGIN_WAIT, /* req_begin runs on a worker */
  PH_BODY,       /* begun: body chunks, then the final call */
  PH_END_WAIT,   /* req_end runs on a worker */
  PH_DONE,       /* response queued */
};

/* One per TCP connection (libmicrohttpd's socket context). */
struct conn_state {
  struct conn_state *prev, *next;
  int fd;
  double deadline; /* for the next request's headers; 0 = none (a request is being handled) */
};

struct job {
  struct job *next;
  void (*fn)(struct wi_regserver *s, void *arg);
  void *arg;
};

struct wi_regserver {
  struct wi_rs_server srv;
  struct MHD_Daemon *d;
  char *tls_cert_pem;
  char *tls_key_pem;
  int header_timeout;
  int idle_timeout;
  int upload_ttl;
  /* connections and their deadlines */
  pthread_mutex_t conn_mu;
  struct conn_state *conns;
  /* worker pool */
  pthread_mutex_t job_mu;
  pthread_cond_t job_cv;  /* a job was queued, or quit */
  pthread_cond_t idle_cv; /* the queue ran empty and no job runs */
  struct job *job_head, *job_tail;
  size_t jobs_running;
  bool jobs_stopping; /* run jobs inline from now on */
  bool jobs_quit;
  pthread_t workers[WORKERS];
  size_t n_workers;
  /* housekeeping */
  pthread_t hk;
  bool hk_running;
  bool hk_quit;
  pthread_cond_t hk_cv; /* uses conn_mu */
  bool reaping;         /* a reap job is queued or running (job_mu) */
};

/* A request. The handlers' part (r, a few kilobytes) is allocated once the headers are in: a
 * connection that sent half a request line costs only this. */
struct conn_req {
  struct wi_rs_req *r;
  struct wi_regserver *s;
  struct MHD_Connection *conn;
  struct conn_state *cs;
  enum phase phase;
  char *method;
  char *path;     /* decoded, for the handlers */
  char *log_path; /* as sent, without the query, for the log */
  const char *raw_uri;
  size_t raw_len;
  bool bad_target; /* NUL (raw or %00) in the request target */
  double start;
  int status;
  uint64_t bytes;
};

static double
now_mono(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- accessors for the handlers ---- */

static const char *
op_header(struct wi_rs_req *r, const char *name)
{
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static const char *
op_query(struct wi_rs_req *r, const char *name)
{
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct collect {
  const char *name;
  const char **out;
  size_t max;
  size_t n;
};

static enum MHD_Result
collect_cb(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  struct collect *c = cls;
  WI_UNUSED(kind);
  if (key && strcasecmp(key, c->name) == 0) {
    if (c->n < c->max)
      c->out[c->n] = value ? value : "";
    c->n++;
  }
  return MHD_YES;
}

/* Counts every value, even beyond max, so callers can refuse a repeated single-valued one. */
static size_t
op_query_all(struct wi_rs_req *r, const char *name, const char **out, size_t max)
{
  struct collect c = { name, out, max, 0 };
  MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_cb, &c);
  return c.n;
}

static size_t
op_header_all(struct wi_rs_req *r, const char *name, const char **out, size_t max)
{
  struct collect c = { name, out, max, 0 };
  MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_cb, &c);
  return c.n < max ? c.n : max;
}

static const struct wi_rs_req_ops req_ops = { op_header, op_query, op_query_all, op_header_all };

/* ---- worker pool ---- */

static void *
worker_main(void *arg)
{
  struct wi_regserver *s = arg;

  pthread_mutex_lock(&s->job_mu);
  for (;;) {
    while (s->job_head == NULL && !s->jobs_quit)
      pthread_cond_wait(&s->job_cv, &s->job_mu);
    if (s->job_head == NULL)
      break;
    struct job *j = s->job_head;
    s->job_head = j->next;
    if (s->job_head == NULL)
      s->job_tail = NULL;
    s->jobs_running++;
    pthread_mutex_unlock(&s->job_mu);
    j->fn(s, j->arg);
    free(j);
    pthread_mutex_lock(&s->job_mu);
    s->jobs_running--;
    if (s->job_head == NULL && s->jobs_running == 0)
      pthread_cond_broadcast(&s->idle_cv);
  }
  pthread_mutex_unlock(&s->job_mu);
  return NULL;
}

/* Queue fn(arg) for a worker; false when the server is stopping (the caller runs it itself). */
static bool
job_submit(struct wi_regserver *s, void (*fn)(struct wi_regserver *, void *), void *arg)
{
  pthread_mutex_lock(&s->job_mu);
  if (s->jobs_stopping || s->n_workers == 0) {
    pthread_mutex_unlock(&s->job_mu);
    return false;
  }
  struct job *j = wi_xcalloc(1, sizeof *j);
  j->fn = fn;
  j->arg = arg;
  if (s->job_tail)
    s->job_tail->next = j;
  else
    s->job_head = j;
  s->job_tail = j;
  pthread_cond_signal(&s->job_cv);
  pthread_mutex_unlock(&s->job_mu);
  return true;
}

/* ---- responses ---- */

static ssize_t
empty_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
  WI_UNUSED(cls);
  WI_UNUSED(pos);
  WI_UNUSED(buf);
  WI_UNUSED(max);
  return MHD_CONTENT_READER_END_OF_STREAM;
}

static enum MHD_Result
send_response(struct MHD_Connection *conn, struct conn_req *cr)
{
  struct wi_rs_resp *rs = &cr->r->resp;
  struct MHD_Response *resp;

  cr->phase = PH_DONE;
  if (rs->head_only) {
    resp = MHD_create_response_from_callback(rs->content_length, 4096, empty_reader, NULL, NULL);
    cr->bytes = 0;
  } else if (rs->fd >= 0) {
    /* MHD owns the descriptor from here (and sends it with sendfile). */
    resp = MHD_create_response_from_fd_at_offset64(rs->fd_len, wi_steal_fd(&rs->fd), rs->fd_offset);
    cr->bytes = rs->fd_len;
  } else {
    size_t len = rs->body.len;
    char *data = wi_buf_steal(&rs->body);
    resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    cr->bytes = len;
  }
  if (resp == NULL)
    return MHD_NO;
  for (size_t i = 0; i < rs->n_headers; i++)
    MHD_add_response_header(resp, rs->headers[i].name, rs->headers[i].value);
  cr->status = rs->status;
  enum MHD_Result ret = MHD_queue_response(conn, (unsigned int)rs->status, resp);
  MHD_destroy_response(resp);
  return ret;
}

static bool
has_body(struct MHD_Connection *conn)
{
  const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
  const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
  return (cl && strtoull(cl, NULL, 10) > 0) || te != NULL;
}

/* ---- request handling ---- */

/* Runs req_begin or req_end (by phase) on a worker, then lets the event loop continue. */
static void
phase_job(struct wi_regserver *s, void *arg)
{
  struct conn_req *cr = arg;
  WI_UNUSED(s);
  if (cr->phase == PH_BEGIN_WAIT)
    wi_regserver_routes_req_begin(cr->r);
  else
    wi_regserver_routes_req_end(cr->r);
  MHD_resume_connection(cr->conn);
}

static void
offload(struct conn_req *cr, enum phase wait)
{
  cr->phase = wait;
  MHD_suspend_connection(cr->conn);
  if (!job_submit(cr->s, phase_job, cr))
    phase_job(cr->s, cr); /* stopping: inline, then resume right away */
}

static void
client_address(struct MHD_Connection *conn, char *out, size_t outlen)
{
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  const struct sockaddr *sa = ci ? ci->client_addr : NULL;

  snprintf(out, outlen, "-");
  if (sa && sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
              (socklen_t)outlen);
  else if (sa && sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
              (socklen_t)outlen);
}

/* First call for a request: its headers are in. */
static enum MHD_Result
request_headers(struct wi_regserver *s, struct MHD_Connection *conn, struct conn_req *cr,
                const char *url, const char *method, const char *version)
{
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

  cr->conn = conn;
  cr->cs = ci ? ci->socket_context : NULL;
  if (cr->cs) { /* the headers arrived in time: no deadline while the request is handled */
    pthread_mutex_lock(&s->conn_mu);
    cr->cs->deadline = 0;
    pthread_mutex_unlock(&s->conn_mu);
  }
  /* The request target was seen raw (uri_logger). libmicrohttpd decodes it in place into C
   * strings, so a NUL, sent raw or as %00, would silently cut a path or parameter short
   * ("manifests/1%00.json" acting on tag 1). A raw NUL shows as a raw target shorter than the
   * space before the HTTP version, which libmicrohttpd's parser leaves where it found it. */
  uintptr_t u = (uintptr_t)cr->raw_uri, v = (uintptr_t)version;
  if (u && v > u && v - u < 65536 && v - 1 - u != cr->raw_len)
    cr->bad_target = true;
  cr->method = wi_xstrdup(method);
  cr->path = wi_xstrdup(url);
  cr->r = wi_xmalloc(sizeof *cr->r);
  wi_regserver_routes_req_init(cr->r, &s->srv, &req_ops, conn, cr->method, cr->path);
  client_address(conn, cr->r->peer, sizeof cr->r->peer);
  if (cr->bad_target) {
    wi_regserver_routes_req_reject(cr->r, 400, "NAME_INVALID",
                                   "NUL byte in the request path or a parameter");
  } else if (wi_regserver_routes_req_may_block(cr->r)) {
    offload(cr, PH_BEGIN_WAIT);
    return MHD_YES;
  } else {
    wi_regserver_routes_req_begin(cr->r);
  }
  cr->phase = PH_BODY;
  /* Decided before a body arrived (an error, or a 202 that ignores the body): answer now and let
   * MHD close the connection instead of reading what we would discard. Without a body, answer on
   * the final call, which keeps the connection alive. */
  if (cr->r->done && has_body(conn))
    return send_response(conn, cr);
  return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
  struct wi_regserver *s = cls;
  struct conn_req *cr = *con_cls;

  if (cr == NULL) { /* not seen by uri_logger: cannot happen, but stay safe */
    cr = wi_xcalloc(1, sizeof *cr);
    cr->s = s;
    cr->start = wi_util_now();
    *con_cls = cr;
  }
  switch (cr->phase) {
  case PH_NEW:
    return request_headers(s, conn, cr, url, method, version);
  case PH_BEGIN_WAIT: /* resumed after req_begin: libmicrohttpd repeats the first call */
    cr->phase = PH_BODY;
    if (cr->r->done && has_body(conn))
      return send_response(conn, cr);
    return MHD_YES;
  case PH_BODY:
    if (*upload_data_size) {
      bool keep =
          cr->r->done || wi_regserver_routes_req_body(cr->r, upload_data, *upload_data_size);
      *upload_data_size = 0;
      return keep ? MHD_YES : MHD_NO;
    }
    if (!cr->r->done && wi_regserver_routes_req_may_block(cr->r)) {
      offload(cr, PH_END_WAIT);
      return MHD_YES;
    }
    wi_regserver_routes_req_end(cr->r);
    return send_response(conn, cr);
  case PH_END_WAIT: /* resumed after req_end: the final call again */
    return send_response(conn, cr);
  case PH_DONE:
  default:
    *upload_data_size = 0;
    return MHD_YES;
  }
}

/* Sees each request line before libmicrohttpd decodes it: keeps the raw target for the NUL check
 * and the log. Its result is the request's context. */
static void *
uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
  struct conn_req *cr = wi_xcalloc(1, sizeof *cr);
  size_t n = uri ? strlen(uri) : 0;

  WI_UNUSED(conn);
  cr->s = cls;
  cr->start = wi_util_now();
  cr->raw_uri = uri;
  cr->raw_len = n;
  cr->log_path = wi_xstrndup(uri ? uri : "", strcspn(uri ? uri : "", "?"));
  for (size_t i = 0; i + 2 < n; i++)
    if (uri[i] == '%' && uri[i + 1] == '0' && uri[i + 2] == '0')
      cr->bad_target = true;
  return cr;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
  struct wi_regserver *s = cls;
  struct conn_req *cr = *con_cls;

  WI_UNUSED(conn);
  if (cr == NULL)
    return;
  if (cr->cs) { /* kept alive: the next request gets --idle-timeout to arrive */
    pthread_mutex_lock(&s->conn_mu);
    cr->cs->deadline = now_mono() + s->idle_timeout;
    pthread_mutex_unlock(&s->conn_mu);
  }
  double ms = (wi_util_now() - cr->start) * 1000.0;
  const char *m = cr->method ? cr->method : "-";
  const char *p = cr->log_path ? cr->log_path : "-";
  if (cr->r && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
    wi_regserver_routes_log(WI_LOG_INFO, "%s %s %d %llu %.1fms %s%s%s", m, p, cr->status,
                            (unsigned long long)cr->bytes, ms, cr->r->peer,
                            cr->r->user[0] ? " user=" : "", cr->r->user);
  else if (cr->r) /* the request got as far as its headers */
    wi_regserver_routes_log(WI_LOG_INFO, "%s %s %d aborted (%d) %.1fms %s", m, p, cr->status,
                            (int)toe, ms, cr->r->peer);
  if (cr->r) {
    wi_regserver_routes_req_dispose(cr->r);
    free(cr->r);
  }
  free(cr->method);
  free(cr->path);
  free(cr->log_path);
  free(cr);
  *con_cls = NULL;
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
              enum MHD_ConnectionNotificationCode code)
{
  struct wi_regserver *s = cls;
  struct conn_state *cs = *socket_context;

  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    cs = wi_xcalloc(1, sizeof *cs);
    cs->fd = ci ? ci->connect_fd : -1;
    pthread_mutex_lock(&s->conn_mu);
    cs->deadline = now_mono() + s->header_timeout;
    cs->next = s->conns;
    if (s->conns)
      s->conns->prev = cs;
    s->conns = cs;
    pthread_mutex_unlock(&s->conn_mu);
    *socket_context = cs;
    return;
  }
  if (cs == NULL)
    return;
  pthread_mutex_lock(&s->conn_mu);
  if (cs->prev)
    cs->prev->next = cs->next;
  else
    s->conns = cs->next;
  if (cs->next)
    cs->next->prev = cs->prev;
  pthread_mutex_unlock(&s->conn_mu);
  free(cs);
  *socket_context = NULL;
}

static void mhd_logger(void *cls, const char *fmt, va_list ap) WI_PRINTF(2, 0);

static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
  char msg[512];
  WI_UNUSED(cls);
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n = strlen(msg);
  while (n && msg[n - 1] == '\n')
    msg[--n] = '\0';
  wi_regserver_routes_log(WI_LOG_DEBUG, "http: %s", msg); /* mostly TLS probes on a plain port */
}

/* ---- housekeeping: deadlines and stale uploads ---- */

static void
reap_job(struct wi_regserver *s, void *arg)
{
  size_t n = 0;
  wi_err err = { 0 };

  WI_UNUSED(arg);
  if (wi_regserver_space_reap_uploads(s->srv.root, s->upload_ttl, &n, &err) < 0)
    wi_regserver_routes_log(WI_LOG_ERROR, "removing stale uploads: %s", err.msg);
  else if (n)
    wi_regserver_routes_log(WI_LOG_INFO, "removed %zu upload(s) idle for more than %d s", n,
                            s->upload_ttl);
  pthread_mutex_lock(&s->job_mu);
  s->reaping = false;
  pthread_mutex_unlock(&s->job_mu);
}

/* Shut down the sockets of connections past their deadline; returns how many. Call locked. */
static size_t
expire_locked(struct wi_regserver *s, double now)
{
  size_t n = 0;
  for (struct conn_state *cs = s->conns; cs; cs = cs->next) {
    if (cs->deadline > 0 && now >= cs->deadline && cs->fd >= 0) {
      shutdown(cs->fd, SHUT_RDWR);
      cs->deadline = 0;
      n++;
    }
  }
  return n;
}

static void *
housekeeping_main(void *arg)
{
  struct wi_regserver *s = arg;
  int reap_every = s->upload_ttl / 4;
  double next_reap;

  if (reap_every > REAP_MAX_INTERVAL)
    reap_every = REAP_MAX_INTERVAL;
  if (reap_every < 1)
    reap_every = 1;
  next_reap = now_mono() + reap_every;
  pthread_mutex_lock(&s->conn_mu);
  while (!s->hk_quit) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += TICK_MS * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&s->hk_cv, &s->conn_mu, &ts);
    if (s->hk_quit)
      break;
    double now = now_mono();
    size_t n = expire_locked(s, now);
    pthread_mutex_unlock(&s->conn_mu);
    if (n)
      wi_regserver_routes_log(WI_LOG_INFO,
                              "closed %zu connection(s) that sent no complete request in time", n);
    if (now >= next_reap) {
      next_reap = now + reap_every;
      pthread_mutex_lock(&s->job_mu);
      bool start = !s->reaping;
      s->reaping = true;
      pthread_mutex_unlock(&s->job_mu);
      if (start && !job_submit(s, reap_job, NULL)) {
        pthread_mutex_lock(&s->job_mu);
        s->reaping = false;
        pthread_mutex_unlock(&s->job_mu);
      }
    }
    pthread_mutex_lock(&s->conn_mu);
  }
  pthread_mutex_unlock(&s->conn_mu);
  return NULL;
}

/* ---- start and stop ---- */

/* "host:port", "[v6]:port" or ":port" into a socket address. */
static int
parse_listen(const char *listen, struct sockaddr_storage *ss, bool *v6, wi_err *err)
{
  char host[256];
  const char *colon;
  char *end = NULL;

  memset(ss, 0, sizeof *ss);
  *v6 = false;
  if (listen[0] == '[') {
    const char *rb = strchr(listen, ']');
    if (rb == NULL || rb[1] != ':' || (size_t)(rb - listen - 1) >= sizeof host)
      return wi_err_set(err, WI_EINVAL, "invalid listen address %s", listen);
    snprintf(host, sizeof host, "%.*s", (int)(rb - listen - 1), listen + 1);
    colon = rb + 1;
    *v6 = true;
  } else {
    colon = strrchr(listen, ':');
    if (colon == NULL || (size_t)(colon - listen) >= sizeof host)
      return wi_err_set(err, WI_EINVAL, "invalid listen address %s (expected HOST:PORT)", listen);
    snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
  }
  long port = strtol(colon + 1, &end, 10);
  if (end == colon + 1 || *end || port < 0 || port > 65535)
    return wi_err_set(err, WI_EINVAL, "invalid port in listen address %s", listen);
  if (*v6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
      return wi_err_set(err, WI_EINVAL, "invalid IPv6 address in %s", listen);
    return 0;
  }
  struct sockaddr_in *a = (struct sockaddr_in *)ss;
  a->sin_family = AF_INET;
  a->sin_port = htons((uint16_t)port);
  if (host[0] == '\0' || strcmp(host, "0.0.0.0") == 0)
    a->sin_addr.s_addr = htonl(INADDR_ANY);
  else if (strcmp(host, "localhost") == 0)
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  else if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
    return wi_err_set(err, WI_EINVAL, "invalid IPv4 address in %s (use a numeric address)", listen);
  return 0;
}

static bool
is_loopback(const struct sockaddr_storage *ss, bool v6)
{
  if (v6)
    return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr);
  uint32_t a = ntohl(((const struct sockaddr_in *)(const void *)ss)->sin_addr.s_addr);
  return (a >> 24) == 127;
}

/* http(s)://host[:port][/path]: no userinfo, query, fragment, quotes or spaces (it goes into a
 * quoted challenge parameter). */
static int
check_public_url(const char *u, wi_err *err)
{
  const char *rest = NULL;

  if (strncmp(u, "https://", 8) == 0)
    rest = u + 8;
  else if (strncmp(u, "http://", 7) == 0)
    rest = u + 7;
  if (rest == NULL || *rest == '\0' || *rest == '/')
    return wi_err_set(err, WI_EINVAL, "--public-url %s: expected http(s)://HOST[:PORT][/PATH]", u);
  for (const char *p = u; *p; p++)
    if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr("\"\\?#@<>", *p))
      return wi_err_set(err, WI_EINVAL,
                        "--public-url %s: character '%c' not allowed (no query, fragment, "
                        "credentials or quotes)",
                        u, *p);
  return 0;
}

static int
prepare_root(const char *root, wi_err *err)
{
  wi_autofree char *blobs = wi_xasprintf("%s/blobs/sha256", root);
  wi_autofree char *repos = wi_xasprintf("%s/repos", root);
  if (wi_regserver_storage_mkdir(blobs, err) < 0 || wi_regserver_storage_mkdir(repos, err) < 0)
    return wi_err_wrap(err, "registry root");
  /* A root made by an older version may be 0755: what it holds is private. */
  if (chmod(root, 0700) < 0)
    return wi_err_sys(err, WI_EIO, "registry root: chmod %s", root);
  return 0;
}

/* Raise the open-file limit for the connections; returns the connection limit it allows. */
static unsigned
fd_budget(unsigned want)
{
  struct rlimit rl;

  if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
    return want;
  if (rl.rlim_cur < rl.rlim_max) {
    rlim_t old = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
      rl.rlim_cur = old;
  }
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)want + FD_RESERVE)
    return want;
  unsigned got = rl.rlim_cur > 2 * FD_RESERVE ? (unsigned)(rl.rlim_cur - FD_RESERVE) : 64;
  wi_log(WI_LOG_WARN,
         "registry: the open-file limit (%llu) allows %u connections, not %u; raise ulimit -n",
         (unsigned long long)rl.rlim_cur, got, want);
  return got;
}

static int
opt_or(int v, int def)
{
  return v > 0 ? v : def;
}

static uint64_t
limit_or(uint64_t v, uint64_t def)
{
  return v ? v : def;
}

static int
start_daemon(struct wi_regserver *s, const struct wi_regserver_opts *o, struct sockaddr_storage *ss,
             bool v6, wi_err *err)
{
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  /* More loop threads than cores, so that one blocked in a page-cache miss (sendfile of a cold
   * blob) delays only the connections it carries. */
  unsigned pool = (unsigned)(ncpu > 0 ? ncpu : 1) * 4;
  unsigned limit =
      fd_budget((unsigned)opt_or(o->max_connections, WI_REGSERVER_DEFAULT_MAX_CONNECTIONS));
  unsigned per_ip = (unsigned)opt_or(o->max_connections_per_ip, WI_REGSERVER_DEFAULT_MAX_PER_IP);
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                       MHD_USE_ERROR_LOG;

  if (pool > 32)
    pool = 32;
  if (pool > limit)
    pool = limit;
  if (v6)
    flags |= MHD_USE_IPv6;
  if (s->srv.tls)
    flags |= MHD_USE_TLS;
  struct MHD_OptionItem opts[] = {
    { MHD_OPTION_SOCK_ADDR, 0, ss },
    { MHD_OPTION_THREAD_POOL_SIZE, pool, NULL },
    { MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s },
    { MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, s },
    { MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_logger, s },
    { MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY_LIMIT, NULL },
    { MHD_OPTION_CONNECTION_TIMEOUT, s->idle_timeout, NULL },
    { MHD_OPTION_CONNECTION_LIMIT, limit, NULL },
    { MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, NULL },
    { MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_logger, NULL },
    { s->srv.tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->tls_cert_pem },
    { s->srv.tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, s->tls_key_pem },
    { MHD_OPTION_END, 0, NULL },
  };
  s->d =
      MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
  if (s->d == NULL)
    return wi_err_set(err, WI_ERR,
                      "registry: cannot listen on %s (address in use, or bad TLS files?)",
                      o->listen);
  wi_log(WI_LOG_DEBUG, "registry: %u event-loop threads, %u connections (%u per address)", pool,
         limit, per_ip);
  return 0;
}

static int
start_threads(struct wi_regserver *s, wi_err *err)
{
  for (size_t i = 0; i < WORKERS; i++) {
    if (pthread_create(&s->workers[i], NULL, worker_main, s) != 0)
      return wi_err_set(err, WI_ERR, "registry: cannot start worker threads");
    s->n_workers++;
  }
  if (pthread_create(&s->hk, NULL, housekeeping_main, s) != 0)
    return wi_err_set(err, WI_ERR, "registry: cannot start the housekeeping thread");
  s->hk_running = true;
  return 0;
}

int
wi_regserver_http_start(struct wi_regserver **out, const struct wi_regserver_opts *o, wi_err *err)
{
  struct sockaddr_storage ss;
  bool v6 = false;
  size_t len = 0;

  if (o->root == NULL || o->listen == NULL)
    return wi_err_set(err, WI_EINVAL, "registry: root and listen address are required");
  if ((o->tls_cert == NULL) != (o->tls_key == NULL))
    return wi_err_set(err, WI_EINVAL, "registry: --tls-cert and --tls-key go together");
  if (o->public_url && check_public_url(o->public_url, err) < 0)
    return err->code;
  if (parse_listen(o->listen, &ss, &v6, err) < 0 || prepare_root(o->root, err) < 0)
    return err->code;
  struct wi_regserver *s = wi_xcalloc(1, sizeof *s);
  pthread_mutex_init(&s->conn_mu, NULL);
  pthread_mutex_init(&s->job_mu, NULL);
  pthread_cond_init(&s->job_cv, NULL);
  pthread_cond_init(&s->idle_cv, NULL);
  pthread_cond_init(&s->hk_cv, NULL);
  s->srv.root = wi_xstrdup(o->root);
  s->srv.auth_mode = o->auth;
  s->srv.tls = o->tls_cert != NULL;
  if (o->public_url) {
    s->srv.public_url = wi_xstrdup(o->public_url);
    size_t n = strlen(s->srv.public_url);
    while (n && s->srv.public_url[n - 1] == '/')
      s->srv.public_url[--n] = '\0';
  }
  s->srv.max_upload = limit_or(o->max_upload_size, WI_REGSERVER_DEFAULT_MAX_UPLOAD);
  s->srv.ns_quota = limit_or(o->namespace_quota, WI_REGSERVER_DEFAULT_NS_QUOTA);
  s->header_timeout = opt_or(o->header_timeout, WI_REGSERVER_DEFAULT_HEADER_TIMEOUT);
  s->idle_timeout = opt_or(o->idle_timeout, WI_REGSERVER_DEFAULT_IDLE_TIMEOUT);
  s->upload_ttl = opt_or(o->upload_ttl, WI_REGSERVER_DEFAULT_UPLOAD_TTL);
  if (wi_regserver_auth_new(&s->srv.auth, o->root, o->token_ttl, err) < 0)
    goto fail;
  if (s->srv.tls) {
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
      wi_err_set(err, WI_EUNSUPPORTED, "registry: this libmicrohttpd has no TLS support");
      goto fail;
    }
    if (wi_fs_read_file(o->tls_cert, 1 << 20, &s->tls_cert_pem, &len, err) < 0 ||
        wi_fs_read_file(o->tls_key, 1 << 20, &s->tls_key_pem, &len, err) < 0) {
      wi_err_wrap(err, "registry TLS");
      goto fail;
    }
  }
  if (start_threads(s, err) < 0 || start_daemon(s, o, &ss, v6, err) < 0)
    goto fail;
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
  unsigned port = info ? info->port : 0;
  char host[INET6_ADDRSTRLEN] = "127.0.0.1";
  if (v6)
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
  else if (((struct sockaddr_in *)&ss)->sin_addr.s_addr != htonl(INADDR_ANY))
    inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
  s->srv.listen = v6 ? wi_xasprintf("[%s]:%u", host, port) : wi_xasprintf("%s:%u", host, port);
  if (!is_loopback(&ss, v6)) {
    if (o->auth == WI_REGSERVER_AUTH_NONE)
      wi_log(WI_LOG_WARN,
             "registry: --auth none on %s, which is not a loopback address: anyone who can "
             "reach it may push, overwrite and delete images (use --auth token)",
             o->listen);
    else if (!s->srv.tls)
      wi_log(WI_LOG_WARN,
             "registry: plain HTTP on %s, which is not a loopback address: auth tokens and "
             "bearer tokens cross the network in clear (use --tls-cert/--tls-key or a TLS proxy)",
             o->listen);
  }
  *out = s;
  return 0;
fail:
  wi_regserver_http_stop(s);
  return err->code;
}

const char *
wi_regserver_http_address(const struct wi_regserver *s)
{
  return s->srv.listen;
}

void
wi_regserver_http_stop(struct wi_regserver *s)
{
  if (s == NULL)
    return;
  if (s->hk_running) {
    pthread_mutex_lock(&s->conn_mu);
    s->hk_quit = true;
    pthread_cond_signal(&s->hk_cv);
    pthread_mutex_unlock(&s->conn_mu);
    pthread_join(s->hk, NULL);
  }
  /* No connection may stay suspended when the daemon stops: from here on handlers run inline, and
   * the jobs already queued finish (and resume their connections) first. */
  if (s->d)
    MHD_quiesce_daemon(s->d);
  pthread_mutex_lock(&s->job_mu);
  s->jobs_stopping = true;
  while (s->job_head || s->jobs_running)
    pthread_cond_wait(&s->idle_cv, &s->job_mu);
  pthread_mutex_unlock(&s->job_mu);
  if (s->d)
    MHD_stop_daemon(s->d);
  pthread_mutex_lock(&s->job_mu);
  s->jobs_quit = true;
  pthread_cond_broadcast(&s->job_cv);
  pthread_mutex_unlock(&s->job_mu);
  for (size_t i = 0; i < s->n_workers; i++)
    pthread_join(s->workers[i], NULL);
  wi_regserver_auth_free(s->srv.auth);
  free(s->srv.root);
  free(s->srv.listen);
  free(s->srv.public_url);
  free(s->tls_cert_pem);
  if (s->tls_key_pem)
    wi_alloc_secret_free(s->tls_key_pem);
  pthread_cond_destroy(&s->hk_cv);
  pthread_cond_destroy(&s->idle_cv);
  pthread_cond_destroy(&s->job_cv);
  pthread_mutex_destroy(&s->job_mu);
  pthread_mutex_destroy(&s->conn_mu);
  free(s);
}

/* ---- config file ---- */

int
wi_regserver_http_size_parse(const char *s, const char *what, uint64_t *out, wi_err *err)
{
  char *end = NULL;
  uint64_t v, mul = 1;

  if (strcmp(s, "unlimited") == 0) {
    *out = WI_REGSERVER_UNLIMITED;
    return 0;
  }
  if (*s < '0' || *s > '9')
    goto bad;
  errno = 0;
  v = strtoull(s, &end, 10);
  if (errno)
    goto bad;
  if (*end) { /* K, M, G or T: binary multiples */
    static const char units[] = "KMGT";
    const char *u = strchr(units, toupper((unsigned char)*end));
    if (u == NULL)
      goto bad;
    mul = 1ULL << (10 * (u - units + 1));
  }
  if (*end && end[1] != '\0' && strcmp(end + 1, "i") != 0 && strcmp(end + 1, "iB") != 0 &&
      strcmp(end + 1, "B") != 0)
    goto bad;
  if (__builtin_mul_overflow(v, mul, out))
    goto bad;
  if (*out == 0)
    *out = WI_REGSERVER_UNLIMITED;
  return 0;
bad:
  return wi_err_set(err, WI_EINVAL,
                    "%s: invalid size '%s' (bytes, or a number with K, M, G or T; 0 or "
                    "'unlimited' for no limit)",
                    what, s);
}

static char *
cfg_string(json_t *j, const char *key)
{
  const char *v = json_string_value(json_object_get(j, key));
  return v ? wi_xstrdup(v) : NULL;
}

static const char *const cfg_strings[] = { "listen",   "root",    "auth",
                                           "tls_cert", "tls_key", "public_url" };
static const char *const cfg_ints[] = {
  "token_ttl",      "max_connections", "max_connections_per_ip",
  "header_timeout", "idle_timeout",    "upload_ttl"
};
static const char *const cfg_sizes[] = { "max_upload_size", "namespace_quota" };

static bool
in_list(const char *key, const char *const *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(key, v[i]) == 0)
      return true;
  return false;
}

/* A size setting: a non-negative integer (bytes) or a string such as "10G". */
static int
cfg_size(json_t *j, const char *path, const char *key, uint64_t *out, wi_err *err)
{
  json_t *v = json_object_get(j, key);
  char what[300];

  snprintf(what, sizeof what, "%s: %s", path, key);
  if (v == NULL)
    return 0;
  if (json_is_string(v))
    return wi_regserver_http_size_parse(json_string_value(v), what, out, err);
  if (json_integer_value(v) < 0)
    return wi_err_set(err, WI_EINVAL, "%s: must not be negative", what);
  *out = json_integer_value(v) ? (uint64_t)json_integer_value(v) : WI_REGSERVER_UNLIMITED;
  return 0;
}

static int
cfg_int(json_t *j, const char *key)
{
  json_int_t v = json_integer_value(json_object_get(j, key));
  return v > 0 && v < INT32_MAX ? (int)v : 0;
}

int
wi_regserver_http_config_load(struct wi_regserver_config *cfg, const char *path, wi_err *err)
{
  json_error_t jerr;
  const char *key;
  json_t *v;

  memset(cfg, 0, sizeof *cfg);
  json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (j == NULL)
    return wi_err_set(err, WI_EINVAL, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
  if (!json_is_object(j)) {
    json_decref(j);
    return wi_err_set(err, WI_EINVAL, "%s: expected a JSON object", path);
  }
  json_object_foreach (j, key, v) {
    bool is_str = in_list(key, cfg_strings, WI_ARRAY_SIZE(cfg_strings));
    bool is_int = in_list(key, cfg_ints, WI_ARRAY_SIZE(cfg_ints));
    bool is_size = in_list(key, cfg_sizes, WI_ARRAY_SIZE(cfg_sizes));
    bool type_ok = is_str   ? json_is_string(v)
                   : is_int ? json_is_integer(v) && json_integer_value(v) >= 0 &&
                                  json_integer_value(v) < INT32_MAX
                   : is_size ? json_is_string(v) || json_is_integer(v)
                             : false;
    if (!type_ok) {
      wi_err_set(err, WI_EINVAL, "%s: %s: %s", path, key,
                 is_str || is_int || is_size ? "wrong type" : "unknown setting");
      json_decref(j);
      return WI_EINVAL;
    }
  }
  if (cfg_size(j, path, "max_upload_size", &cfg->max_upload_size, err) < 0 ||
      cfg_size(j, path, "namespace_quota", &cfg->namespace_quota, err) < 0) {
    json_decref(j);
    return err->code;
  }
  cfg->listen = cfg_string(j, "listen");
  cfg->root = cfg_string(j, "root");
  cfg->auth = cfg_string(j, "auth");
  cfg->tls_cert = cfg_string(j, "tls_cert");
  cfg->tls_key = cfg_string(j, "tls_key");
  cfg->public_url = cfg_string(j, "public_url");
  cfg->token_ttl = cfg_int(j, "token_ttl");
  cfg->max_connections = cfg_int(j, "max_connections");
  cfg->max_connections_per_ip = cfg_int(j, "max_connections_per_ip");
  cfg->header_timeout = cfg_int(j, "header_timeout");
  cfg->idle_timeout = cfg_int(j, "idle_timeout");
  cfg->upload_ttl = cfg_int(j, "upload_ttl");
  json_decref(j);
  return 0;
}

void
wi_regserver_http_config_dispose(struct wi_regserver_config *cfg)
{
  free(cfg->listen);
  free(cfg->root);
  free(cfg->auth);
  free(cfg->tls_cert);
  free(cfg->tls_key);
  free(cfg->public_url);
  memset(cfg, 0, sizeof *cfg);
}
