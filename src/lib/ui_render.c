/* wlsimg ui: the Code View's commands and YAML, from the same library calls the CLI makes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/ref.h"
#include "lib/str.h"
#include "lib/ui_k8s.h"
#include "lib/ui_primary.h"
#include "lib/ui_render.h"
#include "lib/util.h"

char *
wi_ui_render_shell_quote(const char *s)
{
  static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                             "@%+=:,./-_";
  if (s[0] && strspn(s, safe) == strlen(s))
    return wi_xstrdup(s);
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX);
  wi_buf_adds(&b, "'", NULL);
  for (const char *p = s; *p; p++)
    wi_buf_adds(&b, *p == '\'' ? "'\\''" : (char[]){ *p, 0 }, NULL);
  wi_buf_adds(&b, "'", NULL);
  return wi_buf_steal(&b);
}

/* ---- the createAuxImage options ---- */

static const char *
keep(struct wi_ui_render_aux *a, char *s)
{
  a->owned = wi_xreallocarray(a->owned, a->n_owned + 1, sizeof *a->owned);
  a->owned[a->n_owned++] = s;
  return s;
}

static struct wi_strv
paths(struct wi_ui_render_aux *a, const char *project_file, const struct wi_ui_strlist *l)
{
  struct wi_strv v = { wi_xcalloc(l->n + 1, sizeof(char *)), l->n };
  keep(a, (char *)(uintptr_t)v.v);
  for (size_t i = 0; i < l->n; i++)
    v.v[i] = project_file ? keep(a, wi_ui_project_path(project_file, l->v[i])) : l->v[i];
  return v;
}

void
wi_ui_render_aux_opts(struct wi_ui_render_aux *a, const struct wi_ui_project *p, const char *pf)
{
  memset(a, 0, sizeof *a);
  struct wi_aux_opts *o = &a->o;
  o->tag = p->aux_tag;
  o->from_image = p->base_custom && p->base_ref[0] ? p->base_ref : NULL;
  o->models = paths(a, pf, &p->model_files);
  o->variables = paths(a, pf, &p->variable_files);
  o->archives = paths(a, pf, &p->archive_files);
  o->wdt_version = !p->wdt_latest && p->wdt_version[0] ? p->wdt_version : NULL;
  o->wdt_home = p->wdt_home[0] ? p->wdt_home : NULL;
  o->wdt_model_home = p->model_home[0] ? p->model_home : NULL;
  bool default_owner = strcmp(p->owner, "oracle") == 0 && strcmp(p->group, "oracle") == 0;
  if (!default_owner && p->owner[0] && p->group[0])
    o->chown = keep(a, wi_xasprintf("%s:%s", p->owner, p->group));
  o->openshift = p->openshift;
  o->platforms = paths(a, NULL, &p->platforms);
  if (p->extend && p->extend_commands[0]) {
    o->additional_build_commands = keep(a, wi_ui_project_path(pf, p->extend_commands));
    o->additional_build_files = paths(a, pf, &p->extend_files);
  }
  o->build_network = p->extend && p->build_network[0] ? p->build_network : NULL;
  o->pull = p->always_pull;
}

void
wi_ui_render_aux_dispose(struct wi_ui_render_aux *a)
{
  for (size_t i = 0; i < a->n_owned; i++)
    free(a->owned[i]);
  free(a->owned);
  memset(a, 0, sizeof *a);
}

static void
arg(struct wi_buf *b, const char *opt, const char *value)
{
  wi_autofree char *q = wi_ui_render_shell_quote(value);
  wi_buf_addf(b, NULL, " %s %s", opt, q);
}

static void
list_arg(struct wi_buf *b, const char *opt, const struct wi_strv *l)
{
  if (l->n == 0)
    return;
  struct wi_buf v = WI_BUF_INIT(SIZE_MAX);
  for (size_t i = 0; i < l->n; i++)
    wi_buf_addf(&v, NULL, "%s%s", i ? "," : "", l->v[i]);
  arg(b, opt, wi_buf_cstr(&v));
  wi_buf_dispose(&v);
}

