#!/usr/bin/env bash
# Layer-building throughput: `wlsimg createAuxImage` with a generated 1 GiB WDT archive (half compressible
# text and class-like files, half random bytes like already-compressed jars; entries stored, as in many
# real archives) vs `tar -c FILES | pigz -p2 > /dev/null` on the same files. Runs each RUNS times (a fresh
# store for every wlsimg run, so nothing is reused), prints the medians, the throughput ratio (target
# >= 0.9x pigz -p2) and wlsimg's peak RSS (/usr/bin/time %M, target <= 64 MiB).
# Usage: WLSIMG=build/wlsimg bench/layer.sh [RUNS] [SIZE_MIB]
set -euo pipefail
: "${WLSIMG:?set WLSIMG to the wlsimg binary}"
WLSIMG=$(cd "$(dirname "$WLSIMG")" && pwd)/$(basename "$WLSIMG")
runs=${1:-3}
mib=${2:-1024}
root=$(cd "$(dirname "$0")/.." && pwd)
w=$(mktemp -d "${TMPDIR:-/tmp}/wlsimg-bench-layer-XXXXXX")
trap 'rm -rf "$w"' EXIT
export HOME="$w/home" WLSIMG_CACHEDIR="$w/cache"
mkdir -p "$HOME" "$w/fx"

# fixture: installer, model, and the archive (8 MiB entries; the text half is an 8 MiB block of varied
# Java-like source repeated: deflate's 32 KiB window never sees the repeats, so the ratio is the block's)
"$root/examples/make-fixtures.sh" "$w/fx" 4.3.1 0 > /dev/null
cp "$root/examples/model.yaml" "$w/fx/"
python3 - "$w/fx/archive.zip" "$mib" << 'PY'
import os, random, sys, zipfile
path, mib = sys.argv[1], int(sys.argv[2])
r = random.Random(7)
words = ['public', 'private', 'static', 'final', 'class', 'void', 'int', 'String', 'return', 'new',
         'import', 'java.util', 'List', 'Map', 'HashMap', 'ArrayList', 'if', 'else', 'for', 'while',
         'throw', 'Exception', 'weblogic', 'jdbc', 'DataSource', 'getConnection', 'setProperty', 'null']
lines, size = [], 0
while size < 8 << 20:
    ident = ''.join(r.choice('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ') for _ in range(r.randint(3, 12)))
    line = '    ' * r.randint(0, 4) + ' '.join(r.choice(words) for _ in range(r.randint(2, 9))) + ' %s(%d);\n' % (ident, r.randint(0, 99999))
    lines.append(line)
    size += len(line)
text = ''.join(lines).encode()[:8 << 20]
T = (2024, 1, 1, 0, 0, 0)
with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
    for i in range(mib // 16):
        for name, data in (('wlsdeploy/applications/app%03d/src/Module.java' % i, text),
                           ('wlsdeploy/sharedLibraries/lib%03d.jar' % i, os.urandom(8 << 20))):
            info = zipfile.ZipInfo(name, date_time=T)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            z.writestr(info, data)
PY
"$WLSIMG" cache addInstaller --type wdt --version latest --path "$w/fx/weblogic-deploy.zip" > /dev/null 2>&1

# a minimal base with the oracle user already there
r="$w/rootfs"
mkdir -p "$r/etc" "$r/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\noracle:x:1000:1000::/home/%s:/bin/sh\n' oracle > "$r/etc/passwd"
printf 'root:x:0:\noracle:x:1000:\n' > "$r/etc/group"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$r" -cf "$w/rootfs.tar" .

cd "$w/fx"
files=(model.yaml archive.zip weblogic-deploy.zip)
bytes=$(cat "${files[@]}" | wc -c)
cat "${files[@]}" > /dev/null # page cache, for both sides alike
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }
: > "$w/t_wlsimg"
: > "$w/t_pigz"
: > "$w/rss"
for i in $(seq "$runs"); do
  export WLSIMG_STORE="$w/store$i"
  "$WLSIMG" import "$w/rootfs.tar" busybox:latest > /dev/null
  t0=$(now)
  /usr/bin/time -o "$w/rss1" -f %M "$WLSIMG" createAuxImage --tag aux:bench --wdtModel model.yaml \
    --wdtArchive archive.zip > /dev/null 2> "$w/log"
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >> "$w/t_wlsimg"
  tail -1 "$w/rss1" >> "$w/rss"
  rm -rf "$w/store$i"
  t0=$(now)
  tar -c "${files[@]}" | pigz -p2 > /dev/null
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >> "$w/t_pigz"
done
tw=$(median < "$w/t_wlsimg")
tp=$(median < "$w/t_pigz")
rss=$(median < "$w/rss")
maxrss=$(sort -g "$w/rss" | tail -1)
echo "input $((bytes >> 20)) MiB, $runs runs; wlsimg runs: $(tr '\n' ' ' < "$w/t_wlsimg")s; pigz runs: $(tr '\n' ' ' < "$w/t_pigz")s"
awk -v tw="$tw" -v tp="$tp" -v b="$bytes" -v rss="$rss" -v maxrss="$maxrss" 'BEGIN {
  printf "median wlsimg createAuxImage %.2f s (%.0f MiB/s), tar | pigz -p2 %.2f s (%.0f MiB/s): ratio %.2fx pigz (target >= 0.9x)\n",
    tw, b / 1048576 / tw, tp, b / 1048576 / tp, tp / tw
  printf "wlsimg peak RSS: median %.1f MiB, max %.1f MiB (target <= 64 MiB)\n", rss / 1024, maxrss / 1024 }'
