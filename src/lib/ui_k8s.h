/* wlsimg ui: the Kubernetes page — pull secrets made from the push login, the Domain, kubectl.
 *
 * Objects come from the k8s library's generators, as `wlsimg k8s secret docker-registry
 * --from-login` and `wlsimg k8s domain` make them. kubectl always gets an explicit --context (the
 * user's kubeconfig is never changed) and every object on its stdin, never on argv.
 */
#ifndef WI_UI_K8S_H
#define WI_UI_K8S_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/k8s.h"
#include "lib/ui_creds.h"
#include "lib/ui_project.h"

/* {"contexts": [..], "current": "…"|null, "error": "…"?} from `kubectl config get-contexts -o
 * name` and `kubectl config current-context` (malloc'ed JSON text). Never fails: a missing
 * kubectl or kubeconfig is the "error" member. */
char *wi_ui_k8s_contexts(void);
/* The context to pass: the project's, else kubectl's current one (malloc'ed). WI_ENOTFOUND when
 * there is none. */
int wi_ui_k8s_context(const struct wi_ui_project *p, char **out, wi_err *err);

/* Run `kubectl --context ctx ARGS…` with in (may be NULL) on stdin; stdout and stderr together
 * in *out_out (malloc'ed), the exit status in *exit_out. WI_ENOTFOUND without kubectl. */
int wi_ui_k8s_kubectl(const char *ctx, const char *const *args, const char *in, char **out_out,
                      int *exit_out, wi_err *err);

/* The pull secret name for the aux image: the project's, else "ocir" on OCIR, else the host's
 * first DNS label, else "registry-pull". malloc'ed. */
char *wi_ui_k8s_aux_secret_name(const struct wi_ui_project *p, const char *host);

/* The aux image's pull secret made from the login for its host (the one used to push), YAML
 * (malloc'ed; holds the secret unless redact: data shown as <redacted>). name and ns override
 * the project's (may be NULL). WI_ENOTFOUND without a login for the host. */
int wi_ui_k8s_pull_secret(const struct wi_ui_project *p, struct wi_ui_creds *creds,
                          const char *name, const char *ns, bool redact, char **yaml_out,
                          wi_err *err);

/* The aux image reference the Domain gets: tag@digest when the project pins by digest and the
 * history knows the pushed digest, else the tag. malloc'ed. */
char *wi_ui_k8s_aux_ref(const struct wi_ui_project *p);

/* Apply-time values, all secrets (never saved). */
struct wi_ui_k8s_secrets {
  const char *wls_password;
  const char *runtime_password;  /* NULL: keep the existing secret, or a random one */
  bool runtime_exists;           /* the runtime encryption secret is in the cluster already */
  const struct wi_k8s_kv *model; /* "name:key" → value, for the secrets the model needs */
  size_t n_model;
};

/* Everything to apply, as YAML documents (malloc'ed, holds secrets when s is given): the
 * namespace, the pull secrets that have a login (the others are expected to exist; *notes_out
 * says so), the WebLogic credentials, runtime encryption and model secrets (with s), the Cluster
 * and Domain resources. The model's macros give configuration.secrets and are checked against
 * the project's env and variables (wi_ui_model_needs). With s NULL only the Cluster and Domain
 * (the Code View's Domain YAML). */
int wi_ui_k8s_objects(const struct wi_ui_project *p, const char *project_file,
                      struct wi_ui_creds *creds, const struct wi_ui_k8s_secrets *s, char **yaml_out,
                      char **notes_out, wi_err *err);

/* A Domain's state from `kubectl get domain -o json` (and optionally `get pods -o json` of its
 * pods, pods may be NULL): {"state": "Complete"|"Available"|"Progressing"|"Failed"|"Unknown",
 * "summary": "Available - …", "conditions": [{type, status, reason, message}], "servers":
 * [{name, state, health}], "pods": [{name, phase, ready}]} as JSON text (malloc'ed). WI_EPROTO
 * for JSON that is not a Domain. */
int wi_ui_k8s_status(const char *domain_json, size_t len, const char *pods_json, size_t pods_len,
                     char **json_out, wi_err *err);

#endif
