/* wlsimg: HTTP over libcurl (the only file that includes curl/curl.h).
 *
 * One easy handle per struct wi_http, reset and reconfigured for every request so that options
 * never leak from one request into the next, while the connection cache survives (keep-alive).
 */
#include "lib/http.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/str.h"

#define DEFAULT_USER_AGENT "wlsimg/0.1.0"
#define MAX_HEADERS        256
#define MAX_HEADER_BYTES   (256 * 1024)
#define MAX_ERROR_BODY     (64 * 1024) /* error body kept when a 2xx body would be streamed */
#define MAX_CA_BUNDLE      (16 * 1024 * 1024)
#define MAX_REDIRECTS      10

struct wi_http {
  CURL *curl;
  bool tls_skip_verify;
  char *user_agent;
  long connect_timeout_ms;
  long low_speed_time_s;
  const int *cancel;
  struct wi_buf ca_pem; /* system bundle + extra CAs, when any extra CA was given */
  char *client_cert;
  char *client_key;
  char errbuf[CURL_ERROR_SIZE];
};

/* State of one wi_http_do call, shared by the callbacks. */
struct xfer {
  const struct wi_http *h;
  const struct wi_http_req *req;
  struct wi_http_resp *resp;
  size_t header_bytes;
  bool headers_done; /* final header block seen: body decisions can be made */
  bool streaming;    /* body goes to write_fn */
  int64_t upload_pos;
  curl_mime *mime; /* multipart body (req->form) */
  int write_ret;   /* < 0: write_fn failed */
  int body_ret;    /* < 0: body cap exceeded */
  wi_err body_err; /* message for body_ret */
};

static pthread_once_t g_init_once = PTHREAD_ONCE_INIT;