char *
wi_ui_render_aux_command(const struct wi_aux_opts *o, const char *prog)
{
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX);
  wi_buf_addf(&b, NULL, "%s createAuxImage", prog);
  arg(&b, "--tag", o->tag[0] ? o->tag : "<tag>");
  if (o->from_image)
    arg(&b, "--fromImage", o->from_image);
  list_arg(&b, "--wdtModel", &o->models);
  list_arg(&b, "--wdtVariables", &o->variables);
  list_arg(&b, "--wdtArchive", &o->archives);
  if (o->wdt_version)
    arg(&b, "--wdtVersion", o->wdt_version);
  if (o->wdt_home)
    arg(&b, "--wdtHome", o->wdt_home);
  if (o->wdt_model_home)
    arg(&b, "--wdtModelHome", o->wdt_model_home);
  if (o->chown)
    arg(&b, "--chown", o->chown);
  if (o->openshift)
    wi_buf_adds(&b, " --target OpenShift", NULL);
  list_arg(&b, "--platform", &o->platforms);
  if (o->pull)
    wi_buf_adds(&b, " --pull", NULL);
  if (o->additional_build_commands) {
    arg(&b, "--additionalBuildCommands", o->additional_build_commands);
    list_arg(&b, "--additionalBuildFiles", &o->additional_build_files);
  }
  if (o->build_network)
    arg(&b, "--buildNetwork", o->build_network);
  return wi_buf_steal(&b);
}

/* ---- the primary image's create ---- */

char *
wi_ui_render_primary_command(const struct wi_wit_opts *o, const char *prog, bool wit,
                             const char *builder)
{
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX);
  wi_buf_addf(&b, NULL, "%s create", prog);
  arg(&b, "--tag", o->tag && o->tag[0] ? o->tag : "<tag>");
  if (o->from_image)
    arg(&b, "--fromImage", o->from_image);
  if (o->type)
    arg(&b, "--type", o->type);
  if (o->version)
    arg(&b, "--version", o->version);
  if (o->jdk_version)
    arg(&b, "--jdkVersion", o->jdk_version);
  if (o->chown)
    arg(&b, "--chown", o->chown);
  if (o->package_manager)
    arg(&b, "--packageManager", o->package_manager);
  if (o->openshift)
    wi_buf_adds(&b, " --target OpenShift", NULL);
  struct wi_strv patches = { (const char **)(uintptr_t)o->patches.v, o->patches.n };
  list_arg(&b, "--patches", &patches);
  if (o->recommended_patches)
    wi_buf_adds(&b, " --recommendedPatches", NULL);
  if (o->latest_psu)
    wi_buf_adds(&b, " --latestPSU", NULL);
  if (o->user) {
    arg(&b, "--user", o->user);
    wi_buf_adds(&b, " --passwordEnv " WI_UI_PRIMARY_PASSWORD_ENV, NULL);
  }
  if (wit || o->builder)
    arg(&b, "--builder", o->builder ? o->builder : builder ? builder : "docker");
  if (o->pull)
    wi_buf_adds(&b, " --pull", NULL);
  return wi_buf_steal(&b);
}

/* The create, login and push lines of the primary image. */
static char *
render_primary(const struct wi_ui_project *p, bool wit)
{
  struct wi_ui_primary a;
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX);
  bool found = false;
  wi_ui_primary_opts(&a, p);
  wi_autofree char *engine = wi_ui_primary_engine(a.o.builder, &found);
  wi_autofree char *create =
      wi_ui_render_primary_command(&a.o, wit ? "imagetool.sh" : "wlsimg", wit, engine);
  wi_buf_addf(&b, NULL, "%s\n", create);
  struct wi_ref r = { 0 };
  wi_err err = { 0 };
  if (p->primary_tag[0] && wi_ref_parse(&r, p->primary_tag, &err) == 0) {
    /* the user of the Registries row for the host, else of the aux push login there */
    const char *user = strcmp(p->aux_login.host, r.domain) == 0 && p->aux_login.user[0]
                           ? p->aux_login.user
                           : "<user>";
    for (size_t i = 0; i < p->n_registries; i++)
      if (strcmp(p->registries[i].host, r.domain) == 0 && p->registries[i].user[0])
        user = p->registries[i].user;
    wi_autofree char *uq = wi_ui_render_shell_quote(user);
    wi_autofree char *tq = wi_ui_render_shell_quote(p->primary_tag);
    wi_buf_addf(&b, NULL,
                "printf '%%s\\n' \"$TOKEN\" | %s login -u %s --password-stdin %s\n%s push %s\n",
                wit ? "docker" : "wlsimg", uq, r.domain, wit ? "docker" : "wlsimg", tq);
    wi_ref_dispose(&r);
  }
  if (a.o.user)
    wi_buf_adds(&b,
                "# " WI_UI_PRIMARY_PASSWORD_ENV
                ": your Oracle Support password, e.g. read -rs " WI_UI_PRIMARY_PASSWORD_ENV
                "; export " WI_UI_PRIMARY_PASSWORD_ENV " (it is never written here)\n",
                NULL);
  wi_buf_adds(&b, "# TOKEN: the push password (an auth token on OCIR); it is never written here\n",
              NULL);
  wi_ui_primary_dispose(&a);
  return wi_buf_steal(&b);
}

