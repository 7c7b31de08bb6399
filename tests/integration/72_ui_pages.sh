#!/usr/bin/env bash
# wlsimg ui's API behind the Model, Image (Primary Image), Registries, Kubernetes and Project pages, with curl:
# the model report and the Code View's file reads (listed files only), the file picker (inside its roots),
# the cached WDT installers, validation of several actions at once, Check in Registry and Check Model jobs,
# saved logins (bad host, wrong token with its hint, Test Login with push rights, Log Out, Delete), the
# embedded registry (users, a token shown once and saved as the login, then used by skopeo), Import WKT UI
# project… (the passphrase asked for, refused when wrong; values encrypted by Node — WKT UI's own library —
# and by python3-cryptography both read back; chosen logins saved for the session), and every Code View
# rendering. No password or token comes back in any answer.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
need curl
need jq
need busybox
need skopeo
ROOT=$(cd "$T_HERE/../.." && pwd)
export WLSIMG_CACHEDIR="$T_DIR/cache" SOURCE_DATE_EPOCH=0
RESP="$T_DIR/responses"
mkdir -p "$RESP"
ui_lab_fixture

jq -n --arg url "$REG" --arg root "$T_DIR/registry" '{schema: "wlsimg.project/v1",
  model: {files: ["models/model.yaml"], variables: ["models/model.properties"], archives: ["models/archive.zip"]},
  registry: {url: $url, root: $root}}' > "$PROJ/wlsimg-project.json"
"$WLSIMG" ui --listen 127.0.0.1:0 --project "$PROJ/wlsimg-project.json" --idle-exit 5 > "$T_DIR/ui.out" 2> "$T_DIR/ui.err" &
UI_PID=$!
T_PIDS+=($UI_PID)
for _ in $(seq 1 200); do grep -q '^wlsimg ui: http' "$T_DIR/ui.out" && break; sleep 0.05; done
URL=$(sed -n 's/^wlsimg ui: //p' "$T_DIR/ui.out")
BASE=${URL%%/#*}
CJ="$T_DIR/cookies"
CSRF=$(curl -s -c "$CJ" -X POST -d "{\"token\":\"${URL##*#t=}\"}" "$BASE/api/session" | jq -r .csrf)
H=(-b "$CJ" -H "X-Wlsimg-CSRF: $CSRF")
req() { local name=$1; shift; curl -s -o "$RESP/$name" -w '%{http_code}' "${H[@]}" "$@"; }
body() { cat "$RESP/$1"; }
# events ID: the job's whole stream; result ID: its result event
result() { curl -s -N --max-time 60 "${H[@]}" "$BASE/api/jobs/$1/events" > "$RESP/ev-$1"; sed -n '/^event: result/{n;s/^data: //p}' "$RESP/ev-$1"; }
job() { curl -s "${H[@]}" -X POST -d "$1" "$BASE/api/jobs" | jq -r .id; }

# ---- Model ----
check_eq "model report" "$(req model "$BASE/api/model"; jq -r '[.files[] | .kind + ":" + (.ok|tostring)] | join(" ")' "$RESP/model")" \
  "200model:true variables:true archive:true"
check_eq "the model's secrets are listed (builtin ones marked)" "$(jq -r '[.secrets[] | .name + ":" + .key + ":" + (.builtin|tostring)] | join(" ")' "$RESP/model")" \
  "__weblogic-credentials__:username:true __weblogic-credentials__:password:true"
check_eq "@@PROP@@ tokens matched with the variables" "$(jq -r '[.props[] | .name + "=" + (.defined|tostring)] | join(" ")' "$RESP/model")" "CLUSTER_SIZE=true"
check_eq "wlsdeploy/ paths matched with the archive" "$(jq -r '.archiveRefs[0] | .path + " " + (.found|tostring)' "$RESP/model")" \
  "wlsdeploy/applications/sample-app.war true"
check_eq "Code View: a model file" "$(req mf "$BASE/api/model/file?kind=model&index=0"; grep -c '^# A small WebLogic Deploy Tooling model' "$RESP/mf")" "2001"
check_eq "Code View: only files the project lists" "$(req mf2 "$BASE/api/model/file?kind=model&index=1")" 404
check_eq "Code View: archive entries" "$(req ma "$BASE/api/model/archive?index=0"; jq -r '.entries | length' "$RESP/ma")" "2003"
check_eq "Check Model job" "$(result "$(job '{"type":"checkModel"}')" | jq -r .title)" "Check Model Complete"
printf 'a: b: c\n' > "$PROJ/models/bad.yaml"
curl -s "${H[@]}" -X PUT -d '{"model":{"files":["models/bad.yaml"]}}' "$BASE/api/project" > /dev/null
R=$(result "$(job '{"type":"checkModel"}')")
check_eq "Check Model Failed names the line" "$(jq -r '.title + ": " + .findings[0].message' <<< "$R" | grep -c 'Check Model Failed: Model Files: models/bad.yaml: line 1')" 1

# ---- the file picker ----
check_eq "picker: the project directory" "$(req fs "$BASE/api/fs?dir=$PROJ"; jq -r '[.entries[].name] | join(",")' "$RESP/fs")" \
  "200models,wlsimg-project.json"
check_eq "picker: nothing outside its roots" "$(req fs2 "$BASE/api/fs?dir=/etc")" 403
check_eq "cached WDT installers" "$(req wdt "$BASE/api/wdt"; jq -r '.installers[0].version' "$RESP/wdt")" "200latest"

# ---- several actions validated at once ----
jq -n --arg tag "$REG/ns/test-model-ocw:user3" --arg p "$REG/ns/test-model-ocw:user3" '{model: {files: ["models/model.yaml"],
  variables: ["models/model.properties"], archives: ["models/archive.zip"]}, image: {aux: {tag: $tag}, primary: {tag: $p}},
  k8s: {domainUid: "Bad_UID"}, registry: {url: "'"$REG"'", root: "'"$T_DIR/registry"'"}}' > "$T_DIR/p.json"
