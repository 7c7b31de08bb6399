/* Fuzz the registry's blob uploads: request headers (Content-Range, Content-Length,
 * Transfer-Encoding), query parameters (digest, mount, from) and bodies go through the real
 * handlers and storage (fuzz/regreq.h), against an upload session opened for each input ("$LOC").
 * Up to eight requests per input, separated by a line "---". Size limit 1 KiB, namespace quota 4
 * KiB (small, so that short inputs reach them). Every request must get an answer, and a 201 must
 * leave a blob whose bytes have its digest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "regreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct wi_rs_server srv = fz_server(1024, 4096);
  wi_err err = { 0 };
  char id[33];

  if (wi_regserver_storage_upload_new(srv.root, "fz/app", id, &err) < 0)
    abort();
  wi_autofree char *loc = wi_xasprintf("/v2/fz/app/blobs/uploads/%s", id);
  fz_run_all(&srv, data, size, loc, NULL);
  return 0;
}
