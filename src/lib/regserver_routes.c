/* Registry request handling: the parsers of the registry's own request syntax (paths, Range,
 * Content-Range, scopes, forms) and one handler per OCI distribution endpoint. The HTTP layer
 * (regserver_http.c) feeds requests through struct wi_rs_req and sends struct wi_rs_resp. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/log.h"
#include "lib/manifest.h"
#include "lib/regserver_int.h"
#include "lib/str.h"

/* Short names for the response builders (exported for regserver_access.c). */
#define resp_header wi_regserver_routes_resp_header
#define resp_status wi_regserver_routes_resp_status
#define resp_error  wi_regserver_routes_resp_error

/* ---- parsers ---- */

static bool
lower_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool
wi_regserver_routes_name_valid(const char *s)
{
  const char *p = s;
  size_t n = strlen(s);

  if (n == 0 || n > WI_RS_NAME_MAX)
    return false;
  for (;;) {
    if (!lower_alnum(*p))
      return false;
    while (lower_alnum(*p))
      p++;
    /* separator then more alphanumerics, until '/' or the end */
    while (*p && *p != '/') {
      if (*p == '.') {
        p++;
      } else if (*p == '_') {
        p++;
        if (*p == '_')
          p++;
      } else if (*p == '-') {
        while (*p == '-')
          p++;
      } else {
        return false;
      }
      if (!lower_alnum(*p))
        return false;
      while (lower_alnum(*p))
        p++;
    }
    if (*p == '\0')
      return true;
    p++;
  }
}

static bool
tag_char(char c, bool first)
{
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
    return true;
  return !first && (c == '.' || c == '-');
}

bool
wi_regserver_routes_tag_valid(const char *t)
{
  size_t n = strlen(t);
  if (n == 0 || n > 128)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!tag_char(t[i], i == 0))
      return false;
  return true;
}

bool
wi_regserver_routes_digest_valid(const char *d)
{
  size_t hexlen;
  if (strncmp(d, "sha256:", 7) == 0)
    hexlen = 64;
  else if (strncmp(d, "sha512:", 7) == 0)
    hexlen = 128;
  else
    return false;
  d += 7;
  for (size_t i = 0; i < hexlen; i++)
    if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
      return false;
  return d[hexlen] == '\0';
}

/* Last occurrence of needle in [s, s+n). */
static const char *
last_of(const char *s, size_t n, const char *needle)
{
  size_t k = strlen(needle);
  if (n < k)
    return NULL;
  for (size_t i = n - k + 1; i-- > 0;)
    if (memcmp(s + i, needle, k) == 0)
      return s + i;
  return NULL;
}

static int
path_error(struct wi_rs_path *out, wi_err *err, const char *code, const char *what, const char *arg)
{
  out->oci_code = code;
  wi_err_set(err, WI_EINVAL, "invalid %s %s", what, arg);
  err->http_status = 400;
  return WI_EINVAL;
}

static int
set_ref(struct wi_rs_path *out, const char *ref, size_t len, bool digest_only, wi_err *err)
{
  char tmp[WI_RS_REF_MAX + 1];

  if (len > WI_RS_REF_MAX || memchr(ref, '/', len))
    return path_error(out, err, digest_only ? "DIGEST_INVALID" : "TAG_INVALID", "reference",
                      "(too long or contains '/')");
  memcpy(tmp, ref, len);
  tmp[len] = '\0';
  if (strchr(tmp, ':') || digest_only) {
    if (!wi_regserver_routes_digest_valid(tmp))
      return path_error(out, err, "DIGEST_INVALID", "digest", tmp);
  } else if (!wi_regserver_routes_tag_valid(tmp)) {
    return path_error(out, err, "TAG_INVALID", "tag", tmp);
  }
  memcpy(out->ref, tmp, len + 1);
  return 0;
}

int
wi_regserver_routes_path_parse(const char *path, struct wi_rs_path *out, wi_err *err)
{
  static const char *const marks[] = { "/blobs/", "/manifests/", "/referrers/", "/tags/list" };
  const char *best = NULL;
  size_t best_i = 0, n;

  memset(out, 0, sizeof *out);
  if (strcmp(path, "/token") == 0 || strcmp(path, "/token/") == 0) {
    out->route = WI_RS_R_TOKEN;
    return 0;
  }
  if (strcmp(path, "/v2") == 0 || strcmp(path, "/v2/") == 0) {
    out->route = WI_RS_R_BASE;
    return 0;
  }
  if (strncmp(path, "/v2/", 4) != 0)
    return wi_err_set(err, WI_ENOTFOUND, "unknown path");
  path += 4;
  if (strcmp(path, "_catalog") == 0) {
    out->route = WI_RS_R_CATALOG;
    return 0;
  }
  n = strlen(path);
  /* Names may contain "blobs" or "manifests" as components: route on the last marker. */
  for (size_t i = 0; i < WI_ARRAY_SIZE(marks); i++) {
    const char *m = last_of(path, n, marks[i]);
    if (m && (best == NULL || m > best)) {
      best = m;
      best_i = i;
    }
  }
  if (best == NULL || best == path)
    return wi_err_set(err, WI_ENOTFOUND, "unknown path");
  size_t name_len = (size_t)(best - path);
  if (name_len > WI_RS_NAME_MAX)
    return path_error(out, err, "NAME_INVALID", "repository name", "(too long)");
  memcpy(out->name, path, name_len);
  out->name[name_len] = '\0';
  if (!wi_regserver_routes_name_valid(out->name))
    return path_error(out, err, "NAME_INVALID", "repository name", out->name);
  const char *rest = best + strlen(marks[best_i]);
  size_t rest_len = n - (size_t)(rest - path);
  switch (best_i) {
  case 0:
    if (strcmp(rest, "uploads") == 0 || strcmp(rest, "uploads/") == 0) {
      out->route = WI_RS_R_UPLOAD_NEW;
      return 0;
    }
    if (strncmp(rest, "uploads/", 8) == 0) {
      if (rest_len - 8 > WI_RS_REF_MAX || strchr(rest + 8, '/'))
        return wi_err_set(err, WI_ENOTFOUND, "unknown upload");
      out->route = WI_RS_R_UPLOAD;
      memcpy(out->ref, rest + 8, rest_len - 8 + 1);
      return 0;
    }
    out->route = WI_RS_R_BLOB;
    return set_ref(out, rest, rest_len, true, err);
  case 1:
    out->route = WI_RS_R_MANIFEST;
    return set_ref(out, rest, rest_len, false, err);
  case 2:
    out->route = WI_RS_R_REFERRERS;
    return set_ref(out, rest, rest_len, true, err);
  default:
    if (rest_len != 0 && strcmp(rest, "/") != 0)
      return wi_err_set(err, WI_ENOTFOUND, "unknown path");
    out->route = WI_RS_R_TAGS;
    return 0;
  }
}

