/* Unit tests for docker_archive.c: reading docker-archive tars built here with libarchive. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/docker_archive.h"
#include "lib/fs.h"
#include "lib/store.h"

static char *tmp_root;

#define CFG_A                                                                                      \
  "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}," \
  "\"seed\":\"a\"}"
#define CFG_B                                                                                      \
  "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}," \
  "\"seed\":\"b\"}"

struct member {
  const char *name;
  const char *data;
  size_t len; /* 0: strlen(data) */
};

/* A tar file at <tmp_root>/<file> holding the members; returns an fd open on it. */
static int
make_tar(const char *file, const struct member *m, size_t n)
{
  wi_autofree char *path = wi_xasprintf("%s/%s", tmp_root, file);
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (archive_write_open_filename(a, path) != ARCHIVE_OK)
    abort();
  for (size_t i = 0; i < n; i++) {
    struct archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname(ae, m[i].name);
    archive_entry_set_filetype(ae, AE_IFREG);
    archive_entry_set_perm(ae, 0644);
    size_t len = m[i].len ? m[i].len : strlen(m[i].data);
    archive_entry_set_size(ae, (la_int64_t)len);
    archive_write_header(a, ae);
    archive_write_data(a, m[i].data, len);
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    abort();
  return fd;
}

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

static size_t
n_names(struct wi_store *s)
{
  wi_err err = { 0 };
  struct wi_store_entry *e = NULL;
  size_t n = 0;
  if (wi_store_list(s, &e, &n, &err) < 0)
    return (size_t)-1;
  wi_store_entries_free(e, n);
  return n;
}

TEST(test_load_two_images)
{
  const struct member m[] = {
    { "a.json", CFG_A },
    { "b.json", CFG_B },
    { "manifest.json", "[{\"Config\":\"a.json\",\"RepoTags\":[\"one:1\"],\"Layers\":[]},"
                       "{\"Config\":\"./b.json\",\"RepoTags\":[\"two:2\"],\"Layers\":[]}]" },
  };
  wi_autoclose int fd = make_tar("two.tar", m, 3);
  wi_autoptr(wi_store) struct wi_store *s = fresh_store("two");
  struct wi_docker_archive_loaded *l = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_docker_archive_read(s, fd, "two.tar", true, &l, &n, &err), 0);
  CHECK_INT_EQ(n, 2);
  CHECK_INT_EQ(n_names(s), 2);
  wi_docker_archive_loaded_free(l, n);
}

/* Two manifest.json members: the later one counts (as extracting the tar would) and the earlier one
 * is freed (a fuzzer found it leaked). */
TEST(test_later_manifest_wins)
{
  const struct member m[] = {
    { "a.json", CFG_A },
    { "manifest.json", "[{\"Config\":\"a.json\",\"RepoTags\":[\"old:1\"],\"Layers\":[]}]" },
    { "manifest.json", "[{\"Config\":\"a.json\",\"RepoTags\":[\"new:1\"],\"Layers\":[]}]" },
  };
  wi_autoclose int fd = make_tar("twoman.tar", m, 3);
  wi_autoptr(wi_store) struct wi_store *s = fresh_store("twoman");
  struct wi_docker_archive_loaded *l = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_docker_archive_read(s, fd, "twoman.tar", true, &l, &n, &err), 0);
  CHECK_INT_EQ(n, 1);
  CHECK_INT_EQ(n_names(s), 1);
  struct wi_store_entry *e = NULL;
  size_t ne = 0;
  CHECK_INT_EQ(wi_store_list(s, &e, &ne, &err), 0);
  CHECK_INT_EQ(ne, 1);
  CHECK_STR_HAS(e[0].name, "new:1");
  wi_store_entries_free(e, ne);
  wi_docker_archive_loaded_free(l, n);
}

/* A bad RepoTag in the second image: nothing may be named, not even the first image. */
TEST(test_bad_tag_names_nothing)
{
  const struct member m[] = {
    { "a.json", CFG_A },
    { "b.json", CFG_B },
    { "manifest.json", "[{\"Config\":\"a.json\",\"RepoTags\":[\"one:1\"],\"Layers\":[]},"
                       "{\"Config\":\"b.json\",\"RepoTags\":[\"Bad Name:2\"],\"Layers\":[]}]" },
  };
  wi_autoclose int fd = make_tar("badtag.tar", m, 3);
  wi_autoptr(wi_store) struct wi_store *s = fresh_store("badtag");
  struct wi_docker_archive_loaded *l = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_docker_archive_read(s, fd, "badtag.tar", true, &l, &n, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "badtag.tar: manifest.json: [1].RepoTags[0]");
  CHECK_INT_EQ(n_names(s), 0);
}

