/* Unit tests for rebase.c (native `rebase --targetImage`), update.c (config-only `update`) and
 * image.c's subtree walk and layer listings, on images built here layer by layer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "imgfix.h"
#include "lib/fs.h"
#include "lib/rebase.h"
#include "lib/update.h"

#define DH "u01/domains/d"

static const char passwd[] = "root:x:0:0:root:/:/bin/sh\noracle:x:1000:1001::/u01:/bin/sh\n";
static const char group[] = "root:x:0:\noracle:x:1001:\nwls:x:1002:\n";
static const char secret[] = "\x01\x00\x02secret\x00"
                             "bytes\xff";

static struct wi_store *store;

static const char *const target_env[] = { "PATH=/bin", "DOMAIN_HOME=/old",
                                          "ORACLE_HOME=/u01/oracle", NULL };

/* The target: an OS layer and an Oracle Home layer. extra (may be NULL) adds a third layer. */
static void
make_target(struct fixture *t, const char *name, const struct ent *extra, size_t n_extra)
{
  const struct ent os[] = {
    { "etc", AE_IFDIR },
    { "etc/passwd", AE_IFREG, passwd },
    { "etc/group", AE_IFREG, group },
    { "u01", AE_IFDIR, NULL, 0775, 1000, 1001 },
  };
  const struct ent oh[] = {
    { "u01/oracle", AE_IFDIR, NULL, 0750, 1000, 1001 },
    { "u01/oracle/registry.xml", AE_IFREG, "<registry/>", 0640, 1000, 1001 },
  };
  fixture_init_in(t, store, name, target_env);
  fixture_layer(t, os, WI_ARRAY_SIZE(os));
  fixture_layer(t, oh, WI_ARRAY_SIZE(oh));
  if (extra)
    fixture_layer(t, extra, n_extra);
  snprintf(t->img.manifest_digest, sizeof t->img.manifest_digest, "sha256:%s-%zu", name, t->n);
}

/* The source: a domain in two layers, the upper one deleting, hiding and replacing. */
static void
make_source(struct fixture *s)
{
  static const char *const env[] = { "DOMAIN_HOME=/" DH, NULL };
  const struct ent lower[] = {
    { "u01", AE_IFDIR, NULL, 0755, 0, 0 },
    { "u01/domains", AE_IFDIR, NULL, 0755, 500, 500 },
    { DH, AE_IFDIR, NULL, 0750, 500, 500 },
    { DH "/config", AE_IFDIR, NULL, 0750, 500, 500 },
    { DH "/config/config.xml", AE_IFREG, "<domain>old</domain>", 0640, 500, 500 },
    { DH "/security", AE_IFDIR, NULL, 0750, 500, 500 },
    { DH "/security/SerializedSystemIni.dat", AE_IFREG, secret, 0640, 500, 500, sizeof secret - 1 },
    { DH "/old.txt", AE_IFREG, "old", 0644, 500, 500 },
    { DH "/gone", AE_IFDIR, NULL, 0755, 500, 500 },
    { DH "/gone/x.txt", AE_IFREG, "x", 0644, 500, 500 },
    { DH "/opq", AE_IFDIR, NULL, 0755, 500, 500 },
    { DH "/opq/a.txt", AE_IFREG, "a", 0644, 500, 500 },
    { DH "/lib", AE_IFDIR, NULL, 0750, 500, 500 },
    { DH "/lib/a.jar", AE_IFREG, "jar bytes", 0640, 500, 500 },
    { DH "/lib/b.jar", AE_IFREG, NULL, 0640, 500, 500, 0, DH "/lib/a.jar" },
    { DH "/bin", AE_IFDIR, NULL, 0750, 500, 500 },
    { DH "/bin/start.sh", AE_IFLNK, "../lib/a.jar", 0777, 500, 500 },
    { "u01/oracle", AE_IFDIR, NULL, 0750, 500, 500 },
    { "u01/oracle/old-home.txt", AE_IFREG, "the old Oracle Home", 0640, 500, 500 },
  };
  const struct ent upper[] = {
    { DH "/.wh.old.txt", AE_IFREG, "" },
    { DH "/.wh.gone", AE_IFREG, "" },
    { DH "/opq/.wh..wh..opq", AE_IFREG, "" },
    { DH "/opq/b.txt", AE_IFREG, "b", 0644, 500, 500 },
    { DH "/config/config.xml", AE_IFREG, "<domain>new</domain>", 0600, 500, 500 },
  };
  fixture_init_in(s, store, "source", env);
  fixture_layer(s, lower, WI_ARRAY_SIZE(lower));
  fixture_layer(s, upper, WI_ARRAY_SIZE(upper));
  snprintf(s->img.manifest_digest, sizeof s->img.manifest_digest, "sha256:source");
}

