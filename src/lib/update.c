/* wlsimg: `update` with nothing to install, natively — see update.h. */
#include "lib/update.h"

#include <stdio.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/aux.h"
#include "lib/buf.h"

void
wi_update_build_id(const struct wi_update_opts *o, char out[WI_DIGEST_UUID_SIZE])
{
  struct wi_buf b = WI_BUF_INIT(1 << 20);
  wi_buf_addf(&b, NULL, "wlsimg-update-v1\nfrom=%s\nuser=%s\nepoch=%lld\n",
              o->from->manifest_digest, o->user, (long long)o->epoch);
  for (size_t i = 0; i < o->n_changes; i++)
    wi_buf_addf(&b, NULL, "change=%s\n", o->changes[i]);
  wi_digest_uuid(b.data, b.len, out);
  wi_buf_dispose(&b);
}

int
wi_update_build(const struct wi_update_opts *o, struct wi_update_result *res, wi_err *err)
{
  wi_autoptr(wi_imgconfig) struct wi_imgconfig *cfg = NULL;
  struct wi_descriptor desc = { 0 };
  size_t len = 0;

  memset(res, 0, sizeof *res);
  if (o->store == NULL || o->from == NULL || o->user == NULL || !*o->user)
    return wi_err_set(err, WI_EINVAL, "update: the store, the image and a user are required");
  if (o->build_id)
    snprintf(res->build_id, sizeof res->build_id, "%s", o->build_id);
  else
    wi_update_build_id(o, res->build_id);
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
  int ret = wi_imgconfig_apply_changes(cfg, o->changes, o->n_changes, o->epoch, by, err);
  if (ret == 0)
    ret = wi_image_commit(o->store, o->from, NULL, 0, cfg, o->tag, &desc, err);
  if (ret == 0)
    snprintf(res->digest, sizeof res->digest, "%s", desc.digest);
  wi_manifest_descriptor_dispose(&desc);
  return ret;
}
