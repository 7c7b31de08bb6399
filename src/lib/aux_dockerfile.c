/* wlsimg: createAuxImage's Dockerfile model (wit-compat §5): the plan as WIT's DockerfileOptions
 * for the one renderer of dockerfile.c — see aux.h. */
#include "lib/aux.h"

#include <stdlib.h>
#include <string.h>

#include "lib/aux_int.h"
#include "lib/dockerfile.h"

void
wi_aux_dockerfile_model(const struct wi_aux_plan *p, struct wi_dockerfile *d)
{
  memset(d, 0, sizeof *d);
  d->kind = WI_DOCKERFILE_AUX;
  d->build_id = p->build_id[0] ? p->build_id : NULL; /* set once known: never computed here */
  d->base_image = p->from_image;
  d->build_args = (const char *const *)p->arg_keys;
  d->n_build_args = p->n_arg_keys;
  d->user = p->user;
  d->group = p->group;
  d->pkgmgr = p->pkgmgr;
  d->os_packages_env = getenv("WLSIMG_OS_PACKAGES");
  d->busybox = p->busybox;
  d->openshift = p->o.openshift;
  d->wdt_enabled = true;
  d->wdt_home = p->df_wdt_home;
  d->wdt_model_home = p->df_wdt_model_home;
  d->models = p->df_files[0];
  d->n_models = p->n_df_files[0];
  d->archives = p->df_files[1];
  d->n_archives = p->n_df_files[1];
  d->variables = p->df_files[2];
  d->n_variables = p->n_df_files[2];
  d->wdt_installer = p->installer_base;
  d->cmds = &p->cmds;
}

char *
wi_aux_dockerfile_render(const struct wi_aux_plan *p)
{
  struct wi_dockerfile d;
  wi_aux_plan_build_id(p); /* a dry run or engine build: from the inputs */
  wi_aux_dockerfile_model(p, &d);
  return wi_dockerfile_render(&d);
}
