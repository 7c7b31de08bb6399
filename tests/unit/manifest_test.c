/* Unit tests for src/lib/manifest.c: parsing, errors with JSON paths, serialisation, selection. */
#include <string.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/manifest.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

#define CFG   "{\"mediaType\":\"" WI_MT_OCI_CONFIG "\",\"digest\":\"" D1 "\",\"size\":7}"
#define LAYER "{\"mediaType\":\"" WI_MT_OCI_LAYER_GZIP "\",\"digest\":\"" D2 "\",\"size\":3}"
#define MT(x) "\"mediaType\":\"" x "\""

/* OCI image manifest in wlsimg's own key order: serialising it gives the same bytes. */
static const char oci_manifest[] =
    "{\"schemaVersion\":2," MT(WI_MT_OCI_MANIFEST) ",\"config\":" CFG ",\"layers\":[" LAYER ",{" MT(
        WI_MT_OCI_LAYER) ",\"digest\":\"" D3 "\",\"size\":0,\"urls\":[\"https://a/b\"],"
                         "\"annotations\":{\"z\":\"1\",\"a\":\"2\"}}],\"annotations\":{\"org.opencontainers.image.title\":"
                         "\"t\"}}";

/* As docker-registry serves it (indented, Docker media types). */
static const char docker_manifest[] =
    "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"" WI_MT_DOCKER_MANIFEST "\",\n"
    "   \"config\": {\n      \"mediaType\": \"" WI_MT_DOCKER_CONFIG "\",\n      \"size\": 1469,\n"
    "      \"digest\": \"" D1
    "\"\n   },\n   \"layers\": [\n      {\n         \"mediaType\": \"" WI_MT_DOCKER_LAYER
    "\",\n         \"size\": 2814446,\n         \"digest\": \"" D2 "\"\n      }\n   ]\n}";

static const char oci_index[] = "{\"schemaVersion\":2," MT(
    WI_MT_OCI_INDEX) ",\"manifests\":["
                     "{" MT(
                         WI_MT_OCI_MANIFEST) ",\"digest\":\"" D1
                                             "\",\"size\":100,\"platform\":{\"architecture\":"
                                             "\"amd64\",\"os\":\"linux\"}},"
                                             "{" MT(
                                                 WI_MT_OCI_MANIFEST) ",\"digest\":\"" D2
                                                                     "\",\"size\":200,\"platform\":{\"architecture\":"
                                                                     "\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}},"
                                                                     "{" MT(
                                                                         WI_MT_OCI_MANIFEST) ",\"digest\":\"" D3
                                                                                             "\",\"size\":300,\"annotations\":{"
                                                                                             "\"vnd.docker.reference.type\":\"attestation-manifest\"},\"platform\":{\"architecture\":"
                                                                                             "\"unknown\",\"os\":\"unknown\"}}]}";

static const char docker_list[] = "{\"schemaVersion\":2," MT(
    WI_MT_DOCKER_LIST) ",\"manifests\":["
                       "{" MT(
                           WI_MT_DOCKER_MANIFEST) ",\"size\":528,\"digest\":\"" D1
                                                  "\",\"platform\":{"
                                                  "\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v6\"}},"
                                                  "{" MT(
                                                      WI_MT_DOCKER_MANIFEST) ",\"size\":528,\"digest\":\"" D2
                                                                             "\",\"platform\":{"
                                                                             "\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\",\"os.version\":\"x\","
                                                                             "\"features\":[\"sse4\"]}}]}";

static struct wi_manifest *
parse_ok(const char *json, const char *ct)
{
  struct wi_manifest *m = NULL;
  wi_err err = { 0 };
  int ret = wi_manifest_parse(&m, json, strlen(json), ct, &err);
  if (ret != 0)
    fprintf(stderr, "  unexpected error: %s\n", err.msg);
  CHECK_INT_EQ(ret, 0);
  return m;
}

