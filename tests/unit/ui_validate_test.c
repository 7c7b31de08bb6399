/* Unit tests for src/lib/ui_validate.c: findings per field and the registry error hints. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/fs.h"
#include "lib/str.h"
#include "lib/ui_validate.h"
#include "lib/util.h"

/* Findings for action on a project with aux tag `tag` and push user `user`. malloc'ed. */
static char *
run(const char *action, const char *tag, const char *login_host, const char *user, size_t *n_errors)
{
  struct wi_ui_project p;
  wi_err err = { 0 };
  char *out = NULL;
  wi_ui_project_init(&p, NULL);
  free(p.aux_tag);
  p.aux_tag = wi_xstrdup(tag);
  free(p.aux_login.host);
  p.aux_login.host = wi_xstrdup(login_host);
  struct wi_ui_validate_in in = { .action = action,
                                  .project_file = "/nonexistent/p.json",
                                  .push_user = user };
  CHECK_INT_EQ(wi_ui_validate_run(&p, &in, &out, n_errors, &err), 0);
  wi_ui_project_dispose(&p);
  return out;
}

TEST(tag_grammar_comes_from_the_ref_parser)
{
  size_t n = 0;
  wi_autofree char *a = run("pushAuxImage", "lhr.ocir.io/MyNs/x:1", "", NULL, &n);
  CHECK_INT_EQ(n, 1);
  CHECK_STR_HAS(a, "\"field\":\"aux-tag\"");
  CHECK_STR_HAS(a, "Auxiliary Image Tag: ");
  wi_autofree char *b = run("pushAuxImage", "", "", NULL, &n);
  CHECK_STR_HAS(b, "Auxiliary Image Tag is required.");
  wi_autofree char *c = run("pushAuxImage", "127.0.0.1:5000/ns/x", "", "ns/u", &n);
  CHECK_INT_EQ(n, 0);
  CHECK_STR_HAS(c, "has no tag: it means :latest.");
  CHECK_STR_HAS(c, "\"severity\":\"warning\"");
}

TEST(ocir_rules)
{
  size_t n = 0;
  wi_autofree char *a = run("pushAuxImage", "lhr.ocir.io/ns-b/repo:user3", "", "ns-a/user3", &n);
  CHECK_INT_EQ(n, 1);
  CHECK_STR_HAS(a,
                "User name 'ns-a/user3' does not match the tenancy namespace 'ns-b' in the tag.");
  wi_autofree char *b = run("pushAuxImage", "lhr.ocir.io/repo:1", "", "user3", &n);
  CHECK_INT_EQ(n, 2);
  CHECK_STR_HAS(b, "<tenancy-namespace>/<repository>");
  CHECK_STR_HAS(b, "<tenancy-namespace>/<user>");
  wi_autofree char *c = run("pushAuxImage", "lhr.ocir.io/ns/repo:1", "", "ns/user3", &n);
  CHECK_INT_EQ(n, 0);
  /* elsewhere a differing namespace is only a warning */
  wi_autofree char *d = run("pushAuxImage", "127.0.0.1:5000/ns/repo:1", "", "other/u", &n);
  CHECK_INT_EQ(n, 0);
  CHECK_STR_HAS(d, "does not match the tenancy namespace 'ns'");
  CHECK_STR_HAS(d, "\"confirm\":true"); /* the page asks before pushing */
  wi_autofree char *e = run("pushAuxImage", "lhr.ocir.io/ns/repo:1", "", "NS/u", &n);
  CHECK_STR_HAS(e, "upper-case letters");
  CHECK(wi_ui_validate_is_ocir("phx.ocir.io"));
  CHECK(wi_ui_validate_is_ocir("ocir.us-phoenix-1.oci.oraclecloud.com"));
  CHECK(!wi_ui_validate_is_ocir("ocir.io.evil.example"));
}

TEST(login_host_is_the_tag_host)
{
  size_t n = 0;
  wi_autofree char *a = run("pushAuxImage", "lhr.ocir.io/ns/repo:1", "fra.ocir.io", "ns/u", &n);
  CHECK_INT_EQ(n, 1);
  CHECK_STR_HAS(a, "\"field\":\"aux-push-cred\"");
  CHECK_STR_HAS(a, "the login host is always the tag's host");
}

