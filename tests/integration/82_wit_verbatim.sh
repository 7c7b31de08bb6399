#!/usr/bin/env bash
# Issue 10's command lines (from the WebLogic Kubernetes Operator's documentation), run verbatim with `wlsimg`
# in place of `imagetool.sh`, and the bad input of create and update on real images. On STAND-INS: Oracle's
# installers, OPatch and WDT cannot be downloaded here, so tests/standin builds small ones (and a real JDK and a
# real Debian base), registered under the keys the lines use:
#   cache addInstaller  the lines name /home/acmeuser/wls-installers/…; this script runs in a mount namespace
#                       of its own, where a tmpfs on /home (seen by nothing else) holds the stand-ins under
#                       those names (bind mounts)
#   create              both lines ask Oracle Support (--recommendedPatches; --patches with --user), which
#                       cannot be reached from here (WLSIMG_ARU_HOST names a closed loopback port): the error
#                       names the host, the request and how to work offline, exit 1, nothing written
#   update              real builds with buildah: the stand-in WDT's createDomain.sh; the user's own domain
#                       script through --additionalBuildCommands (what the operator's sample does with WLST,
#                       which cannot run here)
#   rebase              the first update's domain moved, natively, onto the patched image of images.sh
# (the update and rebase lines not under sanitizers, see below)
# shellcheck disable=SC2154 # fromImage, finalImage, stageDir, domainHome: the lines' variables, set below
if [ -z "${WLSIMG_NS:-}" ] && [ "$(id -u)" -eq 0 ] && command -v unshare > /dev/null; then
  WLSIMG_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$T_HERE/../.." && pwd)
if [ "$(id -u)" -ne 0 ] || [ -z "${WLSIMG_NS:-}" ] || ! command -v buildah > /dev/null ||
  ! command -v javac > /dev/null || ! command -v debootstrap > /dev/null; then
  echo "ok - # SKIP the issue's command lines (need root, unshare, buildah, javac and debootstrap: scripts/deps.sh)"
  finish
  exit
fi
need jq
SD=${WLSIMG_STANDIN_DIR:-$ROOT/build/standin}
check "stand-ins (cached)" "$ROOT/tests/standin/make-all.sh" "$SD/files"
check "stand-in images (cached)" "$ROOT/tests/standin/images.sh" "$SD/files" "$SD/images"
for t in base wls12 wls12p; do
  check "wlsimg copy oci:…:$t into the store" "$WLSIMG" copy -q "oci:$SD/images/oci:$t" "standin/$t:1"
done
JDK=$(sed -n 's/.*--type jdk --version \([^ ]*\).*/\1/p' "$SD/files/register.txt")

export WLSIMG_CACHEDIR="$T_DIR/cache" WLSIMG_BLDDIR="$T_DIR/bld" WLSIMG_BUILDER=buildah SOURCE_DATE_EPOCH=0
mkdir -p "$WLSIMG_BLDDIR"
# buildah's storage, private to this script
# shellcheck source=tests/standin/buildah.sh
. "$ROOT/tests/standin/buildah.sh"
bh_setup "$T_DIR/containers"
trap 'bh_cleanup; t_cleanup' EXIT
wlsimg() { env -u DOCKER_CONFIG "$WLSIMG" "$@"; }
n_images() { "$WLSIMG" images -q 2> /dev/null | sort | tr '\n' ' '; }
n_blobs() { ls "$WLSIMG_STORE/blobs/sha256" | wc -l; }
saved() { cp "$T_DIR/last.err" "$T_DIR/$1.err"; cp "$T_DIR/last.out" "$T_DIR/$1.out"; }

# ---- cache addInstaller, verbatim ----
check "a /home of this test's own (tmpfs, in this mount namespace only)" mount -t tmpfs -o size=1m,mode=0755 wlsimg-test /home
mkdir -p /home/acmeuser/wls-installers
bind() { : > "$2" && mount --bind "$1" "$2"; }
check "the stand-in JDK as jre-8u291-linux-x64.tar.gz" \
  bind "$SD/files/jdk-${JDK}_linux-x64_bin.tar.gz" /home/acmeuser/wls-installers/jre-8u291-linux-x64.tar.gz
check "the stand-in installer as fmw_12.2.1.4.0_wls_Disk1_1of1.zip" \
  bind "$SD/files/fmw_12.2.1.4.0_wls_lite_Disk1_1of1.zip" /home/acmeuser/wls-installers/fmw_12.2.1.4.0_wls_Disk1_1of1.zip
check "cache addInstaller --type=jdk (verbatim)" \
  wlsimg cache addInstaller --type=jdk --version=8u291 --path=/home/acmeuser/wls-installers/jre-8u291-linux-x64.tar.gz
