#!/usr/bin/env bash
# What the registry client says when things go wrong: a registry that is not running (every retry is
# announced, and the final error names both the https and the plain-http attempt), and a push refused
# with 403 (the registry's error code and message, and for an OCIR-style namespace/user login, that the
# repository must be in the login's namespace), against `wlsimg registry serve --auth token`.
. "$(dirname "$0")/lib.sh"

# ---------------------------------------------------------------- a registry that is not running
P=$(free_port)
check_fail "pull from a registry that is not running" 1 "(retried 2 times)" \
  "$WLSIMG" pull --retry-times 2 "127.0.0.1:$P/test/app:v1"
E=$T_DIR/err # check rewrites last.err
cp "$T_DIR/last.err" "$E"
check "each retry is announced" grep -qF "retrying in 1.0 s (2 of 2)" "$E"
check_eq "one line per retry, then the error" "$(wc -l < "$E")" 3
check "the error names the https attempt" grep -qF "GET https://127.0.0.1:$P/v2/test/app/manifests/v1" "$E"
check "the error names the plain-http attempt" grep -qF "before that: GET http://127.0.0.1:$P/v2/test/app/manifests/v1" "$E"

# ---------------------------------------------------------------- 403 outside the login's namespace
"$WLSIMG" registry user add --root "$T_DIR/registry" ns/user3 > /dev/null
TOKEN=$("$WLSIMG" registry token create --root "$T_DIR/registry" ns/user3 2> /dev/null)
start_wlsimg_registry "$T_DIR/registry" --auth token
check "login as ns/user3" sh -c "printf %s '$TOKEN' | '$WLSIMG' login --username ns/user3 --password-stdin $W_ADDR"
make_oci_layout "$T_DIR/lay" v1 "namespace test" > /dev/null
check_fail "push outside the login's namespace is denied" 1 "HTTP 403 DENIED: requested access to the resource is denied" \
  "$WLSIMG" copy -q "oci:$T_DIR/lay:v1" "docker://$W_ADDR/other/app:1"
cp "$T_DIR/last.err" "$E"
check "the denial explains the namespace rule" grep -qF 'the login ns/user3 belongs to namespace "ns", and with namespace/user logins (as OCIR'"'"'s) the repository must be in that namespace (ns/app)' "$E"
check "push inside the namespace works" "$WLSIMG" copy -q "oci:$T_DIR/lay:v1" "docker://$W_ADDR/ns/app:1"

finish
