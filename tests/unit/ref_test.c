/* Unit tests for src/lib/ref.c: reference grammar, names, loopback hosts, platforms. */
#include <string.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/ref.h"

#define D0 "sha256:0000000000000000000000000000000000000000000000000000000000000000"
#define DA "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"

struct ref_case {
  const char *in;
  const char *domain, *path, *tag, *digest;
  const char *string;   /* wi_ref_string */
  const char *familiar; /* wi_ref_familiar */
};

static const struct ref_case ref_cases[] = {
  { "busybox", "docker.io", "library/busybox", "latest", NULL, "docker.io/library/busybox:latest",
    "busybox:latest" },
  { "busybox:1.36", "docker.io", "library/busybox", "1.36", NULL, "docker.io/library/busybox:1.36",
    "busybox:1.36" },
  { "library/busybox", "docker.io", "library/busybox", "latest", NULL,
    "docker.io/library/busybox:latest", "busybox:latest" },
  { "docker.io/busybox", "docker.io", "library/busybox", "latest", NULL,
    "docker.io/library/busybox:latest", "busybox:latest" },
  { "index.docker.io/foo/bar", "docker.io", "foo/bar", "latest", NULL, "docker.io/foo/bar:latest",
    "foo/bar:latest" },
  { "oracle/weblogic:12.2.1.4", "docker.io", "oracle/weblogic", "12.2.1.4", NULL,
    "docker.io/oracle/weblogic:12.2.1.4", "oracle/weblogic:12.2.1.4" },
  /* library/ is only hidden for one-component official images */
  { "docker.io/library/a/b", "docker.io", "library/a/b", "latest", NULL,
    "docker.io/library/a/b:latest", "library/a/b:latest" },
  { "localhost/app", "localhost", "app", "latest", NULL, "localhost/app:latest",
    "localhost/app:latest" },
  { "localhost:5000/a/b:1", "localhost:5000", "a/b", "1", NULL, "localhost:5000/a/b:1",
    "localhost:5000/a/b:1" },
  { "127.0.0.1:5000/wls/aux:v1", "127.0.0.1:5000", "wls/aux", "v1", NULL,
    "127.0.0.1:5000/wls/aux:v1", "127.0.0.1:5000/wls/aux:v1" },
  { "[::1]:5000/x", "[::1]:5000", "x", "latest", NULL, "[::1]:5000/x:latest",
    "[::1]:5000/x:latest" },
  { "[fe80::1]/x:t", "[fe80::1]", "x", "t", NULL, "[fe80::1]/x:t", "[fe80::1]/x:t" },
  { "lhr.ocir.io/tenancy/test-model:u3", "lhr.ocir.io", "tenancy/test-model", "u3", NULL,
    "lhr.ocir.io/tenancy/test-model:u3", "lhr.ocir.io/tenancy/test-model:u3" },
  { "Registry.Example.COM/a", "Registry.Example.COM", "a", "latest", NULL,
    "Registry.Example.COM/a:latest", "Registry.Example.COM/a:latest" },
  { "repo@" D0, "docker.io", "library/repo", NULL, D0, "docker.io/library/repo@" D0, "repo@" D0 },
  { "repo:tag@" DA, "docker.io", "library/repo", "tag", DA, "docker.io/library/repo:tag@" DA,
    "repo:tag@" DA },
  { "h:5000/r@" DA, "h:5000", "r", NULL, DA, "h:5000/r@" DA, "h:5000/r@" DA },
  /* separators */
  { "a__b/c--d/e.f/g_h/i---j", "docker.io", "a__b/c--d/e.f/g_h/i---j", "latest", NULL,
    "docker.io/a__b/c--d/e.f/g_h/i---j:latest", "a__b/c--d/e.f/g_h/i---j:latest" },
  /* tag grammar: upper case, dots, dashes, leading underscore; 128 characters */
  { "x:_V1.0-rc", "docker.io", "library/x", "_V1.0-rc", NULL, "docker.io/library/x:_V1.0-rc",
    "x:_V1.0-rc" },
  { "x:"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "docker.io", "library/x",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    NULL, NULL, NULL },
  /* a hub path whose first component looks like a host keeps docker.io in the short form */
  { "docker.io/a.b/c", "docker.io", "a.b/c", "latest", NULL, "docker.io/a.b/c:latest",
    "docker.io/a.b/c:latest" },
  { "docker.io/localhost/c", "docker.io", "localhost/c", "latest", NULL,
    "docker.io/localhost/c:latest", "docker.io/localhost/c:latest" },
  /* a single component with a port-looking tag is a tag (docker does the same) */
  { "localhost:5000", "docker.io", "library/localhost", "5000", NULL,
    "docker.io/library/localhost:5000", "localhost:5000" },
};

