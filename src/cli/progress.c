/* wlsimg CLI: transfer progress. On a terminal, a docker-push-like display with one line per blob
 * redrawn in place; otherwise one plain line per event; nothing with -q. Events arrive from worker
 * threads, so everything happens under one mutex. Progress goes to stderr (stdout carries results).
 *
 * Every line fits the terminal's width (a line that wrapped would throw the redraw off by a row:
 * "4kB20be8655c: Waiting"): the bar shrinks, then goes, then the sizes, then the text is cut.
 * SIGWINCH only sets a flag; the next redraw reads the new size. A terminal that got narrower has
 * re-wrapped what was drawn (tmux, VTE, kitty and most others reflow), so the cursor goes up by the
 * rows the old lines take now. Only the last rows that fit the screen are redrawn; older ones are
 * left as they are and scroll away.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/alloc.h"
#include "lib/util.h"

#define MAX_BAR       50
#define MIN_BAR       10
#define REDRAW_PERIOD 0.1 /* seconds between redraws for byte counts */

struct row {
  char id[13];
  char status[96];
  int64_t done, total;
  bool bar;     /* show a progress bar (transfer in progress) */
  size_t drawn; /* characters of the line last drawn */
};

struct cli_progress {
  pthread_mutex_t mu;
  char *action;         /* "Pushing", "Pulling", "Copying" */
  const char *finished; /* "Pushed", "Pull complete", "Copied" */
  bool tty;
  struct row *rows;
  size_t n_rows;
  size_t first;    /* rows before it are left as drawn (they no longer fit on the screen) */
  size_t drawn;    /* rows currently in the redrawn block */
  int cols, lines; /* the terminal's size when the block was last drawn */
  double last_draw;
  struct sigaction old_winch;
};

static volatile sig_atomic_t winched = 1; /* read the size at the first redraw */

static void
on_winch(int sig)
{
  (void)sig;
  winched = 1;
}

static void
term_size(int *cols, int *lines)
{
  struct winsize ws;
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    *cols = ws.ws_col;
    *lines = ws.ws_row > 0 ? ws.ws_row : 24;
    return;
  }
  const char *c = getenv("COLUMNS");
  long v = c ? strtol(c, NULL, 10) : 0;
  *cols = v > 0 && v < 10000 ? (int)v : 80;
  *lines = 24;
}

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
  if (p->tty) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_winch;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGWINCH, &sa, &p->old_winch);
    winched = 1;
  }
  return p;
}

void
cli_progress_free(struct cli_progress *p)
{
  if (p == NULL)
    return;
  if (p->tty)
    sigaction(SIGWINCH, &p->old_winch, NULL);
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

/* The row as it fits in width characters: "id: status [=====>    ] 1.2MB/3.4MB". */
static size_t
format_row(const struct row *r, int width, char *out, size_t outlen)
{
  size_t w = width > 1 ? (size_t)width - 1 : 1; /* the last column would wrap on some terminals */
  if (w > outlen - 1)
    w = outlen - 1;
  int n = snprintf(out, outlen, "%s: %s", r->id, r->status);
  size_t len = n > 0 ? (size_t)n : 0;
  if (r->bar && r->total > 0) {
    char d[32], t[32], sizes[72];
    human(r->done, d, sizeof d);
    human(r->total, t, sizeof t);
    snprintf(sizes, sizeof sizes, " %s/%s", d, t);
    size_t room = w > len + strlen(sizes) + 3 ? w - len - strlen(sizes) - 3 : 0;
    size_t bw = room > MAX_BAR ? MAX_BAR : room;
    if (bw >= MIN_BAR && len + bw + 3 + strlen(sizes) < outlen) {
      size_t fill = (size_t)(r->done * (int64_t)bw / r->total);
      out[len++] = ' ';
      out[len++] = '[';
      for (size_t i = 0; i < bw; i++)
        out[len++] = i < fill ? '=' : i == fill ? '>' : ' ';
      out[len++] = ']';
    }
    if (len + strlen(sizes) <= w)
      len += (size_t)snprintf(out + len, outlen - len, "%s", sizes);
  }
  if (len > w)
    len = w; /* a very narrow terminal: the text is cut */
  out[len] = '\0';
  return len;
}

/* Rows the block takes on the screen now: lines drawn wider than the terminal has become were
 * re-wrapped by it. */
static size_t
screen_rows(const struct cli_progress *p, int cols)
{
  size_t rows = 0;
  for (size_t i = p->first; i < p->first + p->drawn && i < p->n_rows; i++) {
    size_t len = p->rows[i].drawn;
    rows += len == 0 ? 1 : (len + (size_t)cols - 1) / (size_t)cols;
  }
  return rows;
}

static void
redraw(struct cli_progress *p)
{
  char line[512];
  int cols = p->cols, lines = p->lines;

  if (winched) {
    winched = 0;
    term_size(&cols, &lines);
  }
  size_t up = screen_rows(p, cols);
  if (up > 0)
    fprintf(stderr, "\r\033[%zuA", up);
  /* Only what fits on the screen is redrawn: the cursor cannot go back above its top. */
  size_t fit = lines > 2 ? (size_t)lines - 1 : 1;
  size_t first = p->n_rows > fit ? p->n_rows - fit : 0;
  if (first < p->first)
    first = p->first;
  for (size_t i = p->first; i < p->n_rows; i++) {
    struct row *r = &p->rows[i];
    r->drawn = format_row(r, cols, line, sizeof line);
    fprintf(stderr, "\r%s\033[K\n", line);
    if (i < first)
      r->drawn = 0;
  }
  fprintf(stderr, "\033[J"); /* what re-wrapped lines left below */
  p->first = first;
  p->drawn = p->n_rows - first;
  p->cols = cols;
  p->lines = lines;
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
    if (force || winched || wi_util_now() - p->last_draw >= REDRAW_PERIOD)
      redraw(p);
  } else {
    plain_line(p, r, ev);
  }
  pthread_mutex_unlock(&p->mu);
}
