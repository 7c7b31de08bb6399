/* wlsimg: the Oracle Support (ARU) client that WIT's patching uses, and ARU's XML formats.
 *
 * ARU ("Automated Release Updates") answers under https://<host>/Orion/Services, host
 * $WLSIMG_ARU_HOST or updates.oracle.com: `metadata?table=aru_languages` (credential check),
 * `metadata?table=aru_releases` (all releases, read once per client), `search?bug=N` (the patches
 * of a bug), `search?patch_type=all&life_cycle=Recommended&product=P&release=R` (recommended
 * patches), `POST conflict_checks` (multipart, one part `request_xml`, in the cookie session of a
 * releases GET) and the download URLs its patch lists name.
 *
 * The client talks HTTPS only. The Oracle Support user and password go, as HTTP Basic, only to
 * the ARU host (and, when that is Oracle's own updates.oracle.com, to Oracle's sign-on host
 * login.oracle.com in answer to its Basic challenge, the way Oracle Support signs in wget-style
 * clients); never to another host, a download mirror or a plain-http URL. Redirects are followed
 * by hand so that this rule holds on every hop. Cookies live in memory for the client's lifetime.
 * The password is kept in wiped memory and never enters a message or a log line.
 *
 * Retries follow WIT: each call is tried up to WLSIMG_REST_RETRY_MAX times (default 10), waiting
 * WLSIMG_REST_RETRY_INTERVAL ms (default 500) in between, with an IMG-0106 line per failure. Only
 * failures that can pass are retried (connection failures, timeouts, HTTP 5xx/408/429, truncated
 * or malformed XML); a host name that does not resolve, a TLS failure, HTTP 401/403/404 and ARU's
 * own error answers are reported at once.
 *
 * XML is read with libxml2 with no network access, no DTD (a DOCTYPE is refused outright, so no
 * entity can be declared or expanded) and a size cap.
 */
#ifndef WI_ARU_H
#define WI_ARU_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/digest.h"
#include "lib/err.h"
#include "lib/log.h"

#define WI_ARU_DEFAULT_HOST "updates.oracle.com"
#define WI_ARU_SSO_HOST     "login.oracle.com"

/* ARU platform ids: generic, Linux x86-64, Linux ARM 64-bit. */
#define WI_ARU_GENERIC 2000
#define WI_ARU_AMD64   226
#define WI_ARU_ARM64   541

#define WI_ARU_MAX_XML (32u * 1024 * 1024) /* largest XML answer read (the releases table) */

/* One patch of a search answer (/results/patch), fields as WIT maps them. */
struct wi_aru_patch {
  char *bug;          /* name: the patch (bug) number */
  char *version;      /* release/@name, e.g. 12.2.1.4.210930 */
  char *release;      /* release/@id */
  char *release_name; /* release text */
  char *description;  /* bug/abstract */
  char *product;      /* product/@id */
  char *psu_bundle;   /* psu_bundle (PSUs only) or NULL */
  char *access;       /* "Open access", … */
  char *download_url; /* files/file/download_url: @host + text */
  char *file_name;    /* after patch_file= in the download URL */
  char *sha256;       /* files/file/digest[@type=SHA-256], lower-case hex, or NULL */
  int platform;       /* platform/@id */
};
void wi_aru_patch_dispose(struct wi_aru_patch *p);
/* A deep copy into dst (which is overwritten). */
void wi_aru_patch_copy(struct wi_aru_patch *dst, const struct wi_aru_patch *src);
void wi_aru_patches_free(struct wi_aru_patch *v, size_t n);

/* One release of metadata?table=aru_releases. */
struct wi_aru_release {
  char *id;   /* @id */
  char *name; /* @name, e.g. 12.2.1.4.0 */
  char *text; /* e.g. "Oracle WebLogic Server 12.2.1.4.0" */
};
void wi_aru_releases_free(struct wi_aru_release *v, size_t n);

/* One set of conflicting patches of a conflict-check answer (bug numbers). */
struct wi_aru_conflict_set {
  char **bugs;
  size_t n;
};
void wi_aru_conflicts_free(struct wi_aru_conflict_set *v, size_t n);

/* ---- ARU's XML formats (exported for the client, the fuzz target and the tests) ---- */

/* An answer's /results/error, if any: WI_ENOTFOUND for ARU's 10-016 ("no patches found"), else
 * WI_EPROTO; either with ARU's message. 0 when the answer is not an error. WI_EPROTO for XML that
 * is malformed, has a DOCTYPE, or is too large. */
int wi_aru_parse_error(const char *xml, size_t len, wi_err *err);
/* The releases table. Errors as wi_aru_parse_error, and WI_EPROTO when the root is not
 * <results>. */
int wi_aru_parse_releases(const char *xml, size_t len, struct wi_aru_release **out, size_t *n,
                          wi_err *err);
/* The patches of a search answer whose platform is generic, amd64 or arm64 and whose download
 * URL names a usable file (patch_file= a plain file name). Errors as wi_aru_parse_releases. */
