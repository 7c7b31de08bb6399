#!/usr/bin/env bash
# The progress display of pull and push in a real terminal: tmux panes of 60 and 200 columns, panes
# resized in the middle of a pull, against `wlsimg registry serve` on loopback behind a forwarder that
# slows the transfer down (slowproxy.py) so there is a middle to see. Checked with capture-pane: the
# lines printed before are left alone, every layer has exactly one line, no line is a wrapped
# fragment, nothing is repeated.
# The pulls run under CPU load (two busy loops, bounded in time) and the resizes come in bursts at
# staggered moments: a terminal re-wraps what is on the screen the moment it is resized and tells the
# program later (tmux sends the new size up to 250 ms after a burst), so redraws computed for the old
# width reach a screen already re-wrapped; the display must come out right whatever the order.
# Also: SIGINT (Ctrl-C) and SIGTSTP (Ctrl-Z) leave the display whole with the shell's next line below
# it, and stderr that is not a terminal gets plain lines (no escape sequences).
source "$(dirname "$0")/lib.sh"
need tmux
need jq

W=$T_DIR/w
mkdir -p "$W"
SOCK="wlsimg-it-$$"
MARKS=12
tmux_kill() { tmux -L "$SOCK" kill-server 2>/dev/null; }
trap 'tmux_kill; t_cleanup' EXIT

# in_pane COLS NAME STORE CMD...: run CMD with WLSIMG_STORE=STORE in a new tmux window of COLS
# columns and 40 lines (the rest of the environment is this script's). It starts by printing MARKS
# lines "== NAME i ==" (what the display must leave alone above it) and ends by printing
# "EXIT=<status>". With JOBS set, the shell runs CMD as a job of its own (as an interactive one does),
# so that SIGTSTP stops it.
in_pane() {
  local cols=$1 name=$2 store=$3; shift 3
  local cmd sh
  printf -v cmd '%q ' env "WLSIMG_STORE=$store" "$@"
  sh="${JOBS:+set -m; }for i in \$(seq $MARKS); do echo \"== $name \$i ==\"; done; TERM=xterm-256color $cmd; echo EXIT=\$?; sleep 600"
  if ! tmux -L "$SOCK" has-session 2>/dev/null; then
    SHELL=/bin/bash tmux -L "$SOCK" -f /dev/null new-session -d -s it -n "$name" -x "$cols" -y 40 "$sh"
  else
    tmux -L "$SOCK" new-window -d -t it -n "$name" "$sh"
    resize "$name" "$cols"
  fi
}
capture() { tmux -L "$SOCK" capture-pane -p -t "it:$1"; }
resize() { tmux -L "$SOCK" resize-window -t "it:$1" -x "$2" -y 40; }
# wait_pane NAME TEXT: until TEXT is on the pane (at most 60 s).
wait_pane() {
  for _ in $(seq 1 600); do
    capture "$1" | grep -qF -- "$2" && return 0
    sleep 0.1
  done
  echo "pane $1 never showed \"$2\":" >&2
  capture "$1" >&2
  return 1
}

# marks_above NAME TEXT: how the marker lines at the top of TEXT (a screen of pane NAME) stand: "ok"
# when they are the last ones printed, in order, right above the rest; else what is wrong.
marks_above() {
  local k
  k=$(printf '%s\n' "$2" | grep -cE "^== $1 [0-9]+ ==\$")
  diff <(printf '%s\n' "$2" | head -n "$k") <(seq $((MARKS - k + 1)) "$MARKS" | sed "s/.*/== $1 & ==/") > /dev/null &&
    echo ok || echo "marker lines missing or out of place"
}