TEST(test_ref_parse_ok)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(ref_cases); i++) {
    const struct ref_case *tc = &ref_cases[i];
    struct wi_ref r = { 0 };
    wi_err err = { 0 };
    int ret = wi_ref_parse(&r, tc->in, &err);
    if (ret != 0) {
      fprintf(stderr, "  case %zu (%s): %s\n", i, tc->in, err.msg);
      CHECK(ret == 0);
      continue;
    }
    CHECK_STR_EQ(r.domain, tc->domain);
    CHECK_STR_EQ(r.path, tc->path);
    CHECK_STR_EQ(r.tag, tc->tag);
    CHECK_STR_EQ(r.digest, tc->digest);
    if (tc->string) {
      char *s = wi_ref_string(&r);
      CHECK_STR_EQ(s, tc->string);
      /* the full string parses back to the same reference */
      struct wi_ref r2 = { 0 };
      CHECK_INT_EQ(wi_ref_parse(&r2, s, &err), 0);
      char *s2 = wi_ref_string(&r2);
      CHECK_STR_EQ(s2, s);
      free(s2);
      wi_ref_dispose(&r2);
      free(s);
    }
    if (tc->familiar) {
      char *f = wi_ref_familiar(&r);
      CHECK_STR_EQ(f, tc->familiar);
      free(f);
    }
    wi_ref_dispose(&r);
  }
}

struct ref_bad {
  const char *in;
  int code;
  const char *msg;
};

#define A64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct ref_bad ref_bad_cases[] = {
  { "", WI_EINVAL, "empty" },
  { "Busybox", WI_EINVAL, "repository name must be lowercase" },
  { "myorg/MyApp:1", WI_EINVAL, "repository name must be lowercase" },
  { "MyOrg/app", WI_EINVAL, "repository name must be lowercase" },
  { "ghcr.io/Org/app", WI_EINVAL, "repository name must be lowercase" },
  { "foo:bad tag", WI_EINVAL, "invalid tag \"bad tag\"" },
  { "foo:-x", WI_EINVAL, "invalid tag \"-x\"" },
  { "foo:.x", WI_EINVAL, "invalid tag" },
  { "foo:", WI_EINVAL, "invalid tag \"\"" },
  { "foo:a/b", WI_EINVAL, "invalid" },
  { "x:" A64 A64 "a", WI_EINVAL, "longer than 128" },
  { "foo@sha256:abc", WI_EINVAL, "invalid digest" },
  { "foo@sha256:" A64 "0", WI_EINVAL, "needs 64 hex characters" },
  { "foo@SHA256:" A64, WI_EINVAL, "invalid digest" },
  { "foo@sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", WI_EINVAL,
    "not lower-case hex" },
  { "foo@md5:d41d8cd98f00b204e9800998ecf8427e", WI_EUNSUPPORTED, "unsupported digest algorithm" },
  { "foo@", WI_EINVAL, "invalid digest" },
  { "@" D0, WI_EINVAL, "empty repository name" },
  { ":tag", WI_EINVAL, "empty repository name" },
  { "a//b", WI_EINVAL, "empty path component" },
  { "a/", WI_EINVAL, "empty path component" },
  { "/a", WI_EINVAL, "empty path component" },
  { "localhost:5000/", WI_EINVAL, "empty" },
  { "-a", WI_EINVAL, "must start and end with a letter or digit" },
  { "a-", WI_EINVAL, "must start and end with a letter or digit" },
  { "a___b", WI_EINVAL, "must start and end" },
  { "a..b", WI_EINVAL, "must start and end" },
  { "a b", WI_EINVAL, "not allowed" },
  { "a+b", WI_EINVAL, "not allowed" },
  { "host:port/x", WI_EINVAL, "bad port" },
  { "host:123456/x", WI_EINVAL, "bad port" },
  { "-host.io/x", WI_EINVAL, "invalid registry host" },
  { "ho_st.io/x", WI_EINVAL, "invalid registry host" },
  { "[::1/x", WI_EINVAL, "bad IPv6" },
  { "[zz]:5000/x", WI_EINVAL, "bad IPv6" },
  { "[::1]:5000", WI_EINVAL, "invalid repository name" },
  { A64, WI_EINVAL, "cannot specify 64-byte hexadecimal strings" },
  { A64 A64 A64 A64, WI_EINVAL, "name too long (274 > 255)" },
  { "registry.example.com/" A64 "/" A64 "/" A64 "/" A64, WI_EINVAL, "name too long (280 > 255)" },
};

