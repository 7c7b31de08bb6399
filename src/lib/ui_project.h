/* wlsimg ui: the project file (wlsimg-project.json, "schema": "wlsimg.project/v1").
 *
 * Every setting is written, defaults included, so that a later change of a default cannot alter
 * an old project. Paths are kept as the user gave them (relative ones are relative to the file's
 * directory). The file holds no secrets: registry logins are named by host and user only. It is
 * written atomically (temporary file, fsync, rename).
 *
 * JSON is read strictly: unknown keys and wrong types are WI_EINVAL naming the JSON path
 * ("image.aux.tag: expected a string, got an integer"); keys that are absent keep their defaults.
 */
#ifndef WI_UI_PROJECT_H
#define WI_UI_PROJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define WI_UI_PROJECT_SCHEMA    "wlsimg.project/v1"
#define WI_UI_PROJECT_MAX_BYTES (1024 * 1024)
#define WI_UI_PROJECT_MAX_LIST  256 /* entries in one list */
#define WI_UI_PROJECT_HISTORY   20  /* results kept */
#define WI_UI_PRIMARY_DEFAULT   "container-registry.oracle.com/middleware/weblogic:12.2.1.4-slim-ol8"

struct wi_ui_strlist {
  char **v;
  size_t n;
};

struct wi_ui_login_ref {
  char *host; /* "" = not chosen */
  char *user;
};

/* A row of the Registries page: a saved login's name and e-mail (the secret itself lives where
 * wlsimg login keeps it, or in the session) and the last Test Login. */
struct wi_ui_registry {
  char *name;
  char *host;
  char *user;
  char *email;
  int64_t test_time; /* 0: never tested */
  bool test_ok;
  char *test_message;
};

struct wi_ui_history {
  char *kind; /* "createAuxImage", "pushAuxImage" … */
  char *ref;
  char *digest;
  char *host;
  int64_t time; /* seconds since the epoch */
};

/* image.primary.create: the Primary Image tab's `wlsimg create` settings (never a secret: the
 * Oracle Support password is a job parameter only). Empty strings are options not given. */
struct wi_ui_primary_create {
  bool enabled;  /* "Create New Primary Image" */
  char *from;    /* --fromImage */
  char *type;    /* --type (WLS) */
  char *version; /* --version */
  char *jdk_version;
  char *owner, *group; /* --chown (oracle:oracle is not passed) */
  char *package_manager;
  bool openshift;
  struct wi_ui_strlist patches;
  bool recommended, latest_psu;
  char *support_user; /* --user */
  char *builder;      /* "" = automatic */
  bool pull;
};

/* Strings are never NULL (empty = unset). */
struct wi_ui_project {
  char *name;
  char *secret_policy; /* "loginFile" (default) or "session" */
  struct wi_ui_strlist model_files, variable_files, archive_files;
  char *primary_tag;
  struct wi_ui_primary_create prim;
  char *aux_config; /* "create" or "existing" */
  char *aux_tag;
  bool aux_push_auth;
  struct wi_ui_login_ref aux_login;
  bool base_custom;
  char *base_ref;
  struct wi_ui_login_ref base_login;
  bool wdt_latest;
  char *wdt_installer, *wdt_version;
  char *wdt_home, *model_home;
  bool openshift;
  char *owner, *group;
  bool always_pull;
  bool offer_prepare_model; /* ask "run Prepare Model?" before a create (the lab's dialog) */
  bool extend;
  char *extend_commands;
  struct wi_ui_strlist extend_files;
  char *build_network;
  struct wi_ui_strlist platforms;
  char *k8s_context, *k8s_namespace, *domain_uid;
  char *pull_secret_primary, *pull_secret_aux;
  char *aux_ref_mode; /* "digest" or "tag" */
  char *pull_policy_primary, *pull_policy_aux;
  char *wls_cred_secret, *runtime_secret;
  struct wi_ui_strlist model_secrets;
  char *wls_user;
  struct wi_ui_strlist k8s_env; /* serverPod.env, "NAME=VALUE" */
  char *registry_url;           /* the embedded registry (wlsimg registry serve) the page manages */
  char *registry_root;          /* its root directory; "" = the default root */
  struct wi_ui_registry *registries;
  size_t n_registries;
  struct wi_ui_history *history;
  size_t n_history;
};

/* Defaults (section 9.5 of the UI specification); name may be NULL. */
void wi_ui_project_init(struct wi_ui_project *p, const char *name);
void wi_ui_project_dispose(struct wi_ui_project *p);
/* Overlay JSON on p (start from wi_ui_project_init). On failure p may be partly updated. */
int wi_ui_project_from_json(struct wi_ui_project *p, const char *text, size_t len, wi_err *err);
/* The whole project as JSON (indented, keys in a fixed order, newline at the end). malloc'ed. */
char *wi_ui_project_to_json(const struct wi_ui_project *p);
/* Deep copy into dst (uninitialised). */
void wi_ui_project_copy(struct wi_ui_project *dst, const struct wi_ui_project *src);
/* Read path into p (initialised by the call). A missing file gives the defaults with the name of
 * the file's directory, and *exists_out (optional) false. */
int wi_ui_project_load(struct wi_ui_project *p, const char *path, bool *exists_out, wi_err *err);
/* Write atomically (mode 0666 & ~umask). */
int wi_ui_project_save(const struct wi_ui_project *p, const char *path, wi_err *err);
/* Record a result (newest first, at most WI_UI_PROJECT_HISTORY). */
void wi_ui_project_add_history(struct wi_ui_project *p, const char *kind, const char *ref,
                               const char *digest, const char *host, int64_t time);
/* Replace dst's history and registries table with copies of src's (the server keeps those). */
void wi_ui_project_copy_records(struct wi_ui_project *dst, const struct wi_ui_project *src);
/* The Registries row for host, or NULL (borrowed). */
struct wi_ui_registry *wi_ui_project_registry(struct wi_ui_project *p, const char *host);
/* Add or update the row for host (name "" keeps the old one, or makes one from the host; email
 * NULL keeps the old one). At most WI_UI_PROJECT_MAX_LIST rows: WI_ETOOBIG beyond. */
int wi_ui_project_registry_put(struct wi_ui_project *p, const char *name, const char *host,
                               const char *user, const char *email, wi_err *err);
/* Remove the row for host; false when there was none. */
bool wi_ui_project_registry_remove(struct wi_ui_project *p, const char *host);
/* A path from the project made absolute against the project file's directory. malloc'ed. */
char *wi_ui_project_path(const char *project_file, const char *rel);

#endif
