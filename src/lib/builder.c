/* wlsimg: WIT-compatible auxiliary images, built natively — see builder.h. */
#include "lib/builder.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/imgconfig.h"
#include "lib/inspect.h"
#include "lib/layer.h"
#include "lib/log.h"
#include "lib/manifest.h"
#include "lib/util.h"
#include "lib/witcache.h"
#include "lib/yamlcheck.h"

extern char **environ;

#define MAX_INSTALLER_ENTRY (512u << 20)
#define MAX_CMD_FILE        (1u << 20)
#define MAX_ETC_FILE        (4u << 20)

/* ---- additional build commands (wit-compat §5.5) ---- */

static const char *const section_names[] = {
  "package-manager-packages", "initial-build-commands", "before-jdk-install",
  "after-jdk-install",        "before-fmw-install",     "after-fmw-install",
  "before-wdt-command",       "after-wdt-command",      "final-build-commands",
};
#define N_SECTIONS WI_ARRAY_SIZE(section_names)
enum { SEC_PACKAGES = 0, SEC_INITIAL = 1, SEC_FINAL = 8 };

struct section {
  char **lines;
  size_t n;
  bool present;
};

struct input_file {
  char *path;       /* as given */
  char *base;       /* basename */
  const char *kind; /* "model", "archive", "variables" */
  char digest[WI_DIGEST_MAX];
};

struct wi_aux_plan {
  struct wi_aux_opts o;
  char *from_image;
  bool from_given;
  char *wdt_version;
  char *wdt_home, *wdt_model_home;
  char *user, *group;
  struct input_file *files;
  size_t n_files;
  char *installer; /* NULL = no WDT */
  char *installer_base;
  char installer_digest[WI_DIGEST_MAX];
  char *wdt_real_version; /* VERSION.txt */
  struct section sec[N_SECTIONS];
  bool needs_engine;
  char *package_manager; /* NONE, YUM, … */
  char build_id[40];
  struct wi_platform *platforms;
  size_t n_platforms;
  int64_t epoch;
};

static void
strv_free_lines(struct section *s)
{
  for (size_t i = 0; i < s->n; i++)
    free(s->lines[i]);
  free(s->lines);
}

void
wi_aux_plan_free(struct wi_aux_plan *p)
{
  if (p == NULL)
    return;
  free(p->from_image);
  free(p->wdt_version);
  free(p->wdt_home);
  free(p->wdt_model_home);
  free(p->user);
  free(p->group);
  for (size_t i = 0; i < p->n_files; i++) {
    free(p->files[i].path);
    free(p->files[i].base);
  }
  free(p->files);
  free(p->installer);
  free(p->installer_base);
  free(p->wdt_real_version);
  for (size_t i = 0; i < N_SECTIONS; i++)
    strv_free_lines(&p->sec[i]);
  free(p->package_manager);
  free(p->platforms);
  free(p);
}

const char *
wi_aux_plan_build_id(const struct wi_aux_plan *p)
{
  return p->build_id;
}

const char *
wi_aux_plan_installer(const struct wi_aux_plan *p)
{
  return p->installer;
}

bool
wi_aux_plan_needs_engine(const struct wi_aux_plan *p)
{
  return p->needs_engine;
}

void
wi_aux_result_dispose(struct wi_aux_result *r)
{
  free(r->name);
  r->name = NULL;
}

static bool
valid_name(const char *s)
{
  /* ^[a-z_]([a-z0-9_-]{0,31}|[a-z0-9_-]{0,30}\$)$ */
  size_t n = strlen(s);
  if (n == 0 || n > 32 || !(islower((unsigned char)s[0]) || s[0] == '_'))
    return false;
  for (size_t i = 1; i < n; i++) {
    char c = s[i];
    if (c == '$' && i == n - 1 && n <= 32)
      continue;
    if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '_' || c == '-'))
      return false;
  }
  return true;
}

static bool
is_number(const char *s)
{
  if (*s == '\0' || strlen(s) > 10)
    return false;
  for (; *s; s++)
    if (!isdigit((unsigned char)*s))
      return false;
  return true;
}

int
wi_aux_parse_chown(const char *s, char **user_out, char **group_out, wi_err *err)
{
  const char *colon = strchr(s, ':');
  if (colon == NULL || strchr(colon + 1, ':'))
    return wi_err_set(err, WI_EINVAL, "--chown %s: expected user:group", s);
  wi_autofree char *u = wi_xstrndup(s, (size_t)(colon - s));
  wi_autofree char *g = wi_xstrdup(colon + 1);
  if (!valid_name(u) && !is_number(u))
    return wi_err_set(
        err, WI_EINVAL,
        "--chown %s: invalid user name %s (expected a POSIX user name or a numeric uid)", s, u);
  if (!valid_name(g) && !is_number(g))
    return wi_err_set(
        err, WI_EINVAL,
        "--chown %s: invalid group name %s (expected a POSIX group name or a numeric gid)", s, g);
  *user_out = wi_steal(&u);
  *group_out = wi_steal(&g);
  return 0;
}

/* ---- passwd / group editing ---- */

/* Field f (0-based) of the line whose first field is name; NULL if none. malloc'ed. */
static char *
db_lookup(const char *text, const char *name, int want_field)
{
  size_t nl = strlen(name);
  for (const char *p = text; p && *p;) {
    const char *e = strchr(p, '\n');
    size_t ll = e ? (size_t)(e - p) : strlen(p);
    if (ll > nl && strncmp(p, name, nl) == 0 && p[nl] == ':') {
      const char *f = p;
      for (int i = 0; i < want_field && f; i++) {
        f = memchr(f, ':', ll - (size_t)(f - p));
        if (f)
          f++;
      }
      if (!f)
        return NULL;
      const char *fe = memchr(f, ':', ll - (size_t)(f - p));
      return wi_xstrndup(f, fe ? (size_t)(fe - f) : ll - (size_t)(f - p));
    }
    p = e ? e + 1 : NULL;
  }
  return NULL;
}

/* Name of the line whose field f equals id (numeric lookups). malloc'ed or NULL. */
static char *
db_name_by_id(const char *text, uint32_t id, int field)
{
  for (const char *p = text; p && *p;) {
    const char *e = strchr(p, '\n');
    size_t ll = e ? (size_t)(e - p) : strlen(p);
    const char *c = p;
    int i = 0;
    while (c && i < field) {
      c = memchr(c, ':', ll - (size_t)(c - p));
      if (c)
        c++;
      i++;
    }
    if (c && (size_t)(c - p) < ll && strtoul(c, NULL, 10) == id && isdigit((unsigned char)*c)) {
      const char *ne = memchr(p, ':', ll);
      if (ne)
        return wi_xstrndup(p, (size_t)(ne - p));
    }
    p = e ? e + 1 : NULL;
  }
  return NULL;
}

static bool
id_used(const char *text, uint32_t id, int field)
{
  char *n = db_name_by_id(text, id, field);
  free(n);
  return n != NULL;
}

static uint32_t
first_free_id(const char *text, int field)
{
  uint32_t id = 1000;
  while (id < 60000 && id_used(text, id, field))
    id++;
  return id;
}

static void
append_line(char **text, const char *line)
{
  const char *t = *text ? *text : "";
  size_t n = strlen(t);
  char *r = wi_xasprintf("%s%s%s\n", t, n && t[n - 1] != '\n' ? "\n" : "", line);
  free(*text);
  *text = r;
}

int
wi_aux_resolve_ids(const char *user, const char *group, char **passwd, char **group_text,
                   char **shadow, int64_t epoch, struct wi_ids *ids, wi_err *err)
{
  memset(ids, 0, sizeof *ids);
  const char *pw = *passwd ? *passwd : "";
  const char *gr = *group_text ? *group_text : "";

  /* group first: adduser -G needs it */
  if (is_number(group)) {
    ids->gid = (uint32_t)strtoul(group, NULL, 10);
  } else {
    wi_autofree char *gid = db_lookup(gr, group, 2);
    if (gid && is_number(gid)) {
      ids->gid = (uint32_t)strtoul(gid, NULL, 10);
    } else {
      /* root is gid 0 even where the base lacks the line */
      ids->gid = strcmp(group, "root") == 0 ? 0 : first_free_id(gr, 2);
      wi_autofree char *line = wi_xasprintf("%s:x:%u:", group, ids->gid);
      append_line(group_text, line);
      ids->added_group = true;
    }
  }
  if (is_number(user)) {
    ids->uid = (uint32_t)strtoul(user, NULL, 10);
    return 0;
  }
  pw = *passwd ? *passwd : "";
  wi_autofree char *uid = db_lookup(pw, user, 2);
  if (uid && is_number(uid)) {
    ids->uid = (uint32_t)strtoul(uid, NULL, 10);
    return 0;
  }
  /* busybox adduser -D -G group user */
  ids->uid = first_free_id(pw, 2);
  if (ids->uid >= 60000)
    return wi_err_set(err, WI_EINVAL, "no free uid for user %s in the base image's /etc/passwd",
                      user);
  wi_autofree char *line =
      wi_xasprintf("%s:x:%u:%u:Linux User,,,:/home/%s:/bin/sh", user, ids->uid, ids->gid, user);
  append_line(passwd, line);
  if (shadow && *shadow) {
    wi_autofree char *sl = wi_xasprintf("%s:!:%lld:0:99999:7:::", user, (long long)(epoch / 86400));
    append_line(shadow, sl);
  }
  ids->added_user = true;
  return 0;
}

/* ---- archive checks ---- */

