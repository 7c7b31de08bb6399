/* wlsimg: WIT's image probe, read from the image's files — see probe.h and
 * docs/internals/probe.md. */
#include "lib/probe.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/imgconfig.h"
#include "lib/str.h"

#define MAX_FILE_BYTES (4u << 20) /* busybox binaries are ~1-2 MB; everything else is small */
#define MAX_JAR_BYTES                                                        \
  (64u << 20) /* weblogic.jar, read only when registry.xml lacks the version \
               */
#define MAX_PATH_DIRS    16
#define MAX_PATCHES      4096
#define MAX_TEXT_BYTES   (4u << 20)
#define DEFAULT_PATH     "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define NONEXISTENT_PATH "/.wlsimg-probe-nonexistent"

void
wi_probe_free(struct wi_probe *p)
{
  if (p == NULL)
    return;
  free(p->text);
  wi_props_dispose(&p->props);
  free(p);
}

void
wi_probe_patches_free(struct wi_probe_patch *v, size_t n)
{
  for (size_t i = 0; v && i < n; i++) {
    free(v[i].bug);
    free(v[i].uid);
    free(v[i].description);
  }
  free(v);
}

int
wi_probe_from_text(struct wi_probe **out, const char *text, size_t len, wi_err *err)
{
  struct wi_probe *p = wi_xcalloc(1, sizeof *p);
  if (wi_props_parse(&p->props, text, len, err) < 0) {
    wi_probe_free(p);
    return err->code;
  }
  p->text = wi_xstrndup(text, len);
  p->len = len;
  *out = p;
  return 0;
}

int
wi_probe_from_file(struct wi_probe **out, const char *path, wi_err *err)
{
  wi_autofree char *text = NULL;
  size_t len = 0;
  if (wi_fs_read_file(path, WI_MAX_PROPS_BYTES, &text, &len, err) < 0)
    return err->code;
  if (wi_probe_from_text(out, text, len, err) < 0)
    return wi_err_wrap(err, "%s", path);
  return 0;
}

const char *
wi_probe_get(const struct wi_probe *p, const char *key)
{
  return wi_props_get(&p->props, key);
}

/* Surrounding double quotes removed (OperatingSystemProperties). */
static char *
unquote(const char *v)
{
  size_t n = strlen(v);
  if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
    return wi_xstrndup(v + 1, n - 2);
  return wi_xstrdup(v);
}

char *
wi_probe_os(const struct wi_probe *p, const char *field)
{
  const char *v = NULL;
  if (strcmp(field, "id") == 0)
    v = wi_probe_get(p, "__OS__ID");
  else if (strcmp(field, "name") == 0)
    v = wi_probe_get(p, "__OS__NAME");
  else if (strcmp(field, "releasePackage") == 0)
    v = wi_probe_get(p, "__OS__RELEASE_PACKAGE");
  else if (strcmp(field, "architecture") == 0)
    v = wi_probe_get(p, "__OS__arch");
  else if (strcmp(field, "version") == 0) {
    v = wi_probe_get(p, "__OS__VERSION");
    if (v == NULL)
      v = wi_probe_get(p, "__OS__VERSION_ID");
  }
  return v ? unquote(v) : NULL;
}

bool
wi_probe_busybox(const struct wi_probe *p)
{
  wi_autofree char *name = wi_probe_os(p, "name");
  wi_autofree char *id = wi_probe_os(p, "id");
  /* WIT fails with a NullPointerException for a NAME without ID; no ID is simply not busybox */
  return name && id && (strcasecmp(id, "bb") == 0 || strcasecmp(id, "alpine") == 0);
}

int
wi_probe_patches(const struct wi_probe *p, struct wi_probe_patch **out, size_t *n, wi_err *err)
{
  const char *v = wi_probe_get(p, "oraclePatches");
  *out = NULL;
  *n = 0;
  if (v == NULL || *v == '\0')
    return 0;
  size_t fields = 1;
  for (const char *c = v; *c; c++)
    fields += *c == ';';
  if (fields % 3 != 0 || fields / 3 > MAX_PATCHES)
    return wi_err_set(err, WI_EINVAL,
                      "Unable to parse response for Oracle patches in fromImage: %s", v);
  struct wi_probe_patch *r = wi_xcalloc(fields / 3, sizeof *r);
  const char *c = v;
  for (size_t i = 0; i < fields; i++) {
    size_t l = strcspn(c, ";");
    wi_autofree char *f = wi_xstrndup(c, l);
    char **dst = i % 3 == 0 ? &r[i / 3].bug : i % 3 == 1 ? &r[i / 3].uid : &r[i / 3].description;
    *dst = unquote(f);
    c += l + (c[l] == ';');
  }
  *out = r;
  *n = fields / 3;
  return 0;
}

