/* regclient: scope arithmetic (token cache, insufficient_scope, mounts), Link pagination parsing,
 * and client construction. The protocol itself is tested against docker-registry in
 * tests/integration/30_push_pull.sh and 31_errors.sh. */
#include <stdlib.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/regclient.h"

TEST(scope_union_table)
{
  static const struct {
    const char *a, *b, *want;
  } cases[] = {
    { "", "", "" },
    { NULL, "repository:a:pull", "repository:a:pull" },
    { "repository:a:pull", NULL, "repository:a:pull" },
    { "repository:a:pull", "repository:a:push", "repository:a:pull,push" },
    { "repository:a:pull,push", "repository:a:pull", "repository:a:pull,push" },
    { "repository:a:pull", "repository:b:pull", "repository:a:pull repository:b:pull" },
    { "repository:a:pull repository:b:pull", "repository:b:push",
      "repository:a:pull repository:b:pull,push" },
    /* the action list starts after the last ':' (hostnames with ports in resource names) */
    { "repository:h:5000/x:pull", "repository:h:5000/x:push", "repository:h:5000/x:pull,push" },
    { "registry:catalog:*", "registry:catalog:*", "registry:catalog:*" },
    { "  repository:a:pull  ", "repository:a:pull", "repository:a:pull" },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    char *u = wi_regclient_scope_union(cases[i].a, cases[i].b);
    CHECK_STR_EQ(u, cases[i].want);
    free(u);
  }
}

TEST(scope_covers_table)
{
  static const struct {
    const char *have, *want;
    bool ok;
  } cases[] = {
    { "repository:a:pull", "repository:a:pull", true },
    { "repository:a:pull,push", "repository:a:pull", true },
    { "repository:a:pull", "repository:a:pull,push", false },
    { "repository:a:pull", "repository:b:pull", false },
    { "repository:a:pull repository:b:pull,push", "repository:b:push repository:a:pull", true },
    { "repository:a:*", "repository:a:delete", true },
    { "repository:ab:pull", "repository:a:pull", false },
    { "", "repository:a:pull", false },
    { "repository:a:pull", "", true },
    { "registry:catalog:*", "registry:catalog:*", true },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    if (wi_regclient_scope_covers(cases[i].have, cases[i].want) != cases[i].ok) {
      fprintf(stderr, "  case %zu: covers(\"%s\", \"%s\") != %d\n", i, cases[i].have, cases[i].want,
              cases[i].ok);
      h_cur_failed = 1;
    }
  }
}

TEST(link_next_table)
{
  static const struct {
    const char *link, *want;
  } cases[] = {
    { "</v2/x/tags/list?n=3&last=t02>; rel=\"next\"", "/v2/x/tags/list?n=3&last=t02" },
    { "</v2/_catalog?last=test%2Fmanual&n=1>; rel=\"next\"",
      "/v2/_catalog?last=test%2Fmanual&n=1" },
    { "<https://r.example/v2/x/tags/list?last=b>;rel=next",
      "https://r.example/v2/x/tags/list?last=b" },
    { "</a>; rel=\"prev\", </b>; rel=\"next\"", "/b" },
    { "</a>; rel=\"prev\"", NULL },
    { "", NULL },
    { NULL, NULL },
    { "<unterminated; rel=\"next\"", NULL },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    char *n = wi_regclient_link_next(cases[i].link);
    CHECK_STR_EQ(n, cases[i].want);
    free(n);
  }
}

TEST(new_rejects_bad_hosts)
{
  static const char *bad[] = { "", "a/b", "host name", "user@host", "h?x" };
  for (size_t i = 0; i < WI_ARRAY_SIZE(bad); i++) {
    struct wi_regclient *rc = NULL;
    wi_err err = { 0 };
    CHECK_INT_EQ(wi_regclient_new(&rc, bad[i], NULL, &err), WI_EINVAL);
    CHECK_STR_HAS(err.msg, "invalid registry host");
    CHECK(rc == NULL);
  }
}

TEST(new_maps_docker_hub)
{
  struct wi_regclient *rc = NULL;
  wi_err err = { 0 };
  struct wi_regclient_opts o = { .retries = 1 };
  CHECK_INT_EQ(wi_regclient_new(&rc, "docker.io", &o, &err), 0);
  CHECK_STR_EQ(wi_regclient_host(rc), "docker.io");
  wi_regclient_free(rc);
}

TEST(unreachable_registry_names_host)
{
  /* port 1 on loopback: connection refused at once, after the https→http fallback */
  struct wi_regclient *rc = NULL;
  wi_err err = { 0 };
  struct wi_regclient_opts o = { .retries = 1 };
  CHECK_INT_EQ(wi_regclient_new(&rc, "127.0.0.1:1", &o, &err), 0);
  int64_t size = 0;
  int ret = wi_regclient_blob_head(
      rc, "x/y", "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", &size,
      &err);
  CHECK_INT_EQ(ret, WI_ENET);
  CHECK_STR_HAS(err.msg, "127.0.0.1:1/x/y");
  wi_regclient_free(rc);
}

int
main(void)
{
  RUN(scope_union_table);
  RUN(scope_covers_table);
  RUN(link_next_table);
  RUN(new_rejects_bad_hosts);
  RUN(new_maps_docker_hub);
  RUN(unreachable_registry_names_host);
  DONE();
}
