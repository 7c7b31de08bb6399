/* Unit tests for src/lib/k8s_model.c: the @@PROP, @@ENV and @@SECRET macros of WDT models and what
 * they ask of a Domain. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/k8s.h"
#include "lib/props.h"

static const struct wi_k8s_model_ref *
find(const struct wi_k8s_model_refs *r, enum wi_k8s_model_token kind, const char *name)
{
  for (size_t i = 0; i < r->n; i++)
    if (r->v[i].kind == kind && strcmp(r->v[i].name, name) == 0)
      return &r->v[i];
  return NULL;
}

static const char model[] =
    "# @@PROP:IN_COMMENT@@ is a comment, not a macro\n"
    "domainInfo:\n"
    "  AdminUserName: '@@SECRET:__weblogic-credentials__:username@@'\n"
    "  AdminPassword: '@@SECRET:__weblogic-credentials__:password@@'\n"
    "topology:\n"
    "  Name: '@@ENV:CUSTOM_DOMAIN_NAME@@'\n"
    "  '@@PROP:SERVER_KEY@@':\n"
    "    ListenPort: '@@PROP:PORT@@'\n"
    "resources:\n"
    "  JDBCSystemResource:\n"
    "    ds:\n"
    "      Password: '@@SECRET:db:password@@'\n"
    "      User: \"@@SECRET:db:username@@\"\n"
    "      Url: '@@SECRET:@@ENV:DOMAIN_UID@@-ldap:url@@'\n"
    "      Other: 'jdbc:@@PROP:PORT@@/x @@FILE:/dir/@@PROP:FNAME@@.txt@@ a@@b'\n";

TEST(scan)
{
  struct wi_k8s_model_refs r = { 0 };
  wi_err err = { 0 };

  CHECK_INT_EQ(wi_k8s_model_scan(&r, "m.yaml", model, sizeof model - 1, &err), 0);
  CHECK(find(&r, WI_K8S_TOKEN_PROP, "IN_COMMENT") == NULL);
  const struct wi_k8s_model_ref *port = find(&r, WI_K8S_TOKEN_PROP, "PORT");
  CHECK(port != NULL);
  CHECK_STR_EQ(port ? port->where : NULL, "m.yaml:8");      /* first use */
  CHECK(find(&r, WI_K8S_TOKEN_PROP, "SERVER_KEY") != NULL); /* keys are substituted too */
  CHECK(find(&r, WI_K8S_TOKEN_PROP, "FNAME") != NULL);      /* nested in @@FILE */
  CHECK(find(&r, WI_K8S_TOKEN_ENV, "CUSTOM_DOMAIN_NAME") != NULL);
  CHECK(find(&r, WI_K8S_TOKEN_ENV, "DOMAIN_UID") != NULL); /* nested in a secret name */
  const struct wi_k8s_model_ref *ldap = find(&r, WI_K8S_TOKEN_SECRET, "@@ENV:DOMAIN_UID@@-ldap");
  CHECK(ldap != NULL);
  CHECK_STR_EQ(ldap ? ldap->key : NULL, "url");
  size_t secrets = 0;
  for (size_t i = 0; i < r.n; i++)
    secrets += r.v[i].kind == WI_K8S_TOKEN_SECRET;
  CHECK_INT_EQ(secrets, 5);
  wi_k8s_model_refs_dispose(&r);

  /* What WDT leaves unresolved and fails on is an error here, naming the line. */
  const struct {
    const char *text, *msg;
  } bad[] = {
    { "a:\n  b: '@@PROP:has space@@'\n", "m.yaml:2: malformed macro \"@@PROP:has space@@\"" },
    { "a: '@@SECRET:nokey@@'\n", "expected @@SECRET:<name>:<key>@@" },
    { "a: '@@SECRET::k@@'\n", "malformed macro" },
    { "a: '@@ENV:@@'\n", "expected @@ENV:<name>@@" },
    { "a: [b\n", "m.yaml: line 2, column 1: invalid YAML" },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(bad); i++) {
    CHECK_INT_EQ(wi_k8s_model_scan(&r, "m.yaml", bad[i].text, strlen(bad[i].text), &err),
                 WI_EINVAL);
    CHECK_STR_HAS(err.msg, bad[i].msg);
    wi_k8s_model_refs_dispose(&r);
  }
  /* path tokens and stray @@ are not macros */
  const char ok[] = "a: '@@PWD@@/x @@ORACLE_HOME@@ @@'\n";
  CHECK_INT_EQ(wi_k8s_model_scan(&r, "m.yaml", ok, sizeof ok - 1, &err), 0);
  CHECK_INT_EQ(r.n, 0);
  wi_k8s_model_refs_dispose(&r);
}

