/* Unit tests for the registry server: request parsers (table-driven), storage in a temporary root
 * (uploads with resumed hashing, manifests, tags, referrers, gc) and auth (users, auth tokens,
 * bearer tokens and scope decisions). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/digest.h"
#include "lib/fs.h"
#include "lib/regserver.h"
#include "lib/regserver_int.h"

static char *root;

TEST(path_routes)
{
  static const struct {
    const char *path;
    int ret;
    enum wi_rs_route route;
    const char *name, *ref, *code;
  } cases[] = {
    { "/v2/", 0, WI_RS_R_BASE, "", "", NULL },
    { "/v2", 0, WI_RS_R_BASE, "", "", NULL },
    { "/token", 0, WI_RS_R_TOKEN, "", "", NULL },
    { "/v2/_catalog", 0, WI_RS_R_CATALOG, "", "", NULL },
    { "/v2/a/b/tags/list", 0, WI_RS_R_TAGS, "a/b", "", NULL },
    { "/v2/a/manifests/v1.0", 0, WI_RS_R_MANIFEST, "a", "v1.0", NULL },
    { "/v2/a/blobs/uploads/", 0, WI_RS_R_UPLOAD_NEW, "a", "", NULL },
    { "/v2/a/blobs/uploads", 0, WI_RS_R_UPLOAD_NEW, "a", "", NULL },
    { "/v2/a/blobs/uploads/0123", 0, WI_RS_R_UPLOAD, "a", "0123", NULL },
    /* names containing the markers: route on the last one */
    { "/v2/x/blobs/y/manifests/latest", 0, WI_RS_R_MANIFEST, "x/blobs/y", "latest", NULL },
    { "/v2/manifests/tags/list", 0, WI_RS_R_TAGS, "manifests", "", NULL },
    { "/v2/a/blobs/sha256:"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      0, WI_RS_R_BLOB, "a",
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", NULL },
    { "/v2/a/blobs/sha256:abc", WI_EINVAL, WI_RS_R_BLOB, "a", "", "DIGEST_INVALID" },
    { "/v2/a/referrers/latest", WI_EINVAL, WI_RS_R_REFERRERS, "a", "", "DIGEST_INVALID" },
    { "/v2/A/tags/list", WI_EINVAL, 0, "", "", "NAME_INVALID" },
    { "/v2/a..b/tags/list", WI_EINVAL, 0, "", "", "NAME_INVALID" },
    { "/v2/a/manifests/-bad", WI_EINVAL, WI_RS_R_MANIFEST, "a", "", "TAG_INVALID" },
    { "/v2/a/manifests/a/b", WI_EINVAL, WI_RS_R_MANIFEST, "a", "", "TAG_INVALID" },
    { "/v2/a/tags/list/x", WI_ENOTFOUND, 0, "", "", NULL },
    { "/v3/", WI_ENOTFOUND, 0, "", "", NULL },
    { "/v2/tags/list", WI_ENOTFOUND, 0, "", "", NULL },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    struct wi_rs_path p;
    wi_err err = { 0 };
    int ret = wi_regserver_routes_path_parse(cases[i].path, &p, &err);
    CHECK_INT_EQ(ret, cases[i].ret);
    if (ret == 0) {
      CHECK_INT_EQ(p.route, cases[i].route);
      CHECK_STR_EQ(p.name, cases[i].name);
      CHECK_STR_EQ(p.ref, cases[i].ref);
    } else if (cases[i].code) {
      CHECK_STR_EQ(p.oci_code, cases[i].code);
      CHECK_STR_HAS(err.msg, "invalid");
    }
  }
}

