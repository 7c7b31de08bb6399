/* wlsimg: a growable, NUL-terminated byte buffer with a mandatory size cap (curl's dynbuf).
 * Going past the cap returns WI_ETOOBIG and leaves the contents as they were. */
#ifndef WI_BUF_H
#define WI_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

struct wi_buf {
  char *data; /* NUL-terminated; NULL until the first append */
  size_t len;
  size_t cap;
  size_t max;
  bool secret; /* wipe every buffer given up on growth, and the data on dispose */
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
void wi_buf_reset(struct wi_buf *b);
int wi_buf_add(struct wi_buf *b, const void *data, size_t len, wi_err *err);
int wi_buf_adds(struct wi_buf *b, const char *s, wi_err *err);
int wi_buf_addf(struct wi_buf *b, wi_err *err, const char *fmt, ...) WI_PRINTF(3, 4);
/* Hand the data out (never NULL: an empty buffer gives ""); the buffer is left empty. */
char *wi_buf_steal(struct wi_buf *b);
/* Never NULL. */
const char *wi_buf_cstr(const struct wi_buf *b);

static inline void
wi_buf_disposep(struct wi_buf *b)
{
  wi_buf_dispose(b);
}
#define wi_autobuf __attribute__((cleanup(wi_buf_disposep)))

#endif