/* Does target (a symlink's target, relative to the link's directory dir) stay inside the root? */
static bool
link_escapes(const char *dir, const char *target)
{
  if (target[0] == '/')
    return true;
  int depth = 0;
  for (const char *s = dir; *s;) {
    while (*s == '/')
      s++;
    if (!*s)
      break;
    const char *e = strchrnul(s, '/');
    if (!(e - s == 1 && s[0] == '.'))
      depth++;
    s = e;
  }
  for (const char *s = target; *s;) {
    while (*s == '/')
      s++;
    if (!*s)
      break;
    const char *e = strchrnul(s, '/');
    if (e - s == 2 && s[0] == '.' && s[1] == '.') {
      if (--depth < 0)
        return true;
    } else if (!(e - s == 1 && s[0] == '.')) {
      depth++;
    }
    s = e;
  }
  return false;
}

static bool
path_escapes(const char *p)
{
  if (p[0] == '/')
    return true;
  for (const char *s = p; *s;) {
    const char *e = strchrnul(s, '/');
    if (e - s == 2 && s[0] == '.' && s[1] == '.')
      return true;
    s = *e ? e + 1 : e;
  }
  return false;
}

/* Strip "./" prefixes. */
static const char *
entry_name(struct archive_entry *ae)
{
  const char *n = archive_entry_pathname(ae);
  if (n == NULL)
    return "";
  while (n[0] == '.' && n[1] == '/')
    n += 2;
  return n;
}

static int
check_entry(const char *file, struct archive_entry *ae, wi_err *err)
{
  const char *n = entry_name(ae);
  if (path_escapes(n))
    return wi_err_set(err, WI_EINVAL, "%s: entry %s escapes its directory (absolute path or ..)",
                      file, n);
  const char *hl = archive_entry_hardlink(ae);
  if (hl && path_escapes(hl))
    return wi_err_set(err, WI_EINVAL, "%s: hard link %s -> %s points outside the archive", file, n,
                      hl);
  if (archive_entry_filetype(ae) == AE_IFLNK) {
    const char *t = archive_entry_symlink(ae);
    wi_autofree char *dir = wi_xstrdup(n);
    char *slash = strrchr(dir, '/');
    if (slash)
      *slash = '\0';
    else
      dir[0] = '\0';
    if (t == NULL || link_escapes(dir, t))
      return wi_err_set(err, WI_EINVAL, "%s: symbolic link %s -> %s points outside the archive",
                        file, n, t ? t : "");
  }
  return 0;
}

static struct archive *
open_archive(const char *path, wi_err *err)
{
  struct archive *a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_zip_seekable(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
    wi_err_set(err, WI_EINVAL, "%s: not a readable zip or tar archive: %s", path,
               archive_error_string(a));
    archive_read_free(a);
    return NULL;
  }
  return a;
}

/* List an archive's entries (checked for escapes) into names. */
static int
scan_archive(const char *path, char ***names, size_t *n, wi_err *err)
{
  struct archive *a = open_archive(path, err);
  struct archive_entry *ae;
  int ret = 0;
  if (a == NULL)
    return err->code;
  for (;;) {
    int r = archive_read_next_header(a, &ae);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN) {
      ret = wi_err_set(err, WI_EINVAL, "%s: %s", path, archive_error_string(a));
      break;
    }
    if (check_entry(path, ae, err) < 0) {
      ret = err->code;
      break;
    }
    if (names) {
      *names = wi_xreallocarray(*names, *n + 1, sizeof **names);
      (*names)[(*n)++] = wi_xstrdup(entry_name(ae));
    }
  }
  archive_read_free(a);
  return ret;
}

/* ---- plan ---- */

static char *
norm_abs(const char *p)
{
  /* "/a//b/" -> "/a/b" */
  struct wi_buf b = WI_BUF_INIT(1 << 16);
  for (const char *s = p; *s;) {
    while (*s == '/')
      s++;
    if (!*s)
      break;
    const char *e = strchrnul(s, '/');
    wi_buf_add(&b, "/", 1, NULL);
    wi_buf_add(&b, s, (size_t)(e - s), NULL);
    s = e;
  }
  if (b.len == 0)
    wi_buf_adds(&b, "/", NULL);
  return wi_buf_steal(&b);
}

static int
add_inputs(struct wi_aux_plan *p, const struct wi_strv *v, const char *kind, wi_err *err)
{
  for (size_t i = 0; i < v->n; i++) {
    const char *path = v->v[i];
    struct stat st;
    if (path[0] == '\0')
      continue;
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
      return wi_err_set(err, WI_EINVAL, "WDT %s file %s could not be found.", kind, path);
    if (access(path, R_OK) < 0)
      return wi_err_sys(err, WI_EDENIED, "WDT %s file %s is not readable", kind, path);
    if (p->n_files >= WI_AUX_MAX_FILES)
      return wi_err_set(err, WI_ETOOBIG, "too many WDT files (limit %d)", WI_AUX_MAX_FILES);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    for (size_t k = 0; k < p->n_files; k++)
      if (strcmp(p->files[k].base, base) == 0)
        return wi_err_set(err, WI_EINVAL,
                          "WDT files %s and %s have the same file name %s; rename one of them",
                          p->files[k].path, path, base);
    p->files = wi_xreallocarray(p->files, p->n_files + 1, sizeof *p->files);
    struct input_file *f = &p->files[p->n_files++];
    memset(f, 0, sizeof *f);
    f->path = wi_xstrdup(path);
    f->base = wi_xstrdup(base);
    f->kind = kind;
  }
  return 0;
}

static int
load_sections(struct wi_aux_plan *p, const char *path, wi_err *err)
{
  struct stat st;
  wi_autofree char *text = NULL;
  if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
    return wi_err_set(err, WI_EINVAL, "--additionalBuildCommands %s is not a file", path);
  if (wi_read_file(path, MAX_CMD_FILE, &text, NULL, err) < 0)
    return err->code;
  regex_t re;
  regcomp(&re, "^[[:space:]]*\\[[[:space:]]*([^]]*[^][:space:]])[[:space:]]*\\][[:space:]]*$",
          REG_EXTENDED);
  int cur = -1, last = -1;
  size_t lineno = 0;
  int ret = 0;
  for (char *line = text; line && ret == 0;) {
    char *nl = strchr(line, '\n');
    if (nl)
      *nl = '\0';
    lineno++;
    size_t ll = strlen(line);
    if (ll && line[ll - 1] == '\r')
      line[ll - 1] = '\0';
    regmatch_t m[2];
    if (regexec(&re, line, 2, m, 0) == 0) {
      wi_autofree char *name = wi_xstrndup(line + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
      cur = -1;
      for (size_t i = 0; i < N_SECTIONS; i++)
        if (strcmp(name, section_names[i]) == 0)
          cur = (int)i;
      if (cur < 0)
        ret = wi_err_set(
            err, WI_EINVAL,
            "%s: line %zu: invalid section name [%s]; valid names: package-manager-packages, initial-build-commands, before-jdk-install, after-jdk-install, before-fmw-install, after-fmw-install, before-wdt-command, after-wdt-command, final-build-commands",
            path, lineno, name);
      else
        p->sec[cur].present = true, last = cur;
    } else if (cur >= 0 && !(nl == NULL && line[0] == '\0')) {
      struct section *s = &p->sec[cur];
      s->lines = wi_xreallocarray(s->lines, s->n + 1, sizeof *s->lines);
      s->lines[s->n++] = wi_xstrdup(line);
    }
    line = nl ? nl + 1 : NULL;
  }
  regfree(&re);
  /* WIT drops an empty last section */
  if (ret == 0 && last >= 0) {
    bool empty = true;
    for (size_t i = 0; i < p->sec[last].n; i++)
      empty = empty && p->sec[last].lines[i][0] == '\0';
    if (empty)
      p->sec[last].present = false;
  }
  return ret;
}

/* Is a command line handled natively? Blank, comment, COPY (local), ENV, LABEL, USER, WORKDIR, ARG.
 */
static bool
native_instruction(const char *line)
{
  static const char *const ok[] = { "COPY", "ENV", "LABEL", "USER", "WORKDIR", "ARG" };
  while (isspace((unsigned char)*line))
    line++;
  if (*line == '\0' || *line == '#')
    return true;
  size_t n = strcspn(line, " \t");
  for (size_t i = 0; i < WI_ARRAY_SIZE(ok); i++)
    if (strlen(ok[i]) == n && strncasecmp(line, ok[i], n) == 0)
      return !(i == 0 && strstr(line, "--from"));
  return false;
}

/* Read VERSION.txt from the installer and check every entry. */
static int
scan_installer(struct wi_aux_plan *p, wi_err *err)
{
  struct archive *a = open_archive(p->installer, err);
  struct archive_entry *ae;
  int ret = 0;
  if (a == NULL)
    return err->code;
  for (;;) {
    int r = archive_read_next_header(a, &ae);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN) {
      ret = wi_err_set(err, WI_EINVAL, "%s: %s", p->installer, archive_error_string(a));
      break;
    }
    if (check_entry(p->installer, ae, err) < 0) {
      ret = err->code;
      break;
    }
    const char *n = entry_name(ae);
    if (strcmp(n, "weblogic-deploy/VERSION.txt") == 0 && archive_entry_size(ae) < 4096) {
      char buf[4096];
      la_ssize_t got = archive_read_data(a, buf, sizeof buf - 1);
      if (got > 0) {
        buf[got] = '\0';
        free(p->wdt_real_version);
        p->wdt_real_version = wi_xstrndup(buf, strcspn(buf, "\r\n"));
      }
    }
  }
  archive_read_free(a);
  return ret;
}

