#!/usr/bin/env bash
# wlsimg k8s: pull and generic secrets byte for byte against kubectl's own --dry-run=client output,
# --from-login with a real registry login, a Domain for auxiliary images built by createAuxImage (paths and
# model from the image; manifest and config only for a registry image), every generated Domain and Cluster
# validated against our JSON Schemas of the operator's CRDs (python3-jsonschema), patches checked with the real
# `kubectl patch --local`, the model's macros (@@SECRET/@@ENV/@@PROP), JRF, terminal prompts in tmux, and
# --apply/rollout --wait/serviceaccount through a stub kubectl that records argv and stdin (no API server can
# run here; the stub is a stand-in that answers "get" from canned files and proves no secret is on argv).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
need kubectl
need python3
need jq
need tmux
ROOT=$(cd "$T_HERE/../.." && pwd)
DATA="$T_HERE/data/k8s"
REAL_KUBECTL=$(command -v kubectl)
# check_w: check, keeping the command's stdout/stderr in $T_DIR/o and $T_DIR/e for the checks that follow
check_w() { check "$@"; cp "$T_DIR/last.out" "$T_DIR/o"; cp "$T_DIR/last.err" "$T_DIR/e"; }
# check_bad: check_fail, and nothing may have been written to stdout
check_bad() {
  local desc=$1
  check_fail "$@"
  [ -s "$T_DIR/last.out" ] && not_ok "$desc: something was written to stdout"
  return 0
}
# valid DESC FILE: the Domain and Cluster resources in FILE (YAML or JSON) must satisfy tests/data/wko's
# schemas; kept here and checked by valid_all in one python3-jsonschema run at the end
VALID="$T_DIR/valid"
mkdir -p "$VALID"
valid() { local n; n=$(printf '%03d' "$(ls "$VALID" | wc -l)"); cp "$2" "$VALID/$n"; printf '%s\n' "$1" > "$VALID/$n.desc"; }
valid_all() {
  local f out
  (cd "$VALID" && /usr/bin/python3 "$T_HERE/wko_validate.py" $(ls | grep -v '\.desc$')) > "$T_DIR/valid.out" 2>&1
  for f in $(ls "$VALID" | grep -v '\.desc$'); do
    out=$(grep "^$f: " "$T_DIR/valid.out")
    if printf '%s\n' "$out" | tail -1 | grep -q ' valid$'; then ok "$(cat "$VALID/$f.desc"): valid against the WKO schemas"; else
      not_ok "$(cat "$VALID/$f.desc"): valid against the WKO schemas"; printf '%s\n' "$out" | sed 's/^/    /'; fi
  done
}
# json_ok DESC FILE: jq parses it
json_ok() { check "$1: jq parses it" jq -e . "$2"; }

# ---- 1. docker-registry secrets: identical to kubectl create secret docker-registry --dry-run=client ----
# compare DESC NAME NS SERVER USER PASSWORD EMAIL (empty NS/SERVER/EMAIL = option not given)
compare() {
  local desc=$1 name=$2 ns=$3 server=$4 user=$5 pass=$6 email=$7 fmt kargs wargs
  kargs=(create secret docker-registry "$name" --docker-username="$user" --docker-password="$pass" --dry-run=client)
  wargs=(k8s secret docker-registry "$name" --docker-username "$user" --docker-password-stdin)
  [ -n "$ns" ] && kargs+=(-n "$ns") && wargs+=(-n "$ns")
  [ -n "$server" ] && kargs+=(--docker-server="$server") && wargs+=(--docker-server "$server")
  [ -n "$email" ] && kargs+=(--docker-email="$email") && wargs+=(--docker-email "$email")
  for fmt in yaml json; do
    "$REAL_KUBECTL" "${kargs[@]}" -o "$fmt" > "$T_DIR/want.$fmt" 2> "$T_DIR/want.err"
    printf '%s\n' "$pass" | "$WLSIMG" "${wargs[@]}" -o "$fmt" > "$T_DIR/got.$fmt" 2> "$T_DIR/got.err"
    if cmp -s "$T_DIR/want.$fmt" "$T_DIR/got.$fmt"; then ok "$desc (-o $fmt)"; else
      not_ok "$desc (-o $fmt)"; diff "$T_DIR/want.$fmt" "$T_DIR/got.$fmt" | head -10 | sed 's/^/    /'; cat "$T_DIR/got.err"; fi
  done
}
compare "default server (Docker Hub key)" regcred "" "" alice s3cret ""
compare "reference example: OCIR user with a slash, namespace" regcred domain1-ns phx.ocir.io mytenancy/alice s3cret ""
compare "custom server with a port and e-mail" local-pull ns1 127.0.0.1:5000 bob 'pw0rd' bob@example.com
compare "federated OCIR user name" ocir-pull domain1-ns iad.ocir.io 'tenancy/oracleidentitycloudservice/u@x.com' 'aB3$;x' ""
compare "password with < > & \" \\ (Go JSON escaping)" regcred domain1-ns phx.ocir.io t/u 'p<a>&ss"w\x' "e<m>@x.com"
compare "password with unicode, tab and U+2028" uni "" "https://index.docker.io/v1/" 'jürgen' $'pässwörd€\t\u2028end' ""
compare "numeric-looking name and namespace are quoted like kubectl" 123 2024-01-15 r.example.com u p ""
compare "dotted secret name" my.pull.secret default registry.example.com:443 u 'x y z' ""

# names and namespaces that YAML could read as numbers, booleans, dates …: quoted exactly as kubectl quotes them
bad=0
while read -r n; do
  ns=$(printf '%s' "$n" | tr -d .)
  "$REAL_KUBECTL" create secret docker-registry "$n" -n "$ns" --docker-username=u --docker-password=p --dry-run=client \
    -o yaml > "$T_DIR/want.name" 2> /dev/null
  printf 'p\n' | "$WLSIMG" k8s secret docker-registry "$n" -n "$ns" --docker-username u --docker-password-stdin > "$T_DIR/got.name" 2>&1
  cmp -s "$T_DIR/want.name" "$T_DIR/got.name" || { bad=$((bad + 1)); echo "    differs for $n"; }
done < "$DATA/names.txt"
check_eq "$(wc -l < "$DATA/names.txt") tricky names quoted like kubectl" "$bad" 0

# ---- 2. --from-login: the login saved by 'wlsimg login' against a real registry ----
start_registry basic
printf 's3cret\n' | "$WLSIMG" login --tls-verify=false -u alice --password-stdin "$REG_ADDR" > /dev/null 2>&1
"$REAL_KUBECTL" create secret docker-registry reg -n apps --docker-server="$REG_ADDR" --docker-username=alice \
  --docker-password=s3cret --dry-run=client -o yaml > "$T_DIR/want.login"
check_w "--from-login uses the stored login" "$WLSIMG" k8s secret docker-registry reg -n apps --docker-server "$REG_ADDR" --from-login
check "--from-login output equals kubectl's" cmp "$T_DIR/want.login" "$T_DIR/o"
check_w "--image takes the server from the reference" "$WLSIMG" k8s secret docker-registry reg -n apps \
  --image "$REG_ADDR/tenancy/aux:1.0" --from-login
check "--image output equals kubectl's" cmp "$T_DIR/want.login" "$T_DIR/o"
check_fail "--from-login for an unknown registry" 1 "no stored login for nowhere.example.com; run wlsimg login nowhere.example.com" \
  "$WLSIMG" k8s secret docker-registry reg --docker-server nowhere.example.com --from-login
# an identity token (docker's "<token>" entry) cannot go into a pull secret
cfg="$DOCKER_CONFIG/config.json"
python3 - "$cfg" << 'PY'
import base64, json, sys
p = sys.argv[1]
c = json.load(open(p))
c.setdefault('auths', {})['tok.example.com'] = {'auth': base64.b64encode(b'<token>:').decode(), 'identitytoken': 'refresh-XYZ'}
json.dump(c, open(p, 'w'))
PY
check_fail "--from-login with an identity token" 1 "cannot use it in a pull secret" \
  "$WLSIMG" k8s secret docker-registry reg --docker-server tok.example.com --from-login
# a credential helper (docker-credential-<name> on PATH) answers for its registry
mkdir -p "$T_DIR/helper"
cat > "$T_DIR/helper/docker-credential-k8stest" << 'EOS'
#!/bin/sh
[ "$1" = get ] || exit 1
read -r server
[ "$server" = helper.example.com ] || { echo "credentials not found in native keychain"; exit 1; }
printf '{"ServerURL":"helper.example.com","Username":"hu","Secret":"h&lper<pw>"}\n'
EOS
chmod +x "$T_DIR/helper/docker-credential-k8stest"
python3 - "$cfg" << 'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c['credHelpers'] = {'helper.example.com': 'k8stest'}
json.dump(c, open(p, 'w'))
PY
"$REAL_KUBECTL" create secret docker-registry reg --docker-server=helper.example.com --docker-username=hu \
  --docker-password='h&lper<pw>' --dry-run=client -o yaml > "$T_DIR/want.helper"
