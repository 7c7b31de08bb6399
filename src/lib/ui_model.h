/* wlsimg ui: the Model page — the project's model, variable and archive files, read and checked.
 *
 * The checks are syntax and reference checks only (WDT's validateModel needs Java): each model
 * file parses as YAML (libyaml, with line and column), each variable file as Java properties, each
 * archive as a zip; the model's @@PROP, @@ENV and @@SECRET macros (read by the k8s library's
 * wi_k8s_model_scan, as `wlsimg k8s domain` reads them) are matched against the variables (used
 * but undefined, defined but unused), wlsdeploy/ paths named in the model against the archives'
 * entries, and the secrets the Domain must provide are resolved for the Kubernetes page. Only
 * files the project lists are ever read.
 */
#ifndef WI_UI_MODEL_H
#define WI_UI_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/k8s.h"
#include "lib/ui_project.h"

#define WI_UI_MODEL_MAX_TEXT    (1024 * 1024) /* bytes of a file the Code View shows */
#define WI_UI_MODEL_MAX_ENTRIES 10000         /* archive entries listed */

/* The project's serverPod.env: its k8s.env entries "NAME=VALUE" (values may be empty) appended
 * to out. WI_EINVAL naming an entry without '=' or a name the operator sets itself. */
int wi_ui_model_env(const struct wi_ui_project *p, struct wi_k8s_kv_list *out, wi_err *err);

/* What the model needs from the Domain (the k8s library's wi_k8s_model_check_domain over the
 * project's model and variable files, with its Domain UID and env): the secrets, names resolved,
 * with their keys. *checked_out is false when the project has no model file. WI_EINVAL from the
 * check (an undefined @@PROP, an @@ENV nobody sets, a secret name that is no Kubernetes name). */
int wi_ui_model_needs(const struct wi_ui_project *p, const char *project_file,
                      struct wi_k8s_model_secrets *needs, bool *checked_out, wi_err *err);

/* The Model page's report as JSON text (malloc'ed):
 * {"files": [{kind: "model"|"variables"|"archive", index, path, exists, size, ok, message,
 *   count}], "variables": [{key, value, file}], "props": [{name, defined, where}],
 *  "unusedVariables": [..], "secrets": [{name, key, token, where, builtin}] (as written),
 *  "env": [{name, where, operator}], "archiveRefs": [{path, found}],
 *  "domainSecrets": [{name, keys: [..], where}] (resolved, with a Domain UID; else null),
 *  "findings": [{field, severity, message}]}
 * *n_errors_out (optional) counts the findings that are errors. Fails only on out-of-range
 * limits; problems with the files are findings. */
int wi_ui_model_report(const struct wi_ui_project *p, const char *project_file, char **json_out,
                       size_t *n_errors_out, wi_err *err);

/* The text of the project's kind ("model" or "variables") file number index, at most
 * WI_UI_MODEL_MAX_TEXT bytes (*truncated_out tells). WI_ENOTFOUND for an index the project does
 * not have or a missing file; WI_EINVAL for a binary file. */
int wi_ui_model_file(const struct wi_ui_project *p, const char *project_file, const char *kind,
                     size_t index, char **text_out, size_t *len_out, bool *truncated_out,
                     wi_err *err);

/* The entries of the project's archive number index as JSON text (malloc'ed):
 * {"path", "entries": [{name, size, dir}], "truncated"}. WI_ENOTFOUND, WI_EINVAL (not a zip). */
int wi_ui_model_archive(const struct wi_ui_project *p, const char *project_file, size_t index,
                        char **json_out, wi_err *err);

#endif
