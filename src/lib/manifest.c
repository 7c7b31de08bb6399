/* wlsimg: OCI / Docker schema2 manifests and indexes.
 *
 * The JSON is converted once into struct wi_manifest; json_t stays inside this file. Errors carry
 * the JSON path of the offending value ("layers[2].digest: expected a string"), and syntax errors
 * the line and column jansson reports.
 */
#include "lib/manifest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "lib/alloc.h"
#include "lib/json.h"
#include "lib/mediatype.h"

/* ---- freeing and copying ---- */

static void
annotations_free(struct wi_annotation *a, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(a[i].key);
    free(a[i].value);
  }
  free(a);
}

static struct wi_annotation *
annotations_dup(const struct wi_annotation *a, size_t n)
{
  if (n == 0)
    return NULL;
  struct wi_annotation *r = wi_xcalloc(n, sizeof *r);
  for (size_t i = 0; i < n; i++) {
    r[i].key = wi_xstrdup(a[i].key);
    r[i].value = wi_xstrdup(a[i].value);
  }
  return r;
}

void
wi_manifest_descriptor_dispose(struct wi_descriptor *d)
{
  if (d == NULL)
    return;
  free(d->media_type);
  free(d->digest);
  free(d->artifact_type);
  for (size_t i = 0; i < d->n_urls; i++)
    free(d->urls[i]);
  free(d->urls);
  annotations_free(d->annotations, d->n_annotations);
  free(d->data);
  memset(d, 0, sizeof *d);
}

static char *
strdup_or_null(const char *s)
{
  return s ? wi_xstrdup(s) : NULL;
}

void
wi_manifest_descriptor_copy(struct wi_descriptor *dst, const struct wi_descriptor *src)
{
  *dst = *src;
  dst->media_type = strdup_or_null(src->media_type);
  dst->digest = strdup_or_null(src->digest);
  dst->artifact_type = strdup_or_null(src->artifact_type);
  dst->urls = NULL;
  if (src->n_urls) {
    dst->urls = wi_xcalloc(src->n_urls, sizeof *dst->urls);
    for (size_t i = 0; i < src->n_urls; i++)
      dst->urls[i] = wi_xstrdup(src->urls[i]);
  }
  dst->annotations = annotations_dup(src->annotations, src->n_annotations);
  dst->data = strdup_or_null(src->data);
}

const char *
wi_manifest_descriptor_annotation(const struct wi_descriptor *d, const char *key)
{
  for (size_t i = 0; i < d->n_annotations; i++) {
    if (strcmp(d->annotations[i].key, key) == 0)
      return d->annotations[i].value;
  }
  return NULL;
}

void
wi_manifest_descriptor_set_annotation(struct wi_descriptor *d, const char *key, const char *value)
{
  for (size_t i = 0; i < d->n_annotations; i++) {
    if (strcmp(d->annotations[i].key, key) == 0) {
      free(d->annotations[i].value);
      d->annotations[i].value = wi_xstrdup(value);
      return;
    }
  }
  d->annotations = wi_xreallocarray(d->annotations, d->n_annotations + 1, sizeof *d->annotations);
  d->annotations[d->n_annotations].key = wi_xstrdup(key);
  d->annotations[d->n_annotations].value = wi_xstrdup(value);
  d->n_annotations++;
}

static void
descriptors_free(struct wi_descriptor *d, size_t n)
{
  for (size_t i = 0; i < n; i++)
    wi_manifest_descriptor_dispose(&d[i]);
  free(d);
}

void
wi_manifest_free(struct wi_manifest *m)
{
  if (m == NULL)
    return;
  free(m->media_type);
  free(m->artifact_type);
  wi_manifest_descriptor_dispose(&m->config);
  descriptors_free(m->layers, m->n_layers);
  descriptors_free(m->manifests, m->n_manifests);
  if (m->subject) {
    wi_manifest_descriptor_dispose(m->subject);
    free(m->subject);
  }
  annotations_free(m->annotations, m->n_annotations);
  free(m);
}

/* ---- parsing ---- */

/* Error in the value at `path` (e.g. "layers[2].digest"). */
#define perr(err, path, ...) path_error(err, WI_EINVAL, path, __VA_ARGS__)

