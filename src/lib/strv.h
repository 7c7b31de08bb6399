/* wlsimg: counted lists of strings (char **v with n entries, each malloc'ed). */
#ifndef WI_STRV_H
#define WI_STRV_H

#include <stddef.h>

/* Free the n strings of v and v itself; v may be NULL. */
void wi_strv_free(char **v, size_t n);

#endif
