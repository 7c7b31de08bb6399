/* wlsimg ui: the model, variable and archive files of a project, read and checked. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/k8s.h"
#include "lib/props.h"
#include "lib/str.h"
#include "lib/ui_model.h"
#include "lib/util.h"
#include "lib/yaml.h"

#define autojson __attribute__((cleanup(json_decrefp)))

/* ---- the report ---- */

struct report {
  json_t *files, *variables, *refs, *findings;
  json_t *defined;                 /* object: variable name → true */
  struct wi_k8s_model_refs macros; /* @@PROP, @@ENV, @@SECRET of every model file */
  char **entries;                  /* archive entries, for the wlsdeploy/ references */
  size_t n_entries;
  char **model_refs; /* wlsdeploy/ paths the models name */
  size_t n_refs;
  size_t n_errors;
};

static void
finding(struct report *r, bool error, const char *field, const char *msg)
{
  json_t *o = json_object();
  json_object_set_new(o, "field", json_string(field));
  json_object_set_new(o, "severity", json_string(error ? "error" : "warning"));
  json_object_set_new(o, "message", wi_json_str(msg));
  json_array_append_new(r->findings, o);
  if (error)
    r->n_errors++;
}

static json_t *
file_entry(const char *kind, size_t index, const char *rel)
{
  json_t *o = json_object();
  json_object_set_new(o, "kind", json_string(kind));
  json_object_set_new(o, "index", json_integer((json_int_t)index));
  json_object_set_new(o, "path", wi_json_str(rel));
  json_object_set_new(o, "exists", json_false());
  json_object_set_new(o, "size", json_integer(0));
  json_object_set_new(o, "ok", json_false());
  json_object_set_new(o, "message", json_null());
  json_object_set_new(o, "count", json_integer(0));
  return o;
}

/* Add the files[] entry of a listed file (*fe_out) and read it; NULL (with the finding made)
 * when it is missing. */
static char *
read_listed(struct report *r, const char *kind, size_t index, const char *pf, const char *rel,
            const char *field, const char *label, size_t max, json_t **fe_out, size_t *len)
{
  char *text = NULL;
  wi_err err = { 0 };
  json_t *fe = file_entry(kind, index, rel);
  json_array_append_new(r->files, fe);
  *fe_out = fe;
  wi_autofree char *path = wi_ui_project_path(pf, rel);
  if (wi_fs_read_file(path, max, &text, len, &err) < 0) {
    wi_autofree char *msg = wi_xasprintf("%s: %s: %s", label, rel, err.msg);
    json_object_set_new(fe, "message", wi_json_str(err.msg));
    finding(r, true, field, msg);
    return NULL;
  }
  json_object_set_new(fe, "exists", json_true());
  json_object_set_new(fe, "size", json_integer((json_int_t)*len));
  return text;
}

static void
check_model_file(struct report *r, const char *pf, size_t index, const char *rel)
{
  json_t *fe = NULL;
  size_t len = 0;
  wi_autofree char *text = read_listed(r, "model", index, pf, rel, "model-files", "Model Files",
                                       WI_MAX_MODEL_BYTES, &fe, &len);
  if (text == NULL)
    return;
  char **refs = NULL;
  size_t n_refs = 0;
  wi_err err = { 0 };
  if (wi_yaml_check(rel, text, len, &refs, &n_refs, &err) < 0) {
    json_object_set_new(fe, "message", wi_json_str(err.msg));
    wi_autofree char *msg = wi_xasprintf("Model Files: %s", err.msg);
    finding(r, true, "model-files", msg);
  } else {
    json_object_set_new(fe, "ok", json_true());
  }
  for (size_t i = 0; i < n_refs; i++) {
    r->model_refs = wi_xreallocarray(r->model_refs, r->n_refs + 1, sizeof *r->model_refs);
    r->model_refs[r->n_refs++] = wi_steal(&refs[i]);
  }
  free(refs);
  /* the macros, as `wlsimg k8s domain` reads them (a YAML error was reported just above) */
  wi_err merr = { 0 };
  if (wi_k8s_model_scan(&r->macros, rel, text, len, &merr) < 0 &&
      json_is_true(json_object_get(fe, "ok"))) {
    json_object_set_new(fe, "ok", json_false());
    json_object_set_new(fe, "message", wi_json_str(merr.msg));
    wi_autofree char *msg = wi_xasprintf("Model Files: %s", merr.msg);
    finding(r, true, "model-files", msg);
  }
}

