/* wlsimg: the Kubernetes objects (Secrets, Domain and Cluster resources, JSON patches). See k8s.h.
 */
#include "lib/k8s.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/creds.h"
#include "lib/k8s_render_int.h"
#include "lib/str.h"

const char *
wi_k8s_pull_policy(const char *image)
{
  /* The operator compares the string: a reference without a tag is not ":latest". */
  return wi_str_has_suffix(image, ":latest") ? "Always" : "IfNotPresent";
}

/* ---------------------------------------------------------------- secrets */

char *
wi_k8s_dockerconfigjson(const char *server, const char *username, const char *password,
                        const char *email)
{
  struct node *root = wi_k8s_render_node_new(N_MAP);
  struct node *entry = wi_k8s_render_map_map(wi_k8s_render_map_map(root, "auths"),
                                             server ? server : WI_K8S_DOCKERHUB_SERVER);
  wi_autofree char *pair = NULL;

  if (username && *username)
    wi_k8s_render_map_str(entry, "username", username);
  if (password && *password)
    wi_k8s_render_map_str(entry, "password", password);
  if (email && *email)
    wi_k8s_render_map_str(entry, "email", email);
  pair = wi_xasprintf("%s:%s", username ? username : "", password ? password : "");
  char *auth = wi_base64_encode(pair, strlen(pair));
  explicit_bzero(pair, strlen(pair));
  if (*auth)
    wi_k8s_render_map_put(entry, "auth", wi_k8s_render_node_new(N_STR))->s = auth;
  else
    free(auth);
  char *out = wi_k8s_render_json_compact(root);
  wi_k8s_render_node_free(root);
  return out;
}

/* metadata {name, namespace?, creationTimestamp: null} as kubectl create prints it. */
static struct node *
secret_root(const char *name, const char *ns, const struct wi_k8s_kv *labels, size_t n_labels)
{
  struct node *root = wi_k8s_render_node_new(N_MAP);
  wi_k8s_render_map_str(root, "kind", "Secret");
  wi_k8s_render_map_str(root, "apiVersion", "v1");
  struct node *md = wi_k8s_render_map_map(root, "metadata");
  wi_k8s_render_map_str(md, "name", name);
  if (ns)
    wi_k8s_render_map_str(md, "namespace", ns);
  wi_k8s_render_map_put(md, "creationTimestamp", wi_k8s_render_node_new(N_NULL));
  if (n_labels > 0) {
    struct node *l = wi_k8s_render_map_map(md, "labels");
    for (size_t i = 0; i < n_labels; i++)
      wi_k8s_render_map_str(l, labels[i].key, labels[i].value);
  }
  return root;
}

int
wi_k8s_docker_secret(struct wi_k8s_obj **out, const struct wi_k8s_docker_secret *s, wi_err *err)
{
  const char *server = s->server ? s->server : WI_K8S_DOCKERHUB_SERVER;

  if (!s->username || !*s->username || !s->password || !*s->password || !*server)
    return wi_err_set(
        err, WI_EINVAL,
        "secret %s: a docker-registry secret needs a username, a password and a server", s->name);
  char *cfg = wi_k8s_dockerconfigjson(server, s->username, s->password, s->email);
  struct node *root = secret_root(s->name, s->ns, NULL, 0);
  struct node *data = wi_k8s_render_map_map(root, "data");
  wi_k8s_render_map_put(data, ".dockerconfigjson", wi_k8s_render_node_new(N_STR))->s =
      wi_base64_encode(cfg, strlen(cfg));
  wi_alloc_secret_free(cfg);
  wi_k8s_render_map_str(root, "type", "kubernetes.io/dockerconfigjson");
  *out = wi_k8s_render_obj_new(root, true);
  return 0;
}

static int
kv_strcmp(const void *a, const void *b)
{
  const struct wi_k8s_kv *x = a, *y = b;
  return strcmp(x->key, y->key);
}

