#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/gotmpl.h"
#include "lib/store.h"

int cli_verbose;
bool cli_quiet;
struct cli_completion *cli_completing;

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

/* > 0 while --help-all prints the subcommands of a group: each becomes a section of the group's
 * man page ("*wlsimg GROUP SUB*" is how help2man is told), with its synopsis, text and options. */
static int help_all_depth;

void
cli_usage(const struct cli_cmd *cmd, bool to_stderr)
{
  FILE *f = to_stderr ? stderr : stdout;
  const char *syn = cmd->synopsis ? cmd->synopsis : "[OPTIONS]";

  if (help_all_depth > 0)
    fprintf(f, "*wlsimg %s*\nwlsimg %s %s\n\n%s\n\n", cmd->name, cmd->name, syn,
            cmd->summary ? cmd->summary : "");
  else
    fprintf(f, "Usage: wlsimg %s %s\n", cmd->name, syn);
  if (cmd->summary && help_all_depth == 0)
    fprintf(f, "\n%s\n", cmd->summary);
  if (cmd->opts == NULL || cmd->opts[0].name == NULL)
    return;
  if (help_all_depth == 0)
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
cli_check_format(const char *cmd, const char *format, const char *header)
{
  wi_err err = { 0 };
  wi_autoptr(wi_gotmpl) struct wi_gotmpl *t = NULL;
  struct wi_buf out = WI_BUF_INIT((size_t)1 << 20);

  if (format == NULL)
    return 0;
  int ret = wi_gotmpl_parse(&t, format, &err);
  if (ret == 0)
    ret = wi_gotmpl_exec(t, header, strlen(header), &out, &err);
  wi_buf_dispose(&out);
  return ret < 0 ? cli_usage_error(cmd, "--format: %s", err.msg) : 0;
}

int
cli_print_records(const char *cmd, const char *format, const char *default_table,
                  const char *header, char *const *records, size_t n)
{
  wi_err err = { 0 };
  wi_autoptr(wi_gotmpl) struct wi_gotmpl *t = NULL;

  if (wi_gotmpl_parse(&t, format ? format : "table", &err) < 0)
    return cli_usage_error(cmd, "--format: %s", err.msg);
  if (wi_gotmpl_is_empty(t)) {
    wi_gotmpl_free(t);
    t = NULL;
    if (wi_gotmpl_parse(&t, default_table, &err) < 0)
      return cli_fail(&err);
  }
  bool table = wi_gotmpl_is_table(t);
  struct wi_buf out = WI_BUF_INIT((size_t)1 << 30);
  int ret = wi_gotmpl_exec(t, header, strlen(header), &out, &err);
  if (table)
    wi_buf_add(&out, "\n", 1, NULL);
  else
    wi_buf_reset(&out); /* the header only checked the fields */
  for (size_t i = 0; ret == 0 && i < n; i++) {
    ret = wi_gotmpl_exec(t, records[i], strlen(records[i]), &out, &err);
    wi_buf_add(&out, "\n", 1, NULL);
  }
  if (ret < 0) {
    wi_buf_dispose(&out);
    return err.code == WI_EUSAGE ? cli_usage_error(cmd, "--format: %s", err.msg) : cli_fail(&err);
  }
  wi_autofree char *text = table ? wi_gotmpl_tabalign(wi_buf_cstr(&out)) : wi_buf_steal(&out);
  wi_buf_dispose(&out);
  fputs(text, stdout);
  return CLI_EXIT_OK;
}

/* docker's units.HumanDuration. */
char *
cli_human_since(int64_t created)
{
  if (created < 0)
    return wi_xstrdup("N/A");
  int64_t s = (int64_t)time(NULL) - created;
  int64_t m = s / 60, h = m / 60;
  if (s < 1)
    return wi_xstrdup("Less than a second ago");
  if (s == 1)
    return wi_xstrdup("1 second ago");
  if (s < 60)
    return wi_xasprintf("%lld seconds ago", (long long)s);
  if (m == 1)
    return wi_xstrdup("About a minute ago");
  if (m < 60)
    return wi_xasprintf("%lld minutes ago", (long long)m);
  if (h == 1)
    return wi_xstrdup("About an hour ago");
  if (h < 48)
    return wi_xasprintf("%lld hours ago", (long long)h);
  if (h < 24 * 7 * 2)
    return wi_xasprintf("%lld days ago", (long long)(h / 24));
  if (h < 24 * 30 * 2)
    return wi_xasprintf("%lld weeks ago", (long long)(h / 24 / 7));
  if (h < 24 * 365 * 2)
    return wi_xasprintf("%lld months ago", (long long)(h / 24 / 30));
  return wi_xasprintf("%lld years ago", (long long)(h / 24 / 365));
}

/* docker's units.HumanSize: decimal units, 4 significant digits. */
char *
cli_human_size(uint64_t n)
{
  static const char *units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
  double v = (double)n;
  size_t u = 0;
  while (v >= 1000.0 && u + 1 < sizeof units / sizeof units[0]) {
    v /= 1000.0;
    u++;
  }
  return wi_xasprintf("%.4g%s", v, units[u]);
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

/* Optimal string alignment distance, ignoring case, capped at max + 1 (names are short). */
static size_t
distance(const char *a, size_t la, const char *b, size_t max)
{
  size_t lb = strlen(b);
  if (la > 64 || lb > 64)
    return max + 1;
  size_t d[65][65];
  for (size_t i = 0; i <= la; i++)
    d[i][0] = i;
  for (size_t j = 0; j <= lb; j++)
    d[0][j] = j;
  for (size_t i = 1; i <= la; i++) {
    for (size_t j = 1; j <= lb; j++) {
      size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
      size_t v = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < v)
        v = d[i][j - 1] + 1;
      if (d[i - 1][j - 1] + cost < v)
        v = d[i - 1][j - 1] + cost;
      if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
          tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
          d[i - 2][j - 2] + 1 < v)
        v = d[i - 2][j - 2] + 1; /* a transposition: "pusj" and "psuh" are one slip */
      d[i][j] = v;
    }
  }
  return d[la][lb];
}

