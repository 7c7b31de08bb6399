/* wlsimg ui: libmicrohttpd server, request checks, static assets and the event stream. */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/ui_api.h"
#include "lib/ui_assets.h"
#include "lib/ui_jobs.h"
#include "lib/ui_server.h"
#include "lib/ui_session.h"
#include "lib/util.h"

#define CONN_TIMEOUT     120 /* s; event streams send a comment every KEEPALIVE_S */
#define KEEPALIVE_S      15
#define CSP              "default-src 'self'; frame-ancestors 'none'"
#define CSRF_HEADER      "X-Wlsimg-CSRF"
#define SESSION_MAX_BODY 4096

struct wi_ui_server {
  struct MHD_Daemon *d;
  struct wi_ui_api *api;
  struct wi_ui_session *sess;
  unsigned port;
  char host[INET6_ADDRSTRLEN + 8]; /* the listen address as a Host header names it */
  char *url;
  int stopping;  /* atomic */
  int n_streams; /* atomic */
};

struct creq {
  char *method;
  char *path;
  struct wi_buf body;
  bool too_big;
  double start;
  int status;
};

/* ---- responses ---- */

static void
common_headers(struct MHD_Response *resp, bool api)
{
  MHD_add_response_header(resp, "Content-Security-Policy", CSP);
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(resp, "Cache-Control", api ? "no-store" : "no-cache");
}

static enum MHD_Result
send_buf(struct MHD_Connection *conn, struct creq *cr, int status, const char *ctype, char *body,
         size_t len, const char *cookie)
{
  struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  if (resp == NULL) {
    free(body);
    return MHD_NO;
  }
  common_headers(resp, true);
  MHD_add_response_header(resp, "Content-Type", ctype);
  if (cookie)
    MHD_add_response_header(resp, "Set-Cookie", cookie);
  cr->status = status;
  enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, resp);
  MHD_destroy_response(resp);
  return ret;
}

static enum MHD_Result
send_error(struct MHD_Connection *conn, struct creq *cr, int status, const char *code,
           const char *msg)
{
  json_t *o = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
  char *body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  return send_buf(conn, cr, status, "application/json", body, strlen(body), NULL);
}

static enum MHD_Result
send_asset(struct MHD_Connection *conn, struct creq *cr)
{
  const char *path = strcmp(cr->path, "/") == 0 ? "/index.html" : cr->path;
  const struct wi_ui_asset *a = wi_ui_assets_find(path);
  if (a == NULL || (strcmp(cr->method, "GET") != 0 && strcmp(cr->method, "HEAD") != 0)) {
    char *body = wi_xstrdup("not found\n");
    cr->status = 404;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    common_headers(resp, false);
    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(conn, 404, resp);
    MHD_destroy_response(resp);
    return ret;
  }
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(a->len, (void *)(uintptr_t)a->data, MHD_RESPMEM_PERSISTENT);
  common_headers(resp, false);
  MHD_add_response_header(resp, "Content-Type", a->ctype);
  cr->status = 200;
  enum MHD_Result ret = MHD_queue_response(conn, 200, resp);
  MHD_destroy_response(resp);
  return ret;
}

/* ---- session handshake ---- */

static enum MHD_Result
session(struct wi_ui_server *s, struct MHD_Connection *conn, struct creq *cr, const char *cookie)
{
  char id[WI_UI_SESSION_HEX], csrf[WI_UI_SESSION_HEX];
  wi_err err = { 0 };
  if (strcmp(cr->method, "GET") == 0) {
    if (!wi_ui_session_find(s->sess, cookie, csrf))
      return send_error(conn, cr, 401, "authentication required",
                        "no session: open the URL "
                        "that wlsimg ui printed");
  } else if (strcmp(cr->method, "POST") == 0) {
    json_error_t jerr;
    json_t *j = cr->body.len <= SESSION_MAX_BODY
                    ? json_loadb(wi_buf_cstr(&cr->body), cr->body.len, 0, &jerr)
                    : NULL;
    const char *token = json_string_value(json_object_get(j, "token"));
    int ret = wi_ui_session_exchange(s->sess, token, id, csrf, &err);
    json_decref(j);
    if (ret < 0)
      return send_error(conn, cr, 401, "authentication required", err.msg);
  } else {
    return send_error(conn, cr, 405, "invalid argument", "method not allowed");
  }
  char *body = wi_xasprintf("{\"csrf\":\"%s\",\"header\":\"%s\"}", csrf, CSRF_HEADER);
  wi_autofree char *set =
      strcmp(cr->method, "POST") == 0
          ? wi_xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Strict", WI_UI_SESSION_COOKIE, id)
          : NULL;
  explicit_bzero(id, sizeof id);
  explicit_bzero(csrf, sizeof csrf);
  return send_buf(conn, cr, 200, "application/json", body, strlen(body), set);
}

