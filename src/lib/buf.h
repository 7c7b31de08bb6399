/* wlsimg: a growable, NUL-terminated byte buffer with a mandatory size cap (curl's dynbuf).
 *
 * Going past the cap returns WI_ETOOBIG and leaves the contents as they were; the failure sticks
 * (libgit2's git_str): every later append does nothing and returns it too, so a caller may ignore
 * the results of its appends and check once, where it consumes the buffer, with wi_buf_error().
 * Consuming a failed buffer without that check (wi_buf_steal, wi_buf_cstr) is a programming error
 * and aborts: a cap can never again drop data silently.
 */
#ifndef WI_BUF_H
#define WI_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* The cap of a buffer that builds output (a Dockerfile, a message, a digest's input) from input
 * that was capped where it entered: its size follows from those caps, and a second, smaller cap
 * could only cut the output short. */
#define WI_BUF_NO_CAP SIZE_MAX

struct wi_buf {
  char *data; /* NUL-terminated; NULL until the first append */
  size_t len;
  size_t cap;
  size_t max;
  bool secret; /* wipe every buffer given up on growth, and the data on dispose */
  int failed;  /* 0, or the code of the first append that failed (sticky until reset) */
};

#define WI_BUF_INIT(maxbytes)                           \
  {                                                     \
    .data = NULL, .len = 0, .cap = 0, .max = (maxbytes) \
  }
/* A buffer for secrets: no copy is left unwiped in freed memory (dispose wipes too). */
#define WI_BUF_INIT_SECRET(maxbytes)                                    \
  {                                                                     \
    .data = NULL, .len = 0, .cap = 0, .max = (maxbytes), .secret = true \
  }

void wi_buf_init(struct wi_buf *b, size_t max);
void wi_buf_dispose(struct wi_buf *b);
/* Dispose with explicit_bzero first (for buffers that held secrets). */
void wi_buf_dispose_secret(struct wi_buf *b);
/* Empty the buffer (and forget a failure). */
void wi_buf_reset(struct wi_buf *b);
int wi_buf_add(struct wi_buf *b, const void *data, size_t len, wi_err *err);
int wi_buf_adds(struct wi_buf *b, const char *s, wi_err *err);
int wi_buf_addf(struct wi_buf *b, wi_err *err, const char *fmt, ...) WI_PRINTF(3, 4);
/* Forget a failed append, for a buffer whose head is worth keeping (a log); the caller records the
 * truncation itself. */
void wi_buf_clear_error(struct wi_buf *b);
/* 0, or the sticky failure of an earlier append (WI_ETOOBIG) with a message naming what (the
 * buffer's contents, e.g. "Dockerfile") and the cap. Call it before consuming the buffer. */
int wi_buf_error(const struct wi_buf *b, const char *what, wi_err *err);
/* Hand the data out (never NULL: an empty buffer gives ""); the buffer is left empty. Aborts when
 * an append failed and nobody checked (wi_buf_error). */
char *wi_buf_steal(struct wi_buf *b);
/* Never NULL. Aborts as wi_buf_steal does. */
const char *wi_buf_cstr(const struct wi_buf *b);

static inline void
wi_buf_disposep(struct wi_buf *b)
{
  wi_buf_dispose(b);
}
#define wi_autobuf __attribute__((cleanup(wi_buf_disposep)))

#endif
