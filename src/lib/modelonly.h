/* wlsimg: `update --wdtModelOnly` with no model to validate, built natively (modelonly.c).
 *
 * WIT's update with --wdtModelOnly and only --wdtVariables (wit-primary §7.2, §14.2) builds a
 * wdt_build stage on the image (WDT unzipped into <wdt_home> after `rm -rf weblogic-deploy`, the
 * files copied into <wdt_model_home>) and then, on the same image, this final stage:
 *
 *   USER root / ENV OPATCH_NO_FUSER=true
 *   ENV DOMAIN_HOME=<dh> WDT_HOME=<wh> WDT_MODEL_HOME=<mh> PATH=${PATH}:<dh>/bin
 *   LABEL com.oracle.weblogic.imagetool.buildid="<id>" / USER <u>
 *   RUN mkdir -p <dirname dh> <wh> <mh> && chown <u>:<g> <dirname dh> <wh> <mh>     (as <u>)
 *   COPY --from=wdt_build --chown=<u>:<g> <wh> <wh>/
 *   [COPY --from=wdt_build --chown=<u>:<g> <mh> <mh>/]         (model home outside the WDT home)
 *   [RUN chmod -R g=u <dirname dh> <wh> <mh>]                   (--target OpenShift, as <u>)
 *
 * wi_modelonly_build writes that image layer by layer, nothing run:
 *  1. the mkdir layer: missing components made as <u> makes them (its uid and primary gid, 0755),
 *     then the three directories owned <u>:<g> (names resolved in the image's /etc/passwd and
 *     /etc/group); what the RUN could not do as <u> (a parent it cannot write, a directory it does
 *     not own, a group it is not in) is an error naming it, as the engine's build would fail;
 *  2. the COPY layer: the wdt_build tree of <wh> — the image's own (old models too), its
 *     weblogic-deploy replaced by the installer's, the files added — every entry owned <u>:<g>
 *     with its mode in that tree; <wh> itself keeps its owner and mode, while directories beneath
 * it that the image already has take the copied ones' (buildah's COPY does so); the image's old
 *     weblogic-deploy files that the new WDT lacks stay as they are (a COPY merges, it never
 *     deletes);
 *  3. the model home's COPY layer when it lies outside the WDT home, alike;
 *  4. with openshift, the chmod layer: every entry under the three directories with its group bits
 *     set to its user bits (an entry <u> does not own is an error, as chmod would fail);
 * and the image's config with those ENV (PATH expanded from the image's), the label, User=<u>,
 * one history entry per instruction, then the config-only [final-build-commands].
 * Reproducible: every time stamp the build makes is epoch, the layers are sorted tars, the build id
 * derives from the inputs; the same inputs give the same digest.
 */
#ifndef WI_MODELONLY_H
#define WI_MODELONLY_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/digest.h"
#include "lib/err.h"
#include "lib/image.h"
#include "lib/store.h"

struct wi_modelonly_opts {
  struct wi_store *store;      /* holds the image's blobs; the result is written there */
  const struct wi_image *from; /* --fromImage (wi_image_open) */
  const char *user, *group;    /* the owner (the Oracle Home's, or --chown): names or numbers */
  const char *domain_home;     /* as typed: ENV DOMAIN_HOME, PATH, and its parent is made */
  const char *wdt_home;        /* as typed */
  const char
      *wdt_model_home;      /* as typed (WIT's default <wdt_home>/models resolved by the caller) */
  const char *installer;    /* the WDT installer file (zip or tar.gz) */
  const char *const *files; /* files copied into the model home, in order (their base names) */
  size_t n_files;
  bool openshift;
  const char *tag;            /* name for the result in the store (NULL = none) */
  const char *build_id;       /* the label's value; NULL = wi_modelonly_build_id */
  int64_t epoch;              /* SOURCE_DATE_EPOCH, else 0 */
  const char *const *changes; /* config-only [final-build-commands], rendered */
  size_t n_changes;
};

struct wi_modelonly_result {
  char digest[WI_DIGEST_MAX]; /* the new image's manifest digest */
  char build_id[40];
  int64_t layer_bytes; /* compressed size of the new layers */
};

/* The build id from the inputs (the image's manifest digest, owner, paths, OpenShift, epoch, the
 * installer's and every file's digest, mode and name, changes) in UUID form. WI_EIO when a file
 * cannot be read. */
int wi_modelonly_build_id(const struct wi_modelonly_opts *o, char out[WI_DIGEST_UUID_SIZE],
                          wi_err *err);

/* Build it. Errors, with nothing named in the store: WI_EINVAL for a missing option, a relative
 * path, an owner not in the image's files, what `RUN mkdir/chown/chmod` or `rm -rf` as <u> would
 * fail on (naming the path, its owner and mode), a bad installer; WI_EIO for unreadable files;
 * store errors. */
int wi_modelonly_build(const struct wi_modelonly_opts *o, struct wi_modelonly_result *res,
                       wi_err *err);

#endif
