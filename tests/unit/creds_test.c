/* Unit tests for src/lib/creds.c against real files in a temporary HOME and a real credential
 * helper (a small shell script speaking the docker-credential protocol, found on PATH). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/creds.h"
#include "lib/fs.h"

/* A writable copy of a literal (a compound literal) for struct wi_cred's char * fields. */
#define S(lit) ((char[]){ lit })

static char *g_tmp;  /* temporary root */
static char *g_home; /* $HOME for the current test */
static int g_seq;

/* A fresh HOME and no credential-related variables, so that nothing on the machine leaks in. */
static void
fresh_env(void)
{
  wi_err err = { 0 };
  free(g_home);
  g_home = wi_xasprintf("%s/home%d", g_tmp, ++g_seq);
  wi_fs_mkdir_p(g_home, 0755, &err);
  setenv("HOME", g_home, 1);
  unsetenv("DOCKER_CONFIG");
  unsetenv("REGISTRY_AUTH_FILE");
  unsetenv("XDG_RUNTIME_DIR");
  unsetenv("XDG_CONFIG_HOME");
}

static void
write_file(const char *path, const char *text)
{
  wi_err err = { 0 };
  wi_autofree char *dir = wi_xstrdup(path);
  *strrchr(dir, '/') = '\0';
  wi_fs_mkdir_p(dir, 0700, &err);
  if (wi_fs_write_file_atomic(path, text, strlen(text), 0600, &err) < 0)
    fprintf(stderr, "write %s: %s\n", path, err.msg);
}

static char *
read_text(const char *path)
{
  char *data = NULL;
  size_t len = 0;
  wi_err err = { 0 };
  if (wi_fs_read_file(path, 1 << 20, &data, &len, &err) < 0)
    return NULL;
  return data;
}

static char *
docker_config(void)
{
  return wi_xasprintf("%s/.docker/config.json", g_home);
}

TEST(test_config_key_and_path)
{
  fresh_env();
  wi_autofree char *k1 = wi_creds_config_key("docker.io");
  wi_autofree char *k2 = wi_creds_config_key("127.0.0.1:5000");
  CHECK_STR_EQ(k1, "https://index.docker.io/v1/");
  CHECK_STR_EQ(k2, "127.0.0.1:5000");
  wi_autofree char *p1 = wi_creds_docker_config_path();
  wi_autofree char *want1 = docker_config();
  CHECK_STR_EQ(p1, want1);
  setenv("DOCKER_CONFIG", "/some/dir", 1);
  wi_autofree char *p2 = wi_creds_docker_config_path();
  CHECK_STR_EQ(p2, "/some/dir/config.json");
  wi_autofree char *h1 = wi_creds_registry_host("https://host:5000/v2/");
  wi_autofree char *h2 = wi_creds_registry_host("http://lhr.ocir.io");
  wi_autofree char *h3 = wi_creds_registry_host("127.0.0.1:5000/x");
  wi_autofree char *h4 = wi_creds_registry_host("https:///");
  CHECK_STR_EQ(h1, "host:5000");
  CHECK_STR_EQ(h2, "lhr.ocir.io");
  CHECK_STR_EQ(h3, "127.0.0.1:5000");
  CHECK_STR_EQ(h4, "");
}

