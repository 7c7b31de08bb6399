/* Unit tests: patch ids, cache keys, versions, selection, products (patch.c), and offline
 * resolution against a real WIT cache directory (patch_resolve.c). The online side runs against
 * the ARU stand-in in tests/integration/54_aru.sh. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/patch_resolve.h"
#include "lib/witcache.h"

TEST(patch_ids)
{
  static const char *const good[] = { "12345678",
                                      "123456789",
                                      "12345678_12.2.1.4.0",
                                      "12345678_12.2.1.4.210930",
                                      "12345678_12.2.1.4.0_arm64",
                                      "12345678_14.1.2.0.0_anything" };
  static const char *const bad[] = { "p12345678",
                                     "1234567",
                                     "1234567890",
                                     "12345678_",
                                     "12345678_12.2.1",
                                     "12345678_1.2.1.4.0",
                                     "12345678_12.22.1.4.0",
                                     "12345678 ",
                                     "12345678_12.2.1.4.0_a\nb",
                                     "" };
  wi_err err = { 0 };
  for (size_t i = 0; i < WI_ARRAY_SIZE(good); i++)
    CHECK_INT_EQ(wi_patch_validate_id(good[i], &err), 0);
  for (size_t i = 0; i < WI_ARRAY_SIZE(bad); i++) {
    CHECK_INT_EQ(wi_patch_validate_id(bad[i], &err), WI_EINVAL);
    CHECK_STR_HAS(err.msg, "The patch id must be in the format of 12345678[_12.2.1.3.0[_arm64]].");
  }
  /* cache addPatch: a version is required, and a suffix must be an architecture */
  static const struct {
    const char *id;
    int code;
    const char *msg;
  } cache[] = {
    { "28186730_13.9.4.2.17", 0, NULL },
    { "12345678_12.2.1.4.0_amd64", 0, NULL },
    { "12345678_12.2.1.4.0_linux/arm64", 0, NULL },
    { "12345678_12.2.1.4.0_AARCH64", 0, NULL },
    { "12345678", WI_EINVAL, "must be in the format of 12345678_12.2.1.3.0[_arm64]" },
    { "12345678_12.2.1.4.0_opatch", WI_EINVAL, "\"opatch\" is not an architecture" },
    { "12345678_12.2.1.4.0_", WI_EINVAL, "\"\" is not an architecture" },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cache); i++) {
    CHECK_INT_EQ(wi_patch_validate_cache_id(cache[i].id, &err), cache[i].code);
    if (cache[i].msg)
      CHECK_STR_HAS(err.msg, cache[i].msg);
  }
  CHECK(wi_patch_is_opatch("28186730"));
  CHECK(wi_patch_is_opatch("38256237_13.9.6.0.0"));
  CHECK(!wi_patch_is_opatch("281867301"));
}

TEST(keys_and_arch)
{
  char *k = wi_patch_cache_key("12345678", "12.2.1.4.0", WI_ARU_GENERIC);
  CHECK_STR_EQ(k, "12345678_12.2.1.4.0");
  free(k);
  k = wi_patch_cache_key("12345678", "12.2.1.4.0", WI_ARU_AMD64);
  CHECK_STR_EQ(k, "12345678_12.2.1.4.0_amd64");
  free(k);
  k = wi_patch_cache_key("12345678", "12.2.1.4.0", WI_ARU_ARM64);
  CHECK_STR_EQ(k, "12345678_12.2.1.4.0_arm64");
  free(k);
  k = wi_patch_cache_key("12345678", "12.2.1.4.0", 197); /* another platform: no suffix, as WIT */
  CHECK_STR_EQ(k, "12345678_12.2.1.4.0");
  free(k);
  CHECK_STR_EQ(wi_patch_arch("X86_64"), "amd64");
  CHECK_STR_EQ(wi_patch_arch("linux/arm64"), "arm64");
  CHECK(wi_patch_arch("s390x") == NULL);
  CHECK_INT_EQ(wi_patch_arch_platform("arm64"), 541);
  CHECK_INT_EQ(wi_patch_arch_platform("amd64"), 226);
}

