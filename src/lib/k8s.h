/* wlsimg: Kubernetes objects for WebLogic Kubernetes Operator users.
 *
 * Builds pull secrets (byte for byte what `kubectl create secret docker-registry --dry-run=client`
 * prints), generic secrets, WKO v9 Domain and v1 Cluster resources, rollout patches, and runs
 * kubectl with the object on its stdin (never on argv).
 *
 * Objects are kept in a small ordered tree and rendered in two styles:
 *  - JSON as Go's encoding/json MarshalIndent with four spaces (kubectl -o json): `<`, `>`, `&`,
 *    U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD, trailing newline;
 *  - YAML through libyaml's emitter with go-yaml v2's choices (kubectl -o yaml): strings that
 *    would read back as another type (123, true, 2024-01-15, 0x1f, …) double-quoted, others plain
 *    when YAML allows it, sequences not indented inside mappings. Secrets are emitted with keys
 *    sorted as kubectl does; Domain and Cluster keep the reference's logical order.
 * Strings held by objects are wiped when the object is freed (they may carry secrets).
 *
 * One header for the k8s modules, each in its own file with its own prefix:
 *   k8s_validate.c  wi_k8s_validate_*  Kubernetes names, label values and Secret keys
 *   k8s_render.c    wi_k8s_render*     the object tree, rendered as kubectl's JSON or YAML
 *   k8s.c           wi_k8s_*           the objects: Secrets, Domain, Cluster, patches
 *   k8s_aux.c       wi_k8s_aux_*       what auxiliary images hold (labels, layers, model files)
 *   k8s_model.c     wi_k8s_model_*     what a WDT model needs: @@PROP, @@ENV and @@SECRET macros
 *   k8s_input.c     wi_k8s_input_*     user input: secret and env files, credentials, rollouts
 *   k8s_kubectl.c   wi_k8s_kubectl_*   running kubectl, reading what it prints, waiting for rolls
 */
#ifndef WI_K8S_H
#define WI_K8S_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/props.h"

#define WI_K8S_DOCKERHUB_SERVER  "https://index.docker.io/v1/"
#define WI_K8S_AUX_WDT_DEFAULT   "/auxiliary/weblogic-deploy"
#define WI_K8S_AUX_MODEL_DEFAULT "/auxiliary/models"
#define WI_K8S_NONE              "None"
/* The secret name a model uses for webLogicCredentialsSecret. */
#define WI_K8S_CREDENTIALS_MACRO "__weblogic-credentials__"
/* The operator's pattern for spec.domainUID: ^[a-z0-9-.]{1,45}$ */
#define WI_K8S_MAX_DOMAIN_UID 45

enum wi_k8s_format { WI_K8S_YAML, WI_K8S_JSON };

/* "yaml" or "json" (NULL → yaml). WI_EUSAGE otherwise. (k8s_render.c) */
int wi_k8s_render_parse_format(const char *s, enum wi_k8s_format *out, wi_err *err);

/* ---- validation (k8s_validate.c; messages name `what` and the value) ---- */

/* DNS-1123 subdomain (Secret, Domain, Cluster names): ≤ 253, [a-z0-9]([-a-z0-9]*[a-z0-9])? parts
 * joined by '.'. WI_EINVAL. */
int wi_k8s_validate_subdomain(const char *what, const char *s, wi_err *err);
/* DNS-1123 label (namespaces): ≤ 63, [a-z0-9]([-a-z0-9]*[a-z0-9])?. WI_EINVAL. */
int wi_k8s_validate_label(const char *what, const char *s, wi_err *err);
/* Label value (introspectVersion, weblogic.domainUID): ≤ 63, empty or
 * [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?. WI_EINVAL. */
int wi_k8s_validate_label_value(const char *what, const char *s, wi_err *err);
/* Secret data key: [-._a-zA-Z0-9]+, ≤ 253, not "." or "..", not starting with "..". WI_EINVAL. */
int wi_k8s_validate_secret_key(const char *what, const char *s, wi_err *err);
/* Domain UID: the operator's ^[a-z0-9-.]{1,45}$, and a DNS-1123 subdomain (it is the Domain's
 * name). The message says 45. WI_EINVAL. */
int wi_k8s_validate_domain_uid(const char *s, wi_err *err);
/* Environment variable name as Kubernetes (and kubectl's --from-env-file) checks it:
 * [-._a-zA-Z][-._a-zA-Z0-9]*. WI_EINVAL with kubectl's explanation. */
