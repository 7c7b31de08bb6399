/* wlsimg: `update` with nothing to install, natively — see update.h. */
#include "lib/update.h"

#include <stdio.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/aux.h"

int
wi_update_build(const struct wi_update_opts *o, struct wi_update_result *res, wi_err *err)
{
  wi_autoptr(wi_imgconfig) struct wi_imgconfig *cfg = NULL;
  struct wi_descriptor desc = { 0 };
  char d[WI_DIGEST_MAX];
  size_t len = 0;

  memset(res, 0, sizeof *res);
  if (o->store == NULL || o->from == NULL || o->user == NULL || !*o->user)
    return wi_err_set(err, WI_EINVAL, "update: the store, the image and a user are required");
  if (o->build_id) {
    snprintf(res->build_id, sizeof res->build_id, "%s", o->build_id);
  } else {
    wi_autofree char *in = wi_xasprintf("wlsimg-update-v1\nfrom=%s\nuser=%s\nepoch=%lld\n",
                                        o->from->manifest_digest, o->user, (long long)o->epoch);
    wi_digest_bytes(in, strlen(in), d);
    const char *h = wi_digest_hex(d);
    snprintf(res->build_id, sizeof res->build_id, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12,
             h + 16, h + 20);
  }
  wi_autofree char *bytes = wi_imgconfig_serialize(o->from->config, &len);
  if (wi_imgconfig_parse(&cfg, bytes, len, err) < 0)
    return wi_err_wrap(err, "image config");
  wi_autofree char *l_label = wi_xasprintf("LABEL %s=\"%s\"", WI_LABEL_BUILD_ID, res->build_id);
  wi_autofree char *l_user = wi_xasprintf("USER %s", o->user);
  const char *by = "wlsimg update";
  wi_imgconfig_add_layer(cfg, NULL, o->epoch, "USER root", by);
  wi_imgconfig_add_layer(cfg, NULL, o->epoch, "ENV OPATCH_NO_FUSER=true", by);
  wi_imgconfig_add_layer(cfg, NULL, o->epoch, l_label, by);
  wi_imgconfig_add_layer(cfg, NULL, o->epoch, l_user, by);
  wi_imgconfig_set_env(cfg, "OPATCH_NO_FUSER", "true");
  wi_imgconfig_set_label(cfg, WI_LABEL_BUILD_ID, res->build_id);
  wi_imgconfig_set_user(cfg, o->user);
  wi_imgconfig_set_created(cfg, o->epoch);
  int ret = wi_image_commit(o->store, o->from, NULL, 0, cfg, o->tag, &desc, err);
  if (ret == 0)
    snprintf(res->digest, sizeof res->digest, "%s", desc.digest);
  wi_manifest_descriptor_dispose(&desc);
  return ret;
}