/* ---- file formats ---- */

char *
wi_probe_os_release_lines(const char *text, size_t len)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  for (size_t pos = 0; pos < len;) {
    const char *l = text + pos;
    const char *e = memchr(l, '\n', len - pos);
    size_t ll = e ? (size_t)(e - l) : len - pos;
    pos += ll + (e != NULL);
    if (memchr(l, '=', ll) == NULL)
      continue;
    wi_buf_adds(&b, "__OS__", NULL);
    wi_buf_add(&b, l, ll, NULL);
    wi_buf_add(&b, "\n", 1, NULL);
  }
  return wi_buf_steal(&b);
}

/* The value of attribute name="…" inside one tag's text, malloc'ed or NULL. */
static char *
xml_attr(const char *tag, size_t tl, const char *name)
{
  size_t nl = strlen(name);
  for (size_t i = 0; i + nl + 2 <= tl; i++) {
    bool start = i > 0 && (tag[i - 1] == ' ' || tag[i - 1] == '\t' || tag[i - 1] == '\n' ||
                           tag[i - 1] == '\r');
    if (!start || memcmp(tag + i, name, nl) != 0 || tag[i + nl] != '=')
      continue;
    char q = tag[i + nl + 1];
    if (q != '"' && q != '\'')
      continue;
    const char *v = tag + i + nl + 2;
    const char *e = memchr(v, q, tl - (size_t)(v - tag));
    return e ? wi_xstrndup(v, (size_t)(e - v)) : NULL;
  }
  return NULL;
}

/* The next "<name" tag at or after *pos: its text up to '>' (exclusive). */
static bool
xml_next_tag(const char *xml, size_t len, size_t *pos, const char *name, const char **tag,
             size_t *tl)
{
  size_t nl = strlen(name);
  while (*pos < len) {
    const char *lt = memchr(xml + *pos, '<', len - *pos);
    if (lt == NULL)
      break;
    size_t at = (size_t)(lt - xml);
    *pos = at + 1;
    if (len - at < nl + 2 || memcmp(lt + 1, name, nl) != 0)
      continue;
    char c = lt[nl + 1];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '>' && c != '/')
      continue;
    const char *gt = memchr(lt, '>', len - at);
    if (gt == NULL)
      break;
    *tag = lt;
    *tl = (size_t)(gt - lt);
    *pos = (size_t)(gt - xml) + 1;
    return true;
  }
  return false;
}

/* Text content of the first <name>…</name>, whitespace-trimmed, malloc'ed or NULL. */
static char *
xml_text(const char *xml, size_t len, const char *name)
{
  size_t pos = 0, tl = 0;
  const char *tag = NULL;
  if (!xml_next_tag(xml, len, &pos, name, &tag, &tl) || (tl && tag[tl - 1] == '/'))
    return NULL;
  wi_autofree char *close = wi_xasprintf("</%s", name);
  const char *end = memmem(xml + pos, len - pos, close, strlen(close));
  if (end == NULL)
    return NULL;
  const char *s = xml + pos;
  size_t n = (size_t)(end - s);
  while (n && strchr(" \t\r\n", s[0])) {
    s++;
    n--;
  }
  while (n && strchr(" \t\r\n", s[n - 1]))
    n--;
  return wi_xstrndup(s, n);
}

void
wi_probe_registry_xml(const char *xml, size_t len, char **products, char **wls_version)
{
  struct wi_buf names = WI_BUF_INIT(WI_BUF_NO_CAP);
  size_t pos = 0, tl = 0;
  const char *tag = NULL;
  *products = *wls_version = NULL;
  while (xml_next_tag(xml, len, &pos, "distribution", &tag, &tl)) {
    wi_autofree char *status = xml_attr(tag, tl, "status");
    wi_autofree char *name = xml_attr(tag, tl, "name");
    if (name == NULL || (status && strcmp(status, "installed") != 0))
      continue;
    if (names.len)
      wi_buf_add(&names, ",", 1, NULL);
    wi_buf_adds(&names, name, NULL);
    if (*wls_version == NULL && strcmp(name, "WebLogic Server") == 0)
      *wls_version = xml_attr(tag, tl, "version");
  }
  if (names.len)
    *products = wi_buf_steal(&names);
  wi_buf_dispose(&names);
}

