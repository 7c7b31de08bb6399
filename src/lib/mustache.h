/* wlsimg: a small mustache renderer with the behaviour of mustache.java 0.9.14, the engine WIT
 * renders its additional build commands and resource templates with.
 *
 * Supported: {{name}} (HTML-escaped as mustache.java escapes), {{{name}}} and {{&name}}
 * (verbatim), dotted names (responseFile.name), {{.}}, sections {{#x}}…{{/x}} (a list iterates, an
 * object becomes the innermost scope, a true boolean or a non-empty string renders once), inverted
 * sections {{^x}}…{{/x}}, comments {{! … }} and delimiter changes {{=<% %>=}}. A tag alone on its
 * line (sections, comments, delimiters) takes the line with it. Unknown names render as nothing.
 * Partials are not supported (WI_EUNSUPPORTED): user text has nothing to include.
 *
 * Values are a small tree (struct wi_mustache_val) that the caller builds with wi_mustache_obj_*;
 * the tree owns its arrays, never the strings it points to.
 */
#ifndef WI_MUSTACHE_H
#define WI_MUSTACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"

enum wi_mustache_kind {
  WI_MUSTACHE_NULL = 0,
  WI_MUSTACHE_STR,
  WI_MUSTACHE_BOOL,
  WI_MUSTACHE_LIST, /* v[0..n) are the items */
  WI_MUSTACHE_OBJ,  /* v[0..n) are the fields, each with a name */
};

struct wi_mustache_val {
  const char *name; /* field name inside an object (borrowed) */
  enum wi_mustache_kind kind;
  const char *str; /* WI_MUSTACHE_STR (borrowed) */
  bool b;          /* WI_MUSTACHE_BOOL */
  struct wi_mustache_val *v;
  size_t n, cap;
};

/* Building an object (or list): fields are appended; strings are borrowed and must outlive it. */
void wi_mustache_obj_str(struct wi_mustache_val *obj, const char *name, const char *s);
void wi_mustache_obj_bool(struct wi_mustache_val *obj, const char *name, bool b);
/* A list field of strings (items borrowed). */
void wi_mustache_obj_strs(struct wi_mustache_val *obj, const char *name, const char *const *items,
                          size_t n);
/* A new empty list or object field, returned for filling (valid until the next append to obj). */
struct wi_mustache_val *wi_mustache_obj_add(struct wi_mustache_val *obj, const char *name,
                                            enum wi_mustache_kind kind);
/* Free what the tree allocated (not the strings); *v is left empty. */
void wi_mustache_val_dispose(struct wi_mustache_val *v);

/* Render tmpl against ctx (an object) into *out (malloc'ed). WI_EINVAL for a malformed template
 * ("unclosed section x", "unexpected {{/y}}", "unclosed tag"); WI_EUNSUPPORTED for a partial. */
int wi_mustache_render(const char *tmpl, const struct wi_mustache_val *ctx, char **out,
                       wi_err *err);

/* mustache.java's HTML escaping of s: & < > " ' = ` and every character up to 13 (TAB, LF, CR…)
 * become entities. Appended to b. */
void wi_mustache_escape(struct wi_buf *b, const char *s);

#endif
