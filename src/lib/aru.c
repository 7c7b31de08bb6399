/* wlsimg: the Oracle Support (ARU) client and ARU's XML formats — see aru.h. */
#include "lib/aru.h"

#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/fs.h"
#include "lib/http.h"
#include "lib/str.h"

#define SERVICES      "/Orion/Services"
#define MAX_REDIRECTS 10
#define MAX_TEXT      300 /* ARU's own error texts, quoted in messages */
#define MAX_ENTRIES   1000000
/* ARU answers wget-style clients with a Basic challenge (Oracle documents wget for scripted
 * downloads), and WIT identifies itself the same way; other agents may be sent to the HTML
 * sign-in page instead. */
#define USER_AGENT "Wget/1.10"

/* ---- data ---- */

void
wi_aru_patch_dispose(struct wi_aru_patch *p)
{
  free(p->bug);
  free(p->version);
  free(p->release);
  free(p->release_name);
  free(p->description);
  free(p->product);
  free(p->psu_bundle);
  free(p->access);
  free(p->download_url);
  free(p->file_name);
  free(p->sha256);
  memset(p, 0, sizeof *p);
}

static char *
dup_or_null(const char *s)
{
  return s ? wi_xstrdup(s) : NULL;
}

void
wi_aru_patch_copy(struct wi_aru_patch *dst, const struct wi_aru_patch *src)
{
  dst->bug = dup_or_null(src->bug);
  dst->version = dup_or_null(src->version);
  dst->release = dup_or_null(src->release);
  dst->release_name = dup_or_null(src->release_name);
  dst->description = dup_or_null(src->description);
  dst->product = dup_or_null(src->product);
  dst->psu_bundle = dup_or_null(src->psu_bundle);
  dst->access = dup_or_null(src->access);
  dst->download_url = dup_or_null(src->download_url);
  dst->file_name = dup_or_null(src->file_name);
  dst->sha256 = dup_or_null(src->sha256);
  dst->platform = src->platform;
}

void
wi_aru_patches_free(struct wi_aru_patch *v, size_t n)
{
  for (size_t i = 0; v && i < n; i++)
    wi_aru_patch_dispose(&v[i]);
  free(v);
}

void
wi_aru_releases_free(struct wi_aru_release *v, size_t n)
{
  for (size_t i = 0; v && i < n; i++) {
    free(v[i].id);
    free(v[i].name);
    free(v[i].text);
  }
  free(v);
}

void
wi_aru_conflicts_free(struct wi_aru_conflict_set *v, size_t n)
{
  for (size_t i = 0; v && i < n; i++) {
    for (size_t j = 0; j < v[i].n; j++)
      free(v[i].bugs[j]);
    free(v[i].bugs);
  }
  free(v);
}

/* ---- XML ---- */

static pthread_once_t g_xml_once = PTHREAD_ONCE_INIT;

static void
xml_init_once(void)
{
  xmlInitParser();
}

/* SAX hook for <!DOCTYPE …>: ARU never sends one, and refusing it up front means no entity can
 * be declared, let alone expanded. */
static void
refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
  WI_UNUSED(name);
  WI_UNUSED(external_id);
  WI_UNUSED(system_id);
  xmlStopParser(ctx);
}

/* A copy of s fit for a message: control characters become spaces, surrounding blanks go, and at
 * most max bytes are kept (0: no limit). NULL stays NULL. */
