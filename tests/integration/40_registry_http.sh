#!/usr/bin/env bash
# wlsimg registry serve: every OCI distribution endpoint over curl, status codes, headers and error
# bodies; token auth (namespaces, public/private repos, revoked tokens); a short wrk load run.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
source "$here/lib.sh"
need curl
need jq

# req METHOD URL [curl args...]: status in $S, headers in $T_DIR/h, body in $T_DIR/b.
req() {
  local m=$1 u=$2; shift 2
  S=$(curl -s -X "$m" -D "$T_DIR/h" -o "$T_DIR/b" -w '%{http_code}' "$@" "$u")
}
# For HEAD, curl must not wait for a body.
head_req() {
  S=$(curl -s -I -D "$T_DIR/h" -o /dev/null -w '%{http_code}' "$@")
}
hdr() { grep -i "^$1:" "$T_DIR/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
code() { jq -r '.errors[0].code' "$T_DIR/b" 2>/dev/null; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

ROOT=$T_DIR/reg
start_wlsimg_registry "$ROOT"
R=http://$W_ADDR

# ---- base ----
req GET "$R/v2/"
check_eq "GET /v2/ 200" "$S" 200
check_eq "API version header" "$(hdr Docker-Distribution-API-Version)" "registry/2.0"
req GET "$R/v2/NotValid/tags/list"
check_eq "invalid name 400" "$S/$(code)" "400/NAME_INVALID"
req GET "$R/nothing"
check_eq "unknown path 404" "$S" 404

# ---- blobs: chunked upload ----
head -c 30000 /dev/urandom > "$T_DIR/blob1"
B1=sha256:$(sha "$T_DIR/blob1")
head -c 10000 "$T_DIR/blob1" > "$T_DIR/c1"
tail -c +10001 "$T_DIR/blob1" | head -c 10000 > "$T_DIR/c2"
tail -c +20001 "$T_DIR/blob1" > "$T_DIR/c3"
req POST "$R/v2/test/app/blobs/uploads/"
check_eq "POST upload 202" "$S" 202
check_eq "fresh upload Range 0-0" "$(hdr Range)" "0-0"
LOC=$(hdr Location)
check_eq "Location is the upload" "${LOC%/*}" "/v2/test/app/blobs/uploads"
req PATCH "$R$LOC" -H 'Content-Type: application/octet-stream' -H 'Content-Range: 0-9999' --data-binary @"$T_DIR/c1"
check_eq "PATCH chunk 202" "$S" 202
check_eq "PATCH Range" "$(hdr Range)" "0-9999"
req PATCH "$R$LOC" -H 'Content-Range: 20000-29999' --data-binary @"$T_DIR/c3"
check_eq "out-of-order chunk 416" "$S" 416
req GET "$R$LOC"
check_eq "upload status 204" "$S" 204
check_eq "status Range" "$(hdr Range)" "0-9999"
req PATCH "$R$LOC" -H 'Content-Range: 10000-19999' --data-binary @"$T_DIR/c2"
check_eq "second chunk 202" "$S/$(hdr Range)" "202/0-19999"
req PUT "$R$LOC?digest=$B1" -H 'Content-Range: 20000-29999' --data-binary @"$T_DIR/c3"
check_eq "PUT with final chunk 201" "$S" 201
check_eq "PUT Docker-Content-Digest" "$(hdr Docker-Content-Digest)" "$B1"
check_eq "PUT Location" "$(hdr Location)" "/v2/test/app/blobs/$B1"
req GET "$R$LOC"
check_eq "finished upload is gone" "$S/$(code)" "404/BLOB_UPLOAD_UNKNOWN"

# ---- streamed PATCH without Content-Range (skopeo), then empty PUT ----
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' > "$T_DIR/config"
CFG=sha256:$(sha "$T_DIR/config")
req POST "$R/v2/test/app/blobs/uploads/"
LOC=$(hdr Location)
req PATCH "$R$LOC" --data-binary @"$T_DIR/config"
check_eq "streamed PATCH 202" "$S" 202
req PUT "$R$LOC?digest=sha256:0000000000000000000000000000000000000000000000000000000000000000"
check_eq "wrong digest 400" "$S/$(code)" "400/DIGEST_INVALID"
req POST "$R/v2/test/app/blobs/uploads/"
LOC=$(hdr Location)
req PATCH "$R$LOC" --data-binary @"$T_DIR/config"
req PUT "$R$LOC?digest=$CFG"
check_eq "empty PUT completes 201" "$S" 201
req PUT "$R$LOC?digest=bogus"
check_eq "malformed digest 400" "$S/$(code)" "400/DIGEST_INVALID"

# ---- monolithic POST, cancel, mount ----
printf 'monolithic' > "$T_DIR/mono"
MONO=sha256:$(sha "$T_DIR/mono")
req POST "$R/v2/test/app/blobs/uploads/?digest=$MONO" --data-binary @"$T_DIR/mono"
check_eq "monolithic POST 201" "$S/$(hdr Docker-Content-Digest)" "201/$MONO"
req POST "$R/v2/test/app/blobs/uploads/"
LOC=$(hdr Location)
req DELETE "$R$LOC"
check_eq "cancel upload 204" "$S" 204
req GET "$R$LOC"
check_eq "cancelled upload 404" "$S" 404
req POST "$R/v2/test/other/blobs/uploads/?mount=$B1&from=test/app"
check_eq "mount 201" "$S/$(hdr Docker-Content-Digest)" "201/$B1"
req POST "$R/v2/test/other/blobs/uploads/?mount=sha256:1111111111111111111111111111111111111111111111111111111111111111&from=test/app"
check_eq "mount of unknown blob 202" "$S" 202

# ---- blob GET/HEAD/Range/DELETE ----
head_req "$R/v2/test/app/blobs/$B1"
check_eq "HEAD blob 200" "$S/$(hdr Content-Length)/$(hdr Docker-Content-Digest)" "200/30000/$B1"
req GET "$R/v2/test/app/blobs/$B1"
check_eq "GET blob bytes" "sha256:$(sha "$T_DIR/b")" "$B1"
req GET "$R/v2/test/app/blobs/$B1" -H 'Range: bytes=10-19'
check_eq "Range 206" "$S/$(hdr Content-Range)/$(stat -c %s "$T_DIR/b")" "206/bytes 10-19/30000/10"
check_eq "Range bytes" "$(cmp <(tail -c +11 "$T_DIR/blob1" | head -c 10) "$T_DIR/b" && echo same)" same
req GET "$R/v2/test/app/blobs/$B1" -H 'Range: bytes=40000-'
check_eq "unsatisfiable Range 416" "$S/$(hdr Content-Range)" "416/bytes */30000"
req GET "$R/v2/test/app/blobs/sha256:2222222222222222222222222222222222222222222222222222222222222222"
check_eq "unknown blob 404" "$S/$(code)" "404/BLOB_UNKNOWN"
req GET "$R/v2/test/app/blobs/sha256:abc"
check_eq "bad digest 400" "$S/$(code)" "400/DIGEST_INVALID"
req DELETE "$R/v2/test/other/blobs/$B1"
check_eq "DELETE blob 202" "$S" 202
req GET "$R/v2/test/other/blobs/$B1"
check_eq "deleted blob 404" "$S" 404

# ---- manifests ----
MT=application/vnd.oci.image.manifest.v1+json
printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":30000}]}' \
  "$MT" "$CFG" "$(stat -c %s "$T_DIR/config")" "$B1" > "$T_DIR/m1"
M1=sha256:$(sha "$T_DIR/m1")
req PUT "$R/v2/test/app/manifests/v1" -H "Content-Type: $MT" --data-binary @"$T_DIR/m1"
check_eq "PUT manifest 201" "$S/$(hdr Docker-Content-Digest)" "201/$M1"
check_eq "PUT manifest Location" "$(hdr Location)" "/v2/test/app/manifests/$M1"
req GET "$R/v2/test/app/manifests/v1" -H "Accept: $MT"
check_eq "GET manifest by tag" "$S/$(hdr Content-Type)/$(hdr Docker-Content-Digest)" "200/$MT/$M1"
check_eq "manifest bytes unchanged" "$(cmp "$T_DIR/m1" "$T_DIR/b" && echo same)" same
head_req "$R/v2/test/app/manifests/$M1"
check_eq "HEAD manifest by digest" "$S/$(hdr Content-Length)" "200/$(stat -c %s "$T_DIR/m1")"
req GET "$R/v2/test/app/manifests/nope"
check_eq "unknown manifest 404" "$S/$(code)" "404/MANIFEST_UNKNOWN"
sed "s/$CFG/sha256:3333333333333333333333333333333333333333333333333333333333333333/" "$T_DIR/m1" > "$T_DIR/m2"
req PUT "$R/v2/test/app/manifests/v2" -H "Content-Type: $MT" --data-binary @"$T_DIR/m2"
check_eq "manifest naming a missing blob 400" "$S/$(code)" "400/MANIFEST_BLOB_UNKNOWN"
req PUT "$R/v2/test/app/manifests/$M1?tag=t1&tag=t2" -H "Content-Type: $MT" --data-binary @"$T_DIR/m1"
check_eq "PUT by digest with ?tag= 201" "$S/$(hdr OCI-Tag)" "201/t1"
req PUT "$R/v2/test/app/manifests/sha256:4444444444444444444444444444444444444444444444444444444444444444" -H "Content-Type: $MT" --data-binary @"$T_DIR/m1"
check_eq "PUT by wrong digest 400" "$S/$(code)" "400/DIGEST_INVALID"
IT=application/vnd.oci.image.index.v1+json
printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"}}]}' \
  "$IT" "$MT" "$M1" "$(stat -c %s "$T_DIR/m1")" > "$T_DIR/idx"
IDX=sha256:$(sha "$T_DIR/idx")
req PUT "$R/v2/test/app/manifests/multi" -H "Content-Type: $IT" --data-binary @"$T_DIR/idx"
check_eq "PUT index 201" "$S/$(hdr Docker-Content-Digest)" "201/$IDX"
req GET "$R/v2/test/app/manifests/multi" -H "Accept: $MT" -H "Accept: $IT"
check_eq "index served when accepted (repeated Accept headers)" "$(hdr Docker-Content-Digest)/$(hdr Content-Type)" "$IDX/$IT"
req GET "$R/v2/test/app/manifests/multi" -H "Accept: $MT, application/vnd.docker.distribution.manifest.v2+json"
check_eq "image-only Accept gets linux/amd64 image" "$(hdr Docker-Content-Digest)/$(hdr Content-Type)" "$M1/$MT"
req GET "$R/v2/test/app/manifests/multi"
check_eq "no Accept: index as stored" "$(hdr Docker-Content-Digest)" "$IDX"
sed "s/$M1/sha256:5555555555555555555555555555555555555555555555555555555555555555/" "$T_DIR/idx" > "$T_DIR/idx2"
req PUT "$R/v2/test/app/manifests/multi2" -H "Content-Type: $IT" --data-binary @"$T_DIR/idx2"
check_eq "index naming an unknown manifest 400" "$S/$(code)" "400/MANIFEST_BLOB_UNKNOWN"
head -c $((4 * 1024 * 1024 + 1)) /dev/zero > "$T_DIR/big"
req PUT "$R/v2/test/app/manifests/big" -H "Content-Type: $MT" --data-binary @"$T_DIR/big"
check_eq "manifest over 4 MiB 413" "$S" 413
req PUT "$R/v2/test/app/manifests/bad" -H "Content-Type: $MT" --data-binary '{"schemaVersion":2,'
check_eq "malformed manifest 400" "$S/$(code)" "400/MANIFEST_INVALID"
req PUT "$R/v2/test/app/manifests/-badtag" -H "Content-Type: $MT" --data-binary @"$T_DIR/m1"
check_eq "invalid tag 400" "$S/$(code)" "400/TAG_INVALID"

# ---- referrers ----
printf '{}' > "$T_DIR/empty"
req POST "$R/v2/test/app/blobs/uploads/?digest=sha256:$(sha "$T_DIR/empty")" --data-binary @"$T_DIR/empty"
printf '{"schemaVersion":2,"mediaType":"%s","artifactType":"application/vnd.example.sbom","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:%s","size":2},"layers":[{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:%s","size":2}],"subject":{"mediaType":"%s","digest":"%s","size":%s},"annotations":{"org.example":"yes"}}' \
  "$MT" "$(sha "$T_DIR/empty")" "$(sha "$T_DIR/empty")" "$MT" "$M1" "$(stat -c %s "$T_DIR/m1")" > "$T_DIR/art"
ART=sha256:$(sha "$T_DIR/art")
req PUT "$R/v2/test/app/manifests/$ART" -H "Content-Type: $MT" --data-binary @"$T_DIR/art"
check_eq "PUT referrer answers OCI-Subject" "$S/$(hdr OCI-Subject)" "201/$M1"
req GET "$R/v2/test/app/referrers/$M1"
check_eq "referrers list" "$S/$(hdr Content-Type)/$(jq -r '.manifests[0].digest + " " + .manifests[0].artifactType + " " + .manifests[0].annotations["org.example"]' "$T_DIR/b")" \
  "200/application/vnd.oci.image.index.v1+json/$ART application/vnd.example.sbom yes"
req GET "$R/v2/test/app/referrers/$M1?artifactType=application/other"
check_eq "referrers filter" "$S/$(jq '.manifests | length' "$T_DIR/b")/$(hdr OCI-Filters-Applied)" "200/0/artifactType"
req GET "$R/v2/test/app/referrers/$CFG"
check_eq "no referrers: empty list" "$S/$(jq '.manifests | length' "$T_DIR/b")" "200/0"

# ---- tags and catalog ----
for t in b a c; do
  curl -s -o /dev/null -X PUT -H "Content-Type: $MT" --data-binary @"$T_DIR/m1" "$R/v2/test/app/manifests/$t"
done
req GET "$R/v2/test/app/tags/list"
check_eq "tags sorted" "$(jq -c .tags "$T_DIR/b")" '["a","b","c","multi","t1","t2","v1"]'
req GET "$R/v2/test/app/tags/list?n=2"
check_eq "tags page" "$(jq -c .tags "$T_DIR/b")|$(hdr Link)" '["a","b"]|</v2/test/app/tags/list?n=2&last=b>; rel="next"'
req GET "$R/v2/test/app/tags/list?n=2&last=b"
check_eq "tags next page" "$(jq -c .tags "$T_DIR/b")" '["c","multi"]'
req GET "$R/v2/test/app/tags/list?n=x"
check_eq "bad n 400" "$S/$(code)" "400/PAGINATION_NUMBER_INVALID"
req GET "$R/v2/test/none/tags/list"
check_eq "unknown repo 404" "$S/$(code)" "404/NAME_UNKNOWN"
req GET "$R/v2/_catalog?n=1"
check_eq "catalog page" "$(jq -c .repositories "$T_DIR/b")|$(hdr Link)" '["test/app"]|</v2/_catalog?last=test%2Fapp&n=1>; rel="next"'
req GET "$R/v2/_catalog"
check_eq "catalog" "$(jq -c .repositories "$T_DIR/b")" '["test/app","test/other"]'

# ---- load: wrk, 64 connections, loopback only ----
if command -v wrk > /dev/null; then
  # 30 s of load in all, as the issue asks: 64 connections on manifest GETs, then on blob GETs.
  # WRK_TIMEOUT: wrk's own default, longer under ThreadSanitizer (make check-tsan)
  wrk -t2 -c64 -d"${WRK_MANIFEST_SECONDS:-20}s" --timeout "${WRK_TIMEOUT:-2s}" "$R/v2/test/app/manifests/a" > "$T_DIR/wrk1" 2>&1
  req GET "$R/v2/test/app/manifests/a"
  wrk -t2 -c64 -d"${WRK_BLOB_SECONDS:-10}s" --timeout "${WRK_TIMEOUT:-2s}" "$R/v2/test/app/blobs/$CFG" > "$T_DIR/wrk2" 2>&1
  check_eq "wrk manifest GET: no errors" "$(grep -cE 'Non-2xx|Socket errors' "$T_DIR/wrk1")" 0
  check_eq "wrk blob GET: no errors" "$(grep -cE 'Non-2xx|Socket errors' "$T_DIR/wrk2")" 0
  echo "# manifest GET: $(grep Requests/sec "$T_DIR/wrk1")"
  RSS=$(awk '/VmRSS/{print $2}' "/proc/${T_PIDS[0]}/status")
  if [ -n "${WLSIMG_SANITIZED:-}" ]; then # shadow memory and quarantine make RSS meaningless
    echo "# skip memory bound under sanitizers (RSS ${RSS} kB)"
  else
    check_eq "memory bounded after load (RSS ${RSS} kB < 128 MiB)" "$([ "$RSS" -lt 131072 ] && echo yes)" yes
  fi
fi

# ---- deletes ----
req DELETE "$R/v2/test/app/manifests/c"
check_eq "DELETE tag 202" "$S" 202
req GET "$R/v2/test/app/manifests/c"
check_eq "deleted tag 404" "$S" 404
req DELETE "$R/v2/test/app/manifests/$ART"
check_eq "DELETE manifest by digest 202" "$S" 202
req GET "$R/v2/test/app/referrers/$M1"
check_eq "deleted referrer gone" "$(jq '.manifests | length' "$T_DIR/b")" 0
req DELETE "$R/v2/test/app/manifests/$M1"
req GET "$R/v2/test/app/manifests/v1"
check_eq "tags of a deleted manifest 404" "$S" 404
req PATCH "$R/v2/test/app/manifests/v1"
check_eq "unsupported method 405" "$S/$(code)" "405/UNSUPPORTED"
check "request log line" grep -q "GET /v2/test/app/tags/list 200" "$ROOT.log"

# ---- gc ----
check "gc keeps young blobs" "$WLSIMG" registry gc --root "$ROOT"
check_eq "gc kept everything" "$(grep -o '^0 blobs removed' "$T_DIR/last.out")" "0 blobs removed"
check "gc --min-age 0" "$WLSIMG" registry gc --root "$ROOT" --min-age 0
req GET "$R/v2/test/app/blobs/$B1"
check_eq "unreferenced blob collected" "$S" 404

# ---- token auth ----
AROOT=$T_DIR/areg
check "user add" "$WLSIMG" registry user add --root "$AROOT" acme/alice
check "federated user add" "$WLSIMG" registry user add --root "$AROOT" acme/oracleidentitycloudservice/bob
check_fail "duplicate user" 1 "already exists" "$WLSIMG" registry user add --root "$AROOT" acme/alice
check_fail "bad user name" 1 "invalid user name" "$WLSIMG" registry user add --root "$AROOT" alice
check "token create" "$WLSIMG" registry token create --root "$AROOT" acme/alice
TOK=$(cat "$T_DIR/last.out")
check "second token" "$WLSIMG" registry token create --root "$AROOT" acme/alice
check_fail "third token refused" 1 "already has 2 auth tokens" "$WLSIMG" registry token create --root "$AROOT" acme/alice
check_eq "users.json mode 0600" "$(stat -c %a "$AROOT/auth/users.json")" 600
check_eq "token not stored in clear" "$(grep -c -- "$TOK" "$AROOT/auth/users.json")" 0
start_wlsimg_registry "$AROOT" --auth token
A=http://$W_ADDR
req GET "$A/v2/"
check_eq "anonymous /v2/ 401" "$S/$(code)" "401/UNAUTHORIZED"
check_eq "Bearer challenge" "$(hdr WWW-Authenticate)" "Bearer realm=\"http://$W_ADDR/token\",service=\"wlsimg-registry\""
req GET "$A/token?service=wlsimg-registry&scope=repository:acme/app:pull,push" -u "acme/alice:wrong"
check_eq "wrong credentials 401" "$S" 401
req GET "$A/token?service=wlsimg-registry&scope=repository:acme/app:pull,push&scope=repository:other/app:pull,push" -u "acme/alice:$TOK"
check_eq "token issued" "$S/$(jq -r '.expires_in' "$T_DIR/b")" "200/300"
BT=$(jq -r .token "$T_DIR/b")
req POST "$A/v2/acme/app/blobs/uploads/?digest=$CFG" -H "Authorization: Bearer $BT" --data-binary @"$T_DIR/config"
check_eq "push in own namespace" "$S" 201
req POST "$A/v2/acme/app/blobs/uploads/?digest=$B1" -H "Authorization: Bearer $BT" --data-binary @"$T_DIR/blob1"
req PUT "$A/v2/acme/app/manifests/v1" -H "Authorization: Bearer $BT" -H "Content-Type: $MT" --data-binary @"$T_DIR/m1"
check_eq "manifest push in own namespace" "$S" 201
req POST "$A/v2/other/app/blobs/uploads/" -H "Authorization: Bearer $BT"
check_eq "push outside namespace denied" "$S/$(code)" "403/DENIED"
req GET "$A/v2/acme/app/manifests/v1"
check_eq "anonymous pull of private repo 401" "$S/$(code)" "401/UNAUTHORIZED"
check_eq "challenge names the scope" "$(hdr WWW-Authenticate | grep -o 'scope="[^"]*"')" 'scope="repository:acme/app:pull"'
req GET "$A/token?service=wlsimg-registry&scope=repository:acme/app:pull"
AT=$(jq -r .token "$T_DIR/b")
req GET "$A/v2/acme/app/manifests/v1" -H "Authorization: Bearer $AT"
check_eq "anonymous token grants nothing private" "$S" 401
req GET "$A/v2/_catalog"
check_eq "anonymous catalog hides private repos" "$(jq -c .repositories "$T_DIR/b")" "[]"
check "repo set-public" "$WLSIMG" registry repo set-public --root "$AROOT" acme/app
req GET "$A/token?service=wlsimg-registry&scope=repository:acme/app:pull"
AT=$(jq -r .token "$T_DIR/b")
req GET "$A/v2/acme/app/manifests/v1" -H "Authorization: Bearer $AT"
check_eq "anonymous pull of public repo" "$S/$(hdr Docker-Content-Digest)" "200/$M1"
req GET "$A/v2/acme/app/manifests/v1"
check_eq "public pull without any token" "$S" 200
req PUT "$A/v2/acme/app/manifests/v2" -H "Content-Type: $MT" --data-binary @"$T_DIR/m1"
check_eq "anonymous push to public repo 401" "$S" 401
check "repo list" "$WLSIMG" registry repo list --root "$AROOT"
check_eq "repo list shows access" "$(awk '$1=="acme/app"{print $2}' "$T_DIR/last.out")" public
req GET "$A/v2/acme/app/tags/list" -u "acme/alice:$TOK"
check_eq "Basic credentials accepted directly" "$S" 200
req POST "$A/token" --data "grant_type=password&username=acme%2Falice&password=$TOK&service=wlsimg-registry&client_id=test&scope=repository%3Aacme%2Fapp%3Apull"
check_eq "OAuth2 POST form" "$S/$(jq -r '.access_token | length > 20' "$T_DIR/b")" "200/true"
req GET "$A/v2/acme/app/manifests/v1" -H "Authorization: Bearer ${BT}x"
check_eq "tampered token 401" "$S" 401
check "token list" "$WLSIMG" registry token list --root "$AROOT" acme/alice
TID=$(awk 'NR==2{print $2}' "$T_DIR/last.out")
check "token revoke" "$WLSIMG" registry token revoke --root "$AROOT" acme/alice "$TID"
req GET "$A/token?service=wlsimg-registry" -u "acme/alice:$TOK"
check_eq "revoked token 401 (server re-reads users)" "$S" 401
check "repo set-private" "$WLSIMG" registry repo set-private --root "$AROOT" acme/app
req GET "$A/v2/acme/app/manifests/v1"
check_eq "private again" "$S" 401

# ---- TLS, config file, SIGTERM ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$T_DIR/key.pem" \
  -out "$T_DIR/cert.pem" -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2> /dev/null
TPORT=$(free_port)
printf '{"listen":"127.0.0.1:%s","root":"%s","tls_cert":"%s","tls_key":"%s"}' "$TPORT" "$T_DIR/treg" \
  "$T_DIR/cert.pem" "$T_DIR/key.pem" > "$T_DIR/reg.json"
"$WLSIMG" registry serve --config "$T_DIR/reg.json" > "$T_DIR/tls.log" 2>&1 &
TPID=$!
T_PIDS+=("$TPID")
for _ in $(seq 1 100); do
  curl -s -o /dev/null --cacert "$T_DIR/cert.pem" "https://127.0.0.1:$TPORT/v2/" && break
  sleep 0.05
done
S=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T_DIR/cert.pem" "https://127.0.0.1:$TPORT/v2/")
check_eq "HTTPS from --config" "$S" 200
kill -TERM "$TPID"
wait "$TPID"
check_eq "SIGTERM: clean exit" "$?" 0
check "SIGTERM logged" grep -q "stopping" "$T_DIR/tls.log"
printf '{"listen":"127.0.0.1:1","bogus":1}' > "$T_DIR/bad.json"
check_fail "unknown config setting" 1 "bogus: unknown setting" "$WLSIMG" registry serve --config "$T_DIR/bad.json"
check_fail "port already in use" 1 "cannot listen on $W_ADDR" "$WLSIMG" registry serve --listen "$W_ADDR" --root "$T_DIR/y"
check_fail "bad --auth" 2 "expected none or token" "$WLSIMG" registry serve --auth basic --root "$T_DIR/x"
finish