static void
global_init_once(void)
{
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
wi_http_global_init(void)
{
  pthread_once(&g_init_once, global_init_once);
}

/* URL without "user:password@", for messages and logs, with control characters escaped (a URL can
 * come from a registry's Location or Link header). malloc'ed. */
static char *
url_for_display(const char *url)
{
  const char *scheme_end = strstr(url, "://");
  const char *host = scheme_end ? scheme_end + 3 : url;
  const char *at = scheme_end ? memrchr(host, '@', strcspn(host, "/?#")) : NULL;
  wi_autofree char *plain =
      at ? wi_xasprintf("%.*s%s", (int)(host - url), url, at + 1) : wi_xstrdup(url);
  size_t cap = strlen(plain) * 6 + 1; /* "\u0085" is the longest escape of one character */
  char *out = wi_xmalloc(cap);
  wi_str_escape_ctl(out, cap, plain, strlen(plain));
  return out;
}

static int
add_file_to_bundle(struct wi_buf *pem, const char *path, wi_err *err)
{
  wi_autofree char *data = NULL;
  size_t len = 0;
  int ret = wi_fs_read_file(path, MAX_CA_BUNDLE, &data, &len, err);
  if (ret < 0)
    return ret;
  if (wi_buf_add(pem, data, len, err) < 0 || wi_buf_adds(pem, "\n", err) < 0)
    return wi_err_set(err, WI_ETOOBIG, "CA bundle: %s: too many certificates", path);
  return 0;
}

static int
cmp_strp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* certs.d/<host>/: *.crt are CAs; the first X.cert with a matching X.key is the client pair.
 * Names are sorted so that the choice does not depend on directory order. */
static int
load_ca_dir(struct wi_http *h, const char *dir, bool *have_ca, wi_err *err)
{
  DIR *d = opendir(dir);
  if (d == NULL) {
    if (errno == ENOENT)
      return 0;
    return wi_err_sys(err, WI_EIO, "certificate directory %s", dir);
  }
  char **names = NULL;
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    names = wi_xreallocarray(names, n + 1, sizeof *names);
    names[n++] = wi_xstrdup(de->d_name);
  }
  closedir(d);
  if (n)
    qsort(names, n, sizeof *names, cmp_strp);

  int ret = 0;
  for (size_t i = 0; i < n && ret == 0; i++) {
    wi_autofree char *path = wi_xasprintf("%s/%s", dir, names[i]);
    if (wi_str_has_suffix(names[i], ".crt")) {
      ret = add_file_to_bundle(&h->ca_pem, path, err);
      *have_ca = true;
    } else if (wi_str_has_suffix(names[i], ".cert") && h->client_cert == NULL) {
      wi_autofree char *key =
          wi_xasprintf("%s/%.*s.key", dir, (int)(strlen(names[i]) - 5), names[i]);
      if (access(key, R_OK) == 0) {
        h->client_cert = wi_steal(&path);
        h->client_key = wi_steal(&key);
      } else {
        ret = wi_err_set(err, WI_EINVAL, "client certificate %s has no matching key %s", path, key);
      }
    }
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return ret;
}

/* Build the CA bundle: when extra CAs are given, the system bundle plus them (curl's CAINFO
 * would replace the system roots, and certs.d adds to them). */
static int
setup_tls(struct wi_http *h, const struct wi_http_opts *opts, wi_err *err)
{
  bool have_ca = false;
  int ret = 0;

  wi_buf_init(&h->ca_pem, MAX_CA_BUNDLE);
  if (opts->ca_file) {
    ret = add_file_to_bundle(&h->ca_pem, opts->ca_file, err);
    if (ret < 0)
      return ret;
    have_ca = true;
  }
  if (opts->ca_dir) {
    ret = load_ca_dir(h, opts->ca_dir, &have_ca, err);
    if (ret < 0)
      return ret;
  }
  if (!have_ca)
    return 0;
  char *sys = NULL;
  if (curl_easy_getinfo(h->curl, CURLINFO_CAINFO, &sys) == CURLE_OK && sys &&
      access(sys, R_OK) == 0) {
    ret = add_file_to_bundle(&h->ca_pem, sys, err);
    if (ret < 0)
      return ret;
  }
  return 0;
}

int
wi_http_new(struct wi_http **out, const struct wi_http_opts *opts, wi_err *err)
{
  static const struct wi_http_opts defaults = { 0 };
  if (opts == NULL)
    opts = &defaults;
  wi_http_global_init();

  struct wi_http *h = wi_xcalloc(1, sizeof *h);
  h->curl = curl_easy_init();
  if (h->curl == NULL) {
    free(h);
    return wi_err_set(err, WI_ERR, "cannot initialise libcurl");
  }
  h->tls_skip_verify = opts->tls_skip_verify;
  h->user_agent = wi_xstrdup(opts->user_agent ? opts->user_agent : DEFAULT_USER_AGENT);
  h->connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 30000;
  h->low_speed_time_s = opts->low_speed_time_s > 0 ? opts->low_speed_time_s : 60;
  h->cancel = opts->cancel;
  /* The in-memory cookie engine, once: it and its cookies outlive curl_easy_reset. A COOKIELIST
   * line that is no cookie turns it on without CURLOPT_COOKIEFILE, whose file list libcurl 7.88
   * leaks on every reset. */
  if (opts->cookies)
    curl_easy_setopt(h->curl, CURLOPT_COOKIELIST, "");
  int ret = setup_tls(h, opts, err);
  if (ret < 0) {
    wi_http_free(h);
    return ret;
  }
  *out = h;
  return 0;
}

void
wi_http_free(struct wi_http *h)
{
  if (h == NULL)
    return;
  if (h->curl)
    curl_easy_cleanup(h->curl);
  free(h->user_agent);
  wi_buf_dispose(&h->ca_pem);
  free(h->client_cert);
  free(h->client_key);
  free(h);
}

void
wi_http_resp_dispose(struct wi_http_resp *resp)
{
  if (resp == NULL)
    return;
  for (size_t i = 0; i < resp->n_headers; i++) {
    free(resp->headers[i].name);
    free(resp->headers[i].value);
  }
  free(resp->headers);
  wi_buf_dispose(&resp->body);
  free(resp->url);
  memset(resp, 0, sizeof *resp);
}

const char *
wi_http_resp_header(const struct wi_http_resp *resp, const char *name)
{
  for (size_t i = 0; i < resp->n_headers; i++)
    if (strcasecmp(resp->headers[i].name, name) == 0)
      return resp->headers[i].value;
  return NULL;
}

bool
wi_http_same_origin(const char *a, const char *b)
{
  wi_autofree char *oa = wi_http_url_origin(a);
  wi_autofree char *ob = wi_http_url_origin(b);
  return oa && ob && strcmp(oa, ob) == 0;
}

char *
wi_http_escape(const char *s)
{
  char *e = curl_easy_escape(NULL, s, 0);
  if (e == NULL)
    abort(); /* only fails on out-of-memory */
  char *r = wi_xstrdup(e);
  curl_free(e);
  return r;
}

static void
clear_headers(struct wi_http_resp *resp)
{
  for (size_t i = 0; i < resp->n_headers; i++) {
    free(resp->headers[i].name);
    free(resp->headers[i].value);
  }
  resp->n_headers = 0;
}

static size_t
trim_len(const char *s, size_t len)
{
  while (len &&
         (s[len - 1] == '\r' || s[len - 1] == '\n' || s[len - 1] == ' ' || s[len - 1] == '\t'))
    len--;
  return len;
}

/* One header line. A status line starts a new header block (100 Continue, redirects, auth
 * retries), so only the final response's headers remain. */
static size_t
header_cb(char *line, size_t size, size_t nmemb, void *userdata)
{
  struct xfer *x = userdata;
  size_t n = size * nmemb;
  size_t len = trim_len(line, n);

  if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
    clear_headers(x->resp);
    x->header_bytes = 0;
    x->headers_done = false;
    const char *sp = memchr(line, ' ', len);
    x->resp->status = sp ? strtol(sp + 1, NULL, 10) : 0;
    return n;
  }
  if (len == 0) {
    x->headers_done = true;
    return n;
  }
  x->header_bytes += n;
  if (x->header_bytes > MAX_HEADER_BYTES) {
    x->body_ret = WI_ETOOBIG;
    wi_err_set(&x->body_err, WI_ETOOBIG, "response headers larger than %d bytes", MAX_HEADER_BYTES);
    return 0; /* aborts the transfer */
  }
  if ((line[0] == ' ' || line[0] == '\t') && x->resp->n_headers) {
    /* obsolete line folding: append to the previous value */
    struct wi_http_header *last = &x->resp->headers[x->resp->n_headers - 1];
    char *v = wi_xasprintf("%s %.*s", last->value, (int)len - 1, line + 1);
    free(last->value);
    last->value = v;
    return n;
  }
  const char *colon = memchr(line, ':', len);
  if (colon == NULL || x->resp->n_headers >= MAX_HEADERS)
    return n; /* ignore malformed lines and excess headers */
  const char *v = colon + 1;
  while (v < line + len && (*v == ' ' || *v == '\t'))
    v++;
  x->resp->headers =
      wi_xreallocarray(x->resp->headers, x->resp->n_headers + 1, sizeof(struct wi_http_header));
  struct wi_http_header *hd = &x->resp->headers[x->resp->n_headers++];
  hd->name = wi_xstrndup(line, (size_t)(colon - line));
  hd->value = wi_xstrndup(v, (size_t)(line + len - v));
  return n;
}

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
  struct xfer *x = userdata;
  size_t n = size * nmemb;
  long st = x->resp->status;

  if (x->req->write_fn && st >= 200 && st < 300) {
    x->streaming = true;
    int r = x->req->write_fn(data, n, x->req->write_payload);
    if (r < 0) {
      x->write_ret = r;
      return 0;
    }
    return n;
  }
  if (x->req->write_fn) {
    /* error body, kept for the message: truncation is fine */
    size_t room = x->resp->body.max > x->resp->body.len ? x->resp->body.max - x->resp->body.len : 0;
    if (n > room)
      n = room;
    if (n && wi_buf_add(&x->resp->body, data, n, NULL) < 0)
      return 0;
    return size * nmemb;
  }
  if (wi_buf_add(&x->resp->body, data, n, NULL) < 0) {
    x->body_ret = WI_ETOOBIG;
    wi_err_set(&x->body_err, WI_ETOOBIG, "response body larger than %zu bytes", x->resp->body.max);
    return 0;
  }
  return n;
}

