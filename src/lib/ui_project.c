/* wlsimg ui: the project file, read and written through one table of fields. */
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/str.h"
#include "lib/ui_project.h"
#include "lib/util.h"

#define autojson __attribute__((cleanup(json_decrefp)))

enum ftype { F_STR, F_BOOL, F_LIST };

/* One setting: its dotted JSON path, type, place in the struct and default. */
struct field {
  const char *path;
  enum ftype type;
  size_t off;
  const char *dflt; /* F_STR: the value; F_BOOL: "1" for true; F_LIST: one entry or NULL */
};

#define P(m) offsetof(struct wi_ui_project, m)
static const struct field fields[] = {
  { "project.name", F_STR, P(name), "" },
  { "project.secretPolicy", F_STR, P(secret_policy), "loginFile" },
  { "model.files", F_LIST, P(model_files), NULL },
  { "model.variables", F_LIST, P(variable_files), NULL },
  { "model.archives", F_LIST, P(archive_files), NULL },
  { "image.primary.tag", F_STR, P(primary_tag), WI_UI_PRIMARY_DEFAULT },
  { "image.primary.create.enabled", F_BOOL, P(prim.enabled), NULL },
  { "image.primary.create.fromImage", F_STR, P(prim.from), "" },
  { "image.primary.create.type", F_STR, P(prim.type), "WLS" },
  { "image.primary.create.version", F_STR, P(prim.version), "12.2.1.4.0" },
  { "image.primary.create.jdkVersion", F_STR, P(prim.jdk_version), "8u202" },
  { "image.primary.create.owner", F_STR, P(prim.owner), "oracle" },
  { "image.primary.create.group", F_STR, P(prim.group), "oracle" },
  { "image.primary.create.packageManager", F_STR, P(prim.package_manager), "OS_DEFAULT" },
  { "image.primary.create.openshift", F_BOOL, P(prim.openshift), NULL },
  { "image.primary.create.patches", F_LIST, P(prim.patches), NULL },
  { "image.primary.create.recommendedPatches", F_BOOL, P(prim.recommended), NULL },
  { "image.primary.create.latestPSU", F_BOOL, P(prim.latest_psu), NULL },
  { "image.primary.create.supportUser", F_STR, P(prim.support_user), "" },
  { "image.primary.create.builder", F_STR, P(prim.builder), "" },
  { "image.primary.create.pull", F_BOOL, P(prim.pull), NULL },
  { "image.auxConfig", F_STR, P(aux_config), "create" },
  { "image.aux.tag", F_STR, P(aux_tag), "" },
  { "image.aux.pushAuth", F_BOOL, P(aux_push_auth), "1" },
  { "image.aux.login.host", F_STR, P(aux_login.host), "" },
  { "image.aux.login.user", F_STR, P(aux_login.user), "" },
  { "image.aux.base.custom", F_BOOL, P(base_custom), NULL },
  { "image.aux.base.ref", F_STR, P(base_ref), "" },
  { "image.aux.base.login.host", F_STR, P(base_login.host), "" },
  { "image.aux.base.login.user", F_STR, P(base_login.user), "" },
  { "image.aux.wdt.latest", F_BOOL, P(wdt_latest), "1" },
  { "image.aux.wdt.installer", F_STR, P(wdt_installer), "" },
  { "image.aux.wdt.version", F_STR, P(wdt_version), "" },
  { "image.aux.wdtHome", F_STR, P(wdt_home), "/auxiliary" },
  { "image.aux.modelHome", F_STR, P(model_home), "/auxiliary/models" },
  { "image.aux.openshift", F_BOOL, P(openshift), NULL },
  { "image.aux.owner", F_STR, P(owner), "oracle" },
  { "image.aux.group", F_STR, P(group), "oracle" },
  { "image.aux.alwaysPull", F_BOOL, P(always_pull), NULL },
  { "image.aux.offerPrepareModel", F_BOOL, P(offer_prepare_model), NULL },
  { "image.aux.extend.enabled", F_BOOL, P(extend), NULL },
  { "image.aux.extend.commands", F_STR, P(extend_commands), "" },
  { "image.aux.extend.files", F_LIST, P(extend_files), NULL },
  { "image.aux.buildNetwork", F_STR, P(build_network), "" },
  { "image.platforms", F_LIST, P(platforms), "linux/amd64" },
  { "k8s.context", F_STR, P(k8s_context), "" },
  { "k8s.namespace", F_STR, P(k8s_namespace), "" },
  { "k8s.domainUid", F_STR, P(domain_uid), "" },
  { "k8s.pullSecrets.primary", F_STR, P(pull_secret_primary), "" },
  { "k8s.pullSecrets.aux", F_STR, P(pull_secret_aux), "" },
  { "k8s.auxRefMode", F_STR, P(aux_ref_mode), "digest" },
  { "k8s.pullPolicies.primary", F_STR, P(pull_policy_primary), "IfNotPresent" },
  { "k8s.pullPolicies.aux", F_STR, P(pull_policy_aux), "IfNotPresent" },
  { "k8s.wlsCredSecret", F_STR, P(wls_cred_secret), "" },
  { "k8s.runtimeSecret", F_STR, P(runtime_secret), "" },
  { "k8s.modelSecrets", F_LIST, P(model_secrets), NULL },
  { "k8s.wlsUser", F_STR, P(wls_user), "weblogic" },
  { "k8s.env", F_LIST, P(k8s_env), NULL },
  { "registry.url", F_STR, P(registry_url), "127.0.0.1:5000" },
  { "registry.root", F_STR, P(registry_root), "" },
};
#undef P

