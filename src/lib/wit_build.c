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
#include "lib/modelonly.h"
#include "lib/mustache.h"
#include "lib/rebase.h"
#include "lib/ref.h"
#include "lib/str.h"
#include "lib/strv.h"
#include "lib/update.h"
#include "lib/wit_int.h"

#define MAX_TEMPLATE (4u << 20)
/* The compression of a native rebase's new layers (0: the default level). */
#define WI_WIT_REBASE_GZIP_LEVEL 1

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
  bool config = wi_buildcmds_config_only(&p->cmds, WI_BUILDCMDS_FINAL);
  *why_not = NULL;
  if (d->kind == WI_DOCKERFILE_CREATE)
    *why_not = "installers, packages and users are set up inside the image";
  else if (d->kind == WI_DOCKERFILE_REBASE && !d->target_image)
    *why_not = "a rebase without --targetImage builds a new image, as create does";
  else if (d->kind == WI_DOCKERFILE_UPDATE && (d->patching || d->opatch_update))
    *why_not = "OPatch runs inside the image";
  else if (d->kind == WI_DOCKERFILE_UPDATE && d->wdt_enabled && !d->model_only)
    *why_not =
        "WDT's domain tools (createDomain.sh, updateDomain.sh, deployApps.sh) run inside the image";
  else if (d->kind == WI_DOCKERFILE_UPDATE && d->wdt_enabled && (d->n_models || d->n_archives))
    /* a documented deviation would be needed to skip it (wit-primary §14.1) */
    *why_not = "WDT's validateModel.sh checks the --wdtModel/--wdtArchive files inside the image";
  else if (d->kind == WI_DOCKERFILE_UPDATE && d->wdt_enabled &&
           (!wi_buildcmds_config_only(&p->cmds, WI_BUILDCMDS_BEFORE_WDT) ||
            !wi_buildcmds_config_only(&p->cmds, WI_BUILDCMDS_AFTER_WDT)))
    *why_not = "[before-wdt-command] or [after-wdt-command] has instructions that run in the image";
  else if (d->kind == WI_DOCKERFILE_REBASE && d->model_only && wi_dockerfile_model_home_outside(d))
    /* WIT's Dockerfile copies that model home from a stage rebase does not have (§15.6) */
    *why_not = "the source's WDT model home is outside its WDT home";
  else if (!config)
    *why_not = "[final-build-commands] has instructions other than ENV, LABEL, USER, ARG, CMD, "
               "ENTRYPOINT, EXPOSE and STOPSIGNAL";
  else if (p->o->extra_args.n > 0)
    *why_not = "options after -- are for the engine";
  /* rebase onto a target, update with nothing to install, model-only update with nothing to
   * validate (§14.2) */
  return *why_not == NULL;
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

/* The options of a native build (rebase onto a target, config-only update, model-only update),
 * strings borrowed from the plan. */
struct native {
  struct wi_rebase_opts r;
  struct wi_update_opts u;
  struct wi_modelonly_opts m;
  char **changes; /* [final-build-commands], rendered */
  size_t n_changes;
  char *installer, *model_home; /* model-only: the context's WDT installer; WIT's model home */
  char **files;                 /* model-only: the context's model-home files */
  size_t n_files;
};

static void
native_dispose(struct native *n)
{
  wi_strv_free(n->changes, n->n_changes);
  wi_strv_free(n->files, n->n_files);
  free(n->installer);
  free(n->model_home);
}

/* update --wdtModelOnly: the model-only options, from the plan and its build context. */
static int
modelonly_prepare(struct wi_wit_plan *p, struct native *n, const struct wi_image *from,
                  const char *const *raw, size_t n_raw, int64_t epoch, wi_err *err)
{
  const struct wi_dockerfile *d = &p->d;
  const char *const *lists[3] = { d->models, d->archives, d->variables };
  size_t counts[3] = { d->n_models, d->n_archives, d->n_variables };
  n->installer = wi_xasprintf("%s/%s", p->ctx, d->wdt_installer);
  n->model_home = wi_dockerfile_wdt_model_home(d);
  for (size_t l = 0; l < 3; l++)
    for (size_t i = 0; i < counts[l]; i++) {
      n->files = wi_xreallocarray(n->files, n->n_files + 1, sizeof *n->files);
      n->files[n->n_files++] = wi_xasprintf("%s/%s", p->ctx, lists[l][i]);
    }
  n->m = (struct wi_modelonly_opts){ .store = p->o->store,
                                     .from = from,
                                     .user = d->user,
                                     .group = d->group,
                                     .domain_home = d->domain_home ? d->domain_home
                                                                   : "/u01/domains/base_domain",
                                     .wdt_home = d->wdt_home,
                                     .wdt_model_home = n->model_home,
                                     .installer = n->installer,
                                     .files = (const char *const *)n->files,
                                     .n_files = n->n_files,
                                     .openshift = d->openshift,
                                     .epoch = epoch,
                                     .changes = raw,
                                     .n_changes = n_raw };
  return wi_modelonly_build_id(&n->m, p->build_id, err);
}

