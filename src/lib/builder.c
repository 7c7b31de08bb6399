/* wlsimg: WIT-compatible auxiliary images, built natively — see builder.h. */
#include "lib/builder.h"
#include "lib/builder_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/witcache.h"
#include "lib/yaml.h"

static const char *const section_names[] = {
  "package-manager-packages", "initial-build-commands", "before-jdk-install",
  "after-jdk-install",        "before-fmw-install",     "after-fmw-install",
  "before-wdt-command",       "after-wdt-command",      "final-build-commands",
};
_Static_assert(WI_ARRAY_SIZE(section_names) == N_SECTIONS, "N_SECTIONS in builder_int.h");

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
  free(p->build_id);
  free(p);
}

const char *
wi_aux_plan_build_id(const struct wi_aux_plan *p)
{
  /* computed by a native build from its layer, else from the input files on first use */
  if (p->build_id[0] == '\0')
    aux_compute_build_id(p, NULL);
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

bool
aux_is_number(const char *s)
{
  if (*s == '\0' || strlen(s) > 10)
    return false;
  for (const char *c = s; *c; c++)
    if (!isdigit((unsigned char)*c))
      return false;
  /* an id: 4294967295 is (uid_t)-1, and 10 digits can go past 32 bits */
  return strtoull(s, NULL, 10) < UINT32_MAX;
}

int
wi_aux_parse_chown(const char *s, char **user_out, char **group_out, wi_err *err)
{
  const char *colon = strchr(s, ':');
  if (colon == NULL || strchr(colon + 1, ':'))
    return wi_err_set(err, WI_EINVAL, "--chown %s: expected user:group", s);
  wi_autofree char *u = wi_xstrndup(s, (size_t)(colon - s));
  wi_autofree char *g = wi_xstrdup(colon + 1);
  if (!valid_name(u) && !aux_is_number(u))
    return wi_err_set(
        err, WI_EINVAL,
        "--chown %s: invalid user name %s (expected a POSIX user name or a numeric uid)", s, u);
  if (!valid_name(g) && !aux_is_number(g))
    return wi_err_set(
        err, WI_EINVAL,
        "--chown %s: invalid group name %s (expected a POSIX group name or a numeric gid)", s, g);
  *user_out = wi_steal(&u);
  *group_out = wi_steal(&g);
  return 0;
}

/* ---- passwd / group editing ---- */

/* Field f (0-based) of the line whose first field is name; NULL if none. malloc'ed. */
char *
aux_db_lookup(const char *text, const char *name, int want_field)
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

#define FIRST_ID 1000
#define LAST_ID  59999 /* busybox adduser's range */

/* The first id in FIRST_ID..LAST_ID that no line uses in field f, or 0 when all are taken. One
 * pass over the text (the base image's file can be large). */
static uint32_t
first_free_id(const char *text, int field)
{
  wi_autofree bool *used = wi_xcalloc(LAST_ID - FIRST_ID + 1, sizeof *used);
  for (const char *p = text; p && *p;) {
    const char *e = strchr(p, '\n');
    size_t ll = e ? (size_t)(e - p) : strlen(p);
    const char *c = p;
    for (int i = 0; c && i < field; i++) {
      c = memchr(c, ':', ll - (size_t)(c - p));
      if (c)
        c++;
    }
    if (c && (size_t)(c - p) < ll && isdigit((unsigned char)*c)) {
      unsigned long id = strtoul(c, NULL, 10);
      if (id >= FIRST_ID && id <= LAST_ID)
        used[id - FIRST_ID] = true;
    }
    p = e ? e + 1 : NULL;
  }
  for (uint32_t id = FIRST_ID; id <= LAST_ID; id++)
    if (!used[id - FIRST_ID])
      return id;
  return 0;
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
  const char *pw;
  const char *gr = *group_text ? *group_text : "";

  /* group first: adduser -G needs it */
  if (aux_is_number(group)) {
    ids->gid = (uint32_t)strtoul(group, NULL, 10);
  } else {
    wi_autofree char *gid = aux_db_lookup(gr, group, 2);
    if (gid && aux_is_number(gid)) {
      ids->gid = (uint32_t)strtoul(gid, NULL, 10);
    } else {
      /* root is gid 0 even where the base lacks the line */
      ids->gid = strcmp(group, "root") == 0 ? 0 : first_free_id(gr, 2);
      if (ids->gid == 0 && strcmp(group, "root") != 0)
        return wi_err_set(err, WI_EINVAL, "no free gid for group %s in the base image's /etc/group",
                          group);
      wi_autofree char *line = wi_xasprintf("%s:x:%u:", group, ids->gid);
      append_line(group_text, line);
      ids->added_group = true;
    }
  }
  if (aux_is_number(user)) {
    ids->uid = (uint32_t)strtoul(user, NULL, 10);
    return 0;
  }
  pw = *passwd ? *passwd : "";
  wi_autofree char *uid = aux_db_lookup(pw, user, 2);
  if (uid && aux_is_number(uid)) {
    ids->uid = (uint32_t)strtoul(uid, NULL, 10);
    return 0;
  }
  /* busybox adduser -D -G group user */
  ids->uid = first_free_id(pw, 2);
  if (ids->uid == 0)
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
const char *
aux_entry_name(struct archive_entry *ae)
{
  const char *n = archive_entry_pathname(ae);
  if (n == NULL)
    return "";
  while (n[0] == '.' && n[1] == '/')
    n += 2;
  return n;
}

int
aux_check_entry(const char *file, struct archive_entry *ae, wi_err *err)
{
  const char *n = aux_entry_name(ae);
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

int
aux_next_entry(struct archive *a, const char *file, const char *verb, struct archive_entry **ae,
               wi_err *err)
{
  int r = archive_read_next_header(a, ae);
  if (r == ARCHIVE_EOF)
    return 0;
  if (r < ARCHIVE_WARN)
    return wi_err_set(err, WI_EINVAL, "%s%s%s: %s", verb ? verb : "", verb ? " " : "", file,
                      archive_error_string(a));
  if (aux_check_entry(file, *ae, err) < 0)
    return err->code;
  return 1;
}

char *
aux_entry_relname(struct archive_entry *ae)
{
  char *n = wi_xstrdup(aux_entry_name(ae));
  size_t nl = strlen(n);
  while (nl && n[nl - 1] == '/')
    n[--nl] = '\0';
  if (nl == 0 || strcmp(n, ".") == 0) {
    free(n);
    return NULL;
  }
  return n;
}

struct archive *
aux_open_archive(const char *path, wi_err *err)
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
  struct archive *a = aux_open_archive(path, err);
  struct archive_entry *ae;
  int ret = 0;
  if (a == NULL)
    return err->code;
  while ((ret = aux_next_entry(a, path, NULL, &ae, err)) > 0) {
    if (names) {
      *names = wi_xreallocarray(*names, *n + 1, sizeof **names);
      (*names)[(*n)++] = wi_xstrdup(aux_entry_name(ae));
    }
  }
  archive_read_free(a);
  return ret;
}

/* ---- plan ---- */

char *
aux_norm_abs(const char *p)
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
  if (wi_fs_read_file(path, MAX_CMD_FILE, &text, NULL, err) < 0)
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
      else {
        p->sec[cur].present = true;
        last = cur;
      }
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
  static const char *const ok[] = { "COPY", "ENV", "LABEL", "USER", "WORKDIR", "ARG", "ADD" };
  while (isspace((unsigned char)*line))
    line++;
  if (*line == '\0' || *line == '#')
    return true;
  size_t n = strcspn(line, " \t");
  for (size_t i = 0; i < WI_ARRAY_SIZE(ok); i++)
    if (strlen(ok[i]) == n && strncasecmp(line, ok[i], n) == 0)
      return !(i == 0 && strstr(line, "--from")) && !(i == 6 && strstr(line, "://"));
  return false;
}

/* Read VERSION.txt from the installer and check every entry. */
static int
scan_installer(struct wi_aux_plan *p, wi_err *err)
{
  struct archive *a = aux_open_archive(p->installer, err);
  struct archive_entry *ae;
  int ret = 0;
  if (a == NULL)
    return err->code;
  while ((ret = aux_next_entry(a, p->installer, NULL, &ae, err)) > 0) {
    const char *n = aux_entry_name(ae);
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

/* The build id: a UUID-form sha256 of the options and the content. layer_diff_id = NULL hashes the
 * input files themselves (dry runs, engine builds: nothing is built natively); otherwise the
 * content is the new layer's diff_id, which covers every input file's bytes, so native builds
 * need no extra pass over the inputs. Input files that cannot be read hash as "unreadable" (the
 * build then fails reading them). */
void
aux_compute_build_id(const struct wi_aux_plan *p, const char *layer_diff_id)
{
  struct wi_buf b = WI_BUF_INIT(1 << 24);
  char d[WI_DIGEST_MAX];
  wi_buf_addf(&b, NULL,
              "wlsimg-aux-v1\nfrom=%s\nwdtHome=%s\nmodelHome=%s\nchown=%s:%s\nopenshift=%d\n",
              p->from_image, p->wdt_home, p->wdt_model_home, p->user, p->group, p->o.openshift);
  wi_buf_addf(&b, NULL, "installer=%s\nepoch=%lld\n", p->installer ? p->installer_digest : "none",
              (long long)p->epoch);
  if (layer_diff_id)
    wi_buf_addf(&b, NULL, "layer=%s\n", layer_diff_id);
  for (size_t i = 0; i < p->n_files; i++) {
    char fd[WI_DIGEST_MAX] = "";
    wi_err e = { 0 };
    if (layer_diff_id == NULL && wi_digest_file(p->files[i].path, fd, NULL, &e) < 0)
      snprintf(fd, sizeof fd, "unreadable");
    wi_buf_addf(&b, NULL, "%s %s %s\n", p->files[i].kind, p->files[i].base, fd);
  }
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
  snprintf(p->build_id, BUILD_ID_SIZE, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16,
           h + 20);
}

int
wi_aux_plan_new(struct wi_aux_plan **out, const struct wi_aux_opts *o, wi_err *err)
{
  struct wi_aux_plan *p = wi_xcalloc(1, sizeof *p);
  int ret = 0;

  p->build_id = wi_xcalloc(1, BUILD_ID_SIZE);
  p->o = *o;
  p->from_given = o->from_image != NULL;
  p->from_image = wi_xstrdup(o->from_image ? o->from_image : "busybox");
  p->wdt_version = wi_xstrdup(o->wdt_version ? o->wdt_version : "latest");
  p->wdt_home = aux_norm_abs(o->wdt_home ? o->wdt_home : "/auxiliary");
  if (o->wdt_model_home) {
    p->wdt_model_home = aux_norm_abs(o->wdt_model_home);
  } else {
    p->wdt_model_home = wi_xasprintf("%s/models", strcmp(p->wdt_home, "/") ? p->wdt_home : "");
  }
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  p->epoch = sde && aux_is_number(sde) ? strtoll(sde, NULL, 10) : 0;

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
    /* WIT's "latest" is only a key: say which WDT this really is */
    wi_log(WI_LOG_INFO, "WDT installer %s: version %s, %s", p->installer,
           p->wdt_real_version ? p->wdt_real_version : "unknown (no weblogic-deploy/VERSION.txt)",
           p->installer_digest);
  }
  /* the build id is computed lazily: see aux_compute_build_id */
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

char *
aux_render_line(const struct wi_aux_plan *p, const char *line)
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
    wi_autofree char *l = aux_render_line(p, p->sec[s].lines[i]);
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
  wi_buf_addf(&b, NULL, "LABEL com.oracle.weblogic.imagetool.buildid=\"%s\"\n",
              wi_aux_plan_build_id(p));
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