static int path_error(wi_err *err, int code, const char *path, const char *fmt, ...)
    WI_PRINTF(4, 5);

static int
path_error(wi_err *err, int code, const char *path, const char *fmt, ...)
{
  char detail[512];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  return wi_err_set(err, code, "invalid manifest: %s: %s", path, detail);
}

/* Optional string member: *out NULL when absent. */
static int
get_string(const json_t *obj, const char *key, const char *path, bool required, char **out,
           wi_err *err)
{
  json_t *v = json_object_get(obj, key);
  char p[256];

  *out = NULL;
  snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", key);
  if (v == NULL) {
    if (required)
      return perr(err, p, "missing");
    return 0;
  }
  if (!json_is_string(v))
    return perr(err, p, "expected a string, got %s", wi_json_type_name(v));
  *out = wi_xstrdup(json_string_value(v));
  return 0;
}

static int
parse_annotations(const json_t *obj, const char *path, struct wi_annotation **out, size_t *n_out,
                  wi_err *err)
{
  json_t *a = json_object_get(obj, "annotations");
  char p[256];
  const char *key;
  json_t *v;

  *out = NULL;
  *n_out = 0;
  snprintf(p, sizeof p, "%s%sannotations", path, path[0] ? "." : "");
  if (a == NULL)
    return 0;
  if (!json_is_object(a))
    return perr(err, p, "expected an object, got %s", wi_json_type_name(a));
  size_t n = json_object_size(a), i = 0;
  if (n == 0)
    return 0;
  struct wi_annotation *r = wi_xcalloc(n, sizeof *r);
  json_object_foreach (a, key, v) {
    if (!json_is_string(v)) {
      annotations_free(r, i);
      return perr(err, p, "value of \"%.100s\": expected a string, got %s", key,
                  wi_json_type_name(v));
    }
    r[i].key = wi_xstrdup(key);
    r[i].value = wi_xstrdup(json_string_value(v));
    i++;
  }
  *out = r;
  *n_out = n;
  return 0;
}

static int
platform_field(const json_t *pl, const char *key, const char *path, bool required, char *dst,
               size_t dstlen, wi_err *err)
{
  wi_autofree char *s = NULL;
  int ret = get_string(pl, key, path, required, &s, err);

  if (ret < 0)
    return ret;
  if (s == NULL)
    return 0;
  if (strlen(s) >= dstlen)
    return perr(err, path, "%s \"%.40s\" is too long", key, s);
  memcpy(dst, s, strlen(s) + 1);
  return 0;
}

static int
parse_platform(const json_t *pl, const char *path, struct wi_platform *out, wi_err *err)
{
  int ret;

  if (!json_is_object(pl))
    return perr(err, path, "expected an object, got %s", wi_json_type_name(pl));
  memset(out, 0, sizeof *out);
  ret = platform_field(pl, "architecture", path, true, out->arch, sizeof out->arch, err);
  if (ret == 0)
    ret = platform_field(pl, "os", path, true, out->os, sizeof out->os, err);
  if (ret == 0)
    ret = platform_field(pl, "variant", path, false, out->variant, sizeof out->variant, err);
  return ret;
}

static int
parse_urls(const json_t *obj, const char *path, struct wi_descriptor *d, wi_err *err)
{
  json_t *u = json_object_get(obj, "urls");
  char p[256];
  size_t i;
  json_t *v;

  if (u == NULL)
    return 0;
  snprintf(p, sizeof p, "%s.urls", path);
  if (!json_is_array(u))
    return perr(err, p, "expected an array, got %s", wi_json_type_name(u));
  if (json_array_size(u) == 0)
    return 0;
  d->urls = wi_xcalloc(json_array_size(u), sizeof *d->urls);
  json_array_foreach (u, i, v) {
    if (!json_is_string(v)) {
      snprintf(p, sizeof p, "%s.urls[%zu]", path, i);
      return perr(err, p, "expected a string, got %s", wi_json_type_name(v));
    }
    d->urls[i] = wi_xstrdup(json_string_value(v));
    d->n_urls = i + 1;
  }
  return 0;
}

