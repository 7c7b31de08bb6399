#!/usr/bin/env bash
# cache: WIT's .metadata written by wlsimg and read back, a hand-written WIT-style .metadata read, messages,
# exit codes, sorted listing, key lower-casing, lookup order through createAuxImage --dryRun.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
need python3
export WLSIMG_CACHEDIR="$T_DIR/cache"
F="$T_DIR/files"
mkdir -p "$F"
"$(cd "$T_HERE/../.." && pwd)/examples/make-fixtures.sh" "$F" > /dev/null
echo wdt-arm > "$F/wdt arm64.zip"
echo jdk > "$F/jdk.tar.gz"
echo patch > "$F/p29135930.zip"
echo "domainInfo: {}" > "$F/m.yaml"

check_fail "empty cache" 0 "[INFO   ] cache is empty" "$WLSIMG" cache listItems
check_eq "cache dir created (one level)" "$(test -d "$WLSIMG_CACHEDIR" && echo yes)" "yes"
check_fail "addInstaller" 0 "[INFO   ] Successfully added to cache. wdt_latest=$F/weblogic-deploy.zip" \
  "$WLSIMG" cache addInstaller --type wdt --version latest --path "$F/weblogic-deploy.zip"
check_fail "addInstaller with architecture, upper-case type" 0 "wdt_latest_arm64=$F/wdt arm64.zip" \
  "$WLSIMG" cache addInstaller -t WDT -v LATEST -a ARM64 -p "$F/wdt arm64.zip"
check_fail "same path again is not an error" 0 "nothing to do" \
  "$WLSIMG" cache addInstaller --type wdt --version latest --path "$F/weblogic-deploy.zip"
check_fail "different path without --force" 1 "[SEVERE ] Entry wdt_latest already exists as $F/weblogic-deploy.zip" \
  "$WLSIMG" cache addInstaller --type wdt --version latest --path "$F/jdk.tar.gz"
check_fail "not a file" 1 "is not a file" "$WLSIMG" cache addInstaller --type jdk --version 8u202 --path "$F"
check_fail "missing --version is a usage error" 2 "--version" "$WLSIMG" cache addInstaller --path "$F/jdk.tar.gz"
check_fail "bad type" 2 "--type" "$WLSIMG" cache addInstaller --type nope --version 1 --path "$F/jdk.tar.gz"
check "addInstaller jdk" "$WLSIMG" cache addInstaller --type jdk --version 8u202 --path "$F/jdk.tar.gz"
check_fail "addPatch" 0 "Successfully added to cache. 29135930_12.2.1.3.190416=$F/p29135930.zip" \
  "$WLSIMG" cache addPatch --patchId 29135930_12.2.1.3.190416 --path "$F/p29135930.zip"
check_fail "addPatch bad id" 1 "Invalid patch id" "$WLSIMG" cache addPatch --patchId 123_4 --path "$F/p29135930.zip"
check_fail "addEntry lower-cases the key" 0 "Added entry my_key=some:value" \
  "$WLSIMG" cache addEntry --key My_Key --value "some:value"
check_fail "addEntry replace" 0 "replaced old value some:value" \
  "$WLSIMG" cache addEntry --key my_key --value "other value"

# sorted listing, whole-key regex
check "listItems" "$WLSIMG" cache listItems
check_eq "listing sorted" "$(cat "$T_DIR/last.out")" "Cache contents
29135930_12.2.1.3.190416=$F/p29135930.zip
jdk_8u202=$F/jdk.tar.gz
my_key=other value
wdt_latest=$F/weblogic-deploy.zip
wdt_latest_arm64=$F/wdt arm64.zip"
check "listItems --key" "$WLSIMG" cache listItems --key 'wdt_.*'
check_eq "regex matches whole keys" "$(grep -c = "$T_DIR/last.out")" 2

