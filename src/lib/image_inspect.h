/* wlsimg: `image inspect`: what the store knows of an image, in the shape of docker's output.
 *
 * One JSON object per image with docker's keys (Id = the config digest, RepoTags, RepoDigests,
 * Parent, Comment, Created, DockerVersion, Author, Config, Architecture, Variant, Os, Size,
 * RootFS, Descriptor), plus Manifest (the image manifest as stored) and ManifestDigest (its
 * digest: Descriptor.digest, or the platform's entry when the store holds an index). Size is what
 * the store holds (config and compressed layers), as `images` shows it.
 */
#ifndef WI_IMAGE_INSPECT_H
#define WI_IMAGE_INSPECT_H

#include "lib/err.h"
#include "lib/ref.h"
#include "lib/store.h"

/* The object for arg (a name, an image id or a digest, as wi_store_lookup takes) as JSON
 * (malloc'ed): compact, or indented by `indent` spaces a level (at most 8); platform NULL = the
 * host's, for an index. WI_ENOTFOUND "No such image: ARG". */
int wi_image_inspect(struct wi_store *s, const char *arg, const struct wi_platform *platform,
                     int indent, char **json_out, wi_err *err);

#endif
