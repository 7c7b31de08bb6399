/* Unit tests for store.c: blobs, digests, names, gc, concurrent writers. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/digest.h"
#include "lib/fs.h"
#include "lib/manifest.h"
#include "lib/store.h"
#include "lib/store_gc.h"

static char *tmp_root;

static struct wi_store *
fresh_store(const char *sub)
{
  wi_err err = { 0 };
  struct wi_store *s = NULL;
  wi_autofree char *root = wi_xasprintf("%s/%s", tmp_root, sub);
  if (wi_store_open(&s, root, true, &err) < 0) {
    fprintf(stderr, "open store: %s\n", err.msg);
    abort();
  }
  return s;
}

/* Store a config, a layer and a manifest for them; desc gets the manifest descriptor. */
static void
make_image(struct wi_store *s, const char *seed, struct wi_descriptor *desc,
           char cfg_out[WI_DIGEST_MAX])
{
  char cfgd[WI_DIGEST_MAX], layd[WI_DIGEST_MAX], md[WI_DIGEST_MAX];
  wi_err err = { 0 };
  wi_autofree char *cfg =
      wi_xasprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":"
                   "\"2024-01-02T03:04:05Z\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                   "\"seed\":\"%s\"}",
                   seed);
  wi_autofree char *layer = wi_xasprintf("layer-%s", seed);
  CHECK_INT_EQ(wi_store_put_blob(s, cfg, strlen(cfg), cfgd, &err), 0);
  CHECK_INT_EQ(wi_store_put_blob(s, layer, strlen(layer), layd, &err), 0);
  wi_autofree char *man = wi_xasprintf(
      "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu},"
      "\"layers\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
      WI_MT_OCI_MANIFEST, WI_MT_OCI_CONFIG, cfgd, strlen(cfg), WI_MT_OCI_LAYER_GZIP, layd,
      strlen(layer));
  CHECK_INT_EQ(wi_store_put_blob(s, man, strlen(man), md, &err), 0);
  memset(desc, 0, sizeof *desc);
  desc->media_type = wi_xstrdup(WI_MT_OCI_MANIFEST);
  desc->digest = wi_xstrdup(md);
  desc->size = (int64_t)strlen(man);
  if (cfg_out)
    memcpy(cfg_out, cfgd, sizeof cfgd);
}

