/* Unit tests for src/lib/k8s_input.c and k8s_aux.c: secret and env files, WebLogic credentials,
 * rollout decisions, auxiliary-image resolution without inspection. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/k8s.h"

static char *tmp_root;

/* Write len bytes to <tmp_root>/<name>; returns the path (caller frees). */
static char *
put_file(const char *name, const char *data, size_t len)
{
  wi_err err = { 0 };
  char *p = wi_xasprintf("%s/%s", tmp_root, name);
  if (wi_fs_write_file_atomic(p, data, len, 0600, &err) < 0)
    abort();
  return p;
}

TEST(env_parse)
{
  const char text[] = "# comment\n\n  A=1\r\nB==x=\nC=\n";
  struct wi_k8s_kv_list l = { 0 };
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_k8s_input_env_parse(&l, text, sizeof text - 1, "env", &err), 0);
  CHECK_INT_EQ(l.n, 3);
  if (l.n == 3) {
    CHECK_STR_EQ(l.v[0].key, "A");
    CHECK_STR_EQ(l.v[0].value, "1");
    CHECK_STR_EQ(l.v[1].key, "B");
    CHECK_STR_EQ(l.v[1].value, "=x=");
    CHECK_STR_EQ(l.v[2].key, "C");
    CHECK_STR_EQ(l.v[2].value, "");
  }
  wi_k8s_input_kv_list_dispose(&l, true);

  /* kubectl's rules: a key alone is read from the environment, a BOM is dropped from line 1 only,
   * Unicode white space before the key is dropped, the value is kept as written */
  setenv("WI_K8S_TEST_FROM_ENV", "from the environment", 1);
  unsetenv("WI_K8S_TEST_UNSET");
  const char kube[] = "\xEF\xBB\xBF"
                      "A=1\n\v\xC2\xA0 WI_K8S_TEST_FROM_ENV\nWI_K8S_TEST_UNSET\nB= two  \n";
  CHECK_INT_EQ(wi_k8s_input_env_parse(&l, kube, sizeof kube - 1, "env", &err), 0);
  CHECK_INT_EQ(l.n, 4);
  if (l.n == 4) {
    CHECK_STR_EQ(l.v[0].key, "A");
    CHECK_STR_EQ(l.v[1].key, "WI_K8S_TEST_FROM_ENV");
    CHECK_STR_EQ(l.v[1].value, "from the environment");
    CHECK_STR_EQ(l.v[2].value, "");
    CHECK_STR_EQ(l.v[3].value, " two  ");
  }
  wi_k8s_input_kv_list_dispose(&l, true);

  const char bad[] = "A=1\n\nB =x\n";
  CHECK_INT_EQ(wi_k8s_input_env_parse(&l, bad, sizeof bad - 1, "my.env", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "my.env:3: \"B \" is not a valid key name");
  wi_k8s_input_kv_list_dispose(&l, true);
  const char bom2[] = "A=1\n\xEF\xBB\xBF"
                      "B=2\n"; /* a BOM on line 2 is part of the key */
  CHECK_INT_EQ(wi_k8s_input_env_parse(&l, bom2, sizeof bom2 - 1, "my.env", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "my.env:2:");
  wi_k8s_input_kv_list_dispose(&l, true);
  const char latin1[] = "A=caf\xE9\n";
  CHECK_INT_EQ(wi_k8s_input_env_parse(&l, latin1, sizeof latin1 - 1, "l.env", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "l.env:1: invalid UTF-8");
  wi_k8s_input_kv_list_dispose(&l, true);

  /* A NUL byte used to cut the value (and drop every later line) silently. */
  const char nul[] = "A=se\0cret\nB=2\n";
  CHECK_INT_EQ(wi_k8s_input_env_parse(&l, nul, sizeof nul - 1, "nul.env", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "nul.env: contains a NUL byte");
  CHECK_INT_EQ(l.n, 0);
  wi_k8s_input_kv_list_dispose(&l, true);
}

TEST(wls_creds_parse)
{
  char *u = NULL, *p = NULL;
  wi_err err = { 0 };
  const char kv[] = "# admin\nusername=weblogic\npassword=pw=1\r\npassword=ignored\n";
  CHECK_INT_EQ(wi_k8s_input_wls_creds_parse(kv, sizeof kv - 1, true, "f", &u, &p, &err), 0);
  CHECK_STR_EQ(u, "weblogic");
  CHECK_STR_EQ(p, "pw=1");
  wi_alloc_secret_free(u);
  wi_alloc_secret_free(p);
  u = p = NULL;

  const char lines[] = "weblogic\nwelcome1\n";
  CHECK_INT_EQ(wi_k8s_input_wls_creds_parse(lines, sizeof lines - 1, false, "stdin", &u, &p, &err),
               0);
  CHECK_STR_EQ(u, "weblogic");
  CHECK_STR_EQ(p, "welcome1");
  wi_alloc_secret_free(u);
  wi_alloc_secret_free(p);
  u = p = NULL;

  /* An empty second line is a missing password, not "take line 3". */
  const char gap[] = "weblogic\n\nwelcome1\n";
  CHECK_INT_EQ(wi_k8s_input_wls_creds_parse(gap, sizeof gap - 1, false, "stdin", &u, &p, &err),
               WI_EINVAL);
  CHECK_STR_HAS(err.msg, "from stdin: expected the user name and the password on two lines");
  CHECK(u == NULL && p == NULL);

  const char half[] = "username=weblogic\n";
  CHECK_INT_EQ(wi_k8s_input_wls_creds_parse(half, sizeof half - 1, true, "creds.txt", &u, &p, &err),
               WI_EINVAL);
  CHECK_STR_HAS(err.msg, "from creds.txt: expected username=… and password=… lines");
  CHECK(u == NULL && p == NULL);

  const char nul[] = "username=weblogic\npassword=a\0b\n";
  CHECK_INT_EQ(wi_k8s_input_wls_creds_parse(nul, sizeof nul - 1, true, "creds.txt", &u, &p, &err),
               WI_EINVAL);
  CHECK_STR_HAS(err.msg, "creds.txt: contains a NUL byte");
}

TEST(secret_files)
{
  wi_err err = { 0 };
  wi_autofree char *ok = put_file("pw", "s3cret\r\n\n", 9);
  char *s = wi_k8s_input_read_secret_file(ok, "runtime encryption password", &err);
  CHECK_STR_EQ(s, "s3cret");
  wi_alloc_secret_free(s);

  wi_autofree char *empty = put_file("empty", "\n", 1);
  CHECK(wi_k8s_input_read_secret_file(empty, "runtime encryption password", &err) == NULL);
  CHECK_INT_EQ(err.code, WI_EINVAL);
  CHECK_STR_HAS(err.msg, "runtime encryption password: ");
  CHECK_STR_HAS(err.msg, "empty is empty");

  wi_autofree char *nul = put_file("nul", "a\0b", 3);
  CHECK(wi_k8s_input_read_secret_file(nul, "runtime encryption password", &err) == NULL);
  CHECK_STR_HAS(err.msg, "nul: contains a NUL byte");
  /* --from-file takes binary files byte for byte (an OPSS wallet is one) */
  size_t vlen = 0;
  char *v = wi_k8s_input_read_value_file(nul, &vlen, &err);
  CHECK(v != NULL && vlen == 3 && memcmp(v, "a\0b", 3) == 0);
  free(v);

  wi_autofree char *missing = wi_xasprintf("%s/missing", tmp_root);
  CHECK(wi_k8s_input_read_secret_file(missing, "runtime encryption password", &err) == NULL);
  CHECK_INT_EQ(err.code, WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "missing");

  size_t big_len = WI_K8S_MAX_SECRET_FILE + 1;
  char *big_data = wi_xcalloc(1, big_len);
  memset(big_data, 'x', big_len);
  wi_autofree char *big = put_file("big", big_data, big_len);
  free(big_data);
  CHECK(wi_k8s_input_read_value_file(big, &vlen, &err) == NULL);
  CHECK_INT_EQ(err.code, WI_ETOOBIG);
}

/* Secrets also come through pipes (/dev/stdin, <(…)): read them, and refuse an endless one. */
TEST(secret_from_pipe)
{
  int p[2];
  wi_err err = { 0 };
  CHECK_INT_EQ(pipe(p), 0);
  CHECK_INT_EQ(write(p[1], "username=u\npassword=p\n", 22), 22);
  close(p[1]);
  wi_autofree char *path = wi_xasprintf("/dev/fd/%d", p[0]);
  char *u = NULL, *pw = NULL;
  CHECK_INT_EQ(wi_k8s_input_read_wls_creds(path, -1, &u, &pw, &err), 0);
  CHECK_STR_EQ(u, "u");
  CHECK_STR_EQ(pw, "p");
  wi_alloc_secret_free(u);
  wi_alloc_secret_free(pw);
  close(p[0]);

  char *data = NULL;
  size_t len = 0;
  CHECK_INT_EQ(wi_fs_read_file_secret("/dev/zero", 100000, &data, &len, &err), WI_ETOOBIG);
  CHECK_STR_HAS(err.msg, "/dev/zero: larger than 100000 bytes");
  CHECK(data == NULL);
}

static char img0[] = "reg.example/app/wdt:1", img1[] = "reg.example/app/model:7",
            img2[] = "reg.example/app/model2:7", always[] = "Always", iv4[] = "4";

static struct wi_k8s_domain_state
state(void)
{
  static char *imgs[] = { img0, img1, img2 };
  static char *pp[] = { NULL, always, NULL };
  struct wi_k8s_domain_state st = { 0 };
  st.aux_images = imgs;
  st.aux_pull_policies = pp;
  st.n_aux = 3;
  st.introspect_version = iv4;
  return st;
}

TEST(aux_rollout_plan)
{
  struct wi_k8s_domain_state st = state();
  struct wi_k8s_aux_rollout r = { 0 };
  wi_err err = { 0 };

  /* OLD given without its tag: the patch must test the live value, not the user's spelling
   * (a "test" op with "reg.example/app/model" always failed). */
  CHECK_INT_EQ(wi_k8s_input_aux_rollout_plan(&r, &st, "d1", "reg.example/app/model",
                                             "reg.example/app/model:8", -1, NULL, &err),
               0);
  CHECK_INT_EQ(r.index, 1);
  CHECK_STR_EQ(r.old_image, "reg.example/app/model:7");
  CHECK(r.introspect_version == NULL);
  CHECK(!r.same_tag);
  struct wi_k8s_obj *po =
      wi_k8s_patch_aux_image(r.index, r.old_image, "reg.example/app/model:8", NULL);
  wi_autofree char *patch = wi_k8s_render_compact(po);
  wi_k8s_render_obj_free(po);
  CHECK_STR_HAS(patch, "\"value\":\"reg.example/app/model:7\"");
  wi_k8s_input_aux_rollout_dispose(&r);

  /* Same tag again: introspectVersion is bumped. */
  CHECK_INT_EQ(
      wi_k8s_input_aux_rollout_plan(&r, &st, "d1", NULL, "reg.example/app/wdt:1", 0, NULL, &err),
      0);
  CHECK(r.same_tag);
  CHECK_STR_EQ(r.introspect_version, "5");
  CHECK_STR_EQ(r.pull_policy, "IfNotPresent");
  wi_k8s_input_aux_rollout_dispose(&r);

  CHECK_INT_EQ(wi_k8s_input_aux_rollout_plan(&r, &st, "d1", NULL, "x:1", 3, NULL, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "domain d1 has 3 auxiliary images; --aux-index 3 is out of range");
  CHECK_INT_EQ(
      wi_k8s_input_aux_rollout_plan(&r, &st, "d1", "reg.example/app/wdt:1", "x:1", 1, NULL, &err),
      WI_EINVAL);
  CHECK_STR_HAS(err.msg, "auxiliary image 1 of domain d1 is reg.example/app/model:7, not "
                         "reg.example/app/wdt:1");
  /* Two images of one repository prefix are not confused: "model" matches only model:7. */
  CHECK_INT_EQ(
      wi_k8s_input_aux_rollout_plan(&r, &st, "d1", "reg.example/app/other", "x:1", -1, NULL, &err),
      WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "reg.example/app/other is not an auxiliary image of the domain (it has: "
                         "[0] reg.example/app/wdt:1, [1]");
  CHECK(r.old_image == NULL);
}

TEST(aux_resolve_without_inspection)
{
  const char *images[] = { "a:1", "b:1" };
  struct wi_k8s_aux_set set = { 0 };
  wi_err err = { 0 };
  struct wi_k8s_aux_opts o = { .wdt_image = "b:1" };

  CHECK_INT_EQ(wi_k8s_aux_resolve(&set, images, 2, &o, &err), 0);
  CHECK_INT_EQ(set.n, 2);
  CHECK_STR_EQ(set.v[0].wdt_install_home, WI_K8S_NONE);
  CHECK(set.v[1].wdt_install_home == NULL);
  wi_k8s_aux_set_dispose(&set);

  o.wdt_image = "c:1";
  CHECK_INT_EQ(wi_k8s_aux_resolve(&set, images, 2, &o, &err), WI_EUSAGE);
  CHECK_STR_HAS(err.msg, "--wdt-image c:1 is not one of the --aux-image values");
  wi_k8s_aux_set_dispose(&set);
}

TEST(domain_secrets)
{
  wi_err err = { 0 };
  wi_autofree char *creds = put_file("wls.creds", "username=weblogic\npassword=welcome1\n", 36);
  wi_autofree char *pw = put_file("enc.pw", "encrypt-me\n", 11);
  struct wi_k8s_obj **objs = NULL;
  size_t n = 0;
  struct wi_k8s_domain_secrets ds = { .uid = "d1",
                                      .ns = "ns1",
                                      .credentials = "d1-weblogic-credentials",
                                      .credentials_file = creds,
                                      .encryption = "d1-runtime-encryption-secret",
                                      .encryption_file = pw };
  CHECK_INT_EQ(wi_k8s_input_domain_secrets_objects(&objs, &n, &ds, &err), 0);
  CHECK_INT_EQ(n, 2);
  size_t len = 0;
  char *y = n == 2 ? wi_k8s_render(objs, n, WI_K8S_YAML, &len, &err) : NULL;
  CHECK_STR_HAS(y, "name: d1-weblogic-credentials");
  CHECK_STR_HAS(y, "weblogic.domainUID: d1");
  CHECK_STR_HAS(y, "password: ZW5jcnlwdC1tZQ==");
  wi_alloc_secret_free(y);
  for (size_t i = 0; i < n; i++)
    wi_k8s_render_obj_free(objs[i]);
  free(objs);

  /* Existing secrets named: nothing to make. A bad credentials file names itself. */
  objs = NULL;
  n = 0;
  ds.credentials = ds.encryption = NULL;
  CHECK_INT_EQ(wi_k8s_input_domain_secrets_objects(&objs, &n, &ds, &err), 0);
  CHECK_INT_EQ(n, 0);
  ds.credentials = "c";
  ds.credentials_file = pw;
  CHECK_INT_EQ(wi_k8s_input_domain_secrets_objects(&objs, &n, &ds, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "from ");
  CHECK_STR_HAS(err.msg, "enc.pw: expected username=");
  free(objs);
}

static void
free_objs(struct wi_k8s_obj **objs, size_t n)
{
  for (size_t i = 0; i < n; i++)
    wi_k8s_render_obj_free(objs[i]);
  free(objs);
}

/* OPSS wallet secrets for JRF: the password rule and a binary wallet kept byte for byte. */
TEST(opss_secrets)
{
  wi_err err = { 0 };
  wi_autofree char *weak = put_file("weak.pw", "short\n", 6);
  wi_autofree char *letters = put_file("letters.pw", "onlyletters\n", 12);
  wi_autofree char *good = put_file("good.pw", "wallet#2024\n", 12);
  wi_autofree char *wallet = put_file("ewallet.p12", "\x30\x82\0\x01\xff", 5);
  struct wi_k8s_obj **objs = NULL;
  size_t n = 0;
  struct wi_k8s_domain_secrets ds = { .uid = "d1",
                                      .opss_password = "d1-opss-wallet-password-secret",
                                      .opss_password_file = weak };
  CHECK_INT_EQ(wi_k8s_input_domain_secrets_objects(&objs, &n, &ds, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "at least eight characters");
  ds.opss_password_file = letters;
  CHECK_INT_EQ(wi_k8s_input_domain_secrets_objects(&objs, &n, &ds, &err), WI_EINVAL);
  ds.opss_password_file = good;
  ds.opss_wallet = "d1-opss-walletfile-secret";
  ds.opss_wallet_file = wallet;
  CHECK_INT_EQ(wi_k8s_input_domain_secrets_objects(&objs, &n, &ds, &err), 0);
  CHECK_INT_EQ(n, 2);
  char *y = n == 2 ? wi_k8s_render(objs, n, WI_K8S_YAML, NULL, &err) : NULL;
  CHECK_STR_HAS(y, "walletPassword: d2FsbGV0IzIwMjQ=");
  CHECK_STR_HAS(y, "walletFile: MIIAAf8="); /* base64 of 30 82 00 01 ff */
  free(y);
  free_objs(objs, n);
  /* a random one is eight characters or more, with letters and digits */
  objs = NULL;
  n = 0;
  ds.opss_password_file = NULL;
  ds.opss_wallet = NULL;
  CHECK_INT_EQ(wi_k8s_input_domain_secrets_objects(&objs, &n, &ds, &err), 0);
  CHECK_INT_EQ(n, 1);
  free_objs(objs, n);
}

/* kubectl's --from-file: a file (binary too), a directory's regular files, the errors. */
TEST(from_file)
{
  wi_err err = { 0 };
  struct wi_k8s_kv_list l = { 0 };
  wi_autofree char *dir = wi_xasprintf("%s/fromdir", tmp_root);
  CHECK(mkdir(dir, 0700) == 0);
  wi_autofree char *f1 = put_file("fromdir/b.key", "B\0", 2);
  wi_autofree char *f2 = put_file("fromdir/a.key", "", 0);
  wi_autofree char *sub = wi_xasprintf("%s/fromdir/sub", tmp_root);
  CHECK(mkdir(sub, 0700) == 0);
  wi_autofree char *link = wi_xasprintf("%s/fromdir/link", tmp_root);
  CHECK(symlink("a.key", link) == 0);
  CHECK_INT_EQ(wi_k8s_input_from_file(&l, dir, &err), 0);
  CHECK_INT_EQ(l.n, 2); /* the subdirectory and the symbolic link are skipped */
  if (l.n == 2) {
    CHECK_STR_EQ(l.v[0].key, "a.key");
    CHECK_STR_EQ(l.v[1].key, "b.key");
    CHECK_INT_EQ(l.v[1].len, 2);
  }
  wi_autofree char *spec = wi_xasprintf("k=%s", dir);
  CHECK_INT_EQ(wi_k8s_input_from_file(&l, spec, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "cannot give a key name for a directory path");
  wi_autofree char *bad = wi_xasprintf("bad key=%s", f1);
  CHECK_INT_EQ(wi_k8s_input_from_file(&l, bad, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "invalid key name for a Secret \"bad key\"");
  CHECK_INT_EQ(wi_k8s_input_from_file(&l, "k=", &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "cannot be empty");
  wi_k8s_input_kv_list_dispose(&l, true);
}

/* --model-secret forms and the check against what the model uses. */
TEST(model_secrets)
{
  wi_err err = { 0 };
  struct wi_k8s_secret_srcs given = { 0 };
  wi_autofree char *env = put_file("db.env", "username=scott\npassword=tiger\n", 30);
  wi_autofree char *url = put_file("url.txt", "ldap://x\n", 9);
  wi_autofree char *s1 = wi_xasprintf("db=%s", env);
  wi_autofree char *s2 = wi_xasprintf("d1-ldap:url=%s", url);
  CHECK_INT_EQ(wi_k8s_input_model_secret(&given, s1, &err), 0);
  CHECK_INT_EQ(wi_k8s_input_model_secret(&given, s2, &err), 0);
  CHECK_INT_EQ(wi_k8s_input_model_secret(&given, s1, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "secret db: key username given twice");
  CHECK_INT_EQ(wi_k8s_input_model_secret(&given, "db", &err), WI_EUSAGE);
  CHECK_INT_EQ(wi_k8s_input_model_secret(&given, "Db=x", &err), WI_EINVAL);
  CHECK_INT_EQ(given.n, 2);

  char k_password[] = "password", k_url[] = "url", k_user[] = "user", k_k[] = "k";
  char n_db[] = "db", n_ldap[] = "d1-ldap", n_other[] = "other";
  char w3[] = "m.yaml:3", w9[] = "m.yaml:9", w12[] = "m.yaml:12";
  char *db_keys[] = { k_password }, *ldap_keys[] = { k_url, k_user }, *other_keys[] = { k_k };
  struct wi_k8s_model_secret needs_v[] = { { n_db, db_keys, 1, w3 },
                                           { n_ldap, ldap_keys, 2, w9 },
                                           { n_other, other_keys, 1, w12 } };
  struct wi_k8s_model_secrets needs = { needs_v, 3 };
  struct wi_k8s_obj **objs = NULL;
  size_t n = 0, n_names = 0, n_missing = 0;
  const char **names = NULL;
  const struct wi_k8s_model_secret **missing = NULL;
  CHECK_INT_EQ(wi_k8s_input_model_secrets(&objs, &n, &given, &needs, "d1", "ns1", &names, &n_names,
                                          &missing, &n_missing, &err),
               WI_EINVAL);
  CHECK_STR_HAS(err.msg, "secret d1-ldap: the model uses the key user (m.yaml:9)");
  free_objs(objs, n);
  objs = NULL;
  n = 0;
  needs_v[1].n_keys = 1;
  CHECK_INT_EQ(wi_k8s_input_model_secrets(&objs, &n, &given, &needs, "d1", "ns1", &names, &n_names,
                                          &missing, &n_missing, &err),
               0);
  CHECK_INT_EQ(n, 2);
  CHECK_INT_EQ(n_names, 3);
  CHECK_INT_EQ(n_missing, 1);
  if (n_names == 3 && n_missing == 1) {
    CHECK_STR_EQ(names[0], "db");
    CHECK_STR_EQ(names[2], "other");
    CHECK_STR_EQ(missing[0]->name, "other");
  }
  char *y = n == 2 ? wi_k8s_render(objs, n, WI_K8S_YAML, NULL, &err) : NULL;
  CHECK_STR_HAS(y, "password: dGlnZXI=");
  CHECK_STR_HAS(y, "url: bGRhcDovL3gK"); /* NAME:KEY=FILE keeps the file's bytes */
  CHECK_STR_HAS(y, "weblogic.domainUID: d1");
  free(y);
  free(names);
  free(missing);
  free_objs(objs, n);
  wi_k8s_input_secret_srcs_dispose(&given);
}

int
main(void)
{
  wi_err err = { 0 };
  tmp_root = wi_fs_mkdtemp("wlsimg-k8s-input-test", &err);
  if (tmp_root == NULL) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  RUN(env_parse);
  RUN(wls_creds_parse);
  RUN(secret_files);
  RUN(secret_from_pipe);
  RUN(aux_rollout_plan);
  RUN(aux_resolve_without_inspection);
  RUN(domain_secrets);
  RUN(opss_secrets);
  RUN(from_file);
  RUN(model_secrets);
  wi_fs_rm_rf(tmp_root, &err);
  free(tmp_root);
  DONE();
}
