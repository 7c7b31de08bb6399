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

struct command {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *summary;
};

static const struct command commands[] = {
  /* images and the local store */
  { "images", cmd_images, "List images in the local store" },
  { "tag", cmd_tag, "Give an image in the store another name" },
  { "rmi", cmd_rmi, "Remove names from the store and free unreferenced blobs" },
  { "save", cmd_save, "Write images to a docker-archive tar" },
  { "load", cmd_load, "Load images from a docker-archive tar" },
  { "import", cmd_import, "Create an image from a root filesystem tar" },
  { "copy", cmd_copy, "Copy an image between docker://, oci:, docker-archive: and the store" },
  /* registry client */
  { "login", cmd_login, "Log in to a registry" },
  { "logout", cmd_logout, "Log out from a registry" },
  { "push", cmd_push, "Push an image from the store to a registry" },
  { "pull", cmd_pull, "Pull an image from a registry into the store" },
  { "tags", cmd_tags, "List the tags of a repository" },
  { "manifest", cmd_manifest, "Print an image's raw manifest" },
  /* WIT-compatible image commands */
  { "createAuxImage", cmd_create_aux_image, "Build a WebLogic auxiliary image (WIT-compatible)" },
  { "create", cmd_create, "Build a WebLogic image from installers (WIT-compatible)" },
  { "update", cmd_update, "Add a WDT domain or patches to a WebLogic image (WIT-compatible)" },
  { "rebase", cmd_rebase, "Move a domain onto another Oracle Home (WIT-compatible)" },
  { "inspect", cmd_inspect, "Describe an image as WIT's inspect does, without running it" },
  { "cache", cmd_cache, "Manage the WIT-compatible installer cache" },
  /* embedded registry and Kubernetes */
  { "registry", cmd_registry, "Run and administer the embedded OCI registry" },
  { "k8s", cmd_k8s, "Kubernetes pull secrets, Domain resources and rollouts" },
  { "ui", cmd_ui, "Serve the local web page (Image, Push, Kubernetes) on loopback" },
};

static void
log_handler(enum wi_log_level level, const char *msg, void *payload)
{
  static const char *names[] = { "error", "warning", "info", "debug", "trace" };
  WI_UNUSED(payload);
  fprintf(stderr, "wlsimg: %s: %s\n", names[level], msg);
}

static void
usage(FILE *f)
{
  fprintf(f, "Usage: wlsimg [-v] [--version] COMMAND [OPTIONS]\n\n"
             "Build, store, push and pull WebLogic images without a Docker daemon.\n\nCommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\nRun 'wlsimg COMMAND --help' for a command's options.\n");
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
    if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
      cli_verbose++;
    else if (!strcmp(argv[i], "-vv"))
      cli_verbose += 2;
    else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
      cli_quiet = true;
    else if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
      printf("wlsimg %s\n", WLSIMG_VERSION);
      return 0;
    } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "wlsimg: unknown option '%s'\n\n", argv[i]);
      usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (i >= argc) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  wi_log_set_handler(log_handler,
                     cli_verbose >= 2 ? WI_LOG_TRACE
                     : cli_verbose    ? WI_LOG_DEBUG
                                      : WI_LOG_WARN,
                     NULL);
  wi_http_global_init();
  for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
    if (strcmp(commands[k].name, argv[i]) == 0)
      return flush_stdout(commands[k].fn(argc - i, argv + i));
  }
  fprintf(stderr, "wlsimg: unknown command '%s'\n\n", argv[i]);
  usage(stderr);
  return CLI_EXIT_USAGE;
}