int
wi_k8s_generic_secret(struct wi_k8s_obj **out, const struct wi_k8s_generic_secret *s, wi_err *err)
{
  for (size_t i = 0; i < s->n_data; i++) {
    if (wi_k8s_validate_secret_key("secret key", s->data[i].key, err) < 0)
      return wi_err_wrap(err, "secret %s", s->name);
    for (size_t j = 0; j < i; j++)
      if (strcmp(s->data[i].key, s->data[j].key) == 0)
        return wi_err_set(err, WI_EINVAL, "secret %s: key \"%s\" given twice", s->name,
                          s->data[i].key);
  }
  /* Go's encoding/json writes map keys (data, labels) in byte order. */
  struct wi_k8s_kv *labels = wi_xcalloc(s->n_labels + 1, sizeof *labels);
  struct wi_k8s_kv *data = wi_xcalloc(s->n_data + 1, sizeof *data);
  if (s->n_labels)
    memcpy(labels, s->labels, s->n_labels * sizeof *labels);
  if (s->n_data)
    memcpy(data, s->data, s->n_data * sizeof *data);
  qsort(labels, s->n_labels, sizeof *labels, kv_strcmp);
  qsort(data, s->n_data, sizeof *data, kv_strcmp);
  struct node *root = secret_root(s->name, s->ns, labels, s->n_labels);
  if (s->n_data > 0) {
    struct node *d = wi_k8s_render_map_map(root, "data");
    for (size_t i = 0; i < s->n_data; i++)
      wi_k8s_render_map_put(d, data[i].key, wi_k8s_render_node_new(N_STR))->s =
          wi_base64_encode(data[i].value, data[i].len ? data[i].len : strlen(data[i].value));
  }
  if (s->type)
    wi_k8s_render_map_str(root, "type", s->type);
  free(labels);
  free(data);
  *out = wi_k8s_render_obj_new(root, true);
  return 0;
}

char *
wi_k8s_server_host(const char *server)
{
  char *host = wi_creds_registry_host(server);
  if (strcmp(host, "index.docker.io") == 0 || strcmp(host, "registry-1.docker.io") == 0 ||
      strcmp(host, "registry.hub.docker.com") == 0) {
    free(host);
    return wi_xstrdup("docker.io");
  }
  return host;
}

char *
wi_k8s_server_for_host(const char *host)
{
  if (strcmp(host, "docker.io") == 0 || strcmp(host, "index.docker.io") == 0)
    return wi_xstrdup(WI_K8S_DOCKERHUB_SERVER);
  return wi_xstrdup(host);
}

/* ---------------------------------------------------------------- Domain and Cluster */

char *
wi_k8s_cluster_resource_name(const char *uid, const char *cluster)
{
  char *name = wi_xasprintf("%s-%s", uid, cluster);
  for (char *p = name + strlen(uid) + 1; *p; p++)
    *p = *p == '_' ? '-' : (char)tolower((unsigned char)*p);
  return name;
}

static struct node *
labelled_metadata(struct node *root, const char *name, const char *ns, const char *uid)
{
  struct node *md = wi_k8s_render_map_map(root, "metadata");
  wi_k8s_render_map_str(md, "name", name);
  if (ns)
    wi_k8s_render_map_str(md, "namespace", ns);
  wi_k8s_render_map_str(wi_k8s_render_map_map(md, "labels"), "weblogic.domainUID", uid);
  return md;
}

static struct node *
int_node(long long v)
{
  struct node *n = wi_k8s_render_node_new(N_INT);
  n->i = v;
  return n;
}

static struct node *
cluster_resource(const struct wi_k8s_domain *d, const char *cluster, const char *name)
{
  struct node *root = wi_k8s_render_node_new(N_MAP);
  wi_k8s_render_map_str(root, "apiVersion", "weblogic.oracle/v1");
  wi_k8s_render_map_str(root, "kind", "Cluster");
  labelled_metadata(root, name, d->ns, d->uid);
  struct node *spec = wi_k8s_render_map_map(root, "spec");
  wi_k8s_render_map_str(spec, "clusterName", cluster);
  if (d->replicas >= 0)
    wi_k8s_render_map_put(spec, "replicas", int_node(d->replicas));
  return root;
}

static struct node *
name_ref(const char *name)
{
  struct node *m = wi_k8s_render_node_new(N_MAP);
  wi_k8s_render_map_str(m, "name", name);
  return m;
}

/* serverPod.env: valid names, none the operator sets itself, none twice. */
static int
check_env(const struct wi_k8s_domain *d, wi_err *err)
{
  for (size_t i = 0; i < d->n_env; i++) {
    const char *name = d->env[i].key;
    if (wi_k8s_validate_env_name("environment variable name", name, err) < 0)
      return err->code;
    if (wi_k8s_model_operator_env(name))
      return wi_err_set(err, WI_EINVAL,
                        "domain %s: %s is set by the operator; serverPod.env may not set it",
                        d->uid, name);
    for (size_t j = 0; j < i; j++)
      if (strcmp(d->env[j].key, name) == 0)
        return wi_err_set(err, WI_EINVAL, "domain %s: environment variable %s given twice", d->uid,
                          name);
  }
  return 0;
}

