/* wlsimg ui: project checks before a job, and hints for registry errors. */
#include <arpa/inet.h>
#include <jansson.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/k8s.h"
#include "lib/ref.h"
#include "lib/str.h"
#include "lib/ui_model.h"
#include "lib/ui_primary.h"
#include "lib/ui_validate.h"
#include "lib/util.h"

#define autojson __attribute__((cleanup(json_decrefp)))

struct findings {
  json_t *a;
  size_t n_errors;
};

enum sev { WARN, ERR, CONFIRM };

static void add(struct findings *f, enum sev sev, const char *field, const char *tab,
                const char *page, const char *fmt, ...) WI_PRINTF(6, 7);

static void
add(struct findings *f, enum sev sev, const char *field, const char *tab, const char *page,
    const char *fmt, ...)
{
  char msg[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  /* one finding per field and message: actions that share checks do not repeat them */
  size_t i;
  json_t *e;
  json_array_foreach (f->a, i, e) {
    if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0 &&
        strcmp(json_string_value(json_object_get(e, "message")), msg) == 0)
      return;
  }
  json_t *o = json_object();
  json_object_set_new(o, "field", json_string(field));
  json_object_set_new(o, "tab", tab ? json_string(tab) : json_null());
  json_object_set_new(o, "page", json_string(page));
  json_object_set_new(o, "severity", json_string(sev == ERR ? "error" : "warning"));
  json_object_set_new(o, "message", wi_json_str(msg));
  json_object_set_new(o, "confirm", json_boolean(sev == CONFIRM));
  json_array_append_new(f->a, o);
  if (sev == ERR)
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
    add(f, ERR, field, tab, "Image", "%s is required.", label);
    return false;
  }
  if (wi_ref_parse(r, value, &err) < 0) {
    add(f, ERR, field, tab, "Image", "%s: %s", label, err.msg);
    return false;
  }
  const char *slash = strrchr(value, '/');
  if (r->digest == NULL && strchr(slash ? slash : value, ':') == NULL)
    add(f, WARN, field, tab, "Image", "%s has no tag: it means :latest.", label);
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
      add(f, ERR, field, NULL, "Model", "%s: %s does not exist or is not a file.", label, l->v[i]);
  }
}

/* Does the additional build commands file have RUN lines (which need a container engine)? */
static bool
has_run_lines(const char *path)
{
  wi_autofree char *text = NULL;
  size_t len = 0;
  wi_err err = { 0 };
  if (wi_fs_read_file(path, 1024 * 1024, &text, &len, &err) < 0)
    return false;
  const char *line = text;
  while (line) {
    line += strspn(line, " \t");
    if (strncasecmp(line, "RUN", 3) == 0 && (line[3] == ' ' || line[3] == '\t'))
      return true;
    line = strchr(line, '\n');
    if (line)
      line++;
  }
  return false;
}

static void
check_create(struct findings *f, const struct wi_ui_project *p, const char *project_file)
{
  struct wi_ref r = { 0 };
  if (strcmp(p->aux_config, "create") != 0)
    add(f, ERR, "aux-config", "Primary Image", "Image",
        "Auxiliary Image Configuration is \"use an existing image\": there is nothing to create.");
  if (check_ref(f, "aux-tag", "Auxiliary Image", "Auxiliary Image Tag", p->aux_tag, &r))
    wi_ref_dispose(&r);
  if (p->model_files.n == 0)
    add(f, ERR, "model-files", NULL, "Model", "Model Files: at least one model file is needed.");
  check_files(f, project_file, &p->model_files, "model-files", "Model Files");
  check_files(f, project_file, &p->variable_files, "variable-files", "Variable Files");
  check_files(f, project_file, &p->archive_files, "archive-files", "Archive Files");
  if (p->platforms.n == 0)
    add(f, ERR, "platforms", NULL, "Project", "Target cluster architecture: choose at least one.");
  for (size_t i = 0; i < p->platforms.n; i++) {
    struct wi_platform pl;
    wi_err err = { 0 };
    if (wi_ref_platform_parse(&pl, p->platforms.v[i], &err) < 0)
      add(f, ERR, "platforms", NULL, "Project", "%s", err.msg);
  }
  if (p->base_custom &&
      check_ref(f, "aux-base", "Auxiliary Image", "Custom Base Image to Use", p->base_ref, &r))
    wi_ref_dispose(&r);
  if (!p->wdt_latest && p->wdt_version[0] == '\0')
    add(f, ERR, "wdt-version", "Auxiliary Image", "Image",
        "WebLogic Deploy Tooling Version is required when the latest installer is not used.");
  if (!p->wdt_latest && p->wdt_installer[0]) {
    wi_autofree char *inst = wi_ui_project_path(project_file, p->wdt_installer);
    struct stat st;
    if (stat(inst, &st) < 0 || !S_ISREG(st.st_mode))
      add(f, ERR, "wdt-installer", "Auxiliary Image", "Image",
          "WebLogic Deploy Tooling Installer to Use: %s does not exist or is not a file.",
          p->wdt_installer);
  }
  if (p->wdt_home[0] != '/')
    add(f, ERR, "wdt-home", "Auxiliary Image", "Image",
        "WDT Home Directory must be an absolute path.");
  if (p->model_home[0] != '/')
    add(f, ERR, "model-home", "Auxiliary Image", "Image",
        "Model Home Directory must be an absolute path.");
  if (p->owner[0] == '\0' || p->group[0] == '\0')
    add(f, ERR, p->owner[0] ? "group" : "owner", "Auxiliary Image", "Image",
        "File System Owner and Group are required.");
  if (p->extend && p->extend_commands[0] == '\0')
    add(f, ERR, "extend-commands", "Auxiliary Image", "Image",
        "Additional Build Commands File is required when Extend Image Build is on.");
  else if (p->extend) {
    wi_autofree char *abc = wi_ui_project_path(project_file, p->extend_commands);
    if (has_run_lines(abc))
      add(f, WARN, "extend-commands", "Auxiliary Image", "Image",
          "RUN lines in %s need a container engine (docker, podman or buildah) to build.",
          p->extend_commands);
  }
}

