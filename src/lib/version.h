/* wlsimg: version numbers compared as WIT compares them (Utils.compareVersions): installer,
 * OPatch, PSU and WDT versions. */
#ifndef WI_VERSION_H
#define WI_VERSION_H

#include "lib/err.h"

/* Dotted numbers compared field by field as numbers of any length ("13.9.4.2.17" > "13.9.4.2.5"),
 * more fields is newer ("12.2.1.4.0" > "12.2.1.4"), and a "-qualifier" sorts before the plain
 * version (two qualifiers compare as text). *cmp < 0, 0 or > 0. WI_EINVAL "cannot compare null
 * strings" (WIT's text) for a NULL or empty version, or naming a version that is not dotted
 * numbers. */
int wi_version_compare(const char *a, const char *b, int *cmp, wi_err *err);

#endif
