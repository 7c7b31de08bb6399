#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/store.h"

int cli_verbose;
bool cli_quiet;

/* Strings and arrays that parsed options point into (argument-file tokens, de-quoted values, list
 * options) live until exit; they are released by an atexit handler so leak checkers stay quiet. */
static void **kept;
static size_t n_kept;

static void
free_kept(void)
{
  for (size_t i = 0; i < n_kept; i++)
    free(kept[i]);
  free(kept);
  kept = NULL;
  n_kept = 0;
}

/* Remember p (replacing old when p is a realloc of it). Returns p. */
static void *
keep(void *old, void *p)
{
  if (n_kept == 0 && kept == NULL)
    atexit(free_kept);
  for (size_t i = 0; old && i < n_kept; i++) {
    if (kept[i] == old) {
      kept[i] = p;
      return p;
    }
  }
  kept = wi_xreallocarray(kept, n_kept + 1, sizeof *kept);
  kept[n_kept++] = p;
  return p;
}

int
cli_parse_bool(const char *s, bool *out)
{
  if (!strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "yes")) {
    *out = true;
    return 0;
  }
  if (!strcasecmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "no")) {
    *out = false;
    return 0;
  }
  return -1;
}

void
cli_usage(const struct cli_cmd *cmd, bool to_stderr)
{
  FILE *f = to_stderr ? stderr : stdout;

  fprintf(f, "Usage: wlsimg %s %s\n", cmd->name, cmd->synopsis ? cmd->synopsis : "[OPTIONS]");
  if (cmd->summary)
    fprintf(f, "\n%s\n", cmd->summary);
  if (cmd->opts == NULL || cmd->opts[0].name == NULL)
    return;
  fprintf(f, "\nOptions:\n");
  for (const struct cli_opt *o = cmd->opts; o->name; o++) {
    char left[96];
    int n = 0;
    if (o->short_name)
      n = snprintf(left, sizeof left, "  -%c, --%s", o->short_name, o->name);
    else
      n = snprintf(left, sizeof left, "      --%s", o->name);
    if (o->type != CLI_FLAG && n > 0 && (size_t)n < sizeof left)
      snprintf(left + n, sizeof left - (size_t)n, " %s", o->metavar ? o->metavar : "VALUE");
    fprintf(f, "%c%-38s %s\n", o->required ? '*' : ' ', left + 1, o->help ? o->help : "");
  }
}

void
cli_engine_output(const char *data, size_t len, void *payload)
{
  WI_UNUSED(payload);
  fwrite(data, 1, len, stdout);
  fflush(stdout);
}

int
cli_store_open_existing(struct wi_store **out, const char *image, wi_err *err)
{
  int ret = wi_store_open_default(out, false, err);
  if (ret == WI_ENOTFOUND)
    wi_err_set(err, WI_ENOTFOUND, "No such image: %s", image);
  return ret;
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "wlsimg %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return CLI_EXIT_USAGE;
}

int
cli_fail(const wi_err *err)
{
  fprintf(stderr, "wlsimg: %s\n", err->msg[0] ? err->msg : wi_err_name(err->code));
  return wi_err_exit_status(err->code ? err->code : WI_ERR);
}

static const struct cli_opt *
find_long(const struct cli_opt *opts, const char *name, size_t len)
{
  for (const struct cli_opt *o = opts; o && o->name; o++)
    if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
      return o;
  return NULL;
}

static const struct cli_opt *
find_short(const struct cli_opt *opts, char c)
{
  for (const struct cli_opt *o = opts; o && o->name; o++)
    if (o->short_name == c)
      return o;
  return NULL;
}

