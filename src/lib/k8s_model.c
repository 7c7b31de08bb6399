/* wlsimg: what a WDT model asks of the Domain that runs it: the @@PROP, @@ENV and @@SECRET macros
 * in its YAML, checked against the variables files, the environment and the secrets. See k8s.h. */
#include "lib/k8s.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/props.h"
#include "lib/str.h"

/* A model with more distinct macros than this is not a model someone wrote by hand. */
#define MAX_REFS 4096

/* Environment variables the operator sets in the introspector and server pods; a model may use
 * them without --env, and --env may not set them (the operator rejects such a Domain). */
static const char *const operator_env[] = {
  "DOMAIN_UID",
  "DOMAIN_NAME",
  "DOMAIN_HOME",
  "NODEMGR_HOME",
  "SERVER_NAME",
  "SERVICE_NAME",
  "ADMIN_NAME",
  "AS_SERVICE_NAME",
  "ADMIN_PORT",
  "ADMIN_PORT_SECURE",
  "ADMIN_SERVER_PORT_SECURE",
  "LOG_HOME",
  "SERVER_OUT_IN_POD_LOG",
  "DATA_HOME",
  "ACCESS_LOG_IN_LOG_HOME",
  "DYNAMIC_CONFIG_OVERRIDE",
};

bool
wi_k8s_model_operator_env(const char *name)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(operator_env); i++)
    if (strcmp(operator_env[i], name) == 0)
      return true;
  return false;
}

/* ---------------------------------------------------------------- scanning */

void
wi_k8s_model_refs_dispose(struct wi_k8s_model_refs *r)
{
  for (size_t i = 0; i < r->n; i++) {
    free(r->v[i].name);
    free(r->v[i].key);
    free(r->v[i].where);
  }
  free(r->v);
  memset(r, 0, sizeof *r);
}

static bool
same(const char *a, const char *b)
{
  return a == b || (a && b && strcmp(a, b) == 0);
}

/* Record one macro (the first place it appears is kept). */
static int
add_ref(struct wi_k8s_model_refs *r, enum wi_k8s_model_token kind, const char *name, size_t nlen,
        const char *key, size_t klen, const char *where, wi_err *err)
{
  wi_autofree char *n = wi_xstrndup(name, nlen);
  wi_autofree char *k = key ? wi_xstrndup(key, klen) : NULL;

  for (size_t i = 0; i < r->n; i++)
    if (r->v[i].kind == kind && same(r->v[i].name, n) && same(r->v[i].key, k))
      return 0;
  if (r->n >= MAX_REFS)
    return wi_err_set(err, WI_ETOOBIG, "%s: more than %d distinct @@ macros", where, MAX_REFS);
  r->v = wi_xreallocarray(r->v, r->n + 1, sizeof *r->v);
  r->v[r->n++] = (struct wi_k8s_model_ref){ kind, wi_steal(&n), wi_steal(&k), wi_xstrdup(where) };
  return 0;
}

/* WDT's name characters: [\w.-] (ASCII, as Jython's re without UNICODE). */
static bool
name_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

static size_t
name_len(const char *s, size_t n)
{
  size_t i = 0;
  while (i < n && name_char(s[i]))
    i++;
  return i;
}

static bool
starts(const char *s, size_t n, const char *prefix)
{
  size_t pl = strlen(prefix);
  return n >= pl && memcmp(s, prefix, pl) == 0;
}

/* "@@PROP:name@@" or "@@ENV:name@@" at s: its length (0 when it is not one), kind and name. */
static size_t
simple_token(const char *s, size_t n, enum wi_k8s_model_token *kind, const char **name,
             size_t *nlen)
{
  size_t pl;
  if (starts(s, n, "@@PROP:")) {
    *kind = WI_K8S_TOKEN_PROP;
    pl = 7;
  } else if (starts(s, n, "@@ENV:")) {
    *kind = WI_K8S_TOKEN_ENV;
    pl = 6;
  } else {
    return 0;
  }
  size_t l = name_len(s + pl, n - pl);
  if (l == 0 || !starts(s + pl + l, n - pl - l, "@@"))
    return 0;
  *name = s + pl;
  *nlen = l;
  return pl + l + 2;
}

/* One part of a secret macro (name or key): name characters and nested @@PROP/@@ENV macros, which
 * WDT substitutes first. Nested macros are recorded. Returns the part's length (0: none). */
