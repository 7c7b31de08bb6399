/* wlsimg: jansson helpers shared by the modules that emit JSON (manifest, imgconfig).
 *
 * For src/lib only: json_t never crosses into the CLI.
 */
#ifndef WI_JSON_H
#define WI_JSON_H

#include <jansson.h>

/* A new JSON string of s (NUL-terminated); bytes that are not UTF-8 become '?' (jansson refuses
 * them, and a value that silently went missing would be worse). */
json_t *wi_json_str(const char *s);

/* json_object_set_new(obj, key, v) with key made valid UTF-8 as in wi_json_str(); steals v. */
void wi_json_set(json_t *obj, const char *key, json_t *v);

/* "an object", "an array", "a string", "an integer", "a number", "a boolean" or "null" (for
 * messages: "expected a string, got an array"). */
const char *wi_json_type_name(const json_t *j);

#endif
