#!/usr/bin/env bash
# TEST STAND-INS, built into images by wlsimg's own commands with a real engine (buildah: vfs storage driver,
# chroot isolation, a storage of its own under OUT) from the stand-in installers of make-all.sh (Oracle's
# installers, OPatch and WDT cannot be downloaded where wlsimg is tested). Results go into the OCI layout
# OUT/oci (tags below), from where `wlsimg copy oci:OUT/oci:TAG NAME` brings them into a store.
#
#   base        the Debian root filesystem of make-all.sh, imported with `wlsimg import`
#   wls12       wlsimg create: base + JDK + WebLogic 12.2.1.4.0 (stand-in), --packageManager NONE, the Oracle
#               Home owned by oracle:root as in Oracle's own WebLogic images
#   wls12p      wlsimg update --patches on wls12: OPatch 13.9.4.2.22 and patch 33000001 from the WIT cache,
#               applied by the stand-in opatch
#   domain      wlsimg update --wdtOperation CREATE on wls12: a domain made by the stand-in WDT
#   wls14       wlsimg create: base + JDK + WebLogic 14.1.1.0.0 (stand-in), the "newer Oracle Home" of rebase tests
#   rebased-engine, rebased-engine-os
#               wlsimg rebase of domain onto wls14 through buildah (WIT's Dockerfile; the options after -- make
#               wlsimg use the engine), plain and --target OpenShift: what the native rebase is compared with
#   modelonly-engine, modelonly2-engine
#               wlsimg update --wdtModelOnly --wdtVariables through buildah (as above): on wls12 with the stand-in
#               WDT, then on that result with OUT/files/weblogic-deploy-4.3.2.zip (the stand-in WDT with
#               bin/deployApps.cmd left out, a new lib/extra/, directories 0755), --wdtModelHome /u01/mh and
#               --target OpenShift: what the native model-only update (tests/integration/83) is compared with
#
# Usage: WLSIMG=build/wlsimg tests/standin/images.sh STANDIN_DIR OUT [--fresh] [TAG...]
# STANDIN_DIR is make-all.sh's output. Cached: nothing is built when OUT/.stamp matches the inputs (the stand-ins,
# this script, the model), unless --fresh; so one test run builds them once, whichever test or sanitizer pass
# asks first. TAGs limit the build (default: all). Needs root (buildah with chroot isolation).
set -euo pipefail
: "${WLSIMG:?set WLSIMG to the wlsimg binary}"
WLSIMG=$(cd "$(dirname "$WLSIMG")" && pwd)/$(basename "$WLSIMG")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sd=$(cd "${1:?usage: images.sh STANDIN_DIR OUT [--fresh] [TAG...]}" && pwd)
out=${2:?usage: images.sh STANDIN_DIR OUT [--fresh] [TAG...]}
shift 2
fresh=
if [ "${1:-}" = --fresh ]; then fresh=1; shift; fi
want=("$@")
[ ${#want[@]} -gt 0 ] || want=(wls12 wls12p domain wls14 rebased-engine rebased-engine-os modelonly-engine modelonly2-engine)
mkdir -p "$out"
out=$(cd "$out" && pwd)
exec 9> "$out/.lock"
flock 9

key=$( (cd "$here" && cat images.sh model/* "$sd"/.stamp-*
  cat "$root/examples/archive.zip"; echo "${want[*]}") | sha256sum | cut -d' ' -f1)
if [ -z "$fresh" ] && [ "$(cat "$out/.stamp" 2> /dev/null)" = "$key" ]; then
  exit 0
fi
rm -f "$out/.stamp"
rm -rf "$out/oci" "$out/store" "$out/ctx" "$out/cache" "$out/log" "$out/files"

# buildah's own storage, private to this build (vfs: no overlay mounts needed)
# shellcheck source=tests/standin/buildah.sh
. "$here/buildah.sh"
rm -rf "$out/containers"
bh_setup "$out/containers"
trap bh_cleanup EXIT

reg() { sed -n "s/^wlsimg cache addInstaller --type $1 --version \([^ ]*\) --path \(.*\)$/\1 \2/p" "$sd/register.txt" | head -1; }
jdk_version=$(reg jdk | cut -d' ' -f1)
wdt_version=$(reg wdt | cut -d' ' -f1)

# wlsimg's own store, WIT cache and build contexts, private to this build
export WLSIMG_STORE="$out/store" WLSIMG_CACHEDIR="$out/cache" WLSIMG_BLDDIR="$out/ctx" WLSIMG_BUILDER=buildah
mkdir -p "$out/ctx"
mkdir -p "$out/log"
while read -r line; do
  case $line in
  wlsimg\ *) eval "\"\$WLSIMG\" ${line#wlsimg }" >> "$out/log/register.log" 2>&1 ||
    { tail -5 "$out/log/register.log" >&2; exit 1; } ;;
  esac
done < "$sd/register.txt"
"$WLSIMG" copy -q standin/debian:bookworm "oci:$out/oci:base" > /dev/null

# wl TAG COMMAND ARGS...: wlsimg COMMAND --tag standin/TAG:1 ARGS, its log kept under OUT/log, the result exported
# to OUT/oci:TAG
wl() {
  local t=$1 c=$2 s=$SECONDS
  shift 2
  if ! env -u DOCKER_CONFIG "$WLSIMG" "$c" --tag "standin/$t:1" "$@" > "$out/log/$t.out" 2> "$out/log/$t.err"; then
    tail -30 "$out/log/$t.err" >&2
    return 1
  fi
  "$WLSIMG" copy -q "standin/$t:1" "oci:$out/oci:$t" > /dev/null
  echo "images.sh: $t built in $((SECONDS - s)) s (wlsimg $c)" >&2
}
wants() { local w; for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }
create() { # create TAG WLS_VERSION
  wl "$1" create --fromImage standin/debian:bookworm --packageManager NONE --jdkVersion "$jdk_version" \
    --type wls --version "$2" --chown oracle:root
}
rebased=
wants rebased-engine || wants rebased-engine-os && rebased=1

modelonly=
wants modelonly-engine || wants modelonly2-engine && modelonly=1

if wants wls12 || wants wls12p || wants domain || [ -n "$rebased" ] || [ -n "$modelonly" ]; then
  create wls12 12.2.1.4.0
fi
if wants wls12p; then
  wl wls12p update --fromImage standin/wls12:1 --patches 33000001_12.2.1.4.0
fi
if wants domain || [ -n "$rebased" ]; then
  m="$out/ctx/models"
  mkdir -p "$m"
  cp "$here/model/domain.yaml" "$here/model/domain.properties" "$root/examples/archive.zip" "$m/"
  (cd "$m" && wl domain update --fromImage standin/wls12:1 --wdtOperation CREATE --wdtModel domain.yaml \
    --wdtVariables domain.properties --wdtArchive archive.zip --wdtVersion "$wdt_version" \
    --wdtDomainHome /u01/domains/base_domain)
fi
if wants wls14 || [ -n "$rebased" ]; then create wls14 14.1.1.0.0; fi
# WIT's rebase Dockerfile through buildah: anything after -- is for the engine, so wlsimg builds with it
if wants rebased-engine; then
  wl rebased-engine rebase --sourceImage standin/domain:1 --targetImage standin/wls14:1 -- --layers=false
fi
if wants rebased-engine-os; then
  wl rebased-engine-os rebase --sourceImage standin/domain:1 --targetImage standin/wls14:1 --target OpenShift \
    -- --layers=false
fi

if [ -n "$modelonly" ]; then
  # a newer stand-in WDT: one file fewer (an old install keeps it: COPY merges), a new directory, other modes
  w="$out/ctx/wdt2"
  mkdir -p "$w" "$out/files"
  (cd "$w" && unzip -q "$(reg wdt | cut -d' ' -f2)")
  rm "$w/weblogic-deploy/bin/deployApps.cmd"
  mkdir -p "$w/weblogic-deploy/lib/extra"
  echo 4.3.2 > "$w/weblogic-deploy/VERSION.txt"
  echo 'new in 4.3.2' > "$w/weblogic-deploy/lib/extra/notes.txt"
  find "$w" -type d -exec chmod 0755 {} +
  python3 "$here/zipdir.py" "$w" "$out/files/weblogic-deploy-4.3.2.zip"
  "$WLSIMG" cache addInstaller --type wdt --version 4.3.2 --path "$out/files/weblogic-deploy-4.3.2.zip" \
    >> "$out/log/register.log" 2>&1
  m="$out/ctx/mo"
  mkdir -p "$m"
  printf 'tier=one\n' > "$m/v1.properties"
  printf 'tier=two\n' > "$m/v2.properties"
  chmod 0600 "$m/v2.properties"
  (cd "$m" && wl modelonly-engine update --fromImage standin/wls12:1 --wdtModelOnly --wdtVariables v1.properties \
    --wdtVersion "$wdt_version" -- --layers=false)
  if wants modelonly2-engine; then
    (cd "$m" && wl modelonly2-engine update --fromImage standin/modelonly-engine:1 --wdtModelOnly \
      --wdtVariables v2.properties --wdtVersion 4.3.2 --wdtModelHome /u01/mh --target OpenShift -- --layers=false)
  fi
fi

rm -rf "$out/ctx" "$out/store" "$out/cache"
echo "$key" > "$out/.stamp"
