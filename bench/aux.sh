#!/usr/bin/env bash
# createAuxImage benchmark: wlsimg (native, into its store) vs `buildah bud` (vfs storage, chroot isolation)
# of the Dockerfile that `wlsimg createAuxImage --dryRun` prints, on the same busybox base, with a ~25 MB
# fixture (WDT-like installer of ~400 files, a model, a 20 MB archive). Target: wlsimg <= 1/40 of buildah's
# median wall time. Needs root for buildah; prints the medians and the ratio.
# Usage: WLSIMG=build/wlsimg bench/aux.sh [RUNS]
set -euo pipefail
: "${WLSIMG:?set WLSIMG to the wlsimg binary}"
WLSIMG=$(cd "$(dirname "$WLSIMG")" && pwd)/$(basename "$WLSIMG")
runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
w="${TMPDIR:-/tmp}/wlsimg-bench-aux-$$-$RANDOM" # lower case: buildah turns oci: paths into names
mkdir "$w"
trap 'rm -rf "$w"' EXIT
export HOME="$w/home" WLSIMG_STORE="$w/store" WLSIMG_CACHEDIR="$w/cache" XDG_DATA_HOME="$w/home/.local/share"
mkdir -p "$HOME"

# fixture
"$root/examples/make-fixtures.sh" "$w/fx" 4.3.1 400 20 > /dev/null
cp "$root/examples/model.yaml" "$w/fx/"
"$WLSIMG" cache addInstaller --type wdt --version latest --path "$w/fx/weblogic-deploy.zip" 2> /dev/null

# base: the host's busybox and its libraries, with an oracle user so the Dockerfile's user step is skipped
# (Debian's busybox has no adduser/addgroup applets)
r="$w/rootfs"
u=oracle
mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/home/$u"
cp "$(command -v busybox)" "$r/bin/busybox"
for lib in $(ldd "$(command -v busybox)" 2> /dev/null | grep -o '/[^ ]*'); do
  mkdir -p "$r$(dirname "$lib")" && cp -L "$lib" "$r$lib"
done
for a in sh cp ls mkdir rm grep unzip tar chown chmod test echo; do ln -sf busybox "$r/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\noracle:x:1000:1000:Linux User,,,:/home/%s:/bin/sh\n' "$u" > "$r/etc/passwd"
printf 'root:x:0:\noracle:x:1000:\n' > "$r/etc/group"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$r" -cf "$w/rootfs.tar" .
"$WLSIMG" import "$w/rootfs.tar" busybox:latest > /dev/null
"$WLSIMG" copy busybox:latest oci:"$w/base-oci":busybox > /dev/null

cd "$w/fx"
args=(--tag aux:bench --wdtModel model.yaml --wdtArchive archive.zip)
"$WLSIMG" createAuxImage "${args[@]}" --dryRun 2> /dev/null | sed '1d;$d' |
  sed "s#^FROM busybox AS#FROM oci:$w/base-oci:busybox AS#" > "$w/ctx.Dockerfile"
mkdir -p "$w/ctx"
cp model.yaml archive.zip weblogic-deploy.zip "$w/ctx/"
cp "$w/ctx.Dockerfile" "$w/ctx/Dockerfile"

export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
[ -n "${DEBUG:-}" ] && buildah bud --layers=false --tag localhost/aux-bench:1 "$w/ctx" 2>&1 | tail -20
hyperfine --runs "$runs" --warmup 1 --export-json "$w/h.json" \
  -n wlsimg "'$WLSIMG' createAuxImage ${args[*]} > /dev/null 2>&1" \
  -n buildah "buildah bud --layers=false --tag localhost/aux-bench:1 '$w/ctx' > /dev/null 2>&1"
python3 - "$w/h.json" << 'PY'
import json, sys
r = {x['command']: x['median'] for x in json.load(open(sys.argv[1]))['results']}
print('median wlsimg %.3f s, buildah %.3f s, ratio 1/%.0f (target 1/40)' % (r['wlsimg'], r['buildah'], r['buildah'] / r['wlsimg']))
PY
buildah rmi -f localhost/aux-bench:1 > /dev/null 2>&1 || true
