/* wlsimg: `update` built natively where nothing has to run in the image (update.c).
 *
 * WIT's update with no patches and no WDT files (wit-primary §7.2, scenario U5_nothing) still
 * builds this Dockerfile:
 *
 *   FROM <fromImage> AS final_build
 *   USER root
 *   ENV OPATCH_NO_FUSER=true
 *   LABEL com.oracle.weblogic.imagetool.buildid="<id>"
 *   USER <user>
 *
 * which changes only the config. wi_update_build writes that image without an engine: the base's
 * layers and config, OPATCH_NO_FUSER=true in Env (replaced in place if present), the build id
 * label, User=<user>, one empty-layer history entry per instruction, `created` = epoch, then the
 * config-only instructions of [final-build-commands]. Same inputs, same digest.
 */
#ifndef WI_UPDATE_H
#define WI_UPDATE_H

#include <stdint.h>

#include "lib/digest.h"
#include "lib/err.h"
#include "lib/image.h"
#include "lib/store.h"

struct wi_update_opts {
  struct wi_store *store;      /* holds the base's blobs; the result is written there */
  const struct wi_image *from; /* --fromImage (wi_image_open) */
  const char *user;            /* the final USER: the Oracle Home's owner, as WIT takes it from
                                  the probe (oracleHomeUser) or --chown (required) */
  const char *tag;             /* name for the result in the store (NULL = none) */
  const char *build_id;        /* the label's value; NULL = derived from the inputs (UUID form) */
  int64_t epoch;               /* SOURCE_DATE_EPOCH, else 0 (wi_rebase_epoch) */
  const char *const *changes;  /* config-only instructions after USER (WIT's
                                  [final-build-commands]: ENV, LABEL, USER, …), in order */
  size_t n_changes;
};

struct wi_update_result {
  char digest[WI_DIGEST_MAX]; /* the new image's manifest digest */
  char build_id[40];
};

/* The build id wi_update_build derives when o->build_id is NULL: a sha256 of the inputs (the
 * image's manifest digest, the user, epoch, changes) in UUID form. */
void wi_update_build_id(const struct wi_update_opts *o, char out[WI_DIGEST_UUID_SIZE]);

/* Build the config-only update. WI_EINVAL for a missing store, image or user; store errors. */
int wi_update_build(const struct wi_update_opts *o, struct wi_update_result *res, wi_err *err);

#endif
