/* wlsimg: image configuration kept as the whole JSON document.
 *
 * Unlike manifests, a config is edited and written back, and a base image's unknown fields must
 * survive, so the json_t tree is kept (inside this file only). jansson keeps object keys in
 * insertion order, so a parsed document is re-emitted in its own order and new keys go last.
 */
#include "lib/imgconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/json.h"
#include "lib/manifest.h"

struct wi_imgconfig {
  json_t *root;
  bool cmd_set; /* CMD given through apply_change: a later ENTRYPOINT keeps it (docker) */
};

static int
check_type(const json_t *root, const char *key, json_type want, bool required, wi_err *err)
{
  static const char *const names[] = {
    [JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array", [JSON_STRING] = "a string"
  };
  json_t *v = json_object_get(root, key);

  if (v == NULL) {
    if (required)
      return wi_err_set(err, WI_EINVAL, "invalid image config: %s: missing", key);
    return 0;
  }
  if (json_typeof(v) != want)
    return wi_err_set(err, WI_EINVAL, "invalid image config: %s: expected %s, got %s", key,
                      names[want], wi_json_type_name(v));
  return 0;
}

static int
check_rootfs(const json_t *root, wi_err *err)
{
  json_t *rootfs = json_object_get(root, "rootfs");
  size_t i;
  json_t *v;

  if (rootfs == NULL)
    return 0;
  if (!json_is_object(rootfs))
    return wi_err_set(err, WI_EINVAL, "invalid image config: rootfs: expected an object, got %s",
                      wi_json_type_name(rootfs));
  json_t *ids = json_object_get(rootfs, "diff_ids");
  if (ids == NULL)
    return 0;
  if (!json_is_array(ids))
    return wi_err_set(err, WI_EINVAL,
                      "invalid image config: rootfs.diff_ids: expected an array, got %s",
                      wi_json_type_name(ids));
  json_array_foreach (ids, i, v) {
    wi_err derr = { 0 };
    if (!json_is_string(v))
      return wi_err_set(err, WI_EINVAL,
                        "invalid image config: rootfs.diff_ids[%zu]: expected a string, got %s", i,
                        wi_json_type_name(v));
    if (wi_digest_validate(json_string_value(v), &derr) < 0)
      return wi_err_set(err, WI_EINVAL, "invalid image config: rootfs.diff_ids[%zu]: %s", i,
                        derr.msg);
  }
  return 0;
}

int
wi_imgconfig_parse(struct wi_imgconfig **out, const void *bytes, size_t len, wi_err *err)
{
  json_error_t jerr;
  json_auto_t *root = NULL;
  int ret;

  if (len > WI_MAX_CONFIG_BYTES)
    return wi_err_set(err, WI_ETOOBIG, "image config too large (%zu bytes > %d)", len,
                      WI_MAX_CONFIG_BYTES);
  root = json_loadb(bytes, len, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL)
    return wi_err_set(err, WI_EINVAL, "invalid image config: line %d column %d: %s", jerr.line,
                      jerr.column, jerr.text);
  if (!json_is_object(root))
    return wi_err_set(err, WI_EINVAL, "invalid image config: expected a JSON object, got %s",
                      wi_json_type_name(root));
  ret = check_type(root, "architecture", JSON_STRING, true, err);
  if (ret == 0)
    ret = check_type(root, "os", JSON_STRING, true, err);
  if (ret == 0)
    ret = check_type(root, "variant", JSON_STRING, false, err);
  if (ret == 0)
    ret = check_type(root, "history", JSON_ARRAY, false, err);
  if (ret == 0 && !json_is_null(json_object_get(root, "config")))
    ret = check_type(root, "config", JSON_OBJECT, false, err);
  if (ret == 0)
    ret = check_rootfs(root, err);
  if (ret < 0)
    return ret;
  struct wi_imgconfig *c = wi_xcalloc(1, sizeof *c);
  c->root = wi_steal(&root);
  *out = c;
  return 0;
}

static json_t *
time_json(int64_t t)
{
  char s[64];
  struct tm tm;
  time_t tt = (time_t)t;

  if (gmtime_r(&tt, &tm) == NULL || strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(s, sizeof s, "1970-01-01T00:00:00Z");
  return wi_json_str(s);
}

struct wi_imgconfig *
wi_imgconfig_new(const struct wi_platform *p, int64_t created)
{
  struct wi_imgconfig *c = wi_xcalloc(1, sizeof *c);
  json_t *root = json_object();
  json_t *rootfs = json_object();

  json_object_set_new(root, "architecture", wi_json_str(p->arch));
  json_object_set_new(root, "os", wi_json_str(p->os));
  if (p->variant[0])
    json_object_set_new(root, "variant", wi_json_str(p->variant));
  json_object_set_new(root, "created", time_json(created));
  json_object_set_new(root, "config", json_object());
  json_object_set_new(rootfs, "type", json_string("layers"));
  json_object_set_new(rootfs, "diff_ids", json_array());
  json_object_set_new(root, "rootfs", rootfs);
  json_object_set_new(root, "history", json_array());
  c->root = root;
  return c;
}

void
wi_imgconfig_free(struct wi_imgconfig *c)
{
  if (c == NULL)
    return;
  json_decref(c->root);
  free(c);
}

static void
copy_field(const json_t *root, const char *key, char *dst, size_t dstlen)
{
  const char *s = json_string_value(json_object_get(root, key));
  snprintf(dst, dstlen, "%s", s ? s : "");
}

void
wi_imgconfig_platform(const struct wi_imgconfig *c, struct wi_platform *out)
{
  memset(out, 0, sizeof *out);
  copy_field(c->root, "os", out->os, sizeof out->os);
  copy_field(c->root, "architecture", out->arch, sizeof out->arch);
  copy_field(c->root, "variant", out->variant, sizeof out->variant);
}

static json_t *
diff_ids(const struct wi_imgconfig *c)
{
  return json_object_get(json_object_get(c->root, "rootfs"), "diff_ids");
}

size_t
wi_imgconfig_n_diff_ids(const struct wi_imgconfig *c)
{
  return json_array_size(diff_ids(c));
}

const char *
wi_imgconfig_diff_id(const struct wi_imgconfig *c, size_t i)
{
  return json_string_value(json_array_get(diff_ids(c), i));
}

/* Member `key` of obj as a container of the given type, created (appended) when missing or
 * of another type (e.g. "config": null in some Docker configs). */
static json_t *
ensure(json_t *obj, const char *key, json_type type)
{
  json_t *v = json_object_get(obj, key);
  if (v && json_typeof(v) == type)
    return v;
  v = type == JSON_ARRAY ? json_array() : json_object();
  json_object_set_new(obj, key, v);
  return v;
}

void
wi_imgconfig_add_layer(struct wi_imgconfig *c, const char *diff_id, int64_t created,
                       const char *created_by, const char *comment)
{
  json_t *h = json_object();

  if (diff_id) {
    json_t *rootfs = ensure(c->root, "rootfs", JSON_OBJECT);
    if (json_object_get(rootfs, "type") == NULL)
      json_object_set_new(rootfs, "type", json_string("layers"));
    json_array_append_new(ensure(rootfs, "diff_ids", JSON_ARRAY), wi_json_str(diff_id));
  }
  json_object_set_new(h, "created", time_json(created));
  if (created_by)
    json_object_set_new(h, "created_by", wi_json_str(created_by));
  if (comment)
    json_object_set_new(h, "comment", wi_json_str(comment));
  if (diff_id == NULL)
    json_object_set_new(h, "empty_layer", json_true());
  json_array_append_new(ensure(c->root, "history", JSON_ARRAY), h);
}

void
wi_imgconfig_set_created(struct wi_imgconfig *c, int64_t created)
{
  json_object_set_new(c->root, "created", time_json(created));
}

static json_t *
cfg(struct wi_imgconfig *c)
{
  return ensure(c->root, "config", JSON_OBJECT);
}

/* Borrowed member of "config", or NULL. */
static json_t *
cfg_get(const struct wi_imgconfig *c, const char *key)
{
  return json_object_get(json_object_get(c->root, "config"), key);
}

/* Index of KEY in config.Env or -1. */
static ssize_t
env_find(json_t *env, const char *key)
{
  size_t i, klen = strlen(key);
  json_t *v;

  json_array_foreach (env, i, v) {
    const char *s = json_string_value(v);
    if (s && strncmp(s, key, klen) == 0 && s[klen] == '=')
      return (ssize_t)i;
  }
  return -1;
}

void
wi_imgconfig_set_env(struct wi_imgconfig *c, const char *key, const char *value)
{
  json_t *env = ensure(cfg(c), "Env", JSON_ARRAY);
  wi_autofree char *kv = wi_xasprintf("%s=%s", key, value);
  ssize_t i = env_find(env, key);

  if (i >= 0)
    json_array_set_new(env, (size_t)i, wi_json_str(kv));
  else
    json_array_append_new(env, wi_json_str(kv));
}

const char *
wi_imgconfig_get_env(const struct wi_imgconfig *c, const char *key)
{
  json_t *env = cfg_get(c, "Env");
  ssize_t i = env_find(env, key);

  if (i < 0)
    return NULL;
  return json_string_value(json_array_get(env, (size_t)i)) + strlen(key) + 1;
}

void
wi_imgconfig_set_user(struct wi_imgconfig *c, const char *user)
{
  json_object_set_new(cfg(c), "User", wi_json_str(user));
}

const char *
wi_imgconfig_get_user(const struct wi_imgconfig *c)
{
  return json_string_value(cfg_get(c, "User"));
}

void
wi_imgconfig_set_workdir(struct wi_imgconfig *c, const char *dir)
{
  json_object_set_new(cfg(c), "WorkingDir", wi_json_str(dir));
}

const char *
wi_imgconfig_get_workdir(const struct wi_imgconfig *c)
{
  return json_string_value(cfg_get(c, "WorkingDir"));
}

void
wi_imgconfig_set_label(struct wi_imgconfig *c, const char *key, const char *value)
{
  wi_json_set(ensure(cfg(c), "Labels", JSON_OBJECT), key, wi_json_str(value));
}

const char *
wi_imgconfig_get_label(const struct wi_imgconfig *c, const char *key)
{
  return json_string_value(json_object_get(cfg_get(c, "Labels"), key));
}

static void
set_argv(struct wi_imgconfig *c, const char *key, const char *const *argv)
{
  if (argv == NULL) {
    json_object_del(cfg(c), key);
    return;
  }
  json_t *a = json_array();
  for (size_t i = 0; argv[i]; i++)
    json_array_append_new(a, wi_json_str(argv[i]));
  json_object_set_new(cfg(c), key, a);
}

void
wi_imgconfig_set_cmd(struct wi_imgconfig *c, const char *const *argv)
{
  set_argv(c, "Cmd", argv);
}

void
wi_imgconfig_set_entrypoint(struct wi_imgconfig *c, const char *const *argv)
{
  set_argv(c, "Entrypoint", argv);
}

void
wi_imgconfig_set_exposed_port(struct wi_imgconfig *c, const char *port)
{
  wi_autofree char *p = strchr(port, '/') ? wi_xstrdup(port) : wi_xasprintf("%s/tcp", port);
  wi_json_set(ensure(cfg(c), "ExposedPorts", JSON_OBJECT), p, json_object());
}

void
wi_imgconfig_add_volume(struct wi_imgconfig *c, const char *path)
{
  wi_json_set(ensure(cfg(c), "Volumes", JSON_OBJECT), path, json_object());
}

char *
wi_imgconfig_serialize(const struct wi_imgconfig *c, size_t *len_out)
{
  char *s = json_dumps(c->root, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (s == NULL)
    abort(); /* out of memory: strings we hold are valid UTF-8 */
  if (len_out)
    *len_out = strlen(s);
  return s;
}

/* ---- docker import --change ---- */

#define MAX_WORDS 256

struct words {
  char *w[MAX_WORDS];
  size_t n;
};

static void
words_dispose(struct words *ws)
{
  for (size_t i = 0; i < ws->n; i++)
    free(ws->w[i]);
  ws->n = 0;
}

static bool
is_space(char ch)
{
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static bool
is_name_char(char ch, bool first)
{
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' ||
         (!first && ch >= '0' && ch <= '9');
}

/* Expand the variable reference at *pp ('$' there) into b, as a Dockerfile does with the
 * image's Env: $NAME, ${NAME}, ${NAME:-default}, ${NAME:+alternative}; unset is empty. A '$'
 * not followed by a name stays. On return *pp is at the last character consumed. */
static int
expand_var(const struct wi_imgconfig *c, const char **pp, struct wi_buf *b, const char *instr,
           wi_err *err)
{
  const char *p = *pp + 1;
  const char *name = p, *word = NULL;
  size_t nlen = 0, wlen = 0;
  char op = 0;

  if (*p == '{') {
    name = ++p;
    while (is_name_char(*p, p == name))
      p++;
    nlen = (size_t)(p - name);
    if (p[0] == ':' && (p[1] == '-' || p[1] == '+')) {
      op = p[1];
      word = p += 2;
      p += strcspn(p, "}");
      wlen = (size_t)(p - word);
    }
    if (nlen == 0 || *p != '}')
      return wi_err_set(err, WI_EINVAL, "%s: bad variable substitution \"%.40s\"", instr, *pp);
    *pp = p;
  } else if (is_name_char(*p, true)) {
    while (is_name_char(*p, p == name))
      p++;
    nlen = (size_t)(p - name);
    *pp = p - 1;
  } else {
    return wi_buf_add(b, "$", 1, err);
  }
  wi_autofree char *key = wi_xstrndup(name, nlen);
  const char *val = wi_imgconfig_get_env(c, key);
  bool set = val != NULL && val[0] != '\0';
  if (op == '-' && !set)
    return wi_buf_add(b, word, wlen, err);
  if (op == '+')
    return set ? wi_buf_add(b, word, wlen, err) : 0;
  return val ? wi_buf_adds(b, val, err) : 0;
}

/* Read one word at *pp like Dockerfile word processing: "..." and '...' quote, a backslash
 * escapes the next character (inside double quotes only \" \\ \$), and variables from the
 * config's Env are expanded outside single quotes. With stop_at_blank false the whole rest is
 * one word and blanks are kept. */
static int
read_word(const struct wi_imgconfig *c, const char **pp, bool stop_at_blank, const char *instr,
          char **out, wi_err *err)
{
  struct wi_buf b = WI_BUF_INIT(64 * 1024);
  const char *p = *pp;
  char quote = 0;
  int ret = 0;

  for (; *p && ret == 0 && (quote || !stop_at_blank || !is_space(*p)); p++) {
    char ch = *p;
    if (quote == 0 && (ch == '"' || ch == '\'')) {
      quote = ch;
      continue;
    }
    if (quote && ch == quote) {
      quote = 0;
      continue;
    }
    if (ch == '$' && quote != '\'') {
      ret = expand_var(c, &p, &b, instr, err);
      continue;
    }
    if (ch == '\\' && quote != '\'' && p[1] &&
        (quote == 0 || p[1] == '"' || p[1] == '\\' || p[1] == '$'))
      ch = *++p;
    ret = wi_buf_add(&b, &ch, 1, err);
  }
  if (ret == 0 && quote)
    ret = wi_err_set(err, WI_EINVAL, "%s: unterminated %c quote", instr, quote);
  if (ret < 0) {
    wi_buf_dispose(&b);
    return ret == WI_ETOOBIG ? wi_err_wrap(err, "%s", instr) : ret;
  }
  *pp = p;
  *out = wi_buf_steal(&b);
  return 0;
}

/* Split at blanks into words (see read_word). */
static int
split_words(const struct wi_imgconfig *c, const char *s, const char *instr, struct words *ws,
            wi_err *err)
{
  const char *p = s;

  for (;;) {
    while (is_space(*p))
      p++;
    if (*p == '\0')
      return 0;
    if (ws->n == MAX_WORDS)
      return wi_err_set(err, WI_EINVAL, "%s: more than %d words", instr, MAX_WORDS);
    int ret = read_word(c, &p, true, instr, &ws->w[ws->n], err);
    if (ret < 0)
      return ret;
    ws->n++;
  }
}

/* A JSON array of strings, or NULL when s is not one (then the shell form applies). */
static json_t *
json_string_array(const char *s)
{
  json_t *a = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
  size_t i;
  json_t *v;

  if (!json_is_array(a)) {
    json_decref(a);
    return NULL;
  }
  json_array_foreach (a, i, v) {
    if (!json_is_string(v)) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

static int
change_exec(struct wi_imgconfig *c, const char *key, const char *instr, const char *rest,
            wi_err *err)
{
  if (*rest == '\0')
    return wi_err_set(err, WI_EINVAL, "%s requires at least one argument", instr);
  json_t *a = rest[0] == '[' ? json_string_array(rest) : NULL;
  if (a == NULL) {
    a = json_array();
    json_array_append_new(a, json_string("/bin/sh"));
    json_array_append_new(a, json_string("-c"));
    json_array_append_new(a, wi_json_str(rest));
  }
  json_object_set_new(cfg(c), key, a);
  if (strcmp(key, "Cmd") == 0)
    c->cmd_set = true;
  else if (!c->cmd_set)
    json_object_del(cfg(c), "Cmd"); /* ENTRYPOINT resets an inherited CMD, as in a Dockerfile */
  return 0;
}

/* ENV and LABEL: "k=v k2='v 2'" or the legacy "k value with spaces". */
static int
change_pairs(struct wi_imgconfig *c, bool env, const char *instr, const char *rest, wi_err *err)
{
  struct words ws = { 0 };
  int ret;
  size_t klen = strcspn(rest, " \t=");

  if (*rest == '\0')
    return wi_err_set(err, WI_EINVAL, "%s requires at least one argument", instr);
  if (rest[klen] != '=') {
    /* legacy form: the first word is the key, the rest of the line is the value */
    wi_autofree char *key = wi_xstrndup(rest, klen);
    const char *v = rest + klen;
    while (is_space(*v))
      v++;
    if (*v == '\0')
      return wi_err_set(err, WI_EINVAL, "%s %s: missing value (use %s name=value)", instr, key,
                        instr);
    wi_autofree char *value = NULL;
    ret = read_word(c, &v, false, instr, &value, err);
    if (ret == 0 && env)
      wi_imgconfig_set_env(c, key, value);
    else if (ret == 0)
      wi_imgconfig_set_label(c, key, value);
    return ret;
  }
  ret = split_words(c, rest, instr, &ws, err);
  for (size_t i = 0; i < ws.n && ret == 0; i++) {
    char *eq = strchr(ws.w[i], '=');
    if (eq == NULL)
      ret = wi_err_set(err, WI_EINVAL, "%s: can't find = in \"%.100s\"; use the form name=value",
                       instr, ws.w[i]);
    else if (eq == ws.w[i])
      ret = wi_err_set(err, WI_EINVAL, "%s: names can not be blank", instr);
  }
  for (size_t i = 0; i < ws.n && ret == 0; i++) {
    char *eq = strchr(ws.w[i], '=');
    *eq = '\0';
    if (env)
      wi_imgconfig_set_env(c, ws.w[i], eq + 1);
    else
      wi_imgconfig_set_label(c, ws.w[i], eq + 1);
  }
  words_dispose(&ws);
  return ret;
}

/* "80", "80/tcp", "53/udp", "8000-8002/tcp" */
static int
change_expose_one(struct wi_imgconfig *c, const char *spec, wi_err *err)
{
  const char *slash = strchr(spec, '/');
  const char *proto = slash ? slash + 1 : "tcp";
  char *end;
  size_t nlen = slash ? (size_t)(slash - spec) : strlen(spec);
  wi_autofree char *num = wi_xstrndup(spec, nlen);

  if (strcasecmp(proto, "tcp") != 0 && strcasecmp(proto, "udp") != 0 &&
      strcasecmp(proto, "sctp") != 0)
    return wi_err_set(err, WI_EINVAL, "EXPOSE: invalid protocol \"%s\" in \"%s\" (tcp, udp, sctp)",
                      proto, spec);
  if (num[0] < '0' || num[0] > '9')
    return wi_err_set(err, WI_EINVAL, "EXPOSE: invalid port \"%s\"", spec);
  unsigned long lo = strtoul(num, &end, 10), hi = lo;
  if (*end == '-') {
    if (end[1] < '0' || end[1] > '9')
      return wi_err_set(err, WI_EINVAL, "EXPOSE: invalid port range \"%s\"", spec);
    hi = strtoul(end + 1, &end, 10);
  }
  if (*end != '\0' || lo == 0 || hi > 65535 || hi < lo)
    return wi_err_set(err, WI_EINVAL, "EXPOSE: invalid port \"%s\" (1-65535)", spec);
  for (unsigned long port = lo; port <= hi; port++) {
    char p[32];
    snprintf(p, sizeof p, "%lu/%s", port, proto);
    for (char *q = p; *q; q++)
      *q = (char)((*q >= 'A' && *q <= 'Z') ? *q - 'A' + 'a' : *q);
    wi_imgconfig_set_exposed_port(c, p);
  }
  return 0;
}

static int
change_list(struct wi_imgconfig *c, bool expose, const char *instr, const char *rest, wi_err *err)
{
  struct words ws = { 0 };
  int ret = 0;
  json_t *a = (!expose && rest[0] == '[') ? json_string_array(rest) : NULL;

  if (a) {
    size_t i;
    json_t *v;
    json_array_foreach (a, i, v) {
      if (json_string_length(v) == 0) {
        ret = wi_err_set(err, WI_EINVAL, "VOLUME specified can not be an empty string");
        break;
      }
      wi_imgconfig_add_volume(c, json_string_value(v));
    }
    json_decref(a);
    return ret;
  }
  ret = split_words(c, rest, instr, &ws, err);
  if (ret == 0 && ws.n == 0)
    ret = wi_err_set(err, WI_EINVAL, "%s requires at least one argument", instr);
  for (size_t i = 0; i < ws.n && ret == 0; i++) {
    if (expose)
      ret = change_expose_one(c, ws.w[i], err);
    else
      wi_imgconfig_add_volume(c, ws.w[i]);
  }
  words_dispose(&ws);
  return ret;
}

static int
change_single(struct wi_imgconfig *c, const char *instr, const char *rest, wi_err *err)
{
  struct words ws = { 0 };
  int ret = split_words(c, rest, instr, &ws, err);

  if (ret == 0 && ws.n != 1) {
    words_dispose(&ws);
    return wi_err_set(err, WI_EINVAL, "%s requires exactly one argument", instr);
  }
  if (ret < 0) {
    /* nothing to apply */
  } else if (strcmp(instr, "USER") == 0) {
    wi_imgconfig_set_user(c, ws.w[0]);
  } else if (strcmp(instr, "STOPSIGNAL") == 0) {
    json_object_set_new(cfg(c), "StopSignal", wi_json_str(ws.w[0]));
  } else {
    /* WORKDIR: relative paths are relative to the previous one */
    const char *cur = wi_imgconfig_get_workdir(c);
    if (ws.w[0][0] == '/' || cur == NULL || cur[0] == '\0') {
      wi_autofree char *d = ws.w[0][0] == '/' ? wi_xstrdup(ws.w[0]) : wi_xasprintf("/%s", ws.w[0]);
      wi_imgconfig_set_workdir(c, d);
    } else {
      size_t n = strlen(cur);
      wi_autofree char *d = wi_xasprintf("%s%s%s", cur, cur[n - 1] == '/' ? "" : "/", ws.w[0]);
      wi_imgconfig_set_workdir(c, d);
    }
  }
  words_dispose(&ws);
  return ret;
}

/* ONBUILD <instruction>: stored as written for a later build; docker refuses these three. */
static int
change_onbuild(struct wi_imgconfig *c, const char *rest, wi_err *err)
{
  size_t n = strcspn(rest, " \t");

  if (*rest == '\0')
    return wi_err_set(err, WI_EINVAL, "ONBUILD requires at least one argument");
  if ((n == 7 && strncasecmp(rest, "ONBUILD", 7) == 0) ||
      (n == 4 && strncasecmp(rest, "FROM", 4) == 0) ||
      (n == 10 && strncasecmp(rest, "MAINTAINER", 10) == 0))
    return wi_err_set(err, WI_EINVAL, "ONBUILD: %.*s isn't allowed as an ONBUILD trigger", (int)n,
                      rest);
  json_array_append_new(ensure(cfg(c), "OnBuild", JSON_ARRAY), wi_json_str(rest));
  return 0;
}

int
wi_imgconfig_apply_change(struct wi_imgconfig *c, const char *change, wi_err *err)
{
  const char *p = change;
  char instr[16];
  size_t n = 0;

  while (is_space(*p))
    p++;
  while (*p && !is_space(*p) && n < sizeof instr - 1) {
    char ch = *p++;
    instr[n++] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
  }
  instr[n] = '\0';
  if (*p && !is_space(*p))
    return wi_err_set(err, WI_EINVAL, "unknown --change instruction \"%.40s\"", change);
  if (n == 0)
    return wi_err_set(err, WI_EINVAL, "empty --change instruction");
  while (is_space(*p))
    p++;
  /* trailing blanks are not part of the argument */
  wi_autofree char *rest = wi_xstrdup(p);
  for (size_t len = strlen(rest); len > 0 && is_space(rest[len - 1]); len--)
    rest[len - 1] = '\0';

  if (strcmp(instr, "CMD") == 0)
    return change_exec(c, "Cmd", instr, rest, err);
  if (strcmp(instr, "ENTRYPOINT") == 0)
    return change_exec(c, "Entrypoint", instr, rest, err);
  if (strcmp(instr, "ENV") == 0 || strcmp(instr, "LABEL") == 0)
    return change_pairs(c, instr[0] == 'E', instr, rest, err);
  if (strcmp(instr, "EXPOSE") == 0 || strcmp(instr, "VOLUME") == 0)
    return change_list(c, instr[0] == 'E', instr, rest, err);
  if (strcmp(instr, "ONBUILD") == 0)
    return change_onbuild(c, rest, err);
  if (strcmp(instr, "USER") == 0 || strcmp(instr, "WORKDIR") == 0 ||
      strcmp(instr, "STOPSIGNAL") == 0) {
    if (*rest == '\0')
      return wi_err_set(err, WI_EINVAL, "%s requires exactly one argument", instr);
    return change_single(c, instr, rest, err);
  }
  return wi_err_set(
      err, WI_EINVAL,
      "unsupported --change instruction %s (supported: CMD ENTRYPOINT ENV EXPOSE LABEL ONBUILD STOPSIGNAL USER VOLUME WORKDIR)",
      instr);
}

int
wi_imgconfig_apply_changes(struct wi_imgconfig *c, const char *const *changes, size_t n,
                           int64_t created, const char *comment, wi_err *err)
{
  for (size_t i = 0; i < n; i++) {
    const char *l = changes[i];
    while (is_space(*l))
      l++;
    if (strncasecmp(l, "ARG", 3) == 0 && (l[3] == '\0' || is_space(l[3])))
      continue;
    if (wi_imgconfig_apply_change(c, l, err) < 0)
      return wi_err_wrap(err, "%s", l);
    wi_imgconfig_add_layer(c, NULL, created, l, comment);
  }
  return 0;
}
