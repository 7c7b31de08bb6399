#!/usr/bin/env bash
# Makes the offline test fixtures for createAuxImage (no network, no real WDT needed):
#   OUT/weblogic-deploy.zip  a WDT-like installer: weblogic-deploy/bin/*.sh (0750), lib/*.jar, etc/,
#                            VERSION.txt — the layout of the real weblogic-deploy.zip
#   OUT/archive.zip          a WDT archive with wlsdeploy/applications/sample-app.war
# Usage: examples/make-fixtures.sh OUT_DIR [WDT_VERSION] [N_EXTRA_LIB_FILES] [ARCHIVE_PAD_MIB]
# The zips are deterministic (fixed timestamps, sorted entries).
set -euo pipefail
out=${1:?usage: make-fixtures.sh OUT_DIR [WDT_VERSION] [N_EXTRA_LIB_FILES] [ARCHIVE_PAD_MIB]}
version=${2:-4.3.1}
extra=${3:-0}
pad=${4:-0}
mkdir -p "$out"
python3 - "$out" "$version" "$extra" "$pad" <<'PY'
import io, os, sys, zipfile

out, version, extra, pad = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
T = (2024, 1, 1, 0, 0, 0)

def add(z, name, data, mode):
    info = zipfile.ZipInfo(name, date_time=T)
    info.create_system = 3  # unix: keep the mode bits
    if name.endswith('/'):
        info.external_attr = ((0o040000 | mode) << 16) | 0x10
        z.writestr(info, b'')
    else:
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)

entries = [('weblogic-deploy/', b'', 0o750), ('weblogic-deploy/bin/', b'', 0o750),
           ('weblogic-deploy/lib/', b'', 0o750), ('weblogic-deploy/etc/', b'', 0o750),
           ('weblogic-deploy/VERSION.txt', (version + '\n').encode(), 0o640),
           ('weblogic-deploy/LICENSE.txt', b'Test fixture, not the real WebLogic Deploy Tooling.\n', 0o640),
           ('weblogic-deploy/etc/logging.properties', b'handlers=java.util.logging.ConsoleHandler\n', 0o640)]
for tool in ['createDomain', 'updateDomain', 'deployApps', 'validateModel', 'discoverDomain', 'prepareModel',
             'extractDomainResource', 'encryptModel', 'shared']:
    body = '#!/bin/sh\n# %s.sh (WDT test fixture %s)\necho "%s: WDT %s fixture"\n' % (tool, version, tool, version)
    entries.append(('weblogic-deploy/bin/%s.sh' % tool, body.encode(), 0o750))
for jar in ['weblogic-deploy-core.jar', 'jython.jar', 'antlr4-runtime.jar']:
    entries.append(('weblogic-deploy/lib/' + jar, os.urandom(0) + (jar * 64).encode(), 0o640))
for i in range(extra):
    entries.append(('weblogic-deploy/lib/python/module%04d.py' % i, ('# module %d\n' % i * 20).encode(), 0o640))
with zipfile.ZipFile(os.path.join(out, 'weblogic-deploy.zip'), 'w') as z:
    for n, d, m in sorted(entries):
        add(z, n, d, m)

war = io.BytesIO()
with zipfile.ZipFile(war, 'w') as w:
    add(w, 'index.html', b'<html><body>sample-app</body></html>\n', 0o644)
    add(w, 'WEB-INF/web.xml', b'<web-app/>\n', 0o644)
with zipfile.ZipFile(os.path.join(out, 'archive.zip'), 'w') as z:
    add(z, 'wlsdeploy/', b'', 0o755)
    add(z, 'wlsdeploy/applications/', b'', 0o755)
    add(z, 'wlsdeploy/applications/sample-app.war', war.getvalue(), 0o644)
    if pad:
        # incompressible padding for benchmarks
        import random
        r = random.Random(42)
        add(z, 'wlsdeploy/custom/padding.bin', bytes(r.getrandbits(8) for _ in range(pad << 20)), 0o644)
PY
