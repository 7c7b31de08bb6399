/* wlsimg: internals shared by wit_plan.c, wit_create.c, wit_update.c, wit_rebase.c and
 * wit_build.c (create, update, rebase). Library-internal: src/cli must not include it. */
#ifndef WI_WIT_INT_H
#define WI_WIT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buildcmds.h"
#include "lib/dockerfile.h"
#include "lib/image.h"
#include "lib/installer.h"
#include "lib/probe.h"
#include "lib/wit.h"

#define WI_WIT_DEFAULT_FROM    "ghcr.io/oracle/oraclelinux:8-slim"
#define WI_WIT_DEFAULT_VERSION "12.2.1.3.0"
#define WI_WIT_DEFAULT_JDK     "8u202"

struct wi_wit_plan {
  const struct wi_wit_opts *o;
  char build_id[40];
  struct wi_dockerfile d; /* the model; its strings are the plan's */
  struct wi_buildcmds cmds;
  char *ctx; /* the build context directory, made on first need */
  char *cache_dir;
  const char *arch; /* amd64 or arm64: cache keys */
  bool chown_typed;
  const char *from_image; /* the effective --fromImage */
  char *http_proxy, *https_proxy, *no_proxy;
  char *secret_file; /* the WDT passphrase for the engine (0600, outside the context) */
  struct wi_dockerfile_installer inst[WI_INSTALLER_MAX];
  char **owned; /* strings the model points to */
  size_t n_owned;
  const char **lists[4]; /* build-arg keys, models, archives, variables */
  size_t n_lists[4];
  bool applying_patches;
  const char *installer_version; /* update: from the image */
  const char *installer_type;    /* canonical --type, or update's detected type */
  const char **images;           /* what the FROM lines name (handed to the engine) */
  struct wi_image **opened;      /* images[i] as the probe opened it (a native build reads it) */
  size_t n_images;
  struct wi_probe_patch *installed; /* update with --user: the image's patches (oraclePatches) */
  size_t n_installed;
  const char **patch_names; /* d.patches: file names in <ctx>/patches/ */
};

/* Keep s (malloc'ed) with the plan; returns it. */
const char *wi_wit_plan_keep(struct wi_wit_plan *p, char *s);
/* initializeOptions (§2.1): build id, proxies, --chown (IMG-0027/28/29), additional build
 * commands and files (IMG-0030, IMG-0014), --build-arg, OpenShift, credentials (IMG-0022) and
 * patch ids (IMG-0004). */
int wi_wit_plan_init(struct wi_wit_plan *p, const struct wi_wit_opts *o, wi_err *err);
void wi_wit_plan_dispose(struct wi_wit_plan *p);
/* The build context, made on first need (IMG-0003). */
int wi_wit_plan_context(struct wi_wit_plan *p, wi_err *err);
/* Link a file into the context under its base name (IMG-0043); the name is returned (kept). */
const char *wi_wit_plan_add_file(struct wi_wit_plan *p, const char *path, wi_err *err);
/* Write text into the context as name (0644). */
int wi_wit_plan_write(struct wi_wit_plan *p, const char *name, const char *text, wi_err *err);
/* Probe an image statically (IMG-0097 logged), flags as wi_probe_image; remembered for the
 * engine hand-over and kept open for a native build (wi_wit_plan_image). */
int wi_wit_plan_probe(struct wi_wit_plan *p, const char *ref, unsigned flags, struct wi_probe **out,
                      wi_err *err);
/* The image the plan probed under ref (borrowed), or NULL. */
const struct wi_image *wi_wit_plan_image(const struct wi_wit_plan *p, const char *ref);
/* An installer from the cache (§2.3: arch from --platform, IMG-0011), linked into the context. */
const char *wi_wit_plan_installer(struct wi_wit_plan *p, const char *type, const char *version,
                                  wi_err *err);
/* WdtFullOptions.handleWdtArgs (create, update): IMG-0103, IMG-0102, IMG-0011. */
int wi_wit_plan_wdt(struct wi_wit_plan *p, wi_err *err);
/* The patches and OPatch a build applies (§10), resolved by the patch module (wi_patch_resolve:
 * the WIT cache, or Oracle Support with --user and a password, downloads into the cache) and
 * linked into the context: the patch files into <ctx>/patches/ (with WIT's empty dummy.txt),
 * OPatch into <ctx>/; the model's patching fields are set from them. `patches` and `opatch` say
 * which part: create and rebase to a new image ask for both at once (patches, then OPatch); update
 * asks for OPatch first (compared with the image's opatchVersion; with --user the installed
 * patches are read from the long probe's oraclePatches then, with WIT's errors) and for the
 * patches after its WDT checks. `image` is update's long probe (NULL otherwise). */
int wi_wit_plan_patches(struct wi_wit_plan *p, const struct wi_probe *image, bool patches,
                        bool opatch, wi_err *err);

/* create's prepareNewImage (§6.1 step 2), shared with rebase to a new image. */
int wi_wit_create_prepare(struct wi_wit_plan *p, wi_err *err);
int wi_wit_create_plan(struct wi_wit_plan *p, wi_err *err);
int wi_wit_update_plan(struct wi_wit_plan *p, wi_err *err);
int wi_wit_rebase_plan(struct wi_wit_plan *p, wi_err *err);

/* Could this plan be built without an engine (wit-primary §14.2: rebase onto a target without RUN,
 * update with nothing to run)? *why_not says why not. The native builder plugs in where
 * wit_build.c asks this. */
bool wi_wit_build_native_possible(const struct wi_wit_plan *p, const char **why_not);

#endif
