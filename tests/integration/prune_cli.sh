#!/usr/bin/env bash
# tests/integration/prune_cli.sh - `tlsaudit prune` on real scans: three
# scans of the lab's good-rsa and an unreachable port, the first two made
# old (their start moved back 40 days in the file), a policy run on each.
#
# Checks: the errors (no keep option, bad numbers, an operand, a missing
# database: exit 2, no file created); --dry-run lists scans 1 and 2 and
# leaves the file's bytes as they were; the real run deletes them (scans,
# targets, runs, findings gone; scan 3 and the certificates it serves
# kept; `report` of scan 3 the same bytes as before), passes
# integrity_check, shrinks the file; a second run has nothing to delete.
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
{
	lab_target good-rsa
	lab_closed_port
} >"$LAB_DIR/targets"
db=$LAB_DIR/prune.db
for i in 1 2 3; do
	t_run 3 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --offline --timeout 2 --quiet \
		--policy pci-dss-4.0 -f "$LAB_DIR/targets"
done
sqlite3 "$db" "UPDATE scans SET started_ms = started_ms - 40 * 86400000 WHERE id IN (1, 2)"
t_run 0 "$TLSAUDIT" report --db "$db" --scan 3 --format json
report3=$(jq -S 'del(.generated)' <<<"$T_OUT")

t_run 2 "$TLSAUDIT" prune --db "$db"
t_match "no keep option: says what to give" "say what to keep: --keep-days N and/or --keep-scans N" "$T_ERR"
t_run 2 "$TLSAUDIT" prune --db "$db" --keep-scans 0
t_match "--keep-scans 0 refused" "--keep-scans: '0' is not a number of scans \(from 1\)" "$T_ERR"
t_run 2 "$TLSAUDIT" prune --db "$db" --keep-days -1
t_run 2 "$TLSAUDIT" prune --db "$db" --keep-days 3 extra
t_run 2 "$TLSAUDIT" prune --db "$LAB_DIR/none.db" --keep-days 3
t_eq "a missing database is not created" no "$([ -e "$LAB_DIR/none.db" ] && echo yes || echo no)"

sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
before=$(sha256sum <"$db")
t_run 0 "$TLSAUDIT" prune --db "$db" --keep-days 30 --dry-run
t_match "dry run: scan 1 listed" "^would delete scan 1 \([0-9TZ:-]+, complete, 2 targets\)" "$T_OUT"
t_match "dry run: scan 2 listed" "would delete scan 2 " "$T_OUT"
t_match "dry run: the summary" "would delete 2 scans \(4 targets, 2 policy runs, [1-9][0-9]* findings\).*; nothing changed" "$T_OUT"
t_eq "dry run: the file's bytes unchanged" "$before" "$(sha256sum <"$db")"
t_eq "dry run: still three scans" 3 "$(sqlite3 "$db" 'SELECT count(*) FROM scans')"

size0=$(stat -c %s "$db")
t_run 0 "$TLSAUDIT" prune --db "$db" --keep-days 30
t_match "prune: the summary" "^deleted 2 scans \(4 targets, 2 policy runs, [1-9][0-9]* findings\), 0 certificates no remaining scan serves, .*; [0-9]+ -> [0-9]+ bytes \(incremental vacuum\)$" "$T_OUT"
t_eq "prune: scan 3 left" 3 "$(sqlite3 "$db" 'SELECT group_concat(id) FROM scans')"
t_eq "prune: its targets only" "2 3" "$(sqlite3 "$db" 'SELECT count(*), min(scan_id) FROM targets' | tr '|' ' ')"
t_eq "prune: its policy run only" 1 "$(sqlite3 "$db" 'SELECT count(*) FROM policy_runs')"
t_eq "prune: the certificates it serves kept" 2 "$(sqlite3 "$db" 'SELECT count(*) FROM certificates')"
t_eq "prune: integrity_check" ok "$(sqlite3 "$db" 'PRAGMA integrity_check')"
t_eq "prune: foreign keys hold" 0 "$(sqlite3 "$db" 'SELECT count(*) FROM pragma_foreign_key_check')"
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
t_match "prune: the file shrank" yes "$([ "$(stat -c %s "$db")" -lt "$size0" ] && echo yes)"
t_run 0 "$TLSAUDIT" report --db "$db" --scan 3 --format json
t_eq "prune: scan 3's report unchanged" "$report3" "$(jq -S 'del(.generated)' <<<"$T_OUT")"
t_run 0 "$TLSAUDIT" prune --db "$db" --keep-days 30
t_match "prune again: nothing" "^deleted 0 scans" "$T_OUT"
t_done
