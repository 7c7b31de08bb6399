/* wlsimg ui: the Code View's commands and YAML, from the same library calls the CLI makes. */
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/k8s.h"
#include "lib/ref.h"
#include "lib/str.h"
#include "lib/ui_render.h"
#include "lib/ui_validate.h"
#include "lib/util.h"

char *
wi_ui_render_shell_quote(const char *s)
{
  static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                             "@%+=:,./-_";
  if (s[0] && strspn(s, safe) == strlen(s))
    return wi_xstrdup(s);
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX);
  wi_err err = { 0 };
  wi_buf_adds(&b, "'", &err);
  for (const char *p = s; *p; p++)
    wi_buf_adds(&b, *p == '\'' ? "'\\''" : (char[]){ *p, 0 }, &err);
  wi_buf_adds(&b, "'", &err);
  return wi_buf_steal(&b);
}

static void
arg(struct wi_buf *b, const char *opt, const char *value)
{
  wi_err err = { 0 };
  wi_autofree char *q = wi_ui_render_shell_quote(value);
  wi_buf_addf(b, &err, " %s %s", opt, q);
}

static void
list_arg(struct wi_buf *b, const char *opt, const char *pf, const struct wi_ui_strlist *l)
{
  if (l->n == 0)
    return;
  struct wi_buf v = WI_BUF_INIT(SIZE_MAX);
  wi_err err = { 0 };
  for (size_t i = 0; i < l->n; i++) {
    wi_autofree char *path = pf ? wi_ui_project_path(pf, l->v[i]) : wi_xstrdup(l->v[i]);
    wi_buf_addf(&v, &err, "%s%s", i ? "," : "", path);
  }
  arg(b, opt, wi_buf_cstr(&v));
  wi_buf_dispose(&v);
}

static int
render_cli(const struct wi_ui_project *p, const char *pf, char **out, wi_err *err)
{
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX);
  wi_buf_adds(&b, "wlsimg createAuxImage", err);
  arg(&b, "--tag", p->aux_tag[0] ? p->aux_tag : "<tag>");
  if (p->base_custom && p->base_ref[0])
    arg(&b, "--fromImage", p->base_ref);
  list_arg(&b, "--wdtModel", pf, &p->model_files);
  list_arg(&b, "--wdtVariables", pf, &p->variable_files);
  list_arg(&b, "--wdtArchive", pf, &p->archive_files);
  if (!p->wdt_latest && p->wdt_version[0])
    arg(&b, "--wdtVersion", p->wdt_version);
  arg(&b, "--wdtHome", p->wdt_home);
  arg(&b, "--wdtModelHome", p->model_home);
  if (strcmp(p->owner, "oracle") != 0 || strcmp(p->group, "oracle") != 0) {
    wi_autofree char *chown = wi_xasprintf("%s:%s", p->owner, p->group);
    arg(&b, "--chown", chown);
  }
  if (p->openshift)
    wi_buf_adds(&b, " --target OpenShift", err);
  list_arg(&b, "--platform", NULL, &p->platforms);
  if (p->always_pull)
    wi_buf_adds(&b, " --pull", err);
  if (p->extend && p->extend_commands[0]) {
    wi_autofree char *abc = wi_ui_project_path(pf, p->extend_commands);
    arg(&b, "--additionalBuildCommands", abc);
    list_arg(&b, "--additionalBuildFiles", pf, &p->extend_files);
  }
  wi_buf_adds(&b, "\n", err);
  struct wi_ref r = { 0 };
  if (p->aux_tag[0] && wi_ref_parse(&r, p->aux_tag, err) == 0) {
    if (p->aux_push_auth) {
      wi_autofree char *user =
          wi_ui_render_shell_quote(p->aux_login.user[0] ? p->aux_login.user : "<user>");
      wi_buf_addf(&b, err, "printf '%%s\\n' \"$TOKEN\" | wlsimg login -u %s --password-stdin %s\n",
                  user, r.domain);
    }
    wi_autofree char *tag = wi_ui_render_shell_quote(p->aux_tag);
    wi_buf_addf(&b, err, "wlsimg push %s\n", tag);
    wi_ref_dispose(&r);
  }
  *out = wi_buf_steal(&b);
  return 0;
}

/* Default pull secret name for a host: "ocir" on OCIR, else its first DNS label, else
 * "registry-pull". malloc'ed. */
static char *
default_secret_name(const char *host)
{
  if (wi_ui_validate_is_ocir(host))
    return wi_xstrdup("ocir");
  size_t n = strcspn(host, ".:");
  wi_autofree char *label = wi_xstrndup(host, n);
  wi_err err = { 0 };
  if (n > 0 && (label[0] < '0' || label[0] > '9') &&
      wi_k8s_validate_label("name", label, &err) == 0)
    return wi_steal(&label);
  return wi_xstrdup("registry-pull");
}

static void
redact_data(char *yaml)
{
  char *v = strstr(yaml, ".dockerconfigjson: ");
  if (v == NULL)
    return;
  v += strlen(".dockerconfigjson: ");
  size_t n = strcspn(v, "\n");
  static const char mark[] = "<redacted>";
  if (n < sizeof mark - 1)
    return;
  explicit_bzero(v, n);
  memcpy(v, mark, sizeof mark - 1);
  memmove(v + sizeof mark - 1, v + n, strlen(v + n) + 1);
}

