/* regclient: scope arithmetic (token cache, insufficient_scope, mounts), Link pagination parsing,
 * client construction, and that zero-initialised options verify certificates (against the embedded
 * registry serving TLS with a throw-away certificate). The protocol itself is tested against
 * docker-registry in tests/integration/30_push_pull.sh and 31_errors.sh, a hostile registry in
 * 32_hostile_registry.sh. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/http.h"
#include "lib/regclient.h"
#include "lib/regserver.h"

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

/* A self-signed P-256 certificate for 127.0.0.1, written as PEM files into dir. */
static bool
make_cert(const char *dir, char **cert_out, char **key_out)
{
  EVP_PKEY *k = EVP_EC_gen("P-256");
  X509 *x = X509_new();
  bool ok = k && x;
  if (ok) {
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, k);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1", -1, -1,
                               0);
    X509_set_issuer_name(x, n);
    ok = X509_sign(x, k, EVP_sha256()) > 0;
  }
  *cert_out = wi_xasprintf("%s/cert.pem", dir);
  *key_out = wi_xasprintf("%s/key.pem", dir);
  FILE *c = ok ? fopen(*cert_out, "w") : NULL;
  FILE *kf = ok ? fopen(*key_out, "w") : NULL;
  ok = c && kf && PEM_write_X509(c, x) && PEM_write_PrivateKey(kf, k, NULL, NULL, 0, NULL, NULL);
  if (c)
    fclose(c);
  if (kf)
    fclose(kf);
  X509_free(x);
  EVP_PKEY_free(k);
  return ok;
}

TEST(zero_options_verify_certificates)
{
  char dir[] = "/tmp/wlsimg-regclient-test.XXXXXX";
  wi_autofree char *cert = NULL, *key = NULL;
  wi_err err = { 0 };
  struct wi_regserver *s = NULL;
  CHECK(mkdtemp(dir) != NULL);
  CHECK(make_cert(dir, &cert, &key));
  wi_autofree char *root = wi_xasprintf("%s/root", dir);
  struct wi_regserver_opts so = {
    .listen = "127.0.0.1:0", .root = root, .tls_cert = cert, .tls_key = key
  };
  CHECK_INT_EQ(wi_regserver_http_start(&s, &so, &err), 0);
  if (s == NULL)
    return;
  const char *addr = wi_regserver_http_address(s);

  /* the registry client: a zero struct refuses the self-signed certificate */
  struct wi_regclient *rc = NULL;
  struct wi_regclient_opts zero = { 0 };
  CHECK_INT_EQ(wi_regclient_new(&rc, addr, &zero, &err), 0);
  CHECK_INT_EQ(wi_regclient_ping(rc, &err), WI_ENET);
  CHECK_STR_HAS(err.msg, "certificate");
  wi_regclient_free(rc);
  struct wi_regclient_opts skip = { .tls_skip_verify = true };
  CHECK_INT_EQ(wi_regclient_new(&rc, addr, &skip, &err), 0);
  CHECK_INT_EQ(wi_regclient_ping(rc, &err), 0);
  wi_regclient_free(rc);

  /* the HTTP layer underneath: the same */
  wi_autofree char *url = wi_xasprintf("https://%s/v2/", addr);
  struct wi_http_req req = { .url = url, .body_fd = -1 };
  struct wi_http_resp resp;
  struct wi_http_opts hzero = { 0 }, hskip = { .tls_skip_verify = true };
  struct wi_http *h = NULL;
  CHECK_INT_EQ(wi_http_new(&h, &hzero, &err), 0);
  CHECK_INT_EQ(wi_http_do(h, &req, &resp, &err), WI_ENET);
  wi_http_free(h);
  CHECK_INT_EQ(wi_http_new(&h, &hskip, &err), 0);
  CHECK_INT_EQ(wi_http_do(h, &req, &resp, &err), 0);
  CHECK_INT_EQ(resp.status, 200);
  wi_http_resp_dispose(&resp);
  wi_http_free(h);
  wi_regserver_http_stop(s);
  CHECK_INT_EQ(wi_fs_rm_rf(dir, &err), 0);
}

int
main(void)
{
  wi_http_global_init();
  RUN(scope_union_table);
  RUN(scope_covers_table);
  RUN(link_next_table);
  RUN(new_rejects_bad_hosts);
  RUN(new_maps_docker_hub);
  RUN(unreachable_registry_names_host);
  RUN(zero_options_verify_certificates);
  DONE();
}