TEST(test_ref_parse_errors)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(ref_bad_cases); i++) {
    const struct ref_bad *tc = &ref_bad_cases[i];
    struct wi_ref r = { 0 };
    wi_err err = { 0 };
    int ret = wi_ref_parse(&r, tc->in, &err);
    if (ret != tc->code)
      fprintf(stderr, "  case %zu (%s): got %d %s\n", i, tc->in, ret, err.msg);
    CHECK_INT_EQ(ret, tc->code);
    CHECK_INT_EQ(err.code, tc->code);
    CHECK_STR_HAS(err.msg, tc->msg);
    /* every message names the reference */
    if (tc->in[0])
      CHECK_STR_HAS(err.msg, "invalid reference \"");
    CHECK(r.domain == NULL && r.path == NULL && r.tag == NULL && r.digest == NULL);
  }
}

TEST(test_ref_name_repo_copy)
{
  struct wi_ref r = { 0 }, c = { 0 };
  wi_err err = { 0 };

  CHECK_INT_EQ(wi_ref_parse(&r, "busybox@" D0, &err), 0);
  char *n = wi_ref_name(&r), *repo = wi_ref_repo(&r);
  CHECK_STR_EQ(n, "docker.io/library/busybox@" D0);
  CHECK_STR_EQ(repo, "docker.io/library/busybox");
  CHECK_STR_EQ(wi_ref_api_host(&r), "registry-1.docker.io");
  free(n);
  free(repo);
  wi_ref_copy(&c, &r);
  wi_ref_dispose(&r);
  CHECK_STR_EQ(c.path, "library/busybox");
  CHECK_STR_EQ(c.digest, D0);
  CHECK(c.tag == NULL);
  wi_ref_dispose(&c);

  CHECK_INT_EQ(wi_ref_parse(&r, "lhr.ocir.io/t/m:u3@" DA, &err), 0);
  n = wi_ref_name(&r);
  CHECK_STR_EQ(n, "lhr.ocir.io/t/m:u3"); /* with a tag, the store name uses the tag */
  CHECK_STR_EQ(wi_ref_api_host(&r), "lhr.ocir.io");
  free(n);
  wi_ref_dispose(&r);
  wi_ref_dispose(&r); /* disposing twice is harmless */
}

