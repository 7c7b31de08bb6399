/* wlsimg: WIT's Dockerfiles from one model — see dockerfile.h. The instructions follow WIT
 * 1.16.4's templates stage by stage (wit-primary §6-§8, wit-compat §5); the layout (indentation,
 * blank lines) is our own. */
#include "lib/dockerfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/probe.h"
#include "lib/str.h"
#include "lib/strv.h"

#define DEF_JAVA_HOME   "/u01/jdk"
#define DEF_ORACLE_HOME "/u01/oracle"
#define DEF_INV_LOC     "/u01/oracle"
#define DEF_ORAINV_DIR  "/u01/oracle/oraInventory"
#define DEF_DOMAIN_HOME "/u01/domains/base_domain"
#define DEF_TEMP_DIR    "/tmp/imagetool"
#define DEF_OS_PACKAGES \
  "gzip tar unzip libaio libnsl jq findutils diffutils make fontconfig freetype"

static const char *const pkgmgr_names[] = { "NONE",       "YUM",    "DNF", "MICRODNF",
                                            "MICRODNF_8", "APTGET", "APK", "ZYPPER" };

const char *
wi_dockerfile_pkgmgr_name(enum wi_pkgmgr pm)
{
  return pkgmgr_names[pm];
}

int
wi_dockerfile_pkgmgr_parse(const char *s)
{
  if (strcasecmp(s, "OS_DEFAULT") == 0)
    return -1;
  for (size_t i = 0; i < sizeof pkgmgr_names / sizeof pkgmgr_names[0]; i++)
    if (strcasecmp(s, pkgmgr_names[i]) == 0)
      return (int)i;
  return -2;
}

int
wi_dockerfile_base_facts(const struct wi_probe *pr, int typed, bool *busybox, enum wi_pkgmgr *pm,
                         wi_err *err)
{
  wi_autofree char *name = wi_probe_os(pr, "name");
  wi_autofree char *version = wi_probe_os(pr, "version");
  if (name)
    *busybox = wi_probe_busybox(pr);
  const char *v = wi_probe_get(pr, "packageManager");
  int found = wi_dockerfile_pkgmgr_parse(v ? v : "YUM");
  /* valueOf is case-sensitive and OS_DEFAULT is a constant too */
  bool exact = found >= 0 && strcmp(v ? v : "YUM", pkgmgr_names[found]) == 0;
  if (!exact && !(v && strcmp(v, "OS_DEFAULT") == 0))
    return wi_err_set(
        err, WI_EINVAL,
        "No enum constant com.oracle.weblogic.imagetool.cli.menu.PackageManagerType.%s", v);
  enum wi_pkgmgr det = found >= 0 ? (enum wi_pkgmgr)found
                       : *busybox ? WI_PKGMGR_NONE
                                  : WI_PKGMGR_MICRODNF_8;
  if (det == WI_PKGMGR_MICRODNF && version && version[0] == '8')
    det = WI_PKGMGR_MICRODNF_8;
  if (typed >= 0 && (enum wi_pkgmgr)typed != det) {
    wi_log(WI_LOG_INFO, "OS Package Manager override, changed from %s to %s", pkgmgr_names[det],
           pkgmgr_names[typed]);
    det = (enum wi_pkgmgr)typed;
  }
  *pm = det;
  return 0;
}

/* ---- derived values (DockerfileOptions) ---- */

static const char *
or_default(const char *v, const char *def)
{
  return v ? v : def;
}

char *
wi_dockerfile_wdt_model_home(const struct wi_dockerfile *d)
{
  if (d->wdt_model_home && d->wdt_model_home[0])
    return wi_xstrdup(d->wdt_model_home);
  /* Java's string concatenation prints a missing WDT home as "null" */
  return wi_xasprintf("%s/models", d->wdt_home ? d->wdt_home : "null");
}

static const char *
domain_home(const struct wi_dockerfile *d)
{
  return or_default(d->domain_home, DEF_DOMAIN_HOME);
}

/* Path.getParent() of the domain home ("/" for "/x"; the home itself when it has no parent). */
static char *
domain_parent(const struct wi_dockerfile *d)
{
  const char *dh = domain_home(d);
  size_t l = strlen(dh);
  while (l > 1 && dh[l - 1] == '/')
    l--;
  while (l > 0 && dh[l - 1] != '/')
    l--;
  if (l == 0)
    return wi_xstrdup(dh);
  while (l > 1 && dh[l - 1] == '/')
    l--;
  return wi_xstrndup(dh, l);
}

const char *
wi_dockerfile_work_dir(const struct wi_dockerfile *d)
{
  if ((d->wdt_enabled && !d->model_only) || d->source_image)
    return domain_home(d);
  return or_default(d->oracle_home, DEF_ORACLE_HOME);
}

static bool
model_home_outside(const struct wi_dockerfile *d, const char *mh)
{
  wi_autofree char *pre = wi_xasprintf("%s/", d->wdt_home ? d->wdt_home : "null");
  return !wi_str_has_prefix(mh, pre);
}

bool
wi_dockerfile_model_home_outside(const struct wi_dockerfile *d)
{
  wi_autofree char *mh = wi_dockerfile_wdt_model_home(d);
  return model_home_outside(d, mh);
}

/* WIT's isNotSubDirectory(child, parent): trailing '/' ignored, then a plain string-prefix test. */
static bool
not_subdir(const char *child, const char *parent)
{
  size_t cl = strlen(child), pl = strlen(parent);
  if (cl && child[cl - 1] == '/')
    cl--;
  if (pl && parent[pl - 1] == '/')
    pl--;
  if (cl == pl && strncmp(child, parent, cl) == 0)
    return false;
  return !(cl >= pl && strncmp(child, parent, pl) == 0);
}

