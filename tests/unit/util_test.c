/* Unit tests for util.c and buf.c: secret buffers and reads, the UTF-8 decoder. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/str.h"

TEST(secret_buf_grows_and_keeps_its_content)
{
  struct wi_buf b = WI_BUF_INIT_SECRET(100000);
  char want[70000];
  for (size_t i = 0; i < sizeof want; i++)
    want[i] = (char)('a' + i % 26);
  for (size_t i = 0; i < sizeof want; i += 7)
    CHECK_INT_EQ(wi_buf_add(&b, want + i, i + 7 <= sizeof want ? 7 : sizeof want - i, NULL), 0);
  CHECK_INT_EQ(b.len, sizeof want);
  CHECK(memcmp(b.data, want, sizeof want) == 0);
  CHECK_INT_EQ(b.data[b.len], '\0');
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_buf_add(&b, want, 40000, &err), WI_ETOOBIG);
  CHECK_INT_EQ(b.len, sizeof want);
  wi_buf_dispose(&b);
  CHECK(b.data == NULL);

  struct wi_buf plain;
  memset(&plain, 0xff, sizeof plain); /* wi_buf_init sets every field */
  wi_buf_init(&plain, 10);
  CHECK(!plain.secret);
}

TEST(read_fd_secret)
{
  int p[2];
  wi_err err = { 0 };
  char *data = NULL;
  size_t len = 0;

  CHECK_INT_EQ(pipe(p), 0);
  CHECK_INT_EQ(write(p[1], "tok\0en", 6), 6);
  close(p[1]);
  CHECK_INT_EQ(wi_fs_read_fd_secret(p[0], "the pipe", 100, &data, &len, &err), 0);
  CHECK_INT_EQ(len, 6);
  CHECK(data && memcmp(data, "tok\0en", 7) == 0);
  free(data);
  close(p[0]);

  data = NULL;
  CHECK_INT_EQ(wi_fs_read_file_secret("/dev/zero", 10000, &data, &len, &err), WI_ETOOBIG);
  CHECK_STR_HAS(err.msg, "/dev/zero: larger than 10000 bytes");
  CHECK(data == NULL);
  CHECK_INT_EQ(wi_fs_read_file_secret("/nonexistent/x", 10, &data, &len, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "open /nonexistent/x");
}

TEST(utf8_decode)
{
  static const struct {
    const char *s;
    size_t n;
    size_t want;
    uint32_t cp;
  } t[] = {
    { "A", 1, 1, 0x41 },
    { "\xc3\xa9", 2, 2, 0xe9 },
    { "\xe2\x82\xac", 3, 3, 0x20ac },
    { "\xf0\x9f\x98\x80", 4, 4, 0x1f600 },
    { "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
    { "\xc0\x80", 2, 0, 0 },         /* overlong NUL */
    { "\xe0\x80\xaf", 3, 0, 0 },     /* overlong '/' */
    { "\xed\xa0\x80", 3, 0, 0 },     /* surrogate */
    { "\xf4\x90\x80\x80", 4, 0, 0 }, /* above U+10FFFF */
    { "\xe2\x82", 2, 0, 0 },         /* truncated by n */
    { "\xe2\x82\xac", 2, 0, 0 },     /* the same, bytes there but not allowed */
    { "\x80", 1, 0, 0 },             /* continuation byte first */
    { "\xc3(", 2, 0, 0 },            /* bad continuation */
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(t); i++) {
    uint32_t cp = 0;
    size_t got = wi_str_utf8_decode((const unsigned char *)t[i].s, t[i].n, &cp);
    CHECK_INT_EQ(got, t[i].want);
    if (got)
      CHECK_INT_EQ(cp, t[i].cp);
  }
}

TEST(escape_ctl)
{
  static const struct {
    const char *in;
    size_t outlen;
    const char *want;
  } t[] = {
    { "plain text, caf\xc3\xa9", 64, "plain text, caf\xc3\xa9" },
    { "\x1b[2J\x1b]0;title\x07", 64, "\\x1b[2J\\x1b]0;title\\x07" },
    { "a\r\nb\tc\\d", 64, "a\\r\\nb\\tc\\\\d" },
    { "del\x7f", 64, "del\\x7f" },
    { "csi\xc2\x9b"
      "31m",
      64, "csi\\u009b31m" },                /* C1 control as UTF-8 */
    { "nbsp\xc2\xa0", 64, "nbsp\xc2\xa0" }, /* U+00A0 is printable */
    { "raw\x9b\xff", 64, "raw\\x9b\\xff" }, /* not UTF-8 */
    { "abc\x1b", 7, "abc" },                /* an escape that does not fit is left out */
    { "ab\xe2\x82\xac", 5, "ab" },          /* so is a character */
    { "abc", 1, "" },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(t); i++) {
    char out[64];
    size_t n = wi_str_escape_ctl(out, t[i].outlen, t[i].in, strlen(t[i].in));
    CHECK_STR_EQ(out, t[i].want);
    CHECK_INT_EQ(n, strlen(t[i].want));
  }
  char nul[8];
  CHECK_INT_EQ(wi_str_escape_ctl(nul, sizeof nul, "a\0b", 3), 6);
  CHECK_STR_EQ(nul, "a\\x00b");
}

int
main(void)
{
  RUN(secret_buf_grows_and_keeps_its_content);
  RUN(read_fd_secret);
  RUN(utf8_decode);
  RUN(escape_ctl);
  DONE();
}