check_w "--from-login through a credential helper" env PATH="$T_DIR/helper:$PATH" "$WLSIMG" k8s secret docker-registry reg \
  --docker-server helper.example.com --from-login
check "credential-helper secret equals kubectl's" cmp "$T_DIR/want.helper" "$T_DIR/o"
check_fail "--from-login username mismatch" 1 "differs from the stored login" \
  "$WLSIMG" k8s secret docker-registry reg --docker-server "$REG_ADDR" --docker-username bob --from-login

# ---- 3. bad input ----
check_fail "invalid secret name" 1 'invalid secret name "Bad_Name": must be a lowercase RFC 1123 subdomain' \
  sh -c 'echo pw | "$0" k8s secret docker-registry Bad_Name --docker-username u --docker-password-stdin' "$WLSIMG"
check_fail "invalid namespace" 1 'invalid namespace "My.NS"' \
  sh -c 'echo pw | "$0" k8s secret docker-registry ok -n My.NS --docker-username u --docker-password-stdin' "$WLSIMG"
check_fail "empty password on stdin" 1 "empty password" \
  sh -c 'printf "" | "$0" k8s secret docker-registry ok --docker-username u --docker-password-stdin' "$WLSIMG"
check_fail "a password with a NUL byte is refused, not cut short" 1 "the password contains a NUL byte" \
  sh -c 'printf "pa\\0ss" | "$0" k8s secret docker-registry ok --docker-username u --docker-password-stdin' "$WLSIMG"
check_fail "an oversized password is refused, not truncated" 1 "the password on stdin is longer than 65536 bytes" \
  sh -c 'head -c 70000 /dev/zero | tr "\\0" a | "$0" k8s secret docker-registry ok --docker-username u --docker-password-stdin' "$WLSIMG"
check_fail "no password source" 2 "give exactly one of --docker-password-stdin and --from-login" \
  "$WLSIMG" k8s secret docker-registry ok --docker-username u
check_bad "--docker-password is refused as login refuses --password" 2 \
  "there is no --docker-password option (it would leak through ps and shell history); pipe the password into --docker-password-stdin" \
  "$WLSIMG" k8s secret docker-registry ok --docker-username u --docker-password=p
check_bad "--docker-password as a separate word too" 2 "there is no --docker-password option" \
  "$WLSIMG" k8s secret docker-registry ok --docker-username u --docker-password p
check_bad "--from-literal is refused for secret values" 2 \
  "there is no --from-literal option (it would leak through ps and shell history); put KEY=VALUE lines in a file for --from-env-file" \
  "$WLSIMG" k8s secret generic g --from-literal=password=p
check_bad "invalid domain UID" 1 'invalid domain UID "Domain_1"' \
  "$WLSIMG" k8s domain --domain-uid Domain_1 --image wls:1 --weblogic-credentials-secret c --no-inspect
check_bad "a domain UID over the operator's 45 characters" 1 "46 characters; the operator allows at most 45 (^[a-z0-9-.]{1,45}\$)" \
  "$WLSIMG" k8s domain --domain-uid "$(printf 'd%.0s' $(seq 46))" --image wls:1 --weblogic-credentials-secret c --no-inspect
check_bad "rollout checks the UID the same way" 1 "the operator allows at most 45" \
  "$WLSIMG" k8s rollout --domain-uid "$(printf 'd%.0s' $(seq 46))" --image wls:2 --restart-version 2
check_bad "restartVersion must be a label value" 1 'invalid restartVersion "v 2"' \
  "$WLSIMG" k8s domain --domain-uid d1 --image wls:1 --weblogic-credentials-secret c --no-inspect --restart-version 'v 2'
check_bad "rollout's restartVersion too" 1 'invalid restartVersion "-2"' \
  "$WLSIMG" k8s rollout --domain-uid d1 --image wls:2 --restart-version=-2
check_bad "a Cluster resource name that is no Kubernetes name" 1 'invalid Cluster resource name "d1-c.-x"' \
  "$WLSIMG" k8s domain --domain-uid d1 --image wls:1 --weblogic-credentials-secret c --no-inspect --cluster 'c.-x'
check_bad "--env may not set what the operator sets" 1 "DOMAIN_UID is set by the operator" \
  "$WLSIMG" k8s domain --domain-uid d1 --image wls:1 --weblogic-credentials-secret c --no-inspect --env DOMAIN_UID=x
check_bad "--env names follow Kubernetes" 1 '"1X" is not a valid environment variable name' \
  "$WLSIMG" k8s domain --domain-uid d1 --image wls:1 --weblogic-credentials-secret c --no-inspect --env 1X=y
check_bad "--env without =" 2 "--env A: expected NAME=VALUE" \
  "$WLSIMG" k8s domain --domain-uid d1 --image wls:1 --weblogic-credentials-secret c --no-inspect --env A
check_bad "--model-home must be absolute" 1 'invalid modelHome "models": expected an absolute path' \
  "$WLSIMG" k8s domain --domain-uid d1 --image wls:1 --weblogic-credentials-secret c --no-inspect --model-home models
check_bad "--opss-* without JRF" 2 "the --opss-* options are for --domain-type JRF" \
  "$WLSIMG" k8s domain --domain-uid d1 --image wls:1 --weblogic-credentials-secret c --no-inspect --opss-wallet-file /dev/null
check_fail "missing WebLogic credentials" 1 "the WebLogic credentials secret is required" \
  "$WLSIMG" k8s domain --domain-uid d1 --image wls:1 --no-inspect
check_fail "bad credentials file" 1 "expected username=… and password=… lines" \
  "$WLSIMG" k8s domain --domain-uid d1 --image wls:1 --no-inspect --weblogic-credentials-file /dev/null
printf 'v' > "$T_DIR/v.txt"
check_fail "output that cannot be written is a failure, not success" 1 "write to standard output: No space left on device" \
  sh -c '"$0" k8s secret generic g --from-file "$1" > /dev/full' "$WLSIMG" "$T_DIR/v.txt"
printf 'A=1\nB=se\0cret\nC=3\n' > "$T_DIR/nul.env"
check_fail "an env file with a NUL byte is refused, not cut short" 1 "nul.env: contains a NUL byte" \
  "$WLSIMG" k8s secret generic g --from-env-file "$T_DIR/nul.env"
printf '\n' > "$T_DIR/empty.pw"
check_fail "an empty runtime encryption password file" 1 "runtime encryption password: $T_DIR/empty.pw is empty" \
  "$WLSIMG" k8s domain --domain-uid d1 --image wls:1 --no-inspect --weblogic-credentials-secret c \
  --runtime-encryption-secret-file "$T_DIR/empty.pw"
check_w "credentials file through a pipe" sh -c 'printf "username=u\npassword=p\n" | "$0" k8s domain --domain-uid d1 --image wls:1 --no-inspect --weblogic-credentials-file /dev/stdin --runtime-encryption-secret c2' "$WLSIMG"
check "the pipe's credentials are used" grep -qF "d1-weblogic-credentials" "$T_DIR/o"
check_bad "invalid pull secret name" 1 'invalid pull secret name "OCIR"' \
  "$WLSIMG" k8s domain --domain-uid d1 --image wls:1 --no-inspect --weblogic-credentials-secret c --pull-secret OCIR
check_bad "invalid introspectVersion" 1 'invalid introspectVersion "a b"' \
  "$WLSIMG" k8s domain --domain-uid d1 --image wls:1 --no-inspect --weblogic-credentials-secret c --introspect-version 'a b'
check_fail "invalid image reference" 1 'invalid repository name "Wls"' \
  "$WLSIMG" k8s domain --domain-uid d1 --image Wls:1 --no-inspect --weblogic-credentials-secret c
check_fail "auxiliary image not found anywhere" 1 "use --no-inspect" \
  "$WLSIMG" k8s domain --domain-uid d1 --image wls:1 --aux-image "$REG_ADDR/none/such:1" --weblogic-credentials-secret c \
  --runtime-encryption-secret e --tls-verify=false

# ---- 4. Domain for auxiliary images built by createAuxImage ----
export WLSIMG_CACHEDIR="$T_DIR/cache" SOURCE_DATE_EPOCH=0
make_oci_layout "$T_DIR/base" base "a base layer" > /dev/null
"$WLSIMG" copy "oci:$T_DIR/base:base" localhost/base:1 > /dev/null 2>&1
FX="$T_DIR/fx"
"$ROOT/examples/make-fixtures.sh" "$FX" 4.3.1 > /dev/null
cp "$ROOT/examples/model.yaml" "$ROOT/examples/model.properties" "$FX/"
"$WLSIMG" cache addInstaller --type wdt --version latest --path "$FX/weblogic-deploy.zip" > /dev/null 2>&1
build() { (cd "$FX" && "$WLSIMG" createAuxImage --fromImage localhost/base:1 "$@" > /dev/null 2>&1); }
MODEL=(--wdtModel model.yaml --wdtVariables model.properties)
check "aux image with --wdtHome /u01/wdt --wdtModelHome /u01/wdt/models" build --tag example.com/t/custom:1 \
  "${MODEL[@]}" --wdtHome /u01/wdt --wdtModelHome /u01/wdt/models
