/* wlsimg create: WIT 1.16's create — a WebLogic or FMW image from a base OS image, a JDK and the
 * Oracle installers in the cache, optionally with a WDT domain. */
#include "cli/commands.h"
#include "cli/witopts.h"

static const struct cli_opt create_opts[] = {
  WIT_COMMON_OPTS, WIT_PATCH_OPTS, WIT_CREATE_OPTS, WIT_WDT_OPTS, CLI_OPT_END,
};

static const struct cli_cmd create_cmd = {
  "create",
  "--tag TAG [OPTIONS] [-- ENGINE-ARGS]",
  "Build a WebLogic image from a base OS image, a JDK and the Oracle installers in the cache (WIT-compatible).\n\n"
  "The installers, packages and users are set up inside the image, so a container engine builds it from WIT's\n"
  "Dockerfile (--builder, else $WLSIMG_BUILDER, else the first of docker, podman and buildah found). --fromImage\n"
  "is read statically (no container) from the wlsimg store, pulled from its registry when absent; the result is\n"
  "named --tag in the store (the digest is printed) and --push pushes it. --dryRun prints the Dockerfile.",
  create_opts,
  0,
  -1,
};

int
cmd_create(int argc, char **argv)
{
  return wit_cmd_main(&create_cmd, WI_WIT_CREATE, argc, argv);
}
