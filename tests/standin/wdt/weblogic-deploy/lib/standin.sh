# TEST STAND-IN for the WebLogic Deploy Tooling, not Oracle's code. The real WDT (and the WebLogic Server it
# drives through WLST) cannot be downloaded where wlsimg is tested; bin/*.sh source this file. It accepts
# WDT's arguments, checks them as WDT does (JAVA_HOME runs a JVM, the Oracle Home holds weblogic.jar, the
# model, variable and archive files exist) and creates or updates a domain home with config/config.xml and
# security/SerializedSystemIni.dat (random bytes, like the domain secret of a real domain).
# shellcheck shell=sh
set -u
WDT_HOME_DIR=$(cd "$(dirname "$0")/.." && pwd)
TOOL=$(basename "$0" .sh)
mkdir -p "$WDT_HOME_DIR/logs" 2> /dev/null
LOG="$WDT_HOME_DIR/logs/$TOOL.log"
: > "$LOG" 2> /dev/null || LOG=/dev/null
say() { echo "$*"; echo "$*" >> "$LOG"; }
die() { # die CODE MESSAGE: WDT's exit codes are 1 (warnings) 2 (errors) 100 (usage) 101 (unexpected)
  echo "####<SEVERE> <$TOOL> $2" | tee -a "$LOG" >&2
  echo "Issue Log for $TOOL version (wlsimg test stand-in) running WebLogic version" >&2
  exit "$1"
}

ORACLE_HOME_ARG= DOMAIN_HOME_ARG= DOMAIN_TYPE=WLS MODELS= VARIABLES= ARCHIVES= RUN_RCU= ENCRYPT= METHOD=
parse_args() {
  while [ $# -gt 0 ]; do
    case $1 in
    -oracle_home | -domain_home | -domain_type | -model_file | -variable_file | -archive_file | -method | \
      -admin_url | -admin_user | -wlst_path | -target)
      [ $# -ge 2 ] || die 100 "$1 needs a value"
      case $1 in
      -oracle_home) ORACLE_HOME_ARG=$2 ;;
      -domain_home) DOMAIN_HOME_ARG=$2 ;;
      -domain_type) DOMAIN_TYPE=$2 ;;
      -model_file) MODELS=$2 ;;
      -variable_file) VARIABLES=$2 ;;
      -archive_file) ARCHIVES=$2 ;;
      -method) METHOD=$2 ;;
      esac
      shift ;;
    -run_rcu) RUN_RCU=1 ;;
    -use_encryption) ENCRYPT=1 ;;
    *) die 100 "unknown argument $1" ;;
    esac
    shift
  done
}

check_java() {
  [ -n "${JAVA_HOME:-}" ] || die 2 "Please set the JAVA_HOME environment variable to point to a Java 8 or later installation"
  "$JAVA_HOME/bin/java" -version > /dev/null 2>&1 || die 2 "JAVA_HOME $JAVA_HOME does not run java"
}

check_oracle_home() {
  [ -n "$ORACLE_HOME_ARG" ] || die 100 "-oracle_home is required"
  [ -f "$ORACLE_HOME_ARG/wlserver/server/lib/weblogic.jar" ] ||
    die 2 "The -oracle_home $ORACLE_HOME_ARG does not contain a WebLogic Server installation"
  WLS_VERSION=$("$JAVA_HOME/bin/java" -cp "$ORACLE_HOME_ARG/wlserver/server/lib/weblogic.jar" weblogic.version |
    sed -n 's/^WebLogic Server \([0-9.]*\).*/\1/p')
  [ -n "$WLS_VERSION" ] || die 2 "weblogic.version failed in $ORACLE_HOME_ARG"
}

# each_file LIST WHAT: every comma-separated file must exist
each_file() {
  old_ifs=$IFS; IFS=,
  for f in $1; do
    [ -f "$f" ] || { IFS=$old_ifs; die 2 "The $2 file $f does not exist"; }
  done
  IFS=$old_ifs
}

check_inputs() {
  case $DOMAIN_TYPE in WLS | RestrictedJRF | JRF) ;; *) die 2 "-domain_type $DOMAIN_TYPE is not a known domain type" ;; esac
  [ -n "$MODELS$ARCHIVES" ] || die 100 "-model_file is required"
  each_file "$MODELS" model
  [ -z "$VARIABLES" ] || each_file "$VARIABLES" variable
  [ -z "$ARCHIVES" ] || each_file "$ARCHIVES" archive
  if [ -n "$RUN_RCU" ] && [ "$DOMAIN_TYPE" = WLS ]; then die 2 "-run_rcu needs a JRF domain type"; fi
  if [ -n "$ENCRYPT" ]; then
    read -r PASSPHRASE || PASSPHRASE=
    [ -n "$PASSPHRASE" ] || die 2 "-use_encryption: no encryption passphrase on standard input"
  fi
}