/* The options, with the build id derived from the inputs (the same inputs give the same image)
 * into the plan, and the final-build-commands rendered with it. */
static int
native_prepare(struct wi_wit_plan *p, struct native *n, wi_err *err)
{
  const struct wi_wit_opts *o = p->o;
  const struct wi_dockerfile *d = &p->d;
  /* the raw lines determine the rendered ones once the rest of the inputs are fixed */
  const struct wi_buildcmds *bc = &p->cmds;
  const char *const *raw = (const char *const *)bc->lines[WI_BUILDCMDS_FINAL];
  size_t n_raw = bc->present[WI_BUILDCMDS_FINAL] ? bc->n[WI_BUILDCMDS_FINAL] : 0;
  int64_t epoch = wi_rebase_epoch();
  memset(n, 0, sizeof *n);
  if (d->kind == WI_DOCKERFILE_REBASE) {
    const struct wi_image *src = wi_wit_plan_image(p, d->source_image);
    const struct wi_image *tgt = wi_wit_plan_image(p, d->target_image);
    if (src == NULL || tgt == NULL)
      return wi_err_set(err, WI_EINVAL, "rebase: the source or the target image was not read");
    if (d->model_only && d->wdt_home == NULL)
      return wi_err_set(
          err, WI_EINVAL,
          "%s has no domain in %s and no WDT home (WDT_HOME, or /u01/wdt/weblogic-deploy) whose models could be rebased",
          d->source_image, d->domain_home);
    n->r = (struct wi_rebase_opts){ .store = o->store,
                                    .source = src,
                                    .target = tgt,
                                    .domain_home = d->domain_home,
                                    .copy_path = d->model_only ? d->wdt_home : NULL,
                                    .user = d->user,
                                    .group = d->group,
                                    .openshift = d->openshift,
                                    .epoch = epoch,
                                    .gzip_level = WI_WIT_REBASE_GZIP_LEVEL,
                                    .changes = raw,
                                    .n_changes = n_raw };
    wi_rebase_build_id(&n->r, p->build_id);
  } else {
    const struct wi_image *from = wi_wit_plan_image(p, p->from_image);
    if (from == NULL)
      return wi_err_set(err, WI_EINVAL, "update: %s was not read", p->from_image);
    if (d->user == NULL || d->user[0] == '\0')
      return wi_err_set(
          err, WI_EINVAL,
          "ORACLE_HOME %s is not a directory in %s, so it has no owner for the image's USER (WIT's update runs as the Oracle Home's owner)",
          d->oracle_home, p->from_image);
    if (d->wdt_enabled) {
      if (modelonly_prepare(p, n, from, raw, n_raw, epoch, err) < 0)
        return err->code;
    } else {
      n->u = (struct wi_update_opts){ .store = o->store,
                                      .from = from,
                                      .user = d->user,
                                      .epoch = epoch,
                                      .changes = raw,
                                      .n_changes = n_raw };
      wi_update_build_id(&n->u, p->build_id);
    }
  }
  struct wi_dockerfile_ctx dc;
  wi_dockerfile_ctx_init(&dc, d);
  n->changes = wi_buildcmds_instructions(bc, WI_BUILDCMDS_FINAL, &dc.val, &n->n_changes);
  wi_dockerfile_ctx_dispose(&dc);
  n->r.changes = n->u.changes = n->m.changes = (const char *const *)n->changes;
  n->r.n_changes = n->u.n_changes = n->m.n_changes = n->n_changes;
  n->r.build_id = n->u.build_id = n->m.build_id = p->build_id;
  return 0;
}

