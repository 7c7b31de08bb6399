/* wlsimg: docker-archive read/write. See docker_archive.h. */
#include "lib/docker_archive.h"
#include "lib/gunzip.h"
#include "lib/gzip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/imgconfig.h"
#include "lib/layer.h"
#include "lib/ref.h"

#define CHUNK               (64 * 1024)
#define MAX_ARCHIVE_IMAGES  4096
#define MAX_LINK_DEPTH      8
#define MT_DOCKER_LAYER_TAR "application/vnd.docker.image.rootfs.diff.tar"

#define autojson __attribute__((cleanup(json_decrefp)))

/* Strings in insertion order with a hash index: archives can name many members, and linear
 * lookups made crafted ones quadratic. */
struct strlist {
  char **v;
  size_t n;
  size_t *slots; /* open addressing: index + 1, 0 = empty; n_slots a power of two > 2n */
  size_t n_slots;
};

static size_t
str_hash(const char *s)
{
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return (size_t)h;
}

static ssize_t
strlist_find(const struct strlist *l, const char *s)
{
  if (l->n_slots == 0)
    return -1;
  for (size_t i = str_hash(s) & (l->n_slots - 1);; i = (i + 1) & (l->n_slots - 1)) {
    size_t k = l->slots[i];
    if (k == 0)
      return -1;
    if (strcmp(l->v[k - 1], s) == 0)
      return (ssize_t)(k - 1);
  }
}

static void
slot_insert(size_t *slots, size_t n_slots, const char *s, size_t idx)
{
  size_t i = str_hash(s) & (n_slots - 1);
  while (slots[i] != 0)
    i = (i + 1) & (n_slots - 1);
  slots[i] = idx + 1;
}

static void
strlist_add(struct strlist *l, const char *s)
{
  if ((l->n + 1) * 2 > l->n_slots) {
    size_t ns = l->n_slots ? l->n_slots * 2 : 16;
    free(l->slots);
    l->slots = wi_xcalloc(ns, sizeof *l->slots);
    l->n_slots = ns;
    for (size_t i = 0; i < l->n; i++)
      slot_insert(l->slots, ns, l->v[i], i);
    /* the table stays at most half full, so v never needs more than half its slots */
    l->v = wi_xreallocarray(l->v, ns / 2, sizeof *l->v);
  }
  l->v[l->n] = wi_xstrdup(s);
  slot_insert(l->slots, l->n_slots, s, l->n);
  l->n++;
}

static void
strlist_dispose(struct strlist *l)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
  free(l->slots);
  memset(l, 0, sizeof *l);
}

/* An unnamed temporary file in the store's tmp/ (removed by the kernel when closed). */
static int
open_tmpfile(struct wi_store *s, wi_err *err)
{
  wi_autofree char *dir = wi_xasprintf("%s/tmp", wi_store_root(s));
  int ret = wi_fs_mkdir_p(dir, 0755, err);
  if (ret < 0)
    return ret;
  int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0)
    return fd;
  wi_autofree char *tpl = wi_xasprintf("%s/spool-XXXXXX", dir);
  fd = mkostemp(tpl, O_CLOEXEC);
  if (fd < 0)
    return wi_err_sys(err, WI_EIO, "create a temporary file in %s", dir);
  unlink(tpl);
  return fd;
}

/* ---- writing ---- */

struct awriter {
  struct archive *a;
  int fd;
  wi_err *err;
  int failed;
};

static la_ssize_t
aw_write(struct archive *a, void *payload, const void *buf, size_t len)
{
  struct awriter *w = payload;
  int ret = wi_fs_write_all(w->fd, buf, len, w->err);
  if (ret < 0) {
    w->failed = wi_err_wrap(w->err, "write docker-archive");
    archive_set_error(a, EIO, "write failed");
    return -1;
  }
  return (la_ssize_t)len;
}

static int
aw_fail(struct awriter *w, const char *what)
{
  if (w->failed)
    return w->failed;
  return wi_err_set(w->err, WI_ERR, "write docker-archive: %s: %s", what,
                    archive_error_string(w->a));
}

static int
aw_header(struct awriter *w, const char *name, int64_t size)
{
  struct archive_entry *ae = archive_entry_new();
  archive_entry_set_pathname(ae, name);
  archive_entry_set_filetype(ae, AE_IFREG);
  archive_entry_set_perm(ae, 0644);
  archive_entry_set_size(ae, size);
  archive_entry_set_mtime(ae, 0, 0);
  int r = archive_write_header(w->a, ae);
  archive_entry_free(ae);
  return r < ARCHIVE_WARN ? aw_fail(w, name) : 0;
}

static int
aw_mem(struct awriter *w, const char *name, const void *data, size_t len)
{
  int ret = aw_header(w, name, (int64_t)len);
  if (ret == 0 && len > 0 && archive_write_data(w->a, data, len) < 0)
    ret = aw_fail(w, name);
  return ret;
}

