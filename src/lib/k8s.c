/* wlsimg: Kubernetes objects, patches and kubectl (see k8s.h). */
#include "lib/k8s.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/buf.h"
#include "lib/creds.h"
#include "lib/str.h"

#define MAX_RENDER_BYTES (64u * 1024 * 1024)

/* ---------------------------------------------------------------- validation */

static const char subdomain_rule[] =
    "must be a lowercase RFC 1123 subdomain: lower case alphanumeric characters, '-' or '.', "
    "starting and ending with an alphanumeric character, at most 253 characters (e.g. 'example.com')";
static const char label_rule[] =
    "must be a lowercase RFC 1123 label: lower case alphanumeric characters or '-', starting and "
    "ending with an alphanumeric character, at most 63 characters (e.g. 'my-name')";

static bool
is_lower_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One DNS-1123 label of len bytes. */
static bool
label_ok(const char *s, size_t len)
{
  if (len == 0 || len > 63 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[len - 1]))
    return false;
  for (size_t i = 0; i < len; i++)
    if (!is_lower_alnum(s[i]) && s[i] != '-')
      return false;
  return true;
}

int
wi_k8s_check_subdomain(const char *what, const char *s, wi_err *err)
{
  size_t len = s ? strlen(s) : 0;
  bool ok = len > 0 && len <= 253;

  for (const char *p = s; ok && p;) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    ok = label_ok(p, n);
    p = dot ? dot + 1 : NULL;
  }
  if (!ok)
    return wi_err_set(err, WI_EINVAL, "invalid %s \"%s\": %s", what, s ? s : "", subdomain_rule);
  return 0;
}

int
wi_k8s_check_label(const char *what, const char *s, wi_err *err)
{
  if (s == NULL || !label_ok(s, strlen(s)))
    return wi_err_set(err, WI_EINVAL, "invalid %s \"%s\": %s", what, s ? s : "", label_rule);
  return 0;
}