static void
check_variable_file(struct report *r, const char *pf, size_t index, const char *rel)
{
  json_t *fe = NULL;
  size_t len = 0;
  wi_autofree char *text = read_listed(r, "variables", index, pf, rel, "variable-files",
                                       "Variable Files", WI_MAX_PROPS_BYTES, &fe, &len);
  if (text == NULL)
    return;
  struct wi_props props = { 0 };
  wi_err err = { 0 };
  if (wi_props_parse(&props, text, len, &err) < 0) {
    json_object_set_new(fe, "message", wi_json_str(err.msg));
    wi_autofree char *msg = wi_xasprintf("Variable Files: %s: %s", rel, err.msg);
    finding(r, true, "variable-files", msg);
    return;
  }
  json_object_set_new(fe, "ok", json_true());
  json_object_set_new(fe, "count", json_integer((json_int_t)props.n));
  for (size_t i = 0; i < props.n; i++) {
    json_t *o = json_object();
    json_object_set_new(o, "key", wi_json_str(props.v[i].key));
    json_object_set_new(o, "value", wi_json_str(props.v[i].value));
    json_object_set_new(o, "file", wi_json_str(rel));
    json_array_append_new(r->variables, o);
    json_object_set_new(r->defined, props.v[i].key, json_true());
  }
  wi_props_dispose(&props);
}

/* Open a zip for listing; NULL with err set. */
static struct archive *
open_zip(const char *path, wi_err *err)
{
  struct archive *a = archive_read_new();
  archive_read_support_format_zip(a);
  if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
    wi_err_set(err, WI_EINVAL, "%s: not a readable zip archive: %s", path, archive_error_string(a));
    archive_read_free(a);
    return NULL;
  }
  return a;
}

/* Every entry name of the zip at path (at most WI_UI_MODEL_MAX_ENTRIES) through fn. */
static int
each_entry(const char *path, void (*fn)(struct archive_entry *e, void *payload), void *payload,
           bool *truncated, wi_err *err)
{
  struct archive *a = open_zip(path, err);
  struct archive_entry *e;
  size_t n = 0;
  int rc, ret = 0;
  if (a == NULL)
    return err->code;
  *truncated = false;
  while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    if (n++ == WI_UI_MODEL_MAX_ENTRIES) {
      *truncated = true;
      break;
    }
    fn(e, payload);
  }
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN && rc != ARCHIVE_EOF && !*truncated)
    ret = wi_err_set(err, WI_EINVAL, "%s: %s", path, archive_error_string(a));
  archive_read_free(a);
  return ret;
}

static void
keep_entry(struct archive_entry *e, void *payload)
{
  struct report *r = payload;
  const char *name = archive_entry_pathname(e);
  if (name == NULL)
    return;
  r->entries = wi_xreallocarray(r->entries, r->n_entries + 1, sizeof *r->entries);
  r->entries[r->n_entries++] = wi_xstrdup(name);
}

static void
check_archive_file(struct report *r, const char *pf, size_t index, const char *rel)
{
  json_t *fe = file_entry("archive", index, rel);
  json_array_append_new(r->files, fe);
  wi_autofree char *path = wi_ui_project_path(pf, rel);
  struct stat st;
  if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
    json_object_set_new(fe, "message", json_string("does not exist or is not a file"));
    wi_autofree char *msg = wi_xasprintf("Archive Files: %s does not exist or is not a file.", rel);
    finding(r, true, "archive-files", msg);
    return;
  }
  json_object_set_new(fe, "exists", json_true());
  json_object_set_new(fe, "size", json_integer((json_int_t)st.st_size));
  size_t before = r->n_entries;
  bool truncated = false;
  wi_err err = { 0 };
  if (each_entry(path, keep_entry, r, &truncated, &err) < 0) {
    json_object_set_new(fe, "message", wi_json_str(err.msg));
    wi_autofree char *msg = wi_xasprintf("Archive Files: %s", err.msg);
    finding(r, true, "archive-files", msg);
    return;
  }
  json_object_set_new(fe, "ok", json_true());
  json_object_set_new(fe, "count", json_integer((json_int_t)(r->n_entries - before)));
}