curl -s "${H[@]}" -X PUT --data-binary @"$T_DIR/p.json" "$BASE/api/project" > /dev/null
check_eq "validate several actions" \
  "$(req val "$BASE/api/validate" -X POST -d '{"actions":["createAuxImage","domain","checkImage"]}'; jq -r '[(.createAuxImage|length), (.domain[]|select(.severity=="error")|.field), (.checkImage|length)] | join(" ")' "$RESP/val")" \
  "2000 domain-uid 0"

# ---- Check in Registry (the primary image) ----
CID=$(job '{"type":"createAndPush","params":{"user":"ns/user3","password":"'"$TOKEN"'"}}')
check_eq "an image to check" "$(result "$CID" | jq -r .title)" "Push Image Complete"
R=$(result "$(job '{"type":"checkImage"}')")
check_eq "Check in Registry: found, with its digest" "$(jq -r .title <<< "$R") $(jq -r .message <<< "$R" | grep -c 'digest sha256:')" "Primary Image Found 1"
curl -s "${H[@]}" -X PUT --data-binary @<(jq --arg p "$REG/other/nothing:1" '.image.primary.tag=$p' "$T_DIR/p.json") "$BASE/api/project" > /dev/null
R=$(result "$(job '{"type":"checkImage"}')")
check_eq "Check in Registry: the registry's answer and a hint" "$(jq -r '.title + " " + (.error.status|tostring) + " " + .error.hint' <<< "$R")" \
  "Check in Registry Failed 403 The login works but has no access to other/nothing: check the namespace in the tag (other) and your repository policy."

# ---- saved logins ----
check_eq "a bad host is refused" "$(req c1 "$BASE/api/credentials" -X POST -d '{"host":"no spaces here","user":"u","password":"p"}'; jq -r .error.message "$RESP/c1")" \
  '400Registry Host: "no spaces here" is not a hostname[:port]'
check_eq "a wrong token: 401 with the hint" \
  "$(req c2 "$BASE/api/credentials" -X POST -d '{"host":"'"$REG"'","user":"ns/user3","password":"wrong-token"}'; jq -r '.error.status' "$RESP/c2")" "401401"
