/* wlsimg registry: serve the embedded OCI registry and administer its users, tokens and repos. */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/log.h"
#include "lib/regserver.h"
#include "lib/util.h"

struct reg_args {
  const char *root;
  const char *config;
  const char *listen;
  const char *auth;
  const char *tls_cert;
  const char *tls_key;
  const char *public_url;
  const char *max_upload_size;
  const char *namespace_quota;
  int token_ttl;
  int max_connections;
  int max_connections_per_ip;
  int header_timeout;
  int idle_timeout;
  int upload_ttl;
  bool public_;
  bool dry_run;
  int min_age;
};

#define ROOT_OPTS                                                                               \
  { "root",     0,                                                                              \
    CLI_STRING, offsetof(struct reg_args, root),                                                \
    "DIR",      "Registry storage (default ${XDG_DATA_HOME:-~/.local/share}/wlsimg/registry)",  \
    false },                                                                                    \
  {                                                                                             \
    "config", 0, CLI_STRING, offsetof(struct reg_args, config), "FILE",                         \
        "JSON settings: the serve options' long names with '_' for '-' (e.g. token_ttl)", false \
  }

static const struct cli_opt serve_opts[] = {
  { "listen", 0, CLI_STRING, offsetof(struct reg_args, listen), "HOST:PORT",
    "Address to listen on (default 127.0.0.1:5000)", false },
  ROOT_OPTS,
  { "auth", 0, CLI_STRING, offsetof(struct reg_args, auth), "none|token",
    "token: users log in as NAMESPACE/USER with an auth token (default none)", false },
  { "tls-cert", 0, CLI_STRING, offsetof(struct reg_args, tls_cert), "FILE",
    "Serve HTTPS with this PEM certificate", false },
  { "tls-key", 0, CLI_STRING, offsetof(struct reg_args, tls_key), "FILE",
    "PEM private key for --tls-cert", false },
  { "token-ttl", 0, CLI_INT, offsetof(struct reg_args, token_ttl), "SECONDS",
    "Lifetime of issued bearer tokens (default 300)", false },
  { "public-url", 0, CLI_STRING, offsetof(struct reg_args, public_url), "URL",
    "URL clients use to reach the registry (https://HOST[:PORT]); the token realm is built "
    "from it instead of the request's Host header",
    false },
  { "max-connections", 0, CLI_INT, offsetof(struct reg_args, max_connections), "N",
    "Open connections in all (default 16384, bounded by ulimit -n)", false },
  { "max-connections-per-ip", 0, CLI_INT, offsetof(struct reg_args, max_connections_per_ip), "N",
    "Open connections from one client address (default 256)", false },
  { "header-timeout", 0, CLI_INT, offsetof(struct reg_args, header_timeout), "SECONDS",
    "A new connection must send its request line and headers within this (default 10)", false },
  { "idle-timeout", 0, CLI_INT, offsetof(struct reg_args, idle_timeout), "SECONDS",
    "Keep-alive wait for the next request, and the longest stall of a transfer (default 60)",
    false },
  { "max-upload-size", 0, CLI_STRING, offsetof(struct reg_args, max_upload_size), "SIZE",
    "Largest blob one upload may carry, e.g. 2G (default 10G; 0 = no limit)", false },
  { "namespace-quota", 0, CLI_STRING, offsetof(struct reg_args, namespace_quota), "SIZE",
    "Storage a namespace's repositories may use, e.g. 100G (default 500G; 0 = no limit)", false },
  { "upload-ttl", 0, CLI_INT, offsetof(struct reg_args, upload_ttl), "SECONDS",
    "Remove uploads that received nothing for this long (default 3600)", false },
  CLI_OPT_END,
};
static const struct cli_opt root_opts[] = { ROOT_OPTS, CLI_OPT_END };
static const struct cli_opt create_opts[] = {
  ROOT_OPTS,
  { "public", 0, CLI_FLAG, offsetof(struct reg_args, public_), NULL,
    "Anyone may pull, anonymous users included", false },
  CLI_OPT_END,
};
static const struct cli_opt gc_opts[] = {
  ROOT_OPTS,
  { "min-age", 0, CLI_INT, offsetof(struct reg_args, min_age), "SECONDS",
    "Keep unreferenced blobs younger than this (default 3600: pushes in flight)", false },
  { "dry-run", 'n', CLI_FLAG, offsetof(struct reg_args, dry_run), NULL,
    "Report what would be removed", false },
  CLI_OPT_END,
};

