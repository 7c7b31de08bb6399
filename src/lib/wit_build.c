/* wlsimg: running create, update and rebase: the Dockerfile into the build context, the engine
 * build, the result into the store, resource templates and WIT's cleanup — see wit.h. */
#include "lib/wit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/engine.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/mustache.h"
#include "lib/ref.h"
#include "lib/wit_int.h"

#define MAX_TEMPLATE (4u << 20)

void
wi_wit_build_result_dispose(struct wi_wit_result *r)
{
  free(r->dockerfile);
  free(r->name);
  r->dockerfile = r->name = NULL;
}

bool
wi_wit_build_native_possible(const struct wi_wit_plan *p, const char **why_not)
{
  const struct wi_dockerfile *d = &p->d;
  bool runs = !wi_buildcmds_native(&p->cmds, WI_BUILDCMDS_FINAL);
  *why_not = NULL;
  if (d->kind == WI_DOCKERFILE_REBASE && d->target_image && !runs)
    return true; /* pure layer work: the domain home onto the target (§14.2) */
  if (d->kind == WI_DOCKERFILE_UPDATE && !runs && !d->patching && !d->opatch_update &&
      (!d->wdt_enabled || (d->model_only && d->n_models == 0 && d->n_archives == 0)))
    return true; /* config only, or WDT files without validation */
  *why_not =
      d->kind == WI_DOCKERFILE_CREATE ? "installers, packages and users run inside the image"
      : d->kind == WI_DOCKERFILE_REBASE
          ? (d->target_image ? "final-build-commands run commands" : "the new image is a create")
      : runs ? "final-build-commands run commands"
             : "patching or WDT commands run inside the image";
  return false;
}

/* Flag-like options that WIT's command line parser refuses before anything runs (exit 2). */
static int
check_enums(const struct wi_wit_opts *o, const char **type, wi_err *err)
{
  *type = wi_installer_type_name(o->type ? o->type : "WLS");
  if (*type == NULL)
    return wi_err_set(
        err, WI_EUSAGE,
        "Invalid value for option '--type': expected one of [%s] (case-insensitive) but was '%s'",
        wi_installer_types(), o->type);
  if (o->package_manager && wi_dockerfile_pkgmgr_parse(o->package_manager) == -2)
    return wi_err_set(
        err, WI_EUSAGE,
        "Invalid value for option '--packageManager': expected one of [OS_DEFAULT, NONE, YUM, DNF, MICRODNF, MICRODNF_8, APTGET, APK, ZYPPER] (case-insensitive) but was '%s'",
        o->package_manager);
  if (o->cmd == WI_WIT_REBASE && o->source_image == NULL)
    return wi_err_set(err, WI_EUSAGE, "Missing required option: '--sourceImage=<sourceImage>'");
  return 0;
}

static void
phase(const struct wi_wit_opts *o, const char *name)
{
  if (o->phase)
    o->phase(name, o->phase_payload);
}

static int
check_cancel(const struct wi_wit_opts *o, wi_err *err)
{
  if (o->cancel && __atomic_load_n(o->cancel, __ATOMIC_RELAXED))
    return wi_err_set(err, WI_ECANCELED, "cancelled by user");
  return 0;
}

/* WdtFullOptions.handleResourceTemplates after a real build (§6.8). */
static int
resource_templates(const struct wi_wit_plan *p, wi_err *err)
{
  const struct wi_wit_opts *o = p->o;
  bool files = o->models.n || o->archives.n || o->variables.n;
  struct wi_mustache_val ctx = { .kind = WI_MUSTACHE_OBJ };
  wi_mustache_obj_str(&ctx, "domainHome",
                      o->wdt_domain_home ? o->wdt_domain_home : "/u01/domains/base_domain");
  wi_mustache_obj_str(&ctx, "imageName", o->tag);
  wi_mustache_obj_str(&ctx, "modelHome", o->wdt_model_home);
  wi_mustache_obj_str(&ctx, "domainHomeSourceType",
                      o->wdt_model_only ? "FromModel"
                      : files           ? "Image"
                                        : "PersistentVolume");
  int ret = 0;
  for (size_t i = 0; i < o->resource_templates.n && ret == 0; i++) {
    const char *f = o->resource_templates.v[i];
    struct stat st;
    wi_autofree char *text = NULL, *outp = NULL;
    if (stat(f, &st) < 0 || !S_ISREG(st.st_mode) || access(f, R_OK | W_OK) < 0) {
      ret = wi_err_set(err, WI_EINVAL, "Invalid file %s listed for --resourceTemplates", f);
      break;
    }
    if ((ret = wi_fs_read_file(f, MAX_TEMPLATE, &text, NULL, err)) < 0 ||
        (ret = wi_mustache_render(text, &ctx, &outp, err)) < 0)
      wi_err_wrap(err, "--resourceTemplates %s", f);
    else
      ret = wi_fs_write_file_atomic_exact(f, outp, strlen(outp), st.st_mode & 07777, err);
  }
  wi_mustache_val_dispose(&ctx);
  return ret;
}

/* The images the Dockerfile's FROM lines name (not its stages). */
static size_t
from_images(const struct wi_wit_plan *p, const char *out[3])
{
  const struct wi_dockerfile *d = &p->d;
  size_t n = 0;
  if (d->kind == WI_DOCKERFILE_REBASE) {
    out[n++] = d->source_image;
    out[n++] = d->target_image ? d->target_image : d->base_image;
  } else {
    out[n++] = d->base_image;
  }
  return n;
}

