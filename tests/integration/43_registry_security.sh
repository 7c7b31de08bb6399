#!/usr/bin/env bash
# wlsimg registry serve under attack (issue 9, server part): idle and half-open connections, the
# per-address cap and the header deadline; NUL bytes and bad query parameters; Range and invalid
# tags; log forging; upload size limit, namespace quota and stale uploads; the mount challenge,
# --public-url and failed-login throttling under token auth; file modes under any umask; I/O
# errors answered 500; gc that stops on a manifest it cannot read (registry and local store).
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
source "$here/lib.sh"
need curl
need jq
need python3
IDLELOAD=$here/../../bench/idleload.py
# The idle connections and the server's own descriptors.
ulimit -n 4096 2> /dev/null || ulimit -n "$(ulimit -Hn)"

req() {
  local m=$1 u=$2; shift 2
  S=$(curl -s -X "$m" -D "$T_DIR/h" -o "$T_DIR/b" -w '%{http_code}' "$@" "$u")
}
hdr() { grep -i "^$1:" "$T_DIR/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
code() { jq -r '.errors[0].code' "$T_DIR/b" 2> /dev/null; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
kv() { tr ' ' '\n' < "$T_DIR/idle.out" | awk -F= -v k="$1" '$1==k{print $2}'; }
# raw PORT BYTES: send BYTES (printf escapes) on one connection, print the status line.
raw() {
  python3 - "$1" "$2" << 'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
d = b""
while b"\r\n" not in d:
    c = s.recv(4096)
    if not c:
        break
    d += c
print(d.split(b"\r\n")[0].decode("latin-1"))
EOF
}
# push_image BASE REPO TAG: a config blob and a one-layer manifest; sets CFG, LAYER, MAN (digests).
push_image() {
  local base=$1 repo=$2 tag=$3
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"x":"%s"}' "$repo" > "$T_DIR/cfg"
  head -c 3000 /dev/urandom > "$T_DIR/layer"
  CFG=sha256:$(sha "$T_DIR/cfg")
  LAYER=sha256:$(sha "$T_DIR/layer")
  curl -s -o /dev/null -X POST --data-binary @"$T_DIR/cfg" "$base/v2/$repo/blobs/uploads/?digest=$CFG"
  curl -s -o /dev/null -X POST --data-binary @"$T_DIR/layer" "$base/v2/$repo/blobs/uploads/?digest=$LAYER"
  printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":3000}]}' \
    "$MT" "$CFG" "$(stat -c %s "$T_DIR/cfg")" "$LAYER" > "$T_DIR/man"
  MAN=sha256:$(sha "$T_DIR/man")
  curl -s -o /dev/null -X PUT -H "Content-Type: $MT" --data-binary @"$T_DIR/man" "$base/v2/$repo/manifests/$tag"
}
MT=application/vnd.oci.image.manifest.v1+json

# ---- 5: idle connections cost almost nothing ----
# 600 half-sent requests from three addresses (200 each, under the default cap of 256 per address)
# held while a normal client fetches a manifest 100 times on new connections. A server with one
# thread per connection and 512 of them in all has no room left for that client.
ROOT=$T_DIR/reg
start_wlsimg_registry "$ROOT"
R=http://$W_ADDR
PORT=${W_ADDR##*:}
SPID=${T_PIDS[-1]}
push_image "$R" test/app v1
APP_CFG=$CFG APP_LAYER=$LAYER APP_MAN=$MAN
cp "$T_DIR/cfg" "$T_DIR/app-cfg"
cp "$T_DIR/man" "$T_DIR/app-man"
python3 "$IDLELOAD" --port "$PORT" --path /v2/test/app/manifests/v1 --idle 600 --per-addr 200 \
  --requests 100 --timeout 5 > "$T_DIR/idle.out"
echo "# 600 idle: $(cat "$T_DIR/idle.out")"
check_eq "600 idle connections accepted and held" "$(kv opened)/$(kv held_start)/$(kv held_end)" 600/600/600
check_eq "normal client served while they are held" "$(kv gets)/$(kv errors)" 100/0
RSS=$(awk '/VmHWM/{print $2}' "/proc/$SPID/status")
if [ -n "${WLSIMG_SANITIZED:-}" ]; then
  echo "# skip memory bound under sanitizers (peak RSS ${RSS} kB)"
else
  check_eq "peak RSS with 600 idle connections (${RSS} kB) < 64 MiB" "$([ "$RSS" -lt 65536 ] && echo yes)" yes
fi

# Per-address cap and header deadline: 15 connections from one address get 10; connections that
# renew an inactivity timeout with a byte every 0.5 s are still closed after --header-timeout.
CROOT=$T_DIR/capped
start_wlsimg_registry "$CROOT" --max-connections-per-ip 10 --header-timeout 2
CPORT=${W_ADDR##*:}
push_image "http://$W_ADDR" test/app v1
python3 "$IDLELOAD" --port "$CPORT" --path /v2/test/app/manifests/v1 --idle 15 --per-addr 15 \
  --requests 5 --dribble 0.5 --hold 3 > "$T_DIR/idle.out"
echo "# capped: $(cat "$T_DIR/idle.out")"
check_eq "at most 10 connections from one address" "$([ "$(kv held_start)" -le 10 ] && echo yes)" yes
check_eq "another address is still served" "$(kv errors)" 0
check_eq "dribbling connections closed at the header deadline" "$(kv held_end)" 0
check "header-deadline closes are logged" grep -q "sent no complete request in time" "$CROOT.log"

# ---- 10: NUL bytes and query parameters ----
req PUT "$R/v2/test/app/manifests/1%00.json" -H "Content-Type: $MT" --data-binary @"$T_DIR/app-man"
check_eq "%00 in a path: 400" "$S" 400
req GET "$R/v2/test/app/manifests/1"
check_eq "...and nothing stored under the cut-off tag" "$S" 404
req GET "$R/v2/test/app/tags/list?last=a%00b"
check_eq "%00 in a parameter: 400" "$S" 400
check_eq "raw NUL in the request target: 400" \
  "$(raw "$PORT" 'GET /v2/test/app/manifests/v1\x00.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')" \
  "HTTP/1.1 400 Bad Request"
printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[]}' \
  "$MT" "$APP_CFG" "$(stat -c %s "$T_DIR/app-cfg")" > "$T_DIR/m2"
M2=sha256:$(sha "$T_DIR/m2")
req PUT "$R/v2/test/app/manifests/$M2?tag=ok&tag=-bad" -H "Content-Type: $MT" --data-binary @"$T_DIR/m2"
check_eq "bad ?tag=: 400 TAG_INVALID" "$S/$(code)" 400/TAG_INVALID
req GET "$R/v2/test/app/manifests/$M2"
check_eq "...refused before the manifest was stored" "$S" 404
req GET "$R/v2/test/app/manifests/ok"
check_eq "...and before any of its tags" "$S" 404
req POST "$R/v2/test/app/blobs/uploads/?digest=$APP_CFG&digest=$APP_LAYER" --data-binary @"$T_DIR/app-cfg"
check_eq "repeated ?digest=: 400" "$S/$(code)" 400/DIGEST_INVALID
req POST "$R/v2/test/app/blobs/uploads/?mount=$APP_CFG&from=Bad..Name"
check_eq "invalid ?from=: 400" "$S/$(code)" 400/NAME_INVALID
req GET "$R/v2/test/app/tags/list?n=1x"
check_eq "invalid ?n=: 400" "$S/$(code)" 400/PAGINATION_NUMBER_INVALID
req GET "$R/v2/test/app/referrers/$APP_MAN?artifactType=not%20a%20type"
check_eq "invalid ?artifactType=: 400" "$S" 400

# ---- 14: Range and invalid tags ----
req GET "$R/v2/test/app/blobs/$APP_LAYER" -H 'Range: bytes=500-0'
check_eq "Range bytes=500-0: 416" "$S/$(hdr Content-Range)" "416/bytes */3000"
req GET "$R/v2/test/app/manifests/-bad"
check_eq "GET manifest by an invalid tag: 404" "$S/$(code)" 404/MANIFEST_UNKNOWN
S=$(curl -s -I -o /dev/null -w '%{http_code}' "$R/v2/test/app/manifests/-bad")
check_eq "HEAD manifest by an invalid tag: 404" "$S" 404
req PUT "$R/v2/test/app/manifests/-bad" -H "Content-Type: $MT" --data-binary @"$T_DIR/app-man"
check_eq "PUT manifest by an invalid tag: still 400" "$S/$(code)" 400/TAG_INVALID

# ---- 9: nothing a client sends can forge a log line ----
curl -s -o /dev/null "$R/v2/test/app/manifests/x%0aFAKE%20forged"
raw "$PORT" 'GET /v2/test/app/manifests/y\rFAKE\x1b[2J HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' > /dev/null
check_eq "no forged log line" "$(grep -c '^FAKE' "$ROOT.log")" 0
check "a raw CR and ESC are logged escaped" grep -qF 'y\x0dFAKE\x1b[2J' "$ROOT.log"
check_eq "no raw ESC in the log" "$(grep -c $'\x1b' "$ROOT.log")" 0

# ---- 20: an I/O error is a 500, logged, never a 404 ----
rm "$ROOT/repos/test/app/_tags/v1" && mkdir "$ROOT/repos/test/app/_tags/v1"
req GET "$R/v2/test/app/manifests/v1"
check_eq "unreadable tag: 500 UNKNOWN" "$S/$(code)" 500/UNKNOWN
check "...and the cause is in the log" grep -q "error GET /v2/test/app/manifests/v1: .*_tags/v1" "$ROOT.log"
rm "$ROOT/blobs/sha256/${APP_LAYER#sha256:}" && mkdir "$ROOT/blobs/sha256/${APP_LAYER#sha256:}"
req GET "$R/v2/test/app/blobs/$APP_LAYER"
check_eq "blob that is not a file: 500" "$S/$(code)" 500/UNKNOWN
rmdir "$ROOT/blobs/sha256/${APP_LAYER#sha256:}"
req GET "$R/v2/test/app/blobs/$APP_LAYER"
check_eq "a blob really gone: 404" "$S/$(code)" 404/BLOB_UNKNOWN

# ---- 13: gc stops on a manifest it cannot read, and names it ----
GROOT=$T_DIR/gcreg
start_wlsimg_registry "$GROOT"
G=http://$W_ADDR
push_image "$G" test/keep v1
KEEP_CFG=$CFG KEEP_LAYER=$LAYER
printf '{"schemaVersion":2,' > "$GROOT/blobs/sha256/${MAN#sha256:}"
check_fail "registry gc stops at the damaged manifest" 1 "blobs/sha256/${MAN#sha256:}" \
  "$WLSIMG" registry gc --root "$GROOT" --min-age 0
check_eq "...and deletes nothing it names" \
  "$(ls "$GROOT/blobs/sha256/${KEEP_CFG#sha256:}" "$GROOT/blobs/sha256/${KEEP_LAYER#sha256:}" 2> /dev/null | wc -l)" 2
export WLSIMG_STORE=$T_DIR/store
make_oci_layout "$T_DIR/lay1" v1 "first image" > /dev/null
D2=$(make_oci_layout "$T_DIR/lay2" v1 "second image")
"$WLSIMG" copy -q "oci:$T_DIR/lay1:v1" one:1 > /dev/null
"$WLSIMG" copy -q "oci:$T_DIR/lay2:v1" two:1 > /dev/null
NBLOBS=$(ls "$WLSIMG_STORE/blobs/sha256" | wc -l)
rm "$WLSIMG_STORE/blobs/sha256/${D2#sha256:}" && mkdir "$WLSIMG_STORE/blobs/sha256/${D2#sha256:}"
check_fail "store gc stops at the unreadable manifest and names it" 1 "blobs/sha256/${D2#sha256:}" \
  "$WLSIMG" rmi one:1
check_eq "...deleting nothing" "$(ls "$WLSIMG_STORE/blobs/sha256" | wc -l)" "$NBLOBS"

# ---- 7: upload size limit, namespace quota, stale uploads ----
LROOT=$T_DIR/limits
start_wlsimg_registry "$LROOT" --max-upload-size 100K --namespace-quota 150K --upload-ttl 2
L=http://$W_ADDR
head -c 120000 /dev/urandom > "$T_DIR/big"
head -c 90000 /dev/urandom > "$T_DIR/b1"
head -c 70000 /dev/urandom > "$T_DIR/b2"
req POST "$L/v2/ns/a/blobs/uploads/?digest=sha256:$(sha "$T_DIR/big")" --data-binary @"$T_DIR/big"
check_eq "blob over --max-upload-size: 413" "$S/$(code)" 413/SIZE_INVALID
check_eq "...refused before an upload was created" "$(ls "$LROOT/repos/ns/a/_uploads" 2> /dev/null | wc -l)" 0
req POST "$L/v2/ns/a/blobs/uploads/?digest=sha256:$(sha "$T_DIR/b1")" --data-binary @"$T_DIR/b1"
check_eq "blob within the limits: 201" "$S" 201
req POST "$L/v2/ns/b/blobs/uploads/?digest=sha256:$(sha "$T_DIR/b2")" --data-binary @"$T_DIR/b2"
check_eq "namespace over its quota: 403 DENIED" "$S/$(code)" 403/DENIED
check "...the message says why" grep -q "would exceed its storage quota" "$T_DIR/b"
req POST "$L/v2/other/b/blobs/uploads/?digest=sha256:$(sha "$T_DIR/b2")" --data-binary @"$T_DIR/b2"
check_eq "another namespace has its own quota" "$S" 201
req POST "$L/v2/ns/c/blobs/uploads/?mount=sha256:$(sha "$T_DIR/b1")&from=ns/a"
check_eq "a mount inside the namespace costs nothing" "$S" 201
req POST "$L/v2/other/c/blobs/uploads/"
LOC=$(hdr Location)
S=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H 'Transfer-Encoding: chunked' --data-binary @"$T_DIR/big" "$L$LOC")
check_eq "chunked body past the limit: connection closed" "$S" 000
req POST "$L/v2/other/d/blobs/uploads/"
LOC2=$(hdr Location)
for _ in $(seq 1 40); do
  S=$(curl -s -o /dev/null -w '%{http_code}' "$L$LOC2")
  [ "$S" = 404 ] && break
  sleep 0.25
done
check_eq "an upload idle for --upload-ttl is reaped while serving" "$S" 404
check "reaping is logged" grep -q "upload(s) idle for more than 2 s" "$LROOT.log"

# ---- 6, 8, 11: token auth ----
AROOT=$T_DIR/auth
"$WLSIMG" registry user add --root "$AROOT" acme/alice > /dev/null
TOK=$("$WLSIMG" -q registry token create --root "$AROOT" acme/alice)
start_wlsimg_registry "$AROOT" --auth token --public-url https://registry.example.com:8443/
A=http://$W_ADDR
req GET "$A/v2/"
check_eq "--public-url gives the realm" "$(hdr WWW-Authenticate)" \
  'Bearer realm="https://registry.example.com:8443/token",service="wlsimg-registry"'
req GET "$A/token?service=wlsimg-registry&scope=repository:acme/one:pull,push" -u "acme/alice:$TOK"
BT=$(jq -r .token "$T_DIR/b")
push_image "$A" acme/one v1 # anonymous, refused: it only makes the blobs; the layer goes up with the token
curl -s -o /dev/null -H "Authorization: Bearer $BT" -X POST --data-binary @"$T_DIR/layer" "$A/v2/acme/one/blobs/uploads/?digest=$LAYER"
# A client that follows challenges: the challenge of a mount names both repositories...
req POST "$A/v2/acme/two/blobs/uploads/?mount=$LAYER&from=acme/one"
check_eq "mount without a token: 401 naming the source's pull too" "$S/$(hdr WWW-Authenticate | grep -o 'scope="[^"]*"')" \
  '401/scope="repository:acme/two:pull,push repository:acme/one:pull"'
# ...so the token it gets for exactly those scopes allows the mount.
SCOPES=$(hdr WWW-Authenticate | sed 's/.*scope="\([^"]*\)".*/\1/')
Q=$(for s in $SCOPES; do printf '&scope=%s' "$s"; done)
req GET "$A/token?service=wlsimg-registry$Q" -u "acme/alice:$TOK"
MT_TOK=$(jq -r .token "$T_DIR/b")
req POST "$A/v2/acme/two/blobs/uploads/?mount=$LAYER&from=acme/one" -H "Authorization: Bearer $MT_TOK"
check_eq "the token from that challenge mounts: 201" "$S/$(hdr Docker-Content-Digest)" "201/$LAYER"
# A token for the target only, held by a user who may pull the source: asked to widen it.
req GET "$A/token?service=wlsimg-registry&scope=repository:acme/three:pull,push" -u "acme/alice:$TOK"
T3=$(jq -r .token "$T_DIR/b")
req POST "$A/v2/acme/three/blobs/uploads/?mount=$LAYER&from=acme/one" -H "Authorization: Bearer $T3"
check_eq "target-only token: 401 insufficient_scope for both" "$S/$(hdr WWW-Authenticate | grep -o 'scope="[^"]*",error="[^"]*"')" \
  '401/scope="repository:acme/three:pull,push repository:acme/one:pull",error="insufficient_scope"'
req POST "$A/v2/acme/three/blobs/uploads/?mount=$LAYER&from=other/private" -H "Authorization: Bearer $T3"
check_eq "a source the user may not pull: a plain upload, nothing revealed" "$S" 202
# Failed logins: throttled per user and address, logged with the user name, never the secret.
for i in 1 2 3 4 5 6; do
  curl -s -o /dev/null "$A/token?service=wlsimg-registry" -u "acme/alice:WrongSecret$i"
done
req GET "$A/token?service=wlsimg-registry" -u "acme/alice:WrongSecret7"
check_eq "repeated failed logins: 429 with Retry-After" "$S/$(code)/$([ -n "$(hdr Retry-After)" ] && echo retry)" \
  429/TOOMANYREQUESTS/retry
req GET "$A/token?service=wlsimg-registry" -u "acme/alice:$TOK"
check_eq "...even the right token waits out the backoff" "$S" 429
req GET "$A/v2/acme/one/tags/list" -u "acme/alice:$TOK"
check_eq "...on the registry's own Basic auth as well" "$S" 429
check "failed logins are logged with the user name" grep -q "failed login for user acme/alice from 127.0.0.1" "$AROOT.log"
check_eq "...never with the secret" "$(grep -c WrongSecret "$AROOT.log")" 0
curl -s -o /dev/null "$A/token?service=wlsimg-registry" -u $'acme/eve\nFAKE line:x'
check_eq "a user name cannot forge a log line" "$(grep -c '^FAKE' "$AROOT.log")" 0
# --auth none on an address that is not loopback warns (in a network namespace of our own, so
# nothing listens outside this test).
if unshare -n true 2> /dev/null; then
  unshare -n sh -c 'ip link set lo up; "$1" registry serve --listen 0.0.0.0:0 --root "$2" & p=$!; sleep 1; kill $p' \
    sh "$WLSIMG" "$T_DIR/open" > "$T_DIR/open.log" 2>&1
  check "--auth none on 0.0.0.0 warns" grep -q "warning registry: --auth none on 0.0.0.0:0" "$T_DIR/open.log"
else
  echo "# skip the non-loopback warning check: no network namespaces here"
fi
check_fail "--public-url must be a plain URL" 1 "--public-url" "$WLSIMG" registry serve --listen 127.0.0.1:0 \
  --root "$T_DIR/x" --public-url 'https://a.example/"x'
check_fail "bad --namespace-quota" 2 "invalid size" "$WLSIMG" registry serve --root "$T_DIR/x" --namespace-quota 10X

# ---- 12: file modes follow the umask; the registry's stay private ----
MROOT=$T_DIR/modes
OLD_UMASK=$(umask)
umask 000
start_wlsimg_registry "$MROOT"
push_image "http://$W_ADDR" test/m v1
"$WLSIMG" registry user add --root "$MROOT" acme/m > /dev/null
umask "$OLD_UMASK"
check_eq "registry root 0700 under umask 000" "$(stat -c %a "$MROOT")" 700
check_eq "blob directory 0700" "$(stat -c %a "$MROOT/blobs/sha256")" 700
check_eq "repository directory 0700" "$(stat -c %a "$MROOT/repos/test/m")" 700
check_eq "every file 0600" "$(find "$MROOT" -type f ! -perm 600 | wc -l)" 0
check_eq "users.json 0600" "$(stat -c %a "$MROOT/auth/users.json")" 600
export WLSIMG_STORE=$T_DIR/store3
"$WLSIMG" copy -q "oci:$T_DIR/lay1:v1" three:1 > /dev/null
(umask 027 && "$WLSIMG" save -o "$T_DIR/save027.tar" three:1)
(umask 077 && "$WLSIMG" save -o "$T_DIR/save077.tar" three:1)
check_eq "save -o honours the umask (027, 077)" \
  "$(stat -c %a "$T_DIR/save027.tar")/$(stat -c %a "$T_DIR/save077.tar")" 640/600
(umask 002 && "$WLSIMG" copy -q --digestfile "$T_DIR/digest002" "oci:$T_DIR/lay1:v1" "oci:$T_DIR/lay3:v1")
check_eq "atomic writes honour the umask (002)" "$(stat -c %a "$T_DIR/digest002")" 664
finish
