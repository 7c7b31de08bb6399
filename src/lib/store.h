/* wlsimg: the local image store, an OCI image layout (oci-layout, index.json, blobs/<alg>/<hex>).
 *
 * Safe for several processes at once: blobs are written to tmp/ and renamed into place (the name
 * is the content's digest, so concurrent writers of the same blob agree; a blob already stored with
 * that name and size is kept, its mtime refreshed, and the new copy dropped without an fsync);
 * index.json changes take an exclusive flock on <root>/.lock and are written atomically. A handle
 * that has written blobs holds <root>/.gc.lock shared until wi_store_free, and wi_store_gc leaves
 * the unreferenced blobs of such writers alone (it then deletes only those older than a day). A
 * blob being written sits in tmp/ under a flock its writer holds; an unlocked one there was left
 * by an interrupted process, and the next writer or gc removes it. The
 * same code opens any OCI layout directory (the `oci:DIR` transport); `create` makes the layout
 * files when missing.
 *
 * Names in index.json: annotation "org.opencontainers.image.ref.name" holds the name; the store
 * uses full names ("docker.io/library/busybox:latest"), oci: directories use the bare tag. An
 * entry without one is an untagged image (docker's <none>).
 */
#ifndef WI_STORE_H
#define WI_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/digest.h"
#include "lib/err.h"
#include "lib/manifest.h"

#define WI_ANNOT_REF_NAME "org.opencontainers.image.ref.name"
#define WI_ANNOT_CREATED  "org.opencontainers.image.created"

struct wi_store;

/* Open (create = make the directory and layout files if missing). WI_ENOTFOUND when absent and
 * !create; WI_EINVAL when the directory is not an OCI layout. */
int wi_store_open(struct wi_store **out, const char *root, bool create, wi_err *err);
/* wi_store_open on wi_store_default_root(). */
int wi_store_open_default(struct wi_store **out, bool create, wi_err *err);
/* $WLSIMG_STORE, else ${XDG_DATA_HOME:-~/.local/share}/wlsimg/store (malloc'ed). */
char *wi_store_default_root(void);
void wi_store_free(struct wi_store *s);
static inline void
wi_store_freep(struct wi_store **pp)
{
  if (*pp)
    wi_store_free(*pp);
}
const char *wi_store_root(const struct wi_store *s);
/* When a name moves to another image (wi_store_tag), keep the image it leaves as an untagged
 * entry, as docker keeps a <none> image, unless another entry still holds it. On by default (the
 * image store); the oci: transport turns it off, as skopeo replaces the entry of a tag. */
void wi_store_set_keep_untagged(struct wi_store *s, bool keep);

/* Blob access. wi_store_blob_path returns a malloc'ed path. */
bool wi_store_has_blob(struct wi_store *s, const char *digest);
char *wi_store_blob_path(struct wi_store *s, const char *digest);
/* Open a blob for reading; size_out optional. WI_ENOTFOUND when absent. */
int wi_store_open_blob(struct wi_store *s, const char *digest, int *fd_out, int64_t *size_out,
                       wi_err *err);
/* Read a small blob fully (max bytes) and verify its digest (WI_EDIGEST on mismatch). */
int wi_store_read_blob(struct wi_store *s, const char *digest, size_t max, char **data_out,
                       size_t *len_out, wi_err *err);
/* Store bytes; digest_out (sha256) optional. Idempotent. */
int wi_store_put_blob(struct wi_store *s, const void *data, size_t len, char *digest_out,
                      wi_err *err);

/* Streaming blob writer: hashes as it writes into tmp/; commit verifies against `expected`
 * (if non-NULL; WI_EDIGEST and nothing stored on mismatch, also when expected_size >= 0 differs)
 * and renames into place. abort (or free without commit) removes the temporary file. */
struct wi_blob_writer;
int wi_store_blob_begin(struct wi_store *s, struct wi_blob_writer **out, wi_err *err);
int wi_store_blob_writer_write(struct wi_blob_writer *w, const void *data, size_t len, wi_err *err);
uint64_t wi_store_blob_writer_size(const struct wi_blob_writer *w);
int wi_store_blob_writer_commit(struct wi_blob_writer *w, const char *expected,
                                int64_t expected_size, char *digest_out, wi_err *err);
