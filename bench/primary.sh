#!/usr/bin/env bash
# Primary images, side by side in one run (issue 10, "Performance"):
#
# 1. rebase to an existing target: `wlsimg rebase --targetImage`, built natively, vs buildah (vfs storage,
#    chroot isolation, a storage of its own) building WIT's rebase Dockerfile (wit-primary §8.2; the one
#    `wlsimg rebase --dryRun` writes) for the same two images: a source with a 200 MiB domain home on a 1 GiB
#    Oracle Home, a target with another 1 GiB Oracle Home. Both are generated here (half incompressible bytes
#    like jars, half text; the Oracle Homes end with the files a real one has where WIT's probe looks:
#    inventory/registry.xml, OPatch/version.txt, wlserver/server/lib/weblogic.jar) and brought into the store
#    with `wlsimg copy`. Prints the wall times (wlsimg: RUNS runs, buildah: BUD_RUNS runs; min and median), the
#    ratio of the medians (target: native <= 1/20 of buildah's), wlsimg's peak RSS (/usr/bin/time %M, target
#    <= 64 MiB) and the size of the new domain layer next to the source's (gzip -6). buildah's time is its
#    `bud` alone; its export into an OCI layout (what wlsimg's result already is) is printed apart.
# 2. engine-delegated create: `wlsimg create --builder buildah` on the stand-ins of tests/standin vs buildah alone
#    on the context and Dockerfile wlsimg wrote: wlsimg's own overhead (target <= 5 %).
#
# Usage: WLSIMG=build/wlsimg bench/primary.sh [OH_MIB] [DOMAIN_MIB]     (root; buildah, javac, debootstrap)
# RUNS (default 5) and BUD_RUNS (default 3): runs of each; STANDIN_DIR: where the stand-ins are built (cached;
# default build/standin/files, shared with the tests). The load average is printed before and after: the
# figures of a loaded machine are not those of an idle one.
set -euo pipefail
: "${WLSIMG:?set WLSIMG to the wlsimg binary}"
WLSIMG=$(cd "$(dirname "$WLSIMG")" && pwd)/$(basename "$WLSIMG")
oh_mib=${1:-1024}
dom_mib=${2:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "bench/primary.sh: needs root (buildah with chroot isolation)" >&2; exit 1; }
command -v buildah > /dev/null || { echo "bench/primary.sh: needs buildah" >&2; exit 1; }
runs=${RUNS:-5}
bud_runs=${BUD_RUNS:-3}
load0=$(cut -d' ' -f1-3 /proc/loadavg)
w=$(mktemp -d "${TMPDIR:-/tmp}/wlsimg-bench-primary-XXXXXX")
# shellcheck source=tests/standin/buildah.sh
. "$root/tests/standin/buildah.sh"
bh_setup "$w/containers"
if [ -n "${BENCH_KEEP:-}" ]; then trap 'bh_cleanup; echo "kept $w" >&2' EXIT; else trap 'bh_cleanup; rm -rf "$w"' EXIT; fi
export HOME="$w/home" WLSIMG_STORE="$w/store" SOURCE_DATE_EPOCH=0
mkdir -p "$HOME"

# ---- the two images ----
echo "generating a ${oh_mib} MiB Oracle Home (twice) and a ${dom_mib} MiB domain home ..." >&2
r="$w/rootfs"
mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/u01"
bb=$(command -v busybox)
cp "$bb" "$r/bin/busybox"
for lib in $(ldd "$bb" 2> /dev/null | grep -o '/[^ ]*'); do mkdir -p "$r$(dirname "$lib")"; cp -L "$lib" "$r$lib"; done
for a in sh mkdir chmod chown ls; do ln -sf busybox "$r/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\noracle:x:1000:1000::/u01:/bin/sh\n' > "$r/etc/passwd"
printf 'root:x:0:\noracle:x:1000:\n' > "$r/etc/group"
chmod 1777 "$r/tmp"
python3 - "$w" "$oh_mib" "$dom_mib" << 'PY'
import os, random, sys
w, oh_mib, dom_mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = random.Random(11)
words = [b'weblogic', b'server', b'config', b'jdbc', b'jms', b'cluster', b'<property>', b'</property>', b'value',
         b'class', b'import', b'public', b'static', b'final', b'return', b'null', b'=', b'\n']
