/* wlsimg: image transfer between the store, OCI layouts, registries and docker archives.
 *
 * Every route goes through an OCI layout (the store is one): registry → layout (pull), layout →
 * registry (push), layout → layout (blob copy, hard links when possible). registry → registry and
 * routes involving a docker archive pass through a temporary layout. Blob transfers run on a small
 * pthread pool; manifests are written and names tagged only after every blob is in place.
 */
#include "lib/transfer.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/docker_archive.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/manifest.h"
#include "lib/str.h"
#include "lib/util.h"

#define DEFAULT_PARALLEL   4
#define MAX_PARALLEL       16
#define MOUNTS_FILE        "mounts.json"
#define MOUNTS_MAX_REPOS   6
#define MOUNTS_MAX_DIGESTS 20000
#define PROGRESS_STEP      (256 * 1024)
#define PROGRESS_INTERVAL  0.1 /* s */

/* ---- transports ---- */

enum tkind { T_STORE, T_OCI, T_DOCKER, T_ARCHIVE };

struct endpoint {
  enum tkind kind;
  char *path;        /* oci: directory, docker-archive: file, store: root (NULL = default) */
  char *name;        /* oci: tag; docker-archive: reference; store: what the user typed */
  struct wi_ref ref; /* docker:// (and store destinations) */
  bool has_ref;
};

static void
endpoint_dispose(struct endpoint *e)
{
  free(e->path);
  free(e->name);
  if (e->has_ref)
    wi_ref_dispose(&e->ref);
  memset(e, 0, sizeof *e);
}

/* "PATH[:REST]" split at the first ':'. */
static void
split_path(const char *s, char **path, char **rest)
{
  const char *c = strchr(s, ':');
  *path = c ? wi_xstrndup(s, (size_t)(c - s)) : wi_xstrdup(s);
  *rest = c && c[1] ? wi_xstrdup(c + 1) : NULL;
}

static int
parse_endpoint(const char *s, const char *store_root, struct endpoint *e, wi_err *err)
{
  memset(e, 0, sizeof *e);
  if (wi_str_has_prefix(s, "docker://")) {
    e->kind = T_DOCKER;
    if (wi_ref_parse(&e->ref, s + 9, err) < 0)
      return err ? err->code : WI_EINVAL;
    e->has_ref = true;
    return 0;
  }
  if (wi_str_has_prefix(s, "oci:")) {
    e->kind = T_OCI;
    split_path(s + 4, &e->path, &e->name);
    if (*e->path == '\0')
      return wi_err_set(err, WI_EINVAL, "\"%s\": missing directory after oci:", s);
    if (e->name && wi_ref_tag_validate(e->name, NULL) < 0 &&
        wi_digest_validate(e->name, NULL) < 0) {
      /* oci: names may be any ref.name annotation; only reject control characters */
      for (const char *p = e->name; *p; p++)
        if ((unsigned char)*p < 32)
          return wi_err_set(err, WI_EINVAL, "\"%s\": invalid image name", s);
    }
    return 0;
  }
  if (wi_str_has_prefix(s, "docker-archive:")) {
    e->kind = T_ARCHIVE;
    split_path(s + 15, &e->path, &e->name);
    if (*e->path == '\0')
      return wi_err_set(err, WI_EINVAL, "\"%s\": missing file after docker-archive:", s);
    return 0;
  }
  if (wi_str_has_prefix(s, "http://") || wi_str_has_prefix(s, "https://"))
    return wi_err_set(err, WI_EINVAL,
                      "\"%s\": a URL; a registry image is docker://HOST/REPOSITORY:TAG", s);
  if (wi_str_has_prefix(s, "oci-archive:") || wi_str_has_prefix(s, "dir:") ||
      wi_str_has_prefix(s, "containers-storage:") || wi_str_has_prefix(s, "docker-daemon:"))
    return wi_err_set(
        err, WI_EUNSUPPORTED,
        "\"%s\": unsupported transport (use docker://, oci:, docker-archive: or a name in the store)",
        s);
  e->kind = T_STORE;
  e->path = store_root ? wi_xstrdup(store_root) : wi_store_default_root();
  e->name = wi_xstrdup(s);
  return 0;
}

static void
emit(const struct wi_transfer_opts *o, pthread_mutex_t *mu, enum wi_progress_event ev,
     const char *digest, int64_t done, int64_t total, const char *msg)
{
  if (o == NULL || o->progress == NULL)
    return;
  struct wi_progress p = {
    .event = ev, .digest = digest, .done = done, .total = total, .message = msg
  };
  if (mu)
    pthread_mutex_lock(mu);
  o->progress(&p, o->progress_payload);
  if (mu)
    pthread_mutex_unlock(mu);
}

/* WI_PROGRESS_BYTES once per PROGRESS_STEP bytes or PROGRESS_INTERVAL seconds, whichever comes
 * first (a slow link still shows progress several times a second), and at the end; *last and
 * *last_t are the last value reported and when. */
static void
emit_bytes(const struct wi_transfer_opts *o, pthread_mutex_t *mu, int64_t *last, double *last_t,
           const char *digest, int64_t done, int64_t total)
{
  double now = wi_util_now();
  if (done == *last ||
      (done - *last < PROGRESS_STEP && done != total && now - *last_t < PROGRESS_INTERVAL))
    return;
  *last = done;
  *last_t = now;
  emit(o, mu, WI_PROGRESS_BYTES, digest, done, total, NULL);
}

static int
want_platform(const struct wi_transfer_opts *o, struct wi_platform *p, bool *all, wi_err *err)
{
  *all = false;
  if (o && o->platform && strcmp(o->platform, "all") == 0) {
    *all = true;
    return 0;
  }
  if (o && o->platform)
    return wi_ref_platform_parse(p, o->platform, err);
  wi_ref_platform_host(p);
  return 0;
}

