# Sourced by tests/integration/NN_*.sh. Starts real peers on loopback ports, checks, cleans up.
# shellcheck shell=bash
set -u
: "${WLSIMG:?set WLSIMG to the wlsimg binary}"
T_PASS=0
T_FAIL=0
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/wlsimg-it.XXXXXX")
T_PIDS=()
export HOME="$T_DIR/home" XDG_DATA_HOME="$T_DIR/home/.local/share" XDG_RUNTIME_DIR="$T_DIR/run"
export XDG_CONFIG_HOME="$T_DIR/home/.config" DOCKER_CONFIG="$T_DIR/home/.docker"
export WLSIMG_STORE="$T_DIR/store" REGISTRY_AUTH_FILE=
unset REGISTRY_AUTH_FILE
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
SKOPEO_FLAGS=(--insecure-policy)
T_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

t_cleanup() {
  local p
  for p in "${T_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${T_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$T_DIR"
}
trap t_cleanup EXIT

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }

# check DESC CMD...: CMD must succeed.
check() {
  local desc=$1; shift
  if "$@" > "$T_DIR/last.out" 2> "$T_DIR/last.err"; then ok "$desc"; else
    not_ok "$desc (exit $?)"; sed 's/^/    /' "$T_DIR/last.err" | tail -20; fi
}
# check_fail DESC EXIT_CODE MESSAGE_SUBSTRING CMD...: CMD must exit with that code and print the text on stderr.
check_fail() {
  local desc=$1 want=$2 text=$3 rc; shift 3
  "$@" > "$T_DIR/last.out" 2> "$T_DIR/last.err"; rc=$?
  if [ "$rc" -ne "$want" ]; then not_ok "$desc (exit $rc, expected $want)"; sed 's/^/    /' "$T_DIR/last.err" | tail -10; return; fi
  if ! grep -qF -- "$text" "$T_DIR/last.err"; then not_ok "$desc (stderr lacks \"$text\")"; sed 's/^/    /' "$T_DIR/last.err" | tail -10; return; fi
  ok "$desc"
}
# check_eq DESC GOT WANT
check_eq() {
  if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1 (got \"$2\", expected \"$3\")"; fi
}
finish() { echo "$T_PASS passed, $T_FAIL failed"; [ "$T_FAIL" -eq 0 ]; }

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
# wait_http URL: poll until the server answers (any status), at most ~10 s.
wait_http() {
  local i
  for i in $(seq 1 200); do
    curl -s -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.05
  done
  echo "server at $1 did not come up" >&2
  return 1
}

need() { command -v "$1" > /dev/null || { echo "missing $1 (run the README's test command)" >&2; exit 1; }; }

# start_registry MODE [NAME]: MODE none|basic|token. Sets REG_ADDR (127.0.0.1:port) and, for basic/token,
# user alice / password s3cret.
start_registry() {
  local mode=$1 dir port cfg
  need docker-registry
  port=$(free_port)
  dir="$T_DIR/reg-$mode-$port"
  mkdir -p "$dir/data"
  cfg="$dir/config.yml"
  cat > "$cfg" <<EOC
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: test-only-upload-state-key
EOC
  case $mode in
  basic)
    htpasswd -Bbn alice s3cret > "$dir/htpasswd" 2>/dev/null
    printf 'auth:\n  htpasswd:\n    realm: test-realm\n    path: %s\n' "$dir/htpasswd" >> "$cfg" ;;
  token)
    start_token_issuer "$dir"
    printf 'auth:\n  token:\n    realm: http://%s/cgi-bin/token\n    service: test-registry\n    issuer: test-issuer\n    rootcertbundle: %s\n' \
      "$ISSUER_ADDR" "$dir/tok-cert.pem" >> "$cfg" ;;
  esac
  docker-registry serve "$cfg" > "$dir/registry.log" 2>&1 &
  T_PIDS+=($!)
  REG_ADDR=127.0.0.1:$port
  REG_DIR=$dir
  wait_http "http://$REG_ADDR/v2/"
}