/* Is ref (a wlsdeploy/ path of the model) in an archive: an entry, or a directory of one? */
static bool
in_archives(const struct report *r, const char *ref)
{
  size_t n = strlen(ref);
  while (n > 0 && ref[n - 1] == '/')
    n--;
  for (size_t i = 0; i < r->n_entries; i++) {
    const char *e = r->entries[i];
    if (strncmp(e, ref, n) == 0 && (e[n] == '\0' || e[n] == '/'))
      return true;
  }
  return false;
}

/* The macros as the report lists them: props (defined or not), env, secrets as written. */
static void
list_macros(struct report *r, json_t *o)
{
  json_t *props = json_array(), *env = json_array(), *secrets = json_array();
  json_t *used = json_object();
  for (size_t i = 0; i < r->macros.n; i++) {
    const struct wi_k8s_model_ref *m = &r->macros.v[i];
    json_t *e = json_object();
    json_object_set_new(e, "name", wi_json_str(m->name));
    if (m->kind == WI_K8S_TOKEN_PROP) {
      bool defined = json_object_get(r->defined, m->name) != NULL;
      json_object_set_new(used, m->name, json_true());
      json_object_set_new(e, "defined", json_boolean(defined));
      json_array_append_new(props, e);
      if (!defined) {
        wi_autofree char *msg =
            wi_xasprintf("Variable Files: @@PROP:%s@@ (%s) is not defined in any variable file.",
                         m->name, m->where);
        finding(r, false, "variable-files", msg);
      }
    } else if (m->kind == WI_K8S_TOKEN_ENV) {
      json_object_set_new(e, "operator", json_boolean(wi_k8s_model_operator_env(m->name)));
      json_array_append_new(env, e);
    } else {
      wi_autofree char *tok = wi_xasprintf("@@SECRET:%s:%s@@", m->name, m->key ? m->key : "");
      json_object_set_new(e, "key", wi_json_str(m->key ? m->key : ""));
      json_object_set_new(e, "token", wi_json_str(tok));
      /* the operator fills this one from the Domain's WebLogic credentials secret */
      json_object_set_new(e, "builtin",
                          json_boolean(strcmp(m->name, "__weblogic-credentials__") == 0));
      json_array_append_new(secrets, e);
    }
    json_object_set_new(e, "where", wi_json_str(m->where));
  }
  json_t *unused = json_array();
  const char *key;
  json_t *v;
  json_object_foreach (r->defined, key, v) {
    if (json_object_get(used, key) == NULL) {
      json_array_append_new(unused, wi_json_str(key));
      wi_autofree char *msg =
          wi_xasprintf("Variable Files: %s is defined but no @@PROP:%s@@ uses it.", key, key);
      finding(r, false, "variable-files", msg);
    }
  }
  json_decref(used);
  json_object_set_new(o, "props", props);
  json_object_set_new(o, "unusedVariables", unused);
  json_object_set_new(o, "secrets", secrets);
  json_object_set_new(o, "env", env);
}

static void
archive_checks(struct report *r, const struct wi_ui_project *p)
{
  for (size_t i = 0; i < r->n_refs; i++) {
    bool found = in_archives(r, r->model_refs[i]);
    json_t *o = json_object();
    json_object_set_new(o, "path", wi_json_str(r->model_refs[i]));
    json_object_set_new(o, "found", json_boolean(found));
    json_array_append_new(r->refs, o);
    if (!found) {
      wi_autofree char *msg = wi_xasprintf(
          "Archive Files: the model names %s, but %s.", r->model_refs[i],
          p->archive_files.n ? "no archive holds it" : "the project has no archive file");
      finding(r, false, "archive-files", msg);
    }
  }
}

/* The secrets the Domain must provide, names resolved with the project's Domain UID and env;
 * null without a Domain UID (a finding when the model cannot be satisfied). */