/* ---- parallel jobs ---- */

struct pool {
  pthread_mutex_t mu;
  size_t next, n;
  bool failed;
  wi_err err;
  int (*fn)(void *ctx, size_t i, wi_err *err);
  void *ctx;
};

static void *
pool_worker(void *arg)
{
  struct pool *p = arg;
  for (;;) {
    pthread_mutex_lock(&p->mu);
    if (p->failed || p->next >= p->n) {
      pthread_mutex_unlock(&p->mu);
      return NULL;
    }
    size_t i = p->next++;
    pthread_mutex_unlock(&p->mu);
    wi_err e = { 0 };
    if (p->fn(p->ctx, i, &e) < 0) {
      pthread_mutex_lock(&p->mu);
      if (!p->failed) {
        p->failed = true;
        p->err = e;
        if (p->err.code == 0)
          p->err.code = WI_ERR;
      }
      pthread_mutex_unlock(&p->mu);
    }
  }
}

/* Run fn(ctx, i) for i in [0, n) on up to `parallel` threads; the first failure stops new jobs
 * and is returned. */
static int
run_parallel(size_t n, int parallel, int (*fn)(void *, size_t, wi_err *), void *ctx, wi_err *err)
{
  struct pool p = { .n = n, .fn = fn, .ctx = ctx };
  pthread_t th[MAX_PARALLEL];
  size_t nt = parallel <= 0 ? DEFAULT_PARALLEL : (size_t)parallel;

  if (nt > MAX_PARALLEL)
    nt = MAX_PARALLEL;
  if (nt > n)
    nt = n;
  pthread_mutex_init(&p.mu, NULL);
  size_t started = 0;
  if (nt <= 1) {
    pool_worker(&p);
  } else {
    for (; started < nt; started++)
      if (pthread_create(&th[started], NULL, pool_worker, &p) != 0)
        break;
    if (started == 0)
      pool_worker(&p);
    for (size_t i = 0; i < started; i++)
      pthread_join(th[i], NULL);
  }
  pthread_mutex_destroy(&p.mu);
  if (p.failed) {
    if (err)
      *err = p.err;
    return p.err.code;
  }
  return 0;
}

/* ---- image graph: manifests and blobs of one top-level descriptor ---- */

struct mblob { /* a manifest to write: bytes and descriptor */
  char *bytes;
  size_t len;
  struct wi_descriptor desc;
};

struct graph {
  struct mblob *manifests; /* children first, top-level last */
  size_t n_manifests;
  struct wi_descriptor *blobs; /* configs and layers, unique by digest */
  size_t n_blobs;
};

static void
graph_dispose(struct graph *g)
{
  for (size_t i = 0; i < g->n_manifests; i++) {
    free(g->manifests[i].bytes);
    wi_manifest_descriptor_dispose(&g->manifests[i].desc);
  }
  free(g->manifests);
  for (size_t i = 0; i < g->n_blobs; i++)
    wi_manifest_descriptor_dispose(&g->blobs[i]);
  free(g->blobs);
  memset(g, 0, sizeof *g);
}

static void
graph_add_blob(struct graph *g, const struct wi_descriptor *d)
{
  for (size_t i = 0; i < g->n_blobs; i++)
    if (strcmp(g->blobs[i].digest, d->digest) == 0)
      return;
  g->blobs = wi_xreallocarray(g->blobs, g->n_blobs + 1, sizeof *g->blobs);
  memset(&g->blobs[g->n_blobs], 0, sizeof *g->blobs);
  wi_manifest_descriptor_copy(&g->blobs[g->n_blobs++], d);
}

static void
graph_add_manifest(struct graph *g, char *bytes, size_t len, const char *mt, const char *digest,
                   const struct wi_descriptor *from)
{
  g->manifests = wi_xreallocarray(g->manifests, g->n_manifests + 1, sizeof *g->manifests);
  struct mblob *m = &g->manifests[g->n_manifests++];
  memset(m, 0, sizeof *m);
  m->bytes = bytes;
  m->len = len;
  if (from)
    wi_manifest_descriptor_copy(&m->desc, from);
  free(m->desc.media_type);
  free(m->desc.digest);
  m->desc.media_type = wi_xstrdup(mt ? mt : WI_MT_OCI_MANIFEST);
  m->desc.digest = wi_xstrdup(digest);
  m->desc.size = (int64_t)len;
}

static void
graph_add_image_blobs(struct graph *g, const struct wi_manifest *m)
{
  graph_add_blob(g, &m->config);
  for (size_t i = 0; i < m->n_layers; i++)
    graph_add_blob(g, &m->layers[i]);
}

/* A source of manifests: the registry or a layout. */
struct msource {
  struct wi_regclient *rc;
  const char *repo;
  struct wi_store *store;
};

static int
fetch_manifest(const struct msource *src, const char *ref, const char *want_digest, char **bytes,
               size_t *len, char **mt, char digest[WI_DIGEST_MAX], wi_err *err)
{
  if (src->rc)
    return wi_regclient_get_manifest(src->rc, src->repo, ref, bytes, len, mt, digest, err);
  int ret = wi_store_read_blob(src->store, want_digest, WI_MAX_MANIFEST_BYTES, bytes, len, err);
  if (ret < 0)
    return ret;
  snprintf(digest, WI_DIGEST_MAX, "%s", want_digest);
  *mt = NULL;
  return 0;
}

/* Build the graph of what to copy, starting at ref (tag or digest). The top-level manifest is
 * narrowed to one platform unless `all`. */
