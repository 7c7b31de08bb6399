/* wlsimg: `docker import`. See import.h. */
#include "lib/import.h"

#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/imgconfig.h"
#include "lib/layer.h"
#include "lib/log.h"
#include "lib/ref.h"

/* The config before its layer: platform and changes, each checked. */
static int
new_config(const struct wi_import_opts *o, struct wi_imgconfig **out, wi_err *err)
{
  struct wi_platform p;

  if (o->platform) {
    int ret = wi_ref_platform_parse(&p, o->platform, err);
    if (ret < 0)
      return ret;
  } else {
    wi_ref_platform_host(&p);
  }
  wi_autoptr(wi_imgconfig) struct wi_imgconfig *c = wi_imgconfig_new(&p, o->created);
  for (size_t i = 0; i < o->n_changes; i++) {
    int ret = wi_imgconfig_apply_change(c, o->changes[i], err);
    if (ret < 0)
      return wi_err_wrap(err, "--change");
  }
  *out = wi_steal(&c);
  return 0;
}

int
wi_import_tar(struct wi_store *s, int fd, const char *what, const char *name,
              const struct wi_import_opts *o, struct wi_descriptor *desc_out, wi_err *err)
{
  wi_autoptr(wi_imgconfig) struct wi_imgconfig *c = NULL;
  wi_autofree char *spool = wi_xasprintf("%s/tmp", wi_store_root(s));
  struct wi_layer_result lr;
  int ret = new_config(o, &c, err);

  if (ret < 0)
    return ret;
  ret = wi_fs_mkdir_p(spool, 0755, err);
  if (ret < 0)
    return ret;
  /* An image from a tar should not hand out privileges nobody looked at (WIT's unzip drops them
   * too); --keep-setuid is the explicit way to keep them. */
  struct wi_layer_opts lo = { .spool_dir = spool, .clear_setid = !o->keep_setuid };
  wi_autoptr(wi_layer_writer) struct wi_layer_writer *w = wi_layer_writer_new(&lo);
  ret = wi_layer_add_tar(w, fd, what, err);
  const char *first = NULL;
  size_t cleared = wi_layer_setid_cleared(w, &first);
  if (ret == 0 && cleared)
    wi_log(WI_LOG_WARN,
           "%s: cleared the setuid/setgid bits of %zu file%s (%s%s); --keep-setuid keeps them",
           what, cleared, cleared == 1 ? "" : "s", first, cleared > 1 ? ", …" : "");
  if (ret == 0)
    ret = wi_layer_writer_finish_store(w, s, &lr, err);
  if (ret < 0)
    return ret;
  wi_imgconfig_add_layer(c, lr.diff_id, o->created, "wlsimg import", o->message);
  size_t cfg_len = 0;
  wi_autofree char *cfg = wi_imgconfig_serialize(c, &cfg_len);
  char layer_mt[] = WI_MT_OCI_LAYER_GZIP;
  struct wi_descriptor layer = { .media_type = layer_mt, .digest = lr.digest, .size = lr.size };
  ret = wi_store_put_image(s, cfg, cfg_len, NULL, &layer, 1, desc_out, err);
  if (ret < 0)
    return ret;
  ret = wi_store_tag(s, name, desc_out, err);
  if (ret < 0)
    wi_manifest_descriptor_dispose(desc_out);
  return ret;
}
