/* wlsimg load: load images from a docker-archive tar into the store (docker load). */
#include <errno.h>
#include <fcntl.h>
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

struct load_args {
  const char *input;
  bool quiet;
};

static const struct cli_opt load_opts[] = {
  { "input", 'i', CLI_STRING, offsetof(struct load_args, input), "FILE",
    "Read from FILE (a tar, possibly compressed) instead of standard input", false },
  { "quiet", 'q', CLI_FLAG, offsetof(struct load_args, quiet), NULL, "Print nothing", false },
  CLI_OPT_END,
};

static const struct cli_cmd load_cmd = {
  "load",
  "[-i FILE]",
  "Load images from a docker-archive tar (docker save, skopeo, podman). Layers are stored gzip-compressed,\n"
  "ready to push.",
  load_opts,
  0,
  0,
};

int
cmd_load(int argc, char **argv)
{
  struct load_args a = { 0 };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_docker_archive_loaded *l = NULL;
  size_t n = 0;
  wi_autoclose int fd = -1;
  int ret = cli_parse(&load_cmd, argc, argv, &a, &pos, &npos);

  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  const char *what = a.input && strcmp(a.input, "-") != 0 ? a.input : "standard input";
  if (a.input && strcmp(a.input, "-") != 0) {
    fd = open(a.input, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      wi_err_sys(&err, WI_EIO, "load: open %s", a.input);
      return cli_fail(&err);
    }
  } else if (isatty(STDIN_FILENO)) {
    return cli_usage_error("load",
                           "requested load from standard input, but it is a terminal; use -i FILE");
  }
  wi_autoptr(wi_store) struct wi_store *s = NULL;
  if (wi_store_open_default(&s, true, &err) < 0 ||
      wi_docker_archive_read(s, fd >= 0 ? fd : STDIN_FILENO, what, true, &l, &n, &err) < 0)
    return cli_fail(&err);
  for (size_t i = 0; i < n && !a.quiet; i++) {
    if (l[i].n_names == 0)
      printf("Loaded image ID: %s\n", l[i].config_digest);
    for (size_t k = 0; k < l[i].n_names; k++) {
      struct wi_ref r = { 0 };
      wi_autofree char *f = wi_ref_parse(&r, l[i].names[k], NULL) == 0 ? wi_ref_familiar(&r) : NULL;
      wi_ref_dispose(&r);
      printf("Loaded image: %s\n", f ? f : l[i].names[k]);
    }
  }
  wi_docker_archive_loaded_free(l, n);
  return CLI_EXIT_OK;
}
