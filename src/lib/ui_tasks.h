/* wlsimg ui: the job types and what they run.
 *
 * Each job calls the library functions the CLI commands call: createAuxImage is wi_aux_plan_new +
 * wi_aux_build (src/cli/create_aux_image.c), pushAuxImage is a login check with wi_regclient_ping,
 * wi_transfer_push and a HEAD of the pushed tag (src/cli/push.c), createAndPush both, checkImage
 * reads the primary image's manifest from its registry, createPrimary is `wlsimg create`
 * (wi_wit_build_run with the options of ui_primary.c; with dryRun the Dockerfile only), whose
 * engine is the only other child process (its output streamed into the job's log, stopped on
 * Cancel), pushPrimaryImage pushes the primary image as pushAuxImage does, checkModel the Model
 * page's checks,
 * pullSecret renders `wlsimg k8s secret docker-registry --from-login`, domainApply hands the
 * Domain and its secrets to `kubectl --context C apply` (a server-side dry run first) on stdin and
 * domainStatus reads the Domain's conditions. Only kubectl is spawned. Jobs work on a snapshot of
 * the project taken when they start; results are recorded through env->record.
 */
#ifndef WI_UI_TASKS_H
#define WI_UI_TASKS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/k8s.h"
#include "lib/ui_creds.h"
#include "lib/ui_jobs.h"
#include "lib/ui_project.h"

#define WI_UI_TASKS_MAX_BODY 65536
#define WI_UI_TASKS_TYPES                                                                           \
  "createAuxImage pushAuxImage createAndPush checkImage createPrimary pushPrimaryImage checkModel " \
  "pullSecret domainApply domainStatus"

struct wi_ui_tasks_env {
  const char *project_file;
  const char *store_root; /* NULL: the default store */
  struct wi_ui_creds *creds;
  int tls_verify; /* 1 (default) or 0 */
  /* Called from the job's thread after a success. */
  void (*record)(const char *kind, const char *ref, const char *digest, const char *host,
                 void *payload);
  /* Called when the user chose another tag during a push ("Bump tag to …"): primary says whether
   * it is the primary image's tag (else the aux image's). */
  void (*retag)(bool primary, const char *new_tag, void *payload);
  void *record_payload;
};

/* POST /api/jobs body: {"type": T, "params": {"user"?, "password"?, "remember"?: bool,
 * "where"?: "loginFile"|"session", "name"?, "namespace"?, "wlsPassword"?, "runtimePassword"?,
 * "modelSecrets"?: {"name:key": value}, "dryRun"?: bool, "supportPassword"?}}. Strings
 * malloc'ed; password, wlsPassword, runtimePassword, supportPassword (Oracle Support, for
 * createPrimary) and the model secret values are secrets. */
struct wi_ui_tasks_req {
  char *type;
  char *user, *password;
  bool remember; /* default true */
  char *where;   /* NULL: the project's secret policy */
  char *name, *ns;
  char *wls_password, *runtime_password;
  struct wi_k8s_kv_list model_secrets;
  bool dry_run;
  char *support_password;
};
int wi_ui_tasks_parse(struct wi_ui_tasks_req *out, const char *text, size_t len, wi_err *err);
void wi_ui_tasks_req_dispose(struct wi_ui_tasks_req *r);
/* Is type a job this server runs? */
bool wi_ui_tasks_known(const char *type);
/* The validation action for a job request: its type, except createPrimary with dryRun, which is
 * "previewPrimary" (no engine needed). */
const char *wi_ui_tasks_action(const struct wi_ui_tasks_req *r);

/* Start a job (see wi_ui_jobs_start for id_out, running_out, running_type_out and WI_EEXISTS).
 * req is taken over (its strings move into the job). */
int wi_ui_tasks_start(struct wi_ui_jobs *t, const struct wi_ui_tasks_env *env,
                      const struct wi_ui_project *snapshot, struct wi_ui_tasks_req *req,
                      char *id_out, char *running_out, char **running_type_out, wi_err *err);

/* Forward a library log line to the running job's log (the program's wi_log handler calls it). */
void wi_ui_tasks_forward_log(int level, const char *msg);

#endif
