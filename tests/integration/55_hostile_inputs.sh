#!/usr/bin/env bash
# Hostile build inputs, each crafted here the way an attacker would: COPY sources that leave the build
# context (.. and symbolic links), installers and ADD tars whose symbolic links chain out of their
# directory, a base image whose /etc/passwd is over the 4 MiB limit, docker-archives whose layers hold
# ../ members and device nodes, setuid files in an import tar and in an installer zip. Every one must
# fail with a message naming the input, exit 1 and leave nothing in the store; the setuid bits must be
# gone from what wlsimg builds unless --keep-setuid asks for them. Nothing here needs a network.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
need python3
export WLSIMG_CACHEDIR="$T_DIR/cache" SOURCE_DATE_EPOCH=0
W=$WLSIMG
cd "$T_DIR" || exit 1

# ---- a base image made with wlsimg import, and a model ----
mkdir -p base/etc base/tmp
printf 'root:x:0:0:root:/root:/bin/sh\n' > base/etc/passwd
printf 'root:x:0:\n' > base/etc/group
tar --sort=name --owner=0 --group=0 --numeric-owner -C base -cf base.tar .
check "import the base image" "$W" import base.tar base:1
printf 'domainInfo:\n  AdminUserName: weblogic\n' > model.yaml
AUX=(--fromImage base:1 --wdtVersion none --wdtModel model.yaml)
blobs() { find "$WLSIMG_STORE/blobs" -type f | wc -l; }

# layer_mode IMAGE PATH: "mode" (octal) of PATH in the image's top layer, read from `wlsimg save`.
layer_mode() {
  "$W" save -o "$T_DIR/saved.tar" "$1" || return 1
  python3 - "$T_DIR/saved.tar" "$2" << 'PY'
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as outer:
    top = json.load(outer.extractfile('manifest.json'))[0]['Layers'][-1]
    with tarfile.open(fileobj=outer.extractfile(top)) as layer:
        for e in layer:
            if e.name.lstrip('./').rstrip('/') == sys.argv[2]:
                print('%o' % e.mode)
PY
}

# ---- 15: COPY sources stay inside the build context (.., symbolic links) ----
mkdir -p a/ctx/extra/sub
echo "inside" > a/ctx/extra/conf.txt
echo "SECRET" > secret.txt
ln -s "$T_DIR/secret.txt" a/ctx/extra/to-secret
ln -s "$T_DIR" a/ctx/extra/to-top
ln -s ../../../.. a/ctx/extra/sub/up
ln -s conf.txt a/ctx/extra/alias
copy_cmd() { printf '[final-build-commands]\nCOPY %s /auxiliary/copied\n' "$1" > abc.txt; }
before=$(blobs)
for src in files/extra/../../../secret.txt ../secret.txt /../secret.txt; do
  copy_cmd "$src"
  check_fail "COPY $src is refused" 1 "COPY $src: forbidden path outside the build context" \
    "$W" createAuxImage --tag bad:1 "${AUX[@]}" --additionalBuildCommands abc.txt --additionalBuildFiles "$T_DIR/a/ctx/extra"
done
for src in files/extra/to-secret files/extra/to-top/secret.txt files/extra/sub/up/secret.txt; do
  copy_cmd "$src"
  check_fail "COPY $src (a link out of the context) is refused" 1 \
    "COPY $src: forbidden path outside the build context: it leads to $T_DIR/secret.txt" \
    "$W" createAuxImage --tag bad:1 "${AUX[@]}" --additionalBuildCommands abc.txt --additionalBuildFiles "$T_DIR/a/ctx/extra"
done
check_eq "refused COPYs stored nothing" "$(blobs)" "$before"
check_eq "refused COPYs named nothing" "$("$W" images | grep -c '^bad')" 0
copy_cmd files/extra/../extra/alias
check "COPY through .. and a link that stay inside" \
  "$W" createAuxImage --tag good:1 "${AUX[@]}" --additionalBuildCommands abc.txt --additionalBuildFiles "$T_DIR/a/ctx/extra"
check_eq "the link inside was followed (file content, as docker)" "$(layer_mode good:1 auxiliary/copied)" 644