/* Copy size bytes of fd (from offset 0) into the archive; digest_out gets their sha256. */
static int
aw_fd(struct awriter *w, const char *name, int fd, int64_t size, char digest_out[WI_DIGEST_MAX])
{
  struct wi_hasher h;
  wi_autofree char *buf = wi_xmalloc(CHUNK);
  int64_t off = 0;
  int ret = aw_header(w, name, size);

  if (ret < 0)
    return ret;
  ret = wi_digest_hasher_init(&h, "sha256", w->err);
  if (ret < 0)
    return ret;
  while (off < size && ret == 0) {
    ssize_t n = pread(fd, buf, (size_t)(size - off < CHUNK ? size - off : CHUNK), off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      ret = n < 0 ? wi_err_sys(w->err, WI_EIO, "read %s", name)
                  : wi_err_set(w->err, WI_EIO, "read %s: file shorter than expected", name);
    else if (archive_write_data(w->a, buf, (size_t)n) < 0)
      ret = aw_fail(w, name);
    else {
      wi_digest_hasher_update(&h, buf, (size_t)n);
      off += n;
    }
  }
  if (ret == 0)
    wi_digest_hasher_final(&h, digest_out);
  wi_digest_hasher_dispose(&h);
  return ret;
}

static int
fd_sink(const void *data, size_t len, void *payload, wi_err *err)
{
  return wi_fs_write_all(*(int *)payload, data, len, err);
}

/* One layer as "<diffidhex>.tar": uncompressed blobs are copied, gzip ones decompressed into a
 * temporary file first (a tar header needs the size up front). Either way the bytes written must
 * hash to the diff_id. */
static int
write_layer(struct wi_store *s, struct awriter *w, const struct wi_descriptor *l,
            const char *diff_id, const char *name)
{
  wi_autoclose int bfd = -1;
  wi_autoclose int tfd = -1;
  int64_t size = 0;
  char got[WI_DIGEST_MAX];
  int ret;

  if (wi_mediatype_is_gzip_layer(l->media_type)) {
    ret = wi_store_open_blob(s, l->digest, &bfd, NULL, w->err);
    if (ret < 0)
      return ret;
    tfd = open_tmpfile(s, w->err);
    if (tfd < 0)
      return tfd;
    ret = wi_gunzip_fd(bfd, l->digest, fd_sink, &tfd, w->err);
    if (ret < 0)
      return wi_err_wrap(w->err, "layer");
    struct stat st;
    if (fstat(tfd, &st) < 0)
      return wi_err_sys(w->err, WI_EIO, "stat temporary file");
    size = st.st_size;
  } else if (strcmp(l->media_type, WI_MT_OCI_LAYER) == 0 ||
             strcmp(l->media_type, MT_DOCKER_LAYER_TAR) == 0) {
    ret = wi_store_open_blob(s, l->digest, &tfd, &size, w->err);
    if (ret < 0)
      return ret;
  } else {
    return wi_err_set(w->err, WI_EUNSUPPORTED,
                      "layer %s: media type %s cannot go into a docker-archive", l->digest,
                      l->media_type);
  }
  ret = aw_fd(w, name, tfd, size, got);
  if (ret < 0)
    return ret;
  if (strcmp(got, diff_id) != 0)
    return wi_err_set(w->err, WI_EDIGEST,
                      "layer %s: uncompressed content is %s, but the config says %s", l->digest,
                      got, diff_id);
  return 0;
}

struct img_out {
  char *config_name;
  struct strlist layers;
  struct strlist tags;
  char top_layer[72];
};

static int
write_image(struct wi_store *s, struct awriter *w, const struct wi_docker_archive_image *img,
            struct strlist *written, struct img_out *out)
{
  wi_autoptr(wi_manifest) struct wi_manifest *m = NULL;
  wi_autoptr(wi_imgconfig) struct wi_imgconfig *cfg = NULL;
  wi_autofree char *cbytes = NULL;
  size_t clen = 0;
  int ret = wi_store_load_image(s, img->desc, NULL, &m, NULL, w->err);

  if (ret < 0)
    return ret;
  ret = wi_store_read_blob(s, m->config.digest, WI_MAX_CONFIG_BYTES, &cbytes, &clen, w->err);
  if (ret < 0)
    return ret;
  ret = wi_imgconfig_parse(&cfg, cbytes, clen, w->err);
  if (ret < 0)
    return wi_err_wrap(w->err, "config %s", m->config.digest);
  if (wi_imgconfig_n_diff_ids(cfg) != m->n_layers)
    return wi_err_set(w->err, WI_EINVAL, "image %s: %zu layers but %zu diff_ids in the config",
                      img->desc->digest, m->n_layers, wi_imgconfig_n_diff_ids(cfg));
  for (size_t i = 0; i < m->n_layers; i++) {
    const char *diff_id = wi_imgconfig_diff_id(cfg, i);
    wi_autofree char *name = wi_xasprintf("%s.tar", wi_digest_hex(diff_id));
    if (strlist_find(written, name) < 0) {
      ret = write_layer(s, w, &m->layers[i], diff_id, name);
      if (ret < 0)
        return ret;
      strlist_add(written, name);
    }
    strlist_add(&out->layers, name);
    snprintf(out->top_layer, sizeof out->top_layer, "%s", wi_digest_hex(diff_id));
  }
  out->config_name = wi_xasprintf("%s.json", wi_digest_hex(m->config.digest));
  if (strlist_find(written, out->config_name) < 0) {
    ret = aw_mem(w, out->config_name, cbytes, clen);
    if (ret < 0)
      return ret;
    strlist_add(written, out->config_name);
  }
  for (size_t i = 0; i < img->n_repo_tags; i++)
    strlist_add(&out->tags, img->repo_tags[i]);
  return 0;
}

/* manifest.json and repositories from what was written. */
static int
write_index_files(struct awriter *w, struct img_out *imgs, size_t n)
{
  autojson json_t *man = json_array();
  autojson json_t *repos = json_object();

  for (size_t i = 0; i < n; i++) {
    json_t *e = json_object();
    json_t *tags = json_array();
    json_t *layers = json_array();
    json_object_set_new(e, "Config", json_string(imgs[i].config_name));
    for (size_t k = 0; k < imgs[i].tags.n; k++) {
      const char *t = imgs[i].tags.v[k];
      json_array_append_new(tags, json_string(t));
      /* "repo:tag" → repositories[repo][tag] = top layer id (the legacy v1 file). */
      const char *colon = strrchr(t, ':');
      if (colon && !strchr(colon, '/') && imgs[i].top_layer[0]) {
        wi_autofree char *repo = wi_xstrndup(t, (size_t)(colon - t));
        json_t *r = json_object_get(repos, repo);
        if (r == NULL)
          json_object_set_new(repos, repo, r = json_object());
        json_object_set_new(r, colon + 1, json_string(imgs[i].top_layer));
      }
    }
    json_object_set_new(e, "RepoTags", tags);
    for (size_t k = 0; k < imgs[i].layers.n; k++)
      json_array_append_new(layers, json_string(imgs[i].layers.v[k]));
    json_object_set_new(e, "Layers", layers);
    json_array_append_new(man, e);
  }
  wi_autofree char *ms = json_dumps(man, JSON_COMPACT);
  wi_autofree char *rs = json_dumps(repos, JSON_COMPACT);
  int ret = aw_mem(w, "manifest.json", ms, strlen(ms));
  if (ret == 0 && json_object_size(repos) > 0)
    ret = aw_mem(w, "repositories", rs, strlen(rs));
  return ret;
}

int
wi_docker_archive_write(struct wi_store *s, const struct wi_docker_archive_image *imgs, size_t n,
                        int fd, wi_err *err)
{
  struct awriter w = { .fd = fd, .err = err };
  struct strlist written = { 0 };
  struct img_out *out = wi_xcalloc(n, sizeof *out);
  int ret = 0;

  w.a = archive_write_new();
  if (archive_write_set_format_pax_restricted(w.a) != ARCHIVE_OK ||
      archive_write_open(w.a, &w, NULL, aw_write, NULL) != ARCHIVE_OK)
    ret = aw_fail(&w, "open");
  for (size_t i = 0; i < n && ret == 0; i++)
    ret = write_image(s, &w, &imgs[i], &written, &out[i]);
  if (ret == 0)
    ret = write_index_files(&w, out, n);
  if (ret == 0 && archive_write_close(w.a) != ARCHIVE_OK)
    ret = aw_fail(&w, "close");
  archive_write_free(w.a);
  for (size_t i = 0; i < n; i++) {
    free(out[i].config_name);
    strlist_dispose(&out[i].layers);
    strlist_dispose(&out[i].tags);
  }
  free(out);
  strlist_dispose(&written);
  return ret;
}

int
wi_docker_archive_write_file(struct wi_store *s, const struct wi_docker_archive_image *imgs,
                             size_t n, const char *path, wi_err *err)
{
  wi_autofree char *tmp = NULL;
  /* 0666 & ~umask, as any file a user saves: the archive may hold private layers, and a umask of
   * 077 must keep it to its owner. */
  int fd = wi_fs_create_tmp(path, 0666, &tmp, err);
  if (fd < 0)
    return fd;
  int ret = wi_docker_archive_write(s, imgs, n, fd, err);
  if (ret == 0 && fsync(fd) < 0)
    ret = wi_err_sys(err, WI_EIO, "fsync %s", tmp);
  close(fd);
  if (ret == 0 && rename(tmp, path) < 0)
    ret = wi_err_sys(err, WI_EIO, "rename %s to %s", tmp, path);
  if (ret < 0)
    unlink(tmp);
  return ret;
}

/* ---- reading ---- */

struct member_link {
  char *name;
  char *target; /* normalised path of what it points to */
};

struct loaded_layer {
  char *name;
  char digest[WI_DIGEST_MAX];
  int64_t size;
  char diff_id[WI_DIGEST_MAX];
};

struct reader {
  struct wi_store *s;
  const char *what;
  int fd;
  wi_err *err;
  struct member_link *links;
  size_t n_links;
  struct strlist link_names; /* parallel to links */
  json_t *manifest;          /* manifest.json */
  struct strlist want_cfg;   /* resolved member names */
  struct strlist want_layer;
  struct strlist cfg_names; /* configs read, parallel to cfg_data */
  char **cfg_data;
  size_t *cfg_len;
  struct loaded_layer *layers;
  size_t n_layers;
  struct strlist layer_names; /* parallel to layers */
};

/* "./a//b/../c" → "a/c"; NULL when it leaves the archive. */
static char *
norm_member(const char *dir, const char *p)
{
  wi_autofree char *full =
      (p[0] != '/' && dir && *dir) ? wi_xasprintf("%s/%s", dir, p) : wi_xstrdup(p);
  char *out = wi_xcalloc(1, strlen(full) + 1);
  size_t ol = 0;
  for (char *tok = full; tok;) {
    char *slash = strchr(tok, '/');
    size_t tl = slash ? (size_t)(slash - tok) : strlen(tok);
    if (tl == 0 || (tl == 1 && tok[0] == '.')) {
      /* skip */
    } else if (tl == 2 && tok[0] == '.' && tok[1] == '.') {
      if (ol == 0) {
        free(out);
        return NULL;
      }
      while (ol > 0 && out[ol - 1] != '/')
        ol--;
      if (ol > 0)
        ol--;
    } else {
      if (ol > 0)
        out[ol++] = '/';
      memcpy(out + ol, tok, tl);
      ol += tl;
    }
    out[ol] = '\0';
    tok = slash ? slash + 1 : NULL;
  }
  return out;
}

/* Follow symlinks and hard links recorded in pass 1. */
static char *
resolve_member(const struct reader *r, const char *name)
{
  char *cur = norm_member(NULL, name);
  for (int depth = 0; cur && depth < MAX_LINK_DEPTH; depth++) {
    ssize_t i = strlist_find(&r->link_names, cur);
    if (i < 0)
      return cur;
    free(cur);
    cur = wi_xstrdup(r->links[i].target);
  }
  return cur;
}

static struct archive *
open_archive(struct reader *r, wi_err *err)
{
  if (lseek(r->fd, 0, SEEK_SET) < 0) {
    wi_err_sys(err, WI_EIO, "%s: seek", r->what);
    return NULL;
  }
  struct archive *a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_fd(a, r->fd, CHUNK) != ARCHIVE_OK) {
    wi_err_set(err, WI_EINVAL, "%s: not a tar archive: %s", r->what, archive_error_string(a));
    archive_read_free(a);
    return NULL;
  }
  return a;
}

