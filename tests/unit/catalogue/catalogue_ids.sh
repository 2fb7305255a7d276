#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Every case id of the security catalogue (security.md §4: 102 cases) must have a row in
# tests/CATALOGUE.md naming the test that covers it, or saying why it is a gap. The id list
# is embedded here on purpose: the tests never read the reference documents. A case id
# missing from the map, listed twice, or with an empty "where" (unless its status is gap)
# fails; so does an id in the map that the catalogue does not have.
# Usage: catalogue_ids.sh [CATALOGUE.md] (default: the one next to this tests/ tree).
set -euo pipefail

MAP=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/CATALOGUE.md}
[[ -r $MAP ]] || { echo "catalogue_ids: FAIL: $MAP is missing" >&2; exit 1; }

ids=()
add() { # prefix first last
  local i
  for ((i = $2; i <= $3; i++)); do ids+=("$1$i"); done
}
add S 1 13 # §4.1 state JSON
add C 1 19 # §4.2 config.json
add P 1 9  # §4.3 policy files
add I 1 9  # §4.4 references and digests
add G 1 14 # §4.5 signatures
add X 1 9  # §4.6 secrets
add U 1 8  # §4.7 user-namespace mappings
add K 1 6  # §4.8 concurrency
add D 1 4  # §4.9 disk full
add M 1 4  # §4.10 crash consistency
add H 1 7  # §4.11 hook/shim integration

declare -A known=()
for id in "${ids[@]}"; do known[$id]=1; done
fails=0
# Rows: | id | expected | where | status |
rows=$(grep -E '^\| [A-Z][0-9]{1,2} \|' "$MAP" || true)
for id in "${ids[@]}"; do
  matches=$(grep -cE "^\| $id \|" <<<"$rows" || true)
  if [[ $matches == 0 ]]; then
    echo "not ok - $id has no row in $MAP"
    fails=$((fails + 1))
    continue
  fi
  if [[ $matches != 1 ]]; then
    echo "not ok - $id has $matches rows in $MAP"
    fails=$((fails + 1))
    continue
  fi
  IFS='|' read -r _ _ expected where status _ <<<"$(grep -E "^\| $id \|" <<<"$rows")"
  status=$(echo "$status" | sed 's/^ *//; s/ *$//')
  where=$(echo "$where" | sed 's/^ *//; s/ *$//')
  expected=$(echo "$expected" | sed 's/^ *//; s/ *$//')
  case $status in
    covered* | partial*) [[ -n $where && $where != — ]] || { echo "not ok - $id is $status but names no test"; fails=$((fails + 1)); } ;;
    gap*) [[ $status == gap:* || $status == "gap" ]] || true ;;
    *) echo "not ok - $id: status \"$status\" is not covered, partial or gap"; fails=$((fails + 1)) ;;
  esac
  [[ -n $expected ]] || { echo "not ok - $id states no expected result"; fails=$((fails + 1)); }
done
# Rows for ids the catalogue does not have (typos such as C20).
while read -r id; do
  [[ -z $id ]] && continue
  if [[ -z ${known[$id]:-} ]]; then
    echo "not ok - $MAP has a row for $id, which is not a catalogue case"
    fails=$((fails + 1))
  fi
done < <(sed -nE 's/^\| ([A-Z][0-9]{1,2}) \|.*/\1/p' "$MAP")

covered=$(grep -cE '^\| [A-Z][0-9]{1,2} \|.*\| covered[^|]*\|$' "$MAP" || true)
partial=$(grep -cE '^\| [A-Z][0-9]{1,2} \|.*\| partial[^|]*\|$' "$MAP" || true)
gap=$(grep -cE '^\| [A-Z][0-9]{1,2} \|.*\| gap[^|]*\|$' "$MAP" || true)
echo "# ${#ids[@]} catalogue ids: $covered covered, $partial partial, $gap gap"
if ((fails > 0)); then
  echo "catalogue_ids: $fails problem(s)"
  exit 1
fi
echo "ok - every catalogue id has a row in CATALOGUE.md"
