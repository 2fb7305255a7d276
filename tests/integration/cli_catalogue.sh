#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The jq programs below use jq variables ($profile, $seccomp, $k) in single quotes on purpose.
# shellcheck disable=SC2016
#
# The bad-input catalogue of docs security.md §4.2 (config.json) and §4.3 (hardening profile
# files), run against the hardrun CLI: each case builds its input in a private temp dir from a
# captured podman config (tests/golden), runs hardrun, and checks the exit status, the message
# (what + where), and, where a file is involved, that the original is byte-identical afterwards
# and no *.hardrun-tmp file is left behind.
#
# Needs no root; the cases that do (a profile owned by another uid) are skipped without it.
# Environment: HARDRUN_BIN (the hardrun binary), HARDRUN_SOURCE_DIR (the repository root).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HARDRUN_SOURCE_DIR=${HARDRUN_SOURCE_DIR:-$(cd "$SCRIPT_DIR/../.." && pwd)}
HARDRUN_BIN=${HARDRUN_BIN:-$HARDRUN_SOURCE_DIR/build/launcher/hardrun}
POLICY=$HARDRUN_SOURCE_DIR/tests/data/profiles/test.json
SECCOMP=$HARDRUN_SOURCE_DIR/policies/seccomp/default.json
GOLDEN_DIR=$HARDRUN_SOURCE_DIR/tests/golden
# A config that needs only fixable changes (it has its own user and network namespaces).
BASE=$GOLDEN_DIR/uidmap-netnone.in.json
# podman's default: bridge networking, whose network namespace exists before the container.
BASE_DEFAULT=$GOLDEN_DIR/default.in.json

skip_all() {
  if [[ ${HARDRUN_TEST_MUST_WORK:-0} == 1 ]]; then
    echo "cli_catalogue: FAIL: cannot run: $1 (HARDRUN_TEST_MUST_WORK=1)" >&2
    exit 1
  fi
  echo "cli_catalogue: SKIP: $1"
  exit 77
}

command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
command -v sha256sum >/dev/null 2>&1 || skip_all "sha256sum is not installed"
for f in "$HARDRUN_BIN" "$POLICY" "$SECCOMP" "$BASE" "$BASE_DEFAULT"; do
  [[ -e $f ]] || { echo "cli_catalogue: FAIL: $f is missing" >&2; exit 1; }
done

umask 022
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hardrun-cli-catalogue.XXXXXXXXXX")
trap 'rm -rf -- "$WORK"' EXIT
trap 'exit 130' INT TERM
IS_ROOT=0
[[ $(id -u) == 0 ]] && IS_ROOT=1

PASSED=0
FAILED=0
SKIPPED=0
N=0
WHY=""      # the first failed assertion of the current case
CASE_DIR="" # the current case's private directory
RC=0        # exit status of the last run_hardrun

new_case() {
  WHY=""
  CASE_DIR=$(mktemp -d "$WORK/case.XXXXXXXX")
}

# Records the first failed assertion of the case (later ones are usually consequences).
failed() {
  [[ -n $WHY ]] || WHY=$1
}

finish() { # name description
  N=$((N + 1))
  if [[ -z $WHY ]]; then
    PASSED=$((PASSED + 1))
    echo "ok $N - $1: $2"
  else
    FAILED=$((FAILED + 1))
    echo "not ok $N - $1: $2: $WHY"
    local s
    for s in stdout stderr; do
      [[ -s $CASE_DIR/$s ]] && sed "s/^/# $s: /" "$CASE_DIR/$s" | head -n 12
    done
  fi
  return 0
}

skip_case() { # name reason
  N=$((N + 1))
  SKIPPED=$((SKIPPED + 1))
  echo "ok $N - $1 # SKIP $2"
}

# Runs hardrun with a deadline; stdout and stderr go to the case directory, status to RC.
run_hardrun() {
  RC=0
  timeout --kill-after=5 30 "$HARDRUN_BIN" "$@" </dev/null >"$CASE_DIR/stdout" 2>"$CASE_DIR/stderr" || RC=$?
}

# Exit status and message. Errors (stream err) are one line on stderr; findings of a refusal
# (stream out) are listed on stdout when the config goes to a file.
expect() { # rc stream substring
  if [[ $RC != "$1" ]]; then
    failed "exit status $RC, want $1"
    return
  fi
  [[ -n $3 ]] || return 0
  local file=$CASE_DIR/stdout
  if [[ $2 == err ]]; then
    file=$CASE_DIR/stderr
    local lines
    lines=$(wc -l <"$file")
    ((lines == 1)) || failed "stderr has $lines lines, want one message line"
  fi
  grep -qF -- "$3" "$file" || failed "std$2 lacks \"$3\""
}

