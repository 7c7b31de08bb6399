/* Unit tests for engine.c: which container engine is chosen. The executables put on PATH here are
 * empty files that are never run; wi_engine_choose only looks for them. The docker daemon is a real
 * unix socket listening (or none). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/engine.h"
#include "lib/fs.h"

static char *tmp_root;

/* An executable named exe in <tmp_root>/<dir>. */
static void
put_exe(const char *dir, const char *exe)
{
  wi_autofree char *d = wi_xasprintf("%s/%s", tmp_root, dir);
  wi_autofree char *f = wi_xasprintf("%s/%s", d, exe);
  mkdir(d, 0700);
  int fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0700);
  if (fd < 0)
    abort();
  close(fd);
}

static const char *
chosen(const char *dir, bool *found)
{
  static char name[64];
  wi_autofree char *path = wi_xasprintf("%s/%s", tmp_root, dir);
  setenv("PATH", path, 1);
  struct wi_engine e;
  wi_engine_choose(&e, NULL);
  snprintf(name, sizeof name, "%s", e.exe);
  *found = e.found;
  wi_engine_dispose(&e);
  return name;
}

TEST(test_docker_without_daemon_is_skipped)
{
  bool found;
  put_exe("both", "docker");
  put_exe("both", "buildah");
  setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock", 1);
  CHECK_STR_EQ(chosen("both", &found), "buildah");
  CHECK(found);
  /* a remote daemon cannot be checked without docker: it is trusted */
  setenv("DOCKER_HOST", "tcp://127.0.0.1:2375", 1);
  CHECK_STR_EQ(chosen("both", &found), "docker");
  CHECK(found);
}

TEST(test_docker_with_daemon)
{
  bool found;
  wi_autofree char *sock = wi_xasprintf("%s/docker.sock", tmp_root);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(fd, 4) == 0);
  wi_autofree char *host = wi_xasprintf("unix://%s", sock);
  setenv("DOCKER_HOST", host, 1);
  CHECK_STR_EQ(chosen("both", &found), "docker");
  CHECK(found);
  close(fd);
  unlink(sock);
}

TEST(test_only_docker_left)
{
  bool found;
  put_exe("docker-only", "docker");
  setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock", 1);
  CHECK_STR_EQ(chosen("docker-only", &found), "docker");
  CHECK(found);
  put_exe("none", ".keep");
  CHECK_STR_EQ(chosen("none", &found), "docker");
  CHECK(!found);
}

int
main(void)
{
  wi_err err = { 0 };
  tmp_root = wi_fs_mkdtemp("wlsimg-engine-test", &err);
  if (tmp_root == NULL) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  unsetenv("WLSIMG_BUILDER");
  unsetenv("DOCKER_CONTEXT");
  unsetenv("WLSIMG_BUILDER_OPTS");
  RUN(test_docker_without_daemon_is_skipped);
  RUN(test_docker_with_daemon);
  RUN(test_only_docker_left);
  wi_fs_rm_rf(tmp_root, &err);
  free(tmp_root);
  DONE();
}