check "aux image with models only (--wdtVersion none)" build --tag example.com/t/models:1 "${MODEL[@]}" --wdtVersion none
check "aux image with WDT only" build --tag example.com/t/wdt:1
check "aux image at the defaults" build --tag example.com/t/default:latest "${MODEL[@]}"
printf 'username=weblogic\npassword=welcome1\n' > "$T_DIR/wls.creds"
printf 'encrypt-me\n' > "$T_DIR/enc.pw"
# the example model names the domain with @@ENV:CUSTOM_DOMAIN_NAME@@
DOM=(k8s domain --domain-uid domain1 -n domain1-ns
  --image container-registry.oracle.com/middleware/weblogic:14.1.2.0-generic-jdk17-ol8
  --pull-secret ocr-pull --pull-secret ocir-pull --replicas 2 --cluster cluster_1
  --weblogic-credentials-file "$T_DIR/wls.creds" --runtime-encryption-secret-file "$T_DIR/enc.pw"
  --env CUSTOM_DOMAIN_NAME=domain1)
check_w "domain for the custom-path image" "$WLSIMG" "${DOM[@]}" --aux-image example.com/t/custom:1
check "domain YAML equals the expected file" diff -u "$DATA/domain-custom.yaml" "$T_DIR/o"
cp "$T_DIR/o" "$T_DIR/domain.yaml"
valid "domain for the custom-path image" "$T_DIR/domain.yaml"
check "generated YAML parses (PyYAML) and has exactly the reference's fields" python3 - "$T_DIR/domain.yaml" << 'PY'
import base64, sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
kinds = [d['kind'] for d in docs]
assert kinds == ['Secret', 'Secret', 'Cluster', 'Domain'], kinds
cred, enc, cl, dom = docs
assert base64.b64decode(cred['data']['username']) == b'weblogic' and base64.b64decode(cred['data']['password']) == b'welcome1'
assert cred['metadata']['labels'] == {'weblogic.domainUID': 'domain1'} and cred['type'] == 'Opaque'
assert set(cred['data']) == {'username', 'password'} and set(enc['data']) == {'password'}
assert base64.b64decode(enc['data']['password']) == b'encrypt-me'
assert cl['apiVersion'] == 'weblogic.oracle/v1' and cl['spec'] == {'clusterName': 'cluster_1', 'replicas': 2}
assert cl['metadata']['name'] == 'domain1-cluster-1'
assert dom['apiVersion'] == 'weblogic.oracle/v9'
s = dom['spec']
assert set(s) == {'domainUID', 'domainHomeSourceType', 'domainHome', 'image', 'imagePullPolicy', 'imagePullSecrets',
                  'webLogicCredentialsSecret', 'replicas', 'serverPod', 'clusters', 'configuration'}, set(s)
assert s['serverPod'] == {'env': [{'name': 'CUSTOM_DOMAIN_NAME', 'value': 'domain1'}]}
assert s['domainHomeSourceType'] == 'FromModel' and s['domainHome'] == '/u01/domains/domain1'
assert s['imagePullSecrets'] == [{'name': 'ocr-pull'}, {'name': 'ocir-pull'}]
assert s['webLogicCredentialsSecret'] == {'name': cred['metadata']['name']}
m = s['configuration']['model']
assert m['runtimeEncryptionSecret'] == enc['metadata']['name'] and m['domainType'] == 'WLS'
assert m['auxiliaryImages'] == [{'image': 'example.com/t/custom:1', 'imagePullPolicy': 'IfNotPresent',
                                 'sourceWDTInstallHome': '/u01/wdt/weblogic-deploy', 'sourceModelHome': '/u01/wdt/models'}]
PY
# the model was read from the image's layer: without --env the domain is refused, naming the macro
check_bad "the image's model needs CUSTOM_DOMAIN_NAME" 1 \
  "@@ENV:CUSTOM_DOMAIN_NAME@@ (model.yaml:8): the operator does not set CUSTOM_DOMAIN_NAME; give --env CUSTOM_DOMAIN_NAME=VALUE" \
  "$WLSIMG" k8s domain --domain-uid d0 --image wls:14 --aux-image example.com/t/custom:1 \
  --weblogic-credentials-secret c --runtime-encryption-secret e
check_w "models-only image + WDT-only image, in merge order" "$WLSIMG" k8s domain --domain-uid d2 --image wls:14 \
  --aux-image example.com/t/wdt:1 --aux-image example.com/t/models:1 --weblogic-credentials-secret c --runtime-encryption-secret e \
  --env CUSTOM_DOMAIN_NAME=d2 -o json
json_ok "-o json Domain" "$T_DIR/o"
valid "-o json Domain" "$T_DIR/o"
check "sourceWDTInstallHome/sourceModelHome None where the image has nothing" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "Domain", d["kind"]
a = d["spec"]["configuration"]["model"]["auxiliaryImages"]
assert a == [{"image": "example.com/t/wdt:1", "imagePullPolicy": "IfNotPresent", "sourceModelHome": "None"},
             {"image": "example.com/t/models:1", "imagePullPolicy": "IfNotPresent", "sourceWDTInstallHome": "None"}], a
' "$T_DIR/o"
check_w "default-path image: fields omitted, :latest → Always" "$WLSIMG" k8s domain --domain-uid d3 --image wls:14 \
  --aux-image example.com/t/default:latest --weblogic-credentials-secret c --runtime-encryption-secret e --env CUSTOM_DOMAIN_NAME=d3
check "default-path entry" grep -qxF '      - image: example.com/t/default:latest' "$T_DIR/o"
check_eq "default-path entry has only image and policy" "$(sed -n '/auxiliaryImages:/,$p' "$T_DIR/o" | tail -n +2)" \
  "      - image: example.com/t/default:latest
        imagePullPolicy: Always"
valid "default-path Domain" "$T_DIR/o"
check_w "no auxiliary image carries WDT: a warning" "$WLSIMG" k8s domain --domain-uid d3 --image wls:14 \
  --aux-image example.com/t/models:1 --weblogic-credentials-secret c --runtime-encryption-secret e --env CUSTOM_DOMAIN_NAME=d3
check "the warning says the operator looks in an empty directory" \
  grep -qF "no auxiliary image carries a WDT install: the operator looks for WDT in the empty /aux/weblogic-deploy" "$T_DIR/e"
check_w "--wdt-install-home and --model-home" "$WLSIMG" k8s domain --domain-uid d3 --image wls:14 \
  --aux-image example.com/t/models:1 --weblogic-credentials-secret c --runtime-encryption-secret e \
  --wdt-install-home /u01/wdt/weblogic-deploy --model-home /u01/wdt/models -o json
check_eq "emitted as configuration.model.wdtInstallHome/modelHome" \
  "$(jq -c '.spec.configuration.model | [.wdtInstallHome, .modelHome]' "$T_DIR/o")" \
  '["/u01/wdt/weblogic-deploy","/u01/wdt/models"]'
check "with a warning that the images' models are ignored" grep -qF "the operator ignores the auxiliary images' model files" "$T_DIR/e"
valid "Domain with homes" "$T_DIR/o"
# an image that is only in its registry: its manifest and config are read, nothing else, nothing is stored
check "push the custom-path image to the registry" "$WLSIMG" push --tls-verify=false example.com/t/custom:1 "$REG_ADDR/t/custom:1"
"$WLSIMG" rmi "$REG_ADDR/t/custom:1" > /dev/null 2>&1 # not in the store under that name
for d in $("$WLSIMG" manifest --tls-verify=false "$REG_ADDR/t/custom:1" | jq -r '.layers[].digest'); do
  rm -f "$REG_DIR/data/docker/registry/v2/blobs/sha256/${d:7:2}/${d:7}/data" # a layer read would now fail
done
check_w "domain for a registry-only image whose layers are gone" env WLSIMG_STORE="$T_DIR/empty-store" \
  "$WLSIMG" k8s domain --domain-uid d8 --image wls:14 --aux-image "$REG_ADDR/t/custom:1" \
  --tls-verify=false --weblogic-credentials-secret c --runtime-encryption-secret e
check "its paths come from the manifest and config" grep -qxF '        sourceWDTInstallHome: /u01/wdt/weblogic-deploy' "$T_DIR/o"
check "nothing was written: the empty store was not even created" test ! -e "$T_DIR/empty-store"
check "and a warning says the model was not read" grep -qF "the model was not read" "$T_DIR/e"
valid "registry-only Domain" "$T_DIR/o"
check_bad "two WDT installs are refused" 1 "2 auxiliary images carry a WDT install" "$WLSIMG" k8s domain --domain-uid d4 \
  --image wls:14 --aux-image example.com/t/wdt:1 --aux-image example.com/t/custom:1 --weblogic-credentials-secret c --runtime-encryption-secret e
