#!/usr/bin/env bash
# tests/integration/report_ci.sh - the CI formats of real scans: JUnit that
# validates against the Jenkins xunit plugin's JUnit schema
# (tests/data/junit/junit-10.xsd) with suite names unique per endpoint and
# what GitLab's JUnit parser reads, and SARIF 2.1.0 (docs/schema/) from
# `scan --format sarif`, `report --format sarif` and `check --format sarif`.
#
# The lab's good-rsa (s_server) is scanned twice on one address and port
# with two SNI names (one it has no certificate for: the hostname rule
# fails), the lab's legacy nginx (TLS 1.0, weak suites: pci-dss-4.0 fails)
# once, and a closed port (not scanned: a JUnit <error>, a SARIF error
# notification). All inside the lab's network namespace.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v xmllint >/dev/null || { echo "xmllint is needed (apt-get install libxml2-utils)" >&2; exit 99; }
python3 -c 'import jsonschema' 2>/dev/null || { echo "python3-jsonschema is needed" >&2; exit 99; }
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies
xsd=$top_srcdir/tests/data/junit/junit-10.xsd
sarif_schema=$top_srcdir/docs/schema/sarif-schema-2.1.0.json
validate_sarif() { python3 "$top_srcdir/tests/report/validate_sarif.py" "$sarif_schema" "$1"; }

lab_init
lab_certs >/dev/null
lab_start good-rsa >/dev/null
lab_start legacy >/dev/null
closed=$(lab_closed_port)
w=$LAB_DIR/ci
mkdir -p "$w"
cat >"$w/targets.txt" <<EOF
127.0.0.1:$LAB_PORT_good_rsa sni=good-rsa.lab.test
127.0.0.1:$LAB_PORT_good_rsa sni=other.lab.test
127.0.0.1:$LAB_PORT_legacy sni=legacy.lab.test
$closed
EOF
db=$w/ci.db
scan() { "$TLSAUDIT" scan --db "$db" -f "$w/targets.txt" --ca-file "$LAB_CA" --policy pci-dss-4.0 \
	--no-vulns --timeout 5 --quiet "$@"; }

# --- JUnit ------------------------------------------------------------------
t_run 1 scan --format junit -o "$w/r.xml"
x=$w/r.xml
if xmllint --noout --schema "$xsd" "$x" 2>"$w/xmlerr"; then
	t_ok "junit of a real scan validates against junit-10.xsd"
else
	t_fail "junit of a real scan validates against junit-10.xsd" "$(cat "$w/xmlerr")"
fi
xp() { xmllint --xpath "$1" "$x"; }
t_eq "one suite per endpoint, names unique" "4 4" \
	"$(xp 'count(//testsuite)') $(xp '//testsuite/@name' | sort -u | wc -l)"
t_eq "the two SNI names of one address and port are two suites" \
	"127.0.0.1:$LAB_PORT_good_rsa sni=good-rsa.lab.test|127.0.0.1:$LAB_PORT_good_rsa sni=other.lab.test" \
	"$(xp "//testsuite[starts-with(@name, '127.0.0.1:$LAB_PORT_good_rsa ')]/@name" | sed 's/^ *name="//; s/"$//' | sort | paste -sd'|')"
# What GitLab's JUnit parser reads (docs/ci.md): testcase with name and
# classname, unique as a pair; failure, error and skipped with text.
t_eq "every testcase has a name and a classname" "$(xp 'count(//testcase)')" \
	"$(xp 'count(//testcase[@name != "" and @classname != ""])')"
t_eq "every failure, error and skipped has a message" "$(xp 'count(//failure | //error | //skipped)')" \
	"$(xp 'count((//failure | //error | //skipped)[@message != ""])')"
if out=$(python3 "$top_srcdir/tests/report/junit_gitlab.py" "$x" 2>&1); then
	t_eq "what GitLab reads: no test dropped as a duplicate, every failure/error/skip with text" \
		"TESTCASES $(xp 'count(//testcase)')" "$out"
else
	t_fail "what GitLab reads" "$out"