static int
build_graph(const struct msource *src, const char *ref, const struct wi_descriptor *top_desc,
            const struct wi_platform *plat, bool all, struct graph *g, wi_err *err)
{
  wi_autofree char *bytes = NULL;
  wi_autofree char *mt = NULL;
  size_t len = 0;
  char digest[WI_DIGEST_MAX];
  wi_autoptr(wi_manifest) struct wi_manifest *m = NULL;
  int ret;

  ret = fetch_manifest(src, ref, top_desc ? top_desc->digest : ref, &bytes, &len, &mt, digest, err);
  if (ret < 0)
    return ret;
  const char *ct = mt ? mt : top_desc ? top_desc->media_type : NULL;
  ret = wi_manifest_parse(&m, bytes, len, ct, err);
  if (ret < 0)
    return wi_err_wrap(err, "manifest %s", digest);
  if (m->kind == WI_MANIFEST_IMAGE) {
    graph_add_image_blobs(g, m);
    graph_add_manifest(g, wi_steal(&bytes), len, m->media_type, digest, top_desc);
    return 0;
  }
  if (!all) {
    const struct wi_descriptor *child = NULL;
    ret = wi_manifest_index_select(m, plat, &child, err);
    if (ret < 0)
      return wi_err_wrap(err, "manifest %s", digest);
    struct wi_descriptor cd = { 0 };
    wi_manifest_descriptor_copy(&cd, child);
    ret = build_graph(src, cd.digest, &cd, plat, false, g, err);
    wi_manifest_descriptor_dispose(&cd);
    return ret;
  }
  for (size_t i = 0; i < m->n_manifests; i++) {
    const struct wi_descriptor *c = &m->manifests[i];
    if (!wi_mediatype_is_manifest(c->media_type)) {
      graph_add_blob(g, c); /* an artifact blob referenced from the index */
      continue;
    }
    ret = build_graph(src, c->digest, c, plat, true, g, err);
    if (ret < 0)
      return ret;
  }
  graph_add_manifest(g, wi_steal(&bytes), len, m->media_type, digest, top_desc);
  return 0;
}

/* ---- mounts.json: which repositories of a registry hold a blob ---- */

struct mounts {
  char *path;
  json_t *root; /* { host: { digest: [repo…] } } */
  json_t *added;
  pthread_mutex_t mu;
};

static void
mounts_load(struct mounts *mt, const char *store_root)
{
  memset(mt, 0, sizeof *mt);
  pthread_mutex_init(&mt->mu, NULL);
  mt->added = json_object();
  /* without a store (copy from oci: or docker-archive:) the hints live in memory only; root must
   * still be an object: add_repo would hand json_object_set_new a NULL root, which frees the new
   * host object that add_repo goes on using */
  if (store_root) {
    mt->path = wi_xasprintf("%s/%s", store_root, MOUNTS_FILE);
    mt->root = json_load_file(mt->path, 0, NULL);
  }
  if (!json_is_object(mt->root)) {
    json_decref(mt->root);
    mt->root = json_object();
  }
}

static void
mounts_dispose(struct mounts *mt)
{
  json_decref(mt->root);
  json_decref(mt->added);
  free(mt->path);
  pthread_mutex_destroy(&mt->mu);
}

/* A repository other than `repo` of `host` known to hold digest (malloc'ed) or NULL. */
static char *
mounts_candidate(struct mounts *mt, const char *host, const char *digest, const char *repo)
{
  char *r = NULL;
  pthread_mutex_lock(&mt->mu);
  json_t *repos = json_object_get(json_object_get(mt->root, host), digest);
  size_t i;
  json_t *v;
  json_array_foreach (repos, i, v) {
    const char *s = json_string_value(v);
    if (s && strcmp(s, repo) != 0) {
      r = wi_xstrdup(s);
      break;
    }
  }
  pthread_mutex_unlock(&mt->mu);
  return r;
}

static void
add_repo(json_t *root, const char *host, const char *digest, const char *repo)
{
  json_t *h = json_object_get(root, host);
  if (!json_is_object(h)) {
    h = json_object();
    json_object_set_new(root, host, h);
  }
  json_t *a = json_object_get(h, digest);
  if (!json_is_array(a)) {
    if (json_object_size(h) >= MOUNTS_MAX_DIGESTS)
      json_object_clear(h); /* crude bound: start over rather than grow forever */
    a = json_array();
    json_object_set_new(h, digest, a);
  }
  size_t i;
  json_t *v;
  json_array_foreach (a, i, v) {
    const char *s = json_string_value(v);
    if (s && strcmp(s, repo) == 0) {
      json_array_remove(a, i); /* move to the front: most recent first */
      break;
    }
  }
  json_array_insert_new(a, 0, json_string(repo));
  while (json_array_size(a) > MOUNTS_MAX_REPOS)
    json_array_remove(a, json_array_size(a) - 1);
}

static void
mounts_add(struct mounts *mt, const char *host, const char *digest, const char *repo)
{
  pthread_mutex_lock(&mt->mu);
  json_t *known = json_object_get(json_object_get(mt->root, host), digest);
  const char *first = json_string_value(json_array_get(known, 0));
  if (first && strcmp(first, repo) == 0) { /* already the latest hint: nothing to save */
    pthread_mutex_unlock(&mt->mu);
    return;
  }
  add_repo(mt->added, host, digest, repo);
  add_repo(mt->root, host, digest, repo);
  pthread_mutex_unlock(&mt->mu);
}