/* Rebase onto the target or update the config, natively; the result named `name`. */
static int
native_build(struct native *n, const struct wi_dockerfile *d, const char *name,
             struct wi_wit_result *res, wi_err *err)
{
  int ret;
  if (d->kind == WI_DOCKERFILE_REBASE) {
    struct wi_rebase_result rr;
    n->r.tag = name;
    wi_log(WI_LOG_INFO,
           "Building natively, without a container engine: the domain home of %s onto %s",
           d->source_image, d->target_image);
    ret = wi_rebase_build(&n->r, &rr, err);
    if (ret == 0) {
      snprintf(res->digest, sizeof res->digest, "%s", rr.digest);
      wi_log(WI_LOG_DEBUG, "%llu entries copied, %lld bytes of new layers",
             (unsigned long long)rr.n_entries, (long long)rr.layer_bytes);
    }
  } else if (d->wdt_enabled) {
    struct wi_modelonly_result mr;
    n->m.tag = name;
    wi_log(
        WI_LOG_INFO,
        "Building natively, without a container engine: a model-only update with nothing to validate (WDT and the model files into %s)",
        d->wdt_home);
    ret = wi_modelonly_build(&n->m, &mr, err);
    if (ret == 0)
      snprintf(res->digest, sizeof res->digest, "%s", mr.digest);
  } else {
    struct wi_update_result ur;
    n->u.tag = name;
    wi_log(
        WI_LOG_INFO,
        "Building natively, without a container engine: this update changes only the image's config");
    ret = wi_update_build(&n->u, &ur, err);
    if (ret == 0)
      snprintf(res->digest, sizeof res->digest, "%s", ur.digest);
  }
  return ret;
}

/* The engine builds the Dockerfile and the result comes back into the store as `name`. */
static int
engine_build(struct wi_wit_plan *p, const struct wi_engine *e, const struct wi_engine_build *b,
             const char *name, wi_wit_output_fn out, void *payload, struct wi_wit_result *res,
             wi_err *err)
{
  const struct wi_wit_opts *o = p->o;
  const char *imgs[3];
  int ret = 0;
  if (!e->found)
    return wi_err_set(
        err, WI_EUNSUPPORTED,
        "building this image needs a container engine, and %s is not installed; install docker, podman or buildah, or name one with --builder",
        e->exe);
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
  return ret;
}

/* After the image is named: resource templates (create, update) and --push. */
static int
after_build(struct wi_wit_plan *p, struct wi_wit_result *res, wi_err *err)
{
  const struct wi_wit_opts *o = p->o;
  int ret = o->cmd != WI_WIT_REBASE ? resource_templates(p, err) : 0;
  if (ret == 0 && o->push) {
    struct wi_transfer_opts to = o->transfer;
    to.store_root = wi_store_root(o->store);
    ret = wi_transfer_push(o->store, res->name, o->tag, &to, res->digest, err);
  }
  return ret;
}

/* --tag as the store names it. */
static char *
store_name(const char *tag, wi_err *err)
{
  struct wi_ref r = { 0 };
  if (wi_ref_parse(&r, tag, err) < 0) {
    wi_err_wrap(err, "--tag");
    return NULL;
  }
  char *name = wi_ref_name(&r);
  wi_ref_dispose(&r);
  return name;
}

int
wi_wit_build_run(const struct wi_wit_opts *o, wi_wit_output_fn out, void *payload,
                 struct wi_wit_result *res, wi_err *err)
{
  struct wi_wit_plan p;
  struct wi_engine e = { 0 };
  struct native nat = { 0 };
  const char *type = NULL, *why = NULL;
  bool native = false;
  wi_autofree char *name = NULL;
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
  if (ret == 0 && !o->dry_run && (name = store_name(o->tag, err)) == NULL)
    ret = err->code;
  if (ret == 0) {
    native = wi_wit_build_native_possible(&p, &why);
    /* a native image's build id follows from its inputs, so that it is reproducible */
    if (native && !o->dry_run)
      ret = native_prepare(&p, &nat, err);
    wi_log(WI_LOG_INFO, "Image Tool build ID: %s", p.build_id);
  }
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
  if (ret == 0 && native && !o->dry_run) {
    phase(o, "build");
    ret = native_build(&nat, &p.d, name, res, err);
  } else if (ret == 0) {
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
    if (native)
      wi_log(WI_LOG_INFO,
             "Without --dryRun this image is built natively, without a container engine");
    else if (!o->dry_run)
      wi_log(WI_LOG_INFO, "Building with %s: %s", e.exe, why);
    if (!o->dry_run)
      ret = engine_build(&p, &e, &b, name, out, payload, res, err);
  }
  if (ret == 0 && !o->dry_run) {
    res->name = wi_steal(&name);
    ret = after_build(&p, res, err);
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
  native_dispose(&nat);
  wi_wit_plan_dispose(&p);
  return ret;
}
