/* wlsimg: WIT's inspect report — see inspect.h. */
#include "lib/inspect.h"
#include "lib/image.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/buf.h"

/* ---- inspect ---- */

/* KEY=value lines (os-release, java release): value with quotes removed, or NULL. malloc'ed. */
static char *
kv_get(const char *text, const char *key)
{
  size_t kl = strlen(key);
  for (const char *p = text; p && *p;) {
    const char *e = strchr(p, '\n');
    size_t ll = e ? (size_t)(e - p) : strlen(p);
    if (ll > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
      const char *v = p + kl + 1;
      size_t vl = ll - kl - 1;
      while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
        vl--;
      if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
        v++;
        vl -= 2;
      }
      return wi_xstrndup(v, vl);
    }
    p = e ? e + 1 : NULL;
  }
  return NULL;
}

static void
add_str(json_t *o, const char *k, const char *v)
{
  if (v)
    json_object_set_new(o, k, json_string(v));
}

/* registry.xml: names and WebLogic version of installed distributions. */
static void
parse_registry_xml(const char *xml, json_t *o)
{
  struct wi_buf names = WI_BUF_INIT(1 << 20);
  for (const char *p = strstr(xml, "<distribution "); p; p = strstr(p + 1, "<distribution ")) {
    const char *end = strchr(p, '>');
    if (!end)
      break;
    wi_autofree char *tag = wi_xstrndup(p, (size_t)(end - p));
    char *st = strstr(tag, "status=\"");
    if (st && strncmp(st + 8, "installed", 9) != 0)
      continue;
    char *nm = strstr(tag, " name=\"");
    char *ver = strstr(tag, " version=\"");
    if (!nm)
      continue;
    char *ne = strchr(nm + 7, '"');
    if (!ne)
      continue;
    wi_autofree char *name = wi_xstrndup(nm + 7, (size_t)(ne - nm - 7));
    if (names.len)
      wi_buf_adds(&names, ",", NULL);
    wi_buf_adds(&names, name, NULL);
    if (ver && strcmp(name, "WebLogic Server") == 0) {
      char *ve = strchr(ver + 10, '"');
      if (ve) {
        wi_autofree char *v = wi_xstrndup(ver + 10, (size_t)(ve - ver - 10));
        add_str(o, "wlsVersion", v);
      }
    }
  }
  if (names.len)
    add_str(o, "oracleInstalledProducts", wi_buf_cstr(&names));
  wi_buf_dispose(&names);
}

static const char *
uname_arch(const char *arch)
{
  if (strcmp(arch, "amd64") == 0)
    return "x86_64";
  if (strcmp(arch, "arm64") == 0)
    return "aarch64";
  return arch;
}

/* Append a JSON string value (escaped by jansson). */
static void
put_json_str(struct wi_buf *b, const char *s)
{
  json_t *j = json_string(s);
  char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
  wi_buf_adds(b, t ? t : "\"\"", NULL);
  free(t);
  json_decref(j);
}

/* WIT's layout: 2-space indent, "key" : "value". Values are strings (or null), patches an array. */
static char *
format_wit_json(json_t *patches, json_t *os, json_t *rest)
{
  struct wi_buf b = WI_BUF_INIT(16 << 20);
  const char *k;
  json_t *v;
  bool first = true;

  wi_buf_adds(&b, "{\n", NULL);
  if (patches) {
    wi_buf_adds(&b, "  \"oraclePatches\" : [", NULL);
    size_t i;
    json_array_foreach (patches, i, v) {
      wi_buf_adds(&b, i ? ", {\n" : "{\n", NULL);
      wi_buf_adds(&b, "    \"patch\" : ", NULL);
      put_json_str(&b, json_string_value(json_object_get(v, "patch")));
      wi_buf_adds(&b, ",\n    \"description\" : ", NULL);
      put_json_str(&b, json_string_value(json_object_get(v, "description")));
      wi_buf_adds(&b, "\n  }", NULL);
    }
    wi_buf_adds(&b, "]", NULL);
    first = false;
  }
  wi_buf_adds(&b, first ? "  \"os\" : {\n" : ",\n  \"os\" : {\n", NULL);
  bool f2 = true;
  json_object_foreach (os, k, v) {
    wi_buf_adds(&b, f2 ? "    " : ",\n    ", NULL);
    put_json_str(&b, k);
    wi_buf_adds(&b, " : ", NULL);
    if (json_is_string(v))
      put_json_str(&b, json_string_value(v));
    else
      wi_buf_adds(&b, "null", NULL);
    f2 = false;
  }
  wi_buf_adds(&b, "\n  }", NULL);
  /* the rest alphabetically */
  size_t nk = json_object_size(rest), i = 0;
  const char **keys = wi_xcalloc(nk ? nk : 1, sizeof *keys);
  json_object_foreach (rest, k, v)
    keys[i++] = k;
  for (size_t a = 1; a < nk; a++)
    for (size_t c = a; c > 0 && strcmp(keys[c - 1], keys[c]) > 0; c--) {
      const char *t = keys[c];
      keys[c] = keys[c - 1];
      keys[c - 1] = t;
    }
  for (i = 0; i < nk; i++) {
    wi_buf_adds(&b, ",\n  ", NULL);
    put_json_str(&b, keys[i]);
    wi_buf_adds(&b, " : ", NULL);
    put_json_str(&b, json_string_value(json_object_get(rest, keys[i])));
  }
  free(keys);
  wi_buf_adds(&b, "\n}\n", NULL);
  return wi_buf_steal(&b);
}

