/* Unit tests for src/lib/ui_wktproj.c: WKT UI's credential encryption read back, and a project's
 * settings laid over a wlsimg project. The encrypted values were made with Node's crypto module
 * (the library WKT UI uses) by the script in tests/ui/data/README, passphrase "lab passphrase". */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/ui_wktproj.h"

#define PASS "lab passphrase"

static const char user_enc[] =
    "eJwFwcuWQzAAANAPynFClbCw8IpKpYpJtXZaQWemwni0+fu51yeNbn/8adp4o/Hvd27OhG"
    "WOo9RVUHBEaeAm+AbLdGmySBESMiz0nFDjVAJQ95qs7M5xlJQkGwqjz019Nfawiy2OrtK7"
    "mprR4zHuXIH2tr8UmMrkEWc/kB6tUda9pdKRn8tWLSt6kcADqxEmpWBHbqKcxyd1xUQA2F"
    "YhGLLXEjEvasljmtStb2uWB2EmeszX8A4hTuGvPg8dnYv9O9Z3waV6Yv/cjAR1tG6/WHLo"
    "XPL8m51/plxNtg==";
static const char pass_enc[] =
    "eJwVycuWQzAAANAP6ukJ8RoLixqEUimN547QKVWSdFo9vn7O3O2t3pm/ez2K1BUL2NELuW"
    "6oXC1rnxaj7owQBsbg0fxJzuyuaP/BYmlwvc5vOGheLJKHoMJqYll7dJPWx2L3qgxqDiTa"
    "1kko5X6Bkclu7ShO1Mf6TNl28hgGm4pFqmGH2ZeAJMKe+DUBYdSm0P520JzlydE4uEcDzB"
    "0vOU9BQSTpq5sgFCh8R6VzXzI5ZBvoTE0dfsgaVZtyrutfchBcNVvPB1PTP0cUx1RP8qZV"
    "PuanzBfYl8pq/QF6D0/h";
static const char wls_enc[] =
    "eJwFwUmSgjAAAMAHUZQCBpxDDiEOlBA2SdhuAReCjixFBHn9dHOQoarxuy9myY+piw8usJ"
    "NAqHrPVO/eJfvNeqiyTyyCc1hMDUWpMQ05JSV5QKjKvpG50ZisATpIv6ZDifVIatQG2/Hg"
    "rvbAixcG5ume1xpZe8Y1F4hBj5zJsX2R4IV6Bz+Ncr89rq03IhziVd5mZiFq12SZn5O86K"
    "2x1uP7MrDzkP1Jb45O2x5Xyn4JcRdfbx7aKZ02zkHfO8RiO0qKrfT5fQold3MlphVKRMHg"
    "PzHoTTw=";

TEST(decrypt)
{
  char *clear = NULL;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_ui_wktproj_decrypt(user_enc, PASS, &clear, &err), 0);
  CHECK_STR_EQ(clear, "mytenancy/user3");
  wi_alloc_secret_free(clear);
  CHECK_INT_EQ(wi_ui_wktproj_decrypt(pass_enc, PASS, &clear, &err), 0);
  CHECK_STR_EQ(clear, "auth-token-Ab1;x");
  wi_alloc_secret_free(clear);
  CHECK_INT_EQ(wi_ui_wktproj_decrypt(user_enc, "wrong", &clear, &err), WI_EAUTH);
  CHECK_STR_HAS(err.msg, "wrong passphrase");
  CHECK_INT_EQ(wi_ui_wktproj_decrypt("not base64 !", PASS, &clear, &err), WI_EINVAL);
  CHECK_INT_EQ(wi_ui_wktproj_decrypt("aGVsbG8=", PASS, &clear, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "zlib");
  /* an altered ciphertext fails its tag */
  char *bad = wi_xstrdup(pass_enc);
  bad[40] = bad[40] == 'A' ? 'B' : 'A';
  CHECK(wi_ui_wktproj_decrypt(bad, PASS, &clear, &err) < 0);
  free(bad);
}

