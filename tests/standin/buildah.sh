# Sourced by tests/standin/images.sh, tests/integration/81_native_rebase.sh and bench/primary.sh: buildah with
# the vfs driver, chroot isolation and a storage of its own (nothing shared with the machine's).
# shellcheck shell=bash

# bh_setup DIR: private storage under DIR (graph root, run root, storage.conf), exported for every buildah call
bh_setup() {
  BH_DIR=$1
  mkdir -p "$BH_DIR/storage" "$BH_DIR/run"
  printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/storage"\nrunroot = "%s/run"\n' "$BH_DIR" "$BH_DIR" \
    > "$BH_DIR/storage.conf"
  export CONTAINERS_STORAGE_CONF="$BH_DIR/storage.conf" BUILDAH_ISOLATION=chroot STORAGE_DRIVER=vfs
}
# bh_cleanup: remove every container and image of the private storage, and the storage
bh_cleanup() {
  [ -n "${BH_DIR:-}" ] || return 0
  bh rm --all > /dev/null 2>&1 || true
  bh rmi --all --force > /dev/null 2>&1 || true
  rm -rf "$BH_DIR"
}
# buildah push refuses a DOCKER_CONFIG that names no file
bh() { env -u DOCKER_CONFIG buildah "$@"; }
# bh_pull_oci LAYOUT TAG NAME: image LAYOUT:TAG into the storage as NAME. buildah derives an image name from
# an oci: path and rejects paths with capitals, so it reads the layout through a lower-case symbolic link.
bh_pull_oci() {
  local l id
  l=$(mktemp -u "${TMPDIR:-/tmp}/wlsimg-oci-XXXXXXXX" | tr '[:upper:]' '[:lower:]')
  ln -s "$1" "$l"
  id=$(bh pull -q "oci:$l:$2") || { rm -f "$l"; return 1; }
  rm -f "$l"
  bh tag "$id" "$3"
}
