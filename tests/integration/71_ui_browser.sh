#!/usr/bin/env bash
# wlsimg ui in a real browser (Debian's headless Chromium driven by python3-selenium, tests/ui/lab_flow.py):
# the lab's flow against `wlsimg registry serve --auth token` with tenancy user ns/user3 and an auth token —
# Image > Auxiliary Image, tag and push login filled, Create Auxiliary Image (No to the prompt), Push Auxiliary
# Image — then the digest the page shows is the one the registry holds (skopeo), and the Kubernetes page's pull
# secret equals `wlsimg k8s secret docker-registry --from-login` for the same login. Bad input in the page: an
# invalid tag (inline error, Create disabled, the validation dialog's link focuses the field), a tag whose
# namespace differs from the login's (a warning before pushing), a wrong token (the dialog names the 401 and
# the hint), a registry that is down. Image > Primary Image: Create New Primary Image with its options, Preview
# Dockerfile (WIT's Dockerfile in the Code View), one real `wlsimg create` through buildah from a busybox base that
# already has JAVA_HOME and ORACLE_HOME (only WIT's user step runs), its digest as `wlsimg images --digests` shows
# it, and Push Primary Image. The Model, Registries (saved login, embedded registry user and token),
# Kubernetes (apply and status through kubectl) and Jobs pages are visited too. The auth token must be in no
# server log, job log, page, project file or process argv. Screenshots of each step are kept in
# ${WLSIMG_TEST_OUT:-build/test-output}/71_ui_browser/.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
need curl
need jq
need busybox
need skopeo
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || { echo "chromium/chromedriver missing (scripts/deps.sh installs them)"; exit 1; }
ROOT=$(cd "$T_HERE/../.." && pwd)
export WLSIMG_CACHEDIR="$T_DIR/cache" SOURCE_DATE_EPOCH=0
OUT="${WLSIMG_TEST_OUT:-$ROOT/build/test-output}/71_ui_browser"
rm -rf "$OUT"
mkdir -p "$OUT"

# the registry with tenancy user ns/user3 and its auth token, a busybox base, WDT in the cache, the model
ui_lab_fixture

# The primary image's base: busybox with JAVA_HOME and ORACLE_HOME in its config and the oracle user, so that
# `wlsimg create` installs no JDK and no Oracle installer and the engine runs only WIT's user step (cheap). The
# engine is buildah with storage of its own (vfs, chroot isolation), as in 53_wit_build.
B="$T_DIR/primary-root"
mkdir -p "$B/bin" "$B/etc" "$B/tmp" "$B/u01/oracle" "$B/u01/jdk"
cp "$(command -v busybox)" "$B/bin/busybox"
for lib in $(ldd "$(command -v busybox)" 2> /dev/null | grep -o '/[^ ]*'); do mkdir -p "$B$(dirname "$lib")"; cp -L "$lib" "$B$lib"; done
for a in sh grep; do ln -s busybox "$B/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\noracle:x:1000:1000::/u01:/bin/sh\n' > "$B/etc/passwd"
printf 'root:x:0:\noracle:x:1000:\n' > "$B/etc/group"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$B" -cf "$T_DIR/primary-base.tar" .
"$WLSIMG" import -c 'ENV JAVA_HOME=/u01/jdk' -c 'ENV ORACLE_HOME=/u01/oracle' -c 'ENV PATH=/bin' \
  "$T_DIR/primary-base.tar" wls-base:1 > /dev/null
PRIMARY="$REG/ns/wls-primary:1"
ENGINE=none
if command -v buildah > /dev/null && [ "$(id -u)" -eq 0 ]; then
  ENGINE=buildah
  export BUILDAH_ISOLATION=chroot WLSIMG_BUILDER_OPTS="--root $T_DIR/broot --runroot $T_DIR/brun --storage-driver vfs"
  # buildah push insists on an existing DOCKER_CONFIG file when that variable is set
  mkdir -p "$DOCKER_CONFIG" && (umask 077; echo '{}' > "$DOCKER_CONFIG/config.json")
else
  echo "ok - # SKIP the real primary image create (needs buildah and root); the Dockerfile preview still runs"
fi

# The project names the example model and the embedded registry (for the Registries page).
jq -n --arg url "$REG" --arg root "$T_DIR/registry" '{schema: "wlsimg.project/v1",
  model: {files: ["models/model.yaml"], variables: ["models/model.properties"], archives: ["models/archive.zip"]},
  image: {aux: {offerPrepareModel: true}}, registry: {url: $url, root: $root}}' > "$PROJ/wlsimg-project.json"