static int
render_secret(const struct wi_ui_project *p, const struct wi_ui_render_in *in, char **out,
              wi_err *err)
{
  struct wi_ref r = { 0 };
  if (p->aux_tag[0] == '\0')
    return wi_err_set(err, WI_EINVAL, "aux-tag: the Auxiliary Image Tag names the registry");
  if (wi_ref_parse(&r, p->aux_tag, err) < 0)
    return wi_err_wrap(err, "aux-tag");
  wi_autofree char *user = NULL;
  char *pass = NULL;
  wi_autofree char *server = wi_k8s_server_for_host(r.domain);
  wi_autofree char *dflt = default_secret_name(r.domain);
  int ret =
      wi_ui_creds_resolve(in->creds, r.domain, p->aux_login.user[0] ? p->aux_login.user : NULL,
                          &user, &pass, NULL, err);
  if (ret == 0) {
    const char *ns = in->ns ? in->ns : p->k8s_namespace;
    struct wi_k8s_docker_secret ds = {
      .name = in->secret_name         ? in->secret_name
              : p->pull_secret_aux[0] ? p->pull_secret_aux
                                      : dflt,
      .ns = ns[0] ? ns : NULL,
      .server = server,
      .username = user,
      .password = pass,
    };
    wi_autoptr(wi_k8s_obj) struct wi_k8s_obj *o = NULL;
    ret = wi_k8s_docker_secret(&o, &ds, err);
    char *yaml = ret == 0 ? wi_k8s_render(&o, 1, WI_K8S_YAML, NULL, err) : NULL;
    if (ret == 0 && yaml == NULL)
      ret = err->code;
    if (yaml && !in->reveal)
      redact_data(yaml);
    if (yaml)
      *out = yaml;
  }
  if (pass)
    wi_alloc_secret_free(pass);
  wi_ref_dispose(&r);
  return ret;
}

/* The digest of the last push of tag, from the history, or NULL. Borrowed. */
static const char *
pushed_digest(const struct wi_ui_project *p, const char *tag)
{
  for (size_t i = 0; i < p->n_history; i++)
    if (strcmp(p->history[i].ref, tag) == 0 && p->history[i].digest[0] &&
        strcmp(p->history[i].kind, "pushAuxImage") == 0)
      return p->history[i].digest;
  return NULL;
}

static int
render_domain(const struct wi_ui_project *p, char **out, wi_err *err)
{
  if (p->domain_uid[0] == '\0')
    return wi_err_set(err, WI_EINVAL, "domain-uid: Domain UID is required");
  const char *uid = p->domain_uid;
  wi_autofree char *cred = p->wls_cred_secret[0] ? wi_xstrdup(p->wls_cred_secret)
                                                 : wi_xasprintf("%s-weblogic-credentials", uid);
  wi_autofree char *enc = p->runtime_secret[0] ? wi_xstrdup(p->runtime_secret)
                                               : wi_xasprintf("%s-runtime-encryption-secret", uid);
  const char *secrets[2];
  size_t n_secrets = 0;
  if (p->pull_secret_primary[0])
    secrets[n_secrets++] = p->pull_secret_primary;
  if (p->pull_secret_aux[0] && strcmp(p->pull_secret_aux, p->pull_secret_primary) != 0)
    secrets[n_secrets++] = p->pull_secret_aux;
  const char *digest = p->aux_tag[0] ? pushed_digest(p, p->aux_tag) : NULL;
  wi_autofree char *image = digest && strcmp(p->aux_ref_mode, "digest") == 0
                                ? wi_xasprintf("%s@%s", p->aux_tag, digest)
                                : wi_xstrdup(p->aux_tag);
  wi_autofree char *wdt = strcmp(p->wdt_home, "/auxiliary") != 0
                              ? wi_xasprintf("%s/weblogic-deploy", p->wdt_home)
                              : NULL;
  struct wi_k8s_aux_image aux = {
    .image = image,
    .pull_policy = p->pull_policy_aux[0] ? p->pull_policy_aux : NULL,
    .wdt_install_home = wdt,
    .model_home = strcmp(p->model_home, WI_K8S_AUX_MODEL_DEFAULT) != 0 ? p->model_home : NULL,
  };
  struct wi_k8s_domain d = {
    .uid = uid,
    .ns = p->k8s_namespace[0] ? p->k8s_namespace : NULL,
    .image = p->primary_tag,
    .pull_policy = p->pull_policy_primary[0] ? p->pull_policy_primary : NULL,
    .pull_secrets = secrets,
    .n_pull_secrets = n_secrets,
    .credentials_secret = cred,
    .encryption_secret = enc,
    .replicas = -1,
    .aux = p->aux_tag[0] ? &aux : NULL,
    .n_aux = p->aux_tag[0] ? 1 : 0,
  };
  struct wi_k8s_obj **objs = NULL;
  size_t n = 0;
  int ret = wi_k8s_domain_objects(&objs, &n, &d, err);
  if (ret < 0)
    return ret;
  *out = wi_k8s_render(objs, n, WI_K8S_YAML, NULL, err);
  for (size_t i = 0; i < n; i++)
    wi_k8s_render_obj_free(objs[i]);
  free(objs);
  return *out ? 0 : err->code;
}

int
wi_ui_render(const struct wi_ui_project *p, const char *kind, const struct wi_ui_render_in *in,
             char **out, wi_err *err)
{
  if (strcmp(kind, "cli") == 0)
    return render_cli(p, in->project_file, out, err);
  if (strcmp(kind, "secret-yaml") == 0)
    return render_secret(p, in, out, err);
  if (strcmp(kind, "domain-yaml") == 0)
    return render_domain(p, out, err);
  return wi_err_set(err, WI_EINVAL, "render: unknown kind \"%s\" (cli, secret-yaml, domain-yaml)",
                    kind);
}
