/* Unit tests for src/lib/digest.c: digest grammar, hashers, verification, file digests. */
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/digest.h"
#include "lib/fs.h"

#define SHA256_EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_ABC   "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA512_ABC                                                                                \
  "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c" \
  "23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct digest_case {
  const char *in;
  int code;
  const char *msg;
};

static const struct digest_case digest_cases[] = {
  { SHA256_EMPTY, 0, NULL },
  { SHA512_ABC, 0, NULL },
  { "sha256:" HEX64, 0, NULL },
  { "", WI_EINVAL, "expected algorithm:hex" },
  { "sha256", WI_EINVAL, "expected algorithm:hex" },
  { ":" HEX64, WI_EINVAL, "expected algorithm:hex" },
  { "sha256:", WI_EINVAL, "empty encoded part" },
  { "SHA256:" HEX64, WI_EINVAL, "bad algorithm" },
  { "sha-:" HEX64, WI_EINVAL, "bad algorithm" },
  { "-sha:" HEX64, WI_EINVAL, "bad algorithm" },
  { "sha256:" HEX64 "0", WI_EINVAL, "sha256 needs 64 hex characters, got 65" },
  { "sha256:abc", WI_EINVAL, "needs 64 hex characters, got 3" },
  { "sha512:" HEX64, WI_EINVAL, "sha512 needs 128 hex characters, got 64" },
  { "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", WI_EINVAL,
    "not lower-case hex" },
  { "sha256:0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef", WI_EINVAL,
    "not lower-case hex" },
  { "sha256:" HEX64 " ", WI_EINVAL, "bad character in encoded part" },
  { "sha256:a/b", WI_EINVAL, "bad character" },
  /* well-formed but unknown algorithms are unsupported, not invalid */
  { "md5:d41d8cd98f00b204e9800998ecf8427e", WI_EUNSUPPORTED,
    "unsupported digest algorithm \"md5\"" },
  { "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", WI_EUNSUPPORTED,
    "unsupported digest algorithm" },
  { "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", WI_EUNSUPPORTED, "unsupported" },
};

TEST(test_digest_validate)
{
  for (size_t i = 0; i < WI_ARRAY_SIZE(digest_cases); i++) {
    const struct digest_case *tc = &digest_cases[i];
    wi_err err = { 0 };
    int ret = wi_digest_validate(tc->in, &err);
    if (ret != tc->code)
      fprintf(stderr, "  case %zu (%s): got %d %s\n", i, tc->in, ret, err.msg);
    CHECK_INT_EQ(ret, tc->code);
    if (tc->code) {
      CHECK_INT_EQ(err.code, tc->code);
      CHECK_STR_HAS(err.msg, tc->msg);
    } else {
      CHECK_INT_EQ(err.code, 0); /* err is written only on failure */
    }
  }
}

TEST(test_digest_hex)
{
  CHECK_STR_EQ(wi_digest_hex(SHA256_ABC), &SHA256_ABC[7]);
  CHECK_STR_EQ(wi_digest_hex("nocolon"), "nocolon");
}

TEST(test_digest_bytes)
{
  char d[WI_DIGEST_MAX];

  wi_digest_bytes("", 0, d);
  CHECK_STR_EQ(d, SHA256_EMPTY);
  wi_digest_bytes("abc", 3, d);
  CHECK_STR_EQ(d, SHA256_ABC);
}

TEST(test_hasher)
{
  struct wi_hasher h;
  char d[WI_DIGEST_MAX];
  wi_err err = { 0 };

  /* streamed in pieces equals one shot */
  CHECK_INT_EQ(wi_digest_hasher_init(&h, NULL, &err), 0);
  wi_digest_hasher_update(&h, "a", 1);
  wi_digest_hasher_update(&h, "", 0);
  wi_digest_hasher_update(&h, "bc", 2);
  CHECK_INT_EQ(h.size, 3);
  wi_digest_hasher_final(&h, d);
  wi_digest_hasher_dispose(&h);
  CHECK_STR_EQ(d, SHA256_ABC);

  CHECK_INT_EQ(wi_digest_hasher_init(&h, "sha512", &err), 0);
  wi_digest_hasher_update(&h, "abc", 3);
  wi_digest_hasher_final(&h, d);
  wi_digest_hasher_dispose(&h);
  CHECK_STR_EQ(d, SHA512_ABC);
  CHECK_INT_EQ(strlen(d), WI_DIGEST_MAX - 1);

  CHECK_INT_EQ(wi_digest_hasher_init(&h, "md5", &err), WI_EUNSUPPORTED);
  CHECK_STR_HAS(err.msg, "unsupported digest algorithm \"md5\"");
}

TEST(test_digest_verify_bytes)
{
  wi_err err = { 0 };

  CHECK_INT_EQ(wi_digest_verify_bytes(SHA256_ABC, "abc", 3, &err), 0);
  CHECK_INT_EQ(wi_digest_verify_bytes(SHA512_ABC, "abc", 3, &err), 0);
  CHECK_INT_EQ(wi_digest_verify_bytes(SHA256_ABC, "abd", 3, &err), WI_EDIGEST);
  CHECK_STR_HAS(err.msg, "digest mismatch: expected " SHA256_ABC ", got sha256:");
  CHECK_INT_EQ(wi_digest_verify_bytes("md5:900150983cd24fb0d6963f7d28e17f72", "abc", 3, &err),
               WI_EUNSUPPORTED);
  CHECK_STR_HAS(err.msg, "md5");
}

TEST(test_digest_file)
{
  wi_err err = { 0 };
  char d[WI_DIGEST_MAX];
  uint64_t size = 0;
  char *dir = wi_fs_mkdtemp("digest-test", &err);

  CHECK(dir != NULL);
  if (dir == NULL)
    return;
  char *path = wi_xasprintf("%s/f", dir);
  /* larger than the 64 KiB read buffer */
  size_t n = 200000;
  char *data = wi_xmalloc(n);
  for (size_t i = 0; i < n; i++)
    data[i] = (char)(i * 7);
  CHECK_INT_EQ(wi_fs_write_file_atomic(path, data, n, 0600, &err), 0);
  CHECK_INT_EQ(wi_digest_file(path, d, &size, &err), 0);
  CHECK_INT_EQ(size, n);
  char want[WI_DIGEST_MAX];
  wi_digest_bytes(data, n, want);
  CHECK_STR_EQ(d, want);
  CHECK_INT_EQ(wi_digest_file(path, d, NULL, &err), 0);

  char *missing = wi_xasprintf("%s/missing", dir);
  CHECK_INT_EQ(wi_digest_file(missing, d, NULL, &err), WI_ENOTFOUND);
  CHECK_STR_HAS(err.msg, "open ");
  CHECK_STR_HAS(err.msg, "missing");
  CHECK_INT_EQ(wi_fs_rm_rf(dir, &err), 0);
  free(missing);
  free(data);
  free(path);
  free(dir);
}

int
main(void)
{
  RUN(test_digest_validate);
  RUN(test_digest_hex);
  RUN(test_digest_bytes);
  RUN(test_hasher);
  RUN(test_digest_verify_bytes);
  RUN(test_digest_file);
  DONE();
}
