#!/usr/bin/env bash
# login/logout against docker-registry with htpasswd and with token auth; files read by skopeo.
. "$(dirname "$0")/lib.sh"
need skopeo
need jq

cfg="$DOCKER_CONFIG/config.json"
login() { printf '%s\n' "$2" | "$WLSIMG" login --tls-verify=false -u "$1" --password-stdin "${@:3}"; }

# --- Basic auth (htpasswd) ---
start_registry basic
basic=$REG_ADDR
# an OCIR-style user name with slashes
htpasswd -Bbn 'tenancy/oracleidentitycloudservice/u@x.com' 'tok:en' >> "$REG_DIR/htpasswd" 2>/dev/null

check_fail "basic: wrong password exits 1" 1 "wrong username or password for $basic" login alice wrong "$basic"
check_eq "basic: nothing saved after a failed login" "$(test -e "$cfg" && echo exists || echo absent)" absent
check_fail "basic: unknown user exits 1" 1 "wrong username or password" login mallory s3cret "$basic"
check "basic: login" login alice s3cret "$basic"
check_eq "basic: prints Login Succeeded" "$(cat "$T_DIR/last.out")" "Login Succeeded"
check_eq "config.json mode 0600" "$(stat -c %a "$cfg")" 600
check_eq "config directory mode 0700" "$(stat -c %a "$DOCKER_CONFIG")" 700
check_eq "config.json holds base64(user:password)" "$(jq -r --arg k "$basic" '.auths[$k].auth' "$cfg")" \
  "$(printf 'alice:s3cret' | base64)"
check_eq "config.json is tab-indented" "$(sed -n 2p "$cfg")" "$(printf '\t"auths": {')"
check "skopeo reads the saved login" skopeo login --get-login "$basic"
check_eq "skopeo sees user alice" "$(cat "$T_DIR/last.out")" alice

# interactive: username echoed, password typed on a terminal without echo (driven through a pty)
cat > "$T_DIR/drive_tty.py" <<'EOP'
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
def expect(s):
    global out
    end = time.time() + 20
    while s not in out and time.time() < end:
        try:
            out += os.read(fd, 1024)
        except OSError:
            break
expect(b"Username: "); os.write(fd, b"alice\n")
expect(b"Password: "); time.sleep(0.2); os.write(fd, b"s3cret\n")
expect(b"Login Succeeded")
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(st))
EOP
check "interactive login through a terminal" python3 "$T_DIR/drive_tty.py" "$WLSIMG" login --tls-verify=false "$basic"
check_eq "interactive: the password was not echoed" "$(grep -c s3cret "$T_DIR/last.out")" 0
check_eq "interactive: the username was echoed" "$(grep -c alice "$T_DIR/last.out")" 1
check "interactive: logout" "$WLSIMG" logout "$basic"

# other keys survive a login
jq '. + {"psFormat":"table"}' "$cfg" > "$T_DIR/c.json" && cp "$T_DIR/c.json" "$cfg"
check "login with a URL and an OCIR user name" login 'tenancy/oracleidentitycloudservice/u@x.com' 'tok:en' "http://$basic/v2/"
check_eq "URL normalised to the host; slashes kept in the user name" \
  "$(jq -r --arg k "$basic" '.auths[$k].auth' "$cfg" | base64 -d)" 'tenancy/oracleidentitycloudservice/u@x.com:tok:en'
check_eq "other keys preserved" "$(jq -r .psFormat "$cfg")" table
check_eq "still mode 0600" "$(stat -c %a "$cfg")" 600

# saved credentials are used by other commands (skopeo pushes with its own login first)
lay="$T_DIR/layout"
make_oci_layout "$lay" v1 hello > /dev/null
check "skopeo pushes a test image" skopeo copy "${SKOPEO_FLAGS[@]}" --dest-tls-verify=false \
  --dest-creds alice:s3cret "oci:$lay:v1" "docker://$basic/test/tiny:v1"