/* The image named name in the store. */
static struct wi_image *
load(const char *name)
{
  struct wi_image *img = NULL;
  wi_err err = { 0 };
  if (wi_image_open(&img, store, name, NULL, false, NULL, &err) < 0) {
    fprintf(stderr, "  load %s: %s\n", name, err.msg);
    return NULL;
  }
  return img;
}

struct seen {
  char list[4096];
};

static int
list_entry(struct wi_image_walk *w, const struct wi_image_entry *e, void *payload, wi_err *err)
{
  struct seen *s = payload;
  char data[64] = "";
  WI_UNUSED(err);
  if (e->type == WI_LAYER_FILE) {
    ssize_t n = wi_image_walk_read(w, data, sizeof data - 1, err);
    if (n < 0)
      return (int)n;
    data[n] = '\0';
    for (ssize_t i = 0; i < n; i++)
      if ((unsigned char)data[i] < 0x20 || (unsigned char)data[i] >= 0x7f)
        data[i] = '.';
  }
  size_t l = strlen(s->list);
  snprintf(s->list + l, sizeof s->list - l, "%s %c%o %u:%u %s\n", e->path + strlen(DH),
           "fdlh"[e->type], e -> mode, e -> uid, e -> gid,
           e -> type == WI_LAYER_FILE ? data : e -> link
           ? e -> link + (e->type == WI_LAYER_HARDLINK ? strlen(DH) : 0)
           : "");
  return 0;
}

static void
walk_dh(const struct wi_image *img, struct seen *s)
{
  wi_err err = { 0 };
  s->list[0] = '\0';
  CHECK_INT_EQ(wi_image_walk(store, img->manifest, "/" DH, list_entry, s, &err), 0);
}

static int
rebase(struct fixture *src, struct fixture *tgt, const char *tag, bool openshift,
       struct wi_rebase_result *res, wi_err *err)
{
  struct wi_rebase_opts o = { .store = store,
                              .source = &src->img,
                              .target = &tgt->img,
                              .domain_home = "/" DH,
                              .user = "oracle",
                              .group = "wls",
                              .openshift = openshift,
                              .tag = tag };
  return wi_rebase_build(&o, res, err);
}

TEST(walk_merges_layers)
{
  struct fixture src;
  struct seen s;
  make_source(&src);
  walk_dh(&src.img, &s);
  /* topmost first: the upper layer's entries, then what the lower one still shows */
  CHECK_STR_EQ(s.list, "/opq/b.txt f644 500:500 b\n"
                       "/config/config.xml f600 500:500 <domain>new</domain>\n"
                       " d750 500:500 \n"
                       "/config d750 500:500 \n"
                       "/security d750 500:500 \n"
                       "/security/SerializedSystemIni.dat f640 500:500 ...secret.bytes.\n"
                       "/opq d755 500:500 \n"
                       "/lib d750 500:500 \n"
                       "/lib/a.jar f640 500:500 jar bytes\n"
                       "/lib/b.jar h640 500:500 /lib/a.jar\n"
                       "/bin d750 500:500 \n"
                       "/bin/start.sh l777 500:500 ../lib/a.jar\n");
  fixture_dispose(&src);
}