static char **
str_at(struct wi_ui_project *p, const struct field *f)
{
  return (char **)(void *)((char *)p + f->off);
}

static bool *
bool_at(struct wi_ui_project *p, const struct field *f)
{
  return (bool *)(void *)((char *)p + f->off);
}

static struct wi_ui_strlist *
list_at(struct wi_ui_project *p, const struct field *f)
{
  return (struct wi_ui_strlist *)(void *)((char *)p + f->off);
}

static void
list_clear(struct wi_ui_strlist *l)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
  l->v = NULL;
  l->n = 0;
}

static void
list_add(struct wi_ui_strlist *l, const char *s)
{
  l->v = wi_xreallocarray(l->v, l->n + 1, sizeof *l->v);
  l->v[l->n++] = wi_xstrdup(s);
}

void
wi_ui_project_init(struct wi_ui_project *p, const char *name)
{
  memset(p, 0, sizeof *p);
  for (size_t i = 0; i < WI_ARRAY_SIZE(fields); i++) {
    const struct field *f = &fields[i];
    if (f->type == F_STR)
      *str_at(p, f) = wi_xstrdup(f->dflt);
    else if (f->type == F_BOOL)
      *bool_at(p, f) = f->dflt != NULL;
    else if (f->dflt)
      list_add(list_at(p, f), f->dflt);
  }
  if (name) {
    free(p->name);
    p->name = wi_xstrdup(name);
  }
}

static void
history_dispose(struct wi_ui_history *h)
{
  free(h->kind);
  free(h->ref);
  free(h->digest);
  free(h->host);
}

static void
registry_dispose(struct wi_ui_registry *r)
{
  free(r->name);
  free(r->host);
  free(r->user);
  free(r->email);
  free(r->test_message);
}

static void
registries_clear(struct wi_ui_project *p)
{
  for (size_t i = 0; i < p->n_registries; i++)
    registry_dispose(&p->registries[i]);
  free(p->registries);
  p->registries = NULL;
  p->n_registries = 0;
}

void
wi_ui_project_dispose(struct wi_ui_project *p)
{
  registries_clear(p);
  for (size_t i = 0; i < WI_ARRAY_SIZE(fields); i++) {
    const struct field *f = &fields[i];
    if (f->type == F_STR)
      free(*str_at(p, f));
    else if (f->type == F_LIST)
      list_clear(list_at(p, f));
  }
  for (size_t i = 0; i < p->n_history; i++)
    history_dispose(&p->history[i]);
  free(p->history);
  memset(p, 0, sizeof *p);
}

/* ---- reading ---- */

/* Is `prefix` (a dotted path of objects) the start of some field's path? */
static bool
known_object(const char *prefix)
{
  size_t n = strlen(prefix);
  for (size_t i = 0; i < WI_ARRAY_SIZE(fields); i++)
    if (strncmp(fields[i].path, prefix, n) == 0 && fields[i].path[n] == '.')
      return true;
  return false;
}

static const struct field *
field_named(const char *path)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(fields); i++)
    if (strcmp(fields[i].path, path) == 0)
      return &fields[i];
  return NULL;
}

