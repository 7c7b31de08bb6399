/* wlsimg tag: give an image in the store another name (docker tag). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/ref.h"
#include "lib/store.h"

struct tag_args {
  int unused;
};

static const struct cli_opt tag_opts[] = { CLI_OPT_END };

static const struct cli_cmd tag_cmd = {
  "tag",
  "SOURCE TARGET",
  "Name the image SOURCE (a name, an image id or a digest) also TARGET (REPOSITORY[:TAG]).",
  tag_opts,
  2,
  2,
  CLI_COMPLETE_IMAGE,
};

int
cmd_tag(int argc, char **argv)
{
  struct tag_args a = { 0 };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_ref ref = { 0 };
  struct wi_descriptor d = { 0 };
  int ret = cli_parse(&tag_cmd, argc, argv, &a, &pos, &npos);

  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (wi_ref_parse(&ref, pos[1], &err) < 0)
    return cli_fail(&err);
  if (ref.digest) {
    wi_ref_dispose(&ref);
    wi_err_set(&err, WI_EINVAL, "tag %s: a target with a digest cannot be a tag", pos[1]);
    return cli_fail(&err);
  }
  wi_autofree char *target = wi_ref_name(&ref);
  wi_ref_dispose(&ref);
  wi_autoptr(wi_store) struct wi_store *s = NULL;
  ret = cli_store_open_existing(&s, pos[0], &err);
  if (ret < 0 || wi_store_lookup(s, pos[0], &d, NULL, &err) < 0)
    return cli_fail(&err);
  ret = wi_store_tag(s, target, &d, &err);
  wi_manifest_descriptor_dispose(&d);
  if (ret < 0)
    return cli_fail(&err);
  return CLI_EXIT_OK;
}
