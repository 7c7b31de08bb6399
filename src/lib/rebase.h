/* wlsimg: `rebase --targetImage` built natively (rebase.c), with no container engine.
 *
 * WIT's rebase to an existing target (wit-primary §8.2) is a Dockerfile that copies the source
 * image's domain home onto the target image:
 *
 *   FROM <source> AS source_image
 *   FROM <target> AS final_build
 *   ENV DOMAIN_HOME=<domain_home>
 *   LABEL com.oracle.weblogic.imagetool.buildid="<id>"
 *   USER <user>
 *   RUN mkdir -p <domain_home>
 *   COPY --from=source_image --chown=<user>:<group> <domain_home> <domain_home>/
 *   [RUN chmod -R g=u <domain_home>]                      (--target OpenShift)
 *   WORKDIR <domain_home>
 *
 * wi_rebase_build writes the same image layer by layer: the target's layers, then
 *  1. the mkdir layer: the missing components of domain_home, owned by the user's uid and primary
 *     gid from the TARGET's /etc/passwd, mode 0755, with the existing parents as they are;
 *  2. the COPY layer: the source's domain home as its layers merge (whiteouts and opaque
 *     directories honoured), every entry owned <user>:<group> (names resolved in the target), modes
 *     and contents kept; directories that already exist in the target (the domain home itself, from
 *     step 1) keep their owner and mode; the parents as they are;
 *  3. with openshift, the chmod layer: every entry of the domain home with its group bits set to
 *     its user bits;
 * and the target's config with DOMAIN_HOME set (replaced in place if present), the build id label,
 * User=<user>, WorkingDir=<domain_home>, one history entry per instruction.
 *
 * Streaming: the COPY and chmod layers are written as the walk over the source's layers meets
 * each entry (wi_layer_stream): file contents go from the inflated source layer through the tar
 * writer into the parallel gzip and the store blob, and memory holds paths, never contents.
 * Reproducible: the entries come in the order of the source's layers (top first) and tars; every
 * time stamp the build makes is `epoch`; copied entries keep their own mtime; the same inputs give
 * the same digest.
 */
#ifndef WI_REBASE_H
#define WI_REBASE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/digest.h"
#include "lib/err.h"
#include "lib/image.h"
#include "lib/store.h"

struct wi_rebase_opts {
  struct wi_store *store;        /* holds both images' blobs; the result is written there */
  const struct wi_image *source; /* the image with the domain (wi_image_open) */
  const struct wi_image *target; /* the image with the new Oracle Home */
  const char *domain_home;       /* the source's DOMAIN_HOME: ENV, mkdir, WORKDIR (required) */
  const char *copy_path;         /* what is copied: NULL = domain_home; for a model-only source, its
                                    WDT home (WIT copies <wdt_home>, still with ENV/mkdir/WORKDIR of
                                    domain_home) */
  const char *user;              /* name or uid, resolved in the target's /etc/passwd (required) */
  const char *group;             /* name or gid, resolved in the target's /etc/group (required) */
  bool openshift;                /* --target OpenShift: the chmod -R g=u layer */
  const char *tag;               /* name for the result in the store (NULL = none) */
  const char *build_id;          /* the label's value; NULL = derived from the inputs (UUID form) */
  int64_t epoch;  /* time stamps of what the build makes (SOURCE_DATE_EPOCH, else 0) */
  int gzip_level; /* of the new layers: 0 = WI_GZIP_LEVEL_DEFAULT (6, as every layer wlsimg
                     writes); 1 compresses text about 4x faster into about 25 % more bytes */
  const char *const *changes; /* config-only instructions after WORKDIR (WIT's
                                 [final-build-commands]: ENV, LABEL, USER, …), in order */
  size_t n_changes;
};

struct wi_rebase_result {
  char digest[WI_DIGEST_MAX]; /* the new image's manifest digest */
  char build_id[40];
  uint32_t uid, gid;   /* the owner given to the copied entries */
  uint64_t n_entries;  /* entries copied from the source */
  int64_t layer_bytes; /* compressed size of the new layers */
};

/* Build the rebased image. Errors, with nothing named in the store:
 *  WI_EINVAL   a missing or relative domain_home/copy_path; the user or group is not in the
 *              target's /etc/passwd or /etc/group ("user oracle is not in /etc/passwd of the
 *              target image"); the source's copy_path is not a directory
 *  WI_ENOTFOUND the source has no copy_path ("the source image has no /u01/domains/x")
 *  WI_EUNSUPPORTED a hard link from the domain home to a file outside it
 *  WI_EIO/WI_EINVAL unreadable layers, a full disk. */
int wi_rebase_build(const struct wi_rebase_opts *o, struct wi_rebase_result *res, wi_err *err);

/* The build id wi_rebase_build derives when o->build_id is NULL: a sha256 of the inputs (both
 * manifest digests, the paths, owner, OpenShift, epoch, changes) in UUID form. */
void wi_rebase_build_id(const struct wi_rebase_opts *o, char out[WI_DIGEST_UUID_SIZE]);

/* "/a//b/" → "a/b" (malloc'ed), as image walks name paths; NULL for a relative or empty path or
 * one with "." or "..". */
char *wi_rebase_norm_path(const char *p);

/* SOURCE_DATE_EPOCH when it is a number of seconds, else 0. */
int64_t wi_rebase_epoch(void);

#endif