/* Split an @argfile into tokens: whitespace separated, '…' and "…" quoting, # comments. */
static int
read_argfile(const char *path, char ***out, int *n_out, wi_err *err)
{
  wi_autofree char *text = NULL;
  size_t len = 0;
  char **v = NULL;
  int n = 0;

  if (wi_fs_read_file(path, 1 << 20, &text, &len, err) < 0)
    return wi_err_wrap(err, "argument file");
  /* A NUL (a UTF-16 file, say) would silently drop everything after it. */
  if (memchr(text, '\0', len))
    return wi_err_set(err, WI_EUSAGE, "argument file %s: contains a NUL byte (not UTF-8 text?)",
                      path);
  for (char *p = text; *p;) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
      p++;
    if (*p == '\0')
      break;
    if (*p == '#') {
      while (*p && *p != '\n')
        p++;
      continue;
    }
    struct wi_buf tok = WI_BUF_INIT(1 << 20);
    while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
      if (*p == '"' || *p == '\'') {
        char q = *p++;
        while (*p && *p != q)
          wi_buf_add(&tok, p++, 1, NULL);
        if (*p != q) {
          wi_buf_dispose(&tok);
          free(v); /* the tokens are kept (freed at exit) */
          return wi_err_set(err, WI_EUSAGE, "argument file %s: unterminated %c quote", path, q);
        }
        p++;
      } else {
        wi_buf_add(&tok, p++, 1, NULL);
      }
    }
    v = wi_xreallocarray(v, (size_t)n + 1, sizeof *v);
    v[n++] = keep(NULL, wi_buf_steal(&tok));
  }
  *out = v;
  *n_out = n;
  return 0;
}

static int
set_value(const struct cli_cmd *cmd, const struct cli_opt *o, void *args, const char *value,
          bool *seen)
{
  char *base = args;
  switch (o->type) {
  case CLI_FLAG: {
    bool b = true;
    if (value && cli_parse_bool(value, &b) < 0)
      return cli_usage_error(cmd->name, "--%s: expected true or false, got \"%s\"", o->name, value);
    *(bool *)(base + o->offset) = b;
    return 0;
  }
  case CLI_STRING:
  case CLI_OPTIONAL:
    if (*seen)
      return cli_usage_error(cmd->name, "option '--%s' should be specified only once", o->name);
    *seen = true;
    *(const char **)(base + o->offset) = value;
    return 0;
  case CLI_LIST: {
    struct cli_list *l = (struct cli_list *)(base + o->offset);
    const char **old = l->v;
    l->v = keep(old, wi_xreallocarray(old, l->n + 1, sizeof *l->v));
    l->v[l->n++] = value;
    return 0;
  }
  case CLI_INT: {
    char *end = NULL;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end || v < 0 || v > 1 << 30)
      return cli_usage_error(cmd->name, "--%s: expected a number, got \"%s\"", o->name, value);
    *(int *)(base + o->offset) = (int)v;
    return 0;
  }
  }
  return 0;
}

