/* wlsimg: Docker reference grammar and platforms.
 *
 * A small cursor parser instead of regexes: [domain "/"] path [":" tag] ["@" digest].
 * The first path component is a domain when it contains '.' or ':', starts with '[' (IPv6), or
 * is "localhost" (distribution/reference's splitDockerDomain, minus its upper-case rule, so that
 * "MyOrg/app" is reported as an upper-case repository instead of becoming a host name).
 */
#include "lib/ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/alloc.h"
#include "lib/digest.h"
#include "lib/str.h"

static bool
is_lower_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_alnum(char c)
{
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
  return c >= '0' && c <= '9';
}

static bool
is_hex(char c)
{
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int
wi_ref_tag_validate(const char *tag, wi_err *err)
{
  size_t n = strlen(tag);

  if (n == 0)
    return wi_err_set(err, WI_EINVAL, "invalid tag \"\": empty");
  if (n > WI_REF_MAX_TAG)
    return wi_err_set(err, WI_EINVAL, "invalid tag \"%.40s...\": longer than %d characters", tag,
                      WI_REF_MAX_TAG);
  if (!(is_alnum(tag[0]) || tag[0] == '_'))
    return wi_err_set(err, WI_EINVAL, "invalid tag \"%s\": must start with a letter, digit or '_'",
                      tag);
  for (size_t i = 1; i < n; i++) {
    char c = tag[i];
    if (!(is_alnum(c) || c == '_' || c == '.' || c == '-'))
      return wi_err_set(err, WI_EINVAL,
                        "invalid tag \"%s\": character '%c' not allowed (use A-Z a-z 0-9 _ . -)",
                        tag, c);
  }
  return 0;
}

/* One path component: [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*. */
static int
component_validate(const char *c, size_t n, const char *path, wi_err *err)
{
  if (n == 0)
    return wi_err_set(err, WI_EINVAL, "invalid repository name \"%s\": empty path component", path);
  for (size_t i = 0; i < n; i++) {
    if (c[i] >= 'A' && c[i] <= 'Z')
      return wi_err_set(err, WI_EINVAL,
                        "invalid repository name \"%s\": repository name must be lowercase", path);
  }
  size_t i = 0;
  while (i < n) {
    if (!is_lower_alnum(c[i]))
      return wi_err_set(
          err, WI_EINVAL,
          "invalid repository name \"%s\": component \"%.*s\" must start and end with a letter or digit and use only a-z 0-9 . _ -",
          path, (int)n, c);
    while (i < n && is_lower_alnum(c[i]))
      i++;
    if (i == n)
      break;
    /* separator: '.', '_', '__' or one or more '-' */
    size_t start = i;
    if (c[i] == '.')
      i++;
    else if (c[i] == '_')
      i += (i + 1 < n && c[i + 1] == '_') ? 2 : 1;
    else if (c[i] == '-')
      while (i < n && c[i] == '-')
        i++;
    else
      return wi_err_set(err, WI_EINVAL,
                        "invalid repository name \"%s\": character '%c' not allowed in \"%.*s\"",
                        path, c[i], (int)n, c);
    if (i == n || i == start)
      return wi_err_set(
          err, WI_EINVAL,
          "invalid repository name \"%s\": component \"%.*s\" must start and end with a letter or digit and use only a-z 0-9 . _ -",
          path, (int)n, c);
  }
  return 0;
}

int
wi_ref_repo_path_validate(const char *path, wi_err *err)
{
  const char *p = path;

  if (*p == '\0')
    return wi_err_set(err, WI_EINVAL, "invalid repository name \"\": empty");
  for (;;) {
    const char *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    int ret = component_validate(p, n, path, err);
    if (ret < 0)
      return ret;
    if (slash == NULL)
      return 0;
    p = slash + 1;
  }
}

/* host[:port]: host is DNS labels of [A-Za-z0-9-] (not starting or ending with '-') joined by
 * '.', or an IPv6 literal in brackets; port is digits. */
static int
domain_validate(const char *d, size_t n, wi_err *err)
{
  size_t i = 0;

  if (n > 0 && d[0] == '[') {
    i = 1;
    while (i < n && (is_hex(d[i]) || d[i] == ':'))
      i++;
    if (i == 1 || i >= n || d[i] != ']')
      return wi_err_set(err, WI_EINVAL, "invalid registry host \"%.*s\": bad IPv6 address", (int)n,
                        d);
    i++;
  } else {
    for (;;) {
      size_t start = i;
      while (i < n && (is_alnum(d[i]) || d[i] == '-'))
        i++;
      if (i == start || d[start] == '-' || d[i - 1] == '-')
        return wi_err_set(
            err, WI_EINVAL,
            "invalid registry host \"%.*s\": labels must start and end with a letter or digit",
            (int)n, d);
      if (i < n && d[i] == '.') {
        i++;
        continue;
      }
      break;
    }
  }
  if (i == n)
    return 0;
  if (d[i] != ':')
    return wi_err_set(err, WI_EINVAL, "invalid registry host \"%.*s\": character '%c' not allowed",
                      (int)n, d, d[i]);
  size_t pstart = ++i;
  while (i < n && is_digit(d[i]))
    i++;
  if (i == pstart || i != n || n - pstart > 5)
    return wi_err_set(err, WI_EINVAL, "invalid registry host \"%.*s\": bad port", (int)n, d);
  return 0;
}

static bool
looks_like_domain(const char *c, size_t n)
{
  if (n == 9 && memcmp(c, "localhost", 9) == 0)
    return true;
  if (n > 0 && c[0] == '[')
    return true;
  return memchr(c, '.', n) != NULL || memchr(c, ':', n) != NULL;
}

void
wi_ref_dispose(struct wi_ref *r)
{
  if (r == NULL)
    return;
  free(r->domain);
  free(r->path);
  free(r->tag);
  free(r->digest);
  memset(r, 0, sizeof *r);
}

void
wi_ref_copy(struct wi_ref *dst, const struct wi_ref *src)
{
  dst->domain = src->domain ? wi_xstrdup(src->domain) : NULL;
  dst->path = src->path ? wi_xstrdup(src->path) : NULL;
  dst->tag = src->tag ? wi_xstrdup(src->tag) : NULL;
  dst->digest = src->digest ? wi_xstrdup(src->digest) : NULL;
}

/* Fill r from s; on failure err holds the detail (without the reference itself). */
static int
ref_parse(struct wi_ref *r, const char *s, wi_err *err)
{
  int ret;
  const char *at = strchr(s, '@');
  size_t name_len = at ? (size_t)(at - s) : strlen(s);

  if (at) {
    ret = wi_digest_validate(at + 1, err);
    if (ret < 0)
      return ret;
    r->digest = wi_xstrdup(at + 1);
  }
  /* A tag is a ':' after the last '/'. */
  const char *colon = NULL;
  for (size_t i = name_len; i > 0; i--) {
    if (s[i - 1] == '/')
      break;
    if (s[i - 1] == ':') {
      colon = s + i - 1;
      break;
    }
  }
  /* "[::1]:5000" alone: the colons belong to the host, not a tag. */
  if (colon && memchr(colon, ']', (size_t)(s + name_len - colon)) != NULL)
    colon = NULL;
  if (colon) {
    r->tag = wi_xstrndup(colon + 1, (size_t)(s + name_len - colon - 1));
    name_len = (size_t)(colon - s);
    ret = wi_ref_tag_validate(r->tag, err);
    if (ret < 0)
      return ret;
  }
  if (name_len == 0)
    return wi_err_set(err, WI_EINVAL, "empty repository name");

  const char *slash = memchr(s, '/', name_len);
  if (slash && looks_like_domain(s, (size_t)(slash - s))) {
    ret = domain_validate(s, (size_t)(slash - s), err);
    if (ret < 0)
      return ret;
    r->domain = wi_xstrndup(s, (size_t)(slash - s));
    r->path = wi_xstrndup(slash + 1, (size_t)(s + name_len - slash - 1));
  } else {
    r->domain = wi_xstrdup(WI_DEFAULT_DOMAIN);
    r->path = wi_xstrndup(s, name_len);
  }
  /* Legacy hub names. */
  if (strcmp(r->domain, "index.docker.io") == 0) {
    free(r->domain);
    r->domain = wi_xstrdup(WI_DEFAULT_DOMAIN);
  }
  ret = wi_ref_repo_path_validate(r->path, err);
  if (ret < 0)
    return ret;
  if (strcmp(r->domain, WI_DEFAULT_DOMAIN) == 0 && strchr(r->path, '/') == NULL) {
    char *p = wi_xasprintf("library/%s", r->path);
    free(r->path);
    r->path = p;
  }
  /* Measured on the full name, so that the canonical string always parses back. */
  size_t full = strlen(r->domain) + 1 + strlen(r->path);
  if (full > WI_REF_MAX_NAME)
    return wi_err_set(err, WI_EINVAL, "name too long (%zu > %d)", full, WI_REF_MAX_NAME);
  if (r->tag == NULL && r->digest == NULL)
    r->tag = wi_xstrdup("latest");
  return 0;
}

int
wi_ref_parse(struct wi_ref *out, const char *s, wi_err *err)
{
  struct wi_ref r = { 0 };
  int ret;

  if (s == NULL || *s == '\0')
    return wi_err_set(err, WI_EINVAL, "invalid reference \"\": empty");
  if (strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64)
    return wi_err_set(
        err, WI_EINVAL,
        "invalid reference \"%s\": cannot specify 64-byte hexadecimal strings (an image ID is not a repository name)",
        s);
  const char *scheme_end = strstr(s, "://");
  if (scheme_end && (size_t)(scheme_end - s) < 16 && strcspn(s, "/:") == (size_t)(scheme_end - s))
    return wi_err_set(err, WI_EINVAL,
                      "invalid reference \"%.300s\": a URL, not an image reference (write it "
                      "without %.*s://, as HOST/REPOSITORY:TAG)",
                      s, (int)(scheme_end - s), s);
  ret = ref_parse(&r, s, err);
  if (ret < 0) {
    wi_ref_dispose(&r);
    return wi_err_wrap(err, "invalid reference \"%.300s\"", s);
  }
  *out = r;
  return 0;
}

const char *
wi_ref_strip_scheme(const char *s, enum wi_ref_scheme *scheme)
{
  static const struct {
    const char *prefix;
    enum wi_ref_scheme scheme;
  } schemes[] = { { "docker://", WI_REF_SCHEME_DOCKER },
                  { "https://", WI_REF_SCHEME_HTTPS },
                  { "http://", WI_REF_SCHEME_HTTP } };

  *scheme = WI_REF_SCHEME_NONE;
  for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
    size_t n = strlen(schemes[i].prefix);
    if (strncasecmp(s, schemes[i].prefix, n) == 0) {
      *scheme = schemes[i].scheme;
      return s + n;
    }
  }
  return s;
}

