#!/usr/bin/env bash
# Primary images, side by side in one run (issue 10, "Performance"):
#
# 1. rebase to an existing target: wlsimg's native rebase (the library's wi_rebase_build through
#    build/tests/rebase-native, a small driver; `wlsimg rebase --targetImage` once it exists) vs buildah
#    (vfs storage, chroot isolation, a storage of its own) building WIT's rebase Dockerfile (wit-primary §8.2)
#    for the same two images: a source with a 200 MiB domain home on a 1 GiB Oracle Home, a target with another
#    1 GiB Oracle Home. Both are generated here (half incompressible bytes like jars, half text) and imported
#    with `wlsimg import`. Prints the wall times, the ratio (target: native <= 1/20 of buildah's) and wlsimg's
#    peak RSS (/usr/bin/time %M, target <= 64 MiB). buildah's time is its `bud` alone; its export into an OCI
#    layout (what wlsimg's result already is) is printed apart.
# 2. engine-delegated create: `wlsimg create --builder buildah` on the stand-ins of tests/standin vs buildah alone
#    on the context and Dockerfile wlsimg wrote: wlsimg's own overhead (target <= 5 %).
#
# Usage: WLSIMG=build/wlsimg bench/primary.sh [OH_MIB] [DOMAIN_MIB]     (root; buildah, javac, debootstrap)
# STANDIN_DIR: where the stand-ins are built (cached; default build/standin/files, shared with the tests).
set -euo pipefail
: "${WLSIMG:?set WLSIMG to the wlsimg binary}"
WLSIMG=$(cd "$(dirname "$WLSIMG")" && pwd)/$(basename "$WLSIMG")
DRIVER=${REBASE_DRIVER:-$(dirname "$WLSIMG")/tests/rebase-native}
oh_mib=${1:-1024}
dom_mib=${2:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "bench/primary.sh: needs root (buildah with chroot isolation)" >&2; exit 1; }
command -v buildah > /dev/null || { echo "bench/primary.sh: needs buildah" >&2; exit 1; }
[ -x "$DRIVER" ] || { echo "bench/primary.sh: $DRIVER missing: make $(dirname "$WLSIMG")/tests/rebase-native" >&2; exit 1; }
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
os.makedirs(os.path.join(w, 'oh/u01/oracle/OPatch'), exist_ok=True)
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
"${T[@]}" --owner=1000 --group=1000 -C "$w/oh" -cf "$w/oh-old.tar" u01
"${T[@]}" --owner=1000 --group=1000 -C "$w/dom" -cf "$w/domain.tar" u01/domains
printf 'OPATCH_VERSION:13.9.4.2.22\n' > "$w/oh/u01/oracle/OPatch/version.txt" # the target: a newer OPatch
"${T[@]}" --owner=1000 --group=1000 -C "$w/oh" -cf "$w/oh-new.tar" u01
rm -rf "$w/oh" "$w/dom"
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
layout "$w/lay-source" "[$ENV,\"DOMAIN_HOME=/u01/domains/base_domain\"]" oracle "$w/base.tar" "$w/oh-old.tar" "$w/domain.tar"
layout "$w/lay-target" "[$ENV]" oracle "$w/base.tar" "$w/oh-new.tar"
rm -f "$w"/*.tar
"$WLSIMG" copy -q "oci:$w/lay-source:img" bench/source:1 > /dev/null
"$WLSIMG" copy -q "oci:$w/lay-target:img" bench/target:1 > /dev/null
sync

now() { date +%s.%N; }
# ---- 1a. native rebase: cold (the layers never read before), then warm (their listings cached) ----
native_run() { # native_run NAME [DRIVER OPTIONS]: sets $secs, $rss_mib and $cpu
  local t0 t1 name=$1
  shift
  t0=$(now)
  /usr/bin/time -f '%M %U %S' -o "$w/rss" "$DRIVER" --store "$WLSIMG_STORE" --source bench/source:1 \
    --target bench/target:1 --domain-home /u01/domains/base_domain --user oracle --group oracle \
    --tag "bench/rebased:$name" "$@" > "$w/native-$name.out"
  t1=$(now)
  secs=$(echo "$t1 - $t0" | bc -l)
  rss_mib=$(($(cut -d' ' -f1 "$w/rss") / 1024))
  cpu=$(awk '{ print $2 + $3 }' "$w/rss")
}
native_run cold
cold=$secs cold_rss=$rss_mib cold_cpu=$cpu
native_run warm
warm=$secs warm_rss=$rss_mib warm_cpu=$cpu
native_run fast --gzip-level 1
fast=$secs fast_rss=$rss_mib fast_cpu=$cpu
[ "$(cat "$w/native-cold.out")" = "$(cat "$w/native-warm.out")" ] || echo "warning: cold and warm digests differ" >&2

# ---- 1b. buildah bud of WIT's rebase Dockerfile ----
mkdir -p "$w/ctx"
sed -e "s|@SOURCE@|localhost/bench/source:1|; s|@TARGET@|localhost/bench/target:1|; s|@DOMAIN_HOME@|/u01/domains/base_domain|g" \
  -e 's|@USER@|oracle|g; s|@GROUP@|oracle|g; s|@BUILDID@|bench|; s|@OPENSHIFT@||' \
  "$root/tests/standin/dockerfiles/rebase.Dockerfile" > "$w/ctx/Dockerfile"
# the images enter buildah's storage first (as a registry pull would put them there), untimed
for i in source target; do bh_pull_oci "$w/lay-$i" img "localhost/bench/$i:1"; done
t0=$(now)
/usr/bin/time -f '%U %S' -o "$w/bud.cpu" env -u DOCKER_CONFIG buildah bud --tag localhost/bench/rebased:1 "$w/ctx" > "$w/bud.log" 2>&1 ||
  { tail -20 "$w/bud.log"; exit 1; }
bud_cpu=$(awk '{ print $1 + $2 }' "$w/bud.cpu")
t1=$(now)
bud=$(echo "$t1 - $t0" | bc -l)
bh push -q localhost/bench/rebased:1 "oci:$w/oci-out:rebased" > /dev/null 2>&1
t2=$(now)
push=$(echo "$t2 - $t1" | bc -l)

printf '\nrebase --targetImage (%s MiB domain home, %s MiB Oracle Homes)\n' "$dom_mib" "$oh_mib"
printf '                                 wall      ratio   CPU (user+sys)\n'
printf '  buildah bud                   %7.2f s            %6.2f s   (+ %.2f s wall to export the result: buildah push oci:)\n' \
  "$bud" "$bud_cpu" "$push"
printf '  wlsimg native, cold           %7.2f s   %.3f   %6.2f s   peak RSS %d MiB\n' "$cold" \
  "$(echo "$cold / $bud" | bc -l)" "$cold_cpu" "$cold_rss"
printf '  wlsimg native, warm           %7.2f s   %.3f   %6.2f s   peak RSS %d MiB\n' "$warm" \
  "$(echo "$warm / $bud" | bc -l)" "$warm_cpu" "$warm_rss"
printf '  wlsimg native, warm, gzip -1  %7.2f s   %.3f   %6.2f s   peak RSS %d MiB\n' "$fast" \
  "$(echo "$fast / $bud" | bc -l)" "$fast_cpu" "$fast_rss"
printf '  ratio with buildah'"'"'s export counted (an image in an OCI layout, as wlsimg'"'"'s result is): %.3f warm\n' \
  "$(echo "$warm / ($bud + $push)" | bc -l)"
printf '  load average when done: %s (2 cores)\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  targets: ratio <= 0.05 (20x faster than buildah), peak RSS <= 64 MiB\n'
printf '  (cold: no layer read before; warm: the layers'"'"' listings are in the store'"'"'s cache, as after any earlier\n'
printf '   read of those images, e.g. an inspect or an earlier rebase onto the same target; gzip -1: the new layers\n'
printf '   compressed at level 1 instead of the default 6, wi_rebase_opts.gzip_level)\n\n'

# ---- 2. engine-delegated create: wlsimg's overhead over buildah alone on the same Dockerfile (target <= 5 %) ----
# `wlsimg create` on the stand-ins (tests/standin: a debootstrap Debian base, a JDK from Debian's openjdk, the
# stand-in WebLogic installer) with buildah, then buildah alone on the build context wlsimg wrote (kept with
# --skipcleanup), each with a fresh buildah storage. wlsimg's time includes what it does around the engine: the
# static probe, the context, handing the base image from its store to buildah and bringing the result back into
# the store; for buildah alone the base is put into its storage beforehand, untimed.
bh_cleanup
sd=${STANDIN_DIR:-$root/build/standin/files}
echo "building the stand-ins into $sd (cached) ..." >&2
"$root/tests/standin/make-all.sh" "$sd" > "$w/register.txt"
export WLSIMG_CACHEDIR="$w/cache" WLSIMG_BLDDIR="$w/bld"
mkdir -p "$w/bld"
while read -r line; do
  case $line in wlsimg\ *) eval "\"\$WLSIMG\" ${line#wlsimg }" > /dev/null 2>&1 ;; esac
done < "$w/register.txt"
jdk=$(sed -n 's/.*--type jdk --version \([^ ]*\).*/\1/p' "$w/register.txt")
bh_setup "$w/c1"
t0=$(now)
env -u DOCKER_CONFIG "$WLSIMG" create --tag bench/created:1 --fromImage standin/debian:bookworm --packageManager NONE \
  --jdkVersion "$jdk" --type wls --version 12.2.1.4.0 --builder buildah --skipcleanup > "$w/create.out" 2> "$w/create.err" ||
  { tail -20 "$w/create.err"; exit 1; }
t1=$(now)
wl_create=$(echo "$t1 - $t0" | bc -l)
ctx=$(sed -n 's/.*Temporary directory used for image build context: //p' "$w/create.err" | head -1)
bh_cleanup
bh_setup "$w/c2"
"$WLSIMG" copy -q standin/debian:bookworm "oci:$w/base:img" > /dev/null
bh_pull_oci "$w/base" img standin/debian:bookworm
t0=$(now)
bh bud --tag localhost/bench/created:2 --pull=never "$ctx" > "$w/bud2.log" 2>&1 || { tail -20 "$w/bud2.log"; exit 1; }
t1=$(now)
bud_create=$(echo "$t1 - $t0" | bc -l)
printf 'create --type wls (stand-in installers) through buildah\n'
printf '  buildah bud alone             %7.2f s\n' "$bud_create"
printf '  wlsimg create --builder buildah %5.2f s   overhead %+.1f %% (target <= 5 %%)\n' "$wl_create" \
  "$(echo "($wl_create - $bud_create) * 100 / $bud_create" | bc -l)"
printf '  load average when done: %s (2 cores)\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