# The .metadata file is WIT's Properties.store format; Java's reading of it (escapes undone) gives our values.
M="$WLSIMG_CACHEDIR/.metadata"
check "metadata header" grep -qE '^#changed on:[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+$' "$M"
check_eq "second line is a date comment" "$(sed -n 2p "$M" | cut -c1)" "#"
check "addEntry with separators in the value" "$WLSIMG" cache addEntry --key sep --value 'a:b=c#d'
check "separators escaped as Properties.store does" grep -qxF 'sep=a\:b\=c\#d' "$M"
check "deleteEntry sep" "$WLSIMG" cache deleteEntry --key sep
check "space in a value kept" grep -qxF "wdt_latest_arm64=$F/wdt arm64.zip" "$M"
python3 - "$M" > "$T_DIR/java-read.txt" << 'PY'
# a minimal java.util.Properties.load: enough to check the escaping round trip
import sys, re
out = {}
text = open(sys.argv[1], encoding='latin-1').read()
lines = re.sub(r'\\\n[ \t\f]*', '', text).split('\n')
for l in lines:
    l = l.lstrip(' \t\f')
    if not l or l[0] in '#!':
        continue
    k, i, esc = '', 0, False
    while i < len(l):
        c = l[i]
        if c == '\\':
            i += 1; k += {'t': '\t', 'n': '\n', 'r': '\r', 'f': '\f'}.get(l[i], l[i]); i += 1; continue
        if c in '=: \t':
            break
        k += c; i += 1
    v = l[i:].lstrip(' \t').lstrip('=:').lstrip(' \t')
    v = re.sub(r'\\(.)', lambda m: {'t': '\t', 'n': '\n'}.get(m.group(1), m.group(1)), v)
    out[k] = v
for k in sorted(out):
    print('%s=%s' % (k, out[k]))
PY
check_eq "a Properties reader gets the same entries" "$(cat "$T_DIR/java-read.txt")" "$("$WLSIMG" cache listItems | tail -n +2)"
check "checksums recorded beside .metadata" grep -q 'weblogic-deploy.zip=sha256\\:' "$WLSIMG_CACHEDIR/.wlsimg-checksums"

# deleteEntry
check_fail "deleteEntry" 0 "Deleted entry my_key=other value" "$WLSIMG" cache deleteEntry --key MY_KEY
check_fail "deleteEntry absent" 0 "Nothing to delete for key: my_key" "$WLSIMG" cache deleteEntry --key my_key
check "files are never deleted" test -f "$F/jdk.tar.gz"

# A WIT-written .metadata (hand-written here: unsorted, escapes, comments, ':' separator, continuation)
cat > "$M" << EOF
#changed on:2026-05-13T10:15:30.123
#Wed May 13 10:15:30 UTC 2026
wls_14.1.2.0.0_arm64=$F/missing.zip
! a comment
jdk_8u291 : $F/jdk.tar.gz
wdt_latest_amd64=$F/weblogic-\\
    deploy.zip
28186730_13.9.4.2.5=$F/p29135930.zip
EOF
check "WIT .metadata listed" "$WLSIMG" cache listItems
check_eq "hand-written entries read" "$(cat "$T_DIR/last.out")" "Cache contents
28186730_13.9.4.2.5=$F/p29135930.zip
jdk_8u291=$F/jdk.tar.gz
wdt_latest_amd64=$F/weblogic-deploy.zip
wls_14.1.2.0.0_arm64=$F/missing.zip"
# the lookup order picks wdt_latest_amd64 for linux/amd64
check "createAuxImage finds wdt_latest_amd64 in the WIT cache" \
  "$WLSIMG" createAuxImage --tag x:1 --wdtModel "$F/m.yaml" --platform linux/amd64 --dryRun
cp "$T_DIR/last.out" "$T_DIR/dry.out"
check "installer in the Dockerfile" grep -qF 'COPY --chown=oracle:oracle ["weblogic-deploy.zip", "/tmp/imagetool/"]' "$T_DIR/dry.out"
check_fail "linux/arm64 has no entry" 1 'Installer with key="wdt_latest_arm64" is not in the local cache' \
  "$WLSIMG" createAuxImage --tag x:1 --wdtModel "$F/m.yaml" --platform linux/arm64 --dryRun
check "adding keeps WIT's entries" "$WLSIMG" cache addInstaller --type wdt --version latest --architecture arm64 --path "$F/wdt arm64.zip"
check_eq "entries after add" "$("$WLSIMG" cache listItems | wc -l)" 6
check_fail "deleteAll4Sure" 0 "[INFO   ]" "$WLSIMG" cache deleteEntry --key deleteall4sure
check_fail "empty again" 0 "cache is empty" "$WLSIMG" cache listItems
check_fail "unknown cache command" 2 "unknown command" "$WLSIMG" cache nope
finish
