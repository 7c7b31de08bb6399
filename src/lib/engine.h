/* wlsimg: building through a container engine exactly as WIT does (wit-primary §2.4, §14.4): the
 * build context directory, the `<builder> [buildx] build …` command line in WIT's order, handing
 * the base images from the wlsimg store (or a registry) to the engine under the names the
 * Dockerfile's FROM lines use, bringing the result back into the store, and WIT's cleanup.
 *
 * Engines: docker, podman and buildah (`buildah bud`). WLSIMG_BUILDER_OPTS holds global options put
 * right after the executable on every call (e.g. "--root DIR --runroot DIR --storage-driver vfs"
 * for buildah or podman with private storage); BUILDAH_ISOLATION and STORAGE_DRIVER are read by
 * buildah itself.
 */
#ifndef WI_ENGINE_H
#define WI_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/store.h"
#include "lib/transfer.h"

enum wi_engine_kind { WI_ENGINE_DOCKER, WI_ENGINE_PODMAN, WI_ENGINE_BUILDAH };

struct wi_engine {
  char *exe; /* as named or found on PATH */
  enum wi_engine_kind kind;
  bool found;    /* the executable exists */
  char **global; /* WLSIMG_BUILDER_OPTS words */
  size_t n_global;
};

/* The engine: builder (--builder), else WLSIMG_BUILDER, else the first of docker, podman, buildah
 * on PATH (logged: "Using <x> as the container engine"). docker counts only when its daemon can
 * answer (DOCKER_HOST's unix socket, else /var/run/docker.sock or $XDG_RUNTIME_DIR/docker.sock
 * accepts a connection; a tcp/ssh DOCKER_HOST or a DOCKER_CONTEXT is trusted); skipping it is
 * logged. Nothing else found = docker (found false when it is not installed either). The kind
 * follows the executable's name (anything else is driven like docker). */
void wi_engine_choose(struct wi_engine *e, const char *builder);
void wi_engine_dispose(struct wi_engine *e);

/* ---- build context ---- */

/* A new context directory "<WLSIMG_BLDDIR or $HOME>/wlsimgbuilder_tempXXXXXX" (mode 0700), logged
 * with WIT's IMG-0003; WIT's IMG-0111/0112/0113 texts when WLSIMG_BLDDIR is missing, not a
 * directory or not writable. */
char *wi_engine_context_new(wi_err *err);
/* Place the file src in the context as dst without copying its bytes where the file system
 * allows: a hard link, else a reflink (FICLONE), else a copy. dst must not exist (WI_EEXISTS). */
int wi_engine_context_link(const char *src, const char *dst, wi_err *err);
/* A directory tree the same way (WIT's copyLocalDirectory: entries that are neither regular files
 * nor directories are skipped with IMG-0035). */
int wi_engine_context_link_tree(const char *src, const char *dst, wi_err *err);

/* ---- the build ---- */

struct wi_engine_build {
  const char *tag;
  const char *platform;     /* --platform: also makes it `buildx build` */
  bool use_buildx;          /* --useBuildx */
  bool skipcleanup;         /* no --force-rm */
  const char *network;      /* --buildNetwork */
  bool pull;                /* --pull */
  const char *const *extra; /* arguments after "--" */
  size_t n_extra;
  const char *const *build_args; /* "k=v" in order (an empty value is left out, as WIT does) */
  size_t n_build_args;
  const char *http_proxy, *https_proxy, *no_proxy;
  const char *secret_file; /* the WDT encryption passphrase: --secret id=wdt_encryption_key */
  const char *context;
  const int *cancel; /* optional: when *cancel becomes non-zero the engine is stopped (below) */
};

/* WIT's build command line as it logs it (IMG-0078): proxies containing '@' shown as ********.
 * malloc'ed. */
char *wi_engine_build_cmdline(const struct wi_engine *e, const struct wi_engine_build *b);

/* Receives the engine's merged stdout and stderr as it runs. */
typedef void (*wi_engine_output_fn)(const char *data, size_t len, void *payload);

/* Run the build (stdout and stderr merged into out, and appended to log_path when set; a
 * directory gets dockerbuild.log). buildah gets `bud` with the options it accepts, and no engine
 * is asked to pull: the bases were handed over. Failure: WI_ERR with IMG-0088's text followed by
 * the engine's exit status. With b->cancel the engine runs in a process group of its own, which
 * gets SIGTERM soon after *cancel becomes non-zero (SIGKILL 10 s later): WI_ECANCELED. */
int wi_engine_build_run(const struct wi_engine *e, const struct wi_engine_build *b,
                        const char *log_path, wi_engine_output_fn out, void *payload, wi_err *err);

/* Make the image `ref` (as a FROM line names it) visible to the engine under that name, taken
 * from the store s (pulled from its registry first when absent or when pull is set, with the
 * options to): buildah/podman pull it from an OCI layout and tag it, docker loads a
 * docker-archive. tmpdir receives the temporary layout (removed again). */
int wi_engine_provide(const struct wi_engine *e, struct wi_store *s, const char *ref,
                      const char *platform, bool pull, const struct wi_transfer_opts *to,
                      const char *tmpdir, wi_err *err);

/* Bring the built image `tag` back into the store s under the name store_name (push to an OCI
 * layout under tmpdir, or `docker save`, then import). digest_out receives its manifest digest. */
int wi_engine_import(const struct wi_engine *e, const char *tag, struct wi_store *s,
                     const char *store_name, const char *tmpdir, const struct wi_transfer_opts *to,
                     char *digest_out, wi_err *err);

/* WIT's cleanup of intermediate images: `<builder> image prune -f --filter
 * label=com.oracle.weblogic.imagetool.buildid=<id>` (docker, podman; buildah keeps no intermediate
 * images). A failure is logged with IMG-0118's text, never returned. */
void wi_engine_prune(const struct wi_engine *e, const char *build_id);

#endif
