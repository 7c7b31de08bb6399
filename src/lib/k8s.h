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
 *   k8s_aux.c       wi_k8s_aux_*       what auxiliary images hold (layers, labels)
 *   k8s_input.c     wi_k8s_input_*     user input: secret and env files, credentials, rollouts
 *   k8s_kubectl.c   wi_k8s_kubectl_*   running kubectl and reading what it prints
 */
#ifndef WI_K8S_H
#define WI_K8S_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

#define WI_K8S_DOCKERHUB_SERVER  "https://index.docker.io/v1/"
#define WI_K8S_AUX_WDT_DEFAULT   "/auxiliary/weblogic-deploy"
#define WI_K8S_AUX_MODEL_DEFAULT "/auxiliary/models"
#define WI_K8S_NONE              "None"

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
/* Domain UID: a DNS-1123 subdomain that is also a valid label value (≤ 63). WI_EINVAL. */
int wi_k8s_validate_domain_uid(const char *s, wi_err *err);

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
};
/* Name of the Cluster resource: "<uid>-<cluster lower-cased, '_' → '-'>". malloc'ed. */
char *wi_k8s_cluster_resource_name(const char *uid, const char *cluster);
/* The Cluster resources (one per cluster, in order) followed by the Domain. *out is a malloc'ed
 * array of *n_out objects (free each, then the array). Validates every name. */
int wi_k8s_domain_objects(struct wi_k8s_obj ***out, size_t *n_out, const struct wi_k8s_domain *d,
                          wi_err *err);

/* Render objects: YAML documents separated by "---"; JSON: one object, or a v1 List for several.
 * malloc'ed (may hold secrets: wipe with wi_alloc_secret_free); len_out optional. */
char *wi_k8s_render(struct wi_k8s_obj *const *objs, size_t n, enum wi_k8s_format fmt,
                    size_t *len_out, wi_err *err);

/* ---- auxiliary image metadata (k8s_aux.c) ---- */

/* What an image says about its WDT install and models. */
struct wi_k8s_aux_meta {
  bool wit_built;   /* WDT_HOME / WDT_MODEL_HOME found in its ENV */
  char *wdt_home;   /* ENV WDT_HOME ("/auxiliary") */
  char *model_home; /* ENV WDT_MODEL_HOME ("/auxiliary/models") */
  bool scanned;     /* the layers were examined: has_wdt / has_models are known */
  bool has_wdt;     /* <wdt_home>/weblogic-deploy has files */
  bool has_models;  /* <model_home> has files */
};
void wi_k8s_aux_meta_dispose(struct wi_k8s_aux_meta *m);
/* Look at one layer (tar, optionally gzip: read through libarchive) and set has_wdt/has_models
 * when it holds a regular file below those directories. `what` names the layer in messages. */
int wi_k8s_aux_scan_layer(struct wi_k8s_aux_meta *m, int fd, const char *what, wi_err *err);
/* Domain fields from the metadata: NULL for the default path, the path when it differs, "None"
 * when the layers were scanned and nothing is there. Results malloc'ed or NULL. */
void wi_k8s_aux_fields(const struct wi_k8s_aux_meta *m, char **wdt_install_home_out,
                       char **model_home_out);

/* ---- a Domain's auxiliary images (k8s_aux.c) ---- */

struct wi_store;

struct wi_k8s_aux_opts {
  struct wi_store *store; /* images are looked up here (and their metadata pulled into it);
                             NULL: no inspection, every image gets the /auxiliary defaults */
  const char *wdt_image;  /* the image whose WDT install is used (the others get None); NULL:
                             at most one image may carry WDT */
  const char *authfile;   /* for pulling metadata; optional */
  bool tls_verify;
};

/* The Domain entries for a list of auxiliary images; owns the strings it points to. */
struct wi_k8s_aux_set {
  struct wi_k8s_aux_image *v;
  size_t n;
  char **owned;
  size_t n_owned;
};
/* Fill set with one entry per image (in order): sourceWDTInstallHome and sourceModelHome from each
 * image's labels (wlsimg createAuxImage), else its WIT ENV, checked against its layers when they
 * are in the store. WI_EUSAGE when wdt_image is not one of images; WI_EINVAL when wdt_image has no
 * WDT install, or when several images carry one and wdt_image is NULL (the operator would fail
 * the domain). Dispose set in every case. */