TEST(test_parse_oci_manifest)
{
  struct wi_manifest *m = parse_ok(oci_manifest, NULL);
  if (m == NULL)
    return;
  CHECK_INT_EQ(m->kind, WI_MANIFEST_IMAGE);
  CHECK_INT_EQ(m->schema_version, 2);
  CHECK_STR_EQ(m->media_type, WI_MT_OCI_MANIFEST);
  CHECK_STR_EQ(m->config.media_type, WI_MT_OCI_CONFIG);
  CHECK_STR_EQ(m->config.digest, D1);
  CHECK_INT_EQ(m->config.size, 7);
  CHECK_INT_EQ(m->n_layers, 2);
  CHECK_STR_EQ(m->layers[0].digest, D2);
  CHECK_INT_EQ(m->layers[1].size, 0);
  CHECK_INT_EQ(m->layers[1].n_urls, 1);
  CHECK_STR_EQ(m->layers[1].urls[0], "https://a/b");
  /* annotations keep document order */
  CHECK_INT_EQ(m->layers[1].n_annotations, 2);
  CHECK_STR_EQ(m->layers[1].annotations[0].key, "z");
  CHECK_STR_EQ(wi_manifest_descriptor_annotation(&m->layers[1], "a"), "2");
  CHECK(wi_manifest_descriptor_annotation(&m->layers[1], "b") == NULL);
  CHECK_INT_EQ(m->n_annotations, 1);
  CHECK(m->subject == NULL && m->n_manifests == 0);
  /* canonical input serialises to the same bytes */
  size_t len = 0;
  char *s = wi_manifest_serialize(m, &len);
  CHECK_STR_EQ(s, oci_manifest);
  CHECK_INT_EQ(len, strlen(oci_manifest));
  free(s);
  wi_manifest_free(m);
}

TEST(test_parse_docker_manifest)
{
  struct wi_manifest *m = parse_ok(docker_manifest, WI_MT_DOCKER_MANIFEST);
  if (m == NULL)
    return;
  CHECK_INT_EQ(m->kind, WI_MANIFEST_IMAGE);
  CHECK_STR_EQ(m->media_type, WI_MT_DOCKER_MANIFEST);
  CHECK_INT_EQ(m->config.size, 1469);
  CHECK_INT_EQ(m->n_layers, 1);
  CHECK_INT_EQ(m->layers[0].size, 2814446);
  CHECK(wi_mediatype_is_gzip_layer(m->layers[0].media_type));
  /* serialisation is compact with the fixed key order (mediaType, digest, size) */
  char *s = wi_manifest_serialize(m, NULL);
  CHECK_STR_EQ(s, "{\"schemaVersion\":2," MT(WI_MT_DOCKER_MANIFEST) ",\"config\":{" MT(
                      WI_MT_DOCKER_CONFIG) ",\"digest\":\"" D1
                                           "\",\"size\":1469},\"layers\":[{" MT(
                                               WI_MT_DOCKER_LAYER) ",\"digest\":\"" D2
                                                                   "\",\"size\":2814446}]}");
  free(s);
  wi_manifest_free(m);
}