/* Fill d from the descriptor object j at path. On failure d holds what was parsed so far. */
static int
parse_descriptor(const json_t *j, const char *path, struct wi_descriptor *d, wi_err *err)
{
  int ret;
  char p[256];

  memset(d, 0, sizeof *d);
  if (!json_is_object(j))
    return perr(err, path, "expected an object, got %s", wi_json_type_name(j));
  ret = get_string(j, "mediaType", path, true, &d->media_type, err);
  if (ret == 0)
    ret = get_string(j, "digest", path, true, &d->digest, err);
  if (ret < 0)
    return ret;
  snprintf(p, sizeof p, "%s.digest", path);
  wi_err derr = { 0 };
  if (wi_digest_validate(d->digest, &derr) < 0)
    return perr(err, p, "%s", derr.msg);
  json_t *size = json_object_get(j, "size");
  snprintf(p, sizeof p, "%s.size", path);
  if (size == NULL)
    return perr(err, p, "missing");
  if (!json_is_integer(size))
    return perr(err, p, "expected an integer, got %s", wi_json_type_name(size));
  if (json_integer_value(size) < 0)
    return perr(err, p, "negative size %lld", (long long)json_integer_value(size));
  d->size = json_integer_value(size);
  ret = get_string(j, "artifactType", path, false, &d->artifact_type, err);
  if (ret == 0)
    ret = parse_urls(j, path, d, err);
  if (ret == 0)
    ret = parse_annotations(j, path, &d->annotations, &d->n_annotations, err);
  if (ret == 0)
    ret = get_string(j, "data", path, false, &d->data, err);
  if (ret < 0)
    return ret;
  json_t *pl = json_object_get(j, "platform");
  if (pl) {
    snprintf(p, sizeof p, "%s.platform", path);
    ret = parse_platform(pl, p, &d->platform, err);
    if (ret < 0)
      return ret;
    d->has_platform = true;
  }
  return 0;
}

static int
parse_descriptor_array(const json_t *root, const char *key, struct wi_descriptor **out,
                       size_t *n_out, wi_err *err)
{
  json_t *a = json_object_get(root, key);
  char p[64];
  size_t i;
  json_t *v;

  if (a == NULL)
    return perr(err, key, "missing");
  if (!json_is_array(a))
    return perr(err, key, "expected an array, got %s", wi_json_type_name(a));
  if (json_array_size(a) == 0)
    return 0;
  *out = wi_xcalloc(json_array_size(a), sizeof **out);
  json_array_foreach (a, i, v) {
    snprintf(p, sizeof p, "%s[%zu]", key, i);
    *n_out = i + 1; /* so that a partial entry is freed with the manifest */
    int ret = parse_descriptor(v, p, &(*out)[i], err);
    if (ret < 0)
      return ret;
  }
  return 0;
}

/* Which kind the document is, from its mediaType, the Content-Type, or its members. */
static int
decide_kind(struct wi_manifest *m, const json_t *root, const char *content_type, wi_err *err)
{
  const char *mt = m->media_type;

  if (wi_mediatype_is_schema1(mt) || wi_mediatype_is_schema1(content_type))
    return wi_err_set(
        err, WI_EUNSUPPORTED,
        "unsupported manifest: Docker schema1 is deprecated and not supported (push the image again with a current client)");
  if (mt && !wi_mediatype_is_generic(content_type) && !wi_mediatype_eq(content_type, mt))
    return wi_err_set(
        err, WI_EINVAL,
        "invalid manifest: mediaType \"%.100s\" does not match Content-Type \"%.100s\"", mt,
        content_type);
  if (mt == NULL && !wi_mediatype_is_generic(content_type)) {
    /* umoci writes no mediaType: the Content-Type (or the index entry) tells. */
    m->media_type = wi_xstrndup(content_type, strcspn(content_type, "; \t"));
    mt = m->media_type;
  }
  if (mt == NULL) {
    if (json_object_get(root, "manifests"))
      m->kind = WI_MANIFEST_INDEX;
    else if (json_object_get(root, "config") || json_object_get(root, "layers"))
      m->kind = WI_MANIFEST_IMAGE;
    else
      return wi_err_set(err, WI_EINVAL,
                        "invalid manifest: no mediaType and neither \"manifests\" nor \"config\"");
    return 0;
  }
  if (wi_mediatype_is_index(mt))
    m->kind = WI_MANIFEST_INDEX;
  else if (wi_mediatype_is_image_manifest(mt))
    m->kind = WI_MANIFEST_IMAGE;
  else
    return wi_err_set(err, WI_EUNSUPPORTED, "unsupported manifest media type \"%.200s\"", mt);
  return 0;
}

