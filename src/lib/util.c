#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "lib/buf.h"

void
wi_freep(void *pp)
{
  void **p = pp;
  free(*p);
  *p = NULL;
}

void
wi_closep(int *fdp)
{
  if (*fdp >= 0)
    close(*fdp);
  *fdp = -1;
}

void
wi_fclosep(void *fpp)
{
  FILE **fp = fpp;
  if (*fp)
    fclose(*fp);
  *fp = NULL;
}

static void
oom(void)
{
  fputs("wlsimg: out of memory\n", stderr);
  abort();
}

void *
wi_xmalloc(size_t n)
{
  void *p = malloc(n ? n : 1);
  if (p == NULL)
    oom();
  return p;
}

void *
wi_xcalloc(size_t n, size_t size)
{
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (p == NULL)
    oom();
  return p;
}

void *
wi_xrealloc(void *p, size_t n)
{
  void *q = realloc(p, n ? n : 1);
  if (q == NULL)
    oom();
  return q;
}

void *
wi_xreallocarray(void *p, size_t n, size_t size)
{
  size_t total;
  if (__builtin_mul_overflow(n, size, &total))
    oom();
  return wi_xrealloc(p, total);
}

char *
wi_xstrdup(const char *s)
{
  char *p = strdup(s ? s : "");
  if (p == NULL)
    oom();
  return p;
}

char *
wi_xstrndup(const char *s, size_t n)
{
  char *p = strndup(s, n);
  if (p == NULL)
    oom();
  return p;
}

char *
wi_xasprintf(const char *fmt, ...)
{
  va_list ap;
  char *p = NULL;
  int n;

  va_start(ap, fmt);
  n = vasprintf(&p, fmt, ap);
  va_end(ap);
  if (n < 0)
    oom();
  return p;
}

void
wi_secret_free(char *s)
{
  if (s == NULL)
    return;
  explicit_bzero(s, strlen(s));
  free(s);
}

size_t
wi_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
  size_t len;
  uint32_t c = s[0], min;

  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
    c &= 0x1f;
    min = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    c &= 0x0f;
    min = 0x800;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    c &= 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    c = (c << 6) | (s[i] & 0x3f);
  }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
    return 0;
  *cp = c;
  return len;
}