enum {
  F_OSREL,
  F_OSREL2,
  F_ALPINE,
  F_BUSYBOX,
  F_JAVA_REL,
  F_REGISTRY,
  F_WDT_VER,
  F_OH,
  F_OPATCH,
  F_DOMAIN_CFG,
  F_PM, /* package managers from here */
};

static const char *const pkg_mgrs[][2] = {
  { "dnf", "DNF" },        { "yum", "YUM" }, { "microdnf", "MICRODNF" },
  { "apt-get", "APTGET" }, { "apk", "APK" }, { "zypper", "ZYPPER" },
};
static const char *const bin_dirs[] = { "usr/bin", "bin", "usr/sbin", "sbin" };

/* The report from the files found (f indexed by the F_* constants). */
static char *
report(const struct wi_imgconfig *c, struct wi_image_file *f, bool patches)
{
  const char *java_home = wi_imgconfig_get_env(c, "JAVA_HOME");
  const char *oracle_home = wi_imgconfig_get_env(c, "ORACLE_HOME");
  const char *domain_home = wi_imgconfig_get_env(c, "DOMAIN_HOME");
  const char *wdt_home_env = wi_imgconfig_get_env(c, "WDT_HOME");
  const char *wdt_home = wdt_home_env ? wdt_home_env : "/u01/wdt";
  json_t *os = json_object(), *rest = json_object(), *pl = NULL;
  const char *osrel = f[F_OSREL].data ? f[F_OSREL].data : f[F_OSREL2].data;
  struct wi_platform plat;
  wi_imgconfig_platform(c, &plat);
  wi_autofree char *id = osrel ? kv_get(osrel, "ID") : NULL;
  wi_autofree char *name = osrel ? kv_get(osrel, "NAME") : NULL;
  wi_autofree char *ver = osrel ? kv_get(osrel, "VERSION") : NULL;
  wi_autofree char *verid = osrel ? kv_get(osrel, "VERSION_ID") : NULL;
  if (!id && f[F_BUSYBOX].found)
    id = wi_xstrdup("bb");
  json_object_set_new(os, "id", id ? json_string(id) : json_null());
  json_object_set_new(os, "name", name ? json_string(name) : json_null());
  json_object_set_new(os, "version",
                      ver     ? json_string(ver)
                      : verid ? json_string(verid)
                              : json_null());
  json_object_set_new(os, "architecture", json_string(uname_arch(plat.arch)));

  const char *pm = "NONE";
  for (size_t i = 0; i < WI_ARRAY_SIZE(pkg_mgrs) && strcmp(pm, "NONE") == 0; i++)
    for (size_t d = 0; d < WI_ARRAY_SIZE(bin_dirs); d++)
      if (f[F_PM + i * WI_ARRAY_SIZE(bin_dirs) + d].found)
        pm = pkg_mgrs[i][1];
  add_str(rest, "packageManager", pm);
  if (java_home) {
    add_str(rest, "javaHome", java_home);
    if (f[F_JAVA_REL].data) {
      wi_autofree char *jv = kv_get(f[F_JAVA_REL].data, "JAVA_VERSION");
      add_str(rest, "javaVersion", jv);
    }
  }
  if (domain_home) {
    add_str(rest, "domainHome", domain_home);
    if (!f[F_DOMAIN_CFG].found)
      add_str(rest, "wdtModelOnly", "true");
  }
  add_str(rest, "wdtModelHome", wi_imgconfig_get_env(c, "WDT_MODEL_HOME"));
  if (f[F_WDT_VER].data) {
    size_t l = strcspn(f[F_WDT_VER].data, "\r\n");
    wi_autofree char *v = wi_xstrndup(f[F_WDT_VER].data, l);
    add_str(rest, "wdtHome", wdt_home);
    add_str(rest, "wdtVersion", v);
  }
  if (oracle_home) {
    add_str(rest, "oracleHome", oracle_home);
    if (f[F_REGISTRY].data)
      parse_registry_xml(f[F_REGISTRY].data, rest);
    if (f[F_OH].found) {
      wi_autofree char *u = f[F_OH].uname && *f[F_OH].uname ? wi_xstrdup(f[F_OH].uname)
                                                            : wi_xasprintf("%u", f[F_OH].uid);
      wi_autofree char *g = f[F_OH].gname && *f[F_OH].gname ? wi_xstrdup(f[F_OH].gname)
                                                            : wi_xasprintf("%u", f[F_OH].gid);
      add_str(rest, "oracleHomeUser", u);
      add_str(rest, "oracleHomeGroup", g);
    }
    if (patches && f[F_OPATCH].data) {
      wi_autofree char *ov = kv_get(f[F_OPATCH].data, "OPATCH_VERSION");
      if (!ov) {
        /* "OPATCH_VERSION:13.9.4.2.5" */
        const char *p = strstr(f[F_OPATCH].data, "OPATCH_VERSION:");
        if (p)
          ov = wi_xstrndup(p + 15, strcspn(p + 15, "\r\n"));
      }
      add_str(rest, "opatchVersion", ov);
    }
  }
  if (patches)
    pl = json_array(); /* patch details live in the inventory's binary store; not read statically */
  char *json = format_wit_json(pl, os, rest);
  json_decref(os);
  json_decref(rest);
  json_decref(pl);
  return json;
}

