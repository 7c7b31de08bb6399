/* Unit tests for image.c: finding files in an image's layers (links, whiteouts, bad entries). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "harness.h"
#include "imgfix.h"
#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/image.h"
#include "lib/manifest.h"
#include "lib/store.h"

/* One raw ustar header (libarchive's writer will not produce a symlink without a target). */
static void
ustar_header(char *h, const char *name, char type, const char *link, size_t size)
{
  unsigned sum = 0;
  memset(h, 0, 512);
  snprintf(h, 100, "%s", name);
  memcpy(h + 100, "0000777", 8);
  memcpy(h + 108, "0000000", 8);
  memcpy(h + 116, "0000000", 8);
  snprintf(h + 124, 12, "%011o", (unsigned)size);
  memcpy(h + 136, "00000000000", 12);
  h[156] = type;
  snprintf(h + 157, 100, "%s", link);
  memcpy(h + 257, "ustar", 6);
  memcpy(h + 263, "00", 2);
  memset(h + 148, ' ', 8);
  for (size_t i = 0; i < 512; i++)
    sum += (unsigned char)h[i];
  snprintf(h + 148, 8, "%06o", sum);
}

/* A layer of symbolic links (name, target; target "" written as an empty link field). */
static void
put_link_layer(struct wi_store *s, const char *const *links, size_t n, struct wi_descriptor *d)
{
  size_t len = (n + 2) * 512;
  char *buf = wi_xcalloc(1, len);
  char digest[WI_DIGEST_MAX];
  wi_err err = { 0 };
  for (size_t i = 0; i < n; i++)
    ustar_header(buf + i * 512, links[2 * i], '2', links[2 * i + 1], 0);
  if (wi_store_put_blob(s, buf, len, digest, &err) < 0)
    abort();
  free(buf);
  memset(d, 0, sizeof *d);
  d->media_type = wi_xstrdup(WI_MT_OCI_LAYER);
  d->digest = wi_xstrdup(digest);
  d->size = (int64_t)len;
}

TEST(links_and_files)
{
  wi_err err = { 0 };
  wi_autofree char *root = wi_xasprintf("%s/links", tmp_root);
  wi_autoptr(wi_store) struct wi_store *s = NULL;
  CHECK_INT_EQ(wi_store_open(&s, root, true, &err), 0);
  const struct ent l0[] = { { "usr/lib/os-release", AE_IFREG, "ID=ol\n" } };
  const char *const l1[] = { "etc/empty-link", "", "etc/os-release", "../usr/lib/os-release" };
  struct wi_descriptor layers[2];
  put_layer(s, l0, 1, &layers[0]);
  put_link_layer(s, l1, 2, &layers[1]);
  struct wi_manifest m = { .kind = WI_MANIFEST_IMAGE, .layers = layers, .n_layers = 2 };
  struct wi_image_file f[] = { { .path = "/etc/os-release" },
                               { .path = "/etc/empty-link" },
                               { .path = "/etc/missing" } };
  /* A symbolic link without a target used to crash the search (NULL target dereferenced). */
  CHECK_INT_EQ(wi_image_read_files(s, &m, f, 3, 4096, &err), 0);
  CHECK(f[0].found);
  CHECK_STR_EQ(f[0].data, "ID=ol\n");
  CHECK(!f[1].found);
  CHECK(!f[2].found);
  wi_image_files_dispose(f, 3);
  wi_manifest_descriptor_dispose(&layers[0]);
  wi_manifest_descriptor_dispose(&layers[1]);
}

int
main(void)
{
  wi_err err = { 0 };
  tmp_root = wi_fs_mkdtemp("wlsimg-inspect-test", &err);
  if (tmp_root == NULL) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  RUN(links_and_files);
  wi_fs_rm_rf(tmp_root, &err);
  free(tmp_root);
  DONE();
}
