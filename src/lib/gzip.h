/* wlsimg: streaming gzip compression: parallel libdeflate, reproducible multi-member output. */
#ifndef WI_GZIP_H
#define WI_GZIP_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/digest.h"
#include "lib/err.h"
#include "lib/sink.h"

/* The fixed compression level of layers: libdeflate level 6 (about zlib -6's ratio, 2-3 times its
 * speed). Changing it changes every layer digest. */
#define WI_GZIP_LEVEL_DEFAULT 6

/* Streaming gzip compressor writing to sink: the input is cut into fixed 1 MiB chunks, each one
 * gzip member (no name, mtime 0, OS unix) compressed by libdeflate on worker threads; members are
 * written in order, so the bytes depend only on the input and the level, never on the thread count.
 * Chunks that do not shrink are stored. Memory is bounded (about 4 MiB per thread, at most 8
 * threads). The sink is called only from the thread calling wi_gzip_write/wi_gzip_finish. level:
 * libdeflate 1-12 (0 or out of range = WI_GZIP_LEVEL_DEFAULT). NULL when the compressor cannot be
 * allocated. */
struct wi_gzip;
struct wi_gzip *wi_gzip_new(int level, wi_sink_fn sink, void *payload);
/* The same with an explicit thread count (0 = the CPUs this process may run on; 1 = compress in
 * the caller's thread). The output is identical for every count. */
struct wi_gzip *wi_gzip_new_threads(int level, int threads, wi_sink_fn sink, void *payload);
int wi_gzip_write(struct wi_gzip *z, const void *data, size_t len, wi_err *err);
/* Flush the trailer. The stream cannot be written afterwards. */
int wi_gzip_finish(struct wi_gzip *z, wi_err *err);
void wi_gzip_free(struct wi_gzip *z);
static inline void
wi_gzip_freep(struct wi_gzip **pp)
{
  if (*pp)
    wi_gzip_free(*pp);
}
/* Also hash the uncompressed input into h, on a thread of its own (the layer writer's diff_id).
 * Set it before the first wi_gzip_write; h must outlive the stream. */
void wi_gzip_hash_input(struct wi_gzip *z, struct wi_hasher *h);
/* True when the bytes start with the gzip magic 1f 8b. */
bool wi_gzip_detect(const void *head, size_t len);

#endif
