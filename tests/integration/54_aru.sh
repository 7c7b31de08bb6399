#!/usr/bin/env bash
# Patches through Oracle Support (ARU), against a STAND-IN: Oracle Support cannot be reached from here
# (and needs an Oracle account), so tests/integration/aru-standin/aru_standin.py answers over HTTPS in
# ARU's documented XML formats, with made-up releases and patches. wlsimg trusts the stand-in's CA
# through WLSIMG_ARU_CACERT; certificate checks stay on. `wlsimg cache downloadPatches` runs the same
# resolution as create (wi_patch_resolve): credentials, bug searches, recommended patches and PSUs,
# version choice, conflict check, downloads into the WIT cache with checksums, OPatch; then offline
# use, the refusals, `create --dryRun` and `update --dryRun` with --user (patches downloaded into the
# cache and named in the Dockerfile; update's installed PSU read from the image), and where the
# credentials went.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
need python3
need openssl
W=$WLSIMG
export WLSIMG_CACHEDIR="$T_DIR/cache"
export WLSIMG_REST_RETRY_MAX=2 WLSIMG_REST_RETRY_INTERVAL=10
USER_EMAIL=tester@example.com
PW='s3cret-Pässw0rd:with colon'
start_aru_standin "$USER_EMAIL" "$PW"
export ARU_PW="$PW"
ON=(--user "$USER_EMAIL" --passwordEnv ARU_PW --version 12.2.1.4.0 --platform linux/amd64)
nreq() { wc -l < "$S/requests.jsonl"; }
OUTS="$T_DIR/all-output"
: > "$OUTS"
# keep: save the last command's output (R.out, R.err) before the next check overwrites last.*; every
# output is also collected in $OUTS to look for the password at the end.
keep() { cp "$T_DIR/last.out" "$T_DIR/R.out"; cp "$T_DIR/last.err" "$T_DIR/R.err"; cat "$T_DIR/R.out" "$T_DIR/R.err" >> "$OUTS"; }
# said DESC TEXT: the saved stderr has TEXT.
said() { check "$1" grep -qF -- "$2" "$T_DIR/R.err"; }

# --- credentials and TLS ---
check_fail "wrong password: IMG-0022" 1 "Invalid Oracle support credentials" \
  env ARU_PW=wrong "$W" cache downloadPatches --patches 33333333 "${ON[@]}"
keep
check_fail "--user without a password: IMG-0022" 1 "Invalid Oracle support credentials" \
  "$W" cache downloadPatches --patches 33333333 --user "$USER_EMAIL" --version 12.2.1.4.0
keep
check_fail "a password on the command line is refused, not echoed" 2 "refused" \
  "$W" cache downloadPatches --patches 33333333 --user "$USER_EMAIL" --password "$PW"
keep
check_eq "the refused password is not echoed" "$(grep -cF -- "$PW" "$T_DIR/R.err")" 0
check_fail "without the CA the stand-in is not trusted (no retry, host named)" 1 \
  "Oracle Support at 127.0.0.1:$ARU_PORT" env -u WLSIMG_ARU_CACERT "$W" cache downloadPatches --patches 33333333 "${ON[@]}"
keep
check "TLS failure says why" grep -qi "certificate" "$T_DIR/R.err"

# --- one patch and OPatch, downloaded into the cache ---
check "download a patch and OPatch" "$W" cache downloadPatches --patches 33333333 "${ON[@]}"
keep
check_eq "printed the cache keys and files" "$(cat "$T_DIR/R.out")" \
  "33333333_12.2.1.4.0=$WLSIMG_CACHEDIR/p33333333_122140_Generic.zip