static int
read_member(struct archive *a, const struct reader *r, const char *name, size_t max, char **out,
            size_t *len_out, wi_err *err)
{
  struct wi_buf b = WI_BUF_INIT(max);
  char buf[16384];
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf, sizeof buf);
    if (n < 0) {
      wi_buf_dispose(&b);
      return wi_err_set(err, WI_EINVAL, "%s: %s: %s", r->what, name, archive_error_string(a));
    }
    if (n == 0)
      break;
    if (wi_buf_add(&b, buf, (size_t)n, NULL) < 0) {
      wi_buf_dispose(&b);
      return wi_err_set(err, WI_ETOOBIG, "%s: %s is larger than %zu bytes", r->what, name, max);
    }
  }
  *len_out = b.len;
  *out = wi_buf_steal(&b);
  return 0;
}

/* Pass 1: links and manifest.json. */
static int
scan_archive(struct reader *r, wi_err *err)
{
  struct archive *a = open_archive(r, err);
  struct archive_entry *ae;
  int ret = 0, ar;

  if (a == NULL)
    return err ? err->code : WI_EINVAL;
  while ((ar = archive_read_next_header(a, &ae)) == ARCHIVE_OK || ar == ARCHIVE_WARN) {
    const char *name = archive_entry_pathname(ae);
    wi_autofree char *n = name ? norm_member(NULL, name) : NULL;
    if (n == NULL)
      continue;
    const char *sl = archive_entry_symlink(ae);
    const char *hl = archive_entry_hardlink(ae);
    if (sl || hl) {
      wi_autofree char *dir = wi_xstrdup(n);
      char *slash = strrchr(dir, '/');
      if (slash)
        *slash = '\0';
      else
        dir[0] = '\0';
      char *t = sl ? norm_member(dir, sl) : norm_member(NULL, hl);
      if (t == NULL)
        continue;
      /* a later entry of the same name wins, as it would on extraction */
      ssize_t k = strlist_find(&r->link_names, n);
      if (k >= 0) {
        free(r->links[k].target);
        r->links[k].target = t;
        continue;
      }
      strlist_add(&r->link_names, n);
      r->links = wi_xreallocarray(r->links, r->n_links + 1, sizeof *r->links);
      r->links[r->n_links++] = (struct member_link){ .name = wi_steal(&n), .target = t };
      continue;
    }
    if (strcmp(n, "manifest.json") == 0 && archive_entry_filetype(ae) == AE_IFREG) {
      wi_autofree char *data = NULL;
      size_t len = 0;
      json_error_t jerr;
      ret = read_member(a, r, n, WI_MAX_MANIFEST_BYTES, &data, &len, err);
      if (ret < 0)
        break;
      /* a later manifest.json replaces an earlier one, as extracting the tar would */
      json_decref(r->manifest);
      r->manifest = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
      if (r->manifest == NULL) {
        ret = wi_err_set(err, WI_EINVAL, "%s: manifest.json: line %d column %d: %s", r->what,
                         jerr.line, jerr.column, jerr.text);
        break;
      }
    }
  }
  if (ret == 0 && ar != ARCHIVE_EOF)
    ret = wi_err_set(err, WI_EINVAL, "%s: not a valid tar archive: %s", r->what,
                     archive_error_string(a));
  archive_read_free(a);
  if (ret == 0 && r->manifest == NULL)
    ret = wi_err_set(err, WI_EINVAL, "%s: no manifest.json: not a docker-archive", r->what);
  return ret;
}

