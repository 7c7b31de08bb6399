/* wlsimg: small string helpers: prefixes, suffixes, UTF-8, hex digits, escaping control characters.
 */
#ifndef WI_STR_H
#define WI_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool wi_str_has_prefix(const char *s, const char *prefix);
/* Length (1-4) of the valid UTF-8 sequence at s, of which n bytes may be read, with its code point
 * in *cp; 0 when it is not one (truncated, overlong, a surrogate, above U+10FFFF). */
size_t wi_str_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
bool wi_str_has_suffix(const char *s, const char *suffix);

/* The value of one hex digit (either case), or -1. */
int wi_str_hexval(char c);

/* Text from outside (a registry's error message, a header) made safe for a terminal or a log line:
 * the len bytes of s are written to out (outlen bytes, always NUL-terminated, cut before an
 * escape or a character that does not fit) with \n \r \t and \\ escaped as such, other C0
 * controls, DEL and bytes that are not valid UTF-8 as \xNN, and C1 controls (U+0080-U+009F, which
 * terminals also obey) as \u00NN. Returns the length written. */
size_t wi_str_escape_ctl(char *out, size_t outlen, const char *s, size_t len);

#endif
