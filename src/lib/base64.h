/* wlsimg: base64 and base64url encoding (via OpenSSL). */
#ifndef WI_BASE64_H
#define WI_BASE64_H

#include <stddef.h>

/* Base64 (standard alphabet, padded, one line) via OpenSSL. Returns malloc'ed strings. */
char *wi_base64_encode(const void *data, size_t len);
/* Decode standard base64; NULL on invalid input. */
unsigned char *wi_base64_decode(const char *s, size_t *len_out);
/* base64url without padding (JWT). */
char *wi_base64_url_encode(const void *data, size_t len);
unsigned char *wi_base64_url_decode(const char *s, size_t len, size_t *len_out);

#endif
