/* wlsimg CLI: running WIT's create, update and rebase — see witopts.h. */
#include "cli/witopts.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/witlog.h"
#include "cli/witpass.h"
#include "lib/alloc.h"
#include "lib/store.h"
#include "lib/util.h"

/* A comma list as picocli's split="," gives it (empty items dropped). The strings are kept until
 * exit by the caller's free_list. */
static struct wi_wit_list
split_list(const char *s)
{
  struct wi_wit_list l = { 0 };
  const char **v = NULL;
  size_t n = 0;
  for (const char *p = s; p && *p;) {
    size_t k = strcspn(p, ",");
    if (k) {
      v = wi_xreallocarray(v, n + 1, sizeof *v);
      v[n++] = wi_xstrndup(p, k);
    }
    p += k + (p[k] == ',');
  }
  l.v = v;
  l.n = n;
  return l;
}

static void
free_list(struct wi_wit_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    free((char *)(uintptr_t)l->v[i]);
  free((void *)(uintptr_t)l->v);
}

int
wit_cmd_main(const struct cli_cmd *cmd, enum wi_wit_cmd which, int argc, char **argv)
{
  struct wit_args a = { .tls_verify = true };
  char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_wit_opts o = { .cmd = which };
  struct wi_wit_result res = { 0 };
  wi_autoptr(wi_store) struct wi_store *store = NULL;
  char *password = NULL, *key = NULL;

  int r = cli_parse(cmd, argc, argv, &a, &pos, &npos);
  if (r != 0)
    return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  int ret = 0;
  if (a.target && strcasecmp(a.target, "Default") && strcasecmp(a.target, "OpenShift"))
    ret = cli_usage_error(
        cmd->name,
        "Invalid value for option '--target': expected one of [Default, OpenShift] (case-insensitive) but was '%s'",
        a.target);
  else if (a.password && *a.password)
    ret = cli_witpass_refuse(cmd->name, "password", a.password);
  else if (a.enc_key && *a.enc_key)
    ret = cli_witpass_refuse(cmd->name, "wdtEncryptionKey", a.enc_key);
  if (ret) {
    free(pos);
    return ret;
  }
  wit_log_install();
  double t0 = wi_util_now();
  wit_log(WIT_INFO, "WebLogic Image Tool version %s (wlsimg)", WLSIMG_VERSION);
  if (npos > 0)
    wit_log(
        WIT_INFO,
        "All parameters and options provided after the -- will be passed to the container image build command.");
  ret = cli_witpass_read("password", "Oracle Support password", a.password != NULL, a.password_file,
                         a.password_env, &password, &err);
  if (ret == 0)
    ret = cli_witpass_read("wdtEncryptionKey", "WDT model passphrase", a.enc_key != NULL,
                           a.enc_key_file, a.enc_key_env, &key, &err);
  o.tag = a.tag;
  o.from_image = a.from_image;
  o.from_image_props = a.from_image_props;
  o.http_proxy = a.http_proxy;
  o.https_proxy = a.https_proxy;
  o.docker_log = a.docker_log;
  o.skipcleanup = a.skipcleanup;
  o.chown = a.chown;
  o.additional_build_commands = a.abc;
  o.additional_build_files = split_list(a.abf);
  o.dry_run = a.dry_run;
  o.build_network = a.build_network;
  o.pull = a.pull;
  o.package_manager = a.package_manager;
  o.builder = a.builder;
  o.openshift = a.target && strcasecmp(a.target, "OpenShift") == 0;
  o.build_args.v = a.build_args.v;
  o.build_args.n = a.build_args.n;
  o.platform = a.platform;
  o.use_buildx = a.use_buildx;
  o.extra_args.v = (const char *const *)pos;
  o.extra_args.n = (size_t)npos;
  o.user = a.user;
  o.password = password;
  o.latest_psu = a.latest_psu;
  o.recommended_patches = a.recommended;
  o.strict_patch_ordering = a.strict_patch_ordering;
  o.skip_opatch_update = a.skip_opatch_update;
  o.patches = split_list(a.patches);
  o.opatch_bug = a.opatch_bug;
  o.type = a.type;
  o.version = a.version;
  o.jdk_version = a.jdk_version;
  o.response_files = split_list(a.response_files);
  o.inventory_pointer_file = a.inv_file;
  o.inventory_pointer_install_loc = a.inv_loc;
  o.models = split_list(a.wdt_model);
  o.archives = split_list(a.wdt_archive);
  o.variables = split_list(a.wdt_variables);
  o.wdt_version = a.wdt_version;
  o.wdt_home = a.wdt_home;
  o.wdt_model_home = a.wdt_model_home;
  o.wdt_domain_home = a.wdt_domain_home;
  o.wdt_domain_type = a.wdt_domain_type;
  o.wdt_java_options = a.wdt_java_options;
  o.wdt_run_rcu = a.run_rcu;
  o.wdt_model_only = a.model_only;
  o.wdt_strict_validation = a.strict_validation;
  o.encryption_key = key;
  o.resource_templates = split_list(a.resource_templates);
  o.wdt_operation = a.wdt_operation;
  o.source_image = a.source_image;
  o.target_image = a.target_image;
  o.push = a.push;
  o.transfer.src_reg.tls_skip_verify = o.transfer.dst_reg.tls_skip_verify = !a.tls_verify;
  o.transfer.src_reg.authfile = o.transfer.dst_reg.authfile = a.authfile;
  o.transfer.src_reg.cert_dir = o.transfer.dst_reg.cert_dir = a.cert_dir;
  if (ret == 0)
    ret = wi_store_open_default(&store, true, &err);
  o.store = store;
  if (ret == 0)
    ret = wi_wit_build_run(&o, cli_engine_output, NULL, &res, &err);
  if (ret == 0 && a.dry_run) {
    printf("########## BEGIN DOCKERFILE ##########\n%s\n########## END DOCKERFILE ##########\n",
           res.dockerfile);
    fflush(stdout);
    wit_log(WIT_INFO, "Dry run complete.  No image created.");
  } else if (ret == 0) {
    wit_log(WIT_INFO, "Build successful. Build time=%.0fs. Image tag=%s", wi_util_now() - t0,
            a.tag);
    printf("%s\n", res.digest);
  }
  wi_alloc_secret_free(password);
  wi_alloc_secret_free(key);
  wi_wit_build_result_dispose(&res);
  free_list(&o.additional_build_files);
  free_list(&o.patches);
  free_list(&o.response_files);
  free_list(&o.models);
  free_list(&o.archives);
  free_list(&o.variables);
  free_list(&o.resource_templates);
  free(pos);
  return ret < 0 ? wit_fail(&err) : CLI_EXIT_OK;
}
