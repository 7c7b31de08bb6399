/* wlsimg k8s: pull secrets, WKO Domain resources, rollouts and ServiceAccount patches.
 *
 *   k8s secret docker-registry NAME …   k8s secret generic NAME …
 *   k8s domain …                        k8s rollout …
 *   k8s serviceaccount add-pull-secret NAME …
 *
 * Objects go to stdout, or with --apply to `kubectl apply -f -` on its stdin. Secrets are read from
 * stdin, files or the stored logins; no option takes one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/k8s.h"
#include "lib/log.h"
#include "lib/ref.h"
#include "lib/store.h"

/* ------------------------------------------------------------------ shared helpers */

static void
free_objs(struct wi_k8s_obj **objs, size_t n)
{
  for (size_t i = 0; i < n; i++)
    wi_k8s_render_obj_free(objs[i]);
  free(objs);
}

static void
push_obj(struct wi_k8s_obj ***objs, size_t *n, struct wi_k8s_obj *o)
{
  *objs = wi_xreallocarray(*objs, *n + 1, sizeof **objs);
  (*objs)[(*n)++] = o;
}

/* Print the objects, or hand them to kubectl apply on stdin. */
static int
emit(struct wi_k8s_obj *const *objs, size_t n, const char *output, bool apply, wi_err *err)
{
  enum wi_k8s_format fmt;
  size_t len = 0;

  if (wi_k8s_render_parse_format(output, &fmt, err) < 0)
    return err->code;
  char *text = wi_k8s_render(objs, n, fmt, &len, err);
  if (text == NULL)
    return err->code;
  int ret = 0;
  if (apply) {
    const char *args[] = { "apply", "-f", "-", NULL };
    char *out = NULL;
    ret = wi_k8s_kubectl(args, text, len, &out, NULL, NULL, err);
    if (ret == 0)
      fputs(out, stdout);
    free(out);
  } else {
    fwrite(text, 1, len, stdout);
  }
  explicit_bzero(text, len);
  free(text);
  return ret;
}

static int
check_ns(const char *ns, wi_err *err)
{
  return ns ? wi_k8s_validate_label("namespace", ns, err) : 0;
}

/* An image reference the operator and the kubelet will accept (checked, used as written). */
static int
check_image(const char *what, const char *image, wi_err *err)
{
  struct wi_ref ref = { 0 };

  if (wi_ref_parse(&ref, image, err) < 0)
    return wi_err_wrap(err, "%s %s", what, image);
  wi_ref_dispose(&ref);
  return 0;
}

/* Options other tools take a secret in are refused with the reason, as login refuses --password,
 * rather than "unknown option". */
static int
refuse_secret_option(const char *cmd, int argc, char **argv, const char *opt, const char *instead)
{
  size_t ol = strlen(opt);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0)
      break;
    if (strncmp(argv[i], opt, ol) == 0 && (argv[i][ol] == '\0' || argv[i][ol] == '='))
      return cli_usage_error(
          cmd, "there is no %s option (it would leak through ps and shell history); %s", opt,
          instead);
  }
  return 0;
}

/* ------------------------------------------------------------------ secret docker-registry */

struct dr_args {
  const char *ns;
  const char *server;
  const char *username;
  bool password_stdin;
  bool from_login;
  const char *email;
  const char *image;
  const char *authfile;
  const char *output;
  bool apply;
};

static const struct cli_opt dr_opts[] = {
  { "namespace", 'n', CLI_STRING, offsetof(struct dr_args, ns), "NS",
    "Namespace of the secret (the Domain's namespace); omitted: kubectl's current namespace",
    false },
  { "docker-server", 0, CLI_STRING, offsetof(struct dr_args, server), "SERVER",
    "Registry server, e.g. phx.ocir.io or 127.0.0.1:5000 (default https://index.docker.io/v1/)",
    false },
  { "image", 0, CLI_STRING, offsetof(struct dr_args, image), "REF",
    "Take the server from this image reference's registry host", false },
  { "docker-username", 0, CLI_STRING, offsetof(struct dr_args, username), "USER",
    "User name (OCIR: tenancy/user)", false },
  { "docker-password-stdin", 0, CLI_FLAG, offsetof(struct dr_args, password_stdin), NULL,
    "Read the password or auth token from stdin (on a terminal: a prompt without echo)", false },
  { "from-login", 0, CLI_FLAG, offsetof(struct dr_args, from_login), NULL,
    "Use the credentials stored by 'wlsimg login' (or docker/podman, credential helpers) for the server",
    false },
  { "docker-email", 0, CLI_STRING, offsetof(struct dr_args, email), "EMAIL", "E-mail (optional)",
    false },
  { "authfile", 0, CLI_STRING, offsetof(struct dr_args, authfile), "FILE",
    "containers auth.json to read with --from-login", false },
  { "output", 'o', CLI_STRING, offsetof(struct dr_args, output), "FORMAT", "yaml (default) or json",
    false },
  { "apply", 0, CLI_FLAG, offsetof(struct dr_args, apply), NULL,
    "Send the secret to 'kubectl apply -f -' on stdin instead of printing it", false },
  CLI_OPT_END,
};

static const struct cli_cmd dr_cmd = {
  "k8s secret docker-registry",
  "NAME [-n NS] [--docker-server S | --image REF] (--docker-username U --docker-password-stdin | --from-login)",
  "Make the kubernetes.io/dockerconfigjson Secret that 'kubectl create secret docker-registry\n"
  "--dry-run=client' prints, byte for byte, without the password ever being on a command line.",
  dr_opts,
  1,
  1,
};