28186730_13.9.4.2.17=$WLSIMG_CACHEDIR/p28186730_1394217_Generic.zip"
said "version chosen by the installer version" 'Found patch 33333333 for version 12.2.1.4.0'
said "IMG-0018 and IMG-0060" 'Adding patch 33333333_12.2.1.4.0 to cache'
said "conflict check ran" 'No patch conflicts detected'
check "cache entry written" grep -qxF "33333333_12.2.1.4.0=$WLSIMG_CACHEDIR/p33333333_122140_Generic.zip" "$WLSIMG_CACHEDIR/.metadata"
sum=$(sha256sum "$WLSIMG_CACHEDIR/p33333333_122140_Generic.zip" | cut -d' ' -f1)
check "sha256 recorded as witcache does" grep -qF "p33333333_122140_Generic.zip=sha256\:$sum" "$WLSIMG_CACHEDIR/.wlsimg-checksums"
check_eq "no temporary files left" "$(find "$WLSIMG_CACHEDIR" -name '.*.zip.*' | wc -l)" 0
check_eq "the restricted OPatch 13.9.4.2.18 was not taken" "$(grep -c '13.9.4.2.18' "$T_DIR/R.out")" 0
before=$(nreq)
check "second run uses the cache" "$W" cache downloadPatches --patches 33333333 "${ON[@]}"
keep
said "IMG-0017" 'Using patch 33333333_12.2.1.4.0 from cache'
check_eq "no second download" "$(tail -n +$((before + 1)) "$S/requests.jsonl" | grep -c '/download/')" 0

# --- recommended patches and the latest PSU ---
check "--recommendedPatches" "$W" cache downloadPatches --recommendedPatches "${ON[@]}"
keep
check_eq "PSU, one-off and PSU overlay, in ARU's order" "$(cut -d= -f1 "$T_DIR/R.out" | tr '\n' ' ')" \
  "33286160_12.2.1.4.0 33333333_12.2.1.4.0 77777777_12.2.1.4.210930 28186730_13.9.4.2.17 "
said "ADR patch skipped (IMG-0085)" 'The recommended ADR patch was skipped for the WLS installer, use --patch 31111111'
said "releases without a product skipped (IMG-0082)" 'Version 12.2.1.4.0 did not contain FMW Platform, skipping'
said "no recommended patches for Coherence (IMG-0069)" 'Oracle Coherence - there are no recommended patches for version 12.2.1.4.0'
check_eq "stack patch bundle and other releases not taken" "$(grep -cE '66666666|14141414' "$T_DIR/R.out")" 0
check "--latestPSU" "$W" cache downloadPatches --latestPSU --skipOpatchUpdate "${ON[@]}"
keep
check_eq "only the PSU" "$(cat "$T_DIR/R.out")" "33286160_12.2.1.4.0=$WLSIMG_CACHEDIR/p33286160_122140_Generic.zip"
said "IMG-0020" 'Oracle WebLogic Server - the latest PSU patch number is 33286160_12.2.1.4.0'
check "the PSU guides a one-off's version" "$W" cache downloadPatches --latestPSU --patches 77777777 --skipOpatchUpdate "${ON[@]}"
keep
said "PSU version chosen" 'Found patch 77777777 for version 12.2.1.4.210930'

# --- architectures ---
check "an x86-64 patch" "$W" cache downloadPatches --patches 55555555 --skipOpatchUpdate "${ON[@]}"
keep
check_eq "arch-specific cache key" "$(cut -d= -f1 "$T_DIR/R.out")" "55555555_12.2.1.4.0_amd64"
check_fail "an ARM-only patch for amd64" 1 "Oracle Support has no version of it for amd64" \
  "$W" cache downloadPatches --patches 44444444 --skipOpatchUpdate "${ON[@]}"
keep
check "the ARM-only patch for arm64" "$W" cache downloadPatches --patches 44444444 --skipOpatchUpdate \
  --user "$USER_EMAIL" --passwordEnv ARU_PW --version 12.2.1.4.0 --platform linux/arm64
keep
check_eq "arm64 key" "$(cut -d= -f1 "$T_DIR/R.out")" "44444444_12.2.1.4.0_arm64"
check_fail "a version suffix for another architecture" 1 'does not name the target architecture amd64' \
  "$W" cache downloadPatches --patches 44444444_12.2.1.4.0_arm64 --skipOpatchUpdate "${ON[@]}"
keep

# --- refusals ---
check_fail "conflicting patches (IMG-0116), checked in ARU's cookie session" 1 \
  "These fixes cannot be applied without a merge patch from Oracle: [55555555, 33333333]" \
  "$W" cache downloadPatches --patches 55555555,33333333 "${ON[@]}"