sha() {
  sha256sum <"$1" | cut -d' ' -f1
}

expect_same() { # file sha-before
  if [[ ! -f $1 ]]; then
    failed "$1 is gone"
  elif [[ $(sha "$1") != "$2" ]]; then
    failed "$1 was modified"
  fi
}

expect_absent() { # path
  [[ ! -e $1 && ! -L $1 ]] || failed "$1 was created"
}

expect_no_temp() { # dir
  local left
  left=$(find "$1" -name '*.hardrun-tmp' -print -quit)
  [[ -z $left ]] || failed "temporary file left behind: $left"
}

# jq boolean over a file; extra jq arguments first.
expect_jq() { # description file filter [jq args...]
  local what=$1 file=$2 filter=$3 got
  shift 3
  if ! got=$(jq "$@" -e "$filter" "$file" 2>&1); then
    failed "$what: jq '$filter' gave ${got:-false}"
  fi
}

# --- §4.2: config.json, table-driven --------------------------------------------------------
#
# config_case NAME BASE RC STREAM SUBSTRING JQ-MUTATION [POST-CONDITION]
# Writes BASE | JQ-MUTATION to a bundle's config.json and runs `hardrun harden --bundle`. A
# refusal or error (RC != 0) must leave config.json byte-identical; a success must rewrite it
# so that `hardrun check` passes and POST-CONDITION (jq, over the result; $profile and $seccomp
# are bound) holds. Never a temporary file left.
config_case() {
  local name=$1 base=$2 want_rc=$3 stream=$4 substring=$5 mutation=$6 post=${7:-}
  new_case
  local bundle=$CASE_DIR/bundle config before
  mkdir "$bundle"
  config=$bundle/config.json
  if ! jq -c "$mutation" "$base" >"$config" 2>"$CASE_DIR/stderr"; then
    failed "bad test: jq mutation failed"
    finish "$name" "$mutation"
    return
  fi
  before=$(sha "$config")
  run_hardrun harden --policy "$POLICY" --bundle "$bundle"
  expect "$want_rc" "$stream" "$substring"
  if [[ $want_rc != 0 ]]; then
    expect_same "$config" "$before"
  else
    [[ $(sha "$config") != "$before" ]] || failed "config.json was not rewritten"
    local rc=0
    "$HARDRUN_BIN" check --policy "$POLICY" "$config" >"$CASE_DIR/check.out" 2>&1 || rc=$?
    [[ $rc == 0 ]] || failed "hardrun check of the result exited $rc"
    if [[ -n $post ]]; then
      expect_jq "result" "$config" "$post" --slurpfile profile "$POLICY" --slurpfile seccomp "$SECCOMP"
    fi
  fi
  expect_no_temp "$CASE_DIR"
  finish "$name" "exit $want_rc${substring:+, \"$substring\"}"
}

ALL_CAPS_EMPTY='.process.capabilities | ((keys | sort) == ["ambient", "bounding", "effective", "inheritable", "permitted"]) and all(.[]; . == [])'

config_case C0-baseline "$BASE" 0 out "hardened with profile test" '.' \
  '.process.user.uid == 10001 and .root.readonly == true and .process.noNewPrivileges == true'
config_case C0-default-netns-path "$BASE_DEFAULT" 1 out "no user namespace" '.'

config_case C3-cwd-proc-self-fd "$BASE" 1 out 'safe-cwd  /process/cwd: process.cwd "/proc/self/fd/7" not allowed' \
  '.process.cwd = "/proc/self/fd/7"'
config_case C3-cwd-dotdot "$BASE" 1 out 'safe-cwd  /process/cwd: process.cwd "/../.." not allowed' \
  '.process.cwd = "/../.."'

for set in bounding effective inheritable permitted ambient; do
  config_case "C4-sys-admin-in-$set" "$BASE" 0 out "hardened with profile test" \
    ".process.capabilities.$set = ((.process.capabilities.$set // []) + [\"CAP_SYS_ADMIN\"])" "$ALL_CAPS_EMPTY"
done
config_case C4-ambient-only "$BASE" 0 out "hardened with profile test" \
  '.process.capabilities = {"ambient": ["CAP_SYS_ADMIN"]}' "$ALL_CAPS_EMPTY"