static int
read_list(struct wi_ui_strlist *l, json_t *v, const char *path, wi_err *err)
{
  size_t i;
  json_t *e;
  if (!json_is_array(v))
    return wi_err_set(err, WI_EINVAL, "%s: expected an array, got %s", path, wi_json_type_name(v));
  if (json_array_size(v) > WI_UI_PROJECT_MAX_LIST)
    return wi_err_set(err, WI_ETOOBIG, "%s: more than %d entries", path, WI_UI_PROJECT_MAX_LIST);
  list_clear(l);
  json_array_foreach (v, i, e) {
    if (!json_is_string(e))
      return wi_err_set(err, WI_EINVAL, "%s[%zu]: expected a string, got %s", path, i,
                        wi_json_type_name(e));
    list_add(l, json_string_value(e));
  }
  return 0;
}

static int
read_value(struct wi_ui_project *p, const struct field *f, json_t *v, const char *path, wi_err *err)
{
  if (f->type == F_BOOL) {
    if (!json_is_boolean(v))
      return wi_err_set(err, WI_EINVAL, "%s: expected a boolean, got %s", path,
                        wi_json_type_name(v));
    *bool_at(p, f) = json_is_true(v);
    return 0;
  }
  if (f->type == F_LIST)
    return read_list(list_at(p, f), v, path, err);
  if (!json_is_string(v))
    return wi_err_set(err, WI_EINVAL, "%s: expected a string, got %s", path, wi_json_type_name(v));
  free(*str_at(p, f));
  *str_at(p, f) = wi_xstrdup(json_string_value(v));
  return 0;
}

static int read_history(struct wi_ui_project *p, json_t *v, wi_err *err);
static int read_registries(struct wi_ui_project *p, json_t *v, wi_err *err);

static int
read_object(struct wi_ui_project *p, json_t *obj, const char *prefix, int depth, wi_err *err)
{
  const char *key;
  json_t *v;
  if (depth > 6)
    return wi_err_set(err, WI_EINVAL, "%s: nested too deeply", prefix);
  json_object_foreach (obj, key, v) {
    wi_autofree char *path = prefix[0] ? wi_xasprintf("%s.%s", prefix, key) : wi_xstrdup(key);
    const struct field *f = field_named(path);
    int ret = 0;
    if (f)
      ret = read_value(p, f, v, path, err);
    else if (depth == 0 && strcmp(key, "schema") == 0)
      ret = json_is_string(v) && strcmp(json_string_value(v), WI_UI_PROJECT_SCHEMA) == 0
                ? 0
                : wi_err_set(err, WI_EINVAL, "schema: expected \"%s\"", WI_UI_PROJECT_SCHEMA);
    else if (depth == 0 && strcmp(key, "history") == 0)
      ret = read_history(p, v, err);
    else if (depth == 0 && strcmp(key, "registries") == 0)
      ret = read_registries(p, v, err);
    else if (known_object(path) && json_is_object(v))
      ret = read_object(p, v, path, depth + 1, err);
    else if (known_object(path))
      ret =
          wi_err_set(err, WI_EINVAL, "%s: expected an object, got %s", path, wi_json_type_name(v));
    else
      ret = wi_err_set(err, WI_EINVAL, "%s: unknown setting", path);
    if (ret < 0)
      return ret;
  }
  return 0;
}

static const char *
hist_str(json_t *e, const char *key)
{
  const char *s = json_string_value(json_object_get(e, key));
  return s ? s : "";
}

static int
read_history(struct wi_ui_project *p, json_t *v, wi_err *err)
{
  size_t i;
  json_t *e;
  if (!json_is_array(v))
    return wi_err_set(err, WI_EINVAL, "history: expected an array, got %s", wi_json_type_name(v));
  for (i = 0; i < p->n_history; i++)
    history_dispose(&p->history[i]);
  p->n_history = 0;
  json_array_foreach (v, i, e) {
    if (!json_is_object(e))
      return wi_err_set(err, WI_EINVAL, "history[%zu]: expected an object, got %s", i,
                        wi_json_type_name(e));
    if (p->n_history == WI_UI_PROJECT_HISTORY)
      break;
    p->history = wi_xreallocarray(p->history, p->n_history + 1, sizeof *p->history);
    struct wi_ui_history *h = &p->history[p->n_history++];
    h->kind = wi_xstrdup(hist_str(e, "kind"));
    h->ref = wi_xstrdup(hist_str(e, "ref"));
    h->digest = wi_xstrdup(hist_str(e, "digest"));
    h->host = wi_xstrdup(hist_str(e, "host"));
    h->time = json_integer_value(json_object_get(e, "time"));
  }
  return 0;
}