static bool
validate_enabled(const struct wi_dockerfile *d)
{
  return d->wdt_enabled && d->model_only && (d->n_models || d->n_archives);
}

static bool
tar_gz(const char *f)
{
  size_t l = f ? strlen(f) : 0;
  return l >= 7 && strcasecmp(f + l - 7, ".tar.gz") == 0;
}

/* "-model_file /m/a.yaml,/m/b.yaml", or "" (wdtGetFileArgument). */
static char *
file_arg(const char *flag, const char *mh, const char *const *names, size_t n)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  for (size_t i = 0; i < n; i++)
    wi_buf_addf(&b, NULL, "%s%s/%s", i ? "," : flag, mh, names[i]);
  return wi_buf_steal(&b);
}

/* ---- rendering state: the model's values as the templates print them ---- */

struct r {
  const struct wi_dockerfile *d;
  struct wi_buf b;
  struct wi_dockerfile_ctx c;
  /* escaped ({{x}}) and raw ({{{x}}}) values */
  char *u, *g, *bid, *base, *src, *tgt, *inv, *orainv, *java_pkg, *wdt_cmd, *dtype;
  const char *jh, *oh, *tmp, *wh, *dh;
  const char *mh, *dparent, *varg, *marg, *aarg;
  char *whe, *mhe, *dhe;
};

static char *
esc(const char *s)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  wi_mustache_escape(&b, s ? s : "");
  return wi_buf_steal(&b);
}

static void out(struct r *r, const char *fmt, ...) WI_PRINTF(2, 3);

static void
out(struct r *r, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  wi_autofree char *s = NULL;
  if (vasprintf(&s, fmt, ap) < 0)
    s = NULL;
  va_end(ap);
  if (s)
    wi_buf_adds(&r->b, s, NULL);
}

/* An additional build commands section, each line rendered and indented as WIT does. */
static void
section(struct r *r, enum wi_buildcmds_section s)
{
  size_t n = 0;
  char **lines = wi_buildcmds_render(r->d->cmds, s, &r->c.val, &n);
  for (size_t i = 0; i < n; i++)
    out(r, "    %s\n", lines[i]);
  wi_strv_free(lines, n);
}

static void
args(struct r *r)
{
  for (size_t i = 0; i < r->d->n_build_args; i++)
    out(r, "ARG %s\n", r->d->build_args[i]);
}

static void
label(struct r *r)
{
  out(r, "LABEL com.oracle.weblogic.imagetool.buildid=\"%s\"\n", r->bid);
}

/* ---- partials ---- */

/* The OS packages, each followed by one space (the package-manager-packages lines too). */
static char *
os_packages(struct r *r)
{
  const struct wi_dockerfile *d = r->d;
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  if (d->os_packages_env && d->os_packages_env[0]) {
    /* Java's split(" "): empty words kept except at the end */
    const char *s = d->os_packages_env;
    size_t l = strlen(s);
    while (l && s[l - 1] == ' ')
      l--;
    for (size_t i = 0; i < l;) {
      size_t w = strcspn(s + i, " ");
      if (i + w > l)
        w = l - i;
      wi_buf_add(&b, s + i, w, NULL);
      wi_buf_adds(&b, " ", NULL);
      i += w + 1;
    }
  } else {
    wi_buf_adds(&b, DEF_OS_PACKAGES " ", NULL);
    if (d->binary_os_packages)
      wi_buf_adds(&b, "binutils glibc-devel ", NULL);
  }
  size_t n = 0;
  char **lines = wi_buildcmds_render(d->cmds, WI_BUILDCMDS_PACKAGES, &r->c.val, &n);
  for (size_t i = 0; i < n; i++)
    wi_buf_addf(&b, NULL, "%s ", lines[i]);
  wi_strv_free(lines, n);
  return wi_buf_steal(&b);
}

static void
package_manager(struct r *r)
{
  wi_autofree char *pk = os_packages(r);
  const char *t = r->tmp;
  switch (r->d->pkgmgr) {
  case WI_PKGMGR_YUM:
    out(r,
        "RUN yum -y update \\\n    && yum -y --downloaddir=%s install %s\\\n"
        "    && yum -y --downloaddir=%s clean all \\\n    && rm -rf /var/cache/yum/* \\\n"
        "    && rm -rf %s\n",
        t, pk, t, t);
    break;
  case WI_PKGMGR_DNF:
    out(r, "RUN dnf -y update \\\n    && dnf -y install %s\\\n    && dnf clean all\n", pk);
    break;
  case WI_PKGMGR_MICRODNF:
    out(r,
        "RUN microdnf -y update \\\n    && microdnf -y install %s\\\n    && microdnf clean all\n",
        pk);
    break;
  case WI_PKGMGR_MICRODNF_8:
    out(r, "RUN microdnf update \\\n    && microdnf install %s\\\n    && microdnf clean all\n", pk);
    break;
  case WI_PKGMGR_APTGET:
    out(r,
        "RUN apt-get -y update \\\n    && apt-get -y upgrade \\\n    && apt-get -y install %s\\\n"
        "    && apt-get -y clean all\n",
        pk);
    break;
  case WI_PKGMGR_APK:
    out(r, "RUN apk update \\\n    && apk upgrade \\\n    && rm -rf /var/cache/apk/*\n");
    break;
  case WI_PKGMGR_ZYPPER:
    out(r,
        "RUN zypper -nq update \\\n    && zypper -nq clean \\\n    && rm -rf /var/cache/zypp/*\n");
    break;
  case WI_PKGMGR_NONE:
    break;
  }
}

