#include "lib/log.h"

#include <stdio.h>

static wi_log_handler g_handler;
static enum wi_log_level g_level = WI_LOG_WARN;
static void *g_payload;

void
wi_log_set_handler(wi_log_handler handler, enum wi_log_level max_level, void *payload)
{
  g_handler = handler;
  g_level = max_level;
  g_payload = payload;
}

enum wi_log_level
wi_log_level(void)
{
  return g_handler ? g_level : WI_LOG_ERROR;
}

void
wi_log(enum wi_log_level level, const char *fmt, ...)
{
  char msg[2048];
  va_list ap;

  if (g_handler == NULL || level > g_level)
    return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  g_handler(level, msg, g_payload);
}

void
wi_log_to(wi_log_handler handler, void *payload, enum wi_log_level level, const char *fmt, ...)
{
  char msg[2048];
  va_list ap;

  if (handler == NULL && (g_handler == NULL || level > g_level))
    return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (handler)
    handler(level, msg, payload);
  else
    g_handler(level, msg, g_payload);
}
