/* wlsimg cache: WIT's `imagetool cache` (listItems, addInstaller, addPatch, addEntry, deleteEntry),
 * and downloadPatches: the patches and OPatch a create would apply, put into the cache ahead of an
 * offline build.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/witlog.h"
#include "cli/witpass.h"
#include "lib/alloc.h"
#include "lib/patch_resolve.h"
#include "lib/witcache.h"

struct cache_args {
  const char *key;
  const char *value;
  const char *type;
  const char *version;
  const char *path;
  const char *arch;
  const char *patch_id;
  bool force;
  /* downloadPatches */
  struct cli_list patches;
  const char *platform;
  const char *opatch_bug;
  const char *user;
  const char *password_env;
  const char *password_file;
  const char *password; /* "" when --password was given alone */
  bool latest_psu;
  bool recommended;
  bool skip_opatch_update;
};

static const struct cli_opt list_opts[] = {
  { "key", 0, CLI_STRING, offsetof(struct cache_args, key), "regex",
    "List only keys matching this regular expression", false },
  CLI_OPT_END,
};
static const struct cli_opt installer_opts[] = {
  { "type", 't', CLI_STRING, offsetof(struct cache_args, type), "type",
    "Installer type (wls, fmw, jdk, wdt, …; default wls)", false },
  { "version", 'v', CLI_STRING, offsetof(struct cache_args, version), "version",
    "Installer version", true },
  { "path", 'p', CLI_STRING, offsetof(struct cache_args, path), "file",
    "Location of the installer file", true },
  { "architecture", 'a', CLI_STRING, offsetof(struct cache_args, arch), "arch", "AMD64 or ARM64",
    false },
  { "force", 0, CLI_FLAG, offsetof(struct cache_args, force), NULL, "Overwrite an existing entry",
    false },
  CLI_OPT_END,
};
static const struct cli_opt patch_opts[] = {
  { "patchId", 0, CLI_STRING, offsetof(struct cache_args, patch_id), "id",
    "Patch id: <bug>_<version>", true },
  { "path", 'p', CLI_STRING, offsetof(struct cache_args, path), "file",
    "Location of the patch file", true },
  { "force", 0, CLI_FLAG, offsetof(struct cache_args, force), NULL, "Overwrite an existing entry",
    false },
  CLI_OPT_END,
};
static const struct cli_opt entry_opts[] = {
  { "key", 0, CLI_STRING, offsetof(struct cache_args, key), "key", "Entry key", true },
  { "value", 0, CLI_STRING, offsetof(struct cache_args, value), "value", "Entry value", true },
  CLI_OPT_END,
};
static const struct cli_opt delete_opts[] = {
  { "key", 0, CLI_STRING, offsetof(struct cache_args, key), "key",
    "Entry key (deleteAll4Sure empties the cache)", true },
  CLI_OPT_END,
};

static const struct cli_opt download_opts[] = {
  { "patches", 0, CLI_LIST, offsetof(struct cache_args, patches), "ids",
    "Comma separated patch ids (12345678 or 12345678_12.2.1.4.0)", false },
  { "latestPSU", 0, CLI_FLAG, offsetof(struct cache_args, latest_psu), NULL,
    "Also the latest PSU of each product of --type", false },
  { "recommendedPatches", 0, CLI_FLAG, offsetof(struct cache_args, recommended), NULL,
    "Also Oracle's recommended patches for --type and --version", false },
  { "type", 0, CLI_STRING, offsetof(struct cache_args, type), "type",
    "Installer type (WLS, WLSSLIM, FMW, SOA, OHS, …; default WLS)", false },
  { "version", 0, CLI_STRING, offsetof(struct cache_args, version), "version",
    "Installer version the patches are for (default 12.2.1.3.0)", false },
  { "platform", 0, CLI_STRING, offsetof(struct cache_args, platform), "platform",
    "linux/amd64 or linux/arm64 (default: this machine's)", false },
  { "opatchBugNumber", 0, CLI_STRING, offsetof(struct cache_args, opatch_bug), "bug[_version]",
    "OPatch patch to fetch (default by --version)", false },
  { "skipOpatchUpdate", 0, CLI_FLAG, offsetof(struct cache_args, skip_opatch_update), NULL,
    "Do not fetch OPatch", false },
  { "user", 0, CLI_STRING, offsetof(struct cache_args, user), "email",
    "Oracle Support user (without it, only check that the cache has everything)", false },
  { "password", 0, CLI_OPTIONAL, offsetof(struct cache_args, password), NULL,
    "Ask for the Oracle Support password (no echo; or a line from stdin); a value is refused",
    false },
  { "passwordEnv", 0, CLI_STRING, offsetof(struct cache_args, password_env), "name",
    "Environment variable holding the password", false },
  { "passwordFile", 0, CLI_STRING, offsetof(struct cache_args, password_file), "file",
    "File whose first line is the password", false },
  CLI_OPT_END,
};

