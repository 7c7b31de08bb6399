/* wlsimg createAuxImage: WIT 1.16's createAuxImage, built natively (no Docker daemon). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/witlog.h"
#include "lib/alloc.h"
#include "lib/aux.h"
#include "lib/store.h"
#include "lib/util.h"

struct aux_args {
  const char *tag, *from_image, *from_image_props;
  const char *http_proxy, *https_proxy, *chown;
  const char *abc;
  const char *abf;
  bool dry_run, pull, skipcleanup, use_buildx;
  const char *build_network, *package_manager, *builder, *target, *platform, *docker_log;
  struct cli_list build_args;
  const char *wdt_model, *wdt_archive, *wdt_variables, *wdt_version, *wdt_home, *wdt_model_home;
  bool push, load;
  bool tls_verify;
  const char *authfile, *cert_dir;
};

#define O(f) offsetof(struct aux_args, f)
static const struct cli_opt aux_opts[] = {
  { "tag", 0, CLI_STRING, O(tag), "image tag",
    "Tag for the final build image, e.g. registry/repo:1", true },
  { "fromImage", 0, CLI_STRING, O(from_image), "image", "Base image (default busybox)", false },
  { "fromImageProperties", 0, CLI_STRING, O(from_image_props), "file",
    "Properties describing --fromImage instead of reading it (as WIT's probe prints them)", false },
  { "wdtModel", 0, CLI_STRING, O(wdt_model), "modelPath", "WDT model file(s), comma separated",
    false },
  { "wdtArchive", 0, CLI_STRING, O(wdt_archive), "archivePath",
    "WDT archive file(s), comma separated", false },
  { "wdtVariables", 0, CLI_STRING, O(wdt_variables), "variablesPath",
    "WDT variables file(s), comma separated", false },
  { "wdtVersion", 0, CLI_STRING, O(wdt_version), "version",
    "WDT installer version in the cache (default latest; none = no WDT)", false },
  { "wdtHome", 0, CLI_STRING, O(wdt_home), "dir",
    "Where WDT goes in the image (default /auxiliary)", false },
  { "wdtModelHome", 0, CLI_STRING, O(wdt_model_home), "dir",
    "Where model files go (default <wdtHome>/models)", false },
  { "chown", 0, CLI_STRING, O(chown), "user:group",
    "Owner of the files: names or numeric ids (default oracle:oracle)", false },
  { "target", 0, CLI_STRING, O(target), "Default|OpenShift",
    "OpenShift: group root with group permissions = owner's", false },
  { "platform", 0, CLI_STRING, O(platform), "os/arch[,…]",
    "Platforms to build, e.g. linux/amd64,linux/arm64 (default: this machine's)", false },
  { "pull", 0, CLI_FLAG, O(pull), NULL, "Always fetch --fromImage from its registry", false },
  { "build-arg", 0, CLI_LIST, O(build_args), "k=v", "Build argument (repeatable)", false },
  { "additionalBuildCommands", 0, CLI_STRING, O(abc), "file",
    "Sectioned file of additional build commands", false },
  { "additionalBuildFiles", 0, CLI_STRING, O(abf), "files",
    "Files or directories for the build commands (files/<name>)", false },
  { "builder", 'b', CLI_STRING, O(builder), "executable",
    "Container engine when RUN is needed (default $WLSIMG_BUILDER or docker)", false },
  { "packageManager", 0, CLI_STRING, O(package_manager), "pm",
    "Package manager to install packages with (needs an engine)", false },
  { "httpProxyUrl", 0, CLI_STRING, O(http_proxy), "url", "Proxy for HTTP (engine builds)", false },
  { "httpsProxyUrl", 0, CLI_STRING, O(https_proxy), "url", "Proxy for HTTPS (engine builds)",
    false },
  { "buildNetwork", 0, CLI_STRING, O(build_network), "network", "Network for engine builds",
    false },
  { "useBuildx", 0, CLI_FLAG, O(use_buildx), NULL, "Accepted for compatibility", false },
  { "skipcleanup", 0, CLI_FLAG, O(skipcleanup), NULL, "Keep the engine build context", false },
  { "dockerLog", 0, CLI_STRING, O(docker_log), "file", "Accepted for compatibility", false },
  { "dryRun", 0, CLI_FLAG, O(dry_run), NULL,
    "Print the WIT-equivalent Dockerfile and build nothing", false },
  { "push", 0, CLI_FLAG, O(push), NULL,
    "Push to the --tag registry (not kept in the store unless --load)", false },
  { "load", 0, CLI_FLAG, O(load), NULL, "With --push: also keep the image in the store", false },
  { "tls-verify", 0, CLI_FLAG, O(tls_verify), NULL, "Verify registry certificates (default true)",
    false },
  { "authfile", 0, CLI_STRING, O(authfile), "file", "Registry credentials file", false },
  { "cert-dir", 0, CLI_STRING, O(cert_dir), "dir", "Registry certificates directory", false },
  CLI_OPT_END,
};
#undef O

static const struct cli_cmd aux_cmd = {
  "createAuxImage",
  "--tag TAG [OPTIONS] [-- ENGINE-ARGS]",
  "Build an auxiliary image with WDT and the domain's model, variable and archive files (WIT-compatible).",
  aux_opts,
  0,
  -1,
};

/* Split a comma list, dropping empty items. Each item is its own string; free with free_list. */
static struct wi_strv
split_list(const char *s)
{
  struct wi_strv v = { 0 };
  if (s == NULL)
    return v;
  wi_autofree char *copy = wi_xstrdup(s);
  for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    while (*t == ' ')
      t++;
    if (!*t)
      continue;
    v.v = wi_xreallocarray(v.v, v.n + 1, sizeof *v.v);
    v.v[v.n++] = wi_xstrdup(t);
  }
  return v;
}