/* One registries[] entry: strings "name", "host" (required), "user", "email", and "lastTest"
 * {"time", "ok", "message"}. */
static int
read_registry(struct wi_ui_registry *r, json_t *e, size_t i, wi_err *err)
{
  static const char *const keys[] = { "name", "host", "user", "email" };
  char **dst[] = { &r->name, &r->host, &r->user, &r->email };
  const char *key;
  json_t *v;
  json_object_foreach (e, key, v) {
    bool known = strcmp(key, "lastTest") == 0;
    for (size_t k = 0; k < WI_ARRAY_SIZE(keys); k++)
      if (strcmp(key, keys[k]) == 0) {
        if (!json_is_string(v))
          return wi_err_set(err, WI_EINVAL, "registries[%zu].%s: expected a string, got %s", i, key,
                            wi_json_type_name(v));
        free(*dst[k]);
        *dst[k] = wi_xstrdup(json_string_value(v));
        known = true;
      }
    if (!known)
      return wi_err_set(err, WI_EINVAL, "registries[%zu].%s: unknown setting", i, key);
  }
  if (r->host[0] == '\0')
    return wi_err_set(err, WI_EINVAL, "registries[%zu].host: required", i);
  json_t *t = json_object_get(e, "lastTest");
  if (t && !json_is_null(t)) {
    json_t *time = json_object_get(t, "time");
    const char *msg = json_string_value(json_object_get(t, "message"));
    if (!json_is_object(t) || !json_is_integer(time))
      return wi_err_set(err, WI_EINVAL, "registries[%zu].lastTest: expected {time, ok, message}",
                        i);
    r->test_time = json_integer_value(time);
    r->test_ok = json_is_true(json_object_get(t, "ok"));
    free(r->test_message);
    r->test_message = wi_xstrdup(msg ? msg : "");
  }
  return 0;
}

static int
read_registries(struct wi_ui_project *p, json_t *v, wi_err *err)
{
  size_t i;
  json_t *e;
  if (!json_is_array(v))
    return wi_err_set(err, WI_EINVAL, "registries: expected an array, got %s",
                      wi_json_type_name(v));
  if (json_array_size(v) > WI_UI_PROJECT_MAX_LIST)
    return wi_err_set(err, WI_ETOOBIG, "registries: more than %d entries", WI_UI_PROJECT_MAX_LIST);
  registries_clear(p);
  json_array_foreach (v, i, e) {
    if (!json_is_object(e))
      return wi_err_set(err, WI_EINVAL, "registries[%zu]: expected an object, got %s", i,
                        wi_json_type_name(e));
    p->registries = wi_xreallocarray(p->registries, p->n_registries + 1, sizeof *p->registries);
    struct wi_ui_registry *r = &p->registries[p->n_registries++];
    *r = (struct wi_ui_registry){ .name = wi_xstrdup(""),
                                  .host = wi_xstrdup(""),
                                  .user = wi_xstrdup(""),
                                  .email = wi_xstrdup(""),
                                  .test_message = wi_xstrdup("") };
    int ret = read_registry(r, e, i, err);
    if (ret < 0)
      return ret;
    for (size_t k = 0; k + 1 < p->n_registries; k++)
      if (strcmp(p->registries[k].host, r->host) == 0)
        return wi_err_set(err, WI_EINVAL, "registries[%zu].host: %s is listed twice", i, r->host);
  }
  return 0;
}

int
wi_ui_project_from_json(struct wi_ui_project *p, const char *text, size_t len, wi_err *err)
{
  json_error_t jerr;
  if (len > WI_UI_PROJECT_MAX_BYTES)
    return wi_err_set(err, WI_ETOOBIG, "project: more than %d bytes", WI_UI_PROJECT_MAX_BYTES);
  autojson json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (j == NULL)
    return wi_err_set(err, WI_EINVAL, "project: line %d, column %d: %s", jerr.line, jerr.column,
                      jerr.text);
  if (!json_is_object(j))
    return wi_err_set(err, WI_EINVAL, "project: expected an object, got %s", wi_json_type_name(j));
  return read_object(p, j, "", 0, err);
}

/* ---- writing ---- */

/* The object at a dotted path below root, created as needed (the last component is the key). */
static json_t *
parent_of(json_t *root, const char *path, const char **key_out)
{
  json_t *cur = root;
  const char *p = path;
  const char *dot;
  while ((dot = strchr(p, '.')) != NULL) {
    wi_autofree char *k = wi_xstrndup(p, (size_t)(dot - p));
    json_t *next = json_object_get(cur, k);
    if (next == NULL) {
      next = json_object();
      json_object_set_new(cur, k, next);
    }
    cur = next;
    p = dot + 1;
  }
  *key_out = p;
  return cur;
}

