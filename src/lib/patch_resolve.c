/* wlsimg: resolving a command's patches and OPatch — see patch_resolve.h. */
#include "lib/patch_resolve.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/props.h"
#include "lib/ref.h"
#include "lib/str.h"
#include "lib/version.h"
#include "lib/witcache.h"

#define OFFLINE_DESCRIPTION "description unavailable while working offline"
#define NO_CREDENTIALS                                                                       \
  "Oracle Support was not asked because no credentials were given (--user with --password, " \
  "--passwordEnv or --passwordFile)"
#define FILE_HINT "<the patch zip downloaded from My Oracle Support>"

/* ---- patch lists ---- */

struct plist {
  struct wi_aru_patch *v;
  size_t n;
};

static void
plist_add(struct plist *l, const struct wi_aru_patch *p)
{
  l->v = wi_xreallocarray(l->v, l->n + 1, sizeof *l->v);
  wi_aru_patch_copy(&l->v[l->n++], p);
}

/* Append p itself (the list takes its strings). */
static void
plist_take(struct plist *l, struct wi_aru_patch *p)
{
  l->v = wi_xreallocarray(l->v, l->n + 1, sizeof *l->v);
  l->v[l->n++] = *p;
  memset(p, 0, sizeof *p);
}

static void
plist_dispose(struct plist *l)
{
  wi_aru_patches_free(l->v, l->n);
  l->v = NULL;
  l->n = 0;
}

static void
plist_disposep(struct plist *l)
{
  plist_dispose(l);
}
#define wi_autoplist __attribute__((cleanup(plist_disposep)))

/* ---- the resolution's state ---- */

struct ctx {
  const struct wi_patch_opts *o;
  char *cache_dir;
  const char *arch; /* amd64 or arm64 */
  int platform;     /* its ARU platform */
  bool online;      /* user and password given */
  struct wi_aru *aru;
  struct wi_props cache; /* the cache's entries, read once (offline candidates, OPatch) */
  bool cache_read;
};

/* WIT's IMG lines go to the caller's handler. */
#define plog(c, level, ...) wi_log_to((c)->o->log, (c)->o->log_payload, level, __VA_ARGS__)

static int
get_aru(struct ctx *c, struct wi_aru **out, wi_err *err)
{
  if (c->aru == NULL) {
    struct wi_aru_opts ao;
    wi_patch_aru_opts(c->o, &ao);
    int ret = wi_aru_new(&c->aru, &ao, err);
    if (ret < 0)
      return ret;
  }
  *out = c->aru;
  return 0;
}

static int
read_cache(struct ctx *c, wi_err *err)
{
  if (c->cache_read)
    return 0;
  int ret = wi_witcache_list(c->cache_dir, NULL, &c->cache, err);
  if (ret < 0)
    return ret;
  c->cache_read = true;
  return 0;
}

/* Rewrite err as "<doing>: <cause>. <advice>" (the cause as the ARU client reported it). */
static int
explain(wi_err *err, const char *doing, const char *advice)
{
  char cause[sizeof err->msg];
  memcpy(cause, err->msg, sizeof cause);
  int code = err->code, http = err->http_status;
  if (code == WI_ECANCELED)
    return code;
  wi_err_set(err, code, "%s: %s. %s", doing, cause, advice);
  err->http_status = http;
  return code;
}

/* The way to work without Oracle Support, for patch id `id` (BUG_VERSION). malloc'ed. */
static char *
offline_advice(const char *what, const char *id)
{
  return wi_xasprintf(
      "To work without Oracle Support, add the %s to the cache (wlsimg cache addPatch --patchId %s --path " FILE_HINT
      ") and run without --user",
      what, id);
}

/* ---- candidates ---- */

static bool
applicable(const struct ctx *c, const struct wi_aru_patch *p)
{
  return p->platform == WI_ARU_GENERIC || p->platform == c->platform;
}

static bool
is_stack_patch_bundle(const struct wi_aru_patch *p)
{
  return p->description && strcasestr(p->description, "STACK PATCH BUNDLE");
}

/* WIT's irregular patches: a Stack Patch Bundle is a zip of patches, and 34761383 is the DB client
 * 19c upgrade (an installer). */
static bool
is_irregular(const struct wi_aru_patch *p)
{
  return (p->bug && strcmp(p->bug, "34761383") == 0) || is_stack_patch_bundle(p);
}

/* Offline: the cache keys BUG_VERSION[_ARCH] of a bug (WIT matches the key prefix BUG, so that
 * bug 12345678 also took 123456789_…; here the bug must be followed by "_"). */
