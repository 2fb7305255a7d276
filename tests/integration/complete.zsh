# SPDX-License-Identifier: Apache-2.0
# Drives a real interactive zsh (zsh/zpty, a pseudo-terminal) as a user at the prompt: loads
# compinit with the directory holding _hardrun first in fpath, types LINE, presses TAB, and prints
# what the terminal then showed (the completed line, or the list of matches with their
# descriptions). completion.sh checks that output.
# Usage: zsh -f complete.zsh COMPLETION_DIR WORK_DIR LINE
setopt extendedglob
zmodload zsh/zpty || exit 3
local src=$1 work=$2 line=$3 x
zpty hr zsh -f -i
# One command, then wait for its marker: nothing is typed before compinit has run.
zpty -w hr "PS1='> '; cd ${(q)work}; fpath=(${(q)src} \$fpath); autoload -Uz compinit; compinit -u -D; zstyle ':completion:*' list-prompt ''; echo READY\$((40+2))"
zpty -r hr x '*READY42*' || { print -u2 "complete.zsh: the shell did not start"; exit 3 }
zpty -w -n hr "$line"$'\t'
# What the completion wrote; the listing comes in pieces, so read until it has been quiet.
local out= n=0
while (( n < 10 )); do
  if zpty -r -t hr x; then
    out+=$x
    n=0
  else
    sleep 0.1
    (( n++ ))
  fi
done
zpty -d hr
# The terminal's escape sequences out, so that a caller can match words.
print -r -- "${out//$'\e'\[[0-9;?]#[A-Za-z]/}"
