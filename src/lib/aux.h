/* wlsimg: WIT-compatible auxiliary images (createAuxImage), built natively: the public API of
 * aux_plan.c (checks and build id), aux_dockerfile.c (the Dockerfile) and aux_build.c (builds).
 *
 * wi_aux_plan_new() checks every input before anything is built (missing files, invalid model
 * YAML, duplicate file names, archive entries escaping their directory, --chown syntax, the
 * additional-build-commands file, the cached WDT installer and its checksum) and computes a build
 * id from the inputs' digests, so the same inputs give the same image. wi_aux_dockerfile_render()
 * gives the Dockerfile WIT would have run (wit-compat §5). wi_aux_build() builds one image per
 * platform — base image layers + one new layer with <wdtHome>/weblogic-deploy and the model files,
 * /etc/passwd and /etc/group edited as busybox adduser would — with every timestamp taken from
 * SOURCE_DATE_EPOCH (else 0), and an OCI index over them for several platforms.
 *
 * When the additional build commands contain RUN (or anything else needing a container), the
 * build is delegated: the context and Dockerfile are written and the engine named by `builder`
 * (docker, podman or buildah) runs it.
 */
#ifndef WI_AUX_H
#define WI_AUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/ref.h"
#include "lib/store.h"
#include "lib/transfer.h"

/* Labels wlsimg puts on auxiliary images (read by the Kubernetes Domain generator). */
#define WI_LABEL_BUILD_ID "com.oracle.weblogic.imagetool.buildid"
#define WI_LABEL_WDT_HOME "io.github.wlsimg.wdt.home" /* <wdtHome> */
#define WI_LABEL_WDT_INSTALL_HOME \
  "io.github.wlsimg.wdt.install-home" /* <wdtHome>/weblogic-deploy or None */
#define WI_LABEL_WDT_MODEL_HOME "io.github.wlsimg.wdt.model-home" /* <wdtModelHome> or None */
#define WI_LABEL_WDT_VERSION    "io.github.wlsimg.wdt.version"    /* VERSION.txt of the installer */
#define WI_LABEL_WDT_INSTALLER  "io.github.wlsimg.wdt.installer"  /* sha256 of the installer file */

#define WI_AUX_MAX_FILES 256

struct wi_strv {
  const char **v;
  size_t n;
};

struct wi_aux_opts {
  const char *tag;              /* required */
  const char *from_image;       /* NULL = "busybox" */
  const char *from_image_props; /* --fromImageProperties: facts instead of a probe */
  struct wi_store *store;       /* where an explicit --fromImage is read (and pulled) to probe it */
  struct wi_strv models, archives, variables; /* already split on commas */
  const char *wdt_version;                    /* NULL = "latest"; "none" = no WDT install */
  const char *wdt_home;                       /* NULL = "/auxiliary" */
  const char *wdt_model_home;                 /* NULL = <wdtHome>/models */
  const char *chown;                     /* NULL = "oracle:oracle" (":root" group for OpenShift) */
  bool openshift;                        /* --target OpenShift */
  struct wi_strv platforms;              /* empty = the host's */
  struct wi_strv build_args;             /* "k=v" */
  const char *additional_build_commands; /* file */
  struct wi_strv additional_build_files;
  const char *package_manager; /* NULL = OS_DEFAULT */
  const char *builder;         /* external engine; NULL = $WLSIMG_BUILDER or docker */
  const char *http_proxy, *https_proxy, *build_network;
  bool pull; /* always fetch --fromImage from its registry */
  bool skipcleanup;
  struct wi_strv extra_args;        /* after "--" */
  const char *cache_dir;            /* NULL = wi_witcache_default_dir() */
  bool dry_run;                     /* plan for a dry run: the installer need not exist */
  struct wi_transfer_opts transfer; /* registry options for pulling bases and pushing */
  /* the engine's output while it builds (NULL = dropped) */
  void (*output)(const char *data, size_t len, void *payload);
  void *output_payload;
};

struct wi_aux_plan;

/* Check the inputs and resolve the installer. WI_EINVAL names the file or option at fault
 * ("WDT model file x.yaml could not be found.", "m.yaml: line 3, column 1: invalid YAML: …",
 * "a/m.yaml and b/m.yaml have the same file name m.yaml", "archive.zip: entry ../x escapes …");
 * WI_ENOTFOUND for a missing cache entry (WIT's IMG-0011 text); WI_EDIGEST for a changed installer.
 * Model references to wlsdeploy/... paths absent from every archive are logged as warnings. */
int wi_aux_plan_new(struct wi_aux_plan **out, const struct wi_aux_opts *o, wi_err *err);
void wi_aux_plan_free(struct wi_aux_plan *p);
static inline void
wi_aux_plan_freep(struct wi_aux_plan **pp)
{
  if (*pp)
    wi_aux_plan_free(*pp);
}
/* Deterministic build id (UUID form), derived from the inputs. Borrowed. */
const char *wi_aux_plan_build_id(const struct wi_aux_plan *p);
/* The WDT installer chosen (NULL with --wdtVersion none). Borrowed. */
const char *wi_aux_plan_installer(const struct wi_aux_plan *p);
/* True when the build needs an external engine (RUN in the additional build commands, or an
 * explicit package manager). */
bool wi_aux_plan_needs_engine(const struct wi_aux_plan *p);

/* The WIT-equivalent Dockerfile (malloc'ed). */
char *wi_aux_dockerfile_render(const struct wi_aux_plan *p);

struct wi_aux_result {
  char digest[WI_DIGEST_MAX]; /* top-level manifest (or index) digest */
  char *name;                 /* full store name ("docker.io/library/x:1"), malloc'ed */
  size_t n_platforms;
  int64_t layer_bytes; /* size of the new layer blob(s) */
};
void wi_aux_build_result_dispose(struct wi_aux_result *r);

/* Build natively into the store s and name it --tag. If the plan needs an engine, run it instead
 * (WI_EUNSUPPORTED when the engine is not installed). Nothing is named on failure. */
int wi_aux_build(struct wi_aux_plan *p, struct wi_store *s, struct wi_aux_result *res, wi_err *err);
/* Build and push to the --tag reference's registry. keep = also name it in s (--load). */
int wi_aux_build_push(struct wi_aux_plan *p, struct wi_store *s, bool keep,
                      struct wi_aux_result *res, wi_err *err);

#endif