/* Warn about model references to archive paths that no archive has. */
static int
check_model_refs(struct wi_aux_plan *p, wi_err *err)
{
  char **entries = NULL;
  size_t n_entries = 0;
  int ret = 0;

  for (size_t i = 0; i < p->n_files && ret == 0; i++)
    if (strcmp(p->files[i].kind, "archive") == 0)
      ret = scan_archive(p->files[i].path, &entries, &n_entries, err);
  for (size_t i = 0; i < p->n_files && ret == 0; i++) {
    if (strcmp(p->files[i].kind, "model") != 0)
      continue;
    char **refs = NULL;
    size_t n_refs = 0;
    ret = wi_yaml_check_file(p->files[i].path, &refs, &n_refs, err);
    for (size_t r = 0; r < n_refs && ret == 0; r++) {
      size_t rl = strlen(refs[r]);
      while (rl > 0 && refs[r][rl - 1] == '/')
        rl--;
      bool found = false;
      for (size_t e = 0; e < n_entries && !found; e++)
        found = strncmp(entries[e], refs[r], rl) == 0 &&
                (entries[e][rl] == '\0' || entries[e][rl] == '/');
      if (!found)
        wi_log(WI_LOG_WARN, "%s refers to %s, which none of the WDT archives contains",
               p->files[i].path, refs[r]);
    }
    wi_yaml_refs_free(refs, n_refs);
  }
  for (size_t e = 0; e < n_entries; e++)
    free(entries[e]);
  free(entries);
  return ret;
}

static void
compute_build_id(struct wi_aux_plan *p)
{
  struct wi_buf b = WI_BUF_INIT(1 << 24);
  char d[WI_DIGEST_MAX];
  wi_buf_addf(&b, NULL,
              "wlsimg-aux-v1\nfrom=%s\nwdtHome=%s\nmodelHome=%s\nchown=%s:%s\nopenshift=%d\n",
              p->from_image, p->wdt_home, p->wdt_model_home, p->user, p->group, p->o.openshift);
  wi_buf_addf(&b, NULL, "installer=%s\nepoch=%lld\n", p->installer ? p->installer_digest : "none",
              (long long)p->epoch);
  for (size_t i = 0; i < p->n_files; i++)
    wi_buf_addf(&b, NULL, "%s %s %s\n", p->files[i].kind, p->files[i].base, p->files[i].digest);
  for (size_t s = 0; s < N_SECTIONS; s++)
    for (size_t i = 0; p->sec[s].present && i < p->sec[s].n; i++)
      wi_buf_addf(&b, NULL, "[%zu]%s\n", s, p->sec[s].lines[i]);
  for (size_t i = 0; i < p->o.additional_build_files.n; i++)
    wi_buf_addf(&b, NULL, "file %s\n", p->o.additional_build_files.v[i]);
  for (size_t i = 0; i < p->o.build_args.n; i++)
    wi_buf_addf(&b, NULL, "arg %s\n", p->o.build_args.v[i]);
  wi_digest_bytes(b.data, b.len, d);
  wi_buf_dispose(&b);
  const char *h = wi_digest_hex(d);
  snprintf(p->build_id, sizeof p->build_id, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16,
           h + 20);
}

int
wi_aux_plan_new(struct wi_aux_plan **out, const struct wi_aux_opts *o, wi_err *err)
{
  struct wi_aux_plan *p = wi_xcalloc(1, sizeof *p);
  int ret = 0;

  p->o = *o;
  p->from_given = o->from_image != NULL;
  p->from_image = wi_xstrdup(o->from_image ? o->from_image : "busybox");
  p->wdt_version = wi_xstrdup(o->wdt_version ? o->wdt_version : "latest");
  p->wdt_home = norm_abs(o->wdt_home ? o->wdt_home : "/auxiliary");
  if (o->wdt_model_home) {
    p->wdt_model_home = norm_abs(o->wdt_model_home);
  } else {
    p->wdt_model_home = wi_xasprintf("%s/models", strcmp(p->wdt_home, "/") ? p->wdt_home : "");
  }
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  p->epoch = sde && is_number(sde) ? strtoll(sde, NULL, 10) : 0;

  /* --chown (OpenShift: group root unless given) */
  if (o->chown) {
    if (wi_aux_parse_chown(o->chown, &p->user, &p->group, err) < 0)
      goto fail;
  } else {
    p->user = wi_xstrdup("oracle");
    p->group = wi_xstrdup(o->openshift ? "root" : "oracle");
  }
  /* platforms */
  if (o->platforms.n == 0) {
    p->platforms = wi_xcalloc(1, sizeof *p->platforms);
    wi_platform_host(&p->platforms[0]);
    p->n_platforms = 1;
  } else {
    p->platforms = wi_xcalloc(o->platforms.n, sizeof *p->platforms);
    for (size_t i = 0; i < o->platforms.n; i++) {
      if (wi_platform_parse(&p->platforms[p->n_platforms], o->platforms.v[i], err) < 0) {
        wi_err_wrap(err, "--platform");
        goto fail;
      }
      bool dup = false;
      for (size_t k = 0; k < p->n_platforms; k++)
        dup = dup || wi_platform_match(&p->platforms[k], &p->platforms[p->n_platforms]);
      if (!dup)
        p->n_platforms++;
    }
  }
  /* WDT files: models, then archives, then variables */
  if (add_inputs(p, &o->models, "model", err) < 0 ||
      add_inputs(p, &o->archives, "archive", err) < 0 ||
      add_inputs(p, &o->variables, "variables", err) < 0)
    goto fail;
  bool no_wdt = strcasecmp(p->wdt_version, "none") == 0;
  if (p->n_files == 0 && no_wdt) {
    wi_err_set(
        err, WI_EINVAL,
        "You must provide at least one of: a WDT installer file, a WDT model file, a WDT variable file, or a WDT archive file.");
    goto fail;
  }
  for (size_t i = 0; i < o->additional_build_files.n; i++) {
    struct stat st;
    if (stat(o->additional_build_files.v[i], &st) < 0) {
      wi_err_sys(err, WI_EINVAL, "--additionalBuildFiles %s", o->additional_build_files.v[i]);
      goto fail;
    }
  }
  if (o->additional_build_commands && load_sections(p, o->additional_build_commands, err) < 0)
    goto fail;
  /* package manager: nothing is installed unless asked */
  p->package_manager = wi_xstrdup(o->package_manager && strcasecmp(o->package_manager, "OS_DEFAULT")
                                      ? o->package_manager
                                      : "NONE");
  for (char *c = p->package_manager; *c; c++)
    *c = (char)toupper((unsigned char)*c);
  {
    static const char *const pms[] = { "NONE",       "YUM",    "DNF", "MICRODNF",
                                       "MICRODNF_8", "APTGET", "APK", "ZYPPER" };
    bool ok = false;
    for (size_t i = 0; i < WI_ARRAY_SIZE(pms); i++)
      ok = ok || strcmp(pms[i], p->package_manager) == 0;
    if (!ok) {
      wi_err_set(
          err, WI_EUSAGE,
          "--packageManager %s: expected one of OS_DEFAULT, NONE, YUM, DNF, MICRODNF, MICRODNF_8, APTGET, APK, ZYPPER",
          o->package_manager);
      goto fail;
    }
  }
  p->needs_engine = strcmp(p->package_manager, "NONE") != 0;
  for (size_t s = 0; s < N_SECTIONS; s++)
    for (size_t i = 0; p->sec[s].present && i < p->sec[s].n && s != SEC_PACKAGES; i++)
      if ((s == SEC_INITIAL || s == SEC_FINAL) && !native_instruction(p->sec[s].lines[i]))
        p->needs_engine = true;

  /* model YAML, archive entries, references */
  if (check_model_refs(p, err) < 0)
    goto fail;
  for (size_t i = 0; i < p->n_files; i++)
    if (wi_digest_file(p->files[i].path, p->files[i].digest, NULL, err) < 0)
      goto fail;

  /* the WDT installer from the cache */
  if (!no_wdt) {
    wi_autofree char *dir = o->cache_dir ? wi_xstrdup(o->cache_dir) : wi_witcache_default_dir();
    const char *arch = p->platforms[0].arch;
    ret = wi_witcache_lookup(dir, "wdt", p->wdt_version,
                             strcmp(arch, "arm64") == 0 ? "arm64" : "amd64", NULL, &p->installer,
                             err);
    if (ret < 0)
      goto fail;
    if (wi_witcache_verify(dir, p->installer, p->installer_digest, err) < 0)
      goto fail;
    const char *slash = strrchr(p->installer, '/');
    p->installer_base = wi_xstrdup(slash ? slash + 1 : p->installer);
    for (size_t i = 0; i < p->n_files; i++)
      if (strcmp(p->files[i].base, p->installer_base) == 0) {
        wi_err_set(err, WI_EINVAL, "WDT file %s has the same file name as the WDT installer %s",
                   p->files[i].path, p->installer);
        goto fail;
      }
    if (scan_installer(p, err) < 0)
      goto fail;
  }
  compute_build_id(p);
  *out = p;
  return 0;
fail:
  wi_aux_plan_free(p);
  return err->code ? err->code : WI_ERR;
}

/* ---- Dockerfile (wit-compat §5) ---- */

static bool
busybox_mode(const struct wi_aux_plan *p)
{
  return !p->from_given || strstr(p->from_image, "busybox") || strstr(p->from_image, "alpine");
}

static char *
render_line(const struct wi_aux_plan *p, const char *line)
{
  struct wi_buf b = WI_BUF_INIT(1 << 20);
  static const char *const vars[] = { "wdt_home", "wdt_model_home", "AUXILIARY_IMAGE_PATH",
                                      "WDT_HOME", "WDT_MODEL_HOME" };
  for (const char *s = line; *s;) {
    bool done = false;
    for (size_t i = 0; i < WI_ARRAY_SIZE(vars) && !done; i++) {
      const char *val = i == 1 || i == 4 ? p->wdt_model_home : p->wdt_home;
      wi_autofree char *t3 = wi_xasprintf("{{{%s}}}", vars[i]);
      wi_autofree char *t2 = wi_xasprintf("{{%s}}", vars[i]);
      if (wi_str_has_prefix(s, t3)) {
        wi_buf_adds(&b, val, NULL);
        s += strlen(t3);
        done = true;
      } else if (wi_str_has_prefix(s, t2)) {
        wi_buf_adds(&b, val, NULL);
        s += strlen(t2);
        done = true;
      }
    }
    if (!done)
      wi_buf_add(&b, s++, 1, NULL);
  }
  return wi_buf_steal(&b);
}

