/* wlsimg unit-test harness: TAP-like lines and a closing "N passed, N failed" summary. */
#ifndef WI_HARNESS_H
#define WI_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int h_pass, h_fail, h_cur_failed;
static const char *h_cur;

#define CHECK(cond)                                                                         \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      fprintf(stderr, "  %s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, h_cur, #cond); \
      h_cur_failed = 1;                                                                     \
    }                                                                                       \
  } while (0)

#define CHECK_INT_EQ(a, b)                                                                       \
  do {                                                                                           \
    long long a_ = (long long)(a), b_ = (long long)(b);                                          \
    if (a_ != b_) {                                                                              \
      fprintf(stderr, "  %s:%d: %s: %s == %lld, expected %lld\n", __FILE__, __LINE__, h_cur, #a, \
              a_, b_);                                                                           \
      h_cur_failed = 1;                                                                          \
    }                                                                                            \
  } while (0)

#define CHECK_STR_EQ(a, b)                                                                       \
  do {                                                                                           \
    const char *a_ = (a), *b_ = (b);                                                             \
    if ((a_ == NULL) != (b_ == NULL) || (a_ && strcmp(a_, b_) != 0)) {                           \
      fprintf(stderr, "  %s:%d: %s: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, h_cur, \
              #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                       \
      h_cur_failed = 1;                                                                          \
    }                                                                                            \
  } while (0)

/* The message contains sub. */
#define CHECK_STR_HAS(a, sub)                                                                     \
  do {                                                                                            \
    const char *a_ = (a), *s_ = (sub);                                                            \
    if (a_ == NULL || strstr(a_, s_) == NULL) {                                                   \
      fprintf(stderr, "  %s:%d: %s: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, h_cur, \
              a_ ? a_ : "(null)", s_);                                                            \
      h_cur_failed = 1;                                                                           \
    }                                                                                             \
  } while (0)

#define TEST(name) static void name(void)

#define RUN(name)                                         \
  do {                                                    \
    h_cur = #name;                                        \
    h_cur_failed = 0;                                     \
    name();                                               \
    if (h_cur_failed) {                                   \
      h_fail++;                                           \
      printf("not ok %d - %s\n", h_pass + h_fail, #name); \
    } else {                                              \
      h_pass++;                                           \
      printf("ok %d - %s\n", h_pass + h_fail, #name);     \
    }                                                     \
  } while (0)

#define DONE()                                        \
  do {                                                \
    printf("%d passed, %d failed\n", h_pass, h_fail); \
    return h_fail ? 1 : 0;                            \
  } while (0)

#endif