static bool
is_alnum(char c)
{
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

int
wi_k8s_check_label_value(const char *what, const char *s, wi_err *err)
{
  size_t len = strlen(s);
  bool ok = len <= 63 && (len == 0 || (is_alnum(s[0]) && is_alnum(s[len - 1])));

  for (size_t i = 0; ok && i < len; i++)
    ok = is_alnum(s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.';
  if (!ok)
    return wi_err_set(err, WI_EINVAL,
                      "invalid %s \"%s\": a label value has at most 63 characters: alphanumerics, "
                      "'-', '_' or '.', starting and ending with an alphanumeric character",
                      what, s);
  return 0;
}

int
wi_k8s_check_secret_key(const char *what, const char *s, wi_err *err)
{
  size_t len = strlen(s);
  bool ok = len > 0 && len <= 253 && strcmp(s, ".") != 0 && strncmp(s, "..", 2) != 0;

  for (size_t i = 0; ok && i < len; i++)
    ok = is_alnum(s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.';
  if (!ok)
    return wi_err_set(err, WI_EINVAL,
                      "invalid %s \"%s\": a secret key consists of alphanumeric characters, '-', "
                      "'_' or '.' (at most 253, not '.' or starting with '..')",
                      what, s);
  return 0;
}

int
wi_k8s_check_domain_uid(const char *s, wi_err *err)
{
  if (wi_k8s_check_subdomain("domain UID", s, err) < 0)
    return err->code;
  if (strlen(s) > 63)
    return wi_err_set(err, WI_EINVAL,
                      "invalid domain UID \"%s\": at most 63 characters (it is the value of the "
                      "weblogic.domainUID label)",
                      s);
  return 0;
}

int
wi_k8s_parse_format(const char *s, enum wi_k8s_format *out, wi_err *err)
{
  if (s == NULL || strcmp(s, "yaml") == 0)
    *out = WI_K8S_YAML;
  else if (strcmp(s, "json") == 0)
    *out = WI_K8S_JSON;
  else
    return wi_err_set(err, WI_EUSAGE, "unknown output format \"%s\" (expected yaml or json)", s);
  return 0;
}

const char *
wi_k8s_pull_policy(const char *image)
{
  /* The operator compares the string: a reference without a tag is not ":latest". */
  return wi_str_has_suffix(image, ":latest") ? "Always" : "IfNotPresent";
}

/* ---------------------------------------------------------------- Go JSON strings */

static void
go_json_quote_into(struct wi_buf *b, const char *str, size_t n)
{
  static const char hex[] = "0123456789abcdef";
  const unsigned char *s = (const unsigned char *)str;

  wi_buf_add(b, "\"", 1, NULL);
  for (size_t i = 0; i < n;) {
    unsigned char c = s[i];
    uint32_t cp = 0;
    if (c >= 0x80) {
      size_t len = wi_str_utf8_decode(s + i, n - i, &cp);
      if (len == 0) { /* Go replaces each invalid byte with U+FFFD */
        wi_buf_adds(b, "\\ufffd", NULL);
        i++;
      } else if (cp == 0x2028 || cp == 0x2029) {
        wi_buf_addf(b, NULL, "\\u%04x", (unsigned)cp);
        i += len;
      } else {
        wi_buf_add(b, s + i, len, NULL);
        i += len;
      }
      continue;
    }
    i++;
    switch (c) {
    case '"':
    case '\\': {
      char e[2] = { '\\', (char)c };
      wi_buf_add(b, e, 2, NULL);
      break;
    }
    case '\b':
      wi_buf_adds(b, "\\b", NULL);
      break;
    case '\f':
      wi_buf_adds(b, "\\f", NULL);
      break;
    case '\n':
      wi_buf_adds(b, "\\n", NULL);
      break;
    case '\r':
      wi_buf_adds(b, "\\r", NULL);
      break;
    case '\t':
      wi_buf_adds(b, "\\t", NULL);
      break;
    default:
      if (c < 0x20 || c == '<' || c == '>' || c == '&') {
        char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
        wi_buf_add(b, e, 6, NULL);
      } else {
        wi_buf_add(b, &c, 1, NULL);
      }
    }
  }
  wi_buf_add(b, "\"", 1, NULL);
}

char *
wi_k8s_go_json_quote(const char *s, size_t len)
{
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX);

  go_json_quote_into(&b, s, len);
  return wi_buf_steal(&b);
}

/* ---------------------------------------------------------------- go-yaml v2 resolution */

/* Go strconv.ParseUint/ParseInt digits after the base prefix: all valid, at least one, fits. */
static bool
go_parse_digits(const char *s, int base, uint64_t limit)
{
  uint64_t v = 0;

  if (*s == '\0')
    return false;
  for (; *s; s++) {
    int d;
    if (*s >= '0' && *s <= '9')
      d = *s - '0';
    else if (*s >= 'a' && *s <= 'z')
      d = *s - 'a' + 10;
    else if (*s >= 'A' && *s <= 'Z')
      d = *s - 'A' + 10;
    else
      return false;
    if (d >= base)
      return false;
    if (v > (limit - (uint64_t)d) / (uint64_t)base)
      return false;
    v = v * (uint64_t)base + (uint64_t)d;
  }
  return true;
}

/* strconv.ParseInt(s, 0, 64) / ParseUint(s, 0, 64) succeed? (underscores already removed) */
static bool
go_parse_int(const char *s, bool is_signed)
{
  uint64_t limit = UINT64_MAX;
  int base = 10;

  if (is_signed) {
    limit = INT64_MAX;
    if (*s == '+' || *s == '-') {
      if (*s == '-')
        limit = (uint64_t)INT64_MAX + 1;
      s++;
    }
  }
  if (s[0] == '0' && s[1] != '\0') {
    char p = (char)(s[1] | 0x20);
    base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 8;
    s += base == 8 && p != 'o' ? 1 : 2;
  }
  return go_parse_digits(s, base, limit);
}

/* Number of decimal digits at *s; *s is moved past them. */
static size_t
skip_digits(const char **s)
{
  size_t n = 0;
  while (isdigit((unsigned char)(*s)[n]))
    n++;
  *s += n;
  return n;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool
yaml_style_float(const char *s)
{
  if (*s == '+' || *s == '-')
    s++;
  if (*s == '.') {
    s++;
    if (skip_digits(&s) == 0)
      return false;
  } else {
    if (skip_digits(&s) == 0)
      return false;
    if (*s == '.') {
      s++;
      while (isdigit((unsigned char)*s))
        s++;
    }
  }
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-')
      s++;
    if (skip_digits(&s) == 0)
      return false;
  }
  return *s == '\0';
}

/* strconv.ParseFloat succeeds on a string yaml_style_float accepted: fails only on overflow. */
static bool
go_float_in_range(const char *s)
{
  errno = 0;
  double d = strtod(s, NULL);
  return !(errno == ERANGE && isinf(d));
}

static bool
leap_year(int y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* go-yaml's timestamp form "2006-1-2" (time.Parse checks the day of the month). Forms with a
 * time part need ':' and do not occur in names, images or base64. */
static bool
yaml_date(const char *s)
{
  static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int y = 0, m = 0, d = 0, k;

  for (k = 0; k < 4; k++) {
    if (!isdigit((unsigned char)s[k]))
      return false;
    y = y * 10 + s[k] - '0';
  }
  s += 4;
  if (*s++ != '-')
    return false;
  for (k = 0; k < 2 && isdigit((unsigned char)*s); k++)
    m = m * 10 + *s++ - '0';
  if (k == 0 || *s++ != '-')
    return false;
  for (k = 0; k < 2 && isdigit((unsigned char)*s); k++)
    d = d * 10 + *s++ - '0';
  if (k == 0 || *s != '\0' || m < 1 || m > 12 || d < 1)
    return false;
  return d <= mdays[m - 1] + (m == 2 && leap_year(y));
}

bool
wi_k8s_yaml_resolves_non_string(const char *s)
{
  static const char *const special[] = {
    "",      "~",    "null", "Null",  "NULL",  "y",     "Y",     "yes",   "Yes",   "YES",
    "n",     "N",    "no",   "No",    "NO",    "true",  "True",  "TRUE",  "false", "False",
    "FALSE", "on",   "On",   "ON",    "off",   "Off",   "OFF",   ".nan",  ".NaN",  ".NAN",
    ".inf",  ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
  };
  char c = s[0];

  for (size_t i = 0; i < WI_ARRAY_SIZE(special); i++)
    if (strcmp(s, special[i]) == 0)
      return true;
  if (c == '.')
    return yaml_style_float(s) && go_float_in_range(s);
  if (!(c == '+' || c == '-' || (c >= '0' && c <= '9')))
    return false;
  if (yaml_date(s))
    return true;
  /* go-yaml drops '_' before trying the numeric forms */
  wi_autofree char *plain = wi_xmalloc(strlen(s) + 1);
  size_t n = 0;
  for (const char *p = s; *p; p++)
    if (*p != '_')
      plain[n++] = *p;
  plain[n] = '\0';
  if (go_parse_int(plain, true) || go_parse_int(plain, false))
    return true;
  if (yaml_style_float(plain) && go_float_in_range(plain))
    return true;
  if (strncmp(plain, "0b", 2) == 0)
    return go_parse_digits(plain + 2, 2, INT64_MAX);
  if (strncmp(plain, "-0b", 3) == 0)
    return go_parse_digits(plain + 3, 2, (uint64_t)INT64_MAX + 1);
  return false;
}

int
wi_k8s_yaml_key_cmp(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);

  for (size_t i = 0; i < la && i < lb; i++) {
    if (a[i] == b[i])
      continue;
    bool al = isalpha((unsigned char)a[i]), bl = isalpha((unsigned char)b[i]);
    if (al && bl)
      return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
    if (al || bl)
      return bl ? -1 : 1;
    /* Digit runs compare as numbers (go-yaml keyList.Less). */
    int64_t an = 0, bn = 0;
    size_t ai, bi;
    if (a[i] == '0' || b[i] == '0') {
      for (size_t j = i; j-- > 0 && isdigit((unsigned char)a[j]);) {
        if (a[j] != '0') {
          an = bn = 1;
          break;
        }
      }
    }
    for (ai = i; ai < la && isdigit((unsigned char)a[ai]); ai++)
      an = an * 10 + (a[ai] - '0');
    for (bi = i; bi < lb && isdigit((unsigned char)b[bi]); bi++)
      bn = bn * 10 + (b[bi] - '0');
    if (an != bn)
      return an < bn ? -1 : 1;
    if (ai != bi)
      return ai < bi ? -1 : 1;
    return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
  }
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/* ---------------------------------------------------------------- object tree */

enum node_kind { N_MAP, N_SEQ, N_STR, N_INT, N_NULL };

struct node {
  enum node_kind kind;
  char *s;     /* N_STR */
  long long i; /* N_INT */
  size_t n;    /* N_MAP, N_SEQ */
  char **keys; /* N_MAP */
  struct node **v;
};

struct wi_k8s_obj {
  struct node *root;
  bool sort_yaml; /* kubectl-made objects: keys sorted in YAML */
};

static struct node *
node_new(enum node_kind k)
{
  struct node *n = wi_xcalloc(1, sizeof *n);
  n->kind = k;
  return n;
}

static void
node_free(struct node *n)
{
  if (n == NULL)
    return;
  wi_alloc_secret_free(n->s);
  for (size_t i = 0; i < n->n; i++) {
    if (n->keys)
      free(n->keys[i]);
    node_free(n->v[i]);
  }
  free(n->keys);
  free(n->v);
  free(n);
}

static struct node *
str_node(const char *s)
{
  struct node *n = node_new(N_STR);
  n->s = wi_xstrdup(s);
  return n;
}

/* Append key → child to a map; returns child. */
static struct node *
map_put(struct node *m, const char *key, struct node *child)
{
  m->keys = wi_xreallocarray(m->keys, m->n + 1, sizeof *m->keys);
  m->v = wi_xreallocarray(m->v, m->n + 1, sizeof *m->v);
  m->keys[m->n] = wi_xstrdup(key);
  m->v[m->n++] = child;
  return child;
}

static void
map_str(struct node *m, const char *key, const char *value)
{
  map_put(m, key, str_node(value));
}

static struct node *
map_map(struct node *m, const char *key)
{
  return map_put(m, key, node_new(N_MAP));
}

static struct node *
seq_add(struct node *s, struct node *child)
{
  s->v = wi_xreallocarray(s->v, s->n + 1, sizeof *s->v);
  s->v[s->n++] = child;
  return child;
}

static struct wi_k8s_obj *
obj_new(struct node *root, bool sort_yaml)
{
  struct wi_k8s_obj *o = wi_xcalloc(1, sizeof *o);
  o->root = root;
  o->sort_yaml = sort_yaml;
  return o;
}

void
wi_k8s_obj_free(struct wi_k8s_obj *o)
{
  if (o == NULL)
    return;
  node_free(o->root);
  free(o);
}

/* ---------------------------------------------------------------- JSON rendering (Go style) */

static void
json_indent(struct wi_buf *b, int indent, int level)
{
  if (indent == 0)
    return;
  wi_buf_add(b, "\n", 1, NULL);
  for (int i = 0; i < indent * level; i++)
    wi_buf_add(b, " ", 1, NULL);
}

static void
json_write(struct wi_buf *b, const struct node *n, int indent, int level)
{
  switch (n->kind) {
  case N_STR:
    go_json_quote_into(b, n->s, strlen(n->s));
    return;
  case N_INT:
    wi_buf_addf(b, NULL, "%lld", n->i);
    return;
  case N_NULL:
    wi_buf_adds(b, "null", NULL);
    return;
  case N_MAP:
  case N_SEQ:
    break;
  }
  bool map = n->kind == N_MAP;
  wi_buf_adds(b, map ? "{" : "[", NULL);
  for (size_t i = 0; i < n->n; i++) {
    if (i > 0)
      wi_buf_adds(b, ",", NULL);
    json_indent(b, indent, level + 1);
    if (map) {
      go_json_quote_into(b, n->keys[i], strlen(n->keys[i]));
      wi_buf_adds(b, indent ? ": " : ":", NULL);
    }
    json_write(b, n->v[i], indent, level + 1);
  }
  if (n->n > 0)
    json_indent(b, indent, level);
  wi_buf_adds(b, map ? "}" : "]", NULL);
}

/* Compact JSON of a tree (no trailing newline). */
static char *
json_compact(const struct node *n)
{
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX);

  json_write(&b, n, 0, 0);
  return wi_buf_steal(&b);
}

/* ---------------------------------------------------------------- YAML rendering (libyaml) */

static int
yaml_out(void *data, unsigned char *buffer, size_t size)
{
  struct wi_buf *b = data;
  return wi_buf_add(b, buffer, size, NULL) == 0;
}

static int
yaml_scalar(yaml_emitter_t *e, const char *s)
{
  yaml_event_t ev;
  yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;

  if (strchr(s, '\n'))
    style = YAML_LITERAL_SCALAR_STYLE;
  else if (wi_k8s_yaml_resolves_non_string(s))
    style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
  /* libyaml falls back to single quotes when a plain scalar is not allowed, as go-yaml does. */
  if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s, (int)strlen(s), 1, 1,
                                    style))
    return 0;
  return yaml_emitter_emit(e, &ev);
}

