/* Fuzz target: the WDT model check (src/lib/yaml.c) that runs on every model file before an image
 * is built. Properties: a failure is WI_EINVAL with a message naming the file and a line; a success
 * lists each archive reference (a "wlsdeploy/" scalar) once, each starting with "wlsdeploy/". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char **refs = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  int ret = wi_yaml_check("model.yaml", data, size, &refs, &n, &err);

  if (ret < 0) {
    if (ret != WI_EINVAL || strncmp(err.msg, "model.yaml: line ", 17) != 0)
      abort();
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    if (strncmp(refs[i], "wlsdeploy/", 10) != 0)
      abort();
    for (size_t k = 0; k < i; k++)
      if (strcmp(refs[i], refs[k]) == 0)
        abort();
  }
  wi_yaml_refs_free(refs, n);
  return 0;
}