TEST(rebase_onto_target)
{
  struct fixture src, tgt;
  struct wi_rebase_result res;
  wi_err err = { 0 };
  struct seen s;
  make_source(&src);
  make_target(&tgt, "target", NULL, 0);
  CHECK_INT_EQ(rebase(&src, &tgt, "rebased:1", false, &res, &err), 0);
  CHECK_STR_EQ(err.msg, "");
  CHECK_INT_EQ(res.uid, 1000);
  CHECK_INT_EQ(res.gid, 1002);
  CHECK_INT_EQ(res.n_entries, 11);
  wi_autoptr(wi_image) struct wi_image *img = load("rebased:1");
  if (img == NULL) {
    CHECK(0);
    fixture_dispose(&tgt);
    fixture_dispose(&src);
    return;
  }
  CHECK_STR_EQ(img->manifest_digest, res.digest);
  CHECK_INT_EQ(img->manifest->n_layers, 4); /* target's 2 + mkdir + COPY */
  walk_dh(img, &s);
  /* the domain home keeps the mkdir's 0755 uid:primary gid; copied entries are oracle:wls with
   * their modes; the whiteouts and the opaque directory of the source are honoured */
  CHECK_STR_EQ(s.list, " d755 1000:1001 \n"
                       "/opq/b.txt f644 1000:1002 b\n"
                       "/config/config.xml f600 1000:1002 <domain>new</domain>\n"
                       "/config d750 1000:1002 \n"
                       "/security d750 1000:1002 \n"
                       "/security/SerializedSystemIni.dat f640 1000:1002 ...secret.bytes.\n"
                       "/opq d755 1000:1002 \n"
                       "/lib d750 1000:1002 \n"
                       "/lib/a.jar f640 1000:1002 jar bytes\n"
                       "/lib/b.jar h640 1000:1002 /lib/a.jar\n"
                       "/bin d750 1000:1002 \n"
                       "/bin/start.sh l777 1000:1002 ../lib/a.jar\n");
  struct wi_image_file f[] = { { .path = "u01" },
                               { .path = "u01/domains" },
                               { .path = DH "/security/SerializedSystemIni.dat" },
                               { .path = "u01/oracle/old-home.txt" } };
  CHECK_INT_EQ(wi_image_read_files(store, img->manifest, f, 4, 1 << 20, &err), 0);
  CHECK_INT_EQ(f[0].mode, 0775); /* an existing parent as it was */
  CHECK_INT_EQ(f[0].uid, 1000);
  CHECK_INT_EQ(f[1].mode, 0755); /* made by mkdir -p as the user */
  CHECK_INT_EQ(f[1].gid, 1001);
  CHECK(f[2].found && f[2].len == sizeof secret - 1 && memcmp(f[2].data, secret, f[2].len) == 0);
  CHECK(!f[3].found); /* only the domain home comes from the source */
  wi_image_files_dispose(f, 4);
  /* config: DOMAIN_HOME replaced in place, USER, WORKDIR, the label, WIT's history */
  CHECK_STR_EQ(wi_imgconfig_get_env(img->config, "DOMAIN_HOME"), "/" DH);
  CHECK_STR_EQ(wi_imgconfig_get_user(img->config), "oracle");
  CHECK_STR_EQ(wi_imgconfig_get_workdir(img->config), "/" DH);
  CHECK_STR_EQ(wi_imgconfig_get_label(img->config, "com.oracle.weblogic.imagetool.buildid"),
               res.build_id);
  CHECK_INT_EQ(strlen(res.build_id), 36);
  size_t len = 0;
  wi_autofree char *cfg = wi_imgconfig_serialize(img->config, &len);
  CHECK(strstr(cfg, "\"PATH=/bin\",\"DOMAIN_HOME=/" DH "\",\"ORACLE_HOME") != NULL);
  CHECK(strstr(cfg, "COPY --from=source_image --chown=oracle:wls /" DH " /" DH "/") != NULL);
  /* the same inputs give the same image */
  struct wi_rebase_result again;
  CHECK_INT_EQ(rebase(&src, &tgt, NULL, false, &again, &err), 0);
  CHECK_STR_EQ(again.digest, res.digest);
  fixture_dispose(&tgt);
  fixture_dispose(&src);
}

