/* wlsimg: what store.c and store_gc.c share. Only for the store's own files. */
#ifndef WI_STORE_INT_H
#define WI_STORE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/store.h"

struct wi_store {
  char *root;
  int gc_fd; /* .gc.lock held shared while unreferenced blobs are in flight; -1 = not held */
  bool keep_untagged; /* a name moved to another image leaves the old one as an untagged entry */
  bool swept_tmp;     /* leftovers of interrupted writers were removed by this handle */
};

/* "<root>/<sub>" (malloc'ed). */
char *wi_store_path(const struct wi_store *s, const char *sub);
/* Take <root>/.lock exclusively: returns the fd that holds it (close to release), or an error. */
int wi_store_lock_index(struct wi_store *s, wi_err *err);
/* With the index lock held: remove the untagged entries (every entry with all) from index.json;
 * *gone_out (sorted as wi_store_list sorts) gets what was removed. */
int wi_store_drop_entries_locked(struct wi_store *s, bool all, struct wi_store_entry **gone_out,
                                 size_t *n_out, wi_err *err);

/* What a look at tmp/ found: every file, those a live writer holds, their sizes. */
struct wi_store_gc_tmp {
  size_t files, in_use;
  uint64_t bytes, stale_bytes;
};
/* Look at tmp/ (store_gc.c): a blob file no process holds locked was left by an interrupted
 * writer, as is any other file older than an hour. remove = delete those (under their lock, so no
 * writer loses a file it is writing). st optional. */
void wi_store_gc_sweep_tmp(const char *tmpdir, bool remove, struct wi_store_gc_tmp *st);

#endif
