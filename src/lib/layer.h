/* wlsimg: reproducible layer tars (compressed with gzip.h).
 *
 * A wi_layer_writer collects entries in any order and, on finish, writes them sorted by path as
 * an uncompressed tar (libarchive, pax-restricted: ustar unless a long name or large id needs a
 * pax header; no atime/ctime; numeric owners plus optional names), hashes that tar (the diff_id)
 * and gzips it (wi_gzip: parallel libdeflate, fixed level) while hashing the gzip stream (the
 * blob digest), all in one streaming pass.
 * Same entries in, same bytes out, whatever the order of wi_layer_add calls. An entry beneath a
 * symbolic link of the same layer is refused at finish (it would be written through the link).
 * Memory stays constant
 * for big files: file contents given by path or fd are read in 64 KiB pieces at finish time.
 *
 *   struct wi_layer_writer *w = wi_layer_writer_new(NULL);
 *   struct wi_layer_entry e = { .path = "auxiliary/models/model.yaml", .type = WI_LAYER_FILE,
 *                               .mode = 0640, .uid = 1000, .gid = 0, .mtime = 0,
 *                               .data = yaml, .size = yaml_len };
 *   wi_layer_add(w, &e, &err);
 *   struct wi_layer_result r;
 *   wi_layer_writer_finish_store(w, store, &r, &err);   // r.digest, r.size, r.diff_id
 *   wi_layer_writer_free(w);
 */
#ifndef WI_LAYER_H
#define WI_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/digest.h"
#include "lib/err.h"
#include "lib/sink.h"
#include "lib/store.h"

/* ---- layer tar writer ---- */

enum wi_layer_type { WI_LAYER_FILE, WI_LAYER_DIR, WI_LAYER_SYMLINK, WI_LAYER_HARDLINK };

struct wi_layer_entry {
  const char *path; /* inside the layer: "a/b/c"; a leading "/" or "./" is dropped, "." and
                       ".." components and empty paths are WI_EINVAL */
  enum wi_layer_type type;
  uint32_t mode; /* permission bits (07777); the type bits come from `type` */
  uint32_t uid, gid;
  const char *uname; /* optional owner names written next to the numbers (NULL = none) */
  const char *gname;
  int64_t mtime;    /* seconds since the epoch */
  const char *link; /* SYMLINK: target as given; HARDLINK: path of an earlier entry in the
                       layer (normalised like `path`) */
  /* FILE content, one of: data/size (copied by wi_layer_add; data NULL = empty file), src_path
   * (opened at finish; the size is taken then), or use_fd with fd (dup'ed by wi_layer_add, read
   * with pread from offset 0 at finish; each such entry holds a descriptor until the writer is
   * freed, so for thousands of files prefer src_path or wi_layer_file_begin). */
  const void *data;
  size_t size;
  const char *src_path;
  bool use_fd;
  int fd;
};

struct wi_layer_opts {
  int gzip_level;        /* 0 = WI_GZIP_LEVEL_DEFAULT (keep it for layers: digests depend on it) */
  const char *spool_dir; /* where streamed file contents wait (NULL = $TMPDIR or /tmp) */
  bool add_parents;      /* add missing parent directories as 0755 root:root, mtime below */
  int64_t parents_mtime;
  bool clear_setid; /* clear the setuid and setgid bits of every entry but directories */
};

struct wi_layer_result {
  char digest[WI_DIGEST_MAX];  /* sha256 of the gzip blob */
  int64_t size;                /* gzip blob size */
  char diff_id[WI_DIGEST_MAX]; /* sha256 of the uncompressed tar */
  int64_t tar_size;
};

struct wi_layer_writer;
/* opts may be NULL (defaults). Never fails. */
struct wi_layer_writer *wi_layer_writer_new(const struct wi_layer_opts *opts);
void wi_layer_writer_free(struct wi_layer_writer *w);
static inline void
wi_layer_writer_freep(struct wi_layer_writer **pp)
{
  if (*pp)
    wi_layer_writer_free(*pp);
}
/* Add (or replace: a later entry with the same path wins) one entry. Strings and memory
 * contents are copied. WI_EINVAL for a bad path or a missing link target; WI_EIO when fd
 * cannot be dup'ed. */
