/* Fuzz target: image.c's merged-view walk (wi_image_walk), file reader (wi_image_read_files) and
 * directory lister (wi_image_list_dirs) over layer tars, with and without the per-layer listings
 * they cache. The first byte's low bit selects one layer (the rest) or two (the rest split at the
 * second byte's proportion). Each input is walked, read and listed twice: the first pass writes
 * the listings, the second may skip layers by them, and both must report the same entries, files
 * and directories (a listing must never change what is seen). A failure must come with an error
 * code and message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/image.h"
#include "lib/manifest.h"
#include "lib/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *scratch;

static void
cleanup(void)
{
  wi_fs_rm_rf(scratch, NULL);
  free(scratch);
}

static int
record(struct wi_image_walk *w, const struct wi_image_entry *e, void *payload, wi_err *err)
{
  struct wi_buf *b = payload;
  char buf[4096];
  int64_t total = 0;
  if (e->type == WI_LAYER_FILE) {
    for (;;) {
      ssize_t n = wi_image_walk_read(w, buf, sizeof buf, err);
      if (n < 0)
        return (int)n;
      if (n == 0)
        break;
      total += n;
    }
  }
  wi_buf_addf(b, NULL, "%s %d %o %u %u %lld %s %zu\n", e->path, (int)e->type, e->mode, e->uid,
              e->gid, (long long)total, e->link ? e->link : "", e->layer);
  return 0;
}

/* wi_image_walk of prefix, as text into b. */
static void
walk_text(struct wi_store *s, const struct wi_manifest *m, const char *prefix, struct wi_buf *b)
{
  wi_err err = { 0 };
  int r = wi_image_walk(s, m, prefix, record, b, &err);
  if (r < 0 && (err.code == 0 || err.msg[0] == '\0'))
    abort();
  wi_buf_addf(b, NULL, "walk %d\n", r);
}

/* wi_image_read_files of some paths, as text into b. */
static void
files_text(struct wi_store *s, const struct wi_manifest *m, struct wi_buf *b)
{
  struct wi_image_file f[] = { { .path = "etc/passwd" },
                               { .path = "u01/domains/d/config/config.xml" },
                               { .path = "a" },
                               { .path = "u01/domains/d" } };
  wi_err err = { 0 };
  int r = wi_image_read_files(s, m, f, WI_ARRAY_SIZE(f), 1 << 20, &err);
  if (r < 0 && (err.code == 0 || err.msg[0] == '\0'))
    abort();
  for (size_t i = 0; r == 0 && i < WI_ARRAY_SIZE(f); i++)
    wi_buf_addf(b, NULL, "%s %d %d %o %u %u %zu %08x\n", f[i].path, f[i].found, f[i].is_dir,
                f[i].mode, f[i].uid, f[i].gid, f[i].data ? f[i].len : 0,
                f[i].data ? (unsigned)crc32(0, (const unsigned char *)f[i].data, (unsigned)f[i].len)
                          : 0u);
  wi_image_files_dispose(f, WI_ARRAY_SIZE(f));
}

/* wi_image_list_dirs of some directories, as text into b. */
static void
dirs_text(struct wi_store *s, const struct wi_manifest *m, struct wi_buf *b)
{
  struct wi_image_dir d[] = { { .path = "u01/domains/d" }, { .path = "etc" }, { .path = "u01" } };
  wi_err err = { 0 };
  int r = wi_image_list_dirs(s, m, d, WI_ARRAY_SIZE(d), &err);
  if (r < 0 && (err.code == 0 || err.msg[0] == '\0'))
    abort();
  for (size_t i = 0; r == 0 && i < WI_ARRAY_SIZE(d); i++) {
    wi_buf_addf(b, NULL, "dir %s %d:", d[i].path, d[i].found);
    for (size_t k = 0; k < d[i].n; k++)
      wi_buf_addf(b, NULL, " %s", d[i].names[k]);
    wi_buf_add(b, "\n", 1, NULL);
  }
  wi_image_dirs_dispose(d, WI_ARRAY_SIZE(d));
}

/* Walk prefix, read some files, list some directories; the outcome as text. With files_first the
 * files are read before anything has made the layers' listings (the walk makes them). */
static char *
pass(struct wi_store *s, const struct wi_manifest *m, const char *prefix, bool files_first)
{
  struct wi_buf w = WI_BUF_INIT(64u << 20), f = WI_BUF_INIT(1u << 20), d = WI_BUF_INIT(1u << 20);
  if (files_first)
    files_text(s, m, &f);
  walk_text(s, m, prefix, &w);
  if (!files_first)
    files_text(s, m, &f);
  dirs_text(s, m, &d);
  wi_buf_add(&w, f.data ? f.data : "", f.len, NULL);
  wi_buf_add(&w, d.data ? d.data : "", d.len, NULL);
  wi_buf_dispose(&f);
  wi_buf_dispose(&d);
  return wi_buf_steal(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  wi_err err = { 0 };
  struct wi_store *s = NULL;
  if (scratch == NULL) {
    scratch = wi_fs_mkdtemp("wlsimg-fuzz-walk", &err);
    if (scratch == NULL)
      abort();
    atexit(cleanup);
  }
  if (size < 2)
    return 0;
  wi_autofree char *root = wi_xasprintf("%s/store", scratch);
  wi_fs_rm_rf(root, NULL);
  if (wi_store_open(&s, root, true, &err) < 0)
    abort();
  size_t cut = data[0] & 1 ? (size - 2) * data[1] / 256 : size - 2;
  const uint8_t *parts[2] = { data + 2, data + 2 + cut };
  size_t lens[2] = { cut, size - 2 - cut };
  size_t n = data[0] & 1 ? 2 : 1;
  char digests[2][WI_DIGEST_MAX];
  struct wi_descriptor layers[2] = { { 0 } };
  for (size_t i = 0; i < n; i++) {
    if (wi_store_put_blob(s, parts[i], lens[i], digests[i], &err) < 0)
      abort();
    layers[i].digest = digests[i];
  }
  struct wi_manifest m = { .kind = WI_MANIFEST_IMAGE, .layers = layers, .n_layers = n };
  const char *prefix = data[0] & 2 ? "" : "u01/domains/d";
  /* the file reader without listings, then (listings removed) the walk without them, then all
   * with the listings left behind: the answers must not change */
  wi_autofree char *first = pass(s, &m, prefix, true);
  wi_autofree char *lists = wi_xasprintf("%s/cache/layers", root);
  wi_fs_rm_rf(lists, NULL);
  wi_autofree char *second = pass(s, &m, prefix, false);
  wi_autofree char *third = pass(s, &m, prefix, false);
  if (strcmp(first, second) != 0 || strcmp(second, third) != 0) {
    fprintf(stderr, "listing changed the result:\n%s---\n%s---\n%s", first, second, third);
    abort();
  }
  wi_store_free(s);
  return 0;
}