/* Request body from a file range, read with pread so that the fd's offset is irrelevant and a
 * rewind (auth retry, 307 redirect) is just resetting upload_pos. */
static size_t
read_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
  struct xfer *x = userdata;
  const struct wi_http_req *req = x->req;
  int64_t left = req->body_fd_len - x->upload_pos;
  size_t want = size * nitems;
  if (left <= 0)
    return 0;
  if ((int64_t)want > left)
    want = (size_t)left;
  for (;;) {
    ssize_t r = pread(req->body_fd, buf, want, (off_t)(req->body_offset + x->upload_pos));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      wi_err_sys(&x->body_err, WI_EIO, "reading the request body");
      if (r == 0)
        wi_err_set(&x->body_err, WI_EIO, "reading the request body: file shorter than expected");
      x->body_ret = WI_EIO;
      return CURL_READFUNC_ABORT;
    }
    x->upload_pos += r;
    return (size_t)r;
  }
}

static int
seek_cb(void *userdata, curl_off_t offset, int origin)
{
  struct xfer *x = userdata;
  if (origin != SEEK_SET || offset < 0 || offset > x->req->body_fd_len)
    return CURL_SEEKFUNC_CANTSEEK;
  x->upload_pos = offset;
  return CURL_SEEKFUNC_OK;
}