keep
check "the conflict POST came with the session cookie" \
  python3 -c 'import json,sys; sys.exit(0 if any(e["method"]=="POST" and e["cookie"] for e in map(json.loads, open(sys.argv[1]))) else 1)' "$S/requests.jsonl"
check_fail "a stack patch bundle (IMG-0098)" 1 "Patch 66666666 is a Stack Patch Bundle, not a patch." \
  "$W" cache downloadPatches --patches 66666666 "${ON[@]}"
keep
check_fail "an unknown bug (IMG-0086)" 1 "Failed to find patch number 10101010 on Oracle servers" \
  "$W" cache downloadPatches --patches 10101010 "${ON[@]}"
keep
check_fail "a version ARU does not have (IMG-0083)" 1 \
  "Version 12.2.1.2.0 for patch ID 33333333 was not found in the available versions: 33333333_12.2.1.4.0, 33333333_12.2.1.3.0" \
  "$W" cache downloadPatches --patches 33333333_12.2.1.2.0 "${ON[@]}"
keep
check_fail "no version for the installer (IMG-0034)" 1 "Unable to determine the correct version for patch ID 33333333" \
  "$W" cache downloadPatches --patches 33333333 --skipOpatchUpdate --user "$USER_EMAIL" --passwordEnv ARU_PW --version 14.1.1.0.0
keep
check_fail "a bad patch id (IMG-0004)" 1 "Invalid patch id p33333333" "$W" cache downloadPatches --patches p33333333 "${ON[@]}"
keep
check_fail "content that does not match ARU's sha256" 1 "Oracle Support published" \
  "$W" cache downloadPatches --patches 12121212 --skipOpatchUpdate "${ON[@]}"
keep
said "IMG-0107 per attempt" 'Failed to download and save file'
check_eq "nothing left of it in the cache" "$(find "$WLSIMG_CACHEDIR" -name '*12121212*' | wc -l)$(grep -c 12121212 "$WLSIMG_CACHEDIR/.metadata")" "00"
check_fail "a download URL over plain http" 1 "https only" \
  "$W" cache downloadPatches --patches 13131313 --skipOpatchUpdate "${ON[@]}"
keep

# --- retries, redirects, unreachable ---
check "a search answered after one failure" "$W" cache downloadPatches --patches 99999990 --skipOpatchUpdate "${ON[@]}"
keep
said "IMG-0106 retry line" 'Failed to get response from patches server'
check "a download redirected to a mirror" "$W" cache downloadPatches --patches 88888888 --skipOpatchUpdate "${ON[@]}"
keep
check "mirror file cached" test -s "$WLSIMG_CACHEDIR/p88888888_122140_Generic.zip"
check "a download listed on a mirror" "$W" cache downloadPatches --patches 88888889 --skipOpatchUpdate "${ON[@]}"
keep
dead=$(free_port)
check_fail "unreachable ARU host: host, what was asked, the offline way" 1 \
  "Checking the Oracle Support credentials: Oracle Support at 127.0.0.1:$dead could not be reached (tried 2 times)" \
  env WLSIMG_ARU_HOST="127.0.0.1:$dead" "$W" cache downloadPatches --patches 33333333 --skipOpatchUpdate \
  --user "$USER_EMAIL" --passwordEnv ARU_PW --version 12.2.1.4.0 --platform linux/amd64
keep
said "… and how to work offline" 'wlsimg cache addPatch --patchId 33333333_12.2.1.4.0'
check_fail "WLSIMG_ARU_HOST must be a host" 1 "is not a host name" \
  env WLSIMG_ARU_HOST="http://evil.example/" "$W" cache downloadPatches --patches 33333333 "${ON[@]}"
keep

# --- offline: the cache only, and a clear error for what is not there ---
before=$(nreq)
check "offline: cached patches and OPatch" "$W" cache downloadPatches --patches 33333333,77777777_12.2.1.4.210930 --version 12.2.1.4.0 --platform linux/amd64
keep
check_eq "offline: newest cached OPatch" "$(tail -1 "$T_DIR/R.out" | cut -d= -f1)" "28186730_13.9.4.2.17"
said "offline: IMG-0033" 'No credentials provided, skipping validation of patches'
check_fail "offline: an uncached patch is an error, not dropped" 1 \
  "Patch 20202020 is not in the cache ($WLSIMG_CACHEDIR), and Oracle Support was not asked because no credentials were given" \
  "$W" cache downloadPatches --patches 33333333,20202020 --version 12.2.1.4.0
