/* Fuzz target: mustache templates (additional build command lines, resource templates) rendered
 * against a Dockerfile model, and the same text as an additional build command of a Dockerfile. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dockerfile.h"
#include "lib/mustache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1);
  if (text == NULL)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  static const char *const models[] = { "m.yaml" };
  struct wi_dockerfile d = { .kind = WI_DOCKERFILE_CREATE,
                             .build_id = "id",
                             .base_image = "ol:8",
                             .user = "oracle",
                             .group = "oracle",
                             .install_java = true,
                             .install_middleware = true,
                             .java_pkg = "jdk.tar.gz",
                             .wdt_enabled = true,
                             .wdt_home = "/u01/wdt",
                             .models = models,
                             .n_models = 1,
                             .wdt_installer = "wdt.zip",
                             .wdt_command = "createDomain.sh" };
  struct wi_dockerfile_ctx c;
  wi_dockerfile_ctx_init(&c, &d);
  char *out = NULL;
  wi_err err = { 0 };
  if (wi_mustache_render(text, &c.val, &out, &err) == 0)
    free(out);
  wi_dockerfile_ctx_dispose(&c);
  /* the text as the one line of every section */
  struct wi_buildcmds bc = { 0 };
  char *line = text;
  for (int s = 0; s < WI_BUILDCMDS_N; s++) {
    bc.lines[s] = &line;
    bc.n[s] = 1;
    bc.present[s] = true;
  }
  d.cmds = &bc;
  free(wi_dockerfile_render(&d));
  free(text);
  return 0;
}
