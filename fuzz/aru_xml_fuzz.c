/* Fuzz target: Oracle Support (ARU) answers — error bodies, the releases table, patch searches,
 * conflict checks — and the conflict-check request built from what a search gave. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/aru.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *xml = (const char *)data;
  wi_err err = { 0 };
  (void)wi_aru_parse_error(xml, size, &err);

  struct wi_aru_release *r = NULL;
  size_t nr = 0;
  if (wi_aru_parse_releases(xml, size, &r, &nr, &err) == 0) {
    (void)wi_aru_release_find(r, nr, "Oracle WebLogic Server", "12.2.1.4.0");
    wi_aru_releases_free(r, nr);
  }

  struct wi_aru_patch *p = NULL;
  size_t np = 0;
  if (wi_aru_parse_patches(xml, size, &p, &np, &err) == 0) {
    const char *upis[] = { "24524289" };
    char *req = wi_aru_conflict_request(upis, 1, p, np);
    free(req);
    wi_aru_patches_free(p, np);
  }

  struct wi_aru_conflict_set *s = NULL;
  size_t ns = 0;
  if (wi_aru_parse_conflicts(xml, size, &s, &ns, &err) == 0)
    wi_aru_conflicts_free(s, ns);
  return 0;
}
