/* Fuzz the registry's request-path router and repository/tag/digest validators. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/regserver_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);
  struct wi_rs_path p;
  wi_err err = { 0 };

  memcpy(s, data, size);
  s[size] = '\0';
  if (wi_regserver_routes_path_parse(s, &p, &err) == 0) {
    /* Whatever routes must be safe to use as a path under the root. */
    if (p.name[0] && !wi_regserver_routes_name_valid(p.name))
      abort();
    if (strstr(p.name, "..") || strchr(p.ref, '/'))
      abort();
  }
  wi_regserver_routes_name_valid(s);
  wi_regserver_routes_tag_valid(s);
  wi_regserver_routes_digest_valid(s);
  free(s);
  return 0;
}
