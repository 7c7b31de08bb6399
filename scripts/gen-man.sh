#!/usr/bin/env bash
# Generate the man pages from the binary's own help (help2man), so they say what --help says:
#   wlsimg.1           from `wlsimg --help`, with ENVIRONMENT from the README's table
#   wlsimg-COMMAND.1   from `wlsimg COMMAND --help-all`: a group's page has a section per subcommand
# usage: scripts/gen-man.sh WLSIMG_BINARY OUTDIR
set -euo pipefail
bin=$1 out=$2
here=$(cd "$(dirname "$0")/.." && pwd)
command -v help2man > /dev/null || { echo "gen-man.sh: help2man is missing (scripts/deps.sh installs it)" >&2; exit 1; }
version=$("$bin" --version | awk '{print $2}')
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/wlsimg-man.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The top-level commands and their summaries, as the shell completion lists them.
"$bin" __complete '' | grep -v '^help	' > "$work/commands"
# SEE ALSO entries, one a line; \% keeps a name from being hyphenated at a line end.
pages=$(cut -f1 "$work/commands" | sed 's/^/.BR \\%wlsimg\\-/; s/$/ (1),/' | sed '$ s/,$//')

# ENVIRONMENT: the rows of the README's table between its markers, `NAME` | text.
{
  echo '[ENVIRONMENT]'
  sed -n '/<!-- env-table-start -->/,/<!-- env-table-end -->/p' "$here/README.md" |
    grep -E '^\| `' | while IFS='|' read -r _ name what _; do
      name=$(echo "$name" | tr -d '`' | sed 's/^ *//; s/ *$//')
      what=$(echo "$what" | tr -d '`' | sed 's/^ *//; s/ *$//; s/\\/\\e/g')
      printf '.TP\n.B %s\n%s\n' "$name" "$what"
    done
  echo '[SEE ALSO]'
  echo "$pages"
} > "$work/main.h2m"
printf '[SEE ALSO]\nwlsimg(1)\n' > "$work/sub.h2m"

# man's page name is wlsimg-COMMAND: help2man titles it after the program (wlsimg).
retitle() { # FILE COMMAND
  local up
  up=$(echo "wlsimg-$2" | tr '[:lower:]' '[:upper:]')
  sed -i -e "s/^\.TH WLSIMG /.TH $up /" -e "s/^wlsimg $2 \\\\- /wlsimg-$2 \\\\- /" "$1"
}

common=(--no-info --locale=C.UTF-8 --version-string="$version" --section=1 --source="wlsimg $version" --manual="wlsimg manual")
help2man "${common[@]}" --name="build, store, push and pull WebLogic images without a Docker daemon" \
  --include="$work/main.h2m" --output="$out/wlsimg.1" "$bin"
while IFS=$'\t' read -r cmd summary; do
  help2man "${common[@]}" --help-option=--help-all --name="$summary" --include="$work/sub.h2m" \
    --output="$out/wlsimg-$cmd.1" "$bin $cmd"
  retitle "$out/wlsimg-$cmd.1" "$cmd"
done < "$work/commands"
# The help text's "…" would print as "???" where man runs in the C locale.
sed -i 's/…/.../g' "$out"/*.1
