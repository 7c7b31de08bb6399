/* wlsimg: /etc/passwd and /etc/group text as an auxiliary image build edits it: lookups, --chown
 * values, and users and groups added as busybox adduser/addgroup would. */
#ifndef WI_PASSWD_H
#define WI_PASSWD_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"

/* A numeric uid or gid: 1-10 digits, below 4294967295 ((uid_t)-1). */
bool wi_passwd_is_id(const char *s);
/* Field f (0-based) of the /etc/passwd- or /etc/group-style line whose first field is name;
 * NULL if none. malloc'ed. */
char *wi_passwd_lookup(const char *text, const char *name, int want_field);
/* --chown value: "user:group", names by WIT's regex or numeric ids. WI_EINVAL naming the part. */
int wi_passwd_parse_chown(const char *s, char **user_out, char **group_out, wi_err *err);

struct wi_ids {
  uint32_t uid, gid;
  bool added_user, added_group;
};
/* Resolve user and group (names or numbers) against /etc/passwd and /etc/group text, adding what
 * is missing as busybox addgroup/adduser -D -G would (first free id ≥ 1000; gecos "Linux User,,,",
 * home /home/<user>, shell /bin/sh). *passwd and *group are replaced by the edited text (malloc'ed;
 * may start NULL = empty file). shadow (optional, may point at NULL) gets
 * "<user>:!:<days>:0:99999:7:::". */
int wi_passwd_resolve_ids(const char *user, const char *group, char **passwd, char **group_text,
                          char **shadow, int64_t epoch, struct wi_ids *ids, wi_err *err);

/* USER <user> and COPY --chown=<user>:<group> as an engine resolves them in an image's files,
 * adding nothing: uid and primary gid of user (a number not in /etc/passwd runs with group 0), gid
 * of group (a name from /etc/group, or a number). WI_EINVAL "user oracle is not in /etc/passwd of
 * <where>" (or the group). */
struct wi_passwd_owner {
  uint32_t uid, pgid, gid;
};
int wi_passwd_owner(const char *passwd, const char *group, const char *user, const char *grp,
                    const char *where, struct wi_passwd_owner *out, wi_err *err);
/* Whether a process of user (name or number; primary group pgid) is in group gid: its primary
 * group, or a member listed in /etc/group. */
bool wi_passwd_member(const char *group, const char *user, uint32_t pgid, uint32_t gid);

#endif