TEST(test_lookup_docker_config)
{
  fresh_env();
  wi_autofree char *path = docker_config();
  /* "alice:pa:ss" (split at the first ':'), a URL key, Docker Hub under its legacy key, an identity
   * token, old username/password fields, a registry token, an empty marker */
  write_file(path, "{\"auths\":{"
                   "\"reg.example:5000\":{\"auth\":\"YWxpY2U6cGE6c3M=\"},"
                   "\"https://url.example/v2/\":{\"auth\":\"Ym9iOnB3\"},"
                   "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOmh1YnB3\"},"
                   "\"tok.example\":{\"auth\":\"Y2Fyb2w6\",\"identitytoken\":\"REFRESH\"},"
                   "\"old.example\":{\"username\":\"dave\",\"password\":\"dpw\"},"
                   "\"rt.example\":{\"registrytoken\":\"JWT\"},"
                   "\"empty.example\":{}"
                   "}}");
  static const struct {
    const char *host, *user, *pass, *itok, *rtok;
  } cases[] = {
    { "reg.example:5000", "alice", "pa:ss", NULL, NULL },
    { "url.example", "bob", "pw", NULL, NULL },
    { "URL.EXAMPLE", "bob", "pw", NULL, NULL },
    { "docker.io", "hub", "hubpw", NULL, NULL },
    { "registry-1.docker.io", "hub", "hubpw", NULL, NULL },
    { "index.docker.io", "hub", "hubpw", NULL, NULL },
    { "tok.example", "carol", "", "REFRESH", NULL },
    { "old.example", "dave", "dpw", NULL, NULL },
    { "rt.example", NULL, NULL, NULL, "JWT" },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    struct wi_cred c;
    wi_err err = { 0 };
    int ret = wi_creds_lookup(cases[i].host, "ns/app", NULL, &c, &err);
    CHECK_INT_EQ(ret, 0);
    if (ret) {
      fprintf(stderr, "  %s: %s\n", cases[i].host, err.msg);
      continue;
    }
    CHECK_STR_EQ(c.username, cases[i].user);
    CHECK_STR_EQ(c.password, cases[i].pass);
    CHECK_STR_EQ(c.identity_token, cases[i].itok);
    CHECK_STR_EQ(c.registry_token, cases[i].rtok);
    CHECK_STR_EQ(c.source, path);
    wi_creds_dispose(&c);
  }
  const char *missing[] = { "empty.example", "other.example", "reg.example" };
  for (size_t i = 0; i < WI_ARRAY_SIZE(missing); i++) {
    struct wi_cred c;
    wi_err err = { 0 };
    CHECK_INT_EQ(wi_creds_lookup(missing[i], NULL, NULL, &c, &err), WI_ENOTFOUND);
    CHECK_STR_HAS(err.msg, "no credentials for");
    CHECK_STR_HAS(err.msg, missing[i]);
  }
}

