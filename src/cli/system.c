/* wlsimg system: what the store holds (df) and removing what it does not need (prune). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/gotmpl.h"
#include "lib/store.h"
#include "lib/store_gc.h"

struct df_args {
  const char *format;
};

static const struct cli_opt df_opts[] = {
  { "format", 0, CLI_STRING, offsetof(struct df_args, format), "table|json|TEMPLATE",
    "Output: table (default), json (one object per line) or a Go template; fields .Type "
    ".TotalCount .Active .Size .Reclaimable",
    false },
  CLI_OPT_END,
};

static const struct cli_cmd df_cmd = {
  "system df",
  "[OPTIONS]",
  "Show the local store's disk usage as 'docker system df' does. Images: TOTAL images, ACTIVE those\n"
  "with a name, SIZE the blobs they use (shared ones once), RECLAIMABLE what only untagged images\n"
  "use. Unreferenced blobs: what no image uses (a pull in progress has some until it names its\n"
  "image). Temporary files: ACTIVE those a running transfer writes; the rest was left by an\n"
  "interrupted one. 'wlsimg system prune' reclaims what this calls reclaimable.",
  df_opts,
  0,
  0,
};

static char *
percent(uint64_t part, uint64_t whole)
{
  wi_autofree char *h = cli_human_size(part);
  return whole ? wi_xasprintf("%s (%d%%)", h, (int)(part * 100 / whole)) : wi_xstrdup(h);
}

static char *
df_record(const char *type, size_t total, size_t active, uint64_t size, uint64_t reclaimable)
{
  wi_autofree char *t = wi_xasprintf("%zu", total);
  wi_autofree char *a = wi_xasprintf("%zu", active);
  wi_autofree char *sz = cli_human_size(size);
  wi_autofree char *r = percent(reclaimable, size);
  const char *kv[] = { "Active", a, "Reclaimable", r, "Size", sz, "TotalCount", t, "Type", type };
  return wi_gotmpl_record(kv, 5);
}

static int
system_df(int argc, char **argv)
{
  struct df_args a = { 0 };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_store_gc_usage u = { 0 };
  int ret = cli_parse(&df_cmd, argc, argv, &a, &pos, &npos);

  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  wi_autoptr(wi_store) struct wi_store *s = NULL;
  ret = wi_store_open_default(&s, false, &err);
  if (ret < 0 && ret != WI_ENOTFOUND)
    return cli_fail(&err);
  if (ret == 0 && wi_store_gc_usage(s, &u, &err) < 0)
    return cli_fail(&err);
  char *recs[3] = {
    df_record("Images", u.images, u.images_tagged, u.image_bytes, u.untagged_bytes),
    df_record("Unreferenced blobs", u.unref_blobs, 0, u.unref_bytes, u.unref_bytes),
    df_record("Temporary files", u.tmp_files, u.tmp_in_use, u.tmp_bytes, u.tmp_stale_bytes),
  };
  const char *hkv[] = { "Active", "ACTIVE",     "Reclaimable", "RECLAIMABLE", "Size",
                        "SIZE",   "TotalCount", "TOTAL",       "Type",        "TYPE" };
  wi_autofree char *hdr = wi_gotmpl_record(hkv, 5);
  ret = cli_print_records(
      df_cmd.name, a.format,
      "table {{.Type}}\\t{{.TotalCount}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}", hdr, recs,
      3);
  for (size_t i = 0; i < 3; i++)
    free(recs[i]);
  return ret;
}

static const struct cli_sub system_subs[] = {
  { "df", system_df, "Show the store's disk usage", false },
  { "prune", cmd_system_prune, "Remove untagged images, unreferenced blobs and leftovers", false },
  { NULL, NULL, NULL, false },
};

static const struct cli_group system_group = {
  "system",
  "The local store as a whole: its disk usage and removing what it does not need.",
  NULL,
  system_subs,
};

int
cmd_system(int argc, char **argv)
{
  return cli_dispatch(&system_group, argc, argv);
}
