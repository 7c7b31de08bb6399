#!/usr/bin/env bash
# The man pages (help2man, from --help), `make install PREFIX=…` and the bash and zsh completion:
# pages render with man -l and say what --help says, every command has one, a group's page has each
# subcommand; the installed completion is loaded by bash (complete -p) and answers as expected,
# through bash's own completion function and through zsh's.
source "$(dirname "$0")/lib.sh"
need help2man
need man
need zsh
W=$WLSIMG
ROOT=$(cd "$T_HERE/../.." && pwd)

# ---------------------------------------------------------------- make install PREFIX=…
# The build directory that made $WLSIMG (build, build-clang, build-asan): install from it, without a rebuild.
BUILD=$(realpath --relative-to="$ROOT" "$(dirname "$(realpath "$W")")")
P=$T_DIR/prefix
check "make install PREFIX=… (BUILD=$BUILD)" make -s -C "$ROOT" BUILD="$BUILD" install PREFIX="$P"
check "the installed binary runs" "$P/bin/wlsimg" --version
NCMD=$("$W" __complete '' | cut -f1 | grep -vc '^help$')
check_eq "a man page per command, and wlsimg(1)" "$(ls "$P/share/man/man1" | grep -cE '^wlsimg(-[A-Za-z0-9]+)?\.1$')" $((NCMD + 1))
check "bash completion installed" test -s "$P/share/bash-completion/completions/wlsimg"
check "zsh completion installed" test -s "$P/share/zsh/site-functions/_wlsimg"
check "make uninstall" make -s -C "$ROOT" BUILD="$BUILD" uninstall PREFIX="$P"
check_eq "uninstall leaves nothing" "$(find "$P" -type f | wc -l)" 0
check "install again with DESTDIR" make -s -C "$ROOT" BUILD="$BUILD" install PREFIX=/usr DESTDIR="$T_DIR/dest"
check "DESTDIR is honoured" test -x "$T_DIR/dest/usr/bin/wlsimg"
MAN=$T_DIR/dest/usr/share/man/man1

# ---------------------------------------------------------------- the pages
bad=0
for f in "$MAN"/*.1; do
  if ! MANWIDTH=100 man --warnings -l "$f" > "$T_DIR/page.txt" 2> "$T_DIR/page.err" || [ -s "$T_DIR/page.err" ]; then
    bad=$((bad + 1)); echo "    $(basename "$f"): $(head -3 "$T_DIR/page.err")"
  fi
  grep -q '???' "$T_DIR/page.txt" && { bad=$((bad + 1)); echo "    $(basename "$f"): unrenderable characters"; }
done
check_eq "every page renders with man -l, without warnings" "$bad" 0
MANWIDTH=100 man -l "$MAN/wlsimg-push.1" > "$T_DIR/push.txt" 2> /dev/null
check_eq "wlsimg-push(1) is named for man" "$(sed -n '/^NAME/{n;p}' "$T_DIR/push.txt" | sed 's/^ *//')" \
  "wlsimg-push - Push an image from the store to a registry"
# every option --help lists is in the page
opts_help=$("$W" push --help | grep -oE '^ +(-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+' | sort | tr '\n' ' ')
opts_man=$(grep -oE '^ +(-[a-z], )?--[a-z-]+' "$T_DIR/push.txt" | grep -oE -- '--[a-z-]+' | sort -u | tr '\n' ' ')
check_eq "the page has exactly the options --help lists" "$opts_man" "$opts_help"
MANWIDTH=100 man -l "$MAN/wlsimg-registry.1" > "$T_DIR/registry.txt" 2> /dev/null
check_eq "a group's page has a section per subcommand" \
  "$(grep -cE '^WLSIMG REGISTRY (SERVE|GC|USER ADD|USER LIST|USER DELETE|TOKEN CREATE|TOKEN LIST|TOKEN REVOKE|REPO LIST|REPO CREATE|REPO SET-PUBLIC|REPO SET-PRIVATE|REPO DELETE)$' "$T_DIR/registry.txt")" 13
MANWIDTH=100 man -l "$MAN/wlsimg.1" > "$T_DIR/wlsimg.txt" 2> /dev/null
check_eq "wlsimg(1) has the README's environment table" \
  "$(sed -n '/^ENVIRONMENT/,/^SEE ALSO/p' "$T_DIR/wlsimg.txt" | grep -cE '^       (WLSIMG_STORE|DOCKER_CONFIG|REGISTRY_AUTH_FILE|SOURCE_DATE_EPOCH)$')" 4