config_case C5-no-new-privs-false "$BASE" 0 out "hardened" '.process.noNewPrivileges = false' \
  '.process.noNewPrivileges == true'
config_case C5-no-new-privs-absent "$BASE" 0 out "hardened" 'del(.process.noNewPrivileges)' \
  '.process.noNewPrivileges == true'
config_case C6-readonly-false "$BASE" 0 out "hardened" '.root.readonly = false' \
  '.root.readonly == true and ([.mounts[] | select(.type == "tmpfs") | .destination] | index("/tmp") != null)'
config_case C7-uid-0 "$BASE" 0 out "hardened" '.process.user.uid = 0 | .process.user.gid = 0' \
  '.process.user.uid == 10001 and .process.user.gid == 10001'

config_case C8-pid-namespace-missing "$BASE" 1 out "no-host-namespaces  /linux/namespaces: shares the host's pid namespace" \
  'del(.linux.namespaces[] | select(.type == "pid"))'
config_case C8-pid-namespace-path "$BASE" 1 out "joins the pid namespace at /proc/1/ns/pid" \
  '(.linux.namespaces[] | select(.type == "pid")) += {"path": "/proc/1/ns/pid"}'

config_case C9-bind-over-proc "$BASE" 1 out 'safe-mount-destinations  /mounts/11/destination: binds over /proc' \
  '.mounts += [{"destination": "/proc", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro"]}]'
config_case C9-cgroup-rw "$BASE" 1 out 'no-writable-kernel-fs  /mounts/10/options: /sys/fs/cgroup (cgroup) is writable' \
  '(.mounts[] | select(.destination == "/sys/fs/cgroup") | .options) |= (map(select(. != "ro")) + ["rw"])'
config_case C9-destination-dotdot "$BASE" 1 out 'destination "/data/../etc" is relative or contains ..' \
  '.mounts += [{"destination": "/data/../etc", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}]'

for src in / /var/run/docker.sock /run/podman/podman.sock /etc; do
  config_case "C10-bind-source=$src" "$BASE" 1 out "no-sensitive-mounts  /mounts/11/source: binds host path $src " \
    ".mounts += [{\"destination\": \"/mnt/host\", \"type\": \"bind\", \"source\": \"$src\", \"options\": [\"rbind\"]}]"
done

# Control: a bind of an ordinary host directory is not sensitive.
config_case C10-bind-source=/srv/data "$BASE" 0 out "hardened with profile test" \
  '.mounts += [{"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind"]}]' \
  'any(.mounts[]; .source == "/srv/data" and .destination == "/data")'

config_case C12-masked-readonly-removed "$BASE" 0 out "hardened" 'del(.linux.maskedPaths, .linux.readonlyPaths)' \
  '(($profile[0]["masked-paths"].paths - (.linux.maskedPaths // [])) == []) and (($profile[0]["readonly-paths"].paths - (.linux.readonlyPaths // [])) == [])'
config_case C12-masked-readonly-emptied "$BASE" 0 out "hardened" '.linux.maskedPaths = [] | .linux.readonlyPaths = []' \
  '(($profile[0]["masked-paths"].paths - .linux.maskedPaths) == []) and (($profile[0]["readonly-paths"].paths - .linux.readonlyPaths) == [])'

config_case C13-unknown-capability-field "$BASE" 3 err '/process/capabilities/bounding2: unknown field' \
  '.process.capabilities.bounding2 = ["CAP_SYS_ADMIN"]'

config_case C17-seccomp-absent "$BASE" 0 out "hardened" 'del(.linux.seccomp)' '.linux.seccomp == $seccomp[0]'
config_case C17-seccomp-unconfined "$BASE" 0 out "hardened" 'del(.linux.seccomp.syscalls) | .linux.seccomp.defaultAction = "SCMP_ACT_ALLOW"' \
  '.linux.seccomp == $seccomp[0]'
config_case C17-apparmor-unconfined "$BASE" 1 out 'no-unconfined-lsm  /process/apparmorProfile: AppArmor confinement is switched off' \
  '.process.apparmorProfile = "unconfined"'

# --- §4.2: cases that need more than a jq mutation ------------------------------------------

# A bundle whose config.json is BASE, compact; sets BUNDLE and CONFIG.
make_bundle() {
  BUNDLE=$CASE_DIR/bundle
  CONFIG=$BUNDLE/config.json
  mkdir "$BUNDLE"
  jq -c . "$BASE" >"$CONFIG"
}