int wi_layer_add(struct wi_layer_writer *w, const struct wi_layer_entry *e, wi_err *err);
size_t wi_layer_count(const struct wi_layer_writer *w);
/* How many entries lost their setuid/setgid bits to opts.clear_setid; *first (may be NULL) gets
 * the first one's path (borrowed, NULL if none). */
size_t wi_layer_setid_cleared(const struct wi_layer_writer *w, const char **first);
/* Add a FILE entry whose content arrives as a stream (e.g. from another tar): the bytes are copied
 * into the writer's spool file (an unnamed temporary file) by wi_layer_file_write, and the entry
 * is complete at wi_layer_file_end. e's content fields are ignored. One file at a time. */
int wi_layer_file_begin(struct wi_layer_writer *w, const struct wi_layer_entry *e, wi_err *err);
int wi_layer_file_write(struct wi_layer_writer *w, const void *data, size_t len, wi_err *err);
int wi_layer_file_end(struct wi_layer_writer *w, wi_err *err);
/* Add every entry of a tar read from fd (plain, gzip, bzip2, xz or zstd; `what` names it in
 * messages), contents streamed through the spool. Regular files, directories, symlinks and hard
 * links are kept with their modes, owners and mtimes; device nodes and FIFOs are skipped with a
 * warning. The result does not depend on the input's member order. WI_EINVAL for a bad archive. */
int wi_layer_add_tar(struct wi_layer_writer *w, int fd, const char *what, wi_err *err);
/* Write the sorted tar. gz_sink (may be NULL) receives the gzip stream, tar_sink (may be NULL)
 * the uncompressed tar. res is filled (digest/size only when gz_sink is set). A hard link whose
 * target is not in the layer, or an entry beneath a symbolic link of the layer, is WI_EINVAL;
 * unreadable src_path files are WI_EIO. The writer can be finished only once. */
int wi_layer_writer_finish(struct wi_layer_writer *w, wi_sink_fn gz_sink, void *gz_payload,
                           wi_sink_fn tar_sink, void *tar_payload, struct wi_layer_result *res,
                           wi_err *err);
/* Finish into a gzip blob of the store (committed under its digest). */
int wi_layer_writer_finish_store(struct wi_layer_writer *w, struct wi_store *s,
                                 struct wi_layer_result *res, wi_err *err);

/* ---- streaming: entries written as they come ----
 *
 * For producers whose order is already deterministic (a walk over an image's layers), a layer can
 * be written as entries arrive: no sorting, no spool file, the tar going through the parallel gzip
 * straight into a new blob of the store while the producer reads on. Paths are normalised as for
 * wi_layer_add; duplicates and order are the caller's (a tar reader takes the last of a path). */
struct wi_layer_stream;
/* gzip_level: 0 = WI_GZIP_LEVEL_DEFAULT (as wi_layer_opts). */
int wi_layer_stream_new(struct wi_layer_stream **out, struct wi_store *s, int gzip_level,
                        wi_err *err);
void wi_layer_stream_free(struct wi_layer_stream *ls);
static inline void
wi_layer_stream_freep(struct wi_layer_stream **pp)
{
  if (*pp)
    wi_layer_stream_free(*pp);
}
/* One entry. A FILE's content is e->data/e->size, or, with e->data NULL, exactly e->size bytes
 * given next through wi_layer_stream_write. WI_EINVAL for a bad path, a link without a target,
 * too few or too many content bytes; after any failure the stream only accepts free. */
int wi_layer_stream_add(struct wi_layer_stream *ls, const struct wi_layer_entry *e, wi_err *err);
int wi_layer_stream_write(struct wi_layer_stream *ls, const void *data, size_t len, wi_err *err);
/* End the tar, commit the blob, fill res (digest, size, diff_id, tar_size). */
int wi_layer_stream_finish(struct wi_layer_stream *ls, struct wi_layer_result *res, wi_err *err);

#endif
