/* Unit tests for src/lib/ui_session.c: the one-time token, cookies, CSRF values, Host and Origin.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "lib/ui_session.h"

static struct wi_ui_session *
session_new(void)
{
  struct wi_ui_session *s = NULL;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_ui_session_new(&s, &err), 0);
  return s;
}

static void
cookie_for(const char *id, char *out, size_t n)
{
  snprintf(out, n, "theme=dark; %s=%s; other=1", WI_UI_SESSION_COOKIE, id);
}

TEST(token_is_128_bit_hex)
{
  struct wi_ui_session *s = session_new();
  const char *t = wi_ui_session_token(s);
  CHECK_INT_EQ(strlen(t), 32);
  CHECK_INT_EQ(strspn(t, "0123456789abcdef"), 32);
  struct wi_ui_session *s2 = session_new();
  CHECK(strcmp(t, wi_ui_session_token(s2)) != 0);
  wi_ui_session_free(s);
  wi_ui_session_free(s2);
}

TEST(exchange_once)
{
  struct wi_ui_session *s = session_new();
  char id[WI_UI_SESSION_HEX], csrf[WI_UI_SESSION_HEX], cookie[200], got[WI_UI_SESSION_HEX];
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_ui_session_exchange(s, "0123", id, csrf, &err), WI_EAUTH);
  CHECK_STR_HAS(err.msg, "wrong or was already used");
  CHECK_INT_EQ(wi_ui_session_exchange(s, NULL, id, csrf, &err), WI_EAUTH);
  char token[40];
  snprintf(token, sizeof token, "%s", wi_ui_session_token(s));
  CHECK_INT_EQ(wi_ui_session_exchange(s, token, id, csrf, &err), 0);
  CHECK_INT_EQ(strlen(id), 64);
  CHECK(strcmp(id, csrf) != 0);
  CHECK_INT_EQ(wi_ui_session_exchange(s, token, id, csrf, &err), WI_EAUTH);
  cookie_for(id, cookie, sizeof cookie);
  CHECK(wi_ui_session_find(s, cookie, got));
  CHECK_STR_EQ(got, csrf);
  CHECK(wi_ui_session_csrf_ok(s, cookie, csrf));
  CHECK(!wi_ui_session_csrf_ok(s, cookie, id));
  CHECK(!wi_ui_session_csrf_ok(s, cookie, NULL));
  CHECK(!wi_ui_session_csrf_ok(s, cookie, ""));
  cookie[strlen(cookie) - 10] ^= 1; /* a changed id in the middle of the header */
  CHECK(!wi_ui_session_find(s, cookie, NULL));
  CHECK(!wi_ui_session_find(s, "wlsimg_session=00", NULL));
  CHECK(!wi_ui_session_find(s, NULL, NULL));
  CHECK(!wi_ui_session_csrf_ok(s, "x=1", csrf));
  wi_ui_session_free(s);
}

TEST(cookie_values)
{
  char v[16];
  CHECK(wi_ui_session_cookie_value("a=1; b=22", "b", v, sizeof v));
  CHECK_STR_EQ(v, "22");
  CHECK(wi_ui_session_cookie_value("a=1;b=3", "b", v, sizeof v));
  CHECK_STR_EQ(v, "3");
  CHECK(!wi_ui_session_cookie_value("ab=1", "b", v, sizeof v));
  CHECK(!wi_ui_session_cookie_value("b", "b", v, sizeof v));
  CHECK(!wi_ui_session_cookie_value("b=0123456789abcdef0", "b", v, sizeof v)); /* too long */
  CHECK(!wi_ui_session_cookie_value("", "b", v, sizeof v));
}

TEST(host_and_origin)
{
  CHECK(wi_ui_session_host_ok("127.0.0.1:8080", 8080, NULL));
  CHECK(wi_ui_session_host_ok("localhost:8080", 8080, NULL));
  CHECK(wi_ui_session_host_ok("LOCALHOST:8080", 8080, NULL));
  CHECK(wi_ui_session_host_ok("[::1]:8080", 8080, NULL));
  CHECK(!wi_ui_session_host_ok("127.0.0.1:8081", 8080, NULL));
  CHECK(!wi_ui_session_host_ok("127.0.0.1", 8080, NULL));
  CHECK(!wi_ui_session_host_ok("evil.example:8080", 8080, NULL));
  CHECK(!wi_ui_session_host_ok("127.0.0.1:8080.evil.example", 8080, NULL));
  CHECK(!wi_ui_session_host_ok(NULL, 8080, NULL));
  CHECK(wi_ui_session_host_ok("10.0.0.5:8080", 8080, "10.0.0.5"));
  CHECK(wi_ui_session_origin_ok(NULL, "127.0.0.1:1"));
  CHECK(wi_ui_session_origin_ok("http://127.0.0.1:1", "127.0.0.1:1"));
  CHECK(!wi_ui_session_origin_ok("https://127.0.0.1:1", "127.0.0.1:1"));
  CHECK(!wi_ui_session_origin_ok("http://evil.example", "127.0.0.1:1"));
  CHECK(!wi_ui_session_origin_ok("null", "127.0.0.1:1"));
  CHECK(!wi_ui_session_origin_ok("http://127.0.0.1:1", NULL));
}

TEST(activity)
{
  struct wi_ui_session *s = session_new();
  char first[WI_UI_SESSION_HEX], csrf[WI_UI_SESSION_HEX], cookie[200];
  wi_err err = { 0 };
  char token[40];
  snprintf(token, sizeof token, "%s", wi_ui_session_token(s));
  CHECK_INT_EQ(wi_ui_session_exchange(s, token, first, csrf, &err), 0);
  cookie_for(first, cookie, sizeof cookie);
  CHECK(wi_ui_session_find(s, cookie, NULL));
  double t = wi_ui_session_last_seen(s);
  CHECK(t > 0);
  wi_ui_session_touch(s);
  CHECK(wi_ui_session_last_seen(s) >= t);
  wi_ui_session_free(s);
}

int
main(void)
{
  RUN(token_is_128_bit_hex);
  RUN(exchange_once);
  RUN(cookie_values);
  RUN(host_and_origin);
  RUN(activity);
  DONE();
}
