#include "lib/base64.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/alloc.h"

char *
wi_base64_encode(const void *data, size_t len)
{
  size_t cap = 4 * ((len + 2) / 3) + 1;
  char *out = wi_xmalloc(cap);
  int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
  out[n] = '\0';
  return out;
}

unsigned char *
wi_base64_decode(const char *s, size_t *len_out)
{
  size_t len = strlen(s);
  if (len % 4 != 0)
    return NULL;
  unsigned char *out = wi_xmalloc(len / 4 * 3 + 1);
  int n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
  if (n < 0) {
    free(out);
    return NULL;
  }
  /* EVP_DecodeBlock counts padding bytes as data; remove them. */
  if (len >= 1 && s[len - 1] == '=')
    n--;
  if (len >= 2 && s[len - 2] == '=')
    n--;
  out[n] = '\0';
  *len_out = (size_t)n;
  return out;
}

char *
wi_base64_url_encode(const void *data, size_t len)
{
  char *s = wi_base64_encode(data, len);
  size_t n = strlen(s);
  while (n > 0 && s[n - 1] == '=')
    s[--n] = '\0';
  for (char *p = s; *p; p++) {
    if (*p == '+')
      *p = '-';
    else if (*p == '/')
      *p = '_';
  }
  return s;
}

unsigned char *
wi_base64_url_decode(const char *s, size_t len, size_t *len_out)
{
  size_t padded = (len + 3) / 4 * 4;
  wi_autofree char *tmp = wi_xmalloc(padded + 1);

  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=')
      return NULL;
    tmp[i] = c;
  }
  for (size_t i = len; i < padded; i++)
    tmp[i] = '=';
  tmp[padded] = '\0';
  if (len % 4 == 1)
    return NULL;
  return wi_base64_decode(tmp, len_out);
}