# No Kubernetes cluster can run here: kubectl is a stand-in (test only) that records each call's argv and
# stdin, lists two contexts, answers apply the way kubectl does ("<kind>/<name> created") and get domain and
# get pods with a canned Available domain.
STUB="$T_DIR/kubectl-stub"
mkdir -p "$STUB"
cat > "$STUB/kubectl" << 'EOS'
#!/usr/bin/env bash
# Test stand-in for kubectl (there is no cluster in the test machine).
d=$(dirname "$0")
n=$(( $(cat "$d/n" 2> /dev/null || echo 0) + 1 )); echo "$n" > "$d/n"
printf '%s\n' "$@" > "$d/args.$n"
cat > "$d/stdin.$n"
args=" $* "
case "$args" in
*" config get-contexts "*) printf 'lab-cluster\nother-cluster\n' ;;
*" config current-context "*) echo other-cluster ;;
*" get secret "*) ;;
*" apply "*)
  suffix=""; case "$args" in *"--dry-run=server"*) suffix=" (server dry run)" ;; esac
  awk -v s="$suffix" '/^kind: /{k=tolower($2)} /^  name: /{if (k) {print k "/" $2 " created" s; k=""}}' "$d/stdin.$n" ;;
*" get domain.v9.weblogic.oracle "*)
  echo '{"apiVersion":"weblogic.oracle/v9","kind":"Domain","metadata":{"name":"domain1"},"status":{"conditions":[{"type":"Available","status":"True","reason":"ServersReady","message":"The domain has the expected servers running."},{"type":"Completed","status":"False"}],"servers":[{"serverName":"admin-server","state":"RUNNING","health":{"overallHealth":"ok"}}]}}' ;;
*" get pods "*)
  echo '{"items":[{"metadata":{"name":"domain1-admin-server"},"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}]}' ;;
*) echo "kubectl stand-in: unexpected call: $*" >&2; exit 1 ;;
esac
EOS
chmod +x "$STUB/kubectl"

# ---- the server and the browser ----
WLSIMG_KUBECTL="$STUB/kubectl" "$WLSIMG" ui --listen 127.0.0.1:0 --project "$PROJ/wlsimg-project.json" --idle-exit 5 \
  > "$T_DIR/ui.out" 2> "$T_DIR/ui.err" &
UI_PID=$!
T_PIDS+=($UI_PID)
for _ in $(seq 1 200); do grep -q '^wlsimg ui: http' "$T_DIR/ui.out" && break; sleep 0.05; done
URL=$(sed -n 's/^wlsimg ui: //p' "$T_DIR/ui.out")
TAG="$REG/ns/test-model-ocw:user3"
DOWN="127.0.0.1:$(free_port)/ns/test-model-ocw:user3"
PWF="$T_DIR/password"
(umask 077; printf '%s\n' "$TOKEN" > "$PWF")
# every process's argv, sampled while the browser works (bounded: at most 3 minutes)
(for _ in $(seq 1 900); do ps -eo args; sleep 0.2; done) > "$T_DIR/ps.txt" 2> /dev/null &
PS_PID=$!
T_PIDS+=($PS_PID)
start=$(date +%s)
timeout 240 /usr/bin/python3 "$ROOT/tests/ui/lab_flow.py" "$URL" "$TAG" ns/user3 "$PWF" "$OUT" "$DOWN" \
  wls-base:1 "$PRIMARY" "$ENGINE" > "$OUT/flow.out" 2> "$OUT/flow.err"
rc=$?
kill "$PS_PID" 2> /dev/null
echo "browser flow: $(( $(date +%s) - start )) s"
check_eq "the browser flow ran to its end" "$rc $(grep -c '^done=true' "$OUT/flow.out")" "0 1"
val() { sed -n "s/^$1=//p" "$OUT/flow.out" | head -1; }