# The domain name: the model's topology Name (with @@PROP:key@@ from the variable file), else the
# domain home's base name.
domain_name() {
  n=
  old_ifs=$IFS; IFS=,
  for f in $MODELS; do
    [ -n "$n" ] || n=$(awk '/^topology:/ { t = 1; next } /^[^ #]/ { t = 0 } t && /^  Name:/ { print $2; exit }' "$f")
  done
  IFS=$old_ifs
  n=$(printf '%s' "$n" | tr -d "'\"")
  case $n in
  @@ENV:*@@)
    k=${n#@@ENV:}; k=${k%@@}
    n=$(printenv "$k") || die 2 "the model uses @@ENV:$k@@ but the environment variable $k is not set" ;;
  @@PROP:*@@)
    k=${n#@@PROP:}; k=${k%@@}
    [ -n "$VARIABLES" ] || die 2 "the model uses @@PROP:$k@@ but no -variable_file was given"
    n=$(sed -n "s/^$k=//p" "$VARIABLES" | head -1)
    [ -n "$n" ] || die 2 "variable $k is not defined in $VARIABLES" ;;
  esac
  [ -n "$n" ] || n=$(basename "$DOMAIN_HOME_ARG")
  echo "$n"
}

extract_archives() {
  [ -n "$ARCHIVES" ] || return 0
  old_ifs=$IFS; IFS=,
  for a in $ARCHIVES; do
    IFS=$old_ifs
    unzip -qo "$a" 'wlsdeploy/*' -d "$DOMAIN_HOME_ARG" 2> /dev/null || true
  done
  IFS=$old_ifs
}

write_domain() { # write_domain NAME
  mkdir -p "$DOMAIN_HOME_ARG/config" "$DOMAIN_HOME_ARG/security" "$DOMAIN_HOME_ARG/bin" \
    "$DOMAIN_HOME_ARG/servers/AdminServer/security" "$DOMAIN_HOME_ARG/init-info" || die 2 "cannot create $DOMAIN_HOME_ARG"
  chmod 0750 "$DOMAIN_HOME_ARG" "$DOMAIN_HOME_ARG/config" "$DOMAIN_HOME_ARG/security"
  cat > "$DOMAIN_HOME_ARG/config/config.xml" << XML
<?xml version='1.0' encoding='UTF-8'?>
<!-- wlsimg test stand-in domain, created by the stand-in WDT, not by WebLogic Server -->
<domain xmlns="http://xmlns.oracle.com/weblogic/domain">
  <name>$1</name>
  <domain-version>$WLS_VERSION</domain-version>
  <server>
    <name>AdminServer</name>
    <listen-port>7001</listen-port>
  </server>
  <admin-server-name>AdminServer</admin-server-name>
</domain>
XML
  chmod 0640 "$DOMAIN_HOME_ARG/config/config.xml"
  head -c 64 /dev/urandom > "$DOMAIN_HOME_ARG/security/SerializedSystemIni.dat" || die 2 "no /dev/urandom"
  chmod 0640 "$DOMAIN_HOME_ARG/security/SerializedSystemIni.dat"
  printf '#!/bin/sh\n# stand-in domain environment\nDOMAIN_HOME=%s\nexport DOMAIN_HOME\n' "$DOMAIN_HOME_ARG" \
    > "$DOMAIN_HOME_ARG/bin/setDomainEnv.sh"
  printf '#!/bin/sh\necho "stand-in domain %s: WebLogic Server cannot start here"\nexit 1\n' "$1" \
    > "$DOMAIN_HOME_ARG/bin/startWebLogic.sh"
  chmod 0750 "$DOMAIN_HOME_ARG/bin/setDomainEnv.sh" "$DOMAIN_HOME_ARG/bin/startWebLogic.sh"
  printf 'username={AES}stand-in\npassword={AES}stand-in\n' > "$DOMAIN_HOME_ARG/servers/AdminServer/security/boot.properties"
  chmod 0600 "$DOMAIN_HOME_ARG/servers/AdminServer/security/boot.properties"
  printf '<domain-info type="%s" wls-version="%s"/>\n' "$DOMAIN_TYPE" "$WLS_VERSION" > "$DOMAIN_HOME_ARG/init-info/domain-info.xml"
}

# wdt_main create|update|deploy|validate ARGS...
wdt_main() {
  op=$1; shift
  parse_args "$@"
  check_java
  check_oracle_home
  check_inputs
  case $op in
  validate)
    say "Model validation (method ${METHOD:-strict}) of $MODELS: no errors (wlsimg test stand-in)" ;;
  create)
    [ -n "$DOMAIN_HOME_ARG" ] || die 100 "-domain_home is required"
    if [ -d "$DOMAIN_HOME_ARG" ] && [ -n "$(ls -A "$DOMAIN_HOME_ARG")" ]; then
      die 2 "The domain home $DOMAIN_HOME_ARG already exists and is not empty"
    fi
    name=$(domain_name) || exit $?
    write_domain "$name"
    extract_archives
    say "createDomain.sh completed: domain $name ($DOMAIN_TYPE) in $DOMAIN_HOME_ARG (wlsimg test stand-in)" ;;
  update | deploy)
    [ -n "$DOMAIN_HOME_ARG" ] || die 100 "-domain_home is required"
    [ -f "$DOMAIN_HOME_ARG/config/config.xml" ] || die 2 "$DOMAIN_HOME_ARG is not a domain home (no config/config.xml)"
    sed -i "s|^</domain>|  <!-- ${op}: $MODELS -->\n</domain>|" "$DOMAIN_HOME_ARG/config/config.xml"
    extract_archives
    say "${op} of $DOMAIN_HOME_ARG completed (wlsimg test stand-in)" ;;
  esac
  exit 0
}
