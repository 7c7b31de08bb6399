/* wlsimg: WIT's installer types — see installer.h and wit-primary §9. */
#include "lib/installer.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "lib/alloc.h"
#include "lib/str.h"

struct type {
  const char *name;
  const char *installers[WI_INSTALLER_MAX];
};

/* FmwInstallerType, in WIT's order */
static const struct type types[] = {
  { "WLS", { "wls" } },
  { "WLSSLIM", { "wlsslim" } },
  { "WLSDEV", { "wlsdev" } },
  { "FMW", { "fmw" } },
  { "OSB", { "fmw", "osb" } },
  { "SOA", { "fmw", "soa" } },
  { "SOA_OSB", { "fmw", "soa", "osb" } },
  { "SOA_OSB_B2B", { "fmw", "soa", "osb", "b2b" } },
  { "MFT", { "fmw", "mft" } },
  { "IDM", { "fmw", "idm" } },
  { "IDM_WLS", { "idm" } },
  { "OAM", { "fmw", "oam" } },
  { "OIG", { "fmw", "soa", "osb", "idm" } },
  { "OUD", { "oud" } },
  { "OUD_WLS", { "fmw", "oud" } },
  { "OID", { "fmw", "oid" } },
  { "WCC", { "fmw", "wcc" } },
  { "WCP", { "fmw", "wcp" } },
  { "WCS", { "fmw", "wcs" } },
  { "OHS", { "ohs" } },
  { "ODI", { "odi" } },
};

const char *
wi_installer_types(void)
{
  return "WLS, WLSSLIM, WLSDEV, FMW, OSB, SOA, SOA_OSB, SOA_OSB_B2B, MFT, IDM, IDM_WLS, OAM, OIG, OUD, OUD_WLS, OID, WCC, WCP, WCS, OHS, ODI";
}

static const struct type *
find(const char *type)
{
  for (size_t i = 0; type && i < sizeof types / sizeof types[0]; i++)
    if (strcasecmp(types[i].name, type) == 0)
      return &types[i];
  return NULL;
}

const char *
wi_installer_type_name(const char *type)
{
  const struct type *t = find(type);
  return t ? t->name : NULL;
}

size_t
wi_installer_list(const char *type, const char *version, const char *out[WI_INSTALLER_MAX])
{
  const struct type *t = find(type);
  size_t n = 0;
  for (size_t i = 0; t && i < WI_INSTALLER_MAX && t->installers[i]; i++)
    out[n++] = t->installers[i];
  /* OHS 12.2.1.4.0 also needs the DB client (its version is the OHS version) */
  if (t && strcmp(t->name, "OHS") == 0 && version && strcmp(version, "12.2.1.4.0") == 0 &&
      n < WI_INSTALLER_MAX)
    out[n++] = "db19";
  return n;
}

char *
wi_installer_response_file(const char *installer, const char *type)
{
  static const char *const map[][2] = {
    { "fmw", "Fusion Middleware Infrastructure" },
    { "soa", "SOA Suite" },
    { "osb", "Service Bus" },
    { "b2b", "B2B" },
    { "mft", "" },
    { "oam", "Collocated Oracle Identity and Access Manager (Managed through WebLogic server)" },
    { "ohs", "Standalone HTTP Server (Managed independently of WebLogic server)" },
    { "oud", "Installation for Oracle Unified Directory" },
    { "oid", "Collocated Oracle Internet Directory Server (Managed through WebLogic server)" },
    { "wcc", "WebCenter Content" },
    { "wcp", "WebCenter Portal" },
    { "wcs", "WebCenter Sites" },
    { "odi", "Oracle Data Integrator" },
  };
  const char *v = "WebLogic Server";
  if (strcmp(installer, "idm") == 0)
    v = type && strcasecmp(type, "IDM") == 0
            ? "Standalone Oracle Identity and Access Manager(Managed independently of WebLogic server)"
            : "Collocated Oracle Identity and Access Manager (Managed through WebLogic server)";
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strcmp(installer, map[i][0]) == 0)
      v = map[i][1];
  return wi_xasprintf("[ENGINE]\nResponse File Version=1.0.0.0.0\n[GENERIC]\nINSTALL_TYPE=%s\n"
                      "DECLINE_SECURITY_UPDATES=true\nSECURITY_UPDATES_VIA_MYORACLESUPPORT=false\n",
                      v);
}

