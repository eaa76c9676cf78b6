#!/usr/bin/env bash
# tests/integration/contrib_nightly.sh - contrib/: the nightly job script
# run three nights against the lab's good-rsa (the TLSAUDIT_* settings of
# its header), the systemd service and timer checked with
# `systemd-analyze verify` (SKIP said when it is missing), the cron line's
# shape.
#
# Checks: night 1 stores a scan (diff has nothing to compare with: exit 2);
# night 2 (nothing changed) prints exactly the two summary lines and
# exits 0; night 3 (the server down) exits 3 and prints the whole diff with
# "unreachable now, was reachable"; the units verify without a message
# (and a unit with an unknown key does produce one: the check can fail).
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies
lab_init
lab_certs >/dev/null
lab_start good-rsa >/dev/null
lab_target good-rsa >"$LAB_DIR/targets"
job=$top_srcdir/contrib/tlsaudit-nightly
export TLSAUDIT TLSAUDIT_DB=$LAB_DIR/nightly.db TLSAUDIT_KEEP_DAYS=30
export TLSAUDIT_SCAN_OPTIONS="--ca-file $LAB_CA --offline --no-enumerate --timeout 3"

night() { # WANT_STATUS: runs the job, output (stdout and stderr) in T_OUT
	set +e
	T_OUT=$("$job" "$LAB_DIR/targets" 2>&1)
	T_STATUS=$?
	set -e
	t_eq "night exits $1" "$1" "$T_STATUS"
}
night 2
t_match "night 1: the scan's summary" "^tlsaudit scan: scan 1 complete: 1 target scanned, 0 not scanned; stored in .*; exit 0$" "$(head -n 1 <<<"$T_OUT")"
t_match "night 1: diff has nothing to compare with" "tlsaudit diff: " "$T_OUT"
night 0
t_eq "night 2: two summary lines, nothing else" 2 "$(grep -c . <<<"$T_OUT")"
t_match "night 2: the diff's summary" "^tlsaudit diff: scan 1 -> scan 2: 0 changes, 0 worse; exit 0$" "$(sed -n 2p <<<"$T_OUT")"
lab_stop good-rsa
night 3
t_match "night 3: the diff, because something got worse" "WORSE unreachable now, was reachable: status ok -> unreachable" "$T_OUT"
t_match "night 3: its summary" "tlsaudit diff: scan 2 -> scan 3: [0-9]+ changes?, 1 worse; exit 1" "$T_OUT"

# The cron line: minute hour day month weekday, the user, the job.
t_match "cron line shape" "^30 2 \* \* \* tlsaudit /usr/local/bin/tlsaudit-nightly /etc/tlsaudit/targets$" \
	"$(grep -v '^#' "$top_srcdir/contrib/tlsaudit.cron" | grep -v '=' | grep .)"

if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP: systemd-analyze not installed: the systemd units were not verified"
else
	u=$LAB_DIR/units
	mkdir -p "$u"
	sed "s|/usr/local/bin/tlsaudit-nightly|$job|" "$top_srcdir/contrib/tlsaudit-nightly.service" \
		>"$u/tlsaudit-nightly.service"
	cp "$top_srcdir/contrib/tlsaudit-nightly.timer" "$u/"
	set +e
	out=$(cd "$u" && systemd-analyze verify ./tlsaudit-nightly.service ./tlsaudit-nightly.timer 2>&1)
	st=$?
	set -e
	t_eq "systemd-analyze verify: the service and timer" "0:" "$st:$out"
	printf '[Service]\nType=oneshot\nExecStart=%s\nBogusKey=1\n' "$job" >"$u/broken.service"
	out=$(cd "$u" && systemd-analyze verify ./broken.service 2>&1 || true)
	t_match "systemd-analyze verify: a bad unit is reported (negative control)" "BogusKey" "$out"
fi
t_done