case_c1_symlink() {
  new_case
  local target=$CASE_DIR/elsewhere.json bundle=$CASE_DIR/bundle before
  mkdir "$bundle"
  jq -c . "$BASE" >"$target"
  ln -s ../elsewhere.json "$bundle/config.json"
  before=$(sha "$target")
  run_hardrun harden --policy "$POLICY" --bundle "$bundle"
  expect 1 err "$bundle/config.json: is a symbolic link; refusing to follow it"
  expect_same "$target" "$before"
  [[ -L $bundle/config.json ]] || failed "the symlink was replaced"
  expect_no_temp "$CASE_DIR"
  finish C1-config-symlink "exit 1, symlink and its target untouched"
}

case_c2_hardlink() {
  new_case
  make_bundle
  local before
  ln "$CONFIG" "$CASE_DIR/other-link.json"
  before=$(sha "$CONFIG")
  run_hardrun harden --policy "$POLICY" --bundle "$BUNDLE"
  expect 1 err "$CONFIG: has 2 hard links"
  expect_same "$CONFIG" "$before"
  [[ $(stat -c %h "$CONFIG") == 2 ]] || failed "the hard link was broken"
  expect_no_temp "$CASE_DIR"
  finish C2-config-hardlink "exit 1, ORIG"
}

case_c14_unknown_top_level() {
  new_case
  make_bundle
  # Raw compact text, so that byte-for-byte preservation can be checked on the output text.
  local vm='"vm":{"hypervisor":{"path":"/usr/bin/qemu-system-x86_64","parameters":["-nographic","-m",512],"nested":{"on":true,"none":null}},"kernel":{"path":"/boot/vmlinuz","parameters":["console=ttyS0"]},"image":{"path":"/img.raw","format":"raw"}}'
  local text
  text=$(jq -c . "$BASE")
  printf '%s,%s}\n' "${text%\}}" "$vm" >"$CONFIG"
  local vm_before keys_before
  vm_before=$(jq -c .vm "$CONFIG")
  keys_before=$(jq -c keys_unsorted "$CONFIG")
  run_hardrun harden --policy "$POLICY" --bundle "$BUNDLE"
  expect 0 out "hardened with profile test"
  if [[ $RC == 0 ]]; then
    [[ $(jq -c .vm "$CONFIG") == "$vm_before" ]] || failed ".vm changed: $(jq -c .vm "$CONFIG")"
    # The input's top-level keys keep their order (hardening may only add keys).
    local kept
    kept=$(jq -c --argjson before "$keys_before" '[keys_unsorted[] | select(. as $k | $before | index($k))]' "$CONFIG")
    [[ $kept == "$keys_before" ]] || failed "top-level key order changed: $kept, was $keys_before"
    grep -qF -- "$vm" "$CONFIG" || failed "the raw \"vm\" text is not preserved byte-for-byte"
  fi
  expect_no_temp "$CASE_DIR"
  finish C14-unknown-top-level-vm "exit 0, .vm and key order preserved"
}

case_c15_duplicate_key() {
  new_case
  make_bundle
  local text before
  text=$(jq -c . "$BASE")
  printf '{"process":{"cwd":"/","args":["/bin/sh"]},%s\n' "${text#\{}" >"$CONFIG"
  before=$(sha "$CONFIG")
  run_hardrun harden --policy "$POLICY" --bundle "$BUNDLE"
  expect 3 err 'duplicate key "process"'
  expect_same "$CONFIG" "$before"
  expect_no_temp "$CASE_DIR"
  finish C15-duplicate-process "exit 3, ORIG"
}

case_c16_too_large() {
  new_case
  make_bundle
  local before
  # Valid JSON (trailing whitespace) of more than 10 MiB.
  head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >>"$CONFIG"
  before=$(sha "$CONFIG")
  run_hardrun harden --policy "$POLICY" --bundle "$BUNDLE"
  expect 3 err "$CONFIG: exceeds"
  expect_same "$CONFIG" "$before"
  expect_no_temp "$CASE_DIR"
  finish C16-config-10MiB "exit 3, ORIG"
}

case_c1_symlink
case_c2_hardlink
case_c14_unknown_top_level
case_c15_duplicate_key
case_c16_too_large

# --- other file handling --------------------------------------------------------------------

