/* Unit tests for src/lib/imgconfig.c: parse checks, deterministic output, setters, --change. */
#include <string.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/imgconfig.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static struct wi_imgconfig *
new_amd64(void)
{
  struct wi_platform p;
  wi_ref_platform_parse(&p, "linux/amd64", NULL);
  return wi_imgconfig_new(&p, 0);
}

/* The "config" member of a fresh config's serialisation (between "config": and ,"rootfs"). */
static char *
config_member(const struct wi_imgconfig *c)
{
  char *s = wi_imgconfig_serialize(c, NULL);
  const char *a = strstr(s, "\"config\":");
  const char *b = strstr(s, ",\"rootfs\":");
  char *r = (a && b && b > a) ? wi_xstrndup(a + 9, (size_t)(b - a - 9)) : wi_xstrdup("?");
  free(s);
  return r;
}

TEST(test_new)
{
  struct wi_platform p;
  size_t len = 0;
  struct wi_imgconfig *c = new_amd64();
  char *s = wi_imgconfig_serialize(c, &len);

  CHECK_STR_EQ(s,
               "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"1970-01-01T00:00:00Z\","
               "\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[]}");
  CHECK_INT_EQ(len, strlen(s));
  CHECK_INT_EQ(wi_imgconfig_n_diff_ids(c), 0);
  CHECK(wi_imgconfig_diff_id(c, 0) == NULL);
  free(s);
  wi_imgconfig_free(c);

  wi_ref_platform_parse(&p, "linux/arm64/v8", NULL);
  c = wi_imgconfig_new(&p, 1700000000);
  s = wi_imgconfig_serialize(c, NULL);
  CHECK_STR_HAS(s, "{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\","
                   "\"created\":\"2023-11-14T22:13:20Z\",");
  struct wi_platform got;
  wi_imgconfig_platform(c, &got);
  CHECK_STR_EQ(got.arch, "arm64");
  CHECK_STR_EQ(got.os, "linux");
  CHECK_STR_EQ(got.variant, "v8");
  free(s);
  wi_imgconfig_free(c);
}

TEST(test_layers_and_history)
{
  struct wi_imgconfig *c = new_amd64();

  wi_imgconfig_add_layer(c, D1, 60, "COPY dir /auxiliary", NULL);
  wi_imgconfig_add_layer(c, NULL, 61, "ENV A=1", "wlsimg");
  wi_imgconfig_add_layer(c, D2, 62, NULL, "c");
  wi_imgconfig_set_created(c, 86400);
  CHECK_INT_EQ(wi_imgconfig_n_diff_ids(c), 2);
  CHECK_STR_EQ(wi_imgconfig_diff_id(c, 0), D1);
  CHECK_STR_EQ(wi_imgconfig_diff_id(c, 1), D2);
  char *s = wi_imgconfig_serialize(c, NULL);
  CHECK_STR_EQ(s,
               "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"1970-01-02T00:00:00Z\","
               "\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2
               "\"]},\"history\":[{\"created\":\"1970-01-01T00:01:00Z\",\"created_by\":\"COPY "
               "dir /auxiliary\"},{\"created\":\"1970-01-01T00:01:01Z\",\"created_by\":\"ENV "
               "A=1\",\"comment\":\"wlsimg\",\"empty_layer\":true},{\"created\":\"1970-01-01T00:"
               "01:02Z\",\"comment\":\"c\"}]}");
  free(s);
  wi_imgconfig_free(c);
}

/* A Docker-built base image: unknown fields and key order survive an edit. */
static const char base[] =
    "{\"architecture\":\"amd64\",\"config\":{\"Hostname\":\"\",\"Env\":[\"PATH=/usr/bin\",\"JAVA_HOME=/j\"],"
    "\"Cmd\":[\"sh\"],\"Image\":\"sha256:x\",\"Labels\":null},\"container\":\"abc\",\"created\":"
    "\"2023-05-19T20:19:27.6Z\",\"docker_version\":\"20.10.23\",\"history\":[{\"created\":\"2023-05-19T20:"
    "19:27Z\",\"created_by\":\"/bin/sh -c #(nop) ADD file:x in / \"}],\"os\":\"linux\",\"rootfs\":{\"type\":"
    "\"layers\",\"diff_ids\":[\"" D1 "\"]}}";