# check_screen DESC NAME COLS DONE_TEXT [RESIZED]: the pane's text after the transfer: the lines
# printed before the command, then one line per blob, each ending in DONE_TEXT, no line wider than
# COLS, nothing that is not a whole line of ours (not even an empty one). What the command printed on
# stdout at the end (the digest, which may wrap at 60 columns) is left out. In a pane that was made
# narrower (RESIZED set) the top lines may be gone: tmux keeps the screen's empty rows when it
# re-wraps and pushes what grows off the top into the scrollback; those that remain must be in place.
# The screen is shown when a check fails.
check_screen() {
  local desc=$1 name=$2 cols=$3 done=$4 resized=${5:-} screen k ids bad f0=$T_FAIL
  screen=$(capture "$name" | sed -E '/^(Pulled |sha256:)/,$d')
  k=$(printf '%s\n' "$screen" | grep -cE "^== $name [0-9]+ ==\$")
  check_eq "$desc: the lines above the display are left alone" "$(marks_above "$name" "$screen")" ok
  [ -n "$resized" ] || check_eq "$desc: all $MARKS of them on the screen" "$k" "$MARKS"
  screen=$(printf '%s\n' "$screen" | sed "1,${k}d")
  printf '%s\n' "$screen" > "$T_DIR/screen-$name.txt"
  ids=$(printf '%s\n' "$screen" | grep -oE '^[0-9a-f]{12}: ' | sort | uniq -c | awk '$1 != 1' | wc -l)
  check_eq "$desc: every blob has exactly one line" "$ids" 0
  check_eq "$desc: all $NBLOBS blobs end with \"$done\"" "$(printf '%s\n' "$screen" | grep -cE "^[0-9a-f]{12}: $done\$")" "$NBLOBS"
  bad=$(printf '%s\n' "$screen" | grep -vE "^[0-9a-f]{12}: " | head -3)
  check_eq "$desc: no wrapped fragments, empty or stray lines" "$bad" ""
  check_eq "$desc: no line wider than $cols columns" "$(printf '%s\n' "$screen" | awk -v c="$cols" 'length($0) > c' | wc -l)" 0
  check_eq "$desc: exit status 0" "$(capture "$name" | grep -o 'EXIT=[0-9]*')" "EXIT=0"
  [ "$T_FAIL" -eq "$f0" ] || capture "$name" | sed 's/^/    | /'
}

# The image: 5 layers of 384 KiB (and a config): 6 blobs.
make_layers_layout "$W/lay" v1 5 384
NBLOBS=6
start_wlsimg_registry "$T_DIR/reg1"
R1=$W_ADDR
check "put the image into the registry" "$WLSIMG" -q copy "oci:$W/lay:v1" "docker://$R1/test/app:v1"
slow_proxy "$R1" 600000
P1=$P_ADDR

# CPU load while the pulls below run: two busy loops, killed after them (and ended by timeout anyway).
for _ in 1 2; do timeout 30 sh -c 'while :; do :; done' & T_PIDS+=($!); done
BURNERS=("${T_PIDS[@]: -2}")

