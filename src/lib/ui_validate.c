/* wlsimg ui: project checks before a job, and hints for registry errors. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/k8s.h"
#include "lib/ref.h"
#include "lib/str.h"
#include "lib/ui_validate.h"
#include "lib/util.h"

#define autojson __attribute__((cleanup(json_decrefp)))

struct findings {
  json_t *a;
  size_t n_errors;
};

static void add(struct findings *f, bool error, const char *field, const char *tab,
                const char *page, const char *fmt, ...) WI_PRINTF(6, 7);

static void
add(struct findings *f, bool error, const char *field, const char *tab, const char *page,
    const char *fmt, ...)
{
  char msg[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_t *o = json_object();
  json_object_set_new(o, "field", json_string(field));
  json_object_set_new(o, "tab", tab ? json_string(tab) : json_null());
  json_object_set_new(o, "page", json_string(page));
  json_object_set_new(o, "severity", json_string(error ? "error" : "warning"));
  json_object_set_new(o, "message", wi_json_str(msg));
  json_array_append_new(f->a, o);
  if (error)
    f->n_errors++;
}

bool
wi_ui_validate_is_ocir(const char *host)
{
  return wi_str_has_suffix(host, ".ocir.io") ||
         (wi_str_has_prefix(host, "ocir.") && wi_str_has_suffix(host, ".oci.oraclecloud.com"));
}

/* The reference in `value` for field id; parsed into r on success. */
static bool
check_ref(struct findings *f, const char *field, const char *tab, const char *label,
          const char *value, struct wi_ref *r)
{
  wi_err err = { 0 };
  if (value[0] == '\0') {
    add(f, true, field, tab, "Image", "%s is required.", label);
    return false;
  }
  if (wi_ref_parse(r, value, &err) < 0) {
    add(f, true, field, tab, "Image", "%s: %s", label, err.msg);
    return false;
  }
  const char *slash = strrchr(value, '/');
  if (r->digest == NULL && strchr(slash ? slash : value, ':') == NULL)
    add(f, false, field, tab, "Image", "%s has no tag: it means :latest.", label);
  return true;
}

static void
check_files(struct findings *f, const char *project_file, const struct wi_ui_strlist *l,
            const char *field, const char *label)
{
  for (size_t i = 0; i < l->n; i++) {
    wi_autofree char *path = wi_ui_project_path(project_file, l->v[i]);
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
      add(f, true, field, NULL, "Model", "%s: %s does not exist or is not a file.", label, l->v[i]);
  }
}

static void
check_create(struct findings *f, const struct wi_ui_project *p, const char *project_file)
{
  struct wi_ref r = { 0 };
  if (strcmp(p->aux_config, "create") != 0)
    add(f, true, "aux-config", "Primary Image", "Image",
        "Auxiliary Image Configuration is \"use an existing image\": there is nothing to create.");
  if (check_ref(f, "aux-tag", "Auxiliary Image", "Auxiliary Image Tag", p->aux_tag, &r))
    wi_ref_dispose(&r);
  if (p->model_files.n == 0)
    add(f, true, "model-files", NULL, "Model", "Model Files: at least one model file is needed.");
  check_files(f, project_file, &p->model_files, "model-files", "Model Files");
  check_files(f, project_file, &p->variable_files, "variable-files", "Variable Files");
  check_files(f, project_file, &p->archive_files, "archive-files", "Archive Files");
  if (p->platforms.n == 0)
    add(f, true, "platforms", NULL, "Project", "Target cluster architecture: choose at least one.");
  for (size_t i = 0; i < p->platforms.n; i++) {
    struct wi_platform pl;
    wi_err err = { 0 };
    if (wi_ref_platform_parse(&pl, p->platforms.v[i], &err) < 0)
      add(f, true, "platforms", NULL, "Project", "%s", err.msg);
  }
  if (p->base_custom &&
      check_ref(f, "aux-base", "Auxiliary Image", "Custom Base Image to Use", p->base_ref, &r))
    wi_ref_dispose(&r);
  if (!p->wdt_latest && p->wdt_version[0] == '\0')
    add(f, true, "wdt-version", "Auxiliary Image", "Image",
        "WebLogic Deploy Tooling Version is required when the latest installer is not used.");
  if (p->wdt_home[0] != '/')
    add(f, true, "wdt-home", "Auxiliary Image", "Image",
        "WDT Home Directory must be an absolute path.");
  if (p->model_home[0] != '/')
    add(f, true, "model-home", "Auxiliary Image", "Image",
        "Model Home Directory must be an absolute path.");
}