# ---- 16: symbolic links in installers and ADD tars, resolved as extraction would ----
python3 << 'PY'
import io, stat, tarfile, zipfile
def tar(path, entries, mode='w:gz'):
    with tarfile.open(path, mode) as t:
        for name, kind, arg in entries:
            ti = tarfile.TarInfo(name)
            if kind == 'dir':
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                t.addfile(ti)
            elif kind == 'sym':
                ti.type, ti.linkname = tarfile.SYMTYPE, arg
                t.addfile(ti)
            else:
                data = arg.encode()
                ti.size, ti.mode = len(data), 0o644
                t.addfile(ti, io.BytesIO(data))
wdt = [('weblogic-deploy', 'dir', ''), ('weblogic-deploy/VERSION.txt', 'file', '4.3.1\n')]
# up -> .. stays in the install root, up/up2 -> .. too when read alone; written through up it is
# the image's root, so up/up2/etc/passwd would replace the image's /etc/passwd
tar('chain-write.tar.gz', wdt + [('weblogic-deploy/up', 'sym', '..'), ('weblogic-deploy/up/up2', 'sym', '..'),
                                 ('weblogic-deploy/up/up2/etc/passwd', 'file', 'pwned\n')])
# the entries beneath the link come first: the layer is written sorted, so they would still go through it
tar('chain-order.tar.gz', wdt + [('weblogic-deploy/lib/x.txt', 'file', 'x\n'), ('weblogic-deploy/lib', 'sym', '..')])
# y -> . and x -> y/../.. are both inside when read alone; followed, x leads above the install root
tar('chain-target.tar.gz', wdt + [('weblogic-deploy/y', 'sym', '.'), ('weblogic-deploy/x', 'sym', 'y/../..')])
def zlink(z, name, target):
    zi = zipfile.ZipInfo(name)
    zi.create_system, zi.external_attr = 3, (stat.S_IFLNK | 0o777) << 16
    z.writestr(zi, target)
with zipfile.ZipFile('chain.zip', 'w') as z:
    z.writestr('weblogic-deploy/VERSION.txt', '4.3.1\n')
    zlink(z, 'weblogic-deploy/y', '.')
    zlink(z, 'weblogic-deploy/x', 'y/../..')
# ADD of a tar with the same kind of chain
tar('add-chain.tar', [('d', 'sym', '.'), ('d/e', 'sym', '..'), ('d/e/etc/passwd', 'file', 'pwned\n')], 'w')
# an ADD tar written under a symbolic link that an earlier COPY put in the same layer
tar('under-link.tar', [('lnk/passwd', 'file', 'pwned\n')], 'w')
# a valid installer with a link that stays inside
tar('links-ok.tar.gz', wdt + [('weblogic-deploy/lib', 'dir', ''), ('weblogic-deploy/lib/a.jar', 'file', 'jar'),
                              ('weblogic-deploy/current', 'sym', 'lib/a.jar')])
PY
before=$(blobs)
while read -r f want; do
  v=${f%%.*}
  check "cache addInstaller $f" "$W" cache addInstaller --type wdt --version "$v" --path "$T_DIR/$f"
  check_fail "installer $f refused" 1 "$T_DIR/$f: $want" \
    "$W" createAuxImage --tag bad:1 --fromImage base:1 --wdtVersion "$v" --wdtModel model.yaml
  check_fail "installer $f refused in a dry run too" 1 "$T_DIR/$f: $want" \
    "$W" createAuxImage --tag bad:1 --fromImage base:1 --wdtVersion "$v" --wdtModel model.yaml --dryRun
done << 'EOF'
chain-write.tar.gz entry weblogic-deploy/up/up2 lies beneath the symbolic link weblogic-deploy/up -> ..
chain-order.tar.gz symbolic link weblogic-deploy/lib comes after entries at or beneath that path
chain-target.tar.gz symbolic link weblogic-deploy/x -> y/../.. leads outside the archive through the symbolic link weblogic-deploy/y -> .
chain.zip symbolic link weblogic-deploy/x -> y/../.. leads outside the archive through the symbolic link weblogic-deploy/y -> .
EOF
mkdir -p ctx2/conf
ln -s /etc ctx2/conf/lnk
printf '[final-build-commands]\nADD files/add-chain.tar /auxiliary/unpacked/\n' > add.txt
check_fail "ADD of a tar with a link chain refused" 1 "add-chain.tar: entry d/e lies beneath the symbolic link d -> ." \
  "$W" createAuxImage --tag bad:1 "${AUX[@]}" --additionalBuildCommands add.txt --additionalBuildFiles "$T_DIR/add-chain.tar"
