/* wlsimg: Java properties text (java.util.Properties load/store) — see props.h. */
#include "lib/props.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/str.h"

/* ---- parsing ---- */

static bool
is_ws(char c)
{
  return c == ' ' || c == '\t' || c == '\f';
}

/* Append code point cp as UTF-8. */
static void
put_utf8(struct wi_buf *b, unsigned cp)
{
  char t[4];
  size_t n;
  if (cp < 0x80) {
    t[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    t[0] = (char)(0xc0 | (cp >> 6));
    t[1] = (char)(0x80 | (cp & 0x3f));
    n = 2;
  } else if (cp < 0x10000) {
    t[0] = (char)(0xe0 | (cp >> 12));
    t[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    t[2] = (char)(0x80 | (cp & 0x3f));
    n = 3;
  } else {
    t[0] = (char)(0xf0 | (cp >> 18));
    t[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    t[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    t[3] = (char)(0x80 | (cp & 0x3f));
    n = 4;
  }
  wi_buf_add(b, t, n, NULL);
}

/* Join natural lines into one logical line (continuations), starting at *pos.
 * Returns false at end of input. Comment and blank lines are skipped. */
static bool
next_logical_line(const char *t, size_t len, size_t *pos, size_t *lineno, struct wi_buf *out,
                  size_t *start_line)
{
  wi_buf_reset(out);
  bool in_cont = false;
  while (*pos < len) {
    size_t i = *pos;
    (*lineno)++;
    /* skip leading whitespace of every natural line */
    while (i < len && is_ws(t[i]))
      i++;
    size_t e = i;
    while (e < len && t[e] != '\n' && t[e] != '\r')
      e++;
    size_t next = e;
    if (next < len && t[next] == '\r') {
      next++;
      if (next < len && t[next] == '\n')
        next++;
    } else if (next < len) {
      next++; /* '\n' */
    }
    *pos = next;
    if (!in_cont) {
      if (i == e)
        continue; /* blank */
      if (t[i] == '#' || t[i] == '!')
        continue; /* comment */
      *start_line = *lineno;
    }
    /* count trailing backslashes */
    size_t bs = 0;
    while (e - bs > i && t[e - bs - 1] == '\\')
      bs++;
    if (bs % 2 == 1) {
      wi_buf_add(out, t + i, e - i - 1, NULL);
      in_cont = true;
      if (*pos >= len)
        return true;
      continue;
    }
    wi_buf_add(out, t + i, e - i, NULL);
    return true;
  }
  return in_cont;
}

/* Unescape s[0..n) into b. Returns -1 on a malformed \u escape. */
static int
unescape(const char *s, size_t n, struct wi_buf *b)
{
  unsigned pending_hi = 0;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    if (s[i] == '\\' && i + 1 < n) {
      char c = s[i + 1];
      i += 2;
      if (c == 'u') {
        if (i + 4 > n)
          return -1;
        cp = 0;
        for (int k = 0; k < 4; k++) {
          int h = wi_str_hexval(s[i + (size_t)k]);
          if (h < 0)
            return -1;
          cp = (cp << 4) | (unsigned)h;
        }
        i += 4;
        if (cp >= 0xd800 && cp <= 0xdbff) {
          if (pending_hi)
            put_utf8(b, 0xfffd);
          pending_hi = cp;
          continue;
        }
        if (cp >= 0xdc00 && cp <= 0xdfff) {
          if (pending_hi) {
            put_utf8(b, 0x10000 + ((pending_hi - 0xd800) << 10) + (cp - 0xdc00));
            pending_hi = 0;
          } else {
            put_utf8(b, 0xfffd);
          }
          continue;
        }
      } else {
        cp = c == 't'   ? '\t'
             : c == 'n' ? '\n'
             : c == 'r' ? '\r'
             : c == 'f' ? '\f'
                        : (unsigned char)c;
        if ((unsigned char)c >= 0x80) {
          /* an escaped non-ASCII byte: treat like an unescaped one */
          i -= 1;
          continue;
        }
      }
    } else if (s[i] == '\\') {
      i++; /* lone trailing backslash: dropped, as Java does */
      continue;
    } else if ((unsigned char)s[i] >= 0x80) {
      size_t l = wi_str_utf8_decode((const unsigned char *)s + i, n - i, &cp);
      if (l == 0) {
        cp = (unsigned char)s[i]; /* Latin-1 */
        l = 1;
      }
      i += l;
    } else {
      cp = (unsigned char)s[i++];
    }
    if (pending_hi) {
      put_utf8(b, 0xfffd);
      pending_hi = 0;
    }
    put_utf8(b, cp);
  }
  if (pending_hi)
    put_utf8(b, 0xfffd);
  return 0;
}

struct prop_pos {
  const char *key;
  size_t pos;
};

static int
cmp_prop_pos(const void *a, const void *b)
{
  const struct prop_pos *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Properties.load semantics for repeated keys: one entry, at the first key's place, with the last
 * value. Sorting keeps it O(n log n) (a lookup per line made large files quadratic). */
static void
props_dedupe(struct wi_props *p)
{
  if (p->n < 2)
    return;
  struct prop_pos *ix = wi_xcalloc(p->n, sizeof *ix);
  bool *drop = wi_xcalloc(p->n, sizeof *drop);
  for (size_t i = 0; i < p->n; i++)
    ix[i] = (struct prop_pos){ p->v[i].key, i };
  qsort(ix, p->n, sizeof *ix, cmp_prop_pos);
  for (size_t g = 0; g < p->n;) {
    size_t e = g + 1;
    while (e < p->n && strcmp(ix[e].key, ix[g].key) == 0)
      e++;
    if (e - g > 1) {
      struct wi_prop *first = &p->v[ix[g].pos], *last = &p->v[ix[e - 1].pos];
      char *v = last->value;
      last->value = first->value;
      first->value = v;
      for (size_t k = g + 1; k < e; k++)
        drop[ix[k].pos] = true;
    }
    g = e;
  }
  size_t o = 0;
  for (size_t i = 0; i < p->n; i++) {
    if (drop[i]) {
      free(p->v[i].key);
      free(p->v[i].value);
    } else {
      p->v[o++] = p->v[i];
    }
  }
  p->n = o;
  free(drop);
  free(ix);
}

int
wi_props_parse(struct wi_props *out, const char *text, size_t len, wi_err *err)
{
  struct wi_props p = { 0 };
  size_t cap = 0;
  struct wi_buf line = WI_BUF_INIT(WI_MAX_PROPS_BYTES + 1);
  size_t pos = 0, lineno = 0, start = 0;

  if (len > WI_MAX_PROPS_BYTES)
    return wi_err_set(err, WI_ETOOBIG, "properties text of %zu bytes exceeds the limit of %d", len,
                      WI_MAX_PROPS_BYTES);
  while (next_logical_line(text, len, &pos, &lineno, &line, &start)) {
    const char *s = wi_buf_cstr(&line);
    size_t n = line.len, k = 0;
    /* key ends at the first unescaped '=', ':' or whitespace */
    while (k < n) {
      if (s[k] == '\\' && k + 1 < n) {
        k += 2;
        continue;
      }
      if (s[k] == '=' || s[k] == ':' || is_ws(s[k]))
        break;
      k++;
    }
    size_t v = k;
    while (v < n && is_ws(s[v]))
      v++;
    if (v < n && (s[v] == '=' || s[v] == ':')) {
      v++;
      while (v < n && is_ws(s[v]))
        v++;
    }
    struct wi_buf kb = WI_BUF_INIT(WI_MAX_PROPS_BYTES * 2);
    struct wi_buf vb = WI_BUF_INIT(WI_MAX_PROPS_BYTES * 2);
    if (unescape(s, k, &kb) < 0 || unescape(s + v, n - v, &vb) < 0) {
      wi_buf_dispose(&kb);
      wi_buf_dispose(&vb);
      wi_buf_dispose(&line);
      wi_props_dispose(&p);
      return wi_err_set(err, WI_EINVAL, "line %zu: malformed \\uXXXX escape", start);
    }
    if (p.n == cap) {
      cap = cap ? cap * 2 : 16;
      p.v = wi_xreallocarray(p.v, cap, sizeof *p.v);
    }
    p.v[p.n++] = (struct wi_prop){ wi_buf_steal(&kb), wi_buf_steal(&vb) };
  }
  wi_buf_dispose(&line);
  props_dedupe(&p);
  *out = p;
  return 0;
}

void
wi_props_dispose(struct wi_props *p)
{
  for (size_t i = 0; i < p->n; i++) {
    free(p->v[i].key);
    free(p->v[i].value);
  }
  free(p->v);
  p->v = NULL;
  p->n = 0;
}

static ssize_t
props_find(const struct wi_props *p, const char *key)
{
  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->v[i].key, key) == 0)
      return (ssize_t)i;
  return -1;
}

const char *
wi_props_get(const struct wi_props *p, const char *key)
{
  ssize_t i = props_find(p, key);
  return i < 0 || p->v == NULL ? NULL : p->v[i].value;
}

void
wi_props_set(struct wi_props *p, const char *key, const char *value)
{
  ssize_t i = props_find(p, key);
  if (i >= 0 && p->v) {
    free(p->v[i].value);
    p->v[i].value = wi_xstrdup(value);
    return;
  }
  p->v = wi_xreallocarray(p->v, p->n + 1, sizeof *p->v);
  p->v[p->n].key = wi_xstrdup(key);
  p->v[p->n].value = wi_xstrdup(value);
  p->n++;
}

bool
wi_props_delete(struct wi_props *p, const char *key)
{
  ssize_t i = props_find(p, key);
  if (i < 0 || p->v == NULL)
    return false;
  free(p->v[i].key);
  free(p->v[i].value);
  memmove(p->v + i, p->v + i + 1, (p->n - (size_t)i - 1) * sizeof *p->v);
  p->n--;
  return true;
}

static int
prop_cmp(const void *a, const void *b)
{
  return strcmp(((const struct wi_prop *)a)->key, ((const struct wi_prop *)b)->key);
}

void
wi_props_sort(struct wi_props *p)
{
  if (p->n > 1)
    qsort(p->v, p->n, sizeof *p->v, prop_cmp);
}

/* ---- writing ---- */

static void
put_u16(struct wi_buf *b, unsigned u)
{
  wi_buf_addf(b, NULL, "\\u%04X", u);
}

static void
escape_into(struct wi_buf *b, const char *s, bool is_key)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t n = strlen(s);
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t l = wi_str_utf8_decode(u + i, n - i, &cp);
    if (l == 0) {
      cp = u[i]; /* not UTF-8: keep the byte as a Latin-1 character */
      l = 1;
    }
    i += l;
    switch (cp) {
    case ' ':
      if (is_key || i == 1)
        wi_buf_adds(b, "\\ ", NULL);
      else
        wi_buf_adds(b, " ", NULL);
      break;
    case '\t':
      wi_buf_adds(b, "\\t", NULL);
      break;
    case '\n':
      wi_buf_adds(b, "\\n", NULL);
      break;
    case '\r':
      wi_buf_adds(b, "\\r", NULL);
      break;
    case '\f':
      wi_buf_adds(b, "\\f", NULL);
      break;
    case '=':
    case ':':
    case '#':
    case '!':
    case '\\': {
      char t[2] = { '\\', (char)cp };
      wi_buf_add(b, t, 2, NULL);
      break;
    }
    default:
      if (cp < 0x20 || cp > 0x7e) {
        if (cp >= 0x10000) {
          put_u16(b, 0xd800 + ((cp - 0x10000) >> 10));
          put_u16(b, 0xdc00 + ((cp - 0x10000) & 0x3ff));
        } else {
          put_u16(b, cp);
        }
      } else {
        char c = (char)cp;
        wi_buf_add(b, &c, 1, NULL);
      }
    }
  }
}

