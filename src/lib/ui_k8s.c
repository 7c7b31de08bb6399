/* wlsimg ui: pull secrets, the Domain and its secrets, kubectl with an explicit context. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/k8s.h"
#include "lib/ref.h"
#include "lib/str.h"
#include "lib/ui_k8s.h"
#include "lib/ui_model.h"
#include "lib/ui_validate.h"
#include "lib/util.h"

#define autojson __attribute__((cleanup(json_decrefp)))

/* ---- kubectl ---- */

#define MAX_ARGS 16

int
wi_ui_k8s_kubectl(const char *ctx, const char *const *args, const char *in, char **out_out,
                  int *exit_out, wi_err *err)
{
  const char *v[MAX_ARGS + 3] = { 0 };
  size_t k = 0;
  if (ctx && ctx[0]) {
    v[k++] = "--context";
    v[k++] = ctx;
  }
  for (size_t i = 0; args[i]; i++) {
    if (i == MAX_ARGS)
      return wi_err_set(err, WI_EINVAL, "kubectl %s: too many arguments", args[0]);
    v[k++] = args[i];
  }
  return wi_k8s_kubectl_merged(v, in, in ? strlen(in) : 0, out_out, exit_out, err);
}

/* kubectl's output, first line only and without the trailing newline, for a message. */
static char *
first_line(const char *out)
{
  return wi_xstrndup(out, strcspn(out, "\n"));
}

