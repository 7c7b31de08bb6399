/* Fuzz the registry's token-scope parser and urlencoded form decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/regserver_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);
  struct wi_rs_scope sc;
  char out[64], acts[64];

  memcpy(s, data, size);
  s[size] = '\0';
  if (wi_regserver_routes_scope_parse((const char *)data, size, &sc) == 0) {
    wi_regserver_routes_actions_format(sc.actions, acts, sizeof acts);
    if (sc.type[0] == '\0' || sc.name[0] == '\0')
      abort();
  }
  wi_regserver_routes_form_get(s, "scope", out, sizeof out);
  wi_regserver_routes_form_decode(s, strlen(s), out, sizeof out);
  free(s);
  return 0;
}
