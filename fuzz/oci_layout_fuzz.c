/* Fuzz target: an OCI image layout's index.json, as `copy oci:DIR...` and the local store read it
 * (the input becomes index.json of a scratch layout). Properties: a failure has a code and a
 * message; every listed entry has a valid digest and a non-negative size and resolves by its name
 * to that same digest. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/digest.h"
#include "lib/fs.h"
#include "lib/store.h"
#include "scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
write_file(const char *name, const void *data, size_t len)
{
  wi_autofree char *p = wi_xasprintf("%s/%s", fuzz_scratch("wlsimg-fuzz-layout"), name);
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) < 0)
    abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static bool layout;
  if (!layout) {
    write_file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
    layout = true;
  }
  write_file("index.json", data, size);
  struct wi_store *s = NULL;
  struct wi_store_entry *e = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  if (wi_store_open(&s, fuzz_scratch("wlsimg-fuzz-layout"), false, &err) < 0)
    abort(); /* the layout itself is valid: opening reads no index */
  int ret = wi_store_list(s, &e, &n, &err);
  if (ret < 0 && (err.code != ret || err.msg[0] == '\0'))
    abort();
  for (size_t i = 0; ret == 0 && i < n; i++) {
    if (wi_digest_validate(e[i].desc.digest, NULL) < 0 || e[i].desc.size < 0)
      abort();
    struct wi_descriptor d = { 0 };
    if (e[i].name && wi_store_resolve(s, e[i].name, &d, &err) == 0) {
      if (d.digest == NULL)
        abort();
      wi_manifest_descriptor_dispose(&d);
    }
  }
  if (ret == 0)
    wi_store_entries_free(e, n);
  wi_store_free(s);
  return 0;
}