keep
said "offline: how to add it" 'wlsimg cache addPatch --patchId 20202020_12.2.1.4.0 --path'
check_fail "offline: the patch only for another architecture" 1 "it has only 55555555_12.2.1.4.0_amd64 for other architectures" \
  "$W" cache downloadPatches --patches 55555555 --version 12.2.1.4.0 --platform linux/arm64 --skipOpatchUpdate
keep
check_eq "offline runs asked Oracle Support nothing" "$(nreq)" "$before"

check_fail "downloadPatches with nothing to download" 2 "nothing to download" "$W" cache downloadPatches --version 12.2.1.4.0
keep

# --- cache addPatch keys ---
echo zip > "$T_DIR/p.zip"
check "addPatch with an architecture" "$W" cache addPatch --patchId 90909090_12.2.1.4.0_arm64 --path "$T_DIR/p.zip"
keep
check_fail "addPatch with an unknown suffix" 1 '"foo" is not an architecture' \
  "$W" cache addPatch --patchId 90909090_12.2.1.4.0_foo --path "$T_DIR/p.zip"
keep
check_fail "addPatch needs a version (IMG-0004)" 1 "must be in the format of 12345678_12.2.1.3.0[_arm64]" \
  "$W" cache addPatch --patchId 90909090 --path "$T_DIR/p.zip"
keep

# --- create and update: patches from Oracle Support into the cache, then into the Dockerfile ---
# Installer stand-ins (Oracle's cannot be downloaded here; a dry run never runs them) in a cache of
# their own, so that the patch and OPatch are downloaded now.
CC="$T_DIR/cache-create"
mkdir -p "$CC" "$T_DIR/bld" "$T_DIR/inst"
python3 - "$T_DIR/inst" << 'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1] + '/fmw_12.2.1.4.0_wls_lite_Disk1_1of1.zip', 'w') as z:
    z.writestr('fmw_12.2.1.4.0_wls_lite_generic.jar', 'stand-in\n')
PY
echo stand-in > "$T_DIR/inst/jdk-8u401-linux-x64.tar.gz"
WC=(env WLSIMG_CACHEDIR="$CC" WLSIMG_BLDDIR="$T_DIR/bld")
"${WC[@]}" "$W" cache addInstaller --type jdk --version 8u401 --path "$T_DIR/inst/jdk-8u401-linux-x64.tar.gz" > /dev/null 2>&1
"${WC[@]}" "$W" cache addInstaller --type wls --version 12.2.1.4.0 --path "$T_DIR/inst/fmw_12.2.1.4.0_wls_lite_Disk1_1of1.zip" > /dev/null 2>&1
check "create --dryRun --user --passwordEnv --patches: resolved through Oracle Support" "${WC[@]}" "$W" create --tag t:1 \
  --jdkVersion 8u401 --version 12.2.1.4.0 --platform linux/amd64 --user "$USER_EMAIL" --passwordEnv ARU_PW \
  --patches 33333333 --strictPatchOrdering --dryRun
keep
said "create: downloaded the patch" 'Adding patch 33333333_12.2.1.4.0 to cache'
said "create: the conflict check ran" 'No patch conflicts detected'
check "create: the Dockerfile applies the downloaded patch" grep -qF \
  "opatch apply -silent -oh /u01/oracle -nonrollbackable /tmp/imagetool/patches/p33333333_122140_Generic.zip" "$T_DIR/R.out"
check "create: … after updating OPatch to ARU's newest open version" grep -qF \
  "COPY --chown=oracle:oracle p28186730_1394217_Generic.zip /tmp/imagetool/opatch/" "$T_DIR/R.out"