static int
yaml_plain(yaml_emitter_t *e, const char *s)
{
  yaml_event_t ev;

  if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s, (int)strlen(s), 1, 1,
                                    YAML_PLAIN_SCALAR_STYLE))
    return 0;
  return yaml_emitter_emit(e, &ev);
}

struct sort_item {
  const char *key;
  size_t idx;
};

static int
sort_item_cmp(const void *a, const void *b)
{
  const struct sort_item *x = a, *y = b;
  return wi_k8s_yaml_key_cmp(x->key, y->key);
}

static int
yaml_node(yaml_emitter_t *e, const struct node *n, bool sorted)
{
  yaml_event_t ev;
  char num[32];

  switch (n->kind) {
  case N_STR:
    return yaml_scalar(e, n->s);
  case N_INT:
    snprintf(num, sizeof num, "%lld", n->i);
    return yaml_plain(e, num);
  case N_NULL:
    return yaml_plain(e, "null");
  case N_SEQ:
    if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE) ||
        !yaml_emitter_emit(e, &ev))
      return 0;
    for (size_t i = 0; i < n->n; i++)
      if (!yaml_node(e, n->v[i], sorted))
        return 0;
    return yaml_sequence_end_event_initialize(&ev) && yaml_emitter_emit(e, &ev);
  case N_MAP:
    break;
  }
  if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) ||
      !yaml_emitter_emit(e, &ev))
    return 0;
  struct sort_item *items = wi_xcalloc(n->n + 1, sizeof *items);
  for (size_t i = 0; i < n->n; i++)
    items[i] = (struct sort_item){ n->keys[i], i };
  if (sorted)
    qsort(items, n->n, sizeof *items, sort_item_cmp);
  int ok = 1;
  for (size_t i = 0; ok && i < n->n; i++)
    ok = yaml_scalar(e, items[i].key) && yaml_node(e, n->v[items[i].idx], sorted);
  free(items);
  return ok && yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(e, &ev);
}

