/* wlsimg import: make a one-layer image from a root filesystem tar (docker import). */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/import.h"
#include "lib/ref.h"
#include "lib/store.h"

struct import_args {
  const char *tag;
  const char *platform;
  struct cli_list changes;
  const char *message;
  bool keep_setuid;
};

static const struct cli_opt import_opts[] = {
  { "tag", 't', CLI_STRING, offsetof(struct import_args, tag), "NAME",
    "Name of the new image (REPOSITORY[:TAG])", false },
  { "platform", 0, CLI_STRING, offsetof(struct import_args, platform), "OS/ARCH[/VARIANT]",
    "Platform recorded in the config (default: this host's)", false },
  { "change", 'c', CLI_LIST, offsetof(struct import_args, changes), "INSTRUCTION",
    "Dockerfile instruction for the config: CMD, ENTRYPOINT, ENV, LABEL, USER, WORKDIR, EXPOSE, VOLUME",
    false },
  { "message", 'm', CLI_STRING, offsetof(struct import_args, message), "TEXT",
    "Comment for the layer's history", false },
  { "keep-setuid", 0, CLI_FLAG, offsetof(struct import_args, keep_setuid), NULL,
    "Keep the setuid and setgid bits of files (cleared by default, with a warning)", false },
  CLI_OPT_END,
};

static const struct cli_cmd import_cmd = {
  "import",
  "[OPTIONS] ROOTFS.tar[.gz]|- [NAME]",
  "Create an image with one layer holding the files of ROOTFS (a tar, possibly compressed; - reads\n"
  "standard input). The layer is rewritten in sorted order, so its digest depends only on the files,\n"
  "not on the order in the input tar. Files lose their setuid and setgid bits unless --keep-setuid is\n"
  "given. Prints the image's manifest digest.",
  import_opts,
  1,
  2,
  CLI_COMPLETE_FILE,
};

/* SOURCE_DATE_EPOCH (reproducible builds) or now. */
static int64_t
creation_time(void)
{
  const char *e = getenv("SOURCE_DATE_EPOCH");
  char *end = NULL;
  if (e && *e) {
    long long v = strtoll(e, &end, 10);
    if (*end == '\0' && v >= 0)
      return v;
  }
  return (int64_t)time(NULL);
}

int
cmd_import(int argc, char **argv)
{
  struct import_args a = { 0 };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_ref ref = { 0 };
  wi_autoclose int fd = -1;
  int ret = cli_parse(&import_cmd, argc, argv, &a, &pos, &npos);

  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (a.tag && npos == 2)
    return cli_usage_error("import",
                           "give the name either as --tag or as the second argument, not both");
  const char *tag = a.tag ? a.tag : npos == 2 ? pos[1] : NULL;
  if (tag == NULL)
    return cli_usage_error("import", "missing the image name (--tag NAME)");
  if (wi_ref_parse(&ref, tag, &err) < 0)
    return cli_fail(&err);
  wi_autofree char *name = wi_ref_name(&ref);
  bool has_digest = ref.digest != NULL;
  wi_ref_dispose(&ref);
  if (has_digest)
    return cli_usage_error("import", "the name %s has a digest; give REPOSITORY[:TAG]", tag);
  const char *what = strcmp(pos[0], "-") == 0 ? "standard input" : pos[0];
  if (strcmp(pos[0], "-") != 0) {
    fd = open(pos[0], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      wi_err_sys(&err, WI_EIO, "import: open %s", pos[0]);
      return cli_fail(&err);
    }
  }

  wi_autoptr(wi_store) struct wi_store *s = NULL;
  struct wi_import_opts io = { .platform = a.platform,
                               .changes = a.changes.v,
                               .n_changes = a.changes.n,
                               .message = a.message,
                               .created = creation_time(),
                               .keep_setuid = a.keep_setuid };
  struct wi_descriptor d = { 0 };
  if (wi_store_open_default(&s, true, &err) < 0 ||
      wi_import_tar(s, fd >= 0 ? fd : STDIN_FILENO, what, name, &io, &d, &err) < 0)
    return cli_fail(&err);
  printf("%s\n", d.digest);
  wi_manifest_descriptor_dispose(&d);
  return CLI_EXIT_OK;
}
