/* Unit tests for src/lib/http.c against a real HTTP server (libmicrohttpd, in this process):
 * redirects and the Authorization header, final-response headers, body caps and streaming, bodies
 * from memory and file ranges, multipart forms, the cookie session, network errors without userinfo
 * and why they happened, URL origins. */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/http.h"
#include "lib/log.h"

static unsigned g_port;

struct upload {
  struct wi_buf body;
};

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned status, const char *body, size_t len, const char *hname,
      const char *hvalue)
{
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
  if (hname)
    MHD_add_response_header(r, hname, hvalue);
  enum MHD_Result ret = MHD_queue_response(conn, status, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
        const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
  WI_UNUSED(cls);
  WI_UNUSED(version);
  char text[512];

  if (!strcmp(method, "PUT") || !strcmp(method, "POST") || !strcmp(method, "PATCH")) {
    struct upload *u = *con_cls;
    if (u == NULL) {
      u = wi_xcalloc(1, sizeof *u);
      wi_buf_init(&u->body, 1 << 20);
      *con_cls = u;
      return MHD_YES;
    }
    if (*upload_size) {
      wi_buf_add(&u->body, upload_data, *upload_size, NULL);
      *upload_size = 0;
      return MHD_YES;
    }
    const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    snprintf(text, sizeof text, "%s %s ct=%s body=%s", method, url, ct ? ct : "none",
             wi_buf_cstr(&u->body));
    wi_buf_dispose(&u->body);
    free(u);
    *con_cls = NULL;
    return reply(conn, 201, text, strlen(text), NULL, NULL);
  }
  if (!strcmp(url, "/redir-other")) {
    snprintf(text, sizeof text, "http://localhost:%u/echo", g_port);
    return reply(conn, 307, "moved", 5, "Location", text);
  }
  if (!strcmp(url, "/redir-same"))
    return reply(conn, 307, "moved", 5, "Location", "/echo");
  if (!strcmp(url, "/echo")) {
    const char *a = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    snprintf(text, sizeof text, "auth=%s", a ? a : "none");
    return reply(conn, 200, text, strlen(text), "X-Final", "1");
  }
  if (!strcmp(url, "/setcookie"))
    return reply(conn, 200, "set", 3, "Set-Cookie", "SESSION=s1; Path=/");
  if (!strcmp(url, "/cookie")) {
    const char *c = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cookie");
    snprintf(text, sizeof text, "cookie=%s", c ? c : "none");
    return reply(conn, 200, text, strlen(text), NULL, NULL);
  }
  if (!strcmp(url, "/big")) {
    static char big[100000];
    memset(big, 'x', sizeof big);
    return reply(conn, 200, big, sizeof big, NULL, NULL);
  }
  if (!strcmp(url, "/err")) {
    const char *e = "{\"errors\":[{\"code\":\"NAME_UNKNOWN\"}]}";
    return reply(conn, 404, e, strlen(e), "Docker-Distribution-Api-Version", "registry/2.0");
  }
  return reply(conn, 200, "hello", 5, "Docker-Distribution-Api-Version", "registry/2.0");
}

/* Frees an upload that ended early (the client aborted it). */
static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
          enum MHD_RequestTerminationCode toe)
{
  WI_UNUSED(cls);
  WI_UNUSED(conn);
  WI_UNUSED(toe);
  struct upload *u = *con_cls;
  if (u) {
    wi_buf_dispose(&u->body);
    free(u);
    *con_cls = NULL;
  }
}

static char g_url[256];

static const char *
url(const char *path)
{
  snprintf(g_url, sizeof g_url, "http://127.0.0.1:%u%s", g_port, path);
  return g_url;
}

static struct wi_http *
new_http(void)
{
  struct wi_http *h = NULL;
  wi_err err = { 0 };
  if (wi_http_new(&h, NULL, &err) < 0)
    fprintf(stderr, "wi_http_new: %s\n", err.msg);
  return h;
}