int wi_k8s_validate_env_name(const char *what, const char *s, wi_err *err);
/* An absolute path (wdtInstallHome, modelHome): starts with '/', no NUL, no newline. WI_EINVAL. */
int wi_k8s_validate_abs_path(const char *what, const char *s, wi_err *err);

/* ---- encoding rules (k8s_render.c: JSON quoting, YAML resolution and key order; k8s.c: the
 * rest) ---- */

/* The operator's default imagePullPolicy: "Always" when the reference ends with ":latest",
 * otherwise "IfNotPresent" (also for references without a tag). Static string. */
const char *wi_k8s_pull_policy(const char *image);
/* s (len bytes) as a quoted JSON string with Go's escaping. malloc'ed. */
char *wi_k8s_render_json_quote(const char *s, size_t len);
/* True when go-yaml v2 would quote s because a plain scalar would resolve to null, bool, int,
 * float or timestamp ("", "123", "true", "y", "0x1f", "1e3", "2024-01-15", ".inf" …). */
bool wi_k8s_render_resolves_non_string(const char *s);
/* go-yaml's map key order (letters after other characters, digit runs compared as numbers):
 * negative, 0 or positive like strcmp. */
int wi_k8s_render_key_cmp(const char *a, const char *b);
/* The .dockerconfigjson document kubectl builds: {"auths":{server:{username,password[,email],
 * auth}}} compact, Go escaping, empty fields omitted. malloc'ed; holds secrets (wipe with
 * wi_alloc_secret_free). */
char *wi_k8s_dockerconfigjson(const char *server, const char *username, const char *password,
                              const char *email);
/* Docker config key for a --docker-server value → registry host for credential lookup:
 * "https://index.docker.io/v1/" and "index.docker.io" → "docker.io"; "https://h:5000/x" →
 * "h:5000". malloc'ed. */
char *wi_k8s_server_host(const char *server);
/* --docker-server value for an image reference's registry host: docker.io → Docker Hub's key,
 * others verbatim. malloc'ed. */
char *wi_k8s_server_for_host(const char *host);

/* ---- objects (k8s.c; freed and rendered by k8s_render.c) ---- */

struct wi_k8s_obj;
void wi_k8s_render_obj_free(struct wi_k8s_obj *o);
static inline void
wi_k8s_obj_freep(struct wi_k8s_obj **pp)
{
  if (*pp)
    wi_k8s_render_obj_free(*pp);
}

struct wi_k8s_kv {
  const char *key;
  const char *value;
  size_t len; /* bytes of value; 0: strlen(value) (file contents may be binary) */
};

struct wi_k8s_docker_secret {
  const char *name;
  const char *ns;       /* NULL: no namespace field (kubectl without -n) */
  const char *server;   /* NULL: Docker Hub */
  const char *username; /* required */
  const char *password; /* required, secret */
  const char *email;    /* optional */
};
/* kubernetes.io/dockerconfigjson Secret. WI_EINVAL for missing fields (kubectl's message). */
int wi_k8s_docker_secret(struct wi_k8s_obj **out, const struct wi_k8s_docker_secret *s,
                         wi_err *err);

struct wi_k8s_generic_secret {
  const char *name;
  const char *ns;               /* optional */
  const struct wi_k8s_kv *data; /* values are secrets; keys checked */
  size_t n_data;
  const struct wi_k8s_kv *labels; /* optional */
  size_t n_labels;
  const char *type; /* NULL: no type field (kubectl create secret generic); else e.g. "Opaque" */
};
/* Generic Secret as `kubectl create secret generic --from-literal` prints it (+ labels, type). */
int wi_k8s_generic_secret(struct wi_k8s_obj **out, const struct wi_k8s_generic_secret *s,
                          wi_err *err);

struct wi_k8s_aux_image {
  const char *image;
  const char *pull_policy;      /* NULL: the operator's rule, written out explicitly */
  const char *wdt_install_home; /* sourceWDTInstallHome; NULL: default (field omitted) */
  const char *model_home;       /* sourceModelHome; NULL: default (field omitted) */
};

