/* wlsimg: WIT's `inspect` report (wit-compat §8) for an image read with image.h. */
#ifndef WI_INSPECT_H
#define WI_INSPECT_H

#include <stdbool.h>

#include "lib/err.h"
#include "lib/image.h"
#include "lib/store.h"

/* WIT's inspect report (wit-compat §8) as JSON text (malloc'ed; WIT's layout, values escaped). */
int wi_inspect_json(struct wi_store *s, const struct wi_image *img, bool patches, char **json_out,
                    wi_err *err);

#endif
