/* wlsimg: the part of Go's text/template that docker users type in --format, run on JSON records.
 *
 *   table                       the command's default table
 *   table TEMPLATE              TEMPLATE per row, with a header row, columns aligned at tabs
 *   json                        each record as one line of JSON ({{json .}})
 *   TEMPLATE                    TEMPLATE per record, nothing aligned
 *
 * TEMPLATE is text with actions: {{.Field}}, {{.Field.Sub}}, {{.}}, {{json .}}, {{json .Field}},
 * {{upper .Field}}, {{lower .Field}}, {{truncate .Field N}}; "\t" and "\n" typed as two characters
 * become a tab and a newline (as docker does). Everything else Go templates have (pipelines, if,
 * range, "{{-") is refused with a message naming the action and what is supported. Values print as
 * Go prints them: strings as they are, objects as map[k:v …], arrays as [a b], null as <nil>; a
 * record's missing field is an error, a missing key below it prints <no value>.
 */
#ifndef WI_GOTMPL_H
#define WI_GOTMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"

#define WI_GOTMPL_MAX_TEXT 65536

struct wi_gotmpl;

/* Parse a --format value. "table" alone gives is_table with no template (the caller uses its
 * default one); "json" gives {{json .}}. WI_EUSAGE for anything outside the subset. */
int wi_gotmpl_parse(struct wi_gotmpl **out, const char *text, wi_err *err);
void wi_gotmpl_free(struct wi_gotmpl *t);
static inline void
wi_gotmpl_freep(struct wi_gotmpl **pp)
{
  if (*pp)
    wi_gotmpl_free(*pp);
}
bool wi_gotmpl_is_table(const struct wi_gotmpl *t);
/* "table" alone: no template of its own. */
bool wi_gotmpl_is_empty(const struct wi_gotmpl *t);

/* Run the template on one JSON record (an object), appending to out (no newline added). WI_EUSAGE
 * for a field the record lacks (the message lists the record's fields); WI_EINVAL for a record that
 * is not a JSON object. */
int wi_gotmpl_exec(const struct wi_gotmpl *t, const char *json, size_t len, struct wi_buf *out,
                   wi_err *err);

/* A record: a JSON object of string fields in the given order, from n key/value pairs
 * (kv[2i] = key, kv[2i+1] = value; a NULL value is ""). malloc'ed. */
char *wi_gotmpl_record(const char *const *kv, size_t n);

/* The same with one more member, list_key, an array of the n_list strings (skopeo's
 * {"Repository": …, "Tags": […]}). malloc'ed. */
char *wi_gotmpl_record_list(const char *const *kv, size_t n, const char *list_key,
                            const char *const *list, size_t n_list);

/* Align tab-separated cells in columns as docker's tables (Go's tabwriter: a column is as wide as
 * its widest cell plus 3, at least 10; the last cell of a line is not padded). malloc'ed. */
char *wi_gotmpl_tabalign(const char *text);

#endif