struct wi_k8s_domain {
  const char *uid;
  const char *ns;          /* optional */
  const char *image;       /* primary image, required */
  const char *pull_policy; /* NULL: the operator's rule, written out explicitly */
  const char *const *pull_secrets;
  size_t n_pull_secrets;
  const char *credentials_secret; /* required */
  const char *encryption_secret;  /* required */
  const char *domain_type;        /* NULL: WLS */
  const char *restart_version;    /* optional */
  const char *introspect_version; /* optional */
  int replicas;                   /* < 0: field omitted */
  const char *const *clusters;    /* WebLogic cluster names */
  size_t n_clusters;
  const struct wi_k8s_aux_image *aux;
  size_t n_aux;
  const char *const *secrets; /* configuration.secrets (for @@SECRET macros) */
  size_t n_secrets;
  const struct wi_k8s_kv *env; /* serverPod.env, in order */
  size_t n_env;
  const char *opss_wallet_password_secret; /* configuration.opss.walletPasswordSecret (JRF) */
  const char *opss_wallet_file_secret;     /* configuration.opss.walletFileSecret (optional) */
  const char *wdt_install_home;            /* configuration.model.wdtInstallHome; NULL: default */
  const char *model_home;                  /* configuration.model.modelHome; NULL: default */
};
/* Name of the Cluster resource: "<uid>-<cluster lower-cased, '_' → '-'>". malloc'ed. */
char *wi_k8s_cluster_resource_name(const char *uid, const char *cluster);
/* The Cluster resources (one per cluster, in order) followed by the Domain. *out is a malloc'ed
 * array of *n_out objects (free each, then the array). Validates what the operator's CRD and
 * Kubernetes constrain before anything is built: names, the domain UID, restartVersion and
 * introspectVersion as label values, the domain type, JRF's walletPasswordSecret, env names (not
 * the operator's own, not twice), absolute homes, replicas >= 0 (the -1 of "omitted" aside).
 * WI_EINVAL naming the field. */
int wi_k8s_domain_objects(struct wi_k8s_obj ***out, size_t *n_out, const struct wi_k8s_domain *d,
                          wi_err *err);
/* The checks of wi_k8s_domain_objects alone (the auxiliary images may still be unknown). */
int wi_k8s_domain_check(const struct wi_k8s_domain *d, wi_err *err);

/* Render objects: YAML documents separated by "---"; JSON: one object, or a v1 List for several.
 * malloc'ed (may hold secrets: wipe with wi_alloc_secret_free); len_out optional. */
char *wi_k8s_render(struct wi_k8s_obj *const *objs, size_t n, enum wi_k8s_format fmt,
                    size_t *len_out, wi_err *err);

/* ---- auxiliary image metadata (k8s_aux.c) ---- */

/* A file of an auxiliary image's model home (model YAML or variables), as the layers hold it. */
struct wi_k8s_model_file {
  char *name; /* base name ("model.yaml") */
  char *data;
  size_t len;
};

/* What an image says about its WDT install and models. */
struct wi_k8s_aux_meta {
  bool wit_built;   /* WDT_HOME / WDT_MODEL_HOME found in its ENV */
  char *wdt_home;   /* ENV WDT_HOME ("/auxiliary") */
  char *model_home; /* ENV WDT_MODEL_HOME ("/auxiliary/models") */
  bool scanned;     /* the layers were examined: has_wdt / has_models are known */
  bool has_wdt;     /* <wdt_home>/weblogic-deploy has files */
  bool has_models;  /* <model_home> has files */
  bool read_models; /* keep the model home's *.yaml, *.yml, *.json and *.properties below */
  struct wi_k8s_model_file *models; /* top layer wins, whiteouts honoured; sorted by name */
  size_t n_models;
};
void wi_k8s_aux_meta_dispose(struct wi_k8s_aux_meta *m);
/* Look at one layer (tar, optionally gzip: read through libarchive) and set has_wdt/has_models
 * when it holds a regular file below those directories; with read_models, collect the model
 * home's model and variables files (each at most WI_K8S_MAX_MODEL_FILE). Call for the layers
 * bottom first. `what` names the layer in messages. */
int wi_k8s_aux_scan_layer(struct wi_k8s_aux_meta *m, int fd, const char *what, wi_err *err);
/* Domain fields from the metadata: NULL for the default path, the path when it differs, "None"
 * when the layers were scanned and nothing is there. Results malloc'ed or NULL. */
void wi_k8s_aux_fields(const struct wi_k8s_aux_meta *m, char **wdt_install_home_out,
                       char **model_home_out);

/* ---- a Domain's auxiliary images (k8s_aux.c) ---- */