int wi_k8s_aux_resolve(struct wi_k8s_aux_set *set, const char *const *images, size_t n,
                       const struct wi_k8s_aux_opts *o, wi_err *err);
void wi_k8s_aux_set_dispose(struct wi_k8s_aux_set *set);

/* ---- user input: secret files, env files, WebLogic credentials (k8s_input.c) ---- */

#define WI_K8S_MAX_SECRET_FILE (1024 * 1024)

/* Key/value pairs that own their strings (values may be secrets). */
struct wi_k8s_kv_list {
  struct wi_k8s_kv *v;
  size_t n;
};
/* Append; takes ownership of key and value (both malloc'ed). */
void wi_k8s_input_kv_list_add(struct wi_k8s_kv_list *l, char *key, char *value);
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
/* A --from-file value: the whole file as text (binary files are refused with WI_EINVAL). */
char *wi_k8s_input_read_value_file(const char *path, wi_err *err);

/* KEY=VALUE lines as kubectl's --from-env-file reads them: leading blanks dropped, blank and '#'
 * lines skipped, CRLF accepted. Pairs are appended to l (values are secrets). `what` names the
 * text; WI_EINVAL "<what>:<line>: …" for a line without '=' or a NUL byte. */
int wi_k8s_input_env_parse(struct wi_k8s_kv_list *l, const char *text, size_t len, const char *what,
                           wi_err *err);
int wi_k8s_input_read_env_file(struct wi_k8s_kv_list *l, const char *path, wi_err *err);

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
  const char *credentials_file; /* username=/password= lines; NULL: read credentials_fd */
  int credentials_fd;           /* user name and password on two lines (stdin) */
  const char *encryption;       /* runtime encryption secret to make; NULL: an existing one */
  const char *encryption_file;  /* its password; NULL: a random one */
  bool apply;                   /* objects go to the cluster: a random password does not replace
                                   an existing encryption secret (checked with kubectl) */
};
/* Append the secrets to make to *objs (*n entries; both grown with realloc), each labelled with
 * the domain UID. Errors from reading the credentials or the password file, or from kubectl. */
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

/* ---- rollout and ServiceAccount patches (k8s.c; JSON, compact, trailing newline) ---- */

/* Next version string: "" or NULL → "1", "7" → "8", "v1.9" → "v1.10", "abc" → "abc-1". */
char *wi_k8s_next_version(const char *current);
/* Merge patch {"spec":{"image":…,"restartVersion":…}}. */
char *wi_k8s_patch_primary_image(const char *image, const char *restart_version);
/* JSON patch replacing auxiliaryImages[index].image; with old_image a "test" op first guards
 * against a concurrent change; introspect_version (optional) adds /spec/introspectVersion. */
char *wi_k8s_patch_aux_image(size_t index, const char *old_image, const char *new_image,
                             const char *introspect_version);
/* JSON patch adding secret to a ServiceAccount's imagePullSecrets: append when list_exists, else
 * create the list. */
char *wi_k8s_patch_sa_pull_secret(const char *secret, bool list_exists);

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
/* kubectl ARGS… [--namespace=ns] (at most 12 args), stdin from in (NUL-terminated, optional);
 * out_out as in wi_k8s_kubectl. */
int wi_k8s_kubectl_ns(const char *const *args, size_t nargs, const char *ns, const char *in,
                      char **out_out, wi_err *err);
/* Does the secret exist (kubectl get --ignore-not-found)? */
int wi_k8s_kubectl_secret_exists(const char *name, const char *ns, bool *exists_out, wi_err *err);
/* Read the live Domain uid (domain.v9.weblogic.oracle) into st. */
int wi_k8s_kubectl_get_domain(struct wi_k8s_domain_state *st, const char *uid, const char *ns,
                              wi_err *err);
/* kubectl patch KIND NAME --type=TYPE with the patch on stdin; kubectl's output into *out_out. */
int wi_k8s_kubectl_patch(const char *kind, const char *name, const char *ns, const char *type,
                         const char *patch, char **out_out, wi_err *err);

#endif
