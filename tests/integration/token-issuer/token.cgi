#!/bin/bash
# Test-only token endpoint, run as CGI by busybox httpd (which enforces Basic auth and sets
# REMOTE_USER). Grants every requested action to every authenticated user.
set -eu
dir=$(cd "$(dirname "$0")/../.." && pwd)
access=()
IFS='&' read -ra params <<< "${QUERY_STRING:-}"
for p in "${params[@]}"; do
  [[ $p == scope=* ]] || continue
  v=${p#scope=}; v=${v//+/ }; printf -v v '%b' "${v//%/\\x}"
  for s in $v; do
    type=${s%%:*} rest=${s#*:}
    name=${rest%:*} actions=${rest##*:}
    access+=("{\"type\":\"$type\",\"name\":\"$name\",\"actions\":[\"${actions//,/\",\"}\"]}")
  done
done
list=$(IFS=,; echo "${access[*]}")
tok=$("$dir/mint-token.sh" "$dir/tok-key.pem" "$REMOTE_USER" "[$list]")
printf 'Content-Type: application/json\r\n\r\n'
printf '{"token":"%s","access_token":"%s","expires_in":300,"issued_at":"%s"}\n' \
  "$tok" "$tok" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
