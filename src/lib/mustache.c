/* wlsimg: mustache rendering as mustache.java 0.9.14 does it — see mustache.h. */
#include "lib/mustache.h"

#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"

#define MAX_OUTPUT (64u << 20)
#define MAX_DEPTH  64
#define MAX_DELIM  16
#define MAX_TOKENS (1u << 20)

/* ---- values ---- */

static struct wi_mustache_val *
append(struct wi_mustache_val *obj, const char *name, enum wi_mustache_kind kind)
{
  if (obj->n == obj->cap) {
    obj->cap = obj->cap ? 2 * obj->cap : 8;
    obj->v = wi_xreallocarray(obj->v, obj->cap, sizeof *obj->v);
  }
  struct wi_mustache_val *f = &obj->v[obj->n++];
  memset(f, 0, sizeof *f);
  f->name = name;
  f->kind = kind;
  return f;
}

void
wi_mustache_obj_str(struct wi_mustache_val *obj, const char *name, const char *s)
{
  struct wi_mustache_val *f = append(obj, name, s ? WI_MUSTACHE_STR : WI_MUSTACHE_NULL);
  f->str = s;
}

void
wi_mustache_obj_bool(struct wi_mustache_val *obj, const char *name, bool b)
{
  append(obj, name, WI_MUSTACHE_BOOL)->b = b;
}

void
wi_mustache_obj_strs(struct wi_mustache_val *obj, const char *name, const char *const *items,
                     size_t n)
{
  struct wi_mustache_val *l = append(obj, name, WI_MUSTACHE_LIST);
  for (size_t i = 0; i < n; i++)
    wi_mustache_obj_str(l, NULL, items[i]);
}

struct wi_mustache_val *
wi_mustache_obj_add(struct wi_mustache_val *obj, const char *name, enum wi_mustache_kind kind)
{
  return append(obj, name, kind);
}

void
wi_mustache_val_dispose(struct wi_mustache_val *v)
{
  for (size_t i = 0; i < v->n; i++)
    wi_mustache_val_dispose(&v->v[i]);
  free(v->v);
  v->v = NULL;
  v->n = v->cap = 0;
}

void
wi_mustache_escape(struct wi_buf *b, const char *s)
{
  for (const char *c = s; *c; c++) {
    unsigned char u = (unsigned char)*c;
    const char *rep = NULL;
    switch (u) {
    case '&':
      rep = "&amp;";
      break;
    case '<':
      rep = "&lt;";
      break;
    case '>':
      rep = "&gt;";
      break;
    case '"':
      rep = "&quot;";
      break;
    case '\'':
      rep = "&#39;";
      break;
    case '=':
      rep = "&#61;";
      break;
    case '`':
      rep = "&#96;";
      break;
    default:
      break;
    }
    if (rep)
      wi_buf_adds(b, rep, NULL);
    else if (u <= 13)
      wi_buf_addf(b, NULL, "&#%u;", u);
    else
      wi_buf_add(b, c, 1, NULL);
  }
}

/* ---- tokens ---- */

enum tok_kind { T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_COMMENT, T_PARTIAL };

struct tok {
  enum tok_kind kind;
  const char *s; /* text, or the tag's name */
  size_t len;
};

struct toks {
  struct tok *v;
  size_t n, cap;
};

static void
tok_add(struct toks *t, enum tok_kind kind, const char *s, size_t len)
{
  if (kind == T_TEXT && len == 0)
    return;
  if (t->n == t->cap) {
    t->cap = t->cap ? 2 * t->cap : 32;
    t->v = wi_xreallocarray(t->v, t->cap, sizeof *t->v);
  }
  t->v[t->n++] = (struct tok){ .kind = kind, .s = s, .len = len };
}

static void
trim(const char **s, size_t *len)
{
  while (*len && (**s == ' ' || **s == '\t')) {
    (*s)++;
    (*len)--;
  }
  while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
    (*len)--;
}

/* Is the tag spanning [start, end) alone on its line? Then widen it to the whole line. */
static bool
standalone(const char *tmpl, const char **start, const char **end)
{
  const char *a = *start, *b = *end;
  while (a > tmpl && (a[-1] == ' ' || a[-1] == '\t'))
    a--;
  if (a > tmpl && a[-1] != '\n')
    return false;
  while (*b == ' ' || *b == '\t')
    b++;
  if (*b == '\r' && b[1] == '\n')
    b++;
  if (*b != '\n' && *b != '\0')
    return false;
  *start = a;
  *end = *b ? b + 1 : b;
  return true;
}

