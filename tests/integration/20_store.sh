#!/usr/bin/env bash
# The local store and its docker-style commands: import, images, tag, save (checked by skopeo), load, rmi,
# and clear errors for bad input.
. "$(dirname "$0")/lib.sh"
need skopeo
W=$WLSIMG

# A small root filesystem: directories, a script, a symlink, a hard link, odd modes and owners.
R=$T_DIR/rootfs
mkdir -p "$R/bin" "$R/etc/app" "$R/var/empty"
printf '#!/bin/sh\necho hello\n' > "$R/bin/hello"
chmod 0750 "$R/bin/hello"
ln -s hello "$R/bin/hi"
ln "$R/bin/hello" "$R/bin/hello2"
printf 'k=v\n' > "$R/etc/app/conf"
chmod 0600 "$R/etc/app/conf"
touch -d @1700000000 "$R"/bin/* "$R"/etc/app/conf "$R/etc/app" "$R/etc" "$R/bin" "$R/var/empty" "$R/var"
tar --owner=1000 --group=1000 --numeric-owner --sort=name -C "$R" -cf "$T_DIR/rootfs.tar" .
# Same files, other member order and gzip-compressed.
(cd "$R" && find . -mindepth 1 | sort -r | tar --owner=1000 --group=1000 --numeric-owner --no-recursion -T - -czf "$T_DIR/rootfs-rev.tar.gz")

export SOURCE_DATE_EPOCH=1700000000
check "import a rootfs tar" "$W" import "$T_DIR/rootfs.tar" --tag myapp:1 --change 'CMD ["/bin/hello"]' --change 'ENV A=b' -m "first import"
D1=$(cat "$T_DIR/last.out")
check "import the same files in another order, gzipped" "$W" import "$T_DIR/rootfs-rev.tar.gz" --tag myapp:rev --change 'CMD ["/bin/hello"]' --change 'ENV A=b' -m "first import"
D2=$(cat "$T_DIR/last.out")
check_eq "import prints a manifest digest" "$(echo "$D1" | grep -cE '^sha256:[0-9a-f]{64}$')" 1
check_eq "import is reproducible and independent of member order" "$D2" "$D1"

check "images" "$W" images
check_eq "images header" "$(head -1 "$T_DIR/last.out" | tr -s ' ')" "REPOSITORY TAG IMAGE ID CREATED SIZE"
check_eq "images lists both names, sorted" "$(awk 'NR>1 {print $1":"$2}' "$T_DIR/last.out" | tr '\n' ' ')" "myapp:1 myapp:rev "
ID=$("$W" images -q | head -1)
check_eq "images -q gives a 12-hex image id" "$(echo "$ID" | grep -cE '^[0-9a-f]{12}$')" 1
check "images --digests --no-trunc" "$W" images --digests --no-trunc
check_eq "images --digests shows the manifest digest" "$(grep -c "$D1" "$T_DIR/last.out")" 2
check_eq "images --no-trunc shows the full id" "$(grep -c "sha256:$ID" "$T_DIR/last.out")" 2

check "tag by name" "$W" tag myapp:1 localhost:5000/team/myapp:v1
check "tag by image id prefix" "$W" tag "$ID" myapp:by-id
check_eq "images REPOSITORY filters" "$("$W" images myapp | awk 'NR>1 {print $2}' | tr '\n' ' ')" "1 by-id rev "
check_eq "images REPOSITORY:TAG filters" "$("$W" images -q localhost:5000/team/myapp:v1 | wc -l)" 1
check_eq "tags point at the same image" "$("$W" images --digests | grep -c "$D1")" 4
check "rmi a second name of the image" "$W" rmi myapp:rev

# save -> skopeo.
check "save -o" "$W" save -o "$T_DIR/app.tar" myapp:1 localhost:5000/team/myapp:v1
check "skopeo inspect docker-archive: accepts it" skopeo "${SKOPEO_FLAGS[@]}" inspect "docker-archive:$T_DIR/app.tar"
check_eq "skopeo sees one layer" "$(jq -r '.Layers | length' "$T_DIR/last.out")" 1
check_eq "skopeo sees the platform" "$(jq -r '.Architecture' "$T_DIR/last.out")" "$(uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')"
check "skopeo inspect by RepoTag" skopeo "${SKOPEO_FLAGS[@]}" inspect "docker-archive:$T_DIR/app.tar:localhost:5000/team/myapp:v1"
check "skopeo copy docker-archive: to oci:" skopeo "${SKOPEO_FLAGS[@]}" copy "docker-archive:$T_DIR/app.tar:myapp:1" "oci:$T_DIR/oci:v1"
MD=$(jq -r '.manifests[0].digest' "$T_DIR/oci/index.json" | cut -d: -f2)
LD=$(jq -r '.layers[0].digest' "$T_DIR/oci/blobs/sha256/$MD" | cut -d: -f2)
tar -tvzf "$T_DIR/oci/blobs/sha256/$LD" > "$T_DIR/oci-layer.txt"
check_eq "the layer keeps modes and owners" "$(grep -c -- '-rwxr-x--- 1000/1000 .* bin/hello$' "$T_DIR/oci-layer.txt")" 1
check_eq "the layer keeps the symlink" "$(grep -c 'bin/hi -> hello' "$T_DIR/oci-layer.txt")" 1
check_eq "the layer keeps the hard link" "$(grep -c 'bin/hello2 link to bin/hello' "$T_DIR/oci-layer.txt")" 1
"$W" save myapp:1 localhost:5000/team/myapp:v1 > "$T_DIR/app-stdout.tar"
check "save to a pipe writes the same bytes as save -o" cmp "$T_DIR/app.tar" "$T_DIR/app-stdout.tar"

# load into another store gives the same image.
export WLSIMG_STORE=$T_DIR/store2
check "load -i" "$W" load -i "$T_DIR/app.tar"
check_eq "load names the images" "$(cat "$T_DIR/last.out")" "Loaded image: myapp:1
Loaded image: localhost:5000/team/myapp:v1"
check_eq "loaded image has the same manifest digest" "$("$W" images --digests | grep -c "$D1")" 2
export WLSIMG_STORE=$T_DIR/store3
check "load from standard input" bash -c "'$W' load < '$T_DIR/app.tar'"
check_eq "stdin load names the image" "$(head -1 "$T_DIR/last.out")" "Loaded image: myapp:1"
skopeo "${SKOPEO_FLAGS[@]}" copy "oci:$T_DIR/oci:v1" "docker-archive:$T_DIR/sk.tar:sk/app:2" > /dev/null
check "load a docker-archive written by skopeo" "$W" load -i "$T_DIR/sk.tar"
check_eq "skopeo's RepoTag is used" "$(cat "$T_DIR/last.out")" "Loaded image: sk/app:2"
# An archive whose layer is already gzipped (some tools write them so).
mkdir -p "$T_DIR/gz" && tar -C "$T_DIR/gz" -xf "$T_DIR/app.tar"
L=$(jq -r '.[0].Layers[0]' "$T_DIR/gz/manifest.json")
gzip -n "$T_DIR/gz/$L" && mv "$T_DIR/gz/$L.gz" "$T_DIR/gz/$L"
tar -C "$T_DIR/gz" -cf "$T_DIR/app-gz.tar" .
check "load an archive with a gzipped layer" "$W" load -i "$T_DIR/app-gz.tar"
# docker's older layout: <id>/layer.tar, a second image whose layer is a symlink to the first one's.
mkdir -p "$T_DIR/legacy/aaa" "$T_DIR/legacy/bbb"
cp "$T_DIR/gz/$(jq -r '.[0].Config' "$T_DIR/gz/manifest.json")" "$T_DIR/legacy/cfg.json"
tar -C "$T_DIR/legacy" -xf "$T_DIR/app.tar" "$L" && mv "$T_DIR/legacy/$L" "$T_DIR/legacy/aaa/layer.tar"
ln -s ../aaa/layer.tar "$T_DIR/legacy/bbb/layer.tar"
printf '[{"Config":"cfg.json","RepoTags":["legacy:1"],"Layers":["aaa/layer.tar"]},{"Config":"cfg.json","RepoTags":["legacy:2"],"Layers":["bbb/layer.tar"]}]' > "$T_DIR/legacy/manifest.json"
tar -C "$T_DIR/legacy" -cf "$T_DIR/legacy.tar" manifest.json cfg.json bbb aaa
check "load docker's older layout with a symlinked layer" "$W" load -i "$T_DIR/legacy.tar"
check_eq "both legacy images are named" "$(cat "$T_DIR/last.out" | tr '\n' ' ')" "Loaded image: legacy:1 Loaded image: legacy:2 "
check_eq "the legacy images are the same image as the original" "$("$W" images --digests | grep legacy | grep -c "$D1")" 2
# Tampered: the config no longer matches the layer.
mkdir -p "$T_DIR/bad" && tar -C "$T_DIR/bad" -xf "$T_DIR/app.tar"
C=$(jq -r '.[0].Config' "$T_DIR/bad/manifest.json")
jq -c '.rootfs.diff_ids[0] = "sha256:0000000000000000000000000000000000000000000000000000000000000000"' "$T_DIR/bad/$C" > "$T_DIR/bad/c" && mv "$T_DIR/bad/c" "$T_DIR/bad/$C"
tar -C "$T_DIR/bad" -cf "$T_DIR/app-bad.tar" .
check_fail "load rejects a layer that does not match the config" 1 "but the config says" "$W" load -i "$T_DIR/app-bad.tar"
check_fail "load rejects a file that is not a docker-archive" 1 "not a docker-archive" "$W" load -i "$T_DIR/rootfs.tar"
check_fail "load of a missing file" 1 "No such file or directory" "$W" load -i "$T_DIR/nope.tar"

# rmi and gc.
export WLSIMG_STORE=$T_DIR/store2
check "rmi one name" "$W" rmi localhost:5000/team/myapp:v1
check_eq "rmi reports the name" "$(cat "$T_DIR/last.out")" "Untagged: localhost:5000/team/myapp:v1"
check_eq "blobs stay while a name remains" "$(ls "$WLSIMG_STORE/blobs/sha256" | wc -l)" 3
check "rmi the last name" "$W" rmi myapp:1
check_eq "rmi deletes the image" "$(tail -1 "$T_DIR/last.out")" "Deleted: $D1"
check_eq "no blobs left" "$(ls "$WLSIMG_STORE/blobs/sha256" | wc -l)" 0
check_eq "images is empty" "$("$W" images | wc -l)" 1

# Errors: clear messages, exit 1 for failures, 2 for usage.
export WLSIMG_STORE=$T_DIR/store
check_fail "import of a missing file" 1 "No such file or directory" "$W" import "$T_DIR/missing.tar" --tag x:1
check_fail "import with an upper-case name" 1 "must be lowercase" "$W" import "$T_DIR/rootfs.tar" --tag Bad/Name:1
check_fail "import of a file that is not a tar" 1 "not a tar archive" "$W" import "$T_DIR/oci/oci-layout" --tag x:1
check_fail "import without a name" 2 "missing the image name" "$W" import "$T_DIR/rootfs.tar"
export WLSIMG_STORE=$T_DIR/store-bad
check_fail "import with a bad --change" 1 "FROM" "$W" import "$T_DIR/rootfs.tar" --tag x:1 --change 'FROM scratch'
check_fail "import with a bad --platform" 1 "linux/" "$W" import "$T_DIR/rootfs.tar" --tag x:1 --platform linux/
check_eq "bad import options store nothing (checked before the tar is read)" \
  "$(find "$WLSIMG_STORE" -path '*/blobs/*' -type f 2> /dev/null | wc -l)" 0
export WLSIMG_STORE=$T_DIR/store
check_fail "rmi of an unknown image" 1 "No such image: nope:1" "$W" rmi nope:1
check_fail "a missing argument file" 2 "missing.args" "$W" rmi @"$T_DIR/missing.args"
printf 'n\0ope:1\n' > "$T_DIR/nul.args"
check_fail "an argument file with a NUL byte" 2 "nul.args: contains a NUL byte" "$W" rmi @"$T_DIR/nul.args"
printf '"nope:1\n' > "$T_DIR/quote.args"
check_fail "an argument file with an unterminated quote" 2 "quote.args: unterminated \" quote" "$W" rmi @"$T_DIR/quote.args"
check_fail "tag of an unknown image" 1 "No such image: nope" "$W" tag nope x:1
check_fail "tag to an upper-case name" 1 "must be lowercase" "$W" tag myapp:1 Upper
check_fail "tag with one argument" 2 "expected 2 arguments" "$W" tag myapp:1
check_fail "save of an unknown image" 1 "No such image: nope" "$W" save -o "$T_DIR/x.tar" nope
check_eq "a failed save leaves no file" "$(ls "$T_DIR" | grep -c '^x\.tar')" 0
check_fail "rmi by id with several names needs --force" 1 "must be forced" "$W" rmi "$ID"
check "rmi --force by id" "$W" rmi -f "$ID"
check_eq "every name is gone" "$("$W" images -q | wc -l)" 0
finish