case_fifo_in() {
  new_case
  mkfifo "$CASE_DIR/config.fifo"
  local start elapsed
  start=$(date +%s%N)
  RC=0
  timeout --kill-after=2 5 "$HARDRUN_BIN" harden --policy "$POLICY" --in "$CASE_DIR/config.fifo" --out "$CASE_DIR/out.json" \
    </dev/null >"$CASE_DIR/stdout" 2>"$CASE_DIR/stderr" || RC=$?
  elapsed=$((($(date +%s%N) - start) / 1000000))
  if [[ $RC == 124 || $RC == 137 ]]; then
    failed "hardrun hung on a FIFO (killed after 5 s)"
  fi
  ((elapsed < 2000)) || failed "took ${elapsed} ms (want < 2 s)"
  expect 1 err "not a regular file"
  expect_absent "$CASE_DIR/out.json"
  expect_no_temp "$CASE_DIR"
  finish fifo-as-in "exit 1 in ${elapsed} ms, nothing written"
}

case_out_missing_dir() {
  new_case
  local in=$CASE_DIR/in.json before
  jq -c . "$BASE" >"$in"
  before=$(sha "$in")
  run_hardrun harden --policy "$POLICY" --in "$in" --out "$CASE_DIR/no-such-dir/config.json"
  expect 4 err "No such file or directory"
  expect_absent "$CASE_DIR/no-such-dir"
  expect_same "$in" "$before"
  expect_no_temp "$CASE_DIR"
  finish out-into-missing-dir "exit 4, nothing left"
}

case_in_place() {
  new_case
  local file=$CASE_DIR/config.json before after
  jq -c . "$BASE" >"$file"
  before=$(sha "$file")
  run_hardrun harden --policy "$POLICY" --in "$file" --out "$file"
  expect 0 out "written to $file"
  after=$(sha "$file")
  [[ $after != "$before" ]] || failed "the file was not rewritten"
  local rc=0
  "$HARDRUN_BIN" check --policy "$POLICY" "$file" >"$CASE_DIR/check.out" 2>&1 || rc=$?
  [[ $rc == 0 ]] || failed "hardrun check of the rewritten file exited $rc"
  # Idempotent: nothing left to change, and a second rewrite changes no byte.
  run_hardrun harden --policy "$POLICY" --in "$file" --dry-run --json
  expect 0 out ""
  expect_jq "second harden --dry-run --json" "$CASE_DIR/stdout" '(.changes | length) == 0 and .compliant == true and .written == null'
  expect_same "$file" "$after"
  local inode
  inode=$(stat -c %i "$file")
  run_hardrun harden --policy "$POLICY" --in "$file" --out "$file"
  expect 0 out "already compliant"
  expect_same "$file" "$after"
  [[ $(stat -c %i "$file") == "$inode" ]] || failed "an already hardened file was rewritten (new inode)"
  expect_no_temp "$CASE_DIR"
  finish in-place-rewrite "--in X --out X works and is idempotent"
}

case_fifo_in
case_out_missing_dir
case_in_place

# --- §4.3: the hardening profile file (--policy FILE) ----------------------------------------

# The test profile, standalone: its seccomp profile by absolute path.
PROFILE_TEMPLATE=$WORK/profile-template.json
jq --arg s "$SECCOMP" '.seccomp.profile = $s' "$POLICY" >"$PROFILE_TEMPLATE"

# Runs `hardrun harden --policy PROFILE` on a copy of BASE; nothing may be written, the input
# stays byte-identical.
profile_run() { # profile rc stream substring
  local in=$CASE_DIR/in.json before
  jq -c . "$BASE" >"$in"
  before=$(sha "$in")
  run_hardrun harden --policy "$1" --in "$in" --out "$CASE_DIR/out.json"
  expect "$2" "$3" "$4"
  [[ $2 == 0 ]] || expect_absent "$CASE_DIR/out.json"
  expect_same "$in" "$before"
  expect_no_temp "$CASE_DIR"
}

# profile_case NAME RC SUBSTRING JQ-MUTATION (over the standalone test profile)
profile_case() {
  local name=$1 want_rc=$2 substring=$3 mutation=$4
  new_case
  local profile=$CASE_DIR/profile.json
  jq "$mutation" "$PROFILE_TEMPLATE" >"$profile"
  profile_run "$profile" "$want_rc" err "$substring"
  finish "$name" "exit $want_rc, \"$substring\""
}

# profile_text_case NAME RC SUBSTRING TEXT: the profile file holds exactly TEXT.
profile_text_case() {
  local name=$1 want_rc=$2 substring=$3 text=$4
  new_case
  local profile=$CASE_DIR/profile.json
  printf '%s' "$text" >"$profile"
  profile_run "$profile" "$want_rc" err "${substring//@FILE@/$profile}"
  finish "$name" "exit $want_rc, \"${substring//@FILE@/FILE}\""
}