int
wi_inspect_json(struct wi_store *s, const struct wi_image *img, bool patches, char **json_out,
                wi_err *err)
{
  const struct wi_imgconfig *c = img->config;
  const char *java_home = wi_imgconfig_get_env(c, "JAVA_HOME");
  const char *oracle_home = wi_imgconfig_get_env(c, "ORACLE_HOME");
  const char *domain_home = wi_imgconfig_get_env(c, "DOMAIN_HOME");
  const char *wdt_home_env = wi_imgconfig_get_env(c, "WDT_HOME");
  const char *wdt_home = wdt_home_env ? wdt_home_env : "/u01/wdt";
  enum { NPM = WI_ARRAY_SIZE(pkg_mgrs) * WI_ARRAY_SIZE(bin_dirs) };
  struct wi_image_file f[F_PM + NPM];
  char *paths[F_PM + NPM];
  int ret;

  memset(f, 0, sizeof f);
  memset(paths, 0, sizeof paths);
  paths[F_OSREL] = wi_xstrdup("etc/os-release");
  paths[F_OSREL2] = wi_xstrdup("usr/lib/os-release");
  paths[F_ALPINE] = wi_xstrdup("etc/alpine-release");
  paths[F_BUSYBOX] = wi_xstrdup("bin/busybox");
  paths[F_JAVA_REL] = wi_xasprintf("%s/release", java_home ? java_home : "/nonexistent");
  paths[F_REGISTRY] =
      wi_xasprintf("%s/inventory/registry.xml", oracle_home ? oracle_home : "/nonexistent");
  paths[F_WDT_VER] = wi_xasprintf("%s/weblogic-deploy/VERSION.txt", wdt_home);
  paths[F_OH] = wi_xstrdup(oracle_home ? oracle_home : "/nonexistent");
  paths[F_OPATCH] =
      wi_xasprintf("%s/OPatch/version.txt", oracle_home ? oracle_home : "/nonexistent");
  paths[F_DOMAIN_CFG] =
      wi_xasprintf("%s/config/config.xml", domain_home ? domain_home : "/nonexistent");
  for (size_t i = 0; i < WI_ARRAY_SIZE(pkg_mgrs); i++)
    for (size_t d = 0; d < WI_ARRAY_SIZE(bin_dirs); d++)
      paths[F_PM + i * WI_ARRAY_SIZE(bin_dirs) + d] =
          wi_xasprintf("%s/%s", bin_dirs[d], pkg_mgrs[i][0]);
  for (size_t i = 0; i < WI_ARRAY_SIZE(f); i++)
    f[i].path = paths[i];
  ret = wi_image_read_files(s, img->manifest, f, WI_ARRAY_SIZE(f), 1 << 20, err);
  if (ret == 0)
    *json_out = report(c, f, patches);
  wi_image_files_dispose(f, WI_ARRAY_SIZE(f));
  for (size_t i = 0; i < WI_ARRAY_SIZE(paths); i++)
    free(paths[i]);
  return ret;
}