static int
yaml_document(struct wi_buf *b, const struct wi_k8s_obj *o, wi_err *err)
{
  yaml_emitter_t e;
  yaml_event_t ev;
  int ok;

  if (!yaml_emitter_initialize(&e))
    return wi_err_set(err, WI_ERR, "YAML emitter: out of memory");
  yaml_emitter_set_output(&e, yaml_out, b);
  yaml_emitter_set_unicode(&e, 1);
  ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) && yaml_emitter_emit(&e, &ev) &&
       yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
       yaml_emitter_emit(&e, &ev) && yaml_node(&e, o->root, o->sort_yaml) &&
       yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&e, &ev) &&
       yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev) &&
       yaml_emitter_flush(&e);
  int ret = 0;
  if (!ok)
    ret = wi_err_set(err, WI_EINVAL, "YAML emitter: %s", e.problem ? e.problem : "failed");
  yaml_emitter_delete(&e);
  return ret;
}

char *
wi_k8s_render(struct wi_k8s_obj *const *objs, size_t n, enum wi_k8s_format fmt, size_t *len_out,
              wi_err *err)
{
  struct wi_buf b = WI_BUF_INIT(MAX_RENDER_BYTES);

  if (fmt == WI_K8S_JSON) {
    if (n == 1) {
      json_write(&b, objs[0]->root, 4, 0);
    } else {
      /* kubectl apply -f - takes a v1 List for several objects. The items are borrowed. */
      struct node *list = node_new(N_MAP);
      map_str(list, "apiVersion", "v1");
      map_str(list, "kind", "List");
      struct node *items = map_put(list, "items", node_new(N_SEQ));
      for (size_t i = 0; i < n; i++)
        seq_add(items, objs[i]->root);
      json_write(&b, list, 4, 0);
      items->n = 0;
      node_free(list);
    }
    wi_buf_add(&b, "\n", 1, NULL);
  } else {
    for (size_t i = 0; i < n; i++) {
      if (i > 0 && wi_buf_adds(&b, "---\n", err) < 0)
        break;
      if (yaml_document(&b, objs[i], err) < 0) {
        wi_buf_dispose_secret(&b);
        return NULL;
      }
    }
  }
  if (b.len >= MAX_RENDER_BYTES - 1) {
    wi_buf_dispose_secret(&b);
    wi_err_set(err, WI_ETOOBIG, "rendered objects exceed %u bytes", MAX_RENDER_BYTES);
    return NULL;
  }
  if (len_out)
    *len_out = b.len;
  return wi_buf_steal(&b);
}

