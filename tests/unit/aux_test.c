/* Unit tests: createAuxImage pieces — the WIT Dockerfile text, input checks, and reading files from
 * layers (whiteouts, links). */
#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/aux.h"
#include "lib/aux_int.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/image.h"
#include "lib/layer.h"
#include "lib/passwd.h"
#include "lib/witcache.h"
#include "lib/yaml.h"
#include "normalize.h"

/* ---- fixtures ---- */

static char *tmpdir;
static char *cache_dir;

static void
put(const char *name, const char *text)
{
  wi_err err = { 0 };
  char *p = wi_xasprintf("%s/%s", tmpdir, name);
  wi_fs_write_file_atomic(p, text, strlen(text), 0644, &err);
  free(p);
}

/* A zip with the given entries (name, content; a name ending in '/' is a directory). */
static void
make_zip(const char *name, const char *const *entries, size_t n)
{
  char *p = wi_xasprintf("%s/%s", tmpdir, name);
  struct archive *a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_open_filename(a, p);
  for (size_t i = 0; i < n; i += 2) {
    struct archive_entry *e = archive_entry_new();
    size_t l = strlen(entries[i]);
    archive_entry_set_pathname(e, entries[i]);
    if (entries[i][l - 1] == '/') {
      archive_entry_set_filetype(e, AE_IFDIR);
      archive_entry_set_perm(e, 0750);
    } else {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, strstr(entries[i], ".sh") ? 0750 : 0640);
      archive_entry_set_size(e, (la_int64_t)strlen(entries[i + 1]));
    }
    archive_write_header(a, e);
    if (entries[i][l - 1] != '/')
      archive_write_data(a, entries[i + 1], strlen(entries[i + 1]));
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  free(p);
}

static void
setup(void)
{
  wi_err err = { 0 };
  tmpdir = wi_fs_mkdtemp("builder-test", &err);
  static const char *const wdt[] = { "weblogic-deploy/",
                                     "",
                                     "weblogic-deploy/bin/",
                                     "",
                                     "weblogic-deploy/bin/createDomain.sh",
                                     "#!/bin/sh\n",
                                     "weblogic-deploy/VERSION.txt",
                                     "4.3.1\n" };
  make_zip("weblogic-deploy.zip", wdt, WI_ARRAY_SIZE(wdt));
  static const char *const arch[] = { "wlsdeploy/applications/app.war", "war" };
  make_zip("archive.zip", arch, WI_ARRAY_SIZE(arch));
  static const char *const evil[] = { "wlsdeploy/../../x", "boom" };
  make_zip("evil.zip", evil, WI_ARRAY_SIZE(evil));
  put("m1.yaml", "domainInfo:\n  AdminUserName: weblogic\n");
  put("ol8.properties",
      "packageManager=MICRODNF\n__OS__ID=\"ol\"\n__OS__NAME=\"Oracle Linux Server\"\n__OS__VERSION=\"8.10\"\n");
  put("m2.yaml",
      "appDeployments:\n  Application:\n    app:\n      SourcePath: wlsdeploy/applications/app.war\n");
  put("vars.properties", "A=1\n");
  put("bad.yaml", "a: [1, 2\nb: c\n");
  cache_dir = wi_xasprintf("%s/cache", tmpdir);
  char *inst = wi_xasprintf("%s/weblogic-deploy.zip", tmpdir);
  enum wi_witcache_add_result res;
  wi_witcache_add_file(cache_dir, "wdt_latest", inst, false, &res, NULL, NULL, &err);
  free(inst);
}

static char *
fpath(const char *name)
{
  return wi_xasprintf("%s/%s", tmpdir, name);
}

