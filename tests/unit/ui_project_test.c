/* Unit tests for src/lib/ui_project.c: defaults, strict reading with JSON paths, round trips,
 * history, the atomic file. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/fs.h"
#include "lib/str.h"
#include "lib/ui_project.h"
#include "lib/util.h"

TEST(defaults)
{
  struct wi_ui_project p;
  wi_ui_project_init(&p, "lab");
  CHECK_STR_EQ(p.name, "lab");
  CHECK_STR_EQ(p.primary_tag, WI_UI_PRIMARY_DEFAULT);
  CHECK_STR_EQ(p.wdt_home, "/auxiliary");
  CHECK_STR_EQ(p.model_home, "/auxiliary/models");
  CHECK(p.aux_push_auth);
  CHECK(p.wdt_latest);
  CHECK(!p.openshift);
  CHECK_INT_EQ(p.platforms.n, 1);
  CHECK_STR_EQ(p.platforms.v[0], "linux/amd64");
  CHECK_STR_EQ(p.aux_tag, "");
  wi_ui_project_dispose(&p);
}

static const struct {
  const char *json;
  int code;
  const char *msg;
} bad[] = {
  { "[]", WI_EINVAL, "project: expected an object, got an array" },
  { "{", WI_EINVAL, "project: line 1" },
  { "{\"image\":{\"aux\":{\"tag\":1}}}", WI_EINVAL,
    "image.aux.tag: expected a string, got an integer" },
  { "{\"image\":{\"aux\":{\"tagg\":\"x\"}}}", WI_EINVAL, "image.aux.tagg: unknown setting" },
  { "{\"image\":{\"aux\":\"x\"}}", WI_EINVAL, "image.aux: expected an object, got a string" },
  { "{\"image\":{\"platforms\":[\"a\",2]}}", WI_EINVAL, "image.platforms[1]: expected a string" },
  { "{\"image\":{\"aux\":{\"pushAuth\":\"yes\"}}}", WI_EINVAL,
    "image.aux.pushAuth: expected a boolean" },
  { "{\"schema\":\"other/v9\"}", WI_EINVAL, "schema: expected \"wlsimg.project/v1\"" },
  { "{\"a\":1,\"a\":2}", WI_EINVAL, "duplicate" },
  { "{\"history\":[1]}", WI_EINVAL, "history[0]: expected an object" },
};

TEST(strict_reading)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(bad); i++) {
    struct wi_ui_project p;
    wi_err err = { 0 };
    wi_ui_project_init(&p, NULL);
    CHECK_INT_EQ(wi_ui_project_from_json(&p, bad[i].json, strlen(bad[i].json), &err), bad[i].code);
    CHECK_STR_HAS(err.msg, bad[i].msg);
    wi_ui_project_dispose(&p);
  }
}

TEST(overlay_and_round_trip)
{
  struct wi_ui_project p, q;
  wi_err err = { 0 };
  static const char in[] = "{\"image\":{\"aux\":{\"tag\":\"lhr.ocir.io/ns/x:user3\",\"openshift\":"
                           "true,\"login\":{\"user\":\"ns/user3\"}},\"platforms\":[\"linux/amd64\","
                           "\"linux/arm64\"]},\"model\":{\"files\":[\"m/model.yaml\"]}}";
  wi_ui_project_init(&p, "x");
  CHECK_INT_EQ(wi_ui_project_from_json(&p, in, strlen(in), &err), 0);
  CHECK_STR_EQ(p.aux_tag, "lhr.ocir.io/ns/x:user3");
  CHECK_STR_EQ(p.aux_login.user, "ns/user3");
  CHECK(p.openshift);
  CHECK_INT_EQ(p.platforms.n, 2);
  CHECK_STR_EQ(p.wdt_home, "/auxiliary"); /* untouched default */
  wi_ui_project_add_history(&p, "pushAuxImage", p.aux_tag, "sha256:ab", "lhr.ocir.io", 42);
  wi_autofree char *j = wi_ui_project_to_json(&p);
  CHECK_STR_HAS(j, "\"schema\": \"wlsimg.project/v1\"");
  CHECK_STR_HAS(j, "\"wdtHome\": \"/auxiliary\""); /* defaults are written too */
  wi_ui_project_copy(&q, &p);
  wi_autofree char *j2 = wi_ui_project_to_json(&q);
  CHECK_STR_EQ(j2, j);
  CHECK_INT_EQ(q.n_history, 1);
  CHECK_INT_EQ(q.history[0].time, 42);
  wi_ui_project_dispose(&p);
  wi_ui_project_dispose(&q);
}