/* The tag's first path component, the tenancy namespace on OCIR. malloc'ed. */
static char *
tag_namespace(const struct wi_ref *r)
{
  const char *slash = strchr(r->path, '/');
  return slash ? wi_xstrndup(r->path, (size_t)(slash - r->path)) : wi_xstrdup(r->path);
}

static bool
has_upper(const char *s, size_t n)
{
  for (size_t i = 0; i < n && s[i]; i++)
    if (s[i] >= 'A' && s[i] <= 'Z')
      return true;
  return false;
}

static void
check_push(struct findings *f, const struct wi_ui_project *p, const char *push_user)
{
  struct wi_ref r = { 0 };
  if (!check_ref(f, "aux-tag", "Auxiliary Image", "Auxiliary Image Tag", p->aux_tag, &r))
    return;
  bool ocir = wi_ui_validate_is_ocir(r.domain);
  if (ocir && strchr(r.path, '/') == NULL)
    add(f, ERR, "aux-tag", "Auxiliary Image", "Image",
        "Auxiliary Image Tag: on OCIR the repository is <tenancy-namespace>/<repository>, e.g. "
        "%s/%s/%s.",
        r.domain, "mytenancy", r.path);
  if (p->aux_login.host[0] && strcmp(p->aux_login.host, r.domain) != 0)
    add(f, ERR, "aux-push-cred", "Auxiliary Image", "Image",
        "The push login is for %s, but the tag's registry is %s: the login host is always the "
        "tag's host.",
        p->aux_login.host, r.domain);
  const char *user = push_user && push_user[0] ? push_user : p->aux_login.user;
  if (p->aux_push_auth && user[0] == '\0' && !push_user)
    add(f, WARN, "aux-push-user", "Auxiliary Image", "Image",
        "No push user name: the stored login for %s will be used, if there is one.", r.domain);
  const char *us = strchr(user, '/');
  wi_autofree char *ns = tag_namespace(&r);
  if (user[0] && ocir && us == NULL)
    add(f, ERR, "aux-push-user", "Auxiliary Image", "Image",
        "On OCIR the user name is <tenancy-namespace>/<user> (federated users: "
        "<tenancy-namespace>/oracleidentitycloudservice/<user>), e.g. %s/%s.",
        ns, user);
  else if (us && (strncmp(user, ns, (size_t)(us - user)) != 0 || strlen(ns) != (size_t)(us - user)))
    /* OCIR refuses it outright; other OCIR-style registries may allow it by policy */
    add(f, ocir ? ERR : CONFIRM, "aux-push-user", "Auxiliary Image", "Image",
        "User name '%s' does not match the tenancy namespace '%s' in the tag.", user, ns);
  if (us && ocir && has_upper(user, (size_t)(us - user)))
    add(f, WARN, "aux-push-user", "Auxiliary Image", "Image",
        "The namespace in user name '%s' has upper-case letters: OCIR namespaces are lower case.",
        user);
  wi_ref_dispose(&r);
}

