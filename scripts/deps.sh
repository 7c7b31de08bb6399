#!/usr/bin/env bash
# Install wlsimg's build and test dependencies on Debian 12 (idempotent; needs root or sudo).
set -euo pipefail
pkgs=(
  build-essential pkg-config clang libclang-rt-14-dev clang-format clang-tools
  libcurl4-openssl-dev libssl-dev libjansson-dev libarchive-dev zlib1g-dev libdeflate-dev libyaml-dev
  libmicrohttpd-dev libxml2-dev
  docker-registry skopeo umoci buildah apache2-utils busybox curl jq openssl python3 zip unzip wrk time hyperfine pigz
  chromium chromium-driver python3-selenium python3-jsonschema python3-yaml python3-cryptography
  help2man man-db tmux zsh
  openjdk-17-jdk-headless debootstrap
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# kubectl is not in Debian 12; tests that compare with it skip when it is absent.
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi
# docker-registry's package enables a service on :5000; the tests start their own on free loopback ports.
if command -v systemctl > /dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
  ${SUDO:-} systemctl stop docker-registry || true
fi
