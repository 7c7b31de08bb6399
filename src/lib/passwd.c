/* wlsimg: /etc/passwd and /etc/group text: lookups, --chown parsing, and adding users and groups as
 * busybox adduser does — see passwd.h. */
#include "lib/passwd.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"

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
wi_passwd_is_id(const char *s)
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
wi_passwd_parse_chown(const char *s, char **user_out, char **group_out, wi_err *err)
{
  const char *colon = strchr(s, ':');
  if (colon == NULL || strchr(colon + 1, ':'))
    return wi_err_set(err, WI_EINVAL, "--chown %s: expected user:group", s);
  wi_autofree char *u = wi_xstrndup(s, (size_t)(colon - s));
  wi_autofree char *g = wi_xstrdup(colon + 1);
  if (!valid_name(u) && !wi_passwd_is_id(u))
    return wi_err_set(
        err, WI_EINVAL,
        "--chown %s: invalid user name %s (expected a POSIX user name or a numeric uid)", s, u);
  if (!valid_name(g) && !wi_passwd_is_id(g))
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
wi_passwd_lookup(const char *text, const char *name, int want_field)
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
wi_passwd_resolve_ids(const char *user, const char *group, char **passwd, char **group_text,
                      char **shadow, int64_t epoch, struct wi_ids *ids, wi_err *err)
{
  memset(ids, 0, sizeof *ids);
  const char *pw;
  const char *gr = *group_text ? *group_text : "";

  /* group first: adduser -G needs it */
  if (wi_passwd_is_id(group)) {
    ids->gid = (uint32_t)strtoul(group, NULL, 10);
  } else {
    wi_autofree char *gid = wi_passwd_lookup(gr, group, 2);
    if (gid && wi_passwd_is_id(gid)) {
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
  if (wi_passwd_is_id(user)) {
    ids->uid = (uint32_t)strtoul(user, NULL, 10);
    return 0;
  }
  pw = *passwd ? *passwd : "";
  wi_autofree char *uid = wi_passwd_lookup(pw, user, 2);
  if (uid && wi_passwd_is_id(uid)) {
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

/* ---- USER and COPY --chown, as an engine resolves them ---- */

/* Field 3 (gid) of the /etc/passwd line whose uid is uid. */
static bool
passwd_by_uid(const char *passwd, uint32_t uid, uint32_t *gid)
{
  for (const char *l = passwd; l && *l;) {
    const char *e = strchr(l, '\n');
    size_t ll = e ? (size_t)(e - l) : strlen(l);
    wi_autofree char *line = wi_xstrndup(l, ll);
    char *f[4] = { 0 };
    char *s = line;
    for (int i = 0; i < 4 && s; i++) {
      f[i] = s;
      s = strchr(s, ':');
      if (s)
        *s++ = '\0';
    }
    if (f[3] && wi_passwd_is_id(f[2]) && strtoul(f[2], NULL, 10) == uid) {
      *gid = wi_passwd_is_id(f[3]) ? (uint32_t)strtoul(f[3], NULL, 10) : 0;
      return true;
    }
    l = e ? e + 1 : NULL;
  }
  return false;
}

int
wi_passwd_owner(const char *passwd, const char *group, const char *user, const char *grp,
                const char *where, struct wi_passwd_owner *out, wi_err *err)
{
  memset(out, 0, sizeof *out);
  if (wi_passwd_is_id(user)) {
    out->uid = (uint32_t)strtoul(user, NULL, 10);
    if (!passwd_by_uid(passwd, out->uid, &out->pgid))
      out->pgid = 0; /* an unknown numeric user runs with group 0 */
  } else {
    wi_autofree char *uid = wi_passwd_lookup(passwd, user, 2);
    wi_autofree char *pg = wi_passwd_lookup(passwd, user, 3);
    if (uid == NULL || !wi_passwd_is_id(uid))
      return wi_err_set(err, WI_EINVAL, "user %s is not in /etc/passwd of %s", user, where);
    out->uid = (uint32_t)strtoul(uid, NULL, 10);
    out->pgid = pg && wi_passwd_is_id(pg) ? (uint32_t)strtoul(pg, NULL, 10) : 0;
  }
  if (wi_passwd_is_id(grp)) {
    out->gid = (uint32_t)strtoul(grp, NULL, 10);
    return 0;
  }
  wi_autofree char *gid = wi_passwd_lookup(group, grp, 2);
  if (gid == NULL || !wi_passwd_is_id(gid))
    return wi_err_set(err, WI_EINVAL, "group %s is not in /etc/group of %s", grp, where);
  out->gid = (uint32_t)strtoul(gid, NULL, 10);
  return 0;
}

bool
wi_passwd_member(const char *group, const char *user, uint32_t pgid, uint32_t gid)
{
  if (gid == pgid)
    return true;
  size_t ul = strlen(user);
  for (const char *l = group; l && *l;) {
    const char *e = strchr(l, '\n');
    size_t ll = e ? (size_t)(e - l) : strlen(l);
    /* name:x:gid:member,member */
    const char *f = l;
    for (int i = 0; i < 3 && f; i++) {
      f = memchr(f, ':', ll - (size_t)(f - l));
      if (f)
        f++;
    }
    const char *g2 = l;
    for (int i = 0; i < 2 && g2; i++) {
      g2 = memchr(g2, ':', ll - (size_t)(g2 - l));
      if (g2)
        g2++;
    }
    if (f && g2 && isdigit((unsigned char)*g2) && strtoul(g2, NULL, 10) == gid) {
      for (const char *m = f; m < l + ll;) {
        size_t ml = strcspn(m, ",\n");
        if (m + ml > l + ll)
          ml = (size_t)(l + ll - m);
        if (ml == ul && strncmp(m, user, ul) == 0)
          return true;
        m += ml + 1;
      }
    }
    l = e ? e + 1 : NULL;
  }
  return false;
}