TEST(test_parse_and_edit)
{
  struct wi_imgconfig *c = NULL;
  wi_err err = { 0 };

  CHECK_INT_EQ(wi_imgconfig_parse(&c, base, strlen(base), &err), 0);
  if (c == NULL)
    return;
  /* unchanged: identical bytes */
  char *s = wi_imgconfig_serialize(c, NULL);
  CHECK_STR_EQ(s, base);
  free(s);
  CHECK_STR_EQ(wi_imgconfig_get_env(c, "PATH"), "/usr/bin");
  CHECK_STR_EQ(wi_imgconfig_get_env(c, "JAVA_HOME"), "/j");
  CHECK(wi_imgconfig_get_env(c, "JAVA") == NULL);
  CHECK(wi_imgconfig_get_user(c) == NULL);
  CHECK(wi_imgconfig_get_label(c, "x") == NULL);
  CHECK_INT_EQ(wi_imgconfig_n_diff_ids(c), 1);

  wi_imgconfig_set_env(c, "PATH", "/u01/bin:/usr/bin"); /* replaced in place */
  wi_imgconfig_set_env(c, "NEW", "a=b");
  wi_imgconfig_set_user(c, "oracle");
  wi_imgconfig_set_workdir(c, "/u01");
  wi_imgconfig_set_label(c, "k", "v"); /* "Labels": null becomes an object */
  wi_imgconfig_set_exposed_port(c, "7001");
  wi_imgconfig_set_exposed_port(c, "53/udp");
  wi_imgconfig_add_volume(c, "/data");
  const char *ep[] = { "/entry.sh", NULL };
  wi_imgconfig_set_entrypoint(c, ep);
  wi_imgconfig_set_cmd(c, NULL);
  wi_imgconfig_add_layer(c, D2, 0, "COPY", NULL);
  CHECK_STR_EQ(wi_imgconfig_get_env(c, "NEW"), "a=b");
  CHECK_STR_EQ(wi_imgconfig_get_user(c), "oracle");
  CHECK_STR_EQ(wi_imgconfig_get_workdir(c), "/u01");
  CHECK_STR_EQ(wi_imgconfig_get_label(c, "k"), "v");
  s = wi_imgconfig_serialize(c, NULL);
  CHECK_STR_EQ(
      s, "{\"architecture\":\"amd64\",\"config\":{\"Hostname\":\"\",\"Env\":[\"PATH=/u01/bin:/"
         "usr/bin\",\"JAVA_HOME=/j\",\"NEW=a=b\"],\"Image\":\"sha256:x\",\"Labels\":{\"k\":\"v\"},"
         "\"User\":\"oracle\",\"WorkingDir\":\"/u01\",\"ExposedPorts\":{\"7001/tcp\":{},\"53/"
         "udp\":{}},\"Volumes\":{\"/data\":{}},\"Entrypoint\":[\"/entry.sh\"]},\"container\":"
         "\"abc\",\"created\":\"2023-05-19T20:19:27.6Z\",\"docker_version\":\"20.10.23\","
         "\"history\":[{\"created\":\"2023-05-19T20:19:27Z\",\"created_by\":\"/bin/sh -c "
         "#(nop) ADD file:x in / \"},{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":"
         "\"COPY\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1
         "\",\"" D2 "\"]}}");
  free(s);
  wi_imgconfig_free(c);

  /* bytes that are not UTF-8 become '?' rather than a value that silently goes missing */
  c = new_amd64();
  wi_imgconfig_set_env(c, "E", "x\xff");
  wi_imgconfig_set_label(c, "l\x80", "\xe2\x82\xac");
  wi_imgconfig_add_volume(c, "/v\xfe");
  s = config_member(c);
  CHECK_STR_EQ(
      s, "{\"Env\":[\"E=x?\"],\"Labels\":{\"l?\":\"\xe2\x82\xac\"},\"Volumes\":{\"/v?\":{}}}");
  free(s);
  wi_imgconfig_free(c);

  /* "config": null and no rootfs/history are accepted; setters create what they need */
  static const char minimal[] =
      "{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\",\"config\":null}";
  CHECK_INT_EQ(wi_imgconfig_parse(&c, minimal, strlen(minimal), &err), 0);
  if (c == NULL)
    return;
  struct wi_platform p;
  wi_imgconfig_platform(c, &p);
  CHECK_STR_EQ(p.variant, "v7");
  CHECK_INT_EQ(wi_imgconfig_n_diff_ids(c), 0);
  wi_imgconfig_set_user(c, "1000");
  wi_imgconfig_add_layer(c, D1, 0, "x", NULL);
  s = wi_imgconfig_serialize(c, NULL);
  CHECK_STR_EQ(s,
               "{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\",\"config\":{\"User\":"
               "\"1000\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\"]},\"history\":"
               "[{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"x\"}]}");
  free(s);
  wi_imgconfig_free(c);
}

