/* wlsimg ui: the Primary Image tab's `wlsimg create`: options, the printed command, engines, checks
 * — see ui_primary.h. */
#include <jansson.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/alloc.h"
#include "lib/engine.h"
#include "lib/imgconfig.h"
#include "lib/installer.h"
#include "lib/json.h"
#include "lib/manifest.h"
#include "lib/patch.h"
#include "lib/ref.h"
#include "lib/store.h"
#include "lib/ui_primary.h"
#include "lib/util.h"
#include "lib/witcache.h"

#define autojson __attribute__((cleanup(json_decrefp)))

static const char *const engine_names[] = { "docker", "podman", "buildah" };

/* ---- the options ---- */

static const char *
keep(struct wi_ui_primary *a, char *s)
{
  a->owned = wi_xreallocarray(a->owned, a->n_owned + 1, sizeof *a->owned);
  a->owned[a->n_owned++] = s;
  return s;
}

static const char *
opt(const char *s)
{
  return s && s[0] ? s : NULL;
}

void
wi_ui_primary_opts(struct wi_ui_primary *a, const struct wi_ui_project *p)
{
  const struct wi_ui_primary_create *c = &p->prim;
  memset(a, 0, sizeof *a);
  struct wi_wit_opts *o = &a->o;
  o->cmd = WI_WIT_CREATE;
  o->tag = p->primary_tag;
  o->from_image = opt(c->from);
  o->type = opt(c->type);
  o->version = opt(c->version);
  o->jdk_version = opt(c->jdk_version);
  bool default_owner = strcmp(c->owner, "oracle") == 0 && strcmp(c->group, "oracle") == 0;
  if (!default_owner && c->owner[0] && c->group[0])
    o->chown = keep(a, wi_xasprintf("%s:%s", c->owner, c->group));
  o->package_manager = c->package_manager[0] && strcasecmp(c->package_manager, "OS_DEFAULT") != 0
                           ? c->package_manager
                           : NULL;
  o->openshift = c->openshift;
  o->patches.v = (const char *const *)c->patches.v;
  o->patches.n = c->patches.n;
  o->recommended_patches = c->recommended;
  o->latest_psu = c->latest_psu;
  o->user = opt(c->support_user);
  o->builder = opt(c->builder);
  o->pull = c->pull;
}

void
wi_ui_primary_dispose(struct wi_ui_primary *a)
{
  for (size_t i = 0; i < a->n_owned; i++)
    free(a->owned[i]);
  free(a->owned);
  memset(a, 0, sizeof *a);
}

/* ---- engines ---- */

static bool
engine_found(const char *name)
{
  struct wi_engine e;
  wi_engine_choose(&e, name); /* a named engine: looked up on PATH, nothing logged */
  bool found = e.found;
  wi_engine_dispose(&e);
  return found;
}

char *
wi_ui_primary_engine(const char *builder, bool *found)
{
  const char *env = getenv("WLSIMG_BUILDER");
  const char *name = builder && *builder ? builder : env && *env ? env : NULL;
  if (name) {
    *found = engine_found(name);
    return wi_xstrdup(name);
  }
  for (size_t i = 0; i < WI_ARRAY_SIZE(engine_names); i++)
    if (engine_found(engine_names[i])) {
      *found = true;
      return wi_xstrdup(engine_names[i]);
    }
  *found = false;
  return wi_xstrdup("docker");
}