TEST(test_redirect_authorization)
{
  wi_autoptr(wi_http) struct wi_http *h = new_http();
  const char *hdrs[] = { "Authorization: Bearer SECRET", NULL };
  static const struct {
    const char *path;
    bool follow;
    long status;
    const char *body;
  } cases[] = {
    /* another host: libcurl drops our Authorization header */
    { "/redir-other", true, 200, "auth=none" },
    /* the same host keeps it */
    { "/redir-same", true, 200, "auth=Bearer SECRET" },
    { "/echo", true, 200, "auth=Bearer SECRET" },
    /* not followed unless asked */
    { "/redir-other", false, 307, "moved" },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    struct wi_http_req req = { .method = "GET",
                               .url = url(cases[i].path),
                               .headers = hdrs,
                               .body_fd = -1,
                               .follow_redirects = cases[i].follow };
    struct wi_http_resp resp;
    wi_err err = { 0 };
    CHECK_INT_EQ(wi_http_do(h, &req, &resp, &err), 0);
    CHECK_INT_EQ(resp.status, cases[i].status);
    CHECK_STR_EQ(wi_buf_cstr(&resp.body), cases[i].body);
    if (cases[i].status == 200) {
      /* only the final response's headers */
      CHECK_STR_EQ(wi_http_resp_header(&resp, "x-final"), "1");
      CHECK(wi_http_resp_header(&resp, "Location") == NULL);
      CHECK_STR_HAS(resp.url, "/echo");
    } else {
      CHECK_STR_HAS(wi_http_resp_header(&resp, "location"), "/echo");
    }
    wi_http_resp_dispose(&resp);
  }
}

static int
count_bytes(const void *data, size_t len, void *payload)
{
  WI_UNUSED(data);
  *(size_t *)payload += len;
  return 0;
}

static int
fail_write(const void *data, size_t len, void *payload)
{
  WI_UNUSED(data);
  WI_UNUSED(len);
  WI_UNUSED(payload);
  return WI_EDIGEST;
}

TEST(test_bodies)
{
  wi_autoptr(wi_http) struct wi_http *h = new_http();
  struct wi_http_resp resp;
  wi_err err = { 0 };

  struct wi_http_req capped = { .url = url("/big"), .body_fd = -1, .max_body = 1000 };
  CHECK_INT_EQ(wi_http_do(h, &capped, &resp, &err), WI_ETOOBIG);
  CHECK_STR_HAS(err.msg, "response body larger than 1000 bytes");
  CHECK_STR_HAS(err.msg, "/big");

  size_t got = 0;
  struct wi_http_req stream = {
    .url = url("/big"), .body_fd = -1, .write_fn = count_bytes, .write_payload = &got
  };
  CHECK_INT_EQ(wi_http_do(h, &stream, &resp, &err), 0);
  CHECK_INT_EQ(resp.status, 200);
  CHECK_INT_EQ(got, 100000);
  CHECK_INT_EQ(resp.body.len, 0);
  wi_http_resp_dispose(&resp);

  /* a non-2xx body is kept for the message, not streamed */
  got = 0;
  stream.url = url("/err");
  CHECK_INT_EQ(wi_http_do(h, &stream, &resp, &err), 0);
  CHECK_INT_EQ(resp.status, 404);
  CHECK_INT_EQ(got, 0);
  CHECK_STR_HAS(wi_buf_cstr(&resp.body), "NAME_UNKNOWN");
  CHECK_STR_EQ(wi_http_resp_header(&resp, "docker-distribution-api-version"), "registry/2.0");
  wi_http_resp_dispose(&resp);

  struct wi_http_req failing = { .url = url("/big"), .body_fd = -1, .write_fn = fail_write };
  CHECK_INT_EQ(wi_http_do(h, &failing, &resp, &err), WI_EDIGEST);

  struct wi_http_req head = { .method = "HEAD", .url = url("/"), .body_fd = -1 };
  CHECK_INT_EQ(wi_http_do(h, &head, &resp, &err), 0);
  CHECK_INT_EQ(resp.status, 200);
  CHECK_INT_EQ(resp.body.len, 0);
  wi_http_resp_dispose(&resp);
}

