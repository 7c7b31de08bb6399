#!/usr/bin/env bash
# `wlsimg rebase --targetImage`, built natively (no container engine), against the same rebase built by
# buildah from WIT's Dockerfile (wlsimg's engine path, made by tests/standin/images.sh): the domain image
# made by the stand-in WDT on the stand-in WebLogic 12.2.1.4.0, and a target with the newer stand-in
# WebLogic 14.1.1.0.0 (STAND-INS: Oracle's installers and WDT cannot be downloaded here; tests/standin builds
# them, tests/standin/images.sh the images, once per test run). The two results must hold the same domain
# home (paths, types, modes, owners, contents; SerializedSystemIni.dat byte-identical to the source's) and
# the same config; also with --target OpenShift. Native builds are reproducible, need no engine, push with
# --push; bad input gets WIT's message and exit code and leaves nothing in the store.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$T_HERE/../.." && pwd)
if [ "$(id -u)" -ne 0 ] || ! command -v buildah > /dev/null || ! command -v javac > /dev/null ||
  ! command -v debootstrap > /dev/null; then
  echo "ok - # SKIP native rebase vs buildah (need root, buildah, javac and debootstrap: scripts/deps.sh)"
  finish
  exit
fi
need jq
need skopeo
SD=${WLSIMG_STANDIN_DIR:-$ROOT/build/standin}
DH=/u01/domains/base_domain

check "stand-ins (cached)" "$ROOT/tests/standin/make-all.sh" "$SD/files"
check "stand-in images (cached)" "$ROOT/tests/standin/images.sh" "$SD/files" "$SD/images"
for t in domain wls12 wls14 rebased-engine rebased-engine-os; do
  check "wlsimg copy oci:…:$t into the store" "$WLSIMG" copy -q "oci:$SD/images/oci:$t" "standin/$t:1"
done
check "buildah built the reference (WIT's Dockerfile, wlsimg's engine path)" \
  grep -q "Building with buildah: options after -- are for the engine" "$SD/images/log/rebased-engine.err"
export SOURCE_DATE_EPOCH=0
RB=("$WLSIMG" rebase --sourceImage standin/domain:1 --targetImage standin/wls14:1)

# ---- native ----
check "rebase --targetImage" "${RB[@]}" --tag standin/rebased:native
cp "$T_DIR/last.out" "$T_DIR/native.out"
cp "$T_DIR/last.err" "$T_DIR/native.err"
D1=$(tail -1 "$T_DIR/native.out")
check "... built natively, and says so" grep -q "Building natively, without a container engine: the domain home of standin/domain:1 onto standin/wls14:1" "$T_DIR/native.err"
check "... the digest on stdout" grep -qE '^sha256:[0-9a-f]{64}$' "$T_DIR/native.out"
check "... no engine needed (the builder named does not exist)" "${RB[@]}" --tag standin/rebased:again --builder no-such-engine
check_eq "reproducible: same inputs, same digest" "$(tail -1 "$T_DIR/last.out")" "$D1"
check "rebase --targetImage --target OpenShift" "${RB[@]}" --target OpenShift --tag standin/rebased:openshift
check "another SOURCE_DATE_EPOCH" env SOURCE_DATE_EPOCH=1700000000 "${RB[@]}" --tag standin/rebased:epoch
check "another epoch, another digest" test "$(tail -1 "$T_DIR/last.out")" != "$D1"
J=$("$WLSIMG" inspect --image standin/rebased:native 2> /dev/null)
check_eq "the rebased image: the target's WebLogic, the source's domain" \
  "$(jq -r '[.wlsVersion, .domainHome, (.wdtModelOnly // "false"), .oracleHomeUser, .oracleHomeGroup] | join("|")' <<< "$J")" \
  "14.1.1.0.0|$DH|false|oracle|root"

# ---- compare with buildah's ----
for t in native openshift; do
  check "export native $t" "$WLSIMG" copy -q "standin/rebased:$t" "oci:$T_DIR/nat:$t"