/* ---- event stream ---- */

struct sse {
  struct wi_ui_server *s;
  struct wi_ui_job *job;
  size_t idx;
  char *pending;
  size_t off;
};

static ssize_t
sse_copy(struct sse *e, char *buf, size_t max)
{
  size_t n = strlen(e->pending + e->off);
  if (n > max)
    n = max;
  memcpy(buf, e->pending + e->off, n);
  e->off += n;
  if (e->pending[e->off] == '\0') {
    free(e->pending);
    e->pending = NULL;
    e->off = 0;
  }
  return (ssize_t)n;
}

static ssize_t
sse_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
  struct sse *e = cls;
  WI_UNUSED(pos);
  if (e->pending)
    return sse_copy(e, buf, max);
  /* Block here (this connection has its own thread), waking every second to notice a stop. */
  for (int waited = 0; !__atomic_load_n(&e->s->stopping, __ATOMIC_RELAXED); waited++) {
    int r = wi_ui_jobs_event(e->job, e->idx, 1000, &e->pending);
    if (r < 0)
      return MHD_CONTENT_READER_END_OF_STREAM;
    wi_ui_session_touch(e->s->sess);
    if (r == 1) {
      e->idx++;
      return sse_copy(e, buf, max);
    }
    if (waited >= KEEPALIVE_S) {
      e->pending = wi_xstrdup(": keepalive\n\n");
      return sse_copy(e, buf, max);
    }
  }
  return MHD_CONTENT_READER_END_OF_STREAM;
}

static void
sse_free(void *cls)
{
  struct sse *e = cls;
  __atomic_sub_fetch(&e->s->n_streams, 1, __ATOMIC_RELAXED);
  wi_ui_jobs_put(e->job);
  free(e->pending);
  free(e);
}

static enum MHD_Result
events(struct wi_ui_server *s, struct MHD_Connection *conn, struct creq *cr, const char *id)
{
  struct wi_ui_job *j = wi_ui_api_job(s->api, id);
  if (j == NULL)
    return send_error(conn, cr, 404, "not found", "no such job");
  struct sse *e = wi_xcalloc(1, sizeof *e);
  e->s = s;
  e->job = j;
  e->idx =
      wi_ui_jobs_event_after(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Last-Event-ID"));
  __atomic_add_fetch(&s->n_streams, 1, __ATOMIC_RELAXED);
  struct MHD_Response *resp =
      MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 8192, sse_reader, e, sse_free);
  if (resp == NULL) {
    sse_free(e);
    return MHD_NO;
  }
  common_headers(resp, true);
  MHD_add_response_header(resp, "Content-Type", "text/event-stream");
  cr->status = 200;
  enum MHD_Result ret = MHD_queue_response(conn, 200, resp);
  MHD_destroy_response(resp);
  return ret;
}

/* ---- dispatch ---- */

