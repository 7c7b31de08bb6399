/* wlsimg: WWW-Authenticate challenges (RFC 7235 plus registry quirks), token responses and Basic
 * credentials. A small cursor parser; fuzzed by fuzz/auth_fuzz.c. */
#include "lib/auth.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/util.h"

#define MAX_HEADER_LEN     (64 * 1024)
#define MAX_CHALLENGES     16
#define MAX_TOKEN_RESPONSE (1024 * 1024)
#define MIN_EXPIRES_IN     60

struct cursor {
  const char *s;
  const char *p;
};

static bool
is_tchar(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool
is_t68char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != '\0' && strchr("-._~+/", c) != NULL);
}

static void
skip_ows(struct cursor *c)
{
  while (*c->p == ' ' || *c->p == '\t')
    c->p++;
}

static size_t
token_len(const char *p)
{
  size_t n = 0;
  while (is_tchar(p[n]))
    n++;
  return n;
}

static int
syntax_error(const struct cursor *c, const char *what, wi_err *err)
{
  char shown[300]; /* the header comes from the registry: escaped for a terminal */
  wi_str_escape_ctl(shown, sizeof shown, c->s, strnlen(c->s, 200));
  return wi_err_set(err, WI_EINVAL, "WWW-Authenticate header \"%s\": %s at offset %zu", shown, what,
                    (size_t)(c->p - c->s));
}

/* quoted-string with backslash escapes. *out malloc'ed. */
static int
parse_quoted(struct cursor *c, char **out, wi_err *err)
{
  struct wi_buf b = WI_BUF_INIT(MAX_HEADER_LEN);
  c->p++; /* opening quote */
  for (;;) {
    char ch = *c->p;
    if (ch == '\0') {
      wi_buf_dispose(&b);
      return syntax_error(c, "unterminated quoted string", err);
    }
    c->p++;
    if (ch == '"')
      break;
    if (ch == '\\') {
      if (*c->p == '\0')
        continue; /* reported as unterminated on the next turn */
      ch = *c->p++;
    }
    wi_buf_add(&b, &ch, 1, NULL); /* cannot exceed the cap: input length is capped */
  }
  *out = wi_buf_steal(&b);
  return 0;
}

/* Unquoted value: registries (old zot) send realm=http://host/token, which is not an RFC token,
 * so take everything up to a comma or white space. */
static char *
parse_bare(struct cursor *c)
{
  const char *start = c->p;
  while (*c->p && *c->p != ',' && *c->p != ' ' && *c->p != '\t')
    c->p++;
  return wi_xstrndup(start, (size_t)(c->p - start));
}

/* token68 right after the scheme ("Basic dXNlcg==", "Negotiate abc"): skipped. True when found. */
static bool
skip_token68(struct cursor *c)
{
  const char *q = c->p;
  while (is_t68char(*q))
    q++;
  if (q == c->p)
    return false;
  while (*q == '=')
    q++;
  const char *end = q;
  while (*end == ' ' || *end == '\t')
    end++;
  if (*end != '\0' && *end != ',')
    return false;
  c->p = end;
  return true;
}

static char **
param_slot(struct wi_auth_challenge *ch, const char *name, size_t len)
{
  static const struct {
    const char *name;
    size_t off;
  } known[] = {
    { "realm", offsetof(struct wi_auth_challenge, realm) },
    { "service", offsetof(struct wi_auth_challenge, service) },
    { "scope", offsetof(struct wi_auth_challenge, scope) },
    { "error", offsetof(struct wi_auth_challenge, error) },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(known); i++)
    if (strlen(known[i].name) == len && strncasecmp(name, known[i].name, len) == 0)
      return (char **)((char *)ch + known[i].off);
  return NULL;
}

/* auth-params of one challenge, up to the next scheme or the end. */
static int
parse_params(struct cursor *c, struct wi_auth_challenge *ch, wi_err *err)
{
  for (;;) {
    while (*c->p == ' ' || *c->p == '\t' || *c->p == ',')
      c->p++;
    if (*c->p == '\0')
      return 0;
    const char *name = c->p;
    size_t nlen = token_len(name);
    if (nlen == 0)
      return syntax_error(c, "expected a parameter name", err);
    struct cursor look = { c->s, name + nlen };
    skip_ows(&look);
    if (*look.p != '=')
      return 0; /* a token without '=' starts the next challenge */
    c->p = look.p + 1;
    skip_ows(c);
    char *value = NULL;
    if (*c->p == '"') {
      int ret = parse_quoted(c, &value, err);
      if (ret < 0)
        return ret;
    } else {
      value = parse_bare(c);
    }
    char **slot = param_slot(ch, name, nlen);
    if (slot && *slot == NULL)
      *slot = value; /* the first occurrence wins */
    else
      free(value);
    skip_ows(c);
    if (*c->p != '\0' && *c->p != ',')
      return syntax_error(c, "expected ',' after a parameter", err);
  }
}