void wi_store_blob_writer_free(struct wi_blob_writer *w);
static inline void
wi_blob_writer_freep(struct wi_blob_writer **pp)
{
  if (*pp)
    wi_store_blob_writer_free(*pp);
}

/* Names. */
struct wi_store_entry {
  char *name;                /* annotation ref.name (may be NULL for unnamed entries) */
  struct wi_descriptor desc; /* manifest or index descriptor */
};
/* Point name at desc (replacing an older entry of the same name). desc's blobs must be present. */
int wi_store_tag(struct wi_store *s, const char *name, const struct wi_descriptor *desc,
                 wi_err *err);
/* Find a name; WI_ENOTFOUND. A digest ("sha256:…" or a unique hex prefix of ≥ 12) also resolves. */
int wi_store_resolve(struct wi_store *s, const char *name, struct wi_descriptor *out, wi_err *err);
/* Remove a name; WI_ENOTFOUND. */
int wi_store_untag(struct wi_store *s, const char *name, wi_err *err);
/* All entries (sorted by name). */
int wi_store_list(struct wi_store *s, struct wi_store_entry **out, size_t *n_out, wi_err *err);
void wi_store_entries_free(struct wi_store_entry *e, size_t n);
/* Remove the untagged entries of the manifest digest (rmi by id of a <none> image); WI_ENOTFOUND
 * when there are none. (wi_store_gc and pruning: store_gc.h.) */
int wi_store_remove_untagged(struct wi_store *s, const char *digest, wi_err *err);

/* Resolve what a user typed: a reference (normalised with wi_ref_parse, looked up by its
 * wi_ref_name; "repo@sha256:…" not stored under that name is looked up by its digest) or an image
 * id / manifest digest ("sha256:…" or ≥ 12 hex, matching a manifest digest or a config digest).
 * name_out (optional, malloc'ed) gets the matched name, NULL for ids. WI_ENOTFOUND "No such image:
 * ARG"; WI_EINVAL for a malformed reference or an ambiguous id. */
int wi_store_lookup(struct wi_store *s, const char *arg, struct wi_descriptor *out, char **name_out,
                    wi_err *err);
/* Read and parse the image manifest behind desc; an index is narrowed to platform (NULL = the
 * host's, else the index's first entry). digest_out (optional) gets the image manifest's digest. */
int wi_store_load_image(struct wi_store *s, const struct wi_descriptor *desc,
                        const struct wi_platform *platform, struct wi_manifest **m_out,
                        char digest_out[WI_DIGEST_MAX], wi_err *err);
/* Summary for `images`. size = config + layers as stored (compressed). created = -1 if unknown. */
struct wi_image_info {
  char manifest_digest[WI_DIGEST_MAX];
  char config_digest[WI_DIGEST_MAX];
  int64_t created;
  uint64_t size;
};
int wi_store_image_info(struct wi_store *s, const struct wi_descriptor *desc,
                        struct wi_image_info *out, wi_err *err);
/* Serialise m (wi_manifest_serialize), store it and describe it in desc_out (caller disposes). */
int wi_store_put_manifest(struct wi_store *s, const struct wi_manifest *m,
                          struct wi_descriptor *desc_out, wi_err *err);

/* Store config bytes and an OCI image manifest for them and the given layers (already stored);
 * desc_out describes the manifest (caller disposes). config_mt NULL = OCI config. */
int wi_store_put_image(struct wi_store *s, const void *config, size_t config_len,
                       const char *config_mt, const struct wi_descriptor *layers, size_t n_layers,
                       struct wi_descriptor *desc_out, wi_err *err);

/* Copy a blob from another store/layout (hard link when possible). */
int wi_store_copy_blob_from(struct wi_store *dst, struct wi_store *src, const char *digest,
                            wi_err *err);

#endif
