/* Unit tests for src/lib/k8s.c: encodings, validation, objects, patches, kubectl spawning. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <yaml.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/k8s.h"

/* Render one object; the caller frees. */
static char *
render1(struct wi_k8s_obj *o, enum wi_k8s_format f)
{
  wi_err err = { 0 };
  char *s = wi_k8s_render(&o, 1, f, NULL, &err);
  if (s == NULL)
    fprintf(stderr, "  render: %s\n", err.msg);
  return s;
}

/* Parse YAML text with libyaml (all documents); the number of documents or -1. */
static int
yaml_parse_docs(const char *text)
{
  yaml_parser_t p;
  yaml_document_t d;
  int docs = 0;

  yaml_parser_initialize(&p);
  yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
  for (;;) {
    if (!yaml_parser_load(&p, &d)) {
      fprintf(stderr, "  yaml: %s\n", p.problem ? p.problem : "?");
      docs = -1;
      break;
    }
    yaml_node_t *root = yaml_document_get_root_node(&d);
    yaml_document_delete(&d);
    if (root == NULL)
      break;
    docs++;
  }
  yaml_parser_delete(&p);
  return docs;
}

TEST(go_json_escaping)
{
  static const struct {
    const char *in, *out;
  } cases[] = {
    { "plain", "\"plain\"" },
    { "p<a>&ss\"w\\x", "\"p\\u003ca\\u003e\\u0026ss\\\"w\\\\x\"" },
    { "t\tn\nr\rb\bf\f", "\"t\\tn\\nr\\rb\\bf\\f\"" },
    { "\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"" },
    { "caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\"" },
    { "a\xe2\x80\xa8"
      "b\xe2\x80\xa9",
      "\"a\\u2028b\\u2029\"" },
    { "bad\xff\xc3", "\"bad\\ufffd\\ufffd\"" },
    { "/slash", "\"/slash\"" },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    char *q = wi_k8s_render_json_quote(cases[i].in, strlen(cases[i].in));
    CHECK_STR_EQ(q, cases[i].out);
    free(q);
  }
}

TEST(dockerconfigjson_reference)
{
  char *j = wi_k8s_dockerconfigjson("phx.ocir.io", "mytenancy/alice", "s3cret", NULL);
  CHECK_STR_EQ(
      j, "{\"auths\":{\"phx.ocir.io\":{\"username\":\"mytenancy/alice\",\"password\":\"s3cret\","
         "\"auth\":\"bXl0ZW5hbmN5L2FsaWNlOnMzY3JldA==\"}}}");
  wi_alloc_secret_free(j);
  j = wi_k8s_dockerconfigjson(NULL, "u", "p", "a@b.c");
  CHECK_STR_EQ(j,
               "{\"auths\":{\"https://index.docker.io/v1/\":{\"username\":\"u\",\"password\":\"p\","
               "\"email\":\"a@b.c\",\"auth\":\"dTpw\"}}}");
  wi_alloc_secret_free(j);
}

TEST(docker_secret_yaml_matches_kubectl)
{
  /* kubectl 1.32: kubectl create secret docker-registry regcred -n domain1-ns
   * --docker-server=phx.ocir.io --docker-username=mytenancy/alice --docker-password=s3cret
   * --dry-run=client -o yaml */
  struct wi_k8s_docker_secret ds = { .name = "regcred",
                                     .ns = "domain1-ns",
                                     .server = "phx.ocir.io",
                                     .username = "mytenancy/alice",
                                     .password = "s3cret" };
  struct wi_k8s_obj *o = NULL;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_k8s_docker_secret(&o, &ds, &err), 0);
  char *y = render1(o, WI_K8S_YAML);
  CHECK_STR_EQ(
      y,
      "apiVersion: v1\n"
      "data:\n"
      "  .dockerconfigjson: eyJhdXRocyI6eyJwaHgub2Npci5pbyI6eyJ1c2VybmFtZSI6Im15dGVuYW5jeS9hbGljZSIsInBhc3N3b3JkIjoiczNjcmV0IiwiYXV0aCI6ImJYbDBaVzVoYm1ONUwyRnNhV05sT25NelkzSmxkQT09In19fQ==\n"
      "kind: Secret\n"
      "metadata:\n"
      "  creationTimestamp: null\n"
      "  name: regcred\n"
      "  namespace: domain1-ns\n"
      "type: kubernetes.io/dockerconfigjson\n");
  wi_alloc_secret_free(y);
  wi_k8s_render_obj_free(o);
}