static const char *
header(struct MHD_Connection *conn, const char *name)
{
  return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static const char *
query_arg(void *ctx, const char *name)
{
  return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

/* "/api/jobs/<id>/events" → id (malloc'ed), else NULL. */
static char *
events_job(const char *path)
{
  static const char pre[] = "/api/jobs/";
  if (!wi_str_has_prefix(path, pre) || !wi_str_has_suffix(path, "/events"))
    return NULL;
  const char *id = path + strlen(pre);
  size_t n = strlen(id) - strlen("/events");
  if (n == 0 || memchr(id, '/', n))
    return NULL;
  return wi_xstrndup(id, n);
}

static enum MHD_Result
api(struct wi_ui_server *s, struct MHD_Connection *conn, struct creq *cr)
{
  const char *cookie = header(conn, "Cookie");
  const char *origin = header(conn, "Origin");
  const char *site = header(conn, "Sec-Fetch-Site");
  bool safe = strcmp(cr->method, "GET") == 0 || strcmp(cr->method, "HEAD") == 0;
  /* a browser says where a request comes from: only this page may call the API */
  if (!wi_ui_session_origin_ok(origin, header(conn, "Host")) ||
      (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0))
    return send_error(conn, cr, 403, "access denied", "cross-origin request refused");
  if (strcmp(cr->path, "/api/session") == 0)
    return session(s, conn, cr, cookie);
  if (!wi_ui_session_find(s->sess, cookie, NULL))
    return send_error(conn, cr, 401, "authentication required",
                      "no session: open the URL that wlsimg ui printed");
  wi_autofree char *job = safe ? events_job(cr->path) : NULL;
  const char *csrf = header(conn, CSRF_HEADER);
  if (csrf == NULL && job)
    csrf = query_arg(conn, "csrf");
  if (!wi_ui_session_csrf_ok(s->sess, cookie, csrf))
    return send_error(conn, cr, 403, "access denied", "missing or wrong " CSRF_HEADER " header");
  if (cr->too_big)
    return send_error(conn, cr, 413, "too big", "request body too large");
  if (job)
    return events(s, conn, cr, job);
  struct wi_ui_resp r;
  wi_ui_api_handle(s->api, cr->method, cr->path, query_arg, conn, wi_buf_cstr(&cr->body),
                   cr->body.len, &r);
  return send_buf(conn, cr, r.status, r.ctype, r.body, r.len, NULL);
}

/* The port this connection came in on, from the daemon itself: s->port is set only after
 * MHD_start_daemon returned, and a connection thread may already run by then. */
static unsigned
bound_port(struct MHD_Connection *conn)
{
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_DAEMON);
  const union MHD_DaemonInfo *di =
      ci ? MHD_get_daemon_info(ci->daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
  return di ? di->port : 0;
}

static enum MHD_Result
dispatch(struct wi_ui_server *s, struct MHD_Connection *conn, struct creq *cr)
{
  if (!wi_ui_session_host_ok(header(conn, "Host"), bound_port(conn), s->host))
    return send_error(conn, cr, 403, "access denied", "unexpected Host header");
  if (strcmp(cr->path, "/api") == 0 || wi_str_has_prefix(cr->path, "/api/"))
    return api(s, conn, cr);
  return send_asset(conn, cr);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
  struct wi_ui_server *s = cls;
  struct creq *cr = *con_cls;
  WI_UNUSED(version);
  if (cr == NULL) {
    cr = wi_xcalloc(1, sizeof *cr);
    cr->method = wi_xstrdup(method);
    cr->path = wi_xstrdup(url);
    cr->start = wi_util_now();
    wi_buf_init(&cr->body, WI_UI_API_MAX_BODY);
    *con_cls = cr;
    return MHD_YES;
  }
  if (*upload_data_size) {
    wi_err err = { 0 };
    if (!cr->too_big && wi_buf_add(&cr->body, upload_data, *upload_data_size, &err) < 0)
      cr->too_big = true;
    *upload_data_size = 0;
    return MHD_YES;
  }
  return dispatch(s, conn, cr);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
  struct creq *cr = *con_cls;
  WI_UNUSED(cls);
  WI_UNUSED(conn);
  if (cr == NULL)
    return;
  /* the path only: no query string (an event stream may carry the CSRF value there) */
  wi_log(WI_LOG_INFO, WI_UI_SERVER_REQUEST_LOG "%s %s %d %.1fms%s", cr->method, cr->path,
         cr->status, (wi_util_now() - cr->start) * 1000.0,
         toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (closed)");
  wi_buf_dispose_secret(&cr->body); /* bodies may hold passwords */
  free(cr->method);
  free(cr->path);
  free(cr);
  *con_cls = NULL;
}

static void mhd_logger(void *cls, const char *fmt, va_list ap) WI_PRINTF(2, 0);

static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
  char msg[512];
  WI_UNUSED(cls);
  vsnprintf(msg, sizeof msg, fmt, ap);
  msg[strcspn(msg, "\n")] = '\0';
  wi_log(WI_LOG_DEBUG, "http: %s", msg);
}

/* ---- listening ---- */

static int
parse_listen(const char *listen, bool allow_remote, struct sockaddr_storage *ss, bool *v6,
             char *host, size_t hostlen, wi_err *err)
{
  char h[INET6_ADDRSTRLEN + 2];
  const char *colon = strrchr(listen, ':');
  char *end = NULL;
  memset(ss, 0, sizeof *ss);
  if (colon == NULL || (size_t)(colon - listen) >= sizeof h)
    return wi_err_set(err, WI_EINVAL, "invalid listen address %s (expected HOST:PORT)", listen);
  snprintf(h, sizeof h, "%.*s", (int)(colon - listen), listen);
  long port = strtol(colon + 1, &end, 10);
  if (end == colon + 1 || *end || port < 0 || port > 65535)
    return wi_err_set(err, WI_EINVAL, "invalid port in listen address %s", listen);
  *v6 = h[0] == '[';
  bool loopback;
  if (*v6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    size_t n = strlen(h);
    if (n < 3 || h[n - 1] != ']')
      return wi_err_set(err, WI_EINVAL, "invalid listen address %s", listen);
    h[n - 1] = '\0';
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, h + 1, &a->sin6_addr) != 1)
      return wi_err_set(err, WI_EINVAL, "invalid IPv6 address in %s", listen);
    loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
    snprintf(host, hostlen, "[%s]", h + 1);
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (strcmp(h, "localhost") == 0)
      snprintf(h, sizeof h, "127.0.0.1");
    if (inet_pton(AF_INET, h, &a->sin_addr) != 1)
      return wi_err_set(err, WI_EINVAL, "invalid IPv4 address in %s (use a numeric address)",
                        listen);
    loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    snprintf(host, hostlen, "%s", h);
  }
  if (!loopback && !allow_remote)
    return wi_err_set(err, WI_EINVAL,
                      "refusing to listen on %s: not a loopback address, and anyone who can "
                      "reach it could try the API (add --allow-remote to do it anyway)",
                      listen);
  return 0;
}

