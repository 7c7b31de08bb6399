/* Unit tests for layer.c: reproducible tars, gzip/gunzip streams, diff_id. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/fs.h"
#include "lib/gunzip.h"
#include "lib/gzip.h"
#include "lib/layer.h"
#include "lib/store.h"

static int
buf_sink(const void *data, size_t len, void *payload, wi_err *err)
{
  return wi_buf_add(payload, data, len, err);
}

static void
add_sample(struct wi_layer_writer *w, bool reverse, const char *big_path)
{
  struct wi_layer_entry e[] = {
    { .path = "auxiliary",
      .type = WI_LAYER_DIR,
      .mode = 0775,
      .uid = 1000,
      .gid = 0,
      .mtime = 1700000000 },
    { .path = "/auxiliary/models/", .type = WI_LAYER_DIR, .mode = 0750, .uid = 1000, .gid = 1000 },
    { .path = "./auxiliary/models/model.yaml",
      .type = WI_LAYER_FILE,
      .mode = 0640,
      .uid = 1000,
      .gid = 1000,
      .uname = "oracle",
      .gname = "oracle",
      .data = "domainInfo:\n",
      .size = 12 },
    { .path = "auxiliary/models/link.yaml",
      .type = WI_LAYER_SYMLINK,
      .mode = 0777,
      .link = "model.yaml" },
    { .path = "auxiliary/models/zz-hard",
      .type = WI_LAYER_HARDLINK,
      .mode = 0640,
      .link = "auxiliary/models/model.yaml" },
    { .path = "auxiliary/big.bin", .type = WI_LAYER_FILE, .mode = 0755, .src_path = big_path },
  };
  size_t n = WI_ARRAY_SIZE(e);
  for (size_t i = 0; i < n; i++) {
    wi_err err = { 0 };
    CHECK_INT_EQ(wi_layer_add(w, &e[reverse ? n - 1 - i : i], &err), 0);
  }
}

static char *
make_big_file(void)
{
  char *path = wi_xasprintf("%s/wlsimg-layer-test-%d.bin",
                            getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
  FILE *f = fopen(path, "wb");
  for (int i = 0; i < 300000; i++)
    fprintf(f, "%ld\n", (long)i * 7919);
  fclose(f);
  return path;
}

TEST(test_reproducible_and_diff_id)
{
  wi_autofree char *big = make_big_file();
  struct wi_buf gz1 = WI_BUF_INIT(64 << 20), gz2 = WI_BUF_INIT(64 << 20),
                tar1 = WI_BUF_INIT(64 << 20);
  struct wi_layer_result r1, r2;
  wi_err err = { 0 };

  struct wi_layer_writer *w1 = wi_layer_writer_new(NULL);
  add_sample(w1, false, big);
  CHECK_INT_EQ(wi_layer_writer_finish(w1, buf_sink, &gz1, buf_sink, &tar1, &r1, &err), 0);
  struct wi_layer_writer *w2 = wi_layer_writer_new(NULL);
  add_sample(w2, true, big);
  CHECK_INT_EQ(wi_layer_writer_finish(w2, buf_sink, &gz2, NULL, NULL, &r2, &err), 0);
  CHECK_STR_EQ(r1.digest, r2.digest);
  CHECK_STR_EQ(r1.diff_id, r2.diff_id);
  CHECK(gz1.len == gz2.len && memcmp(gz1.data, gz2.data, gz1.len) == 0);
  CHECK_INT_EQ(r1.size, gz1.len);
  CHECK_INT_EQ(r1.tar_size, tar1.len);
  CHECK_INT_EQ(tar1.len % 512, 0);

  /* diff_id is the sha256 of the gunzipped blob; digest of the gzip bytes. */
  char d[WI_DIGEST_MAX];
  wi_digest_bytes(gz1.data, gz1.len, d);
  CHECK_STR_EQ(r1.digest, d);
  struct wi_buf un = WI_BUF_INIT(64 << 20);
  struct wi_gunzip *z = wi_gunzip_new(buf_sink, &un);
  CHECK_INT_EQ(wi_gunzip_write(z, gz1.data, gz1.len, &err), 0);
  CHECK_INT_EQ(wi_gunzip_finish(z, &err), 0);
  wi_gunzip_free(z);
  wi_digest_bytes(un.data, un.len, d);
  CHECK_STR_EQ(r1.diff_id, d);
  CHECK(un.len == tar1.len && memcmp(un.data, tar1.data, un.len) == 0);
  /* gzip header: magic, deflate, no flags (no name), mtime 0. */
  CHECK(wi_gzip_detect(gz1.data, gz1.len));
  CHECK_INT_EQ((unsigned char)gz1.data[3], 0);
  CHECK(memcmp(gz1.data + 4, "\0\0\0\0", 4) == 0);

  wi_layer_writer_free(w1);
  wi_layer_writer_free(w2);
  wi_buf_dispose(&gz1);
  wi_buf_dispose(&gz2);
  wi_buf_dispose(&tar1);
  wi_buf_dispose(&un);
  unlink(big);
}