/* ---------------------------------------------------------------- secrets */

char *
wi_k8s_dockerconfigjson(const char *server, const char *username, const char *password,
                        const char *email)
{
  struct node *root = node_new(N_MAP);
  struct node *entry = map_map(map_map(root, "auths"), server ? server : WI_K8S_DOCKERHUB_SERVER);
  wi_autofree char *pair = NULL;

  if (username && *username)
    map_str(entry, "username", username);
  if (password && *password)
    map_str(entry, "password", password);
  if (email && *email)
    map_str(entry, "email", email);
  pair = wi_xasprintf("%s:%s", username ? username : "", password ? password : "");
  char *auth = wi_base64_encode(pair, strlen(pair));
  explicit_bzero(pair, strlen(pair));
  if (*auth)
    map_put(entry, "auth", node_new(N_STR))->s = auth;
  else
    free(auth);
  char *out = json_compact(root);
  node_free(root);
  return out;
}

/* metadata {name, namespace?, creationTimestamp: null} as kubectl create prints it. */
static struct node *
secret_root(const char *name, const char *ns, const struct wi_k8s_kv *labels, size_t n_labels)
{
  struct node *root = node_new(N_MAP);
  map_str(root, "kind", "Secret");
  map_str(root, "apiVersion", "v1");
  struct node *md = map_map(root, "metadata");
  map_str(md, "name", name);
  if (ns)
    map_str(md, "namespace", ns);
  map_put(md, "creationTimestamp", node_new(N_NULL));
  if (n_labels > 0) {
    struct node *l = map_map(md, "labels");
    for (size_t i = 0; i < n_labels; i++)
      map_str(l, labels[i].key, labels[i].value);
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
  struct node *data = map_map(root, "data");
  map_put(data, ".dockerconfigjson", node_new(N_STR))->s = wi_base64_encode(cfg, strlen(cfg));
  wi_alloc_secret_free(cfg);
  map_str(root, "type", "kubernetes.io/dockerconfigjson");
  *out = obj_new(root, true);
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
    if (wi_k8s_check_secret_key("secret key", s->data[i].key, err) < 0)
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
    struct node *d = map_map(root, "data");
    for (size_t i = 0; i < s->n_data; i++)
      map_put(d, data[i].key, node_new(N_STR))->s =
          wi_base64_encode(data[i].value, strlen(data[i].value));
  }
  if (s->type)
    map_str(root, "type", s->type);
  free(labels);
  free(data);
  *out = obj_new(root, true);
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
  struct node *md = map_map(root, "metadata");
  map_str(md, "name", name);
  if (ns)
    map_str(md, "namespace", ns);
  map_str(map_map(md, "labels"), "weblogic.domainUID", uid);
  return md;
}

