/* wi_err: codes travel through wi_err_wrap, with or without an error struct. */
#include <errno.h>

#include "harness.h"
#include "lib/err.h"

static int
find(const char *what, wi_err *err)
{
  return wi_err_set(err, WI_ENOTFOUND, "%s: not found", what);
}

static int
open_thing(wi_err *err)
{
  if (find("blob", err) < 0)
    return wi_err_wrap(err, "open");
  return 0;
}

TEST(wrap_keeps_the_code)
{
  wi_err err = { 0 };
  CHECK_INT_EQ(open_thing(&err), WI_ENOTFOUND);
  CHECK_INT_EQ(err.code, WI_ENOTFOUND);
  CHECK_STR_EQ(err.msg, "open: blob: not found");
}

TEST(wrap_keeps_the_code_without_an_error_struct)
{
  /* callers that only branch on the code pass NULL */
  CHECK_INT_EQ(open_thing(NULL), WI_ENOTFOUND);
  errno = EACCES;
  CHECK_INT_EQ(wi_err_sys(NULL, WI_EIO, "read %s", "x"), WI_EIO);
  CHECK_INT_EQ(wi_err_wrap(NULL, "ctx"), WI_EIO);
}

TEST(wrap_of_an_unset_error_is_a_failure)
{
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_err_wrap(&err, "ctx"), WI_ERR);
  CHECK_STR_EQ(err.msg, "ctx: ");
}

TEST(set_and_sys)
{
  wi_err err = { 0 };
  errno = ENOENT;
  CHECK_INT_EQ(wi_err_sys(&err, WI_ENOTFOUND, "open %s", "/x"), WI_ENOTFOUND);
  CHECK_INT_EQ(err.sys_errno, ENOENT);
  CHECK_STR_HAS(err.msg, "open /x: ");
  CHECK_INT_EQ(wi_err_exit_status(WI_EUSAGE), 2);
  CHECK_INT_EQ(wi_err_exit_status(WI_ENOTFOUND), 1);
}

int
main(void)
{
  RUN(wrap_keeps_the_code);
  RUN(wrap_keeps_the_code_without_an_error_struct);
  RUN(wrap_of_an_unset_error_is_a_failure);
  RUN(set_and_sys);
  DONE();
}