fi
t_eq "the hostname rule fails only under the other SNI name" "other.lab.test" \
	"$(xp "//testsuite[testcase[@name='pci-4.2.1-hostname']/failure]/properties/property[@name='sni']/@value" | sed 's/^ *value="//; s/"$//')"
t_match "legacy fails pci-4.2.1-no-tls10" 'TLS 1.0' \
	"$(xp "string(//testsuite[@name='127.0.0.1:$LAB_PORT_legacy sni=legacy.lab.test']/testcase[@name='pci-4.2.1-no-tls10']/failure)")"
t_eq "the closed port is an error" "1" "$(xp "count(//testsuite[@name='$closed']/testcase/error)")"

# --- SARIF from the same scan: report and scan ---------------------------------
t_run 0 "$TLSAUDIT" report --db "$db" --format sarif -o "$w/r.sarif"
if out=$(validate_sarif "$w/r.sarif" 2>&1); then
	t_ok "report --format sarif validates"
else
	t_fail "report --format sarif validates" "$out"
fi
s=$w/r.sarif
t_eq "one result per failing finding (the JSON report's count)" \
	"$("$TLSAUDIT" report --db "$db" --format json | jq '[.policy_runs[] | .findings[] | select(.verdict == "fail" or .verdict == "waived" or .blocking)] | length')" \
	"$(jq '.runs[0].results | length' "$s")"
t_eq "the hostname result is on the other SNI name's location" \
	"tls://127.0.0.1:$LAB_PORT_good_rsa/?sni=other.lab.test" \
	"$(jq -r '.runs[0].results[] | select(.ruleId == "pci-dss-4.0/pci-4.2.1-hostname") | .locations[0].logicalLocations[0].fullyQualifiedName' "$s")"
t_eq "the closed port is an error notification" "1" \
	"$(jq '[.runs[0].invocations[0].toolExecutionNotifications[] | select(.message.text | contains("not scanned"))] | length' "$s")"
t_eq "tool and version" "tlsaudit $("$TLSAUDIT" --version | awk '{print $2}')" \
	"$(jq -r '.runs[0].tool.driver | "\(.name) \(.version)"' "$s")"
t_run 1 scan --format sarif -o "$w/scan.sarif"
if out=$(validate_sarif "$w/scan.sarif" 2>&1); then
	t_ok "scan --format sarif validates"
else
	t_fail "scan --format sarif validates" "$out"
fi
# (sorted: the targets of two scans are stored, and so listed, in the order
# they finished, which may differ)
t_eq "scan --format sarif has the same results as report of the first scan" \
	"$(jq -c '[.runs[0].results[] | [.ruleId, .level, .locations[0].logicalLocations[0].name]] | sort' "$s")" \
	"$(jq -c '[.runs[0].results[] | [.ruleId, .level, .locations[0].logicalLocations[0].name]] | sort' "$w/scan.sarif")"

# --- check --format sarif: only the runs of that evaluation -----------------
t_run 1 "$TLSAUDIT" check --db "$db" --latest --policy mozilla-intermediate --format sarif -o "$w/check.sarif"
if out=$(validate_sarif "$w/check.sarif" 2>&1); then
	t_ok "check --format sarif validates"
else
	t_fail "check --format sarif validates" "$out"
fi
t_eq "check's SARIF has only the policy it evaluated" "mozilla-intermediate" \
	"$(jq -r '[.runs[0].tool.driver.rules[].id | split("/")[0]] | unique | join(" ")' "$w/check.sarif")"
t_match "mozilla-intermediate fails legacy's versions" "legacy.lab.test" \
	"$(jq -r '.runs[0].results[] | select(.ruleId == "mozilla-intermediate/moz-int-versions") | .message.text' "$w/check.sarif")"
t_run 2 "$TLSAUDIT" check --db "$db" --latest --policy mozilla-intermediate --format junit
t_match "check names its formats" "not one of: text, json, sarif" "$T_ERR"

# --- read one target at a time: the bytes of the whole scan's renderer ------
# JUnit and SARIF are streamed (report_stream_junit, report_stream_sarif);
# make_fixture render gives report_write's bytes over the scan loaded whole
# (every run kept, "database" fixture.db). Targets whose names collide (one
# listed twice: " @ADDRESS #ID" added), a closed port, two policies in one
# check, then a second run of one of them (the same rules under two runs).
fixture=${top_builddir:-$top_srcdir}/tests/report/make_fixture
cat >"$w/dup.txt" <<EOF
127.0.0.1:$LAB_PORT_legacy sni=legacy.lab.test
127.0.0.1:$LAB_PORT_good_rsa sni=good-rsa.lab.test
127.0.0.1:$LAB_PORT_legacy sni=legacy.lab.test
$closed
EOF
db2=$w/dup.db
t_run 3 "$TLSAUDIT" scan --db "$db2" -f "$w/dup.txt" --ca-file "$LAB_CA" --no-vulns --timeout 5 --quiet
t_run 1 "$TLSAUDIT" check --db "$db2" --latest --policy pci-dss-4.0 --policy mozilla-intermediate \
	--format sarif -o "$w/dup-check.sarif"
"$fixture" render "$db2" sarif | sed "s|\"database\": \"fixture.db\"|\"database\": \"$db2\"|" >"$w/dup-whole.sarif"
if cmp -s "$w/dup-whole.sarif" "$w/dup-check.sarif"; then
	t_ok "check --format sarif (streamed) has the bytes of the whole scan's SARIF"
else
	t_fail "check --format sarif (streamed) has the bytes of the whole scan's SARIF" \
		"$(diff "$w/dup-whole.sarif" "$w/dup-check.sarif" | head -20)"
fi
for round in two-policies three-runs; do
	for f in junit sarif; do
		"$fixture" render "$db2" "$f" >"$w/dup-whole.$f"
		"$fixture" render "$db2" "$f-stream" >"$w/dup-stream.$f"
		if cmp -s "$w/dup-whole.$f" "$w/dup-stream.$f"; then
			t_ok "$round: $f read one target at a time has the bytes of $f over the whole scan"
		else
			t_fail "$round: $f read one target at a time differs from $f over the whole scan" \
				"$(diff "$w/dup-whole.$f" "$w/dup-stream.$f" | head -20)"
		fi
	done
	[ "$round" = three-runs ] && break
	t_run 1 "$TLSAUDIT" check --db "$db2" --latest --policy mozilla-intermediate --quiet
done
t_eq "the three runs' SARIF has one rule per (policy, rule): none twice" \
	"$(jq '[.runs[0].tool.driver.rules[].id] | unique | length' "$w/dup-stream.sarif")" \
	"$(jq '.runs[0].tool.driver.rules | length' "$w/dup-stream.sarif")"
t_eq "the target listed twice: two suites, told apart by address and id" "2 2" \
	"$(xmllint --xpath "count(//testsuite[starts-with(@name, '127.0.0.1:$LAB_PORT_legacy sni=legacy.lab.test @127.0.0.1 #')])" "$w/dup-stream.junit") $(xmllint --xpath '//testsuite/@name' "$w/dup-stream.junit" | grep -c ' #')"
if xmllint --noout --schema "$xsd" "$w/dup-stream.junit" 2>"$w/xmlerr"; then
	t_ok "the streamed JUnit validates against junit-10.xsd"
else
	t_fail "the streamed JUnit validates against junit-10.xsd" "$(cat "$w/xmlerr")"
fi
t_run 0 "$TLSAUDIT" report --db "$db2" --format sarif -o "$w/dup-report.sarif"
if out=$(validate_sarif "$w/dup-report.sarif" 2>&1); then
	t_ok "report --format sarif (streamed) validates"
else
	t_fail "report --format sarif (streamed) validates" "$out"
fi
# The exit code of the streamed formats is the text report's (at two gates).
for sev in high critical; do
	want=0
	"$TLSAUDIT" report --db "$db2" --fail-on "$sev" >/dev/null || want=$?
	for f in junit sarif; do
		t_run "$want" "$TLSAUDIT" report --db "$db2" --format "$f" --fail-on "$sev" -o "$w/gate.$f"
	done
done
t_done