int wi_aru_parse_patches(const char *xml, size_t len, struct wi_aru_patch **out, size_t *n,
                         wi_err *err);
/* A conflict-check answer: the sets of /conflict_check/conflict_sets/set (empty sets dropped).
 * An ARU error answer gives WI_EPROTO; so does a root other than <conflict_check>. */
int wi_aru_parse_conflicts(const char *xml, size_t len, struct wi_aru_conflict_set **out, size_t *n,
                           wi_err *err);
/* The conflict-check request: platform 2000, the installed patches' unique patch ids, the
 * candidates (release id and bug number). malloc'ed XML text. */
char *wi_aru_conflict_request(const char *const *upis, size_t n_upis,
                              const struct wi_aru_patch *cands, size_t n_cands);
/* The id of the release for "<product description> <version>" (the release whose text is exactly
 * that, else the first that starts with it, as WIT's XPath starts-with), borrowed; NULL when none.
 */
const char *wi_aru_release_find(const struct wi_aru_release *v, size_t n, const char *product,
                                const char *version);

/* ---- the client ---- */

struct wi_aru_opts {
  const char *host;     /* "host" or "host:port"; NULL: $WLSIMG_ARU_HOST, else updates.oracle.com */
  const char *user;     /* Oracle Support user (e-mail) */
  const char *password; /* copied into wiped memory */
  const char *ca_file;  /* extra CA (PEM) to trust besides the system's; NULL: $WLSIMG_ARU_CACERT */
  int retry_max;        /* > 0; 0: $WLSIMG_REST_RETRY_MAX, else 10 (IMG-0108/0109 for bad values) */
  int retry_interval_ms; /* >= 0; -1: $WLSIMG_REST_RETRY_INTERVAL, else 500 */
  wi_log_handler log;    /* WIT's IMG lines; NULL: wi_log() */
  void *log_payload;
  const int *cancel; /* optional: stop soon after *cancel becomes non-zero */
};

struct wi_aru;

/* A client (one HTTP session). WI_EINVAL for a host that is not "host[:port]" or a bad CA file. */
int wi_aru_new(struct wi_aru **out, const struct wi_aru_opts *o, wi_err *err);
void wi_aru_free(struct wi_aru *a);
static inline void
wi_aru_freep(struct wi_aru **pp)
{
  if (*pp)
    wi_aru_free(*pp);
}
/* The ARU host the client talks to ("host[:port]"), borrowed. */
const char *wi_aru_host(const struct wi_aru *a);
/* WLSIMG_ARU_HOST's value is "host" or "host:port" (no scheme, path or user). WI_EINVAL. */
int wi_aru_check_host(const char *host, wi_err *err);
/* Whether the credentials may go to url: https and the ARU host (or the sign-on host, see
 * above). */
bool wi_aru_auth_allowed(const char *aru_host, const char *url);

/* WIT's credential check (GET metadata?table=aru_languages): WI_EAUTH with IMG-0022's text when
 * the user or password is empty, ARU answers 401, or its answer is an error; WI_EDENIED on 403;
 * WI_ENET (naming the host) when it cannot be reached. */
int wi_aru_check_credentials(struct wi_aru *a, wi_err *err);
/* The release id of "<product> <version>" (read once per client); *id_out NULL when ARU has no
 * such release. Errors: WI_ENET, WI_EAUTH, WI_EPROTO. */
int wi_aru_release_id(struct wi_aru *a, const char *product, const char *version, char **id_out,
                      wi_err *err);
/* The patches of a bug (GET search?bug=). WI_ENOTFOUND when ARU has none (10-016). */
int wi_aru_search_bug(struct wi_aru *a, const char *bug, struct wi_aru_patch **out, size_t *n,
                      wi_err *err);
/* The recommended patches of a product release. WI_ENOTFOUND when ARU has none (10-016). */
int wi_aru_recommended(struct wi_aru *a, const char *product_id, const char *release_id,
                       struct wi_aru_patch **out, size_t *n, wi_err *err);
/* Conflict check of candidates against installed unique patch ids: a releases GET, then the POST
 * in the same cookie session. *n_sets 0 when there is no conflict. */
int wi_aru_conflict_check(struct wi_aru *a, const char *const *upis, size_t n_upis,
                          const struct wi_aru_patch *cands, size_t n_cands,
                          struct wi_aru_conflict_set **sets, size_t *n_sets, wi_err *err);
/* Download p into dir/<p->file_name>: streamed into a temporary file while hashed, checked against
 * ARU's SHA-256 when it published one, then renamed into place (an older file of that name is
 * replaced, as WIT does). Each failed attempt logs IMG-0107. *path_out malloc'ed; digest_out
 * "sha256:<hex>". WI_EDIGEST when every attempt had the wrong content. */
int wi_aru_download(struct wi_aru *a, const struct wi_aru_patch *p, const char *dir,
                    char **path_out, char digest_out[WI_DIGEST_MAX], wi_err *err);

#endif