static int
offline_candidates(struct ctx *c, const char *bug, struct plist *out, wi_err *err)
{
  int ret = read_cache(c, err);
  if (ret < 0)
    return ret;
  size_t bl = strlen(bug);
  for (size_t i = 0; i < c->cache.n; i++) {
    const char *key = c->cache.v[i].key;
    if (strncmp(key, bug, bl) != 0 || key[bl] != '_')
      continue;
    const char *ver = key + bl + 1;
    const char *end = strchr(ver, '_');
    /* old caches hold keys such as <bug>_opatch: not a version */
    if (ver[0] < '0' || ver[0] > '9')
      continue;
    struct wi_aru_patch p = { .bug = wi_xstrdup(bug),
                              .version =
                                  end ? wi_xstrndup(ver, (size_t)(end - ver)) : wi_xstrdup(ver),
                              .description = wi_xstrdup(OFFLINE_DESCRIPTION),
                              .platform = WI_ARU_GENERIC };
    if (end) {
      const char *arch = wi_patch_arch(end + 1);
      if (arch == NULL)
        plog(c, WI_LOG_WARN, "Did not recognize architecture name %s. Defaulted to AMD64.",
             end + 1);
      p.platform = wi_patch_arch_platform(arch ? arch : "amd64");
    }
    plist_take(out, &p);
  }
  return 0;
}

/* Online: ARU's patches of a bug. */
static int
online_candidates(struct ctx *c, const char *bug, const char *id_hint, struct plist *out,
                  wi_err *err)
{
  struct wi_aru *aru = NULL;
  int ret = get_aru(c, &aru, err);
  if (ret < 0)
    return ret;
  plog(c, WI_LOG_INFO, "Requesting patch information for patch %s", bug);
  ret = wi_aru_search_bug(aru, bug, &out->v, &out->n, err);
  if (ret == WI_ENOTFOUND)
    return wi_err_set(
        err, WI_ENOTFOUND,
        "Failed to find patch number %s on Oracle servers, verify the patch number is correct using My Oracle Support.",
        bug);
  if (ret < 0) {
    wi_autofree char *doing = wi_xasprintf("Cannot look up patch %s", bug);
    wi_autofree char *advice = offline_advice("patch", id_hint);
    return explain(err, doing, advice);
  }
  return 0;
}

/* ---- recommended patches and PSUs (§11.4) ---- */

static const char *
installer_version(const struct ctx *c)
{
  return c->o->installer_version;
}

/* WIT's product loop skips OWSM for the versions it had no release in. */
static bool
skip_product(const struct ctx *c, const struct wi_patch_product *p)
{
  const char *v = installer_version(c);
  return strcmp(p->code, "OWSM") == 0 &&
         (strcmp(v, "14.1.1.0.0") == 0 || strcmp(v, "15.1.1.0.0") == 0);
}

/* Recommended patches of one release, filtered as WIT does. WI_ENOTFOUND: none (10-016). */
static int
release_recommendations(struct ctx *c, const struct wi_patch_product *p, const char *release,
                        bool psus_only, struct plist *out, wi_err *err)
{
  struct wi_aru *aru = NULL;
  wi_autoplist struct plist all = { 0 };
  int ret = get_aru(c, &aru, err);
  if (ret == 0)
    ret = wi_aru_recommended(aru, p->id, release, &all.v, &all.n, err);
  if (ret < 0)
    return ret;
  for (size_t i = 0; i < all.n; i++) {
    const struct wi_aru_patch *x = &all.v[i];
    if (!applicable(c, x) || is_irregular(x))
      continue;
    if (psus_only ? x->psu_bundle == NULL
                  : (x->description && strstr(x->description, "Coherence 14.1.1 Feature Pack")) ||
                        !(x->release && strcmp(x->release, release) == 0))
      continue;
    /* the Apache plugin patch is filed as an OHS patch, but OHS images do not take it */
    if (!psus_only && strcasecmp(c->o->installer_type, "OHS") == 0 && x->description &&
        strstr(x->description, "APACHE PLUGIN"))
      continue;
    plist_add(out, x);
  }
  return 0;
}

/* The PSU version of a product's recommended patches (l->v[first…]): the first psu_bundle, less
 * "<product> ". */
static char *
list_psu_version(const struct wi_patch_product *p, const struct plist *l, size_t first)
{
  for (size_t i = first; i < l->n; i++) {
    const char *b = l->v[i].psu_bundle;
    if (b == NULL)
      continue;
    size_t dl = strlen(p->description);
    if (strncmp(b, p->description, dl) == 0 && b[dl] == ' ')
      return wi_xstrdup(b + dl + 1);
    const char *sp = strrchr(b, ' ');
    return wi_xstrdup(sp ? sp + 1 : b);
  }
  return NULL;
}

static int
release_of(struct ctx *c, const struct wi_patch_product *p, const char *version, char **id,
           wi_err *err)
{
  struct wi_aru *aru = NULL;
  int ret = get_aru(c, &aru, err);
  if (ret == 0)
    ret = wi_aru_release_id(aru, p->description, version, id, err);
  return ret;
}

/* The release of the installer version for one product (*release NULL, with IMG-0082, when ARU
 * has none), after the product's "locating" line. */
