#!/usr/bin/env bash
# Registry client failures: wrong credentials, registry down, tampered blobs, a manifest naming a
# missing blob, bad references. Every failure must exit non-zero with a clear message and leave
# no name and no partial blob in the store.
source "$(dirname "$0")/lib.sh"
need skopeo
need jq

W=$T_DIR/w
mkdir -p "$W"
D1=$(make_oci_layout "$W/lay" v1 "error cases")
"$WLSIMG" -q copy "oci:$W/lay:v1" test/app:v1 > /dev/null

# store_is_clean: no names and no blobs besides those listed, no temporary files
store_names() { jq -r '.manifests | length' "$WLSIMG_STORE/index.json"; }
store_tmp_files() { find "$WLSIMG_STORE/" -mindepth 1 -path "$WLSIMG_STORE/tmp/*" -type f | wc -l; }
# keep_err: save the last command's stderr (check rewrites last.err before running its command)
keep_err() { cp "$T_DIR/last.err" "$W/err"; }

# ---------------------------------------------------------------- wrong credentials
for mode in basic token; do
  start_registry "$mode"
  printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG_ADDR" "$(printf alice:Not-The-Pa55word | base64)" > "$W/bad-$mode.json"
  check_fail "$mode: push with a wrong password" 1 "wrong username or password" \
    "$WLSIMG" -q push --authfile "$W/bad-$mode.json" test/app:v1 "$REG_ADDR/test/app:v1"
  keep_err
  check "$mode: the secret is not in the message" bash -c "! grep -qe Pa55word -e '$(printf alice:Not-The-Pa55word | base64)' '$W/err'"
  check_fail "$mode: pull with a wrong password" 1 "wrong username or password" \
    env REGISTRY_AUTH_FILE="$W/bad-$mode.json" "$WLSIMG" -q pull "$REG_ADDR/test/app:v1"
  check_fail "$mode: tags without credentials" 1 "authentication required; run wlsimg login $REG_ADDR" \
    "$WLSIMG" tags "$REG_ADDR/test/app"
done

# ---------------------------------------------------------------- registry down
P=$(free_port)
check_fail "pull from a registry that is down" 1 "127.0.0.1:$P" "$WLSIMG" -q pull "127.0.0.1:$P/test/app:v1"
check_fail "push to a registry that is down (no retries)" 1 "127.0.0.1:$P" "$WLSIMG" -q push --retry-times 0 test/app:v1 "127.0.0.1:$P/test/app:v1"

