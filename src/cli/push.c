/* wlsimg push: send an image from the store (or an oci:/docker-archive: source) to a registry. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/ref.h"
#include "lib/store.h"
#include "lib/str.h"
#include "lib/transfer.h"

struct push_args {
  struct cli_registry_args reg;
  const char *digestfile;
  const char *platform;
  int jobs;
  int retry_times;
  int chunk_mib;
  bool quiet;
};

static const struct cli_opt push_opts[] = {
  CLI_REGISTRY_OPTS(struct push_args, reg),
  { "digestfile", 0, CLI_STRING, offsetof(struct push_args, digestfile), "FILE",
    "Write the pushed manifest digest to FILE", false },
  { "platform", 0, CLI_STRING, offsetof(struct push_args, platform), "OS/ARCH",
    "Push only this platform of a multi-platform image", false },
  { "jobs", 'j', CLI_INT, offsetof(struct push_args, jobs), "N",
    "Parallel blob uploads (default 4)", false },
  { "retry-times", 0, CLI_INT, offsetof(struct push_args, retry_times), "N",
    "Retries of network errors and HTTP 408/429/5xx (default 4)", false },
  { "chunk-size", 0, CLI_INT, offsetof(struct push_args, chunk_mib), "MIB",
    "Upload blobs larger than MIB mebibytes in resumable chunks of that size (default 64)", false },
  { "quiet", 'q', CLI_FLAG, offsetof(struct push_args, quiet), NULL, "No progress output", false },
  CLI_OPT_END,
};

static const struct cli_cmd push_cmd = {
  "push",
  "[OPTIONS] SRC [DEST]",
  "Push SRC (a name in the store, oci:DIR[:TAG], docker-archive:FILE or docker://REF) to the\n"
  "registry reference DEST (default: SRC's name; docker://, https:// and http:// in front are\n"
  "understood). 'push docker://HOST/REPO:TAG' pushes the store's HOST/REPO:TAG there. Prints the\n"
  "manifest digest.",
  push_opts,
  1,
  2,
  CLI_COMPLETE_IMAGE,
};

/* A source that is not the store: another layout, an archive or (with a scheme) a registry. */
static bool
has_transport(const char *s)
{
  enum wi_ref_scheme scheme;
  wi_ref_strip_scheme(s, &scheme);
  return wi_str_has_prefix(s, "oci:") || wi_str_has_prefix(s, "docker-archive:") ||
         scheme != WI_REF_SCHEME_NONE;
}

static int
write_digestfile(const char *path, const char *digest)
{
  wi_err err = { 0 };
  if (wi_fs_write_file_atomic(path, digest, strlen(digest), 0666, &err) < 0)
    return cli_fail(&err);
  return CLI_EXIT_OK;
}

int
cmd_push(int argc, char **argv)
{
  struct push_args a = { .reg = CLI_REGISTRY_ARGS_INIT, .retry_times = -1 };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  char digest[WI_DIGEST_MAX] = "";
  int ret;

  ret = cli_parse(&push_cmd, argc, argv, &a, &pos, &npos);
  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (a.quiet)
    cli_quiet = true;
  struct cli_progress *prog = cli_progress_new("Pushing");
  struct wi_transfer_opts o = {
    .dst_reg = cli_registry_opts(&a.reg, a.retry_times),
    .platform = a.platform,
    .parallel = a.jobs,
    .progress = cli_progress_cb,
    .progress_payload = prog,
  };
  o.dst_reg.chunk_size = (int64_t)a.chunk_mib << 20;
  const char *src = pos[0];
  const char *dst = npos >= 2 ? pos[1] : NULL;
  enum wi_ref_scheme scheme;
  const char *bare_src = wi_ref_strip_scheme(src, &scheme);
  if (scheme != WI_REF_SCHEME_NONE && dst == NULL) {
    /* "push docker://host/app:1" names the destination as skopeo does: the store's host/app:1
     * goes there. */
    dst = src;
    src = bare_src;
  }
  const char *dst_bare = NULL;
  if (dst && cli_registry_ref(dst, &a.reg, &dst_bare, &err) < 0) {
    cli_progress_free(prog);
    return cli_fail(&err);
  }
  if (has_transport(src)) {
    if (dst == NULL) {
      cli_progress_free(prog);
      return cli_usage_error("push", "DEST is required when SRC is %s", src);
    }
    const char *src_bare = src;
    if (scheme != WI_REF_SCHEME_NONE && cli_registry_ref(src, &a.reg, &src_bare, &err) < 0) {
      cli_progress_free(prog);
      return cli_fail(&err);
    }
    /* a registry source is copied from registry to registry */
    o.src_reg = o.dst_reg;
    wi_autofree char *from =
        scheme != WI_REF_SCHEME_NONE ? wi_xasprintf("docker://%s", src_bare) : wi_xstrdup(src);
    wi_autofree char *to = wi_xasprintf("docker://%s", dst_bare);
    ret = wi_transfer_copy_image(from, to, &o, digest, &err);
  } else {
    wi_autoptr(wi_store) struct wi_store *s = NULL;
    wi_autofree char *name = NULL;
    struct wi_descriptor d = { 0 };
    ret = wi_store_open_default(&s, false, &err);
    if (ret == 0 && dst == NULL) {
      ret = wi_store_lookup(s, src, &d, &name, &err);
      wi_manifest_descriptor_dispose(&d);
      if (ret == 0 && name == NULL) {
        cli_progress_free(prog);
        return cli_usage_error("push", "%s is an image id; name the destination: push %s DEST", src,
                               src);
      }
    }
    if (ret == 0)
      ret = wi_transfer_push(s, src, dst ? dst_bare : name, &o, digest, &err);
  }
  cli_progress_free(prog);
  if (ret < 0)
    return cli_fail(&err);
  printf("%s\n", digest);
  if (a.digestfile)
    return write_digestfile(a.digestfile, digest);
  return CLI_EXIT_OK;
}
