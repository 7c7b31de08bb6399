/* wlsimg manifest: print an image's manifest exactly as the registry serves it. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/ref.h"
#include "lib/regclient.h"
#include "lib/util.h"

struct manifest_args {
  bool tls_verify;
  const char *authfile;
  const char *cert_dir;
};

static const struct cli_opt manifest_opts[] = {
  { "tls-verify", 0, CLI_FLAG, offsetof(struct manifest_args, tls_verify), NULL,
    "Require HTTPS and verify certificates (default true; false also allows plain HTTP)", false },
  { "authfile", 0, CLI_STRING, offsetof(struct manifest_args, authfile), "FILE", "Credentials file",
    false },
  { "cert-dir", 0, CLI_STRING, offsetof(struct manifest_args, cert_dir), "DIR",
    "Certificates directory", false },
  CLI_OPT_END,
};

static const struct cli_cmd manifest_cmd = {
  "manifest",
  "[OPTIONS] REF",
  "Write REF's raw manifest (the exact bytes the registry serves) to stdout.",
  manifest_opts,
  1,
  1,
};

int
cmd_manifest(int argc, char **argv)
{
  struct manifest_args a = { .tls_verify = true };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_ref ref = { 0 };
  wi_autofree char *bytes = NULL;
  size_t len = 0;
  int ret;

  ret = cli_parse(&manifest_cmd, argc, argv, &a, &pos, &npos);
  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  const char *r = wi_str_has_prefix(pos[0], "docker://") ? pos[0] + 9 : pos[0];
  if (wi_ref_parse(&ref, r, &err) < 0)
    return cli_fail(&err);
  struct wi_regclient_opts ro = { .tls_verify = a.tls_verify,
                                  .authfile = a.authfile,
                                  .cert_dir = a.cert_dir };
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  ret = wi_regclient_new(&rc, ref.domain, &ro, &err);
  if (ret == 0)
    ret = wi_regclient_get_manifest(rc, ref.path, ref.digest ? ref.digest : ref.tag, &bytes, &len,
                                    NULL, NULL, &err);
  wi_ref_dispose(&ref);
  if (ret < 0)
    return cli_fail(&err);
  if (fwrite(bytes, 1, len, stdout) != len || fflush(stdout) != 0) {
    wi_err_sys(&err, WI_EIO, "writing the manifest to stdout");
    return cli_fail(&err);
  }
  return CLI_EXIT_OK;
}
