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
    "Read the password or auth token from stdin", false },
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
  const char *env_file;
  struct cli_list labels;
  const char *type;
  const char *output;
  bool apply;
};

static const struct cli_opt gen_opts[] = {
  { "namespace", 'n', CLI_STRING, offsetof(struct gen_args, ns), "NS", "Namespace of the secret",
    false },
  { "from-file", 0, CLI_LIST, offsetof(struct gen_args, from_file), "[KEY=]PATH",
    "A key whose value is the file's content (key defaults to the file name); repeatable", false },
  { "from-env-file", 0, CLI_STRING, offsetof(struct gen_args, env_file), "FILE",
    "KEY=VALUE lines (# comments and blank lines ignored)", false },
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
  "Make a generic Secret as 'kubectl create secret generic --dry-run=client' prints it; values come\n"
  "from files, never from the command line.",
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

  int r = cli_parse(&gen_cmd, argc, argv, &a, &pos, &npos);
  if (r != 0)
    return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  const char *name = pos[0];
  free(pos);
  if (a.from_file.n == 0 && a.env_file == NULL)
    return cli_usage_error(gen_cmd.name, "give --from-file or --from-env-file");
  if (wi_k8s_validate_subdomain("secret name", name, &err) < 0 || check_ns(a.ns, &err) < 0)
    return cli_fail(&err);
  for (size_t i = 0; i < a.from_file.n && ret == 0; i++) {
    const char *spec = a.from_file.v[i], *eq = strchr(spec, '=');
    const char *path = eq ? eq + 1 : spec;
    const char *base = strrchr(path, '/');
    char *key = eq ? wi_xstrndup(spec, (size_t)(eq - spec)) : wi_xstrdup(base ? base + 1 : path);
    char *value = wi_k8s_input_read_value_file(path, &err);
    if (value == NULL)
      ret = err.code;
    wi_k8s_input_kv_list_add(&data, key, value ? value : wi_xstrdup(""));
  }
  if (ret == 0 && a.env_file)
    ret = wi_k8s_input_read_env_file(&data, a.env_file, &err);
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
  const char *restart_version;
  const char *introspect_version;
  const char *wdt_image;
  bool no_inspect;
  const char *authfile;
  bool tls_verify;
  const char *output;
  bool apply;
};

static const struct cli_opt dom_opts[] = {
  { "domain-uid", 0, CLI_STRING, offsetof(struct dom_args, uid), "UID",
    "Domain UID (also the Domain's name)", true },
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
    "Read the WebLogic administrator's user name and password from stdin, one per line", false },
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
  { "restart-version", 0, CLI_STRING, offsetof(struct dom_args, restart_version), "V",
    "spec.restartVersion", false },
  { "introspect-version", 0, CLI_STRING, offsetof(struct dom_args, introspect_version), "V",
    "spec.introspectVersion", false },
  { "wdt-image", 0, CLI_STRING, offsetof(struct dom_args, wdt_image), "REF",
    "When several auxiliary images carry WDT: the one whose WDT is used (the others get None)",
    false },
  { "no-inspect", 0, CLI_FLAG, offsetof(struct dom_args, no_inspect), NULL,
    "Do not read the auxiliary images' metadata; assume the /auxiliary defaults", false },
  { "authfile", 0, CLI_STRING, offsetof(struct dom_args, authfile), "FILE",
    "Credentials for pulling image metadata", false },
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
  "image's own metadata (local store, else its registry).",
  dom_opts,
  0,
  0,
};

static void
push_obj(struct wi_k8s_obj ***objs, size_t *n, struct wi_k8s_obj *o)
{
  *objs = wi_xreallocarray(*objs, *n + 1, sizeof **objs);
  (*objs)[(*n)++] = o;
}

static int
domain_usage_checks(const struct dom_args *a)
{
  int sources = (a->creds_stdin ? 1 : 0) + (a->creds_file ? 1 : 0) + (a->creds_secret ? 1 : 0);
  if (sources > 1)
    return cli_usage_error(dom_cmd.name,
                           "give only one of --weblogic-credentials-from-stdin, "
                           "--weblogic-credentials-file and --weblogic-credentials-secret");
  if (a->enc_file && a->enc_secret)
    return cli_usage_error(
        dom_cmd.name,
        "give --runtime-encryption-secret-file or --runtime-encryption-secret, not both");
  return 0;
}

