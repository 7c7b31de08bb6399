#!/usr/bin/env bash
# Run unit-test binaries; print a combined "N passed, N failed".
set -u
pass=0 fail=0
for t in "$@"; do
  out=$(timeout "${UNIT_TIMEOUT:-300}" "$t" 2>&1 < /dev/null); rc=$?
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
  p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
  if [ -z "$line" ] || [ $rc -ne 0 ]; then
    printf '%s\n' "$out" | grep -v '^ok ' >&2
    printf 'FAIL %s (exit %d)\n' "$(basename "$t")" "$rc"
    [ -z "$line" ] && { p=0; f=1; }
  else
    printf 'ok   %s: %s\n' "$(basename "$t")" "$line"
  fi
  pass=$((pass + p)); fail=$((fail + f))
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
