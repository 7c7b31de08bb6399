#!/usr/bin/env bash
# wlsimg ui's JSON API with curl: the session handshake and its refusals (no cookie 401, forged Host or
# Origin 403, no CSRF header 403), the project file, a createAuxImage job and a push job against
# `wlsimg registry serve --auth token` (tenancy user ns/user3 with an auth token), the event stream
# replayed on reconnect, a prompt answered and one cancelled, 409 while a job runs, the 401 of a wrong
# token with its hint, a re-push of the tag with new content (the prompt, and "Bump tag"), Cancel during
# an upload (through tests/ui/slowlink.py, a slow link in front of the real registry) leaving the store
# consistent and the tag absent, then a retry that completes, and the auth token in no API answer, log
# line or process argv.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
need curl
need jq
need busybox
ROOT=$(cd "$T_HERE/../.." && pwd)
export WLSIMG_CACHEDIR="$T_DIR/cache" SOURCE_DATE_EPOCH=0
RESP="$T_DIR/responses" # every API answer is kept here and searched for the token at the end
mkdir -p "$RESP"

# the registry with tenancy user ns/user3 and its auth token, a busybox base, WDT in the cache, the model
ui_lab_fixture

# ---- the server ----
"$WLSIMG" ui --listen 127.0.0.1:0 --project "$PROJ/wlsimg-project.json" --idle-exit 5 \
  > "$T_DIR/ui.out" 2> "$T_DIR/ui.err" &
