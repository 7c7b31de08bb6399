/* wlsimg images: list the images in the local store, as `docker images` does. */
#include <fnmatch.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/gotmpl.h"
#include "lib/ref.h"
#include "lib/store.h"

struct images_args {
  bool digests;
  bool no_trunc;
  bool quiet;
  const char *format;
  struct cli_list filters;
};

static const struct cli_opt images_opts[] = {
  { "digests", 0, CLI_FLAG, offsetof(struct images_args, digests), NULL, "Show manifest digests",
    false },
  { "filter", 'f', CLI_LIST, offsetof(struct images_args, filters), "KEY=VALUE",
    "Only images that match: reference=GLOB (as docker: busybox, '*/app:1*'), dangling=true|false; "
    "repeatable (one reference of several; every other key)",
    false },
  { "format", 0, CLI_STRING, offsetof(struct images_args, format), "table|json|TEMPLATE",
    "Output: table (default), json (one object per line) or a Go template such as "
    "'{{.Repository}}:{{.Tag}}' or 'table {{.ID}}\\t{{.Size}}' (the fields are listed above)",
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
  "List images in the local store (only those of REPOSITORY, or REPOSITORY:TAG, when given). IMAGE\n"
  "ID is the config digest (as docker shows it); SIZE is what the store holds for the image (config\n"
  "and compressed layers). An image a name has moved away from is listed as <none> <none> until\n"
  "'wlsimg image prune' or 'wlsimg rmi ID' removes it.\n"
  "\n"
  "Template fields: .Repository .Tag .ID .Digest .CreatedSince .CreatedAt .Size (and docker's\n"
  ".VirtualSize, .Containers, .SharedSize, .UniqueSize). Actions: {{.Field}}, {{json .}},\n"
  "{{json .Field}}, {{upper .Field}}, {{lower .Field}}, {{truncate .Field N}}; \\t and \\n are a tab\n"
  "and a newline; 'table' first aligns the columns under a header.",
  images_opts,
  0,
  1,
  CLI_COMPLETE_IMAGE,
};

/* One row: the record's fields in docker's order (its JSON sorts them by name). */
enum {
  F_CONTAINERS,
  F_CREATED_AT,
  F_CREATED_SINCE,
  F_DIGEST,
  F_ID,
  F_REPOSITORY,
  F_SHARED_SIZE,
  F_SIZE,
  F_TAG,
  F_UNIQUE_SIZE,
  F_VIRTUAL_SIZE,
  N_FIELDS
};
static const char *const field_names[N_FIELDS] = {
  "Containers", "CreatedAt", "CreatedSince", "Digest",     "ID",          "Repository",
  "SharedSize", "Size",      "Tag",          "UniqueSize", "VirtualSize",
};
static const char *const field_headers[N_FIELDS] = {
  "CONTAINERS",  "CREATED AT", "CREATED", "DIGEST",      "IMAGE ID",     "REPOSITORY",
  "SHARED SIZE", "SIZE",       "TAG",     "UNIQUE SIZE", "VIRTUAL SIZE",
};

struct row {
  char *f[N_FIELDS];
  bool dangling;
};

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
  if (x->dangling != y->dangling)
    return x->dangling - y->dangling; /* <none> rows last */
  int c = strcmp(x->f[F_REPOSITORY], y->f[F_REPOSITORY]);
  return c ? c : strcmp(x->f[F_TAG], y->f[F_TAG]);
}

struct filters {
  const char **refs; /* reference=GLOB: any of them */
  size_t n_refs;
  int dangling; /* -1 any, 0 tagged only, 1 untagged only */
};

static void
filters_dispose(struct filters *f)
{
  free(f->refs);
}

static int
parse_filters(const struct cli_list *l, struct filters *f)
{
  f->dangling = -1;
  for (size_t i = 0; i < l->n; i++) {
    const char *eq = strchr(l->v[i], '=');
    if (eq == NULL)
      return cli_usage_error("images", "--filter %s: expected KEY=VALUE", l->v[i]);
    size_t kl = (size_t)(eq - l->v[i]);
    if (kl == 9 && strncmp(l->v[i], "reference", kl) == 0) {
      f->refs = wi_xreallocarray(f->refs, f->n_refs + 1, sizeof *f->refs);
      f->refs[f->n_refs++] = eq + 1;
    } else if (kl == 8 && strncmp(l->v[i], "dangling", kl) == 0) {
      bool b;
      if (cli_parse_bool(eq + 1, &b) < 0)
        return cli_usage_error("images", "--filter %s: expected dangling=true or dangling=false",
                               l->v[i]);
      f->dangling = b;
    } else {
      return cli_usage_error(
          "images", "--filter %s: unsupported filter \"%.*s\" (supported: reference, dangling)",
          l->v[i], (int)kl, l->v[i]);
    }
  }
  return 0;
}

