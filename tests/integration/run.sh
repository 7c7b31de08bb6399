#!/usr/bin/env bash
# Run every tests/integration/NN_*.sh (or those named as arguments); each prints "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${WLSIMG:?set WLSIMG to the wlsimg binary}"
export WLSIMG
pass=0 fail=0
scripts=("$@")
[ ${#scripts[@]} -eq 0 ] && scripts=("$here"/[0-9][0-9]_*.sh)
for s in "${scripts[@]}"; do
  [ -e "$s" ] || continue
  name=$(basename "$s" .sh)
  start=$(date +%s)
  out=$(timeout "${INTEGRATION_TIMEOUT:-600}" bash "$s" 2>&1 < /dev/null); rc=$?
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
  if [ -z "$line" ]; then p=0; f=1; else p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}; fi
  [ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
  if [ "$f" -ne 0 ]; then
    printf '%s\n' "$out" | grep -vE '^ok ' | tail -60
    printf 'FAIL %s: %s (exit %d, %ss)\n' "$name" "${line:-no summary}" "$rc" $(( $(date +%s) - start ))
  else
    printf 'ok   %s: %s (%ss)\n' "$name" "$line" $(( $(date +%s) - start ))
  fi
  pass=$((pass + p)); fail=$((fail + f))
done
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
