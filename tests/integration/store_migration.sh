#!/usr/bin/env bash
# tests/integration/store_migration.sh - a database written by the previous
# release (schema v2, tests/data/store/v2.sql: made once by the v2 build
# with tests/data/store/make-v2-fixture.sh) opens with nothing lost:
#
# - read-only (report): migrated in memory only; the file's bytes and
#   user_version stay; every stored scan renders as the v2 build rendered
#   it (tests/data/store/v2-scan*.report.json), except the fields schema v3
#   adds (each target's "probes" and "probes_header") and the report's own
#   "generated" time and database path;
# - for writing (a scan into it): migrated to the current schema in the
#   file; every row of every v2 table is still there, unchanged (old EXCEPT
#   new is empty); the old targets' probe collection reads "not-collected"
#   with no row; the reports of the old scans are still those of the v2
#   build.
# A database written by the v3 release (tests/data/store/v3.sql, made by
# make-v3-fixture.sh) the same way: read-only and written, every scan
# reports as the v3 build reported it except the "deployments" array
# schema v4 adds, which holds exactly the target's one chain, and the gate
# schema v5 adds to each policy run; every row of
# every v3 table is kept and no deployment row appears. Both: every old
# target carries the grade computed again from its stored facts (a report
# field, never stored).
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

# What the report leaves out to compare: what is not stored, what schema
# v4 adds (each target's deployments, the deployment of every inventory
# place and expiring certificate) and what v5 adds (each policy run's gate:
# "fail_on", "fail_on_inconclusive", "gate_stored", the "verdicts" judged
# at it, each finding's "blocking") and v6 (each certificate's
# "policy_oids", empty for a certificate stored before it), v7 (the
# scan's "uuid", "run_id", "shard", "merged_scans"), v8 (each
# enumeration's "kex_values", null for a target stored before it) and v9
# (each target's "starttls", "none" before it, and "starttls_dialogue", null).
V4_NEW='del(.generated, .scan.database, .scan.uuid, .scan.run_id, .scan.shard, .scan.merged_scans) | .targets |= map(del(.deployments, .starttls, .starttls_dialogue, .grade) | del(.enumeration.kex_values?))
	| walk(if type == "object" then del(.policy_oids) else . end)
	| del(.inventory.certificates[]?.served[]?.deployment, .expiring.certificates[]?.deployment)
	| .policy_runs |= (. // [] | map(del(.fail_on, .fail_on_inconclusive, .gate_stored, .verdicts)
		| .findings |= map(del(.blocking))))'
