#!/usr/bin/env bash
# createAuxImage end to end: offline busybox base, WDT-like installer in a WIT cache, native build, push to
# docker-registry, skopeo copy to oci:, umoci unpack, every file/mode/owner/ENV/USER/WORKDIR checked, an
# operator-like copy as uid 1000 with the image's own busybox, reproducible digests, multi-arch index,
# --dryRun text, and the bad-input errors.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
need skopeo
need umoci
need jq
need python3
ROOT=$(cd "$T_HERE/../.." && pwd)
export WLSIMG_CACHEDIR="$T_DIR/cache" SOURCE_DATE_EPOCH=0
FX="$T_DIR/fx"
mkdir -p "$FX"

# ---- fixtures: installer, archive, model, variables ----
"$ROOT/examples/make-fixtures.sh" "$FX" 4.3.1 > /dev/null
cp "$ROOT/examples/model.yaml" "$ROOT/examples/model.properties" "$FX/"

# ---- a busybox base image (from the host's busybox and the libraries it needs), amd64 + arm64 ----
# make_base DIR: OCI layout with tag "busybox" = an index over linux/amd64 and linux/arm64 (same rootfs; the
# arm64 one only has to look like an arm64 image for the multi-platform build).
make_base() { # DIR [with-oracle]
  local lay=$1 r="$T_DIR/rootfs-$2" w="$T_DIR/basew-$2" bb lib d ld ls
  mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/home" "$r/root" "$w" "$lay/blobs/sha256"
  bb=$(command -v busybox)
  cp "$bb" "$r/bin/busybox"
  # the shared libraries of a dynamic busybox (nothing to do for busybox-static)
  for lib in $(ldd "$bb" 2> /dev/null | grep -o '/[^ ]*'); do
    mkdir -p "$r$(dirname "$lib")"
    cp -L "$lib" "$r$lib"
  done
  for a in sh cp ls mkdir touch rm tr date basename dirname sed id cat env stat find grep unzip tar chown chmod \
    test echo; do ln -sf busybox "$r/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$r/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' > "$r/etc/group"
  if [ "$2" = with-oracle ]; then # Debian's busybox has no adduser: give the engine build its user
    echo "oracle:x:1000:1000:Linux User,,,:/home/${U:-oracle}:/bin/sh" >> "$r/etc/passwd"
    echo 'oracle:x:1000:' >> "$r/etc/group"
  fi
  printf 'root:*:19000:0:99999:7:::\n' > "$r/etc/shadow"
  chmod 0640 "$r/etc/shadow"
  chmod 1777 "$r/tmp"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$r" -cf "$w/layer.tar" .
  gzip -n -c "$w/layer.tar" > "$w/layer.tar.gz"
  d=$(sha256sum "$w/layer.tar" | cut -d' ' -f1)
  ld=$(sha256sum "$w/layer.tar.gz" | cut -d' ' -f1)
  ls=$(stat -c %s "$w/layer.tar.gz")
  cp "$w/layer.tar.gz" "$lay/blobs/sha256/$ld"
  local idx='' arch cd cs md ms
  for arch in amd64 arm64; do
    printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"test base"}]}' \
      "$arch" "$d" > "$w/config.json"
    cd=$(sha256sum "$w/config.json" | cut -d' ' -f1); cs=$(stat -c %s "$w/config.json")
    cp "$w/config.json" "$lay/blobs/sha256/$cd"
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
      "$cd" "$cs" "$ld" "$ls" > "$w/manifest.json"
    md=$(sha256sum "$w/manifest.json" | cut -d' ' -f1); ms=$(stat -c %s "$w/manifest.json")
    cp "$w/manifest.json" "$lay/blobs/sha256/$md"
    idx="$idx${idx:+,}{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:$md\",\"size\":$ms,\"platform\":{\"architecture\":\"$arch\",\"os\":\"linux\"}}"
  done
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' "$idx" > "$w/index.json"
  md=$(sha256sum "$w/index.json" | cut -d' ' -f1); ms=$(stat -c %s "$w/index.json")
  cp "$w/index.json" "$lay/blobs/sha256/$md"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$lay/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"busybox"}}]}' \
    "$md" "$ms" > "$lay/index.json"
}
make_base "$T_DIR/base" plain
make_base "$T_DIR/base-oracle" with-oracle
start_registry none
REG=$REG_ADDR
check "base image pushed to the registry (skopeo)" \
  skopeo copy "${SKOPEO_FLAGS[@]}" --all --dest-tls-verify=false oci:"$T_DIR/base":busybox docker://"$REG"/library/busybox:latest
check "base with an oracle user pushed" \
  skopeo copy "${SKOPEO_FLAGS[@]}" --all --dest-tls-verify=false oci:"$T_DIR/base-oracle":busybox docker://"$REG"/library/busybox-oracle:latest
