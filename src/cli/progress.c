/* wlsimg CLI: transfer progress. On a terminal, a docker-push-like display with one line per blob
 * redrawn in place; otherwise one plain line per event; nothing with -q. Events arrive from worker
 * threads, so everything happens under one mutex. Progress goes to stderr (stdout carries results).
 *
 * Every line is cut to the terminal's width, read at each redraw: the bar shrinks, then goes, then
 * the sizes, then the text is cut. A resize must not garble the screen whatever the order of
 * events, and the terminal works against that: it re-wraps what is on the screen the moment it is
 * resized and tells the program later (tmux sends the new size up to 250 ms after a burst of
 * resizes), and bytes already written are read after that. A redraw that moves the cursor up by the
 * rows the block took at the width it believes in lands inside the re-wrapped block and leaves its
 * top behind (a blob's line twice), or above it (and erases the lines before it). So the redraw
 * never counts rows it did not write itself, in a form the width cannot change:
 *  - between redraws the cursor rests at the start of the block's first line. The terminal keeps
 *    the cursor on the same character when it re-wraps, so that is the top of the block whatever
 *    happened to the lines below it (if the re-wrap pushes it off the screen, tmux puts the cursor
 *    on the first row and the block is drawn from there);
 *  - a redraw writes the lines from there with autowrap off (DECAWM), so each takes exactly one row
 *    at any width (a terminal narrower than we think cuts it), clears what is below (ESC[J: the
 *    rest of the old block, however it was re-wrapped), and goes back up by the lines it wrote;
 *  - the last draw writes the lines with autowrap on and stays below them, where the shell's next
 *    line goes. So does a SIGINT or SIGTERM that ends the program, and a SIGTSTP that stops it
 *    (continued, it draws the block afresh below what the shell printed meanwhile).
 * The display is never taller than the screen: the cursor cannot go back above its top. Older
 * lines are left as last drawn and scroll away.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/util.h"

#define MAX_BAR       50
#define MIN_BAR       10
#define REDRAW_PERIOD 0.1 /* seconds between redraws for byte counts */
#define MAX_TEXT      (16u << 20)

#define AUTOWRAP_OFF "\033[?7l"
#define AUTOWRAP_ON  "\033[?7h"

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
  /* The block's first row, where the cursor rests; rows before it are left as drawn. */
  size_t first;
  bool drawn; /* the block is on the screen */
  double last_draw;
  struct wi_buf out; /* the redraw being written */
  struct sigaction old_winch, old_leave[3];
  bool leave_set[3];
};

/* The signals that take the terminal back from the program (see on_leave). */
static const int leave_signals[3] = { SIGINT, SIGTERM, SIGTSTP };

static volatile sig_atomic_t winched = 1; /* redraw at the next event, whatever the period */

/* What a signal that ends or stops the program writes first: the lines as last drawn, from the
 * cursor (the block's top) down, autowrap on, and a new line. Two copies: a redraw fills the one
 * the handler does not read, then publishes it. */
static struct wi_buf leave[2] = { WI_BUF_INIT(MAX_TEXT), WI_BUF_INIT(MAX_TEXT) };
static atomic_int leave_at = -1;

static void
on_winch(int sig)
{
  (void)sig;
  winched = 1;
}

static void
write_all(const char *s, size_t len)
{
  while (len > 0) {
    ssize_t n = write(STDERR_FILENO, s, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    s += n;
    len -= (size_t)n;
  }
}

static void on_leave(int sig);

/* Catch sig only where its default action would apply (not where it is ignored or handled). */
static bool
catch_leave(int sig, struct sigaction *old)
{
  struct sigaction sa, cur;
  if (old == NULL)
    old = &cur;
  if (sigaction(sig, NULL, old) < 0 || old->sa_handler != SIG_DFL)
    return false;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_leave;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  return sigaction(sig, &sa, NULL) == 0;
}

/* Installed with SA_RESETHAND: the default action is back when this runs, and the signal raised
 * again ends (or, SIGTSTP, stops) the program as it would have without the display once it is
 * unblocked. A stopped program goes on from here when continued, and catches the next SIGTSTP. */
static void
on_leave(int sig)
{
  int saved = errno;
  int i = atomic_load(&leave_at);
  if (i >= 0)
    write_all(leave[i].data, leave[i].len);
  raise(sig);
  if (sig == SIGTSTP) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTSTP);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    catch_leave(SIGTSTP, NULL);
  }
  errno = saved;
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
static void
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
}