TEST(test_non_string_tag)
{
  const struct member m[] = {
    { "a.json", CFG_A },
    { "manifest.json", "[{\"Config\":\"a.json\",\"RepoTags\":[42],\"Layers\":[]}]" },
  };
  wi_autoclose int fd = make_tar("numtag.tar", m, 2);
  wi_autoptr(wi_store) struct wi_store *s = fresh_store("numtag");
  struct wi_docker_archive_loaded *l = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_docker_archive_read(s, fd, "numtag.tar", true, &l, &n, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "numtag.tar: manifest.json: [0].RepoTags[0]: expected a string");
  CHECK_INT_EQ(n_names(s), 0);
}

/* Members named with ../ or an absolute path never match the archive's own names. */
TEST(test_escaping_member)
{
  const struct member m[] = {
    { "a.json", CFG_A },
    { "manifest.json", "[{\"Config\":\"../a.json\",\"RepoTags\":[],\"Layers\":[]}]" },
  };
  wi_autoclose int fd = make_tar("escape.tar", m, 2);
  wi_autoptr(wi_store) struct wi_store *s = fresh_store("escape");
  struct wi_docker_archive_loaded *l = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_docker_archive_read(s, fd, "escape.tar", true, &l, &n, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "escape.tar: config ../a.json is missing from the archive");
}

/* A manifest.json naming 100000 layers is answered at once (member lookups were linear, making
 * such an archive cost minutes of CPU). */
TEST(test_many_layer_names)
{
  struct wi_buf b = WI_BUF_INIT(8 << 20);
  wi_buf_adds(&b, "[{\"Config\":\"a.json\",\"RepoTags\":[],\"Layers\":[", NULL);
  for (int i = 0; i < 100000; i++)
    wi_buf_addf(&b, NULL, "%s\"l%d.tar\"", i ? "," : "", i);
  wi_buf_adds(&b, "]}]", NULL);
  const struct member m[] = { { "a.json", CFG_A }, { "manifest.json", wi_buf_cstr(&b) } };
  wi_autoclose int fd = make_tar("many.tar", m, 2);
  wi_buf_dispose(&b);
  wi_autoptr(wi_store) struct wi_store *s = fresh_store("many");
  struct wi_docker_archive_loaded *l = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_docker_archive_read(s, fd, "many.tar", true, &l, &n, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "image 0 has 100000 layers but its config lists 0 diff_ids");
}

/* A layer tar in memory: "etc/hostname" and one more member of the given kind. */
static void
make_layer(struct wi_buf *out, const char *name, mode_t type, const char *link, bool hard)
{
  static char mem[64 * 1024];
  size_t used = 0;
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open_memory(a, mem, sizeof mem, &used);
  struct archive_entry *ae = archive_entry_new();
  archive_entry_set_pathname(ae, "etc/hostname");
  archive_entry_set_filetype(ae, AE_IFREG);
  archive_entry_set_perm(ae, 0644);
  archive_entry_set_size(ae, 3);
  archive_write_header(a, ae);
  archive_write_data(a, "ok\n", 3);
  archive_entry_clear(ae);
  archive_entry_set_pathname(ae, name);
  archive_entry_set_filetype(ae, type);
  archive_entry_set_perm(ae, 0644);
  if (type == AE_IFCHR || type == AE_IFBLK)
    archive_entry_set_rdev(ae, makedev(1, 1));
  if (link && hard)
    archive_entry_set_hardlink(ae, link);
  else if (link)
    archive_entry_set_symlink(ae, link);
  archive_write_header(a, ae);
  archive_entry_free(ae);
  archive_write_close(a);
  archive_write_free(a);
  wi_buf_add(out, mem, used, NULL);
}

/* A layer's members are checked as docker checks them when it applies a layer: ../ names, hard
 * links leaving the root, relative symbolic links leading above it and device nodes are refused,
 * naming the member; nothing is stored or named. Absolute names and links stay inside. */