/* A {{=<% %>=}} tag body: set the delimiters. */
static int
set_delims(const char *s, size_t len, char *open, char *close, wi_err *err)
{
  trim(&s, &len);
  if (len < 2 || s[len - 1] != '=')
    return wi_err_set(err, WI_EINVAL, "mustache: malformed delimiter change");
  len--;
  trim(&s, &len);
  size_t a = 0;
  while (a < len && s[a] != ' ' && s[a] != '\t')
    a++;
  const char *c = s + a;
  size_t cl = len - a;
  trim(&c, &cl);
  if (a == 0 || cl == 0 || a >= MAX_DELIM || cl >= MAX_DELIM)
    return wi_err_set(err, WI_EINVAL, "mustache: malformed delimiter change");
  memcpy(open, s, a);
  open[a] = '\0';
  memcpy(close, c, cl);
  close[cl] = '\0';
  return 0;
}

static int
tokenize(const char *tmpl, struct toks *t, wi_err *err)
{
  char open[MAX_DELIM] = "{{", close[MAX_DELIM] = "}}";
  const char *p = tmpl;
  const char *text = tmpl;

  while (*p) {
    const char *o = strstr(p, open);
    if (o == NULL)
      break;
    const char *body = o + strlen(open);
    enum tok_kind kind = T_VAR;
    const char *cl = NULL;
    size_t cl_len = strlen(close);
    bool triple = strcmp(open, "{{") == 0 && *body == '{';
    if (triple) {
      body++;
      cl = strstr(body, "}}}");
      cl_len = 3;
      kind = T_RAW;
    } else {
      cl = strstr(body, close);
    }
    if (cl == NULL)
      return wi_err_set(err, WI_EINVAL, "mustache: unclosed tag at \"%.20s\"", o);
    const char *name = body;
    size_t nlen = (size_t)(cl - body);
    const char *end = cl + cl_len;
    if (!triple) {
      trim(&name, &nlen);
      char sigil = nlen ? *name : '\0';
      switch (sigil) {
      case '&':
        kind = T_RAW;
        break;
      case '#':
        kind = T_SECTION;
        break;
      case '^':
        kind = T_INVERTED;
        break;
      case '/':
        kind = T_CLOSE;
        break;
      case '!':
        kind = T_COMMENT;
        break;
      case '>':
        kind = T_PARTIAL;
        break;
      case '=':
        kind = T_COMMENT; /* handled below */
        break;
      default:
        break;
      }
      if (kind != T_VAR) {
        if (sigil == '=' && set_delims(name + 1, nlen - 1, open, close, err) < 0)
          return err->code;
        name++;
        nlen--;
      }
    }
    trim(&name, &nlen);
    const char *start = o;
    if (kind != T_VAR && kind != T_RAW)
      standalone(tmpl, &start, &end);
    tok_add(t, T_TEXT, text, (size_t)(start - text));
    if (kind != T_COMMENT)
      tok_add(t, kind, name, nlen);
    if (t->n > MAX_TOKENS)
      return wi_err_set(err, WI_ETOOBIG, "mustache: template too large");
    p = text = end;
  }
  tok_add(t, T_TEXT, text, strlen(text));
  return 0;
}

/* ---- rendering ---- */

struct scope {
  const struct wi_mustache_val *v[MAX_DEPTH];
  size_t n;
};

static const struct wi_mustache_val *
field(const struct wi_mustache_val *obj, const char *name, size_t len)
{
  if (obj == NULL || obj->kind != WI_MUSTACHE_OBJ)
    return NULL;
  for (size_t i = 0; i < obj->n; i++)
    if (obj->v[i].name && strlen(obj->v[i].name) == len && memcmp(obj->v[i].name, name, len) == 0)
      return &obj->v[i];
  return NULL;
}

static const struct wi_mustache_val *
lookup(const struct scope *sc, const char *name, size_t len)
{
  if (len == 1 && name[0] == '.')
    return sc->n ? sc->v[sc->n - 1] : NULL;
  size_t first = strcspn(name, ".");
  if (first > len)
    first = len;
  const struct wi_mustache_val *v = NULL;
  for (size_t i = sc->n; i-- > 0 && v == NULL;)
    v = field(sc->v[i], name, first);
  /* the rest of a dotted name is looked up inside what was found */
  for (size_t pos = first; v && pos < len;) {
    pos++;
    size_t l = strcspn(name + pos, ".");
    if (pos + l > len)
      l = len - pos;
    v = field(v, name + pos, l);
    pos += l;
  }
  return v;
}

static bool
truthy(const struct wi_mustache_val *v)
{
  if (v == NULL)
    return false;
  switch (v->kind) {
  case WI_MUSTACHE_STR:
    return v->str[0] != '\0';
  case WI_MUSTACHE_BOOL:
    return v->b;
  case WI_MUSTACHE_LIST:
    return v->n > 0;
  case WI_MUSTACHE_OBJ:
    return true;
  case WI_MUSTACHE_NULL:
    break;
  }
  return false;
}

