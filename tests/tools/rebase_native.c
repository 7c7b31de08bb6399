/* A small driver for the tests and bench/primary.sh: the library's native rebase (wi_rebase_build)
 * until `wlsimg rebase --targetImage` is wired to it.
 *
 *   rebase-native --store DIR --source REF --target REF --domain-home PATH --user U --group G
 *                 [--copy-path PATH] [--openshift] [--tag NAME] [--build-id ID] [--gzip-level N]
 *
 * Prints the new image's manifest digest; errors go to stderr with exit 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/image.h"
#include "lib/rebase.h"
#include "lib/store.h"

int
main(int argc, char **argv)
{
  const char *store_dir = NULL, *source = NULL, *target = NULL;
  struct wi_rebase_opts o = { .epoch = wi_rebase_epoch() };
  wi_err err = { 0 };

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--openshift") == 0) {
      o.openshift = true;
      continue;
    }
    if (v == NULL) {
      fprintf(stderr, "rebase-native: %s needs a value\n", a);
      return 2;
    }
    i++;
    if (strcmp(a, "--store") == 0)
      store_dir = v;
    else if (strcmp(a, "--source") == 0)
      source = v;
    else if (strcmp(a, "--target") == 0)
      target = v;
    else if (strcmp(a, "--domain-home") == 0)
      o.domain_home = v;
    else if (strcmp(a, "--copy-path") == 0)
      o.copy_path = v;
    else if (strcmp(a, "--user") == 0)
      o.user = v;
    else if (strcmp(a, "--group") == 0)
      o.group = v;
    else if (strcmp(a, "--tag") == 0)
      o.tag = v;
    else if (strcmp(a, "--build-id") == 0)
      o.build_id = v;
    else if (strcmp(a, "--gzip-level") == 0)
      o.gzip_level = atoi(v);
    else {
      fprintf(stderr, "rebase-native: unknown option %s\n", a);
      return 2;
    }
  }
  if (store_dir == NULL || source == NULL || target == NULL) {
    fprintf(stderr, "rebase-native: --store, --source and --target are required\n");
    return 2;
  }
  struct wi_store *s = NULL;
  struct wi_image *src = NULL, *tgt = NULL;
  struct wi_rebase_result res;
  int ret = wi_store_open(&s, store_dir, false, &err);
  if (ret == 0)
    ret = wi_image_open(&src, s, source, NULL, false, NULL, &err);
  if (ret == 0)
    ret = wi_image_open(&tgt, s, target, NULL, false, NULL, &err);
  if (ret == 0) {
    o.store = s;
    o.source = src;
    o.target = tgt;
    ret = wi_rebase_build(&o, &res, &err);
  }
  if (ret == 0)
    printf("%s\n", res.digest);
  else
    fprintf(stderr, "rebase-native: %s\n", err.msg);
  wi_image_free(src);
  wi_image_free(tgt);
  wi_store_free(s);
  return ret == 0 ? 0 : 1;
}