static void
free_list(struct wi_strv *v)
{
  for (size_t i = 0; i < v->n; i++)
    free((char *)(uintptr_t)v->v[i]);
  free(v->v);
  v->v = NULL;
  v->n = 0;
}

/* The option lists wi_aux_opts borrows for the length of the command. */
static void
aux_opts_dispose(struct wi_aux_opts *o)
{
  free_list(&o->models);
  free_list(&o->archives);
  free_list(&o->variables);
  free_list(&o->platforms);
  free_list(&o->additional_build_files);
  free(o->extra_args.v);
  o->extra_args.v = NULL;
}

static bool
valid_target(const char *t, bool *openshift)
{
  *openshift = t && strcasecmp(t, "OpenShift") == 0;
  return t == NULL || *openshift || strcasecmp(t, "Default") == 0;
}

int
cmd_create_aux_image(int argc, char **argv)
{
  struct aux_args a = { .tls_verify = true };
  char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  /* Declared first so that it is released last: the plan borrows its strings. */
  __attribute__((cleanup(aux_opts_dispose))) struct wi_aux_opts o = { 0 };
  wi_autoptr(wi_aux_plan) struct wi_aux_plan *plan = NULL;
  wi_autoptr(wi_store) struct wi_store *store = NULL;
  bool openshift;

  int r = cli_parse(&aux_cmd, argc, argv, &a, &pos, &npos);
  if (r != 0)
    return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (!valid_target(a.target, &openshift)) {
    free(pos);
    return cli_usage_error(
        "createAuxImage",
        "invalid value '%s' for option '--target' (expected Default or OpenShift)", a.target);
  }
  if (a.load && !a.push) {
    free(pos);
    return cli_usage_error("createAuxImage", "--load is only meaningful with --push");
  }
  wit_log_install();
  double t0 = wi_util_now();
  wit_log(WIT_INFO, "WebLogic Image Tool version %s (wlsimg)", WLSIMG_VERSION);
  if (a.from_image)
    wit_log(WIT_INFO, "User specified fromImage %s", a.from_image);
  if (npos > 0)
    wit_log(
        WIT_INFO,
        "All parameters and options provided after the -- will be passed to the container image build command.");
  o.tag = a.tag;
  o.from_image = a.from_image;
  o.from_image_props = a.from_image_props;
  o.models = split_list(a.wdt_model);
  o.archives = split_list(a.wdt_archive);
  o.variables = split_list(a.wdt_variables);
  o.wdt_version = a.wdt_version;
  o.wdt_home = a.wdt_home;
  o.wdt_model_home = a.wdt_model_home;
  o.chown = a.chown;
  o.openshift = openshift;
  o.platforms = split_list(a.platform);
  o.build_args.v = a.build_args.v;
  o.build_args.n = a.build_args.n;
  o.additional_build_commands = a.abc;
  o.additional_build_files = split_list(a.abf);
  o.package_manager = a.package_manager;
  o.builder = a.builder;
  o.http_proxy = a.http_proxy           ? a.http_proxy
                 : getenv("http_proxy") ? getenv("http_proxy")
                                        : getenv("HTTP_PROXY");
  o.https_proxy = a.https_proxy           ? a.https_proxy
                  : getenv("https_proxy") ? getenv("https_proxy")
                                          : getenv("HTTPS_PROXY");
  o.build_network = a.build_network;
  o.pull = a.pull;
  o.skipcleanup = a.skipcleanup;
  const char **extra = wi_xcalloc((size_t)npos + 1, sizeof *extra);
  for (int i = 0; i < npos; i++)
    extra[i] = pos[i];
  o.extra_args.v = extra;
  o.extra_args.n = (size_t)npos;
  o.dry_run = a.dry_run;
  o.output = cli_engine_output;
  o.transfer.src_reg.tls_skip_verify = !a.tls_verify;
  o.transfer.dst_reg.tls_skip_verify = !a.tls_verify;
  o.transfer.src_reg.authfile = o.transfer.dst_reg.authfile = a.authfile;
  o.transfer.src_reg.cert_dir = o.transfer.dst_reg.cert_dir = a.cert_dir;

  /* an explicit --fromImage is read from the store (pulled when absent) to learn its OS */
  int ret = a.from_image && !a.from_image_props ? wi_store_open_default(&store, true, &err) : 0;
  o.store = store;
  if (ret == 0)
    ret = wi_aux_plan_new(&plan, &o, &err);
  if (ret < 0) {
    free(pos);
    return wit_fail(&err);
  }
  if (a.dry_run) {
    wit_log(WIT_INFO, "Image Tool build ID: %s", wi_aux_plan_build_id(plan));
    wi_autofree char *df = wi_aux_dockerfile_render(plan);
    size_t dl = strlen(df);
    while (dl > 0 && df[dl - 1] == '\n')
      df[--dl] = '\0';
    printf("########## BEGIN DOCKERFILE ##########\n%s\n########## END DOCKERFILE ##########\n",
           df);
    fflush(stdout);
    wit_log(WIT_INFO, "Dry run complete.  No image created.");
    free(pos);
    return CLI_EXIT_OK;
  }
  struct wi_aux_result res = { 0 };
  ret = store ? 0 : wi_store_open_default(&store, true, &err);
  if (ret == 0)
    ret = a.push ? wi_aux_build_push(plan, store, a.load, &res, &err)
                 : wi_aux_build(plan, store, &res, &err);
  free(pos);
  if (ret < 0) {
    wi_aux_build_result_dispose(&res);
    return wit_fail(&err);
  }
  /* known once the layer is built: it is derived from the layer's content */
  wit_log(WIT_INFO, "Image Tool build ID: %s", wi_aux_plan_build_id(plan));
  if (a.push)
    wit_log(WIT_INFO, "Pushed %s@%s", a.tag, res.digest);
  wit_log(WIT_INFO, "Build successful. Build time=%.0fs. Image tag=%s", wi_util_now() - t0, a.tag);
  printf("%s\n", res.digest);
  wi_aux_build_result_dispose(&res);
  return CLI_EXIT_OK;
}