/* Merge our additions into the file under a lock. Failures only lose a hint. */
static void
mounts_save(struct mounts *mt)
{
  if (mt->path == NULL || json_object_size(mt->added) == 0)
    return;
  wi_autofree char *lockp = wi_xasprintf("%s.lock", mt->path);
  wi_autoclose int fd = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || flock(fd, LOCK_EX) < 0)
    return;
  json_t *cur = json_load_file(mt->path, 0, NULL);
  if (!json_is_object(cur)) {
    json_decref(cur);
    cur = json_object();
  }
  const char *host, *digest;
  json_t *hv, *dv;
  json_object_foreach (mt->added, host, hv) {
    json_object_foreach (hv, digest, dv) {
      size_t i;
      json_t *r;
      for (i = json_array_size(dv); i-- > 0;) {
        r = json_array_get(dv, i);
        if (json_is_string(r))
          add_repo(cur, host, digest, json_string_value(r));
      }
    }
  }
  char *text = json_dumps(cur, JSON_COMPACT | JSON_SORT_KEYS);
  if (text) {
    wi_err e = { 0 };
    if (wi_fs_write_file_atomic(mt->path, text, strlen(text), 0666, &e) < 0)
      wi_log(WI_LOG_DEBUG, "%s", e.msg);
    free(text);
  }
  json_decref(cur);
  flock(fd, LOCK_UN);
}

/* ---- pull: registry → layout ---- */

struct pull_ctx {
  struct wi_regclient *rc;
  const char *repo;
  struct wi_store *dst;
  struct graph *g;
  const struct wi_transfer_opts *o;
  pthread_mutex_t *emu;
};

struct pull_job {
  struct pull_ctx *c;
  const char *digest;
  struct wi_blob_writer *w;
  wi_err werr;
  int64_t last;
  double last_t;
};

static int
pull_write(const void *data, size_t len, void *payload)
{
  struct pull_job *j = payload;
  return wi_store_blob_writer_write(j->w, data, len, &j->werr) < 0 ? -1 : 0;
}

static void
pull_progress(int64_t done, int64_t total, void *payload)
{
  struct pull_job *j = payload;
  emit_bytes(j->c->o, j->c->emu, &j->last, &j->last_t, j->digest, done, total);
}

static int
pull_one(void *ctx, size_t i, wi_err *err)
{
  struct pull_ctx *c = ctx;
  const struct wi_descriptor *d = &c->g->blobs[i];
  struct pull_job j = { .c = c, .digest = d->digest };
  int ret;

  if (wi_store_has_blob(c->dst, d->digest)) {
    emit(c->o, c->emu, WI_PROGRESS_EXISTS, d->digest, d->size, d->size, NULL);
    return 0;
  }
  emit(c->o, c->emu, WI_PROGRESS_START, d->digest, 0, d->size, NULL);
  ret = wi_store_blob_begin(c->dst, &j.w, err);
  if (ret < 0)
    return ret;
  /* the blob writer hashes what it writes and its commit verifies: no second hash pass */
  if (wi_str_has_prefix(d->digest, "sha256:"))
    ret = wi_regclient_blob_get_unhashed(c->rc, c->repo, d, pull_write, &j, pull_progress, &j, err);
  else
    ret = wi_regclient_blob_get(c->rc, c->repo, d, pull_write, &j, pull_progress, &j, err);
  if (ret < 0 && j.werr.code != 0 && err && err->code != WI_EDIGEST)
    *err = j.werr;
  if (ret == 0) {
    ret = wi_store_blob_writer_commit(j.w, d->digest, d->size, NULL, err);
    if (ret < 0)
      wi_err_wrap(err, "%s/%s: blob %s", wi_regclient_host(c->rc), c->repo, d->digest);
  }
  wi_store_blob_writer_free(j.w); /* removes the temporary file unless committed */
  if (ret < 0)
    return ret;
  emit(c->o, c->emu, WI_PROGRESS_DONE, d->digest, d->size, d->size, NULL);
  return 0;
}

/* Write the graph's manifests (children first) into dst and name the top one. */
static int
store_manifests(struct wi_store *dst, const struct graph *g, const char *name,
                const struct wi_transfer_opts *o, char *digest_out, wi_err *err)
{
  for (size_t i = 0; i < g->n_manifests; i++) {
    char dg[WI_DIGEST_MAX];
    const struct mblob *m = &g->manifests[i];
    int ret = wi_store_put_blob(dst, m->bytes, m->len, dg, err);
    if (ret < 0)
      return ret;
    if (strcmp(dg, m->desc.digest) != 0)
      return wi_err_set(err, WI_EDIGEST, "manifest %s: stored bytes hash to %s", m->desc.digest,
                        dg);
  }
  const struct mblob *top = &g->manifests[g->n_manifests - 1];
  struct wi_descriptor d = { 0 };
  d.media_type = top->desc.media_type;
  d.digest = top->desc.digest;
  d.size = top->desc.size;
  if (name) {
    int ret = wi_store_tag(dst, name, &d, err);
    if (ret < 0)
      return ret;
  }
  emit(o, NULL, WI_PROGRESS_MANIFEST, top->desc.digest, top->desc.size, top->desc.size, NULL);
  if (digest_out)
    snprintf(digest_out, WI_DIGEST_MAX, "%s", top->desc.digest);
  return 0;
}

