/* wlsimg: docker-archive tars (the `docker save` / `docker load` format).
 *
 * Layout written: <diffidhex>.tar (uncompressed layers, each once), <confighex>.json,
 * manifest.json = [{"Config":"<hex>.json","RepoTags":["busybox:latest"],"Layers":["<hex>.tar"]}]
 * and repositories = {"busybox":{"latest":"<top layer hex>"}}, all entries 0644 root:root mtime 0.
 * skopeo, docker load and podman load accept it.
 *
 * Reading accepts the same plus docker 25's OCI-flavoured archives (blobs/sha256/… paths, symlinked
 * layers), layers already gzipped (detected by magic), and a gzip-compressed archive. Every image
 * becomes an OCI manifest with gzip layers (layer.c's compressor, so pushing works as is); layer
 * contents are checked against the config's rootfs.diff_ids.
 */
#ifndef WI_DOCKER_ARCHIVE_H
#define WI_DOCKER_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/manifest.h"
#include "lib/store.h"

struct wi_docker_archive_image {
  const struct wi_descriptor *desc; /* manifest or index in the store (an index is narrowed to
                                       the host's platform, else its first entry) */
  const char *const
      *repo_tags; /* names to record ("busybox:latest" or a full name); may be empty */
  size_t n_repo_tags;
};

/* Write images from s as a docker-archive to fd (not closed). Images sharing a manifest should be
 * passed once with all their names. WI_EDIGEST when a layer does not match its diff_id;
 * WI_EUNSUPPORTED for zstd layers. */
int wi_docker_archive_write(struct wi_store *s, const struct wi_docker_archive_image *imgs,
                            size_t n, int fd, wi_err *err);

/* The same into the file path, through a temporary file beside it that is renamed only on
 * success (0666 & ~umask): a failure leaves no file behind and an existing one untouched. */
int wi_docker_archive_write_file(struct wi_store *s, const struct wi_docker_archive_image *imgs,
                                 size_t n, const char *path, wi_err *err);

struct wi_docker_archive_loaded {
  struct wi_descriptor desc; /* the stored OCI manifest */
  char config_digest[WI_DIGEST_MAX];
  char **names; /* store names (wi_ref_name form) from RepoTags */
  size_t n_names;
};

/* Read a docker-archive from fd (a pipe is spooled to the store's tmp/ first). Blobs go into s;
 * when `tag` each image is named in s by its RepoTags. what names the input in messages.
 * WI_EINVAL for a malformed archive (missing manifest.json, bad JSON, a missing member, a bad
 * RepoTag); WI_EDIGEST for layers that do not match the config. */
int wi_docker_archive_read(struct wi_store *s, int fd, const char *what, bool tag,
                           struct wi_docker_archive_loaded **out, size_t *n_out, wi_err *err);
void wi_docker_archive_loaded_free(struct wi_docker_archive_loaded *l, size_t n);

#endif