TEST(test_request_bodies)
{
  wi_autoptr(wi_http) struct wi_http *h = new_http();
  wi_err err = { 0 };
  wi_autofree char *dir = wi_fs_mkdtemp("http-test", &err);
  wi_autofree char *path = wi_xasprintf("%s/data", dir);
  wi_fs_write_file_atomic(path, "0123456789", 10, 0600, &err);
  int fd = open(path, O_RDONLY);
  const char *ct[] = { "Content-Type: application/octet-stream", NULL };
  static const char *const methods[] = { "PUT", "PATCH", "POST" };

  for (size_t i = 0; i < WI_ARRAY_SIZE(methods); i++) {
    struct wi_http_req req = { .method = methods[i],
                               .url = url("/up"),
                               .headers = i ? ct : NULL,
                               .body_fd = fd,
                               .body_offset = 2,
                               .body_fd_len = 5 };
    struct wi_http_resp resp;
    CHECK_INT_EQ(wi_http_do(h, &req, &resp, &err), 0);
    CHECK_INT_EQ(resp.status, 201);
    wi_autofree char *want = wi_xasprintf("%s /up ct=%s body=23456", methods[i],
                                          i ? "application/octet-stream" : "none");
    CHECK_STR_EQ(wi_buf_cstr(&resp.body), want);
    wi_http_resp_dispose(&resp);
  }
  struct wi_http_req mem = {
    .method = "PUT", .url = url("/up"), .body = "memory", .body_len = 6, .body_fd = -1
  };
  struct wi_http_resp resp;
  CHECK_INT_EQ(wi_http_do(h, &mem, &resp, &err), 0);
  CHECK_STR_EQ(wi_buf_cstr(&resp.body), "PUT /up ct=none body=memory");
  wi_http_resp_dispose(&resp);
  /* an empty PUT (upload completion) sends Content-Length: 0 */
  struct wi_http_req empty = { .method = "PUT",
                               .url = url("/up?digest=sha256%3Aab"),
                               .body_fd = -1 };
  CHECK_INT_EQ(wi_http_do(h, &empty, &resp, &err), 0);
  CHECK_STR_EQ(wi_buf_cstr(&resp.body), "PUT /up ct=none body=");
  wi_http_resp_dispose(&resp);
  /* a range beyond the end of the file */
  struct wi_http_req short_file = {
    .method = "PUT", .url = url("/up"), .body_fd = fd, .body_offset = 8, .body_fd_len = 5
  };
  CHECK(wi_http_do(h, &short_file, &resp, &err) < 0);
  CHECK_STR_HAS(err.msg, "file shorter than expected");
  close(fd);
  wi_fs_rm_rf(dir, &err);
}

TEST(test_form_and_cookies)
{
  wi_err err = { 0 };
  struct wi_http_resp resp;
  /* a multipart/form-data body of text parts, with its own Content-Type */
  wi_autoptr(wi_http) struct wi_http *h = new_http();
  const char *form[] = { "request_xml", "<a x=\"1\"/>", "second", "two", NULL };
  struct wi_http_req post = { .method = "POST", .url = url("/form"), .form = form, .body_fd = -1 };
  CHECK_INT_EQ(wi_http_do(h, &post, &resp, &err), 0);
  CHECK_STR_HAS(wi_buf_cstr(&resp.body), "POST /form ct=multipart/form-data; boundary=");
  CHECK_STR_HAS(wi_buf_cstr(&resp.body),
                "Content-Disposition: form-data; name=\"request_xml\"\r\n\r\n<a x=\"1\"/>\r\n");
  CHECK_STR_HAS(wi_buf_cstr(&resp.body), "name=\"second\"\r\n\r\ntwo\r\n");
  wi_http_resp_dispose(&resp);

  /* cookies: kept across requests only when asked for */
  for (int on = 0; on < 2; on++) {
    struct wi_http_opts o = { .cookies = on };
    wi_autoptr(wi_http) struct wi_http *c = NULL;
    CHECK_INT_EQ(wi_http_new(&c, &o, &err), 0);
    wi_autofree char *set_url = wi_xstrdup(url("/setcookie")); /* url() reuses one buffer */
    wi_autofree char *get_url = wi_xstrdup(url("/cookie"));
    struct wi_http_req set = { .url = set_url, .body_fd = -1 };
    struct wi_http_req get = { .url = get_url, .body_fd = -1 };
    CHECK_INT_EQ(wi_http_do(c, &set, &resp, &err), 0);
    wi_http_resp_dispose(&resp);
    for (int i = 0; i < 2; i++) { /* and again after a reset of the handle */
      CHECK_INT_EQ(wi_http_do(c, &get, &resp, &err), 0);
      CHECK_STR_EQ(wi_buf_cstr(&resp.body), on ? "cookie=SESSION=s1" : "cookie=none");
      wi_http_resp_dispose(&resp);
    }
  }
}

TEST(test_url_origin)
{
  static const struct {
    const char *url, *origin;
  } cases[] = {
    { "https://Updates.Oracle.com/Orion/Services?x=1", "https://updates.oracle.com:443" },
    { "https://user:pw@example.com:8443/a", "https://example.com:8443" },
    { "http://127.0.0.1/", "http://127.0.0.1:80" },
    { "https://[::1]:5000/v2/", "https://[::1]:5000" },
    { "ftp://example.com/", NULL },
    { "/relative", NULL },
    { "https://example.com:99999/", NULL },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    char *o = wi_http_url_origin(cases[i].url);
    CHECK_STR_EQ(o, cases[i].origin);
    free(o);
  }
  char *r = wi_http_url_resolve("https://a.example/x/y?q=1", "../z?k=2");
  CHECK_STR_EQ(r, "https://a.example/z?k=2");
  free(r);
  r = wi_http_url_resolve("https://a.example/x", "https://b.example:444/p");
  CHECK_STR_EQ(r, "https://b.example:444/p");
  free(r);
}