static const char *
suggest_n(const char *typed, size_t len, const void *names, size_t stride, size_t n)
{
  /* A slip is one wrong key in a short word, up to three in a long one. */
  size_t max = len <= 4 ? 1 : len <= 8 ? 2 : 3;
  const char *best = NULL, *prefixed = NULL;
  size_t best_d = max + 1, n_prefixed = 0;

  for (size_t i = 0; n == 0 || i < n; i++) {
    const char *name = *(const char *const *)((const char *)names + i * stride);
    if (name == NULL)
      break;
    size_t d = distance(typed, len, name, max);
    if (d < best_d) {
      best_d = d;
      best = name;
    }
    if (len >= 3 && strncasecmp(name, typed, len) == 0) {
      prefixed = name;
      n_prefixed++;
    }
  }
  if (best)
    return best;
  return n_prefixed == 1 ? prefixed : NULL; /* "--dig" for --digests */
}

const char *
cli_suggest(const char *typed, const void *names, size_t stride, size_t n)
{
  return suggest_n(typed, strlen(typed), names, stride, n);
}

/* "wlsimg push: unknown option --x (did you mean --y?)"; len is the length of the option as
 * typed, without any "=value". */
static int
unknown_option(const struct cli_cmd *cmd, const char *a, size_t len)
{
  const char *s = NULL;
  if (a[1] == '-' && cmd->opts)
    s = suggest_n(a + 2, len - 2, cmd->opts, sizeof *cmd->opts, 0);
  if (s)
    return cli_usage_error(cmd->name, "unknown option %.*s (did you mean --%s?)", (int)len, a, s);
  return cli_usage_error(cmd->name, "unknown option %.*s", (int)len, a);
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

  if (cli_completing) {
    cli_completing->cmd = cmd;
    cli_completing->argc = argc;
    cli_completing->argv = argv;
    return 1;
  }
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
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "--help-all") == 0) {
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
        ret = unknown_option(cmd, a, eq ? (size_t)(eq - a) : strlen(a));
        break;
      }
      if (eq)
        value = eq + 1;
    } else {
      o = find_short(cmd->opts, a[1]);
      if (o == NULL) {
        ret = unknown_option(cmd, a, 2);
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
  bool show_synopsis =
      ret == 0 && (np < cmd->min_args || (cmd->max_args >= 0 && np > cmd->max_args));
  if (ret == 0 && np < cmd->min_args)
    ret = cli_usage_error(cmd->name, "expected %s%d argument%s",
                          cmd->min_args == cmd->max_args ? "" : "at least ", cmd->min_args,
                          cmd->min_args == 1 ? "" : "s");
  if (ret == 0 && cmd->max_args >= 0 && np > cmd->max_args)
    ret = cli_usage_error(cmd->name, "unexpected argument '%s'", p[cmd->max_args]);
  free(seen);
  free(av);
  if (ret == CLI_EXIT_USAGE) {
    /* One line that names the problem, not the whole help: it would scroll the message away. */
    if (show_synopsis)
      fprintf(stderr, "Usage: wlsimg %s %s\n", cmd->name,
              cmd->synopsis ? cmd->synopsis : "[OPTIONS]");
    fprintf(stderr, "see 'wlsimg %s --help'\n", cmd->name);
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

/* ---- command groups ---- */

static const char *
group_prefix(const struct cli_group *g)
{
  return g->name ? g->name : "";
}

void
cli_group_usage(const struct cli_group *g, bool to_stderr)
{
  FILE *f = to_stderr ? stderr : stdout;
  const char *sp = g->name ? " " : "";
  int w = 12;

  for (const struct cli_sub *c = g->subs; c->name; c++)
    if (!c->hidden && (int)strlen(c->name) > w)
      w = (int)strlen(c->name);
  fprintf(f, "Usage: wlsimg %s%s%sCOMMAND [OPTIONS]\n", group_prefix(g), sp,
          g->name ? "" : "[GLOBAL OPTIONS] ");
  if (g->summary)
    fprintf(f, "\n%s\n", g->summary);
  fprintf(f, "\nCommands:\n");
  for (const struct cli_sub *c = g->subs; c->name; c++)
    if (!c->hidden)
      fprintf(f, "  %-*s  %s\n", w, c->name, c->summary ? c->summary : "");
  if (g->epilog)
    fprintf(f, "\n%s", g->epilog);
  fprintf(
      f,
      "\nRun 'wlsimg %s%shelp COMMAND' or 'wlsimg %s%sCOMMAND --help' for a command's options.\n",
      group_prefix(g), sp, group_prefix(g), sp);
}

static const struct cli_sub *
find_sub(const struct cli_group *g, const char *name)
{
  for (const struct cli_sub *c = g->subs; c->name; c++)
    if (strcmp(c->name, name) == 0)
      return c;
  return NULL;
}

static int
unknown_sub(const struct cli_group *g, const char *what)
{
  const char *sp = g->name ? " " : "";
  const char *s = what[0] == '-' ? NULL : cli_suggest(what, g->subs, sizeof *g->subs, 0);
  /* Hidden entries are aliases and internals: never suggested. */
  const struct cli_sub *c = s ? find_sub(g, s) : NULL;
  if (c && c->hidden)
    s = NULL;
  fprintf(stderr, "wlsimg%s%s: unknown %s %s%s%s%s\n", sp, group_prefix(g),
          what[0] == '-' ? "option" : "command", what, s ? " (did you mean " : "", s ? s : "",
          s ? "?)" : "");
  fprintf(stderr, "see 'wlsimg %s%s--help'\n", group_prefix(g), sp);
  return CLI_EXIT_USAGE;
}

/* Every subcommand's help after the group's own (the man pages are made from it). */
static int
help_all(const struct cli_group *g)
{
  if (help_all_depth == 0)
    cli_group_usage(g, false);
  else
    printf("*wlsimg %s*\nwlsimg %s COMMAND [OPTIONS]\n\n%s\n", group_prefix(g), group_prefix(g),
           g->summary ? g->summary : "");
  help_all_depth++;
  for (const struct cli_sub *c = g->subs; c->name; c++) {
    if (c->hidden)
      continue;
    char help_opt[] = "--help-all";
    wi_autofree char *name = wi_xstrdup(c->name);
    char *av[] = { name, help_opt, NULL };
    printf("\n");
    fflush(stdout);
    c->fn(2, av);
  }
  help_all_depth--;
  return CLI_EXIT_OK;
}

/* "help A B" runs "A B --help". */
static int
help_for(const struct cli_group *g, int argc, char **argv)
{
  if (argc < 3) {
    cli_group_usage(g, false);
    return CLI_EXIT_OK;
  }
  const struct cli_sub *c = find_sub(g, argv[2]);
  if (c == NULL)
    return unknown_sub(g, argv[2]);
  char help_opt[] = "--help";
  char **av = wi_xcalloc((size_t)argc, sizeof *av);
  for (int i = 2; i < argc; i++)
    av[i - 2] = argv[i];
  av[argc - 2] = help_opt;
  int ret = c->fn(argc - 1, av);
  free(av);
  return ret;
}

int
cli_dispatch(const struct cli_group *g, int argc, char **argv)
{
  if (cli_completing && argc <= 2) {
    /* The word being completed names a subcommand of this group. */
    cli_completing->group = g;
    cli_completing->argc = argc;
    cli_completing->argv = argv;
    return CLI_EXIT_OK;
  }
  if (argc < 2) {
    cli_group_usage(g, true);
    return CLI_EXIT_USAGE;
  }
  const char *sub = argv[1];
  if (!cli_completing) {
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
      cli_group_usage(g, false);
      return CLI_EXIT_OK;
    }
    if (!strcmp(sub, "--help-all"))
      return help_all(g);
    if (!strcmp(sub, "help") && find_sub(g, "help") == NULL)
      return help_for(g, argc, argv);
  }
  if (cli_completing && !strcmp(sub, "help") && find_sub(g, "help") == NULL)
    return cli_dispatch(g, argc - 1, argv + 1); /* "help COMMAND" completes as COMMAND */
  const struct cli_sub *c = find_sub(g, sub);
  if (c)
    return c->fn(argc - 1, argv + 1);
  if (cli_completing)
    return CLI_EXIT_OK; /* an unknown word: nothing to complete after it */
  return unknown_sub(g, sub);
}

#define MAX_SECRET_INPUT (64 * 1024)

char *
cli_read_secret(const char *prompt, bool from_stdin, wi_err *err)
{
  struct termios old, quiet;
  /* stdin that is a terminal is prompted without echo, also for --password-stdin */
  bool tty = isatty(STDIN_FILENO);
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
