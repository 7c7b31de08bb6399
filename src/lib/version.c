/* wlsimg: version numbers compared as WIT compares them — see version.h. */
#include "lib/version.h"

#include <stdbool.h>
#include <string.h>

/* Compare two runs of digits as numbers of any length. */
static int
cmp_digits(const char *a, size_t al, const char *b, size_t bl)
{
  while (al > 1 && *a == '0') {
    a++;
    al--;
  }
  while (bl > 1 && *b == '0') {
    b++;
    bl--;
  }
  if (al != bl)
    return al < bl ? -1 : 1;
  int c = memcmp(a, b, al);
  return c < 0 ? -1 : c > 0;
}

/* The dotted part before any "-": true when every field is digits. */
static bool
version_fields(const char *v, size_t *len_out)
{
  size_t len = strcspn(v, "-");
  bool digit_seen = false;
  for (size_t i = 0; i < len; i++) {
    if (v[i] == '.') {
      if (!digit_seen)
        return false;
      digit_seen = false;
    } else if (v[i] >= '0' && v[i] <= '9') {
      digit_seen = true;
    } else {
      return false;
    }
  }
  *len_out = len;
  return digit_seen;
}

int
wi_version_compare(const char *a, const char *b, int *cmp, wi_err *err)
{
  size_t al = 0, bl = 0;
  if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
    return wi_err_set(err, WI_EINVAL, "cannot compare null strings");
  if (!version_fields(a, &al) || !version_fields(b, &bl))
    return wi_err_set(err, WI_EINVAL, "cannot compare versions %.80s and %.80s: not dotted numbers",
                      a, b);
  const char *pa = a, *pb = b;
  const char *ea = a + al, *eb = b + bl;
  while (pa < ea && pb < eb) {
    size_t fa = strcspn(pa, ".-"), fb = strcspn(pb, ".-");
    int c = cmp_digits(pa, fa, pb, fb);
    if (c) {
      *cmp = c;
      return 0;
    }
    pa += fa + (pa + fa < ea);
    pb += fb + (pb + fb < eb);
  }
  if (pa < ea || pb < eb) {
    *cmp = pa < ea ? 1 : -1; /* more fields is newer */
    return 0;
  }
  /* equal numbers: a qualifier ("-beta") is older than none; two qualifiers compare as text */
  bool qa = a[al] == '-', qb = b[bl] == '-';
  int c = qa && qb ? strcmp(a + al, b + bl) : qa ? -1 : qb ? 1 : 0;
  *cmp = c < 0 ? -1 : c > 0;
  return 0;
}
