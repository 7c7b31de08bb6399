/* Unit tests for src/lib/ui_primary.c (the Primary Image tab's create options and checks) and the
 * `wlsimg create` line of src/lib/ui_render.c. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/ui_primary.h"
#include "lib/ui_render.h"
#include "lib/util.h"

static void
set(char **field, const char *value)
{
  free(*field);
  *field = wi_xstrdup(value);
}

static void
collect(void *ctx, const char *field, bool error, const char *msg)
{
  wi_buf_addf(ctx, NULL, "%s %s: %s\n", field, error ? "E" : "W", msg);
}

/* The findings of a check, one "field E|W: message" line each (malloc'ed). */
static char *
check(const struct wi_ui_project *p, bool engine, bool password)
{
  struct wi_buf b = WI_BUF_INIT(1 << 20);
  struct wi_ui_primary_check_in in = { .store_root = "/nonexistent/store",
                                       .engine = engine,
                                       .support_password = password };
  wi_ui_primary_check(p, &in, collect, &b);
  wi_buf_addf(&b, NULL, "%s", ""); /* never NULL */
  return wi_buf_steal(&b);
}

TEST(options_and_command)
{
  struct wi_ui_project p;
  struct wi_ui_primary a;
  wi_ui_project_init(&p, NULL);
  wi_ui_primary_opts(&a, &p);
  CHECK_STR_EQ(a.o.tag, WI_UI_PRIMARY_DEFAULT);
  CHECK(a.o.cmd == WI_WIT_CREATE);
  CHECK(a.o.chown == NULL);           /* oracle:oracle is WIT's default: not passed */
  CHECK(a.o.package_manager == NULL); /* OS_DEFAULT */
  CHECK(a.o.from_image == NULL && a.o.user == NULL && a.o.builder == NULL);
  wi_autofree char *c0 = wi_ui_render_primary_command(&a.o, "wlsimg", false, NULL);
  CHECK_STR_EQ(c0, "wlsimg create --tag " WI_UI_PRIMARY_DEFAULT
                   " --type WLS --version 12.2.1.4.0 --jdkVersion 8u202");
  wi_ui_primary_dispose(&a);

  set(&p.prim.from, "my base:1");
  set(&p.prim.owner, "wls");
  set(&p.prim.package_manager, "APTGET");
  set(&p.prim.support_user, "me@example.com");
  set(&p.prim.builder, "buildah");
  p.prim.openshift = p.prim.latest_psu = p.prim.pull = true;
  p.prim.patches.v = wi_xcalloc(2, sizeof(char *));
  p.prim.patches.v[0] = wi_xstrdup("12345678");
  p.prim.patches.v[1] = wi_xstrdup("87654321_12.2.1.4.0");
  p.prim.patches.n = 2;
  wi_ui_primary_opts(&a, &p);
  CHECK_STR_EQ(a.o.chown, "wls:oracle");
  wi_autofree char *c1 = wi_ui_render_primary_command(&a.o, "wlsimg", false, NULL);
  CHECK_STR_EQ(c1, "wlsimg create --tag " WI_UI_PRIMARY_DEFAULT
                   " --fromImage 'my base:1' --type WLS --version 12.2.1.4.0 --jdkVersion 8u202 "
                   "--chown wls:oracle --packageManager APTGET --target OpenShift --patches "
                   "12345678,87654321_12.2.1.4.0 --latestPSU --user me@example.com --passwordEnv "
                   "ORACLE_SUPPORT_PASSWORD --builder buildah --pull");
  wi_ui_primary_dispose(&a);
  /* WIT's line always names the engine: the one that would run when none is chosen */
  set(&p.prim.builder, "");
  wi_ui_primary_opts(&a, &p);
  wi_autofree char *c2 = wi_ui_render_primary_command(&a.o, "imagetool.sh", true, "podman");
  CHECK_STR_HAS(c2, "imagetool.sh create --tag ");
  CHECK_STR_HAS(c2, " --builder podman --pull");
  wi_ui_primary_dispose(&a);
  wi_ui_project_dispose(&p);
}

