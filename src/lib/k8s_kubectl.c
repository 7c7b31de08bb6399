/* wlsimg: live objects read back from kubectl, and running kubectl (see k8s.h). */
#include "lib/k8s.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/str.h"

extern char **environ;

#define MAX_KUBECTL_BYTES (64u * 1024 * 1024)

/* ---------------------------------------------------------------- live objects */

static json_t *
load_json(const char *json, size_t len, const char *what, wi_err *err)
{
  json_error_t je;
  json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);

  if (root == NULL) {
    wi_err_set(err, WI_EPROTO, "%s: line %d column %d: %s", what, je.line, je.column, je.text);
    return NULL;
  }
  if (!json_is_object(root)) {
    json_decref(root);
    wi_err_set(err, WI_EPROTO, "%s: expected a JSON object", what);
    return NULL;
  }
  return root;
}

/* A string field, or a number written as a string; NULL when absent. */
static char *
opt_string(json_t *obj, const char *key)
{
  json_t *v = json_object_get(obj, key);
  if (json_is_string(v))
    return wi_xstrdup(json_string_value(v));
  if (json_is_integer(v))
    return wi_xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
  return NULL;
}

int
wi_k8s_kubectl_domain_state_parse(struct wi_k8s_domain_state *out, const char *json, size_t len,
                                  wi_err *err)
{
  json_t *root = load_json(json, len, "Domain", err);
  int ret = 0;

  memset(out, 0, sizeof *out);
  if (root == NULL)
    return err->code;
  json_t *spec = json_object_get(root, "spec");
  if (!json_is_object(spec)) {
    ret = wi_err_set(err, WI_EPROTO, "Domain: spec: expected an object");
    goto out;
  }
  out->image = opt_string(spec, "image");
  out->restart_version = opt_string(spec, "restartVersion");
  out->introspect_version = opt_string(spec, "introspectVersion");
  json_t *aux = json_object_get(json_object_get(json_object_get(spec, "configuration"), "model"),
                                "auxiliaryImages");
  if (aux && !json_is_array(aux)) {
    ret = wi_err_set(err, WI_EPROTO,
                     "Domain: spec.configuration.model.auxiliaryImages: expected an array");
    goto out;
  }
  size_t n = json_array_size(aux);
  out->aux_images = wi_xcalloc(n + 1, sizeof *out->aux_images);
  out->aux_pull_policies = wi_xcalloc(n + 1, sizeof *out->aux_pull_policies);
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(aux, i);
    char *img = json_is_object(e) ? opt_string(e, "image") : NULL;
    if (img == NULL) {
      ret = wi_err_set(err, WI_EPROTO,
                       "Domain: spec.configuration.model.auxiliaryImages[%zu].image: expected a "
                       "string",
                       i);
      goto out;
    }
    out->aux_images[i] = img;
    out->aux_pull_policies[i] = opt_string(e, "imagePullPolicy");
    out->n_aux = i + 1;
  }
out:
  json_decref(root);
  if (ret < 0)
    wi_k8s_kubectl_domain_state_dispose(out);
  return ret;
}

void
wi_k8s_kubectl_domain_state_dispose(struct wi_k8s_domain_state *s)
{
  free(s->image);
  free(s->restart_version);
  free(s->introspect_version);
  for (size_t i = 0; i < s->n_aux; i++) {
    free(s->aux_images[i]);
    free(s->aux_pull_policies[i]);
  }
  free(s->aux_images);
  free(s->aux_pull_policies);
  memset(s, 0, sizeof *s);
}

void
wi_k8s_kubectl_domain_status_dispose(struct wi_k8s_domain_status *s)
{
  free(s->message);
  free(s->reason);
  memset(s, 0, sizeof *s);
}

