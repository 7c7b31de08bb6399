/* wlsimg: a documented subset of Go templates for --format. See gotmpl.h. */
#include "lib/gotmpl.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/alloc.h"
#include "lib/json.h"
#include "lib/str.h"

#define MAX_NODES 1024
#define MAX_DEPTH 16 /* of nested values printed Go's way */
#define SUPPORTED \
  "{{.Field}}, {{json .}}, {{json .Field}}, {{upper .Field}}, {{lower .Field}}, {{truncate .Field N}}"
#define autojson __attribute__((cleanup(json_decrefp)))

enum node_kind { N_TEXT, N_FIELD, N_JSON, N_UPPER, N_LOWER, N_TRUNCATE };

struct node {
  enum node_kind kind;
  char *text; /* N_TEXT: the literal; otherwise the field path, "." or ".A.B" */
  size_t n;   /* N_TRUNCATE: characters kept */
};

struct wi_gotmpl {
  bool table;
  struct node *nodes;
  size_t n;
};

void
wi_gotmpl_free(struct wi_gotmpl *t)
{
  if (t == NULL)
    return;
  for (size_t i = 0; i < t->n; i++)
    free(t->nodes[i].text);
  free(t->nodes);
  free(t);
}

bool
wi_gotmpl_is_table(const struct wi_gotmpl *t)
{
  return t->table;
}

bool
wi_gotmpl_is_empty(const struct wi_gotmpl *t)
{
  return t->n == 0;
}

static void
add_node(struct wi_gotmpl *t, enum node_kind kind, char *text, size_t n)
{
  t->nodes = wi_xreallocarray(t->nodes, t->n + 1, sizeof *t->nodes);
  t->nodes[t->n++] = (struct node){ .kind = kind, .text = text, .n = n };
}

/* "." or "." IDENT ("." IDENT)*, as Go's field chains. */
static bool
valid_path(const char *p, size_t len)
{
  if (len == 0 || p[0] != '.')
    return false;
  if (len == 1)
    return true;
  for (size_t i = 0; i < len; i++) {
    if (p[i] == '.') {
      if (i + 1 == len || !(isalpha((unsigned char)p[i + 1]) || p[i + 1] == '_'))
        return false;
    } else if (!(isalnum((unsigned char)p[i]) || p[i] == '_')) {
      return false;
    }
  }
  return true;
}

/* Split an action's inside into at most 4 words. */
static size_t
words(const char *s, size_t len, const char *w[4], size_t wl[4])
{
  size_t n = 0, i = 0;
  while (i < len) {
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
      i++;
    if (i == len)
      break;
    size_t start = i;
    while (i < len && s[i] != ' ' && s[i] != '\t')
      i++;
    if (n == 4)
      return 5;
    w[n] = s + start;
    wl[n++] = i - start;
  }
  return n;
}

static bool
word_is(const char *w, size_t wl, const char *name)
{
  return wl == strlen(name) && memcmp(w, name, wl) == 0;
}

static int
parse_action(struct wi_gotmpl *t, const char *s, size_t len, wi_err *err)
{
  const char *w[4];
  size_t wl[4];
  size_t n = words(s, len, w, wl);

  if (len > 0 && (s[0] == '-' || s[len - 1] == '-'))
    goto unsupported; /* "{{-" trims spaces in Go; not here */
  if (n == 1 && valid_path(w[0], wl[0])) {
    add_node(t, N_FIELD, wi_xstrndup(w[0], wl[0]), 0);
    return 0;
  }
  if (n == 2 && valid_path(w[1], wl[1])) {
    enum node_kind k = word_is(w[0], wl[0], "json")    ? N_JSON
                       : word_is(w[0], wl[0], "upper") ? N_UPPER
                       : word_is(w[0], wl[0], "lower") ? N_LOWER
                                                       : N_TEXT;
    if (k != N_TEXT) {
      add_node(t, k, wi_xstrndup(w[1], wl[1]), 0);
      return 0;
    }
  }
  if (n == 3 && word_is(w[0], wl[0], "truncate") && valid_path(w[1], wl[1]) && wl[2] > 0 &&
      wl[2] < 7) {
    size_t v = 0;
    bool digits = true;
    for (size_t i = 0; i < wl[2]; i++) {
      digits = digits && isdigit((unsigned char)w[2][i]);
      v = v * 10 + (size_t)(w[2][i] - '0');
    }
    if (digits) {
      add_node(t, N_TRUNCATE, wi_xstrndup(w[1], wl[1]), v);
      return 0;
    }
  }
unsupported:
  return wi_err_set(err, WI_EUSAGE, "template: unsupported action {{%.*s}}: supported are %s",
                    (int)(len > 200 ? 200 : len), s, SUPPORTED);
}

