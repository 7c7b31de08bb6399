/* Registry options and client setup shared by the commands that talk to one registry. */
#include <stddef.h>

#include "cli/cli.h"
#include "lib/ref.h"
#include "lib/regclient.h"
#include "lib/str.h"

struct wi_regclient_opts
cli_registry_opts(const struct cli_registry_args *a, int retry_times)
{
  struct wi_regclient_opts o = {
    .retries = retry_times < 0    ? 0
               : retry_times == 0 ? -1
                                  : retry_times,
    .tls_skip_verify = !a->tls_verify,
    .authfile = a->authfile,
    .cert_dir = a->cert_dir,
  };
  return o;
}

const char *
cli_strip_docker(const char *arg)
{
  return wi_str_has_prefix(arg, "docker://") ? arg + 9 : arg;
}

int
cli_registry_connect(struct wi_regclient **out, struct wi_ref *ref, const char *arg,
                     const struct cli_registry_args *a, wi_err *err)
{
  int ret = wi_ref_parse(ref, cli_strip_docker(arg), err);
  if (ret < 0)
    return ret;
  struct wi_regclient_opts ro = cli_registry_opts(a, -1);
  return wi_regclient_new(out, ref->domain, &ro, err);
}
