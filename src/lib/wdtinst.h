/* wlsimg: a WDT installer (weblogic-deploy.zip or .tar.gz) read entry by entry as WIT's
 * `unzip -q <installer> -d <wdt_home>` or `tar zxf <installer> -C <wdt_home>` lays it down
 * (wdtinst.c): shared by createAuxImage's native layer (aux_build.c) and the native model-only
 * update (modelonly.c), so both install WDT alike.
 *
 * Each entry comes with its path under dest, its type and its mode as the archive stores it, minus
 * setuid and setgid (Info-ZIP's unzip drops them without -K; WDT needs neither); a directory or
 * file without stored permission bits gets 0755 or 0644. Entries that would escape dest (..,
 * absolute names, links leading outside) are refused as aux_archive.c refuses them; devices and
 * FIFOs are skipped. Directories the archive implies but does not list are not reported: the caller
 * makes them as extraction would.
 */
#ifndef WI_WDTINST_H
#define WI_WDTINST_H

#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/layer.h"

struct wi_wdtinst_entry {
  const char *path; /* "<dest>/<name>", normalised, no leading "/" (just <name> when dest is "") */
  const char *name; /* the entry's name in the archive, normalised */
  enum wi_layer_type type;
  uint32_t mode;    /* permission bits */
  const char *link; /* SYMLINK: the target as stored; HARDLINK: "<dest>/<target>" */
  int64_t size;     /* FILE: the size the archive states, -1 when it states none */
};

struct wi_wdtinst;
/* The next bytes of the current FILE entry (0 at its end); only inside the callback. WI_EINVAL
 * naming the installer and the entry for a damaged archive. */
ssize_t wi_wdtinst_read(struct wi_wdtinst *r, void *buf, size_t len, wi_err *err);
/* A negative return stops the walk; wi_wdtinst_each returns it. */
typedef int (*wi_wdtinst_fn)(struct wi_wdtinst *r, const struct wi_wdtinst_entry *e, void *payload,
                             wi_err *err);
/* Visit every entry of installer in archive order with dest ("u01/wdt", normalised, "" for the
 * root) prefixed. WI_EINVAL for an unreadable or escaping archive, naming it. */
int wi_wdtinst_each(const char *installer, const char *dest, wi_wdtinst_fn fn, void *payload,
                    wi_err *err);

#endif
