#!/bin/bash
# bench/fleet_ops.sh - the store-side commands of issue 15 ("Scale
# figures": diff, merge, history, prune) at 1,000, 5,000 and 10,000
# targets, without a 10,000-target scan. A benchmark, not a test: it prints
# figures and never fails on one.
#
#   bench/fleet_ops.sh --from DB --work DIR [--sizes "1000 5000 10000"]
#                      [--label L] [--skip "build merge diff history prune"]
#                      [path/to/tlsaudit]
#
# DB holds two complete scans of the same M targets (scan 1 and scan 2,
# e.g. bench/scale10k.sh --keep's small.db: M = 1,000 lab targets scanned
# twice). It is read, never written (sqlite3 .backup of a read-only open).
#
# build (once per DIR): base.db = a copy of DB with one policy run per
#   policy and scan (the newest; scan 1 checked with the six shipped
#   policies when it has none) and a few changes made in scan 2 by SQL so
#   that the diff has something to say (every 97th target unreachable,
#   every 53rd without one accepted suite, every 71st with a failing finding
#   passing, every 89th with one passing finding failing); then for each
#   size N, N/M shard copies of base.db, each one's hosts relabelled
#   ("sK-" + host) and its two scans made shard K of N/M of the runs
#   "synthA" and "synthB" (sqlite3 UPDATEs). These stores are SYNTHETIC:
#   the copies are the same 1,000 lab targets under other names.
# merge: `merge --into kN.db` of the N/M shard copies (a new file: two
#   scans of N targets, re-judged by merge's policy step), and
#   `merge --into` of kN.db into a new file (a whole N-target database).
# diff: `diff 1 2` on kN.db, --format text and --format json, to files
#   kept in DIR/out-L/ (compare two binaries' outputs with cmp).
# history: `history` of one endpoint of kN.db (text and json).
# prune: `prune --keep-scans 1 --dry-run`, then the real prune on a copy.
#
# Every line: the command's exit, wall time, CPU time (user + system) and
# peak RSS from /usr/bin/time -v, and the load average (uptime) when it
# finished: the machine may be shared (under load the CPU time says more
# than the wall time). Needs sqlite3 and /usr/bin/time.
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
from='' work='' sizes='1000 5000 10000' label=run skip='' bin=''
while [ $# -gt 0 ]; do
	case $1 in
	--from) from=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--label) label=$2; shift 2 ;;
	--skip) skip=$2; shift 2 ;;
	--help) sed -n '2,38p' "$0"; exit 0 ;;
	-*) echo "fleet_ops.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) bin=$1; shift ;;
	esac
done
[ -n "$work" ] || { echo "fleet_ops.sh: --work DIR is needed" >&2; exit 2; }
for c in sqlite3 /usr/bin/time; do
	command -v "$c" >/dev/null || { echo "fleet_ops.sh: $c is needed" >&2; exit 2; }
done
TLSAUDIT=${bin:-$top/tlsaudit}
export TLSAUDIT_POLICY_DIR=$top/policies
skipped() { case " $skip " in *" $1 "*) return 0 ;; esac; return 1; }
mkdir -p "$work/out-$label"
out=$work/out-$label
echo "fleet_ops: $("$TLSAUDIT" --version) ($TLSAUDIT), label $label"
echo "load at start: $(uptime)"
exec 3>&1 # run's own line goes here, whatever the command's stdout is

# run LABEL CMD...: CMD under /usr/bin/time -v; one line with its exit,
# wall time, peak RSS and the load average.
run() {
	local what=$1
	shift
	/usr/bin/time -v -o "$work/time.txt" "$@"
	local rc=$?
	local wall rss cpu
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
	cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$work/time.txt")
	printf '%-42s exit %d, wall %8s, CPU %7ss, peak RSS %7s KiB, load %s\n' "$what" "$rc" "$wall" \
		"$cpu" "$rss" "$(uptime | sed 's/.*load average: //')" >&3
}
six=(--policy pci-dss-4.0 --policy nist-sp800-52r2 --policy mozilla-modern
	--policy mozilla-intermediate --policy bsi-tr-02102-2 --policy cabf-baseline)
base=$work/base.db
if ! skipped build && [ ! -f "$base" ]; then
	[ -n "$from" ] || { echo "fleet_ops.sh: --from DB is needed to build" >&2; exit 2; }
	sqlite3 -readonly "$from" ".backup '$base'" || exit 2
	if [ "$(sqlite3 "$base" "SELECT count(*) FROM policy_runs WHERE scan_id = 1")" = 0 ]; then
		"$TLSAUDIT" check --db "$base" --scan 1 "${six[@]}" >/dev/null
	fi
	sqlite3 "$base" <<'EOF' || exit 2
