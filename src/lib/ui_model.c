/* wlsimg ui: the model, variable and archive files of a project, read and checked. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/props.h"
#include "lib/str.h"
#include "lib/ui_model.h"
#include "lib/util.h"
#include "lib/yaml.h"

#define autojson __attribute__((cleanup(json_decrefp)))

/* ---- tokens ---- */

/* Where the body of a token that starts at `body` ends (the offset of its closing "@@"), or
 * `len` when it is not closed. A nested "@@ENV:…@@" is part of the body. */
static size_t
body_end(const char *text, size_t len, size_t body)
{
  size_t i = body;
  while (i + 1 < len) {
    const char *at = memmem(text + i, len - i, "@@", 2);
    if (at == NULL)
      return len;
    size_t pos = (size_t)(at - text);
    if (len - pos > 6 && memcmp(at + 2, "ENV:", 4) == 0) {
      const char *close = memmem(at + 6, len - pos - 6, "@@", 2);
      if (close == NULL)
        return len;
      i = (size_t)(close - text) + 2;
      continue;
    }
    return pos;
  }
  return len;
}

size_t
wi_ui_model_tokens(const char *text, size_t len, wi_ui_model_token_fn fn, void *payload)
{
  size_t n = 0, i = 0;
  while (i + 4 < len) {
    const char *at = memmem(text + i, len - i, "@@", 2);
    if (at == NULL)
      break;
    size_t k = (size_t)(at - text) + 2, kind = k;
    while (k < len && text[k] >= 'A' && text[k] <= 'Z')
      k++;
    if (k == kind || k >= len || text[k] != ':') {
      i = kind; /* not a token; its "@@" may close or open another */
      continue;
    }
    size_t body = k + 1;
    size_t end = body_end(text, len, body);
    if (end >= len)
      break;
    const char *name = text + body, *key = NULL;
    size_t name_len = end - body, key_len = 0;
    if (k - kind == 6 && memcmp(text + kind, "SECRET", 6) == 0) {
      const char *colon = NULL;
      for (size_t c = body; c < end; c++)
        if (text[c] == ':')
          colon = text + c;
      if (colon) {
        name_len = (size_t)(colon - name);
        key = colon + 1;
        key_len = (size_t)(text + end - key);
      }
    }
    if (fn)
      fn(text + kind, k - kind, name, name_len, key, key_len, payload);
    n++;
    i = end + 2;
  }
  return n;
}

/* ---- the report ---- */