/* Literal text with \t and \n typed as two characters turned into a tab and a newline. */
static void
add_text(struct wi_gotmpl *t, const char *s, size_t len)
{
  if (len == 0)
    return;
  char *out = wi_xmalloc(len + 1);
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\\' && i + 1 < len && (s[i + 1] == 't' || s[i + 1] == 'n')) {
      out[o++] = s[i + 1] == 't' ? '\t' : '\n';
      i++;
    } else {
      out[o++] = s[i];
    }
  }
  out[o] = '\0';
  add_node(t, N_TEXT, out, 0);
}

int
wi_gotmpl_parse(struct wi_gotmpl **out, const char *text, wi_err *err)
{
  size_t len = strlen(text);
  if (len > WI_GOTMPL_MAX_TEXT)
    return wi_err_set(err, WI_EUSAGE, "template: longer than %d bytes", WI_GOTMPL_MAX_TEXT);
  struct wi_gotmpl *t = wi_xcalloc(1, sizeof *t);
  const char *p = text;
  /* docker: "table" (a word of its own) starts a table; "json" alone is {{json .}} */
  if (strncmp(p, "table", 5) == 0 && (p[5] == '\0' || p[5] == ' ' || p[5] == '\t')) {
    t->table = true;
    p += 5;
    while (*p == ' ' || *p == '\t')
      p++;
  } else if (strcmp(p, "json") == 0) {
    add_node(t, N_JSON, wi_xstrdup("."), 0);
    *out = t;
    return 0;
  }
  int ret = 0;
  while (*p && ret == 0) {
    if (t->n >= MAX_NODES) {
      ret = wi_err_set(err, WI_EUSAGE, "template: more than %d actions and texts", MAX_NODES);
      break;
    }
    const char *open = strstr(p, "{{");
    if (open == NULL) {
      add_text(t, p, strlen(p));
      break;
    }
    add_text(t, p, (size_t)(open - p));
    const char *close = strstr(open + 2, "}}");
    if (close == NULL) {
      ret = wi_err_set(err, WI_EUSAGE, "template: unclosed action at byte %zu (no \"}}\")",
                       (size_t)(open - text) + 1);
      break;
    }
    ret = parse_action(t, open + 2, (size_t)(close - open - 2), err);
    p = close + 2;
  }
  if (ret < 0) {
    wi_gotmpl_free(t);
    return ret;
  }
  *out = t;
  return 0;
}

/* ---- running ---- */