# A pull at 60 columns and one at 200, each into an empty store. A third starts at 200 columns and is
# made narrow once, while the bars are moving; three more start at 200 columns and are resized again
# and again while they run (below); one more is interrupted, one more stopped and continued.
in_pane 60 p60 "$T_DIR/s60" "$WLSIMG" pull -j 2 "$P1/test/app:v1"
in_pane 200 p200 "$T_DIR/s200" "$WLSIMG" pull -j 2 "$P1/test/app:v1"
in_pane 200 presize "$T_DIR/sresize" "$WLSIMG" pull -j 2 "$P1/test/app:v1"
RZ=(rz1 rz2 rz3)
for n in "${RZ[@]}"; do in_pane 200 "$n" "$T_DIR/s$n" "$WLSIMG" pull -j 2 "$P1/test/app:v1"; done
in_pane 60 pint "$T_DIR/spint" "$WLSIMG" pull -j 2 "$P1/test/app:v1"
JOBS=1 in_pane 60 ptstp "$T_DIR/sptstp" "$WLSIMG" pull -j 2 "$P1/test/app:v1"
# A whole line of the display at 60 columns, mid-transfer or done.
LINE='^[0-9a-f]{12}: (Waiting|Pulling( \[[=> ]+\])?( [0-9.]+k?B/[0-9.]+[kM]?B)?|Pull complete)$'
# block_ok TEXT RE: "ok" when TEXT is one line per blob, each matching RE; else what it is.
block_ok() {
  local n u
  n=$(printf '%s\n' "$1" | grep -cE "$2")
  u=$(printf '%s\n' "$1" | grep -E "$2" | cut -c1-12 | sort -u | wc -l)
  [ "$n/$u/$(printf '%s\n' "$1" | wc -l)" = "$NBLOBS/$NBLOBS/$NBLOBS" ] && echo ok || echo "$n matching, $u blobs, in $(printf '%s\n' "$1" | wc -l) lines"
}
# pane_pid NAME: the process the pane's shell runs (its only child); proc_state PID: R, S, T, ...
pane_pid() {
  local sh pid
  sh=$(tmux -L "$SOCK" display-message -p -t "it:$1" '#{pane_pid}')
  read -r pid _ < "/proc/$sh/task/$sh/children" # no new line at the end: read says 1
  echo "$pid"
}
proc_state() { sed -E 's/.*\) //; s/ .*//' "/proc/$1/stat"; }
# The moments in the middle of the transfers, taken as soon as a pane shows bars (one poll for all,
# at most 30 s): presize is made narrow; p60's screen must hold bars that fit, one line per blob; pint
# gets SIGINT (what Ctrl-C sends): the program dies of it, the lines stay whole and the shell's next
# line comes below them, not over them; ptstp gets SIGTSTP (Ctrl-Z): once it has stopped, the lines
# are whole with the shell's notice below them; then it is continued.
todo=" presize p60 pint ptstp "
for _ in $(seq 1 600); do
  for n in $todo; do
    if [ "$n" = stopped ]; then
      if [[ "$(proc_state "$TSTP_PID")" != T || "$(capture ptstp)" != *Stopped* ]]; then continue; fi
      scr=$(capture ptstp)
      check_eq "stopped pull: the lines are whole, the shell's notice below them" \
        "$(marks_above ptstp "$scr") $(block_ok "$(printf '%s\n' "$scr" | sed -n "$((MARKS + 1)),$((MARKS + NBLOBS))p")" "$LINE")" \
        "ok ok"
      kill -CONT "$TSTP_PID"
      todo=${todo/ stopped / }
      continue
    fi
    mid=$(capture "$n")
    [[ "$mid" == *"] "* ]] || continue
    todo=${todo/ $n / }
    case $n in
    presize)
      resize presize 60
      check "the resized pane was mid-transfer at 200 columns" grep -q "Pulling \[" <(capture presize; echo)
      ;;
    p60)
      check_eq "mid-pull at 60 columns: a bar fits in the line" \
        "$(printf '%s\n' "$mid" | grep -cE '^[0-9a-f]{12}: Pulling \[[=> ]{10,}\] [0-9.]+k?B/[0-9.]+[kM]?B$')" \
        "$(printf '%s\n' "$mid" | grep -c 'Pulling')"
      check_eq "mid-pull at 60 columns: one whole line per blob" "$(block_ok "$(printf '%s\n' "$mid" | sed "1,${MARKS}d")" "$LINE")" ok
      ;;
    pint) kill -INT "$(pane_pid pint)" ;;
    ptstp)
      TSTP_PID=$(pane_pid ptstp)
      kill -TSTP "$TSTP_PID"
      todo+="stopped "
      ;;
    esac
  done
  [ -z "${todo// /}" ] && break
  sleep 0.05
done
check_eq "every pane was seen mid-transfer" "${todo// /}" ""
# The resizes: each of the three in turn gets a width from the list, every 50-300 ms, until all three
# are done (at most 60 rounds); then 60 columns.
widths=(60 200 90 45 200 60 120 200 75)
pauses=(0.05 0.12 0.3 0.08 0.2)
for s in $(seq 0 59); do
  left=0
  for j in "${!RZ[@]}"; do
    capture "${RZ[$j]}" | grep -q "^EXIT=" && continue
    left=1
    resize "${RZ[$j]}" "${widths[$(((s + 3 * j) % ${#widths[@]}))]}"
  done
  [ "$left" -eq 0 ] && break
  sleep "${pauses[$((s % ${#pauses[@]}))]}"