TEST(opatch_bugs)
{
  wi_err err = { 0 };
  const char *bug = NULL;
  CHECK_INT_EQ(wi_patch_opatch_bug("12.2.1.4.0", &bug, &err), 0);
  CHECK_STR_EQ(bug, "28186730");
  CHECK_INT_EQ(wi_patch_opatch_bug("14.1.2.0.0", &bug, &err), 0);
  CHECK_STR_EQ(bug, "28186730");
  CHECK_INT_EQ(wi_patch_opatch_bug("14.1.2.25", &bug, &err), 0);
  CHECK_STR_EQ(bug, "38256237");
  CHECK_INT_EQ(wi_patch_opatch_bug("15.1.1.0.0", &bug, &err), 0);
  CHECK_STR_EQ(bug, "38256237");
  CHECK_INT_EQ(wi_patch_opatch_bug("latest", &bug, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "choosing the OPatch version for installer version latest");
}

TEST(selection)
{
  char bug[] = "33333333", v0[] = "12.2.1.4.0", v1[] = "12.2.1.4.210930", v2[] = "12.2.1.3.0";
  struct wi_aru_patch c[] = { { .bug = bug, .version = v0 },
                              { .bug = bug, .version = v1 },
                              { .bug = bug, .version = v2 } };
  static const struct {
    const char *provided, *psu, *installer;
    int code;
    size_t idx;
    const char *msg;
  } cases[] = {
    { "12.2.1.3.0", "12.2.1.4.210930", "12.2.1.4.0", 0, 2, NULL },
    { NULL, "12.2.1.4.210930", "12.2.1.4.0", 0, 1, NULL },
    { NULL, "12.2.1.4.999999", "12.2.1.4.0", 0, 0, NULL },
    { NULL, NULL, "12.2.1.3.0", 0, 2, NULL },
    { "12.2.1.2.0", "12.2.1.4.210930", "12.2.1.4.0", WI_ENOTFOUND, 0,
      "Version 12.2.1.2.0 for patch ID 33333333 was not found in the available versions: 33333333_12.2.1.4.0, 33333333_12.2.1.4.210930, 33333333_12.2.1.3.0" },
    { NULL, NULL, "14.1.1.0.0", WI_ENOTFOUND, 0,
      "Unable to determine the correct version for patch ID 33333333, please retry the command using one of the available patch versions: 33333333_12.2.1.4.0, " },
  };
  wi_err err = { 0 };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    size_t idx = 99;
    int ret =
        wi_patch_select(c, 3, cases[i].provided, cases[i].psu, cases[i].installer, &idx, &err);
    CHECK_INT_EQ(ret, cases[i].code);
    if (ret == 0)
      CHECK_INT_EQ(idx, cases[i].idx);
    else
      CHECK_STR_HAS(err.msg, cases[i].msg);
  }
  /* one candidate that fits nothing is still refused (WIT's IMG-0034) */
  size_t idx = 0;
  CHECK_INT_EQ(wi_patch_select(c + 2, 1, NULL, NULL, "12.2.1.4.0", &idx, &err), WI_ENOTFOUND);
  /* the same version twice: generic and architecture-specific in the cache (IMG-0122) */
  struct wi_aru_patch d[] = { { .bug = bug, .version = v0, .platform = 2000 },
                              { .bug = bug, .version = v0, .platform = 226 } };
  CHECK_INT_EQ(wi_patch_select(d, 2, NULL, NULL, "12.2.1.4.0", &idx, &err), WI_EINVAL);
  CHECK_STR_HAS(
      err.msg,
      "Invalid patch 33333333 for version 12.2.1.4.0. A patch cannot be both generic and architecture specific. Remove the invalid entry from the cache, like 33333333_12.2.1.4.0_xxx64.");
}

TEST(installed_psu)
{
  char b[] = "1", u[] = "2";
  char d1[] = "One-off", d2[] = "WLS PATCH SET UPDATE 12.2.1.4.210330",
       d3[] = "WLS PATCH SET UPDATE 12.2.1.3.0(ID:200227.1409)",
       d4[] = "WLS PATCH SET UPDATE 12.2.1.4.0";
  struct wi_probe_patch v[] = { { b, u, d1 }, { b, u, d2 }, { b, u, d3 } };
  char *p = wi_patch_installed_psu(v, 3);
  CHECK_STR_EQ(p, "12.2.1.4.210330");
  free(p);
  p = wi_patch_installed_psu(v + 2, 1);
  CHECK_STR_EQ(p, "12.2.1.3.200227");
  free(p);
  struct wi_probe_patch w[] = { { b, u, d1 }, { b, u, d4 } }; /* .0 is not a PSU */
  CHECK(wi_patch_installed_psu(w, 2) == NULL);
  CHECK(wi_patch_installed_psu(NULL, 0) == NULL);
}