static const char project[] =
    "{\"name\":\"lab\",\"settings\":{\"imageTargetArchitecture\":\"arm64\","
    "\"containerImageRegistriesCredentials\":{\"u1\":{\"name\":\"ocir-lhr\",\"address\":"
    "\"fra.ocir.io\",\"email\":\"u@example.com\",\"username\":\"%s\",\"password\":\"%s\"}}},"
    "\"model\":{\"modelFiles\":[\"m/model.yaml\"],\"archiveFiles\":[\"/abs/archive.zip\"]},"
    "\"image\":{\"auxImageTag\":\"lhr.ocir.io/mytenancy/app:1\",\"auxImageRegistryPush"
    "CredentialsReference\":\"u1\",\"auxTargetOpenShift\":true},"
    "\"kubectl\":{\"kubeConfigContextToUse\":\"oke\"},"
    "\"k8sDomain\":{\"uid\":\"lab\",\"credentialsUserName\":\"%s\"},"
    "\"credentialPaths\":[\"settings.containerImageRegistriesCredentials.u1.username\","
    "\"settings.containerImageRegistriesCredentials.u1.password\",\"k8sDomain.credentialsUserName\"]}";

TEST(import)
{
  wi_autofree char *text = wi_xasprintf(project, user_enc, pass_enc, wls_enc);
  struct wi_ui_project p;
  struct wi_ui_wktproj w;
  wi_err err = { 0 };
  wi_ui_project_init(&p, "x");
  CHECK_INT_EQ(wi_ui_wktproj_import(&p, "/srv/p/wlsimg-project.json", text, strlen(text), "/srv/p",
                                    NULL, &w, &err),
               WI_EAUTH);
  CHECK_STR_HAS(err.msg, "needs its passphrase");
  CHECK_INT_EQ(wi_ui_wktproj_import(&p, "/srv/p/wlsimg-project.json", text, strlen(text), "/srv/p",
                                    PASS, &w, &err),
               0);
  CHECK_STR_EQ(p.name, "lab");
  CHECK_STR_EQ(p.aux_tag, "lhr.ocir.io/mytenancy/app:1");
  CHECK_STR_EQ(p.model_files.v[0], "m/model.yaml");
  CHECK_STR_EQ(p.archive_files.v[0], "/abs/archive.zip");
  CHECK_STR_EQ(p.platforms.v[0], "linux/arm64");
  CHECK_STR_EQ(p.wdt_home, "/u01/wdt");
  CHECK_STR_EQ(p.model_home, "/u01/wdt/models");
  CHECK(p.openshift);
  CHECK_STR_EQ(p.group, "root");
  CHECK_STR_EQ(p.k8s_context, "oke");
  CHECK_STR_EQ(p.wls_user, "weblogic");
  /* the login host is the tag's host, whatever the WKT entry said */
  CHECK_STR_EQ(p.aux_login.host, "lhr.ocir.io");
  CHECK_STR_EQ(p.aux_login.user, "mytenancy/user3");
  CHECK_INT_EQ(w.n_logins, 1);
  CHECK_STR_EQ(w.logins[0].host, "lhr.ocir.io");
  CHECK_STR_EQ(w.logins[0].password, "auth-token-Ab1;x");
  CHECK_STR_EQ(w.logins[0].email, "u@example.com");
  int moved = 0;
  for (size_t i = 0; i < w.n_notes; i++)
    moved += strstr(w.notes[i], "was for fra.ocir.io") != NULL;
  CHECK_INT_EQ(moved, 1);
  wi_ui_wktproj_dispose(&w);
  CHECK_INT_EQ(wi_ui_wktproj_import(&p, "/w/p.json", text, strlen(text), "/w", "nope", &w, &err),
               WI_EAUTH);
  CHECK_INT_EQ(wi_ui_wktproj_import(&p, "/w/p.json", "[1]", 3, "/w", PASS, &w, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "not a WKT UI project");
  wi_ui_project_dispose(&p);
}

int
main(void)
{
  RUN(decrypt);
  RUN(import);
  DONE();
}
