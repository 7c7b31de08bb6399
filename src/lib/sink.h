/* wlsimg: the byte sink callback that streaming writers (gzip, gunzip, layers) hand output to. */
#ifndef WI_SINK_H
#define WI_SINK_H

#include <stddef.h>

#include "lib/err.h"

/* Receives output bytes; returns 0 or a negative WI_E* code (with err set). */
typedef int (*wi_sink_fn)(const void *data, size_t len, void *payload, wi_err *err);

#endif