static int
secret_part(struct wi_k8s_model_refs *r, const char *s, size_t n, const char *where, size_t *len,
            wi_err *err)
{
  size_t i = 0;
  while (i < n) {
    enum wi_k8s_model_token kind;
    const char *nm;
    size_t nl, tl = simple_token(s + i, n - i, &kind, &nm, &nl);
    if (tl > 0) {
      if (add_ref(r, kind, nm, nl, NULL, 0, where, err) < 0)
        return err->code;
      i += tl;
    } else if (name_char(s[i])) {
      i++;
    } else {
      break;
    }
  }
  *len = i;
  return 0;
}

static int
malformed(const char *s, size_t n, const char *where, const char *form, wi_err *err)
{
  size_t show = n < 60 ? n : 60;
  return wi_err_set(err, WI_EINVAL, "%s: malformed macro \"%.*s%s\" (expected %s)", where,
                    (int)show, s, show < n ? "…" : "", form);
}

/* The macros in one scalar of the model. */
static int
scan_scalar(struct wi_k8s_model_refs *r, const char *s, size_t n, const char *where, wi_err *err)
{
  for (size_t i = 0; i + 1 < n;) {
    const char *at = memmem(s + i, n - i, "@@", 2);
    if (at == NULL)
      break;
    i = (size_t)(at - s);
    const char *p = s + i;
    size_t rest = n - i;
    enum wi_k8s_model_token kind;
    const char *nm;
    size_t nl, tl = simple_token(p, rest, &kind, &nm, &nl);
    if (tl > 0) {
      if (add_ref(r, kind, nm, nl, NULL, 0, where, err) < 0)
        return err->code;
      i += tl;
    } else if (starts(p, rest, "@@SECRET:")) {
      size_t nlen = 0, klen = 0, j = 9;
      if (secret_part(r, p + j, rest - j, where, &nlen, err) < 0)
        return err->code;
      const char *sname = p + j;
      j += nlen;
      if (nlen == 0 || j >= rest || p[j] != ':')
        return malformed(p, rest, where, "@@SECRET:<name>:<key>@@", err);
      j++;
      if (secret_part(r, p + j, rest - j, where, &klen, err) < 0)
        return err->code;
      const char *skey = p + j;
      j += klen;
      if (klen == 0 || !starts(p + j, rest - j, "@@"))
        return malformed(p, rest, where, "@@SECRET:<name>:<key>@@", err);
      if (add_ref(r, WI_K8S_TOKEN_SECRET, sname, nlen, skey, klen, where, err) < 0)
        return err->code;
      i += j + 2;
    } else if (starts(p, rest, "@@PROP:") || starts(p, rest, "@@ENV:")) {
      /* WDT leaves it unsubstituted and then fails on the "@@PROP:" that remains */
      return malformed(p, rest, where,
                       starts(p, rest, "@@ENV:") ? "@@ENV:<name>@@" : "@@PROP:<name>@@", err);
    } else {
      /* @@FILE:…@@ (its nested macros are found as the scan goes on), @@PWD@@ and other path
       * tokens, or just two @ signs */
      i += 2;
    }
  }
  return 0;
}

int
wi_k8s_model_scan(struct wi_k8s_model_refs *r, const char *name, const void *data, size_t len,
                  wi_err *err)
{
  yaml_parser_t parser;
  yaml_event_t ev;
  int ret = 0;

  if (!yaml_parser_initialize(&parser))
    return wi_err_set(err, WI_ERR, "%s: cannot initialise the YAML parser", name);
  yaml_parser_set_input_string(&parser, data, len);
  /* Only scalars (keys and values) are substituted by WDT: a macro in a comment is not one. */
  while (ret == 0) {
    if (!yaml_parser_parse(&parser, &ev)) {
      const yaml_mark_t *m = parser.problem_mark.line || parser.problem_mark.column
                                 ? &parser.problem_mark
                                 : &parser.context_mark;
      ret =
          wi_err_set(err, WI_EINVAL, "%s: line %zu, column %zu: invalid YAML: %s", name,
                     m->line + 1, m->column + 1, parser.problem ? parser.problem : "syntax error");
      break;
    }
    yaml_event_type_t t = ev.type;
    if (t == YAML_SCALAR_EVENT && memmem(ev.data.scalar.value, ev.data.scalar.length, "@@", 2)) {
      wi_autofree char *where = wi_xasprintf("%s:%zu", name, ev.start_mark.line + 1);
      ret = scan_scalar(r, (const char *)ev.data.scalar.value, ev.data.scalar.length, where, err);
    }
    yaml_event_delete(&ev);
    if (t == YAML_STREAM_END_EVENT)
      break;
  }
  yaml_parser_delete(&parser);
  return ret;
}