/* Decimal without sign, overflow-checked; advances *p. */
static bool
parse_u64(const char **p, uint64_t *out)
{
  uint64_t v = 0;
  const char *s = *p;

  if (*s < '0' || *s > '9')
    return false;
  while (*s >= '0' && *s <= '9') {
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
      return false;
    s++;
  }
  *p = s;
  *out = v;
  return true;
}

int
wi_regserver_routes_range_parse(const char *hdr, uint64_t size, uint64_t *start, uint64_t *len)
{
  uint64_t a = 0, b = 0;
  const char *p = hdr;

  if (hdr == NULL || strncasecmp(p, "bytes=", 6) != 0 || strchr(p, ','))
    return 0;
  p += 6;
  while (*p == ' ')
    p++;
  if (*p == '-') { /* suffix: the last n bytes */
    p++;
    if (!parse_u64(&p, &b) || *p != '\0')
      return 0;
    if (b == 0 || size == 0)
      return -1;
    *start = b >= size ? 0 : size - b;
    *len = size - *start;
    return 1;
  }
  if (!parse_u64(&p, &a) || *p != '-')
    return 0;
  p++;
  if (*p == '\0') {
    b = UINT64_MAX;
  } else if (!parse_u64(&p, &b) || *p != '\0') {
    return 0;
  }
  /* A range that ends before it starts ("bytes=500-0") can select nothing: 416, never the whole
   * blob with 200 as if no Range had been sent. */
  if (a >= size || b < a)
    return -1;
  if (b >= size)
    b = size - 1;
  *start = a;
  *len = b - a + 1;
  return 1;
}

int
wi_regserver_routes_content_range_parse(const char *hdr, uint64_t *start, uint64_t *end)
{
  const char *p = hdr;

  if (hdr == NULL)
    return -1;
  if (strncasecmp(p, "bytes", 5) == 0) {
    p += 5;
    if (*p != '=' && *p != ' ')
      return -1;
    p++;
  }
  if (!parse_u64(&p, start) || *p != '-')
    return -1;
  p++;
  if (!parse_u64(&p, end) || *end < *start)
    return -1;
  if (*p == '/') { /* "/total" or "/" followed by a star */
    p++;
    uint64_t total;
    if (*p == '*')
      p++;
    else if (!parse_u64(&p, &total))
      return -1;
  }
  return *p == '\0' ? 0 : -1;
}

static unsigned
action_bit(const char *a, size_t len)
{
  if (len == 4 && memcmp(a, "pull", 4) == 0)
    return WI_RS_PULL;
  if (len == 4 && memcmp(a, "push", 4) == 0)
    return WI_RS_PUSH;
  if (len == 6 && memcmp(a, "delete", 6) == 0)
    return WI_RS_DELETE;
  if (len == 1 && a[0] == '*')
    return WI_RS_PULL | WI_RS_PUSH | WI_RS_DELETE | WI_RS_CATALOG;
  return 0;
}

int
wi_regserver_routes_scope_parse(const char *s, size_t len, struct wi_rs_scope *out)
{
  const char *c1 = memchr(s, ':', len);
  const char *c2 = NULL;

  memset(out, 0, sizeof *out);
  if (memchr(s, '\0', len))
    return -1;
  for (size_t i = len; i-- > 0;)
    if (s[i] == ':') {
      c2 = s + i;
      break;
    }
  if (c1 == NULL || c2 == NULL || c2 == c1)
    return -1;
  size_t tl = (size_t)(c1 - s), nl = (size_t)(c2 - c1 - 1);
  if (tl == 0 || tl >= sizeof out->type || nl == 0 || nl > WI_RS_NAME_MAX)
    return -1;
  memcpy(out->type, s, tl);
  memcpy(out->name, c1 + 1, nl);
  const char *a = c2 + 1, *end = s + len;
  while (a < end) {
    const char *comma = memchr(a, ',', (size_t)(end - a));
    size_t al = comma ? (size_t)(comma - a) : (size_t)(end - a);
    out->actions |= action_bit(a, al);
    a += al + 1;
  }
  return 0;
}

void
wi_regserver_routes_actions_format(unsigned actions, char *out, size_t outlen)
{
  size_t n = 0;
  static const struct {
    unsigned bit;
    const char *name;
  } names[] = { { WI_RS_PULL, "pull" }, { WI_RS_PUSH, "push" }, { WI_RS_DELETE, "delete" } };

  out[0] = '\0';
  for (size_t i = 0; i < WI_ARRAY_SIZE(names); i++) {
    if (!(actions & names[i].bit))
      continue;
    int k = snprintf(out + n, outlen - n, "%s%s", n ? "," : "", names[i].name);
    if (k < 0 || (size_t)k >= outlen - n)
      return;
    n += (size_t)k;
  }
}

void
wi_regserver_routes_escape(const char *s, char *out, size_t outlen)
{
  static const char hex[] = "0123456789abcdef";
  size_t o = 0;

  if (outlen == 0)
    return;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    bool plain = c >= 0x20 && c < 0x7f && c != '\\';
    if (o + (plain ? 1 : 4) >= outlen)
      break;
    if (plain) {
      out[o++] = (char)c;
      continue;
    }
    out[o++] = '\\';
    out[o++] = 'x';
    out[o++] = hex[c >> 4];
    out[o++] = hex[c & 15];
  }
  out[o] = '\0';
}

void
wi_regserver_routes_log(enum wi_log_level level, const char *fmt, ...)
{
  char msg[2048], esc[4096];
  va_list ap;

  if (level > wi_log_level())
    return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  wi_regserver_routes_escape(msg, esc, sizeof esc);
  wi_log(level, "%s", esc);
}

static bool
mt_name(const char *s, size_t n)
{
  if (n == 0 || n > 127 ||
      !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
          (s[i] >= '0' && s[i] <= '9') || strchr("!#$&-^_.+", s[i])))
      return false;
  return true;
}