check "cache addInstaller --type=wls (verbatim)" \
  wlsimg cache addInstaller --type=wls --version=12.2.1.4.0 --path=/home/acmeuser/wls-installers/fmw_12.2.1.4.0_wls_Disk1_1of1.zip
check "cache listItems" wlsimg cache listItems
check_eq "the cache has both, under WIT's keys" "$(grep -E '^(jdk|wls)_' "$T_DIR/last.out" | sort | tr '\n' ' ')" \
  "jdk_8u291=/home/acmeuser/wls-installers/jre-8u291-linux-x64.tar.gz wls_12.2.1.4.0=/home/acmeuser/wls-installers/fmw_12.2.1.4.0_wls_Disk1_1of1.zip "
check "create finds them (--dryRun, no Oracle Support asked)" \
  wlsimg create --tag latest_weblogic:12.2.1.4 --jdkVersion=8u291 --type=wls --version=12.2.1.4.0 --dryRun --skipcleanup
saved found
CTX=$(sed -n 's/.*Temporary directory used for image build context: //p' "$T_DIR/found.err")
check_eq "... and links both into the build context, where WIT's Dockerfile names them" \
  "$(grep -c 'jre-8u291-linux-x64.tar.gz\|fmw_12.2.1.4.0_wls_Disk1_1of1.zip' "$CTX/Dockerfile") $(ls "$CTX" | grep -c 'jre-8u291\|fmw_12')" "4 2"
rm -rf "$CTX"

# ---- create, verbatim: Oracle Support cannot be reached from here ----
ARU="127.0.0.1:$(free_port)"
export WLSIMG_ARU_HOST="$ARU" WLSIMG_REST_RETRY_MAX=2 MYPWD=not-a-real-password
N=$(n_images)
B=$(n_blobs)
C=$(wlsimg cache listItems | sort | sha256sum)
ask="Checking the Oracle Support credentials: Oracle Support at $ARU could not be reached (tried 2 times): GET https://$ARU/Orion/Services/metadata?table=aru_languages"
check_fail "create --recommendedPatches --user … --passwordEnv=MYPWD (verbatim)" 1 "$ask" \
  wlsimg create --tag latest_weblogic:12.2.1.4 --pull --jdkVersion=8u291 --type=wls --version=12.2.1.4.0 --recommendedPatches --user myusername@mycompany.com --passwordEnv=MYPWD
saved c1
check "... how to work offline" grep -qF "To work without Oracle Support, add the patches to the cache (wlsimg cache addPatch --patchId <bug>_12.2.1.4.0 --path <the patch zip downloaded from My Oracle Support>), list them with --patches instead of --recommendedPatches and run without --user" "$T_DIR/c1.err"
check_fail "create --type=wlsslim --patches=… --user … (verbatim)" 1 "$ask" \
  wlsimg create --tag minimal_weblogic:12.2.1.3 --pull --jdkVersion=8u291 --type=wlsslim --version=12.2.1.3.0 --patches=29135930_12.2.1.3.0,27117282_12.2.1.3.0 --user myusername@mycompany.com --passwordEnv=MYPWD
saved c2
check "... how to work offline" grep -qF "To work without Oracle Support, add the patches to the cache (wlsimg cache addPatch --patchId 29135930_12.2.1.3.0 --path <the patch zip downloaded from My Oracle Support>) and run without --user" "$T_DIR/c2.err"
check_fail "... the same with --dryRun" 1 "$ask" \
  wlsimg create --tag minimal_weblogic:12.2.1.3 --pull --jdkVersion=8u291 --type=wlsslim --version=12.2.1.3.0 --patches=29135930_12.2.1.3.0,27117282_12.2.1.3.0 --user myusername@mycompany.com --passwordEnv=MYPWD --dryRun
check "... the password is in no message" bash -c '! grep -q not-a-real-password "$@"' _ "$T_DIR"/c[12].err "$T_DIR/last.err"
check_eq "... nothing named" "$(n_images)" "$N"
check_eq "... no blob stored" "$(n_blobs)" "$B"
check_eq "... no build context left" "$(ls "$WLSIMG_BLDDIR" | wc -l)" 0
check_eq "... the cache unchanged" "$(wlsimg cache listItems | sort | sha256sum)" "$C"
unset WLSIMG_ARU_HOST MYPWD

# ---- update, verbatim: real builds with buildah ----
# Not under sanitizers: the engine's two builds take most of this script's time, and the wlsimg code around them
# (context, hand-over, import; the native rebase) runs under sanitizers in 53_wit_build.sh and 81_native_rebase.sh.
if [ -z "${WLSIMG_SANITIZED:-}" ]; then
check "the stand-in WDT under the key --wdtVersion LATEST looks up" \
  wlsimg cache addInstaller --type wdt --version LATEST --path "$SD/files/weblogic-deploy.zip"
