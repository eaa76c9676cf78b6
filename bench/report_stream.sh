#!/bin/bash
# bench/report_stream.sh - `tlsaudit report` at fleet size without a long
# scan (issue 15): the streamed formats against a binary that loads the
# whole scan, on a database of K x the targets of a real one.
# A benchmark, not a test: it prints figures and never fails on one.
#
#   bench/report_stream.sh --source DB [--copies K] [--before BIN]
#                          [--keep DIR] [--cases "F:DAYS:OPTS ..."]
#                          [path/to/tlsaudit]
#
# DB is a database whose newest scan is a scan of bench/scale10k.sh's fleet
# (targets on 127.0.0.1 .. 127.0.0.A, e.g. its small.db with `--keep`) with
# its policy runs. Its newest scan is copied alone (prune --keep-scans 1,
# the newest run of each policy kept, their policy file forgotten so merge
# does not judge them again); with K > 1, K copies of it are relabelled
# (127.0.0.x -> 127.0.k.x: real facts, K x the targets), marked as the K
# shards of one run and joined by `merge`: a SYNTHETIC store, say so next
# to its figures. Then each case (format F, --expiring DAYS when not empty,
# further options OPTS with '+' for a space) is rendered with -o by both
# binaries, one after the other, with /usr/bin/time -v: exit code, wall
# time, peak RSS and `uptime` load of each, and whether the outputs are the
# same bytes (JSON: but its "generated" line, the clock).
#
# Needs sqlite3 and /usr/bin/time. --keep DIR keeps the work directory.
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
source='' copies=1 before='' keep='' bin=''
cases="csv:: markdown:: text:365: json:365: csv:365: markdown:365:"
while [ $# -gt 0 ]; do
	case $1 in
	--source) source=$2; shift 2 ;;
	--copies) copies=$2; shift 2 ;;
	--before) before=$2; shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	--cases) cases=$2; shift 2 ;;
	--help) sed -n '2,24p' "$0"; exit 0 ;;
	-*) echo "report_stream.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) bin=$1; shift ;;
	esac
done
TLSAUDIT=${bin:-$top/tlsaudit}
if [ -z "$source" ] || [ ! -r "$source" ]; then
	echo "report_stream.sh: --source DB (a readable database) is needed" >&2
	exit 2
fi
for c in sqlite3 /usr/bin/time; do
	command -v "$c" >/dev/null || { echo "report_stream.sh: $c is needed" >&2; exit 2; }
done
if [ -n "$keep" ]; then
	work=$keep
	mkdir -p "$work"
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
echo "report_stream: $copies x the newest scan of $source; after: $("$TLSAUDIT" --version)${before:+; before: $("$before" --version)}"
echo "load at start: $(uptime)"

cp "$source" "$work/base.db"
"$TLSAUDIT" prune --db "$work/base.db" --keep-scans 1 >/dev/null || exit 2
sqlite3 "$work/base.db" "PRAGMA foreign_keys = ON;
	DELETE FROM policy_runs WHERE id NOT IN (SELECT max(id) FROM policy_runs GROUP BY policy_id);
	UPDATE policy_runs SET policy_path = NULL;" || exit 2
db=$work/base.db
if [ "$copies" -gt 1 ]; then
	shards=()
	for ((k = 1; k <= copies; k++)); do
		cp "$work/base.db" "$work/copy$k.db"
		sqlite3 "$work/copy$k.db" "UPDATE targets SET host = replace(host, '127.0.0.', '127.0.$k.'),
			ip = replace(ip, '127.0.0.', '127.0.$k.');
			UPDATE scans SET run_id = 'synthetic$copies', shard_k = $k, shard_n = $copies,
			uuid = 'synthetic$copies-$k';" || exit 2
		shards+=("$work/copy$k.db")
	done
	t0=$(date +%s)
	"$TLSAUDIT" merge --into "$work/synthetic.db" "${shards[@]}" 2>/dev/null || exit 2
	echo "merged $copies copies in $(($(date +%s) - t0)) s"
	rm -f "${shards[@]}"
	db=$work/synthetic.db
fi
echo "store: $(sqlite3 "$db" "SELECT count(*) FROM targets") targets, $(sqlite3 "$db" "SELECT count(*) FROM findings") findings, $(($(stat -c %s "$db") / 1048576)) MB"

# run LABEL BIN ARGS...: one rendering, its figures.
run() {
	local label=$1 b=$2
	shift 2
	local load
	load=$(uptime | sed 's/.*load average: //')
	/usr/bin/time -v "$b" "$@" 2>"$work/time"
	local rc=$?
	echo "  $label: exit $rc, $(awk '/Elapsed/ {print $NF}' "$work/time") wall," \
		"$(awk '/Maximum resident/ {printf "%.1f MB", $NF / 1024}' "$work/time") peak RSS (load $load)"
}
for c in $cases; do
	IFS=: read -r fmt days opts <<<"$c"
	args=(report --db "$db" --format "$fmt")
	[ -n "$days" ] && args+=(--expiring "$days")
	# shellcheck disable=SC2206
	[ -n "$opts" ] && args+=(${opts//+/ })
	echo "${args[*]:3}:"
	run after "$TLSAUDIT" "${args[@]}" -o "$work/after"
	[ -n "$before" ] || { rm -f "$work/after"; continue; }
	run before "$before" "${args[@]}" -o "$work/before"
	if [ "$fmt" = json ]; then
		grep -v '^  "generated": ' "$work/after" >"$work/after.cmp"
		grep -v '^  "generated": ' "$work/before" >"$work/before.cmp"
	else
		mv "$work/after" "$work/after.cmp"
		mv "$work/before" "$work/before.cmp"
	fi
	note=''
	[ "$fmt" = json ] && note=', but the generated line'
	if cmp -s "$work/before.cmp" "$work/after.cmp"; then
		echo "  same bytes ($(stat -c %s "$work/after.cmp") bytes$note)"
	else
		echo "  DIFFERENT bytes"
	fi
	rm -f "$work/after" "$work/before" "$work/after.cmp" "$work/before.cmp"
done
echo "load at end: $(uptime)"