done
check_eq "the resized pulls ended within the rounds" "$left" 0
for n in "${RZ[@]}"; do resize "$n" 60; done
for n in p60 p200 presize pint "${RZ[@]}"; do wait_pane "$n" "EXIT=" || true; done
wait_pane ptstp "Pulled " || true
kill "${BURNERS[@]}" 2>/dev/null
check_screen "pull at 60 columns" p60 60 "Pull complete"
check_screen "pull at 200 columns" p200 200 "Pull complete"
check_screen "pull resized from 200 to 60 columns" presize 60 "Pull complete" resized
for n in "${RZ[@]}"; do check_screen "pull resized again and again ($n)" "$n" 60 "Pull complete" resized; done
check_eq "at 60 columns no transfer line is left behind" "$(grep -c 'Pulling' "$T_DIR/screen-p60.txt")" 0
scr=$(capture pint)
check_eq "interrupted pull: the lines above the display are left alone" "$(marks_above pint "$scr")" ok
scr=$(printf '%s\n' "$scr" | sed "1,${MARKS}d")
check_eq "interrupted pull: one whole line per blob" "$(block_ok "$(printf '%s\n' "$scr" | head -n "$NBLOBS")" "$LINE")" ok
check_eq "interrupted pull: exit status 130 (SIGINT) on the line below, nothing else" \
  "$(printf '%s\n' "$scr" | sed "1,${NBLOBS}d")" "EXIT=130"
# Continued, it ran on in the background (the shell had taken the terminal back) and drew its
# display afresh below what the shell printed.
scr=$(capture ptstp | sed -E '/^(Pulled |sha256:)/,$d')
check_eq "stopped and continued pull: the lines above the display are left alone" "$(marks_above ptstp "$scr")" ok
check_eq "stopped and continued pull: the lines as they were when it stopped, the shell's, the display afresh" \
  "$(block_ok "$(printf '%s\n' "$scr" | sed -n "$((MARKS + 1)),$((MARKS + NBLOBS))p")" "$LINE") $(printf '%s\n' "$scr" | tail -n $((NBLOBS + 1)) | head -1) $(block_ok "$(printf '%s\n' "$scr" | tail -n "$NBLOBS")" ': Pull complete$')" \
  "ok EXIT=148 ok"
check "stopped and continued pull: it ended well" grep -q "^Pulled " <(capture ptstp)
[ "$T_FAIL" -eq 0 ] || for n in pint ptstp; do capture "$n" | sed "s/^/    $n | /"; done

# Push through the slow forwarder to another registry, at 60 columns.
start_wlsimg_registry "$T_DIR/reg2"
slow_proxy "$W_ADDR" 600000
in_pane 60 push60 "$T_DIR/s200" "$WLSIMG" push -j 2 "$P1/test/app:v1" "$P_ADDR/test/app:v1"
wait_pane push60 "EXIT=" || true
check_screen "push at 60 columns" push60 60 "Pushed"
check_eq "the pushed image is the pulled one" \
  "$("$WLSIMG" manifest "docker://$W_ADDR/test/app:v1" | sha256sum | cut -d' ' -f1)" \
  "$(jq -r '.manifests[0].digest' "$W/lay/index.json" | cut -d: -f2)"

# Not a terminal: one plain line per event, no escape sequences.
WLSIMG_STORE=$T_DIR/splain check "pull with stderr to a file" "$WLSIMG" pull "$R1/test/app:v1"
check_eq "plain lines carry no escape sequences" "$(grep -c $'\033' "$T_DIR/last.err")" 0
check_eq "plain lines: one 'Pull complete' per blob" "$(grep -c ': Pull complete$' "$T_DIR/last.err")" "$NBLOBS"
finish
