/* wlsimg ui: the browser session and the request checks that guard the API.
 *
 * The server prints a one-time 128-bit token in the URL fragment. The page trades it (POST
 * /api/session) for a session: a 256-bit id sent back as an HttpOnly SameSite=Strict cookie, and
 * a CSRF value the page sends in X-Wlsimg-CSRF. The token works once; a reload keeps the cookie and
 * asks for the CSRF value again (GET /api/session). Values are compared in constant time.
 * Thread-safe.
 */
#ifndef WI_UI_SESSION_H
#define WI_UI_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

#define WI_UI_SESSION_COOKIE "wlsimg_session"
#define WI_UI_SESSION_HEX    65 /* 32 random bytes as hex + NUL */
#define WI_UI_SESSION_MAX    16 /* live sessions; the oldest is dropped beyond */

struct wi_ui_session;

int wi_ui_session_new(struct wi_ui_session **out, wi_err *err);
void wi_ui_session_free(struct wi_ui_session *s);
/* The one-time token for the printed URL (32 hex digits). Borrowed. */
const char *wi_ui_session_token(const struct wi_ui_session *s);
/* Trade the token for a session id and CSRF value (both WI_UI_SESSION_HEX buffers). WI_EAUTH when
 * the token is wrong or was already used. */
int wi_ui_session_exchange(struct wi_ui_session *s, const char *token, char *id_out, char *csrf_out,
                           wi_err *err);
/* The session named by a Cookie header: true and its CSRF value copied to csrf_out (optional). */
bool wi_ui_session_find(struct wi_ui_session *s, const char *cookie_header, char *csrf_out);
/* Does the X-Wlsimg-CSRF value belong to the session of this Cookie header? */
bool wi_ui_session_csrf_ok(struct wi_ui_session *s, const char *cookie_header, const char *csrf);
/* Seconds (wi_util_now) of the last request that carried a valid session, or of the start. */
double wi_ui_session_last_seen(struct wi_ui_session *s);
/* Mark activity now (an open event stream counts). */
void wi_ui_session_touch(struct wi_ui_session *s);

/* DNS-rebinding check: Host must be 127.0.0.1:<port>, localhost:<port>, [::1]:<port>, or
 * extra_host:<port> (the --listen address with --allow-remote; may be NULL). */
bool wi_ui_session_host_ok(const char *host, unsigned port, const char *extra_host);
/* A state-changing request's Origin (may be NULL: non-browser clients send none) must be
 * "http://" + the request's Host. */
bool wi_ui_session_origin_ok(const char *origin, const char *host);
/* The value of cookie `name` in a Cookie header, copied to out (outlen bytes); false if absent. */
bool wi_ui_session_cookie_value(const char *header, const char *name, char *out, size_t outlen);

#endif
