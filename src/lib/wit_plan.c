/* wlsimg: what create, update and rebase share before the build: WIT's initializeOptions, the
 * build context, the static probe, installers from the cache, WDT options and the patching hook —
 * see wit.h and wit_int.h. */
#include "lib/wit.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/engine.h"
#include "lib/fs.h"
#include "lib/image.h"
#include "lib/log.h"
#include "lib/patch_resolve.h"
#include "lib/ref.h"
#include "lib/strv.h"
#include "lib/util.h"
#include "lib/wit_int.h"
#include "lib/witcache.h"

const char *
wi_wit_plan_keep(struct wi_wit_plan *p, char *s)
{
  p->owned = wi_xreallocarray(p->owned, p->n_owned + 1, sizeof *p->owned);
  p->owned[p->n_owned++] = s;
  return s;
}

static void
list_add(struct wi_wit_plan *p, int which, const char *s)
{
  p->lists[which] = wi_xreallocarray(p->lists[which], p->n_lists[which] + 1, sizeof(char *));
  p->lists[which][p->n_lists[which]++] = s;
}

void
wi_wit_plan_dispose(struct wi_wit_plan *p)
{
  wi_buildcmds_dispose(&p->cmds);
  free(p->ctx);
  free(p->cache_dir);
  free(p->http_proxy);
  free(p->https_proxy);
  free(p->no_proxy);
  if (p->secret_file) {
    unlink(p->secret_file);
    free(p->secret_file);
  }
  wi_strv_free(p->owned, p->n_owned);
  wi_probe_patches_free(p->installed, p->n_installed);
  free(p->patch_names);
  for (size_t i = 0; i < 4; i++)
    free(p->lists[i]);
  for (size_t i = 0; i < p->n_images; i++)
    wi_image_free(p->opened[i]);
  free(p->opened);
  free(p->images);
  memset(p, 0, sizeof *p);
}

/* Java's getenv lookups of the proxies: lower case first. */
static char *
env2(const char *lower, const char *upper)
{
  const char *v = getenv(lower);
  if (v == NULL || *v == '\0')
    v = getenv(upper);
  return v && *v ? wi_xstrdup(v) : NULL;
}

/* The patch module's options for this plan (strings borrowed from the plan and its options). */
static void
patch_opts(const struct wi_wit_plan *p, struct wi_patch_opts *po)
{
  const struct wi_wit_opts *o = p->o;
  *po = (struct wi_patch_opts){ .cache_dir = p->cache_dir,
                                .user = o->user,
                                .password = o->password,
                                .installer_type = p->installer_type,
                                .installer_version = p->installer_version,
                                .arch = p->arch,
                                .patches = o->patches.v,
                                .n_patches = o->patches.n,
                                .latest_psu = o->latest_psu,
                                .recommended = o->recommended_patches,
                                .skip_opatch_update = o->skip_opatch_update,
                                .opatch_bug = o->opatch_bug,
                                .update = o->cmd == WI_WIT_UPDATE,
                                .installed = p->installed,
                                .n_installed = p->n_installed,
                                .cancel = o->cancel };
}

/* --chown as CommonOptions.handleChown checks it. */
static int
check_chown(struct wi_wit_plan *p, const char *s, wi_err *err)
{
  /* String.split(":"): trailing empty parts are dropped */
  size_t n = strlen(s);
  while (n > 0 && s[n - 1] == ':')
    n--;
  const char *colon = memchr(s, ':', n);
  if (colon == NULL || memchr(colon + 1, ':', n - (size_t)(colon + 1 - s)))
    return wi_err_set(
        err, WI_EINVAL,
        "The value for --chown must be a colon separated user and group.  Such as, user:group");
  wi_autofree char *u = wi_xstrndup(s, (size_t)(colon - s));
  wi_autofree char *g = wi_xstrndup(colon + 1, n - (size_t)(colon + 1 - s));
  regex_t re;
  regcomp(&re, "^[a-z_]([a-z0-9_-]{0,31}|[a-z0-9_-]{0,30}\\$)$", REG_EXTENDED | REG_NOSUB);
  bool uok = regexec(&re, u, 0, NULL, 0) == 0, gok = regexec(&re, g, 0, NULL, 0) == 0;
  regfree(&re);
  if (!uok)
    return wi_err_set(
        err, WI_EINVAL,
        "--chown must contain a valid Unix UID (user ID).  A maximum of 32 characters in length and must start with a lowercase character.  Invalid value = %s",
        u);
  if (!gok)
    return wi_err_set(
        err, WI_EINVAL,
        "--chown must contain a valid Unix GID (group ID).  No more than 32 characters and starts with a lowercase character.  Invalid value = %s",
        g);
  p->d.user = wi_wit_plan_keep(p, wi_steal(&u));
  p->d.group = wi_wit_plan_keep(p, wi_steal(&g));
  return 0;
}