check "default base busybox:latest in the store" "$WLSIMG" copy docker://"$REG"/library/busybox:latest busybox:latest

# ---- cache ----
check "cache addInstaller wdt latest" "$WLSIMG" cache addInstaller --type wdt --version latest --path "$FX/weblogic-deploy.zip"

cd "$FX" || exit 1
AUX=(--wdtModel model.yaml --wdtArchive archive.zip --wdtVariables model.properties)

# ---- dry run: WIT's Dockerfile between the banners, nothing built ----
"$WLSIMG" createAuxImage --tag "$REG/test/aux:1" "${AUX[@]}" --dryRun > "$T_DIR/dry.out" 2> "$T_DIR/dry.err"
check_eq "dryRun exit 0" "$?" 0
check_eq "dryRun first line" "$(head -1 "$T_DIR/dry.out")" "########## BEGIN DOCKERFILE ##########"
check_eq "dryRun last line" "$(tail -1 "$T_DIR/dry.out")" "########## END DOCKERFILE ##########"
python3 "$ROOT/tests/wit-normalize.py" "$T_DIR/dry.out" > "$T_DIR/dry.df"
check "dryRun Dockerfile equals WIT's (normalised, wit-compat 5.4)" diff -u "$T_HERE/data/wit/aux_default.dockerfile" "$T_DIR/dry.df"
check "dryRun says so" grep -qF '[INFO   ] Dry run complete.  No image created.' "$T_DIR/dry.err"
check_eq "dryRun left nothing in the store" "$("$WLSIMG" images 2> /dev/null | grep -c test/aux)" 0

