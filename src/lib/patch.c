/* wlsimg: patch ids, cache keys, version selection, ARU products, OPatch — see patch.h. */
#include "lib/patch.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/version.h"

void
wi_patch_result_dispose(struct wi_patch_result *r)
{
  for (size_t i = 0; i < r->n; i++) {
    free(r->paths[i]);
    free(r->names[i]);
    free(r->keys[i]);
  }
  free(r->paths);
  free(r->names);
  free(r->keys);
  free(r->opatch_path);
  free(r->opatch_name);
  free(r->opatch_key);
  free(r->opatch_version);
  memset(r, 0, sizeof *r);
}

/* ---- ids ---- */

#define IMG_0004                                                                                             \
  "Invalid patch id %.200s. The patch id must be in the format of %s.  Where the first part is the 8 digit " \
  "patch ID, and the second half, after the underscore, is the release version for the patch. The "          \
  "release version needs to be specified with 5 places such as 12.2.1.3.0 or 12.2.1.3.190416. Release "      \
  "version is required when adding a patch to the cache or when multiple versions of the same patch "        \
  "number exist for different versions."

/* WIT's patterns (Utils.validatePatchIds), whole-string matches; \d is ASCII digits and . does not
 * match a line break in Java, so neither may appear in the suffix here. */
static bool
id_matches(const char *id, bool version_required)
{
  regex_t re;
  const char *pat = version_required
                        ? "^[0-9]{8,9}_[0-9][0-9](\\.[0-9]){3,8}\\.[0-9]+(_[^\n\r]*)?$"
                        : "^[0-9]{8,9}(_[0-9][0-9](\\.[0-9]){3,8}\\.[0-9]+(_[^\n\r]*)?)?$";
  if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) != 0)
    abort(); /* a constant pattern */
  bool ok = regexec(&re, id, 0, NULL, 0) == 0;
  regfree(&re);
  return ok;
}

int
wi_patch_validate_id(const char *id, wi_err *err)
{
  if (id == NULL || !id_matches(id, false))
    return wi_err_set(err, WI_EINVAL, IMG_0004, id ? id : "", "12345678[_12.2.1.3.0[_arm64]]");
  return 0;
}

int
wi_patch_validate_cache_id(const char *id, wi_err *err)
{
  if (id == NULL || !id_matches(id, true))
    return wi_err_set(err, WI_EINVAL, IMG_0004, id ? id : "", "12345678_12.2.1.3.0[_arm64]");
  /* BUG_VERSION_SUFFIX: the suffix is what the lookup by architecture reads */
  const char *v = strchr(id, '_') + 1;
  const char *suffix = strchr(v, '_');
  if (suffix && wi_patch_arch(suffix + 1) == NULL)
    return wi_err_set(
        err, WI_EINVAL,
        "Invalid patch id %.200s: \"%.40s\" is not an architecture (amd64, linux/amd64, x86_64, arm64, linux/arm64 or aarch64); a generic patch has no suffix",
        id, suffix + 1);
  return 0;
}

const char *
wi_patch_arch(const char *name)
{
  static const char *const amd[] = { "amd64", "linux/amd64", "x86_64" };
  static const char *const arm[] = { "arm64", "linux/arm64", "aarch64" };
  for (size_t i = 0; name && i < WI_ARRAY_SIZE(amd); i++) {
    if (strcasecmp(name, amd[i]) == 0)
      return "amd64";
    if (strcasecmp(name, arm[i]) == 0)
      return "arm64";
  }
  return NULL;
}

int
wi_patch_arch_platform(const char *arch)
{
  return arch && strcmp(arch, "arm64") == 0 ? WI_ARU_ARM64 : WI_ARU_AMD64;
}

char *
wi_patch_cache_key(const char *bug, const char *version, int platform)
{
  char *k = platform == WI_ARU_AMD64   ? wi_xasprintf("%s_%s_amd64", bug, version)
            : platform == WI_ARU_ARM64 ? wi_xasprintf("%s_%s_arm64", bug, version)
                                       : wi_xasprintf("%s_%s", bug, version);
  for (char *p = k; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return k;
}

bool
wi_patch_is_opatch(const char *id)
{
  static const char *const bugs[] = { WI_PATCH_OPATCH_BUG, WI_PATCH_OPATCH_JAKARTA_BUG };
  for (size_t i = 0; i < WI_ARRAY_SIZE(bugs); i++) {
    size_t n = strlen(bugs[i]);
    if (strncmp(id, bugs[i], n) == 0 && (id[n] == '\0' || id[n] == '_'))
      return true;
  }
  return false;
}

/* ---- selection ---- */

static char *
versions_list(const struct wi_aru_patch *v, size_t n)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  for (size_t i = 0; i < n; i++)
    wi_buf_addf(&b, NULL, "%s%s_%s", i ? ", " : "", v[0].bug, v[i].version ? v[i].version : "");
  return wi_buf_steal(&b);
}

static bool
same(const char *a, const char *b)
{
  return a && b && strcmp(a, b) == 0;
}

