/* Unit tests: Java properties parsing and writing (props.c). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/props.h"

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

int
main(void)
{
  RUN(parse_table);
  RUN(parse_repeated_and_many_keys);
  RUN(parse_bad_unicode);
  RUN(escape_table);
  RUN(store_round_trip);
  DONE();
}
