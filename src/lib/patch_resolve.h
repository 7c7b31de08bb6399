/* wlsimg: which patch and OPatch files a create, update or rebase applies, found in the WIT cache
 * or through Oracle Support (ARU) and downloaded into the cache — WIT's handlePatchFiles and
 * OPatch handling (wit-primary.md §10, §11), in one call.
 */
#ifndef WI_PATCH_RESOLVE_H
#define WI_PATCH_RESOLVE_H

#include "lib/err.h"
#include "lib/patch.h"

/* Resolve the options' patches into res (dispose it), logging WIT's IMG lines as it goes.
 *
 * Nothing is done (res empty) unless patches are applied: --patches, --latestPSU or
 * --recommendedPatches. Then, in WIT's order:
 *  1. update, unless skip_opatch_update: OPatch (below), before the patches; then, without
 *     credentials, IMG-0009 (no conflict check);
 *  2. --recommendedPatches (or else --latestPSU): the list from ARU for every product of the
 *     installer type (credentials required, IMG-0031), PSU overlays added, ADR patches dropped
 *     for WLS types (IMG-0085);
 *  3. the PSU version that guides version choice: the list's WLS PSU, else the image's installed
 *     PSU (installed), else the first WLS PSU among --patches;
 *  4. each --patches entry (OPatch's own bug skipped): its versions from ARU (online) or from the
 *     cache keys BUG_* (offline), those for the target architecture kept, one chosen by
 *     wi_patch_select; a Stack Patch Bundle is refused (IMG-0098);
 *  5. online: ARU's conflict check against installed (IMG-0116 when patches conflict, IMG-0115
 *     warning when it cannot be done); offline: IMG-0033;
 *  6. each patch from the cache (checksum verified) or, online, downloaded into it (IMG-0018,
 *     IMG-0060); a file listed twice is skipped (IMG-0077);
 *  7. create/rebase, unless skip_opatch_update: OPatch.
 * o->part limits the call to OPatch (step 1 for update, with its IMG-0009 line; step 7 for
 * create) or to the patches (steps 2-6).
 * OPatch: --opatchBugNumber's bug (and version), else the default for the installer version;
 * online the highest open-access version ARU has, offline the highest in the cache; update
 * replaces the image's OPatch only with a newer one (IMG-0008, IMG-0074).
 *
 * Unlike WIT, a patch that cannot be found is an error, never dropped: offline (no credentials) it
 * names the patch, says Oracle Support was not asked and how to add the file with
 * `wlsimg cache addPatch`; online, an unreachable ARU host is named with what was asked and the
 * same offline way. Errors: WI_EINVAL (ids, types, versions), WI_ENOTFOUND (no such patch or
 * version), WI_EAUTH, WI_ENET, WI_EPROTO, WI_EDIGEST, WI_EIO, WI_ECANCELED; WI_ERR for a patch
 * conflict (IMG-0116). */
int wi_patch_resolve(const struct wi_patch_opts *o, struct wi_patch_result *res, wi_err *err);

#endif
