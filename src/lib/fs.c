#include "lib/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/util.h"

int
wi_fs_read_each(int fd, const char *what,
                int (*fn)(const void *data, size_t len, void *payload, wi_err *err), void *payload,
                wi_err *err)
{
  const size_t chunk = 64 * 1024;
  char *buf = wi_xmalloc(chunk);
  int ret = 0;

  for (;;) {
    ssize_t n = read(fd, buf, chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      ret = what ? wi_err_sys(err, WI_EIO, "read %s", what) : wi_err_sys(err, WI_EIO, "read");
      break;
    }
    if (n == 0)
      break;
    ret = fn(buf, (size_t)n, payload, err);
    if (ret < 0)
      break;
  }
  explicit_bzero(buf, chunk); /* it may have carried a secret */
  free(buf);
  return ret;
}

static int
buf_sink(const void *data, size_t len, void *payload, wi_err *err)
{
  return wi_buf_add(payload, data, len, err);
}

/* Read fd into b (plain or secret) and hand the bytes out. */
static int
read_into(int fd, const char *what, struct wi_buf *b, char **out, size_t *len_out, wi_err *err)
{
  int ret = wi_fs_read_each(fd, what, buf_sink, b, err);

  if (ret == WI_ETOOBIG && what)
    ret = wi_err_set(err, WI_ETOOBIG, "%s: larger than %zu bytes", what, b->max);
  if (ret < 0)
    return ret;
  if (len_out)
    *len_out = b->len;
  *out = wi_buf_steal(b);
  return 0;
}

int
wi_fs_read_fd(int fd, size_t max, char **out, size_t *len_out, wi_err *err)
{
  wi_autobuf struct wi_buf b = WI_BUF_INIT(max);
  return read_into(fd, NULL, &b, out, len_out, err);
}

int
wi_fs_read_file(const char *path, size_t max, char **out, size_t *len_out, wi_err *err)
{
  wi_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
  int ret;

  if (fd < 0)
    return wi_err_sys(err, errno == ENOENT ? WI_ENOTFOUND : WI_EIO, "open %s", path);
  ret = wi_fs_read_fd(fd, max, out, len_out, err);
  if (ret < 0)
    return wi_err_wrap(err, "%s", path);
  return 0;
}

int
wi_fs_read_fd_secret(int fd, const char *what, size_t max, char **out, size_t *len_out, wi_err *err)
{
  wi_autobuf struct wi_buf b = WI_BUF_INIT_SECRET(max);
  return read_into(fd, what, &b, out, len_out, err);
}

int
wi_fs_read_file_secret(const char *path, size_t max, char **out, size_t *len_out, wi_err *err)
{
  wi_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return wi_err_sys(err, errno == ENOENT ? WI_ENOTFOUND : WI_EIO, "open %s", path);
  return wi_fs_read_fd_secret(fd, path, max, out, len_out, err);
}

int
wi_fs_write_all(int fd, const void *buf, size_t len, wi_err *err)
{
  const char *p = buf;

  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return wi_err_sys(err, WI_EIO, "write");
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int
wi_fs_fsync_dir(const char *dir, wi_err *err)
{
  wi_autoclose int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return wi_err_sys(err, WI_EIO, "open directory %s", dir);
  if (fsync(fd) < 0 && errno != EINVAL)
    return wi_err_sys(err, WI_EIO, "fsync %s", dir);
  return 0;
}

int
wi_fs_create_tmp(const char *path, mode_t mode, char **tmp_out, wi_err *err)
{
  char rnd[17];

  *tmp_out = NULL;
  if (wi_util_random_hex(rnd, 8, err) < 0)
    return err->code;
  char *tmp = wi_xasprintf("%s.tmp-%s", path, rnd);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    wi_err_sys(err, WI_EIO, "create %s", tmp);
    free(tmp);
    return err->code;
  }
  *tmp_out = tmp;
  return fd;
}

/* exact: chmod to mode after creating, so the umask cannot take bits away (private files that
 * must stay usable by their owner, a file rewritten in place that keeps its mode). */