text = b' '.join(r.choice(words) for _ in range(400000))[: 1 << 20]
def tree(top, mib, files_per_dir, size):
    n = (mib << 20) // size
    for i in range(n):
        d = os.path.join(top, 'd%03d' % (i // files_per_dir))
        os.makedirs(d, exist_ok=True)
        data = os.urandom(size) if i % 2 else (text * (size // len(text) + 1))[:size]
        with open(os.path.join(d, 'f%04d%s' % (i, '.jar' if i % 2 else '.xml')), 'wb') as f:
            f.write(data)
tree(os.path.join(w, 'oh/u01/oracle'), oh_mib, 64, 512 << 10)
# where WIT's probe looks in a real Oracle Home (tar order puts them after the bulk, as in real homes)
import zipfile
for d in ('OPatch', 'inventory', 'wlserver/server/lib'):
    os.makedirs(os.path.join(w, 'oh/u01/oracle', d), exist_ok=True)
open(os.path.join(w, 'oh/u01/oracle/inventory/registry.xml'), 'w').write(
    '<registry><distributions><distribution status="installed" name="WebLogic Server" version="12.2.1.4.0"/>'
    '</distributions></registry>\n')
with zipfile.ZipFile(os.path.join(w, 'oh/u01/oracle/wlserver/server/lib/weblogic.jar'), 'w') as z:
    z.writestr('META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\nImplementation-Version: 12.2.1.4.0\n')
os.makedirs(os.path.join(w, 'jdk/u01/jdk/bin'), exist_ok=True)
open(os.path.join(w, 'jdk/u01/jdk/release'), 'w').write('JAVA_VERSION="1.8.0_401"\n')
dh = os.path.join(w, 'dom/u01/domains/base_domain')
tree(os.path.join(dh, 'servers/AdminServer/tmp'), dom_mib, 100, 256 << 10)
for d in ('config', 'security', 'bin'):
    os.makedirs(os.path.join(dh, d), exist_ok=True)
open(os.path.join(dh, 'config/config.xml'), 'w').write('<domain><name>bench</name></domain>\n')
with open(os.path.join(dh, 'security/SerializedSystemIni.dat'), 'wb') as f:
    f.write(os.urandom(64))
PY
printf 'OPATCH_VERSION:13.9.4.2.5\n' > "$w/oh/u01/oracle/OPatch/version.txt"
chmod -R u=rwX,g=rX,o= "$w/oh/u01/oracle" "$w/dom/u01/domains"
# layers as WIT's images have them: the OS, the Oracle Home, the domain home
T=(tar --sort=name --mtime=@0 --numeric-owner)
"${T[@]}" --owner=0 --group=0 -C "$r" -cf "$w/base.tar" .
"${T[@]}" --owner=1000 --group=1000 -C "$w/jdk" -cf "$w/jdk.tar" u01
"${T[@]}" --owner=1000 --group=1000 -C "$w/oh" -cf "$w/oh-old.tar" u01
"${T[@]}" --owner=1000 --group=1000 -C "$w/dom" -cf "$w/domain.tar" u01/domains
printf 'OPATCH_VERSION:13.9.4.2.22\n' > "$w/oh/u01/oracle/OPatch/version.txt" # the target: a newer OPatch
"${T[@]}" --owner=1000 --group=1000 -C "$w/oh" -cf "$w/oh-new.tar" u01
rm -rf "$w/oh" "$w/dom" "$w/jdk"
# layout DIR ENV_JSON USER TAR...: an OCI layout (tag "img") with one gzip layer per tar
layout() {
  local lay=$1 env=$2 user=$3 t d ld ls diffs='' layers='' cd cs md ms
  shift 3
  mkdir -p "$lay/blobs/sha256"
  for t in "$@"; do
    d=$(sha256sum "$t" | cut -d' ' -f1)
    pigz -n -6 -p 2 -c "$t" > "$lay/layer.gz"
    ld=$(sha256sum "$lay/layer.gz" | cut -d' ' -f1)
    ls=$(stat -c %s "$lay/layer.gz")
    mv "$lay/layer.gz" "$lay/blobs/sha256/$ld"
    echo "$(basename "$t") $ls" >> "$lay/sizes"
    diffs="$diffs${diffs:+,}\"sha256:$d\""
    layers="$layers${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$ld\",\"size\":$ls}"
  done
  printf '{"architecture":"amd64","os":"linux","config":{"Env":%s,"User":"%s"},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
    "$env" "$user" "$diffs" > "$lay/config.json"
  cd=$(sha256sum "$lay/config.json" | cut -d' ' -f1); cs=$(stat -c %s "$lay/config.json")
  mv "$lay/config.json" "$lay/blobs/sha256/$cd"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
    "$cd" "$cs" "$layers" > "$lay/manifest.json"
  md=$(sha256sum "$lay/manifest.json" | cut -d' ' -f1); ms=$(stat -c %s "$lay/manifest.json")
  mv "$lay/manifest.json" "$lay/blobs/sha256/$md"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$lay/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"img"}}]}' \
    "$md" "$ms" > "$lay/index.json"
}
ENV='"PATH=/bin","JAVA_HOME=/u01/jdk","ORACLE_HOME=/u01/oracle"'
layout "$w/lay-source" "[$ENV,\"DOMAIN_HOME=/u01/domains/base_domain\"]" oracle "$w/base.tar" "$w/jdk.tar" "$w/oh-old.tar" "$w/domain.tar"
layout "$w/lay-target" "[$ENV]" oracle "$w/base.tar" "$w/jdk.tar" "$w/oh-new.tar"
rm -f "$w"/*.tar
"$WLSIMG" copy -q "oci:$w/lay-source:img" bench/source:1 > /dev/null
"$WLSIMG" copy -q "oci:$w/lay-target:img" bench/target:1 > /dev/null
sync

now() { date +%s.%N; }
med() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
RB=(rebase --sourceImage bench/source:1 --targetImage bench/target:1)
# ---- 1a. native rebase: cold (the layers never read before), then warm (their listings cached) ----
native_run() { # native_run NAME: appends "wall rss_kib cpu" to $w/native-NAME.times
  local t0 t1 name=$1
  t0=$(now)
  /usr/bin/time -f '%M %U %S' -o "$w/rss" "$WLSIMG" "${RB[@]}" --tag "bench/rebased:$name" \
    > "$w/native-$name.out" 2> "$w/native-$name.err" || { tail -5 "$w/native-$name.err"; exit 1; }
  t1=$(now)
  grep -q 'Building natively' "$w/native-$name.err" || { echo "bench/primary.sh: the rebase was not native" >&2; exit 1; }
  echo "$(echo "$t1 - $t0" | bc -l) $(cut -d' ' -f1 "$w/rss") $(awk '{ print $2 + $3 }' "$w/rss")" >> "$w/native-$name.times"
}
native_run cold
for _ in $(seq "$runs"); do native_run warm; done
[ "$(tail -1 "$w/native-cold.out")" = "$(tail -1 "$w/native-warm.out")" ] || echo "warning: cold and warm digests differ" >&2

# ---- 1b. buildah bud of WIT's rebase Dockerfile, as wlsimg rebase --dryRun writes it ----
export WLSIMG_BLDDIR="$w/bld"
mkdir -p "$WLSIMG_BLDDIR"
"$WLSIMG" "${RB[@]}" --tag bench/rebased:bud --dryRun --skipcleanup > /dev/null 2> "$w/dry.err"
ctx=$(sed -n 's/.*Temporary directory used for image build context: //p' "$w/dry.err" | head -1)
# the images enter buildah's storage first (as a registry pull would put them there), untimed
for i in source target; do bh_pull_oci "$w/lay-$i" img "bench/$i:1"; done
for n in $(seq "$bud_runs"); do
  t0=$(now)
  /usr/bin/time -f '%U %S' -o "$w/bud.cpu" env -u DOCKER_CONFIG buildah bud --pull=never --tag "localhost/bench/rebased:$n" \
    "$ctx" > "$w/bud.log" 2>&1 || { tail -20 "$w/bud.log"; exit 1; }
  t1=$(now)
  echo "$(echo "$t1 - $t0" | bc -l) $(awk '{ print $1 + $2 }' "$w/bud.cpu")" >> "$w/bud.times"
done
t1=$(now)
bh push -q "localhost/bench/rebased:$bud_runs" "oci:$w/oci-out:rebased" > /dev/null 2>&1
push=$(echo "$(now) - $t1" | bc -l)

col() { cut -d' ' -f"$2" "$1"; }
bud=$(col "$w/bud.times" 1 | med)
warm=$(col "$w/native-warm.times" 1 | med)
# the new domain layer (the largest new blob) next to the source's domain layer (pigz -6)
"$WLSIMG" copy -q bench/rebased:warm "oci:$w/oci-native:r" > /dev/null
new_layer=$(jq -r '.manifests[0].digest' "$w/oci-native/index.json" | cut -d: -f2 |
  xargs -I{} jq -r '.layers[-1].size' "$w/oci-native/blobs/sha256/{}")
src_layer=$(awk '$1 == "domain.tar" { print $2 }' "$w/lay-source/sizes")
printf '\nrebase --targetImage (%s MiB domain home, %s MiB Oracle Homes)\n' "$dom_mib" "$oh_mib"
printf '                                 wall: min   median   ratio   CPU (user+sys)   peak RSS\n'
printf '  buildah bud (%d runs)            %7.2f s %7.2f s            %6.2f s\n' "$bud_runs" \
  "$(col "$w/bud.times" 1 | sort -n | head -1)" "$bud" "$(col "$w/bud.times" 2 | med)"
printf '  wlsimg rebase, cold (1 run)      %7.2f s                    %6.2f s         %d MiB\n' \
  "$(col "$w/native-cold.times" 1)" "$(col "$w/native-cold.times" 3)" "$(($(col "$w/native-cold.times" 2) / 1024))"
printf '  wlsimg rebase, warm (%d runs)     %7.2f s %7.2f s   %.3f   %6.2f s         %d MiB\n' "$runs" \
  "$(col "$w/native-warm.times" 1 | sort -n | head -1)" "$warm" "$(echo "$warm / $bud" | bc -l)" \
  "$(col "$w/native-warm.times" 3 | med)" "$(($(col "$w/native-warm.times" 2 | sort -n | tail -1) / 1024))"
printf '  (+ %.2f s for buildah to export its result as an OCI layout, which wlsimg'"'"'s already is)\n' "$push"
printf '  the new domain layer: %d bytes; the source'"'"'s domain layer (pigz -6): %d bytes (%+.1f %%)\n' \
  "$new_layer" "$src_layer" "$(echo "($new_layer - $src_layer) * 100 / $src_layer" | bc -l)"
printf '  load average: %s before, %s now (2 cores)\n' "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  targets: ratio <= 0.05 (20x faster than buildah), peak RSS <= 64 MiB\n'
printf '  (cold: no layer read before; warm: the layers'"'"' listings are in the store'"'"'s cache, as after any earlier\n'
printf '   read of those images, e.g. an inspect or an earlier rebase onto the same target)\n\n'

# ---- 2. engine-delegated create: wlsimg's overhead over buildah alone on the same Dockerfile (target <= 5 %) ----
# `wlsimg create` on the stand-ins (tests/standin: a debootstrap Debian base, a JDK from Debian's openjdk, the
# stand-in WebLogic installer) with buildah, and buildah alone on the build context and Dockerfile wlsimg wrote
# (kept with --skipcleanup), RUNS times each, taking turns (the machine's load hits both alike). Both start from
# the same state: the base image already in buildah's storage (pulled once beforehand, untimed, as any earlier
# build leaves it). wlsimg's time includes what it does around the engine: the static probe, the context,
# naming the base in buildah's storage, and bringing the result back into its store (buildah push oci: + import).
bh_cleanup
sd=${STANDIN_DIR:-$root/build/standin/files}
echo "building the stand-ins into $sd (cached) ..." >&2
"$root/tests/standin/make-all.sh" "$sd" > "$w/register.txt"
export WLSIMG_CACHEDIR="$w/cache"
while read -r line; do
  case $line in wlsimg\ *) eval "\"\$WLSIMG\" ${line#wlsimg }" > /dev/null 2>&1 ;; esac
done < "$w/register.txt"
jdk=$(sed -n 's/.*--type jdk --version \([^ ]*\).*/\1/p' "$w/register.txt")
bh_setup "$w/c1"
"$WLSIMG" copy -q standin/debian:bookworm "oci:$w/base:img" > /dev/null
bh_pull_oci "$w/base" img standin/debian:bookworm
CR=(create --fromImage standin/debian:bookworm --packageManager NONE --jdkVersion "$jdk" --type wls --version 12.2.1.4.0
  --builder buildah)
