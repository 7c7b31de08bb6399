/* Unit tests for src/lib/ui_model.c (the Model page's report, what the Domain needs, the Code
 * View's file reads), src/lib/ui_fs.c (listing inside the roots only) and src/lib/ui_k8s.c's Domain
 * status. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/ui_fs.h"
#include "lib/ui_k8s.h"
#include "lib/ui_model.h"

static char *
tmpdir(void)
{
  wi_err err = { 0 };
  char *d = wi_fs_mkdtemp("wlsimg-ui-model-test-", &err);
  CHECK(d != NULL);
  return d;
}

static void
put_file(const char *dir, const char *name, const char *text)
{
  wi_err err = { 0 };
  wi_autofree char *p = wi_xasprintf("%s/%s", dir, name);
  CHECK_INT_EQ(wi_fs_write_file_atomic(p, text, strlen(text), 0644, &err), 0);
}

static void
list(struct wi_ui_strlist *l, const char *s)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
  l->v = wi_xcalloc(2, sizeof *l->v);
  l->v[0] = wi_xstrdup(s);
  l->n = 1;
}

TEST(report)
{
  wi_autofree char *dir = tmpdir();
  wi_autofree char *pf = wi_xasprintf("%s/wlsimg-project.json", dir);
  put_file(dir, "model.yaml",
           "domainInfo:\n  AdminPassword: '@@SECRET:__weblogic-credentials__:password@@'\n"
           "resources:\n  JDBC: '@@SECRET:@@ENV:DOMAIN_UID@@-db:password@@'\n"
           "topology:\n  Size: '@@PROP:SIZE@@'\n  Other: '@@PROP:MISSING@@'\n"
           "app:\n  SourcePath: wlsdeploy/applications/none.war\n");
  put_file(dir, "vars.properties", "SIZE=2\nUNUSED=1\n");
  put_file(dir, "bad.yaml", "a: b: c\n");
  struct wi_ui_project p;
  wi_ui_project_init(&p, "t");
  list(&p.model_files, "model.yaml");
  list(&p.variable_files, "vars.properties");
  list(&p.archive_files, "missing.zip");
  wi_autofree char *out = NULL;
  size_t n_errors = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_ui_model_report(&p, pf, &out, &n_errors, &err), 0);
  CHECK_INT_EQ(n_errors, 1); /* the missing archive */
  CHECK_STR_HAS(out, "\"name\":\"__weblogic-credentials__\",\"key\":\"password\"");
  CHECK_STR_HAS(out, "\"builtin\":true");
  CHECK_STR_HAS(out, "\"name\":\"@@ENV:DOMAIN_UID@@-db\",\"key\":\"password\"");
  CHECK_STR_HAS(out, "{\"name\":\"MISSING\",\"defined\":false,\"where\":\"model.yaml:");
  CHECK_STR_HAS(out, "\"unusedVariables\":[\"UNUSED\"]");
  CHECK_STR_HAS(out, "{\"path\":\"wlsdeploy/applications/none.war\",\"found\":false}");
  CHECK_STR_HAS(out, "Archive Files: missing.zip does not exist or is not a file.");
  CHECK_STR_HAS(out, "\"domainSecrets\":null"); /* no Domain UID yet */
  /* with a Domain UID: the secret names resolved, and what the Domain cannot give is said */
  free(p.domain_uid);
  p.domain_uid = wi_xstrdup("d1");
  put_file(dir, "vars.properties", "SIZE=2\nMISSING=x\n");
  free(p.archive_files.v[0]);
  p.archive_files.n = 0;
  wi_autofree char *needs = NULL;
  CHECK_INT_EQ(wi_ui_model_report(&p, pf, &needs, &n_errors, &err), 0);
  CHECK_INT_EQ(n_errors, 0);
  CHECK_STR_HAS(needs, "\"domainSecrets\":[{\"name\":\"d1-db\",\"keys\":[\"password\"]");
  list(&p.k8s_env, "DOMAIN_UID=x");
  struct wi_k8s_model_secrets ns;
  bool checked = false;
  CHECK_INT_EQ(wi_ui_model_needs(&p, pf, &ns, &checked, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "Environment: DOMAIN_UID is set by the operator itself");
  list(&p.k8s_env, "no-equals");
  CHECK_INT_EQ(wi_ui_model_needs(&p, pf, &ns, &checked, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "expected NAME=VALUE");
  list(&p.model_files, "bad.yaml");
  wi_autofree char *bad = NULL;
  CHECK_INT_EQ(wi_ui_model_report(&p, pf, &bad, &n_errors, &err), 0);
  CHECK_INT_EQ(n_errors, 1);
  CHECK_STR_HAS(bad, "bad.yaml: line 1, column");
  /* the Code View reads listed files only */
  char *text = NULL;
  size_t len = 0;
  bool trunc = false;
  CHECK_INT_EQ(wi_ui_model_file(&p, pf, "variables", 0, &text, &len, &trunc, &err), 0);
  CHECK_STR_EQ(text, "SIZE=2\nMISSING=x\n");
  CHECK(!trunc);
  free(text);
  CHECK_INT_EQ(wi_ui_model_file(&p, pf, "variables", 1, &text, &len, &trunc, &err), WI_ENOTFOUND);
  CHECK_INT_EQ(wi_ui_model_file(&p, pf, "archive", 0, &text, &len, &trunc, &err), WI_EINVAL);
  wi_ui_project_dispose(&p);
  wi_fs_rm_rf(dir, &err);
}

TEST(fs_roots)
{
  wi_autofree char *dir = tmpdir();
  wi_autofree char *sub = wi_xasprintf("%s/sub", dir);
  wi_autofree char *link = wi_xasprintf("%s/out", dir);
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_fs_mkdir_p(sub, 0755, &err), 0);
  put_file(dir, "a.yaml", "x");
  put_file(dir, ".hidden", "x");
  CHECK_INT_EQ(symlink("/", link), 0);
  const char *roots[] = { sub, dir };
  char *out = NULL;
  CHECK_INT_EQ(wi_ui_fs_list(dir, roots, 2, &out, &err), 0);
  CHECK_STR_HAS(out, "\"parent\":null");
  CHECK_STR_HAS(out,
                "{\"name\":\"sub\",\"dir\":true,\"size\":0},{\"name\":\"a.yaml\",\"dir\":false");
  CHECK(strstr(out, ".hidden") == NULL);
  free(out);
  CHECK_INT_EQ(wi_ui_fs_list(sub, roots, 2, &out, &err), 0);
  CHECK_STR_HAS(out, "\"parent\":null"); /* sub is a root itself */
  free(out);
  CHECK_INT_EQ(wi_ui_fs_list(link, roots, 2, &out, &err), WI_EDENIED); /* the link leads out */
  CHECK_STR_HAS(err.msg, "outside the directories the page may browse");
  CHECK_INT_EQ(wi_ui_fs_list("/nonexistent-dir", roots, 2, &out, &err), WI_ENOTFOUND);
  wi_fs_rm_rf(dir, &err);
}