done
# the domain homes only (tests/standin/subtree.py applies the layers of an OCI layout to one subtree)
sub() { python3 "$ROOT/tests/standin/subtree.py" "$1" "$2" u01/domains "$3"; }
check "extract native" sub "$T_DIR/nat" native "$T_DIR/u-native"
check "extract native OpenShift" sub "$T_DIR/nat" openshift "$T_DIR/u-native-os"
check "extract buildah's" sub "$SD/images/oci" rebased-engine "$T_DIR/u-bud"
check "extract buildah's OpenShift" sub "$SD/images/oci" rebased-engine-os "$T_DIR/u-bud-os"
check "extract the source" sub "$SD/images/oci" domain "$T_DIR/u-src"
tree() { # tree ROOT OUT: every entry of the domain homes, with type, mode, owner, size, link target; content digests
  (cd "$1" && find u01/domains -printf '%p %y %m %U:%G %s %l\n' | LC_ALL=C sort) > "$2.meta"
  (cd "$1" && find u01/domains -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) > "$2.sum"
}
tree "$T_DIR/u-native" "$T_DIR/native"
tree "$T_DIR/u-bud" "$T_DIR/bud"
tree "$T_DIR/u-native-os" "$T_DIR/native-os"
tree "$T_DIR/u-bud-os" "$T_DIR/bud-os"
check "a domain home was compared" test "$(wc -l < "$T_DIR/native.meta")" -gt 10
check "same tree as buildah's: paths, types, modes, owners, sizes" diff -u "$T_DIR/bud.meta" "$T_DIR/native.meta"
check "same contents as buildah's" diff -u "$T_DIR/bud.sum" "$T_DIR/native.sum"
check "OpenShift: same tree as buildah's" diff -u "$T_DIR/bud-os.meta" "$T_DIR/native-os.meta"
check "OpenShift: same contents as buildah's" diff -u "$T_DIR/bud-os.sum" "$T_DIR/native-os.sum"
check_eq "OpenShift: group bits = user bits" "$(stat -c %a "$T_DIR/u-native-os$DH/security/SerializedSystemIni.dat")" 660
check "SerializedSystemIni.dat byte-identical to the source's" \
  cmp "$T_DIR/u-src$DH/security/SerializedSystemIni.dat" "$T_DIR/u-native$DH/security/SerializedSystemIni.dat"
cfg() { skopeo inspect "${SKOPEO_FLAGS[@]}" --config "oci:$1" | jq -rc "$2"; }
check_eq "same Env, User and WorkingDir as buildah's" \
  "$(cfg "$T_DIR/nat:native" '.config | {Env, User, WorkingDir}')" \
  "$(cfg "$SD/images/oci:rebased-engine" '.config | {Env, User, WorkingDir}')"
check_eq "build id label (UUID form)" \
  "$(cfg "$T_DIR/nat:native" '.config.Labels["com.oracle.weblogic.imagetool.buildid"] | test("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")')" true
check_eq "history: WIT's instructions" \
  "$(cfg "$T_DIR/nat:native" '[.history[-6:][].created_by | split(" ")[0]] | join(" ")')" "ENV LABEL USER RUN COPY WORKDIR"

# ---- [final-build-commands] with config-only instructions stay native; a RUN needs the engine ----
printf '[final-build-commands]\nENV APP_TIER=web\nLABEL stage={{buildId}}\n' > "$T_DIR/cfg.txt"
check "final-build-commands ENV and LABEL: native" "${RB[@]}" --tag standin/rebased:cfg --additionalBuildCommands "$T_DIR/cfg.txt"
cp "$T_DIR/last.err" "$T_DIR/cfg.err"
check "... says so" grep -q "Building natively" "$T_DIR/cfg.err"
check "export it" "$WLSIMG" copy -q standin/rebased:cfg "oci:$T_DIR/nat:cfg"
check_eq "... the ENV, the LABEL rendered with the image's build id" \
  "$(cfg "$T_DIR/nat:cfg" '[(.config.Env | map(select(. == "APP_TIER=web")) | length), (.config.Labels.stage == .config.Labels["com.oracle.weblogic.imagetool.buildid"])] | map(tostring) | join(" ")')" \
  "1 true"

