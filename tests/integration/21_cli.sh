#!/usr/bin/env bash
# The command line as docker and kubectl users expect it: help for every command (walked from the
# command tables), one-line usage errors with "did you mean", machine-readable output checked with jq
# (images --format/--filter, image inspect, tags --format json, system df), manifest from the store,
# oci: and docker://, and references typed as URLs (push http://, push docker://, tag repo@sha256:).
source "$(dirname "$0")/lib.sh"
need jq
W=$WLSIMG

# ---------------------------------------------------------------- help for every command
# walk PATH...: every command under PATH, as the completion lists them (the command tables).
walk() {
  local c sub
  "$W" __complete "$@" '' | cut -f1 | grep -v '^help$' | while read -r c; do
    sub=$("$W" __complete "$@" "$c" '' | cut -f1 | grep -c '^help$')
    if [ "$sub" -gt 0 ]; then walk "$@" "$c"; else echo "$* $c"; fi
  done
}
walk > "$T_DIR/leaves"
check_eq "the command tree has the leaves it should" \
  "$(grep -cxE ' ?(images|push|registry user add|registry token revoke|k8s secret generic|image prune|system df|cache addInstaller)' "$T_DIR/leaves")" 8
bad=0
while read -r -a cmd; do
  "$W" "${cmd[@]}" --help > "$T_DIR/h.out" 2> "$T_DIR/h.err"; rc=$?
  want="Usage: wlsimg ${cmd[*]} "
  # `image ls`, `image rm`, ... are the top-level commands under docker's names: their own usage
  [ "${cmd[0]}" = image ] && [ "${cmd[1]}" != inspect ] && [ "${cmd[1]}" != prune ] && want="Usage: wlsimg "
  if [ $rc -ne 0 ] || ! head -1 "$T_DIR/h.out" | grep -qF "$want" || [ -s "$T_DIR/h.err" ]; then
    bad=$((bad + 1)); echo "    --help of '${cmd[*]}': exit $rc: $(head -1 "$T_DIR/h.out")$(head -1 "$T_DIR/h.err")"
  fi
done < "$T_DIR/leaves"
check_eq "every command's --help exits 0 with its usage on stdout ($(wc -l < "$T_DIR/leaves") commands)" "$bad" 0
for c in push "registry user add" "k8s secret generic" "cache addInstaller" "image prune"; do
  # shellcheck disable=SC2086
  check_eq "'help $c' is '$c --help'" "$("$W" help $c 2>&1)" "$("$W" $c --help 2>&1)"
done
for g in "" registry "registry user" "registry token" "registry repo" k8s "k8s secret" cache image system; do
  # shellcheck disable=SC2086
  check "${g:-wlsimg} --help exits 0" "$W" $g --help
  check_eq "${g:-wlsimg} --help lists its commands" "$(grep -c '^Commands:$' "$T_DIR/last.out")" 1
done
check "wlsimg help" "$W" help
check_eq "help alone is the top-level usage" "$(head -1 "$T_DIR/last.out")" "Usage: wlsimg [GLOBAL OPTIONS] COMMAND [OPTIONS]"
check_eq "the top-level help documents -v and -vv" "$(grep -cE '^  -v, --verbose .*twice \(-vv\)' "$T_DIR/last.out")" 1
check_fail "a group without its subcommand is a usage error" 2 "Usage: wlsimg registry user COMMAND" "$W" registry user

# ---------------------------------------------------------------- usage errors: one line, a hint
# one_line_error DESC WANT_LINE1 CMD...: exit 2, nothing on stdout, exactly two lines on stderr: WANT_LINE1
# and "see 'wlsimg CMD --help'".
one_line_error() {
  local desc=$1 want=$2 rc; shift 2
  "$@" > "$T_DIR/e.out" 2> "$T_DIR/e.err"; rc=$?
  check_eq "$desc: exit 2" "$rc" 2
  check_eq "$desc: the message" "$(head -1 "$T_DIR/e.err")" "$want"
  check_eq "$desc: then where to look, and nothing else" "$(sed 1d "$T_DIR/e.err" | wc -l):$(sed -n 2p "$T_DIR/e.err" | grep -cE "^see 'wlsimg (.* )?--help'$"):$(wc -c < "$T_DIR/e.out")" "1:1:0"
}
one_line_error "unknown option" "wlsimg images: unknown option --x" "$W" images --x
one_line_error "unknown option with a value" "wlsimg push: unknown option --colour" "$W" push --colour=always a
one_line_error "unknown short option" "wlsimg pull: unknown option -z" "$W" pull -z a
one_line_error "a misspelt WIT option" "wlsimg createAuxImage: unknown option --wdtModels (did you mean --wdtModel?)" \
  "$W" createAuxImage --tag x:1 --wdtModels m.yaml
