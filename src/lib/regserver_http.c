/* Registry HTTP layer: libmicrohttpd (the only file that uses it), server start/stop and the
 * config file.
 *
 * One thread per connection (MHD_USE_THREAD_PER_CONNECTION): handlers do blocking file I/O (fsync
 * on upload completion), which must not stall other clients; keep-alive is on. Blob bodies go out
 * with MHD_create_response_from_fd_at_offset64, which uses sendfile on plain HTTP; HEAD answers
 * come from stat and never open the blob. Each request logs one line at INFO.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/regserver_int.h"
#include "lib/util.h"

#define CONN_MEMORY_LIMIT (256 * 1024)
#define CONN_TIMEOUT      300

struct wi_regserver {
  struct wi_rs_server srv;
  struct MHD_Daemon *d;
  char *tls_cert_pem;
  char *tls_key_pem;
};

struct conn_req {
  struct wi_rs_req r;
  char *method;
  char *path;
  double start;
  int status;
  uint64_t bytes;
  bool queued;
};

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
  if (key && value && strcasecmp(key, c->name) == 0 && c->n < c->max)
    c->out[c->n++] = value;
  return MHD_YES;
}

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
  return c.n;
}

static const struct wi_rs_req_ops req_ops = { op_header, op_query, op_query_all, op_header_all };

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
  struct wi_rs_resp *rs = &cr->r.resp;
  struct MHD_Response *resp;

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
  cr->queued = true;
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

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
  struct wi_regserver *s = cls;
  struct conn_req *cr = *con_cls;

  WI_UNUSED(version);
  if (cr == NULL) {
    cr = wi_xcalloc(1, sizeof *cr);
    cr->method = wi_xstrdup(method);
    cr->path = wi_xstrdup(url);
    cr->start = wi_util_now();
    wi_regserver_routes_req_init(&cr->r, &s->srv, &req_ops, conn, cr->method, cr->path);
    *con_cls = cr;
    wi_regserver_routes_req_begin(&cr->r);
    /* Decided before a body arrived (an error, or a 202 that ignores the body): answer now and
     * let MHD close the connection instead of reading what we would discard. Without a body,
     * answer on the next call, which keeps the connection alive. */
    if (cr->r.done && has_body(conn))
      return send_response(conn, cr);
    return MHD_YES;
  }
  if (cr->queued) {
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (*upload_data_size) {
    if (!cr->r.done)
      wi_regserver_routes_req_body(&cr->r, upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  wi_regserver_routes_req_end(&cr->r);
  return send_response(conn, cr);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
  struct conn_req *cr = *con_cls;

  WI_UNUSED(cls);
  WI_UNUSED(conn);
  if (cr == NULL)
    return;
  double ms = (wi_util_now() - cr->start) * 1000.0;
  if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
    wi_log(WI_LOG_INFO, "%s %s %d %llu %.1fms%s%s", cr->method, cr->path, cr->status,
           (unsigned long long)cr->bytes, ms, cr->r.user[0] ? " user=" : "", cr->r.user);
  else
    wi_log(WI_LOG_INFO, "%s %s %d aborted (%d) %.1fms", cr->method, cr->path, cr->status, (int)toe,
           ms);
  wi_regserver_routes_req_dispose(&cr->r);
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
  size_t n = strlen(msg);
  while (n && msg[n - 1] == '\n')
    msg[--n] = '\0';
  wi_log(WI_LOG_DEBUG, "http: %s", msg); /* mostly TLS probes on a plain port */
}

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

static int
prepare_root(const char *root, wi_err *err)
{
  wi_autofree char *blobs = wi_xasprintf("%s/blobs/sha256", root);
  wi_autofree char *repos = wi_xasprintf("%s/repos", root);
  if (wi_fs_mkdir_p(blobs, 0755, err) < 0 || wi_fs_mkdir_p(repos, 0755, err) < 0)
    return wi_err_wrap(err, "registry root");
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
  if (parse_listen(o->listen, &ss, &v6, err) < 0 || prepare_root(o->root, err) < 0)
    return err->code;
  struct wi_regserver *s = wi_xcalloc(1, sizeof *s);
  s->srv.root = wi_xstrdup(o->root);
  s->srv.auth_mode = o->auth;
  s->srv.tls = o->tls_cert != NULL;
  if (wi_regserver_auth_new(&s->srv.auth, o->root, o->token_ttl, err) < 0)
    goto fail;
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                       MHD_USE_POLL | MHD_USE_ERROR_LOG;
  if (v6)
    flags |= MHD_USE_IPv6;
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
    flags |= MHD_USE_TLS;
  }
  unsigned int limit = o->threads_max > 0 ? (unsigned)o->threads_max : 512;
  if (s->srv.tls)
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &ss, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL, MHD_OPTION_HTTPS_MEM_CERT, s->tls_cert_pem,
        MHD_OPTION_HTTPS_MEM_KEY, s->tls_key_pem, MHD_OPTION_END);
  else
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &ss, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL, MHD_OPTION_END);
  if (s->d == NULL) {
    wi_err_set(err, WI_ERR, "registry: cannot listen on %s (address in use, or bad TLS files?)",
               o->listen);
    goto fail;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
  unsigned port = info ? info->port : 0;
  char host[INET6_ADDRSTRLEN] = "127.0.0.1";
  if (v6)
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
  else if (((struct sockaddr_in *)&ss)->sin_addr.s_addr != htonl(INADDR_ANY))
    inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
  s->srv.listen = v6 ? wi_xasprintf("[%s]:%u", host, port) : wi_xasprintf("%s:%u", host, port);
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
  if (s->d)
    MHD_stop_daemon(s->d);
  wi_regserver_auth_free(s->srv.auth);
  free(s->srv.root);
  free(s->srv.listen);
  free(s->tls_cert_pem);
  if (s->tls_key_pem)
    wi_alloc_secret_free(s->tls_key_pem);
  free(s);
}

/* ---- config file ---- */

static char *
cfg_string(json_t *j, const char *key)
{
  const char *v = json_string_value(json_object_get(j, key));
  return v ? wi_xstrdup(v) : NULL;
}

int
wi_regserver_http_config_load(struct wi_regserver_config *cfg, const char *path, wi_err *err)
{
  static const char *const known[] = {
    "listen", "root", "auth", "tls_cert", "tls_key", "token_ttl"
  };
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
    bool ok = false;
    for (size_t i = 0; i < WI_ARRAY_SIZE(known); i++)
      ok = ok || strcmp(key, known[i]) == 0;
    bool type_ok = strcmp(key, "token_ttl") == 0 ? json_is_integer(v) : json_is_string(v);
    if (!ok || !type_ok) {
      wi_err_set(err, WI_EINVAL, "%s: %s: %s", path, key, ok ? "wrong type" : "unknown setting");
      json_decref(j);
      return WI_EINVAL;
    }
  }
  cfg->listen = cfg_string(j, "listen");
  cfg->root = cfg_string(j, "root");
  cfg->auth = cfg_string(j, "auth");
  cfg->tls_cert = cfg_string(j, "tls_cert");
  cfg->tls_key = cfg_string(j, "tls_key");
  cfg->token_ttl = (int)json_integer_value(json_object_get(j, "token_ttl"));
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
  memset(cfg, 0, sizeof *cfg);
}
