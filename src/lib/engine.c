/* wlsimg: container engine builds as WIT runs them — see engine.h. */
#include "lib/engine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/image.h"
#include "lib/log.h"
#include "lib/ref.h"
#include "lib/strv.h"
#include "lib/util.h"

extern char **environ;

#define MAX_TREE_DEPTH 64
#define MAX_CAPTURE    (1u << 20)
#define KILL_AFTER_S   10.0 /* a cancelled engine gets SIGKILL this long after SIGTERM */

/* ---- choosing the engine ---- */

static bool
on_path(const char *exe, char **found)
{
  if (strchr(exe, '/')) {
    if (found)
      *found = wi_xstrdup(exe);
    return access(exe, X_OK) == 0;
  }
  const char *path = getenv("PATH");
  for (const char *d = path ? path : ""; *d;) {
    size_t l = strcspn(d, ":");
    wi_autofree char *f = wi_xasprintf("%.*s/%s", (int)l, l ? d : ".", exe);
    if (access(f, X_OK) == 0) {
      if (found)
        *found = wi_steal(&f);
      return true;
    }
    d += l + (d[l] == ':');
  }
  return false;
}

/* Whether a unix socket accepts a connection. */
static bool
socket_answers(const char *path)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen(path) >= sizeof sa.sun_path)
    return false;
  memcpy(sa.sun_path, path, strlen(path) + 1);
  wi_autoclose int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  return fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
}

/* Whether docker's daemon can be reached, as far as can be told without running docker: a unix
 * socket (DOCKER_HOST's, else the rootful and rootless defaults) must accept a connection; a
 * DOCKER_HOST over tcp or ssh, or a DOCKER_CONTEXT, is trusted. *where names what was tried. */
static bool
docker_daemon_reachable(char **where)
{
  const char *host = getenv("DOCKER_HOST");
  const char *ctx = getenv("DOCKER_CONTEXT");
  if (host && *host) {
    *where = wi_xstrdup(host);
    return strncmp(host, "unix://", 7) != 0 || socket_answers(host + 7);
  }
  if (ctx && *ctx && strcmp(ctx, "default") != 0) {
    *where = wi_xasprintf("context %s", ctx);
    return true;
  }
  *where = wi_xstrdup("unix:///var/run/docker.sock");
  if (socket_answers("/var/run/docker.sock"))
    return true;
  const char *rt = getenv("XDG_RUNTIME_DIR");
  if (rt && *rt) {
    wi_autofree char *p = wi_xasprintf("%s/docker.sock", rt);
    if (socket_answers(p))
      return true;
  }
  return false;
}

void
wi_engine_choose(struct wi_engine *e, const char *builder)
{
  static const char *const candidates[] = { "docker", "podman", "buildah" };
  memset(e, 0, sizeof *e);
  const char *env = getenv("WLSIMG_BUILDER");
  const char *name = builder && *builder ? builder : env && *env ? env : NULL;
  if (name) {
    e->exe = wi_xstrdup(name);
    e->found = on_path(name, NULL);
  } else {
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0] && !e->found; i++)
      if (on_path(candidates[i], NULL)) {
        wi_autofree char *where = NULL;
        /* docker without its daemon cannot build: a daemonless engine found later can */
        if (i == 0 && !docker_daemon_reachable(&where)) {
          wi_log(
              WI_LOG_INFO,
              "docker is installed but its daemon does not answer at %s; looking for podman or buildah",
              where);
          continue;
        }
        e->exe = wi_xstrdup(candidates[i]);
        e->found = true;
        wi_log(
            WI_LOG_INFO,
            "Using %s as the container engine (the first of docker, podman, buildah found; --builder or WLSIMG_BUILDER choose another)",
            candidates[i]);
      }
    if (!e->found) {
      /* nothing else: docker it is, and its own message will say why it cannot build */
      e->exe = wi_xstrdup("docker");
      e->found = on_path("docker", NULL);
    }
  }
  const char *slash = strrchr(e->exe, '/');
  const char *base = slash ? slash + 1 : e->exe;
  e->kind = strcmp(base, "buildah") == 0  ? WI_ENGINE_BUILDAH
            : strcmp(base, "podman") == 0 ? WI_ENGINE_PODMAN
                                          : WI_ENGINE_DOCKER;
  const char *opts = getenv("WLSIMG_BUILDER_OPTS");
  for (const char *p = opts ? opts : ""; *p;) {
    while (*p == ' ' || *p == '\t')
      p++;
    size_t l = strcspn(p, " \t");
    if (l) {
      e->global = wi_xreallocarray(e->global, e->n_global + 1, sizeof *e->global);
      e->global[e->n_global++] = wi_xstrndup(p, l);
    }
    p += l;
  }
}

