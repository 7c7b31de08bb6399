/* wlsimg: reading the zip and tar inputs of an auxiliary image, refusing entries that escape their
 * directory — see aux_int.h. */
#include "lib/aux_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <search.h>
#include <stdint.h>
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

/* ---- links, resolved as extraction would ----
 *
 * Each link above is harmless alone, but a chain is not: with a/b -> .. and a/b/c -> .., the
 * entry a/b/c/x lands above the root. The tracker remembers every path of the archive and where
 * its symbolic links lead. Entries beneath a link of the same archive are refused whatever the
 * order (a layer is written sorted by path, so even an entry listed before the link would be
 * written through it), and at the end every link target is resolved through the others. */

#define MAX_LINK_HOPS 40 /* the kernel's limit for one path */

enum { P_ENTRY = 1, P_PARENT = 2, P_LINK = 4 };

struct pnode {
  char *path; /* components joined by '/', without "" or "." */
  unsigned kind;
  char *target; /* P_LINK: as written in the archive */
};

struct wi_aux_archive_links {
  void *tree; /* tsearch tree of struct pnode, by path */
  struct pnode **links;
  size_t n_links;
};

static int
pnode_cmp(const void *a, const void *b)
{
  return strcmp(((const struct pnode *)a)->path, ((const struct pnode *)b)->path);
}

static void
pnode_free(void *p)
{
  struct pnode *n = p;
  free(n->path);
  free(n->target);
  free(n);
}

struct wi_aux_archive_links *
wi_aux_archive_links_new(void)
{
  return wi_xcalloc(1, sizeof(struct wi_aux_archive_links));
}

void
wi_aux_archive_links_free(struct wi_aux_archive_links *l)
{
  if (l == NULL)
    return;
  tdestroy(l->tree, pnode_free);
  free(l->links);
  free(l);
}

static struct pnode *
pnode_find(const struct wi_aux_archive_links *l, const char *path)
{
  struct pnode key = { .path = (char *)(uintptr_t)path };
  void *const *found = tfind(&key, &l->tree, pnode_cmp);
  return found ? *found : NULL;
}

static struct pnode *
pnode_get(struct wi_aux_archive_links *l, const char *path)
{
  struct pnode *n = pnode_find(l, path);
  if (n)
    return n;
  n = wi_xcalloc(1, sizeof *n);
  n->path = wi_xstrdup(path);
  if (tsearch(n, &l->tree, pnode_cmp) == NULL)
    abort(); /* out of memory */
  return n;
}

/* "./a//b/../c/" -> "a/c"; NULL when ".." leaves the root. */
char *
wi_aux_archive_clean_path(const char *p)
{
  char *out = wi_xcalloc(1, strlen(p) + 1);
  size_t ol = 0;
  for (const char *s = p; *s;) {
    size_t len = strcspn(s, "/");
    if (len == 2 && s[0] == '.' && s[1] == '.') {
      if (ol == 0) {
        free(out);
        return NULL;
      }
      while (ol > 0 && out[ol - 1] != '/')
        ol--;
      ol -= ol > 0;
    } else if (len > 0 && !(len == 1 && s[0] == '.')) {
      if (ol)
        out[ol++] = '/';
      memcpy(out + ol, s, len);
      ol += len;
    }
    out[ol] = '\0';
    s += len;
    while (*s == '/')
      s++;
  }
  return out;
}

/* An entry's name as a tracker key; the caller has refused ".." (an empty name stands for one
 * that would leave, and is never a key). */
static char *
norm_name(const char *p)
{
  char *n = wi_aux_archive_clean_path(p);
  return n ? n : wi_xstrdup("");
}

/* The first proper prefix of path (a normalised name) that is a symbolic link, or NULL. */
static const struct pnode *
link_above(const struct wi_aux_archive_links *l, const char *path)
{
  wi_autofree char *t = wi_xstrdup(path);
  for (char *s = strchr(t, '/'); s; s = strchr(s + 1, '/')) {
    *s = '\0';
    const struct pnode *n = pnode_find(l, t);
    *s = '/';
    if (n && (n->kind & P_LINK))
      return n;
  }
  return NULL;
}

enum { R_INSIDE, R_OUTSIDE, R_LOOP };

/* Follow path (relative to the root, "." and ".." allowed) through the links as the kernel would:
 * a link's target continues from the directory the link is in, and ".." applies to where a link
 * led. *via is the last link followed. */
static int
resolve(const struct wi_aux_archive_links *l, const char *path, const struct pnode **via)
{
  wi_autofree char *rest = wi_xstrdup(path);
  wi_autofree char *cur = wi_xstrdup("");
  size_t pos = 0;
  int hops = 0;

  *via = NULL;
  for (;;) {
    while (rest[pos] == '/')
      pos++;
    if (rest[pos] == '\0')
      return R_INSIDE;
    const char *c = rest + pos;
    size_t len = strcspn(c, "/");
    pos += len;
    if (len == 1 && c[0] == '.')
      continue;
    if (len == 2 && c[0] == '.' && c[1] == '.') {
      if (cur[0] == '\0')
        return R_OUTSIDE;
      char *slash = strrchr(cur, '/');
      *(slash ? slash : cur) = '\0';
      continue;
    }
    char *next = cur[0] ? wi_xasprintf("%s/%.*s", cur, (int)len, c) : wi_xstrndup(c, len);
    const struct pnode *n = pnode_find(l, next);
    if (n == NULL || !(n->kind & P_LINK)) {
      free(cur);
      cur = next;
      continue;
    }
    free(next);
    *via = n;
    if (++hops > MAX_LINK_HOPS)
      return R_LOOP;
    if (n->target[0] == '/')
      return R_OUTSIDE;
    char *nr = wi_xasprintf("%s/%s", n->target, rest + pos);
    free(rest);
    rest = nr;
    pos = 0;
  }
}

