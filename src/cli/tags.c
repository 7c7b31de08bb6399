/* wlsimg tags: list a repository's tags (following pagination). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/gotmpl.h"
#include "lib/ref.h"
#include "lib/regclient.h"

struct tags_args {
  struct cli_registry_args reg;
  const char *format;
};

static const struct cli_opt tags_opts[] = {
  CLI_REGISTRY_OPTS(struct tags_args, reg),
  { "format", 0, CLI_STRING, offsetof(struct tags_args, format), "json|TEMPLATE",
    "json: {\"Repository\": …, \"Tags\": […]} as skopeo list-tags prints it; or a Go template on "
    "that object, e.g. '{{json .Tags}}' (default: one tag a line)",
    false },
  CLI_OPT_END,
};

static const struct cli_cmd tags_cmd = {
  "tags",
  "[OPTIONS] REPOSITORY",
  "List the tags of REPOSITORY (docker://REPOSITORY too), one per line.",
  tags_opts,
  1,
  1,
  CLI_COMPLETE_IMAGE,
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
  if (a.format) { /* a bad template is found before any traffic */
    const char *hkv[] = { "Repository", "REPOSITORY" };
    wi_autofree char *hdr = wi_gotmpl_record_list(hkv, 1, "Tags", NULL, 0);
    if (cli_check_format(tags_cmd.name, a.format, hdr) != 0)
      return CLI_EXIT_USAGE;
  }
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  ret = cli_registry_connect(&rc, &ref, pos[0], &a.reg, &err);
  if (ret == 0)
    ret = wi_regclient_tags(rc, ref.path, &tags, &n, &err);
  wi_autofree char *repo = ret == 0 ? wi_ref_repo(&ref) : NULL;
  wi_ref_dispose(&ref);
  if (ret < 0)
    return cli_fail(&err);
  if (a.format) {
    const char *kv[] = { "Repository", repo };
    char *rec = wi_gotmpl_record_list(kv, 1, "Tags", (const char *const *)tags, n);
    ret = cli_print_records(tags_cmd.name, a.format, "{{json .}}", rec, &rec, 1);
    free(rec);
  } else {
    for (size_t i = 0; i < n; i++)
      printf("%s\n", tags[i]);
  }
  wi_strv_free(tags, n);
  return ret;
}
