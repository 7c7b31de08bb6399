/* wlsimg ui: the Image page's jobs — createAuxImage, pushAuxImage, createAndPush, checkImage, and
 * the push that pushPrimaryImage shares. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/aux.h"
#include "lib/json.h"
#include "lib/manifest.h"
#include "lib/ref.h"
#include "lib/regclient.h"
#include "lib/store.h"
#include "lib/str.h"
#include "lib/transfer.h"
#include "lib/ui_render.h"
#include "lib/ui_tasks_int.h"
#include "lib/ui_validate.h"
#include "lib/util.h"
#include "lib/witcache.h"

#define autojson __attribute__((cleanup(json_decrefp)))

#define PACE_S 0.1 /* at most ten byte counts a second per layer reach the page */

/* ---- createAuxImage ---- */

static int
ask_prepare_model(struct task *t, wi_err *err)
{
  static const char *const opts[] = { "No", "Yes" };
  wi_autofree char *answer = NULL;
  int ret = wi_ui_jobs_prompt(t->job, "prepareModel", "Create Auxiliary Image to run Prepare Model",
                              "Do you want to run Prepare Model before creating the image?", opts,
                              2, "No", &answer, err);
  if (ret < 0)
    return ret;
  if (strcmp(answer, "Yes") == 0)
    wi_ui_jobs_log(t->job, "info",
                   "Prepare Model needs WDT's prepareModel and Java, which wlsimg does not run; "
                   "the model is used as it is.");
  return 0;
}

/* A chosen installer goes into the WIT cache as wdt_<version> (`cache addInstaller`). */
static int
add_installer(struct task *t, wi_err *err)
{
  wi_autofree char *dir = wi_witcache_default_dir();
  wi_autofree char *key = wi_witcache_installer_key("wdt", t->p.wdt_version);
  wi_autofree char *path = wi_ui_project_path(t->env.project_file, t->p.wdt_installer);
  wi_autofree char *value = NULL;
  enum wi_witcache_add_result res;
  int ret = wi_witcache_prepare(dir, err);
  if (ret == 0)
    ret = wi_witcache_add_file(dir, key, path, true, &res, &value, NULL, err);
  if (ret == 0)
    wi_ui_jobs_log(t->job, "info", "WIT cache %s: %s = %s", dir, key, value);
  return ret;
}

/* The create steps; *res filled on success. */
static int
create_steps(struct task *t, struct wi_aux_result *res, wi_err *err)
{
  struct wi_ui_render_aux a;
  wi_autoptr(wi_aux_plan) struct wi_aux_plan *plan = NULL;
  wi_autoptr(wi_store) struct wi_store *store = NULL;
  int ret = 0;

  wi_ui_tasks_step_begin(t, "save", "Save project");
  wi_ui_tasks_step_end(t, "save", "done"); /* the server saved it before starting the job */
  if (t->p.offer_prepare_model && (ret = ask_prepare_model(t, err)) < 0)
    return ret;
  wi_ui_render_aux_opts(&a, &t->p, t->env.project_file);
  a.o.transfer.src_reg.tls_skip_verify = !t->env.tls_verify;
  a.o.transfer.src_reg.authfile = wi_ui_creds_authfile(t->env.creds);
  a.o.transfer.src_reg.cancel = wi_ui_jobs_cancel_flag(t->job);
  a.o.transfer.store_root = t->env.store_root;
  wi_autofree char *cmd = wi_ui_render_aux_command(&a.o, "wlsimg");
  wi_ui_jobs_log(t->job, "info", "$ %s", cmd);
  wi_ui_tasks_step_begin(t, "wdt", "Resolve WebLogic Deploy Tooling installer");
  if (!t->p.wdt_latest && t->p.wdt_installer[0])
    ret = add_installer(t, err);
  if (ret < 0)
    goto out;
  wi_ui_tasks_step_end(t, "wdt", "done");
  wi_ui_tasks_step_begin(t, "check", "Check model files");
  ret = wi_aux_plan_new(&plan, &a.o, err);
  if (ret < 0)
    goto out;
  const char *inst = wi_aux_plan_installer(plan);
  wi_ui_jobs_log(t->job, "info", "WDT installer: %s", inst ? inst : "none");
  wi_ui_tasks_step_end(t, "check", "done");
  if ((ret = wi_ui_tasks_cancelled(t, err)) < 0)
    goto out;
  wi_ui_tasks_step_begin(t, "build", "Build layer and write image to store");
  ret = wi_ui_tasks_open_store(t, true, &store, err);
  if (ret == 0)
    ret = wi_aux_build(plan, store, res, err);
  if (ret < 0)
    goto out;
  wi_ui_tasks_step_end(t, "build", "done");
  wi_ui_tasks_step_begin(t, "store", "Write image to store");
  wi_ui_jobs_log(t->job, "info", "Image Tool build ID: %s", wi_aux_plan_build_id(plan));
  wi_ui_tasks_step_end(t, "store", "done");
out:
  wi_ui_render_aux_dispose(&a);
  return ret;
}

