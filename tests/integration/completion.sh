#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Completions (contrib/completion/): the committed files equal what tools/gen_completions.cpp
# writes from the CLI definition today; the bash one completes real command lines (its function
# called as bash calls it), the zsh one in a real interactive zsh at a pseudo-terminal
# (complete.zsh types the line and TAB), the fish one through fish's own complete -C. Needs: GEN_COMPLETIONS (the built generator), HARDRUN_SOURCE_DIR, BUILD_DIR.
# Which part runs: $1 = fresh | bash | zsh | fish.
set -euo pipefail
: "${GEN_COMPLETIONS:?}" "${HARDRUN_SOURCE_DIR:?}"
src=$HARDRUN_SOURCE_DIR/contrib/completion
build=${BUILD_DIR:-BUILD}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fresh() {
  "$GEN_COMPLETIONS" "$tmp"
  local f stale=0
  for f in hardrun.bash _hardrun hardrun.fish; do
    if ! diff -u "$src/$f" "$tmp/$f" >"$tmp/$f.diff"; then
      cat "$tmp/$f.diff" >&2
      stale=1
    fi
  done
  if ((stale)); then
    echo "contrib/completion/ is stale (the CLI changed); run: cmake --build $build --target completions && cp $build/completion/hardrun.bash $build/completion/_hardrun $build/completion/hardrun.fish $HARDRUN_SOURCE_DIR/contrib/completion/" >&2
    exit 1
  fi
  echo "ok: contrib/completion/ matches the CLI definition"
}

fail=0
# expect "LINE" WORD... : completing the last word of LINE (split on spaces; a trailing space
# means an empty current word) offers every WORD; "!WORD" must not be offered; "-" alone means
# nothing at all is offered.
expect() {
  local line=$1
  shift
  local -a words
  read -r -a words <<<"$line"
  [[ $line == *' ' ]] && words+=("")
  COMP_WORDS=("${words[@]}")
  COMP_CWORD=$((${#words[@]} - 1))
  COMP_LINE=$line
  COMP_POINT=${#line}
  COMPREPLY=()
  _hardrun hardrun "${words[COMP_CWORD]}" "${words[COMP_CWORD - 1]:-}"
  local got=" ${COMPREPLY[*]} " w
  for w in "$@"; do
    if [[ $w == - ]]; then
      if ((${#COMPREPLY[@]} != 0)); then
        echo "FAIL: '$line' offered ${COMPREPLY[*]}, expected nothing" >&2
        fail=1
      fi
    elif [[ $w == '!'* ]]; then
      if [[ $got == *" ${w#!} "* ]]; then
        echo "FAIL: '$line' offered ${w#!}: $got" >&2
        fail=1
      fi
    elif [[ $got != *" $w "* ]]; then
      echo "FAIL: '$line' did not offer $w; offered:$got" >&2
      fail=1
    fi
  done
}

bash_case() {
  # shellcheck source=/dev/null
  source "$src/hardrun.bash"
  [[ $(complete -p hardrun) == *'-F _hardrun'* ]] || { echo "FAIL: complete -p hardrun: not registered" >&2; exit 1; }
  cd "$tmp"
  mkdir -p bundle.d/sub
  : >config.json
  : >key.pem
  # Subcommand names, and only them, at the first word.
  expect "hardrun " harden check run precreate setup verify install-hook quadlet update audit doctor '!--help'
  expect "hardrun ha" harden '!check'
  expect "hardrun in" install-hook
  expect "hardrun -" --help --version '!harden'
  # Options of the subcommand on the line.
  expect "hardrun run --se" --secret '!--secrets'
  expect "hardrun run -" --secret --user -u --env -e --dry-run --rm --help
  expect "hardrun harden --" --bundle --in --out --policy --dry-run --json '!--secret'
  expect "hardrun verify --re" --registries-d '!--root'
  # A FILE value completes files, a DIR value directories only, a NAME value nothing.
  expect "hardrun run --secret k" key.pem '!config.json'
  expect "hardrun harden --bundle b" bundle.d
  expect "hardrun harden --bundle " bundle.d '!config.json' '!key.pem'
  expect "hardrun install-hook --hooks-dir " bundle.d '!config.json'
  expect "hardrun harden --policy c" config.json
  expect "hardrun run --name " -
  expect "hardrun run --user " -
  # check's positional is a FILE; after `run IMAGE` the words are the container's command.
  expect "hardrun check c" config.json
  expect "hardrun run --rm img@sha256:0 -" -
  expect "hardrun run --name web -" --secret
  ((fail == 0)) || exit 1
  echo "ok: bash completion"
}

# zexpect "LINE" WANT... : after typing LINE and TAB in zsh, the terminal shows every WANT
# ("!WORD": never shows WORD).
zexpect() {
  local line=$1 shown w
  shift
  shown=$(zsh -f "$HARDRUN_SOURCE_DIR/tests/integration/complete.zsh" "$src" "$tmp" "$line" 2>&1 | tr -d '\r') || true
  for w in "$@"; do
    if [[ $w == '!'* ]]; then
      [[ $shown != *"${w#!}"* ]] || { echo "FAIL: zsh: '$line<TAB>' showed ${w#!}: $shown" >&2; fail=1; }
    elif [[ $shown != *"$w"* ]]; then
      echo "FAIL: zsh: '$line<TAB>' did not show '$w': $shown" >&2
      fail=1
    fi
  done
}

zsh_case() {
  mkdir -p "$tmp/bundle.d"
  : >"$tmp/config.json"
  : >"$tmp/key.pem"
  # The subcommands with their descriptions; a unique prefix completes the word.
  zexpect "hardrun " "run  " "-- Run IMAGE@sha256:DIGEST" install-hook doctor verify '!key.pem'
  zexpect "hardrun ver" "hardrun verify "
  # A subcommand's option, described; a FILE value completes files, a DIR value directories only.
  zexpect "hardrun run --se" "--secret" "-- mount FILE read-only"
  zexpect "hardrun run --secret k" "hardrun run --secret key.pem "
  zexpect "hardrun harden --bundle " "hardrun harden --bundle bundle.d/" '!config.json'
  ((fail == 0)) || exit 1
  echo "ok: zsh completion"
}

case ${1:-} in
fresh) fresh ;;
bash) bash_case ;;
zsh)
  command -v zsh >/dev/null || { echo "skip: zsh is not installed (contrib/dev.sh deps)"; exit 77; }
  zsh -n "$src/_hardrun"
  zsh_case
  ;;
fish)
  command -v fish >/dev/null || { echo "skip: fish is not installed (contrib/dev.sh deps)"; exit 77; }
  fish --no-execute "$src/hardrun.fish"
  # And really loaded, it completes subcommands and options.
  out=$(fish -c "source '$src/hardrun.fish'; complete -C'hardrun run --se'")
  [[ $out == *--secret* ]] || { echo "FAIL: fish: 'hardrun run --se' offered: $out" >&2; exit 1; }
  out=$(fish -c "source '$src/hardrun.fish'; complete -C'hardrun '")
  [[ $out == *install-hook* && $out == *doctor* ]] || { echo "FAIL: fish: 'hardrun ' offered: $out" >&2; exit 1; }
  echo "ok: fish completion"
  ;;
*)
  echo "usage: completion.sh fresh|bash|zsh|fish" >&2
  exit 2
  ;;
esac
