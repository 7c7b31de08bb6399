/* Fuzz target: an OPatch one-off inventory (inventory/oneoffs/<id>/etc/config/inventory.xml). */
#include <stdint.h>
#include <stdlib.h>

#include "lib/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct wi_probe_patch p;
  wi_err err = { 0 };
  if (wi_probe_oneoff_xml((const char *)data, size, &p, &err) == 0) {
    if (p.bug == NULL || p.bug[0] == '\0' || p.uid == NULL || p.description == NULL)
      abort();
    free(p.bug);
    free(p.uid);
    free(p.description);
  }
  return 0;
}
