#!/usr/bin/env bash
# create, update and rebase (and createAuxImage's fixed differences): --dryRun Dockerfiles compared with
# WIT 1.16.4's for the same options and image facts (tests/integration/data/wit/*.dockerfile, normalised by
# tests/wit-normalize.py: comments, blank lines, indentation and continuations do not count), then WIT's
# errors (wit-primary §13) with their texts and exit codes, and nothing left in the store.
#
# Stand-ins, named as such: Oracle's installers cannot be downloaded here, so the cache holds small zips
# and tars with the file names and inner entries WIT looks at (a dry run never runs them); the WebLogic
# images are made with `wlsimg import` from directories holding the files WIT's probe reads.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
need python3
ROOT=$(cd "$T_HERE/../.." && pwd)
FX="$T_HERE/data/wit"
export WLSIMG_CACHEDIR="$T_DIR/cache" WLSIMG_BLDDIR="$T_DIR/bld" WLSIMG_BUILDER=docker
# Oracle Support is never asked here (54_aru.sh has its stand-in): a run with credentials meets a
# closed loopback port, once
DEAD_ARU="127.0.0.1:$(free_port)"
export WLSIMG_ARU_HOST="$DEAD_ARU" WLSIMG_REST_RETRY_MAX=1
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY WLSIMG_OS_PACKAGES
mkdir -p "$WLSIMG_BLDDIR" "$T_DIR/in"
cd "$T_DIR/in" || exit 1

# ---- installer stand-ins in the WIT cache ----
mkzip() { # ZIP ENTRY...: a zip holding those (empty) entries, in that order
  python3 - "$@" << 'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for e in sys.argv[2:]:
        z.writestr(e, 'stand-in\n')
PY
}
mkzip fmw_12.2.1.4.0_wls_lite_Disk1_1of1.zip fmw_12.2.1.4.0_wls_lite_generic.jar
mkzip fmw_12.2.1.4.0_infrastructure_Disk1_1of1.zip fmw_12.2.1.4.0_infrastructure.jar
mkzip fmw_12.2.1.4.0_soa_Disk1_1of1.zip fmw_12.2.1.4.0_soa.jar
mkzip fmw_12.2.1.4.0_ohs_linux64_Disk1_1of1.zip fmw_12.2.1.4.0_ohs_linux64.bin
mkzip p34761383_db19_Generic.zip 34761383/changePerm.sh
mkzip weblogic-deploy.zip weblogic-deploy/VERSION.txt weblogic-deploy/bin/createDomain.sh
echo stand-in > jdk-8u401-linux-x64.tar.gz
add() { "$WLSIMG" cache addInstaller --type "$1" --version "$2" --path "$3" > /dev/null 2>&1 || echo "cache add $3 failed" >&2; }
add jdk 8u401 jdk-8u401-linux-x64.tar.gz
add wls 12.2.1.4.0 fmw_12.2.1.4.0_wls_lite_Disk1_1of1.zip
add fmw 12.2.1.4.0 fmw_12.2.1.4.0_infrastructure_Disk1_1of1.zip
add soa 12.2.1.4.0 fmw_12.2.1.4.0_soa_Disk1_1of1.zip
add ohs 12.2.1.4.0 fmw_12.2.1.4.0_ohs_linux64_Disk1_1of1.zip
add db19 12.2.1.4.0 p34761383_db19_Generic.zip
add wdt latest weblogic-deploy.zip
# patch and OPatch stand-ins (cache addPatch, as WIT users add what they downloaded by hand)
mkzip p12345678_122140_Generic.zip 12345678/README.txt
mkzip p33286160_122140_Generic.zip 33286160/README.txt
mkzip p28186730_1394217_Generic.zip 6880880/opatch_generic.jar
addp() { "$WLSIMG" cache addPatch --patchId "$1" --path "$2" > /dev/null 2>&1 || echo "cache addPatch $2 failed" >&2; }
addp 12345678_12.2.1.4.0 p12345678_122140_Generic.zip
addp 33286160_12.2.1.4.0 p33286160_122140_Generic.zip
addp 28186730_13.9.4.2.17 p28186730_1394217_Generic.zip
printf 'domainInfo:\n  AdminUserName: weblogic\n' > model.yaml
printf 'topology:\n  Name: d\n' > model2.yaml
printf 'A=1\n' > vars.properties
mkzip archive.zip wlsdeploy/applications/app.war

