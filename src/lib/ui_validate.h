/* wlsimg ui: validation of a project before a job, and hints for registry failures.
 *
 * The rules are the CLI's where the CLI has them (the reference grammar is wi_ref_parse's,
 * platforms wi_ref_platform_parse's, Kubernetes names wi_k8s_check_*), plus the UI's own: the push
 * login's host is the tag's host, and on OCIR (and on wlsimg's own OCIR-style registry) a user
 * name "ns/user" must name the tag's tenancy namespace.
 */
#ifndef WI_UI_VALIDATE_H
#define WI_UI_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/ui_project.h"

/* What the job will be, and the push user when one is typed (may be NULL). */
struct wi_ui_validate_in {
  const char *action; /* "createAuxImage", "pushAuxImage", "createAndPush", "pullSecret",
                         "domain" */
  const char *project_file;
  const char *push_user;
};

/* Findings as JSON text: [{"field","tab","page","severity":"error"|"warning","message"}]
 * (malloc'ed). *n_errors_out (optional) counts the blocking ones. WI_EINVAL for an unknown
 * action. */
int wi_ui_validate_run(const struct wi_ui_project *p, const struct wi_ui_validate_in *in,
                       char **json_out, size_t *n_errors_out, wi_err *err);

/* Is host an Oracle Cloud registry (*.ocir.io, ocir.<region>.oci.oraclecloud.com)? */
bool wi_ui_validate_is_ocir(const char *host);

/* A registry failure for the page: {"status","code","message","hint"} as JSON text (malloc'ed).
 * status is err->http_status (0 when none), code the registry's error code parsed from the
 * message ("UNAUTHORIZED", "DENIED") or null; the hint is keyed on them and on the host (OCIR
 * user name form, auth token vs password, tag namespace vs login namespace, an unreachable
 * registry). user and tag may be NULL. */
char *wi_ui_validate_registry_error(const wi_err *err, const char *host, const char *user,
                                    const char *tag);

#endif