static int
progress_cb(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
            curl_off_t ulnow)
{
  struct xfer *x = userdata;
  if (x->h->cancel && __atomic_load_n(x->h->cancel, __ATOMIC_RELAXED))
    return 1; /* libcurl stops with CURLE_ABORTED_BY_CALLBACK */
  if (x->req->progress_fn == NULL)
    return 0;
  if (ultotal > 0)
    x->req->progress_fn(ulnow, ultotal, x->req->progress_payload);
  else if (x->resp->status >= 200 && x->resp->status < 300 && dlnow > 0)
    x->req->progress_fn(dlnow, dltotal, x->req->progress_payload);
  return 0;
}

static bool
is_secret_header(const char *line, size_t len)
{
  static const char *const names[] = { "authorization:", "proxy-authorization:", "cookie:",
                                       "set-cookie:" };
  for (size_t i = 0; i < WI_ARRAY_SIZE(names); i++) {
    size_t nl = strlen(names[i]);
    if (len >= nl && strncasecmp(line, names[i], nl) == 0)
      return true;
  }
  return false;
}

/* TRACE log of libcurl's view, header by header, with credentials redacted. Bodies are not
 * logged (they can hold tokens). */
static int
debug_cb(CURL *curl, curl_infotype type, char *data, size_t size, void *userdata)
{
  WI_UNUSED(curl);
  WI_UNUSED(userdata);
  const char *dir = type == CURLINFO_HEADER_OUT ? "> " : type == CURLINFO_HEADER_IN ? "< " : "* ";
  if (type != CURLINFO_TEXT && type != CURLINFO_HEADER_OUT && type != CURLINFO_HEADER_IN)
    return 0;
  const char *p = data, *end = data + size;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t len = trim_len(p, nl ? (size_t)(nl - p) : (size_t)(end - p));
    if (len) {
      if (type != CURLINFO_TEXT && is_secret_header(p, len)) {
        const char *colon = memchr(p, ':', len);
        wi_log(WI_LOG_TRACE, "%s%.*s: <redacted>", dir, (int)(colon - p), p);
      } else {
        wi_log(WI_LOG_TRACE, "%s%.*s", dir, (int)len, p);
      }
    }
    p = nl ? nl + 1 : end;
  }
  return 0;
}

