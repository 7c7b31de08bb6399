#!/usr/bin/env bash
# Replay each fuzz target's corpus (fuzz/corpus/<name>/) through the gcc-built replayer. A target
# without a corpus directory, or with an empty one, fails: seeds are part of every fuzz target.
set -u
pass=0 fail=0
for b in "$@"; do
  n=$(basename "$b"); n=${n%_fuzz}
  if [ ! -d "fuzz/corpus/$n" ] || [ -z "$(ls -A "fuzz/corpus/$n")" ]; then
    printf 'FAIL fuzz replay %s: no seeds in fuzz/corpus/%s/\n' "$n" "$n"; fail=$((fail + 1))
    continue
  fi
  if out=$("$b" "fuzz/corpus/$n" 2>&1); then
    printf 'ok   fuzz replay %s: %s\n' "$n" "$out"; pass=$((pass + 1))
  else
    printf '%s\nFAIL fuzz replay %s\n' "$out" "$n"; fail=$((fail + 1))
  fi
done
echo "fuzz replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