check "tags uses the saved login" "$WLSIMG" tags --tls-verify=false "$basic/test/tiny"
check_eq "tags lists v1" "$(cat "$T_DIR/last.out")" v1

check "logout" "$WLSIMG" logout "$basic"
check_eq "logout removed the entry" "$(jq -r --arg k "$basic" '.auths | has($k)' "$cfg")" false
check_fail "logout again: not logged in" 1 "not logged in to $basic" "$WLSIMG" logout "$basic"
check_fail "tags without a login asks for one" 1 "wlsimg login $basic" \
  "$WLSIMG" tags --tls-verify=false "$basic/test/tiny"

# --authfile: containers auth.json, read by skopeo
af="$T_DIR/auth/auth.json"
check "login --authfile" login alice s3cret --authfile "$af" "$basic"
check_eq "authfile mode 0600" "$(stat -c %a "$af")" 600
check "skopeo reads the authfile" skopeo login --authfile "$af" --get-login "$basic"
check_eq "skopeo sees alice in the authfile" "$(cat "$T_DIR/last.out")" alice
check "logout --authfile" "$WLSIMG" logout --authfile "$af" "$basic"
check_fail "logout --authfile again" 1 "not logged in to $basic" "$WLSIMG" logout --authfile "$af" "$basic"

# a credential helper named in config.json receives the secret; config.json only gets {}
mkdir -p "$T_DIR/bin" "$T_DIR/helper"
cat > "$T_DIR/bin/docker-credential-testhelper" <<'EOS'
#!/bin/sh
set -eu
d="$HELPER_DIR"
key() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
case "$1" in
get) read -r url; f="$d/$(key "$url")"
  if [ -f "$f" ]; then cat "$f"; else echo 'credentials not found in native keychain'; exit 1; fi;;
store) json=$(cat); url=$(printf '%s' "$json" | jq -r .ServerURL); printf '%s' "$json" > "$d/$(key "$url")";;
erase) read -r url; f="$d/$(key "$url")"
  if [ -f "$f" ]; then rm "$f"; else echo 'credentials not found in native keychain'; exit 1; fi;;
*) exit 1;;
esac
EOS
chmod +x "$T_DIR/bin/docker-credential-testhelper"
export PATH="$T_DIR/bin:$PATH" HELPER_DIR="$T_DIR/helper"
jq --arg k "$basic" '.credHelpers = {($k): "testhelper"}' "$cfg" > "$T_DIR/c.json" && cp "$T_DIR/c.json" "$cfg"
check "login through a credential helper" login alice s3cret "$basic"
check_eq "config.json has the {} marker" "$(jq -c --arg k "$basic" '.auths[$k]' "$cfg")" "{}"
check_eq "the helper holds the secret" "$(cat "$T_DIR"/helper/* | jq -r .Secret)" s3cret
check "tags with credentials from the helper" "$WLSIMG" tags --tls-verify=false "$basic/test/tiny"
check "logout through the helper" "$WLSIMG" logout "$basic"
check_eq "helper entry erased" "$(ls "$T_DIR/helper" | wc -l)" 0
jq 'del(.credHelpers)' "$cfg" > "$T_DIR/c.json" && cp "$T_DIR/c.json" "$cfg"

# --- Token auth ---
start_registry token
tok=$REG_ADDR
check_fail "token: wrong password exits 1" 1 "wrong username or password for $tok" login alice wrong "$tok"
check "token: login" login alice s3cret "$tok"
check_eq "token: Login Succeeded" "$(cat "$T_DIR/last.out")" "Login Succeeded"
check_eq "token: saved" "$(jq -r --arg k "$tok" '.auths[$k].auth' "$cfg" | base64 -d)" alice:s3cret
check "token: logout" "$WLSIMG" logout "$tok"

