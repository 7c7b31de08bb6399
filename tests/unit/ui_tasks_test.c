/* Unit tests for the request bodies of src/lib/ui_tasks.c and src/lib/ui_creds.c, and the shell
 * quoting of src/lib/ui_render.c. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/fs.h"
#include "lib/str.h"
#include "lib/ui_creds.h"
#include "lib/ui_render.h"
#include "lib/ui_tasks.h"
#include "lib/util.h"

static const struct {
  const char *json;
  int code;
  const char *msg;
} bad_jobs[] = {
  { "", WI_EINVAL, "request body:" },
  { "[]", WI_EINVAL, "expected an object" },
  { "{}", WI_EINVAL, "type: required" },
  { "{\"type\":\"rm -rf\"}", WI_EINVAL, "unknown job type \"rm -rf\"" },
  { "{\"type\":\"pushAuxImage\",\"x\":1}", WI_EINVAL, "x: unknown field" },
  { "{\"type\":\"pushAuxImage\",\"params\":[]}", WI_EINVAL, "params: expected an object" },
  { "{\"type\":\"pushAuxImage\",\"params\":{\"pass\":\"x\"}}", WI_EINVAL, "params.pass: unknown" },
  { "{\"type\":\"pushAuxImage\",\"params\":{\"user\":1}}", WI_EINVAL,
    "params.user: expected a string" },
  { "{\"type\":\"pushAuxImage\",\"params\":{\"remember\":\"no\"}}", WI_EINVAL, "params.remember" },
  { "{\"type\":\"pushAuxImage\",\"params\":{\"where\":\"disk\"}}", WI_EINVAL, "params.where" },
};

TEST(job_requests)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(bad_jobs); i++) {
    struct wi_ui_tasks_req r;
    wi_err err = { 0 };
    CHECK_INT_EQ(wi_ui_tasks_parse(&r, bad_jobs[i].json, strlen(bad_jobs[i].json), &err),
                 bad_jobs[i].code);
    CHECK_STR_HAS(err.msg, bad_jobs[i].msg);
  }
  struct wi_ui_tasks_req r;
  wi_err err = { 0 };
  static const char ok[] = "{\"type\":\"pushAuxImage\",\"params\":{\"user\":\"ns/u\",\"password\":"
                           "\"tok\",\"remember\":false,\"where\":\"session\"}}";
  CHECK_INT_EQ(wi_ui_tasks_parse(&r, ok, strlen(ok), &err), 0);
  CHECK_STR_EQ(r.type, "pushAuxImage");
  CHECK_STR_EQ(r.user, "ns/u");
  CHECK_STR_EQ(r.password, "tok");
  CHECK(!r.remember);
  CHECK_STR_EQ(r.where, "session");
  wi_ui_tasks_req_dispose(&r);
  CHECK_INT_EQ(wi_ui_tasks_parse(&r, "{\"type\":\"createAuxImage\"}", 25, &err), 0);
  CHECK(r.remember);
  CHECK(r.password == NULL);
  wi_ui_tasks_req_dispose(&r);
  static const char k8s[] =
      "{\"type\":\"domainApply\",\"params\":{\"wlsPassword\":\"w\",\"dryRun\":"
      "true,\"modelSecrets\":{\"db:password\":\"s\"}}}";
  CHECK_INT_EQ(wi_ui_tasks_parse(&r, k8s, strlen(k8s), &err), 0);
  CHECK_STR_EQ(r.wls_password, "w");
  CHECK(r.dry_run);
  CHECK_INT_EQ(r.model_secrets.n, 1);
  CHECK_STR_EQ(r.model_secrets.v[0].key, "db:password");
  wi_ui_tasks_req_dispose(&r);
  static const char badkey[] =
      "{\"type\":\"domainApply\",\"params\":{\"modelSecrets\":{\"db\":\"s\"}}}";
  CHECK_INT_EQ(wi_ui_tasks_parse(&r, badkey, strlen(badkey), &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "expected \"name:key\"");
  CHECK(wi_ui_tasks_known("createAndPush"));
  CHECK(!wi_ui_tasks_known("nope"));
  /* createPrimary with dryRun validates as the Dockerfile preview (no engine needed) */
  static const char prim[] =
      "{\"type\":\"createPrimary\",\"params\":{\"dryRun\":true,\"supportPassword\":\"pw\"}}";
  CHECK_INT_EQ(wi_ui_tasks_parse(&r, prim, strlen(prim), &err), 0);
  CHECK_STR_EQ(r.support_password, "pw");
  CHECK_STR_EQ(wi_ui_tasks_action(&r), "previewPrimary");
  r.dry_run = false;
  CHECK_STR_EQ(wi_ui_tasks_action(&r), "createPrimary");
  wi_ui_tasks_req_dispose(&r);
  static const char empty_pw[] =
      "{\"type\":\"createPrimary\",\"params\":{\"supportPassword\":\"\"}}";
  CHECK_INT_EQ(wi_ui_tasks_parse(&r, empty_pw, strlen(empty_pw), &err), 0);
  CHECK(r.support_password == NULL);
  CHECK_STR_EQ(wi_ui_tasks_action(&r), "createPrimary");
  wi_ui_tasks_req_dispose(&r);
}

