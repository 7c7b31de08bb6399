/* Unit tests for fs.c: the modes of atomic writes and temporary files under different umasks. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/fs.h"

static char *root;

static unsigned
mode_of(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 01000;
}

TEST(atomic_write_honours_umask)
{
  static const struct {
    mode_t umask_, mode;
    unsigned want;
  } cases[] = {
    { 022, 0666, 0644 }, { 077, 0666, 0600 }, { 002, 0666, 0664 },
    { 027, 0666, 0640 }, { 000, 0600, 0600 }, { 077, 0600, 0600 },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    wi_err err = { 0 };
    wi_autofree char *p = wi_xasprintf("%s/a%zu", root, i);
    mode_t old = umask(cases[i].umask_);
    CHECK_INT_EQ(wi_fs_write_file_atomic(p, "x", 1, cases[i].mode, &err), 0);
    umask(old);
    CHECK_INT_EQ(mode_of(p), cases[i].want);
  }
}

TEST(exact_write_ignores_umask)
{
  wi_err err = { 0 };
  wi_autofree char *p = wi_xasprintf("%s/private", root);
  wi_autofree char *q = wi_xasprintf("%s/kept", root);
  mode_t old = umask(0277); /* would take the owner's write bit */
  CHECK_INT_EQ(wi_fs_write_file_atomic_exact(p, "secret", 6, 0600, &err), 0);
  CHECK_INT_EQ(wi_fs_write_file_atomic_exact(q, "x", 1, 0664, &err), 0); /* a mode kept as it was */
  umask(old);
  CHECK_INT_EQ(mode_of(p), 0600);
  CHECK_INT_EQ(mode_of(q), 0664);
}

TEST(create_tmp)
{
  wi_err err = { 0 };
  char *tmp = NULL;
  wi_autofree char *p = wi_xasprintf("%s/out.tar", root);
  mode_t old = umask(027);
  int fd = wi_fs_create_tmp(p, 0666, &tmp, &err);
  umask(old);
  CHECK(fd >= 0);
  CHECK(tmp != NULL && strncmp(tmp, p, strlen(p)) == 0 && strstr(tmp, ".tmp-") != NULL);
  if (fd >= 0)
    close(fd);
  CHECK_INT_EQ(mode_of(tmp), 0640);
  free(tmp);
  wi_autofree char *bad = wi_xasprintf("%s/no/such/dir/x", root);
  CHECK(wi_fs_create_tmp(bad, 0666, &tmp, &err) < 0);
  CHECK_STR_HAS(err.msg, "no/such/dir/x.tmp-");
  CHECK(tmp == NULL);
}

int
main(void)
{
  wi_err err = { 0 };
  root = wi_fs_mkdtemp("fs-test.", &err);
  if (root == NULL)
    return 1;
  RUN(atomic_write_honours_umask);
  RUN(exact_write_ignores_umask);
  RUN(create_tmp);
  wi_fs_rm_rf(root, &err);
  free(root);
  DONE();
}
