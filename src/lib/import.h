/* wlsimg: `docker import` — a one-layer image from a root filesystem tar. */
#ifndef WI_IMPORT_H
#define WI_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/manifest.h"
#include "lib/store.h"

struct wi_import_opts {
  const char *platform;       /* "os/arch[/variant]" recorded in the config; NULL: the host's */
  const char *const *changes; /* Dockerfile instructions applied to the config (--change) */
  size_t n_changes;
  const char *message; /* comment of the layer's history entry; optional */
  int64_t created;     /* seconds since the epoch, for the config and its history */
  bool keep_setuid;    /* keep setuid/setgid bits (by default files lose them; directories keep
                          setgid, which only passes the group on) */
};

/* Read the tar (possibly compressed) from fd (`what` names it in messages), store it as one
 * sorted gzip layer with its config and manifest, and name the image `name` (wi_ref_name form).
 * Unless o->keep_setuid, setuid and setgid bits are cleared (except on directories), with a
 * warning naming how many and the first.
 * The platform and every change are checked before the tar is read, so bad options store
 * nothing. desc_out (caller disposes) describes the manifest. WI_EINVAL for a bad option or a bad
 * tar. */
int wi_import_tar(struct wi_store *s, int fd, const char *what, const char *name,
                  const struct wi_import_opts *o, struct wi_descriptor *desc_out, wi_err *err);

#endif
