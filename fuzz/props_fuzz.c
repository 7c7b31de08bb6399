/* Fuzz target: WIT .metadata (Java properties) parsing, and store → parse round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/props.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct wi_props p = { 0 }, q = { 0 };
  wi_err err = { 0 };

  if (wi_props_parse(&p, (const char *)data, size, &err) < 0)
    return 0;
  /* What we write must read back to the same keys and values. */
  size_t len = 0;
  char *text = wi_props_store(&p, 0, &len);
  if (wi_props_parse(&q, text, len, &err) < 0)
    abort();
  if (q.n != p.n)
    abort();
  for (size_t i = 0; i < p.n; i++) {
    const char *v = wi_props_get(&q, p.v[i].key);
    if (v == NULL || strcmp(v, p.v[i].value) != 0)
      abort();
  }
  free(text);
  wi_props_dispose(&p);
  wi_props_dispose(&q);
  return 0;
}
