/* wlsimg rebase: WIT 1.16's rebase — a source image's domain home onto a (newly patched) Oracle
 * Home: an existing --targetImage, or a new image built as create builds it. */
#include "cli/commands.h"
#include "cli/witopts.h"

static const struct cli_opt rebase_opts[] = {
  WIT_COMMON_OPTS,
  WIT_PATCH_OPTS,
  WIT_CREATE_OPTS,
  { "sourceImage", 0, CLI_STRING, WO(source_image), "sourceImage",
    "Image holding the domain to move", true },
  { "targetImage", 0, CLI_STRING, WO(target_image), "image",
    "Image with the new Oracle Home (else a new image is built, as create)", false },
  CLI_OPT_END,
};

static const struct cli_cmd rebase_cmd = {
  "rebase",
  "--tag TAG --sourceImage IMAGE [--targetImage IMAGE] [OPTIONS] [-- ENGINE-ARGS]",
  "Copy a domain from one image onto another Oracle Home (WIT-compatible).\n\n"
  "With --targetImage the source's domain home (a model-only source's WDT home) is copied onto the target\n"
  "natively, layer by layer, without a container engine, owned by the target's Oracle Home owner, with the same\n"
  "digest for the same inputs (SOURCE_DATE_EPOCH); a container engine builds it only when [final-build-commands]\n"
  "holds more than ENV, LABEL, USER, ARG, CMD, ENTRYPOINT, EXPOSE and STOPSIGNAL lines or options follow --.\n"
  "Without --targetImage the new Oracle Home is installed as create does, by a container engine. The result is\n"
  "named --tag in the wlsimg store (the digest is printed) and --push pushes it; --dryRun prints the Dockerfile.",
  rebase_opts,
  0,
  -1,
};

int
cmd_rebase(int argc, char **argv)
{
  return wit_cmd_main(&rebase_cmd, WI_WIT_REBASE, argc, argv);
}
