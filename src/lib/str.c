#include "lib/str.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t
wi_str_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
  size_t len;
  uint32_t c = s[0], min;

  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
    c &= 0x1f;
    min = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    c &= 0x0f;
    min = 0x800;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    c &= 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    c = (c << 6) | (s[i] & 0x3f);
  }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
    return 0;
  *cp = c;
  return len;
}

bool
wi_str_has_prefix(const char *s, const char *prefix)
{
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
wi_str_has_suffix(const char *s, const char *suffix)
{
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

int
wi_str_hexval(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* The escape for one ASCII control byte (or a backslash) into esc; its length. */
static size_t
escape_byte(char esc[8], unsigned char c)
{
  switch (c) {
  case '\n':
    return (size_t)snprintf(esc, 8, "\\n");
  case '\r':
    return (size_t)snprintf(esc, 8, "\\r");
  case '\t':
    return (size_t)snprintf(esc, 8, "\\t");
  case '\\':
    return (size_t)snprintf(esc, 8, "\\\\");
  default:
    return (size_t)snprintf(esc, 8, "\\x%02x", c);
  }
}

size_t
wi_str_escape_ctl(char *out, size_t outlen, const char *s, size_t len)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t o = 0;

  if (outlen == 0)
    return 0;
  for (size_t i = 0; i < len;) {
    char esc[8];
    uint32_t cp = 0;
    size_t n = u[i] < 0x80 ? 1 : wi_str_utf8_decode(u + i, len - i, &cp);
    const char *piece = esc;
    size_t plen;
    if (n == 0) { /* not UTF-8: show the byte */
      plen = escape_byte(esc, u[i]);
      n = 1;
    } else if (n == 1 && (u[i] < 0x20 || u[i] == 0x7f || u[i] == '\\')) {
      plen = escape_byte(esc, u[i]);
    } else if (n == 2 && cp <= 0x9f) { /* C1 controls */
      plen = (size_t)snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
    } else {
      piece = s + i;
      plen = n;
    }
    if (o + plen >= outlen)
      break;
    memcpy(out + o, piece, plen);
    o += plen;
    i += n;
  }
  out[o] = '\0';
  return o;
}
