/* wlsimg manifest: print an image's manifest exactly as the registry serves it. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/ref.h"
#include "lib/regclient.h"
#include "lib/transfer.h"

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
  "Write REF's raw manifest (the exact bytes stored or served) to stdout. REF is what copy takes as\n"
  "a source: a name in the local store (an image id or a digest too), oci:DIR[:TAG] or\n"
  "docker://REF; a name the store does not have is fetched from its registry (https:// and\n"
  "http:// in front are understood as docker://).",
  manifest_opts,
  1,
  1,
  CLI_COMPLETE_IMAGE,
};

int
cmd_manifest(int argc, char **argv)
{
  struct manifest_args a = { .reg = CLI_REGISTRY_ARGS_INIT };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  wi_autofree char *bytes = NULL;
  size_t len = 0;
  int ret;

  ret = cli_parse(&manifest_cmd, argc, argv, &a, &pos, &npos);
  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  const char *src = pos[0];
  enum wi_ref_scheme scheme;
  wi_ref_strip_scheme(src, &scheme);
  wi_autofree char *remote = NULL;
  if (scheme != WI_REF_SCHEME_NONE) {
    const char *bare = NULL;
    if (cli_registry_ref(src, &a.reg, &bare, &err) < 0)
      return cli_fail(&err);
    src = remote = wi_xasprintf("docker://%s", bare);
  }
  struct wi_transfer_opts o = { .src_reg = cli_registry_opts(&a.reg, -1) };
  if (wi_transfer_get_manifest(src, &o, &bytes, &len, NULL, &err) < 0)
    return cli_fail(&err);
  if (fwrite(bytes, 1, len, stdout) != len || fflush(stdout) != 0) {
    wi_err_sys(&err, WI_EIO, "writing the manifest to stdout");
    return cli_fail(&err);
  }
  return CLI_EXIT_OK;
}
