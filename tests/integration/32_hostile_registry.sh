#!/usr/bin/env bash
# A malicious registry (tests/integration/hostile-registry, a test-only stand-in: no real registry misbehaves
# on purpose) tries to make the client leak its credentials through Link and upload Location headers and
# redirects that name another host (127.0.0.2) or port, to exhaust it with endless or looping pagination, and
# to drive the terminal with control characters in its error messages. It records every request it gets, so
# the test checks what reached which listener. Also: a wlsimg process cannot dump core or be read through
# /proc while it waits for a password.
. "$(dirname "$0")/lib.sh"
need python3
need jq

H="$T_DIR/hostile"
mkdir -p "$H"
python3 "$T_HERE/hostile-registry/hostile_registry.py" "$H" > "$H/server.log" 2>&1 &
T_PIDS+=($!)
for _ in $(seq 1 200); do [ -e "$H/addrs" ] && break; sleep 0.05; done
. "$H/addrs" # BASIC BEARER OTHER_HOST OTHER_PORT
REQS="$H/requests.jsonl"

# leaks ROLE: requests that carried an Authorization header to a listener that must never see one.
leaks() { jq -r --arg r "$1" 'select(.role == $r and .authorization != "") | .method + " " + .path' "$REQS" 2>/dev/null; }
# count ROLE METHOD PATH-PREFIX: requests a listener received.
count() { jq -r --arg r "$1" --arg m "$2" --arg p "$3" 'select(.role == $r and .method == $m and (.path | startswith($p))) | .path' "$REQS" 2>/dev/null | wc -l; }
no_leak() { # no_leak DESC: neither the other host nor the other port ever saw an Authorization header
  local l
  l=$(leaks other_host; leaks other_port)
  if [ -z "$l" ]; then ok "$1"; else not_ok "$1: credentials sent to another host: $(echo "$l" | head -3 | tr '\n' ' ')"; fi
}

for reg in "$BASIC" "$BEARER"; do
  check "login to the hostile registry ($reg)" sh -c "printf s3cret | '$WLSIMG' login --username alice --password-stdin $reg"
done

# --- 1. credentials only to the registry they belong to ---
for reg in "$BASIC" "$BEARER"; do
  kind=$([ "$reg" = "$BASIC" ] && echo Basic || echo Bearer)
  check_fail "$kind: a Link to another host is not followed" 1 "Link to another host" "$WLSIMG" tags "$reg/linkhost"
  check_eq "$kind: the other host got no request at all" "$(count other_host GET /v2/linkhost)" 0
  check_fail "$kind: a Link to another port is not followed" 1 "Link to another host" "$WLSIMG" tags "$reg/linkport"
  check_eq "$kind: the other port got no request at all" "$(count other_port GET /v2/linkport)" 0
  no_leak "$kind: no credentials off-host after the Link headers"

  # an upload Location on another host or port gets the blob, but no Authorization
  lay="$T_DIR/lay"
  [ -d "$lay" ] || make_oci_layout "$lay" v1 "hostile registry test" > /dev/null
  for r in uploadhost uploadport; do
    check "$kind: push with an upload Location on another $([ $r = uploadhost ] && echo host || echo port)" \
      "$WLSIMG" copy -q "oci:$lay:v1" "docker://$reg/$r:1"
  done
  check_eq "$kind: the other host received the upload" "$([ "$(count other_host PUT /upload/uploadhost)" -ge 2 ] && echo yes)" yes
  no_leak "$kind: no credentials sent with uploads to another host or port"
  # a 401 from the other host must not start a token flow that sends our password to its realm
  check_fail "$kind: a 401 from the upload host names it and sends nothing" 1 "127.0.0.2" \
    "$WLSIMG" copy -q --retry-times 0 "oci:$lay:v1" "docker://$reg/upload401:1"
  check_eq "$kind: the other host's token endpoint was never asked" "$(count other_host GET /token)" 0
  no_leak "$kind: no credentials after the other host's 401"
done

# redirects: libcurl drops Authorization when scheme, host or port change
for r in redirhost redirport; do
  check "a manifest GET follows a redirect to another $([ $r = redirhost ] && echo host || echo port)" "$WLSIMG" manifest "$BASIC/$r:1"
done
check_eq "the redirect targets were reached" "$(($(count other_host GET /redirected/) + $(count other_port GET /redirected/)))" 2
no_leak "no credentials sent across redirects"

# same-host Link pages are followed, with credentials
check "a Link on the same host is followed" "$WLSIMG" tags "$BASIC/samehost"
check_eq "both pages listed" "$(tr '\n' ' ' < "$T_DIR/last.out")" "a b "

# --- 2. pagination that never ends ---
check_fail "a Link that points back to itself is a loop" 1 "Link loop" timeout 20 "$WLSIMG" tags "$BASIC/loop"
check_fail "two pages that point at each other are a loop" 1 "Link loop" timeout 20 "$WLSIMG" tags "$BEARER/loop2"
# endless 1 MiB pages: bounded in total size (the memory cap turns an unbounded client into a quick failure,
# not into a machine-wide out-of-memory; sanitizers reserve too much address space for it)
check_fail "endless large pages stop at the size limit" 1 "larger than" \
  bash -c '[ -n "${WLSIMG_SANITIZED:-}" ] || ulimit -v 1500000; exec timeout 60 "$0" tags "$1"' "$WLSIMG" "$BASIC/bigpages"

# --- 4. registry text is escaped before it reaches the terminal ---
evil_free() { # evil_free DESC FILE: no ESC, CR, BEL or C1 CSI byte, one line
  if LC_ALL=C grep -q $'[\x1b\r\x07\x9b]' "$2"; then not_ok "$1: raw control characters: $(od -c "$2" | head -3)"
  elif [ "$(wc -l < "$2")" -ne 1 ]; then not_ok "$1: $(wc -l < "$2") lines"; sed 's/^/    /' "$2"
  else ok "$1"; fi
}
check_fail "a registry error message full of control characters" 1 'NAME_UNKNOWN: \x1b[2J\x1b]0;owned\x07gone\rwlsimg: forged line\n\u009b31m' \
  "$WLSIMG" tags "$BASIC/esc"
evil_free "escaped error message" "$T_DIR/last.err"
check_fail "a non-JSON error body with control characters" 1 "HTTP 418" "$WLSIMG" tags "$BASIC/escraw"
evil_free "escaped error body" "$T_DIR/last.err"
check_fail "a 403 with control characters in message and detail" 1 "DENIED" "$WLSIMG" manifest "$BASIC/esc403:1"
evil_free "escaped 403 message and detail" "$T_DIR/last.err"

# --- 3. no core dump, no /proc access while a password is being read ---
fifo="$T_DIR/pw.fifo"
mkfifo "$fifo"
chmod 777 "$T_DIR" "$fifo"
setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$T_DIR" "$WLSIMG" login --username alice \
  --password-stdin "$BASIC" < "$fifo" > /dev/null 2>&1 &
pid=$!
exec 9> "$fifo" # the writer end stays open and silent: login waits on stdin
for _ in $(seq 1 100); do
  [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$WLSIMG")" ] && grep -q 'Max core file size *0 *0' "/proc/$pid/limits" && break
  sleep 0.05
done
check "login is still waiting for the password" kill -0 "$pid"
check "core file size limit is 0 while the password is read" grep -qE 'Max core file size +0 +0 ' "/proc/$pid/limits"
check_eq "the process is not dumpable (its /proc files belong to root, not to its user)" "$(stat -c %u "/proc/$pid/environ")" 0
kill "$pid" 2> /dev/null
exec 9>&-
wait "$pid" 2> /dev/null

finish