TEST(credential_bodies)
{
  struct wi_ui_creds_body b;
  wi_err err = { 0 };
  static const char ok[] = "{\"host\":\"lhr.ocir.io\",\"user\":\"ns/u\",\"password\":\"t\","
                           "\"where\":\"session\",\"verify\":false}";
  CHECK_INT_EQ(wi_ui_creds_parse_body(&b, ok, strlen(ok), &err), 0);
  CHECK_STR_EQ(b.host, "lhr.ocir.io");
  CHECK(b.session);
  CHECK(!b.verify);
  wi_ui_creds_body_dispose(&b);
  static const char nopass[] = "{\"host\":\"h\",\"user\":\"u\"}";
  CHECK_INT_EQ(wi_ui_creds_parse_body(&b, nopass, strlen(nopass), &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "password: required");
  static const char empty[] = "{\"host\":\"h\",\"user\":\"u\",\"password\":\"\"}";
  CHECK_INT_EQ(wi_ui_creds_parse_body(&b, empty, strlen(empty), &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "must not be empty");
  static const char extra[] = "{\"host\":\"h\",\"user\":\"u\",\"password\":\"p\",\"token\":1}";
  CHECK_INT_EQ(wi_ui_creds_parse_body(&b, extra, strlen(extra), &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "token: unknown field");
}

TEST(session_logins)
{
  struct wi_ui_creds *c = wi_ui_creds_new(NULL);
  wi_err err = { 0 };
  char *user = NULL, *pass = NULL, *where = NULL;
  CHECK_INT_EQ(wi_ui_creds_save(c, "reg.example:5000", "ns/u", "s3cret", true, &where, &err), 0);
  CHECK_STR_EQ(where, "session");
  free(where);
  CHECK_INT_EQ(wi_ui_creds_resolve(c, "reg.example:5000", "ns/u", &user, &pass, NULL, &err), 0);
  CHECK_STR_EQ(pass, "s3cret");
  free(user);
  wi_alloc_secret_free(pass);
  wi_autofree char *d = wi_ui_creds_describe(c, "reg.example:5000");
  CHECK_STR_HAS(d, "\"user\":\"ns/u\",\"stored\":true,\"where\":\"session\"");
  CHECK(strstr(d, "s3cret") == NULL);
  CHECK_INT_EQ(wi_ui_creds_forget(c, "reg.example:5000", &err), 0);
  wi_ui_creds_free(c);
}

TEST(shell_quote)
{
  wi_autofree char *a = wi_ui_render_shell_quote("lhr.ocir.io/ns/x:user3");
  CHECK_STR_EQ(a, "lhr.ocir.io/ns/x:user3");
  wi_autofree char *b = wi_ui_render_shell_quote("a b");
  CHECK_STR_EQ(b, "'a b'");
  wi_autofree char *c = wi_ui_render_shell_quote("it's");
  CHECK_STR_EQ(c, "'it'\\''s'");
  wi_autofree char *d = wi_ui_render_shell_quote("");
  CHECK_STR_EQ(d, "''");
  wi_autofree char *e = wi_ui_render_shell_quote("$TOKEN");
  CHECK_STR_EQ(e, "'$TOKEN'");
}

int
main(void)
{
  /* no login file of the machine's may answer */
  setenv("HOME", "/nonexistent", 1);
  setenv("DOCKER_CONFIG", "/nonexistent", 1);
  unsetenv("REGISTRY_AUTH_FILE");
  unsetenv("XDG_RUNTIME_DIR");
  RUN(job_requests);
  RUN(credential_bodies);
  RUN(session_logins);
  RUN(shell_quote);
  DONE();
}