TEST(checks_name_the_field)
{
  struct wi_ui_project p;
  wi_ui_project_init(&p, NULL);
  set(&p.primary_tag, "127.0.0.1:5000/NS/wls:1");
  set(&p.prim.type, "XYZ");
  set(&p.prim.owner, "Oracle");
  set(&p.prim.package_manager, "FOO");
  set(&p.prim.builder, "/nonexistent/engine");
  p.prim.recommended = true;
  p.prim.patches.v = wi_xcalloc(1, sizeof(char *));
  p.prim.patches.v[0] = wi_xstrdup("123");
  p.prim.patches.n = 1;
  wi_autofree char *f = check(&p, true, false);
  CHECK_STR_HAS(f, "primary-tag E: Primary Image Tag: ");
  CHECK_STR_HAS(f, "repository name must be lowercase");
  CHECK_STR_HAS(f, "primary-type E: Installer Type 'XYZ' is not one of WLS, ");
  CHECK_STR_HAS(f, "primary-owner E: File System Owner 'Oracle' is not a valid Unix name");
  CHECK_STR_HAS(f, "primary-package-manager E: Package Manager 'FOO' is not one of");
  CHECK_STR_HAS(f, "primary-patches E: ");
  CHECK_STR_HAS(f, "primary-support-user E: Recommended patches come from Oracle Support");
  CHECK_STR_HAS(f, "primary-builder E: The container engine /nonexistent/engine is not installed");
  /* a Dockerfile preview needs no engine */
  wi_autofree char *g = check(&p, false, false);
  CHECK(strstr(g, "primary-builder") == NULL);
  /* a user without the password */
  set(&p.prim.support_user, "me@example.com");
  wi_autofree char *h = check(&p, false, false);
  CHECK_STR_HAS(h, "primary-support-password E: Enter the Oracle Support password for "
                   "me@example.com");
  wi_autofree char *i = check(&p, false, true);
  CHECK(strstr(i, "primary-support-password") == NULL);
  wi_ui_project_dispose(&p);
}

TEST(installers_from_the_cache)
{
  char dir[] = "/tmp/wlsimg-ui-primary-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  setenv("WLSIMG_CACHEDIR", dir, 1);
  struct wi_ui_project p;
  wi_ui_project_init(&p, NULL);
  set(&p.prim.type, "FMW");
  set(&p.prim.jdk_version, "8u401");
  /* WIT's default base has neither Java nor an Oracle Home: the JDK and the fmw installer */
  wi_autofree char *f = check(&p, false, false);
  CHECK_STR_HAS(f, "primary-jdk-version E: JDK 8u401 for ");
  CHECK_STR_HAS(f, "wlsimg cache addInstaller --type jdk --version 8u401 --architecture ");
  CHECK_STR_HAS(f, "primary-version E: The fmw installer 12.2.1.4.0 for ");
  CHECK_STR_HAS(f, "wlsimg cache addInstaller --type fmw --version 12.2.1.4.0 --architecture ");
  /* a base that is not in the store may have them: warnings */
  set(&p.prim.from, "example.com/base:1");
  wi_autofree char *g = check(&p, false, false);
  CHECK_STR_HAS(g, "primary-jdk-version W: JDK 8u401 ");
  CHECK_STR_HAS(g, "the base image is not in the local store: needed unless it has JAVA_HOME");
  CHECK(strstr(g, " E: ") == NULL);
  wi_ui_project_dispose(&p);
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_fs_rm_rf(dir, &err), 0);
  unsetenv("WLSIMG_CACHEDIR");
}

TEST(engines)
{
  bool found = true;
  wi_autofree char *e = wi_ui_primary_engine("/nonexistent/buildah", &found);
  CHECK_STR_EQ(e, "/nonexistent/buildah");
  CHECK(!found);
  wi_autofree char *j = wi_ui_primary_engines_json();
  CHECK_STR_HAS(j, "{\"engines\":[{\"name\":\"docker\",\"found\":");
  CHECK_STR_HAS(j, "{\"name\":\"buildah\",\"found\":");
  CHECK_STR_HAS(j, "\"auto\":");
}

int
main(void)
{
  RUN(options_and_command);
  RUN(checks_name_the_field);
  RUN(installers_from_the_cache);
  RUN(engines);
  DONE();
}
