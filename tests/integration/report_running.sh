#!/usr/bin/env bash
# tests/integration/report_running.sh - `report --latest` (and `check
# --latest`, and no --scan at all) while a scan is still running: the
# newest COMPLETE scan is rendered and stderr says "scan N is still
# running; showing scan M", instead of an empty or partial report with
# exit 0.
#
# The lab: good-rsa, scanned once to completion (scan 1); then scan 2 of
# good-rsa and a silent server (accepts, never answers) that holds the
# scan running; once scan 2 has stored good-rsa, report and check run
# against the database; the scan is stopped by its PID (SIGINT), after
# which --latest is scan 2 again. A database whose only scan is running is
# an error (exit 2) that names the running scan.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)" >&2; exit 99; }
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies
lab_init
lab_certs >/dev/null

lab_start good-rsa >/dev/null
lab_start_silent silent >/dev/null
good=$(lab_target good-rsa)
db=$LAB_DIR/running.db

echo "$good" >"$LAB_DIR/good"
t_run 0 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --offline --no-enumerate --policy pci-dss-4.0 \
	--fail-on critical -f "$LAB_DIR/good"

# wait_stored SCAN N: waits (bounded) until scan SCAN has N stored targets.
wait_stored() {
	local i got
	for i in $(seq 1 300); do
		got=$(sqlite3 "$db" "SELECT count(*) FROM targets WHERE scan_id = $1" 2>/dev/null || echo 0)
		[ "${got:-0}" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

printf '%s\n127.0.0.1:%s\n' "$good" "$LAB_PORT_silent" >"$LAB_DIR/targets"
"$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --offline --no-enumerate -j 1 --timeout 120 \
	-f "$LAB_DIR/targets" >"$LAB_DIR/scan2.out" 2>&1 &
pid=$!
if wait_stored 2 1; then
	t_ok "scan 2 stored its first target and is still running"
else
	t_fail "scan 2 stored its first target" "$(cat "$LAB_DIR/scan2.out")"
fi
t_eq "scan 2 is running" running "$(sqlite3 "$db" 'SELECT state FROM scans WHERE id = 2')"

t_run 0 "$TLSAUDIT" report --db "$db" --latest --format json
t_eq "report --latest: says which scan it shows" \
	"tlsaudit report: scan 2 is still running; showing scan 1" "$T_ERR"
t_eq "report --latest: renders scan 1" 1 "$(jq '.scan.id' <<<"$T_OUT")"
t_eq "report --latest: with its target" 1 "$(jq '.targets | length' <<<"$T_OUT")"
t_run 0 "$TLSAUDIT" report --db "$db"
t_match "report (no --scan): the same" "scan 2 is still running; showing scan 1" "$T_ERR"
t_match "report text is of scan 1" "[Ss]can 1" "$T_OUT"
t_run 0 "$TLSAUDIT" check --db "$db" --latest --policy pci-dss-4.0 --fail-on critical
t_match "check --latest: the same" "scan 2 is still running; showing scan 1" "$T_ERR"
t_run 0 "$TLSAUDIT" report --db "$db" --scan 2 --format json
t_eq "report --scan 2: the running scan when asked by id, no note" "" "$T_ERR"
t_eq "report --scan 2: what it stored so far" 1 "$(jq '.targets | length' <<<"$T_OUT")"

kill -INT "$pid"
set +e
wait "$pid"
st=$?
set -e
t_eq "the scan stopped by SIGINT exits 3" 3 "$st"
t_run 0 "$TLSAUDIT" report --db "$db" --latest --format json
t_eq "after it stopped: --latest is scan 2, no note" "2 " "$(jq '.scan.id' <<<"$T_OUT") $T_ERR"

# Only a running scan: nothing complete to show.
db=$LAB_DIR/only-running.db
"$TLSAUDIT" scan --db "$db" --offline --no-enumerate --timeout 120 "127.0.0.1:$LAB_PORT_silent" \
	>"$LAB_DIR/scan3.out" 2>&1 &
pid=$!
for i in $(seq 1 300); do
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM scans' 2>/dev/null || echo 0)" = 1 ] && break
	sleep 0.1
done
t_run 2 "$TLSAUDIT" report --db "$db" --latest
t_eq "only a running scan: exit 2 naming it" \
	"tlsaudit report: scan 1 is still running and no earlier scan is complete; use --scan 1 to see what it has stored so far" "$T_ERR"
kill -INT "$pid"
wait "$pid" || true
t_done
