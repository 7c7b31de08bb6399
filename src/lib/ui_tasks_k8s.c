/* wlsimg ui: the Kubernetes page's jobs — pullSecret, domainApply, domainStatus. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/json.h"
#include "lib/ui_k8s.h"
#include "lib/ui_tasks_int.h"
#include "lib/util.h"

#define autojson __attribute__((cleanup(json_decrefp)))

int
wi_ui_tasks_k8s_pull_secret(struct task *t, wi_err *err)
{
  wi_ui_tasks_step_begin(t, "render", "Create the pull secret from the push login");
  wi_autofree char *yaml = NULL;
  int ret = wi_ui_k8s_pull_secret(&t->p, t->env.creds, t->req.name, t->req.ns, true, &yaml, err);
  if (ret < 0)
    return wi_ui_tasks_fail(t, "create the pull secret for", "Pull Secret Failed", t->p.aux_tag,
                            NULL, NULL, ret, err);
  wi_ui_tasks_step_end(t, "render", "done");
  autojson json_t *o = wi_ui_tasks_result(t, true, "Pull Secret Ready",
                                          "The pull secret was made from the push login (data "
                                          "redacted; the Code View's Reveal shows it).");
  json_object_set_new(o, "yaml", wi_json_str(yaml));
  wi_ui_tasks_emit(t, "result", o);
  return 0;
}

/* Redact a secret's base64 form too: Secret data is base64. */
static void
add_secret(struct task *t, const char *s)
{
  if (s == NULL)
    return;
  wi_ui_jobs_add_secret(t->job, s);
  char *b = wi_base64_encode(s, strlen(s));
  wi_ui_jobs_add_secret(t->job, b);
  wi_alloc_secret_free(b);
}

/* kubectl's output as log lines, and as the "objects" array of the result. */
static void
log_lines(struct task *t, const char *out, json_t *arr)
{
  for (const char *s = out; *s;) {
    size_t n = strcspn(s, "\n");
    if (n > 0) {
      wi_autofree char *line = wi_xstrndup(s, n);
      wi_ui_jobs_log(t->job, "info", "%s", line);
      if (arr)
        json_array_append_new(arr, wi_json_str(line));
    }
    s += n + (s[n] == '\n');
  }
}

/* kubectl --context ctx ARGS with in on stdin; a non-zero exit is an error with its output. */
static int
kubectl(struct task *t, const char *ctx, const char *const *args, const char *in, json_t *lines,
        wi_err *err)
{
  wi_autofree char *out = NULL;
  int code = 0;
  int ret = wi_ui_k8s_kubectl(ctx, args, in, &out, &code, err);
  if (ret < 0)
    return ret;
  log_lines(t, out, code == 0 ? lines : NULL);
  if (code != 0) {
    wi_autofree char *clean = wi_ui_jobs_redact(t->job, out);
    clean[strcspn(clean, "\n")] = '\0';
    return wi_err_set(err, WI_ERR, "kubectl %s exited with status %d: %s", args[0], code, clean);
  }
  return 0;
}

static int
runtime_exists(struct task *t, const char *ctx, bool *exists, wi_err *err)
{
  wi_autofree char *name = t->p.runtime_secret[0]
                               ? wi_xstrdup(t->p.runtime_secret)
                               : wi_xasprintf("%s-runtime-encryption-secret", t->p.domain_uid);
  const char *ns = t->p.k8s_namespace[0] ? t->p.k8s_namespace : "default";
  const char *args[] = {
    "get", "secret", name, "-n", ns, "--ignore-not-found", "-o", "name", NULL
  };
  wi_autofree char *out = NULL;
  int code = 0;
  int ret = wi_ui_k8s_kubectl(ctx, args, NULL, &out, &code, err);
  if (ret < 0)
    return ret;
  if (code != 0) {
    out[strcspn(out, "\n")] = '\0';
    return wi_err_set(err, WI_ERR, "kubectl get secret %s: %s", name, out);
  }
  *exists = out[strspn(out, " \n")] != '\0';
  if (*exists)
    wi_ui_jobs_log(t->job, "info",
                   "Keeping the existing secret %s (its password must not change while the "
                   "domain lives)",
                   name);
  return 0;
}

