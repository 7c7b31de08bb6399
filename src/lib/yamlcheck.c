/* wlsimg: WDT model YAML validation — see yamlcheck.h. */
#include "lib/yamlcheck.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/util.h"

static void
add_ref(char ***refs, size_t *n, const char *s, size_t len)
{
  for (size_t i = 0; i < *n; i++)
    if (strlen((*refs)[i]) == len && memcmp((*refs)[i], s, len) == 0)
      return;
  *refs = wi_xreallocarray(*refs, *n + 1, sizeof **refs);
  (*refs)[(*n)++] = wi_xstrndup(s, len);
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
  size_t n = 0;
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
        memcmp(ev.data.scalar.value, "wlsdeploy/", 10) == 0)
      add_ref(&refs, &n, (const char *)ev.data.scalar.value, ev.data.scalar.length);
    yaml_event_delete(&ev);
    if (t == YAML_STREAM_END_EVENT)
      break;
  }
  yaml_parser_delete(&parser);
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
  if (wi_read_file(path, WI_MAX_MODEL_BYTES, &data, &len, err) < 0)
    return err->code;
  return wi_yaml_check(path, data, len, refs_out, n_refs_out, err);
}