/* Make a plan from comma-free lists; returns the Dockerfile or the error message. */
static char *
plan_for(struct wi_aux_opts *o, int *ret_out)
{
  wi_err err = { 0 };
  struct wi_aux_plan *p = NULL;
  o->cache_dir = cache_dir;
  if (o->tag == NULL)
    o->tag = "x";
  if (o->platforms.n == 0) {
    static const char *amd[] = { "linux/amd64" };
    o->platforms.v = amd;
    o->platforms.n = 1;
  }
  *ret_out = wi_aux_plan_new(&p, o, &err);
  if (*ret_out < 0)
    return wi_xstrdup(err.msg);
  char *df = wi_aux_dockerfile_render(p);
  CHECK_INT_EQ(strlen(wi_aux_plan_build_id(p)), 36);
  wi_aux_plan_free(p);
  return df;
}

/* WIT's Dockerfile for createAuxImage (wit-compat §5.4), normalised (tests/unit/normalize.h). */
static const char wit_5_4[] =
    "FROM busybox AS os_update\n"
    "LABEL com.oracle.weblogic.imagetool.buildid=\"BUILDID\"\n"
    "USER root\n"
    "RUN if [ -z \"$(grep ^oracle: /etc/group)\" ]; then addgroup oracle || exit 1 ; fi && if [ -z \"$(grep ^oracle: /etc/group)\" ]; then addgroup oracle || exit 1 ; fi && if [ -z \"$(grep ^oracle: /etc/passwd)\" ]; then adduser -D -G oracle oracle || exit 1 ; fi\n"
    "FROM os_update AS wdt_build\n"
    "RUN mkdir -p /auxiliary && mkdir -p /auxiliary/models && chown oracle:oracle /auxiliary\n"
    "COPY --chown=oracle:oracle [\"weblogic-deploy.zip\", \"/tmp/imagetool/\"]\n"
    "RUN test -d /auxiliary/weblogic-deploy && rm -rf /auxiliary/weblogic-deploy || echo Initial WDT install && unzip -q \"/tmp/imagetool/weblogic-deploy.zip\" -d /auxiliary\n"
    "FROM os_update AS final\n"
    "ENV AUXILIARY_IMAGE_PATH=/auxiliary WDT_HOME=/auxiliary WDT_MODEL_HOME=/auxiliary/models\n"
    "RUN mkdir -p /auxiliary && chown oracle:oracle /auxiliary\n"
    "COPY --from=wdt_build --chown=oracle:oracle /auxiliary /auxiliary/\n"
    "RUN mkdir -p /auxiliary/models && chown oracle:oracle /auxiliary/models\n"
    "COPY --chown=oracle:oracle [\"m1.yaml\", \"/auxiliary/models/\"]\n"
    "COPY --chown=oracle:oracle [\"m2.yaml\", \"/auxiliary/models/\"]\n"
    "COPY --chown=oracle:oracle [\"archive.zip\", \"/auxiliary/models/\"]\n"
    "COPY --chown=oracle:oracle [\"vars.properties\", \"/auxiliary/models/\"]\n"
    "RUN chmod -R 640 /auxiliary/models/*\n"
    "USER oracle\n"
    "WORKDIR /auxiliary\n";

TEST(dockerfile_wit_example)
{
  char *m1 = fpath("m1.yaml"), *m2 = fpath("m2.yaml"), *ar = fpath("archive.zip"),
       *va = fpath("vars.properties");
  const char *models[] = { m1, m2 }, *archives[] = { ar }, *vars[] = { va };
  struct wi_aux_opts o = { .models = { models, 2 },
                           .archives = { archives, 1 },
                           .variables = { vars, 1 } };
  int r;
  char *df = plan_for(&o, &r);
  CHECK_INT_EQ(r, 0);
  char *norm = wit_normalize(df);
  CHECK_STR_EQ(norm, wit_5_4);
  free(norm);
  /* same inputs, same build id; different inputs, another one */
  struct wi_aux_plan *p1 = NULL, *p2 = NULL;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_aux_plan_new(&p1, &o, &err), 0);
  CHECK_INT_EQ(wi_aux_plan_new(&p2, &o, &err), 0);
  CHECK_STR_EQ(wi_aux_plan_build_id(p1), wi_aux_plan_build_id(p2));
  wi_aux_plan_free(p2);
  o.wdt_home = "/u01/wdt";
  CHECK_INT_EQ(wi_aux_plan_new(&p2, &o, &err), 0);
  CHECK(strcmp(wi_aux_plan_build_id(p1), wi_aux_plan_build_id(p2)) != 0);
  CHECK(!wi_aux_plan_needs_engine(p1));
  wi_aux_plan_free(p1);
  wi_aux_plan_free(p2);
  free(df);
  free(m1);
  free(m2);
  free(ar);
  free(va);
}