struct bad_case {
  const char *json;
  const char *msg;
};

#define AO "\"architecture\":\"amd64\",\"os\":\"linux\""

static const struct bad_case bad_cases[] = {
  { "", "invalid image config: line 1 column 0" },
  { "{\n\"a\":1,\n\"a\":2}", "line 3 column" },
  { "{\"a\":1,\"a\":2}", "duplicate object key" },
  { "[]", "expected a JSON object, got an array" },
  { "{\"os\":\"linux\"}", "architecture: missing" },
  { "{\"architecture\":\"amd64\"}", "os: missing" },
  { "{\"architecture\":1,\"os\":\"linux\"}", "architecture: expected a string, got an integer" },
  { "{\"architecture\":\"amd64\",\"os\":null}", "os: expected a string, got null" },
  { "{" AO ",\"variant\":8}", "variant: expected a string" },
  { "{" AO ",\"history\":{}}", "history: expected an array, got an object" },
  { "{" AO ",\"config\":[]}", "config: expected an object, got an array" },
  { "{" AO ",\"rootfs\":\"x\"}", "rootfs: expected an object, got a string" },
  { "{" AO ",\"rootfs\":{\"diff_ids\":{}}}", "rootfs.diff_ids: expected an array, got an object" },
  { "{" AO ",\"rootfs\":{\"diff_ids\":[\"" D1 "\",2]}}",
    "rootfs.diff_ids[1]: expected a string, got an integer" },
  { "{" AO ",\"rootfs\":{\"diff_ids\":[\"sha256:abc\"]}}",
    "rootfs.diff_ids[0]: invalid digest \"sha256:abc\"" },
};

TEST(test_parse_errors)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(bad_cases); i++) {
    const struct bad_case *tc = &bad_cases[i];
    struct wi_imgconfig *c = NULL;
    wi_err err = { 0 };
    int ret = wi_imgconfig_parse(&c, tc->json, strlen(tc->json), &err);
    if (ret != WI_EINVAL || strstr(err.msg, tc->msg) == NULL)
      fprintf(stderr, "  case %zu (%s): got %d %s\n", i, tc->json, ret, err.msg);
    CHECK_INT_EQ(ret, WI_EINVAL);
    CHECK_INT_EQ(err.code, WI_EINVAL);
    CHECK_STR_HAS(err.msg, tc->msg);
    CHECK(c == NULL);
  }
  size_t n = 8 * 1024 * 1024 + 1;
  char *big = wi_xmalloc(n);
  struct wi_imgconfig *c = NULL;
  wi_err err = { 0 };
  memset(big, ' ', n);
  CHECK_INT_EQ(wi_imgconfig_parse(&c, big, n, &err), WI_ETOOBIG);
  CHECK_STR_HAS(err.msg, "image config too large (8388609 bytes > 8388608)");
  free(big);
}

struct change_case {
  const char *change;
  const char *config; /* resulting "config" member of a fresh config */
};

