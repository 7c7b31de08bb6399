/* Unit tests: ARU's XML formats and the client's host rules (aru.c). */
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/aru.h"

static const char search_xml[] =
    "<results md5_sum=\"x\"><generated_date>2026-01-01</generated_date>"
    /* generic, with a PSU bundle, CDATA and an upper-case digest */
    "<patch><bug><number>33286160</number><abstract><![CDATA[WLS PATCH SET UPDATE 12.2.1.4.210930]]></abstract></bug>"
    "<name>33286160</name><psu_bundle>Oracle WebLogic Server 12.2.1.4.210930</psu_bundle>"
    "<access id=\"m\">Open access</access><product id=\"15991\">Oracle WebLogic Server</product>"
    "<release id=\"600000000001\" name=\"12.2.1.4.0\"><![CDATA[Oracle WebLogic Server 12.2.1.4.0]]></release>"
    "<platform id=\"2000\">Generic Platform</platform>"
    "<files><file><name>p33286160_122140_Generic.zip</name>"
    "<download_url host=\"https://updates.oracle.com\"><![CDATA[/Orion/Services/download/p33286160_122140_Generic.zip?aru=1&patch_file=p33286160_122140_Generic.zip]]></download_url>"
    "<digest type=\"SHA-1\">0000</digest>"
    "<digest type=\"SHA-256\">8BFC99E439DA1D1663F88D6859EC19E9926A473C96B95889ABE5F45C055E1BB3</digest>"
    "</file></files></patch>"
    /* amd64 */
    "<patch><bug><number>55555555</number><abstract>x86 fix</abstract></bug><name>55555555</name>"
    "<release id=\"7\" name=\"12.2.1.4.0\">r</release><platform id=\"226\">Linux x86-64</platform>"
    "<files><file><download_url host=\"https://h\">/d/p5.zip?patch_file=p5.zip</download_url></file></files></patch>"
    /* HP-UX: not read */
    "<patch><bug><number>55555555</number></bug><name>55555555</name><release id=\"7\" name=\"12.2.1.4.0\">r</release>"
    "<platform id=\"197\">HP-UX</platform><files><file><download_url host=\"https://h\">/d?patch_file=hp.zip</download_url></file></files></patch>"
    /* no patch_file=: dropped as WIT does */
    "<patch><bug><number>1</number></bug><name>11111111</name><platform id=\"2000\"/>"
    "<files><file><download_url host=\"https://h\">/d/x.zip?aru=1</download_url></file></files></patch>"
    /* a file name that would leave the cache directory: dropped */
    "<patch><bug><number>1</number></bug><name>22222222</name><platform id=\"2000\"/>"
    "<files><file><download_url host=\"https://h\">/d?patch_file=../../etc/x.zip</download_url></file></files></patch>"
    "</results>";

TEST(patches_mapping)
{
  struct wi_aru_patch *v = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_aru_parse_patches(search_xml, sizeof search_xml - 1, &v, &n, &err), 0);
  CHECK_INT_EQ(n, 2);
  if (n != 2)
    return;
  CHECK_STR_EQ(v[0].bug, "33286160");
  CHECK_STR_EQ(v[0].version, "12.2.1.4.0");
  CHECK_STR_EQ(v[0].release, "600000000001");
  CHECK_STR_EQ(v[0].release_name, "Oracle WebLogic Server 12.2.1.4.0");
  CHECK_STR_EQ(v[0].description, "WLS PATCH SET UPDATE 12.2.1.4.210930");
  CHECK_STR_EQ(v[0].product, "15991");
  CHECK_STR_EQ(v[0].psu_bundle, "Oracle WebLogic Server 12.2.1.4.210930");
  CHECK_STR_EQ(v[0].access, "Open access");
  CHECK_STR_EQ(
      v[0].download_url,
      "https://updates.oracle.com/Orion/Services/download/p33286160_122140_Generic.zip?aru=1&patch_file=p33286160_122140_Generic.zip");
  CHECK_STR_EQ(v[0].file_name, "p33286160_122140_Generic.zip");
  CHECK_STR_EQ(v[0].sha256, "8bfc99e439da1d1663f88d6859ec19e9926a473c96b95889abe5f45c055e1bb3");
  CHECK_INT_EQ(v[0].platform, 2000);
  CHECK_INT_EQ(v[1].platform, 226);
  CHECK_STR_EQ(v[1].file_name, "p5.zip");
  CHECK(v[1].psu_bundle == NULL);
  CHECK(v[1].sha256 == NULL);
  struct wi_aru_patch copy = { 0 };
  wi_aru_patch_copy(&copy, &v[0]);
  CHECK_STR_EQ(copy.sha256, v[0].sha256);
  wi_aru_patch_dispose(&copy);
  wi_aru_patches_free(v, n);
}

