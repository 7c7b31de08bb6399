/* Fuzz the registry's manifest PUT: the body checks (JSON, media types, digests, references to
 * blobs of the repository, subject/referrers) and the reference and ?tag= handling go through the
 * real handlers and storage (fuzz/regreq.h). The repository fz/app holds two blobs to refer to:
 * {} (sha256:44136fa3…) and "layer" (sha256:…). Up to eight requests per input, separated by a line
 * "---". A manifest answered 201 must be stored byte for byte under its digest, and fetching it by
 * that digest must give those bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "regreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
seed_blob(const char *root, const char *content)
{
  char d[WI_DIGEST_MAX], id[33];
  struct wi_rs_upload *u = NULL;
  wi_err err = { 0 };

  wi_digest_bytes(content, strlen(content), d);
  if (wi_regserver_storage_blob_stat(root, "fz/app", d, NULL, &err) == 0)
    return;
  if (wi_regserver_storage_upload_new(root, "fz/app", id, &err) < 0 ||
      wi_regserver_storage_upload_open(root, "fz/app", id, &u, &err) < 0 ||
      wi_regserver_storage_upload_write(u, content, strlen(content), &err) < 0 ||
      wi_regserver_storage_upload_finish(u, d, &err) < 0)
    abort();
}

/* GET by the digest a PUT answered with gives back the body that was PUT. */
static void
check_roundtrip(struct wi_rs_server *srv, const struct wi_rs_req *put)
{
  const char *d = fz_resp_header(put, "Docker-Content-Digest");
  struct wi_rs_manifest_info info;
  char *body = NULL;
  wi_err err = { 0 };

  if (put->resp.status != 201 || d == NULL || strcmp(put->method, "PUT") != 0 ||
      put->p.route != WI_RS_R_MANIFEST)
    return;
  if (wi_regserver_storage_manifest_get(srv->root, put->p.name, d, &info, &body, &err) < 0 ||
      info.size != put->body.len || memcmp(body, put->body.data, put->body.len) != 0)
    abort();
  free(body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct wi_rs_server srv = fz_server(64 * 1024, WI_REGSERVER_UNLIMITED);

  seed_blob(srv.root, "{}");
  seed_blob(srv.root, "layer");
  fz_run_all(&srv, data, size, NULL, check_roundtrip);
  return 0;
}
