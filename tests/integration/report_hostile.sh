#!/usr/bin/env bash
# tests/integration/report_hostile.sh - every report format over a real
# scan of the lab's `hostile` server (a certificate whose subject, issuer
# and SAN carry <script>, quotes, a =HYPERLINK formula, a newline, an ANSI
# escape and NUL bytes; tests/lab/lab.sh), a good server and a closed port,
# with pci-dss-4.0 evaluated: `scan --format F` for every format F and
# `tlsaudit report --format F`. Each output must stay valid and inert:
# the JSON validates against docs/schema/tlsaudit-v1.schema.json, the JUnit
# XML parses with xmllint and its counts match the stored findings, the CSV
# round-trips through Python's csv module with every field quoted and no
# formula, the Markdown and text have no control byte (and the Markdown no
# raw <script>), the SARIF log validates against the SARIF 2.1.0 schema and
# has no control byte. --expiring lists the served certificates.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v xmllint >/dev/null || { echo "xmllint is needed (apt-get install libxml2-utils)" >&2; exit 99; }
python3 -c 'import jsonschema' 2>/dev/null || { echo "python3-jsonschema is needed" >&2; exit 99; }
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies
schema=$top_srcdir/docs/schema/tlsaudit-v1.schema.json
formats_py=$top_srcdir/tests/report/formats.py
validate=$top_srcdir/tests/report/validate_json.py

lab_init
lab_certs >/dev/null
lab_start hostile >/dev/null
lab_start good-rsa >/dev/null
{
	lab_target hostile
	lab_target good-rsa
	lab_closed_port
} >"$LAB_DIR/targets"
db=$LAB_DIR/r.db
out=$LAB_DIR/out
mkdir -p "$out"