char *
wi_ref_repo(const struct wi_ref *r)
{
  return wi_xasprintf("%s/%s", r->domain, r->path);
}

char *
wi_ref_string(const struct wi_ref *r)
{
  return wi_xasprintf("%s/%s%s%s%s%s", r->domain, r->path, r->tag ? ":" : "", r->tag ? r->tag : "",
                      r->digest ? "@" : "", r->digest ? r->digest : "");
}

char *
wi_ref_name(const struct wi_ref *r)
{
  if (r->tag)
    return wi_xasprintf("%s/%s:%s", r->domain, r->path, r->tag);
  return wi_xasprintf("%s/%s@%s", r->domain, r->path, r->digest ? r->digest : "");
}

char *
wi_ref_familiar(const struct wi_ref *r)
{
  const char *name = r->path;
  bool hub = strcmp(r->domain, WI_DEFAULT_DOMAIN) == 0;

  /* "docker.io/a.b/c" must keep its domain, or "a.b" would read as the registry. */
  if (hub && looks_like_domain(name, strcspn(name, "/")))
    hub = false;

  /* docker strips "docker.io/" and "library/" only for single-component official images. */
  if (hub && wi_str_has_prefix(name, "library/") && strchr(name + 8, '/') == NULL)
    name += 8;
  return wi_xasprintf("%s%s%s%s%s%s%s", hub ? "" : r->domain, hub ? "" : "/", name,
                      r->tag ? ":" : "", r->tag ? r->tag : "", r->digest ? "@" : "",
                      r->digest ? r->digest : "");
}