/* Check manifest.json's shape and collect the members it needs. */
static int
plan_archive(struct reader *r, wi_err *err)
{
  size_t i, k;
  json_t *img, *l;

  if (!json_is_array(r->manifest) || json_array_size(r->manifest) == 0)
    return wi_err_set(err, WI_EINVAL, "%s: manifest.json: expected a non-empty array", r->what);
  if (json_array_size(r->manifest) > MAX_ARCHIVE_IMAGES)
    return wi_err_set(err, WI_ETOOBIG, "%s: manifest.json: more than %d images", r->what,
                      MAX_ARCHIVE_IMAGES);
  json_array_foreach (r->manifest, i, img) {
    const char *cfg = json_string_value(json_object_get(img, "Config"));
    json_t *layers = json_object_get(img, "Layers");
    json_t *tags = json_object_get(img, "RepoTags");
    if (cfg == NULL)
      return wi_err_set(err, WI_EINVAL, "%s: manifest.json: [%zu].Config: expected a string",
                        r->what, i);
    if (!json_is_array(layers))
      return wi_err_set(err, WI_EINVAL, "%s: manifest.json: [%zu].Layers: expected an array",
                        r->what, i);
    if (tags && !json_is_null(tags) && !json_is_array(tags))
      return wi_err_set(err, WI_EINVAL, "%s: manifest.json: [%zu].RepoTags: expected an array",
                        r->what, i);
    /* Names are checked before anything is stored, so a bad one leaves no blob and no name. */
    json_array_foreach (tags, k, l) {
      struct wi_ref ref = { 0 };
      if (!json_is_string(l))
        return wi_err_set(err, WI_EINVAL,
                          "%s: manifest.json: [%zu].RepoTags[%zu]: expected a string", r->what, i,
                          k);
      if (wi_ref_parse(&ref, json_string_value(l), err) < 0)
        return wi_err_wrap(err, "%s: manifest.json: [%zu].RepoTags[%zu]", r->what, i, k);
      wi_ref_dispose(&ref);
    }
    wi_autofree char *rc = resolve_member(r, cfg);
    if (rc && strlist_find(&r->want_cfg, rc) < 0)
      strlist_add(&r->want_cfg, rc);
    json_array_foreach (layers, k, l) {
      if (!json_is_string(l))
        return wi_err_set(err, WI_EINVAL, "%s: manifest.json: [%zu].Layers[%zu]: expected a string",
                          r->what, i, k);
      wi_autofree char *rl = resolve_member(r, json_string_value(l));
      if (rl && strlist_find(&r->want_layer, rl) < 0)
        strlist_add(&r->want_layer, rl);
    }
  }
  return 0;
}

