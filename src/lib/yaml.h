/* wlsimg: WDT model YAML validation (libyaml) before an image is built. */
#ifndef WI_YAMLCHECK_H
#define WI_YAMLCHECK_H

#include <stddef.h>

#include "lib/err.h"

#define WI_MAX_MODEL_BYTES (64 * 1024 * 1024)

/* Parse the YAML in data (name is used in messages). On a syntax error: WI_EINVAL with
 * "<name>: line L, column C: <problem>". refs_out (optional) receives every scalar that starts
 * with "wlsdeploy/" (archive paths the model refers to), malloc'ed, deduplicated, in order. */
int wi_yaml_check(const char *name, const void *data, size_t len, char ***refs_out,
                  size_t *n_refs_out, wi_err *err);
/* Same for a file (at most WI_MAX_MODEL_BYTES). */
int wi_yaml_check_file(const char *path, char ***refs_out, size_t *n_refs_out, wi_err *err);
void wi_yaml_refs_free(char **refs, size_t n);

#endif