TEST(create_checks_files)
{
  size_t n = 0;
  wi_autofree char *a = run("createAuxImage", "a/b:1", "", NULL, &n);
  CHECK_STR_HAS(a, "\"field\":\"model-files\"");
  CHECK_STR_HAS(a, "at least one model file");
  struct wi_ui_project p;
  wi_err err = { 0 };
  char *out = NULL;
  wi_ui_project_init(&p, NULL);
  struct wi_ui_validate_in in = { .action = "launchRockets", .project_file = "/x/p.json" };
  CHECK_INT_EQ(wi_ui_validate_run(&p, &in, &out, NULL, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "unknown \"launchRockets\"");
  wi_ui_project_dispose(&p);
}

TEST(registry_error_hints)
{
  wi_err e = { 0 };
  wi_err_set(&e, WI_EAUTH,
             "lhr.ocir.io: wrong username or password (token server answered HTTP 401)");
  wi_autofree char *a =
      wi_ui_validate_registry_error(&e, "lhr.ocir.io", "user3", "lhr.ocir.io/ns/r:1", true);
  CHECK_STR_HAS(a, "\"status\":401");
  CHECK_STR_HAS(a, "auth token, not your console password");
  CHECK_STR_HAS(a, "oracleidentitycloudservice");
  wi_err_set(&e, WI_EDENIED,
             "lhr.ocir.io/ns/r: upload: HTTP 403 DENIED: requested access is denied");
  e.http_status = 403;
  wi_autofree char *b =
      wi_ui_validate_registry_error(&e, "lhr.ocir.io", "ns/u", "lhr.ocir.io/ns/r:1", true);
  CHECK_STR_HAS(b, "\"status\":403,\"code\":\"DENIED\"");
  CHECK_STR_HAS(b, "may not push to ns/r: check the namespace in the tag (ns)");
  wi_err_set(&e, WI_ENET, "GET http://127.0.0.1:1/v2/: Connection refused");
  e.http_status = 0;
  wi_autofree char *c = wi_ui_validate_registry_error(&e, "127.0.0.1:1", NULL, NULL, true);
  CHECK_STR_HAS(c, "\"status\":0,\"code\":null");
  CHECK_STR_HAS(c, "could not be reached");
}

TEST(bump_tag)
{
  static const char *const cases[][2] = {
    { "user3", "user3-2" },   { "user3-2", "user3-3" }, { "1.0", "1.1" },  { "7", "8" },
    { "latest", "latest-2" }, { "v1.9", "v1.9-2" },     { "a-9", "a-10" },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    wi_autofree char *b = wi_ui_validate_bump_tag(cases[i][0]);
    CHECK_STR_EQ(b, cases[i][1]);
  }
}

TEST(kubernetes_and_primary)
{
  struct wi_ui_project p;
  wi_err err = { 0 };
  size_t n = 0;
  wi_ui_project_init(&p, NULL);
  struct wi_ui_validate_in in = { .action = "domainApply", .project_file = "/nonexistent/p.json" };
  wi_autofree char *a = NULL;
  CHECK_INT_EQ(wi_ui_validate_run(&p, &in, &a, &n, &err), 0);
  CHECK_STR_HAS(a, "Domain UID is required.");
  CHECK_STR_HAS(a, "WebLogic Admin Password is required");
  free(p.domain_uid);
  p.domain_uid = wi_xstrdup("Domain_1");
  free(p.aux_ref_mode);
  p.aux_ref_mode = wi_xstrdup("tag");
  in.wls_password = true;
  wi_autofree char *b = NULL;
  CHECK_INT_EQ(wi_ui_validate_run(&p, &in, &b, &n, &err), 0);
  CHECK_STR_HAS(b, "\"field\":\"domain-uid\"");
  CHECK_STR_HAS(b, "Tag only with pull policy IfNotPresent");
  CHECK(strstr(b, "Admin Password") == NULL);
  in.action = "checkImage";
  free(p.primary_tag);
  p.primary_tag = wi_xstrdup("container-registry.oracle.com/middleware/weblogic");
  wi_autofree char *c = NULL;
  CHECK_INT_EQ(wi_ui_validate_run(&p, &in, &c, &n, &err), 0);
  CHECK_INT_EQ(n, 0);
  CHECK_STR_HAS(c, "Primary Image Tag has no tag: it means :latest.");
  in.action = "rm";
  CHECK_INT_EQ(wi_ui_validate_run(&p, &in, &c, &n, &err), WI_EINVAL);
  wi_ui_project_dispose(&p);
}

TEST(hints)
{
  wi_err err = { 0 };
  wi_err_set(&err, WI_EAUTH, "HTTP 401 UNAUTHORIZED: authentication required");
  wi_autofree char *a =
      wi_ui_validate_registry_error(&err, "lhr.ocir.io", "ns/me@example.com", NULL, true);
  CHECK_STR_HAS(a, "oracleidentitycloudservice/<user>.");
  CHECK_STR_HAS(a, "federated user");
  wi_autofree char *b =
      wi_ui_validate_registry_error(&err, "container-registry.oracle.com", "me", NULL, true);
  CHECK_STR_HAS(b, "accept the terms");
  wi_err_set(&err, WI_ENET, "connection refused");
  wi_autofree char *c = wi_ui_validate_registry_error(&err, "127.0.0.1:1", NULL, NULL, true);
  CHECK_STR_HAS(c, "127.0.0.1 resolves to 127.0.0.1");
}

int
main(void)
{
  RUN(tag_grammar_comes_from_the_ref_parser);
  RUN(ocir_rules);
  RUN(login_host_is_the_tag_host);
  RUN(create_checks_files);
  RUN(registry_error_hints);
  RUN(bump_tag);
  RUN(kubernetes_and_primary);
  RUN(hints);
  DONE();
}
