/* wlsimg: registry authentication pieces that need no network: WWW-Authenticate challenge parsing
 * (RFC 7235 with the registry quirks: case-insensitive scheme, quoted commas, several challenges in
 * one header), token responses, and scopes. The token flow itself lives in regclient.c. */
#ifndef WI_AUTH_H
#define WI_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct wi_auth_challenge {
  char *scheme;  /* lower case: "basic", "bearer" */
  char *realm;   /* may be NULL */
  char *service; /* may be NULL */
  char *scope;   /* may be NULL; space-separated scopes */
  char *error;   /* e.g. "insufficient_scope", may be NULL */
};

/* Parse one WWW-Authenticate header value (possibly several challenges). WI_EINVAL on garbage. */
int wi_auth_parse_challenges(const char *header, struct wi_auth_challenge **out, size_t *n_out,
                             wi_err *err);
void wi_auth_challenges_free(struct wi_auth_challenge *c, size_t n);

struct wi_token {
  char *token;         /* access_token preferred over token */
  char *refresh_token; /* optional */
  double expires_at;   /* wi_util_now() based */
};

/* Parse a token endpoint answer; now = wi_util_now() at receipt. expires_in < 60 counts as 60. */
int wi_auth_parse_token_response(const char *body, size_t len, double now, struct wi_token *out,
                                 wi_err *err);
void wi_auth_token_dispose(struct wi_token *t);

/* "Basic base64(user:pass)" header value, malloc'ed (wipe with wi_alloc_secret_free). */
char *wi_auth_basic_header(const char *user, const char *password);

#endif