static int
cmp_keys(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Go's %v of a value decoded from JSON. */
static void
print_value(struct wi_buf *b, json_t *v, int depth)
{
  switch (json_typeof(v)) {
  case JSON_STRING:
    wi_buf_add(b, json_string_value(v), json_string_length(v), NULL);
    break;
  case JSON_INTEGER:
    wi_buf_addf(b, NULL, "%" PRId64, (int64_t)json_integer_value(v));
    break;
  case JSON_REAL:
    wi_buf_addf(b, NULL, "%g", json_real_value(v));
    break;
  case JSON_TRUE:
    wi_buf_adds(b, "true", NULL);
    break;
  case JSON_FALSE:
    wi_buf_adds(b, "false", NULL);
    break;
  case JSON_NULL:
    wi_buf_adds(b, "<nil>", NULL);
    break;
  case JSON_ARRAY: {
    size_t i;
    json_t *e;
    wi_buf_adds(b, "[", NULL);
    json_array_foreach (v, i, e) {
      if (i)
        wi_buf_adds(b, " ", NULL);
      if (depth < MAX_DEPTH)
        print_value(b, e, depth + 1);
    }
    wi_buf_adds(b, "]", NULL);
    break;
  }
  case JSON_OBJECT: {
    /* Go prints a map's keys sorted */
    size_t n = json_object_size(v), k = 0;
    const char **keys = wi_xcalloc(n ? n : 1, sizeof *keys);
    const char *key;
    json_t *e;
    json_object_foreach (v, key, e)
      keys[k++] = key;
    qsort(keys, n, sizeof *keys, cmp_keys);
    wi_buf_adds(b, "map[", NULL);
    for (size_t i = 0; i < n; i++) {
      wi_buf_addf(b, NULL, "%s%s:", i ? " " : "", keys[i]);
      if (depth < MAX_DEPTH)
        print_value(b, json_object_get(v, keys[i]), depth + 1);
    }
    wi_buf_adds(b, "]", NULL);
    free(keys);
    break;
  }
  }
}

/* The value at path in root; NULL (printed <no value>) for a missing key below the record's own
 * fields; a missing field of the record itself is an error. */
static int
lookup(json_t *root, const char *path, json_t **out, wi_err *err)
{
  json_t *cur = root;
  const char *p = path + 1;
  bool top = true;

  while (*p) {
    const char *dot = strchr(p, '.');
    size_t len = dot ? (size_t)(dot - p) : strlen(p);
    wi_autofree char *key = wi_xstrndup(p, len);
    json_t *next = json_is_object(cur) ? json_object_get(cur, key) : NULL;
    if (next == NULL && top) {
      struct wi_buf names = WI_BUF_INIT(WI_BUF_NO_CAP);
      const char *k;
      json_t *v;
      json_object_foreach (root, k, v)
        wi_buf_addf(&names, NULL, "%s%s", names.len ? ", " : "", k);
      int ret = wi_err_set(err, WI_EUSAGE, "template: no field \"%s\" (the fields are %s)", key,
                           wi_buf_cstr(&names));
      wi_buf_dispose(&names);
      return ret;
    }
    if (next == NULL) {
      *out = NULL;
      return 0;
    }
    cur = next;
    top = false;
    p += len + (dot ? 1 : 0);
  }
  *out = cur;
  return 0;
}

/* Characters (not bytes) of s kept up to n. */
static size_t
utf8_prefix(const char *s, size_t len, size_t n)
{
  size_t i = 0;
  while (i < len && n > 0) {
    uint32_t cp;
    size_t l = wi_str_utf8_decode((const unsigned char *)s + i, len - i, &cp);
    i += l ? l : 1;
    n--;
  }
  return i;
}

static int
exec_node(const struct node *nd, json_t *root, struct wi_buf *out, wi_err *err)
{
  json_t *v = NULL;
  if (nd->kind == N_TEXT)
    return wi_buf_adds(out, nd->text, err);
  int ret = lookup(root, nd->text, &v, err);
  if (ret < 0)
    return ret;
  if (nd->kind == N_JSON) {
    wi_autofree char *j =
        v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER) : NULL;
    return wi_buf_adds(out, j ? j : "null", err);
  }
  if (v == NULL)
    return wi_buf_adds(out, "<no value>", err);
  struct wi_buf tmp = WI_BUF_INIT(out->max);
  print_value(&tmp, v, 0);
  wi_autofree char *s = wi_buf_steal(&tmp);
  size_t len = strlen(s);
  if (nd->kind == N_UPPER || nd->kind == N_LOWER) {
    for (size_t i = 0; i < len; i++)
      s[i] =
          (char)(nd->kind == N_UPPER ? toupper((unsigned char)s[i]) : tolower((unsigned char)s[i]));
  } else if (nd->kind == N_TRUNCATE) {
    len = utf8_prefix(s, len, nd->n);
  }
  return wi_buf_add(out, s, len, err);
}

