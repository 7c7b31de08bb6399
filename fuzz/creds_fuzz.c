/* Fuzz target: the credential files and the credential-helper protocol. The first byte selects the
 * format of the rest: docker's config.json, containers' auth.json, or a docker-credential-*
 * helper's answer to "get". Properties: a failure has a code and a message; a success has a secret
 * (password, identity token or registry token) and says where it came from. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/creds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ret, const struct wi_cred *c, const wi_err *err)
{
  if (ret < 0 && ret != WI_ENOTFOUND && (err->code != ret || err->msg[0] == '\0'))
    abort();
  if (ret == 0 && (c->source == NULL ||
                   (c->password == NULL && c->identity_token == NULL && c->registry_token == NULL)))
    abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  const char *text = (const char *)data + 1;
  size_t len = size - 1;
  struct wi_cred c = { 0 };
  wi_err err = { 0 };
  int ret;

  switch (data[0] % 3) {
  case 0:
  case 1: {
    char *helper = NULL;
    bool containers = data[0] % 3 == 1;
    ret = wi_creds_parse_file(text, len, "fuzz.json", containers, "registry.example:5000", "ns/app",
                              &c, &helper, &err);
    free(helper);
    /* the Docker Hub spellings go through the same matching */
    if (ret < 0) {
      wi_err e2 = { 0 };
      struct wi_cred h = { 0 };
      char *hh = NULL;
      int r2 =
          wi_creds_parse_file(text, len, "fuzz.json", containers, "docker.io", NULL, &h, &hh, &e2);
      check(r2, &h, &e2);
      free(hh);
      if (r2 == 0)
        wi_creds_dispose(&h);
    }
    break;
  }
  default:
    ret = wi_creds_parse_helper_output("fuzz", text, len, &c, &err);
    break;
  }
  check(ret, &c, &err);
  if (ret == 0)
    wi_creds_dispose(&c);
  return 0;
}