UI_PID=$!
T_PIDS+=($UI_PID)
for _ in $(seq 1 200); do grep -q '^wlsimg ui: http' "$T_DIR/ui.out" && break; sleep 0.05; done
URL=$(sed -n 's/^wlsimg ui: //p' "$T_DIR/ui.out")
BASE=${URL%%/#*}
UITOKEN=${URL##*#t=}
check_eq "the URL is loopback with a 128-bit token" \
  "$(printf '%s' "$URL" | grep -cE '^http://127\.0\.0\.1:[0-9]+/#t=[0-9a-f]{32}$')" 1

# req NAME CURL-ARGS...: an API call; the body goes to $RESP/NAME, the status is printed.
req() {
  local name=$1; shift
  curl -s -o "$RESP/$name" -w '%{http_code}' "$@"
}
CJ="$T_DIR/cookies"

check_eq "refuse a non-loopback --listen" \
  "$("$WLSIMG" ui --listen 192.0.2.1:0 2>&1 > /dev/null | grep -c 'allow-remote')" 1
check_eq "page served with CSP" \
  "$(curl -s -D - -o /dev/null "$BASE/" | tr -d '\r' | grep -c "^Content-Security-Policy: default-src 'self'; frame-ancestors 'none'$")" 1
check_eq "no cookie: 401" "$(req nocookie "$BASE/api/project")" 401
check_eq "forged Host: 403" "$(req badhost -H 'Host: evil.example:80' "$BASE/")" 403
check_eq "wrong session token: 401" "$(req badtok -X POST -d '{"token":"00000000000000000000000000000000"}' "$BASE/api/session")" 401
check_eq "session from the URL token" "$(req session -c "$CJ" -X POST -d "{\"token\":\"$UITOKEN\"}" "$BASE/api/session")" 200
check_eq "the URL token works once" "$(req session2 -X POST -d "{\"token\":\"$UITOKEN\"}" "$BASE/api/session")" 401
CSRF=$(jq -r .csrf "$RESP/session")
check_eq "cookie is HttpOnly and SameSite=Strict" "$(grep -c 'HttpOnly' "$CJ")" 1
H=(-b "$CJ" -H "X-Wlsimg-CSRF: $CSRF")
check_eq "missing CSRF header: 403" "$(req nocsrf -b "$CJ" "$BASE/api/project")" 403
check_eq "forged Origin: 403" "$(req origin "${H[@]}" -H 'Origin: http://evil.example' -X PUT -d '{}' "$BASE/api/project")" 403
check_eq "cross-site fetch: 403" "$(req site "${H[@]}" -H 'Sec-Fetch-Site: cross-site' "$BASE/api/project")" 403
check_eq "GET /api/session again gives the CSRF value" "$(req again -b "$CJ" "$BASE/api/session"; jq -r .csrf "$RESP/again")" "200$CSRF"
check_eq "API answers are no-store" \
  "$(curl -s -D - -o /dev/null "${H[@]}" "$BASE/api/project" | tr -d '\r' | grep -c '^Cache-Control: no-store$')" 1

# ---- project ----
check_eq "GET project (defaults)" "$(req proj0 "${H[@]}" "$BASE/api/project"; jq -r .image.primary.tag "$RESP/proj0")" \
  "200container-registry.oracle.com/middleware/weblogic:12.2.1.4-slim-ol8"
TAG="$REG/ns/test-model-ocw:user3"
jq --arg tag "$TAG" '.image.aux.tag=$tag | .model.files=["models/model.yaml"] | .model.variables=["models/model.properties"]
  | .model.archives=["models/archive.zip"] | .image.aux.offerPrepareModel=true' "$RESP/proj0" > "$T_DIR/proj1.json"
check_eq "PUT project" "$(req put1 "${H[@]}" -X PUT --data-binary @"$T_DIR/proj1.json" "$BASE/api/project")" 200
check_eq "the project file was written" "$(jq -r .image.aux.tag "$PROJ/wlsimg-project.json")" "$TAG"
check_eq "an unknown setting is refused with its path" \
  "$(req put2 "${H[@]}" -X PUT -d '{"image":{"aux":{"tagg":"x"}}}' "$BASE/api/project"; jq -r .error.message "$RESP/put2")" \
  "400image.aux.tagg: unknown setting"
check_eq "validate: a bad tag is named" \
  "$(curl -s "${H[@]}" -X PUT -d '{"image":{"aux":{"tag":"127.0.0.1:1/NS/x:1"}}}' "$BASE/api/project" > /dev/null
     req val1 "${H[@]}" -X POST -d '{"action":"createAuxImage"}' "$BASE/api/validate"; jq -r '.[] | select(.field=="aux-tag") | .severity' "$RESP/val1" | head -1)" \
  "200error"
check_eq "a job with invalid input is refused (422)" \
  "$(req job422 "${H[@]}" -X POST -d '{"type":"createAuxImage"}' "$BASE/api/jobs")" 422
curl -s "${H[@]}" -X PUT --data-binary @"$T_DIR/proj1.json" "$BASE/api/project" > /dev/null
check_eq "namespace of the user differs from the tag's: warning" \
  "$(req val2 "${H[@]}" -X POST -d '{"action":"pushAuxImage","user":"other/user3"}' "$BASE/api/validate"; jq -r '.[] | select(.field=="aux-push-user") | .severity' "$RESP/val2")" \
  "200warning"

# events ID NAME: the whole event stream of a job (it ends when the job has ended).
events() {
  curl -s -N --max-time 60 "${H[@]}" "$BASE/api/jobs/$1/events" > "$RESP/$2"
}
# wait_prompt ID: until the job asks.
wait_prompt() {
  for _ in $(seq 1 200); do
    curl -s --max-time 2 "${H[@]}" "$BASE/api/jobs/$1/events" -o "$T_DIR/partial" 2> /dev/null
    grep -q '^event: prompt' "$T_DIR/partial" && return 0
    sleep 0.05
  done
  return 1
}

# ---- createAuxImage with the lab's "run Prepare Model?" prompt: cancel once, answer No once ----
check_eq "createAuxImage job accepted" "$(req job1 "${H[@]}" -X POST -d '{"type":"createAuxImage"}' "$BASE/api/jobs")" 202
J1=$(jq -r .id "$RESP/job1")
wait_prompt "$J1"
check_eq "a second job while one runs: 409" \
  "$(req job409 "${H[@]}" -X POST -d '{"type":"pushAuxImage"}' "$BASE/api/jobs"; jq -r .running.id "$RESP/job409")" "409$J1"
check_eq "cancel" "$(req cancel1 "${H[@]}" -X POST "$BASE/api/jobs/$J1/cancel")" 202
events "$J1" ev1
check_eq "cancelled job's result" "$(sed -n 's/^data: //p' "$RESP/ev1" | jq -r 'select(.title) | .title' | tail -1)" \
  "Create Auxiliary Image Cancelled"
check_eq "cancelled job's state" "$(req job1d "${H[@]}" "$BASE/api/jobs/$J1"; jq -r .state "$RESP/job1d")" "200cancelled"

check_eq "createAuxImage again" "$(req job2 "${H[@]}" -X POST -d '{"type":"createAuxImage"}' "$BASE/api/jobs")" 202
J2=$(jq -r .id "$RESP/job2")
wait_prompt "$J2"
check_eq "answer No" "$(req ans "${H[@]}" -X POST -d '{"prompt":"prepareModel","value":"No"}' "$BASE/api/jobs/$J2/answer")" 200
events "$J2" ev2
RESULT=$(sed -n '/^event: result/{n;s/^data: //p}' "$RESP/ev2")
check_eq "Create Auxiliary Image Complete" "$(jq -r .title <<< "$RESULT")" "Create Auxiliary Image Complete"
BUILT=$(jq -r .digest <<< "$RESULT")
check_eq "the store holds the image with that digest" \
  "$(req img "${H[@]}" "$BASE/api/store/images/$TAG"; jq -r .digest "$RESP/img")" "200$BUILT"
check_eq "steps reported" "$(grep -c '^event: step' "$RESP/ev2")" 10
events "$J2" ev2b
check_eq "the stream replays from the start on reconnect" "$(cmp -s "$RESP/ev2" "$RESP/ev2b" && echo same)" same
check_eq "Last-Event-ID resumes after that event" \
  "$(curl -s -N --max-time 10 "${H[@]}" -H 'Last-Event-ID: 3' "$BASE/api/jobs/$J2/events" | grep -m1 '^id:')" "id: 4"

# ---- push with a wrong token: 401 and the hint ----
jq -n --arg u ns/user3 '{type:"pushAuxImage",params:{user:$u,password:"not-the-token",remember:false}}' > "$T_DIR/bad.json"
check_eq "push job (wrong token)" "$(req job3 "${H[@]}" -X POST --data-binary @"$T_DIR/bad.json" "$BASE/api/jobs")" 202
events "$(jq -r .id "$RESP/job3")" ev3
BAD=$(sed -n '/^event: result/{n;s/^data: //p}' "$RESP/ev3")
check_eq "Push Auxiliary Image Failed, HTTP 401" "$(jq -r '.title + " " + (.error.status|tostring)' <<< "$BAD")" \
  "Push Auxiliary Image Failed 401"
check_eq "the hint names auth tokens" "$(jq -r .error.hint <<< "$BAD" | grep -c 'auth token')" 1

# ---- push with the auth token (saved to the login file) ----
jq -n --arg u ns/user3 --arg p "$TOKEN" '{type:"pushAuxImage",params:{user:$u,password:$p}}' > "$T_DIR/push.json"
check_eq "push job" "$(req job4 "${H[@]}" -X POST --data-binary @"$T_DIR/push.json" "$BASE/api/jobs")" 202
J4=$(jq -r .id "$RESP/job4")
ps -o args= -p "$UI_PID" > "$T_DIR/ps.txt"
events "$J4" ev4
PUSHED=$(sed -n '/^event: result/{n;s/^data: //p}' "$RESP/ev4")
check_eq "Push Image Complete" "$(jq -r .title <<< "$PUSHED")" "Push Image Complete"
DIGEST=$(jq -r .digest <<< "$PUSHED")
check_eq "per-layer progress events" "$(grep -c '^event: blob' "$RESP/ev4" | awk '{print ($1 >= 3)}')" 1
check_eq "the registry holds exactly that digest" \
  "sha256:$("$WLSIMG" manifest "docker://$TAG" | sha256sum | cut -d' ' -f1)" "$DIGEST"
check_eq "the login was saved with mode 0600" "$(stat -c %a "$DOCKER_CONFIG/config.json")" 600
check_eq "credentials list shows the login, without a secret" \
  "$(req creds "${H[@]}" "$BASE/api/credentials"; jq -r '.[0] | .user + " " + (.stored|tostring)' "$RESP/creds")" "200ns/user3 true"
check_eq "job log" "$(req log4 "${H[@]}" "$BASE/api/jobs/$J4/log")" 200
check_eq "history records the push" "$(jq -r '.history[0].digest' "$PROJ/wlsimg-project.json")" "$DIGEST"

# ---- rendered outputs ----
check_eq "render cli" "$(req cli "${H[@]}" "$BASE/api/render/cli"; grep -c 'wlsimg push' "$RESP/cli")" "2001"
check_eq "render secret-yaml is redacted" "$(req sec "${H[@]}" "$BASE/api/render/secret-yaml?name=ocir-pull&namespace=domain1-ns"; grep -c '<redacted>' "$RESP/sec")" "2001"
curl -s "${H[@]}" "$BASE/api/render/secret-yaml?name=ocir-pull&namespace=domain1-ns&reveal=1" > "$T_DIR/secret-revealed.yaml"
"$WLSIMG" k8s secret docker-registry ocir-pull -n domain1-ns --docker-server "$REG" --docker-username ns/user3 \
  --from-login > "$T_DIR/secret-cli.yaml"
check "revealed secret equals wlsimg k8s secret docker-registry --from-login" cmp "$T_DIR/secret-revealed.yaml" "$T_DIR/secret-cli.yaml"
curl -s "${H[@]}" -X PUT --data-binary @<(jq '.k8s.domainUid="domain1" | .k8s.namespace="domain1-ns" | .k8s.env=["CUSTOM_DOMAIN_NAME=domain1"]' "$PROJ/wlsimg-project.json") \
  "$BASE/api/project" > /dev/null
check_eq "domain-yaml pins the aux image by digest" \
  "$(req dom "${H[@]}" "$BASE/api/render/domain-yaml"; grep -c "image: $TAG@$DIGEST" "$RESP/dom")" "2001"

# ---- a re-push of the tag with other content: the job asks, and "Bump tag" pushes user3-2 ----
printf '# changed\n' >> "$PROJ/models/model.properties"
check_eq "create again (new content)" "$(req job5 "${H[@]}" -X POST -d '{"type":"createAuxImage"}' "$BASE/api/jobs")" 202
J5=$(jq -r .id "$RESP/job5")
wait_prompt "$J5"
curl -s "${H[@]}" -X POST -d '{"prompt":"prepareModel","value":"No"}' "$BASE/api/jobs/$J5/answer" > /dev/null
events "$J5" ev5
NEW=$(sed -n '/^event: result/{n;s/^data: //p}' "$RESP/ev5" | jq -r .digest)
check_eq "the new content has another digest" "$([ "$NEW" != "$DIGEST" ] && [ -n "$NEW" ] && echo yes)" yes
check_eq "push (stored login)" "$(req job6 "${H[@]}" -X POST -d '{"type":"pushAuxImage"}' "$BASE/api/jobs")" 202
J6=$(jq -r .id "$RESP/job6")
wait_prompt "$J6"
check_eq "the prompt says the tag exists with the old digest" \
  "$(sed -n '/^event: prompt/{n;s/^data: //p}' "$T_DIR/partial" | jq -r '.question' | grep -c "already exists with digest $DIGEST")" 1
check_eq "Bump tag" "$(req ans6 "${H[@]}" -X POST -d '{"prompt":"repush","value":"Bump tag to user3-2"}' "$BASE/api/jobs/$J6/answer")" 200
events "$J6" ev6
BUMPED=$(sed -n '/^event: result/{n;s/^data: //p}' "$RESP/ev6")
check_eq "pushed as :user3-2" "$(jq -r '.title + " " + .ref' <<< "$BUMPED")" "Push Image Complete $REG/ns/test-model-ocw:user3-2"
check_eq "the old tag keeps its digest" "sha256:$("$WLSIMG" manifest "docker://$TAG" | sha256sum | cut -d' ' -f1)" "$DIGEST"
check_eq "the project's tag follows" "$(jq -r .image.aux.tag "$PROJ/wlsimg-project.json")" "$REG/ns/test-model-ocw:user3-2"

# ---- Cancel during an upload, through a slow link (1 MiB/s) in front of the registry ----
head -c 3000000 /dev/urandom > "$T_DIR/big.bin"
mkdir -p "$T_DIR/bigzip/wlsdeploy/applications"
cp "$T_DIR/big.bin" "$T_DIR/bigzip/wlsdeploy/applications/big.bin"
(cd "$T_DIR/bigzip" && zip -q -0 -r "$PROJ/models/big.zip" wlsdeploy)
python3 "$ROOT/tests/ui/slowlink.py" "$REG" 1048576 > "$T_DIR/slow.port" &
T_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$T_DIR/slow.port" ] && break; sleep 0.05; done
SLOW="127.0.0.1:$(cat "$T_DIR/slow.port")"
BIG="$SLOW/ns/big-model:1"
jq --arg tag "$BIG" '.image.aux.tag=$tag | .model.archives=["models/archive.zip","models/big.zip"] | .image.aux.offerPrepareModel=false' \
  "$PROJ/wlsimg-project.json" > "$T_DIR/proj-big.json"
curl -s "${H[@]}" -X PUT --data-binary @"$T_DIR/proj-big.json" "$BASE/api/project" > /dev/null
check_eq "create the big image" "$(req job7 "${H[@]}" -X POST -d '{"type":"createAuxImage"}' "$BASE/api/jobs")" 202
events "$(jq -r .id "$RESP/job7")" ev7
LOCAL=$(sed -n '/^event: result/{n;s/^data: //p}' "$RESP/ev7" | jq -r .digest)
check_eq "created" "$(printf '%s' "$LOCAL" | grep -c '^sha256:')" 1
jq -n --arg u ns/user3 --arg p "$TOKEN" '{type:"pushAuxImage",params:{user:$u,password:$p,remember:false}}' > "$T_DIR/push-big.json"
check_eq "push through the slow link" "$(req job8 "${H[@]}" -X POST --data-binary @"$T_DIR/push-big.json" "$BASE/api/jobs")" 202
J8=$(jq -r .id "$RESP/job8")
curl -s -N --max-time 60 "${H[@]}" "$BASE/api/jobs/$J8/events" > "$RESP/ev8" &
T_PIDS+=($!)
for _ in $(seq 1 400); do grep -q '"event":"bytes"' "$RESP/ev8" && break; sleep 0.05; done
check_eq "cancel while layers upload" "$(req cancel8 "${H[@]}" -X POST "$BASE/api/jobs/$J8/cancel"; jq -r .cancelled "$RESP/cancel8")" "202true"
for _ in $(seq 1 200); do grep -q '^event: result' "$RESP/ev8" && break; sleep 0.05; done
check_eq "Push Auxiliary Image Cancelled" "$(sed -n '/^event: result/{n;s/^data: //p}' "$RESP/ev8" | jq -r .title)" \
  "Push Auxiliary Image Cancelled"
check_eq "the upload had not finished" "$(grep -c '"event":"done","done":3' "$RESP/ev8")" 0
check_fail "the registry has no such tag" 1 "" skopeo inspect --tls-verify=false --creds "ns/user3:$TOKEN" --raw "docker://$REG/ns/big-model:1"
check_eq "the store still names the image with its digest" \
  "$("$WLSIMG" images --digests --no-trunc | awk -v r="$SLOW/ns/big-model" '$1 == r {print $3}')" "$LOCAL"
bad=0
for b in "$WLSIMG_STORE"/blobs/sha256/*; do
  [ "$(sha256sum < "$b" | cut -d' ' -f1)" = "$(basename "$b")" ] || bad=$((bad + 1))
done
check_eq "every blob in the store matches its digest" "$bad" 0
check_eq "retry" "$(req job9 "${H[@]}" -X POST --data-binary @"$T_DIR/push-big.json" "$BASE/api/jobs")" 202
events "$(jq -r .id "$RESP/job9")" ev9
RETRY=$(sed -n '/^event: result/{n;s/^data: //p}' "$RESP/ev9")
check_eq "the retry completes with the local digest" "$(jq -r '.title + " " + .digest' <<< "$RETRY")" "Push Image Complete $LOCAL"

# ---- no secret anywhere ----
check_eq "the token is in no API answer" "$(grep -rlF -- "$TOKEN" "$RESP" | wc -l)" 0
check_eq "the token is not in the server log" "$(grep -cF -- "$TOKEN" "$T_DIR/ui.err")" 0
check_eq "the token is not in the server's argv" "$(grep -cF -- "$TOKEN" "$T_DIR/ps.txt")" 0
check_eq "the wrong token is not in the log either" "$(grep -cF -- not-the-token "$T_DIR/ui.err" "$RESP/log4" | awk -F: '{s+=$2} END {print s}')" 0
# the server stops cleanly on SIGTERM (under ASan+UBSan: with no error or leak report)
kill -TERM "$UI_PID"
wait "$UI_PID"
check_eq "the server stopped cleanly" "$? $(grep -cE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T_DIR/ui.err")" "0 0"
finish