# ---- images with the facts WIT's probe prints, made with wlsimg import ----
mkimage() { # NAME DIR [ENV=VALUE...]: files as root, /u01/oracle and /u01/domains as uid 1000
  local name=$1 dir=$2 c=() e; shift 2
  for e in "$@"; do c+=(-c "ENV $e"); done
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf "$T_DIR/$name.tar" \
    --exclude=./u01/oracle --exclude=./u01/domains --exclude=./u01/wdt .
  for e in u01/oracle u01/domains u01/wdt; do
    [ -e "$dir/$e" ] && tar --mtime=@0 --owner=1000 --group=1000 --numeric-owner -C "$dir" -rf "$T_DIR/$name.tar" "./$e"
  done
  "$WLSIMG" import "${c[@]}" "$T_DIR/$name.tar" "$name" > /dev/null || echo "import $name failed" >&2
}
B="$T_DIR/img"
mkdir -p "$B/alpine/etc" "$B/alpine/sbin"
printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n' > "$B/alpine/etc/os-release"
printf '#!/bin/sh\n' > "$B/alpine/sbin/apk" && chmod 755 "$B/alpine/sbin/apk"
mkimage alpine:3 "$B/alpine"
wlsroot() { # DIR: an Oracle Linux 8 root with a JDK and a WebLogic 12.2.1.4 Oracle Home owned by oracle
  mkdir -p "$1/etc" "$1/usr/bin" "$1/u01/jdk" "$1/u01/oracle/inventory" "$1/u01/oracle/OPatch"
  printf 'NAME="Oracle Linux Server"\nID="ol"\nVERSION_ID="8.10"\n' > "$1/etc/os-release"
  printf 'root:x:0:0:root:/root:/bin/bash\noracle:x:1000:1000::/u01:/bin/bash\n' > "$1/etc/passwd"
  printf 'root:x:0:\noracle:x:1000:\n' > "$1/etc/group"
  printf '#!/bin/sh\n' > "$1/usr/bin/microdnf" && chmod 755 "$1/usr/bin/microdnf"
  printf 'JAVA_VERSION="1.8.0_401"\n' > "$1/u01/jdk/release"
  printf '<registry><distributions><distribution status="installed" name="WebLogic Server" version="12.2.1.4.0"/></distributions></registry>\n' \
    > "$1/u01/oracle/inventory/registry.xml"
  printf 'OPATCH_VERSION:13.9.4.2.5\n' > "$1/u01/oracle/OPatch/version.txt"
}
wlsroot "$B/wls"
mkimage wls:12214 "$B/wls" JAVA_HOME=/u01/jdk ORACLE_HOME=/u01/oracle
wlsroot "$B/domain"
mkdir -p "$B/domain/u01/domains/base_domain/config"
echo '<domain/>' > "$B/domain/u01/domains/base_domain/config/config.xml"
mkimage domain:1 "$B/domain" JAVA_HOME=/u01/jdk ORACLE_HOME=/u01/oracle DOMAIN_HOME=/u01/domains/base_domain
wlsroot "$B/mii"
mkdir -p "$B/mii/u01/wdt/weblogic-deploy" "$B/mii/u01/wdt/models"
echo 4.3.1 > "$B/mii/u01/wdt/weblogic-deploy/VERSION.txt"
mkimage mii:1 "$B/mii" JAVA_HOME=/u01/jdk ORACLE_HOME=/u01/oracle DOMAIN_HOME=/u01/domains/base_domain \
  WDT_HOME=/u01/wdt WDT_MODEL_HOME=/u01/wdt/models
wlsroot "$B/opatch20"
printf 'OPATCH_VERSION:13.9.4.2.20\n' > "$B/opatch20/u01/oracle/OPatch/version.txt"
mkimage wls:opatch20 "$B/opatch20" JAVA_HOME=/u01/jdk ORACLE_HOME=/u01/oracle
wlsroot "$B/wls2"
mkimage wls:12214-patched "$B/wls2" JAVA_HOME=/u01/jdk ORACLE_HOME=/u01/oracle
wlsroot "$B/otherjdk"
mkimage wls:otherjdk "$B/otherjdk" JAVA_HOME=/usr/java ORACLE_HOME=/u01/oracle
wlsroot "$B/otheroh"
mkimage wls:otheroh "$B/otheroh" JAVA_HOME=/u01/jdk ORACLE_HOME=/opt/oracle