static long long
opt_int(json_t *obj, const char *key)
{
  json_t *v = json_object_get(obj, key);
  return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

int
wi_k8s_kubectl_domain_status_parse(struct wi_k8s_domain_status *out, const char *json, size_t len,
                                   wi_err *err)
{
  json_t *root = load_json(json, len, "Domain", err);
  size_t i;
  json_t *c;

  memset(out, 0, sizeof *out);
  out->completed = out->rolling = out->failed = out->available = -1;
  if (root == NULL)
    return err->code;
  json_t *status = json_object_get(root, "status");
  out->generation = opt_int(json_object_get(root, "metadata"), "generation");
  out->observed_generation = opt_int(status, "observedGeneration");
  json_array_foreach (json_object_get(status, "conditions"), i, c) {
    const char *type = json_string_value(json_object_get(c, "type"));
    const char *st = json_string_value(json_object_get(c, "status"));
    int v = st == NULL ? -1 : strcmp(st, "True") == 0 ? 1 : 0;
    if (type == NULL)
      continue;
    if (strcmp(type, "Completed") == 0) {
      out->completed = v;
    } else if (strcmp(type, "Rolling") == 0) {
      out->rolling = v;
      if (v == 1 && out->failed != 1 && out->message == NULL) /* what is rolling now */
        out->message = opt_string(c, "message");
    } else if (strcmp(type, "Available") == 0)
      out->available = v;
    else if (strcmp(type, "Failed") == 0 && v == 1) {
      out->failed = 1;
      free(out->message);
      free(out->reason);
      out->message = opt_string(c, "message");
      out->reason = opt_string(c, "reason");
    } else if (strcmp(type, "Failed") == 0 && out->failed != 1) {
      out->failed = v;
    }
  }
  if (out->message == NULL)
    out->message = opt_string(status, "message");
  if (out->reason == NULL)
    out->reason = opt_string(status, "reason");
  json_decref(root);
  return 0;
}

int
wi_k8s_kubectl_sa_parse(const char *json, size_t len, const char *secret, bool *has_list_out,
                        bool *listed_out, wi_err *err)
{
  json_t *root = load_json(json, len, "ServiceAccount", err);
  size_t i;
  json_t *e;

  if (root == NULL)
    return err->code;
  json_t *list = json_object_get(root, "imagePullSecrets");
  *has_list_out = json_is_array(list);
  *listed_out = false;
  json_array_foreach (list, i, e) {
    const char *name = json_string_value(json_object_get(e, "name"));
    if (name && strcmp(name, secret) == 0)
      *listed_out = true;
  }
  json_decref(root);
  return 0;
}

/* ---------------------------------------------------------------- kubectl */

static void
close_fd(int *fd)
{
  if (*fd >= 0)
    close(*fd);
  *fd = -1;
}

/* Feed `in` to fd_in and collect fd_out until both are done. */
static int
pump(int fd_in, const char *in, size_t in_len, int fd_out, struct wi_buf *out, wi_err *err)
{
  size_t off = 0;
  int ret = 0;
  struct pollfd p[2];

  /* Non-blocking, so a write never waits for more room than poll promised while kubectl
   * waits for us to read its output. */
  if (fd_in >= 0)
    fcntl(fd_in, F_SETFL, fcntl(fd_in, F_GETFL) | O_NONBLOCK);
  if (in_len == 0)
    close_fd(&fd_in);
  while (fd_in >= 0 || fd_out >= 0) {
    p[0] = (struct pollfd){ .fd = fd_in, .events = POLLOUT };
    p[1] = (struct pollfd){ .fd = fd_out, .events = POLLIN };
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      ret = wi_err_sys(err, WI_EIO, "kubectl: poll");
      break;
    }
    if (fd_in >= 0 && p[0].revents) {
      ssize_t w = write(fd_in, in + off, in_len - off);
      if (w < 0 && errno != EINTR && errno != EAGAIN)
        close_fd(&fd_in); /* EPIPE: kubectl stopped reading; its exit status tells why */
      else if (w > 0 && (off += (size_t)w) == in_len)
        close_fd(&fd_in);
    }
    if (fd_out >= 0 && p[1].revents) {
      char chunk[16384];
      ssize_t r = read(fd_out, chunk, sizeof chunk);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        close_fd(&fd_out);
      else if (ret == 0 && wi_buf_add(out, chunk, (size_t)r, err) < 0)
        ret = wi_err_wrap(err, "kubectl output");
    }
  }
  close_fd(&fd_in);
  close_fd(&fd_out);
  return ret;
}

static void
free_argv(char **argv)
{
  for (size_t i = 0; argv[i]; i++)
    free(argv[i]);
  free(argv);
}

static char *
args_text(const char *const *args)
{
  struct wi_buf b = WI_BUF_INIT(SIZE_MAX);
  wi_buf_adds(&b, "kubectl", NULL);
  for (size_t i = 0; args[i] && i < 3; i++)
    wi_buf_addf(&b, NULL, " %s", args[i]);
  return wi_buf_steal(&b);
}