int
wi_k8s_model_scan_file(struct wi_k8s_model_refs *r, const char *path, wi_err *err)
{
  wi_autofree char *data = NULL;
  size_t len = 0;

  if (wi_fs_read_file(path, WI_K8S_MAX_MODEL_FILE, &data, &len, err) < 0)
    return err->code;
  return wi_k8s_model_scan(r, path, data, len, err);
}

int
wi_k8s_model_read_vars(struct wi_props *vars, const char *name, const char *text, size_t len,
                       wi_err *err)
{
  struct wi_props p = { 0 };

  if (wi_props_parse(&p, text, len, err) < 0)
    return wi_err_wrap(err, "%s", name);
  /* Later files win, as WDT merges its variable files. */
  for (size_t i = 0; i < p.n; i++)
    wi_props_set(vars, p.v[i].key, p.v[i].value);
  wi_props_dispose(&p);
  return 0;
}

int
wi_k8s_model_read_vars_file(struct wi_props *vars, const char *path, wi_err *err)
{
  wi_autofree char *data = NULL;
  size_t len = 0;

  if (wi_fs_read_file(path, WI_MAX_PROPS_BYTES, &data, &len, err) < 0)
    return err->code;
  return wi_k8s_model_read_vars(vars, path, data, len, err);
}

/* ---------------------------------------------------------------- checks */

/* The macros of one kind that ok() refuses, as "@@KIND:name@@ (where)" items, comma-separated, at
 * most 10 shown; *first is the first one's name. Returns how many there are. */
static size_t
refused(const struct wi_k8s_model_refs *r, enum wi_k8s_model_token kind,
        bool (*ok)(const char *name, const void *payload), const void *payload, struct wi_buf *b,
        const char **first)
{
  size_t count = 0;

  for (size_t i = 0; i < r->n; i++) {
    const struct wi_k8s_model_ref *ref = &r->v[i];
    if (ref->kind != kind || ok(ref->name, payload))
      continue;
    if (count < 10)
      wi_buf_addf(b, NULL, "%s@@%s:%s@@ (%s)", count ? ", " : "",
                  kind == WI_K8S_TOKEN_PROP ? "PROP" : "ENV", ref->name, ref->where);
    else if (count == 10)
      wi_buf_adds(b, ", …", NULL);
    *first = count ? *first : ref->name;
    count++;
  }
  return count;
}

static bool
prop_defined(const char *name, const void *vars)
{
  return wi_props_get(vars, name) != NULL;
}

int
wi_k8s_model_check_props(const struct wi_k8s_model_refs *r, const struct wi_props *vars,
                         const char *vars_what, wi_err *err)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  const char *first = NULL;
  size_t missing = refused(r, WI_K8S_TOKEN_PROP, prop_defined, vars, &b, &first);
  int ret = 0;

  if (missing == 1)
    ret = wi_err_set(err, WI_EINVAL,
                     "%s: the variable %s is not defined in %s (WDT fails with WLSDPLY-01732)",
                     wi_buf_cstr(&b), first, vars_what);
  else if (missing > 1)
    ret = wi_err_set(err, WI_EINVAL,
                     "%zu variables used by the model are not defined in %s (WDT fails with "
                     "WLSDPLY-01732): %s",
                     missing, vars_what, wi_buf_cstr(&b));
  wi_buf_dispose(&b);
  return ret;
}

static const char *
env_value(const struct wi_k8s_kv *env, size_t n_env, const char *name)
{
  for (size_t i = 0; i < n_env; i++)
    if (strcmp(env[i].key, name) == 0)
      return env[i].value;
  return NULL;
}

/* A secret macro's name or key with its nested macros replaced, as WDT does before it looks the
 * secret up. The operator's DOMAIN_UID and DOMAIN_HOME are known; other operator variables are
 * known only inside the pod. */
