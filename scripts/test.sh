#!/usr/bin/env bash
# The test command: installs what it needs, then builds with warnings as errors (gcc and clang), runs every
# test (unit, fuzz-corpus replay, integration against real peers), the unit tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer, the unit tests and the threaded integration tests under
# ThreadSanitizer, a short libFuzzer run per parser, and the style checks.
# The last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
status=0
total_p=0 total_f=0
tally() { # tally LOGFILE: add its last "N passed, M failed"
  local line f
  line=$(grep -oE '[0-9]+ passed, [0-9]+ failed$' "$1" | tail -1)
  if [ -z "$line" ]; then total_f=$((total_f + 1)); return; fi
  total_p=$((total_p + ${line%% passed*})); f=${line#*, }; total_f=$((total_f + ${f%% failed*}))
}
step() { # step NAME CMD...: run, report (with its duration, to keep the whole run under 20 minutes)
  local name=$1 log start; shift
  log=$(mktemp)
  start=$(date +%s)
  echo "=== $name"
  if "$@" 2>&1 | tee "$log"; then :; else status=1; echo "=== $name FAILED"; fi
  echo "=== $name: $(( $(date +%s) - start )) s"
  LAST_LOG=$log
}
step "gcc build (-Werror)" make -j"$jobs" WERROR=1
step "clang build (-Werror)" make -j"$jobs" WERROR=1 CC=clang BUILD=build-clang
step "make check" make -j"$jobs" WERROR=1 check
tally "$LAST_LOG"
step "make check-asan" make -j"$jobs" WERROR=1 check-asan
tally "$LAST_LOG"
step "make check-tsan" make -j"$jobs" WERROR=1 check-tsan
tally "$LAST_LOG"
step "libFuzzer (short runs)" make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-10}"
step "lint" make lint
step "format-check" make format-check
[ $status -eq 0 ] || total_f=$((total_f + 1))
echo "$total_p passed, $total_f failed"
exit $status
