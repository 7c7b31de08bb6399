#!/usr/bin/env bash
# Push, pull, tags, manifest and copy against the real docker-registry 2.8.2 (no auth, htpasswd and
# token auth), cross-checked with skopeo.
source "$(dirname "$0")/lib.sh"
need skopeo
need jq

W=$T_DIR/w
mkdir -p "$W"

# make_big_layout DIR TAG MIB: one incompressible layer of MIB MiB (exercises chunked uploads).
make_big_layout() {
  head -c $(($3 << 20)) /dev/urandom | oci_layout_one_file "$1" "$2" random.bin 1 ''
}

# make_index_layout DIR TAG: an image index with linux/amd64 and linux/arm64 children.
make_index_layout() {
  local lay=$1 tag=$2 a b am bm ix is
  a=$(make_oci_layout "$W/ia" x "amd64 content") b=$(make_oci_layout "$W/ib" x "arm64 content")
  mkdir -p "$lay/blobs/sha256"
  cp "$W"/ia/blobs/sha256/* "$W"/ib/blobs/sha256/* "$lay/blobs/sha256/"
  am=$(stat -c %s "$lay/blobs/sha256/${a#sha256:}") bm=$(stat -c %s "$lay/blobs/sha256/${b#sha256:}")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}' \
    "$a" "$am" "$b" "$bm" > "$W/index.json"
  ix=$(sha256sum "$W/index.json" | cut -d' ' -f1) is=$(stat -c %s "$W/index.json")
  cp "$W/index.json" "$lay/blobs/sha256/$ix"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$lay/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
    "$ix" "$is" "$tag" > "$lay/index.json"
  echo "sha256:$ix $a $b"
}

skopeo_digest() { skopeo inspect "${SKOPEO_FLAGS[@]}" --tls-verify=false "$@" | jq -r .Digest; }

# ---------------------------------------------------------------- no auth
start_registry none
R=$REG_ADDR
D1=$(make_oci_layout "$W/lay1" v1 "pushed by wlsimg")
check "copy oci: layout into the store" "$WLSIMG" -q copy "oci:$W/lay1:v1" test/app:v1
check "push to $R" "$WLSIMG" push test/app:v1 "$R/test/app:v1"
check_eq "push prints the manifest digest" "$(cat "$T_DIR/last.out")" "$D1"
check_eq "skopeo inspect sees the same digest" "$(skopeo_digest "docker://$R/test/app:v1")" "$D1"
check "skopeo copy pulls it back" skopeo copy "${SKOPEO_FLAGS[@]}" -q --src-tls-verify=false "docker://$R/test/app:v1" "oci:$W/back:v1"
check_eq "skopeo's copy has the same manifest" "$(jq -r '.manifests[0].digest' "$W/back/index.json")" "$D1"

check "push the same image again" "$WLSIMG" push test/app:v1 "$R/test/app:v1"
check_eq "every blob is skipped" "$(grep -c 'Layer already exists' "$T_DIR/last.err")" 2
check_eq "nothing is uploaded again" "$(grep -c 'Pushed' "$T_DIR/last.err")" 0

check "push to another repository of the same registry" "$WLSIMG" push test/app:v1 "$R/test/other:v1"
check_eq "blobs are mounted, not uploaded" "$(grep -c 'Mounted from test/app' "$T_DIR/last.err")" 2
check_eq "the mounted copy has the same digest" "$(skopeo_digest "docker://$R/test/other:v1")" "$D1"

# a stale hint: the mount is refused (202) and the blob goes into that same upload session
jq --arg r "$R" '.[$r] |= with_entries(.value = ["test/gone"])' "$WLSIMG_STORE/mounts.json" > "$W/mounts.json"
cp "$W/mounts.json" "$WLSIMG_STORE/mounts.json"
check "push with stale mount hints" "$WLSIMG" push test/app:v1 "$R/test/third:v1"
check_eq "refused mounts fall back to uploads" "$(grep -c ': Pushed' "$T_DIR/last.err")" 2
check_eq "the uploaded copy has the same digest" "$(skopeo_digest "docker://$R/test/third:v1")" "$D1"

check "push with --digestfile and -q" "$WLSIMG" push -q --digestfile "$W/digest" test/app:v1 "$R/test/app:v2"
check_eq "digestfile holds the digest" "$(cat "$W/digest")" "$D1"
check_eq "-q prints no progress" "$(wc -c < "$T_DIR/last.err")" 0

D2=$(make_oci_layout "$W/lay2" v2 "pushed by skopeo")
check "skopeo pushes" skopeo copy "${SKOPEO_FLAGS[@]}" -q --dest-tls-verify=false "oci:$W/lay2:v2" "docker://$R/test/sk:v2"
check "wlsimg pulls it" "$WLSIMG" pull "$R/test/sk:v2"
check_eq "pull output" "$(cat "$T_DIR/last.out")" "$(printf 'Pulled %s\nDigest: %s' "$R/test/sk:v2" "$D2")"
check "the store knows the name" "$WLSIMG" -q copy "$R/test/sk:v2" "oci:$W/fromstore:v2"
check_eq "the image in the store is byte-identical" "$(jq -r '.manifests[0].digest' "$W/fromstore/index.json")" "$D2"
check "pull again (every blob present)" "$WLSIMG" pull "$R/test/sk:v2"
check_eq "pull again downloads nothing" "$(grep -c 'Pulling' "$T_DIR/last.err")" 0
check "pull by digest" "$WLSIMG" -q pull "$R/test/sk@$D2"

"$WLSIMG" manifest "$R/test/sk:v2" > "$W/m.wl" 2> "$T_DIR/last.err"
skopeo inspect "${SKOPEO_FLAGS[@]}" --raw --tls-verify=false "docker://$R/test/sk:v2" > "$W/m.sk"
check "manifest prints exactly the bytes skopeo sees" cmp "$W/m.wl" "$W/m.sk"
check "manifest by digest" "$WLSIMG" manifest "$R/test/sk@$D2"

for t in a b c; do skopeo copy "${SKOPEO_FLAGS[@]}" -q --dest-tls-verify=false "oci:$W/lay2:v2" "docker://$R/test/sk:$t"; done
check "tags" "$WLSIMG" tags "$R/test/sk"
check_eq "tags lists every tag" "$(sort "$T_DIR/last.out" | tr '\n' ' ')" "a b c v2 "

check "copy docker:// to oci:" "$WLSIMG" -q copy "docker://$R/test/app:v1" "oci:$W/copied:v9"
check_eq "oci: layout names the tag" "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$W/copied/index.json")" v9
check_eq "oci: layout has the digest" "$(jq -r '.manifests[0].digest' "$W/copied/index.json")" "$D1"
check "skopeo reads the oci: layout" skopeo inspect "${SKOPEO_FLAGS[@]}" "oci:$W/copied:v9"
check "copy oci: to docker://" "$WLSIMG" -q copy "oci:$W/lay2:v2" "docker://$R/test/fromoci:v1"
check_eq "oci: → docker:// keeps the digest" "$(skopeo_digest "docker://$R/test/fromoci:v1")" "$D2"
check "copy docker:// to docker://" "$WLSIMG" -q copy "docker://$R/test/sk:v2" "docker://$R/test/r2r:v1"
check_eq "registry → registry keeps the digest" "$(skopeo_digest "docker://$R/test/r2r:v1")" "$D2"

# docker-archive on either side (layers are recompressed, so compare configs, not manifests)
CFG2=$(skopeo inspect "${SKOPEO_FLAGS[@]}" --config --raw --tls-verify=false "docker://$R/test/sk:v2" | sha256sum | cut -d' ' -f1)
check "copy docker:// to docker-archive:" "$WLSIMG" -q copy "docker://$R/test/sk:v2" "docker-archive:$W/sk.tar:test/sk:v2"
check "skopeo reads the archive" skopeo inspect "${SKOPEO_FLAGS[@]}" "docker-archive:$W/sk.tar"
check_eq "the archive carries the same config" "$(skopeo inspect "${SKOPEO_FLAGS[@]}" --config --raw "docker-archive:$W/sk.tar" | sha256sum | cut -d' ' -f1)" "$CFG2"
check "skopeo writes an archive" skopeo copy "${SKOPEO_FLAGS[@]}" -q --src-tls-verify=false "docker://$R/test/app:v1" "docker-archive:$W/app.tar:test/app:v1"
check "copy docker-archive: to docker://" "$WLSIMG" -q copy "docker-archive:$W/app.tar" "docker://$R/test/fromarchive:v1"
check "skopeo pulls the archive's image" skopeo inspect "${SKOPEO_FLAGS[@]}" --tls-verify=false "docker://$R/test/fromarchive:v1"
check "copy docker-archive: into the store by name" "$WLSIMG" -q copy "docker-archive:$W/app.tar:test/app:v1" test/fromarchive:v1
check "push the loaded image" "$WLSIMG" -q push test/fromarchive:v1 "$R/test/fromarchive:v2"

# chunked upload (1 MiB chunks) of a 3 MiB layer
D3=$(make_big_layout "$W/big" v1 3)
check "copy big layout into the store" "$WLSIMG" -q copy "oci:$W/big:v1" test/big:v1
check "chunked push" "$WLSIMG" -q push --chunk-size 1 test/big:v1 "$R/test/big:v1"
check_eq "chunked push digest" "$(skopeo_digest "docker://$R/test/big:v1")" "$D3"
check "skopeo pulls the chunked upload" skopeo copy "${SKOPEO_FLAGS[@]}" -q --src-tls-verify=false "docker://$R/test/big:v1" "oci:$W/bigback:v1"

# multi-platform index
read -r IX IA IB < <(make_index_layout "$W/multi" m1)
check "skopeo pushes an index" skopeo copy "${SKOPEO_FLAGS[@]}" -q --all --dest-tls-verify=false "oci:$W/multi:m1" "docker://$R/test/multi:m1"
check "pull --platform linux/arm64" "$WLSIMG" -q pull --platform linux/arm64 "$R/test/multi:m1"
check_eq "the arm64 manifest is selected" "$(sed -n 's/^Digest: //p' "$T_DIR/last.out")" "$IB"
check "pull --all-platforms" "$WLSIMG" -q pull --all-platforms "$R/test/multi:m1"
check_eq "the whole index is kept" "$(sed -n 's/^Digest: //p' "$T_DIR/last.out")" "$IX"
check "push the index" "$WLSIMG" -q push "$R/test/multi:m1" "$R/test/multi2:m1"
check_eq "the index is pushed unchanged" "$(skopeo inspect "${SKOPEO_FLAGS[@]}" --raw --tls-verify=false "docker://$R/test/multi2:m1" | sha256sum | cut -d' ' -f1)" "${IX#sha256:}"
check_fail "pull --platform with no match" 1 "linux/s390x" "$WLSIMG" -q pull --platform linux/s390x "$R/test/multi:m1"

# tags pagination: docker-registry 2.8.2 ignores n/last, so a small server that does paginate
PP=$(free_port)
python3 - "$PP" > "$W/pager.log" 2>&1 <<'PY' &
import http.server, json, sys
tags = ["t%02d" % i for i in range(7)]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        from urllib.parse import urlparse, parse_qs
        u = urlparse(self.path); q = parse_qs(u.query)
        if u.path == "/v2/":
            body = b"{}"; link = None
        elif u.path == "/v2/pg/tags/list":
            last = q.get("last", [""])[0]
            rest = [t for t in tags if t > last][:3]
            body = json.dumps({"name": "pg", "tags": rest}).encode()
            link = '</v2/pg/tags/list?n=3&last=%s>; rel="next"' % rest[-1] if rest and rest[-1] != tags[-1] else None
        else:
            self.send_response(404); self.end_headers(); return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if link: self.send_header("Link", link)
        self.end_headers(); self.wfile.write(body)
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
T_PIDS+=($!)
wait_http "http://127.0.0.1:$PP/v2/"
check "tags follows Link pagination" "$WLSIMG" tags "127.0.0.1:$PP/pg"
check_eq "all pages listed" "$(tr '\n' ' ' < "$T_DIR/last.out")" "t00 t01 t02 t03 t04 t05 t06 "

# ---------------------------------------------------------------- TLS on loopback
# docker-registry serving HTTPS with a self-signed certificate: https is tried first, certs come
# from --cert-dir (or certs.d), --tls-verify=false accepts any certificate.
mkdir -p "$W/certs" "$W/tlsdata"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/tls-key.pem" -out "$W/tls-cert.pem" -days 2 \
  -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2> /dev/null
cp "$W/tls-cert.pem" "$W/certs/ca.crt"
TP=$(free_port)
cat > "$W/tls.yml" <<EOC
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $W/tlsdata}}
http: {addr: "127.0.0.1:$TP", secret: test-only, tls: {certificate: "$W/tls-cert.pem", key: "$W/tls-key.pem"}}
EOC
docker-registry serve "$W/tls.yml" > "$W/tls.log" 2>&1 &
T_PIDS+=($!)
for _ in $(seq 1 200); do curl -s -o /dev/null --cacert "$W/tls-cert.pem" "https://127.0.0.1:$TP/v2/" && break; sleep 0.05; done
check_fail "TLS: an untrusted certificate is refused" 1 "--cert-dir" "$WLSIMG" -q push test/app:v1 "127.0.0.1:$TP/test/app:v1"
check "TLS: push with --cert-dir" "$WLSIMG" -q push --cert-dir "$W/certs" test/app:v1 "127.0.0.1:$TP/test/app:v1"
check_eq "TLS: skopeo sees the digest" "$(skopeo inspect "${SKOPEO_FLAGS[@]}" --cert-dir "$W/certs" "docker://127.0.0.1:$TP/test/app:v1" | jq -r .Digest)" "$D1"
check "TLS: tags with --tls-verify=false" "$WLSIMG" tags --tls-verify=false "localhost:$TP/test/app"
check_eq "TLS: tags output" "$(cat "$T_DIR/last.out")" "v1"
check "TLS: pull with --cert-dir" env WLSIMG_STORE="$T_DIR/store-tls" "$WLSIMG" -q pull --cert-dir "$W/certs" "127.0.0.1:$TP/test/app:v1"

# the embedded registry over TLS (it closes plain-http connections instead of answering 400)
EP=$(free_port)
"$WLSIMG" registry serve --listen "127.0.0.1:$EP" --root "$W/ereg" --tls-cert "$W/tls-cert.pem" --tls-key "$W/tls-key.pem" > "$W/ereg.log" 2>&1 &
T_PIDS+=($!)
for _ in $(seq 1 200); do curl -s -o /dev/null --cacert "$W/tls-cert.pem" "https://127.0.0.1:$EP/v2/" && break; sleep 0.05; done
check_fail "TLS (wlsimg registry): an untrusted certificate is refused" 1 "--cert-dir" "$WLSIMG" -q push test/app:v1 "127.0.0.1:$EP/test/app:v1"
check "TLS (wlsimg registry): push with --cert-dir" "$WLSIMG" -q push --cert-dir "$W/certs" test/app:v1 "127.0.0.1:$EP/test/app:v1"
check_eq "TLS (wlsimg registry): digest" "$(cat "$T_DIR/last.out")" "$D1"

# ---------------------------------------------------------------- basic and token auth
for mode in basic token; do
  start_registry "$mode"
  R=$REG_ADDR
  check_fail "$mode: push without credentials" 1 "authentication required" "$WLSIMG" -q push test/app:v1 "$R/test/app:v1"
  if "$WLSIMG" login --help > /dev/null 2>&1; then
    export REGISTRY_AUTH_FILE=$W/auth-$mode.json
    check "$mode: wlsimg login --password-stdin" bash -c "printf s3cret | '$WLSIMG' login --tls-verify=false -u alice --password-stdin $R"
  else
    export REGISTRY_AUTH_FILE=$W/auth-$mode.json
    check "$mode: skopeo login" bash -c "printf s3cret | skopeo login --tls-verify=false -u alice --password-stdin $R"
  fi
  check "$mode: push" "$WLSIMG" -q push test/app:v1 "$R/test/app:v1"
  check_eq "$mode: skopeo sees the pushed digest" "$(skopeo_digest --creds alice:s3cret "docker://$R/test/app:v1")" "$D1"
  check "$mode: push to a second repository" "$WLSIMG" push test/app:v1 "$R/test/two:v1"
  check_eq "$mode: mounted across repositories" "$(grep -c 'Mounted from' "$T_DIR/last.err")" 2
  check "$mode: skopeo pushes" skopeo copy "${SKOPEO_FLAGS[@]}" -q --dest-tls-verify=false --dest-creds alice:s3cret "oci:$W/lay2:v2" "docker://$R/test/sk:v2"
  rm -rf "$WLSIMG_STORE.$mode"
  check "$mode: pull" env WLSIMG_STORE="$WLSIMG_STORE.$mode" "$WLSIMG" -q pull "$R/test/sk:v2"
  check_eq "$mode: pulled digest" "$(sed -n 's/^Digest: //p' "$T_DIR/last.out")" "$D2"
  check "$mode: tags" "$WLSIMG" tags "$R/test/sk"
  check_eq "$mode: tags output" "$(cat "$T_DIR/last.out")" "v2"
  "$WLSIMG" manifest "$R/test/sk:v2" > "$W/m.wl" 2> "$T_DIR/last.err"
  check "$mode: manifest bytes equal skopeo's" cmp "$W/m.wl" "$W/m.sk"
  check "$mode: copy docker:// → docker://" "$WLSIMG" -q copy "docker://$R/test/sk:v2" "docker://$R/test/copied:v2"
  check_eq "$mode: copied digest" "$(skopeo_digest --creds alice:s3cret "docker://$R/test/copied:v2")" "$D2"
  unset REGISTRY_AUTH_FILE
done

finish
