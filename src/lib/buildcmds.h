/* wlsimg: WIT's --additionalBuildCommands file: sections of Dockerfile lines inserted at nine
 * points of the generated Dockerfile (wit-primary §12).
 *
 * A line "[name]" (whitespace allowed around the brackets and the name) starts a section; any other
 * bracketed line is refused with WIT's IMG-0014 text. Lines before the first header are ignored,
 * every later line (blank ones too) belongs to the current section, a repeated section replaces
 * the earlier one, and a last section without any line is dropped. Each line is a mustache
 * template rendered against the Dockerfile's model when the Dockerfile is produced.
 */
#ifndef WI_BUILDCMDS_H
#define WI_BUILDCMDS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/mustache.h"

enum wi_buildcmds_section {
  WI_BUILDCMDS_PACKAGES = 0, /* package-manager-packages */
  WI_BUILDCMDS_INITIAL,      /* initial-build-commands */
  WI_BUILDCMDS_BEFORE_JDK,   /* before-jdk-install */
  WI_BUILDCMDS_AFTER_JDK,    /* after-jdk-install */
  WI_BUILDCMDS_BEFORE_FMW,   /* before-fmw-install */
  WI_BUILDCMDS_AFTER_FMW,    /* after-fmw-install */
  WI_BUILDCMDS_BEFORE_WDT,   /* before-wdt-command */
  WI_BUILDCMDS_AFTER_WDT,    /* after-wdt-command */
  WI_BUILDCMDS_FINAL,        /* final-build-commands */
  WI_BUILDCMDS_N
};

struct wi_buildcmds {
  char **lines[WI_BUILDCMDS_N];
  size_t n[WI_BUILDCMDS_N];
  bool present[WI_BUILDCMDS_N];
};

/* Load path into bc (start it zeroed; dispose it also on failure). WI_EINVAL with IMG-0030's text
 * when path is not a regular file, IMG-0014's when a bracketed line names no section. */
int wi_buildcmds_load(struct wi_buildcmds *bc, const char *path, wi_err *err);
void wi_buildcmds_dispose(struct wi_buildcmds *bc);

/* The section's name as written in the file. */
const char *wi_buildcmds_name(enum wi_buildcmds_section s);
/* The sections' names joined by ", " (IMG-0014's list). */
const char *wi_buildcmds_names(void);

/* The section's lines rendered with mustache against ctx (malloc'ed array of malloc'ed strings,
 * *n_out entries; NULL and 0 when the section is absent). A line that does not render (a
 * malformed tag) makes the whole section empty after a warning with WIT's IMG-0114 text, as WIT
 * does. */
char **wi_buildcmds_render(const struct wi_buildcmds *bc, enum wi_buildcmds_section s,
                           const struct wi_mustache_val *ctx, size_t *n_out);

/* The section rendered as wi_buildcmds_render does, its continuation lines joined: one instruction
 * per entry (leading blanks removed), blank lines and comments left out. malloc'ed; NULL and 0 when
 * there is none. */
char **wi_buildcmds_instructions(const struct wi_buildcmds *bc, enum wi_buildcmds_section s,
                                 const struct wi_mustache_val *ctx, size_t *n_out);

/* Is every line of the section something a native build can apply without running a container
 * (blank, comment, COPY/ADD from the context, ENV, LABEL, USER, WORKDIR, ARG)? */
bool wi_buildcmds_native(const struct wi_buildcmds *bc, enum wi_buildcmds_section s);

/* Does every line of the section change only the image's config (blank, comment, ENV, LABEL,
 * USER, ARG, CMD, ENTRYPOINT, EXPOSE, STOPSIGNAL), so that wi_imgconfig_apply_changes can apply it
 * without a container or a layer? */
bool wi_buildcmds_config_only(const struct wi_buildcmds *bc, enum wi_buildcmds_section s);

#endif
