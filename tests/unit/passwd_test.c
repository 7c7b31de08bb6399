/* Unit tests: passwd.c — --chown parsing and /etc/passwd, /etc/group editing as busybox does. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/passwd.h"

TEST(chown_table)
{
  static const struct {
    const char *in, *user, *group, *err;
  } cases[] = {
    { "oracle:oracle", "oracle", "oracle", NULL },
    { "oracle:root", "oracle", "root", NULL },
    { "1000:0", "1000", "0", NULL },
    { "_svc-1:grp$", "_svc-1", "grp$", NULL },
    { "Oracle:oracle", NULL, NULL, "invalid user name Oracle" },
    { "oracle:1group", NULL, NULL, "invalid group name 1group" },
    { "oracle", NULL, NULL, "expected user:group" },
    { "a:b:c", NULL, NULL, "expected user:group" },
    { "abcdefghijabcdefghijabcdefghijabc:x", NULL, NULL, "invalid user name" },
    { "4294967294:0", "4294967294", "0", NULL },
    { "4294967295:0", NULL, NULL, "invalid user name 4294967295" }, /* (uid_t)-1 */
    { "9999999999:0", NULL, NULL, "invalid user name 9999999999" }, /* wrapped to 32 bits */
    { "0:5000000000", NULL, NULL, "invalid group name 5000000000" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *u = NULL, *g = NULL;
    wi_err err = { 0 };
    int r = wi_passwd_parse_chown(cases[i].in, &u, &g, &err);
    if (cases[i].err) {
      CHECK_INT_EQ(r, WI_EINVAL);
      CHECK_STR_HAS(err.msg, cases[i].err);
    } else {
      CHECK_INT_EQ(r, 0);
      CHECK_STR_EQ(u, cases[i].user);
      CHECK_STR_EQ(g, cases[i].group);
    }
    free(u);
    free(g);
  }
}