TEST(products)
{
  const struct wi_patch_product *p[24];
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_patch_type_products("wls", p, &n, &err), 0);
  CHECK_INT_EQ(n, 8);
  CHECK_STR_EQ(p[0]->id, "15991");
  CHECK_STR_EQ(p[0]->description, "Oracle WebLogic Server");
  CHECK_INT_EQ(wi_patch_type_products("FMW", p, &n, &err), 0);
  CHECK_INT_EQ(n, 15);
  CHECK_INT_EQ(wi_patch_type_products("SOA_OSB_B2B", p, &n, &err), 0);
  CHECK_INT_EQ(n, 17);
  CHECK_INT_EQ(wi_patch_type_products("OHS", p, &n, &err), 0);
  CHECK_INT_EQ(n, 10);
  CHECK_STR_EQ(p[8]->description, "Oracle Java Required Files");
  CHECK_INT_EQ(wi_patch_type_products("IDM_WLS", p, &n, &err), 0);
  CHECK_INT_EQ(n, 1);
  CHECK_INT_EQ(wi_patch_type_products("NOPE", p, &n, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "unknown installer type NOPE");
  CHECK(wi_patch_type_is_base_wls("wlsslim"));
  CHECK(!wi_patch_type_is_base_wls("FMW"));
}

/* ---- offline resolution over a real cache directory ---- */

static char *g_dir;
static struct wi_buf g_log = WI_BUF_INIT(1 << 20);

static void
capture(enum wi_log_level level, const char *msg, void *payload)
{
  WI_UNUSED(payload);
  static const char *const names[] = { "SEVERE", "WARNING", "INFO", "FINE", "FINE" };
  wi_buf_addf(&g_log, NULL, "[%s] %s\n", names[level], msg);
}

static char *
cached(const char *key, const char *file, const char *content)
{
  wi_err err = { 0 };
  enum wi_witcache_add_result r;
  char *path = wi_xasprintf("%s/%s", g_dir, file);
  wi_fs_write_file_atomic(path, content, strlen(content), 0644, &err);
  wi_witcache_add_file(g_dir, key, path, true, &r, NULL, NULL, &err);
  return path;
}

static struct wi_patch_opts
offline(const char *const *patches, size_t n)
{
  wi_buf_reset(&g_log);
  return (struct wi_patch_opts){ .cache_dir = g_dir,
                                 .installer_type = "WLS",
                                 .installer_version = "12.2.1.4.0",
                                 .arch = "amd64",
                                 .patches = patches,
                                 .n_patches = n,
                                 .log = capture };
}