static int
product_release(struct ctx *c, const struct wi_patch_product *p, const char *locating,
                char **release, wi_err *err)
{
  plog(c, WI_LOG_INFO, "%s - %s", p->description, locating);
  int ret = release_of(c, p, installer_version(c), release, err);
  if (ret == 0 && *release == NULL)
    plog(c, WI_LOG_INFO, "Version %s did not contain %s, skipping", installer_version(c),
         p->description);
  return ret;
}

/* One product's recommended patches, with the overlays of its PSU. */
static int
product_recommended(struct ctx *c, const struct wi_patch_product *p, struct plist *out, wi_err *err)
{
  const char *version = installer_version(c);
  wi_autofree char *release = NULL;
  wi_autofree char *psu = NULL;
  wi_autofree char *psu_release = NULL;
  size_t first = out->n;
  int ret = product_release(c, p, "locating latest recommended patches...", &release, err);
  if (ret == 0 && release == NULL)
    return 0;
  if (ret == 0)
    ret = release_recommendations(c, p, release, false, out, err);
  if (ret == 0)
    psu = list_psu_version(p, out, first);
  /* a release named for the PSU holds the PSU's overlay patches */
  if (ret == 0 && psu)
    ret = release_of(c, p, psu, &psu_release, err);
  if (ret == 0 && psu_release)
    ret = release_recommendations(c, p, psu_release, false, out, err);
  if (ret == WI_ENOTFOUND) {
    /* none (for the release, or for the PSU's): what was found stays */
    plog(c, WI_LOG_INFO, "%s - there are no recommended patches for version %s", p->description,
         version);
    ret = 0;
  }
  if (ret < 0) {
    wi_autofree char *doing =
        wi_xasprintf("Failed to find latest patches for %s, version %s", p->description, version);
    return explain(
        err, doing,
        "To work without Oracle Support, add the patches to the cache (wlsimg cache addPatch), list them with --patches instead of --recommendedPatches and run without --user");
  }
  for (size_t i = first; i < out->n; i++)
    plog(c, WI_LOG_INFO, "%s - found recommended patch %s %s", p->description, out->v[i].bug,
         out->v[i].description ? out->v[i].description : "");
  return 0;
}

static int
product_latest_psu(struct ctx *c, const struct wi_patch_product *p, struct plist *out, wi_err *err)
{
  const char *version = installer_version(c);
  wi_autofree char *release = NULL;
  size_t first = out->n;
  int ret = product_release(c, p, "locating patch number for the latest PSU...", &release, err);
  if (ret == 0 && release == NULL)
    return 0;
  if (ret == 0)
    ret = release_recommendations(c, p, release, true, out, err);
  if (ret < 0 && ret != WI_ENOTFOUND) {
    wi_autofree char *doing =
        wi_xasprintf("Failed to find latest PSU for %s, version %s", p->description, version);
    return explain(
        err, doing,
        "To work without Oracle Support, add the PSU to the cache (wlsimg cache addPatch), list it with --patches instead of --latestPSU and run without --user");
  }
  for (size_t i = first; i < out->n; i++)
    plog(c, WI_LOG_INFO, "%s - the latest PSU patch number is %s_%s", p->description, out->v[i].bug,
         out->v[i].version ? out->v[i].version : "");
  if (out->n == first)
    plog(c, WI_LOG_INFO, "%s - there are no recommended PSUs for version %s", p->description,
         version);
  return 0;
}

/* --recommendedPatches or --latestPSU: WIT's getRecommendedPatchList. */
static int
recommended_list(struct ctx *c, bool *recommended, bool *latest, struct plist *out, wi_err *err)
{
  const struct wi_patch_opts *o = c->o;
  const struct wi_patch_product *prods[24];
  size_t np = 0;
  if (!*recommended && !*latest)
    return 0;
  if (!c->online)
    return wi_err_set(
        err, WI_EINVAL,
        "No credentials provided. Cannot determine latestPSU or recommendedPatches. Please provide the --user and one of the --password options.");
  int ret = wi_patch_type_products(o->installer_type, prods, &np, err);
  for (size_t i = 0; ret == 0 && i < np; i++) {
    if (skip_product(c, prods[i]))
      continue;
    ret = *recommended ? product_recommended(c, prods[i], out, err)
                       : product_latest_psu(c, prods[i], out, err);
  }
  if (ret < 0)
    return ret;
  if (*recommended) {
    if (out->n == 0) {
      plog(c, WI_LOG_WARN, "%s - there are no recommended patches for version %s",
           o->installer_type, installer_version(c));
      plog(c, WI_LOG_INFO, "No recommended patches found for %s", installer_version(c));
      *recommended = false;
    } else if (wi_patch_type_is_base_wls(o->installer_type)) {
      /* ADR patches are for the full FMW stack, not for a plain WebLogic Server install */
      size_t k = 0;
      for (size_t i = 0; i < out->n; i++) {
        struct wi_aru_patch *p = &out->v[i];
        if (p->description && wi_str_has_prefix(p->description, "ADR FOR WEBLOGIC SERVER")) {
          plog(
              c, WI_LOG_INFO,
              "The recommended ADR patch was skipped for the WLS installer, use --patch %s to apply this patch",
              p->bug);
          wi_aru_patch_dispose(p);
        } else {
          out->v[k++] = *p;
        }
      }
      out->n = k;
    }
  } else if (out->n == 0) {
    plog(c, WI_LOG_WARN, "No PSU recommended for %s, version %s", o->installer_type,
         installer_version(c));
    *latest = false;
  }
  return 0;
}