PRAGMA foreign_keys = ON;
DELETE FROM policy_runs WHERE id NOT IN (SELECT max(id) FROM policy_runs GROUP BY scan_id, policy_id);
UPDATE targets SET status = 'unreachable', error = 'connect: connection refused (synthetic)'
 WHERE scan_id = 2 AND id % 97 = 0;
DELETE FROM enum_suites WHERE rowid IN (SELECT min(s.rowid) FROM enum_suites s
 JOIN targets t ON t.id = s.target_id WHERE t.scan_id = 2 AND t.id % 53 = 0 GROUP BY s.target_id);
UPDATE findings SET verdict = 'pass' WHERE id IN (SELECT min(f.id) FROM findings f
 JOIN targets t ON t.id = f.target_id WHERE t.scan_id = 2 AND t.id % 71 = 0 AND f.verdict = 'fail'
 GROUP BY f.run_id, f.target_id);
UPDATE findings SET verdict = 'fail' WHERE id IN (SELECT min(f.id) FROM findings f
 JOIN targets t ON t.id = f.target_id WHERE t.scan_id = 2 AND t.id % 89 = 0 AND f.verdict = 'pass'
 GROUP BY f.run_id, f.target_id);
VACUUM;
EOF
	m=$(sqlite3 "$base" "SELECT count(*) FROM targets WHERE scan_id = 1")
	echo "base.db: $m targets per scan; $(sqlite3 "$base" "SELECT count(*) FROM policy_runs") policy runs," \
		"$(sqlite3 "$base" "SELECT count(*) FROM findings") findings"
fi
m=$(sqlite3 "$base" "SELECT count(*) FROM targets WHERE scan_id = 1")

# shard K N: the K-th relabelled copy of base.db as shard K of N.
shard() {
	local f=$work/shard$2-$1.db
	[ -f "$f" ] && return 0
	cp "$base" "$f"
	sqlite3 "$f" "UPDATE targets SET host = 's$1-' || host;
		UPDATE scans SET uuid = uuid || '-s$1', run_id = CASE id WHEN 1 THEN 'synthA' ELSE 'synthB' END,
		shard_k = $1, shard_n = $2;" || exit 2
}
for n in $sizes; do
	k=$((n / m))
	((k >= 1)) || continue
	db=$work/k$n.db
	echo "== $n targets ($k x $m: synthetic unless $k = 1)"
	if ! skipped merge || [ ! -f "$db" ]; then
		files=()
		for ((s = 1; s <= k; s++)); do shard "$s" "$k"; files+=("$work/shard$k-$s.db"); done
		rm -f "$db" "$db"-wal "$db"-shm
		run "merge --into k$n.db ($k shards)" "$TLSAUDIT" merge --into "$db" "${files[@]}" \
			>"$out/merge-shards-$n.txt"
	fi
	if ! skipped merge; then
		rm -f "$work/whole$n.db"*
		run "merge --into new.db (k$n.db, 2 scans)" "$TLSAUDIT" merge --into "$work/whole$n.db" \
			"$db" >"$out/merge-whole-$n.txt"
		rm -f "$work/whole$n.db"*
	fi
	if ! skipped diff; then
		run "diff 1 2 --format text ($n)" "$TLSAUDIT" diff --db "$db" 1 2 -o "$out/diff-$n.txt"
		run "diff 1 2 --format json ($n)" "$TLSAUDIT" diff --db "$db" 1 2 --format json \
			-o "$out/diff-$n.json"
		echo "  $(tail -n 1 "$out/diff-$n.txt")"
	fi
	if ! skipped history; then
		h=$(sqlite3 "$db" "SELECT host || ':' || port FROM targets WHERE scan_id = 2 ORDER BY id LIMIT 1 OFFSET 7")
		run "history $h (text, $n)" "$TLSAUDIT" history --db "$db" "$h" >"$out/history-$n.txt"
		run "history $h (json, $n)" "$TLSAUDIT" history --db "$db" --format json "$h" \
			>"$out/history-$n.json"
	fi
	if ! skipped prune; then
		cp "$db" "$work/prune.db"
		run "prune --keep-scans 1 --dry-run ($n)" "$TLSAUDIT" prune --db "$work/prune.db" \
			--keep-scans 1 --dry-run >"$out/prune-dry-$n.txt"
		run "prune --keep-scans 1 ($n)" "$TLSAUDIT" prune --db "$work/prune.db" --keep-scans 1 \
			>"$out/prune-$n.txt"
		echo "  $(tail -n 1 "$out/prune-$n.txt")"
		rm -f "$work/prune.db"*
	fi
done
echo "load at end: $(uptime)"