struct wi_store;

struct wi_k8s_aux_opts {
  bool inspect;           /* read each image's metadata; false: the /auxiliary defaults */
  struct wi_store *store; /* looked up first, read only (NULL: no local store). Images that are
                             not in it are read from their registry: manifest and config only,
                             nothing is written anywhere */
  const char *wdt_image;  /* the image whose WDT install is used (the others get None); NULL:
                             at most one image may carry WDT */
  bool read_models;       /* collect the model files of images whose layers are in the store */
  const char *authfile;   /* for the registries; optional */
  bool tls_verify;
};

/* The Domain entries for a list of auxiliary images; owns the strings it points to. */
struct wi_k8s_aux_set {
  struct wi_k8s_aux_image *v;
  size_t n;
  char **owned;
  size_t n_owned;
  size_t n_with_wdt; /* entries whose sourceWDTInstallHome is not None */
  bool models_read;  /* read_models and every image's layers were read: models below is all the
                        operator will see */
  struct wi_k8s_model_file *models; /* merged in image order (a later file of the same name wins,
                                       as the operator copies them) */
  size_t n_models;
};
/* Fill set with one entry per image (in order): sourceWDTInstallHome and sourceModelHome from each
 * image's labels (wlsimg createAuxImage), else its WIT ENV, checked against its layers when they
 * are in the store. WI_EUSAGE when wdt_image is not one of images; WI_EINVAL when wdt_image has no
 * WDT install, or when several images carry one and wdt_image is NULL (the operator would fail
 * the domain). Dispose set in every case. */
int wi_k8s_aux_resolve(struct wi_k8s_aux_set *set, const char *const *images, size_t n,
                       const struct wi_k8s_aux_opts *o, wi_err *err);
void wi_k8s_aux_set_dispose(struct wi_k8s_aux_set *set);

/* ---- what a WDT model needs from its Domain (k8s_model.c) ---- */

#define WI_K8S_MAX_MODEL_FILE (16 * 1024 * 1024)

enum wi_k8s_model_token { WI_K8S_TOKEN_PROP, WI_K8S_TOKEN_ENV, WI_K8S_TOKEN_SECRET };

/* One macro a model uses. Macros nested in a secret's name or key (@@SECRET:@@ENV:DOMAIN_UID@@-db:
 * password@@, which WDT substitutes first) are recorded as macros of their own too. */
struct wi_k8s_model_ref {
  enum wi_k8s_model_token kind;
  char *name;  /* PROP/ENV name; SECRET name as written (nested macros kept) */
  char *key;   /* SECRET key as written; NULL otherwise */
  char *where; /* "model.yaml:12": the first place it appears */
};
struct wi_k8s_model_refs {
  struct wi_k8s_model_ref *v; /* each macro once, in order of first use */
  size_t n;
};
/* Collect the macros of a model (YAML; `name` names it in messages). Only scalars count, as WDT
 * substitutes keys and values, not comments. WI_EINVAL for invalid YAML ("name: line L, column C:
 * …") or a malformed @@PROP:/@@ENV:/@@SECRET: macro, which WDT would leave unresolved and fail
 * on; WI_ETOOBIG past 4096 distinct macros. */
int wi_k8s_model_scan(struct wi_k8s_model_refs *r, const char *name, const void *data, size_t len,
                      wi_err *err);
/* The same for a file (at most WI_K8S_MAX_MODEL_FILE bytes). */
int wi_k8s_model_scan_file(struct wi_k8s_model_refs *r, const char *path, wi_err *err);
void wi_k8s_model_refs_dispose(struct wi_k8s_model_refs *r);
/* Add a variables file's properties to vars (later files win, as WDT merges them). */
int wi_k8s_model_read_vars(struct wi_props *vars, const char *name, const char *text, size_t len,
                           wi_err *err);
int wi_k8s_model_read_vars_file(struct wi_props *vars, const char *path, wi_err *err);
/* WDT's rule: every @@PROP:x@@ is defined in the variables. WI_EINVAL naming each missing one and
 * where it is used; vars_what names the variables files in the message. */
int wi_k8s_model_check_props(const struct wi_k8s_model_refs *r, const struct wi_props *vars,
                             const char *vars_what, wi_err *err);
/* Is name set by the operator in its pods (DOMAIN_UID, DOMAIN_HOME, …)? serverPod.env may not
 * set these. */