/* The version of a WLS PSU (product 15991): the last word of its psu_bundle. malloc'ed or NULL. */
static char *
wls_psu_version(const struct wi_aru_patch *p)
{
  if (p->psu_bundle == NULL || p->product == NULL || strcmp(p->product, "15991") != 0)
    return NULL;
  const char *sp = strrchr(p->psu_bundle, ' ');
  return wi_xstrdup(sp ? sp + 1 : p->psu_bundle);
}

/* ---- the user's --patches ---- */

/* An id that cannot be found offline: what was asked, why ARU was not, and the way to add it. */
static int
missing_offline(struct ctx *c, const char *bug, const char *version, const struct plist *others,
                wi_err *err)
{
  struct wi_buf have = WI_BUF_INIT(WI_BUF_NO_CAP);
  for (size_t i = 0; i < others->n; i++) {
    wi_autofree char *k =
        wi_patch_cache_key(others->v[i].bug, others->v[i].version, others->v[i].platform);
    wi_buf_addf(&have, NULL, "%s%s", i ? ", " : "", k);
  }
  wi_autofree char *have_s = wi_buf_steal(&have);
  wi_autofree char *id = wi_xasprintf("%s_%s", bug, version);
  if (others->n)
    return wi_err_set(
        err, WI_ENOTFOUND,
        "Patch %s for %s is not in the cache (it has only %s for other architectures), and " NO_CREDENTIALS
        ". To work offline, add the patch for %s: wlsimg cache addPatch --patchId %s_%s --path " FILE_HINT,
        bug, c->arch, have_s, c->arch, id, c->arch);
  return wi_err_set(
      err, WI_ENOTFOUND,
      "Patch %s is not in the cache (%s), and " NO_CREDENTIALS
      ". To work offline, add it: wlsimg cache addPatch --patchId %s --path " FILE_HINT,
      bug, c->cache_dir, id);
}

/* Split BUG[_VERSION[_ARCH]]: WIT takes everything after the first "_" as the version, so that
 * BUG_VERSION_arm64 never matched; here an architecture suffix must name the target's. */
static int
split_id(const struct ctx *c, const char *id, char **bug, char **version, wi_err *err)
{
  const char *us = strchr(id, '_');
  *bug = us ? wi_xstrndup(id, (size_t)(us - id)) : wi_xstrdup(id);
  *version = NULL;
  if (us == NULL)
    return 0;
  const char *arch_sfx = strchr(us + 1, '_');
  *version = arch_sfx ? wi_xstrndup(us + 1, (size_t)(arch_sfx - us - 1)) : wi_xstrdup(us + 1);
  if (arch_sfx) {
    const char *arch = wi_patch_arch(arch_sfx + 1);
    if (arch == NULL || strcmp(arch, c->arch) != 0)
      return wi_err_set(err, WI_EINVAL,
                        "--patches %s: the suffix \"%s\" does not name the target architecture %s",
                        id, arch_sfx + 1, c->arch);
  }
  return 0;
}

static int
user_patch(struct ctx *c, const char *id, const char *psu, struct plist *out, char **psu_of_sel,
           wi_err *err)
{
  wi_autofree char *bug = NULL;
  wi_autofree char *provided = NULL;
  wi_autoplist struct plist all = { 0 };
  wi_autoplist struct plist fit = { 0 };
  wi_autoplist struct plist other = { 0 };
  int ret = split_id(c, id, &bug, &provided, err);
  if (ret < 0)
    return ret;
  const char *hint_version = provided ? provided : psu ? psu : installer_version(c);
  wi_autofree char *hint = wi_xasprintf("%s_%s", bug, hint_version);
  ret = c->online ? online_candidates(c, bug, hint, &all, err)
                  : offline_candidates(c, bug, &all, err);
  if (ret < 0)
    return ret;
  for (size_t i = 0; i < all.n; i++)
    plist_add(applicable(c, &all.v[i]) ? &fit : &other, &all.v[i]);
  for (size_t i = 0; i < fit.n; i++)
    if (is_stack_patch_bundle(&fit.v[i]))
      return wi_err_set(
          err, WI_EINVAL,
          "Patch %s is a Stack Patch Bundle, not a patch. Remove %s from --patches and use --recommendedPatches instead.",
          bug, bug);
  if (fit.n == 0 && !c->online)
    return missing_offline(c, bug, hint_version, &other, err);
  if (fit.n == 0)
    return wi_err_set(
        err, WI_ENOTFOUND,
        "Patch %s: Oracle Support has no version of it for %s (%zu for other platforms)", bug,
        c->arch, all.n);
  size_t sel = 0;
  ret = wi_patch_select(fit.v, fit.n, provided, psu, installer_version(c), &sel, err);
  if (ret < 0)
    return ret;
  const struct wi_aru_patch *s = &fit.v[sel];
  plog(c, WI_LOG_INFO, "Found patch %s for version %s. Bug description: \"%s\"", s->bug, s->version,
       s->description ? s->description : "");
  *psu_of_sel = wls_psu_version(s);
  plist_add(out, s);
  return 0;
}