static int
build(struct wi_wit_plan *p, const struct wi_engine *e, const struct wi_engine_build *b,
      wi_wit_output_fn out, void *payload, struct wi_wit_result *res, wi_err *err)
{
  const struct wi_wit_opts *o = p->o;
  const char *why = NULL;
  const char *imgs[3];
  int ret = 0;
  /* Where no step must run inside the image a native build can make it without an engine; until
   * that builder is wired in (it takes the plan's model and the probed images), the engine builds
   * every form. */
  if (wi_wit_build_native_possible(p, &why))
    wi_log(WI_LOG_DEBUG, "a native build of this Dockerfile is possible; building with %s", e->exe);
  else
    wi_log(WI_LOG_DEBUG, "an engine builds this image: %s", why);
  if (!e->found)
    return wi_err_set(
        err, WI_EUNSUPPORTED,
        "building this image needs a container engine, and %s is not installed; install docker, podman or buildah, or name one with --builder",
        e->exe);
  wi_autofree char *name = NULL;
  struct wi_ref r = { 0 };
  if (wi_ref_parse(&r, o->tag, err) < 0)
    return wi_err_wrap(err, "--tag");
  name = wi_ref_name(&r);
  wi_ref_dispose(&r);
  size_t n = from_images(p, imgs);
  phase(o, "build");
  for (size_t i = 0; i < n && ret == 0; i++)
    ret = wi_engine_provide(e, o->store, imgs[i], o->platform, o->pull, &o->transfer, p->ctx, err);
  if (ret == 0)
    ret = wi_engine_build_run(e, b, o->docker_log, out, payload, err);
  if (ret == 0)
    ret = check_cancel(o, err); /* a cancel that came as the engine ended: nothing is named */
  if (ret == 0) {
    phase(o, "import");
    ret = wi_engine_import(e, o->tag, o->store, name, p->ctx, &o->transfer, res->digest, err);
  }
  if (ret == 0)
    res->name = wi_steal(&name);
  if (ret == 0 && o->cmd != WI_WIT_REBASE)
    ret = resource_templates(p, err);
  if (ret == 0 && o->push) {
    struct wi_transfer_opts to = o->transfer;
    to.store_root = wi_store_root(o->store);
    ret = wi_transfer_push(o->store, res->name, o->tag, &to, res->digest, err);
  }
  return ret;
}

int
wi_wit_build_run(const struct wi_wit_opts *o, wi_wit_output_fn out, void *payload,
                 struct wi_wit_result *res, wi_err *err)
{
  struct wi_wit_plan p;
  struct wi_engine e = { 0 };
  const char *type = NULL;
  int ret = check_enums(o, &type, err);

  memset(res, 0, sizeof *res);
  if (ret < 0)
    return ret;
  phase(o, "check");
  ret = wi_wit_plan_init(&p, o, err);
  p.installer_type = type;
  if (ret == 0)
    ret = o->cmd == WI_WIT_CREATE   ? wi_wit_create_plan(&p, err)
          : o->cmd == WI_WIT_UPDATE ? wi_wit_update_plan(&p, err)
                                    : wi_wit_rebase_plan(&p, err);
  snprintf(res->build_id, sizeof res->build_id, "%s", p.build_id);
  if (ret == 0)
    ret = check_cancel(o, err);
  if (ret == 0) {
    phase(o, "context");
    ret = wi_wit_plan_context(&p, err);
  }
  if (ret == 0) {
    res->dockerfile = wi_dockerfile_render(&p.d);
    ret = wi_wit_plan_write(&p, "Dockerfile", res->dockerfile, err);
  }
  if (ret == 0) {
    wi_engine_choose(&e, o->builder);
    struct wi_engine_build b = { .tag = o->tag,
                                 .platform = o->platform,
                                 .use_buildx = o->use_buildx,
                                 .skipcleanup = o->skipcleanup,
                                 .network = o->build_network,
                                 .pull = o->pull,
                                 .extra = o->extra_args.v,
                                 .n_extra = o->extra_args.n,
                                 .build_args = o->build_args.v,
                                 .n_build_args = o->build_args.n,
                                 .http_proxy = p.http_proxy,
                                 .https_proxy = p.https_proxy,
                                 .no_proxy = p.no_proxy,
                                 .secret_file = p.secret_file,
                                 .context = p.ctx,
                                 .cancel = o->cancel };
    wi_autofree char *cmd = wi_engine_build_cmdline(&e, &b);
    wi_log(WI_LOG_INFO, "Starting build: %s", cmd);
    if (!o->dry_run)
      ret = build(&p, &e, &b, out, payload, res, err);
  }
  /* WIT's cleanup, also after a failure */
  if (!o->skipcleanup && p.ctx) {
    wi_err e2 = { 0 };
    if (wi_fs_rm_rf(p.ctx, &e2) < 0)
      wi_log(WI_LOG_ERROR, "Failed to clean up build context folder %s", p.ctx);
  }
  if (!o->skipcleanup && !o->dry_run && e.exe && e.found)
    wi_engine_prune(&e, p.build_id);
  wi_engine_dispose(&e);
  wi_wit_plan_dispose(&p);
  return ret;
}
