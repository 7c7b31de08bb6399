#!/usr/bin/env bash
# An engine build of `update` with real buildah (vfs storage, chroot isolation, private --root/--runroot passed
# through WLSIMG_BUILDER_OPTS): a busybox-based image with ORACLE_HOME made with `wlsimg import`, a model-only WDT
# layer from a WDT-like zip in the WIT cache and a RUN from --additionalBuildCommands. Checks the build context
# (Dockerfile, the installer hard-linked from the cache, not copied), the FROM image handed from the store to
# buildah, the result imported back into the store under --tag, its files, ENV, USER and label.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
need python3
if ! command -v buildah > /dev/null || [ "$(id -u)" -ne 0 ]; then
  echo "ok - # SKIP engine build (needs buildah and root)"
  echo "1 passed, 0 failed"
  exit 0
fi
export WLSIMG_CACHEDIR="$T_DIR/cache" WLSIMG_BLDDIR="$T_DIR/bld" BUILDAH_ISOLATION=chroot
export WLSIMG_BUILDER_OPTS="--root $T_DIR/broot --runroot $T_DIR/brun --storage-driver vfs"
mkdir -p "$WLSIMG_BLDDIR" "$T_DIR/in"
cd "$T_DIR/in" || exit 1
# buildah push insists on an existing DOCKER_CONFIG file when that variable is set
mkdir -p "$DOCKER_CONFIG" && echo '{}' > "$DOCKER_CONFIG/config.json"

# ---- a busybox base with /u01 and the Oracle Home owned by oracle (1000:1000) ----
R="$T_DIR/root"
mkdir -p "$R/bin" "$R/etc" "$R/tmp" "$R/u01/oracle"
bb=$(command -v busybox)
cp "$bb" "$R/bin/busybox"
for lib in $(ldd "$bb" 2> /dev/null | grep -o '/[^ ]*'); do mkdir -p "$R$(dirname "$lib")"; cp -L "$lib" "$R$lib"; done
for a in sh echo mkdir chown chmod cat ls id test rm unzip dirname cp; do ln -sf busybox "$R/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\noracle:x:1000:1000::/u01:/bin/sh\n' > "$R/etc/passwd"
printf 'root:x:0:\noracle:x:1000:\n' > "$R/etc/group"
chmod 1777 "$R/tmp"
# /u01 belongs to oracle, as in the images WIT's create makes (chown oracle:oracle /u01)
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$R" -cf "$T_DIR/base.tar" --exclude=./u01 .
tar --mtime=@0 --owner=1000 --group=1000 --numeric-owner -C "$R" -rf "$T_DIR/base.tar" ./u01
check "import the base" "$WLSIMG" import -c 'ENV ORACLE_HOME=/u01/oracle' -c 'ENV PATH=/bin' "$T_DIR/base.tar" wlsbb:1
python3 - << 'PY'
import zipfile
with zipfile.ZipFile('weblogic-deploy.zip', 'w') as z:  # a WDT-like installer (stand-in: nothing in it runs)
    z.writestr('weblogic-deploy/VERSION.txt', '4.3.1\n')
    z.writestr('weblogic-deploy/bin/createDomain.sh', '#!/bin/sh\n')
PY
check "cache addInstaller wdt" "$WLSIMG" cache addInstaller --type wdt --version latest --path weblogic-deploy.zip
printf 'DOMAIN_UID=d1\n' > vars.properties
printf '[final-build-commands]\nRUN echo built-by-{{userid}} > {{{oracle_home}}}/engine.txt\n' > abc.txt
printf 'image: {{imageName}}\ndomainHome: {{domainHome}}\nsource: {{domainHomeSourceType}}\nmodels: "{{modelHome}}"\n' > domain.yaml

# ---- the build ----
check "update with buildah" "$WLSIMG" update --tag wls:2 --fromImage wlsbb:1 --builder buildah --wdtModelOnly \
  --wdtVariables vars.properties --additionalBuildCommands abc.txt --skipcleanup --resourceTemplates domain.yaml
