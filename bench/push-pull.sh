#!/usr/bin/env bash
# Push/pull benchmark: wlsimg against skopeo on the same docker-registry 2.8.2, same machine, same image.
#
# Builds a ~1 GiB image (two incompressible random layers, two compressible text layers, each 256 MiB
# uncompressed) as an OCI layout, then for RUNS runs each (fresh registry data, fresh destination):
#   push: skopeo copy oci:… docker://…     vs  wlsimg push (image already in wlsimg's store)
#   pull: skopeo copy docker://… oci:…     vs  wlsimg pull into an empty store
# and prints median wall times, ratios (target wlsimg <= 0.8x skopeo), the time of pushing an unchanged image
# again (target <= 0.1 s) and wlsimg's peak RSS (target <= 64 MiB).
# Usage: bench/push-pull.sh [RUNS]   (env LAYER_MIB=256 to change the layer size)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
LAYER_MIB=${LAYER_MIB:-256}
WLSIMG=${WLSIMG:-$PWD/build/wlsimg}
[ -x "$WLSIMG" ] || make -s -j"$(nproc)"
W=$(mktemp -d "${TMPDIR:-/tmp}/wlsimg-bench.XXXXXX")
REG_PID=
cleanup() { [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
export HOME="$W/home" XDG_DATA_HOME="$W/home/.local/share" XDG_RUNTIME_DIR="$W/run" DOCKER_CONFIG="$W/home/.docker"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG=127.0.0.1:$PORT

start_registry() {
  [ -n "$REG_PID" ] && { kill "$REG_PID"; wait "$REG_PID" 2>/dev/null || true; }
  rm -rf "$W/regdata"; mkdir -p "$W/regdata"
  cat > "$W/reg.yml" <<EOC
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $W/regdata}, delete: {enabled: true}}
http: {addr: "$REG", secret: bench-only}
EOC
  docker-registry serve "$W/reg.yml" > "$W/reg.log" 2>&1 &
  REG_PID=$!
  until curl -sf "http://$REG/v2/" > /dev/null; do sleep 0.05; done
}

echo "building a $((LAYER_MIB * 4)) MiB image (4 layers of $LAYER_MIB MiB)…" >&2
mkdir -p "$W/lay/blobs/sha256"
layers_json= diffs_json=
for i in 1 2 3 4; do
  mkdir -p "$W/l$i"
  if [ $i -le 2 ]; then
    head -c $((LAYER_MIB << 20)) /dev/urandom > "$W/l$i/random.bin"
  else
    { yes "WebLogic domain model line $i: topology, resources, appDeployments and a little filler text" || true; } \
      | head -c $((LAYER_MIB << 20)) > "$W/l$i/text.log"
  fi
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$W/l$i" -cf "$W/l$i.tar" .
  d=$(sha256sum "$W/l$i.tar" | cut -d' ' -f1)
  gzip -1 -n -c "$W/l$i.tar" > "$W/l$i.tar.gz"
  ld=$(sha256sum "$W/l$i.tar.gz" | cut -d' ' -f1); ls=$(stat -c %s "$W/l$i.tar.gz")
  mv "$W/l$i.tar.gz" "$W/lay/blobs/sha256/$ld"; rm -rf "$W/l$i" "$W/l$i.tar"
  layers_json+="${layers_json:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$ld\",\"size\":$ls}"
  diffs_json+="${diffs_json:+,}\"sha256:$d\""
done
printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[%s]}}' "$diffs_json" > "$W/config.json"
cd_=$(sha256sum "$W/config.json" | cut -d' ' -f1); cs=$(stat -c %s "$W/config.json"); cp "$W/config.json" "$W/lay/blobs/sha256/$cd_"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
  "$cd_" "$cs" "$layers_json" > "$W/manifest.json"