static void
add_section(struct wi_buf *b, const struct wi_aux_plan *p, int s)
{
  for (size_t i = 0; p->sec[s].present && i < p->sec[s].n; i++) {
    wi_autofree char *l = render_line(p, p->sec[s].lines[i]);
    wi_buf_addf(b, NULL, "%s\n", l);
  }
}

static void
add_pkg_block(struct wi_buf *b, const struct wi_aux_plan *p)
{
  const char *pm = p->package_manager;
  struct wi_buf pk = WI_BUF_INIT(1 << 16);
  const char *env = getenv("WLSIMG_OS_PACKAGES");
  wi_buf_adds(&pk,
              env ? env
                  : "gzip tar unzip libaio libnsl jq findutils diffutils make fontconfig freetype",
              NULL);
  for (size_t i = 0; p->sec[SEC_PACKAGES].present && i < p->sec[SEC_PACKAGES].n; i++)
    if (p->sec[SEC_PACKAGES].lines[i][0])
      wi_buf_addf(&pk, NULL, " %s", p->sec[SEC_PACKAGES].lines[i]);
  const char *l = wi_buf_cstr(&pk);
  if (!strcmp(pm, "YUM"))
    wi_buf_addf(
        b, NULL,
        "RUN yum -y update && yum -y --downloaddir=/tmp/imagetool install %s && yum clean all && rm -rf /var/cache/yum/* /tmp/imagetool\n",
        l);
  else if (!strcmp(pm, "DNF"))
    wi_buf_addf(b, NULL, "RUN dnf -y update && dnf -y install %s && dnf clean all\n", l);
  else if (!strcmp(pm, "MICRODNF"))
    wi_buf_addf(b, NULL, "RUN microdnf -y update && microdnf -y install %s && microdnf clean all\n",
                l);
  else if (!strcmp(pm, "MICRODNF_8"))
    wi_buf_addf(b, NULL, "RUN microdnf update && microdnf install %s && microdnf clean all\n", l);
  else if (!strcmp(pm, "APTGET"))
    wi_buf_addf(
        b, NULL,
        "RUN apt-get -y update && apt-get -y upgrade && apt-get -y install %s && apt-get -y clean all\n",
        l);
  else if (!strcmp(pm, "APK"))
    wi_buf_adds(b, "RUN apk update && apk upgrade && rm -rf /var/cache/apk/*\n", NULL);
  else if (!strcmp(pm, "ZYPPER"))
    wi_buf_adds(b, "RUN zypper -nq update && zypper -nq clean && rm -rf /var/cache/zypp/*\n", NULL);
  wi_buf_dispose(&pk);
}

char *
wi_aux_render_dockerfile(const struct wi_aux_plan *p)
{
  struct wi_buf b = WI_BUF_INIT(16 << 20);
  const char *u = p->user, *g = p->group, *wh = p->wdt_home, *mh = p->wdt_model_home;

  wi_buf_addf(&b, NULL, "FROM %s AS os_update\n", p->from_image);
  for (size_t i = 0; i < p->o.build_args.n; i++)
    wi_buf_addf(&b, NULL, "ARG %.*s\n", (int)strcspn(p->o.build_args.v[i], "="),
                p->o.build_args.v[i]);
  wi_buf_addf(&b, NULL, "LABEL com.oracle.weblogic.imagetool.buildid=\"%s\"\n", p->build_id);
  wi_buf_adds(&b, "USER root\n", NULL);
  add_section(&b, p, SEC_INITIAL);
  add_pkg_block(&b, p);
  if (busybox_mode(p)) {
    wi_buf_addf(
        &b, NULL,
        "RUN if [ -z \"$(grep ^oracle: /etc/group)\" ]; then addgroup oracle || exit 1 ; fi \\\n"
        " && if [ -z \"$(grep ^%s: /etc/group)\" ]; then addgroup %s || exit 1 ; fi \\\n"
        " && if [ -z \"$(grep ^%s: /etc/passwd)\" ]; then adduser -D -G %s %s || exit 1 ; fi\n",
        g, g, u, g, u);
  } else {
    wi_buf_addf(&b, NULL,
                "RUN if [ -z \"$(getent group oracle)\" ]; then groupadd oracle || exit 1 ; fi \\\n"
                " && if [ -z \"$(getent group %s)\" ]; then groupadd %s || exit 1 ; fi \\\n"
                " && if [ -z \"$(getent passwd %s)\" ]; then useradd -g %s %s || exit 1; fi \\\n"
                " && mkdir -p /u01 \\\n && chown %s:%s /u01 \\\n && chmod 775 /u01\n",
                g, g, u, g, u, u, g);
  }
  wi_buf_adds(&b, "FROM os_update AS wdt_build\n", NULL);
  wi_buf_addf(&b, NULL, "RUN mkdir -p %s \\\n && mkdir -p %s \\\n && chown %s:%s %s\n", wh, mh, u,
              g, wh);
  if (p->installer) {
    wi_buf_addf(&b, NULL, "COPY --chown=%s:%s [\"%s\", \"/tmp/imagetool/\"]\n", u, g,
                p->installer_base);
    wi_buf_addf(
        &b, NULL,
        "RUN test -d %s/weblogic-deploy && rm -rf %s/weblogic-deploy || echo Initial WDT install \\\n    && ",
        wh, wh);
    size_t bl = strlen(p->installer_base);
    if (bl >= 7 && strcasecmp(p->installer_base + bl - 7, ".tar.gz") == 0)
      wi_buf_addf(&b, NULL, "tar zxf \"/tmp/imagetool/%s\" -C %s\n", p->installer_base, wh);
    else
      wi_buf_addf(&b, NULL, "unzip -q \"/tmp/imagetool/%s\" -d %s\n", p->installer_base, wh);
  }
  wi_buf_adds(&b, "FROM os_update AS final\n", NULL);
  wi_buf_addf(&b, NULL,
              "ENV AUXILIARY_IMAGE_PATH=%s \\\n    WDT_HOME=%s \\\n    WDT_MODEL_HOME=%s\n", wh, wh,
              mh);
  if (p->installer) {
    wi_buf_addf(&b, NULL, "RUN mkdir -p %s && chown %s:%s %s\n", wh, u, g, wh);
    wi_buf_addf(&b, NULL, "COPY --from=wdt_build --chown=%s:%s %s %s/\n", u, g, wh, wh);
  }
  if (p->n_files) {
    wi_buf_addf(&b, NULL, "RUN mkdir -p %s && chown %s:%s %s\n", mh, u, g, mh);
    for (size_t i = 0; i < p->n_files; i++)
      wi_buf_addf(&b, NULL, "COPY --chown=%s:%s [\"%s\", \"%s/\"]\n", u, g, p->files[i].base, mh);
    wi_buf_addf(&b, NULL, "RUN chmod -R 640 %s/*\n", mh);
  }
  wi_buf_addf(&b, NULL, "USER %s\n", u);
  wi_buf_addf(&b, NULL, "WORKDIR %s\n", wh);
  add_section(&b, p, SEC_FINAL);
  return wi_buf_steal(&b);
}

/* ---- native build ---- */

/* Directory paths already in the layer (so implicit parents do not replace explicit entries). */
struct dirset {
  char **v;
  size_t n;
};

static bool
dirset_has(const struct dirset *d, const char *p)
{
  for (size_t i = 0; i < d->n; i++)
    if (strcmp(d->v[i], p) == 0)
      return true;
  return false;
}

static void
dirset_add(struct dirset *d, const char *p)
{
  d->v = wi_xreallocarray(d->v, d->n + 1, sizeof *d->v);
  d->v[d->n++] = wi_xstrdup(p);
}

static void
dirset_dispose(struct dirset *d)
{
  for (size_t i = 0; i < d->n; i++)
    free(d->v[i]);
  free(d->v);
  d->v = NULL;
  d->n = 0;
}

struct layer_ctx {
  struct wi_aux_plan *p;
  struct wi_layer_writer *w;
  struct dirset dirs;
  uint32_t uid, gid;
  const char *passwd, *group; /* for --chown names in COPY */
};

static uint32_t
eff_mode(const struct layer_ctx *c, uint32_t mode)
{
  if (c->p->o.openshift)
    mode = (mode & ~070u) | ((mode & 0700u) >> 3);
  return mode;
}

/* Add a directory (path without leading '/'), owned as given, unless already added. */
static int
add_dir(struct layer_ctx *c, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
        bool replace, wi_err *err)
{
  if (path[0] == '\0')
    return 0;
  if (dirset_has(&c->dirs, path) && !replace)
    return 0;
  if (!dirset_has(&c->dirs, path))
    dirset_add(&c->dirs, path);
  struct wi_layer_entry e = {
    .path = path, .type = WI_LAYER_DIR, .mode = mode, .uid = uid, .gid = gid, .mtime = c->p->epoch
  };
  return wi_layer_add(c->w, &e, err);
}