/* Rows from..n_rows-1 as they fit in cols, one per line from the cursor on, and below the last one
 * the rest of the screen cleared. The cursor ends on the last line. Each line is cleared whole
 * before it is written (ESC[2K): a terminal that re-wraps (tmux) goes by the longest text a line
 * ever held, and only a whole-line erase forgets it; after ESC[K a short line once drawn long is
 * split into itself and an empty row by the next narrowing. */
static void
add_rows(struct wi_buf *b, const struct cli_progress *p, size_t from, int cols)
{
  char line[512];
  for (size_t i = from; i < p->n_rows; i++) {
    format_row(&p->rows[i], cols, line, sizeof line);
    wi_buf_addf(b, NULL, "\r\033[2K%s%s", line, i + 1 < p->n_rows ? "\n" : "\033[J");
  }
}

/* Draw the block from the cursor (its top) and go back there. What a signal would write next is
 * published once the cursor is at the top again. */
static void
redraw(struct cli_progress *p)
{
  int cols, lines;

  winched = 0;
  term_size(&cols, &lines);
  size_t fit = lines > 2 ? (size_t)lines - 1 : 1;
  size_t first = p->n_rows > fit ? p->n_rows - fit : 0;
  if (first < p->first)
    first = p->first;
  wi_buf_reset(&p->out);
  wi_buf_adds(&p->out, AUTOWRAP_OFF, NULL);
  add_rows(&p->out, p, p->first, cols);
  wi_buf_adds(&p->out, "\r", NULL);
  if (p->n_rows - 1 > first)
    wi_buf_addf(&p->out, NULL, "\033[%zuA", p->n_rows - 1 - first);
  wi_buf_adds(&p->out, AUTOWRAP_ON, NULL);
  write_all(p->out.data, p->out.len);
  p->first = first;
  p->drawn = true;
  p->last_draw = wi_util_now();

  int next = atomic_load(&leave_at) == 0 ? 1 : 0;
  wi_buf_reset(&leave[next]);
  add_rows(&leave[next], p, first, cols);
  wi_buf_adds(&leave[next], "\n", NULL);
  atomic_store(&leave_at, next);
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

struct cli_progress *
cli_progress_new(const char *action)
{
  struct cli_progress *p = wi_xcalloc(1, sizeof *p);
  pthread_mutex_init(&p->mu, NULL);
  wi_buf_init(&p->out, MAX_TEXT);
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
    atomic_store(&leave_at, -1);
    for (size_t i = 0; i < WI_ARRAY_SIZE(leave_signals); i++) {
      /* In the session leader's process group (no job control: a command run by tmux, ssh -t)
       * SIGTSTP stops nothing: the kernel drops it, and the display must go on in place. */
      if (leave_signals[i] == SIGTSTP && getpgrp() == getsid(0))
        continue;
      p->leave_set[i] = catch_leave(leave_signals[i], &p->old_leave[i]);
    }
  }
  return p;
}

/* The last draw: the lines from the block's top, autowrap on, and the cursor below them. */
void
cli_progress_free(struct cli_progress *p)
{
  if (p == NULL)
    return;
  if (p->tty) {
    if (p->drawn) {
      int cols, lines;
      term_size(&cols, &lines);
      atomic_store(&leave_at, -1);
      wi_buf_reset(&p->out);
      add_rows(&p->out, p, p->first, cols);
      wi_buf_adds(&p->out, "\n", NULL);
      write_all(p->out.data, p->out.len);
    }
    atomic_store(&leave_at, -1);
    for (size_t i = 0; i < WI_ARRAY_SIZE(leave_signals); i++)
      if (p->leave_set[i])
        sigaction(leave_signals[i], &p->old_leave[i], NULL);
    sigaction(SIGWINCH, &p->old_winch, NULL);
  }
  /* leave[] stays: a handler that started before may still be writing it. */
  wi_buf_dispose(&p->out);
  pthread_mutex_destroy(&p->mu);
  free(p->rows);
  free(p->action);
  free(p);
}
