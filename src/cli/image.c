/* wlsimg image: docker's `image` group. inspect and prune are here; ls, rm, tag, pull, push,
 * save, load and import are the top-level commands under docker's names. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/image_inspect.h"
#include "lib/ref.h"
#include "lib/store.h"
#include "lib/store_gc.h"

/* ---- image inspect ---- */

struct inspect_args {
  const char *format;
  const char *platform;
};

static const struct cli_opt inspect_opts[] = {
  { "format", 'f', CLI_STRING, offsetof(struct inspect_args, format), "json|TEMPLATE",
    "A Go template per image, e.g. '{{.Id}}', '{{json .Config.Labels}}' (default: a JSON array)",
    false },
  { "platform", 0, CLI_STRING, offsetof(struct inspect_args, platform), "OS/ARCH[/VARIANT]",
    "The platform to describe when the store holds a multi-platform image (default: this host's)",
    false },
  CLI_OPT_END,
};

static const struct cli_cmd inspect_cmd = {
  "image inspect",
  "[OPTIONS] IMAGE...",
  "Describe images in the local store as 'docker image inspect' does: a JSON array with one object\n"
  "per IMAGE (a name, an image id or a digest): Id (the config digest), RepoTags, RepoDigests,\n"
  "Created, Author, Config, Architecture, Os, Size, RootFS and Descriptor as docker has them, plus\n"
  "Manifest (the image manifest as stored) and ManifestDigest. An IMAGE that is not in the store is\n"
  "reported on stderr and the exit status is 1; the others are still printed.",
  inspect_opts,
  1,
  -1,
  CLI_COMPLETE_IMAGE,
};

/* Each line of text indented by 4 spaces (an object inside docker's array). */
static void
print_indented(const char *text)
{
  for (const char *p = text; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    printf("    %.*s\n", (int)len, p);
    p += len + (nl ? 1 : 0);
  }
}

static int
image_inspect(int argc, char **argv)
{
  struct inspect_args a = { 0 };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_platform plat;
  int status = CLI_EXIT_OK;
  int ret = cli_parse(&inspect_cmd, argc, argv, &a, &pos, &npos);

  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (a.platform && wi_ref_platform_parse(&plat, a.platform, &err) < 0)
    return cli_usage_error(inspect_cmd.name, "--platform: %s", err.msg);
  if (a.format && strncmp(a.format, "table", 5) == 0)
    return cli_usage_error(inspect_cmd.name,
                           "--format: a table is for lists; give json or a template");
  wi_autoptr(wi_store) struct wi_store *s = NULL;
  ret = cli_store_open_existing(&s, pos[0], &err);
  if (ret < 0)
    return cli_fail(&err);
  /* Every image first, so that a bad template prints nothing. */
  char **objs = wi_xcalloc((size_t)npos, sizeof *objs);
  size_t n = 0;
  for (int i = 0; i < npos; i++) {
    if (wi_image_inspect(s, pos[i], a.platform ? &plat : NULL, a.format ? 0 : 4, &objs[n], &err) <
        0)
      status = cli_fail(&err); /* docker: report it and go on */
    else
      n++;
  }
  if (a.format && n > 0) {
    ret = cli_print_records(inspect_cmd.name, a.format, "{{json .}}", objs[0], objs, n);
    status = ret ? ret : status;
  } else if (a.format == NULL) {
    printf("[\n");
    for (size_t i = 0; i < n; i++) {
      print_indented(objs[i]);
      if (i + 1 < n)
        printf("    ,\n");
    }
    printf("]\n");
  }
  for (size_t i = 0; i < n; i++)
    free(objs[i]);
  free(objs);
  return status;
}

/* ---- image prune (and system prune) ---- */

struct prune_args {
  bool all;
  bool force;
};

static const struct cli_opt prune_opts[] = {
  { "all", 'a', CLI_FLAG, offsetof(struct prune_args, all), NULL,
    "Remove every image, not only the untagged ones (nothing here runs containers)", false },
  { "force", 'f', CLI_FLAG, offsetof(struct prune_args, force), NULL, "Do not ask to confirm",
    false },
  CLI_OPT_END,
};

static const struct cli_cmd image_prune_cmd = {
  "image prune",
  "[OPTIONS]",
  "Remove untagged images (the <none> rows of 'wlsimg images'), the blobs no image needs and what\n"
  "interrupted pulls and loads left in the store's tmp/, and say how much space that reclaimed. Safe\n"
  "while other wlsimg processes use the store: what they are writing is kept. Asks first unless\n"
  "--force; the answer is read from stdin.",
  prune_opts,
  0,
  0,
};

