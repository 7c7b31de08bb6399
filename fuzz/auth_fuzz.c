/* Fuzz target: what a registry's 401 and its token server send the client: the WWW-Authenticate
 * challenge parser, the client's use of a Bearer challenge's scope (widened into the scope it asks
 * the token server for, and the token cache's coverage test), and the token-response parser.
 * Properties: a parsed challenge has a scheme; the widened scope covers both what the client wanted
 * and what the registry asked for, and is stable under a second union; a parsed token has a value
 * and an expiry of at least 60 s. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/auth.h"
#include "lib/regclient.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = wi_xstrndup((const char *)data, size); /* a header value stops at NUL */
  struct wi_auth_challenge *c = NULL;
  size_t n = 0;
  wi_err err = { 0 };

  if (wi_auth_parse_challenges(s, &c, &n, &err) == 0) {
    for (size_t i = 0; i < n; i++) {
      if (c[i].scheme == NULL || c[i].scheme[0] == '\0')
        abort();
      if (c[i].scope == NULL)
        continue;
      /* as on_unauthorized widens the request's scope with the challenge's */
      const char *want = "repository:ns/app:pull,push";
      char *wider = wi_regclient_scope_union(want, c[i].scope);
      char *again = wi_regclient_scope_union(wider, c[i].scope);
      if (!wi_regclient_scope_covers(wider, want) || strcmp(wider, again) != 0)
        abort();
      free(again);
      free(wider);
    }
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