static bool
has_header(const char *const *headers, const char *name)
{
  size_t nl = strlen(name);
  for (size_t i = 0; headers && headers[i]; i++)
    if (strncasecmp(headers[i], name, nl) == 0 && headers[i][nl] == ':')
      return true;
  return false;
}

static void
set_base_options(struct wi_http *h, struct xfer *x)
{
  CURL *c = h->curl;
  h->errbuf[0] = '\0';
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, h->user_agent);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, h->low_speed_time_s);
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, h->tls_skip_verify ? 0L : 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, h->tls_skip_verify ? 0L : 2L);
  if (h->ca_pem.len) {
    struct curl_blob blob = { .data = h->ca_pem.data,
                              .len = h->ca_pem.len,
                              .flags = CURL_BLOB_NOCOPY };
    curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (h->client_cert) {
    curl_easy_setopt(c, CURLOPT_SSLCERT, h->client_cert);
    curl_easy_setopt(c, CURLOPT_SSLKEY, h->client_key);
  }
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
  if (wi_log_level() >= WI_LOG_TRACE) {
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
  }
}

/* Method and request body. Bodies use POST mechanics (Content-Length from POSTFIELDSIZE) with a
 * custom method name, so PUT/PATCH/POST behave alike. */
static void
set_method(struct wi_http *h, struct xfer *x)
{
  CURL *c = h->curl;
  const struct wi_http_req *req = x->req;
  const char *m = req->method ? req->method : "GET";
  /* a zero-initialised request has body_fd 0: only a non-empty range counts as a file body */
  bool fd_body = req->body_fd >= 0 && req->body_fd_len > 0;
  bool has_body = fd_body || req->body != NULL || req->form != NULL;

  if (req->form) {
    x->mime = curl_mime_init(c);
    for (size_t i = 0; req->form[i] && req->form[i + 1]; i += 2) {
      curl_mimepart *part = curl_mime_addpart(x->mime);
      curl_mime_name(part, req->form[i]);
      curl_mime_data(part, req->form[i + 1], CURL_ZERO_TERMINATED);
    }
    curl_easy_setopt(c, CURLOPT_MIMEPOST, x->mime);
    if (strcmp(m, "POST") != 0)
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
  } else if (strcmp(m, "GET") == 0 && !has_body) {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (strcmp(m, "HEAD") == 0) {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (strcmp(m, "DELETE") == 0 && !has_body) {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
  } else {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    if (fd_body) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_fd_len);
      curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
      curl_easy_setopt(c, CURLOPT_READDATA, x);
      curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, seek_cb);
      curl_easy_setopt(c, CURLOPT_SEEKDATA, x);
    } else {
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    }
    if (strcmp(m, "POST") != 0)
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
    /* a 301/302/303 after a PUT must not turn into a GET silently */
    curl_easy_setopt(c, CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
  }
}

static struct curl_slist *
build_headers(const struct wi_http_req *req)
{
  struct curl_slist *list = NULL;
  for (size_t i = 0; req->headers && req->headers[i]; i++)
    list = curl_slist_append(list, req->headers[i]);
  /* only send Content-Type when the caller chose one (POST would add a form type); a multipart
   * body brings its own, with the boundary */
  if (!has_header(req->headers, "Content-Type") && req->form == NULL)
    list = curl_slist_append(list, "Content-Type:");
  return list;
}