void
wi_engine_dispose(struct wi_engine *e)
{
  free(e->exe);
  wi_strv_free(e->global, e->n_global);
  memset(e, 0, sizeof *e);
}

/* ---- argv ---- */

struct argv {
  char **v;
  size_t n;
};

static void
add(struct argv *a, const char *s)
{
  a->v = wi_xreallocarray(a->v, a->n + 2, sizeof *a->v);
  a->v[a->n++] = wi_xstrdup(s);
  a->v[a->n] = NULL;
}

static void
argv_dispose(struct argv *a)
{
  wi_strv_free(a->v, a->n);
  a->v = NULL;
  a->n = 0;
}

static void
start(struct argv *a, const struct wi_engine *e)
{
  add(a, e->exe);
  for (size_t i = 0; i < e->n_global; i++)
    add(a, e->global[i]);
}

static char *
join(const struct argv *a)
{
  struct wi_buf b = WI_BUF_INIT(WI_BUF_NO_CAP);
  for (size_t i = 0; i < a->n; i++)
    wi_buf_addf(&b, NULL, "%s%s", i ? " " : "", a->v[i]);
  return wi_buf_steal(&b);
}

/* Has the cancel flag been raised? */
static bool
cancelled(const int *cancel)
{
  return cancel && __atomic_load_n(cancel, __ATOMIC_RELAXED) != 0;
}

/* With a cancel flag: wait for output at most 200 ms at a time, and stop the process group once
 * the flag is raised (SIGTERM, SIGKILL after KILL_AFTER_S). 1 = readable, 0 = look again, -1 =
 * stop reading (the group was killed long enough ago that an orphan may hold the pipe). */
static int
wait_output(int fd, pid_t pid, const int *cancel, double *stopped)
{
  if (cancel == NULL)
    return 1;
  struct pollfd pf = { .fd = fd, .events = POLLIN };
  int pr = poll(&pf, 1, 200);
  if (cancelled(cancel)) {
    double now = wi_util_now();
    if (*stopped == 0) {
      *stopped = now;
      kill(-pid, SIGTERM);
    } else if (now - *stopped > 2 * KILL_AFTER_S) {
      return -1;
    } else if (now - *stopped > KILL_AFTER_S) {
      kill(-pid, SIGKILL);
    }
  }
  return pr > 0 ? 1 : 0;
}

/* Run argv; its stdout goes to out (or, with capture, into *captured), its stderr to out (or is
 * kept for the error message). With cancel (optional) it runs in a process group of its own that
 * is stopped when *cancel is raised (WI_ECANCELED). Returns the exit status (>= 0) or a negative
 * code. */