/* The create steps, their failure result, and the history record of a success. */
static int
create_image(struct task *t, struct wi_aux_result *res, wi_err *err)
{
  int ret = create_steps(t, res, err);
  if (ret < 0) {
    wi_aux_build_result_dispose(res);
    return wi_ui_tasks_fail(t, "create", "Create Auxiliary Image Failed", t->p.aux_tag, NULL, NULL,
                            ret, err);
  }
  wi_autofree char *host = wi_ui_tasks_host_of(t->p.aux_tag);
  if (t->env.record)
    t->env.record("createAuxImage", t->p.aux_tag, res->digest, host, t->env.record_payload);
  return 0;
}

int
wi_ui_tasks_image_create(struct task *t, wi_err *err)
{
  struct wi_aux_result res = { 0 };
  int ret = create_image(t, &res, err);
  if (ret < 0)
    return ret;
  wi_autofree char *host = wi_ui_tasks_host_of(t->p.aux_tag);
  wi_autofree char *msg = wi_xasprintf(
      "Created auxiliary image %s (digest %s, %lld bytes in the new layer, %zu platform%s). Push "
      "it to %s when you are ready.",
      t->p.aux_tag, res.digest, (long long)res.layer_bytes, res.n_platforms,
      res.n_platforms == 1 ? "" : "s", host ? host : "its registry");
  autojson json_t *o = wi_ui_tasks_result(t, true, "Create Auxiliary Image Complete", msg);
  json_object_set_new(o, "ref", wi_json_str(t->p.aux_tag));
  json_object_set_new(o, "digest", json_string(res.digest));
  json_object_set_new(o, "platforms", json_integer((json_int_t)res.n_platforms));
  json_object_set_new(o, "size", json_integer(res.layer_bytes));
  json_t *next = json_array();
  json_array_append_new(next, json_string("pushAuxImage"));
  json_object_set_new(o, "next", next);
  wi_ui_tasks_emit(t, "result", o);
  wi_aux_build_result_dispose(&res);
  return 0;
}

/* ---- pushAuxImage ---- */

static const char *
progress_name(enum wi_progress_event e)
{
  switch (e) {
  case WI_PROGRESS_START:
    return "start";
  case WI_PROGRESS_BYTES:
    return "bytes";
  case WI_PROGRESS_EXISTS:
    return "exists";
  case WI_PROGRESS_MOUNTED:
    return "mounted";
  case WI_PROGRESS_DONE:
  case WI_PROGRESS_MANIFEST:
    return "done";
  case WI_PROGRESS_RETRY:
    return "retry";
  case WI_PROGRESS_WAITING:
    return "waiting";
  }
  return "bytes";
}

/* Should this byte count of a layer go to the page? At most one per PACE_S per layer (the last
 * one always goes): a fast push sends a count every 256 KiB, far more than a page can show. */
static bool
paced(struct task *t, const struct wi_progress *p)
{
  if (p->event != WI_PROGRESS_BYTES || p->digest == NULL || p->done >= p->total)
    return true;
  double now = wi_util_now();
  for (size_t i = 0; i < t->n_paced; i++)
    if (strcmp(t->paced[i].digest, p->digest) == 0) {
      if (now - t->paced[i].last < PACE_S)
        return false;
      t->paced[i].last = now;
      return true;
    }
  if (t->n_paced < WI_UI_TASKS_MAX_LAYERS) {
    snprintf(t->paced[t->n_paced].digest, sizeof t->paced[0].digest, "%s", p->digest);
    t->paced[t->n_paced++].last = now;
  }
  return true;
}

