/* wlsimg CLI: the secrets of WIT's options — the Oracle Support password (--password,
 * --passwordEnv, --passwordFile) of create, update, rebase and cache downloadPatches, and the WDT
 * passphrase (--wdtEncryptionKey, …Env, …File) — read one way, never as a value on the command
 * line. */
#ifndef WI_CLI_WITPASS_H
#define WI_CLI_WITPASS_H

#include <stdbool.h>

#include "lib/err.h"

/* `--<opt> VALUE` (or `--<opt>=VALUE`; the option is parsed as CLI_OPTIONAL) is refused, although
 * WIT accepts it: every user of the machine can read a process's arguments (ps, /proc) and shells
 * keep them in their history. The value is wiped in place, so that /proc no longer shows it, and
 * the usage error names the other ways. Returns CLI_EXIT_USAGE. */
int cli_witpass_refuse(const char *cmd, const char *opt, const char *value);

/* The secret of --<opt> in WIT's precedence: `--<opt>` given without a value (prompt): asked on
 * the terminal without echo, or the first line of stdin when stdin is not a terminal (as WIT
 * reads it); else the first line of --<opt>File when that is a non-empty regular file; else the
 * variable --<opt>Env names when it is set and non-empty. `what` names the secret in the prompt.
 * *out is NULL when there is none; else malloc'ed, to be wiped with wi_alloc_secret_free.
 * WI_EUSAGE when the prompt got nothing; WI_EIO/WI_ETOOBIG for an unreadable or huge file. */
int cli_witpass_read(const char *opt, const char *what, bool prompt, const char *file,
                     const char *env, char **out, wi_err *err);

#endif