static void
check_primary(struct findings *f, const struct wi_ui_project *p)
{
  struct wi_ref r = { 0 };
  if (check_ref(f, "primary-tag", "Primary Image", "Primary Image Tag", p->primary_tag, &r))
    wi_ref_dispose(&r);
}

static void
primary_finding(void *ctx, const char *field, bool error, const char *msg)
{
  add(ctx, error ? ERR : WARN, field, "Primary Image", "Image", "%s", msg);
}

/* createPrimary (engine) and previewPrimary: the create options of the Primary Image tab. */
static void
check_primary_create(struct findings *f, const struct wi_ui_project *p,
                     const struct wi_ui_validate_in *in, bool engine)
{
  struct wi_ui_primary_check_in ci = { .store_root = in->store_root,
                                       .engine = engine,
                                       .support_password = in->support_password };
  if (!p->prim.enabled)
    add(f, ERR, "create-primary", "Primary Image", "Image",
        "Create New Primary Image is off: the primary image is used as it is.");
  check_primary(f, p);
  wi_ui_primary_check(p, &ci, primary_finding, f);
}

/* pushPrimaryImage: the tag names a registry the image can go to. */
static void
check_primary_push(struct findings *f, const struct wi_ui_project *p)
{
  struct wi_ref r = { 0 };
  if (!check_ref(f, "primary-tag", "Primary Image", "Primary Image Tag", p->primary_tag, &r))
    return;
  if (wi_ui_validate_is_ocir(r.domain) && strchr(r.path, '/') == NULL)
    add(f, ERR, "primary-tag", "Primary Image", "Image",
        "Primary Image Tag: on OCIR the repository is <tenancy-namespace>/<repository>, e.g. "
        "%s/mytenancy/%s.",
        r.domain, r.path);
  wi_ref_dispose(&r);
}

static void
check_name(struct findings *f, const char *field, const char *tab, const char *label,
           const char *value, bool required)
{
  wi_err err = { 0 };
  if (value[0] == '\0') {
    if (required)
      add(f, ERR, field, tab, "Kubernetes", "%s is required.", label);
    return;
  }
  if (wi_k8s_validate_subdomain(label, value, &err) < 0)
    add(f, ERR, field, tab, "Kubernetes", "%s", err.msg);
}

/* What the model needs from the Domain can be given: its @@PROP, @@ENV and @@SECRET macros. */
static void
check_model_needs(struct findings *f, const struct wi_ui_project *p, const char *project_file)
{
  struct wi_k8s_model_secrets needs = { 0 };
  bool checked = false;
  wi_err err = { 0 };
  if (wi_ui_model_needs(p, project_file, &needs, &checked, &err) == 0) {
    wi_k8s_model_secrets_dispose(&needs);
    return;
  }
  if (wi_str_has_prefix(err.msg, "Environment:") || strstr(err.msg, "@@ENV"))
    add(f, ERR, "k8s-env", "Domain", "Kubernetes", "%s", err.msg);
  else
    add(f, ERR, "model-files", NULL, "Model", "For the Domain: %s", err.msg);
}