static int
run(char *const argv[], wi_engine_output_fn out, void *payload, int log_fd, char **captured,
    const int *cancel, wi_err *err)
{
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) < 0)
    return wi_err_sys(err, WI_EIO, "pipe");
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
  if (captured == NULL)
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
  if (cancel) {
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  }
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(pfd[1]);
  if (rc != 0) {
    close(pfd[0]);
    errno = rc;
    return wi_err_sys(err, WI_EUNSUPPORTED, "cannot run %s", argv[0]);
  }
  struct wi_buf cap = WI_BUF_INIT(MAX_CAPTURE);
  char buf[8192];
  double stopped = 0;
  for (;;) {
    int w = wait_output(pfd[0], pid, cancel, &stopped);
    if (w < 0)
      break;
    if (w == 0)
      continue;
    ssize_t n = read(pfd[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    if (captured)
      wi_buf_add(&cap, buf, (size_t)n, NULL);
    else if (out)
      out(buf, (size_t)n, payload);
    if (log_fd >= 0) {
      wi_err ignore = { 0 };
      (void)wi_fs_write_all(log_fd, buf, (size_t)n, &ignore);
    }
  }
  close(pfd[0]);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) {
      wi_buf_dispose(&cap);
      return wi_err_sys(err, WI_ERR, "waiting for %s", argv[0]);
    }
  if (stopped != 0) {
    wi_buf_dispose(&cap);
    return wi_err_set(err, WI_ECANCELED, "cancelled: %s was stopped", argv[0]);
  }
  if (captured && wi_buf_error(&cap, "the command's output", err) < 0) {
    wi_buf_dispose(&cap);
    return wi_err_wrap(err, "%s", argv[0]);
  }
  if (captured)
    *captured = wi_buf_steal(&cap);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Run a helper command of the engine quietly: its output only in the error message. */
static int
run_quiet(struct argv *a, char **stdout_out, wi_err *err)
{
  struct wi_buf o = WI_BUF_INIT(MAX_CAPTURE);
  int st = run(a->v, NULL, NULL, -1, stdout_out, NULL, err);
  wi_buf_dispose(&o);
  if (st < 0)
    return st;
  if (st != 0) {
    wi_autofree char *cmd = join(a);
    return wi_err_set(err, WI_ERR, "%s failed with exit status %d", cmd, st);
  }
  return 0;
}

/* ---- context ---- */

char *
wi_engine_context_new(wi_err *err)
{
  const char *bld = getenv("WLSIMG_BLDDIR");
  const char *parent = bld && *bld ? bld : wi_util_home_dir();
  struct stat st;
  if (bld && *bld) {
    if (lstat(bld, &st) < 0) {
      wi_err_set(
          err, WI_EINVAL,
          "The directory specified with WLSIMG_BLDDIR must exist prior to running this tool: %s",
          bld);
      return NULL;
    }
    if (!S_ISDIR(st.st_mode)) {
      wi_err_set(err, WI_EINVAL, "The value specified with WLSIMG_BLDDIR must be a directory: %s",
                 bld);
      return NULL;
    }
    if (access(bld, W_OK) < 0) {
      wi_err_set(err, WI_EINVAL, "The directory specified with WLSIMG_BLDDIR must be writable: %s",
                 bld);
      return NULL;
    }
  }
  wi_autofree char *tmpl = wi_xasprintf("%s/wlsimgbuilder_tempXXXXXX", parent);
  if (mkdtemp(tmpl) == NULL) {
    wi_err_sys(err, WI_EIO, "build context in %s", parent);
    return NULL;
  }
  wi_log(WI_LOG_INFO, "Temporary directory used for image build context: %s", tmpl);
  return wi_steal(&tmpl);
}

int
wi_engine_context_link(const char *src, const char *dst, wi_err *err)
{
  if (access(dst, F_OK) == 0)
    return wi_err_set(err, WI_EEXISTS, "%s already exists in the build context", dst);
  if (link(src, dst) == 0)
    return 0;
  /* another file system, or links not allowed: a reflink shares the blocks, else copy */
  wi_autoclose int in = open(src, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return wi_err_sys(err, WI_EIO, "%s", src);
  struct stat st;
  if (fstat(in, &st) < 0)
    return wi_err_sys(err, WI_EIO, "%s", src);
  wi_autoclose int o = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0777);
  if (o < 0)
    return wi_err_sys(err, WI_EIO, "%s", dst);
  if (ioctl(o, FICLONE, in) == 0)
    return 0;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return wi_err_sys(err, WI_EIO, "%s", src);
    if (n == 0)
      break;
    if (wi_fs_write_all(o, buf, (size_t)n, err) < 0)
      return wi_err_wrap(err, "%s", dst);
  }
  return 0;
}