check_w "--wdt-image picks one; the other gets None" "$WLSIMG" k8s domain --domain-uid d4 --image wls:14 \
  --aux-image example.com/t/wdt:1 --aux-image example.com/t/custom:1 --wdt-image example.com/t/custom:1 \
  --weblogic-credentials-secret c --runtime-encryption-secret e --env CUSTOM_DOMAIN_NAME=d4
check "the other image says None" grep -A2 -F 'image: example.com/t/wdt:1' "$T_DIR/o"
check_eq "None on the first image" "$(grep -A2 -F 'image: example.com/t/wdt:1' "$T_DIR/o" | tail -1)" \
  "        sourceWDTInstallHome: None"
valid "--wdt-image Domain" "$T_DIR/o"
check_w "credentials from stdin, random encryption password" sh -c 'printf "weblogic\nwelcome1\n" | "$0" k8s domain --domain-uid d5 \
  --image wls:14 --no-inspect --weblogic-credentials-from-stdin' "$WLSIMG"
check "a warning says the random password must be kept" \
  grep -qF "generated a random runtime encryption password for d5-runtime-encryption-secret" "$T_DIR/e"
valid "credentials from stdin" "$T_DIR/o"

# ---- 5. --apply through a stub kubectl that records argv and stdin ----
STUB="$T_DIR/stub"
mkdir -p "$STUB/bin"
cat > "$STUB/bin/kubectl" << 'EOS'
#!/usr/bin/env bash
# Test stand-in for kubectl (no API server can run here): records each call's argv (one per line) and
# stdin; answers "get" from canned files: get-KIND.json, or seq-KIND/1, 2, … one per call (the last
# repeated), and for a secret's keys (-o go-template) keys-NAME.txt (absent: the secret does not exist).
d=$(dirname "$0")/..
n=$(( $(cat "$d/n" 2> /dev/null || echo 0) + 1 )); echo "$n" > "$d/n"
printf '%s\n' "$@" > "$d/args.$n"
cat > "$d/stdin.$n"
case "$1" in
get)
  if [[ "$*" == *go-template=* ]]; then
    [ -f "$d/keys-$3.txt" ] && { echo "#secret"; cat "$d/keys-$3.txt"; }
  elif [ -d "$d/seq-$2" ]; then
    k=$(( $(cat "$d/seq-$2.n" 2> /dev/null || echo 0) + 1 ))
    [ -f "$d/seq-$2/$k" ] && echo "$k" > "$d/seq-$2.n" || k=$(cat "$d/seq-$2.n")
    cat "$d/seq-$2/$k"
  else
    f="$d/get-$2.json"; [ -f "$f" ] && cat "$f"; [ "$2" = secret ] || [ -f "$f" ] || { echo "NotFound" >&2; exit 1; }
  fi ;;
apply) echo "applied by stub" ;;
patch) if [ "$7" = -o ]; then echo "patched object as $8"; else echo "$2/$3 patched"; fi ;;
esac
exit 0
EOS
chmod +x "$STUB/bin/kubectl"
last() { cat "$STUB/n"; }
K() { PATH="$STUB/bin:$PATH" "$@"; }
PW='Very$ecret<&>pw'
check_w "secret --apply" K sh -c 'printf "%s\n" "$1" | "$0" k8s secret docker-registry regcred -n ns1 --docker-server phx.ocir.io \
  --docker-username t/u --docker-password-stdin --apply' "$WLSIMG" "$PW"
check_eq "kubectl output passed through" "$(cat "$T_DIR/o")" "applied by stub"
n=$(last)
check_eq "kubectl argv is apply -f -" "$(tr '\n' ' ' < "$STUB/args.$n")" "apply -f - "
check "no secret in kubectl's argv" sh -c '! grep -rqF -e "$1" -e "$(printf %s "t/u:$1" | base64 -w0)" "$2"/args.*' _ "$PW" "$STUB"
printf '%s\n' "$PW" | "$WLSIMG" k8s secret docker-registry regcred -n ns1 --docker-server phx.ocir.io --docker-username t/u \
  --docker-password-stdin > "$T_DIR/printed.yaml"
check "kubectl's stdin is the object" cmp "$T_DIR/printed.yaml" "$STUB/stdin.$n"
check "kubectl's stdin equals real kubectl's dry-run output" sh -c '"$0" create secret docker-registry regcred -n ns1 \
  --docker-server=phx.ocir.io --docker-username=t/u --docker-password="$1" --dry-run=client -o yaml | cmp - "$2"' \
  "$REAL_KUBECTL" "$PW" "$STUB/stdin.$n"

check_w "domain --apply (encryption secret absent → created)" K "$WLSIMG" k8s domain --domain-uid d6 -n ns6 --image wls:14 \
  --no-inspect --weblogic-credentials-file "$T_DIR/wls.creds" --apply
n=$(last)
check_eq "first call asks whether the encryption secret exists" "$(tr '\n' ' ' < "$STUB/args.$((n - 1))")" \
  "get secret d6-runtime-encryption-secret --ignore-not-found -o name --namespace=ns6 "
check_eq "then kubectl apply -f -" "$(tr '\n' ' ' < "$STUB/args.$n")" "apply -f - "
check_eq "applied: 2 secrets and the Domain" "$(grep -c '^kind: ' "$STUB/stdin.$n")" 3
check "no WebLogic password on argv" sh -c '! grep -rqF welcome1 "$0"/args.*' "$STUB"
printf 'secret/d7-runtime-encryption-secret\n' > "$STUB/get-secret.json"
check_w "domain --apply keeps an existing encryption secret" K "$WLSIMG" k8s domain --domain-uid d7 -n ns7 --image wls:14 \
  --no-inspect --weblogic-credentials-file "$T_DIR/wls.creds" --apply
n=$(last)
check_eq "applied: credentials and Domain only" "$(grep '^kind: ' "$STUB/stdin.$n" | tr '\n' ' ')" "kind: Secret kind: Domain "
check "the keep is reported" grep -qF "keeping the existing secret d7-runtime-encryption-secret" "$T_DIR/e"
rm -f "$STUB/get-secret.json"

# ---- 6. rollout ----
cat > "$STUB/get-domain.v9.weblogic.oracle.json" << 'EOJ'
{"apiVersion":"weblogic.oracle/v9","kind":"Domain","metadata":{"name":"d1","namespace":"ns1"},
 "spec":{"image":"wls:14.1.2-1","restartVersion":"3","introspectVersion":"7","configuration":{"model":{
 "auxiliaryImages":[{"image":"r.example.com/t/wdt:1"},{"image":"r.example.com/t/app:1.0"}]}}}}
EOJ
check_w "rollout --image prints the merge patch" "$WLSIMG" k8s rollout --domain-uid d1 --image wls:14.1.2-2 --restart-version 4
check_eq "merge patch" "$(cat "$T_DIR/o")" '{"spec":{"image":"wls:14.1.2-2","restartVersion":"4"}}'
check "and says it is a merge patch and how to apply it" grep -qF \
  "This is a merge (RFC 7386) patch: apply it with 'kubectl patch domain.v9.weblogic.oracle d1 --type=merge --patch-file FILE'" "$T_DIR/e"
check_bad "without --restart-version and no cluster: says what to give" 1 \
  "the patch depends on the live Domain, which could not be read (give --restart-version V to print the patch without a cluster)" \
  env WLSIMG_KUBECTL=/nonexistent/kubectl "$WLSIMG" k8s rollout --domain-uid d1 --image wls:14.1.2-2
check_w "without --apply the live Domain gives the next restartVersion" K "$WLSIMG" k8s rollout --domain-uid d1 -n ns1 --image wls:14.1.2-2
check_eq "… and only get was called" "$(tr '\n' ' ' < "$STUB/args.$(last)")" "get domain.v9.weblogic.oracle d1 -o json --namespace=ns1 "
check_eq "patch with restartVersion 4" "$(cat "$T_DIR/o")" '{"spec":{"image":"wls:14.1.2-2","restartVersion":"4"}}'
# the printed patches, in each format, applied by the real kubectl to a Domain we generated
"$WLSIMG" k8s domain --domain-uid d1 -n ns1 --image wls:14.1.2-1 --aux-image r.example.com/t/wdt:1 \
  --aux-image r.example.com/t/app:1.0 --no-inspect --weblogic-credentials-secret c --runtime-encryption-secret e \
  --restart-version 3 --introspect-version 7 > "$T_DIR/live.yaml" 2> /dev/null
