#!/usr/bin/env bash
# tests/data/store/make-v3-fixture.sh - how tests/data/store/v3.sql and its
# v3-scan*.report.json were made, kept for provenance. Not a test.
#
# Run ONCE with a build of the schema-v3 release (main before issue 12's
# certificate deployments; TLSAUDIT=... pointing at it, top_builddir at its
# tree for tests/report/make_fixture), never again: the point of the
# fixture is that it was written by the previous release.
#   top_srcdir=. top_builddir=/path/to/v3-build TLSAUDIT=/path/to/v3-build/tlsaudit \
#       tests/data/store/make-v3-fixture.sh OUTDIR
#
# The database: scan 1 is tests/report/make_fixture's (hostile strings,
# tags, two policy runs, a waiver, an expiring chain); scan 2 a real scan
# of lab servers inside the lab's network namespace (enumeration, probe
# results, a good, an expired and a self-signed chain, revocation tried
# and failed, an unreachable target, a PCI DSS run). The JSON files are
# `tlsaudit report --format json` of each scan, rendered by that same v3
# build.
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/../../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
out=$(cd "$1" && pwd)
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
lab_init
lab_certs >/dev/null

db=$LAB_DIR/v3.db
"$top_builddir/tests/report/make_fixture" write "$db"
for s in good-rsa expired selfsigned; do
	lab_start "$s" >/dev/null
	lab_target "$s" >>"$LAB_DIR/targets"
done
echo "$(lab_closed_port) tags=down" >>"$LAB_DIR/targets"
"$TLSAUDIT" scan --db "$db" -j 2 --timeout 5 --ca-file "$LAB_CA" \
	-f "$LAB_DIR/targets" --policy pci-dss-4.0 --format json -o "$LAB_DIR/scan.json" || true

for id in 1 2; do
	"$TLSAUDIT" report --db "$db" --scan "$id" --format json -o "$out/v3-scan$id.report.json"
done
{
	echo "-- tests/data/store/v3.sql: a tlsaudit database of schema version 3, written by"
	echo "-- the v3 release (tests/data/store/make-v3-fixture.sh); load with sqlite3 FILE < v3.sql."
	echo "PRAGMA application_id = $(sqlite3 "$db" 'PRAGMA application_id');"
	echo "PRAGMA user_version = $(sqlite3 "$db" 'PRAGMA user_version');"
	sqlite3 "$db" .dump
} >"$out/v3.sql"
echo "wrote $out/v3.sql"
