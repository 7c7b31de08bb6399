/* Unit tests for probe.c: WIT's probe keys read from images built here layer by layer, the
 * --fromImageProperties path, the parsers, and inspect.c's directory listings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "harness.h"
#include "imgfix.h"
#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/image.h"
#include "lib/imgconfig.h"
#include "lib/manifest.h"
#include "lib/probe.h"
#include "lib/store.h"

#define OH        "u01/oracle"
#define ONEOFF(n) OH "/inventory/oneoffs/" n "/etc/config/inventory.xml"

static const char passwd[] = "root:x:0:0:root:/:/bin/sh\noracle:x:1000:1001::/u01:/bin/sh\n";
static const char group[] = "root:x:0:\noracle:x:1001:\n";
static const char registry[] =
    "<registry home=\"/u01/oracle\">\n  <distributions>\n"
    "    <distribution status=\"installed\" name=\"WebLogic Server\" version=\"12.2.1.4.0\">\n"
    "    </distribution>\n"
    "    <distribution status=\"installed\" name=\"Coherence\" version=\"12.2.1.4.0\"/>\n"
    "    <distribution status=\"removed\" name=\"Old\" version=\"1\"/>\n"
    "  </distributions>\n</registry>\n";

static void
wls_image(struct fixture *fx)
{
  static const char *const envs[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "JAVA_HOME=/u01/jdk",
                                      "ORACLE_HOME=/u01/oracle",
                                      "DOMAIN_HOME=/u01/domains/base_domain", NULL };
  fixture_init(fx, "wls", envs);
  const struct ent base[] = {
    { "etc/os-release", AE_IFLNK, "../usr/lib/os-release" },
    { "usr/lib/os-release", AE_IFREG,
      "NAME=\"Oracle Linux Server\"\n# a comment\nVERSION=\"8.10\"\nID=\"ol\"\nVERSION_ID=\"8.10\"\n" },
    { "etc/passwd", AE_IFREG, passwd },
    { "etc/group", AE_IFREG, group },
    { "usr/bin/apt-get", AE_IFREG, "not executable", 0644 },
    { "usr/bin/microdnf", AE_IFREG, "#!/bin/sh\n", 0755 },
    { "usr/bin/yum", AE_IFREG, "#!/bin/sh\n", 0755 },
    { "u01/jdk/release", AE_IFREG,
      "IMPLEMENTOR=\"Oracle Corporation\"\nJAVA_VERSION=\"1.8.0_291\"\n" },
  };
  const struct ent oh[] = {
    { OH, AE_IFDIR, NULL, 0750, 1000, 1001 },
    { OH "/inventory/registry.xml", AE_IFREG, registry, 0640, 1000, 1001 },
    { OH "/OPatch/version.txt", AE_IFREG, "OPATCH_VERSION:13.9.4.2.5\n", 0640, 1000, 1001 },
    { ONEOFF("32698246"), AE_IFREG,
      "<?xml version=\"1.0\"?>\n<oneoff_inventory>\n  <patch_id number=\"32698246\"/>\n"
      "  <unique_patch_id>24165861</unique_patch_id>\n"
      "  <patch_description>WLS PATCH SET UPDATE 12.2.1.4.210330</patch_description>\n"
      "</oneoff_inventory>\n" },
    { ONEOFF("11111111"), AE_IFREG,
      "<oneoff_inventory><patch_id number=\"11111111\"/></oneoff_inventory>" },
    { ONEOFF("22222222"), AE_IFREG,
      "<oneoff_inventory><reference_id number=\"22222222\"/><unique_patch_id>7</unique_patch_id>"
      "<patch_description>One-off</patch_description></oneoff_inventory>" },
    { "u01/domains/base_domain/config/config.xml", AE_IFREG, "<domain/>" },
  };
  /* a later layer rolls back 11111111 (a whiteout) and the domain's config stays */
  const struct ent top[] = {
    { OH "/inventory/oneoffs/.wh.11111111", AE_IFREG, "" },
  };
  fixture_layer(fx, base, WI_ARRAY_SIZE(base));
  fixture_layer(fx, oh, WI_ARRAY_SIZE(oh));
  fixture_layer(fx, top, WI_ARRAY_SIZE(top));
}