int
wi_patch_select(const struct wi_aru_patch *v, size_t n, const char *provided, const char *psu,
                const char *installer, size_t *idx, wi_err *err)
{
  if (n == 0)
    return wi_err_set(err, WI_ENOTFOUND, "no candidates to choose from");
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++)
      if (same(v[i].version, v[j].version))
        return wi_err_set(
            err, WI_EINVAL,
            "Invalid patch %s for version %s. A patch cannot be both generic and architecture specific. Remove the invalid entry from the cache, like %s_%s_xxx64.",
            v[i].bug, v[i].version, v[i].bug, v[i].version);
  const char *want[] = { provided, psu, installer };
  for (size_t w = provided ? 0 : 1; w < WI_ARRAY_SIZE(want); w++) {
    for (size_t i = 0; i < n; i++) {
      if (same(v[i].version, want[w])) {
        *idx = i;
        return 0;
      }
    }
    if (provided)
      break; /* a version the user asked for is that version or nothing */
  }
  wi_autofree char *list = versions_list(v, n);
  if (provided)
    return wi_err_set(err, WI_ENOTFOUND,
                      "Version %s for patch ID %s was not found in the available versions: %s",
                      provided, v[0].bug, list);
  return wi_err_set(
      err, WI_ENOTFOUND,
      "Unable to determine the correct version for patch ID %s, please retry the command using one of the available patch versions: %s",
      v[0].bug, list);
}

char *
wi_patch_installed_psu(const struct wi_probe_patch *v, size_t n)
{
  regex_t re;
  regmatch_t m[5];
  char *r = NULL;
  /* WIT's InstalledPatch PSU pattern; the first description it is found in wins */
  if (regcomp(&re,
              "WLS PATCH SET UPDATE "
              "(([0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+\\.)[0-9]+\\(ID:([0-9]+)\\.[0-9]+\\)|"
              "([0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+\\.[1-9][0-9]+))",
              REG_EXTENDED) != 0)
    abort(); /* a constant pattern */
  for (size_t i = 0; i < n && r == NULL; i++) {
    const char *d = v[i].description;
    if (d == NULL || regexec(&re, d, WI_ARRAY_SIZE(m), m, 0) != 0)
      continue;
    if (m[2].rm_so >= 0)
      r = wi_xasprintf("%.*s%.*s", (int)(m[2].rm_eo - m[2].rm_so), d + m[2].rm_so,
                       (int)(m[3].rm_eo - m[3].rm_so), d + m[3].rm_so);
    else
      r = wi_xstrndup(d + m[4].rm_so, (size_t)(m[4].rm_eo - m[4].rm_so));
  }
  regfree(&re);
  return r;
}

int
wi_patch_opatch_bug(const char *installer_version, const char **bug_out, wi_err *err)
{
  int c = 0;
  /* OPatch 13.9.6 (Jakarta) for 14.1.2.25 and later */
  int ret = wi_version_compare("14.1.2.25", installer_version, &c, err);
  if (ret < 0)
    return wi_err_wrap(err, "choosing the OPatch version for installer version %.80s",
                       installer_version ? installer_version : "");
  *bug_out = c > 0 ? WI_PATCH_OPATCH_BUG : WI_PATCH_OPATCH_JAKARTA_BUG;
  return 0;
}

/* ---- ARU products (wit-primary.md §9.1) ---- */

static const struct wi_patch_product products[] = {
  { "WLS", "15991", "Oracle WebLogic Server" },
  { "COH", "13964", "Oracle Coherence" },
  { "JRF", "10120", "Oracle Java Required Files" },
  { "FMW", "10120", "Oracle Fusion Middleware" },
  { "FMC", "48949", "Fusion Middleware Control" },
  { "FMWPLAT", "27638", "FMW Platform" },
  { "OSB", "16011", "Oracle Service Bus" },
  { "SOA", "12745", "Oracle SOA Suite" },
  { "MFT", "27538", "Oracle Managed File Transfer" },
  { "IDM", "18391", "Oracle Identity Manager" },
  { "IMS", "22295", "Oracle Identity Management" },
  { "OAM", "18388", "Oracle Access Manager" },
  { "OHS", "10300", "Oracle HTTP Server" },
  { "OUD", "19748", "Oracle Unified Directory" },
  { "OID", "10040", "Oracle Internet Directory" },
  { "WCC", "13946", "Oracle WebCenter Content" },
  { "WCP", "15224", "Oracle WebCenter Portal" },
  { "WCS", "20995", "Oracle WebCenter Sites" },
  { "JDEV", "11281", "Oracle JDeveloper" },
  { "OPSS", "16606", "Oracle Platform Security Service" },
  { "OWSM", "12787", "Oracle Webservices Manager" },
  { "JDBC", "9512", "Oracle JDBC for Fusion Middleware" },
  { "FIT", "33256", "Middleware Common Libraries and Tools" },
  { "ODI", "13724", "Oracle Data Integrator" },
  { "OSS", "16609", "Oracle Security Service" },
  { "OAM_WG", "18388", "Oracle Access Manager Web Gates" },
  { "FMW_GLCM", "31939", "Oracle Global Lifecycle Management FMW Installer" },
  { "EM", "12385", "Enterprise Manager for Fusion Middleware" },
  { "UMS", "16612", "User Messaging Service" },
  { "OVD", "13504", "Oracle Virtual Directory" },
};

