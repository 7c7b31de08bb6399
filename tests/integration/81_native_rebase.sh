#!/usr/bin/env bash
# Native rebase (the library's wi_rebase_build, driven by build/tests/rebase-native until `wlsimg rebase
# --targetImage` is wired to it) against buildah building WIT's rebase Dockerfile (wit-primary §8.2) for the
# same images: the domain image made by the stand-in WDT on the stand-in WebLogic 12.2.1.4.0, and a target with
# the newer stand-in WebLogic 14.1.1.0.0 (STAND-INS: Oracle's installers and WDT cannot be downloaded here;
# tests/standin builds them, tests/standin/images.sh the images, cached). The two results must hold the same
# domain home (paths, types, modes, owners, contents; SerializedSystemIni.dat byte-identical to the source's)
# and the same config; also with --target OpenShift. Native builds are reproducible, and bad input names
# what is wrong and leaves nothing in the store.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$T_HERE/../.." && pwd)
DRIVER=$(dirname "$WLSIMG")/tests/rebase-native
if [ "$(id -u)" -ne 0 ] || ! command -v buildah > /dev/null || ! command -v javac > /dev/null ||
  ! command -v debootstrap > /dev/null; then
  echo "ok - # SKIP native rebase vs buildah (need root, buildah, javac and debootstrap: scripts/deps.sh)"
  finish
  exit
fi
need jq
need skopeo
[ -x "$DRIVER" ] || { echo "missing $DRIVER (make)" >&2; exit 1; }
SD=${WLSIMG_STANDIN_DIR:-$ROOT/build/standin}
DH=/u01/domains/base_domain

check "stand-ins (cached)" "$ROOT/tests/standin/make-all.sh" "$SD/files"
check "stand-in images (cached)" "$ROOT/tests/standin/images.sh" "$SD/files" "$SD/images"
for t in domain wls14; do
  check "wlsimg copy oci:…:$t into the store" "$WLSIMG" copy -q "oci:$SD/images/oci:$t" "standin/$t:1"
done
export SOURCE_DATE_EPOCH=0
RB=("$DRIVER" --store "$WLSIMG_STORE" --source standin/domain:1 --target standin/wls14:1 --domain-home "$DH"
  --user oracle --group oracle)

# ---- native ----
check "native rebase" "${RB[@]}" --tag standin/rebased:native
D1=$(cat "$T_DIR/last.out")
check "native rebase again" "${RB[@]}" --tag standin/rebased:again
check_eq "reproducible: same inputs, same digest" "$(cat "$T_DIR/last.out")" "$D1"
check "native rebase for OpenShift" "${RB[@]}" --openshift --tag standin/rebased:openshift
check "native rebase with another SOURCE_DATE_EPOCH" env SOURCE_DATE_EPOCH=1700000000 "${RB[@]}"
check "another epoch, another digest" test "$(cat "$T_DIR/last.out")" != "$D1"
J=$("$WLSIMG" inspect --image standin/rebased:native 2> /dev/null)
check_eq "the rebased image: the target's WebLogic, the source's domain" \
  "$(jq -r '[.wlsVersion, .domainHome, (.wdtModelOnly // "false")] | join("|")' <<< "$J")" "14.1.1.0.0|$DH|false"

# ---- buildah, WIT's Dockerfile ----
# shellcheck source=tests/standin/buildah.sh
. "$ROOT/tests/standin/buildah.sh"
bh_setup "$T_DIR/containers"
trap 'bh_cleanup; t_cleanup' EXIT
check "source into buildah" bh_pull_oci "$SD/images/oci" domain localhost/standin/domain:1
check "target into buildah" bh_pull_oci "$SD/images/oci" wls14 localhost/standin/wls14:1
bud() { # bud NAME OPENSHIFT_LINE
  mkdir -p "$T_DIR/ctx-$1"
  sed -e "s|@SOURCE@|localhost/standin/domain:1|; s|@TARGET@|localhost/standin/wls14:1|; s|@DOMAIN_HOME@|$DH|g" \
    -e "s|@USER@|oracle|g; s|@GROUP@|oracle|g; s|@BUILDID@|test|; s|@OPENSHIFT@|$2|" \
    "$ROOT/tests/standin/dockerfiles/rebase.Dockerfile" > "$T_DIR/ctx-$1/Dockerfile"
  bh bud --tag "localhost/standin/rebased:$1" "$T_DIR/ctx-$1" &&
    bh push -q "localhost/standin/rebased:$1" "oci:$T_DIR/bud:$1"
}
check "buildah bud WIT's rebase Dockerfile" bud plain ""
check "buildah bud WIT's rebase Dockerfile, OpenShift" bud openshift "    RUN chmod -R g=u $DH"

# ---- compare ----
for t in native openshift; do
  check "export native $t" "$WLSIMG" copy -q "standin/rebased:$t" "oci:$T_DIR/nat:$t"
done
# the domain homes only (tests/standin/subtree.py applies the layers of an OCI layout to one subtree)
sub() { python3 "$ROOT/tests/standin/subtree.py" "$1" "$2" u01/domains "$3"; }
check "extract native" sub "$T_DIR/nat" native "$T_DIR/u-native"
check "extract native OpenShift" sub "$T_DIR/nat" openshift "$T_DIR/u-native-os"
check "extract buildah's" sub "$T_DIR/bud" plain "$T_DIR/u-bud"
check "extract buildah's OpenShift" sub "$T_DIR/bud" openshift "$T_DIR/u-bud-os"
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
  "$(cfg "$T_DIR/nat:native" '.config | {Env, User, WorkingDir}')" "$(cfg "$T_DIR/bud:plain" '.config | {Env, User, WorkingDir}')"
check_eq "build id label (UUID form)" \
  "$(cfg "$T_DIR/nat:native" '.config.Labels["com.oracle.weblogic.imagetool.buildid"] | test("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")')" true
check_eq "history: WIT's instructions" \
  "$(cfg "$T_DIR/nat:native" '[.history[-6:][].created_by | split(" ")[0]] | join(" ")')" "ENV LABEL USER RUN COPY WORKDIR"

# ---- bad input: a clear message, exit 1, nothing named ----
n_images() { "$WLSIMG" images 2> /dev/null | wc -l; }
N=$(n_images)
check_fail "a user the target does not have" 1 "user nosuch is not in /etc/passwd of the target image" \
  "$DRIVER" --store "$WLSIMG_STORE" --source standin/domain:1 --target standin/wls14:1 --domain-home "$DH" \
  --user nosuch --group oracle --tag bad:1
check_fail "a group the target does not have" 1 "group nosuchgroup is not in /etc/group of the target image" \
  "$DRIVER" --store "$WLSIMG_STORE" --source standin/domain:1 --target standin/wls14:1 --domain-home "$DH" \
  --user oracle --group nosuchgroup --tag bad:1
check_fail "a domain home the source does not have" 1 "the source image has no /u01/domains/other" \
  "$DRIVER" --store "$WLSIMG_STORE" --source standin/domain:1 --target standin/wls14:1 \
  --domain-home /u01/domains/other --user oracle --group oracle --tag bad:1
check_fail "a relative domain home" 1 "is not an absolute path" \
  "$DRIVER" --store "$WLSIMG_STORE" --source standin/domain:1 --target standin/wls14:1 \
  --domain-home u01/x --user oracle --group oracle --tag bad:1
check_eq "nothing named after the failures" "$(n_images)" "$N"
finish