TEST(test_network_error)
{
  wi_autoptr(wi_http) struct wi_http *h = new_http();
  struct wi_http_req req = { .url = "http://user:secret@127.0.0.1:1/v2/", .body_fd = -1 };
  struct wi_http_resp resp;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_http_do(h, &req, &resp, &err), WI_ENET);
  CHECK_STR_HAS(err.msg, "GET http://127.0.0.1:1/v2/: ");
  CHECK(strstr(err.msg, "secret") == NULL);
  CHECK_INT_EQ(err.sys_errno, ECONNREFUSED); /* why, for callers that retry */

  struct wi_http_opts o = { .ca_file = "/nonexistent/ca.pem" };
  struct wi_http *h2 = NULL;
  CHECK(wi_http_new(&h2, &o, &err) < 0);
  CHECK_STR_HAS(err.msg, "/nonexistent/ca.pem");
}

static void
capture_log(enum wi_log_level level, const char *msg, void *payload)
{
  WI_UNUSED(level);
  wi_buf_adds(payload, msg, NULL);
  wi_buf_adds(payload, "\n", NULL);
}

TEST(test_trace_redacts_authorization)
{
  struct wi_buf log = WI_BUF_INIT(1 << 20);
  wi_log_set_handler(capture_log, WI_LOG_TRACE, &log);
  wi_autoptr(wi_http) struct wi_http *h = new_http();
  const char *hdrs[] = { "Authorization: Bearer SECRET", "Accept: application/json", NULL };
  struct wi_http_req req = { .url = url("/echo"), .headers = hdrs, .body_fd = -1 };
  struct wi_http_resp resp;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_http_do(h, &req, &resp, &err), 0);
  wi_http_resp_dispose(&resp);
  wi_log_set_handler(NULL, WI_LOG_ERROR, NULL);
  CHECK_STR_HAS(wi_buf_cstr(&log), "> GET /echo HTTP/1.1");
  CHECK_STR_HAS(wi_buf_cstr(&log), "> Accept: application/json");
  CHECK_STR_HAS(wi_buf_cstr(&log), "> Authorization: <redacted>");
  CHECK_STR_HAS(wi_buf_cstr(&log), "< X-Final: 1");
  CHECK(strstr(wi_buf_cstr(&log), "SECRET") == NULL);
  wi_buf_dispose(&log);
}

TEST(test_escape)
{
  wi_autofree char *e = wi_http_escape("repository:a/b:pull,push");
  CHECK_STR_EQ(e, "repository%3Aa%2Fb%3Apull%2Cpush");
}

TEST(test_same_origin)
{
  static const struct {
    const char *a, *b;
    bool same;
  } t[] = {
    { "https://r.example/v2/", "https://r.example", true },
    { "https://r.example:443/v2/x", "https://R.EXAMPLE/v2/y?z", true }, /* default port, case */
    { "http://127.0.0.1:5000/a", "http://127.0.0.1:5000", true },
    { "http://[::1]:5000/a", "http://[::1]:5000/b", true },
    { "http://u:p@r.example/a", "http://r.example/b", true }, /* userinfo is not the origin */
    { "http://r.example/a", "https://r.example/a", false },   /* scheme */
    { "https://r.example/a", "https://r.example:8443/a", false },
    { "http://127.0.0.1:5000/a", "http://127.0.0.2:5000/a", false },
    { "http://127.0.0.1:5000/a", "http://127.0.0.1:5001/a", false },
    { "https://r.example.evil.test/a", "https://r.example/a", false },
    { "/v2/relative", "https://r.example/", false },
    { "ftp://r.example/a", "ftp://r.example/a", false }, /* not http(s): never */
    { "", "", false },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(t); i++) {
    if (wi_http_same_origin(t[i].a, t[i].b) != t[i].same)
      fprintf(stderr, "  same_origin(%s, %s) != %d\n", t[i].a, t[i].b, t[i].same);
    CHECK(wi_http_same_origin(t[i].a, t[i].b) == t[i].same);
  }
}

int
main(void)
{
  wi_http_global_init();
  struct MHD_Daemon *d =
      MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler, NULL,
                       MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
  if (d == NULL) {
    fprintf(stderr, "cannot start the test server\n");
    return 1;
  }
  g_port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
  RUN(test_redirect_authorization);
  RUN(test_bodies);
  RUN(test_request_bodies);
  RUN(test_form_and_cookies);
  RUN(test_url_origin);
  RUN(test_network_error);
  RUN(test_trace_redacts_authorization);
  RUN(test_escape);
  RUN(test_same_origin);
  MHD_stop_daemon(d);
  DONE();
}
