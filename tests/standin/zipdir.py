#!/usr/bin/env python3
# Test helper: a deterministic zip of a directory tree (sorted entries, fixed timestamps, unix modes).
# Usage: zipdir.py SRC_DIR OUT.zip [--norm-modes]
#   --norm-modes: directories and executables 0750, other files 0640 (the modes of Oracle's zips);
#   without it the files' own modes are kept.
import os
import sys
import zipfile

src, out = sys.argv[1], sys.argv[2]
norm = '--norm-modes' in sys.argv[3:]
T = (2024, 1, 1, 0, 0, 0)
entries = []
for d, dirs, files in os.walk(src):
    for n in dirs + files:
        p = os.path.join(d, n)
        entries.append((os.path.relpath(p, src), p))
tmp = out + '.tmp'
with zipfile.ZipFile(tmp, 'w') as z:
    for rel, p in sorted(entries):
        st = os.lstat(p)
        isdir = os.path.isdir(p)
        mode = st.st_mode & 0o7777
        if norm:
            mode = 0o750 if isdir or mode & 0o100 else 0o640
        info = zipfile.ZipInfo(rel + ('/' if isdir else ''), date_time=T)
        info.create_system = 3
        if isdir:
            info.external_attr = ((0o040000 | mode) << 16) | 0x10
            z.writestr(info, b'')
        else:
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(p, 'rb') as f:
                z.writestr(info, f.read())
os.replace(tmp, out)
