/* wlsimg ui: the HTTP server of `wlsimg ui` (libmicrohttpd, thread per connection).
 *
 * Serves the embedded page and the JSON API on a loopback address (another address only with
 * allow_remote). Every request's Host must name the server (127.0.0.1, localhost or [::1] with the
 * port; DNS rebinding), every /api request but the session handshake needs the session cookie
 * (401) and the X-Wlsimg-CSRF header (403; the event stream may pass it as ?csrf=, since
 * EventSource cannot set headers), and a state-changing request whose Origin is not this server
 * is refused (403). Answers carry Content-Security-Policy "default-src 'self'; frame-ancestors
 * 'none'", X-Content-Type-Options nosniff, and Cache-Control no-store on /api. No CORS.
 */
#ifndef WI_UI_SERVER_H
#define WI_UI_SERVER_H

#include <stdbool.h>

#include "lib/err.h"

/* The request log's lines start with this (they are not a job's, so no job log gets them). */
#define WI_UI_SERVER_REQUEST_LOG "request: "

struct wi_ui_server_opts {
  const char *listen;       /* "127.0.0.1:0" by default */
  bool allow_remote;        /* listen on a non-loopback address */
  const char *project_file; /* required */
  const char *store_root;   /* NULL: the default store */
  const char *fs_root;      /* NULL: the file browser shows the home and project directories */
  const char *authfile;     /* NULL: where wlsimg login keeps logins */
  int tls_verify;           /* registry TLS verification, 1 by default */
};

struct wi_ui_server;

/* Start listening. WI_EINVAL for a bad or non-loopback address without allow_remote. */
int wi_ui_server_start(struct wi_ui_server **out, const struct wi_ui_server_opts *o, wi_err *err);
/* Stop: ends event streams, cancels a running job and waits for it. */
void wi_ui_server_stop(struct wi_ui_server *s);
/* "http://127.0.0.1:<port>/#t=<token>". Borrowed. */
const char *wi_ui_server_url(const struct wi_ui_server *s);
/* Seconds since the last sign of a user (a request with a session, an open event stream, a
 * running job). */
double wi_ui_server_idle_seconds(struct wi_ui_server *s);

#endif
