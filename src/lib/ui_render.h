/* wlsimg ui: copyable outputs of the Code View (GET /api/render/{kind}).
 *
 * kinds:
 *   "cli"         the wlsimg commands the Image page's jobs run (cache addInstaller,
 * createAuxImage, login with $TOKEN on stdin, push), from the same wi_aux_opts the job builds;
 *   "wit"         the WebLogic Image Tool and docker equivalents;
 *   "primary-cli" the primary image's `wlsimg create` (from the same options its job runs), login
 *                 and push; "primary-wit" the same with imagetool.sh and docker;
 *   "secret-yaml" the aux image's pull secret made from the login of its host, as `wlsimg k8s
 *                 secret docker-registry --from-login` prints it, data <redacted> unless reveal;
 *   "domain-yaml" the Domain and Cluster resources (aux image pinned by digest when the project
 *                 says so and the history knows the pushed digest);
 *   "k8s-cli"     the wlsimg k8s commands that make the same objects;
 *   "kubectl"     the kubectl lines (explicit --context, objects on stdin);
 *   "project"     the project file;
 *   "logins"      `wlsimg login` lines for the Registries page's logins and the embedded
 *                 registry's `wlsimg registry` commands.
 * Credentials never appear: $TOKEN, $WLS_PASSWORD and the like stand in for them.
 */
#ifndef WI_UI_RENDER_H
#define WI_UI_RENDER_H

#include <stdbool.h>

#include "lib/aux.h"
#include "lib/err.h"
#include "lib/ui_creds.h"
#include "lib/ui_project.h"
#include "lib/wit.h"

#define WI_UI_RENDER_KINDS \
  "cli wit primary-cli primary-wit secret-yaml domain-yaml k8s-cli kubectl project logins"

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

/* The createAuxImage options of a project, as the job passes them to wi_aux_plan_new and the Code
 * View prints them; strings are owned by the struct (paths made absolute). */
struct wi_ui_render_aux {
  struct wi_aux_opts o;
  char **owned;
  size_t n_owned;
};
void wi_ui_render_aux_opts(struct wi_ui_render_aux *out, const struct wi_ui_project *p,
                           const char *project_file);
void wi_ui_render_aux_dispose(struct wi_ui_render_aux *a);
/* `wlsimg createAuxImage …` for those options (no newline; malloc'ed). */
char *wi_ui_render_aux_command(const struct wi_aux_opts *o, const char *prog);
/* `<prog> create --tag … [options]` for the options of wi_ui_primary_opts (no newline;
 * malloc'ed): "wlsimg", or "imagetool.sh" with wit (--builder then always named: the option, else
 * builder, the engine that would run). A --user gets --passwordEnv ORACLE_SUPPORT_PASSWORD. */
char *wi_ui_render_primary_command(const struct wi_wit_opts *o, const char *prog, bool wit,
                                   const char *builder);

#endif
