/* wlsimg ui: the Primary Image tab's jobs — createPrimary (`wlsimg create` through a container
 * engine, or with dryRun its Dockerfile only) and pushPrimaryImage. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/json.h"
#include "lib/store.h"
#include "lib/ui_primary.h"
#include "lib/ui_render.h"
#include "lib/ui_tasks_int.h"
#include "lib/util.h"
#include "lib/wit.h"

#define autojson __attribute__((cleanup(json_decrefp)))

#define MAX_LINE 4000 /* an engine output line longer than this is cut into several */

/* The steps, in the order wi_wit_build_run enters its phases. */
static const struct {
  const char *id;
  const char *label;
} steps[] = {
  { "check", "Check options and base image" },
  { "installers", "Resolve installers" },
  { "patches", "Resolve patches" },
  { "context", "Write build context" },
  { "build", NULL }, /* "Run <engine>" */
  { "import", "Import into the store" },
};
#define N_STEPS   (sizeof steps / sizeof steps[0])
#define N_PREVIEW 4 /* a dry run ends after the context */

struct run {
  struct task *t;
  int current; /* index in steps[], -1 before the first */
  bool patches_wanted;
  char build_label[160];
  char line[MAX_LINE + 1];
  size_t line_len;
};

static void
end_current(struct run *r)
{
  if (r->current < 0)
    return;
  bool skipped = strcmp(steps[r->current].id, "patches") == 0 && !r->patches_wanted;
  wi_ui_tasks_step_end(r->t, steps[r->current].id, skipped ? "skipped" : "done");
}

/* wi_wit_build_run enters a phase: the step before it is done, steps it passed over are skipped. */
static void
on_phase(const char *phase, void *payload)
{
  struct run *r = payload;
  int k = -1;
  for (size_t i = 0; i < N_STEPS; i++)
    if (strcmp(steps[i].id, phase) == 0)
      k = (int)i;
  if (k <= r->current)
    return;
  end_current(r);
  for (int i = r->current + 1; i < k; i++) {
    wi_ui_tasks_step_begin(r->t, steps[i].id, steps[i].label ? steps[i].label : r->build_label);
    wi_ui_tasks_step_end(r->t, steps[i].id, "skipped");
  }
  r->current = k;
  wi_ui_tasks_step_begin(r->t, steps[k].id, steps[k].label ? steps[k].label : r->build_label);
}

static void
flush_line(struct run *r)
{
  r->line[r->line_len] = '\0';
  if (r->line_len)
    wi_ui_jobs_log(r->t->job, "out", "%s", r->line);
  r->line_len = 0;
}

/* The engine's output, into the job's log line by line. */
static void
on_output(const char *data, size_t len, void *payload)
{
  struct run *r = payload;
  for (size_t i = 0; i < len; i++) {
    if (data[i] == '\n' || data[i] == '\r') {
      flush_line(r);
      continue;
    }
    r->line[r->line_len++] = data[i];
    if (r->line_len == MAX_LINE)
      flush_line(r);
  }
}

static void
result(struct task *t, const char *engine, const struct wi_wit_result *res)
{
  bool dry = t->req.dry_run;
  wi_autofree char *host = wi_ui_tasks_host_of(t->p.primary_tag);
  wi_autofree char *msg =
      dry ? wi_xstrdup("Dry run complete. No image created: this is the Dockerfile that Create "
                       "Primary Image runs.")
          : wi_xasprintf("Created primary image %s (digest %s) with %s. Push it to %s when you "
                         "are ready.",
                         t->p.primary_tag, res->digest, engine, host ? host : "its registry");
  autojson json_t *o = wi_ui_tasks_result(
      t, true, dry ? "Preview Dockerfile Complete" : "Create Primary Image Complete", msg);
  json_object_set_new(o, "ref", wi_json_str(t->p.primary_tag));
  if (!dry) {
    json_object_set_new(o, "digest", json_string(res->digest));
    json_object_set_new(o, "builder", wi_json_str(engine));
    json_t *next = json_array();
    json_array_append_new(next, json_string("pushPrimaryImage"));
    json_object_set_new(o, "next", next);
  }
  json_object_set_new(o, "buildId", wi_json_str(res->build_id));
  json_object_set_new(o, "dockerfile", wi_json_str(res->dockerfile ? res->dockerfile : ""));
  wi_ui_tasks_emit(t, "result", o);
  if (!dry && t->env.record)
    t->env.record("createPrimaryImage", t->p.primary_tag, res->digest, host, t->env.record_payload);
}

int
wi_ui_tasks_primary_create(struct task *t, wi_err *err)
{
  struct wi_ui_primary a;
  struct wi_wit_result res = { 0 };
  wi_autoptr(wi_store) struct wi_store *store = NULL;
  struct run *r = wi_xcalloc(1, sizeof *r);
  bool dry = t->req.dry_run, found = false;
  const char *what = dry ? "preview the Dockerfile of" : "create";
  const char *failed = dry ? "Preview Dockerfile Failed" : "Create Primary Image Failed";

  r->t = t;
  r->current = -1;
  if (dry)
    t->total = N_PREVIEW;
  wi_ui_primary_opts(&a, &t->p);
  r->patches_wanted = a.o.patches.n || a.o.recommended_patches || a.o.latest_psu;
  wi_autofree char *engine = wi_ui_primary_engine(a.o.builder, &found);
  const char *slash = strrchr(engine, '/');
  snprintf(r->build_label, sizeof r->build_label, "Run %s", slash ? slash + 1 : engine);
  wi_autofree char *cmd = wi_ui_render_primary_command(&a.o, "wlsimg", false, NULL);
  wi_ui_jobs_log(t->job, "info", "$ %s%s", cmd, dry ? " --dryRun" : "");

  a.o.dry_run = dry;
  a.o.password = t->req.support_password; /* registered as a secret of the job */
  a.o.cancel = wi_ui_jobs_cancel_flag(t->job);
  a.o.phase = on_phase;
  a.o.phase_payload = r;
  a.o.transfer.src_reg.tls_skip_verify = a.o.transfer.dst_reg.tls_skip_verify = !t->env.tls_verify;
  a.o.transfer.src_reg.authfile = a.o.transfer.dst_reg.authfile =
      wi_ui_creds_authfile(t->env.creds);
  a.o.transfer.src_reg.cancel = a.o.transfer.dst_reg.cancel = wi_ui_jobs_cancel_flag(t->job);
  a.o.transfer.store_root = t->env.store_root;
  int ret = wi_ui_tasks_open_store(t, true, &store, err);
  a.o.store = store;
  if (ret == 0)
    ret = wi_wit_build_run(&a.o, on_output, r, &res, err);
  flush_line(r);
  if (ret == 0) {
    end_current(r);
    result(t, engine, &res);
  } else {
    if (r->current < 0) /* failed before the first phase: the check */
      on_phase("check", r);
    ret = wi_ui_tasks_fail(t, what, failed, t->p.primary_tag, NULL, NULL, ret, err);
  }
  wi_wit_build_result_dispose(&res);
  wi_ui_primary_dispose(&a);
  free(r);
  return ret;
}

int
wi_ui_tasks_primary_push(struct task *t, wi_err *err)
{
  struct wi_ui_tasks_push what = { .tag = t->p.primary_tag,
                                   .primary = true,
                                   .title = "Push Primary Image",
                                   .kind = "pushPrimaryImage" };
  return wi_ui_tasks_image_push_to(t, &what, err);
}
