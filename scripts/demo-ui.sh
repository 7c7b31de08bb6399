#!/usr/bin/env bash
# The lab in the browser, on one machine with nothing but wlsimg running:
#   1. start wlsimg's own registry (token auth) on loopback, create tenancy user demo/alice and an auth token
#      (written to a 0600 file: you type it as the Push Password, as the lab does with an OCI auth token)
#   2. put a busybox base image in the local store (made offline from the host's busybox) and a WDT installer
#      in the WIT-compatible cache
#   3. start `wlsimg ui` on a project that names the example model and the demo registry, and print its URL
# Then open the URL: Image > Auxiliary Image, type the user and the token, Create Auxiliary Image, Push
# Auxiliary Image; Kubernetes shows the pull secret and the Domain. Ctrl-C stops everything and removes the
# temporary directory (KEEP=1 keeps it). Set UI_LISTEN (default 127.0.0.1:0) to choose the page's address.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
make -s -j"$(nproc)"
WLSIMG=$PWD/build/wlsimg
W=$(mktemp -d "${TMPDIR:-/tmp}/wlsimg-demo-ui.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
  wait 2> /dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $W" >&2 || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 0' INT TERM
export HOME="$W/home" XDG_DATA_HOME="$W/home/.local/share" XDG_RUNTIME_DIR="$W/run" DOCKER_CONFIG="$W/home/.docker"
export WLSIMG_CACHEDIR="$W/cache" SOURCE_DATE_EPOCH=0
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$WLSIMG_CACHEDIR"
chmod 700 "$XDG_RUNTIME_DIR"
say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }

say "1. wlsimg registry serve --auth token, user demo/alice"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG=127.0.0.1:$PORT
"$WLSIMG" registry user add --root "$W/registry" demo/alice
(umask 077 && "$WLSIMG" registry token create --root "$W/registry" demo/alice > "$W/alice.token")
"$WLSIMG" registry serve --listen "$REG" --root "$W/registry" --auth token 2> "$W/registry.log" &
PIDS+=($!)
until curl -s -o /dev/null "http://$REG/v2/"; do sleep 0.05; done

say "2. busybox base image and a WDT installer"
R="$W/rootfs"
mkdir -p "$R/bin" "$R/etc" "$R/tmp"
cp "$(command -v busybox)" "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$R/etc/passwd"
printf 'root:x:0:\n' > "$R/etc/group"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$R" -cf "$W/rootfs.tar" .
"$WLSIMG" import "$W/rootfs.tar" --tag busybox:latest > /dev/null
examples/make-fixtures.sh "$W/fixtures" > /dev/null
"$WLSIMG" cache addInstaller --type wdt --version latest --path "$W/fixtures/weblogic-deploy.zip" > /dev/null

say "3. wlsimg ui"
mkdir -p "$W/project/models"
cp examples/model.yaml examples/model.properties examples/archive.zip "$W/project/models/"
cat > "$W/project/wlsimg-project.json" << EOJ
{"schema": "wlsimg.project/v1", "project": {"name": "test-model-ocw"},
 "model": {"files": ["models/model.yaml"], "variables": ["models/model.properties"], "archives": ["models/archive.zip"]},
 "image": {"aux": {"tag": "$REG/demo/test-model-ocw:alice", "offerPrepareModel": true}},
 "k8s": {"domainUid": "test-model-ocw", "namespace": "test-model-ocw-ns"},
 "registry": {"url": "$REG", "root": "$W/registry"}}
EOJ
"$WLSIMG" ui --listen "${UI_LISTEN:-127.0.0.1:0}" --project "$W/project/wlsimg-project.json" > "$W/ui.out" 2> "$W/ui.log" &
PIDS+=($!)
for _ in $(seq 1 200); do grep -q '^wlsimg ui: http' "$W/ui.out" && break; sleep 0.05; done
cat >&2 << EOT
Registry:            $REG (wlsimg registry serve --auth token)
Push Username:       demo/alice
Push Password:       the auth token in $W/alice.token (cat it; it is shown nowhere else)
Auxiliary Image Tag: $REG/demo/test-model-ocw:alice (already in the project)
Server log:          $W/ui.log

Open this URL (its token works once); Ctrl-C stops the demo:
EOT
sed -n 's/^wlsimg ui: //p' "$W/ui.out"
wait