static int
check_names(const struct wi_k8s_domain *d, wi_err *err)
{
  if (wi_k8s_validate_subdomain("WebLogic credentials secret name", d->credentials_secret, err) <
          0 ||
      wi_k8s_validate_subdomain("runtime encryption secret name", d->encryption_secret, err) < 0)
    return err->code;
  for (size_t i = 0; i < d->n_pull_secrets; i++)
    if (wi_k8s_validate_subdomain("pull secret name", d->pull_secrets[i], err) < 0)
      return err->code;
  for (size_t i = 0; i < d->n_secrets; i++)
    if (wi_k8s_validate_subdomain("configuration secret name", d->secrets[i], err) < 0)
      return err->code;
  if ((d->opss_wallet_password_secret &&
       wi_k8s_validate_subdomain("OPSS wallet password secret name", d->opss_wallet_password_secret,
                                 err) < 0) ||
      (d->opss_wallet_file_secret &&
       wi_k8s_validate_subdomain("OPSS wallet file secret name", d->opss_wallet_file_secret, err) <
           0))
    return err->code;
  return 0;
}

int
wi_k8s_domain_check(const struct wi_k8s_domain *d, wi_err *err)
{
  if (wi_k8s_validate_domain_uid(d->uid, err) < 0)
    return err->code;
  if (d->ns && wi_k8s_validate_label("namespace", d->ns, err) < 0)
    return err->code;
  if (d->image == NULL || *d->image == '\0')
    return wi_err_set(err, WI_EINVAL, "domain %s: the primary image is required", d->uid);
  if (!d->credentials_secret || !d->encryption_secret)
    return wi_err_set(err, WI_EINVAL,
                      "domain %s: the WebLogic credentials secret and the runtime encryption "
                      "secret are required",
                      d->uid);
  if (check_names(d, err) < 0)
    return err->code;
  const char *type = d->domain_type ? d->domain_type : "WLS";
  if (strcmp(type, "WLS") != 0 && strcmp(type, "JRF") != 0 && strcmp(type, "RestrictedJRF") != 0)
    return wi_err_set(err, WI_EINVAL,
                      "domain %s: domain type \"%s\" is not WLS, JRF or RestrictedJRF", d->uid,
                      type);
  bool jrf = strcmp(type, "JRF") == 0;
  if (jrf && d->opss_wallet_password_secret == NULL)
    return wi_err_set(err, WI_EINVAL,
                      "domain %s: a JRF domain needs configuration.opss.walletPasswordSecret (the "
                      "operator fails it without one)",
                      d->uid);
  if (!jrf && (d->opss_wallet_password_secret || d->opss_wallet_file_secret))
    return wi_err_set(err, WI_EINVAL, "domain %s: OPSS wallet secrets are for JRF domains, not %s",
                      d->uid, type);
  if ((d->restart_version &&
       wi_k8s_validate_label_value("restartVersion", d->restart_version, err) < 0) ||
      (d->introspect_version &&
       wi_k8s_validate_label_value("introspectVersion", d->introspect_version, err) < 0))
    return err->code;
  if (d->replicas < -1)
    return wi_err_set(err, WI_EINVAL, "domain %s: replicas %d: must be 0 or more", d->uid,
                      d->replicas);
  if ((d->wdt_install_home &&
       wi_k8s_validate_abs_path("wdtInstallHome", d->wdt_install_home, err) < 0) ||
      (d->model_home && wi_k8s_validate_abs_path("modelHome", d->model_home, err) < 0))
    return err->code;
  for (size_t i = 0; i < d->n_aux; i++)
    if (d->aux[i].image == NULL || *d->aux[i].image == '\0')
      return wi_err_set(err, WI_EINVAL, "domain %s: auxiliary image %zu has no image", d->uid, i);
  return check_env(d, err);
}

/* spec.serverPod.env */
static void
server_pod(struct node *spec, const struct wi_k8s_domain *d)
{
  if (d->n_env == 0)
    return;
  struct node *env = wi_k8s_render_map_put(wi_k8s_render_map_map(spec, "serverPod"), "env",
                                           wi_k8s_render_node_new(N_SEQ));
  for (size_t i = 0; i < d->n_env; i++) {
    struct node *e = wi_k8s_render_seq_add(env, wi_k8s_render_node_new(N_MAP));
    wi_k8s_render_map_str(e, "name", d->env[i].key);
    wi_k8s_render_map_str(e, "value", d->env[i].value);
  }
}

