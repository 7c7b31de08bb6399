#!/usr/bin/env bash
# Real builds of primary images with a real engine, on STAND-INS: Oracle's WebLogic installer, OPatch and the
# WebLogic Deploy Tooling cannot be downloaded here, so tests/standin/make-all.sh builds small stand-ins for
# them (and a real JDK from Debian's openjdk, a real debootstrap Debian base). tests/standin/images.sh runs
# `wlsimg create`, `wlsimg update --patches` (a cached patch applied by the stand-in opatch) and
# `wlsimg update --wdtOperation CREATE` (the stand-in WDT's createDomain.sh) with buildah (vfs, chroot
# isolation, a private storage) on them, once per test run (cached); the results come into the wlsimg store
# with `wlsimg copy oci:…`, and wlsimg's static probe (`inspect`, `inspect --patches`) must report the
# stand-ins' JDK, Oracle Home, WebLogic and OPatch versions and the applied patch. The stand-ins are checked
# to refuse bad input as the real installers do (not under sanitizers: nothing of wlsimg runs there).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$T_HERE/../.." && pwd)
if [ "$(id -u)" -ne 0 ] || ! command -v buildah > /dev/null || ! command -v javac > /dev/null ||
  ! command -v debootstrap > /dev/null; then
  echo "ok - # SKIP real builds (need root, buildah, javac and debootstrap: scripts/deps.sh)"
  finish
  exit
fi
need jq
SD=${WLSIMG_STANDIN_DIR:-$ROOT/build/standin}

# ---- the stand-ins (cached in $SD) ----
check "stand-ins built (tests/standin/make-all.sh)" "$ROOT/tests/standin/make-all.sh" "$SD/files"
cp "$T_DIR/last.out" "$T_DIR/register.txt"
check_eq "make-all prints the cache lines" "$(grep -c '^wlsimg cache add' "$T_DIR/register.txt")" 6
export WLSIMG_CACHEDIR="$T_DIR/cache"
while read -r line; do
  case $line in wlsimg\ cache\ *) eval "\"\$WLSIMG\" ${line#wlsimg }" > /dev/null 2>&1 || not_ok "register: $line" ;; esac
done < "$T_DIR/register.txt"
check "registered in the WIT cache" "$WLSIMG" cache listItems
check_eq "cache keys" "$(grep -oE '^(jdk|wls|wdt)_[^=]*|^[0-9]+_[^=]*' "$T_DIR/last.out" | sort | tr '\n' ' ')" \
  "28186730_13.9.4.2.22 33000001_12.2.1.4.0 jdk_$(sed -n 's/.*--type jdk --version \([^ ]*\).*/\1/p' "$T_DIR/register.txt") wdt_4.3.1 wls_12.2.1.4.0 wls_14.1.1.0.0 "
JDK=$(sed -n 's/.*--type jdk --version \([^ ]*\).*/\1/p' "$T_DIR/register.txt")
check_eq "the JDK tarball has one top directory jdk-$JDK with bin/java and bin/jar" \
  "$(tar tzf "$SD/files/jdk-${JDK}_linux-x64_bin.tar.gz" | grep -cE "^jdk-$JDK/bin/(java|jar)$")" 2
check_eq "the installer zip holds the generic jar as Oracle's does" \
  "$(unzip -Z1 "$SD/files/fmw_12.2.1.4.0_wls_lite_Disk1_1of1.zip")" "fmw_12.2.1.4.0_wls_lite_generic.jar"

# ---- the stand-ins refuse bad input like the real ones (run on the host: no engine needed) ----
if [ -z "${WLSIMG_SANITIZED:-}" ]; then
mkdir -p "$T_DIR/inst" "$T_DIR/tmp"
unzip -q "$SD/files/fmw_12.2.1.4.0_wls_lite_Disk1_1of1.zip" -d "$T_DIR/inst"
printf '[ENGINE]\nResponse File Version=1.0.0.0.0\n[GENERIC]\nINSTALL_TYPE=SOA Suite\nDECLINE_SECURITY_UPDATES=true\n' > "$T_DIR/bad.rsp"
printf 'inventory_loc=%s/inv\ninst_group=root\n' "$T_DIR" > "$T_DIR/oraInst.loc"
INST=(java -Djava.io.tmpdir="$T_DIR/tmp" -jar "$T_DIR/inst/fmw_12.2.1.4.0_wls_lite_generic.jar" -silent)
check_fail "installer: wrong INSTALL_TYPE in the response file" 1 "SEVERE: response file" \
  "${INST[@]}" ORACLE_HOME="$T_DIR/oh" -responseFile "$T_DIR/bad.rsp" -invPtrLoc "$T_DIR/oraInst.loc"
