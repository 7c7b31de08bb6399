/* wlsimg CLI: transfer progress. On a terminal, a docker-push-like display with one line per blob
 * redrawn in place; otherwise one plain line per event; nothing with -q. Events arrive from worker
 * threads, so everything happens under one mutex. Progress goes to stderr (stdout carries results).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/alloc.h"
#include "lib/util.h"

#define BAR_WIDTH     40
#define REDRAW_PERIOD 0.1 /* seconds between redraws for byte counts */

struct row {
  char id[13];
  char status[96];
  int64_t done, total;
  bool bar; /* show a progress bar (transfer in progress) */
};

struct cli_progress {
  pthread_mutex_t mu;
  char *action;         /* "Pushing", "Pulling", "Copying" */
  const char *finished; /* "Pushed", "Pull complete", "Copied" */
  bool tty;
  struct row *rows;
  size_t n_rows;
  size_t drawn; /* lines currently on screen */
  double last_draw;
};

struct cli_progress *
cli_progress_new(const char *action)
{
  struct cli_progress *p = wi_xcalloc(1, sizeof *p);
  pthread_mutex_init(&p->mu, NULL);
  p->action = wi_xstrdup(action ? action : "Copying");
  if (strcmp(p->action, "Pushing") == 0)
    p->finished = "Pushed";
  else if (strcmp(p->action, "Pulling") == 0)
    p->finished = "Pull complete";
  else
    p->finished = "Copied";
  p->tty = isatty(STDERR_FILENO) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
  return p;
}

void
cli_progress_free(struct cli_progress *p)
{
  if (p == NULL)
    return;
  pthread_mutex_destroy(&p->mu);
  free(p->rows);
  free(p->action);
  free(p);
}

/* 12.3MB, decimal units as docker prints them. */
static void
human(int64_t n, char *out, size_t len)
{
  static const char *units[] = { "B", "kB", "MB", "GB", "TB" };
  double v = (double)n;
  size_t u = 0;
  while (v >= 1000 && u + 1 < WI_ARRAY_SIZE(units)) {
    v /= 1000;
    u++;
  }
  if (u == 0)
    snprintf(out, len, "%lldB", (long long)n);
  else
    snprintf(out, len, "%.1f%s", v, units[u]);
}

static void
short_id(const char *digest, char out[13])
{
  const char *c = digest ? strchr(digest, ':') : NULL;
  snprintf(out, 13, "%s", c ? c + 1 : digest ? digest : "");
}

static struct row *
find_row(struct cli_progress *p, const char *digest)
{
  char id[13];
  short_id(digest, id);
  for (size_t i = 0; i < p->n_rows; i++)
    if (strcmp(p->rows[i].id, id) == 0)
      return &p->rows[i];
  p->rows = wi_xreallocarray(p->rows, p->n_rows + 1, sizeof *p->rows);
  struct row *r = &p->rows[p->n_rows++];
  memset(r, 0, sizeof *r);
  memcpy(r->id, id, sizeof id);
  snprintf(r->status, sizeof r->status, "Waiting");
  return r;
}

static void
draw_row(const struct row *r)
{
  fprintf(stderr, "\r\033[2K%s: %s", r->id, r->status);
  if (r->bar && r->total > 0) {
    char d[32], t[32], bar[BAR_WIDTH + 1];
    int fill = (int)(r->done * BAR_WIDTH / r->total);
    if (fill > BAR_WIDTH)
      fill = BAR_WIDTH;
    for (int i = 0; i < BAR_WIDTH; i++)
      bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
    bar[BAR_WIDTH] = '\0';
    human(r->done, d, sizeof d);
    human(r->total, t, sizeof t);
    fprintf(stderr, " [%s] %s/%s", bar, d, t);
  }
  fputc('\n', stderr);
}

static void
redraw(struct cli_progress *p)
{
  if (p->drawn > 0)
    fprintf(stderr, "\033[%zuA", p->drawn);
  for (size_t i = 0; i < p->n_rows; i++)
    draw_row(&p->rows[i]);
  p->drawn = p->n_rows;
  fflush(stderr);
  p->last_draw = wi_util_now();
}

static void
plain_line(const struct cli_progress *p, const struct row *r, const struct wi_progress *ev)
{
  char t[32];
  switch (ev->event) {
  case WI_PROGRESS_START:
    human(ev->total, t, sizeof t);
    fprintf(stderr, "%s: %s (%s)\n", r->id, p->action, t);
    break;
  case WI_PROGRESS_BYTES:
    return;
  case WI_PROGRESS_MANIFEST:
  case WI_PROGRESS_WAITING:
    return;
  default:
    fprintf(stderr, "%s: %s\n", r->id, r->status);
    break;
  }
}

void
cli_progress_cb(const struct wi_progress *ev, void *payload)
{
  struct cli_progress *p = payload;

  if (cli_quiet || p == NULL || ev == NULL)
    return;
  pthread_mutex_lock(&p->mu);
  if (ev->event == WI_PROGRESS_MANIFEST) {
    if (!p->tty)
      fprintf(stderr, "Manifest %s written\n", ev->digest ? ev->digest : "");
    pthread_mutex_unlock(&p->mu);
    return;
  }
  struct row *r = find_row(p, ev->digest);
  bool force = true;
  switch (ev->event) {
  case WI_PROGRESS_START:
    snprintf(r->status, sizeof r->status, "%s", p->action);
    r->bar = true;
    r->done = 0;
    r->total = ev->total;
    break;
  case WI_PROGRESS_BYTES:
    r->bar = true;
    r->done = ev->done;
    if (ev->total > 0)
      r->total = ev->total;
    force = false;
    break;
  case WI_PROGRESS_EXISTS:
    snprintf(r->status, sizeof r->status, "%s",
             strcmp(p->finished, "Pushed") == 0 ? "Layer already exists" : "Already exists");
    r->bar = false;
    break;
  case WI_PROGRESS_MOUNTED:
    snprintf(r->status, sizeof r->status, "Mounted from %.60s",
             ev->message ? ev->message : "another repository");
    r->bar = false;
    break;
  case WI_PROGRESS_DONE:
    snprintf(r->status, sizeof r->status, "%s", p->finished);
    r->bar = false;
    break;
  case WI_PROGRESS_RETRY:
    snprintf(r->status, sizeof r->status, "Retrying: %.70s", ev->message ? ev->message : "");
    break;
  case WI_PROGRESS_MANIFEST:
    break;
  case WI_PROGRESS_WAITING:
    snprintf(r->status, sizeof r->status, "Waiting");
    r->bar = false;
    force = p->n_rows == 1; /* the whole list appears with the next redraw */
    break;
  }
  if (p->tty) {
    if (force || wi_util_now() - p->last_draw >= REDRAW_PERIOD)
      redraw(p);
  } else {
    plain_line(p, r, ev);
  }
  pthread_mutex_unlock(&p->mu);
}