for fmt in json yaml; do
  check_w "rollout --image -o $fmt" "$WLSIMG" k8s rollout --domain-uid d1 -n ns1 --image wls:14.1.2-2 --restart-version 4 -o "$fmt"
  [ "$fmt" = json ] && json_ok "the -o json merge patch" "$T_DIR/o"
  cp "$T_DIR/o" "$T_DIR/merge.$fmt"
  check "kubectl patch --local --type merge takes the $fmt patch" sh -c '"$0" patch --local -f "$1" --type merge -p "$(cat "$2")" \
    -o json > "$3"' "$REAL_KUBECTL" "$T_DIR/live.yaml" "$T_DIR/merge.$fmt" "$T_DIR/patched.json"
  check_eq "… and the Domain has the new image and restartVersion" \
    "$(jq -c '.spec | [.image, .restartVersion, .introspectVersion]' "$T_DIR/patched.json")" '["wls:14.1.2-2","4","7"]'
  valid "the patched Domain ($fmt merge patch)" "$T_DIR/patched.json"
  check_w "rollout --aux-image -o $fmt" "$WLSIMG" k8s rollout --domain-uid d1 -n ns1 --aux-index 1 \
    --aux-image r.example.com/t/app:1.0=r.example.com/t/app:1.1 -o "$fmt"
  [ "$fmt" = json ] && json_ok "the -o json JSON patch" "$T_DIR/o"
  cp "$T_DIR/o" "$T_DIR/jsonpatch.$fmt"
  check "the JSON patch is said to need --type=json" grep -qF "This is a JSON (RFC 6902) patch" "$T_DIR/e"
  check "kubectl patch --local --type json takes the $fmt patch" sh -c '"$0" patch --local -f "$1" --type json -p "$(cat "$2")" \
    -o json > "$3"' "$REAL_KUBECTL" "$T_DIR/live.yaml" "$T_DIR/jsonpatch.$fmt" "$T_DIR/patched.json"
  check_eq "… and the second auxiliary image is replaced" \
    "$(jq -c '[.spec.configuration.model.auxiliaryImages[].image]' "$T_DIR/patched.json")" '["r.example.com/t/wdt:1","r.example.com/t/app:1.1"]'
  valid "the patched Domain ($fmt JSON patch)" "$T_DIR/patched.json"
done
check_fail "the test op refuses a patch for an entry that changed" 1 "" sh -c '"$0" patch --local -f "$1" --type json \
  -p "$(cat "$2")" -o json' "$REAL_KUBECTL" "$T_DIR/patched.json" "$T_DIR/jsonpatch.json"
check_fail "a merge patch with kubectl's default (strategic) type is what custom resources refuse" 1 "" \
  sh -c '"$0" patch --local -f "$1" -p "$(cat "$2")" -o json' "$REAL_KUBECTL" "$T_DIR/live.yaml" "$T_DIR/merge.json"
check_w "rollout --image --apply bumps restartVersion" K "$WLSIMG" k8s rollout --domain-uid d1 -n ns1 --image wls:14.1.2-2 --apply
n=$(last)
check_eq "read the Domain first" "$(tr '\n' ' ' < "$STUB/args.$((n - 1))")" "get domain.v9.weblogic.oracle d1 -o json --namespace=ns1 "
check_eq "kubectl patch --type=merge, patch on stdin" "$(tr '\n' ' ' < "$STUB/args.$n")" \
  "patch domain.v9.weblogic.oracle d1 --type=merge --patch-file /dev/stdin --namespace=ns1 "
check_eq "patch: next restartVersion" "$(cat "$STUB/stdin.$n")" '{"spec":{"image":"wls:14.1.2-2","restartVersion":"4"}}'
check_w "rollout --aux-image OLD=NEW --apply finds the index" K "$WLSIMG" k8s rollout --domain-uid d1 -n ns1 \
  --aux-image r.example.com/t/app:1.0=r.example.com/t/app:1.1 --apply
n=$(last)
check_eq "kubectl patch --type=json" "$(sed -n 4p "$STUB/args.$n")" "--type=json"
check_eq "JSON patch: test + replace at index 1, no introspectVersion" "$(cat "$STUB/stdin.$n")" \
  '[{"op":"test","path":"/spec/configuration/model/auxiliaryImages/1/image","value":"r.example.com/t/app:1.0"},{"op":"replace","path":"/spec/configuration/model/auxiliaryImages/1/image","value":"r.example.com/t/app:1.1"}]'
check_w "rollout with the same tag bumps introspectVersion" K "$WLSIMG" k8s rollout --domain-uid d1 -n ns1 \
  --aux-image r.example.com/t/app:1.0=r.example.com/t/app:1.0 --apply
n=$(last)
check "patch adds introspectVersion 8" grep -qF '{"op":"add","path":"/spec/introspectVersion","value":"8"}' "$STUB/stdin.$n"
check "and warns that the tag is not re-pulled" grep -qF "push a new tag instead" "$T_DIR/e"
check_w "repository without tag finds the entry" K "$WLSIMG" k8s rollout --domain-uid d1 -n ns1 \
  --aux-image r.example.com/t/wdt=r.example.com/t/wdt:2 --apply
check "index 0 replaced" grep -qF '"path":"/spec/configuration/model/auxiliaryImages/0/image","value":"r.example.com/t/wdt:2"' "$STUB/stdin.$(last)"
check "and the test op guards the live value, not the tag-less spelling" \
  grep -qF '{"op":"test","path":"/spec/configuration/model/auxiliaryImages/0/image","value":"r.example.com/t/wdt:1"}' "$STUB/stdin.$(last)"
check_fail "unknown auxiliary image" 1 "is not an auxiliary image of the domain" K "$WLSIMG" k8s rollout --domain-uid d1 \
  --aux-image r.example.com/t/nope:1=r.example.com/t/nope:2 --apply
check_fail "index out of range" 1 "out of range" K "$WLSIMG" k8s rollout --domain-uid d1 --aux-index 5 --aux-image x:2 --apply
check_w "--aux-index I --aux-image NEW without --apply" "$WLSIMG" k8s rollout --domain-uid d1 --aux-index 0 --aux-image r.example.com/t/wdt:3
check_eq "replace only" "$(cat "$T_DIR/o")" \
  '[{"op":"replace","path":"/spec/configuration/model/auxiliaryImages/0/image","value":"r.example.com/t/wdt:3"}]'
# OLD=NEW without --apply: the live Domain says which entry OLD is; the patch is printed and explained
check_w "--aux-image OLD=NEW without --apply reads the Domain" K "$WLSIMG" k8s rollout --domain-uid d1 -n ns1 \
  --aux-image r.example.com/t/app:1.0=r.example.com/t/app:1.1
check_eq "only kubectl get" "$(head -1 "$STUB/args.$(last)")" "get"
check_eq "the patch for entry 1" "$(cat "$T_DIR/o")" \
  '[{"op":"test","path":"/spec/configuration/model/auxiliaryImages/1/image","value":"r.example.com/t/app:1.0"},{"op":"replace","path":"/spec/configuration/model/auxiliaryImages/1/image","value":"r.example.com/t/app:1.1"}]'
check "explained: which entry, what the operator does, how to apply" grep -qF \
  "it replaces spec.configuration.model.auxiliaryImages[1].image r.example.com/t/app:1.0 with r.example.com/t/app:1.1, after a test op" "$T_DIR/e"
check "… with the kubectl command" grep -qF "kubectl patch domain.v9.weblogic.oracle d1 -n ns1 --type=json --patch-file FILE" "$T_DIR/e"
check_bad "OLD=NEW without --apply and without a cluster: says to give --aux-index" 1 \
  "could not be read (give --aux-index I (and --introspect-version V for a re-used tag) to print the patch without a cluster)" \
  env WLSIMG_KUBECTL=/nonexistent/kubectl "$WLSIMG" k8s rollout --domain-uid d1 --aux-image r.example.com/t/app:1.0=r.example.com/t/app:1.1
check_bad "--wait needs --apply" 2 "--wait needs --apply" "$WLSIMG" k8s rollout --domain-uid d1 --image x:2 --restart-version 2 --wait
check_bad "a bad --timeout" 2 "--timeout 5x: expected a duration" \
  "$WLSIMG" k8s rollout --domain-uid d1 --image x:2 --apply --wait --timeout 5x
check_bad "a bad -o" 2 'unknown output format "xml"' "$WLSIMG" k8s rollout --domain-uid d1 --image x:2 --restart-version 2 -o xml

# --apply -o yaml: kubectl prints the patched Domain; --wait follows the operator's status through kubectl get
check_w "--apply -o yaml passes -o to kubectl patch" K "$WLSIMG" k8s rollout --domain-uid d1 -n ns1 --image wls:9 --apply -o yaml
check_eq "kubectl patch … -o yaml" "$(tr '\n' ' ' < "$STUB/args.$(last)")" \
  "patch domain.v9.weblogic.oracle d1 --type=merge --patch-file /dev/stdin -o yaml --namespace=ns1 "