check "installer: the failure is in /tmp/OraInstall*/install*.log, where WIT's Dockerfile greps it" \
  grep -qh 'SEVERE: response file .* INSTALL_TYPE "SOA Suite" is not one of' "$T_DIR"/tmp/OraInstall*/install*.log
check_fail "installer: missing response file" 1 "does not exist or cannot be read" \
  "${INST[@]}" ORACLE_HOME="$T_DIR/oh" -responseFile "$T_DIR/nope.rsp" -invPtrLoc "$T_DIR/oraInst.loc"
printf 'inventory_loc=%s/inv\n' "$T_DIR" > "$T_DIR/noinst.loc"
printf '[ENGINE]\nResponse File Version=1.0.0.0.0\n[GENERIC]\nINSTALL_TYPE=WebLogic Server\nDECLINE_SECURITY_UPDATES=true\n' > "$T_DIR/wls.rsp"
check_fail "installer: oraInst.loc without inst_group" 1 "inst_group is missing" \
  "${INST[@]}" ORACLE_HOME="$T_DIR/oh" -responseFile "$T_DIR/wls.rsp" -invPtrLoc "$T_DIR/noinst.loc"
check "installer: installs with good input" \
  "${INST[@]}" ORACLE_HOME="$T_DIR/oh" -responseFile "$T_DIR/wls.rsp" -invPtrLoc "$T_DIR/oraInst.loc" -ignoreSysPrereqs -force -novalidation
check_eq "installer: weblogic.jar answers weblogic.version" \
  "$(java -cp "$T_DIR/oh/wlserver/server/lib/weblogic.jar" weblogic.version | sed -n 's/^WebLogic Server \([0-9.]*\).*/\1/p')" 12.2.1.4.0
check_fail "installer: refuses an Oracle Home that already holds one" 1 "already holds an Oracle Home" \
  "${INST[@]}" ORACLE_HOME="$T_DIR/oh" -responseFile "$T_DIR/wls.rsp" -invPtrLoc "$T_DIR/oraInst.loc" -force
mkdir -p "$T_DIR/p14"
cp "$SD/files/p33000001_122140_Generic.zip" "$T_DIR/p14/"
sed -i 's/version="12.2.1.4.0"/version="14.1.1.0.0"/' "$T_DIR/oh/inventory/registry.xml"
check_fail "opatch: a 12.2.1.4.0 patch does not apply to a 14.1.1.0.0 home" 73 "CheckApplicable" \
  "$T_DIR/oh/OPatch/opatch" napply -silent -oh "$T_DIR/oh" -phBaseDir "$T_DIR/p14"
fi

# ---- wlsimg create and update build them with buildah ----
# Cached like the stand-ins: built again whenever a stand-in, the model or images.sh changes (always on a
# fresh clone), or with WLSIMG_STANDIN_FRESH=1; the checks below run either way.
check "wlsimg create (12.2.1.4.0, 14.1.1.0.0), update --patches, update --wdtOperation CREATE, rebase (buildah)" \
  "$ROOT/tests/standin/images.sh" "$SD/files" "$SD/images" ${WLSIMG_STANDIN_FRESH:+--fresh}
sed 's/^/    /' "$T_DIR/last.err"
for t in wls12 wls12p domain wls14; do
  check "wlsimg copy oci:…:$t into the store" "$WLSIMG" copy -q "oci:$SD/images/oci:$t" "standin/$t:1"
done
LOG="$SD/images/log"

