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

int
cli_registry_ref(const char *arg, const struct cli_registry_args *a, const char **ref_out,
                 wi_err *err)
{
  enum wi_ref_scheme scheme;
  const char *bare = wi_ref_strip_scheme(arg, &scheme);
  struct wi_ref r = { 0 };

  *ref_out = bare;
  if (scheme != WI_REF_SCHEME_HTTP || !a->tls_verify)
    return 0;
  /* Plain HTTP is what wlsimg speaks to loopback registries anyway; elsewhere it must be asked
   * for with --tls-verify=false, not by the way a reference is pasted. */
  int ret = wi_ref_parse(&r, bare, err);
  if (ret < 0)
    return ret;
  if (!wi_ref_host_is_loopback(r.domain))
    ret =
        wi_err_set(err, WI_EUSAGE,
                   "\"%s\": wlsimg speaks HTTPS to %s; for a registry that only speaks plain HTTP "
                   "write %s with --tls-verify=false",
                   arg, r.domain, bare);
  wi_ref_dispose(&r);
  return ret;
}

int
cli_registry_connect(struct wi_regclient **out, struct wi_ref *ref, const char *arg,
                     const struct cli_registry_args *a, wi_err *err)
{
  const char *bare = NULL;
  int ret = cli_registry_ref(arg, a, &bare, err);
  if (ret == 0)
    ret = wi_ref_parse(ref, bare, err);
  if (ret < 0)
    return ret;
  struct wi_regclient_opts ro = cli_registry_opts(a, -1);
  return wi_regclient_new(out, ref->domain, &ro, err);
}
