/* wlsimg CLI: the Oracle Support password of WIT's patching options. */
#include "cli/witpass.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/alloc.h"
#include "lib/fs.h"
#include "lib/str.h"

#define MAX_PASSWORD_FILE (64 * 1024)

int
cli_witpass_refuse_value(const char *cmd, int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0)
      break;
    bool inline_value = wi_str_has_prefix(argv[i], "--password=");
    bool next_value = strcmp(argv[i], "--password") == 0 && i + 1 < argc && argv[i + 1][0] != '-';
    if (inline_value || next_value)
      return cli_usage_error(
          cmd,
          "a password on the command line is refused (ps and the shell history would show it): use --passwordEnv NAME, --passwordFile FILE, or --password alone to be prompted");
  }
  return 0;
}

/* First line of a non-empty regular file (WIT ignores anything else). */
static int
read_file_line(const char *path, char **out, wi_err *err)
{
  struct stat st;
  if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
    return 0;
  char *text = NULL;
  size_t len = 0;
  int ret = wi_fs_read_file_secret(path, MAX_PASSWORD_FILE, &text, &len, err);
  if (ret < 0)
    return wi_err_wrap(err, "--passwordFile");
  *out = wi_xstrndup(text, strcspn(text, "\r\n"));
  explicit_bzero(text, len); /* the whole file, not only its first line */
  free(text);
  return 0;
}

int
cli_witpass_read(bool prompt, const char *file, const char *env, char **out, wi_err *err)
{
  *out = NULL;
  if (prompt) {
    /* a terminal gets a prompt without echo; a pipe gives its first line */
    char *pw = cli_read_secret("Oracle Support password", !isatty(STDIN_FILENO), err);
    if (pw == NULL)
      return err->code;
    pw[strcspn(pw, "\r\n")] = '\0';
    *out = pw;
    return 0;
  }
  if (file) {
    int ret = read_file_line(file, out, err);
    if (ret < 0 || *out)
      return ret;
  }
  const char *v = env ? getenv(env) : NULL;
  if (v && *v)
    *out = wi_xstrdup(v);
  return 0;
}