md=$(sha256sum "$W/manifest.json" | cut -d' ' -f1); ms=$(stat -c %s "$W/manifest.json"); cp "$W/manifest.json" "$W/lay/blobs/sha256/$md"
printf '{"imageLayoutVersion":"1.0.0"}' > "$W/lay/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' "$md" "$ms" > "$W/lay/index.json"
echo "image: sha256:$md, $(du -sm "$W/lay" | cut -f1) MiB compressed" >&2

export WLSIMG_STORE="$W/store-src"
"$WLSIMG" -q copy "oci:$W/lay:v1" bench/src:v1 > /dev/null

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.3f}')"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
rss_max=0
track_rss() { # track_rss CMD...: run under GNU time, remember the peak RSS (KiB)
  /usr/bin/time -f '%M' -o "$W/rss" "$@" > /dev/null
  local r; r=$(tail -1 "$W/rss"); [ "$r" -gt "$rss_max" ] && rss_max=$r; return 0
}
sk_push=() wl_push=() sk_pull=() wl_pull=() repush=()
for r in $(seq 1 "$RUNS"); do
  start_registry
  t0=$(now); skopeo copy -q --insecure-policy --dest-tls-verify=false "oci:$W/lay:v1" "docker://$REG/bench/skopeo:v1"; t1=$(now)
  sk_push+=("$(elapsed "$t0" "$t1")")
  start_registry
  t0=$(now); track_rss "$WLSIMG" -q push bench/src:v1 "$REG/bench/wlsimg:v1"; t1=$(now)
  wl_push+=("$(elapsed "$t0" "$t1")")
  t0=$(now); "$WLSIMG" -q push bench/src:v1 "$REG/bench/wlsimg:v1" > /dev/null; t1=$(now)
  repush+=("$(elapsed "$t0" "$t1")")
  rm -rf "$W/out"
  t0=$(now); skopeo copy -q --insecure-policy --src-tls-verify=false "docker://$REG/bench/wlsimg:v1" "oci:$W/out:v1"; t1=$(now)
  sk_pull+=("$(elapsed "$t0" "$t1")")
  rm -rf "$W/store-dst"
  t0=$(now); WLSIMG_STORE="$W/store-dst" track_rss "$WLSIMG" -q pull "$REG/bench/wlsimg:v1"; t1=$(now)
  wl_pull+=("$(elapsed "$t0" "$t1")")
  echo "run $r: push skopeo ${sk_push[-1]}s wlsimg ${wl_push[-1]}s (again ${repush[-1]}s); pull skopeo ${sk_pull[-1]}s wlsimg ${wl_pull[-1]}s" >&2
done
msp=$(median "${sk_push[@]}") mwp=$(median "${wl_push[@]}") msl=$(median "${sk_pull[@]}") mwl=$(median "${wl_pull[@]}") mre=$(median "${repush[@]}")
python3 - "$msp" "$mwp" "$msl" "$mwl" "$mre" "$rss_max" "$RUNS" "$LAYER_MIB" <<'PY'
import sys
sp, wp, sl, wl, re_, rss, runs, mib = sys.argv[1:]
sp, wp, sl, wl, re_ = map(float, (sp, wp, sl, wl, re_)); rss = int(rss) / 1024
def v(ok): return "ok" if ok else "MISSED"
print(f"image: 4 layers x {mib} MiB, median of {runs} runs, docker-registry 2.8.2 on loopback")
print(f"push   skopeo {sp:7.2f} s   wlsimg {wp:7.2f} s   ratio {wp/sp:5.2f}x  (target <= 0.80)  {v(wp/sp <= 0.8)}")
print(f"pull   skopeo {sl:7.2f} s   wlsimg {wl:7.2f} s   ratio {wl/sl:5.2f}x  (target <= 0.80)  {v(wl/sl <= 0.8)}")
print(f"push unchanged image again: {re_:.3f} s  (target <= 0.1 s)  {v(re_ <= 0.1)}")
print(f"wlsimg peak RSS: {rss:.1f} MiB  (target <= 64 MiB)  {v(rss <= 64)}")
PY