check_eq "and its output is printed" "$(cat "$T_DIR/o")" "patched object as yaml"
status() { # status GEN OBSERVED CONDITIONS-JSON
  printf '{"apiVersion":"weblogic.oracle/v9","kind":"Domain","metadata":{"name":"d1","generation":%s},"spec":{"image":"wls:14.1.2-1","restartVersion":"3","configuration":{"model":{"auxiliaryImages":[{"image":"r.example.com/t/wdt:1"},{"image":"r.example.com/t/app:1.0"}]}}},"status":{"observedGeneration":%s,"conditions":%s}}\n' "$@"
}
mkdir -p "$STUB/seq-domain.v9.weblogic.oracle"
status 3 3 '[{"type":"Completed","status":"True"}]' > "$STUB/seq-domain.v9.weblogic.oracle/1" # read before the patch
status 4 3 '[{"type":"Completed","status":"True"}]' > "$STUB/seq-domain.v9.weblogic.oracle/2" # not yet observed
status 4 4 '[{"type":"Rolling","status":"True","message":"rolling managed-server1"},{"type":"Completed","status":"False"}]' \
  > "$STUB/seq-domain.v9.weblogic.oracle/3"
status 4 4 '[{"type":"Rolling","status":"False"},{"type":"Completed","status":"True"},{"type":"Available","status":"True"}]' \
  > "$STUB/seq-domain.v9.weblogic.oracle/4"
check_w "rollout --apply --wait follows the roll to the end" K "$WLSIMG" k8s rollout --domain-uid d1 -n ns1 --image wls:14.1.2-2 \
  --apply --wait
n=$(last)
check_eq "kubectl calls: get, patch, then get until Completed" \
  "$(for i in $(seq $((n - 4)) "$n"); do head -1 "$STUB/args.$i"; done | tr '\n' ' ')" "get patch get get get "
check_eq "the waits read the Domain as JSON" "$(tr '\n' ' ' < "$STUB/args.$n")" "get domain.v9.weblogic.oracle d1 -o json --namespace=ns1 "
check "progress shows the roll" grep -qF "Completed False, Rolling True, Available -, Failed -: rolling managed-server1" "$T_DIR/e"
check "and the end" grep -qF "domain d1 rolled" "$T_DIR/e"
rm -f "$STUB/seq-domain.v9.weblogic.oracle.n"
status 4 4 '[{"type":"Failed","status":"True","reason":"ServerPod","message":"pull of wls:14.1.2-2 failed"}]' \
  > "$STUB/seq-domain.v9.weblogic.oracle/3"
rm "$STUB/seq-domain.v9.weblogic.oracle/4"
check_fail "--wait reports the operator's Failed condition" 1 \
  "domain d1: the operator reports Failed ServerPod: pull of wls:14.1.2-2 failed" \
  K "$WLSIMG" k8s rollout --domain-uid d1 -n ns1 --image wls:14.1.2-2 --apply --wait
rm -f "$STUB/seq-domain.v9.weblogic.oracle.n" "$STUB/seq-domain.v9.weblogic.oracle/3"
check_fail "--wait gives up after --timeout" 1 "timed out after 1 s waiting for the roll (domain d1: generation 4, observed 3" \
  K "$WLSIMG" k8s rollout --domain-uid d1 -n ns1 --image wls:14.1.2-2 --apply --wait --timeout 1s
rm -rf "$STUB/seq-domain.v9.weblogic.oracle" "$STUB/seq-domain.v9.weblogic.oracle.n"

# ---- 7. ServiceAccount: append instead of replace ----
check_w "add-pull-secret prints the append form" "$WLSIMG" k8s serviceaccount add-pull-secret ocir-pull -n ns1
check_eq "append patch" "$(cat "$T_DIR/o")" '[{"op":"add","path":"/imagePullSecrets/-","value":{"name":"ocir-pull"}}]'
check "and explains the other form" grep -qF '[{"op":"add","path":"/imagePullSecrets","value":[{"name":"ocir-pull"}]}]' "$T_DIR/e"
printf '{"kind":"ServiceAccount","metadata":{"name":"default"}}' > "$STUB/get-serviceaccount.json"
check_w "--apply on an account without a list" K "$WLSIMG" k8s serviceaccount add-pull-secret ocir-pull -n ns1 --apply
n=$(last)
check_eq "creates the list" "$(cat "$STUB/stdin.$n")" '[{"op":"add","path":"/imagePullSecrets","value":[{"name":"ocir-pull"}]}]'
check_eq "kubectl patch serviceaccount default --type=json" "$(tr '\n' ' ' < "$STUB/args.$n")" \
  "patch serviceaccount default --type=json --patch-file /dev/stdin --namespace=ns1 "
printf '{"kind":"ServiceAccount","imagePullSecrets":[{"name":"old-secret"}]}' > "$STUB/get-serviceaccount.json"
check_w "--apply on an account with a list" K "$WLSIMG" k8s serviceaccount add-pull-secret ocir-pull -n ns1 --apply
check_eq "appends (old-secret kept)" "$(cat "$STUB/stdin.$(last)")" '[{"op":"add","path":"/imagePullSecrets/-","value":{"name":"ocir-pull"}}]'
check_w "already listed: nothing to do" K "$WLSIMG" k8s serviceaccount add-pull-secret old-secret -n ns1 --apply
check_eq "says so" "$(cat "$T_DIR/o")" "serviceaccount/default already lists old-secret"
check_fail "kubectl missing" 1 "cannot run" env WLSIMG_KUBECTL=/nonexistent/kubectl "$WLSIMG" k8s serviceaccount add-pull-secret x --apply

# ---- 8. generic secrets equal kubectl's, byte for byte ----
# gen_same DESC ARGS...: the same --from-file/--from-env-file arguments to kubectl and to wlsimg, -o yaml and -o json
gen_same() {
  local desc=$1 fmt; shift
  for fmt in yaml json; do
    "$REAL_KUBECTL" create secret generic gen -n ns1 "$@" --dry-run=client -o "$fmt" > "$T_DIR/want.gen" 2> "$T_DIR/want.err"
    "$WLSIMG" k8s secret generic gen -n ns1 "$@" -o "$fmt" > "$T_DIR/got.gen" 2> "$T_DIR/got.err"
    if [ -s "$T_DIR/want.gen" ] && cmp -s "$T_DIR/want.gen" "$T_DIR/got.gen"; then ok "$desc (-o $fmt)"; else
      not_ok "$desc (-o $fmt)"; diff "$T_DIR/want.gen" "$T_DIR/got.gen" | head -10 | sed 's/^/    /'; cat "$T_DIR/want.err" "$T_DIR/got.err"; fi
    [ "$fmt" = json ] && json_ok "$desc -o json" "$T_DIR/got.gen"
  done
}
G="$T_DIR/gen"
mkdir -p "$G/dir/sub"
printf 'a value\n' > "$G/v1"
printf 'p<&>\n' > "$G/v2"
head -c 4096 /dev/urandom > "$G/ewallet.p12" # an OPSS wallet is binary
printf '\0\377\376binary\0' > "$G/dir/bin.key"
printf 'x' > "$G/dir/.hidden"
printf 'y' > "$G/dir/sub/skipped"
ln -s bin.key "$G/dir/link"
gen_same "--from-file with and without a key" --from-file=alpha="$G/v1" --from-file="$G/v2"
gen_same "--from-file of a binary file" --from-file="$G/ewallet.p12"
gen_same "--from-file of a directory (regular files only)" --from-file="$G/dir"
printf '\357\273\277A=1\n  # comment\n\n\tB = x\nC=x y \r\nD==d=\nE=\nFROM_ENV\nUNSET_IN_ENV\n' | sed 's/B = x/B=x/' > "$G/a.env"
printf 'F=caf\303\251 \342\202\254\n\302\240 G=nbsp before\n' > "$G/b.env"
FROM_ENV='taken from the environment' gen_same "--from-env-file as kubectl reads it (BOM, blanks, CRLF, KEY alone)" \
  --from-env-file="$G/a.env"
gen_same "two --from-env-file" --from-env-file="$G/a.env" --from-env-file="$G/b.env"
check_w "an env-file line without '=' takes the value from the environment" \
  env FROM_ENV=xyz "$WLSIMG" k8s secret generic gen --from-env-file "$G/a.env" -o json
check_eq "FROM_ENV" "$(jq -r '.data.FROM_ENV' "$T_DIR/o" | base64 -d)" "xyz"
printf 'A=1\nB =x\n' > "$G/bad.env"
check_bad "a key kubectl refuses, with kubectl's reason" 1 '"B " is not a valid key name: a valid environment variable name' \
  "$WLSIMG" k8s secret generic gen --from-env-file "$G/bad.env"
printf 'A=caf\351\n' > "$G/latin1.env"
check_bad "invalid UTF-8 in an env file" 1 "latin1.env:1: invalid UTF-8" "$WLSIMG" k8s secret generic gen --from-env-file "$G/latin1.env"
check_bad "a key name for a directory" 1 "cannot give a key name for a directory path" \
  "$WLSIMG" k8s secret generic gen --from-file "k=$G/dir"