int
wi_probe_oneoff_xml(const char *xml, size_t len, struct wi_probe_patch *out, wi_err *err)
{
  size_t pos = 0, tl = 0;
  const char *tag = NULL;
  memset(out, 0, sizeof *out);
  if (xml_next_tag(xml, len, &pos, "patch_id", &tag, &tl))
    out->bug = xml_attr(tag, tl, "number");
  if (out->bug == NULL)
    out->bug = xml_text(xml, len, "patch_id");
  pos = 0;
  if (out->bug == NULL && xml_next_tag(xml, len, &pos, "reference_id", &tag, &tl))
    out->bug = xml_attr(tag, tl, "number");
  if (out->bug == NULL || out->bug[0] == '\0' || strchr(out->bug, ';')) {
    free(out->bug);
    out->bug = NULL;
    return wi_err_set(err, WI_EINVAL, "OPatch inventory names no patch id");
  }
  out->uid = xml_text(xml, len, "unique_patch_id");
  out->description = xml_text(xml, len, "patch_description");
  if (out->uid == NULL)
    out->uid = wi_xstrdup("");
  if (out->description == NULL || out->description[0] == '\0') {
    free(out->description);
    out->description = wi_xstrdup("None"); /* what WIT's awk prints for a patch without one */
  }
  return 0;
}

/* "Key: value" of a jar manifest (continuation lines start with a space). */
static char *
manifest_get(const char *mf, size_t len, const char *key)
{
  size_t kl = strlen(key);
  for (size_t pos = 0; pos < len;) {
    const char *l = mf + pos;
    const char *e = memchr(l, '\n', len - pos);
    size_t ll = e ? (size_t)(e - l) : len - pos;
    pos += ll + (e != NULL);
    if (ll > kl + 1 && strncasecmp(l, key, kl) == 0 && l[kl] == ':') {
      const char *v = l + kl + 1;
      size_t vl = ll - kl - 1;
      while (vl && *v == ' ') {
        v++;
        vl--;
      }
      while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
        vl--;
      return vl ? wi_xstrndup(v, vl) : NULL;
    }
  }
  return NULL;
}

char *
wi_probe_jar_version(const void *jar, size_t len)
{
  struct archive *a = archive_read_new();
  struct archive_entry *ae;
  char *v = NULL;
  archive_read_support_format_zip(a);
  if (archive_read_open_memory(a, jar, len) != ARCHIVE_OK)
    goto out;
  while (archive_read_next_header(a, &ae) == ARCHIVE_OK) {
    const char *n = archive_entry_pathname(ae);
    if (n == NULL || strcasecmp(n, "META-INF/MANIFEST.MF") != 0)
      continue;
    char mf[65536];
    la_ssize_t got = archive_read_data(a, mf, sizeof mf);
    if (got > 0) {
      v = manifest_get(mf, (size_t)got, "Implementation-Version");
      if (v == NULL)
        v = manifest_get(mf, (size_t)got, "Specification-Version");
    }
    break;
  }
out:
  archive_read_free(a);
  return v;
}

bool
wi_probe_busybox_banner(const void *bin, size_t len, char **name, char **version)
{
  static const char mark[] = "BusyBox v";
  const char *d = bin, *best = NULL;
  *name = *version = NULL;
  for (const char *p = memmem(d, len, mark, sizeof mark - 1); p;) {
    /* prefer a string that starts with the banner (NUL before it) over "syslogd started: …" */
    if (best == NULL || p == d || p[-1] == '\0')
      best = p;
    if (p == d || p[-1] == '\0')
      break;
    size_t off = (size_t)(p - d) + 1;
    p = memmem(d + off, len - off, mark, sizeof mark - 1);
  }
  if (best == NULL)
    return false;
  const char *v = best + 8;
  size_t vl = 0;
  while ((size_t)(v - d) + vl < len && v[vl] && v[vl] != ' ' && v[vl] != '\n' && vl < 64)
    vl++;
  *name = wi_xstrdup("BusyBox");
  *version = wi_xstrndup(v, vl);
  return true;
}