static int
link_tree(const char *src, const char *dst, int depth, wi_err *err)
{
  struct stat st;
  if (depth > MAX_TREE_DEPTH)
    return wi_err_set(err, WI_EINVAL, "%s: directory tree too deep", src);
  if (stat(src, &st) < 0)
    return wi_err_sys(err, WI_EINVAL, "%s", src);
  if (S_ISREG(st.st_mode))
    return wi_engine_context_link(src, dst, err);
  if (!S_ISDIR(st.st_mode)) {
    wi_log(WI_LOG_INFO, "additionalBuildFile could not be copied: %s", src);
    return 0;
  }
  if (mkdir(dst, st.st_mode & 0777) < 0)
    return wi_err_sys(err, WI_EIO, "%s", dst);
  DIR *d = opendir(src);
  if (d == NULL)
    return wi_err_sys(err, WI_EIO, "%s", src);
  struct dirent *de;
  int ret = 0;
  while (ret == 0 && (de = readdir(d)) != NULL) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    wi_autofree char *s = wi_xasprintf("%s/%s", src, de->d_name);
    wi_autofree char *t = wi_xasprintf("%s/%s", dst, de->d_name);
    ret = link_tree(s, t, depth + 1, err);
  }
  closedir(d);
  return ret;
}

int
wi_engine_context_link_tree(const char *src, const char *dst, wi_err *err)
{
  return link_tree(src, dst, 0, err);
}

/* ---- build ---- */

static void
build_args(struct argv *a, const struct wi_engine_build *b, bool for_log, bool real)
{
  for (size_t i = 0; i < b->n_build_args; i++) {
    const char *eq = strchr(b->build_args[i], '=');
    if (eq == NULL || eq[1] == '\0')
      continue;
    add(a, "--build-arg");
    add(a, b->build_args[i]);
  }
  const char *px[][2] = { { "http_proxy", b->http_proxy },
                          { "https_proxy", b->https_proxy },
                          { "no_proxy", b->no_proxy } };
  for (size_t i = 0; i < 3; i++) {
    if (px[i][1] == NULL || px[i][1][0] == '\0')
      continue;
    bool mask = for_log && i < 2 && strchr(px[i][1], '@');
    wi_autofree char *v = wi_xasprintf("%s=%s", px[i][0], mask ? "********" : px[i][1]);
    add(a, "--build-arg");
    add(a, v);
  }
  if (real && b->secret_file) {
    wi_autofree char *v = wi_xasprintf("id=wdt_encryption_key,src=%s", b->secret_file);
    add(a, "--secret");
    add(a, v);
  }
}

/* WIT's argument order (BuildCommand); real = the command wlsimg runs rather than logs. */
static void
build_argv(struct argv *a, const struct wi_engine *e, const struct wi_engine_build *b, bool for_log,
           bool real)
{
  bool buildx = b->use_buildx || (b->platform && *b->platform);
  if (real)
    start(a, e);
  else
    add(a, e->exe);
  if (real && e->kind == WI_ENGINE_BUILDAH) {
    add(a, "bud");
  } else {
    if (buildx)
      add(a, "buildx");
    add(a, "build");
  }
  add(a, "--tag");
  add(a, b->tag);
  if (b->platform && *b->platform) {
    add(a, "--platform");
    add(a, b->platform);
  }
  /* buildah accepts --force-rm only with --layers (it keeps no intermediate images anyway) */
  if (!b->skipcleanup && !buildx && !(real && e->kind == WI_ENGINE_BUILDAH))
    add(a, "--force-rm");
  if (b->network && *b->network) {
    add(a, "--network");
    add(a, b->network);
  }
  /* the bases were handed over from the store (refreshed there for --pull): no engine pulls */
  if (!real && b->pull)
    add(a, "--pull");
  if (real && e->kind != WI_ENGINE_DOCKER)
    add(a, "--pull=never");
  for (size_t i = 0; i < b->n_extra; i++)
    add(a, b->extra[i]);
  build_args(a, b, for_log, real);
  add(a, b->context);
}

char *
wi_engine_build_cmdline(const struct wi_engine *e, const struct wi_engine_build *b)
{
  struct argv a = { 0 };
  build_argv(&a, e, b, true, false);
  char *s = join(&a);
  argv_dispose(&a);
  return s;
}