TEST(ids_busybox_adduser)
{
  char *pw =
      wi_xstrdup("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
  char *gr = wi_xstrdup("root:x:0:\nnobody:x:65534:\n");
  char *sh = wi_xstrdup("root:*:19000:0:99999:7:::\n");
  struct wi_ids ids;
  wi_err err = { 0 };
  CHECK_INT_EQ(
      wi_passwd_resolve_ids("oracle", "oracle", &pw, &gr, &sh, 86400 * 20000LL, &ids, &err), 0);
  CHECK_INT_EQ(ids.uid, 1000);
  CHECK_INT_EQ(ids.gid, 1000);
  CHECK(ids.added_user && ids.added_group);
  CHECK_STR_HAS(pw, "\noracle:x:1000:1000:Linux User,,,:/home"
                    "/oracle:/bin/sh\n");
  CHECK_STR_HAS(gr, "\noracle:x:1000:\n");
  CHECK_STR_HAS(sh, "\noracle:!:20000:0:99999:7:::\n");
  /* second user: next free uid, existing group reused */
  CHECK_INT_EQ(wi_passwd_resolve_ids("weblogic", "oracle", &pw, &gr, &sh, 0, &ids, &err), 0);
  CHECK_INT_EQ(ids.uid, 1001);
  CHECK_INT_EQ(ids.gid, 1000);
  CHECK(ids.added_user && !ids.added_group);
  /* existing user: nothing added */
  CHECK_INT_EQ(wi_passwd_resolve_ids("oracle", "root", &pw, &gr, &sh, 0, &ids, &err), 0);
  CHECK_INT_EQ(ids.uid, 1000);
  CHECK_INT_EQ(ids.gid, 0);
  CHECK(!ids.added_user && !ids.added_group);
  free(pw);
  free(gr);
  free(sh);
}

/* Every id of busybox's range taken (a crafted base image): a clear error, found in one pass. */
TEST(ids_range_exhausted)
{
  struct wi_buf b = WI_BUF_INIT(1 << 24);
  for (unsigned id = 1000; id <= 59999; id++)
    wi_buf_addf(&b, NULL, "u%u:x:%u:%u::/:/bin/sh\n", id, id, id);
  char *pw = wi_buf_steal(&b);
  struct wi_buf g = WI_BUF_INIT(1 << 24);
  for (unsigned id = 1000; id <= 59999; id++)
    wi_buf_addf(&g, NULL, "g%u:x:%u:\n", id, id);
  char *gr = wi_buf_steal(&g);
  struct wi_ids ids;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_passwd_resolve_ids("oracle", "root", &pw, &gr, NULL, 0, &ids, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "no free uid for user oracle");
  /* before, a new group silently got gid 60000 */
  CHECK_INT_EQ(wi_passwd_resolve_ids("oracle", "oracle", &pw, &gr, NULL, 0, &ids, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "no free gid for group oracle");
  free(pw);
  free(gr);
}

TEST(ids_numeric_and_empty)
{
  char *pw = NULL, *gr = NULL;
  struct wi_ids ids;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_passwd_resolve_ids("1000", "0", &pw, &gr, NULL, 0, &ids, &err), 0);
  CHECK_INT_EQ(ids.uid, 1000);
  CHECK_INT_EQ(ids.gid, 0);
  CHECK(pw == NULL && gr == NULL); /* numeric ids add nothing */
  /* a base without /etc/passwd: the files are created; a user with uid 1000 taken gets 1001 */
  pw = wi_xstrdup("other:x:1000:1000::/:/bin/sh"); /* no trailing newline */
  CHECK_INT_EQ(wi_passwd_resolve_ids("oracle", "root", &pw, &gr, NULL, 0, &ids, &err), 0);
  CHECK_INT_EQ(ids.uid, 1001);
  CHECK_STR_EQ(pw, "other:x:1000:1000::/:/bin/sh\noracle:x:1001:0:Linux User,,,:/home"
                   "/oracle:/bin/sh\n");
  CHECK_STR_EQ(gr,
               "root:x:0:\n"); /* "root" was not in the (empty) group file: gid 0 all the same */
  free(pw);
  free(gr);
}

/* USER and COPY --chown as an engine resolves them (rebase, model-only update) */
TEST(owner_and_member)
{
  const char *pw = "root:x:0:0:root:/root:/bin/bash\noracle:x:1000:0::/u01:/bin/bash\n"
                   "web:x:1001:1001::/:/bin/sh";
  const char *gr = "root:x:0:\noracle:x:1000:web,other\nweb:x:1001:\ndba:x:54322:oracle";
  struct wi_passwd_owner ow;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_passwd_owner(pw, gr, "oracle", "root", "the target image", &ow, &err), 0);
  CHECK_INT_EQ(ow.uid, 1000);
  CHECK_INT_EQ(ow.pgid, 0);
  CHECK_INT_EQ(ow.gid, 0);
  CHECK_INT_EQ(wi_passwd_owner(pw, gr, "1001", "dba", "x", &ow, &err), 0);
  CHECK_INT_EQ(ow.uid, 1001);
  CHECK_INT_EQ(ow.pgid, 1001); /* a number found in /etc/passwd: its primary group */
  CHECK_INT_EQ(ow.gid, 54322);
  CHECK_INT_EQ(wi_passwd_owner(pw, gr, "4242", "7", "x", &ow, &err), 0);
  CHECK_INT_EQ(ow.pgid, 0); /* an unknown number runs with group 0 */
  CHECK_INT_EQ(ow.gid, 7);
  CHECK_INT_EQ(wi_passwd_owner(pw, gr, "nobody", "root", "the image to update", &ow, &err),
               WI_EINVAL);
  CHECK_STR_EQ(err.msg, "user nobody is not in /etc/passwd of the image to update");
  CHECK_INT_EQ(wi_passwd_owner(pw, gr, "oracle", "staff", "the target image", &ow, &err),
               WI_EINVAL);
  CHECK_STR_EQ(err.msg, "group staff is not in /etc/group of the target image");

  CHECK(wi_passwd_member(gr, "oracle", 0, 0));     /* primary */
  CHECK(wi_passwd_member(gr, "oracle", 0, 54322)); /* last member of the last line */
  CHECK(wi_passwd_member(gr, "web", 1001, 1000));  /* first of two members */
  CHECK(wi_passwd_member(gr, "other", 5, 1000));   /* last of two members */
  CHECK(!wi_passwd_member(gr, "oracle", 0, 1001)); /* a group without members */
  CHECK(!wi_passwd_member(gr, "oth", 5, 1000));    /* a prefix of a member is not one */
  CHECK(!wi_passwd_member(gr, "oracle", 0, 4242)); /* no such group */
  CHECK(!wi_passwd_member("", "oracle", 0, 1));
}

int
main(void)
{
  RUN(owner_and_member);
  RUN(chown_table);
  RUN(ids_busybox_adduser);
  RUN(ids_range_exhausted);
  RUN(ids_numeric_and_empty);
  DONE();
}