TEST(wls_image_keys)
{
  struct fixture fx;
  wi_err err = { 0 };
  wi_autoptr(wi_probe) struct wi_probe *p = NULL;
  wls_image(&fx);
  CHECK_INT_EQ(wi_probe_image(&p, fx.s, &fx.img, WI_PROBE_LONG, &err), 0);
  /* the script's lines, in its order */
  CHECK_STR_EQ(p->text, "packageManager=YUM\n"
                        "javaHome=/u01/jdk\n"
                        "javaVersion=1.8.0_291\n"
                        "domainHome=/u01/domains/base_domain\n"
                        "oracleHome=/u01/oracle\n"
                        "wlsVersion=12.2.1.4.0\n"
                        "oracleHomeUser=oracle\n"
                        "oracleHomeGroup=oracle\n"
                        "opatchVersion=13.9.4.2.5\n"
                        "oraclePatches=22222222;7;\"One-off\";32698246;24165861;\"WLS PATCH SET "
                        "UPDATE 12.2.1.4.210330\"\n"
                        "oracleInstalledProducts=WebLogic Server,Coherence\n"
                        "__OS__arch=x86_64\n"
                        "__OS__NAME=\"Oracle Linux Server\"\n"
                        "__OS__VERSION=\"8.10\"\n"
                        "__OS__ID=\"ol\"\n"
                        "__OS__VERSION_ID=\"8.10\"\n");
  CHECK_STR_EQ(wi_probe_get(p, "__OS__ID"), "\"ol\""); /* Properties keeps the quotes */
  CHECK(wi_probe_get(p, "wdtModelOnly") == NULL);
  wi_autofree char *id = wi_probe_os(p, "id");
  wi_autofree char *ver = wi_probe_os(p, "version");
  CHECK_STR_EQ(id, "ol");
  CHECK_STR_EQ(ver, "8.10");
  CHECK(!wi_probe_busybox(p));
  struct wi_probe_patch *pv = NULL;
  size_t np = 0;
  CHECK_INT_EQ(wi_probe_patches(p, &pv, &np, &err), 0);
  CHECK_INT_EQ(np, 2);
  if (np == 2) {
    CHECK_STR_EQ(pv[1].bug, "32698246");
    CHECK_STR_EQ(pv[1].uid, "24165861");
    CHECK_STR_EQ(pv[1].description, "WLS PATCH SET UPDATE 12.2.1.4.210330");
    CHECK_STR_EQ(pv[0].description, "One-off");
  }
  wi_probe_patches_free(pv, np);
  wi_autofree char *json = NULL;
  CHECK_INT_EQ(wi_probe_json(p, &json, &err), 0);
  CHECK_STR_HAS(json, "{\n  \"oraclePatches\" : [{\n    \"patch\" : \"22222222\",\n");
  CHECK_STR_HAS(json,
                "  }],\n  \"os\" : {\n    \"id\" : \"ol\",\n    \"name\" : \"Oracle Linux "
                "Server\",\n    \"version\" : \"8.10\",\n    \"architecture\" : \"x86_64\"\n  },\n"
                "  \"domainHome\" : ");
  CHECK_STR_HAS(json, "\"wlsVersion\" : \"12.2.1.4.0\"\n}\n");
  fixture_dispose(&fx);
}

TEST(short_probe_has_no_opatch_keys)
{
  struct fixture fx;
  wi_err err = { 0 };
  wi_autoptr(wi_probe) struct wi_probe *p = NULL;
  wls_image(&fx);
  CHECK_INT_EQ(wi_probe_image(&p, fx.s, &fx.img, 0, &err), 0);
  CHECK(wi_probe_get(p, "opatchVersion") == NULL);
  CHECK(wi_probe_get(p, "oraclePatches") == NULL);
  wi_autofree char *json = NULL;
  CHECK_INT_EQ(wi_probe_json(p, &json, &err), 0);
  CHECK(strstr(json, "oraclePatches") == NULL);
  CHECK(strncmp(json, "{\n  \"os\" : {", 12) == 0);
  fixture_dispose(&fx);
}