/* ---- reading an image ---- */

enum {
  F_OSREL,
  F_PASSWD,
  F_GROUP,
  F_JAVA_REL,
  F_WDT_VER,     /* $WDT_HOME/weblogic-deploy/VERSION.txt */
  F_U01_WDT_VER, /* /u01/wdt/weblogic-deploy/VERSION.txt */
  F_OH,          /* the Oracle Home directory itself (owner) */
  F_REGISTRY,
  F_OPATCH_VER,
  F_TOOLS, /* then every PATH directory × tools[] */
};

/* `type X` order of the script; the last one is only for the os fallback. */
static const char *const tools[] = {
  "dnf", "yum", "microdnf", "apt-get", "apk", "zypper", "busybox"
};
static const char *const tool_pm[] = { "DNF", "YUM", "MICRODNF", "APTGET", "APK", "ZYPPER" };
enum { T_BUSYBOX = 6, N_TOOLS = 7 };

struct facts {
  const struct wi_imgconfig *config;
  const char *java_home, *domain_home, *wdt_model_home, *wdt_home, *oracle_home;
  char *dirs[MAX_PATH_DIRS];
  size_t n_dirs;
  struct wi_image_file *f;
  size_t nf;
  bool domain_found, domain_nonempty;
  char *jar_version;
  struct wi_probe_patch *patches;
  size_t n_patches;
};

/* An environment value as the script's `[ -n "$X" ]` sees it. */
static const char *
env(const struct wi_imgconfig *c, const char *key)
{
  const char *v = wi_imgconfig_get_env(c, key);
  return v && *v ? v : NULL;
}

static void
split_path(struct facts *fx)
{
  const char *path = wi_imgconfig_get_env(fx->config, "PATH");
  if (path == NULL)
    path = DEFAULT_PATH; /* what the engines give a container without PATH */
  for (const char *p = path; *p && fx->n_dirs < MAX_PATH_DIRS;) {
    size_t l = strcspn(p, ":");
    if (l && p[0] == '/') /* relative entries would depend on the working directory */
      fx->dirs[fx->n_dirs++] = wi_xstrndup(p, l);
    p += l + (p[l] == ':');
  }
}

static char *
under(const char *home, const char *rel)
{
  return wi_xasprintf("%s/%s", home ? home : NONEXISTENT_PATH, rel);
}

static void
file_paths(struct facts *fx, char **paths, bool homes)
{
  paths[F_OSREL] = wi_xstrdup(homes ? NONEXISTENT_PATH : "/etc/os-release");
  paths[F_PASSWD] = wi_xstrdup("/etc/passwd");
  paths[F_GROUP] = wi_xstrdup("/etc/group");
  paths[F_JAVA_REL] = under(homes ? NULL : fx->java_home, "release");
  paths[F_WDT_VER] = under(fx->wdt_home, "weblogic-deploy/VERSION.txt");
  paths[F_U01_WDT_VER] = wi_xstrdup("/u01/wdt/weblogic-deploy/VERSION.txt");
  paths[F_OH] = wi_xstrdup(fx->oracle_home ? fx->oracle_home : NONEXISTENT_PATH);
  paths[F_REGISTRY] = under(homes ? NULL : fx->oracle_home, "inventory/registry.xml");
  paths[F_OPATCH_VER] = under(homes ? NULL : fx->oracle_home, "OPatch/version.txt");
  for (size_t d = 0; d < fx->n_dirs; d++)
    for (size_t t = 0; t < N_TOOLS; t++)
      paths[F_TOOLS + d * N_TOOLS + t] =
          homes ? wi_xstrdup(NONEXISTENT_PATH) : wi_xasprintf("%s/%s", fx->dirs[d], tools[t]);
}

static bool
is_file(const struct wi_image_file *f)
{
  return f->found && !f->is_dir;
}

/* `type X`: the first PATH directory holding an executable X. */
static const struct wi_image_file *
find_tool(const struct facts *fx, size_t t)
{
  for (size_t d = 0; d < fx->n_dirs; d++) {
    const struct wi_image_file *f = &fx->f[F_TOOLS + d * N_TOOLS + t];
    if (is_file(f) && (f->mode & 0111))
      return f;
  }
  return NULL;
}

