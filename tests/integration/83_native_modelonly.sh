#!/usr/bin/env bash
# `wlsimg update --wdtModelOnly --wdtVariables …` (nothing to validate), built natively (no container engine),
# against the same updates built by buildah from WIT's Dockerfile through wlsimg's engine path (made by
# tests/standin/images.sh: modelonly-engine on the stand-in WebLogic 12.2.1.4.0 with the stand-in WDT 4.3.1,
# modelonly2-engine on that with a newer stand-in WDT 4.3.2, --wdtModelHome outside the WDT home and --target
# OpenShift). STAND-INS: Oracle's installers and WDT cannot be downloaded here; tests/standin builds small ones.
# The native results must hold the same /u01 (paths, types, modes, owners, sizes, contents) and the same config
# as buildah's: the old install's files the new WDT lacks stay (COPY merges), existing directories keep their
# owner and mode, the variables keep theirs. Native builds are reproducible; with a model WIT runs
# validateModel.sh in the image, so the engine is used and the log says why; what the RUNs could not do as the
# image's user is refused with the reason, nothing stored. About 10 s once images.sh's images are cached.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$T_HERE/../.." && pwd)
if [ "$(id -u)" -ne 0 ] || ! command -v buildah > /dev/null || ! command -v javac > /dev/null ||
  ! command -v debootstrap > /dev/null; then
  echo "ok - # SKIP native model-only update vs buildah (need root, buildah, javac and debootstrap: scripts/deps.sh)"
  finish
  exit
fi
need jq
need skopeo
SD=${WLSIMG_STANDIN_DIR:-$ROOT/build/standin}

check "stand-ins (cached)" "$ROOT/tests/standin/make-all.sh" "$SD/files"
check "stand-in images (cached)" "$ROOT/tests/standin/images.sh" "$SD/files" "$SD/images"
for t in wls12 modelonly-engine modelonly2-engine; do
  check "wlsimg copy oci:…:$t into the store" "$WLSIMG" copy -q "oci:$SD/images/oci:$t" "standin/$t:1"
done
for t in modelonly-engine modelonly2-engine; do
  check "buildah built $t (WIT's Dockerfile, wlsimg's engine path)" \
    grep -q "Building with buildah: options after -- are for the engine" "$SD/images/log/$t.err"
done
export WLSIMG_CACHEDIR="$T_DIR/cache" WLSIMG_BLDDIR="$T_DIR/bld" SOURCE_DATE_EPOCH=0
mkdir -p "$WLSIMG_BLDDIR" "$T_DIR/m"
WDT=$(sed -n 's/.*--type wdt --version [^ ]* --path //p' "$SD/files/register.txt")
check "cache addInstaller WDT 4.3.1" "$WLSIMG" cache addInstaller --type wdt --version 4.3.1 --path "$WDT"
check "cache addInstaller WDT 4.3.2" "$WLSIMG" cache addInstaller --type wdt --version 4.3.2 \
  --path "$SD/images/files/weblogic-deploy-4.3.2.zip"
# the same variables files as images.sh's
printf 'tier=one\n' > "$T_DIR/m/v1.properties"
printf 'tier=two\n' > "$T_DIR/m/v2.properties"
chmod 0600 "$T_DIR/m/v2.properties"
cp "$ROOT/tests/standin/model/domain.yaml" "$T_DIR/m/"
cd "$T_DIR/m" || exit 1
U1=("$WLSIMG" update --fromImage standin/wls12:1 --wdtModelOnly --wdtVariables v1.properties --wdtVersion 4.3.1)
U2=("$WLSIMG" update --fromImage standin/mo:native --wdtModelOnly --wdtVariables v2.properties --wdtVersion 4.3.2
  --wdtModelHome /u01/mh --target OpenShift)

# ---- native ----
check "update --wdtModelOnly --wdtVariables, no engine (the builder named does not exist)" \
  "${U1[@]}" --tag standin/mo:native --builder no-such-engine
D1=$(tail -1 "$T_DIR/last.out")
cp "$T_DIR/last.err" "$T_DIR/native.err"
check "... built natively, and says so" grep -q "Building natively, without a container engine: a model-only update" "$T_DIR/native.err"
check "reproducible: again" "${U1[@]}" --tag standin/mo:again
check_eq "... same inputs, same digest" "$(tail -1 "$T_DIR/last.out")" "$D1"
check "on that image: a newer WDT, the model home outside the WDT home, OpenShift" "${U2[@]}" --tag standin/mo2:native
cp "$T_DIR/last.err" "$T_DIR/native2.err"
check "... built natively" grep -q "Building natively" "$T_DIR/native2.err"

# ---- compare with buildah's ----
for t in mo mo2; do
  check "export native $t" "$WLSIMG" copy -q "standin/$t:native" "oci:$T_DIR/nat:$t"
