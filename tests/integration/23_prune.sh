#!/usr/bin/env bash
# Store housekeeping: what a pull interrupted with Ctrl-C leaves in the store is removed by the retry,
# by rmi and by prune (and counted by system df); untagged <none> images and unreferenced blobs are
# pruned with the space reclaimed said; a prune while another pull is writing leaves that pull alone.
# Pulls go through slowproxy.py to `wlsimg registry serve`, so there is a middle to interrupt.
source "$(dirname "$0")/lib.sh"
need jq
W=$WLSIMG
TMP=$WLSIMG_STORE/tmp
set -m # background jobs get SIGINT as a terminal's Ctrl-C would give it (and report it)

start_wlsimg_registry "$T_DIR/reg"
R=$W_ADDR
make_layers_layout "$T_DIR/lay" v1 2 3072
check "an image of two 3 MiB layers in the registry" "$W" -q copy "oci:$T_DIR/lay:v1" "docker://$R/test/big:1"
make_layers_layout "$T_DIR/lay2" v1 2 2048
check "and another one" "$W" -q copy "oci:$T_DIR/lay2:v1" "docker://$R/test/other:1"
slow_proxy "$R" 1500000
P=$P_ADDR

# tmp_bytes: bytes in the store's tmp/ (0 when there is none).
tmp_bytes() { find "$TMP" -type f -printf '%s\n' 2> /dev/null | awk '{s += $1} END {print s + 0}'; }
# interrupted_pull REF: start a pull, send it SIGINT once it has written 256 KiB to a temporary file.
interrupted_pull() {
  local pid i
  "$W" -q pull -j 1 "$1" > /dev/null 2>&1 &
  pid=$!
  for i in $(seq 1 200); do
    [ "$(tmp_bytes)" -gt 262144 ] && break
    sleep 0.05
  done
  kill -INT "$pid"
  wait "$pid" 2> /dev/null
  INTERRUPTED_STATUS=$?
}

# ---------------------------------------------------------------- an interrupted pull, and its retry
interrupted_pull "$P/test/big:1"
check_eq "Ctrl-C stops the pull (SIGINT)" "$INTERRUPTED_STATUS" 130
LEFT=$(tmp_bytes)
check "the interrupted pull left a partial blob in tmp/" test "$LEFT" -gt 262144
check "system df" "$W" system df --format json
check_eq "system df counts it as a reclaimable temporary file" \
  "$(jq -r 'select(.Type == "Temporary files") | .TotalCount + " " + .Active + " " + (.Reclaimable | test("100%") | tostring)' "$T_DIR/last.out")" \
  "1 0 true"
check "the retry succeeds" "$W" -q pull "$R/test/big:1"
check_eq "and removes what the interrupted pull left" "$(tmp_bytes)" 0

interrupted_pull "$P/test/other:1"
check "a partial blob again" test "$(tmp_bytes)" -gt 262144
check "rmi of another image" "$W" rmi "$R/test/big:1"
check_eq "rmi removes the partial blob too" "$(tmp_bytes)" 0

interrupted_pull "$P/test/other:1"
LEFT=$(tmp_bytes)
check "image prune -f" "$W" image prune -f
check_eq "image prune says what it removed" "$(grep -c '^Deleted temporary files of interrupted transfers: 1 (' "$T_DIR/last.out")" 1
check_eq "the partial blob is gone" "$(tmp_bytes)" 0
check_eq "and the reclaimed space counts it" "$(grep -cE '^Total reclaimed space: [0-9.]+[kM]B$' "$T_DIR/last.out")" 1

# ---------------------------------------------------------------- untagged images, unreferenced blobs
export SOURCE_DATE_EPOCH=1700000000
mkdir -p "$T_DIR/r" && echo one > "$T_DIR/r/a" && tar -C "$T_DIR/r" -cf "$T_DIR/r1.tar" .
head -c 300000 /dev/urandom > "$T_DIR/r/b" && tar -C "$T_DIR/r" -cf "$T_DIR/r2.tar" .
check "import app:1" "$W" import "$T_DIR/r2.tar" --tag app:1
OLD=$(cat "$T_DIR/last.out")
check "import app:1 again, other files" "$W" import "$T_DIR/r1.tar" --tag app:1
check_eq "the old image is <none>" "$("$W" images --format '{{.Repository}} {{.Digest}}' -f dangling=true)" "<none> $OLD"
check "system df before" "$W" system df --format json
check_eq "df: two images, one with a name" "$(jq -r 'select(.Type == "Images") | .TotalCount + "/" + .Active' "$T_DIR/last.out")" "2/1"
printf 'n\n' > "$T_DIR/no"
check_fail "prune asks, and no is no" 1 "cancelled; nothing was removed" bash -c "'$W' image prune < '$T_DIR/no'"
check_eq "nothing was removed" "$("$W" images -q | wc -l)" 2
check_fail "prune takes no arguments" 2 "unexpected argument 'app:1'" "$W" image prune -f app:1
printf 'y\n' > "$T_DIR/yes"
check "prune, confirmed on stdin" bash -c "'$W' image prune < '$T_DIR/yes'"
check_eq "the <none> image is deleted" "$(grep -c "^deleted: $OLD\$" "$T_DIR/last.out")" 1
check_eq "its blobs with it (300 kB of layer)" "$(grep -cE '^Deleted blobs: [0-9]+ \(30[0-9.]+kB\)$' "$T_DIR/last.out")" 1
check_eq "the named image stays" "$("$W" images --format '{{.Repository}}:{{.Tag}}')" "app:1"
check "system df after" "$W" system df --format json
check_eq "df: nothing reclaimable" "$(jq -r '.Reclaimable' "$T_DIR/last.out" | grep -cv '^0B')" 0
check "system prune -f with nothing to do" "$W" system prune -f
check_eq "it says so" "$(cat "$T_DIR/last.out")" "Total reclaimed space: 0B"

# ---------------------------------------------------------------- prune while another pull writes
"$W" -q pull -j 1 "$P/test/other:1" > "$T_DIR/busy.out" 2> "$T_DIR/busy.err" &
BUSY=$!
for i in $(seq 1 200); do [ "$(tmp_bytes)" -gt 65536 ] && break; sleep 0.05; done
check "prune while a pull is writing" "$W" system prune -f
check_eq "the running pull's temporary file is not touched" "$(grep -c 'temporary files' "$T_DIR/last.out")" 0
check "system df while it runs" "$W" system df --format json
check_eq "df counts the running pull's file as active" "$(jq -r 'select(.Type == "Temporary files") | .Active' "$T_DIR/last.out")" 1
wait "$BUSY"
check_eq "the pull completes" "$?" 0
check "its image is whole (every blob copied out)" "$W" -q copy "$P/test/other:1" "oci:$T_DIR/out:1"
check_eq "nothing left in tmp/" "$(tmp_bytes)" 0
finish
