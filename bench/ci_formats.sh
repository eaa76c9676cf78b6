#!/bin/bash
# bench/ci_formats.sh - the CI formats at fleet size (issue 15): wall time
# and peak RSS of `report --format junit`, `report --format sarif` and
# `check --format sarif` (six policies) on one stored scan, by two
# binaries, with their outputs compared byte for byte. A benchmark, not a
# test: it prints figures and never fails on one.
#
#   bench/ci_formats.sh [--synth K] [--work DIR] DB BEFORE AFTER
#
# DB: a database whose newest complete scan has the six policy runs (e.g.
# bench/scale10k.sh --keep DIR's main.db). With --synth K, the scan is
# first made K times as large without scanning again: K copies of DB, the
# targets of copy k moved from 127.0.0.x to 127.0.k.x (host and address:
# real facts, relabelled), each copy's scan marked shard k of K of one run
# and keeping the newest run of each policy, joined by `tlsaudit merge`
# into a new file (DIR/synth.db), whose one scan is then measured.
# BEFORE and AFTER: the two tlsaudit binaries (BEFORE "-": AFTER alone,
# nothing compared). The check runs on a fresh
# copy of the database each time (it stores its runs), at the same path,
# so the two SARIF logs may differ only in the runs' evaluation times.
# The load average (uptime) is printed next to every figure: the machine
# may be shared.
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
export TLSAUDIT_POLICY_DIR=$top/policies
synth=0 work=''
while [ $# -gt 0 ]; do
	case $1 in
	--synth) synth=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--help) sed -n '2,23p' "$0"; exit 0 ;;
	-*) echo "ci_formats.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 3 ] || { echo "usage: ci_formats.sh [--synth K] [--work DIR] DB BEFORE AFTER" >&2; exit 2; }
db=$1 before=$2 after=$3
for c in sqlite3 /usr/bin/time cmp; do
	command -v "$c" >/dev/null || { echo "ci_formats.sh: $c is needed" >&2; exit 2; }
done
work=${work:-$(mktemp -d)}
mkdir -p "$work"
load() { uptime | sed 's/.*load average: //'; }

if [ "$synth" -gt 1 ]; then
	shards=()
	for ((k = 1; k <= synth; k++)); do
		s=$work/shard$k.db
		rm -f "$s"*
		sqlite3 "$db" ".backup '$s'"
		sqlite3 "$s" "
			DELETE FROM scans WHERE id <> (SELECT max(id) FROM scans WHERE state = 'complete');
			DELETE FROM policy_runs WHERE id NOT IN (SELECT max(id) FROM policy_runs GROUP BY policy_id);
			DELETE FROM findings WHERE run_id NOT IN (SELECT id FROM policy_runs);
			UPDATE targets SET host = replace(host, '127.0.0.', '127.0.$k.'),
				ip = replace(ip, '127.0.0.', '127.0.$k.');
			UPDATE scans SET uuid = uuid || '-synth$k', run_id = 'synth$synth', shard_k = $k,
				shard_n = $synth;" || exit 2
		shards+=("$s")
	done
	rm -f "$work/synth.db"*
	t0=$(date +%s)
	"$after" merge --into "$work/synth.db" "${shards[@]}" >/dev/null || exit 2
	echo "synthetic: $synth relabelled copies merged in $(($(date +%s) - t0)) s (load $(load))"
	rm -f "${shards[@]}"
	db=$work/synth.db
fi
sid=$(sqlite3 "$db" "SELECT max(id) FROM scans WHERE state = 'complete'")
echo "$db: scan $sid, $(sqlite3 "$db" "SELECT count(*) FROM targets WHERE scan_id = $sid") targets," \
	"$(sqlite3 "$db" "SELECT count(*) FROM policy_runs WHERE scan_id = $sid") policy runs," \
	"$(sqlite3 "$db" "SELECT count(*) FROM findings f JOIN policy_runs r ON r.id = f.run_id
		WHERE r.scan_id = $sid") findings"

# run LABEL WHICH CMD...: CMD under /usr/bin/time -v; one line of figures.
run() {
	local label=$1 which=$2
	shift 2
	/usr/bin/time -v -o "$work/time" "$@" >/dev/null 2>"$work/err"
	local rc=$?
	local wall rss
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
	printf '%-28s %-6s exit %d, wall %8s, peak RSS %8d KiB (load %s)\n' "$label" "$which" "$rc" \
		"$wall" "$rss" "$(load)"
}
same() { # A B: byte for byte, else the number of differing lines
	if cmp -s "$1" "$2"; then
		echo "  outputs identical ($(stat -c %s "$1") bytes)"
	else
		echo "  outputs DIFFER: $(diff "$1" "$2" | grep -c '^[<>]') lines ($(diff "$1" "$2" |
			grep '^[<>]' | sed 's/^[<>] *//; s/:.*//' | sort | uniq -c | tr -s ' ' | head -c 200))"
	fi
}
whos=(before after)
[ "$before" = - ] && whos=(after)
for f in junit sarif; do
	for b in "${whos[@]}"; do
		bin=$before
		[ $b = after ] && bin=$after
		run "report --format $f" $b "$bin" report --db "$db" --scan "$sid" --format $f \
			-o "$work/report-$b.$f"
	done
	[ "$before" = - ] || same "$work/report-before.$f" "$work/report-after.$f"
done
six=(--policy pci-dss-4.0 --policy nist-sp800-52r2 --policy mozilla-modern
	--policy mozilla-intermediate --policy bsi-tr-02102-2 --policy cabf-baseline)
for b in "${whos[@]}"; do
	bin=$before
	[ $b = after ] && bin=$after
	rm -f "$work/check.db"*
	sqlite3 "$db" ".backup '$work/check.db'"
	run "check --format sarif (six)" $b "$bin" check --db "$work/check.db" --scan "$sid" "${six[@]}" \
		--format sarif -o "$work/check-$b.sarif"
done
rm -f "$work/check.db"*
[ "$before" = - ] && exit 0
# The runs' evaluation times are the only bytes that may differ.
for b in before after; do
	grep -v '"evaluated": ' "$work/check-$b.sarif" >"$work/check-$b.noeval"
done
echo "  $(grep -c '"evaluated": ' "$work/check-after.sarif") \"evaluated\" lines set aside;" \
	"the rest: $(same "$work/check-before.noeval" "$work/check-after.noeval" | sed 's/^ *//')"
