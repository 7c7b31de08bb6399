/* Fuzz target: manifest/index parser (and the image-config parser and --change parser).
 * The first byte selects the mode (its value modulo 8): 0 no Content-Type, 1-4 a manifest
 * Content-Type, 5 image config, 6 --change lines applied to a fresh config, 7 application/json.
 * A parsed manifest must serialise to bytes that parse and serialise to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/imgconfig.h"
#include "lib/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const content_types[8] = {
  NULL, WI_MT_OCI_MANIFEST, WI_MT_OCI_INDEX, WI_MT_DOCKER_MANIFEST, WI_MT_DOCKER_LIST, NULL,
  NULL, "application/json",
};

static void
check_manifest(const uint8_t *data, size_t size, const char *ct)
{
  struct wi_manifest *m = NULL, *m2 = NULL;
  wi_err err = { 0 };
  size_t len, len2;

  if (wi_manifest_parse(&m, data, size, ct, &err) != 0) {
    if (m != NULL || err.msg[0] == '\0' || err.code == 0)
      abort();
    return;
  }
  char *s = wi_manifest_serialize(m, &len);
  if (wi_manifest_parse(&m2, s, len, NULL, &err) != 0)
    abort();
  char *s2 = wi_manifest_serialize(m2, &len2);
  if (len != len2 || memcmp(s, s2, len) != 0)
    abort();
  if (m->kind == WI_MANIFEST_INDEX) {
    struct wi_platform p;
    const struct wi_descriptor *d = NULL;
    wi_ref_platform_host(&p);
    if (wi_manifest_index_select(m, &p, &d, &err) == 0 && d == NULL)
      abort();
  }
  for (size_t i = 0; i < m->n_layers; i++) {
    struct wi_descriptor c;
    wi_manifest_descriptor_copy(&c, &m->layers[i]);
    wi_manifest_descriptor_set_annotation(&c, "k", "v");
    if (strcmp(wi_manifest_descriptor_annotation(&c, "k"), "v") != 0)
      abort();
    wi_manifest_descriptor_dispose(&c);
  }
  (void)wi_mediatype_is_gzip_layer(m->media_type);
  free(s2);
  free(s);
  wi_manifest_free(m2);
  wi_manifest_free(m);
}

static void
check_config(const uint8_t *data, size_t size)
{
  struct wi_imgconfig *c = NULL, *c2 = NULL;
  wi_err err = { 0 };

  if (wi_imgconfig_parse(&c, data, size, &err) != 0) {
    if (c != NULL || err.msg[0] == '\0')
      abort();
    return;
  }
  wi_imgconfig_set_env(c, "A", "1");
  wi_imgconfig_add_layer(c, NULL, 0, "x", NULL);
  char *s = wi_imgconfig_serialize(c, NULL);
  if (wi_imgconfig_parse(&c2, s, strlen(s), &err) != 0)
    abort();
  free(s);
  wi_imgconfig_free(c2);
  wi_imgconfig_free(c);
}

static void
check_changes(const uint8_t *data, size_t size)
{
  struct wi_platform p;
  struct wi_imgconfig *c2 = NULL;
  wi_err err = { 0 };
  char *s = wi_xstrndup((const char *)data, size);

  wi_ref_platform_host(&p);
  struct wi_imgconfig *c = wi_imgconfig_new(&p, 0);
  for (char *line = s, *next; line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    if (wi_imgconfig_apply_change(c, line, &err) != 0 && err.msg[0] == '\0')
      abort();
  }
  char *out = wi_imgconfig_serialize(c, NULL);
  if (wi_imgconfig_parse(&c2, out, strlen(out), &err) != 0)
    abort();
  free(out);
  free(s);
  wi_imgconfig_free(c2);
  wi_imgconfig_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  unsigned mode = data[0] % 8;
  if (mode == 5)
    check_config(data + 1, size - 1);
  else if (mode == 6)
    check_changes(data + 1, size - 1);
  else
    check_manifest(data + 1, size - 1, content_types[mode]);
  return 0;
}
