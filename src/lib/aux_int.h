/* wlsimg: internals shared by the auxiliary image modules: aux_plan.c (plan, checks, build id),
 * aux_archive.c (reading input archives), aux_dockerfile.c and aux_build.c (native and engine
 * builds). Library-internal: src/cli must not include it. */
#ifndef WI_AUX_INT_H
#define WI_AUX_INT_H

#include <archive.h>
#include <archive_entry.h>
#include <stdbool.h>

#include "lib/aux.h"
#include "lib/buildcmds.h"
#include "lib/digest.h"
#include "lib/dockerfile.h"
#include "lib/err.h"

#define MAX_INSTALLER_ENTRY (512u << 20)
#define MAX_CMD_FILE        (1u << 20)
#define MAX_ETC_FILE        (4u << 20)
#define BUILD_ID_SIZE       40

struct input_file {
  char *path;       /* as given */
  char *base;       /* basename */
  const char *kind; /* "model", "archive", "variables" */
};

struct wi_aux_plan {
  struct wi_aux_opts o;
  char *from_image;
  bool from_given;
  char *wdt_version;
  char *wdt_home, *wdt_model_home; /* absolute and normalised: where the native build puts them */
  char *df_wdt_home, *df_wdt_model_home; /* as typed: what the Dockerfile and ENV say (as WIT) */
  char *user, *group;
  struct input_file *files;
  size_t n_files;
  char *installer; /* NULL = no WDT */
  char *installer_base;
  char installer_digest[WI_DIGEST_MAX];
  char *wdt_real_version; /* VERSION.txt */
  struct wi_buildcmds cmds;
  bool needs_engine;
  bool busybox;             /* WIT's busybox mode: the default base, or a probed bb/alpine OS */
  enum wi_pkgmgr pkgmgr;    /* the package manager WIT's Dockerfile uses */
  bool pkgmgr_typed;        /* --packageManager other than OS_DEFAULT: packages really wanted */
  const char **df_files[3]; /* models, archives, variables: base names for the Dockerfile */
  size_t n_df_files[3];
  char **arg_keys; /* --build-arg keys */
  size_t n_arg_keys;
  char *build_id; /* 40 bytes, "" until wi_aux_plan_compute_build_id (lazy, so it may fill a const
                     plan) */
  struct wi_platform *platforms;
  size_t n_platforms;
  int64_t epoch;
};

/* "/a//b/" -> "/a/b" (malloc'ed). */
char *wi_aux_plan_norm_abs(const char *p);
/* Open a zip or tar (any compression) for reading entries; WI_EINVAL naming the file. */
struct archive *wi_aux_archive_open(const char *path, wi_err *err);
/* A relative path cleaned lexically ("./a//b/../c/" -> "a/c"; a leading "/" is the root), or NULL
 * when ".." leaves the root (malloc'ed). */
char *wi_aux_archive_clean_path(const char *p);
/* An entry's name without "./" prefixes. */
const char *wi_aux_archive_entry_name(struct archive_entry *ae);
/* The paths and symbolic links of one archive read so far, to resolve its entries as extraction
 * would. */
struct wi_aux_archive_links;
struct wi_aux_archive_links *wi_aux_archive_links_new(void);
void wi_aux_archive_links_free(struct wi_aux_archive_links *l);
/* The next entry of a (opened from file) in *ae, refused (WI_EINVAL naming the entry) when it
 * would escape its directory (.., absolute, links pointing outside): 1, or 0 at the end. With
 * links (one per archive, NULL = each entry alone) the links are followed as extraction would:
 * an entry beneath a symbolic link of the archive, a hard link through one, a link coming after
 * entries at its path, and (checked at the end) a link whose target leads outside through other
 * links are refused too. A read error is WI_EINVAL "[<verb> ]<file>: <reason>" (verb may be
 * NULL). */
int wi_aux_archive_next_entry(struct archive *a, const char *file, const char *verb,
                              struct wi_aux_archive_links *links, struct archive_entry **ae,
                              wi_err *err);
/* List an archive's entries (checked for escapes) into names (may be NULL: check only). */
int wi_aux_archive_scan(const char *path, char ***names, size_t *n, wi_err *err);
/* wi_aux_archive_entry_name without trailing slashes (malloc'ed); NULL for the archive's root (""
 * or "."). */
char *wi_aux_archive_entry_relname(struct archive_entry *ae);
/* Set p->build_id from the options and either the new layer's diff_id or (NULL) the input files'
 * digests. */
void wi_aux_plan_compute_build_id(const struct wi_aux_plan *p, const char *layer_diff_id);
/* The Dockerfile model of the plan (borrows the plan's strings). */
void wi_aux_dockerfile_model(const struct wi_aux_plan *p, struct wi_dockerfile *d);

#endif