TEST(dockerfile_variants)
{
  char *m1 = fpath("m1.yaml");
  const char *models[] = { m1 };
  const char *args[] = { "MYARG=1" };
  int r;
  /* --wdtVersion none: no installer steps; build args as ARG; OpenShift default group root */
  struct wi_aux_opts o = {
    .models = { models, 1 }, .wdt_version = "NONE", .openshift = true, .build_args = { args, 1 }
  };
  char *df = plan_for(&o, &r);
  CHECK_INT_EQ(r, 0);
  CHECK_STR_HAS(df, "FROM busybox AS os_update\nARG MYARG\nLABEL");
  /* WIT's aux template: no ARG after the other FROMs */
  CHECK(strstr(strstr(df, "AS wdt_build"), "ARG MYARG") == NULL);
  CHECK(strstr(df, "weblogic-deploy") == NULL);
  CHECK(strstr(df, "COPY --from=wdt_build") == NULL);
  CHECK_STR_HAS(df, "COPY --chown=oracle:root [\"m1.yaml\", \"/auxiliary/models/\"]\n");
  CHECK_STR_HAS(df, "adduser -D -G root oracle");
  free(df);
  /* no WDT files: no model-home steps; homes as typed; an Oracle Linux 8 base described by
   * --fromImageProperties: its package manager and user commands, as WIT's probe would find them */
  char *props = fpath("ol8.properties");
  struct wi_aux_opts o2 = { .wdt_home = "/u01/wdt/",
                            .wdt_model_home = "/u01/models",
                            .from_image = "ghcr.io/oracle/oraclelinux:8-slim",
                            .from_image_props = props,
                            .chown = "oracle:root" };
  df = plan_for(&o2, &r);
  CHECK_INT_EQ(r, 0);
  CHECK_STR_HAS(df, "FROM ghcr.io/oracle/oraclelinux:8-slim AS os_update\n");
  CHECK_STR_HAS(df, "useradd -g root oracle");
  char *norm = wit_normalize(df);
  CHECK_STR_HAS(
      norm,
      "RUN microdnf update && microdnf install gzip tar unzip libaio libnsl jq findutils diffutils make fontconfig freetype && microdnf clean all\n");
  CHECK_STR_HAS(norm,
                "RUN mkdir -p /u01/wdt/ && mkdir -p /u01/models && chown oracle:root /u01/wdt/\n");
  CHECK_STR_HAS(norm, "WDT_HOME=/u01/wdt/ WDT_MODEL_HOME=/u01/models\n");
  CHECK(strstr(df, "chmod -R 640") == NULL);
  CHECK_STR_HAS(norm, "WORKDIR /u01/wdt/\n");
  free(norm);
  free(df);
  free(props);
  free(m1);
}