char *
wi_ui_k8s_contexts(void)
{
  autojson json_t *o = json_object();
  json_t *arr = json_array();
  json_object_set_new(o, "contexts", arr);
  json_object_set_new(o, "current", json_null());
  static const char *const list[] = { "config", "get-contexts", "-o", "name", NULL };
  static const char *const cur[] = { "config", "current-context", NULL };
  wi_autofree char *out = NULL;
  wi_err err = { 0 };
  int code = 0;
  if (wi_ui_k8s_kubectl(NULL, list, NULL, &out, &code, &err) < 0) {
    json_object_set_new(o, "error", wi_json_str(err.msg));
    return json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  }
  if (code != 0) {
    wi_autofree char *line = first_line(out);
    json_object_set_new(o, "error", wi_json_str(line));
  } else {
    for (const char *s = out; *s;) {
      size_t n = strcspn(s, "\n");
      if (n > 0) {
        wi_autofree char *name = wi_xstrndup(s, n);
        json_array_append_new(arr, wi_json_str(name));
      }
      s += n;
      if (*s)
        s++;
    }
  }
  wi_autofree char *cout = NULL;
  if (wi_ui_k8s_kubectl(NULL, cur, NULL, &cout, &code, &err) == 0 && code == 0) {
    cout[strcspn(cout, "\n")] = '\0';
    if (cout[0])
      json_object_set_new(o, "current", wi_json_str(cout));
  }
  return json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

int
wi_ui_k8s_context(const struct wi_ui_project *p, char **out, wi_err *err)
{
  if (p->k8s_context[0]) {
    *out = wi_xstrdup(p->k8s_context);
    return 0;
  }
  static const char *const cur[] = { "config", "current-context", NULL };
  wi_autofree char *o = NULL;
  int code = 0;
  int ret = wi_ui_k8s_kubectl(NULL, cur, NULL, &o, &code, err);
  if (ret < 0)
    return ret;
  o[strcspn(o, "\n")] = '\0';
  if (code != 0 || o[0] == '\0')
    return wi_err_set(err, WI_ENOTFOUND,
                      "no Kube Context chosen and kubectl has no current context (%s)", o);
  *out = wi_steal(&o);
  return 0;
}

/* ---- secrets ---- */

char *
wi_ui_k8s_aux_secret_name(const struct wi_ui_project *p, const char *host)
{
  if (p->pull_secret_aux[0])
    return wi_xstrdup(p->pull_secret_aux);
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
  static const char key[] = ".dockerconfigjson: ";
  for (char *v = strstr(yaml, key); v; v = strstr(v, key)) {
    v += strlen(key);
    size_t n = strcspn(v, "\n");
    static const char mark[] = "<redacted>";
    if (n < sizeof mark - 1)
      continue;
    explicit_bzero(v, n);
    memcpy(v, mark, sizeof mark - 1);
    memmove(v + sizeof mark - 1, v + n, strlen(v + n) + 1);
  }
}

/* A dockerconfigjson Secret for host from its stored login, or WI_ENOTFOUND. */
static int
secret_from_login(struct wi_ui_creds *creds, const char *host, const char *want_user,
                  const char *name, const char *ns, struct wi_k8s_obj **out, wi_err *err)
{
  wi_autofree char *user = NULL;
  char *pass = NULL;
  wi_autofree char *server = wi_k8s_server_for_host(host);
  int ret = wi_ui_creds_resolve(creds, host, want_user, &user, &pass, NULL, err);
  if (ret == WI_ENOTFOUND)
    return wi_err_set(err, WI_ENOTFOUND,
                      "no login for %s: push once with a user name and password, or add the "
                      "login on the Registries page",
                      host);
  if (ret < 0)
    return ret;
  struct wi_k8s_docker_secret ds = { .name = name,
                                     .ns = ns && ns[0] ? ns : NULL,
                                     .server = server,
                                     .username = user,
                                     .password = pass };
  ret = wi_k8s_docker_secret(out, &ds, err);
  wi_alloc_secret_free(pass);
  return ret;
}

/* The aux tag's registry host (malloc'ed), or NULL with err set. */
static char *
aux_host(const struct wi_ui_project *p, wi_err *err)
{
  struct wi_ref r = { 0 };
  if (p->aux_tag[0] == '\0') {
    wi_err_set(err, WI_EINVAL, "aux-tag: the Auxiliary Image Tag names the registry");
    return NULL;
  }
  if (wi_ref_parse(&r, p->aux_tag, err) < 0) {
    wi_err_wrap(err, "aux-tag");
    return NULL;
  }
  char *h = wi_xstrdup(r.domain);
  wi_ref_dispose(&r);
  return h;
}

int
wi_ui_k8s_pull_secret(const struct wi_ui_project *p, struct wi_ui_creds *creds, const char *name,
                      const char *ns, bool redact, char **yaml_out, wi_err *err)
{
  wi_autofree char *host = aux_host(p, err);
  if (host == NULL)
    return err->code;
  wi_autofree char *dflt = wi_ui_k8s_aux_secret_name(p, host);
  wi_autoptr(wi_k8s_obj) struct wi_k8s_obj *o = NULL;
  int ret = secret_from_login(creds, host, p->aux_login.user[0] ? p->aux_login.user : NULL,
                              name && name[0] ? name : dflt, ns ? ns : p->k8s_namespace, &o, err);
  if (ret < 0)
    return ret;
  char *yaml = wi_k8s_render(&o, 1, WI_K8S_YAML, NULL, err);
  if (yaml == NULL)
    return err->code;
  if (redact)
    redact_data(yaml);
  *yaml_out = yaml;
  return 0;
}

char *
wi_ui_k8s_aux_ref(const struct wi_ui_project *p)
{
  if (strcmp(p->aux_ref_mode, "digest") == 0)
    for (size_t i = 0; i < p->n_history; i++) {
      const struct wi_ui_history *h = &p->history[i];
      if (strcmp(h->ref, p->aux_tag) == 0 && h->digest[0] && strcmp(h->kind, "pushAuxImage") == 0)
        return wi_xasprintf("%s@%s", p->aux_tag, h->digest);
    }
  return wi_xstrdup(p->aux_tag);
}

/* ---- the objects ---- */

struct objs {
  struct wi_k8s_obj **v;
  size_t n;
};

static void
objs_push(struct objs *o, struct wi_k8s_obj *x)
{
  o->v = wi_xreallocarray(o->v, o->n + 1, sizeof *o->v);
  o->v[o->n++] = x;
}

static void
objs_dispose(struct objs *o)
{
  for (size_t i = 0; i < o->n; i++)
    wi_k8s_render_obj_free(o->v[i]);
  free(o->v);
}

/* One Opaque secret labelled with the domain UID. */
static int
generic(struct objs *o, const char *name, const char *ns, const char *uid,
        const struct wi_k8s_kv *data, size_t n, wi_err *err)
{
  struct wi_k8s_kv label = { "weblogic.domainUID", uid };
  struct wi_k8s_generic_secret gs = { .name = name,
                                      .ns = ns,
                                      .data = data,
                                      .n_data = n,
                                      .labels = &label,
                                      .n_labels = 1,
                                      .type = "Opaque" };
  struct wi_k8s_obj *x = NULL;
  int ret = wi_k8s_generic_secret(&x, &gs, err);
  if (ret == 0)
    objs_push(o, x);
  return ret;
}

/* One Secret per secret the model needs, with every key it uses, from the values given
 * ("name:key"). The Domain's own secrets (credentials, runtime encryption) are made elsewhere. */
static int
model_secrets(struct objs *o, const struct wi_ui_project *p, const struct wi_ui_k8s_secrets *s,
              const struct wi_k8s_model_secrets *needs, const char *cred, const char *enc,
              const char *ns, wi_err *err)
{
  int ret = 0;
  for (size_t i = 0; i < needs->n && ret == 0; i++) {
    const struct wi_k8s_model_secret *m = &needs->v[i];
    if (strcmp(m->name, cred) == 0 || strcmp(m->name, enc) == 0)
      continue;
    struct wi_k8s_kv *data = wi_xcalloc(m->n_keys + 1, sizeof *data);
    for (size_t k = 0; k < m->n_keys && ret == 0; k++) {
      wi_autofree char *want = wi_xasprintf("%s:%s", m->name, m->keys[k]);
      const char *value = NULL;
      for (size_t v = 0; v < s->n_model; v++)
        if (strcmp(s->model[v].key, want) == 0)
          value = s->model[v].value;
      if (value == NULL)
        ret = wi_err_set(err, WI_EINVAL, "model-secrets: no value for %s (the model uses it at %s)",
                         want, m->where);
      data[k] = (struct wi_k8s_kv){ m->keys[k], value };
    }
    if (ret == 0)
      ret = generic(o, m->name, ns, p->domain_uid, data, m->n_keys, err);
    free(data);
  }
  return ret;
}

static int
domain_secrets(struct objs *o, const struct wi_ui_project *p, const struct wi_ui_k8s_secrets *s,
               const char *cred, const char *enc, const char *ns, wi_err *err)
{
  struct wi_k8s_kv wls[] = { { "password", s->wls_password }, { "username", p->wls_user } };
  int ret = generic(o, cred, ns, p->domain_uid, wls, 2, err);
  if (ret < 0 || (s->runtime_password == NULL && s->runtime_exists))
    return ret; /* its password must not change during the domain's life */
  char hex[33];
  const char *pw = s->runtime_password;
  if (pw == NULL) {
    if (wi_util_random_hex(hex, 16, err) < 0)
      return err->code;
    pw = hex;
  }
  struct wi_k8s_kv data[] = { { "password", pw } };
  ret = generic(o, enc, ns, p->domain_uid, data, 1, err);
  explicit_bzero(hex, sizeof hex);
  return ret;
}

/* The pull secrets: made from the login of the host when there is one. */
static void
pull_secrets(struct objs *o, const struct wi_ui_project *p, struct wi_ui_creds *creds,
             const char *ns, struct wi_buf *notes)
{
  const char *names[2] = { p->pull_secret_primary, p->pull_secret_aux };
  const char *tags[2] = { p->primary_tag, p->aux_tag };
  for (size_t i = 0; i < 2; i++) {
    struct wi_ref r = { 0 };
    wi_err err = { 0 };
    if (names[i][0] == '\0' || (i == 1 && strcmp(names[1], names[0]) == 0) ||
        wi_ref_parse(&r, tags[i], &err) < 0)
      continue;
    struct wi_k8s_obj *x = NULL;
    const char *want = i == 1 && p->aux_login.user[0] ? p->aux_login.user : NULL;
    if (secret_from_login(creds, r.domain, want, names[i], ns, &x, &err) == 0)
      objs_push(o, x);
    else
      wi_buf_addf(notes, NULL, "%s is not created (%s); it must exist in the namespace.\n",
                  names[i], err.msg);
    wi_ref_dispose(&r);
  }
}

int
wi_ui_k8s_objects(const struct wi_ui_project *p, const char *project_file,
                  struct wi_ui_creds *creds, const struct wi_ui_k8s_secrets *s, char **yaml_out,
                  char **notes_out, wi_err *err)
{
  if (p->domain_uid[0] == '\0')
    return wi_err_set(err, WI_EINVAL, "domain-uid: Domain UID is required");
  const char *uid = p->domain_uid;
  const char *ns = p->k8s_namespace[0] ? p->k8s_namespace : NULL;
  wi_autofree char *cred = p->wls_cred_secret[0] ? wi_xstrdup(p->wls_cred_secret)
                                                 : wi_xasprintf("%s-weblogic-credentials", uid);
  wi_autofree char *enc = p->runtime_secret[0] ? wi_xstrdup(p->runtime_secret)
                                               : wi_xasprintf("%s-runtime-encryption-secret", uid);
  struct objs o = { 0 };
  struct wi_buf notes = WI_BUF_INIT(SIZE_MAX);
  struct wi_k8s_model_secrets needs = { 0 };
  struct wi_k8s_kv_list env = { 0 };
  bool checked = false;
  /* the model says which secrets and env the Domain must give it, as for `wlsimg k8s domain` */
  int ret = wi_ui_model_needs(p, project_file, &needs, &checked, err);
  if (ret == 0)
    ret = wi_ui_model_env(p, &env, err);
  if (ret == 0 && s) {
    pull_secrets(&o, p, creds, ns, &notes);
    ret = domain_secrets(&o, p, s, cred, enc, ns, err);
    if (ret == 0)
      ret = model_secrets(&o, p, s, &needs, cred, enc, ns, err);
  }
  const char **names = wi_xcalloc(needs.n + 1, sizeof *names);
  for (size_t i = 0; i < needs.n; i++)
    names[i] = needs.v[i].name;
  const char *secrets[2];
  size_t n_secrets = 0;
  if (p->pull_secret_primary[0])
    secrets[n_secrets++] = p->pull_secret_primary;
  if (p->pull_secret_aux[0] && strcmp(p->pull_secret_aux, p->pull_secret_primary) != 0)
    secrets[n_secrets++] = p->pull_secret_aux;
  wi_autofree char *image = wi_ui_k8s_aux_ref(p);
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
    .ns = ns,
    .image = p->primary_tag,
    .pull_policy = p->pull_policy_primary[0] ? p->pull_policy_primary : NULL,
    .pull_secrets = secrets,
    .n_pull_secrets = n_secrets,
    .credentials_secret = cred,
    .encryption_secret = enc,
    .replicas = -1,
    .aux = p->aux_tag[0] ? &aux : NULL,
    .n_aux = p->aux_tag[0] ? 1 : 0,
    .secrets = names,
    .n_secrets = needs.n,
    .env = env.v,
    .n_env = env.n,
  };
  struct wi_k8s_obj **dom = NULL;
  size_t n_dom = 0;
  if (ret == 0)
    ret = wi_k8s_domain_objects(&dom, &n_dom, &d, err);
  for (size_t i = 0; i < n_dom; i++)
    objs_push(&o, dom[i]);
  free(dom);
  char *yaml = ret == 0 ? wi_k8s_render(o.v, o.n, WI_K8S_YAML, NULL, err) : NULL;
  if (ret == 0 && yaml == NULL)
    ret = err->code;
  objs_dispose(&o);
  free(names);
  wi_k8s_model_secrets_dispose(&needs);
  wi_k8s_input_kv_list_dispose(&env, false);
  if (ret == 0 && s && ns) {
    /* the namespace first, so that a new one is there for the rest */
    char *all =
        wi_xasprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n---\n%s", ns, yaml);
    wi_alloc_secret_free(yaml);
    yaml = all;
  }
  if (ret == 0) {
    *yaml_out = yaml;
    if (notes_out)
      *notes_out = wi_buf_steal(&notes);
  }
  wi_buf_dispose(&notes);
  return ret;
}

