/* wlsimg tags: list a repository's tags (following pagination). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/ref.h"
#include "lib/regclient.h"
#include "lib/util.h"

struct tags_args {
  bool tls_verify;
  const char *authfile;
  const char *cert_dir;
};

static const struct cli_opt tags_opts[] = {
  { "tls-verify", 0, CLI_FLAG, offsetof(struct tags_args, tls_verify), NULL,
    "Require HTTPS and verify certificates (default true; false also allows plain HTTP)", false },
  { "authfile", 0, CLI_STRING, offsetof(struct tags_args, authfile), "FILE", "Credentials file",
    false },
  { "cert-dir", 0, CLI_STRING, offsetof(struct tags_args, cert_dir), "DIR",
    "Certificates directory", false },
  CLI_OPT_END,
};

static const struct cli_cmd tags_cmd = {
  "tags", "[OPTIONS] REPOSITORY", "List the tags of REPOSITORY, one per line.", tags_opts, 1, 1,
};

int
cmd_tags(int argc, char **argv)
{
  struct tags_args a = { .tls_verify = true };
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
  const char *r = wi_str_has_prefix(pos[0], "docker://") ? pos[0] + 9 : pos[0];
  if (wi_ref_parse(&ref, r, &err) < 0)
    return cli_fail(&err);
  struct wi_regclient_opts ro = { .tls_verify = a.tls_verify,
                                  .authfile = a.authfile,
                                  .cert_dir = a.cert_dir };
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  ret = wi_regclient_new(&rc, ref.domain, &ro, &err);
  if (ret == 0)
    ret = wi_regclient_tags(rc, ref.path, &tags, &n, &err);
  wi_ref_dispose(&ref);
  if (ret < 0)
    return cli_fail(&err);
  for (size_t i = 0; i < n; i++)
    printf("%s\n", tags[i]);
  wi_strv_free(tags, n);
  return CLI_EXIT_OK;
}