TEST(busybox_without_os_release)
{
  static const char *const envs[] = { "PATH=/bin", "DOMAIN_HOME=/u01/domains/empty",
                                      "WDT_HOME=/auxiliary", "WDT_MODEL_HOME=/auxiliary/models",
                                      NULL };
  static const char bin[] = "\177ELF\0\0syslogd started: BusyBox v1.36.1\0BusyBox v1.36.1 "
                            "(2023-05-19 00:00:00 UTC)\0 multi-call binary.\0";
  struct fixture fx;
  wi_err err = { 0 };
  wi_autoptr(wi_probe) struct wi_probe *p = NULL;
  fixture_init(&fx, "bb", envs);
  const struct ent l[] = {
    { "bin/busybox", AE_IFREG, bin, 0755, 0, 0, sizeof bin - 1 },
    { "u01/domains/empty", AE_IFDIR, NULL },
    { "auxiliary/weblogic-deploy/VERSION.txt", AE_IFREG, "WebLogic Deploy Tooling 4.3.1\n" },
  };
  fixture_layer(&fx, l, WI_ARRAY_SIZE(l));
  CHECK_INT_EQ(wi_probe_image(&p, fx.s, &fx.img, 0, &err), 0);
  CHECK_STR_EQ(p->text, "packageManager=NONE\n"
                        "domainHome=/u01/domains/empty\n"
                        "wdtModelOnly=true\n"
                        "wdtModelHome=/auxiliary/models\n"
                        "wdtHome=/auxiliary\n"
                        "wdtVersion=4.3.1\n"
                        "__OS__arch=x86_64\n"
                        "__OS__ID=bb\n"
                        "__OS__NAME=BusyBox\n"
                        "__OS__VERSION=v1.36.1\n");
  CHECK(wi_probe_busybox(p));
  wi_autofree char *json = NULL;
  CHECK_INT_EQ(wi_probe_json(p, &json, &err), 0);
  CHECK_STR_HAS(json,
                "\"id\" : \"bb\",\n    \"name\" : \"BusyBox\",\n    \"version\" : \"v1.36.1\"");
  fixture_dispose(&fx);
}

/* A zip with META-INF/MANIFEST.MF, written with libarchive. */
static size_t
make_jar(char *buf, size_t cap, const char *manifest)
{
  size_t used = 0;
  struct archive *a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_open_memory(a, buf, cap, &used);
  struct archive_entry *ae = archive_entry_new();
  archive_entry_set_pathname(ae, "META-INF/MANIFEST.MF");
  archive_entry_set_filetype(ae, AE_IFREG);
  archive_entry_set_perm(ae, 0644);
  archive_entry_set_size(ae, (la_int64_t)strlen(manifest));
  archive_write_header(a, ae);
  archive_write_data(a, manifest, strlen(manifest));
  archive_entry_free(ae);
  archive_write_close(a);
  archive_write_free(a);
  return used;
}