static struct node *
int_node(long long v)
{
  struct node *n = node_new(N_INT);
  n->i = v;
  return n;
}

static struct node *
cluster_resource(const struct wi_k8s_domain *d, const char *cluster, const char *name)
{
  struct node *root = node_new(N_MAP);
  map_str(root, "apiVersion", "weblogic.oracle/v1");
  map_str(root, "kind", "Cluster");
  labelled_metadata(root, name, d->ns, d->uid);
  struct node *spec = map_map(root, "spec");
  map_str(spec, "clusterName", cluster);
  if (d->replicas >= 0)
    map_put(spec, "replicas", int_node(d->replicas));
  return root;
}

static struct node *
name_ref(const char *name)
{
  struct node *m = node_new(N_MAP);
  map_str(m, "name", name);
  return m;
}

static int
check_domain(const struct wi_k8s_domain *d, wi_err *err)
{
  if (wi_k8s_check_domain_uid(d->uid, err) < 0)
    return err->code;
  if (d->ns && wi_k8s_check_label("namespace", d->ns, err) < 0)
    return err->code;
  if (d->image == NULL || *d->image == '\0')
    return wi_err_set(err, WI_EINVAL, "domain %s: the primary image is required", d->uid);
  if (!d->credentials_secret || !d->encryption_secret)
    return wi_err_set(err, WI_EINVAL,
                      "domain %s: the WebLogic credentials secret and the runtime encryption "
                      "secret are required",
                      d->uid);
  if (wi_k8s_check_subdomain("WebLogic credentials secret name", d->credentials_secret, err) < 0 ||
      wi_k8s_check_subdomain("runtime encryption secret name", d->encryption_secret, err) < 0)
    return err->code;
  for (size_t i = 0; i < d->n_pull_secrets; i++)
    if (wi_k8s_check_subdomain("pull secret name", d->pull_secrets[i], err) < 0)
      return err->code;
  if (d->domain_type && strcmp(d->domain_type, "WLS") != 0 && strcmp(d->domain_type, "JRF") != 0 &&
      strcmp(d->domain_type, "RestrictedJRF") != 0)
    return wi_err_set(err, WI_EINVAL,
                      "domain %s: domain type \"%s\" is not WLS, JRF or RestrictedJRF", d->uid,
                      d->domain_type);
  if (d->introspect_version &&
      wi_k8s_check_label_value("introspectVersion", d->introspect_version, err) < 0)
    return err->code;
  for (size_t i = 0; i < d->n_aux; i++)
    if (d->aux[i].image == NULL || *d->aux[i].image == '\0')
      return wi_err_set(err, WI_EINVAL, "domain %s: auxiliary image %zu has no image", d->uid, i);
  return 0;
}