static void
check_k8s(struct findings *f, const struct wi_ui_project *p, const char *action, bool wls_password,
          const char *project_file)
{
  wi_err err = { 0 };
  bool domain = strcmp(action, "pullSecret") != 0;
  if (p->k8s_namespace[0] && wi_k8s_validate_label("namespace", p->k8s_namespace, &err) < 0)
    add(f, ERR, "namespace", "Domain", "Kubernetes", "%s", err.msg);
  check_name(f, "pull-secret-aux", "Secrets", "Auxiliary Image Pull Secret", p->pull_secret_aux,
             false);
  check_name(f, "pull-secret-primary", "Secrets", "Primary Image Pull Secret",
             p->pull_secret_primary, false);
  if (!domain) {
    struct wi_ref r = { 0 };
    if (check_ref(f, "aux-tag", "Auxiliary Image", "Auxiliary Image Tag", p->aux_tag, &r))
      wi_ref_dispose(&r);
    return;
  }
  bool uid_ok = false;
  if (p->domain_uid[0] == '\0')
    add(f, ERR, "domain-uid", "Domain", "Kubernetes", "Domain UID is required.");
  else if (wi_k8s_validate_domain_uid(p->domain_uid, &err) < 0)
    add(f, ERR, "domain-uid", "Domain", "Kubernetes", "%s", err.msg);
  else
    uid_ok = true;
  if (strcmp(action, "domainStatus") == 0)
    return;
  if (uid_ok)
    check_model_needs(f, p, project_file);
  check_name(f, "wls-cred-secret", "Domain", "WebLogic Credentials Secret Name", p->wls_cred_secret,
             false);
  check_name(f, "runtime-secret", "Domain", "Runtime Encryption Secret", p->runtime_secret, false);
  check_primary(f, p);
  struct wi_ref r = { 0 };
  if (check_ref(f, "aux-tag", "Auxiliary Image", "Auxiliary Image Tag", p->aux_tag, &r))
    wi_ref_dispose(&r);
  if (strcmp(p->aux_ref_mode, "tag") == 0 && strcmp(p->pull_policy_aux, "Always") != 0)
    add(f, WARN, "aux-ref-mode", "Domain", "Kubernetes",
        "Tag only with pull policy %s: nodes that already have %s keep the old content when the "
        "tag is pushed again. Tag + digest makes a re-push take effect.",
        p->pull_policy_aux, p->aux_tag[0] ? p->aux_tag : "the image");
  if (strcmp(action, "domainApply") == 0) {
    if (p->wls_user[0] == '\0')
      add(f, ERR, "wls-user", "Domain", "Kubernetes", "WebLogic Admin Username is required.");
    if (!wls_password)
      add(f, ERR, "wls-password", "Domain", "Kubernetes",
          "WebLogic Admin Password is required to apply (it is kept for this session only).");
  }
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
  } else if (strcmp(a, "checkImage") == 0)
    check_primary(&f, p);
  else if (strcmp(a, "createPrimary") == 0 || strcmp(a, "previewPrimary") == 0)
    check_primary_create(&f, p, in, strcmp(a, "createPrimary") == 0);
  else if (strcmp(a, "pushPrimaryImage") == 0)
    check_primary_push(&f, p);
  else if (strcmp(a, "checkModel") == 0) {
    if (p->model_files.n == 0)
      add(&f, ERR, "model-files", NULL, "Model", "Model Files: at least one model file is needed.");
    check_files(&f, in->project_file, &p->model_files, "model-files", "Model Files");
    check_files(&f, in->project_file, &p->variable_files, "variable-files", "Variable Files");
    check_files(&f, in->project_file, &p->archive_files, "archive-files", "Archive Files");
  } else if (strcmp(a, "pullSecret") == 0 || strcmp(a, "domain") == 0 ||
             strcmp(a, "domainApply") == 0 || strcmp(a, "domainStatus") == 0)
    check_k8s(&f, p, a, in->wls_password, in->project_file);
  else {
    json_decref(f.a);
    return wi_err_set(err, WI_EINVAL, "action: unknown \"%s\" (%s)", a, WI_UI_VALIDATE_ACTIONS);
  }
  *json_out = json_dumps(f.a, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(f.a);
  if (n_errors_out)
    *n_errors_out = f.n_errors;
  return 0;
}

