/* Unit tests for gotmpl.c: the --format subset (parse errors, execution, Go's value printing) and
 * docker's table alignment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/gotmpl.h"

static const char *record =
    "{\"Repository\":\"busybox\",\"Tag\":\"latest\",\"Size\":\"4.26MB\",\"N\":12,\"R\":1.5,"
    "\"B\":true,\"Z\":null,\"Config\":{\"Labels\":{\"b\":\"2\",\"a\":\"1\"},\"Cmd\":[\"sh\",\"-c\"]},"
    "\"U\":\"h\xc3\xa9llo\"}";

/* Run text on the record: the output, or "ERR: <message>". malloc'ed. */
static char *
run(const char *text)
{
  struct wi_gotmpl *t = NULL;
  wi_err err = { 0 };
  struct wi_buf out = WI_BUF_INIT(1 << 16);
  if (wi_gotmpl_parse(&t, text, &err) < 0 ||
      wi_gotmpl_exec(t, record, strlen(record), &out, &err) < 0) {
    wi_gotmpl_free(t);
    wi_buf_dispose(&out);
    CHECK_INT_EQ(err.code, WI_EUSAGE);
    return wi_xasprintf("ERR: %s", err.msg);
  }
  wi_gotmpl_free(t);
  return wi_buf_steal(&out);
}

TEST(test_exec)
{
  static const struct {
    const char *tmpl, *want;
  } cases[] = {
    { "{{.Repository}}:{{.Tag}}", "busybox:latest" },
    { "{{ .Repository }}", "busybox" },
    { "{{json .}}", NULL }, /* checked below */
    { "{{json .Tag}}", "\"latest\"" },
    { "{{json .Config.Labels}}", "{\"b\":\"2\",\"a\":\"1\"}" },
    { "{{.Config.Labels}}", "map[a:1 b:2]" },
    { "{{.Config.Cmd}}", "[sh -c]" },
    { "{{.Config.Labels.a}}", "1" },
    { "{{.Config.Labels.none}}", "<no value>" },
    { "{{.N}} {{.R}} {{.B}} {{.Z}}", "12 1.5 true <nil>" },
    { "{{upper .Repository}} {{lower .Tag}}", "BUSYBOX latest" },
    { "{{truncate .Repository 4}}|{{truncate .U 2}}|{{truncate .Tag 99}}",
      "busy|h\xc3\xa9|latest" },
    { "a\\tb\\nc", "a\tb\nc" },
    { "plain }} text", "plain }} text" },
    { "", "" },
    { "{{.Nope}}", "ERR: template: no field \"Nope\"" },
    { "{{range .}}x{{end}}", "ERR: template: unsupported action {{range .}}" },
    { "{{.Tag | json}}", "ERR: template: unsupported action {{.Tag | json}}" },
    { "{{- .Tag}}", "ERR: template: unsupported action {{- .Tag}}" },
    { "{{json}}", "ERR: template: unsupported action {{json}}" },
    { "{{.Repository", "ERR: template: unclosed action at byte 1" },
    { "x{{.a..b}}", "ERR: template: unsupported action {{.a..b}}" },
    { "{{truncate .Tag x}}", "ERR: template: unsupported action {{truncate .Tag x}}" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wi_autofree char *got = run(cases[i].tmpl);
    if (cases[i].want == NULL)
      CHECK_STR_EQ(got, record);
    else if (strncmp(cases[i].want, "ERR: ", 5) == 0)
      CHECK_STR_HAS(got, cases[i].want);
    else
      CHECK_STR_EQ(got, cases[i].want);
  }
  /* a missing field names the record's fields */
  wi_autofree char *e = run("{{.Repo}}");
  CHECK_STR_HAS(e, "(the fields are Repository, Tag, Size, N, R, B, Z, Config, U)");
}

TEST(test_table_and_json_words)
{
  struct wi_gotmpl *t = NULL;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_gotmpl_parse(&t, "table", &err), 0);
  CHECK(wi_gotmpl_is_table(t) && wi_gotmpl_is_empty(t));
  wi_gotmpl_free(t);
  CHECK_INT_EQ(wi_gotmpl_parse(&t, "table {{.Tag}}", &err), 0);
  CHECK(wi_gotmpl_is_table(t) && !wi_gotmpl_is_empty(t));
  wi_gotmpl_free(t);
  CHECK_INT_EQ(wi_gotmpl_parse(&t, "tablet {{.Tag}}", &err), 0); /* not the word "table" */
  CHECK(!wi_gotmpl_is_table(t));
  wi_gotmpl_free(t);
  wi_autofree char *j = run("json");
  CHECK_STR_EQ(j, record);
  /* a record must be an object */
  struct wi_buf out = WI_BUF_INIT(1024);
  CHECK_INT_EQ(wi_gotmpl_parse(&t, "{{.A}}", &err), 0);
  CHECK_INT_EQ(wi_gotmpl_exec(t, "[1]", 3, &out, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "not a JSON object");
  wi_gotmpl_free(t);
  wi_buf_dispose(&out);
}

TEST(test_record)
{
  const char *kv[] = { "B", "x\"y", "A", NULL, "C", "\xff" };
  wi_autofree char *r = wi_gotmpl_record(kv, 3);
  CHECK_STR_EQ(r, "{\"B\":\"x\\\"y\",\"A\":\"\",\"C\":\"?\"}");
  const char *tags[] = { "1", "2" };
  const char *rk[] = { "Repository", "r" };
  wi_autofree char *l = wi_gotmpl_record_list(rk, 1, "Tags", tags, 2);
  CHECK_STR_EQ(l, "{\"Repository\":\"r\",\"Tags\":[\"1\",\"2\"]}");
}

TEST(test_tabalign)
{
  static const struct {
    const char *in, *want;
  } cases[] = {
    { "REPOSITORY\tTAG\tSIZE\nbusybox\tlatest\t4MB\n",
      "REPOSITORY   TAG       SIZE\nbusybox      latest    4MB\n" },
    { "a\tb\n", "a         b\n" }, /* at least 10 wide */
    { "no tabs\n", "no tabs\n" },
    { "\xc3\xa9\tx\nab\ty", "\xc3\xa9         x\nab        y" }, /* characters, not bytes */
    { "", "" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wi_autofree char *got = wi_gotmpl_tabalign(cases[i].in);
    CHECK_STR_EQ(got, cases[i].want);
  }
}

int
main(void)
{
  RUN(test_exec);
  RUN(test_table_and_json_words);
  RUN(test_record);
  RUN(test_tabalign);
  DONE();
}