TEST(existing_directories_keep_owner_and_mode)
{
  struct fixture src, tgt;
  struct wi_rebase_result res;
  wi_err err = { 0 };
  struct seen s;
  const struct ent pre[] = {
    { "u01/domains", AE_IFDIR, NULL, 0700, 0, 0 },
    { DH, AE_IFDIR, NULL, 0711, 0, 0 },
    { DH "/config", AE_IFDIR, NULL, 0700, 7, 7 },
    { DH "/config/keep.xml", AE_IFREG, "kept", 0600, 7, 7 },
  };
  make_source(&src);
  make_target(&tgt, "target-with-dh", pre, WI_ARRAY_SIZE(pre));
  CHECK_INT_EQ(rebase(&src, &tgt, "rebased:2", false, &res, &err), 0);
  wi_autoptr(wi_image) struct wi_image *img = load("rebased:2");
  if (img == NULL) {
    CHECK(0);
    fixture_dispose(&tgt);
    fixture_dispose(&src);
    return;
  }
  CHECK_INT_EQ(img->manifest->n_layers, 4); /* target's 3 + COPY: nothing to mkdir */
  walk_dh(img, &s);
  CHECK_STR_HAS(s.list, " d711 0:0 \n");
  CHECK_STR_HAS(s.list, "/config d700 7:7 \n");
  CHECK_STR_HAS(s.list, "/config/keep.xml f600 7:7 kept\n"); /* a COPY deletes nothing */
  CHECK_STR_HAS(s.list, "/config/config.xml f600 1000:1002 <domain>new</domain>\n");
  fixture_dispose(&tgt);
  fixture_dispose(&src);
}

TEST(openshift_group_bits)
{
  struct fixture src, tgt;
  struct wi_rebase_result res;
  wi_err err = { 0 };
  struct seen s;
  make_source(&src);
  make_target(&tgt, "target-os", NULL, 0);
  CHECK_INT_EQ(rebase(&src, &tgt, "rebased:os", true, &res, &err), 0);
  wi_autoptr(wi_image) struct wi_image *img = load("rebased:os");
  if (img == NULL) {
    CHECK(0);
    fixture_dispose(&tgt);
    fixture_dispose(&src);
    return;
  }
  CHECK_INT_EQ(img->manifest->n_layers, 5); /* + the chmod layer */
  walk_dh(img, &s);
  CHECK_STR_HAS(s.list, " d775 1000:1001 \n");
  CHECK_STR_HAS(s.list, "/config/config.xml f660 1000:1002 <domain>new</domain>\n");
  CHECK_STR_HAS(s.list, "/lib d770 1000:1002 \n");
  CHECK_STR_HAS(s.list, "/bin/start.sh l777 1000:1002 ../lib/a.jar\n");
  CHECK_STR_HAS(s.list, "/security/SerializedSystemIni.dat f660 1000:1002 ...secret.bytes.\n");
  fixture_dispose(&tgt);
  fixture_dispose(&src);
}

/* A model-only source: WIT copies its WDT home; mkdir, ENV and WORKDIR still name the domain home.
 */
