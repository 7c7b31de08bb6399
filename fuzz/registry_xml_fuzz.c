/* Fuzz target: an Oracle Home's inventory/registry.xml (installed products, WebLogic version). */
#include <stdint.h>
#include <stdlib.h>

#include "lib/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *products = NULL, *version = NULL;
  wi_probe_registry_xml((const char *)data, size, &products, &version);
  free(products);
  free(version);
  return 0;
}