struct report {
  json_t *files, *variables, *props, *secrets, *env, *refs, *findings;
  json_t *defined; /* object: variable name → true */
  json_t *used;    /* object: prop name → true */
  json_t *seen;    /* object: secret/env token → true (dedup) */
  char **entries;  /* archive entries, for the wlsdeploy/ references */
  size_t n_entries;
  char **model_refs; /* wlsdeploy/ paths the models name */
  size_t n_refs;
  size_t n_tokens, n_errors;
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

static void
on_token(const char *kind, size_t kind_len, const char *name, size_t name_len, const char *key,
         size_t key_len, void *payload)
{
  struct report *r = payload;
  if (++r->n_tokens > WI_UI_MODEL_MAX_TOKENS)
    return;
  wi_autofree char *nm = wi_xstrndup(name, name_len);
  if (kind_len == 4 && memcmp(kind, "PROP", 4) == 0) {
    json_object_set_new(r->used, nm, json_true());
  } else if (kind_len == 6 && memcmp(kind, "SECRET", 6) == 0) {
    wi_autofree char *k = wi_xstrndup(key ? key : "", key_len);
    wi_autofree char *tok = wi_xasprintf("@@SECRET:%s:%s@@", nm, k);
    if (json_object_get(r->seen, tok))
      return;
    json_object_set_new(r->seen, tok, json_true());
    json_t *o = json_object();
    json_object_set_new(o, "name", wi_json_str(nm));
    json_object_set_new(o, "key", wi_json_str(k));
    json_object_set_new(o, "token", wi_json_str(tok));
    /* the operator fills this one from the Domain's WebLogic credentials secret */
    json_object_set_new(o, "builtin", json_boolean(strcmp(nm, "__weblogic-credentials__") == 0));
    json_array_append_new(r->secrets, o);
  } else if (kind_len == 3 && memcmp(kind, "ENV", 3) == 0) {
    wi_autofree char *tok = wi_xasprintf("@@ENV:%s@@", nm);
    if (json_object_get(r->seen, tok) == NULL) {
      json_object_set_new(r->seen, tok, json_true());
      json_array_append_new(r->env, wi_json_str(nm));
    }
  }
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
  wi_ui_model_tokens(text, len, on_token, r);
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

static void
cross_checks(struct report *r, const struct wi_ui_project *p)
{
  const char *key;
  json_t *v;
  json_object_foreach (r->used, key, v) {
    bool defined = json_object_get(r->defined, key) != NULL;
    json_t *o = json_object();
    json_object_set_new(o, "name", wi_json_str(key));
    json_object_set_new(o, "defined", json_boolean(defined));
    json_array_append_new(r->props, o);
    if (!defined) {
      wi_autofree char *msg = wi_xasprintf(
          "Variable Files: @@PROP:%s@@ is used in the model but no variable file defines it.", key);
      finding(r, false, "variable-files", msg);
    }
  }
  json_t *unused = json_array();
  json_object_foreach (r->defined, key, v) {
    if (json_object_get(r->used, key) == NULL) {
      json_array_append_new(unused, wi_json_str(key));
      wi_autofree char *msg =
          wi_xasprintf("Variable Files: %s is defined but no @@PROP:%s@@ uses it.", key, key);
      finding(r, false, "variable-files", msg);
    }
  }
  json_t *refs = r->refs;
  for (size_t i = 0; i < r->n_refs; i++) {
    bool found = in_archives(r, r->model_refs[i]);
    json_t *o = json_object();
    json_object_set_new(o, "path", wi_json_str(r->model_refs[i]));
    json_object_set_new(o, "found", json_boolean(found));
    json_array_append_new(refs, o);
    if (!found) {
      wi_autofree char *msg = wi_xasprintf(
          "Archive Files: the model names %s, but %s.", r->model_refs[i],
          p->archive_files.n ? "no archive holds it" : "the project has no archive file");
      finding(r, false, "archive-files", msg);
    }
  }
  json_decref(r->defined);
  r->defined = unused; /* handed to the report as "unusedVariables" */
}

int
wi_ui_model_report(const struct wi_ui_project *p, const char *project_file, char **json_out,
                   size_t *n_errors_out, wi_err *err)
{
  struct report r = { .files = json_array(),
                      .variables = json_array(),
                      .props = json_array(),
                      .secrets = json_array(),
                      .env = json_array(),
                      .refs = json_array(),
                      .findings = json_array(),
                      .defined = json_object(),
                      .used = json_object(),
                      .seen = json_object() };
  WI_UNUSED(err);
  if (p->model_files.n == 0)
    finding(&r, true, "model-files", "Model Files: at least one model file is needed.");
  for (size_t i = 0; i < p->model_files.n; i++)
    check_model_file(&r, project_file, i, p->model_files.v[i]);
  for (size_t i = 0; i < p->variable_files.n; i++)
    check_variable_file(&r, project_file, i, p->variable_files.v[i]);
  for (size_t i = 0; i < p->archive_files.n; i++)
    check_archive_file(&r, project_file, i, p->archive_files.v[i]);
  cross_checks(&r, p);
  if (r.n_tokens > WI_UI_MODEL_MAX_TOKENS)
    finding(&r, false, "model-files", "Model Files: more tokens than the page lists.");
  autojson json_t *o = json_object();
  json_object_set_new(o, "files", r.files);
  json_object_set_new(o, "variables", r.variables);
  json_object_set_new(o, "props", r.props);
  json_object_set_new(o, "unusedVariables", r.defined);
  json_object_set_new(o, "secrets", r.secrets);
  json_object_set_new(o, "env", r.env);
  json_object_set_new(o, "archiveRefs", r.refs);
  json_object_set_new(o, "findings", r.findings);
  json_decref(r.used);
  json_decref(r.seen);
  for (size_t i = 0; i < r.n_entries; i++)
    free(r.entries[i]);
  free(r.entries);
  wi_yaml_refs_free(r.model_refs, r.n_refs);
  *json_out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (n_errors_out)
    *n_errors_out = r.n_errors;
  return 0;
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