static int
pull_into(const struct wi_ref *ref, const struct wi_regclient_opts *ro, struct wi_store *dst,
          const char *name, bool record_mounts, const struct wi_transfer_opts *o, char *digest_out,
          wi_err *err)
{
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  struct graph g = { 0 };
  struct wi_platform plat = { 0 };
  bool all = false;
  pthread_mutex_t emu = PTHREAD_MUTEX_INITIALIZER;
  int ret;

  ret = want_platform(o, &plat, &all, err);
  if (ret < 0)
    return ret;
  ret = wi_regclient_new(&rc, ref->domain, ro, err);
  if (ret < 0)
    return ret;
  struct msource src = { .rc = rc, .repo = ref->path };
  ret = build_graph(&src, ref->digest ? ref->digest : ref->tag, NULL, &plat, all, &g, err);
  if (ret < 0)
    goto out;
  for (size_t i = 0; i < g.n_blobs; i++)
    emit(o, NULL, WI_PROGRESS_WAITING, g.blobs[i].digest, 0, g.blobs[i].size, NULL);
  struct pull_ctx c = { .rc = rc, .repo = ref->path, .dst = dst, .g = &g, .o = o, .emu = &emu };
  ret = run_parallel(g.n_blobs, o ? o->parallel : 0, pull_one, &c, err);
  if (ret < 0)
    goto out;
  ret = store_manifests(dst, &g, name, o, digest_out, err);
  if (ret == 0 && record_mounts) {
    /* remember where the blobs came from, for cross-repository mounts on push */
    struct mounts mt;
    mounts_load(&mt, wi_store_root(dst));
    for (size_t i = 0; i < g.n_blobs; i++)
      mounts_add(&mt, ref->domain, g.blobs[i].digest, ref->path);
    mounts_save(&mt);
    mounts_dispose(&mt);
  }
out:
  graph_dispose(&g);
  return ret;
}

/* ---- push: layout → registry ---- */

struct push_ctx {
  struct wi_regclient *rc;
  const char *host;
  const char *repo;
  struct wi_store *src;
  struct graph *g;
  const struct wi_transfer_opts *o;
  pthread_mutex_t *emu;
  struct mounts *mt;
};

struct push_job {
  struct push_ctx *c;
  const char *digest;
  int64_t last;
  double last_t;
  bool started;
};

static void
push_progress(int64_t done, int64_t total, void *payload)
{
  struct push_job *j = payload;
  if (!j->started) { /* a mount attempt turned into an upload */
    j->started = true;
    emit(j->c->o, j->c->emu, WI_PROGRESS_START, j->digest, 0, total, NULL);
  }
  emit_bytes(j->c->o, j->c->emu, &j->last, &j->last_t, j->digest, done, total);
}

static int
push_one(void *ctx, size_t i, wi_err *err)
{
  struct push_ctx *c = ctx;
  const struct wi_descriptor *d = &c->g->blobs[i];
  struct push_job j = { .c = c, .digest = d->digest };
  int ret;

  ret = wi_regclient_blob_head(c->rc, c->repo, d->digest, NULL, err);
  if (ret == 0) {
    mounts_add(c->mt, c->host, d->digest, c->repo);
    emit(c->o, c->emu, WI_PROGRESS_EXISTS, d->digest, d->size, d->size, NULL);
    return 0;
  }
  if (ret != WI_ENOTFOUND)
    return ret;
  if (!wi_store_has_blob(c->src, d->digest)) {
    if (d->n_urls > 0) { /* foreign layer: the registry is not expected to have it */
      emit(c->o, c->emu, WI_PROGRESS_EXISTS, d->digest, d->size, d->size, "foreign layer");
      return 0;
    }
    return wi_err_set(err, WI_ENOTFOUND, "blob %s is missing from %s", d->digest,
                      wi_store_root(c->src));
  }
  wi_autofree char *from = mounts_candidate(c->mt, c->host, d->digest, c->repo);
  wi_autoclose int fd = -1;
  int64_t size = 0;
  ret = wi_store_open_blob(c->src, d->digest, &fd, &size, err);
  if (ret < 0)
    return ret;
  if (d->size >= 0 && size != d->size)
    return wi_err_set(err, WI_EDIGEST, "blob %s in %s has %lld bytes, the manifest says %lld",
                      d->digest, wi_store_root(c->src), (long long)size, (long long)d->size);
  if (!from) {
    j.started = true;
    emit(c->o, c->emu, WI_PROGRESS_START, d->digest, 0, size, NULL);
  }
  struct wi_descriptor dd = *d;
  dd.size = size;
  bool mounted = false;
  ret =
      wi_regclient_blob_push_from(c->rc, c->repo, &dd, fd, from, &mounted, push_progress, &j, err);
  if (ret < 0)
    return ret;
  mounts_add(c->mt, c->host, d->digest, c->repo);
  if (mounted) {
    emit(c->o, c->emu, WI_PROGRESS_MOUNTED, d->digest, size, size, from);
    return 0;
  }
  emit(c->o, c->emu, WI_PROGRESS_DONE, d->digest, size, size, NULL);
  return 0;
}

