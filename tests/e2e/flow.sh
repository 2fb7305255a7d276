# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
#
# Issue 5's flow, sourced by tests/e2e/inner.sh (its helpers, images D[v1..v5], REPO, UNITDIR,
# OUT): `hardrun quadlet` writes svc.container tracking REPO:latest, systemd starts it hardened;
# `hardrun update` follows the tag to v2 (signed), refuses v4 (unsigned), rolls v3 (signed, health
# check fails) back, refuses to go back to v1 (anti-rollback); the pin history shows it all;
# `hardrun audit` passes the unit and flags a weak one; hardrun-update.service from contrib/systemd
# moves the unit to v5. Interfaces as documented in hardrun(1) (quadlet, update, audit) and
# hardrun-quadlet(7).

PINS=/var/lib/hardrun/pins/svc.json
DROPIN=$UNITDIR/svc.container.d/50-hardrun-pin.conf

# svc_on ROW VERSION WHAT: svc.service is active and its container runs D[VERSION].
svc_on() { # row version what
  local got
  got=$(ctr_image_digest svc)
  if [[ $(systemctl is-active svc.service) == active && $got == "${D[$2]}" ]]; then
    report ok "$1" "$3: svc.service active on $2 (${D[$2]:7:12})"
  else
    report not-ok "$1" "$3: want svc.service active on $2 (${D[$2]:7:12}); it is $(systemctl is-active svc.service) on '${got:7:12}' ($(ver_of "$got"))"
    journalctl --no-pager -u svc.service -n 15 -o cat >"$OUT/$1.journal" 2>&1
    diag "$OUT/$1.journal"
  fi
}
ver_of() { # digest
  local v
  for v in "${!D[@]}"; do [[ ${D[$v]} == "$1" ]] && { echo "$v"; return; }; done
  echo "unknown"
}
# update ROW WANT_RC WANT_WORD [ARGS...]: runs hardrun update ARGS svc; checks its exit status and
# its stdout line "svc: WORD".
update() { # row want-rc want-word [args...]
  local row=$1 want_rc=$2 word=$3 rc=0
  shift 3
  hardrun update "$@" svc >"$OUT/$row.out" 2>"$OUT/$row.err" || rc=$?
  if [[ $rc == "$want_rc" ]] && grep -qE "^svc(\.service|\.container)?: $word" "$OUT/$row.out"; then
    report ok "$row" "hardrun update exits $rc and says '$(head -c 200 "$OUT/$row.out" | tr '\n' ' ')'"
  else
    report not-ok "$row" "hardrun update: want exit $want_rc and 'svc: $word'; got exit $rc, stdout '$(head -c 200 "$OUT/$row.out" | tr '\n' ' ')'"
    diag "$OUT/$row.err"
  fi
}
# pin_state VERSION: the state the pin history records for D[VERSION] ("" when none).
pin_state() { # version
  jq -r --arg d "${D[$1]}" '.pins[] | select(.digest == $d) | .state' "$PINS" 2>/dev/null | tail -n 1
}
dropin_on() { # row version
  if grep -qx "Image=$REPO@${D[$2]}" "$DROPIN" 2>/dev/null; then
    report ok "$1" "$DROPIN pins $2"
  else
    report not-ok "$1" "$DROPIN does not pin $2 (${D[$2]:7:12}): $(grep -s '^Image=' "$DROPIN" | tr '\n' ' ')"
  fi
}

# --- a. hardrun quadlet writes a unit that starts hardened ----------------------------------------
T1=$(date '+%Y-%m-%d %H:%M:%S')
rc=0
hardrun quadlet svc "$REPO@${D[v1]}" --track "$REPO:latest" --description "hardrun e2e service" \
  --health-cmd 'test -e /healthy' --health-interval 3s --health-retries 2 --health-start-period 2s \
  -o "$OUT/svc.container" 2>"$OUT/quadlet.err" || rc=$?
if [[ $rc == 0 && -s $OUT/svc.container ]]; then
  report ok quadlet-write "hardrun quadlet wrote svc.container ($(grep -c '=' "$OUT/svc.container") keys)"
else
  report not-ok quadlet-write "hardrun quadlet svc REPO@v1 --track REPO:latest --health-cmd ...: exit $rc"
  diag "$OUT/quadlet.err"
fi
sed 's/^/# svc.container: /' "$OUT/svc.container" 2>/dev/null
cp -- "$OUT/svc.container" "$UNITDIR/svc.container" 2>/dev/null
if /usr/libexec/podman/quadlet -dryrun >"$OUT/quadlet-dryrun.out" 2>"$OUT/quadlet-dryrun.err" &&
  grep -q '^---svc.service---' "$OUT/quadlet-dryrun.out"; then
  report ok quadlet-generator "podman's quadlet generator accepts svc.container"
else
  report not-ok quadlet-generator "podman's quadlet generator (-dryrun) rejects svc.container or makes no svc.service"
  diag "$OUT/quadlet-dryrun.err"
fi
systemctl daemon-reload
if timeout 180 systemctl start svc.service 2>"$OUT/svc-start.err" && unit_active svc.service 10; then
  report ok svc-start "systemctl start svc.service (Notify=healthy) succeeded"
