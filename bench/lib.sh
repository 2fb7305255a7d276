# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
#
# Argument parsing, timing and reporting helpers shared by the bench/ scripts (sourced; the
# timing helpers need BENCH_DIR, a scratch directory):
#
#   bench_args DEFAULT_RUNS ARGS...
#                           -n RUNS, --build DIR, --keep, -h (prints the script's header
#                           comment); sets RUNS, BUILD (default ROOT/build) and KEEP (0/1)
#   sample NAME CMD...      one run of CMD (stdin from $STDIN, default /dev/null), its wall
#                           time from bash's EPOCHREALTIME (no extra process per sample)
#                           appended to $BENCH_DIR/t.NAME (µs, one a line); LAST_RC = its exit
#                           status, its stderr in $BENCH_DIR/e.NAME. Callers sample their rows
#                           in turn (round robin), so that all rows share the host's load alike
#   pct NAME P              the P-th percentile of NAME in ms (3 decimals)
#   rss CMD...              peak RSS (KiB) of one run of CMD, from GNU time (Debian `time`)
#   minus A B, ratio A B, le A B, double A
#   target DESCRIPTION VALUE LIMIT
#                           one "PASS"/"MISS" line
#
# Defines functions only; sets no options.

# shellcheck disable=SC2034 # RUNS, BUILD, KEEP are the caller's
bench_args() { # default-runs args...
  RUNS=$1 BUILD=$ROOT/build KEEP=0
  shift
  while (($#)); do
    case $1 in
      -n) RUNS=$2; shift 2 ;;
      --build) BUILD=$2; shift 2 ;;
      --keep) KEEP=1; shift ;;
      -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
      *) echo "${0##*/}: unknown argument $1" >&2; exit 2 ;;
    esac
  done
}

# shellcheck disable=SC2034 # LAST_RC is read by the callers
sample() { # name cmd...: one timed run appended to t.NAME
  local name=$1 t0 t1
  shift
  t0=$EPOCHREALTIME
  LAST_RC=0
  "$@" <"${STDIN:-/dev/null}" >/dev/null 2>"$BENCH_DIR/e.$name" || LAST_RC=$?
  t1=$EPOCHREALTIME
  echo "$((${t1/./} - ${t0/./}))" >>"$BENCH_DIR/t.$name"
}

pct() { # name percent -> ms with 3 decimals
  sort -n "$BENCH_DIR/t.$1" | awk -v p="$2" '{ v[NR] = $1 } END { i = int(p / 100 * (NR - 1)) + 1; printf "%.3f", v[i] / 1000 }'
}

rss() { # KiB peak of one run of CMD (stdin $STDIN)
  /usr/bin/time -f '%M' -o "$BENCH_DIR/rss" "$@" <"${STDIN:-/dev/null}" >/dev/null 2>&1 || true
  tail -n 1 "$BENCH_DIR/rss"
}

minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "-" }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
double() { awk -v a="$1" 'BEGIN { print 2 * a }'; }

target() { # description value limit
  local verdict=MISS
  le "$2" "$3" && verdict=PASS
  printf '  %-74s %s\n' "$1" "$verdict"
}
