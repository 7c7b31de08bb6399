/* wlsimg: the object tree and its rendering as kubectl prints it: Go-style JSON and go-yaml-style
 * YAML (libyaml). See k8s.h. */
#include "lib/k8s.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/k8s_render_int.h"
#include "lib/str.h"

#define MAX_RENDER_BYTES (64u * 1024 * 1024)

int
wi_k8s_render_parse_format(const char *s, enum wi_k8s_format *out, wi_err *err)
{
  if (s == NULL || strcmp(s, "yaml") == 0)
    *out = WI_K8S_YAML;
  else if (strcmp(s, "json") == 0)
    *out = WI_K8S_JSON;
  else
    return wi_err_set(err, WI_EUSAGE, "unknown output format \"%s\" (expected yaml or json)", s);
  return 0;
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
wi_k8s_render_json_quote(const char *s, size_t len)
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
wi_k8s_render_resolves_non_string(const char *s)
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
wi_k8s_render_key_cmp(const char *a, const char *b)
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
    /* Digit runs compare as numbers (go-yaml keyList.Less) in Go's int64, which wraps past 19
     * digits: computed unsigned (wrapping is defined there) and compared as two's complement. */
    uint64_t an = 0, bn = 0;
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
      an = an * 10 + (uint64_t)(a[ai] - '0');
    for (bi = i; bi < lb && isdigit((unsigned char)b[bi]); bi++)
      bn = bn * 10 + (uint64_t)(b[bi] - '0');
    if (an != bn)
      return (an ^ (UINT64_C(1) << 63)) < (bn ^ (UINT64_C(1) << 63)) ? -1 : 1;
    if (ai != bi)
      return ai < bi ? -1 : 1;
    return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
  }
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/* ---------------------------------------------------------------- object tree */

struct node *
wi_k8s_render_node_new(enum node_kind k)
{
  struct node *n = wi_xcalloc(1, sizeof *n);
  n->kind = k;
  return n;
}

void
wi_k8s_render_node_free(struct node *n)
{
  if (n == NULL)
    return;
  wi_alloc_secret_free(n->s);
  for (size_t i = 0; i < n->n; i++) {
    if (n->keys)
      free(n->keys[i]);
    wi_k8s_render_node_free(n->v[i]);
  }
  free(n->keys);
  free(n->v);
  free(n);
}

struct node *
wi_k8s_render_str(const char *s)
{
  struct node *n = wi_k8s_render_node_new(N_STR);
  n->s = wi_xstrdup(s);
  return n;
}

/* Append key → child to a map; returns child. */
struct node *
wi_k8s_render_map_put(struct node *m, const char *key, struct node *child)
{
  m->keys = wi_xreallocarray(m->keys, m->n + 1, sizeof *m->keys);
  m->v = wi_xreallocarray(m->v, m->n + 1, sizeof *m->v);
  m->keys[m->n] = wi_xstrdup(key);
  m->v[m->n++] = child;
  return child;
}

void
wi_k8s_render_map_str(struct node *m, const char *key, const char *value)
{
  wi_k8s_render_map_put(m, key, wi_k8s_render_str(value));
}

struct node *
wi_k8s_render_map_map(struct node *m, const char *key)
{
  return wi_k8s_render_map_put(m, key, wi_k8s_render_node_new(N_MAP));
}

struct node *
wi_k8s_render_seq_add(struct node *s, struct node *child)
{
  s->v = wi_xreallocarray(s->v, s->n + 1, sizeof *s->v);
  s->v[s->n++] = child;
  return child;
}

struct wi_k8s_obj *
wi_k8s_render_obj_new(struct node *root, bool sort_yaml)
{
  struct wi_k8s_obj *o = wi_xcalloc(1, sizeof *o);
  o->root = root;
  o->sort_yaml = sort_yaml;
  return o;
}

void
wi_k8s_render_obj_free(struct wi_k8s_obj *o)
{
  if (o == NULL)
    return;
  wi_k8s_render_node_free(o->root);
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
char *
wi_k8s_render_json_compact(const struct node *n)
{
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX);

  json_write(&b, n, 0, 0);
  return wi_buf_steal(&b);
}

char *
wi_k8s_render_compact(const struct wi_k8s_obj *o)
{
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX);

  json_write(&b, o->root, 0, 0);
  wi_buf_add(&b, "\n", 1, NULL);
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
  else if (wi_k8s_render_resolves_non_string(s))
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
  return wi_k8s_render_key_cmp(x->key, y->key);
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
      struct node *list = wi_k8s_render_node_new(N_MAP);
      wi_k8s_render_map_str(list, "apiVersion", "v1");
      wi_k8s_render_map_str(list, "kind", "List");
      struct node *items = wi_k8s_render_map_put(list, "items", wi_k8s_render_node_new(N_SEQ));
      for (size_t i = 0; i < n; i++)
        wi_k8s_render_seq_add(items, objs[i]->root);
      json_write(&b, list, 4, 0);
      items->n = 0;
      wi_k8s_render_node_free(list);
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
  if (wi_buf_error(&b, "rendered objects", err) < 0 || b.len >= MAX_RENDER_BYTES - 1) {
    wi_buf_dispose_secret(&b);
    wi_err_set(err, WI_ETOOBIG, "rendered objects exceed %u bytes", MAX_RENDER_BYTES);
    return NULL;
  }
  if (len_out)
    *len_out = b.len;
  return wi_buf_steal(&b);
}