one_line_error "a command in the wrong case" "wlsimg: unknown command createauximage (did you mean createAuxImage?)" \
  "$W" createauximage --tag x:1
one_line_error "a slip in a command" "wlsimg: unknown command pusj (did you mean push?)" "$W" pusj a
one_line_error "a slip in a subcommand" "wlsimg registry: unknown command usr (did you mean user?)" "$W" registry usr list
one_line_error "an unknown option of k8s" "wlsimg k8s domain: unknown option --domainuid (did you mean --domain-uid?)" \
  "$W" k8s domain --domainuid d1
one_line_error "an unknown global option" "wlsimg: unknown option --verbos" "$W" --verbos images
one_line_error "help on a command that does not exist" "wlsimg: unknown command imgaes (did you mean images?)" "$W" help imgaes
check_fail "a missing argument shows the synopsis" 2 "Usage: wlsimg tag SOURCE TARGET" "$W" tag x
check_eq "a missing argument: three lines" "$(wc -l < "$T_DIR/last.err")" 3

# ---------------------------------------------------------------- images: formats and filters
export SOURCE_DATE_EPOCH=1700000000
mkdir -p "$T_DIR/r/bin" && echo one > "$T_DIR/r/bin/a" && tar -C "$T_DIR/r" -cf "$T_DIR/r1.tar" .
echo two > "$T_DIR/r/bin/b" && tar -C "$T_DIR/r" -cf "$T_DIR/r2.tar" .
check "import app:1" "$W" import "$T_DIR/r1.tar" --tag team/app:1
D1=$(cat "$T_DIR/last.out")
check "import web:2" "$W" import "$T_DIR/r2.tar" --tag web:2
D2=$(cat "$T_DIR/last.out")
check "images --format json" "$W" images --format json
check_eq "one JSON object per image, as jq reads them" "$(jq -s 'length' "$T_DIR/last.out")" 2
check_eq "docker's fields" "$(jq -sc '.[0] | keys' "$T_DIR/last.out")" \
  '["Containers","CreatedAt","CreatedSince","Digest","ID","Repository","SharedSize","Size","Tag","UniqueSize","VirtualSize"]'
check_eq "json rows carry repository, tag and digest" "$(jq -r 'select(.Repository == "team/app") | .Tag + " " + .Digest' "$T_DIR/last.out")" "1 $D1"
check_eq "{{json .}} is the same as json" "$("$W" images --format '{{json .}}')" "$(cat "$T_DIR/last.out")"
check_eq "a template" "$("$W" images --format '{{.Repository}}:{{.Tag}}' | tr '\n' ' ')" "team/app:1 web:2 "
check_eq "upper, lower, truncate" "$("$W" images --format '{{upper .Repository}} {{truncate .Digest 10}}' web)" "WEB ${D2:0:10}"
check "a table template" "$W" images --format 'table {{.Repository}}\t{{.Tag}}'
check_eq "the table has docker's header and columns" "$(cat "$T_DIR/last.out")" "REPOSITORY   TAG
team/app     1
web          2"
check_eq "--digests adds DIGEST" "$("$W" images --digests | head -1 | tr -s ' ')" "REPOSITORY TAG DIGEST IMAGE ID CREATED SIZE"
check_eq "-q prints ids" "$("$W" images -q | grep -cE '^[0-9a-f]{12}$')" 2
check_eq "--filter reference= (a glob, '*' stays within a path component)" "$("$W" images -q --filter 'reference=*/app' | wc -l):$("$W" images -q --filter 'reference=*' | wc -l)" "1:1"
check_eq "--filter reference= matches repo:tag too" "$("$W" images --format '{{.Repository}}' -f 'reference=web:*')" "web"
check_eq "two references: either" "$("$W" images -q -f reference=web -f reference=team/app | wc -l)" 2
check "re-import team/app:1 with other files" "$W" import "$T_DIR/r2.tar" --tag team/app:1 -m "second"
check_eq "the image the name left is <none> <none>" "$("$W" images --format '{{.Repository}} {{.Tag}} {{.Digest}}' -f dangling=true)" "<none> <none> $D1"
check_eq "dangling=false leaves it out" "$("$W" images -q -f dangling=false | wc -l)" 2
check_eq "the <none> row is listed last" "$("$W" images | tail -1 | awk '{print $1, $2}')" "<none> <none>"
check_fail "an unsupported template action" 2 "unsupported action {{range .}}" "$W" images --format '{{range .}}x{{end}}'
check_eq "a bad template prints nothing on stdout" "$(wc -c < "$T_DIR/last.out")" 0
check_fail "an unknown template field" 2 'no field "Nope"' "$W" images --format '{{.Nope}}'
check_fail "an unclosed action" 2 "unclosed action" "$W" images --format '{{.ID'
check_fail "an unsupported filter" 2 'unsupported filter "label"' "$W" images -f label=a=b
check_fail "a filter without =" 2 "expected KEY=VALUE" "$W" images -f dangling
check_fail "a bad dangling value" 2 "dangling=true or dangling=false" "$W" images -f dangling=maybe