TEST(check_props)
{
  struct wi_k8s_model_refs r = { 0 };
  struct wi_props vars = { 0 };
  wi_err err = { 0 };
  const char v1[] = "PORT=7001\nSERVER_KEY=admin\n", v2[] = "FNAME=f\n";

  CHECK_INT_EQ(wi_k8s_model_scan(&r, "m.yaml", model, sizeof model - 1, &err), 0);
  CHECK_INT_EQ(wi_k8s_model_read_vars(&vars, "a.properties", v1, sizeof v1 - 1, &err), 0);
  CHECK_INT_EQ(wi_k8s_model_check_props(&r, &vars, "a.properties", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "@@PROP:FNAME@@ (m.yaml:15): the variable FNAME is not defined in "
                         "a.properties (WDT fails with WLSDPLY-01732)");
  CHECK_INT_EQ(wi_k8s_model_read_vars(&vars, "b.properties", v2, sizeof v2 - 1, &err), 0);
  CHECK_INT_EQ(wi_k8s_model_check_props(&r, &vars, "a.properties, b.properties", &err), 0);
  wi_props_dispose(&vars);
  CHECK_INT_EQ(wi_k8s_model_check_props(&r, &vars, "x.properties", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "3 variables used by the model are not defined in x.properties");
  wi_k8s_model_refs_dispose(&r);
}

TEST(domain_needs)
{
  struct wi_k8s_model_refs r = { 0 };
  struct wi_props vars = { 0 };
  struct wi_k8s_model_secrets s = { 0 };
  wi_err err = { 0 };
  const char v[] = "PORT=7001\nSERVER_KEY=admin\nFNAME=f\n";
  struct wi_k8s_kv env[] = { { "CUSTOM_DOMAIN_NAME", "base", 0 } };
  struct wi_k8s_model_ctx c = { .uid = "d1", .vars = &vars, .vars_what = "v", .env = env };

  CHECK_INT_EQ(wi_k8s_model_scan(&r, "m.yaml", model, sizeof model - 1, &err), 0);
  CHECK_INT_EQ(wi_k8s_model_read_vars(&vars, "v", v, sizeof v - 1, &err), 0);
  /* @@ENV:CUSTOM_DOMAIN_NAME@@ unset: named with what to do; DOMAIN_UID is the operator's */
  CHECK_INT_EQ(wi_k8s_model_domain_needs(&s, &r, &c, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "@@ENV:CUSTOM_DOMAIN_NAME@@ (m.yaml:6): the operator does not set "
                         "CUSTOM_DOMAIN_NAME; give --env CUSTOM_DOMAIN_NAME=VALUE");
  c.n_env = 1;
  CHECK_INT_EQ(wi_k8s_model_domain_needs(&s, &r, &c, &err), 0);
  CHECK_INT_EQ(s.n, 2); /* db and d1-ldap; the credentials are webLogicCredentialsSecret */
  if (s.n == 2) {
    CHECK_STR_EQ(s.v[0].name, "db");
    CHECK_INT_EQ(s.v[0].n_keys, 2);
    CHECK_STR_EQ(s.v[0].keys[0], "password");
    CHECK_STR_EQ(s.v[0].keys[1], "username");
    CHECK_STR_EQ(s.v[1].name, "d1-ldap");
    CHECK_STR_EQ(s.v[1].where, "m.yaml:14");
  }
  wi_k8s_model_secrets_dispose(&s);
  wi_k8s_model_refs_dispose(&r);

  const struct {
    const char *text, *msg;
  } bad[] = {
    { "a: '@@SECRET:__weblogic-credentials__:pw@@'\n", "has only the keys username and password" },
    { "a: '@@SECRET:Bad_Name:k@@'\n", "invalid secret name \"Bad_Name\"" },
    { "a: '@@SECRET:@@ENV:SERVER_NAME@@-x:k@@'\n", "not known before the pod starts" },
    { "a: '@@SECRET:s:..x@@'\n", "invalid secret key \"..x\"" },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(bad); i++) {
    CHECK_INT_EQ(wi_k8s_model_scan(&r, "m.yaml", bad[i].text, strlen(bad[i].text), &err), 0);
    CHECK_INT_EQ(wi_k8s_model_domain_needs(&s, &r, &c, &err), WI_EINVAL);
    CHECK_STR_HAS(err.msg, bad[i].msg);
    CHECK_INT_EQ(s.n, 0);
    wi_k8s_model_refs_dispose(&r);
  }
  wi_props_dispose(&vars);
}

/* The whole check from files held by images: variables from *.properties in name order. */
TEST(check_domain_from_image_files)
{
  char n1[] = "model.yaml", n2[] = "b.properties", n3[] = "a.properties";
  char d1[] = "x: '@@PROP:P@@'\ny: '@@SECRET:s1:k@@'\n", d2[] = "P=2\n", d3[] = "P=1\nQ=1\n";
  struct wi_k8s_model_file files[] = { { n1, d1, sizeof d1 - 1 },
                                       { n2, d2, sizeof d2 - 1 },
                                       { n3, d3, sizeof d3 - 1 } };
  struct wi_k8s_model_sources src = { .image_files = files,
                                      .n_image_files = 3,
                                      .image_files_valid = true };
  struct wi_k8s_model_secrets s = { 0 };
  bool checked = false;
  wi_err err = { 0 };

  CHECK_INT_EQ(wi_k8s_model_check_domain(&s, &checked, &src, "d1", NULL, 0, &err), 0);
  CHECK(checked);
  CHECK_INT_EQ(s.n, 1);
  wi_k8s_model_secrets_dispose(&s);
  src.image_files_valid = false;
  CHECK_INT_EQ(wi_k8s_model_check_domain(&s, &checked, &src, "d1", NULL, 0, &err), 0);
  CHECK(!checked);
  /* a variables file given replaces the images' */
  char vars[] = "/nonexistent/vars.properties";
  const char *vv[] = { vars };
  src.image_files_valid = true;
  src.vars_files = vv;
  src.n_vars_files = 1;
  CHECK_INT_EQ(wi_k8s_model_check_domain(&s, &checked, &src, "d1", NULL, 0, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "/nonexistent/vars.properties");
}

int
main(void)
{
  RUN(scan);
  RUN(check_props);
  RUN(domain_needs);
  RUN(check_domain_from_image_files);
  DONE();
}