struct layer_sinks {
  struct wi_blob_writer *bw;
  struct wi_hasher diff;
  struct wi_gzip *gz;     /* uncompressed input: compress into bw */
  struct wi_gunzip *gunz; /* gzip input: bw takes it as is, gunzip feeds diff */
};

static int
diff_sink(const void *data, size_t len, void *payload, wi_err *err)
{
  WI_UNUSED(err);
  wi_digest_hasher_update(payload, data, len);
  return 0;
}

static int
bw_sink(const void *data, size_t len, void *payload, wi_err *err)
{
  return wi_store_blob_writer_write(payload, data, len, err);
}

static int
feed_layer(struct layer_sinks *ls, const void *data, size_t len, wi_err *err)
{
  if (ls->gunz) {
    int ret = wi_store_blob_writer_write(ls->bw, data, len, err);
    return ret < 0 ? ret : wi_gunzip_write(ls->gunz, data, len, err);
  }
  wi_digest_hasher_update(&ls->diff, data, len);
  return wi_gzip_write(ls->gz, data, len, err);
}

/* A layer's own members, as docker refuses them when it applies a layer: a path or hard link
 * leaving the root, a relative symbolic link leading above it, a device node. Absolute names and
 * link targets stay inside (they are taken from the image's root). */
static int
check_layer_member(const struct reader *r, const char *layer, struct archive_entry *ae, wi_err *err)
{
  const char *name = archive_entry_pathname(ae);
  const char *hl = archive_entry_hardlink(ae);
  const char *sl = archive_entry_symlink(ae);
  mode_t type = archive_entry_filetype(ae);
  wi_autofree char *n = norm_member(NULL, name ? name : "");

  if (n == NULL)
    return wi_err_set(err, WI_EINVAL, "%s: layer %s: member %s leaves the image's root", r->what,
                      layer, name);
  if (type == AE_IFCHR || type == AE_IFBLK)
    return wi_err_set(err, WI_EINVAL, "%s: layer %s: member %s is a %s device node", r->what, layer,
                      n, type == AE_IFCHR ? "character" : "block");
  if (hl) {
    wi_autofree char *t = norm_member(NULL, hl);
    if (t == NULL)
      return wi_err_set(err, WI_EINVAL, "%s: layer %s: hard link %s -> %s leaves the image's root",
                        r->what, layer, n, hl);
  } else if (sl && sl[0] != '/') {
    wi_autofree char *dir = wi_xstrdup(n);
    char *slash = strrchr(dir, '/');
    *(slash ? slash : dir) = '\0';
    wi_autofree char *t = norm_member(dir, sl);
    if (t == NULL)
      return wi_err_set(err, WI_EINVAL,
                        "%s: layer %s: symbolic link %s -> %s leads above the image's root",
                        r->what, layer, n, sl);
  }
  return 0;
}

