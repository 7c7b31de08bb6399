/* wlsimg: the registry client's blob transfers: HEAD, download (verified against the digest),
 * monolithic and chunked uploads with resume, and cross-repository mounts (see regclient.h,
 * regclient_int.h). */
#include "lib/regclient_int.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/auth.h"
#include "lib/buf.h"
#include "lib/creds.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/ref.h"
#include "lib/util.h"

/* ---- blobs: download ---- */

int
wi_regclient_blob_head(struct wi_regclient *rc, const char *repo, const char *digest,
                       int64_t *size_out, wi_err *err)
{
  struct wi_http_resp resp = { 0 };
  char what[600];
  wi_autofree char *scope = wi_regclient_repo_scope(repo, "pull");
  wi_autofree char *path = wi_xasprintf("/v2/%s/blobs/%s", repo, digest);
  int ret;

  snprintf(what, sizeof what, "%s/%s: blob %s", rc->host, repo, digest);
  struct rreq rr = { RREQ_INIT,    .method = "HEAD", .url = path,   .scope = scope,
                     .repo = repo, .what = what,     .follow = true };
  ret = wi_regclient_do(rc, &rr, &resp, err);
  if (ret < 0)
    return ret;
  if (resp.status == 200) {
    if (size_out) {
      const char *cl = wi_http_resp_header(&resp, "Content-Length");
      *size_out = cl ? strtoll(cl, NULL, 10) : -1;
    }
  } else if (resp.status == 404) {
    ret = wi_err_set(err, WI_ENOTFOUND, "%s: not found", what);
  } else {
    ret = wi_regclient_head_error(rc, &rr, &resp, err);
  }
  wi_http_resp_dispose(&resp);
  return ret;
}

struct blob_sink {
  struct wi_hasher h;
  int64_t got;  /* bytes delivered to the caller */
  int64_t size; /* expected size, -1 unknown */
  int (*write_fn)(const void *, size_t, void *);
  void *payload;
  void (*progress)(int64_t, int64_t, void *);
  void *pp;
  bool too_big;
  bool write_failed;
  bool hash;
};

static int
sink_write(const void *data, size_t len, void *payload)
{
  struct blob_sink *s = payload;
  const char *p = data;

  if (s->size >= 0 && s->got + (int64_t)len > s->size) {
    s->too_big = true;
    return -1;
  }
  if (s->hash)
    wi_digest_hasher_update(&s->h, p, len);
  if (s->write_fn(p, len, s->payload) < 0) {
    s->write_failed = true;
    return -1;
  }
  s->got += (int64_t)len;
  if (s->progress)
    s->progress(s->got, s->size, s->pp);
  return 0;
}