static int
check_patch_ids(const struct wi_wit_list *l, wi_err *err)
{
  regex_t re;
  int ret = 0;
  regcomp(&re, "^[0-9]{8,9}(_[0-9]{2}(\\.[0-9]){3,8}\\.[0-9]+(_.*)?)?$", REG_EXTENDED | REG_NOSUB);
  for (size_t i = 0; i < l->n && ret == 0; i++)
    if (regexec(&re, l->v[i], 0, NULL, 0) != 0)
      ret = wi_err_set(
          err, WI_EINVAL,
          "Invalid patch id %s. The patch id must be in the format of 12345678[_12.2.1.3.0[_arm64]].  Where the first part is the 8 digit patch ID, and the second half, after the underscore, is the release version for the patch. The release version needs to be specified with 5 places such as 12.2.1.3.0 or 12.2.1.3.190416. Release version is required when adding a patch to the cache or when multiple versions of the same patch number exist for different versions.",
          l->v[i]);
  regfree(&re);
  return ret;
}

static int
additional_files(struct wi_wit_plan *p, wi_err *err)
{
  const struct wi_wit_list *f = &p->o->additional_build_files;
  if (f->n == 0)
    return 0;
  if (wi_wit_plan_context(p, err) < 0)
    return err->code;
  wi_autofree char *dir = wi_xasprintf("%s/files", p->ctx);
  if (mkdir(dir, 0755) < 0)
    return wi_err_sys(err, WI_EIO, "%s", dir);
  for (size_t i = 0; i < f->n; i++) {
    const char *path = f->v[i];
    if (access(path, R_OK) < 0)
      return wi_err_set(err, WI_EINVAL, "Additional build command file does not exist: %s", path);
    size_t l = strlen(path);
    while (l > 1 && path[l - 1] == '/')
      l--;
    const char *b = path + l;
    while (b > path && b[-1] != '/')
      b--;
    wi_autofree char *dst = wi_xasprintf("%s/%.*s", dir, (int)(path + l - b), b);
    wi_log(WI_LOG_INFO, "Copying %s to build context folder.", path);
    if (wi_engine_context_link_tree(path, dst, err) < 0)
      return err->code;
  }
  return 0;
}

