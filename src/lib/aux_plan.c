/* wlsimg: the plan of a createAuxImage build: every input checked before anything is built, and the
 * build id — see aux.h. */
#include "lib/aux.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/aux_int.h"
#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/fs.h"
#include "lib/image.h"
#include "lib/k8s.h"
#include "lib/log.h"
#include "lib/passwd.h"
#include "lib/probe.h"
#include "lib/strv.h"
#include "lib/witcache.h"
#include "lib/yaml.h"

void
wi_aux_plan_free(struct wi_aux_plan *p)
{
  if (p == NULL)
    return;
  free(p->from_image);
  free(p->wdt_version);
  free(p->wdt_home);
  free(p->wdt_model_home);
  free(p->user);
  free(p->group);
  for (size_t i = 0; i < p->n_files; i++) {
    free(p->files[i].path);
    free(p->files[i].base);
  }
  free(p->files);
  free(p->installer);
  free(p->installer_base);
  free(p->wdt_real_version);
  wi_buildcmds_dispose(&p->cmds);
  free(p->df_wdt_home);
  free(p->df_wdt_model_home);
  for (size_t k = 0; k < 3; k++)
    free(p->df_files[k]);
  wi_strv_free(p->arg_keys, p->n_arg_keys);
  free(p->platforms);
  free(p->build_id);
  free(p);
}

const char *
wi_aux_plan_build_id(const struct wi_aux_plan *p)
{
  /* computed by a native build from its layer, else from the input files on first use */
  if (p->build_id[0] == '\0')
    wi_aux_plan_compute_build_id(p, NULL);
  return p->build_id;
}

const char *
wi_aux_plan_installer(const struct wi_aux_plan *p)
{
  return p->installer;
}

bool
wi_aux_plan_needs_engine(const struct wi_aux_plan *p)
{
  return p->needs_engine;
}

/* ---- plan ---- */

char *
wi_aux_plan_norm_abs(const char *p)
{
  /* "/a//b/" -> "/a/b" */
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  for (const char *s = p; *s;) {
    while (*s == '/')
      s++;
    if (!*s)
      break;
    const char *e = strchrnul(s, '/');
    wi_buf_add(&b, "/", 1, NULL);
    wi_buf_add(&b, s, (size_t)(e - s), NULL);
    s = e;
  }
  if (b.len == 0)
    wi_buf_adds(&b, "/", NULL);
  return wi_buf_steal(&b);
}

static int
add_inputs(struct wi_aux_plan *p, const struct wi_strv *v, const char *kind, wi_err *err)
{
  for (size_t i = 0; i < v->n; i++) {
    const char *path = v->v[i];
    struct stat st;
    if (path[0] == '\0')
      continue;
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
      return wi_err_set(err, WI_EINVAL, "WDT %s file %s could not be found.", kind, path);
    if (access(path, R_OK) < 0)
      return wi_err_sys(err, WI_EDENIED, "WDT %s file %s is not readable", kind, path);
    if (p->n_files >= WI_AUX_MAX_FILES)
      return wi_err_set(err, WI_ETOOBIG, "too many WDT files (limit %d)", WI_AUX_MAX_FILES);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    for (size_t k = 0; k < p->n_files; k++)
      if (strcmp(p->files[k].base, base) == 0)
        return wi_err_set(err, WI_EINVAL,
                          "WDT files %s and %s have the same file name %s; rename one of them",
                          p->files[k].path, path, base);
    p->files = wi_xreallocarray(p->files, p->n_files + 1, sizeof *p->files);
    struct input_file *f = &p->files[p->n_files++];
    memset(f, 0, sizeof *f);
    f->path = wi_xstrdup(path);
    f->base = wi_xstrdup(base);
    f->kind = kind;
  }
  return 0;
}

/* Read VERSION.txt from the installer and check every entry. */
static int
scan_installer(struct wi_aux_plan *p, wi_err *err)
{
  struct archive *a = wi_aux_archive_open(p->installer, err);
  struct archive_entry *ae;
  int ret = 0;
  if (a == NULL)
    return err->code;
  struct wi_aux_archive_links *links = wi_aux_archive_links_new();
  while ((ret = wi_aux_archive_next_entry(a, p->installer, NULL, links, &ae, err)) > 0) {
    const char *n = wi_aux_archive_entry_name(ae);
    if (strcmp(n, "weblogic-deploy/VERSION.txt") == 0 && archive_entry_size(ae) < 4096) {
      char buf[4096];
      la_ssize_t got = archive_read_data(a, buf, sizeof buf - 1);
      if (got > 0) {
        buf[got] = '\0';
        free(p->wdt_real_version);
        p->wdt_real_version = wi_xstrndup(buf, strcspn(buf, "\r\n"));
      }
    }
  }
  wi_aux_archive_links_free(links);
  archive_read_free(a);
  return ret;
}