static char *
resolve(const char *raw, const struct wi_k8s_model_ctx *c, const char *where, wi_err *err)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  size_t n = strlen(raw);

  for (size_t i = 0; i < n;) {
    enum wi_k8s_model_token kind;
    const char *nm;
    size_t nl, tl = simple_token(raw + i, n - i, &kind, &nm, &nl);
    if (tl == 0) {
      wi_buf_add(&b, raw + i, 1, NULL);
      i++;
      continue;
    }
    wi_autofree char *name = wi_xstrndup(nm, nl);
    wi_autofree char *home = wi_xasprintf("/u01/domains/%s", c->uid);
    const char *v = NULL;
    if (kind == WI_K8S_TOKEN_PROP)
      v = wi_props_get(c->vars, name);
    else if (strcmp(name, "DOMAIN_UID") == 0)
      v = c->uid;
    else if (strcmp(name, "DOMAIN_HOME") == 0)
      v = home;
    else
      v = env_value(c->env, c->n_env, name);
    if (v == NULL) {
      wi_buf_dispose(&b);
      wi_err_set(err, WI_EINVAL,
                 "%s: the secret macro part \"%s\" uses %s, whose value is not known before the "
                 "pod starts; name the secret without it",
                 where, raw, kind == WI_K8S_TOKEN_PROP ? "an undefined variable" : name);
      return NULL;
    }
    wi_buf_adds(&b, v, NULL);
    i += tl;
  }
  return wi_buf_steal(&b);
}

void
wi_k8s_model_secrets_dispose(struct wi_k8s_model_secrets *s)
{
  for (size_t i = 0; i < s->n; i++) {
    free(s->v[i].name);
    free(s->v[i].where);
    for (size_t k = 0; k < s->v[i].n_keys; k++)
      free(s->v[i].keys[k]);
    free(s->v[i].keys);
  }
  free(s->v);
  memset(s, 0, sizeof *s);
}

static struct wi_k8s_model_secret *
secret_entry(struct wi_k8s_model_secrets *s, const char *name, const char *where)
{
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->v[i].name, name) == 0)
      return &s->v[i];
  s->v = wi_xreallocarray(s->v, s->n + 1, sizeof *s->v);
  struct wi_k8s_model_secret *e = &s->v[s->n++];
  memset(e, 0, sizeof *e);
  e->name = wi_xstrdup(name);
  e->where = wi_xstrdup(where);
  return e;
}

static void
secret_add_key(struct wi_k8s_model_secret *e, const char *key)
{
  for (size_t k = 0; k < e->n_keys; k++)
    if (strcmp(e->keys[k], key) == 0)
      return;
  e->keys = wi_xreallocarray(e->keys, e->n_keys + 1, sizeof *e->keys);
  e->keys[e->n_keys++] = wi_xstrdup(key);
}

static bool
env_set(const char *name, const void *payload)
{
  const struct wi_k8s_model_ctx *c = payload;
  return wi_k8s_model_operator_env(name) || env_value(c->env, c->n_env, name) != NULL;
}

/* Every @@ENV:X@@ must be set by the operator or by serverPod.env. */
static int
check_env(const struct wi_k8s_model_refs *r, const struct wi_k8s_model_ctx *c, wi_err *err)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  const char *first = NULL;
  size_t missing = refused(r, WI_K8S_TOKEN_ENV, env_set, c, &b, &first);
  int ret = 0;

  if (missing == 1)
    ret = wi_err_set(err, WI_EINVAL,
                     "%s: the operator does not set %s; give --env %s=VALUE (serverPod.env)",
                     wi_buf_cstr(&b), first, first);
  else if (missing > 1)
    ret = wi_err_set(err, WI_EINVAL,
                     "%zu environment variables used by the model are not set by the operator; "
                     "give --env NAME=VALUE for each (serverPod.env): %s",
                     missing, wi_buf_cstr(&b));
  wi_buf_dispose(&b);
  return ret;
}