bool
wi_regserver_routes_mediatype_valid(const char *s)
{
  const char *slash = strchr(s, '/');
  return slash && mt_name(s, (size_t)(slash - s)) && mt_name(slash + 1, strlen(slash + 1));
}

int
wi_regserver_routes_form_decode(const char *s, size_t len, char *out, size_t outlen)
{
  size_t o = 0;

  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (i + 2 >= len)
        return -1;
      int h = wi_str_hexval(s[i + 1]), l = wi_str_hexval(s[i + 2]);
      if (h < 0 || l < 0)
        return -1;
      c = (char)(h * 16 + l);
      i += 2;
    }
    if (c == '\0' || o + 1 >= outlen)
      return -1;
    out[o++] = c;
  }
  out[o] = '\0';
  return 0;
}

int
wi_regserver_routes_form_get(const char *form, const char *key, char *out, size_t outlen)
{
  size_t kl = strlen(key);
  const char *p = form;

  while (p && *p) {
    const char *amp = strchr(p, '&');
    size_t fl = amp ? (size_t)(amp - p) : strlen(p);
    if (fl > kl && memcmp(p, key, kl) == 0 && p[kl] == '=')
      return wi_regserver_routes_form_decode(p + kl + 1, fl - kl - 1, out, outlen);
    p = amp ? amp + 1 : NULL;
  }
  return -1;
}

/* ---- responses ---- */

void
wi_regserver_routes_resp_header(struct wi_rs_req *r, const char *name, const char *fmt, ...)
{
  va_list ap;
  char *v = NULL;

  if (r->resp.n_headers >= WI_RS_MAX_HEADERS)
    return;
  va_start(ap, fmt);
  if (vasprintf(&v, fmt, ap) < 0)
    v = NULL;
  va_end(ap);
  if (v == NULL)
    return;
  r->resp.headers[r->resp.n_headers].name = wi_xstrdup(name);
  r->resp.headers[r->resp.n_headers].value = v;
  r->resp.n_headers++;
}

void
wi_regserver_routes_resp_status(struct wi_rs_req *r, int status)
{
  r->resp.status = status;
  r->done = true;
}

static void
resp_json(struct wi_rs_req *r, int status, json_t *j)
{
  char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  wi_err e2 = { 0 };
  json_decref(j);
  wi_buf_reset(&r->resp.body);
  wi_buf_adds(&r->resp.body, s ? s : "{}", &e2);
  free(s);
  resp_header(r, "Content-Type", "application/json");
  resp_status(r, status);
}

void
wi_regserver_routes_resp_error(struct wi_rs_req *r, int status, const char *code, const char *msg)
{
  json_t *e = json_pack("{s:[{s:s, s:s, s:{}}]}", "errors", "code", code, "message", msg, "detail");
  resp_json(r, status, e);
}

void
wi_regserver_routes_resp_body(struct wi_rs_req *r, int status, const char *content_type,
                              const char *body)
{
  wi_err e2 = { 0 };
  wi_buf_reset(&r->resp.body);
  wi_buf_adds(&r->resp.body, body, &e2);
  resp_header(r, "Content-Type", "%s", content_type);
  resp_status(r, status);
}

/* Map a storage error to the spec's status and code. Anything unexpected (an I/O error, a
 * corrupt file) is a 500 whose details go to the log, never a 404 that would pass for "absent". */
static void
resp_from_err(struct wi_rs_req *r, const wi_err *err, const char *notfound_code)
{
  switch (err->code) {
  case WI_ENOTFOUND:
    resp_error(r, 404, notfound_code, err->msg);
    break;
  case WI_EDENIED:
    resp_error(r, 403, "DENIED", err->msg);
    break;
  case WI_EDIGEST:
    resp_error(r, 400, "DIGEST_INVALID", err->msg);
    break;
  case WI_EINVAL:
  case WI_EUNSUPPORTED:
    resp_error(r, 400, "MANIFEST_INVALID", err->msg);
    break;
  case WI_ETOOBIG:
    resp_error(r, 413, "SIZE_INVALID", err->msg);
    break;
  case WI_EEXISTS:
    resp_error(r, 416, "BLOB_UPLOAD_INVALID", err->msg);
    break;
  default:
    wi_regserver_routes_log(WI_LOG_ERROR, "%s %s: %s", r->method, r->path, err->msg);
    resp_error(r, 500, "UNKNOWN", "internal error (see the registry log)");
    break;
  }
}

static bool
is_method(const struct wi_rs_req *r, const char *m)
{
  return strcmp(r->method, m) == 0;
}

/* ---- handlers ---- */

static void
upload_location(struct wi_rs_req *r, const char *id, uint64_t offset)
{
  resp_header(r, "Location", "/v2/%s/blobs/uploads/%s", r->p.name, id);
  resp_header(r, "Range", "0-%llu", (unsigned long long)(offset ? offset - 1 : 0));
  resp_header(r, "Docker-Upload-UUID", "%s", id);
}

static void
handle_blob(struct wi_rs_req *r)
{
  wi_err err = { 0 };
  const char *root = r->srv->root;
  const char *d = r->p.ref;

  if (is_method(r, "DELETE")) {
    if (wi_regserver_storage_blob_delete(root, r->p.name, d, &err) < 0)
      return resp_from_err(r, &err, "BLOB_UNKNOWN");
    return resp_status(r, 202);
  }
  if (is_method(r, "HEAD")) {
    uint64_t size = 0;
    if (wi_regserver_storage_blob_stat(root, r->p.name, d, &size, &err) < 0)
      return resp_from_err(r, &err, "BLOB_UNKNOWN");
    r->resp.head_only = true;
    r->resp.content_length = size;
  } else {
    int fd = -1;
    uint64_t size = 0, start = 0, len = 0;
    if (wi_regserver_storage_blob_open(root, r->p.name, d, &fd, &size, &err) < 0)
      return resp_from_err(r, &err, "BLOB_UNKNOWN");
    int rg = wi_regserver_routes_range_parse(r->ops->header(r, "Range"), size, &start, &len);
    if (rg < 0) {
      close(fd);
      resp_header(r, "Content-Range", "bytes */%llu", (unsigned long long)size);
      return resp_error(r, 416, "RANGE_INVALID", "requested range not satisfiable");
    }
    r->resp.fd = fd;
    r->resp.fd_offset = rg ? start : 0;
    r->resp.fd_len = rg ? len : size;
    if (rg) {
      resp_header(r, "Content-Range", "bytes %llu-%llu/%llu", (unsigned long long)start,
                  (unsigned long long)(start + len - 1), (unsigned long long)size);
      r->resp.status = 206;
    }
  }
  resp_header(r, "Content-Type", "application/octet-stream");
  resp_header(r, "Docker-Content-Digest", "%s", d);
  resp_header(r, "Accept-Ranges", "bytes");
  resp_header(r, "ETag", "\"%s\"", d);
  resp_header(r, "Cache-Control", "max-age=31536000");
  resp_status(r, r->resp.status ? r->resp.status : 200);
}

