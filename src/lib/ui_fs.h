/* wlsimg ui: the server-side file browser (GET /api/fs?dir=).
 *
 * The page never uploads files: it names paths on the machine the server runs on, which the
 * user picks in a dialog fed by this listing. Only directories below one of the roots (the
 * user's home and the project's directory, or --fs-root) are listed; symbolic links are resolved
 * before the check, so a link cannot lead out.
 */
#ifndef WI_UI_FS_H
#define WI_UI_FS_H

#include <stddef.h>

#include "lib/err.h"

#define WI_UI_FS_MAX_ENTRIES 2000

/* {"dir", "parent" (null at a root), "roots": [..], "entries": [{name, dir, size}],
 * "truncated"} as JSON text (malloc'ed): directories first, then files, each sorted by name;
 * hidden entries (".x") left out. dir NULL or "" lists the first root. WI_EDENIED for a directory
 * outside the roots, WI_ENOTFOUND for one that does not exist. */
int wi_ui_fs_list(const char *dir, const char *const *roots, size_t n_roots, char **json_out,
                  wi_err *err);

#endif
