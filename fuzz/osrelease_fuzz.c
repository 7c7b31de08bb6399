/* Fuzz target: /etc/os-release as the static probe reads it (lines → Properties → os fields,
 * inspect JSON). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *lines = wi_probe_os_release_lines((const char *)data, size);
  struct wi_probe *p = NULL;
  wi_err err = { 0 };
  if (wi_probe_from_text(&p, lines, strlen(lines), &err) == 0) {
    free(wi_probe_os(p, "id"));
    free(wi_probe_os(p, "version"));
    (void)wi_probe_busybox(p);
    char *json = NULL;
    if (wi_probe_json(p, &json, &err) == 0)
      free(json);
    wi_probe_free(p);
  }
  free(lines);
  return 0;
}
