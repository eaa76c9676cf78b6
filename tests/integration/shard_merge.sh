#!/usr/bin/env bash
# tests/integration/shard_merge.sh - sharded scans merged into one store
# (issue 15): the same lab targets scanned once on one "machine" and as 4
# shards (`scan --shard K/4 --run-id R`, each into its own database), then
# `tlsaudit merge --into CENTRAL shard*.db`. The merged scan must equal the
# single scan in every fact and finding (report JSON, times and ids aside),
# the shards must partition the targets, a merge twice changes nothing, a
# run with shards missing reads incomplete, and a shard still running or a
# file that is not a database is refused with nothing merged.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/merge_lib.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)" >&2; exit 99; }
lab_init
lab_certs >/dev/null

merge_lab_targets
n_all=$(wc -l <"$LAB_DIR/targets")
scan() { # DB EXTRA...
	local db=$1
	shift
	# shellcheck disable=SC2086 # the options are words
	"$TLSAUDIT" scan --db "$db" -j 2 --ca-file "$LAB_CA" $MERGE_SCAN_OPTS \
		-f "$LAB_DIR/targets" --format json -o /dev/null "$@"
}

# t_run_gate: runs the rest (T_OUT, T_ERR as t_run); exit 0 or 1 (the
# verdict of the shard's targets) are both right, anything else fails.
t_run_gate() {
	set +e
	"$@" >"$LAB_DIR/gate.out" 2>"$LAB_DIR/gate.err"
	T_STATUS=$?
	set -e
	T_OUT=$(cat "$LAB_DIR/gate.out")
	T_ERR=$(cat "$LAB_DIR/gate.err")
	t_match "exit 0 or 1: $*" '^[01]$' "$T_STATUS"
}

# One machine.
t_run 1 scan "$LAB_DIR/single.db"
# Four shards of run "night-1" (as four machines would: four files).
for k in 1 2 3 4; do
	t_run_gate scan "$LAB_DIR/shard$k.db" --shard "$k/4" --run-id night-1
	t_match "shard $k says which targets it took" "shard $k/4 of run night-1: [0-9]+ of $n_all targets" "$T_ERR"
done
sum=0
for k in 1 2 3 4; do
	t_eq "shard $k: the .db alone is complete (no write-ahead log left)" "" \
		"$(find "$LAB_DIR" -name "shard$k.db-wal" -size +0)"
	n=$(sqlite3 "$LAB_DIR/shard$k.db" 'SELECT count(*) FROM targets')
	sum=$((sum + n))
	t_eq "shard $k is stored as shard $k of 4 of night-1" "night-1|$k|4" \
		"$(sqlite3 "$LAB_DIR/shard$k.db" 'SELECT run_id, shard_k, shard_n FROM scans')"
done
t_eq "the shards together hold every target once" "$n_all" "$sum"
t_eq "no target is in two shards" "$n_all" "$(for k in 1 2 3 4; do
	sqlite3 "$LAB_DIR/shard$k.db" "SELECT host || ':' || port || ' ' || coalesce(sni, '') FROM targets"
done | sort -u | wc -l)"
# The same partition on a second run of the same targets.
t_run_gate "$TLSAUDIT" scan --db "$LAB_DIR/again.db" --timeout 10 --no-enumerate --offline \
	--ca-file "$LAB_CA" -f "$LAB_DIR/targets" --shard 3/4 --run-id night-2 --format json -o /dev/null
t_eq "the partition is the same in another run" \
	"$(sqlite3 "$LAB_DIR/shard3.db" 'SELECT host, port FROM targets ORDER BY port')" \
	"$(sqlite3 "$LAB_DIR/again.db" 'SELECT host, port FROM targets ORDER BY port')"

central=$LAB_DIR/central.db
# Three shards first: the run reads incomplete.
t_run 0 "$TLSAUDIT" merge --into "$central" "$LAB_DIR/shard1.db" "$LAB_DIR/shard2.db" \
	"$LAB_DIR/shard3.db"
t_eq "one scan for the run" "1" "$(sqlite3 "$central" 'SELECT count(*) FROM scans')"
t_eq "three of four shards: incomplete, and the note says so" \
	"incomplete|merged 3 of 4 shards of run night-1 (3 complete)" \
	"$(sqlite3 "$central" 'SELECT state, note FROM scans')"
t_run 0 "$TLSAUDIT" merge --into "$central" "$LAB_DIR/shard4.db"
t_match "merge says what it copied" "shard4.db: 1 scan into scan 1: [0-9]+ targets?, 2 policy runs" "$T_OUT"
t_eq "all four: complete, uuid run-night-1" "complete|run-night-1|night-1|4" \
	"$(sqlite3 "$central" 'SELECT state, uuid, run_id, shard_n FROM scans')"
t_eq "each shard recorded once" "1 2 3 4" \
	"$(sqlite3 "$central" 'SELECT shard_k FROM scan_sources ORDER BY shard_k' | tr '\n' ' ' | sed 's/ $//')"