static int
get_blob(struct wi_regclient *rc, const char *repo, const struct wi_descriptor *d, bool hash,
         int (*write_fn)(const void *data, size_t len, void *payload), void *payload,
         void (*progress)(int64_t done, int64_t total, void *payload), void *pp, wi_err *err)
{
  char what[600];
  wi_autofree char *scope = wi_regclient_repo_scope(repo, "pull");
  wi_autofree char *path = wi_xasprintf("/v2/%s/blobs/%s", repo, d->digest);
  struct blob_sink s = { .size = d->size,
                         .write_fn = write_fn,
                         .payload = payload,
                         .progress = progress,
                         .pp = pp,
                         .hash = hash };
  char algo[8] = "sha256";
  int ret = 0, resumes = 0;

  snprintf(what, sizeof what, "%s/%s: blob %s", rc->host, repo, d->digest);
  if (wi_digest_validate(d->digest, err) < 0)
    return wi_err_wrap(err, "%s/%s", rc->host, repo);
  if (strncmp(d->digest, "sha512:", 7) == 0)
    snprintf(algo, sizeof algo, "sha512");
  if (wi_digest_hasher_init(&s.h, algo, err) < 0)
    return err ? err->code : WI_ERR;
  for (;;) {
    struct wi_http_resp resp = { 0 };
    char range[64];
    const char *hdrs[2] = { NULL, NULL };
    if (s.got > 0) {
      snprintf(range, sizeof range, "Range: bytes=%lld-", (long long)s.got);
      hdrs[0] = range;
    }
    struct rreq rr = { RREQ_INIT,         .method = "GET",        .url = path,
                       .scope = scope,    .repo = repo,           .what = what,
                       .headers = hdrs,   .write_fn = sink_write, .write_payload = &s,
                       .max_body = 65536, .follow = true,         .no_net_retry = true };
    ret = wi_regclient_do(rc, &rr, &resp, err);
    if (s.too_big) {
      wi_http_resp_dispose(&resp);
      ret = wi_err_set(err, WI_EDIGEST, "%s: digest mismatch: more than the expected %lld bytes",
                       what, (long long)d->size);
      break;
    }
    if (s.write_failed) {
      wi_http_resp_dispose(&resp);
      if (ret == 0)
        ret = wi_err_set(err, WI_EIO, "%s: writing failed", what);
      break;
    }
    if (ret == WI_ENET && resumes < rc->retries) {
      /* broken connection: continue where it stopped */
      wi_log(WI_LOG_WARN, "%s; resuming at byte %lld (%d of %d)", err ? err->msg : what,
             (long long)s.got, resumes + 1, rc->retries);
      resumes++;
      wi_regclient_sleep(0.5 * resumes);
      continue;
    }
    if (ret < 0)
      break;
    if (resp.status != 200 && resp.status != 206) {
      ret = wi_regclient_status_error(rc, repo, &resp, what, err);
      wi_http_resp_dispose(&resp);
      break;
    }
    wi_http_resp_dispose(&resp);
    break;
  }
  if (ret == 0 && d->size >= 0 && s.got != d->size) {
    ret = wi_err_set(err, WI_EDIGEST, "%s: size mismatch: got %lld bytes, expected %lld", what,
                     (long long)s.got, (long long)d->size);
  } else if (ret == 0 && hash) {
    char got[WI_DIGEST_MAX];
    wi_digest_hasher_final(&s.h, got);
    if (strcmp(got, d->digest) != 0)
      ret = wi_err_set(err, WI_EDIGEST, "%s: digest mismatch: the content hashes to %s", what, got);
  }
  wi_digest_hasher_dispose(&s.h);
  return ret;
}

int
wi_regclient_blob_get(struct wi_regclient *rc, const char *repo, const struct wi_descriptor *d,
                      int (*write_fn)(const void *data, size_t len, void *payload), void *payload,
                      void (*progress)(int64_t done, int64_t total, void *payload), void *pp,
                      wi_err *err)
{
  return get_blob(rc, repo, d, true, write_fn, payload, progress, pp, err);
}

int
wi_regclient_blob_get_unhashed(struct wi_regclient *rc, const char *repo,
                               const struct wi_descriptor *d,
                               int (*write_fn)(const void *data, size_t len, void *payload),
                               void *payload,
                               void (*progress)(int64_t done, int64_t total, void *payload),
                               void *pp, wi_err *err)
{
  return get_blob(rc, repo, d, false, write_fn, payload, progress, pp, err);
}

/* ---- blobs: upload ---- */

/* Location of an upload response as an absolute URL, or an error. */
static int
upload_location(struct wi_regclient *rc, const struct wi_http_resp *resp, const char *what,
                char **out, wi_err *err)
{
  const char *loc = wi_http_resp_header(resp, "Location");
  if (loc == NULL || *loc == '\0')
    return wi_err_set(err, WI_EPROTO, "%s: HTTP %ld without a Location header", what, resp->status);
  *out = wi_regclient_abs_url(rc, loc);
  return 0;
}

/* location + "digest=<d>" with '?' or '&'. */
static char *
with_digest(const char *loc, const char *digest)
{
  wi_autofree char *e = wi_http_escape(digest);
  return wi_xasprintf("%s%cdigest=%s", loc, strchr(loc, '?') ? '&' : '?', e);
}

static void
cancel_upload(struct wi_regclient *rc, const char *loc, const char *scope, const char *repo)
{
  struct wi_http_resp resp = { 0 };
  struct rreq rr = {
    RREQ_INIT,    .method = "DELETE",      .url = loc,        .scope = scope,
    .repo = repo, .what = "cancel upload", .max_body = 65536, .no_net_retry = true
  };
  if (wi_regclient_do(rc, &rr, &resp, NULL) == 0)
    wi_http_resp_dispose(&resp);
}

