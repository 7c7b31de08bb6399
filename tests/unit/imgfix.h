/* Test helper for unit tests that need images: tar layers written entry by entry into a store,
 * and a wi_image over them (probe_test.c, rebase_test.c). */
#ifndef WI_IMGFIX_H
#define WI_IMGFIX_H

#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/alloc.h"
#include "lib/image.h"
#include "lib/imgconfig.h"
#include "lib/manifest.h"
#include "lib/mediatype.h"
#include "lib/store.h"

static char *tmp_root __attribute__((unused));

struct ent {
  const char *path;
  int type;         /* AE_IFREG, AE_IFDIR, AE_IFLNK */
  const char *data; /* file content or link target */
  unsigned mode;    /* 0: 0644 for files, 0755 for directories */
  unsigned uid, gid;
  size_t len;       /* content length when data holds NUL bytes (0: strlen) */
  const char *hard; /* hard link to this earlier path of the layer */
};

/* An uncompressed tar layer of the entries, stored in s. */
static inline void
put_layer(struct wi_store *s, const struct ent *e, size_t n, struct wi_descriptor *d)
{
  size_t cap = 1 << 20, used = 0;
  char *buf = wi_xmalloc(cap);
  char digest[WI_DIGEST_MAX];
  wi_err err = { 0 };
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open_memory(a, buf, cap, &used) != ARCHIVE_OK)
    abort();
  for (size_t i = 0; i < n; i++) {
    struct archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname(ae, e[i].path);
    archive_entry_set_filetype(ae, (unsigned)e[i].type);
    archive_entry_set_perm(ae, e[i].mode ? e[i].mode : e[i].type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_uid(ae, e[i].uid);
    archive_entry_set_gid(ae, e[i].gid);
    if (e[i].type == AE_IFLNK)
      archive_entry_set_symlink(ae, e[i].data);
    if (e[i].hard)
      archive_entry_set_hardlink(ae, e[i].hard);
    size_t len = e[i].type == AE_IFREG && e[i].data ? (e[i].len ? e[i].len : strlen(e[i].data)) : 0;
    archive_entry_set_size(ae, (la_int64_t)len);
    archive_write_header(a, ae);
    if (len)
      archive_write_data(a, e[i].data, len);
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  if (wi_store_put_blob(s, buf, used, digest, &err) < 0)
    abort();
  free(buf);
  memset(d, 0, sizeof *d);
  d->media_type = wi_xstrdup(WI_MT_OCI_LAYER);
  d->digest = wi_xstrdup(digest);
  d->size = (int64_t)used;
}

/* A store with the layers and an image of them with the environment "K=V" strings. */
struct fixture {
  struct wi_store *s;
  struct wi_descriptor layers[4];
  size_t n;
  struct wi_manifest m;
  struct wi_image img;
  bool shared;
};

/* The image's store is shared when s is given (fixture_dispose leaves it open), else made here. */
static inline void
fixture_init_in(struct fixture *fx, struct wi_store *s, const char *name, const char *const *envs)
{
  wi_err err = { 0 };
  wi_autofree char *root = wi_xasprintf("%s/%s", tmp_root, name);
  memset(fx, 0, sizeof *fx);
  fx->shared = s != NULL;
  fx->s = s;
  if (s == NULL && wi_store_open(&fx->s, root, true, &err) < 0)
    abort();
  struct wi_platform p = { .os = "linux", .arch = "amd64" };
  fx->img.config = wi_imgconfig_new(&p, 0);
  for (size_t i = 0; envs && envs[i]; i++) {
    const char *eq = strchr(envs[i], '=');
    wi_autofree char *k = wi_xstrndup(envs[i], (size_t)(eq - envs[i]));
    wi_imgconfig_set_env(fx->img.config, k, eq + 1);
  }
}

static inline void
fixture_layer(struct fixture *fx, const struct ent *e, size_t n)
{
  put_layer(fx->s, e, n, &fx->layers[fx->n++]);
  fx->m.kind = WI_MANIFEST_IMAGE;
  fx->m.layers = fx->layers;
  fx->m.n_layers = fx->n;
  fx->img.manifest = &fx->m;
}

static inline void
fixture_dispose(struct fixture *fx)
{
  for (size_t i = 0; i < fx->n; i++)
    wi_manifest_descriptor_dispose(&fx->layers[i]);
  wi_imgconfig_free(fx->img.config);
  if (!fx->shared)
    wi_store_free(fx->s);
}

static inline void
fixture_init(struct fixture *fx, const char *name, const char *const *envs)
{
  fixture_init_in(fx, NULL, name, envs);
}

#endif
