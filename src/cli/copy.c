/* wlsimg copy: copy an image between docker://, oci:, docker-archive: and the store. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/transfer.h"

struct copy_args {
  bool src_tls_verify;
  bool dest_tls_verify;
  const char *authfile;
  const char *src_authfile;
  const char *dest_authfile;
  const char *src_cert_dir;
  const char *dest_cert_dir;
  const char *platform;
  bool all;
  const char *digestfile;
  int jobs;
  int retry_times;
  bool quiet;
};

#define A(f) offsetof(struct copy_args, f)
static const struct cli_opt copy_opts[] = {
  { "src-tls-verify", 0, CLI_FLAG, A(src_tls_verify), NULL,
    "Verify the source registry's TLS (default true)", false },
  { "dest-tls-verify", 0, CLI_FLAG, A(dest_tls_verify), NULL,
    "Verify the destination registry's TLS (default true)", false },
  { "authfile", 0, CLI_STRING, A(authfile), "FILE", "Credentials file for both sides", false },
  { "src-authfile", 0, CLI_STRING, A(src_authfile), "FILE", "Credentials file for the source",
    false },
  { "dest-authfile", 0, CLI_STRING, A(dest_authfile), "FILE",
    "Credentials file for the destination", false },
  { "src-cert-dir", 0, CLI_STRING, A(src_cert_dir), "DIR", "Certificates directory for the source",
    false },
  { "dest-cert-dir", 0, CLI_STRING, A(dest_cert_dir), "DIR",
    "Certificates directory for the destination", false },
  { "platform", 0, CLI_STRING, A(platform), "OS/ARCH",
    "Copy only this platform of a multi-platform image", false },
  { "all", 'a', CLI_FLAG, A(all), NULL, "Copy every platform of a multi-platform image", false },
  { "digestfile", 0, CLI_STRING, A(digestfile), "FILE",
    "Write the destination manifest digest to FILE", false },
  { "jobs", 'j', CLI_INT, A(jobs), "N", "Parallel blob transfers (default 4)", false },
  { "retry-times", 0, CLI_INT, A(retry_times), "N",
    "Retries of network errors and HTTP 408/429/5xx (default 4)", false },
  { "quiet", 'q', CLI_FLAG, A(quiet), NULL, "No progress output", false },
  CLI_OPT_END,
};
#undef A

static const struct cli_cmd copy_cmd = {
  "copy",
  "[OPTIONS] SRC DEST",
  "Copy an image. SRC and DEST are docker://REF, oci:DIR[:TAG], docker-archive:FILE[:REF] or a name in "
  "the local store.",
  copy_opts,
  2,
  2,
  CLI_COMPLETE_IMAGE,
};

int
cmd_copy(int argc, char **argv)
{
  struct copy_args a = { .src_tls_verify = true, .dest_tls_verify = true, .retry_times = -1 };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  char digest[WI_DIGEST_MAX] = "";
  int ret;

  ret = cli_parse(&copy_cmd, argc, argv, &a, &pos, &npos);
  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (a.quiet)
    cli_quiet = true;
  if (a.all && a.platform)
    return cli_usage_error("copy", "--platform and --all exclude each other");
  struct cli_registry_args src = { .tls_verify = a.src_tls_verify,
                                   .authfile = a.src_authfile ? a.src_authfile : a.authfile,
                                   .cert_dir = a.src_cert_dir };
  struct cli_registry_args dst = { .tls_verify = a.dest_tls_verify,
                                   .authfile = a.dest_authfile ? a.dest_authfile : a.authfile,
                                   .cert_dir = a.dest_cert_dir };
  struct cli_progress *prog = cli_progress_new("Copying");
  struct wi_transfer_opts o = {
    .src_reg = cli_registry_opts(&src, a.retry_times),
    .dst_reg = cli_registry_opts(&dst, a.retry_times),
    .platform = a.all ? "all" : a.platform,
    .parallel = a.jobs,
    .progress = cli_progress_cb,
    .progress_payload = prog,
  };
  ret = wi_transfer_copy_image(pos[0], pos[1], &o, digest, &err);
  cli_progress_free(prog);
  if (ret < 0)
    return cli_fail(&err);
  if (a.digestfile && wi_fs_write_file_atomic(a.digestfile, digest, strlen(digest), 0666, &err) < 0)
    return cli_fail(&err);
  return CLI_EXIT_OK;
}