jq -n --arg h "$REG" --arg p "$TOKEN" '{host:$h, user:"ns/user3", password:$p, name:"lab", email:"u3@example.com"}' > "$T_DIR/login.json"
check_eq "login saved" "$(req c3 "$BASE/api/credentials" -X POST --data-binary @"$T_DIR/login.json"; jq -r '.stored' "$RESP/c3")" "201true"
check_eq "Registries table" "$(req regs "$BASE/api/registries"; jq -r '.[] | select(.host=="'"$REG"'") | .name + " " + .user + " " + .email' "$RESP/regs")" \
  "200lab ns/user3 u3@example.com"
check_eq "Test Login: push rights on the tag's repository" \
  "$(req t1 "$BASE/api/credentials/$REG/test" -X POST; jq -r '.message' "$RESP/t1")" "200Logged in to $REG as ns/user3; push to ns/test-model-ocw allowed"
check_eq "the test is recorded" "$(req regs2 "$BASE/api/registries"; jq -r '.[] | select(.host=="'"$REG"'") | .lastTest.ok' "$RESP/regs2")" "200true"
check_eq "Log Out" "$(req lo "$BASE/api/credentials/$REG" -X DELETE > /dev/null; req regs3 "$BASE/api/registries"; jq -r '.[] | select(.host=="'"$REG"'") | .stored' "$RESP/regs3")" "200false"
check_eq "Delete" "$(req del "$BASE/api/registries/$REG" -X DELETE > /dev/null; req regs4 "$BASE/api/registries"; jq -r '[.[] | select(.name=="lab")] | length' "$RESP/regs4")" "2000"

# ---- the embedded registry ----
check_eq "embedded registry reachable" "$(req emb "$BASE/api/embedded"; jq -r '.reachable, (.users|join(","))' "$RESP/emb" | tr '\n' ' ')" "200true ns/user3 "
check_eq "Add user" "$(req eu "$BASE/api/embedded/users" -X POST -d '{"user":"ns/user4"}')" 201
check_eq "Create token, saved as the login" "$(req et "$BASE/api/embedded/tokens" -X POST -d '{"user":"ns/user4","save":true,"where":"session"}'; jq -r '.saved' "$RESP/et")" "201session"
T4=$(jq -r .token "$RESP/et")
check "the new token works (skopeo)" skopeo login --tls-verify=false --username ns/user4 --password "$T4" --authfile "$T_DIR/sk.json" "$REG"
check_eq "a session login is listed" "$(req cs "$BASE/api/credentials?host=$REG"; jq -r '.[0] | .user + " " + .where' "$RESP/cs")" "200ns/user4 session"
mv "$RESP/et" "$T_DIR/token-answer" # the one answer that carries a token by design

# ---- Import WKT UI project… ----
cp "$ROOT/tests/ui/data/lab.wktproj" "$T_DIR/lab.wktproj"
check_eq "import asks for the passphrase" "$(req w1 "$BASE/api/import/wktproj" -X POST -d '{"path":"'"$T_DIR/lab.wktproj"'"}'; jq -r .needsPassphrase "$RESP/w1")" "401true"
check_eq "a wrong passphrase is refused" "$(req w2 "$BASE/api/import/wktproj" -X POST -d '{"path":"'"$T_DIR/lab.wktproj"'","passphrase":"nope"}'; jq -r .error.message "$RESP/w2" | grep -c 'wrong passphrase')" "4011"
check_eq "preview: logins found, passwords not returned" \
  "$(req w3 "$BASE/api/import/wktproj" -X POST -d '{"path":"'"$T_DIR/lab.wktproj"'","passphrase":"lab passphrase"}'; jq -r '[.logins[] | .name + "=" + .user + "@" + .host + ":" + (.hasPassword|tostring)] | join(" ")' "$RESP/w3")" \
  "200ocir-lhr=mytenancy/user3@lhr.ocir.io:true docker-hub=hubuser@docker.io:true"
check_eq "preview changes nothing" "$(jq -r .image.aux.tag "$PROJ/wlsimg-project.json")" "$REG/ns/test-model-ocw:user3"
check_eq "import with one login saved for the session" \
  "$(req w4 "$BASE/api/import/wktproj" -X POST -d '{"path":"'"$T_DIR/lab.wktproj"'","passphrase":"lab passphrase","apply":true,"logins":["ocir-lhr"],"where":"session"}'; jq -r '[.logins[] | .name + ":" + (.saved // "-")] | join(" ")' "$RESP/w4")" \
  "200ocir-lhr:session docker-hub:-"