TEST(test_parse_index)
{
  struct wi_manifest *m = parse_ok(oci_index, WI_MT_OCI_INDEX "; charset=utf-8");
  if (m == NULL)
    return;
  CHECK_INT_EQ(m->kind, WI_MANIFEST_INDEX);
  CHECK_INT_EQ(m->n_manifests, 3);
  CHECK(m->manifests[0].has_platform);
  CHECK_STR_EQ(m->manifests[1].platform.arch, "arm64");
  CHECK_STR_EQ(m->manifests[1].platform.variant, "v8");
  CHECK_STR_EQ(m->manifests[0].platform.variant, "");
  char *s = wi_manifest_serialize(m, NULL);
  CHECK_STR_EQ(s, oci_index);
  free(s);

  struct wi_platform want;
  const struct wi_descriptor *d = NULL;
  wi_err err = { 0 };
  wi_ref_platform_parse(&want, "linux/amd64", &err);
  CHECK_INT_EQ(wi_manifest_index_select(m, &want, &d, &err), 0);
  CHECK(d == &m->manifests[0]);
  wi_ref_platform_parse(&want, "aarch64", &err);
  CHECK_INT_EQ(wi_manifest_index_select(m, &want, &d, &err), 0);
  CHECK(d == &m->manifests[1]);
  wi_ref_platform_parse(&want, "linux/s390x", &err);
  CHECK_INT_EQ(wi_manifest_index_select(m, &want, &d, &err), WI_ENOTFOUND);
  CHECK_INT_EQ(err.code, WI_ENOTFOUND);
  /* lists what is there, without the attestation entry */
  CHECK_STR_HAS(err.msg, "no image for platform linux/s390x");
  CHECK_STR_HAS(err.msg, "(available: linux/amd64, linux/arm64/v8)");
  wi_manifest_free(m);

  m = parse_ok(docker_list, NULL);
  if (m == NULL)
    return;
  CHECK_STR_EQ(m->media_type, WI_MT_DOCKER_LIST);
  wi_ref_platform_parse(&want, "linux/arm/v7", &err);
  CHECK_INT_EQ(wi_manifest_index_select(m, &want, &d, &err), 0);
  CHECK_STR_EQ(d->digest, D2);
  /* plain "arm" prefers the highest variant; an explicit one is taken exactly */
  wi_ref_platform_parse(&want, "linux/arm", &err);
  CHECK_INT_EQ(wi_manifest_index_select(m, &want, &d, &err), 0);
  CHECK_STR_EQ(d->digest, D2);
  wi_ref_platform_parse(&want, "linux/arm/v6", &err);
  CHECK_INT_EQ(wi_manifest_index_select(m, &want, &d, &err), 0);
  CHECK_STR_EQ(d->digest, D1);
  wi_ref_platform_parse(&want, "linux/amd64", &err);
  CHECK_INT_EQ(wi_manifest_index_select(m, &want, &d, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "available: linux/arm/v6, linux/arm/v7");
  wi_manifest_free(m);

  m = parse_ok("{\"schemaVersion\":2,\"manifests\":[]}", NULL);
  if (m) {
    CHECK_INT_EQ(m->kind, WI_MANIFEST_INDEX);
    CHECK_INT_EQ(wi_manifest_index_select(m, &want, &d, &err), WI_ENOTFOUND);
    CHECK_STR_HAS(err.msg, "available: none");
  }
  wi_manifest_free(m);
}

TEST(test_media_type_sources)
{
  /* umoci writes no mediaType: the Content-Type supplies it */
  static const char bare[] = "{\"schemaVersion\":2,\"config\":" CFG ",\"layers\":[]}";
  struct wi_manifest *m = parse_ok(bare, WI_MT_OCI_MANIFEST);
  if (m) {
    CHECK_STR_EQ(m->media_type, WI_MT_OCI_MANIFEST);
    CHECK_INT_EQ(m->n_layers, 0);
    CHECK(m->layers == NULL);
  }
  wi_manifest_free(m);
  /* neither: the members tell */
  m = parse_ok(bare, NULL);
  if (m) {
    CHECK(m->media_type == NULL);
    CHECK_INT_EQ(m->kind, WI_MANIFEST_IMAGE);
    char *s = wi_manifest_serialize(m, NULL);
    CHECK_STR_EQ(s, bare);
    free(s);
  }
  wi_manifest_free(m);
  /* generic content types are ignored */
  m = parse_ok(oci_manifest, "application/json");
  CHECK(m && m->kind == WI_MANIFEST_IMAGE);
  wi_manifest_free(m);
  m = parse_ok(oci_manifest, "application/octet-stream");
  wi_manifest_free(m);
  m = parse_ok(oci_manifest, "");
  wi_manifest_free(m);
}

TEST(test_optional_fields)
{
  static const char doc[] = "{\"schemaVersion\":2," MT(
      WI_MT_OCI_MANIFEST) ",\"artifactType\":\"application/x-sbom\","
                          "\"config\":{" MT(
                              WI_MT_OCI_EMPTY) ",\"digest\":\"" D1
                                               "\",\"size\":2,\"data\":\"e30=\"},"
                                               "\"layers\":[{" MT(
                                                   "application/x-sbom") ",\"artifactType\":\"x\",\"digest\":\"" D2
                                                                         "\",\"size\":5}],"
                                                                         "\"subject\":{" MT(
                                                                             WI_MT_OCI_MANIFEST) ",\"digest\":\"" D3
                                                                                                 "\",\"size\":10}}";
  struct wi_manifest *m = parse_ok(doc, NULL);
  if (m == NULL)
    return;
  CHECK_STR_EQ(m->artifact_type, "application/x-sbom");
  CHECK_STR_EQ(m->config.data, "e30=");
  CHECK_STR_EQ(m->layers[0].artifact_type, "x");
  CHECK(m->subject != NULL);
  CHECK_STR_EQ(m->subject->digest, D3);
  char *s = wi_manifest_serialize(m, NULL);
  CHECK_STR_EQ(s, doc);
  free(s);
  wi_manifest_free(m);
}

struct bad_case {
  const char *json;
  const char *ct;
  int code;
  const char *msg;
};

#define IMG(rest) "{\"schemaVersion\":2," MT(WI_MT_OCI_MANIFEST) "," rest "}"
#define IDX(rest) "{\"schemaVersion\":2," MT(WI_MT_OCI_INDEX) "," rest "}"

static const struct bad_case bad_cases[] = {
  { "", NULL, WI_EINVAL, "invalid manifest: line 1 column 0" },
  { "{\"schemaVersion\":2,", NULL, WI_EINVAL, "line 1 column" },
  { "{\"schemaVersion\":2,\n\"config\":{},\n\"x\":1,\"x\":2}", NULL, WI_EINVAL, "line 3 column" },
  { "{\"schemaVersion\":2,\"a\":1,\"a\":2}", NULL, WI_EINVAL, "duplicate object key" },
  { "[]", NULL, WI_EINVAL, "expected a JSON object, got an array" },
  { "{}", NULL, WI_EINVAL, "schemaVersion: missing" },
  { "{\"schemaVersion\":\"2\"}", NULL, WI_EINVAL,
    "schemaVersion: expected an integer, got a string" },
  { "{\"schemaVersion\":3}", NULL, WI_EINVAL, "schemaVersion: expected 2, got 3" },
  { "{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}", NULL, WI_EUNSUPPORTED, "schema1" },
  { "{\"schemaVersion\":2}", "application/vnd.docker.distribution.manifest.v1+prettyjws",
    WI_EUNSUPPORTED, "schema1" },
  { IMG("\"config\":" CFG ",\"layers\":[]"), WI_MT_DOCKER_MANIFEST, WI_EINVAL,
    "mediaType \"" WI_MT_OCI_MANIFEST "\" does not match Content-Type \"" WI_MT_DOCKER_MANIFEST
    "\"" },
  { IDX("\"manifests\":[]"), WI_MT_OCI_MANIFEST, WI_EINVAL, "does not match Content-Type" },
  { "{\"schemaVersion\":2," MT("application/vnd.example+json") "}", NULL, WI_EUNSUPPORTED,
    "unsupported manifest media type \"application/vnd.example+json\"" },
  { "{\"schemaVersion\":2,\"mediaType\":7}", NULL, WI_EINVAL,
    "mediaType: expected a string, got an integer" },
  { "{\"schemaVersion\":2}", NULL, WI_EINVAL, "neither \"manifests\" nor \"config\"" },
  { IMG("\"layers\":[]"), NULL, WI_EINVAL, "config: missing" },
  { IMG("\"config\":[],\"layers\":[]"), NULL, WI_EINVAL,
    "config: expected an object, got an array" },
  { IMG("\"config\":" CFG), NULL, WI_EINVAL, "layers: missing" },
  { IMG("\"config\":" CFG ",\"layers\":{}"), NULL, WI_EINVAL,
    "layers: expected an array, got an object" },
  { IMG("\"config\":" CFG ",\"layers\":[" LAYER ",null]"), NULL, WI_EINVAL,
    "layers[1]: expected an object, got null" },
  { IMG("\"config\":" CFG ",\"layers\":[" LAYER ",{\"digest\":\"" D1 "\",\"size\":1}]"), NULL,
    WI_EINVAL, "layers[1].mediaType: missing" },
  { IMG("\"config\":" CFG ",\"layers\":[" LAYER "," LAYER ",{" MT("x") ",\"size\":1}]"), NULL,
    WI_EINVAL, "layers[2].digest: missing" },
  { IMG("\"config\":" CFG ",\"layers\":[{" MT("x") ",\"digest\":5,\"size\":1}]"), NULL, WI_EINVAL,
    "layers[0].digest: expected a string, got an integer" },
  { IMG("\"config\":" CFG ",\"layers\":[{" MT("x") ",\"digest\":\"sha256:abc\",\"size\":1}]"), NULL,
    WI_EINVAL, "layers[0].digest: invalid digest \"sha256:abc\"" },
  { IMG("\"config\":" CFG ",\"layers\":[{" MT("x") ",\"digest\":\"" D1 "\"}]"), NULL, WI_EINVAL,
    "layers[0].size: missing" },
  { IMG("\"config\":" CFG ",\"layers\":[{" MT("x") ",\"digest\":\"" D1 "\",\"size\":-1}]"), NULL,
    WI_EINVAL, "layers[0].size: negative size -1" },
  { IMG("\"config\":" CFG ",\"layers\":[{" MT("x") ",\"digest\":\"" D1 "\",\"size\":1.5}]"), NULL,
    WI_EINVAL, "layers[0].size: expected an integer, got a number" },
  { IMG("\"config\":" CFG ",\"layers\":[{" MT("x") ",\"digest\":\"" D1 "\",\"size\":\"1\"}]"), NULL,
    WI_EINVAL, "layers[0].size: expected an integer, got a string" },
  { IMG("\"config\":" CFG ",\"layers\":[{" MT("x") ",\"digest\":\"" D1
                                                   "\",\"size\":1,\"urls\":\"u\"}]"),
    NULL, WI_EINVAL, "layers[0].urls: expected an array, got a string" },
  { IMG("\"config\":" CFG ",\"layers\":[{" MT("x") ",\"digest\":\"" D1
                                                   "\",\"size\":1,\"urls\":[\"a\",1]}]"),
    NULL, WI_EINVAL, "layers[0].urls[1]: expected a string, got an integer" },
  { IMG("\"config\":" CFG ",\"layers\":[{" MT("x") ",\"digest\":\"" D1
                                                   "\",\"size\":1,\"annotations\":{\"k\":true}}]"),
    NULL, WI_EINVAL, "layers[0].annotations: value of \"k\": expected a string, got a boolean" },
  { IMG("\"config\":" CFG ",\"layers\":[],\"annotations\":[]"), NULL, WI_EINVAL,
    "annotations: expected an object, got an array" },
  { IMG("\"config\":{" MT("x") ",\"digest\":\"" D1 "\",\"size\":1,\"data\":1},\"layers\":[]"), NULL,
    WI_EINVAL, "config.data: expected a string" },
  { IMG("\"config\":" CFG ",\"layers\":[],\"subject\":{}"), NULL, WI_EINVAL,
    "subject.mediaType: missing" },
  { IMG("\"config\":{" MT("a\\u0000b") ",\"digest\":\"" D1 "\",\"size\":1},\"layers\":[]"), NULL,
    WI_EINVAL, "is not allowed" },
  { IDX("\"layers\":[]"), NULL, WI_EINVAL, "manifests: missing" },
  { IDX("\"manifests\":[{" MT("x") ",\"digest\":\"" D1 "\",\"size\":1,\"platform\":[]}]"), NULL,
    WI_EINVAL, "manifests[0].platform: expected an object, got an array" },
  { IDX("\"manifests\":[{" MT("x") ",\"digest\":\"" D1
                                   "\",\"size\":1,\"platform\":{\"os\":\"linux\"}}]"),
    NULL, WI_EINVAL, "manifests[0].platform.architecture: missing" },
  { IDX("\"manifests\":[{" MT(
        "x") ",\"digest\":\"" D1
             "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\",\"variant\":\"abcdefghijklmnopq\"}}]"),
    NULL, WI_EINVAL, "manifests[0].platform: variant \"abcdefghijklmnopq\" is too long" },
  { IDX("\"manifests\":[{" MT(
        "x") ",\"digest\":\"" D1
             "\",\"size\":1,\"platform\":{\"os\":1,\"architecture\":\"amd64\"}}]"),
    NULL, WI_EINVAL, "manifests[0].platform.os: expected a string, got an integer" },
};

TEST(test_parse_errors)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(bad_cases); i++) {
    const struct bad_case *tc = &bad_cases[i];
    struct wi_manifest *m = NULL;
    wi_err err = { 0 };
    int ret = wi_manifest_parse(&m, tc->json, strlen(tc->json), tc->ct, &err);
    if (ret != tc->code || strstr(err.msg, tc->msg) == NULL)
      fprintf(stderr, "  case %zu (%s): got %d %s\n", i, tc->json, ret, err.msg);
    CHECK_INT_EQ(ret, tc->code);
    CHECK_INT_EQ(err.code, tc->code);
    CHECK_STR_HAS(err.msg, tc->msg);
    CHECK(m == NULL);
  }
}

