/* wlsimg: WDT model YAML validation — see yaml.h. */
#include "lib/yaml.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/alloc.h"
#include "lib/fs.h"

struct ref_pos {
  const char *s;
  size_t pos;
};

static int
cmp_ref_pos(const void *a, const void *b)
{
  const struct ref_pos *x = a, *y = b;
  int c = strcmp(x->s, y->s);
  return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Drop repeated refs, keeping each one's first place. Sorting keeps it O(n log n): a search per
 * scalar made a model with many references quadratic. */
static void
dedupe_refs(char **refs, size_t *n)
{
  if (*n < 2)
    return;
  struct ref_pos *ix = wi_xcalloc(*n, sizeof *ix);
  bool *drop = wi_xcalloc(*n, sizeof *drop);
  for (size_t i = 0; i < *n; i++)
    ix[i] = (struct ref_pos){ refs[i], i };
  qsort(ix, *n, sizeof *ix, cmp_ref_pos);
  for (size_t i = 1; i < *n; i++)
    if (strcmp(ix[i].s, ix[i - 1].s) == 0)
      drop[ix[i].pos] = true;
  size_t o = 0;
  for (size_t i = 0; i < *n; i++) {
    if (drop[i])
      free(refs[i]);
    else
      refs[o++] = refs[i];
  }
  *n = o;
  free(drop);
  free(ix);
}

void
wi_yaml_refs_free(char **refs, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(refs[i]);
  free(refs);
}

int
wi_yaml_check(const char *name, const void *data, size_t len, char ***refs_out, size_t *n_refs_out,
              wi_err *err)
{
  yaml_parser_t parser;
  yaml_event_t ev;
  char **refs = NULL;
  size_t n = 0, cap = 0;
  int ret = 0;

  if (!yaml_parser_initialize(&parser))
    return wi_err_set(err, WI_ERR, "%s: cannot initialise the YAML parser", name);
  yaml_parser_set_input_string(&parser, data, len);
  for (;;) {
    if (!yaml_parser_parse(&parser, &ev)) {
      const yaml_mark_t *m = parser.problem_mark.line || parser.problem_mark.column
                                 ? &parser.problem_mark
                                 : &parser.context_mark;
      ret = wi_err_set(err, WI_EINVAL, "%s: line %zu, column %zu: invalid YAML: %s%s%s", name,
                       m->line + 1, m->column + 1, parser.problem ? parser.problem : "syntax error",
                       parser.context ? " " : "", parser.context ? parser.context : "");
      break;
    }
    yaml_event_type_t t = ev.type;
    if (t == YAML_SCALAR_EVENT && ev.data.scalar.length > 10 &&
        memcmp(ev.data.scalar.value, "wlsdeploy/", 10) == 0) {
      if (n == cap) {
        cap = cap ? cap * 2 : 16;
        refs = wi_xreallocarray(refs, cap, sizeof *refs);
      }
      refs[n++] = wi_xstrndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
    }
    yaml_event_delete(&ev);
    if (t == YAML_STREAM_END_EVENT)
      break;
  }
  yaml_parser_delete(&parser);
  dedupe_refs(refs, &n);
  if (ret == 0 && refs_out) {
    *refs_out = refs;
    *n_refs_out = n;
  } else {
    wi_yaml_refs_free(refs, n);
  }
  return ret;
}

int
wi_yaml_check_file(const char *path, char ***refs_out, size_t *n_refs_out, wi_err *err)
{
  wi_autofree char *data = NULL;
  size_t len = 0;
  if (wi_fs_read_file(path, WI_MAX_MODEL_BYTES, &data, &len, err) < 0)
    return err->code;
  return wi_yaml_check(path, data, len, refs_out, n_refs_out, err);
}
