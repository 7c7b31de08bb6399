#!/usr/bin/env bash
# Run libFuzzer targets built by `make fuzz-build` for SECONDS each (make fuzz: briefly, in CI;
# make fuzz-long: an hour each by default, outside CI).
# usage: tests/run-libfuzzer.sh SECONDS MAX_LEN TARGET...   (TARGET: build-fuzz/<name>_fuzz)
# Each target starts from its seeds (fuzz/corpus/<name>/) plus what earlier runs found
# (build-fuzz/corpus-<name>_fuzz/); a crash leaves build-fuzz/crash-<name>_fuzz-* and fails the run
# (reproduce it with the target and that file; fix, then add the file to fuzz/corpus/<name>/).
# One line per target: runs, executions per second, CPU seconds, new corpus entries. FUZZ_JOBS
# targets run at once (default: the number of cores).
set -u
secs=$1 max_len=$2
shift 2
jobs=${FUZZ_JOBS:-$(nproc)}

# one TARGET: fuzz it; the verdict line goes to build-fuzz/<name>.verdict, its status to .rc
one() {
  local b=$1 n before cpu runs rate cpu_s new
  n=$(basename "$b")
  mkdir -p "build-fuzz/corpus-$n"
  before=$(find "build-fuzz/corpus-$n" -type f | wc -l)
  TIMEFORMAT='%U %S'
  cpu=$( { time "$b" -max_total_time="$secs" -max_len="$max_len" -print_final_stats=1 \
    -artifact_prefix="build-fuzz/crash-$n-" "build-fuzz/corpus-$n" "fuzz/corpus/${n%_fuzz}" \
    > "build-fuzz/$n.log" 2>&1; echo "rc=$?" >> "build-fuzz/$n.log"; } 2>&1 )
  runs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "build-fuzz/$n.log" | grep -o '[0-9]*$')
  rate=$(grep -m1 -o 'stat::average_exec_per_sec: *[0-9]*' "build-fuzz/$n.log" | grep -o '[0-9]*$')
  cpu_s=$(awk '{printf "%.0f", $1 + $2}' <<< "$cpu")
  new=$(( $(find "build-fuzz/corpus-$n" -type f | wc -l) - before ))
  if grep -q '^rc=0$' "build-fuzz/$n.log"; then
    echo "fuzz $n: ${runs:-?} runs in $secs s (${rate:-?}/s, ${cpu_s} s CPU), $new new corpus entries, no crash" \
      > "build-fuzz/$n.verdict"
    echo 0 > "build-fuzz/$n.rc"
  else
    { tail -40 "build-fuzz/$n.log"
      echo "FAIL fuzz $n: crash after ${runs:-?} runs; input in $(ls build-fuzz/crash-"$n"-* 2>/dev/null | head -1)"
    } > "build-fuzz/$n.verdict"
    echo 1 > "build-fuzz/$n.rc"
  fi
}

# FUZZ_JOBS targets at once (each is one process on one core)
for b in "$@"; do rm -f "build-fuzz/$(basename "$b").rc"; done
for b in "$@"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  one "$b" &
done
wait
status=0
for b in "$@"; do
  n=$(basename "$b")
  cat "build-fuzz/$n.verdict"
  [ "$(cat "build-fuzz/$n.rc" 2>/dev/null)" = 0 ] || status=1
done
exit $status