int
wi_k8s_model_domain_needs(struct wi_k8s_model_secrets *out, const struct wi_k8s_model_refs *r,
                          const struct wi_k8s_model_ctx *c, wi_err *err)
{
  int ret = 0;

  memset(out, 0, sizeof *out);
  if (wi_k8s_model_check_props(r, c->vars, c->vars_what, err) < 0 || check_env(r, c, err) < 0)
    return err->code;
  for (size_t i = 0; i < r->n && ret == 0; i++) {
    const struct wi_k8s_model_ref *ref = &r->v[i];
    if (ref->kind != WI_K8S_TOKEN_SECRET)
      continue;
    wi_autofree char *name = resolve(ref->name, c, ref->where, err);
    wi_autofree char *key = name ? resolve(ref->key, c, ref->where, err) : NULL;
    if (key == NULL) {
      ret = err->code;
    } else if (strcmp(name, WI_K8S_CREDENTIALS_MACRO) == 0) {
      /* webLogicCredentialsSecret, which has exactly these two keys */
      if (strcmp(key, "username") != 0 && strcmp(key, "password") != 0)
        ret = wi_err_set(err, WI_EINVAL,
                         "%s: @@SECRET:%s:%s@@: the WebLogic credentials secret has only the keys "
                         "username and password",
                         ref->where, name, key);
    } else if (wi_k8s_validate_subdomain("secret name", name, err) < 0 ||
               wi_k8s_validate_secret_key("secret key", key, err) < 0) {
      ret = wi_err_wrap(err, "%s: @@SECRET:%s:%s@@", ref->where, ref->name, ref->key);
    } else {
      secret_add_key(secret_entry(out, name, ref->where), key);
    }
  }
  if (ret < 0)
    wi_k8s_model_secrets_dispose(out);
  return ret;
}

static int
cmp_files(const void *a, const void *b)
{
  const struct wi_k8s_model_file *const *x = a, *const *y = b;
  return strcmp((*x)->name, (*y)->name);
}

/* The images' variables files, in name order (the operator sorts them before it joins them). */
static int
image_vars(struct wi_props *vars, struct wi_buf *what, const struct wi_k8s_model_sources *src,
           wi_err *err)
{
  const struct wi_k8s_model_file **v = wi_xcalloc(src->n_image_files + 1, sizeof *v);
  size_t n = 0;
  int ret = 0;

  for (size_t i = 0; i < src->n_image_files; i++)
    if (wi_str_has_suffix(src->image_files[i].name, ".properties"))
      v[n++] = &src->image_files[i];
  qsort(v, n, sizeof *v, cmp_files);
  for (size_t i = 0; i < n && ret == 0; i++) {
    wi_buf_addf(what, NULL, "%s%s", i ? ", " : "", v[i]->name);
    ret = wi_k8s_model_read_vars(vars, v[i]->name, v[i]->data, v[i]->len, err);
  }
  free(v);
  return ret;
}

int
wi_k8s_model_check_domain(struct wi_k8s_model_secrets *needs, bool *checked_out,
                          const struct wi_k8s_model_sources *src, const char *uid,
                          const struct wi_k8s_kv *env, size_t n_env, wi_err *err)
{
  struct wi_k8s_model_refs refs = { 0 };
  struct wi_props vars = { 0 };
  struct wi_buf what = WI_BUF_INIT(WI_BUF_NO_CAP);
  int ret = 0;

  memset(needs, 0, sizeof *needs);
  *checked_out = src->n_model_files > 0 || src->image_files_valid;
  if (!*checked_out)
    return 0;
  for (size_t i = 0; i < src->n_model_files && ret == 0; i++)
    ret = wi_k8s_model_scan_file(&refs, src->model_files[i], err);
  for (size_t i = 0; src->n_model_files == 0 && i < src->n_image_files && ret == 0; i++) {
    const struct wi_k8s_model_file *f = &src->image_files[i];
    if (!wi_str_has_suffix(f->name, ".properties"))
      ret = wi_k8s_model_scan(&refs, f->name, f->data, f->len, err);
  }
  for (size_t i = 0; i < src->n_vars_files && ret == 0; i++) {
    wi_buf_addf(&what, NULL, "%s%s", i ? ", " : "", src->vars_files[i]);
    ret = wi_k8s_model_read_vars_file(&vars, src->vars_files[i], err);
  }
  if (ret == 0 && src->n_vars_files == 0 && src->image_files_valid)
    ret = image_vars(&vars, &what, src, err);
  if (ret == 0) {
    struct wi_k8s_model_ctx c = { .uid = uid,
                                  .vars = &vars,
                                  .vars_what = what.len ? wi_buf_cstr(&what)
                                                        : "any variables file (none was given)",
                                  .env = env,
                                  .n_env = n_env };
    ret = wi_k8s_model_domain_needs(needs, &refs, &c, err);
  }
  wi_buf_dispose(&what);
  wi_props_dispose(&vars);
  wi_k8s_model_refs_dispose(&refs);
  return ret;
}
