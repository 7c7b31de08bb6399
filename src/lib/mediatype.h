/* wlsimg: OCI and Docker media types: the constants, and predicates that compare them ignoring
 * parameters (";charset=utf-8"), blanks and case. */
#ifndef WI_MEDIATYPE_H
#define WI_MEDIATYPE_H

#include <stdbool.h>

#define WI_MT_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define WI_MT_OCI_INDEX       "application/vnd.oci.image.index.v1+json"
#define WI_MT_OCI_CONFIG      "application/vnd.oci.image.config.v1+json"
#define WI_MT_OCI_LAYER       "application/vnd.oci.image.layer.v1.tar"
#define WI_MT_OCI_LAYER_GZIP  "application/vnd.oci.image.layer.v1.tar+gzip"
#define WI_MT_OCI_LAYER_ZSTD  "application/vnd.oci.image.layer.v1.tar+zstd"
#define WI_MT_OCI_EMPTY       "application/vnd.oci.empty.v1+json"
#define WI_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define WI_MT_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define WI_MT_DOCKER_CONFIG   "application/vnd.docker.container.image.v1+json"
#define WI_MT_DOCKER_LAYER    "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define WI_MT_DOCKER_FOREIGN  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

/* Accept header value listing every manifest type wlsimg handles. */
#define WI_MANIFEST_ACCEPT \
  WI_MT_OCI_MANIFEST ", " WI_MT_OCI_INDEX ", " WI_MT_DOCKER_MANIFEST ", " WI_MT_DOCKER_LIST

/* Compare a media type with a constant, ignoring parameters and blanks. False for NULL. */
bool wi_mediatype_eq(const char *mt, const char *want);
bool wi_mediatype_is_index(const char *mt);
bool wi_mediatype_is_image_manifest(const char *mt);
bool wi_mediatype_is_manifest(const char *mt); /* either of the above */
bool wi_mediatype_is_gzip_layer(const char *mt);
/* Docker schema1 manifests (plain or signed), which wlsimg does not read. */
bool wi_mediatype_is_schema1(const char *mt);
/* Content types that say nothing about the document (registries and files without a type). */
bool wi_mediatype_is_generic(const char *mt);

#endif