/* WIT's resolveUserRequestedPatches. */
static int
user_patches(struct ctx *c, const char *psu, struct plist *out, wi_err *err)
{
  const struct wi_patch_opts *o = c->o;
  wi_autofree char *effective = psu ? wi_xstrdup(psu) : NULL;
  for (size_t i = 0; i < o->n_patches; i++) {
    wi_autofree char *psu_of_sel = NULL;
    if (wi_patch_is_opatch(o->patches[i]))
      continue; /* OPatch is updated anyway */
    int ret = user_patch(c, o->patches[i], effective, out, &psu_of_sel, err);
    if (ret < 0)
      return ret;
    /* a PSU in the list guides the versions of the entries after it, unless one was known */
    if (psu == NULL && psu_of_sel) {
      free(effective);
      effective = wi_steal(&psu_of_sel);
    }
  }
  return 0;
}

/* ---- conflict check (§11.5) ---- */

static int
conflict_check(struct ctx *c, const struct plist *list, wi_err *err)
{
  const struct wi_patch_opts *o = c->o;
  if (!c->online) {
    plog(c, WI_LOG_WARN, "No credentials provided, skipping validation of patches");
    return 0;
  }
  if (list->n == 0)
    return 0;
  plog(c, WI_LOG_INFO, "Checking for conflicting patches");
  struct wi_aru *aru = NULL;
  int ret = get_aru(c, &aru, err);
  if (ret < 0)
    return ret;
  const char **upis = wi_xcalloc(o->n_installed + 1, sizeof *upis);
  for (size_t i = 0; i < o->n_installed; i++)
    upis[i] = o->installed[i].uid ? o->installed[i].uid : "";
  struct wi_aru_conflict_set *sets = NULL;
  size_t n_sets = 0;
  wi_err cerr = { 0 };
  ret = wi_aru_conflict_check(aru, upis, o->n_installed, list->v, list->n, &sets, &n_sets, &cerr);
  free(upis);
  if (ret == WI_ECANCELED) {
    *err = cerr;
    return ret;
  }
  if (ret < 0) {
    /* as WIT: the build goes on, and OPatch checks the patches when it applies them */
    plog(c, WI_LOG_DEBUG, "conflict check: %s", cerr.msg);
    plog(
        c, WI_LOG_WARN,
        "Unable to reach Oracle patch server to check for patch conflicts, skipping online conflict check. OPatch will check patches locally during the build.");
    return 0;
  }
  if (n_sets == 0) {
    plog(c, WI_LOG_INFO, "No patch conflicts detected");
    return 0;
  }
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  for (size_t i = 0; i < n_sets; i++) {
    wi_buf_adds(&b, i ? ", [" : "[", NULL);
    for (size_t j = 0; j < sets[i].n; j++)
      wi_buf_addf(&b, NULL, "%s%s", j ? ", " : "", sets[i].bugs[j]);
    wi_buf_adds(&b, "]", NULL);
  }
  wi_aru_conflicts_free(sets, n_sets);
  wi_autofree char *text = wi_buf_steal(&b);
  return wi_err_set(
      err, WI_ERR,
      "A patch conflict was detected. The patches listed within the brackets conflict with each other. These fixes cannot be applied without a merge patch from Oracle: %s",
      text);
}

/* ---- files: the cache, or a download into it (§11.6) ---- */