static int
apply_steps(struct task *t, const char *ctx, json_t *objects, wi_err *err)
{
  struct wi_ui_k8s_secrets s = { .wls_password = t->req.wls_password,
                                 .runtime_password = t->req.runtime_password,
                                 .model = t->req.model_secrets.v,
                                 .n_model = t->req.model_secrets.n };
  wi_autofree char *notes = NULL;
  char *yaml = NULL;
  add_secret(t, t->req.wls_password);
  add_secret(t, t->req.runtime_password);
  for (size_t i = 0; i < s.n_model; i++)
    add_secret(t, s.model[i].value);
  wi_ui_tasks_step_begin(t, "render", "Generate the Domain and its secrets");
  int ret = s.runtime_password ? 0 : runtime_exists(t, ctx, &s.runtime_exists, err);
  if (ret == 0)
    ret = wi_ui_k8s_objects(&t->p, t->env.project_file, t->env.creds, &s, &yaml, &notes, err);
  if (ret < 0)
    return ret;
  log_lines(t, notes, NULL);
  wi_ui_tasks_step_end(t, "render", "done");
  static const char *const dry[] = { "apply", "--dry-run=server", "-f", "-", NULL };
  static const char *const apply[] = { "apply", "-f", "-", NULL };
  wi_autofree char *label = wi_xasprintf("Server-side dry run (kubectl --context %s)", ctx);
  wi_ui_tasks_step_begin(t, "dryrun", label);
  ret = kubectl(t, ctx, dry, yaml, t->req.dry_run ? objects : NULL, err);
  if (ret == 0) {
    wi_ui_tasks_step_end(t, "dryrun", "done");
    wi_ui_tasks_step_begin(t, "apply", "Apply with kubectl");
    if (t->req.dry_run)
      wi_ui_tasks_step_end(t, "apply", "skipped");
    else if ((ret = wi_ui_tasks_cancelled(t, err)) == 0 &&
             (ret = kubectl(t, ctx, apply, yaml, objects, err)) == 0)
      wi_ui_tasks_step_end(t, "apply", "done");
  }
  wi_alloc_secret_free(yaml);
  return ret;
}

int
wi_ui_tasks_k8s_apply(struct task *t, wi_err *err)
{
  wi_autofree char *ctx = NULL;
  autojson json_t *objects = json_array();
  int ret = wi_ui_k8s_context(&t->p, &ctx, err);
  if (ret == 0)
    ret = apply_steps(t, ctx, objects, err);
  if (ret < 0)
    return wi_ui_tasks_fail(t, "apply", "WebLogic Domain Deployment to Kubernetes Failed",
                            t->p.domain_uid, NULL, NULL, ret, err);
  const char *ns = t->p.k8s_namespace[0] ? t->p.k8s_namespace : "(kubectl's default)";
  wi_autofree char *msg =
      t->req.dry_run
          ? wi_xasprintf("The server accepted WebLogic Domain %s for Kubernetes namespace %s "
                         "(context %s); nothing was changed.",
                         t->p.domain_uid, ns, ctx)
          : wi_xasprintf("WebLogic Domain %s applied to Kubernetes namespace %s (context %s).",
                         t->p.domain_uid, ns, ctx);
  autojson json_t *o = wi_ui_tasks_result(
      t, true,
      t->req.dry_run ? "Dry Run Complete" : "WebLogic Domain Deployment to Kubernetes Complete",
      msg);
  json_object_set_new(o, "context", wi_json_str(ctx));
  json_object_set(o, "objects", objects);
  wi_ui_tasks_emit(t, "result", o);
  return 0;
}

static int
status_steps(struct task *t, const char *ctx, char **summary, wi_err *err)
{
  const char *ns = t->p.k8s_namespace[0] ? t->p.k8s_namespace : "default";
  const char *get[] = { "get", "domain.v9.weblogic.oracle", t->p.domain_uid, "-n", ns, "-o", "json",
                        NULL };
  wi_autofree char *label =
      wi_xasprintf("Read Domain %s (kubectl --context %s)", t->p.domain_uid, ctx);
  wi_ui_tasks_step_begin(t, "domain", label);
  wi_autofree char *dom = NULL;
  int code = 0;
  int ret = wi_ui_k8s_kubectl(ctx, get, NULL, &dom, &code, err);
  if (ret < 0)
    return ret;
  if (code != 0) {
    dom[strcspn(dom, "\n")] = '\0';
    return wi_err_set(err, WI_ENOTFOUND, "kubectl get domain: %s", dom);
  }
  wi_ui_tasks_step_end(t, "domain", "done");
  wi_autofree char *sel = wi_xasprintf("weblogic.domainUID=%s", t->p.domain_uid);
  const char *pods[] = { "get", "pods", "-l", sel, "-n", ns, "-o", "json", NULL };
  wi_ui_tasks_step_begin(t, "pods", "Read its pods");
  wi_autofree char *pout = NULL;
  ret = wi_ui_k8s_kubectl(ctx, pods, NULL, &pout, &code, err);
  bool have_pods = ret == 0 && code == 0;
  wi_ui_tasks_step_end(t, "pods", have_pods ? "done" : "skipped");
  return wi_ui_k8s_status(dom, strlen(dom), have_pods ? pout : NULL, have_pods ? strlen(pout) : 0,
                          summary, err);
}

int
wi_ui_tasks_k8s_status(struct task *t, wi_err *err)
{
  wi_autofree char *ctx = NULL;
  wi_autofree char *summary = NULL;
  int ret = wi_ui_k8s_context(&t->p, &ctx, err);
  if (ret == 0)
    ret = status_steps(t, ctx, &summary, err);
  if (ret < 0)
    return wi_ui_tasks_fail(t, "read the status of", "Get Domain Status Failed", t->p.domain_uid,
                            NULL, NULL, ret, err);
  autojson json_t *st = json_loads(summary, 0, NULL);
  autojson json_t *o = wi_ui_tasks_result(t, true, "Domain Status",
                                          json_string_value(json_object_get(st, "summary")));
  const char *key;
  json_t *v;
  json_object_foreach (st, key, v)
    json_object_set(o, key, v);
  json_object_set_new(o, "context", wi_json_str(ctx));
  wi_ui_tasks_emit(t, "result", o);
  return 0;
}
