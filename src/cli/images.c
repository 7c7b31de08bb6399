/* wlsimg images: list the images in the local store, as `docker images` does. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/ref.h"
#include "lib/store.h"

struct images_args {
  bool digests;
  bool no_trunc;
  bool quiet;
};

static const struct cli_opt images_opts[] = {
  { "digests", 0, CLI_FLAG, offsetof(struct images_args, digests), NULL, "Show manifest digests",
    false },
  { "no-trunc", 0, CLI_FLAG, offsetof(struct images_args, no_trunc), NULL, "Show full image ids",
    false },
  { "quiet", 'q', CLI_FLAG, offsetof(struct images_args, quiet), NULL, "Only show image ids",
    false },
  CLI_OPT_END,
};

static const struct cli_cmd images_cmd = {
  "images",
  "[OPTIONS] [REPOSITORY[:TAG]]",
  "List images in the local store (only those of REPOSITORY, or REPOSITORY:TAG, when given). IMAGE ID is the config digest (as docker shows it); SIZE is what the\n"
  "store holds for the image (config and compressed layers).",
  images_opts,
  0,
  1,
};

struct row {
  char *repo, *tag, *digest, *id, *created, *size;
};

/* docker's units.HumanDuration. */
static char *
human_since(int64_t created)
{
  if (created < 0)
    return wi_xstrdup("N/A");
  int64_t s = (int64_t)time(NULL) - created;
  int64_t m = s / 60, h = m / 60;
  if (s < 1)
    return wi_xstrdup("Less than a second ago");
  if (s == 1)
    return wi_xstrdup("1 second ago");
  if (s < 60)
    return wi_xasprintf("%lld seconds ago", (long long)s);
  if (m == 1)
    return wi_xstrdup("About a minute ago");
  if (m < 60)
    return wi_xasprintf("%lld minutes ago", (long long)m);
  if (h == 1)
    return wi_xstrdup("About an hour ago");
  if (h < 48)
    return wi_xasprintf("%lld hours ago", (long long)h);
  if (h < 24 * 7 * 2)
    return wi_xasprintf("%lld days ago", (long long)(h / 24));
  if (h < 24 * 30 * 2)
    return wi_xasprintf("%lld weeks ago", (long long)(h / 24 / 7));
  if (h < 24 * 365 * 2)
    return wi_xasprintf("%lld months ago", (long long)(h / 24 / 30));
  return wi_xasprintf("%lld years ago", (long long)(h / 24 / 365));
}

/* docker's units.HumanSize: decimal units, 4 significant digits. */
static char *
human_size(uint64_t n)
{
  static const char *units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
  double v = (double)n;
  size_t u = 0;
  while (v >= 1000.0 && u + 1 < WI_ARRAY_SIZE(units)) {
    v /= 1000.0;
    u++;
  }
  return wi_xasprintf("%.4g%s", v, units[u]);
}

/* "docker.io/library/busybox:latest" → repo "busybox", tag "latest"; "x@sha256:…" → tag <none>. */
static void
split_name(const char *name, char **repo, char **tag)
{
  struct wi_ref r = { 0 };
  if (name == NULL || wi_ref_parse(&r, name, NULL) < 0) {
    *repo = wi_xstrdup(name ? name : "<none>");
    *tag = wi_xstrdup("<none>");
    return;
  }
  char *tg = r.tag;
  char *dg = r.digest;
  r.tag = NULL;
  r.digest = NULL;
  *repo = wi_ref_familiar(&r); /* without tag and digest: the repository alone */
  *tag = wi_xstrdup(tg ? tg : "<none>");
  r.tag = tg;
  r.digest = dg;
  wi_ref_dispose(&r);
}

/* Does the store name match the user's REPOSITORY[:TAG] filter (tag NULL = any tag)? */
static bool
matches(const char *name, const char *repo, const char *tag)
{
  struct wi_ref r = { 0 };
  if (repo == NULL)
    return true;
  if (name == NULL || wi_ref_parse(&r, name, NULL) < 0)
    return false;
  wi_autofree char *rr = wi_ref_repo(&r);
  bool ok = strcmp(rr, repo) == 0 && (tag == NULL || (r.tag && strcmp(r.tag, tag) == 0));
  wi_ref_dispose(&r);
  return ok;
}