static const struct cli_cmd subcmds[] = {
  { "cache listItems", "[--key REGEX]", "List cache entries (sorted by key)", list_opts, 0, 0 },
  { "cache addInstaller", "--version V --path FILE [OPTIONS]", "Add an installer to the cache",
    installer_opts, 0, 0 },
  { "cache addPatch", "--patchId ID --path FILE [--force]", "Add a patch to the cache", patch_opts,
    0, 0 },
  { "cache addEntry", "--key K --value V", "Add or replace a cache entry", entry_opts, 0, 0 },
  { "cache deleteEntry", "--key K", "Delete a cache entry", delete_opts, 0, 0 },
  { "cache downloadPatches", "[--patches IDS] [--recommendedPatches|--latestPSU] [OPTIONS]",
    "Put the patches and OPatch a create would apply into the cache (for offline builds)",
    download_opts, 0, 0 },
};

static const char *const installer_types[] = { "wlsdev", "wlsslim", "wls", "fmw", "soa",
                                               "osb",    "b2b",     "mft", "idm", "oam",
                                               "ohs",    "db19",    "oud", "oid", "wcc",
                                               "wcp",    "wcs",     "jdk", "wdt", "odi" };

static int
do_list(const char *dir, const struct cache_args *a)
{
  struct wi_props p = { 0 };
  wi_err err = { 0 };
  if (wi_witcache_list(dir, a->key, &p, &err) < 0)
    return wit_fail(&err);
  if (p.n == 0) {
    wit_log(WIT_INFO, "cache is empty");
  } else {
    printf("Cache contents\n");
    for (size_t i = 0; i < p.n; i++)
      printf("%s=%s\n", p.v[i].key, p.v[i].value);
  }
  wi_props_dispose(&p);
  return CLI_EXIT_OK;
}

static int
add_file(const char *dir, const char *key, const char *path, bool force)
{
  wi_err err = { 0 };
  enum wi_witcache_add_result res;
  wi_autofree char *value = NULL;
  wi_autofree char *old = NULL;

  if (wi_witcache_add_file(dir, key, path, force, &res, &value, &old, &err) < 0)
    return wit_fail(&err);
  if (res == WI_WITCACHE_UNCHANGED)
    wit_log(WIT_INFO, "Installer %s already exists in cache as %s, nothing to do", key, value);
  else
    wit_log(WIT_INFO, "Successfully added to cache. %s=%s", key, value);
  return CLI_EXIT_OK;
}

static int
do_add_installer(const char *dir, const struct cache_args *a)
{
  const char *type = a->type ? a->type : "wls";
  bool known = false;
  for (size_t i = 0; i < WI_ARRAY_SIZE(installer_types); i++)
    known = known || strcasecmp(type, installer_types[i]) == 0;
  if (!known)
    return cli_usage_error(
        "cache addInstaller",
        "invalid value '%s' for option '--type' (expected one of wlsdev, wlsslim, wls, fmw, soa, osb, b2b, mft, idm, oam, ohs, db19, oud, oid, wcc, wcp, wcs, jdk, wdt, odi)",
        type);
  if (strcasecmp(a->version, "none") == 0) {
    wit_log(WIT_SEVERE, "--version none is not an installer version");
    return CLI_EXIT_FAIL;
  }
  wi_autofree char *key = wi_witcache_installer_key(type, a->version);
  if (a->arch) {
    const char *arch;
    if (!strcasecmp(a->arch, "amd64") || !strcasecmp(a->arch, "x86_64") ||
        !strcasecmp(a->arch, "linux/amd64"))
      arch = "amd64";
    else if (!strcasecmp(a->arch, "arm64") || !strcasecmp(a->arch, "aarch64") ||
             !strcasecmp(a->arch, "linux/arm64"))
      arch = "arm64";
    else
      return cli_usage_error(
          "cache addInstaller",
          "invalid value '%s' for option '--architecture' (expected AMD64 or ARM64)", a->arch);
    char *k2 = wi_xasprintf("%s_%s", key, arch);
    free(key);
    key = k2;
  }
  return add_file(dir, key, a->path, a->force);
}