# start_token_issuer DIR: the ES256 test token issuer (tests/integration/token-issuer) under busybox httpd.
start_token_issuer() {
  local dir=$1 port
  need busybox
  port=$(free_port)
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/tok-key.pem" 2>/dev/null
  openssl req -new -x509 -key "$dir/tok-key.pem" -out "$dir/tok-cert.pem" -days 30 -subj '/CN=test-token-issuer' 2>/dev/null
  mkdir -p "$dir/www/cgi-bin"
  cp "$T_HERE/token-issuer/mint-token.sh" "$dir/mint-token.sh"
  cp "$T_HERE/token-issuer/token.cgi" "$dir/www/cgi-bin/token"
  chmod +x "$dir/mint-token.sh" "$dir/www/cgi-bin/token"
  printf '/cgi-bin:alice:s3cret\n' > "$dir/httpd.conf"
  busybox httpd -f -p "127.0.0.1:$port" -h "$dir/www" -c "$dir/httpd.conf" -r test-issuer &
  T_PIDS+=($!)
  ISSUER_ADDR=127.0.0.1:$port
  wait_http "http://$ISSUER_ADDR/"
}

# oci_layout_one_file DIR TAG NAME GZIP_LEVEL CONFIG_EXTRA < CONTENT: a one-layer OCI layout whose
# layer holds the file NAME with CONTENT (gzip -GZIP_LEVEL), built with tar/gzip/sha256sum.
# CONFIG_EXTRA goes into the image config after "os" (e.g. '"config":{...},'). Prints the digest.
oci_layout_one_file() {
  local lay=$1 tag=$2 name=$3 level=$4 extra=$5 w d ld ls cd cs md ms
  w=$(mktemp -d "$T_DIR/lay.XXXXXX")
  mkdir -p "$w/src" "$lay/blobs/sha256"
  cat > "$w/src/$name"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$w/src" -cf "$w/layer.tar" .
  gzip -n "-$level" -c "$w/layer.tar" > "$w/layer.tar.gz"
  d=$(sha256sum "$w/layer.tar" | cut -d' ' -f1)
  ld=$(sha256sum "$w/layer.tar.gz" | cut -d' ' -f1); ls=$(stat -c %s "$w/layer.tar.gz"); cp "$w/layer.tar.gz" "$lay/blobs/sha256/$ld"
  printf '{"architecture":"amd64","os":"linux",%s"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$extra" "$d" > "$w/config.json"
  cd=$(sha256sum "$w/config.json" | cut -d' ' -f1); cs=$(stat -c %s "$w/config.json"); cp "$w/config.json" "$lay/blobs/sha256/$cd"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$cd" "$cs" "$ld" "$ls" > "$w/manifest.json"
  md=$(sha256sum "$w/manifest.json" | cut -d' ' -f1); ms=$(stat -c %s "$w/manifest.json"); cp "$w/manifest.json" "$lay/blobs/sha256/$md"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$lay/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
    "$md" "$ms" "$tag" > "$lay/index.json"
  rm -rf "$w"
  echo "sha256:$md"
}

# make_oci_layout DIR TAG CONTENT: a small one-layer OCI layout (hello.txt holds CONTENT).
make_oci_layout() {
  printf '%s\n' "$3" | oci_layout_one_file "$1" "$2" hello.txt 9 '"config":{"Cmd":["/bin/sh"]},'
}

# start_wlsimg_registry ROOT [ARGS...]: wlsimg registry serve on a free port with ARGS (e.g. --auth token
# ...); sets W_ADDR; the server log goes to ROOT.log.
start_wlsimg_registry() {
  local root=$1 port; shift
  port=$(free_port)
  "$WLSIMG" registry serve --listen "127.0.0.1:$port" --root "$root" "$@" > "$root.log" 2>&1 &
  T_PIDS+=($!)
  W_ADDR=127.0.0.1:$port
  wait_http "http://$W_ADDR/v2/"
}

# start_aru_standin USER PASSWORD: the Oracle Support (ARU) stand-in (tests/integration/aru-standin: Oracle
# Support cannot be reached from here) over HTTPS, with a CA made now, accepting USER/PASSWORD. Its files go to
# $T_DIR/aru (S); its requests are logged to $S/requests.jsonl. Exports WLSIMG_ARU_HOST and WLSIMG_ARU_CACERT;
# sets ARU_PORT and MIRROR_PORT.
start_aru_standin() {
  S="$T_DIR/aru"
  mkdir -p "$S"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$S/ca.key" -out "$S/ca.pem" \
    -days 2 -subj '/CN=wlsimg test ARU CA' 2> /dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$S/srv.key" -out "$S/srv.csr" \
    -subj '/CN=127.0.0.1' 2> /dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' > "$S/ext.cnf"
  openssl x509 -req -in "$S/srv.csr" -CA "$S/ca.pem" -CAkey "$S/ca.key" -CAcreateserial -days 2 \
    -extfile "$S/ext.cnf" -out "$S/srv.pem" 2> /dev/null
  (umask 077; printf '%s\n' "$2" > "$S/pw")
  python3 "$T_HERE/aru-standin/aru_standin.py" --cert "$S/srv.pem" --key "$S/srv.key" --user "$1" \
    --password-file "$S/pw" --log "$S/requests.jsonl" --ports "$S/ports" > "$S/standin.out" 2>&1 &
  T_PIDS+=($!)
  for _ in $(seq 1 200); do [ -s "$S/ports" ] && break; sleep 0.05; done
  read -r ARU_PORT MIRROR_PORT < "$S/ports"
  export WLSIMG_ARU_HOST="127.0.0.1:$ARU_PORT" WLSIMG_ARU_CACERT="$S/ca.pem"
}