/* POST an upload session (optionally a mount). *mounted set on 201. */
static int
start_upload(struct wi_regclient *rc, const char *repo, const char *scope, const char *mount_digest,
             const char *from, const char *what, char **loc_out, bool *mounted, wi_err *err)
{
  struct wi_http_resp resp = { 0 };
  wi_autofree char *path = NULL;
  int ret;

  if (mount_digest) {
    wi_autofree char *md = wi_http_escape(mount_digest);
    wi_autofree char *fr = wi_http_escape(from);
    path = wi_xasprintf("/v2/%s/blobs/uploads/?mount=%s&from=%s", repo, md, fr);
  } else {
    path = wi_xasprintf("/v2/%s/blobs/uploads/", repo);
  }
  const char *hdrs[] = { "Content-Length: 0", NULL };
  struct rreq rr = {
    RREQ_INIT,    .method = "POST", .url = path, .scope = scope, .repo = repo,
    .what = what, .headers = hdrs,  .body = "",  .body_len = 0,  .max_body = 65536
  };
  *mounted = false;
  *loc_out = NULL;
  ret = wi_regclient_do(rc, &rr, &resp, err);
  if (ret < 0)
    return ret;
  if (resp.status == 201 && mount_digest) {
    *mounted = true;
  } else if (resp.status == 202) {
    ret = upload_location(rc, &resp, what, loc_out, err);
  } else {
    ret = wi_regclient_status_error(rc, repo, &resp, what, err);
  }
  wi_http_resp_dispose(&resp);
  return ret;
}

/* Parse "0-N" or "bytes=0-N": next offset N+1; "0-0" on a fresh upload is offset 0 when fresh. */
static int64_t
parse_range_end(const char *r)
{
  if (r == NULL)
    return -1;
  if (strncmp(r, "bytes=", 6) == 0)
    r += 6;
  const char *dash = strchr(r, '-');
  if (dash == NULL)
    return -1;
  return strtoll(dash + 1, NULL, 10);
}

/* Ask the registry how much of an upload it has: new location and next offset. */
static int
upload_status(struct wi_regclient *rc, const char *scope, const char *repo, const char *what,
              char **loc, int64_t *offset, wi_err *err)
{
  struct wi_http_resp resp = { 0 };
  struct rreq rr = { RREQ_INIT,    .method = "GET", .url = *loc,      .scope = scope,
                     .repo = repo, .what = what,    .max_body = 65536 };
  int ret = wi_regclient_do(rc, &rr, &resp, err);
  if (ret < 0)
    return ret;
  if (resp.status != 204 && resp.status != 200) {
    ret = wi_regclient_status_error(rc, repo, &resp, what, err);
  } else {
    const char *l = wi_http_resp_header(&resp, "Location");
    if (l) {
      free(*loc);
      *loc = wi_regclient_abs_url(rc, l);
    }
    const char *r = wi_http_resp_header(&resp, "Range");
    int64_t end = parse_range_end(r);
    /* "0-0" may mean one byte or none; resending that byte is wrong, so trust it only with
     * the offset we believed (the caller compares). */
    *offset = end < 0 ? 0 : end + 1;
    if (r && strcmp(r, "0-0") == 0 && *offset == 1)
      *offset = 0;
  }
  wi_http_resp_dispose(&resp);
  return ret;
}

struct prog_shift {
  int64_t base, total;
  void (*fn)(int64_t, int64_t, void *);
  void *pp;
};

static void
shifted_progress(int64_t done, int64_t total, void *payload)
{
  struct prog_shift *p = payload;
  WI_UNUSED(total);
  if (p->fn)
    p->fn(p->base + done, p->total, p->pp);
}

static int
finish_upload(struct wi_regclient *rc, const char *loc, const char *digest, const char *scope,
              const char *repo, const char *what, const struct rreq *body, wi_err *err)
{
  struct wi_http_resp resp = { 0 };
  wi_autofree char *url = with_digest(loc, digest);
  const char *hdrs[] = { "Content-Type: application/octet-stream", NULL };
  struct rreq rr = { RREQ_INIT,     .method = "PUT",   .url = url,          .scope = scope,
                     .repo = repo,  .what = what,      .headers = hdrs,     .body = "",
                     .body_len = 0, .max_body = 65536, .no_net_retry = true };
  if (body) {
    rr.body = body->body;
    rr.body_len = body->body_len;
    rr.body_fd = body->body_fd;
    rr.body_offset = body->body_offset;
    rr.body_fd_len = body->body_fd_len;
    rr.progress_fn = body->progress_fn;
    rr.progress_payload = body->progress_payload;
  }
  int ret = wi_regclient_do(rc, &rr, &resp, err);
  if (ret < 0)
    return ret;
  if (resp.status != 201 && resp.status != 204 && resp.status != 200) {
    ret = wi_regclient_status_error(rc, repo, &resp, what, err);
  } else {
    const char *hd = wi_http_resp_header(&resp, "Docker-Content-Digest");
    char shown[WI_DIGEST_MAX * 2];
    if (hd && strncmp(digest, "sha256:", 7) == 0 && strcmp(hd, digest) != 0)
      ret = wi_err_set(err, WI_EDIGEST, "%s: registry stored %s", what,
                       wi_regclient_shown(hd, shown, sizeof shown));
  }
  wi_http_resp_dispose(&resp);
  return ret;
}

