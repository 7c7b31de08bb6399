/* wlsimg: allocation that aborts on out-of-memory, and cleanup attributes.
 *
 * Allocation helpers abort on out-of-memory (sizes from input are capped before allocating).
 * Cleanup attributes free or close on scope exit; hand results out with wi_steal().
 */
#ifndef WI_ALLOC_H
#define WI_ALLOC_H

#include <stddef.h>

#include "lib/err.h"

void wi_freep(void *pp);
void wi_closep(int *fdp);
void wi_fclosep(void *fpp);

#define wi_autofree   __attribute__((cleanup(wi_freep)))
#define wi_autoclose  __attribute__((cleanup(wi_closep)))
#define wi_autofclose __attribute__((cleanup(wi_fclosep)))
#define wi_autoptr(T) __attribute__((cleanup(T##_freep)))
#define WI_DEFINE_FREEP(T)                    \
  static inline void T##_freep(struct T **pp) \
  {                                           \
    if (*pp)                                  \
      T##_free(*pp);                          \
  }
#define wi_steal(pp)              \
  ({                              \
    __typeof__(*(pp)) p_ = *(pp); \
    *(pp) = NULL;                 \
    p_;                           \
  })
#define wi_steal_fd(fdp) \
  ({                     \
    int fd_ = *(fdp);    \
    *(fdp) = -1;         \
    fd_;                 \
  })
#define WI_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *wi_xmalloc(size_t n);
void *wi_xcalloc(size_t n, size_t size);
void *wi_xrealloc(void *p, size_t n);
/* realloc to n elements of size, aborting on overflow. */
void *wi_xreallocarray(void *p, size_t n, size_t size);
char *wi_xstrdup(const char *s);
char *wi_xstrndup(const char *s, size_t n);
char *wi_xasprintf(const char *fmt, ...) WI_PRINTF(1, 2);
/* Overwrite with zeros (not optimised away), then free. */
void wi_alloc_secret_free(char *s);

#endif