/* Warn about model references to archive paths that no archive has. */
static int
check_model_refs(struct wi_aux_plan *p, wi_err *err)
{
  char **entries = NULL;
  size_t n_entries = 0;
  int ret = 0;

  for (size_t i = 0; i < p->n_files && ret == 0; i++)
    if (strcmp(p->files[i].kind, "archive") == 0)
      ret = wi_aux_archive_scan(p->files[i].path, &entries, &n_entries, err);
  for (size_t i = 0; i < p->n_files && ret == 0; i++) {
    if (strcmp(p->files[i].kind, "model") != 0)
      continue;
    char **refs = NULL;
    size_t n_refs = 0;
    ret = wi_yaml_check_file(p->files[i].path, &refs, &n_refs, err);
    for (size_t r = 0; r < n_refs && ret == 0; r++) {
      size_t rl = strlen(refs[r]);
      while (rl > 0 && refs[r][rl - 1] == '/')
        rl--;
      bool found = false;
      for (size_t e = 0; e < n_entries && !found; e++)
        found = strncmp(entries[e], refs[r], rl) == 0 &&
                (entries[e][rl] == '\0' || entries[e][rl] == '/');
      if (!found)
        wi_log(WI_LOG_WARN, "%s refers to %s, which none of the WDT archives contains",
               p->files[i].path, refs[r]);
    }
    wi_yaml_refs_free(refs, n_refs);
  }
  for (size_t e = 0; e < n_entries; e++)
    free(entries[e]);
  free(entries);
  return ret;
}

/* WDT's rule, before anything is built: every @@PROP:x@@ of the models is defined in the variables
 * files given (WDT fails with WLSDPLY-01732). Without variables files the values may still come
 * from a properties file in the Domain's model ConfigMap: then only a warning. */
static int
check_model_props(const struct wi_aux_plan *p, wi_err *err)
{
  struct wi_k8s_model_refs refs = { 0 };
  struct wi_props vars = { 0 };
  struct wi_buf what = WI_BUF_INIT(WI_BUF_NO_CAP);
  int ret = 0;

  for (size_t i = 0; i < p->n_files && ret == 0; i++)
    if (strcmp(p->files[i].kind, "model") == 0)
      ret = wi_k8s_model_scan_file(&refs, p->files[i].path, err);
  for (size_t i = 0; i < p->n_files && ret == 0; i++)
    if (strcmp(p->files[i].kind, "variables") == 0) {
      wi_buf_addf(&what, NULL, "%s%s", what.len ? ", " : "", p->files[i].path);
      ret = wi_k8s_model_read_vars_file(&vars, p->files[i].path, err);
    }
  if (ret == 0 && what.len > 0) {
    ret = wi_k8s_model_check_props(&refs, &vars, wi_buf_cstr(&what), err);
  } else if (ret == 0) {
    for (size_t i = 0; i < refs.n; i++)
      if (refs.v[i].kind == WI_K8S_TOKEN_PROP)
        wi_log(WI_LOG_WARN,
               "%s uses @@PROP:%s@@ and no --wdtVariables file is given: the domain needs it "
               "from a properties file in its model ConfigMap",
               refs.v[i].where, refs.v[i].name);
  }
  wi_buf_dispose(&what);
  wi_props_dispose(&vars);
  wi_k8s_model_refs_dispose(&refs);
  return ret;
}

/* The build id: a UUID-form sha256 of the options and the content. layer_diff_id = NULL hashes the
 * input files themselves (dry runs, engine builds: nothing is built natively); otherwise the
 * content is the new layer's diff_id, which covers every input file's bytes, so native builds
 * need no extra pass over the inputs. Input files that cannot be read hash as "unreadable" (the
 * build then fails reading them). */