static const struct change_case change_cases[] = {
  { "CMD [\"/bin/echo\", \"hi\"]", "{\"Cmd\":[\"/bin/echo\",\"hi\"]}" },
  { "CMD echo hi there", "{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo hi there\"]}" },
  { "cmd  [\"a\"]  ", "{\"Cmd\":[\"a\"]}" },
  /* not a JSON array of strings: shell form, as docker */
  { "CMD [\"a\", 1]", "{\"Cmd\":[\"/bin/sh\",\"-c\",\"[\\\"a\\\", 1]\"]}" },
  { "CMD [oops", "{\"Cmd\":[\"/bin/sh\",\"-c\",\"[oops\"]}" },
  { "ENTRYPOINT [\"/entry.sh\"]", "{\"Entrypoint\":[\"/entry.sh\"]}" },
  { "ENTRYPOINT /entry.sh -x", "{\"Entrypoint\":[\"/bin/sh\",\"-c\",\"/entry.sh -x\"]}" },
  { "ENV A=1", "{\"Env\":[\"A=1\"]}" },
  { "ENV A=1 B=\"two words\" C=3\\ 4 D='$x \"q\"' E=",
    "{\"Env\":[\"A=1\",\"B=two words\",\"C=3 4\",\"D=$x \\\"q\\\"\",\"E=\"]}" },
  { "ENV A=\"x\\\"y\\\\z\"", "{\"Env\":[\"A=x\\\"y\\\\z\"]}" },
  { "ENV JAVA_OPTS -Xmx1g  -Dx=\"a b\"", "{\"Env\":[\"JAVA_OPTS=-Xmx1g  -Dx=a b\"]}" },
  { "ENV A=1 A=2", "{\"Env\":[\"A=2\"]}" },
  { "LABEL a=b \"c.d\"=\"e f\"", "{\"Labels\":{\"a\":\"b\",\"c.d\":\"e f\"}}" },
  { "LABEL maintainer Someone Else", "{\"Labels\":{\"maintainer\":\"Someone Else\"}}" },
  { "USER oracle", "{\"User\":\"oracle\"}" },
  { "USER 1000:0", "{\"User\":\"1000:0\"}" },
  { "WORKDIR /u01/oracle", "{\"WorkingDir\":\"/u01/oracle\"}" },
  { "WORKDIR rel", "{\"WorkingDir\":\"/rel\"}" },
  { "EXPOSE 7001", "{\"ExposedPorts\":{\"7001/tcp\":{}}}" },
  { "EXPOSE 7001/tcp 53/UDP 8000-8002",
    "{\"ExposedPorts\":{\"7001/tcp\":{},\"53/udp\":{},\"8000/tcp\":{},\"8001/tcp\":{},\"8002/"
    "tcp\":{}}}" },
  { "VOLUME /data", "{\"Volumes\":{\"/data\":{}}}" },
  { "VOLUME /a /b", "{\"Volumes\":{\"/a\":{},\"/b\":{}}}" },
  { "VOLUME [\"/a b\", \"/c\"]", "{\"Volumes\":{\"/a b\":{},\"/c\":{}}}" },
  { "STOPSIGNAL SIGTERM", "{\"StopSignal\":\"SIGTERM\"}" },
  { "ONBUILD RUN echo \"hi\"", "{\"OnBuild\":[\"RUN echo \\\"hi\\\"\"]}" },
};

TEST(test_apply_change)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(change_cases); i++) {
    const struct change_case *tc = &change_cases[i];
    struct wi_imgconfig *c = new_amd64();
    wi_err err = { 0 };
    int ret = wi_imgconfig_apply_change(c, tc->change, &err);
    if (ret != 0)
      fprintf(stderr, "  case %zu (%s): %s\n", i, tc->change, err.msg);
    CHECK_INT_EQ(ret, 0);
    char *got = config_member(c);
    if (strcmp(got, tc->config) != 0)
      fprintf(stderr, "  case %zu (%s)\n", i, tc->change);
    CHECK_STR_EQ(got, tc->config);
    free(got);
    wi_imgconfig_free(c);
  }
}