const char *
wi_ref_api_host(const struct wi_ref *r)
{
  if (strcmp(r->domain, WI_DEFAULT_DOMAIN) == 0)
    return "registry-1.docker.io";
  return r->domain;
}

/* Strip ":port" (digits only) from a host given as len bytes. */
static size_t
host_len_without_port(const char *h, size_t n)
{
  size_t i = n;
  while (i > 0 && is_digit(h[i - 1]))
    i--;
  if (i > 0 && i < n && h[i - 1] == ':')
    return i - 1;
  return n;
}

bool
wi_ref_host_is_loopback(const char *host)
{
  if (host == NULL)
    return false;
  size_t n = strlen(host);
  if (n > 0 && host[0] == '[') {
    const char *close = strchr(host, ']');
    if (close == NULL)
      return false;
    if (close[1] != '\0' &&
        (close[1] != ':' || host_len_without_port(host, n) != (size_t)(close + 1 - host)))
      return false;
    size_t in = (size_t)(close - host - 1);
    return (in == 3 && memcmp(host + 1, "::1", 3) == 0) ||
           (in == 15 && memcmp(host + 1, "0:0:0:0:0:0:0:1", 15) == 0);
  }
  if (strcmp(host, "::1") == 0)
    return true;
  n = host_len_without_port(host, n);
  if (n == 9 && memcmp(host, "localhost", 9) == 0)
    return true;
  /* 127.a.b.c */
  if (n < 9 || memcmp(host, "127.", 4) != 0)
    return false;
  int dots = 0;
  size_t digits = 0;
  for (size_t i = 4; i < n; i++) {
    if (host[i] == '.') {
      if (digits == 0)
        return false;
      dots++;
      digits = 0;
    } else if (is_digit(host[i]) && digits < 3) {
      digits++;
    } else {
      return false;
    }
  }
  return dots == 2 && digits > 0;
}