#define WLS_SET "WLS COH FMWPLAT FIT JDBC FMW_GLCM OSS OWSM"
#define FMW_SET WLS_SET " FMW JDEV OPSS EM FMC UMS OVD"

static const struct {
  const char *type;
  const char *codes;
} type_products[] = {
  { "WLS", WLS_SET },
  { "WLSSLIM", WLS_SET },
  { "WLSDEV", WLS_SET },
  { "FMW", FMW_SET },
  { "OSB", FMW_SET " OSB" },
  { "SOA", FMW_SET " SOA" },
  { "SOA_OSB", FMW_SET " SOA OSB" },
  { "SOA_OSB_B2B", FMW_SET " SOA OSB" },
  { "MFT", FMW_SET " MFT" },
  { "IDM", FMW_SET " IDM" },
  { "IDM_WLS", "IDM" },
  { "OAM", FMW_SET " OAM IMS" },
  { "OIG", FMW_SET " SOA OSB IDM" },
  { "OUD", "OUD IMS" },
  { "OUD_WLS", FMW_SET " OUD IMS" },
  { "OID", FMW_SET " OID IMS" },
  { "WCC", FMW_SET " WCC" },
  { "WCP", FMW_SET " WCP" },
  { "WCS", FMW_SET " WCS" },
  { "OHS", "OHS OAM_WG WLS JDBC FMWPLAT OSS FIT FMW JRF FMW_GLCM" },
  { "ODI", "ODI" },
};

int
wi_patch_type_products(const char *type, const struct wi_patch_product *out[24], size_t *n,
                       wi_err *err)
{
  for (size_t t = 0; type && t < WI_ARRAY_SIZE(type_products); t++) {
    if (strcasecmp(type, type_products[t].type) != 0)
      continue;
    size_t count = 0;
    for (const char *p = type_products[t].codes; *p && count < 24;) {
      size_t len = strcspn(p, " ");
      for (size_t k = 0; k < WI_ARRAY_SIZE(products); k++)
        if (strlen(products[k].code) == len && strncmp(products[k].code, p, len) == 0)
          out[count++] = &products[k];
      p += len + (p[len] == ' ');
    }
    *n = count;
    return 0;
  }
  return wi_err_set(err, WI_EINVAL, "unknown installer type %.40s", type ? type : "(none)");
}

bool
wi_patch_type_is_base_wls(const char *type)
{
  return type && (strcasecmp(type, "WLS") == 0 || strcasecmp(type, "WLSSLIM") == 0 ||
                  strcasecmp(type, "WLSDEV") == 0);
}

void
wi_patch_aru_opts(const struct wi_patch_opts *o, struct wi_aru_opts *out)
{
  *out = (struct wi_aru_opts){ .host = o->aru_host,
                               .user = o->user,
                               .password = o->password,
                               .ca_file = o->aru_cacert,
                               .retry_interval_ms = -1,
                               .log = o->log,
                               .log_payload = o->log_payload,
                               .cancel = o->cancel };
}

int
wi_patch_check_credentials(const struct wi_patch_opts *o, wi_err *err)
{
  wi_autoptr(wi_aru) struct wi_aru *aru = NULL;
  struct wi_aru_opts ao;
  wi_patch_aru_opts(o, &ao);
  int ret = wi_aru_new(&aru, &ao, err);
  if (ret < 0)
    return ret;
  ret = wi_aru_check_credentials(aru, err);
  if (ret < 0 && ret != WI_EAUTH && ret != WI_ECANCELED) {
    /* unreachable (or failing): say what was being done, and the way that needs no ARU */
    char cause[sizeof err->msg];
    memcpy(cause, err->msg, sizeof cause);
    const char *first = o->n_patches ? o->patches[0] : NULL;
    const char *ver = o->installer_version ? o->installer_version : "<version>";
    wi_autofree char *id = first && strchr(first, '_') ? wi_xstrdup(first)
                           : first                     ? wi_xasprintf("%s_%s", first, ver)
                                                       : wi_xasprintf("<bug>_%s", ver);
    /* Oracle Support chooses recommended patches and PSUs: offline, the user names them */
    const char *instead =
        o->recommended && o->latest_psu
            ? ", list them with --patches instead of --recommendedPatches and --latestPSU"
        : o->recommended ? ", list them with --patches instead of --recommendedPatches"
        : o->latest_psu  ? ", list it with --patches instead of --latestPSU"
                         : "";
    wi_err_set(
        err, ret,
        "Checking the Oracle Support credentials: %s. To work without Oracle Support, add the patches to the cache (wlsimg cache addPatch --patchId %s --path <the patch zip downloaded from My Oracle Support>)%s and run without --user",
        cause, id, instead);
  }
  return ret;
}