TEST(model_only_copies_the_wdt_home)
{
  struct fixture src, tgt;
  struct wi_rebase_result res;
  wi_err err = { 0 };
  static const char *const env[] = { "DOMAIN_HOME=/u01/domains/mii", "WDT_HOME=/u01/wdt", NULL };
  const struct ent mii[] = {
    { "u01/wdt", AE_IFDIR, NULL, 0750, 500, 500 },
    { "u01/wdt/models", AE_IFDIR, NULL, 0750, 500, 500 },
    { "u01/wdt/models/model.yaml", AE_IFREG, "domainInfo:\n", 0640, 500, 500 },
  };
  fixture_init_in(&src, store, "mii-source", env);
  fixture_layer(&src, mii, WI_ARRAY_SIZE(mii));
  make_target(&tgt, "mii-target", NULL, 0);
  struct wi_rebase_opts o = { .store = store,
                              .source = &src.img,
                              .target = &tgt.img,
                              .domain_home = "/u01/domains/mii",
                              .copy_path = "/u01/wdt",
                              .user = "oracle",
                              .group = "wls",
                              .tag = "rebased:mii" };
  CHECK_INT_EQ(wi_rebase_build(&o, &res, &err), 0);
  CHECK_STR_EQ(err.msg, "");
  wi_autoptr(wi_image) struct wi_image *img = load("rebased:mii");
  if (img) {
    struct wi_image_file f[] = { { .path = "u01/domains/mii" },
                                 { .path = "u01/wdt" },
                                 { .path = "u01/wdt/models/model.yaml" } };
    CHECK_INT_EQ(wi_image_read_files(store, img->manifest, f, 3, 4096, &err), 0);
    CHECK(f[0].found && f[0].is_dir && f[0].mode == 0755 && f[0].uid == 1000 && f[0].gid == 1001);
    CHECK(f[1].found && f[1].is_dir && f[1].uid == 1000 && f[1].gid == 1002);
    CHECK(f[2].found && f[2].mode == 0640 && f[2].uid == 1000 && f[2].gid == 1002);
    CHECK_STR_EQ(wi_imgconfig_get_workdir(img->config), "/u01/domains/mii");
    wi_image_files_dispose(f, 3);
  } else {
    CHECK(0);
  }
  fixture_dispose(&tgt);
  fixture_dispose(&src);
}

TEST(errors_name_what_is_wrong)
{
  struct fixture src, tgt, bad;
  struct wi_rebase_result res;
  make_source(&src);
  make_target(&tgt, "target-err", NULL, 0);
  struct wi_rebase_opts o = { .store = store,
                              .source = &src.img,
                              .target = &tgt.img,
                              .domain_home = "/" DH,
                              .user = "nobody",
                              .group = "wls",
                              .tag = "bad:1" };
  wi_err err = { 0 };
  CHECK_INT_EQ(wi_rebase_build(&o, &res, &err), WI_EINVAL);
  CHECK_STR_EQ(err.msg, "user nobody is not in /etc/passwd of the target image");
  o.user = "oracle";
  o.group = "nogroup";
  CHECK_INT_EQ(wi_rebase_build(&o, &res, &(wi_err){ 0 }), WI_EINVAL);
  o.group = "wls";
  o.domain_home = "/u01/domains/other";
  err = (wi_err){ 0 };
  CHECK_INT_EQ(wi_rebase_build(&o, &res, &err), WI_ENOTFOUND);
  CHECK_STR_EQ(err.msg, "the source image has no /u01/domains/other");
  o.domain_home = "relative/path";
  CHECK_INT_EQ(wi_rebase_build(&o, &res, &(wi_err){ 0 }), WI_EINVAL);
  /* a hard link from the domain home to a file outside it */
  const struct ent hl[] = {
    { "etc/x", AE_IFREG, "outside" },
    { DH, AE_IFDIR },
    { DH "/x", AE_IFREG, NULL, 0644, 0, 0, 0, "etc/x" },
  };
  fixture_init_in(&bad, store, "bad-source", NULL);
  fixture_layer(&bad, hl, WI_ARRAY_SIZE(hl));
  o.source = &bad.img;
  o.domain_home = "/" DH;
  err = (wi_err){ 0 };
  CHECK_INT_EQ(wi_rebase_build(&o, &res, &err), WI_EUNSUPPORTED);
  CHECK_STR_HAS(err.msg, "is a hard link to /etc/x, outside /" DH);
  struct wi_descriptor d = { 0 };
  CHECK_INT_EQ(wi_store_resolve(store, "docker.io/library/bad:1", &d, &err), WI_ENOTFOUND);
  fixture_dispose(&bad);
  fixture_dispose(&tgt);
  fixture_dispose(&src);
}