static void
start_upload_body(struct wi_rs_req *r, const char *id)
{
  wi_err err = { 0 };
  if (wi_regserver_storage_upload_open(r->srv->root, r->p.name, id, &r->upload, &err) < 0)
    return resp_from_err(r, &err, "BLOB_UPLOAD_UNKNOWN");
  r->body_kind = WI_RS_BODY_UPLOAD;
}

static void
stop_upload_body(struct wi_rs_req *r)
{
  wi_regserver_storage_upload_release(wi_steal(&r->upload));
  r->body_kind = WI_RS_BODY_NONE;
}

/* Request body size as announced; UINT64_MAX when unknown (chunked transfer encoding). */
static uint64_t
content_length(struct wi_rs_req *r)
{
  const char *cl = r->ops->header(r, "Content-Length");
  uint64_t v = 0;

  if (cl == NULL)
    return r->ops->header(r, "Transfer-Encoding") ? UINT64_MAX : 0;
  if (!parse_u64(&cl, &v) || *cl)
    return UINT64_MAX;
  return v;
}

static void
human(uint64_t v, char out[32])
{
  static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB" };
  double d = (double)v;
  size_t u = 0;
  while (d >= 1024 && u + 1 < WI_ARRAY_SIZE(units)) {
    d /= 1024;
    u++;
  }
  if (u == 0)
    snprintf(out, 32, "%llu bytes", (unsigned long long)v);
  else
    snprintf(out, 32, "%.1f %s", d, units[u]);
}

/* Room for `incoming` more bytes (UINT64_MAX: unknown) on an upload that holds `have`, within the
 * per-upload size limit and the namespace quota. Sets r->body_left for the body; false with a 413
 * (size) or 403 DENIED (quota) set. Concurrent uploads of one namespace are each checked against
 * the usage when they start, so together they may pass the quota by what they carry at most. */
static bool
upload_room(struct wi_rs_req *r, uint64_t have, uint64_t incoming)
{
  uint64_t max = r->srv->max_upload, quota = r->srv->ns_quota, left = UINT64_MAX, used = 0;
  char ns[WI_RS_NAME_MAX + 1], a[32], b[32], msg[512];
  wi_err err = { 0 };

  if (max != WI_REGSERVER_UNLIMITED)
    left = have >= max ? 0 : max - have;
  if (incoming != UINT64_MAX && incoming > left) {
    human(max, a);
    snprintf(msg, sizeof msg, "blob upload larger than the registry's limit of %s", a);
    resp_error(r, 413, "SIZE_INVALID", msg);
    return false;
  }
  if (quota != WI_REGSERVER_UNLIMITED) {
    wi_regserver_storage_namespace(r->p.name, ns);
    if (wi_regserver_space_usage(r->srv->root, ns, &used, &err) < 0) {
      resp_from_err(r, &err, "NAME_UNKNOWN");
      return false;
    }
    uint64_t qleft = used >= quota ? 0 : quota - used;
    if (incoming != UINT64_MAX && incoming > qleft) {
      char c[32];
      human(used, a);
      human(quota, b);
      human(incoming, c);
      snprintf(msg, sizeof msg,
               "namespace %s would exceed its storage quota: %s of %s used, this upload needs %s",
               ns, a, b, c);
      resp_error(r, 403, "DENIED", msg);
      return false;
    }
    if (qleft < left)
      left = qleft;
  }
  r->body_left = left;
  return true;
}

static bool
same_namespace(const char *a, const char *b)
{
  size_t la = strcspn(a, "/"), lb = strcspn(b, "/");
  return la == lb && memcmp(a, b, la) == 0;
}

/* POST ?mount=&from=: 1 = answered (201, or an error), 0 = not mounted (open an upload). */
static int
try_mount(struct wi_rs_req *r, const struct wi_rs_identity *id, const char *mount, const char *from)
{
  wi_err err = { 0 };
  uint64_t size = 0;

  if (!wi_regserver_access_mount_scope(r, id, r->p.name, from))
    return r->done ? 1 : 0;
  if (wi_regserver_storage_blob_stat(r->srv->root, from, mount, &size, &err) < 0) {
    if (err.code == WI_ENOTFOUND)
      return 0;
    resp_from_err(r, &err, "BLOB_UNKNOWN");
    return 1;
  }
  /* A blob from another namespace adds to this one's usage; one from the same is counted. */
  if (!same_namespace(r->p.name, from) && !upload_room(r, 0, size))
    return 1;
  if (wi_regserver_storage_blob_mount(r->srv->root, r->p.name, mount, &err) < 0) {
    if (err.code == WI_ENOTFOUND) /* collected meanwhile */
      return 0;
    resp_from_err(r, &err, "BLOB_UNKNOWN");
    return 1;
  }
  resp_header(r, "Location", "/v2/%s/blobs/%s", r->p.name, mount);
  resp_header(r, "Docker-Content-Digest", "%s", mount);
  resp_status(r, 201);
  return 1;
}

static void
handle_upload_new(struct wi_rs_req *r, const struct wi_rs_identity *id)
{
  wi_err err = { 0 };
  char uid[33];
  const char *mount = r->ops->query(r, "mount");
  const char *from = r->ops->query(r, "from");
  const char *digest = r->ops->query(r, "digest");

  if (mount && from && try_mount(r, id, mount, from))
    return;
  /* monolithic (the body is the blob): refuse one too large before creating anything */
  if (digest && !upload_room(r, 0, content_length(r)))
    return;
  if (wi_regserver_storage_upload_new(r->srv->root, r->p.name, uid, &err) < 0)
    return resp_from_err(r, &err, "NAME_UNKNOWN");
  if (digest) {
    r->monolithic = true;
    return start_upload_body(r, uid);
  }
  upload_location(r, uid, 0);
  resp_status(r, 202);
  r->body_kind = WI_RS_BODY_DISCARD;
}

