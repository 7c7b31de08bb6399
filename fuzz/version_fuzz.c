/* Fuzz target: WIT's version comparison (versions come from ARU answers, cache keys and image
 * files). The input holds two versions separated by a newline; the comparison must be antisymmetric
 * and a version must equal itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);
  wi_err err = { 0 };
  int ab = 0, ba = 0, aa = 1;

  memcpy(s, data, size);
  s[size] = '\0';
  char *nl = strchr(s, '\n');
  const char *b = "";
  if (nl) {
    *nl = '\0';
    b = nl + 1;
  }
  int r1 = wi_version_compare(s, b, &ab, &err);
  int r2 = wi_version_compare(b, s, &ba, &err);
  if ((r1 == 0) != (r2 == 0) || (r1 == 0 && ab != -ba))
    abort();
  if (r1 == 0 && (wi_version_compare(s, s, &aa, &err) != 0 || aa != 0))
    abort();
  free(s);
  return 0;
}