static json_t *
domain_secrets(struct report *r, const struct wi_ui_project *p, const char *pf)
{
  struct wi_k8s_model_secrets needs = { 0 };
  bool checked = false;
  wi_err err = { 0 };
  if (p->domain_uid[0] == '\0' || r->n_errors > 0)
    return json_null();
  if (wi_ui_model_needs(p, pf, &needs, &checked, &err) < 0) {
    wi_autofree char *msg = wi_xasprintf("For the Domain: %s", err.msg);
    finding(r, false, strstr(err.msg, "@@ENV") ? "k8s-env" : "model-files", msg);
    return json_null();
  }
  json_t *arr = json_array();
  for (size_t i = 0; i < needs.n; i++) {
    json_t *o = json_object(), *keys = json_array();
    for (size_t k = 0; k < needs.v[i].n_keys; k++)
      json_array_append_new(keys, wi_json_str(needs.v[i].keys[k]));
    json_object_set_new(o, "name", wi_json_str(needs.v[i].name));
    json_object_set_new(o, "keys", keys);
    json_object_set_new(o, "where", wi_json_str(needs.v[i].where));
    json_array_append_new(arr, o);
  }
  wi_k8s_model_secrets_dispose(&needs);
  return arr;
}

int
wi_ui_model_report(const struct wi_ui_project *p, const char *project_file, char **json_out,
                   size_t *n_errors_out, wi_err *err)
{
  struct report r = { .files = json_array(),
                      .variables = json_array(),
                      .refs = json_array(),
                      .findings = json_array(),
                      .defined = json_object() };
  WI_UNUSED(err);
  if (p->model_files.n == 0)
    finding(&r, true, "model-files", "Model Files: at least one model file is needed.");
  for (size_t i = 0; i < p->model_files.n; i++)
    check_model_file(&r, project_file, i, p->model_files.v[i]);
  for (size_t i = 0; i < p->variable_files.n; i++)
    check_variable_file(&r, project_file, i, p->variable_files.v[i]);
  for (size_t i = 0; i < p->archive_files.n; i++)
    check_archive_file(&r, project_file, i, p->archive_files.v[i]);
  autojson json_t *o = json_object();
  json_object_set_new(o, "files", r.files);
  json_object_set_new(o, "variables", r.variables);
  list_macros(&r, o);
  archive_checks(&r, p);
  json_object_set_new(o, "archiveRefs", r.refs);
  json_object_set_new(o, "domainSecrets", domain_secrets(&r, p, project_file));
  json_object_set_new(o, "findings", r.findings);
  json_decref(r.defined);
  wi_k8s_model_refs_dispose(&r.macros);
  for (size_t i = 0; i < r.n_entries; i++)
    free(r.entries[i]);
  free(r.entries);
  wi_yaml_refs_free(r.model_refs, r.n_refs);
  *json_out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (n_errors_out)
    *n_errors_out = r.n_errors;
  return 0;
}

/* ---- what the Domain needs ---- */

int
wi_ui_model_env(const struct wi_ui_project *p, struct wi_k8s_kv_list *out, wi_err *err)
{
  for (size_t i = 0; i < p->k8s_env.n; i++) {
    const char *e = p->k8s_env.v[i];
    const char *eq = strchr(e, '=');
    if (eq == NULL || eq == e)
      return wi_err_set(err, WI_EINVAL, "Environment: \"%s\": expected NAME=VALUE", e);
    wi_autofree char *name = wi_xstrndup(e, (size_t)(eq - e));
    if (wi_k8s_model_operator_env(name))
      return wi_err_set(err, WI_EINVAL, "Environment: %s is set by the operator itself", name);
    wi_k8s_input_kv_list_add(out, wi_steal(&name), wi_xstrdup(eq + 1));
  }
  return 0;
}

static const char **
abs_paths(const char *pf, const struct wi_ui_strlist *l)
{
  const char **v = wi_xcalloc(l->n + 1, sizeof *v);
  for (size_t i = 0; i < l->n; i++)
    v[i] = wi_ui_project_path(pf, l->v[i]);
  return v;
}

static void
abs_paths_free(const char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free((char *)(uintptr_t)v[i]);
  free(v);
}

