#!/usr/bin/env bash
# TEST STAND-INS: builds, from the sources committed beside this script, the installers the real-build tests
# need, because Oracle's installers, OPatch and the WebLogic Deploy Tooling cannot be downloaded where wlsimg is
# tested. Nothing here is Oracle software; each piece says so in its own files.
#
#   fmw_<v>_wls_lite_Disk1_1of1.zip   stand-in WebLogic installer (java/standin/Installer.java) for 12.2.1.4.0 and
#                                     14.1.1.0.0: fmw_<v>_wls_lite_generic.jar inside, as Oracle ships it
#   p28186730_139422_Generic.zip       stand-in OPatch update: 6880880/opatch_generic.jar (OPatch 13.9.4.2.22)
#   p33000001_122140_Generic.zip       stand-in one-off patch for 12.2.1.4.0 in OPatch's layout
#   weblogic-deploy.zip                stand-in WDT (wdt/weblogic-deploy): createDomain.sh, updateDomain.sh, ...
#   jdk-<v>_linux-x64_bin.tar.gz       a real JDK runtime (bin/java, bin/jar) made with jlink from Debian's
#                                      openjdk-17-jdk-headless, one top directory jdk-<v>
#   debian-bookworm-minbase.tar        a real Debian 12 root filesystem (debootstrap --variant=minbase, plus
#                                      unzip) from the machine's Debian mirror, for `wlsimg import`
#
# Usage: tests/standin/make-all.sh OUT_DIR [--no-base]
# Idempotent: each part is rebuilt only when its sources changed (a stamp per part in OUT_DIR). Prints the
# `wlsimg cache` and `wlsimg import` lines (shell syntax) that register the results (also in OUT_DIR/register.txt).
# The Debian root filesystem needs root (debootstrap) and the Debian mirror; --no-base skips it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: make-all.sh OUT_DIR [--no-base]}
no_base=${2:-}
mkdir -p "$out"
out=$(cd "$out" && pwd)
exec 9> "$out/.lock"
flock 9

WLS_VERSIONS=(12.2.1.4.0 14.1.1.0.0)
INSTALLED_OPATCH=13.9.4.2.5
OPATCH_UPDATE=13.9.4.2.22
PATCH_BUG=33000001
PATCH_FOR=12.2.1.4.0
WDT_VERSION=4.3.1
BASE_SUITE=bookworm
BASE_INCLUDE=unzip
BASE_RECIPE="debootstrap --variant=minbase --include=$BASE_INCLUDE $BASE_SUITE; docs, man pages, locales, apt lists removed; v1"

javac=$(command -v javac || true)
[ -n "$javac" ] || { echo "make-all.sh: javac not found (install openjdk-17-jdk-headless: scripts/deps.sh)" >&2; exit 1; }
jhome=$(dirname "$(dirname "$(readlink -f "$javac")")")
jdk_version=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$jhome/release")
JAR_DATE=2024-01-01T00:00:00Z

# stamp NAME KEY: true when OUT/.stamp-NAME holds KEY
stamp_ok() { [ "$(cat "$out/.stamp-$1" 2> /dev/null)" = "$2" ]; }
sources_key() { (cd "$here" && find "$@" -type f | LC_ALL=C sort | xargs sha256sum; echo "$jdk_version $*") | sha256sum | cut -d' ' -f1; }

