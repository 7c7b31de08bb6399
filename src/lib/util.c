#include "lib/util.h"

#include <pwd.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "lib/alloc.h"

double
wi_util_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
wi_util_random_hex(char *out, size_t nbytes, wi_err *err)
{
  unsigned char raw[64];
  static const char hex[] = "0123456789abcdef";

  if (nbytes > sizeof raw)
    return wi_err_set(err, WI_EINVAL, "random request too large");
  if (RAND_bytes(raw, (int)nbytes) != 1)
    return wi_err_set(err, WI_ERR, "random number generator failed");
  for (size_t i = 0; i < nbytes; i++) {
    out[2 * i] = hex[raw[i] >> 4];
    out[2 * i + 1] = hex[raw[i] & 15];
  }
  out[2 * nbytes] = '\0';
  return 0;
}

const char *
wi_util_home_dir(void)
{
  const char *h = getenv("HOME");
  if (h && *h)
    return h;
  struct passwd *pw = getpwuid(getuid());
  return pw && pw->pw_dir ? pw->pw_dir : "/";
}

char *
wi_util_data_path(const char *sub)
{
  const char *x = getenv("XDG_DATA_HOME");
  if (x && *x)
    return wi_xasprintf("%s/wlsimg/%s", x, sub);
  return wi_xasprintf("%s/.local/share/wlsimg/%s", wi_util_home_dir(), sub);
}