int
wi_ui_model_needs(const struct wi_ui_project *p, const char *project_file,
                  struct wi_k8s_model_secrets *needs, bool *checked_out, wi_err *err)
{
  struct wi_k8s_kv_list env = { 0 };
  const char **models = abs_paths(project_file, &p->model_files);
  const char **vars = abs_paths(project_file, &p->variable_files);
  struct wi_k8s_model_sources src = { .model_files = models,
                                      .n_model_files = p->model_files.n,
                                      .vars_files = vars,
                                      .n_vars_files = p->variable_files.n };
  memset(needs, 0, sizeof *needs);
  *checked_out = false;
  int ret = wi_ui_model_env(p, &env, err);
  if (ret == 0)
    ret = wi_k8s_model_check_domain(needs, checked_out, &src, p->domain_uid, env.v, env.n, err);
  wi_k8s_input_kv_list_dispose(&env, false);
  abs_paths_free(models, p->model_files.n);
  abs_paths_free(vars, p->variable_files.n);
  return ret;
}

/* ---- the Code View ---- */

static const struct wi_ui_strlist *
list_of(const struct wi_ui_project *p, const char *kind)
{
  if (strcmp(kind, "model") == 0)
    return &p->model_files;
  if (strcmp(kind, "variables") == 0)
    return &p->variable_files;
  if (strcmp(kind, "archive") == 0)
    return &p->archive_files;
  return NULL;
}

int
wi_ui_model_file(const struct wi_ui_project *p, const char *project_file, const char *kind,
                 size_t index, char **text_out, size_t *len_out, bool *truncated_out, wi_err *err)
{
  const struct wi_ui_strlist *l = list_of(p, kind);
  if (l == NULL || l == &p->archive_files)
    return wi_err_set(err, WI_EINVAL, "kind: expected \"model\" or \"variables\"");
  if (index >= l->n)
    return wi_err_set(err, WI_ENOTFOUND, "the project has no %s file number %zu", kind, index);
  wi_autofree char *path = wi_ui_project_path(project_file, l->v[index]);
  wi_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return wi_err_sys(err, WI_ENOTFOUND, "%s", l->v[index]);
  char *text = wi_xmalloc(WI_UI_MODEL_MAX_TEXT + 1);
  size_t len = 0;
  while (len < WI_UI_MODEL_MAX_TEXT) {
    ssize_t n = read(fd, text + len, WI_UI_MODEL_MAX_TEXT - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      free(text);
      return wi_err_sys(err, WI_EIO, "read %s", l->v[index]);
    }
    if (n == 0)
      break;
    len += (size_t)n;
  }
  char probe;
  *truncated_out = len == WI_UI_MODEL_MAX_TEXT && read(fd, &probe, 1) == 1;
  if (memchr(text, '\0', len)) {
    free(text);
    return wi_err_set(err, WI_EINVAL, "%s is not a text file", l->v[index]);
  }
  text[len] = '\0';
  *text_out = text;
  *len_out = len;
  return 0;
}

static void
add_entry_json(struct archive_entry *e, void *payload)
{
  json_t *arr = payload;
  const char *name = archive_entry_pathname(e);
  json_t *o = json_object();
  json_object_set_new(o, "name", wi_json_str(name ? name : ""));
  json_object_set_new(o, "size", json_integer((json_int_t)archive_entry_size(e)));
  json_object_set_new(o, "dir", json_boolean(archive_entry_filetype(e) == AE_IFDIR));
  json_array_append_new(arr, o);
}

int
wi_ui_model_archive(const struct wi_ui_project *p, const char *project_file, size_t index,
                    char **json_out, wi_err *err)
{
  if (index >= p->archive_files.n)
    return wi_err_set(err, WI_ENOTFOUND, "the project has no archive file number %zu", index);
  wi_autofree char *path = wi_ui_project_path(project_file, p->archive_files.v[index]);
  autojson json_t *o = json_object();
  json_t *arr = json_array();
  json_object_set_new(o, "path", wi_json_str(p->archive_files.v[index]));
  json_object_set_new(o, "entries", arr);
  bool truncated = false;
  int ret = each_entry(path, add_entry_json, arr, &truncated, err);
  if (ret < 0)
    return ret;
  json_object_set_new(o, "truncated", json_boolean(truncated));
  *json_out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  return 0;
}
