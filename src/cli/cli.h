/* wlsimg CLI: option parsing, error printing and shared helpers for the command files. */
#ifndef WI_CLI_H
#define WI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/transfer.h"

#define CLI_EXIT_OK    0
#define CLI_EXIT_FAIL  1
#define CLI_EXIT_USAGE 2

#define WLSIMG_VERSION "0.1.0"

enum cli_opt_type {
  CLI_FLAG,     /* bool; also --name=true|false */
  CLI_STRING,   /* const char *; repeated → "specified more than once" usage error */
  CLI_LIST,     /* repeatable: struct cli_list */
  CLI_INT,      /* int */
  CLI_OPTIONAL, /* const char *, value optional (picocli arity 0..1): "--x" alone gives "", "--x=v"
                 * or "--x v" (v not starting with '-') give v */
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

/* What a command's positional arguments are, for shell completion. */
enum cli_complete {
  CLI_COMPLETE_NONE,  /* nothing to offer */
  CLI_COMPLETE_IMAGE, /* names in the local store */
  CLI_COMPLETE_FILE,  /* file names */
  CLI_COMPLETE_DIR,   /* directory names */
};

/* A command that takes options: help, the man page and shell completion are generated from it.
 * Initialise positionally; members after max_args may be left out. */
struct cli_cmd {
  const char *name;     /* the full command: "push", "registry user add" */
  const char *synopsis; /* "[OPTIONS] REF" */
  const char *summary;
  const struct cli_opt *opts;
  int min_args, max_args; /* positional arguments; max -1 = unlimited */
  enum cli_complete args; /* what the positional arguments are (shell completion) */
};

/* Parse argv (argv[0] = command name). Positional arguments go to pos and npos. Handles --help
 * (prints usage to stdout, returns 1), "--" (the rest is positional) and @argfile expansion.
 * Usage errors print one line naming the problem (with a "did you mean" for a misspelt option)
 * and "see 'wlsimg CMD --help'" to stderr and return -1. While the shell completion asks
 * (wlsimg __complete) it only records cmd and returns 1, so a command returns before doing
 * anything. */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *args, char ***pos, int *npos);
void cli_usage(const struct cli_cmd *cmd, bool to_stderr);

/* A command with subcommands ("registry", "registry user", "k8s", wlsimg itself). */
struct cli_sub {
  const char *name;
  int (*fn)(int argc, char **argv); /* argv[0] = name */
  const char *summary;
  bool hidden; /* an alias or internal command: works, but not listed */
};
struct cli_group {
  const char *name;           /* the full command ("registry user"); NULL for wlsimg itself */
  const char *summary;        /* the description under "Usage:" */
  const char *epilog;         /* optional text after the command list */
  const struct cli_sub *subs; /* ends with an entry whose name is NULL */
};
/* Run argv[1] of the group (argv[0] = the group's own word). Handles --help and -h (usage on
 * stdout, exit 0), "help [SUBCOMMAND...]", --help-all (this usage and every subcommand's, for the
 * man pages), no subcommand (usage on stderr, exit 2) and an unknown one (one line with a "did you
 * mean" and "see 'wlsimg GROUP --help'", exit 2). */
int cli_dispatch(const struct cli_group *g, int argc, char **argv);
void cli_group_usage(const struct cli_group *g, bool to_stderr);

/* The closest of the candidates to what the user typed (case-insensitive edit distance, small
 * enough to be a slip), or NULL. names are read at stride bytes apart (an array of structs whose
 * first member is the name) until a NULL name, or n entries when n is not 0. */
const char *cli_suggest(const char *typed, const void *names, size_t stride, size_t n);

/* What the shell completion learnt while walking the command tree (src/cli/completion.c): the
 * command or group reached and the words after it, the last one being the word to complete. */
struct cli_completion {
  const struct cli_cmd *cmd;
  const struct cli_group *group;
  int argc;
  char **argv;
};
/* Non-NULL while `wlsimg __complete` walks the tree. */
extern struct cli_completion *cli_completing;

/* Print "wlsimg: <msg>" once on stderr; returns the exit status for err->code. */
int cli_fail(const wi_err *err);
/* Print a usage error ("wlsimg <cmd>: <msg>") and return CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) WI_PRINTF(2, 3);

/* Global state set by main(): verbosity (0 normal, 1 -v, 2 -vv), quiet. */
extern int cli_verbose;
extern bool cli_quiet;

