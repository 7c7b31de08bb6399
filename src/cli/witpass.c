/* wlsimg CLI: the secrets of WIT's options — see witpass.h. */
#include "cli/witpass.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/alloc.h"
#include "lib/fs.h"

#define MAX_SECRET_FILE (64 * 1024)

int
cli_witpass_refuse(const char *cmd, const char *opt, const char *value)
{
  /* argv's own bytes: wiping them also clears /proc/<pid>/cmdline */
  explicit_bzero((char *)(uintptr_t)value, strlen(value));
  return cli_usage_error(
      cmd,
      "--%s takes no value on the command line (refused: every user of this machine can read command lines, and shells keep them in their history); use --%sEnv NAME (an environment variable), --%sFile FILE, or --%s alone to be asked without echo (or to give it on stdin)",
      opt, opt, opt, opt);
}

/* Cut text (len bytes) at its first line end, wiping everything after it. */
static void
first_line(char *text, size_t len)
{
  size_t l = strcspn(text, "\r\n");
  explicit_bzero(text + l, len - l);
}

/* The first line of a non-empty regular file (WIT ignores anything else): *out stays NULL. */
static int
read_file_line(const char *opt, const char *path, char **out, wi_err *err)
{
  struct stat st;
  if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
    return 0;
  char *text = NULL;
  size_t len = 0;
  if (wi_fs_read_file_secret(path, MAX_SECRET_FILE, &text, &len, err) < 0)
    return wi_err_wrap(err, "--%sFile", opt);
  first_line(text, len);
  *out = text;
  return 0;
}

int
cli_witpass_read(const char *opt, const char *what, bool prompt, const char *file, const char *env,
                 char **out, wi_err *err)
{
  *out = NULL;
  if (prompt) {
    /* a terminal gets a prompt without echo; anything else gives its first line, as WIT reads a
     * password when there is no console */
    bool tty = isatty(STDIN_FILENO);
    char *s = cli_read_secret(what, !tty, err);
    if (s)
      first_line(s, strlen(s));
    if (s && *s == '\0') {
      free(s);
      s = NULL;
      wi_err_set(err, WI_EINVAL, "empty %s", what);
    }
    if (s == NULL) {
      char cause[sizeof err->msg];
      memcpy(cause, err->msg, sizeof cause);
      return wi_err_set(err, err->code == WI_EINVAL ? WI_EUSAGE : err->code,
                        "--%s without a value: %s (read %s); use --%sEnv NAME or --%sFile FILE",
                        opt, cause, tty ? "on the terminal" : "from stdin, which is not a terminal",
                        opt, opt);
    }
    *out = s;
    return 0;
  }
  if (file) {
    int ret = read_file_line(opt, file, out, err);
    if (ret < 0 || *out)
      return ret;
  }
  const char *v = env && *env ? getenv(env) : NULL;
  if (v && *v)
    *out = wi_xstrdup(v);
  return 0;
}
