/* wlsimg: WIT's patches: ids, cache keys, version selection, ARU products, OPatch.
 *
 * A patch is named on the command line as BUG or BUG_VERSION (VERSION like 12.2.1.4.0 or
 * 12.2.1.4.210930, optionally followed by _amd64/_arm64). The cache (lib/witcache.h) holds it
 * under "BUG_VERSION" when ARU calls it generic (platform 2000) and "BUG_VERSION_amd64" or
 * "BUG_VERSION_arm64" when it is built for one architecture (226, 541); OPatch is always generic.
 * The rules follow WIT 1.16.4 (wit-primary.md §10) except where docs/wit-differences.md says
 * otherwise. wi_patch_resolve (patch_resolve.h) puts these pieces together.
 */
#ifndef WI_PATCH_H
#define WI_PATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/aru.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/probe.h"

/* OPatch's bug numbers: 13.9.4 (Java EE products) and 13.9.6 (Jakarta EE, 14.1.2.25 and later). */
#define WI_PATCH_OPATCH_BUG         "28186730"
#define WI_PATCH_OPATCH_JAKARTA_BUG "38256237"

/* Which part of the work one wi_patch_resolve call does. WI_PATCH_PART_ALL does both in WIT's
 * order; update asks for OPatch before it checks its WDT options and for the patches after it has
 * detected the installer type, as WIT does (wit-primary §7.1), so it makes two calls. */
enum wi_patch_part {
  WI_PATCH_PART_ALL,     /* the patches and OPatch */
  WI_PATCH_PART_OPATCH,  /* OPatch only (and update's IMG-0009 line) */
  WI_PATCH_PART_PATCHES, /* the patches only */
};

/* What the create/update/rebase commands hand to wi_patch_resolve. Strings are borrowed. */
struct wi_patch_opts {
  const char *cache_dir;  /* WIT cache; NULL: wi_witcache_default_dir() */
  const char *aru_host;   /* NULL: $WLSIMG_ARU_HOST, else updates.oracle.com */
  const char *aru_cacert; /* extra CA to trust for ARU; NULL: $WLSIMG_ARU_CACERT */
  const char *user;       /* Oracle Support user; with password, ARU is asked; both NULL: offline */
  const char *password;
  const char *installer_type;    /* --type: WLS, WLSSLIM, FMW, SOA, OHS, … (case-insensitive) */
  const char *installer_version; /* create: --version; update: the image's wlsVersion */
  const char *arch;           /* amd64 or arm64 (linux/amd64, x86_64, … accepted); NULL: host */
  const char *const *patches; /* --patches, as typed (each passes wi_patch_validate_id) */
  size_t n_patches;
  bool latest_psu, recommended, skip_opatch_update;
  const char *opatch_bug;           /* --opatchBugNumber B or B_V; NULL: by installer version */
  bool update;                      /* update: OPatch first, and only when newer than the image's */
  const char *image_opatch_version; /* update: the probe's opatchVersion */
  const struct wi_probe_patch *installed; /* update with credentials: the image's patches */
  size_t n_installed;
  enum wi_patch_part part;
  wi_log_handler log; /* WIT's IMG lines ([INFO ], [WARNING], [SEVERE ]); NULL: wi_log() */
  void *log_payload;
  const int *cancel; /* optional: stop soon after *cancel becomes non-zero */
};

/* The patches to apply, in order, and the OPatch installer to update to. */
struct wi_patch_result {
  char **paths; /* cache files (absolute) */
  char **names; /* their file names in the build context's patches/ (basenames, all distinct) */
  char **keys;  /* their cache keys, BUG_VERSION[_arch] */
  size_t n;
  char *opatch_path; /* NULL when OPatch is not updated */
  char *opatch_name; /* file name in the build context */
  char *opatch_key;  /* its cache key, BUG_VERSION */
  char *opatch_version;
};
void wi_patch_result_dispose(struct wi_patch_result *r);

/* A --patches entry: BUG (8 or 9 digits) or BUG_VERSION[_suffix]. WI_EINVAL with IMG-0004. */
int wi_patch_validate_id(const char *id, wi_err *err);
/* A `cache addPatch --patchId`: BUG_VERSION or BUG_VERSION_ARCH with ARCH one of WIT's names
 * (amd64, linux/amd64, x86_64, arm64, linux/arm64, aarch64). WI_EINVAL with IMG-0004, or naming
 * the unknown architecture. */
int wi_patch_validate_cache_id(const char *id, wi_err *err);

/* "amd64" or "arm64" for any of WIT's names of an architecture (case-insensitive), else NULL. */
const char *wi_patch_arch(const char *name);
/* The ARU platform of a patch for arch (226 or 541). */
int wi_patch_arch_platform(const char *arch);
/* Cache key of a patch: "bug_version", plus "_amd64"/"_arm64" for platforms 226/541; lower case.
 * malloc'ed. */
char *wi_patch_cache_key(const char *bug, const char *version, int platform);

/* WIT's AruPatch.selectPatch: among the candidates of one bug (same bug), the one whose version is
 * `provided` (IMG-0083 when none), else `psu`, else `installer` (IMG-0034 when none matches).
 * Two candidates with one version are IMG-0122. *idx is the chosen one. Errors WI_ENOTFOUND,
 * WI_EINVAL (IMG-0122). */
int wi_patch_select(const struct wi_aru_patch *v, size_t n, const char *provided, const char *psu,
                    const char *installer, size_t *idx, wi_err *err);

/* The PSU version installed in an image, from its patches' descriptions ("WLS PATCH SET UPDATE
 * 12.2.1.4.210330" → 12.2.1.4.210330, "… 12.2.1.3.0(ID:200227.1409)" → 12.2.1.3.200227);
 * malloc'ed, NULL when there is none. */
char *wi_patch_installed_psu(const struct wi_probe_patch *v, size_t n);

/* The default OPatch bug for an installer version (28186730 below 14.1.2.25, else 38256237).
 * WI_EINVAL for a version that is not dotted numbers. */
int wi_patch_opatch_bug(const char *installer_version, const char **bug_out, wi_err *err);
/* Whether a --patches entry names OPatch (WIT skips those: OPatch is updated anyway). */
bool wi_patch_is_opatch(const char *id);

/* One ARU product of an installer type (wit-primary.md §9.1). */
struct wi_patch_product {
  const char *code;        /* WLS, COH, FMW, … */
  const char *id;          /* ARU product id, "15991" */
  const char *description; /* "Oracle WebLogic Server": the release names start with it */
};
/* The products searched for --type's recommended patches and PSUs, in a fixed order (WIT's are
 * HashSets, so its order varies). *n ≤ 24. WI_EINVAL naming an unknown type. */
int wi_patch_type_products(const char *type, const struct wi_patch_product *out[24], size_t *n,
                           wi_err *err);
/* WLS, WLSSLIM and WLSDEV: the types whose recommended ADR patches are skipped. */
bool wi_patch_type_is_base_wls(const char *type);

/* The ARU client options for o (environment defaults for what o leaves out). */
void wi_patch_aru_opts(const struct wi_patch_opts *o, struct wi_aru_opts *out);
/* WIT's credential check (IMG-0022) for the options' user and password, when the command applies
 * patches and either was given: WI_EAUTH when the pair is refused (or one of them is missing);
 * WI_ENET, naming the host, when Oracle Support cannot be reached. */
int wi_patch_check_credentials(const struct wi_patch_opts *o, wi_err *err);

#endif
