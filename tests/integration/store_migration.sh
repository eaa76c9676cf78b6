#!/usr/bin/env bash
# tests/integration/store_migration.sh - a database written by the previous
# release (schema v2, tests/data/store/v2.sql: made once by the v2 build
# with tests/data/store/make-v2-fixture.sh) opens with nothing lost:
#
# - read-only (report): migrated in memory only; the file's bytes and
#   user_version stay; every stored scan renders as the v2 build rendered
#   it (tests/data/store/v2-scan*.report.json), except the fields schema v3
#   adds (each target's "probes" and "probes_header"), those schema v4 adds
#   (each policy run's gate: "fail_on", "fail_on_inconclusive",
#   "gate_stored", the "verdicts" judged at it, each finding's "blocking")
#   and the report's own "generated" time and database path;
# - for writing (a scan into it): migrated to the current schema in the
#   file; every row of every v2 table is still there, unchanged (old EXCEPT
#   new is empty); the old targets' probe collection reads "not-collected"
#   with no row; the old policy runs have no stored gate (NULL) and report
#   as judged at the default one (--fail-on high), their findings' verdicts
#   unchanged; the reports of the old scans are still those of the v2 build.
# The new scan's one target is a closed port of 127.0.0.1 in the lab's
# network namespace.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v sqlite3 >/dev/null || { echo "the sqlite3 shell is needed" >&2; exit 99; }
lab_init

data=$top_srcdir/tests/data/store
db=$LAB_DIR/v2.db
orig=$LAB_DIR/orig.db
sqlite3 "$db" <"$data/v2.sql"
sqlite3 "$orig" <"$data/v2.sql"
t_eq "the fixture is schema 2" 2 "$(sqlite3 "$db" 'PRAGMA user_version')"
sum() { sha256sum "$1" | cut -d' ' -f1; }
before=$(sum "$db")

# norm FILE: the report without what is not stored and what v3 and v4 add.
norm() {
	jq -S 'del(.generated, .scan.database) | .targets |= map(del(.probes, .probes_header))
		| .policy_runs |= map(del(.fail_on, .fail_on_inconclusive, .gate_stored, .verdicts)
			| .findings |= map(del(.blocking)))' "$1"
}
schema=$(sed -n 's/^#define STORE_SCHEMA_VERSION \([0-9]*\).*/\1/p' "$top_srcdir/store/store.h")
# compare WHEN: each scan's report against the v2 build's.
compare() {
	for id in 1 2; do
		t_run 0 "$TLSAUDIT" report --db "$db" --scan "$id" --format json -o "$LAB_DIR/r$id.json"
		if diff -u <(norm "$data/v2-scan$id.report.json") <(norm "$LAB_DIR/r$id.json") \
			>"$LAB_DIR/diff$id"; then
			t_ok "$1: scan $id reports as the v2 build reported it"
		else
			t_fail "$1: scan $id reports as the v2 build reported it" "$(head -40 "$LAB_DIR/diff$id")"
		fi
		t_eq "$1: scan $id: every target has an empty probes array, not collected" \
			"$(jq '.targets | length' "$data/v2-scan$id.report.json")" \
			"$(jq '[.targets[] | select(.probes == [] and .probes_header.state == "not-collected")] | length' "$LAB_DIR/r$id.json")"
		t_eq "$1: scan $id: every old policy run has no stored gate and is judged at --fail-on high" \
			"$(jq '.policy_runs | length' "$data/v2-scan$id.report.json")" \
			"$(jq '[.policy_runs[] | select(.gate_stored == false and .fail_on == "high" and .fail_on_inconclusive == false)] | length' "$LAB_DIR/r$id.json")"
		t_eq "$1: scan $id: a finding blocks exactly when it fails at high or critical" "" \
			"$(jq -r '.policy_runs[].findings[] | select(.blocking != (.verdict == "fail" and (.severity == "high" or .severity == "critical"))) | .rule_id' "$LAB_DIR/r$id.json")"
	done
}

compare "read-only"
t_eq "read-only: the file's bytes stay" "$before" "$(sum "$db")"
t_eq "read-only: the file stays at schema 2" 2 "$(sqlite3 "$db" 'PRAGMA user_version')"

closed=$(lab_closed_port)
t_run 3 "$TLSAUDIT" scan --db "$db" --timeout 2 --offline "$closed"
t_eq "written: the file is migrated to schema $schema" "$schema" "$(sqlite3 "$db" 'PRAGMA user_version')"
t_eq "written: the old policy runs have no gate stored" "$(sqlite3 "$orig" 'SELECT count(*) FROM policy_runs')" \
	"$(sqlite3 "$db" 'SELECT count(*) FROM policy_runs WHERE fail_on IS NULL AND fail_on_inconclusive IS NULL')"
t_eq "written: the file is still tlsaudit's" 1414288193 "$(sqlite3 "$db" 'PRAGMA application_id')"
t_eq "written: integrity" ok "$(sqlite3 "$db" 'PRAGMA integrity_check')"
t_eq "written: three scans" 3 "$(sqlite3 "$db" 'SELECT count(*) FROM scans')"

# Every v2 table, every row, every v2 column: nothing lost or changed.
tables=$(sqlite3 "$orig" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
n_tables=0
lost=""
for t in $tables; do
	cols=$(sqlite3 "$orig" "SELECT group_concat(quote(name), ', ') FROM pragma_table_info('$t')")
	rows=$(sqlite3 "$orig" "SELECT count(*) FROM \"$t\"")
	missing=$(sqlite3 "$db" "ATTACH '$orig' AS old; SELECT count(*) FROM (SELECT $cols FROM old.\"$t\" EXCEPT SELECT $cols FROM main.\"$t\")")
	[ "$missing" = 0 ] || lost="$lost $t:$missing/$rows"
	n_tables=$((n_tables + 1))
done
t_eq "written: no row of the $n_tables v2 tables is lost or changed" "" "$lost"
t_match "written: the tables compared include the facts and findings" \
	'certificates.*chains.*enum_suites.*fetch_cache.*findings.*http_headers.*policy_runs.*revocations.*scans.*targets' \
	"$(echo $tables)"
t_eq "written: the old targets' probes are not collected, with no row" "6 0" \
	"$(sqlite3 "$db" "SELECT count(*) FROM targets WHERE scan_id <= 2 AND probes_state = 'not-collected' AND probes_detail IS NULL") $(sqlite3 "$db" 'SELECT count(*) FROM probe_results p JOIN targets t ON t.id = p.target_id WHERE t.scan_id <= 2')"
compare "written"
t_done