static int
cmp_row(const void *a, const void *b)
{
  const struct row *x = a, *y = b;
  int c = strcmp(x->repo, y->repo);
  return c ? c : strcmp(x->tag, y->tag);
}

static void
row_fields(const struct row *r, const char *f[6])
{
  static const char *hdr[] = { "REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE" };
  if (r == NULL) {
    memcpy(f, hdr, sizeof hdr);
    return;
  }
  const char *v[6] = { r->repo, r->tag, r->digest, r->id, r->created, r->size };
  memcpy(f, v, sizeof v);
}

/* Columns padded to their widest cell and three spaces apart (docker's tabwriter look). */
static void
print_table(struct row *rows, size_t n, bool digests)
{
  size_t w[6] = { 0 };
  const char *f[6];
  for (size_t i = 0; i <= n; i++) {
    row_fields(i ? &rows[i - 1] : NULL, f);
    for (int c = 0; c < 6; c++)
      if (strlen(f[c]) > w[c])
        w[c] = strlen(f[c]);
  }
  for (size_t i = 0; i <= n; i++) {
    row_fields(i ? &rows[i - 1] : NULL, f);
    for (int c = 0; c < 5; c++)
      if (c != 2 || digests)
        printf("%-*s   ", (int)w[c], f[c]);
    printf("%s\n", f[5]);
  }
}

int
cmd_images(int argc, char **argv)
{
  struct images_args a = { 0 };
  wi_autofree char **pos = NULL;
  int npos = 0;
  wi_err err = { 0 };
  struct wi_store_entry *e = NULL;
  size_t n = 0;
  int ret = cli_parse(&images_cmd, argc, argv, &a, &pos, &npos);

  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  wi_autofree char *frepo = NULL;
  wi_autofree char *ftag = NULL;
  if (npos == 1) {
    struct wi_ref fr = { 0 };
    if (wi_ref_parse(&fr, pos[0], &err) < 0)
      return cli_fail(&err);
    const char *slash = strrchr(pos[0], '/');
    const char *colon = strrchr(slash ? slash : pos[0], ':');
    frepo = wi_ref_repo(&fr);
    ftag = colon && fr.tag ? wi_xstrdup(fr.tag) : NULL; /* "busybox" means every tag */
    wi_ref_dispose(&fr);
  }
  wi_autoptr(wi_store) struct wi_store *s = NULL;
  ret = wi_store_open_default(&s, false, &err);
  if (ret == WI_ENOTFOUND) {
    if (!a.quiet)
      print_table(NULL, 0, a.digests);
    return CLI_EXIT_OK;
  }
  if (ret < 0 || wi_store_list(s, &e, &n, &err) < 0)
    return cli_fail(&err);
  struct row *rows = wi_xcalloc(n, sizeof *rows);
  size_t nr = 0;
  for (size_t i = 0; i < n; i++) {
    struct wi_image_info info = { .created = -1 };
    if (!matches(e[i].name, frepo, ftag))
      continue;
    if (wi_store_image_info(s, &e[i].desc, &info, &err) < 0) {
      /* One broken image should not hide the others. */
      fprintf(stderr, "wlsimg: %s: %s\n", e[i].name ? e[i].name : e[i].desc.digest, err.msg);
      snprintf(info.config_digest, sizeof info.config_digest, "%s", e[i].desc.digest);
    }
    struct row *r = &rows[nr++];
    split_name(e[i].name, &r->repo, &r->tag);
    r->digest = wi_xstrdup(e[i].desc.digest);
    r->id = a.no_trunc ? wi_xstrdup(info.config_digest)
                       : wi_xstrndup(wi_digest_hex(info.config_digest), 12);
    r->created = human_since(info.created);
    r->size = human_size(info.size);
  }
  qsort(rows, nr, sizeof *rows, cmp_row);
  if (a.quiet) {
    for (size_t i = 0; i < nr; i++)
      printf("%s\n", rows[i].id);
  } else {
    print_table(rows, nr, a.digests);
  }
  for (size_t i = 0; i < nr; i++) {
    free(rows[i].repo);
    free(rows[i].tag);
    free(rows[i].digest);
    free(rows[i].id);
    free(rows[i].created);
    free(rows[i].size);
  }
  free(rows);
  wi_store_entries_free(e, n);
  return CLI_EXIT_OK;
}