static void
user_group(struct r *r)
{
  if (r->d->busybox) {
    out(r,
        "RUN if [ -z \"$(grep ^oracle: /etc/group)\" ]; then addgroup oracle || exit 1 ; fi \\\n"
        " && if [ -z \"$(grep ^%s: /etc/group)\" ]; then addgroup %s || exit 1 ; fi \\\n"
        " && if [ -z \"$(grep ^%s: /etc/passwd)\" ]; then adduser -D -G %s %s || exit 1 ; fi\n",
        r->g, r->g, r->u, r->g, r->u);
  } else {
    out(r,
        "RUN if [ -z \"$(getent group oracle)\" ]; then groupadd oracle || exit 1 ; fi \\\n"
        " && if [ -z \"$(getent group %s)\" ]; then groupadd %s || exit 1 ; fi \\\n"
        " && if [ -z \"$(getent passwd %s)\" ]; then useradd -g %s %s || exit 1; fi \\\n"
        " && mkdir -p /u01 \\\n && chown %s:%s /u01 \\\n && chmod 775 /u01\n",
        r->g, r->g, r->u, r->g, r->u, r->u, r->g);
  }
}

/* os_update's body after its FROM/ARG/LABEL: USER root, initial commands, packages, user. */
static void
os_update_body(struct r *r)
{
  out(r, "USER root\n");
  section(r, WI_BUILDCMDS_INITIAL);
  package_manager(r);
  out(r, "\n");
  user_group(r);
  out(r, "\n");
}

static void
install_java(struct r *r)
{
  const char *jh = r->jh, *t = r->tmp;
  out(r, "FROM os_update AS jdk_build\n");
  args(r);
  label(r);
  out(r, "\nENV JAVA_HOME=%s\n\n", jh);
  out(r, "COPY --chown=%s:%s [\"%s\", \"%s/\"]\n\n", r->u, r->g, r->java_pkg, t);
  out(r, "USER %s\n\n", r->u);
  section(r, WI_BUILDCMDS_BEFORE_JDK);
  out(r,
      "RUN tar xzf \"%s/%s\" -C /u01 \\\n"
      "    && $(test -d /u01/jdk* && mv /u01/jdk* %s || mv /u01/graal* %s) \\\n"
      "    && rm -rf %s \\\n    && rm -f %s/javafx-src.zip %s/src.zip\n\n",
      t, r->java_pkg, jh, jh, t, jh, jh);
  section(r, WI_BUILDCMDS_AFTER_JDK);
}

static void
fmw_patching(struct r *r)
{
  const struct wi_dockerfile *d = r->d;
  const char *t = r->tmp, *oh = r->oh;
  if (d->opatch_update) {
    out(r, "COPY --chown=%s:%s %s %s/opatch/\n", r->u, r->g, d->opatch_file, t);
    out(r,
        "RUN cd %s/opatch \\\n    && %s/bin/jar -xf %s/opatch/%s \\\n"
        "    && %s/bin/java -jar %s/opatch/6880880/opatch_generic.jar -silent -ignoreSysPrereqs -force -novalidation oracle_home=%s \\\n"
        "    && rm -rf %s\n\n",
        t, r->jh, t, d->opatch_file, r->jh, t, oh, t);
  }
  if (!d->patching)
    return;
  out(r, "COPY --chown=%s:%s patches/* %s/patches/\n\n", r->u, r->g, t);
  if (!d->strict_patch_ordering) {
    out(r,
        "RUN %s/OPatch/opatch napply -silent -oh %s -nonrollbackable -phBaseDir %s/patches \\\n"
        "    && test $? -eq 0 \\\n    && %s/OPatch/opatch util cleanup -silent -oh %s \\\n"
        "    || (cat %s/cfgtoollogs/opatch/opatch*.log && exit 1)\n\n",
        oh, oh, t, oh, oh, oh);
    return;
  }
  for (size_t i = 0; i < d->n_patches; i++)
    out(r, "RUN %s/OPatch/opatch apply -silent -oh %s -nonrollbackable %s/patches/%s\n", oh, oh, t,
        d->patches[i]);
  out(r, "RUN %s/OPatch/opatch util cleanup -silent -oh %s\n\n", oh, oh);
}

static void
install_one(struct r *r, const struct wi_dockerfile_installer *in)
{
  const char *t = r->tmp;
  wi_autofree char *type = esc(in->type), *file = esc(in->file), *jar = esc(in->jar),
                   *rsp = esc(in->rsp);
  out(r, "    && echo \"INSTALLING %s\" \\\n", type);
  if (in->zip)
    out(r, "    && unzip -q \"%s/%s/%s\" -d %s/%s \\\n", t, in->type, file, t, in->type);
  if (in->preinstall)
    out(r, "    && %s/%s/%s \\\n", t, in->type, in->preinstall);
  if (!in->bin)
    out(r,
        "    && %s/bin/java -Xmx1024m -jar %s/%s/%s \\\n      -silent ORACLE_HOME=%s \\\n"
        "      -responseFile %s/%s/%s \\\n      -invPtrLoc %s/oraInst.loc \\\n"
        "      -ignoreSysPrereqs -force -novalidation \\\n",
        r->jh, t, in->type, jar, r->oh, t, in->type, rsp, r->inv);
  else
    out(r,
        "    && chmod +x %s/%s/%s \\\n    && %s/%s/%s \\\n      -force -ignoreSysPrereqs -silent \\\n"
        "      -responseFile %s/%s/%s \\\n"
        "      -invPtrLoc %s/oraInst.loc ORACLE_HOME=%s -jreLoc %s \\\n",
        t, in->type, jar, t, in->type, jar, t, in->type, rsp, r->inv, r->oh, r->jh);
}