static int
write_atomic(const char *path, const void *data, size_t len, mode_t mode, bool exact, wi_err *err)
{
  wi_autofree char *tmp = NULL;
  wi_autofree char *dircopy = wi_xstrdup(path);
  int ret;

  int fd = wi_fs_create_tmp(path, mode, &tmp, err);
  if (fd < 0)
    return fd;
  if (exact && fchmod(fd, mode) < 0) {
    ret = wi_err_sys(err, WI_EIO, "chmod %s", tmp);
    goto fail;
  }
  ret = wi_fs_write_all(fd, data, len, err);
  if (ret < 0) {
    wi_err_wrap(err, "%s", tmp);
    goto fail;
  }
  if (fsync(fd) < 0) {
    ret = wi_err_sys(err, WI_EIO, "fsync %s", tmp);
    goto fail;
  }
  close(fd);
  fd = -1;
  if (rename(tmp, path) < 0) {
    ret = wi_err_sys(err, WI_EIO, "rename %s to %s", tmp, path);
    goto fail;
  }
  return wi_fs_fsync_dir(dirname(dircopy), err);
fail:
  if (fd >= 0)
    close(fd);
  unlink(tmp);
  return ret;
}

int
wi_fs_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, wi_err *err)
{
  return write_atomic(path, data, len, mode, false, err);
}

int
wi_fs_write_file_atomic_exact(const char *path, const void *data, size_t len, mode_t mode,
                              wi_err *err)
{
  return write_atomic(path, data, len, mode, true, err);
}

int
wi_fs_mkdir_p(const char *path, mode_t mode, wi_err *err)
{
  wi_autofree char *p = wi_xstrdup(path);
  size_t len = strlen(p);

  while (len > 1 && p[len - 1] == '/')
    p[--len] = '\0';
  for (char *s = p + 1; *s; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    if (mkdir(p, mode) < 0 && errno != EEXIST)
      return wi_err_sys(err, WI_EIO, "mkdir %s", p);
    *s = '/';
  }
  if (mkdir(p, mode) < 0 && errno != EEXIST)
    return wi_err_sys(err, WI_EIO, "mkdir %s", p);
  return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  WI_UNUSED(st);
  WI_UNUSED(ftw);
  if (flag == FTW_DP)
    return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
  return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int
wi_fs_rm_rf(const char *path, wi_err *err)
{
  struct stat st;

  if (lstat(path, &st) < 0)
    return errno == ENOENT ? 0 : wi_err_sys(err, WI_EIO, "stat %s", path);
  if (!S_ISDIR(st.st_mode)) {
    if (unlink(path) < 0 && errno != ENOENT)
      return wi_err_sys(err, WI_EIO, "remove %s", path);
    return 0;
  }
  if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) < 0)
    return wi_err_sys(err, WI_EIO, "remove %s", path);
  return 0;
}

char *
wi_fs_mkdtemp(const char *prefix, wi_err *err)
{
  const char *base = getenv("TMPDIR");
  char *tmpl = wi_xasprintf("%s/%sXXXXXX", base && *base ? base : "/tmp", prefix);

  if (mkdtemp(tmpl) == NULL) {
    wi_err_sys(err, WI_EIO, "create temporary directory %s", tmpl);
    free(tmpl);
    return NULL;
  }
  return tmpl;
}

int
wi_fs_copy_file(const char *src, const char *dst, mode_t mode, wi_err *err)
{
  wi_autoclose int in = open(src, O_RDONLY | O_CLOEXEC);
  wi_autoclose int out = -1;
  struct stat st;

  if (in < 0)
    return wi_err_sys(err, errno == ENOENT ? WI_ENOTFOUND : WI_EIO, "open %s", src);
  if (fstat(in, &st) < 0)
    return wi_err_sys(err, WI_EIO, "stat %s", src);
  out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (out < 0)
    return wi_err_sys(err, WI_EIO, "create %s", dst);
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL))
      n = sendfile(out, in, NULL, (size_t)left);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return wi_err_sys(err, WI_EIO, "copy %s to %s", src, dst);
    }
    if (n == 0)
      break;
    left -= n;
  }
  return 0;
}
