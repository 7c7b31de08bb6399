/* wlsimg: streaming gzip decompression (zlib), multi-member streams included. */
#ifndef WI_GUNZIP_H
#define WI_GUNZIP_H

#include <stddef.h>

#include "lib/err.h"
#include "lib/sink.h"

/* Streaming gunzip (also multi-member streams) writing the decompressed bytes to sink. */
struct wi_gunzip;
struct wi_gunzip *wi_gunzip_new(wi_sink_fn sink, void *payload);
/* WI_EINVAL on corrupt data (the message says where: "gzip data: invalid block type"). */
int wi_gunzip_write(struct wi_gunzip *z, const void *data, size_t len, wi_err *err);
/* WI_EINVAL when the stream ended early ("truncated gzip data"). */
int wi_gunzip_finish(struct wi_gunzip *z, wi_err *err);
void wi_gunzip_free(struct wi_gunzip *z);
static inline void
wi_gunzip_freep(struct wi_gunzip **pp)
{
  if (*pp)
    wi_gunzip_free(*pp);
}
/* Decompress everything read from fd into sink. `what` names the input in messages. */
int wi_gunzip_fd(int fd, const char *what, wi_sink_fn sink, void *payload, wi_err *err);

#endif