bool wi_k8s_model_operator_env(const char *name);

/* What the Domain provides to the model. */
struct wi_k8s_model_ctx {
  const char *uid;             /* DOMAIN_UID */
  const struct wi_props *vars; /* merged variables */
  const char *vars_what;       /* "model.properties", for messages */
  const struct wi_k8s_kv *env; /* serverPod.env */
  size_t n_env;
};
/* A secret the model reads, with the keys it uses. */
struct wi_k8s_model_secret {
  char *name; /* resolved (DOMAIN_UID and variables substituted) */
  char **keys;
  size_t n_keys;
  char *where; /* first use */
};
struct wi_k8s_model_secrets {
  struct wi_k8s_model_secret *v; /* in order of first use; not __weblogic-credentials__ */
  size_t n;
};
void wi_k8s_model_secrets_dispose(struct wi_k8s_model_secrets *s);
/* Check the model against what the Domain gives it and list the secrets it needs (these go to
 * configuration.secrets). WI_EINVAL: an undefined @@PROP; an @@ENV that neither the operator nor
 * env sets; a secret name or key that is not a valid Kubernetes name or key once resolved, or
 * that depends on a value known only in the pod; a credentials key other than username and
 * password. */
int wi_k8s_model_domain_needs(struct wi_k8s_model_secrets *out, const struct wi_k8s_model_refs *r,
                              const struct wi_k8s_model_ctx *c, wi_err *err);

/* Where a Domain's model comes from: model and variables files given (each kind replaces what the
 * images hold), else the files of the auxiliary images' model homes. */
struct wi_k8s_model_sources {
  const char *const *model_files; /* --wdt-model */
  size_t n_model_files;
  const char *const *vars_files; /* --wdt-variables */
  size_t n_vars_files;
  const struct wi_k8s_model_file *image_files; /* wi_k8s_aux_set.models */
  size_t n_image_files;
  bool image_files_valid; /* wi_k8s_aux_set.models_read */
};
/* Read the model (and variables) from src and run wi_k8s_model_domain_needs with the operator's
 * DOMAIN_UID and env. *checked_out is false (and needs empty) when there is no model to read. */
int wi_k8s_model_check_domain(struct wi_k8s_model_secrets *needs, bool *checked_out,
                              const struct wi_k8s_model_sources *src, const char *uid,
                              const struct wi_k8s_kv *env, size_t n_env, wi_err *err);

/* ---- user input: secret files, env files, WebLogic credentials (k8s_input.c) ---- */

#define WI_K8S_MAX_SECRET_FILE (1024 * 1024)

/* Key/value pairs that own their strings (values may be secrets). */
struct wi_k8s_kv_list {
  struct wi_k8s_kv *v;
  size_t n;
};
/* Append; takes ownership of key and value (both malloc'ed; value NUL-terminated). */
void wi_k8s_input_kv_list_add(struct wi_k8s_kv_list *l, char *key, char *value);
/* The same for a value of len bytes that may hold NUL bytes (a file's content). */
void wi_k8s_input_kv_list_add_len(struct wi_k8s_kv_list *l, char *key, char *value, size_t len);
/* Free every pair (values wiped first when secret_values) and the array. */
void wi_k8s_input_kv_list_dispose(struct wi_k8s_kv_list *l, bool secret_values);

/* User name and password for a pull secret for server, from the stored logins (wlsimg/docker
 * login, credential helpers; authfile optional). username (optional) must match the stored one.
 * Both malloc'ed (wipe the password with wi_alloc_secret_free). WI_ENOTFOUND without a login;
 * WI_EUNSUPPORTED for a token-only login (the kubelet cannot use it); WI_EINVAL for a username
 * mismatch. */
int wi_k8s_input_login_creds(const char *server, const char *authfile, const char *username,
                             char **user_out, char **pass_out, wi_err *err);

/* One secret from a file (at most WI_K8S_MAX_SECRET_FILE bytes), trailing CR/LF removed; wipe it
 * with wi_alloc_secret_free. `what` names it in messages ("runtime encryption password"). WI_EINVAL
 * for a NUL byte or an empty secret; WI_ENOTFOUND, WI_ETOOBIG. */
char *wi_k8s_input_read_secret_file(const char *path, const char *what, wi_err *err);
/* A file's whole content, byte for byte (binary files too: an OPSS wallet is one), at most
 * WI_K8S_MAX_SECRET_FILE bytes; NUL-terminated after len_out bytes. Wipe it when done. */