TEST(offline_resolution)
{
  wi_err err = { 0 };
  struct wi_patch_result r = { 0 };
  g_dir = wi_fs_mkdtemp("patch-test", &err);
  free(cached("33333333_12.2.1.4.0", "p33333333_122140_Generic.zip", "a"));
  free(cached("33333333_12.2.1.3.0", "p33333333_122130_Generic.zip", "b"));
  free(cached("55555555_12.2.1.4.0_amd64", "p55555555_122140_Linux-x86-64.zip", "c"));
  free(cached("44444444_12.2.1.4.0_arm64", "p44444444_122140_Linux-ARM-64.zip", "d"));
  free(cached("28186730_13.9.4.2.5", "p28186730_139425_Generic.zip", "e"));
  free(cached("28186730_13.9.4.2.17", "p28186730_1394217_Generic.zip", "f"));
  /* OPatch is generic, but a user may have added it with an architecture: WIT fails on the key */
  free(cached("28186730_13.9.4.2.20_amd64", "p28186730_1394220_Generic.zip", "g"));
  free(cached("28186730_opatch", "old-style.zip", "h"));

  /* nothing asked: nothing done */
  struct wi_patch_opts o = offline(NULL, 0);
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), 0);
  CHECK(r.n == 0 && r.opatch_path == NULL);

  const char *p1[] = { "33333333", "55555555", "28186730_13.9.4.2.5" };
  o = offline(p1, 3);
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), 0);
  CHECK_INT_EQ(r.n, 2); /* OPatch's own bug is skipped in --patches */
  if (r.n == 2) {
    CHECK_STR_EQ(r.keys[0], "33333333_12.2.1.4.0");
    CHECK_STR_EQ(r.names[0], "p33333333_122140_Generic.zip");
    CHECK_STR_EQ(r.keys[1], "55555555_12.2.1.4.0_amd64");
  }
  CHECK_STR_EQ(r.opatch_key,
               "28186730_13.9.4.2.20_amd64"); /* the newest; old _opatch keys skipped */
  CHECK_STR_EQ(r.opatch_version, "13.9.4.2.20");
  CHECK_STR_EQ(r.opatch_name, "p28186730_1394220_Generic.zip");
  CHECK_STR_HAS(
      wi_buf_cstr(&g_log),
      "[INFO] Found patch 33333333 for version 12.2.1.4.0. Bug description: \"description unavailable while working offline\"");
  CHECK_STR_HAS(wi_buf_cstr(&g_log),
                "[WARNING] No credentials provided, skipping validation of patches");
  CHECK_STR_HAS(wi_buf_cstr(&g_log), "[INFO] Using patch 33333333_12.2.1.4.0 from cache: ");
  wi_patch_result_dispose(&r);

  static const struct {
    const char *id;
    const char *arch;
    int code;
    const char *msg;
  } bad[] = {
    { "20202020", "amd64", WI_ENOTFOUND, "Patch 20202020 is not in the cache (" },
    { "20202020", "amd64", WI_ENOTFOUND,
      "Oracle Support was not asked because no credentials were given (--user with --password, --passwordEnv or --passwordFile). To work offline, add it: wlsimg cache addPatch --patchId 20202020_12.2.1.4.0 --path " },
    { "44444444", "amd64", WI_ENOTFOUND,
      "Patch 44444444 for amd64 is not in the cache (it has only 44444444_12.2.1.4.0_arm64 for other architectures)" },
    { "33333333_12.2.1.2.0", "amd64", WI_ENOTFOUND,
      "Version 12.2.1.2.0 for patch ID 33333333 was not found in the available versions: 33333333_12.2.1.3.0, 33333333_12.2.1.4.0" },
    { "55555555_12.2.1.4.0_arm64", "amd64", WI_EINVAL,
      "--patches 55555555_12.2.1.4.0_arm64: the suffix \"arm64\" does not name the target architecture amd64" },
    { "p33333333", "amd64", WI_EINVAL, "Invalid patch id p33333333." },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(bad); i++) {
    const char *ids[] = { bad[i].id };
    o = offline(ids, 1);
    o.arch = bad[i].arch;
    CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), bad[i].code);
    CHECK_STR_HAS(err.msg, bad[i].msg);
    CHECK(r.n == 0 && r.paths == NULL && r.opatch_path == NULL);
  }

  /* an explicit arch suffix of the target's architecture is taken (WIT never matched it) */
  const char *p2[] = { "55555555_12.2.1.4.0_amd64" };
  o = offline(p2, 1);
  o.skip_opatch_update = true;
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), 0);
  CHECK(r.n == 1 && r.opatch_path == NULL);
  wi_patch_result_dispose(&r);

  /* credentials are needed for the recommended patches (IMG-0031) */
  o = offline(NULL, 0);
  o.recommended = true;
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg,
                "No credentials provided. Cannot determine latestPSU or recommendedPatches.");
  o.recommended = false;
  o.latest_psu = true;
  o.user = "u@example.com";
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), WI_EAUTH);
  CHECK_STR_HAS(err.msg, "--user was given without a password");

  /* a generic and an amd64 entry for one version: IMG-0122 */
  free(cached("33333333_12.2.1.4.0_x86_64", "p33333333_122140_x86.zip", "i"));
  const char *p3[] = { "33333333" };
  o = offline(p3, 1);
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "A patch cannot be both generic and architecture specific.");
  wi_witcache_delete(g_dir, "33333333_12.2.1.4.0_x86_64", NULL, &err);

  /* the same file under two ids: IMG-0077, once in the result */
  char *same = wi_xasprintf("%s/p33333333_122140_Generic.zip", g_dir);
  enum wi_witcache_add_result ar;
  wi_witcache_add_file(g_dir, "66666666_12.2.1.4.0", same, true, &ar, NULL, NULL, &err);
  const char *p4[] = { "33333333", "66666666" };
  o = offline(p4, 2);
  o.skip_opatch_update = true;
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), 0);
  CHECK_INT_EQ(r.n, 1);
  CHECK_STR_HAS(wi_buf_cstr(&g_log), "[WARNING] Skipping duplicate patch 66666666_12.2.1.4.0.");
  wi_patch_result_dispose(&r);

  /* a cached file changed since it was added */
  wi_fs_write_file_atomic(same, "changed", 7, 0644, &err);
  o = offline(p3, 1);
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), WI_EDIGEST);
  CHECK_STR_HAS(err.msg, "changed since it was added");
  free(same);
}

