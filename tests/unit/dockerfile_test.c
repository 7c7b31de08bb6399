/* Unit tests: the Dockerfile renderer's patching blocks (fmw-patching, wit-primary §10.6 and
 * scenario U1_patches of §7.2) and escaping; the mustache renderer; the additional build commands
 * file; WIT's installer types. Expected texts are WIT 1.16.4's instructions, normalised. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/buildcmds.h"
#include "lib/dockerfile.h"
#include "lib/fs.h"
#include "lib/installer.h"
#include "lib/mustache.h"
#include "normalize.h"

static char tmpdir[] = "/tmp/wlsimg-dockerfile-test-XXXXXX";

static char *
put(const char *name, const char *text)
{
  char *p = wi_xasprintf("%s/%s", tmpdir, name);
  FILE *f = fopen(p, "w");
  fputs(text, f);
  fclose(f);
  return p;
}

/* §7.2 U1_patches: update --patches with a newer OPatch in the cache */
static const char u1_patches[] =
    "FROM wls:12214 AS final_build\n"
    "USER root\n"
    "ENV OPATCH_NO_FUSER=true\n"
    "LABEL com.oracle.weblogic.imagetool.buildid=\"BUILDID\"\n"
    "USER oracle\n"
    "COPY --chown=oracle:oracle p28186730_1394217_Generic.zip /tmp/imagetool/opatch/\n"
    "RUN cd /tmp/imagetool/opatch && /u01/jdk/bin/jar -xf /tmp/imagetool/opatch/p28186730_1394217_Generic.zip && /u01/jdk/bin/java -jar /tmp/imagetool/opatch/6880880/opatch_generic.jar -silent -ignoreSysPrereqs -force -novalidation oracle_home=/u01/oracle && rm -rf /tmp/imagetool\n"
    "COPY --chown=oracle:oracle patches/* /tmp/imagetool/patches/\n"
    "RUN /u01/oracle/OPatch/opatch napply -silent -oh /u01/oracle -nonrollbackable -phBaseDir /tmp/imagetool/patches && test $? -eq 0 && /u01/oracle/OPatch/opatch util cleanup -silent -oh /u01/oracle || (cat /u01/oracle/cfgtoollogs/opatch/opatch*.log && exit 1)\n";

TEST(update_patches)
{
  const char *patches[] = { "p12345678_122140_Generic.zip" };
  struct wi_dockerfile d = { .kind = WI_DOCKERFILE_UPDATE,
                             .build_id = "x",
                             .base_image = "wls:12214",
                             .user = "oracle",
                             .group = "oracle",
                             .java_home = "/u01/jdk",
                             .oracle_home = "/u01/oracle",
                             .opatch_update = true,
                             .opatch_file = "p28186730_1394217_Generic.zip",
                             .patching = true,
                             .patches = patches,
                             .n_patches = 1 };
  char *df = wi_dockerfile_render(&d);
  char *n = wit_normalize(df);
  CHECK_STR_EQ(n, u1_patches);
  free(n);
  free(df);
}

/* §10.6 with --strictPatchOrdering, in create's wls_build, with --target OpenShift */
static const char create_strict[] =
    "USER oracle\n"
    "RUN echo \"INSTALLING MIDDLEWARE\" && echo \"INSTALLING wls\" && unzip -q \"/tmp/imagetool/wls/wls.zip\" -d /tmp/imagetool/wls && /u01/jdk/bin/java -Xmx1024m -jar /tmp/imagetool/wls/wls.jar -silent ORACLE_HOME=/u01/oracle -responseFile /tmp/imagetool/wls/wls.rsp -invPtrLoc /u01/oracle/oraInst.loc -ignoreSysPrereqs -force -novalidation && test $? -eq 0 && chmod -R g+r /u01/oracle || (grep -vh \"NOTIFICATION\" /tmp/OraInstall*/install*.log && exit 1)\n"
    "RUN mkdir -p ${ORACLE_HOME}/cfgtoollogs && chmod g=u ${ORACLE_HOME}/cfgtoollogs && chmod g=u ${ORACLE_HOME}/inventory/locks/oh.lock\n"
    "COPY --chown=oracle:root p28186730_139426_Generic.zip /tmp/imagetool/opatch/\n"
    "RUN cd /tmp/imagetool/opatch && /u01/jdk/bin/jar -xf /tmp/imagetool/opatch/p28186730_139426_Generic.zip && /u01/jdk/bin/java -jar /tmp/imagetool/opatch/6880880/opatch_generic.jar -silent -ignoreSysPrereqs -force -novalidation oracle_home=/u01/oracle && rm -rf /tmp/imagetool\n"
    "COPY --chown=oracle:root patches/* /tmp/imagetool/patches/\n"
    "RUN /u01/oracle/OPatch/opatch apply -silent -oh /u01/oracle -nonrollbackable /tmp/imagetool/patches/p33286160_122140_Generic.zip\n"
    "RUN /u01/oracle/OPatch/opatch apply -silent -oh /u01/oracle -nonrollbackable /tmp/imagetool/patches/p32253037_122140_Generic.zip\n"
    "RUN /u01/oracle/OPatch/opatch util cleanup -silent -oh /u01/oracle\n"
    "FROM os_update AS final_build\n";

