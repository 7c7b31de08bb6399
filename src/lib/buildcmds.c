/* wlsimg: WIT's additional build commands file — see buildcmds.h. */
#include "lib/buildcmds.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/strv.h"

#define MAX_CMD_FILE (1u << 20)

static const char *const names[WI_BUILDCMDS_N] = {
  "package-manager-packages", "initial-build-commands", "before-jdk-install",
  "after-jdk-install",        "before-fmw-install",     "after-fmw-install",
  "before-wdt-command",       "after-wdt-command",      "final-build-commands",
};

const char *
wi_buildcmds_name(enum wi_buildcmds_section s)
{
  return names[s];
}

const char *
wi_buildcmds_names(void)
{
  return "package-manager-packages, initial-build-commands, before-jdk-install, after-jdk-install, before-fmw-install, after-fmw-install, before-wdt-command, after-wdt-command, final-build-commands";
}

void
wi_buildcmds_dispose(struct wi_buildcmds *bc)
{
  for (size_t s = 0; s < WI_BUILDCMDS_N; s++) {
    wi_strv_free(bc->lines[s], bc->n[s]);
    bc->lines[s] = NULL;
    bc->n[s] = 0;
    bc->present[s] = false;
  }
}

static bool
is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

/* "[ name ]" with optional whitespace: the name's span, else false. */
static bool
header(const char *l, size_t len, const char **name, size_t *nlen)
{
  size_t a = 0, b = len;
  while (a < b && is_space(l[a]))
    a++;
  while (b > a && is_space(l[b - 1]))
    b--;
  if (b - a < 2 || l[a] != '[' || l[b - 1] != ']')
    return false;
  a++;
  b--;
  while (a < b && is_space(l[a]))
    a++;
  while (b > a && is_space(l[b - 1]))
    b--;
  *name = l + a;
  *nlen = b - a;
  return true;
}

static void
store(struct wi_buildcmds *bc, int sec, char **lines, size_t n)
{
  wi_strv_free(bc->lines[sec], bc->n[sec]);
  bc->lines[sec] = lines;
  bc->n[sec] = n;
  bc->present[sec] = true;
}

int
wi_buildcmds_load(struct wi_buildcmds *bc, const char *path, wi_err *err)
{
  struct stat st;
  wi_autofree char *text = NULL;
  size_t len = 0;
  if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
    return wi_err_set(err, WI_EINVAL, "Additional build command file does not exist: %s", path);
  if (wi_fs_read_file(path, MAX_CMD_FILE, &text, &len, err) < 0)
    return err->code;
  int cur = -1;
  char **buf = NULL;
  size_t nbuf = 0;
  /* lines as Java's BufferedReader.readLine splits them: \n, \r or \r\n */
  for (size_t pos = 0; pos < len;) {
    size_t ll = strcspn(text + pos, "\r\n");
    const char *l = text + pos;
    size_t next = pos + ll;
    if (next < len && text[next] == '\r' && next + 1 < len && text[next + 1] == '\n')
      next++;
    pos = next + 1;
    const char *name;
    size_t nlen;
    if (!header(l, ll, &name, &nlen)) {
      if (cur >= 0) {
        buf = wi_xreallocarray(buf, nbuf + 1, sizeof *buf);
        buf[nbuf++] = wi_xstrndup(l, ll);
      }
      continue;
    }
    int sec = -1;
    for (int i = 0; i < WI_BUILDCMDS_N; i++)
      if (strlen(names[i]) == nlen && memcmp(names[i], name, nlen) == 0)
        sec = i;
    if (sec < 0) {
      wi_strv_free(buf, nbuf);
      return wi_err_set(
          err, WI_EINVAL,
          "Additional build command section, %.*s, was not one of the valid sections: %s", (int)ll,
          l, wi_buildcmds_names());
    }
    if (cur >= 0) {
      wi_log(WI_LOG_DEBUG, "Additional build commands, adding %zu lines to section [%s]", nbuf,
             names[cur]);
      store(bc, cur, buf, nbuf);
    }
    buf = NULL;
    nbuf = 0;
    cur = sec;
  }
  /* a last section without any line is dropped */
  if (cur >= 0 && nbuf > 0)
    store(bc, cur, buf, nbuf);
  else
    wi_strv_free(buf, nbuf);
  return 0;
}