/* Read a secret from stdin (trailing newline stripped); when stdin is a terminal, prompt without
 * echo (from_stdin or not). !from_stdin without a terminal is WI_EUSAGE. malloc'ed; wipe with
 * wi_alloc_secret_free. */
char *cli_read_secret(const char *prompt, bool from_stdin, wi_err *err);

/* A container engine's output while it builds: straight to stdout, as WIT streams it. */
void cli_engine_output(const char *data, size_t len, void *payload);

/* Progress: a per-blob display on a terminal, plain lines otherwise, nothing when quiet. */
struct cli_progress;
struct cli_progress *cli_progress_new(const char *action);
void cli_progress_free(struct cli_progress *p);
void cli_progress_cb(const struct wi_progress *ev, void *payload);

/* --tls-verify, --authfile and --cert-dir of the commands that talk to one registry (push, pull,
 * tags, manifest): embed as a member of the command's args struct, list its options with
 * CLI_REGISTRY_OPTS(struct x_args, member) and start it from CLI_REGISTRY_ARGS_INIT. */
struct cli_registry_args {
  bool tls_verify;
  const char *authfile;
  const char *cert_dir;
};
#define CLI_REGISTRY_ARGS_INIT \
  {                            \
    .tls_verify = true         \
  }
/* clang-format off */
#define CLI_REGISTRY_OPTS(type, member)                                                            \
  { "tls-verify", 0, CLI_FLAG, offsetof(type, member.tls_verify), NULL,                            \
    "Require HTTPS and verify certificates (default true; false also allows plain HTTP)", false }, \
  { "authfile", 0, CLI_STRING, offsetof(type, member.authfile), "FILE",                            \
    "Credentials file (default: REGISTRY_AUTH_FILE, containers auth.json, docker config.json)",    \
    false },                                                                                       \
  { "cert-dir", 0, CLI_STRING, offsetof(type, member.cert_dir), "DIR",                             \
    "Certificates directory (*.crt CAs, client.cert/client.key) instead of certs.d", false }
/* clang-format on */

/* Registry client options from a; retry_times is --retry-times: -1 (not given) → the library
 * default, 0 → no retries. */
struct wi_regclient_opts cli_registry_opts(const struct cli_registry_args *a, int retry_times);
/* arg as a registry reference, as people paste it: without a "docker://", "https://" or "http://"
 * in front (*ref_out points into arg). http:// asks for plain HTTP: fine for a loopback registry
 * (wlsimg speaks plain HTTP to those) or with --tls-verify=false, else a WI_EUSAGE that says how.
 */
int cli_registry_ref(const char *arg, const struct cli_registry_args *a, const char **ref_out,
                     wi_err *err);
/* Parse the reference arg (as cli_registry_ref takes it) into ref (start it zeroed; the caller
 * disposes it, also on failure) and open a client for its registry. */
int cli_registry_connect(struct wi_regclient **out, struct wi_ref *ref, const char *arg,
                         const struct cli_registry_args *a, wi_err *err);

/* Open the default store for commands that need an existing image: it is not created, and a
 * missing store is WI_ENOTFOUND "No such image: <image>". */
int cli_store_open_existing(struct wi_store **out, const char *image, wi_err *err);

/* Print records (JSON objects from wi_gotmpl_record or the library) as --format asks: "table"
 * (or no format) = default_table, "json", "table TEMPLATE" or a TEMPLATE (lib/gotmpl.h). header
 * is the record of column titles; the template runs on it first, so a bad field is a usage error
 * even without records. Nothing is printed on an error. Returns the exit status. */
int cli_print_records(const char *cmd, const char *format, const char *default_table,
                      const char *header, char *const *records, size_t n);

/* Check --format against the header record without printing anything (for commands that fetch
 * their records over the network). 0, or the usage exit status after printing the problem. */
int cli_check_format(const char *cmd, const char *format, const char *header);

/* Sizes and ages as docker prints them: "21.3MB" (decimal units, 4 significant digits),
 * "3 hours ago" ("N/A" for a negative time). malloc'ed. */
char *cli_human_size(uint64_t n);
char *cli_human_since(int64_t created);

/* Parse "true"/"false" (and 1/0, yes/no) for options like --tls-verify. */
int cli_parse_bool(const char *s, bool *out);

#endif