int
wi_gotmpl_exec(const struct wi_gotmpl *t, const char *json, size_t len, struct wi_buf *out,
               wi_err *err)
{
  json_error_t jerr;
  autojson json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);

  if (!json_is_object(root))
    return wi_err_set(err, WI_EINVAL, "template: the record is not a JSON object");
  for (size_t i = 0; i < t->n; i++) {
    int ret = exec_node(&t->nodes[i], root, out, err);
    if (ret < 0)
      return ret;
  }
  return 0;
}

char *
wi_gotmpl_record_list(const char *const *kv, size_t n, const char *list_key,
                      const char *const *list, size_t n_list)
{
  autojson json_t *o = json_object();
  for (size_t i = 0; i < n; i++)
    wi_json_set(o, kv[2 * i], wi_json_str(kv[2 * i + 1] ? kv[2 * i + 1] : ""));
  if (list_key) {
    json_t *a = json_array();
    for (size_t i = 0; i < n_list; i++)
      json_array_append_new(a, wi_json_str(list[i]));
    wi_json_set(o, list_key, a);
  }
  char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  return s ? s : wi_xstrdup("{}");
}

char *
wi_gotmpl_record(const char *const *kv, size_t n)
{
  return wi_gotmpl_record_list(kv, n, NULL, NULL, 0);
}

/* ---- tables ---- */

static size_t
display_width(const char *s, size_t len)
{
  size_t w = 0;
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    size_t l = wi_str_utf8_decode((const unsigned char *)s + i, len - i, &cp);
    i += l ? l : 1;
    w++;
  }
  return w;
}

char *
wi_gotmpl_tabalign(const char *text)
{
  size_t *width = NULL, n_cols = 0;
  struct wi_buf out = WI_BUF_INIT((size_t)1 << 30);

  /* 1: the widest tab-terminated cell of each column */
  for (const char *line = text; *line;) {
    const char *end = strchr(line, '\n');
    size_t ll = end ? (size_t)(end - line) : strlen(line);
    size_t col = 0;
    for (const char *c = line; c < line + ll;) {
      const char *tab = memchr(c, '\t', (size_t)(line + ll - c));
      if (tab == NULL)
        break;
      if (col == n_cols) {
        width = wi_xreallocarray(width, n_cols + 1, sizeof *width);
        width[n_cols++] = 0;
      }
      size_t w = display_width(c, (size_t)(tab - c));
      if (w > width[col])
        width[col] = w;
      col++;
      c = tab + 1;
    }
    line += ll + (end ? 1 : 0);
  }
  /* 2: each cell padded to its column (+3 spaces, at least 10 wide), the last one as it is */
  for (const char *line = text; *line;) {
    const char *end = strchr(line, '\n');
    size_t ll = end ? (size_t)(end - line) : strlen(line);
    size_t col = 0;
    const char *c = line;
    for (;;) {
      const char *tab = memchr(c, '\t', (size_t)(line + ll - c));
      if (tab == NULL) {
        wi_buf_add(&out, c, (size_t)(line + ll - c), NULL);
        break;
      }
      size_t cw = width[col] + 3 < 10 ? 10 : width[col] + 3;
      size_t w = display_width(c, (size_t)(tab - c));
      wi_buf_add(&out, c, (size_t)(tab - c), NULL);
      for (; w < cw; w++)
        wi_buf_add(&out, " ", 1, NULL);
      col++;
      c = tab + 1;
    }
    if (end)
      wi_buf_add(&out, "\n", 1, NULL);
    line += ll + (end ? 1 : 0);
  }
  free(width);
  return wi_buf_steal(&out);
}
