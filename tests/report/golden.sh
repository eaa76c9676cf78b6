#!/usr/bin/env bash
# tests/report/golden.sh - golden-file tests of the report formats.
#
# tests/report/make_fixture writes a deterministic database (fixed times,
# facts and findings, hostile strings, a waiver, an expiring chain) through
# store/; every format is rendered from it with "now" fixed and compared
# byte for byte with tests/data/report/fixture.*; each rendering is also
# checked for validity: the JSON against docs/schema/tlsaudit-v1.schema.json,
# the JUnit XML with xmllint against the Jenkins xunit plugin's JUnit schema
# (tests/data/junit/junit-10.xsd) and for the counts, the SARIF log against
# OASIS's SARIF 2.1.0 schema (docs/schema/sarif-schema-2.1.0.json, errata 01)
# and the 2.1.0-rtm.5 one (docs/schema/sarif-2.1.0-rtm.5.json) with
# tests/report/validate_sarif.py's checks, the CSV through Python's csv
# module, the Markdown and text for control bytes.
#
# After an intended change of a format, regenerate the golden files from
# the build directory and review the diff before committing:
#   top_srcdir=SRC tests/report/golden.sh --regenerate
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
TLSAUDIT=${TLSAUDIT:-$top_builddir/tlsaudit}
export TLSAUDIT
. "$top_srcdir/tests/integration/common.sh"
command -v xmllint >/dev/null || { echo "xmllint is needed (apt-get install libxml2-utils)" >&2; exit 99; }
python3 -c 'import jsonschema' 2>/dev/null || { echo "python3-jsonschema is needed" >&2; exit 99; }

fixture=$top_builddir/tests/report/make_fixture
golden=$top_srcdir/tests/data/report
schema=$top_srcdir/docs/schema/tlsaudit-v1.schema.json
sarif_schema=$top_srcdir/docs/schema/sarif-schema-2.1.0.json
sarif_rtm5=$top_srcdir/docs/schema/sarif-2.1.0-rtm.5.json
junit_xsd=$top_srcdir/tests/data/junit/junit-10.xsd
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$fixture" write "$tmp/fixture.db"

# format, extension, --expiring days ("" for none)
cases="text:txt:30 json:json:30 csv:csv:30 junit:xml: markdown:md:30 text:noexp.txt: json:noexp.json: sarif:sarif:
	csv:noexp.csv: markdown:noexp.md: html:html: html-summary:summary.html:"
# The reports read one target at a time must give the same bytes, with and
# without --expiring.
[ "${1:-}" = --regenerate ] || cases="$cases text-stream:noexp.txt: json-stream:noexp.json:
	text-stream:txt:30 json-stream:json:30 csv-stream:csv:30 markdown-stream:md:30
	csv-stream:noexp.csv: markdown-stream:noexp.md: junit-stream:xml: sarif-stream:sarif:
	html-stream:html: html-summary-stream:summary.html:"