/* Each malformed or refused answer: its code and a piece of its message. */
TEST(answers_refused)
{
  static const struct {
    const char *xml;
    int code;
    int sys_errno;
    const char *msg;
  } cases[] = {
    { "<results><error><id>10-016</id><message>No patches found. Clear your search and try again.</message></error></results>",
      WI_ENOTFOUND, 0, "Oracle Support answered with error 10-016: No patches found." },
    { "<results><error><id>10-001</id><message>Invalid\nrelease</message></error></results>",
      WI_EPROTO, 0, "error 10-001: Invalid release" },
    { "<results><error/></results>", WI_EPROTO, 0, "error (no id): (no message)" },
    { "<results><patch>", WI_EPROTO, EBADMSG, "malformed XML answer (line 1" },
    { "", WI_EPROTO, EBADMSG, "malformed XML answer" },
    { "<html><body>Sign in</body></html>", WI_EPROTO, 0,
      "root element <html>, expected <results>" },
    { "<!DOCTYPE results [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]><results>&b;</results>",
      WI_EPROTO, 0, "with a DOCTYPE: refused" },
    { "<!DOCTYPE results SYSTEM \"http://127.0.0.1:1/x.dtd\"><results/>", WI_EPROTO, 0, "DOCTYPE" },
    { "<results>&undefined;</results>", WI_EPROTO, EBADMSG, "malformed XML" },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    struct wi_aru_patch *v = NULL;
    size_t n = 0;
    wi_err err = { 0 };
    int ret = wi_aru_parse_patches(cases[i].xml, strlen(cases[i].xml), &v, &n, &err);
    CHECK_INT_EQ(ret, cases[i].code);
    CHECK_INT_EQ(err.sys_errno, cases[i].sys_errno);
    CHECK_STR_HAS(err.msg, cases[i].msg);
  }
  /* the size cap comes before parsing */
  size_t big = WI_ARU_MAX_XML + 1;
  char *huge = wi_xmalloc(big);
  memset(huge, ' ', big);
  struct wi_aru_release *r = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_aru_parse_releases(huge, big, &r, &n, &err), WI_EPROTO);
  CHECK_STR_HAS(err.msg, "larger than");
  free(huge);
  /* an answer that is not an error */
  CHECK_INT_EQ(wi_aru_parse_error("<results><language id=\"0\"/></results>", 37, &err), 0);
}

TEST(releases)
{
  static const char xml[] =
      "<results><release id=\"336\" name=\"12.2.1.3.0\"><![CDATA[Oracle WebLogic Server 12.2.1.3.0]]></release>"
      "<release id=\"9\" name=\"12.2.1.4.21\">Oracle WebLogic Server 12.2.1.4.210930 extra</release>"
      "<release id=\"10\" name=\"12.2.1.4.210930\">Oracle WebLogic Server 12.2.1.4.210930</release>"
      "<release name=\"x\">Oracle Coherence 12.2.1.3.0</release></results>";
  struct wi_aru_release *r = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_aru_parse_releases(xml, sizeof xml - 1, &r, &n, &err), 0);
  CHECK_INT_EQ(n, 4);
  CHECK_STR_EQ(r[0].name, "12.2.1.3.0");
  CHECK_STR_EQ(wi_aru_release_find(r, n, "Oracle WebLogic Server", "12.2.1.3.0"), "336");
  /* an exact text wins over an earlier release that only starts with it */
  CHECK_STR_EQ(wi_aru_release_find(r, n, "Oracle WebLogic Server", "12.2.1.4.210930"), "10");
  /* WIT's starts-with */
  CHECK_STR_EQ(wi_aru_release_find(r, n, "Oracle WebLogic Server", "12.2.1.3"), "336");
  CHECK(wi_aru_release_find(r, n, "Oracle WebLogic Server", "14.1.1.0.0") == NULL);
  CHECK(wi_aru_release_find(r, n, "Oracle Coherence", "12.2.1.3.0") == NULL); /* no id */
  wi_aru_releases_free(r, n);
}

TEST(conflicts)
{
  static const char xml[] =
      "<conflict_check platform_id=\"2000\"><conflict_free_list/><conflict_sets>"
      "<set><merge_patches><patch flag=\"candidate\" release_id=\"1\"><bug><number>11111111</number></bug></patch>"
      "<patch flag=\"installed\"><bug><number>22222222</number><abstract>x</abstract></bug></patch></merge_patches></set>"
      "<set><merge_patches/></set>"
      "<set><merge_patches><patch><bug><number>33333333</number></bug></patch></merge_patches></set>"
      "</conflict_sets></conflict_check>";
  struct wi_aru_conflict_set *s = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_aru_parse_conflicts(xml, sizeof xml - 1, &s, &n, &err), 0);
  CHECK_INT_EQ(n, 2);
  if (n == 2) {
    CHECK_INT_EQ(s[0].n, 2);
    CHECK_STR_EQ(s[0].bugs[0], "11111111");
    CHECK_STR_EQ(s[0].bugs[1], "22222222");
    CHECK_STR_EQ(s[1].bugs[0], "33333333");
  }
  wi_aru_conflicts_free(s, n);
  static const char none[] =
      "<conflict_check><conflict_free_list/><conflict_sets/></conflict_check>";
  CHECK_INT_EQ(wi_aru_parse_conflicts(none, sizeof none - 1, &s, &n, &err), 0);
  CHECK_INT_EQ(n, 0);
  static const char error[] =
      "<results><error><id>1</id><message>bad request</message></error></results>";
  CHECK_INT_EQ(wi_aru_parse_conflicts(error, sizeof error - 1, &s, &n, &err), WI_EPROTO);
  CHECK_STR_HAS(err.msg, "bad request");
}

