/* wlsimg: `create` (wit-primary §6): the new image's stages from the base's facts, the JDK and
 * the Oracle installers in the cache, response files and the inventory pointer — see wit.h. */
#include "lib/wit.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/wit_int.h"

#define MAX_SMALL_FILE (1u << 20)

/* The first line of a file matching ^\s*KEY=(.*) : the rest of that line (malloc'ed), or NULL. */
static int
first_value(const char *path, const char *key, char **out, wi_err *err)
{
  wi_autofree char *text = NULL;
  size_t len = 0;
  *out = NULL;
  if (wi_fs_read_file(path, MAX_SMALL_FILE, &text, &len, err) < 0)
    return err->code;
  size_t kl = strlen(key);
  for (size_t pos = 0; pos < len;) {
    size_t ll = strcspn(text + pos, "\r\n");
    const char *l = text + pos;
    size_t i = 0;
    while (i < ll && (l[i] == ' ' || l[i] == '\t' || l[i] == '\f' || l[i] == '\v'))
      i++;
    if (ll - i > kl && strncmp(l + i, key, kl) == 0 && l[i + kl] == '=') {
      *out = wi_xstrndup(l + i + kl + 1, ll - i - kl - 1);
      return 0;
    }
    pos += ll;
    if (pos < len && text[pos] == '\r' && pos + 1 < len && text[pos + 1] == '\n')
      pos++;
    pos++;
  }
  return 0;
}

/* copyOptionsFromImage: what an explicit --fromImage already has. */
static int
from_image(struct wi_wit_plan *p, int typed_pm, wi_err *err)
{
  const struct wi_wit_opts *o = p->o;
  struct wi_dockerfile *d = &p->d;
  wi_autoptr(wi_probe) struct wi_probe *pr = NULL;
  wi_log(WI_LOG_INFO, "User specified fromImage %s", o->from_image);
  if (o->from_image_props) {
    if (wi_probe_from_file(&pr, o->from_image_props, err) < 0)
      return err->code;
    wi_log(WI_LOG_INFO, "User specified fromImage properties with file: %s", o->from_image_props);
  } else if (wi_wit_plan_probe(p, o->from_image, 0, &pr, err) < 0) {
    return err->code;
  }
  const char *jh = wi_probe_get(pr, "javaHome"), *oh = wi_probe_get(pr, "oracleHome");
  if (jh) {
    d->install_java = false;
    d->java_home = wi_wit_plan_keep(p, wi_xstrdup(jh));
    wi_log(WI_LOG_INFO, "JAVA_HOME detected in %s (--fromImage), skipping JDK install",
           o->from_image);
  }
  if (oh) {
    d->install_middleware = false;
    d->oracle_home = wi_wit_plan_keep(p, wi_xstrdup(oh));
    wi_log(WI_LOG_INFO,
           "ORACLE_HOME already exists in %s (--fromImage), skipping middleware installs",
           o->from_image);
  }
  return wi_dockerfile_base_facts(pr, typed_pm, &d->busybox, &d->pkgmgr, err);
}

/* MiddlewareInstall: the installers of --type, their response files, into the context. */
static int
middleware(struct wi_wit_plan *p, const char *type, const char *version, wi_err *err)
{
  const struct wi_wit_opts *o = p->o;
  struct wi_dockerfile *d = &p->d;
  const char *list[WI_INSTALLER_MAX];
  size_t n = wi_installer_list(type, version, list);
  struct wi_buf names = WI_BUF_INIT(WI_BUF_NO_CAP);
  for (size_t i = 0; i < n; i++)
    wi_buf_addf(&names, NULL, "%s%s", i ? ", " : "", list[i]);
  wi_log(WI_LOG_INFO, "Using middleware installers (%s) version %s", wi_buf_cstr(&names), version);
  if (o->response_files.n && o->response_files.n != n) {
    wi_err_set(
        err, WI_EINVAL,
        "When providing custom response files, a response file must be provided for each of the installers %s.  Found %zu, expected %zu.",
        wi_buf_cstr(&names), o->response_files.n, n);
    wi_buf_dispose(&names);
    return err->code;
  }
  wi_buf_dispose(&names);
  for (size_t i = 0; i < o->response_files.n; i++) {
    struct stat st;
    if (stat(o->response_files.v[i], &st) < 0 || !S_ISREG(st.st_mode))
      return wi_err_set(err, WI_EINVAL, "%s was not found or is not a regular file",
                        o->response_files.v[i]);
    wi_log(WI_LOG_INFO, "Using provided installer response file: %s for %s install",
           o->response_files.v[i], list[i]);
  }
  for (size_t i = 0; i < n; i++) {
    struct wi_dockerfile_installer *in = &p->inst[i];
    in->type = list[i];
    in->file = wi_wit_plan_installer(p, list[i], version, err);
    if (in->file == NULL)
      return err->code;
    wi_autofree char *path = wi_xasprintf("%s/%s", p->ctx, in->file);
    char *jar = NULL;
    if (wi_installer_jar_name(path, &jar, err) < 0)
      return err->code;
    in->jar = wi_wit_plan_keep(p, jar);
    in->zip = strlen(in->file) > 4 && strcmp(in->file + strlen(in->file) - 4, ".zip") == 0;
    in->bin = strlen(jar) > 4 && strcmp(jar + strlen(jar) - 4, ".bin") == 0;
    if (strcmp(list[i], "db19") == 0)
      in->preinstall = "34761383/changePerm.sh /u01/oracle";
    if (o->response_files.n) {
      /* copied under its own name; a clash gets 1, 2, … appended (ProvidedResponseFile) */
      const char *src = o->response_files.v[i];
      const char *slash = strrchr(src, '/');
      const char *base = slash ? slash + 1 : src;
      char *name = wi_xstrdup(base);
      for (int k = 1; k < 1000; k++) {
        wi_autofree char *t = wi_xasprintf("%s/%s", p->ctx, name);
        if (access(t, F_OK) != 0)
          break;
        free(name);
        name = wi_xasprintf("%s%d", base, k);
      }
      in->rsp = wi_wit_plan_keep(p, name);
      wi_autofree char *dst = wi_xasprintf("%s/%s", p->ctx, in->rsp);
      if (wi_fs_copy_file(src, dst, 0644, err) < 0)
        return err->code;
    } else {
      wi_autofree char *rsp = wi_installer_response_file(list[i], type);
      in->rsp = wi_wit_plan_keep(p, wi_xasprintf("%s.rsp", list[i]));
      if (wi_wit_plan_write(p, in->rsp, rsp, err) < 0)
        return err->code;
    }
  }
  d->installers = p->inst;
  d->n_installers = n;
  d->binary_os_packages = strcmp(type, "OHS") == 0;
  return 0;
}