/* Content-Range must continue exactly where the upload stands, else 416. */
static bool
check_chunk_start(struct wi_rs_req *r)
{
  const char *cr = r->ops->header(r, "Content-Range");
  uint64_t start = 0, end = 0, off = wi_regserver_storage_upload_offset(r->upload);

  if (cr == NULL)
    return true;
  if (wi_regserver_routes_content_range_parse(cr, &start, &end) == 0 && start == off)
    return true;
  stop_upload_body(r);
  upload_location(r, r->p.ref, off);
  resp_error(r, 416, "BLOB_UPLOAD_INVALID", "Content-Range does not continue the upload");
  return false;
}

static void
handle_upload(struct wi_rs_req *r)
{
  wi_err err = { 0 };
  uint64_t off = 0;

  if (is_method(r, "GET")) {
    if (wi_regserver_storage_upload_status(r->srv->root, r->p.name, r->p.ref, &off, &err) < 0)
      return resp_from_err(r, &err, "BLOB_UPLOAD_UNKNOWN");
    upload_location(r, r->p.ref, off);
    return resp_status(r, 204);
  }
  if (is_method(r, "DELETE")) {
    if (wi_regserver_storage_upload_cancel(r->srv->root, r->p.name, r->p.ref, &err) < 0)
      return resp_from_err(r, &err, "BLOB_UPLOAD_UNKNOWN");
    return resp_status(r, 204);
  }
  if (is_method(r, "PUT")) {
    const char *digest = r->ops->query(r, "digest");
    if (digest == NULL)
      return resp_error(r, 400, "DIGEST_INVALID", "missing digest parameter");
  }
  start_upload_body(r, r->p.ref);
  if (r->upload && check_chunk_start(r) &&
      !upload_room(r, wi_regserver_storage_upload_offset(r->upload), content_length(r)))
    stop_upload_body(r);
}

static void
finish_upload(struct wi_rs_req *r)
{
  wi_err err = { 0 };
  struct wi_rs_upload *u = wi_steal(&r->upload);

  if (r->upload_failed) {
    wi_regserver_storage_upload_release(u);
    return resp_from_err(r, &r->upload_err, "BLOB_UPLOAD_UNKNOWN");
  }
  if (is_method(r, "PATCH")) {
    uint64_t off = wi_regserver_storage_upload_offset(u);
    wi_regserver_storage_upload_release(u);
    upload_location(r, r->p.ref, off);
    return resp_status(r, 202);
  }
  const char *digest = r->ops->query(r, "digest");
  if (wi_regserver_storage_upload_finish(u, digest, &err) < 0) {
    if (err.code == WI_EDIGEST)
      return resp_error(r, 400, "DIGEST_INVALID", err.msg);
    return resp_from_err(r, &err, "BLOB_UPLOAD_UNKNOWN");
  }
  resp_header(r, "Location", "/v2/%s/blobs/%s", r->p.name, digest);
  resp_header(r, "Docker-Content-Digest", "%s", digest);
  resp_status(r, 201);
}

bool
wi_regserver_routes_accepts(const char *const *accept, size_t n, const char *mt)
{
  size_t ml = strlen(mt);
  if (n == 0)
    return true;
  for (size_t i = 0; i < n; i++) {
    const char *p = accept[i];
    while (*p) {
      while (*p == ' ' || *p == ',')
        p++;
      size_t len = strcspn(p, ",;");
      while (len && p[len - 1] == ' ')
        len--;
      if ((len == ml && strncasecmp(p, mt, ml) == 0) || (len == 3 && strncmp(p, "*/*", 3) == 0))
        return true;
      p += strcspn(p, ",");
    }
  }
  return false;
}

/* A client whose Accept lists image manifests but no index type gets the linux/amd64 image of an
 * index, as distribution does for old Docker clients; otherwise the index is served as stored. */
static void
negotiate_index(struct wi_rs_req *r, struct wi_rs_manifest_info *info, char **body)
{
  const char *acc[32];
  size_t n = r->ops->header_all(r, "Accept", acc, WI_ARRAY_SIZE(acc));
  wi_autoptr(wi_manifest) struct wi_manifest *idx = NULL;
  wi_autofree char *raw = NULL;
  struct wi_rs_manifest_info child = { 0 };
  wi_err err = { 0 };

  char digest[WI_DIGEST_MAX];
  if (n == 0 || wi_regserver_routes_accepts(acc, n, info->media_type))
    return;
  snprintf(digest, sizeof digest, "%s", info->digest);
  if (wi_regserver_storage_manifest_get(r->srv->root, r->p.name, digest, &child, &raw, &err) < 0 ||
      wi_manifest_parse(&idx, raw, child.size, child.media_type, &err) < 0)
    return;
  for (size_t i = 0; i < idx->n_manifests; i++) {
    const struct wi_descriptor *d = &idx->manifests[i];
    if (!d->has_platform || strcmp(d->platform.os, "linux") != 0 ||
        strcmp(d->platform.arch, "amd64") != 0 || d->media_type == NULL ||
        !wi_regserver_routes_accepts(acc, n, d->media_type))
      continue;
    char *cb = NULL;
    if (wi_regserver_storage_manifest_get(r->srv->root, r->p.name, d->digest, &child,
                                          body ? &cb : NULL, &err) < 0)
      return;
    if (body) {
      free(*body);
      *body = cb;
    }
    *info = child;
    return;
  }
}

