#!/usr/bin/env bash
# wlsimg k8s: pull secrets byte for byte against kubectl's own --dry-run=client output, --from-login with a
# real registry login, a Domain for auxiliary images built by createAuxImage (paths from the image's metadata),
# --apply/rollout/serviceaccount through a stub kubectl that records argv and stdin (no secret on argv), and
# the bad-input errors.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
need kubectl
need python3
ROOT=$(cd "$T_HERE/../.." && pwd)
DATA="$T_HERE/data/k8s"
REAL_KUBECTL=$(command -v kubectl)
# check_w: check, keeping the command's stdout/stderr in $T_DIR/o and $T_DIR/e for the checks that follow
check_w() { check "$@"; cp "$T_DIR/last.out" "$T_DIR/o"; cp "$T_DIR/last.err" "$T_DIR/e"; }

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
check_fail "there is no --docker-password option" 2 "unknown option --docker-password" \
  "$WLSIMG" k8s secret docker-registry ok --docker-username u --docker-password=p
check_fail "invalid domain UID" 1 'invalid domain UID "Domain_1"' \
  "$WLSIMG" k8s domain --domain-uid Domain_1 --image wls:1 --weblogic-credentials-secret c --no-inspect
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
check_fail "invalid pull secret name" 1 'invalid pull secret name "OCIR"' \
  "$WLSIMG" k8s domain --domain-uid d1 --image wls:1 --no-inspect --weblogic-credentials-secret c --pull-secret OCIR
check_fail "invalid introspectVersion" 1 'invalid introspectVersion "a b"' \
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
cp "$ROOT/examples/model.yaml" "$FX/"
"$WLSIMG" cache addInstaller --type wdt --version latest --path "$FX/weblogic-deploy.zip" > /dev/null 2>&1
build() { (cd "$FX" && "$WLSIMG" createAuxImage --fromImage localhost/base:1 "$@" > /dev/null 2>&1); }
check "aux image with --wdtHome /u01/wdt --wdtModelHome /u01/wdt/models" build --tag example.com/t/custom:1 \
  --wdtModel model.yaml --wdtHome /u01/wdt --wdtModelHome /u01/wdt/models
check "aux image with models only (--wdtVersion none)" build --tag example.com/t/models:1 --wdtModel model.yaml --wdtVersion none
check "aux image with WDT only" build --tag example.com/t/wdt:1
check "aux image at the defaults" build --tag example.com/t/default:latest --wdtModel model.yaml
printf 'username=weblogic\npassword=welcome1\n' > "$T_DIR/wls.creds"
printf 'encrypt-me\n' > "$T_DIR/enc.pw"
DOM=(k8s domain --domain-uid domain1 -n domain1-ns
  --image container-registry.oracle.com/middleware/weblogic:14.1.2.0-generic-jdk17-ol8
  --pull-secret ocr-pull --pull-secret ocir-pull --replicas 2 --cluster cluster_1
  --weblogic-credentials-file "$T_DIR/wls.creds" --runtime-encryption-secret-file "$T_DIR/enc.pw")
check_w "domain for the custom-path image" "$WLSIMG" "${DOM[@]}" --aux-image example.com/t/custom:1
check "domain YAML equals the expected file" diff -u "$DATA/domain-custom.yaml" "$T_DIR/o"
cp "$T_DIR/o" "$T_DIR/domain.yaml"
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
                  'webLogicCredentialsSecret', 'replicas', 'clusters', 'configuration'}, set(s)
assert s['domainHomeSourceType'] == 'FromModel' and s['domainHome'] == '/u01/domains/domain1'
assert s['imagePullSecrets'] == [{'name': 'ocr-pull'}, {'name': 'ocir-pull'}]
assert s['webLogicCredentialsSecret'] == {'name': cred['metadata']['name']}
m = s['configuration']['model']
assert m['runtimeEncryptionSecret'] == enc['metadata']['name'] and m['domainType'] == 'WLS'
assert m['auxiliaryImages'] == [{'image': 'example.com/t/custom:1', 'imagePullPolicy': 'IfNotPresent',
                                 'sourceWDTInstallHome': '/u01/wdt/weblogic-deploy', 'sourceModelHome': '/u01/wdt/models'}]
PY
check_w "models-only image + WDT-only image, in merge order" "$WLSIMG" k8s domain --domain-uid d2 --image wls:14 \
  --aux-image example.com/t/wdt:1 --aux-image example.com/t/models:1 --weblogic-credentials-secret c --runtime-encryption-secret e -o json
