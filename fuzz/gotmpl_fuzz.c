/* Fuzz target: --format templates (gotmpl.c) and the table alignment. The input is a template, a
 * NUL, and a JSON record (the record may be anything: the library makes them, but a template may
 * run on an image's config). A template that parses must run on a record without crashing, and
 * the alignment of any output keeps every byte that is not a tab. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/gotmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
count_non_tabs(const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    n += *s != '\t' && *s != ' ';
  return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *nul = memchr(data, '\0', size);
  size_t tl = nul ? (size_t)(nul - (const char *)data) : size;
  char *text = wi_xstrndup((const char *)data, tl);
  const char *json = nul ? nul + 1 : "{\"Repository\":\"busybox\",\"Tag\":\"latest\",\"ID\":\"x\"}";
  size_t jl = nul ? size - tl - 1 : strlen(json);
  struct wi_gotmpl *t = NULL;
  wi_err err = { 0 };

  if (wi_gotmpl_parse(&t, text, &err) != 0) {
    if (err.msg[0] == '\0' || err.code != WI_EUSAGE || t != NULL)
      abort();
    free(text);
    return 0;
  }
  struct wi_buf out = WI_BUF_INIT(1 << 20);
  if (wi_gotmpl_exec(t, json, jl, &out, &err) != 0 && err.msg[0] == '\0')
    abort();
  const char *s = wi_buf_cstr(&out);
  char *aligned = wi_gotmpl_tabalign(s);
  if (count_non_tabs(aligned) != count_non_tabs(s))
    abort();
  free(aligned);
  wi_buf_dispose(&out);
  wi_gotmpl_free(t);
  free(text);
  return 0;
}
