#!/usr/bin/env bash
# tests/data/store/make-v2-fixture.sh - how tests/data/store/v2.sql and its
# v2-scan*.report.json were made, kept for provenance. Not a test.
#
# Run ONCE with a build of the schema-v2 release (TLSAUDIT=... pointing at
# it, top_builddir at its tree for tests/report/make_fixture), never again:
# the point of the fixture is that it was written by the previous release.
#   top_srcdir=. top_builddir=/path/to/v2-build TLSAUDIT=/path/to/v2-build/tlsaudit \
#       tests/data/store/make-v2-fixture.sh OUTDIR
#
# The database: scan 1 is tests/report/make_fixture's (hostile strings,
# tags, two policy runs, a waiver, an expiring chain); scan 2 a real scan
# of lab servers inside the lab's network namespace (enumeration, OCSP and
# CRL revocation, an AIA-completed chain, HSTS, the fetch cache, an
# unreachable target, a PCI DSS run). The JSON files are `tlsaudit report
# --format json` of each scan, rendered by that same v2 build.
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/../../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
out=$(cd "$1" && pwd)
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
lab_init

db=$LAB_DIR/v2.db
"$top_builddir/tests/report/make_fixture" write "$db"

op=$(lab_free_port)
bp=$(lab_free_port)
hp=$(lab_free_port)
dp=$(lab_free_port)
P=$LAB_DIR/pki
lab_revoc_pki "$P" "$op" "$bp" "$hp" "$dp"
lab_ocsp ocsp "$op" "$P/int-index.txt" "$P/int.crt" "$P/int.crt" "$P/int.key"
lab_http_static crlsrv "$hp" "$P/www"
p1=$(lab_free_port)
lab_https https-good "$p1" "$P" good \
	'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;'
p2=$(lab_free_port)
lab_https https-aia "$p2" "$P" aia
closed=$(lab_closed_port)
{
	echo "127.0.0.1:$p1 sni=good.lab.test tags=pan,prod"
	echo "127.0.0.1:$p2 sni=aia.lab.test"
	echo "$closed tags=down"
} >"$LAB_DIR/targets"
"$TLSAUDIT" scan --db "$db" -j 2 --timeout 5 --hsts --ca-file "$P/root.crt" \
	-f "$LAB_DIR/targets" --policy pci-dss-4.0 --format json -o "$LAB_DIR/scan.json" || true

for id in 1 2; do
	"$TLSAUDIT" report --db "$db" --scan "$id" --format json -o "$out/v2-scan$id.report.json"
done
{
	echo "-- tests/data/store/v2.sql: a tlsaudit database of schema version 2, written by"
	echo "-- the v2 release (tests/data/store/make-v2-fixture.sh); load with sqlite3 FILE < v2.sql."
	echo "PRAGMA application_id = $(sqlite3 "$db" 'PRAGMA application_id');"
	echo "PRAGMA user_version = $(sqlite3 "$db" 'PRAGMA user_version');"
	sqlite3 "$db" .dump
} >"$out/v2.sql"
echo "wrote $out/v2.sql"