check "sourceWDTInstallHome/sourceModelHome None where the image has nothing" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "Domain", d["kind"]
a = d["spec"]["configuration"]["model"]["auxiliaryImages"]
assert a == [{"image": "example.com/t/wdt:1", "imagePullPolicy": "IfNotPresent", "sourceModelHome": "None"},
             {"image": "example.com/t/models:1", "imagePullPolicy": "IfNotPresent", "sourceWDTInstallHome": "None"}], a
' "$T_DIR/o"
check_w "default-path image: fields omitted, :latest → Always" "$WLSIMG" k8s domain --domain-uid d3 --image wls:14 \
  --aux-image example.com/t/default:latest --weblogic-credentials-secret c --runtime-encryption-secret e
check "default-path entry" grep -qxF '      - image: example.com/t/default:latest' "$T_DIR/o"
check_eq "default-path entry has only image and policy" "$(sed -n '/auxiliaryImages:/,$p' "$T_DIR/o" | tail -n +2)" \
  "      - image: example.com/t/default:latest
        imagePullPolicy: Always"
# an image that is only in its registry: its metadata is pulled (plain HTTP on loopback with --tls-verify=false)
check "push the custom-path image to the registry" "$WLSIMG" push --tls-verify=false example.com/t/custom:1 "$REG_ADDR/t/custom:1"
"$WLSIMG" rmi "$REG_ADDR/t/custom:1" > /dev/null 2>&1 # not in the store under that name
check_w "domain for a registry-only image" "$WLSIMG" k8s domain --domain-uid d8 --image wls:14 --aux-image "$REG_ADDR/t/custom:1" \
  --tls-verify=false --weblogic-credentials-secret c --runtime-encryption-secret e
check "its paths come from the pulled metadata" grep -qxF '        sourceWDTInstallHome: /u01/wdt/weblogic-deploy' "$T_DIR/o"
check_fail "two WDT installs are refused" 1 "2 auxiliary images carry a WDT install" "$WLSIMG" k8s domain --domain-uid d4 \
  --image wls:14 --aux-image example.com/t/wdt:1 --aux-image example.com/t/custom:1 --weblogic-credentials-secret c --runtime-encryption-secret e
check_w "--wdt-image picks one; the other gets None" "$WLSIMG" k8s domain --domain-uid d4 --image wls:14 \
  --aux-image example.com/t/wdt:1 --aux-image example.com/t/custom:1 --wdt-image example.com/t/custom:1 \
  --weblogic-credentials-secret c --runtime-encryption-secret e
check "the other image says None" grep -A2 -F 'image: example.com/t/wdt:1' "$T_DIR/o"
check_eq "None on the first image" "$(grep -A2 -F 'image: example.com/t/wdt:1' "$T_DIR/o" | tail -1)" \
  "        sourceWDTInstallHome: None"
check_w "credentials from stdin, random encryption password" sh -c 'printf "weblogic\nwelcome1\n" | "$0" k8s domain --domain-uid d5 \
  --image wls:14 --no-inspect --weblogic-credentials-from-stdin' "$WLSIMG"
check "a warning says the random password must be kept" grep -qF "generated a random password for d5-runtime-encryption-secret" "$T_DIR/e"

# ---- 5. --apply through a stub kubectl that records argv and stdin ----
STUB="$T_DIR/stub"
mkdir -p "$STUB/bin"
cat > "$STUB/bin/kubectl" << 'EOS'
#!/usr/bin/env bash
# Test stub: records each call's argv (one per line) and stdin; answers "get" from canned files.
d=$(dirname "$0")/..
n=$(( $(cat "$d/n" 2> /dev/null || echo 0) + 1 )); echo "$n" > "$d/n"
printf '%s\n' "$@" > "$d/args.$n"
cat > "$d/stdin.$n"
case "$1" in
get) f="$d/get-$2.json"; [ -f "$f" ] && cat "$f"; [ "$2" = secret ] || [ -f "$f" ] || { echo "NotFound" >&2; exit 1; } ;;
apply) echo "applied by stub" ;;
patch) echo "$2/$3 patched" ;;
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
check_fail "rollout --image without --apply needs a restartVersion" 2 "give --restart-version V" \
  "$WLSIMG" k8s rollout --domain-uid d1 --image wls:14.1.2-2
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

# ---- 8. generic secret from files equals kubectl's ----
printf 'a value\n' > "$T_DIR/v1"
printf 'p<&>\n' > "$T_DIR/v2"
"$REAL_KUBECTL" create secret generic gen -n ns1 --from-file=alpha="$T_DIR/v1" --from-file="$T_DIR/v2" --dry-run=client -o yaml > "$T_DIR/want.gen"
check_w "secret generic --from-file" "$WLSIMG" k8s secret generic gen -n ns1 --from-file alpha="$T_DIR/v1" --from-file "$T_DIR/v2"
check "generic secret equals kubectl's" cmp "$T_DIR/want.gen" "$T_DIR/o"
finish