TEST(wls_version_from_weblogic_jar)
{
  static const char *const envs[] = { "JAVA_HOME=/u01/jdk", "ORACLE_HOME=/opt/oh", NULL };
  static char jar[8192];
  struct fixture fx;
  wi_err err = { 0 };
  wi_autoptr(wi_probe) struct wi_probe *p = NULL;
  size_t jl = make_jar(jar, sizeof jar,
                       "Manifest-Version: 1.0\r\nImplementation-Title: WebLogic Server\r\n"
                       "Implementation-Version: 14.1.1.0.0\r\n\r\n");
  fixture_init(&fx, "jar", envs);
  const struct ent l[] = {
    { "opt/oh", AE_IFDIR, NULL, 0755, 4242, 4242 },
    { "opt/oh/wlserver/server/lib/weblogic.jar", AE_IFREG, jar, 0644, 0, 0, jl },
  };
  fixture_layer(&fx, l, WI_ARRAY_SIZE(l));
  CHECK_INT_EQ(wi_probe_image(&p, fx.s, &fx.img, WI_PROBE_LONG, &err), 0);
  CHECK_STR_EQ(wi_probe_get(p, "wlsVersion"), "14.1.1.0.0");
  /* no passwd/group in the image: what stat -c %U prints */
  CHECK_STR_EQ(wi_probe_get(p, "oracleHomeUser"), "UNKNOWN");
  CHECK_STR_EQ(wi_probe_get(p, "oracleHomeGroup"), "UNKNOWN");
  CHECK_STR_EQ(wi_probe_get(p, "opatchVersion"), "");
  CHECK_STR_EQ(wi_probe_get(p, "oraclePatches"), "");
  CHECK_STR_EQ(wi_probe_get(p, "oracleInstalledProducts"), "");
  wi_autofree char *json = NULL;
  CHECK_INT_EQ(wi_probe_json(p, &json, &err), 0);
  CHECK_STR_HAS(json, "\"oraclePatches\" : [],\n  \"os\" : {\n    \"id\" : null,\n");
  fixture_dispose(&fx);
}

TEST(from_image_properties)
{
  wi_err err = { 0 };
  wi_autoptr(wi_probe) struct wi_probe *p = NULL;
  wi_autofree char *path = wi_xasprintf("%s/base.properties", tmp_root);
  static const char text[] = "# WIT's documented example\npackageManager=MICRODNF\n"
                             "__OS__ID=\"ol\"\n__OS__VERSION=\"8.10\"\njavaHome = /u01/jdk\n";
  CHECK_INT_EQ(wi_fs_write_file_atomic(path, text, strlen(text), 0644, &err), 0);
  CHECK_INT_EQ(wi_probe_from_file(&p, path, &err), 0);
  CHECK_STR_EQ(wi_probe_get(p, "packageManager"), "MICRODNF");
  CHECK_STR_EQ(wi_probe_get(p, "javaHome"), "/u01/jdk");
  wi_autofree char *id = wi_probe_os(p, "id");
  wi_autofree char *name = wi_probe_os(p, "name");
  CHECK_STR_EQ(id, "ol");
  CHECK(name == NULL);
  CHECK(!wi_probe_busybox(p));

  wi_autoptr(wi_probe) struct wi_probe *q = NULL;
  wi_autofree char *missing = wi_xasprintf("%s/nope.properties", tmp_root);
  CHECK(wi_probe_from_file(&q, missing, &err) < 0);
  CHECK_STR_HAS(err.msg, "nope.properties");
}