schema=$(sed -n 's/^#define STORE_SCHEMA_VERSION \([0-9]*\).*/\1/p' "$top_srcdir/store/store.h")
# norm FILE: the report without that and what v3 adds.
norm() {
	jq -S "$V4_NEW"' | .targets |= map(del(.probes, .probes_header))' "$1"
}
# compare WHEN [V NORM]: each scan's report against the V build's (v2,
# normalised by NORM, norm); every v2 target has an empty probes array.
compare() {
	local v=${2:-v2} nf=${3:-norm}
	for id in 1 2; do
		t_run 0 "$TLSAUDIT" report --db "$db" --scan "$id" --format json -o "$LAB_DIR/$v-r$id.json"
		if diff -u <("$nf" "$data/$v-scan$id.report.json") <("$nf" "$LAB_DIR/$v-r$id.json") \
			>"$LAB_DIR/$v-diff$id"; then
			t_ok "$1: $v scan $id reports as the $v build reported it"
		else
			t_fail "$1: $v scan $id reports as the $v build reported it" "$(head -40 "$LAB_DIR/$v-diff$id")"
		fi
		t_eq "$1: $v scan $id: every certificate stored before v6 has an empty policy_oids list" "" \
			"$(jq -r '.targets[].certificates[]? | select(.policy_oids != []) | .sha256' "$LAB_DIR/$v-r$id.json")"
		t_eq "$1: $v scan $id: every target stored before v7 has no key-exchange values (null)" "" \
			"$(jq -r '.targets[] | select(.enumeration != null and .enumeration.kex_values != null) | .host' "$LAB_DIR/$v-r$id.json")"
		t_eq "$1: $v scan $id: every old target is graded again from its stored facts (issue 16)" "" \
			"$(jq -r '.targets[] | select(.grade.label != "approximate (SSL Labs rating guide 2009 + later caps)" or .grade.graded != (.status == "ok")) | .host' "$LAB_DIR/$v-r$id.json")"
		[ "$v" = v2 ] || continue
		t_eq "$1: scan $id: every target has an empty probes array, not collected" \
			"$(jq '.targets | length' "$data/v2-scan$id.report.json")" \
			"$(jq '[.targets[] | select(.probes == [] and .probes_header.state == "not-collected")] | length' "$LAB_DIR/v2-r$id.json")"
		t_eq "$1: v2 scan $id: every target reads back as direct TLS (schema v7)" \
			"$(jq '.targets | length' "$data/v2-scan$id.report.json")" \
			"$(jq '[.targets[] | select(.starttls == "none" and .starttls_dialogue == null)] | length' "$LAB_DIR/v2-r$id.json")"
		t_eq "$1: scan $id: every old policy run has no stored gate and is judged at --fail-on high" \
			"$(jq '.policy_runs | length' "$data/v2-scan$id.report.json")" \
			"$(jq '[.policy_runs[] | select(.gate_stored == false and .fail_on == "high" and .fail_on_inconclusive == false)] | length' "$LAB_DIR/v2-r$id.json")"
		t_eq "$1: scan $id: a finding blocks exactly when it fails at high or critical" "" \
			"$(jq -r '.policy_runs[].findings[] | select(.blocking != (.verdict == "fail" and (.severity == "high" or .severity == "critical"))) | .rule_id' "$LAB_DIR/v2-r$id.json")"
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

# lost_rows: every table of $orig, every row, every column of it, looked
# up in $db; sets tables, n_tables and lost (TABLE:MISSING/ROWS ...).
lost_rows() {
	tables=$(sqlite3 "$orig" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	n_tables=0
	lost=""
	local t cols rows missing
	for t in $tables; do
		cols=$(sqlite3 "$orig" "SELECT group_concat(quote(name), ', ') FROM pragma_table_info('$t')")
		rows=$(sqlite3 "$orig" "SELECT count(*) FROM \"$t\"")
		missing=$(sqlite3 "$db" "ATTACH '$orig' AS old; SELECT count(*) FROM (SELECT $cols FROM old.\"$t\" EXCEPT SELECT $cols FROM main.\"$t\")")
		[ "$missing" = 0 ] || lost="$lost $t:$missing/$rows"
		n_tables=$((n_tables + 1))
	done
}

# Every v2 table, every row, every v2 column: nothing lost or changed.
lost_rows
t_eq "written: no row of the $n_tables v2 tables is lost or changed" "" "$lost"
t_match "written: the tables compared include the facts and findings" \
	'certificates.*chains.*enum_suites.*fetch_cache.*findings.*http_headers.*policy_runs.*revocations.*scans.*targets' \
	"$(echo $tables)"
t_eq "written: the old targets' probes are not collected, with no row" "6 0" \
	"$(sqlite3 "$db" "SELECT count(*) FROM targets WHERE scan_id <= 2 AND probes_state = 'not-collected' AND probes_detail IS NULL") $(sqlite3 "$db" 'SELECT count(*) FROM probe_results p JOIN targets t ON t.id = p.target_id WHERE t.scan_id <= 2')"
t_eq "written: the old targets' key-exchange values are not collected, with no row" "6 0" \
	"$(sqlite3 "$db" "SELECT count(*) FROM targets WHERE scan_id <= 2 AND kex_state = 'not-collected'") $(sqlite3 "$db" 'SELECT count(*) FROM kex_values k JOIN targets t ON t.id = k.target_id WHERE t.scan_id <= 2')"
compare "written"

# --- a v3 database ---------------------------------------------------------------
db=$LAB_DIR/v3.db
orig=$LAB_DIR/orig3.db
sqlite3 "$db" <"$data/v3.sql"
sqlite3 "$orig" <"$data/v3.sql"
t_eq "the v3 fixture is schema 3" 3 "$(sqlite3 "$db" 'PRAGMA user_version')"
before=$(sum "$db")
norm3() { jq -S "$V4_NEW" "$1"; }
# one_deployment WHEN: every target of each v3 scan has one deployment,
# its own chain.
one_deployment() {
	for id in 1 2; do
		t_eq "$1: v3 scan $id: every target has one deployment, its own chain" \
			"$(jq '.targets | length' "$data/v3-scan$id.report.json")" \
			"$(jq '[.targets[] | select((.deployments | length) == 1 and .deployments[0].position == 0
				and .deployments[0].certificates == .certificates and .deployments[0].chain == .chain
				and .deployments[0].revocation == .revocation)] | length' "$LAB_DIR/v3-r$id.json")"
	done
}
compare "v3 read-only" v3 norm3
one_deployment "v3 read-only"
t_eq "v3 read-only: the file's bytes stay" "$before" "$(sum "$db")"
t_eq "v3 read-only: the file stays at schema 3" 3 "$(sqlite3 "$db" 'PRAGMA user_version')"
t_run 3 "$TLSAUDIT" scan --db "$db" --timeout 2 --offline "$closed"
t_eq "v3 written: the file is migrated to schema $schema" "$schema" "$(sqlite3 "$db" 'PRAGMA user_version')"
t_eq "v3 written: integrity" ok "$(sqlite3 "$db" 'PRAGMA integrity_check')"
lost_rows
t_eq "v3 written: no row of the $n_tables v3 tables is lost or changed" "" "$lost"
t_match "v3 written: the tables compared include the chains and probe results" \
	'chain_certs.*chains.*probe_results.*revocations' "$(echo $tables)"
t_eq "v3 written: no deployment row for the old targets" 0 \
	"$(sqlite3 "$db" 'SELECT count(*) FROM deployments')"
compare "v3 written" v3 norm3
one_deployment "v3 written"
t_done
