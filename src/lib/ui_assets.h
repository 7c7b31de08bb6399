/* wlsimg ui: the page's files (HTML, CSS, JS under ui/), compiled into the binary.
 *
 * The definitions are generated at build time by scripts/embed-assets.sh into
 * build/gen/ui_assets.c; nothing is read from disk or the network at run time. */
#ifndef WI_UI_ASSETS_H
#define WI_UI_ASSETS_H

#include <stddef.h>

struct wi_ui_asset {
  const char *path;  /* URL path: "/index.html", "/js/app.js" */
  const char *ctype; /* Content-Type */
  const unsigned char *data;
  size_t len;
};

/* The asset for a URL path, or NULL. Static data. */
const struct wi_ui_asset *wi_ui_assets_find(const char *path);
/* Sum of every asset's size (the page's weight, for tests). */
size_t wi_ui_assets_total(void);

#endif
