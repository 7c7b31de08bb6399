/* wlsimg ui: /api/model, /api/fs, /api/wdt and /api/k8s — what the Model, Image and Kubernetes
 * pages read. */
#include <jansson.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/json.h"
#include "lib/props.h"
#include "lib/str.h"
#include "lib/ui_api_int.h"
#include "lib/ui_fs.h"
#include "lib/ui_k8s.h"
#include "lib/ui_model.h"
#include "lib/util.h"
#include "lib/witcache.h"

#define autojson __attribute__((cleanup(json_decrefp)))

static size_t
index_arg(wi_ui_arg_fn arg, void *ctx)
{
  const char *s = arg ? arg(ctx, "index") : NULL;
  char *end = NULL;
  unsigned long v = s ? strtoul(s, &end, 10) : 0;
  return s && *end == '\0' && v < WI_UI_PROJECT_MAX_LIST ? (size_t)v : WI_UI_PROJECT_MAX_LIST;
}

static void
get_model(struct wi_ui_api *a, const char *what, wi_ui_arg_fn arg, void *ctx, struct wi_ui_resp *r)
{
  struct wi_ui_project p;
  wi_err err = { 0 };
  char *out = NULL;
  size_t len = 0;
  bool truncated = false;
  int ret;
  wi_ui_api_snapshot(a, &p);
  if (what == NULL)
    ret = wi_ui_model_report(&p, a->project_file, &out, NULL, &err);
  else if (strcmp(what, "/archive") == 0)
    ret = wi_ui_model_archive(&p, a->project_file, index_arg(arg, ctx), &out, &err);
  else
    ret = wi_ui_model_file(&p, a->project_file, arg ? arg(ctx, "kind") : "", index_arg(arg, ctx),
                           &out, &len, &truncated, &err);
  wi_ui_project_dispose(&p);
  if (ret < 0)
    return wi_ui_api_reply_error(r, 0, &err);
  if (what && strcmp(what, "/file") == 0 && truncated) {
    char *more = wi_xasprintf("%s\n… (the file goes on; the Code View shows its first %d KiB)\n",
                              out, WI_UI_MODEL_MAX_TEXT / 1024);
    free(out);
    out = more;
  }
  wi_ui_api_reply(r, 200,
                  what && strcmp(what, "/file") == 0 ? WI_UI_API_CT_TEXT : WI_UI_API_CT_JSON, out);
}

static void
get_fs(struct wi_ui_api *a, const char *dir, struct wi_ui_resp *r)
{
  wi_autofree char *copy = wi_xstrdup(a->project_file);
  const char *roots[2] = { a->fs_root, NULL };
  size_t n = 1;
  if (a->fs_root == NULL) {
    roots[0] = dirname(copy);
    roots[1] = wi_util_home_dir();
    n = 2;
  }
  wi_err err = { 0 };
  char *out = NULL;
  if (wi_ui_fs_list(dir, roots, n, &out, &err) < 0)
    return wi_ui_api_reply_error(r, 0, &err);
  wi_ui_api_reply(r, 200, WI_UI_API_CT_JSON, out);
}

/* The WDT installers in the WIT cache: [{key, version, path}]. */
static void
get_wdt(struct wi_ui_resp *r)
{
  wi_autofree char *dir = wi_witcache_default_dir();
  struct wi_props props = { 0 };
  wi_err err = { 0 };
  autojson json_t *o = json_object();
  json_t *arr = json_array();
  json_object_set_new(o, "cache", wi_json_str(dir));
  json_object_set_new(o, "installers", arr);
  if (wi_witcache_list(dir, "wdt_.*", &props, &err) < 0)
    json_object_set_new(o, "error", wi_json_str(err.msg));
  for (size_t i = 0; i < props.n; i++) {
    json_t *e = json_object();
    json_object_set_new(e, "key", wi_json_str(props.v[i].key));
    json_object_set_new(e, "version", wi_json_str(props.v[i].key + strlen("wdt_")));
    json_object_set_new(e, "path", wi_json_str(props.v[i].value));
    json_array_append_new(arr, e);
  }
  wi_props_dispose(&props);
  wi_ui_api_reply_json(r, 200, o);
}

bool
wi_ui_api_pages_route(struct wi_ui_api *a, const char *method, const char *path, wi_ui_arg_fn arg,
                      void *ctx, const char *body, size_t len, struct wi_ui_resp *r)
{
  WI_UNUSED(body);
  WI_UNUSED(len);
  if (strcmp(method, "GET") != 0)
    return false;
  if (strcmp(path, "/api/model") == 0)
    get_model(a, NULL, arg, ctx, r);
  else if (strcmp(path, "/api/model/file") == 0 || strcmp(path, "/api/model/archive") == 0)
    get_model(a, path + strlen("/api/model"), arg, ctx, r);
  else if (strcmp(path, "/api/fs") == 0)
    get_fs(a, arg ? arg(ctx, "dir") : NULL, r);
  else if (strcmp(path, "/api/wdt") == 0)
    get_wdt(r);
  else if (strcmp(path, "/api/k8s/contexts") == 0)
    wi_ui_api_reply(r, 200, WI_UI_API_CT_JSON, wi_ui_k8s_contexts());
  else
    return false;
  return true;
}