TEST(test_entries_preserved)
{
  wi_autofree char *big = make_big_file();
  struct wi_buf tar = WI_BUF_INIT(64 << 20);
  struct wi_layer_result r;
  wi_err err = { 0 };
  struct wi_layer_writer *w = wi_layer_writer_new(NULL);

  add_sample(w, true, big);
  CHECK_INT_EQ(wi_layer_writer_finish(w, NULL, NULL, buf_sink, &tar, &r, &err), 0);
  CHECK_STR_EQ(r.digest, "");

  struct archive *a = archive_read_new();
  archive_read_support_format_tar(a);
  CHECK_INT_EQ(archive_read_open_memory(a, tar.data, tar.len), ARCHIVE_OK);
  struct archive_entry *ae;
  const char *want[] = { "auxiliary/",
                         "auxiliary/big.bin",
                         "auxiliary/models/",
                         "auxiliary/models/link.yaml",
                         "auxiliary/models/model.yaml",
                         "auxiliary/models/zz-hard" };
  size_t i = 0;
  while (archive_read_next_header(a, &ae) == ARCHIVE_OK && i < WI_ARRAY_SIZE(want)) {
    const char *p = archive_entry_pathname(ae);
    CHECK_STR_EQ(p, want[i]);
    if (strcmp(p, "auxiliary/") == 0) {
      CHECK_INT_EQ(archive_entry_perm(ae), 0775);
      CHECK_INT_EQ(archive_entry_uid(ae), 1000);
      CHECK_INT_EQ(archive_entry_mtime(ae), 1700000000);
      CHECK_INT_EQ(archive_entry_filetype(ae), AE_IFDIR);
    } else if (strcmp(p, "auxiliary/models/model.yaml") == 0) {
      CHECK_INT_EQ(archive_entry_perm(ae), 0640);
      CHECK_INT_EQ(archive_entry_gid(ae), 1000);
      CHECK_STR_EQ(archive_entry_uname(ae), "oracle");
      CHECK_INT_EQ(archive_entry_size(ae), 12);
      char data[32] = { 0 };
      CHECK_INT_EQ(archive_read_data(a, data, sizeof data), 12);
      CHECK_STR_EQ(data, "domainInfo:\n");
    } else if (strcmp(p, "auxiliary/models/link.yaml") == 0) {
      CHECK_INT_EQ(archive_entry_filetype(ae), AE_IFLNK);
      CHECK_STR_EQ(archive_entry_symlink(ae), "model.yaml");
    } else if (strcmp(p, "auxiliary/models/zz-hard") == 0) {
      CHECK_STR_EQ(archive_entry_hardlink(ae), "auxiliary/models/model.yaml");
    } else if (strcmp(p, "auxiliary/big.bin") == 0) {
      CHECK_INT_EQ(archive_entry_perm(ae), 0755);
      CHECK(archive_entry_size(ae) > 1000000);
    }
    i++;
  }
  CHECK_INT_EQ(i, WI_ARRAY_SIZE(want));
  archive_read_free(a);
  wi_layer_writer_free(w);
  wi_buf_dispose(&tar);
  unlink(big);
}

