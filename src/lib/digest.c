#include "lib/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/alloc.h"
#include "lib/fs.h"

static bool
is_alg_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int
wi_digest_validate(const char *s, wi_err *err)
{
  const char *colon = strchr(s, ':');
  size_t alen, elen;

  if (colon == NULL || colon == s)
    return wi_err_set(err, WI_EINVAL, "invalid digest \"%.80s\": expected algorithm:hex", s);
  alen = (size_t)(colon - s);
  /* algorithm := [a-z0-9]+ ([+._-][a-z0-9]+)* */
  for (size_t i = 0; i < alen; i++) {
    char c = s[i];
    if (is_alg_char(c))
      continue;
    if ((c == '+' || c == '.' || c == '_' || c == '-') && i > 0 && i + 1 < alen &&
        is_alg_char(s[i - 1]) && is_alg_char(s[i + 1]))
      continue;
    return wi_err_set(err, WI_EINVAL, "invalid digest \"%.80s\": bad algorithm", s);
  }
  const char *enc = colon + 1;
  elen = strlen(enc);
  if (elen == 0)
    return wi_err_set(err, WI_EINVAL, "invalid digest \"%.80s\": empty encoded part", s);
  for (size_t i = 0; i < elen; i++) {
    char c = enc[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '=' ||
          c == '_' || c == '-'))
      return wi_err_set(err, WI_EINVAL, "invalid digest \"%.80s\": bad character in encoded part",
                        s);
  }
  size_t want;
  if (alen == 6 && memcmp(s, "sha256", 6) == 0)
    want = 64;
  else if (alen == 6 && memcmp(s, "sha512", 6) == 0)
    want = 128;
  else
    return wi_err_set(err, WI_EUNSUPPORTED, "unsupported digest algorithm \"%.*s\"", (int)alen, s);
  if (elen != want)
    return wi_err_set(err, WI_EINVAL,
                      "invalid digest \"%.80s\": %.6s needs %zu hex characters, got %zu", s, s,
                      want, elen);
  for (size_t i = 0; i < elen; i++) {
    char c = enc[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return wi_err_set(err, WI_EINVAL, "invalid digest \"%.80s\": not lower-case hex", s);
  }
  return 0;
}

const char *
wi_digest_hex(const char *digest)
{
  const char *c = strchr(digest, ':');
  return c ? c + 1 : digest;
}

int
wi_digest_hasher_init(struct wi_hasher *h, const char *algo, wi_err *err)
{
  const EVP_MD *md;

  if (algo == NULL || strcmp(algo, "sha256") == 0)
    md = EVP_sha256();
  else if (strcmp(algo, "sha512") == 0)
    md = EVP_sha512();
  else
    return wi_err_set(err, WI_EUNSUPPORTED, "unsupported digest algorithm \"%s\"", algo);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (ctx == NULL || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
    EVP_MD_CTX_free(ctx);
    return wi_err_set(err, WI_ERR, "cannot initialise %s", algo ? algo : "sha256");
  }
  h->ctx = ctx;
  snprintf(h->algo, sizeof h->algo, "%s", algo ? algo : "sha256");
  h->size = 0;
  return 0;
}

void
wi_digest_hasher_update(struct wi_hasher *h, const void *data, size_t len)
{
  EVP_DigestUpdate(h->ctx, data, len);
  h->size += len;
}

void
wi_digest_hasher_final(struct wi_hasher *h, char out[WI_DIGEST_MAX])
{
  static const char hex[] = "0123456789abcdef";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  size_t off;

  EVP_DigestFinal_ex(h->ctx, md, &n);
  off = (size_t)snprintf(out, WI_DIGEST_MAX, "%s:", h->algo);
  for (unsigned int i = 0; i < n && off + 2 < WI_DIGEST_MAX; i++) {
    out[off++] = hex[md[i] >> 4];
    out[off++] = hex[md[i] & 15];
  }
  out[off] = '\0';
}

void
wi_digest_hasher_dispose(struct wi_hasher *h)
{
  EVP_MD_CTX_free(h->ctx);
  h->ctx = NULL;
}

void
wi_digest_bytes(const void *data, size_t len, char out[WI_DIGEST_MAX])
{
  struct wi_hasher h;
  if (wi_digest_hasher_init(&h, "sha256", NULL) < 0)
    abort();
  wi_digest_hasher_update(&h, data, len);
  wi_digest_hasher_final(&h, out);
  wi_digest_hasher_dispose(&h);
}

void
wi_digest_uuid(const void *data, size_t len, char out[WI_DIGEST_UUID_SIZE])
{
  char d[WI_DIGEST_MAX];
  wi_digest_bytes(data, len, d);
  const char *h = wi_digest_hex(d);
  snprintf(out, WI_DIGEST_UUID_SIZE, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

int
wi_digest_verify_bytes(const char *expected, const void *data, size_t len, wi_err *err)
{
  char algo[8] = "sha256";
  char got[WI_DIGEST_MAX];
  struct wi_hasher h;
  const char *colon = strchr(expected, ':');

  if (colon && (size_t)(colon - expected) < sizeof algo)
    snprintf(algo, sizeof algo, "%.*s", (int)(colon - expected), expected);
  int ret = wi_digest_hasher_init(&h, algo, err);
  if (ret < 0)
    return ret;
  wi_digest_hasher_update(&h, data, len);
  wi_digest_hasher_final(&h, got);
  wi_digest_hasher_dispose(&h);
  if (strcmp(got, expected) != 0)
    return wi_err_set(err, WI_EDIGEST, "digest mismatch: expected %s, got %s", expected, got);
  return 0;
}

static int
hash_sink(const void *data, size_t len, void *payload, wi_err *err)
{
  WI_UNUSED(err);
  wi_digest_hasher_update(payload, data, len);
  return 0;
}

int
wi_digest_file(const char *path, char out[WI_DIGEST_MAX], uint64_t *size_out, wi_err *err)
{
  wi_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct wi_hasher h;

  if (fd < 0)
    return wi_err_sys(err, errno == ENOENT ? WI_ENOTFOUND : WI_EIO, "open %s", path);
  int ret = wi_digest_hasher_init(&h, "sha256", err);
  if (ret < 0)
    return ret;
  ret = wi_fs_read_each(fd, path, hash_sink, &h, err);
  if (ret == 0) {
    if (size_out)
      *size_out = h.size;
    wi_digest_hasher_final(&h, out);
  }
  wi_digest_hasher_dispose(&h);
  return ret;
}
