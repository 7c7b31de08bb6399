/* Fuzz target: what wlsimg ui reads from files and programs — WKT UI projects (.wktproj, read
 * over a wlsimg project, credentials decrypted), single encrypted WKT UI values, and kubectl's
 * Domain and pod JSON. The first byte picks the parser. (Model macros are the k8s library's
 * wi_k8s_model_scan, fuzzed with it.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/ui_k8s.h"
#include "lib/ui_wktproj.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_wktproj(const char *s, size_t n)
{
  struct wi_ui_project p;
  struct wi_ui_wktproj w;
  wi_err err = { 0 };
  wi_ui_project_init(&p, "fuzz");
  int ret = wi_ui_wktproj_import(&p, "/p/wlsimg-project.json", s, n, "/p", "passphrase", &w, &err);
  if (ret < 0 && err.msg[0] == '\0')
    abort();
  if (ret == 0) {
    /* whatever was read is a project that prints and reads back */
    char *j = wi_ui_project_to_json(&p);
    struct wi_ui_project q;
    wi_ui_project_init(&q, "q");
    if (wi_ui_project_from_json(&q, j, strlen(j), &err) != 0)
      abort();
    wi_ui_project_dispose(&q);
    free(j);
    wi_ui_wktproj_dispose(&w);
  }
  wi_ui_project_dispose(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0 || size > 65536)
    return 0;
  const char *s = (const char *)data + 1;
  size_t n = size - 1;
  wi_autofree char *z = wi_xstrndup(s, n);
  wi_err err = { 0 };
  char *out = NULL;
  switch (data[0] % 3) {
  case 0:
    check_wktproj(z, strlen(z));
    break;
  case 1:
    if (wi_ui_wktproj_decrypt(z, "passphrase", &out, &err) == 0)
      wi_alloc_secret_free(out);
    else if (err.msg[0] == '\0')
      abort();
    break;
  default:
    if (wi_ui_k8s_status(s, n, s, n, &out, &err) == 0)
      free(out);
    else if (err.code != WI_EPROTO)
      abort();
    break;
  }
  return 0;
}