check_eq "wlsimg(1) documents -v and -vv" "$(grep -c 'twice (-vv)' "$T_DIR/wlsimg.txt")" 1
check_eq "wlsimg(1) points to every command's page" "$(sed -n '/^SEE ALSO/,$p' "$T_DIR/wlsimg.txt" | grep -o 'wlsimg-[A-Za-z0-9]*(1)' | wc -l)" "$NCMD"

# ---------------------------------------------------------------- bash completion
export WLSIMG_STORE=$T_DIR/store
export SOURCE_DATE_EPOCH=1700000000
mkdir -p "$T_DIR/r" && echo x > "$T_DIR/r/x" && tar -C "$T_DIR/r" -cf "$T_DIR/r.tar" .
"$W" import "$T_DIR/r.tar" --tag myorg/base:1 > /dev/null
"$W" tag myorg/base:1 myorg/base:2
touch "$T_DIR/auth-one.json"
mkdir -p "$T_DIR/bin" && ln -s "$(realpath "$W")" "$T_DIR/bin/wlsimg"
cat > "$T_DIR/bash-complete.sh" << 'EOF'
# complete LINE: what the loaded completion offers for LINE (as bash calls it: COMP_* set).
complete_line() {
  COMP_LINE=$1 COMP_POINT=${#1}
  read -r -a COMP_WORDS <<< "$1"
  [[ $1 == *' ' ]] && COMP_WORDS+=('')
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  $(complete -p wlsimg | sed -E 's/.*-F ([^ ]+) .*/\1/')
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
source "$1"
complete -p wlsimg
for l in "${@:2}"; do printf '%s|' "$l"; complete_line "$l"; echo; done
EOF
PATH=$T_DIR/bin:$PATH check "bash loads the installed completion" bash --norc "$T_DIR/bash-complete.sh" \
  "$T_DIR/dest/usr/share/bash-completion/completions/wlsimg" \
  "wlsimg pu" "wlsimg registry " "wlsimg registry user d" "wlsimg push " "wlsimg push myorg/base:1 --tl" \
  "wlsimg images --format=j" "wlsimg images --format " "wlsimg createAuxImage --wdtMod" \
  "wlsimg push --authfile $T_DIR/auth-" "wlsimg help sys" "wlsimg -v ima" "wlsimg k8s secret "
check_eq "complete -p shows the function" "$(head -1 "$T_DIR/last.out")" "complete -F _wlsimg wlsimg"
want="wlsimg pu|pull push 
wlsimg registry |gc help repo serve token user 
wlsimg registry user d|delete 
wlsimg push |myorg/base:1 myorg/base:2 
wlsimg push myorg/base:1 --tl|--tls-verify 
wlsimg images --format=j|json 
wlsimg images --format |json table 
wlsimg createAuxImage --wdtMod|--wdtModel --wdtModelHome 
wlsimg push --authfile $T_DIR/auth-|$T_DIR/auth-one.json 
wlsimg help sys|system 
wlsimg -v ima|image images 
wlsimg k8s secret |docker-registry generic help "
check_eq "commands, subcommands, options, their values, files and image names complete" "$(sed 1d "$T_DIR/last.out")" "$want"

# ---------------------------------------------------------------- zsh completion
# zsh runs the installed _wlsimg with its completion builtins replaced by ones that print what they get.
cat > "$T_DIR/zsh-complete.zsh" << 'EOF'
compdef() { print -r -- "compdef $*" }
_describe() { local -a c; c=("${(@P)${@[-1]}}"); print -rl -- "${c[@]}" }
_files() { print -r -- "_files $*" }
source "$1"
shift
for l in "$@"; do
  words=(${(z)l}); [[ $l == *' ' ]] && words+=('')
  CURRENT=${#words}
  print -r -- "[$l]"; _wlsimg
done
EOF
PATH=$T_DIR/bin:$PATH check "zsh runs the installed completion" zsh -f "$T_DIR/zsh-complete.zsh" \
  "$T_DIR/dest/usr/share/zsh/site-functions/_wlsimg" "wlsimg pu" "wlsimg push " "wlsimg push --authfile /tm"
check_eq "zsh: commands with their descriptions, image names (':' escaped), files" "$(cat "$T_DIR/last.out")" "compdef _wlsimg wlsimg
[wlsimg pu]
push:Push an image from the store to a registry
pull:Pull an image from a registry into the store
[wlsimg push ]
myorg/base\\:1
myorg/base\\:2
[wlsimg push --authfile /tm]
_files "
finish
