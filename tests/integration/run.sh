#!/usr/bin/env bash
# Run every tests/integration/NN_*.sh (or those named as arguments); each prints "N passed, N failed".
# INTEGRATION_JOBS scripts run at once (default 2): most of their time is spent waiting on servers,
# engines and the network stack, and each one has its own directory, ports and peers. The longest
# scripts start first so that the short ones fill the gaps. A script's output is shown when it ends.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${WLSIMG:?set WLSIMG to the wlsimg binary}"
export WLSIMG
jobs=${INTEGRATION_JOBS:-2}
case $jobs in '' | *[!0-9]* | 0) echo "INTEGRATION_JOBS must be a positive number" >&2; exit 2 ;; esac
pass=0 fail=0
scripts=("$@")
[ ${#scripts[@]} -eq 0 ] && scripts=("$here"/[0-9][0-9]_*.sh)

# The slow ones first (measured: each takes over 20 s); the rest keep their order.
slow=" 10_login 30_push_pull 40_registry_http 50_aux_image 52_wit_dryrun 60_k8s 71_ui_browser "
ordered=()
for s in "${scripts[@]}"; do case $slow in *" $(basename "$s" .sh) "*) ordered+=("$s") ;; esac; done
for s in "${scripts[@]}"; do case $slow in *" $(basename "$s" .sh) "*) ;; *) ordered+=("$s") ;; esac; done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# run_one SCRIPT: run it with its output in $out/NAME.log; the exit status and seconds go to .rc.
run_one() {
  local s=$1 name start rc
  name=$(basename "$s" .sh)
  start=$(date +%s)
  timeout "${INTEGRATION_TIMEOUT:-600}" bash "$s" > "$out/$name.log" 2>&1 < /dev/null
  rc=$?
  echo "$rc $(($(date +%s) - start))" > "$out/$name.rc.tmp" && mv "$out/$name.rc.tmp" "$out/$name.rc"
}

# report NAME: print the verdict line (and a failed script's output), add up the counts.
report() {
  local name=$1 rc secs line p f
  read -r rc secs < "$out/$name.rc"
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/$name.log" | tail -1)
  if [ -z "$line" ]; then p=0; f=1; else p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}; fi
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  if [ "$f" -ne 0 ]; then
    grep -vE '^ok ' "$out/$name.log" | tail -60
    printf 'FAIL %s: %s (exit %d, %ss)\n' "$name" "${line:-no summary}" "$rc" "$secs"
  else
    printf 'ok   %s: %s (%ss)\n' "$name" "$line" "$secs"
  fi
  pass=$((pass + p)); fail=$((fail + f))
}

pending=()
running=0
for s in "${ordered[@]}"; do
  [ -e "$s" ] || continue
  while [ "$running" -ge "$jobs" ]; do
    wait -n 2> /dev/null
    running=$(jobs -rp | wc -l)
  done
  run_one "$s" &
  pending+=("$(basename "$s" .sh)")
  running=$(jobs -rp | wc -l)
  # report whatever has finished meanwhile
  left=()
  for n in "${pending[@]}"; do if [ -e "$out/$n.rc" ]; then report "$n"; else left+=("$n"); fi; done
  pending=("${left[@]}")
done
wait
for n in "${pending[@]}"; do report "$n"; done
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
