/* Unit tests: the WIT installer cache (witcache.c). */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/witcache.h"

TEST(candidates_order)
{
  char *c[8];
  size_t n = wi_witcache_candidates("wdt_latest", "amd64", c);
  CHECK_INT_EQ(n, 4);
  CHECK_STR_EQ(c[0], "wdt_latest_amd64");
  CHECK_STR_EQ(c[1], "wdt_latest_linux/amd64");
  CHECK_STR_EQ(c[2], "wdt_latest_x86_64");
  CHECK_STR_EQ(c[3], "wdt_latest");
  for (size_t i = 0; i < n; i++)
    free(c[i]);
  n = wi_witcache_candidates("wdt_1.0", "arm64", c);
  CHECK_STR_EQ(c[0], "wdt_1.0_arm64");
  CHECK_STR_EQ(c[2], "wdt_1.0_aarch64");
  CHECK_STR_EQ(c[3], "wdt_1.0");
  for (size_t i = 0; i < n; i++)
    free(c[i]);
  n = wi_witcache_candidates("jdk_8", NULL, c);
  CHECK_INT_EQ(n, 4);
  CHECK_STR_EQ(c[0], "jdk_8");
  for (size_t i = 0; i < n; i++)
    free(c[i]);
  char *k = wi_witcache_installer_key("WDT", "Latest");
  CHECK_STR_EQ(k, "wdt_latest");
  free(k);
}

static void
write_file(const char *path, const char *text)
{
  wi_err err = { 0 };
  wi_fs_write_file_atomic(path, text, strlen(text), 0644, &err);
}