TEST(history_is_capped_newest_first)
{
  struct wi_ui_project p;
  wi_ui_project_init(&p, NULL);
  for (int i = 0; i < WI_UI_PROJECT_HISTORY + 5; i++) {
    char d[16];
    snprintf(d, sizeof d, "d%d", i);
    wi_ui_project_add_history(&p, "createAuxImage", "r", d, "h", i);
  }
  CHECK_INT_EQ(p.n_history, WI_UI_PROJECT_HISTORY);
  CHECK_STR_EQ(p.history[0].digest, "d24");
  wi_ui_project_dispose(&p);
}

TEST(file)
{
  wi_err err = { 0 };
  wi_autofree char *dir = wi_fs_mkdtemp("ui-project-test-", &err);
  wi_autofree char *path = wi_xasprintf("%s/wlsimg-project.json", dir);
  struct wi_ui_project p, q;
  bool exists = true;
  CHECK_INT_EQ(wi_ui_project_load(&p, path, &exists, &err), 0);
  CHECK(!exists);
  CHECK(strncmp(p.name, "ui-project-test-", 16) == 0); /* the directory's name */
  free(p.aux_tag);
  p.aux_tag = wi_xstrdup("a/b:1");
  CHECK_INT_EQ(wi_ui_project_save(&p, path, &err), 0);
  CHECK_INT_EQ(wi_ui_project_load(&q, path, &exists, &err), 0);
  CHECK(exists);
  CHECK_STR_EQ(q.aux_tag, "a/b:1");
  wi_autofree char *rel = wi_ui_project_path(path, "models/m.yaml");
  wi_autofree char *want = wi_xasprintf("%s/models/m.yaml", dir);
  CHECK_STR_EQ(rel, want);
  wi_autofree char *abs = wi_ui_project_path(path, "/etc/x");
  CHECK_STR_EQ(abs, "/etc/x");
  wi_ui_project_dispose(&p);
  wi_ui_project_dispose(&q);
  wi_fs_rm_rf(dir, &err);
}

TEST(registries_table)
{
  struct wi_ui_project p, q;
  wi_err err = { 0 };
  wi_ui_project_init(&p, "t");
  CHECK_INT_EQ(wi_ui_project_registry_put(&p, "", "lhr.ocir.io", "ns/u", "u@x", &err), 0);
  CHECK_INT_EQ(wi_ui_project_registry_put(&p, "", "127.0.0.1:5000", "ns/v", NULL, &err), 0);
  CHECK_STR_EQ(p.registries[0].name, "lhr");
  CHECK_STR_EQ(p.registries[1].name, "127.0.0.1:5000");
  CHECK_INT_EQ(wi_ui_project_registry_put(&p, "ocir", "lhr.ocir.io", "ns/w", NULL, &err), 0);
  CHECK_INT_EQ(p.n_registries, 2);
  CHECK_STR_EQ(p.registries[0].user, "ns/w");
  CHECK_STR_EQ(p.registries[0].email, "u@x"); /* kept */
  p.registries[0].test_time = 1700000000;
  p.registries[0].test_ok = true;
  free(p.registries[0].test_message);
  p.registries[0].test_message = wi_xstrdup("Logged in");
  wi_autofree char *j = wi_ui_project_to_json(&p);
  CHECK_STR_HAS(j, "\"lastTest\": {\n        \"time\": 1700000000,\n        \"ok\": true");
  wi_ui_project_init(&q, "t");
  CHECK_INT_EQ(wi_ui_project_from_json(&q, j, strlen(j), &err), 0);
  wi_autofree char *j2 = wi_ui_project_to_json(&q);
  CHECK_STR_EQ(j2, j);
  /* a page's PUT keeps the server's rows and history */
  wi_ui_project_dispose(&q);
  wi_ui_project_init(&q, "t");
  wi_ui_project_copy_records(&q, &p);
  CHECK_INT_EQ(q.n_registries, 2);
  CHECK(wi_ui_project_registry_remove(&q, "lhr.ocir.io"));
  CHECK(!wi_ui_project_registry_remove(&q, "lhr.ocir.io"));
  CHECK_INT_EQ(q.n_registries, 1);
  static const char dup[] = "{\"registries\":[{\"host\":\"h\"},{\"host\":\"h\"}]}";
  CHECK_INT_EQ(wi_ui_project_from_json(&q, dup, strlen(dup), &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "registries[1].host: h is listed twice");
  static const char unknown[] = "{\"registries\":[{\"host\":\"h\",\"password\":\"x\"}]}";
  CHECK_INT_EQ(wi_ui_project_from_json(&q, unknown, strlen(unknown), &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "registries[0].password: unknown setting");
  wi_ui_project_dispose(&q);
  wi_ui_project_dispose(&p);
}

int
main(void)
{
  RUN(defaults);
  RUN(strict_reading);
  RUN(overlay_and_round_trip);
  RUN(history_is_capped_newest_first);
  RUN(file);
  RUN(registries_table);
  DONE();
}