/* ---- platforms ---- */

static const char *const known_arches = "amd64 arm64 arm 386 ppc64le s390x riscv64";

/* Normalise an architecture name the way containerd's platforms package does; variant_out is
 * set when the alias implies one (armhf -> arm/v7) and left alone otherwise. NULL if unknown. */
static const char *
arch_normalise(const char *a, const char **variant_out)
{
  static const struct {
    const char *alias, *arch, *variant;
  } tab[] = {
    { "amd64", "amd64", NULL },     { "x86_64", "amd64", NULL },    { "x86-64", "amd64", NULL },
    { "arm64", "arm64", NULL },     { "aarch64", "arm64", NULL },   { "armv8", "arm64", "v8" },
    { "arm", "arm", NULL },         { "armhf", "arm", "v7" },       { "armv7", "arm", "v7" },
    { "armv7l", "arm", "v7" },      { "armel", "arm", "v6" },       { "armv6", "arm", "v6" },
    { "armv6l", "arm", "v6" },      { "armv5", "arm", "v5" },       { "386", "386", NULL },
    { "i386", "386", NULL },        { "i686", "386", NULL },        { "x86", "386", NULL },
    { "ppc64le", "ppc64le", NULL }, { "ppc64el", "ppc64le", NULL }, { "s390x", "s390x", NULL },
    { "riscv64", "riscv64", NULL },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(tab); i++) {
    if (strcmp(a, tab[i].alias) == 0) {
      if (tab[i].variant && variant_out)
        *variant_out = tab[i].variant;
      return tab[i].arch;
    }
  }
  return NULL;
}

static bool
word_ok(const char *w, size_t n, size_t max)
{
  if (n == 0 || n >= max)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (!(is_lower_alnum(w[i]) || w[i] == '_' || w[i] == '-'))
      return false;
  }
  return true;
}

