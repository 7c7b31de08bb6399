#!/usr/bin/env bash
# The main job on local defaults, end to end on one machine, with nothing but wlsimg running:
#   1. start wlsimg's own registry (token auth) on loopback, create tenancy user demo/alice and an auth token
#   2. put a busybox base image in the local store (made offline from the host's busybox)
#   3. register a WDT installer in the WIT-compatible cache and build the auxiliary image from examples/
#   4. log in with the auth token (on stdin), push the image, pull it back into an empty store, print its digest
#   5. print the Kubernetes pull secret and WKO Domain for the image just pushed
# Everything lives in a temporary directory that is removed at the end (KEEP=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
make -s -j"$(nproc)"
WLSIMG=$PWD/build/wlsimg
W=$(mktemp -d "${TMPDIR:-/tmp}/wlsimg-demo.XXXXXX")
REG_PID=
cleanup() {
  [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null && wait "$REG_PID" 2>/dev/null
  [ -n "${KEEP:-}" ] && echo "kept $W" >&2 || rm -rf "$W"
}
trap cleanup EXIT
export HOME="$W/home" XDG_DATA_HOME="$W/home/.local/share" XDG_RUNTIME_DIR="$W/run" DOCKER_CONFIG="$W/home/.docker"
export WLSIMG_CACHEDIR="$W/cache" SOURCE_DATE_EPOCH=0
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$WLSIMG_CACHEDIR"
chmod 700 "$XDG_RUNTIME_DIR"
say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }

say "1. wlsimg registry serve --auth token"
PORT=5000
if (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null; then # 5000 taken: use a free port
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fi
REG=127.0.0.1:$PORT
"$WLSIMG" registry user add --root "$W/registry" demo/alice
TOKEN=$("$WLSIMG" registry token create --root "$W/registry" demo/alice)
"$WLSIMG" registry serve --listen "$REG" --root "$W/registry" --auth token 2> "$W/registry.log" &
REG_PID=$!
until curl -s -o /dev/null "http://$REG/v2/"; do sleep 0.05; done
echo "registry on http://$REG, user demo/alice with a new auth token" >&2

say "2. busybox base image in the local store (offline, from the host's busybox)"
R="$W/rootfs"
mkdir -p "$R/bin" "$R/etc" "$R/tmp"
# /tmp as on any Linux system: the operator's init container runs as uid 1000 and writes its log there
chmod 1777 "$R/tmp"
cp "$(command -v busybox)" "$R/bin/busybox"
for lib in $(ldd "$(command -v busybox)" 2> /dev/null | grep -o '/[^ ]*'); do
  mkdir -p "$R$(dirname "$lib")" && cp -L "$lib" "$R$lib"
done
for a in sh cp ls mkdir touch rm tr date basename dirname sed id cat echo test chmod mv; do ln -s busybox "$R/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$R/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' > "$R/etc/group"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$R" -cf "$W/rootfs.tar" .
"$WLSIMG" import "$W/rootfs.tar" --tag busybox:latest --change 'CMD ["sh"]'
"$WLSIMG" images

say "3. createAuxImage (WIT-compatible) from examples/"
examples/make-fixtures.sh "$W/fixtures" > /dev/null
"$WLSIMG" cache addInstaller --type wdt --version latest --path "$W/fixtures/weblogic-deploy.zip"
IMAGE=$REG/demo/domain1-aux:1.0
"$WLSIMG" createAuxImage --tag "$IMAGE" \
  --wdtModel examples/model.yaml --wdtVariables examples/model.properties --wdtArchive examples/archive.zip

say "4. login with the auth token, push, pull back into an empty store"
printf '%s\n' "$TOKEN" | "$WLSIMG" login --username demo/alice --password-stdin "$REG"
unset TOKEN
"$WLSIMG" push "$IMAGE"
WLSIMG_STORE="$W/store2" "$WLSIMG" pull "$IMAGE"
DIGEST=$(WLSIMG_STORE="$W/store2" "$WLSIMG" images --digests --no-trunc | awk -v r="$REG/demo/domain1-aux" '$1 == r {print $3}')
echo "pulled back $IMAGE"
echo "digest: $DIGEST"

say "5. Kubernetes objects for the image just pushed"
"$WLSIMG" k8s secret docker-registry demo-registry -n domain1-ns --docker-server "$REG" \
  --docker-username demo/alice --from-login
echo "---"
# the model names the domain with @@ENV:CUSTOM_DOMAIN_NAME@@: serverPod.env gives it
printf 'weblogic\nwelcome1\n' | "$WLSIMG" k8s domain --domain-uid domain1 -n domain1-ns \
  --image container-registry.oracle.com/middleware/weblogic:14.1.2.0-generic-jdk17-ol8 \
  --aux-image "$IMAGE" --pull-secret demo-registry --weblogic-credentials-from-stdin \
  --env CUSTOM_DOMAIN_NAME=domain1
