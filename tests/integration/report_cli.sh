#!/usr/bin/env bash
# tests/integration/report_cli.sh - `tlsaudit report` and the report options
# of `scan` on bad input: exit 2, a message naming the option or file, the
# database untouched, -o FILE replaced only by a complete report. Uses the
# fixture database (tests/report/make_fixture); no network.
set -eu
: "${top_builddir:?}"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
. "$top_srcdir/tests/integration/common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/fixture.db
"$top_builddir/tests/report/make_fixture" write "$db"
sum() { sha256sum "$1" | cut -d' ' -f1; }
before=$(sum "$db")

t_run 2 "$TLSAUDIT" report --db "$tmp/none.db"
t_match "missing database named" "cannot open database $tmp/none.db" "$T_ERR"
t_eq "report creates no database" no "$([ -e "$tmp/none.db" ] && echo yes || echo no)"
t_run 2 "$TLSAUDIT" report --db "$db" --format pdf
t_match "--format value" "--format: 'pdf' is not one of: text, json, csv, junit, markdown, html, sarif" "$T_ERR"
t_run 2 "$TLSAUDIT" report --db "$db" --expiring -3
t_match "--expiring value" "--expiring: '-3' is not a number of days" "$T_ERR"
t_run 2 "$TLSAUDIT" report --db "$db" --scan 99
t_match "unknown scan" "no scan 99" "$T_ERR"
t_run 2 "$TLSAUDIT" report --db "$db" --scan 1 --latest
t_match "--scan and --latest" "not both" "$T_ERR"

echo previous >"$tmp/out.json"
t_run 2 "$TLSAUDIT" report --db "$db" --scan 99 --format json -o "$tmp/out.json"
t_eq "a failed report keeps the previous file" previous "$(cat "$tmp/out.json")"
t_eq "no temporary file left" "fixture.db out.json" "$(cd "$tmp" && ls | tr '\n' ' ' | sed 's/ $//')"
t_run 0 "$TLSAUDIT" report --db "$db" --format json -o "$tmp/out.json"
t_eq "a complete report replaces it" tlsaudit-report "$(jq -r .schema "$tmp/out.json")"
t_run 2 "$TLSAUDIT" report --db "$db" -o "$tmp/no/such/dir/r.txt"
t_match "unwritable -o named" "--output: cannot write '$tmp/no/such/dir/r.txt'" "$T_ERR"

t_run 0 "$TLSAUDIT" report --db "$db" --format junit --expiring 30
t_match "junit to stdout" '^<\?xml' "$T_OUT"
t_run 0 "$TLSAUDIT" report --db "$db" --latest --format markdown
t_match "markdown to stdout" '^## tlsaudit scan 1 \(complete\)' "$T_OUT"
t_run 0 "$TLSAUDIT" report --help
t_match "--help lists the formats" 'text \(default\), json, csv, junit, markdown, html or sarif' "$T_OUT"
t_eq "the database is unchanged by all of this" "$before" "$(sum "$db")"

t_run 2 "$TLSAUDIT" scan --db "$tmp/scan.db" --expiring soon 127.0.0.1:1
t_match "scan --expiring value" "--expiring: 'soon' is not a number of days" "$T_ERR"
t_run 2 "$TLSAUDIT" scan --db "$tmp/scan.db" --format yaml 127.0.0.1:1
t_match "scan --format lists every format" "text, json, csv, junit, markdown, html, sarif" "$T_ERR"
t_eq "scan usage errors create no database" no "$([ -e "$tmp/scan.db" ] && echo yes || echo no)"
t_done
