/* wlsimg CLI: WIT-style console log lines for the WIT-compatible commands (createAuxImage, cache,
 * inspect): "[INFO   ] message" on stderr, the level name left-justified in 7 columns. */
#ifndef WI_CLI_WITLOG_H
#define WI_CLI_WITLOG_H

#include "lib/err.h"
#include "lib/log.h"

enum wit_level { WIT_SEVERE, WIT_WARNING, WIT_INFO, WIT_FINE };

void wit_log(enum wit_level level, const char *fmt, ...) WI_PRINTF(2, 3);
/* Print err as "[SEVERE ] msg" and return the exit status for its code (1, or 2 for usage). */
int wit_fail(const wi_err *err);
/* Route library wi_log() calls through wit_log (WARN → WARNING, INFO → INFO, DEBUG → FINE). */
void wit_log_install(void);

#endif
