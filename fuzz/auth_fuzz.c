/* Fuzz target: WWW-Authenticate challenge parser and token-response parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = wi_xstrndup((const char *)data, size); /* a header value stops at NUL */
  struct wi_auth_challenge *c = NULL;
  size_t n = 0;
  wi_err err = { 0 };

  if (wi_auth_parse_challenges(s, &c, &n, &err) == 0) {
    for (size_t i = 0; i < n; i++)
      if (c[i].scheme == NULL || c[i].scheme[0] == '\0')
        abort();
    wi_auth_challenges_free(c, n);
  } else if (c != NULL || err.msg[0] == '\0') {
    abort();
  }
  struct wi_token t = { 0 };
  if (wi_auth_parse_token_response((const char *)data, size, 0, &t, &err) == 0) {
    if (t.token == NULL || t.expires_at < 60)
      abort();
    wi_auth_token_dispose(&t);
  }
  free(s);
  return 0;
}
