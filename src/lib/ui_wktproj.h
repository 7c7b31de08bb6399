/* wlsimg ui: Import WKT UI project… — read a WebLogic Kubernetes Toolkit UI project (.wktproj).
 *
 * The settings that have a wlsimg equivalent are laid over a wlsimg project (the table in the UI
 * specification, section 9.7); the registry credentials are returned so that the page can offer
 * to save each as a login. WKT UI encrypts the values listed in "credentialPaths" with a
 * passphrase: base64(zlib(b64(tag) "-" b64(ciphertext) "-" b64(iv) "-" b64(salt))), AES-256-GCM
 * with a 16-byte IV and a key from PBKDF2-HMAC-SHA256 (10,000 iterations, 128-byte salt). The
 * passphrase is used to read, never to store: wlsimg keeps no home-made encryption.
 */
#ifndef WI_UI_WKTPROJ_H
#define WI_UI_WKTPROJ_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/ui_project.h"

#define WI_UI_WKTPROJ_MAX_BYTES  (4 * 1024 * 1024)
#define WI_UI_WKTPROJ_MAX_VALUE  65536 /* bytes of one encrypted value */
#define WI_UI_WKTPROJ_ITERATIONS 10000
#define WI_UI_WKTPROJ_MAX_LOGINS 64

/* Decrypt one value. WI_EAUTH when the passphrase is wrong (or the value was altered), WI_EINVAL
 * when the text is not in WKT UI's format. *clear_out is a secret (wipe with
 * wi_alloc_secret_free). */
int wi_ui_wktproj_decrypt(const char *packed, const char *passphrase, char **clear_out,
                          wi_err *err);

/* A registry login found in the project. password is a secret (NULL when not stored). */
struct wi_ui_wktproj_login {
  char *name, *host, *user, *password, *email;
};

struct wi_ui_wktproj {
  bool encrypted; /* it has credentialPaths */
  struct wi_ui_wktproj_login *logins;
  size_t n_logins;
  char **notes; /* what was imported and what was left, one sentence each */
  size_t n_notes;
};
void wi_ui_wktproj_dispose(struct wi_ui_wktproj *w);

/* Read the .wktproj text over p (paths in it are relative to wkt_dir; they are written relative
 * to project_file's directory when they are below it, else absolute). passphrase may be NULL:
 * WI_EAUTH "…needs its passphrase" when the project has encrypted values. WI_EINVAL for text
 * that is not a WKT UI project. */
int wi_ui_wktproj_import(struct wi_ui_project *p, const char *project_file, const char *text,
                         size_t len, const char *wkt_dir, const char *passphrase,
                         struct wi_ui_wktproj *out, wi_err *err);

#endif