static json_t *
list_json(const struct wi_ui_strlist *l)
{
  json_t *a = json_array();
  for (size_t i = 0; i < l->n; i++)
    json_array_append_new(a, wi_json_str(l->v[i]));
  return a;
}

char *
wi_ui_project_to_json(const struct wi_ui_project *cp)
{
  struct wi_ui_project *p = (struct wi_ui_project *)(uintptr_t)cp; /* read only below */
  autojson json_t *root = json_object();
  json_object_set_new(root, "schema", json_string(WI_UI_PROJECT_SCHEMA));
  for (size_t i = 0; i < WI_ARRAY_SIZE(fields); i++) {
    const struct field *f = &fields[i];
    const char *key;
    json_t *parent = parent_of(root, f->path, &key);
    json_t *v = f->type == F_STR    ? wi_json_str(*str_at(p, f))
                : f->type == F_BOOL ? json_boolean(*bool_at(p, f))
                                    : list_json(list_at(p, f));
    json_object_set_new(parent, key, v);
  }
  json_t *h = json_array();
  for (size_t i = 0; i < p->n_history; i++) {
    const struct wi_ui_history *e = &p->history[i];
    json_t *o = json_object();
    json_object_set_new(o, "kind", wi_json_str(e->kind));
    json_object_set_new(o, "ref", wi_json_str(e->ref));
    json_object_set_new(o, "digest", wi_json_str(e->digest));
    json_object_set_new(o, "host", wi_json_str(e->host));
    json_object_set_new(o, "time", json_integer(e->time));
    json_array_append_new(h, o);
  }
  json_object_set_new(root, "history", h);
  json_t *regs = json_array();
  for (size_t i = 0; i < p->n_registries; i++) {
    const struct wi_ui_registry *r = &p->registries[i];
    json_t *o = json_object();
    json_object_set_new(o, "name", wi_json_str(r->name));
    json_object_set_new(o, "host", wi_json_str(r->host));
    json_object_set_new(o, "user", wi_json_str(r->user));
    json_object_set_new(o, "email", wi_json_str(r->email));
    json_t *t = json_null();
    if (r->test_time) {
      t = json_object();
      json_object_set_new(t, "time", json_integer(r->test_time));
      json_object_set_new(t, "ok", json_boolean(r->test_ok));
      json_object_set_new(t, "message", wi_json_str(r->test_message));
    }
    json_object_set_new(o, "lastTest", t);
    json_array_append_new(regs, o);
  }
  json_object_set_new(root, "registries", regs);
  char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  char *out = wi_xasprintf("%s\n", s);
  free(s);
  return out;
}

void
wi_ui_project_copy(struct wi_ui_project *dst, const struct wi_ui_project *src)
{
  wi_autofree char *j = wi_ui_project_to_json(src);
  wi_err err = { 0 };
  wi_ui_project_init(dst, NULL);
  int ret = wi_ui_project_from_json(dst, j, strlen(j), &err);
  WI_UNUSED(ret); /* our own output always reads back */
}

static char *
dir_name(const char *path)
{
  wi_autofree char *copy = wi_xstrdup(path);
  return wi_xstrdup(dirname(copy));
}

int
wi_ui_project_load(struct wi_ui_project *p, const char *path, bool *exists_out, wi_err *err)
{
  wi_autofree char *text = NULL;
  size_t len = 0;
  wi_autofree char *dir = dir_name(path);
  wi_autofree char *abs = realpath(dir, NULL);
  const char *base = strrchr(abs ? abs : dir, '/');
  wi_ui_project_init(p, base && base[1] ? base + 1 : "project");
  if (exists_out)
    *exists_out = false;
  int ret = wi_fs_read_file(path, WI_UI_PROJECT_MAX_BYTES, &text, &len, err);
  if (ret == WI_ENOTFOUND)
    return 0;
  if (ret < 0)
    return ret;
  if (exists_out)
    *exists_out = true;
  ret = wi_ui_project_from_json(p, text, len, err);
  if (ret < 0)
    return wi_err_wrap(err, "%s", path);
  return 0;
}