# ---- the Java installers, OPatch, patch, WDT ----
build_java() {
  local w=$1 v
  mkdir -p "$w/classes"
  "$jhome/bin/javac" -nowarn -Xlint:-options --release 8 -d "$w/classes" \
    "$here/java/standin/Installer.java" "$here/java/weblogic/version.java"
  for v in "${WLS_VERSIONS[@]}"; do
    local d="$w/wls-$v" jarname="fmw_${v}_wls_lite_generic.jar"
    mkdir -p "$d/jar/standin" "$d/jar/payload/wlserver/server/lib" "$d/jar/payload/OPatch" \
      "$d/jar/payload/oracle_common/common/bin" "$d/jar/payload/wlserver/common/bin" "$d/zip"
    printf 'Implementation-Title: WebLogic Server (wlsimg test stand-in)\nImplementation-Version: %s\n' "$v" > "$d/wl.mf"
    "$jhome/bin/jar" --create --file "$d/jar/payload/wlserver/server/lib/weblogic.jar" --manifest "$d/wl.mf" \
      --date "$JAR_DATE" -C "$w/classes" weblogic
    cp "$w"/classes/standin/*.class "$d/jar/standin/"
    cp "$here/opatch/opatch" "$d/jar/payload/OPatch/opatch"
    printf 'OPATCH_VERSION:%s\n' "$INSTALLED_OPATCH" > "$d/jar/payload/OPatch/version.txt"
    printf '#!/bin/sh\n# wlsimg test stand-in: WLST cannot run here\necho "stand-in wlst.sh: not WebLogic Scripting Tool" >&2\nexit 1\n' \
      > "$d/jar/payload/oracle_common/common/bin/wlst.sh"
    printf '#!/bin/sh\n# wlsimg test stand-in environment script\nWL_HOME="$(cd "$(dirname "$0")/../.." && pwd)"\nexport WL_HOME\n' \
      > "$d/jar/payload/wlserver/common/bin/commEnv.sh"
    cat > "$d/jar/payload.list" << EOF
640 wlserver/server/lib/weblogic.jar
750 wlserver/common/bin/commEnv.sh
750 oracle_common/common/bin/wlst.sh
750 OPatch/opatch
640 OPatch/version.txt
EOF
    cat > "$d/jar/standin.properties" << EOF
# wlsimg test stand-in of Oracle's WebLogic Server installer
kind=installer
product=Oracle Fusion Middleware WebLogic Server and Coherence (wlsimg test stand-in)
version=$v
component=oracle.wls.core.app.server
installTypes=WebLogic Server,Coherence,Complete with Examples
distributions=WebLogic Server:$v
EOF
    "$jhome/bin/jar" --create --file "$d/zip/$jarname" --main-class standin.Installer --date "$JAR_DATE" -C "$d/jar" .
    python3 "$here/zipdir.py" "$d/zip" "$w/out/fmw_${v}_wls_lite_Disk1_1of1.zip"
  done

  # OPatch update: 6880880/opatch_generic.jar, the same program in its "opatch" role
  local o="$w/opatch"
  mkdir -p "$o/jar/standin" "$o/jar/payload/OPatch" "$o/zip/6880880"
  cp "$w"/classes/standin/*.class "$o/jar/standin/"
  cp "$here/opatch/opatch" "$o/jar/payload/OPatch/opatch"
  printf '750 OPatch/opatch\n' > "$o/jar/payload.list"
  printf '# wlsimg test stand-in of the OPatch installer\nkind=opatch\nproduct=OPatch (wlsimg test stand-in)\nversion=%s\n' \
    "$OPATCH_UPDATE" > "$o/jar/standin.properties"
  "$jhome/bin/jar" --create --file "$o/zip/6880880/opatch_generic.jar" --main-class standin.Installer \
    --date "$JAR_DATE" -C "$o/jar" .
  printf 'wlsimg test stand-in of OPatch %s, not Oracle OPatch.\n' "$OPATCH_UPDATE" > "$o/zip/6880880/README.txt"
  python3 "$here/zipdir.py" "$o/zip" "$w/out/p28186730_${OPATCH_UPDATE//./}_Generic.zip"

  # a one-off patch in OPatch's layout
  local p="$w/patch/$PATCH_BUG"
  mkdir -p "$p/etc/config" "$p/files/wlserver/server/lib"
  cat > "$p/etc/config/inventory.xml" << EOF
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!-- wlsimg test stand-in patch, not an Oracle patch -->
<oneoff_inventory>
  <opack_version version="13.9.4.0.0"/>
  <patch_id number="$PATCH_BUG"/>
  <unique_patch_id>25000001</unique_patch_id>
  <date_of_patch year="2024" month="Jan" day="1" time="00:00:00 hrs" zone="UTC"/>
  <base_bugs>
    <bug number="$PATCH_BUG" description="WLSIMG STAND-IN ONE-OFF"/>
  </base_bugs>
  <required_components>
    <component internal_name="oracle.wls.core.app.server" version="$PATCH_FOR" opt_req="R"/>
  </required_components>
  <patch_description>WLSIMG STAND-IN ONE-OFF PATCH $PATCH_BUG</patch_description>
</oneoff_inventory>
EOF
  printf '<oneoff_actions><copy file_name="wlserver/server/lib/standin-patch-%s.txt"/></oneoff_actions>\n' "$PATCH_BUG" \
    > "$p/etc/config/actions.xml"
  printf 'applied by the stand-in OPatch: patch %s\n' "$PATCH_BUG" > "$p/files/wlserver/server/lib/standin-patch-$PATCH_BUG.txt"
  printf 'wlsimg test stand-in patch %s for WebLogic Server %s (not an Oracle patch)\n' "$PATCH_BUG" "$PATCH_FOR" > "$p/README.txt"
  python3 "$here/zipdir.py" "$w/patch" "$w/out/p${PATCH_BUG}_${PATCH_FOR//./}_Generic.zip" --norm-modes

  # WDT: the scripts as committed, VERSION.txt and LICENSE.txt added
  mkdir -p "$w/wdt"
  cp -R "$here/wdt/weblogic-deploy" "$w/wdt/"
  printf '%s\n' "$WDT_VERSION" > "$w/wdt/weblogic-deploy/VERSION.txt"
  printf 'wlsimg test stand-in of the WebLogic Deploy Tooling, not Oracle software.\n' > "$w/wdt/weblogic-deploy/LICENSE.txt"
  python3 "$here/zipdir.py" "$w/wdt" "$w/out/weblogic-deploy.zip" --norm-modes
}

# ---- a real JDK runtime from Debian's openjdk (jlink) ----
build_jdk() {
  local w=$1 top="jdk-$jdk_version"
  mkdir -p "$w/jdk"
  "$jhome/bin/jlink" --add-modules java.base,java.logging,java.xml,jdk.jartool,jdk.zipfs \
    --strip-debug --no-man-pages --no-header-files --compress=2 --output "$w/jdk/$top"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$w/jdk" -czf \
    "$w/out/${top}_linux-x64_bin.tar.gz" "$top"
}

# ---- a real Debian root filesystem ----
debian_mirror() {
  local m=${STANDIN_DEBIAN_MIRROR:-}
  [ -n "$m" ] || m=$(sed -n 's/^URIs: *\([^ ]*debian\/*\)$/\1/p' /etc/apt/sources.list.d/*.sources 2> /dev/null | head -1)
  [ -n "$m" ] || m=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' /etc/apt/sources.list 2> /dev/null)
  echo "${m:-http://deb.debian.org/debian}"
}

build_base() {
  local w=$1 r="$1/rootfs" mirror
  mirror=$(debian_mirror)
  command -v debootstrap > /dev/null || { echo "make-all.sh: debootstrap not found (scripts/deps.sh)" >&2; return 1; }
  debootstrap --variant=minbase --include="$BASE_INCLUDE" "$BASE_SUITE" "$r" "$mirror" > "$w/debootstrap.log" 2>&1 ||
    { tail -20 "$w/debootstrap.log" >&2; return 1; }
  rm -rf "$r"/usr/share/doc/* "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/locale/* \
    "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/* "$r"/var/log/*.log \
    "$r"/var/log/apt/* "$r"/dev/* "$r"/proc/* "$r"/sys/* "$r"/run/*
  tar --sort=name --numeric-owner -C "$r" -cf "$w/out/debian-$BASE_SUITE-minbase.tar" .
}

# run_part NAME KEY FUNC: build into a fresh directory, then move the results into OUT
run_part() {
  local name=$1 key=$2 fn=$3 w f
  stamp_ok "$name" "$key" && return 0
  w=$(mktemp -d "$out/.work-$name.XXXXXX")
  mkdir -p "$w/out"
  if ! "$fn" "$w"; then rm -rf "$w"; echo "make-all.sh: building $name failed" >&2; return 1; fi
  for f in "$w"/out/*; do mv -f "$f" "$out/"; done
  rm -rf "$w"
  echo "$key" > "$out/.stamp-$name"
}

# The Debian base (debootstrap: mostly waiting on the mirror and dpkg) is made while the Java parts keep the CPU
# busy: on a fresh clone that is the slowest part, and the others then cost nothing extra.
base_pid=
if [ "$no_base" != --no-base ]; then
  run_part base "$BASE_RECIPE" build_base &
  base_pid=$!
fi
status=0
run_part java "$(sources_key java opatch wdt zipdir.py) ${WLS_VERSIONS[*]} $INSTALLED_OPATCH $OPATCH_UPDATE $PATCH_BUG $WDT_VERSION" build_java || status=1
run_part jdk "$jdk_version jlink-v1" build_jdk || status=1
if [ -n "$base_pid" ]; then wait "$base_pid" || status=1; fi
[ $status -eq 0 ] || exit 1

{
  q() { printf '%q' "$1"; }
  echo "wlsimg cache addInstaller --type jdk --version $jdk_version --path $(q "$out/jdk-${jdk_version}_linux-x64_bin.tar.gz")"
  for v in "${WLS_VERSIONS[@]}"; do
    echo "wlsimg cache addInstaller --type wls --version $v --path $(q "$out/fmw_${v}_wls_lite_Disk1_1of1.zip")"
  done
  echo "wlsimg cache addInstaller --type wdt --version $WDT_VERSION --path $(q "$out/weblogic-deploy.zip")"
  echo "wlsimg cache addPatch --patchId 28186730_$OPATCH_UPDATE --path $(q "$out/p28186730_${OPATCH_UPDATE//./}_Generic.zip")"
  echo "wlsimg cache addPatch --patchId ${PATCH_BUG}_$PATCH_FOR --path $(q "$out/p${PATCH_BUG}_${PATCH_FOR//./}_Generic.zip")"
  if [ -f "$out/debian-$BASE_SUITE-minbase.tar" ]; then
    echo "wlsimg import --tag standin/debian:$BASE_SUITE -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD [\"bash\"]' $(q "$out/debian-$BASE_SUITE-minbase.tar")"
  fi
} > "$out/register.txt"
cat "$out/register.txt"
