/* wlsimg CLI: WIT-style log lines. */
#include "cli/witlog.h"

#include <stdarg.h>
#include <stdio.h>

#include "cli/cli.h"

static const char *const names[] = { "SEVERE", "WARNING", "INFO", "FINE" };

static void
emit(enum wit_level level, const char *msg)
{
  if (cli_quiet && level >= WIT_INFO)
    return;
  if (level == WIT_FINE && cli_verbose == 0)
    return;
  fprintf(stderr, "[%-7s] %s\n", names[level], msg);
}

void
wit_log(enum wit_level level, const char *fmt, ...)
{
  char msg[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  emit(level, msg);
}

int
wit_fail(const wi_err *err)
{
  emit(WIT_SEVERE, err->msg[0] ? err->msg : wi_err_name(err->code));
  return wi_err_exit_status(err->code ? err->code : WI_ERR);
}

static void
handler(enum wi_log_level level, const char *msg, void *payload)
{
  WI_UNUSED(payload);
  emit(level == WI_LOG_ERROR  ? WIT_SEVERE
       : level == WI_LOG_WARN ? WIT_WARNING
       : level == WI_LOG_INFO ? WIT_INFO
                              : WIT_FINE,
       msg);
}

void
wit_log_install(void)
{
  /* -vv adds libcurl's trace (credentials redacted by lib/http.c) */
  wi_log_set_handler(handler,
                     cli_verbose >= 2 ? WI_LOG_TRACE
                     : cli_verbose    ? WI_LOG_DEBUG
                                      : WI_LOG_INFO,
                     NULL);
}