void
wi_aux_plan_compute_build_id(const struct wi_aux_plan *p, const char *layer_diff_id)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  wi_buf_addf(&b, NULL,
              "wlsimg-aux-v1\nfrom=%s\nwdtHome=%s\nmodelHome=%s\nchown=%s:%s\nopenshift=%d\n",
              p->from_image, p->wdt_home, p->wdt_model_home, p->user, p->group, p->o.openshift);
  wi_buf_addf(&b, NULL, "installer=%s\nepoch=%lld\n", p->installer ? p->installer_digest : "none",
              (long long)p->epoch);
  if (layer_diff_id)
    wi_buf_addf(&b, NULL, "layer=%s\n", layer_diff_id);
  for (size_t i = 0; i < p->n_files; i++) {
    char fd[WI_DIGEST_MAX] = "";
    wi_err e = { 0 };
    if (layer_diff_id == NULL && wi_digest_file(p->files[i].path, fd, NULL, &e) < 0)
      snprintf(fd, sizeof fd, "unreadable");
    wi_buf_addf(&b, NULL, "%s %s %s\n", p->files[i].kind, p->files[i].base, fd);
  }
  for (size_t s = 0; s < WI_BUILDCMDS_N; s++)
    for (size_t i = 0; p->cmds.present[s] && i < p->cmds.n[s]; i++)
      wi_buf_addf(&b, NULL, "[%zu]%s\n", s, p->cmds.lines[s][i]);
  for (size_t i = 0; i < p->o.additional_build_files.n; i++)
    wi_buf_addf(&b, NULL, "file %s\n", p->o.additional_build_files.v[i]);
  for (size_t i = 0; i < p->o.build_args.n; i++)
    wi_buf_addf(&b, NULL, "arg %s\n", p->o.build_args.v[i]);
  wi_digest_uuid(b.data, b.len, p->build_id);
  wi_buf_dispose(&b);
}

/* WIT's facts about the base: busybox mode and the package manager (wit-compat §3.1 step 3). The
 * default base is busybox; an explicit --fromImage is probed statically (or described by
 * --fromImageProperties). */
static int
base_facts(struct wi_aux_plan *p, const struct wi_aux_opts *o, wi_err *err)
{
  int typed = o->package_manager ? wi_dockerfile_pkgmgr_parse(o->package_manager) : -1;
  if (typed == -2)
    return wi_err_set(
        err, WI_EUSAGE,
        "--packageManager %s: expected one of OS_DEFAULT, NONE, YUM, DNF, MICRODNF, MICRODNF_8, APTGET, APK, ZYPPER",
        o->package_manager);
  p->pkgmgr_typed = typed >= 0;
  p->busybox = true;
  p->pkgmgr = typed >= 0 ? (enum wi_pkgmgr)typed : WI_PKGMGR_NONE;
  if (!p->from_given)
    return 0;
  wi_autoptr(wi_probe) struct wi_probe *pr = NULL;
  if (o->from_image_props) {
    if (wi_probe_from_file(&pr, o->from_image_props, err) < 0)
      return err->code;
    wi_log(WI_LOG_INFO, "User specified fromImage properties with file: %s", o->from_image_props);
  } else {
    wi_autoptr(wi_image) struct wi_image *img = NULL;
    if (o->store == NULL)
      return wi_err_set(err, WI_EINVAL, "--fromImage %s: no image store", p->from_image);
    if (wi_image_open(&img, o->store, p->from_image, &p->platforms[0], o->pull, &o->transfer, err) <
        0)
      return wi_err_wrap(err, "--fromImage %s", p->from_image);
    if (wi_probe_image(&pr, o->store, img, 0, err) < 0)
      return err->code;
  }
  return wi_dockerfile_base_facts(pr, typed, &p->busybox, &p->pkgmgr, err);
}