TEST(create_strict_patch_ordering)
{
  const char *patches[] = { "p33286160_122140_Generic.zip", "p32253037_122140_Generic.zip" };
  const struct wi_dockerfile_installer in[] = {
    { .type = "wls", .file = "wls.zip", .jar = "wls.jar", .zip = true, .rsp = "wls.rsp" }
  };
  struct wi_dockerfile d = { .kind = WI_DOCKERFILE_CREATE,
                             .build_id = "x",
                             .base_image = "ol:8",
                             .user = "oracle",
                             .group = "root",
                             .openshift = true,
                             .pkgmgr = WI_PKGMGR_MICRODNF_8,
                             .install_java = true,
                             .install_middleware = true,
                             .java_pkg = "jdk.tar.gz",
                             .installers = in,
                             .n_installers = 1,
                             .opatch_update = true,
                             .opatch_file = "p28186730_139426_Generic.zip",
                             .patching = true,
                             .strict_patch_ordering = true,
                             .patches = patches,
                             .n_patches = 2 };
  char *df = wi_dockerfile_render(&d);
  char *n = wit_normalize(df);
  CHECK_STR_HAS(n, create_strict);
  /* without strict ordering: one napply */
  d.strict_patch_ordering = false;
  free(df);
  free(n);
  df = wi_dockerfile_render(&d);
  n = wit_normalize(df);
  CHECK_STR_HAS(
      n,
      "RUN /u01/oracle/OPatch/opatch napply -silent -oh /u01/oracle -nonrollbackable -phBaseDir /tmp/imagetool/patches && test $? -eq 0");
  CHECK(strstr(n, "opatch apply") == NULL);
  /* no OPatch update: no opatch stage lines */
  d.opatch_update = false;
  free(df);
  free(n);
  df = wi_dockerfile_render(&d);
  CHECK(strstr(df, "opatch_generic.jar") == NULL);
  CHECK_STR_HAS(df, "patches/* /tmp/imagetool/patches/");
  free(df);
}

TEST(escaping)
{
  /* the values WIT writes with double braces are HTML-escaped by mustache.java */
  struct wi_dockerfile d = { .kind = WI_DOCKERFILE_REBASE,
                             .build_id = "a=b",
                             .source_image = "reg/x:1'",
                             .target_image = "t<1>",
                             .user = "o&u",
                             .group = "g",
                             .domain_home = "/d\"x" };
  char *df = wi_dockerfile_render(&d);
  CHECK_STR_HAS(df, "FROM reg/x:1&#39; AS source_image\n");
  CHECK_STR_HAS(df, "FROM t&lt;1&gt; AS final_build\n");
  CHECK_STR_HAS(df, "buildid=\"a&#61;b\"");
  CHECK_STR_HAS(df, "RUN mkdir -p /d&quot;x\n");
  /* {{{domain_home}}} is not escaped: ENV and WORKDIR keep the text */
  CHECK_STR_HAS(df, "ENV DOMAIN_HOME=/d\"x\n");
  CHECK_STR_HAS(df, "COPY --from=source_image --chown=o&amp;u:g /d&quot;x /d&quot;x/\n");
  CHECK_STR_HAS(df, "WORKDIR /d\"x\n");
  free(df);
}