/* The layer's bytes pass through here on their way to the store, while a tar reader (the inner
 * archive) checks its members. */
struct layer_tee {
  struct archive *outer;
  const struct reader *r;
  const char *name;
  struct layer_sinks *ls;
  char *buf;
  bool started, eof;
  int failed; /* a WI_E* code, err set */
  wi_err *err;
};

static la_ssize_t
tee_read(struct archive *inner, void *payload, const void **out)
{
  struct layer_tee *t = payload;
  if (t->eof)
    return 0;
  la_ssize_t n = archive_read_data(t->outer, t->buf, CHUNK);
  if (n < 0) {
    t->failed = wi_err_set(t->err, WI_EINVAL, "%s: %s: %s", t->r->what, t->name,
                           archive_error_string(t->outer));
    if (inner)
      archive_set_error(inner, EIO, "read failed");
    return -1;
  }
  if (!t->started) {
    t->started = true;
    if (wi_gzip_detect(t->buf, (size_t)n))
      t->ls->gunz = wi_gunzip_new(diff_sink, &t->ls->diff);
    else
      t->ls->gz = wi_gzip_new(WI_GZIP_LEVEL_DEFAULT, bw_sink, t->ls->bw);
  }
  if (n == 0) {
    t->eof = true;
    return 0;
  }
  int ret = feed_layer(t->ls, t->buf, (size_t)n, t->err);
  if (ret < 0) {
    if (ret == WI_EINVAL && t->ls->gunz) /* a bad gzip stream */
      wi_err_wrap(t->err, "%s: layer %s", t->r->what, t->name);
    t->failed = ret;
    if (inner)
      archive_set_error(inner, EIO, "store failed");
    return -1;
  }
  *out = t->buf;
  return n;
}

/* Read the layer through the tee: every member checked, then the rest (padding after the tar's
 * end) drained into the store too. */
static int
tee_layer(struct layer_tee *t, wi_err *err)
{
  struct archive *in = archive_read_new();
  struct archive_entry *ae;
  int ret = 0, ar = ARCHIVE_OK;
  const void *dummy;

  archive_read_support_filter_all(in);
  archive_read_support_format_tar(in);
  archive_read_support_format_empty(in);
  if (archive_read_open(in, t, NULL, tee_read, NULL) != ARCHIVE_OK) {
    ar = ARCHIVE_FATAL;
  } else {
    while ((ar = archive_read_next_header(in, &ae)) == ARCHIVE_OK || ar == ARCHIVE_WARN) {
      if ((ret = check_layer_member(t->r, t->name, ae, err)) < 0)
        break;
      if (archive_read_data_skip(in) < ARCHIVE_WARN) {
        ar = ARCHIVE_FATAL;
        break;
      }
    }
  }
  if (ret == 0 && t->failed)
    ret = t->failed;
  else if (ret == 0 && ar != ARCHIVE_EOF)
    ret = wi_err_set(err, WI_EINVAL, "%s: layer %s is not a valid tar archive: %s", t->r->what,
                     t->name, archive_error_string(in));
  archive_read_free(in);
  while (ret == 0 && !t->eof && tee_read(NULL, t, &dummy) > 0)
    ;
  return ret == 0 ? t->failed : ret;
}

/* Stream one layer member into the store as a gzip blob. */
static int
load_layer(struct archive *a, struct reader *r, const char *name, wi_err *err)
{
  struct layer_sinks ls = { 0 };
  wi_autofree char *buf = wi_xmalloc(CHUNK);
  struct layer_tee t = { .outer = a, .r = r, .name = name, .ls = &ls, .buf = buf, .err = err };
  int ret = wi_store_blob_begin(r->s, &ls.bw, err);
  struct loaded_layer out = { 0 };

  if (ret < 0)
    return ret;
  ret = wi_digest_hasher_init(&ls.diff, "sha256", err);
  if (ret == 0)
    ret = tee_layer(&t, err);
  if (ret == 0 && ls.gunz && (ret = wi_gunzip_finish(ls.gunz, err)) == WI_EINVAL)
    wi_err_wrap(err, "%s: layer %s", r->what, name);
  else if (ret == 0 && ls.gz)
    ret = wi_gzip_finish(ls.gz, err);
  if (ret == 0) {
    out.size = (int64_t)wi_store_blob_writer_size(ls.bw);
    wi_digest_hasher_final(&ls.diff, out.diff_id);
    ret = wi_store_blob_writer_commit(ls.bw, NULL, -1, out.digest, err);
  }
  wi_digest_hasher_dispose(&ls.diff);
  wi_gzip_free(ls.gz);
  wi_gunzip_free(ls.gunz);
  wi_store_blob_writer_free(ls.bw);
  if (ret < 0)
    return ret;
  out.name = wi_xstrdup(name);
  strlist_add(&r->layer_names, name);
  r->layers = wi_xreallocarray(r->layers, r->n_layers + 1, sizeof *r->layers);
  r->layers[r->n_layers++] = out;
  return 0;
}