static int
run_kubectl(const char *const *args, const void *in, size_t in_len, bool merge_stderr,
            char **out_out, size_t *out_len, int *exit_out, wi_err *err)
{
  const char *prog = getenv("WLSIMG_KUBECTL");
  int pin[2] = { -1, -1 }, pout[2] = { -1, -1 };
  size_t n = 0;
  int ret = 0, status = 0;
  pid_t pid = -1;
  struct wi_buf out = WI_BUF_INIT(MAX_KUBECTL_BYTES);
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t block, old, none;
  wi_autofree char *what = args_text(args);

  if (prog == NULL || *prog == '\0')
    prog = "kubectl";
  while (args[n])
    n++;
  char **argv = wi_xcalloc(n + 2, sizeof *argv);
  argv[0] = wi_xstrdup(prog);
  for (size_t i = 0; i < n; i++)
    argv[i + 1] = wi_xstrdup(args[i]);
  if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0) {
    ret = wi_err_sys(err, WI_EIO, "%s: pipe", what);
    free_argv(argv);
    close_fd(&pin[0]);
    close_fd(&pin[1]);
    return ret;
  }
  /* A write to a kubectl that has exited must give EPIPE, not kill us: block SIGPIPE in this
   * thread for the duration and drop a pending one afterwards. The child gets an empty mask. */
  sigemptyset(&block);
  sigaddset(&block, SIGPIPE);
  sigemptyset(&none);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pin[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, pout[1], STDOUT_FILENO);
  if (merge_stderr)
    posix_spawn_file_actions_adddup2(&fa, pout[1], STDERR_FILENO);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  int rc = posix_spawnp(&pid, prog, &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  free_argv(argv);
  close_fd(&pin[0]);
  close_fd(&pout[1]);
  if (rc != 0) {
    errno = rc;
    ret = wi_err_sys(err, WI_ENOTFOUND, "cannot run %s (install kubectl or set WLSIMG_KUBECTL)",
                     prog);
    close_fd(&pin[1]);
    close_fd(&pout[0]);
  } else {
    ret = pump(pin[1], in, in_len, pout[0], &out, err);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
  }
  struct timespec zero = { 0, 0 };
  while (sigtimedwait(&block, NULL, &zero) > 0)
    ;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (ret == 0) {
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (exit_out)
      *exit_out = code;
    else if (code != 0)
      ret = wi_err_set(err, WI_ERR, "%s exited with status %d", what, code);
  }
  if (ret == 0 && out_out) {
    if (out_len)
      *out_len = out.len;
    *out_out = wi_buf_steal(&out);
  }
  wi_buf_dispose(&out);
  return ret;
}

int
wi_k8s_kubectl(const char *const *args, const void *in, size_t in_len, char **out_out,
               size_t *out_len, int *exit_out, wi_err *err)
{
  return run_kubectl(args, in, in_len, false, out_out, out_len, exit_out, err);
}

int
wi_k8s_kubectl_merged(const char *const *args, const void *in, size_t in_len, char **out_out,
                      int *exit_out, wi_err *err)
{
  return run_kubectl(args, in, in_len, true, out_out, NULL, exit_out, err);
}

/* ---------------------------------------------------------------- common kubectl calls */

int
wi_k8s_kubectl_ns(const char *const *args, size_t nargs, const char *ns, const char *in,
                  char **out_out, wi_err *err)
{
  const char *v[16] = { 0 };
  wi_autofree char *nsarg = ns ? wi_xasprintf("--namespace=%s", ns) : NULL;
  size_t k = 0;

  if (nargs > 14)
    return wi_err_set(err, WI_EINVAL, "kubectl %s: too many arguments", nargs ? args[0] : "");
  for (size_t i = 0; i < nargs; i++)
    v[k++] = args[i];
  if (nsarg)
    v[k++] = nsarg;
  return wi_k8s_kubectl(v, in, in ? strlen(in) : 0, out_out, NULL, NULL, err);
}

int
wi_k8s_kubectl_secret_exists(const char *name, const char *ns, bool *exists_out, wi_err *err)
{
  /* --ignore-not-found prints nothing for a missing secret. */
  const char *args[] = { "get", "secret", name, "--ignore-not-found", "-o", "name" };
  char *out = NULL;
  int ret = wi_k8s_kubectl_ns(args, WI_ARRAY_SIZE(args), ns, NULL, &out, err);

  if (ret < 0)
    return ret;
  *exists_out = out[strspn(out, " \n")] != '\0';
  free(out);
  return 0;
}

int
wi_k8s_kubectl_get_domain(struct wi_k8s_domain_state *st, const char *uid, const char *ns,
                          wi_err *err)
{
  const char *args[] = { "get", "domain.v9.weblogic.oracle", uid, "-o", "json" };
  char *out = NULL;

  if (wi_k8s_kubectl_ns(args, WI_ARRAY_SIZE(args), ns, NULL, &out, err) < 0)
    return wi_err_wrap(err, "read domain %s", uid);
  int ret = wi_k8s_kubectl_domain_state_parse(st, out, strlen(out), err);
  free(out);
  return ret;
}

int
wi_k8s_kubectl_patch(const char *kind, const char *name, const char *ns, const char *type,
                     const char *patch, const char *output, char **out_out, wi_err *err)
{
  wi_autofree char *t = wi_xasprintf("--type=%s", type);
  const char *args[] = { "patch", kind, name, t, "--patch-file", "/dev/stdin", "-o", output };

  return wi_k8s_kubectl_ns(args, WI_ARRAY_SIZE(args) - (output ? 0 : 2), ns, patch, out_out, err);
}

