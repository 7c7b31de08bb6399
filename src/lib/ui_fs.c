/* wlsimg ui: directory listings for the page's file picker, inside the allowed roots. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/alloc.h"
#include "lib/json.h"
#include "lib/ui_fs.h"

#define autojson __attribute__((cleanup(json_decrefp)))

/* Is path (resolved) root itself or below it? */
static bool
below(const char *path, const char *root)
{
  size_t n = strlen(root);
  if (n == 1 && root[0] == '/')
    return true;
  return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

struct ent {
  char *name;
  bool dir;
  long long size;
};

static int
ent_cmp(const void *a, const void *b)
{
  const struct ent *x = a, *y = b;
  if (x->dir != y->dir)
    return x->dir ? -1 : 1;
  return strcmp(x->name, y->name);
}

static int
list_dir(const char *dir, json_t *out, wi_err *err)
{
  DIR *d = opendir(dir);
  if (d == NULL)
    return wi_err_sys(err, errno == ENOENT ? WI_ENOTFOUND : WI_EIO, "%s", dir);
  struct ent *v = NULL;
  size_t n = 0;
  bool truncated = false;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    if (n == WI_UI_FS_MAX_ENTRIES) {
      truncated = true;
      break;
    }
    wi_autofree char *p = wi_xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, de->d_name);
    struct stat st;
    if (stat(p, &st) < 0)
      continue; /* a dangling link */
    v = wi_xreallocarray(v, n + 1, sizeof *v);
    v[n++] = (struct ent){ wi_xstrdup(de->d_name), S_ISDIR(st.st_mode), (long long)st.st_size };
  }
  closedir(d);
  if (n > 0)
    qsort(v, n, sizeof *v, ent_cmp);
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_object();
    json_object_set_new(o, "name", wi_json_str(v[i].name));
    json_object_set_new(o, "dir", json_boolean(v[i].dir));
    json_object_set_new(o, "size", json_integer(v[i].dir ? 0 : v[i].size));
    json_array_append_new(arr, o);
    free(v[i].name);
  }
  free(v);
  json_object_set_new(out, "entries", arr);
  json_object_set_new(out, "truncated", json_boolean(truncated));
  return 0;
}

int
wi_ui_fs_list(const char *dir, const char *const *roots, size_t n_roots, char **json_out,
              wi_err *err)
{
  char **real_roots = wi_xcalloc(n_roots + 1, sizeof *real_roots);
  size_t n_real = 0;
  for (size_t i = 0; i < n_roots; i++) {
    char *r = roots[i] ? realpath(roots[i], NULL) : NULL;
    bool dup = false;
    for (size_t k = 0; r && k < n_real; k++)
      dup = dup || strcmp(real_roots[k], r) == 0;
    if (r && !dup)
      real_roots[n_real++] = r;
    else
      free(r);
  }
  int ret = 0;
  char *real = NULL;
  if (n_real == 0)
    ret = wi_err_set(err, WI_ENOTFOUND, "no directory to browse");
  else if (dir == NULL || dir[0] == '\0')
    real = wi_xstrdup(real_roots[0]);
  else if ((real = realpath(dir, NULL)) == NULL)
    ret = wi_err_sys(err, errno == ENOENT ? WI_ENOTFOUND : WI_EIO, "%s", dir);
  size_t root = n_real;
  for (size_t i = 0; ret == 0 && i < n_real; i++)
    if (below(real, real_roots[i]) &&
        (root == n_real || strlen(real_roots[i]) > strlen(real_roots[root])))
      root = i;
  if (ret == 0 && root == n_real)
    ret = wi_err_set(err, WI_EDENIED, "%s is outside the directories the page may browse", dir);
  autojson json_t *o = json_object();
  if (ret == 0) {
    json_object_set_new(o, "dir", wi_json_str(real));
    bool at_root = strcmp(real, real_roots[root]) == 0;
    char *slash = strrchr(real, '/');
    wi_autofree char *parent = at_root || slash == NULL ? NULL
                               : slash == real          ? wi_xstrdup("/")
                                                        : wi_xstrndup(real, (size_t)(slash - real));
    json_object_set_new(o, "parent", parent ? wi_json_str(parent) : json_null());
    json_t *ra = json_array();
    for (size_t i = 0; i < n_real; i++)
      json_array_append_new(ra, wi_json_str(real_roots[i]));
    json_object_set_new(o, "roots", ra);
    ret = list_dir(real, o, err);
  }
  if (ret == 0)
    *json_out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  free(real);
  for (size_t i = 0; i < n_real; i++)
    free(real_roots[i]);
  free(real_roots);
  return ret;
}