# ---------------------------------------------------------------- image inspect
check "image inspect" "$W" image inspect team/app:1 web:2
check_eq "a JSON array with one object per image" "$(jq 'length' "$T_DIR/last.out")" 2
CFG=$(jq -r '.[0].Id' "$T_DIR/last.out")
check_eq "Id is the config digest the store has" "$("$W" images --no-trunc --format '{{.ID}}' team/app:1)" "$CFG"
check_eq "RepoTags, RepoDigests" "$(jq -c '.[1] | [.RepoTags, .RepoDigests]' "$T_DIR/last.out")" "[[\"web:2\"],[\"web@$D2\"]]"
check_eq "the manifest and its digest" "$(jq -r '.[1] | .ManifestDigest + " " + .Manifest.config.digest + " " + .Descriptor.digest' "$T_DIR/last.out")" \
  "$D2 $(jq -r '.[1].Id' "$T_DIR/last.out") $D2"
check_eq "the config's Created, Os, RootFS" "$(jq -r '.[1] | .Created + " " + .Os + " " + (.RootFS.Layers | length | tostring)' "$T_DIR/last.out")" \
  "2023-11-14T22:13:20Z linux 1"
check_eq "-f with a template" "$("$W" image inspect -f '{{.Id}} {{json .RepoTags}}' web:2)" "$(jq -r '.[1].Id' "$T_DIR/last.out") [\"web:2\"]"
check_eq "by id and by repo@digest" "$("$W" image inspect -f '{{.ManifestDigest}}' "${CFG#sha256:}" "web@$D2" | tr '\n' ' ')" "$(jq -r '.[0].ManifestDigest' "$T_DIR/last.out") $D2 "
check_fail "inspect of a missing image" 1 "No such image: nope:1" "$W" image inspect web:2 nope:1
check_eq "the images found are still printed" "$(jq -r '.[0].RepoTags[0]' "$T_DIR/last.out")" "web:2"
check_fail "inspect -f of a missing image is not found, not a template error" 1 "No such image: nope:1" \
  "$W" image inspect -f '{{.Id}}' nope:1
check_eq "and only that is said" "$(wc -l < "$T_DIR/last.err")" 1
check_fail "inspect does not make tables" 2 "a table is for lists" "$W" image inspect -f 'table {{.Id}}' web:2

# ---------------------------------------------------------------- manifest: store, oci:, docker://
check "manifest of a name in the store" "$W" manifest web:2
check_eq "the stored bytes (their digest is the image's)" "sha256:$(sha256sum < "$T_DIR/last.out" | cut -d' ' -f1)" "$D2"
check "copy to an oci: layout" "$W" -q copy web:2 "oci:$T_DIR/lay:v2"
check_eq "manifest oci:DIR:TAG" "sha256:$("$W" manifest "oci:$T_DIR/lay:v2" | sha256sum | cut -d' ' -f1)" "$D2"
check_eq "manifest oci:DIR (its only image)" "sha256:$("$W" manifest "oci:$T_DIR/lay" | sha256sum | cut -d' ' -f1)" "$D2"
check_fail "manifest of a docker-archive explains" 1 "copy it to oci:DIR or the store first" "$W" manifest "docker-archive:$T_DIR/x.tar"
check_fail "manifest of a tag an oci: layout lacks" 1 "No such image" "$W" manifest "oci:$T_DIR/lay:nope"

# ---------------------------------------------------------------- registry: tags, push forms
start_wlsimg_registry "$T_DIR/reg"
R=$W_ADDR
check "push NAME DEST" "$W" -q push web:2 "$R/test/web:2"
check_eq "manifest docker:// from the registry" "sha256:$("$W" manifest "docker://$R/test/web:2" | sha256sum | cut -d' ' -f1)" "$D2"
check_eq "manifest of a name only the registry has" "sha256:$("$W" manifest "$R/test/web:2" | sha256sum | cut -d' ' -f1)" "$D2"
check "tag for the docker:// form" "$W" tag web:2 "$R/test/web:3"
check "push docker://HOST/REPO:TAG (skopeo's way of naming the destination)" "$W" -q push "docker://$R/test/web:3"
check_eq "push docker:// prints the digest" "$(cat "$T_DIR/last.out")" "$D2"
check "push to http://HOST/REPO:TAG on loopback" "$W" -q push web:2 "http://$R/test/web:4"
check "push to https://HOST/REPO:TAG" "$W" -q push web:2 "https://$R/test/web:5"
check_fail "http:// to a host that is not loopback explains" 2 "for a registry that only speaks plain HTTP write registry.example:5000/a:1 with --tls-verify=false" \
  "$W" push web:2 http://registry.example:5000/a:1
check "tags --format json" "$W" tags --format json "$R/test/web"
check_eq "skopeo list-tags' shape" "$(jq -c '[.Repository, .Tags]' "$T_DIR/last.out")" "[\"$R/test/web\",[\"2\",\"3\",\"4\",\"5\"]]"
check_eq "tags with a template" "$("$W" tags --format '{{json .Tags}}' "docker://$R/test/web")" '["2","3","4","5"]'
check_fail "tags with a bad template fails before any traffic" 2 'no field "Tag"' "$W" tags --format '{{.Tag}}' "registry.invalid/x"
check "pull docker://" "$W" -q pull "docker://$R/test/web:4"
check "pull http:// on loopback" "$W" -q pull "http://$R/test/web:5"

# tag repo@sha256:… works as tag sha256:… does
check "tag REPO@DIGEST NEW" "$W" tag "web@$D2" web:by-digest
check_eq "the new name is the same image" "$("$W" images --format '{{.Digest}}' web:by-digest)" "$D2"
check "tag a pulled image by its registry name and digest" "$W" tag "$R/test/web@$D2" web:by-digest2
check_fail "tag REPO@DIGEST of an image the store lacks" 1 "No such image: web@sha256:0000" "$W" tag "web@sha256:$(printf '0%.0s' {1..64})" x:1
check_fail "a URL where a name is expected says so" 1 "a URL, not an image reference" "$W" tag "https://$R/test/web:2" x:1
check_fail "copy from a URL says to write docker://" 1 "a registry image is docker://HOST/REPOSITORY:TAG" \
  "$W" copy "http://$R/test/web:2" "oci:$T_DIR/never"
check "and wrote nothing" test ! -e "$T_DIR/never"

# ---------------------------------------------------------------- system df --format
check "system df --format json" "$W" system df --format json
check_eq "three rows with docker's fields" "$(jq -sc '[.[].Type]' "$T_DIR/last.out"):$(jq -sc '.[0] | keys' "$T_DIR/last.out")" \
  '["Images","Unreferenced blobs","Temporary files"]:["Active","Reclaimable","Size","TotalCount","Type"]'
check_eq "df counts the untagged image" "$(jq -r 'select(.Type == "Images") | .TotalCount + "/" + .Active' "$T_DIR/last.out")" \
  "$("$W" images -q --no-trunc | sort -u | wc -l)/$("$W" images -q --no-trunc -f dangling=false | sort -u | wc -l)"
finish