# --- TLS: CA and client certificates from a certs.d directory ---
# wlsimg speaks plain HTTP to loopback hosts, so the TLS registry listens on this machine's first
# non-loopback IPv4 address (skipped when there is none).
need openssl
tls_ip=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+(\.[0-9]+){3}$' | grep -v '^127\.' | head -1)
if [ -n "$tls_ip" ]; then
pki="$T_DIR/pki"
mkdir -p "$pki"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.pem" -days 2 -subj /CN=test-ca 2>/dev/null
mkcert() { # mkcert NAME EXT: a certificate signed by the test CA
  openssl req -newkey rsa:2048 -nodes -keyout "$pki/$1.key" -out "$pki/$1.csr" -subj "/CN=$1" 2>/dev/null
  printf '%s\n' "$2" > "$pki/$1.ext"
  openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
    -extfile "$pki/$1.ext" -out "$pki/$1.pem" 2>/dev/null
}
mkcert server "subjectAltName=IP:$tls_ip"
mkcert client 'extendedKeyUsage=clientAuth'
start_tls_registry() { # start_tls_registry [clientcas]: htpasswd + TLS; sets TLS_ADDR
  local port dir
  port=$(free_port); dir="$T_DIR/tls-$port"; mkdir -p "$dir/data"
  htpasswd -Bbn alice s3cret > "$dir/htpasswd" 2>/dev/null
  cat > "$dir/config.yml" <<EOC
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: $tls_ip:$port
  secret: test-only-upload-state-key
  tls:
    certificate: $pki/server.pem
    key: $pki/server.key
${1:+    clientcas:
      - $pki/ca.pem}
auth:
  htpasswd:
    realm: test-realm
    path: $dir/htpasswd
EOC
  docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
  T_PIDS+=($!)
  TLS_ADDR=$tls_ip:$port
  local i
  for i in $(seq 1 200); do
    curl -sk -o /dev/null --max-time 1 --cert "$pki/client.pem" --key "$pki/client.key" "https://$TLS_ADDR/v2/" && return 0
    sleep 0.05
  done
  echo "TLS registry did not come up" >&2; return 1
}
tlslogin() { printf 's3cret\n' | "$WLSIMG" login -u alice --password-stdin "$@"; }

start_tls_registry
certs="$T_DIR/certs"
mkdir -p "$certs"
cp "$pki/ca.pem" "$certs/ca.crt"
check_fail "tls: unknown CA is refused" 1 "SSL certificate problem" tlslogin "$TLS_ADDR"
check "tls: --cert-dir with the CA" tlslogin --cert-dir "$certs" "$TLS_ADDR"
check "tls: --tls-verify=false" tlslogin --tls-verify=false "$TLS_ADDR"
mkdir -p "$XDG_CONFIG_HOME/containers/certs.d/$TLS_ADDR"
cp "$pki/ca.pem" "$XDG_CONFIG_HOME/containers/certs.d/$TLS_ADDR/ca.crt"
check "tls: CA from ~/.config/containers/certs.d/HOST:PORT" tlslogin "$TLS_ADDR"
rm -rf "$XDG_CONFIG_HOME/containers/certs.d"

start_tls_registry clientcas
check_fail "mtls: no client certificate is refused" 1 "login: $TLS_ADDR" tlslogin --cert-dir "$certs" "$TLS_ADDR"
cp "$pki/client.pem" "$certs/client.cert"
cp "$pki/client.key" "$certs/client.key"
check "mtls: client.cert/client.key from --cert-dir" tlslogin --cert-dir "$certs" "$TLS_ADDR"
rm "$certs/client.key"
check_fail "mtls: a client.cert without its key" 1 "has no matching key" tlslogin --cert-dir "$certs" "$TLS_ADDR"
else
  echo "# no non-loopback IPv4 address: TLS checks skipped"
fi

# --- usage ---
check_fail "--password is refused" 2 "there is no --password option" "$WLSIMG" login -u alice --password x "$basic"
check_fail "no username with --password-stdin" 2 "--username is required" \
  sh -c "echo s3cret | '$WLSIMG' login --password-stdin '$basic'"
check_fail "unreachable registry" 1 "login: 127.0.0.1:1: GET" login alice s3cret 127.0.0.1:1

finish