static int
push_from(struct wi_store *src, const struct wi_descriptor *top, const struct wi_ref *dst,
          const struct wi_regclient_opts *ro, const struct wi_transfer_opts *o, struct mounts *mt,
          char *digest_out, wi_err *err)
{
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  struct graph g = { 0 };
  struct wi_platform plat = { 0 };
  bool all = true;
  pthread_mutex_t emu = PTHREAD_MUTEX_INITIALIZER;
  int ret;

  /* push sends the whole index unless a platform was asked for */
  if (o && o->platform && strcmp(o->platform, "all") != 0) {
    ret = want_platform(o, &plat, &all, err);
    if (ret < 0)
      return ret;
  }
  ret = wi_regclient_new(&rc, dst->domain, ro, err);
  if (ret < 0)
    return ret;
  struct msource ms = { .store = src };
  ret = build_graph(&ms, top->digest, top, &plat, all, &g, err);
  if (ret < 0)
    goto out;
  struct push_ctx c = { .rc = rc,
                        .host = dst->domain,
                        .repo = dst->path,
                        .src = src,
                        .g = &g,
                        .o = o,
                        .emu = &emu,
                        .mt = mt };
  for (size_t i = 0; i < g.n_blobs; i++)
    emit(o, NULL, WI_PROGRESS_WAITING, g.blobs[i].digest, 0, g.blobs[i].size, NULL);
  ret = run_parallel(g.n_blobs, o ? o->parallel : 0, push_one, &c, err);
  if (ret < 0)
    goto out;
  /* children by digest, then the top-level manifest by tag (or digest) */
  for (size_t i = 0; i < g.n_manifests; i++) {
    const struct mblob *m = &g.manifests[i];
    bool last = i + 1 == g.n_manifests;
    const char *ref = last ? (dst->tag ? dst->tag : m->desc.digest) : m->desc.digest;
    if (last && dst->digest && strcmp(dst->digest, m->desc.digest) != 0) {
      ret = wi_err_set(err, WI_EDIGEST, "push %s: the image is %s, not %s", dst->path,
                       m->desc.digest, dst->digest);
      goto out;
    }
    char dg[WI_DIGEST_MAX];
    ret = wi_regclient_put_manifest(rc, dst->path, ref, m->bytes, m->len, m->desc.media_type, dg,
                                    err);
    if (ret < 0)
      goto out;
  }
  const struct mblob *t = &g.manifests[g.n_manifests - 1];
  emit(o, NULL, WI_PROGRESS_MANIFEST, t->desc.digest, t->desc.size, t->desc.size, NULL);
  if (digest_out)
    snprintf(digest_out, WI_DIGEST_MAX, "%s", t->desc.digest);
out:
  graph_dispose(&g);
  return ret;
}

/* ---- layout → layout ---- */

static int
copy_local(struct wi_store *src, const struct wi_descriptor *top, struct wi_store *dst,
           const char *name, const struct wi_transfer_opts *o, char *digest_out, wi_err *err)
{
  struct graph g = { 0 };
  struct wi_platform plat = { 0 };
  bool all = true;
  int ret = 0;

  if (o && o->platform && strcmp(o->platform, "all") != 0) {
    ret = want_platform(o, &plat, &all, err);
    if (ret < 0)
      return ret;
  }
  struct msource ms = { .store = src };
  ret = build_graph(&ms, top->digest, top, &plat, all, &g, err);
  for (size_t i = 0; ret == 0 && i < g.n_blobs; i++) {
    const struct wi_descriptor *d = &g.blobs[i];
    if (wi_store_has_blob(dst, d->digest)) {
      emit(o, NULL, WI_PROGRESS_EXISTS, d->digest, d->size, d->size, NULL);
      continue;
    }
    if (!wi_store_has_blob(src, d->digest) && d->n_urls > 0)
      continue; /* foreign layer */
    emit(o, NULL, WI_PROGRESS_START, d->digest, 0, d->size, NULL);
    ret = wi_store_copy_blob_from(dst, src, d->digest, err);
    if (ret == 0)
      emit(o, NULL, WI_PROGRESS_DONE, d->digest, d->size, d->size, NULL);
  }
  if (ret == 0)
    ret = store_manifests(dst, &g, name, o, digest_out, err);
  graph_dispose(&g);
  return ret;
}

/* ---- endpoints as layouts ---- */

/* Open the layout behind a store or oci: endpoint. */
static int
open_layout(const struct endpoint *e, bool create, struct wi_store **out, wi_err *err)
{
  int ret = wi_store_open(out, e->path, create, err);
  /* An oci: directory is not an image store: a tag written again replaces its entry (skopeo). */
  if (ret == 0 && e->kind == T_OCI)
    wi_store_set_keep_untagged(*out, false);
  return ret;
}

/* Find the source image in a layout endpoint. */
static int
resolve_source(struct wi_store *s, const struct endpoint *e, struct wi_descriptor *out, wi_err *err)
{
  if (e->kind == T_STORE)
    return wi_store_lookup(s, e->name, out, NULL, err);
  if (e->name)
    return wi_store_resolve(s, e->name, out, err);
  /* oci:DIR without a tag: the only image, else "latest" */
  struct wi_store_entry *ents = NULL;
  size_t n = 0;
  int ret = wi_store_list(s, &ents, &n, err);
  if (ret < 0)
    return ret;
  if (n == 1) {
    memset(out, 0, sizeof *out);
    wi_manifest_descriptor_copy(out, &ents[0].desc);
  } else {
    ret = wi_store_resolve(s, "latest", out, NULL);
    if (ret < 0)
      ret = wi_err_set(err, WI_ENOTFOUND, "oci:%s holds %zu images; name one as oci:%s:TAG",
                       e->path, n, e->path);
  }
  wi_store_entries_free(ents, n);
  return ret;
}

/* The name under which a destination layout records the image. malloc'ed; NULL for none. */
static char *
dest_name(const struct endpoint *e, wi_err *err)
{
  if (e->kind == T_OCI)
    return wi_xstrdup(e->name ? e->name : "latest");
  struct wi_ref r = { 0 };
  if (wi_ref_parse(&r, e->name, err) < 0)
    return NULL;
  char *n = wi_ref_name(&r);
  wi_ref_dispose(&r);
  return n;
}

static bool
is_layout(const struct endpoint *e)
{
  return e->kind == T_STORE || e->kind == T_OCI;
}

/* ---- docker-archive ---- */

/* Read a docker-archive into s (untagged) and pick the image named `want` (any form wi_ref_parse
 * accepts), or the only one. */
