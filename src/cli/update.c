/* wlsimg update: WIT 1.16's update — WDT (create, update or deploy a domain, or a model-only
 * image) and patches on top of an existing WebLogic image. */
#include "cli/commands.h"
#include "cli/witopts.h"

static const struct cli_opt update_opts[] = {
  WIT_COMMON_OPTS,
  WIT_PATCH_OPTS,
  WIT_WDT_OPTS,
  { "wdtOperation", 0, CLI_STRING, WO(wdt_operation), "operation",
    "CREATE, UPDATE (default) or DEPLOY: createDomain.sh, updateDomain.sh, deployApps.sh", false },
  CLI_OPT_END,
};

static const struct cli_cmd update_cmd = {
  "update",
  "--tag TAG --fromImage IMAGE [OPTIONS] [-- ENGINE-ARGS]",
  "Update an existing WebLogic image: a WDT domain or model, patches (WIT-compatible).\n\n"
  "An update with nothing to install (no patches, no WDT files) changes only the image's config and is built\n"
  "natively, without a container engine, also with [final-build-commands] of ENV, LABEL, USER, ARG, CMD,\n"
  "ENTRYPOINT, EXPOSE and STOPSIGNAL lines. So is a model-only update with only --wdtVariables (--wdtModelOnly,\n"
  "no --wdtModel or --wdtArchive to validate): WDT and the files are copied into the WDT home as WIT's\n"
  "Dockerfile copies them. OPatch, WDT's domain tools and validateModel.sh, and RUN lines run inside the image:\n"
  "a container engine builds those from WIT's Dockerfile. The result is named --tag in the wlsimg store (the digest is printed) and\n"
  "--push pushes it; --dryRun prints the Dockerfile.",
  update_opts,
  0,
  -1,
};

int
cmd_update(int argc, char **argv)
{
  return wit_cmd_main(&update_cmd, WI_WIT_UPDATE, argc, argv);
}