int
cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *args, char ***pos, int *npos)
{
  size_t nopts = 0;
  char **av = NULL;
  int ac = 0;
  char **p = NULL;
  int np = 0;
  bool only_pos = false;

  for (const struct cli_opt *o = cmd->opts; o && o->name; o++)
    nopts++;
  bool *seen = wi_xcalloc(nopts + 1, sizeof *seen);
  /* Expand @argfiles first (not after "--"). Memory is kept for the life of the process. */
  for (int i = 1; i < argc; i++) {
    if (!only_pos && argv[i][0] == '@' && argv[i][1]) {
      char **fv = NULL;
      int fn = 0;
      wi_err err = { 0 };
      if (read_argfile(argv[i] + 1, &fv, &fn, &err) < 0) {
        free(seen);
        free(av);
        cli_usage_error(cmd->name, "%s", err.msg);
        return -1; /* a usage error (a positive return would mean "help shown": exit 0) */
      }
      av = wi_xreallocarray(av, (size_t)(ac + fn), sizeof *av);
      memcpy(av + ac, fv, (size_t)fn * sizeof *av);
      ac += fn;
      free(fv);
      continue;
    }
    if (strcmp(argv[i], "--") == 0)
      only_pos = true;
    av = wi_xreallocarray(av, (size_t)ac + 1, sizeof *av);
    av[ac++] = argv[i];
  }
  only_pos = false;
  int ret = 0;
  for (int i = 0; i < ac && ret == 0; i++) {
    char *a = av[i];
    if (only_pos || a[0] != '-' || a[1] == '\0') {
      p = wi_xreallocarray(p, (size_t)np + 1, sizeof *p);
      p[np++] = a;
      continue;
    }
    if (strcmp(a, "--") == 0) {
      only_pos = true;
      continue;
    }
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      cli_usage(cmd, false);
      ret = 1;
      break;
    }
    const struct cli_opt *o;
    const char *value = NULL;
    if (a[1] == '-') {
      const char *name = a + 2;
      const char *eq = strchr(name, '=');
      o = find_long(cmd->opts, name, eq ? (size_t)(eq - name) : strlen(name));
      if (o == NULL) {
        ret = cli_usage_error(cmd->name, "unknown option '%.*s'",
                              eq ? (int)(eq - a) : (int)strlen(a), a);
        break;
      }
      if (eq)
        value = eq + 1;
    } else {
      o = find_short(cmd->opts, a[1]);
      if (o == NULL) {
        ret = cli_usage_error(cmd->name, "unknown option '%s'", a);
        break;
      }
      if (a[2])
        value = a + 2;
    }
    if (o->type == CLI_OPTIONAL && value == NULL)
      value = i + 1 < ac && av[i + 1][0] != '-' ? av[++i] : "";
    if (o->type != CLI_FLAG && value == NULL) {
      if (i + 1 >= ac) {
        ret = cli_usage_error(cmd->name, "missing value for option '--%s'", o->name);
        break;
      }
      value = av[++i];
    }
    if (value && o->type != CLI_FLAG && o->type != CLI_OPTIONAL) {
      /* WIT trims surrounding quotes on option values. */
      size_t vl = strlen(value);
      if (vl >= 2 && ((value[0] == '"' && value[vl - 1] == '"') ||
                      (value[0] == '\'' && value[vl - 1] == '\'')))
        value = keep(NULL, wi_xstrndup(value + 1, vl - 2));
    }
    ret = set_value(cmd, o, args, value, &seen[o - cmd->opts]);
  }
  if (ret == 0) {
    size_t k = 0;
    for (const struct cli_opt *o = cmd->opts; o && o->name; o++, k++) {
      if (o->required && !seen[k]) {
        ret = cli_usage_error(cmd->name, "missing required option '--%s=<%s>'", o->name,
                              o->metavar ? o->metavar : "value");
        break;
      }
    }
  }
  if (ret == 0 && np < cmd->min_args)
    ret = cli_usage_error(cmd->name, "expected %s%d argument%s (%s)",
                          cmd->min_args == cmd->max_args ? "" : "at least ", cmd->min_args,
                          cmd->min_args == 1 ? "" : "s", cmd->synopsis ? cmd->synopsis : "");
  if (ret == 0 && cmd->max_args >= 0 && np > cmd->max_args)
    ret = cli_usage_error(cmd->name, "unexpected argument '%s'", p[cmd->max_args]);
  free(seen);
  free(av);
  if (ret == CLI_EXIT_USAGE) {
    fputc('\n', stderr);
    cli_usage(cmd, true);
    free(p);
    return -1;
  }
  if (ret == 1) {
    free(p);
    return 1;
  }
  *pos = p;
  *npos = np;
  return 0;
}

#define MAX_SECRET_INPUT (64 * 1024)

char *
cli_read_secret(const char *prompt, bool from_stdin, wi_err *err)
{
  struct termios old, quiet;
  bool tty = !from_stdin && isatty(STDIN_FILENO);
  size_t len = 0;
  int ret = 0;

  if (!from_stdin && !tty) {
    wi_err_set(err, WI_EUSAGE, "no terminal to prompt for the %s; use --password-stdin", prompt);
    return NULL;
  }
  if (tty) {
    fprintf(stderr, "%s: ", prompt);
    fflush(stderr);
    tcgetattr(STDIN_FILENO, &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  /* One allocation, never grown: no copy of the secret is left behind in freed memory. Byte by
   * byte so that nothing after the line is consumed on a terminal. */
  char *buf = wi_xmalloc(MAX_SECRET_INPUT + 1);
  for (;;) {
    char c;
    ssize_t n = read(STDIN_FILENO, &c, 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      ret = wi_err_sys(err, WI_EIO, "read the %s from stdin", prompt);
      break;
    }
    if (n == 0 || (tty && c == '\n'))
      break;
    if (len == MAX_SECRET_INPUT) {
      ret = wi_err_set(err, WI_ETOOBIG, "the %s on stdin is longer than %d bytes", prompt,
                       MAX_SECRET_INPUT);
      break;
    }
    buf[len++] = c;
  }
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
  }
  while (ret == 0 && len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
    len--;
  if (ret == 0 && memchr(buf, '\0', len))
    ret = wi_err_set(err, WI_EINVAL, "the %s contains a NUL byte", prompt);
  else if (ret == 0 && len == 0)
    ret = wi_err_set(err, WI_EINVAL, "empty %s", prompt);
  if (ret < 0) {
    explicit_bzero(buf, MAX_SECRET_INPUT + 1);
    free(buf);
    return NULL;
  }
  buf[len] = '\0';
  return buf;
}