/* The cache file of a patch (or OPatch), downloaded when missing and online. */
static int
patch_file(struct ctx *c, const struct wi_aru_patch *p, const char *what, char **key_out,
           char **path_out, wi_err *err)
{
  wi_autofree char *key = wi_patch_cache_key(p->bug, p->version, p->platform);
  wi_autofree char *base = wi_patch_cache_key(p->bug, p->version, WI_ARU_GENERIC);
  const char *arch = p->platform == WI_ARU_AMD64   ? "amd64"
                     : p->platform == WI_ARU_ARM64 ? "arm64"
                                                   : NULL;
  wi_autofree char *path = NULL;
  wi_autofree char *found = NULL;
  wi_err nf = { 0 };
  int ret = wi_witcache_find(c->cache_dir, base, arch, &found, &path, &nf);
  if (ret == 0) {
    free(key);
    key = wi_steal(&found); /* the entry that holds it (a generic patch may sit under _amd64) */
    ret = wi_witcache_verify(c->cache_dir, path, NULL, err);
    if (ret < 0)
      return ret;
    plog(c, WI_LOG_INFO, "Using patch %s from cache: %s", key, path);
  } else if (ret != WI_ENOTFOUND) {
    *err = nf;
    return ret;
  } else {
    plog(c, WI_LOG_INFO, "Could not find key %s in the cache for patch %s", key, p->bug);
    if (!c->online)
      return wi_err_set(
          err, WI_ENOTFOUND,
          "Patch %s is not in the cache store and you have not provided Oracle Support credentials. Please provide --user with one of the password options or populate the cache store manually: wlsimg cache addPatch --patchId %s --path " FILE_HINT,
          key, key);
    struct wi_aru *aru = NULL;
    char digest[WI_DIGEST_MAX];
    plog(c, WI_LOG_INFO, "Downloading patch %s...", p->bug);
    ret = get_aru(c, &aru, err);
    if (ret == 0 && (p->download_url == NULL || p->file_name == NULL))
      ret = wi_err_set(err, WI_ENOTFOUND, "Oracle Support named no file for patch %s_%s", p->bug,
                       p->version);
    if (ret == 0)
      ret = wi_aru_download(aru, p, c->cache_dir, &path, digest, err);
    if (ret < 0) {
      if (ret != WI_ECANCELED)
        plog(
            c, WI_LOG_ERROR,
            "Retries exhausted, unable to download patch from Oracle.  Try again later or manually add the patch to the cache to skip this download step.");
      wi_autofree char *doing =
          wi_xasprintf("Failed to find patch %s for version %s", p->bug, p->version);
      wi_autofree char *advice = offline_advice(what, key);
      return explain(err, doing, advice);
    }
    plog(c, WI_LOG_INFO, "Adding patch %s to cache, path=%s", key, path);
    ret = wi_witcache_add_download(c->cache_dir, key, path, digest, err);
    if (ret < 0)
      return ret;
  }
  *key_out = wi_steal(&key);
  *path_out = wi_steal(&path);
  return 0;
}

