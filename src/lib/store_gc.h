/* wlsimg: removing what the local store does not need, and what it holds.
 *
 * Safe while other processes use the store: the index lock is held throughout, blobs that writers
 * have not named yet are kept (their .gc.lock), and so are the temporary files of live writers
 * (each holds a flock on its own). What an interrupted writer left in tmp/ (a Ctrl-C'd pull) is
 * removed.
 */
#ifndef WI_STORE_GC_H
#define WI_STORE_GC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/store.h"

/* Delete blobs not reachable from any index.json entry (manifests, configs, layers, children) and
 * the leftovers of interrupted writers in tmp/. Takes the lock. freed_out optional (bytes). */
int wi_store_gc(struct wi_store *s, uint64_t *freed_out, wi_err *err);

struct wi_store_gc_prune_result {
  struct wi_store_entry *images; /* the entries removed (name NULL for untagged ones) */
  size_t n_images;
  size_t blobs; /* blobs deleted, those of the removed images among them */
  uint64_t blob_bytes;
  size_t tmp_files; /* leftovers of interrupted transfers deleted */
  uint64_t tmp_bytes;
};
/* Remove the untagged images (every image with all), then gc. */
int wi_store_gc_prune(struct wi_store *s, bool all, struct wi_store_gc_prune_result *out,
                      wi_err *err);
void wi_store_gc_prune_result_dispose(struct wi_store_gc_prune_result *r);

struct wi_store_gc_usage {
  size_t images;           /* distinct manifests in index.json */
  size_t images_tagged;    /* of those, the ones with at least one name */
  uint64_t image_bytes;    /* blobs the images use, shared ones counted once */
  uint64_t untagged_bytes; /* of those, the blobs only untagged images use (prune frees them) */
  size_t unref_blobs;      /* blobs no image uses (gc frees them; a pull in progress has some) */
  uint64_t unref_bytes;
  size_t tmp_files, tmp_in_use; /* files in tmp/; those a live writer holds */
  uint64_t tmp_bytes, tmp_stale_bytes;
};
/* What the store holds (system df). Reads only. */
int wi_store_gc_usage(struct wi_store *s, struct wi_store_gc_usage *out, wi_err *err);

#endif