/* ---- the Image page ---- */

/* "printf '%s\n' "$TOKEN" | <prog> login -u USER --password-stdin HOST" lines and the push. */
static void
login_push(struct wi_buf *b, const struct wi_ui_project *p, const char *login, const char *push)
{
  struct wi_ref r = { 0 };
  wi_err err = { 0 };
  if (p->aux_tag[0] == '\0' || wi_ref_parse(&r, p->aux_tag, &err) < 0)
    return;
  wi_autofree char *tag = wi_ui_render_shell_quote(p->aux_tag);
  if (p->aux_push_auth) {
    wi_autofree char *user =
        wi_ui_render_shell_quote(p->aux_login.user[0] ? p->aux_login.user : "<user>");
    wi_buf_addf(b, NULL, "printf '%%s\\n' \"$TOKEN\" | %s -u %s --password-stdin %s\n", login, user,
                r.domain);
  }
  wi_buf_addf(b, NULL, "%s %s\n", push, tag);
  wi_ref_dispose(&r);
}

static char *
render_cli(const struct wi_ui_project *p, const char *pf, bool wit)
{
  struct wi_ui_render_aux a;
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX);
  const char *tool = wit ? "imagetool.sh" : "wlsimg";
  wi_ui_render_aux_opts(&a, p, pf);
  if (!p->wdt_latest && p->wdt_installer[0] && p->wdt_version[0]) {
    wi_autofree char *inst = wi_ui_project_path(pf, p->wdt_installer);
    wi_autofree char *q = wi_ui_render_shell_quote(inst);
    wi_autofree char *v = wi_ui_render_shell_quote(p->wdt_version);
    wi_buf_addf(&b, NULL, "%s cache addInstaller --type wdt --version %s --path %s\n", tool, v, q);
  } else {
    wi_buf_addf(&b, NULL, "# WDT: the newest wdt installer in the cache (%s cache listItems)\n",
                tool);
  }
  wi_autofree char *create = wi_ui_render_aux_command(&a.o, tool);
  wi_buf_addf(
      &b, NULL, "%s%s\n", create,
      wit ? (a.o.wdt_version ? " --builder docker" : " --wdtVersion latest --builder docker") : "");
  if (wit)
    login_push(&b, p, "docker login", "docker push");
  else
    login_push(&b, p, "wlsimg login", "wlsimg push");
  if (p->aux_push_auth)
    wi_buf_adds(&b,
                "# TOKEN: the push password (an auth token on OCIR), e.g. read -rs TOKEN; it is "
                "never written here\n",
                NULL);
  wi_ui_render_aux_dispose(&a);
  return wi_buf_steal(&b);
}

/* ---- the Kubernetes page ---- */

static const char *
ns_arg(const struct wi_ui_project *p)
{
  return p->k8s_namespace[0] ? p->k8s_namespace : NULL;
}