char *
wi_ui_primary_engines_json(void)
{
  autojson json_t *o = json_object();
  json_t *list = json_array();
  const char *env = getenv("WLSIMG_BUILDER");
  bool env_listed = env == NULL || env[0] == '\0';
  for (size_t i = 0; i < WI_ARRAY_SIZE(engine_names) + 1; i++) {
    const char *n = i < WI_ARRAY_SIZE(engine_names) ? engine_names[i] : env;
    if (n == NULL || (i == WI_ARRAY_SIZE(engine_names) && env_listed))
      continue;
    env_listed = env_listed || strcmp(n, env) == 0;
    json_t *e = json_object();
    json_object_set_new(e, "name", wi_json_str(n));
    json_object_set_new(e, "found", json_boolean(engine_found(n)));
    json_array_append_new(list, e);
  }
  json_object_set_new(o, "engines", list);
  bool found = false;
  wi_autofree char *a = wi_ui_primary_engine(NULL, &found);
  json_object_set_new(o, "auto", found ? wi_json_str(a) : json_null());
  return json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

/* ---- checks ---- */

struct checker {
  wi_ui_primary_add_fn add;
  void *ctx;
};

static void report(struct checker *c, const char *field, bool error, const char *fmt, ...)
    WI_PRINTF(4, 5);

static void
report(struct checker *c, const char *field, bool error, const char *fmt, ...)
{
  char msg[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  c->add(c->ctx, field, error, msg);
}

static void
check_ref(struct checker *c, const char *field, const char *label, const char *value)
{
  struct wi_ref r = { 0 };
  wi_err err = { 0 };
  if (wi_ref_parse(&r, value, &err) < 0)
    report(c, field, true, "%s: %s", label, err.msg);
  else
    wi_ref_dispose(&r);
}

/* --chown's names, as WIT's CommonOptions checks them (IMG-0027/0028). */
static void
check_name(struct checker *c, const char *field, const char *label, const char *value)
{
  regex_t re;
  regcomp(&re, "^[a-z_]([a-z0-9_-]{0,31}|[a-z0-9_-]{0,30}\\$)$", REG_EXTENDED | REG_NOSUB);
  bool ok = regexec(&re, value, 0, NULL, 0) == 0;
  regfree(&re);
  if (!ok)
    report(c, field, true,
           "%s '%s' is not a valid Unix name: at most 32 characters, starting with a lower-case "
           "letter or '_', then lower-case letters, digits, '_' or '-'.",
           label, value);
}

/* What the base already has, from its config in the store (nothing is pulled): JAVA_HOME and
 * ORACLE_HOME. *known false when the image is not there as a single image. */
static void
base_homes(const char *ref, const char *store_root, bool *known, bool *java, bool *oracle)
{
  wi_autoptr(wi_store) struct wi_store *s = NULL;
  wi_autoptr(wi_manifest) struct wi_manifest *m = NULL;
  wi_autoptr(wi_imgconfig) struct wi_imgconfig *cfg = NULL;
  struct wi_descriptor d = { 0 };
  wi_autofree char *bytes = NULL;
  size_t len = 0;
  wi_err err = { 0 };
  *known = *java = *oracle = false;
  int ret = store_root ? wi_store_open(&s, store_root, false, &err)
                       : wi_store_open_default(&s, false, &err);
  if (ret == 0)
    ret = wi_store_lookup(s, ref, &d, NULL, &err);
  if (ret == 0)
    ret = wi_store_load_image(s, &d, NULL, &m, NULL, &err);
  if (ret == 0)
    ret = wi_store_read_blob(s, m->config.digest, WI_MAX_CONFIG_BYTES, &bytes, &len, &err);
  if (ret == 0)
    ret = wi_imgconfig_parse(&cfg, bytes, len, &err);
  wi_manifest_descriptor_dispose(&d);
  if (ret < 0)
    return;
  *known = true;
  *java = wi_imgconfig_get_env(cfg, "JAVA_HOME") != NULL;
  *oracle = wi_imgconfig_get_env(cfg, "ORACLE_HOME") != NULL;
}

/* An installer the build needs: in the WIT cache for this machine's architecture, or the
 * `wlsimg cache addInstaller` line that adds it. */
static void
check_installer(struct checker *c, const char *field, bool error, const char *cache,
                const char *type, const char *version, const char *what, const char *why)
{
  bool known = false;
  const char *arch = wi_installer_arch(NULL, &known);
  wi_autofree char *path = NULL;
  wi_err err = { 0 };
  if (wi_witcache_lookup(cache, type, version, arch, NULL, &path, &err) == 0)
    return;
  report(c, field, error,
         "%s %s for %s is not in the WIT cache (%s)%s: add it with: wlsimg cache addInstaller "
         "--type %s --version %s --architecture %s --path <installer file>",
         what, version, arch, cache, why, type, version,
         strcmp(arch, "arm64") == 0 ? "ARM64" : "AMD64");
}

static void
check_installers(struct checker *c, const struct wi_ui_project *p, const char *store_root)
{
  const struct wi_ui_primary_create *pc = &p->prim;
  const char *type = wi_installer_type_name(pc->type[0] ? pc->type : "WLS");
  const char *version = pc->version[0] ? pc->version : "12.2.1.3.0";
  const char *jdk = pc->jdk_version[0] ? pc->jdk_version : "8u202";
  bool known = false, java = false, oracle = false;
  const char *why = "";
  if (pc->from[0]) {
    base_homes(pc->from, store_root, &known, &java, &oracle);
    /* a base that is not in the store yet may bring its own Java and Oracle Home */
    why =
        known ? "" : " (the base image is not in the local store: needed unless it has JAVA_HOME)";
  } else {
    known = true; /* WIT's default base, Oracle Linux, has neither */
  }
  wi_autofree char *cache = wi_witcache_default_dir();
  if (!java)
    check_installer(c, "primary-jdk-version", known, cache, "jdk", jdk, "JDK", why);
  if (oracle || type == NULL)
    return;
  const char *list[WI_INSTALLER_MAX];
  size_t n = wi_installer_list(type, version, list);
  if (!known)
    why = " (the base image is not in the local store: needed unless it has ORACLE_HOME)";
  for (size_t i = 0; i < n; i++) {
    char what[64];
    snprintf(what, sizeof what, "The %s installer", list[i]);
    check_installer(c, "primary-version", known, cache, list[i], version, what, why);
  }
}

static void
check_patches(struct checker *c, const struct wi_ui_project *p, bool support_password)
{
  const struct wi_ui_primary_create *pc = &p->prim;
  for (size_t i = 0; i < pc->patches.n; i++) {
    wi_err err = { 0 };
    if (wi_patch_validate_id(pc->patches.v[i], &err) < 0)
      report(c, "primary-patches", true, "%s", err.msg);
  }
  bool applying = pc->patches.n || pc->recommended || pc->latest_psu;
  if (!applying)
    return;
  if ((pc->recommended || pc->latest_psu) && pc->support_user[0] == '\0')
    report(c, "primary-support-user", true,
           "%s come from Oracle Support: enter your Oracle Support user (and password).",
           pc->recommended ? "Recommended patches" : "The latest PSU");
  if (pc->support_user[0] && !support_password)
    report(c, "primary-support-password", true,
           "Enter the Oracle Support password for %s (kept for this session only).",
           pc->support_user);
  if (pc->support_user[0] == '\0' && pc->patches.n)
    report(c, "primary-support-user", false,
           "Without an Oracle Support user the patches must be in the WIT cache already (wlsimg "
           "cache addPatch).");
}

void
wi_ui_primary_check(const struct wi_ui_project *p, const struct wi_ui_primary_check_in *in,
                    wi_ui_primary_add_fn add, void *ctx)
{
  struct checker c = { add, ctx };
  const struct wi_ui_primary_create *pc = &p->prim;
  if (p->primary_tag[0] == '\0')
    report(&c, "primary-tag", true, "Primary Image Tag is required: the new image's name.");
  else
    check_ref(&c, "primary-tag", "Primary Image Tag", p->primary_tag);
  if (pc->from[0])
    check_ref(&c, "primary-from", "Base Image", pc->from);
  if (wi_installer_type_name(pc->type[0] ? pc->type : "WLS") == NULL)
    report(&c, "primary-type", true, "Installer Type '%s' is not one of %s.", pc->type,
           wi_installer_types());
  check_name(&c, "primary-owner", "File System Owner", pc->owner);
  check_name(&c, "primary-group", "File System Group", pc->group);
  if (pc->package_manager[0] && strcasecmp(pc->package_manager, "OS_DEFAULT") != 0) {
    static const char *const pms[] = { "NONE",       "YUM",    "DNF", "MICRODNF",
                                       "MICRODNF_8", "APTGET", "APK", "ZYPPER" };
    bool ok = false;
    for (size_t i = 0; i < WI_ARRAY_SIZE(pms); i++)
      ok = ok || strcasecmp(pc->package_manager, pms[i]) == 0;
    if (!ok)
      report(&c, "primary-package-manager", true,
             "Package Manager '%s' is not one of OS_DEFAULT, NONE, YUM, DNF, MICRODNF, "
             "MICRODNF_8, APTGET, APK, ZYPPER.",
             pc->package_manager);
  }
  check_patches(&c, p, in->support_password);
  check_installers(&c, p, in->store_root);
  if (!in->engine)
    return;
  bool found = false;
  wi_autofree char *e = wi_ui_primary_engine(pc->builder, &found);
  if (!found && (pc->builder[0] || getenv("WLSIMG_BUILDER")))
    report(&c, "primary-builder", true,
           "The container engine %s is not installed here: choose one that is, or install it.", e);
  else if (!found)
    report(&c, "primary-builder", true,
           "No container engine found (docker, podman or buildah on PATH): creating a primary "
           "image runs WIT's Dockerfile through one. Preview Dockerfile works without.");
}