int
wi_engine_build_run(const struct wi_engine *e, const struct wi_engine_build *b,
                    const char *log_path, wi_engine_output_fn out, void *payload, wi_err *err)
{
  struct argv a = { 0 };
  wi_autoclose int log_fd = -1;
  if (!e->found)
    return wi_err_set(
        err, WI_EUNSUPPORTED,
        "the container engine %s is not installed; install docker, podman or buildah, or name one with --builder",
        e->exe);
  if (log_path) {
    struct stat st;
    wi_autofree char *lp = stat(log_path, &st) == 0 && S_ISDIR(st.st_mode)
                               ? wi_xasprintf("%s/dockerbuild.log", log_path)
                               : wi_xstrdup(log_path);
    log_fd = open(lp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd < 0)
      wi_log(WI_LOG_WARN, "--dockerLog %s: %s", lp, strerror(errno));
  }
  build_argv(&a, e, b, false, true);
  wi_autofree char *cmd = join(&a);
  wi_log(WI_LOG_DEBUG, "running %s", cmd);
  int st = run(a.v, out, payload, log_fd, NULL, b->cancel, err);
  argv_dispose(&a);
  if (st < 0)
    return st;
  if (st != 0)
    return wi_err_set(err, WI_ERR, "Build command failed with error: %s exited with status %d",
                      e->exe, st);
  return 0;
}

/* ---- images in and out ---- */

/* Can buildah name an image after this path ("localhost" + path)? Each component must be a
 * reference path component: lower-case letters and digits, joined by '.', '_' or '-'. */
static bool
nameable_path(const char *path)
{
  for (const char *c = path; *c; c++) {
    bool alnum = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9');
    bool first = c == path || c[-1] == '/', last = c[1] == '\0' || c[1] == '/';
    if (*c == '/' || alnum)
      continue;
    if (first || last || !strchr("._-", *c) || (*c == '.' && c[1] == '.'))
      return false;
  }
  return true;
}

/* buildah and podman name a short reference "localhost/<ref>"; a FROM line finds it there. */
int
wi_engine_provide(const struct wi_engine *e, struct wi_store *s, const char *ref,
                  const char *platform, bool pull, const struct wi_transfer_opts *to,
                  const char *tmpdir, wi_err *err)
{
  wi_autoptr(wi_image) struct wi_image *img = NULL;
  struct wi_platform pl;
  int ret = 0;
  if (platform && *platform && wi_ref_platform_parse(&pl, platform, err) < 0)
    return wi_err_wrap(err, "--platform");
  if (wi_image_open(&img, s, ref, platform && *platform ? &pl : NULL, pull, to, err) < 0)
    return err->code;
  /* The engine may hold that very image already (a build before this one handed it over): its
   * image ID is the config digest. Then naming it is all there is to do. */
  const char *cfg_id = img->manifest->config.digest;
  struct argv q = { 0 };
  wi_err ignore_q = { 0 };
  start(&q, e);
  if (e->kind == WI_ENGINE_BUILDAH) {
    add(&q, "inspect");
    add(&q, "--type");
    add(&q, "image");
    add(&q, wi_digest_hex(cfg_id));
  } else {
    add(&q, "image");
    add(&q, "inspect");
    add(&q, e->kind == WI_ENGINE_DOCKER ? cfg_id : wi_digest_hex(cfg_id));
  }
  bool held = run_quiet(&q, NULL, &ignore_q) == 0;
  argv_dispose(&q);
  if (held) {
    start(&q, e);
    add(&q, "tag");
    add(&q, wi_digest_hex(cfg_id));
    add(&q, ref);
    ret = run_quiet(&q, NULL, err);
    argv_dispose(&q);
    if (ret < 0)
      wi_err_wrap(err, "handing %s to %s", ref, e->exe);
    return ret;
  }
  /* a one-image layout (or archive) of exactly that platform's manifest; buildah names an image
   * pulled from a layout after the layout's path, which must then be a valid (lowercase) name */
  char rnd[17];
  if (wi_util_random_hex(rnd, 8, err) < 0)
    return err->code;
  const char *tmp = getenv("TMPDIR");
  wi_autofree char *lay = nameable_path(tmpdir)
                              ? wi_xasprintf("%s/from-%s", tmpdir, rnd)
                              : wi_xasprintf("%s/wlsimg-from-%s", tmp && *tmp ? tmp : "/tmp", rnd);
  struct wi_transfer_opts o = to ? *to : (struct wi_transfer_opts){ 0 };
  o.store_root = wi_store_root(s);
  struct argv a = { 0 };
  start(&a, e);
  if (e->kind == WI_ENGINE_DOCKER) {
    wi_autofree char *dst = wi_xasprintf("docker-archive:%s.tar:%s", lay, ref);
    ret = wi_transfer_copy_image(img->manifest_digest, dst, &o, NULL, err);
    wi_autofree char *file = wi_xasprintf("%s.tar", lay);
    add(&a, "load");
    add(&a, "-i");
    add(&a, file);
    if (ret == 0)
      ret = run_quiet(&a, NULL, err);
    unlink(file);
  } else {
    /* a layout entry named as a registry reference: buildah and podman name the image after it
     * (a plain tag would make them derive a name from the directory's path) */
    wi_autofree char *hname =
        wi_xasprintf("localhost/wlsimg-handover:%.16s", img->manifest_digest + 7);
    wi_autofree char *dst = wi_xasprintf("oci:%s:%s", lay, hname);
    ret = wi_transfer_copy_image(img->manifest_digest, dst, &o, NULL, err);
    add(&a, "pull");
    add(&a, "-q");
    add(&a, dst);
    wi_autofree char *id = NULL;
    if (ret == 0)
      ret = run_quiet(&a, &id, err);
    if (ret == 0) {
      id[strcspn(id, "\r\n")] = '\0';
      struct argv t = { 0 };
      start(&t, e);
      add(&t, "tag");
      add(&t, id);
      add(&t, ref);
      ret = run_quiet(&t, NULL, err);
      argv_dispose(&t);
      /* the hand-over name is not wanted once the FROM name is there */
      struct argv u = { 0 };
      wi_err ignore = { 0 };
      start(&u, e);
      add(&u, e->kind == WI_ENGINE_BUILDAH ? "rmi" : "untag");
      add(&u, hname);
      if (ret == 0)
        (void)run_quiet(&u, NULL, &ignore);
      argv_dispose(&u);
    }
    wi_err ignore = { 0 };
    wi_fs_rm_rf(lay, &ignore);
  }
  argv_dispose(&a);
  if (ret < 0)
    wi_err_wrap(err, "handing %s to %s", ref, e->exe);
  return ret;
}

