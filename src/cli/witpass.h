/* wlsimg CLI: the Oracle Support password as WIT's patching options give it (--password with no
 * value: a prompt; --passwordFile; --passwordEnv), never as a value on the command line. */
#ifndef WI_CLI_WITPASS_H
#define WI_CLI_WITPASS_H

#include <stdbool.h>

#include "lib/err.h"

/* Before options are parsed (a parse error would echo the value): refuse "--password=X" and
 * "--password X", which WIT accepts but which leak through ps and shell history. Prints the usage
 * error and returns CLI_EXIT_USAGE; 0 when there is none. */
int cli_witpass_refuse_value(const char *cmd, int argc, char **argv);

/* The password in WIT's precedence: --password (prompt on the terminal, or a line from stdin),
 * else the first line of --passwordFile when it is a non-empty regular file, else --passwordEnv's
 * variable when it is set and non-empty. *out NULL when there is none; else malloc'ed, wipe it with
 * wi_alloc_secret_free. */
int cli_witpass_read(bool prompt, const char *file, const char *env, char **out, wi_err *err);

#endif
