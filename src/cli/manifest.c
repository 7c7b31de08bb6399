/* wlsimg manifest: print an image's manifest exactly as the registry serves it. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/ref.h"
#include "lib/regclient.h"

struct manifest_args {
  struct cli_registry_args reg;
};

static const struct cli_opt manifest_opts[] = {
  CLI_REGISTRY_OPTS(struct manifest_args, reg),
  CLI_OPT_END,
};

static const struct cli_cmd manifest_cmd = {
  "manifest",
  "[OPTIONS] REF",
  "Write REF's raw manifest (the exact bytes the registry serves) to stdout.",
  manifest_opts,
  1,
  1,
};

int
cmd_manifest(int argc, char **argv)
{
  struct manifest_args a = { .reg = CLI_REGISTRY_ARGS_INIT };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_ref ref = { 0 };
  wi_autofree char *bytes = NULL;
  size_t len = 0;
  int ret;

  ret = cli_parse(&manifest_cmd, argc, argv, &a, &pos, &npos);
  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  ret = cli_registry_connect(&rc, &ref, pos[0], &a.reg, &err);
  if (ret == 0)
    ret = wi_regclient_get_manifest(rc, ref.path, ref.digest ? ref.digest : ref.tag, &bytes, &len,
                                    NULL, NULL, &err);
  wi_ref_dispose(&ref);
  if (ret < 0)
    return cli_fail(&err);
  if (fwrite(bytes, 1, len, stdout) != len || fflush(stdout) != 0) {
    wi_err_sys(&err, WI_EIO, "writing the manifest to stdout");
    return cli_fail(&err);
  }
  return CLI_EXIT_OK;
}
