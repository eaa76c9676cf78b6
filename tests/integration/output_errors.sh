#!/usr/bin/env bash
# tests/integration/output_errors.sh - output that cannot be written is
# exit 2 with the reason, for every command, and -o FILE is replaced only
# when the new output is complete.
#
# - /dev/full as stdout and as the -o target of every command (scan in
#   each format, check, report in each format, diff, history, simulate, ciphers,
#   policies, help, --help, --version): exit 2, "No space left on device"
#   on stderr, and for scan and check the message says what was stored.
# - A full file system (a small tmpfs mounted in a private mount
#   namespace): the old -o file of scan, check, report and diff keeps its
#   bytes, no temporary file is left, and what was stored is named.
# - SIGKILL while a scan waits on a silent server: the old -o file keeps
#   its bytes.
# Targets are a closed port of 127.0.0.1 (refused at once) and, for the
# kill, a lab server that accepts and never answers; all in the lab's
# private network namespace.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
# A private mount namespace for the small tmpfs (root only; else skip).
if [ "${OUTPUT_ERRORS_MNTNS-}" != 1 ]; then
	if [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
		OUTPUT_ERRORS_MNTNS=1 exec unshare -m --propagation private -- "$BASH" "$0" "$@"
	fi
	lab_skip "needs root for a private mount namespace (unshare -m) with a small tmpfs"
fi
. "$top_srcdir/tests/integration/common.sh"
lab_init

# A private /dev/full: the test's own node, so that a binary which renames a
# temporary file over its -o target replaces this node, not the system's.
full=$LAB_DIR/full
mknod -m 0666 "$full" c 1 7
if ! { : >"$full"; } 2>/dev/null; then
	# A nodev /tmp: bind the system's device over a file; rename() over a
	# mount point fails (EBUSY), so the device cannot be replaced either.
	rm -f "$full"
	: >"$full"
	mount --bind /dev/full "$full"
fi

db=$LAB_DIR/out.db
closed=$(lab_closed_port)
pol=$top_srcdir/policies/pci-dss-4.0.yaml

# Two stored scans sharing a target (for diff), one policy run (for report).
t_run 3 "$TLSAUDIT" scan --db "$db" --timeout 2 "$closed"
t_run 3 "$TLSAUDIT" scan --db "$db" --timeout 2 --policy pci-dss-4.0 "$closed"

# full_stdout WANT_STATUS NAME CMD...: CMD with /dev/full as stdout.
full_stdout() {
	local name=$1
	shift
	set +e
	"$@" >"$full" 2>"$LAB_DIR/err"
	T_STATUS=$?
	set -e
	T_ERR=$(cat "$LAB_DIR/err")
	t_eq "stdout /dev/full: $name: exit 2" 2 "$T_STATUS"
	t_match "stdout /dev/full: $name: the reason" "No space left on device" "$T_ERR"
}

n_scans() { sqlite3 "$db" 'SELECT count(*) FROM scans'; }

# --- /dev/full as stdout ----------------------------------------------------
for f in text json csv junit markdown html sarif; do
	before=$(n_scans)
	full_stdout "scan --format $f" "$TLSAUDIT" scan --db "$db" --timeout 2 --format "$f" "$closed"
	id=$((before + 1))
	t_match "stdout /dev/full: scan --format $f: what was stored" \
		"scan $id was stored in $db with 1 target \(state complete\); the output to stdout was not written: No space left on device" \
		"$T_ERR"
done
full_stdout "scan --policy" "$TLSAUDIT" scan --db "$db" --timeout 2 --policy pci-dss-4.0 "$closed"
t_match "stdout /dev/full: scan --policy: the policy run is named" \
	"with 1 target \(state complete\) and policy run [0-9]+ \(pci-dss-4.0\) of scan [0-9]+; the output to stdout" "$T_ERR"
for f in text json sarif; do
	full_stdout "check --format $f" "$TLSAUDIT" check --db "$db" --policy pci-dss-4.0 --format "$f"
	t_match "stdout /dev/full: check --format $f: what was stored" \
		"stored in $db: policy run [0-9]+ \(pci-dss-4.0\) of scan [0-9]+; the report to stdout was not written: No space left on device" \
		"$T_ERR"
done
for f in text json csv junit markdown html sarif; do
	full_stdout "report --format $f" "$TLSAUDIT" report --db "$db" --scan 2 --format "$f"
done
for f in text json markdown; do
	full_stdout "diff --format $f" "$TLSAUDIT" diff --db "$db" 1 2 --format "$f"
	full_stdout "history --format $f" "$TLSAUDIT" history --db "$db" "$closed" --format "$f"
done
for f in text json; do
	full_stdout "simulate --format $f" "$TLSAUDIT" simulate --db "$db" --scan 2 --format "$f"
done
full_stdout "ciphers" "$TLSAUDIT" ciphers
full_stdout "ciphers --groups" "$TLSAUDIT" ciphers --groups
full_stdout "policies list" "$TLSAUDIT" policies list
full_stdout "policies show" "$TLSAUDIT" policies show pci-dss-4.0
full_stdout "policies lint" "$TLSAUDIT" policies lint "$pol"
full_stdout "--help" "$TLSAUDIT" --help
full_stdout "help" "$TLSAUDIT" help
full_stdout "--version" "$TLSAUDIT" --version
full_stdout "version" "$TLSAUDIT" version
for c in scan check report diff history simulate ciphers policies; do
	full_stdout "$c --help" "$TLSAUDIT" "$c" --help
	full_stdout "help $c" "$TLSAUDIT" help "$c"
done

# --- /dev/full as -o ----------------------------------------------------------
# full_o NAME CMD...: CMD (which writes to -o $full) with stdout kept.
full_o() {
	local name=$1
	shift
	t_run 2 "$@"
	t_match "-o full device: $name: the reason" "$full.*No space left on device" "$T_ERR"
}
t_eq "the full device is a character device" c "$(stat -c %F "$full" | cut -c1)"
full_o "scan" "$TLSAUDIT" scan --db "$db" --timeout 2 -o "$full" "$closed"
t_match "-o full device: scan: what was stored" "scan [0-9]+ was stored in $db with 1 target" "$T_ERR"
full_o "scan --format html" "$TLSAUDIT" scan --db "$db" --timeout 2 --format html -o "$full" "$closed"
full_o "check" "$TLSAUDIT" check --db "$db" --policy pci-dss-4.0 -o "$full"
t_match "-o full device: check: what was stored" "stored in $db: policy run [0-9]+ \(pci-dss-4.0\)" "$T_ERR"
full_o "report" "$TLSAUDIT" report --db "$db" --scan 2 -o "$full"
full_o "report --format html" "$TLSAUDIT" report --db "$db" --scan 2 --format html -o "$full"
full_o "diff" "$TLSAUDIT" diff --db "$db" 1 2 -o "$full"
full_o "simulate" "$TLSAUDIT" simulate --db "$db" --scan 2 -o "$full"
t_eq "the full device is still the device (not replaced by a file)" c "$(stat -c %F "$full" | cut -c1)"

# --- a full file system: the old -o file survives -------------------------------
mnt=$LAB_DIR/small
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=64k,mode=0755 tlsaudit-out-test "$mnt"; then
	t_fail "mount a 64 KB tmpfs in the private mount namespace"
	t_done
	exit 1
fi
old=$mnt/old.out
printf 'the previous report\n' >"$old"
sum_old=$(sha256sum "$old" | cut -d' ' -f1)
# Fill every free block (dd stops at ENOSPC).
dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null || true
t_eq "the tmpfs is full" 0 "$(df --output=avail -B1 "$mnt" | tail -1 | tr -d ' ')"

# full_fs NAME CMD...: CMD writes -o $old on the full tmpfs.
full_fs() {
	local name=$1
	shift
	# The old file as it was, the disk full again (when a binary that
	# truncates -o was run before, both changed).
	printf 'the previous report\n' >"$old" 2>/dev/null || true
	dd if=/dev/zero of="$mnt/filler" bs=4k oflag=append conv=notrunc 2>/dev/null || true
	t_run 2 "$@"
	t_match "full disk: $name: the reason" "No space left on device" "$T_ERR"
	t_eq "full disk: $name: the old file keeps its bytes" "$sum_old" "$(sha256sum "$old" | cut -d' ' -f1)"
	t_eq "full disk: $name: no temporary file left" "" "$(cd "$mnt" && ls -A | grep -v '^old.out$\|^filler$' || true)"
}
n=$(n_scans)
full_fs "scan" "$TLSAUDIT" scan --db "$db" --timeout 2 -o "$old" "$closed"
t_match "full disk: scan: what was stored" \
	"scan $((n + 1)) was stored in $db with 1 target \(state complete\); the output to $old was not written" "$T_ERR"
t_eq "full disk: scan: the scan is stored all the same" 1 \
	"$(sqlite3 "$db" "SELECT count(*) FROM targets WHERE scan_id = $((n + 1))")"
full_fs "scan --format json" "$TLSAUDIT" scan --db "$db" --timeout 2 --format json -o "$old" "$closed"
full_fs "scan --format html" "$TLSAUDIT" scan --db "$db" --timeout 2 --format html -o "$old" "$closed"
full_fs "check" "$TLSAUDIT" check --db "$db" --policy pci-dss-4.0 -o "$old"
t_match "full disk: check: what was stored" "stored in $db: policy run [0-9]+ \(pci-dss-4.0\) of scan" "$T_ERR"
full_fs "check --format json" "$TLSAUDIT" check --db "$db" --policy pci-dss-4.0 --format json -o "$old"
full_fs "report" "$TLSAUDIT" report --db "$db" --scan 2 -o "$old"
full_fs "report --format html" "$TLSAUDIT" report --db "$db" --scan 2 --format html -o "$old"
full_fs "diff" "$TLSAUDIT" diff --db "$db" 1 2 -o "$old"
# With room again the same commands replace the file.
rm -f "$mnt/filler"
t_run 3 "$TLSAUDIT" scan --db "$db" --timeout 2 -o "$old" "$closed"
t_match "room again: scan -o replaces the file" "^$closed  unreachable" "$(head -c 200 "$old")"
t_run 3 "$TLSAUDIT" check --db "$db" --policy pci-dss-4.0 -o "$old"
t_match "room again: check -o replaces the file" "pci-dss-4.0" "$(cat "$old")"
umount "$mnt"

# --- SIGKILL mid-scan: the old -o file survives --------------------------------
lab_certs >/dev/null
lab_start_silent silent >/dev/null
for fmt in text json; do
	old=$LAB_DIR/kill-$fmt.out
	printf 'the previous %s output\n' "$fmt" >"$old"
	sum_old=$(sha256sum "$old" | cut -d' ' -f1)
	n=$(n_scans)
	"$TLSAUDIT" scan --db "$db" -j 1 --timeout 30 --format "$fmt" -o "$old" \
		"$closed" "127.0.0.1:$LAB_PORT_silent" >"$LAB_DIR/kill.log" 2>&1 &
	pid=$!
	# Until the closed port's result is stored: the scan now waits on the
	# silent server (30 s budget), its output half written.
	stored=0
	for _ in $(seq 1 300); do
		got=$(sqlite3 "$db" "SELECT count(*) FROM targets WHERE scan_id = $((n + 1))" 2>/dev/null || echo 0)
		if [ "${got:-0}" -ge 1 ]; then
			stored=1
			break
		fi
		sleep 0.1
	done
	t_eq "SIGKILL ($fmt): the first target is stored while the scan runs" 1 "$stored"
	kill -KILL "$pid"
	set +e
	wait "$pid"
	status=$?
	set -e
	t_eq "SIGKILL ($fmt): the scanner was killed" 137 "$status"
	t_eq "SIGKILL ($fmt): the old -o file keeps its bytes" "$sum_old" "$(sha256sum "$old" | cut -d' ' -f1)"
done

t_done