TEST(patch_list_errors)
{
  wi_err err = { 0 };
  wi_autoptr(wi_probe) struct wi_probe *p = NULL;
  static const char text[] = "oraclePatches=1;2;\"a\";3\n";
  CHECK_INT_EQ(wi_probe_from_text(&p, text, strlen(text), &err), 0);
  struct wi_probe_patch *pv = NULL;
  size_t np = 0;
  CHECK_INT_EQ(wi_probe_patches(p, &pv, &np, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "Unable to parse response for Oracle patches in fromImage: 1;2;\"a\";3");
  char *json = NULL;
  CHECK_INT_EQ(wi_probe_json(p, &json, &err), WI_EINVAL);
  CHECK(json == NULL);
}

TEST(parsers)
{
  wi_err err = { 0 };
  char *products = NULL, *ver = NULL;
  wi_probe_registry_xml(registry, strlen(registry), &products, &ver);
  CHECK_STR_EQ(products, "WebLogic Server,Coherence");
  CHECK_STR_EQ(ver, "12.2.1.4.0");
  free(products);
  free(ver);
  wi_probe_registry_xml("<distribution name=", 19, &products, &ver);
  CHECK(products == NULL && ver == NULL);

  struct wi_probe_patch pt;
  static const char bad[] =
      "<oneoff_inventory><unique_patch_id>1</unique_patch_id></oneoff_inventory>";
  CHECK_INT_EQ(wi_probe_oneoff_xml(bad, strlen(bad), &pt, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "no patch id");
  static const char text_id[] = "<oneoff_inventory><patch_id>123</patch_id></oneoff_inventory>";
  CHECK_INT_EQ(wi_probe_oneoff_xml(text_id, strlen(text_id), &pt, &err), 0);
  CHECK_STR_EQ(pt.bug, "123");
  CHECK_STR_EQ(pt.description, "None");
  free(pt.bug);
  free(pt.uid);
  free(pt.description);

  static const char osrel[] = "ID=alpine\n\nno equals\nVERSION_ID=3.19.1";
  wi_autofree char *lines = wi_probe_os_release_lines(osrel, strlen(osrel));
  CHECK_STR_EQ(lines, "__OS__ID=alpine\n__OS__VERSION_ID=3.19.1\n");
  CHECK(wi_probe_jar_version("PK\3\4garbage", 11) == NULL);
  char *n = NULL, *v = NULL;
  CHECK(!wi_probe_busybox_banner("BusyBox", 7, &n, &v));
}

TEST(list_dirs_whiteouts_and_opaque)
{
  struct fixture fx;
  wi_err err = { 0 };
  fixture_init(&fx, "dirs", NULL);
  const struct ent l0[] = {
    { "a/x", AE_IFREG, "1" },    { "a/y/z", AE_IFREG, "2" }, { "b/old", AE_IFREG, "3" },
    { "c/gone", AE_IFREG, "4" }, { "d/f", AE_IFREG, "5" },
  };
  const struct ent l1[] = {
    { "a/.wh.x", AE_IFREG, "" }, { "a/w", AE_IFREG, "6" },  { "b/.wh..wh..opq", AE_IFREG, "" },
    { "b/new", AE_IFREG, "7" },  { ".wh.c", AE_IFREG, "" }, { "d", AE_IFREG, "now a file" },
  };
  fixture_layer(&fx, l0, WI_ARRAY_SIZE(l0));
  fixture_layer(&fx, l1, WI_ARRAY_SIZE(l1));
  struct wi_image_dir d[] = { { .path = "/a" }, { .path = "b/" }, { .path = "/c" },
                              { .path = "/d" }, { .path = "/" },  { .path = "/nope" } };
  CHECK_INT_EQ(wi_image_list_dirs(fx.s, &fx.m, d, WI_ARRAY_SIZE(d), &err), 0);
  CHECK(d[0].found);
  CHECK_INT_EQ(d[0].n, 2);
  if (d[0].n == 2) {
    CHECK_STR_EQ(d[0].names[0], "w");
    CHECK_STR_EQ(d[0].names[1], "y");
  }
  CHECK_INT_EQ(d[1].n, 1);
  if (d[1].n == 1)
    CHECK_STR_EQ(d[1].names[0], "new");
  CHECK(!d[2].found);
  CHECK(!d[3].found);
  CHECK_INT_EQ(d[4].n, 3); /* a b d: c is whited out */
  CHECK(!d[5].found);
  wi_image_dirs_dispose(d, WI_ARRAY_SIZE(d));
  fixture_dispose(&fx);
}

int
main(void)
{
  wi_err err = { 0 };
  tmp_root = wi_fs_mkdtemp("wlsimg-probe-test", &err);
  if (tmp_root == NULL) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  RUN(wls_image_keys);
  RUN(short_probe_has_no_opatch_keys);
  RUN(busybox_without_os_release);
  RUN(wls_version_from_weblogic_jar);
  RUN(from_image_properties);
  RUN(patch_list_errors);
  RUN(parsers);
  RUN(list_dirs_whiteouts_and_opaque);
  wi_fs_rm_rf(tmp_root, &err);
  free(tmp_root);
  DONE();
}
