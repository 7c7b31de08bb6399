#!/usr/bin/env bash
# wlsimg registry serve with real clients: skopeo (copy both ways, inspect, list-tags, delete),
# buildah (push/pull with vfs storage in a private directory) and wlsimg itself, without and with
# token auth. Images must round-trip with identical digests.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
source "$here/lib.sh"
need skopeo
need jq

LAY=$T_DIR/lay
DIGEST=$(make_oci_layout "$LAY" v1 "hello from the peers test")
SK=(skopeo "${SKOPEO_FLAGS[@]}")
BUILDAH=(env -u DOCKER_CONFIG buildah --root "$T_DIR/bstore" --runroot "$T_DIR/brun" --storage-driver vfs)

# run_peers LABEL ADDR NAMESPACE CREDS: the whole matrix against one server. CREDS is user:token or "".
run_peers() {
  local label=$1 addr=$2 ns=$3 creds=$4 c=() cs=() cd=() bc=()
  if [ -n "$creds" ]; then
    c=(--creds "$creds"); cs=(--src-creds "$creds"); cd=(--dest-creds "$creds"); bc=(--creds "$creds")
  fi
  local dst=docker://$addr/$ns/tiny:v1
  check "$label: skopeo copy oci -> registry" "${SK[@]}" copy --dest-tls-verify=false "${cd[@]}" "oci:$LAY:v1" "$dst"
  check "$label: skopeo inspect" "${SK[@]}" inspect --tls-verify=false "${c[@]}" "$dst"
  check_eq "$label: digest preserved" "$(jq -r .Digest "$T_DIR/last.out")" "$DIGEST"
  check "$label: skopeo inspect --raw" "${SK[@]}" inspect --raw --tls-verify=false "${c[@]}" "$dst"
  check_eq "$label: raw manifest bytes" "sha256:$(sha256sum < "$T_DIR/last.out" | cut -d' ' -f1)" "$DIGEST"
  check "$label: skopeo list-tags" "${SK[@]}" list-tags --tls-verify=false "${c[@]}" "docker://$addr/$ns/tiny"
  check_eq "$label: tags" "$(jq -c .Tags "$T_DIR/last.out")" '["v1"]'
  rm -rf "$T_DIR/pulled"
  check "$label: skopeo copy registry -> oci" "${SK[@]}" copy --src-tls-verify=false "${cs[@]}" "$dst" "oci:$T_DIR/pulled:v1"
  check_eq "$label: pulled digest" "$(jq -r '.manifests[0].digest' "$T_DIR/pulled/index.json")" "$DIGEST"
  check "$label: skopeo copy registry -> registry" "${SK[@]}" copy --src-tls-verify=false --dest-tls-verify=false \
    "${cs[@]}" "${cd[@]}" "$dst" "docker://$addr/$ns/copy:v2"
  check "$label: skopeo copy docker schema2" "${SK[@]}" copy --dest-tls-verify=false "${cd[@]}" --format v2s2 \
    "oci:$LAY:v1" "docker://$addr/$ns/v2s2:v1"
  check "$label: schema2 inspect" "${SK[@]}" inspect --raw --tls-verify=false "${c[@]}" "docker://$addr/$ns/v2s2:v1"
  check_eq "$label: schema2 media type" "$(jq -r .mediaType "$T_DIR/last.out")" \
    application/vnd.docker.distribution.manifest.v2+json
  check "$label: skopeo delete" "${SK[@]}" delete --tls-verify=false "${c[@]}" "docker://$addr/$ns/copy:v2"
  check_fail "$label: deleted image is gone" 1 "manifest unknown" "${SK[@]}" inspect --tls-verify=false "${c[@]}" "docker://$addr/$ns/copy:v2"

  if command -v buildah > /dev/null; then
    check "$label: buildah pull" "${BUILDAH[@]}" pull --tls-verify=false "${bc[@]}" "$addr/$ns/tiny:v1"
    check "$label: buildah push" "${BUILDAH[@]}" push --tls-verify=false "${bc[@]}" "$addr/$ns/tiny:v1" \
      "docker://$addr/$ns/fromb:v1"
    check "$label: buildah-pushed image inspects" "${SK[@]}" inspect --tls-verify=false "${c[@]}" "docker://$addr/$ns/fromb:v1"
    check "$label: buildah pull back" "${BUILDAH[@]}" pull --tls-verify=false "${bc[@]}" "$addr/$ns/fromb:v1"
  fi

  # wlsimg's own client.
  if [ -n "$creds" ]; then
    printf '%s' "${creds#*:}" > "$T_DIR/pw"
    check "$label: wlsimg login with the auth token" "$WLSIMG" login --tls-verify=false -u "${creds%%:*}" \
      --password-stdin "$addr" < "$T_DIR/pw"
    printf 'wrong' > "$T_DIR/badpw"
    check_fail "$label: wlsimg login with a wrong token" 1 "wrong username or password" "$WLSIMG" login --tls-verify=false \
      -u "${creds%%:*}" --password-stdin --authfile "$T_DIR/bad-auth.json" "$addr" < "$T_DIR/badpw"
    check "$label: skopeo login" "${SK[@]}" login --tls-verify=false -u "${creds%%:*}" --password-stdin \
      --authfile "$T_DIR/sk-auth.json" "$addr" < "$T_DIR/pw"
  fi
  check "$label: wlsimg copy registry -> oci" "$WLSIMG" copy -q --src-tls-verify=false \
    "docker://$addr/$ns/tiny:v1" "oci:$T_DIR/wpulled-$label:v1"
  check_eq "$label: wlsimg pulled digest" "$(jq -r '.manifests[0].digest' "$T_DIR/wpulled-$label/index.json")" "$DIGEST"
  check "$label: wlsimg copy oci -> registry" "$WLSIMG" copy -q --dest-tls-verify=false \
    "oci:$T_DIR/wpulled-$label:v1" "docker://$addr/$ns/wl:v1"
  check "$label: wlsimg-pushed inspect" "${SK[@]}" inspect --tls-verify=false "${c[@]}" "docker://$addr/$ns/wl:v1"
  check_eq "$label: wlsimg push keeps digest" "$(jq -r .Digest "$T_DIR/last.out")" "$DIGEST"
  check "$label: wlsimg pull into the store" "$WLSIMG" pull -q --tls-verify=false "$addr/$ns/tiny:v1"
  check "$label: wlsimg push from the store" "$WLSIMG" push -q --tls-verify=false "$addr/$ns/tiny:v1" "$addr/$ns/fromstore:v1"
  check_eq "$label: wlsimg push prints the same digest" "$(tail -1 "$T_DIR/last.out")" "$DIGEST"
}

