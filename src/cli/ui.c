/* wlsimg ui: serve the local web page (Image → Auxiliary Image → Create → Push) until stopped. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/ui_server.h"
#include "lib/ui_tasks.h"
#include "lib/util.h"

extern char **environ;

struct ui_args {
  const char *listen;
  const char *project;
  bool open;
  int idle_exit;
  bool allow_remote;
  const char *authfile;
  const char *fs_root;
  bool tls_verify;
};

#define O(f) offsetof(struct ui_args, f)
static const struct cli_opt ui_opts[] = {
  { "listen", 0, CLI_STRING, O(listen), "HOST:PORT",
    "Address to serve on (default 127.0.0.1:0, a free port on loopback)", false },
  { "project", 0, CLI_STRING, O(project), "PATH",
    "Project file (default ./wlsimg-project.json; created on the first save)", false },
  { "open", 0, CLI_FLAG, O(open), NULL, "Open the page in the desktop's browser (xdg-open)",
    false },
  { "idle-exit", 0, CLI_INT, O(idle_exit), "MIN",
    "Stop after MIN minutes without a page or a running job", false },
  { "allow-remote", 0, CLI_FLAG, O(allow_remote), NULL,
    "Allow a non-loopback --listen address (anyone who can reach it may try the API)", false },
  { "authfile", 0, CLI_STRING, O(authfile), "FILE",
    "Registry credentials file (default: where wlsimg login stores logins)", false },
  { "fs-root", 0, CLI_STRING, O(fs_root), "DIR",
    "The page's file picker shows only DIR (default: your home and the project's directory)",
    false },
  { "tls-verify", 0, CLI_FLAG, O(tls_verify), NULL, "Verify registry certificates (default true)",
    false },
  CLI_OPT_END,
};
#undef O

static const struct cli_cmd ui_cmd = {
  "ui",
  "[--listen 127.0.0.1:0] [--project PATH] [--open] [--idle-exit MIN] [--allow-remote] [--fs-root DIR]",
  "Serve the wlsimg web page on loopback. Prints the URL (with a one-time token) to open.",
  ui_opts,
  0,
  0,
};

static void
ui_log(enum wi_log_level level, const char *msg, void *payload)
{
  static const char *names[] = { "error", "warning", "info", "debug", "trace" };
  WI_UNUSED(payload);
  fprintf(stderr, "wlsimg ui: %s: %s\n", names[level], msg);
  if (strncmp(msg, WI_UI_SERVER_REQUEST_LOG, strlen(WI_UI_SERVER_REQUEST_LOG)) != 0)
    wi_ui_tasks_forward_log((int)level, msg);
}

/* The project file as an absolute path (its directory must exist). malloc'ed or NULL. */
static char *
project_path(const char *arg)
{
  const char *p = arg ? arg : "wlsimg-project.json";
  wi_autofree char *copy = wi_xstrdup(p);
  char *slash = strrchr(copy, '/');
  const char *base = slash ? slash + 1 : copy;
  if (slash)
    *slash = '\0';
  wi_autofree char *dir = realpath(slash ? (copy[0] ? copy : "/") : ".", NULL);
  if (dir == NULL || base[0] == '\0')
    return NULL;
  return wi_xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, base);
}

/* Open the page without putting the token on a command line: a 0600 file that redirects to the
 * URL is what the browser is given. */
static void
open_browser(const char *url)
{
  wi_err err = { 0 };
  wi_autofree char *dir = wi_fs_mkdtemp("wlsimg-ui-", &err);
  if (dir == NULL) {
    fprintf(stderr, "wlsimg ui: --open: %s\n", err.msg);
    return;
  }
  wi_autofree char *file = wi_xasprintf("%s/open.html", dir);
  wi_autofree char *html = wi_xasprintf(
      "<!doctype html><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url=%s\">"
      "<title>wlsimg ui</title>\n",
      url);
  if (wi_fs_write_file_atomic(file, html, strlen(html), 0600, &err) < 0) {
    fprintf(stderr, "wlsimg ui: --open: %s\n", err.msg);
    return;
  }
  explicit_bzero(html, strlen(html));
  char prog[] = "xdg-open";
  char *argv[] = { prog, file, NULL };
  pid_t pid;
  int rc = posix_spawnp(&pid, prog, NULL, NULL, argv, environ);
  if (rc != 0)
    fprintf(stderr, "wlsimg ui: --open: cannot run xdg-open: %s (open the URL yourself)\n",
            strerror(rc));
  /* the file is left for the browser to read; it is in a 0700 directory of the user's */
}

static int
serve(struct wi_ui_server *s, int idle_exit, sigset_t *set)
{
  struct timespec tick = { 1, 0 };
  for (;;) {
    int sig = sigtimedwait(set, NULL, &tick);
    if (sig > 0) {
      wi_log(WI_LOG_INFO, "signal %d: stopping", sig);
      return CLI_EXIT_OK;
    }
    /* reap a finished xdg-open */
    while (waitpid(-1, NULL, WNOHANG) > 0)
      ;
    if (idle_exit > 0 && wi_ui_server_idle_seconds(s) > idle_exit * 60.0) {
      wi_log(WI_LOG_INFO, "no page for %d minute%s: stopping", idle_exit,
             idle_exit == 1 ? "" : "s");
      return CLI_EXIT_OK;
    }
  }
}

int
cmd_ui(int argc, char **argv)
{
  struct ui_args a = { .tls_verify = true };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_ui_server *s = NULL;

  int r = cli_parse(&ui_cmd, argc, argv, &a, &pos, &npos);
  if (r != 0)
    return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (a.idle_exit < 0)
    return cli_usage_error("ui", "--idle-exit: expected minutes >= 0");
  wi_autofree char *project = project_path(a.project);
  if (project == NULL)
    return cli_usage_error("ui", "--project %s: its directory does not exist",
                           a.project ? a.project : "wlsimg-project.json");
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (!cli_quiet)
    wi_log_set_handler(ui_log, cli_verbose ? WI_LOG_DEBUG : WI_LOG_INFO, NULL);
  struct wi_ui_server_opts o = { .listen = a.listen,
                                 .allow_remote = a.allow_remote,
                                 .project_file = project,
                                 .authfile = a.authfile,
                                 .fs_root = a.fs_root,
                                 .tls_verify = a.tls_verify };
  if (wi_ui_server_start(&s, &o, &err) < 0)
    return cli_fail(&err);
  printf("wlsimg ui: %s\n", wi_ui_server_url(s));
  fflush(stdout);
  wi_log(WI_LOG_INFO, "project %s", project);
  if (a.open)
    open_browser(wi_ui_server_url(s));
  int ret = serve(s, a.idle_exit, &set);
  wi_ui_server_stop(s);
  return ret;
}