stageDir="$T_DIR/stage"
mkdir -p "$stageDir"
cat > "$stageDir/wdt_model_dynamic.yaml" << 'EOF'
# A WDT model with a dynamic cluster, in the spirit of the operator's sample (the stand-in WDT reads its Name)
domainInfo:
  AdminUserName: '@@PROP:ADMIN_USER@@'
  AdminPassword: '@@PROP:ADMIN_PASSWORD@@'
topology:
  Name: '@@PROP:DOMAIN_NAME@@'
  AdminServerName: admin-server
  Cluster:
    cluster-1:
      DynamicServers:
        ServerTemplate: cluster-1-template
        ServerNamePrefix: managed-server
        DynamicClusterSize: 5
        MaxDynamicClusterSize: 5
  Server:
    admin-server:
      ListenPort: 7001
  ServerTemplate:
    cluster-1-template:
      Cluster: cluster-1
      ListenPort: 8001
EOF
printf 'DOMAIN_NAME=sample-domain1\nADMIN_USER=weblogic\nADMIN_PASSWORD=not-a-real-secret-2\n' > "$stageDir/domain.properties"
fromImage=standin/wls12:1
finalImage=mydomain:v1
domainHome=/u01/domains/sample-domain1
check "update --wdtModel … --wdtOperation CREATE --wdtVersion LATEST --chown=oracle:root (verbatim)" \
  wlsimg update --fromImage "$fromImage" --tag "$finalImage" --wdtModel "$stageDir/wdt_model_dynamic.yaml" --wdtVariables "$stageDir/domain.properties" --wdtOperation CREATE --wdtVersion LATEST --wdtDomainHome "$domainHome" --chown=oracle:root
saved u1
check "... through buildah, as the log says" grep -q "Building with buildah: WDT's domain tools (createDomain.sh, updateDomain.sh, deployApps.sh) run inside the image" "$T_DIR/u1.err"
check "... the stand-in createDomain.sh made the domain of the model" \
  grep -q "createDomain.sh completed: domain sample-domain1 (WLS) in /u01/domains/sample-domain1" "$T_DIR/u1.out"
J=$("$WLSIMG" inspect --image mydomain:v1 2> /dev/null)
check_eq "... inspect: the domain home, a domain, the Oracle Home's owner" \
  "$(jq -r '[.domainHome, (.wdtModelOnly // "false"), .oracleHomeUser, .oracleHomeGroup] | join("|")' <<< "$J")" \
  "/u01/domains/sample-domain1|false|oracle|root"

# the second line: the user's own domain script through additional build commands
cat > "$stageDir/additional-build-commands" << 'EOF'
[final-build-commands]
ENV DOMAIN_HOME=/u01/domains/sample-domain1
COPY --chown={{userid}}:{{groupid}} files/createWLSDomain.sh files/create-wls-domain.py files/domain.properties /u01/oracle/stage/
RUN sh /u01/oracle/stage/createWLSDomain.sh
EOF
cat > "$stageDir/createWLSDomain.sh" << 'EOF'
#!/bin/sh
# The user's domain script. The operator's sample runs WLST with create-wls-domain.py here; WLST cannot run
# where wlsimg is tested (the stand-in Oracle Home's wlst.sh says so), so this one lays out the domain home
# from domain.properties itself.
set -eu
here=$(dirname "$0")
test -f "$here/create-wls-domain.py"
DOMAIN_NAME=$(sed -n 's/^DOMAIN_NAME=//p' "$here/domain.properties")
mkdir -p "$DOMAIN_HOME/config" "$DOMAIN_HOME/security"
printf '<domain><name>%s</name></domain>\n' "$DOMAIN_NAME" > "$DOMAIN_HOME/config/config.xml"
head -c 64 /dev/urandom > "$DOMAIN_HOME/security/SerializedSystemIni.dat"
echo "createWLSDomain.sh: $DOMAIN_NAME in $DOMAIN_HOME"
EOF
printf '# the WLST script of the operator sample: not run here (no WLST)\n' > "$stageDir/create-wls-domain.py"
finalImage=mydomain:script
check "update --additionalBuildCommands … --additionalBuildFiles … --chown=oracle:root (verbatim)" \
  wlsimg update --fromImage "$fromImage" --tag "$finalImage" --wdtOperation CREATE --wdtVersion LATEST --wdtDomainHome "$domainHome" --additionalBuildCommands $stageDir/additional-build-commands --additionalBuildFiles "$stageDir/createWLSDomain.sh,$stageDir/create-wls-domain.py,$stageDir/domain.properties" --chown=oracle:root