static void
install_middleware(struct r *r)
{
  const struct wi_dockerfile *d = r->d;
  const char *t = r->tmp;
  out(r, "FROM os_update AS wls_build\n");
  args(r);
  label(r);
  out(r, "\nENV JAVA_HOME=%s \\\n    ORACLE_HOME=%s \\\n    OPATCH_NO_FUSER=true\n\n", r->jh,
      r->oh);
  out(r, "RUN mkdir -p %s \\\n", r->oh);
  if (strcmp(or_default(d->inv_loc, DEF_INV_LOC), DEF_INV_LOC) != 0)
    out(r, "    && mkdir -p %s \\\n    && chown %s:%s %s \\\n", r->inv, r->u, r->g, r->inv);
  out(r, "    && mkdir -p %s \\\n    && chown %s:%s %s \\\n    && chown %s:%s %s\n\n", r->orainv,
      r->u, r->g, r->orainv, r->u, r->g, r->oh);
  if (d->install_java)
    out(r, "COPY --from=jdk_build --chown=%s:%s [\"%s\", \"%s/\"]\n\n", r->u, r->g, r->jh, r->jh);
  for (size_t i = 0; i < d->n_installers; i++) {
    wi_autofree char *file = esc(d->installers[i].file), *rsp = esc(d->installers[i].rsp);
    out(r, "COPY --chown=%s:%s [\"%s\", \"%s\", \"%s/%s/\"]\n", r->u, r->g, file, rsp, t,
        d->installers[i].type);
  }
  out(r, "COPY --chown=%s:%s oraInst.loc %s/\n\n", r->u, r->g, r->inv);
  out(r, "USER %s\n\n", r->u);
  section(r, WI_BUILDCMDS_BEFORE_FMW);
  out(r, "RUN echo \"INSTALLING MIDDLEWARE\" \\\n");
  for (size_t i = 0; i < d->n_installers; i++)
    install_one(r, &d->installers[i]);
  out(r,
      "    && test $? -eq 0 \\\n    && chmod -R g+r %s \\\n"
      "    || (grep -vh \"NOTIFICATION\" /tmp/OraInstall*/install*.log && exit 1)\n\n",
      r->oh);
  if (d->openshift)
    out(r, "RUN mkdir -p ${ORACLE_HOME}/cfgtoollogs \\\n"
           "    && chmod g=u ${ORACLE_HOME}/cfgtoollogs \\\n"
           "    && chmod g=u ${ORACLE_HOME}/inventory/locks/oh.lock\n\n");
  fmw_patching(r);
  section(r, WI_BUILDCMDS_AFTER_FMW);
}

static void
copy_wdt_files(struct r *r, const char *const *names, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out(r, "COPY --chown=%s:%s [\"%s\", \"%s/\"]\n", r->u, r->g, names[i], r->mh);
}

/* The domain command's file arguments: " -model_file … " with WIT's spacing. */
static void
wdt_file_args(struct r *r, const char *tail)
{
  out(r, "      %s %s %s%s\n", r->varg, r->marg, r->aarg, tail);
}

static void
run_wdt(struct r *r)
{
  const struct wi_dockerfile *d = r->d;
  const char *t = r->tmp, *wh = r->wh;
  out(r, "FROM %s AS wdt_build\n", or_default(d->wdt_base, "wls_build"));
  args(r);
  label(r);
  out(r,
      "\nENV WLSDEPLOY_PROPERTIES=\"%s -Djava.security.egd=file:/dev/./urandom\" \\\n"
      "    DOMAIN_HOME=%s\n\n",
      or_default(d->wdt_java_options, ""), r->dh);
  out(r, "COPY --chown=%s:%s %s %s/\n\n", r->u, r->g, or_default(d->wdt_installer, ""), t);
  out(r, "USER root\n\nRUN mkdir -p %s \\\n    && chown %s:%s %s\n\n", wh, r->u, r->g, wh);
  out(r, "USER %s\n\nRUN cd %s \\\n    && mkdir -p %s \\\n    && mkdir -p $(dirname %s)\n\n", r->u,
      wh, r->mh, r->dh);
  copy_wdt_files(r, d->models, d->n_models);
  copy_wdt_files(r, d->archives, d->n_archives);
  copy_wdt_files(r, d->variables, d->n_variables);
  out(r,
      "\nRUN test -d %s/weblogic-deploy && rm -rf %s/weblogic-deploy || echo Initial WDT install \\\n",
      wh, wh);
  if (tar_gz(d->wdt_installer))
    out(r, "    && tar zxf %s/%s -C %s\n\n", t, d->wdt_installer, wh);
  else
    out(r, "    && unzip -q %s/%s -d %s\n\n", t, or_default(d->wdt_installer, ""), wh);
  section(r, WI_BUILDCMDS_BEFORE_WDT);
  if (!d->model_only) {
    /* the passphrase comes from a build secret: it is never written into the Dockerfile */
    if (d->encryption_key)
      out(r,
          "RUN --mount=type=secret,id=wdt_encryption_key,required=true cd %s/weblogic-deploy/bin \\\n"
          "    && cat /run/secrets/wdt_encryption_key | ./%s \\\n",
          wh, r->wdt_cmd);
    else
      out(r, "RUN cd %s/weblogic-deploy/bin \\\n    && ./%s \\\n", wh, r->wdt_cmd);
    out(r, "      -oracle_home %s \\\n      -domain_home %s \\\n      -domain_type %s \\\n", r->oh,
        r->dh, r->dtype);
    if (d->encryption_key)
      out(r, "      -use_encryption \\\n");
    if (d->run_rcu)
      out(r, "      -run_rcu \\\n");
    wdt_file_args(r, "");
    if (d->openshift)
      out(r, "RUN chmod -R g=u %s\n", r->dh);
    out(r, "\n");
  }
  if (validate_enabled(d)) {
    out(r, "RUN cd %s/weblogic-deploy/bin \\\n    && rm ./*.cmd \\\n", wh);
    if (d->openshift)
      out(r,
          "    && chmod -R g=u %s/weblogic-deploy/lib \\\n    && mkdir %s/weblogic-deploy/logs \\\n"
          "    && chmod g=u %s/weblogic-deploy/logs \\\n",
          wh, wh, wh);
    out(r, "    && ./validateModel.sh %s \\\n      -oracle_home %s \\\n      -domain_type %s \\\n",
        d->strict_validation ? "" : "-method lax", r->oh, r->dtype);
    wdt_file_args(r, " \\");
    out(r,
        "    && rm %s/weblogic-deploy/logs/* \\\n"
        "    && shopt -s globstar && rm -f %s/weblogic-deploy/lib/python/**/*.class\n\n",
        wh, wh);
  }
  section(r, WI_BUILDCMDS_AFTER_WDT);
}