/* Chunked upload with resume: PATCH chunk_size pieces with Content-Range, then PUT ?digest=. */
static int
chunked_upload(struct wi_regclient *rc, const char *repo, const char *scope, const char *what,
               const struct wi_descriptor *d, int fd, char **loc, struct prog_shift *ps, bool *lost,
               wi_err *err)
{
  int64_t off = 0;
  int failures = 0;

  while (off < d->size) {
    int64_t n = d->size - off < rc->chunk_size ? d->size - off : rc->chunk_size;
    char cr[80];
    snprintf(cr, sizeof cr, "Content-Range: %lld-%lld", (long long)off, (long long)(off + n - 1));
    const char *hdrs[] = { "Content-Type: application/octet-stream", cr, NULL };
    struct wi_http_resp resp = { 0 };
    ps->base = off;
    struct rreq rr = { .method = "PATCH",
                       .url = *loc,
                       .scope = scope,
                       .repo = repo,
                       .what = what,
                       .headers = hdrs,
                       .body_fd = fd,
                       .body_offset = off,
                       .body_fd_len = n,
                       .max_body = 65536,
                       .progress_fn = shifted_progress,
                       .progress_payload = ps,
                       .no_net_retry = true };
    wi_err e = { 0 };
    int ret = wi_regclient_do(rc, &rr, &resp, &e);
    if (ret == 0 && resp.status == 202) {
      const char *l = wi_http_resp_header(&resp, "Location");
      if (l) {
        free(*loc);
        *loc = wi_regclient_abs_url(rc, l);
      }
      int64_t end = parse_range_end(wi_http_resp_header(&resp, "Range"));
      off = end >= 0 ? end + 1 : off + n;
      wi_http_resp_dispose(&resp);
      failures = 0;
      continue;
    }
    if (ret == 0 && resp.status != 416) {
      ret = wi_regclient_status_error(rc, repo, &resp, what, err);
      wi_http_resp_dispose(&resp);
      return ret;
    }
    wi_http_resp_dispose(&resp);
    if (ret < 0 && ret != WI_ENET) {
      if (err)
        *err = e;
      return ret;
    }
    if (++failures > rc->retries) {
      if (ret < 0 && err)
        *err = e;
      return ret < 0 ? ret
                     : wi_err_set(err, WI_EPROTO, "%s: the registry keeps refusing chunk at %lld",
                                  what, (long long)off);
    }
    /* 416 or a broken connection: ask where the upload stands and continue from there */
    wi_log(WI_LOG_WARN, "%s: chunk at %lld failed (%s); asking the registry for the upload state",
           what, (long long)off, ret < 0 ? e.msg : "HTTP 416");
    wi_regclient_sleep(0.5 * failures);
    ret = upload_status(rc, scope, repo, what, loc, &off, err);
    if (ret < 0) {
      /* the registry lost the session (e.g. restarted while a chunk was half written) */
      *lost = err && (err->http_status == 404 || err->http_status == 400);
      return ret;
    }
  }
  return finish_upload(rc, *loc, d->digest, scope, repo, what, NULL, err);
}

int
wi_regclient_blob_push(struct wi_regclient *rc, const char *repo, const struct wi_descriptor *d,
                       int fd, void (*progress)(int64_t done, int64_t total, void *payload),
                       void *pp, wi_err *err)
{
  return wi_regclient_blob_push_from(rc, repo, d, fd, NULL, NULL, progress, pp, err);
}

