/* wlsimg CLI: the options WIT's create, update and rebase share (CommonOptions,
 * CommonPatchingOptions, CommonCreateOptions, WDT options), and running one of them. The command
 * files list the groups that apply to them. */
#ifndef WI_CLI_WITOPTS_H
#define WI_CLI_WITOPTS_H

#include <stddef.h>

#include "cli/cli.h"
#include "lib/wit.h"

struct wit_args {
  /* CommonOptions */
  const char *tag, *from_image, *from_image_props, *http_proxy, *https_proxy, *docker_log;
  bool skipcleanup, dry_run, pull, use_buildx;
  const char *chown, *abc, *abf, *build_network, *package_manager, *builder, *target, *platform;
  struct cli_list build_args;
  /* CommonPatchingOptions */
  const char *user, *password, *password_env, *password_file, *patches, *opatch_bug, *type;
  bool latest_psu, recommended, strict_patch_ordering, skip_opatch_update;
  /* CommonCreateOptions */
  const char *version, *jdk_version, *response_files, *inv_file, *inv_loc;
  /* WDT */
  const char *wdt_model, *wdt_archive, *wdt_variables, *wdt_version, *wdt_model_home, *wdt_home;
  const char *wdt_domain_type, *wdt_domain_home, *wdt_java_options, *resource_templates;
  const char *enc_key, *enc_key_env, *enc_key_file, *wdt_operation;
  bool run_rcu, model_only, strict_validation;
  /* rebase */
  const char *source_image, *target_image;
  /* wlsimg */
  bool push, tls_verify;
  const char *authfile, *cert_dir;
};

#define WO(f) offsetof(struct wit_args, f)
/* clang-format off */
#define WIT_COMMON_OPTS                                                                             \
  { "tag", 0, CLI_STRING, WO(tag), "image tag", "Tag for the final build image, e.g. registry/repo:1", true }, \
  { "fromImage", 0, CLI_STRING, WO(from_image), "image", "Base image, read from the wlsimg store, pulled when absent (create: default ghcr.io/oracle/oraclelinux:8-slim; update: required)", false }, \
  { "fromImageProperties", 0, CLI_STRING, WO(from_image_props), "file", "Properties describing --fromImage instead of reading it", false }, \
  { "httpProxyUrl", 0, CLI_STRING, WO(http_proxy), "url", "Proxy for http (default $http_proxy)", false }, \
  { "httpsProxyUrl", 0, CLI_STRING, WO(https_proxy), "url", "Proxy for https (default $https_proxy)", false }, \
  { "dockerLog", 0, CLI_STRING, WO(docker_log), "file", "Also write the build output to this file", false }, \
  { "skipcleanup", 0, CLI_FLAG, WO(skipcleanup), NULL, "Keep the build context and intermediate images", false }, \
  { "chown", 0, CLI_STRING, WO(chown), "owner:group", "Owner of the files copied into the image (default oracle:oracle; update and rebase --targetImage: the Oracle Home's owner)", false }, \
  { "additionalBuildCommands", 0, CLI_STRING, WO(abc), "file", "Sections of Dockerfile lines to insert", false }, \
  { "additionalBuildFiles", 0, CLI_STRING, WO(abf), "files", "Files for the build commands (files/<name>), comma separated", false }, \
  { "dryRun", 0, CLI_FLAG, WO(dry_run), NULL, "Print the Dockerfile and build nothing", false }, \
  { "buildNetwork", 0, CLI_STRING, WO(build_network), "mode", "Network mode for RUN instructions", false }, \
  { "pull", 0, CLI_FLAG, WO(pull), NULL, "Fetch the base images from their registry again", false }, \
  { "packageManager", 0, CLI_STRING, WO(package_manager), "pm", "OS_DEFAULT, NONE, YUM, DNF, MICRODNF, MICRODNF_8, APTGET, APK, ZYPPER", false }, \
  { "builder", 'b', CLI_STRING, WO(builder), "executable", "docker, podman or buildah (default $WLSIMG_BUILDER, else the first found)", false }, \
  { "target", 0, CLI_STRING, WO(target), "Default|OpenShift", "OpenShift: group root and group permissions = owner's", false }, \
  { "build-arg", 0, CLI_LIST, WO(build_args), "arg=value", "Build argument (repeatable)", false }, \
  { "platform", 0, CLI_STRING, WO(platform), "os/arch", "Target platform, e.g. linux/arm64 (uses buildx)", false }, \
  { "useBuildx", 0, CLI_FLAG, WO(use_buildx), NULL, "Build with `buildx build`", false }, \
  { "push", 0, CLI_FLAG, WO(push), NULL, "Push --tag to its registry after the build", false }, \
  { "tls-verify", 0, CLI_FLAG, WO(tls_verify), NULL, "Verify registry certificates (default true)", false }, \
  { "authfile", 0, CLI_STRING, WO(authfile), "file", "Registry credentials file", false }, \
  { "cert-dir", 0, CLI_STRING, WO(cert_dir), "dir", "Registry certificates directory", false }

