#!/usr/bin/env bash
# kill -9 wlsimg registry serve in the middle of a large push (chunked PATCHes with curl, then a
# streamed skopeo push), restart it on the same root and port: the upload resumes or the client's
# retry completes, and no partial blob is ever visible.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
source "$here/lib.sh"
need curl
need skopeo
need jq

ROOT=$T_DIR/reg
PORT=$(free_port)
R=http://127.0.0.1:$PORT
SRV=
start() {
  "$WLSIMG" registry serve --listen "127.0.0.1:$PORT" --root "$ROOT" >> "$ROOT.log" 2>&1 &
  SRV=$!
  T_PIDS+=("$SRV")
  wait_http "$R/v2/"
}
crash() { kill -9 "$SRV"; wait "$SRV" 2> /dev/null; }
# Every file in the blob store must hash to its name: nothing partial is ever exposed.
blobs_intact() {
  local f
  for f in "$ROOT"/blobs/sha256/*; do
    [ -e "$f" ] || continue
    case $f in *.tmp-*) continue ;; esac
    [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$(basename "$f")" ] || { echo "partial blob $f" >&2; return 1; }
  done
}
upload_bytes() { stat -c %s "$ROOT"/repos/"$1"/_uploads/*/data 2> /dev/null | sort -n | tail -1; }
wait_upload_bytes() { # NAME MIN: until an upload in NAME holds at least MIN bytes (~20 s at most)
  local i
  for i in $(seq 1 400); do
    [ "$(upload_bytes "$1" || echo 0)" -ge "$2" ] 2> /dev/null && return 0
    sleep 0.05
  done
  return 1
}

start
MiB=$((1024 * 1024))
head -c $((64 * MiB)) /dev/urandom > "$T_DIR/big"
BIG=sha256:$(sha256sum "$T_DIR/big" | cut -d' ' -f1)

# ---- chunked upload, killed in the middle of a PATCH ----
LOC=$(curl -s -D - -o /dev/null -X POST "$R/v2/test/big/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
for i in 0 1; do
  dd if="$T_DIR/big" bs=$((8 * MiB)) skip=$i count=1 status=none |
    curl -s -o /dev/null -X PATCH -H "Content-Range: $((i * 8 * MiB))-$(((i + 1) * 8 * MiB - 1))" --data-binary @- "$R$LOC"
done
tail -c +$((16 * MiB + 1)) "$T_DIR/big" > "$T_DIR/rest"
curl -s -o /dev/null --limit-rate 4M -X PATCH -H "Content-Range: $((16 * MiB))-$((64 * MiB - 1))" \
  --data-binary @"$T_DIR/rest" "$R$LOC" &
CURL=$!
check "upload under way" wait_upload_bytes test/big $((18 * MiB))
crash
wait $CURL 2> /dev/null
check "no partial blob after the crash" blobs_intact
start
S=$(curl -s -o /dev/null -w '%{http_code}' -I "$R/v2/test/big/blobs/$BIG")
check_eq "blob not visible before the push completes" "$S" 404
RANGE=$(curl -s -D - -o /dev/null "$R$LOC" | tr -d '\r' | awk -F': ' 'tolower($1)=="range"{print $2}')
OFF=$((${RANGE#0-} + 1))
check_eq "upload survived the restart" "$([ "$OFF" -gt $((16 * MiB)) ] && echo yes)" yes
tail -c +$((OFF + 1)) "$T_DIR/big" > "$T_DIR/rest2"
S=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H "Content-Range: $OFF-$((64 * MiB - 1))" --data-binary @"$T_DIR/rest2" "$R$LOC")
check_eq "resume PATCH 202" "$S" 202
S=$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$R$LOC?digest=$BIG")
check_eq "complete 201 (hash rebuilt after restart)" "$S" 201
check_eq "served blob is whole" "sha256:$(curl -s "$R/v2/test/big/blobs/$BIG" | sha256sum | cut -d' ' -f1)" "$BIG"

# ---- the client dies mid-PATCH: the server keeps the upload and its hash state ----
LOC=$(curl -s -D - -o /dev/null -X POST "$R/v2/test/client/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
curl -s -o /dev/null --limit-rate 8M -X PATCH -H "Content-Range: 0-$((64 * MiB - 1))" --data-binary @"$T_DIR/big" "$R$LOC" &
CURL=$!
check "client upload under way" wait_upload_bytes test/client $((8 * MiB))
kill -9 "$CURL"
wait "$CURL" 2> /dev/null
sleep 0.2
RANGE=$(curl -s -D - -o /dev/null "$R$LOC" | tr -d '\r' | awk -F': ' 'tolower($1)=="range"{print $2}')
OFF=$((${RANGE#0-} + 1))
tail -c +$((OFF + 1)) "$T_DIR/big" > "$T_DIR/rest3"
S=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Content-Range: $OFF-$((64 * MiB - 1))" --data-binary @"$T_DIR/rest3" "$R$LOC?digest=$BIG")
check_eq "resume after the client died completes" "$S" 201
check "server still healthy" curl -sf -o /dev/null "$R/v2/"

# ---- streamed skopeo push, killed, retried ----
LAY=$T_DIR/lay
mkdir -p "$LAY/blobs/sha256"
# gzip-compressed, so skopeo sends it as is (it compresses uncompressed layers, changing digests).
head -c $((64 * MiB)) /dev/urandom | gzip -1 -n > "$T_DIR/layer"
LD=$(sha256sum "$T_DIR/layer" | cut -d' ' -f1)
cp "$T_DIR/layer" "$LAY/blobs/sha256/$LD"
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$LD" > "$T_DIR/cfg"
CD=$(sha256sum "$T_DIR/cfg" | cut -d' ' -f1)
cp "$T_DIR/cfg" "$LAY/blobs/sha256/$CD"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
  "$CD" "$(stat -c %s "$T_DIR/cfg")" "$LD" "$(stat -c %s "$T_DIR/layer")" > "$T_DIR/man"
MD=$(sha256sum "$T_DIR/man" | cut -d' ' -f1)
cp "$T_DIR/man" "$LAY/blobs/sha256/$MD"
printf '{"imageLayoutVersion":"1.0.0"}' > "$LAY/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' \
  "$MD" "$(stat -c %s "$T_DIR/man")" > "$LAY/index.json"
# A throttled proxy is not available here, so kill as soon as the layer's upload has started.
skopeo "${SKOPEO_FLAGS[@]}" copy --dest-tls-verify=false "oci:$LAY:v1" "docker://127.0.0.1:$PORT/test/stream:v1" \
  > "$T_DIR/sk1.log" 2>&1 &
SK=$!
if wait_upload_bytes test/stream 1; then
  crash
  wait $SK 2> /dev/null
  check "no partial blob after killing a streamed push" blobs_intact
  start
  S=$(curl -s -o /dev/null -w '%{http_code}' -I "$R/v2/test/stream/blobs/sha256:$LD")
  check_eq "layer not visible after the interrupted push" "$S" 404
else
  wait $SK 2> /dev/null
  ok "streamed push finished before the kill (machine too fast to interrupt it)"
fi
check "skopeo retry completes" skopeo "${SKOPEO_FLAGS[@]}" copy --dest-tls-verify=false "oci:$LAY:v1" \
  "docker://127.0.0.1:$PORT/test/stream:v1"
check "inspect after retry" skopeo inspect --tls-verify=false "docker://127.0.0.1:$PORT/test/stream:v1"
check_eq "digest after retry" "$(jq -r .Digest "$T_DIR/last.out")" "sha256:$MD"
check "blob store intact" blobs_intact
finish