/* How a value prints: a list as Java's List.toString does. */
static void
value_text(struct wi_buf *b, const struct wi_mustache_val *v)
{
  if (v == NULL)
    return;
  if (v->kind == WI_MUSTACHE_STR) {
    wi_buf_adds(b, v->str, NULL);
  } else if (v->kind == WI_MUSTACHE_BOOL) {
    wi_buf_adds(b, v->b ? "true" : "false", NULL);
  } else if (v->kind == WI_MUSTACHE_LIST) {
    wi_buf_adds(b, "[", NULL);
    for (size_t i = 0; i < v->n; i++) {
      if (i)
        wi_buf_adds(b, ", ", NULL);
      value_text(b, &v->v[i]);
    }
    wi_buf_adds(b, "]", NULL);
  }
}

/* The token closing the section opened at t[i]; WI_EINVAL when there is none. */
static int
find_close(const struct toks *t, size_t i, size_t *out, wi_err *err)
{
  int depth = 0;
  for (size_t k = i + 1; k < t->n; k++) {
    if (t->v[k].kind == T_SECTION || t->v[k].kind == T_INVERTED) {
      depth++;
    } else if (t->v[k].kind == T_CLOSE) {
      if (depth-- > 0)
        continue;
      if (t->v[k].len != t->v[i].len || memcmp(t->v[k].s, t->v[i].s, t->v[i].len) != 0)
        return wi_err_set(err, WI_EINVAL, "mustache: {{/%.*s}} closes {{#%.*s}}", (int)t->v[k].len,
                          t->v[k].s, (int)t->v[i].len, t->v[i].s);
      *out = k;
      return 0;
    }
  }
  return wi_err_set(err, WI_EINVAL, "mustache: unclosed section %.*s", (int)t->v[i].len, t->v[i].s);
}

static int render_range(const struct toks *t, size_t from, size_t to, struct scope *sc,
                        struct wi_buf *b, wi_err *err);

static int
render_section(const struct toks *t, size_t i, size_t close, struct scope *sc, struct wi_buf *b,
               wi_err *err)
{
  const struct wi_mustache_val *v = lookup(sc, t->v[i].s, t->v[i].len);
  if (t->v[i].kind == T_INVERTED)
    return truthy(v) ? 0 : render_range(t, i + 1, close, sc, b, err);
  if (!truthy(v))
    return 0;
  if (sc->n + 1 >= MAX_DEPTH)
    return wi_err_set(err, WI_EINVAL, "mustache: sections nested too deeply");
  size_t n = v->kind == WI_MUSTACHE_LIST ? v->n : 1;
  int ret = 0;
  for (size_t k = 0; k < n && ret == 0; k++) {
    sc->v[sc->n++] = v->kind == WI_MUSTACHE_LIST ? &v->v[k] : v;
    ret = render_range(t, i + 1, close, sc, b, err);
    sc->n--;
  }
  return ret;
}

static int
render_range(const struct toks *t, size_t from, size_t to, struct scope *sc, struct wi_buf *b,
             wi_err *err)
{
  for (size_t i = from; i < to; i++) {
    const struct tok *k = &t->v[i];
    size_t close = 0;
    int ret = 0;
    switch (k->kind) {
    case T_TEXT:
      ret = wi_buf_add(b, k->s, k->len, err);
      break;
    case T_VAR:
    case T_RAW: {
      struct wi_buf v = WI_BUF_INIT(MAX_OUTPUT);
      value_text(&v, lookup(sc, k->s, k->len));
      if (k->kind == T_VAR)
        wi_mustache_escape(b, wi_buf_cstr(&v));
      else
        wi_buf_adds(b, wi_buf_cstr(&v), NULL);
      wi_buf_dispose(&v);
      break;
    }
    case T_SECTION:
    case T_INVERTED:
      if ((ret = find_close(t, i, &close, err)) == 0) {
        ret = render_section(t, i, close, sc, b, err);
        i = close;
      }
      break;
    case T_CLOSE:
      return wi_err_set(err, WI_EINVAL, "mustache: unexpected {{/%.*s}}", (int)k->len, k->s);
    case T_PARTIAL:
      return wi_err_set(err, WI_EUNSUPPORTED, "mustache: partials ({{>%.*s}}) are not supported",
                        (int)k->len, k->s);
    case T_COMMENT:
      break;
    }
    if (ret < 0)
      return ret;
    if (wi_buf_error(b, "mustache output", NULL) < 0 || b->len >= b->max)
      return wi_err_set(err, WI_ETOOBIG, "mustache: output larger than %u bytes", MAX_OUTPUT);
  }
  return 0;
}

int
wi_mustache_render(const char *tmpl, const struct wi_mustache_val *ctx, char **out, wi_err *err)
{
  struct toks t = { 0 };
  struct scope sc = { .n = 0 };
  struct wi_buf b = WI_BUF_INIT(MAX_OUTPUT);
  int ret = tokenize(tmpl, &t, err);

  sc.v[sc.n++] = ctx;
  if (ret == 0)
    ret = render_range(&t, 0, t.n, &sc, &b, err);
  free(t.v);
  if (ret < 0) {
    wi_buf_dispose(&b);
    return ret;
  }
  *out = wi_buf_steal(&b);
  return 0;
}
