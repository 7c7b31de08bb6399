#!/usr/bin/env bash
# Registry server benchmark: `wlsimg registry serve` against Debian's docker-registry 2.8.2, side by
# side on loopback, same machine, same data:
#   blob PUT  (256 MiB, monolithic POST + PUT streamed by curl)       target wlsimg >= 2x faster
#   blob GET  (256 MiB, page cache warm)                               target >= 2x
#             measured with bench/getblob.py, which splices the body to /dev/null: with curl the client
#             copies every byte itself and becomes the bottleneck (curl's figure is printed for information);
#             also 4 concurrent GETs: total time, for information
#   manifest GET requests/s (wrk, 64 connections)                     target >= 3x
# Each timing is the best of RUNS runs. Prints the figures and the ratios.
# Usage: bench/registry.sh [RUNS]   (env BLOB_MIB=256, WRK_SECONDS=5)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
BLOB_MIB=${BLOB_MIB:-256}
WRK_SECONDS=${WRK_SECONDS:-5}
WLSIMG=${WLSIMG:-$PWD/build/wlsimg}
[ -x "$WLSIMG" ] || make -s -j"$(nproc)"
W=$(mktemp -d "${TMPDIR:-/tmp}/wlsimg-regbench.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done; wait 2> /dev/null; rm -rf "$W"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

WP=$(port)
DP=$(port)
"$WLSIMG" -q registry serve --listen "127.0.0.1:$WP" --root "$W/wroot" > "$W/w.log" 2>&1 &
PIDS+=($!)
mkdir -p "$W/droot"
cat > "$W/reg.yml" << EOC
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $W/droot}, delete: {enabled: true}}
http: {addr: "127.0.0.1:$DP", secret: bench-only}
EOC
docker-registry serve "$W/reg.yml" > "$W/d.log" 2>&1 &
PIDS+=($!)
until curl -sf "http://127.0.0.1:$WP/v2/" > /dev/null && curl -sf "http://127.0.0.1:$DP/v2/" > /dev/null; do sleep 0.05; done

echo "creating a $BLOB_MIB MiB blob…" >&2
head -c $((BLOB_MIB * 1024 * 1024)) /dev/urandom > "$W/blob"
BD=sha256:$(sha256sum "$W/blob" | cut -d' ' -f1)