static int
cmd_domain(int argc, char **argv)
{
  struct dom_args a = { .replicas = 1, .tls_verify = true };
  char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_k8s_aux_set aux = { 0 };
  wi_autoptr(wi_store) struct wi_store *store = NULL;
  struct wi_k8s_obj **objs = NULL, **dom = NULL;
  size_t n = 0, n_dom = 0;
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
  wi_autofree char *cred_name =
      a.creds_secret ? wi_xstrdup(a.creds_secret) : wi_xasprintf("%s-weblogic-credentials", a.uid);
  wi_autofree char *enc_name =
      a.enc_secret ? wi_xstrdup(a.enc_secret) : wi_xasprintf("%s-runtime-encryption-secret", a.uid);
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
  };
  /* Validate names before reading secrets or images: no half-done work on a typo. */
  ret = wi_k8s_validate_domain_uid(a.uid, &err);
  if (ret == 0)
    ret = check_ns(a.ns, &err);
  if (ret == 0)
    ret = check_image("--image", a.image, &err);
  for (size_t i = 0; i < a.aux.n && ret == 0; i++)
    ret = check_image("--aux-image", a.aux.v[i], &err);
  if (ret == 0 && !a.no_inspect && a.aux.n > 0)
    ret = wi_store_open_default(&store, true, &err);
  if (ret == 0) {
    struct wi_k8s_aux_opts ao = {
      .store = store, .wdt_image = a.wdt_image, .authfile = a.authfile, .tls_verify = a.tls_verify
    };
    ret = wi_k8s_aux_resolve(&aux, a.aux.v, a.aux.n, &ao, &err);
  }
  if (ret == 0) {
    d.aux = aux.v;
    d.n_aux = aux.n;
    ret = wi_k8s_domain_objects(&dom, &n_dom, &d, &err); /* validates the rest */
  }
  if (ret == 0) {
    struct wi_k8s_domain_secrets ds = { .uid = a.uid,
                                        .ns = a.ns,
                                        .credentials = a.creds_secret ? NULL : cred_name,
                                        .credentials_file = a.creds_file,
                                        .credentials_fd = STDIN_FILENO,
                                        .encryption = a.enc_secret ? NULL : enc_name,
                                        .encryption_file = a.enc_file,
                                        .apply = a.apply };
    ret = wi_k8s_input_domain_secrets_objects(&objs, &n, &ds, &err);
  }
  for (size_t i = 0; i < n_dom; i++)
    push_obj(&objs, &n, dom[i]);
  free(dom);
  if (ret == 0)
    ret = emit(objs, n, a.output, a.apply, &err);
  free_objs(objs, n);
  wi_k8s_aux_set_dispose(&aux);
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
  bool apply;
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
    "Position of the auxiliary image to replace (from 0)", false },
  { "restart-version", 0, CLI_STRING, offsetof(struct ro_args, restart_version), "V",
    "restartVersion to set (default with --apply: the current one incremented)", false },
  { "introspect-version", 0, CLI_STRING, offsetof(struct ro_args, introspect_version), "V",
    "introspectVersion to set (default: bumped only when an auxiliary tag is re-used)", false },
  { "apply", 0, CLI_FLAG, offsetof(struct ro_args, apply), NULL,
    "Read the Domain with kubectl and apply the patch with 'kubectl patch' (patch on stdin)",
    false },
  CLI_OPT_END,
};

static const struct cli_cmd ro_cmd = {
  "k8s rollout",
  "--domain-uid UID [-n NS] (--image NEW | --aux-image OLD=NEW | --aux-index I --aux-image NEW) [--apply]",
  "Produce (and with --apply, apply) the patch that makes the operator roll a running domain onto a\n"
  "new primary or auxiliary image.",
  ro_opts,
  0,
  0,
};