static const struct cli_cmd system_prune_cmd = {
  "system prune",
  "[OPTIONS]",
  "Remove what the store does not need: untagged images (with --all every image), unreferenced\n"
  "blobs and the temporary files of interrupted transfers; say how much space that reclaimed.\n"
  "Safe while other wlsimg processes use the store. Asks first unless --force.",
  prune_opts,
  0,
  0,
};

/* docker's [y/N] prompt, on stderr (stdout carries results); the answer comes from stdin. */
static bool
confirm(const char *warning)
{
  char line[64];
  fprintf(stderr, "WARNING! This will remove %s.\nAre you sure you want to continue? [y/N] ",
          warning);
  fflush(stderr);
  if (fgets(line, sizeof line, stdin) == NULL) {
    fputc('\n', stderr);
    return false;
  }
  line[strcspn(line, "\r\n")] = '\0';
  return !strcasecmp(line, "y") || !strcasecmp(line, "yes");
}

static void
print_size_line(const char *what, size_t n, uint64_t bytes)
{
  if (n == 0)
    return;
  wi_autofree char *h = cli_human_size(bytes);
  printf("%s: %zu (%s)\n", what, n, h);
}

static int
run_prune(const struct cli_cmd *cmd, int argc, char **argv)
{
  struct prune_args a = { 0 };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_store_gc_prune_result r;
  int ret = cli_parse(cmd, argc, argv, &a, &pos, &npos);

  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (!a.force &&
      !confirm(a.all ? "every image in the store, unreferenced blobs and the temporary files of "
                       "interrupted transfers"
                     : "untagged images, unreferenced blobs and the temporary files of "
                       "interrupted transfers")) {
    fprintf(stderr, "wlsimg %s: cancelled; nothing was removed\n", cmd->name);
    return CLI_EXIT_FAIL;
  }
  wi_autoptr(wi_store) struct wi_store *s = NULL;
  ret = wi_store_open_default(&s, false, &err);
  if (ret == WI_ENOTFOUND) {
    printf("Total reclaimed space: 0B\n");
    return CLI_EXIT_OK;
  }
  if (ret < 0 || wi_store_gc_prune(s, a.all, &r, &err) < 0)
    return cli_fail(&err);
  if (r.n_images)
    printf("Deleted Images:\n");
  for (size_t i = 0; i < r.n_images; i++) {
    struct wi_ref ref = { 0 };
    if (r.images[i].name && wi_ref_parse(&ref, r.images[i].name, NULL) == 0) {
      wi_autofree char *f = wi_ref_familiar(&ref);
      printf("untagged: %s\n", f);
      wi_ref_dispose(&ref);
    }
    bool again = false;
    for (size_t k = 0; k < i; k++)
      again = again || strcmp(r.images[k].desc.digest, r.images[i].desc.digest) == 0;
    if (!again && !wi_store_has_blob(s, r.images[i].desc.digest))
      printf("deleted: %s\n", r.images[i].desc.digest);
  }
  if (r.n_images)
    printf("\n");
  print_size_line("Deleted blobs", r.blobs, r.blob_bytes);
  print_size_line("Deleted temporary files of interrupted transfers", r.tmp_files, r.tmp_bytes);
  wi_autofree char *total = cli_human_size(r.blob_bytes + r.tmp_bytes);
  printf("Total reclaimed space: %s\n", total);
  wi_store_gc_prune_result_dispose(&r);
  return CLI_EXIT_OK;
}

static int
image_prune(int argc, char **argv)
{
  return run_prune(&image_prune_cmd, argc, argv);
}

int
cmd_system_prune(int argc, char **argv)
{
  return run_prune(&system_prune_cmd, argc, argv);
}

/* ---- the group ---- */

static const struct cli_sub image_subs[] = {
  { "inspect", image_inspect, "Describe images as JSON (docker image inspect)", false },
  { "ls", cmd_images, "List images (wlsimg images)", false },
  { "list", cmd_images, "Alias of ls", true },
  { "prune", image_prune, "Remove untagged images, unreferenced blobs and leftovers", false },
  { "rm", cmd_rmi, "Remove image names (wlsimg rmi)", false },
  { "tag", cmd_tag, "Give an image another name (wlsimg tag)", false },
  { "pull", cmd_pull, "Pull an image (wlsimg pull)", false },
  { "push", cmd_push, "Push an image (wlsimg push)", false },
  { "save", cmd_save, "Write images to a docker-archive tar (wlsimg save)", false },
  { "load", cmd_load, "Load images from a docker-archive tar (wlsimg load)", false },
  { "import", cmd_import, "Create an image from a root filesystem tar (wlsimg import)", false },
  { NULL, NULL, NULL, false },
};

static const struct cli_group image_group = {
  "image",
  "Manage images in the local store, under docker's 'image' names.",
  NULL,
  image_subs,
};

int
cmd_image(int argc, char **argv)
{
  return cli_dispatch(&image_group, argc, argv);
}
