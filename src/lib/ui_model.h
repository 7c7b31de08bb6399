/* wlsimg ui: the Model page — the project's model, variable and archive files, read and checked.
 *
 * The checks are syntax and reference checks only (WDT's validateModel needs Java): each model
 * file parses as YAML (libyaml, with line and column), each variable file as Java properties, each
 * archive as a zip; @@PROP:name@@ tokens are matched against the variables (used but undefined,
 * defined but unused), wlsdeploy/ paths named in the model against the archives' entries, and
 * @@SECRET:name:key@@ tokens are collected so that the Kubernetes page can offer those secrets.
 * Only files the project lists are ever read.
 */
#ifndef WI_UI_MODEL_H
#define WI_UI_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/ui_project.h"

#define WI_UI_MODEL_MAX_TEXT    (1024 * 1024) /* bytes of a file the Code View shows */
#define WI_UI_MODEL_MAX_ENTRIES 10000         /* archive entries listed */
#define WI_UI_MODEL_MAX_TOKENS  10000         /* tokens collected per report */

/* Called for each WDT token "@@KIND:body@@" in text: kind (upper-case letters), and the body
 * split for SECRET at its last ':' into name and key (key_len 0 otherwise). A SECRET body may
 * hold a nested @@ENV:X@@ (WDT's "@@SECRET:@@ENV:DOMAIN_UID@@-x:key@@"). Pointers into text. */
typedef void (*wi_ui_model_token_fn)(const char *kind, size_t kind_len, const char *name,
                                     size_t name_len, const char *key, size_t key_len,
                                     void *payload);
/* Scan text (len bytes, NUL bytes allowed); returns the number of tokens found. Linear time. */
size_t wi_ui_model_tokens(const char *text, size_t len, wi_ui_model_token_fn fn, void *payload);

/* The Model page's report as JSON text (malloc'ed):
 * {"files": [{kind: "model"|"variables"|"archive", index, path, exists, size, ok, message,
 *   count}], "variables": [{key, value, file}], "props": [{name, defined}],
 *  "unusedVariables": [..], "secrets": [{name, key, token}], "env": [..],
 *  "archiveRefs": [{path, found}], "findings": [{field, severity, message}]}
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
