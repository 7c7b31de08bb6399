/* Fuzz target: probe output / --fromImageProperties files (keys, oraclePatches triples, the
 * inspect JSON built from them). */
#include <stdint.h>
#include <stdlib.h>

#include "lib/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct wi_probe *p = NULL;
  wi_err err = { 0 };
  if (wi_probe_from_text(&p, (const char *)data, size, &err) < 0)
    return 0;
  struct wi_probe_patch *v = NULL;
  size_t n = 0;
  if (wi_probe_patches(p, &v, &n, &err) == 0)
    wi_probe_patches_free(v, n);
  char *json = NULL;
  if (wi_probe_json(p, &json, &err) == 0)
    free(json);
  (void)wi_probe_busybox(p);
  wi_probe_free(p);
  return 0;
}