check_eq "the page removed the token from its URL" "$(val fragment_removed)" true
echo "page ready after $(val ready_ms) ms (bench/ui.sh measures it)"
# bad input
check_eq "invalid tag: inline error naming the upper-case letter" "$(val bad_tag_error | grep -c 'upper-case\|lower case\|lowercase')" 1
check_eq "invalid tag: Create disabled" "$(val bad_tag_create_disabled)" true
check_eq "clicking it anyway: the validation dialog" "$(val validation_title)" "Create Auxiliary Image Aborted"
check_eq "its link focuses the field" "$(val validation_link_focus)" aux-tag
check_eq "valid input: Create enabled" "$(val create_enabled)" false
check_eq "the login host is the tag's host" "$(val aux_host)" "$REG"
# the lab
check_eq "the lab's prompt, answered No" "$(val create_prompt)" "Create Auxiliary Image to run Prepare Model"
check_eq "Create Auxiliary Image Complete" "$(val create_title)" "Create Auxiliary Image Complete"
check_eq "namespace differs: warning before pushing" "$(val ns_warning | grep -c "does not match the tenancy namespace 'ns'")" 1
check_eq "wrong token: Push Auxiliary Image Failed" "$(val badtoken_title)" "Push Auxiliary Image Failed"
check_eq "wrong token: the dialog names the 401" "$(val badtoken_status)" "HTTP 401"
check_eq "wrong token: the hint (auth token)" "$(val badtoken_hint | grep -c 'auth token')" 1
check_eq "Push Image Complete" "$(val push_title)" "Push Image Complete"
DIGEST=$(val push_digest)
check_eq "the page shows a digest" "$(printf '%s' "$DIGEST" | grep -cE '^sha256:[0-9a-f]{64}$')" 1
check_eq "one row per layer during the push" "$(val blob_rows | awk '{print ($1 >= 2)}')" 1
check_eq "the password field is empty after the push" "$(val password_field_after_push)" ""
REGD=$(skopeo inspect --tls-verify=false --creds "ns/user3:$(cat "$PWF")" --raw "docker://$TAG" 2> /dev/null | sha256sum | cut -d' ' -f1)
check_eq "the registry holds exactly that digest (skopeo)" "sha256:$REGD" "$DIGEST"
check_eq "Test Login: push rights on the repository" "$(val test_login | grep -c 'push to ns/test-model-ocw allowed')" 1
check_eq "registry down: Push Auxiliary Image Failed" "$(val down_title)" "Push Auxiliary Image Failed"
check_eq "registry down: the hint" "$(val down_hint | grep -c 'could not be reached')" 1
# the primary image
check_eq "primary: the engines found here are listed" "$(val primary_engines | tr ',' '\n' | grep -c '^buildah$')" 1
check_eq "primary: valid options, no field error" "$(val primary_field_errors)" ""
check_eq "primary: Preview Dockerfile shows WIT's Dockerfile in the Code View" "$(val preview_from)" "FROM wls-base:1 AS os_update"
check_eq "primary: the Code View's wlsimg create line" "$(val primary_cli)" \
  "wlsimg create --tag $PRIMARY --fromImage wls-base:1 --type WLS --version 12.2.1.4.0 --jdkVersion 8u202$([ "$ENGINE" = none ] || echo " --builder $ENGINE")"
if [ "$ENGINE" != none ]; then
  check_eq "Create Primary Image Complete" "$(val create_primary_title)" "Create Primary Image Complete"
  PD=$(val create_primary_digest)
  check_eq "its digest is the one wlsimg images --digests shows" \
    "$("$WLSIMG" images --digests --no-trunc | awk -v r="$REG/ns/wls-primary" '$1 == r {print $3}')" "$PD"
  check_eq "the steps: installers and patches skipped (the base has them, none asked), the engine ran" "$(val primary_steps)" \
    "check=done installers=done patches=skipped context=done build=done import=done"
  check_eq "the engine's output is in the job's log" "$(val primary_engine_output)" true
  check_eq "Push Primary Image: Push Image Complete" "$(val push_primary_title)" "Push Image Complete"
  REGP=$(skopeo inspect --tls-verify=false --creds "ns/user3:$(cat "$PWF")" --raw "docker://$PRIMARY" 2> /dev/null | sha256sum | cut -d' ' -f1)
  check_eq "the registry holds the created image" "sha256:$REGP $(val push_primary_digest)" "$PD $PD"
fi
check "screenshot of the Primary Image tab" test -s "$(ls "$OUT"/*-primary-filled.png)"
# Kubernetes
check_eq "the secret is redacted until Reveal" "$(val secret_redacted)" true
"$WLSIMG" k8s secret docker-registry ocir-pull -n domain1-ns --docker-server "$REG" --docker-username ns/user3 \
  --from-login > "$T_DIR/secret-cli.yaml"
