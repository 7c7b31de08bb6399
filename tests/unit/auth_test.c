/* Unit tests for src/lib/auth.c: WWW-Authenticate challenges, token responses, Basic headers. */
#include <string.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/auth.h"
#include "lib/buf.h"

struct chal_want {
  const char *scheme, *realm, *service, *scope, *error;
};

struct chal_case {
  const char *header;
  size_t n;
  struct chal_want c[3];
};

static const struct chal_case chal_cases[] = {
  { "Basic realm=\"test-realm\"", 1, { { "basic", "test-realm", NULL, NULL, NULL } } },
  /* docker-registry 2.8.2 on /v2/ */
  { "Bearer realm=\"http://127.0.0.1:5571/token\",service=\"test-registry\"",
    1,
    { { "bearer", "http://127.0.0.1:5571/token", "test-registry", NULL, NULL } } },
  /* quoted commas in scope */
  { "Bearer realm=\"https://auth.example/token\",service=\"reg\",scope=\"repository:a/b:pull,push\"",
    1,
    { { "bearer", "https://auth.example/token", "reg", "repository:a/b:pull,push", NULL } } },
  /* insufficient_scope */
  { "Bearer realm=\"r\",service=\"s\",scope=\"repository:x:pull,push\",error=\"insufficient_scope\"",
    1,
    { { "bearer", "r", "s", "repository:x:pull,push", "insufficient_scope" } } },
  /* old zot: lower-case scheme, unquoted values with ':' and '/' */
  { "bearer realm=http://127.0.0.1:8080/auth/token,service=zot",
    1,
    { { "bearer", "http://127.0.0.1:8080/auth/token", "zot", NULL, NULL } } },
  /* case-insensitive scheme and parameter names */
  { "BEARER Realm=\"R\", SERVICE=\"S\"", 1, { { "bearer", "R", "S", NULL, NULL } } },
  /* several challenges in one header */
  { "Basic realm=x, Bearer realm=y,service=z",
    2,
    { { "basic", "x", NULL, NULL, NULL }, { "bearer", "y", "z", NULL, NULL } } },
  { "Basic realm=\"a, b\", Bearer realm=\"y\", scope=\"repository:a:pull repository:b:pull\"",
    2,
    { { "basic", "a, b", NULL, NULL, NULL },
      { "bearer", "y", NULL, "repository:a:pull repository:b:pull", NULL } } },
  /* escapes inside quoted strings */
  { "Basic realm=\"say \\\"hi\\\" \\\\ ok\"",
    1,
    { { "basic", "say \"hi\" \\ ok", NULL, NULL, NULL } } },
  /* token68 and a scheme without parameters */
  { "Negotiate, Basic realm=\"r\"",
    2,
    { { "negotiate", NULL, NULL, NULL, NULL }, { "basic", "r", NULL, NULL, NULL } } },
  { "Newauth abc123==, Basic realm=r",
    2,
    { { "newauth", NULL, NULL, NULL, NULL }, { "basic", "r", NULL, NULL, NULL } } },
  /* OCIR: empty scope */
  { "Bearer realm=\"https://phx.ocir.io/20180419/docker/token\",service=\"phx.ocir.io\",scope=\"\"",
    1,
    { { "bearer", "https://phx.ocir.io/20180419/docker/token", "phx.ocir.io", "", NULL } } },
  /* white space around '=' and commas, unknown parameters ignored, first duplicate wins */
  { "  Bearer  realm = \"r\" ,, charset=\"UTF-8\", realm=\"second\" ,service=s  ",
    1,
    { { "bearer", "r", "s", NULL, NULL } } },
};

TEST(test_challenges)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(chal_cases); i++) {
    const struct chal_case *tc = &chal_cases[i];
    struct wi_auth_challenge *c = NULL;
    size_t n = 0;
    wi_err err = { 0 };
    int ret = wi_auth_parse_challenges(tc->header, &c, &n, &err);
    if (ret != 0) {
      fprintf(stderr, "  case %zu (%s): %s\n", i, tc->header, err.msg);
      CHECK(ret == 0);
      continue;
    }
    CHECK_INT_EQ(n, tc->n);
    for (size_t k = 0; k < n && k < tc->n; k++) {
      CHECK_STR_EQ(c[k].scheme, tc->c[k].scheme);
      CHECK_STR_EQ(c[k].realm, tc->c[k].realm);
      CHECK_STR_EQ(c[k].service, tc->c[k].service);
      CHECK_STR_EQ(c[k].scope, tc->c[k].scope);
      CHECK_STR_EQ(c[k].error, tc->c[k].error);
    }
    wi_auth_challenges_free(c, n);
  }
}