TEST(test_apply_change_sequence)
{
  struct wi_imgconfig *c = NULL;
  wi_err err = { 0 };
  static const char withcmd[] = "{" AO ",\"config\":{\"Cmd\":[\"sh\"],\"WorkingDir\":\"/u01\"}}";

  /* ENTRYPOINT drops an inherited CMD ... */
  CHECK_INT_EQ(wi_imgconfig_parse(&c, withcmd, strlen(withcmd), &err), 0);
  CHECK_INT_EQ(wi_imgconfig_apply_change(c, "ENTRYPOINT [\"/e\"]", &err), 0);
  CHECK_INT_EQ(wi_imgconfig_apply_change(c, "WORKDIR oracle", &err), 0);
  char *s = wi_imgconfig_serialize(c, NULL);
  CHECK_STR_HAS(s, "\"config\":{\"WorkingDir\":\"/u01/oracle\",\"Entrypoint\":[\"/e\"]}");
  free(s);
  wi_imgconfig_free(c);
  /* ... but not one set by an earlier --change */
  CHECK_INT_EQ(wi_imgconfig_parse(&c, withcmd, strlen(withcmd), &err), 0);
  CHECK_INT_EQ(wi_imgconfig_apply_change(c, "CMD [\"-x\"]", &err), 0);
  CHECK_INT_EQ(wi_imgconfig_apply_change(c, "ENTRYPOINT [\"/e\"]", &err), 0);
  s = wi_imgconfig_serialize(c, NULL);
  CHECK_STR_HAS(s, "\"Cmd\":[\"-x\"]");
  CHECK_STR_HAS(s, "\"Entrypoint\":[\"/e\"]");
  free(s);
  wi_imgconfig_free(c);
}

TEST(test_apply_change_expansion)
{
  static const char base_env[] =
      "{" AO ",\"config\":{\"Env\":[\"PATH=/usr/bin\",\"JAVA_HOME=/j\",\"EMPTY=\"]}}";
  static const struct {
    const char *change, *want;
  } cases[] = {
    { "ENV PATH=$PATH:/u01/bin", "\"PATH=/usr/bin:/u01/bin\"" },
    { "ENV A=${JAVA_HOME}/bin", "\"A=/j/bin\"" },
    { "ENV B=${NOPE:-def} C=${JAVA_HOME:+yes} D=${NOPE:+no} E=${EMPTY:-e}",
      "\"B=def\",\"C=yes\",\"D=\",\"E=e\"" },
    { "ENV E=\\$PATH F='$PATH' G=\"$PATH\" H=$ I=$1 J=a$",
      "\"E=$PATH\",\"F=$PATH\",\"G=/usr/bin\",\"H=$\",\"I=$1\",\"J=a$\"" },
    /* all pairs of one ENV see the values from before it */
    { "ENV JAVA_HOME=/k X=$JAVA_HOME", "\"JAVA_HOME=/k\",\"EMPTY=\",\"X=/j\"" },
    { "ENV LEGACY $JAVA_HOME and  more", "\"LEGACY=/j and  more\"" },
    { "WORKDIR $JAVA_HOME/lib", "\"WorkingDir\":\"/j/lib\"" },
    { "USER ${NOPE:-oracle}", "\"User\":\"oracle\"" },
    { "LABEL v=$JAVA_HOME", "\"Labels\":{\"v\":\"/j\"}" },
    { "VOLUME $JAVA_HOME/data", "\"Volumes\":{\"/j/data\":{}}" },
    /* CMD and ENTRYPOINT are not expanded */
    { "CMD echo $PATH", "\"Cmd\":[\"/bin/sh\",\"-c\",\"echo $PATH\"]" },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    struct wi_imgconfig *c = NULL;
    wi_err err = { 0 };
    CHECK_INT_EQ(wi_imgconfig_parse(&c, base_env, strlen(base_env), &err), 0);
    if (c == NULL)
      return;
    int ret = wi_imgconfig_apply_change(c, cases[i].change, &err);
    if (ret != 0)
      fprintf(stderr, "  case %zu (%s): %s\n", i, cases[i].change, err.msg);
    CHECK_INT_EQ(ret, 0);
    char *s = wi_imgconfig_serialize(c, NULL);
    if (strstr(s, cases[i].want) == NULL)
      fprintf(stderr, "  case %zu (%s)\n", i, cases[i].change);
    CHECK_STR_HAS(s, cases[i].want);
    free(s);
    wi_imgconfig_free(c);
  }
}

