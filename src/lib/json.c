/* wlsimg: jansson helpers. See json.h. */
#include "lib/json.h"

#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/str.h"

json_t *
wi_json_str(const char *s)
{
  json_t *j = json_string(s);
  if (j)
    return j;
  char *copy = wi_xstrdup(s);
  size_t n = strlen(copy);
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t len = wi_str_utf8_decode((const unsigned char *)copy + i, n - i, &cp);
    if (len == 0)
      copy[i++] = '?';
    else
      i += len;
  }
  j = json_string(copy);
  free(copy);
  return j;
}

void
wi_json_set(json_t *obj, const char *key, json_t *v)
{
  json_t *k = wi_json_str(key);
  json_object_set_new(obj, json_string_value(k), v);
  json_decref(k);
}

const char *
wi_json_type_name(const json_t *j)
{
  switch (json_typeof(j)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
    return "an integer";
  case JSON_REAL:
    return "a number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  default:
    return "null";
  }
}