for c in $cases; do
	fmt=${c%%:*}
	rest=${c#*:}
	ext=${rest%%:*}
	days=${rest#*:}
	# shellcheck disable=SC2086
	"$fixture" render "$tmp/fixture.db" "$fmt" $days >"$tmp/fixture.$ext"
	if [ "${1:-}" = --regenerate ]; then
		mkdir -p "$golden"
		cp "$tmp/fixture.$ext" "$golden/fixture.$ext"
		echo "wrote $golden/fixture.$ext"
		continue
	fi
	if cmp -s "$golden/fixture.$ext" "$tmp/fixture.$ext"; then
		t_ok "golden: $fmt${days:+ --expiring $days} matches tests/data/report/fixture.$ext"
	else
		t_fail "golden: $fmt${days:+ --expiring $days} differs from tests/data/report/fixture.$ext" \
			"$(diff -u "$golden/fixture.$ext" "$tmp/fixture.$ext" | head -40)"
	fi
done
[ "${1:-}" = --regenerate ] && exit 0

# The scan document (reports/json.h) dumps each target alone to a temporary
# file and splices them in: make_fixture fails unless the bytes are jansson's
# own dump of the tree they describe; the cross-target probe (each target's
# first, added again) lands at the end of that target's probes.
if "$fixture" scan-json "$tmp/fixture.db" >"$tmp/scan.json" 2>"$tmp/scan.err"; then
	t_ok "scan json: the streamed document is jansson's dump of its tree"
else
	t_fail "scan json: the streamed document is jansson's dump of its tree" "$(cat "$tmp/scan.err")"
fi
t_eq "scan json: each target's cross-target probe is the last of its probes" \
	"$(jq -r '[.targets[] | select(.probes | length > 0) | .probes[0] == .probes[-1]] | all' "$tmp/scan.json")" true
t_eq "scan json: one probe more than the stored ones on each target that has probes" \
	"$(jq -r '[.targets[].probes | length] | map(if . > 0 then . - 1 else . end) | join(" ")' "$tmp/scan.json")" \
	"$(jq -r '[.targets[].probes | length] | join(" ")' "$golden/fixture.noexp.json")"
t_eq "scan json: every target of the fixture, counted in the summary" \
	"$(jq -r '"\(.targets | length) \(.summary.targets)"' "$tmp/scan.json")" "3 3"
# A whole document attached from its file (as scan --policy nests the
# check's) is copied in at depth 1: still jansson's dump of the tree, and
# the same document.
if "$fixture" scan-json "$tmp/fixture.db" "$golden/fixture.noexp.json" >"$tmp/scan-doc.json" 2>"$tmp/scan.err"; then
	t_ok "scan json: with a document attached from its file, jansson's dump of its tree"
else
	t_fail "scan json: with a document attached from its file, jansson's dump of its tree" "$(cat "$tmp/scan.err")"
fi
t_eq "scan json: the attached document is the file's" true \
	"$(jq --slurpfile d "$golden/fixture.noexp.json" '.attached == $d[0] and .targets == (input | .targets)' "$tmp/scan-doc.json" "$tmp/scan.json")"
# The check document is written in parts too (reports/check_report.c).
cp "$tmp/fixture.db" "$tmp/check.db"
"$TLSAUDIT" check --db "$tmp/check.db" --policy pci-dss-4.0 --policy mozilla-intermediate \
	--format json >"$tmp/check.json" || true
if "$fixture" same-dump "$tmp/check.json" 2>"$tmp/check.err"; then
	t_ok "check json: jansson's dump of its tree ($(jq '.targets | length' "$tmp/check.json") targets)"
else
	t_fail "check json: jansson's dump of its tree" "$(cat "$tmp/check.err")"
fi
sed '0,/^    {$/s//     {/' "$tmp/check.json" >"$tmp/bad-check.json"
"$fixture" same-dump "$tmp/bad-check.json" 2>/dev/null &&
	t_fail "same-dump refuses a document one space off" || t_ok "same-dump refuses a document one space off"

# Validity of what was rendered (not only of the golden files).
for f in json noexp.json; do
	if out=$(python3 "$top_srcdir/tests/report/validate_json.py" "$schema" "$tmp/fixture.$f" tlsaudit-report 2>&1); then
		t_ok "json: fixture.$f validates against the schema"
	else
		t_fail "json: fixture.$f validates against the schema" "$out"
	fi
done
t_eq "json: expiring lists the expired leaf, the ECDSA deployment's expired leaf, the intermediate (once) and the hostile leaf" \
	"2:0:0:true 1:1:0:true 1:0:1:false 1:0:0:false" \
	"$(jq -r '[.expiring.certificates[] | "\(.target_id):\(.deployment):\(.position):\(.expired)"] | join(" ")' "$tmp/fixture.json")"
t_eq "json: the inventory's versions, each with the targets accepting it" \
	"$(jq -r '[.targets[] | select(.enumeration.versions != null) | .enumeration.versions[] | select(.suites | length > 0) | .version] | unique | length' "$tmp/fixture.json")" \
	"$(jq -r '.inventory.versions | length' "$tmp/fixture.json")"
t_eq "json: the inventory lists each served certificate of every deployment once" \
	"$(jq -r '[.targets[].deployments[]?.certificates[]?.sha256] | unique | length' "$tmp/fixture.json")" \
	"$(jq -r '.inventory.certificates | length' "$tmp/fixture.json")"
t_eq "json: no expiring without --expiring" "null" "$(jq -c .expiring "$tmp/fixture.noexp.json")"
t_eq "json: hostile subject kept as text (ESC as \\u001b, bad bytes as \\xNN)" \
	"CN=<script>alert(1)</script>\"'&,OU=line1\\nline2\\u001b[31mred\\u001b[0m,O==HYPERLINK(\"http://x\"),C=\\\\xff\\\\xfe" \
	"$(jq -c '.targets[0].certificates[0].subject' "$tmp/fixture.json" | sed 's/^"//; s/"$//; s/\\"/"/g')"
t_eq "json: the waiver and its justification" "Vendor appliance; replacement <b>ordered</b> =1+1" \
	"$(jq -r '.policy_runs[0].findings[] | select(.verdict == "waived") | .waiver.reason' "$tmp/fixture.json")"

if xmllint --noout "$tmp/fixture.xml" 2>"$tmp/xmlerr"; then
	t_ok "junit: xmllint parses it"
else
	t_fail "junit: xmllint parses it" "$(cat "$tmp/xmlerr")"
fi
if xmllint --noout --schema "$junit_xsd" "$tmp/fixture.xml" 2>"$tmp/xmlerr"; then
	t_ok "junit: validates against the Jenkins xunit JUnit schema (junit-10.xsd)"
else
	t_fail "junit: validates against the Jenkins xunit JUnit schema (junit-10.xsd)" "$(cat "$tmp/xmlerr")"
fi
# The schema check can fail: a skipped count on <testsuites> (which the
# report once wrote) and a suite without its failures count are refused.
sed '2s/ errors="1">/ errors="1" skipped="2">/' "$tmp/fixture.xml" >"$tmp/bad1.xml"
sed '3s/ failures="[0-9]*"//' "$tmp/fixture.xml" >"$tmp/bad2.xml"
for b in bad1 bad2; do
	if ! cmp -s "$tmp/$b.xml" "$tmp/fixture.xml" && ! xmllint --noout --schema "$junit_xsd" "$tmp/$b.xml" 2>/dev/null; then
		t_ok "junit: the schema refuses $b.xml"
	else
		t_fail "junit: the schema refuses $b.xml"
	fi
done
if out=$(python3 "$top_srcdir/tests/report/junit_gitlab.py" "$tmp/fixture.xml" 2>&1); then
	t_eq "junit: what GitLab reads: every test kept (no (classname, name) twice), every failure, error and skip with text" "TESTCASES 18" "$out"
else
	t_fail "junit: what GitLab reads" "$out"
fi
sed 's/classname="pci-dss-4.0 @ legacy.example.test:8443 (smtp)"/classname="pci-dss-4.0 @ www.example.test:443"/' "$tmp/fixture.xml" >"$tmp/bad3.xml"
python3 "$top_srcdir/tests/report/junit_gitlab.py" "$tmp/bad3.xml" 2>/dev/null &&
	t_fail "junit_gitlab.py finds a duplicate test" || t_ok "junit_gitlab.py finds a duplicate test"
xp() { xmllint --xpath "$1" "$tmp/fixture.xml"; }
# 3 targets: www (1 scan case + 5 pci + 2 moz), legacy (1 + 5 + 2), down (1,
# an error); failures are the findings that fail each run's stored gate
# (pci: high; moz: medium, inconclusive failing too): www 1 (pci high),
# legacy 4 (pci high and critical; moz high, and moz's medium inconclusive);
# legacy's pci low and medium failures are below the gate (system-out);
# skipped: www inconclusive (low) + waived.
t_eq "junit: counts on <testsuites> (no skipped there: the xunit schema has none), skipped summed over the suites" "18 6 1 2" \
	"$(xp 'string(/testsuites/@tests)') $(xp 'string(/testsuites/@failures)') $(xp 'string(/testsuites/@errors)') $(xp 'sum(//testsuite/@skipped)')"
t_eq "junit: suite names unique" "3" "$(xp '//testsuite/@name' | sort -u | wc -l)"
t_eq "junit: counted elements agree" "18 6 1 2" \
	"$(xp 'count(//testcase)') $(xp 'count(//failure)') $(xp 'count(//error)') $(xp 'count(//skipped)')"
t_eq "junit: per-suite tests sum to the total" "18" "$(xp 'sum(//testsuite/@tests)')"
t_eq "junit: a failure below the gate passes, said in system-out" "fail below the gate (--fail-on high)" \
	"$(xp 'string(//testsuite[@name="legacy.example.test:8443 (smtp)"]/testcase[@name="pci-ocsp-staple"]/system-out)' | cut -d: -f1)"
t_eq "junit: each target's verdict per policy as a property" "non-compliant non-compliant compliant" \
	"$(xp 'string(//testsuite[1]/properties/property[@name="verdict pci-dss-4.0"]/@value)') $(xp 'string(//testsuite[2]/properties/property[@name="verdict mozilla-intermediate"]/@value)') $(xp 'string(//testsuite[1]/properties/property[@name="verdict mozilla-intermediate"]/@value)')"
t_eq "junit: one testsuite per target" "3" "$(xp 'count(//testsuite)')"
t_eq "junit: each target's application protocol as a property" "none smtp none" \
	"$(xp 'string(//testsuite[1]/properties/property[@name="starttls"]/@value)') $(xp 'string(//testsuite[2]/properties/property[@name="starttls"]/@value)') $(xp 'string(//testsuite[3]/properties/property[@name="starttls"]/@value)')"
t_match "junit: the waived rule is skipped with its justification" \
	'waived: Vendor appliance; replacement <b>ordered</b>' \
	"$(xp 'string(//testcase[@name="pci-cert-lifetime" and skipped]/skipped/@message)')"
t_match "junit: a failure carries the requirement and the evidence" \
	'requirement: PCI DSS v4.0.1 Req 4.2.1.*evidence: accepts TLS_RSA_WITH_3DES' \
	"$(xp 'string(//testsuite[@name="legacy.example.test:8443 (smtp)"]/testcase[@name="pci-suites-strong"]/failure)' | tr '\n' ' ')"
t_match "junit: the hostile subject arrives as text, escaped" \
	'CN=<script>alert\(1\)</script>"'"'"'& OU=line1\\x0aline2\\x1b\[31mred' \
	"$(xp 'string(//testcase[@name="pci-cert-hostname"]/system-out)')"

for s in "$sarif_schema" "$sarif_rtm5"; do
	if out=$(python3 "$top_srcdir/tests/report/validate_sarif.py" "$s" "$tmp/fixture.sarif" 2>&1); then
		t_ok "sarif: validates against $(basename "$s") and validate_sarif.py's checks"
	else
		t_fail "sarif: validates against $(basename "$s") and validate_sarif.py's checks" "$out"
	fi
done
# The schema check can fail: a suppression's state under the name the 2.1.0
# committee draft used ("state"; the standard says "status") is refused.
jq '(.runs[0].results[] | select(.suppressions) | .suppressions[0]) |= (.state = .status | del(.status))' \
	"$tmp/fixture.sarif" >"$tmp/bad-state.sarif"
python3 "$top_srcdir/tests/report/validate_sarif.py" "$sarif_schema" "$tmp/bad-state.sarif" 2>/dev/null &&
	t_fail "the OASIS schema refuses suppressions[].state" || t_ok "the OASIS schema refuses suppressions[].state"
# One result per failing finding: fail, waived, or failing the gate (the
# inconclusive one under --fail-on-inconclusive), counted in the JSON report.
t_eq "sarif: one result per failing finding of a scanned target (as the JSON report counts them)" \
	"$(jq '[.policy_runs[] | .findings[] | select(.verdict == "fail" or .verdict == "waived" or .blocking)] | length' "$tmp/fixture.json")" \
	"$(jq '.runs[0].results | length' "$tmp/fixture.sarif")"
t_eq "sarif: levels: error where the gate fails, warning below it" "error:6 warning:3" \
	"$(jq -r '[.runs[0].results[].level] | group_by(.) | map("\(.[0]):\(length)") | join(" ")' "$tmp/fixture.sarif")"
t_eq "sarif: the waiver is an accepted suppression with its justification" \
	"pci-dss-4.0/pci-cert-lifetime accepted Vendor appliance; replacement <b>ordered</b> =1+1 (owner ops@example.test, expires 2026-06-30)" \
	"$(jq -r '.runs[0].results[] | select(.suppressions) | "\(.ruleId) \(.suppressions[0].status) \(.suppressions[0].justification)"' "$tmp/fixture.sarif")"
t_eq "sarif: a rule carries its requirement (the clause)" "PCI DSS v4.0.1 Req 4.2.1.1" \
	"$(jq -r '.runs[0].tool.driver.rules[] | select(.id == "pci-dss-4.0/pci-cert-lifetime") | .properties.requirement' "$tmp/fixture.sarif")"
t_eq "sarif: the STARTTLS target's location" "tls/legacy.example.test:8443%20(smtp) tls://legacy.example.test:8443/?starttls=smtp" \
	"$(jq -r '[.runs[0].results[] | .locations[0] | select(.logicalLocations[0].name | test("smtp")) | "\(.physicalLocation.artifactLocation.uri) \(.logicalLocations[0].fullyQualifiedName)"] | unique | join(",")' "$tmp/fixture.sarif")"
t_eq "sarif: the unreachable target is an error notification, the scan not successful" "false down.example.test:443 not scanned: unreachable" \
	"$(jq -r '.runs[0].invocations[0] | "\(.executionSuccessful) \(.toolExecutionNotifications[0].message.text)"' "$tmp/fixture.sarif" | cut -d: -f1-3)"
jq '.runs[0].results[0].ruleIndex = 99' "$tmp/fixture.sarif" >"$tmp/bad.sarif"
python3 "$top_srcdir/tests/report/validate_sarif.py" "$sarif_schema" "$tmp/bad.sarif" 2>/dev/null &&
	t_fail "validate_sarif.py rejects a wrong ruleIndex" || t_ok "validate_sarif.py rejects a wrong ruleIndex"
jq '.runs[0].results[0].level = "fatal"' "$tmp/fixture.sarif" >"$tmp/bad.sarif"
python3 "$top_srcdir/tests/report/validate_sarif.py" "$sarif_schema" "$tmp/bad.sarif" 2>/dev/null &&
	t_fail "the SARIF schema rejects a level it does not define" || t_ok "the SARIF schema rejects a level it does not define"

if out=$(python3 "$top_srcdir/tests/report/formats.py" csv "$tmp/fixture.csv" 2>&1); then
	t_eq "csv: round trip, rows per kind" "ROWS 53 certificate=6 finding=15 grade_cap=10 suite=15 target=3 verdict=4" "$out"
else
	t_fail "csv: round trip through Python's csv module" "$out"
fi
t_eq "csv: every row names its scan and when it started" "1 2026-01-15T11:20:00Z" \
	"$(python3 -c 'import csv,sys
rows=list(csv.DictReader(open(sys.argv[1], newline="")))
print(" ".join(sorted({r["scan_id"] + " " + r["scan_started"] for r in rows})))' "$tmp/fixture.csv")"
for f in md; do
	if out=$(python3 "$top_srcdir/tests/report/formats.py" inert "$tmp/fixture.$f" 2>&1); then
		t_ok "markdown: no control byte, no raw <script>"
	else
		t_fail "markdown: no control byte, no raw <script>" "$out"
	fi
done
for f in txt noexp.txt; do
	if out=$(python3 "$top_srcdir/tests/report/formats.py" controls "$tmp/fixture.$f" 2>&1); then
		t_ok "text: fixture.$f has no control byte"
	else
		t_fail "text: fixture.$f has no control byte" "$out"
	fi
done

# The checks above must be able to fail: a control byte and a formula.
printf 'x\033[31m\n' >"$tmp/bad.md"
python3 "$top_srcdir/tests/report/formats.py" inert "$tmp/bad.md" 2>/dev/null &&
	t_fail "formats.py inert rejects an ESC" || t_ok "formats.py inert rejects an ESC"
printf '"a","b"\r\n"=1+1","x"\r\n' >"$tmp/bad.csv"
python3 "$top_srcdir/tests/report/formats.py" csv "$tmp/bad.csv" >/dev/null 2>&1 &&
	t_fail "formats.py csv rejects a formula" || t_ok "formats.py csv rejects a formula"
t_done