int
wi_wit_plan_init(struct wi_wit_plan *p, const struct wi_wit_opts *o, wi_err *err)
{
  char hex[33];
  memset(p, 0, sizeof *p);
  p->o = o;
  if (wi_util_random_hex(hex, 16, err) < 0)
    return err->code;
  /* a version 4 UUID, as java.util.UUID.randomUUID() */
  hex[12] = '4';
  hex[16] = "89ab"[strtol((char[]){ hex[16], 0 }, NULL, 16) & 3];
  snprintf(p->build_id, sizeof p->build_id, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
           hex + 16, hex + 20);
  p->cache_dir = o->cache_dir ? wi_xstrdup(o->cache_dir) : wi_witcache_default_dir();
  bool known = true;
  p->arch = wi_installer_arch(o->platform, &known);
  if (!known)
    wi_log(WI_LOG_WARN, "Did not recognize architecture name %s. Defaulted to AMD64.", o->platform);

  struct wi_dockerfile *d = &p->d;
  d->build_id = p->build_id;
  d->user = "oracle";
  d->group = "oracle";
  d->os_packages_env = getenv("WLSIMG_OS_PACKAGES");
  p->from_image = o->from_image ? o->from_image : WI_WIT_DEFAULT_FROM;
  d->base_image = p->from_image;

  p->http_proxy = o->http_proxy ? wi_xstrdup(o->http_proxy) : env2("http_proxy", "HTTP_PROXY");
  p->https_proxy = o->https_proxy ? wi_xstrdup(o->https_proxy) : env2("https_proxy", "HTTPS_PROXY");
  p->no_proxy = env2("no_proxy", "NO_PROXY");
  p->chown_typed = o->chown != NULL;
  if (o->chown && check_chown(p, o->chown, err) < 0)
    return err->code;
  if (o->additional_build_commands &&
      wi_buildcmds_load(&p->cmds, o->additional_build_commands, err) < 0)
    return err->code;
  d->cmds = &p->cmds;
  if (additional_files(p, err) < 0)
    return err->code;
  for (size_t i = 0; i < o->build_args.n; i++) {
    const char *a = o->build_args.v[i];
    const char *eq = strchr(a, '=');
    if (eq == NULL)
      return wi_err_set(
          err, WI_EUSAGE,
          "Value for option option '--build-arg' (<arg=value>) should be in KEY=VALUE format but was %s",
          a);
    list_add(p, 0, wi_wit_plan_keep(p, wi_xstrndup(a, (size_t)(eq - a))));
  }
  d->build_args = p->lists[0];
  d->n_build_args = p->n_lists[0];
  if (o->openshift) {
    d->openshift = true;
    if (!p->chown_typed)
      d->group = "root";
  }
  /* credentials, then the patch ids (CommonPatchingOptions.initializeOptions) */
  p->applying_patches = o->latest_psu || o->recommended_patches || o->patches.n > 0;
  if (p->applying_patches) {
    bool pw = o->password && *o->password;
    if ((o->user || pw) && !(o->user && *o->user && pw))
      return wi_err_set(
          err, WI_EAUTH,
          "Invalid Oracle support credentials, verify the values provided for user and password match your OTN credential");
    if (o->user || pw) {
      /* WIT asks Oracle Support whether the pair is valid before anything else (IMG-0022) */
      struct wi_patch_opts po;
      patch_opts(p, &po);
      po.installer_version = o->cmd == WI_WIT_UPDATE ? NULL
                             : o->version            ? o->version
                                                     : WI_WIT_DEFAULT_VERSION;
      if (wi_patch_check_credentials(&po, err) < 0)
        return err->code;
    }
    if (check_patch_ids(&o->patches, err) < 0)
      return err->code;
  }
  return 0;
}

int
wi_wit_plan_context(struct wi_wit_plan *p, wi_err *err)
{
  if (p->ctx)
    return 0;
  p->ctx = wi_engine_context_new(err);
  return p->ctx ? 0 : err->code;
}

const char *
wi_wit_plan_add_file(struct wi_wit_plan *p, const char *path, wi_err *err)
{
  if (wi_wit_plan_context(p, err) < 0)
    return NULL;
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  wi_autofree char *dst = wi_xasprintf("%s/%s", p->ctx, base);
  wi_log(WI_LOG_INFO, "Copying %s to build context folder.", path);
  if (wi_engine_context_link(path, dst, err) < 0) {
    if (err->code == WI_EEXISTS)
      wi_err_set(err, WI_EEXISTS,
                 "%s: another input of this build has the same file name %s; rename one of them",
                 path, base);
    return NULL;
  }
  return wi_wit_plan_keep(p, wi_xstrdup(base));
}

int
wi_wit_plan_write(struct wi_wit_plan *p, const char *name, const char *text, wi_err *err)
{
  if (wi_wit_plan_context(p, err) < 0)
    return err->code;
  wi_autofree char *path = wi_xasprintf("%s/%s", p->ctx, name);
  return wi_fs_write_file_atomic(path, text, strlen(text), 0644, err);
}

