/* wlsimg ui: registry logins as the page sees them.
 *
 * A login is stored where `wlsimg login` stores it (wi_creds_store: a credential helper, or the
 * 0600 auth file) or, under the "session" policy, only in this process's memory (wiped on free).
 * Passwords come in through POST bodies and never go out: descriptions carry host, user, where
 * the secret is kept and whether there is one. Thread-safe.
 */
#ifndef WI_UI_CREDS_H
#define WI_UI_CREDS_H

#include <stdbool.h>

#include "lib/err.h"

#define WI_UI_CREDS_MAX_BODY 65536

struct wi_ui_creds;

/* authfile: as --authfile (NULL = the defaults wlsimg login uses). */
struct wi_ui_creds *wi_ui_creds_new(const char *authfile);
void wi_ui_creds_free(struct wi_ui_creds *c);
const char *wi_ui_creds_authfile(const struct wi_ui_creds *c);

/* POST /api/credentials body: {"host","user","password","email"?,"name"?,"where"?:
 * "loginFile"|"session", "verify"?: bool}. Strings malloc'ed (the password is a secret). */
struct wi_ui_creds_body {
  char *host, *user, *password, *email, *name;
  bool session; /* where = "session" */
  bool verify;  /* log in before saving (default true) */
};
int wi_ui_creds_parse_body(struct wi_ui_creds_body *out, const char *text, size_t len, wi_err *err);
void wi_ui_creds_body_dispose(struct wi_ui_creds_body *b);

/* Keep a login: in memory when session, else with wi_creds_store. where_out (optional,
 * malloc'ed) names the place. */
int wi_ui_creds_save(struct wi_ui_creds *c, const char *host, const char *user,
                     const char *password, bool session, char **where_out, wi_err *err);
/* Remove from memory and from the login file. WI_ENOTFOUND when neither had it. */
int wi_ui_creds_forget(struct wi_ui_creds *c, const char *host, wi_err *err);
/* User and password for host: the session's first, then the stored login. Both malloc'ed (wipe
 * the password). want_user (optional) must match. WI_ENOTFOUND without one. where_out optional. */
int wi_ui_creds_resolve(struct wi_ui_creds *c, const char *host, const char *want_user,
                        char **user_out, char **pass_out, char **where_out, wi_err *err);
/* {"host","user","stored","where"} for host, as JSON text (malloc'ed); stored false when no login
 * is known. */
char *wi_ui_creds_describe(struct wi_ui_creds *c, const char *host);
/* Hosts with a session login (malloc'ed array of malloc'ed strings). */
char **wi_ui_creds_session_hosts(struct wi_ui_creds *c, size_t *n_out);

#endif