start_wlsimg_registry "$T_DIR/open"
run_peers open "$W_ADDR" test ""

AROOT=$T_DIR/auth
"$WLSIMG" registry user add --root "$AROOT" acme/alice
TOK=$("$WLSIMG" -q registry token create --root "$AROOT" acme/alice)
start_wlsimg_registry "$AROOT" --auth token
run_peers token "$W_ADDR" acme "acme/alice:$TOK"
check_fail "token: push outside the namespace is refused" 1 "403 (Forbidden)" "${SK[@]}" copy --dest-tls-verify=false \
  --dest-creds "acme/alice:$TOK" "oci:$LAY:v1" "docker://$W_ADDR/other/tiny:v1"
check_fail "token: wrong auth token" 1 "invalid username/password" "${SK[@]}" inspect --tls-verify=false --creds "acme/alice:nope" \
  "docker://$W_ADDR/acme/tiny:v1"
check_fail "token: anonymous pull of a private repo" 1 "unauthorized" "${SK[@]}" inspect --tls-verify=false --no-creds \
  "docker://$W_ADDR/acme/tiny:v1"
# Cross-repository mounts under token auth, with the real clients: each needs a token covering the
# source's pull as well (the challenge of a mount names it), and the registry answers 201.
check "token: wlsimg push to a second repository" "$WLSIMG" -v push --tls-verify=false \
  "$W_ADDR/acme/tiny:v1" "$W_ADDR/acme/mounted:v1"
check_eq "token: wlsimg push mounted both blobs" "$(cat "$T_DIR/last.out" "$T_DIR/last.err" | grep -c 'Mounted from acme/')" 2
check_eq "token: the registry answered the mounts with 201" \
  "$(grep -c 'POST /v2/acme/mounted/blobs/uploads/ 201' "$AROOT.log")" 2
check "token: skopeo copy to a new repository" "${SK[@]}" copy --dest-tls-verify=false --dest-creds "acme/alice:$TOK" \
  "oci:$LAY:v1" "docker://$W_ADDR/acme/sk1:v1"
check "token: skopeo copy to another one" "${SK[@]}" copy --dest-tls-verify=false --dest-creds "acme/alice:$TOK" \
  "oci:$LAY:v1" "docker://$W_ADDR/acme/sk2:v1"
check_eq "token: skopeo mounted the layer it had pushed before" \
  "$(grep -c 'POST /v2/acme/sk2/blobs/uploads/ 201' "$AROOT.log")" 1
"$WLSIMG" registry repo set-public --root "$AROOT" acme/tiny
check "token: anonymous pull of a public repo" "${SK[@]}" copy --src-tls-verify=false --src-no-creds \
  "docker://$W_ADDR/acme/tiny:v1" "oci:$T_DIR/anon:v1"
finish
