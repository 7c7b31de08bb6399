/* wlsimg: reading an image without running it — its config and single files from its layers
 * (image.c).
 *
 * Files are looked up top layer first, honouring whiteouts (".wh.<name>") and opaque directories
 * (".wh..wh..opq"); symbolic links to files are followed (at most 8). All wanted paths are
 * searched in one pass over the layers, which stops as soon as every path is settled.
 */
#ifndef WI_IMAGE_H
#define WI_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/imgconfig.h"
#include "lib/layer.h"
#include "lib/manifest.h"
#include "lib/ref.h"
#include "lib/store.h"
#include "lib/transfer.h"

/* One platform's image, loaded from a store. */
struct wi_image {
  struct wi_manifest *manifest;
  char manifest_digest[WI_DIGEST_MAX];
  struct wi_imgconfig *config;
  char *name; /* store name it was found under (malloc'ed) */
};
void wi_image_free(struct wi_image *img);
static inline void
wi_image_freep(struct wi_image **pp)
{
  if (*pp)
    wi_image_free(*pp);
}

/* Load REF for platform p (NULL = host) from the store; when it is absent, or pull is set, or the
 * stored image lacks that platform, pull it from its registry with wi_transfer_pull (to = registry
 * options, may be NULL). WI_ENOTFOUND names the image and platform. */
int wi_image_open(struct wi_image **out, struct wi_store *s, const char *ref,
                  const struct wi_platform *p, bool pull, const struct wi_transfer_opts *to,
                  wi_err *err);

struct wi_image_file {
  const char *path; /* in: absolute or relative path in the image ("/etc/passwd") */
  bool found;       /* out */
  bool is_dir;
  char *data; /* out: contents for regular files ≤ max (NUL-terminated), else NULL */
  size_t len;
  uint32_t mode, uid, gid;
  char *uname, *gname; /* owner names recorded in the tar, if any */
};
void wi_image_files_dispose(struct wi_image_file *f, size_t n);

/* Find the files in the image's layers (see above). Files larger than max are reported found with
 * data NULL. Errors only for unreadable layers (WI_EIO/WI_EINVAL naming the layer digest). */
int wi_image_read_files(struct wi_store *s, const struct wi_manifest *m,
                        struct wi_image_file *files, size_t n, size_t max, wi_err *err);

/* A directory's entries in the image's merged view (top layer first, whiteouts and opaque
 * directories honoured). Symbolic links to directories are not followed. */
struct wi_image_dir {
  const char *path; /* in */
  bool found;       /* out: the directory exists */
  char **names;     /* out: the names directly in it, sorted (malloc'ed) */
  size_t n;
};
void wi_image_dirs_dispose(struct wi_image_dir *d, size_t n);

/* List the directories in one pass over all layers. Errors only for unreadable layers (as
 * wi_image_read_files); on error nothing is left allocated. */
int wi_image_list_dirs(struct wi_store *s, const struct wi_manifest *m, struct wi_image_dir *dirs,
                       size_t n, wi_err *err);

/* ---- a subtree of the merged view, streamed (image.c) ---- */

/* One entry of the merged view, as wi_image_walk reports it. */
struct wi_image_entry {
  const char *path; /* normalised: no leading "/", no trailing "/" ("u01/domains/d/config") */
  enum wi_layer_type type;
  uint32_t mode, uid, gid; /* permission bits (07777) and numeric owner as in the layer */
  int64_t mtime;
  int64_t size;     /* FILE: content length */
  const char *link; /* SYMLINK: the target as stored; HARDLINK: normalised path of the file it
                       links to, which is in the same layer */
  size_t layer;     /* index of the layer in the manifest (0 = bottom) */
};
struct wi_image_walk;
/* Read the next bytes of the current FILE entry's content (0 at its end). WI_EINVAL naming the
 * layer for a damaged one. Only inside the callback, for the entry it was given. */
ssize_t wi_image_walk_read(struct wi_image_walk *w, void *buf, size_t len, wi_err *err);
/* A callback's negative return stops the walk; wi_image_walk returns it. */
typedef int (*wi_image_walk_fn)(struct wi_image_walk *w, const struct wi_image_entry *e,
                                void *payload, wi_err *err);
/* Visit each path of the merged view that is prefix or lies under it once, in its topmost version:
 * layers top first, each in its tar order. Whiteouts, opaque directories and non-directories that
 * replace a directory in an upper layer hide what lies below them (also when they hit a parent of
 * prefix); a path given twice in one layer is reported twice (the later one counts, as when a tar
 * is extracted). Devices, FIFOs and sockets are skipped. Memory: the paths met under prefix, never
 * file contents. Errors: unreadable layers (as wi_image_read_files) or the callback's. */
int wi_image_walk(struct wi_store *s, const struct wi_manifest *m, const char *prefix,
                  wi_image_walk_fn fn, void *payload, wi_err *err);

/* The view of n_base of base's layers (0..n_base-1) with new layers on top, for wi_image_walk
 * before the image is committed: *m borrows the digests; free m->layers alone when done. */
void wi_image_view(struct wi_manifest *m, const struct wi_manifest *base, size_t n_base,
                   const struct wi_layer_result *layers, size_t n);

/* ---- a new image on a base ---- */

/* Store the image made of base's layers, then the new ones (already in s), with config cfg (its
 * rootfs and history must already list the new layers), and name it tag when tag is set (a
 * reference, normalised as wi_ref_name does). Docker gzip layers are listed with the OCI media
 * type (same bytes). desc_out (optional, caller disposes) describes the manifest. */
int wi_image_commit(struct wi_store *s, const struct wi_image *base,
                    const struct wi_layer_result *layers, size_t n_layers,
                    const struct wi_imgconfig *cfg, const char *tag, struct wi_descriptor *desc_out,
                    wi_err *err);

#endif