/* Pass 2 and 3: the domain home's and the one-off inventory's listings, then the one-off
 * inventories and (when registry.xml has no WebLogic version) weblogic.jar. */
static int
read_more(struct facts *fx, struct wi_store *s, const struct wi_manifest *m, bool lng,
          bool want_jar, wi_err *err)
{
  struct wi_image_dir dirs[2] = { { .path = fx->domain_home ? fx->domain_home : NONEXISTENT_PATH },
                                  { .path = NULL } };
  wi_autofree char *oneoffs = under(fx->oracle_home, "inventory/oneoffs");
  dirs[1].path = oneoffs;
  size_t nd = lng && fx->oracle_home ? 2 : 1;
  if (wi_image_list_dirs(s, m, dirs, nd, err) < 0)
    return err->code;
  fx->domain_found = dirs[0].found;
  fx->domain_nonempty = dirs[0].n > 0;
  size_t np = nd == 2 ? (dirs[1].n < MAX_PATCHES ? dirs[1].n : MAX_PATCHES) : 0;
  size_t nf = np + (want_jar ? 1 : 0);
  struct wi_image_file *f = wi_xcalloc(nf ? nf : 1, sizeof *f);
  char **paths = wi_xcalloc(nf ? nf : 1, sizeof *paths);
  for (size_t i = 0; i < np; i++)
    paths[i] = wi_xasprintf("%s/%s/etc/config/inventory.xml", oneoffs, dirs[1].names[i]);
  if (want_jar)
    paths[np] = under(fx->oracle_home, "wlserver/server/lib/weblogic.jar");
  for (size_t i = 0; i < nf; i++)
    f[i].path = paths[i];
  int ret = nf ? wi_image_read_files(s, m, f, nf, MAX_JAR_BYTES, err) : 0;
  if (ret == 0 && want_jar && f[np].data)
    fx->jar_version = wi_probe_jar_version(f[np].data, f[np].len);
  fx->patches = wi_xcalloc(np ? np : 1, sizeof *fx->patches);
  for (size_t i = 0; ret == 0 && i < np; i++) {
    wi_err e = { 0 };
    /* a one-off directory without a readable inventory is not a patch OPatch would list */
    if (f[i].data && wi_probe_oneoff_xml(f[i].data, f[i].len, &fx->patches[fx->n_patches], &e) == 0)
      fx->n_patches++;
  }
  wi_image_files_dispose(f, nf);
  for (size_t i = 0; i < nf; i++)
    free(paths[i]);
  free(paths);
  free(f);
  wi_image_dirs_dispose(dirs, nd);
  return ret;
}

/* "name:x:id:…" databases (/etc/passwd, /etc/group): the name of id, or what stat prints. */
static char *
id_name(const char *db, uint32_t id)
{
  for (const char *l = db; l && *l;) {
    const char *e = strchr(l, '\n');
    size_t ll = e ? (size_t)(e - l) : strlen(l);
    const char *c1 = memchr(l, ':', ll);
    const char *c2 = c1 ? memchr(c1 + 1, ':', ll - (size_t)(c1 + 1 - l)) : NULL;
    if (c2 && c1 != l) {
      char *end = NULL;
      unsigned long v = strtoul(c2 + 1, &end, 10);
      if (end != c2 + 1 && (end == l + ll || *end == ':') && v == id)
        return wi_xstrndup(l, (size_t)(c1 - l));
    }
    l = e ? e + 1 : NULL;
  }
  return wi_xstrdup("UNKNOWN");
}

/* The first run of digits and dots (the script's grep -oE '([[:digit:]\.]+)' | head -1). */
static char *
first_version_run(const char *s)
{
  if (s == NULL)
    return wi_xstrdup("");
  size_t i = strcspn(s, "0123456789.");
  return wi_xstrndup(s + i, strspn(s + i, "0123456789."));
}

/* JAVA_VERSION="…" of $JAVA_HOME/release. */
static char *
release_java_version(const char *rel)
{
  for (const char *l = rel; l && *l;) {
    const char *e = strchr(l, '\n');
    size_t ll = e ? (size_t)(e - l) : strlen(l);
    if (ll > 13 && strncmp(l, "JAVA_VERSION=", 13) == 0) {
      const char *v = l + 13;
      size_t vl = ll - 13;
      while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
        vl--;
      if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
        v++;
        vl -= 2;
      }
      return vl ? wi_xstrndup(v, vl) : NULL;
    }
    l = e ? e + 1 : NULL;
  }
  return NULL;
}