int
wi_auth_parse_challenges(const char *header, struct wi_auth_challenge **out, size_t *n_out,
                         wi_err *err)
{
  struct cursor c = { header, header };
  struct wi_auth_challenge *v = NULL;
  size_t n = 0;
  int ret = 0;

  if (strlen(header) > MAX_HEADER_LEN)
    return wi_err_set(err, WI_EINVAL, "WWW-Authenticate header longer than %d bytes",
                      MAX_HEADER_LEN);
  for (;;) {
    while (*c.p == ' ' || *c.p == '\t' || *c.p == ',')
      c.p++;
    if (*c.p == '\0')
      break;
    size_t slen = token_len(c.p);
    if (slen == 0) {
      ret = syntax_error(&c, "expected an authentication scheme", err);
      break;
    }
    if (n == MAX_CHALLENGES) {
      ret = syntax_error(&c, "too many challenges", err);
      break;
    }
    v = wi_xreallocarray(v, n + 1, sizeof *v);
    struct wi_auth_challenge *ch = &v[n++];
    memset(ch, 0, sizeof *ch);
    ch->scheme = wi_xstrndup(c.p, slen);
    for (char *q = ch->scheme; *q; q++)
      if (*q >= 'A' && *q <= 'Z')
        *q = (char)(*q - 'A' + 'a');
    c.p += slen;
    if (*c.p != '\0' && *c.p != ' ' && *c.p != '\t' && *c.p != ',') {
      ret = syntax_error(&c, "expected a space after the scheme", err);
      break;
    }
    skip_ows(&c);
    if (skip_token68(&c))
      continue;
    ret = parse_params(&c, ch, err);
    if (ret < 0)
      break;
  }
  if (ret == 0 && n == 0)
    ret = wi_err_set(err, WI_EINVAL, "WWW-Authenticate header \"%.200s\": no challenge", header);
  if (ret < 0) {
    wi_auth_challenges_free(v, n);
    return ret;
  }
  *out = v;
  *n_out = n;
  return 0;
}

void
wi_auth_challenges_free(struct wi_auth_challenge *c, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(c[i].scheme);
    free(c[i].realm);
    free(c[i].service);
    free(c[i].scope);
    free(c[i].error);
  }
  free(c);
}

static const char *
nonempty_string(json_t *o, const char *key)
{
  const char *s = json_string_value(json_object_get(o, key));
  return s && *s ? s : NULL;
}

/* The expiry counts from receipt (now), not from issued_at: the local clock may be skewed against
 * the token server's, and wi_util_now() is monotonic anyway. */
int
wi_auth_parse_token_response(const char *body, size_t len, double now, struct wi_token *out,
                             wi_err *err)
{
  json_error_t jerr;

  if (len > MAX_TOKEN_RESPONSE)
    return wi_err_set(err, WI_ETOOBIG, "token response larger than %d bytes", MAX_TOKEN_RESPONSE);
  json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL) /* jerr.text may quote the token: leave it out */
    return wi_err_set(err, WI_EPROTO, "token response is not valid JSON (line %d, column %d)",
                      jerr.line, jerr.column);
  int ret = 0;
  const char *tok = nonempty_string(root, "access_token");
  if (tok == NULL)
    tok = nonempty_string(root, "token");
  json_t *exp = json_object_get(root, "expires_in");
  if (!json_is_object(root)) {
    ret = wi_err_set(err, WI_EPROTO, "token response is not a JSON object");
  } else if (tok == NULL) {
    ret = wi_err_set(err, WI_EPROTO, "token response has neither \"access_token\" nor \"token\"");
  } else if (exp && !json_is_number(exp)) {
    ret = wi_err_set(err, WI_EPROTO, "token response: expires_in: expected a number");
  } else {
    double secs = exp ? json_number_value(exp) : 0;
    if (!isfinite(secs) || secs < MIN_EXPIRES_IN)
      secs = MIN_EXPIRES_IN;
    memset(out, 0, sizeof *out);
    out->token = wi_xstrdup(tok);
    const char *rt = nonempty_string(root, "refresh_token");
    out->refresh_token = rt ? wi_xstrdup(rt) : NULL;
    out->expires_at = now + secs;
  }
  json_decref(root);
  return ret;
}

void
wi_auth_token_dispose(struct wi_token *t)
{
  if (t == NULL)
    return;
  wi_alloc_secret_free(t->token);
  wi_alloc_secret_free(t->refresh_token);
  memset(t, 0, sizeof *t);
}

char *
wi_auth_basic_header(const char *user, const char *password)
{
  char *plain = wi_xasprintf("%s:%s", user ? user : "", password ? password : "");
  char *b64 = wi_base64_encode(plain, strlen(plain));
  char *hdr = wi_xasprintf("Basic %s", b64);
  wi_alloc_secret_free(plain);
  wi_alloc_secret_free(b64);
  return hdr;
}
