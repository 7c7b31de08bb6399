/* wlsimg ui: copyable outputs of the Code View (GET /api/render/{kind}).
 *
 * kinds: "cli" (the wlsimg commands a job runs, with $TOKEN standing in for the secret),
 * "secret-yaml" (the pull secret `wlsimg k8s secret docker-registry --from-login` prints for the
 * aux image's host, its data shown as <redacted> unless reveal), "domain-yaml" (the Domain and
 * Cluster resources with the aux image pinned by digest when the project asks for it and the
 * digest is known from the history).
 */
#ifndef WI_UI_RENDER_H
#define WI_UI_RENDER_H

#include <stdbool.h>

#include "lib/err.h"
#include "lib/ui_creds.h"
#include "lib/ui_project.h"

struct wi_ui_render_in {
  const char *project_file;
  struct wi_ui_creds *creds; /* for secret-yaml */
  bool reveal;               /* secret-yaml: the real data */
  const char *secret_name;   /* NULL: the project's aux pull secret, else a name from the host */
  const char *ns;            /* NULL: the project's namespace (may be empty: no namespace) */
};

/* malloc'ed text in *out. WI_EINVAL for an unknown kind or a project that cannot be rendered
 * (names the field); WI_ENOTFOUND when secret-yaml has no login for the host. */
int wi_ui_render(const struct wi_ui_project *p, const char *kind, const struct wi_ui_render_in *in,
                 char **out, wi_err *err);
/* POSIX shell quoting of one word (malloc'ed): bare when safe, else in single quotes. */
char *wi_ui_render_shell_quote(const char *s);

#endif