static int
archive_read(struct wi_store *s, const struct endpoint *e, struct wi_descriptor *out, wi_err *err)
{
  struct wi_docker_archive_loaded *l = NULL;
  size_t n = 0;
  wi_autofree char *what = wi_xasprintf("docker-archive:%s", e->path);
  wi_autoclose int fd = open(e->path, O_RDONLY | O_CLOEXEC);
  int ret;

  if (fd < 0)
    return wi_err_sys(err, errno == ENOENT ? WI_ENOTFOUND : WI_EIO, "%s", what);
  ret = wi_docker_archive_read(s, fd, what, false, &l, &n, err);
  if (ret < 0)
    return ret;
  ssize_t pick = -1;
  if (e->name) {
    struct wi_ref r = { 0 };
    ret = wi_ref_parse(&r, e->name, err);
    if (ret == 0) {
      wi_autofree char *want = wi_ref_name(&r);
      wi_ref_dispose(&r);
      for (size_t i = 0; i < n && pick < 0; i++)
        for (size_t k = 0; k < l[i].n_names; k++)
          if (strcmp(l[i].names[k], want) == 0)
            pick = (ssize_t)i;
      if (pick < 0)
        ret = wi_err_set(err, WI_ENOTFOUND, "%s has no image named %s", what, e->name);
    }
  } else if (n == 1) {
    pick = 0;
  } else {
    ret = wi_err_set(err, WI_EINVAL, "%s holds %zu images; name one as docker-archive:%s:NAME",
                     what, n, e->path);
  }
  if (ret == 0) {
    memset(out, 0, sizeof *out);
    wi_manifest_descriptor_copy(out, &l[pick].desc);
  }
  wi_docker_archive_loaded_free(l, n);
  return ret;
}

/* Write the image behind top from s into a docker-archive file (atomically). */
static int
archive_write(struct wi_store *s, const struct wi_descriptor *top, const struct endpoint *e,
              const char *tag, wi_err *err)
{
  const char *tags[1] = { tag };
  struct wi_docker_archive_image img = { .desc = top,
                                         .repo_tags = tags,
                                         .n_repo_tags = tag ? 1 : 0 };
  return wi_docker_archive_write_file(s, &img, 1, e->path, err);
}

/* RepoTag for an archive destination: its own :REF, else the source's name. malloc'ed or NULL. */
static char *
archive_tag(const struct endpoint *dst, const struct endpoint *src)
{
  struct wi_ref r = { 0 };
  const char *s = dst->name;
  if (s == NULL && src->kind == T_DOCKER && src->ref.tag)
    return wi_ref_familiar(&src->ref);
  if (s == NULL && src->kind == T_STORE)
    s = src->name;
  if (s == NULL || wi_ref_parse(&r, s, NULL) < 0 || r.tag == NULL) {
    if (r.domain)
      wi_ref_dispose(&r);
    return NULL;
  }
  char *t = wi_ref_familiar(&r);
  wi_ref_dispose(&r);
  return t;
}

/* ---- public API ---- */

/* A temporary layout for routes that need one. */
static int
temp_layout(char **dir_out, struct wi_store **out, wi_err *err)
{
  *dir_out = wi_fs_mkdtemp("wlsimg-copy", err);
  if (*dir_out == NULL)
    return err ? err->code : WI_EIO;
  return wi_store_open(out, *dir_out, true, err);
}

int
wi_transfer_copy_image(const char *src_s, const char *dst_s, const struct wi_transfer_opts *o,
                       char *digest_out, wi_err *err)
{
  static const struct wi_transfer_opts no_opts = { 0 };
  struct endpoint src = { 0 }, dst = { 0 };
  struct wi_store *ss = NULL; /* source layout: owned unless it is ds */
  wi_autoptr(wi_store) struct wi_store *ds = NULL;
  wi_autofree char *tmpdir = NULL;
  wi_autofree char *name = NULL;
  struct wi_descriptor top = { 0 };
  int ret;

  if (o == NULL)
    o = &no_opts;
  ret = parse_endpoint(src_s, o->store_root, &src, err);
  if (ret == 0)
    ret = parse_endpoint(dst_s, o->store_root, &dst, err);
  if (ret < 0)
    goto out;
  if (dst.kind == T_STORE || dst.kind == T_OCI) {
    name = dest_name(&dst, err);
    if (name == NULL) {
      ret = err ? err->code : WI_EINVAL;
      goto out;
    }
  }
  /* 1. the source as a layout + descriptor */
  if (src.kind == T_DOCKER && is_layout(&dst)) {
    /* straight into the destination: nothing is named until every blob is there */
    ret = open_layout(&dst, true, &ds, err);
    if (ret == 0)
      ret = pull_into(&src.ref, &o->src_reg, ds, name, dst.kind == T_STORE, o, digest_out, err);
    goto out;
  }
  if (src.kind == T_DOCKER || (src.kind == T_ARCHIVE && !is_layout(&dst))) {
    ret = temp_layout(&tmpdir, &ss, err);
    if (ret == 0 && src.kind == T_DOCKER)
      ret = pull_into(&src.ref, &o->src_reg, ss, "tmp", false, o, NULL, err);
    if (ret == 0 && src.kind == T_DOCKER)
      ret = wi_store_resolve(ss, "tmp", &top, err);
    if (ret == 0 && src.kind == T_ARCHIVE)
      ret = archive_read(ss, &src, &top, err);
  } else if (src.kind == T_ARCHIVE) {
    /* read straight into the destination layout; copy_local below only names it */
    ret = open_layout(&dst, true, &ds, err);
    if (ret == 0)
      ret = archive_read(ds, &src, &top, err);
    ss = ds;
  } else {
    ret = open_layout(&src, false, &ss, err);
    if (ret == 0)
      ret = resolve_source(ss, &src, &top, err);
  }
  if (ret < 0)
    goto out;
  /* 2. the destination */
  if (dst.kind == T_DOCKER) {
    struct mounts mt;
    mounts_load(&mt, src.kind == T_STORE ? wi_store_root(ss) : NULL);
    ret = push_from(ss, &top, &dst.ref, &o->dst_reg, o, &mt, digest_out, err);
    if (ret == 0)
      mounts_save(&mt);
    mounts_dispose(&mt);
  } else if (dst.kind == T_ARCHIVE) {
    wi_autofree char *tag = archive_tag(&dst, &src);
    ret = archive_write(ss, &top, &dst, tag, err);
    if (ret == 0 && digest_out)
      snprintf(digest_out, WI_DIGEST_MAX, "%s", top.digest);
  } else {
    if (ds == NULL)
      ret = open_layout(&dst, true, &ds, err);
    if (ret == 0)
      ret = copy_local(ss, &top, ds, name, o, digest_out, err);
  }
out:
  wi_manifest_descriptor_dispose(&top);
  if (ss != ds)
    wi_store_free(ss);
  if (tmpdir)
    wi_fs_rm_rf(tmpdir, NULL);
  endpoint_dispose(&src);
  endpoint_dispose(&dst);
  return ret;
}

