/* wlsimg: image configuration (OCI image config / Docker container image v1).
 *
 * Keeps the whole JSON document so unknown fields of a base image survive when wlsimg adds a
 * layer or changes ENV/USER/WORKDIR. Serialisation is deterministic (compact, keys in the order
 * the document had, new keys appended in a fixed order).
 */
#ifndef WI_IMGCONFIG_H
#define WI_IMGCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/ref.h"

struct wi_imgconfig;

/* Parse config bytes (checked: architecture and os are strings, rootfs.diff_ids an array of
 * digests). WI_EINVAL with the JSON path on error. */
int wi_imgconfig_parse(struct wi_imgconfig **out, const void *bytes, size_t len, wi_err *err);
/* A fresh config for an empty image of this platform (created = `created`, epoch seconds). */
struct wi_imgconfig *wi_imgconfig_new(const struct wi_platform *p, int64_t created);
void wi_imgconfig_free(struct wi_imgconfig *c);
static inline void
wi_imgconfig_freep(struct wi_imgconfig **pp)
{
  if (*pp)
    wi_imgconfig_free(*pp);
}

void wi_imgconfig_platform(const struct wi_imgconfig *c, struct wi_platform *out);
size_t wi_imgconfig_n_diff_ids(const struct wi_imgconfig *c);
const char *wi_imgconfig_diff_id(const struct wi_imgconfig *c, size_t i);

/* Append a layer: rootfs.diff_ids gets diff_id and history gets {created, created_by[, comment]}.
 * An empty diff_id (NULL) records a history entry with empty_layer: true. */
void wi_imgconfig_add_layer(struct wi_imgconfig *c, const char *diff_id, int64_t created,
                            const char *created_by, const char *comment);
/* Set the top-level "created" time (RFC 3339, UTC). */
void wi_imgconfig_set_created(struct wi_imgconfig *c, int64_t created);

/* config.Env: "KEY=VALUE"; replaces an existing KEY. */
void wi_imgconfig_set_env(struct wi_imgconfig *c, const char *key, const char *value);
/* Value of KEY in config.Env or NULL (borrowed). */
const char *wi_imgconfig_get_env(const struct wi_imgconfig *c, const char *key);
void wi_imgconfig_set_user(struct wi_imgconfig *c, const char *user);
const char *wi_imgconfig_get_user(const struct wi_imgconfig *c);
void wi_imgconfig_set_workdir(struct wi_imgconfig *c, const char *dir);
const char *wi_imgconfig_get_workdir(const struct wi_imgconfig *c);
void wi_imgconfig_set_label(struct wi_imgconfig *c, const char *key, const char *value);
const char *wi_imgconfig_get_label(const struct wi_imgconfig *c, const char *key);
/* argv NULL-terminated; NULL argv removes the field. */
void wi_imgconfig_set_cmd(struct wi_imgconfig *c, const char *const *argv);
void wi_imgconfig_set_entrypoint(struct wi_imgconfig *c, const char *const *argv);
void wi_imgconfig_set_exposed_port(struct wi_imgconfig *c, const char *port);
void wi_imgconfig_add_volume(struct wi_imgconfig *c, const char *path);

/* Apply one Dockerfile-style change as `docker import --change` does:
 * CMD, ENTRYPOINT (JSON array or shell form), ENV k=v / ENV k v, LABEL k=v, USER, WORKDIR,
 * EXPOSE, VOLUME, STOPSIGNAL, ONBUILD. Arguments other than CMD/ENTRYPOINT/ONBUILD get
 * Dockerfile quoting and $VAR / ${VAR} / ${VAR:-x} / ${VAR:+x} expansion from config.Env.
 * ENTRYPOINT drops an inherited Cmd unless a CMD was applied earlier to this object.
 * Other instructions are WI_EINVAL naming the instruction. */
int wi_imgconfig_apply_change(struct wi_imgconfig *c, const char *change, wi_err *err);
/* Apply Dockerfile instructions in order as a build would: each as wi_imgconfig_apply_change plus
 * an empty-layer history entry (created, created_by = the instruction, comment); ARG is skipped
 * (it only reaches RUN). The error names the instruction. */
int wi_imgconfig_apply_changes(struct wi_imgconfig *c, const char *const *changes, size_t n,
                               int64_t created, const char *comment, wi_err *err);

/* Compact JSON bytes (malloc'ed). */
char *wi_imgconfig_serialize(const struct wi_imgconfig *c, size_t *len_out);

#endif