probe() { # probe IMAGE [--patches]: wlsimg inspect's JSON
  "$WLSIMG" inspect --image "$@" 2> "$T_DIR/inspect.err"
}
J=$(probe standin/wls12:1)
check_eq "create: the static probe sees the JDK and the Oracle Home the stand-ins installed" \
  "$(jq -r '[.packageManager, .javaHome, .javaVersion, .oracleHome, .wlsVersion, .oracleHomeUser, .oracleHomeGroup, .oracleInstalledProducts] | join("|")' <<< "$J")" \
  "APTGET|/u01/jdk|$JDK|/u01/oracle|12.2.1.4.0|oracle|root|WebLogic Server"
check "create: built by buildah, as the log says" grep -q "Building with buildah: installers, packages and users are set up inside the image" "$LOG/wls12.err"
J=$(probe standin/wls12:1 --patches)
check_eq "create: OPatch of the installer, no patches" "$(jq -r '[.opatchVersion, (.oraclePatches | length)] | join("|")' <<< "$J")" \
  "13.9.4.2.5|0"
check "update --patches: OPatch from the cache, newer than the image's" \
  grep -q "Updating OPatch in final image from version 13.9.4.2.5 to version 13.9.4.2.22" "$LOG/wls12p.err"
check "update --patches: the patch from the cache" grep -q "Using patch 33000001_12.2.1.4.0 from cache" "$LOG/wls12p.err"
J=$(probe standin/wls12p:1 --patches)
check_eq "update --patches: OPatch updated by the stand-in opatch_generic.jar" "$(jq -r .opatchVersion <<< "$J")" 13.9.4.2.22
check_eq "update --patches: inspect --patches lists the patch the stand-in opatch applied" \
  "$(jq -r '.oraclePatches[] | .patch + " " + .description' <<< "$J")" "33000001 WLSIMG STAND-IN ONE-OFF PATCH 33000001"
J=$(probe standin/domain:1)
check_eq "update --wdtOperation CREATE: DOMAIN_HOME, a domain (not model-only)" \
  "$(jq -r '[.domainHome, (.wdtModelOnly // "false")] | join("|")' <<< "$J")" "/u01/domains/base_domain|false"
check "update --wdtOperation CREATE: the stand-in WDT's createDomain.sh ran" \
  grep -q "createDomain.sh completed: domain standin_domain (WLS) in /u01/domains/base_domain" "$LOG/domain.out"
J=$(probe standin/wls14:1)
check_eq "create 14.1.1.0.0" "$(jq -r .wlsVersion <<< "$J")" 14.1.1.0.0

# the built trees themselves (tests/standin/subtree.py applies the layers to the subtrees asked for)
sub() { python3 "$ROOT/tests/standin/subtree.py" "$SD/images/oci" "$1" "$2" "$3"; }
check "the domain image's domain home" sub domain u01/domains "$T_DIR/dom"
check "the domain image's /etc" sub domain etc "$T_DIR/dom"
RF="$T_DIR/dom"
check_eq "the domain made by the stand-in createDomain.sh" \
  "$(sed -n 's:.*<name>\(.*\)</name>.*:\1:p' "$RF/u01/domains/base_domain/config/config.xml" | head -1)" standin_domain
OID=$(awk -F: '$1 == "oracle" { print $3 ":" $4 }' "$RF/etc/passwd")
check_eq "useradd made the oracle user, in group root (--chown oracle:root)" "${OID#*:}" 0
check_eq "SerializedSystemIni.dat: 64 bytes, 0640 oracle:root" \
  "$(stat -c '%s %a %u:%g' "$RF/u01/domains/base_domain/security/SerializedSystemIni.dat")" "64 640 $OID"
check_eq "the archive's application is in the domain" \
  "$(ls "$RF/u01/domains/base_domain/wlsdeploy/applications")" sample-app.war
check "the patched image's Oracle Home" sub wls12p u01/oracle "$T_DIR/p"
check_eq "Oracle Home owned by oracle, group-readable (chmod -R g+r)" \
  "$(stat -c '%u:%g %A' "$T_DIR/p/u01/oracle/wlserver/server/lib/weblogic.jar")" "$OID -rw-r-----"
check_eq "the patch's file is in the patched home" \
  "$(cat "$T_DIR/p/u01/oracle/wlserver/server/lib/standin-patch-33000001.txt")" \
  "applied by the stand-in OPatch: patch 33000001"
finish