/* Parents of path (exclusive) that lie under `under` get owner uid:gid; others root 0755. */
static int
add_parents(struct layer_ctx *c, const char *path, const char *under, wi_err *err)
{
  wi_autofree char *t = wi_xstrdup(path);
  size_t ul = strlen(under);
  for (char *s = strchr(t, '/'); s; s = strchr(s + 1, '/')) {
    *s = '\0';
    bool own = ul && strncmp(t, under, ul) == 0 && (t[ul] == '\0' || t[ul] == '/');
    int r = add_dir(c, t, own ? eff_mode(c, 0755) : 0755, own ? c->uid : 0, own ? c->gid : 0, false,
                    err);
    *s = '/';
    if (r < 0)
      return r;
  }
  return 0;
}

static int
add_installer(struct layer_ctx *c, const char *wh, wi_err *err)
{
  struct wi_aux_plan *p = c->p;
  struct archive *a = open_archive(p->installer, err);
  struct archive_entry *ae;
  int ret = 0;
  char *buf = NULL;

  if (a == NULL)
    return err->code;
  for (;;) {
    int r = archive_read_next_header(a, &ae);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN) {
      ret = wi_err_set(err, WI_EINVAL, "%s: %s", p->installer, archive_error_string(a));
      break;
    }
    if ((ret = check_entry(p->installer, ae, err)) < 0)
      break;
    wi_autofree char *n = wi_xstrdup(entry_name(ae));
    size_t nl = strlen(n);
    while (nl && n[nl - 1] == '/')
      n[--nl] = '\0';
    if (nl == 0 || strcmp(n, ".") == 0)
      continue;
    wi_autofree char *path = wh[0] ? wi_xasprintf("%s/%s", wh, n) : wi_xstrdup(n);
    if ((ret = add_parents(c, path, wh, err)) < 0)
      break;
    mode_t type = archive_entry_filetype(ae);
    uint32_t perm = archive_entry_perm(ae);
    const char *hl = archive_entry_hardlink(ae);
    struct wi_layer_entry e = { .path = path, .uid = c->uid, .gid = c->gid, .mtime = p->epoch };
    wi_autofree char *link = NULL;
    if (type == AE_IFDIR) {
      ret = add_dir(c, path, eff_mode(c, perm ? perm : 0755), c->uid, c->gid, true, err);
      if (ret < 0)
        break;
      continue;
    } else if (hl) {
      link = wh[0] ? wi_xasprintf("%s/%s", wh, hl) : wi_xstrdup(hl);
      e.type = WI_LAYER_HARDLINK;
      e.link = link;
      e.mode = eff_mode(c, perm);
    } else if (type == AE_IFLNK) {
      e.type = WI_LAYER_SYMLINK;
      e.link = archive_entry_symlink(ae);
      e.mode = 0777;
    } else if (type == AE_IFREG) {
      int64_t size = archive_entry_size(ae);
      if (size < 0 || size > (int64_t)MAX_INSTALLER_ENTRY) {
        ret = wi_err_set(err, WI_ETOOBIG, "%s: entry %s is too large", p->installer, n);
        break;
      }
      buf = wi_xrealloc(buf, (size_t)size + 1);
      size_t got = 0;
      while (got < (size_t)size) {
        la_ssize_t k = archive_read_data(a, buf + got, (size_t)size - got);
        if (k <= 0)
          break;
        got += (size_t)k;
      }
      if (got != (size_t)size) {
        ret = wi_err_set(err, WI_EINVAL, "%s: entry %s: %s", p->installer, n,
                         archive_error_string(a) ? archive_error_string(a) : "truncated");
        break;
      }
      e.type = WI_LAYER_FILE;
      e.data = buf;
      e.size = got;
      e.mode = eff_mode(c, perm ? perm : 0644);
    } else {
      continue; /* devices and fifos have no place in a WDT install */
    }
    if ((ret = wi_layer_add(c->w, &e, err)) < 0)
      break;
  }
  free(buf);
  archive_read_free(a);
  return ret;
}

/* Owner for a COPY --chown= value (names from the image's files; no users are added here). */
static int
copy_owner(const struct layer_ctx *c, const char *spec, uint32_t *uid, uint32_t *gid, wi_err *err)
{
  wi_autofree char *u = wi_xstrdup(spec);
  char *colon = strchr(u, ':');
  const char *g = colon ? colon + 1 : NULL;
  if (colon)
    *colon = '\0';
  if (is_number(u)) {
    *uid = (uint32_t)strtoul(u, NULL, 10);
  } else {
    wi_autofree char *v = db_lookup(c->passwd, u, 2);
    if (!v)
      return wi_err_set(err, WI_EINVAL, "COPY --chown=%s: no user %s in the image", spec, u);
    *uid = (uint32_t)strtoul(v, NULL, 10);
    wi_autofree char *pg = db_lookup(c->passwd, u, 3);
    *gid = pg ? (uint32_t)strtoul(pg, NULL, 10) : 0;
  }
  if (g && is_number(g)) {
    *gid = (uint32_t)strtoul(g, NULL, 10);
  } else if (g) {
    wi_autofree char *v = db_lookup(c->group, g, 2);
    if (!v)
      return wi_err_set(err, WI_EINVAL, "COPY --chown=%s: no group %s in the image", spec, g);
    *gid = (uint32_t)strtoul(v, NULL, 10);
  } else if (is_number(u)) {
    *gid = *uid;
  }
  return 0;
}

static int
copy_tree(struct layer_ctx *c, const char *src, const char *dst, uint32_t uid, uint32_t gid,
          int depth, wi_err *err)
{
  struct stat st;
  if (depth > 64)
    return wi_err_set(err, WI_EINVAL, "COPY %s: directory tree too deep", src);
  if (lstat(src, &st) < 0)
    return wi_err_sys(err, WI_EINVAL, "COPY %s", src);
  if (S_ISDIR(st.st_mode)) {
    int r = add_dir(c, dst, st.st_mode & 07777, uid, gid, true, err);
    DIR *d = r < 0 ? NULL : opendir(src);
    if (r < 0)
      return r;
    if (d == NULL)
      return wi_err_sys(err, WI_EIO, "COPY %s", src);
    struct dirent *de;
    while ((de = readdir(d)) != NULL && r == 0) {
      if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
        continue;
      wi_autofree char *s2 = wi_xasprintf("%s/%s", src, de->d_name);
      wi_autofree char *d2 = wi_xasprintf("%s/%s", dst, de->d_name);
      r = copy_tree(c, s2, d2, uid, gid, depth + 1, err);
    }
    closedir(d);
    return r;
  }
  struct wi_layer_entry e = {
    .path = dst, .mode = st.st_mode & 07777, .uid = uid, .gid = gid, .mtime = c->p->epoch
  };
  char target[4096];
  if (S_ISLNK(st.st_mode)) {
    ssize_t n = readlink(src, target, sizeof target - 1);
    if (n < 0)
      return wi_err_sys(err, WI_EIO, "COPY %s", src);
    target[n] = '\0';
    e.type = WI_LAYER_SYMLINK;
    e.link = target;
  } else if (S_ISREG(st.st_mode)) {
    e.type = WI_LAYER_FILE;
    e.src_path = src;
  } else {
    return wi_err_set(err, WI_EINVAL, "COPY %s: not a regular file, directory or link", src);
  }
  return wi_layer_add(c->w, &e, err);
}

/* Split a Dockerfile instruction's arguments: JSON array form or whitespace separated. */
static size_t
split_args(const char *s, char ***out)
{
  char **v = NULL;
  size_t n = 0;
  while (isspace((unsigned char)*s))
    s++;
  bool json = *s == '[';
  if (json)
    s++;
  while (*s) {
    while (isspace((unsigned char)*s) || (json && *s == ','))
      s++;
    if (!*s || (json && *s == ']'))
      break;
    struct wi_buf b = WI_BUF_INIT(1 << 16);
    if (json && *s == '"') {
      s++;
      while (*s && *s != '"') {
        if (*s == '\\' && s[1])
          s++;
        wi_buf_add(&b, s++, 1, NULL);
      }
      if (*s == '"')
        s++;
    } else {
      while (*s && !isspace((unsigned char)*s))
        wi_buf_add(&b, s++, 1, NULL);
    }
    v = wi_xreallocarray(v, n + 1, sizeof *v);
    v[n++] = wi_buf_steal(&b);
  }
  *out = v;
  return n;
}

