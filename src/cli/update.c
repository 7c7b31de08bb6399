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
  "Update an existing WebLogic image: a WDT domain or model, patches (WIT-compatible).",
  update_opts,
  0,
  -1,
};

int
cmd_update(int argc, char **argv)
{
  return wit_cmd_main(&update_cmd, WI_WIT_UPDATE, argc, argv);
}
