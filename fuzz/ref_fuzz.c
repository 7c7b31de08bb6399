/* Fuzz target: image reference grammar, tags, repository paths, loopback hosts and platforms.
 * A parsed reference must print to a string that parses back to the same reference. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_ref(const char *s)
{
  struct wi_ref r = { 0 }, r2 = { 0 };
  wi_err err = { 0 };

  if (wi_ref_parse(&r, s, &err) != 0) {
    if (err.msg[0] == '\0' || err.code == 0 || r.domain || r.path || r.tag || r.digest)
      abort();
    return;
  }
  if (r.domain == NULL || r.path == NULL || (r.tag == NULL && r.digest == NULL))
    abort();
  char *full = wi_ref_string(&r);
  if (wi_ref_parse(&r2, full, &err) != 0)
    abort();
  char *full2 = wi_ref_string(&r2);
  if (strcmp(full, full2) != 0)
    abort();
  wi_ref_dispose(&r2);
  /* the familiar form means the same reference */
  char *fam = wi_ref_familiar(&r);
  if (wi_ref_parse(&r2, fam, &err) != 0)
    abort();
  char *full3 = wi_ref_string(&r2);
  if (strcmp(full, full3) != 0)
    abort();
  char *name = wi_ref_name(&r), *repo = wi_ref_repo(&r);
  if (strncmp(name, repo, strlen(repo)) != 0 || wi_ref_api_host(&r) == NULL)
    abort();
  if (wi_ref_repo_path_validate(r.path, &err) != 0 ||
      (r.tag && wi_ref_tag_validate(r.tag, &err) != 0))
    abort();
  struct wi_ref c = { 0 };
  wi_ref_copy(&c, &r);
  wi_ref_dispose(&c);
  free(name);
  free(repo);
  free(full3);
  free(fam);
  free(full2);
  free(full);
  wi_ref_dispose(&r2);
  wi_ref_dispose(&r);
}

static void
check_platform(const char *s)
{
  struct wi_platform p, p2;
  wi_err err = { 0 };
  char f[96];

  if (wi_ref_platform_parse(&p, s, &err) != 0) {
    if (err.msg[0] == '\0')
      abort();
    return;
  }
  wi_ref_platform_format(&p, f, sizeof f);
  if (wi_ref_platform_parse(&p2, f, &err) != 0 || !wi_ref_platform_match(&p, &p2) ||
      !wi_ref_platform_match(&p2, &p))
    abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = wi_xstrndup((const char *)data, size); /* command-line strings stop at NUL */
  wi_err err = { 0 };

  check_ref(s);
  check_platform(s);
  (void)wi_ref_host_is_loopback(s);
  (void)wi_ref_tag_validate(s, &err);
  (void)wi_ref_repo_path_validate(s, &err);
  free(s);
  return 0;
}