# ---- --push: the result to a registry ----
start_registry none
check "rebase --targetImage --push" "${RB[@]}" --tag "$REG_ADDR/domains/mydomain:v2" --push --tls-verify=false
check_eq "the registry has it, with the digest printed" \
  "$(skopeo inspect "${SKOPEO_FLAGS[@]}" --tls-verify=false --raw "docker://$REG_ADDR/domains/mydomain:v2" | sha256sum | cut -d' ' -f1)" \
  "$(tail -1 "$T_DIR/last.out" | cut -d: -f2)"

# ---- bad input: WIT's message, exit 1, nothing named ----
# images that differ from the source only in their ENV: config-only updates, built natively
printf '[final-build-commands]\nENV JAVA_HOME=/opt/otherjdk\n' > "$T_DIR/jh.txt"
printf '[final-build-commands]\nENV ORACLE_HOME=/opt/otheroh\n' > "$T_DIR/oh.txt"
printf '[final-build-commands]\nENV DOMAIN_HOME=/u01/domains/none\n' > "$T_DIR/dh.txt"
check "a target with another JAVA_HOME" "$WLSIMG" update --tag standin/otherjdk:1 --fromImage standin/wls14:1 --additionalBuildCommands "$T_DIR/jh.txt"
check "a target with another ORACLE_HOME" "$WLSIMG" update --tag standin/otheroh:1 --fromImage standin/wls14:1 --additionalBuildCommands "$T_DIR/oh.txt"
check "a source whose DOMAIN_HOME holds nothing, and no WDT" "$WLSIMG" update --tag standin/nodomain:1 --fromImage standin/wls12:1 --additionalBuildCommands "$T_DIR/dh.txt"
n_images() { "$WLSIMG" images -q 2> /dev/null | sort | tr '\n' ' '; }
n_blobs() { ls "$WLSIMG_STORE/blobs/sha256" | wc -l; }
N=$(n_images)
B=$(n_blobs)
check_fail "a source image without DOMAIN_HOME (IMG-0025)" 1 \
  "No Domain Home in source image.  Add DOMAIN_HOME environment variable to source image and try again." \
  "$WLSIMG" rebase --tag bad:1 --sourceImage standin/wls12:1 --targetImage standin/wls14:1
check_fail "a target with another JAVA_HOME (IMG-0026)" 1 \
  "JAVA_HOME value must be the same in both new and old image in order to rebase the domain" \
  "$WLSIMG" rebase --tag bad:1 --sourceImage standin/domain:1 --targetImage standin/otherjdk:1
check_fail "a target with another ORACLE_HOME (IMG-0021)" 1 \
  "ORACLE_HOME value must be the same in both new and old image in order to rebase the domain" \
  "$WLSIMG" rebase --tag bad:1 --sourceImage standin/domain:1 --targetImage standin/otheroh:1
check_fail "a model-only source with no WDT home" 1 \
  "standin/nodomain:1 has no domain in /u01/domains/none and no WDT home" \
  "$WLSIMG" rebase --tag bad:1 --sourceImage standin/nodomain:1 --targetImage standin/wls14:1
check_fail "no --sourceImage (a usage error, as WIT's picocli)" 2 "missing required option '--sourceImage=<sourceImage>'" \
  "$WLSIMG" rebase --tag bad:1 --targetImage standin/wls14:1
check_eq "nothing named after the failures" "$(n_images)" "$N"
check_eq "no blob stored by the failures" "$(n_blobs)" "$B"
check_eq "no build context left" "$(find "$HOME" -maxdepth 1 -name 'wlsimgbuilder_temp*' | wc -l)" 0
finish