/* Pass 2: configs into memory, layers into the store. */
static int
load_members(struct reader *r, wi_err *err)
{
  struct archive *a = open_archive(r, err);
  struct archive_entry *ae;
  int ret = 0, ar;

  if (a == NULL)
    return err ? err->code : WI_EINVAL;
  while (ret == 0 &&
         ((ar = archive_read_next_header(a, &ae)) == ARCHIVE_OK || ar == ARCHIVE_WARN)) {
    const char *name = archive_entry_pathname(ae);
    wi_autofree char *n = name ? norm_member(NULL, name) : NULL;
    if (n == NULL || archive_entry_filetype(ae) != AE_IFREG || archive_entry_hardlink(ae))
      continue;
    if (strlist_find(&r->want_cfg, n) >= 0 && strlist_find(&r->cfg_names, n) < 0) {
      char *data = NULL;
      size_t len = 0;
      ret = read_member(a, r, n, WI_MAX_CONFIG_BYTES, &data, &len, err);
      if (ret < 0)
        break;
      r->cfg_data = wi_xreallocarray(r->cfg_data, r->cfg_names.n + 1, sizeof *r->cfg_data);
      r->cfg_len = wi_xreallocarray(r->cfg_len, r->cfg_names.n + 1, sizeof *r->cfg_len);
      r->cfg_data[r->cfg_names.n] = data;
      r->cfg_len[r->cfg_names.n] = len;
      strlist_add(&r->cfg_names, n);
    } else if (strlist_find(&r->want_layer, n) >= 0 && strlist_find(&r->layer_names, n) < 0) {
      ret = load_layer(a, r, n, err);
    }
  }
  if (ret == 0 && ar != ARCHIVE_EOF)
    ret = wi_err_set(err, WI_EINVAL, "%s: not a valid tar archive: %s", r->what,
                     archive_error_string(a));
  archive_read_free(a);
  return ret;
}

static const struct loaded_layer *
find_layer(const struct reader *r, const char *name)
{
  ssize_t i = strlist_find(&r->layer_names, name);
  return i < 0 ? NULL : &r->layers[i];
}

static void
set_desc(struct wi_descriptor *d, const char *mt, const char *digest, int64_t size)
{
  memset(d, 0, sizeof *d);
  d->media_type = wi_xstrdup(mt);
  d->digest = wi_xstrdup(digest);
  d->size = size;
}

/* Build and store one image of manifest.json; out->names gets its RepoTags as store names. */
static int
make_image(struct reader *r, size_t idx, struct wi_docker_archive_loaded *out, wi_err *err)
{
  json_t *img = json_array_get(r->manifest, idx);
  json_t *layers = json_object_get(img, "Layers");
  json_t *tags = json_object_get(img, "RepoTags");
  wi_autofree char *cname = resolve_member(r, json_string_value(json_object_get(img, "Config")));
  ssize_t ci = cname ? strlist_find(&r->cfg_names, cname) : -1;
  wi_autoptr(wi_imgconfig) struct wi_imgconfig *cfg = NULL;
  wi_autoptr(wi_manifest) struct wi_manifest *m = NULL;
  size_t k;
  json_t *l;
  int ret;

  if (ci < 0)
    return wi_err_set(err, WI_EINVAL, "%s: config %s is missing from the archive", r->what,
                      json_string_value(json_object_get(img, "Config")));
  ret = wi_imgconfig_parse(&cfg, r->cfg_data[ci], r->cfg_len[ci], err);
  if (ret < 0)
    return wi_err_wrap(err, "%s: %s", r->what, cname);
  if (wi_imgconfig_n_diff_ids(cfg) != json_array_size(layers))
    return wi_err_set(err, WI_EINVAL,
                      "%s: image %zu has %zu layers but its config lists %zu diff_ids", r->what,
                      idx, json_array_size(layers), wi_imgconfig_n_diff_ids(cfg));
  m = wi_xcalloc(1, sizeof *m);
  m->kind = WI_MANIFEST_IMAGE;
  m->schema_version = 2;
  m->media_type = wi_xstrdup(WI_MT_OCI_MANIFEST);
  m->layers = wi_xcalloc(json_array_size(layers), sizeof *m->layers);
  json_array_foreach (layers, k, l) {
    wi_autofree char *ln = resolve_member(r, json_string_value(l));
    const struct loaded_layer *ll = ln ? find_layer(r, ln) : NULL;
    if (ll == NULL)
      return wi_err_set(err, WI_EINVAL, "%s: layer %s is missing from the archive", r->what,
                        json_string_value(l));
    if (strcmp(ll->diff_id, wi_imgconfig_diff_id(cfg, k)) != 0)
      return wi_err_set(err, WI_EDIGEST, "%s: layer %s has content %s, but the config says %s",
                        r->what, json_string_value(l), ll->diff_id, wi_imgconfig_diff_id(cfg, k));
    set_desc(&m->layers[m->n_layers++], WI_MT_OCI_LAYER_GZIP, ll->digest, ll->size);
  }
  char cd[WI_DIGEST_MAX];
  ret = wi_store_put_blob(r->s, r->cfg_data[ci], r->cfg_len[ci], cd, err);
  if (ret < 0)
    return ret;
  set_desc(&m->config, WI_MT_OCI_CONFIG, cd, (int64_t)r->cfg_len[ci]);
  memcpy(out->config_digest, cd, sizeof cd);
  ret = wi_store_put_manifest(r->s, m, &out->desc, err);
  if (ret < 0)
    return ret;
  json_array_foreach (tags, k, l) {
    struct wi_ref ref = { 0 };
    if (wi_ref_parse(&ref, json_string_value(l), err) < 0) /* checked in plan_archive */
      return wi_err_wrap(err, "%s: manifest.json: [%zu].RepoTags[%zu]", r->what, idx, k);
    char *name = wi_ref_name(&ref);
    wi_ref_dispose(&ref);
    out->names = wi_xreallocarray(out->names, out->n_names + 1, sizeof *out->names);
    out->names[out->n_names++] = name;
  }
  return 0;
}