int
wi_aux_plan_new(struct wi_aux_plan **out, const struct wi_aux_opts *o, wi_err *err)
{
  struct wi_aux_plan *p = wi_xcalloc(1, sizeof *p);
  int ret = 0;

  p->build_id = wi_xcalloc(1, BUILD_ID_SIZE);
  p->o = *o;
  p->from_given = o->from_image != NULL;
  p->from_image = wi_xstrdup(o->from_image ? o->from_image : "busybox");
  p->wdt_version = wi_xstrdup(o->wdt_version ? o->wdt_version : "latest");
  /* WIT writes the homes as typed (a trailing slash, a relative path); the native build puts
   * the files where an engine building that Dockerfile would (relative to /) */
  p->df_wdt_home = wi_xstrdup(o->wdt_home ? o->wdt_home : "/auxiliary");
  p->df_wdt_model_home = o->wdt_model_home && o->wdt_model_home[0]
                             ? wi_xstrdup(o->wdt_model_home)
                             : wi_xasprintf("%s/models", p->df_wdt_home);
  p->wdt_home = wi_aux_plan_norm_abs(p->df_wdt_home);
  p->wdt_model_home = wi_aux_plan_norm_abs(p->df_wdt_model_home);
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  p->epoch = sde && wi_passwd_is_id(sde) ? strtoll(sde, NULL, 10) : 0;

  /* --chown (OpenShift: group root unless given) */
  if (o->chown) {
    if (wi_passwd_parse_chown(o->chown, &p->user, &p->group, err) < 0)
      goto fail;
  } else {
    p->user = wi_xstrdup("oracle");
    p->group = wi_xstrdup(o->openshift ? "root" : "oracle");
  }
  /* platforms */
  if (o->platforms.n == 0) {
    p->platforms = wi_xcalloc(1, sizeof *p->platforms);
    wi_ref_platform_host(&p->platforms[0]);
    p->n_platforms = 1;
  } else {
    p->platforms = wi_xcalloc(o->platforms.n, sizeof *p->platforms);
    for (size_t i = 0; i < o->platforms.n; i++) {
      if (wi_ref_platform_parse(&p->platforms[p->n_platforms], o->platforms.v[i], err) < 0) {
        wi_err_wrap(err, "--platform");
        goto fail;
      }
      bool dup = false;
      for (size_t k = 0; k < p->n_platforms; k++)
        dup = dup || wi_ref_platform_match(&p->platforms[k], &p->platforms[p->n_platforms]);
      if (!dup)
        p->n_platforms++;
    }
  }
  /* WDT files: models, then archives, then variables */
  if (add_inputs(p, &o->models, "model", err) < 0 ||
      add_inputs(p, &o->archives, "archive", err) < 0 ||
      add_inputs(p, &o->variables, "variables", err) < 0)
    goto fail;
  for (size_t i = 0; i < p->n_files; i++) {
    int k = !strcmp(p->files[i].kind, "model") ? 0 : !strcmp(p->files[i].kind, "archive") ? 1 : 2;
    p->df_files[k] = wi_xreallocarray(p->df_files[k], p->n_df_files[k] + 1, sizeof(char *));
    p->df_files[k][p->n_df_files[k]++] = p->files[i].base;
  }
  bool no_wdt = strcasecmp(p->wdt_version, "none") == 0;
  if (p->n_files == 0 && no_wdt) {
    wi_err_set(
        err, WI_EINVAL,
        "You must provide at least one of: a WDT installer file, a WDT model file, a WDT variable file, or a WDT archive file.");
    goto fail;
  }
  for (size_t i = 0; i < o->additional_build_files.n; i++) {
    struct stat st;
    if (stat(o->additional_build_files.v[i], &st) < 0) {
      wi_err_sys(err, WI_EINVAL, "--additionalBuildFiles %s", o->additional_build_files.v[i]);
      goto fail;
    }
  }
  if (o->additional_build_commands &&
      wi_buildcmds_load(&p->cmds, o->additional_build_commands, err) < 0)
    goto fail;
  if (base_facts(p, o, err) < 0)
    goto fail;
  for (size_t i = 0; i < o->build_args.n; i++) {
    p->arg_keys = wi_xreallocarray(p->arg_keys, p->n_arg_keys + 1, sizeof *p->arg_keys);
    p->arg_keys[p->n_arg_keys++] =
        wi_xstrndup(o->build_args.v[i], strcspn(o->build_args.v[i], "="));
  }
  /* An engine builds it when something must run: RUN in the sections, packages asked for, or
   * options for the engine after "--" (a native build could not honour them). */
  p->needs_engine = p->pkgmgr_typed || o->extra_args.n > 0 ||
                    !wi_buildcmds_native(&p->cmds, WI_BUILDCMDS_INITIAL) ||
                    !wi_buildcmds_native(&p->cmds, WI_BUILDCMDS_FINAL);

  /* model YAML, archive entries, references, variables */
  if (check_model_refs(p, err) < 0 || check_model_props(p, err) < 0)
    goto fail;

  /* the WDT installer from the cache */
  if (!no_wdt) {
    wi_autofree char *dir = o->cache_dir ? wi_xstrdup(o->cache_dir) : wi_witcache_default_dir();
    const char *arch = p->platforms[0].arch;
    ret = wi_witcache_lookup(dir, "wdt", p->wdt_version,
                             strcmp(arch, "arm64") == 0 ? "arm64" : "amd64", NULL, &p->installer,
                             err);
    if (ret < 0)
      goto fail;
    if (wi_witcache_verify(dir, p->installer, p->installer_digest, err) < 0)
      goto fail;
    const char *slash = strrchr(p->installer, '/');
    p->installer_base = wi_xstrdup(slash ? slash + 1 : p->installer);
    for (size_t i = 0; i < p->n_files; i++)
      if (strcmp(p->files[i].base, p->installer_base) == 0) {
        wi_err_set(err, WI_EINVAL, "WDT file %s has the same file name as the WDT installer %s",
                   p->files[i].path, p->installer);
        goto fail;
      }
    if (scan_installer(p, err) < 0)
      goto fail;
    /* WIT's "latest" is only a key: say which WDT this really is */
    wi_log(WI_LOG_INFO, "WDT installer %s: version %s, %s", p->installer,
           p->wdt_real_version ? p->wdt_real_version : "unknown (no weblogic-deploy/VERSION.txt)",
           p->installer_digest);
  }
  /* the build id is computed lazily: see wi_aux_plan_compute_build_id */
  *out = p;
  return 0;
fail:
  wi_aux_plan_free(p);
  return err->code ? err->code : WI_ERR;
}