TEST(conflict_request)
{
  const char *upis[] = { "24524289", "2441\"<1562" };
  char b1[] = "12345678", r1[] = "600000000098910", b2[] = "8&";
  struct wi_aru_patch c[] = { { .bug = b1, .release = r1 }, { .bug = b2, .release = NULL } };
  char *x = wi_aru_conflict_request(upis, 2, c, 2);
  CHECK_STR_EQ(x, "<conflict_check_request>\n"
                  "  <platform>2000</platform>\n"
                  "  <target_patch_list>\n"
                  "    <installed_patch upi=\"24524289\"/>\n"
                  "    <installed_patch upi=\"2441&quot;&lt;1562\"/>\n"
                  "  </target_patch_list>\n"
                  "  <candidate_patch_list>\n"
                  "    <patch_group rel_id=\"600000000098910\">12345678</patch_group>\n"
                  "    <patch_group rel_id=\"\">8&amp;</patch_group>\n"
                  "  </candidate_patch_list>\n"
                  "</conflict_check_request>\n");
  free(x);
}

TEST(credentials_go_only_to_aru)
{
  static const struct {
    const char *host, *url;
    bool allowed;
  } cases[] = {
    { "updates.oracle.com", "https://updates.oracle.com/Orion/Services/search?bug=1", true },
    { "updates.oracle.com", "https://UPDATES.oracle.com:443/x", true },
    { "updates.oracle.com", "https://login.oracle.com/mysso/signon.jsp", true },
    { "updates.oracle.com", "http://updates.oracle.com/Orion/Services/search", false },
    { "updates.oracle.com", "https://updates.oracle.com:8443/x", false },
    { "updates.oracle.com", "https://updates.oracle.com.example.net/x", false },
    { "updates.oracle.com", "https://aru-akam.oracle.com/x.zip?AuthParam=1", false },
    { "updates.oracle.com", "https://user:pw@example.net/", false },
    { "updates.oracle.com", "ftp://updates.oracle.com/x", false },
    { "updates.oracle.com", "not a url", false },
    { "127.0.0.1:8443", "https://127.0.0.1:8443/Orion/Services/x", true },
    { "127.0.0.1:8443", "https://localhost:8443/Orion/Services/x", false },
    { "127.0.0.1:8443", "https://login.oracle.com/mysso/signon.jsp", false },
    { "aru.example.com", "https://aru.example.com:443/", true },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    bool got = wi_aru_auth_allowed(cases[i].host, cases[i].url);
    if (got != cases[i].allowed)
      fprintf(stderr, "  case %zu: %s → %s\n", i, cases[i].host, cases[i].url);
    CHECK(got == cases[i].allowed);
  }
}

TEST(aru_host_values)
{
  static const char *const good[] = { "updates.oracle.com", "127.0.0.1:8443", "[::1]:8443",
                                      "aru-test.example.com" };
  static const char *const bad[] = { "",
                                     "https://updates.oracle.com",
                                     "updates.oracle.com/Orion",
                                     "user@updates.oracle.com",
                                     "updates.oracle.com:99999",
                                     "updates oracle com" };
  wi_err err = { 0 };
  for (size_t i = 0; i < WI_ARRAY_SIZE(good); i++)
    CHECK_INT_EQ(wi_aru_check_host(good[i], &err), 0);
  for (size_t i = 0; i < WI_ARRAY_SIZE(bad); i++) {
    CHECK_INT_EQ(wi_aru_check_host(bad[i], &err), WI_EINVAL);
    CHECK_STR_HAS(err.msg, "is not a host name with an optional port");
  }
  /* the client refuses such a host before it talks to anything */
  struct wi_aru *a = NULL;
  struct wi_aru_opts o = { .host = "http://x/", .retry_interval_ms = -1 };
  CHECK_INT_EQ(wi_aru_new(&a, &o, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "WLSIMG_ARU_HOST");
}

/* The credential check refuses missing credentials without a request. */
TEST(check_without_credentials)
{
  struct wi_aru *a = NULL;
  wi_err err = { 0 };
  struct wi_aru_opts o = { .host = "127.0.0.1:1",
                           .user = "u@example.com",
                           .retry_interval_ms = -1 };
  CHECK_INT_EQ(wi_aru_new(&a, &o, &err), 0);
  CHECK_STR_EQ(wi_aru_host(a), "127.0.0.1:1");
  CHECK_INT_EQ(wi_aru_check_credentials(a, &err), WI_EAUTH);
  CHECK_STR_HAS(err.msg, "Invalid Oracle support credentials");
  wi_aru_free(a);
}

int
main(void)
{
  RUN(patches_mapping);
  RUN(answers_refused);
  RUN(releases);
  RUN(conflicts);
  RUN(conflict_request);
  RUN(credentials_go_only_to_aru);
  RUN(aru_host_values);
  RUN(check_without_credentials);
  DONE();
}