int
wi_ref_platform_parse(struct wi_platform *out, const char *s, wi_err *err)
{
  const char *parts[3] = { 0 };
  size_t lens[3] = { 0 };
  size_t np = 0;
  const char *p = s;

  if (s == NULL || *s == '\0')
    return wi_err_set(err, WI_EINVAL, "invalid platform \"\": empty");
  for (;;) {
    const char *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if (np == 3)
      return wi_err_set(err, WI_EINVAL,
                        "invalid platform \"%.100s\": expected os/arch[/variant] or arch", s);
    parts[np] = p;
    lens[np++] = n;
    if (slash == NULL)
      break;
    p = slash + 1;
  }
  char lower[3][32];
  for (size_t i = 0; i < np; i++) {
    if (lens[i] == 0 || lens[i] >= sizeof lower[i])
      return wi_err_set(err, WI_EINVAL, "invalid platform \"%.100s\": empty or too long part", s);
    for (size_t j = 0; j < lens[i]; j++) {
      char c = parts[i][j];
      lower[i][j] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    lower[i][lens[i]] = '\0';
    if (!word_ok(lower[i], lens[i], sizeof lower[i]))
      return wi_err_set(err, WI_EINVAL, "invalid platform \"%.100s\": bad character in \"%s\"", s,
                        lower[i]);
  }
  const char *os = np == 1 ? "linux" : lower[0];
  const char *arch_in = np == 1 ? lower[0] : lower[1];
  const char *variant = np == 3 ? lower[2] : "";
  const char *arch = arch_normalise(arch_in, np == 3 ? NULL : &variant);
  if (arch == NULL)
    return wi_err_set(err, WI_EINVAL,
                      "invalid platform \"%.100s\": unknown architecture \"%s\" (accepted: %s)", s,
                      arch_in, known_arches);
  if (strlen(variant) >= sizeof out->variant)
    return wi_err_set(err, WI_EINVAL, "invalid platform \"%.100s\": variant too long", s);
  memset(out, 0, sizeof *out);
  snprintf(out->os, sizeof out->os, "%s", os);
  snprintf(out->arch, sizeof out->arch, "%s", arch);
  snprintf(out->variant, sizeof out->variant, "%s", variant);
  return 0;
}

void
wi_ref_platform_host(struct wi_platform *out)
{
  memset(out, 0, sizeof *out);
  snprintf(out->os, sizeof out->os, "linux");
#if defined(__x86_64__)
  snprintf(out->arch, sizeof out->arch, "amd64");
#elif defined(__aarch64__)
  snprintf(out->arch, sizeof out->arch, "arm64");
#elif defined(__arm__)
  snprintf(out->arch, sizeof out->arch, "arm");
#if defined(__ARM_ARCH) && __ARM_ARCH >= 7
  snprintf(out->variant, sizeof out->variant, "v7");
#elif defined(__ARM_ARCH) && __ARM_ARCH == 6
  snprintf(out->variant, sizeof out->variant, "v6");
#endif
#elif defined(__i386__)
  snprintf(out->arch, sizeof out->arch, "386");
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
  snprintf(out->arch, sizeof out->arch, "ppc64le");
#elif defined(__s390x__)
  snprintf(out->arch, sizeof out->arch, "s390x");
#elif defined(__riscv) && __riscv_xlen == 64
  snprintf(out->arch, sizeof out->arch, "riscv64");
#else
  snprintf(out->arch, sizeof out->arch, "unknown");
#endif
}

void
wi_ref_platform_format(const struct wi_platform *p, char *out, size_t outlen)
{
  snprintf(out, outlen, "%s/%s%s%s", p->os, p->arch, p->variant[0] ? "/" : "", p->variant);
}

bool
wi_ref_platform_match(const struct wi_platform *want, const struct wi_platform *have)
{
  const char *wv = NULL, *hv = NULL;
  const char *wa = arch_normalise(want->arch, &wv);
  const char *ha = arch_normalise(have->arch, &hv);

  /* An explicit variant wins over one implied by an alias (armhf -> v7). */
  if (want->variant[0] || wv == NULL)
    wv = want->variant;
  if (have->variant[0] || hv == NULL)
    hv = have->variant;

  if (wa == NULL)
    wa = want->arch;
  if (ha == NULL)
    ha = have->arch;
  if (strcmp(want->os, have->os) != 0 || strcmp(wa, ha) != 0)
    return false;
  if (wv[0] == '\0')
    return true;
  if (strcmp(wa, "arm64") == 0) {
    /* arm64 images are v8 unless they say otherwise. */
    if (hv[0] == '\0')
      hv = "v8";
  }
  return strcmp(wv, hv) == 0;
}
