/* wlsimg: reading the zip and tar inputs of an auxiliary image, refusing entries that escape their
 * directory — see aux_int.h. */
#include "lib/aux_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"

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
wi_aux_archive_entry_name(struct archive_entry *ae)
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
  const char *n = wi_aux_archive_entry_name(ae);
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
wi_aux_archive_next_entry(struct archive *a, const char *file, const char *verb,
                          struct archive_entry **ae, wi_err *err)
{
  int r = archive_read_next_header(a, ae);
  if (r == ARCHIVE_EOF)
    return 0;
  if (r < ARCHIVE_WARN)
    return wi_err_set(err, WI_EINVAL, "%s%s%s: %s", verb ? verb : "", verb ? " " : "", file,
                      archive_error_string(a));
  if (check_entry(file, *ae, err) < 0)
    return err->code;
  return 1;
}

char *
wi_aux_archive_entry_relname(struct archive_entry *ae)
{
  char *n = wi_xstrdup(wi_aux_archive_entry_name(ae));
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
wi_aux_archive_open(const char *path, wi_err *err)
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
int
wi_aux_archive_scan(const char *path, char ***names, size_t *n, wi_err *err)
{
  struct archive *a = wi_aux_archive_open(path, err);
  struct archive_entry *ae;
  int ret = 0;
  if (a == NULL)
    return err->code;
  while ((ret = wi_aux_archive_next_entry(a, path, NULL, &ae, err)) > 0) {
    if (names) {
      *names = wi_xreallocarray(*names, *n + 1, sizeof **names);
      (*names)[(*n)++] = wi_xstrdup(wi_aux_archive_entry_name(ae));
    }
  }
  archive_read_free(a);
  return ret;
}