# ui_lab_fixture: what the lab's flow needs, for the ui tests. Sets TOKEN (ns/user3's auth token on
# `wlsimg registry serve --auth token`), REG (its address), PROJ (a project directory with the example model
# in models/); the store gets busybox:latest and the WIT cache (WLSIMG_CACHEDIR) a WDT installer.
ui_lab_fixture() {
  local root r
  root=$(cd "$T_HERE/../.." && pwd)
  "$WLSIMG" registry user add --root "$T_DIR/registry" ns/user3 > /dev/null
  TOKEN=$("$WLSIMG" registry token create --root "$T_DIR/registry" ns/user3)
  start_wlsimg_registry "$T_DIR/registry" --auth token
  REG=$W_ADDR
  r="$T_DIR/rootfs"
  mkdir -p "$r/bin" "$r/etc" "$r/tmp"
  cp "$(command -v busybox)" "$r/bin/busybox"
  ln -s busybox "$r/bin/sh"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$r/etc/passwd"
  printf 'root:x:0:\n' > "$r/etc/group"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$r" -cf "$T_DIR/rootfs.tar" .
  "$WLSIMG" import "$T_DIR/rootfs.tar" --tag busybox:latest > /dev/null
  "$root/examples/make-fixtures.sh" "$T_DIR/fx" > /dev/null
  "$WLSIMG" cache addInstaller --type wdt --version latest --path "$T_DIR/fx/weblogic-deploy.zip" > /dev/null
  PROJ="$T_DIR/proj"
  mkdir -p "$PROJ/models"
  cp "$root/examples/model.yaml" "$root/examples/model.properties" "$root/examples/archive.zip" "$PROJ/models/"
}

# make_layers_layout DIR TAG N KIB: an OCI layout whose image has N layers of KIB KiB of random bytes.
make_layers_layout() {
  local lay=$1 tag=$2 n=$3 kib=$4 i d ld ls layers='' diffs='' cfg cd cs man md ms
  local W=$T_DIR/layers-work
  mkdir -p "$lay/blobs/sha256" "$W/src"
  for i in $(seq 1 "$n"); do
    head -c $((kib * 1024)) /dev/urandom > "$W/src/f$i"
    tar --mtime=@0 --owner=0 --group=0 -C "$W/src" -cf "$W/l$i.tar" "f$i"
    gzip -n -1 -c "$W/l$i.tar" > "$W/l$i.tgz"
    d=$(sha256sum "$W/l$i.tar" | cut -d' ' -f1)
    ld=$(sha256sum "$W/l$i.tgz" | cut -d' ' -f1) ls=$(stat -c %s "$W/l$i.tgz")
    cp "$W/l$i.tgz" "$lay/blobs/sha256/$ld"
    layers+="${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$ld\",\"size\":$ls}"
    diffs+="${diffs:+,}\"sha256:$d\""
  done
  cfg="{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$diffs]}}"
  printf '%s' "$cfg" > "$W/config.json"
  cd=$(sha256sum "$W/config.json" | cut -d' ' -f1) cs=$(stat -c %s "$W/config.json")
  cp "$W/config.json" "$lay/blobs/sha256/$cd"
  man="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$cd\",\"size\":$cs},\"layers\":[$layers]}"
  printf '%s' "$man" > "$W/manifest.json"
  md=$(sha256sum "$W/manifest.json" | cut -d' ' -f1) ms=$(stat -c %s "$W/manifest.json")
  cp "$W/manifest.json" "$lay/blobs/sha256/$md"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$lay/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
    "$md" "$ms" "$tag" > "$lay/index.json"
}

# slow_proxy TARGET BYTES_PER_SECOND: sets P_ADDR, a slowed-down way to TARGET.
slow_proxy() {
  local port
  port=$(free_port)
  python3 "$T_HERE/slowproxy.py" "$port" "$1" "$2" &
  T_PIDS+=($!)
  P_ADDR=127.0.0.1:$port
  wait_http "http://$P_ADDR/v2/"
}
