/* wlsimg: the clock, random hex strings and the user's home and data directories. */
#ifndef WI_UTIL_H
#define WI_UTIL_H

#include <stddef.h>

#include "lib/err.h"

/* Monotonic time in seconds. */
double wi_util_now(void);
/* Random bytes from the OpenSSL CSPRNG as lower-case hex (2*n chars + NUL in out). */
int wi_util_random_hex(char *out, size_t nbytes, wi_err *err);

/* Home directory ($HOME, else passwd). Never NULL. */
const char *wi_util_home_dir(void);
/* ${XDG_DATA_HOME:-$HOME/.local/share}/wlsimg/<sub> (malloc'ed). */
char *wi_util_data_path(const char *sub);

#endif
