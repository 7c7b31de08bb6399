/* wlsimg: internals shared by builder.c (plan, checks, Dockerfile) and builder_build.c (native and
 * engine builds). Not for use outside the builder. */
#ifndef WI_BUILDER_INT_H
#define WI_BUILDER_INT_H

#include <archive.h>
#include <archive_entry.h>
#include <stdbool.h>

#include "lib/builder.h"
#include "lib/digest.h"
#include "lib/err.h"

#define MAX_INSTALLER_ENTRY (512u << 20)
#define MAX_CMD_FILE        (1u << 20)
#define MAX_ETC_FILE        (4u << 20)
#define BUILD_ID_SIZE       40

/* ---- additional build commands (wit-compat §5.5) ---- */

#define N_SECTIONS 9 /* section_names in builder.c */
enum { SEC_PACKAGES = 0, SEC_INITIAL = 1, SEC_FINAL = 8 };

struct section {
  char **lines;
  size_t n;
  bool present;
};

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
  char *wdt_home, *wdt_model_home;
  char *user, *group;
  struct input_file *files;
  size_t n_files;
  char *installer; /* NULL = no WDT */
  char *installer_base;
  char installer_digest[WI_DIGEST_MAX];
  char *wdt_real_version; /* VERSION.txt */
  struct section sec[N_SECTIONS];
  bool needs_engine;
  char *package_manager; /* NONE, YUM, … */
  char *build_id; /* 40 bytes, "" until aux_compute_build_id (lazy, so it may fill a const plan) */
  struct wi_platform *platforms;
  size_t n_platforms;
  int64_t epoch;
};

bool aux_is_number(const char *s);
/* Field f (0-based) of the /etc/passwd- or /etc/group-style line whose first field is name. */
char *aux_db_lookup(const char *text, const char *name, int want_field);
/* "/a//b/" -> "/a/b" (malloc'ed). */
char *aux_norm_abs(const char *p);
/* Open a zip or tar (any compression) for reading entries; WI_EINVAL naming the file. */
struct archive *aux_open_archive(const char *path, wi_err *err);
/* An entry's name without "./" prefixes. */
const char *aux_entry_name(struct archive_entry *ae);
/* WI_EINVAL when an entry would escape its directory (.., absolute, links pointing outside). */
int aux_check_entry(const char *file, struct archive_entry *ae, wi_err *err);
/* The next entry of a (opened from file) in *ae, checked with aux_check_entry: 1, or 0 at the end.
 * A read error is WI_EINVAL "[<verb> ]<file>: <reason>" (verb may be NULL). */
int aux_next_entry(struct archive *a, const char *file, const char *verb, struct archive_entry **ae,
                   wi_err *err);
/* aux_entry_name without trailing slashes (malloc'ed); NULL for the archive's root ("" or "."). */
char *aux_entry_relname(struct archive_entry *ae);
/* Set p->build_id from the options and either the new layer's diff_id or (NULL) the input files'
 * digests. */
void aux_compute_build_id(const struct wi_aux_plan *p, const char *layer_diff_id);
/* A build-command line with the template variables ({{wdt_home}}, …) replaced (malloc'ed). */
char *aux_render_line(const struct wi_aux_plan *p, const char *line);

#endif