int
wi_wit_plan_probe(struct wi_wit_plan *p, const char *ref, unsigned flags, struct wi_probe **out,
                  wi_err *err)
{
  const struct wi_wit_opts *o = p->o;
  wi_autoptr(wi_image) struct wi_image *img = NULL;
  struct wi_platform pl;
  if (o->platform && wi_ref_platform_parse(&pl, o->platform, err) < 0)
    return wi_err_wrap(err, "--platform");
  wi_log(WI_LOG_INFO,
         "Inspecting %s, this may take a few minutes if the image is not available locally.", ref);
  if (wi_image_open(&img, o->store, ref, o->platform ? &pl : NULL, o->pull, &o->transfer, err) < 0)
    return err->code;
  if (wi_probe_image(out, o->store, img, flags, err) < 0)
    return wi_err_wrap(err, "%s", ref);
  p->images = wi_xreallocarray(p->images, p->n_images + 1, sizeof *p->images);
  p->opened = wi_xreallocarray(p->opened, p->n_images + 1, sizeof *p->opened);
  p->opened[p->n_images] = wi_steal(&img);
  p->images[p->n_images++] = ref;
  return 0;
}

const struct wi_image *
wi_wit_plan_image(const struct wi_wit_plan *p, const char *ref)
{
  for (size_t i = 0; i < p->n_images; i++)
    if (strcmp(p->images[i], ref) == 0)
      return p->opened[i];
  return NULL;
}

const char *
wi_wit_plan_installer(struct wi_wit_plan *p, const char *type, const char *version, wi_err *err)
{
  wi_autofree char *path = NULL;
  if (wi_witcache_lookup(p->cache_dir, type, version, p->arch, NULL, &path, err) < 0)
    return NULL;
  char digest[WI_DIGEST_MAX];
  if (wi_witcache_verify(p->cache_dir, path, digest, err) < 0)
    return NULL;
  return wi_wit_plan_add_file(p, path, err);
}

/* The files of one --wdtModel/--wdtArchive/--wdtVariables list, into the context. */
static int
wdt_files(struct wi_wit_plan *p, const struct wi_wit_list *l, const char *kind, int which,
          wi_err *err)
{
  for (size_t i = 0; i < l->n; i++) {
    struct stat st;
    if (stat(l->v[i], &st) < 0 || !S_ISREG(st.st_mode))
      return wi_err_set(err, WI_EINVAL, "WDT %s file %s could not be found.", kind, l->v[i]);
    const char *name = wi_wit_plan_add_file(p, l->v[i], err);
    if (name == NULL)
      return err->code;
    list_add(p, which, name);
  }
  return 0;
}

int
wi_wit_plan_wdt(struct wi_wit_plan *p, wi_err *err)
{
  const struct wi_wit_opts *o = p->o;
  struct wi_dockerfile *d = &p->d;
  if (o->models.n == 0 && o->archives.n == 0 && o->variables.n == 0)
    return 0;
  const char *version = o->wdt_version ? o->wdt_version : "latest";
  if (strcasecmp(version, "none") == 0)
    return wi_err_set(
        err, WI_EINVAL,
        "wdtVersion cannot be none, a valid version from the Image Tool cache is required.");
  d->wdt_enabled = true;
  d->wdt_command = "createDomain.sh"; /* update: --wdtOperation */
  d->wdt_home = o->wdt_home ? o->wdt_home : "/u01/wdt";
  d->wdt_model_home = o->wdt_model_home;
  if (wdt_files(p, &o->models, "model", 1, err) < 0 ||
      wdt_files(p, &o->archives, "archive", 2, err) < 0 ||
      wdt_files(p, &o->variables, "variables", 3, err) < 0)
    return err->code;
  d->models = p->lists[1];
  d->n_models = p->n_lists[1];
  d->archives = p->lists[2];
  d->n_archives = p->n_lists[2];
  d->variables = p->lists[3];
  d->n_variables = p->n_lists[3];
  d->wdt_installer = wi_wit_plan_installer(p, "wdt", version, err);
  if (d->wdt_installer == NULL)
    return err->code;
  if (o->encryption_key) {
    /* handed to the engine as a build secret: a file outside the context, readable by us only */
    d->encryption_key = "";
    wi_autofree char *dir = wi_xstrdup(p->ctx);
    *strrchr(dir, '/') = '\0';
    wi_autofree char *f = wi_xasprintf("%s/.wlsimg-wdtkey-%s", dir, p->build_id);
    wi_autoclose int fd = open(f, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || wi_fs_write_all(fd, o->encryption_key, strlen(o->encryption_key), err) < 0)
      return fd < 0 ? wi_err_sys(err, WI_EIO, "%s", f) : err->code;
    p->secret_file = wi_steal(&f);
  }
  d->domain_home = o->wdt_domain_home;
  d->wdt_java_options = o->wdt_java_options;
  d->domain_type = o->wdt_domain_type ? o->wdt_domain_type : "WLS";
  d->run_rcu = o->wdt_run_rcu;
  d->strict_validation = o->wdt_strict_validation;
  d->model_only = o->wdt_model_only;
  return 0;
}