TEST(names_and_tags)
{
  CHECK(wi_regserver_routes_name_valid("a"));
  CHECK(wi_regserver_routes_name_valid("acme/app-1/x__y.z"));
  CHECK(wi_regserver_routes_name_valid("a--b"));
  CHECK(!wi_regserver_routes_name_valid(""));
  CHECK(!wi_regserver_routes_name_valid("a/"));
  CHECK(!wi_regserver_routes_name_valid("/a"));
  CHECK(!wi_regserver_routes_name_valid("a___b"));
  CHECK(!wi_regserver_routes_name_valid("_a"));
  CHECK(!wi_regserver_routes_name_valid("a/../b"));
  char longname[300];
  memset(longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  CHECK(!wi_regserver_routes_name_valid(longname));
  CHECK(wi_regserver_routes_tag_valid("v1.0_rc-2"));
  CHECK(wi_regserver_routes_tag_valid("_x"));
  CHECK(!wi_regserver_routes_tag_valid(".x"));
  CHECK(!wi_regserver_routes_tag_valid(""));
  CHECK(!wi_regserver_routes_digest_valid("sha256:ABC"));
  const char *acc[] = { "application/vnd.oci.image.manifest.v1+json; q=0.9, text/plain",
                        "application/json" };
  CHECK(wi_regserver_routes_accepts(acc, 2, "application/vnd.oci.image.manifest.v1+json"));
  CHECK(wi_regserver_routes_accepts(acc, 2, "text/plain"));
  CHECK(wi_regserver_routes_accepts(acc, 2, "application/json"));
  CHECK(!wi_regserver_routes_accepts(acc, 2, "application/vnd.oci.image.index.v1+json"));
  CHECK(wi_regserver_routes_accepts(acc, 0, "anything"));
  const char *star[] = { "*/*" };
  CHECK(wi_regserver_routes_accepts(star, 1, "application/vnd.oci.image.index.v1+json"));
  CHECK(!wi_regserver_routes_digest_valid(
      "md5:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

TEST(range_parse)
{
  static const struct {
    const char *hdr;
    uint64_t size;
    int ret;
    uint64_t start, len;
  } cases[] = {
    { "bytes=0-9", 100, 1, 0, 10 },
    { "bytes=90-", 100, 1, 90, 10 },
    { "bytes=-10", 100, 1, 90, 10 },
    { "bytes=-1000", 100, 1, 0, 100 },
    { "bytes=50-5000", 100, 1, 50, 50 },
    { "bytes=100-", 100, -1, 0, 0 },
    { "bytes=-0", 100, -1, 0, 0 },
    { "bytes=0-", 0, -1, 0, 0 },
    { "bytes=5-2", 100, -1, 0, 0 },
    { "bytes=500-0", 1000, -1, 0, 0 }, /* ends before it starts: 416, not the whole blob */
    { "bytes=0-1,5-6", 100, 0, 0, 0 },
    { "items=0-1", 100, 0, 0, 0 },
    { "bytes=x-1", 100, 0, 0, 0 },
    { "bytes=99999999999999999999-", 100, 0, 0, 0 },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    uint64_t s = 0, l = 0;
    int ret = wi_regserver_routes_range_parse(cases[i].hdr, cases[i].size, &s, &l);
    CHECK_INT_EQ(ret, cases[i].ret);
    if (ret == 1) {
      CHECK_INT_EQ(s, cases[i].start);
      CHECK_INT_EQ(l, cases[i].len);
    }
  }
  uint64_t s, l;
  CHECK_INT_EQ(wi_regserver_routes_range_parse(NULL, 10, &s, &l), 0);
}

TEST(content_range_parse)
{
  static const struct {
    const char *hdr;
    int ret;
    uint64_t start, end;
  } cases[] = {
    { "0-999", 0, 0, 999 },
    { "bytes=10-20", 0, 10, 20 },
    { "bytes 10-20/100", 0, 10, 20 },
    { "bytes 10-20/*", 0, 10, 20 },
    { "20-10", -1, 0, 0 },
    { "10-", -1, 0, 0 },
    { "a-b", -1, 0, 0 },
    { "1-2x", -1, 0, 0 },
    { "", -1, 0, 0 },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    uint64_t s = 0, e = 0;
    int ret = wi_regserver_routes_content_range_parse(cases[i].hdr, &s, &e);
    CHECK_INT_EQ(ret, cases[i].ret);
    if (ret == 0) {
      CHECK_INT_EQ(s, cases[i].start);
      CHECK_INT_EQ(e, cases[i].end);
    }
  }
}

TEST(scope_and_form)
{
  struct wi_rs_scope sc;
  const char *s = "repository:localhost:5000/acme/app:pull,push,bogus";
  CHECK_INT_EQ(wi_regserver_routes_scope_parse(s, strlen(s), &sc), 0);
  CHECK_STR_EQ(sc.type, "repository");
  CHECK_STR_EQ(sc.name, "localhost:5000/acme/app");
  CHECK_INT_EQ(sc.actions, WI_RS_PULL | WI_RS_PUSH);
  s = "registry:catalog:*";
  CHECK_INT_EQ(wi_regserver_routes_scope_parse(s, strlen(s), &sc), 0);
  CHECK(sc.actions & WI_RS_CATALOG);
  CHECK_INT_EQ(wi_regserver_routes_scope_parse("repository:pull", 15, &sc), -1);
  CHECK_INT_EQ(wi_regserver_routes_scope_parse("::pull", 6, &sc), -1);
  char acts[32];
  wi_regserver_routes_actions_format(WI_RS_PULL | WI_RS_DELETE, acts, sizeof acts);
  CHECK_STR_EQ(acts, "pull,delete");

  char out[64];
  CHECK_INT_EQ(wi_regserver_routes_form_get("grant_type=password&username=acme%2Falice&x=a+b",
                                            "username", out, sizeof out),
               0);
  CHECK_STR_EQ(out, "acme/alice");
  CHECK_INT_EQ(wi_regserver_routes_form_get("x=a+b", "x", out, sizeof out), 0);
  CHECK_STR_EQ(out, "a b");
  CHECK_INT_EQ(wi_regserver_routes_form_get("x=%4", "x", out, sizeof out), -1);
  CHECK_INT_EQ(wi_regserver_routes_form_get("x=%00", "x", out, sizeof out), -1);
  CHECK_INT_EQ(wi_regserver_routes_form_get("xy=1", "x", out, sizeof out), -1);
}

static void
digest_of(const char *s, size_t n, char out[WI_DIGEST_MAX])
{
  wi_digest_bytes(s, n, out);
}

TEST(upload_resume_and_finish)
{
  wi_err err = { 0 };
  char id[33], d[WI_DIGEST_MAX];
  struct wi_rs_upload *u = NULL;

  digest_of("hello world", 11, d);
  CHECK_INT_EQ(wi_regserver_storage_upload_new(root, "t/a", id, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_upload_open(root, "t/a", id, &u, &err), 0);
  struct wi_rs_upload *u2 = NULL;
  CHECK_INT_EQ(wi_regserver_storage_upload_open(root, "t/a", id, &u2, &err), WI_EEXISTS);
  CHECK_STR_HAS(err.msg, "in use");
  CHECK_INT_EQ(wi_regserver_storage_upload_write(u, "hello ", 6, &err), 0);
  wi_regserver_storage_upload_release(u);
  /* Simulate a restart: append behind the table's back so the cached hash is stale. */
  wi_autofree char *data = wi_xasprintf("%s/repos/t/a/_uploads/%s/data", root, id);
  int fd = open(data, O_WRONLY | O_APPEND);
  CHECK(fd >= 0);
  CHECK_INT_EQ(write(fd, "wor", 3), 3);
  close(fd);
  uint64_t off = 0;
  CHECK_INT_EQ(wi_regserver_storage_upload_status(root, "t/a", id, &off, &err), 0);
  CHECK_INT_EQ(off, 9);
  CHECK_INT_EQ(wi_regserver_storage_upload_open(root, "t/a", id, &u, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_upload_offset(u), 9);
  CHECK_INT_EQ(wi_regserver_storage_upload_write(u, "ld", 2, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_upload_finish(u, d, &err), 0);
  uint64_t size = 0;
  CHECK_INT_EQ(wi_regserver_storage_blob_stat(root, "t/a", d, &size, &err), 0);
  CHECK_INT_EQ(size, 11);
  CHECK_INT_EQ(wi_regserver_storage_upload_status(root, "t/a", id, &off, &err), WI_ENOTFOUND);

  /* Wrong digest: refused and the upload is gone. */
  CHECK_INT_EQ(wi_regserver_storage_upload_new(root, "t/a", id, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_upload_open(root, "t/a", id, &u, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_upload_write(u, "xyz", 3, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_upload_finish(u, d, &err), WI_EDIGEST);
  CHECK_STR_HAS(err.msg, "digest mismatch");
  CHECK_INT_EQ(wi_regserver_storage_upload_open(root, "t/a", id, &u, &err), WI_ENOTFOUND);
  CHECK_INT_EQ(wi_regserver_storage_upload_open(root, "t/a", "../../x", &u, &err), WI_ENOTFOUND);

  /* Mount into another repository, delete the link. */
  CHECK_INT_EQ(wi_regserver_storage_blob_stat(root, "t/b", d, NULL, &err), WI_ENOTFOUND);
  CHECK_INT_EQ(wi_regserver_storage_blob_mount(root, "t/b", d, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_blob_stat(root, "t/b", d, NULL, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_blob_delete(root, "t/b", d, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_blob_delete(root, "t/b", d, &err), WI_ENOTFOUND);
}

TEST(large_upload_hashed_in_helper)
{
  wi_err err = { 0 };
  char id[33], d[WI_DIGEST_MAX];
  struct wi_rs_upload *u = NULL;
  size_t chunk = 256 * 1024, total = 12 * 1024 * 1024;
  char *buf = wi_xmalloc(total);
  struct wi_hasher h;

  for (size_t i = 0; i < total; i++)
    buf[i] = (char)(i * 7 + i / 1000);
  CHECK_INT_EQ(wi_digest_hasher_init(&h, "sha256", &err), 0);
  wi_digest_hasher_update(&h, buf, total);
  wi_digest_hasher_final(&h, d);
  wi_digest_hasher_dispose(&h);
  CHECK_INT_EQ(wi_regserver_storage_upload_new(root, "t/big", id, &err), 0);
  /* Two requests of 6 MiB each: both pass the helper-thread threshold. */
  for (size_t part = 0; part < 2; part++) {
    CHECK_INT_EQ(wi_regserver_storage_upload_open(root, "t/big", id, &u, &err), 0);
    for (size_t off = part * total / 2; off < (part + 1) * total / 2; off += chunk)
      CHECK_INT_EQ(wi_regserver_storage_upload_write(u, buf + off, chunk, &err), 0);
    if (part == 0)
      wi_regserver_storage_upload_release(u);
  }
  CHECK_INT_EQ(wi_regserver_storage_upload_finish(u, d, &err), 0);
  uint64_t size = 0;
  CHECK_INT_EQ(wi_regserver_storage_blob_stat(root, "t/big", d, &size, &err), 0);
  CHECK_INT_EQ(size, total);
  free(buf);
}

static void
put_blob(const char *name, const char *content, char d[WI_DIGEST_MAX])
{
  wi_err err = { 0 };
  char id[33];
  struct wi_rs_upload *u = NULL;
  digest_of(content, strlen(content), d);
  CHECK_INT_EQ(wi_regserver_storage_upload_new(root, name, id, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_upload_open(root, name, id, &u, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_upload_write(u, content, strlen(content), &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_upload_finish(u, d, &err), 0);
}

/* An OCI image manifest naming a 14-byte config and one layer. */
static char *
image_manifest(const char *cfg, const char *layer, size_t layer_size)
{
  return wi_xasprintf(
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
      "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\","
      "\"size\":14},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
      "\"digest\":\"%s\",\"size\":%zu}]}",
      cfg, layer, layer_size);
}

TEST(manifests_tags_referrers_gc)
{
  wi_err err = { 0 };
  char cfg[WI_DIGEST_MAX], layer[WI_DIGEST_MAX], subj[WI_DIGEST_MAX];
  struct wi_rs_manifest_info info, info2;
  put_blob("m/app", "{\"os\":\"linux\"}", cfg);
  put_blob("m/app", "layer-bytes", layer);
  wi_autofree char *m = image_manifest(cfg, layer, 11);
  CHECK_INT_EQ(wi_regserver_storage_manifest_put(root, "m/app", "v1", NULL, m, strlen(m), NULL, 0,
                                                 &info, subj, &err),
               0);
  CHECK_STR_EQ(subj, "");
  CHECK_STR_EQ(info.media_type, "application/vnd.oci.image.manifest.v1+json");
  char *body = NULL;
  CHECK_INT_EQ(wi_regserver_storage_manifest_get(root, "m/app", "v1", &info2, &body, &err), 0);
  CHECK_STR_EQ(body, m);
  CHECK_STR_EQ(info2.digest, info.digest);
  free(body);

  /* A blob the repository does not hold. */
  CHECK_INT_EQ(wi_regserver_storage_manifest_put(root, "m/other", "v1", NULL, m, strlen(m), NULL, 0,
                                                 &info2, subj, &err),
               WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "not found in m/other");

  /* A referrer with ?tag= style extra tags. */
  wi_autofree char *art = wi_xasprintf(
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
      "\"artifactType\":\"application/x-sig\",\"config\":{\"mediaType\":\"application/"
      "vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":14},\"layers\":[],"
      "\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\","
      "\"size\":%zu}}",
      cfg, info.digest, strlen(m));
  char ad[WI_DIGEST_MAX];
  digest_of(art, strlen(art), ad);
  const char *tags[] = { "sig", "sig2" };
  CHECK_INT_EQ(wi_regserver_storage_manifest_put(root, "m/app", ad, NULL, art, strlen(art), tags, 2,
                                                 &info2, subj, &err),
               0);
  CHECK_STR_EQ(subj, info.digest);
  struct wi_buf b = WI_BUF_INIT(1 << 20);
  CHECK_INT_EQ(wi_regserver_storage_referrers(root, "m/app", info.digest, NULL, &b, &err), 0);
  CHECK_STR_HAS(wi_buf_cstr(&b), ad);
  CHECK_STR_HAS(wi_buf_cstr(&b), "\"artifactType\":\"application/x-sig\"");
  wi_buf_reset(&b);
  CHECK_INT_EQ(wi_regserver_storage_referrers(root, "m/app", info.digest, "other", &b, &err), 0);
  CHECK_STR_HAS(wi_buf_cstr(&b), "\"manifests\":[]");
  wi_buf_dispose(&b);

  char **t = NULL;
  size_t n = 0;
  CHECK_INT_EQ(wi_regserver_storage_tags_list(root, "m/app", &t, &n, &err), 0);
  CHECK_INT_EQ(n, 3);
  if (n == 3) {
    CHECK_STR_EQ(t[0], "sig");
    CHECK_STR_EQ(t[2], "v1");
  }
  wi_strv_free(t, n);

  /* Digest mismatch on PUT by digest. */
  CHECK_INT_EQ(wi_regserver_storage_manifest_put(root, "m/app", cfg, NULL, m, strlen(m), NULL, 0,
                                                 &info2, subj, &err),
               WI_EDIGEST);

  /* gc: everything referenced stays; after deleting the manifests, blobs go. */
  struct wi_regserver_gc_stats st;
  CHECK_INT_EQ(wi_regserver_space_gc(root, 0, false, &st, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_blob_stat(root, "m/app", layer, NULL, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_manifest_delete(root, "m/app", ad, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_manifest_delete(root, "m/app", info.digest, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_manifest_get(root, "m/app", "v1", &info2, NULL, &err),
               WI_ENOTFOUND);
  CHECK_INT_EQ(wi_regserver_space_gc(root, 3600, false, &st, &err), 0);
  CHECK_INT_EQ(st.blobs_removed, 0); /* young blobs are spared */
  CHECK_INT_EQ(wi_regserver_space_gc(root, 0, false, &st, &err), 0);
  CHECK(st.blobs_removed >= 3);
  CHECK_INT_EQ(wi_regserver_storage_blob_stat(root, "m/app", layer, NULL, &err), WI_ENOTFOUND);
}

TEST(escape_and_mediatype)
{
  char out[64];
  wi_regserver_routes_escape("GET /a\nFAKE\r\x1b[2J\\x\x7f\xc2\x9b", out, sizeof out);
  CHECK_STR_EQ(out, "GET /a\\x0aFAKE\\x0d\\x1b[2J\\x5cx\\x7f\\xc2\\x9b");
  char small[7];
  wi_regserver_routes_escape("abc\ndef", small, sizeof small); /* never a partial escape */
  CHECK_STR_EQ(small, "abc");
  CHECK(wi_regserver_routes_mediatype_valid("application/vnd.example.sbom+json"));
  CHECK(!wi_regserver_routes_mediatype_valid("application"));
  CHECK(!wi_regserver_routes_mediatype_valid("application/"));
  CHECK(!wi_regserver_routes_mediatype_valid("a b/c"));
  CHECK(!wi_regserver_routes_mediatype_valid("a/b\nc"));
}

TEST(login_throttle)
{
  wi_err err = { 0 };
  struct wi_rs_auth *a = NULL;
  wi_autofree char *r = wi_xasprintf("%s/throttle", root);

  CHECK_INT_EQ(wi_regserver_auth_new(&a, r, 0, &err), 0);
  if (a == NULL)
    return;
  for (unsigned i = 1; i <= WI_RS_THROTTLE_FREE; i++) {
    CHECK_INT_EQ(wi_regserver_auth_throttle_wait(a, "ns/u", "10.0.0.1"), 0);
    CHECK_INT_EQ(wi_regserver_auth_throttle_fail(a, "ns/u", "10.0.0.1"), i);
  }
  CHECK_INT_EQ(wi_regserver_auth_throttle_wait(a, "ns/u", "10.0.0.9"), 0); /* still free */
  wi_regserver_auth_throttle_fail(a, "ns/u", "10.0.0.1");
  CHECK(wi_regserver_auth_throttle_wait(a, "ns/u", "10.0.0.9") >= 1);     /* the user, anywhere */
  CHECK(wi_regserver_auth_throttle_wait(a, "ns/other", "10.0.0.1") >= 1); /* the address */
  CHECK_INT_EQ(wi_regserver_auth_throttle_wait(a, "ns/other", "10.0.0.2"), 0);
  /* Backoff doubles: after more failures the wait grows, capped. */
  for (int i = 0; i < 20; i++)
    wi_regserver_auth_throttle_fail(a, "ns/u", NULL);
  unsigned w = wi_regserver_auth_throttle_wait(a, "ns/u", NULL);
  CHECK(w > 8 && w <= WI_RS_THROTTLE_MAX_DELAY + 1);
  wi_regserver_auth_throttle_ok(a, "ns/u");
  CHECK_INT_EQ(wi_regserver_auth_throttle_wait(a, "ns/u", NULL), 0);
  /* IPv6 addresses count by their /64. */
  for (unsigned i = 0; i <= WI_RS_THROTTLE_FREE; i++)
    wi_regserver_auth_throttle_fail(a, NULL, "2001:db8:1:2::1");
  CHECK(wi_regserver_auth_throttle_wait(a, NULL, "2001:db8:1:2:ffff::9") >= 1);
  CHECK_INT_EQ(wi_regserver_auth_throttle_wait(a, NULL, "2001:db8:1:3::1"), 0);
  wi_regserver_auth_free(a);
}

TEST(namespace_usage)
{
  wi_err err = { 0 };
  char d1[WI_DIGEST_MAX], d2[WI_DIGEST_MAX], id[33];
  uint64_t used = 0;
  struct wi_rs_upload *u = NULL;

  put_blob("usage/a", "0123456789", d1);
  put_blob("usage/b", "0123456789", d2); /* the same blob in a second repository */
  put_blob("usage/b", "abcde", d2);
  put_blob("elsewhere/c", "not counted", d2);
  CHECK_INT_EQ(wi_regserver_space_usage(root, "usage", &used, &err), 0);
  CHECK_INT_EQ(used, 15); /* each distinct blob once */
  CHECK_INT_EQ(wi_regserver_storage_upload_new(root, "usage/a", id, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_upload_open(root, "usage/a", id, &u, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_upload_write(u, "xyz", 3, &err), 0);
  wi_regserver_storage_upload_release(u);
  wi_regserver_space_forget(root, "usage/a");
  CHECK_INT_EQ(wi_regserver_space_usage(root, "usage", &used, &err), 0);
  CHECK_INT_EQ(used, 18); /* uploads in progress count */

  /* Reaping: an upload idle for longer than the age goes, unless a request holds it. */
  char id2[33];
  CHECK_INT_EQ(wi_regserver_storage_upload_new(root, "usage/a", id2, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_upload_open(root, "usage/a", id2, &u, &err), 0);
  struct timespec old[2] = { { time(NULL) - 100, 0 }, { time(NULL) - 100, 0 } };
  wi_autofree char *p1 = wi_xasprintf("%s/repos/usage/a/_uploads/%s/data", root, id);
  wi_autofree char *p2 = wi_xasprintf("%s/repos/usage/a/_uploads/%s/data", root, id2);
  CHECK_INT_EQ(utimensat(AT_FDCWD, p1, old, 0), 0);
  CHECK_INT_EQ(utimensat(AT_FDCWD, p2, old, 0), 0);
  size_t n = 0;
  CHECK_INT_EQ(wi_regserver_space_reap_uploads(root, 50, &n, &err), 0);
  CHECK_INT_EQ(n, 1);
  uint64_t off;
  CHECK_INT_EQ(wi_regserver_storage_upload_status(root, "usage/a", id, &off, &err), WI_ENOTFOUND);
  CHECK_INT_EQ(wi_regserver_storage_upload_status(root, "usage/a", id2, &off, &err), 0);
  wi_regserver_storage_upload_release(u);
}

TEST(io_errors_and_gc_stops)
{
  wi_err err = { 0 };
  char cfg[WI_DIGEST_MAX], layer[WI_DIGEST_MAX], subj[WI_DIGEST_MAX];
  struct wi_rs_manifest_info info;
  struct wi_regserver_gc_stats st;

  put_blob("io/app", "{\"os\":\"linux\"}", cfg);
  put_blob("io/app", "io-layer", layer);
  wi_autofree char *m = image_manifest(cfg, layer, 8);
  CHECK_INT_EQ(wi_regserver_storage_manifest_put(root, "io/app", "v1", NULL, m, strlen(m), NULL, 0,
                                                 &info, subj, &err),
               0);
  /* A tag that cannot be read is an I/O error, not "unknown". */
  wi_autofree char *tp = wi_xasprintf("%s/repos/io/app/_tags/v1", root);
  CHECK_INT_EQ(unlink(tp), 0);
  CHECK_INT_EQ(mkdir(tp, 0700), 0);
  CHECK_INT_EQ(wi_regserver_storage_manifest_get(root, "io/app", "v1", &info, NULL, &err), WI_EIO);
  CHECK_STR_HAS(err.msg, "_tags/v1");
  CHECK_INT_EQ(wi_regserver_storage_manifest_get(root, "io/app", "v9", &info, NULL, &err),
               WI_ENOTFOUND);
  /* A blob that is not a file. */
  wi_autofree char *lp = wi_regserver_storage_blob_path(root, layer);
  wi_autofree char *saved = wi_xasprintf("%s.saved", lp);
  CHECK_INT_EQ(rename(lp, saved), 0);
  CHECK_INT_EQ(mkdir(lp, 0700), 0);
  int fd = -1;
  uint64_t size = 0;
  CHECK_INT_EQ(wi_regserver_storage_blob_open(root, "io/app", layer, &fd, &size, &err), WI_EIO);
  CHECK_INT_EQ(wi_regserver_storage_blob_stat(root, "io/app", layer, &size, &err), WI_EIO);
  CHECK_INT_EQ(rmdir(lp), 0);
  CHECK_INT_EQ(rename(saved, lp), 0);

  /* gc meets a manifest it cannot parse: it stops, names the file, deletes nothing. */
  wi_autofree char *mp = wi_regserver_storage_blob_path(root, info.digest);
  wi_autofree char *mcopy = NULL;
  size_t mlen = 0;
  CHECK_INT_EQ(wi_fs_read_file(mp, 1 << 20, &mcopy, &mlen, &err), 0);
  CHECK_INT_EQ(wi_fs_write_file_atomic(mp, "{\"schemaVersion\":2,", 19, 0600, &err), 0);
  CHECK_INT_EQ(wi_regserver_space_gc(root, 0, false, &st, &err), WI_EIO);
  CHECK_STR_HAS(err.msg, "nothing was deleted");
  CHECK_STR_HAS(err.msg, mp);
  CHECK_INT_EQ(wi_regserver_storage_blob_stat(root, "io/app", layer, NULL, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_blob_stat(root, "io/app", cfg, NULL, &err), 0);
  /* ...and one whose blob is missing behind its link. */
  CHECK_INT_EQ(unlink(mp), 0);
  CHECK_INT_EQ(wi_regserver_space_gc(root, 0, false, &st, &err), WI_EIO);
  CHECK_STR_HAS(err.msg, mp);
  CHECK_INT_EQ(wi_regserver_storage_blob_stat(root, "io/app", layer, NULL, &err), 0);
  /* Restored, gc runs and keeps what the manifest names. */
  CHECK_INT_EQ(wi_fs_write_file_atomic(mp, mcopy, mlen, 0600, &err), 0);
  CHECK_INT_EQ(wi_regserver_space_gc(root, 0, false, &st, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_blob_stat(root, "io/app", layer, NULL, &err), 0);
}

TEST(private_modes)
{
  wi_err err = { 0 };
  struct stat st;
  mode_t old = umask(0277); /* would leave directories we cannot write into */
  wi_autofree char *d = wi_xasprintf("%s/modes/a/b", root);
  wi_autofree char *f = wi_xasprintf("%s/modes/x/y/file", root);
  CHECK_INT_EQ(wi_regserver_storage_mkdir(d, &err), 0);
  CHECK_INT_EQ(stat(d, &st), 0);
  CHECK_INT_EQ(st.st_mode & 07777, 0700);
  CHECK_INT_EQ(wi_regserver_storage_write_private(f, "s", 1, &err), 0);
  CHECK_INT_EQ(stat(f, &st), 0);
  CHECK_INT_EQ(st.st_mode & 07777, 0600);
  umask(000);
  char id[33];
  CHECK_INT_EQ(wi_regserver_storage_upload_new(root, "modes/u", id, &err), 0);
  wi_autofree char *data = wi_xasprintf("%s/repos/modes/u/_uploads/%s/data", root, id);
  CHECK_INT_EQ(stat(data, &st), 0);
  CHECK_INT_EQ(st.st_mode & 07777, 0600);
  wi_autofree char *dir = wi_xasprintf("%s/repos/modes/u", root);
  CHECK_INT_EQ(stat(dir, &st), 0);
  CHECK_INT_EQ(st.st_mode & 07777, 0700);
  umask(old);
}

TEST(sizes_and_limits)
{
  static const struct {
    const char *s;
    int ret;
    uint64_t v;
  } cases[] = {
    { "1048576", 0, 1048576 },
    { "10G", 0, 10ULL << 30 },
    { "512M", 0, 512ULL << 20 },
    { "2Gi", 0, 2ULL << 30 },
    { "1TiB", 0, 1ULL << 40 },
    { "0", 0, WI_REGSERVER_UNLIMITED },
    { "unlimited", 0, WI_REGSERVER_UNLIMITED },
    { "10X", WI_EINVAL, 0 },
    { "-1", WI_EINVAL, 0 },
    { "", WI_EINVAL, 0 },
    { "99999999999T", WI_EINVAL, 0 },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    wi_err err = { 0 };
    uint64_t v = 0;
    CHECK_INT_EQ(wi_regserver_http_size_parse(cases[i].s, "--x", &v, &err), cases[i].ret);
    if (cases[i].ret == 0)
      CHECK(v == cases[i].v);
    else
      CHECK_STR_HAS(err.msg, "--x: invalid size");
  }
  /* --public-url: a plain base URL only. */
  wi_err err = { 0 };
  struct wi_regserver *s = NULL;
  struct wi_regserver_opts o = { .listen = "127.0.0.1:0",
                                 .root = root,
                                 .public_url = "https://reg.example/\"x" };
  CHECK_INT_EQ(wi_regserver_http_start(&s, &o, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "--public-url");
  o.public_url = "ftp://reg.example";
  CHECK_INT_EQ(wi_regserver_http_start(&s, &o, &err), WI_EINVAL);
  o.public_url = "https://reg.example:8443/prefix/";
  CHECK_INT_EQ(wi_regserver_http_start(&s, &o, &err), 0);
  wi_regserver_http_stop(s);
}

TEST(repos_admin)
{
  wi_err err = { 0 };
  struct wi_rs_meta m;
  CHECK_INT_EQ(wi_regserver_storage_repo_create(root, "acme/web", false, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_repo_create(root, "acme/web", false, &err), WI_EEXISTS);
  CHECK_INT_EQ(wi_regserver_storage_repo_create(root, "Bad", false, &err), WI_EINVAL);
  CHECK_INT_EQ(wi_regserver_storage_meta_read(root, "acme/web", &m, &err), 0);
  CHECK_STR_EQ(m.namespace_, "acme");
  CHECK(!m.public_);
  CHECK_INT_EQ(wi_regserver_storage_repo_set_public(root, "acme/web", true, &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_meta_read(root, "acme/web", &m, &err), 0);
  CHECK(m.public_);
  struct wi_regserver_repo_info *r = NULL;
  size_t n = 0;
  CHECK_INT_EQ(wi_regserver_storage_repo_list(root, &r, &n, &err), 0);
  bool found = false;
  for (size_t i = 0; i < n; i++)
    found = found || (strcmp(r[i].name, "acme/web") == 0 && r[i].public_);
  CHECK(found);
  wi_regserver_storage_repo_list_free(r, n);
  CHECK_INT_EQ(wi_regserver_storage_repo_delete(root, "acme/web", &err), 0);
  CHECK_INT_EQ(wi_regserver_storage_meta_read(root, "acme/web", &m, &err), WI_ENOTFOUND);
  CHECK_INT_EQ(wi_regserver_storage_repo_set_public(root, "acme/web", true, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "acme/web");
}

TEST(users_tokens_auth)
{
  wi_err err = { 0 };
  char *tok = NULL, *tok2 = NULL, *tok3 = NULL;
  char id[17], id2[17];
  struct wi_rs_auth *a = NULL;

  CHECK_INT_EQ(wi_regserver_auth_user_add(root, "acme/alice", &err), 0);
  CHECK_INT_EQ(wi_regserver_auth_user_add(root, "acme/alice", &err), WI_EEXISTS);
  CHECK_INT_EQ(wi_regserver_auth_user_add(root, "alice", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "NAMESPACE/USER");
  CHECK_INT_EQ(wi_regserver_auth_user_add(root, "Acme/alice", &err), WI_EINVAL);
  CHECK_INT_EQ(wi_regserver_auth_user_add(root, "acme/oracleidentitycloudservice/bob@x.com", &err),
               0);
  CHECK_INT_EQ(wi_regserver_auth_token_create(root, "acme/alice", &tok, id, &err), 0);
  CHECK_INT_EQ(wi_regserver_auth_token_create(root, "acme/alice", &tok2, id2, &err), 0);
  CHECK_INT_EQ(wi_regserver_auth_token_create(root, "acme/alice", &tok3, id2, &err), WI_EDENIED);
  CHECK_INT_EQ(wi_regserver_auth_token_create(root, "acme/nobody", &tok3, id2, &err), WI_ENOTFOUND);
  wi_autofree char *users = wi_xasprintf("%s/auth/users.json", root);
  struct stat st;
  CHECK_INT_EQ(stat(users, &st), 0);
  CHECK_INT_EQ(st.st_mode & 0777, 0600);

  CHECK_INT_EQ(wi_regserver_auth_new(&a, root, 300, &err), 0);
  CHECK_INT_EQ(wi_regserver_auth_check_password(a, "acme/alice", tok, &err), 0);
  CHECK_INT_EQ(wi_regserver_auth_check_password(a, "acme/alice", "wrong", &err), WI_EAUTH);
  CHECK_INT_EQ(wi_regserver_auth_check_password(a, "acme/bob", tok, &err), WI_EAUTH);

  CHECK_INT_EQ(wi_regserver_auth_allowed(a, "acme/alice", "repository", "acme/x"),
               WI_RS_PULL | WI_RS_PUSH | WI_RS_DELETE);
  CHECK_INT_EQ(wi_regserver_auth_allowed(a, "acme/alice", "repository", "acmex/x"), 0);
  CHECK_INT_EQ(wi_regserver_auth_allowed(a, "acme/alice", "repository", "acme"), 0);
  CHECK_INT_EQ(wi_regserver_auth_allowed(a, NULL, "repository", "acme/x"), 0);
  CHECK_INT_EQ(wi_regserver_storage_repo_create(root, "other/pub", true, &err), 0);
  CHECK_INT_EQ(wi_regserver_auth_allowed(a, NULL, "repository", "other/pub"), WI_RS_PULL);

  /* Issue and verify: granted = requested ∩ allowed. */
  struct wi_rs_scope sc[2];
  const char *s1 = "repository:acme/x:pull,push", *s2 = "repository:other/pub:pull,push";
  wi_regserver_routes_scope_parse(s1, strlen(s1), &sc[0]);
  wi_regserver_routes_scope_parse(s2, strlen(s2), &sc[1]);
  struct wi_buf b = WI_BUF_INIT(1 << 16);
  CHECK_INT_EQ(wi_regserver_auth_issue(a, "acme/alice", sc, 2, &b, &err), 0);
  CHECK_STR_HAS(wi_buf_cstr(&b), "\"expires_in\":300");
  const char *t = strstr(wi_buf_cstr(&b), "\"token\":\"");
  CHECK(t != NULL);
  char jwt[4096] = "";
  if (t)
    snprintf(jwt, sizeof jwt, "%.*s", (int)strcspn(t + 9, "\""), t + 9);
  struct wi_rs_claims c;
  CHECK_INT_EQ(wi_regserver_auth_verify(a, jwt, &c, &err), 0);
  CHECK_STR_EQ(c.sub, "acme/alice");
  CHECK_INT_EQ(wi_regserver_auth_claims_actions(&c, "repository", "acme/x"),
               WI_RS_PULL | WI_RS_PUSH);
  CHECK_INT_EQ(wi_regserver_auth_claims_actions(&c, "repository", "other/pub"), WI_RS_PULL);
  jwt[strlen(jwt) - 2] ^= 1; /* tamper with the signature */
  CHECK_INT_EQ(wi_regserver_auth_verify(a, jwt, &c, &err), WI_EAUTH);
  CHECK_STR_HAS(err.msg, "signature");
  CHECK_INT_EQ(wi_regserver_auth_verify(a, "abc", &c, &err), WI_EAUTH);
  wi_buf_dispose(&b);

  /* Revocation is seen by a running server (users.json re-read on change). */
  CHECK_INT_EQ(wi_regserver_auth_token_revoke(root, "acme/alice", id, &err), 0);
  CHECK_INT_EQ(wi_regserver_auth_check_password(a, "acme/alice", tok, &err), WI_EAUTH);
  CHECK_INT_EQ(wi_regserver_auth_check_password(a, "acme/alice", tok2, &err), 0);
  CHECK_INT_EQ(wi_regserver_auth_token_revoke(root, "acme/alice", id, &err), WI_ENOTFOUND);
  struct wi_regserver_token_info *ti = NULL;
  size_t n = 0;
  CHECK_INT_EQ(wi_regserver_auth_token_list(root, "acme/alice", &ti, &n, &err), 0);
  CHECK_INT_EQ(n, 1);
  free(ti);
  char **ul = NULL;
  CHECK_INT_EQ(wi_regserver_auth_user_list(root, &ul, &n, &err), 0);
  CHECK_INT_EQ(n, 2);
  wi_strv_free(ul, n);
  CHECK_INT_EQ(wi_regserver_auth_user_delete(root, "acme/alice", &err), 0);
  CHECK_INT_EQ(wi_regserver_auth_check_password(a, "acme/alice", tok2, &err), WI_EAUTH);
  wi_regserver_auth_free(a);
  wi_alloc_secret_free(tok);
  wi_alloc_secret_free(tok2);
}

TEST(server_start_stop)
{
  wi_err err = { 0 };
  struct wi_regserver *s = NULL;
  struct wi_regserver_opts o = { .listen = "127.0.0.1:0", .root = root };
  CHECK_INT_EQ(wi_regserver_http_start(&s, &o, &err), 0);
  if (s) {
    CHECK(strncmp(wi_regserver_http_address(s), "127.0.0.1:", 10) == 0);
    CHECK(strcmp(wi_regserver_http_address(s), "127.0.0.1:0") != 0);
    wi_regserver_http_stop(s);
  }
  o.listen = "nonsense";
  CHECK_INT_EQ(wi_regserver_http_start(&s, &o, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "listen address");
  o.listen = "127.0.0.1:0";
  o.tls_cert = "/nonexistent.pem";
  CHECK(wi_regserver_http_start(&s, &o, &err) < 0);
  CHECK_STR_HAS(err.msg, "tls-key");
}

TEST(config_file)
{
  wi_err err = { 0 };
  struct wi_regserver_config cfg;
  wi_autofree char *p = wi_xasprintf("%s/cfg.json", root);
  const char *good = "{\"listen\":\"127.0.0.1:6000\",\"auth\":\"token\",\"token_ttl\":60}";
  CHECK_INT_EQ(wi_fs_write_file_atomic(p, good, strlen(good), 0644, &err), 0);
  CHECK_INT_EQ(wi_regserver_http_config_load(&cfg, p, &err), 0);
  CHECK_STR_EQ(cfg.listen, "127.0.0.1:6000");
  CHECK_STR_EQ(cfg.auth, "token");
  CHECK_INT_EQ(cfg.token_ttl, 60);
  CHECK(cfg.root == NULL);
  wi_regserver_http_config_dispose(&cfg);
  const char *more = "{\"public_url\":\"https://r.example\",\"max_upload_size\":\"2G\","
                     "\"namespace_quota\":0,\"header_timeout\":5,\"upload_ttl\":60}";
  CHECK_INT_EQ(wi_fs_write_file_atomic(p, more, strlen(more), 0644, &err), 0);
  CHECK_INT_EQ(wi_regserver_http_config_load(&cfg, p, &err), 0);
  CHECK_STR_EQ(cfg.public_url, "https://r.example");
  CHECK(cfg.max_upload_size == 2ULL << 30);
  CHECK(cfg.namespace_quota == WI_REGSERVER_UNLIMITED);
  CHECK_INT_EQ(cfg.header_timeout, 5);
  CHECK_INT_EQ(cfg.upload_ttl, 60);
  wi_regserver_http_config_dispose(&cfg);
  const char *badsize = "{\"max_upload_size\":\"lots\"}";
  CHECK_INT_EQ(wi_fs_write_file_atomic(p, badsize, strlen(badsize), 0644, &err), 0);
  CHECK_INT_EQ(wi_regserver_http_config_load(&cfg, p, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "max_upload_size: invalid size");
  const char *bad = "{\"lisen\":\"x\"}";
  CHECK_INT_EQ(wi_fs_write_file_atomic(p, bad, strlen(bad), 0644, &err), 0);
  CHECK_INT_EQ(wi_regserver_http_config_load(&cfg, p, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "lisen: unknown setting");
}

int
main(void)
{
  wi_err err = { 0 };
  root = wi_fs_mkdtemp("regserver-test.", &err);
  if (root == NULL)
    return 1;
  RUN(path_routes);
  RUN(names_and_tags);
  RUN(range_parse);
  RUN(content_range_parse);
  RUN(scope_and_form);
  RUN(upload_resume_and_finish);
  RUN(large_upload_hashed_in_helper);
  RUN(manifests_tags_referrers_gc);
  RUN(repos_admin);
  RUN(users_tokens_auth);
  RUN(server_start_stop);
  RUN(config_file);
  RUN(escape_and_mediatype);
  RUN(login_throttle);
  RUN(namespace_usage);
  RUN(io_errors_and_gc_stops);
  RUN(private_modes);
  RUN(sizes_and_limits);
  wi_fs_rm_rf(root, &err);
  free(root);
  DONE();
}