char *
wi_props_escape(const char *s, bool is_key)
{
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX / 2);
  escape_into(&b, s, is_key);
  return wi_buf_steal(&b);
}

char *
wi_props_store(const struct wi_props *p, long long header_time, size_t *len_out)
{
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX / 2);
  struct timespec ts;
  struct tm tm;
  char date[64], ldt[64];

  clock_gettime(CLOCK_REALTIME, &ts);
  if (header_time >= 0) {
    ts.tv_sec = (time_t)header_time;
    ts.tv_nsec = 0;
  }
  localtime_r(&ts.tv_sec, &tm);
  /* LocalDateTime.toString() and java.util.Date.toString() */
  strftime(ldt, sizeof ldt, "%Y-%m-%dT%H:%M:%S", &tm);
  strftime(date, sizeof date, "%a %b %d %H:%M:%S %Z %Y", &tm);
  wi_buf_addf(&b, NULL, "#changed on:%s.%03ld\n#%s\n", ldt, ts.tv_nsec / 1000000, date);
  for (size_t i = 0; i < p->n; i++) {
    escape_into(&b, p->v[i].key, true);
    wi_buf_adds(&b, "=", NULL);
    escape_into(&b, p->v[i].value, false);
    wi_buf_adds(&b, "\n", NULL);
  }
  if (len_out)
    *len_out = b.len;
  return wi_buf_steal(&b);
}