t_eq "the newest run of each policy covers every target (judged again after the merge)" \
	"mozilla-intermediate $n_all, pci-dss-4.0 $n_all" \
	"$(sqlite3 "$central" "SELECT group_concat(policy_id || ' ' || n, ', ') FROM (SELECT r.policy_id, count(DISTINCT f.target_id) AS n FROM policy_runs r JOIN findings f ON f.run_id = r.id WHERE r.id IN (SELECT max(id) FROM policy_runs GROUP BY policy_id) GROUP BY r.policy_id ORDER BY r.policy_id)")"
t_match "merge says it judged the policies again" "scan 1: pci-dss-4.0 judged again over the merged targets" "$T_OUT"

# The merged scan equals the single-machine scan: every fact and finding.
merge_same "merged = single" "$LAB_DIR/single.db" "$central"
t_eq "the report names the run, its shards and what was merged" \
	'{"run_id":"night-1","shard":{"k":null,"n":4},"merged_scans":4,"uuid":"run-night-1"}' \
	"$(jq -c '.scan | {run_id, shard, merged_scans, uuid}' "$LAB_DIR/merged.json")"
t_run 0 "$TLSAUDIT" report --db "$LAB_DIR/shard2.db" --latest
t_match "a shard's text report says which shard it is" "run night-1: shard 2 of 4" "$T_OUT"
t_eq "the exit code's verdict is the same (check, exit 1 both)" \
	"$("$TLSAUDIT" check --db "$LAB_DIR/single.db" --latest --policy pci-dss-4.0 >/dev/null 2>&1; echo $?)" \
	"$("$TLSAUDIT" check --db "$central" --latest --policy pci-dss-4.0 >/dev/null 2>&1; echo $?)"
t_run 0 "$TLSAUDIT" history --db "$central" "$(head -1 "$LAB_DIR/targets" | cut -d' ' -f1)"

# Idempotent: merging every shard again changes nothing.
before=$(sqlite3 "$central" 'SELECT (SELECT count(*) FROM scans), (SELECT count(*) FROM targets), (SELECT count(*) FROM findings), (SELECT count(*) FROM certificates), (SELECT count(*) FROM policy_runs)')
t_run 0 "$TLSAUDIT" merge --into "$central" "$LAB_DIR"/shard[1-4].db
t_match "a second merge says nothing new" "shard1.db: nothing new \(1 scan merged before\)" "$T_OUT"
t_eq "a second merge changes nothing" "$before" \
	"$(sqlite3 "$central" 'SELECT (SELECT count(*) FROM scans), (SELECT count(*) FROM targets), (SELECT count(*) FROM findings), (SELECT count(*) FROM certificates), (SELECT count(*) FROM policy_runs)')"
t_eq "the central file is sound" "ok" "$(sqlite3 "$central" 'PRAGMA integrity_check')"

# A whole scan of another machine is copied as its own scan, uuid kept.
t_run 0 "$TLSAUDIT" merge --into "$central" "$LAB_DIR/single.db"
t_eq "a whole scan keeps its uuid" "$(sqlite3 "$LAB_DIR/single.db" 'SELECT uuid FROM scans')" \
	"$(sqlite3 "$central" 'SELECT uuid FROM scans WHERE id = 2')"
t_run 0 "$TLSAUDIT" diff --db "$central" 1 2
t_match "diff of the merged run and the single scan: nothing changed" \
	"0 targets changed, $n_all unchanged, 0 only in scan 1, 0 only in scan 2; 0 changes are worse" "$T_OUT"

# Refusals leave the central database as it was.
before=$(sqlite3 "$central" 'SELECT count(*) FROM scans')
cp "$LAB_DIR/shard1.db" "$LAB_DIR/running.db"
sqlite3 "$LAB_DIR/running.db" "UPDATE scans SET state = 'running', uuid = 'still-running'"
t_run 2 "$TLSAUDIT" merge --into "$central" "$LAB_DIR/running.db"
t_match "a running scan is refused" "is still running: merge it once it has finished" "$T_ERR"
echo "not a database" >"$LAB_DIR/junk.db"
t_run 2 "$TLSAUDIT" merge --into "$central" "$LAB_DIR/junk.db"
t_match "a file that is not a database is refused, named" "junk.db" "$T_ERR"
t_run 2 "$TLSAUDIT" merge --into "$central" "$central"
t_match "a database is not merged into itself" "is the database merged into" "$T_ERR"
t_eq "refusals merge nothing" "$before" "$(sqlite3 "$central" 'SELECT count(*) FROM scans')"
t_run 2 "$TLSAUDIT" scan --db "$LAB_DIR/x.db" --shard 5/4 --run-id x 127.0.0.1:1
t_match "--shard K/N is checked" "is not K/N with 1 <= K <= N" "$T_ERR"
t_run 2 "$TLSAUDIT" scan --db "$LAB_DIR/x.db" --shard 1/4 127.0.0.1:1
t_match "--shard needs a run id" "needs the run's id" "$T_ERR"
t_done
