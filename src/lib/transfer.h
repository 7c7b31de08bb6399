/* wlsimg: moving whole images between the store, registries, OCI layouts and docker archives.
 *
 * Transports (as in skopeo): "docker://REF", "oci:DIR[:TAG]", "docker-archive:FILE[:REF]", and a
 * plain reference meaning the local store. Every blob read is verified against its digest; nothing
 * is named in a destination store until all its blobs are there (a failed pull leaves no name and
 * no partial blob). Registry uploads run several layers in parallel and skip blobs the registry
 * already has (HEAD), mounting from another repository of the same registry when the store knows
 * one.
 */
#ifndef WI_TRANSFER_H
#define WI_TRANSFER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/ref.h"
#include "lib/regclient.h"
#include "lib/store.h"

enum wi_progress_event {
  WI_PROGRESS_START,    /* a blob transfer begins: digest, total */
  WI_PROGRESS_BYTES,    /* done/total */
  WI_PROGRESS_EXISTS,   /* destination had it */
  WI_PROGRESS_MOUNTED,  /* mounted from another repository */
  WI_PROGRESS_DONE,     /* blob complete */
  WI_PROGRESS_RETRY,    /* message says why */
  WI_PROGRESS_MANIFEST, /* manifest written: digest */
  WI_PROGRESS_WAITING   /* a blob is queued (sent for every blob before transfers start) */
};

struct wi_progress {
  enum wi_progress_event event;
  const char *digest;
  int64_t done;
  int64_t total;
  const char *message;
};

/* Called from worker threads; the callee serialises. */
typedef void (*wi_progress_fn)(const struct wi_progress *p, void *payload);

struct wi_transfer_opts {
  struct wi_regclient_opts src_reg; /* for docker:// sources */
  struct wi_regclient_opts dst_reg; /* for docker:// destinations */
  const char *platform;             /* "os/arch[/variant]", NULL = host; "all" copies the index */
  int parallel;                     /* default 4 */
  wi_progress_fn progress;
  void *progress_payload;
  const char *store_root; /* NULL = default store */
};

/* Copy an image between any two transports. digest_out (optional) receives the digest of the
 * top-level manifest written at the destination. */
int wi_transfer_copy_image(const char *src, const char *dst, const struct wi_transfer_opts *o,
                           char *digest_out, wi_err *err);

/* The top-level manifest of src exactly as stored or served (bytes_out malloc'ed): src is what
 * copy takes as a source except docker-archive: (it has no image manifest): docker://REF,
 * oci:DIR[:TAG] or a name in the store (an image id or digest too); a name the store does not have
 * is fetched from its registry with o->src_reg. digest_out optional. */
int wi_transfer_get_manifest(const char *src, const struct wi_transfer_opts *o, char **bytes_out,
                             size_t *len_out, char *digest_out, wi_err *err);

/* Convenience forms of wi_transfer_copy_image. */
int wi_transfer_pull(struct wi_store *s, const char *ref, const struct wi_transfer_opts *o,
                     char *digest_out, wi_err *err);
int wi_transfer_push(struct wi_store *s, const char *local_ref, const char *dest_ref,
                     const struct wi_transfer_opts *o, char *digest_out, wi_err *err);

#endif