TEST(plan_errors)
{
  char *m1 = fpath("m1.yaml"), *bad = fpath("bad.yaml"), *evil = fpath("evil.zip");
  char *other = wi_xasprintf("%s/sub", tmpdir);
  mkdir(other, 0755);
  char *dup = wi_xasprintf("%s/sub/m1.yaml", tmpdir);
  put("sub/m1.yaml", "a: b\n");
  static const struct {
    const char *model, *archive, *version, *chown, *platform, *want;
  } cases[] = {
    { "nope.yaml", NULL, NULL, NULL, NULL, "WDT model file nope.yaml could not be found." },
    { NULL, "nope.zip", NULL, NULL, NULL, "WDT archive file nope.zip could not be found." },
    { NULL, NULL, "none", NULL, NULL, "You must provide at least one of" },
    { "BAD", NULL, NULL, NULL, NULL, "bad.yaml: line 2, column 2: invalid YAML" },
    { "DUP", NULL, NULL, NULL, NULL, "have the same file name m1.yaml" },
    { NULL, "EVIL", NULL, NULL, NULL, "entry wlsdeploy/../../x escapes its directory" },
    { "M1", NULL, "3.0", NULL, NULL,
      "Installer with key=\"wdt_3.0_amd64\" is not in the local cache" },
    { "M1", NULL, NULL, "oracle", NULL, "expected user:group" },
    { "M1", NULL, NULL, NULL, "linux/s390", "--platform" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *models[2] = { NULL, NULL }, *archives[1] = { NULL };
    struct wi_aux_opts o = { .wdt_version = cases[i].version, .chown = cases[i].chown };
    const char *m = cases[i].model;
    if (m) {
      size_t n = 1;
      models[0] = !strcmp(m, "BAD") ? bad : !strcmp(m, "M1") || !strcmp(m, "DUP") ? m1 : m;
      if (!strcmp(m, "DUP"))
        models[n++] = dup;
      o.models.v = models;
      o.models.n = n;
    }
    if (cases[i].archive) {
      archives[0] = !strcmp(cases[i].archive, "EVIL") ? evil : cases[i].archive;
      o.archives.v = archives;
      o.archives.n = 1;
    }
    const char *pl[] = { cases[i].platform };
    if (cases[i].platform) {
      o.platforms.v = pl;
      o.platforms.n = 1;
    }
    int r;
    char *msg = plan_for(&o, &r);
    CHECK(r < 0);
    CHECK_STR_HAS(msg, cases[i].want);
    free(msg);
  }
  free(m1);
  free(bad);
  free(evil);
  free(other);
  free(dup);
}

TEST(yaml_refs)
{
  char **refs = NULL;
  size_t n = 0;
  wi_err err = { 0 };
  const char *y =
      "a:\n  SourcePath: wlsdeploy/applications/x.war\n  b: [wlsdeploy/lib/y.jar, other]\n  c: wlsdeploy/applications/x.war\n";
  CHECK_INT_EQ(wi_yaml_check("m.yaml", y, strlen(y), &refs, &n, &err), 0);
  CHECK_INT_EQ(n, 2);
  CHECK_STR_EQ(refs[0], "wlsdeploy/applications/x.war");
  CHECK_STR_EQ(refs[1], "wlsdeploy/lib/y.jar");
  wi_yaml_refs_free(refs, n);
  CHECK_INT_EQ(wi_yaml_check("m.yaml", "a: 'x\n", 6, NULL, NULL, &err), WI_EINVAL);
  CHECK_STR_HAS(err.msg, "m.yaml: line ");
  /* many references, each twice: deduplicated in first-seen order (a search per scalar made
   * this quadratic) */
  struct wi_buf b = WI_BUF_INIT(1 << 24);
  wi_buf_adds(&b, "a:\n", NULL);
  for (int i = 0; i < 2; i++)
    for (int k = 100000; k > 0; k--)
      wi_buf_addf(&b, NULL, "  - wlsdeploy/f%d\n", k);
  refs = NULL;
  n = 0;
  CHECK_INT_EQ(wi_yaml_check("big.yaml", b.data, b.len, &refs, &n, &err), 0);
  CHECK_INT_EQ(n, 100000);
  if (n == 100000) {
    CHECK_STR_EQ(refs[0], "wlsdeploy/f100000");
    CHECK_STR_EQ(refs[99999], "wlsdeploy/f1");
  }
  wi_yaml_refs_free(refs, n);
  wi_buf_dispose(&b);
}

/* ---- reading files from layers ---- */

static void
add_file(struct wi_layer_writer *w, const char *path, const char *data)
{
  wi_err err = { 0 };
  struct wi_layer_entry e = {
    .path = path, .type = WI_LAYER_FILE, .mode = 0644, .data = data, .size = strlen(data)
  };
  wi_layer_add(w, &e, &err);
}

TEST(layers_whiteouts_links)
{
  wi_err err = { 0 };
  char *root = fpath("store");
  struct wi_store *s = NULL;
  CHECK_INT_EQ(wi_store_open(&s, root, true, &err), 0);
  struct wi_layer_opts lo = { .add_parents = true };
  struct wi_layer_result r1, r2;
  struct wi_layer_writer *w = wi_layer_writer_new(&lo);
  add_file(w, "etc/passwd", "root:x:0:0::/:/bin/sh\n");
  add_file(w, "usr/lib/os-release", "ID=test\nNAME=\"Test OS\"\nVERSION_ID=1.0\n");
  struct wi_layer_entry ln = { .path = "etc/os-release",
                               .type = WI_LAYER_SYMLINK,
                               .mode = 0777,
                               .link = "../usr/lib/os-release" };
  wi_layer_add(w, &ln, &err);
  add_file(w, "a/gone", "x");
  add_file(w, "opq/old", "x");
  add_file(w, "keep", "lower");
  CHECK_INT_EQ(wi_layer_writer_finish_store(w, s, &r1, &err), 0);
  wi_layer_writer_free(w);
  w = wi_layer_writer_new(&lo);
  add_file(w, "a/.wh.gone", "");
  add_file(w, "opq/.wh..wh..opq", "");
  add_file(w, "opq/new", "n");
  add_file(w, "keep", "upper");
  CHECK_INT_EQ(wi_layer_writer_finish_store(w, s, &r2, &err), 0);
  wi_layer_writer_free(w);

  struct wi_descriptor layers[2] = { { .digest = r1.digest, .size = r1.size },
                                     { .digest = r2.digest, .size = r2.size } };
  struct wi_manifest m = { .kind = WI_MANIFEST_IMAGE, .layers = layers, .n_layers = 2 };
  struct wi_image_file f[] = { { .path = "/etc/passwd" }, { .path = "/etc/os-release" },
                               { .path = "a/gone" },      { .path = "opq/old" },
                               { .path = "opq/new" },     { .path = "keep" },
                               { .path = "nothing" },     { .path = "/usr/lib" } };
  CHECK_INT_EQ(wi_image_read_files(s, &m, f, WI_ARRAY_SIZE(f), 1 << 20, &err), 0);
  CHECK(f[0].found);
  CHECK_STR_EQ(f[0].data, "root:x:0:0::/:/bin/sh\n");
  CHECK(f[1].found); /* followed the relative symlink */
  CHECK_STR_HAS(f[1].data, "NAME=\"Test OS\"");
  CHECK(!f[2].found); /* whiteout */
  CHECK(!f[3].found); /* opaque directory */
  CHECK(f[4].found);
  CHECK_STR_EQ(f[5].data, "upper"); /* top layer wins */
  CHECK(!f[6].found);
  CHECK(f[7].found && f[7].is_dir);
  wi_image_files_dispose(f, WI_ARRAY_SIZE(f));
  wi_store_free(s);
  free(root);
}

/* A tar of entries "name", "name/" (directory), "name>target" (symbolic link), "name=target" (hard
 * link). */
static char *
make_link_tar(const char *file, const char *const *entries, size_t n)
{
  char *p = fpath(file);
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open_filename(a, p);
  for (size_t i = 0; i < n; i++) {
    struct archive_entry *e = archive_entry_new();
    wi_autofree char *name = wi_xstrdup(entries[i]);
    char *sym = strchr(name, '>'), *hard = strchr(name, '=');
    size_t l = strlen(name);
    if (sym)
      *sym++ = '\0';
    if (hard)
      *hard++ = '\0';
    archive_entry_set_pathname(e, name);
    archive_entry_set_perm(e, 0644);
    if (sym) {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, sym);
    } else if (hard) {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_hardlink(e, hard);
    } else {
      archive_entry_set_filetype(e, name[l - 1] == '/' ? AE_IFDIR : AE_IFREG);
    }
    archive_write_header(a, e);
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return p;
}

/* Links resolved as extraction would: each entry is harmless alone, together they leave. */
TEST(archive_link_chains)
{
  static const struct {
    const char *entries[4];
    const char *want; /* NULL: accepted */
  } cases[] = {
    { { "a>.", "a/b>..", "a/b/etc/passwd" }, "entry a/b lies beneath the symbolic link a -> ." },
    { { "x/y", "x>." }, "symbolic link x comes after entries at or beneath that path" },
    { { "d/", "d/f", "d>." }, "symbolic link d comes after entries at or beneath that path" },
    { { "l>.", "l" }, "entry l replaces the symbolic link l -> ." },
    { { "w/y>.", "w/x>y/../.." },
      "symbolic link w/x -> y/../.. leads outside the archive through the symbolic link w/y -> ." },
    { { "w/y>..", "w/x>y/.." },
      "symbolic link w/x -> y/.. leads outside the archive through the symbolic link w/y -> .." },
    { { "p>q", "q>p" }, "symbolic link p -> q: too many levels of symbolic links" },
    { { "l>.", "f", "h=l/f" }, "hard link h -> l/f goes through the symbolic link l -> ." },
    { { "up>../x" }, "symbolic link up -> ../x points outside the archive" },
    { { "abs>/etc" }, "symbolic link abs -> /etc points outside the archive" },
    { { "a/../../b" }, "entry a/../../b escapes its directory" },
    { { "lib/a.jar", "cur>lib/a.jar", "d>lib", "e>d/a.jar" }, NULL },
    { { "./w/", "w/y>.", "w/x>y/..", "w/z>x/lib" }, NULL },
  };
  for (size_t i = 0; i < WI_ARRAY_SIZE(cases); i++) {
    size_t n = 0;
    while (n < 4 && cases[i].entries[n])
      n++;
    wi_autofree char *name = wi_xasprintf("links%zu.tar", i);
    wi_autofree char *path = make_link_tar(name, cases[i].entries, n);
    wi_err err = { 0 };
    int ret = wi_aux_archive_scan(path, NULL, NULL, &err);
    if (cases[i].want == NULL) {
      CHECK_INT_EQ(ret, 0);
      CHECK_STR_EQ(err.msg, "");
    } else {
      CHECK_INT_EQ(ret, WI_EINVAL);
      CHECK_STR_HAS(err.msg, cases[i].want);
      CHECK_STR_HAS(err.msg, name);
    }
  }
}

/* The plan refuses an installer with a link chain before anything is built (dry runs too). */
TEST(plan_installer_link_chain)
{
  static const char *const chain[] = { "weblogic-deploy/VERSION.txt", "weblogic-deploy/y>.",
                                       "weblogic-deploy/x>y/../.." };
  wi_autofree char *inst = make_link_tar("wdt-chain.tar", chain, WI_ARRAY_SIZE(chain));
  wi_autofree char *model = fpath("m1.yaml");
  enum wi_witcache_add_result res;
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_witcache_add_file(cache_dir, "wdt_chain", inst, false, &res, NULL, NULL, &err),
               0);
  const char *models[] = { model };
  struct wi_aux_opts o = { .wdt_version = "chain", .dry_run = true };
  o.models.v = models;
  o.models.n = 1;
  int ret = 0;
  wi_autofree char *msg = plan_for(&o, &ret);
  CHECK_INT_EQ(ret, WI_EINVAL);
  CHECK_STR_HAS(msg, "symbolic link weblogic-deploy/x -> y/../.. leads outside the archive");
}

int
main(void)
{
  setup();
  RUN(dockerfile_wit_example);
  RUN(dockerfile_variants);
  RUN(plan_errors);
  RUN(yaml_refs);
  RUN(layers_whiteouts_links);
  RUN(archive_link_chains);
  RUN(plan_installer_link_chain);
  wi_err err = { 0 };
  wi_fs_rm_rf(tmpdir, &err);
  free(tmpdir);
  free(cache_dir);
  DONE();
}
