/* Shared by the registry request fuzzers (regupload_fuzz.c, regmanifest_fuzz.c): a request given as
 * text drives the registry's real handlers (regserver_routes.c) through struct wi_rs_req against a
 * real storage root, without the HTTP library.
 *
 *   METHOD PATH[?QUERY]\n
 *   Name: value\n          (headers, at most FZ_MAX_HDRS)
 *   \n
 *   BODY                   (delivered in chunks of X-Fuzz-Chunk bytes, default all at once)
 *
 * "$LOC" in the path is replaced by the location of an upload opened for the input, so that PATCH
 * and PUT reach a live upload session. The root lives under /dev/shm when there is one (fsync is
 * cheap there) and is emptied every FZ_RESET runs so that it stays small.
 */
#ifndef FUZZ_REGREQ_H
#define FUZZ_REGREQ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/digest.h"
#include "lib/fs.h"
#include "lib/regserver_int.h"

#define FZ_MAX_HDRS 32
#define FZ_MAX_ARGS 32
#define FZ_RESET    500

struct fz_req {
  char *line;
  char *hname[FZ_MAX_HDRS]; /* "Name\0value": hval points into it */
  const char *hval[FZ_MAX_HDRS];
  size_t nh;
  char *qkey[FZ_MAX_ARGS], *qval[FZ_MAX_ARGS];
  size_t nq;
};

static const char *
fz_header(struct wi_rs_req *r, const char *name)
{
  struct fz_req *q = r->conn;
  for (size_t i = 0; i < q->nh; i++)
    if (strcasecmp(q->hname[i], name) == 0)
      return q->hval[i];
  return NULL;
}

static size_t
fz_header_all(struct wi_rs_req *r, const char *name, const char **out, size_t max)
{
  struct fz_req *q = r->conn;
  size_t n = 0;
  for (size_t i = 0; i < q->nh; i++)
    if (strcasecmp(q->hname[i], name) == 0 && n < max)
      out[n++] = q->hval[i];
  return n;
}

static size_t
fz_query_all(struct wi_rs_req *r, const char *name, const char **out, size_t max)
{
  struct fz_req *q = r->conn;
  size_t n = 0;
  for (size_t i = 0; i < q->nq; i++) {
    if (strcmp(q->qkey[i], name) != 0)
      continue;
    if (n < max)
      out[n] = q->qval[i];
    n++; /* counts past max, as the HTTP layer does */
  }
  return n;
}

static const char *
fz_query(struct wi_rs_req *r, const char *name)
{
  const char *v = NULL;
  return fz_query_all(r, name, &v, 1) ? v : NULL;
}

static const struct wi_rs_req_ops fz_ops = { fz_header, fz_query, fz_query_all, fz_header_all };

/* Split "a=b&c" into decoded pairs (as libmicrohttpd does; a %00 is dropped here, the HTTP layer
 * refuses it before the handlers run). */
static void
fz_parse_query(struct fz_req *q, char *s)
{
  while (s && *s && q->nq < FZ_MAX_ARGS) {
    char *amp = strchr(s, '&');
    if (amp)
      *amp = '\0';
    char *eq = strchr(s, '=');
    if (eq)
      *eq = '\0';
    const char *v = eq ? eq + 1 : "";
    char *k = wi_xmalloc(strlen(s) + 1), *val = wi_xmalloc(strlen(v) + 1);
    if (wi_regserver_routes_form_decode(s, strlen(s), k, strlen(s) + 1) == 0 &&
        wi_regserver_routes_form_decode(v, strlen(v), val, strlen(v) + 1) == 0) {
      q->qkey[q->nq] = k;
      q->qval[q->nq] = val;
      q->nq++;
    } else {
      free(k);
      free(val);
    }
    s = amp ? amp + 1 : NULL;
  }
}

static void
fz_req_dispose(struct fz_req *q)
{
  for (size_t i = 0; i < q->nq; i++) {
    free(q->qkey[i]);
    free(q->qval[i]);
  }
  for (size_t i = 0; i < q->nh; i++)
    free(q->hname[i]);
  free(q->line);
  memset(q, 0, sizeof *q);
}

static char *fz_root_dir;



static void
fz_root_remove(void)
{
  wi_err err = { 0 };
  if (fz_root_dir)
    wi_fs_rm_rf(fz_root_dir, &err);
}

/* A scratch registry root, emptied now and then and removed at exit. */
static char *
fz_root(void)
{
  static unsigned runs;
  char *root = fz_root_dir;
  wi_err err = { 0 };

  if (root && ++runs % FZ_RESET == 0) {
    wi_autofree char *repos = wi_xasprintf("%s/repos", root);
    wi_autofree char *blobs = wi_xasprintf("%s/blobs", root);
    wi_fs_rm_rf(repos, &err);
    wi_fs_rm_rf(blobs, &err);
  }
  if (root == NULL) {
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    wi_autofree char *tmpl = wi_xasprintf("%s/wlsimg-fuzz-XXXXXX", base ? base : "/tmp");
    root = mkdtemp(tmpl) ? wi_xstrdup(tmpl) : NULL;
    if (root == NULL)
      abort();
    fz_root_dir = root;
    atexit(fz_root_remove);
  }
  return root;
}

/* A server as `registry serve --auth none` makes it, on the scratch root, with these limits. Its
 * token issuer (every real server has one: /token answers in every mode) is made once. */
