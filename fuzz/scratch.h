/* A scratch directory for fuzz targets that need files, removed at exit. It lives on tmpfs
 * (/dev/shm) when there is one: the store fsyncs every blob, directory and index it writes (about a
 * dozen per docker-archive input), which on a disk held libFuzzer to ~190 exec/s, waiting on the
 * disk; on tmpfs an fsync costs nothing. */
#ifndef WI_FUZZ_SCRATCH_H
#define WI_FUZZ_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/fs.h"

static char *fuzz_scratch_dir;

static void
fuzz_scratch_cleanup(void)
{
  wi_fs_rm_rf(fuzz_scratch_dir, NULL);
  free(fuzz_scratch_dir);
}

/* The directory (created on the first call; aborts when it cannot be). */
static const char *
fuzz_scratch(const char *prefix)
{
  if (fuzz_scratch_dir)
    return fuzz_scratch_dir;
  char shm[128];
  snprintf(shm, sizeof shm, "/dev/shm/%s.XXXXXX", prefix);
  if (access("/dev/shm", W_OK) == 0 && mkdtemp(shm) != NULL)
    fuzz_scratch_dir = wi_xstrdup(shm);
  else
    fuzz_scratch_dir = wi_fs_mkdtemp(prefix, NULL);
  if (fuzz_scratch_dir == NULL)
    abort();
  atexit(fuzz_scratch_cleanup);
  return fuzz_scratch_dir;
}

#endif
