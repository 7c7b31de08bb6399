/* wlsimg CLI: option parsing, error printing and shared helpers for the command files. */
#ifndef WI_CLI_H
#define WI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/transfer.h"

#define CLI_EXIT_OK    0
#define CLI_EXIT_FAIL  1
#define CLI_EXIT_USAGE 2

#define WLSIMG_VERSION "0.1.0"

enum cli_opt_type {
  CLI_FLAG,   /* bool; also --name=true|false */
  CLI_STRING, /* const char *; repeated → "specified more than once" usage error */
  CLI_LIST,   /* repeatable: struct cli_list */
  CLI_INT,    /* int */
};

/* Values of a repeatable option. Owned by the parser and valid until exit: do not free. */
struct cli_list {
  const char **v;
  size_t n;
};

struct cli_opt {
  const char *name; /* long name without "--" */
  char short_name;  /* 0 = none */
  enum cli_opt_type type;
  size_t offset; /* offsetof in the args struct */
  const char *metavar;
  const char *help;
  bool required;
};
#define CLI_OPT_END                         \
  {                                         \
    NULL, 0, CLI_FLAG, 0, NULL, NULL, false \
  }

struct cli_cmd {
  const char *name;
  const char *synopsis; /* "[OPTIONS] REF" */
  const char *summary;
  const struct cli_opt *opts;
  int min_args, max_args; /* positional arguments; max -1 = unlimited */
};

/* Parse argv (argv[0] = command name). Positional arguments go to pos and npos. Handles --help
 * (prints usage to stdout, returns 1), "--" (the rest is positional) and @argfile expansion.
 * Usage errors print a message and usage to stderr and return -1. */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *args, char ***pos, int *npos);
void cli_usage(const struct cli_cmd *cmd, bool to_stderr);

/* Print "wlsimg: <msg>" once on stderr; returns the exit status for err->code. */
int cli_fail(const wi_err *err);
/* Print a usage error ("wlsimg <cmd>: <msg>") and return CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) WI_PRINTF(2, 3);

/* Global state set by main(): verbosity (0 normal, 1 -v, 2 -vv), quiet. */
extern int cli_verbose;
extern bool cli_quiet;

/* Read a secret from stdin (trailing newline stripped) or, on a terminal, prompt without echo.
 * malloc'ed; wipe with wi_secret_free. */
char *cli_read_secret(const char *prompt, bool from_stdin, wi_err *err);

/* Progress: a per-blob display on a terminal, plain lines otherwise, nothing when quiet. */
struct cli_progress;
struct cli_progress *cli_progress_new(const char *action);
void cli_progress_free(struct cli_progress *p);
void cli_progress_cb(const struct wi_progress *ev, void *payload);

/* Parse "true"/"false" (and 1/0, yes/no) for options like --tls-verify. */
int cli_parse_bool(const char *s, bool *out);

#endif
