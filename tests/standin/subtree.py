#!/usr/bin/env python3
# Test helper: extract one subtree of an image from an OCI layout, its layers applied in order (whiteouts and
# opaque directories honoured), with numeric owners, modes and links as in the layers (run as root). Lighter than
# unpacking the whole root filesystem when a test compares only, say, a domain home.
# Usage: subtree.py LAYOUT TAG PREFIX OUT_DIR      (PREFIX without a leading /, e.g. u01/domains)
import json
import os
import shutil
import sys
import tarfile

layout, tag, prefix, out = sys.argv[1:5]
prefix = prefix.strip('/')


def blob(d):
    return os.path.join(layout, 'blobs', *d.split(':'))


def manifest():
    idx = json.load(open(os.path.join(layout, 'index.json')))
    for m in idx['manifests']:
        if m.get('annotations', {}).get('org.opencontainers.image.ref.name') == tag:
            man = json.load(open(blob(m['digest'])))
            if 'manifests' in man:  # an index: its first image
                man = json.load(open(blob(man['manifests'][0]['digest'])))
            return man
    sys.exit('subtree.py: no tag %s in %s' % (tag, layout))


def under(name):
    return name == prefix or name.startswith(prefix + '/') or prefix == ''


def remove(path):
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


os.makedirs(out, exist_ok=True)
for layer in manifest()['layers']:
    fresh = set()
    with tarfile.open(blob(layer['digest']), 'r|*') as t:
        for m in t:
            name = os.path.normpath(m.name).lstrip('/')
            if name == '.':
                continue
            d, base = os.path.split(name)
            if base == '.wh..wh..opq':
                if under(d) and os.path.isdir(os.path.join(out, d)):
                    for c in os.listdir(os.path.join(out, d)):
                        if os.path.join(d, c) not in fresh:
                            remove(os.path.join(out, d, c))
                continue
            if base.startswith('.wh.'):
                target = os.path.join(d, base[4:])
                if under(target):
                    remove(os.path.join(out, target))
                continue
            if not under(name):
                continue
            m.name = name
            if m.islnk():
                m.linkname = os.path.normpath(m.linkname).lstrip('/')
            dest = os.path.join(out, name)
            if os.path.lexists(dest) and not (m.isdir() and os.path.isdir(dest)):
                remove(dest)
            kw = {'filter': 'fully_trusted'} if hasattr(tarfile, 'fully_trusted_filter') else {}
            t.extract(m, out, numeric_owner=True, **kw)
            fresh.add(name)
