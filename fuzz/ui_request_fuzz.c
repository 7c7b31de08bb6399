/* Fuzz target: the JSON request bodies wlsimg ui parses (the project, job requests, credential
 * bodies) and the Cookie header. The first byte picks the parser. A project that was read must
 * print to JSON that reads back to the same JSON. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/fs.h"
#include "lib/str.h"
#include "lib/ui_creds.h"
#include "lib/ui_project.h"
#include "lib/ui_session.h"
#include "lib/ui_tasks.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_project(const char *s, size_t n)
{
  struct wi_ui_project p, q;
  wi_err err = { 0 };
  wi_ui_project_init(&p, "fuzz");
  int ret = wi_ui_project_from_json(&p, s, n, &err);
  if (ret < 0 && (err.msg[0] == '\0' || err.code == 0))
    abort();
  if (ret == 0) {
    char *j = wi_ui_project_to_json(&p);
    wi_ui_project_init(&q, "other");
    if (wi_ui_project_from_json(&q, j, strlen(j), &err) != 0)
      abort();
    char *j2 = wi_ui_project_to_json(&q);
    if (strcmp(j, j2) != 0)
      abort();
    free(j);
    free(j2);
    wi_ui_project_dispose(&q);
  }
  wi_ui_project_dispose(&p);
}

static void
check_job(const char *s, size_t n)
{
  struct wi_ui_tasks_req r;
  wi_err err = { 0 };
  int ret = wi_ui_tasks_parse(&r, s, n, &err);
  if (ret < 0 && err.msg[0] == '\0')
    abort();
  if (ret == 0) {
    if (!wi_ui_tasks_known(r.type))
      abort();
    wi_ui_tasks_req_dispose(&r);
  }
}

static void
check_creds(const char *s, size_t n)
{
  struct wi_ui_creds_body b;
  wi_err err = { 0 };
  int ret = wi_ui_creds_parse_body(&b, s, n, &err);
  if (ret < 0 && err.msg[0] == '\0')
    abort();
  if (ret == 0) {
    if (!b.host[0] || !b.user[0] || !b.password[0])
      abort();
    wi_ui_creds_body_dispose(&b);
  }
}

static void
check_cookie(const char *s)
{
  char v[WI_UI_SESSION_HEX];
  if (wi_ui_session_cookie_value(s, WI_UI_SESSION_COOKIE, v, sizeof v) && strlen(v) >= sizeof v)
    abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0 || size > 65536)
    return 0;
  char *s = wi_xstrndup((const char *)data + 1, size - 1);
  size_t n = strlen(s); /* the parsers get NUL-free text, as the server hands them */
  switch (data[0] % 4) {
  case 0:
    check_project(s, n);
    break;
  case 1:
    check_job(s, n);
    break;
  case 2:
    check_creds(s, n);
    break;
  default:
    check_cookie(s);
    break;
  }
  free(s);
  return 0;
}