static void
handle_manifest(struct wi_rs_req *r)
{
  wi_err err = { 0 };
  struct wi_rs_manifest_info info = { 0 };

  if (is_method(r, "PUT")) {
    const char *cl = r->ops->header(r, "Content-Length");
    if (cl && strtoull(cl, NULL, 10) > WI_MAX_MANIFEST_BYTES)
      return resp_error(r, 413, "SIZE_INVALID", "manifest larger than 4 MiB");
    wi_buf_init(&r->body, WI_MAX_MANIFEST_BYTES);
    r->body_kind = WI_RS_BODY_BUFFER;
    return;
  }
  if (is_method(r, "DELETE")) {
    if (wi_regserver_storage_manifest_delete(r->srv->root, r->p.name, r->p.ref, &err) < 0)
      return resp_from_err(r, &err, "MANIFEST_UNKNOWN");
    return resp_status(r, 202);
  }
  bool head = is_method(r, "HEAD");
  char *body = NULL;
  if (wi_regserver_storage_manifest_get(r->srv->root, r->p.name, r->p.ref, &info,
                                        head ? NULL : &body, &err) < 0)
    return resp_from_err(r, &err, "MANIFEST_UNKNOWN");
  if (wi_mediatype_is_index(info.media_type))
    negotiate_index(r, &info, head ? NULL : &body);
  if (head) {
    r->resp.head_only = true;
    r->resp.content_length = info.size;
  } else {
    wi_buf_add(&r->resp.body, body, info.size, &err);
    free(body);
  }
  resp_header(r, "Content-Type", "%s", info.media_type);
  resp_header(r, "Docker-Content-Digest", "%s", info.digest);
  resp_header(r, "ETag", "\"%s\"", info.digest);
  resp_status(r, 200);
}

static void
finish_manifest(struct wi_rs_req *r)
{
  wi_err err = { 0 };
  struct wi_rs_manifest_info info = { 0 };
  char subject[WI_DIGEST_MAX];
  const char *tags[WI_RS_MAX_TAG_PARAMS];
  size_t n_tags = r->ops->query_all(r, "tag", tags, WI_ARRAY_SIZE(tags));

  if (r->body_too_big)
    return resp_error(r, 413, "SIZE_INVALID", "manifest larger than 4 MiB");
  if (n_tags > WI_ARRAY_SIZE(tags)) /* refused by check_query already */
    n_tags = WI_ARRAY_SIZE(tags);
  if (n_tags && !strchr(r->p.ref, ':'))
    n_tags = 0; /* ?tag= only applies to a PUT by digest */
  if (wi_regserver_storage_manifest_put(
          r->srv->root, r->p.name, r->p.ref, r->ops->header(r, "Content-Type"),
          r->body.data ? r->body.data : "", r->body.len, tags, n_tags, &info, subject, &err) < 0) {
    if (err.code == WI_ENOTFOUND)
      return resp_error(r, 400, "MANIFEST_BLOB_UNKNOWN", err.msg);
    if (err.code == WI_EINVAL && strncmp(err.msg, "invalid tag", 11) == 0)
      return resp_error(r, 400, "TAG_INVALID", err.msg);
    return resp_from_err(r, &err, "MANIFEST_UNKNOWN");
  }
  resp_header(r, "Location", "/v2/%s/manifests/%s", r->p.name, info.digest);
  resp_header(r, "Docker-Content-Digest", "%s", info.digest);
  if (subject[0])
    resp_header(r, "OCI-Subject", "%s", subject);
  for (size_t i = 0; i < n_tags; i++)
    resp_header(r, "OCI-Tag", "%s", tags[i]);
  resp_status(r, 201);
}

/* n and last of a paginated list; false with a 400 response on a bad n. */
static bool
pagination(struct wi_rs_req *r, long *n, const char **last)
{
  const char *ns = r->ops->query(r, "n");
  *last = r->ops->query(r, "last");
  *n = -1;
  if (ns == NULL || *ns == '\0')
    return true;
  char *end = NULL;
  errno = 0;
  long v = strtol(ns, &end, 10);
  if (errno || *end || v < 0) {
    resp_error(r, 400, "PAGINATION_NUMBER_INVALID", "invalid n");
    return false;
  }
  *n = v > 100000 ? 100000 : v;
  return true;
}

/* JSON array of v[] after `last`, at most n (-1 = all); *more when entries remain. */
static json_t *
page(char **v, size_t count, long n, const char *last, const char **last_out, bool *more)
{
  json_t *a = json_array();
  size_t i = 0;
  long taken = 0;

  *more = false;
  *last_out = NULL;
  if (last)
    while (i < count && strcmp(v[i], last) <= 0)
      i++;
  for (; i < count; i++) {
    if (n >= 0 && taken >= n) {
      *more = n > 0;
      break;
    }
    json_array_append_new(a, json_string(v[i]));
    *last_out = v[i];
    taken++;
  }
  return a;
}

static char *
url_escape(const char *s)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  wi_err e2 = { 0 };
  for (; *s; s++) {
    if (lower_alnum(*s) || (*s >= 'A' && *s <= 'Z') || strchr("-._~", *s))
      wi_buf_add(&b, s, 1, &e2);
    else
      wi_buf_addf(&b, &e2, "%%%02X", (unsigned char)*s);
  }
  return wi_buf_steal(&b);
}

static void
handle_tags(struct wi_rs_req *r)
{
  wi_err err = { 0 };
  char **tags = NULL;
  size_t count = 0;
  long n;
  const char *last, *last_out;
  bool more;

  if (!pagination(r, &n, &last))
    return;
  if (wi_regserver_storage_tags_list(r->srv->root, r->p.name, &tags, &count, &err) < 0)
    return resp_from_err(r, &err, "NAME_UNKNOWN");
  json_t *a = page(tags, count, n, last, &last_out, &more);
  if (more) {
    wi_autofree char *esc = url_escape(last_out);
    resp_header(r, "Link", "</v2/%s/tags/list?n=%ld&last=%s>; rel=\"next\"", r->p.name, n, esc);
  }
  resp_json(r, 200, json_pack("{s:s, s:o}", "name", r->p.name, "tags", a));
  wi_strv_free(tags, count);
}

static void
handle_catalog(struct wi_rs_req *r, const struct wi_rs_identity *id)
{
  wi_err err = { 0 };
  char **names = NULL;
  size_t count = 0, keep = 0;
  long n;
  const char *last, *last_out;
  bool more;

  if (!pagination(r, &n, &last))
    return;
  if (wi_regserver_storage_catalog(r->srv->root, &names, &count, &err) < 0)
    return resp_from_err(r, &err, "NAME_UNKNOWN");
  /* With auth, list only what the caller may pull. */
  for (size_t i = 0; i < count; i++) {
    if (r->srv->auth_mode == WI_REGSERVER_AUTH_NONE ||
        (wi_regserver_auth_allowed(r->srv->auth, id->user, "repository", names[i]) & WI_RS_PULL))
      names[keep++] = names[i];
    else
      free(names[i]);
  }
  json_t *a = page(names, keep, n, last, &last_out, &more);
  if (more) {
    wi_autofree char *esc = url_escape(last_out);
    resp_header(r, "Link", "</v2/_catalog?last=%s&n=%ld>; rel=\"next\"", esc, n);
  }
  resp_json(r, 200, json_pack("{s:o}", "repositories", a));
  wi_strv_free(names, keep);
}