int
wi_ui_project_save(const struct wi_ui_project *p, const char *path, wi_err *err)
{
  wi_autofree char *j = wi_ui_project_to_json(p);
  return wi_fs_write_file_atomic(path, j, strlen(j), 0666, err);
}

void
wi_ui_project_add_history(struct wi_ui_project *p, const char *kind, const char *ref,
                          const char *digest, const char *host, int64_t time)
{
  if (p->n_history == WI_UI_PROJECT_HISTORY)
    history_dispose(&p->history[--p->n_history]);
  p->history = wi_xreallocarray(p->history, p->n_history + 1, sizeof *p->history);
  memmove(&p->history[1], &p->history[0], p->n_history * sizeof *p->history);
  p->history[0] = (struct wi_ui_history){ .kind = wi_xstrdup(kind),
                                          .ref = wi_xstrdup(ref ? ref : ""),
                                          .digest = wi_xstrdup(digest ? digest : ""),
                                          .host = wi_xstrdup(host ? host : ""),
                                          .time = time };
  p->n_history++;
}

void
wi_ui_project_copy_records(struct wi_ui_project *dst, const struct wi_ui_project *src)
{
  for (size_t i = 0; i < dst->n_history; i++)
    history_dispose(&dst->history[i]);
  free(dst->history);
  dst->history = NULL;
  dst->n_history = 0;
  for (size_t i = src->n_history; i > 0; i--) {
    const struct wi_ui_history *h = &src->history[i - 1];
    wi_ui_project_add_history(dst, h->kind, h->ref, h->digest, h->host, h->time);
  }
  registries_clear(dst);
  for (size_t i = 0; i < src->n_registries; i++) {
    const struct wi_ui_registry *r = &src->registries[i];
    wi_err err = { 0 };
    if (wi_ui_project_registry_put(dst, r->name, r->host, r->user, r->email, &err) == 0) {
      struct wi_ui_registry *d = &dst->registries[dst->n_registries - 1];
      d->test_time = r->test_time;
      d->test_ok = r->test_ok;
      free(d->test_message);
      d->test_message = wi_xstrdup(r->test_message);
    }
  }
}

struct wi_ui_registry *
wi_ui_project_registry(struct wi_ui_project *p, const char *host)
{
  for (size_t i = 0; i < p->n_registries; i++)
    if (strcmp(p->registries[i].host, host) == 0)
      return &p->registries[i];
  return NULL;
}

int
wi_ui_project_registry_put(struct wi_ui_project *p, const char *name, const char *host,
                           const char *user, const char *email, wi_err *err)
{
  struct wi_ui_registry *r = wi_ui_project_registry(p, host);
  if (r == NULL) {
    if (p->n_registries >= WI_UI_PROJECT_MAX_LIST)
      return wi_err_set(err, WI_ETOOBIG, "registries: more than %d entries",
                        WI_UI_PROJECT_MAX_LIST);
    p->registries = wi_xreallocarray(p->registries, p->n_registries + 1, sizeof *p->registries);
    r = &p->registries[p->n_registries++];
    /* the default name: the host's first label ("lhr" for lhr.ocir.io), or an address whole */
    bool addr = host[0] >= '0' && host[0] <= '9';
    *r = (struct wi_ui_registry){ .name = addr ? wi_xstrdup(host)
                                               : wi_xstrndup(host, strcspn(host, ".:")),
                                  .host = wi_xstrdup(host),
                                  .user = wi_xstrdup(""),
                                  .email = wi_xstrdup(""),
                                  .test_message = wi_xstrdup("") };
  }
  if (name && name[0]) {
    free(r->name);
    r->name = wi_xstrdup(name);
  }
  free(r->user);
  r->user = wi_xstrdup(user ? user : "");
  if (email) {
    free(r->email);
    r->email = wi_xstrdup(email);
  }
  return 0;
}

bool
wi_ui_project_registry_remove(struct wi_ui_project *p, const char *host)
{
  struct wi_ui_registry *r = wi_ui_project_registry(p, host);
  if (r == NULL)
    return false;
  size_t i = (size_t)(r - p->registries);
  registry_dispose(r);
  memmove(&p->registries[i], &p->registries[i + 1],
          (p->n_registries - i - 1) * sizeof p->registries[0]);
  p->n_registries--;
  return true;
}

char *
wi_ui_project_path(const char *project_file, const char *rel)
{
  if (rel[0] == '/')
    return wi_xstrdup(rel);
  wi_autofree char *dir = dir_name(project_file);
  return wi_xasprintf("%s/%s", dir, rel);
}