/* The tag's first path component, the tenancy namespace on OCIR. malloc'ed. */
static char *
tag_namespace(const struct wi_ref *r)
{
  const char *slash = strchr(r->path, '/');
  return slash ? wi_xstrndup(r->path, (size_t)(slash - r->path)) : wi_xstrdup(r->path);
}

static void
check_push(struct findings *f, const struct wi_ui_project *p, const char *push_user)
{
  struct wi_ref r = { 0 };
  if (!check_ref(f, "aux-tag", "Auxiliary Image", "Auxiliary Image Tag", p->aux_tag, &r))
    return;
  bool ocir = wi_ui_validate_is_ocir(r.domain);
  if (ocir && strchr(r.path, '/') == NULL)
    add(f, true, "aux-tag", "Auxiliary Image", "Image",
        "Auxiliary Image Tag: on OCIR the repository is <tenancy-namespace>/<repository>, e.g. "
        "%s/%s/%s.",
        r.domain, "mytenancy", r.path);
  if (p->aux_login.host[0] && strcmp(p->aux_login.host, r.domain) != 0)
    add(f, true, "aux-push-cred", "Auxiliary Image", "Image",
        "The push login is for %s, but the tag's registry is %s: the login host is always the "
        "tag's host.",
        p->aux_login.host, r.domain);
  const char *user = push_user && push_user[0] ? push_user : p->aux_login.user;
  if (p->aux_push_auth && user[0] == '\0' && !push_user)
    add(f, false, "aux-push-user", "Auxiliary Image", "Image",
        "No push user name: the stored login for %s will be used, if there is one.", r.domain);
  const char *us = strchr(user, '/');
  wi_autofree char *ns = tag_namespace(&r);
  if (user[0] && ocir && us == NULL)
    add(f, true, "aux-push-user", "Auxiliary Image", "Image",
        "On OCIR the user name is <tenancy-namespace>/<user> (federated users: "
        "<tenancy-namespace>/oracleidentitycloudservice/<user>), e.g. %s/%s.",
        ns, user);
  else if (us && (strncmp(user, ns, (size_t)(us - user)) != 0 || strlen(ns) != (size_t)(us - user)))
    add(f, ocir, "aux-push-user", "Auxiliary Image", "Image",
        "User name '%s' does not match the tenancy namespace '%s' in the tag.", user, ns);
  wi_ref_dispose(&r);
}

static void
check_k8s(struct findings *f, const struct wi_ui_project *p, bool domain)
{
  wi_err err = { 0 };
  if (p->k8s_namespace[0] && wi_k8s_validate_label("namespace", p->k8s_namespace, &err) < 0)
    add(f, true, "namespace", "Domain", "Kubernetes", "%s", err.msg);
  if (p->pull_secret_aux[0] &&
      wi_k8s_validate_subdomain("pull secret", p->pull_secret_aux, &err) < 0)
    add(f, true, "pull-secret-aux", "Secrets", "Kubernetes", "%s", err.msg);
  if (!domain)
    return;
  if (p->domain_uid[0] == '\0')
    add(f, true, "domain-uid", "Domain", "Kubernetes", "Domain UID is required.");
  else if (wi_k8s_validate_domain_uid(p->domain_uid, &err) < 0)
    add(f, true, "domain-uid", "Domain", "Kubernetes", "%s", err.msg);
  struct wi_ref r = { 0 };
  if (check_ref(f, "primary-tag", "Primary Image", "Primary Image Tag", p->primary_tag, &r))
    wi_ref_dispose(&r);
}