bool
wi_str_has_prefix(const char *s, const char *prefix)
{
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
wi_str_has_suffix(const char *s, const char *suffix)
{
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

int
wi_read_each(int fd, const char *what,
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
  int ret = wi_read_each(fd, what, buf_sink, b, err);

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
wi_read_fd(int fd, size_t max, char **out, size_t *len_out, wi_err *err)
{
  wi_autobuf struct wi_buf b = WI_BUF_INIT(max);
  return read_into(fd, NULL, &b, out, len_out, err);
}

int
wi_read_file(const char *path, size_t max, char **out, size_t *len_out, wi_err *err)
{
  wi_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
  int ret;

  if (fd < 0)
    return wi_err_sys(err, errno == ENOENT ? WI_ENOTFOUND : WI_EIO, "open %s", path);
  ret = wi_read_fd(fd, max, out, len_out, err);
  if (ret < 0)
    return wi_err_wrap(err, "%s", path);
  return 0;
}

int
wi_read_fd_secret(int fd, const char *what, size_t max, char **out, size_t *len_out, wi_err *err)
{
  wi_autobuf struct wi_buf b = WI_BUF_INIT_SECRET(max);
  return read_into(fd, what, &b, out, len_out, err);
}

int
wi_read_file_secret(const char *path, size_t max, char **out, size_t *len_out, wi_err *err)
{
  wi_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return wi_err_sys(err, errno == ENOENT ? WI_ENOTFOUND : WI_EIO, "open %s", path);
  return wi_read_fd_secret(fd, path, max, out, len_out, err);
}

int
wi_write_all(int fd, const void *buf, size_t len, wi_err *err)
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
wi_fsync_dir(const char *dir, wi_err *err)
{
  wi_autoclose int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return wi_err_sys(err, WI_EIO, "open directory %s", dir);
  if (fsync(fd) < 0 && errno != EINVAL)
    return wi_err_sys(err, WI_EIO, "fsync %s", dir);
  return 0;
}

int
wi_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, wi_err *err)
{
  wi_autofree char *tmp = NULL;
  wi_autofree char *dircopy = wi_xstrdup(path);
  char rnd[17];
  int fd = -1, ret;

  if (wi_random_hex(rnd, 8, err) < 0)
    return err->code;
  tmp = wi_xasprintf("%s.tmp-%s", path, rnd);
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return wi_err_sys(err, WI_EIO, "create %s", tmp);
  if (fchmod(fd, mode) < 0) {
    ret = wi_err_sys(err, WI_EIO, "chmod %s", tmp);
    goto fail;
  }
  ret = wi_write_all(fd, data, len, err);
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
  return wi_fsync_dir(dirname(dircopy), err);
fail:
  if (fd >= 0)
    close(fd);
  unlink(tmp);
  return ret;
}

int
wi_mkdir_p(const char *path, mode_t mode, wi_err *err)
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
wi_rm_rf(const char *path, wi_err *err)
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
wi_mkdtemp(const char *prefix, wi_err *err)
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
wi_copy_file(const char *src, const char *dst, mode_t mode, wi_err *err)
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

double
wi_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
wi_random_hex(char *out, size_t nbytes, wi_err *err)
{
  unsigned char raw[64];
  static const char hex[] = "0123456789abcdef";

  if (nbytes > sizeof raw)
    return wi_err_set(err, WI_EINVAL, "random request too large");
  if (RAND_bytes(raw, (int)nbytes) != 1)
    return wi_err_set(err, WI_ERR, "random number generator failed");
  for (size_t i = 0; i < nbytes; i++) {
    out[2 * i] = hex[raw[i] >> 4];
    out[2 * i + 1] = hex[raw[i] & 15];
  }
  out[2 * nbytes] = '\0';
  return 0;
}

int
wi_hexval(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

char *
wi_base64_encode(const void *data, size_t len)
{
  size_t cap = 4 * ((len + 2) / 3) + 1;
  char *out = wi_xmalloc(cap);
  int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
  out[n] = '\0';
  return out;
}

unsigned char *
wi_base64_decode(const char *s, size_t *len_out)
{
  size_t len = strlen(s);
  if (len % 4 != 0)
    return NULL;
  unsigned char *out = wi_xmalloc(len / 4 * 3 + 1);
  int n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
  if (n < 0) {
    free(out);
    return NULL;
  }
  /* EVP_DecodeBlock counts padding bytes as data; remove them. */
  if (len >= 1 && s[len - 1] == '=')
    n--;
  if (len >= 2 && s[len - 2] == '=')
    n--;
  out[n] = '\0';
  *len_out = (size_t)n;
  return out;
}

char *
wi_base64url_encode(const void *data, size_t len)
{
  char *s = wi_base64_encode(data, len);
  size_t n = strlen(s);
  while (n > 0 && s[n - 1] == '=')
    s[--n] = '\0';
  for (char *p = s; *p; p++) {
    if (*p == '+')
      *p = '-';
    else if (*p == '/')
      *p = '_';
  }
  return s;
}

unsigned char *
wi_base64url_decode(const char *s, size_t len, size_t *len_out)
{
  size_t padded = (len + 3) / 4 * 4;
  wi_autofree char *tmp = wi_xmalloc(padded + 1);

  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=')
      return NULL;
    tmp[i] = c;
  }
  for (size_t i = len; i < padded; i++)
    tmp[i] = '=';
  tmp[padded] = '\0';
  if (len % 4 == 1)
    return NULL;
  return wi_base64_decode(tmp, len_out);
}

const char *
wi_home_dir(void)
{
  const char *h = getenv("HOME");
  if (h && *h)
    return h;
  struct passwd *pw = getpwuid(getuid());
  return pw && pw->pw_dir ? pw->pw_dir : "/";
}

char *
wi_data_path(const char *sub)
{
  const char *x = getenv("XDG_DATA_HOME");
  if (x && *x)
    return wi_xasprintf("%s/wlsimg/%s", x, sub);
  return wi_xasprintf("%s/.local/share/wlsimg/%s", wi_home_dir(), sub);
}