TEST(docker_secret_json_matches_kubectl)
{
  struct wi_k8s_docker_secret ds = { .name = "regcred", .username = "u", .password = "p" };
  struct wi_k8s_obj *o = NULL;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_k8s_docker_secret(&o, &ds, &err), 0);
  char *j = render1(o, WI_K8S_JSON);
  CHECK_STR_EQ(
      j,
      "{\n"
      "    \"kind\": \"Secret\",\n"
      "    \"apiVersion\": \"v1\",\n"
      "    \"metadata\": {\n"
      "        \"name\": \"regcred\",\n"
      "        \"creationTimestamp\": null\n"
      "    },\n"
      "    \"data\": {\n"
      "        \".dockerconfigjson\": \"eyJhdXRocyI6eyJodHRwczovL2luZGV4LmRvY2tlci5pby92MS8iOnsidXNlcm5hbWUiOiJ1IiwicGFzc3dvcmQiOiJwIiwiYXV0aCI6ImRUcHcifX19\"\n"
      "    },\n"
      "    \"type\": \"kubernetes.io/dockerconfigjson\"\n"
      "}\n");
  wi_alloc_secret_free(j);
  wi_k8s_render_obj_free(o);
}

TEST(docker_secret_missing_fields)
{
  struct wi_k8s_docker_secret ds = { .name = "x", .username = "u", .password = "" };
  struct wi_k8s_obj *o = NULL;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_k8s_docker_secret(&o, &ds, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "needs a username, a password and a server");
  CHECK(o == NULL);
}

TEST(generic_secret_matches_kubectl)
{
  /* kubectl create secret generic foo --from-literal=username=a --from-literal=password=x -o yaml
   */
  struct wi_k8s_kv data[] = { { "username", "a" }, { "password", "x" } };
  struct wi_k8s_generic_secret gs = { .name = "foo", .data = data, .n_data = 2 };
  struct wi_k8s_obj *o = NULL;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_k8s_generic_secret(&o, &gs, &err), 0);
  char *y = render1(o, WI_K8S_YAML);
  CHECK_STR_EQ(y, "apiVersion: v1\ndata:\n  password: eA==\n  username: YQ==\nkind: Secret\n"
                  "metadata:\n  creationTimestamp: null\n  name: foo\n");
  wi_alloc_secret_free(y);
  wi_k8s_render_obj_free(o);

  struct wi_k8s_kv bad[] = { { "../x", "v" } };
  gs.data = bad;
  gs.n_data = 1;
  CHECK_INT_EQ(wi_k8s_generic_secret(&o, &gs, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "invalid secret key \"../x\"");
}