TEST(cache_lookup_and_checksum)
{
  wi_err err = { 0 };
  char *dir = wi_fs_mkdtemp("witcache-test", &err);
  CHECK(dir != NULL);
  char *a = wi_xasprintf("%s/wdt-a.zip", dir);
  char *b = wi_xasprintf("%s/wdt-b.zip", dir);
  char *meta = wi_xasprintf("%s/.metadata", dir);
  write_file(a, "A");
  write_file(b, "B");
  /* hand-written WIT metadata: generic and arch-specific entries, one pointing nowhere */
  char *text =
      wi_xasprintf("#changed on:2026-05-13T10:15:30.123\n#Wed May 13 10:15:30 UTC 2026\n"
                   "wdt_latest=%s\nwdt_latest_arm64=%s\nwdt_latest_amd64=/nonexistent.zip\n",
                   a, b);
  write_file(meta, text);
  char *key = NULL, *path = NULL;
  CHECK_INT_EQ(wi_witcache_lookup(dir, "wdt", "LATEST", "amd64", &key, &path, &err), 0);
  CHECK_STR_EQ(key, "wdt_latest"); /* the _amd64 entry's file is missing: skipped */
  CHECK_STR_EQ(path, a);
  free(key);
  free(path);
  CHECK_INT_EQ(wi_witcache_lookup(dir, "wdt", "latest", "arm64", &key, &path, &err), 0);
  CHECK_STR_EQ(path, b);
  free(key);
  free(path);
  CHECK_INT_EQ(wi_witcache_lookup(dir, "wdt", "3.5.2", "amd64", &key, &path, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "Installer with key=\"wdt_3.5.2_amd64\" is not in the local cache");

  /* first verify records the digest, a later change is refused */
  char d1[WI_DIGEST_MAX];
  CHECK_INT_EQ(wi_witcache_verify(dir, a, d1, &err), 0);
  write_file(a, "A changed");
  CHECK_INT_EQ(wi_witcache_verify(dir, a, NULL, &err), WI_EDIGEST);
  CHECK_STR_HAS(err.msg, "changed since it was added");

  /* add rules */
  enum wi_witcache_add_result res;
  char *v = NULL, *old = NULL;
  CHECK_INT_EQ(wi_witcache_add_file(dir, "WDT_Latest", b, false, &res, &v, &old, &err), WI_EEXISTS);
  CHECK_STR_HAS(err.msg, "already exists");
  CHECK_INT_EQ(wi_witcache_add_file(dir, "wdt_latest", a, false, &res, &v, &old, &err), 0);
  CHECK_INT_EQ(res, WI_WITCACHE_UNCHANGED);
  free(v);
  CHECK_INT_EQ(wi_witcache_verify(dir, a, NULL, &err), 0); /* re-add re-recorded it */
  CHECK_INT_EQ(wi_witcache_add_file(dir, "wdt_latest", b, true, &res, &v, &old, &err), 0);
  CHECK_INT_EQ(res, WI_WITCACHE_REPLACED);
  CHECK_STR_EQ(old, a);
  free(v);
  free(old);
  old = NULL;
  CHECK_INT_EQ(wi_witcache_add_file(dir, "x", dir, false, &res, &v, &old, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "is not a file");

  struct wi_props p = { 0 };
  CHECK_INT_EQ(wi_witcache_list(dir, "wdt_latest.*", &p, &err), 0);
  CHECK_INT_EQ(p.n, 3);
  CHECK_STR_EQ(p.v[0].key, "wdt_latest");
  CHECK_STR_EQ(p.v[1].key, "wdt_latest_amd64");
  wi_props_dispose(&p);
  CHECK_INT_EQ(wi_witcache_list(dir, "wdt", &p, &err), 0);
  CHECK_INT_EQ(p.n, 0); /* whole-key match */
  wi_props_dispose(&p);

  CHECK_INT_EQ(wi_witcache_delete(dir, "WDT_LATEST_ARM64", &old, &err), 0);
  CHECK_STR_EQ(old, b);
  free(old);
  /* b is still the value of wdt_latest: its checksum stays; after that goes, a changed b is fine */
  write_file(b, "B changed");
  CHECK_INT_EQ(wi_witcache_verify(dir, b, NULL, &err), WI_EDIGEST);
  CHECK_INT_EQ(wi_witcache_delete(dir, "wdt_latest", NULL, &err), 0);
  CHECK_INT_EQ(wi_witcache_verify(dir, b, NULL, &err), 0);
  CHECK_INT_EQ(wi_witcache_delete(dir, "wdt_latest_arm64", NULL, &err), WI_ENOTFOUND);
  CHECK_INT_EQ(wi_witcache_clear(dir, &err), 0);
  CHECK_INT_EQ(wi_witcache_list(dir, NULL, &p, &err), 0);
  CHECK_INT_EQ(p.n, 0);
  wi_props_dispose(&p);

  wi_fs_rm_rf(dir, &err);
  free(text);
  free(meta);
  free(a);
  free(b);
  free(dir);
}

/* A missing wdt_latest names the highest other WDT version, compared as numbers. */
TEST(wdt_version_suggestion)
{
  wi_err err = { 0 };
  char *dir = wi_fs_mkdtemp("witcache-test", &err);
  CHECK(dir != NULL);
  char *a = wi_xasprintf("%s/wdt.zip", dir);
  char *meta = wi_xasprintf("%s/.metadata", dir);
  char *text = wi_xasprintf("wdt_4.9.1=%s\nwdt_4.10.0_amd64=%s\nwdt_custom=%s\n", a, a, a);
  write_file(a, "A");
  write_file(meta, text);
  char *key = NULL, *path = NULL;
  CHECK_INT_EQ(wi_witcache_lookup(dir, "wdt", "latest", "amd64", &key, &path, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "the cache has WDT 4.10.0: use --wdtVersion 4.10.0");
  wi_fs_rm_rf(dir, &err);
  free(text);
  free(meta);
  free(a);
  free(dir);
}

int
main(void)
{
  RUN(candidates_order);
  RUN(cache_lookup_and_checksum);
  RUN(wdt_version_suggestion);
  DONE();
}