# "mode uid gid" of a path: from the unpacked rootfs when root (umoci keeps owners), else from the layers
# of the OCI layout (top layer first) read with python's tarfile.
UNPACK=(umoci unpack)
[ "$(id -u)" -eq 0 ] || UNPACK=(umoci unpack --rootless)
meta() { # PATH (relative)
  if [ "$(id -u)" -eq 0 ]; then stat -c '%a %u %g' "$RF/$1" 2> /dev/null; return; fi
  python3 - "$LAYOUT" "$TAG" "$1" << 'PY'
import json, sys, tarfile
lay, tag, want = sys.argv[1:4]
blob = lambda d: '%s/blobs/%s' % (lay, d.replace(':', '/'))
idx = json.load(open(lay + '/index.json'))
m = [x for x in idx['manifests'] if x.get('annotations', {}).get('org.opencontainers.image.ref.name') == tag][0]
man = json.load(open(blob(m['digest'])))
for l in reversed(man['layers']):
    with tarfile.open(blob(l['digest'])) as t:
        for e in t:
            if e.name.lstrip('./').rstrip('/') == want:
                print('%o %d %d' % (e.mode & 0o7777, e.uid, e.gid)); sys.exit(0)
PY
}
# ---- build + push ----
check "createAuxImage --push" "$WLSIMG" createAuxImage --tag "$REG/test/aux:1" "${AUX[@]}" --push --tls-verify=false
D1=$(tail -1 "$T_DIR/last.out")
check "createAuxImage into the store" "$WLSIMG" createAuxImage --tag "$REG/test/aux:2" "${AUX[@]}"
D2=$(tail -1 "$T_DIR/last.out")
check "rebuild" "$WLSIMG" createAuxImage --tag "$REG/test/aux:2" "${AUX[@]}"
check_eq "two builds give the same digest" "$(tail -1 "$T_DIR/last.out")" "$D2"
check_eq "pushed digest equals stored digest" "$D1" "$D2"
# the base's user database is cached per layer set; a damaged entry is read again from the layers
check_eq "base /etc cached in the store" "$(find "$WLSIMG_STORE/cache/etc" -name '*.json' | wc -l)" 1
for f in "$WLSIMG_STORE"/cache/etc/*.json; do printf '{"passwd":' > "$f"; done
check "rebuild with a damaged /etc cache entry" "$WLSIMG" createAuxImage --tag "$REG/test/aux:2" "${AUX[@]}"
check_eq "same digest without the cache" "$(tail -1 "$T_DIR/last.out")" "$D2"
check_eq "cache entry rewritten" "$(jq -r .passwd_mode "$WLSIMG_STORE"/cache/etc/*.json)" 420
# the build id comes from the content: a changed model file gives another one
bid() { grep -o 'Image Tool build ID: .*' "$T_DIR/last.err"; }
BID=$(bid)
cp model.yaml "$T_DIR/model-orig.yaml"
printf '\n# changed\n' >> model.yaml
check "build with a changed model" "$WLSIMG" createAuxImage --tag "$REG/test/aux:3" "${AUX[@]}"
check "build id logged" test -n "$(bid)"
check "changed model, other build id" test "$(bid)" != "$BID"
cp "$T_DIR/model-orig.yaml" model.yaml
check "build with the model restored" "$WLSIMG" createAuxImage --tag "$REG/test/aux:3" "${AUX[@]}"
check_eq "restored model, same build id" "$(bid)" "$BID"
check_eq "restored model, same digest" "$(tail -1 "$T_DIR/last.out")" "$D2"
check "skopeo copies the pushed image to oci:" \
  skopeo copy "${SKOPEO_FLAGS[@]}" --src-tls-verify=false docker://"$REG"/test/aux:1 oci:"$T_DIR/aux-oci":aux
check "umoci unpacks it" "${UNPACK[@]}" --image "$T_DIR/aux-oci":aux "$T_DIR/bundle"
LAYOUT="$T_DIR/aux-oci" TAG=aux
RF="$T_DIR/bundle/rootfs"
CFG=$(skopeo inspect "${SKOPEO_FLAGS[@]}" --config oci:"$T_DIR/aux-oci":aux)
check_eq "ENV AUXILIARY_IMAGE_PATH" "$(jq -r '.config.Env[]' <<< "$CFG" | grep ^AUXILIARY_IMAGE_PATH=)" "AUXILIARY_IMAGE_PATH=/auxiliary"
check_eq "ENV WDT_HOME" "$(jq -r '.config.Env[]' <<< "$CFG" | grep ^WDT_HOME=)" "WDT_HOME=/auxiliary"
check_eq "ENV WDT_MODEL_HOME" "$(jq -r '.config.Env[]' <<< "$CFG" | grep ^WDT_MODEL_HOME=)" "WDT_MODEL_HOME=/auxiliary/models"
check_eq "base ENV kept" "$(jq -r '.config.Env[]' <<< "$CFG" | grep ^PATH=)" "PATH=/bin"
check_eq "USER" "$(jq -r .config.User <<< "$CFG")" "oracle"
check_eq "WORKDIR" "$(jq -r .config.WorkingDir <<< "$CFG")" "/auxiliary"
check_eq "CMD inherited" "$(jq -c .config.Cmd <<< "$CFG")" '["sh"]'
check_eq "buildid label" "$(jq -r '.config.Labels["com.oracle.weblogic.imagetool.buildid"]' <<< "$CFG" | grep -cE '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')" 1
check_eq "WDT version label" "$(jq -r '.config.Labels["io.github.wlsimg.wdt.version"]' <<< "$CFG")" "4.3.1"
check_eq "created is the epoch" "$(jq -r .created <<< "$CFG")" "1970-01-01T00:00:00Z"
check_eq "two layers" "$(jq '.rootfs.diff_ids | length' <<< "$CFG")" 2

U=oracle
check_eq "/etc/passwd gets oracle with uid 1000" "$(grep ^oracle: "$RF/etc/passwd")" "oracle:x:1000:1000:Linux User,,,:/home/$U:/bin/sh"
check_eq "/etc/group gets oracle with gid 1000" "$(grep ^oracle: "$RF/etc/group")" "oracle:x:1000:"
check_eq "/etc/shadow gets oracle" "$(grep -c '^oracle:!:' "$RF/etc/shadow")" 1
check_eq "/auxiliary" "$(meta auxiliary)" "755 1000 1000"
check_eq "/auxiliary/models" "$(meta auxiliary/models)" "755 1000 1000"
check_eq "/auxiliary/weblogic-deploy" "$(meta auxiliary/weblogic-deploy)" "750 1000 1000"
check_eq "createDomain.sh keeps 0750" "$(meta auxiliary/weblogic-deploy/bin/createDomain.sh)" "750 1000 1000"
check_eq "VERSION.txt" "$(meta auxiliary/weblogic-deploy/VERSION.txt)" "640 1000 1000"
check_eq "VERSION.txt content" "$(cat "$RF/auxiliary/weblogic-deploy/VERSION.txt")" "4.3.1"
for f in model.yaml archive.zip model.properties; do
  check_eq "models/$f 0640 oracle:oracle" "$(meta "auxiliary/models/$f")" "640 1000 1000"
  check "models/$f content" cmp "$RF/auxiliary/models/$f" "$FX/$f"
done
check_eq "home directory of oracle" "$(meta home/oracle)" "755 1000 1000"
check_eq "WDT files (count)" "$(cd "$RF/auxiliary/weblogic-deploy" && find . -type f | wc -l)" \
  "$(unzip -Z1 "$FX/weblogic-deploy.zip" | grep -vc '/$')"
check "base busybox kept" test -x "$RF/bin/busybox"

# ---- an operator-like step: as uid 1000, the image's own sh copies the auxiliary directory ----
if [ "$(id -u)" -eq 0 ] && command -v chroot > /dev/null; then
  mkdir -p "$RF/tmp"
  chmod 1777 "$RF/tmp"
  check "uid 1000: cp -R /auxiliary/models with the image's busybox sh" \
    chroot --userspec=1000:1000 "$RF" /bin/sh -c 'cp -R /auxiliary/models /tmp/x && cp -R /auxiliary/weblogic-deploy /tmp/y && ls /tmp/x/model.yaml /tmp/y/bin/createDomain.sh'
  check_eq "copied files" "$(ls "$RF/tmp/x" | sort | tr '\n' ' ')" "archive.zip model.properties model.yaml "
else
  echo "ok - # SKIP chroot copy as uid 1000 (needs root)"
fi

# ---- --chown numeric, --target OpenShift ----
check "numeric --chown 1000:0 with --target OpenShift" \
  "$WLSIMG" createAuxImage --tag "$REG/test/aux:os" "${AUX[@]}" --chown 1000:0 --target OpenShift --push --tls-verify=false
check "skopeo copy OpenShift image" \
  skopeo copy "${SKOPEO_FLAGS[@]}" --src-tls-verify=false docker://"$REG"/test/aux:os oci:"$T_DIR/aux-oci":os
check "umoci unpack OpenShift image" "${UNPACK[@]}" --image "$T_DIR/aux-oci":os "$T_DIR/bundle-os"
RF="$T_DIR/bundle-os/rootfs" TAG=os
# WIT's aux Dockerfile only makes the default group root for OpenShift: modes stay as without it
check_eq "OpenShift: model file 0640 1000:0" "$(meta auxiliary/models/model.yaml)" "640 1000 0"
check_eq "OpenShift: WDT script keeps its mode" "$(meta auxiliary/weblogic-deploy/bin/createDomain.sh)" "750 1000 0"
check_eq "OpenShift: /auxiliary 0755" "$(meta auxiliary)" "755 1000 0"
check_eq "numeric chown adds no user" "$(grep -c oracle "$T_DIR/bundle-os/rootfs/etc/passwd")" 0
check_eq "USER 1000" "$(skopeo inspect "${SKOPEO_FLAGS[@]}" --config oci:"$T_DIR/aux-oci":os | jq -r .config.User)" "1000"

# ---- multi-platform: one image per platform on that platform's base, and an index ----
check "createAuxImage --platform linux/amd64,linux/arm64 --push" \
  "$WLSIMG" createAuxImage --tag "$REG/test/aux:multi" --fromImage "$REG/library/busybox:latest" --tls-verify=false \
  --platform linux/amd64,linux/arm64 "${AUX[@]}" --push
RAW=$(skopeo inspect "${SKOPEO_FLAGS[@]}" --tls-verify=false --raw docker://"$REG"/test/aux:multi)
check_eq "index media type" "$(jq -r .mediaType <<< "$RAW")" "application/vnd.oci.image.index.v1+json"
check_eq "index platforms" "$(jq -r '[.manifests[].platform.architecture] | join(",")' <<< "$RAW")" "amd64,arm64"
ARM_CFG=$(skopeo inspect "${SKOPEO_FLAGS[@]}" --tls-verify=false --override-arch arm64 --config docker://"$REG"/test/aux:multi)
check_eq "arm64 image config" "$(jq -r .architecture <<< "$ARM_CFG")" "arm64"
check_eq "arm64 image USER" "$(jq -r .config.User <<< "$ARM_CFG")" "oracle"
check "multi-platform rebuild is reproducible" "$WLSIMG" createAuxImage --tag "$REG/test/aux:multi" \
  --fromImage "$REG/library/busybox:latest" --tls-verify=false --platform linux/amd64,linux/arm64 "${AUX[@]}" --push
check_eq "same index digest" "$(tail -1 "$T_DIR/last.out")" "sha256:$(printf '%s' "$RAW" | sha256sum | cut -d' ' -f1)"

# ---- inspect (static) ----
check "inspect the built image" "$WLSIMG" inspect --image "$REG/test/aux:2"
check_eq "inspect wdtVersion" "$(jq -r .wdtVersion "$T_DIR/last.out")" "4.3.1"
check_eq "inspect wdtHome" "$(jq -r .wdtHome "$T_DIR/last.out")" "/auxiliary"
check_eq "inspect wdtModelHome" "$(jq -r .wdtModelHome "$T_DIR/last.out")" "/auxiliary/models"
check_eq "inspect os.id" "$(jq -r .os.id "$T_DIR/last.out")" "bb"
check_eq "inspect packageManager" "$(jq -r .packageManager "$T_DIR/last.out")" "NONE"

# ---- additional build commands handled natively (COPY of --additionalBuildFiles, ENV, LABEL, WORKDIR) ----
mkdir -p "$T_DIR/extra/conf" "$T_DIR/extra/tarsrc/lib"
echo "extra" > "$T_DIR/extra/conf/extra.txt"
echo "in a tar" > "$T_DIR/extra/tarsrc/lib/t.txt"
tar -C "$T_DIR/extra/tarsrc" -czf "$T_DIR/extra/bundle.tar.gz" lib
cat > "$T_DIR/abc.txt" << 'EOF2'
[final-build-commands]
ENV EXTRA_HOME={{wdt_home}}/extra
LABEL org.example.team=wls
COPY --chown=oracle:oracle files/conf /auxiliary/extra/
ADD --chown=1000:1000 files/bundle.tar.gz /auxiliary/unpacked/
WORKDIR /auxiliary/extra
EOF2
check "createAuxImage with additional build commands" "$WLSIMG" createAuxImage --tag "$REG/test/aux:abc" "${AUX[@]}" \
  --additionalBuildCommands "$T_DIR/abc.txt" --additionalBuildFiles "$T_DIR/extra/conf,$T_DIR/extra/bundle.tar.gz" --push --tls-verify=false
check "skopeo copy abc image" skopeo copy "${SKOPEO_FLAGS[@]}" --src-tls-verify=false docker://"$REG"/test/aux:abc oci:"$T_DIR/aux-oci":abc
check "umoci unpack abc image" "${UNPACK[@]}" --image "$T_DIR/aux-oci":abc "$T_DIR/bundle-abc"
RF="$T_DIR/bundle-abc/rootfs" TAG=abc
CFG=$(skopeo inspect "${SKOPEO_FLAGS[@]}" --config oci:"$T_DIR/aux-oci":abc)
check_eq "ENV from final-build-commands (template rendered)" "$(jq -r '.config.Env[]' <<< "$CFG" | grep ^EXTRA_HOME=)" "EXTRA_HOME=/auxiliary/extra"
check_eq "LABEL from final-build-commands" "$(jq -r '.config.Labels["org.example.team"]' <<< "$CFG")" "wls"
check_eq "WORKDIR from final-build-commands" "$(jq -r .config.WorkingDir <<< "$CFG")" "/auxiliary/extra"
check_eq "COPY --chown of an additional build file" "$(meta auxiliary/extra/extra.txt)" "644 1000 1000"
check_eq "copied content" "$(cat "$RF/auxiliary/extra/extra.txt")" "extra"
check_eq "ADD unpacks a local tar" "$(cat "$RF/auxiliary/unpacked/lib/t.txt")" "in a tar"
check_eq "ADD --chown numeric" "$(meta auxiliary/unpacked/lib/t.txt)" "644 1000 1000"
printf '[final-build-commands]\nRUN echo hi\n' > "$T_DIR/run.txt"
check_fail "RUN needs an engine: clear error when it is missing" 1 "the builder no-such-engine is not installed" \
  "$WLSIMG" createAuxImage --tag bad:1 --wdtModel model.yaml --additionalBuildCommands "$T_DIR/run.txt" --builder no-such-engine
printf '[final-build-command]\nENV A=1\n' > "$T_DIR/badsec.txt"
check_fail "bad section name (IMG-0014)" 1 "Additional build command section, [final-build-command], was not one of the valid sections: package-manager-packages," \
  "$WLSIMG" createAuxImage --tag bad:1 --wdtModel model.yaml --additionalBuildCommands "$T_DIR/badsec.txt"

# ---- RUN in the additional build commands: the engine builds it, the result lands in the store ----
if command -v buildah > /dev/null && [ "$(id -u)" -eq 0 ]; then
  # buildah push insists on an existing DOCKER_CONFIG file when that variable is set
  [ -f "$DOCKER_CONFIG/config.json" ] || { mkdir -p "$DOCKER_CONFIG" && echo '{}' > "$DOCKER_CONFIG/config.json"; }
  printf '[final-build-commands]\nUSER root\nRUN echo built-by-engine > /auxiliary/engine.txt\nUSER oracle\n' > "$T_DIR/run-ok.txt"
  check "createAuxImage with RUN via --builder buildah" env STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot \
    "$WLSIMG" createAuxImage --tag "$REG/test/eng:1" --fromImage "$REG/library/busybox-oracle:latest" "${AUX[@]}" \
    --additionalBuildCommands "$T_DIR/run-ok.txt" --builder buildah -- --tls-verify=false
  check "engine-built image is in the store" "$WLSIMG" copy "$REG/test/eng:1" oci:"$T_DIR/eng-oci":eng
  check "umoci unpack engine image" "${UNPACK[@]}" --image "$T_DIR/eng-oci":eng "$T_DIR/bundle-eng"
  check_eq "RUN output in the image" "$(cat "$T_DIR/bundle-eng/rootfs/auxiliary/engine.txt" 2> /dev/null)" "built-by-engine"
  check_eq "WDT installed by the engine" "$(cat "$T_DIR/bundle-eng/rootfs/auxiliary/weblogic-deploy/VERSION.txt" 2> /dev/null)" "4.3.1"
  check_eq "model file 640 by the engine" "$(stat -c %a "$T_DIR/bundle-eng/rootfs/auxiliary/models/model.yaml" 2> /dev/null)" "640"
  # the docker path (build, then `docker save` into a docker-archive), with a docker stand-in over buildah
  mkdir -p "$T_DIR/fakebin"
  cat > "$T_DIR/fakebin/docker" << 'EOF2'
#!/bin/sh
# docker stand-in for the test: build and save through buildah
case "$1" in
build)
  shift
  for a in "$@"; do shift; [ "$a" = --force-rm ] || set -- "$@" "$a"; done # buildah has no --force-rm alone
  exec buildah bud "$@" ;;
save) [ "$2" = -o ] && exec buildah push "$4" "docker-archive:$3:$4" ;;
load) [ "$2" = -i ] && exec buildah pull -q "docker-archive:$3" ;;
esac
echo "docker stand-in: unsupported: $*" >&2
exit 1
EOF2
  chmod +x "$T_DIR/fakebin/docker"
  check "createAuxImage with RUN via --builder docker (docker save)" env STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot \
    "$WLSIMG" createAuxImage --tag "$REG/test/eng:2" --fromImage "$REG/library/busybox-oracle:latest" "${AUX[@]}" \
    --additionalBuildCommands "$T_DIR/run-ok.txt" --builder "$T_DIR/fakebin/docker" -- --tls-verify=false
  check "docker-built image is in the store" "$WLSIMG" copy "$REG/test/eng:2" oci:"$T_DIR/eng-oci":eng2
  check "umoci unpack docker-built image" "${UNPACK[@]}" --image "$T_DIR/eng-oci":eng2 "$T_DIR/bundle-eng2"
  check_eq "RUN output in the docker-built image" "$(cat "$T_DIR/bundle-eng2/rootfs/auxiliary/engine.txt" 2> /dev/null)" "built-by-engine"
  STORAGE_DRIVER=vfs buildah rmi -f "$REG/test/eng:1" "$REG/test/eng:2" "$REG/library/busybox-oracle:latest" > /dev/null 2>&1
else
  echo "ok - # SKIP engine build (needs buildah and root)"
fi

# ---- push with credentials (basic auth registry) ----
start_registry basic
check "login to the basic-auth registry" sh -c "printf s3cret | '$WLSIMG' login --tls-verify=false -u alice --password-stdin $REG_ADDR"
check "createAuxImage --push --load with credentials" "$WLSIMG" createAuxImage --tag "$REG_ADDR/test/aux:auth" "${AUX[@]}" \
  --push --load --tls-verify=false
DA=$(tail -1 "$T_DIR/last.out")
check_eq "same image as the unauthenticated push" "$DA" "$D1"
check "--load kept it in the store" sh -c "'$WLSIMG' images | grep -qE 'test/aux +auth '"
check_eq "--push without --load named nothing in the store" "$("$WLSIMG" images | grep -cE 'test/aux +(1|os|multi|abc) ')" 0
check "skopeo reads it back with credentials" skopeo inspect "${SKOPEO_FLAGS[@]}" --tls-verify=false --creds alice:s3cret --raw docker://"$REG_ADDR"/test/aux:auth

# ---- inspect of a WebLogic-like image made with wlsimg import (files only, nothing runs) ----
WR="$T_DIR/wlsroot"
mkdir -p "$WR/etc" "$WR/usr/lib" "$WR/usr/bin" "$WR/u01/jdk" "$WR/u01/oracle/inventory" "$WR/u01/oracle/OPatch"
printf 'NAME="Oracle Linux \\"Server\\""\nVERSION="8.10"\nID="ol"\nVERSION_ID="8.10"\n' > "$WR/usr/lib/os-release"
ln -s ../usr/lib/os-release "$WR/etc/os-release"
printf 'JAVA_VERSION="1.8.0_202"\n' > "$WR/u01/jdk/release"
printf '<registry><distributions><distribution status="installed" name="WebLogic Server" version="12.2.1.4.0"/><distribution status="installed" name="Coherence" version="12.2.1.4.0"/></distributions></registry>\n' \
  > "$WR/u01/oracle/inventory/registry.xml"
printf 'OPATCH_VERSION:13.9.4.2.5\n' > "$WR/u01/oracle/OPatch/version.txt"
printf '#!/bin/sh\n' > "$WR/usr/bin/microdnf"
chmod 755 "$WR/usr/bin/microdnf"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$WR" -cf "$T_DIR/wls.tar" --exclude=./u01/oracle . 
tar --mtime=@0 --owner=1000 --group=1000 --numeric-owner -C "$WR" -rf "$T_DIR/wls.tar" ./u01/oracle
check "import a WebLogic-like image" "$WLSIMG" import -c 'ENV JAVA_HOME=/u01/jdk' -c 'ENV ORACLE_HOME=/u01/oracle' \
  "$T_DIR/wls.tar" wls:test
check "inspect --patches" "$WLSIMG" inspect --image wls:test --patches
cp "$T_DIR/last.out" "$T_DIR/wls.json"
check "inspect prints valid JSON (escaped)" jq -e . "$T_DIR/wls.json"
check_eq "os fields" "$(jq -r '[.os.id, .os.name, .os.version, .os.architecture] | join("|")' "$T_DIR/wls.json")" \
  "ol|Oracle Linux \"Server\"|8.10|$(uname -m)"
check_eq "java" "$(jq -r '[.javaHome, .javaVersion] | join("|")' "$T_DIR/wls.json")" "/u01/jdk|1.8.0_202"
check_eq "weblogic" "$(jq -r '[.oracleHome, .wlsVersion, .oracleInstalledProducts, .opatchVersion] | join("|")' "$T_DIR/wls.json")" \
  "/u01/oracle|12.2.1.4.0|WebLogic Server,Coherence|13.9.4.2.5"
# stat -c %U/%G in an image without /etc/passwd and /etc/group, as WIT's probe sees it
check_eq "oracle home owner" "$(jq -r '[.oracleHomeUser, .oracleHomeGroup] | join(":")' "$T_DIR/wls.json")" "UNKNOWN:UNKNOWN"
check_eq "package manager" "$(jq -r .packageManager "$T_DIR/wls.json")" "MICRODNF"
check_eq "WIT layout: os first, spaced colons" "$(sed -n 2,3p "$T_DIR/wls.json" | tr -d ' \n')" '"oraclePatches":[],"os":{'

# ---- a .tar.gz installer (tar zxf in WIT's Dockerfile), natively unpacked with its modes ----
mkdir -p "$T_DIR/tgz"
(cd "$T_DIR/tgz" && unzip -q "$FX/weblogic-deploy.zip" && tar --sort=name --owner=0 --group=0 -czf "$T_DIR/weblogic-deploy.tar.gz" weblogic-deploy)
check "cache addInstaller tar.gz" "$WLSIMG" cache addInstaller --type wdt --version tgz --path "$T_DIR/weblogic-deploy.tar.gz"
check "dryRun with the tar.gz installer" "$WLSIMG" createAuxImage --tag tgz:1 --wdtModel model.yaml --wdtVersion tgz --dryRun
cp "$T_DIR/last.out" "$T_DIR/tgz.df"
check "tar zxf line" grep -qF 'tar zxf "/tmp/imagetool/weblogic-deploy.tar.gz" -C /auxiliary' "$T_DIR/tgz.df"
check "build with the tar.gz installer" "$WLSIMG" createAuxImage --tag tgz:1 --wdtModel model.yaml --wdtVersion tgz
check "copy tgz image to oci:" "$WLSIMG" copy tgz:1 oci:"$T_DIR/tgz-oci":tgz
check "umoci unpack tgz image" "${UNPACK[@]}" --image "$T_DIR/tgz-oci":tgz "$T_DIR/bundle-tgz"
RF="$T_DIR/bundle-tgz/rootfs" LAYOUT="$T_DIR/tgz-oci" TAG=tgz
check_eq "tar.gz: createDomain.sh 0750" "$(meta auxiliary/weblogic-deploy/bin/createDomain.sh)" "750 1000 1000"
check_eq "tar.gz: VERSION.txt" "$(cat "$RF/auxiliary/weblogic-deploy/VERSION.txt")" "4.3.1"

# ---- a layer of several gzip members (> 4 MiB): valid for umoci, tar and gzip, and reproducible ----
mkdir -p "$T_DIR/big"
"$ROOT/examples/make-fixtures.sh" "$T_DIR/big" 4.3.1 50 9 > /dev/null
check "createAuxImage with a 9 MiB archive" "$WLSIMG" createAuxImage --tag big:1 --wdtArchive "$T_DIR/big/archive.zip" \
  --wdtModel model.yaml
DB=$(tail -1 "$T_DIR/last.out")
check "again" "$WLSIMG" createAuxImage --tag big:1 --wdtArchive "$T_DIR/big/archive.zip" --wdtModel model.yaml
check_eq "same digest" "$(tail -1 "$T_DIR/last.out")" "$DB"
check "copy to oci:" "$WLSIMG" copy big:1 oci:"$T_DIR/big-oci":big
TOP=$(jq -r '.layers[-1].digest' "$T_DIR/big-oci/blobs/sha256/$(jq -r '.manifests[0].digest' "$T_DIR/big-oci/index.json" | cut -d: -f2)" | cut -d: -f2)
check "top layer is valid gzip" gzip -t "$T_DIR/big-oci/blobs/sha256/$TOP"
check_eq "top layer has several gzip members" "$(python3 -c '
import sys, zlib
d = open(sys.argv[1], "rb").read(); n = 0
while d:
    o = zlib.decompressobj(31); o.decompress(d); d = o.unused_data; n += 1
print("yes" if n > 1 else "no")' "$T_DIR/big-oci/blobs/sha256/$TOP")" "yes"
check "umoci unpacks it" "${UNPACK[@]}" --image "$T_DIR/big-oci":big "$T_DIR/bundle-big"
check "archive intact" cmp "$T_DIR/bundle-big/rootfs/auxiliary/models/archive.zip" "$T_DIR/big/archive.zip"

# ---- @argfile (one option or value per line, as WIT's docs show) ----
printf -- '--tag\nargfile:1\n--wdtModel\nmodel.yaml\n--dryRun\n' > "$T_DIR/build.args"
check "createAuxImage @argfile" "$WLSIMG" createAuxImage @"$T_DIR/build.args"
check_eq "argfile dry run printed the Dockerfile" "$(grep -c 'COPY --chown=oracle:oracle \["model.yaml"' "$T_DIR/last.out")" 1

# ---- a uid the operator cannot use gets a warning ----
check_fail "warning for a uid other than 1000" 0 "cannot read them; consider --chown 1000:0" \
  "$WLSIMG" createAuxImage --tag warnuid:1 --wdtModel model.yaml --chown 1001:1001

# ---- bad inputs: message, exit 1, nothing in the store ----
before=$(ls "$WLSIMG_STORE/blobs/sha256" | wc -l)
check_fail "missing model" 1 "WDT model file nope.yaml could not be found." \
  "$WLSIMG" createAuxImage --tag bad:1 --wdtModel nope.yaml
printf 'domainInfo:\n  AdminUserName: x\n bad: [1, 2\n' > "$T_DIR/broken.yaml"
check_fail "invalid YAML names file and line" 1 "broken.yaml: line 3" \
  "$WLSIMG" createAuxImage --tag bad:1 --wdtModel "$T_DIR/broken.yaml"
mkdir -p "$T_DIR/other"
cp model.yaml "$T_DIR/other/model.yaml"
check_fail "duplicate file names" 1 "have the same file name model.yaml" \
  "$WLSIMG" createAuxImage --tag bad:1 --wdtModel "model.yaml,$T_DIR/other/model.yaml"
python3 - "$T_DIR/evil.zip" << 'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    z.writestr('wlsdeploy/../../etc/cron.d/x', 'boom')
PY
check_fail "archive entry escaping" 1 "escapes its directory" \
  "$WLSIMG" createAuxImage --tag bad:1 --wdtArchive "$T_DIR/evil.zip"
check_fail "no inputs with --wdtVersion none" 1 "You must provide at least one of" \
  "$WLSIMG" createAuxImage --tag bad:1 --wdtVersion none
check_fail "installer not in cache" 1 'Installer with key="wdt_9.9.9_amd64" is not in the local cache' \
  "$WLSIMG" createAuxImage --tag bad:1 --wdtModel model.yaml --wdtVersion 9.9.9 --platform linux/amd64
check_fail "bad --chown" 1 "invalid user name Oracle" \
  "$WLSIMG" createAuxImage --tag bad:1 --wdtModel model.yaml --chown Oracle:oracle
check_fail "missing --tag is a usage error" 2 "--tag" "$WLSIMG" createAuxImage --wdtModel model.yaml
check_fail "unknown option is a usage error" 2 "unknown option" "$WLSIMG" createAuxImage --tag x --wdtDomainHome /d
sed 's#sample-app.war#missing-app.war#' model.yaml > "$T_DIR/refs.yaml"
"$WLSIMG" createAuxImage --tag "$REG/test/aux:warn" --wdtModel "$T_DIR/refs.yaml" --wdtArchive archive.zip --dryRun \
  > /dev/null 2> "$T_DIR/warn.err"
check "warning for a model path missing from the archives" grep -qF "[WARNING] $T_DIR/refs.yaml refers to wlsdeploy/applications/missing-app.war" "$T_DIR/warn.err"
cp "$FX/weblogic-deploy.zip" "$T_DIR/wdt-changed.zip"
check "cache addInstaller wdt 1.0" "$WLSIMG" cache addInstaller --type wdt --version 1.0 --path "$T_DIR/wdt-changed.zip"
echo tampered >> "$T_DIR/wdt-changed.zip"
check_fail "changed installer refused" 1 "changed since it was added" \
  "$WLSIMG" createAuxImage --tag bad:1 --wdtModel model.yaml --wdtVersion 1.0
check_eq "failed builds left no blobs" "$(ls "$WLSIMG_STORE/blobs/sha256" | wc -l)" "$before"
check_eq "failed builds left no names" "$("$WLSIMG" images 2> /dev/null | grep -c '^bad')" 0
finish