static struct wi_mustache_val
model(void)
{
  struct wi_mustache_val v = { .kind = WI_MUSTACHE_OBJ };
  static const char *const items[] = { "a", "b" };
  wi_mustache_obj_str(&v, "userid", "oracle");
  wi_mustache_obj_str(&v, "amp", "x&y\t");
  wi_mustache_obj_bool(&v, "yes", true);
  wi_mustache_obj_bool(&v, "no", false);
  wi_mustache_obj_strs(&v, "list", items, 2);
  struct wi_mustache_val *o = wi_mustache_obj_add(&v, "rf", WI_MUSTACHE_OBJ);
  wi_mustache_obj_str(o, "name", "wls.rsp");
  return v;
}

TEST(mustache)
{
  static const struct {
    const char *tmpl, *want;
  } cases[] = {
    { "{{userid}}:{{{userid}}}", "oracle:oracle" },
    { "{{amp}}|{{{amp}}}|{{&amp}}", "x&amp;y&#9;|x&y\t|x&y\t" },
    { "{{#yes}}Y{{/yes}}{{^no}}N{{/no}}{{#no}}bad{{/no}}", "YN" },
    { "{{#list}}[{{.}}]{{/list}}", "[a][b]" },
    { "{{list}} {{yes}}", "[a, b] true" },
    { "{{rf.name}} {{#rf}}{{name}}/{{userid}}{{/rf}}", "wls.rsp wls.rsp/oracle" },
    { "{{ missing }}-{{! a comment }}-", "--" },
    { "{{=<% %>=}}<% userid %> {{userid}}", "oracle {{userid}}" },
    { "a\n  {{#yes}}\nb\n  {{/yes}}\nc\n", "a\nb\nc\n" },
    { "literal {{ text", NULL },
    { "{{#yes}}open", NULL },
    { "{{/yes}}", NULL },
    { "{{#a}}{{/b}}", NULL },
    { "{{> partial}}", NULL },
  };
  struct wi_mustache_val v = model();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *out = NULL;
    wi_err err = { 0 };
    int r = wi_mustache_render(cases[i].tmpl, &v, &out, &err);
    if (cases[i].want) {
      CHECK_INT_EQ(r, 0);
      CHECK_STR_EQ(out, cases[i].want);
    } else {
      CHECK(r < 0);
      CHECK_STR_HAS(err.msg, "mustache: ");
    }
    free(out);
  }
  wi_mustache_val_dispose(&v);
}

TEST(buildcmds)
{
  struct wi_buildcmds bc = { 0 };
  wi_err err = { 0 };
  char *p = put("abc.txt", "ignored before any section\n"
                           " [ final-build-commands ] \r\n"
                           "RUN echo {{userid}}\r\n"
                           "\n"
                           "[initial-build-commands]\n"
                           "RUN first\n"
                           "[initial-build-commands]\n"
                           "RUN replaced\n"
                           "[after-wdt-command]\n");
  CHECK_INT_EQ(wi_buildcmds_load(&bc, p, &err), 0);
  CHECK_INT_EQ(bc.n[WI_BUILDCMDS_FINAL], 2);
  CHECK_STR_EQ(bc.lines[WI_BUILDCMDS_FINAL][0], "RUN echo {{userid}}");
  CHECK_INT_EQ(bc.n[WI_BUILDCMDS_INITIAL], 1);
  CHECK_STR_EQ(bc.lines[WI_BUILDCMDS_INITIAL][0], "RUN replaced");
  CHECK(!bc.present[WI_BUILDCMDS_AFTER_WDT]); /* an empty last section is dropped */
  CHECK(!wi_buildcmds_native(&bc, WI_BUILDCMDS_FINAL));
  struct wi_mustache_val v = model();
  size_t n = 0;
  char **lines = wi_buildcmds_render(&bc, WI_BUILDCMDS_FINAL, &v, &n);
  CHECK_INT_EQ(n, 2);
  CHECK_STR_EQ(lines[0], "RUN echo oracle");
  for (size_t i = 0; i < n; i++)
    free(lines[i]);
  free(lines);
  wi_mustache_val_dispose(&v);
  wi_buildcmds_dispose(&bc);
  free(p);
  p = put("native.txt", "[final-build-commands]\nCOPY files/x /x/\nENV A=1 \\\n  B=2\n# c\n");
  CHECK_INT_EQ(wi_buildcmds_load(&bc, p, &err), 0);
  CHECK(wi_buildcmds_native(&bc, WI_BUILDCMDS_FINAL));
  wi_buildcmds_dispose(&bc);
  free(p);
  p = put("bad.txt", "[final-build-command]\nRUN x\n");
  CHECK(wi_buildcmds_load(&bc, p, &err) < 0);
  CHECK_STR_HAS(
      err.msg,
      "Additional build command section, [final-build-command], was not one of the valid sections: package-manager-packages, initial-build-commands, before-jdk-install,");
  wi_buildcmds_dispose(&bc);
  free(p);
  CHECK(wi_buildcmds_load(&bc, "/nonexistent/abc", &err) < 0);
  CHECK_STR_EQ(err.msg, "Additional build command file does not exist: /nonexistent/abc");
}

