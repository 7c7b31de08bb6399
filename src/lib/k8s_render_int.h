/* wlsimg: the object tree behind struct wi_k8s_obj, shared by the renderer (k8s_render.c) and the
 * code that builds objects (k8s.c). Library-internal: src/cli must not include it. */
#ifndef WI_K8S_RENDER_INT_H
#define WI_K8S_RENDER_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/k8s.h"

enum node_kind { N_MAP, N_SEQ, N_STR, N_INT, N_NULL };

struct node {
  enum node_kind kind;
  char *s;     /* N_STR */
  long long i; /* N_INT */
  size_t n;    /* N_MAP, N_SEQ */
  char **keys; /* N_MAP */
  struct node **v;
};

struct wi_k8s_obj {
  struct node *root;
  bool sort_yaml; /* kubectl-made objects: keys sorted in YAML */
};

struct node *wi_k8s_render_node_new(enum node_kind k);
void wi_k8s_render_node_free(struct node *n);
/* A string node holding a copy of s. */
struct node *wi_k8s_render_str(const char *s);
/* Append key → child to map m (keys keep their order); returns child. */
struct node *wi_k8s_render_map_put(struct node *m, const char *key, struct node *child);
/* m[key] = a string node holding a copy of value. */
void wi_k8s_render_map_str(struct node *m, const char *key, const char *value);
/* m[key] = a new, empty map; returns it. */
struct node *wi_k8s_render_map_map(struct node *m, const char *key);
/* Append child to sequence s; returns child. */
struct node *wi_k8s_render_seq_add(struct node *s, struct node *child);
/* An object owning root; sort_yaml: keys sorted in YAML output (objects kubectl makes). */
struct wi_k8s_obj *wi_k8s_render_obj_new(struct node *root, bool sort_yaml);
/* Compact Go-style JSON of a tree (malloc'ed). */
char *wi_k8s_render_json_compact(const struct node *n);

#endif
