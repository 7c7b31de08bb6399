#!/usr/bin/env bash
# House-style checks that a compiler does not make (style.md "Banned"), the library/CLI wall, and the structure
# rules of tests/lint_structure.py. `make lint` builds the library's objects first.
set -u
cd "$(dirname "$0")/.."
fail=0
report() { echo "lint: $*"; fail=1; }
banned='\b(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|gets|atoi|atol|system|popen)[[:space:]]*\('
if grep -nE "$banned" src/lib/*.c src/cli/*.c | grep -v 'snprintf\|vsnprintf'; then report "banned function"; fi
if grep -nE '\b(printf|fprintf|puts|exit)[[:space:]]*\(' src/lib/*.c | grep -vE 'snprintf|vsnprintf|"wlsimg: out of memory'; then
  report "terminal output or exit() in src/lib"
fi
if grep -n '#include "cli/' src/lib/*.[ch]; then report "src/lib includes a CLI header"; fi
paths=$(git ls-files -co --exclude-standard -- src tests fuzz bench examples scripts docs README.md .ci | grep -v '^tests/lint.sh$')
# (the one exception: /home/acmeuser/wls-installers, the directory of the operator documentation's command lines
# that tests/integration/82_wit_verbatim.sh runs verbatim, in a mount namespace of its own)
# shellcheck disable=SC2086
if [ -n "$paths" ] && grep -nE '/(work|root)/|/home/[a-z]' $paths | grep -v '/home/acmeuser/wls-installers'; then
  report "local machine path"
fi
# file = module = prefix, no CLI use of *_int.h, no file over 1500 lines, no include cycle (tests/lint_structure.py)
python3 tests/lint_structure.py "${LINT_OBJDIR:-build/obj}" || fail=1
[ $fail -eq 0 ] && echo "lint: ok"
exit $fail
