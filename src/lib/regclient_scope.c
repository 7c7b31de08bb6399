/* wlsimg: the registry client's token scopes ("repository:ns/app:pull,push registry:catalog:*"):
 * which scope a cached token covers, and the union a Bearer challenge widens a request's scope to
 * (see regclient.h). Pure string work, fuzzed by fuzz/reglink_fuzz.c and fuzz/auth_fuzz.c. */
#include <stdbool.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/regclient.h"

/* Split "type:name:actions" at the last ':' into resource and actions. */
static bool
scope_split(const char *item, size_t len, size_t *res_len)
{
  for (size_t i = len; i > 0; i--)
    if (item[i - 1] == ':') {
      *res_len = i - 1;
      return true;
    }
  return false;
}

static bool
actions_has(const char *actions, size_t alen, const char *a, size_t al)
{
  const char *p = actions, *end = actions + alen;
  while (p < end) {
    const char *c = memchr(p, ',', (size_t)(end - p));
    size_t n = c ? (size_t)(c - p) : (size_t)(end - p);
    if ((n == al && memcmp(p, a, al) == 0) || (n == 1 && *p == '*'))
      return true;
    p += n + 1;
  }
  return false;
}

/* Is the space-separated list s holding exactly the item (it, len)? */
static bool
has_item(const char *s, const char *it, size_t len)
{
  for (const char *p = s; *p;) {
    while (*p == ' ')
      p++;
    size_t l = strcspn(p, " ");
    if (l == len && memcmp(p, it, len) == 0)
      return true;
    p += l;
  }
  return false;
}

/* Does the granted scope string `have` contain every resource/action of `want`? */
bool
wi_regclient_scope_covers(const char *have, const char *want)
{
  const char *w = want;
  while (*w) {
    while (*w == ' ')
      w++;
    size_t wl = strcspn(w, " ");
    if (wl == 0)
      break;
    size_t wres;
    if (!scope_split(w, wl, &wres)) {
      /* not type:name:actions: only the very same item grants it */
      if (!has_item(have, w, wl))
        return false;
      w += wl;
      continue;
    }
    const char *wact = w + wres + 1;
    size_t wal = wl - wres - 1;
    /* every action of this item must be granted by one item of `have` with the same resource */
    const char *a = wact, *aend = wact + wal;
    while (a < aend) {
      const char *c = memchr(a, ',', (size_t)(aend - a));
      size_t an = c ? (size_t)(c - a) : (size_t)(aend - a);
      bool found = an == 0; /* "pull,,push": nothing to grant */
      for (const char *h = have; *h && !found;) {
        while (*h == ' ')
          h++;
        size_t hl = strcspn(h, " "), hres;
        if (hl == 0)
          break;
        if (scope_split(h, hl, &hres) && hres == wres && memcmp(h, w, wres) == 0)
          found = actions_has(h + hres + 1, hl - hres - 1, a, an);
        h += hl;
      }
      if (!found)
        return false;
      a += an + 1;
    }
    w += wl;
  }
  return true;
}

/* Union of two scope strings, merging the actions of equal resources. malloc'ed. */
char *
wi_regclient_scope_union(const char *a, const char *b)
{
  struct wi_buf out = WI_BUF_INIT(WI_BUF_NO_CAP);
  const char *srcs[2] = { a ? a : "", b ? b : "" };

  for (int s = 0; s < 2; s++) {
    for (const char *p = srcs[s]; *p;) {
      while (*p == ' ')
        p++;
      size_t l = strcspn(p, " "), res;
      if (l == 0)
        break;
      if (!scope_split(p, l, &res)) {
        if (!has_item(out.data ? out.data : "", p, l)) { /* kept verbatim, once */
          if (out.len)
            wi_buf_adds(&out, " ", NULL);
          wi_buf_add(&out, p, l, NULL);
        }
        p += l;
        continue;
      }
      /* find the resource in out */
      char *o = out.data;
      bool merged = false;
      while (o && *o && !merged) {
        size_t ol = strcspn(o, " "), ores;
        if (scope_split(o, ol, &ores) && ores == res && memcmp(o, p, res) == 0) {
          /* rebuild that item with the extra actions */
          struct wi_buf item = WI_BUF_INIT(WI_BUF_NO_CAP);
          wi_buf_add(&item, o, ol, NULL);
          const char *act = p + res + 1, *aend = p + l;
          while (act < aend) {
            const char *c = memchr(act, ',', (size_t)(aend - act));
            size_t an = c ? (size_t)(c - act) : (size_t)(aend - act);
            if (an > 0 && !actions_has(o + ores + 1, ol - ores - 1, act, an)) {
              wi_buf_adds(&item, ",", NULL);
              wi_buf_add(&item, act, an, NULL);
            }
            act += an + 1;
          }
          struct wi_buf n2 = WI_BUF_INIT(WI_BUF_NO_CAP);
          wi_buf_add(&n2, out.data, (size_t)(o - out.data), NULL);
          wi_buf_add(&n2, item.data, item.len, NULL);
          wi_buf_adds(&n2, o + ol, NULL);
          wi_buf_dispose(&item);
          wi_buf_dispose(&out);
          out = n2;
          merged = true;
          break;
        }
        o += ol;
        while (*o == ' ')
          o++;
      }
      if (!merged) {
        if (out.len)
          wi_buf_adds(&out, " ", NULL);
        wi_buf_add(&out, p, l, NULL);
      }
      p += l;
    }
  }
  return wi_buf_steal(&out);
}