static const char *
base_name(const char *path)
{
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

static int
fetch_all(struct ctx *c, const struct plist *list, struct wi_patch_result *res, wi_err *err)
{
  for (size_t i = 0; i < list->n; i++) {
    wi_autofree char *key = NULL;
    wi_autofree char *path = NULL;
    int ret = patch_file(c, &list->v[i], "patch", &key, &path, err);
    if (ret < 0)
      return ret;
    const char *name = base_name(path);
    bool dup = false;
    for (size_t j = 0; j < res->n && !dup; j++)
      dup = strcmp(res->names[j], name) == 0;
    if (dup) {
      plog(
          c, WI_LOG_WARN,
          "Skipping duplicate patch %s. Patch file already exists in the build context folder. Did you accidentally list the patch twice?",
          key);
      continue;
    }
    res->paths = wi_xreallocarray(res->paths, res->n + 1, sizeof *res->paths);
    res->names = wi_xreallocarray(res->names, res->n + 1, sizeof *res->names);
    res->keys = wi_xreallocarray(res->keys, res->n + 1, sizeof *res->keys);
    res->names[res->n] = wi_xstrdup(name);
    res->paths[res->n] = wi_steal(&path);
    res->keys[res->n] = wi_steal(&key);
    res->n++;
  }
  return 0;
}

/* ---- OPatch (§10.5) ---- */

/* The highest OPatch version in the cache for a bug ("0.0.0.0.0" as WIT when there is none; keys
 * whose version part is not a dotted number are passed over, where WIT would fail). */
static int
cached_opatch_version(struct ctx *c, const char *bug, char **out, wi_err *err)
{
  int ret = read_cache(c, err);
  if (ret < 0)
    return ret;
  wi_autofree char *best = wi_xstrdup("0.0.0.0.0");
  size_t bl = strlen(bug);
  for (size_t i = 0; i < c->cache.n; i++) {
    const char *key = c->cache.v[i].key;
    if (strncmp(key, bug, bl) != 0 || key[bl] != '_')
      continue;
    const char *v = key + bl + 1;
    wi_autofree char *version = wi_xstrndup(v, strcspn(v, "_"));
    int cmp = 0;
    wi_err ignore = { 0 };
    if (wi_version_compare(best, version, &cmp, &ignore) == 0 && cmp < 0) {
      free(best);
      best = wi_steal(&version);
    }
  }
  *out = wi_steal(&best);
  return 0;
}

/* Online: the highest open-access generic version ARU has (or the one asked for). */
static int
online_opatch(struct ctx *c, const char *bug, const char *provided, struct wi_aru_patch *out,
              wi_err *err)
{
  wi_autoplist struct plist all = { 0 };
  wi_autoplist struct plist open = { 0 };
  wi_autofree char *hint = wi_xasprintf("%s_%s", bug, provided ? provided : "<version>");
  int ret = online_candidates(c, bug, hint, &all, err);
  if (ret < 0 && ret != WI_ENOTFOUND)
    return ret;
  for (size_t i = 0; i < all.n; i++)
    if (all.v[i].platform == WI_ARU_GENERIC && all.v[i].access &&
        strcmp(all.v[i].access, "Open access") == 0)
      plist_add(&open, &all.v[i]);
  if (open.n == 0)
    return wi_err_set(
        err, WI_ENOTFOUND,
        "Unable to find any OPatch versions for bug ID %s. Please file an bug/issue if this issue persists.",
        bug);
  size_t best = 0;
  for (size_t i = 0; i < open.n; i++) {
    if (provided && open.v[i].version && strcmp(open.v[i].version, provided) == 0) {
      wi_aru_patch_copy(out, &open.v[i]);
      return 0;
    }
    int cmp = 0;
    wi_err ignore = { 0 };
    if (i > 0 && wi_version_compare(open.v[i].version, open.v[best].version, &cmp, &ignore) == 0 &&
        cmp > 0)
      best = i;
  }
  if (provided) {
    /* not on ARU any more: a copy in the cache will do */
    wi_autofree char *key = wi_patch_cache_key(bug, provided, WI_ARU_GENERIC);
    wi_autofree char *v = NULL;
    wi_err ignore = { 0 };
    if (wi_witcache_get(c->cache_dir, key, &v, &ignore) == 0) {
      plog(c, WI_LOG_INFO, "OPatch version %s is not available online, using cached copy.",
           provided);
      *out = (struct wi_aru_patch){ .bug = wi_xstrdup(bug),
                                    .version = wi_xstrdup(provided),
                                    .platform = WI_ARU_GENERIC };
      return 0;
    }
    plog(c, WI_LOG_ERROR, "The version of OPatch that you requested is not available: %s",
         provided);
    return wi_patch_select(open.v, open.n, provided, NULL, NULL, &best, err);
  }
  wi_aru_patch_copy(out, &open.v[best]);
  return 0;
}

static int
opatch_choice(struct ctx *c, struct wi_aru_patch *out, wi_err *err)
{
  const struct wi_patch_opts *o = c->o;
  wi_autofree char *bug = NULL;
  wi_autofree char *provided = NULL;
  if (o->opatch_bug) {
    const char *us = strchr(o->opatch_bug, '_');
    bug = us ? wi_xstrndup(o->opatch_bug, (size_t)(us - o->opatch_bug)) : wi_xstrdup(o->opatch_bug);
    provided = us ? wi_xstrdup(us + 1) : NULL;
    bool ok = strlen(bug) >= 5 && strspn(bug, "0123456789") == strlen(bug);
    if (!ok || (provided && (*provided == '\0' || strchr(provided, '_'))))
      return wi_err_set(
          err, WI_EINVAL,
          "--opatchBugNumber %.80s: expected a bug number, optionally with _<version> (such as 28186730 or 28186730_13.9.4.2.17)",
          o->opatch_bug);
  } else {
    const char *def = NULL;
    int ret = wi_patch_opatch_bug(installer_version(c), &def, err);
    if (ret < 0)
      return ret;
    bug = wi_xstrdup(def);
  }
  if (c->online)
    return online_opatch(c, bug, provided, out, err);
  wi_autofree char *version = provided ? wi_steal(&provided) : NULL;
  if (version == NULL) {
    int ret = cached_opatch_version(c, bug, &version, err);
    if (ret < 0)
      return ret;
  }
  *out = (struct wi_aru_patch){ .bug = wi_steal(&bug),
                                .version = wi_steal(&version),
                                .platform = WI_ARU_GENERIC };
  return 0;
}

static bool
nothing_cached(const struct ctx *c, const struct wi_aru_patch *p)
{
  return !c->online && strcmp(p->version, "0.0.0.0.0") == 0;
}

static int
opatch(struct ctx *c, struct wi_patch_result *res, wi_err *err)
{
  const struct wi_patch_opts *o = c->o;
  struct wi_aru_patch p = { 0 };
  wi_autofree char *key = NULL;
  int ret = opatch_choice(c, &p, err);
  if (ret == 0 && o->update) {
    int cmp = 0;
    if (nothing_cached(c, &p)) {
      /* WIT fails here (IMG-0062); the image's own OPatch can apply the patches */
      plog(c, WI_LOG_WARN,
           "OPatch will not be updated: no OPatch (patch %s) is in the cache and " NO_CREDENTIALS
           "; the image keeps OPatch %s",
           p.bug, o->image_opatch_version ? o->image_opatch_version : "(unknown)");
      goto out;
    }
    ret = wi_version_compare(o->image_opatch_version, p.version, &cmp, err);
    if (ret < 0) {
      wi_err_wrap(
          err,
          "comparing the image's OPatch version (the probe's opatchVersion) with %s; --skipOpatchUpdate keeps the image's OPatch",
          p.version);
      goto out;
    }
    if (cmp >= 0) {
      plog(c, WI_LOG_INFO,
           "OPatch will not be updated, fromImage has version %s, available version is %s",
           o->image_opatch_version, p.version);
      goto out;
    }
    plog(c, WI_LOG_INFO, "Updating OPatch in final image from version %s to version %s",
         o->image_opatch_version, p.version);
  }
  if (ret == 0 && nothing_cached(c, &p)) {
    ret = wi_err_set(
        err, WI_ENOTFOUND,
        "An OPatch version could not be found in the cache store and you have not provided Oracle Support credentials. Please provide --user with one of the password options or populate the cache store manually: wlsimg cache addPatch --patchId %s_<version> --path " FILE_HINT
        " (or keep the OPatch of the Oracle Home with --skipOpatchUpdate)",
        p.bug);
    goto out;
  }
  if (ret == 0)
    ret = patch_file(c, &p, "OPatch patch", &key, &res->opatch_path, err);
  if (ret == WI_ENOTFOUND && !c->online)
    wi_err_wrap(err, "OPatch");
  if (ret == 0) {
    res->opatch_name = wi_xstrdup(base_name(res->opatch_path));
    res->opatch_version = wi_xstrdup(p.version);
    res->opatch_key = wi_steal(&key);
  }
out:
  wi_aru_patch_dispose(&p);
  return ret;
}

/* ---- the whole ---- */

static int
setup(struct ctx *c, const struct wi_patch_opts *o, wi_err *err)
{
  const struct wi_patch_product *prods[24];
  size_t np = 0;
  c->o = o;
  c->cache_dir = o->cache_dir ? wi_xstrdup(o->cache_dir) : wi_witcache_default_dir();
  if (o->arch) {
    c->arch = wi_patch_arch(o->arch);
    if (c->arch == NULL)
      return wi_err_set(err, WI_EINVAL, "unknown architecture %.40s (amd64 or arm64)", o->arch);
  } else {
    struct wi_platform host;
    wi_ref_platform_host(&host);
    c->arch = strcmp(host.arch, "arm64") == 0 ? "arm64" : "amd64";
  }
  c->platform = wi_patch_arch_platform(c->arch);
  if (o->installer_version == NULL || *o->installer_version == '\0')
    return wi_err_set(err, WI_EINVAL, "no installer version to choose patches for");
  int ret = wi_patch_type_products(o->installer_type, prods, &np, err);
  if (ret < 0)
    return ret;
  for (size_t i = 0; i < o->n_patches; i++) {
    ret = wi_patch_validate_id(o->patches[i], err);
    if (ret < 0)
      return ret;
  }
  bool has_user = o->user && *o->user, has_password = o->password && *o->password;
  if (has_user != has_password)
    return wi_err_set(
        err, WI_EAUTH,
        "Invalid Oracle support credentials, verify the values provided for user and password match your OTN credential (%s)",
        has_user ? "--user was given without a password" : "a password was given without --user");
  c->online = has_user;
  return 0;
}

static void
ctx_dispose(struct ctx *c)
{
  free(c->cache_dir);
  wi_aru_free(c->aru);
  wi_props_dispose(&c->cache);
}

int
wi_patch_resolve(const struct wi_patch_opts *o, struct wi_patch_result *res, wi_err *err)
{
  struct ctx c = { 0 };
  struct plist list = { 0 };
  bool recommended = o->recommended, latest = o->latest_psu && !o->recommended;
  wi_autofree char *installed_psu = NULL;
  int ret = 0;

  bool want_patches = o->part != WI_PATCH_PART_OPATCH;
  bool want_opatch = o->part != WI_PATCH_PART_PATCHES && !o->skip_opatch_update;

  memset(res, 0, sizeof *res);
  if (o->n_patches == 0 && !recommended && !latest)
    return 0;
  ret = setup(&c, o, err);
  if (ret == 0 && o->update && want_opatch)
    ret = opatch(&c, res, err);
  if (ret == 0 && o->update && o->part != WI_PATCH_PART_PATCHES && !c.online)
    plog(&c, WI_LOG_INFO, "No credentials provided, skipping patch conflict check.");
  if (ret == 0 && want_patches)
    ret = recommended_list(&c, &recommended, &latest, &list, err);
  if (ret == 0 && want_patches) {
    /* the PSU that guides versions: the new list's WLS PSU, else the image's */
    const char *psu = NULL;
    wi_autofree char *from_list = NULL;
    for (size_t i = 0; i < list.n && from_list == NULL; i++)
      from_list = wls_psu_version(&list.v[i]);
    installed_psu = wi_patch_installed_psu(o->installed, o->n_installed);
    psu = from_list ? from_list : installed_psu;
    ret = user_patches(&c, psu, &list, err);
  }
  if (ret == 0 && want_patches)
    ret = conflict_check(&c, &list, err);
  if (ret == 0 && want_patches)
    ret = fetch_all(&c, &list, res, err);
  /* create and rebase: OPatch goes with the patches (none when the recommended list was empty
   * and nothing else was asked for, as in WIT) */
  if (ret == 0 && !o->update && want_opatch && (o->n_patches || recommended || latest))
    ret = opatch(&c, res, err);
  plist_dispose(&list);
  ctx_dispose(&c);
  if (ret < 0)
    wi_patch_result_dispose(res);
  return ret;
}
