/* Fuzz target: Go JSON string escaping, the YAML emitter's quoting choices, go-yaml's key order,
 * the parsers of live Domain objects (kubectl get -o json: rollout state and --wait's status), the
 * WDT model macro scanner (@@PROP/@@ENV/@@SECRET in YAML scalars) with the Domain checks behind it,
 * and kubectl's env-file reading. Properties: the JSON string decodes back to the input (valid
 * UTF-8), a YAML label value reads back unchanged through libyaml, the key order of the two halves
 * of the input (split at the first newline) is antisymmetric, every macro found has a name, and
 * env-file keys are valid environment variable names. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/alloc.h"
#include "lib/k8s.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Value of the scalar that follows the key "fuzz" in the first document, or NULL. */
static char *
yaml_find_value(const char *text)
{
  yaml_parser_t p;
  yaml_event_t ev;
  bool next = false;
  char *found = NULL;

  yaml_parser_initialize(&p);
  yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
  while (found == NULL && yaml_parser_parse(&p, &ev)) {
    yaml_event_type_t t = ev.type;
    if (t == YAML_SCALAR_EVENT) {
      const char *v = (const char *)ev.data.scalar.value;
      if (next)
        found = wi_xstrndup(v, ev.data.scalar.length);
      next = !next && strcmp(v, "fuzz") == 0;
    }
    yaml_event_delete(&ev);
    if (t == YAML_STREAM_END_EVENT)
      break;
  }
  yaml_parser_delete(&p);
  return found;
}

static void
check_json_quote(const char *s, size_t size, bool utf8)
{
  char *q = wi_k8s_render_json_quote(s, size);
  json_error_t je;
  json_t *v = json_loads(q, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
  if (!json_is_string(v))
    abort();
  if (utf8 && (json_string_length(v) != size || memcmp(json_string_value(v), s, size) != 0))
    abort();
  json_decref(v);
  free(q);
}

static void
check_yaml_roundtrip(const char *s)
{
  struct wi_k8s_kv data[] = { { "k", "v" } };
  struct wi_k8s_kv labels[] = { { "fuzz", s } };
  struct wi_k8s_generic_secret gs = {
    .name = "x", .data = data, .n_data = 1, .labels = labels, .n_labels = 1
  };
  struct wi_k8s_obj *o = NULL;
  wi_err err = { 0 };

  if (wi_k8s_generic_secret(&o, &gs, &err) < 0)
    abort();
  char *y = wi_k8s_render(&o, 1, WI_K8S_YAML, NULL, &err);
  if (y != NULL) { /* libyaml refuses some characters; that is an error, not a crash */
    char *back = yaml_find_value(y);
    if (back == NULL || strcmp(back, s) != 0)
      abort();
    free(back);
  }
  free(y);
  wi_k8s_render_obj_free(o);
}

static int
sign(int x)
{
  return (x > 0) - (x < 0);
}

static void
check_key_order(const char *s)
{
  const char *nl = strchr(s, '\n');
  if (nl == NULL)
    return;
  char *a = wi_xstrndup(s, (size_t)(nl - s));
  const char *b = nl + 1;
  if (sign(wi_k8s_render_key_cmp(a, b)) != -sign(wi_k8s_render_key_cmp(b, a)) ||
      (strcmp(a, b) == 0) != (wi_k8s_render_key_cmp(a, b) == 0))
    abort();
  free(a);
}

/* The input as a WDT model: macros found, then checked against a Domain as k8s domain does. */
static void
check_model(const char *s, size_t size)
{
  struct wi_k8s_model_refs r = { 0 };
  struct wi_k8s_model_secrets sec = { 0 };
  struct wi_props vars = { 0 };
  struct wi_k8s_kv env[] = { { "CUSTOM_DOMAIN_NAME", "x", 0 } };
  struct wi_k8s_model_ctx c = {
    .uid = "d1", .vars = &vars, .vars_what = "v", .env = env, .n_env = 1
  };
  wi_err err = { 0 };

  if (wi_k8s_model_scan(&r, "fuzz.yaml", s, size, &err) == 0) {
    for (size_t i = 0; i < r.n; i++)
      if (r.v[i].name[0] == '\0' || (r.v[i].kind == WI_K8S_TOKEN_SECRET) != (r.v[i].key != NULL))
        abort();
    wi_props_set(&vars, "P", "1");
    if (wi_k8s_model_domain_needs(&sec, &r, &c, &err) == 0)
      for (size_t i = 0; i < sec.n; i++)
        if (wi_k8s_validate_subdomain("secret", sec.v[i].name, &err) < 0)
          abort();
    wi_k8s_model_secrets_dispose(&sec);
  }
  wi_k8s_model_refs_dispose(&r);
  wi_props_dispose(&vars);
}

static void
check_env_file(const char *s, size_t size)
{
  struct wi_k8s_kv_list l = { 0 };
  wi_err err = { 0 };

  if (wi_k8s_input_env_parse(&l, s, size, "fuzz.env", &err) == 0)
    for (size_t i = 0; i < l.n; i++)
      if (wi_k8s_validate_env_name("key", l.v[i].key, &err) < 0)
        abort();
  wi_k8s_input_kv_list_dispose(&l, true);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *s = (const char *)data;
  json_t *probe = size < 65536 ? json_stringn(s, size) : NULL; /* jansson checks UTF-8 */
  bool utf8 = probe != NULL;

  json_decref(probe);
  check_json_quote(s, size, utf8);
  if (utf8 && memchr(s, '\0', size) == NULL) {
    char *z = wi_xstrndup(s, size);
    (void)wi_k8s_render_resolves_non_string(z);
    check_key_order(z);
    check_yaml_roundtrip(z);
    free(z);
  }
  struct wi_k8s_domain_state st;
  wi_err err = { 0 };
  if (wi_k8s_kubectl_domain_state_parse(&st, s, size, &err) == 0)
    wi_k8s_kubectl_domain_state_dispose(&st);
  struct wi_k8s_domain_status ds;
  if (wi_k8s_kubectl_domain_status_parse(&ds, s, size, &err) == 0)
    wi_k8s_kubectl_domain_status_dispose(&ds);
  check_model(s, size);
  check_env_file(s, size);
  return 0;
}