char *wi_k8s_input_read_value_file(const char *path, size_t *len_out, wi_err *err);
/* kubectl's --from-file=[KEY=]PATH: one key (default: the file's base name) with the file's
 * bytes; a directory gives one key per regular file directly in it (symbolic links and
 * subdirectories skipped, as kubectl does). Keys are checked (kubectl's message). WI_EINVAL for
 * KEY=DIRECTORY, an empty key or path, an invalid key; errors reading. */
int wi_k8s_input_from_file(struct wi_k8s_kv_list *l, const char *spec, wi_err *err);

/* KEY=VALUE lines as kubectl's --from-env-file reads them: a UTF-8 byte order mark dropped from
 * the first line, leading white space (Unicode's) dropped, blank and '#' lines skipped, CRLF
 * accepted, the value kept as written; a line without '=' takes the value of the environment
 * variable KEY ("" when unset). Pairs are appended to l (values are secrets). `what` names the
 * text; WI_EINVAL "<what>:<line>: …" for invalid UTF-8, a NUL byte or a key that is not a valid
 * environment variable name (kubectl's rule). */
int wi_k8s_input_env_parse(struct wi_k8s_kv_list *l, const char *text, size_t len, const char *what,
                           wi_err *err);
int wi_k8s_input_read_env_file(struct wi_k8s_kv_list *l, const char *path, wi_err *err);

/* Secrets given with their data on the command line (--model-secret). */
struct wi_k8s_secret_src {
  char *name;
  struct wi_k8s_kv_list data;
};
struct wi_k8s_secret_srcs {
  struct wi_k8s_secret_src *v;
  size_t n;
};
void wi_k8s_input_secret_srcs_dispose(struct wi_k8s_secret_srcs *s);
/* One --model-secret: "NAME=FILE" (FILE holds KEY=VALUE lines, read as --from-env-file) or
 * "NAME:KEY=FILE" (one key, the file's bytes, as --from-file=KEY=FILE). Several specs may add
 * to the same secret. WI_EINVAL for a malformed spec, an invalid name or key, a key given twice. */
int wi_k8s_input_model_secret(struct wi_k8s_secret_srcs *s, const char *spec, wi_err *err);

/* The model's secrets against the ones given: every key the model uses of a given secret must be
 * in it (WI_EINVAL naming the key and where the model uses it). Appends one Secret (Opaque,
 * labelled with uid) per given secret to *objs, sets names_out to configuration.secrets (the
 * model's in order of use, then the given ones it does not use; borrowed strings, malloc'ed
 * array) and missing_out to the model's secrets that are not given (borrowed pointers into
 * needs, malloc'ed array). needs may be NULL (the model was not read). */
int wi_k8s_input_model_secrets(struct wi_k8s_obj ***objs, size_t *n,
                               const struct wi_k8s_secret_srcs *given,
                               const struct wi_k8s_model_secrets *needs, const char *uid,
                               const char *ns, const char ***names_out, size_t *n_names_out,
                               const struct wi_k8s_model_secret ***missing_out,
                               size_t *n_missing_out, wi_err *err);

/* WebLogic administrator credentials. kv_form: "username=…" and "password=…" lines ('#' comments,
 * first occurrence wins); otherwise the user name on line 1 and the password on line 2 (stdin).
 * Both malloc'ed (wipe the password with wi_alloc_secret_free); on failure neither is returned.
 * WI_EINVAL naming `what` when one is missing or the text holds a NUL byte. */
int wi_k8s_input_wls_creds_parse(const char *text, size_t len, bool kv_form, const char *what,
                                 char **user_out, char **pass_out, wi_err *err);
/* The same, read from path (kv_form) or, when path is NULL, from fd ("stdin"). */
int wi_k8s_input_read_wls_creds(const char *path, int fd, char **user_out, char **pass_out,
                                wi_err *err);

