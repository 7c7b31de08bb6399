#!/usr/bin/env bash
# wlsimg ui in a real browser (Debian's headless Chromium driven by python3-selenium, tests/ui/lab_flow.py):
# the lab's flow against `wlsimg registry serve --auth token` with tenancy user ns/user3 and an auth token —
# Image > Auxiliary Image, tag and push login filled, Create Auxiliary Image, Push Auxiliary Image — then the
# digest the page shows is the one the registry holds (skopeo), and the token is in no server log or argv.
# Screenshots of each step are kept in the test's output directory.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
need curl
need jq
need busybox
need skopeo
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || { echo "chromium/chromedriver missing (scripts/deps.sh installs them)"; exit 1; }
ROOT=$(cd "$T_HERE/../.." && pwd)
export WLSIMG_CACHEDIR="$T_DIR/cache" SOURCE_DATE_EPOCH=0
RESP="$T_DIR/responses" # every API answer is kept here and searched for the token at the end
mkdir -p "$RESP"

# the registry with tenancy user ns/user3 and its auth token, a busybox base, WDT in the cache, the model
ui_lab_fixture

printf '{"schema":"wlsimg.project/v1","model":{"files":["models/model.yaml"],"variables":["models/model.properties"],"archives":["models/archive.zip"]}}\n' \
  > "$PROJ/wlsimg-project.json"

# ---- the server and the browser ----
"$WLSIMG" ui --listen 127.0.0.1:0 --project "$PROJ/wlsimg-project.json" --idle-exit 5 \
  > "$T_DIR/ui.out" 2> "$T_DIR/ui.err" &
UI_PID=$!
T_PIDS+=($UI_PID)
for _ in $(seq 1 200); do grep -q '^wlsimg ui: http' "$T_DIR/ui.out" && break; sleep 0.05; done
URL=$(sed -n 's/^wlsimg ui: //p' "$T_DIR/ui.out")
TAG="$REG/ns/test-model-ocw:user3"
PWF="$T_DIR/password"
(umask 077; printf '%s\n' "$TOKEN" > "$PWF")
SHOTS="${WLSIMG_TEST_OUT:-$T_DIR}/ui-screenshots"
mkdir -p "$SHOTS"
timeout 120 /usr/bin/python3 "$ROOT/tests/ui/lab_flow.py" "$URL" "$TAG" ns/user3 "$PWF" "$SHOTS" \
  > "$T_DIR/flow.out" 2> "$T_DIR/flow.err"
check_eq "the browser flow ran" "$?" 0
ps -eo args > "$T_DIR/ps.txt"
val() { sed -n "s/^$1=//p" "$T_DIR/flow.out"; }
check_eq "the page removed the token from its URL" "$(val fragment_removed)" true
check_eq "create dialog" "$(val create_title)" "Create Auxiliary Image Complete"
check_eq "push dialog" "$(val push_title)" "Push Image Complete"
DIGEST=$(val push_digest)
check_eq "the page shows a digest" "$(printf '%s' "$DIGEST" | grep -cE '^sha256:[0-9a-f]{64}$')" 1
REGD=$(skopeo inspect --tls-verify=false --creds "ns/user3:$(cat "$PWF")" --raw "docker://$TAG" 2> /dev/null | sha256sum | cut -d' ' -f1)
check_eq "the registry holds exactly that digest (skopeo)" "sha256:$REGD" "$DIGEST"
check_eq "the token is not in the server log" "$(grep -cF -- "$TOKEN" "$T_DIR/ui.err")" 0
check_eq "the token is not in any argv" "$(grep -cF -- "$TOKEN" "$T_DIR/ps.txt")" 0
[ -s "$T_DIR/flow.err" ] && grep -v '^$' "$T_DIR/flow.err" | tail -5
finish