check_eq "the project took the WKT settings" "$(jq -r '[.image.aux.tag, .image.aux.wdtHome, .k8s.domainUid, .k8s.context, .model.files[0]] | join(" ")' "$PROJ/wlsimg-project.json")" \
  "lhr.ocir.io/mytenancy/test-model-ocw:user3 /u01/wdt test-model-ocw oke-lhr $T_DIR/test-model-ocw-models/model.yaml"
check_eq "the saved login is the tag's host" "$(req cl "$BASE/api/credentials?host=lhr.ocir.io"; jq -r '.[0] | .user + " " + .where' "$RESP/cl")" "200mytenancy/user3 session"
# the same format written by a second implementation (python3-cryptography), read by wlsimg
/usr/bin/python3 - "$T_DIR/py.wktproj" << 'EOP'
import base64, json, os, sys, zlib
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
def enc(text, passphrase="py pass"):
    salt, iv = os.urandom(128), os.urandom(16)
    key = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=10000).derive(passphrase.encode())
    sealed = AESGCM(key).encrypt(iv, text.encode(), None)  # ciphertext || 16-byte tag
    fields = [sealed[-16:], sealed[:-16], iv, salt]
    return base64.b64encode(zlib.compress("-".join(base64.b64encode(f).decode() for f in fields).encode())).decode()
p = {"name": "py", "image": {"auxImageTag": "fra.ocir.io/ns2/app:1", "auxImageRegistryPushUser": enc("ns2/me"),
     "auxImageRegistryPushPassword": enc("tok;en")}, "model": {"modelFiles": ["m.yaml"]},
     "credentialPaths": ["image.auxImageRegistryPushUser", "image.auxImageRegistryPushPassword"]}
json.dump(p, open(sys.argv[1], "w"))
EOP
check_eq "a 1.x project encrypted by python3-cryptography" \
  "$(req w5 "$BASE/api/import/wktproj" -X POST -d '{"path":"'"$T_DIR/py.wktproj"'","passphrase":"py pass"}'; jq -r '.logins[0] | .user + "@" + .host + ":" + (.hasPassword|tostring)' "$RESP/w5")" \
  "200ns2/me@fra.ocir.io:true"

# ---- every Code View ----
for kind in cli wit k8s-cli kubectl project logins; do
  check_eq "render $kind" "$(req "r-$kind" "$BASE/api/render/$kind")" 200
done
check_eq "WIT variant: imagetool and docker login on stdin" "$(grep -c -e 'imagetool.sh createAuxImage' -e 'docker login -u mytenancy/user3 --password-stdin lhr.ocir.io' "$RESP/r-wit")" 2
check_eq "kubectl lines carry the context" "$(grep -c 'kubectl --context oke-lhr apply -f -' "$RESP/r-kubectl")" 2
check_eq "unknown kind" "$(req r-x "$BASE/api/render/nope")" 400
check_eq "no Domain without its model (the imported paths do not exist here)" \
  "$(req r-dom "$BASE/api/render/domain-yaml"; jq -r .error.message "$RESP/r-dom" | grep -c 'test-model-ocw-models/model.yaml')" "4041"

# ---- no secret in any answer ----
check_eq "no password or token in any answer" \
  "$(grep -rlF -e "$TOKEN" -e "auth-token-Ab1;x" -e "hub-password" -e "tok;en" -e "welcome1" -e "wrong-token" "$RESP" | wc -l)" 0
check_eq "nor in the server log" "$(grep -cF -e "$TOKEN" -e "$T4" -e "auth-token-Ab1;x" -e "lab passphrase" "$T_DIR/ui.err")" 0
# the server stops cleanly on SIGTERM (under ASan+UBSan: with no error or leak report)
kill -TERM "$UI_PID"
wait "$UI_PID"
check_eq "the server stopped cleanly" "$? $(grep -cE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T_DIR/ui.err")" "0 0"
finish