/* docker's reference filter: the glob against "repo:tag", then against "repo" alone ('*' does not
 * cross '/'). */
static bool
filter_match(const struct filters *f, const struct row *r)
{
  if (f->dangling >= 0 && r->dangling != (f->dangling == 1))
    return false;
  if (f->n_refs == 0)
    return true;
  if (r->dangling)
    return false;
  wi_autofree char *full = wi_xasprintf("%s:%s", r->f[F_REPOSITORY], r->f[F_TAG]);
  for (size_t i = 0; i < f->n_refs; i++)
    if (fnmatch(f->refs[i], full, FNM_PATHNAME) == 0 ||
        fnmatch(f->refs[i], r->f[F_REPOSITORY], FNM_PATHNAME) == 0)
      return true;
  return false;
}

static char *
created_at(int64_t t)
{
  if (t < 0)
    return wi_xstrdup("N/A");
  char buf[64];
  time_t tt = (time_t)t;
  struct tm tm;
  localtime_r(&tt, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z %Z", &tm);
  return wi_xstrdup(buf);
}

static void
fill_row(struct row *r, const struct wi_store_entry *e, const struct wi_image_info *info,
         bool no_trunc)
{
  r->dangling = e->name == NULL;
  split_name(e->name, &r->f[F_REPOSITORY], &r->f[F_TAG]);
  r->f[F_DIGEST] = wi_xstrdup(e->desc.digest);
  r->f[F_ID] = no_trunc ? wi_xstrdup(info->config_digest)
                        : wi_xstrndup(wi_digest_hex(info->config_digest), 12);
  r->f[F_CREATED_SINCE] = cli_human_since(info->created);
  r->f[F_CREATED_AT] = created_at(info->created);
  r->f[F_SIZE] = cli_human_size(info->size);
  r->f[F_VIRTUAL_SIZE] = wi_xstrdup(r->f[F_SIZE]);
  r->f[F_CONTAINERS] = wi_xstrdup("N/A");
  r->f[F_SHARED_SIZE] = wi_xstrdup("N/A");
  r->f[F_UNIQUE_SIZE] = wi_xstrdup("N/A");
}

static char *
record(const char *const *values)
{
  const char *kv[2 * N_FIELDS];
  for (size_t i = 0; i < N_FIELDS; i++) {
    kv[2 * i] = field_names[i];
    kv[2 * i + 1] = values[i];
  }
  return wi_gotmpl_record(kv, N_FIELDS);
}

/* Render the rows with --format (or the default table); nothing is printed on a template error. */
static int
print_rows(const struct images_args *a, struct row *rows, size_t n)
{
  const char *def =
      a->digests
          ? "table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}"
          : "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}";
  wi_autofree char *hdr = record(field_headers);
  char **recs = wi_xcalloc(n ? n : 1, sizeof *recs);
  for (size_t i = 0; i < n; i++)
    recs[i] = record((const char *const *)rows[i].f);
  int ret = cli_print_records("images", a->format, def, hdr, recs, n);
  for (size_t i = 0; i < n; i++)
    free(recs[i]);
  free(recs);
  return ret;
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
  __attribute__((cleanup(filters_dispose))) struct filters flt = { 0 };
  int ret = cli_parse(&images_cmd, argc, argv, &a, &pos, &npos);

  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (parse_filters(&a.filters, &flt) != 0)
    return CLI_EXIT_USAGE;
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
  if (ret == WI_ENOTFOUND)
    return a.quiet ? CLI_EXIT_OK : print_rows(&a, NULL, 0);
  if (ret < 0 || wi_store_list(s, &e, &n, &err) < 0)
    return cli_fail(&err);
  struct row *rows = wi_xcalloc(n ? n : 1, sizeof *rows);
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
    fill_row(&rows[nr], &e[i], &info, a.no_trunc);
    if (filter_match(&flt, &rows[nr])) {
      nr++;
    } else {
      for (size_t k = 0; k < N_FIELDS; k++)
        free(rows[nr].f[k]);
    }
  }
  qsort(rows, nr, sizeof *rows, cmp_row);
  if (a.quiet) {
    for (size_t i = 0; i < nr; i++)
      printf("%s\n", rows[i].f[F_ID]);
  } else {
    ret = print_rows(&a, rows, nr);
  }
  for (size_t i = 0; i < nr; i++)
    for (size_t k = 0; k < N_FIELDS; k++)
      free(rows[i].f[k]);
  free(rows);
  wi_store_entries_free(e, n);
  return ret;
}