TEST(test_ref_name_length_boundary)
{
  char s[300] = "h.io/";
  struct wi_ref r = { 0 };
  wi_err err = { 0 };

  memset(s + 5, 'a', 250); /* 255 characters in all */
  CHECK_INT_EQ(wi_ref_parse(&r, s, &err), 0);
  CHECK_INT_EQ(strlen(r.domain) + 1 + strlen(r.path), 255);
  wi_ref_dispose(&r);
  s[255] = 'a';
  CHECK_INT_EQ(wi_ref_parse(&r, s, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "name too long (256 > 255)");
  /* the limit applies to the normalised name: docker.io/library/ counts */
  memset(s, 'b', 238);
  s[238] = '\0';
  CHECK_INT_EQ(wi_ref_parse(&r, s, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "name too long (256 > 255)");
  s[237] = '\0';
  CHECK_INT_EQ(wi_ref_parse(&r, s, &err), 0);
  wi_ref_dispose(&r);
}

static const struct {
  const char *tag;
  bool ok;
} tag_cases[] = {
  { "latest", true }, { "1.0", true },  { "_x", true },  { "A-b_c.d", true },
  { "", false },      { ".x", false },  { "-x", false }, { "a:b", false },
  { "a/b", false },   { "a b", false }, { "ü", false },  { "x\n", false },
};

TEST(test_tag_validate)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(tag_cases); i++) {
    wi_err err = { 0 };
    int ret = wi_ref_tag_validate(tag_cases[i].tag, &err);
    CHECK_INT_EQ(ret, tag_cases[i].ok ? 0 : WI_EINVAL);
    if (!tag_cases[i].ok)
      CHECK_STR_HAS(err.msg, "invalid tag");
  }
}

TEST(test_repo_path_validate)
{
  wi_err err = { 0 };

  CHECK_INT_EQ(wi_ref_repo_path_validate("a/b-c/d__e", &err), 0);
  CHECK_INT_EQ(wi_ref_repo_path_validate("", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "empty");
  CHECK_INT_EQ(wi_ref_repo_path_validate("a/B", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "repository name must be lowercase");
  CHECK_INT_EQ(wi_ref_repo_path_validate("a/_b", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "component \"_b\"");
}

static const struct {
  const char *host;
  bool loopback;
} loop_cases[] = {
  { "localhost", true },
  { "localhost:5000", true },
  { "127.0.0.1", true },
  { "127.0.0.1:5000", true },
  { "127.1.2.3:1", true },
  { "[::1]", true },
  { "[::1]:5000", true },
  { "::1", true },
  { "[0:0:0:0:0:0:0:1]:80", true },
  { "127.0.0.1.evil.com", false },
  { "127.0.0.1000", false },
  { "localhost.evil.com", false },
  { "localhostx", false },
  { "[::2]:5000", false },
  { "[::1]x", false },
  { "10.0.0.1", false },
  { "docker.io", false },
  { "", false },
  { "127..0.1", false },
  { "localhost:", false },
};

TEST(test_host_is_loopback)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(loop_cases); i++) {
    if (wi_ref_host_is_loopback(loop_cases[i].host) != loop_cases[i].loopback)
      fprintf(stderr, "  case %zu (%s)\n", i, loop_cases[i].host);
    CHECK(wi_ref_host_is_loopback(loop_cases[i].host) == loop_cases[i].loopback);
  }
  CHECK(!wi_ref_host_is_loopback(NULL));
}

struct plat_case {
  const char *in;
  const char *out; /* formatted, or NULL for an error */
  const char *msg;
};

static const struct plat_case plat_cases[] = {
  { "linux/amd64", "linux/amd64", NULL },
  { "amd64", "linux/amd64", NULL },
  { "x86_64", "linux/amd64", NULL },
  { "linux/x86_64", "linux/amd64", NULL },
  { "aarch64", "linux/arm64", NULL },
  { "linux/arm64/v8", "linux/arm64/v8", NULL },
  { "LINUX/AMD64", "linux/amd64", NULL },
  { "armhf", "linux/arm/v7", NULL },
  { "armel", "linux/arm/v6", NULL },
  { "linux/arm/v6", "linux/arm/v6", NULL },
  { "linux/386", "linux/386", NULL },
  { "i686", "linux/386", NULL },
  { "ppc64le", "linux/ppc64le", NULL },
  { "s390x", "linux/s390x", NULL },
  { "riscv64", "linux/riscv64", NULL },
  { "windows/amd64", "windows/amd64", NULL },
  { "", NULL, "empty" },
  { "linux/sparc", NULL,
    "unknown architecture \"sparc\" (accepted: amd64 arm64 arm 386 ppc64le s390x riscv64)" },
  { "mips", NULL, "unknown architecture \"mips\"" },
  { "linux", NULL, "unknown architecture \"linux\"" },
  { "linux/amd64/v2/x", NULL, "expected os/arch[/variant]" },
  { "linux//amd64", NULL, "empty or too long part" },
  { "linux/amd64/", NULL, "empty or too long part" },
  { "linux/amd 64", NULL, "bad character" },
  { "linux/amd64/averyveryverylongvariant", NULL, "too long" },
};

TEST(test_platform_parse)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(plat_cases); i++) {
    const struct plat_case *tc = &plat_cases[i];
    struct wi_platform p;
    wi_err err = { 0 };
    int ret = wi_ref_platform_parse(&p, tc->in, &err);
    if (tc->out) {
      char s[96];
      if (ret != 0)
        fprintf(stderr, "  case %zu (%s): %s\n", i, tc->in, err.msg);
      CHECK_INT_EQ(ret, 0);
      wi_ref_platform_format(&p, s, sizeof s);
      CHECK_STR_EQ(s, tc->out);
    } else {
      CHECK_INT_EQ(ret, WI_EINVAL);
      CHECK_STR_HAS(err.msg, tc->msg);
      CHECK_STR_HAS(err.msg, "invalid platform");
    }
  }
}

