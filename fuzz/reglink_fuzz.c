/* Fuzz target: Link header parsing (tags/catalog pagination) and token scope arithmetic. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/regclient.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = wi_xstrndup((const char *)data, size);
  char *next = wi_regclient_link_next(s);
  if (next && strlen(next) >= size)
    abort();
  free(next);
  /* split the input in two scope strings at the first newline */
  char *nl = strchr(s, '\n');
  const char *a = s, *b = "";
  if (nl) {
    *nl = '\0';
    b = nl + 1;
  }
  char *u = wi_regclient_scope_union(a, b);
  /* the union grants everything either side asked for */
  if (!wi_regclient_scope_covers(u, a) || !wi_regclient_scope_covers(u, b))
    abort();
  free(u);
  free(s);
  return 0;
}