static void
put(struct wi_buf *b, const char *key, const char *value)
{
  wi_buf_addf(b, NULL, "%s=%s\n", key, value ? value : "");
}

/* wdtVersion="$(sed 's/.* //' VERSION.txt)": every line from its last space on, trailing
 * newlines dropped by the command substitution. */
static void
put_wdt(struct wi_buf *b, const char *home, const struct wi_image_file *ver)
{
  put(b, "wdtHome", home);
  struct wi_buf v = WI_BUF_INIT(WI_BUF_NO_CAP);
  const char *t = ver->data ? ver->data : "";
  for (const char *l = t; *l;) {
    const char *e = strchr(l, '\n');
    size_t ll = e ? (size_t)(e - l) : strlen(l);
    const char *sp = NULL;
    for (size_t i = 0; i < ll; i++)
      if (l[i] == ' ')
        sp = l + i;
    const char *from = sp ? sp + 1 : l;
    wi_buf_add(&v, from, ll - (size_t)(from - l), NULL);
    wi_buf_add(&v, "\n", 1, NULL);
    l = e ? e + 1 : l + ll;
  }
  while (v.len && v.data[v.len - 1] == '\n')
    v.data[--v.len] = '\0';
  put(b, "wdtVersion", wi_buf_cstr(&v));
  wi_buf_dispose(&v);
}

static void
put_oracle_home(struct wi_buf *b, const struct facts *fx, bool lng, bool homes)
{
  const struct wi_image_file *f = fx->f;
  put(b, "oracleHome", fx->oracle_home);
  wi_autofree char *products = NULL, *reg_version = NULL;
  if (f[F_REGISTRY].data)
    wi_probe_registry_xml(f[F_REGISTRY].data, f[F_REGISTRY].len, &products, &reg_version);
  if (fx->java_home && !homes) {
    wi_autofree char *v = first_version_run(reg_version ? reg_version : fx->jar_version);
    put(b, "wlsVersion", v);
  }
  wi_autofree char *user = NULL, *group = NULL;
  if (f[F_OH].found) {
    user = id_name(f[F_PASSWD].data, f[F_OH].uid);
    group = id_name(f[F_GROUP].data, f[F_OH].gid);
  }
  put(b, "oracleHomeUser", user);
  put(b, "oracleHomeGroup", group);
  if (lng) {
    wi_autofree char *ov = first_version_run(f[F_OPATCH_VER].data);
    put(b, "opatchVersion", ov);
    wi_buf_adds(b, "oraclePatches=", NULL);
    for (size_t i = 0; i < fx->n_patches; i++)
      wi_buf_addf(b, NULL, "%s%s;%s;\"%s\"", i ? ";" : "", fx->patches[i].bug, fx->patches[i].uid,
                  fx->patches[i].description);
    wi_buf_add(b, "\n", 1, NULL);
  }
  if (!homes)
    put(b, "oracleInstalledProducts", products);
}

static const char *
uname_arch(const struct wi_imgconfig *c)
{
  static const char *const map[][2] = { { "amd64", "x86_64" },
                                        { "arm64", "aarch64" },
                                        { "arm", "armv7l" },
                                        { "386", "i686" },
                                        { "riscv64", "riscv64" } };
  struct wi_platform pl;
  static char arch[64];
  wi_imgconfig_platform(c, &pl);
  for (size_t i = 0; i < WI_ARRAY_SIZE(map); i++)
    if (strcmp(pl.arch, map[i][0]) == 0)
      return map[i][1];
  snprintf(arch, sizeof arch, "%s", pl.arch);
  return arch;
}

static void
put_os(struct wi_buf *b, const struct facts *fx)
{
  const struct wi_image_file *osrel = &fx->f[F_OSREL];
  wi_buf_addf(b, NULL, "__OS__arch=%s\n", uname_arch(fx->config));
  if (is_file(osrel)) {
    wi_autofree char *lines =
        wi_probe_os_release_lines(osrel->data ? osrel->data : "", osrel->data ? osrel->len : 0);
    wi_buf_adds(b, lines, NULL);
    return;
  }
  const struct wi_image_file *bb = find_tool(fx, T_BUSYBOX);
  if (bb == NULL)
    return;
  wi_autofree char *name = NULL, *version = NULL;
  if (bb->data)
    wi_probe_busybox_banner(bb->data, bb->len, &name, &version);
  put(b, "__OS__ID", "bb");
  put(b, "__OS__NAME", name);
  put(b, "__OS__VERSION", version);
}

