/* wlsimg: a WDT installer read as unzip or tar lays it down — see wdtinst.h. */
#include "lib/wdtinst.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "lib/alloc.h"
#include "lib/aux_int.h"

struct wi_wdtinst {
  const char *installer, *name;
  struct archive *a;
};

ssize_t
wi_wdtinst_read(struct wi_wdtinst *r, void *buf, size_t len, wi_err *err)
{
  la_ssize_t k = archive_read_data(r->a, buf, len);
  if (k < 0)
    return wi_err_set(err, WI_EINVAL, "%s: entry %s: %s", r->installer, r->name,
                      archive_error_string(r->a) ? archive_error_string(r->a) : "truncated");
  return (ssize_t)k;
}

int
wi_wdtinst_each(const char *installer, const char *dest, wi_wdtinst_fn fn, void *payload,
                wi_err *err)
{
  struct archive *a = wi_aux_archive_open(installer, err);
  struct archive_entry *ae;
  int ret = 0;

  if (a == NULL)
    return err->code;
  struct wi_aux_archive_links *links = wi_aux_archive_links_new();
  while ((ret = wi_aux_archive_next_entry(a, installer, NULL, links, &ae, err)) > 0) {
    wi_autofree char *n = wi_aux_archive_entry_relname(ae);
    if (n == NULL)
      continue;
    wi_autofree char *path = dest[0] ? wi_xasprintf("%s/%s", dest, n) : wi_xstrdup(n);
    wi_autofree char *link = NULL;
    mode_t type = archive_entry_filetype(ae);
    uint32_t perm = archive_entry_perm(ae) & ~(uint32_t)(S_ISUID | S_ISGID);
    const char *hl = archive_entry_hardlink(ae);
    struct wi_wdtinst_entry e = { .path = path, .name = n, .mode = perm, .size = -1 };
    if (type == AE_IFDIR) {
      e.type = WI_LAYER_DIR;
      e.mode = perm ? perm : 0755;
    } else if (hl) {
      link = dest[0] ? wi_xasprintf("%s/%s", dest, hl) : wi_xstrdup(hl);
      e.type = WI_LAYER_HARDLINK;
      e.link = link;
    } else if (type == AE_IFLNK) {
      e.type = WI_LAYER_SYMLINK;
      e.link = archive_entry_symlink(ae);
      e.mode = 0777;
    } else if (type == AE_IFREG) {
      e.type = WI_LAYER_FILE;
      e.mode = perm ? perm : 0644;
      e.size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : -1;
    } else {
      continue; /* devices and fifos have no place in a WDT install */
    }
    struct wi_wdtinst r = { .installer = installer, .name = n, .a = a };
    if ((ret = fn(&r, &e, payload, err)) < 0)
      break;
  }
  wi_aux_archive_links_free(links);
  archive_read_free(a);
  return ret;
}
