#!/usr/bin/env bash
# tests/report/golden.sh - golden-file tests of the report formats.
#
# tests/report/make_fixture writes a deterministic database (fixed times,
# facts and findings, hostile strings, a waiver, an expiring chain) through
# store/; every format is rendered from it with "now" fixed and compared
# byte for byte with tests/data/report/fixture.*; each rendering is also
# checked for validity: the JSON against docs/schema/tlsaudit-v1.schema.json,
# the JUnit XML with xmllint (well-formed, and the counts), the CSV through
# Python's csv module, the Markdown and text for control bytes.
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
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$fixture" write "$tmp/fixture.db"

# format, extension, --expiring days ("" for none)
cases="text:txt:30 json:json:30 csv:csv:30 junit:xml: markdown:md:30 text:noexp.txt: json:noexp.json:"
# The text report read one target at a time must give the same bytes.
[ "${1:-}" = --regenerate ] || cases="$cases text-stream:noexp.txt:"
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
xp() { xmllint --xpath "$1" "$tmp/fixture.xml"; }
# 3 targets: www (1 scan case + 5 pci + 2 moz), legacy (1 + 5 + 2), down (1,
# an error); failures are the findings that fail each run's stored gate
# (pci: high; moz: medium, inconclusive failing too): www 1 (pci high),
# legacy 4 (pci high and critical; moz high, and moz's medium inconclusive);
# legacy's pci low and medium failures are below the gate (system-out);
# skipped: www inconclusive (low) + waived.
t_eq "junit: counts on <testsuites>" "18 6 1 2" \
	"$(xp 'string(/testsuites/@tests)') $(xp 'string(/testsuites/@failures)') $(xp 'string(/testsuites/@errors)') $(xp 'string(/testsuites/@skipped)')"
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

if out=$(python3 "$top_srcdir/tests/report/formats.py" csv "$tmp/fixture.csv" 2>&1); then
	t_eq "csv: round trip, rows per kind" "ROWS 43 certificate=6 finding=15 suite=15 target=3 verdict=4" "$out"
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