struct change_bad {
  const char *change;
  const char *msg;
};

static const struct change_bad change_bad_cases[] = {
  { "", "empty --change instruction" },
  { "   ", "empty --change instruction" },
  { "RUN echo hi", "unsupported --change instruction RUN (supported: CMD ENTRYPOINT ENV" },
  { "copy a b", "unsupported --change instruction COPY" },
  { "FROM x", "unsupported --change instruction FROM" },
  { "HEALTHCHECK NONE", "unsupported --change instruction HEALTHCHECK" },
  { "AVERYLONGINSTRUCTIONWORD x", "unknown --change instruction" },
  { "CMD", "CMD requires at least one argument" },
  { "ENTRYPOINT   ", "ENTRYPOINT requires at least one argument" },
  { "ENV", "ENV requires at least one argument" },
  { "ENV A", "ENV A: missing value (use ENV name=value)" },
  { "ENV =x", "ENV: names can not be blank" },
  { "ENV A=1 B", "ENV: can't find = in \"B\"; use the form name=value" },
  { "ENV A=\"unterminated", "ENV: unterminated \" quote" },
  { "LABEL a='x", "LABEL: unterminated ' quote" },
  { "LABEL", "LABEL requires at least one argument" },
  { "USER", "USER requires exactly one argument" },
  { "USER a b", "USER requires exactly one argument" },
  { "WORKDIR", "WORKDIR requires exactly one argument" },
  { "EXPOSE", "EXPOSE requires at least one argument" },
  { "EXPOSE 99999", "EXPOSE: invalid port \"99999\" (1-65535)" },
  { "EXPOSE 0", "EXPOSE: invalid port \"0\"" },
  { "EXPOSE http", "EXPOSE: invalid port \"http\"" },
  { "EXPOSE 80/icmp", "EXPOSE: invalid protocol \"icmp\" in \"80/icmp\" (tcp, udp, sctp)" },
  { "EXPOSE 90-80", "EXPOSE: invalid port \"90-80\"" },
  { "EXPOSE 80-", "EXPOSE: invalid port range \"80-\"" },
  { "EXPOSE 80x", "EXPOSE: invalid port \"80x\"" },
  { "VOLUME", "VOLUME requires at least one argument" },
  { "ENV A=${PATH", "ENV: bad variable substitution \"${PATH\"" },
  { "ENV A=${}", "ENV: bad variable substitution" },
  { "ENV A=${1}", "ENV: bad variable substitution" },
  { "WORKDIR ${X:-a", "WORKDIR: bad variable substitution" },
  { "ONBUILD", "ONBUILD requires at least one argument" },
  { "ONBUILD from x", "ONBUILD: from isn't allowed as an ONBUILD trigger" },
  { "ONBUILD ONBUILD RUN x", "ONBUILD: ONBUILD isn't allowed" },
  { "VOLUME [\"\"]", "VOLUME specified can not be an empty string" },
};

TEST(test_apply_change_errors)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(change_bad_cases); i++) {
    const struct change_bad *tc = &change_bad_cases[i];
    struct wi_imgconfig *c = new_amd64();
    wi_err err = { 0 };
    int ret = wi_imgconfig_apply_change(c, tc->change, &err);
    if (ret != WI_EINVAL || strstr(err.msg, tc->msg) == NULL)
      fprintf(stderr, "  case %zu (%s): got %d %s\n", i, tc->change, ret, err.msg);
    CHECK_INT_EQ(ret, WI_EINVAL);
    CHECK_INT_EQ(err.code, WI_EINVAL);
    CHECK_STR_HAS(err.msg, tc->msg);
    wi_imgconfig_free(c);
  }
}

int
main(void)
{
  RUN(test_new);
  RUN(test_layers_and_history);
  RUN(test_parse_and_edit);
  RUN(test_parse_errors);
  RUN(test_apply_change);
  RUN(test_apply_change_sequence);
  RUN(test_apply_change_expansion);
  RUN(test_apply_change_errors);
  DONE();
}