static struct wi_rs_server
fz_server(uint64_t max_upload, uint64_t ns_quota)
{
  static char listen[] = "127.0.0.1:5000";
  static struct wi_rs_auth *auth;
  struct wi_rs_server srv = { .root = fz_root(),
                              .listen = listen,
                              .auth_mode = WI_REGSERVER_AUTH_NONE,
                              .max_upload = max_upload,
                              .ns_quota = ns_quota };
  wi_err err = { 0 };
  if (auth == NULL && wi_regserver_auth_new(&auth, srv.root, 300, &err) < 0)
    abort();
  srv.auth = auth;
  return srv;
}

/* Run one request; the response is left in r (dispose it, then free *path_out and the headers).
 * loc, when not NULL, replaces "$LOC" in the path. */
static void
fz_run(struct wi_rs_server *srv, struct wi_rs_req *r, struct fz_req *q, const char *text,
       size_t len, const char *loc, char **path_out)
{
  const char *nl = memchr(text, '\n', len);
  size_t ll = nl ? (size_t)(nl - text) : len;
  size_t off = nl ? ll + 1 : len;
  size_t chunk = 0;

  memset(q, 0, sizeof *q);
  q->line = wi_xstrndup(text, ll);
  /* headers, up to an empty line */
  while (off < len && text[off] != '\n') {
    const char *e = memchr(text + off, '\n', len - off);
    size_t hl = e ? (size_t)(e - text - off) : len - off;
    char *copy = wi_xstrndup(text + off, hl);
    char *colon = strchr(copy, ':');
    if (colon && q->nh < FZ_MAX_HDRS) {
      *colon = '\0';
      const char *v = colon + 1;
      while (*v == ' ')
        v++;
      q->hname[q->nh] = copy;
      q->hval[q->nh] = v;
      q->nh++;
      if (strcasecmp(copy, "X-Fuzz-Chunk") == 0)
        chunk = strtoul(v, NULL, 10);
    } else {
      free(copy);
    }
    off += hl + (e ? 1 : 0);
  }
  if (off < len)
    off++; /* the empty line */
  char *sp = strchr(q->line, ' ');
  const char *method = "GET", *target = q->line;
  if (sp) {
    *sp = '\0';
    method = q->line;
    target = sp + 1;
  }
  char *path = NULL;
  const char *at = loc ? strstr(target, "$LOC") : NULL;
  if (at)
    path = wi_xasprintf("%.*s%s%s", (int)(at - target), target, loc, at + 4);
  else
    path = wi_xstrdup(target);
  char *qm = strchr(path, '?');
  if (qm) {
    *qm = '\0';
    fz_parse_query(q, qm + 1);
  }
  *path_out = path;
  wi_regserver_routes_req_init(r, srv, &fz_ops, q, method, path);
  snprintf(r->peer, sizeof r->peer, "127.0.0.1");
  wi_regserver_routes_req_begin(r);
  const char *body = text + off;
  size_t blen = len - off;
  while (!r->done && blen) {
    size_t n = chunk && chunk < blen ? chunk : blen;
    if (!wi_regserver_routes_req_body(r, body, n))
      break; /* the HTTP layer would close the connection */
    body += n;
    blen -= n;
  }
  if (!r->body_denied)
    wi_regserver_routes_req_end(r);
  if (getenv("FZ_TRACE")) /* for seed authors: what each request got */
    fprintf(stderr, "%s %s -> %d%s\n", method, path, r->resp.status,
            r->body_denied ? " (connection closed)" : "");
  /* Every request gets an answer, and a sane one. */
  if (!r->body_denied && (!r->done || r->resp.status < 100 || r->resp.status > 599))
    abort();
}

static const char *
fz_resp_header(const struct wi_rs_req *r, const char *name)
{
  for (size_t i = 0; i < r->resp.n_headers; i++)
    if (strcasecmp(r->resp.headers[i].name, name) == 0)
      return r->resp.headers[i].value;
  return NULL;
}

/* After a 201 naming a digest, the repository holds exactly those bytes. */
static void
fz_check_stored(const struct wi_rs_req *r, const char *root)
{
  const char *d = fz_resp_header(r, "Docker-Content-Digest");
  char got[WI_DIGEST_MAX];
  wi_err err = { 0 };
  int fd = -1;
  uint64_t size = 0;

  if (r->resp.status != 201 || d == NULL || strncmp(d, "sha256:", 7) != 0)
    return;
  if (wi_regserver_storage_blob_open(root, r->p.name, d, &fd, &size, &err) < 0)
    abort();
  close(fd);
  wi_autofree char *bp = wi_regserver_storage_blob_path(root, d);
  if (wi_digest_file(bp, got, NULL, &err) < 0 || strcmp(got, d) != 0)
    abort();
}

/* Run the requests of one input (separated by lines "---", at most FZ_MAX_REQS), calling check
 * after each. */
#define FZ_MAX_REQS 8

static void
fz_run_all(struct wi_rs_server *srv, const uint8_t *data, size_t size, const char *loc,
           void (*check)(struct wi_rs_server *srv, const struct wi_rs_req *r))
{
  const char *p = (const char *)data, *end = p + size;

  for (int i = 0; i < FZ_MAX_REQS && p < end; i++) {
    const char *sep = memmem(p, (size_t)(end - p), "\n---\n", 5);
    size_t n = sep ? (size_t)(sep - p) : (size_t)(end - p);
    struct wi_rs_req r;
    struct fz_req q;
    char *path = NULL;
    fz_run(srv, &r, &q, p, n, loc, &path);
    fz_check_stored(&r, srv->root);
    if (check)
      check(srv, &r);
    wi_regserver_routes_req_dispose(&r);
    fz_req_dispose(&q);
    free(path);
    p += n + (sep ? 5 : 0);
  }
}

#endif