/* The script's stdout, line by line, from the facts (homes: WI_PROBE_HOMES's keys only). */
static char *
render(const struct facts *fx, bool lng, bool homes)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  const struct wi_image_file *f = fx->f;
  const char *pm = "NONE";
  for (size_t t = 0; t < WI_ARRAY_SIZE(tool_pm) && strcmp(pm, "NONE") == 0; t++)
    if (find_tool(fx, t))
      pm = tool_pm[t];
  if (!homes)
    put(&b, "packageManager", pm);
  if (fx->java_home) {
    put(&b, "javaHome", fx->java_home);
    wi_autofree char *jv =
        is_file(&f[F_JAVA_REL]) ? release_java_version(f[F_JAVA_REL].data) : NULL;
    if (jv)
      put(&b, "javaVersion", jv);
  }
  if (fx->domain_home) {
    put(&b, "domainHome", fx->domain_home);
    if (!fx->domain_found || !fx->domain_nonempty)
      put(&b, "wdtModelOnly", "true");
  }
  if (fx->wdt_model_home)
    put(&b, "wdtModelHome", fx->wdt_model_home);
  if (fx->wdt_home)
    put_wdt(&b, fx->wdt_home, &f[F_WDT_VER]);
  else if (is_file(&f[F_U01_WDT_VER]))
    put_wdt(&b, "/u01/wdt", &f[F_U01_WDT_VER]);
  if (fx->oracle_home)
    put_oracle_home(&b, fx, lng, homes);
  if (!homes)
    put_os(&b, fx);
  return wi_buf_steal(&b);
}

static void
facts_dispose(struct facts *fx, char **paths)
{
  wi_image_files_dispose(fx->f, fx->nf);
  for (size_t i = 0; i < fx->nf; i++)
    free(paths[i]);
  for (size_t d = 0; d < fx->n_dirs; d++)
    free(fx->dirs[d]);
  free(fx->f);
  free(fx->jar_version);
  for (size_t i = 0; i < fx->n_patches; i++) {
    free(fx->patches[i].bug);
    free(fx->patches[i].uid);
    free(fx->patches[i].description);
  }
  free(fx->patches);
}

int
wi_probe_image(struct wi_probe **out, struct wi_store *s, const struct wi_image *img,
               unsigned flags, wi_err *err)
{
  struct facts fx = { .config = img->config };
  bool lng = (flags & WI_PROBE_LONG) != 0, homes = (flags & WI_PROBE_HOMES) != 0 && !lng;
  char *paths[F_TOOLS + MAX_PATH_DIRS * N_TOOLS] = { 0 };
  int ret;

  fx.java_home = env(img->config, "JAVA_HOME");
  fx.domain_home = env(img->config, "DOMAIN_HOME");
  fx.wdt_model_home = env(img->config, "WDT_MODEL_HOME");
  fx.wdt_home = env(img->config, "WDT_HOME");
  fx.oracle_home = env(img->config, "ORACLE_HOME");
  split_path(&fx);
  fx.nf = F_TOOLS + fx.n_dirs * N_TOOLS;
  fx.f = wi_xcalloc(fx.nf, sizeof *fx.f);
  file_paths(&fx, paths, homes);
  for (size_t i = 0; i < fx.nf; i++)
    fx.f[i].path = paths[i];
  ret = wi_image_read_files(s, img->manifest, fx.f, fx.nf, MAX_FILE_BYTES, err);
  if (ret == 0) {
    wi_autofree char *products = NULL, *reg_version = NULL;
    if (fx.f[F_REGISTRY].data)
      wi_probe_registry_xml(fx.f[F_REGISTRY].data, fx.f[F_REGISTRY].len, &products, &reg_version);
    bool want_jar = fx.java_home && fx.oracle_home && reg_version == NULL && !homes;
    ret = read_more(&fx, s, img->manifest, lng, want_jar, err);
  }
  if (ret == 0) {
    wi_autofree char *text = render(&fx, lng, homes);
    ret = wi_probe_from_text(out, text, strlen(text), err);
  }
  facts_dispose(&fx, paths);
  return ret;
}