/* Printed first by the template below: '#' cannot start a secret key, so the line tells an
 * existing secret without data from a missing one. */
#define SECRET_MARK "#secret"

int
wi_k8s_kubectl_secret_keys(const char *name, const char *ns, bool *exists_out, char ***keys_out,
                           size_t *n_keys_out, wi_err *err)
{
  const char *args[] = { "get",
                         "secret",
                         name,
                         "--ignore-not-found",
                         "-o",
                         "go-template={{\"" SECRET_MARK "\\n\"}}{{range $k, $v := .data}}{{$k}}"
                         "{{\"\\n\"}}{{end}}" };
  char *out = NULL;
  char **keys = NULL;
  size_t n = 0;

  if (wi_k8s_kubectl_ns(args, WI_ARRAY_SIZE(args), ns, NULL, &out, err) < 0)
    return wi_err_wrap(err, "read secret %s", name);
  *exists_out = wi_str_has_prefix(out, SECRET_MARK "\n");
  for (char *line = *exists_out ? out + strlen(SECRET_MARK) + 1 : out + strlen(out), *nl; *line;
       line = nl + 1) {
    nl = strchrnul(line, '\n');
    if (nl > line) {
      keys = wi_xreallocarray(keys, n + 1, sizeof *keys);
      keys[n++] = wi_xstrndup(line, (size_t)(nl - line));
    }
    if (*nl == '\0')
      break;
  }
  free(out);
  *keys_out = keys;
  *n_keys_out = n;
  return 0;
}

/* ---------------------------------------------------------------- waiting for a roll */

static long long
now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
cond(int v)
{
  return v == 1 ? "True" : v == 0 ? "False" : "-";
}

/* One look at the Domain: 0 rolled, 1 not yet, < 0 failed. */
static int
wait_step(const char *uid, const char *ns, long long *generation, char **last,
          void (*progress)(const char *line, void *payload), void *payload, wi_err *err)
{
  const char *args[] = { "get", "domain.v9.weblogic.oracle", uid, "-o", "json" };
  struct wi_k8s_domain_status st;
  char *out = NULL;
  int ret;

  if (wi_k8s_kubectl_ns(args, WI_ARRAY_SIZE(args), ns, NULL, &out, err) < 0)
    return wi_err_wrap(err, "wait for domain %s", uid);
  ret = wi_k8s_kubectl_domain_status_parse(&st, out, strlen(out), err);
  free(out);
  if (ret < 0)
    return ret;
  if (*generation < 0)
    *generation = st.generation; /* read after the patch: the generation to see observed */
  char *line = wi_xasprintf("domain %s: generation %lld, observed %lld; Completed %s, Rolling %s, "
                            "Available %s, Failed %s%s%s",
                            uid, *generation, st.observed_generation, cond(st.completed),
                            cond(st.rolling), cond(st.available), cond(st.failed),
                            st.message ? ": " : "", st.message ? st.message : "");
  if (progress && (*last == NULL || strcmp(*last, line) != 0))
    progress(line, payload);
  free(*last);
  *last = line;
  bool seen = *generation < 0 || st.observed_generation >= *generation;
  ret = 1;
  if (seen && st.failed == 1)
    ret = wi_err_set(err, WI_ERR,
                     "domain %s: the operator reports Failed%s%s: %s (it retries; see kubectl "
                     "describe domain %s)",
                     uid, st.reason ? " " : "", st.reason ? st.reason : "",
                     st.message ? st.message : "no message", uid);
  else if (seen && st.completed == 1 && st.rolling != 1)
    ret = 0;
  wi_k8s_kubectl_domain_status_dispose(&st);
  return ret;
}

int
wi_k8s_kubectl_wait_domain(const char *uid, const char *ns, int timeout_s,
                           void (*progress)(const char *line, void *payload), void *payload,
                           wi_err *err)
{
  long long deadline = now_ms() + (long long)timeout_s * 1000, generation = -1;
  long long interval_ms = 200;
  char *last = NULL;
  int ret;

  /* Bounded by the deadline; the interval grows so that short rolls are seen quickly and long
   * ones do not call kubectl more than every 5 s. */
  while ((ret = wait_step(uid, ns, &generation, &last, progress, payload, err)) > 0) {
    long long left = deadline - now_ms();
    if (left <= 0) {
      ret = wi_err_set(err, WI_ERR, "timed out after %d s waiting for the roll (%s)", timeout_s,
                       last);
      break;
    }
    long long ms = left < interval_ms ? left : interval_ms;
    struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
    interval_ms = interval_ms * 2 > 5000 ? 5000 : interval_ms * 2;
  }
  free(last);
  return ret;
}