TEST(test_layer_members)
{
  static const struct {
    const char *name;
    mode_t type;
    const char *link;
    bool hard;
    const char *want; /* NULL: loads */
  } cases[] = {
    { "../../etc/cron.d/x", AE_IFREG, NULL, false,
      "member ../../etc/cron.d/x leaves the image's root" },
    { "/../x", AE_IFREG, NULL, false, "member /../x leaves the image's root" },
    { "a/../../x", AE_IFREG, NULL, false, "member a/../../x leaves the image's root" },
    { "etc/l", AE_IFREG, "../../etc/shadow", true, "hard link etc/l -> ../../etc/shadow leaves" },
    { "etc/s", AE_IFLNK, "../../x", false, "symbolic link etc/s -> ../../x leads above" },
    { "dev/mem", AE_IFCHR, NULL, false, "member dev/mem is a character device node" },
    { "dev/sda", AE_IFBLK, NULL, false, "member dev/sda is a block device node" },
    { "/etc/abs", AE_IFREG, NULL, false, NULL },
    { "bin", AE_IFLNK, "/usr/bin", false, NULL },
    { "etc/up", AE_IFLNK, "../usr/lib/os-release", false, NULL },
    { "run/fifo", AE_IFIFO, NULL, false, NULL },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    struct wi_buf layer = WI_BUF_INIT(1 << 20);
    make_layer(&layer, cases[i].name, cases[i].type, cases[i].link, cases[i].hard);
    char diff[WI_DIGEST_MAX];
    wi_digest_bytes(layer.data, layer.len, diff);
    wi_autofree char *cfg =
        wi_xasprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                     "\"diff_ids\":[\"%s\"]}}",
                     diff);
    const struct member m[] = {
      { "layer.tar", layer.data, layer.len },
      { "c.json", cfg, 0 },
      { "manifest.json",
        "[{\"Config\":\"c.json\",\"RepoTags\":[\"l:1\"],\"Layers\":[\"layer.tar\"]}]", 0 },
    };
    wi_autofree char *file = wi_xasprintf("layer%zu.tar", i);
    wi_autoclose int fd = make_tar(file, m, 3);
    wi_autofree char *sub = wi_xasprintf("layer%zu", i);
    wi_autoptr(wi_store) struct wi_store *s = fresh_store(sub);
    struct wi_docker_archive_loaded *l = NULL;
    size_t n = 0;
    wi_err err = { 0 };
    int ret = wi_docker_archive_read(s, fd, file, true, &l, &n, &err);
    if (cases[i].want) {
      CHECK_INT_EQ(ret, WI_EINVAL);
      CHECK_STR_HAS(err.msg, cases[i].want);
      CHECK_STR_HAS(err.msg, "layer layer.tar:");
      CHECK_INT_EQ(n_names(s), 0);
    } else {
      CHECK_INT_EQ(ret, 0);
      CHECK_INT_EQ(n_names(s), 1);
      wi_docker_archive_loaded_free(l, n);
    }
    wi_buf_dispose(&layer);
  }
}

/* Nothing of a failed write stays behind: no file, no temporary file. */
TEST(test_write_file_leaves_nothing_on_failure)
{
  wi_autoptr(wi_store) struct wi_store *s = fresh_store("wfail");
  wi_autofree char *dir = wi_xasprintf("%s/wfail-out", tmp_root);
  wi_autofree char *path = wi_xasprintf("%s/out.tar", dir);
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_fs_mkdir_p(dir, 0755, &err), 0);
  char mt[] = WI_MT_OCI_MANIFEST;
  char dg[] = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
  struct wi_descriptor d = { .media_type = mt, .digest = dg, .size = 2 };
  struct wi_docker_archive_image img = { .desc = &d };
  CHECK(wi_docker_archive_write_file(s, &img, 1, path, &err) < 0);
  CHECK_STR_HAS(err.msg, dg);
  DIR *dd = opendir(dir);
  struct dirent *de;
  int left = 0;
  while (dd && (de = readdir(dd)) != NULL)
    left += de->d_name[0] != '.';
  if (dd)
    closedir(dd);
  CHECK_INT_EQ(left, 0);
}

int
main(void)
{
  wi_err err = { 0 };
  tmp_root = wi_fs_mkdtemp("wlsimg-archive-test", &err);
  if (tmp_root == NULL) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  RUN(test_load_two_images);
  RUN(test_later_manifest_wins);
  RUN(test_bad_tag_names_nothing);
  RUN(test_non_string_tag);
  RUN(test_escaping_member);
  RUN(test_write_file_leaves_nothing_on_failure);
  RUN(test_many_layer_names);
  RUN(test_layer_members);
  wi_fs_rm_rf(tmp_root, &err);
  free(tmp_root);
  DONE();
}