TEST(offline_update)
{
  wi_err err = { 0 };
  struct wi_patch_result r = { 0 };
  char b[] = "30000000", u[] = "24165861", d[] = "WLS PATCH SET UPDATE 12.2.1.4.210330";
  struct wi_probe_patch installed[] = { { b, u, d } };
  free(cached("77777777_12.2.1.4.210330", "p77777777_1221404210330_Generic.zip", "j"));
  free(cached("77777777_12.2.1.4.0", "p77777777_122140_Generic.zip", "k"));
  const char *ids[] = { "77777777" };
  struct wi_patch_opts o = offline(ids, 1);
  o.update = true;
  o.installed = installed;
  o.n_installed = 1;
  o.image_opatch_version = "13.9.4.2.5";
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), 0);
  CHECK(r.n == 1 && strcmp(r.keys[0], "77777777_12.2.1.4.210330") == 0); /* the image's PSU */
  CHECK_STR_EQ(r.opatch_version, "13.9.4.2.20");
  CHECK_STR_HAS(
      wi_buf_cstr(&g_log),
      "[INFO] Updating OPatch in final image from version 13.9.4.2.5 to version 13.9.4.2.20");
  CHECK_STR_HAS(wi_buf_cstr(&g_log),
                "[INFO] No credentials provided, skipping patch conflict check.");
  wi_patch_result_dispose(&r);

  o = offline(ids, 1);
  o.update = true;
  o.image_opatch_version = "13.9.4.2.21";
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), 0);
  CHECK(r.opatch_path == NULL);
  CHECK_STR_HAS(
      wi_buf_cstr(&g_log),
      "[INFO] OPatch will not be updated, fromImage has version 13.9.4.2.21, available version is 13.9.4.2.20");
  wi_patch_result_dispose(&r);

  o.image_opatch_version = NULL;
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "cannot compare null strings");

  /* update's two calls: OPatch (and IMG-0009) before its WDT checks, the patches after */
  o = offline(ids, 1);
  o.update = true;
  o.image_opatch_version = "13.9.4.2.5";
  o.part = WI_PATCH_PART_OPATCH;
  wi_buf_reset(&g_log);
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), 0);
  CHECK(r.n == 0 && r.opatch_path != NULL);
  CHECK_STR_HAS(wi_buf_cstr(&g_log), "No credentials provided, skipping patch conflict check.");
  CHECK(strstr(wi_buf_cstr(&g_log), "Found patch") == NULL);
  wi_patch_result_dispose(&r);
  o.part = WI_PATCH_PART_PATCHES;
  wi_buf_reset(&g_log);
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), 0);
  CHECK(r.n == 1 && r.opatch_path == NULL);
  CHECK(strstr(wi_buf_cstr(&g_log), "skipping patch conflict check") == NULL);
  CHECK(strstr(wi_buf_cstr(&g_log), "OPatch") == NULL);
  wi_patch_result_dispose(&r);
  /* --skipOpatchUpdate: IMG-0009 still, as WIT */
  o.part = WI_PATCH_PART_OPATCH;
  o.skip_opatch_update = true;
  wi_buf_reset(&g_log);
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), 0);
  CHECK(r.n == 0 && r.opatch_path == NULL);
  CHECK_STR_HAS(wi_buf_cstr(&g_log), "No credentials provided, skipping patch conflict check.");
  wi_patch_result_dispose(&r);

  /* no OPatch cached at all: the image keeps its own, with a warning (WIT: IMG-0062) */
  o = offline(ids, 1);
  o.update = true;
  o.opatch_bug = "38256237";
  o.image_opatch_version = "13.9.4.2.5";
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), 0);
  CHECK(r.n == 1 && r.opatch_path == NULL);
  CHECK_STR_HAS(wi_buf_cstr(&g_log),
                "[WARNING] OPatch will not be updated: no OPatch (patch 38256237) is in the cache");
  wi_patch_result_dispose(&r);
  /* … while create needs one */
  o.update = false;
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(
      err.msg,
      "An OPatch version could not be found in the cache store and you have not provided Oracle Support credentials.");
  CHECK_STR_HAS(err.msg, "--patchId 38256237_<version>");
  /* a named OPatch version that is not cached */
  o.opatch_bug = "28186730_13.9.4.2.99";
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "Patch 28186730_13.9.4.2.99 is not in the cache store");
  o.opatch_bug = "opatch";
  CHECK_INT_EQ(wi_patch_resolve(&o, &r, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "--opatchBugNumber opatch: expected a bug number");
  wi_fs_rm_rf(g_dir, &err);
  free(g_dir);
  wi_buf_dispose(&g_log);
}

int
main(void)
{
  RUN(patch_ids);
  RUN(keys_and_arch);
  RUN(opatch_bugs);
  RUN(selection);
  RUN(installed_psu);
  RUN(products);
  RUN(offline_resolution);
  RUN(offline_update);
  DONE();
}