# put_blob BASE REPO: seconds for POST + streamed PUT of the blob.
put_blob() {
  local base=$1 repo=$2 loc t0 t1
  t0=$(date +%s.%N)
  loc=$(curl -s -D - -o /dev/null -X POST "$base/v2/$repo/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
  case $loc in http*) ;; *) loc=$base$loc ;; esac
  case $loc in *\?*) loc="$loc&digest=$BD" ;; *) loc="$loc?digest=$BD" ;; esac
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/octet-stream' -T "$W/blob" "$loc")
  t1=$(date +%s.%N)
  [ "$code" = 201 ] || { echo "PUT to $base failed: $code" >&2; exit 1; }
  echo "$t1 - $t0" | bc -l
}
get_blob() {
  bench/getblob.py "$1/v2/$2/blobs/$BD"
}
get_blob_curl() {
  curl -s -o /dev/null -w '%{time_total}' "$1/v2/$2/blobs/$BD"
}
# Four concurrent downloads of the blob: seconds until all are done (server CPU per byte shows).
get_blob4() {
  local t0 t1
  t0=$(date +%s.%N)
  for _ in 1 2 3 4; do bench/getblob.py "$1/v2/$2/blobs/$BD" > /dev/null & done
  wait
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
best() { sort -g | head -1; }

W_URL=http://127.0.0.1:$WP
D_URL=http://127.0.0.1:$DP
wput=$(for i in $(seq "$RUNS"); do put_blob "$W_URL" "bench/put$i"; done | best)
dput=$(for i in $(seq "$RUNS"); do put_blob "$D_URL" "bench/put$i"; done | best)
get_blob "$W_URL" bench/put1 > /dev/null
get_blob "$D_URL" bench/put1 > /dev/null
wget_=$(for i in $(seq "$RUNS"); do get_blob "$W_URL" bench/put1; done | best)
dget=$(for i in $(seq "$RUNS"); do get_blob "$D_URL" bench/put1; done | best)
wgetc=$(for i in $(seq "$RUNS"); do get_blob_curl "$W_URL" bench/put1; echo; done | best)
dgetc=$(for i in $(seq "$RUNS"); do get_blob_curl "$D_URL" bench/put1; echo; done | best)
wget4=$(for i in $(seq "$RUNS"); do get_blob4 "$W_URL" bench/put1; done | best)
dget4=$(for i in $(seq "$RUNS"); do get_blob4 "$D_URL" bench/put1; done | best)

# A small image manifest for the wrk run.
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' > "$W/cfg"
CD=sha256:$(sha256sum "$W/cfg" | cut -d' ' -f1)
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
  "$CD" "$(stat -c %s "$W/cfg")" "$BD" "$(stat -c %s "$W/blob")" > "$W/man"
for base in "$W_URL" "$D_URL"; do
  loc=$(curl -s -D - -o /dev/null -X POST "$base/v2/bench/put1/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
  case $loc in http*) ;; *) loc=$base$loc ;; esac
  case $loc in *\?*) loc="$loc&digest=$CD" ;; *) loc="$loc?digest=$CD" ;; esac
  curl -sf -o /dev/null -X PUT -H "Content-Type: application/octet-stream" --data-binary @"$W/cfg" "$loc"
  curl -sf -o /dev/null -X PUT -H "Content-Type: application/vnd.oci.image.manifest.v1+json" \
    --data-binary @"$W/man" "$base/v2/bench/put1/manifests/v1"
done
rps() {
  wrk -t2 -c64 -d"${WRK_SECONDS}s" -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$1/v2/bench/put1/manifests/v1" > "$W/wrk.out" 2>&1
  if grep -qE 'Non-2xx|Socket errors' "$W/wrk.out"; then cat "$W/wrk.out" >&2; fi
  awk '/Requests\/sec/{print $2}' "$W/wrk.out"
}
wrps=$(rps "$W_URL")
drps=$(rps "$D_URL")

mbs() { echo "$BLOB_MIB / $1" | bc -l; }
printf '%-22s %14s %16s %8s %8s\n' "" "wlsimg" "docker-registry" "ratio" "target"
printf '%-22s %10.3f s   %12.3f s   %7.2fx %7s\n' "blob PUT ${BLOB_MIB} MiB" "$wput" "$dput" "$(echo "$dput / $wput" | bc -l)" ">=2x"
printf '%-22s %10.3f s   %12.3f s   %7.2fx %7s\n' "blob GET ${BLOB_MIB} MiB" "$wget_" "$dget" "$(echo "$dget / $wget_" | bc -l)" ">=2x"
printf '%-22s %10.3f s   %12.3f s   %7.2fx %7s\n' "blob GET (curl client)" "$wgetc" "$dgetc" "$(echo "$dgetc / $wgetc" | bc -l)" "-"
printf '%-22s %10.3f s   %12.3f s   %7.2fx %7s\n' "blob GET 4 parallel" "$wget4" "$dget4" "$(echo "$dget4 / $wget4" | bc -l)" "-"
printf '%-22s %10.0f/s   %12.0f/s   %7.2fx %7s\n' "manifest GET (wrk 64c)" "$wrps" "$drps" "$(echo "$wrps / $drps" | bc -l)" ">=3x"
printf '(throughput: PUT %.0f vs %.0f MiB/s, GET %.0f vs %.0f MiB/s)\n' "$(mbs "$wput")" "$(mbs "$dput")" "$(mbs "$wget_")" "$(mbs "$dget")"