static struct node *
domain_resource(const struct wi_k8s_domain *d, char *const *cluster_names)
{
  struct node *root = node_new(N_MAP);
  map_str(root, "apiVersion", "weblogic.oracle/v9");
  map_str(root, "kind", "Domain");
  labelled_metadata(root, d->uid, d->ns, d->uid);
  struct node *spec = map_map(root, "spec");
  map_str(spec, "domainUID", d->uid);
  map_str(spec, "domainHomeSourceType", "FromModel");
  wi_autofree char *home = wi_xasprintf("/u01/domains/%s", d->uid);
  map_str(spec, "domainHome", home);
  map_str(spec, "image", d->image);
  map_str(spec, "imagePullPolicy", d->pull_policy ? d->pull_policy : wi_k8s_pull_policy(d->image));
  if (d->n_pull_secrets > 0) {
    struct node *ps = map_put(spec, "imagePullSecrets", node_new(N_SEQ));
    for (size_t i = 0; i < d->n_pull_secrets; i++)
      seq_add(ps, name_ref(d->pull_secrets[i]));
  }
  map_put(spec, "webLogicCredentialsSecret", name_ref(d->credentials_secret));
  if (d->restart_version)
    map_str(spec, "restartVersion", d->restart_version);
  if (d->introspect_version)
    map_str(spec, "introspectVersion", d->introspect_version);
  if (d->replicas >= 0)
    map_put(spec, "replicas", int_node(d->replicas));
  if (d->n_clusters > 0) {
    struct node *cl = map_put(spec, "clusters", node_new(N_SEQ));
    for (size_t i = 0; i < d->n_clusters; i++)
      seq_add(cl, name_ref(cluster_names[i]));
  }
  struct node *model = map_map(map_map(spec, "configuration"), "model");
  map_str(model, "domainType", d->domain_type ? d->domain_type : "WLS");
  map_str(model, "runtimeEncryptionSecret", d->encryption_secret);
  if (d->n_aux > 0) {
    struct node *ai = map_put(model, "auxiliaryImages", node_new(N_SEQ));
    for (size_t i = 0; i < d->n_aux; i++) {
      const struct wi_k8s_aux_image *a = &d->aux[i];
      struct node *e = seq_add(ai, node_new(N_MAP));
      map_str(e, "image", a->image);
      map_str(e, "imagePullPolicy", a->pull_policy ? a->pull_policy : wi_k8s_pull_policy(a->image));
      if (a->wdt_install_home)
        map_str(e, "sourceWDTInstallHome", a->wdt_install_home);
      if (a->model_home)
        map_str(e, "sourceModelHome", a->model_home);
    }
  }
  return root;
}

int
wi_k8s_domain_objects(struct wi_k8s_obj ***out, size_t *n_out, const struct wi_k8s_domain *d,
                      wi_err *err)
{
  if (check_domain(d, err) < 0)
    return err->code;
  char **names = wi_xcalloc(d->n_clusters + 1, sizeof *names);
  int ret = 0;
  for (size_t i = 0; i < d->n_clusters && ret == 0; i++) {
    names[i] = wi_k8s_cluster_resource_name(d->uid, d->clusters[i]);
    if (wi_k8s_check_subdomain("Cluster resource name", names[i], err) < 0)
      ret = wi_err_wrap(err, "cluster %s", d->clusters[i]);
    for (size_t j = 0; j < i && ret == 0; j++)
      if (strcmp(names[i], names[j]) == 0)
        ret = wi_err_set(err, WI_EINVAL, "clusters \"%s\" and \"%s\" both map to the resource %s",
                         d->clusters[j], d->clusters[i], names[i]);
  }
  if (ret == 0) {
    struct wi_k8s_obj **objs = wi_xcalloc(d->n_clusters + 1, sizeof *objs);
    for (size_t i = 0; i < d->n_clusters; i++)
      objs[i] = obj_new(cluster_resource(d, d->clusters[i], names[i]), false);
    objs[d->n_clusters] = obj_new(domain_resource(d, names), false);
    *out = objs;
    *n_out = d->n_clusters + 1;
  }
  for (size_t i = 0; i < d->n_clusters; i++)
    free(names[i]);
  free(names);
  return ret;
}

/* ---------------------------------------------------------------- auxiliary image metadata */

void
wi_k8s_aux_meta_dispose(struct wi_k8s_aux_meta *m)
{
  free(m->wdt_home);
  free(m->model_home);
  memset(m, 0, sizeof *m);
}

/* "/a/b/" → "a/b" for comparing with tar member names. malloc'ed. */
static char *
rel_dir(const char *dir)
{
  while (*dir == '/')
    dir++;
  size_t n = strlen(dir);
  while (n > 0 && dir[n - 1] == '/')
    n--;
  return wi_xstrndup(dir, n);
}

/* Is path (a tar member, "./" and "/" stripped) strictly below dir? */
static bool
below(const char *path, const char *dir)
{
  size_t n = strlen(dir);
  if (n == 0)
    return true;
  return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
}

