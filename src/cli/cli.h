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
 * malloc'ed; wipe with wi_alloc_secret_free. */
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
/* arg without its optional "docker://" prefix. */
const char *cli_strip_docker(const char *arg);
/* Parse the reference arg (docker:// optional) into ref (start it zeroed; the caller disposes it,
 * also on failure) and open a client for its registry. */
int cli_registry_connect(struct wi_regclient **out, struct wi_ref *ref, const char *arg,
                         const struct cli_registry_args *a, wi_err *err);

/* Open the default store for commands that need an existing image: it is not created, and a
 * missing store is WI_ENOTFOUND "No such image: <image>". */
int cli_store_open_existing(struct wi_store **out, const char *image, wi_err *err);

/* Parse "true"/"false" (and 1/0, yes/no) for options like --tls-verify. */
int cli_parse_bool(const char *s, bool *out);

#endif
