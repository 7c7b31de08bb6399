#include "lib/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/log.h"

void
wi_buf_init(struct wi_buf *b, size_t max)
{
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
  b->secret = false;
  b->failed = 0;
}

void
wi_buf_dispose(struct wi_buf *b)
{
  if (b->secret && b->data)
    explicit_bzero(b->data, b->cap);
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
  b->failed = 0;
}

void
wi_buf_dispose_secret(struct wi_buf *b)
{
  if (b->data)
    explicit_bzero(b->data, b->cap);
  wi_buf_dispose(b);
}

void
wi_buf_reset(struct wi_buf *b)
{
  b->len = 0;
  b->failed = 0;
  if (b->data)
    b->data[0] = '\0';
}

static int
too_big(const struct wi_buf *b, const char *what, wi_err *err)
{
  return wi_err_set(err, WI_ETOOBIG, "%s exceeds the limit of %zu bytes", what, b->max);
}

static int
reserve(struct wi_buf *b, size_t extra, wi_err *err)
{
  size_t need;

  if (b->failed)
    return too_big(b, "data", err);
  if (__builtin_add_overflow(b->len, extra, &need) || need > b->max) {
    b->failed = WI_ETOOBIG; /* nothing more goes in: no hole in the middle of the data */
    return too_big(b, "data", err);
  }
  if (need + 1 <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need + 1)
    cap = cap > SIZE_MAX / 2 ? need + 1 : cap * 2;
  if (b->secret && b->data) {
    /* realloc could leave the old copy behind: move it by hand and wipe it */
    char *n = wi_xmalloc(cap);
    memcpy(n, b->data, b->len + 1);
    explicit_bzero(b->data, b->cap);
    free(b->data);
    b->data = n;
  } else {
    b->data = wi_xrealloc(b->data, cap);
  }
  b->cap = cap;
  return 0;
}

int
wi_buf_add(struct wi_buf *b, const void *data, size_t len, wi_err *err)
{
  if (reserve(b, len, err) < 0)
    return WI_ETOOBIG;
  if (len)
    memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

int
wi_buf_adds(struct wi_buf *b, const char *s, wi_err *err)
{
  return wi_buf_add(b, s, strlen(s), err);
}

int
wi_buf_addf(struct wi_buf *b, wi_err *err, const char *fmt, ...)
{
  va_list ap;
  char small[256];
  int n;

  va_start(ap, fmt);
  n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0)
    return wi_err_set(err, WI_EINVAL, "formatting failed");
  if ((size_t)n < sizeof small)
    return wi_buf_add(b, small, (size_t)n, err);
  if (reserve(b, (size_t)n, err) < 0)
    return WI_ETOOBIG;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return 0;
}

void
wi_buf_clear_error(struct wi_buf *b)
{
  b->failed = 0;
}

int
wi_buf_error(const struct wi_buf *b, const char *what, wi_err *err)
{
  return b->failed ? too_big(b, what, err) : 0;
}

/* A failed buffer reached a consumer that did not check it: a bug, never a silent truncation. */
static void
check_consumed(const struct wi_buf *b)
{
  if (b->failed == 0)
    return;
  wi_log(WI_LOG_ERROR,
         "internal error: a buffer capped at %zu bytes overflowed and was used "
         "without checking (wi_buf_error)",
         b->max);
  abort();
}

char *
wi_buf_steal(struct wi_buf *b)
{
  check_consumed(b);
  char *p = b->data ? b->data : wi_xstrdup("");
  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}

const char *
wi_buf_cstr(const struct wi_buf *b)
{
  check_consumed(b);
  return b->data ? b->data : "";
}