static void
handle_referrers(struct wi_rs_req *r)
{
  wi_err err = { 0 };
  const char *at = r->ops->query(r, "artifactType");

  if (at && *at == '\0')
    at = NULL;
  wi_buf_reset(&r->resp.body);
  if (wi_regserver_storage_referrers(r->srv->root, r->p.name, r->p.ref, at, &r->resp.body, &err) <
      0)
    return resp_from_err(r, &err, "NAME_UNKNOWN");
  resp_header(r, "Content-Type", "%s", WI_MT_OCI_INDEX);
  if (at)
    resp_header(r, "OCI-Filters-Applied", "artifactType");
  resp_status(r, 200);
}

/* Required actions for a route and method, or 0 if the method is not allowed. */
static unsigned
route_needs(const struct wi_rs_req *r)
{
  bool get = is_method(r, "GET") || is_method(r, "HEAD");
  switch (r->p.route) {
  case WI_RS_R_BLOB:
    return get ? WI_RS_PULL : is_method(r, "DELETE") ? WI_RS_DELETE : 0;
  case WI_RS_R_MANIFEST:
    return get                      ? WI_RS_PULL
           : is_method(r, "PUT")    ? WI_RS_PUSH
           : is_method(r, "DELETE") ? WI_RS_DELETE
                                    : 0;
  case WI_RS_R_UPLOAD_NEW:
    return is_method(r, "POST") ? WI_RS_PUSH : 0;
  case WI_RS_R_UPLOAD:
    return is_method(r, "GET") || is_method(r, "PATCH") || is_method(r, "PUT") ||
                   is_method(r, "DELETE")
               ? WI_RS_PUSH
               : 0;
  case WI_RS_R_TAGS:
  case WI_RS_R_REFERRERS:
    return is_method(r, "GET") ? WI_RS_PULL : 0;
  default:
    return 0;
  }
}

/* ---- query parameters, checked before anything is read or stored ---- */

/* The value of a parameter that may appear once; false with a 400 when it appears more often or
 * fails valid(). */
static bool
one_param(struct wi_rs_req *r, const char *key, bool (*valid)(const char *), const char *code,
          const char **out)
{
  const char *v[2];
  char msg[200];
  size_t n = r->ops->query_all(r, key, v, 2);

  *out = n ? v[0] : NULL;
  if (n > 1) {
    snprintf(msg, sizeof msg, "query parameter %s given more than once", key);
    resp_error(r, 400, code, msg);
    return false;
  }
  if (n && !valid(v[0])) {
    snprintf(msg, sizeof msg, "invalid %s parameter", key);
    resp_error(r, 400, code, msg);
    return false;
  }
  return true;
}

static bool
any_value(const char *v)
{
  WI_UNUSED(v);
  return true;
}

static bool
count_valid(const char *v)
{
  const char *p = v;
  uint64_t n = 0;
  return *v == '\0' || (parse_u64(&p, &n) && *p == '\0');
}

static bool
check_tags(struct wi_rs_req *r)
{
  const char *tags[WI_RS_MAX_TAG_PARAMS];
  char msg[200];
  size_t n = r->ops->query_all(r, "tag", tags, WI_ARRAY_SIZE(tags));

  if (n > WI_ARRAY_SIZE(tags)) {
    snprintf(msg, sizeof msg, "at most %d tag parameters", WI_RS_MAX_TAG_PARAMS);
    resp_error(r, 400, "TAG_INVALID", msg);
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    if (!wi_regserver_routes_tag_valid(tags[i])) {
      snprintf(msg, sizeof msg,
               "invalid tag parameter (tags are [A-Za-z0-9_][A-Za-z0-9._-]{0,127})");
      resp_error(r, 400, "TAG_INVALID", msg);
      return false;
    }
  }
  return true;
}

/* Every parameter the route reads: a bad one is a 400 before any storage is touched (a bad ?tag=
 * used to be refused only after the manifest was stored). Unknown parameters are ignored. */
static bool
check_query(struct wi_rs_req *r)
{
  const char *v;

  switch (r->p.route) {
  case WI_RS_R_UPLOAD_NEW:
    return one_param(r, "digest", wi_regserver_routes_digest_valid, "DIGEST_INVALID", &v) &&
           one_param(r, "mount", wi_regserver_routes_digest_valid, "DIGEST_INVALID", &v) &&
           one_param(r, "from", wi_regserver_routes_name_valid, "NAME_INVALID", &v);
  case WI_RS_R_UPLOAD:
    return one_param(r, "digest", wi_regserver_routes_digest_valid, "DIGEST_INVALID", &v);
  case WI_RS_R_MANIFEST:
    return !is_method(r, "PUT") || check_tags(r);
  case WI_RS_R_TAGS:
    return one_param(r, "n", count_valid, "PAGINATION_NUMBER_INVALID", &v) &&
           one_param(r, "last", wi_regserver_routes_tag_valid, "TAG_INVALID", &v);
  case WI_RS_R_CATALOG:
    return one_param(r, "n", count_valid, "PAGINATION_NUMBER_INVALID", &v) &&
           one_param(r, "last", wi_regserver_routes_name_valid, "NAME_INVALID", &v);
  case WI_RS_R_REFERRERS:
    return one_param(r, "artifactType", wi_regserver_routes_mediatype_valid, "UNSUPPORTED", &v);
  case WI_RS_R_TOKEN:
    return one_param(r, "service", any_value, "UNSUPPORTED", &v) &&
           one_param(r, "account", any_value, "UNSUPPORTED", &v);
  default:
    return true;
  }
}

/* ---- request lifecycle ---- */