/* Settings from --config, then flags on top; fills a->root (owned by cfg or heap). */
static int
load_settings(struct reg_args *a, struct wi_regserver_config *cfg, char **root_alloc)
{
  wi_err err = { 0 };

  memset(cfg, 0, sizeof *cfg);
  *root_alloc = NULL;
  if (a->config && wi_regserver_http_config_load(cfg, a->config, &err) < 0)
    return cli_fail(&err);
  if (a->root == NULL)
    a->root = cfg->root;
  if (a->root == NULL)
    a->root = *root_alloc = wi_util_data_path("registry");
  if (a->listen == NULL)
    a->listen = cfg->listen ? cfg->listen : "127.0.0.1:5000";
  if (a->auth == NULL)
    a->auth = cfg->auth ? cfg->auth : "none";
  if (a->tls_cert == NULL)
    a->tls_cert = cfg->tls_cert;
  if (a->tls_key == NULL)
    a->tls_key = cfg->tls_key;
  if (a->token_ttl == 0)
    a->token_ttl = cfg->token_ttl;
  if (a->public_url == NULL)
    a->public_url = cfg->public_url;
  if (a->max_connections == 0)
    a->max_connections = cfg->max_connections;
  if (a->max_connections_per_ip == 0)
    a->max_connections_per_ip = cfg->max_connections_per_ip;
  if (a->header_timeout == 0)
    a->header_timeout = cfg->header_timeout;
  if (a->idle_timeout == 0)
    a->idle_timeout = cfg->idle_timeout;
  if (a->upload_ttl == 0)
    a->upload_ttl = cfg->upload_ttl;
  return 0;
}

/* Settings that must be positive when given. */
static int
check_positive(const char *cmd, const struct reg_args *a)
{
  const struct {
    const char *name;
    int v;
  } v[] = { { "--token-ttl", a->token_ttl },
            { "--max-connections", a->max_connections },
            { "--max-connections-per-ip", a->max_connections_per_ip },
            { "--header-timeout", a->header_timeout },
            { "--idle-timeout", a->idle_timeout },
            { "--upload-ttl", a->upload_ttl } };
  for (size_t i = 0; i < WI_ARRAY_SIZE(v); i++)
    if (v[i].v < 0)
      return cli_usage_error(cmd, "%s: expected a positive number, got %d", v[i].name, v[i].v);
  return 0;
}

static void
serve_log(enum wi_log_level level, const char *msg, void *payload)
{
  static const char *names[] = { "error", "warning", "info", "debug", "trace" };
  char ts[32];
  time_t t = time(NULL);
  struct tm tm;

  WI_UNUSED(payload);
  gmtime_r(&t, &tm);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  /* The server escapes what clients send; this is the last guard for one line per message. One
   * write per line: stderr is unbuffered. */
  char line[4096];
  size_t n = (size_t)snprintf(line, sizeof line - 6, "%s %s ", ts, names[level]);
  for (const char *p = msg; *p && n < sizeof line - 6; p++) {
    unsigned char c = (unsigned char)*p;
    if (c < 0x20 || c == 0x7f)
      n += (size_t)snprintf(line + n, sizeof line - n, "\\x%02x", c);
    else
      line[n++] = (char)c;
  }
  line[n++] = '\n';
  fwrite(line, 1, n, stderr);
}