char *
wi_ui_validate_bump_tag(const char *tag)
{
  size_t n = strlen(tag);
  size_t d = n;
  while (d > 0 && tag[d - 1] >= '0' && tag[d - 1] <= '9')
    d--;
  bool digits_only = strspn(tag, "0123456789.") == n && d < n;
  /* "user3-2" and "1.0": the last number goes up; anything else gets "-2" */
  if (d < n && n - d <= 9 && (digits_only || (d > 0 && tag[d - 1] == '-'))) {
    long v = strtol(tag + d, NULL, 10);
    return wi_xasprintf("%.*s%ld", (int)d, tag, v + 1);
  }
  return wi_xasprintf("%.*s-2", (int)(n > 125 ? 125 : n), tag);
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

/* "host:port" → the addresses it resolves to ("127.0.0.1, ::1"), or why it does not. */
static char *
resolved(const char *host)
{
  char name[256];
  const char *colon = strrchr(host, ':');
  if (host[0] == '[') {
    const char *close = strchr(host, ']');
    snprintf(name, sizeof name, "%.*s", close ? (int)(close - host - 1) : 0, host + 1);
  } else {
    snprintf(name, sizeof name, "%.*s", colon ? (int)(colon - host) : (int)strlen(host), host);
  }
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
  int rc = getaddrinfo(name, NULL, &hints, &res);
  if (rc != 0)
    return wi_xasprintf("%s does not resolve (%s)", name, gai_strerror(rc));
  char out[256] = "";
  size_t used = 0;
  for (struct addrinfo *a = res; a && used + 48 < sizeof out; a = a->ai_next) {
    char ip[INET6_ADDRSTRLEN] = "";
    const void *src = a->ai_family == AF_INET6
                          ? (const void *)&((struct sockaddr_in6 *)(void *)a->ai_addr)->sin6_addr
                          : (const void *)&((struct sockaddr_in *)(void *)a->ai_addr)->sin_addr;
    inet_ntop(a->ai_family, src, ip, sizeof ip);
    if (strstr(out, ip) == NULL)
      used += (size_t)snprintf(out + used, sizeof out - used, "%s%s", used ? ", " : "", ip);
  }
  freeaddrinfo(res);
  return wi_xasprintf("%s resolves to %s", name, out);
}

/* The proxy curl would use for host, without user information, or NULL. malloc'ed. */
static char *
proxy_for(void)
{
  static const char *const vars[] = { "https_proxy", "HTTPS_PROXY", "http_proxy", "all_proxy",
                                      "ALL_PROXY" };
  for (size_t i = 0; i < WI_ARRAY_SIZE(vars); i++) {
    const char *v = getenv(vars[i]);
    if (v == NULL || v[0] == '\0')
      continue;
    const char *scheme = strstr(v, "://");
    const char *hostpart = scheme ? scheme + 3 : v;
    const char *at = strchr(hostpart, '@'); /* user:password@ never goes into a message */
    return wi_xasprintf("%.*s%s (%s)", scheme ? (int)(scheme + 3 - v) : 0, v,
                        at ? at + 1 : hostpart, vars[i]);
  }
  return NULL;
}

static char *
hint_for(const wi_err *err, const char *host, const char *user, const char *tag, bool push)
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
  if (host && strcmp(host, "container-registry.oracle.com") == 0 &&
      (err->code == WI_EAUTH || err->code == WI_EDENIED || err->http_status == 401 ||
       err->http_status == 403))
    return wi_xstrdup("Sign in at https://container-registry.oracle.com, accept the terms of the "
                      "repository (e.g. Middleware > weblogic), and log in with your Oracle "
                      "account and an auth token from that site.");
  if (err->code == WI_EAUTH || err->http_status == 401) {
    const char *slash = user ? strchr(user, '/') : NULL;
    bool federated = slash && strchr(slash + 1, '/') == NULL && strchr(slash + 1, '@') &&
                     strstr(user, "oracleidentitycloudservice") == NULL;
    if (ocir)
      return wi_xasprintf(
          "Check that the user name is <tenancy-namespace>/<user> (federated users: "
          "<namespace>/oracleidentitycloudservice/<user>)%s%s%s and that the password is an auth "
          "token, not your console password.%s",
          user ? ", here '" : "", user ? user : "", user ? "'," : "",
          federated ? " A user name with an e-mail address usually belongs to a federated user: "
                      "try <namespace>/oracleidentitycloudservice/<user>."
                    : "");
    return wi_xasprintf("The registry %s refused the user name or password%s%s%s: check both "
                        "(for OCIR-style registries, use an auth token, not a console password).",
                        host ? host : "", user ? " for '" : "", user ? user : "", user ? "'" : "");
  }
  if (err->code == WI_EDENIED || err->http_status == 403)
    return wi_xasprintf("The login works but %s %s: check the namespace in the tag (%s) and your "
                        "repository policy.",
                        push ? "may not push to" : "has no access to",
                        repo ? repo : "this repository", ns ? ns : "?");
  if (err->code == WI_ENET) {
    wi_autofree char *addr = host ? resolved(host) : NULL;
    wi_autofree char *proxy = proxy_for();
    return wi_xasprintf(
        "%s could not be reached%s%s%s: check the host and port in the tag and "
        "that the registry is running; %s%s.",
        host ? host : "The registry", addr ? " (" : "", addr ? addr : "", addr ? ")" : "",
        proxy ? "proxy in use: " : "no proxy is set (https_proxy, no_proxy)", proxy ? proxy : "");
  }
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
                              const char *tag, bool push)
{
  autojson json_t *o = json_object();
  wi_autofree char *code = registry_code(err->msg);
  wi_autofree char *hint = hint_for(err, host, user, tag, push);
  json_object_set_new(o, "status", json_integer(http_status_of(err)));
  json_object_set_new(o, "code", code ? json_string(code) : json_null());
  json_object_set_new(o, "message", wi_json_str(err->msg));
  json_object_set_new(o, "hint", hint ? wi_json_str(hint) : json_null());
  return json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
}