printf 'packageManager=DNF\n__OS__ID="ol"\n__OS__NAME="Oracle Linux Server"\n__OS__VERSION_ID="9.4"\n' > ol9.properties
cat > abc.txt << 'EOF'
[package-manager-packages]
vim
[initial-build-commands]
RUN echo initial {{{java_home}}} {{userid}}:{{groupid}}
[before-jdk-install]
RUN echo before-jdk {{{tempDir}}}
[after-jdk-install]
RUN echo after-jdk
[before-fmw-install]
RUN echo before-fmw {{{oracle_home}}}
[after-fmw-install]
RUN echo after-fmw {{#installJava}}with-jdk{{/installJava}}
[before-wdt-command]
RUN echo before-wdt {{{wdt_home}}}
[after-wdt-command]
RUN echo after-wdt
[final-build-commands]
COPY --chown={{userid}}:{{groupid}} files/extra.txt {{{oracle_home}}}/
RUN echo "final {{domain_home}} a&b"
EOF
echo extra > extra.txt
printf '[ENGINE]\nResponse File Version=1.0.0.0.0\n[GENERIC]\nORACLE_HOME=/u01/soa\nINSTALL_TYPE=Fusion Middleware Infrastructure\n' > fmw.rsp
printf '[ENGINE]\nResponse File Version=1.0.0.0.0\n[GENERIC]\nINSTALL_TYPE=SOA Suite\n' > soa.rsp
printf 'inventory_loc=/u01/inventory\ninst_group=oinstall\n' > myinv.loc

# dry NAME ARGS...: a dry run whose Dockerfile equals WIT's (normalised)
dry() {
  local name=$1; shift
  if ! "$WLSIMG" "$@" --dryRun > "$T_DIR/$name.out" 2> "$T_DIR/$name.err"; then
    not_ok "$name: dry run failed"; sed 's/^/    /' "$T_DIR/$name.err" | tail -5; return
  fi
  python3 "$ROOT/tests/wit-normalize.py" "$T_DIR/$name.out" > "$T_DIR/$name.df"
  [ -n "${WIT_FIXTURES_OUT:-}" ] && cp "$T_DIR/$name.df" "$WIT_FIXTURES_OUT/$name.dockerfile"
  if diff -u "$FX/${FIXTURE:-$name}.dockerfile" "$T_DIR/$name.df" > "$T_DIR/$name.diff"; then ok "$name equals WIT's Dockerfile"
  else not_ok "$name differs from WIT's Dockerfile"; sed 's/^/    /' "$T_DIR/$name.diff" | head -30; fi
}
J=(--jdkVersion 8u401 --version 12.2.1.4.0)
# ---- create ----
dry create_default create --tag t:1 "${J[@]}"
dry create_ol9_dnf create --tag t:2 "${J[@]}" --fromImage oraclelinux:9 --fromImageProperties ol9.properties
dry create_alpine create --tag t:3 "${J[@]}" --fromImage alpine:3
dry create_aptget create --tag t:4 "${J[@]}" --packageManager APTGET
dry create_zypper create --tag t:5 "${J[@]}" --packageManager zypper
dry create_none create --tag t:6 "${J[@]}" --packageManager NONE --chown wls:wlsgrp
dry create_ohs create --tag t:7 "${J[@]}" --type OHS
dry create_soa_rsp create --tag t:8 "${J[@]}" --type SOA --installerResponseFile fmw.rsp,soa.rsp \
  --inventoryPointerFile myinv.loc --inventoryPointerInstallLoc /u01/invptr
dry create_fmw_jrf_rcu create --tag t:9 "${J[@]}" --type FMW --wdtModel model.yaml,model2.yaml \
  --wdtArchive archive.zip --wdtVariables vars.properties --wdtDomainType JRF --wdtRunRCU --wdtJavaOptions=-Dx=1
dry create_model_only create --tag t:10 "${J[@]}" --wdtModel model.yaml --wdtArchive archive.zip --wdtModelOnly
dry create_openshift create --tag t:11 "${J[@]}" --target OpenShift --wdtModel model.yaml
dry create_openshift_mii create --tag t:12 "${J[@]}" --target openshift --wdtModel model.yaml --wdtModelOnly \
  --wdtModelHome /u01/models --wdtStrictValidation
dry create_abc create --tag 't:13' "${J[@]}" --additionalBuildCommands abc.txt --additionalBuildFiles extra.txt \
  --build-arg A=1 --build-arg B=2 --wdtModel model.yaml
dry create_from_wls create --tag t:14 "${J[@]}" --fromImage wls:12214 --wdtModel model.yaml
WLSIMG_WDT_KEY=s3cret-passphrase dry create_encryption create --tag t:15 "${J[@]}" --wdtModel model.yaml \
  --wdtEncryptionKeyEnv WLSIMG_WDT_KEY
check "the passphrase is not in the Dockerfile" sh -c "! grep -q s3cret-passphrase '$T_DIR/create_encryption.out'"
# patches and OPatch from the cache (offline): the fmw-patching lines of wit-primary §10.6 in wls_build
dry create_patches create --tag t:16 "${J[@]}" --patches 12345678
check "create: the cached patch chosen for the installer version" grep -qF 'Found patch 12345678 for version 12.2.1.4.0' "$T_DIR/create_patches.err"
check "create: offline, no conflict check (IMG-0033)" grep -qF 'No credentials provided, skipping validation of patches' "$T_DIR/create_patches.err"
dry create_strict create --tag t:17 "${J[@]}" --patches 33286160,12345678_12.2.1.4.0 --strictPatchOrdering
FIXTURE=create_from_wls dry create_from_wls_patches create --tag t:14 "${J[@]}" --fromImage wls:12214 \
  --wdtModel model.yaml --patches 12345678
check "create onto an Oracle Home: IMG-0093, nothing resolved" sh -c "grep -qF 'Patching skipped.  Using CREATE to patch --fromImage with an existing ORACLE_HOME is not supported.' '$T_DIR/create_from_wls_patches.err' && ! grep -q 'Using patch' '$T_DIR/create_from_wls_patches.err'"
# the context holds the cache's files themselves (hard links), in WIT's places
"$WLSIMG" create --tag t:16 "${J[@]}" --patches 12345678 --dryRun --skipcleanup > /dev/null 2>&1
ctx=$(ls -d "$WLSIMG_BLDDIR"/wlsimgbuilder_temp* 2> /dev/null | head -1)
check_eq "patch and OPatch hard-linked from the cache, patches/dummy.txt as WIT" \
  "$(stat -c %i "$ctx/patches/p12345678_122140_Generic.zip" "$ctx/p28186730_1394217_Generic.zip" 2>&1 | tr '\n' ' ')$(stat -c %s "$ctx/patches/dummy.txt" 2>&1)" \
  "$(stat -c %i p12345678_122140_Generic.zip p28186730_1394217_Generic.zip | tr '\n' ' ')0"
[ -n "$ctx" ] && rm -rf "$ctx"
# ---- update ----
dry update_create update --tag u:1 --fromImage wls:12214 --wdtOperation CREATE --wdtModel model.yaml \
  --wdtVariables vars.properties --wdtDomainType JRF --wdtRunRCU
dry update_update update --tag u:2 --fromImage domain:1 --wdtModel model.yaml
dry update_deploy update --tag u:3 --fromImage domain:1 --wdtOperation deploy --wdtArchive archive.zip \
  --target OpenShift --additionalBuildCommands abc.txt
dry update_model_only update --tag u:4 --fromImage wls:12214 --wdtModelOnly --wdtModel model.yaml \
  --wdtVariables vars.properties --wdtHome /opt/wdt
dry update_nothing update --tag u:5 --fromImage wls:12214
dry update_patches update --tag u:6 --fromImage wls:12214 --patches 12345678
check "update: the image's older OPatch is replaced (IMG-0008)" grep -qF 'Updating OPatch in final image from version 13.9.4.2.5 to version 13.9.4.2.17' "$T_DIR/update_patches.err"
check "update: OPatch before the patches, IMG-0009 after it" python3 - "$T_DIR/update_patches.err" << 'PY'
import sys
t = open(sys.argv[1]).read()
order = [t.find(s) for s in ('Updating OPatch', 'No credentials provided, skipping patch conflict check.',
                            'Source image installer type: (WLS)', 'Found patch 12345678')]
sys.exit(0 if -1 not in order and order == sorted(order) else 1)
PY
dry update_patches_newer_opatch update --tag u:7 --fromImage wls:opatch20 --patches 12345678 --strictPatchOrdering
check "update: the image's newer OPatch stays (IMG-0074)" grep -qF 'OPatch will not be updated, fromImage has version 13.9.4.2.20, available version is 13.9.4.2.17' "$T_DIR/update_patches_newer_opatch.err"
# ---- rebase ----
dry rebase_target rebase --tag r:1 --sourceImage domain:1 --targetImage wls:12214-patched
dry rebase_new rebase --tag r:2 --sourceImage domain:1 "${J[@]}" --build-arg A=1
dry rebase_new_patches rebase --tag r:4 --sourceImage domain:1 "${J[@]}" --patches 12345678
dry rebase_model_only rebase --tag r:3 --sourceImage mii:1 --targetImage wls:12214-patched --target OpenShift
# ---- createAuxImage: what differed from WIT before the shared renderer ----
dry aux_ol9 createAuxImage --tag a:1 --wdtModel model.yaml --fromImage oraclelinux:9 --fromImageProperties ol9.properties
dry aux_alpine createAuxImage --tag a:2 --wdtModel model.yaml --fromImage alpine:3 --chown oracle:root
dry aux_typed_homes createAuxImage --tag a:3 --wdtModel model.yaml --wdtHome /aux/ --wdtModelHome models \
  --additionalBuildCommands abc.txt

# ---- the build command line (IMG-0078), WIT's argument order ----
"$WLSIMG" create --tag t:1 "${J[@]}" --dryRun --buildNetwork host --pull --build-arg A=1 \
  --httpProxyUrl http://u:p@proxy:80 --httpsProxyUrl http://proxy:8080 -- --no-cache --label x=y > /dev/null 2> "$T_DIR/cmd.err"
check "Starting build: WIT's order, masked proxy" grep -qE \
  '^\[INFO   \] Starting build: docker build --tag t:1 --force-rm --network host --pull --no-cache --label x=y --build-arg A=1 --build-arg http_proxy=\*\*\*\*\*\*\*\* --build-arg https_proxy=http://proxy:8080 .*/wlsimgbuilder_temp[^ ]*$' "$T_DIR/cmd.err"
"$WLSIMG" create --tag t:1 "${J[@]}" --dryRun --platform linux/amd64 > /dev/null 2> "$T_DIR/cmd.err"
check "--platform: buildx, no --force-rm" grep -qF 'Starting build: docker buildx build --tag t:1 --platform linux/amd64 /' "$T_DIR/cmd.err"
check "dry run left no build context" test -z "$(ls "$WLSIMG_BLDDIR")"

# ---- errors (wit-primary §13): WIT's text, exit code, nothing in the store ----
images_before=$("$WLSIMG" images -q 2> /dev/null | sort | tr '\n' ' ')
blobs_before=$(ls "$WLSIMG_STORE/blobs/sha256" | wc -l)
check_fail "chown without a colon (IMG-0027)" 1 "The value for --chown must be a colon separated user and group.  Such as, user:group" \
  "$WLSIMG" create --tag e:1 "${J[@]}" --chown oracle
check_fail "chown bad user (IMG-0028)" 1 "--chown must contain a valid Unix UID (user ID).  A maximum of 32 characters in length and must start with a lowercase character.  Invalid value = Oracle" \
  "$WLSIMG" create --tag e:1 "${J[@]}" --chown Oracle:oracle
check_fail "chown bad group (IMG-0029)" 1 "Invalid value = 1000" "$WLSIMG" update --tag e:1 --fromImage wls:12214 --chown oracle:1000
check_fail "additional build commands missing (IMG-0030)" 1 "Additional build command file does not exist: nope.txt" \
  "$WLSIMG" create --tag e:1 "${J[@]}" --additionalBuildCommands nope.txt
printf '[final-build-command]\nRUN x\n' > badsec.txt
check_fail "bad section (IMG-0014)" 1 "Additional build command section, [final-build-command], was not one of the valid sections: package-manager-packages, initial-build-commands," \
  "$WLSIMG" rebase --tag e:1 --sourceImage domain:1 --additionalBuildCommands badsec.txt
check_fail "user without password (IMG-0022)" 1 "Invalid Oracle support credentials, verify the values provided for user and password match your OTN credential" \
  "$WLSIMG" create --tag e:1 "${J[@]}" --patches 12345678 --user me@example.com
check_fail "bad patch id (IMG-0004)" 1 "Invalid patch id p12345678. The patch id must be in the format of 12345678[_12.2.1.3.0[_arm64]]." \
  "$WLSIMG" create --tag e:1 "${J[@]}" --patches 12345678,p12345678
check_fail "--passwordEnv gives the password: WIT's credential check asks Oracle Support first" 1 \
  "Checking the Oracle Support credentials: Oracle Support at $DEAD_ARU could not be reached" \
  env MYPWD=secret "$WLSIMG" create --tag e:1 "${J[@]}" --patches 12345678 --user me@example.com --passwordEnv MYPWD
printf 'secret\nsecond line\n' > pw.txt
check_fail "--passwordFile gives the password (no IMG-0022)" 1 "Oracle Support at $DEAD_ARU could not be reached" \
  "$WLSIMG" create --tag e:1 "${J[@]}" --recommendedPatches --user me@example.com --passwordFile pw.txt
check_fail "--password alone reads stdin when it is not a terminal" 1 "Oracle Support at $DEAD_ARU could not be reached" \
  sh -c "echo secret | '$WLSIMG' update --tag e:1 --fromImage wls:12214 --patches 12345678 --user me@example.com --password"
check_fail "an empty --passwordEnv variable is no password (IMG-0022)" 1 "Invalid Oracle support credentials" \
  env MYPWD= "$WLSIMG" create --tag e:1 "${J[@]}" --latestPSU --user me@example.com --passwordEnv MYPWD
check_fail "--recommendedPatches without credentials (IMG-0031)" 1 \
  "No credentials provided. Cannot determine latestPSU or recommendedPatches. Please provide the --user and one of the --password options." \
  "$WLSIMG" create --tag e:1 "${J[@]}" --recommendedPatches
cache_sum=$(cat "$WLSIMG_CACHEDIR"/.metadata "$WLSIMG_CACHEDIR"/.wlsimg-checksums | sha256sum)
check_fail "an uncached patch offline is an error (WIT drops it)" 1 \
  "Patch 99999999 is not in the cache ($WLSIMG_CACHEDIR), and Oracle Support was not asked because no credentials were given (--user with --password, --passwordEnv or --passwordFile). To work offline, add it: wlsimg cache addPatch --patchId 99999999_12.2.1.4.0 --path" \
  "$WLSIMG" create --tag e:1 "${J[@]}" --patches 12345678,99999999
check_fail "update: an uncached patch offline, after OPatch" 1 "Patch 99999999 is not in the cache" \
  "$WLSIMG" update --tag e:1 --fromImage wls:12214 --patches 99999999_12.2.1.4.0
check_fail "no OPatch in the cache offline (IMG-0062)" 1 \
  "An OPatch version could not be found in the cache store and you have not provided Oracle Support credentials." \
  "$WLSIMG" rebase --tag e:1 --sourceImage domain:1 "${J[@]}" --patches 12345678 --opatchBugNumber 38256237
check_eq "the failed patch runs left the cache as it was" "$(cat "$WLSIMG_CACHEDIR"/.metadata "$WLSIMG_CACHEDIR"/.wlsimg-checksums | sha256sum)" "$cache_sum"
check_fail "unknown --type is a usage error" 2 "Invalid value for option '--type': expected one of [WLS, WLSSLIM," \
  "$WLSIMG" create --tag e:1 --type WEBLOGIC
check_fail "unknown --packageManager is a usage error" 2 "Invalid value for option '--packageManager'" \
  "$WLSIMG" create --tag e:1 --packageManager PACMAN
check_fail "missing --tag is a usage error" 2 "--tag" "$WLSIMG" create "${J[@]}"
check_fail "missing --sourceImage is a usage error" 2 "--sourceImage" "$WLSIMG" rebase --tag e:1
check_fail "--password with a value is refused" 2 "--password takes no value on the command line (refused: every user of this machine can read command lines" \
  "$WLSIMG" create --tag e:1 --password=hunter2
check_fail "--password VALUE is refused too" 2 "use --passwordEnv NAME" "$WLSIMG" update --tag e:1 --password hunter2
check_fail "--wdtEncryptionKey with a value is refused" 2 "--wdtEncryptionKey takes no value" \
  "$WLSIMG" create --tag e:1 --wdtEncryptionKey=k
check_fail "--password alone with nothing on stdin" 2 "--password without a value: empty Oracle Support password (read from stdin, which is not a terminal); use --passwordEnv NAME or --passwordFile FILE" \
  sh -c "'$WLSIMG' create --tag e:1 --password < /dev/null"
check_fail "JDK not in the cache (IMG-0011, wlsimg)" 1 'Installer with key="jdk_8u999_amd64" is not in the local cache, please download the installer and add it to the cache with "wlsimg cache addInstaller ..."' \
  "$WLSIMG" create --tag e:1 --jdkVersion 8u999 --version 12.2.1.4.0 --platform linux/amd64
check_fail "installer not in the cache (IMG-0011)" 1 'Installer with key="wls_14.1.2.0.0_amd64" is not in the local cache' \
  "$WLSIMG" create --tag e:1 --jdkVersion 8u401 --version 14.1.2.0.0 --platform amd64
check_fail "response file count (IMG-0040)" 1 "When providing custom response files, a response file must be provided for each of the installers fmw, soa.  Found 1, expected 2." \
  "$WLSIMG" create --tag e:1 "${J[@]}" --type SOA --installerResponseFile fmw.rsp
check_fail "response file missing (IMG-0042)" 1 "nope.rsp was not found or is not a regular file" \
  "$WLSIMG" create --tag e:1 "${J[@]}" --installerResponseFile nope.rsp
check_fail "inventory pointer file missing (IMG-0036)" 1 "Unable to find installer inventory file: nope.loc" \
  "$WLSIMG" create --tag e:1 "${J[@]}" --inventoryPointerFile nope.loc
check_fail "model missing (IMG-0102)" 1 "WDT model file nope.yaml could not be found." \
  "$WLSIMG" create --tag e:1 "${J[@]}" --wdtModel model.yaml,nope.yaml
check_fail "--wdtVersion none (IMG-0103)" 1 "wdtVersion cannot be none, a valid version from the Image Tool cache is required." \
  "$WLSIMG" create --tag e:1 "${J[@]}" --wdtModel model.yaml --wdtVersion NONE
check_fail "WDT version not cached (IMG-0011)" 1 'Installer with key="wdt_9.9_amd64" is not in the local cache' \
  "$WLSIMG" update --tag e:1 --fromImage wls:12214 --wdtModel model.yaml --wdtOperation CREATE --wdtVersion 9.9 --platform amd64
mkdir -p "$T_DIR/cache2"
WLSIMG_CACHEDIR="$T_DIR/cache2" "$WLSIMG" cache addInstaller --type wdt --version 4.3.1 --path weblogic-deploy.zip > /dev/null 2>&1
check_fail "no wdt_latest but another WDT: the message suggests it" 1 'add it to the cache with "wlsimg cache addInstaller ..."; the cache has WDT 4.3.1: use --wdtVersion 4.3.1' \
  env WLSIMG_CACHEDIR="$T_DIR/cache2" "$WLSIMG" createAuxImage --tag e:1 --wdtModel model.yaml
check_fail "update without --fromImage (IMG-0100)" 1 "Missing argument --fromImage. Update requires an image to be updated." \
  "$WLSIMG" update --tag e:1
check_fail "update of an image without ORACLE_HOME (IMG-0072)" 1 "ORACLE_HOME environment variable is not defined in the base image: alpine:3" \
  "$WLSIMG" update --tag e:1 --fromImage alpine:3
check_fail "UPDATE without a domain (IMG-0071)" 1 "WDT Operation is set to UPDATE, but the DOMAIN_HOME environment variable was not defined in the base image, wls:12214.  Did you mean to use \"--wdtOperation CREATE\" to create a new domain?" \
  "$WLSIMG" update --tag e:1 --fromImage wls:12214 --wdtModel model.yaml
check_fail "update --chown other than the Oracle Home's (IMG-0087)" 1 "The Oracle Home directory in --fromImage=wls:12214 has an owner and group of oracle:oracle.  You must update the image with the same user and group setting from when it was created. Example: --chown=oracle:oracle" \
  "$WLSIMG" update --tag e:1 --fromImage wls:12214 --chown wls:wls
check_fail "RCU with UPDATE (IMG-0055)" 1 "RunRCU can only be used when creating a new domain.  Please try --wdtOperation=CREATE or removing --wdtRunRCU." \
  "$WLSIMG" update --tag e:1 --fromImage domain:1 --wdtModel model.yaml --wdtRunRCU
check_fail "unknown --wdtOperation is a usage error" 2 "Invalid value for option '--wdtOperation'" \
  "$WLSIMG" update --tag e:1 --fromImage wls:12214 --wdtOperation DELETE
check_fail "empty --sourceImage (IMG-0117)" 1 "The value for --sourceImage must not be empty." \
  "$WLSIMG" rebase --tag e:1 --sourceImage ""
check_fail "rebase source without DOMAIN_HOME (IMG-0025)" 1 "No Domain Home in source image.  Add DOMAIN_HOME environment variable to source image and try again." \
  "$WLSIMG" rebase --tag e:1 --sourceImage wls:12214 --targetImage wls:12214-patched
check_fail "rebase onto another JAVA_HOME (IMG-0026)" 1 "JAVA_HOME value must be the same in both new and old image in order to rebase the domain" \
  "$WLSIMG" rebase --tag e:1 --sourceImage domain:1 --targetImage wls:otherjdk
check_fail "rebase onto another ORACLE_HOME (IMG-0021)" 1 "ORACLE_HOME value must be the same in both new and old image in order to rebase the domain" \
  "$WLSIMG" rebase --tag e:1 --sourceImage domain:1 --targetImage wls:otheroh
check_fail "a source image the store lacks and no registry has" 1 "no-such-image" \
  "$WLSIMG" rebase --tag e:1 --sourceImage 127.0.0.1:1/no-such-image:1 --targetImage wls:12214
check_fail "WLSIMG_BLDDIR missing (IMG-0111)" 1 "The directory specified with WLSIMG_BLDDIR must exist prior to running this tool: $T_DIR/nope" \
  env WLSIMG_BLDDIR="$T_DIR/nope" "$WLSIMG" create --tag e:1 "${J[@]}"
printf '[final-build-commands]\nRUN true\n' > run.txt
check_fail "a build that needs an engine, and none: says so" 1 "needs a container engine, and no-such-engine is not installed" \
  "$WLSIMG" update --tag e:1 --fromImage wls:12214 --builder no-such-engine --additionalBuildCommands run.txt
cp "$T_DIR/last.err" "$T_DIR/noengine.err"
check "... and why it needs one" grep -q "Building with no-such-engine: \[final-build-commands\] has instructions other than" "$T_DIR/noengine.err"
check_eq "failed runs named nothing" "$("$WLSIMG" images -q 2> /dev/null | sort | tr '\n' ' ')" "$images_before"
check_eq "failed runs stored no blobs" "$(ls "$WLSIMG_STORE/blobs/sha256" | wc -l)" "$blobs_before"
check_eq "failed runs left no build context" "$(ls "$WLSIMG_BLDDIR" | wc -l)" 0

# ---- update with nothing to install: built natively (wit-primary §14.2), no engine needed ----
printf '[final-build-commands]\nENV APP_ENV=prod\nLABEL team=wls\nARG UNUSED\n' > cfg.txt
check "update with nothing to install, no engine installed" \
  "$WLSIMG" update --tag upd:1 --fromImage wls:12214 --builder no-such-engine --additionalBuildCommands cfg.txt
cp "$T_DIR/last.err" "$T_DIR/upd.err"
cp "$T_DIR/last.out" "$T_DIR/upd.out"
check "... built natively, and says so" grep -q "Building natively, without a container engine: this update changes only the image's config" "$T_DIR/upd.err"
check "... the digest on stdout" grep -qE '^sha256:[0-9a-f]{64}$' "$T_DIR/upd.out"
check "... named in the store" "$WLSIMG" copy -q upd:1 "oci:$T_DIR/upd:1"
check_eq "... WIT's config: OPATCH_NO_FUSER, USER of the Oracle Home, the final-build-commands" \
  "$(python3 -c 'import json,sys; lay=sys.argv[1]; b=lambda d: lay+"/blobs/"+d.replace(":","/"); m=json.load(open(b(json.load(open(lay+"/index.json"))["manifests"][0]["digest"]))); c=json.load(open(b(m["config"]["digest"])))["config"]; print(c["User"], "OPATCH_NO_FUSER=true" in c["Env"], "APP_ENV=prod" in c["Env"], c["Labels"]["team"])' "$T_DIR/upd")" \
  "oracle True True wls"
check_eq "... no build context left" "$(ls "$WLSIMG_BLDDIR" | wc -l)" 0
finish