char **
wi_buildcmds_render(const struct wi_buildcmds *bc, enum wi_buildcmds_section s,
                    const struct wi_mustache_val *ctx, size_t *n_out)
{
  *n_out = 0;
  if (bc == NULL || !bc->present[s] || bc->n[s] == 0)
    return NULL;
  char **out = wi_xcalloc(bc->n[s], sizeof *out);
  for (size_t i = 0; i < bc->n[s]; i++) {
    wi_err e = { 0 };
    if (wi_mustache_render(bc->lines[s][i], ctx, &out[i], &e) < 0) {
      wi_log(WI_LOG_ERROR, "Unable to parse section %s of additionalBuildCommands: %s", names[s],
             e.msg);
      wi_strv_free(out, i);
      return NULL;
    }
  }
  *n_out = bc->n[s];
  return out;
}

char **
wi_buildcmds_instructions(const struct wi_buildcmds *bc, enum wi_buildcmds_section s,
                          const struct wi_mustache_val *ctx, size_t *n_out)
{
  size_t n = 0, k = 0;
  char **lines = wi_buildcmds_render(bc, s, ctx, &n);
  char **out = n ? wi_xcalloc(n, sizeof *out) : NULL;
  struct wi_buf joined = WI_BUF_INIT(MAX_CMD_FILE);
  for (size_t i = 0; i < n; i++) {
    const char *l = lines[i];
    size_t ll = strlen(l);
    bool more = ll && l[ll - 1] == '\\' && i + 1 < n;
    wi_buf_add(&joined, l, ll && l[ll - 1] == '\\' ? ll - 1 : ll, NULL);
    if (more)
      continue;
    const char *t = wi_buf_cstr(&joined);
    while (isspace((unsigned char)*t))
      t++;
    if (*t && *t != '#')
      out[k++] = wi_xstrdup(t);
    wi_buf_reset(&joined);
  }
  wi_buf_dispose(&joined);
  wi_strv_free(lines, n);
  *n_out = k;
  return out;
}

/* The keywords a native build applies: createAuxImage's (files from the context and config), and
 * those that only change the config. */
static const char *const native_kw[] = { "COPY", "ENV", "LABEL", "USER", "WORKDIR", "ARG", "ADD" };
static const char *const config_kw[] = { "ENV", "LABEL",      "USER",   "ARG",
                                         "CMD", "ENTRYPOINT", "EXPOSE", "STOPSIGNAL" };

/* One joined instruction: is its keyword one of kw (and, for COPY, not from a stage; for ADD, not a
 * URL)? Blank lines and comments are. */
static bool
instruction_in(const char *line, const char *const *kw, size_t n_kw)
{
  while (isspace((unsigned char)*line))
    line++;
  if (*line == '\0' || *line == '#')
    return true;
  size_t n = strcspn(line, " \t");
  for (size_t i = 0; i < n_kw; i++)
    if (strlen(kw[i]) == n && strncasecmp(line, kw[i], n) == 0)
      return !(strcmp(kw[i], "COPY") == 0 && strstr(line, "--from")) &&
             !(strcmp(kw[i], "ADD") == 0 && strstr(line, "://"));
  return false;
}

/* Does every joined instruction of the section pass instruction_in(kw)? */
static bool
section_in(const struct wi_buildcmds *bc, enum wi_buildcmds_section s, const char *const *kw,
           size_t n_kw)
{
  struct wi_buf joined = WI_BUF_INIT(MAX_CMD_FILE);
  bool ok = true;
  for (size_t i = 0; bc && bc->present[s] && i < bc->n[s] && ok; i++) {
    const char *l = bc->lines[s][i];
    size_t ll = strlen(l);
    wi_buf_add(&joined, l, ll && l[ll - 1] == '\\' ? ll - 1 : ll, NULL);
    if (ll && l[ll - 1] == '\\' && i + 1 < bc->n[s])
      continue;
    const char *t = wi_buf_cstr(&joined);
    ok = instruction_in(t, kw, n_kw);
    wi_buf_reset(&joined);
  }
  wi_buf_dispose(&joined);
  return ok;
}

bool
wi_buildcmds_native(const struct wi_buildcmds *bc, enum wi_buildcmds_section s)
{
  return section_in(bc, s, native_kw, sizeof native_kw / sizeof native_kw[0]);
}

bool
wi_buildcmds_config_only(const struct wi_buildcmds *bc, enum wi_buildcmds_section s)
{
  return section_in(bc, s, config_kw, sizeof config_kw / sizeof config_kw[0]);
}
