/* Unit tests: Java properties parsing/writing and the WIT cache. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/witcache.h"

static char *
props_text(const char *text, const char *key)
{
  struct wi_props p = { 0 };
  wi_err err = { 0 };
  if (wi_props_parse(&p, text, strlen(text), &err) < 0)
    return wi_xstrdup("<error>");
  const char *v = wi_props_get(&p, key);
  char *r = v ? wi_xstrdup(v) : NULL;
  wi_props_dispose(&p);
  return r;
}

TEST(parse_table)
{
  static const struct {
    const char *text, *key, *want;
  } cases[] = {
    { "a=b\n", "a", "b" },
    { "a:b\n", "a", "b" },
    { "a b\n", "a", "b" },
    { "  a  =  b c \n", "a", "b c " },
    { "# comment\n! also\na=1", "a", "1" },
    { "#a=1\n", "#a", NULL },
    { "a=x\\\n    y\\\n  z\n", "a", "xyz" },
    { "a=x\\\\\nb=2\n", "a", "x\\" },
    { "a=x\\\\\nb=2\n", "b", "2" },
    { "k\\:e\\=y\\ s=v\n", "k:e=y s", "v" },
    { "a=\\t\\n\\u00e9\\u20AC\n", "a", "\t\n\xc3\xa9\xe2\x82\xac" },
    { "a=\\uD83D\\uDE00\n", "a", "\xf0\x9f\x98\x80" },
    { "a=caf\xe9\n", "a", "caf\xc3\xa9" },     /* Latin-1 byte */
    { "a=caf\xc3\xa9\n", "a", "caf\xc3\xa9" }, /* already UTF-8 */
    { "a=1\r\nb=2\rc=3", "c", "3" },
    { "a=1\na=2\n", "a", "2" },
    { "wdt_latest=/opt/c\\:/weblogic-deploy.zip", "wdt_latest", "/opt/c:/weblogic-deploy.zip" },
    { "a=\\q\n", "a", "q" },
    { "key", "key", "" },
    { "a=b\\", "a", "b" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *got = props_text(cases[i].text, cases[i].key);
    CHECK_STR_EQ(got, cases[i].want);
    free(got);
  }
}

/* A repeated key keeps its first place and takes its last value (java.util.Properties); a large
 * file parses in one go (one lookup per line made 300000 lines take minutes). */
TEST(parse_repeated_and_many_keys)
{
  const char text[] = "b=1\na=2\nb=3\nc=4\nb=5\n";
  struct wi_props p = { 0 };
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_props_parse(&p, text, sizeof text - 1, &err), 0);
  CHECK_INT_EQ(p.n, 3);
  if (p.n == 3) {
    CHECK_STR_EQ(p.v[0].key, "b");
    CHECK_STR_EQ(p.v[0].value, "5");
    CHECK_STR_EQ(p.v[1].key, "a");
    CHECK_STR_EQ(p.v[2].key, "c");
  }
  wi_props_dispose(&p);

  struct wi_buf b = WI_BUF_INIT(WI_MAX_PROPS_BYTES);
  for (int i = 0; i < 300000; i++)
    wi_buf_addf(&b, NULL, "k%d=v\n", i);
  CHECK_INT_EQ(wi_props_parse(&p, b.data, b.len, &err), 0);
  CHECK_INT_EQ(p.n, 300000);
  CHECK_STR_EQ(wi_props_get(&p, "k299999"), "v");
  wi_props_dispose(&p);
  wi_buf_dispose(&b);
}

TEST(parse_bad_unicode)
{
  struct wi_props p = { 0 };
  wi_err err = { 0 };
  const char *t = "a=1\nb=\\u12G4\n";
  CHECK_INT_EQ(wi_props_parse(&p, t, strlen(t), &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "line 2");
  CHECK_STR_HAS(err.msg, "\\uXXXX");
}

TEST(escape_table)
{
  static const struct {
    const char *in;
    bool key;
    const char *want;
  } cases[] = {
    { "a b", true, "a\\ b" },
    { "a b", false, "a b" },
    { " a", false, "\\ a" },
    { "c:\\x=#!", false, "c\\:\\\\x\\=\\#\\!" },
    { "\xc3\xa9\xe2\x82\xac", false, "\\u00E9\\u20AC" },
    { "\xf0\x9f\x98\x80", false, "\\uD83D\\uDE00" },
    { "t\tn\n", true, "t\\tn\\n" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *got = wi_props_escape(cases[i].in, cases[i].key);
    CHECK_STR_EQ(got, cases[i].want);
    free(got);
  }
}

TEST(store_round_trip)
{
  struct wi_props p = { 0 }, q = { 0 };
  wi_err err = { 0 };
  wi_props_set(&p, "wdt_latest", "/c/weblogic deploy.zip");
  wi_props_set(&p, "odd key=:#!", " leading\\and\xc3\xa9");
  wi_props_set(&p, "wls_14.1.2.0.0_arm64", "/c/w.zip");
  wi_props_sort(&p);
  size_t len = 0;
  char *text = wi_props_store(&p, 0, &len);
  CHECK(strncmp(text, "#changed on:", 12) == 0);
  CHECK(strchr(text, '\n')[1] == '#');
  CHECK_INT_EQ(wi_props_parse(&q, text, len, &err), 0);
  CHECK_INT_EQ(q.n, 3);
  CHECK_STR_EQ(wi_props_get(&q, "wdt_latest"), "/c/weblogic deploy.zip");
  CHECK_STR_EQ(wi_props_get(&q, "odd key=:#!"), " leading\\and\xc3\xa9");
  CHECK_STR_EQ(q.v[0].key, "odd key=:#!"); /* sorted order kept */
  free(text);
  wi_props_dispose(&p);
  wi_props_dispose(&q);
}

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

int
main(void)
{
  RUN(parse_table);
  RUN(parse_repeated_and_many_keys);
  RUN(parse_bad_unicode);
  RUN(escape_table);
  RUN(store_round_trip);
  RUN(candidates_order);
  RUN(cache_lookup_and_checksum);
  DONE();
}