profile_case P0-baseline 0 "" '.'

case_p1_missing() {
  new_case
  profile_run "$CASE_DIR/no-such-profile.json" 3 err "$CASE_DIR/no-such-profile.json: No such file or directory"
  finish P1-profile-missing "exit 3, names the path"
}
case_p1_missing

profile_text_case P2-profile-empty 3 "@FILE@: empty document" ''
profile_text_case P2-profile-empty-object 3 "@FILE@: /hardrunProfile: missing" '{}'
profile_text_case P3-profile-malformed 3 "parse error at line 3, column 15" $'{\n  "hardrunProfile": 1,\n  "name": "x",,\n}\n'

profile_case P4-typo-top-level 3 '/drop-capabilitis: unknown key "drop-capabilitis"' \
  '. + {"drop-capabilitis": {"allow": []}}'
profile_case P4-typo-nested 3 '/drop-capabilities/alow: unknown key "alow"' \
  '."drop-capabilities".alow = ["CAP_NET_RAW"]'
for section in seccomp read-only-root user-namespace no-sensitive-mounts; do
  profile_case "P5-$section-false" 3 "/$section: cannot be false" ".\"$section\" = false"
done

case_p6_permissions() { # name mode
  new_case
  local profile=$CASE_DIR/profile.json
  cp "$PROFILE_TEMPLATE" "$profile"
  chmod "$2" "$profile"
  profile_run "$profile" 1 err "$profile: insecure permissions: writable by group or others"
  finish "$1" "exit 1, insecure permissions"
}
case_p6_permissions P6-profile-group-writable 0664
case_p6_permissions P6-profile-world-writable 0646

case_p6_foreign_owner() {
  if ((!IS_ROOT)); then
    skip_case P6-profile-foreign-owner "needs root (chown 12345)"
    skip_case P6-profile-symlink-to-foreign-owned "needs root (chown 12345)"
    return
  fi
  new_case
  local profile=$CASE_DIR/profile.json
  cp "$PROFILE_TEMPLATE" "$profile"
  chown 12345:12345 "$profile"
  profile_run "$profile" 1 err "$profile: insecure permissions: owned by uid 12345"
  finish P6-profile-foreign-owner "exit 1, insecure permissions"

  new_case
  cp "$PROFILE_TEMPLATE" "$CASE_DIR/real.json"
  chown 12345:12345 "$CASE_DIR/real.json"
  ln -s real.json "$CASE_DIR/profile.json"
  profile_run "$CASE_DIR/profile.json" 1 err "insecure permissions: owned by uid 12345"
  finish P6-profile-symlink-to-foreign-owned "exit 1, insecure permissions"
}
case_p6_foreign_owner

profile_case P7-allow-cap-sys-admin 3 '/drop-capabilities/allow/0: CAP_SYS_ADMIN amounts to host root' \
  '."drop-capabilities".allow = ["CAP_SYS_ADMIN"]'
profile_case P7-allow-unknown-cap 3 '/drop-capabilities/allow/0: unknown capability "CAP_FROBNICATE"' \
  '."drop-capabilities".allow = ["CAP_FROBNICATE"]'

case_p7_seccomp_unknown_syscall() {
  new_case
  local seccomp=$CASE_DIR/seccomp.json profile=$CASE_DIR/profile.json
  jq '.syscalls += [{"names": ["no_such_syscall_x"], "action": "SCMP_ACT_ERRNO"}]' "$SECCOMP" >"$seccomp"
  jq --arg s "$seccomp" '.seccomp.profile = $s' "$PROFILE_TEMPLATE" >"$profile"
  profile_run "$profile" 3 err 'unknown syscall "no_such_syscall_x"'
  grep -qF -- "$seccomp" "$CASE_DIR/stderr" || failed "stderr does not name $seccomp"
  finish P7-seccomp-unknown-syscall "exit 3, names the syscall"
}
case_p7_seccomp_unknown_syscall

case_p9_truncated() {
  new_case
  local profile=$CASE_DIR/profile.json size
  size=$(wc -c <"$PROFILE_TEMPLATE")
  head -c $((size / 2)) "$PROFILE_TEMPLATE" >"$profile"
  profile_run "$profile" 3 err "$profile: parse error at line"
  finish P9-profile-truncated "exit 3, parse position"
}
case_p9_truncated

echo "1..$N"
((SKIPPED == 0)) || echo "# $SKIPPED skipped"
echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