static int
do_add_patch(const char *dir, const struct cache_args *a)
{
  wi_err err = { 0 };
  if (wi_patch_validate_cache_id(a->patch_id, &err) < 0)
    return wit_fail(&err);
  return add_file(dir, a->patch_id, a->path, a->force);
}

/* --patches values, each split at commas as WIT's picocli split does. */
static char **
split_patches(const struct cli_list *l, size_t *n)
{
  char **v = NULL;
  *n = 0;
  for (size_t i = 0; i < l->n; i++) {
    for (const char *p = l->v[i]; *p;) {
      size_t len = strcspn(p, ",");
      if (len) {
        v = wi_xreallocarray(v, *n + 1, sizeof *v);
        v[(*n)++] = wi_xstrndup(p, len);
      }
      p += len + (p[len] == ',');
    }
  }
  return v;
}

static int
do_download(const char *dir, const struct cache_args *a)
{
  wi_err err = { 0 };
  struct wi_patch_result res = { 0 };
  wi_autofree char *password = NULL;
  size_t n = 0;
  const char *arch = NULL;

  if (a->password && *a->password)
    return cli_witpass_refuse("cache downloadPatches", "password", a->password);
  wit_log_install(); /* the library's IMG lines */
  if (a->platform) {
    const char *p = a->platform;
    arch = wi_patch_arch(p);
    if (arch == NULL)
      return cli_usage_error("cache downloadPatches",
                             "--platform %s: expected linux/amd64 or linux/arm64", p);
  }
  if (a->patches.n == 0 && !a->latest_psu && !a->recommended)
    return cli_usage_error(
        "cache downloadPatches",
        "nothing to download: give --patches, --latestPSU or --recommendedPatches");
  if (cli_witpass_read("password", "Oracle Support password", a->password != NULL, a->password_file,
                       a->password_env, &password, &err) < 0)
    return wit_fail(&err);
  char **ids = split_patches(&a->patches, &n);
  struct wi_patch_opts o = { .cache_dir = dir,
                             .user = a->user,
                             .password = password,
                             .installer_type = a->type ? a->type : "WLS",
                             .installer_version = a->version ? a->version : "12.2.1.3.0",
                             .arch = arch,
                             .patches = (const char *const *)ids,
                             .n_patches = n,
                             .latest_psu = a->latest_psu,
                             .recommended = a->recommended,
                             .skip_opatch_update = a->skip_opatch_update,
                             .opatch_bug = a->opatch_bug };
  int ret = 0;
  for (size_t i = 0; i < n && ret == 0; i++)
    ret = wi_patch_validate_id(ids[i], &err);
  /* WIT checks the credentials first, when patches are asked for and either was given */
  if (ret == 0 && (n || a->latest_psu || a->recommended) && (a->user || password))
    ret = wi_patch_check_credentials(&o, &err);
  if (ret == 0)
    ret = wi_patch_resolve(&o, &res, &err);
  if (password)
    wi_alloc_secret_free(wi_steal(&password));
  for (size_t i = 0; i < n; i++)
    free(ids[i]);
  free(ids);
  if (ret < 0)
    return wit_fail(&err);
  for (size_t i = 0; i < res.n; i++)
    printf("%s=%s\n", res.keys[i], res.paths[i]);
  if (res.opatch_path)
    printf("%s=%s\n", res.opatch_key, res.opatch_path);
  wi_patch_result_dispose(&res);
  return CLI_EXIT_OK;
}