static int
parse_root(struct wi_manifest *m, const json_t *root, const char *content_type, wi_err *err)
{
  int ret;

  if (!json_is_object(root))
    return wi_err_set(err, WI_EINVAL, "invalid manifest: expected a JSON object, got %s",
                      wi_json_type_name(root));
  json_t *sv = json_object_get(root, "schemaVersion");
  if (sv == NULL)
    return perr(err, "schemaVersion", "missing");
  if (!json_is_integer(sv))
    return perr(err, "schemaVersion", "expected an integer, got %s", wi_json_type_name(sv));
  if (json_integer_value(sv) == 1)
    return wi_err_set(
        err, WI_EUNSUPPORTED,
        "unsupported manifest: Docker schema1 is deprecated and not supported (push the image again with a current client)");
  if (json_integer_value(sv) != 2)
    return perr(err, "schemaVersion", "expected 2, got %lld", (long long)json_integer_value(sv));
  m->schema_version = 2;
  ret = get_string(root, "mediaType", "", false, &m->media_type, err);
  if (ret == 0)
    ret = decide_kind(m, root, content_type, err);
  if (ret == 0)
    ret = get_string(root, "artifactType", "", false, &m->artifact_type, err);
  if (ret < 0)
    return ret;
  if (m->kind == WI_MANIFEST_IMAGE) {
    json_t *config = json_object_get(root, "config");
    if (config == NULL)
      return perr(err, "config", "missing");
    ret = parse_descriptor(config, "config", &m->config, err);
    if (ret == 0)
      ret = parse_descriptor_array(root, "layers", &m->layers, &m->n_layers, err);
  } else {
    ret = parse_descriptor_array(root, "manifests", &m->manifests, &m->n_manifests, err);
  }
  if (ret < 0)
    return ret;
  json_t *subject = json_object_get(root, "subject");
  if (subject) {
    m->subject = wi_xcalloc(1, sizeof *m->subject);
    ret = parse_descriptor(subject, "subject", m->subject, err);
    if (ret < 0)
      return ret;
  }
  return parse_annotations(root, "", &m->annotations, &m->n_annotations, err);
}

int
wi_manifest_parse(struct wi_manifest **out, const void *bytes, size_t len, const char *content_type,
                  wi_err *err)
{
  json_error_t jerr;
  json_auto_t *root = NULL;
  wi_autoptr(wi_manifest) struct wi_manifest *m = NULL;
  int ret;

  if (len > WI_MAX_MANIFEST_BYTES)
    return wi_err_set(err, WI_ETOOBIG, "manifest too large (%zu bytes > %d)", len,
                      WI_MAX_MANIFEST_BYTES);
  root = json_loadb(bytes, len, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL)
    return wi_err_set(err, WI_EINVAL, "invalid manifest: line %d column %d: %s", jerr.line,
                      jerr.column, jerr.text);
  m = wi_xcalloc(1, sizeof *m);
  ret = parse_root(m, root, content_type, err);
  if (ret < 0)
    return ret;
  *out = wi_steal(&m);
  return 0;
}

/* ---- serialisation ---- */

static json_t *
annotations_json(const struct wi_annotation *a, size_t n)
{
  json_t *o = json_object();
  for (size_t i = 0; i < n; i++)
    wi_json_set(o, a[i].key, wi_json_str(a[i].value));
  return o;
}

