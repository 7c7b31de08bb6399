#!/bin/sh
# Test-only ES256 JWT minting for docker-registry's token auth.
# usage: mint-token.sh KEY.pem SUBJECT ACCESS_JSON     (JOSE header carries "kid")
#        X5C_CERT=cert.pem mint-token.sh ...             (JOSE header carries "x5c")
set -eu
key=$1 sub=$2 access=$3
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
if [ -n "${X5C_CERT:-}" ]; then
  hdr=$(printf '{"typ":"JWT","alg":"ES256","x5c":["%s"]}' "$(openssl x509 -in "$X5C_CERT" -outform DER | base64 -w0)")
else
  kid=$(openssl pkey -in "$key" -pubout -outform DER | openssl dgst -sha256 -binary | head -c 30 \
        | base32 -w0 | tr -d '=' | sed -E 's/(....)/\1:/g; s/:$//')
  hdr=$(printf '{"typ":"JWT","alg":"ES256","kid":"%s"}' "$kid")
fi
claims=$(printf '{"iss":"test-issuer","sub":"%s","aud":"test-registry","iat":%d,"nbf":%d,"exp":%d,"jti":"%s","access":%s}' \
         "$sub" "$now" "$((now - 5))" "$((now + ${TOKEN_TTL:-300}))" "$(openssl rand -hex 8)" "$access")
input="$(printf '%s' "$hdr" | b64url).$(printf '%s' "$claims" | b64url)"
# openssl signs in DER (SEQUENCE of two INTEGERs); JWS ES256 wants raw r||s, 32 bytes each
sig=$(printf '%s' "$input" | openssl dgst -sha256 -sign "$key" -binary | openssl asn1parse -inform DER \
      | awk -F: '/INTEGER/ { v = $NF; while (length(v) < 64) v = "0" v; printf "%s", substr(v, length(v) - 63) }' \
      | basenc --base16 -d | b64url)
printf '%s.%s\n' "$input" "$sig"