static void
final_wdt_copy(struct r *r)
{
  const struct wi_dockerfile *d = r->d;
  if (d->model_only) {
    out(r, "RUN mkdir -p %s %s %s \\\n    && chown %s:%s %s %s %s\n", r->dparent, r->wh, r->mh,
        r->u, r->g, r->dparent, r->wh, r->mh);
    out(r, "COPY --from=wdt_build --chown=%s:%s %s %s/\n", r->u, r->g, r->whe, r->whe);
    if (model_home_outside(d, r->mh))
      out(r, "COPY --from=wdt_build --chown=%s:%s %s %s/\n", r->u, r->g, r->mhe, r->mhe);
    if (d->openshift)
      out(r, "RUN chmod -R g=u %s %s %s\n", r->dparent, r->wh, r->mh);
  } else {
    out(r, "COPY --from=wdt_build --chown=%s:%s %s %s/\n", r->u, r->g, r->dh, r->dh);
    if (d->openshift)
      out(r, "RUN chmod -R g=u %s\n", r->dh);
  }
  out(r, "\n");
}

/* final_build's ENV of create and rebase to a new image */
static void
final_env(struct r *r, bool wdt)
{
  const struct wi_dockerfile *d = r->d;
  out(r, "ENV ORACLE_HOME=%s \\\n    LD_LIBRARY_PATH=%s/oracle_common/adr \\\n", r->oh, r->oh);
  if (d->install_java)
    out(r, "    JAVA_HOME=%s \\\n", r->jh);
  if (wdt) {
    out(r, "    DOMAIN_HOME=%s \\\n    WDT_HOME=%s \\\n", r->dh, r->wh);
    if (d->model_only)
      out(r, "    WDT_MODEL_HOME=%s \\\n", r->mh);
  }
  out(r, "    PATH=${PATH}:%s/bin:%s/oracle_common/common/bin:%s/wlserver/common/bin:%s%s%s%s\n\n",
      r->jh, r->oh, r->oh, r->oh, wdt ? ":" : "", wdt ? r->dh : "", wdt ? "/bin" : "");
}

/* the COPYs of final_build from jdk_build and wls_build */
static void
final_copies(struct r *r)
{
  const struct wi_dockerfile *d = r->d;
  const char *inv = or_default(d->inv_loc, DEF_INV_LOC),
             *orainv = or_default(d->orainv_dir, DEF_ORAINV_DIR);
  if (d->install_java)
    out(r, "COPY --from=jdk_build --chown=%s:%s %s %s/\n\n", r->u, r->g, r->jh, r->jh);
  if (d->install_middleware)
    out(r, "COPY --from=wls_build --chown=%s:%s %s %s/\n\n", r->u, r->g, r->oh, r->oh);
  if (not_subdir(inv, r->oh))
    out(r, "COPY --from=wls_build --chown=%s:%s %s/oraInst.loc  %s/oraInst.loc\n", r->u, r->g,
        r->inv, r->inv);
  if (not_subdir(orainv, r->oh))
    out(r, "COPY --from=wls_build --chown=%s:%s %s %s/\n", r->u, r->g, r->orainv, r->orainv);
  out(r, "\n");
}

/* ---- the four Dockerfiles ---- */

