/* wlsimg: memory, cleanup attributes and small file helpers.
 *
 * Allocation helpers abort on out-of-memory (sizes from input are capped before allocating).
 * Cleanup attributes free or close on scope exit; hand results out with wi_steal().
 */
#ifndef WI_UTIL_H
#define WI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
void wi_secret_free(char *s);

bool wi_str_has_prefix(const char *s, const char *prefix);
/* Length (1-4) of the valid UTF-8 sequence at s, of which n bytes may be read, with its code point
 * in *cp; 0 when it is not one (truncated, overlong, a surrogate, above U+10FFFF). */
size_t wi_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
bool wi_str_has_suffix(const char *s, const char *suffix);

/* Read a whole file, at most max bytes (WI_ETOOBIG beyond). *out is NUL-terminated. */
int wi_read_file(const char *path, size_t max, char **out, size_t *len_out, wi_err *err);
/* Read all of fd, at most max bytes. */
/* Read fd to its end, handing each chunk to fn (a wi_sink_fn of layer.h); stops at fn's first
 * failure and returns it. A read error is WI_EIO "read <what>" (what optional). The chunk buffer
 * is wiped at the end. */
int wi_read_each(int fd, const char *what,
                 int (*fn)(const void *data, size_t len, void *payload, wi_err *err), void *payload,
                 wi_err *err);
int wi_read_fd(int fd, size_t max, char **out, size_t *len_out, wi_err *err);
/* wi_read_fd for secrets: every buffer given up while reading is wiped, and on failure so is what
 * was read. what names the input in messages. Wipe the result with explicit_bzero (or
 * wi_secret_free when it holds no NUL). WI_ETOOBIG above max, WI_EIO. */
int wi_read_fd_secret(int fd, const char *what, size_t max, char **out, size_t *len_out,
                      wi_err *err);
/* wi_read_fd_secret on a file (a regular file, or a pipe such as /dev/stdin or <(…)).
 * WI_ENOTFOUND, WI_ETOOBIG, WI_EIO. */
int wi_read_file_secret(const char *path, size_t max, char **out, size_t *len_out, wi_err *err);
/* Write all of buf to fd, retrying on EINTR and short writes. */
int wi_write_all(int fd, const void *buf, size_t len, wi_err *err);
/* Write path atomically: temp file in the same directory, fsync, rename, fsync the directory.
 * The file gets `mode` (e.g. 0600) regardless of umask. */
int wi_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, wi_err *err);
/* mkdir -p with mode for the directories it creates. */
int wi_mkdir_p(const char *path, mode_t mode, wi_err *err);
/* rm -rf; a missing path is not an error. */
int wi_rm_rf(const char *path, wi_err *err);
/* fsync the directory containing path (or path itself if it is a directory). */
int wi_fsync_dir(const char *dir, wi_err *err);
/* Make a temporary directory under $TMPDIR (or /tmp) with prefix. */
char *wi_mkdtemp(const char *prefix, wi_err *err);
/* Copy file contents (sendfile/copy_file_range), creating dst with mode. */
int wi_copy_file(const char *src, const char *dst, mode_t mode, wi_err *err);

/* Monotonic time in seconds. */
double wi_now(void);
/* Random bytes from the OpenSSL CSPRNG as lower-case hex (2*n chars + NUL in out). */
int wi_random_hex(char *out, size_t nbytes, wi_err *err);
/* The value of one hex digit (either case), or -1. */
int wi_hexval(char c);

/* Base64 (standard alphabet, padded, one line) via OpenSSL. Returns malloc'ed strings. */
char *wi_base64_encode(const void *data, size_t len);
/* Decode standard base64; NULL on invalid input. */
unsigned char *wi_base64_decode(const char *s, size_t *len_out);
/* base64url without padding (JWT). */
char *wi_base64url_encode(const void *data, size_t len);
unsigned char *wi_base64url_decode(const char *s, size_t len, size_t *len_out);

/* Home directory ($HOME, else passwd). Never NULL. */
const char *wi_home_dir(void);
/* ${XDG_DATA_HOME:-$HOME/.local/share}/wlsimg/<sub> (malloc'ed). */
char *wi_data_path(const char *sub);

#endif