void
wi_regserver_routes_req_init(struct wi_rs_req *r, struct wi_rs_server *srv,
                             const struct wi_rs_req_ops *ops, void *conn, const char *method,
                             const char *path)
{
  memset(r, 0, sizeof *r);
  r->srv = srv;
  r->ops = ops;
  r->conn = conn;
  r->method = method;
  r->path = path;
  r->resp.fd = -1;
  r->body_left = UINT64_MAX;
  wi_buf_init(&r->resp.body, 8 * 1024 * 1024);
  wi_buf_init(&r->body, WI_RS_MAX_FORM);
}

bool
wi_regserver_routes_req_may_block(const struct wi_rs_req *r)
{
  if (is_method(r, "GET") || is_method(r, "HEAD"))
    return strncmp(r->path, "/v2/_catalog", 12) == 0; /* walks every repository */
  return true;
}

void
wi_regserver_routes_req_reject(struct wi_rs_req *r, int status, const char *code, const char *msg)
{
  resp_header(r, "Docker-Distribution-API-Version", "registry/2.0");
  resp_error(r, status, code, msg);
  r->body_kind = WI_RS_BODY_DISCARD;
}

static void
begin_v2(struct wi_rs_req *r, struct wi_rs_identity *id)
{
  if (r->p.route == WI_RS_R_BASE)
    return wi_regserver_access_base(r, id);
  if (r->p.route == WI_RS_R_CATALOG) {
    if (!is_method(r, "GET"))
      return resp_error(r, 405, "UNSUPPORTED", "method not allowed");
    if (!wi_regserver_access_catalog(r, id))
      return;
    return handle_catalog(r, id);
  }
  unsigned need = route_needs(r);
  if (need == 0)
    return resp_error(r, 405, "UNSUPPORTED", "method not allowed");
  const char *from = NULL;
  if (r->p.route == WI_RS_R_UPLOAD_NEW && r->ops->query(r, "mount"))
    from = r->ops->query(r, "from");
  if (!wi_regserver_access_authorize(r, id, "repository", r->p.name, need, from))
    return;
  switch (r->p.route) {
  case WI_RS_R_BLOB:
    return handle_blob(r);
  case WI_RS_R_UPLOAD_NEW:
    return handle_upload_new(r, id);
  case WI_RS_R_UPLOAD:
    return handle_upload(r);
  case WI_RS_R_MANIFEST:
    return handle_manifest(r);
  case WI_RS_R_TAGS:
    return handle_tags(r);
  case WI_RS_R_REFERRERS:
    return handle_referrers(r);
  default:
    return resp_error(r, 404, "UNSUPPORTED", "unknown path");
  }
}

void
wi_regserver_routes_req_begin(struct wi_rs_req *r)
{
  wi_err err = { 0 };
  struct wi_rs_identity id;

  resp_header(r, "Docker-Distribution-API-Version", "registry/2.0");
  if (wi_regserver_routes_path_parse(r->path, &r->p, &err) < 0) {
    if (err.code == WI_ENOTFOUND)
      return resp_error(r, 404, "NAME_UNKNOWN", "unknown path");
    /* No manifest can exist under an invalid tag: reading or deleting one is "unknown" (404), as
     * the distribution spec's conformance suite expects; only a PUT is a client error. */
    if (r->p.route == WI_RS_R_MANIFEST && strcmp(r->p.oci_code, "TAG_INVALID") == 0 &&
        !is_method(r, "PUT"))
      return resp_error(r, 404, "MANIFEST_UNKNOWN", "manifest unknown");
    return resp_error(r, 400, r->p.oci_code, err.msg);
  }
  if (!check_query(r))
    return;
  if (r->p.route == WI_RS_R_TOKEN) {
    if (is_method(r, "GET"))
      return wi_regserver_access_token_get(r);
    if (is_method(r, "POST")) {
      r->body_kind = WI_RS_BODY_BUFFER;
      return;
    }
    return resp_error(r, 405, "UNSUPPORTED", "method not allowed");
  }
  if (r->srv->auth_mode == WI_REGSERVER_AUTH_TOKEN) {
    if (!wi_regserver_access_identify(r, &id))
      return;
  } else {
    memset(&id, 0, sizeof id);
    id.anonymous = true;
  }
  begin_v2(r, &id);
  if (r->done && r->body_kind == WI_RS_BODY_NONE)
    r->body_kind = WI_RS_BODY_DISCARD;
}

bool
wi_regserver_routes_req_body(struct wi_rs_req *r, const char *data, size_t len)
{
  switch (r->body_kind) {
  case WI_RS_BODY_BUFFER:
    if (!r->body_too_big) {
      wi_err err = { 0 };
      if (wi_buf_add(&r->body, data, len, &err) < 0)
        r->body_too_big = true;
    }
    return true;
  case WI_RS_BODY_UPLOAD:
    if (r->upload_failed)
      return true;
    if (len > r->body_left) {
      /* Only a body without Content-Length gets here (the others were refused before): nothing
       * can be answered mid-body, so the connection is closed. What arrived so far stays in the
       * upload, which the client may cancel; otherwise it is reaped. */
      r->body_denied = true;
      r->upload_failed = true;
      wi_err_set(&r->upload_err, WI_ETOOBIG, "upload %s ran past its size limit or quota",
                 r->p.ref);
      wi_regserver_routes_log(WI_LOG_WARN, "%s %s: %s; closing the connection", r->method, r->path,
                              r->upload_err.msg);
      return false;
    }
    r->body_left -= len;
    if (wi_regserver_storage_upload_write(r->upload, data, len, &r->upload_err) < 0)
      r->upload_failed = true;
    return true;
  default:
    return true;
  }
}

void
wi_regserver_routes_req_end(struct wi_rs_req *r)
{
  if (r->done)
    return;
  if (r->p.route == WI_RS_R_TOKEN)
    wi_regserver_access_token_post(r);
  else if (r->p.route == WI_RS_R_MANIFEST)
    finish_manifest(r);
  else if (r->upload)
    finish_upload(r);
  if (!r->done)
    resp_error(r, 500, "UNKNOWN", "request not handled");
}

void
wi_regserver_routes_req_dispose(struct wi_rs_req *r)
{
  if (r->upload)
    wi_regserver_storage_upload_release(wi_steal(&r->upload));
  if (r->resp.fd >= 0)
    close(r->resp.fd);
  for (size_t i = 0; i < r->resp.n_headers; i++) {
    free(r->resp.headers[i].name);
    free(r->resp.headers[i].value);
  }
  wi_buf_dispose(&r->resp.body);
  wi_buf_dispose_secret(&r->body);
}
