/* wlsimg pull: fetch an image from a registry into the store. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/ref.h"
#include "lib/store.h"
#include "lib/transfer.h"

struct pull_args {
  struct cli_registry_args reg;
  const char *platform;
  bool all_platforms;
  int jobs;
  int retry_times;
  bool quiet;
};

static const struct cli_opt pull_opts[] = {
  CLI_REGISTRY_OPTS(struct pull_args, reg),
  { "platform", 0, CLI_STRING, offsetof(struct pull_args, platform), "OS/ARCH[/VARIANT]",
    "Platform to pick from a multi-platform image (default: this host's)", false },
  { "all-platforms", 'a', CLI_FLAG, offsetof(struct pull_args, all_platforms), NULL,
    "Pull every platform of a multi-platform image", false },
  { "jobs", 'j', CLI_INT, offsetof(struct pull_args, jobs), "N",
    "Parallel blob downloads (default 4)", false },
  { "retry-times", 0, CLI_INT, offsetof(struct pull_args, retry_times), "N",
    "Retries of network errors and HTTP 408/429/5xx (default 4)", false },
  { "quiet", 'q', CLI_FLAG, offsetof(struct pull_args, quiet), NULL, "No progress output", false },
  CLI_OPT_END,
};

static const struct cli_cmd pull_cmd = {
  "pull", "[OPTIONS] REF",    "Pull REF from its registry into the local store.", pull_opts, 1,
  1,      CLI_COMPLETE_IMAGE,
};

int
cmd_pull(int argc, char **argv)
{
  struct pull_args a = { .reg = CLI_REGISTRY_ARGS_INIT, .retry_times = -1 };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  char digest[WI_DIGEST_MAX] = "";
  struct wi_ref ref = { 0 };
  int ret;

  ret = cli_parse(&pull_cmd, argc, argv, &a, &pos, &npos);
  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (a.quiet)
    cli_quiet = true;
  if (a.all_platforms && a.platform)
    return cli_usage_error("pull", "--platform and --all-platforms exclude each other");
  const char *r = NULL;
  if (cli_registry_ref(pos[0], &a.reg, &r, &err) < 0 || wi_ref_parse(&ref, r, &err) < 0)
    return cli_fail(&err);
  wi_autofree char *name = wi_ref_name(&ref);
  wi_ref_dispose(&ref);

  wi_autofree char *root = wi_store_default_root();
  wi_autoptr(wi_store) struct wi_store *s = NULL;
  if (wi_store_open(&s, root, true, &err) < 0)
    return cli_fail(&err);
  struct cli_progress *prog = cli_progress_new("Pulling");
  struct wi_transfer_opts o = {
    .src_reg = cli_registry_opts(&a.reg, a.retry_times),
    .platform = a.all_platforms ? "all" : a.platform,
    .parallel = a.jobs,
    .progress = cli_progress_cb,
    .progress_payload = prog,
  };
  ret = wi_transfer_pull(s, r, &o, digest, &err);
  cli_progress_free(prog);
  if (ret < 0)
    return cli_fail(&err);
  printf("Pulled %s\nDigest: %s\n", name, digest);
  return CLI_EXIT_OK;
}
