/* wlsimg: `update` (wit-primary §7): WDT and patches on top of an image WIT (or wlsimg) made —
 * see wit.h. */
#include "lib/wit.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/alloc.h"
#include "lib/log.h"
#include "lib/wit_int.h"

/* --wdtOperation: WdtOperation's script (case-insensitive enum); NULL when unknown. */
static const char *
wdt_script(const char *op)
{
  static const char *const ops[][2] = { { "CREATE", "createDomain.sh" },
                                        { "UPDATE", "updateDomain.sh" },
                                        { "DEPLOY", "deployApps.sh" } };
  for (size_t i = 0; i < 3; i++)
    if (strcasecmp(op, ops[i][0]) == 0)
      return ops[i][1];
  return NULL;
}

int
wi_wit_update_plan(struct wi_wit_plan *p, wi_err *err)
{
  const struct wi_wit_opts *o = p->o;
  struct wi_dockerfile *d = &p->d;
  const char *op = o->wdt_operation ? o->wdt_operation : "UPDATE";
  const char *script = wdt_script(op);
  wi_autoptr(wi_probe) struct wi_probe *pr = NULL;

  d->kind = WI_DOCKERFILE_UPDATE;
  if (script == NULL)
    return wi_err_set(
        err, WI_EUSAGE,
        "Invalid value for option '--wdtOperation': expected one of [CREATE, UPDATE, DEPLOY] (case-insensitive) but was '%s'",
        op);
  /* WIT would probe its default Oracle Linux image and fail for its missing ORACLE_HOME */
  if (o->from_image == NULL || o->from_image[0] == '\0')
    return wi_err_set(
        err, WI_EINVAL,
        "Missing argument --fromImage. Update requires an image to be updated. Use --fromImage to specify the image to build on.");
  d->wdt_base = o->from_image;
  if (wi_wit_plan_probe(p, o->from_image, WI_PROBE_LONG, &pr, err) < 0)
    return err->code;
  const char *jh = wi_probe_get(pr, "javaHome"), *oh = wi_probe_get(pr, "oracleHome");
  d->java_home = jh ? wi_wit_plan_keep(p, wi_xstrdup(jh)) : NULL;
  if (oh == NULL)
    return wi_err_set(err, WI_EINVAL,
                      "ORACLE_HOME environment variable is not defined in the base image: %s",
                      o->from_image);
  d->oracle_home = wi_wit_plan_keep(p, wi_xstrdup(oh));
  bool files = o->models.n || o->archives.n || o->variables.n;
  if (files && !o->wdt_model_only && wi_probe_get(pr, "domainHome") == NULL &&
      strcasecmp(op, "UPDATE") == 0)
    return wi_err_set(
        err, WI_EINVAL,
        "WDT Operation is set to UPDATE, but the DOMAIN_HOME environment variable was not defined in the base image, %s.  Did you mean to use \"--wdtOperation CREATE\" to create a new domain?",
        o->from_image);
  const char *wls = wi_probe_get(pr, "wlsVersion");
  p->installer_version = wls ? wi_wit_plan_keep(p, wi_xstrdup(wls)) : WI_WIT_DEFAULT_VERSION;
  const char *iu = wi_probe_get(pr, "oracleHomeUser"), *ig = wi_probe_get(pr, "oracleHomeGroup");
  if (p->chown_typed) {
    if (!iu || !ig || strcmp(d->user, iu) != 0 || strcmp(d->group, ig) != 0)
      return wi_err_set(
          err, WI_EINVAL,
          "The Oracle Home directory in --fromImage=%s has an owner and group of %s:%s.  You must update the image with the same user and group setting from when it was created. Example: --chown=%s:%s",
          o->from_image, iu ? iu : "null", ig ? ig : "null", iu ? iu : "null", ig ? ig : "null");
  } else {
    d->user = iu ? wi_wit_plan_keep(p, wi_xstrdup(iu)) : "";
    d->group = ig ? wi_wit_plan_keep(p, wi_xstrdup(ig)) : "";
  }
  /* OPatch (unless --skipOpatchUpdate), then with --user the installed patches */
  if (p->applying_patches && wi_wit_plan_patches(p, pr, false, true, err) < 0)
    return err->code;
  if (wi_wit_plan_wdt(p, err) < 0)
    return err->code;
  d->wdt_command = script;
  if (d->run_rcu && strcasecmp(op, "CREATE") != 0)
    return wi_err_set(
        err, WI_EINVAL,
        "RunRCU can only be used when creating a new domain.  Please try --wdtOperation=CREATE or removing --wdtRunRCU.");
  const char *detected =
      wi_installer_type_from_products(wi_probe_get(pr, "oracleInstalledProducts"));
  if (o->type == NULL && detected)
    p->installer_type = detected;
  if (detected == NULL && (o->latest_psu || o->recommended_patches))
    wi_log(
        WI_LOG_WARN,
        "Unable to determine installed products in image %s. The most likely cause is that the registry.xml in this image may be invalid. Defaulting installer type to WLS.",
        o->from_image);
  else
    wi_log(WI_LOG_INFO, "Source image installer type: (%s)", p->installer_type);
  if (p->applying_patches && wi_wit_plan_patches(p, pr, true, false, err) < 0)
    return err->code;
  return 0;
}
