# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
#
# TAP output for the shell tiers:
#
#   report ok|not-ok NAME MESSAGE   one numbered TAP line; counts into PASSED and FAILED
#   diag FILE                       the file's first 40 lines as TAP diagnostics
#   tap_finish                      the plan line and the totals; fails when a row failed
#   skip_tier TIER REASON           exit 77 (skipped), or 1 under HARDRUN_TEST_MUST_WORK=1
#
# Globals: N, PASSED, FAILED (set to 0 when sourced).
N=0
PASSED=0
FAILED=0

report() { # ok|not-ok name message
  N=$((N + 1))
  if [[ $1 == ok ]]; then
    PASSED=$((PASSED + 1))
    echo "ok $N - $2: $3"
  else
    FAILED=$((FAILED + 1))
    echo "not ok $N - $2: $3"
  fi
}

diag() { # file
  [[ -s $1 ]] && sed 's/^/# /' "$1" | head -n 40
  return 0
}

tap_finish() {
  echo "1..$N"
  echo "# $PASSED passed, $FAILED failed"
  ((FAILED == 0))
}

skip_tier() { # tier reason
  if [[ ${HARDRUN_TEST_MUST_WORK:-0} == 1 ]]; then
    echo "$1: FAIL: cannot run: $2 (HARDRUN_TEST_MUST_WORK=1)" >&2
    exit 1
  fi
  echo "$1: SKIP: $2"
  exit 77
}
