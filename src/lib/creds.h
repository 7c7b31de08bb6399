/* wlsimg: registry credentials.
 *
 * Lookup order for a host: explicit (flags) → REGISTRY_AUTH_FILE / --authfile / containers
 * auth.json (${XDG_RUNTIME_DIR}/containers/auth.json, ~/.config/containers/auth.json; keys host,
 * host/ns, host/ns/repo, most specific first) → docker config.json ($DOCKER_CONFIG or ~/.docker:
 * credHelpers[host] → credsStore → auths[host]). Helpers are run as docker-credential-<name> with
 * posix_spawn, secrets only on their stdin/stdout. Keys that are URLs are matched by host name;
 * Docker Hub is "https://index.docker.io/v1/".
 */
#ifndef WI_CREDS_H
#define WI_CREDS_H

#include <stdbool.h>

#include "lib/err.h"

struct wi_cred {
  char *username;       /* NULL for token-only */
  char *password;       /* secret */
  char *identity_token; /* secret: OAuth2 refresh token (config.json "identitytoken") */
  char *registry_token; /* secret: bearer token sent as is */
  char *source; /* where it came from, for messages: "…/config.json", "docker-credential-pass" */
};

/* Wipes the secrets and frees. */
void wi_creds_dispose(struct wi_cred *c);

/* Find credentials for host (as in the reference: "docker.io", "lhr.ocir.io", "127.0.0.1:5000")
 * and repository path (may be NULL). authfile: --authfile or NULL. WI_ENOTFOUND when none. */
int wi_creds_lookup(const char *host, const char *repo_path, const char *authfile,
                    struct wi_cred *out, wi_err *err);
/* Save after a successful login: into authfile (if given or REGISTRY_AUTH_FILE is set), else docker
 * config.json (through credHelpers/credsStore when configured). Files are written atomically with
 * mode 0600 in a 0700 directory. where_out (optional, malloc'ed) names the file or helper. */
int wi_creds_store(const char *host, const struct wi_cred *c, const char *authfile,
                   char **where_out, wi_err *err);
/* Remove; WI_ENOTFOUND when there was nothing. */
int wi_creds_erase(const char *host, const char *authfile, wi_err *err);
/* The host a user's registry argument names, as docker login reads it: scheme and path dropped
 * ("https://host:5000/v2/" → "host:5000"). May be empty. malloc'ed. */
char *wi_creds_registry_host(const char *arg);
/* Parsers behind wi_creds_lookup, for tests and fuzzing: */
/* The credentials for host (and repo_path, may be NULL) in the text of a config.json
 * (containers=false) or auth.json (containers=true) named path (for messages); *helper_out is the
 * credential helper the file names for host (malloc'ed, NULL for none), which wi_creds_lookup
 * would ask first. WI_ENOTFOUND when the file has no entry; WI_EINVAL for a malformed file. */
int wi_creds_parse_file(const char *data, size_t len, const char *path, bool containers,
                        const char *host, const char *repo_path, struct wi_cred *out,
                        char **helper_out, wi_err *err);
/* A credential helper's answer to "get" (JSON with Username and Secret; Username "<token>" makes
 * Secret an identity token). WI_EPROTO when it is not one. */
int wi_creds_parse_helper_output(const char *name, const char *data, size_t len,
                                 struct wi_cred *out, wi_err *err);
/* Key used in config files for a host: "https://index.docker.io/v1/" for docker.io. malloc'ed. */
char *wi_creds_config_key(const char *host);
/* Path of docker's config.json. malloc'ed. */
char *wi_creds_docker_config_path(void);

#endif
