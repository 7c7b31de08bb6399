#!/usr/bin/env bash
# wlsimg ui benchmark, in one run on one machine:
#   - the page's first load (HTML, CSS, JS) in bytes (target <= 200 KB) and its time to interactive in headless
#     Chromium, read from the browser's performance timing (target <= 1 s);
#   - a push of a 200 MB image to `wlsimg registry serve` on loopback, RUNS times each (fresh registry data
#     every time, the two alternating): `wlsimg push` against Push Auxiliary Image clicked in the page, timed
#     from the click to the result dialog; prints the medians and their ratio (target: the page adds <= 5 %);
#   - how often progress events reached the page during those pushes (target >= 4 a second, i.e. no gap
#     longer than 250 ms).
# Usage: bench/ui.sh [RUNS, default 7]   (env SIZE_MB=200 to change the image's size)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
SIZE_MB=${SIZE_MB:-200}
WLSIMG=${WLSIMG:-$PWD/build/wlsimg}
[ -x "$WLSIMG" ] || make -s -j2
W=$(mktemp -d "${TMPDIR:-/tmp}/wlsimg-bench-ui.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done; wait 2> /dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
export HOME="$W/home" XDG_DATA_HOME="$W/home/.local/share" XDG_RUNTIME_DIR="$W/run" DOCKER_CONFIG="$W/home/.docker"
export WLSIMG_STORE="$W/store"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG=127.0.0.1:$PORT
TAG=$REG/ns/bench:1

echo "building a $SIZE_MB MB image (one incompressible layer)…" >&2
mkdir -p "$W/img/data"
head -c $((SIZE_MB * 1000 * 1000)) /dev/urandom > "$W/img/data/random.bin"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$W/img" -cf "$W/img.tar" .
rm -rf "$W/img"
"$WLSIMG" import "$W/img.tar" --tag "$TAG" > /dev/null
rm -f "$W/img.tar"

# reset: a registry with empty storage on the same address, so that every push uploads everything
cat > "$W/reset.sh" << EOS
#!/usr/bin/env bash
set -e
[ -s "$W/reg.pid" ] && { kill \$(cat "$W/reg.pid") 2> /dev/null || true; while kill -0 \$(cat "$W/reg.pid") 2> /dev/null; do sleep 0.02; done; }
rm -rf "$W/regdata"
"$WLSIMG" registry serve --listen "$REG" --root "$W/regdata" --auth none > "$W/reg.log" 2>&1 &
echo \$! > "$W/reg.pid"
for _ in \$(seq 1 200); do curl -s -o /dev/null "http://$REG/v2/" && exit 0; sleep 0.05; done
exit 1
EOS
chmod +x "$W/reset.sh"
PIDS+=("$(cat "$W/reg.pid" 2> /dev/null || true)")

printf '{"schema":"wlsimg.project/v1","image":{"aux":{"tag":"%s","pushAuth":false}}}\n' "$TAG" > "$W/wlsimg-project.json"
"$WLSIMG" ui --listen 127.0.0.1:0 --project "$W/wlsimg-project.json" > "$W/ui.out" 2> "$W/ui.err" &
PIDS+=($!)
for _ in $(seq 1 200); do grep -q '^wlsimg ui: http' "$W/ui.out" && break; sleep 0.05; done
URL=$(sed -n 's/^wlsimg ui: //p' "$W/ui.out")

/usr/bin/python3 bench/ui_page.py "$URL" "$RUNS" "$W/reset.sh" "'$WLSIMG' push '$TAG'" > "$W/result"
[ -s "$W/reg.pid" ] && kill "$(cat "$W/reg.pid")" 2> /dev/null || true
v() { sed -n "s/^$1=//p" "$W/result"; }
echo
echo "page: $(v page_files) files, $(v page_bytes) bytes (target <= 200000)"
echo "page: DOM interactive $(v dom_interactive_ms) ms, ready with the project and its validation $(v ready_ms) ms (target <= 1000)"
echo "push of $SIZE_MB MB, median of $RUNS: wlsimg push $(v cli_median_s) s, page $(v ui_page_median_s) s (click to result dialog, the page's clock; $(v ui_median_s) s seen through WebDriver)"
echo "ratio page / wlsimg push: $(v ratio) (target <= 1.05)"
echo "progress events in the page: at least $(v events_per_s_min) a second, largest gap $(v largest_gap_ms) ms (target >= 4 a second)"