TEST(test_size_cap)
{
  size_t n = WI_MAX_MANIFEST_BYTES + 1;
  char *big = wi_xmalloc(n);
  struct wi_manifest *m = NULL;
  wi_err err = { 0 };

  memset(big, ' ', n);
  CHECK_INT_EQ(wi_manifest_parse(&m, big, n, NULL, &err), WI_ETOOBIG);
  CHECK_STR_HAS(err.msg, "manifest too large (4194305 bytes > 4194304)");
  CHECK(m == NULL);
  free(big);
  /* deep nesting is refused by the parser, not by the stack */
  size_t depth = 100000;
  char *deep = wi_xmalloc(depth);
  memset(deep, '[', depth);
  CHECK_INT_EQ(wi_manifest_parse(&m, deep, depth, NULL, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "invalid manifest: line 1");
  free(deep);
}

TEST(test_build_and_serialize)
{
  struct wi_manifest *m = wi_xcalloc(1, sizeof *m);
  m->kind = WI_MANIFEST_IMAGE;
  m->schema_version = 2;
  m->media_type = wi_xstrdup(WI_MT_OCI_MANIFEST);
  m->config.media_type = wi_xstrdup(WI_MT_OCI_CONFIG);
  m->config.digest = wi_xstrdup(D1);
  m->config.size = 7;
  m->n_layers = 1;
  m->layers = wi_xcalloc(1, sizeof *m->layers);
  m->layers[0].media_type = wi_xstrdup(WI_MT_OCI_LAYER_GZIP);
  m->layers[0].digest = wi_xstrdup(D2);
  m->layers[0].size = 3;
  wi_manifest_descriptor_set_annotation(&m->layers[0], "org.opencontainers.image.title", "a");
  wi_manifest_descriptor_set_annotation(&m->layers[0], "b", "x");
  wi_manifest_descriptor_set_annotation(&m->layers[0], "org.opencontainers.image.title", "c");
  CHECK_INT_EQ(m->layers[0].n_annotations, 2);

  char *s = wi_manifest_serialize(m, NULL);
  CHECK_STR_EQ(
      s,
      "{\"schemaVersion\":2," MT(WI_MT_OCI_MANIFEST) ",\"config\":" CFG ",\"layers\":[{" MT(
          WI_MT_OCI_LAYER_GZIP) ",\"digest\":\"" D2
                                "\",\"size\":3,\"annotations\":{\"org.opencontainers.image.title\":\"c\",\"b\":\"x\"}}]}");
  /* the output parses back and serialises identically */
  struct wi_manifest *m2 = parse_ok(s, WI_MT_OCI_MANIFEST);
  if (m2) {
    char *s2 = wi_manifest_serialize(m2, NULL);
    CHECK_STR_EQ(s2, s);
    free(s2);
  }
  wi_manifest_free(m2);
  free(s);

  /* deep copy outlives the original */
  struct wi_descriptor c;
  wi_manifest_descriptor_copy(&c, &m->layers[0]);
  wi_manifest_free(m);
  CHECK_STR_EQ(c.digest, D2);
  CHECK_STR_EQ(wi_manifest_descriptor_annotation(&c, "b"), "x");
  wi_manifest_descriptor_dispose(&c);
  wi_manifest_descriptor_dispose(&c);

  /* bytes that are not UTF-8 become '?' instead of silently dropping the annotation */
  struct wi_manifest bad = { .kind = WI_MANIFEST_IMAGE, .schema_version = 2 };
  wi_manifest_descriptor_set_annotation(&bad.config, "k\xff",
                                        "a\xc3\xa9\xc0\xaf"
                                        "b\xed\xa0\x80");
  s = wi_manifest_serialize(&bad, NULL);
  CHECK_STR_EQ(
      s, "{\"schemaVersion\":2,\"config\":{\"digest\":\"\",\"size\":0,\"annotations\":{\"k?\":"
         "\"a\xc3\xa9??b???\"}},\"layers\":[]}");
  free(s);
  wi_manifest_descriptor_dispose(&bad.config);

  /* a platform entry: architecture, os, variant in that order */
  struct wi_manifest idx = { .kind = WI_MANIFEST_INDEX, .schema_version = 2 };
  char mt[] = WI_MT_OCI_MANIFEST, dg[] = D1;
  struct wi_descriptor d = { .media_type = mt, .digest = dg, .size = 1, .has_platform = true };
  wi_ref_platform_parse(&d.platform, "linux/arm/v7", NULL);
  idx.manifests = &d;
  idx.n_manifests = 1;
  s = wi_manifest_serialize(&idx, NULL);
  CHECK_STR_EQ(
      s,
      "{\"schemaVersion\":2,\"manifests\":[{" MT(
          WI_MT_OCI_MANIFEST) ",\"digest\":\"" D1
                              "\",\"size\":1,\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}}]}");
  free(s);
}

TEST(test_media_type_predicates)
{
  CHECK(wi_mediatype_is_index(WI_MT_OCI_INDEX));
  CHECK(wi_mediatype_is_index(WI_MT_DOCKER_LIST));
  CHECK(wi_mediatype_is_index(WI_MT_DOCKER_LIST "; charset=utf-8"));
  CHECK(!wi_mediatype_is_index(WI_MT_OCI_MANIFEST));
  CHECK(!wi_mediatype_is_index(NULL));
  CHECK(!wi_mediatype_is_index(WI_MT_OCI_INDEX "x"));
  CHECK(wi_mediatype_is_image_manifest(WI_MT_OCI_MANIFEST));
  CHECK(wi_mediatype_is_image_manifest(WI_MT_DOCKER_MANIFEST));
  CHECK(!wi_mediatype_is_image_manifest(WI_MT_DOCKER_LIST));
  CHECK(!wi_mediatype_is_image_manifest("application/vnd.docker.distribution.manifest.v1+json"));
  CHECK(wi_mediatype_is_manifest(WI_MT_OCI_INDEX));
  CHECK(wi_mediatype_is_manifest(WI_MT_DOCKER_MANIFEST));
  CHECK(!wi_mediatype_is_manifest(WI_MT_OCI_CONFIG));
  CHECK(!wi_mediatype_is_manifest(""));
  CHECK(wi_mediatype_is_gzip_layer(WI_MT_OCI_LAYER_GZIP));
  CHECK(wi_mediatype_is_gzip_layer(WI_MT_DOCKER_LAYER));
  CHECK(wi_mediatype_is_gzip_layer(WI_MT_DOCKER_FOREIGN));
  CHECK(!wi_mediatype_is_gzip_layer(WI_MT_OCI_LAYER));
  CHECK(!wi_mediatype_is_gzip_layer(WI_MT_OCI_LAYER_ZSTD));
}

int
main(void)
{
  RUN(test_parse_oci_manifest);
  RUN(test_parse_docker_manifest);
  RUN(test_parse_index);
  RUN(test_media_type_sources);
  RUN(test_optional_fields);
  RUN(test_parse_errors);
  RUN(test_size_cap);
  RUN(test_build_and_serialize);
  RUN(test_media_type_predicates);
  DONE();
}