TEST(test_bad_entries_and_parents)
{
  wi_err err = { 0 };
  struct wi_layer_opts o = { .add_parents = true, .parents_mtime = 5 };
  struct wi_layer_writer *w = wi_layer_writer_new(&o);
  struct wi_layer_entry bad = { .path = "a/../b", .type = WI_LAYER_FILE };
  CHECK_INT_EQ(wi_layer_add(w, &bad, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "\"..\"");
  bad.path = "/";
  CHECK_INT_EQ(wi_layer_add(w, &bad, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "empty path");
  struct wi_layer_entry f = {
    .path = "x/y/z.txt", .type = WI_LAYER_FILE, .mode = 0644, .data = "1", .size = 1
  };
  CHECK_INT_EQ(wi_layer_add(w, &f, &err), 0);
  f.data = "22"; /* the later entry of a path wins */
  f.size = 2;
  CHECK_INT_EQ(wi_layer_add(w, &f, &err), 0);
  struct wi_layer_entry h = { .path = "a-link", .type = WI_LAYER_HARDLINK, .link = "nope" };
  CHECK_INT_EQ(wi_layer_add(w, &h, &err), 0);
  struct wi_buf tar = WI_BUF_INIT(1 << 20);
  struct wi_layer_result r;
  CHECK_INT_EQ(wi_layer_writer_finish(w, NULL, NULL, buf_sink, &tar, &r, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "hard link target \"nope\"");
  wi_layer_writer_free(w);

  w = wi_layer_writer_new(&o);
  CHECK_INT_EQ(wi_layer_add(w, &f, &err), 0);
  CHECK_INT_EQ(wi_layer_writer_finish(w, NULL, NULL, buf_sink, &tar, &r, &err), 0);
  CHECK_INT_EQ(wi_layer_count(w), 3); /* x/, x/y/, x/y/z.txt */
  struct archive *a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_open_memory(a, tar.data, tar.len);
  struct archive_entry *ae;
  CHECK_INT_EQ(archive_read_next_header(a, &ae), ARCHIVE_OK);
  CHECK_STR_EQ(archive_entry_pathname(ae), "x/");
  CHECK_INT_EQ(archive_entry_mtime(ae), 5);
  CHECK_INT_EQ(archive_entry_perm(ae), 0755);
  archive_read_free(a);
  wi_layer_writer_free(w);
  wi_buf_dispose(&tar);
}

/* An entry beneath a symbolic link of the same layer would be written through it: refused at
 * finish, whatever the order the entries were added in. */
TEST(test_entry_beneath_symlink)
{
  struct wi_layer_entry link = {
    .path = "opt/app/lib", .type = WI_LAYER_SYMLINK, .mode = 0777, .link = "../../etc"
  };
  struct wi_layer_entry file = {
    .path = "opt/app/lib/passwd", .type = WI_LAYER_FILE, .mode = 0644, .data = "x", .size = 1
  };
  for (int order = 0; order < 2; order++) {
    wi_err err = { 0 };
    struct wi_layer_opts o = { .add_parents = true };
    struct wi_layer_writer *w = wi_layer_writer_new(&o);
    CHECK_INT_EQ(wi_layer_add(w, order ? &file : &link, &err), 0);
    CHECK_INT_EQ(wi_layer_add(w, order ? &link : &file, &err), 0);
    struct wi_buf tar = WI_BUF_INIT(1 << 20);
    struct wi_layer_result r;
    CHECK_INT_EQ(wi_layer_writer_finish(w, NULL, NULL, buf_sink, &tar, &r, &err), WI_EINVAL);
    CHECK_STR_HAS(err.msg, "layer entry \"opt/app/lib/passwd\" lies beneath the symbolic link "
                           "\"opt/app/lib\" -> \"../../etc\"");
    CHECK_INT_EQ(tar.len, 0);
    wi_layer_writer_free(w);
    wi_buf_dispose(&tar);
  }
  /* A directory replacing the link (a later entry of the same path) makes it valid. */
  wi_err err = { 0 };
  struct wi_layer_writer *w = wi_layer_writer_new(NULL);
  struct wi_layer_entry dir = { .path = "opt/app/lib", .type = WI_LAYER_DIR, .mode = 0755 };
  CHECK_INT_EQ(wi_layer_add(w, &link, &err), 0);
  CHECK_INT_EQ(wi_layer_add(w, &file, &err), 0);
  CHECK_INT_EQ(wi_layer_add(w, &dir, &err), 0);
  struct wi_layer_result r;
  CHECK_INT_EQ(wi_layer_writer_finish(w, NULL, NULL, NULL, NULL, &r, &err), 0);
  wi_layer_writer_free(w);
}

/* clear_setid: files lose setuid/setgid, directories keep setgid; counted. */
TEST(test_clear_setid)
{
  struct wi_layer_entry e[] = {
    { .path = "usr/bin/su", .type = WI_LAYER_FILE, .mode = 04755 },
    { .path = "usr/bin/wall", .type = WI_LAYER_FILE, .mode = 02755 },
    { .path = "usr/bin/plain", .type = WI_LAYER_FILE, .mode = 01755 },
    { .path = "var/mail", .type = WI_LAYER_DIR, .mode = 02775 },
  };
  const uint32_t want[] = { 0755, 0755, 01755, 02775 };
  for (int clear = 0; clear < 2; clear++) {
    wi_err err = { 0 };
    struct wi_layer_opts o = { .clear_setid = clear };
    struct wi_layer_writer *w = wi_layer_writer_new(&o);
    for (size_t i = 0; i < WI_ARRAY_SIZE(e); i++)
      CHECK_INT_EQ(wi_layer_add(w, &e[i], &err), 0);
    const char *first = NULL;
    CHECK_INT_EQ(wi_layer_setid_cleared(w, &first), clear ? 2 : 0);
    CHECK_STR_EQ(first, clear ? "usr/bin/su" : NULL);
    struct wi_buf tar = WI_BUF_INIT(1 << 20);
    struct wi_layer_result r;
    CHECK_INT_EQ(wi_layer_writer_finish(w, NULL, NULL, buf_sink, &tar, &r, &err), 0);
    struct archive *a = archive_read_new();
    archive_read_support_format_tar(a);
    archive_read_open_memory(a, tar.data, tar.len);
    struct archive_entry *ae;
    while (archive_read_next_header(a, &ae) == ARCHIVE_OK)
      for (size_t i = 0; i < WI_ARRAY_SIZE(e); i++)
        if (strncmp(archive_entry_pathname(ae), e[i].path, strlen(e[i].path)) == 0 &&
            strlen(archive_entry_pathname(ae)) <= strlen(e[i].path) + 1)
          CHECK_INT_EQ(archive_entry_perm(ae), clear ? want[i] : e[i].mode);
    archive_read_free(a);
    wi_layer_writer_free(w);
    wi_buf_dispose(&tar);
  }
}

TEST(test_gunzip_errors_and_multimember)
{
  wi_err err = { 0 };
  struct wi_buf gz = WI_BUF_INIT(1 << 20), out = WI_BUF_INIT(1 << 20);
  for (int m = 0; m < 2; m++) {
    struct wi_gzip *z = wi_gzip_new(9, buf_sink, &gz);
    CHECK_INT_EQ(wi_gzip_write(z, m ? "world\n" : "hello ", 6, &err), 0);
    CHECK_INT_EQ(wi_gzip_finish(z, &err), 0);
    wi_gzip_free(z);
  }
  struct wi_gunzip *u = wi_gunzip_new(buf_sink, &out);
  CHECK_INT_EQ(wi_gunzip_write(u, gz.data, gz.len, &err), 0);
  CHECK_INT_EQ(wi_gunzip_finish(u, &err), 0);
  wi_gunzip_free(u);
  CHECK_STR_EQ(wi_buf_cstr(&out), "hello world\n");

  wi_buf_reset(&out);
  u = wi_gunzip_new(buf_sink, &out);
  CHECK_INT_EQ(wi_gunzip_write(u, gz.data, 12, &err), 0);
  CHECK_INT_EQ(wi_gunzip_finish(u, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "truncated gzip data");
  wi_gunzip_free(u);

  u = wi_gunzip_new(buf_sink, &out);
  CHECK_INT_EQ(wi_gunzip_write(u, "not gzip at all", 15, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "gzip data: ");
  wi_gunzip_free(u);
  CHECK(!wi_gzip_detect("ab", 2));
  wi_buf_dispose(&gz);
  wi_buf_dispose(&out);
}

TEST(test_finish_store)
{
  wi_err err = { 0 };
  wi_autofree char *dir = wi_fs_mkdtemp("wlsimg-layer", &err);
  wi_autofree char *root = wi_xasprintf("%s/store", dir);
  struct wi_store *s = NULL;
  CHECK_INT_EQ(wi_store_open(&s, root, true, &err), 0);
  struct wi_layer_writer *w = wi_layer_writer_new(NULL);
  int fd = open("/dev/null", O_RDONLY);
  struct wi_layer_entry e = {
    .path = "empty", .type = WI_LAYER_FILE, .mode = 0600, .use_fd = true, .fd = fd
  };
  CHECK_INT_EQ(wi_layer_add(w, &e, &err), 0);
  close(fd);
  struct wi_layer_result r;
  /* /dev/null is not a regular file: a clear error, nothing stored. */
  CHECK_INT_EQ(wi_layer_writer_finish_store(w, s, &r, &err), WI_EIO);
  CHECK_STR_HAS(err.msg, "not a regular file");
  wi_layer_writer_free(w);

  w = wi_layer_writer_new(NULL);
  struct wi_layer_entry f = {
    .path = "hello", .type = WI_LAYER_FILE, .mode = 0644, .data = "hi\n", .size = 3
  };
  CHECK_INT_EQ(wi_layer_add(w, &f, &err), 0);
  CHECK_INT_EQ(wi_layer_writer_finish_store(w, s, &r, &err), 0);
  CHECK(wi_store_has_blob(s, r.digest));
  wi_layer_writer_free(w);
  wi_store_free(s);
  wi_fs_rm_rf(dir, &err);
}

/* A tar with members in the given order, written directly with libarchive. */
static void
write_unsorted_tar(const char *path, bool reverse, bool gz)
{
  struct archive *a = archive_write_new();
  archive_write_set_format_gnutar(a);
  if (gz)
    archive_write_add_filter_gzip(a);
  archive_write_open_filename(a, path);
  const char *names[] = {
    "./", "./etc/", "./etc/hostname", "./bin/", "./bin/sh", "./bin/ash", "./z"
  };
  for (size_t k = 0; k < WI_ARRAY_SIZE(names); k++) {
    size_t i = reverse && k > 0 ? WI_ARRAY_SIZE(names) - k : k;
    if (reverse && (i == 1 || i == 3))
      i = i == 1 ? 2 : 4; /* keep each directory before its children: tar readers expect it */
    else if (reverse && (i == 2 || i == 4))
      i = i == 2 ? 1 : 3;
    struct archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname(ae, names[i]);
    archive_entry_set_mtime(ae, 1000 + (time_t)(i % 3), 0);
    archive_entry_set_uid(ae, 0);
    archive_entry_set_gid(ae, 0);
    if (names[i][strlen(names[i]) - 1] == '/') {
      archive_entry_set_filetype(ae, AE_IFDIR);
      archive_entry_set_perm(ae, 0755);
    } else if (strcmp(names[i], "./bin/ash") == 0 && !reverse) {
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_hardlink(ae, "./bin/sh");
      archive_entry_set_perm(ae, 0755);
    } else if (strcmp(names[i], "./bin/sh") == 0 && reverse) {
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_hardlink(ae, "./bin/ash");
      archive_entry_set_perm(ae, 0755);
    } else {
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_perm(ae, 0755);
      const char *content = strcmp(names[i], "./z") == 0 ? "zz" : "#!busybox";
      archive_entry_set_size(ae, (la_int64_t)strlen(content));
      archive_write_header(a, ae);
      archive_write_data(a, content, strlen(content));
      archive_entry_free(ae);
      continue;
    }
    archive_write_header(a, ae);
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
}

TEST(test_add_tar_order_independent)
{
  wi_err err = { 0 };
  wi_autofree char *dir = wi_fs_mkdtemp("wlsimg-layer", &err);
  wi_autofree char *p1 = wi_xasprintf("%s/a.tar", dir);
  wi_autofree char *p2 = wi_xasprintf("%s/b.tar.gz", dir);
  struct wi_layer_result r[2];
  write_unsorted_tar(p1, false, false);
  write_unsorted_tar(p2, true, true);
  for (int k = 0; k < 2; k++) {
    struct wi_buf gz = WI_BUF_INIT(1 << 20), tar = WI_BUF_INIT(1 << 20);
    struct wi_layer_opts o = { .spool_dir = dir };
    struct wi_layer_writer *w = wi_layer_writer_new(&o);
    int fd = open(k ? p2 : p1, O_RDONLY);
    CHECK_INT_EQ(wi_layer_add_tar(w, fd, "rootfs", &err), 0);
    close(fd);
    CHECK_INT_EQ(wi_layer_count(w), 6);
    CHECK_INT_EQ(wi_layer_writer_finish(w, buf_sink, &gz, buf_sink, &tar, &r[k], &err), 0);
    /* bin/ash sorts first, so it carries the content and bin/sh links to it. */
    struct archive *a = archive_read_new();
    archive_read_support_format_tar(a);
    archive_read_open_memory(a, tar.data, tar.len);
    struct archive_entry *ae;
    while (archive_read_next_header(a, &ae) == ARCHIVE_OK) {
      if (strcmp(archive_entry_pathname(ae), "bin/ash") == 0)
        CHECK_INT_EQ(archive_entry_size(ae), 9);
      if (strcmp(archive_entry_pathname(ae), "bin/sh") == 0)
        CHECK_STR_EQ(archive_entry_hardlink(ae), "bin/ash");
    }
    archive_read_free(a);
    wi_layer_writer_free(w);
    wi_buf_dispose(&gz);
    wi_buf_dispose(&tar);
  }
  /* Member order, compression and the hard link's direction differ: the layer does not. */
  CHECK_STR_EQ(r[0].digest, r[1].digest);
  CHECK_STR_EQ(r[0].diff_id, r[1].diff_id);
  struct wi_layer_result again;
  struct wi_buf gz = WI_BUF_INIT(1 << 20);
  struct wi_layer_writer *w = wi_layer_writer_new(NULL);
  int fd = open(p1, O_RDONLY);
  CHECK_INT_EQ(wi_layer_add_tar(w, fd, "rootfs", &err), 0);
  close(fd);
  CHECK_INT_EQ(wi_layer_writer_finish(w, buf_sink, &gz, NULL, NULL, &again, &err), 0);
  CHECK_STR_EQ(again.digest, r[0].digest);
  wi_layer_writer_free(w);
  wi_buf_dispose(&gz);

  wi_autofree char *bad = wi_xasprintf("%s/bad.tar", dir);
  FILE *f = fopen(bad, "w");
  fputs("this is not a tar file at all, just some text that goes on and on", f);
  fclose(f);
  w = wi_layer_writer_new(NULL);
  fd = open(bad, O_RDONLY);
  CHECK(wi_layer_add_tar(w, fd, "bad.tar", &err) == WI_EINVAL);
  CHECK_STR_HAS(err.msg, "bad.tar: ");
  close(fd);
  wi_layer_writer_free(w);
  wi_fs_rm_rf(dir, &err);
}

/* Deterministic mixed input: compressible text runs and pseudo-random runs (stored chunks). */
static unsigned char *
mixed_input(size_t n)
{
  unsigned char *b = wi_xmalloc(n);
  uint64_t x = 88172645463325252ull;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    bool text = (i / (1536u << 10)) % 2 == 0; /* chunk 2 is all random */
    b[i] = text ? (unsigned char)("lorem ipsum dolor sit amet\n"[(i + (x & 3)) % 27])
                : (unsigned char)x;
  }
  return b;
}

static void
gzip_with(int threads, const unsigned char *in, size_t n, size_t piece, struct wi_buf *out)
{
  wi_err err = { 0 };
  struct wi_gzip *z = wi_gzip_new_threads(0, threads, buf_sink, out);
  CHECK(z != NULL);
  for (size_t off = 0; off < n; off += piece)
    CHECK_INT_EQ(wi_gzip_write(z, in + off, n - off < piece ? n - off : piece, &err), 0);
  CHECK_INT_EQ(wi_gzip_finish(z, &err), 0);
  CHECK_INT_EQ(wi_gzip_write(z, "x", 1, &err), WI_EINVAL);
  wi_gzip_free(z);
}

TEST(test_parallel_gzip_deterministic)
{
  wi_err err = { 0 };
  size_t n = (5u << 20) + 12345; /* 6 chunks, the last one partial */
  wi_autofree unsigned char *in = mixed_input(n);
  struct wi_buf g1 = WI_BUF_INIT(64u << 20), g3 = WI_BUF_INIT(64u << 20),
                g8 = WI_BUF_INIT(64u << 20), out = WI_BUF_INIT(64u << 20);

  gzip_with(1, in, n, 100000, &g1);
  gzip_with(3, in, n, 4096, &g3);
  gzip_with(8, in, n, n, &g8);
  CHECK_INT_EQ(g3.len, g1.len);
  CHECK_INT_EQ(g8.len, g1.len);
  CHECK(g3.len == g1.len && memcmp(g3.data, g1.data, g1.len) == 0);
  CHECK(g8.len == g1.len && memcmp(g8.data, g1.data, g1.len) == 0);
  CHECK(g1.len < n);
  CHECK(wi_gzip_detect(g1.data, g1.len));
  /* A member per 1 MiB chunk: zlib's multi-member gunzip gives the input back. */
  struct wi_gunzip *u = wi_gunzip_new(buf_sink, &out);
  CHECK_INT_EQ(wi_gunzip_write(u, g1.data, g1.len, &err), 0);
  CHECK_INT_EQ(wi_gunzip_finish(u, &err), 0);
  wi_gunzip_free(u);
  CHECK(out.len == n && memcmp(out.data, in, n) == 0);

  /* The empty stream is one valid empty member. */
  wi_buf_reset(&g1);
  wi_buf_reset(&out);
  gzip_with(2, in, 0, 1, &g1);
  CHECK(wi_gzip_detect(g1.data, g1.len));
  u = wi_gunzip_new(buf_sink, &out);
  CHECK_INT_EQ(wi_gunzip_write(u, g1.data, g1.len, &err), 0);
  CHECK_INT_EQ(wi_gunzip_finish(u, &err), 0);
  wi_gunzip_free(u);
  CHECK_INT_EQ(out.len, 0);
  wi_buf_dispose(&g1);
  wi_buf_dispose(&g3);
  wi_buf_dispose(&g8);
  wi_buf_dispose(&out);
}

/* The compressed length of each gzip member of g (zlib, member by member); returns the count. */
static size_t
members(const struct wi_buf *g, size_t *lens, size_t room)
{
  size_t n = 0, off = 0;
  unsigned char sink[1 << 16];
  while (off < g->len && n < room) {
    z_stream zs = { 0 };
    CHECK_INT_EQ(inflateInit2(&zs, 16 + 15), Z_OK);
    zs.next_in = (unsigned char *)g->data + off;
    zs.avail_in = (uInt)(g->len - off);
    int r;
    do {
      zs.next_out = sink;
      zs.avail_out = sizeof sink;
      r = inflate(&zs, Z_NO_FLUSH);
    } while (r == Z_OK);
    CHECK_INT_EQ(r, Z_STREAM_END);
    lens[n++] = zs.total_in;
    off += zs.total_in;
    inflateEnd(&zs);
    if (r != Z_STREAM_END)
      break;
  }
  return n;
}

/* A chunk that mixes text and random bytes: the random part is stored in a member of its own, the
 * text deflated in another; a chunk of one kind is one member. */
TEST(test_gzip_mixed_chunk_parts)
{
  size_t n = 1u << 20, lens[8];
  wi_autofree unsigned char *in = wi_xmalloc(n);
  uint64_t x = 88172645463325252ull;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    in[i] = i < n / 2 ? (unsigned char)("weblogic server config\n"[i % 23]) : (unsigned char)x;
  }
  struct wi_buf g = WI_BUF_INIT(8u << 20), g2 = WI_BUF_INIT(8u << 20);
  gzip_with(1, in, n, n, &g);
  CHECK_INT_EQ(members(&g, lens, 8), 2);
  CHECK(lens[0] < 64u << 10);  /* the text, deflated */
  CHECK(lens[1] > n / 2 + 18); /* the random half, stored: its bytes plus block headers */
  CHECK(lens[1] < n / 2 + 1024);
  gzip_with(2, in, n / 2, n, &g2); /* text only */
  CHECK_INT_EQ(members(&g2, lens, 8), 1);
  wi_buf_reset(&g2);
  gzip_with(2, in + n / 2, n / 2, n, &g2); /* random only: one stored member */
  CHECK_INT_EQ(members(&g2, lens, 8), 1);
  CHECK(lens[0] > n / 2);
  wi_buf_dispose(&g);
  wi_buf_dispose(&g2);
}

static int
fail_sink(const void *data, size_t len, void *payload, wi_err *err)
{
  (void)data;
  (void)len;
  (void)payload;
  return wi_err_set(err, WI_EIO, "disk full");
}

/* A sink error surfaces from write or finish, and freeing the stream stops its workers. */
TEST(test_parallel_gzip_sink_error)
{
  wi_err err = { 0 };
  size_t n = 4u << 20;
  wi_autofree unsigned char *in = mixed_input(n);
  struct wi_gzip *z = wi_gzip_new_threads(0, 2, fail_sink, NULL);
  int ret = wi_gzip_write(z, in, n, &err);
  if (ret == 0)
    ret = wi_gzip_finish(z, &err);
  CHECK_INT_EQ(ret, WI_EIO);
  CHECK_STR_HAS(err.msg, "disk full");
  wi_gzip_free(z);
}

/* A layer's digest and diff_id are those of the bytes written, whatever the thread count (the
 * writer uses all CPUs; a 1-thread stream of the same tar must give the same blob). */
TEST(test_layer_digests_match_streams)
{
  wi_err err = { 0 };
  wi_autofree char *dir = wi_fs_mkdtemp("wlsimg-layer", &err);
  wi_autofree char *big = wi_xasprintf("%s/big.bin", dir);
  size_t n = (11u << 20) + 777; /* more 1 MiB chunks than the gzip ring has slots (2 per cpu) */
  wi_autofree unsigned char *in = mixed_input(n);
  int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK_INT_EQ(write(fd, in, n), (long long)n);
  close(fd);

  struct wi_buf gz = WI_BUF_INIT(64u << 20), tar = WI_BUF_INIT(64u << 20),
                gz1 = WI_BUF_INIT(64u << 20), out = WI_BUF_INIT(64u << 20);
  struct wi_layer_writer *w = wi_layer_writer_new(NULL);
  add_sample(w, false, big);
  struct wi_layer_result r;
  CHECK_INT_EQ(wi_layer_writer_finish(w, buf_sink, &gz, buf_sink, &tar, &r, &err), 0);
  wi_layer_writer_free(w);

  char d[WI_DIGEST_MAX];
  wi_digest_bytes(gz.data, gz.len, d);
  CHECK_STR_EQ(r.digest, d);
  CHECK_INT_EQ(r.size, gz.len);
  wi_digest_bytes(tar.data, tar.len, d);
  CHECK_STR_EQ(r.diff_id, d);
  CHECK_INT_EQ(r.tar_size, tar.len);
  CHECK(tar.len > n);

  /* Into a store: the blob writer's digest is the same blob's. */
  wi_autofree char *root = wi_xasprintf("%s/store", dir);
  struct wi_store *st = NULL;
  CHECK_INT_EQ(wi_store_open(&st, root, true, &err), 0);
  w = wi_layer_writer_new(NULL);
  add_sample(w, true, big);
  struct wi_layer_result rs;
  CHECK_INT_EQ(wi_layer_writer_finish_store(w, st, &rs, &err), 0);
  wi_layer_writer_free(w);
  CHECK_STR_EQ(rs.digest, r.digest);
  CHECK_INT_EQ(rs.size, r.size);
  CHECK_STR_EQ(rs.diff_id, r.diff_id);
  CHECK(wi_store_has_blob(st, rs.digest));
  wi_store_free(st);

  gzip_with(1, (const unsigned char *)tar.data, tar.len, 10240, &gz1);
  CHECK(gz1.len == gz.len && memcmp(gz1.data, gz.data, gz.len) == 0);
  struct wi_gunzip *u = wi_gunzip_new(buf_sink, &out);
  CHECK_INT_EQ(wi_gunzip_write(u, gz.data, gz.len, &err), 0);
  CHECK_INT_EQ(wi_gunzip_finish(u, &err), 0);
  wi_gunzip_free(u);
  CHECK(out.len == tar.len && memcmp(out.data, tar.data, tar.len) == 0);
  wi_buf_dispose(&gz);
  wi_buf_dispose(&gz1);
  wi_buf_dispose(&tar);
  wi_buf_dispose(&out);
  wi_fs_rm_rf(dir, &err);
}

/* wi_layer_stream: entries in the order given, the same bytes as a writer given them sorted, and
 * content that does not match the announced size refused. */
TEST(test_stream)
{
  wi_err err = { 0 };
  wi_autofree char *dir = wi_fs_mkdtemp("wlsimg-layer", &err);
  wi_autofree char *root = wi_xasprintf("%s/store", dir);
  struct wi_store *s = NULL;
  CHECK_INT_EQ(wi_store_open(&s, root, true, &err), 0);
  struct wi_layer_entry e[] = {
    { .path = "a", .type = WI_LAYER_DIR, .mode = 0755, .uid = 1 },
    { .path = "a/f", .type = WI_LAYER_FILE, .mode = 0640, .data = "data", .size = 4 },
    { .path = "a/g", .type = WI_LAYER_FILE, .mode = 0600, .size = 6 },
    { .path = "a/h", .type = WI_LAYER_HARDLINK, .mode = 0640, .link = "a/f" },
    { .path = "a/l", .type = WI_LAYER_SYMLINK, .mode = 0777, .link = "f" },
  };
  struct wi_layer_stream *ls = NULL;
  struct wi_layer_result r1, r2;
  CHECK_INT_EQ(wi_layer_stream_new(&ls, s, 0, &err), 0);
  for (size_t i = 0; i < WI_ARRAY_SIZE(e); i++) {
    CHECK_INT_EQ(wi_layer_stream_add(ls, &e[i], &err), 0);
    if (i == 2) {
      CHECK_INT_EQ(wi_layer_stream_write(ls, "str", 3, &err), 0);
      CHECK_INT_EQ(wi_layer_stream_write(ls, "eam", 3, &err), 0);
    }
  }
  CHECK_INT_EQ(wi_layer_stream_finish(ls, &r1, &err), 0);
  wi_layer_stream_free(ls);
  CHECK(wi_store_has_blob(s, r1.digest));
  /* the sorting writer, given the same (already sorted) entries, writes the same tar */
  struct wi_layer_writer *w = wi_layer_writer_new(NULL);
  e[2].data = "stream";
  for (size_t i = 0; i < WI_ARRAY_SIZE(e); i++)
    CHECK_INT_EQ(wi_layer_add(w, &e[i], &err), 0);
  CHECK_INT_EQ(wi_layer_writer_finish_store(w, s, &r2, &err), 0);
  wi_layer_writer_free(w);
  CHECK_STR_EQ(r1.diff_id, r2.diff_id);
  CHECK_STR_EQ(r1.digest, r2.digest);
  /* too few bytes, then too many */
  struct wi_layer_entry g = { .path = "g", .type = WI_LAYER_FILE, .mode = 0600, .size = 4 };
  CHECK_INT_EQ(wi_layer_stream_new(&ls, s, 0, &err), 0);
  CHECK_INT_EQ(wi_layer_stream_add(ls, &g, &err), 0);
  CHECK_INT_EQ(wi_layer_stream_write(ls, "ab", 2, &err), 0);
  CHECK_INT_EQ(wi_layer_stream_finish(ls, &r1, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "\"g\": 2 bytes missing");
  wi_layer_stream_free(ls);
  CHECK_INT_EQ(wi_layer_stream_new(&ls, s, 0, &err), 0);
  CHECK_INT_EQ(wi_layer_stream_add(ls, &g, &err), 0);
  CHECK_INT_EQ(wi_layer_stream_write(ls, "abcde", 5, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "more content than announced");
  wi_layer_stream_free(ls);
  wi_store_free(s);
  wi_fs_rm_rf(dir, &err);
}

int
main(void)
{
  RUN(test_reproducible_and_diff_id);
  RUN(test_entries_preserved);
  RUN(test_bad_entries_and_parents);
  RUN(test_entry_beneath_symlink);
  RUN(test_clear_setid);
  RUN(test_gunzip_errors_and_multimember);
  RUN(test_finish_store);
  RUN(test_add_tar_order_independent);
  RUN(test_parallel_gzip_deterministic);
  RUN(test_gzip_mixed_chunk_parts);
  RUN(test_parallel_gzip_sink_error);
  RUN(test_layer_digests_match_streams);
  RUN(test_stream);
  DONE();
}