/* Name the images only once every one of them is stored: a bad archive names nothing. */
static int
tag_images(struct wi_store *s, const struct wi_docker_archive_loaded *l, size_t n, wi_err *err)
{
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < l[i].n_names; k++) {
      int ret = wi_store_tag(s, l[i].names[k], &l[i].desc, err);
      if (ret < 0)
        return ret;
    }
  return 0;
}

static void
reader_dispose(struct reader *r)
{
  for (size_t i = 0; i < r->n_links; i++) {
    free(r->links[i].name);
    free(r->links[i].target);
  }
  free(r->links);
  strlist_dispose(&r->link_names);
  strlist_dispose(&r->layer_names);
  if (r->manifest)
    json_decref(r->manifest);
  strlist_dispose(&r->want_cfg);
  strlist_dispose(&r->want_layer);
  for (size_t i = 0; i < r->cfg_names.n; i++)
    free(r->cfg_data[i]);
  free(r->cfg_data);
  free(r->cfg_len);
  strlist_dispose(&r->cfg_names);
  for (size_t i = 0; i < r->n_layers; i++)
    free(r->layers[i].name);
  free(r->layers);
}

/* A pipe cannot be read twice: copy it into an unnamed temporary file. */
static int
spool(struct wi_store *s, int fd, const char *what, wi_err *err)
{
  int tfd = open_tmpfile(s, err);
  if (tfd < 0)
    return tfd;
  int ret = wi_fs_read_each(fd, NULL, fd_sink, &tfd, err);
  if (ret < 0) {
    close(tfd);
    return wi_err_wrap(err, "spool %s", what);
  }
  return tfd;
}

int
wi_docker_archive_read(struct wi_store *s, int fd, const char *what, bool tag,
                       struct wi_docker_archive_loaded **out, size_t *n_out, wi_err *err)
{
  struct reader r = { .s = s, .what = what, .fd = fd, .err = err };
  wi_autoclose int sfd = -1;
  struct stat st;
  struct wi_docker_archive_loaded *loaded = NULL;
  size_t n = 0;
  int ret;

  if (fstat(fd, &st) < 0)
    return wi_err_sys(err, WI_EIO, "%s", what);
  if (!S_ISREG(st.st_mode) || lseek(fd, 0, SEEK_CUR) < 0) {
    sfd = spool(s, fd, what, err);
    if (sfd < 0)
      return sfd;
    r.fd = sfd;
  }
  ret = scan_archive(&r, err);
  if (ret == 0)
    ret = plan_archive(&r, err);
  if (ret == 0)
    ret = load_members(&r, err);
  if (ret == 0) {
    n = json_array_size(r.manifest);
    loaded = wi_xcalloc(n, sizeof *loaded);
    for (size_t i = 0; i < n && ret == 0; i++)
      ret = make_image(&r, i, &loaded[i], err);
  }
  if (ret == 0 && tag)
    ret = tag_images(s, loaded, n, err);
  reader_dispose(&r);
  if (ret < 0) {
    wi_docker_archive_loaded_free(loaded, n);
    return ret;
  }
  *out = loaded;
  *n_out = n;
  return 0;
}

void
wi_docker_archive_loaded_free(struct wi_docker_archive_loaded *l, size_t n)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < n; i++) {
    wi_manifest_descriptor_dispose(&l[i].desc);
    for (size_t k = 0; k < l[i].n_names; k++)
      free(l[i].names[k]);
    free(l[i].names);
  }
  free(l);
}
