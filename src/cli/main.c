/* wlsimg: command table, global options, logging to stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/http.h"
#include "lib/log.h"

/* The command table: help, the man pages and shell completion are generated from it and from each
 * command's struct cli_cmd. Keep the user's spelling (WIT's createAuxImage). */
static const struct cli_sub commands[] = {
  /* images and the local store */
  { "images", cmd_images, "List images in the local store", false },
  { "image", cmd_image, "Inspect, list and prune images in the store (docker image …)", false },
  { "tag", cmd_tag, "Give an image in the store another name", false },
  { "rmi", cmd_rmi, "Remove names from the store and free unreferenced blobs", false },
  { "save", cmd_save, "Write images to a docker-archive tar", false },
  { "load", cmd_load, "Load images from a docker-archive tar", false },
  { "import", cmd_import, "Create an image from a root filesystem tar", false },
  { "copy", cmd_copy, "Copy an image between docker://, oci:, docker-archive: and the store",
    false },
  { "system", cmd_system, "Disk usage of the store and removal of what nothing needs", false },
  /* registry client */
  { "login", cmd_login, "Log in to a registry", false },
  { "logout", cmd_logout, "Log out from a registry", false },
  { "push", cmd_push, "Push an image from the store to a registry", false },
  { "pull", cmd_pull, "Pull an image from a registry into the store", false },
  { "tags", cmd_tags, "List the tags of a repository", false },
  { "manifest", cmd_manifest, "Print an image's raw manifest", false },
  /* WIT-compatible image commands */
  { "createAuxImage", cmd_create_aux_image, "Build a WebLogic auxiliary image (WIT-compatible)",
    false },
  { "create", cmd_create, "Build a WebLogic image from installers (WIT-compatible)", false },
  { "update", cmd_update, "Add a WDT domain or patches to a WebLogic image (WIT-compatible)",
    false },
  { "rebase", cmd_rebase, "Move a domain onto another Oracle Home (WIT-compatible)", false },
  { "inspect", cmd_inspect, "Describe an image as WIT's inspect does, without running it", false },
  { "cache", cmd_cache, "Manage the WIT-compatible installer cache", false },
  /* embedded registry and Kubernetes */
  { "registry", cmd_registry, "Run and administer the embedded OCI registry", false },
  { "k8s", cmd_k8s, "Kubernetes pull secrets, Domain resources and rollouts", false },
  { "ui", cmd_ui, "Serve the local web page (Image, Push, Kubernetes) on loopback", false },
  /* the shell */
  { "completion", cmd_completion, "Print the bash or zsh completion script", false },
  { "__complete", cmd_complete, "Answer the completion scripts", true },
  { NULL, NULL, NULL, false },
};

const struct cli_group cli_main_group = {
  NULL,
  "Build, store, push and pull WebLogic images without a Docker daemon.",
  "Global options (before COMMAND):\n"
  "  -v, --verbose     Say what is being done (debug messages); twice (-vv) also trace HTTP\n"
  "                    requests and responses, with credentials redacted\n"
  "  -q, --quiet       No progress display and no informational messages\n"
  "  -V, --version     Print the version and exit\n"
  "  -h, --help        Print this help and exit\n"
  "\n"
  "Exit status: 0 on success, 1 on failure, 2 for a usage error.\n",
  commands,
};

static void
log_handler(enum wi_log_level level, const char *msg, void *payload)
{
  static const char *names[] = { "error", "warning", "info", "debug", "trace" };
  WI_UNUSED(payload);
  fprintf(stderr, "wlsimg: %s: %s\n", names[level], msg);
}

/* Results go to stdout: a write that failed there (a full disk, a closed pipe) must not end in
 * success with half an output. */
static int
flush_stdout(int status)
{
  if (fflush(stdout) == 0 && !ferror(stdout))
    return status;
  fprintf(stderr, "wlsimg: write to standard output: %s\n",
          errno ? strerror(errno) : "write error");
  return status ? status : CLI_EXIT_FAIL;
}

int
main(int argc, char **argv)
{
  int i = 1;

  /* Passwords, tokens and private keys pass through this process's memory: no core dump may hold
   * them, and a non-dumpable process cannot be ptrace-attached or have its memory read through
   * /proc by other processes of the same user. First thing, before any secret is read. Children
   * inherit the core limit; execve makes them dumpable again. */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });

  /* With TZ unset glibc re-reads /etc/localtime on every mktime/localtime (libarchive's zip
   * reader calls mktime per entry); naming the same zone file makes it load once. */
  setenv("TZ", ":/etc/localtime", 0);

  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
      cli_verbose++;
    else if (!strcmp(a, "-vv"))
      cli_verbose += 2;
    else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
      cli_quiet = true;
    else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
      printf("wlsimg %s\n", WLSIMG_VERSION);
      return flush_stdout(CLI_EXIT_OK);
    } else if (!strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "--help-all"))
      break; /* the dispatcher prints the help */
    else {
      fprintf(stderr, "wlsimg: unknown option %s\nsee 'wlsimg --help'\n", a);
      return CLI_EXIT_USAGE;
    }
  }
  wi_log_set_handler(log_handler,
                     cli_verbose >= 2 ? WI_LOG_TRACE
                     : cli_verbose    ? WI_LOG_DEBUG
                                      : WI_LOG_WARN,
                     NULL);
  wi_http_global_init();
  /* argv[i - 1] stands for the group's own word (the dispatcher skips it). */
  return flush_stdout(cli_dispatch(&cli_main_group, argc - i + 1, argv + i - 1));
}