else
  report not-ok svc-start "systemctl start svc.service failed: $(systemctl is-active svc.service)"
  journalctl --no-pager -u svc.service -n 30 -o cat >"$OUT/svc-start.journal" 2>&1
  diag "$OUT/svc-start.journal"
fi
hardened svc-hardened svc
svc_on svc-v1 v1 "started from the unit hardrun quadlet wrote"
hook_allowed svc-hook "${D[v1]}" "$T1"

# --- b. update to v2 (signed) -------------------------------------------------------------------
retag latest v2 || report not-ok retag-v2 "cannot point latest at v2"
T2=$(date '+%Y-%m-%d %H:%M:%S')
update update-v2 0 updated --timeout 120
dropin_on update-v2-dropin v2
svc_on update-v2-running v2 "after hardrun update to the signed v2"
hook_allowed update-v2-hook "${D[v2]}" "$T2"

# --- c. v4 (unsigned) is refused, v2 keeps running -----------------------------------------------
retag latest v4 || report not-ok retag-v4 "cannot point latest at v4"
update update-v4-refused 1 refused --timeout 60
svc_on update-v4-kept v2 "after the refused unsigned v4"
dropin_on update-v4-dropin v2

# --- d. v3 (signed, unhealthy) is rolled back to v2 ----------------------------------------------
retag latest v3 || report not-ok retag-v3 "cannot point latest at v3"
update update-v3-rollback 1 rolled-back --timeout 60
svc_on update-v3-back v2 "after the rollback of the unhealthy v3"
dropin_on update-v3-dropin v2

# --- e. the pin history; anti-rollback -----------------------------------------------------------
if [[ -r $PINS ]]; then
  jq -c '.pins[] | {digest: .digest[7:19], state}' "$PINS" | sed 's/^/# pins: /'
fi
for want in v1:replaced v2:active v4:refused v3:rolled-back; do
  v=${want%%:*}
  s=${want#*:}
  got=$(pin_state "$v")
  if [[ $got == "$s" ]]; then
    report ok "pins-$v" "$PINS records $v as $s"
  else
    report not-ok "pins-$v" "$PINS: want $v (${D[$v]:7:12}) $s, got '${got}'"
  fi
done
retag latest v1 || report not-ok retag-v1 "cannot point latest at v1"
update anti-rollback 1 refused --timeout 60
svc_on anti-rollback-kept v2 "after the refused move back to v1"

# --- f. audit of quadlet files -------------------------------------------------------------------
rc=0
hardrun audit "$UNITDIR/svc.container" >"$OUT/audit-svc.out" 2>&1 || rc=$?
if [[ $rc == 0 ]]; then
  report ok audit-clean "hardrun audit svc.container: clean ($(tail -n 1 "$OUT/audit-svc.out"))"
else
  report not-ok audit-clean "hardrun audit svc.container: exit $rc, want 0 (clean)"
  diag "$OUT/audit-svc.out"
fi
mkdir -p -- "$W/weak"
printf '[Container]\nImage=%s:latest\nUser=0\nPodmanArgs=--privileged\n' "$REPO" >"$W/weak/weak.container"
rc=0
hardrun audit "$W/weak/weak.container" >"$OUT/audit-weak.out" 2>&1 || rc=$?
if [[ $rc == 1 ]] && [[ $(grep -ci 'read-only\|readonly' "$OUT/audit-weak.out") -gt 0 ]]; then
  report ok audit-weak "hardrun audit of a weak unit: exit 1, $(wc -l <"$OUT/audit-weak.out") lines of findings"
else
  report not-ok audit-weak "hardrun audit of a weak unit (tag image, root, privileged, no ReadOnly=): exit $rc, want 1 naming ReadOnly"
  diag "$OUT/audit-weak.out"
fi

# --- g. the timer's service runs the update -------------------------------------------------------
if [[ -r $E2E/systemd/hardrun-update.service && -r $E2E/systemd/hardrun-update.timer ]]; then
  install -m 0644 "$E2E/systemd/hardrun-update.service" "$E2E/systemd/hardrun-update.timer" /etc/systemd/system/
  systemctl daemon-reload
  if systemctl enable --now hardrun-update.timer >"$OUT/timer.err" 2>&1 &&
    [[ $(systemctl is-active hardrun-update.timer) == active ]]; then
    report ok timer-enabled "hardrun-update.timer is enabled and active (next: $(systemctl show -P NextElapseUSecRealtime hardrun-update.timer))"
  else
    report not-ok timer-enabled "systemctl enable --now hardrun-update.timer failed"
    diag "$OUT/timer.err"
  fi
  retag latest v5 || report not-ok retag-v5 "cannot point latest at v5"
  if timeout 300 systemctl start hardrun-update.service >"$OUT/update-service.err" 2>&1; then
    report ok update-service "systemctl start hardrun-update.service succeeded"
  else
    report not-ok update-service "systemctl start hardrun-update.service failed"
    journalctl --no-pager -u hardrun-update.service -n 20 -o cat >"$OUT/update-service.journal" 2>&1
    diag "$OUT/update-service.journal"
  fi
  svc_on update-service-v5 v5 "after hardrun-update.service"
else
  report not-ok timer-units "contrib/systemd/hardrun-update.service and .timer are missing"
fi
systemctl stop svc.service >/dev/null 2>&1