TEST(update_config_only)
{
  struct fixture tgt;
  struct wi_update_result r1, r2;
  wi_err err = { 0 };
  make_target(&tgt, "update-base", NULL, 0);
  struct wi_update_opts o = { .store = store, .from = &tgt.img, .user = "oracle", .tag = "upd:1" };
  CHECK_INT_EQ(wi_update_build(&o, &r1, &err), 0);
  o.tag = NULL;
  CHECK_INT_EQ(wi_update_build(&o, &r2, &err), 0);
  CHECK_STR_EQ(r1.digest, r2.digest);
  wi_autoptr(wi_image) struct wi_image *img = load("upd:1");
  if (img) {
    CHECK_INT_EQ(img->manifest->n_layers, 2); /* no new layer */
    CHECK_STR_EQ(wi_imgconfig_get_env(img->config, "OPATCH_NO_FUSER"), "true");
    CHECK_STR_EQ(wi_imgconfig_get_user(img->config), "oracle");
    CHECK_STR_EQ(wi_imgconfig_get_label(img->config, "com.oracle.weblogic.imagetool.buildid"),
                 r1.build_id);
  } else {
    CHECK(0);
  }
  o.user = NULL;
  CHECK_INT_EQ(wi_update_build(&o, &r2, &err), WI_EINVAL);
  fixture_dispose(&tgt);
}

/* Once a layer has been read, its listing lets later readers skip it: here the Oracle Home layer
 * of the target is deleted from the store after a first read, and reading the domain home or
 * /etc/passwd again must not need it. */
TEST(layer_listing_skips_layers)
{
  struct fixture tgt;
  wi_err err = { 0 };
  struct seen s;
  const struct ent dom[] = { { DH, AE_IFDIR }, { DH "/f", AE_IFREG, "f" } };
  make_target(&tgt, "listing", dom, WI_ARRAY_SIZE(dom));
  walk_dh(&tgt.img, &s);
  CHECK_STR_EQ(s.list, " d755 0:0 \n/f f644 0:0 f\n");
  struct wi_image_file f[] = { { .path = "etc/passwd" } };
  CHECK_INT_EQ(wi_image_read_files(store, tgt.img.manifest, f, 1, 4096, &err), 0);
  wi_image_files_dispose(f, 1);
  wi_autofree char *blob = wi_store_blob_path(store, tgt.layers[1].digest);
  CHECK_INT_EQ(unlink(blob), 0);
  walk_dh(&tgt.img, &s);
  CHECK_STR_EQ(s.list, " d755 0:0 \n/f f644 0:0 f\n");
  CHECK_INT_EQ(wi_image_read_files(store, tgt.img.manifest, f, 1, 4096, &err), 0);
  CHECK(f[0].found && strcmp(f[0].data, passwd) == 0);
  wi_image_files_dispose(f, 1);
  /* a directory of the deleted layer: its listing has the owner and mode */
  struct wi_image_file d[] = { { .path = "u01/oracle" } };
  CHECK_INT_EQ(wi_image_read_files(store, tgt.img.manifest, d, 1, 4096, &err), 0);
  CHECK(d[0].found && d[0].is_dir && d[0].mode == 0750 && d[0].uid == 1000 && d[0].gid == 1001);
  wi_image_files_dispose(d, 1);
  /* a file of the deleted layer needs the layer */
  struct wi_image_file g[] = { { .path = "u01/oracle/registry.xml" } };
  CHECK(wi_image_read_files(store, tgt.img.manifest, g, 1, 4096, &err) < 0);
  wi_image_files_dispose(g, 1);
  fixture_dispose(&tgt);
}

int
main(void)
{
  wi_err err = { 0 };
  tmp_root = wi_fs_mkdtemp("wlsimg-rebase-test", &err);
  if (tmp_root == NULL)
    return 1;
  wi_autofree char *root = wi_xasprintf("%s/store", tmp_root);
  if (wi_store_open(&store, root, true, &err) < 0)
    return 1;
  RUN(walk_merges_layers);
  RUN(rebase_onto_target);
  RUN(existing_directories_keep_owner_and_mode);
  RUN(openshift_group_bits);
  RUN(model_only_copies_the_wdt_home);
  RUN(errors_name_what_is_wrong);
  RUN(update_config_only);
  RUN(layer_listing_skips_layers);
  wi_store_free(store);
  wi_fs_rm_rf(tmp_root, &err);
  free(tmp_root);
  DONE();
}