static int
net_error(struct wi_http *h, const struct wi_http_req *req, CURLcode rc, wi_err *err)
{
  wi_autofree char *url = url_for_display(req->url);
  const char *msg = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);
  size_t ml = trim_len(msg, strlen(msg));
  int ret =
      wi_err_set(err, WI_ENET, "%s %s: %.*s", req->method ? req->method : "GET", url, (int)ml, msg);
  /* why, for callers that decide on retries (http.h) */
  long os_errno = 0;
  switch (rc) {
  case CURLE_OPERATION_TIMEDOUT:
    err->sys_errno = ETIMEDOUT;
    break;
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    err->sys_errno = EHOSTUNREACH;
    break;
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
    err->sys_errno = EPROTO;
    break;
  default:
    if (curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK)
      err->sys_errno = (int)os_errno;
  }
  return ret;
}

int
wi_http_do(struct wi_http *h, const struct wi_http_req *req, struct wi_http_resp *resp, wi_err *err)
{
  struct xfer x = { .h = h, .req = req, .resp = resp };
  CURL *c = h->curl;

  memset(resp, 0, sizeof *resp);
  wi_buf_init(&resp->body, req->write_fn   ? MAX_ERROR_BODY
                           : req->max_body ? req->max_body
                                           : WI_HTTP_MAX_BODY);
  curl_easy_reset(c);
  set_base_options(h, &x);
  curl_easy_setopt(c, CURLOPT_URL, req->url);
  set_method(h, &x);
  struct curl_slist *hdrs = build_headers(req);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
  if (req->follow_redirects) {
    /* libcurl drops our Authorization header when the host (or port/scheme) changes; we never
     * set CURLOPT_UNRESTRICTED_AUTH. */
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
  }
  if (req->progress_fn || h->cancel) {
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &x);
  }

  CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
  curl_slist_free_all(hdrs);
  if (x.mime) {
    curl_easy_setopt(c, CURLOPT_MIMEPOST, NULL);
    curl_mime_free(x.mime);
  }

  int ret = 0;
  if (x.write_ret < 0) {
    wi_autofree char *url = url_for_display(req->url);
    ret = wi_err_set(err, x.write_ret, "%s %s: writing the response body failed",
                     req->method ? req->method : "GET", url);
  } else if (x.body_ret < 0) {
    wi_autofree char *url = url_for_display(req->url);
    ret = wi_err_set(err, x.body_ret, "%s %s: %s", req->method ? req->method : "GET", url,
                     x.body_err.msg);
  } else if (rc == CURLE_ABORTED_BY_CALLBACK && h->cancel) {
    wi_autofree char *url = url_for_display(req->url);
    ret = wi_err_set(err, WI_ECANCELED, "%s %s: cancelled", req->method ? req->method : "GET", url);
  } else if (rc != CURLE_OK) {
    ret = net_error(h, req, rc, err);
  }
  if (ret < 0) {
    wi_http_resp_dispose(resp);
    return ret;
  }
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  resp->status = code;
  char *eff = NULL;
  curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
  resp->url = wi_xstrdup(eff ? eff : req->url);
  return 0;
}

/* The parts of an absolute http(s) URL; false otherwise. Each malloc'ed. */
static bool
url_parts(const char *url, char **scheme, char **host, char **port)
{
  CURLU *u = curl_url();
  bool ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_SCHEME, scheme, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) == CURLUE_OK;
  curl_url_cleanup(u);
  return ok;
}

char *
wi_http_url_origin(const char *url)
{
  char *scheme = NULL, *host = NULL, *port = NULL;
  char *r = NULL;
  if (url_parts(url, &scheme, &host, &port) &&
      (strcasecmp(scheme, "https") == 0 || strcasecmp(scheme, "http") == 0)) {
    r = wi_xasprintf("%s://%s:%s", scheme, host, port);
    for (char *p = r; *p; p++)
      *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
  }
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  return r;
}

char *
wi_http_url_resolve(const char *base, const char *ref)
{
  CURLU *u = curl_url();
  char *abs = NULL;
  char *r = NULL;
  /* curl_url_set with a base already in place resolves a relative reference against it */
  if (u && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
      curl_url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK)
    r = wi_xstrdup(abs);
  curl_free(abs);
  curl_url_cleanup(u);
  return r;
}