/* The secrets that go with a Domain (k8s_input.c). */
struct wi_k8s_domain_secrets {
  const char *uid;
  const char *ns;               /* optional */
  const char *credentials;      /* WebLogic credentials secret to make; NULL: an existing one */
  const char *credentials_user; /* already read (terminal prompt): used as they are */
  const char *credentials_password;
  const char *credentials_file; /* username=/password= lines; NULL: read credentials_fd */
  int credentials_fd;           /* user name and password on two lines (stdin) */
  const char *encryption;       /* runtime encryption secret to make; NULL: an existing one */
  const char *encryption_file;  /* its password; NULL: a random one */
  const char *opss_password;    /* JRF: OPSS wallet password secret to make (key walletPassword) */
  const char *opss_password_file; /* its password; NULL: a random one */
  const char *opss_wallet;        /* JRF: OPSS wallet file secret to make (key walletFile) */
  const char *opss_wallet_file;   /* the wallet (binary) */
  bool apply; /* objects go to the cluster: a random password does not replace an existing
                 encryption or wallet password secret (checked with kubectl) */
};
/* Append the secrets to make to *objs (*n entries; both grown with realloc), each labelled with
 * the domain UID. Errors from reading the credentials or the password files, or from kubectl;
 * WI_EINVAL for an OPSS wallet password the operator refuses (under 8 characters, or letters
 * without digits or special characters). */
int wi_k8s_input_domain_secrets_objects(struct wi_k8s_obj ***objs, size_t *n,
                                        const struct wi_k8s_domain_secrets *ds, wi_err *err);

/* ---- rollout decisions (k8s_input.c) ---- */

struct wi_k8s_domain_state; /* below */

/* Locate old among the live auxiliary images: the exact string, else the only image of the same
 * repository (old without tag or digest). WI_ENOTFOUND listing the images otherwise. */
int wi_k8s_input_find_aux(const struct wi_k8s_domain_state *st, const char *old, size_t *idx_out,
                          wi_err *err);

struct wi_k8s_aux_rollout {
  size_t index;             /* auxiliaryImages[index] is replaced */
  char *old_image;          /* what the patch tests for (malloc'ed) */
  char *introspect_version; /* NULL: unchanged (malloc'ed) */
  bool same_tag;            /* the new reference equals the old one: only introspectVersion moves */
  const char *pull_policy;  /* with same_tag: the policy in force (borrowed or static) */
};
/* Decide an auxiliary-image rollout against the live Domain st (named uid in messages): which
 * entry (aux_index >= 0, else found from old), the old image, and an introspectVersion bump when
 * the same tag is given again and introspect_version is NULL. WI_EINVAL for an index out of
 * range or an entry that is not old; WI_ENOTFOUND from wi_k8s_input_find_aux. */
int wi_k8s_input_aux_rollout_plan(struct wi_k8s_aux_rollout *out,
                                  const struct wi_k8s_domain_state *st, const char *uid,
                                  const char *old, const char *new_image, int aux_index,
                                  const char *introspect_version, wi_err *err);
void wi_k8s_input_aux_rollout_dispose(struct wi_k8s_aux_rollout *r);

/* ---- rollout and ServiceAccount patches (k8s.c) ---- */

/* Next version string: "" or NULL → "1", "7" → "8", "v1.9" → "v1.10", "abc" → "abc-1". */
char *wi_k8s_next_version(const char *current);
/* Patches are objects: rendered with wi_k8s_render (-o json|yaml; kubectl patch reads either) or
 * wi_k8s_render_compact. */
/* Merge patch {"spec":{"image":…,"restartVersion":…}} (kubectl patch --type=merge). */
struct wi_k8s_obj *wi_k8s_patch_primary_image(const char *image, const char *restart_version);
/* JSON patch (kubectl patch --type=json) replacing auxiliaryImages[index].image; with old_image a
 * "test" op first guards against a concurrent change; introspect_version (optional) adds
 * /spec/introspectVersion. */
struct wi_k8s_obj *wi_k8s_patch_aux_image(size_t index, const char *old_image,
                                          const char *new_image, const char *introspect_version);
/* JSON patch adding secret to a ServiceAccount's imagePullSecrets: append when list_exists, else
 * create the list. */
struct wi_k8s_obj *wi_k8s_patch_sa_pull_secret(const char *secret, bool list_exists);
/* One object as compact JSON with a trailing newline, the form kubectl patch --patch-file takes
 * (malloc'ed). (k8s_render.c) */
char *wi_k8s_render_compact(const struct wi_k8s_obj *o);

/* The parts of a live Domain (kubectl get domain -o json) that rollouts need. */
struct wi_k8s_domain_state {
  char *image;
  char *restart_version;    /* NULL when unset */
  char *introspect_version; /* NULL when unset */
  char **aux_images;
  char **aux_pull_policies; /* entries NULL when unset */
  size_t n_aux;
};
int wi_k8s_kubectl_domain_state_parse(struct wi_k8s_domain_state *out, const char *json, size_t len,
                                      wi_err *err);