check "the Kubernetes page's secret equals wlsimg k8s secret docker-registry --from-login" cmp "$OUT/page-secret.yaml" "$T_DIR/secret-cli.yaml"
check_eq "the model's @@ENV macro needs the Domain's env" "$(val env_error | grep -c 'CUSTOM_DOMAIN_NAME')" 1
check_eq "given, the error goes" "$(val env_error_after)" ""
check_eq "the Domain pins the aux image by digest" "$(val domain_yaml_pinned)" true
check_eq "the kubectl lines name the context" "$(val kubectl_has_context)" true
check_eq "contexts listed from kubectl" "$(val contexts)" "lab-cluster,other-cluster"
check_eq "apply: complete" "$(val apply_title)" "WebLogic Domain Deployment to Kubernetes Complete"
check_eq "apply: each object's result" "$(val apply_objects | grep -o 'created' | wc -l | awk '{print ($1 >= 4)}')" 1
calls=$(cat "$STUB/n")
CTX=$(for i in $(seq 1 "$calls"); do a=$(head -2 "$STUB/args.$i" | tr '\n' ' '); case "$a" in "config "*) ;; *) echo "$a" ;; esac; done | sort -u)
check_eq "kubectl gets --context lab-cluster on every cluster call" "$CTX" "--context lab-cluster "
APPLIES=$(for i in $(seq 1 "$calls"); do grep -qx apply "$STUB/args.$i" && echo "$i $(tr '\n' ' ' < "$STUB/args.$i")"; done)
check_eq "a server-side dry run first, then apply, objects on stdin" "$(cut -d' ' -f2- <<< "$APPLIES")" \
  "$(printf '%s\n%s' '--context lab-cluster apply --dry-run=server -f - ' '--context lab-cluster apply -f - ')"
LAST=$(tail -1 <<< "$APPLIES" | cut -d' ' -f1)
check_eq "the objects: namespace, pull secret, WebLogic credentials, runtime secret, Domain" \
  "$(grep '^kind:' "$STUB/stdin.$LAST" | tr '\n' ' ')" "kind: Namespace kind: Secret kind: Secret kind: Secret kind: Domain "
check_eq "the Domain gets the env the model needs" "$(grep -A1 -- '- name: CUSTOM_DOMAIN_NAME' "$STUB/stdin.$LAST" | grep -c 'value: domain1')" 1
check_eq "the pull secret applied is the one the page showed" \
  "$(awk '/^kind: Secret/,/^---/' "$STUB/stdin.$LAST" | grep -c "name: ocir-pull")" 1
check "no secret in kubectl's argv" sh -c '! grep -rqF -e "welcome1-not-real" -e "$1" "$2"/args.*' _ "$TOKEN" "$STUB"
check_eq "Get Domain Status: Available" "$(val status_state)" Available
# the other pages
check_eq "Model: three files checked" "$(val model_files_ok)" 3
check_eq "Check Model Complete" "$(val model_title)" "Check Model Complete"
check_eq "Registries: the saved login" "$(val registry_rows | grep -c "$REG ns/user3")" 1
check_eq "embedded registry: token shown once" "$(val token_shown) $(val token_once)" "true true"
check_eq "Use for this project fills the tag" "$(val use_for_project)" "$REG/ns/test-model-ocw:user4"
check_eq "Jobs: every job listed" "$(val jobs_listed | awk '{print ($1 >= 7)}')" 1
check_eq "Code View: the wlsimg lines with \$TOKEN" "$(val code_cli | grep -c 'printf .%s\\n. "\$TOKEN" | wlsimg login -u ns/user3 --password-stdin')" 1
check_eq "arrow keys move between tabs" "$(val arrow_keys_tabs)" true
check_eq "every control has a label" "$(val unlabelled_controls)" ""
check_eq "nothing in localStorage or sessionStorage" "$(val storage)" "[0,0]"
check_eq "no page errors in the console" "$(val console_errors | jq -r '[.[] | select(test("Failed to load resource") | not)] | length')" 0
# no secret anywhere
check_eq "the token is not in the server log" "$(grep -cF -- "$TOKEN" "$T_DIR/ui.err")" 0
check_eq "the token is in no job log" "$(grep -cF -- "$TOKEN" "$OUT/job-logs.txt")" 0
check_eq "the job logs were read" "$(val job_logs | awk '{print ($1 >= 7)}')" 1
check_eq "the token is not in the page" "$(grep -cF -- "$TOKEN" "$OUT/page.html")" 0
check_eq "the token is not in the project directory" "$(grep -rlF -- "$TOKEN" "$PROJ" | wc -l)" 0
check_eq "the token is not in any argv" "$(grep -cF -- "$TOKEN" "$T_DIR/ps.txt")" 0
check_eq "argv was sampled during the run" "$(grep -c 'wlsimg ui --listen' "$T_DIR/ps.txt" | awk '{print ($1 > 10)}')" 1
[ -s "$OUT/flow.err" ] && grep -v '^$' "$OUT/flow.err" | tail -5
# the server stops cleanly on SIGTERM (under ASan+UBSan: with no error or leak report)
kill -TERM "$UI_PID"
wait "$UI_PID"
check_eq "the server stopped cleanly" "$? $(grep -cE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T_DIR/ui.err")" "0 0"
finish
