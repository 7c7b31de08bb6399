/* wlsimg inspect: WIT's inspect report, read statically from the image (no container is run). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/witlog.h"
#include "lib/alloc.h"
#include "lib/image.h"
#include "lib/probe.h"
#include "lib/store.h"

struct inspect_args {
  const char *image;
  const char *builder;
  bool patches;
  const char *format;
  const char *platform;
  bool pull;
  bool tls_verify;
  const char *authfile;
};

#define O(f) offsetof(struct inspect_args, f)
static const struct cli_opt inspect_opts[] = {
  { "image", 'i', CLI_STRING, O(image), "image",
    "Image to inspect (store name, or pulled from its registry)", true },
  { "patches", 'p', CLI_FLAG, O(patches), NULL, "Include OPatch information", false },
  { "platform", 0, CLI_STRING, O(platform), "os/arch",
    "Platform of a multi-platform image (default: this machine's)", false },
  { "format", 'f', CLI_STRING, O(format), "JSON", "Output format (only JSON)", false },
  { "builder", 'b', CLI_STRING, O(builder), "executable",
    "Accepted for compatibility (no container is run)", false },
  { "pull", 0, CLI_FLAG, O(pull), NULL,
    "Fetch the image from its registry even if it is in the store", false },
  { "tls-verify", 0, CLI_FLAG, O(tls_verify), NULL, "Verify registry certificates (default true)",
    false },
  { "authfile", 0, CLI_STRING, O(authfile), "file", "Registry credentials file", false },
  CLI_OPT_END,
};
#undef O

static const struct cli_cmd inspect_cmd = {
  "inspect",
  "--image REF [OPTIONS]",
  "Describe an image as WIT's inspect does (OS, Java, WebLogic, WDT), from its files, without running it.",
  inspect_opts,
  0,
  0,
};

int
cmd_inspect(int argc, char **argv)
{
  struct inspect_args a = { .tls_verify = true };
  char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  wi_autoptr(wi_store) struct wi_store *store = NULL;
  wi_autoptr(wi_image) struct wi_image *img = NULL;
  wi_autoptr(wi_probe) struct wi_probe *probe = NULL;
  wi_autofree char *json = NULL;
  struct wi_platform plat, *pp = NULL;

  int r = cli_parse(&inspect_cmd, argc, argv, &a, &pos, &npos);
  free(pos);
  if (r != 0)
    return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (a.format && strcasecmp(a.format, "JSON") != 0)
    return cli_usage_error("inspect", "invalid value '%s' for option '--format' (expected JSON)",
                           a.format);
  if (a.platform) {
    if (wi_ref_platform_parse(&plat, a.platform, &err) < 0)
      return cli_usage_error("inspect", "--platform: %s", err.msg);
    pp = &plat;
  }
  wit_log_install();
  struct wi_transfer_opts to = { 0 };
  to.src_reg.tls_skip_verify = !a.tls_verify;
  to.src_reg.authfile = a.authfile;
  if (wi_store_open_default(&store, true, &err) < 0 ||
      wi_image_open(&img, store, a.image, pp, a.pull, &to, &err) < 0 ||
      wi_probe_image(&probe, store, img, a.patches ? WI_PROBE_LONG : 0, &err) < 0 ||
      wi_probe_json(probe, &json, &err) < 0)
    return wit_fail(&err);
  fputs(json, stdout);
  return CLI_EXIT_OK;
}
