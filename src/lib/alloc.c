#include "lib/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
wi_freep(void *pp)
{
  void **p = pp;
  free(*p);
  *p = NULL;
}

void
wi_closep(int *fdp)
{
  if (*fdp >= 0)
    close(*fdp);
  *fdp = -1;
}

void
wi_fclosep(void *fpp)
{
  FILE **fp = fpp;
  if (*fp)
    fclose(*fp);
  *fp = NULL;
}

static void
oom(void)
{
  fputs("wlsimg: out of memory\n", stderr);
  abort();
}

void *
wi_xmalloc(size_t n)
{
  void *p = malloc(n ? n : 1);
  if (p == NULL)
    oom();
  return p;
}

void *
wi_xcalloc(size_t n, size_t size)
{
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (p == NULL)
    oom();
  return p;
}

void *
wi_xrealloc(void *p, size_t n)
{
  void *q = realloc(p, n ? n : 1);
  if (q == NULL)
    oom();
  return q;
}

void *
wi_xreallocarray(void *p, size_t n, size_t size)
{
  size_t total;
  if (__builtin_mul_overflow(n, size, &total))
    oom();
  return wi_xrealloc(p, total);
}

char *
wi_xstrdup(const char *s)
{
  char *p = strdup(s ? s : "");
  if (p == NULL)
    oom();
  return p;
}

char *
wi_xstrndup(const char *s, size_t n)
{
  char *p = strndup(s, n);
  if (p == NULL)
    oom();
  return p;
}

char *
wi_xasprintf(const char *fmt, ...)
{
  va_list ap;
  char *p = NULL;
  int n;

  va_start(ap, fmt);
  n = vasprintf(&p, fmt, ap);
  va_end(ap);
  if (n < 0)
    oom();
  return p;
}

void
wi_alloc_secret_free(char *s)
{
  if (s == NULL)
    return;
  explicit_bzero(s, strlen(s));
  free(s);
}
