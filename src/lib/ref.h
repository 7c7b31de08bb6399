/* wlsimg: image references (Docker reference grammar) and platforms.
 *
 *   busybox                       -> docker.io/library/busybox:latest
 *   host:port/ns/repo:tag         -> host:port/ns/repo:tag
 *   repo@sha256:<hex>             -> docker.io/library/repo@sha256:<hex> (no tag)
 *   repo:tag@sha256:<hex>         -> both kept; the digest wins when pulling
 *   lhr.ocir.io/tenancy/model:u3  -> OCIR form
 */
#ifndef WI_REF_H
#define WI_REF_H

#include <stdbool.h>

#include "lib/err.h"

#define WI_REF_MAX_NAME   255 /* host[:port]/path */
#define WI_REF_MAX_TAG    128
#define WI_DEFAULT_DOMAIN "docker.io"

struct wi_ref {
  char *domain; /* "docker.io", "lhr.ocir.io", "127.0.0.1:5000" */
  char *path;   /* "library/busybox", "tenancy/test-model" */
  char *tag;    /* NULL when the reference has only a digest */
  char *digest; /* NULL or "sha256:…" */
};

/* Parse and normalise. Without a tag and a digest the tag becomes "latest"; "index.docker.io"
 * becomes "docker.io". Errors (WI_EINVAL) name the problem: upper case in the repository, bad
 * tag, bad digest, name longer than 255 characters (measured on the normalised "domain/path"),
 * empty component, a bare 64-hex string (an image ID). A well-formed digest of an unknown
 * algorithm is WI_EUNSUPPORTED. On failure *out is untouched. */
int wi_ref_parse(struct wi_ref *out, const char *s, wi_err *err);
void wi_ref_dispose(struct wi_ref *r);

/* A reference as people paste it: "docker://REF" (skopeo's form), "https://REF" and "http://REF"
 * (a browser's) are REF, with the scheme in *scheme; anything else is returned as it is. A pointer
 * into s. wi_ref_parse itself refuses "scheme://" with a message that says to leave it out. */
enum wi_ref_scheme {
  WI_REF_SCHEME_NONE,
  WI_REF_SCHEME_DOCKER,
  WI_REF_SCHEME_HTTPS,
  WI_REF_SCHEME_HTTP,
};
const char *wi_ref_strip_scheme(const char *s, enum wi_ref_scheme *scheme);
/* Deep copy. */
void wi_ref_copy(struct wi_ref *dst, const struct wi_ref *src);
/* "domain/path[:tag][@digest]" (malloc'ed). */
char *wi_ref_string(const struct wi_ref *r);
/* "domain/path" (malloc'ed). */
char *wi_ref_repo(const struct wi_ref *r);
/* "domain/path:tag" or "domain/path@digest" when there is no tag: the name a local store uses. */
char *wi_ref_name(const struct wi_ref *r);
/* Short form as docker shows it: "busybox:latest", "127.0.0.1:5000/a/b:1" (malloc'ed). */
char *wi_ref_familiar(const struct wi_ref *r);
/* Host to contact: "registry-1.docker.io" for docker.io, else the domain. Borrowed/static. */
const char *wi_ref_api_host(const struct wi_ref *r);
/* True for "localhost", "localhost:N", 127.0.0.0/8 and [::1]: plain HTTP is allowed there. */
bool wi_ref_host_is_loopback(const char *host);
/* Validate one tag: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}. */
int wi_ref_tag_validate(const char *tag, wi_err *err);
/* Validate a repository path (without domain): lower-case components separated by '/'. */
int wi_ref_repo_path_validate(const char *path, wi_err *err);

struct wi_platform {
  char os[32];
  char arch[32];
  char variant[16]; /* "" when none */
};

/* "linux/amd64", "linux/arm64/v8", "amd64", "arm64", "x86_64", "aarch64" (os defaults to linux).
 * Unknown architectures and malformed strings are WI_EINVAL. */
int wi_ref_platform_parse(struct wi_platform *out, const char *s, wi_err *err);
/* The host's platform (linux/<arch>[/variant]). */
void wi_ref_platform_host(struct wi_platform *out);
/* "os/arch[/variant]" into out. */
void wi_ref_platform_format(const struct wi_platform *p, char *out, size_t outlen);
/* Does a manifest entry's platform satisfy `want`? An empty variant in want matches any;
 * arm64 treats "" and "v8" as equal. */
bool wi_ref_platform_match(const struct wi_platform *want, const struct wi_platform *have);

#endif