static void
on_progress(const struct wi_progress *p, void *payload)
{
  struct task *t = payload;
  if (p->event == WI_PROGRESS_DONE || p->event == WI_PROGRESS_MOUNTED)
    t->n_uploaded++;
  else if (p->event == WI_PROGRESS_EXISTS)
    t->n_existing++;
  if (!paced(t, p))
    return;
  autojson json_t *o = json_object();
  json_object_set_new(o, "digest", wi_json_str(p->digest ? p->digest : ""));
  json_object_set_new(o, "kind",
                      json_string(p->event == WI_PROGRESS_MANIFEST ? "manifest" : "layer"));
  json_object_set_new(o, "event", json_string(progress_name(p->event)));
  json_object_set_new(o, "done", json_integer(p->done));
  json_object_set_new(o, "total", json_integer(p->total));
  json_object_set_new(o, "message", p->message ? wi_json_str(p->message) : json_null());
  wi_ui_tasks_emit(t, "blob", o);
}

struct login {
  char *user;
  char *pass;
  bool typed;
  bool contacted; /* the registry was asked: its answer explains a failure */
};

static void
login_dispose(struct login *l)
{
  free(l->user);
  if (l->pass)
    wi_alloc_secret_free(l->pass);
}

/* The credentials for the push: typed in this request, or the session's / stored login. The
 * primary image is pushed with the login for its host, or without one when there is none. */
static int
find_login(struct task *t, const struct wi_ui_tasks_push *what, const char *host, struct login *l,
           wi_err *err)
{
  if (t->req.password) {
    if (t->req.user == NULL || t->req.user[0] == '\0')
      return wi_err_set(err, WI_EINVAL, "a push password was given without a user name");
    l->user = wi_xstrdup(t->req.user);
    l->pass = wi_xstrdup(t->req.password);
    l->typed = true;
    return 0;
  }
  if (!what->primary && !t->p.aux_push_auth)
    return 0;
  const char *want = t->req.user && t->req.user[0]              ? t->req.user
                     : !what->primary && t->p.aux_login.user[0] ? t->p.aux_login.user
                                                                : NULL;
  int ret = wi_ui_creds_resolve(t->env.creds, host, want, &l->user, &l->pass, NULL, err);
  if (ret == WI_ENOTFOUND && what->primary) {
    wi_ui_jobs_log(t->job, "info", "No saved login for %s: pushing without credentials", host);
    return 0;
  }
  if (ret == WI_ENOTFOUND)
    return wi_err_set(err, WI_EINVAL,
                      "no login for %s%s%s: enter the push user name and password, or add the "
                      "login on the Registries page",
                      host, want ? " as " : "", want ? want : "");
  return ret;
}

static void
remember_login(struct task *t, const char *host, const struct login *l)
{
  if (!l->typed || !t->req.remember)
    return;
  const char *where = t->req.where ? t->req.where : t->p.secret_policy;
  bool session = strcmp(where, "session") == 0;
  wi_autofree char *place = NULL;
  wi_err err = { 0 };
  if (wi_ui_creds_save(t->env.creds, host, l->user, l->pass, session, &place, &err) < 0)
    wi_ui_jobs_log(t->job, "err", "The login was not saved: %s", err.msg);
  else
    wi_ui_jobs_log(t->job, "info", "Login for %s saved (%s)", host, place);
}

/* The tag is in the registry with other content: ask before replacing it. *tag_out gets the tag
 * to push (the same, or a bumped one the local image is tagged with too). */