/* spec.configuration: secrets, opss, model. */
static void
configuration(struct node *spec, const struct wi_k8s_domain *d)
{
  struct node *conf = wi_k8s_render_map_map(spec, "configuration");
  if (d->n_secrets > 0) {
    struct node *sec = wi_k8s_render_map_put(conf, "secrets", wi_k8s_render_node_new(N_SEQ));
    for (size_t i = 0; i < d->n_secrets; i++)
      wi_k8s_render_seq_add(sec, wi_k8s_render_str(d->secrets[i]));
  }
  if (d->opss_wallet_password_secret) {
    struct node *opss = wi_k8s_render_map_map(conf, "opss");
    wi_k8s_render_map_str(opss, "walletPasswordSecret", d->opss_wallet_password_secret);
    if (d->opss_wallet_file_secret)
      wi_k8s_render_map_str(opss, "walletFileSecret", d->opss_wallet_file_secret);
  }
  struct node *model = wi_k8s_render_map_map(conf, "model");
  wi_k8s_render_map_str(model, "domainType", d->domain_type ? d->domain_type : "WLS");
  wi_k8s_render_map_str(model, "runtimeEncryptionSecret", d->encryption_secret);
  if (d->wdt_install_home)
    wi_k8s_render_map_str(model, "wdtInstallHome", d->wdt_install_home);
  if (d->model_home)
    wi_k8s_render_map_str(model, "modelHome", d->model_home);
  if (d->n_aux > 0) {
    struct node *ai =
        wi_k8s_render_map_put(model, "auxiliaryImages", wi_k8s_render_node_new(N_SEQ));
    for (size_t i = 0; i < d->n_aux; i++) {
      const struct wi_k8s_aux_image *a = &d->aux[i];
      struct node *e = wi_k8s_render_seq_add(ai, wi_k8s_render_node_new(N_MAP));
      wi_k8s_render_map_str(e, "image", a->image);
      wi_k8s_render_map_str(e, "imagePullPolicy",
                            a->pull_policy ? a->pull_policy : wi_k8s_pull_policy(a->image));
      if (a->wdt_install_home)
        wi_k8s_render_map_str(e, "sourceWDTInstallHome", a->wdt_install_home);
      if (a->model_home)
        wi_k8s_render_map_str(e, "sourceModelHome", a->model_home);
    }
  }
}

static struct node *
domain_resource(const struct wi_k8s_domain *d, char *const *cluster_names)
{
  struct node *root = wi_k8s_render_node_new(N_MAP);
  wi_k8s_render_map_str(root, "apiVersion", "weblogic.oracle/v9");
  wi_k8s_render_map_str(root, "kind", "Domain");
  labelled_metadata(root, d->uid, d->ns, d->uid);
  struct node *spec = wi_k8s_render_map_map(root, "spec");
  wi_k8s_render_map_str(spec, "domainUID", d->uid);
  wi_k8s_render_map_str(spec, "domainHomeSourceType", "FromModel");
  wi_autofree char *home = wi_xasprintf("/u01/domains/%s", d->uid);
  wi_k8s_render_map_str(spec, "domainHome", home);
  wi_k8s_render_map_str(spec, "image", d->image);
  wi_k8s_render_map_str(spec, "imagePullPolicy",
                        d->pull_policy ? d->pull_policy : wi_k8s_pull_policy(d->image));
  if (d->n_pull_secrets > 0) {
    struct node *ps =
        wi_k8s_render_map_put(spec, "imagePullSecrets", wi_k8s_render_node_new(N_SEQ));
    for (size_t i = 0; i < d->n_pull_secrets; i++)
      wi_k8s_render_seq_add(ps, name_ref(d->pull_secrets[i]));
  }
  wi_k8s_render_map_put(spec, "webLogicCredentialsSecret", name_ref(d->credentials_secret));
  if (d->restart_version)
    wi_k8s_render_map_str(spec, "restartVersion", d->restart_version);
  if (d->introspect_version)
    wi_k8s_render_map_str(spec, "introspectVersion", d->introspect_version);
  if (d->replicas >= 0)
    wi_k8s_render_map_put(spec, "replicas", int_node(d->replicas));
  server_pod(spec, d);
  if (d->n_clusters > 0) {
    struct node *cl = wi_k8s_render_map_put(spec, "clusters", wi_k8s_render_node_new(N_SEQ));
    for (size_t i = 0; i < d->n_clusters; i++)
      wi_k8s_render_seq_add(cl, name_ref(cluster_names[i]));
  }
  configuration(spec, d);
  return root;
}