#define WIT_PATCH_OPTS                                                                              \
  { "user", 0, CLI_STRING, WO(user), "support email", "Oracle Support email id", false },          \
  { "password", 0, CLI_OPTIONAL, WO(password), NULL, "Ask for the Oracle Support password (no echo; or a line from stdin); a value is refused", false }, \
  { "passwordEnv", 0, CLI_STRING, WO(password_env), "variable", "Environment variable holding the Oracle Support password", false }, \
  { "passwordFile", 0, CLI_STRING, WO(password_file), "file", "File whose first line is the Oracle Support password", false }, \
  { "latestPSU", 0, CLI_FLAG, WO(latest_psu), NULL, "Apply the latest PSU", false },                \
  { "recommendedPatches", 0, CLI_FLAG, WO(recommended), NULL, "Apply the recommended patches", false }, \
  { "strictPatchOrdering", 0, CLI_FLAG, WO(strict_patch_ordering), NULL, "Apply patches one at a time", false }, \
  { "patches", 0, CLI_STRING, WO(patches), "patchId", "Comma separated patch ids, e.g. 12345678,87654321_12.2.1.4.0", false }, \
  { "opatchBugNumber", 0, CLI_STRING, WO(opatch_bug), "bug", "The OPatch patch number", false },   \
  { "skipOpatchUpdate", 0, CLI_FLAG, WO(skip_opatch_update), NULL, "Do not update OPatch", false }, \
  { "type", 0, CLI_STRING, WO(type), "type", "Installer type (default WLS): WLS, WLSSLIM, WLSDEV, FMW, OSB, SOA, SOA_OSB, SOA_OSB_B2B, MFT, IDM, IDM_WLS, OAM, OIG, OUD, OUD_WLS, OID, WCC, WCP, WCS, OHS, ODI", false }

#define WIT_CREATE_OPTS                                                                             \
  { "version", 0, CLI_STRING, WO(version), "version", "Installer version (default 12.2.1.3.0)", false }, \
  { "jdkVersion", 0, CLI_STRING, WO(jdk_version), "version", "JDK version in the cache (default 8u202)", false }, \
  { "installerResponseFile", 0, CLI_STRING, WO(response_files), "files", "Response files, one per installer, comma separated", false }, \
  { "inventoryPointerFile", 0, CLI_STRING, WO(inv_file), "file", "Your own oraInst.loc", false }, \
  { "inventoryPointerInstallLoc", 0, CLI_STRING, WO(inv_loc), "dir", "Where oraInst.loc goes in the image (default /u01/oracle)", false }

#define WIT_WDT_OPTS                                                                                \
  { "wdtModel", 0, CLI_STRING, WO(wdt_model), "files", "WDT model file(s), comma separated", false }, \
  { "wdtArchive", 0, CLI_STRING, WO(wdt_archive), "files", "WDT archive file(s), comma separated", false }, \
  { "wdtVariables", 0, CLI_STRING, WO(wdt_variables), "files", "WDT variables file(s), comma separated", false }, \
  { "wdtVersion", 0, CLI_STRING, WO(wdt_version), "version", "WDT installer version in the cache (default latest)", false }, \
  { "wdtModelHome", 0, CLI_STRING, WO(wdt_model_home), "dir", "Where the model files go (default <wdtHome>/models)", false }, \
  { "wdtHome", 0, CLI_STRING, WO(wdt_home), "dir", "Where WDT goes (default /u01/wdt)", false }, \
  { "wdtDomainType", 0, CLI_STRING, WO(wdt_domain_type), "type", "WLS (default), JRF or RestrictedJRF", false }, \
  { "wdtRunRCU", 0, CLI_FLAG, WO(run_rcu), NULL, "Run RCU when creating the domain", false },      \
  { "wdtDomainHome", 0, CLI_STRING, WO(wdt_domain_home), "dir", "Domain home (default /u01/domains/base_domain)", false }, \
  { "wdtJavaOptions", 0, CLI_STRING, WO(wdt_java_options), "options", "Java options for WDT", false }, \
  { "wdtModelOnly", 0, CLI_FLAG, WO(model_only), NULL, "Install WDT and the models, create no domain", false }, \
  { "wdtStrictValidation", 0, CLI_FLAG, WO(strict_validation), NULL, "Strict model validation (model only)", false }, \
  { "wdtEncryptionKey", 0, CLI_OPTIONAL, WO(enc_key), NULL, "Ask for the model passphrase (no echo; or a line from stdin); a value is refused", false }, \
  { "wdtEncryptionKeyEnv", 0, CLI_STRING, WO(enc_key_env), "variable", "Environment variable holding the passphrase", false }, \
  { "wdtEncryptionKeyFile", 0, CLI_STRING, WO(enc_key_file), "file", "File whose first line is the passphrase", false }, \
  { "resourceTemplates", 0, CLI_STRING, WO(resource_templates), "files", "Templates resolved after the build, comma separated", false }
/* clang-format on */

/* Parse argv for cmd, resolve the secrets, run the command, print WIT's way. */
int wit_cmd_main(const struct cli_cmd *cmd, enum wi_wit_cmd which, int argc, char **argv);

#endif