/* The secret and domain commands, with `| kubectl … apply -f -` when kubectl is set. */
static int
render_k8s(const struct wi_ui_project *p, const char *kubectl, char **out, wi_err *err)
{
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX);
  struct wi_ref r = { 0 };
  wi_autofree char *pipe = kubectl ? wi_xasprintf(" | %s apply -f -", kubectl) : wi_xstrdup("");
  const char *ns = ns_arg(p);
  wi_autofree char *nsq = ns ? wi_xasprintf(" -n %s", ns) : wi_xstrdup("");
  if (p->aux_tag[0] && wi_ref_parse(&r, p->aux_tag, err) == 0) {
    wi_autofree char *name = wi_ui_k8s_aux_secret_name(p, r.domain);
    wi_autofree char *server = wi_ui_render_shell_quote(r.domain);
    wi_autofree char *user =
        wi_ui_render_shell_quote(p->aux_login.user[0] ? p->aux_login.user : "<user>");
    wi_buf_addf(&b, NULL,
                "wlsimg k8s secret docker-registry %s%s --docker-server %s --docker-username %s "
                "--from-login%s\n",
                name, nsq, server, user, pipe);
    wi_ref_dispose(&r);
  }
  if (p->domain_uid[0] == '\0') {
    wi_buf_adds(&b, "# the Domain needs a Domain UID\n", NULL);
    *out = wi_buf_steal(&b);
    return 0;
  }
  wi_autofree char *image = wi_ui_render_shell_quote(p->primary_tag);
  wi_autofree char *aux = wi_ui_k8s_aux_ref(p);
  wi_autofree char *auxq = wi_ui_render_shell_quote(aux);
  wi_buf_addf(&b, NULL,
              "printf '%%s\\n%%s\\n' \"$WLS_USER\" \"$WLS_PASSWORD\" | wlsimg k8s domain "
              "--domain-uid %s%s --image %s",
              p->domain_uid, nsq, image);
  if (p->aux_tag[0])
    wi_buf_addf(&b, NULL, " --aux-image %s", auxq);
  if (p->pull_secret_primary[0])
    wi_buf_addf(&b, NULL, " --pull-secret %s", p->pull_secret_primary);
  if (p->pull_secret_aux[0] && strcmp(p->pull_secret_aux, p->pull_secret_primary) != 0)
    wi_buf_addf(&b, NULL, " --pull-secret %s", p->pull_secret_aux);
  if (p->wls_cred_secret[0])
    wi_buf_addf(&b, NULL, " --weblogic-credentials-secret %s", p->wls_cred_secret);
  else
    wi_buf_adds(&b, " --weblogic-credentials-from-stdin", NULL);
  wi_buf_addf(&b, NULL, "%s\n# WLS_USER, WLS_PASSWORD: the WebLogic administrator (%s)\n", pipe,
              p->wls_user);
  if (kubectl)
    wi_buf_addf(&b, NULL, "%s get domain.v9.weblogic.oracle %s%s -o yaml\n", kubectl, p->domain_uid,
                nsq);
  *out = wi_buf_steal(&b);
  return 0;
}

static char *
render_logins(const struct wi_ui_project *p)
{
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX);
  for (size_t i = 0; i < p->n_registries; i++) {
    const struct wi_ui_registry *r = &p->registries[i];
    wi_autofree char *user = wi_ui_render_shell_quote(r->user[0] ? r->user : "<user>");
    wi_autofree char *host = wi_ui_render_shell_quote(r->host);
    wi_buf_addf(&b, NULL, "printf '%%s\\n' \"$TOKEN\" | wlsimg login -u %s --password-stdin %s\n",
                user, host);
  }
  if (p->n_registries == 0)
    wi_buf_adds(&b, "# no saved logins yet\n", NULL);
  wi_autofree char *root =
      p->registry_root[0] ? wi_xasprintf(" --root %s", p->registry_root) : wi_xstrdup("");
  wi_buf_addf(&b, NULL,
              "# the embedded registry (%s):\n"
              "wlsimg registry serve --listen %s%s --auth token\n"
              "wlsimg registry user add%s <namespace>/<user>\n"
              "wlsimg registry token create%s <namespace>/<user>\n",
              p->registry_url, p->registry_url, root, root, root);
  return wi_buf_steal(&b);
}

int
wi_ui_render(const struct wi_ui_project *p, const char *kind, const struct wi_ui_render_in *in,
             char **out, wi_err *err)
{
  if (strcmp(kind, "cli") == 0 || strcmp(kind, "wit") == 0) {
    *out = render_cli(p, in->project_file, strcmp(kind, "wit") == 0);
    return 0;
  }
  if (strcmp(kind, "primary-cli") == 0 || strcmp(kind, "primary-wit") == 0) {
    *out = render_primary(p, strcmp(kind, "primary-wit") == 0);
    return 0;
  }
  if (strcmp(kind, "secret-yaml") == 0)
    return wi_ui_k8s_pull_secret(p, in->creds, in->secret_name, in->ns, !in->reveal, out, err);
  if (strcmp(kind, "domain-yaml") == 0)
    return wi_ui_k8s_objects(p, in->project_file, in->creds, NULL, out, NULL, err);
  if (strcmp(kind, "k8s-cli") == 0)
    return render_k8s(p, NULL, out, err);
  if (strcmp(kind, "kubectl") == 0) {
    wi_autofree char *ctx =
        wi_ui_render_shell_quote(p->k8s_context[0] ? p->k8s_context : "<context>");
    wi_autofree char *kubectl = wi_xasprintf("kubectl --context %s", ctx);
    return render_k8s(p, kubectl, out, err);
  }
  if (strcmp(kind, "project") == 0) {
    *out = wi_ui_project_to_json(p);
    return 0;
  }
  if (strcmp(kind, "logins") == 0) {
    *out = render_logins(p);
    return 0;
  }
  return wi_err_set(err, WI_EINVAL, "render: unknown kind \"%s\" (%s)", kind, WI_UI_RENDER_KINDS);
}
