/* wlsimg save: write images from the store to a docker-archive tar (docker save). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/docker_archive.h"
#include "lib/ref.h"
#include "lib/store.h"

struct save_args {
  const char *output;
};

static const struct cli_opt save_opts[] = {
  { "output", 'o', CLI_STRING, offsetof(struct save_args, output), "FILE",
    "Write to FILE instead of standard output", false },
  CLI_OPT_END,
};

static const struct cli_cmd save_cmd = {
  "save",
  "[-o FILE] IMAGE...",
  "Save images (names, image ids or digests) to a docker-archive tar, readable by `docker load`,\n"
  "`wlsimg load` and `skopeo copy docker-archive:FILE …`.",
  save_opts,
  1,
  -1,
  CLI_COMPLETE_IMAGE,
};

struct save_set {
  struct wi_descriptor *descs;
  char ***tags;
  size_t *n_tags;
  size_t n;
};

/* Group the arguments by manifest so an image named twice is written once with both names. */
static int
collect(struct wi_store *s, char **args, int nargs, struct save_set *set, wi_err *err)
{
  for (int i = 0; i < nargs; i++) {
    struct wi_descriptor d = { 0 };
    char *name = NULL;
    int ret = wi_store_lookup(s, args[i], &d, &name, err);
    if (ret < 0)
      return ret;
    size_t k;
    for (k = 0; k < set->n && strcmp(set->descs[k].digest, d.digest) != 0; k++)
      ;
    if (k == set->n) {
      set->descs = wi_xreallocarray(set->descs, set->n + 1, sizeof *set->descs);
      set->tags = wi_xreallocarray(set->tags, set->n + 1, sizeof *set->tags);
      set->n_tags = wi_xreallocarray(set->n_tags, set->n + 1, sizeof *set->n_tags);
      set->descs[k] = d;
      set->tags[k] = NULL;
      set->n_tags[k] = 0;
      set->n++;
    } else {
      wi_manifest_descriptor_dispose(&d);
    }
    if (name) {
      /* RepoTags in docker's familiar form ("busybox:latest"); a name without a tag
       * ("repo@sha256:…") cannot be a RepoTag. */
      struct wi_ref r = { 0 };
      if (wi_ref_parse(&r, name, NULL) == 0) {
        free(name);
        name = r.tag ? wi_ref_familiar(&r) : NULL;
        wi_ref_dispose(&r);
      }
    }
    for (size_t t = 0; name && t < set->n_tags[k]; t++) {
      if (strcmp(set->tags[k][t], name) == 0) {
        free(name); /* the same name given twice */
        name = NULL;
      }
    }
    if (name) {
      set->tags[k] = wi_xreallocarray(set->tags[k], set->n_tags[k] + 1, sizeof **set->tags);
      set->tags[k][set->n_tags[k]++] = name;
    }
  }
  return 0;
}

static void
set_dispose(struct save_set *set)
{
  for (size_t i = 0; i < set->n; i++) {
    wi_manifest_descriptor_dispose(&set->descs[i]);
    for (size_t k = 0; k < set->n_tags[i]; k++)
      free(set->tags[i][k]);
    free(set->tags[i]);
  }
  free(set->descs);
  free(set->tags);
  free(set->n_tags);
}

int
cmd_save(int argc, char **argv)
{
  struct save_args a = { 0 };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct save_set set = { 0 };
  int ret = cli_parse(&save_cmd, argc, argv, &a, &pos, &npos);

  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (a.output == NULL && isatty(STDOUT_FILENO))
    return cli_usage_error(
        "save", "refusing to write a tar to a terminal; use -o FILE or redirect the output");
  wi_autoptr(wi_store) struct wi_store *s = NULL;
  ret = cli_store_open_existing(&s, pos[0], &err);
  if (ret < 0)
    return cli_fail(&err);
  ret = collect(s, pos, npos, &set, &err);
  if (ret == 0) {
    struct wi_docker_archive_image *imgs = wi_xcalloc(set.n, sizeof *imgs);
    for (size_t i = 0; i < set.n; i++)
      imgs[i] = (struct wi_docker_archive_image){ .desc = &set.descs[i],
                                                  .repo_tags = (const char *const *)set.tags[i],
                                                  .n_repo_tags = set.n_tags[i] };
    if (a.output && strcmp(a.output, "-") != 0)
      ret = wi_docker_archive_write_file(s, imgs, set.n, a.output, &err);
    else
      ret = wi_docker_archive_write(s, imgs, set.n, STDOUT_FILENO, &err);
    free(imgs);
  }
  set_dispose(&set);
  if (ret < 0)
    return cli_fail(&err);
  return CLI_EXIT_OK;
}