static void
render_aux(struct r *r)
{
  const struct wi_dockerfile *d = r->d;
  const char *t = r->tmp, *wh = r->wh, *mh = r->mh;
  bool files = d->n_models || d->n_archives || d->n_variables;
  out(r, "FROM %s AS os_update\n", r->base);
  args(r);
  label(r);
  out(r, "\n");
  os_update_body(r);
  out(r, "FROM os_update AS wdt_build\n\n");
  out(r, "RUN mkdir -p %s \\\n && mkdir -p %s \\\n && chown %s:%s %s\n\n", wh, mh, r->u, r->g, wh);
  if (d->wdt_installer) {
    out(r, "COPY --chown=%s:%s [\"%s\", \"%s/\"]\n\n", r->u, r->g, d->wdt_installer, t);
    out(r,
        "RUN test -d %s/weblogic-deploy && rm -rf %s/weblogic-deploy || echo Initial WDT install \\\n",
        wh, wh);
    if (tar_gz(d->wdt_installer))
      out(r, "    && tar zxf \"%s/%s\" -C %s\n\n", t, d->wdt_installer, wh);
    else
      out(r, "    && unzip -q \"%s/%s\" -d %s\n\n", t, d->wdt_installer, wh);
  }
  out(r, "FROM os_update AS final\n\n");
  out(r, "ENV AUXILIARY_IMAGE_PATH=%s \\\n    WDT_HOME=%s \\\n    WDT_MODEL_HOME=%s\n\n", wh, wh,
      mh);
  if (d->wdt_installer) {
    out(r, "RUN mkdir -p %s && chown %s:%s %s\n", wh, r->u, r->g, wh);
    out(r, "COPY --from=wdt_build --chown=%s:%s %s %s/\n\n", r->u, r->g, r->whe, r->whe);
  }
  if (files)
    out(r, "RUN mkdir -p %s && chown %s:%s %s\n", mh, r->u, r->g, mh);
  copy_wdt_files(r, d->models, d->n_models);
  copy_wdt_files(r, d->archives, d->n_archives);
  copy_wdt_files(r, d->variables, d->n_variables);
  if (files)
    out(r, "RUN chmod -R 640 %s/*\n", mh);
  out(r, "\nUSER %s\n\nWORKDIR %s\n\n", r->u, wh);
  section(r, WI_BUILDCMDS_FINAL);
}

/* The stages after os_update of create and of rebase to a new image, up to final_build's COPYs. */
static void
new_image(struct r *r, bool wdt)
{
  const struct wi_dockerfile *d = r->d;
  if (d->install_java)
    install_java(r);
  if (d->install_middleware)
    install_middleware(r);
  if (wdt)
    run_wdt(r);
  out(r, "FROM os_update AS final_build\n");
  args(r);
  final_env(r, wdt);
  label(r);
  out(r, "\n");
  final_copies(r);
}

static void
render_create(struct r *r)
{
  const struct wi_dockerfile *d = r->d;
  out(r, "FROM %s AS os_update\n", r->base);
  args(r);
  label(r);
  os_update_body(r);
  new_image(r, d->wdt_enabled);
  if (d->wdt_enabled)
    final_wdt_copy(r);
  out(r, "USER %s\nWORKDIR %s\n\n", r->u, wi_dockerfile_work_dir(d));
  section(r, WI_BUILDCMDS_FINAL);
}

static void
render_update(struct r *r)
{
  const struct wi_dockerfile *d = r->d;
  if (d->wdt_enabled)
    run_wdt(r);
  out(r, "FROM %s AS final_build\n", r->base);
  args(r);
  out(r, "USER root\n\nENV OPATCH_NO_FUSER=true\n\n");
  if (d->wdt_enabled) {
    out(r, "ENV DOMAIN_HOME=%s \\\n    WDT_HOME=%s \\\n", r->dh, r->wh);
    if (d->model_only)
      out(r, "    WDT_MODEL_HOME=%s \\\n", r->mh);
    out(r, "    PATH=${PATH}:%s/bin\n\n", r->dh);
  }
  label(r);
  out(r, "\nUSER %s\n\n", r->u);
  fmw_patching(r);
  if (d->wdt_enabled)
    final_wdt_copy(r);
  section(r, WI_BUILDCMDS_FINAL);
}

static void
render_rebase(struct r *r)
{
  const struct wi_dockerfile *d = r->d;
  out(r, "FROM %s AS source_image\n", r->src);
  if (d->target_image) {
    out(r, "FROM %s AS final_build\n", r->tgt);
    args(r);
    out(r, "\nENV DOMAIN_HOME=%s\n", r->dh);
    label(r);
    out(r, "\n");
  } else {
    /* WIT's template repeats no ARG after this FROM */
    out(r, "FROM %s AS os_update\n\nENV DOMAIN_HOME=%s\n\n", r->base, r->dh);
    label(r);
    os_update_body(r);
    new_image(r, false);
  }
  out(r, "USER %s\nRUN mkdir -p %s\n", r->u, r->dhe);
  if (!d->model_only) {
    out(r, "COPY --from=source_image --chown=%s:%s %s %s/\n", r->u, r->g, r->dhe, r->dhe);
  } else {
    out(r, "COPY --from=source_image --chown=%s:%s %s %s/\n", r->u, r->g, r->wh, r->wh);
    /* WIT's template names a wdt_build stage that rebase does not have (wit-primary §15.6) */
    if (model_home_outside(d, r->mh))
      out(r, "COPY --from=wdt_build --chown=%s:%s %s %s/\n", r->u, r->g, r->mhe, r->mhe);
  }
  if (d->openshift)
    out(r, "\nRUN chmod -R g=u %s\n", r->dh);
  out(r, "\nWORKDIR %s\n\n", wi_dockerfile_work_dir(d));
  section(r, WI_BUILDCMDS_FINAL);
}

static void
r_dispose(struct r *r)
{
  char *owned[] = { r->u,      r->g,        r->bid,     r->base,  r->src, r->tgt, r->inv,
                    r->orainv, r->java_pkg, r->wdt_cmd, r->dtype, r->whe, r->mhe, r->dhe };
  for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
    free(owned[i]);
  wi_dockerfile_ctx_dispose(&r->c);
  wi_buf_dispose(&r->b);
}