printf '[final-build-commands]\nADD files/under-link.tar /auxiliary/conf/\nCOPY files/conf /auxiliary/conf/\n' > under.txt
check_fail "a COPY putting a link over what an ADD wrote in the same layer refused" 1 \
  'layer entry "auxiliary/conf/lnk/passwd" lies beneath the symbolic link "auxiliary/conf/lnk" -> "/etc"' \
  "$W" createAuxImage --tag bad:1 "${AUX[@]}" --additionalBuildCommands under.txt --additionalBuildFiles "$T_DIR/ctx2/conf,$T_DIR/under-link.tar"
mkdir -p beneath
ln -s /etc beneath/etc
tar -C beneath -cf beneath.tar . && python3 -c '
import io, sys, tarfile
with tarfile.open(sys.argv[1], "a") as t:
    ti = tarfile.TarInfo("./etc/cron.d/evil")
    ti.size = 6
    t.addfile(ti, io.BytesIO(b"pwned\n"))
' "$T_DIR/beneath.tar"
check_fail "import of a tar writing beneath its own symbolic link refused" 1 \
  'layer entry "etc/cron.d/evil" lies beneath the symbolic link "etc" -> "/etc" of the same layer' \
  "$W" import beneath.tar bad:1
check_eq "refused archives stored nothing" "$(blobs)" "$before"
check "cache addInstaller links-ok" "$W" cache addInstaller --type wdt --version ok --path "$T_DIR/links-ok.tar.gz"
check "an installer whose link stays inside builds" \
  "$W" createAuxImage --tag good:2 --fromImage base:1 --wdtVersion ok --wdtModel model.yaml
check_eq "its link is in the image" "$(layer_mode good:2 auxiliary/weblogic-deploy/current)" 777

# ---- 17: a base whose /etc/passwd is over 4 MiB is an error, never an empty file ----
mkdir -p bigbase/etc
python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("root:x:0:0:root:/root:/bin/sh\n")
    for i in range(62000):  # about 5 MiB
        f.write("user%d:x:%d:%d:a user with a long gecos field to fill the file %d:/nonexistent:/bin/sh\n" % (i, 2000 + i, 2000 + i, i))
' bigbase/etc/passwd
printf 'root:x:0:\n' > bigbase/etc/group
check_eq "the passwd is over 4 MiB" "$(($(stat -c %s bigbase/etc/passwd) > 4194304))" 1
tar --sort=name --owner=0 --group=0 --numeric-owner -C bigbase -cf bigbase.tar .
check "import the base with the big passwd" "$W" import bigbase.tar bigbase:1
before=$(blobs)
check_fail "createAuxImage on it fails naming the file and the limit" 1 \
  "--fromImage bigbase:1: the base image's /etc/passwd is larger than 4 MiB (4194304 bytes)" \
  "$W" createAuxImage --tag bad:1 --fromImage bigbase:1 --wdtVersion none --wdtModel model.yaml
check_eq "nothing stored" "$(blobs)" "$before"

# ---- 18: load refuses ../ members and device nodes in layers ----
# make_archive OUT KIND: a docker-archive (valid manifest, config and diff_id) whose one layer holds a
# member of the given kind.
make_archive() {
  python3 - "$1" "$2" << 'PY'
import hashlib, io, json, sys, tarfile
out, kind = sys.argv[1:3]
lb = io.BytesIO()
with tarfile.open(fileobj=lb, mode='w', format=tarfile.GNU_FORMAT) as t:
    def add(name, **kw):
        ti = tarfile.TarInfo(name)
        data = kw.pop('data', None)
        for k, v in kw.items():
            setattr(ti, k, v)
        if data is not None:
            ti.size = len(data)
        t.addfile(ti, io.BytesIO(data) if data is not None else None)
    add('etc', type=tarfile.DIRTYPE, mode=0o755)
    add('etc/hostname', data=b'ok\n')
    add('bin', type=tarfile.SYMTYPE, linkname='/usr/bin')
    if kind == 'dotdot':
        add('../../etc/cron.d/evil', data=b'* * * * * root sh\n')
    elif kind == 'absdotdot':
        add('/../x', data=b'x\n')
    elif kind == 'hardlink':
        add('etc/shadow-link', type=tarfile.LNKTYPE, linkname='../../etc/shadow')
    elif kind == 'symlink':
        add('etc/up', type=tarfile.SYMTYPE, linkname='../../../etc/shadow')
    elif kind == 'chardev':
        add('dev/mem', type=tarfile.CHRTYPE, devmajor=1, devminor=1, mode=0o666)
    elif kind == 'blockdev':
        add('dev/sda', type=tarfile.BLKTYPE, devmajor=8, devminor=0, mode=0o660)
    elif kind == 'setuid':
        add('usr/bin/su', data=b'#!/bin/sh\n', mode=0o4755)
layer = lb.getvalue()
cfg = json.dumps({'architecture': 'amd64', 'os': 'linux',
                  'rootfs': {'type': 'layers', 'diff_ids': ['sha256:' + hashlib.sha256(layer).hexdigest()]}}).encode()
man = json.dumps([{'Config': 'config.json', 'RepoTags': ['loaded/%s:1' % kind], 'Layers': ['layer.tar']}]).encode()
with tarfile.open(out, 'w') as t:
    for name, data in (('layer.tar', layer), ('config.json', cfg), ('manifest.json', man)):
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
PY
}
before=$(blobs)
while read -r kind want; do
  make_archive "$T_DIR/$kind.tar" "$kind"
  check_fail "load refuses a layer with $kind" 1 "$T_DIR/$kind.tar: layer layer.tar: $want" "$W" load -i "$T_DIR/$kind.tar"
