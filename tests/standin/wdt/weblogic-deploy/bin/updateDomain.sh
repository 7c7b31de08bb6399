#!/bin/sh
# TEST STAND-IN for WDT's updateDomain.sh (see ../lib/standin.sh)
. "$(dirname "$0")/../lib/standin.sh"
wdt_main update "$@"