char *
wi_dockerfile_render(const struct wi_dockerfile *d)
{
  struct r r = { .d = d, .b = WI_BUF_INIT(WI_BUF_NO_CAP) };
  wi_dockerfile_ctx_init(&r.c, d);
  r.u = esc(d->user);
  r.g = esc(d->group);
  r.bid = esc(d->build_id);
  r.base = esc(d->base_image);
  r.src = esc(d->source_image);
  r.tgt = esc(d->target_image);
  r.inv = esc(or_default(d->inv_loc, DEF_INV_LOC));
  r.orainv = esc(or_default(d->orainv_dir, DEF_ORAINV_DIR));
  r.java_pkg = esc(d->java_pkg);
  r.wdt_cmd = esc(d->wdt_command);
  r.dtype = esc(d->domain_type);
  r.jh = or_default(d->java_home, DEF_JAVA_HOME);
  r.oh = or_default(d->oracle_home, DEF_ORACLE_HOME);
  r.tmp = or_default(d->temp_dir, DEF_TEMP_DIR);
  r.wh = or_default(d->wdt_home, "");
  r.dh = domain_home(d);
  r.mh = r.c.mh;
  r.dparent = r.c.dparent;
  r.varg = r.c.varg;
  r.marg = r.c.marg;
  r.aarg = r.c.aarg;
  r.whe = esc(r.wh);
  r.mhe = esc(r.mh);
  r.dhe = esc(r.dh);
  switch (d->kind) {
  case WI_DOCKERFILE_AUX:
    render_aux(&r);
    break;
  case WI_DOCKERFILE_CREATE:
    render_create(&r);
    break;
  case WI_DOCKERFILE_UPDATE:
    render_update(&r);
    break;
  case WI_DOCKERFILE_REBASE:
    render_rebase(&r);
    break;
  }
  char *text = wi_buf_steal(&r.b);
  r_dispose(&r);
  return text;
}

/* ---- the mustache model ---- */

static void
ctx_installers(const struct wi_dockerfile *d, struct wi_mustache_val *ctx)
{
  struct wi_mustache_val *l = wi_mustache_obj_add(ctx, "installPackages", WI_MUSTACHE_LIST);
  for (size_t i = 0; i < d->n_installers; i++) {
    const struct wi_dockerfile_installer *in = &d->installers[i];
    struct wi_mustache_val *o = wi_mustache_obj_add(l, NULL, WI_MUSTACHE_OBJ);
    wi_mustache_obj_str(o, "type", in->type);
    wi_mustache_obj_str(o, "installerFilename", in->file);
    wi_mustache_obj_str(o, "jarName", in->jar);
    wi_mustache_obj_bool(o, "isZip", in->zip);
    wi_mustache_obj_bool(o, "isBin", in->bin);
    wi_mustache_obj_strs(o, "preinstallCommands", &in->preinstall, in->preinstall ? 1 : 0);
    struct wi_mustache_val *rf = wi_mustache_obj_add(o, "responseFile", WI_MUSTACHE_OBJ);
    wi_mustache_obj_str(rf, "name", in->rsp);
  }
}

/* mustache.java finds {{x}} as x(), getX() or isX(): the "is" methods answer without "is" too. */
static void
ctx_aliases(struct wi_mustache_val *ctx)
{
  static const char *const alias[][2] = {
    { "isRebaseToTarget", "rebaseToTarget" },
    { "isRebaseToNew", "rebaseToNew" },
    { "isPatchingEnabled", "patchingEnabled" },
    { "isOpatchPatchingEnabled", "opatchPatchingEnabled" },
    { "isWdtEnabled", "wdtEnabled" },
    { "isCustomInventoryLoc", "customInventoryLoc" },
    { "isWdtUseEncryption", "wdtUseEncryption" },
    { "isWdtValidateEnabled", "wdtValidateEnabled" },
    { "isWdtModelHomeOutsideWdtHome", "wdtModelHomeOutsideWdtHome" },
  };
  size_t n = ctx->n;
  for (size_t k = 0; k < sizeof alias / sizeof alias[0]; k++)
    for (size_t i = 0; i < n; i++)
      if (strcmp(ctx->v[i].name, alias[k][0]) == 0) {
        bool b = ctx->v[i].b;
        wi_mustache_obj_bool(ctx, alias[k][1], b);
      }
}

void
wi_dockerfile_ctx_dispose(struct wi_dockerfile_ctx *c)
{
  wi_mustache_val_dispose(&c->val);
  free(c->mh);
  free(c->dparent);
  free(c->varg);
  free(c->marg);
  free(c->aarg);
  memset(c, 0, sizeof *c);
}