TEST(dns1123)
{
  static const struct {
    const char *s;
    bool sub, label;
  } cases[] = {
    { "a", true, true },       { "domain1", true, true },    { "my-ns", true, true },
    { "a.b.c", true, false },  { "Bad_Name", false, false }, { "-a", false, false },
    { "a-", false, false },    { "a..b", false, false },     { "", false, false },
    { "UPPER", false, false }, { "1abc", true, true },       { "a.-b", false, false },
  };
  wi_err err = { 0 };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    CHECK_INT_EQ(wi_k8s_validate_subdomain("name", cases[i].s, &err) == 0, cases[i].sub);
    CHECK_INT_EQ(wi_k8s_validate_label("namespace", cases[i].s, &err) == 0, cases[i].label);
  }
  char l64[65];
  memset(l64, 'a', 64);
  l64[64] = '\0';
  CHECK(wi_k8s_validate_label("namespace", l64, &err) < 0);
  CHECK(wi_k8s_validate_subdomain("name", l64, &err) < 0); /* each label at most 63 */
  CHECK_INT_EQ(wi_k8s_validate_subdomain("secret name", "Bad_Name", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg,
                "invalid secret name \"Bad_Name\": must be a lowercase RFC 1123 subdomain");
  CHECK_INT_EQ(wi_k8s_validate_domain_uid("Domain1", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "invalid domain UID \"Domain1\"");
  CHECK_STR_HAS(err.msg, "at most 45 characters");
  /* the operator's ^[a-z0-9-.]{1,45}$: 45 is fine, 46 is not, and the message says 45 */
  char u46[47];
  memset(u46, 'd', 46);
  u46[46] = '\0';
  CHECK_INT_EQ(wi_k8s_validate_domain_uid(u46, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "46 characters; the operator allows at most 45");
  u46[45] = '\0';
  CHECK_INT_EQ(wi_k8s_validate_domain_uid(u46, &err), 0);
  CHECK_INT_EQ(wi_k8s_validate_domain_uid("-d1", &err), WI_EINVAL);
  CHECK_INT_EQ(wi_k8s_validate_domain_uid("", &err), WI_EINVAL);
  CHECK_INT_EQ(wi_k8s_validate_env_name("name", "MY_ENV.name-1", &err), 0);
  CHECK_INT_EQ(wi_k8s_validate_env_name("name", "1X", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "[-._a-zA-Z][-._a-zA-Z0-9]*");
  CHECK_INT_EQ(wi_k8s_validate_env_name("name", "A B", &err), WI_EINVAL);
  CHECK_INT_EQ(wi_k8s_validate_env_name("name", "", &err), WI_EINVAL);
  CHECK_INT_EQ(wi_k8s_validate_abs_path("modelHome", "/u01/m", &err), 0);
  CHECK_INT_EQ(wi_k8s_validate_abs_path("modelHome", "u01/m", &err), WI_EINVAL);
  CHECK_INT_EQ(wi_k8s_validate_label_value("introspectVersion", "v1.2_3", &err), 0);
  CHECK_INT_EQ(wi_k8s_validate_label_value("introspectVersion", "v 1", &err), WI_EINVAL);
}

TEST(pull_policy_rule)
{
  CHECK_STR_EQ(wi_k8s_pull_policy("busybox:latest"), "Always");
  CHECK_STR_EQ(wi_k8s_pull_policy("phx.ocir.io/t/aux:1.0"), "IfNotPresent");
  CHECK_STR_EQ(wi_k8s_pull_policy("busybox"), "IfNotPresent");
  CHECK_STR_EQ(wi_k8s_pull_policy("127.0.0.1:5000/x@sha256:0123"), "IfNotPresent");
  CHECK_STR_EQ(wi_k8s_pull_policy("latest"), "IfNotPresent");
}

TEST(yaml_quoting_like_go_yaml)
{
  /* Observed with kubectl 1.32 for secret names. */
  static const char *const quoted[] = { "123",
                                        "1.5",
                                        "1e3",
                                        "true",
                                        "yes",
                                        "on",
                                        "y",
                                        "n",
                                        "null",
                                        "no",
                                        "off",
                                        "0x1f",
                                        "0o17",
                                        "0b101",
                                        "1e-3",
                                        "012",
                                        "00",
                                        "07",
                                        "08",
                                        "0e0",
                                        "0.5",
                                        "2024-01-15",
                                        "2024-1-5",
                                        "9223372036854775808",
                                        "99999999999999999999",
                                        "",
                                        "~",
                                        ".inf",
                                        "-.Inf",
                                        ".5",
                                        "+12",
                                        "-0b11",
                                        "1_000",
                                        "2024-02-29" };
  static const char *const plain[] = { "1-2",     "nan",     "inf",  "infinity",
                                       "1.2.3",   "1e",      "0x",   "2024-13-01",
                                       "1.5e400", "regcred", "None", "2023-02-29",
                                       "eA==",    "YQ==",    "abc",  "1.0-rc" };
  for (size_t i = 0; i < WI_ARRAY_SIZE(quoted); i++)
    if (!wi_k8s_render_resolves_non_string(quoted[i])) {
      fprintf(stderr, "  expected quoting for \"%s\"\n", quoted[i]);
      CHECK(0);
    }
  for (size_t i = 0; i < WI_ARRAY_SIZE(plain); i++)
    if (wi_k8s_render_resolves_non_string(plain[i])) {
      fprintf(stderr, "  expected plain for \"%s\"\n", plain[i]);
      CHECK(0);
    }
}

TEST(yaml_emitter_quoting)
{
  struct wi_k8s_kv data[] = { { "a", "x" } };
  struct wi_k8s_kv labels[] = { { "k1", "123" },
                                { "k2", "true" },
                                { "k3", "a: b" },
                                { "k4", " lead" },
                                { "k5", "multi\nline" },
                                { "k6", "#x" },
                                { "k7", "\xc3\xa9t\xc3\xa9" } };
  struct wi_k8s_generic_secret gs = {
    .name = "123", .data = data, .n_data = 1, .labels = labels, .n_labels = WI_ARRAY_SIZE(labels)
  };
  struct wi_k8s_obj *o = NULL;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_k8s_generic_secret(&o, &gs, &err), 0);
  char *y = render1(o, WI_K8S_YAML);
  CHECK_STR_HAS(y, "  name: \"123\"\n");
  CHECK_STR_HAS(y, "    k1: \"123\"\n");
  CHECK_STR_HAS(y, "    k2: \"true\"\n");
  CHECK_STR_HAS(y, "    k3: 'a: b'\n");
  CHECK_STR_HAS(y, "    k4: ' lead'\n");
  CHECK_STR_HAS(y, "    k5: |-\n      multi\n      line\n");
  CHECK_STR_HAS(y, "    k6: '#x'\n");
  CHECK_STR_HAS(y, "    k7: \xc3\xa9t\xc3\xa9\n");
  CHECK_INT_EQ(yaml_parse_docs(y), 1);
  wi_alloc_secret_free(y);
  wi_k8s_render_obj_free(o);
}

TEST(yaml_key_order)
{
  CHECK(wi_k8s_render_key_cmp("apiVersion", "data") < 0);
  CHECK(wi_k8s_render_key_cmp("creationTimestamp", "name") < 0);
  CHECK(wi_k8s_render_key_cmp("name", "namespace") < 0);
  CHECK(wi_k8s_render_key_cmp(".dockerconfigjson", "a") < 0); /* non-letters first */
  CHECK(wi_k8s_render_key_cmp("a2", "a10") < 0);              /* numbers compare as numbers */
  CHECK(wi_k8s_render_key_cmp("a10", "a2") > 0);
  CHECK(wi_k8s_render_key_cmp("x", "x") == 0);
  /* digit runs past int64: Go's arithmetic wraps (10^19 is negative there), C's must not overflow
   * (UBSan) and must give go-yaml's order */
  CHECK(wi_k8s_render_key_cmp("a10000000000000000000", "a2") < 0);
  CHECK(wi_k8s_render_key_cmp("a2", "a10000000000000000000") > 0);
  CHECK(wi_k8s_render_key_cmp("a99999999999999999999", "a1") > 0);
}

TEST(next_version)
{
  static const struct {
    const char *in, *out;
  } cases[] = { { NULL, "1" },       { "", "1" },       { "1", "2" },       { "9", "10" },
                { "v1.9", "v1.10" }, { "007", "008" },  { "abc", "abc-1" }, { "abc-1", "abc-2" },
                { "99", "100" },     { "r099", "r100" } };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    char *v = wi_k8s_next_version(cases[i].in);
    CHECK_STR_EQ(v, cases[i].out);
    free(v);
  }
}

/* A patch object as kubectl patch --patch-file takes it. */
static char *
compact(struct wi_k8s_obj *o)
{
  char *s = wi_k8s_render_compact(o);
  wi_k8s_render_obj_free(o);
  return s;
}

TEST(patches)
{
  char *p = compact(wi_k8s_patch_primary_image("r/wls:14.1.2-p1", "2"));
  CHECK_STR_EQ(p, "{\"spec\":{\"image\":\"r/wls:14.1.2-p1\",\"restartVersion\":\"2\"}}\n");
  free(p);
  p = compact(wi_k8s_patch_aux_image(1, NULL, "r/aux:2", NULL));
  CHECK_STR_EQ(
      p, "[{\"op\":\"replace\",\"path\":\"/spec/configuration/model/auxiliaryImages/1/image\","
         "\"value\":\"r/aux:2\"}]\n");
  free(p);
  p = compact(wi_k8s_patch_aux_image(0, "r/aux:1", "r/aux:1", "5"));
  CHECK_STR_EQ(p,
               "[{\"op\":\"test\",\"path\":\"/spec/configuration/model/auxiliaryImages/0/image\","
               "\"value\":\"r/aux:1\"},{\"op\":\"replace\",\"path\":\"/spec/configuration/model/"
               "auxiliaryImages/0/image\",\"value\":\"r/aux:1\"},{\"op\":\"add\",\"path\":\"/spec/"
               "introspectVersion\",\"value\":\"5\"}]\n");
  free(p);
  p = compact(wi_k8s_patch_sa_pull_secret("ocir", true));
  CHECK_STR_EQ(
      p, "[{\"op\":\"add\",\"path\":\"/imagePullSecrets/-\",\"value\":{\"name\":\"ocir\"}}]\n");
  free(p);
  p = compact(wi_k8s_patch_sa_pull_secret("ocir", false));
  CHECK_STR_EQ(
      p, "[{\"op\":\"add\",\"path\":\"/imagePullSecrets\",\"value\":[{\"name\":\"ocir\"}]}]\n");
  free(p);
}

TEST(domain_objects)
{
  const char *secrets[] = { "ocr-pull", "ocir-pull" };
  const char *clusters[] = { "cluster_1" };
  struct wi_k8s_aux_image aux[] = {
    { .image = "phx.ocir.io/t/domain1-aux:1.0" },
    { .image = "phx.ocir.io/t/models:latest",
      .wdt_install_home = "None",
      .model_home = "/u01/wdt/models" },
  };
  struct wi_k8s_domain d = {
    .uid = "domain1",
    .ns = "domain1-ns",
    .image = "container-registry.oracle.com/middleware/weblogic:14.1.2.0-generic-jdk17-ol8",
    .pull_secrets = secrets,
    .n_pull_secrets = 2,
    .credentials_secret = "domain1-weblogic-credentials",
    .encryption_secret = "domain1-runtime-encryption-secret",
    .restart_version = "1",
    .replicas = 2,
    .clusters = clusters,
    .n_clusters = 1,
    .aux = aux,
    .n_aux = 2,
  };
  struct wi_k8s_obj **objs = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_k8s_domain_objects(&objs, &n, &d, &err), 0);
  CHECK_INT_EQ(n, 2);
  char *y = wi_k8s_render(objs, n, WI_K8S_YAML, NULL, &err);
  CHECK_STR_EQ(
      y, "apiVersion: weblogic.oracle/v1\n"
         "kind: Cluster\n"
         "metadata:\n"
         "  name: domain1-cluster-1\n"
         "  namespace: domain1-ns\n"
         "  labels:\n"
         "    weblogic.domainUID: domain1\n"
         "spec:\n"
         "  clusterName: cluster_1\n"
         "  replicas: 2\n"
         "---\n"
         "apiVersion: weblogic.oracle/v9\n"
         "kind: Domain\n"
         "metadata:\n"
         "  name: domain1\n"
         "  namespace: domain1-ns\n"
         "  labels:\n"
         "    weblogic.domainUID: domain1\n"
         "spec:\n"
         "  domainUID: domain1\n"
         "  domainHomeSourceType: FromModel\n"
         "  domainHome: /u01/domains/domain1\n"
         "  image: container-registry.oracle.com/middleware/weblogic:14.1.2.0-generic-jdk17-ol8\n"
         "  imagePullPolicy: IfNotPresent\n"
         "  imagePullSecrets:\n"
         "  - name: ocr-pull\n"
         "  - name: ocir-pull\n"
         "  webLogicCredentialsSecret:\n"
         "    name: domain1-weblogic-credentials\n"
         "  restartVersion: \"1\"\n"
         "  replicas: 2\n"
         "  clusters:\n"
         "  - name: domain1-cluster-1\n"
         "  configuration:\n"
         "    model:\n"
         "      domainType: WLS\n"
         "      runtimeEncryptionSecret: domain1-runtime-encryption-secret\n"
         "      auxiliaryImages:\n"
         "      - image: phx.ocir.io/t/domain1-aux:1.0\n"
         "        imagePullPolicy: IfNotPresent\n"
         "      - image: phx.ocir.io/t/models:latest\n"
         "        imagePullPolicy: Always\n"
         "        sourceWDTInstallHome: None\n"
         "        sourceModelHome: /u01/wdt/models\n");
  CHECK_INT_EQ(yaml_parse_docs(y), 2);
  free(y);
  char *j = wi_k8s_render(objs, n, WI_K8S_JSON, NULL, &err);
  const char *head =
      "{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"List\",\n    \"items\": [\n        {\n";
  CHECK(j && strncmp(j, head, strlen(head)) == 0);
  free(j);
  for (size_t i = 0; i < n; i++)
    wi_k8s_render_obj_free(objs[i]);
  free(objs);

  d.ns = "Bad_NS";
  CHECK_INT_EQ(wi_k8s_domain_objects(&objs, &n, &d, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "invalid namespace \"Bad_NS\"");
  d.ns = NULL;
  d.domain_type = "wls";
  CHECK_INT_EQ(wi_k8s_domain_objects(&objs, &n, &d, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "domain type \"wls\" is not WLS, JRF or RestrictedJRF");
  d.domain_type = NULL;
  d.credentials_secret = NULL;
  CHECK_INT_EQ(wi_k8s_domain_objects(&objs, &n, &d, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "secret are required");
}

/* What the model, JRF and the CRD add: serverPod.env, configuration.secrets and opss, the homes,
 * and the checks made before anything is output. */
TEST(domain_model_fields)
{
  const char *secrets[] = { "db", "d1-ldap" };
  struct wi_k8s_kv env[] = { { "CUSTOM_DOMAIN_NAME", "base", 0 }, { "JAVA_OPTIONS", "-Dx=1", 0 } };
  struct wi_k8s_domain d = { .uid = "d1",
                             .image = "wls:14",
                             .credentials_secret = "c",
                             .encryption_secret = "e",
                             .domain_type = "JRF",
                             .replicas = -1,
                             .secrets = secrets,
                             .n_secrets = 2,
                             .env = env,
                             .n_env = 2,
                             .opss_wallet_password_secret = "d1-opss-wallet-password-secret",
                             .opss_wallet_file_secret = "d1-opss-walletfile-secret",
                             .wdt_install_home = "/u01/wdt/weblogic-deploy",
                             .model_home = "/u01/wdt/models" };
  struct wi_k8s_obj **objs = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_k8s_domain_objects(&objs, &n, &d, &err), 0);
  char *y = n == 1 ? wi_k8s_render(objs, n, WI_K8S_YAML, NULL, &err) : NULL;
  CHECK_STR_HAS(y, "  serverPod:\n"
                   "    env:\n"
                   "    - name: CUSTOM_DOMAIN_NAME\n"
                   "      value: base\n"
                   "    - name: JAVA_OPTIONS\n"
                   "      value: -Dx=1\n"
                   "  configuration:\n"
                   "    secrets:\n"
                   "    - db\n"
                   "    - d1-ldap\n"
                   "    opss:\n"
                   "      walletPasswordSecret: d1-opss-wallet-password-secret\n"
                   "      walletFileSecret: d1-opss-walletfile-secret\n"
                   "    model:\n"
                   "      domainType: JRF\n"
                   "      runtimeEncryptionSecret: e\n"
                   "      wdtInstallHome: /u01/wdt/weblogic-deploy\n"
                   "      modelHome: /u01/wdt/models\n");
  free(y);
  for (size_t i = 0; i < n; i++)
    wi_k8s_render_obj_free(objs[i]);
  free(objs);

  /* each refused before any output, the field named */
  struct wi_k8s_domain b = d;
  b.opss_wallet_password_secret = NULL;
  CHECK_INT_EQ(wi_k8s_domain_check(&b, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "a JRF domain needs configuration.opss.walletPasswordSecret");
  b = d;
  b.domain_type = "WLS";
  CHECK_INT_EQ(wi_k8s_domain_check(&b, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "OPSS wallet secrets are for JRF domains, not WLS");
  b = d;
  b.restart_version = "a b";
  CHECK_INT_EQ(wi_k8s_domain_check(&b, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "invalid restartVersion \"a b\"");
  b = d;
  struct wi_k8s_kv reserved[] = { { "DOMAIN_UID", "x", 0 } };
  b.env = reserved;
  b.n_env = 1;
  CHECK_INT_EQ(wi_k8s_domain_check(&b, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "DOMAIN_UID is set by the operator");
  struct wi_k8s_kv twice[] = { { "A", "1", 0 }, { "A", "2", 0 } };
  b.env = twice;
  b.n_env = 2;
  CHECK_INT_EQ(wi_k8s_domain_check(&b, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "environment variable A given twice");
  b = d;
  b.model_home = "models";
  CHECK_INT_EQ(wi_k8s_domain_check(&b, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "invalid modelHome \"models\": expected an absolute path");
  b = d;
  const char *bad_secrets[] = { "Bad" };
  b.secrets = bad_secrets;
  b.n_secrets = 1;
  CHECK_INT_EQ(wi_k8s_domain_check(&b, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "invalid configuration secret name \"Bad\"");
  b = d;
  b.uid = "a-very-long-domain-uid-that-is-over-the-limit-x";
  CHECK_INT_EQ(wi_k8s_domain_check(&b, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "at most 45");
}

/* What --wait reads: generations and the operator's conditions. */
TEST(domain_status_parse)
{
  struct wi_k8s_domain_status st;
  wi_err err = { 0 };
  const char j[] = "{\"metadata\":{\"generation\":4},\"status\":{\"observedGeneration\":3,"
                   "\"message\":\"m\",\"conditions\":[{\"type\":\"Rolling\",\"status\":"
                   "\"True\"},{\"type\":\"Completed\",\"status\":\"False\"},{\"type\":"
                   "\"Failed\",\"status\":\"True\",\"reason\":\"ServerPod\",\"message\":"
                   "\"pull failed\"},{\"type\":\"Available\"}]}}";
  CHECK_INT_EQ(wi_k8s_kubectl_domain_status_parse(&st, j, sizeof j - 1, &err), 0);
  CHECK_INT_EQ(st.generation, 4);
  CHECK_INT_EQ(st.observed_generation, 3);
  CHECK_INT_EQ(st.rolling, 1);
  CHECK_INT_EQ(st.completed, 0);
  CHECK_INT_EQ(st.failed, 1);
  CHECK_INT_EQ(st.available, -1);
  CHECK_STR_EQ(st.reason, "ServerPod");
  CHECK_STR_EQ(st.message, "pull failed");
  wi_k8s_kubectl_domain_status_dispose(&st);
  const char none[] = "{\"kind\":\"Domain\"}";
  CHECK_INT_EQ(wi_k8s_kubectl_domain_status_parse(&st, none, sizeof none - 1, &err), 0);
  CHECK_INT_EQ(st.generation, -1);
  CHECK_INT_EQ(st.completed, -1);
  CHECK(st.message == NULL);
  wi_k8s_kubectl_domain_status_dispose(&st);
  CHECK_INT_EQ(wi_k8s_kubectl_domain_status_parse(&st, "[1]", 3, &err), WI_EPROTO);
}

TEST(aux_fields)
{
  struct wi_k8s_aux_meta m = { .wit_built = true };
  char h1[] = "/auxiliary", h2[] = "/auxiliary/models", h3[] = "/u01/wdt/",
       h4[] = "/u01/wdt/models";
  m.wdt_home = h1;
  m.model_home = h2;
  char *w = NULL, *md = NULL;
  wi_k8s_aux_fields(&m, &w, &md);
  CHECK(w == NULL && md == NULL); /* defaults are omitted */
  m.wdt_home = h3;
  m.model_home = h4;
  wi_k8s_aux_fields(&m, &w, &md);
  CHECK_STR_EQ(w, "/u01/wdt/weblogic-deploy");
  CHECK_STR_EQ(md, "/u01/wdt/models");
  free(w);
  free(md);
  m.scanned = true;
  m.has_models = true;
  m.has_wdt = false;
  wi_k8s_aux_fields(&m, &w, &md);
  CHECK_STR_EQ(w, "None");
  CHECK_STR_EQ(md, "/u01/wdt/models");
  free(w);
  free(md);
}

/* A small tar with one file under auxiliary/models, made with libarchive's writer. */
#include <archive.h>
#include <archive_entry.h>
static void
make_tar(const char *path, const char *member)
{
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_add_filter_gzip(a);
  archive_write_open_filename(a, path);
  struct archive_entry *e = archive_entry_new();
  archive_entry_set_pathname(e, member);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0640);
  archive_entry_set_size(e, 2);
  archive_write_header(a, e);
  archive_write_data(a, "x\n", 2);
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
}

TEST(aux_scan_layer)
{
  char dir[] = "/tmp/k8s-test.XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  wi_autofree char *path = wi_xasprintf("%s/layer.tgz", dir);
  make_tar(path, "./u01/wdt/models/model.yaml");
  struct wi_k8s_aux_meta m = { 0 };
  m.wit_built = true;
  m.wdt_home = wi_xstrdup("/u01/wdt");
  m.model_home = wi_xstrdup("/u01/wdt/models");
  wi_err err = { 0 };
  int fd = open(path, O_RDONLY);
  CHECK_INT_EQ(wi_k8s_aux_scan_layer(&m, fd, "layer", &err), 0);
  close(fd);
  CHECK(m.scanned && m.has_models && !m.has_wdt);
  wi_k8s_aux_meta_dispose(&m);
  fd = open("/etc/hostname", O_RDONLY);
  struct wi_k8s_aux_meta m2 = { 0 };
  CHECK_INT_EQ(wi_k8s_aux_scan_layer(&m2, fd, "layer sha256:0", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "layer sha256:0");
  close(fd);
  unlink(path);
  rmdir(dir);
}

TEST(domain_state_parse)
{
  const char *js =
      "{\"apiVersion\":\"weblogic.oracle/v9\",\"spec\":{\"image\":\"w:1\",\"restartVersion\":\"3\","
      "\"configuration\":{\"model\":{\"auxiliaryImages\":[{\"image\":\"a:1\"},"
      "{\"image\":\"b:latest\",\"imagePullPolicy\":\"Always\"}]}}}}";
  struct wi_k8s_domain_state st;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_k8s_kubectl_domain_state_parse(&st, js, strlen(js), &err), 0);
  CHECK_STR_EQ(st.image, "w:1");
  CHECK_STR_EQ(st.restart_version, "3");
  CHECK(st.introspect_version == NULL);
  CHECK_INT_EQ(st.n_aux, 2);
  CHECK_STR_EQ(st.aux_images[1], "b:latest");
  CHECK_STR_EQ(st.aux_pull_policies[1], "Always");
  CHECK(st.aux_pull_policies[0] == NULL);
  wi_k8s_kubectl_domain_state_dispose(&st);
  CHECK_INT_EQ(wi_k8s_kubectl_domain_state_parse(&st, "{\"spec\":3}", 10, &err), WI_EPROTO);
  CHECK_STR_HAS(err.msg, "spec: expected an object");

  bool has = true, listed = true;
  const char *sa = "{\"kind\":\"ServiceAccount\",\"imagePullSecrets\":[{\"name\":\"old\"}]}";
  CHECK_INT_EQ(wi_k8s_kubectl_sa_parse(sa, strlen(sa), "new", &has, &listed, &err), 0);
  CHECK(has && !listed);
  CHECK_INT_EQ(wi_k8s_kubectl_sa_parse(sa, strlen(sa), "old", &has, &listed, &err), 0);
  CHECK(listed);
  CHECK_INT_EQ(wi_k8s_kubectl_sa_parse("{}", 2, "x", &has, &listed, &err), 0);
  CHECK(!has && !listed);
}

TEST(server_hosts)
{
  char *h = wi_k8s_server_host("https://index.docker.io/v1/");
  CHECK_STR_EQ(h, "docker.io");
  free(h);
  h = wi_k8s_server_host("phx.ocir.io");
  CHECK_STR_EQ(h, "phx.ocir.io");
  free(h);
  h = wi_k8s_server_host("https://127.0.0.1:5000/v2/");
  CHECK_STR_EQ(h, "127.0.0.1:5000");
  free(h);
  h = wi_k8s_server_for_host("docker.io");
  CHECK_STR_EQ(h, "https://index.docker.io/v1/");
  free(h);
}

TEST(kubectl_spawn)
{
  /* "cat -" echoes stdin: proves the object travels on stdin and stdout is captured. */
  setenv("WLSIMG_KUBECTL", "cat", 1);
  const char *args[] = { "-", NULL };
  char *out = NULL;
  size_t len = 0;
  wi_err err = { 0 };
  /* larger than a pipe buffer, so writing and reading must interleave */
  size_t big = 300000;
  char *in = wi_xmalloc(big);
  for (size_t i = 0; i < big; i++)
    in[i] = (char)('a' + i % 26);
  CHECK_INT_EQ(wi_k8s_kubectl(args, in, big, &out, &len, NULL, &err), 0);
  CHECK_INT_EQ(len, big);
  CHECK(out && memcmp(out, in, big) == 0);
  free(out);
  free(in);
  setenv("WLSIMG_KUBECTL", "false", 1);
  const char *a2[] = { "apply", "-f", "-", NULL };
  CHECK_INT_EQ(wi_k8s_kubectl(a2, "x", 1, NULL, NULL, NULL, &err), WI_ERR);
  CHECK_STR_HAS(err.msg, "kubectl apply -f - exited with status 1");
  int code = 0;
  CHECK_INT_EQ(wi_k8s_kubectl(a2, "x", 1, NULL, NULL, &code, &err), 0);
  CHECK_INT_EQ(code, 1);
  setenv("WLSIMG_KUBECTL", "/nonexistent/kubectl", 1);
  CHECK_INT_EQ(wi_k8s_kubectl(a2, "x", 1, NULL, NULL, NULL, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "cannot run /nonexistent/kubectl");
  unsetenv("WLSIMG_KUBECTL");
}

int
main(void)
{
  RUN(go_json_escaping);
  RUN(dockerconfigjson_reference);
  RUN(docker_secret_yaml_matches_kubectl);
  RUN(docker_secret_json_matches_kubectl);
  RUN(docker_secret_missing_fields);
  RUN(generic_secret_matches_kubectl);
  RUN(dns1123);
  RUN(pull_policy_rule);
  RUN(yaml_quoting_like_go_yaml);
  RUN(yaml_emitter_quoting);
  RUN(yaml_key_order);
  RUN(next_version);
  RUN(patches);
  RUN(domain_objects);
  RUN(aux_fields);
  RUN(aux_scan_layer);
  RUN(domain_model_fields);
  RUN(domain_state_parse);
  RUN(domain_status_parse);
  RUN(server_hosts);
  RUN(kubectl_spawn);
  DONE();
}