TEST(domain_status)
{
  static const char failed[] =
      "{\"kind\":\"Domain\",\"status\":{\"conditions\":[{\"type\":\"Available\",\"status\":"
      "\"True\"},{\"type\":\"Failed\",\"status\":\"True\",\"reason\":\"DomainInvalid\","
      "\"message\":\"bad image\"}],\"servers\":[{\"serverName\":\"admin\",\"state\":"
      "\"RUNNING\",\"health\":{\"overallHealth\":\"ok\"}}]}}";
  static const char pods[] =
      "{\"items\":[{\"metadata\":{\"name\":\"d-admin\"},\"status\":{\"phase\":\"Running\","
      "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}]}";
  char *out = NULL;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_ui_k8s_status(failed, strlen(failed), pods, strlen(pods), &out, &err), 0);
  CHECK_STR_HAS(out,
                "\"state\":\"Failed\",\"summary\":\"Failed - bad image Reason: DomainInvalid\"");
  CHECK_STR_HAS(out, "{\"name\":\"admin\",\"state\":\"RUNNING\",\"health\":\"ok\"}");
  CHECK_STR_HAS(out, "{\"name\":\"d-admin\",\"phase\":\"Running\",\"ready\":true}");
  free(out);
  static const char fresh[] = "{\"kind\":\"Domain\",\"spec\":{}}";
  CHECK_INT_EQ(wi_ui_k8s_status(fresh, strlen(fresh), NULL, 0, &out, &err), 0);
  CHECK_STR_HAS(out, "\"state\":\"Unknown\"");
  free(out);
  CHECK_INT_EQ(wi_ui_k8s_status("{\"kind\":\"Pod\"}", 14, NULL, 0, &out, &err), WI_EPROTO);
  CHECK_INT_EQ(wi_ui_k8s_status("not json", 8, NULL, 0, &out, &err), WI_EPROTO);
}

int
main(void)
{
  RUN(report);
  RUN(fs_roots);
  RUN(domain_status);
  DONE();
}
