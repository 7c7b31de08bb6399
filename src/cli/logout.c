/* wlsimg logout: remove saved credentials for a registry. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/creds.h"

struct logout_args {
  const char *authfile;
};

static const struct cli_opt logout_opts[] = {
  { "authfile", 0, CLI_STRING, offsetof(struct logout_args, authfile), "FILE",
    "Remove from this containers auth.json instead of docker's config.json (also REGISTRY_AUTH_FILE)",
    false },
  CLI_OPT_END,
};

static const struct cli_cmd logout_cmd = {
  "logout",
  "[OPTIONS] [REGISTRY]",
  "Remove the saved credentials for REGISTRY (default docker.io).",
  logout_opts,
  0,
  1,
};

int
cmd_logout(int argc, char **argv)
{
  struct logout_args a = { 0 };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };

  int ret = cli_parse(&logout_cmd, argc, argv, &a, &pos, &npos);
  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  wi_autofree char *host = wi_creds_registry_host(npos ? pos[0] : "docker.io");
  if (*host == '\0')
    return cli_usage_error("logout", "no registry host in \"%s\"", pos[0]);
  ret = wi_creds_erase(host, a.authfile, &err);
  if (ret == WI_ENOTFOUND)
    wi_err_set(&err, WI_ENOTFOUND, "not logged in to %s", host);
  if (ret < 0)
    return cli_fail(&err);
  printf("Removing login credentials for %s\n", host);
  return CLI_EXIT_OK;
}