check_bad "the same key twice" 1 'key "v1" given twice' "$WLSIMG" k8s secret generic gen --from-file "$G/v1" --from-file "v1=$G/v2"

# ---- 9. the model's macros: configuration.secrets, --model-secret, --env, @@PROP ----
M="$T_DIR/model"
mkdir -p "$M"
cat > "$M/m.yaml" << 'EOY'
# @@PROP:ONLY_IN_A_COMMENT@@ is not a macro
domainInfo:
  AdminUserName: '@@SECRET:__weblogic-credentials__:username@@'
  AdminPassword: '@@SECRET:__weblogic-credentials__:password@@'
topology:
  Name: '@@ENV:CUSTOM_DOMAIN_NAME@@'
  Cluster:
    cluster-1:
      DynamicServers:
        DynamicClusterSize: '@@PROP:CLUSTER_SIZE@@'
resources:
  JDBCSystemResource:
    ds:
      JdbcResource:
        JDBCDriverParams:
          URL: '@@SECRET:@@ENV:DOMAIN_UID@@-db:url@@'
          PasswordEncrypted: '@@SECRET:@@ENV:DOMAIN_UID@@-db:password@@'
          Properties:
            user:
              Value: '@@SECRET:@@ENV:DOMAIN_UID@@-db:username@@'
  ForeignJNDIProvider:
    ldap:
      PasswordEncrypted: '@@SECRET:ldap-creds:password@@'
EOY
printf 'CLUSTER_SIZE=2\n' > "$M/m.properties"
MD=(k8s domain --domain-uid d9 -n ns9 --image wls:14 --weblogic-credentials-secret c --runtime-encryption-secret e
  --wdt-model "$M/m.yaml" --wdt-variables "$M/m.properties")
check_bad "@@ENV without --env" 1 \
  "@@ENV:CUSTOM_DOMAIN_NAME@@ ($M/m.yaml:6): the operator does not set CUSTOM_DOMAIN_NAME; give --env CUSTOM_DOMAIN_NAME=VALUE" \
  "$WLSIMG" "${MD[@]}"
printf 'OTHER=1\n' > "$M/other.properties"
check_bad "@@PROP not in the variables files" 1 \
  "@@PROP:CLUSTER_SIZE@@ ($M/m.yaml:10): the variable CLUSTER_SIZE is not defined in $M/other.properties (WDT fails with WLSDPLY-01732)" \
  "$WLSIMG" k8s domain --domain-uid d9 --image wls:14 --weblogic-credentials-secret c --runtime-encryption-secret e \
  --wdt-model "$M/m.yaml" --wdt-variables "$M/other.properties" --env CUSTOM_DOMAIN_NAME=x
check_w "the model's secrets go to configuration.secrets" "$WLSIMG" "${MD[@]}" --env CUSTOM_DOMAIN_NAME=base -o json
json_ok "model Domain" "$T_DIR/o"
valid "model Domain" "$T_DIR/o"
check_eq "configuration.secrets: DOMAIN_UID resolved, in order of use, credentials not listed" \
  "$(jq -c '.spec.configuration.secrets' "$T_DIR/o")" '["d9-db","ldap-creds"]'
check_eq "serverPod.env" "$(jq -c '.spec.serverPod.env' "$T_DIR/o")" '[{"name":"CUSTOM_DOMAIN_NAME","value":"base"}]'
check "stderr says which secrets to create, with their keys" grep -qF \
  "the model uses the secret d9-db ($M/m.yaml:16) with the keys url, password, username; this output does not create it: create it in namespace ns9" "$T_DIR/e"
check "… both of them" grep -qF "the model uses the secret ldap-creds ($M/m.yaml:23) with the key password" "$T_DIR/e"
printf 'url=jdbc:oracle:thin:@db:1521/pdb\nusername=scott\npassword=t1ger\n' > "$M/db.env"
printf 'ldap-s3cret\n' > "$M/ldap.pw"
check_w "--model-secret NAME=FILE and NAME:KEY=FILE create them" "$WLSIMG" "${MD[@]}" --env CUSTOM_DOMAIN_NAME=base \
  --model-secret "d9-db=$M/db.env" --model-secret "ldap-creds:password=$M/ldap.pw"
check "nothing is left to create" sh -c '! grep -q "does not create" "$0"' "$T_DIR/e"
valid "Domain with model secrets" "$T_DIR/o"
check "the secrets are there, labelled, with the model's keys" /usr/bin/python3 - "$T_DIR/o" << 'PY'
import base64, sys, yaml
docs = {(d['kind'], d['metadata']['name']): d for d in yaml.safe_load_all(open(sys.argv[1]))}
db, ldap = docs[('Secret', 'd9-db')], docs[('Secret', 'ldap-creds')]
assert {k: base64.b64decode(v) for k, v in db['data'].items()} == {
    'url': b'jdbc:oracle:thin:@db:1521/pdb', 'username': b'scott', 'password': b't1ger'}, db['data']
assert base64.b64decode(ldap['data']['password']) == b'ldap-s3cret\n'  # NAME:KEY=FILE: the file's bytes
for s in (db, ldap):
    assert s['metadata']['labels'] == {'weblogic.domainUID': 'd9'} and s['type'] == 'Opaque'
    assert s['metadata']['namespace'] == 'ns9'
assert docs[('Domain', 'd9')]['spec']['configuration']['secrets'] == ['d9-db', 'ldap-creds']
PY
printf 'url=x\nusername=scott\n' > "$M/db-short.env"
check_bad "a --model-secret without a key the model uses" 1 \
  "secret d9-db: the model uses the key password ($M/m.yaml:16), which --model-secret d9-db does not give" \
  "$WLSIMG" "${MD[@]}" --env CUSTOM_DOMAIN_NAME=base --model-secret "d9-db=$M/db-short.env"
check_bad "a malformed --model-secret" 2 "--model-secret d9-db: expected NAME=FILE (KEY=VALUE lines) or NAME:KEY=FILE" \
  "$WLSIMG" "${MD[@]}" --env CUSTOM_DOMAIN_NAME=base --model-secret d9-db
printf "a: '@@SECRET:d9-weblogic-credentials:username@@'\nb: '@@SECRET:d9-runtime-encryption-secret:x@@'\n" > "$M/own.yaml"
check_bad "a key the secrets this output makes do not have" 1 \
  "the model uses the key x of secret d9-runtime-encryption-secret ($M/own.yaml:2), which this output makes without it" \
  "$WLSIMG" k8s domain --domain-uid d9 --image wls:14 --weblogic-credentials-file "$T_DIR/wls.creds" --wdt-model "$M/own.yaml"
check_bad "--model-secret may not make a secret this output makes" 1 \
  "--model-secret d9-weblogic-credentials: this output already makes that secret" \
  "$WLSIMG" k8s domain --domain-uid d9 --image wls:14 --weblogic-credentials-file "$T_DIR/wls.creds" --runtime-encryption-secret e \
  --model-secret "d9-weblogic-credentials=$M/db.env"
printf "a: '@@SECRET:only-name@@'\n" > "$M/bad.yaml"
check_bad "a malformed macro, as WDT would fail on it" 1 "$M/bad.yaml:1: malformed macro \"@@SECRET:only-name@@\"" \
  "$WLSIMG" k8s domain --domain-uid d9 --image wls:14 --weblogic-credentials-secret c --runtime-encryption-secret e \
  --wdt-model "$M/bad.yaml"
# --apply: the model's secrets that are not created must exist, with the keys the model uses (keys only are read)
check_bad "--apply with a model secret missing in the cluster" 1 \
  "the model uses the secret d9-db ($M/m.yaml:16), which does not exist in namespace ns9" \
  K "$WLSIMG" "${MD[@]}" --env CUSTOM_DOMAIN_NAME=base --apply
printf 'password\nurl\n' > "$STUB/keys-d9-db.txt"
printf 'password\n' > "$STUB/keys-ldap-creds.txt"
check_bad "--apply with a model secret that lacks a key" 1 "the model uses the key username of secret d9-db ($M/m.yaml:16), which it lacks" \
  K "$WLSIMG" "${MD[@]}" --env CUSTOM_DOMAIN_NAME=base --apply
printf 'password\nurl\nusername\n' > "$STUB/keys-d9-db.txt"
check_w "--apply when the cluster has them" K "$WLSIMG" "${MD[@]}" --env CUSTOM_DOMAIN_NAME=base --apply
n=$(last)
check_eq "kubectl read only the keys (a go-template), then applied" "$(sed -n 5,6p "$STUB/args.$((n - 1))" | tr '\n' ' ')" \
  '-o go-template={{"#secret\n"}}{{range $k, $v := .data}}{{$k}}{{"\n"}}{{end}} '
check_eq "applied the Domain" "$(grep -c '^kind: Domain' "$STUB/stdin.$n")" 1