static json_t *
descriptor_json(const struct wi_descriptor *d)
{
  json_t *o = json_object();

  if (d->media_type)
    json_object_set_new(o, "mediaType", wi_json_str(d->media_type));
  if (d->artifact_type)
    json_object_set_new(o, "artifactType", wi_json_str(d->artifact_type));
  json_object_set_new(o, "digest", wi_json_str(d->digest ? d->digest : ""));
  json_object_set_new(o, "size", json_integer(d->size));
  if (d->n_urls) {
    json_t *u = json_array();
    for (size_t i = 0; i < d->n_urls; i++)
      json_array_append_new(u, wi_json_str(d->urls[i]));
    json_object_set_new(o, "urls", u);
  }
  if (d->n_annotations)
    json_object_set_new(o, "annotations", annotations_json(d->annotations, d->n_annotations));
  if (d->data)
    json_object_set_new(o, "data", wi_json_str(d->data));
  if (d->has_platform) {
    json_t *p = json_object();
    json_object_set_new(p, "architecture", wi_json_str(d->platform.arch));
    json_object_set_new(p, "os", wi_json_str(d->platform.os));
    if (d->platform.variant[0])
      json_object_set_new(p, "variant", wi_json_str(d->platform.variant));
    json_object_set_new(o, "platform", p);
  }
  return o;
}

static json_t *
descriptors_json(const struct wi_descriptor *d, size_t n)
{
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(a, descriptor_json(&d[i]));
  return a;
}

char *
wi_manifest_serialize(const struct wi_manifest *m, size_t *len_out)
{
  json_auto_t *o = json_object();

  json_object_set_new(o, "schemaVersion", json_integer(m->schema_version ? m->schema_version : 2));
  if (m->media_type)
    json_object_set_new(o, "mediaType", wi_json_str(m->media_type));
  if (m->artifact_type)
    json_object_set_new(o, "artifactType", wi_json_str(m->artifact_type));
  if (m->kind == WI_MANIFEST_IMAGE) {
    json_object_set_new(o, "config", descriptor_json(&m->config));
    json_object_set_new(o, "layers", descriptors_json(m->layers, m->n_layers));
  } else {
    json_object_set_new(o, "manifests", descriptors_json(m->manifests, m->n_manifests));
  }
  if (m->subject)
    json_object_set_new(o, "subject", descriptor_json(m->subject));
  if (m->n_annotations)
    json_object_set_new(o, "annotations", annotations_json(m->annotations, m->n_annotations));
  char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (s == NULL)
    abort(); /* only on out-of-memory or invalid UTF-8 we put there ourselves */
  if (len_out)
    *len_out = strlen(s);
  return s;
}

/* ---- platform selection ---- */

/* How well an index entry fits: -1 no match, 1000 the same variant, else for 32-bit arm the
 * variant number (an unqualified "arm" prefers v7 over v6 over v5, as containerd does). */
static int
platform_rank(const struct wi_platform *want, const struct wi_descriptor *d)
{
  const struct wi_platform *have = &d->platform;

  if (!d->has_platform || !wi_mediatype_is_manifest(d->media_type) ||
      !wi_ref_platform_match(want, have))
    return -1;
  if (strcmp(want->variant, have->variant) == 0)
    return 1000;
  if (have->variant[0] == 'v' && have->variant[1] >= '1' && have->variant[1] <= '9' &&
      have->variant[2] == '\0')
    return have->variant[1] - '0';
  return 0;
}

int
wi_manifest_index_select(const struct wi_manifest *idx, const struct wi_platform *want,
                         const struct wi_descriptor **out, wi_err *err)
{
  char w[96];
  int best = -1;

  for (size_t i = 0; i < idx->n_manifests; i++) {
    int r = platform_rank(want, &idx->manifests[i]);
    if (r > best) {
      best = r;
      *out = &idx->manifests[i];
    }
  }
  if (best >= 0)
    return 0;
  wi_ref_platform_format(want, w, sizeof w);
  char avail[512] = "";
  size_t used = 0;
  for (size_t i = 0; i < idx->n_manifests && used < sizeof avail - 1; i++) {
    const struct wi_descriptor *d = &idx->manifests[i];
    char p[96];
    if (!d->has_platform || strcmp(d->platform.os, "unknown") == 0)
      continue; /* attestations */
    wi_ref_platform_format(&d->platform, p, sizeof p);
    int n = snprintf(avail + used, sizeof avail - used, "%s%s", used ? ", " : "", p);
    if (n < 0)
      break;
    used += (size_t)n;
  }
  if (used >= sizeof avail)
    used = sizeof avail - 1;
  return wi_err_set(err, WI_ENOTFOUND, "no image for platform %s in the index (available: %s)", w,
                    used ? avail : "none");
}