TEST(test_open_layout)
{
  wi_err err = { 0 };
  struct wi_store *s = NULL;
  wi_autofree char *missing = wi_xasprintf("%s/missing", tmp_root);
  CHECK_INT_EQ(wi_store_open(&s, missing, false, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "does not exist");
  wi_autofree char *plain = wi_xasprintf("%s/plain", tmp_root);
  mkdir(plain, 0755);
  CHECK_INT_EQ(wi_store_open(&s, plain, false, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "not an OCI image layout");
  s = fresh_store("layout");
  wi_autofree char *layout = wi_xasprintf("%s/oci-layout", wi_store_root(s));
  wi_autofree char *text = NULL;
  CHECK_INT_EQ(wi_fs_read_file(layout, 1024, &text, NULL, &err), 0);
  CHECK_STR_EQ(text, "{\"imageLayoutVersion\":\"1.0.0\"}");
  wi_store_free(s);
  setenv("WLSIMG_STORE", "/some/where", 1);
  wi_autofree char *def = wi_store_default_root();
  CHECK_STR_EQ(def, "/some/where");
  unsetenv("WLSIMG_STORE");
}

TEST(test_blobs_and_tamper)
{
  wi_err err = { 0 };
  char d[WI_DIGEST_MAX];
  struct wi_store *s = fresh_store("blobs");
  CHECK_INT_EQ(wi_store_put_blob(s, "hello", 5, d, &err), 0);
  CHECK_STR_EQ(d, "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  CHECK_INT_EQ(wi_store_put_blob(s, "hello", 5, NULL, &err), 0); /* idempotent */
  CHECK(wi_store_has_blob(s, d));
  char *data = NULL;
  size_t len = 0;
  CHECK_INT_EQ(wi_store_read_blob(s, d, 100, &data, &len, &err), 0);
  CHECK_INT_EQ(len, 5);
  free(data);
  CHECK_INT_EQ(wi_store_read_blob(s, d, 3, &data, &len, &err), WI_ETOOBIG);

  /* Tamper with the file: reading must notice. */
  wi_autofree char *p = wi_store_blob_path(s, d);
  int fd = open(p, O_WRONLY | O_TRUNC);
  CHECK(write(fd, "hellO", 5) == 5);
  close(fd);
  CHECK_INT_EQ(wi_store_read_blob(s, d, 100, &data, &len, &err), WI_EDIGEST);
  CHECK_STR_HAS(err.msg, "is corrupt");

  const char *absent = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
  CHECK_INT_EQ(wi_store_read_blob(s, absent, 100, &data, &len, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "not found");
  CHECK_INT_EQ(wi_store_read_blob(s, "sha256:../../etc/passwd", 100, &data, &len, &err), WI_EINVAL);
  CHECK(wi_store_blob_path(s, "md5:abc") == NULL);

  /* Streaming writer: a wrong expected digest stores nothing. */
  struct wi_blob_writer *w = NULL;
  CHECK_INT_EQ(wi_store_blob_begin(s, &w, &err), 0);
  CHECK_INT_EQ(wi_store_blob_writer_write(w, "abc", 3, &err), 0);
  CHECK_INT_EQ(wi_store_blob_writer_size(w), 3);
  CHECK_INT_EQ(wi_store_blob_writer_commit(w, absent, -1, NULL, &err), WI_EDIGEST);
  CHECK_STR_HAS(err.msg, "digest mismatch");
  wi_store_blob_writer_free(w);
  wi_digest_bytes("abc", 3, d);
  CHECK(!wi_store_has_blob(s, d));
  CHECK_INT_EQ(wi_store_blob_begin(s, &w, &err), 0);
  CHECK_INT_EQ(wi_store_blob_writer_write(w, "abc", 3, &err), 0);
  CHECK_INT_EQ(wi_store_blob_writer_commit(w, d, 4, NULL, &err), WI_EDIGEST);
  CHECK_STR_HAS(err.msg, "size mismatch");
  wi_store_blob_writer_free(w);
  CHECK_INT_EQ(wi_store_blob_begin(s, &w, &err), 0);
  CHECK_INT_EQ(wi_store_blob_writer_write(w, "abc", 3, &err), 0);
  CHECK_INT_EQ(wi_store_blob_writer_commit(w, d, 3, NULL, &err), 0);
  wi_store_blob_writer_free(w);
  CHECK(wi_store_has_blob(s, d));
  /* The same blob again: the stored file is kept (same inode), its mtime refreshed, the copy
   * removed. */
  wi_autofree char *abc = wi_store_blob_path(s, d);
  struct stat st1, st2;
  CHECK(stat(abc, &st1) == 0);
  struct timespec old_times[2] = { { .tv_sec = 1000 }, { .tv_sec = 1000 } };
  CHECK(utimensat(AT_FDCWD, abc, old_times, 0) == 0);
  CHECK_INT_EQ(wi_store_blob_begin(s, &w, &err), 0);
  CHECK_INT_EQ(wi_store_blob_writer_write(w, "abc", 3, &err), 0);
  char d2[WI_DIGEST_MAX] = "";
  CHECK_INT_EQ(wi_store_blob_writer_commit(w, NULL, -1, d2, &err), 0);
  wi_store_blob_writer_free(w);
  CHECK_STR_EQ(d2, d);
  CHECK(stat(abc, &st2) == 0);
  CHECK(st1.st_ino == st2.st_ino);
  CHECK(st2.st_mtime > 1000);
  wi_autofree char *tmpdir = wi_xasprintf("%s/tmp", wi_store_root(s));
  CHECK(rmdir(tmpdir) == 0); /* no temporary file left behind */

  struct wi_store *s2 = fresh_store("blobs2");
  CHECK_INT_EQ(wi_store_copy_blob_from(s2, s, d, &err), 0);
  CHECK(wi_store_has_blob(s2, d));
  wi_store_free(s2);
  wi_store_free(s);
}

TEST(test_names)
{
  wi_err err = { 0 };
  struct wi_descriptor a, b, got;
  char cfg_a[WI_DIGEST_MAX];
  struct wi_store *s = fresh_store("names");
  make_image(s, "a", &a, cfg_a);
  make_image(s, "b", &b, NULL);
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/zz:1", &a, &err), 0);
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/aa:1", &a, &err), 0);
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/zz:1", &b, &err), 0); /* moves the name */

  struct wi_store_entry *e = NULL;
  size_t n = 0;
  CHECK_INT_EQ(wi_store_list(s, &e, &n, &err), 0);
  CHECK_INT_EQ(n, 2);
  if (n == 2) {
    CHECK_STR_EQ(e[0].name, "docker.io/library/aa:1");
    CHECK_STR_EQ(e[1].name, "docker.io/library/zz:1");
    CHECK_STR_EQ(e[1].desc.digest, b.digest);
  }
  wi_store_entries_free(e, n);

  CHECK_INT_EQ(wi_store_resolve(s, "docker.io/library/aa:1", &got, &err), 0);
  CHECK_STR_EQ(got.digest, a.digest);
  wi_manifest_descriptor_dispose(&got);
  /* By full digest, by manifest prefix, by image id (config digest) prefix. */
  CHECK_INT_EQ(wi_store_resolve(s, a.digest, &got, &err), 0);
  CHECK_STR_EQ(got.digest, a.digest);
  wi_manifest_descriptor_dispose(&got);
  char prefix[13];
  snprintf(prefix, sizeof prefix, "%s", wi_digest_hex(a.digest));
  CHECK_INT_EQ(wi_store_resolve(s, prefix, &got, &err), 0);
  CHECK_STR_EQ(got.digest, a.digest);
  wi_manifest_descriptor_dispose(&got);
  snprintf(prefix, sizeof prefix, "%s", wi_digest_hex(cfg_a));
  CHECK_INT_EQ(wi_store_lookup(s, prefix, &got, NULL, &err), 0);
  CHECK_STR_EQ(got.digest, a.digest);
  wi_manifest_descriptor_dispose(&got);
  /* Lookup normalises what a user types. */
  char *name = NULL;
  CHECK_INT_EQ(wi_store_lookup(s, "aa:1", &got, &name, &err), 0);
  CHECK_STR_EQ(name, "docker.io/library/aa:1");
  free(name);
  wi_manifest_descriptor_dispose(&got);
  CHECK_INT_EQ(wi_store_lookup(s, "nothere", &got, NULL, &err), WI_ENOTFOUND);
  CHECK_STR_EQ(err.msg, "No such image: nothere");
  CHECK_INT_EQ(wi_store_lookup(s, "Bad/Upper", &got, NULL, &err), WI_EINVAL);
  CHECK_INT_EQ(wi_store_resolve(s, "sha256:abc", &got, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "too short");
  CHECK_INT_EQ(wi_store_resolve(s, "sha256:xyz", &got, &err), WI_ENOTFOUND);

  struct wi_image_info info;
  CHECK_INT_EQ(wi_store_image_info(s, &a, &info, &err), 0);
  CHECK_STR_EQ(info.config_digest, cfg_a);
  CHECK_INT_EQ(info.created, 1704164645);

  CHECK_INT_EQ(wi_store_untag(s, "docker.io/library/aa:1", &err), 0);
  CHECK_INT_EQ(wi_store_untag(s, "docker.io/library/aa:1", &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "No such image");
  CHECK_INT_EQ(wi_store_resolve(s, "docker.io/library/aa:1", &got, &err), WI_ENOTFOUND);

  /* Tagging needs the manifest blob. */
  char ghost_mt[] = WI_MT_OCI_MANIFEST;
  char ghost_digest[] = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
  struct wi_descriptor ghost = { .media_type = ghost_mt, .digest = ghost_digest, .size = 3 };
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/ghost:1", &ghost, &err), WI_ENOTFOUND);
  wi_manifest_descriptor_dispose(&a);
  wi_manifest_descriptor_dispose(&b);
  wi_store_free(s);
}

TEST(test_gc)
{
  wi_err err = { 0 };
  struct wi_descriptor a, b;
  char cfg_a[WI_DIGEST_MAX], cfg_b[WI_DIGEST_MAX], stray[WI_DIGEST_MAX];
  uint64_t freed = 0;
  struct wi_store *s = fresh_store("gc");
  make_image(s, "a", &a, cfg_a);
  make_image(s, "b", &b, cfg_b);
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/a:1", &a, &err), 0);
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/b:1", &b, &err), 0);
  CHECK_INT_EQ(wi_store_put_blob(s, "stray", 5, stray, &err), 0);
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/b:2", &b, &err), 0);
  CHECK_INT_EQ(wi_store_untag(s, "docker.io/library/b:1", &err), 0);
  CHECK_INT_EQ(wi_store_gc(s, &freed, &err), 0);
  CHECK_INT_EQ(freed, 5); /* only the stray blob: b is still named b:2 */
  CHECK(!wi_store_has_blob(s, stray));
  CHECK(wi_store_has_blob(s, cfg_b));
  CHECK_INT_EQ(wi_store_untag(s, "docker.io/library/b:2", &err), 0);
  CHECK_INT_EQ(wi_store_gc(s, &freed, &err), 0);
  CHECK(freed > 0);
  CHECK(!wi_store_has_blob(s, b.digest));
  CHECK(!wi_store_has_blob(s, cfg_b));
  CHECK(wi_store_has_blob(s, a.digest));
  CHECK(wi_store_has_blob(s, cfg_a));

  /* A named manifest that cannot be read as JSON stops gc before anything is deleted. */
  CHECK_INT_EQ(wi_store_put_blob(s, "stray", 5, stray, &err), 0);
  wi_autofree char *mp = wi_store_blob_path(s, a.digest);
  FILE *f = fopen(mp, "w");
  fputs("garbage", f);
  fclose(f);
  CHECK_INT_EQ(wi_store_gc(s, &freed, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "nothing was deleted");
  CHECK_STR_HAS(err.msg, mp); /* names the file */
  CHECK(wi_store_has_blob(s, stray));
  CHECK(wi_store_has_blob(s, cfg_a));
  /* One that cannot even be stat'ed (a symlink loop) stops it too, rather than counting as absent
   * and letting the blobs it names go. */
  CHECK_INT_EQ(unlink(mp), 0);
  CHECK_INT_EQ(symlink(mp, mp), 0);
  CHECK_INT_EQ(wi_store_gc(s, &freed, &err), WI_EIO);
  CHECK_STR_HAS(err.msg, mp);
  CHECK(wi_store_has_blob(s, stray));
  CHECK(wi_store_has_blob(s, cfg_a));
  wi_manifest_descriptor_dispose(&a);
  wi_manifest_descriptor_dispose(&b);
  wi_store_free(s);
}

TEST(test_gc_spares_in_flight_blobs)
{
  wi_err err = { 0 };
  char d[WI_DIGEST_MAX];
  uint64_t freed = 0;
  struct wi_store *s = fresh_store("gcflight");
  struct wi_store *writer = fresh_store("gcflight");
  /* `writer` stored a blob and has not tagged yet (a pull in progress): gc must keep it. */
  CHECK_INT_EQ(wi_store_put_blob(writer, "in flight", 9, d, &err), 0);
  CHECK_INT_EQ(wi_store_gc(s, &freed, &err), 0);
  CHECK(wi_store_has_blob(s, d));
  wi_store_free(writer); /* gave up without naming anything */
  CHECK_INT_EQ(wi_store_gc(s, &freed, &err), 0);
  CHECK(!wi_store_has_blob(s, d));
  wi_store_free(s);
}

#define WRITERS 4
#define TAGS    12

TEST(test_concurrent_writers)
{
  wi_err err = { 0 };
  struct wi_store *s = fresh_store("conc");
  pid_t pids[WRITERS];
  for (int k = 0; k < WRITERS; k++) {
    pids[k] = fork();
    if (pids[k] == 0) {
      struct wi_descriptor d;
      wi_err e = { 0 };
      struct wi_store *cs = fresh_store("conc");
      wi_autofree char *seed = wi_xasprintf("w%d", k);
      make_image(cs, seed, &d, NULL);
      for (int t = 0; t < TAGS; t++) {
        wi_autofree char *name = wi_xasprintf("docker.io/library/w%d:t%d", k, t);
        if (wi_store_tag(cs, name, &d, &e) < 0)
          _exit(1);
      }
      wi_manifest_descriptor_dispose(&d);
      wi_store_free(cs);
      _exit(h_cur_failed ? 1 : 0);
    }
  }
  for (int k = 0; k < WRITERS; k++) {
    int st = 0;
    waitpid(pids[k], &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  struct wi_store_entry *e = NULL;
  size_t n = 0;
  CHECK_INT_EQ(wi_store_list(s, &e, &n, &err), 0);
  CHECK_INT_EQ(n, WRITERS * TAGS);
  wi_store_entries_free(e, n);
  wi_store_free(s);
}

static size_t
count_entries(struct wi_store *s, size_t *untagged)
{
  struct wi_store_entry *e = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_store_list(s, &e, &n, &err), 0);
  *untagged = 0;
  for (size_t i = 0; i < n; i++)
    *untagged += e[i].name == NULL;
  wi_store_entries_free(e, n);
  return n;
}

TEST(test_untagged_and_prune)
{
  wi_err err = { 0 };
  struct wi_descriptor a, b, got = { 0 };
  char cfg_a[WI_DIGEST_MAX];
  size_t untagged = 0;
  struct wi_store_gc_prune_result r;
  struct wi_store_gc_usage u;
  struct wi_store *s = fresh_store("untagged");
  make_image(s, "a", &a, cfg_a);
  make_image(s, "b", &b, NULL);
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/x:1", &a, &err), 0);
  /* the name moves: a stays, untagged (docker's <none>) */
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/x:1", &b, &err), 0);
  CHECK_INT_EQ(count_entries(s, &untagged), 2);
  CHECK_INT_EQ(untagged, 1);
  CHECK_INT_EQ(wi_store_gc_usage(s, &u, &err), 0);
  CHECK_INT_EQ(u.images, 2);
  CHECK_INT_EQ(u.images_tagged, 1);
  CHECK(u.untagged_bytes > 0 && u.untagged_bytes < u.image_bytes);
  /* naming it again makes it a tagged image, not a second entry */
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/y:1", &a, &err), 0);
  CHECK_INT_EQ(count_entries(s, &untagged), 2);
  CHECK_INT_EQ(untagged, 0);
  /* moving a name away from an image that has another name leaves nothing untagged */
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/y:2", &a, &err), 0);
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/y:2", &b, &err), 0);
  CHECK_INT_EQ(count_entries(s, &untagged), 3);
  CHECK_INT_EQ(untagged, 0);
  /* repo@digest finds the image by its digest */
  wi_autofree char *by_digest = wi_xasprintf("y@%s", a.digest);
  CHECK_INT_EQ(wi_store_lookup(s, by_digest, &got, NULL, &err), 0);
  CHECK_STR_EQ(got.digest, a.digest);
  wi_manifest_descriptor_dispose(&got);
  CHECK_INT_EQ(wi_store_lookup(
                   s, "y@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                   &got, NULL, &err),
               WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "No such image: y@sha256:0000");
  /* y:1 leaves a as well: untagged; then it is pruned with its blobs */
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/y:1", &b, &err), 0);
  CHECK_INT_EQ(count_entries(s, &untagged), 4);
  CHECK_INT_EQ(untagged, 1);
  CHECK_INT_EQ(wi_store_gc_prune(s, false, &r, &err), 0);
  CHECK_INT_EQ(r.n_images, 1);
  CHECK(r.images[0].name == NULL);
  CHECK_STR_EQ(r.images[0].desc.digest, a.digest);
  CHECK_INT_EQ(r.blobs, 3); /* manifest, config, layer of a */
  CHECK(!wi_store_has_blob(s, cfg_a));
  wi_store_gc_prune_result_dispose(&r);
  CHECK_INT_EQ(count_entries(s, &untagged), 3);
  /* an oci: layout replaces the entry of a tag, as skopeo does */
  wi_manifest_descriptor_dispose(&a);
  make_image(s, "a", &a, NULL);
  wi_store_set_keep_untagged(s, false);
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/y:1", &a, &err), 0);
  CHECK_INT_EQ(count_entries(s, &untagged), 3);
  CHECK_INT_EQ(untagged, 0);
  /* rmi by id of an untagged image */
  wi_store_set_keep_untagged(s, true);
  CHECK_INT_EQ(wi_store_tag(s, "docker.io/library/y:1", &b, &err), 0);
  CHECK_INT_EQ(wi_store_remove_untagged(s, a.digest, &err), 0);
  CHECK_INT_EQ(wi_store_remove_untagged(s, a.digest, &err), WI_ENOTFOUND);
  CHECK_INT_EQ(count_entries(s, &untagged), 3);
  CHECK_INT_EQ(untagged, 0);
  /* prune --all removes every image */
  CHECK_INT_EQ(wi_store_gc_prune(s, true, &r, &err), 0);
  CHECK_INT_EQ(r.n_images, 3);
  wi_store_gc_prune_result_dispose(&r);
  CHECK_INT_EQ(count_entries(s, &untagged), 0);
  CHECK_INT_EQ(wi_store_gc_usage(s, &u, &err), 0);
  CHECK_INT_EQ(u.image_bytes + u.unref_bytes, 0);
  wi_manifest_descriptor_dispose(&a);
  wi_manifest_descriptor_dispose(&b);
  wi_store_free(s);
}

TEST(test_tmp_leftovers)
{
  wi_err err = { 0 };
  struct wi_blob_writer *live = NULL;
  struct wi_store_gc_usage u;
  char d[WI_DIGEST_MAX];
  uint64_t freed = 0;
  struct wi_store *s = fresh_store("leftovers");
  /* what an interrupted writer leaves: a temporary blob nobody holds */
  pid_t pid = fork();
  if (pid == 0) {
    struct wi_blob_writer *w = NULL;
    wi_err e = { 0 };
    struct wi_store *cs = fresh_store("leftovers");
    if (wi_store_blob_begin(cs, &w, &e) < 0 || wi_store_blob_writer_write(w, "partial", 7, &e) < 0)
      _exit(1);
    _exit(0); /* killed before its writer is freed */
  }
  int st = 0;
  waitpid(pid, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  /* and a writer at work in this process */
  CHECK_INT_EQ(wi_store_blob_begin(s, &live, &err), 0);
  CHECK_INT_EQ(wi_store_blob_writer_write(live, "live data", 9, &err), 0);
  CHECK_INT_EQ(wi_store_gc_usage(s, &u, &err), 0);
  CHECK_INT_EQ(u.tmp_files, 1); /* this handle's first writer swept the leftover already */
  CHECK_INT_EQ(u.tmp_in_use, 1);
  /* a leftover made after that: gc removes it, not the live file */
  wi_autofree char *stale = wi_xasprintf("%s/leftovers/tmp/blob-0123456789abcdef", tmp_root);
  FILE *f = fopen(stale, "w");
  fputs("stale!", f);
  fclose(f);
  CHECK_INT_EQ(wi_store_gc_usage(s, &u, &err), 0);
  CHECK_INT_EQ(u.tmp_files, 2);
  CHECK_INT_EQ(u.tmp_in_use, 1);
  CHECK_INT_EQ(u.tmp_stale_bytes, 6);
  CHECK_INT_EQ(wi_store_gc(s, &freed, &err), 0);
  CHECK_INT_EQ(freed, 6);
  CHECK(access(stale, F_OK) != 0);
  CHECK_INT_EQ(wi_store_blob_writer_commit(live, NULL, -1, d, &err), 0);
  CHECK(wi_store_has_blob(s, d));
  wi_store_blob_writer_free(live);
  CHECK_INT_EQ(wi_store_gc_usage(s, &u, &err), 0);
  CHECK_INT_EQ(u.tmp_files, 0);
  wi_store_free(s);
}

int
main(void)
{
  wi_err err = { 0 };
  tmp_root = wi_fs_mkdtemp("wlsimg-store-test", &err);
  if (tmp_root == NULL) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  RUN(test_open_layout);
  RUN(test_blobs_and_tamper);
  RUN(test_names);
  RUN(test_gc);
  RUN(test_gc_spares_in_flight_blobs);
  RUN(test_concurrent_writers);
  RUN(test_untagged_and_prune);
  RUN(test_tmp_leftovers);
  wi_fs_rm_rf(tmp_root, &err);
  free(tmp_root);
  DONE();
}
