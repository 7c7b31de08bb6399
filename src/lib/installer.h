/* wlsimg: WIT's Oracle installer types (FmwInstallerType, wit-primary §9): which cached installers
 * a --type needs, the default response file of each, the file an installer zip runs, and the
 * installer type an Oracle Home's inventory names. */
#ifndef WI_INSTALLER_H
#define WI_INSTALLER_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

#define WI_INSTALLER_MAX 4 /* installers of one type (SOA_OSB_B2B, OIG) */

/* The --type values in WIT's order, comma-separated (for messages). */
const char *wi_installer_types(void);
/* Canonical spelling of a --type value (case-insensitive, "wls" → "WLS"); NULL when unknown. */
const char *wi_installer_type_name(const char *type);

/* The cache types of a --type for a version ("SOA" → fmw, soa; "OHS" at 12.2.1.4.0 → ohs, db19),
 * in install order. Returns the count. */
size_t wi_installer_list(const char *type, const char *version, const char *out[WI_INSTALLER_MAX]);

/* WIT's default response file for one installer of a --type (DefaultResponseFile), malloc'ed:
 * "[ENGINE]\nResponse File Version=1.0.0.0.0\n[GENERIC]\nINSTALL_TYPE=…\n…". */
char *wi_installer_response_file(const char *installer, const char *type);

/* What runs an installer file (MiddlewareInstall.getJarNameFromInstaller): for a *.zip the first
 * entry, in the zip's order, whose name ends .jar or .bin (with its directories); else, or when
 * none, the file's own name. *out malloc'ed. WI_EINVAL for an unreadable zip. */
int wi_installer_jar_name(const char *path, char **out, wi_err *err);

/* The installer type of an image from its oracleInstalledProducts (comma-separated inventory
 * distribution names), as FmwInstallerType.fromDistributionList; NULL when nothing is known. */
const char *wi_installer_type_from_products(const char *products);

/* ARU's and the cache's architecture name for --platform (Architecture.fromString): "amd64" or
 * "arm64"; *known false for a name WIT does not recognise (it then uses amd64 with IMG-0121). NULL
 * platform = this machine. */
const char *wi_installer_arch(const char *platform, bool *known);

#endif