static int
secret_docker_registry(int argc, char **argv)
{
  struct dr_args a = { 0 };
  char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  wi_autofree char *server = NULL;
  wi_autofree char *user = NULL;
  char *pass = NULL;
  wi_autoptr(wi_k8s_obj) struct wi_k8s_obj *obj = NULL;

  if (refuse_secret_option(dr_cmd.name, argc, argv, "--docker-password",
                           "pipe the password into --docker-password-stdin, or use --from-login"))
    return CLI_EXIT_USAGE;
  int r = cli_parse(&dr_cmd, argc, argv, &a, &pos, &npos);
  if (r != 0)
    return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  const char *name = pos[0];
  free(pos);
  if (a.password_stdin == a.from_login)
    return cli_usage_error(dr_cmd.name,
                           "give exactly one of --docker-password-stdin and --from-login");
  if (a.server && a.image)
    return cli_usage_error(dr_cmd.name, "give --docker-server or --image, not both");
  if (!a.from_login && (a.username == NULL || *a.username == '\0'))
    return cli_usage_error(dr_cmd.name,
                           "--docker-username is required with --docker-password-stdin");
  if (wi_k8s_validate_subdomain("secret name", name, &err) < 0 || check_ns(a.ns, &err) < 0)
    return cli_fail(&err);
  if (a.image) {
    struct wi_ref ref = { 0 };
    if (wi_ref_parse(&ref, a.image, &err) < 0)
      return cli_fail(&err);
    server = wi_k8s_server_for_host(ref.domain);
    wi_ref_dispose(&ref);
  } else {
    server = wi_xstrdup(a.server ? a.server : WI_K8S_DOCKERHUB_SERVER);
  }
  if (*server == '\0')
    return cli_usage_error(dr_cmd.name, "--docker-server must not be empty");
  if (strcmp(server, WI_K8S_DOCKERHUB_SERVER) != 0) {
    wi_autofree char *host = wi_k8s_server_host(server);
    if (strcmp(host, "docker.io") == 0) /* a key the kubelet may not match for Docker Hub images */
      wi_log(WI_LOG_WARN,
             "Docker Hub's key is %s (the default); \"%s\" may not be matched by the kubelet",
             WI_K8S_DOCKERHUB_SERVER, server);
  }
  if (a.from_login) {
    if (wi_k8s_input_login_creds(server, a.authfile, a.username, &user, &pass, &err) < 0)
      return cli_fail(&err);
  } else {
    user = wi_xstrdup(a.username);
    pass = cli_read_secret("password", true, &err);
    if (pass == NULL)
      return cli_fail(&err);
  }
  struct wi_k8s_docker_secret ds = {
    .name = name, .ns = a.ns, .server = server, .username = user, .password = pass, .email = a.email
  };
  r = wi_k8s_docker_secret(&obj, &ds, &err);
  wi_alloc_secret_free(pass);
  if (r < 0 || emit(&obj, 1, a.output, a.apply, &err) < 0)
    return cli_fail(&err);
  return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ secret generic */

struct gen_args {
  const char *ns;
  struct cli_list from_file;
  struct cli_list env_files;
  struct cli_list labels;
  const char *type;
  const char *output;
  bool apply;
};

static const struct cli_opt gen_opts[] = {
  { "namespace", 'n', CLI_STRING, offsetof(struct gen_args, ns), "NS", "Namespace of the secret",
    false },
  { "from-file", 0, CLI_LIST, offsetof(struct gen_args, from_file), "[KEY=]PATH",
    "A key whose value is the file's bytes (binary too; key defaults to the file name), or one key "
    "per regular file of a directory; repeatable",
    false },
  { "from-env-file", 0, CLI_LIST, offsetof(struct gen_args, env_files), "FILE",
    "KEY=VALUE lines as kubectl reads them (# comments and blank lines ignored; a KEY alone takes "
    "the value of that environment variable); repeatable",
    false },
  { "label", 'l', CLI_LIST, offsetof(struct gen_args, labels), "KEY=VALUE", "A label; repeatable",
    false },
  { "type", 0, CLI_STRING, offsetof(struct gen_args, type), "TYPE", "Secret type (e.g. Opaque)",
    false },
  { "output", 'o', CLI_STRING, offsetof(struct gen_args, output), "FORMAT",
    "yaml (default) or json", false },
  { "apply", 0, CLI_FLAG, offsetof(struct gen_args, apply), NULL, "Send to 'kubectl apply -f -'",
    false },
  CLI_OPT_END,
};

static const struct cli_cmd gen_cmd = {
  "k8s secret generic",
  "NAME [-n NS] (--from-file [KEY=]PATH | --from-env-file FILE)...",
  "Make a generic Secret as 'kubectl create secret generic --dry-run=client' prints it, byte for\n"
  "byte; values come from files, never from the command line (there is no --from-literal).",
  gen_opts,
  1,
  1,
};

static int
secret_generic(int argc, char **argv)
{
  struct gen_args a = { 0 };
  char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_k8s_kv_list data = { 0 }, labels = { 0 };
  wi_autoptr(wi_k8s_obj) struct wi_k8s_obj *obj = NULL;
  int ret = 0;

  if (refuse_secret_option(gen_cmd.name, argc, argv, "--from-literal",
                           "put KEY=VALUE lines in a file for --from-env-file, or the value in a "
                           "file for --from-file KEY=FILE"))
    return CLI_EXIT_USAGE;
  int r = cli_parse(&gen_cmd, argc, argv, &a, &pos, &npos);
  if (r != 0)
    return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  const char *name = pos[0];
  free(pos);
  if (a.from_file.n == 0 && a.env_files.n == 0)
    return cli_usage_error(gen_cmd.name, "give --from-file or --from-env-file");
  if (wi_k8s_validate_subdomain("secret name", name, &err) < 0 || check_ns(a.ns, &err) < 0)
    return cli_fail(&err);
  for (size_t i = 0; i < a.from_file.n && ret == 0; i++)
    ret = wi_k8s_input_from_file(&data, a.from_file.v[i], &err);
  for (size_t i = 0; i < a.env_files.n && ret == 0; i++)
    ret = wi_k8s_input_read_env_file(&data, a.env_files.v[i], &err);
  for (size_t i = 0; i < a.labels.n && ret == 0; i++) {
    const char *eq = strchr(a.labels.v[i], '=');
    if (eq == NULL) {
      ret = wi_err_set(&err, WI_EUSAGE, "--label %s: expected KEY=VALUE", a.labels.v[i]);
      break;
    }
    wi_k8s_input_kv_list_add(&labels, wi_xstrndup(a.labels.v[i], (size_t)(eq - a.labels.v[i])),
                             wi_xstrdup(eq + 1));
  }
  if (ret == 0) {
    struct wi_k8s_generic_secret gs = { .name = name,
                                        .ns = a.ns,
                                        .data = data.v,
                                        .n_data = data.n,
                                        .labels = labels.v,
                                        .n_labels = labels.n,
                                        .type = a.type };
    ret = wi_k8s_generic_secret(&obj, &gs, &err);
  }
  wi_k8s_input_kv_list_dispose(&data, true);
  wi_k8s_input_kv_list_dispose(&labels, false);
  if (ret < 0 || emit(&obj, 1, a.output, a.apply, &err) < 0)
    return cli_fail(&err);
  return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ domain */

struct dom_args {
  const char *uid;
  const char *ns;
  const char *image;
  struct cli_list aux;
  struct cli_list pull_secrets;
  int replicas;
  struct cli_list clusters;
  bool creds_stdin;
  const char *creds_file;
  const char *creds_secret;
  const char *enc_file;
  const char *enc_secret;
  const char *domain_type;
  const char *opss_pw_file;
  const char *opss_pw_secret;
  const char *opss_wallet;
  const char *opss_wallet_secret;
  const char *restart_version;
  const char *introspect_version;
  struct cli_list env;
  struct cli_list models;
  struct cli_list variables;
  struct cli_list model_secrets;
  const char *wdt_install_home;
  const char *model_home;
  const char *wdt_image;
  bool no_inspect;
  const char *authfile;
  bool tls_verify;
  const char *output;
  bool apply;
};

static const struct cli_opt dom_opts[] = {
  { "domain-uid", 0, CLI_STRING, offsetof(struct dom_args, uid), "UID",
    "Domain UID (also the Domain's name): at most 45 characters", true },
  { "namespace", 'n', CLI_STRING, offsetof(struct dom_args, ns), "NS", "Namespace of the domain",
    false },
  { "image", 0, CLI_STRING, offsetof(struct dom_args, image), "REF", "Primary WebLogic image",
    true },
  { "aux-image", 0, CLI_LIST, offsetof(struct dom_args, aux), "REF",
    "Auxiliary image, repeatable, in merge order (later model files win)", false },
  { "pull-secret", 0, CLI_LIST, offsetof(struct dom_args, pull_secrets), "NAME",
    "Image pull secret for the primary and auxiliary images; repeatable (one per registry)",
    false },
  { "replicas", 0, CLI_INT, offsetof(struct dom_args, replicas), "N",
    "Managed servers per cluster (default 1)", false },
  { "cluster", 0, CLI_LIST, offsetof(struct dom_args, clusters), "NAME",
    "WebLogic cluster name: adds a Cluster resource; repeatable", false },
  { "weblogic-credentials-from-stdin", 0, CLI_FLAG, offsetof(struct dom_args, creds_stdin), NULL,
    "Read the WebLogic administrator's user name and password from stdin, one per line (on a "
    "terminal: prompts, the password without echo)",
    false },
  { "weblogic-credentials-file", 0, CLI_STRING, offsetof(struct dom_args, creds_file), "FILE",
    "File with username=… and password=… lines", false },
  { "weblogic-credentials-secret", 0, CLI_STRING, offsetof(struct dom_args, creds_secret), "NAME",
    "Use an existing credentials secret instead of creating <uid>-weblogic-credentials", false },
  { "runtime-encryption-secret-file", 0, CLI_STRING, offsetof(struct dom_args, enc_file), "FILE",
    "Password of the runtime encryption secret (default: a random one)", false },
  { "runtime-encryption-secret", 0, CLI_STRING, offsetof(struct dom_args, enc_secret), "NAME",
    "Use an existing runtime encryption secret instead of creating <uid>-runtime-encryption-secret",
    false },
  { "domain-type", 0, CLI_STRING, offsetof(struct dom_args, domain_type), "TYPE",
    "WLS (default), JRF or RestrictedJRF", false },
  { "opss-wallet-password-file", 0, CLI_STRING, offsetof(struct dom_args, opss_pw_file), "FILE",
    "JRF: the OPSS wallet password for <uid>-opss-wallet-password-secret (default: a random one)",
    false },
  { "opss-wallet-password-secret", 0, CLI_STRING, offsetof(struct dom_args, opss_pw_secret), "NAME",
    "JRF: an existing secret with the key walletPassword", false },
  { "opss-wallet-file", 0, CLI_STRING, offsetof(struct dom_args, opss_wallet), "FILE",
    "JRF: an OPSS wallet saved from the domain, for <uid>-opss-walletfile-secret", false },
  { "opss-wallet-file-secret", 0, CLI_STRING, offsetof(struct dom_args, opss_wallet_secret), "NAME",
    "JRF: an existing secret with the key walletFile", false },
  { "restart-version", 0, CLI_STRING, offsetof(struct dom_args, restart_version), "V",
    "spec.restartVersion (a label value)", false },
  { "introspect-version", 0, CLI_STRING, offsetof(struct dom_args, introspect_version), "V",
    "spec.introspectVersion (a label value)", false },
  { "env", 0, CLI_LIST, offsetof(struct dom_args, env), "NAME=VALUE",
    "serverPod.env entry (for @@ENV:NAME@@ in the model); repeatable", false },
  { "wdt-model", 0, CLI_LIST, offsetof(struct dom_args, models), "FILE[,FILE]",
    "Model files to check instead of the auxiliary images' (the ones given to createAuxImage)",
    false },
  { "wdt-variables", 0, CLI_LIST, offsetof(struct dom_args, variables), "FILE[,FILE]",
    "Variables files to check the model with instead of the auxiliary images'", false },
  { "model-secret", 0, CLI_LIST, offsetof(struct dom_args, model_secrets), "NAME=FILE",
    "Create the secret NAME for @@SECRET:NAME:KEY@@: FILE holds KEY=VALUE lines; NAME:KEY=FILE "
    "takes one key from a file's bytes; repeatable",
    false },
  { "wdt-install-home", 0, CLI_STRING, offsetof(struct dom_args, wdt_install_home), "PATH",
    "configuration.model.wdtInstallHome (WDT in the primary image; WDT in auxiliary images is "
    "then ignored)",
    false },
  { "model-home", 0, CLI_STRING, offsetof(struct dom_args, model_home), "PATH",
    "configuration.model.modelHome (models in the primary image; the auxiliary images' are then "
    "ignored)",
    false },
  { "wdt-image", 0, CLI_STRING, offsetof(struct dom_args, wdt_image), "REF",
    "When several auxiliary images carry WDT: the one whose WDT is used (the others get None)",
    false },
  { "no-inspect", 0, CLI_FLAG, offsetof(struct dom_args, no_inspect), NULL,
    "Do not read the auxiliary images' metadata; assume the /auxiliary defaults", false },
  { "authfile", 0, CLI_STRING, offsetof(struct dom_args, authfile), "FILE",
    "Credentials for reading image metadata from registries", false },
  { "tls-verify", 0, CLI_FLAG, offsetof(struct dom_args, tls_verify), NULL,
    "Verify registry TLS (default true)", false },
  { "output", 'o', CLI_STRING, offsetof(struct dom_args, output), "FORMAT",
    "yaml (default) or json", false },
  { "apply", 0, CLI_FLAG, offsetof(struct dom_args, apply), NULL,
    "Send everything to 'kubectl apply -f -'; an existing runtime encryption secret is kept",
    false },
  CLI_OPT_END,
};

static const struct cli_cmd dom_cmd = {
  "k8s domain",
  "--domain-uid UID --image REF [--aux-image REF]... [OPTIONS]",
  "Generate a WebLogic Kubernetes Operator (4.x) Domain for Model in Image with auxiliary images, its\n"
  "Cluster resources and secrets. sourceWDTInstallHome/sourceModelHome come from each auxiliary\n"
  "image's own metadata (the local store, else its registry: manifest and config only). The model's\n"
  "@@SECRET, @@ENV and @@PROP macros (--wdt-model, else the images' when their layers are local)\n"
  "give configuration.secrets and are checked against --env, --model-secret and the variables.",
  dom_opts,
  0,
  0,
};

static int
domain_usage_checks(const struct dom_args *a)
{
  int sources = (a->creds_stdin ? 1 : 0) + (a->creds_file ? 1 : 0) + (a->creds_secret ? 1 : 0);
  bool jrf = a->domain_type && strcmp(a->domain_type, "JRF") == 0;
  if (sources > 1)
    return cli_usage_error(dom_cmd.name,
                           "give only one of --weblogic-credentials-from-stdin, "
                           "--weblogic-credentials-file and --weblogic-credentials-secret");
  if (a->enc_file && a->enc_secret)
    return cli_usage_error(
        dom_cmd.name,
        "give --runtime-encryption-secret-file or --runtime-encryption-secret, not both");
  if ((a->opss_pw_file && a->opss_pw_secret) || (a->opss_wallet && a->opss_wallet_secret))
    return cli_usage_error(dom_cmd.name,
                           "give the OPSS wallet password (or wallet) as a file or as an existing "
                           "secret, not both");
  if (!jrf && (a->opss_pw_file || a->opss_pw_secret || a->opss_wallet || a->opss_wallet_secret))
    return cli_usage_error(dom_cmd.name, "the --opss-* options are for --domain-type JRF");
  if (a->wdt_image && a->no_inspect)
    return cli_usage_error(dom_cmd.name,
                           "--wdt-image needs the images' metadata (not --no-inspect)");
  return 0;
}

/* Values of a repeatable FILE[,FILE] option, split on commas (as createAuxImage takes them). */
static const char **
split_list(const struct cli_list *l, size_t *n_out)
{
  const char **v = NULL;
  size_t n = 0;
  for (size_t i = 0; i < l->n; i++)
    for (const char *p = l->v[i]; *p;) {
      const char *c = strchrnul(p, ',');
      if (c > p) {
        v = wi_xreallocarray(v, n + 1, sizeof *v);
        v[n++] = wi_xstrndup(p, (size_t)(c - p));
      }
      p = *c ? c + 1 : c;
    }
  *n_out = n;
  return v;
}

static void
free_list(const char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free((void *)(uintptr_t)v[i]);
  free(v);
}

/* A line from a terminal, echoed (a user name); read byte by byte so that nothing after it is
 * consumed. malloc'ed, NULL at end of input. */
static char *
prompt_line(const char *prompt)
{
  char buf[1024];
  size_t n = 0;
  char c;

  fprintf(stderr, "%s: ", prompt);
  fflush(stderr);
  while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n')
    if (n + 1 < sizeof buf)
      buf[n++] = c;
  while (n > 0 && buf[n - 1] == '\r')
    n--;
  return n ? wi_xstrndup(buf, n) : NULL;
}

/* The WebLogic credentials from a terminal: user name echoed, password not. */
static int
prompt_credentials(char **user, char **pass, wi_err *err)
{
  *user = prompt_line("WebLogic administrator user name");
  if (*user == NULL)
    return wi_err_set(err, WI_EINVAL, "a WebLogic user name is required");
  *pass = cli_read_secret("WebLogic administrator password", false, err);
  if (*pass == NULL) {
    free(*user);
    *user = NULL;
    return err->code;
  }
  return 0;
}

/* --env NAME=VALUE entries (borrowed key copies in names). */
static int
parse_env(const struct cli_list *l, struct wi_k8s_kv_list *env, wi_err *err)
{
  for (size_t i = 0; i < l->n; i++) {
    const char *eq = strchr(l->v[i], '=');
    if (eq == NULL || eq == l->v[i])
      return wi_err_set(err, WI_EUSAGE, "--env %s: expected NAME=VALUE", l->v[i]);
    wi_k8s_input_kv_list_add(env, wi_xstrndup(l->v[i], (size_t)(eq - l->v[i])), wi_xstrdup(eq + 1));
  }
  return 0;
}

/* What the paths in the images mean for the operator: said before anything is printed. */
static void
warn_homes(const struct dom_args *a, const struct wi_k8s_aux_set *aux)
{
  if (a->no_inspect || aux->n == 0)
    return;
  if (a->wdt_install_home == NULL && aux->n_with_wdt == 0)
    wi_log(WI_LOG_WARN,
           "no auxiliary image carries a WDT install: the operator looks for WDT in the empty "
           "/aux/weblogic-deploy and the domain fails; add an image built with WDT, or give "
           "--wdt-install-home PATH where the primary image has it");
  if (a->wdt_install_home && aux->n_with_wdt > 0)
    wi_log(WI_LOG_WARN,
           "--wdt-install-home %s: the operator ignores the WDT install of the auxiliary images",
           a->wdt_install_home);
  if (a->model_home)
    wi_log(WI_LOG_WARN, "--model-home %s: the operator ignores the auxiliary images' model files",
           a->model_home);
}

/* The secrets the model needs that this output does not create: with --apply they must exist
 * (with the keys the model uses); otherwise say which to create. */
static int
missing_secrets(const struct dom_args *a, const struct wi_k8s_model_secret *const *missing,
                size_t n, wi_err *err)
{
  for (size_t i = 0; i < n; i++) {
    const struct wi_k8s_model_secret *m = missing[i];
    if (a->apply) {
      bool exists = false;
      char **keys = NULL;
      size_t n_keys = 0;
      if (wi_k8s_kubectl_secret_keys(m->name, a->ns, &exists, &keys, &n_keys, err) < 0)
        return err->code;
      const char *lacking = NULL;
      for (size_t k = 0; exists && k < m->n_keys && !lacking; k++) {
        bool found = false;
        for (size_t j = 0; j < n_keys && !found; j++)
          found = strcmp(keys[j], m->keys[k]) == 0;
        lacking = found ? NULL : m->keys[k];
      }
      int ret = 0;
      if (!exists)
        ret = wi_err_set(err, WI_EINVAL,
                         "the model uses the secret %s (%s), which does not exist%s%s: create "
                         "it (wlsimg k8s secret generic %s) or give --model-secret %s=FILE",
                         m->name, m->where, a->ns ? " in namespace " : "", a->ns ? a->ns : "",
                         m->name, m->name);
      else if (lacking)
        ret = wi_err_set(err, WI_EINVAL,
                         "the model uses the key %s of secret %s (%s), which it lacks", lacking,
                         m->name, m->where);
      for (size_t j = 0; j < n_keys; j++)
        free(keys[j]);
      free(keys);
      if (ret < 0)
        return ret;
    } else if (!cli_quiet) {
      fprintf(stderr, "wlsimg: the model uses the secret %s (%s) with the key%s", m->name, m->where,
              m->n_keys > 1 ? "s" : "");
      for (size_t k = 0; k < m->n_keys; k++)
        fprintf(stderr, "%s %s", k ? "," : "", m->keys[k]);
      fprintf(stderr,
              "; this output does not create it: create it%s%s before the domain starts "
              "(wlsimg k8s secret generic %s --from-env-file FILE), or give --model-secret "
              "%s=FILE\n",
              a->ns ? " in namespace " : "", a->ns ? a->ns : "", m->name, m->name);
    }
  }
  return 0;
}

/* Everything the Domain says about its model: configuration.secrets and the secrets to make. */
struct dom_model {
  struct wi_k8s_model_secrets needs;
  struct wi_k8s_secret_srcs given;
  const char **names;
  size_t n_names;
  const struct wi_k8s_model_secret **missing;
  size_t n_missing;
};

static void
dom_model_dispose(struct dom_model *m)
{
  wi_k8s_model_secrets_dispose(&m->needs);
  wi_k8s_input_secret_srcs_dispose(&m->given);
  free(m->names);
  free(m->missing);
}

/* A secret this output makes itself (credentials, encryption, OPSS), with its keys. */
struct own_secret {
  const char *name;
  const char *keys[2];
};

/* The model may name the secrets this output makes (@@SECRET:d1-weblogic-credentials:username@@):
 * they are not missing when they have the keys. --model-secret may not make them a second time. */
static int
own_secrets(struct dom_model *dm, const struct own_secret *own, size_t n_own, wi_err *err)
{
  for (size_t i = 0; i < dm->given.n; i++)
    for (size_t o = 0; o < n_own; o++)
      if (own[o].name && strcmp(dm->given.v[i].name, own[o].name) == 0)
        return wi_err_set(err, WI_EINVAL,
                          "--model-secret %s: this output already makes that secret", own[o].name);
  size_t kept = 0;
  for (size_t i = 0; i < dm->n_missing; i++) {
    const struct wi_k8s_model_secret *m = dm->missing[i];
    const struct own_secret *mine = NULL;
    for (size_t o = 0; o < n_own && !mine; o++)
      mine = own[o].name && strcmp(own[o].name, m->name) == 0 ? &own[o] : NULL;
    for (size_t k = 0; mine && k < m->n_keys; k++)
      if (!(mine->keys[0] && strcmp(mine->keys[0], m->keys[k]) == 0) &&
          !(mine->keys[1] && strcmp(mine->keys[1], m->keys[k]) == 0))
        return wi_err_set(err, WI_EINVAL,
                          "the model uses the key %s of secret %s (%s), which this output makes "
                          "without it",
                          m->keys[k], m->name, m->where);
    if (mine == NULL)
      dm->missing[kept++] = m;
  }
  dm->n_missing = kept;
  return 0;
}

static int
domain_model(const struct dom_args *a, const struct wi_k8s_aux_set *aux,
             const struct wi_k8s_kv_list *env, const struct own_secret *own, size_t n_own,
             struct dom_model *dm, struct wi_k8s_obj ***objs, size_t *n, wi_err *err)
{
  size_t n_models = 0, n_vars = 0;
  const char **models = split_list(&a->models, &n_models);
  const char **vars = split_list(&a->variables, &n_vars);
  bool checked = false;
  struct wi_k8s_model_sources src = { .model_files = models,
                                      .n_model_files = n_models,
                                      .vars_files = vars,
                                      .n_vars_files = n_vars,
                                      .image_files = aux->models,
                                      .n_image_files = aux->n_models,
                                      .image_files_valid =
                                          aux->models_read && aux->n > 0 && !a->model_home };
  int ret = wi_k8s_model_check_domain(&dm->needs, &checked, &src, a->uid, env->v, env->n, err);
  free_list(models, n_models);
  free_list(vars, n_vars);
  if (ret == 0 && !checked && (aux->n > 0 || a->model_home))
    wi_log(WI_LOG_WARN,
           "the model was not read (%s): its @@SECRET, @@ENV and @@PROP macros are not checked; "
           "give --wdt-model FILE and --wdt-variables FILE to check them",
           a->model_home   ? "--model-home: it is in the primary image"
           : a->no_inspect ? "--no-inspect"
                           : "the auxiliary images' layers are not in the local store");
  for (size_t i = 0; i < a->model_secrets.n && ret == 0; i++)
    ret = wi_k8s_input_model_secret(&dm->given, a->model_secrets.v[i], err);
  if (ret == 0)
    ret =
        wi_k8s_input_model_secrets(objs, n, &dm->given, checked ? &dm->needs : NULL, a->uid, a->ns,
                                   &dm->names, &dm->n_names, &dm->missing, &dm->n_missing, err);
  if (ret == 0)
    ret = own_secrets(dm, own, n_own, err);
  if (ret == 0)
    ret = missing_secrets(a, dm->missing, dm->n_missing, err);
  return ret;
}

static int
cmd_domain(int argc, char **argv)
{
  struct dom_args a = { .replicas = 1, .tls_verify = true };
  char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_k8s_aux_set aux = { 0 };
  struct wi_k8s_kv_list env = { 0 };
  struct dom_model dm = { 0 };
  wi_autoptr(wi_store) struct wi_store *store = NULL;
  struct wi_k8s_obj **objs = NULL, **dom = NULL, **model_objs = NULL;
  size_t n = 0, n_dom = 0, n_model_objs = 0;
  char *user = NULL, *pass = NULL;
  int ret = 0;

  int r = cli_parse(&dom_cmd, argc, argv, &a, &pos, &npos);
  free(pos);
  if (r != 0)
    return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (domain_usage_checks(&a) != 0)
    return CLI_EXIT_USAGE;
  if (!a.creds_stdin && !a.creds_file && !a.creds_secret) {
    wi_err_set(
        &err, WI_EINVAL,
        "the WebLogic credentials secret is required: give --weblogic-credentials-from-stdin, "
        "--weblogic-credentials-file FILE or --weblogic-credentials-secret NAME");
    return cli_fail(&err);
  }
  bool jrf = a.domain_type && strcmp(a.domain_type, "JRF") == 0;
  wi_autofree char *cred_name =
      a.creds_secret ? wi_xstrdup(a.creds_secret) : wi_xasprintf("%s-weblogic-credentials", a.uid);
  wi_autofree char *enc_name =
      a.enc_secret ? wi_xstrdup(a.enc_secret) : wi_xasprintf("%s-runtime-encryption-secret", a.uid);
  wi_autofree char *opss_pw_name = !jrf ? NULL
                                   : a.opss_pw_secret
                                       ? wi_xstrdup(a.opss_pw_secret)
                                       : wi_xasprintf("%s-opss-wallet-password-secret", a.uid);
  wi_autofree char *opss_wallet_name = a.opss_wallet_secret ? wi_xstrdup(a.opss_wallet_secret)
                                       : a.opss_wallet
                                           ? wi_xasprintf("%s-opss-walletfile-secret", a.uid)
                                           : NULL;
  ret = parse_env(&a.env, &env, &err);
  struct wi_k8s_domain d = {
    .uid = a.uid,
    .ns = a.ns,
    .image = a.image,
    .pull_secrets = a.pull_secrets.v,
    .n_pull_secrets = a.pull_secrets.n,
    .credentials_secret = cred_name,
    .encryption_secret = enc_name,
    .domain_type = a.domain_type,
    .restart_version = a.restart_version,
    .introspect_version = a.introspect_version,
    .replicas = a.replicas,
    .clusters = a.clusters.v,
    .n_clusters = a.clusters.n,
    .env = env.v,
    .n_env = env.n,
    .opss_wallet_password_secret = opss_pw_name,
    .opss_wallet_file_secret = opss_wallet_name,
    .wdt_install_home = a.wdt_install_home,
    .model_home = a.model_home,
  };
  /* Validate what the operator constrains before reading secrets or images: no half-done work on
   * a typo. */
  if (ret == 0)
    ret = wi_k8s_domain_check(&d, &err);
  if (ret == 0)
    ret = check_image("--image", a.image, &err);
  for (size_t i = 0; i < a.aux.n && ret == 0; i++)
    ret = check_image("--aux-image", a.aux.v[i], &err);
  if (ret == 0 && !a.no_inspect && a.aux.n > 0) {
    /* read only: a store that does not exist is not created */
    wi_err e = { 0 };
    if (wi_store_open_default(&store, false, &e) < 0 && e.code != WI_ENOTFOUND) {
      err = e;
      ret = err.code;
    }
  }
  if (ret == 0) {
    struct wi_k8s_aux_opts ao = { .inspect = !a.no_inspect,
                                  .store = store,
                                  .wdt_image = a.wdt_image,
                                  .read_models = a.models.n == 0 || a.variables.n == 0,
                                  .authfile = a.authfile,
                                  .tls_verify = a.tls_verify };
    ret = wi_k8s_aux_resolve(&aux, a.aux.v, a.aux.n, &ao, &err);
  }
  if (ret == 0) {
    warn_homes(&a, &aux);
    const struct own_secret own[] = {
      { a.creds_secret ? NULL : cred_name, { "username", "password" } },
      { a.enc_secret ? NULL : enc_name, { "password", NULL } },
      { a.opss_pw_secret ? NULL : opss_pw_name, { "walletPassword", NULL } },
      { a.opss_wallet ? opss_wallet_name : NULL, { "walletFile", NULL } },
    };
    ret = domain_model(&a, &aux, &env, own, WI_ARRAY_SIZE(own), &dm, &model_objs, &n_model_objs,
                       &err);
  }
  if (ret == 0) {
    d.aux = aux.v;
    d.n_aux = aux.n;
    d.secrets = dm.names;
    d.n_secrets = dm.n_names;
    ret = wi_k8s_domain_objects(&dom, &n_dom, &d, &err); /* validates the rest */
  }
  if (ret == 0 && a.creds_stdin && isatty(STDIN_FILENO))
    ret = prompt_credentials(&user, &pass, &err);
  if (ret == 0) {
    struct wi_k8s_domain_secrets ds = { .uid = a.uid,
                                        .ns = a.ns,
                                        .credentials = a.creds_secret ? NULL : cred_name,
                                        .credentials_user = user,
                                        .credentials_password = pass,
                                        .credentials_file = a.creds_file,
                                        .credentials_fd = STDIN_FILENO,
                                        .encryption = a.enc_secret ? NULL : enc_name,
                                        .encryption_file = a.enc_file,
                                        .opss_password = a.opss_pw_secret ? NULL : opss_pw_name,
                                        .opss_password_file = a.opss_pw_file,
                                        .opss_wallet = a.opss_wallet ? opss_wallet_name : NULL,
                                        .opss_wallet_file = a.opss_wallet,
                                        .apply = a.apply };
    ret = wi_k8s_input_domain_secrets_objects(&objs, &n, &ds, &err);
  }
  wi_alloc_secret_free(user);
  wi_alloc_secret_free(pass);
  for (size_t i = 0; i < n_model_objs; i++)
    push_obj(&objs, &n, model_objs[i]);
  for (size_t i = 0; i < n_dom; i++)
    push_obj(&objs, &n, dom[i]);
  free(model_objs);
  free(dom);
  if (ret == 0)
    ret = emit(objs, n, a.output, a.apply, &err);
  free_objs(objs, n);
  dom_model_dispose(&dm);
  wi_k8s_input_kv_list_dispose(&env, false);
  wi_k8s_aux_set_dispose(&aux);
  if (ret == WI_EUSAGE)
    return cli_usage_error(dom_cmd.name, "%s", err.msg);
  return ret < 0 ? cli_fail(&err) : CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ rollout */

struct ro_args {
  const char *uid;
  const char *ns;
  const char *image;
  const char *aux_image;
  int aux_index;
  const char *restart_version;
  const char *introspect_version;
  const char *output;
  bool apply;
  bool wait;
  const char *timeout;
};

static const struct cli_opt ro_opts[] = {
  { "domain-uid", 0, CLI_STRING, offsetof(struct ro_args, uid), "UID", "The Domain to update",
    true },
  { "namespace", 'n', CLI_STRING, offsetof(struct ro_args, ns), "NS", "Its namespace", false },
  { "image", 0, CLI_STRING, offsetof(struct ro_args, image), "REF",
    "New primary image (merge patch with a restartVersion bump)", false },
  { "aux-image", 0, CLI_STRING, offsetof(struct ro_args, aux_image), "OLD=NEW|NEW",
    "Replace an auxiliary image (JSON patch); NEW alone needs --aux-index", false },
  { "aux-index", 0, CLI_INT, offsetof(struct ro_args, aux_index), "I",
    "Position of the auxiliary image to replace (from 0); the live Domain is then not read",
    false },
  { "restart-version", 0, CLI_STRING, offsetof(struct ro_args, restart_version), "V",
    "restartVersion to set (default: the live one incremented)", false },
  { "introspect-version", 0, CLI_STRING, offsetof(struct ro_args, introspect_version), "V",
    "introspectVersion to set (default: bumped only when an auxiliary tag is re-used)", false },
  { "output", 'o', CLI_STRING, offsetof(struct ro_args, output), "FORMAT",
    "The patch as json or yaml (default: one line of JSON); with --apply, the patched Domain as "
    "kubectl prints it",
    false },
  { "apply", 0, CLI_FLAG, offsetof(struct ro_args, apply), NULL,
    "Apply the patch with 'kubectl patch' (patch on stdin)", false },
  { "wait", 0, CLI_FLAG, offsetof(struct ro_args, wait), NULL,
    "With --apply: wait until the operator reports the roll completed (kubectl get)", false },
  { "timeout", 0, CLI_STRING, offsetof(struct ro_args, timeout), "DURATION",
    "How long --wait waits: 90s, 15m, 1h (default 30m)", false },
  CLI_OPT_END,
};

static const struct cli_cmd ro_cmd = {
  "k8s rollout",
  "--domain-uid UID [-n NS] (--image NEW | --aux-image OLD=NEW | --aux-index I --aux-image NEW) [--apply [--wait]]",
  "Produce (and with --apply, apply) the patch that makes the operator roll a running domain onto a\n"
  "new primary or auxiliary image. Custom resources take no strategic merge patch: --image is a merge\n"
  "patch (kubectl patch --type=merge), --aux-image a JSON patch (--type=json). Without --aux-index\n"
  "or --restart-version the live Domain is read with kubectl get to fill them in.",
  ro_opts,
  0,
  0,
};

static const char domain_kind[] = "domain.v9.weblogic.oracle";

/* "90", "90s", "15m", "2h" → seconds; -1 when malformed. */
static int
parse_duration(const char *s)
{
  char *end = NULL;
  long v = strtol(s, &end, 10);
  long mul = *end == '\0' || strcmp(end, "s") == 0 ? 1
             : strcmp(end, "m") == 0               ? 60
             : strcmp(end, "h") == 0               ? 3600
                                                   : -1;
  if (end == s || v <= 0 || mul < 0 || v > 7 * 24 * 3600 / mul)
    return -1;
  return (int)(v * mul);
}

static void
wait_progress(const char *line, void *payload)
{
  WI_UNUSED(payload);
  if (!cli_quiet)
    fprintf(stderr, "wlsimg: %s\n", line);
}

/* Print the patch (without --apply, with the kubectl command that applies it), or apply it and,
 * with --wait, wait for the roll. */
static int
rollout_emit(const struct ro_args *a, struct wi_k8s_obj *patch, const char *type, const char *what,
             wi_err *err)
{
  int ret = 0;
  char *text = NULL;

  if (a->output) {
    enum wi_k8s_format fmt;
    if (wi_k8s_render_parse_format(a->output, &fmt, err) < 0)
      return err->code;
    if (!a->apply && (text = wi_k8s_render(&patch, 1, fmt, NULL, err)) == NULL)
      return err->code;
  }
  if (a->apply) {
    wi_autofree char *compact = wi_k8s_render_compact(patch);
    char *out = NULL;
    ret = wi_k8s_kubectl_patch(domain_kind, a->uid, a->ns, type, compact, a->output, &out, err);
    if (ret == 0)
      fputs(out, stdout);
    free(out);
    if (ret == 0 && a->wait) {
      int t = a->timeout ? parse_duration(a->timeout) : 30 * 60;
      ret = wi_k8s_kubectl_wait_domain(a->uid, a->ns, t, wait_progress, NULL, err);
      if (ret == 0 && !cli_quiet)
        fprintf(stderr, "wlsimg: domain %s rolled\n", a->uid);
    }
    return ret;
  }
  if (text == NULL)
    text = wi_k8s_render_compact(patch);
  fputs(text, stdout);
  free(text);
  if (!cli_quiet)
    fprintf(stderr,
            "wlsimg: %s. This is a %s patch: apply it with 'kubectl patch %s %s%s%s --type=%s "
            "--patch-file FILE' (a strategic merge patch, kubectl's default, is refused by custom "
            "resources), or rerun with --apply [--wait]\n",
            what, strcmp(type, "json") == 0 ? "JSON (RFC 6902)" : "merge (RFC 7386)", domain_kind,
            a->uid, a->ns ? " -n " : "", a->ns ? a->ns : "", type);
  return 0;
}

/* The live Domain, read when the patch depends on it; the error says what to give instead. */
static int
read_live(const struct ro_args *a, struct wi_k8s_domain_state *st, const char *instead, wi_err *err)
{
  if (wi_k8s_kubectl_get_domain(st, a->uid, a->ns, err) == 0)
    return 0;
  if (a->apply)
    return err->code;
  return wi_err_wrap(err, "the patch depends on the live Domain, which could not be read (%s)",
                     instead);
}

static int
rollout_primary(const struct ro_args *a, wi_err *err)
{
  struct wi_k8s_domain_state st = { 0 };
  wi_autofree char *rv = NULL;
  int ret = 0;

  if (a->apply || a->restart_version == NULL) {
    if (read_live(a, &st, "give --restart-version V to print the patch without a cluster", err) < 0)
      return err->code;
    if (st.image && strcmp(st.image, a->image) == 0)
      wi_log(WI_LOG_WARN,
             "spec.image is already %s; only the restartVersion changes (nodes re-pull a "
             "re-pushed tag only with imagePullPolicy Always)",
             a->image);
  }
  rv =
      a->restart_version ? wi_xstrdup(a->restart_version) : wi_k8s_next_version(st.restart_version);
  if (wi_k8s_validate_label_value("restartVersion", rv, err) < 0) {
    wi_k8s_kubectl_domain_state_dispose(&st);
    return err->code;
  }
  wi_autoptr(wi_k8s_obj) struct wi_k8s_obj *patch = wi_k8s_patch_primary_image(a->image, rv);
  wi_autofree char *what =
      wi_xasprintf("it sets spec.image to %s and restartVersion to \"%s\" (was \"%s\"): the "
                   "operator restarts the servers one by one",
                   a->image, rv, st.restart_version ? st.restart_version : "unset");
  ret = rollout_emit(a, patch, "merge", what, err);
  wi_k8s_kubectl_domain_state_dispose(&st);
  return ret;
}

static int
rollout_aux(const struct ro_args *a, wi_err *err)
{
  struct wi_k8s_domain_state st = { 0 };
  struct wi_k8s_aux_rollout plan = { 0 };
  wi_autofree char *old = NULL;
  const char *new_image = a->aux_image;
  const char *eq = strchr(a->aux_image, '=');
  int ret = 0;

  if (eq) {
    old = wi_xstrndup(a->aux_image, (size_t)(eq - a->aux_image));
    new_image = eq + 1;
  }
  if (*new_image == '\0' || (old && *old == '\0'))
    return wi_err_set(err, WI_EUSAGE, "--aux-image: expected OLD=NEW or NEW");
  if (check_image("--aux-image", new_image, err) < 0)
    return err->code;
  if (!eq && a->aux_index < 0)
    return wi_err_set(err, WI_EUSAGE,
                      "--aux-image NEW needs --aux-index I (or use --aux-image OLD=NEW)");
  if (a->introspect_version &&
      wi_k8s_validate_label_value("introspectVersion", a->introspect_version, err) < 0)
    return err->code;
  bool same = old && strcmp(old, new_image) == 0 && a->introspect_version == NULL;
  if (a->apply || a->aux_index < 0 || same) {
    /* which entry OLD is, and the introspectVersion to bump, are in the live Domain */
    if (read_live(a, &st,
                  "give --aux-index I (and --introspect-version V for a re-used tag) to print the "
                  "patch without a cluster",
                  err) < 0)
      return err->code;
    ret = wi_k8s_input_aux_rollout_plan(&plan, &st, a->uid, old, new_image, a->aux_index,
                                        a->introspect_version, err);
    if (ret == 0 && plan.same_tag && strcmp(plan.pull_policy, "Always") != 0)
      wi_log(WI_LOG_WARN,
             "re-using the tag %s with imagePullPolicy %s: nodes that have the image keep "
             "the old content; push a new tag instead",
             new_image, plan.pull_policy);
  } else {
    plan.index = (size_t)a->aux_index;
    plan.old_image = old ? wi_xstrdup(old) : NULL;
    plan.introspect_version = a->introspect_version ? wi_xstrdup(a->introspect_version) : NULL;
  }
  if (ret == 0) {
    wi_autoptr(wi_k8s_obj) struct wi_k8s_obj *patch =
        wi_k8s_patch_aux_image(plan.index, plan.old_image, new_image, plan.introspect_version);
    wi_autofree char *what = wi_xasprintf(
        "it replaces spec.configuration.model.auxiliaryImages[%zu].image%s%s with %s%s%s%s "
        "(the operator re-runs the introspector, then restarts the servers one by one)",
        plan.index, plan.old_image ? " " : "", plan.old_image ? plan.old_image : "", new_image,
        plan.old_image ? ", after a test op that refuses it if the entry changed meanwhile" : "",
        plan.introspect_version ? ", and sets introspectVersion to " : "",
        plan.introspect_version ? plan.introspect_version : "");
    ret = rollout_emit(a, patch, "json", what, err);
  }
  wi_k8s_input_aux_rollout_dispose(&plan);
  wi_k8s_kubectl_domain_state_dispose(&st);
  return ret;
}

static int
cmd_rollout(int argc, char **argv)
{
  struct ro_args a = { .aux_index = -1 };
  char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  enum wi_k8s_format fmt;

  int r = cli_parse(&ro_cmd, argc, argv, &a, &pos, &npos);
  free(pos);
  if (r != 0)
    return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if ((a.image != NULL) == (a.aux_image != NULL))
    return cli_usage_error(ro_cmd.name, "give exactly one of --image and --aux-image");
  if (a.wait && !a.apply)
    return cli_usage_error(ro_cmd.name, "--wait needs --apply (there is nothing to wait for)");
  if (a.timeout && (!a.wait || parse_duration(a.timeout) < 0))
    return cli_usage_error(ro_cmd.name,
                           "--timeout %s: expected a duration such as 90s, 15m or "
                           "1h, with --wait",
                           a.timeout);
  if (a.output && wi_k8s_render_parse_format(a.output, &fmt, &err) < 0)
    return cli_usage_error(ro_cmd.name, "%s", err.msg);
  if (wi_k8s_validate_domain_uid(a.uid, &err) < 0 || check_ns(a.ns, &err) < 0 ||
      (a.image && check_image("--image", a.image, &err) < 0) ||
      (a.restart_version &&
       wi_k8s_validate_label_value("restartVersion", a.restart_version, &err) < 0))
    return cli_fail(&err);
  if (a.restart_version && a.aux_image)
    return cli_usage_error(
        ro_cmd.name,
        "--restart-version goes with --image (an auxiliary image change rolls the servers by itself)");
  int ret = a.image ? rollout_primary(&a, &err) : rollout_aux(&a, &err);
  if (ret == WI_EUSAGE)
    return cli_usage_error(ro_cmd.name, "%s", err.msg);
  return ret < 0 ? cli_fail(&err) : CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ serviceaccount */

struct sa_args {
  const char *ns;
  const char *account;
  bool apply;
};

static const struct cli_opt sa_opts[] = {
  { "namespace", 'n', CLI_STRING, offsetof(struct sa_args, ns), "NS", "Namespace", false },
  { "account", 0, CLI_STRING, offsetof(struct sa_args, account), "NAME",
    "ServiceAccount (default: default)", false },
  { "apply", 0, CLI_FLAG, offsetof(struct sa_args, apply), NULL,
    "Read the ServiceAccount and patch it with kubectl (patch on stdin)", false },
  CLI_OPT_END,
};

static const struct cli_cmd sa_cmd = {
  "k8s serviceaccount add-pull-secret",
  "SECRET [-n NS] [--account NAME] [--apply]",
  "Add a pull secret to a ServiceAccount's imagePullSecrets, keeping the ones already there (a JSON\n"
  "patch that appends, not kubectl's usual merge patch that replaces the list).",
  sa_opts,
  1,
  1,
};

static int
sa_add_pull_secret(int argc, char **argv)
{
  struct sa_args a = { .account = "default" };
  char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };

  int r = cli_parse(&sa_cmd, argc, argv, &a, &pos, &npos);
  if (r != 0)
    return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  const char *secret = pos[0];
  free(pos);
  if (wi_k8s_validate_subdomain("secret name", secret, &err) < 0 ||
      wi_k8s_validate_subdomain("ServiceAccount name", a.account, &err) < 0 ||
      check_ns(a.ns, &err) < 0)
    return cli_fail(&err);
  if (!a.apply) {
    wi_autoptr(wi_k8s_obj) struct wi_k8s_obj *p1 = wi_k8s_patch_sa_pull_secret(secret, true);
    wi_autoptr(wi_k8s_obj) struct wi_k8s_obj *p2 = wi_k8s_patch_sa_pull_secret(secret, false);
    wi_autofree char *patch = wi_k8s_render_compact(p1);
    wi_autofree char *create = wi_k8s_render_compact(p2);
    fputs(patch, stdout);
    if (!cli_quiet)
      fprintf(
          stderr,
          "wlsimg: this JSON patch (kubectl patch serviceaccount %s --type=json) appends to an existing "
          "imagePullSecrets list; for an account without one use:\n%s",
          a.account, create);
    return CLI_EXIT_OK;
  }
  const char *args[] = { "get", "serviceaccount", a.account, "-o", "json" };
  char *out = NULL;
  bool has_list = false, listed = false;
  if (wi_k8s_kubectl_ns(args, WI_ARRAY_SIZE(args), a.ns, NULL, &out, &err) < 0) {
    wi_err_wrap(&err, "read serviceaccount %s", a.account);
    return cli_fail(&err);
  }
  r = wi_k8s_kubectl_sa_parse(out, strlen(out), secret, &has_list, &listed, &err);
  free(out);
  if (r < 0)
    return cli_fail(&err);
  if (listed) {
    printf("serviceaccount/%s already lists %s\n", a.account, secret);
    return CLI_EXIT_OK;
  }
  wi_autoptr(wi_k8s_obj) struct wi_k8s_obj *p = wi_k8s_patch_sa_pull_secret(secret, has_list);
  wi_autofree char *patch = wi_k8s_render_compact(p);
  char *kout = NULL;
  if (wi_k8s_kubectl_patch("serviceaccount", a.account, a.ns, "json", patch, NULL, &kout, &err) < 0)
    return cli_fail(&err);
  fputs(kout, stdout);
  free(kout);
  return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ dispatch */

static const struct cli_sub secret_subs[] = {
  { "docker-registry", secret_docker_registry,
    "Pull secret from stdin or a stored login (as kubectl makes it)", false },
  { "generic", secret_generic, "Generic secret from files", false },
  { NULL, NULL, NULL, false },
};
static const struct cli_group secret_group = { "k8s secret",
                                               "Kubernetes Secrets, as kubectl makes them.", NULL,
                                               secret_subs };

static const struct cli_sub sa_subs[] = {
  { "add-pull-secret", sa_add_pull_secret, "Append a pull secret to a ServiceAccount", false },
  { NULL, NULL, NULL, false },
};
static const struct cli_group sa_group = { "k8s serviceaccount", "Patch a ServiceAccount.", NULL,
                                           sa_subs };

static int
cmd_secret(int argc, char **argv)
{
  return cli_dispatch(&secret_group, argc, argv);
}

static int
cmd_serviceaccount(int argc, char **argv)
{
  return cli_dispatch(&sa_group, argc, argv);
}

static const struct cli_sub k8s_subs[] = {
  { "secret", cmd_secret, "Pull secrets and generic secrets", false },
  { "domain", cmd_domain, "WKO v9 Domain + Cluster resources + secrets for Model in Image", false },
  { "rollout", cmd_rollout, "Patch a running Domain onto a new primary or auxiliary image", false },
  { "serviceaccount", cmd_serviceaccount, "Append a pull secret to a ServiceAccount", false },
  { "sa", cmd_serviceaccount, "Alias of serviceaccount", true },
  { NULL, NULL, NULL, false },
};
static const struct cli_group k8s_group = {
  "k8s",
  "Kubernetes objects for the images wlsimg builds and pushes.",
  "Objects are printed (-o yaml|json) or, with --apply, sent to 'kubectl apply -f -' on stdin.\n",
  k8s_subs,
};

int
cmd_k8s(int argc, char **argv)
{
  return cli_dispatch(&k8s_group, argc, argv);
}