static int
do_add_entry(const char *dir, const struct cache_args *a)
{
  wi_err err = { 0 };
  enum wi_witcache_add_result res;
  wi_autofree char *old = NULL;
  wi_autofree char *key = wi_xstrdup(a->key);

  for (char *p = key; *p; p++)
    *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
  if (wi_witcache_add_entry(dir, key, a->value, &res, &old, &err) < 0)
    return wit_fail(&err);
  if (res == WI_WITCACHE_REPLACED)
    wit_log(WIT_INFO, "Added entry %s=%s, replaced old value %s", key, a->value, old);
  else
    wit_log(WIT_INFO, "Added entry %s=%s", key, a->value);
  return CLI_EXIT_OK;
}

static int
do_delete(const char *dir, const struct cache_args *a)
{
  wi_err err = { 0 };
  wi_autofree char *old = NULL;

  if (strcasecmp(a->key, "deleteAll4Sure") == 0) {
    if (wi_witcache_clear(dir, &err) < 0)
      return wit_fail(&err);
    wit_log(WIT_INFO, "Deleted all entries from cache");
    return CLI_EXIT_OK;
  }
  wi_autofree char *key = wi_xstrdup(a->key);
  for (char *p = key; *p; p++)
    *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
  int ret = wi_witcache_delete(dir, key, &old, &err);
  if (ret == WI_ENOTFOUND) {
    /* WIT treats this as information, not failure. */
    wit_log(WIT_INFO, "Nothing to delete for key: %s", key);
    return CLI_EXIT_OK;
  }
  if (ret < 0)
    return wit_fail(&err);
  wit_log(WIT_INFO, "Deleted entry %s=%s", key, old);
  return CLI_EXIT_OK;
}

/* Parse subcommand k's options, then run it on the cache directory. */
static int
run_sub(size_t k, int argc, char **argv)
{
  struct cache_args a = { 0 };
  char **pos = NULL;
  int npos = 0;

  int r = cli_parse(&subcmds[k], argc, argv, &a, &pos, &npos);

  free(pos);
  if (r < 0)
    return CLI_EXIT_USAGE;
  if (r > 0)
    return CLI_EXIT_OK;
  wi_autofree char *dir = wi_witcache_default_dir();
  wi_err err = { 0 };
  /* WIT creates the cache directory (one level) and needs it writable */
  if (wi_witcache_prepare(dir, &err) < 0)
    return wit_fail(&err);
  switch (k) {
  case 0:
    return do_list(dir, &a);
  case 1:
    return do_add_installer(dir, &a);
  case 2:
    return do_add_patch(dir, &a);
  case 3:
    return do_add_entry(dir, &a);
  case 5:
    return do_download(dir, &a);
  default:
    return do_delete(dir, &a);
  }
}

#define SUB(fn, k)                     \
  static int fn(int argc, char **argv) \
  {                                    \
    return run_sub(k, argc, argv);     \
  }
SUB(list_items, 0)
SUB(add_installer, 1)
SUB(add_patch, 2)
SUB(add_entry, 3)
SUB(delete_entry, 4)
SUB(download_patches, 5)
#undef SUB

static const struct cli_sub cache_subs[] = {
  { "listItems", list_items, "List cache entries (sorted by key)", false },
  { "addInstaller", add_installer, "Add an installer to the cache", false },
  { "addPatch", add_patch, "Add a patch to the cache", false },
  { "addEntry", add_entry, "Add or replace a cache entry", false },
  { "deleteEntry", delete_entry, "Delete a cache entry", false },
  { "downloadPatches", download_patches,
    "Put the patches and OPatch a create would apply into the cache (for offline builds)", false },
  { NULL, NULL, NULL, false },
};

static const struct cli_group cache_group = {
  "cache",
  "List and set cache options (WIT-compatible .metadata in $WLSIMG_CACHEDIR, default $HOME/cache).",
  NULL,
  cache_subs,
};

int
cmd_cache(int argc, char **argv)
{
  return cli_dispatch(&cache_group, argc, argv);
}
