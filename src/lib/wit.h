/* wlsimg: WIT 1.16.4's primary image commands — create, update and rebase — as a library: the
 * public API of wit_plan.c (options, checks and the Dockerfile model, in WIT's order), wit_create.c
 * (create, and the new image of rebase), wit_update.c, wit_rebase.c and wit_build.c (the build
 * context, the engine, cleanup, resource templates).
 *
 * A run checks everything WIT checks, in WIT's order and with its IMG-xxxx texts (wit-primary §13),
 * logging WIT's messages through wi_log as it goes: the probe of the images is static (probe.c,
 * from the wlsimg store, pulled from a registry when absent), installers come from the WIT cache
 * (witcache.c) and are linked into the build context, and the Dockerfile is WIT's (dockerfile.c).
 * A dry run stops with the Dockerfile; a build runs the container engine as WIT does (engine.c)
 * and brings the image back into the store under --tag.
 *
 * Patches and OPatch (--patches, --latestPSU, --recommendedPatches) come from the WIT cache or,
 * with --user and a password, from Oracle Support into the cache (patch_resolve.h), and are linked
 * into the context as the installers are. A native (engine-less) build plugs in at
 * wi_wit_build_native_possible.
 */
#ifndef WI_WIT_H
#define WI_WIT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/digest.h"
#include "lib/err.h"
#include "lib/store.h"
#include "lib/transfer.h"

enum wi_wit_cmd { WI_WIT_CREATE, WI_WIT_UPDATE, WI_WIT_REBASE };

/* Told when a run enters a phase (wlsimg ui shows them as steps): "check" (options, the base
 * image's probe), "installers" (JDK and Oracle installers from the cache), "patches", "context"
 * (the build context and Dockerfile), "build" (the engine), "import" (the result into the store).
 */
typedef void (*wi_wit_phase_fn)(const char *phase, void *payload);

struct wi_wit_list {
  const char *const *v;
  size_t n;
};

struct wi_wit_opts {
  enum wi_wit_cmd cmd;
  /* CommonOptions (wit-primary §1.1); NULL = not given */
  const char *tag;
  const char *from_image; /* NULL = not typed (ghcr.io/oracle/oraclelinux:8-slim) */
  const char *from_image_props;
  const char *http_proxy, *https_proxy;
  const char *docker_log;
  bool skipcleanup;
  const char *chown; /* NULL = not typed */
  const char *additional_build_commands;
  struct wi_wit_list additional_build_files;
  bool dry_run;
  const char *build_network;
  bool pull;
  const char *package_manager; /* NULL = OS_DEFAULT */
  const char *builder;
  bool openshift;
  struct wi_wit_list build_args; /* "k=v" */
  const char *platform;
  bool use_buildx;
  struct wi_wit_list extra_args; /* after "--" */

  /* CommonPatchingOptions (§1.2) */
  const char *user;
  const char *password; /* resolved by the caller (never from the command line) */
  bool latest_psu, recommended_patches, strict_patch_ordering, skip_opatch_update;
  struct wi_wit_list patches;
  const char *opatch_bug;
  const char *type; /* NULL = not typed (WLS) */

  /* CommonCreateOptions (§1.3): create, rebase */
  const char *version, *jdk_version; /* NULL = 12.2.1.3.0, 8u202 */
  struct wi_wit_list response_files;
  const char *inventory_pointer_file, *inventory_pointer_install_loc;

  /* WDT (§1.4): create, update */
  struct wi_wit_list models, archives, variables;
  const char *wdt_version, *wdt_home, *wdt_model_home, *wdt_domain_home, *wdt_domain_type;
  const char *wdt_java_options;
  bool wdt_run_rcu, wdt_model_only, wdt_strict_validation;
  const char *encryption_key; /* resolved by the caller */
  struct wi_wit_list resource_templates;
  const char *wdt_operation; /* update: NULL = UPDATE */

  /* rebase (§1.5) */
  const char *source_image, *target_image;

  /* wlsimg */
  const char *cache_dir;            /* NULL = wi_witcache_default_dir() */
  struct wi_store *store;           /* where images are read and the result is named */
  struct wi_transfer_opts transfer; /* registry options for pulls and --push */
  bool push;                        /* push --tag to its registry after the build */
  const int *cancel;                /* optional: stop soon after *cancel becomes non-zero
                                       (WI_ECANCELED): downloads end, the engine is stopped, nothing
                                       is named in the store */
  wi_wit_phase_fn phase;            /* optional */
  void *phase_payload;
};

struct wi_wit_result {
  char build_id[40];
  char *dockerfile;           /* the Dockerfile (a dry run prints it) */
  char digest[WI_DIGEST_MAX]; /* the image's manifest digest after a build */
  char *name;                 /* its store name */
};
void wi_wit_build_result_dispose(struct wi_wit_result *r);

/* Receives the engine's output while it builds (WIT streams it to stdout). */
typedef void (*wi_wit_output_fn)(const char *data, size_t len, void *payload);

/* Run create, update or rebase. Errors carry WIT's texts: WI_EINVAL/WI_ENOTFOUND for bad input,
 * WI_EUSAGE where WIT's command line parser would refuse, WI_EAUTH/WI_ENET for Oracle Support
 * (refused credentials, unreachable), WI_EUNSUPPORTED for a missing engine, WI_ERR for a failed
 * build or a patch conflict. Nothing is named in the store on failure,
 * and the build context is removed (unless skipcleanup). */
int wi_wit_build_run(const struct wi_wit_opts *o, wi_wit_output_fn out, void *payload,
                     struct wi_wit_result *res, wi_err *err);

#endif
