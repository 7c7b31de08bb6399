/* wlsimg: `rebase` (wit-primary §8): a source image's domain home onto a target image, or onto a
 * new image built as `create` builds it — see wit.h. */
#include "lib/wit.h"

#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/log.h"
#include "lib/wit_int.h"

int
wi_wit_rebase_plan(struct wi_wit_plan *p, wi_err *err)
{
  const struct wi_wit_opts *o = p->o;
  struct wi_dockerfile *d = &p->d;
  wi_autoptr(wi_probe) struct wi_probe *src = NULL;
  wi_autoptr(wi_probe) struct wi_probe *tgt = NULL;
  const char *new_jh = NULL, *new_oh = NULL;

  d->kind = WI_DOCKERFILE_REBASE;
  if (o->source_image == NULL || o->source_image[0] == '\0')
    return wi_err_set(err, WI_EINVAL, "The value for --sourceImage must not be empty.");
  d->source_image = o->source_image;
  wi_log(WI_LOG_INFO, "Reading settings from the source image %s", o->source_image);
  /* rebase reads only the homes of its images (a rebase to a new image probes its base as create)
   */
  if (wi_wit_plan_probe(p, o->source_image, WI_PROBE_HOMES, &src, err) < 0)
    return err->code;
  const char *old_oh = wi_probe_get(src, "oracleHome"), *old_jh = wi_probe_get(src, "javaHome");
  const char *dh = wi_probe_get(src, "domainHome"), *wh = wi_probe_get(src, "wdtHome");
  const char *mh = wi_probe_get(src, "wdtModelHome"), *mo = wi_probe_get(src, "wdtModelOnly");
  bool model_only = mo && strcasecmp(mo, "true") == 0;
  if (o->target_image && o->target_image[0]) {
    d->target_image = o->target_image;
    if (wi_wit_plan_probe(p, o->target_image, WI_PROBE_HOMES, &tgt, err) < 0)
      return err->code;
    new_oh = wi_probe_get(tgt, "oracleHome");
    new_jh = wi_probe_get(tgt, "javaHome");
    /* the files belong to the target's Oracle Home owner */
    const char *u = wi_probe_get(tgt, "oracleHomeUser"), *g = wi_probe_get(tgt, "oracleHomeGroup");
    if (u && *u)
      d->user = wi_wit_plan_keep(p, wi_xstrdup(u));
    if (g && *g)
      d->group = wi_wit_plan_keep(p, wi_xstrdup(g));
  }
  if (new_jh && (old_jh == NULL || strcmp(new_jh, old_jh) != 0))
    return wi_err_set(
        err, WI_EINVAL,
        "JAVA_HOME value must be the same in both new and old image in order to rebase the domain");
  if (new_oh && (old_oh == NULL || strcmp(new_oh, old_oh) != 0))
    return wi_err_set(
        err, WI_EINVAL,
        "ORACLE_HOME value must be the same in both new and old image in order to rebase the domain");
  if (dh == NULL || dh[0] == '\0')
    return wi_err_set(
        err, WI_EINVAL,
        "No Domain Home in source image.  Add DOMAIN_HOME environment variable to source image and try again.");
  if (model_only) {
    wi_log(WI_LOG_INFO,
           "Rebasing WDT models only.  A domain was not found in the source image at %s", dh);
    /* WIT reports the model home before it knows the WDT home: "null/models" */
    if (mh == NULL || mh[0] == '\0')
      wi_log(
          WI_LOG_INFO,
          "WDT_MODEL_HOME was not set in the source image, using default model location: null/models");
  }
  d->domain_home = wi_wit_plan_keep(p, wi_xstrdup(dh));
  d->wdt_home = wh ? wi_wit_plan_keep(p, wi_xstrdup(wh)) : NULL;
  d->wdt_model_home = mh ? wi_wit_plan_keep(p, wi_xstrdup(mh)) : NULL;
  d->model_only = model_only;
  if (d->target_image == NULL)
    return wi_wit_create_prepare(p, err);
  return 0;
}
