/* wlsimg: the Dockerfile WIT would run for createAuxImage (wit-compat §5) — see aux.h. */
#include "lib/aux.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/aux_int.h"
#include "lib/buf.h"
#include "lib/str.h"

/* ---- Dockerfile (wit-compat §5) ---- */

static bool
busybox_mode(const struct wi_aux_plan *p)
{
  return !p->from_given || strstr(p->from_image, "busybox") || strstr(p->from_image, "alpine");
}

char *
wi_aux_dockerfile_render_line(const struct wi_aux_plan *p, const char *line)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  static const char *const vars[] = { "wdt_home", "wdt_model_home", "AUXILIARY_IMAGE_PATH",
                                      "WDT_HOME", "WDT_MODEL_HOME" };
  for (const char *s = line; *s;) {
    bool done = false;
    for (size_t i = 0; i < WI_ARRAY_SIZE(vars) && !done; i++) {
      const char *val = i == 1 || i == 4 ? p->wdt_model_home : p->wdt_home;
      wi_autofree char *t3 = wi_xasprintf("{{{%s}}}", vars[i]);
      wi_autofree char *t2 = wi_xasprintf("{{%s}}", vars[i]);
      if (wi_str_has_prefix(s, t3)) {
        wi_buf_adds(&b, val, NULL);
        s += strlen(t3);
        done = true;
      } else if (wi_str_has_prefix(s, t2)) {
        wi_buf_adds(&b, val, NULL);
        s += strlen(t2);
        done = true;
      }
    }
    if (!done)
      wi_buf_add(&b, s++, 1, NULL);
  }
  return wi_buf_steal(&b);
}

static void
add_section(struct wi_buf *b, const struct wi_aux_plan *p, int s)
{
  for (size_t i = 0; p->sec[s].present && i < p->sec[s].n; i++) {
    wi_autofree char *l = wi_aux_dockerfile_render_line(p, p->sec[s].lines[i]);
    wi_buf_addf(b, NULL, "%s\n", l);
  }
}

static void
add_pkg_block(struct wi_buf *b, const struct wi_aux_plan *p)
{
  const char *pm = p->package_manager;
  struct wi_buf pk = WI_BUF_INIT(WI_BUF_NO_CAP);
  const char *env = getenv("WLSIMG_OS_PACKAGES");
  wi_buf_adds(&pk,
              env ? env
                  : "gzip tar unzip libaio libnsl jq findutils diffutils make fontconfig freetype",
              NULL);
  for (size_t i = 0; p->sec[SEC_PACKAGES].present && i < p->sec[SEC_PACKAGES].n; i++)
    if (p->sec[SEC_PACKAGES].lines[i][0])
      wi_buf_addf(&pk, NULL, " %s", p->sec[SEC_PACKAGES].lines[i]);
  const char *l = wi_buf_cstr(&pk);
  if (!strcmp(pm, "YUM"))
    wi_buf_addf(
        b, NULL,
        "RUN yum -y update && yum -y --downloaddir=/tmp/imagetool install %s && yum clean all && rm -rf /var/cache/yum/* /tmp/imagetool\n",
        l);
  else if (!strcmp(pm, "DNF"))
    wi_buf_addf(b, NULL, "RUN dnf -y update && dnf -y install %s && dnf clean all\n", l);
  else if (!strcmp(pm, "MICRODNF"))
    wi_buf_addf(b, NULL, "RUN microdnf -y update && microdnf -y install %s && microdnf clean all\n",
                l);
  else if (!strcmp(pm, "MICRODNF_8"))
    wi_buf_addf(b, NULL, "RUN microdnf update && microdnf install %s && microdnf clean all\n", l);
  else if (!strcmp(pm, "APTGET"))
    wi_buf_addf(
        b, NULL,
        "RUN apt-get -y update && apt-get -y upgrade && apt-get -y install %s && apt-get -y clean all\n",
        l);
  else if (!strcmp(pm, "APK"))
    wi_buf_adds(b, "RUN apk update && apk upgrade && rm -rf /var/cache/apk/*\n", NULL);
  else if (!strcmp(pm, "ZYPPER"))
    wi_buf_adds(b, "RUN zypper -nq update && zypper -nq clean && rm -rf /var/cache/zypp/*\n", NULL);
  wi_buf_dispose(&pk);
}