int
wi_installer_jar_name(const char *path, char **out, wi_err *err)
{
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  *out = NULL;
  if (!wi_str_has_suffix(base, ".zip")) {
    *out = wi_xstrdup(base);
    return 0;
  }
  /* the zip's central directory order, as java.util.zip.ZipFile.entries() walks it */
  struct archive *a = archive_read_new();
  struct archive_entry *ae;
  int ret = 0;
  archive_read_support_format_zip_seekable(a);
  if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
    ret = wi_err_set(err, WI_EINVAL, "installer %s: %s", path, archive_error_string(a));
    archive_read_free(a);
    return ret;
  }
  for (;;) {
    int r = archive_read_next_header(a, &ae);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN) {
      ret = wi_err_set(err, WI_EINVAL, "installer %s: %s", path, archive_error_string(a));
      break;
    }
    const char *n = archive_entry_pathname(ae);
    if (n && (wi_str_has_suffix(n, ".jar") || wi_str_has_suffix(n, ".bin"))) {
      *out = wi_xstrdup(n);
      break;
    }
  }
  archive_read_free(a);
  if (ret == 0 && *out == NULL)
    *out = wi_xstrdup(base);
  return ret;
}

const char *
wi_installer_type_from_products(const char *products)
{
  static const char *const map[][2] = {
    { "WebLogic Server", "WLS" },
    { "WebLogic Server for FMW", "FMW" },
    { "Oracle HTTP Server", "OHS" },
    { "ServiceBus", "OSB" },
    { "BPM_SOA", "SOA" },
    { "MFT", "MFT" },
    { "WebCenterContent", "WCC" },
    { "WebCenterPortal", "WCP" },
    { "WebCenterSites", "WCS" },
    { "Oracle Identity Management", "IDM" },
    { "Oracle Identity Management QuickStart", "IDM" },
    { "Oracle Internet Directory", "OID" },
    { "Oracle Data Integrator", "ODI" },
    { "Oracle Unified Directory", "OUD" },
  };
  static const char *const order[] = { "OAM", "OID", "WCC", "WCP", "WCS", "OHS",
                                       "MFT", "ODI", "SOA", "OSB", "FMW", "WLS" };
  bool set[sizeof types / sizeof types[0]] = { false };
  bool any = false;
  for (const char *p = products; p && *p;) {
    size_t l = strcspn(p, ",");
    const char *s = p;
    size_t sl = l;
    while (sl && (*s == ' ' || *s == '\t')) {
      s++;
      sl--;
    }
    while (sl && (s[sl - 1] == ' ' || s[sl - 1] == '\t'))
      sl--;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
      if (strlen(map[i][0]) == sl && memcmp(map[i][0], s, sl) == 0)
        for (size_t k = 0; k < sizeof types / sizeof types[0]; k++)
          if (strcmp(types[k].name, map[i][1]) == 0)
            any = set[k] = true;
    p += l + (p[l] == ',');
  }
  if (!any)
    return NULL;
#define HAS(n) (set[(size_t)(find(n) - types)])
  if (HAS("SOA") && HAS("OSB"))
    return "SOA_OSB";
  if (HAS("OUD"))
    return HAS("FMW") ? "OUD_WLS" : "OUD";
  if (HAS("IDM"))
    return HAS("FMW") ? "IDM" : "IDM_WLS";
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    if (HAS(order[i]))
      return order[i];
#undef HAS
  return NULL;
}

const char *
wi_installer_arch(const char *platform, bool *known)
{
  static const char *const arm[] = { "arm64", "linux/arm64", "aarch64" };
  static const char *const amd[] = { "amd64", "linux/amd64", "x86_64" };
  struct utsname u;
  const char *v = platform;
  if (v == NULL)
    v = uname(&u) == 0 ? u.machine : "x86_64";
  *known = true;
  for (size_t i = 0; i < 3; i++) {
    if (strcasecmp(v, arm[i]) == 0)
      return "arm64";
    if (strcasecmp(v, amd[i]) == 0)
      return "amd64";
  }
  *known = false;
  return "amd64";
}