int
wi_ui_server_start(struct wi_ui_server **out, const struct wi_ui_server_opts *o, wi_err *err)
{
  struct sockaddr_storage ss;
  bool v6 = false;
  struct wi_ui_server *s = wi_xcalloc(1, sizeof *s);
  int ret = parse_listen(o->listen ? o->listen : "127.0.0.1:0", o->allow_remote, &ss, &v6, s->host,
                         sizeof s->host, err);
  if (ret < 0) {
    free(s);
    return ret;
  }
  struct wi_ui_api_opts ao = { .project_file = o->project_file,
                               .store_root = o->store_root,
                               .fs_root = o->fs_root,
                               .authfile = o->authfile,
                               .tls_verify = o->tls_verify };
  if (wi_ui_session_new(&s->sess, err) < 0 || wi_ui_api_new(&s->api, &ao, err) < 0)
    goto fail;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
                   MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
  s->d =
      MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &ss,
                       MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT,
                       (unsigned)CONN_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT, 64U,
                       MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL, MHD_OPTION_END);
  if (s->d == NULL) {
    wi_err_set(err, WI_ERR, "ui: cannot listen on %s (address in use?)",
               o->listen ? o->listen : "127.0.0.1:0");
    goto fail;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
  s->port = info ? info->port : 0;
  s->url = wi_xasprintf("http://%s:%u/#t=%s", s->host, s->port, wi_ui_session_token(s->sess));
  *out = s;
  return 0;
fail:
  wi_ui_server_stop(s);
  return err->code;
}

void
wi_ui_server_stop(struct wi_ui_server *s)
{
  if (s == NULL)
    return;
  __atomic_store_n(&s->stopping, 1, __ATOMIC_RELAXED);
  if (s->d)
    MHD_stop_daemon(s->d);
  wi_ui_api_free(s->api);
  wi_ui_session_free(s->sess);
  if (s->url)
    explicit_bzero(s->url, strlen(s->url));
  free(s->url);
  free(s);
}

const char *
wi_ui_server_url(const struct wi_ui_server *s)
{
  return s->url;
}

double
wi_ui_server_idle_seconds(struct wi_ui_server *s)
{
  if (__atomic_load_n(&s->n_streams, __ATOMIC_RELAXED) > 0 || wi_ui_api_busy(s->api))
    return 0;
  return wi_util_now() - wi_ui_session_last_seen(s->sess);
}