int
wi_wit_create_prepare(struct wi_wit_plan *p, wi_err *err)
{
  const struct wi_wit_opts *o = p->o;
  struct wi_dockerfile *d = &p->d;
  int typed = o->package_manager ? wi_dockerfile_pkgmgr_parse(o->package_manager) : -1;
  if (typed == -2)
    return wi_err_set(
        err, WI_EUSAGE,
        "Invalid value for option '--packageManager': expected one of [OS_DEFAULT, NONE, YUM, DNF, MICRODNF, MICRODNF_8, APTGET, APK, ZYPPER] (case-insensitive) but was '%s'",
        o->package_manager);
  d->install_java = d->install_middleware = true;
  if (o->from_image) {
    if (from_image(p, typed, err) < 0)
      return err->code;
  } else {
    d->pkgmgr = typed >= 0 ? (enum wi_pkgmgr)typed : WI_PKGMGR_MICRODNF_8;
  }
  if (o->phase)
    o->phase("installers", o->phase_payload);
  if (d->install_java) {
    d->java_pkg =
        wi_wit_plan_installer(p, "jdk", o->jdk_version ? o->jdk_version : WI_WIT_DEFAULT_JDK, err);
    if (d->java_pkg == NULL)
      return err->code;
  }
  const char *version = o->version ? o->version : WI_WIT_DEFAULT_VERSION;
  p->installer_version = version;
  if (d->install_middleware) {
    if (middleware(p, p->installer_type, version, err) < 0)
      return err->code;
  } else {
    d->wdt_base = "os_update";
  }
  if (o->phase)
    o->phase("patches", o->phase_payload);
  /* the patches, then OPatch, into the Oracle Home this build installs */
  if (d->install_middleware && p->applying_patches &&
      wi_wit_plan_patches(p, NULL, true, true, err) < 0)
    return err->code;
  /* WIT still resolves and copies OPatch here, for nothing (wit-primary §15.4) */
  if (!d->install_middleware && p->applying_patches)
    wi_log(
        WI_LOG_WARN,
        "Patching skipped.  Using CREATE to patch --fromImage with an existing ORACLE_HOME is not supported. To create a patched image, use CREATE with a linux base image and apply the WebLogic install and patches at the same time.");
  if (o->response_files.n) {
    wi_autofree char *oh = NULL;
    if (first_value(o->response_files.v[0], "ORACLE_HOME", &oh, err) < 0)
      return err->code;
    if (oh) {
      wi_log(WI_LOG_INFO, "Oracle Home will be set to %s", oh);
      d->oracle_home = wi_wit_plan_keep(p, wi_steal(&oh));
    }
  }
  d->inv_loc = o->inventory_pointer_install_loc;
  if (o->inventory_pointer_file) {
    struct stat st;
    wi_autofree char *inv = NULL;
    if (stat(o->inventory_pointer_file, &st) < 0 || !S_ISREG(st.st_mode))
      return wi_err_set(err, WI_EINVAL, "Unable to find installer inventory file: %s",
                        o->inventory_pointer_file);
    if (first_value(o->inventory_pointer_file, "inventory_loc", &inv, err) < 0)
      return err->code;
    if (inv)
      d->orainv_dir = wi_wit_plan_keep(p, wi_steal(&inv));
    if (wi_wit_plan_context(p, err) < 0)
      return err->code;
    wi_autofree char *dst = wi_xasprintf("%s/oraInst.loc", p->ctx);
    return wi_fs_copy_file(o->inventory_pointer_file, dst, 0644, err);
  }
  return wi_wit_plan_write(p, "oraInst.loc",
                           "inventory_loc=/u01/oracle/oraInventory\ninst_group=oracle\n", err);
}

int
wi_wit_create_plan(struct wi_wit_plan *p, wi_err *err)
{
  p->d.kind = WI_DOCKERFILE_CREATE;
  if (wi_wit_create_prepare(p, err) < 0)
    return err->code;
  return wi_wit_plan_wdt(p, err);
}