# ---- 10. JRF: OPSS wallet password (and wallet file) secrets ----
check_w "--domain-type JRF gets walletPasswordSecret and a random password secret" "$WLSIMG" k8s domain --domain-uid dj -n nsj \
  --image fmw:14 --no-inspect --weblogic-credentials-secret c --runtime-encryption-secret e --domain-type JRF -o json
json_ok "JRF" "$T_DIR/o"
valid "JRF" "$T_DIR/o"
check_eq "configuration.opss" "$(jq -c '.items[] | select(.kind == "Domain") | .spec.configuration.opss' "$T_DIR/o")" \
  '{"walletPasswordSecret":"dj-opss-wallet-password-secret"}'
check "the secret has walletPassword, at least 8 characters with letters and digits" sh -c \
  'p=$(jq -r ".items[] | select(.metadata.name == \"dj-opss-wallet-password-secret\") | .data.walletPassword" "$0" | base64 -d)
   [ ${#p} -ge 8 ] && printf %s "$p" | grep -q "[a-z]" && printf %s "$p" | grep -q "[0-9]"' "$T_DIR/o"
check "and a warning says to keep it" grep -qF "pass --opss-wallet-password-secret dj-opss-wallet-password-secret" "$T_DIR/e"
printf 'Welcome1#\n' > "$T_DIR/opss.pw"
check_w "JRF with a wallet password file and a wallet" "$WLSIMG" k8s domain --domain-uid dj -n nsj --image fmw:14 --no-inspect \
  --weblogic-credentials-secret c --runtime-encryption-secret e --domain-type JRF \
  --opss-wallet-password-file "$T_DIR/opss.pw" --opss-wallet-file "$G/ewallet.p12"
valid "JRF with wallet" "$T_DIR/o"
check "walletFileSecret is named and the wallet kept byte for byte" /usr/bin/python3 - "$T_DIR/o" "$G/ewallet.p12" << 'PY'
import base64, sys, yaml
docs = {d['metadata']['name']: d for d in yaml.safe_load_all(open(sys.argv[1]))}
opss = docs['dj']['spec']['configuration']['opss']
assert opss == {'walletPasswordSecret': 'dj-opss-wallet-password-secret', 'walletFileSecret': 'dj-opss-walletfile-secret'}, opss
assert base64.b64decode(docs['dj-opss-walletfile-secret']['data']['walletFile']) == open(sys.argv[2], 'rb').read()
assert base64.b64decode(docs['dj-opss-wallet-password-secret']['data']['walletPassword']) == b'Welcome1#'
PY
printf 'short\n' > "$T_DIR/opss-short.pw"
check_bad "a wallet password the operator refuses" 1 "the operator needs at least eight characters" \
  "$WLSIMG" k8s domain --domain-uid dj --image fmw:14 --no-inspect --weblogic-credentials-secret c \
  --runtime-encryption-secret e --domain-type JRF --opss-wallet-password-file "$T_DIR/opss-short.pw"
check_w "JRF with existing OPSS secrets" "$WLSIMG" k8s domain --domain-uid dj --image fmw:14 --no-inspect --weblogic-credentials-secret c \
  --runtime-encryption-secret e --domain-type JRF --opss-wallet-password-secret my-pw --opss-wallet-file-secret my-wallet
check_eq "only the Domain, naming them" "$(grep -c '^kind:' "$T_DIR/o")" 1
valid "JRF with existing secrets" "$T_DIR/o"

# ---- 11. createAuxImage's checks: @@PROP against --wdtVariables, a base /tmp uid 1000 cannot write ----
check_bad "createAuxImage: @@PROP not in --wdtVariables fails before building" 1 \
  "@@PROP:CLUSTER_SIZE@@ (model.yaml:15): the variable CLUSTER_SIZE is not defined in $M/other.properties" \
  sh -c 'cd "$0" && "$1" createAuxImage --fromImage localhost/base:1 --tag example.com/t/noprop:1 --wdtModel model.yaml \
    --wdtVariables "$2"' "$FX" "$WLSIMG" "$M/other.properties"
check "and nothing was built" sh -c '! "$0" images | grep -q noprop' "$WLSIMG"
check_w "createAuxImage without --wdtVariables: a warning" sh -c 'cd "$0" && "$1" createAuxImage --fromImage localhost/base:1 \
  --tag example.com/t/noprop:2 --wdtModel model.yaml --dryRun' "$FX" "$WLSIMG"
check "says where the values must come from" grep -qF \
  "model.yaml:15 uses @@PROP:CLUSTER_SIZE@@ and no --wdtVariables file is given: the domain needs it from a properties file in its model ConfigMap" "$T_DIR/e"
for mode in 0755 1777; do
  R="$T_DIR/root-$mode"
  mkdir -p "$R/tmp" "$R/etc"
  chmod "$mode" "$R/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$R/etc/passwd"
  printf 'root:x:0:\n' > "$R/etc/group"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$R" -cf "$T_DIR/root-$mode.tar" .
  "$WLSIMG" import "$T_DIR/root-$mode.tar" --tag "localhost/tmp$mode:1" > /dev/null 2>&1
  check_w "createAuxImage on a base with /tmp $mode" sh -c 'cd "$0" && "$1" createAuxImage --fromImage "$2" --tag "example.com/t/tmp$3:1"' \
    "$FX" "$WLSIMG" "localhost/tmp$mode:1" "$mode"
  cp "$T_DIR/e" "$T_DIR/e.$mode"
done
check "/tmp 0755: warned that the operator's init container cannot write its log" grep -qF \
  "has /tmp with mode 0755, owner 0:0: the operator's init container (uid 1000) cannot write its log /tmp/auxiliaryImage.out there" \
  "$T_DIR/e.0755"
check "/tmp 1777: no warning" sh -c '! grep -q "auxiliaryImage.out" "$0"' "$T_DIR/e.1777"

# ---- 12. secrets typed on a terminal: prompts without echo (tmux) ----
TMUX_SOCK="$T_DIR/tmux.sock"
TM() { tmux -S "$TMUX_SOCK" "$@"; }
# tty_run NAME CMD: run CMD (a shell command) in a tmux window; sets nothing, use tty_wait/tty_type
tty_run() {
  TM new-session -d -s "$1" -x 200 -y 40 "$2; echo \"exit=\$?\"; sleep 30"
  [ -n "${TMUX_PID:-}" ] || { TMUX_PID=$(TM display -p '#{pid}'); T_PIDS+=("$TMUX_PID"); }
}
# tty_wait NAME TEXT: until the pane shows TEXT (at most ~10 s; tmux trims trailing blanks)
tty_wait() {
  local i
  for i in $(seq 1 200); do
    TM capture-pane -p -t "$1" | grep -qF -- "$2" && return 0
    sleep 0.05
  done
  TM capture-pane -p -t "$1" | sed 's/^/    pane: /' >&2
  return 1
}
tty_run pw "\"$WLSIMG\" k8s secret docker-registry regcred --docker-username u --docker-password-stdin > \"$T_DIR/tty.yaml\""
check "--docker-password-stdin on a terminal prompts" tty_wait pw "password:"
TM send-keys -t pw 'tty-S3cret!' Enter
check "and finishes" tty_wait pw "exit=0"
check "the password was not echoed" sh -c '! tmux -S "$0" capture-pane -p -t pw | grep -qF "tty-S3cret!"' "$TMUX_SOCK"
"$REAL_KUBECTL" create secret docker-registry regcred --docker-username=u --docker-password='tty-S3cret!' --dry-run=client \
  -o yaml > "$T_DIR/want.tty"
check "the secret equals kubectl's" cmp "$T_DIR/want.tty" "$T_DIR/tty.yaml"
tty_run creds "\"$WLSIMG\" k8s domain --domain-uid dt --image wls:14 --no-inspect --weblogic-credentials-from-stdin \
  --runtime-encryption-secret e > \"$T_DIR/tty-domain.yaml\""
check "--weblogic-credentials-from-stdin on a terminal asks for the user name" tty_wait creds "WebLogic administrator user name:"
TM send-keys -t creds 'weblogic' Enter
check "then for the password" tty_wait creds "WebLogic administrator password:"
TM send-keys -t creds 'tty-welcome1' Enter
check "and finishes" tty_wait creds "exit=0"
check "the user name was echoed, the password not" sh -c 'p=$(tmux -S "$0" capture-pane -p -t creds)
  printf "%s" "$p" | grep -qF "user name: weblogic" && ! printf "%s" "$p" | grep -qF tty-welcome1' "$TMUX_SOCK"
check_eq "the credentials secret holds them" \
  "$(/usr/bin/python3 -c 'import base64,sys,yaml; d=next(yaml.safe_load_all(open(sys.argv[1]))); print(base64.b64decode(d["data"]["username"]).decode(), base64.b64decode(d["data"]["password"]).decode())' "$T_DIR/tty-domain.yaml")" \
  "weblogic tty-welcome1"
TM kill-server 2> /dev/null
valid_all
finish