void wi_k8s_kubectl_domain_state_dispose(struct wi_k8s_domain_state *s);
/* The operator's report on a Domain (kubectl get domain -o json): what --wait looks at. */
struct wi_k8s_domain_status {
  long long generation;                      /* metadata.generation; -1 when absent */
  long long observed_generation;             /* status.observedGeneration; -1 when absent */
  int completed, rolling, failed, available; /* conditions: 1 True, 0 False, -1 absent */
  char *message; /* the Failed condition's message, else status.message (NULL when none) */
  char *reason;  /* the Failed condition's reason, else status.reason */
};
int wi_k8s_kubectl_domain_status_parse(struct wi_k8s_domain_status *out, const char *json,
                                       size_t len, wi_err *err);
void wi_k8s_kubectl_domain_status_dispose(struct wi_k8s_domain_status *s);
/* From a ServiceAccount (kubectl get sa -o json): does it have imagePullSecrets, does it list
 * secret already? */
int wi_k8s_kubectl_sa_parse(const char *json, size_t len, const char *secret, bool *has_list_out,
                            bool *listed_out, wi_err *err);

/* ---- kubectl (k8s_kubectl.c) ---- */

/* Run `kubectl ARGS…` (found on PATH; $WLSIMG_KUBECTL overrides the program) with `in` on its
 * stdin and its stdout captured into *out_out (optional, NUL-terminated, at most 64 MiB). stderr
 * is inherited. exit_out optional: when NULL a non-zero exit is WI_ERR "kubectl <args[0]> …
 * exited with status N"; otherwise the status is stored and 0 returned. WI_ENOTFOUND when kubectl
 * cannot be started. The argument vector must not carry secrets. */
int wi_k8s_kubectl(const char *const *args, const void *in, size_t in_len, char **out_out,
                   size_t *out_len, int *exit_out, wi_err *err);
/* As wi_k8s_kubectl with exit_out required, kubectl's stderr joined to its stdout in *out_out
 * (for a program that shows kubectl's own words, such as wlsimg ui). */
int wi_k8s_kubectl_merged(const char *const *args, const void *in, size_t in_len, char **out_out,
                          int *exit_out, wi_err *err);
/* kubectl ARGS… [--namespace=ns] (at most 14 args), stdin from in (NUL-terminated, optional);
 * out_out as in wi_k8s_kubectl. */
int wi_k8s_kubectl_ns(const char *const *args, size_t nargs, const char *ns, const char *in,
                      char **out_out, wi_err *err);
/* Does the secret exist (kubectl get --ignore-not-found)? */
int wi_k8s_kubectl_secret_exists(const char *name, const char *ns, bool *exists_out, wi_err *err);
/* The keys of a secret, read with a go-template that prints the keys only (the values never
 * leave kubectl); *exists_out false when it does not exist. keys malloc'ed (free each). */
int wi_k8s_kubectl_secret_keys(const char *name, const char *ns, bool *exists_out, char ***keys_out,
                               size_t *n_keys_out, wi_err *err);
/* Read the live Domain uid (domain.v9.weblogic.oracle) into st. */
int wi_k8s_kubectl_get_domain(struct wi_k8s_domain_state *st, const char *uid, const char *ns,
                              wi_err *err);
/* kubectl patch KIND NAME --type=TYPE [-o OUTPUT] with the patch on stdin; kubectl's output into
 * *out_out. output may be NULL (kubectl's one-line report). */
int wi_k8s_kubectl_patch(const char *kind, const char *name, const char *ns, const char *type,
                         const char *patch, const char *output, char **out_out, wi_err *err);
/* Wait until the operator reports the Domain rolled: status.observedGeneration reaches the
 * generation the Domain has now (the patch just applied) and the Completed condition is True with
 * no roll in progress. Polls kubectl get (every 0.2 s at first, then up to every 5 s); progress
 * (optional) gets a line whenever the reported state changes. WI_ERR when the operator reports
 * Failed (its reason and message) or after timeout_s seconds. */
int wi_k8s_kubectl_wait_domain(const char *uid, const char *ns, int timeout_s,
                               void (*progress)(const char *line, void *payload), void *payload,
                               wi_err *err);

#endif
