/* Fuzz the registry's Range and Content-Range header parsers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/regserver_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);
  uint64_t a = 0, b = 0;

  memcpy(s, data, size);
  s[size] = '\0';
  static const uint64_t sizes[] = { 0, 1, 100, UINT64_MAX };
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    /* A satisfiable range must lie inside the blob. */
    if (wi_regserver_routes_range_parse(s, sizes[i], &a, &b) == 1 &&
        (b == 0 || a >= sizes[i] || b > sizes[i] - a))
      abort();
  }
  if (wi_regserver_routes_content_range_parse(s, &a, &b) == 0 && b < a)
    abort();
  free(s);
  return 0;
}
