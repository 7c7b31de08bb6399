#!/usr/bin/env bash
# make check-tsan: the unit tests and the integration tests with a ThreadSanitizer build.
# usage: tests/run-tsan.sh BUILD_DIR "UNIT_BINARIES" [INTEGRATION_SCRIPTS...]
# Every race report goes to a file (log_path), wherever it comes from: the command under test, a
# `wlsimg registry serve` or `wlsimg ui` running in the background, or a unit test. Any report is a
# failure, printed at the end. The last line is "N passed, N failed".
set -u
build=$1 unit=$2
shift 2
reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
# second_deadlock_stack: both stacks of a lock-order inversion; exitcode 66 (a race) fails the command
export TSAN_OPTIONS="log_path=$reports/tsan halt_on_error=0 exitcode=66 second_deadlock_stack=1 history_size=4"
total_p=0 total_f=0
add() { # add OUTPUT: count its last "N passed, M failed"
  local line p f
  line=$(printf '%s\n' "$1" | grep -oE '[0-9]+ passed, [0-9]+ failed$' | tail -1)
  if [ -z "$line" ]; then total_f=$((total_f + 1)); return; fi
  p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
  total_p=$((total_p + p)); total_f=$((total_f + f))
}
# shellcheck disable=SC2086
out=$(tests/run-unit.sh $unit); echo "$out"; add "$out"
# wrk's load runs shorter, with a timeout that allows for TSan's slowdown (races need concurrency,
# not throughput)
out=$(WLSIMG_SANITIZED=1 WRK_MANIFEST_SECONDS=3 WRK_BLOB_SECONDS=2 WRK_TIMEOUT=30s \
  WLSIMG="$build/wlsimg" tests/integration/run.sh "$@"); echo "$out"; add "$out"
n=$(find "$reports" -type f | wc -l)
if [ "$n" -gt 0 ]; then
  echo "ThreadSanitizer reports: $n"
  for f in "$reports"/*; do echo "--- $f"; head -60 "$f"; done
  total_f=$((total_f + n))
else
  echo "ok   no ThreadSanitizer report"
fi
echo "tsan: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
