/* Unit tests: version numbers as WIT compares them (version.c). */
#include "harness.h"
#include "lib/alloc.h"
#include "lib/version.h"

TEST(compare)
{
  static const struct {
    const char *a, *b;
    int cmp;
  } cases[] = {
    { "13.9.4.2.17", "13.9.4.2.5", 1 },
    { "12.2.1.4.0", "12.2.1.4.0", 0 },
    { "12.2.1.4", "12.2.1.4.0", -1 },
    { "14.1.2.25", "14.1.2.0.0", 1 },
    { "1.0-beta", "1.0", -1 },
    { "1.0", "1.0-rc1", 1 },
    { "1.0-a", "1.0-b", -1 },
    { "007.1", "7.1", 0 },
    { "99999999999999999999.1", "1.1", 1 },
    { "4.10.0", "4.9.1", 1 },
  };
  wi_err err = { 0 };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    int c = 99;
    CHECK_INT_EQ(wi_version_compare(cases[i].a, cases[i].b, &c, &err), 0);
    CHECK_INT_EQ(c, cases[i].cmp);
  }
  int c = 0;
  CHECK_INT_EQ(wi_version_compare(NULL, "1.0", &c, &err), WI_EINVAL);
  CHECK_STR_EQ(err.msg, "cannot compare null strings");
  CHECK_INT_EQ(wi_version_compare("12.x.1", "1.0", &c, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "not dotted numbers");
  CHECK_INT_EQ(wi_version_compare("1..2", "1.0", &c, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "not dotted numbers");
  CHECK_INT_EQ(wi_version_compare("1.0", "", &c, &err), WI_EINVAL);
  CHECK_STR_EQ(err.msg, "cannot compare null strings");
}

int
main(void)
{
  RUN(compare);
  DONE();
}
