/* wlsimg: Java properties files (java.util.Properties load and store), as WIT's cache uses them. */
#ifndef WI_PROPS_H
#define WI_PROPS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

#define WI_MAX_PROPS_BYTES (4 * 1024 * 1024)

struct wi_prop {
  char *key;   /* UTF-8 */
  char *value; /* UTF-8 */
};

struct wi_props {
  struct wi_prop *v;
  size_t n;
};

/* Parse Properties.load text: '#'/'!' comments, '=' or ':' or whitespace separators, backslash
 * continuations, escapes (\t \n \r \f \uXXXX, \x = x). Later duplicates replace earlier ones.
 * Bytes >= 0x80 are taken as UTF-8 when valid, else as Latin-1 (Java's reading). WI_EINVAL on a
 * malformed \u escape (naming the line); WI_ETOOBIG beyond WI_MAX_PROPS_BYTES. */
int wi_props_parse(struct wi_props *out, const char *text, size_t len, wi_err *err);
void wi_props_dispose(struct wi_props *p);
/* Value for key or NULL (borrowed). */
const char *wi_props_get(const struct wi_props *p, const char *key);
/* Set (replace or append; copies). */
void wi_props_set(struct wi_props *p, const char *key, const char *value);
/* Remove; returns true when the key was there. */
bool wi_props_delete(struct wi_props *p, const char *key);
/* Sort by key (byte order). */
void wi_props_sort(struct wi_props *p);
/* Properties.store text, entries in their current order, escaped as Java does (keys: space and
 * = : # ! \ escaped; values: the same, but only a leading space; anything outside printable
 * ASCII as \uXXXX). header_time (epoch seconds, local time) gives the two comment lines
 * "#changed on:..." and "#<Date>"; pass -1 for the current time. malloc'ed. */
char *wi_props_store(const struct wi_props *p, long long header_time, size_t *len_out);
/* Escape one key or value as Properties.store does (malloc'ed). */
char *wi_props_escape(const char *s, bool is_key);

#endif