static struct wi_platform
plat(const char *os, const char *arch, const char *variant)
{
  struct wi_platform p = { 0 };
  snprintf(p.os, sizeof p.os, "%s", os);
  snprintf(p.arch, sizeof p.arch, "%s", arch);
  snprintf(p.variant, sizeof p.variant, "%s", variant);
  return p;
}

TEST(test_platform_match)
{
  struct wi_platform amd = plat("linux", "amd64", ""), arm64 = plat("linux", "arm64", "");
  struct wi_platform arm64v8 = plat("linux", "arm64", "v8"), armv7 = plat("linux", "arm", "v7");
  struct wi_platform armv6 = plat("linux", "arm", "v6"), arm = plat("linux", "arm", "");

  CHECK(wi_ref_platform_match(&amd, &amd));
  CHECK(wi_ref_platform_match(&amd, &(struct wi_platform){ .os = "linux", .arch = "x86_64" }));
  CHECK(!wi_ref_platform_match(&amd, &arm64));
  CHECK(!wi_ref_platform_match(&amd, &(struct wi_platform){ .os = "windows", .arch = "amd64" }));
  CHECK(wi_ref_platform_match(&arm64, &arm64v8));
  CHECK(wi_ref_platform_match(&arm64v8, &arm64)); /* "" == v8 on arm64 */
  CHECK(wi_ref_platform_match(&arm64v8, &arm64v8));
  CHECK(!wi_ref_platform_match(
      &(struct wi_platform){ .os = "linux", .arch = "arm64", .variant = "v9" }, &arm64));
  CHECK(wi_ref_platform_match(&arm, &armv7)); /* empty variant in want matches any */
  CHECK(!wi_ref_platform_match(&armv7, &armv6));
  CHECK(!wi_ref_platform_match(&armv7, &arm));
  CHECK(wi_ref_platform_match(&(struct wi_platform){ .os = "linux", .arch = "armhf" }, &armv7));
}

TEST(test_platform_host)
{
  struct wi_platform h, p;
  char s[96];
  wi_err err = { 0 };

  wi_ref_platform_host(&h);
  CHECK_STR_EQ(h.os, "linux");
  wi_ref_platform_format(&h, s, sizeof s);
  /* the host platform is one that parses */
  CHECK_INT_EQ(wi_ref_platform_parse(&p, s, &err), 0);
  CHECK(wi_ref_platform_match(&p, &h));
}

int
main(void)
{
  RUN(test_ref_parse_ok);
  RUN(test_ref_parse_errors);
  RUN(test_ref_name_repo_copy);
  RUN(test_ref_name_length_boundary);
  RUN(test_tag_validate);
  RUN(test_repo_path_validate);
  RUN(test_host_is_loopback);
  RUN(test_platform_parse);
  RUN(test_platform_match);
  RUN(test_platform_host);
  DONE();
}