char *
wi_aux_dockerfile_render(const struct wi_aux_plan *p)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  const char *u = p->user, *g = p->group, *wh = p->wdt_home, *mh = p->wdt_model_home;

  wi_buf_addf(&b, NULL, "FROM %s AS os_update\n", p->from_image);
  for (size_t i = 0; i < p->o.build_args.n; i++)
    wi_buf_addf(&b, NULL, "ARG %.*s\n", (int)strcspn(p->o.build_args.v[i], "="),
                p->o.build_args.v[i]);
  wi_buf_addf(&b, NULL, "LABEL com.oracle.weblogic.imagetool.buildid=\"%s\"\n",
              wi_aux_plan_build_id(p));
  wi_buf_adds(&b, "USER root\n", NULL);
  add_section(&b, p, SEC_INITIAL);
  add_pkg_block(&b, p);
  if (busybox_mode(p)) {
    wi_buf_addf(
        &b, NULL,
        "RUN if [ -z \"$(grep ^oracle: /etc/group)\" ]; then addgroup oracle || exit 1 ; fi \\\n"
        " && if [ -z \"$(grep ^%s: /etc/group)\" ]; then addgroup %s || exit 1 ; fi \\\n"
        " && if [ -z \"$(grep ^%s: /etc/passwd)\" ]; then adduser -D -G %s %s || exit 1 ; fi\n",
        g, g, u, g, u);
  } else {
    wi_buf_addf(&b, NULL,
                "RUN if [ -z \"$(getent group oracle)\" ]; then groupadd oracle || exit 1 ; fi \\\n"
                " && if [ -z \"$(getent group %s)\" ]; then groupadd %s || exit 1 ; fi \\\n"
                " && if [ -z \"$(getent passwd %s)\" ]; then useradd -g %s %s || exit 1; fi \\\n"
                " && mkdir -p /u01 \\\n && chown %s:%s /u01 \\\n && chmod 775 /u01\n",
                g, g, u, g, u, u, g);
  }
  wi_buf_adds(&b, "FROM os_update AS wdt_build\n", NULL);
  wi_buf_addf(&b, NULL, "RUN mkdir -p %s \\\n && mkdir -p %s \\\n && chown %s:%s %s\n", wh, mh, u,
              g, wh);
  if (p->installer) {
    wi_buf_addf(&b, NULL, "COPY --chown=%s:%s [\"%s\", \"/tmp/imagetool/\"]\n", u, g,
                p->installer_base);
    wi_buf_addf(
        &b, NULL,
        "RUN test -d %s/weblogic-deploy && rm -rf %s/weblogic-deploy || echo Initial WDT install \\\n    && ",
        wh, wh);
    size_t bl = strlen(p->installer_base);
    if (bl >= 7 && strcasecmp(p->installer_base + bl - 7, ".tar.gz") == 0)
      wi_buf_addf(&b, NULL, "tar zxf \"/tmp/imagetool/%s\" -C %s\n", p->installer_base, wh);
    else
      wi_buf_addf(&b, NULL, "unzip -q \"/tmp/imagetool/%s\" -d %s\n", p->installer_base, wh);
  }
  wi_buf_adds(&b, "FROM os_update AS final\n", NULL);
  wi_buf_addf(&b, NULL,
              "ENV AUXILIARY_IMAGE_PATH=%s \\\n    WDT_HOME=%s \\\n    WDT_MODEL_HOME=%s\n", wh, wh,
              mh);
  if (p->installer) {
    wi_buf_addf(&b, NULL, "RUN mkdir -p %s && chown %s:%s %s\n", wh, u, g, wh);
    wi_buf_addf(&b, NULL, "COPY --from=wdt_build --chown=%s:%s %s %s/\n", u, g, wh, wh);
  }
  if (p->n_files) {
    wi_buf_addf(&b, NULL, "RUN mkdir -p %s && chown %s:%s %s\n", mh, u, g, mh);
    for (size_t i = 0; i < p->n_files; i++)
      wi_buf_addf(&b, NULL, "COPY --chown=%s:%s [\"%s\", \"%s/\"]\n", u, g, p->files[i].base, mh);
    wi_buf_addf(&b, NULL, "RUN chmod -R 640 %s/*\n", mh);
  }
  wi_buf_addf(&b, NULL, "USER %s\n", u);
  wi_buf_addf(&b, NULL, "WORKDIR %s\n", wh);
  add_section(&b, p, SEC_FINAL);
  return wi_buf_steal(&b);
}