TEST(installers)
{
  const char *l[WI_INSTALLER_MAX];
  CHECK_INT_EQ(wi_installer_list("soa_osb_b2b", "12.2.1.4.0", l), 4);
  CHECK_STR_EQ(l[3], "b2b");
  CHECK_INT_EQ(wi_installer_list("OHS", "12.2.1.4.0", l), 2);
  CHECK_STR_EQ(l[1], "db19");
  CHECK_INT_EQ(wi_installer_list("OHS", "14.1.2.0.0", l), 1);
  CHECK(wi_installer_type_name("weblogic") == NULL);
  CHECK_STR_EQ(wi_installer_type_name("wlsslim"), "WLSSLIM");
  char *rsp = wi_installer_response_file("idm", "IDM");
  CHECK_STR_HAS(
      rsp,
      "INSTALL_TYPE=Standalone Oracle Identity and Access Manager(Managed independently of WebLogic server)\n");
  free(rsp);
  rsp = wi_installer_response_file("idm", "OIG");
  CHECK_STR_HAS(
      rsp,
      "INSTALL_TYPE=Collocated Oracle Identity and Access Manager (Managed through WebLogic server)\n");
  free(rsp);
  rsp = wi_installer_response_file("wls", "WLS");
  CHECK_STR_EQ(
      rsp,
      "[ENGINE]\nResponse File Version=1.0.0.0.0\n[GENERIC]\nINSTALL_TYPE=WebLogic Server\nDECLINE_SECURITY_UPDATES=true\nSECURITY_UPDATES_VIA_MYORACLESUPPORT=false\n");
  free(rsp);
  CHECK_STR_EQ(wi_installer_type_from_products("WebLogic Server,Coherence"), "WLS");
  CHECK_STR_EQ(wi_installer_type_from_products("WebLogic Server, BPM_SOA, ServiceBus"), "SOA_OSB");
  CHECK_STR_EQ(wi_installer_type_from_products("Oracle Unified Directory"), "OUD");
  CHECK_STR_EQ(wi_installer_type_from_products("Oracle Unified Directory,WebLogic Server for FMW"),
               "OUD_WLS");
  CHECK(wi_installer_type_from_products("Coherence") == NULL);
  bool known;
  CHECK_STR_EQ(wi_installer_arch("linux/arm64", &known), "arm64");
  CHECK(known);
  CHECK_STR_EQ(wi_installer_arch("linux/amd64,linux/arm64", &known), "amd64");
  CHECK(!known);
  /* the jar a zip runs: its first .jar or .bin entry */
  char *z = wi_xasprintf("%s/inst.zip", tmpdir);
  char *cmd = wi_xasprintf("cd %s && mkdir -p Disk1 && echo x > readme.txt && echo x > Disk1/a.jar "
                           "&& echo x > b.bin && rm -f inst.zip && zip -q inst.zip readme.txt "
                           "Disk1/a.jar b.bin",
                           tmpdir);
  if (system(cmd) == 0) {
    char *jar = NULL;
    wi_err err = { 0 };
    CHECK_INT_EQ(wi_installer_jar_name(z, &jar, &err), 0);
    CHECK_STR_EQ(jar, "Disk1/a.jar");
    free(jar);
  }
  free(cmd);
  free(z);
}

int
main(void)
{
  if (mkdtemp(tmpdir) == NULL)
    return 1;
  RUN(update_patches);
  RUN(create_strict_patch_ordering);
  RUN(escaping);
  RUN(mustache);
  RUN(buildcmds);
  RUN(installers);
  wi_err err = { 0 };
  wi_fs_rm_rf(tmpdir, &err);
  DONE();
}