static void
free_args(char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

/* A build-context path → the local file it stands for. */
static char *
context_source(const struct wi_aux_plan *p, const char *src)
{
  while (src[0] == '.' && src[1] == '/')
    src += 2;
  if (wi_str_has_prefix(src, "files/")) {
    const char *rest = src + 6;
    size_t bl = strcspn(rest, "/");
    for (size_t i = 0; i < p->o.additional_build_files.n; i++) {
      const char *f = p->o.additional_build_files.v[i];
      size_t fl = strlen(f);
      while (fl > 1 && f[fl - 1] == '/')
        fl--;
      const char *b = f + fl;
      while (b > f && b[-1] != '/')
        b--;
      if ((size_t)(f + fl - b) == bl && strncmp(b, rest, bl) == 0)
        return wi_xasprintf("%.*s%s", (int)fl, f, rest + bl);
    }
    return NULL;
  }
  for (size_t i = 0; i < p->n_files; i++)
    if (strcmp(p->files[i].base, src) == 0)
      return wi_xstrdup(p->files[i].path);
  if (p->installer_base && strcmp(p->installer_base, src) == 0)
    return wi_xstrdup(p->installer);
  return NULL;
}

static int
native_copy(struct layer_ctx *c, struct wi_imgconfig *cfg, const char *args, wi_err *err)
{
  char **v = NULL;
  size_t n = 0;
  uint32_t uid = 0, gid = 0;
  int ret = 0;
  size_t first = 0;

  /* flags come before a JSON array */
  while (isspace((unsigned char)*args))
    args++;
  while (wi_str_has_prefix(args, "--")) {
    size_t fl = strcspn(args, " \t");
    wi_autofree char *flag = wi_xstrndup(args, fl);
    if (wi_str_has_prefix(flag, "--chown=")) {
      if ((ret = copy_owner(c, flag + 8, &uid, &gid, err)) < 0)
        return ret;
    } else if (!wi_str_has_prefix(flag, "--chmod=") && !wi_str_has_prefix(flag, "--link")) {
      return wi_err_set(err, WI_EUNSUPPORTED, "COPY %s is not supported without a container engine",
                        flag);
    }
    args += fl;
    while (isspace((unsigned char)*args))
      args++;
  }
  n = split_args(args, &v);
  if (n < 2) {
    free_args(v, n);
    return wi_err_set(err, WI_EINVAL, "COPY %s: expected a source and a destination", args);
  }
  const char *wd = wi_imgconfig_get_workdir(cfg);
  wi_autofree char *dest = v[n - 1][0] == '/'
                               ? wi_xstrdup(v[n - 1])
                               : wi_xasprintf("%s/%s", wd && *wd ? wd : "", v[n - 1]);
  bool dest_dir = dest[strlen(dest) - 1] == '/' || n > 2;
  wi_autofree char *dn = norm_abs(dest);
  const char *d = dn + 1; /* no leading '/' */
  for (size_t i = first; i < n - 1 && ret == 0; i++) {
    wi_autofree char *src = context_source(c->p, v[i]);
    struct stat st;
    if (src == NULL || stat(src, &st) < 0) {
      ret = wi_err_set(
          err, WI_EINVAL,
          "COPY %s: not in the build context (use --additionalBuildFiles and files/<name>)", v[i]);
      break;
    }
    const char *b = strrchr(v[i], '/');
    b = b ? b + 1 : v[i];
    wi_autofree char *target =
        S_ISDIR(st.st_mode) || !dest_dir ? wi_xstrdup(d) : wi_xasprintf("%s/%s", d, b);
    if ((ret = add_parents(c, target, "", err)) == 0)
      ret = copy_tree(c, src, target, uid, gid, 0, err);
  }
  free_args(v, n);
  return ret;
}

/* Apply one section's native instructions to the layer and config. */
static int
apply_section(struct layer_ctx *c, struct wi_imgconfig *cfg, int sec, wi_err *err)
{
  struct wi_aux_plan *p = c->p;
  struct wi_buf joined = WI_BUF_INIT(1 << 20);
  int ret = 0;
  for (size_t i = 0; p->sec[sec].present && i < p->sec[sec].n && ret == 0; i++) {
    wi_autofree char *l = render_line(p, p->sec[sec].lines[i]);
    size_t ll = strlen(l);
    /* line continuations */
    if (ll && l[ll - 1] == '\\') {
      wi_buf_add(&joined, l, ll - 1, NULL);
      continue;
    }
    wi_buf_adds(&joined, l, NULL);
    const char *s = wi_buf_cstr(&joined);
    while (isspace((unsigned char)*s))
      s++;
    size_t kw = strcspn(s, " \t");
    if (*s == '\0' || *s == '#' || (kw == 3 && strncasecmp(s, "ARG", 3) == 0)) {
      /* nothing */
    } else if (kw == 4 && strncasecmp(s, "COPY", 4) == 0) {
      ret = native_copy(c, cfg, s + 4, err);
    } else {
      ret = wi_imgconfig_apply_change(cfg, s, err);
      if (ret == 0 && kw == 7 && strncasecmp(s, "WORKDIR", 7) == 0) {
        wi_autofree char *wd = norm_abs(wi_imgconfig_get_workdir(cfg));
        if (strcmp(wd, "/") != 0 && (ret = add_parents(c, wd + 1, "", err)) == 0)
          ret = add_dir(c, wd + 1, 0755, 0, 0, false, err);
      }
    }
    if (ret == 0)
      wi_imgconfig_add_layer(cfg, NULL, p->epoch, s, "wlsimg: additional build command");
    wi_buf_reset(&joined);
  }
  wi_buf_dispose(&joined);
  return ret;
}

/* Media types as writable arrays: struct wi_descriptor holds char *. */
static char mt_manifest[] = WI_MT_OCI_MANIFEST;
static char mt_index[] = WI_MT_OCI_INDEX;
static char mt_config[] = WI_MT_OCI_CONFIG;
static char mt_layer_gzip[] = WI_MT_OCI_LAYER_GZIP;

static char *
layer_media_type(char *mt)
{
  if (mt && strcmp(mt, WI_MT_DOCKER_LAYER) == 0)
    return mt_layer_gzip;
  return mt;
}

struct etc_files {
  char *passwd, *group, *shadow;
  uint32_t passwd_mode, group_mode, shadow_mode;
  bool has_home;
};

static int
read_etc(struct wi_store *s, const struct wi_image *img, struct etc_files *ef, wi_err *err)
{
  struct wi_image_file f[4] = {
    { .path = "etc/passwd" }, { .path = "etc/group" }, { .path = "etc/shadow" }, { .path = "home" }
  };
  int ret = wi_image_read_files(s, img->manifest, f, 4, MAX_ETC_FILE, err);
  if (ret < 0)
    return ret;
  ef->passwd = wi_steal(&f[0].data);
  ef->group = wi_steal(&f[1].data);
  ef->shadow = wi_steal(&f[2].data);
  ef->passwd_mode = f[0].found ? f[0].mode : 0644;
  ef->group_mode = f[1].found ? f[1].mode : 0644;
  ef->shadow_mode = f[2].found ? f[2].mode : 0640;
  ef->has_home = f[3].found;
  wi_image_files_dispose(f, 4);
  return 0;
}

static void
etc_dispose(struct etc_files *ef)
{
  free(ef->passwd);
  free(ef->group);
  free(ef->shadow);
}

static int
add_etc_file(struct layer_ctx *c, const char *path, const char *text, uint32_t mode, wi_err *err)
{
  struct wi_layer_entry e = { .path = path,
                              .type = WI_LAYER_FILE,
                              .mode = mode,
                              .uid = 0,
                              .gid = 0,
                              .mtime = c->p->epoch,
                              .data = text,
                              .size = strlen(text) };
  return wi_layer_add(c->w, &e, err);
}

/* The new layer: WDT install, model files, user/group, native COPYs. */
static int
build_layer(struct layer_ctx *c, struct wi_imgconfig *cfg, struct etc_files *ef,
            const struct wi_ids *ids, struct wi_store *out, struct wi_layer_result *lr, wi_err *err)
{
  struct wi_aux_plan *p = c->p;
  const char *wh = p->wdt_home + 1, *mh = p->wdt_model_home + 1;
  int ret = 0;

  if (ids->added_user) {
    if ((ret = add_etc_file(c, "etc/passwd", ef->passwd, ef->passwd_mode, err)) < 0 ||
        (ef->shadow && (ret = add_etc_file(c, "etc/shadow", ef->shadow, ef->shadow_mode, err)) < 0))
      return ret;
    if (!ef->has_home && (ret = add_dir(c, "home", 0755, 0, 0, false, err)) < 0)
      return ret;
    wi_autofree char *home = wi_xasprintf("home/%s", p->user);
    if ((ret = add_dir(c, home, 0755, ids->uid, ids->gid, true, err)) < 0)
      return ret;
  }
  if (ids->added_group && (ret = add_etc_file(c, "etc/group", ef->group, ef->group_mode, err)) < 0)
    return ret;
  if ((ret = apply_section(c, cfg, SEC_INITIAL, err)) < 0)
    return ret;
  /* <wdtHome> (WIT: mkdir -p + chown) and its parents */
  if (wh[0]) {
    if ((ret = add_parents(c, wh, "", err)) < 0 ||
        (ret = add_dir(c, wh, eff_mode(c, 0755), c->uid, c->gid, true, err)) < 0)
      return ret;
  }
  if (p->installer && (ret = add_installer(c, wh, err)) < 0)
    return ret;
  /* <wdtModelHome>: brought along with <wdtHome> when WDT is installed, else made for the files */
  bool under = wh[0] == '\0' || (wi_str_has_prefix(mh, wh) && mh[strlen(wh)] == '/');
  if (mh[0] && ((p->installer && under) || p->n_files)) {
    if ((ret = add_parents(c, mh, p->installer && under ? wh : "", err)) < 0 ||
        (ret = add_dir(c, mh, eff_mode(c, 0755), c->uid, c->gid, true, err)) < 0)
      return ret;
  }
  for (size_t i = 0; i < p->n_files; i++) {
    wi_autofree char *path =
        mh[0] ? wi_xasprintf("%s/%s", mh, p->files[i].base) : wi_xstrdup(p->files[i].base);
    struct wi_layer_entry e = { .path = path,
                                .type = WI_LAYER_FILE,
                                .mode = eff_mode(c, 0640),
                                .uid = c->uid,
                                .gid = c->gid,
                                .mtime = p->epoch,
                                .src_path = p->files[i].path };
    if ((ret = wi_layer_add(c->w, &e, err)) < 0)
      return ret;
  }
  /* WIT's final image: ENV, USER, WORKDIR, then final-build-commands */
  wi_imgconfig_set_env(cfg, "AUXILIARY_IMAGE_PATH", p->wdt_home);
  wi_imgconfig_set_env(cfg, "WDT_HOME", p->wdt_home);
  wi_imgconfig_set_env(cfg, "WDT_MODEL_HOME", p->wdt_model_home);
  wi_imgconfig_set_user(cfg, p->user);
  wi_imgconfig_set_workdir(cfg, p->wdt_home);
  if ((ret = apply_section(c, cfg, SEC_FINAL, err)) < 0)
    return ret;
  return wi_layer_writer_finish_store(c->w, out, lr, err);
}

struct layer_memo {
  bool valid;
  char *key;
  struct wi_layer_result lr;
};

/* One platform's image on an opened base: the layer (or the memo of an identical one), config,
 * manifest. */
static int
assemble_image(struct wi_aux_plan *p, struct wi_store *base_store, struct wi_store *out,
               struct wi_image *img, struct etc_files *efp, const struct wi_ids *idsp,
               struct layer_memo *memo, struct wi_descriptor *desc_out, int64_t *layer_bytes,
               wi_err *err)
{
  struct etc_files ef = *efp;
  struct wi_ids ids = *idsp;
  struct wi_layer_result lr;
  int ret = 0;

  struct wi_imgconfig *cfg = img->config;
  /* The layer depends on the base only through the user database: reuse it across platforms. */
  wi_autofree char *key =
      wi_xasprintf("%s\n--\n%s\n--\n%s\n%u:%u", ef.passwd ? ef.passwd : "",
                   ef.group ? ef.group : "", ef.shadow ? ef.shadow : "", ids.uid, ids.gid);
  struct layer_ctx c = { .p = p,
                         .uid = ids.uid,
                         .gid = ids.gid,
                         .passwd = ef.passwd ? ef.passwd : "",
                         .group = ef.group ? ef.group : "" };
  struct wi_layer_opts lo = { .add_parents = true, .parents_mtime = p->epoch };
  c.w = wi_layer_writer_new(&lo);
  wi_imgconfig_add_layer(cfg, NULL, p->epoch, "LABEL " WI_LABEL_BUILD_ID, "wlsimg createAuxImage");
  if (memo->valid && strcmp(memo->key, key) == 0 && !p->sec[SEC_INITIAL].present &&
      !p->sec[SEC_FINAL].present) {
    lr = memo->lr;
    /* the config changes build_layer would have made */
    wi_imgconfig_set_env(cfg, "AUXILIARY_IMAGE_PATH", p->wdt_home);
    wi_imgconfig_set_env(cfg, "WDT_HOME", p->wdt_home);
    wi_imgconfig_set_env(cfg, "WDT_MODEL_HOME", p->wdt_model_home);
    wi_imgconfig_set_user(cfg, p->user);
    wi_imgconfig_set_workdir(cfg, p->wdt_home);
  } else {
    ret = build_layer(&c, cfg, &ef, &ids, out, &lr, err);
    if (ret == 0) {
      free(memo->key);
      memo->key = wi_steal(&key);
      memo->lr = lr;
      memo->valid = true;
      *layer_bytes += lr.size;
    }
  }
  wi_layer_writer_free(c.w);
  dirset_dispose(&c.dirs);
  if (ret < 0)
    return ret;

  wi_autofree char *created_by = wi_xasprintf(
      "wlsimg createAuxImage: WDT %s and %zu model files to %s",
      p->installer ? (p->wdt_real_version ? p->wdt_real_version : p->wdt_version) : "none",
      p->n_files, p->wdt_home);
  wi_imgconfig_add_layer(cfg, lr.diff_id, p->epoch, created_by, NULL);
  wi_imgconfig_add_layer(cfg, NULL, p->epoch, "ENV AUXILIARY_IMAGE_PATH WDT_HOME WDT_MODEL_HOME",
                         NULL);
  wi_autofree char *uline = wi_xasprintf("USER %s", p->user);
  wi_imgconfig_add_layer(cfg, NULL, p->epoch, uline, NULL);
  wi_autofree char *wline = wi_xasprintf("WORKDIR %s", p->wdt_home);
  wi_imgconfig_add_layer(cfg, NULL, p->epoch, wline, NULL);
  wi_imgconfig_set_label(cfg, WI_LABEL_BUILD_ID, p->build_id);
  wi_imgconfig_set_label(cfg, WI_LABEL_WDT_HOME, p->wdt_home);
  wi_autofree char *ih =
      p->installer
          ? wi_xasprintf("%s%s", strcmp(p->wdt_home, "/") ? p->wdt_home : "", "/weblogic-deploy")
          : wi_xstrdup("None");
  wi_imgconfig_set_label(cfg, WI_LABEL_WDT_INSTALL_HOME, ih);
  wi_imgconfig_set_label(cfg, WI_LABEL_WDT_MODEL_HOME,
                         p->n_files || p->installer ? p->wdt_model_home : "None");
  if (p->installer) {
    wi_imgconfig_set_label(cfg, WI_LABEL_WDT_VERSION,
                           p->wdt_real_version ? p->wdt_real_version : p->wdt_version);
    wi_imgconfig_set_label(cfg, WI_LABEL_WDT_INSTALLER, p->installer_digest);
  }
  wi_imgconfig_set_created(cfg, p->epoch);

  /* blobs: base layers (when building into another store), config, manifest */
  const struct wi_manifest *bm = img->manifest;
  struct wi_manifest m = { .kind = WI_MANIFEST_IMAGE,
                           .schema_version = 2,
                           .media_type = mt_manifest };
  m.layers = wi_xcalloc(bm->n_layers + 1, sizeof *m.layers);
  for (size_t i = 0; i < bm->n_layers && ret == 0; i++) {
    if (out != base_store)
      ret = wi_store_copy_blob_from(out, base_store, bm->layers[i].digest, err);
    m.layers[i] = bm->layers[i];
    m.layers[i].media_type = layer_media_type(bm->layers[i].media_type);
    m.layers[i].annotations = NULL;
    m.layers[i].n_annotations = 0;
  }
  m.layers[bm->n_layers] =
      (struct wi_descriptor){ .media_type = mt_layer_gzip, .digest = lr.digest, .size = lr.size };
  m.n_layers = bm->n_layers + 1;
  if (ret == 0 && out != base_store && !wi_store_has_blob(out, lr.digest))
    ret = wi_store_copy_blob_from(out, base_store, lr.digest, err);
  size_t cfg_len = 0;
  wi_autofree char *cfg_bytes = wi_imgconfig_serialize(cfg, &cfg_len);
  char cfg_digest[WI_DIGEST_MAX];
  if (ret == 0)
    ret = wi_store_put_blob(out, cfg_bytes, cfg_len, cfg_digest, err);
  if (ret == 0) {
    m.config = (struct wi_descriptor){ .media_type = mt_config,
                                       .digest = cfg_digest,
                                       .size = (int64_t)cfg_len };
    ret = wi_store_put_manifest(out, &m, desc_out, err);
    if (ret == 0) {
      wi_imgconfig_platform(cfg, &desc_out->platform);
      desc_out->has_platform = true;
    }
  }
  free(m.layers);
  return ret;
}

static int
build_platform(struct wi_aux_plan *p, struct wi_store *base_store, struct wi_store *out,
               const struct wi_platform *plat, struct layer_memo *memo,
               struct wi_descriptor *desc_out, int64_t *layer_bytes, wi_err *err)
{
  wi_autoptr(wi_image) struct wi_image *img = NULL;
  struct etc_files ef = { 0 };
  struct wi_ids ids;
  int ret;

  if ((ret = wi_image_open(&img, base_store, p->from_image, plat, p->o.pull, &p->o.transfer, err)) <
      0)
    return wi_err_wrap(err, "--fromImage %s", p->from_image);
  if ((ret = read_etc(base_store, img, &ef, err)) < 0)
    goto out;
  if ((ret = wi_aux_resolve_ids(p->user, p->group, &ef.passwd, &ef.group, &ef.shadow, p->epoch,
                                &ids, err)) < 0)
    goto out;

  ret = assemble_image(p, base_store, out, img, &ef, &ids, memo, desc_out, layer_bytes, err);
out:
  etc_dispose(&ef);
  return ret;
}

static int
build_into(struct wi_aux_plan *p, struct wi_store *base_store, struct wi_store *out,
           const char *name, struct wi_aux_result *res, wi_err *err)
{
  struct wi_descriptor *descs = wi_xcalloc(p->n_platforms, sizeof *descs);
  struct layer_memo memo = { 0 };
  struct wi_descriptor top = { 0 };
  int ret = 0;

  res->layer_bytes = 0;
  for (size_t i = 0; i < p->n_platforms && ret == 0; i++) {
    char pf[80];
    wi_platform_format(&p->platforms[i], pf, sizeof pf);
    ret = build_platform(p, base_store, out, &p->platforms[i], &memo, &descs[i], &res->layer_bytes,
                         err);
    if (ret < 0)
      wi_err_wrap(err, "%s", pf);
  }
  free(memo.key);
  if (ret == 0 && p->n_platforms == 1 && p->o.platforms.n <= 1) {
    wi_descriptor_copy(&top, &descs[0]);
    top.has_platform = false;
  } else if (ret == 0) {
    struct wi_manifest idx = { .kind = WI_MANIFEST_INDEX,
                               .schema_version = 2,
                               .media_type = mt_index,
                               .manifests = descs,
                               .n_manifests = p->n_platforms };
    ret = wi_store_put_manifest(out, &idx, &top, err);
  }
  if (ret == 0)
    ret = wi_store_tag(out, name, &top, err);
  if (ret == 0) {
    snprintf(res->digest, sizeof res->digest, "%s", top.digest);
    res->name = wi_xstrdup(name);
    res->n_platforms = p->n_platforms;
  }
  wi_descriptor_dispose(&top);
  for (size_t i = 0; i < p->n_platforms; i++)
    wi_descriptor_dispose(&descs[i]);
  free(descs);
  return ret;
}

static char *
tag_name(const struct wi_aux_plan *p, wi_err *err)
{
  struct wi_ref r = { 0 };
  if (wi_ref_parse(&r, p->o.tag, err) < 0) {
    wi_err_wrap(err, "--tag");
    return NULL;
  }
  char *n = wi_ref_name(&r);
  wi_ref_dispose(&r);
  return n;
}

static int run_engine(struct wi_aux_plan *p, struct wi_store *s, const char *name,
                      struct wi_aux_result *res, wi_err *err);

int
wi_aux_build(struct wi_aux_plan *p, struct wi_store *s, struct wi_aux_result *res, wi_err *err)
{
  wi_autofree char *name = tag_name(p, err);
  if (name == NULL)
    return err->code;
  if (p->needs_engine)
    return run_engine(p, s, name, res, err);
  return build_into(p, s, s, name, res, err);
}

int
wi_aux_build_push(struct wi_aux_plan *p, struct wi_store *s, bool keep, struct wi_aux_result *res,
                  wi_err *err)
{
  wi_autofree char *name = tag_name(p, err);
  wi_autofree char *tmp = NULL;
  wi_autoptr(wi_store) struct wi_store *ts = NULL;
  int ret;

  if (name == NULL)
    return err->code;
  if (keep || p->needs_engine) {
    ret = wi_aux_build(p, s, res, err);
  } else {
    /* a private layout: nothing is named in the store */
    tmp = wi_mkdtemp("wlsimg-aux", err);
    if (tmp == NULL)
      return err->code;
    ret = wi_store_open(&ts, tmp, true, err);
    if (ret == 0)
      ret = build_into(p, s, ts, name, res, err);
  }
  if (ret == 0) {
    struct wi_transfer_opts o = p->o.transfer;
    o.platform = "all";
    char digest[WI_DIGEST_MAX] = "";
    ret = wi_push(ts ? ts : s, name, p->o.tag, &o, digest, err);
    if (ret == 0 && digest[0])
      snprintf(res->digest, sizeof res->digest, "%s", digest);
  }
  if (tmp) {
    wi_err e2 = { 0 };
    wi_rm_rf(tmp, &e2);
  }
  return ret;
}

/* ---- external engine (RUN in the additional build commands) ---- */

static bool
in_path(const char *exe)
{
  if (strchr(exe, '/'))
    return access(exe, X_OK) == 0;
  const char *path = getenv("PATH");
  if (!path)
    return false;
  wi_autofree char *pv = wi_xstrdup(path);
  for (char *save = NULL, *d = strtok_r(pv, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    wi_autofree char *f = wi_xasprintf("%s/%s", d, exe);
    if (access(f, X_OK) == 0)
      return true;
  }
  return false;
}

static int
spawn_wait(char *const argv[], wi_err *err)
{
  pid_t pid;
  int st;
  int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
  if (rc != 0) {
    errno = rc;
    return wi_err_sys(err, WI_EUNSUPPORTED, "cannot run %s", argv[0]);
  }
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR)
      return wi_err_sys(err, WI_ERR, "waiting for %s", argv[0]);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    return wi_err_set(err, WI_ERR, "Build command failed with error: %s %s exited with status %d",
                      argv[0], argv[1] ? argv[1] : "",
                      WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
  return 0;
}

struct argv {
  char **v;
  size_t n;
};

static void
argv_add(struct argv *a, char *s)
{
  a->v = wi_xreallocarray(a->v, a->n + 2, sizeof *a->v);
  a->v[a->n++] = s;
  a->v[a->n] = NULL;
}

static int
write_context(struct wi_aux_plan *p, const char *ctx, wi_err *err)
{
  wi_autofree char *df = wi_aux_render_dockerfile(p);
  wi_autofree char *dfp = wi_xasprintf("%s/Dockerfile", ctx);
  if (wi_write_file_atomic(dfp, df, strlen(df), 0644, err) < 0)
    return err->code;
  for (size_t i = 0; i < p->n_files; i++) {
    wi_autofree char *d = wi_xasprintf("%s/%s", ctx, p->files[i].base);
    wi_log(WI_LOG_INFO, "Copying %s to build context folder.", p->files[i].path);
    if (wi_copy_file(p->files[i].path, d, 0640, err) < 0)
      return err->code;
  }
  if (p->installer) {
    wi_autofree char *d = wi_xasprintf("%s/%s", ctx, p->installer_base);
    if (wi_copy_file(p->installer, d, 0640, err) < 0)
      return err->code;
  }
  for (size_t i = 0; i < p->o.additional_build_files.n; i++) {
    const char *f = p->o.additional_build_files.v[i];
    wi_autofree char *files = wi_xasprintf("%s/files", ctx);
    if (wi_mkdir_p(files, 0755, err) < 0)
      return err->code;
    char cp[] = "cp", rflag[] = "-R";
    wi_autofree char *src = wi_xstrdup(f);
    char *argv[] = { cp, rflag, src, files, NULL };
    if (spawn_wait(argv, err) < 0)
      return wi_err_wrap(err, "--additionalBuildFiles %s", f);
  }
  return 0;
}

static int
run_engine(struct wi_aux_plan *p, struct wi_store *s, const char *name, struct wi_aux_result *res,
           wi_err *err)
{
  const char *engine = p->o.builder               ? p->o.builder
                       : getenv("WLSIMG_BUILDER") ? getenv("WLSIMG_BUILDER")
                                                  : "docker";
  const char *slash = strrchr(engine, '/');
  const char *kind = slash ? slash + 1 : engine;
  int ret;

  if (!in_path(engine))
    return wi_err_set(
        err, WI_EUNSUPPORTED,
        "the additional build commands need a container engine (RUN or a package manager), but the builder %s is not installed; install docker, podman or buildah, or pass --builder",
        engine);
  const char *bld = getenv("WLSIMG_BLDDIR");
  wi_autofree char *ctx = NULL;
  if (bld && *bld) {
    wi_autofree char *tmpl = wi_xasprintf("%s/wlsimgbuilder_tempXXXXXX", bld);
    ctx = mkdtemp(tmpl) ? wi_steal(&tmpl) : NULL;
    if (ctx == NULL)
      return wi_err_sys(err, WI_EIO, "WLSIMG_BLDDIR %s", bld);
  } else if ((ctx = wi_mkdtemp("wlsimgbuilder_temp", err)) == NULL) {
    return err->code;
  }
  wi_log(WI_LOG_INFO, "Temporary directory used for image build context: %s", ctx);
  ret = write_context(p, ctx, err);
  struct argv a = { 0 };
  bool buildah = strcmp(kind, "buildah") == 0;
  argv_add(&a, wi_xstrdup(engine));
  argv_add(&a, wi_xstrdup(buildah ? "bud" : "build"));
  argv_add(&a, wi_xstrdup("--tag"));
  argv_add(&a, wi_xstrdup(p->o.tag));
  if (p->o.platforms.n) {
    struct wi_buf pl = WI_BUF_INIT(4096);
    for (size_t i = 0; i < p->o.platforms.n; i++)
      wi_buf_addf(&pl, NULL, "%s%s", i ? "," : "", p->o.platforms.v[i]);
    argv_add(&a, wi_xstrdup("--platform"));
    argv_add(&a, wi_buf_steal(&pl));
  }
  if (!p->o.skipcleanup && !buildah)
    argv_add(&a, wi_xstrdup("--force-rm"));
  if (p->o.build_network) {
    argv_add(&a, wi_xstrdup("--network"));
    argv_add(&a, wi_xstrdup(p->o.build_network));
  }
  if (p->o.pull)
    argv_add(&a, wi_xstrdup("--pull"));
  for (size_t i = 0; i < p->o.extra_args.n; i++)
    argv_add(&a, wi_xstrdup(p->o.extra_args.v[i]));
  for (size_t i = 0; i < p->o.build_args.n; i++) {
    argv_add(&a, wi_xstrdup("--build-arg"));
    argv_add(&a, wi_xstrdup(p->o.build_args.v[i]));
  }
  if (p->o.http_proxy) {
    argv_add(&a, wi_xstrdup("--build-arg"));
    argv_add(&a, wi_xasprintf("http_proxy=%s", p->o.http_proxy));
  }
  if (p->o.https_proxy) {
    argv_add(&a, wi_xstrdup("--build-arg"));
    argv_add(&a, wi_xasprintf("https_proxy=%s", p->o.https_proxy));
  }
  argv_add(&a, wi_xstrdup(ctx));
  if (ret == 0) {
    wi_log(WI_LOG_INFO, "Starting build: %s build --tag %s … %s", engine, p->o.tag, ctx);
    ret = spawn_wait(a.v, err);
  }
  /* Bring the result into the store through an OCI layout the engine writes. */
  if (ret == 0) {
    wi_autofree char *lay = wi_xasprintf("oci:%s/oci:%s", ctx, "aux");
    struct argv e = { 0 };
    argv_add(&e, wi_xstrdup(engine));
    if (strcmp(kind, "docker") == 0) {
      ret = wi_err_set(
          err, WI_EUNSUPPORTED,
          "the image %s was built by docker and stays in docker's storage; use --builder podman or buildah to have it in the wlsimg store",
          p->o.tag);
    } else {
      argv_add(&e, wi_xstrdup("push"));
      argv_add(&e, wi_xstrdup(p->o.tag));
      argv_add(&e, wi_xstrdup(lay));
      ret = spawn_wait(e.v, err);
      if (ret == 0) {
        struct wi_transfer_opts o = p->o.transfer;
        o.store_root = wi_store_root(s);
        ret = wi_copy_image(lay, name, &o, res->digest, err);
        if (ret == 0) {
          res->name = wi_xstrdup(name);
          res->n_platforms = 1;
        }
      }
    }
    for (size_t i = 0; i < e.n; i++)
      free(e.v[i]);
    free(e.v);
  }
  for (size_t i = 0; i < a.n; i++)
    free(a.v[i]);
  free(a.v);
  if (!p->o.skipcleanup) {
    wi_err e2 = { 0 };
    wi_rm_rf(ctx, &e2);
  }
  return ret;
}