int
wi_regclient_blob_push_from(struct wi_regclient *rc, const char *repo,
                            const struct wi_descriptor *d, int fd, const char *from_repo,
                            bool *mounted_out,
                            void (*progress)(int64_t done, int64_t total, void *payload), void *pp,
                            wi_err *err)
{
  char what[600];
  wi_autofree char *scope = wi_regclient_repo_scope(repo, "pull,push");
  int ret = 0;

  snprintf(what, sizeof what, "%s/%s: upload %s", rc->host, repo, d->digest);
  if (mounted_out)
    *mounted_out = false;
  if (d->size < 0)
    return wi_err_set(err, WI_EINVAL, "%s: unknown size", what);
  if (from_repo) {
    /* both scopes in one token: push here, pull from the source repository */
    wi_autofree char *pull = wi_regclient_repo_scope(from_repo, "pull");
    char *both = wi_regclient_scope_union(scope, pull);
    free(scope);
    scope = both;
  }
  for (int attempt = 0;; attempt++) {
    char *loc = NULL;
    bool mounted = false;
    wi_err e = { 0 };
    struct prog_shift ps = { .total = d->size, .fn = progress, .pp = pp };
    bool lost = false;
    /* the first attempt may mount; a 202 answer is an upload session we use right away */
    bool mount = from_repo && attempt == 0;
    ret = start_upload(rc, repo, scope, mount ? d->digest : NULL, mount ? from_repo : NULL, what,
                       &loc, &mounted, err);
    if (ret < 0 && mount && ret != WI_ENET) {
      /* no access to the source repository, or mounts refused: a plain upload may still work */
      wi_log(WI_LOG_DEBUG, "%s: mount from %s failed: %s", what, from_repo, err ? err->msg : "");
      continue;
    }
    if (ret < 0)
      return ret;
    if (mounted) {
      if (mounted_out)
        *mounted_out = true;
      free(loc);
      return 0;
    }
    if (d->size <= rc->chunk_size) {
      struct rreq body = { .body_fd = fd,
                           .body_offset = 0,
                           .body_fd_len = d->size,
                           .progress_fn = shifted_progress,
                           .progress_payload = &ps };
      ret = finish_upload(rc, loc, d->digest, scope, repo, what, &body, &e);
    } else {
      ret = chunked_upload(rc, repo, scope, what, d, fd, &loc, &ps, &lost, &e);
    }
    if (ret < 0 && (ret == WI_ENET || lost) && attempt < rc->retries) {
      /* a monolithic upload that broke, or a lost session, cannot be continued: start again */
      wi_log(WI_LOG_WARN, "%s; starting the upload again (%d of %d)", e.msg, attempt + 1,
             rc->retries);
      cancel_upload(rc, loc, scope, repo);
      free(loc);
      wi_regclient_sleep(0.5 * (attempt + 1));
      continue;
    }
    if (ret < 0) {
      if (err)
        *err = e;
      if (ret != WI_EDIGEST)
        cancel_upload(rc, loc, scope, repo);
    }
    free(loc);
    return ret;
  }
}

int
wi_regclient_blob_push_bytes(struct wi_regclient *rc, const char *repo, const char *digest,
                             const void *data, size_t len, wi_err *err)
{
  char what[600];
  wi_autofree char *scope = wi_regclient_repo_scope(repo, "pull,push");
  int ret;

  snprintf(what, sizeof what, "%s/%s: upload %s", rc->host, repo, digest);
  for (int attempt = 0;; attempt++) {
    char *loc = NULL;
    bool mounted = false;
    wi_err e = { 0 };
    ret = start_upload(rc, repo, scope, NULL, NULL, what, &loc, &mounted, err);
    if (ret < 0)
      return ret;
    struct rreq body = { RREQ_INIT, .body = data, .body_len = len };
    ret = finish_upload(rc, loc, digest, scope, repo, what, &body, &e);
    if (ret == WI_ENET && attempt < rc->retries) {
      free(loc);
      wi_regclient_sleep(0.5 * (attempt + 1));
      continue;
    }
    if (ret < 0 && err)
      *err = e;
    free(loc);
    return ret;
  }
}

int
wi_regclient_blob_mount(struct wi_regclient *rc, const char *repo, const char *digest,
                        const char *from_repo, bool *mounted, wi_err *err)
{
  char what[600];
  wi_autofree char *push = wi_regclient_repo_scope(repo, "pull,push");
  wi_autofree char *pull = wi_regclient_repo_scope(from_repo, "pull");
  wi_autofree char *scope = wi_regclient_scope_union(push, pull);
  char *loc = NULL;

  snprintf(what, sizeof what, "%s/%s: mount %s from %s", rc->host, repo, digest, from_repo);
  int ret = start_upload(rc, repo, scope, digest, from_repo, what, &loc, mounted, err);
  if (ret < 0)
    return ret;
  if (!*mounted && loc)
    cancel_upload(rc, loc, scope, repo);
  free(loc);
  return 0;
}