TEST(test_challenge_errors)
{
  static const struct {
    const char *header;
    const char *msg;
  } cases[] = {
    { "", "no challenge" },
    { " , ,", "no challenge" },
    { "Bearer realm=\"unterminated", "unterminated quoted string" },
    { "Bearer realm=\"x\\", "unterminated quoted string" },
    { "=realm", "expected an authentication scheme" },
    { "Bearer realm=\"a\" service=\"b\"", "expected ',' after a parameter" },
    { "Bearer realm=\"a\", =b", "expected a parameter name" },
    { "Bearer\"x\"", "expected a space after the scheme" },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    struct wi_auth_challenge *c = NULL;
    size_t n = 0;
    wi_err err = { 0 };
    int ret = wi_auth_parse_challenges(cases[i].header, &c, &n, &err);
    CHECK_INT_EQ(ret, WI_EINVAL);
    CHECK_INT_EQ(err.code, WI_EINVAL);
    CHECK_STR_HAS(err.msg, cases[i].msg);
    CHECK(c == NULL);
  }
}

TEST(test_too_many_challenges)
{
  struct wi_buf b = WI_BUF_INIT(1 << 20);
  for (int i = 0; i < 40; i++)
    wi_buf_adds(&b, "Basic realm=x, ", NULL);
  struct wi_auth_challenge *c = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_auth_parse_challenges(wi_buf_cstr(&b), &c, &n, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "too many challenges");
  wi_buf_dispose(&b);
}

TEST(test_token_responses)
{
  static const struct {
    const char *body;
    const char *token, *refresh;
    double expires;
  } cases[] = {
    { "{\"token\":\"T\",\"access_token\":\"A\",\"expires_in\":300,\"issued_at\":\"2026-11-23T14:34:40Z\"}",
      "A", NULL, 300 },
    { "{\"token\":\"T\"}", "T", NULL, 60 },
    { "{\"token\":\"T\",\"expires_in\":10}", "T", NULL, 60 },
    { "{\"access_token\":\"A\",\"expires_in\":3600.5,\"refresh_token\":\"R\"}", "A", "R", 3600.5 },
    /* empty access_token falls back to token */
    { "{\"access_token\":\"\",\"token\":\"T\",\"expires_in\":120}", "T", NULL, 120 },
    /* issued_at long ago: still counted from receipt */
    { "{\"token\":\"T\",\"expires_in\":120,\"issued_at\":\"2001-01-01T00:00:00Z\"}", "T", NULL,
      120 },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    struct wi_token t;
    wi_err err = { 0 };
    int ret = wi_auth_parse_token_response(cases[i].body, strlen(cases[i].body), 1000.0, &t, &err);
    CHECK_INT_EQ(ret, 0);
    if (ret)
      continue;
    CHECK_STR_EQ(t.token, cases[i].token);
    CHECK_STR_EQ(t.refresh_token, cases[i].refresh);
    CHECK(t.expires_at == 1000.0 + cases[i].expires);
    wi_auth_token_dispose(&t);
    CHECK(t.token == NULL);
  }
}

TEST(test_token_response_errors)
{
  static const struct {
    const char *body;
    int code;
    const char *msg;
  } cases[] = {
    { "not json secret-ish", WI_EPROTO, "not valid JSON (line 1" },
    { "[\"token\"]", WI_EPROTO, "not a JSON object" },
    { "{}", WI_EPROTO, "has neither \"access_token\" nor \"token\"" },
    { "{\"token\":\"\"}", WI_EPROTO, "has neither" },
    { "{\"token\":5}", WI_EPROTO, "has neither" },
    { "{\"token\":\"T\",\"expires_in\":\"300\"}", WI_EPROTO, "expires_in: expected a number" },
    { "{\"token\":\"T\",\"token\":\"U\"}", WI_EPROTO, "not valid JSON" },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    struct wi_token t = { 0 };
    wi_err err = { 0 };
    int ret = wi_auth_parse_token_response(cases[i].body, strlen(cases[i].body), 0, &t, &err);
    CHECK_INT_EQ(ret, cases[i].code);
    CHECK_STR_HAS(err.msg, cases[i].msg);
    CHECK(strstr(err.msg, "secret") == NULL);
    CHECK(t.token == NULL);
  }
}

TEST(test_basic_header)
{
  char *h = wi_auth_basic_header("alice", "s3cret");
  CHECK_STR_EQ(h, "Basic YWxpY2U6czNjcmV0");
  wi_alloc_secret_free(h);
  /* OCIR federated user names keep their slashes; passwords may hold ':' */
  h = wi_auth_basic_header("tenancy/oracleidentitycloudservice/u@x.com", "a:b");
  CHECK_STR_EQ(h, "Basic dGVuYW5jeS9vcmFjbGVpZGVudGl0eWNsb3Vkc2VydmljZS91QHguY29tOmE6Yg==");
  wi_alloc_secret_free(h);
}

int
main(void)
{
  RUN(test_challenges);
  RUN(test_challenge_errors);
  RUN(test_too_many_challenges);
  RUN(test_token_responses);
  RUN(test_token_response_errors);
  RUN(test_basic_header);
  DONE();
}
