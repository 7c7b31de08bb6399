#!/usr/bin/env bash
# make check: unit tests, fuzz-corpus replay, integration tests. Last line: "N passed, N failed".
set -u
build=$1 unit=$2 fuzz=$3
total_p=0 total_f=0
add() { # add LOG: count its last "N passed, M failed"
  local line p f
  line=$(grep -oE '[0-9]+ passed, [0-9]+ failed$' "$1" | tail -1)
  if [ -z "$line" ]; then total_f=$((total_f + 1)); return; fi
  p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
  total_p=$((total_p + p)); total_f=$((total_f + f))
}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
# shellcheck disable=SC2086
tests/run-unit.sh $unit | tee "$log/unit"; add "$log/unit"
# shellcheck disable=SC2086
tests/run-fuzz-replay.sh $fuzz | tee "$log/fuzz"; add "$log/fuzz"
WLSIMG="$build/wlsimg" tests/integration/run.sh | tee "$log/integ"; add "$log/integ"
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