# check_json FILE SCHEMA_NAME
check_json() {
	local o
	if o=$(python3 "$validate" "$schema" "$1" "$2" 2>&1); then
		t_ok "$(basename "$1"): valid $2 document"
	else
		t_fail "$(basename "$1"): valid $2 document" "$o"
	fi
}
check_csv() {
	local o
	if o=$(python3 "$formats_py" csv "$1" 2>&1); then
		t_match "$(basename "$1"): CSV round trip, target, suite, certificate and finding rows" \
			'target=3' "$o"
		# hostile sends its leaf, good-rsa its leaf and the lab intermediate
		t_match "$(basename "$1"): one certificate row per served certificate" \
			'certificate=3 ' "$o"
	else
		t_fail "$(basename "$1"): CSV round trip" "$o"
	fi
}
# check_junit FILE: parses, and its counts are those of the stored findings
check_junit() {
	local f=$1 o want got
	if o=$(xmllint --noout "$f" 2>&1); then
		t_ok "$(basename "$f"): xmllint parses it"
	else
		t_fail "$(basename "$f"): xmllint parses it" "$o"
		return
	fi
	# expected from the stored scan: one scan case per target, one case per
	# finding of a scanned target; failing the run's gate (blocking) =
	# failures, waived + inconclusive not blocking = skipped, not scanned =
	# errors
	want=$(jq -r '([.targets[] | select(.status == "ok" or .status == "no-tls") | .target_id]) as $ok
		| [.policy_runs[].findings[] | select(.target_id as $t | $ok | index($t))] as $f
		| "\((.targets | length) + ($f | length)) \([$f[] | select(.blocking)] | length) \((.targets | length) - ($ok | length)) \([$f[] | select((.verdict == "waived" or .verdict == "inconclusive") and (.blocking | not))] | length)"' \
		"$out/report.json")
	got="$(xmllint --xpath 'string(/testsuites/@tests)' "$f") $(xmllint --xpath 'string(/testsuites/@failures)' "$f") $(xmllint --xpath 'string(/testsuites/@errors)' "$f") $(xmllint --xpath 'sum(//testsuite/@skipped)' "$f")"
	t_eq "$(basename "$f"): tests failures errors (on <testsuites>) skipped (summed over the suites) as stored" "$want" "$got"
	got="$(xmllint --xpath 'count(//testcase)' "$f") $(xmllint --xpath 'count(//failure)' "$f") $(xmllint --xpath 'count(//error)' "$f") $(xmllint --xpath 'count(//skipped)' "$f")"
	t_eq "$(basename "$f"): counted elements agree" "$want" "$got"
	t_eq "$(basename "$f"): one testsuite per target" 3 "$(xmllint --xpath 'count(//testsuite)' "$f")"
	t_match "$(basename "$f"): the untrusted self-signed chain fails with its requirement" \
		'PCI DSS v4.0.1 Req 4.2.1' \
		"$(xmllint --xpath 'string(//testcase[@name="pci-4.2.1-trusted-chain"]/failure/@type)' "$f")"
}
check_inert() { # FILE MODE
	local o
	if o=$(python3 "$formats_py" "$2" "$1" 2>&1); then
		t_ok "$(basename "$1"): no control byte${3:+, no raw <script>}"
	else
		t_fail "$(basename "$1"): no control byte${3:+, no raw <script>}" "$o"
	fi
}

# 1. scan --format json (the scan document) with --expiring, policy fails: exit 1
t_run 1 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 5 --policy pci-dss-4.0 \
	-f "$LAB_DIR/targets" --format json --expiring 100 -o "$out/scan.json"
check_json "$out/scan.json" tlsaudit-scan
t_eq "scan.json: --expiring lists both served leaves (90-day certificates)" 2 \
	"$(jq '.expiring.certificates | length' "$out/scan.json")"
t_eq "scan.json: the hostile SAN is kept as text" true \
	"$(jq '[.targets[].certificates[].san[]] | any(. == "DNS:<script>alert(1)</script>")' "$out/scan.json")"
t_eq "scan.json: the NUL bytes of the CN arrive (hex-encoded by the RFC 4514 DN)" true \
	"$(jq '.targets[] | select(.sni == "hostile.lab.test") | .certificates[0].subject | test("4e554c3a00000000$")' "$out/scan.json")"

# 2. tlsaudit report in every format (no network: servers stopped)
lab_stop hostile
lab_stop good-rsa
t_run 0 "$TLSAUDIT" report --db "$db" --format json -o "$out/report.json"
check_json "$out/report.json" tlsaudit-report
t_eq "report.json: one pci-dss-4.0 run" "pci-dss-4.0" "$(jq -r '[.policy_runs[].policy] | join(",")' "$out/report.json")"
t_run 0 "$TLSAUDIT" report --db "$db" --format json --expiring 100 -o "$out/report-exp.json"
check_json "$out/report-exp.json" tlsaudit-report
t_eq "report --expiring 100: two leaves, none expired" "2 false" \
	"$(jq -r '"\(.expiring.certificates | length) \(any(.expiring.certificates[]; .expired))"' "$out/report-exp.json")"
t_run 0 "$TLSAUDIT" report --db "$db" --format json --expiring 10 -o "$out/report-exp10.json"
t_eq "report --expiring 10: none" 0 "$(jq '.expiring.certificates | length' "$out/report-exp10.json")"

t_run 0 "$TLSAUDIT" report --db "$db" --format csv --expiring 100 -o "$out/report.csv"
check_csv "$out/report.csv"
t_run 0 "$TLSAUDIT" report --db "$db" --format junit -o "$out/report.xml"
check_junit "$out/report.xml"
t_run 0 "$TLSAUDIT" report --db "$db" --format sarif -o "$out/report.sarif"
if o=$(python3 "$top_srcdir/tests/report/validate_sarif.py" "$top_srcdir/docs/schema/sarif-schema-2.1.0.json" "$out/report.sarif" 2>&1); then
	t_ok "report.sarif: valid SARIF 2.1.0"
else
	t_fail "report.sarif: valid SARIF 2.1.0" "$o"
fi
check_inert "$out/report.sarif" controls
t_eq "report.sarif: the untrusted chain fails on the hostile target" "hostile.lab.test" \
	"$(jq -r '[.runs[0].results[] | select(.ruleId == "pci-dss-4.0/pci-4.2.1-trusted-chain") | .locations[0].logicalLocations[0].name | capture("sni=(?<s>[^ ]+)").s] | join(",")' "$out/report.sarif")"
t_run 0 "$TLSAUDIT" report --db "$db" --format markdown --expiring 100 -o "$out/report.md"
check_inert "$out/report.md" inert script
t_match "report.md: expiring section" 'Certificates expiring within 100 days \(2\)' "$(cat "$out/report.md")"
t_match "report.md: the closed port is listed as not scanned" '^- 127\\\.0\\\.0\\\.1:[0-9]+: unreachable' "$(cat "$out/report.md")"
t_run 0 "$TLSAUDIT" report --db "$db" --format html --expiring 100 -o "$out/report.html"
check_inert "$out/report.html" inert script
t_match "report.html: the hostile markup shown as text" '&lt;script&gt;' "$(cat "$out/report.html")"
t_run 0 "$TLSAUDIT" report --db "$db" --format text --color always --expiring 100 -o "$out/report-color.txt"
t_match "report --color always: colour codes present" $'\033\\[31m' "$(cat "$out/report-color.txt")"
t_run 0 "$TLSAUDIT" report --db "$db" --format text --expiring 100 -o "$out/report.txt"
check_inert "$out/report.txt" controls
t_match "report.txt: the hostile SAN's escape is visible" 'DNS:evil\\x0aline\\x1b\[31m' "$(cat "$out/report.txt")"
t_match "report.txt: the failing rule with its evidence" 'FAIL high pci-4.2.1-trusted-chain' "$(cat "$out/report.txt")"
t_match "report.txt: expiring section" 'Certificates expiring within 100 days: 2' "$(cat "$out/report.txt")"

# 3. scan --format F for the formats rendered from the store
lab_start hostile >/dev/null
lab_start good-rsa >/dev/null
{
	lab_target hostile
	lab_target good-rsa
	lab_closed_port
} >"$LAB_DIR/targets2"
for f in csv junit markdown text; do
	t_run 1 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 5 --policy pci-dss-4.0 \
		-f "$LAB_DIR/targets2" --format "$f" --expiring 100 -o "$out/scan.$f"
done
check_csv "$out/scan.csv"
# the junit scan is the third of the database (json, csv, junit, ...)
t_run 0 "$TLSAUDIT" report --db "$db" --scan 3 --format json -o "$out/report.json"
t_eq "scan 3 is the junit scan" "--format junit" \
	"$(jq -r '.scan.options | capture("(?<f>--format [a-z]+)").f' "$out/report.json")"
check_junit "$out/scan.junit"
check_inert "$out/scan.markdown" inert script
check_inert "$out/scan.text" controls
t_match "scan --format text --expiring: expiring section after the scan" \
	'Certificates expiring within 100 days: 2' "$(cat "$out/scan.text")"
t_done