static char *
clean_text(const char *s, size_t max)
{
  if (s == NULL)
    return NULL;
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
    s++;
  size_t len = strlen(s);
  if (max && len > max)
    len = max;
  char *r = wi_xstrndup(s, len);
  for (char *p = r; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      *p = ' ';
  while (len && r[len - 1] == ' ')
    r[--len] = '\0';
  return r;
}

/* Parse with no network, no DTD and no entity substitution. Malformed input is WI_EPROTO with
 * sys_errno EBADMSG (an answer cut short is worth another try); a DOCTYPE is WI_EPROTO. */
static int
xml_read(const char *xml, size_t len, xmlDoc **out, wi_err *err)
{
  if (len > WI_ARU_MAX_XML)
    return wi_err_set(err, WI_EPROTO, "XML answer larger than %u bytes", WI_ARU_MAX_XML);
  pthread_once(&g_xml_once, xml_init_once);
  xmlParserCtxt *ctxt = xmlNewParserCtxt();
  if (ctxt == NULL)
    abort(); /* only fails on out-of-memory */
  ctxt->sax->internalSubset = refuse_doctype;
  xmlDoc *doc = xmlCtxtReadMemory(ctxt, xml ? xml : "", (int)len, NULL, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR |
                                      XML_PARSE_NOWARNING);
  int ret = 0;
  if (ctxt->errNo == XML_ERR_USER_STOP) {
    ret = wi_err_set(err, WI_EPROTO, "XML answer with a DOCTYPE: refused");
  } else if (doc == NULL || !ctxt->wellFormed) {
    const xmlError *e = xmlCtxtGetLastError(ctxt);
    wi_autofree char *m = clean_text(e && e->message ? e->message : "not well-formed", 200);
    ret = wi_err_set(err, WI_EPROTO, "malformed XML answer (line %d: %s)", e ? e->line : 0, m);
    err->sys_errno = EBADMSG;
  }
  xmlFreeParserCtxt(ctxt);
  if (ret < 0) {
    xmlFreeDoc(doc);
    return ret;
  }
  *out = doc;
  return 0;
}

static void
xml_docfreep(xmlDoc **d)
{
  if (*d)
    xmlFreeDoc(*d);
}
#define wi_autoxml __attribute__((cleanup(xml_docfreep)))

static bool
is_element(const xmlNode *n, const char *name)
{
  return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *
child(const xmlNode *parent, const char *name)
{
  for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
    if (is_element(c, name))
      return c;
  return NULL;
}

/* Text content (XPath's string()) of n, cleaned; NULL when n is NULL. */
static char *
text_of(const xmlNode *n)
{
  if (n == NULL)
    return NULL;
  xmlChar *c = xmlNodeGetContent(n);
  char *r = clean_text((const char *)c, 0);
  xmlFree(c);
  return r;
}

static char *
attr_of(const xmlNode *n, const char *name)
{
  if (n == NULL)
    return NULL;
  xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
  char *r = clean_text((const char *)v, 0);
  xmlFree(v);
  return r;
}

/* /results/error: WI_ENOTFOUND for 10-016 (no patches), else WI_EPROTO; 0 when absent. */
static int
results_error(const xmlNode *root, wi_err *err)
{
  const xmlNode *e = child(root, "error");
  if (e == NULL)
    return 0;
  wi_autofree char *id = text_of(child(e, "id"));
  wi_autofree char *raw = text_of(child(e, "message"));
  wi_autofree char *msg = clean_text(raw, MAX_TEXT);
  int code = id && strcmp(id, "10-016") == 0 ? WI_ENOTFOUND : WI_EPROTO;
  return wi_err_set(err, code, "Oracle Support answered with error %s: %s",
                    id && *id ? id : "(no id)", msg && *msg ? msg : "(no message)");
}

/* Parse and check the root element; an ARU error answer is reported as such. */
static int
open_doc(const char *xml, size_t len, const char *root_name, xmlDoc **doc_out, xmlNode **root_out,
         wi_err *err)
{
  wi_autoxml xmlDoc *doc = NULL;
  int ret = xml_read(xml, len, &doc, err);
  if (ret < 0)
    return ret;
  xmlNode *root = xmlDocGetRootElement(doc);
  if (root && is_element(root, "results")) {
    ret = results_error(root, err);
    if (ret < 0)
      return ret;
  }
  if (root == NULL || !is_element(root, root_name))
    return wi_err_set(err, WI_EPROTO,
                      "not an Oracle Support answer: root element <%.40s>, expected <%s>",
                      root ? (const char *)root->name : "", root_name);
  *root_out = root;
  *doc_out = wi_steal(&doc);
  return 0;
}

int
wi_aru_parse_error(const char *xml, size_t len, wi_err *err)
{
  wi_autoxml xmlDoc *doc = NULL;
  int ret = xml_read(xml, len, &doc, err);
  if (ret < 0)
    return ret;
  xmlNode *root = xmlDocGetRootElement(doc);
  if (root && is_element(root, "results"))
    return results_error(root, err);
  return 0;
}

int
wi_aru_parse_releases(const char *xml, size_t len, struct wi_aru_release **out, size_t *n,
                      wi_err *err)
{
  wi_autoxml xmlDoc *doc = NULL;
  xmlNode *root = NULL;
  int ret = open_doc(xml, len, "results", &doc, &root, err);
  if (ret < 0)
    return ret;
  struct wi_aru_release *v = NULL;
  size_t count = 0;
  for (xmlNode *c = root->children; c && count < MAX_ENTRIES; c = c->next) {
    if (!is_element(c, "release"))
      continue;
    v = wi_xreallocarray(v, count + 1, sizeof *v);
    v[count].id = attr_of(c, "id");
    v[count].name = attr_of(c, "name");
    v[count].text = text_of(c);
    count++;
  }
  *out = v;
  *n = count;
  return 0;
}

/* The file name after patch_file= in a download URL, when it is a plain name (it becomes a file
 * in the cache directory). */
static char *
patch_file_name(const char *url)
{
  const char *p = url ? strstr(url, "patch_file=") : NULL;
  if (p == NULL)
    return NULL;
  p += strlen("patch_file=");
  size_t len = strcspn(p, "&#");
  if (len == 0 || len > 255 || p[0] == '.')
    return NULL;
  for (size_t i = 0; i < len; i++) {
    char c = p[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-' || c == '+'))
      return NULL;
  }
  return wi_xstrndup(p, len);
}

/* ARU's published SHA-256 of a file, lower-cased, when it is 64 hex digits. */
static char *
file_sha256(const xmlNode *file)
{
  for (const xmlNode *d = file ? file->children : NULL; d; d = d->next) {
    if (!is_element(d, "digest"))
      continue;
    wi_autofree char *type = attr_of(d, "type");
    if (type == NULL || strcasecmp(type, "SHA-256") != 0)
      continue;
    char *hex = text_of(d);
    size_t len = hex ? strlen(hex) : 0;
    bool ok = len == 64;
    for (size_t i = 0; ok && i < len; i++) {
      ok = wi_str_hexval(hex[i]) >= 0;
      hex[i] = (char)(hex[i] >= 'A' && hex[i] <= 'F' ? hex[i] - 'A' + 'a' : hex[i]);
    }
    if (ok)
      return hex;
    free(hex);
  }
  return NULL;
}

/* WIT reads only patches with a platform child whose id is generic, amd64 or arm64. */
static bool
applicable_platform(const xmlNode *patch)
{
  for (const xmlNode *c = patch->children; c; c = c->next) {
    if (!is_element(c, "platform"))
      continue;
    wi_autofree char *id = attr_of(c, "id");
    if (id && (strcmp(id, "2000") == 0 || strcmp(id, "226") == 0 || strcmp(id, "541") == 0))
      return true;
  }
  return false;
}

static bool
parse_int(const char *s, int *out)
{
  char *end = NULL;
  if (s == NULL || *s == '\0')
    return false;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < INT_MIN || v > INT_MAX)
    return false;
  *out = (int)v;
  return true;
}

/* One /results/patch into p; false when it is not usable (WIT drops those too). */
static bool
read_patch(const xmlNode *n, struct wi_aru_patch *p)
{
  memset(p, 0, sizeof *p);
  wi_autofree char *platform = attr_of(child(n, "platform"), "id");
  const xmlNode *file = child(child(n, "files"), "file");
  const xmlNode *url = child(file, "download_url");
  wi_autofree char *host = attr_of(url, "host");
  wi_autofree char *path = text_of(url);

  p->file_name = patch_file_name(path);
  if (!parse_int(platform, &p->platform) || p->file_name == NULL) {
    wi_aru_patch_dispose(p);
    return false;
  }
  p->bug = text_of(child(n, "name"));
  p->version = attr_of(child(n, "release"), "name");
  p->release = attr_of(child(n, "release"), "id");
  p->release_name = text_of(child(n, "release"));
  p->description = text_of(child(child(n, "bug"), "abstract"));
  p->product = attr_of(child(n, "product"), "id");
  p->psu_bundle = text_of(child(n, "psu_bundle"));
  p->access = text_of(child(n, "access"));
  p->download_url = wi_xasprintf("%s%s", host ? host : "", path ? path : "");
  p->sha256 = file_sha256(file);
  if (p->bug == NULL || *p->bug == '\0') {
    wi_aru_patch_dispose(p);
    return false;
  }
  if (p->psu_bundle && *p->psu_bundle == '\0') {
    free(p->psu_bundle);
    p->psu_bundle = NULL;
  }
  return true;
}

int
wi_aru_parse_patches(const char *xml, size_t len, struct wi_aru_patch **out, size_t *n, wi_err *err)
{
  wi_autoxml xmlDoc *doc = NULL;
  xmlNode *root = NULL;
  int ret = open_doc(xml, len, "results", &doc, &root, err);
  if (ret < 0)
    return ret;
  struct wi_aru_patch *v = NULL;
  size_t count = 0;
  for (xmlNode *c = root->children; c && count < MAX_ENTRIES; c = c->next) {
    if (!is_element(c, "patch") || !applicable_platform(c))
      continue;
    struct wi_aru_patch p;
    if (!read_patch(c, &p))
      continue;
    v = wi_xreallocarray(v, count + 1, sizeof *v);
    v[count++] = p;
  }
  *out = v;
  *n = count;
  return 0;
}

int
wi_aru_parse_conflicts(const char *xml, size_t len, struct wi_aru_conflict_set **out, size_t *n,
                       wi_err *err)
{
  wi_autoxml xmlDoc *doc = NULL;
  xmlNode *root = NULL;
  int ret = open_doc(xml, len, "conflict_check", &doc, &root, err);
  if (ret < 0)
    return ret;
  struct wi_aru_conflict_set *v = NULL;
  size_t count = 0;
  for (xmlNode *set = child(child(root, "conflict_sets"), "set"); set && count < MAX_ENTRIES;
       set = set->next) {
    if (!is_element(set, "set"))
      continue;
    struct wi_aru_conflict_set s = { 0 };
    /* merge_patches/patch/bug/number, in document order */
    for (xmlNode *mp = set->children; mp; mp = mp->next) {
      if (!is_element(mp, "merge_patches"))
        continue;
      for (xmlNode *p = mp->children; p && s.n < MAX_ENTRIES; p = p->next) {
        if (!is_element(p, "patch"))
          continue;
        char *bug = text_of(child(child(p, "bug"), "number"));
        if (bug == NULL)
          continue;
        s.bugs = wi_xreallocarray(s.bugs, s.n + 1, sizeof *s.bugs);
        s.bugs[s.n++] = bug;
      }
    }
    if (s.n == 0)
      continue;
    v = wi_xreallocarray(v, count + 1, sizeof *v);
    v[count++] = s;
  }
  *out = v;
  *n = count;
  return 0;
}

char *
wi_aru_conflict_request(const char *const *upis, size_t n_upis, const struct wi_aru_patch *cands,
                        size_t n_cands)
{
  pthread_once(&g_xml_once, xml_init_once);
  /* built as a tree so that libxml2 escapes every value */
  wi_autoxml xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
  xmlNode *root = xmlNewNode(NULL, (const xmlChar *)"conflict_check_request");
  xmlDocSetRootElement(doc, root);
  xmlNewTextChild(root, NULL, (const xmlChar *)"platform", (const xmlChar *)"2000");
  xmlNode *target = xmlNewChild(root, NULL, (const xmlChar *)"target_patch_list", NULL);
  for (size_t i = 0; i < n_upis; i++) {
    xmlNode *p = xmlNewChild(target, NULL, (const xmlChar *)"installed_patch", NULL);
    xmlNewProp(p, (const xmlChar *)"upi", (const xmlChar *)upis[i]);
  }
  xmlNode *cand = xmlNewChild(root, NULL, (const xmlChar *)"candidate_patch_list", NULL);
  for (size_t i = 0; i < n_cands; i++) {
    xmlNode *g = xmlNewTextChild(cand, NULL, (const xmlChar *)"patch_group",
                                 (const xmlChar *)(cands[i].bug ? cands[i].bug : ""));
    xmlNewProp(g, (const xmlChar *)"rel_id",
               (const xmlChar *)(cands[i].release ? cands[i].release : ""));
  }
  xmlBuffer *b = xmlBufferCreate();
  if (doc == NULL || root == NULL || b == NULL || xmlNodeDump(b, doc, root, 0, 1) < 0)
    abort(); /* only fails on out-of-memory */
  char *r = wi_xasprintf("%s\n", (const char *)xmlBufferContent(b));
  xmlBufferFree(b);
  return r;
}

const char *
wi_aru_release_find(const struct wi_aru_release *v, size_t n, const char *product,
                    const char *version)
{
  wi_autofree char *want = wi_xasprintf("%s %s", product, version);
  const char *first = NULL;
  for (size_t i = 0; i < n; i++) {
    if (v[i].text == NULL || v[i].id == NULL || *v[i].id == '\0')
      continue;
    if (strcmp(v[i].text, want) == 0)
      return v[i].id;
    if (first == NULL && wi_str_has_prefix(v[i].text, want))
      first = v[i].id;
  }
  return first;
}

/* ---- the client ---- */

struct wi_aru {
  struct wi_http *http;
  char *host;   /* host[:port] */
  char *base;   /* https://host/Orion/Services */
  char *origin; /* of base (wi_http_url_origin) */
  char *auth;   /* "Authorization: Basic …" header, wiped on free; NULL without credentials */
  int retry_max;
  int retry_interval_ms;
  wi_log_handler log;
  void *log_payload;
  const int *cancel;
  struct wi_aru_release *releases; /* metadata?table=aru_releases, once read */
  size_t n_releases;
  bool have_releases;
};

/* WIT's IMG lines go to the caller's handler. */
#define aru_log(a, level, ...) wi_log_to((a)->log, (a)->log_payload, level, __VA_ARGS__)

/* Java's Integer.parseInt, as WIT reads the retry variables. */
static int
env_int(const struct wi_aru *a, const char *name, int def, int min)
{
  const char *v = getenv(name);
  int n = 0;
  if (v == NULL)
    return def;
  if (!parse_int(v, &n) || v[0] == ' ') {
    aru_log(a, WI_LOG_WARN, "Environment variable %s=\"%s\" is not an integer and will be ignored.",
            name, v);
    return def;
  }
  if (n < min) {
    aru_log(a, WI_LOG_ERROR, "Invalid value found in %s.  %s < %d.  Using default value: %d.", name,
            v, min, def);
    return def;
  }
  return n;
}

int
wi_aru_check_host(const char *host, wi_err *err)
{
  size_t len = host ? strlen(host) : 0;
  bool ok = len > 0 && len < 300;
  for (size_t i = 0; ok && i < len; i++) {
    char c = host[i];
    ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == ':' || c == '[' || c == ']';
  }
  if (ok) {
    wi_autofree char *url = wi_xasprintf("https://%s/", host);
    wi_autofree char *origin = wi_http_url_origin(url);
    ok = origin != NULL;
  }
  if (!ok)
    return wi_err_set(
        err, WI_EINVAL,
        "WLSIMG_ARU_HOST \"%.100s\" is not a host name with an optional port (such as updates.oracle.com or aru.example.com:8443)",
        host ? host : "");
  return 0;
}

enum auth_kind { AUTH_NONE, AUTH_ALWAYS, AUTH_ON_CHALLENGE };

/* Whom the credentials may go to: the ARU host itself, over https; Oracle's sign-on host only
 * when the ARU host is Oracle's, and only when it asks. */
static enum auth_kind
auth_kind(const char *aru_host, const char *url)
{
  wi_autofree char *origin = wi_http_url_origin(url);
  wi_autofree char *aru_url = wi_xasprintf("https://%s/", aru_host);
  wi_autofree char *aru_origin = wi_http_url_origin(aru_url);
  if (origin == NULL || aru_origin == NULL || !wi_str_has_prefix(origin, "https://"))
    return AUTH_NONE;
  if (strcmp(origin, aru_origin) == 0)
    return AUTH_ALWAYS;
  if (strcmp(aru_origin, "https://" WI_ARU_DEFAULT_HOST ":443") == 0 &&
      strcmp(origin, "https://" WI_ARU_SSO_HOST ":443") == 0)
    return AUTH_ON_CHALLENGE;
  return AUTH_NONE;
}

bool
wi_aru_auth_allowed(const char *aru_host, const char *url)
{
  return auth_kind(aru_host, url) != AUTH_NONE;
}

static char *
basic_header(const char *user, const char *password)
{
  char *pair = wi_xasprintf("%s:%s", user, password);
  char *b64 = wi_base64_encode(pair, strlen(pair));
  char *h = wi_xasprintf("Authorization: Basic %s", b64);
  wi_alloc_secret_free(pair);
  wi_alloc_secret_free(b64);
  return h;
}

int
wi_aru_new(struct wi_aru **out, const struct wi_aru_opts *o, wi_err *err)
{
  const char *host = o->host;
  if (host == NULL) {
    host = getenv("WLSIMG_ARU_HOST");
    if (host == NULL || *host == '\0')
      host = WI_ARU_DEFAULT_HOST;
  }
  int ret = wi_aru_check_host(host, err);
  if (ret < 0)
    return ret;
  const char *ca = o->ca_file;
  if (ca == NULL) {
    ca = getenv("WLSIMG_ARU_CACERT");
    if (ca && *ca == '\0')
      ca = NULL;
  }
  struct wi_aru *a = wi_xcalloc(1, sizeof *a);
  a->log = o->log;
  a->log_payload = o->log_payload;
  a->cancel = o->cancel;
  a->host = wi_xstrdup(host);
  a->base = wi_xasprintf("https://%s%s", host, SERVICES);
  a->origin = wi_http_url_origin(a->base);
  if (o->user && *o->user && o->password && *o->password)
    a->auth = basic_header(o->user, o->password);
  a->retry_max = o->retry_max > 0 ? o->retry_max : env_int(a, "WLSIMG_REST_RETRY_MAX", 10, 1);
  a->retry_interval_ms = o->retry_interval_ms >= 0
                             ? o->retry_interval_ms
                             : env_int(a, "WLSIMG_REST_RETRY_INTERVAL", 500, 0);
  struct wi_http_opts ho = { .ca_file = ca,
                             .user_agent = USER_AGENT,
                             .connect_timeout_ms = 30000,
                             .low_speed_time_s = 30,
                             .cancel = o->cancel,
                             .cookies = true };
  ret = wi_http_new(&a->http, &ho, err);
  if (ret < 0) {
    if (ca)
      wi_err_wrap(err, "WLSIMG_ARU_CACERT");
    wi_aru_free(a);
    return ret;
  }
  *out = a;
  return 0;
}

void
wi_aru_free(struct wi_aru *a)
{
  if (a == NULL)
    return;
  wi_http_free(a->http);
  if (a->auth)
    wi_alloc_secret_free(a->auth);
  free(a->host);
  free(a->base);
  free(a->origin);
  wi_aru_releases_free(a->releases, a->n_releases);
  free(a);
}

const char *
wi_aru_host(const struct wi_aru *a)
{
  return a->host;
}

/* A URL for messages: in full on the ARU host; elsewhere without its query, which may carry a
 * download mirror's signed parameters. malloc'ed. */
static char *
url_for_message(const struct wi_aru *a, const char *url)
{
  wi_autofree char *origin = wi_http_url_origin(url);
  if (origin && a->origin && strcmp(origin, a->origin) == 0)
    return wi_xstrdup(url);
  return wi_xstrndup(url, strcspn(url, "?#"));
}

/* Waits the retry interval; false when cancelled. */
static bool
pause_between(const struct wi_aru *a)
{
  for (int left = a->retry_interval_ms; left > 0; left -= 50) {
    if (a->cancel && __atomic_load_n(a->cancel, __ATOMIC_RELAXED))
      return false;
    struct timespec ts = { .tv_sec = 0, .tv_nsec = (left < 50 ? left : 50) * 1000000L };
    nanosleep(&ts, NULL);
  }
  return !(a->cancel && __atomic_load_n(a->cancel, __ATOMIC_RELAXED));
}

/* A network failure that may pass: not a name that does not resolve, not TLS, not a cancel. */
static bool
net_retriable(const wi_err *e)
{
  return e->code == WI_ENET && e->sys_errno != EHOSTUNREACH && e->sys_errno != EPROTO;
}

static bool
basic_challenge(const struct wi_http_resp *resp)
{
  const char *h = wi_http_resp_header(resp, "WWW-Authenticate");
  return h && strncasecmp(h, "Basic", 5) == 0;
}

static bool
is_redirect(long st)
{
  return st == 301 || st == 302 || st == 303 || st == 307 || st == 308;
}

struct call {
  const char *method; /* GET or POST */
  const char *url;
  const char *const *form;   /* multipart text parts (POST) */
  wi_http_write_fn write_fn; /* streams a 2xx body (downloads) */
  void *write_payload;
  size_t max_body;
};

/* One request, redirects followed by hand so that every hop gets the credentials only when it may
 * (auth_kind) and only over https. *again tells whether a failure may pass on another try. */
static int
exchange(struct wi_aru *a, const struct call *c, struct wi_http_resp *resp, bool *again,
         wi_err *err)
{
  wi_autofree char *url = wi_xstrdup(c->url);
  const char *method = c->method;
  const char *const *form = c->form;
  bool challenged = false;
  int hops = 0;

  *again = false;
  for (;;) {
    wi_autofree char *shown = url_for_message(a, url);
    wi_autofree char *origin = wi_http_url_origin(url);
    if (origin == NULL || !wi_str_has_prefix(origin, "https://"))
      return wi_err_set(err, WI_EDENIED,
                        "%s %s: refused: wlsimg talks to Oracle Support over https only", method,
                        shown);
    enum auth_kind kind = auth_kind(a->host, url);
    bool send = a->auth && (kind == AUTH_ALWAYS || (kind == AUTH_ON_CHALLENGE && challenged));
    const char *headers[] = { send ? a->auth : NULL, NULL };
    struct wi_http_req req = { .method = method,
                               .url = url,
                               .headers = headers,
                               .form = form,
                               .body_fd = -1,
                               .write_fn = c->write_fn,
                               .write_payload = c->write_payload,
                               .max_body = c->max_body };
    int ret = wi_http_do(a->http, &req, resp, err);
    if (ret < 0) {
      *again = net_retriable(err);
      return ret;
    }
    long st = resp->status;
    if (st == 401 && kind == AUTH_ON_CHALLENGE && a->auth && !challenged && basic_challenge(resp)) {
      challenged = true;
      wi_http_resp_dispose(resp);
      continue;
    }
    if (!is_redirect(st))
      return 0;
    const char *loc = wi_http_resp_header(resp, "Location");
    char *next = loc ? wi_http_url_resolve(url, loc) : NULL;
    wi_http_resp_dispose(resp);
    if (next == NULL)
      return wi_err_set(err, WI_EPROTO, "%s %s: HTTP %ld redirect without a usable Location",
                        method, shown, st);
    if (++hops > MAX_REDIRECTS) {
      free(next);
      return wi_err_set(err, WI_EPROTO, "%s %s: more than %d redirects", method, shown,
                        MAX_REDIRECTS);
    }
    /* what browsers and WIT's client do: a 303, or a 301/302 after a POST, continues as GET */
    if (st == 303 || ((st == 301 || st == 302) && strcmp(method, "POST") == 0)) {
      method = "GET";
      form = NULL;
    }
    wi_autofree char *next_shown = url_for_message(a, next);
    aru_log(a, WI_LOG_DEBUG, "%s redirected to %s (HTTP %ld)", shown, next_shown, st);
    free(url);
    url = next;
    challenged = false;
  }
}

/* A status other than 200 as an error; *again for the statuses that may pass. */
static int
status_error(const struct wi_aru *a, const char *method, const char *url,
             const struct wi_http_resp *resp, bool *again, wi_err *err)
{
  long st = resp->status;
  wi_autofree char *shown = url_for_message(a, url);
  int ret;
  *again = st == 408 || st == 429 || st >= 500;
  if (st == 401)
    ret = wi_err_set(
        err, WI_EAUTH,
        "%s %s: HTTP 401: Oracle Support did not accept the user and password (--user with --password, --passwordEnv or --passwordFile)",
        method, shown);
  else if (st == 403)
    ret =
        wi_err_set(err, WI_EDENIED, "%s %s: HTTP 403: Oracle Support denied access", method, shown);
  else
    ret = wi_err_set(err, WI_EPROTO, "%s %s: HTTP %ld", method, shown, st);
  err->http_status = (int)st;
  return ret;
}

/* The body as XML, not an HTML page (ARU's sign-in page is one: no point in retrying). */
static int
check_xml_body(const struct wi_aru *a, const char *url, const struct wi_http_resp *resp,
               wi_err *err)
{
  const char *ct = wi_http_resp_header(resp, "Content-Type");
  if (ct && strcasestr(ct, "html")) {
    wi_autofree char *shown = url_for_message(a, url);
    return wi_err_set(
        err, WI_EAUTH,
        "GET %s: Oracle Support answered with an HTML page instead of XML (usually its sign-in page: check --user and the password)",
        shown);
  }
  return 0;
}

typedef int (*parse_fn)(const char *xml, size_t len, void *out, wi_err *err);

/* Give up on a call: say where, and how often it was tried. */
static int
gave_up(const struct wi_aru *a, int attempts, bool retried, wi_err *err)
{
  char tries[48] = "";
  if (attempts > 1)
    snprintf(tries, sizeof tries, " (tried %d times)", attempts);
  if (err->code == WI_ENET)
    wi_err_wrap(err, "Oracle Support at %s could not be reached%s", a->host, tries);
  else if (retried)
    wi_err_wrap(err, "Oracle Support at %s kept failing%s", a->host, tries);
  return err->code;
}

/* The retry loop of WIT's AruUtil.retry around one call: the request and the reading of its
 * answer. */
static int
call_xml(struct wi_aru *a, const char *path_query, parse_fn parse, void *out, wi_err *err)
{
  wi_autofree char *url = wi_xasprintf("%s%s", a->base, path_query);
  struct call c = { .method = "GET", .url = url, .max_body = WI_ARU_MAX_XML + 1 };
  int ret = 0;
  int attempt = 1;
  bool again = false;
  for (;; attempt++) {
    struct wi_http_resp resp = { 0 };
    again = false;
    ret = exchange(a, &c, &resp, &again, err);
    if (ret == 0 && resp.status != 200)
      ret = status_error(a, "GET", url, &resp, &again, err);
    if (ret == 0)
      ret = check_xml_body(a, url, &resp, err);
    if (ret == 0) {
      ret = parse(resp.body.data, resp.body.len, out, err);
      again = ret == WI_EPROTO && err->sys_errno == EBADMSG;
      if (ret < 0)
        wi_err_wrap(err, "GET %s", url);
    }
    wi_http_resp_dispose(&resp);
    if (ret == 0 || !again || attempt >= a->retry_max)
      break;
    aru_log(a, WI_LOG_INFO, "Failed to get response from patches server, %s, retrying [%d/%d]",
            err->msg, attempt, a->retry_max);
    if (!pause_between(a))
      return wi_err_set(err, WI_ECANCELED, "GET %s: cancelled", url);
  }
  return ret < 0 ? gave_up(a, attempt, again, err) : 0;
}

/* ---- the calls ---- */

static int
parse_releases_cb(const char *xml, size_t len, void *out, wi_err *err)
{
  struct wi_aru *a = out;
  return wi_aru_parse_releases(xml, len, &a->releases, &a->n_releases, err);
}

static int
ensure_releases(struct wi_aru *a, wi_err *err)
{
  if (a->have_releases)
    return 0;
  int ret = call_xml(a, "/metadata?table=aru_releases", parse_releases_cb, a, err);
  if (ret < 0)
    return ret;
  a->have_releases = true;
  return 0;
}

static int
parse_error_cb(const char *xml, size_t len, void *out, wi_err *err)
{
  WI_UNUSED(out);
  return wi_aru_parse_error(xml, len, err);
}

#define IMG_0022                                                                                \
  "Invalid Oracle support credentials, verify the values provided for user and password match " \
  "your OTN credential"

int
wi_aru_check_credentials(struct wi_aru *a, wi_err *err)
{
  if (a->auth == NULL)
    return wi_err_set(err, WI_EAUTH, IMG_0022 " (the user or the password is empty)");
  int ret = call_xml(a, "/metadata?table=aru_languages", parse_error_cb, NULL, err);
  if (ret == WI_EAUTH || ret == WI_EPROTO || ret == WI_ENOTFOUND) {
    wi_autofree char *why = wi_xstrdup(err->msg);
    return wi_err_set(err, WI_EAUTH, IMG_0022 " (%s)", why);
  }
  return ret;
}

int
wi_aru_release_id(struct wi_aru *a, const char *product, const char *version, char **id_out,
                  wi_err *err)
{
  int ret = ensure_releases(a, err);
  if (ret < 0)
    return ret;
  const char *id = wi_aru_release_find(a->releases, a->n_releases, product, version);
  *id_out = id ? wi_xstrdup(id) : NULL;
  return 0;
}

struct patch_list {
  struct wi_aru_patch *v;
  size_t n;
};

static int
parse_patches_cb(const char *xml, size_t len, void *out, wi_err *err)
{
  struct patch_list *l = out;
  wi_aru_patches_free(l->v, l->n); /* an earlier attempt's */
  l->v = NULL;
  l->n = 0;
  return wi_aru_parse_patches(xml, len, &l->v, &l->n, err);
}

static int
search(struct wi_aru *a, const char *query, struct wi_aru_patch **out, size_t *n, wi_err *err)
{
  struct patch_list l = { 0 };
  int ret = call_xml(a, query, parse_patches_cb, &l, err);
  if (ret < 0) {
    wi_aru_patches_free(l.v, l.n);
    return ret;
  }
  *out = l.v;
  *n = l.n;
  return 0;
}

int
wi_aru_search_bug(struct wi_aru *a, const char *bug, struct wi_aru_patch **out, size_t *n,
                  wi_err *err)
{
  wi_autofree char *b = wi_http_escape(bug);
  wi_autofree char *q = wi_xasprintf("/search?bug=%s", b);
  return search(a, q, out, n, err);
}

int
wi_aru_recommended(struct wi_aru *a, const char *product_id, const char *release_id,
                   struct wi_aru_patch **out, size_t *n, wi_err *err)
{
  wi_autofree char *p = wi_http_escape(product_id);
  wi_autofree char *r = wi_http_escape(release_id);
  wi_autofree char *q =
      wi_xasprintf("/search?patch_type=all&life_cycle=Recommended&product=%s&release=%s", p, r);
  return search(a, q, out, n, err);
}

/* One conflict-check attempt: the releases GET opens the cookie session ARU requires (a POST
 * without it is redirected to sign-in), then the POST. */
static int
conflict_once(struct wi_aru *a, const char *payload, struct wi_http_resp *resp, bool *again,
              wi_err *err)
{
  wi_autofree char *rel = wi_xasprintf("%s/metadata?table=aru_releases", a->base);
  wi_autofree char *post = wi_xasprintf("%s/conflict_checks", a->base);
  struct call get = { .method = "GET", .url = rel, .max_body = WI_ARU_MAX_XML + 1 };
  int ret = exchange(a, &get, resp, again, err);
  if (ret == 0 && resp->status != 200)
    ret = status_error(a, "GET", rel, resp, again, err);
  wi_http_resp_dispose(resp);
  if (ret < 0)
    return ret;
  const char *form[] = { "request_xml", payload, NULL };
  struct call c = { .method = "POST", .url = post, .form = form, .max_body = WI_ARU_MAX_XML + 1 };
  ret = exchange(a, &c, resp, again, err);
  if (ret == 0 && resp->status != 200)
    ret = status_error(a, "POST", post, resp, again, err);
  if (ret == 0)
    ret = check_xml_body(a, post, resp, err);
  return ret;
}

int
wi_aru_conflict_check(struct wi_aru *a, const char *const *upis, size_t n_upis,
                      const struct wi_aru_patch *cands, size_t n_cands,
                      struct wi_aru_conflict_set **sets, size_t *n_sets, wi_err *err)
{
  wi_autofree char *payload = wi_aru_conflict_request(upis, n_upis, cands, n_cands);
  aru_log(a, WI_LOG_DEBUG, "Posting to ARU conflict check: %s", payload);
  int ret = 0;
  int attempt = 1;
  bool again = false;
  for (;; attempt++) {
    struct wi_http_resp resp = { 0 };
    again = false;
    ret = conflict_once(a, payload, &resp, &again, err);
    if (ret == 0) {
      ret = wi_aru_parse_conflicts(resp.body.data, resp.body.len, sets, n_sets, err);
      again = ret == WI_EPROTO && err->sys_errno == EBADMSG;
      if (ret < 0)
        wi_err_wrap(err, "POST %s%s", a->base, "/conflict_checks");
    }
    wi_http_resp_dispose(&resp);
    if (ret == 0 || !again || attempt >= a->retry_max)
      break;
    aru_log(a, WI_LOG_WARN, "Network connection failed, retrying, attempts=%d: %s", attempt,
            err->msg);
    if (!pause_between(a))
      return wi_err_set(err, WI_ECANCELED, "conflict check: cancelled");
  }
  return ret < 0 ? gave_up(a, attempt, again, err) : 0;
}

/* ---- downloads ---- */

struct download {
  int fd;
  struct wi_hasher hasher;
  wi_err err;
};

static int
download_write(const void *data, size_t len, void *payload)
{
  struct download *d = payload;
  if (wi_fs_write_all(d->fd, data, len, &d->err) < 0)
    return d->err.code;
  wi_digest_hasher_update(&d->hasher, data, len);
  return 0;
}

/* One download attempt into d->fd (from its start). */
static int
download_once(struct wi_aru *a, const struct wi_aru_patch *p, struct download *d, char *digest,
              bool *again, wi_err *err)
{
  struct wi_http_resp resp = { 0 };
  if (ftruncate(d->fd, 0) < 0 || lseek(d->fd, 0, SEEK_SET) < 0)
    return wi_err_sys(err, WI_EIO, "download of %s: temporary file", p->file_name);
  if (wi_digest_hasher_init(&d->hasher, "sha256", err) < 0)
    return err->code;
  struct call c = {
    .method = "GET", .url = p->download_url, .write_fn = download_write, .write_payload = d
  };
  int ret = exchange(a, &c, &resp, again, err);
  if (ret < 0 && d->err.code < 0) {
    *err = d->err; /* the disk, not the network */
    *again = false;
  }
  if (ret == 0 && resp.status != 200)
    ret = status_error(a, "GET", p->download_url, &resp, again, err);
  wi_http_resp_dispose(&resp);
  wi_digest_hasher_final(&d->hasher, digest);
  wi_digest_hasher_dispose(&d->hasher);
  if (ret == 0 && p->sha256 && strcmp(wi_digest_hex(digest), p->sha256) != 0) {
    *again = true; /* a transfer gone wrong may well go right the next time */
    wi_autofree char *shown = url_for_message(a, p->download_url);
    ret = wi_err_set(err, WI_EDIGEST,
                     "GET %s: the content has sha256 %s, Oracle Support published %s", shown,
                     wi_digest_hex(digest), p->sha256);
  }
  return ret;
}

int
wi_aru_download(struct wi_aru *a, const struct wi_aru_patch *p, const char *dir, char **path_out,
                char digest_out[WI_DIGEST_MAX], wi_err *err)
{
  wi_autofree char *name = patch_file_name(p->download_url);
  if (name == NULL || p->file_name == NULL || strcmp(name, p->file_name) != 0)
    return wi_err_set(err, WI_EPROTO, "patch %s: Oracle Support named no usable file to download",
                      p->bug ? p->bug : "?");
  wi_autofree char *final = wi_xasprintf("%s/%s", dir, name);
  wi_autofree char *tmp = wi_xasprintf("%s/.%s.XXXXXX", dir, name);
  struct download d = { .fd = mkostemp(tmp, O_CLOEXEC) };
  if (d.fd < 0)
    return wi_err_sys(err, WI_EIO, "cannot create a file in the cache directory %s", dir);
  fchmod(d.fd, 0644);
  char digest[WI_DIGEST_MAX];
  int ret = 0;
  int attempt = 1;
  bool again = false;
  for (;; attempt++) {
    again = false;
    memset(&d.err, 0, sizeof d.err);
    ret = download_once(a, p, &d, digest, &again, err);
    if (ret == 0)
      break;
    wi_autofree char *shown = url_for_message(a, p->download_url);
    aru_log(a, WI_LOG_WARN, "Failed to download and save file %s from %s: %s", final, shown,
            err->msg);
    if (!again || attempt >= a->retry_max)
      break;
    if (!pause_between(a)) {
      ret = wi_err_set(err, WI_ECANCELED, "download of %s: cancelled", name);
      break;
    }
  }
  if (ret == 0 && fsync(d.fd) < 0)
    ret = wi_err_sys(err, WI_EIO, "%s", tmp);
  close(d.fd);
  if (ret == 0 && rename(tmp, final) < 0)
    ret = wi_err_sys(err, WI_EIO, "cannot rename %s to %s", tmp, final);
  if (ret < 0) {
    unlink(tmp);
    return err->code == WI_ECANCELED ? ret : gave_up(a, attempt, again, err);
  }
  wi_err ignore = { 0 };
  wi_fs_fsync_dir(final, &ignore);
  memcpy(digest_out, digest, WI_DIGEST_MAX);
  *path_out = wi_steal(&final);
  return 0;
}
