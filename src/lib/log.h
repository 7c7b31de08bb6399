/* wlsimg: library logging. The library calls wi_log(); the program installs a handler.
 * By default everything is dropped. Secrets never reach a log call. */
#ifndef WI_LOG_H
#define WI_LOG_H

#include <stdarg.h>

#include "lib/err.h"

enum wi_log_level { WI_LOG_ERROR, WI_LOG_WARN, WI_LOG_INFO, WI_LOG_DEBUG, WI_LOG_TRACE };

typedef void (*wi_log_handler)(enum wi_log_level level, const char *msg, void *payload);

void wi_log_set_handler(wi_log_handler handler, enum wi_log_level max_level, void *payload);
enum wi_log_level wi_log_level(void);
void wi_log(enum wi_log_level level, const char *fmt, ...) WI_PRINTF(2, 3);
/* As wi_log, but to handler (with payload) when one is given: for library calls whose caller
 * passes its own handler. */
void wi_log_to(wi_log_handler handler, void *payload, enum wi_log_level level, const char *fmt, ...)
    WI_PRINTF(4, 5);

#endif