done
sub() { python3 "$ROOT/tests/standin/subtree.py" "$1" "$2" u01 "$3"; }
check "extract native" sub "$T_DIR/nat" mo "$T_DIR/u-nat"
check "extract native 2" sub "$T_DIR/nat" mo2 "$T_DIR/u-nat2"
check "extract buildah's" sub "$SD/images/oci" modelonly-engine "$T_DIR/u-bud"
check "extract buildah's 2" sub "$SD/images/oci" modelonly2-engine "$T_DIR/u-bud2"
tree() { # tree ROOT OUT: every entry under /u01 with type, mode, owner, size, link target; content digests
  (cd "$1" && find u01 -printf '%p %y %m %U:%G %s %l\n' | LC_ALL=C sort) > "$2.meta"
  (cd "$1" && find u01 -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) > "$2.sum"
}
for t in nat bud nat2 bud2; do tree "$T_DIR/u-$t" "$T_DIR/$t"; done
check "a tree was compared" test "$(grep -c u01/wdt/weblogic-deploy "$T_DIR/nat.meta")" -gt 10
check "same /u01 as buildah's: paths, types, modes, owners, sizes" diff -u "$T_DIR/bud.meta" "$T_DIR/nat.meta"
check "same contents as buildah's" diff -u "$T_DIR/bud.sum" "$T_DIR/nat.sum"
check "2: same /u01 as buildah's" diff -u "$T_DIR/bud2.meta" "$T_DIR/nat2.meta"
check "2: same contents as buildah's" diff -u "$T_DIR/bud2.sum" "$T_DIR/nat2.sum"
m2() { grep "^u01/$1 " "$T_DIR/nat2.meta" | cut -d' ' -f2-4; }
check_eq "2: the old WDT's file the new one lacks stays (COPY merges)" "$(m2 wdt/weblogic-deploy/bin/deployApps.cmd)" "f 660 1000:0"
check_eq "2: an old directory takes the new WDT's mode (0755, g=u), as buildah's COPY does" "$(m2 wdt/weblogic-deploy/bin)" "d 775 1000:0"
check_eq "2: the new WDT's new directory (0755, g=u)" "$(m2 wdt/weblogic-deploy/lib/extra)" "d 775 1000:0"
check_eq "2: the old model home's variables stay" "$(m2 wdt/models/v1.properties)" "f 664 1000:0"
check_eq "2: the new variables in the model home outside the WDT home, their mode kept (0600, g=u)" \
  "$(m2 mh/v2.properties)" "f 660 1000:0"
cfg() { skopeo inspect "${SKOPEO_FLAGS[@]}" --config "oci:$1" | jq -rc "$2"; }
for p in "mo $SD/images/oci:modelonly-engine" "mo2 $SD/images/oci:modelonly2-engine"; do
  set -- $p
  # buildah moves a redefined variable to the end of Env, docker keeps its place (so does wlsimg): compare sorted
  check_eq "$1: same Env, User and WorkingDir as buildah's" \
    "$(cfg "$T_DIR/nat:$1" '.config | {Env: (.Env | sort), User, WorkingDir}')" \
    "$(cfg "$2" '.config | {Env: (.Env | sort), User, WorkingDir}')"
done
check_eq "history: WIT's final stage" \
  "$(cfg "$T_DIR/nat:mo2" '[.history[-9:][].created_by | split(" ")[0]] | join(" ")')" \
  "USER ENV ENV LABEL USER RUN COPY COPY RUN"
check_eq "build id label (UUID form)" \
  "$(cfg "$T_DIR/nat:mo" '.config.Labels["com.oracle.weblogic.imagetool.buildid"] | test("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")')" true

# ---- what stays with the engine; what WIT's build could not do either ----
n_images() { "$WLSIMG" images -q 2> /dev/null | sort | tr '\n' ' '; }
n_blobs() { ls "$WLSIMG_STORE/blobs/sha256" | wc -l; }
N=$(n_images)
B=$(n_blobs)
check_fail "with --wdtModel WIT runs validateModel.sh in the image: the engine, and the log says why" 1 \
  "Building with no-such-engine: WDT's validateModel.sh checks the --wdtModel/--wdtArchive files inside the image" \
  "${U1[@]}" --wdtModel domain.yaml --tag standin/bad:1 --builder no-such-engine
check_fail "a WDT home the image's user cannot make (the engine's RUN mkdir would fail too)" 1 \
  "RUN mkdir -p /u01/domains /opt/wdt /opt/wdt/models && chown oracle:root … as oracle (uid 1000) would fail in WIT's build too: /opt (owner 0:0, mode 0755) is not writable" \
  "${U1[@]}" --wdtHome /opt/wdt --tag standin/bad:1
check_fail "a WDT home below a file (the engine's RUN mkdir would fail too)" 1 \
  "/etc/passwd is not a directory in the image" \
  "${U1[@]}" --wdtHome /etc/passwd/wdt --tag standin/bad:1
check_eq "nothing named after the failures" "$(n_images)" "$N"
check_eq "no blob stored by the failures" "$(n_blobs)" "$B"
finish