check_eq "create: both are in the cache now" "$(grep -cE '^(33333333_12\.2\.1\.4\.0|28186730_13\.9\.4\.2\.17)=' "$CC/.metadata")" 2
check_eq "create: the dry run left no build context" "$(ls "$T_DIR/bld" | wc -l)" 0
# update reads the image's installed patches (its PSU guides the version) only with --user
R="$T_DIR/psuroot"
mkdir -p "$R/etc" "$R/u01/jdk" "$R/u01/oracle/OPatch" "$R/u01/oracle/inventory/oneoffs/33286160/etc/config"
printf 'NAME="Oracle Linux Server"\nID="ol"\nVERSION_ID="8.10"\n' > "$R/etc/os-release"
printf 'root:x:0:0:root:/root:/bin/sh\noracle:x:1000:1000::/u01:/bin/sh\n' > "$R/etc/passwd"
printf 'root:x:0:\noracle:x:1000:\n' > "$R/etc/group"
printf 'JAVA_VERSION="1.8.0_401"\n' > "$R/u01/jdk/release"
printf '<registry><distributions><distribution status="installed" name="WebLogic Server" version="12.2.1.4.0"/></distributions></registry>\n' \
  > "$R/u01/oracle/inventory/registry.xml"
printf 'OPATCH_VERSION:13.9.4.2.20\n' > "$R/u01/oracle/OPatch/version.txt"
printf '<oneoff_inventory><patch_id number="33286160"/><unique_patch_id>24165861</unique_patch_id><patch_description>WLS PATCH SET UPDATE 12.2.1.4.210930</patch_description></oneoff_inventory>\n' \
  > "$R/u01/oracle/inventory/oneoffs/33286160/etc/config/inventory.xml"
tar --mtime=@0 --owner=1000 --group=1000 --numeric-owner -C "$R" -cf "$T_DIR/psu.tar" .
"$W" import -c "ENV JAVA_HOME=/u01/jdk" -c "ENV ORACLE_HOME=/u01/oracle" "$T_DIR/psu.tar" wls:psu > /dev/null
check "update --dryRun --user: the installed PSU chooses the patch version" "${WC[@]}" "$W" update --tag u:1 \
  --fromImage wls:psu --platform linux/amd64 --user "$USER_EMAIL" --passwordEnv ARU_PW --patches 77777777 \
  --strictPatchOrdering --dryRun
keep
said "update: the image's newer OPatch stays (IMG-0074)" 'OPatch will not be updated, fromImage has version 13.9.4.2.20, available version is 13.9.4.2.17'
said "update: version from the installed PSU" 'Found patch 77777777 for version 12.2.1.4.210930'
check "update: the Dockerfile applies it" grep -qF "/tmp/imagetool/patches/p77777777_12214210930_Generic.zip" "$T_DIR/R.out"
# the patch is cached now, under its PSU version only
check_fail "update without --user cannot know the installed PSU (IMG-0034)" 1 "Unable to determine the correct version for patch ID 77777777" \
  "${WC[@]}" "$W" update --tag u:1 --fromImage wls:psu --patches 77777777 --dryRun
keep

# --- where the credentials went ---
check "-vv trace" "$W" -vv cache downloadPatches --patches 33333333 "${ON[@]}"
keep
said "the trace redacts Authorization" 'Authorization: <redacted>'
b64=$(printf '%s:%s' "$USER_EMAIL" "$PW" | base64 -w0)
check_eq "the password and its Basic form appear in no output" \
  "$(cat "$OUTS" "$S/requests.jsonl" | grep -cF -e "$PW" -e "$b64")" "0"
check "every ARU request came with the right credentials (or the test's wrong one)" python3 - "$S/requests.jsonl" << 'PY'
import json, sys
es = [json.loads(l) for l in open(sys.argv[1])]
aru = [e for e in es if e["listener"] == "aru"]
assert aru and all(e["auth"] in ("ok", "bad") for e in aru), "an ARU request without credentials"
assert all(e["user_agent"] == "Wget/1.10" for e in aru)
PY
check "the mirror got no credentials" python3 - "$S/requests.jsonl" << 'PY'
import json, sys
es = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["listener"] == "mirror"]
assert es, "the mirror was not asked"
assert not any(e["authorization_header"] for e in es)
PY
finish
