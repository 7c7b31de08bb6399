#!/usr/bin/env bash
# wlsimg ui's Primary Image tab through its JSON API, with curl: "Create New Primary Image" (`wlsimg create`).
# Validation names the field and what is wrong: a bad tag, a bad owner, a JDK or WebLogic installer missing from
# the WIT cache (with the `wlsimg cache addInstaller` line that adds it), a container engine that is not installed,
# Oracle Support patches without a password. The Dockerfile preview (createPrimary with dryRun) resolves a patch
# through Oracle Support — a STAND-IN (tests/integration/aru-standin: Oracle Support cannot be reached from here)
# — and equals what `wlsimg create --dryRun` prints for the Code View's own command line; a wrong password is
# refused with WIT's IMG-0022. The Oracle Support password is in no API answer, log line, project file or argv.
# Push Primary Image pushes with the saved login. With buildah (vfs, chroot isolation, private storage): Cancel
# during the engine's build stops the engine's processes and names nothing in the store. The installers are
# stand-ins too (Oracle's cannot be downloaded here; a dry run never runs them).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
need curl
need jq
need busybox
need openssl
need python3
need skopeo
export WLSIMG_CACHEDIR="$T_DIR/cache" WLSIMG_BLDDIR="$T_DIR/bld" SOURCE_DATE_EPOCH=0
export WLSIMG_REST_RETRY_MAX=2 WLSIMG_REST_RETRY_INTERVAL=10
RESP="$T_DIR/responses" # every API answer, searched for the password at the end
mkdir -p "$RESP" "$WLSIMG_BLDDIR"
ui_lab_fixture

# ---- the Oracle Support stand-in, over HTTPS with a CA made now ----
SUPPORT_USER=tester@example.com
PW='Or4cle-Support:pässword'
start_aru_standin "$SUPPORT_USER" "$PW"