cp "$T_DIR/last.out" "$T_DIR/build.out"
check "the engine's output went to stdout" grep -q 'COMMIT wls:2' "$T_DIR/build.out"
check_eq "the image digest is the last line" "$(tail -1 "$T_DIR/build.out" | grep -cE '^sha256:[0-9a-f]{64}$')" 1
CTX=$(ls -d "$WLSIMG_BLDDIR"/wlsimgbuilder_temp*)
check "--skipcleanup kept the context" test -f "$CTX/Dockerfile"
check_eq "the installer is a hard link of the cached file" "$(stat -c %i "$CTX/weblogic-deploy.zip")" "$(stat -c %i weblogic-deploy.zip)"
check "the Dockerfile's FROM is the store's image" grep -q '^FROM wlsbb:1 AS final_build' "$CTX/Dockerfile"
check "the result is in the store" "$WLSIMG" copy wls:2 oci:"$T_DIR/out":img
check "inspect the result (static probe)" "$WLSIMG" inspect --image wls:2
check_eq "probe: WDT home and model home" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["wdtHome"], d["wdtModelHome"], d["wdtVersion"], d["domainHome"])' "$T_DIR/last.out")" \
  "/u01/wdt /u01/wdt/models 4.3.1 /u01/domains/base_domain"
# a file of the image: from the layers of the OCI layout, top first
file_of() {
  python3 - "$T_DIR/out" "$1" << 'PY'
import json, sys, tarfile
lay, want = sys.argv[1:3]
blob = lambda d: '%s/blobs/%s' % (lay, d.replace(':', '/'))
m = json.load(open(blob(json.load(open(lay + '/index.json'))['manifests'][0]['digest'])))
for l in reversed(m['layers']):
    with tarfile.open(blob(l['digest'])) as t:
        for e in t:
            if e.name.lstrip('./') == want:
                print('%o %d:%d %s' % (e.mode & 0o7777, e.uid, e.gid, t.extractfile(e).read().decode().strip() if e.isfile() else '')); sys.exit(0)
PY
}
check_eq "RUN of the additional build commands ran, with {{userid}} rendered" "$(file_of u01/oracle/engine.txt | cut -d' ' -f3)" "built-by-oracle"
check_eq "variables file in the model home, owned by oracle" "$(file_of u01/wdt/models/vars.properties | cut -d' ' -f2)" "1000:1000"
check_eq "WDT unzipped by the engine" "$(file_of u01/wdt/weblogic-deploy/VERSION.txt | cut -d' ' -f3)" "4.3.1"
CFG=$(python3 -c 'import json,sys; lay=sys.argv[1]; b=lambda d: lay+"/blobs/"+d.replace(":","/"); m=json.load(open(b(json.load(open(lay+"/index.json"))["manifests"][0]["digest"]))); print(json.dumps(json.load(open(b(m["config"]["digest"])))["config"]))' "$T_DIR/out")
check_eq "USER is the Oracle Home's owner" "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["User"])' "$CFG")" "oracle"
check "ENV OPATCH_NO_FUSER, WDT_MODEL_HOME" python3 -c 'import json,sys; e=json.loads(sys.argv[1])["Env"]; assert "OPATCH_NO_FUSER=true" in e and "WDT_MODEL_HOME=/u01/wdt/models" in e and "PATH=/bin:/u01/domains/base_domain/bin" in e, e' "$CFG"
check "build id label" python3 -c 'import json,sys,re; l=json.loads(sys.argv[1])["Labels"]["com.oracle.weblogic.imagetool.buildid"]; assert re.match(r"^[0-9a-f-]{36}$", l), l' "$CFG"
check_eq "--resourceTemplates resolved after the build" "$(tr '\n' '|' < domain.yaml)" \
  'image: wls:2|domainHome: /u01/domains/base_domain|source: FromModel|models: ""|'
# ---- a failing RUN: the engine's status in the error, nothing named ----
printf '[final-build-commands]\nRUN exit 3\n' > fail.txt
check_fail "a failing build" 1 "Build command failed with error: buildah exited with status" \
  "$WLSIMG" update --tag wls:bad --fromImage wlsbb:1 --builder buildah --additionalBuildCommands fail.txt
check_eq "nothing named after the failure" "$("$WLSIMG" images | grep -c bad)" 0
finish
