/* wlsimg: docker's `image inspect` object for an image in the store. See image_inspect.h. */
#include "lib/image_inspect.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/alloc.h"
#include "lib/json.h"
#include "lib/manifest.h"

#define autojson __attribute__((cleanup(json_decrefp)))

/* A blob of the store parsed as a JSON object. */
static int
read_json(struct wi_store *s, const char *digest, size_t max, const char *what, json_t **out,
          wi_err *err)
{
  wi_autofree char *data = NULL;
  size_t len = 0;
  json_error_t jerr;

  int ret = wi_store_read_blob(s, digest, max, &data, &len, err);
  if (ret < 0)
    return wi_err_wrap(err, "%s %s", what, digest);
  json_t *j = json_loadb(data, len, 0, &jerr);
  if (!json_is_object(j)) {
    json_decref(j);
    return wi_err_set(err, WI_EINVAL, "%s %s: not a JSON object (line %d: %s)", what, digest,
                      jerr.line, j ? "not an object" : jerr.text);
  }
  *out = j;
  return 0;
}

/* RepoTags and RepoDigests: every name of the entry's digest, in docker's short form. */
static int
add_names(json_t *o, struct wi_store *s, const char *digest, wi_err *err)
{
  struct wi_store_entry *e = NULL;
  size_t n = 0;
  int ret = wi_store_list(s, &e, &n, err);

  if (ret < 0)
    return ret;
  json_t *tags = json_array(), *digests = json_array();
  for (size_t i = 0; i < n; i++) {
    struct wi_ref r = { 0 };
    if (e[i].name == NULL || strcmp(e[i].desc.digest, digest) != 0 ||
        wi_ref_parse(&r, e[i].name, NULL) < 0)
      continue;
    if (r.tag) {
      wi_autofree char *f = wi_ref_familiar(&r);
      json_array_append_new(tags, wi_json_str(f));
    }
    free(r.tag);
    free(r.digest);
    r.tag = NULL;
    r.digest = NULL;
    wi_autofree char *repo = wi_ref_familiar(&r);
    wi_autofree char *rd = wi_xasprintf("%s@%s", repo, digest);
    bool seen = false;
    size_t k;
    json_t *v;
    json_array_foreach (digests, k, v)
      seen = seen || strcmp(json_string_value(v), rd) == 0;
    if (!seen)
      json_array_append_new(digests, wi_json_str(rd));
    wi_ref_dispose(&r);
  }
  json_object_set_new(o, "RepoTags", tags);
  json_object_set_new(o, "RepoDigests", digests);
  wi_store_entries_free(e, n);
  return 0;
}

/* A string member of the config ("" when absent), under docker's name. */
static void
copy_str(json_t *o, const char *key, json_t *cfg, const char *cfg_key)
{
  const char *v = json_string_value(json_object_get(cfg, cfg_key));
  json_object_set_new(o, key, wi_json_str(v ? v : ""));
}

int
wi_image_inspect(struct wi_store *s, const char *arg, const struct wi_platform *platform,
                 int indent, char **json_out, wi_err *err)
{
  struct wi_descriptor top = { 0 };
  wi_autoptr(wi_manifest) struct wi_manifest *m = NULL;
  char mdigest[WI_DIGEST_MAX];
  autojson json_t *manifest = NULL;
  autojson json_t *cfg = NULL;
  autojson json_t *o = json_object();

  int ret = wi_store_lookup(s, arg, &top, NULL, err);
  if (ret < 0)
    return ret;
  ret = wi_store_load_image(s, &top, platform, &m, mdigest, err);
  if (ret == 0 && m->kind != WI_MANIFEST_IMAGE)
    ret = wi_err_set(err, WI_EINVAL, "%s: %s is not an image manifest", arg, mdigest);
  if (ret == 0)
    ret = read_json(s, mdigest, WI_MAX_MANIFEST_BYTES, "manifest", &manifest, err);
  if (ret == 0)
    ret = read_json(s, m->config.digest, WI_MAX_CONFIG_BYTES, "config", &cfg, err);
  if (ret == 0) {
    json_object_set_new(o, "Id", wi_json_str(m->config.digest));
    ret = add_names(o, s, top.digest, err);
  }
  if (ret < 0) {
    wi_manifest_descriptor_dispose(&top);
    return ret;
  }
  json_object_set_new(o, "Parent", json_string(""));
  copy_str(o, "Comment", cfg, "comment");
  copy_str(o, "Created", cfg, "created");
  copy_str(o, "DockerVersion", cfg, "docker_version");
  copy_str(o, "Author", cfg, "author");
  json_t *c = json_object_get(cfg, "config");
  json_object_set_new(o, "Config", json_is_object(c) ? json_incref(c) : json_object());
  copy_str(o, "Architecture", cfg, "architecture");
  if (json_string_value(json_object_get(cfg, "variant")))
    copy_str(o, "Variant", cfg, "variant");
  copy_str(o, "Os", cfg, "os");
  int64_t size = m->config.size > 0 ? m->config.size : 0;
  for (size_t i = 0; i < m->n_layers; i++)
    size += m->layers[i].size > 0 ? m->layers[i].size : 0;
  json_object_set_new(o, "Size", json_integer(size));
  json_t *rootfs = json_object_get(cfg, "rootfs");
  json_t *diff_ids = json_object_get(rootfs, "diff_ids");
  const char *rtype = json_string_value(json_object_get(rootfs, "type"));
  json_object_set_new(o, "RootFS",
                      json_pack("{s:s, s:o}", "Type", rtype ? rtype : "layers", "Layers",
                                json_is_array(diff_ids) ? json_incref(diff_ids) : json_array()));
  json_object_set_new(o, "Descriptor",
                      json_pack("{s:s, s:s, s:I}", "mediaType",
                                top.media_type ? top.media_type : WI_MT_OCI_MANIFEST, "digest",
                                top.digest, "size", (json_int_t)top.size));
  json_object_set(o, "Manifest", manifest);
  json_object_set_new(o, "ManifestDigest", json_string(mdigest));
  wi_manifest_descriptor_dispose(&top);
  size_t flags =
      JSON_PRESERVE_ORDER | (indent > 0 ? JSON_INDENT(indent > 8 ? 8 : indent) : JSON_COMPACT);
  char *text = json_dumps(o, flags);
  if (text == NULL)
    return wi_err_set(err, WI_ERR, "%s: cannot serialise the inspect object", arg);
  *json_out = text;
  return 0;
}
