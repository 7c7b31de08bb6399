/* wlsimg ui: one-time token, session cookies, CSRF values, Host and Origin checks. */
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/fs.h"
#include "lib/str.h"
#include "lib/ui_session.h"
#include "lib/util.h"

struct sess {
  char id[WI_UI_SESSION_HEX];
  char csrf[WI_UI_SESSION_HEX];
};

struct wi_ui_session {
  pthread_mutex_t mu;
  char token[33];
  bool token_used;
  struct sess v[WI_UI_SESSION_MAX];
  size_t n;
  double last_seen;
};

int
wi_ui_session_new(struct wi_ui_session **out, wi_err *err)
{
  struct wi_ui_session *s = wi_xcalloc(1, sizeof *s);
  if (wi_util_random_hex(s->token, 16, err) < 0) {
    free(s);
    return err->code;
  }
  pthread_mutex_init(&s->mu, NULL);
  s->last_seen = wi_util_now();
  *out = s;
  return 0;
}

void
wi_ui_session_free(struct wi_ui_session *s)
{
  if (s == NULL)
    return;
  pthread_mutex_destroy(&s->mu);
  explicit_bzero(s, sizeof *s);
  free(s);
}

const char *
wi_ui_session_token(const struct wi_ui_session *s)
{
  return s->token;
}

static bool
same_secret(const char *a, const char *b)
{
  size_t n = strlen(a);
  return n > 0 && n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

int
wi_ui_session_exchange(struct wi_ui_session *s, const char *token, char *id_out, char *csrf_out,
                       wi_err *err)
{
  struct sess ns;
  if (wi_util_random_hex(ns.id, 32, err) < 0 || wi_util_random_hex(ns.csrf, 32, err) < 0)
    return err->code;
  pthread_mutex_lock(&s->mu);
  bool ok = token && !s->token_used && same_secret(token, s->token);
  if (ok) {
    s->token_used = true;
    if (s->n == WI_UI_SESSION_MAX) { /* drop the oldest */
      memmove(&s->v[0], &s->v[1], (WI_UI_SESSION_MAX - 1) * sizeof s->v[0]);
      s->n--;
    }
    s->v[s->n++] = ns;
    s->last_seen = wi_util_now();
  }
  pthread_mutex_unlock(&s->mu);
  if (!ok)
    return wi_err_set(err, WI_EAUTH, "the session token is wrong or was already used");
  memcpy(id_out, ns.id, sizeof ns.id);
  memcpy(csrf_out, ns.csrf, sizeof ns.csrf);
  explicit_bzero(&ns, sizeof ns);
  return 0;
}

bool
wi_ui_session_cookie_value(const char *header, const char *name, char *out, size_t outlen)
{
  size_t nl = strlen(name);
  const char *p = header;
  while (p && *p) {
    while (*p == ' ' || *p == ';')
      p++;
    const char *end = strchr(p, ';');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
      size_t vl = len - nl - 1;
      if (vl >= outlen)
        return false;
      memcpy(out, p + nl + 1, vl);
      out[vl] = '\0';
      return true;
    }
    p = end;
  }
  return false;
}

/* Index of the session named by the cookie header, or -1. Called with the lock held. */
static int
find_locked(struct wi_ui_session *s, const char *cookie_header)
{
  char id[WI_UI_SESSION_HEX];
  if (cookie_header == NULL ||
      !wi_ui_session_cookie_value(cookie_header, WI_UI_SESSION_COOKIE, id, sizeof id))
    return -1;
  for (size_t i = 0; i < s->n; i++)
    if (same_secret(id, s->v[i].id))
      return (int)i;
  return -1;
}

bool
wi_ui_session_find(struct wi_ui_session *s, const char *cookie_header, char *csrf_out)
{
  pthread_mutex_lock(&s->mu);
  int i = find_locked(s, cookie_header);
  if (i >= 0) {
    s->last_seen = wi_util_now();
    if (csrf_out)
      memcpy(csrf_out, s->v[i].csrf, WI_UI_SESSION_HEX);
  }
  pthread_mutex_unlock(&s->mu);
  return i >= 0;
}

bool
wi_ui_session_csrf_ok(struct wi_ui_session *s, const char *cookie_header, const char *csrf)
{
  pthread_mutex_lock(&s->mu);
  int i = find_locked(s, cookie_header);
  bool ok = i >= 0 && csrf && same_secret(csrf, s->v[i].csrf);
  pthread_mutex_unlock(&s->mu);
  return ok;
}

double
wi_ui_session_last_seen(struct wi_ui_session *s)
{
  pthread_mutex_lock(&s->mu);
  double t = s->last_seen;
  pthread_mutex_unlock(&s->mu);
  return t;
}

void
wi_ui_session_touch(struct wi_ui_session *s)
{
  pthread_mutex_lock(&s->mu);
  s->last_seen = wi_util_now();
  pthread_mutex_unlock(&s->mu);
}

static bool
host_is(const char *host, const char *name, unsigned port)
{
  char want[300];
  snprintf(want, sizeof want, "%s:%u", name, port);
  return strcasecmp(host, want) == 0;
}

bool
wi_ui_session_host_ok(const char *host, unsigned port, const char *extra_host)
{
  if (host == NULL)
    return false;
  return host_is(host, "127.0.0.1", port) || host_is(host, "localhost", port) ||
         host_is(host, "[::1]", port) || (extra_host && host_is(host, extra_host, port));
}

bool
wi_ui_session_origin_ok(const char *origin, const char *host)
{
  if (origin == NULL)
    return true;
  if (host == NULL || strncasecmp(origin, "http://", 7) != 0)
    return false;
  return strcasecmp(origin + 7, host) == 0;
}