/* One entry, in archive order: refused when it lies beneath a link, comes after a link of the same
 * name, or is a link coming after entries at or beneath its path. */
static int
track_entry(struct wi_aux_archive_links *l, const char *file, struct archive_entry *ae, wi_err *err)
{
  wi_autofree char *n = norm_name(wi_aux_archive_entry_name(ae));
  bool is_link = archive_entry_filetype(ae) == AE_IFLNK && !archive_entry_hardlink(ae);
  const char *hl = archive_entry_hardlink(ae);
  const struct pnode *up;

  if (n[0] == '\0')
    return 0; /* the root itself */
  if ((up = link_above(l, n)) != NULL)
    return wi_err_set(
        err, WI_EINVAL,
        "%s: entry %s lies beneath the symbolic link %s -> %s: extracting it would write through the link",
        file, n, up->path, up->target);
  if (hl) {
    wi_autofree char *h = norm_name(hl);
    if ((up = link_above(l, h)) != NULL)
      return wi_err_set(err, WI_EINVAL,
                        "%s: hard link %s -> %s goes through the symbolic link %s -> %s", file, n,
                        h, up->path, up->target);
  }
  struct pnode *node = pnode_get(l, n);
  if (node->kind & P_LINK)
    return wi_err_set(err, WI_EINVAL, "%s: entry %s replaces the symbolic link %s -> %s", file, n,
                      n, node->target);
  if (is_link && node->kind)
    return wi_err_set(err, WI_EINVAL,
                      "%s: symbolic link %s comes after entries at or beneath that path", file, n);
  node->kind |= P_ENTRY;
  if (is_link) {
    node->kind |= P_LINK;
    node->target = wi_xstrdup(archive_entry_symlink(ae) ? archive_entry_symlink(ae) : "");
    l->links = wi_xreallocarray(l->links, l->n_links + 1, sizeof *l->links);
    l->links[l->n_links++] = node;
  }
  for (char *s = strchr(n, '/'); s; s = strchr(s + 1, '/')) {
    *s = '\0';
    pnode_get(l, n)->kind |= P_PARENT;
    *s = '/';
  }
  return 0;
}

/* At the end: every link's target, resolved through the others, stays inside. */
static int
check_links(const struct wi_aux_archive_links *l, const char *file, wi_err *err)
{
  for (size_t i = 0; i < l->n_links; i++) {
    const struct pnode *k = l->links[i], *via = NULL;
    int r = resolve(l, k->path, &via);
    if (r == R_LOOP)
      return wi_err_set(err, WI_EINVAL,
                        "%s: symbolic link %s -> %s: too many levels of symbolic links", file,
                        k->path, k->target);
    if (r == R_OUTSIDE && via && via != k)
      return wi_err_set(
          err, WI_EINVAL,
          "%s: symbolic link %s -> %s leads outside the archive through the symbolic link %s -> %s",
          file, k->path, k->target, via->path, via->target);
    if (r == R_OUTSIDE)
      return wi_err_set(err, WI_EINVAL, "%s: symbolic link %s -> %s points outside the archive",
                        file, k->path, k->target);
  }
  return 0;
}

int
wi_aux_archive_next_entry(struct archive *a, const char *file, const char *verb,
                          struct wi_aux_archive_links *links, struct archive_entry **ae,
                          wi_err *err)
{
  int r = archive_read_next_header(a, ae);
  if (r == ARCHIVE_EOF)
    return links ? check_links(links, file, err) : 0;
  if (r < ARCHIVE_WARN)
    return wi_err_set(err, WI_EINVAL, "%s%s%s: %s", verb ? verb : "", verb ? " " : "", file,
                      archive_error_string(a));
  if (check_entry(file, *ae, err) < 0 || (links && track_entry(links, file, *ae, err) < 0))
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
  struct wi_aux_archive_links *links = wi_aux_archive_links_new();
  struct archive_entry *ae;
  int ret = 0;
  if (a == NULL) {
    wi_aux_archive_links_free(links);
    return err->code;
  }
  while ((ret = wi_aux_archive_next_entry(a, path, NULL, links, &ae, err)) > 0) {
    if (names) {
      *names = wi_xreallocarray(*names, *n + 1, sizeof **names);
      (*names)[(*n)++] = wi_xstrdup(wi_aux_archive_entry_name(ae));
    }
  }
  wi_aux_archive_links_free(links);
  archive_read_free(a);
  return ret;
}
