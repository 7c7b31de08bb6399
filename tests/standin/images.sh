#!/usr/bin/env bash
# TEST STAND-INS, built into images by a real engine: buildah (vfs storage driver, chroot isolation, a storage of
# its own under OUT) runs WIT's Dockerfiles (tests/standin/dockerfiles, rendered by hand from wit-primary §6.3,
# §7.2, §8.2) with the stand-in installers of make-all.sh — Oracle's installers, OPatch and WDT cannot be
# downloaded where wlsimg is tested. Results go into the OCI layout OUT/oci (tags below), from where
# `wlsimg copy oci:OUT/oci:TAG NAME` brings them into a wlsimg store.
#
#   base      the Debian root filesystem of make-all.sh, imported with `wlsimg import`
#   wls12     create: base + JDK + WebLogic 12.2.1.4.0 (stand-in)       [create.Dockerfile]
#   wls12p    update --patches: wls12 + OPatch 13.9.4.2.22 + patch 33000001   [update-patch.Dockerfile]
#   domain    update --wdtOperation CREATE: wls12 + a domain made by the stand-in WDT   [update-wdt.Dockerfile]
#   wls14     create: base + JDK + WebLogic 14.1.1.0.0 (stand-in), the "newer Oracle Home" of the rebase tests
#
# Usage: WLSIMG=build/wlsimg tests/standin/images.sh STANDIN_DIR OUT [--fresh] [TAG...]
# STANDIN_DIR is make-all.sh's output. Cached: nothing is built when OUT/.stamp matches the inputs, unless
# --fresh. TAGs limit the build (default: all; base always). Needs root (buildah with chroot isolation).
# When `wlsimg create`/`update` exist, the build steps below switch to them; the Dockerfiles are the only
# part to replace.
set -euo pipefail
: "${WLSIMG:?set WLSIMG to the wlsimg binary}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sd=$(cd "${1:?usage: images.sh STANDIN_DIR OUT [--fresh] [TAG...]}" && pwd)
out=${2:?usage: images.sh STANDIN_DIR OUT [--fresh] [TAG...]}
shift 2
fresh=
if [ "${1:-}" = --fresh ]; then fresh=1; shift; fi
want=("$@")
[ ${#want[@]} -gt 0 ] || want=(wls12 wls12p domain wls14)
mkdir -p "$out"
out=$(cd "$out" && pwd)
exec 9> "$out/.lock"
flock 9

key=$( (cd "$here" && cat images.sh dockerfiles/* model/* "$sd"/.stamp-*; cat "$root/examples/archive.zip"; echo "${want[*]}") |
  sha256sum | cut -d' ' -f1)
if [ -z "$fresh" ] && [ "$(cat "$out/.stamp" 2> /dev/null)" = "$key" ]; then
  exit 0
fi
rm -f "$out/.stamp"
rm -rf "$out/oci" "$out/store" "$out/ctx"

# buildah's own storage, private to this build (vfs: no overlay mounts needed)
# shellcheck source=tests/standin/buildah.sh
. "$here/buildah.sh"
rm -rf "$out/containers"
bh_setup "$out/containers"
trap bh_cleanup EXIT

reg() { sed -n "s/^wlsimg cache addInstaller --type $1 --version \([^ ]*\) --path \(.*\)$/\1 \2/p" "$sd/register.txt" | head -1; }
jdk_version=$(reg jdk | cut -d' ' -f1)
jdk_file=$(basename "$(reg jdk | cut -d' ' -f2-)")
wdt_version=$(reg wdt | cut -d' ' -f1)

# base: the Debian root filesystem through wlsimg import, then into the OCI layout buildah reads
export WLSIMG_STORE="$out/store"
"$WLSIMG" import --tag standin/debian:bookworm -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'CMD ["bash"]' "$sd/debian-bookworm-minbase.tar" > /dev/null
"$WLSIMG" copy -q standin/debian:bookworm "oci:$out/oci:base" > /dev/null
bh_pull_oci "$out/oci" base localhost/standin/base:1

# ctx NAME FILE...: a build context with the files hard-linked (copied across file systems)
ctx() {
  local c="$out/ctx/$1" f; shift
  mkdir -p "$c"
  for f in "$@"; do ln -f "$f" "$c/" 2> /dev/null || cp "$f" "$c/"; done
  echo "$c"
}
# render DOCKERFILE CTX KEY=VALUE...: the Dockerfile with @KEY@ replaced, into CTX/Dockerfile
render() {
  local df=$1 c=$2 kv; shift 2
  local args=()
  for kv in "$@"; do args+=(-e "s|@${kv%%=*}@|${kv#*=}|g"); done
  sed "${args[@]}" "$here/dockerfiles/$df" > "$c/Dockerfile"
  if grep -q '@[A-Z_]*@' "$c/Dockerfile"; then echo "images.sh: unfilled placeholder in $df" >&2; return 1; fi
}
# bud TAG CTX: WIT's build command for buildah, then the result into OUT/oci:TAG
bud() {
  local t=$1 c=$2 s=$SECONDS
  bh bud --tag "localhost/standin/$t:1" "$c" > "$c/build.log" 2>&1 || { tail -30 "$c/build.log" >&2; return 1; }
  bh push -q "localhost/standin/$t:1" "oci:$out/oci:$t" > /dev/null 2>> "$c/build.log" || { tail -5 "$c/build.log" >&2; return 1; }
  echo "images.sh: $t built in $((SECONDS - s)) s" >&2
}
wants() { local w; for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }

rsp() { printf '[ENGINE]\nResponse File Version=1.0.0.0.0\n[GENERIC]\nINSTALL_TYPE=WebLogic Server\nDECLINE_SECURITY_UPDATES=true\nSECURITY_UPDATES_VIA_MYORACLESUPPORT=false\n' > "$1/wls.rsp"; }
create() { # create TAG WLS_VERSION
  local v=$2 c
  c=$(ctx "$1" "$sd/$jdk_file" "$sd/fmw_${v}_wls_lite_Disk1_1of1.zip")
  rsp "$c"
  printf 'inventory_loc=/u01/oracle/oraInventory\ninst_group=oracle\n' > "$c/oraInst.loc"
  render create.Dockerfile "$c" BASE=localhost/standin/base:1 BUILDID="standin-$1" JDK_VERSION="$jdk_version" \
    JDK_FILE="$jdk_file" WLS_VERSION="$v" WLS_FILE="fmw_${v}_wls_lite_Disk1_1of1.zip" \
    WLS_JAR="fmw_${v}_wls_lite_generic.jar"
  bud "$1" "$c"
}

if wants wls12 || wants wls12p || wants domain; then create wls12 12.2.1.4.0; fi
if wants wls12p; then
  c=$(ctx wls12p "$sd/p28186730_1394222_Generic.zip")
  mkdir -p "$c/patches"
  ln -f "$sd/p33000001_122140_Generic.zip" "$c/patches/" 2> /dev/null || cp "$sd/p33000001_122140_Generic.zip" "$c/patches/"
  : > "$c/patches/dummy.txt"
  render update-patch.Dockerfile "$c" FROM=localhost/standin/wls12:1 BUILDID=standin-wls12p PATCH_ID=33000001_12.2.1.4.0 \
    OPATCH_VERSION=13.9.4.2.22 OPATCH_FILE=p28186730_1394222_Generic.zip
  bud wls12p "$c"
fi
if wants domain; then
  c=$(ctx domain "$sd/weblogic-deploy.zip" "$here/model/domain.yaml" "$here/model/domain.properties" \
    "$root/examples/archive.zip")
  render update-wdt.Dockerfile "$c" FROM=localhost/standin/wls12:1 BUILDID=standin-domain WDT_VERSION="$wdt_version"
  bud domain "$c"
fi
if wants wls14; then create wls14 14.1.1.0.0; fi

rm -rf "$out/ctx" "$out/store"
echo "$key" > "$out/.stamp"