static int
ask_repush(struct task *t, const struct wi_ui_tasks_push *what, struct wi_store *store,
           const struct wi_descriptor *local, const char *remote, char **tag_out, wi_err *err)
{
  struct wi_ref r = { 0 };
  int ret = wi_ref_parse(&r, what->tag, err);
  if (ret < 0)
    return ret;
  wi_autofree char *bumped_tag = wi_ui_validate_bump_tag(r.tag ? r.tag : "latest");
  wi_autofree char *repo = wi_ref_repo(&r);
  wi_ref_dispose(&r);
  wi_autofree char *bumped = wi_xasprintf("%s:%s", repo, bumped_tag);
  wi_autofree char *bump_opt = wi_xasprintf("Bump tag to %s", bumped_tag);
  wi_autofree char *q = wi_xasprintf(
      "%s already exists with digest %s. Pods using it with IfNotPresent will keep the old "
      "image.",
      what->tag, remote);
  const char *opts[] = { "Push anyway", bump_opt, "Cancel" };
  wi_autofree char *answer = NULL;
  ret = wi_ui_jobs_prompt(t->job, "repush", what->title, q, opts, 3, opts[1], &answer, err);
  if (ret < 0)
    return ret;
  if (strcmp(answer, "Cancel") == 0)
    return wi_err_set(err, WI_ECANCELED, "cancelled by user");
  if (strcmp(answer, "Push anyway") == 0) {
    *tag_out = wi_xstrdup(what->tag);
    return 0;
  }
  ret = wi_store_tag(store, bumped, local, err);
  if (ret < 0)
    return ret;
  wi_ui_jobs_log(t->job, "info", "Tagged %s as %s", what->tag, bumped);
  if (t->env.retag)
    t->env.retag(what->primary, bumped, t->env.record_payload);
  *tag_out = wi_steal(&bumped);
  return 0;
}

static int
push_steps(struct task *t, const struct wi_ui_tasks_push *what, struct wi_ref *r, struct login *l,
           char **pushed_tag, char *digest, wi_err *err)
{
  wi_autoptr(wi_store) struct wi_store *store = NULL;
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  struct wi_descriptor d = { 0 };
  char label[600];
  int ret;

  wi_ui_tasks_step_begin(t, "find", "Find image in local store");
  ret = wi_ui_tasks_open_store(t, false, &store, err);
  if (ret == 0)
    ret = wi_store_lookup(store, what->tag, &d, NULL, err);
  if (ret < 0)
    goto out;
  wi_ui_jobs_log(t->job, "info", "%s → %s", what->tag, d.digest);
  wi_ui_tasks_step_end(t, "find", "done");

  if ((ret = find_login(t, what, r->domain, l, err)) < 0)
    goto out;
  wi_ui_jobs_add_secret(t->job, l->pass);
  snprintf(label, sizeof label, "Log in to %s%s%s", r->domain, l->user ? " as " : "",
           l->user ? l->user : "");
  wi_ui_tasks_step_begin(t, "login", label);
  l->contacted = true;
  struct wi_regclient_opts ro = { .tls_skip_verify = !t->env.tls_verify,
                                  .username = l->user,
                                  .password = l->pass,
                                  .authfile = wi_ui_creds_authfile(t->env.creds),
                                  .cancel = wi_ui_jobs_cancel_flag(t->job) };
  /* the login check fails at once on a registry that is down; the upload keeps its retries */
  struct wi_regclient_opts once = ro;
  once.retries = -1;
  ret = wi_regclient_new(&rc, r->domain, &once, err);
  if (ret == 0)
    ret = wi_regclient_ping(rc, err);
  if (ret < 0)
    goto out;
  remember_login(t, r->domain, l);
  /* what the registry has under the tag now: the same image, other content, or nothing */
  char remote[WI_DIGEST_MAX] = "";
  wi_err herr = { 0 };
  if (wi_regclient_head_manifest(rc, r->path, r->tag ? r->tag : r->digest, remote, NULL, NULL,
                                 &herr) == 0 &&
      strcmp(remote, d.digest) != 0 && r->tag)
    ret = ask_repush(t, what, store, &d, remote, pushed_tag, err);
  else
    *pushed_tag = wi_xstrdup(what->tag);
  if (ret < 0)
    goto out;
  wi_ui_tasks_step_end(t, "login", "done");

  wi_ui_tasks_step_begin(t, "upload", "Upload layers");
  struct wi_transfer_opts o = {
    .dst_reg = ro, .progress = on_progress, .progress_payload = t, .store_root = t->env.store_root
  };
  ret = wi_transfer_push(store, what->tag, *pushed_tag, &o, digest, err);
  if (ret < 0)
    goto out;
  wi_ui_tasks_step_end(t, "upload", "done");

  wi_ui_tasks_step_begin(t, "verify", "Verify");
  struct wi_ref pr = { 0 };
  char seen[WI_DIGEST_MAX] = "";
  ret = wi_ref_parse(&pr, *pushed_tag, err);
  if (ret == 0)
    ret =
        wi_regclient_head_manifest(rc, pr.path, pr.tag ? pr.tag : pr.digest, seen, NULL, NULL, err);
  wi_ref_dispose(&pr);
  if (ret == 0 && strcmp(seen, digest) != 0)
    ret = wi_err_set(err, WI_EDIGEST, "%s points to %s after the push, not %s", *pushed_tag, seen,
                     digest);
  if (ret == 0)
    wi_ui_tasks_step_end(t, "verify", "done");
out:
  wi_manifest_descriptor_dispose(&d);
  return ret;
}

