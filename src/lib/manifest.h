/* wlsimg: OCI / Docker schema2 manifests and indexes as typed structs.
 *
 * Parsing converts JSON once into these structs; the original bytes are what gets stored, pushed
 * and hashed (never re-serialise what you verify). wi_manifest_serialize() emits deterministic
 * compact JSON for manifests that wlsimg itself creates.
 */
#ifndef WI_MANIFEST_H
#define WI_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/digest.h"
#include "lib/err.h"
#include "lib/mediatype.h"
#include "lib/ref.h"

#define WI_MAX_MANIFEST_BYTES (4 * 1024 * 1024)
#define WI_MAX_CONFIG_BYTES   (8 * 1024 * 1024)

struct wi_annotation {
  char *key;
  char *value;
};

struct wi_descriptor {
  char *media_type;
  char *digest;
  int64_t size;
  char *artifact_type; /* optional */
  char **urls;         /* optional */
  size_t n_urls;
  struct wi_annotation *annotations; /* optional, in document order */
  size_t n_annotations;
  char *data;        /* optional: embedded content, base64 as in the document */
  bool has_platform; /* index entries */
  struct wi_platform platform;
};

enum wi_manifest_kind { WI_MANIFEST_IMAGE, WI_MANIFEST_INDEX };

struct wi_manifest {
  enum wi_manifest_kind kind;
  int schema_version;
  char *media_type;    /* from the document, else the Content-Type given to the parser */
  char *artifact_type; /* optional */
  /* WI_MANIFEST_IMAGE */
  struct wi_descriptor config;
  struct wi_descriptor *layers;
  size_t n_layers;
  /* WI_MANIFEST_INDEX */
  struct wi_descriptor *manifests;
  size_t n_manifests;
  struct wi_descriptor *subject; /* optional */
  struct wi_annotation *annotations;
  size_t n_annotations;
};

/* Parse a manifest or index. content_type (may be NULL) is used when the document has no
 * mediaType (umoci) and must agree with it when both are present. Errors name the JSON path:
 * "layers[2].digest: expected a string". WI_EINVAL on malformed input, WI_ETOOBIG over 4 MiB,
 * WI_EUNSUPPORTED for schema1. */
int wi_manifest_parse(struct wi_manifest **out, const void *bytes, size_t len,
                      const char *content_type, wi_err *err);
void wi_manifest_free(struct wi_manifest *m);
static inline void
wi_manifest_freep(struct wi_manifest **pp)
{
  if (*pp)
    wi_manifest_free(*pp);
}
/* Deterministic compact JSON (schemaVersion, mediaType, artifactType, config, layers|manifests,
 * subject, annotations). Returns malloc'ed bytes; len_out set. */
char *wi_manifest_serialize(const struct wi_manifest *m, size_t *len_out);

void wi_manifest_descriptor_dispose(struct wi_descriptor *d);
void wi_manifest_descriptor_copy(struct wi_descriptor *dst, const struct wi_descriptor *src);
/* Value of an annotation or NULL (borrowed). */
const char *wi_manifest_descriptor_annotation(const struct wi_descriptor *d, const char *key);
void wi_manifest_descriptor_set_annotation(struct wi_descriptor *d, const char *key,
                                           const char *value);

/* Pick the entry of an index for a platform. WI_ENOTFOUND lists the platforms available. */
int wi_manifest_index_select(const struct wi_manifest *idx, const struct wi_platform *want,
                             const struct wi_descriptor **out, wi_err *err);

#endif
