/* Fuzz target: weblogic.jar's manifest version, and the busybox banner, from raw bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "lib/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  free(wi_probe_jar_version(data, size));
  char *name = NULL, *version = NULL;
  if (wi_probe_busybox_banner(data, size, &name, &version)) {
    free(name);
    free(version);
  }
  return 0;
}