/* update with --user: the image's patches, for the conflict check and the installed PSU. */
static int
installed_patches(struct wi_wit_plan *p, const struct wi_probe *image, wi_err *err)
{
  const char *v = wi_probe_get(image, "oraclePatches");
  if (v == NULL)
    return wi_err_set(err, WI_EINVAL, "lsinventory missing. required to check for conflicts");
  if (strstr(v, "OPatch failed"))
    return wi_err_set(err, WI_ERR, "opatch lsinventory failed");
  return wi_probe_patches(image, &p->installed, &p->n_installed, err);
}

/* The patch files into <ctx>/patches/, linked as the installers are. */
static int
link_patches(struct wi_wit_plan *p, const struct wi_patch_result *res, wi_err *err)
{
  struct wi_dockerfile *d = &p->d;
  if (wi_wit_plan_context(p, err) < 0)
    return err->code;
  wi_autofree char *dir = wi_xasprintf("%s/patches", p->ctx);
  wi_autofree char *dummy = wi_xasprintf("%s/dummy.txt", dir);
  if (mkdir(dir, 0755) < 0 && errno != EEXIST)
    return wi_err_sys(err, WI_EIO, "%s", dir);
  if (wi_fs_write_file_atomic(dummy, "", 0, 0644, err) < 0)
    return err->code;
  p->patch_names = wi_xreallocarray(NULL, res->n ? res->n : 1, sizeof *p->patch_names);
  for (size_t i = 0; i < res->n; i++) {
    wi_autofree char *dst = wi_xasprintf("%s/%s", dir, res->names[i]);
    if (wi_engine_context_link(res->paths[i], dst, err) < 0)
      return err->code;
    p->patch_names[i] = wi_wit_plan_keep(p, wi_xstrdup(res->names[i]));
  }
  d->patching = res->n > 0;
  d->patches = p->patch_names;
  d->n_patches = res->n;
  d->strict_patch_ordering = p->o->strict_patch_ordering;
  return 0;
}

int
wi_wit_plan_patches(struct wi_wit_plan *p, const struct wi_probe *image, bool patches, bool opatch,
                    wi_err *err)
{
  const struct wi_wit_opts *o = p->o;
  struct wi_dockerfile *d = &p->d;
  struct wi_patch_opts po;
  struct wi_patch_result res = { 0 };
  bool update = o->cmd == WI_WIT_UPDATE;

  patch_opts(p, &po);
  po.part = patches && opatch ? WI_PATCH_PART_ALL
            : patches         ? WI_PATCH_PART_PATCHES
                              : WI_PATCH_PART_OPATCH;
  if (update && image)
    po.image_opatch_version = wi_probe_get(image, "opatchVersion");
  int ret = wi_patch_resolve(&po, &res, err);
  /* WIT reads the installed patches right after OPatch, and only with --user */
  if (ret == 0 && update && opatch && o->user && image)
    ret = installed_patches(p, image, err);
  if (ret == 0 && patches)
    ret = link_patches(p, &res, err);
  if (ret == 0 && res.opatch_path) {
    d->opatch_file = wi_wit_plan_add_file(p, res.opatch_path, err);
    d->opatch_update = d->opatch_file != NULL;
    ret = d->opatch_file ? 0 : err->code;
  }
  wi_patch_result_dispose(&res);
  return ret;
}