int
wi_ui_validate_run(const struct wi_ui_project *p, const struct wi_ui_validate_in *in,
                   char **json_out, size_t *n_errors_out, wi_err *err)
{
  struct findings f = { json_array(), 0 };
  const char *a = in->action ? in->action : "";
  if (strcmp(a, "createAuxImage") == 0)
    check_create(&f, p, in->project_file);
  else if (strcmp(a, "pushAuxImage") == 0)
    check_push(&f, p, in->push_user);
  else if (strcmp(a, "createAndPush") == 0) {
    check_create(&f, p, in->project_file);
    check_push(&f, p, in->push_user);
  } else if (strcmp(a, "pullSecret") == 0)
    check_k8s(&f, p, false);
  else if (strcmp(a, "domain") == 0)
    check_k8s(&f, p, true);
  else {
    json_decref(f.a);
    return wi_err_set(err, WI_EINVAL, "action: unknown \"%s\"", a);
  }
  *json_out = json_dumps(f.a, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(f.a);
  if (n_errors_out)
    *n_errors_out = f.n_errors;
  return 0;
}

/* "HTTP 401 UNAUTHORIZED: …" → "UNAUTHORIZED" (malloc'ed) or NULL. */
static char *
registry_code(const char *msg)
{
  for (const char *p = strstr(msg, "HTTP "); p; p = strstr(p + 1, "HTTP ")) {
    const char *q = p + 5;
    while (*q >= '0' && *q <= '9')
      q++;
    if (q == p + 5 || *q != ' ')
      continue;
    q++;
    size_t n = 0;
    while ((q[n] >= 'A' && q[n] <= 'Z') || q[n] == '_')
      n++;
    if (n >= 3 && (q[n] == ':' || q[n] == '\0' || q[n] == ' '))
      return wi_xstrndup(q, n);
  }
  return NULL;
}

static char *
hint_for(const wi_err *err, const char *host, const char *user, const char *tag)
{
  bool ocir = host && wi_ui_validate_is_ocir(host);
  struct wi_ref r = { 0 };
  wi_err perr = { 0 };
  wi_autofree char *ns = NULL;
  wi_autofree char *repo = NULL;
  if (tag && wi_ref_parse(&r, tag, &perr) == 0) {
    ns = tag_namespace(&r);
    repo = wi_xstrdup(r.path);
    wi_ref_dispose(&r);
  }
  if (err->code == WI_EAUTH || err->http_status == 401) {
    if (ocir)
      return wi_xasprintf(
          "Check that the user name is <tenancy-namespace>/<user> (federated users: "
          "<namespace>/oracleidentitycloudservice/<user>)%s%s%s and that the password is an auth "
          "token, not your console password.",
          user ? ", here '" : "", user ? user : "", user ? "'," : "");
    return wi_xasprintf("The registry %s refused the user name or password%s%s%s: check both "
                        "(for OCIR-style registries, use an auth token, not a console password).",
                        host ? host : "", user ? " for '" : "", user ? user : "", user ? "'" : "");
  }
  if (err->code == WI_EDENIED || err->http_status == 403)
    return wi_xasprintf("The login works but may not push to %s: check the namespace in the tag "
                        "(%s) and your repository policy.",
                        repo ? repo : "this repository", ns ? ns : "?");
  if (err->code == WI_ENET)
    return wi_xasprintf("%s could not be reached: check the host and port in the tag, that the "
                        "registry is running, and any proxy settings (https_proxy, no_proxy).",
                        host ? host : "The registry");
  if (err->code == WI_ENOTFOUND)
    return wi_xstrdup("Not found: check the repository and tag.");
  return NULL;
}

/* The HTTP status of a failure: err->http_status, else the first "HTTP nnn" of the message (a
 * token server's answer), else 0. */
static int
http_status_of(const wi_err *err)
{
  if (err->http_status)
    return err->http_status;
  const char *p = strstr(err->msg, "HTTP ");
  if (p && p[5] >= '1' && p[5] <= '5' && p[6] >= '0' && p[6] <= '9' && p[7] >= '0' && p[7] <= '9')
    return (p[5] - '0') * 100 + (p[6] - '0') * 10 + (p[7] - '0');
  return 0;
}

char *
wi_ui_validate_registry_error(const wi_err *err, const char *host, const char *user,
                              const char *tag)
{
  autojson json_t *o = json_object();
  wi_autofree char *code = registry_code(err->msg);
  wi_autofree char *hint = hint_for(err, host, user, tag);
  json_object_set_new(o, "status", json_integer(http_status_of(err)));
  json_object_set_new(o, "code", code ? json_string(code) : json_null());
  json_object_set_new(o, "message", wi_json_str(err->msg));
  json_object_set_new(o, "hint", hint ? wi_json_str(hint) : json_null());
  return json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
}
