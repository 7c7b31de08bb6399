/* wlsimg rmi: remove names from the store; blobs no name needs any more are deleted (docker rmi).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/ref.h"
#include "lib/store.h"
#include "lib/store_gc.h"

struct rmi_args {
  bool force;
  bool no_prune;
};

static const struct cli_opt rmi_opts[] = {
  { "force", 'f', CLI_FLAG, offsetof(struct rmi_args, force), NULL,
    "Remove every name of an image given by id, even when it has several", false },
  { "no-prune", 0, CLI_FLAG, offsetof(struct rmi_args, no_prune), NULL, "Keep unreferenced blobs",
    false },
  CLI_OPT_END,
};

static const struct cli_cmd rmi_cmd = {
  "rmi",
  "[OPTIONS] IMAGE...",
  "Remove image names (REPOSITORY[:TAG], an image id or a digest). Blobs that no name references any\n"
  "more are deleted.",
  rmi_opts,
  1,
  -1,
  CLI_COMPLETE_IMAGE,
};

static void
print_untagged(const char *name)
{
  struct wi_ref r = { 0 };
  if (wi_ref_parse(&r, name, NULL) == 0) {
    wi_autofree char *f = wi_ref_familiar(&r);
    printf("Untagged: %s\n", f);
    wi_ref_dispose(&r);
  } else {
    printf("Untagged: %s\n", name);
  }
}

/* Untag every name of the manifest `digest`; docker wants --force when there are several. */
static int
untag_id(struct wi_store *s, const char *arg, const char *digest, bool force, wi_err *err)
{
  struct wi_store_entry *e = NULL;
  size_t n = 0, names = 0;
  int ret = wi_store_list(s, &e, &n, err);

  if (ret < 0)
    return ret;
  for (size_t i = 0; i < n; i++)
    names += e[i].name && strcmp(e[i].desc.digest, digest) == 0;
  if (names > 1 && !force) {
    wi_store_entries_free(e, n);
    return wi_err_set(
        err, WI_EINVAL,
        "unable to delete %s (must be forced): image is referenced by %zu names; use --force or "
        "remove the names",
        arg, names);
  }
  for (size_t i = 0; i < n && ret == 0; i++) {
    if (e[i].name && strcmp(e[i].desc.digest, digest) == 0) {
      ret = wi_store_untag(s, e[i].name, err);
      if (ret == 0)
        print_untagged(e[i].name);
    }
  }
  wi_store_entries_free(e, n);
  /* the <none> entries of an image a name has moved away from */
  if (ret == 0 && wi_store_remove_untagged(s, digest, err) == WI_ENOTFOUND)
    wi_err_clear(err);
  return ret;
}

static int
remove_one(struct wi_store *s, const char *arg, bool force, struct wi_descriptor *removed,
           wi_err *err)
{
  struct wi_descriptor d = { 0 };
  char *name = NULL;
  int ret = wi_store_lookup(s, arg, &d, &name, err);

  if (ret < 0)
    return ret;
  if (name)
    ret = wi_store_untag(s, name, err);
  else
    ret = untag_id(s, arg, d.digest, force, err);
  if (ret == 0 && name)
    print_untagged(name);
  free(name);
  *removed = d;
  return ret;
}

int
cmd_rmi(int argc, char **argv)
{
  struct rmi_args a = { 0 };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  int status = CLI_EXIT_OK;
  int ret = cli_parse(&rmi_cmd, argc, argv, &a, &pos, &npos);

  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  wi_autoptr(wi_store) struct wi_store *s = NULL;
  ret = cli_store_open_existing(&s, pos[0], &err);
  if (ret < 0)
    return cli_fail(&err);
  struct wi_descriptor *removed = wi_xcalloc((size_t)npos, sizeof *removed);
  for (int i = 0; i < npos; i++) {
    /* Like docker: report each failure and go on with the other names. */
    if (remove_one(s, pos[i], a.force, &removed[i], &err) < 0)
      status = cli_fail(&err);
  }
  uint64_t freed = 0;
  if (!a.no_prune && wi_store_gc(s, &freed, &err) < 0)
    status = cli_fail(&err);
  for (int i = 0; i < npos; i++) {
    bool again = false;
    for (int k = 0; k < i && !again; k++)
      again = removed[k].digest && removed[i].digest &&
              strcmp(removed[k].digest, removed[i].digest) == 0;
    if (!a.no_prune && !again && removed[i].digest && !wi_store_has_blob(s, removed[i].digest))
      printf("Deleted: %s\n", removed[i].digest);
    wi_manifest_descriptor_dispose(&removed[i]);
  }
  free(removed);
  return status;
}