/* ---- WIT's inspect JSON ---- */

static void
json_str(struct wi_buf *b, const char *s)
{
  wi_buf_add(b, "\"", 1, NULL);
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    uint32_t cp = 0;
    size_t n = *p >= 0x80 ? wi_str_utf8_decode(p, strlen((const char *)p), &cp) : 1;
    if (*p == '"' || *p == '\\') {
      wi_buf_addf(b, NULL, "\\%c", *p);
    } else if (*p < 0x20) {
      wi_buf_addf(b, NULL, "\\u%04x", *p);
    } else if (n == 0) {
      wi_buf_addf(b, NULL, "\\u%04x", *p); /* not UTF-8: the byte as Latin-1 */
      n = 1;
    } else {
      wi_buf_add(b, p, n, NULL);
    }
    p += n;
  }
  wi_buf_add(b, "\"", 1, NULL);
}

static void
json_patches(struct wi_buf *b, const struct wi_probe_patch *v, size_t n)
{
  wi_buf_adds(b, "  \"oraclePatches\" : [", NULL);
  for (size_t i = 0; i < n; i++) {
    wi_buf_adds(b, i ? ", {\n    \"patch\" : " : "{\n    \"patch\" : ", NULL);
    json_str(b, v[i].bug);
    wi_buf_adds(b, ",\n    \"description\" : ", NULL);
    json_str(b, v[i].description);
    wi_buf_adds(b, "\n  }", NULL);
  }
  wi_buf_adds(b, "],\n", NULL);
}

static void
json_os(struct wi_buf *b, const struct wi_probe *p)
{
  static const char *const fields[] = { "id", "name", "version", "architecture" };
  wi_buf_adds(b, "  \"os\" : {\n", NULL);
  for (size_t i = 0; i < WI_ARRAY_SIZE(fields); i++) {
    wi_autofree char *v = wi_probe_os(p, fields[i]);
    wi_buf_addf(b, NULL, "%s    \"%s\" : ", i ? ",\n" : "", fields[i]);
    if (v)
      json_str(b, v);
    else
      wi_buf_adds(b, "null", NULL);
  }
  wi_autofree char *rp = wi_probe_os(p, "releasePackage");
  if (rp) {
    wi_buf_adds(b, ",\n    \"releasePackage\" : ", NULL);
    json_str(b, rp);
  }
  wi_buf_adds(b, "\n  }", NULL);
}

static int
cmp_keys(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
wi_probe_json(const struct wi_probe *p, char **out, wi_err *err)
{
  struct wi_buf b = WI_BUF_INIT(2 * MAX_TEXT_BYTES + (1u << 20));
  struct wi_probe_patch *patches = NULL;
  size_t np = 0;
  if (wi_probe_patches(p, &patches, &np, err) < 0)
    return err->code;
  wi_buf_adds(&b, "{\n", NULL);
  if (wi_probe_get(p, "oraclePatches"))
    json_patches(&b, patches, np);
  wi_probe_patches_free(patches, np);
  json_os(&b, p);
  /* every other key, alphabetically */
  const char **keys = wi_xcalloc(p->props.n ? p->props.n : 1, sizeof *keys);
  size_t nk = 0;
  for (size_t i = 0; i < p->props.n; i++)
    if (strncmp(p->props.v[i].key, "__OS__", 6) != 0 &&
        strcmp(p->props.v[i].key, "oraclePatches") != 0)
      keys[nk++] = p->props.v[i].key;
  qsort(keys, nk, sizeof *keys, cmp_keys);
  for (size_t i = 0; i < nk; i++) {
    wi_buf_adds(&b, ",\n  ", NULL);
    json_str(&b, keys[i]);
    wi_buf_adds(&b, " : ", NULL);
    json_str(&b, wi_probe_get(p, keys[i]));
  }
  free(keys);
  wi_buf_adds(&b, "\n}\n", NULL);
  if (wi_buf_error(&b, "inspect JSON", err) < 0) {
    wi_buf_dispose(&b);
    return err->code;
  }
  *out = wi_buf_steal(&b);
  return 0;
}