saved u2
check "... through buildah: the RUN" grep -q "Building with buildah: \[final-build-commands\] has instructions other than" "$T_DIR/u2.err"
check "... the user's script ran in the image" grep -q "createWLSDomain.sh: sample-domain1 in /u01/domains/sample-domain1" "$T_DIR/u2.out"
J=$("$WLSIMG" inspect --image mydomain:script 2> /dev/null)
check_eq "... inspect: DOMAIN_HOME from the additional build commands, a domain" \
  "$(jq -r '[.domainHome, (.wdtModelOnly // "false")] | join("|")' <<< "$J")" "/u01/domains/sample-domain1|false"

# ---- rebase, verbatim: the domain onto the patched Oracle Home, natively ----
check "the patched image under the line's name" "$WLSIMG" tag standin/wls12p:1 oracle/weblogic:12.2.1.4-patched
check "rebase --tag mydomain:v2 --sourceImage mydomain:v1 --targetImage oracle/weblogic:12.2.1.4-patched (verbatim)" \
  wlsimg rebase --tag mydomain:v2 --sourceImage mydomain:v1 --targetImage oracle/weblogic:12.2.1.4-patched
saved r
check "... natively" grep -q "Building natively, without a container engine" "$T_DIR/r.err"
J=$("$WLSIMG" inspect --image mydomain:v2 --patches 2> /dev/null)
check_eq "... inspect --patches: the domain, on the patched Oracle Home" \
  "$(jq -r '[.domainHome, .opatchVersion, (.oraclePatches[] | .patch)] | join("|")' <<< "$J")" \
  "/u01/domains/sample-domain1|13.9.4.2.22|33000001"
for t in v1 v2; do check "export mydomain:$t" "$WLSIMG" copy -q "mydomain:$t" "oci:$T_DIR/out:$t"; done
for t in v1 v2; do check "its domain home ($t)" python3 "$ROOT/tests/standin/subtree.py" "$T_DIR/out" "$t" u01/domains "$T_DIR/$t"; done
check "SerializedSystemIni.dat byte-identical after the rebase" \
  cmp "$T_DIR/v1/u01/domains/sample-domain1/security/SerializedSystemIni.dat" "$T_DIR/v2/u01/domains/sample-domain1/security/SerializedSystemIni.dat"

fi

# ---- bad input on real images: WIT's message and exit code, nothing left behind ----
N=$(n_images)
B=$(n_blobs)
C=(--tag bad:1 --fromImage standin/base:1 --packageManager NONE --jdkVersion=8u291 --type=wls)
check_fail "an installer missing from the cache (IMG-0011)" 1 \
  'Installer with key="wls_14.1.2.0.0_amd64" is not in the local cache, please download the installer and add it to the cache with "wlsimg cache addInstaller ..."' \
  wlsimg create "${C[@]}" --version=14.1.2.0.0
check_fail "a JDK missing from the cache (IMG-0011)" 1 'Installer with key="jdk_8u999_amd64" is not in the local cache' \
  wlsimg create --tag bad:1 --fromImage standin/base:1 --jdkVersion=8u999 --version=12.2.1.4.0
check_fail "--chown without a group (IMG-0027)" 1 \
  "The value for --chown must be a colon separated user and group.  Such as, user:group" \
  wlsimg create "${C[@]}" --version=12.2.1.4.0 --chown=oracle
check_fail "--chown with an invalid user (IMG-0028)" 1 \
  "--chown must contain a valid Unix UID (user ID).  A maximum of 32 characters in length and must start with a lowercase character.  Invalid value = Oracle" \
  wlsimg create "${C[@]}" --version=12.2.1.4.0 --chown=Oracle:root
check_fail "--chown with an invalid group (IMG-0029)" 1 \
  "--chown must contain a valid Unix GID (group ID).  No more than 32 characters and starts with a lowercase character.  Invalid value = 1root" \
  wlsimg create "${C[@]}" --version=12.2.1.4.0 --chown=oracle:1root
check_fail "update --chown other than the Oracle Home's owner (IMG-0087)" 1 \
  "The Oracle Home directory in --fromImage=standin/wls12:1 has an owner and group of oracle:root.  You must update the image with the same user and group setting from when it was created. Example: --chown=oracle:root" \
  wlsimg update --tag bad:1 --fromImage standin/wls12:1 --chown=oracle:oracle
check_fail "an unknown --type (a usage error, exit 2)" 2 \
  "Invalid value for option '--type': expected one of [" \
  wlsimg create --tag bad:1 --fromImage standin/base:1 --type=wlsx --version=12.2.1.4.0
check_fail "a missing response file (IMG-0042)" 1 "$T_DIR/none/wls.rsp was not found or is not a regular file" \
  wlsimg create "${C[@]}" --version=12.2.1.4.0 --installerResponseFile="$T_DIR/none/wls.rsp"
check_eq "nothing named after the failures" "$(n_images)" "$N"
check_eq "no blob stored by the failures" "$(n_blobs)" "$B"
check_eq "no build context left" "$(ls "$WLSIMG_BLDDIR" | wc -l)" 0
finish