int
wi_ui_tasks_image_push_to(struct task *t, const struct wi_ui_tasks_push *what, wi_err *err)
{
  struct wi_ref r = { 0 };
  __attribute__((cleanup(login_dispose))) struct login l = { 0 };
  wi_autofree char *tag = NULL;
  char digest[WI_DIGEST_MAX] = "";
  char failed[128];
  snprintf(failed, sizeof failed, "%s Failed", what->title);
  int ret = wi_ref_parse(&r, what->tag, err);
  if (ret < 0)
    return wi_ui_tasks_fail(t, "push", failed, what->tag, NULL, NULL, ret, err);
  ret = push_steps(t, what, &r, &l, &tag, digest, err);
  if (ret < 0) {
    ret = wi_ui_tasks_fail(t, "push", failed, tag ? tag : what->tag, l.contacted ? r.domain : NULL,
                           l.user ? l.user : t->req.user, ret, err);
    wi_ref_dispose(&r);
    return ret;
  }
  wi_autofree char *repo = wi_ref_repo(&r);
  wi_autofree char *pinned = wi_xasprintf("%s@%s", repo, digest);
  wi_autofree char *msg =
      t->n_uploaded == 0 && t->n_existing > 0
          ? wi_xasprintf("Every layer was already in the registry; the tag now points to %s.",
                         digest)
          : wi_xasprintf("Pushed %s to %s. Digest %s.", tag, r.domain, digest);
  autojson json_t *o = wi_ui_tasks_result(t, true, "Push Image Complete", msg);
  json_object_set_new(o, "ref", wi_json_str(tag));
  json_object_set_new(o, "digest", json_string(digest));
  json_object_set_new(o, "pinned", wi_json_str(pinned));
  json_object_set_new(o, "host", wi_json_str(r.domain));
  json_object_set_new(o, "layers_uploaded", json_integer(t->n_uploaded));
  json_object_set_new(o, "layers_existing", json_integer(t->n_existing));
  json_t *next = json_array();
  json_array_append_new(next, json_string("pullSecret"));
  json_array_append_new(next, json_string("domain"));
  json_object_set_new(o, "next", next);
  wi_ui_tasks_emit(t, "result", o);
  if (t->env.record)
    t->env.record(what->kind, tag, digest, r.domain, t->env.record_payload);
  wi_ref_dispose(&r);
  return 0;
}

int
wi_ui_tasks_image_push(struct task *t, wi_err *err)
{
  struct wi_ui_tasks_push what = { .tag = t->p.aux_tag,
                                   .title = "Push Auxiliary Image",
                                   .kind = "pushAuxImage" };
  return wi_ui_tasks_image_push_to(t, &what, err);
}

int
wi_ui_tasks_image_create_push(struct task *t, wi_err *err)
{
  struct wi_aux_result res = { 0 };
  int ret = create_image(t, &res, err);
  if (ret < 0)
    return ret;
  wi_ui_jobs_log(t->job, "info", "Created %s (digest %s)", t->p.aux_tag, res.digest);
  wi_aux_build_result_dispose(&res);
  return wi_ui_tasks_image_push(t, err);
}

