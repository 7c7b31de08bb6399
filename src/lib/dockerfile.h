/* wlsimg: the Dockerfiles of WIT's four image commands — createAuxImage, create, update and
 * rebase — rendered from one model (WIT's DockerfileOptions, wit-primary §4).
 *
 * For the same model the instructions equal WIT 1.16.4's once comment lines and blank lines are
 * dropped, indentation is trimmed and `\` continuations are joined (tests/wit-normalize.py); WIT's
 * licence comments and template comments are not reproduced. The values WIT's templates write with
 * double braces are HTML-escaped as mustache.java escapes them (wit-primary §5), the additional
 * build command lines are rendered as mustache templates against the same model
 * (wi_dockerfile_ctx), and every stage repeats the ARG lines as WIT's template for that command
 * does.
 *
 * The model borrows every string; the caller keeps them alive while rendering.
 */
#ifndef WI_DOCKERFILE_H
#define WI_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buildcmds.h"
#include "lib/mustache.h"

enum wi_dockerfile_kind {
  WI_DOCKERFILE_AUX,    /* createAuxImage */
  WI_DOCKERFILE_CREATE, /* create */
  WI_DOCKERFILE_UPDATE, /* update */
  WI_DOCKERFILE_REBASE, /* rebase (to a target image when target_image is set, else to a new one) */
};

/* WIT's PackageManagerType after OS_DEFAULT is resolved. */
enum wi_pkgmgr {
  WI_PKGMGR_NONE,
  WI_PKGMGR_YUM,
  WI_PKGMGR_DNF,
  WI_PKGMGR_MICRODNF,
  WI_PKGMGR_MICRODNF_8,
  WI_PKGMGR_APTGET,
  WI_PKGMGR_APK,
  WI_PKGMGR_ZYPPER,
};
/* "NONE", "YUM", …; and back (case-insensitive; OS_DEFAULT is -1; unknown is -2). */
const char *wi_dockerfile_pkgmgr_name(enum wi_pkgmgr pm);
int wi_dockerfile_pkgmgr_parse(const char *s);

/* What WIT takes from a probed --fromImage for the os_update stage (copyOptionsFromImage): busybox
 * mode (set only when the OS has a NAME: id bb or alpine), and the package manager — the probe's
 * packageManager (YUM when absent), MICRODNF on an OS version 8.x being MICRODNF_8, and a typed
 * --packageManager (typed >= 0; -1 = OS_DEFAULT) that differs winning (logged with IMG-0079).
 * WI_EINVAL with Java's "No enum constant …" text for an unknown packageManager value. */
struct wi_probe;
int wi_dockerfile_base_facts(const struct wi_probe *pr, int typed, bool *busybox,
                             enum wi_pkgmgr *pm, wi_err *err);

/* One middleware installer of wls_build (MiddlewareInstallPackage). */
struct wi_dockerfile_installer {
  const char *type;       /* cache type: "wls", "fmw", "soa", "db19", … */
  const char *file;       /* installer file name in the context */
  const char *jar;        /* what runs: the zip's first .jar or .bin entry, or the file itself */
  bool zip, bin;          /* file ends .zip; jar ends .bin */
  const char *rsp;        /* response file name in the context */
  const char *preinstall; /* DB19: "34761383/changePerm.sh /u01/oracle"; else NULL */
};

struct wi_dockerfile {
  enum wi_dockerfile_kind kind;
  const char *build_id;
  const char *base_image;        /* --fromImage */
  const char *source_image;      /* rebase */
  const char *target_image;      /* rebase to a target; NULL = rebase to a new image */
  const char *const *build_args; /* --build-arg keys, in order */
  size_t n_build_args;
  const char *user, *group; /* --chown */
  enum wi_pkgmgr pkgmgr;
  const char *os_packages_env; /* WLSIMG_OS_PACKAGES (NULL or "" = the default list) */
  bool binary_os_packages;     /* --type OHS: + binutils glibc-devel */
  bool busybox;                /* busybox/alpine user commands */
  bool openshift;              /* --target OpenShift (useOwnerPermsForGroup) */
  const char *temp_dir;        /* NULL = /tmp/imagetool */

  /* create and rebase to a new image */
  const char *java_home, *oracle_home; /* NULL = /u01/jdk, /u01/oracle */
  const char *inv_loc, *orainv_dir;    /* NULL = /u01/oracle, /u01/oracle/oraInventory */
  bool install_java, install_middleware;
  const char *java_pkg;
  const struct wi_dockerfile_installer *installers;
  size_t n_installers;

  /* patching (create, rebase to a new image: in wls_build; update: in final_build) */
  bool opatch_update;      /* isOpatchPatchingEnabled */
  const char *opatch_file; /* OPatch zip in the context */
  bool patching;           /* isPatchingEnabled: patches/ holds the files */
  bool strict_patch_ordering;
  const char *const *patches; /* patch file names in order */
  size_t n_patches;

  /* WDT (createAuxImage, create, update; rebase: the source's homes) */
  bool wdt_enabled;
  const char *domain_home;    /* NULL = /u01/domains/base_domain */
  const char *wdt_home;       /* as typed */
  const char *wdt_model_home; /* NULL or "" = <wdt_home>/models */
  const char *const *models, *const *archives, *const *variables; /* file names */
  size_t n_models, n_archives, n_variables;
  const char *wdt_installer; /* file name; NULL = WDT not installed (aux --wdtVersion none) */
  const char *wdt_command;   /* createDomain.sh, updateDomain.sh, deployApps.sh */
  const char *domain_type;
  const char *wdt_java_options; /* --wdtJavaOptions (NULL renders empty) */
  bool model_only, run_rcu, strict_validation;
  const char *encryption_key; /* NULL = no -use_encryption */
  const char *wdt_base;       /* FROM of wdt_build; NULL = wls_build */

  const struct wi_buildcmds *cmds; /* --additionalBuildCommands, may be NULL */
};

/* The Dockerfile (malloc'ed). */
char *wi_dockerfile_render(const struct wi_dockerfile *d);

/* The model as mustache sees it (every no-argument method of WIT's DockerfileOptions, reachable
 * as x, getX or isX as mustache.java finds them, plus buildId): what {{userid}},
 * {{{oracle_home}}}, {{#installJava}}… in additional build command lines refer to. The encryption
 * passphrase is not part of it. */
struct wi_dockerfile_ctx {
  struct wi_mustache_val val;
  char *mh, *dparent, *varg, *marg, *aarg; /* derived strings the values point to */
};
void wi_dockerfile_ctx_init(struct wi_dockerfile_ctx *c, const struct wi_dockerfile *d);
void wi_dockerfile_ctx_dispose(struct wi_dockerfile_ctx *c);

/* Derived values (wit-primary §4), malloc'ed. */
char *wi_dockerfile_wdt_model_home(const struct wi_dockerfile *d);
/* WIT's isWdtModelHomeOutsideWdtHome: the model home is not under the WDT home. */
bool wi_dockerfile_model_home_outside(const struct wi_dockerfile *d);
/* The directory an image's WORKDIR ends at. */
const char *wi_dockerfile_work_dir(const struct wi_dockerfile *d);

#endif