/* ---- status ---- */

static const char *
jstr(json_t *o, const char *key)
{
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static json_t *
pod_list(const char *pods_json, size_t len)
{
  json_t *arr = json_array();
  json_error_t je;
  autojson json_t *root = pods_json ? json_loadb(pods_json, len, 0, &je) : NULL;
  size_t i;
  json_t *item;
  json_array_foreach (json_object_get(root, "items"), i, item) {
    json_t *st = json_object_get(item, "status");
    bool ready = false;
    size_t k;
    json_t *c;
    json_array_foreach (json_object_get(st, "conditions"), k, c) {
      if (strcmp(jstr(c, "type"), "Ready") == 0)
        ready = strcmp(jstr(c, "status"), "True") == 0;
    }
    json_t *o = json_object();
    json_object_set_new(o, "name", wi_json_str(jstr(json_object_get(item, "metadata"), "name")));
    json_object_set_new(o, "phase", wi_json_str(jstr(st, "phase")));
    json_object_set_new(o, "ready", json_boolean(ready));
    json_array_append_new(arr, o);
  }
  return arr;
}

int
wi_ui_k8s_status(const char *domain_json, size_t len, const char *pods_json, size_t pods_len,
                 char **json_out, wi_err *err)
{
  json_error_t je;
  autojson json_t *root = json_loadb(domain_json, len, 0, &je);
  if (!json_is_object(root) || strcmp(jstr(root, "kind"), "Domain") != 0)
    return wi_err_set(err, WI_EPROTO, "kubectl did not answer with a Domain%s%s", root ? "" : ": ",
                      root ? "" : je.text);
  /* the state as `wlsimg k8s rollout --wait` reads it */
  struct wi_k8s_domain_status ds;
  int ret = wi_k8s_kubectl_domain_status_parse(&ds, domain_json, len, err);
  if (ret < 0)
    return ret;
  const char *state = ds.failed == 1                                              ? "Failed"
                      : ds.completed == 1                                         ? "Complete"
                      : ds.available == 1                                         ? "Available"
                      : ds.rolling == 1 || ds.completed == 0 || ds.available == 0 ? "Progressing"
                                                                                  : "Unknown";
  json_t *status = json_object_get(root, "status");
  json_t *conds = json_array();
  size_t i;
  json_t *c;
  json_array_foreach (json_object_get(status, "conditions"), i, c) {
    json_t *o = json_object();
    json_object_set_new(o, "type", wi_json_str(jstr(c, "type")));
    json_object_set_new(o, "status", wi_json_str(jstr(c, "status")));
    json_object_set_new(o, "reason", wi_json_str(jstr(c, "reason")));
    json_object_set_new(o, "message", wi_json_str(jstr(c, "message")));
    json_array_append_new(conds, o);
  }
  json_t *servers = json_array();
  json_array_foreach (json_object_get(status, "servers"), i, c) {
    json_t *o = json_object();
    json_object_set_new(o, "name", wi_json_str(jstr(c, "serverName")));
    json_object_set_new(o, "state", wi_json_str(jstr(c, "state")));
    json_object_set_new(o, "health",
                        wi_json_str(jstr(json_object_get(c, "health"), "overallHealth")));
    json_array_append_new(servers, o);
  }
  /* the message of the condition in force, else the operator's own */
  const char *message = ds.message ? ds.message : "";
  for (size_t k = 0; !ds.message && k < json_array_size(conds); k++) {
    json_t *o = json_array_get(conds, k);
    bool mapped =
        strcmp(jstr(o, "type"), strcmp(state, "Complete") == 0 ? "Completed" : state) == 0;
    if (mapped && strcmp(jstr(o, "status"), "True") == 0)
      message = jstr(o, "message");
  }
  wi_autofree char *summary =
      strcmp(state, "Failed") == 0
          ? wi_xasprintf("Failed - %s Reason: %s", message, ds.reason ? ds.reason : "")
          : wi_xasprintf("%s - %s", state,
                         message[0] ? message : "the operator has not reported a condition yet");
  autojson json_t *o = json_object();
  json_object_set_new(o, "state", json_string(state));
  json_object_set_new(o, "summary", wi_json_str(summary));
  json_object_set_new(o, "conditions", conds);
  json_object_set_new(o, "servers", servers);
  json_object_set_new(o, "pods", pod_list(pods_json, pods_len));
  *json_out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  wi_k8s_kubectl_domain_status_dispose(&ds);
  return 0;
}