static int
cmd_serve(int argc, char **argv)
{
  static const struct cli_cmd cmd = {
    "registry serve", "[OPTIONS]", "Serve the OCI distribution API (v1.1) on HTTP or HTTPS.",
    serve_opts,       0,           0
  };
  struct reg_args a = { 0 };
  struct wi_regserver_config cfg;
  wi_autofree char *root_alloc = NULL;
  struct wi_regserver *s = NULL;
  wi_err err = { 0 };
  wi_autofree char **pos = NULL;
  int npos = 0, rc = cli_parse(&cmd, argc, argv, &a, &pos, &npos), sig = 0;

  if (rc != 0)
    return rc < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
  rc = load_settings(&a, &cfg, &root_alloc);
  if (rc != 0)
    return rc;
  struct wi_regserver_opts o = { .listen = a.listen,
                                 .root = a.root,
                                 .tls_cert = a.tls_cert,
                                 .tls_key = a.tls_key,
                                 .public_url = a.public_url,
                                 .token_ttl = a.token_ttl,
                                 .max_connections = a.max_connections,
                                 .max_connections_per_ip = a.max_connections_per_ip,
                                 .header_timeout = a.header_timeout,
                                 .idle_timeout = a.idle_timeout,
                                 .max_upload_size = cfg.max_upload_size,
                                 .namespace_quota = cfg.namespace_quota,
                                 .upload_ttl = a.upload_ttl };
  if (strcmp(a.auth, "token") == 0) {
    o.auth = WI_REGSERVER_AUTH_TOKEN;
  } else if (strcmp(a.auth, "none") != 0) {
    wi_regserver_http_config_dispose(&cfg);
    return cli_usage_error(cmd.name, "--auth: expected none or token, got \"%s\"", a.auth);
  }
  rc = check_positive(cmd.name, &a);
  if (rc == 0 &&
      ((a.max_upload_size && wi_regserver_http_size_parse(a.max_upload_size, "--max-upload-size",
                                                          &o.max_upload_size, &err) < 0) ||
       (a.namespace_quota && wi_regserver_http_size_parse(a.namespace_quota, "--namespace-quota",
                                                          &o.namespace_quota, &err) < 0)))
    rc = cli_usage_error(cmd.name, "%s", err.msg);
  if (rc != 0) {
    wi_regserver_http_config_dispose(&cfg);
    return rc;
  }
  /* Block the stop signals before the server threads start, so only sigwait sees them. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (!cli_quiet)
    wi_log_set_handler(serve_log, cli_verbose ? WI_LOG_DEBUG : WI_LOG_INFO, NULL);
  if (wi_regserver_http_start(&s, &o, &err) < 0) {
    wi_regserver_http_config_dispose(&cfg);
    return cli_fail(&err);
  }
  wi_log(WI_LOG_INFO, "registry listening on %s://%s (root %s, auth %s)",
         a.tls_cert ? "https" : "http", wi_regserver_http_address(s), a.root, a.auth);
  sigwait(&set, &sig);
  wi_log(WI_LOG_INFO, "signal %d: stopping", sig);
  wi_regserver_http_stop(s);
  wi_regserver_http_config_dispose(&cfg);
  return CLI_EXIT_OK;
}

/* Parse an admin subcommand: name is "registry user add" etc. */
static int
parse_admin(const char *name, const char *synopsis, const char *summary, const struct cli_opt *opts,
            int nargs_min, int nargs_max, int argc, char **argv, struct reg_args *a,
            struct wi_regserver_config *cfg, char **root_alloc, char ***pos, int *npos)
{
  const struct cli_cmd cmd = { name, synopsis, summary, opts, nargs_min, nargs_max };
  int rc = cli_parse(&cmd, argc, argv, a, pos, npos);
  if (rc != 0)
    return rc < 0 ? CLI_EXIT_USAGE : -1;
  rc = load_settings(a, cfg, root_alloc);
  return rc;
}

struct admin_ctx {
  struct reg_args a;
  struct wi_regserver_config cfg;
  char *root_alloc;
  char **pos;
  int npos;
};

static void
admin_dispose(struct admin_ctx *c)
{
  wi_regserver_http_config_dispose(&c->cfg);
  free(c->root_alloc);
  free(c->pos);
}

static int
user_cmd(const char *verb, int argc, char **argv)
{
  struct admin_ctx c = { 0 };
  wi_err err = { 0 };
  int rc;
  bool list = strcmp(verb, "list") == 0;

  char name[64];
  snprintf(name, sizeof name, "registry user %s", verb);
  const char *summary =
      list ? "List the registry's users."
      : strcmp(verb, "add") == 0
          ? "Add a user (NAMESPACE/USER); 'registry token create' makes their auth tokens."
          : "Delete a user and their auth tokens.";
  rc = parse_admin(name, list ? "[OPTIONS]" : "[OPTIONS] NAMESPACE/USER", summary, root_opts,
                   list ? 0 : 1, list ? 0 : 1, argc, argv, &c.a, &c.cfg, &c.root_alloc, &c.pos,
                   &c.npos);
  if (rc != 0) {
    admin_dispose(&c);
    return rc < 0 ? CLI_EXIT_OK : rc;
  }
  if (list) {
    char **users = NULL;
    size_t n = 0;
    rc = wi_regserver_auth_user_list(c.a.root, &users, &n, &err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
      printf("%s\n", users[i]);
      free(users[i]);
    }
    free(users);
  } else if (strcmp(verb, "add") == 0) {
    rc = wi_regserver_auth_user_add(c.a.root, c.pos[0], &err);
  } else {
    rc = wi_regserver_auth_user_delete(c.a.root, c.pos[0], &err);
  }
  admin_dispose(&c);
  return rc < 0 ? cli_fail(&err) : CLI_EXIT_OK;
}

static int
token_cmd(const char *verb, int argc, char **argv)
{
  struct admin_ctx c = { 0 };
  wi_err err = { 0 };
  int rc, min = 1, max = 1;
  const char *syn = "[OPTIONS] NAMESPACE/USER";

  if (strcmp(verb, "list") == 0) {
    min = 0;
    syn = "[OPTIONS] [NAMESPACE/USER]";
  } else if (strcmp(verb, "revoke") == 0) {
    min = max = 2;
    syn = "[OPTIONS] NAMESPACE/USER TOKEN-ID";
  }
  char name[64];
  snprintf(name, sizeof name, "registry token %s", verb);
  const char *summary =
      min == 0 ? "List auth tokens (all, or a user's): ids and creation times, never the tokens."
      : max == 2
          ? "Revoke a user's auth token by its id (as 'registry token list' shows it)."
          : "Print a new auth token for the user, once (only its hash is stored; two per user).";
  rc = parse_admin(name, syn, summary, root_opts, min, max, argc, argv, &c.a, &c.cfg, &c.root_alloc,
                   &c.pos, &c.npos);
  if (rc != 0) {
    admin_dispose(&c);
    return rc < 0 ? CLI_EXIT_OK : rc;
  }
  if (strcmp(verb, "create") == 0) {
    char *tok = NULL;
    char id[17];
    rc = wi_regserver_auth_token_create(c.a.root, c.pos[0], &tok, id, &err);
    if (rc == 0) {
      printf("%s\n", tok);
      fflush(stdout);
      wi_alloc_secret_free(tok);
      if (!cli_quiet)
        fprintf(stderr, "wlsimg: auth token %s created for %s; it is shown only once\n", id,
                c.pos[0]);
    }
  } else if (strcmp(verb, "list") == 0) {
    struct wi_regserver_token_info *t = NULL;
    size_t n = 0;
    rc = wi_regserver_auth_token_list(c.a.root, c.npos ? c.pos[0] : NULL, &t, &n, &err);
    if (rc == 0 && n)
      printf("%-40s %-16s %s\n", "USER", "ID", "CREATED");
    for (size_t i = 0; rc == 0 && i < n; i++)
      printf("%-40s %-16s %s\n", t[i].user, t[i].id, t[i].created);
    free(t);
  } else {
    rc = wi_regserver_auth_token_revoke(c.a.root, c.pos[0], c.pos[1], &err);
  }
  admin_dispose(&c);
  return rc < 0 ? cli_fail(&err) : CLI_EXIT_OK;
}

static int
repo_cmd(const char *verb, int argc, char **argv)
{
  struct admin_ctx c = { 0 };
  wi_err err = { 0 };
  int rc;
  bool list = strcmp(verb, "list") == 0;
  bool create = strcmp(verb, "create") == 0;

  char name[64];
  snprintf(name, sizeof name, "registry repo %s", verb);
  const char *summary =
      list     ? "List repositories, their access and how many tags they have."
      : create ? "Create a repository: private (its namespace's users pull) unless --public."
      : strcmp(verb, "delete") == 0
          ? "Delete a repository and its tags (blobs go with 'registry gc')."
      : strcmp(verb, "set-public") == 0 ? "Let anyone pull from a repository."
                                        : "Let only the repository's namespace pull.";
  rc = parse_admin(name, list ? "[OPTIONS]" : "[OPTIONS] NAME", summary,
                   create ? create_opts : root_opts, list ? 0 : 1, list ? 0 : 1, argc, argv, &c.a,
                   &c.cfg, &c.root_alloc, &c.pos, &c.npos);
  if (rc != 0) {
    admin_dispose(&c);
    return rc < 0 ? CLI_EXIT_OK : rc;
  }
  if (list) {
    struct wi_regserver_repo_info *r = NULL;
    size_t n = 0;
    rc = wi_regserver_storage_repo_list(c.a.root, &r, &n, &err);
    if (rc == 0 && n)
      printf("%-50s %-8s %s\n", "REPOSITORY", "ACCESS", "TAGS");
    for (size_t i = 0; rc == 0 && i < n; i++)
      printf("%-50s %-8s %zu\n", r[i].name, r[i].public_ ? "public" : "private", r[i].n_tags);
    if (rc == 0)
      wi_regserver_storage_repo_list_free(r, n);
  } else if (create) {
    rc = wi_regserver_storage_repo_create(c.a.root, c.pos[0], c.a.public_, &err);
  } else if (strcmp(verb, "delete") == 0) {
    rc = wi_regserver_storage_repo_delete(c.a.root, c.pos[0], &err);
  } else {
    rc = wi_regserver_storage_repo_set_public(c.a.root, c.pos[0], strcmp(verb, "set-public") == 0,
                                              &err);
  }
  admin_dispose(&c);
  return rc < 0 ? cli_fail(&err) : CLI_EXIT_OK;
}

static int
gc_cmd(int argc, char **argv)
{
  struct admin_ctx c = { .a.min_age = -1 };
  struct wi_regserver_gc_stats st;
  wi_err err = { 0 };
  int rc =
      parse_admin("registry gc", "[OPTIONS]",
                  "Remove blobs that no manifest references, stale uploads and dangling links.",
                  gc_opts, 0, 0, argc, argv, &c.a, &c.cfg, &c.root_alloc, &c.pos, &c.npos);
  if (rc != 0) {
    admin_dispose(&c);
    return rc < 0 ? CLI_EXIT_OK : rc;
  }
  rc =
      wi_regserver_space_gc(c.a.root, c.a.min_age < 0 ? 3600 : c.a.min_age, c.a.dry_run, &st, &err);
  if (rc == 0)
    printf("%s%zu blobs removed (%llu bytes), %zu kept, %zu dangling links, %zu stale uploads\n",
           c.a.dry_run ? "dry run: " : "", st.blobs_removed, (unsigned long long)st.bytes_removed,
           st.blobs_kept, st.links_removed, st.uploads_removed);
  admin_dispose(&c);
  return rc < 0 ? cli_fail(&err) : CLI_EXIT_OK;
}

/* The verbs: each is "registry NOUN VERB" with its own --help. */
#define VERB(fn, noun, verb)             \
  static int fn(int argc, char **argv)   \
  {                                      \
    return noun##_cmd(verb, argc, argv); \
  }
VERB(user_add, user, "add")
VERB(user_delete, user, "delete")
VERB(user_list, user, "list")
VERB(token_create, token, "create")
VERB(token_list, token, "list")
VERB(token_revoke, token, "revoke")
VERB(repo_list, repo, "list")
VERB(repo_create, repo, "create")
VERB(repo_set_public, repo, "set-public")
VERB(repo_set_private, repo, "set-private")
VERB(repo_delete, repo, "delete")
#undef VERB

static const struct cli_sub user_subs[] = {
  { "add", user_add, "Add a user (NAMESPACE/USER)", false },
  { "list", user_list, "List users", false },
  { "delete", user_delete, "Delete a user and their tokens", false },
  { NULL, NULL, NULL, false },
};
static const struct cli_group user_group = { "registry user", "Manage the registry's users.", NULL,
                                             user_subs };

static const struct cli_sub token_subs[] = {
  { "create", token_create, "Print a new auth token for a user (shown once; two per user)", false },
  { "list", token_list, "List tokens (ids and creation times, never the tokens)", false },
  { "revoke", token_revoke, "Revoke a token by its id", false },
  { NULL, NULL, NULL, false },
};
static const struct cli_group token_group = {
  "registry token", "Manage users' auth tokens (only their hashes are stored).", NULL, token_subs
};

static const struct cli_sub repo_subs[] = {
  { "list", repo_list, "List repositories, their access and tag counts", false },
  { "create", repo_create, "Create a repository (private unless --public)", false },
  { "set-public", repo_set_public, "Let anyone pull from a repository", false },
  { "set-private", repo_set_private, "Only the repository's namespace may pull", false },
  { "delete", repo_delete, "Delete a repository and its tags", false },
  { NULL, NULL, NULL, false },
};
static const struct cli_group repo_group = { "registry repo", "Manage the registry's repositories.",
                                             NULL, repo_subs };

static int
user_group_cmd(int argc, char **argv)
{
  return cli_dispatch(&user_group, argc, argv);
}

static int
token_group_cmd(int argc, char **argv)
{
  return cli_dispatch(&token_group, argc, argv);
}

static int
repo_group_cmd(int argc, char **argv)
{
  return cli_dispatch(&repo_group, argc, argv);
}

static const struct cli_sub registry_subs[] = {
  { "serve", cmd_serve, "Serve the OCI distribution API", false },
  { "user", user_group_cmd, "Manage users (NAMESPACE/USER)", false },
  { "token", token_group_cmd, "Manage users' auth tokens", false },
  { "repo", repo_group_cmd, "Manage repositories (public or private)", false },
  { "gc", gc_cmd, "Remove blobs no manifest references", false },
  { NULL, NULL, NULL, false },
};
static const struct cli_group registry_group = {
  "registry", "Run and administer the embedded OCI registry.",
  "Admin commands work on the --root files and are safe while the server runs.\n", registry_subs
};

int
cmd_registry(int argc, char **argv)
{
  return cli_dispatch(&registry_group, argc, argv);
}
