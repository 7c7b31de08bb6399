/* wlsimg tags: list a repository's tags (following pagination). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/ref.h"
#include "lib/regclient.h"

struct tags_args {
  struct cli_registry_args reg;
};

static const struct cli_opt tags_opts[] = {
  CLI_REGISTRY_OPTS(struct tags_args, reg),
  CLI_OPT_END,
};

static const struct cli_cmd tags_cmd = {
  "tags", "[OPTIONS] REPOSITORY", "List the tags of REPOSITORY, one per line.", tags_opts, 1, 1,
};

int
cmd_tags(int argc, char **argv)
{
  struct tags_args a = { .reg = CLI_REGISTRY_ARGS_INIT };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_ref ref = { 0 };
  char **tags = NULL;
  size_t n = 0;
  int ret;

  ret = cli_parse(&tags_cmd, argc, argv, &a, &pos, &npos);
  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  ret = cli_registry_connect(&rc, &ref, pos[0], &a.reg, &err);
  if (ret == 0)
    ret = wi_regclient_tags(rc, ref.path, &tags, &n, &err);
  wi_ref_dispose(&ref);
  if (ret < 0)
    return cli_fail(&err);
  for (size_t i = 0; i < n; i++)
    printf("%s\n", tags[i]);
  wi_strv_free(tags, n);
  return CLI_EXIT_OK;
}