# ---- the server ----
# start_ui: the server (its log appended to ui.err), a session, and the headers of every call (H)
start_ui() {
  local url
  : > "$T_DIR/ui.out"
  "$WLSIMG" ui --listen 127.0.0.1:0 --project "$PROJ/wlsimg-project.json" --idle-exit 5 > "$T_DIR/ui.out" 2>> "$T_DIR/ui.err" &
  UI_PID=$!
  T_PIDS+=("$UI_PID")
  for _ in $(seq 1 200); do grep -q '^wlsimg ui: http' "$T_DIR/ui.out" && break; sleep 0.05; done
  url=$(sed -n 's/^wlsimg ui: //p' "$T_DIR/ui.out")
  BASE=${url%%/#*}
  CSRF=$(curl -s -c "$T_DIR/cookies" -X POST -d "{\"token\":\"${url##*#t=}\"}" "$BASE/api/session" | jq -r .csrf)
  H=(-b "$T_DIR/cookies" -H "X-Wlsimg-CSRF: $CSRF")
}
start_ui
# api ARGS...: an API call whose answer is kept in $RESP (R prints the last one); prints the status
api() {
  local f
  f=$(mktemp "$RESP/answer.XXXXXX")
  curl -s -o "$f" -w '%{http_code}' "${H[@]}" "$@"
  cp "$f" "$T_DIR/last-answer"
}
R() { cat "$T_DIR/last-answer"; }
put() { api -X PUT --data-binary @- "$BASE/api/project" > /dev/null; }
project() { curl -s "${H[@]}" "$BASE/api/project"; }
# findings ACTION: "field severity: message" lines
findings() { api -X POST -d "{\"action\":\"$1\"${2:+,$2}}" "$BASE/api/validate" > /dev/null; R | jq -r '.[] | .field + " " + .severity + ": " + .message'; }
# events ID: the job's whole stream; result: its result event
events() { curl -s -N --max-time 90 "${H[@]}" "$BASE/api/jobs/$1/events" > "$RESP/ev-$1"; }
result() { sed -n '/^event: result/{n;s/^data: //p}' "$RESP/ev-$1"; }
job() { api -X POST --data-binary @- "$BASE/api/jobs" > "$T_DIR/status"; R | jq -r '.id // empty'; }

check_eq "the engines of this machine are listed" \
  "$(api "$BASE/api/info" > /dev/null; R | jq -r '[.engines.engines[].name] | index("buildah") != null')" true
PRIM="$REG/ns/wls:12.2.1.4"
project | jq --arg t "$PRIM" '.image.primary.tag=$t | .image.primary.create.enabled=true
  | .image.primary.create.jdkVersion="8u401" | .image.primary.create.builder="buildah"' | put
check_eq "the project keeps the create settings" \
  "$(jq -r '.image.primary.create | [.enabled, .version, .jdkVersion, .builder] | map(tostring) | join(" ")' "$PROJ/wlsimg-project.json")" \
  "true 12.2.1.4.0 8u401 buildah"

# ---- validation: field-linked, naming what is missing ----
F=$(findings createPrimary)
check_eq "the JDK missing from the cache: its addInstaller line" \
  "$(grep -c '^primary-jdk-version error: JDK 8u401 for amd64 is not in the WIT cache .*wlsimg cache addInstaller --type jdk --version 8u401 --architecture AMD64 --path' <<< "$F")" 1
check_eq "the WebLogic installer missing: its addInstaller line" \
  "$(grep -c '^primary-version error: The wls installer 12.2.1.4.0 for amd64 .*wlsimg cache addInstaller --type wls --version 12.2.1.4.0 --architecture AMD64' <<< "$F")" 1
check_eq "a create with missing installers is refused (422, the fields named)" \
  "$(echo '{"type":"createPrimary"}' | job; cat "$T_DIR/status"; R | jq -r '[.validation[].field] | sort | join(",")')" \
  "422primary-jdk-version,primary-version"
project | jq '.image.primary.tag="127.0.0.1:5000/NS/wls:1" | .image.primary.create.owner="Oracle"' | put
F=$(findings createPrimary)
check_eq "a bad tag names the upper-case repository" "$(grep -c '^primary-tag error: Primary Image Tag: .*"NS/wls": repository name must be lowercase' <<< "$F")" 1
check_eq "a bad owner" "$(grep -c "^primary-owner error: File System Owner 'Oracle' is not a valid Unix name" <<< "$F")" 1
project | jq --arg t "$PRIM" '.image.primary.tag=$t | .image.primary.create.owner="oracle" | .image.primary.create.builder="/nonexistent/buildah"' | put
check_eq "an engine that is not installed" \
  "$(findings createPrimary | grep -c '^primary-builder error: The container engine /nonexistent/buildah is not installed here')" 1
check_eq "Preview Dockerfile needs no engine" "$(findings previewPrimary | grep -c '^primary-builder')" 0
project | jq '.image.primary.create.builder="buildah" | .image.primary.create.patches=["33333333"]
  | .image.primary.create.supportUser="'"$SUPPORT_USER"'"' | put
check_eq "patches through Oracle Support need the password" \
  "$(findings previewPrimary | grep -c "^primary-support-password error: Enter the Oracle Support password for $SUPPORT_USER")" 1
check_eq "… which the request carries" "$(findings previewPrimary '"supportPassword":true' | grep -c '^primary-support-password')" 0

# the installers (stand-ins) into the cache: the findings go
python3 - "$T_DIR" << 'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1] + '/fmw_12.2.1.4.0_wls_lite_Disk1_1of1.zip', 'w') as z:
    z.writestr('fmw_12.2.1.4.0_wls_lite_generic.jar', 'stand-in\n')
PY
echo stand-in > "$T_DIR/jdk-8u401-linux-x64.tar.gz"
"$WLSIMG" cache addInstaller --type jdk --version 8u401 --path "$T_DIR/jdk-8u401-linux-x64.tar.gz" > /dev/null 2>&1
"$WLSIMG" cache addInstaller --type wls --version 12.2.1.4.0 --architecture AMD64 \
  --path "$T_DIR/fmw_12.2.1.4.0_wls_lite_Disk1_1of1.zip" > /dev/null 2>&1
check_eq "installers in the cache: no finding left" "$(findings createPrimary '"supportPassword":true' | grep -c error)" 0

# ---- Preview Dockerfile: the patch from Oracle Support (stand-in), the Dockerfile of `wlsimg create --dryRun` ----
(for _ in $(seq 1 300); do ps -eo args; sleep 0.1; done) > "$T_DIR/ps.txt" 2> /dev/null &
PS_PID=$!
T_PIDS+=("$PS_PID")
# (jq reads the password from its environment: an argument would show in ps)
export PW
jq -n '{type:"createPrimary",params:{dryRun:true,supportPassword:("wrong-" + env.PW)}}' > "$T_DIR/bad.json"
J=$(job < "$T_DIR/bad.json")
events "$J"
check_eq "a wrong Oracle Support password: WIT's IMG-0022" \
  "$(result "$J" | jq -r '.title + ": " + .message' | grep -c '^Preview Dockerfile Failed: Could not preview the Dockerfile of .*: Check options and base image: Invalid Oracle support credentials')" 1
jq -n '{type:"createPrimary",params:{dryRun:true,supportPassword:env.PW}}' > "$T_DIR/good.json"
J=$(job < "$T_DIR/good.json")
events "$J"
RES=$(result "$J")
check_eq "Preview Dockerfile Complete" "$(jq -r .title <<< "$RES")" "Preview Dockerfile Complete"
check_eq "steps: check, installers, patches, context" \
  "$(sed -n '/^event: step/{n;s/^data: //p}' "$RESP/ev-$J" | jq -r 'select(.state != "running") | .id + "=" + .state' | tr '\n' ' ')" \
  "check=done installers=done patches=done context=done "
jq -r .dockerfile <<< "$RES" > "$T_DIR/ui.Dockerfile"
check "the patches are applied in it" grep -qF "opatch napply -silent -oh /u01/oracle" "$T_DIR/ui.Dockerfile"
check "the patch came from Oracle Support (stand-in) into the WIT cache" grep -q '^33333333_12\.2\.1\.4\.0=' "$WLSIMG_CACHEDIR/.metadata"
check_eq "the job log starts with the wlsimg create line" "$(api "$BASE/api/jobs/$J/log" > /dev/null; R | head -1)" \
  "\$ wlsimg create --tag $PRIM --type WLS --version 12.2.1.4.0 --jdkVersion 8u401 --patches 33333333 --user $SUPPORT_USER --passwordEnv ORACLE_SUPPORT_PASSWORD --builder buildah --dryRun"
check_eq "render primary-cli" "$(api "$BASE/api/render/primary-cli")" 200
LINE=$(R | head -1)
check_eq "the Code View's line is the job's" "\$ $LINE --dryRun" "$(curl -s "${H[@]}" "$BASE/api/jobs/$J/log" | head -1)"
# the same command line in a shell, with the password in the variable it names
ORACLE_SUPPORT_PASSWORD=$PW eval "\"\$WLSIMG\" ${LINE#wlsimg } --dryRun" > "$T_DIR/cli.out" 2> "$T_DIR/cli.err"
sed -n '/^########## BEGIN DOCKERFILE/,/^########## END DOCKERFILE/p' "$T_DIR/cli.out" | sed '1d;$d' > "$T_DIR/cli.Dockerfile"
norm() { sed 's/buildid="[0-9a-f-]*"/buildid="ID"/' "$1"; }
check "the Dockerfile equals wlsimg create --dryRun's (build ids aside)" cmp <(norm "$T_DIR/ui.Dockerfile") <(norm "$T_DIR/cli.Dockerfile")
check_eq "… which is not empty" "$(grep -c '^FROM ' "$T_DIR/cli.Dockerfile" | awk '{print ($1 >= 3)}')" 1
check_eq "render primary-wit: imagetool.sh with the engine named" \
  "$(api "$BASE/api/render/primary-wit" > /dev/null; R | head -1 | grep -c '^imagetool.sh create --tag .* --passwordEnv ORACLE_SUPPORT_PASSWORD --builder buildah$')" 1
check_eq "a dry run is not history" "$(jq '[.history[] | select(.kind == "createPrimaryImage")] | length' "$PROJ/wlsimg-project.json")" 0

# ---- Push Primary Image, with the saved login for the tag's host ----
api -X POST -d "{\"host\":\"$REG\",\"user\":\"ns/user3\",\"password\":\"$TOKEN\",\"where\":\"session\"}" "$BASE/api/credentials" > /dev/null
"$WLSIMG" tag busybox:latest "$PRIM" > /dev/null
J=$(echo '{"type":"pushPrimaryImage"}' | job)
events "$J"
RES=$(result "$J")
check_eq "Push Image Complete" "$(jq -r .title <<< "$RES")" "Push Image Complete"
check_eq "the registry holds that digest" \
  "sha256:$(skopeo inspect --tls-verify=false --creds "ns/user3:$TOKEN" --raw "docker://$PRIM" 2> /dev/null | sha256sum | cut -d' ' -f1)" \
  "$(jq -r .digest <<< "$RES")"
check_eq "the login step named the saved login" "$(grep -c "Log in to $REG as ns/user3" "$RESP/ev-$J" | awk '{print ($1 >= 1)}')" 1
check_eq "history: pushPrimaryImage" "$(jq -r '.history[0].kind' "$PROJ/wlsimg-project.json")" pushPrimaryImage

# ---- Cancel while the engine builds: its processes end, nothing is named ----
if command -v buildah > /dev/null && [ "$(id -u)" -eq 0 ]; then
  kill -TERM "$UI_PID"
  wait "$UI_PID"
  export BUILDAH_ISOLATION=chroot WLSIMG_BUILDER_OPTS="--root $T_DIR/broot --runroot $T_DIR/brun --storage-driver vfs"
  start_ui # with the engine's settings in its environment
  # a busybox base with JAVA_HOME and ORACLE_HOME (no installer is needed) whose grep never ends: the user step
  # of WIT's Dockerfile runs until it is stopped
  B="$T_DIR/slowroot"
  mkdir -p "$B/bin" "$B/etc" "$B/tmp"
  cp "$(command -v busybox)" "$B/bin/busybox"
  for lib in $(ldd "$(command -v busybox)" 2> /dev/null | grep -o '/[^ ]*'); do mkdir -p "$B$(dirname "$lib")"; cp -L "$lib" "$B$lib"; done
  for a in sh sleep; do ln -s busybox "$B/bin/$a"; done
  printf '#!/bin/sh\nsleep 300\n' > "$B/bin/grep"
  chmod +x "$B/bin/grep"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$B/etc/passwd"
  printf 'root:x:0:\n' > "$B/etc/group"
  tar --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$B" -cf "$T_DIR/slow.tar" .
  "$WLSIMG" import -c 'ENV JAVA_HOME=/u01/jdk' -c 'ENV ORACLE_HOME=/u01/oracle' -c 'ENV PATH=/bin' "$T_DIR/slow.tar" slowbase:1 > /dev/null
  mkdir -p "$DOCKER_CONFIG" && [ -f "$DOCKER_CONFIG/config.json" ] || echo '{}' > "$DOCKER_CONFIG/config.json"
  project | jq --arg t "$REG/ns/never:1" '.image.primary.tag=$t | .image.primary.create.fromImage="slowbase:1"
    | .image.primary.create.patches=[] | .image.primary.create.supportUser=""' | put
  J=$(echo '{"type":"createPrimary"}' | job)
  curl -s -N --max-time 90 "${H[@]}" "$BASE/api/jobs/$J/events" > "$RESP/ev-$J" &
  T_PIDS+=($!)
  # the engine's process group (its leader is this test's buildah, found by its storage root): other runs of the
  # suite on the machine may have a `sleep 300` of their own
  eng_pgid() { ps -eo pgid=,args= | awk -v r="$T_DIR/broot" '$2 == "buildah" && index($0, r) { print $1; exit }'; }
  for _ in $(seq 1 300); do PG=$(eng_pgid); [ -n "$PG" ] && ps -eo pgid=,args= | grep -qE "^ *$PG sleep 300$" && break; sleep 0.1; done
  check_eq "the engine runs WIT's user step" "$(ps -eo pgid=,args= | grep -cE "^ *${PG:-none} sleep 300$")" 1
  t0=$(date +%s)
  check_eq "cancel" "$(api -X POST "$BASE/api/jobs/$J/cancel"; R | jq -r .cancelled)" "202true"
  for _ in $(seq 1 300); do grep -q '^event: result' "$RESP/ev-$J" && break; sleep 0.1; done
  check_eq "Create Primary Image Cancelled" "$(result "$J" | jq -r .title)" "Create Primary Image Cancelled"
  check_eq "… within seconds" "$(( $(date +%s) - t0 < 10 ))" 1
  # (zombies are not running: whether they are reaped is up to the machine's init)
  left=$(ps -eo pid=,pgid=,stat=,args= | awk -v g="${PG:-none}" '$2 == g && $3 !~ /^Z/')
  [ -z "$left" ] || echo "still running after the cancel: $left"
  check_eq "the engine's processes have ended" "$(printf '%s' "$left" | grep -c .)" 0
  check_eq "the running step was the engine's" \
    "$(sed -n '/^event: step/{n;s/^data: //p}' "$RESP/ev-$J" | jq -r 'select(.state == "failed") | .label')" "Run buildah"
  check_eq "nothing is named in the store" "$("$WLSIMG" images | grep -c never)" 0
  check_eq "the build context is removed" "$(ls "$WLSIMG_BLDDIR" | wc -l)" 0
else
  echo "ok - # SKIP cancel during an engine build (needs buildah and root)"
fi

# ---- the Oracle Support password: nowhere ----
kill "$PS_PID" 2> /dev/null
b64=$(printf '%s:%s' "$SUPPORT_USER" "$PW" | base64 -w0)
check_eq "not in any API answer or event stream" "$(grep -rlF -e "$PW" -e "$b64" "$RESP" | wc -l)" 0
check_eq "not in the server log" "$(grep -cF -e "$PW" -e "$b64" "$T_DIR/ui.err")" 0
check_eq "not in the project file" "$(grep -cF -e "$PW" "$PROJ/wlsimg-project.json")" 0
check_eq "not in any argv" "$(grep -cF -e "$PW" "$T_DIR/ps.txt")" 0
check_eq "argv was sampled during the jobs" "$(grep -c 'wlsimg ui --listen' "$T_DIR/ps.txt" | awk '{print ($1 > 5)}')" 1
check_eq "Oracle Support was asked with it" "$(jq -r 'select(.listener == "aru") | .auth' "$S/requests.jsonl" | sort -u | tr '\n' ' ')" "bad ok "
kill -TERM "$UI_PID"
wait "$UI_PID"
check_eq "the server stopped cleanly" "$? $(grep -cE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T_DIR/ui.err")" "0 0"
finish
