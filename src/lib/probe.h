/* wlsimg: WIT's image probe, statically.
 *
 * WIT learns about a base image by running a shell script in it (probe-env/inspect-image.sh, or
 * inspect-image-long.sh for update and `inspect --patches`) and reading its stdout with
 * java.util.Properties. wi_probe_image reads the same facts from the image's config and layers,
 * without running anything, and writes the lines that script would print; the keys are then read
 * from those lines exactly as WIT reads them (lib/props.h). --fromImageProperties files go through
 * the same reader. docs/internals/probe.md says which file gives which key.
 */
#ifndef WI_PROBE_H
#define WI_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/image.h"
#include "lib/props.h"
#include "lib/store.h"

/* The probe's result: the script's output and the keys read from it. */
struct wi_probe {
  char *text; /* the lines the probe printed (or the properties file), NUL-terminated */
  size_t len;
  struct wi_props props; /* key → value as Properties.load reads them (quotes kept) */
};

/* One installed patch, as `opatch lsinventory` reports it. */
struct wi_probe_patch {
  char *bug;         /* "32698246" */
  char *uid;         /* unique patch id, "24165861" */
  char *description; /* quotes removed, "WLS PATCH SET UPDATE 12.2.1.4.210330" ("None" if absent) */
};
void wi_probe_patches_free(struct wi_probe_patch *v, size_t n);

/* WI_PROBE_LONG: also opatchVersion and oraclePatches (inspect-image-long.sh). */
#define WI_PROBE_LONG 1u
/* WI_PROBE_HOMES: only what rebase reads of its images (wit-primary §3.3): javaHome, oracleHome
 * with oracleHomeUser/Group, domainHome and wdtModelOnly, wdtHome/wdtVersion, wdtModelHome. The
 * files only the other keys need (the JDK's release, the Oracle Home's inventory and weblogic.jar,
 * the tools on PATH, /etc/os-release) are not looked for, so the big JDK and Oracle Home layers
 * are not read just to find them; those keys are not printed. */
#define WI_PROBE_HOMES 2u

/* Probe an image of the store (img from wi_image_open). Errors only for unreadable layers. */
int wi_probe_image(struct wi_probe **out, struct wi_store *s, const struct wi_image *img,
                   unsigned flags, wi_err *err);
/* The probe from properties text (a --fromImageProperties file's content, or a probe's lines).
 * WI_EINVAL for a malformed \u escape; WI_ETOOBIG past WI_MAX_PROPS_BYTES. */
int wi_probe_from_text(struct wi_probe **out, const char *text, size_t len, wi_err *err);
/* --fromImageProperties: read PATH (WI_ENOTFOUND / WI_EIO naming it) and parse it as above. */
int wi_probe_from_file(struct wi_probe **out, const char *path, wi_err *err);
void wi_probe_free(struct wi_probe *p);
static inline void
wi_probe_freep(struct wi_probe **pp)
{
  if (*pp)
    wi_probe_free(*pp);
}

/* A key's value ("javaHome", "__OS__ID", …) or NULL when the probe did not print it (borrowed). */
const char *wi_probe_get(const struct wi_probe *p, const char *key);

/* WIT's OperatingSystemProperties: field "id" (__OS__ID), "version" (__OS__VERSION, else
 * __OS__VERSION_ID), "name", "releasePackage" (__OS__RELEASE_PACKAGE), "architecture"
 * (__OS__arch); surrounding double quotes removed. malloc'ed, NULL when absent. */
char *wi_probe_os(const struct wi_probe *p, const char *field);

/* WIT's busybox mode: __OS__NAME is set and __OS__ID is bb or alpine (case-insensitive). */
bool wi_probe_busybox(const struct wi_probe *p);

/* The installed patches from oraclePatches (bug;uid;"description" triples, ';'-separated), as
 * WIT's InstalledPatch.getPatchList reads them: *n = 0 when the key is absent or empty; WI_EINVAL
 * with IMG-0095's text when the count of fields is not a multiple of three. */
int wi_probe_patches(const struct wi_probe *p, struct wi_probe_patch **out, size_t *n, wi_err *err);

/* WIT's `inspect` JSON for the probe (oraclePatches if the probe printed the key, os, then every
 * other key alphabetically; values JSON-escaped; absent os fields are null). malloc'ed. */
int wi_probe_json(const struct wi_probe *p, char **out, wi_err *err);

/* ---- the file formats the probe reads (exported for the fuzz targets and tests) ---- */

/* /etc/os-release → the script's `grep '=' | sed 's/^/__OS__/'` lines. malloc'ed. */
char *wi_probe_os_release_lines(const char *text, size_t len);

/* inventory/registry.xml: comma-joined names of the installed <distribution> elements, and the
 * version of the "WebLogic Server" one (each malloc'ed, NULL when none). */
void wi_probe_registry_xml(const char *xml, size_t len, char **products, char **wls_version);

/* An OPatch one-off inventory (inventory/oneoffs/<id>/etc/config/inventory.xml): the patch id
 * (<patch_id number=…> or <reference_id number=…>), <unique_patch_id>, <patch_description>.
 * WI_EINVAL when it names no patch id. */
int wi_probe_oneoff_xml(const char *xml, size_t len, struct wi_probe_patch *out, wi_err *err);

/* A jar's META-INF/MANIFEST.MF Implementation-Version (else Specification-Version), malloc'ed or
 * NULL (not a zip, no manifest, no version). */
char *wi_probe_jar_version(const void *jar, size_t len);

/* The busybox binary's banner "BusyBox v1.36.1 (…)": name "BusyBox", version "v1.36.1" (the
 * first two words of `busybox | head -1`), each malloc'ed; false when there is none. */
bool wi_probe_busybox_banner(const void *bin, size_t len, char **name, char **version);

#endif
