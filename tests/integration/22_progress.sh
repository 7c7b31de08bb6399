#!/usr/bin/env bash
# The progress display of pull and push in a real terminal: tmux panes of 60 and 200 columns, a pane
# resized from 200 to 60 in the middle of a pull, against `wlsimg registry serve` on loopback behind a
# forwarder that slows the transfer down (slowproxy.py) so there is a middle to see. Checked with
# capture-pane: every layer has exactly one line, no line is a wrapped fragment, nothing is repeated.
# Also: plain lines (no escape sequences) when stderr is not a terminal.
source "$(dirname "$0")/lib.sh"
need tmux
need jq

W=$T_DIR/w
mkdir -p "$W"
SOCK="wlsimg-it-$$"
tmux_kill() { tmux -L "$SOCK" kill-server 2>/dev/null; }
trap "tmux_kill; [ -n "${KEEP:-}" ] && cp -r "$T_DIR"/screen-* /tmp/scr/ ; t_cleanup" EXIT

# in_pane COLS NAME STORE CMD...: run CMD with WLSIMG_STORE=STORE in a new tmux window of COLS
# columns and 40 lines (the rest of the environment is this script's). It ends by printing
# "EXIT=<status>".
in_pane() {
  local cols=$1 name=$2 store=$3; shift 3
  local cmd
  printf -v cmd '%q ' env "WLSIMG_STORE=$store" "$@"
  if ! tmux -L "$SOCK" has-session 2>/dev/null; then
    tmux -L "$SOCK" -f /dev/null new-session -d -s it -n "$name" -x "$cols" -y 40 \
      "TERM=xterm-256color $cmd; echo EXIT=\$?; sleep 600"
  else
    tmux -L "$SOCK" new-window -d -t it -n "$name" "TERM=xterm-256color $cmd; echo EXIT=\$?; sleep 600"
    tmux -L "$SOCK" resize-window -t "it:$name" -x "$cols" -y 40
  fi
}
capture() { tmux -L "$SOCK" capture-pane -p -t "it:$1"; }
# wait_pane NAME TEXT: until TEXT is on the pane (at most 60 s).
wait_pane() {
  local i
  for i in $(seq 1 600); do
    capture "$1" | grep -qF -- "$2" && return 0
    sleep 0.1
  done
  echo "pane $1 never showed \"$2\":" >&2
  capture "$1" >&2
  return 1
}

# check_screen DESC NAME COLS DONE_TEXT: the pane's text after the transfer: one line per blob, each
# ending in DONE_TEXT, no line wider than COLS, nothing that is not a whole line of ours. What the
# command printed on stdout at the end (the digest, which may wrap at 60 columns) is left out.
check_screen() {
  local desc=$1 name=$2 cols=$3 done=$4 screen ids bad
  screen=$(capture "$name" | sed -E '/^(Pulled |sha256:)/,$d')
  printf '%s\n' "$screen" > "$T_DIR/screen-$name.txt"
  ids=$(printf '%s\n' "$screen" | grep -oE '^[0-9a-f]{12}: ' | sort | uniq -c | awk '$1 != 1' | wc -l)
  check_eq "$desc: every blob has exactly one line" "$ids" 0
  check_eq "$desc: all $NBLOBS blobs end with \"$done\"" "$(printf '%s\n' "$screen" | grep -cE "^[0-9a-f]{12}: $done\$")" "$NBLOBS"
  bad=$(printf '%s\n' "$screen" | grep -vE "^([0-9a-f]{12}: |$)" | head -3)
  check_eq "$desc: no wrapped fragments or stray lines" "$bad" ""
  check_eq "$desc: no line wider than $cols columns" "$(printf '%s\n' "$screen" | awk -v c="$cols" 'length($0) > c' | wc -l)" 0
  check_eq "$desc: exit status 0" "$(capture "$name" | grep -o 'EXIT=[0-9]*')" "EXIT=0"
}

# The image: 5 layers of 384 KiB (and a config): 6 blobs.
make_layers_layout "$W/lay" v1 5 384
NBLOBS=6
start_wlsimg_registry "$T_DIR/reg1"
R1=$W_ADDR
check "put the image into the registry" "$WLSIMG" -q copy "oci:$W/lay:v1" "docker://$R1/test/app:v1"
slow_proxy "$R1" 600000
P1=$P_ADDR

# A pull at 60 columns and one at 200, each into an empty store.
in_pane 60 p60 "$T_DIR/s60" "$WLSIMG" pull -j 2 "$P1/test/app:v1"
in_pane 200 p200 "$T_DIR/s200" "$WLSIMG" pull -j 2 "$P1/test/app:v1"
# Mid-transfer at 60 columns: bars that fit, one line per blob.
if wait_pane p60 "] "; then
  mid=$(capture p60)
  check_eq "mid-pull at 60 columns: a bar fits in the line" \
    "$(printf '%s\n' "$mid" | grep -cE '^[0-9a-f]{12}: Pulling \[[=> ]{10,}\] [0-9.]+k?B/[0-9.]+[kM]?B$')" \
    "$(printf '%s\n' "$mid" | grep -c 'Pulling')"
  check_eq "mid-pull at 60 columns: every line is a blob's" "$(printf '%s\n' "$mid" | grep -vcE '^([0-9a-f]{12}: |$)')" 0
  check_eq "mid-pull at 60 columns: one line per blob" "$(printf '%s\n' "$mid" | grep -cE '^[0-9a-f]{12}: ')" "$NBLOBS"
fi
# The third starts at 200 columns and is made narrow while the bars are moving.
in_pane 200 presize "$T_DIR/sresize" "$WLSIMG" pull -j 2 "$P1/test/app:v1"
wait_pane presize "] " && tmux -L "$SOCK" resize-window -t it:presize -x 60 -y 40
check "the resized pane was mid-transfer at 200 columns" grep -q "Pulling \[" <(capture presize; echo)
for n in p60 p200 presize; do wait_pane "$n" "EXIT=" || true; done
check_screen "pull at 60 columns" p60 60 "Pull complete"
check_screen "pull at 200 columns" p200 200 "Pull complete"
check_screen "pull resized from 200 to 60 columns" presize 60 "Pull complete"
check_eq "at 60 columns no transfer line is left behind" "$(grep -c 'Pulling' "$T_DIR/screen-p60.txt")" 0

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