int
wi_engine_import(const struct wi_engine *e, const char *tag, struct wi_store *s,
                 const char *store_name, const char *tmpdir, const struct wi_transfer_opts *to,
                 char *digest_out, wi_err *err)
{
  struct argv a = { 0 };
  wi_autofree char *src = NULL, *file = NULL;
  int ret;
  start(&a, e);
  if (e->kind == WI_ENGINE_DOCKER) {
    /* docker writes no OCI layout: a docker-archive */
    file = wi_xasprintf("%s/.result.tar", tmpdir);
    src = wi_xasprintf("docker-archive:%s", file);
    add(&a, "save");
    add(&a, "-o");
    add(&a, file);
    add(&a, tag);
  } else {
    file = wi_xasprintf("%s/.result", tmpdir);
    src = wi_xasprintf("oci:%s:img", file);
    add(&a, "push");
    add(&a, tag);
    add(&a, src);
  }
  ret = run_quiet(&a, NULL, err);
  argv_dispose(&a);
  if (ret == 0) {
    struct wi_transfer_opts o = to ? *to : (struct wi_transfer_opts){ 0 };
    o.store_root = wi_store_root(s);
    ret = wi_transfer_copy_image(src, store_name, &o, digest_out, err);
  }
  wi_err ignore = { 0 };
  wi_fs_rm_rf(file, &ignore);
  if (ret < 0)
    wi_err_wrap(err, "bringing %s from %s into the store", tag, e->exe);
  return ret;
}

void
wi_engine_prune(const struct wi_engine *e, const char *build_id)
{
  if (e->kind == WI_ENGINE_BUILDAH)
    return;
  struct argv a = { 0 };
  wi_err err = { 0 };
  wi_autofree char *filter =
      wi_xasprintf("label=com.oracle.weblogic.imagetool.buildid=%s", build_id);
  start(&a, e);
  add(&a, "image");
  add(&a, "prune");
  add(&a, "-f");
  add(&a, "--filter");
  add(&a, filter);
  if (!e->found || run_quiet(&a, NULL, &err) < 0)
    wi_log(WI_LOG_ERROR, "Failed to clean up intermediate container images for build ID %s",
           build_id);
  argv_dispose(&a);
}