# ---------------------------------------------------------------- tampered blob
start_registry none
R=$REG_ADDR
skopeo copy "${SKOPEO_FLAGS[@]}" -q --dest-tls-verify=false "oci:$W/lay:v1" "docker://$R/test/t:v1"
LD=$(jq -r '.layers[0].digest' < "$W/lay/blobs/sha256/${D1#sha256:}")
LH=${LD#sha256:}
printf 'X' | dd of="$REG_DIR/data/docker/registry/v2/blobs/sha256/${LH:0:2}/$LH/data" bs=1 seek=20 conv=notrunc 2>/dev/null
export WLSIMG_STORE=$T_DIR/store-tamper
check_fail "pull of a tampered blob" 1 "digest mismatch" "$WLSIMG" -q pull "$R/test/t:v1"
keep_err
check "the error names the blob" grep -qF "$LD" "$W/err"
check_eq "no name after the failed pull" "$(store_names)" 0
check "the tampered blob is not in the store" test ! -e "$WLSIMG_STORE/blobs/sha256/$LH"
check_eq "no partial blob left behind" "$(store_tmp_files)" 0
check_fail "manifest of the tampered image is intact, but copy to oci: fails too" 1 "digest mismatch" \
  "$WLSIMG" -q copy "docker://$R/test/t:v1" "oci:$W/tampered:v1"
check "copy to oci: wrote no name" bash -c "[ ! -e '$W/tampered/index.json' ] || [ \"\$(jq '.manifests|length' '$W/tampered/index.json')\" = 0 ]"

# ---------------------------------------------------------------- manifest naming a missing blob
export WLSIMG_STORE=$T_DIR/store-missing
skopeo copy "${SKOPEO_FLAGS[@]}" -q --dest-tls-verify=false "oci:$W/lay:v1" "docker://$R/test/m:v1"
D2=$(make_oci_layout "$W/lay2" v1 "this layer never reaches the registry")
M2=$W/lay2/blobs/sha256/${D2#sha256:}
L2=$(jq -r '.layers[0].digest' < "$M2")
C2=$(jq -r '.config.digest' < "$M2")
# upload only the config, then PUT a manifest that names the missing layer by digest in another repo
# (2.8.2 refuses manifests with unknown blobs, so the layer is uploaded and then deleted)
for b in "$C2" "$L2"; do
  loc=$(curl -s -o /dev/null -D - -X POST "http://$R/v2/test/m/blobs/uploads/" | tr -d '\r' | sed -n 's/^Location: //Ip')
  curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$W/lay2/blobs/sha256/${b#sha256:}" "$loc&digest=$b" > /dev/null
done
check "PUT a manifest with curl" curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
  --data-binary "@$M2" "http://$R/v2/test/m/manifests/broken"
check "delete its layer from the registry" curl -sf -X DELETE "http://$R/v2/test/m/blobs/$L2"
check_fail "pull of a manifest naming a missing blob" 1 "$L2" "$WLSIMG" -q pull "$R/test/m:broken"
keep_err
check "the message says the blob is unknown" grep -qE "BLOB_UNKNOWN|not found" "$W/err"
check_eq "no name after the failed pull" "$(store_names)" 0
check_eq "no partial blob left behind" "$(store_tmp_files)" 0
check "the manifest itself was not stored" test ! -e "$WLSIMG_STORE/blobs/sha256/${D2#sha256:}"

# ---------------------------------------------------------------- not found, bad references
check_fail "pull of an unknown tag" 1 "MANIFEST_UNKNOWN" "$WLSIMG" -q pull "$R/test/m:nope"
check_fail "pull of an unknown repository" 1 "$R/test/nothing" "$WLSIMG" -q pull "$R/test/nothing:v1"
check_fail "push of an image not in the store" 1 "No such image" "$WLSIMG" -q push test/none:v1 "$R/test/none:v1"
check_fail "bad reference: upper case" 1 "must be lowercase" "$WLSIMG" -q pull "$R/Test/App:v1"
check_fail "bad reference: tag" 1 "invalid tag" "$WLSIMG" -q pull "$R/test/app:bad tag"
check_fail "bad reference: digest" 1 "digest" "$WLSIMG" -q pull "$R/test/app@sha256:1234"
check_fail "pull without arguments" 2 "expected 1 argument" "$WLSIMG" pull
check_fail "unknown transport" 1 "unsupported transport" "$WLSIMG" -q copy "dir:/tmp/x" "oci:$W/x"

# ---------------------------------------------------------------- registry restarts mid-push
# A chunked upload survives a registry restart: the client asks GET <location> for the Range and
# continues from there (2.8.2 keeps the upload on disk; its _state is signed with http.secret).
export WLSIMG_STORE=$T_DIR/store-resume
W2=$W/big
mkdir -p "$W2/src" "$W2/lay/blobs/sha256"
head -c $((64 << 20)) /dev/urandom > "$W2/src/random.bin"
tar --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$W2/src" -cf "$W2/layer.tar" .
cp "$W/lay/oci-layout" "$W2/lay/"
LB=$(sha256sum "$W2/layer.tar" | cut -d' ' -f1) LS=$(stat -c %s "$W2/layer.tar")
mv "$W2/layer.tar" "$W2/lay/blobs/sha256/$LB"
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$LB" > "$W2/c.json"
CB=$(sha256sum "$W2/c.json" | cut -d' ' -f1) CS=$(stat -c %s "$W2/c.json"); cp "$W2/c.json" "$W2/lay/blobs/sha256/$CB"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
  "$CB" "$CS" "$LB" "$LS" > "$W2/m.json"
MB=$(sha256sum "$W2/m.json" | cut -d' ' -f1) MS=$(stat -c %s "$W2/m.json"); cp "$W2/m.json" "$W2/lay/blobs/sha256/$MB"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' "$MB" "$MS" > "$W2/lay/index.json"
"$WLSIMG" -q copy "oci:$W2/lay:v1" test/big:v1 > /dev/null
RPID=${T_PIDS[-1]}
"$WLSIMG" -v push -q --chunk-size 1 test/big:v1 "$R/test/big:v1" > "$W/resume.out" 2> "$W/resume.err" &
PUSH=$!
# stop the registry once a few chunks have arrived
for _ in $(seq 1 400); do
  up=$(find "$REG_DIR/data/docker/registry/v2/repositories/test/big/_uploads" -name data -size +3M 2>/dev/null | head -1)
  [ -n "$up" ] && break
  sleep 0.02
done
kill "$RPID"; wait "$RPID" 2>/dev/null
docker-registry serve "$REG_DIR/config.yml" >> "$REG_DIR/registry.log" 2>&1 &
T_PIDS+=($!)
wait "$PUSH"; rc=$?
check_eq "push survives a registry restart" "$rc" 0
check "the client resumed from the registry's upload state" grep -q "asking the registry for the upload state" "$W/resume.err"
check_eq "the resumed push has the right digest" "$(skopeo inspect "${SKOPEO_FLAGS[@]}" --tls-verify=false "docker://$R/test/big:v1" | jq -r .Digest)" "sha256:$MB"
check "skopeo pulls the resumed blob (digest verified)" skopeo copy "${SKOPEO_FLAGS[@]}" -q --src-tls-verify=false "docker://$R/test/big:v1" "oci:$W/bigback:v1"

# ---------------------------------------------------------------- transient failures
# A fault-injecting proxy in front of the real registry: the first GET of each blob gets 503 with
# Retry-After, the first manifest PUT 429, and the first successful blob GET is cut in the middle.
export WLSIMG_STORE=$T_DIR/store-faults
cat > "$W/proxy.py" <<'PY'
import http.client, http.server, socketserver, sys, threading
listen, upstream = int(sys.argv[1]), sys.argv[2]
seen = set(); lock = threading.Lock()
def first(key):
    with lock:
        if key in seen: return False
        seen.add(key); return True
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, fmt, *a): sys.stderr.write("%s %s\n" % (self.command, self.path)); sys.stderr.flush()
    def fault(self, code, extra=()):
        body = b'{"errors":[{"code":"TOOMANYREQUESTS","message":"injected"}]}'
        self.send_response(code)
        for k, v in extra: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
        sys.stderr.write("FAULT %d %s %s\n" % (code, self.command, self.path)); sys.stderr.flush()
    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        p = self.path.split("?")[0]
        if self.command == "GET" and "/blobs/sha256:" in p and first("503" + p):
            return self.fault(503, [("Retry-After", "1")])
        if self.command == "PUT" and "/manifests/" in p and first("429" + p):
            return self.fault(429, [("Retry-After", "1")])
        c = http.client.HTTPConnection(upstream)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
        c.request(self.command, self.path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read() if self.command != "HEAD" else b""
        cut = self.command == "GET" and "/blobs/sha256:" in p and r.status == 200 and len(data) > 1000 and first("cut" + p)
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("connection", "transfer-encoding"): self.send_header(k, v)
        self.end_headers()
        if cut:
            self.wfile.write(data[: len(data) // 2]); self.wfile.flush()
            sys.stderr.write("CUT %s after %d bytes\n" % (p, len(data) // 2)); sys.stderr.flush()
            self.close_connection = True
            import socket; self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(data)
    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
S(("127.0.0.1", listen), H).serve_forever()
PY
FP=$(free_port)
python3 "$W/proxy.py" "$FP" "$R" 2> "$W/proxy.log" &
T_PIDS+=($!)
wait_http "http://127.0.0.1:$FP/v2/"
DF=$(make_oci_layout "$W/layf" v1 "$(head -c 6000 /dev/urandom | base64 -w0)")
"$WLSIMG" -q copy "oci:$W/layf:v1" test/faults:v1 > /dev/null
check "push through 429 on the manifest" "$WLSIMG" -q push test/faults:v1 "127.0.0.1:$FP/test/faults:v1"
check_eq "pushed digest" "$(cat "$T_DIR/last.out")" "$DF"
check "the proxy sent 429" grep -q "FAULT 429 PUT" "$W/proxy.log"
export WLSIMG_STORE=$T_DIR/store-faults-pull
check "pull through 503s and a cut connection" "$WLSIMG" -v -q pull "127.0.0.1:$FP/test/faults:v1"
cp "$T_DIR/last.err" "$W/faults.err"; cp "$T_DIR/last.out" "$W/faults.out"
check "the proxy sent 503s" grep -q "FAULT 503 GET" "$W/proxy.log"
check "the proxy cut a blob" grep -q "^CUT " "$W/proxy.log"
check "the client resumed with Range" grep -q "resuming at byte" "$W/faults.err"
check_eq "pulled digest" "$(sed -n 's/^Digest: //p' "$W/faults.out")" "$DF"

finish