/* kubectl patch, its output to stdout. */
static int
apply_patch(const char *kind, const char *name, const char *ns, const char *type, const char *patch,
            wi_err *err)
{
  char *out = NULL;

  if (wi_k8s_kubectl_patch(kind, name, ns, type, patch, &out, err) < 0)
    return err->code;
  fputs(out, stdout);
  free(out);
  return 0;
}

static int
rollout_primary(const struct ro_args *a, wi_err *err)
{
  struct wi_k8s_domain_state st = { 0 };
  wi_autofree char *rv = NULL;
  int ret = 0;

  if (a->apply) {
    if (wi_k8s_kubectl_get_domain(&st, a->uid, a->ns, err) < 0)
      return err->code;
    if (st.image && strcmp(st.image, a->image) == 0)
      wi_log(WI_LOG_WARN,
             "spec.image is already %s; only the restartVersion changes (nodes re-pull a "
             "re-pushed tag only with imagePullPolicy Always)",
             a->image);
  } else if (a->restart_version == NULL) {
    wi_k8s_kubectl_domain_state_dispose(&st);
    return wi_err_set(
        err, WI_EUSAGE,
        "give --restart-version V (without --apply the current value is not read from "
        "the cluster)");
  }
  rv =
      a->restart_version ? wi_xstrdup(a->restart_version) : wi_k8s_next_version(st.restart_version);
  wi_autofree char *patch = wi_k8s_patch_primary_image(a->image, rv);
  if (a->apply)
    ret = apply_patch("domain.v9.weblogic.oracle", a->uid, a->ns, "merge", patch, err);
  else
    fputs(patch, stdout);
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
  if (!a->apply && a->aux_index < 0)
    return wi_err_set(err, WI_EUSAGE,
                      "without --apply the Domain is not read: give --aux-index I to say which "
                      "auxiliary image %s is",
                      old);
  if (a->introspect_version &&
      wi_k8s_validate_label_value("introspectVersion", a->introspect_version, err) < 0)
    return err->code;
  if (a->apply) {
    if (wi_k8s_kubectl_get_domain(&st, a->uid, a->ns, err) < 0)
      return err->code;
    ret = wi_k8s_input_aux_rollout_plan(&plan, &st, a->uid, old, new_image, a->aux_index,
                                        a->introspect_version, err);
    if (ret == 0 && plan.same_tag && strcmp(plan.pull_policy, "Always") != 0)
      wi_log(WI_LOG_WARN,
             "re-using the tag %s with imagePullPolicy %s: nodes that have the image keep "
             "the old content; push a new tag instead",
             new_image, plan.pull_policy);
  } else if (old && strcmp(old, new_image) == 0 && a->introspect_version == NULL) {
    ret = wi_err_set(err, WI_EUSAGE,
                     "the same tag again: give --introspect-version V (or --apply to bump it)");
  } else {
    plan.index = (size_t)a->aux_index;
    plan.old_image = old ? wi_xstrdup(old) : NULL;
    plan.introspect_version = a->introspect_version ? wi_xstrdup(a->introspect_version) : NULL;
  }
  if (ret == 0) {
    wi_autofree char *patch =
        wi_k8s_patch_aux_image(plan.index, plan.old_image, new_image, plan.introspect_version);
    if (a->apply)
      ret = apply_patch("domain.v9.weblogic.oracle", a->uid, a->ns, "json", patch, err);
    else
      fputs(patch, stdout);
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

  int r = cli_parse(&ro_cmd, argc, argv, &a, &pos, &npos);
  free(pos);
  if (r != 0)
    return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if ((a.image != NULL) == (a.aux_image != NULL))
    return cli_usage_error(ro_cmd.name, "give exactly one of --image and --aux-image");
  if (wi_k8s_validate_domain_uid(a.uid, &err) < 0 || check_ns(a.ns, &err) < 0 ||
      (a.image && check_image("--image", a.image, &err) < 0))
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
    wi_autofree char *patch = wi_k8s_patch_sa_pull_secret(secret, true);
    wi_autofree char *create = wi_k8s_patch_sa_pull_secret(secret, false);
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
  wi_autofree char *patch = wi_k8s_patch_sa_pull_secret(secret, has_list);
  if (apply_patch("serviceaccount", a.account, a.ns, "json", patch, &err) < 0)
    return cli_fail(&err);
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
