/* wlsimg: streaming gzip decompression (zlib) — see gunzip.h. */
#include "lib/gunzip.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "lib/alloc.h"

#define CHUNK (64 * 1024)

struct wi_gunzip {
  z_stream zs;
  wi_sink_fn sink;
  void *payload;
  bool in_member; /* inside a gzip member (header seen, end not reached) */
  bool any;       /* at least one member started */
  unsigned char out[CHUNK];
};

struct wi_gunzip *
wi_gunzip_new(wi_sink_fn sink, void *payload)
{
  struct wi_gunzip *z = wi_xcalloc(1, sizeof *z);
  if (inflateInit2(&z->zs, 15 + 16) != Z_OK) {
    free(z);
    return NULL;
  }
  z->sink = sink;
  z->payload = payload;
  return z;
}

int
wi_gunzip_write(struct wi_gunzip *z, const void *data, size_t len, wi_err *err)
{
  const unsigned char *p = data;
  while (len > 0) {
    uInt n = len > CHUNK ? CHUNK : (uInt)len;
    z->zs.next_in = (unsigned char *)(uintptr_t)p;
    z->zs.avail_in = n;
    p += n;
    len -= n;
    while (z->zs.avail_in > 0) {
      if (!z->in_member) {
        /* Another member follows the previous one (multi-member gzip, as pigz writes). */
        if (z->any && inflateReset(&z->zs) != Z_OK)
          return wi_err_set(err, WI_ERR, "gzip data: cannot reset the decompressor");
        z->in_member = true;
        z->any = true;
      }
      z->zs.next_out = z->out;
      z->zs.avail_out = sizeof z->out;
      int zr = inflate(&z->zs, Z_NO_FLUSH);
      if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
        return wi_err_set(err, WI_EINVAL, "gzip data: %s",
                          z->zs.msg ? z->zs.msg : "corrupt stream");
      size_t have = sizeof z->out - z->zs.avail_out;
      if (have > 0) {
        int ret = z->sink(z->out, have, z->payload, err);
        if (ret < 0)
          return ret;
      }
      if (zr == Z_STREAM_END)
        z->in_member = false;
      else if (zr == Z_BUF_ERROR && have == 0)
        break;
    }
  }
  return 0;
}

int
wi_gunzip_finish(struct wi_gunzip *z, wi_err *err)
{
  /* Drain what inflate still holds (output that did not fit the last buffer). */
  while (z->in_member) {
    z->zs.next_in = NULL;
    z->zs.avail_in = 0;
    z->zs.next_out = z->out;
    z->zs.avail_out = sizeof z->out;
    int zr = inflate(&z->zs, Z_NO_FLUSH);
    size_t have = sizeof z->out - z->zs.avail_out;
    if (have > 0) {
      int ret = z->sink(z->out, have, z->payload, err);
      if (ret < 0)
        return ret;
    }
    if (zr == Z_STREAM_END) {
      z->in_member = false;
      break;
    }
    if (have == 0)
      return wi_err_set(err, WI_EINVAL, "truncated gzip data");
  }
  if (!z->any)
    return wi_err_set(err, WI_EINVAL, "empty gzip data");
  return 0;
}

void
wi_gunzip_free(struct wi_gunzip *z)
{
  if (z == NULL)
    return;
  inflateEnd(&z->zs);
  free(z);
}

int
wi_gunzip_fd(int fd, const char *what, wi_sink_fn sink, void *payload, wi_err *err)
{
  wi_autoptr(wi_gunzip) struct wi_gunzip *z = wi_gunzip_new(sink, payload);
  wi_autofree unsigned char *buf = wi_xmalloc(CHUNK);
  int ret;

  if (z == NULL)
    return wi_err_set(err, WI_ERR, "%s: cannot start the decompressor", what);
  for (;;) {
    ssize_t n = read(fd, buf, CHUNK);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return wi_err_sys(err, WI_EIO, "read %s", what);
    if (n == 0)
      break;
    ret = wi_gunzip_write(z, buf, (size_t)n, err);
    if (ret < 0)
      return ret == WI_EINVAL ? wi_err_wrap(err, "%s", what) : ret;
  }
  ret = wi_gunzip_finish(z, err);
  if (ret == WI_EINVAL)
    return wi_err_wrap(err, "%s", what);
  return ret;
}
