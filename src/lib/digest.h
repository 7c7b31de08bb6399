/* wlsimg: content digests ("sha256:<64 hex>", "sha512:<128 hex>") and streaming hashers. */
#ifndef WI_DIGEST_H
#define WI_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define WI_DIGEST_MAX 136 /* "sha512:" + 128 hex + NUL */

/* Check the OCI digest grammar; sha256 and sha512 must have the exact lower-case hex length.
 * Other well-formed algorithms give WI_EUNSUPPORTED. Errors: WI_EINVAL, WI_EUNSUPPORTED. */
int wi_digest_validate(const char *s, wi_err *err);
/* Pointer to the encoded part after ':' (or s itself when there is no ':'). */
const char *wi_digest_hex(const char *digest);

struct wi_hasher {
  void *ctx; /* EVP_MD_CTX */
  char algo[8];
  uint64_t size;
};

/* algo: "sha256" (also when NULL) or "sha512". */
int wi_digest_hasher_init(struct wi_hasher *h, const char *algo, wi_err *err);
void wi_digest_hasher_update(struct wi_hasher *h, const void *data, size_t len);
/* Writes "algo:hex" into out; the hasher can be disposed afterwards. */
void wi_digest_hasher_final(struct wi_hasher *h, char out[WI_DIGEST_MAX]);
void wi_digest_hasher_dispose(struct wi_hasher *h);

/* sha256 of a buffer. */
void wi_digest_bytes(const void *data, size_t len, char out[WI_DIGEST_MAX]);
/* The first 128 bits of the sha256 of a buffer in UUID form ("8-4-4-4-12" hex digits): the build
 * ids wlsimg derives from a build's inputs, so that the same inputs give the same image. */
#define WI_DIGEST_UUID_SIZE 37
void wi_digest_uuid(const void *data, size_t len, char out[WI_DIGEST_UUID_SIZE]);
/* Digest (same algorithm as `expected`) of a buffer compared with expected: WI_EDIGEST if
 * different. */
int wi_digest_verify_bytes(const char *expected, const void *data, size_t len, wi_err *err);
/* sha256 of a file; size_out optional. */
int wi_digest_file(const char *path, char out[WI_DIGEST_MAX], uint64_t *size_out, wi_err *err);

#endif