/* ---- checkImage ---- */

static void
platforms_of(const struct wi_manifest *m, json_t *arr)
{
  for (size_t i = 0; i < m->n_manifests; i++) {
    const struct wi_descriptor *d = &m->manifests[i];
    if (!d->has_platform)
      continue;
    char s[128];
    wi_ref_platform_format(&d->platform, s, sizeof s);
    if (strcmp(s, "unknown/unknown") != 0)
      json_array_append_new(arr, wi_json_str(s));
  }
}

int
wi_ui_tasks_image_check(struct task *t, wi_err *err)
{
  struct wi_ref r = { 0 };
  wi_autoptr(wi_regclient) struct wi_regclient *rc = NULL;
  wi_autoptr(wi_manifest) struct wi_manifest *m = NULL;
  wi_autofree char *bytes = NULL;
  wi_autofree char *mt = NULL;
  wi_autofree char *user = NULL;
  char *pass = NULL;
  char digest[WI_DIGEST_MAX] = "";
  size_t len = 0;
  int ret = wi_ref_parse(&r, t->p.primary_tag, err);
  if (ret < 0)
    return wi_ui_tasks_fail(t, "check", "Check in Registry Failed", t->p.primary_tag, NULL, NULL,
                            ret, err);
  wi_err lerr = { 0 };
  bool have_login =
      wi_ui_creds_resolve(t->env.creds, r.domain, NULL, &user, &pass, NULL, &lerr) == 0;
  wi_ui_jobs_add_secret(t->job, pass);
  char label[600];
  snprintf(label, sizeof label, "Connect to %s%s%s", r.domain, have_login ? " as " : "",
           have_login ? user : " (anonymous)");
  wi_ui_tasks_step_begin(t, "login", label);
  struct wi_regclient_opts ro = { .tls_skip_verify = !t->env.tls_verify,
                                  .username = have_login ? user : NULL,
                                  .password = have_login ? pass : NULL,
                                  .authfile = wi_ui_creds_authfile(t->env.creds),
                                  .cancel = wi_ui_jobs_cancel_flag(t->job) };
  ret = wi_regclient_new(&rc, r.domain, &ro, err);
  if (ret == 0) {
    wi_ui_tasks_step_end(t, "login", "done");
    wi_ui_tasks_step_begin(t, "manifest", "Read the manifest");
    ret = wi_regclient_get_manifest(rc, r.path,
                                    r.digest ? r.digest
                                    : r.tag  ? r.tag
                                             : "latest",
                                    &bytes, &len, &mt, digest, err);
  }
  if (ret == 0)
    ret = wi_manifest_parse(&m, bytes, len, mt, err);
  if (pass)
    wi_alloc_secret_free(pass);
  if (ret < 0) {
    ret = wi_ui_tasks_fail(t, "check", "Check in Registry Failed", t->p.primary_tag, r.domain,
                           have_login ? user : NULL, ret, err);
    wi_ref_dispose(&r);
    return ret;
  }
  wi_ui_tasks_step_end(t, "manifest", "done");
  autojson json_t *pl = json_array();
  platforms_of(m, pl);
  wi_autofree char *list = NULL;
  for (size_t i = 0; i < json_array_size(pl); i++) {
    char *next = wi_xasprintf("%s%s%s", list ? list : "", list ? ", " : "",
                              json_string_value(json_array_get(pl, i)));
    free(list);
    list = next;
  }
  wi_autofree char *msg =
      m->kind == WI_MANIFEST_INDEX
          ? wi_xasprintf("Found %s, digest %s, platforms %s.", t->p.primary_tag, digest,
                         list ? list : "(none listed)")
          : wi_xasprintf("Found %s, digest %s (a single-platform image, %zu layers).",
                         t->p.primary_tag, digest, m->n_layers);
  autojson json_t *o = wi_ui_tasks_result(t, true, "Primary Image Found", msg);
  json_object_set_new(o, "ref", wi_json_str(t->p.primary_tag));
  json_object_set_new(o, "digest", json_string(digest));
  json_object_set(o, "platforms", pl);
  wi_ui_tasks_emit(t, "result", o);
  wi_ref_dispose(&r);
  return 0;
}
