/* struct wi_buf: the cap, the sticky failure, and that a failed buffer cannot be used unchecked. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "lib/buf.h"

TEST(cap_failure_sticks)
{
  struct wi_buf b = WI_BUF_INIT(8);
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_buf_adds(&b, "abcdef", &err), 0);
  CHECK_INT_EQ(wi_buf_adds(&b, "ghi", &err), WI_ETOOBIG); /* 9 > 8 */
  CHECK_STR_HAS(err.msg, "limit of 8 bytes");
  /* "gh" would fit, but nothing goes in after a failure: no hole in the middle of the data */
  CHECK_INT_EQ(wi_buf_adds(&b, "gh", NULL), WI_ETOOBIG);
  CHECK_INT_EQ(wi_buf_addf(&b, NULL, "%d", 1), WI_ETOOBIG);
  CHECK_INT_EQ(b.len, 6);
  wi_err e2 = { 0 };
  CHECK_INT_EQ(wi_buf_error(&b, "the test text", &e2), WI_ETOOBIG);
  CHECK_STR_EQ(e2.msg, "the test text exceeds the limit of 8 bytes");
  /* reset forgets the failure along with the data */
  wi_buf_reset(&b);
  CHECK_INT_EQ(wi_buf_error(&b, "x", NULL), 0);
  CHECK_INT_EQ(wi_buf_adds(&b, "12345678", NULL), 0);
  CHECK_STR_EQ(wi_buf_cstr(&b), "12345678");
  wi_buf_dispose(&b);
}

TEST(unchecked_appends_checked_once)
{
  /* the pattern the sticky failure allows: ignore each append, check where the result is used */
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  for (int i = 0; i < 1000; i++)
    wi_buf_addf(&b, NULL, "%d,", i);
  CHECK_INT_EQ(wi_buf_error(&b, "list", NULL), 0);
  char *s = wi_buf_steal(&b);
  CHECK(strncmp(s, "0,1,2,", 6) == 0);
  CHECK_INT_EQ(strlen(s), 3890);
  free(s);
}

TEST(clear_error_keeps_the_head)
{
  struct wi_buf b = WI_BUF_INIT(4);
  CHECK_INT_EQ(wi_buf_adds(&b, "abc", NULL), 0);
  CHECK_INT_EQ(wi_buf_adds(&b, "de", NULL), WI_ETOOBIG);
  wi_buf_clear_error(&b);
  CHECK_STR_EQ(wi_buf_cstr(&b), "abc");
  wi_buf_dispose(&b);
}

/* Run fn in a child; its termination signal (0 when it exited). */
static int
child_signal(void (*fn)(void))
{
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    fn();
    _exit(0);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

static void
steal_failed(void)
{
  struct wi_buf b = WI_BUF_INIT(2);
  wi_buf_adds(&b, "abc", NULL);
  free(wi_buf_steal(&b)); /* consumer forgot wi_buf_error */
}

static void
cstr_failed(void)
{
  struct wi_buf b = WI_BUF_INIT(2);
  wi_buf_adds(&b, "a", NULL);
  wi_buf_adds(&b, "bc", NULL);
  if (wi_buf_cstr(&b)[0] == 'a')
    _exit(3);
}

TEST(consuming_a_failed_buffer_unchecked_aborts)
{
  CHECK_INT_EQ(child_signal(steal_failed), SIGABRT);
  CHECK_INT_EQ(child_signal(cstr_failed), SIGABRT);
}

int
main(void)
{
  RUN(cap_failure_sticks);
  RUN(unchecked_appends_checked_once);
  RUN(clear_error_keeps_the_head);
  RUN(consuming_a_failed_buffer_unchecked_aborts);
  DONE();
}