int
wi_k8s_aux_scan_layer(struct wi_k8s_aux_meta *m, int fd, const char *what, wi_err *err)
{
  struct archive *a = archive_read_new();
  struct archive_entry *e;
  const char *wh = m->wdt_home ? m->wdt_home : "/auxiliary";
  wi_autofree char *wdt_base = rel_dir(wh);
  wi_autofree char *wdt =
      wdt_base[0] ? wi_xasprintf("%s/weblogic-deploy", wdt_base) : wi_xstrdup("weblogic-deploy");
  wi_autofree char *models = rel_dir(m->model_home ? m->model_home : WI_K8S_AUX_MODEL_DEFAULT);
  int ret = 0, r;

  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK) {
    ret = wi_err_set(err, WI_EINVAL, "%s: %s", what, archive_error_string(a));
    goto out;
  }
  while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    const char *p = archive_entry_pathname(e);
    if (p == NULL || archive_entry_filetype(e) == AE_IFDIR)
      continue;
    while (p[0] == '.' && p[1] == '/')
      p += 2;
    while (*p == '/')
      p++;
    const char *base = strrchr(p, '/');
    if (wi_str_has_prefix(base ? base + 1 : p, ".wh."))
      continue;
    if (below(p, wdt))
      m->has_wdt = true;
    if (below(p, models))
      m->has_models = true;
  }
  if (r != ARCHIVE_EOF)
    ret = wi_err_set(err, WI_EINVAL, "%s: %s", what, archive_error_string(a));
  else
    m->scanned = true;
out:
  archive_read_free(a);
  return ret;
}

static bool
same_path(const char *a, const char *b)
{
  wi_autofree char *x = rel_dir(a);
  wi_autofree char *y = rel_dir(b);
  return strcmp(x, y) == 0;
}

void
wi_k8s_aux_fields(const struct wi_k8s_aux_meta *m, char **wdt_install_home_out,
                  char **model_home_out)
{
  *wdt_install_home_out = NULL;
  *model_home_out = NULL;
  if (m->scanned && !m->has_wdt) {
    *wdt_install_home_out = wi_xstrdup(WI_K8S_NONE);
  } else if (m->wdt_home) {
    wi_autofree char *base = rel_dir(m->wdt_home);
    wi_autofree char *path =
        base[0] ? wi_xasprintf("/%s/weblogic-deploy", base) : wi_xstrdup("/weblogic-deploy");
    if (!same_path(path, WI_K8S_AUX_WDT_DEFAULT))
      *wdt_install_home_out = wi_steal(&path);
  }
  if (m->scanned && !m->has_models) {
    *model_home_out = wi_xstrdup(WI_K8S_NONE);
  } else if (m->model_home) {
    wi_autofree char *rel = rel_dir(m->model_home);
    if (!same_path(rel, WI_K8S_AUX_MODEL_DEFAULT))
      *model_home_out = wi_xasprintf("/%s", rel);
  }
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

static char *
patch_text(struct node *root)
{
  char *j = json_compact(root);
  char *out = wi_xasprintf("%s\n", j);
  free(j);
  node_free(root);
  return out;
}

char *
wi_k8s_patch_primary_image(const char *image, const char *restart_version)
{
  struct node *root = node_new(N_MAP);
  struct node *spec = map_map(root, "spec");
  map_str(spec, "image", image);
  if (restart_version)
    map_str(spec, "restartVersion", restart_version);
  return patch_text(root);
}

static void
patch_op(struct node *ops, const char *op, const char *path, struct node *value)
{
  struct node *o = seq_add(ops, node_new(N_MAP));
  map_str(o, "op", op);
  map_str(o, "path", path);
  map_put(o, "value", value);
}

char *
wi_k8s_patch_aux_image(size_t index, const char *old_image, const char *new_image,
                       const char *introspect_version)
{
  struct node *ops = node_new(N_SEQ);
  wi_autofree char *path =
      wi_xasprintf("/spec/configuration/model/auxiliaryImages/%zu/image", index);

  if (old_image)
    patch_op(ops, "test", path, str_node(old_image));
  patch_op(ops, "replace", path, str_node(new_image));
  /* "add" sets an object member whether or not it exists. */
  if (introspect_version)
    patch_op(ops, "add", "/spec/introspectVersion", str_node(introspect_version));
  return patch_text(ops);
}

char *
wi_k8s_patch_sa_pull_secret(const char *secret, bool list_exists)
{
  struct node *ops = node_new(N_SEQ);

  if (list_exists) {
    patch_op(ops, "add", "/imagePullSecrets/-", name_ref(secret));
  } else {
    struct node *list = node_new(N_SEQ);
    seq_add(list, name_ref(secret));
    patch_op(ops, "add", "/imagePullSecrets", list);
  }
  return patch_text(ops);
}