static int
registry_manifest(const struct wi_ref *ref, const struct wi_regclient_opts *ro, char **bytes_out,
                  size_t *len_out, char *digest_out, wi_err *err)
{
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  int ret = wi_regclient_new(&rc, ref->domain, ro, err);
  if (ret == 0)
    ret = wi_regclient_get_manifest(rc, ref->path, ref->digest ? ref->digest : ref->tag, bytes_out,
                                    len_out, NULL, digest_out, err);
  return ret;
}

int
wi_transfer_get_manifest(const char *src_s, const struct wi_transfer_opts *o, char **bytes_out,
                         size_t *len_out, char *digest_out, wi_err *err)
{
  static const struct wi_transfer_opts no_opts = { 0 };
  struct endpoint src = { 0 };
  struct wi_store *s = NULL;
  struct wi_descriptor top = { 0 };

  if (o == NULL)
    o = &no_opts;
  int ret = parse_endpoint(src_s, o->store_root, &src, err);
  if (ret == 0 && src.kind == T_ARCHIVE)
    ret = wi_err_set(err, WI_EUNSUPPORTED,
                     "%s: a docker-archive holds docker's manifest.json, not an image manifest; "
                     "copy it to oci:DIR or the store first",
                     src_s);
  if (ret == 0 && src.kind == T_DOCKER)
    ret = registry_manifest(&src.ref, &o->src_reg, bytes_out, len_out, digest_out, err);
  if (ret < 0 || src.kind == T_DOCKER)
    goto out;
  ret = open_layout(&src, false, &s, err);
  if (ret == 0)
    ret = resolve_source(s, &src, &top, err);
  if (ret == WI_ENOTFOUND && src.kind == T_STORE) {
    /* Not in the store: the registry's, as `manifest` has always fetched names. */
    struct wi_ref ref = { 0 };
    wi_err perr = { 0 };
    if (wi_ref_parse(&ref, src.name, &perr) == 0) {
      wi_err_clear(err);
      ret = registry_manifest(&ref, &o->src_reg, bytes_out, len_out, digest_out, err);
      wi_ref_dispose(&ref);
    }
    goto out;
  }
  if (ret == 0)
    ret = wi_store_read_blob(s, top.digest, WI_MAX_MANIFEST_BYTES, bytes_out, len_out, err);
  if (ret == 0 && digest_out)
    snprintf(digest_out, WI_DIGEST_MAX, "%s", top.digest);
out:
  wi_manifest_descriptor_dispose(&top);
  wi_store_free(s);
  endpoint_dispose(&src);
  return ret;
}

int
wi_transfer_pull(struct wi_store *s, const char *ref_s, const struct wi_transfer_opts *o,
                 char *digest_out, wi_err *err)
{
  static const struct wi_transfer_opts no_opts = { 0 };
  struct wi_ref ref = { 0 };
  const char *r = wi_str_has_prefix(ref_s, "docker://") ? ref_s + 9 : ref_s;

  if (o == NULL)
    o = &no_opts;
  int ret = wi_ref_parse(&ref, r, err);
  if (ret < 0)
    return ret;
  wi_autofree char *name = wi_ref_name(&ref);
  ret = pull_into(&ref, &o->src_reg, s, name, true, o, digest_out, err);
  wi_ref_dispose(&ref);
  return ret;
}

int
wi_transfer_push(struct wi_store *s, const char *local_ref, const char *dest_ref,
                 const struct wi_transfer_opts *o, char *digest_out, wi_err *err)
{
  static const struct wi_transfer_opts no_opts = { 0 };
  struct wi_ref ref = { 0 };
  struct wi_descriptor top = { 0 };
  const char *r = wi_str_has_prefix(dest_ref, "docker://") ? dest_ref + 9 : dest_ref;
  int ret;

  if (o == NULL)
    o = &no_opts;
  ret = wi_ref_parse(&ref, r, err);
  if (ret < 0)
    return ret;
  ret = wi_store_lookup(s, local_ref, &top, NULL, err);
  if (ret == 0) {
    struct mounts mt;
    mounts_load(&mt, wi_store_root(s));
    ret = push_from(s, &top, &ref, &o->dst_reg, o, &mt, digest_out, err);
    if (ret == 0)
      mounts_save(&mt);
    mounts_dispose(&mt);
  }
  wi_manifest_descriptor_dispose(&top);
  wi_ref_dispose(&ref);
  return ret;
}