void
wi_dockerfile_ctx_init(struct wi_dockerfile_ctx *c, const struct wi_dockerfile *d)
{
  struct wi_mustache_val *ctx = &c->val;
  memset(c, 0, sizeof *c);
  ctx->kind = WI_MUSTACHE_OBJ;
  c->mh = wi_dockerfile_wdt_model_home(d);
  c->dparent = domain_parent(d);
  c->varg = file_arg("-variable_file ", c->mh, d->variables, d->n_variables);
  c->marg = file_arg("-model_file ", c->mh, d->models, d->n_models);
  c->aarg = file_arg("-archive_file ", c->mh, d->archives, d->n_archives);
  const char *jh = or_default(d->java_home, DEF_JAVA_HOME),
             *oh = or_default(d->oracle_home, DEF_ORACLE_HOME);
  const char *inv = or_default(d->inv_loc, DEF_INV_LOC),
             *orainv = or_default(d->orainv_dir, DEF_ORAINV_DIR);
  wi_mustache_obj_str(ctx, "buildId", d->build_id);
  wi_mustache_obj_str(ctx, "userid", d->user);
  wi_mustache_obj_str(ctx, "groupid", d->group);
  wi_mustache_obj_str(ctx, "baseImage", d->base_image);
  wi_mustache_obj_str(ctx, "sourceImage", d->source_image);
  wi_mustache_obj_str(ctx, "targetImage", d->target_image);
  wi_mustache_obj_bool(ctx, "isRebaseToTarget",
                       d->kind == WI_DOCKERFILE_REBASE && d->target_image != NULL);
  wi_mustache_obj_bool(ctx, "isRebaseToNew", d->kind == WI_DOCKERFILE_REBASE && !d->target_image);
  wi_mustache_obj_bool(ctx, "useYum", d->pkgmgr == WI_PKGMGR_YUM);
  wi_mustache_obj_bool(ctx, "useDnf", d->pkgmgr == WI_PKGMGR_DNF);
  wi_mustache_obj_bool(ctx, "useMicroDnf", d->pkgmgr == WI_PKGMGR_MICRODNF);
  wi_mustache_obj_bool(ctx, "useMicroDnf8", d->pkgmgr == WI_PKGMGR_MICRODNF_8);
  wi_mustache_obj_bool(ctx, "useAptGet", d->pkgmgr == WI_PKGMGR_APTGET);
  wi_mustache_obj_bool(ctx, "useApk", d->pkgmgr == WI_PKGMGR_APK);
  wi_mustache_obj_bool(ctx, "useZypper", d->pkgmgr == WI_PKGMGR_ZYPPER);
  wi_mustache_obj_str(ctx, "java_home", jh);
  wi_mustache_obj_str(ctx, "oracle_home", oh);
  wi_mustache_obj_str(ctx, "inv_loc", inv);
  wi_mustache_obj_str(ctx, "orainv_dir", orainv);
  wi_mustache_obj_str(ctx, "domain_home", domain_home(d));
  wi_mustache_obj_str(ctx, "wdt_home", d->wdt_home);
  wi_mustache_obj_str(ctx, "tempDir", or_default(d->temp_dir, DEF_TEMP_DIR));
  wi_mustache_obj_bool(ctx, "installJava", d->install_java);
  wi_mustache_obj_bool(ctx, "installMiddleware", d->install_middleware);
  wi_mustache_obj_bool(ctx, "isPatchingEnabled", d->patching);
  wi_mustache_obj_bool(ctx, "isOpatchPatchingEnabled", d->opatch_update);
  wi_mustache_obj_str(ctx, "opatchFileName", d->opatch_file);
  wi_mustache_obj_bool(ctx, "isWdtEnabled", d->wdt_enabled);
  wi_mustache_obj_bool(ctx, "installWdt", d->wdt_installer != NULL);
  wi_mustache_obj_bool(ctx, "usingWdtTarGzInstaller", tar_gz(d->wdt_installer));
  wi_mustache_obj_bool(ctx, "copyOraInst", not_subdir(inv, oh));
  wi_mustache_obj_bool(ctx, "copyOraInventoryDir", not_subdir(orainv, oh));
  wi_mustache_obj_bool(ctx, "isCustomInventoryLoc", strcmp(inv, DEF_INV_LOC) != 0);
  wi_mustache_obj_strs(ctx, "wdtModels", d->models, d->n_models);
  wi_mustache_obj_strs(ctx, "wdtArchives", d->archives, d->n_archives);
  wi_mustache_obj_strs(ctx, "wdtVariables", d->variables, d->n_variables);
  wi_mustache_obj_bool(ctx, "hasWdtFiles", d->n_models || d->n_archives || d->n_variables);
  wi_mustache_obj_str(ctx, "wdtCommand", d->wdt_command);
  wi_mustache_obj_bool(ctx, "isWdtUseEncryption", d->encryption_key != NULL);
  wi_mustache_obj_str(ctx, "domainType", d->domain_type);
  wi_mustache_obj_str(ctx, "wdtInstaller", d->wdt_installer);
  wi_mustache_obj_bool(ctx, "modelOnly", d->model_only);
  wi_mustache_obj_bool(ctx, "runRcu", d->run_rcu);
  wi_mustache_obj_bool(ctx, "strictValidation", d->strict_validation);
  wi_mustache_obj_str(ctx, "wlsdeploy_properties", d->wdt_java_options);
  wi_mustache_obj_bool(ctx, "strictPatchOrdering", d->strict_patch_ordering);
  wi_mustache_obj_strs(ctx, "patches", d->patches, d->n_patches);
  wi_mustache_obj_str(ctx, "java_pkg", d->java_pkg);
  wi_mustache_obj_str(ctx, "wdtBase", or_default(d->wdt_base, "wls_build"));
  wi_mustache_obj_bool(ctx, "useOwnerPermsForGroup", d->openshift);
  wi_mustache_obj_bool(ctx, "includeBinaryOsPackages", d->binary_os_packages);
  wi_mustache_obj_bool(ctx, "usingBusybox", d->busybox);
  wi_mustache_obj_strs(ctx, "buildArgs", d->build_args, d->n_build_args);
  wi_mustache_obj_bool(ctx, "isWdtValidateEnabled", validate_enabled(d));
  wi_mustache_obj_str(ctx, "wdt_model_home", c->mh);
  wi_mustache_obj_bool(ctx, "isWdtModelHomeOutsideWdtHome", model_home_outside(d, c->mh));
  wi_mustache_obj_str(ctx, "domain_parent", c->dparent);
  wi_mustache_obj_str(ctx, "work_dir", wi_dockerfile_work_dir(d));
  wi_mustache_obj_str(ctx, "wdtModelFileArgument", c->marg);
  wi_mustache_obj_str(ctx, "wdtArchiveFileArgument", c->aarg);
  wi_mustache_obj_str(ctx, "wdtVariableFileArgument", c->varg);
  ctx_installers(d, ctx);
  ctx_aliases(ctx);
}
