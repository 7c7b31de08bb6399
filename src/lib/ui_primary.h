/* wlsimg ui: "Create New Primary Image" on the Primary Image tab.
 *
 * The project's create settings (image.primary.create) become the wi_wit_opts of `wlsimg create`
 * (src/cli/create.c): the job runs them and the Code View prints them as a `wlsimg create` line
 * (or WIT's `imagetool.sh create`, wi_ui_render_primary_command), so the command shown is the one
 * run. The Oracle Support
 * password is never part of them: the job adds it from the request, and the printed lines name an
 * environment variable (--passwordEnv) instead.
 *
 * Before a job the settings are checked where the page can show it on a field: the reference
 * grammar of the tag and the base image, --type, --chown, --packageManager, the patch ids, the
 * credentials patches from Oracle Support need, the JDK and Oracle installers the base lacks (read
 * from the base's config in the store, never pulled) in the WIT cache for this machine's
 * architecture — naming the `wlsimg cache addInstaller` line that is missing —, and a container
 * engine on this machine (for a build; a Dockerfile preview needs none).
 */
#ifndef WI_UI_PRIMARY_H
#define WI_UI_PRIMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/ui_project.h"
#include "lib/wit.h"

/* The environment variable the printed command reads the Oracle Support password from. */
#define WI_UI_PRIMARY_PASSWORD_ENV "ORACLE_SUPPORT_PASSWORD"

/* The create options of a project (cmd WI_WIT_CREATE, tag = the primary tag); strings are owned
 * by the struct. The caller sets store, transfer, password, cancel and phase. */
struct wi_ui_primary {
  struct wi_wit_opts o;
  char **owned;
  size_t n_owned;
};
void wi_ui_primary_opts(struct wi_ui_primary *out, const struct wi_ui_project *p);
void wi_ui_primary_dispose(struct wi_ui_primary *a);

/* The engine a build would run (--builder, else $WLSIMG_BUILDER, else the first of docker, podman,
 * buildah on PATH), as named (malloc'ed), and whether it exists; "docker" and false when there is
 * none. Nothing is logged. */
char *wi_ui_primary_engine(const char *builder, bool *found);
/* {"engines": [{"name", "found"}] (docker, podman, buildah, and $WLSIMG_BUILDER when it is
 * another), "auto": the engine an empty --builder gives, or null} as JSON text (malloc'ed). */
char *wi_ui_primary_engines_json(void);

/* Receives one finding of the checks: field is the page's data-testid. */
typedef void (*wi_ui_primary_add_fn)(void *ctx, const char *field, bool error, const char *msg);

struct wi_ui_primary_check_in {
  const char *store_root; /* NULL: the default store */
  bool engine;            /* a build (not a Dockerfile preview): an engine must exist */
  bool support_password;  /* the request carries an Oracle Support password */
};
/* Check the project's create settings (above), calling add for each finding. */
void wi_ui_primary_check(const struct wi_ui_project *p, const struct wi_ui_primary_check_in *in,
                         wi_ui_primary_add_fn add, void *ctx);

#endif