"$WLSIMG" "${CR[@]}" --tag bench/created:ctx --dryRun --skipcleanup > /dev/null 2> "$w/dry2.err"
ctx=$(sed -n 's/.*Temporary directory used for image build context: //p' "$w/dry2.err" | head -1)
for n in $(seq "$runs"); do
  t0=$(now)
  env -u DOCKER_CONFIG "$WLSIMG" "${CR[@]}" --tag "bench/created:$n" > "$w/create.out" 2> "$w/create.err" ||
    { tail -20 "$w/create.err"; exit 1; }
  echo "$(now) - $t0" | bc -l >> "$w/wl-create.times"
  t0=$(now)
  bh bud --tag "localhost/bench/alone:$n" --pull=never "$ctx" > "$w/bud2.log" 2>&1 || { tail -20 "$w/bud2.log"; exit 1; }
  echo "$(now) - $t0" | bc -l >> "$w/bud-create.times"
done
wl_create=$(med < "$w/wl-create.times")
bud_create=$(med < "$w/bud-create.times")
printf 'create --type wls (stand-in installers) through buildah, %d runs each, taking turns
' "$runs"
printf '                                   min      median\n'
printf '  buildah bud alone               %7.2f s %7.2f s\n' "$(sort -n "$w/bud-create.times" | head -1)" "$bud_create"
printf '  wlsimg create --builder buildah %7.2f s %7.2f s   overhead of the medians %+.1f %% (target <= 5 %%)\n' \
  "$(sort -n "$w/wl-create.times" | head -1)" "$wl_create" "$(echo "($wl_create - $bud_create) * 100 / $bud_create" | bc -l)"
printf '  load average: %s (2 cores)\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