int
wi_k8s_domain_objects(struct wi_k8s_obj ***out, size_t *n_out, const struct wi_k8s_domain *d,
                      wi_err *err)
{
  if (wi_k8s_domain_check(d, err) < 0)
    return err->code;
  char **names = wi_xcalloc(d->n_clusters + 1, sizeof *names);
  int ret = 0;
  for (size_t i = 0; i < d->n_clusters && ret == 0; i++) {
    names[i] = wi_k8s_cluster_resource_name(d->uid, d->clusters[i]);
    if (wi_k8s_validate_subdomain("Cluster resource name", names[i], err) < 0)
      ret = wi_err_wrap(err, "cluster %s", d->clusters[i]);
    for (size_t j = 0; j < i && ret == 0; j++)
      if (strcmp(names[i], names[j]) == 0)
        ret = wi_err_set(err, WI_EINVAL, "clusters \"%s\" and \"%s\" both map to the resource %s",
                         d->clusters[j], d->clusters[i], names[i]);
  }
  if (ret == 0) {
    struct wi_k8s_obj **objs = wi_xcalloc(d->n_clusters + 1, sizeof *objs);
    for (size_t i = 0; i < d->n_clusters; i++)
      objs[i] = wi_k8s_render_obj_new(cluster_resource(d, d->clusters[i], names[i]), false);
    objs[d->n_clusters] = wi_k8s_render_obj_new(domain_resource(d, names), false);
    *out = objs;
    *n_out = d->n_clusters + 1;
  }
  for (size_t i = 0; i < d->n_clusters; i++)
    free(names[i]);
  free(names);
  return ret;
}

/* ---------------------------------------------------------------- patches */

char *
wi_k8s_next_version(const char *cur)
{
  if (cur == NULL || *cur == '\0')
    return wi_xstrdup("1");
  size_t n = strlen(cur), d = n;
  while (d > 0 && isdigit((unsigned char)cur[d - 1]))
    d--;
  if (d == n)
    return wi_xasprintf("%s-1", cur);
  /* Increment the trailing decimal run as a string: any length, leading zeros kept. */
  char *out = wi_xmalloc(n + 2);
  memcpy(out + 1, cur, n + 1);
  size_t i = n;
  for (; i > d; i--) {
    if (out[i] != '9') {
      out[i]++;
      break;
    }
    out[i] = '0';
  }
  if (i > d)
    return memmove(out, out + 1, n + 1);
  /* carry out of the run: insert a '1' before it */
  memmove(out, out + 1, d);
  out[d] = '1';
  return out;
}

struct wi_k8s_obj *
wi_k8s_patch_primary_image(const char *image, const char *restart_version)
{
  struct node *root = wi_k8s_render_node_new(N_MAP);
  struct node *spec = wi_k8s_render_map_map(root, "spec");
  wi_k8s_render_map_str(spec, "image", image);
  if (restart_version)
    wi_k8s_render_map_str(spec, "restartVersion", restart_version);
  return wi_k8s_render_obj_new(root, false);
}

static void
patch_op(struct node *ops, const char *op, const char *path, struct node *value)
{
  struct node *o = wi_k8s_render_seq_add(ops, wi_k8s_render_node_new(N_MAP));
  wi_k8s_render_map_str(o, "op", op);
  wi_k8s_render_map_str(o, "path", path);
  wi_k8s_render_map_put(o, "value", value);
}

struct wi_k8s_obj *
wi_k8s_patch_aux_image(size_t index, const char *old_image, const char *new_image,
                       const char *introspect_version)
{
  struct node *ops = wi_k8s_render_node_new(N_SEQ);
  wi_autofree char *path =
      wi_xasprintf("/spec/configuration/model/auxiliaryImages/%zu/image", index);

  if (old_image)
    patch_op(ops, "test", path, wi_k8s_render_str(old_image));
  patch_op(ops, "replace", path, wi_k8s_render_str(new_image));
  /* "add" sets an object member whether or not it exists. */
  if (introspect_version)
    patch_op(ops, "add", "/spec/introspectVersion", wi_k8s_render_str(introspect_version));
  return wi_k8s_render_obj_new(ops, false);
}

struct wi_k8s_obj *
wi_k8s_patch_sa_pull_secret(const char *secret, bool list_exists)
{
  struct node *ops = wi_k8s_render_node_new(N_SEQ);

  if (list_exists) {
    patch_op(ops, "add", "/imagePullSecrets/-", name_ref(secret));
  } else {
    struct node *list = wi_k8s_render_node_new(N_SEQ);
    wi_k8s_render_seq_add(list, name_ref(secret));
    patch_op(ops, "add", "/imagePullSecrets", list);
  }
  return wi_k8s_render_obj_new(ops, false);
}
