/* wlsimg: OCI and Docker media types — see mediatype.h. */
#include "lib/mediatype.h"

#include <string.h>
#include <strings.h>

#define MT_SCHEMA1        "application/vnd.docker.distribution.manifest.v1+json"
#define MT_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"

/* Compare a media type with a constant, ignoring parameters (";charset=utf-8") and blanks. */
bool
wi_mediatype_eq(const char *mt, const char *want)
{
  if (mt == NULL)
    return false;
  while (*mt == ' ' || *mt == '\t')
    mt++;
  size_t n = strcspn(mt, "; \t");
  return strlen(want) == n && strncasecmp(mt, want, n) == 0;
}

bool
wi_mediatype_is_index(const char *mt)
{
  return wi_mediatype_eq(mt, WI_MT_OCI_INDEX) || wi_mediatype_eq(mt, WI_MT_DOCKER_LIST);
}

bool
wi_mediatype_is_image_manifest(const char *mt)
{
  return wi_mediatype_eq(mt, WI_MT_OCI_MANIFEST) || wi_mediatype_eq(mt, WI_MT_DOCKER_MANIFEST);
}

bool
wi_mediatype_is_manifest(const char *mt)
{
  return wi_mediatype_is_index(mt) || wi_mediatype_is_image_manifest(mt);
}

bool
wi_mediatype_is_gzip_layer(const char *mt)
{
  return wi_mediatype_eq(mt, WI_MT_OCI_LAYER_GZIP) || wi_mediatype_eq(mt, WI_MT_DOCKER_LAYER) ||
         wi_mediatype_eq(mt, WI_MT_DOCKER_FOREIGN) ||
         wi_mediatype_eq(mt, "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip");
}

bool
wi_mediatype_is_schema1(const char *mt)
{
  return wi_mediatype_eq(mt, MT_SCHEMA1) || wi_mediatype_eq(mt, MT_SCHEMA1_SIGNED);
}

/* Content types that say nothing about the document (registries and files without a type). */
bool
wi_mediatype_is_generic(const char *mt)
{
  if (mt == NULL)
    return true;
  while (*mt == ' ')
    mt++;
  return *mt == '\0' || wi_mediatype_eq(mt, "application/json") ||
         wi_mediatype_eq(mt, "application/octet-stream") || wi_mediatype_eq(mt, "text/plain");
}
