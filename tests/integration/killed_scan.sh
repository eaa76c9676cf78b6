#!/usr/bin/env bash
# tests/integration/killed_scan.sh - a scan stopped mid-way (SIGKILL,
# SIGINT, SIGTERM) keeps every target it finished, the scan is marked
# incomplete (next open) or interrupted (signal), and the file passes
# PRAGMA integrity_check.
#
# The lab: one good server, then silent servers (accept, never answer) that
# keep the scan busy until it is stopped.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
lab_init
lab_certs >/dev/null

lab_start good-rsa >/dev/null
lab_start_silent silent1 >/dev/null
lab_start_silent silent2 >/dev/null
{
	lab_target good-rsa
	echo "127.0.0.1:$LAB_PORT_silent1"
	echo "127.0.0.1:$LAB_PORT_silent2"
} >"$LAB_DIR/targets"

# Waits (bounded) until scan 1 of DB has N stored targets.
wait_targets() {
	local db=$1 n=$2 i
	for i in $(seq 1 200); do
		got=$(sqlite3 "$db" 'SELECT count(*) FROM targets' 2>/dev/null || echo 0)
		[ "${got:-0}" -ge "$n" ] && return 0
		sleep 0.1
	done
	return 1
}

for sig in KILL INT TERM; do
	db=$LAB_DIR/killed-$sig.db
	"$TLSAUDIT" scan --db "$db" -j 1 --timeout 20 --ca-file "$LAB_CA" -f "$LAB_DIR/targets" \
		>"$LAB_DIR/out-$sig" 2>&1 &
	pid=$!
	if wait_targets "$db" 1; then
		t_ok "SIG$sig: the good target is stored while the scan runs"
	else
		t_fail "SIG$sig: the good target is stored while the scan runs" "$(cat "$LAB_DIR/out-$sig")"
	fi
	sleep 0.3 # the scanner is now waiting on a silent server
	kill -s "$sig" "$pid"
	set +e
	wait "$pid"
	status=$?
	set -e
	case $sig in
	KILL) t_eq "SIGKILL ends the scanner" 137 "$status" ;;
	*) t_eq "SIG$sig: exit code 3 (interrupted)" 3 "$status" ;;
	esac
	t_eq "SIG$sig: integrity_check" ok "$(sqlite3 "$db" 'PRAGMA integrity_check')"
	t_eq "SIG$sig: finished target kept" 1 "$(sqlite3 "$db" "SELECT count(*) FROM targets WHERE scan_id = 1 AND status = 'ok'")"
	t_eq "SIG$sig: its certificates kept" 2 "$(sqlite3 "$db" 'SELECT count(*) FROM chain_certs')"
	if [ "$sig" = KILL ]; then
		t_eq "SIGKILL: scan still marked running before the next open" running \
			"$(sqlite3 "$db" 'SELECT state FROM scans WHERE id = 1')"
		# The next run opens the file and notices the dead scan.
		t_run 3 "$TLSAUDIT" scan --db "$db" --timeout 2 "$(lab_closed_port)"
		t_eq "SIGKILL: marked incomplete on the next open" incomplete \
			"$(sqlite3 "$db" 'SELECT state FROM scans WHERE id = 1')"
		t_eq "SIGKILL: the next scan completes" complete \
			"$(sqlite3 "$db" 'SELECT state FROM scans WHERE id = 2')"
	else
		t_eq "SIG$sig: marked interrupted" interrupted \
			"$(sqlite3 "$db" 'SELECT state FROM scans WHERE id = 1')"
		t_match "SIG$sig: the message says what was kept" "interrupted; 1 finished target stored" \
			"$(cat "$LAB_DIR/out-$sig")"
	fi
done

# Two scans writing to one database at the same time both succeed (WAL and
# the busy timeout make the second wait instead of failing).
db=$LAB_DIR/shared.db
"$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" "$(lab_target good-rsa | cut -d' ' -f1)" >/dev/null 2>&1 &
p1=$!
"$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" "$(lab_target good-rsa | cut -d' ' -f1)" >/dev/null 2>&1 &
p2=$!
s1=0
s2=0
wait "$p1" || s1=$?
wait "$p2" || s2=$?
t_eq "concurrent scans: both exit 0" "0 0" "$s1 $s2"
t_eq "concurrent scans: both stored complete" 2 "$(sqlite3 "$db" "SELECT count(*) FROM scans WHERE state = 'complete'")"

t_done