TEST(test_lookup_errors)
{
  fresh_env();
  wi_autofree char *path = docker_config();
  struct wi_cred c;
  wi_err err = { 0 };

  write_file(path, "{\"auths\":{\"a.example\":{\"auth\":\"bm9jb2xvbg==\"}}}"); /* "nocolon" */
  CHECK_INT_EQ(wi_creds_lookup("a.example", NULL, NULL, &c, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "auths.\"a.example\".auth: expected base64 of \"user:password\"");
  CHECK_STR_HAS(err.msg, path);

  write_file(path, "{\"auths\":{\"a.example\":{\"auth\":\"OnB3\"}}}"); /* ":pw": empty user */
  CHECK_INT_EQ(wi_creds_lookup("a.example", NULL, NULL, &c, &err), WI_EINVAL);

  write_file(path, "{\"auths\":{\"a.example\":{\"auth\":\"c2VjcmV0LXNlY3JldA==\"}, oops}");
  CHECK_INT_EQ(wi_creds_lookup("a.example", NULL, NULL, &c, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "invalid JSON at line 1");
  CHECK(strstr(err.msg, "c2Vj") == NULL); /* no file contents in messages */
}

TEST(test_store_docker_config)
{
  fresh_env();
  wi_autofree char *path = docker_config();
  wi_autofree char *where = NULL;
  wi_err err = { 0 };
  struct wi_cred c = { .username = S("tenancy/oracleidentitycloudservice/u@x.com"),
                       .password = S("p:w") };

  /* no file yet: directory 0700, file 0600, docker's tab indentation */
  CHECK_INT_EQ(wi_creds_store("lhr.ocir.io", &c, NULL, &where, &err), 0);
  CHECK_STR_EQ(where, path);
  struct stat st;
  CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
  wi_autofree char *dir = wi_xasprintf("%s/.docker", g_home);
  CHECK(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0700);
  wi_autofree char *text = read_text(path);
  CHECK_STR_EQ(
      text,
      "{\n\t\"auths\": {\n\t\t\"lhr.ocir.io\": {\n\t\t\t\"auth\": "
      "\"dGVuYW5jeS9vcmFjbGVpZGVudGl0eWNsb3Vkc2VydmljZS91QHguY29tOnA6dw==\"\n\t\t}\n\t}\n}\n");
  struct wi_cred got;
  CHECK_INT_EQ(wi_creds_lookup("lhr.ocir.io", NULL, NULL, &got, &err), 0);
  CHECK_STR_EQ(got.username, c.username);
  CHECK_STR_EQ(got.password, "p:w");
  wi_creds_dispose(&got);

  /* other keys and their order survive; Docker Hub gets its legacy key */
  write_file(path,
             "{\"auths\":{\"z.example\":{\"auth\":\"ejp6\"}},\"HttpHeaders\":{\"X-Meta\":\"1\"},"
             "\"psFormat\":\"table\"}");
  chmod(path, 0644);
  struct wi_cred hub = { .username = S("hub"), .password = S("pw") };
  CHECK_INT_EQ(wi_creds_store("docker.io", &hub, NULL, NULL, &err), 0);
  free(text);
  text = read_text(path);
  CHECK_STR_EQ(text,
               "{\n\t\"auths\": {\n\t\t\"z.example\": {\n\t\t\t\"auth\": \"ejp6\"\n\t\t},\n"
               "\t\t\"https://index.docker.io/v1/\": {\n\t\t\t\"auth\": \"aHViOnB3\"\n\t\t}\n\t},\n"
               "\t\"HttpHeaders\": {\n\t\t\"X-Meta\": \"1\"\n\t},\n\t\"psFormat\": \"table\"\n}\n");
  CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);

  /* erase: by host, also for URL-form keys; then "not logged in" */
  write_file(path, "{\"auths\":{\"https://q.example/v2/\":{\"auth\":\"cTpx\"},\"keep\":{}}}");
  CHECK_INT_EQ(wi_creds_erase("q.example", NULL, &err), 0);
  free(text);
  text = read_text(path);
  CHECK_STR_EQ(text, "{\n\t\"auths\": {\n\t\t\"keep\": {}\n\t}\n}\n");
  CHECK_INT_EQ(wi_creds_erase("q.example", NULL, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "not logged in to q.example");

  /* a file that is not JSON is never overwritten */
  write_file(path, "not json");
  CHECK_INT_EQ(wi_creds_store("a.example", &hub, NULL, NULL, &err), WI_EINVAL);
  free(text);
  text = read_text(path);
  CHECK_STR_EQ(text, "not json");
}

TEST(test_containers_auth)
{
  fresh_env();
  wi_autofree char *authfile = wi_xasprintf("%s/auth.json", g_home);
  write_file(authfile, "{\"auths\":{"
                       "\"reg.example\":{\"auth\":\"aG9zdDpob3N0\"},"
                       "\"reg.example/ns\":{\"auth\":\"bnM6bnM=\"},"
                       "\"reg.example/ns/app\":{\"auth\":\"YXBwOmFwcA==\"},"
                       "\"docker.io\":{\"auth\":\"aHViOmh1Yg==\"}"
                       "}}");
  static const struct {
    const char *host, *repo, *user;
  } cases[] = {
    { "reg.example", "ns/app", "app" },     { "reg.example", "ns/other", "ns" },
    { "reg.example", "ns/app/sub", "app" }, { "reg.example", "nsx/app", "host" },
    { "reg.example", NULL, "host" },        { "docker.io", "library/x", "hub" },
  };
  for (int how = 0; how < 2; how++) {
    /* explicit --authfile, then REGISTRY_AUTH_FILE */
    if (how)
      setenv("REGISTRY_AUTH_FILE", authfile, 1);
    for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
      struct wi_cred c;
      wi_err err = { 0 };
      CHECK_INT_EQ(wi_creds_lookup(cases[i].host, cases[i].repo, how ? NULL : authfile, &c, &err),
                   0);
      CHECK_STR_EQ(c.username, cases[i].user);
      wi_creds_dispose(&c);
    }
  }
  /* a user-specified file replaces the defaults: docker's config.json is not read */
  wi_autofree char *dc = docker_config();
  write_file(dc, "{\"auths\":{\"d.example\":{\"auth\":\"ZDpk\"}}}");
  struct wi_cred c;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_creds_lookup("d.example", NULL, NULL, &c, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, authfile);

  /* store into the authfile: containers keys are plain hosts, docker.io stays docker.io */
  struct wi_cred s = { .username = S("alice"), .password = S("s3cret") };
  wi_autofree char *where = NULL;
  CHECK_INT_EQ(wi_creds_store("new.example:5000", &s, NULL, &where, &err), 0);
  CHECK_STR_EQ(where, authfile);
  CHECK_INT_EQ(wi_creds_lookup("new.example:5000", "x/y", NULL, &c, &err), 0);
  CHECK_STR_EQ(c.password, "s3cret");
  wi_creds_dispose(&c);
  CHECK_INT_EQ(wi_creds_erase("docker.io", NULL, &err), 0);
  CHECK_INT_EQ(wi_creds_lookup("docker.io", NULL, NULL, &c, &err), WI_ENOTFOUND);
  unsetenv("REGISTRY_AUTH_FILE");

  /* default locations: XDG_RUNTIME_DIR's auth.json before docker's config.json */
  wi_autofree char *run = wi_xasprintf("%s/run", g_home);
  wi_autofree char *runauth = wi_xasprintf("%s/containers/auth.json", run);
  write_file(runauth, "{\"auths\":{\"d.example\":{\"auth\":\"eDp4\"}}}");
  CHECK_INT_EQ(wi_creds_lookup("d.example", NULL, NULL, &c, &err), 0);
  CHECK_STR_EQ(c.username, "d"); /* XDG_RUNTIME_DIR unset: docker config */
  wi_creds_dispose(&c);
  setenv("XDG_RUNTIME_DIR", run, 1);
  CHECK_INT_EQ(wi_creds_lookup("d.example", NULL, NULL, &c, &err), 0);
  CHECK_STR_EQ(c.username, "x");
  CHECK_STR_EQ(c.source, runauth);
  wi_creds_dispose(&c);
  /* ~/.config/containers/auth.json comes after XDG_RUNTIME_DIR but before docker */
  wi_autofree char *cfgauth = wi_xasprintf("%s/.config/containers/auth.json", g_home);
  write_file(cfgauth,
             "{\"auths\":{\"c.example\":{\"auth\":\"Yzpj\"},\"d.example\":{\"auth\":\"eTp5\"}}}");
  CHECK_INT_EQ(wi_creds_lookup("c.example", NULL, NULL, &c, &err), 0);
  CHECK_STR_EQ(c.username, "c");
  wi_creds_dispose(&c);
  CHECK_INT_EQ(wi_creds_lookup("d.example", NULL, NULL, &c, &err), 0);
  CHECK_STR_EQ(c.username, "x");
  wi_creds_dispose(&c);
}

/* A real credential helper in the docker-credential protocol, keeping entries in $HELPER_DIR. */
static const char helper_script[] =
    "#!/bin/sh\n"
    "set -eu\n"
    "d=\"$HELPER_DIR\"\n"
    "key() { printf '%s' \"$1\" | od -An -tx1 | tr -d ' \\n'; }\n"
    "echo \"$1\" >> \"$d/calls\"\n"
    "case \"$1\" in\n"
    "get) read -r url; f=\"$d/$(key \"$url\")\"\n"
    "  if [ -f \"$f\" ]; then cat \"$f\"; else echo 'credentials not found in native keychain'; exit 1; fi;;\n"
    "store) json=$(cat); url=$(printf '%s' \"$json\" | jq -r .ServerURL)\n"
    "  [ \"$url\" = broken.example ] && { echo 'keychain is locked'; exit 1; }\n"
    "  printf '%s' \"$json\" > \"$d/$(key \"$url\")\";;\n"
    "erase) read -r url; f=\"$d/$(key \"$url\")\"\n"
    "  if [ -f \"$f\" ]; then rm \"$f\"; else echo 'credentials not found in native keychain'; exit 1; fi;;\n"
    "*) echo unknown; exit 1;;\n"
    "esac\n";

TEST(test_credential_helper)
{
  fresh_env();
  wi_err err = { 0 };
  wi_autofree char *bin = wi_xasprintf("%s/bin", g_tmp);
  wi_autofree char *script = wi_xasprintf("%s/docker-credential-testhelper", bin);
  wi_autofree char *hdir = wi_xasprintf("%s/helperdata", g_home);
  wi_fs_mkdir_p(bin, 0755, &err);
  wi_fs_mkdir_p(hdir, 0700, &err);
  wi_fs_write_file_atomic(script, helper_script, strlen(helper_script), 0755, &err);
  setenv("HELPER_DIR", hdir, 1);
  wi_autofree char *path = docker_config();

  /* credHelpers for one host */
  write_file(path, "{\"auths\":{},\"credHelpers\":{\"127.0.0.1:5556\":\"testhelper\"}}");
  struct wi_cred s = { .username = S("alice"), .password = S("s3cret") };
  wi_autofree char *where = NULL;
  CHECK_INT_EQ(wi_creds_store("127.0.0.1:5556", &s, NULL, &where, &err), 0);
  CHECK_STR_EQ(where, "docker-credential-testhelper");
  wi_autofree char *text = read_text(path);
  CHECK_STR_HAS(text, "\"127.0.0.1:5556\": {}");
  CHECK(strstr(text, "s3cret") == NULL);
  struct wi_cred c;
  CHECK_INT_EQ(wi_creds_lookup("127.0.0.1:5556", NULL, NULL, &c, &err), 0);
  CHECK_STR_EQ(c.username, "alice");
  CHECK_STR_EQ(c.password, "s3cret");
  CHECK_STR_EQ(c.source, "docker-credential-testhelper");
  wi_creds_dispose(&c);
  /* hosts without a helper still use auths */
  CHECK_INT_EQ(wi_creds_lookup("127.0.0.1:9999", NULL, NULL, &c, &err), WI_ENOTFOUND);

  /* credsStore for all hosts; Docker Hub goes to the helper under its legacy URL; "<token>" */
  write_file(path, "{\"credsStore\":\"testhelper\"}");
  struct wi_cred t = { .username = S("bob"), .identity_token = S("REFRESH") };
  CHECK_INT_EQ(wi_creds_store("docker.io", &t, NULL, NULL, &err), 0);
  CHECK_INT_EQ(wi_creds_lookup("registry-1.docker.io", NULL, NULL, &c, &err), 0);
  CHECK_STR_EQ(c.identity_token, "REFRESH");
  CHECK(c.username == NULL && c.password == NULL);
  wi_creds_dispose(&c);
  free(text);
  text = read_text(path);
  CHECK_STR_HAS(text, "\"https://index.docker.io/v1/\": {}");

  /* helper errors come from its stdout */
  struct wi_cred b = { .username = S("x"), .password = S("y") };
  CHECK_INT_EQ(wi_creds_store("broken.example", &b, NULL, NULL, &err), WI_ERR);
  CHECK_STR_HAS(err.msg, "docker-credential-testhelper store: exit status 1: keychain is locked");

  /* erase through the helper, then nothing left */
  CHECK_INT_EQ(wi_creds_erase("docker.io", NULL, &err), 0);
  CHECK_INT_EQ(wi_creds_lookup("docker.io", NULL, NULL, &c, &err), WI_ENOTFOUND);
  CHECK_INT_EQ(wi_creds_erase("docker.io", NULL, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "not logged in to docker.io");

  /* a helper that is not installed: lookups fall back, stores fail with its name */
  write_file(path,
             "{\"credsStore\":\"nosuchhelper\",\"auths\":{\"f.example\":{\"auth\":\"Zjpm\"}}}");
  CHECK_INT_EQ(wi_creds_lookup("f.example", NULL, NULL, &c, &err), 0);
  CHECK_STR_EQ(c.username, "f");
  wi_creds_dispose(&c);
  CHECK_INT_EQ(wi_creds_store("f.example", &b, NULL, NULL, &err), WI_EUNSUPPORTED);
  CHECK_STR_HAS(err.msg, "docker-credential-nosuchhelper");
}

int
main(void)
{
  wi_err err = { 0 };
  g_tmp = wi_fs_mkdtemp("creds-test", &err);
  if (g_tmp == NULL) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  const char *old_path = getenv("PATH");
  wi_autofree char *path = wi_xasprintf("%s/bin:%s", g_tmp, old_path ? old_path : "/usr/bin:/bin");
  setenv("PATH", path, 1);
  umask(022);

  RUN(test_config_key_and_path);
  RUN(test_lookup_docker_config);
  RUN(test_lookup_errors);
  RUN(test_store_docker_config);
  RUN(test_containers_auth);
  RUN(test_credential_helper);

  wi_fs_rm_rf(g_tmp, &err);
  free(g_tmp);
  free(g_home);
  DONE();
}