done << 'EOF'
dotdot member ../../etc/cron.d/evil leaves the image's root
absdotdot member /../x leaves the image's root
hardlink hard link etc/shadow-link -> ../../etc/shadow leaves the image's root
symlink symbolic link etc/up -> ../../../etc/shadow leads above the image's root
chardev member dev/mem is a character device node
blockdev member dev/sda is a block device node
EOF
check_eq "refused archives stored no layer" "$(blobs)" "$before"
check_eq "refused archives named nothing" "$("$W" images | grep -c '^loaded/')" 0
make_archive "$T_DIR/setuid.tar" setuid
check "load keeps a layer with a setuid file and an absolute link (verbatim, as docker)" "$W" load -i "$T_DIR/setuid.tar"
check_eq "the loaded layer keeps its bits (its digest is the config's)" "$(layer_mode loaded/setuid:1 usr/bin/su)" 4755

# ---- 18: import and the installer clear setuid/setgid unless asked ----
mkdir -p suid/usr/bin suid/var/mail
printf '#!/bin/sh\n' > suid/usr/bin/su
printf '#!/bin/sh\n' > suid/usr/bin/wall
chmod 4755 suid/usr/bin/su
chmod 2755 suid/usr/bin/wall
chmod 2775 suid/var/mail
tar --sort=name --owner=0 --group=0 --numeric-owner -C suid -cf suid.tar .
check_fail "import clears setuid/setgid with a warning" 0 \
  "suid.tar: cleared the setuid/setgid bits of 2 files (usr/bin/su, …); --keep-setuid keeps them" \
  "$W" import suid.tar suid:1
check_eq "import: setuid cleared" "$(layer_mode suid:1 usr/bin/su)" 755
check_eq "import: setgid cleared" "$(layer_mode suid:1 usr/bin/wall)" 755
check_eq "import: a directory keeps setgid" "$(layer_mode suid:1 var/mail)" 2775
check "import --keep-setuid" "$W" import --keep-setuid suid.tar suid:2
check_eq "import --keep-setuid keeps setuid" "$(layer_mode suid:2 usr/bin/su)" 4755
python3 << 'PY'
import stat, zipfile
with zipfile.ZipFile('setuid.zip', 'w') as z:
    z.writestr('weblogic-deploy/VERSION.txt', '4.3.1\n')
    zi = zipfile.ZipInfo('weblogic-deploy/bin/tool.sh')
    zi.create_system, zi.external_attr = 3, (stat.S_IFREG | 0o6750) << 16
    z.writestr(zi, '#!/bin/sh\n')
PY
check "cache addInstaller setuid.zip" "$W" cache addInstaller --type wdt --version suid --path "$T_DIR/setuid.zip"
check "build with the setuid installer" "$W" createAuxImage --tag suidaux:1 --fromImage base:1 --wdtVersion suid --wdtModel model.yaml
check_eq "installer file lost setuid/setgid, as WIT's unzip does" "$(layer_mode suidaux:1 auxiliary/weblogic-deploy/bin/tool.sh)" 750
finish
