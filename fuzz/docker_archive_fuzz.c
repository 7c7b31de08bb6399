/* Fuzz target: the docker-archive reader (tar members, manifest.json, member links, layer
 * decompression and diff_id checks) and the gunzip stream. The first byte selects the mode: even =
 * the rest is a docker-archive loaded into a scratch store, odd = the rest goes through wi_gunzip.
 * A failure must come with an error code and message; a success must leave named, readable images.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/docker_archive.h"
#include "lib/fs.h"
#include "lib/gunzip.h"
#include "lib/layer.h"
#include "lib/store.h"
#include "scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count_sink(const void *data, size_t len, void *payload, wi_err *err)
{
  WI_UNUSED(data);
  WI_UNUSED(err);
  *(size_t *)payload += len;
  return *(size_t *)payload > (64u << 20) ? WI_ETOOBIG : 0; /* no decompression bombs */
}

static void
fuzz_archive(const uint8_t *data, size_t size)
{
  wi_err err = { 0 };
  struct wi_store *s = NULL;
  struct wi_docker_archive_loaded *l = NULL;
  size_t n = 0;
  int fd = memfd_create("archive", MFD_CLOEXEC);

  if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
    abort();
  wi_autofree char *root = wi_xasprintf("%s/store", fuzz_scratch("wlsimg-fuzz-archive"));
  wi_fs_rm_rf(root, NULL);
  if (wi_store_open(&s, root, true, &err) < 0)
    abort();
  if (wi_docker_archive_read(s, fd, "fuzz.tar", true, &l, &n, &err) < 0) {
    if (l != NULL || err.code == 0 || err.msg[0] == '\0')
      abort();
  } else {
    for (size_t i = 0; i < n; i++) {
      struct wi_descriptor d = { 0 };
      for (size_t k = 0; k < l[i].n_names; k++) {
        if (wi_store_resolve(s, l[i].names[k], &d, &err) < 0)
          abort();
        wi_manifest_descriptor_dispose(&d);
      }
      if (!wi_store_has_blob(s, l[i].desc.digest) || !wi_store_has_blob(s, l[i].config_digest))
        abort();
    }
    wi_docker_archive_loaded_free(l, n);
  }
  close(fd);
  wi_store_free(s);
}

static void
fuzz_gunzip(const uint8_t *data, size_t size)
{
  wi_err err = { 0 };
  size_t out = 0;
  struct wi_gunzip *z = wi_gunzip_new(count_sink, &out);
  int ret = wi_gunzip_write(z, data, size, &err);
  if (ret == 0)
    ret = wi_gunzip_finish(z, &err);
  if (ret < 0 && (err.code == 0 || err.msg[0] == '\0'))
    abort();
  wi_gunzip_free(z);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  if (data[0] % 2 == 0)
    fuzz_archive(data + 1, size - 1);
  else
    fuzz_gunzip(data + 1, size - 1);
  return 0;
}
