/* wlsimg ui: validation of a project before a job, and hints for registry failures.
 *
 * The rules are the CLI's where the CLI has them (the reference grammar is wi_ref_parse's,
 * platforms wi_ref_platform_parse's, Kubernetes names wi_k8s_check_*, a primary image's create
 * options ui_primary.c's checks), plus the UI's own: the push
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
  const char *action; /* one of WI_UI_VALIDATE_ACTIONS */
  const char *project_file;
  const char *push_user;
  bool wls_password;      /* domainApply: the WebLogic admin password was given */
  bool support_password;  /* createPrimary: the Oracle Support password was given */
  const char *store_root; /* where createPrimary's base image is looked for (NULL: default) */
};

/* The actions, space-separated. */
#define WI_UI_VALIDATE_ACTIONS                                                         \
  "createAuxImage pushAuxImage createAndPush checkImage createPrimary previewPrimary " \
  "pushPrimaryImage checkModel pullSecret domain domainApply domainStatus"

/* Findings as JSON text: [{"field","tab","page","severity":"error"|"warning","message",
 * "confirm"}] (malloc'ed); confirm is true on the warnings the page asks about before it starts
 * the action (a push to another namespace than the login's). *n_errors_out (optional) counts the
 * blocking ones. WI_EINVAL for an unknown action. */
int wi_ui_validate_run(const struct wi_ui_project *p, const struct wi_ui_validate_in *in,
                       char **json_out, size_t *n_errors_out, wi_err *err);

/* The tag to suggest instead of re-pushing tag with new content: "user3" → "user3-2",
 * "user3-2" → "user3-3", "1.0" → "1.1", "7" → "8". malloc'ed. */
char *wi_ui_validate_bump_tag(const char *tag);

/* Is host an Oracle Cloud registry (*.ocir.io, ocir.<region>.oci.oraclecloud.com)? */
bool wi_ui_validate_is_ocir(const char *host);

/* A registry failure for the page: {"status","code","message","hint"} as JSON text (malloc'ed).
 * status is err->http_status (0 when none), code the registry's error code parsed from the
 * message ("UNAUTHORIZED", "DENIED") or null; the hint is keyed on them and on the host (OCIR
 * user name form, auth token vs password, tag namespace vs login namespace, an unreachable
 * registry); push says whether the failure was a push (a 403 then reads "may not push to").
 * user and tag may be NULL. */
char *wi_ui_validate_registry_error(const wi_err *err, const char *host, const char *user,
                                    const char *tag, bool push);

#endif
