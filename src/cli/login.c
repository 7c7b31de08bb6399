/* wlsimg login: check credentials against a registry, then save them like docker login. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/creds.h"
#include "lib/regclient.h"
#include "lib/str.h"

struct login_args {
  const char *username;
  bool password_stdin;
  const char *authfile;
  bool tls_verify;
  const char *cert_dir;
};

static const struct cli_opt login_opts[] = {
  { "username", 'u', CLI_STRING, offsetof(struct login_args, username), "USER",
    "User name (OCIR: tenancy/user or tenancy/oracleidentitycloudservice/user)", false },
  { "password-stdin", 0, CLI_FLAG, offsetof(struct login_args, password_stdin), NULL,
    "Read the password or token from stdin (there is no --password: secrets never go on the command line)",
    false },
  { "authfile", 0, CLI_STRING, offsetof(struct login_args, authfile), "FILE",
    "Save to this containers auth.json instead of docker's config.json (also REGISTRY_AUTH_FILE)",
    false },
  { "tls-verify", 0, CLI_FLAG, offsetof(struct login_args, tls_verify), NULL,
    "Require HTTPS and verify certificates (default true; false also allows plain HTTP)", false },
  { "cert-dir", 0, CLI_STRING, offsetof(struct login_args, cert_dir), "DIR",
    "Certificates directory (*.crt CAs, client.cert/client.key)", false },
  CLI_OPT_END,
};

static const struct cli_cmd login_cmd = {
  "login",
  "[OPTIONS] [REGISTRY]",
  "Log in to REGISTRY (default docker.io): check the credentials with the registry, then save them in\n"
  "docker's config.json (or its credential helper) or in --authfile. Prompts for what is not given when\n"
  "run on a terminal. There is deliberately no --password option: use --password-stdin or the prompt.",
  login_opts,
  0,
  1,
};

/* Username from a terminal, echoed. malloc'ed or NULL. */
static char *
prompt_username(void)
{
  char *line = NULL;
  size_t cap = 0;
  fprintf(stderr, "Username: ");
  fflush(stderr);
  ssize_t n = getline(&line, &cap, stdin);
  if (n <= 0) {
    free(line);
    return NULL;
  }
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = '\0';
  return line;
}

/* A clear refusal for the option other tools have, instead of "unknown option". */
static bool
has_password_option(int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0)
      return false;
    if (strcmp(argv[i], "-p") == 0 || strcmp(argv[i], "--password") == 0 ||
        wi_str_has_prefix(argv[i], "--password="))
      return true;
  }
  return false;
}

int
cmd_login(int argc, char **argv)
{
  struct login_args a = { .tls_verify = true };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };

  if (has_password_option(argc, argv))
    return cli_usage_error(
        "login", "there is no --password option (it would leak through ps and shell history); "
                 "pipe the password into --password-stdin");
  int ret = cli_parse(&login_cmd, argc, argv, &a, &pos, &npos);
  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  wi_autofree char *host = wi_creds_registry_host(npos ? pos[0] : "docker.io");
  if (*host == '\0')
    return cli_usage_error("login", "no registry host in \"%s\"", pos[0]);

  wi_autofree char *user = a.username ? wi_xstrdup(a.username) : NULL;
  if (user == NULL) {
    if (a.password_stdin || !isatty(STDIN_FILENO))
      return cli_usage_error("login", "--username is required when the password comes from stdin");
    user = prompt_username();
    if (user == NULL || *user == '\0')
      return cli_usage_error("login", "a username is required");
  }
  char *password = cli_read_secret("Password", a.password_stdin, &err);
  if (password == NULL)
    return cli_fail(&err);

  struct wi_regclient_opts ro = {
    .tls_skip_verify = !a.tls_verify,
    .username = user,
    .password = password,
    .authfile = a.authfile,
    .cert_dir = a.cert_dir,
  };
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  ret = wi_regclient_new(&rc, host, &ro, &err);
  if (ret == 0)
    ret = wi_regclient_ping(rc, &err);
  if (ret == WI_EAUTH) {
    if (cli_verbose)
      fprintf(stderr, "wlsimg: %s\n", err.msg);
    wi_err_set(&err, WI_EAUTH, "login %s: wrong username or password for %s", host, host);
  } else if (ret < 0) {
    wi_err_wrap(&err, "login"); /* the message already names the registry */
  }
  wi_autofree char *where = NULL;
  if (ret == 0) {
    struct wi_cred c = { .username = user, .password = password };
    ret = wi_creds_store(host, &c, a.authfile, &where, &err);
  }
  wi_alloc_secret_free(password);
  if (ret < 0)
    return cli_fail(&err);
  if (!cli_quiet && !wi_str_has_prefix(where, "docker-credential-"))
    fprintf(stderr, "WARNING! Your password is stored unencrypted in %s.\n", where);
  printf("Login Succeeded\n");
  return CLI_EXIT_OK;
}
