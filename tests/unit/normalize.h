/* Unit tests: a Dockerfile normalised as tests/wit-normalize.py does (comment and blank lines
 * dropped, lines trimmed, continuations joined, runs of blanks made one, the build id BUILDID), so
 * renderings compare with WIT's instructions. malloc'ed. */
#ifndef WI_TEST_NORMALIZE_H
#define WI_TEST_NORMALIZE_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static char *
wit_normalize(const char *df)
{
  size_t n = strlen(df);
  char *out = calloc(1, n + 64 * (n / 32 + 1) + 1);
  size_t o = 0;
  bool in_cont = false;
  for (const char *l = df; *l;) {
    const char *e = strchr(l, '\n');
    size_t ll = e ? (size_t)(e - l) : strlen(l);
    const char *s = l, *t = l + ll;
    while (s < t && (*s == ' ' || *s == '\t'))
      s++;
    while (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'))
      t--;
    l = e ? e + 1 : l + ll;
    if (s == t || *s == '#')
      continue;
    bool cont = t[-1] == '\\';
    if (cont)
      t--;
    while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
      t--;
    if (in_cont && o > 0 && out[o - 1] != ' ' && s < t)
      out[o++] = ' ';
    for (const char *c = s; c < t; c++) {
      bool blank = *c == ' ' || *c == '\t';
      if (blank && (o == 0 || out[o - 1] == ' ' || out[o - 1] == '\n'))
        continue;
      out[o++] = blank ? ' ' : *c;
    }
    in_cont = cont;
    if (!cont) {
      while (o > 0 && out[o - 1] == ' ')
        o--;
      out[o++] = '\n';
    }
  }
  out[o] = '\0';
  /* buildid="…" → buildid="BUILDID" */
  for (char *b = strstr(out, "buildid=\""); b; b = strstr(b, "buildid=\"")) {
    b += 9;
    char *q = strchr(b, '"');
    if (q == NULL)
      break;
    memmove(b + 7, q, strlen(q) + 1);
    memcpy(b, "BUILDID", 7);
  }
  return out;
}

#endif
