#!/usr/bin/env bash
# tests/integration/verdicts.sh - one verdict everywhere: a scan of six lab
# servers (good-rsa, expired, wronghost, selfsigned, legacy,
# gnutls-noreneg) evaluated with pci-dss-4.0 and mozilla-intermediate, then
# written in every format (check text and JSON; report text, JSON, CSV,
# JUnit, Markdown, HTML): each gives each (target, policy) the same verdict
# (read by tests/integration/verdicts.py), and the exit code of check and of
# `report --fail-on` is 1 exactly when one of them fails the gate, at
# --fail-on high, medium and critical. JUnit stays well-formed XML and
# its failures are the findings that fail the gate.
#
# The not-demonstrated path: the lab's leaves point OCSP and CRL at
# 127.0.0.1:9 where nothing listens, so revocation is inconclusive; on
# good-rsa nothing fails PCI DSS at high, so its verdict is "not
# demonstrated" (never "compliant"), exit 0 without --fail-on-inconclusive
# and 1 with it (check, scan --policy, report); a waiver (a policy
# extending pci-dss-4.0) covers it, and then it passes the strict gate.
# The self-signed leaf (no revocation URL at all) is not demonstrated by
# the revocation rule either. `report` renders one run per policy (the
# newest, or --run ID).
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 99; }
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies
lab_init

V=$top_srcdir/tests/integration/verdicts.py
servers="good-rsa expired wronghost selfsigned legacy gnutls-noreneg"
: >"$LAB_DIR/targets"
for s in $servers; do
	lab_start "$s" >/dev/null
	lab_target "$s" >>"$LAB_DIR/targets"
done
db=$LAB_DIR/v.db
pols=(--policy pci-dss-4.0 --policy mozilla-intermediate)
out=$LAB_DIR/out
mkdir -p "$out"

# label NAME: the target as every output names it.
label() { echo "127.0.0.1:$(lab_port "$1")"; }

# The scan itself, with the policies, at the default gate.
set +e
"$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 5 -f "$LAB_DIR/targets" "${pols[@]}" \
	--format json -o "$out/scan.json" 2>"$out/scan.err"
scan_rc=$?
set -e
t_eq "scan --policy: exit 1 (the expired leaf fails at high)" 1 "$scan_rc"
t_eq "scan: every target scanned" 6 "$(jq '.summary.scanned' "$out/scan.json")"

# verdicts_of FORMAT FILE: the (target, policy, verdict) lines of FILE.
verdicts_of() { python3 "$V" "$1" "$2"; }

# fails_gate VERDICTS INCONCLUSIVE_FAILS: 1 when a line's verdict fails the
# gate (non-compliant; not-demonstrated too when the second argument is 1).
fails_gate() {
	if grep -q ' non-compliant$' <<<"$1"; then
		echo 1
	elif [ "$2" = 1 ] && grep -q ' not-demonstrated$' <<<"$1"; then
		echo 1
	else
		echo 0
	fi
}

# consistent NAME SCAN GATE [--fail-on-inconclusive]: check (JSON, then
# text: each stores its runs, the newest are the text's) and every report
# format of them; the same verdicts everywhere, the exit codes as they say.
consistent() {
	local name=$1 scan=$2 gate=$3 strict=0 extra=() f
	shift 3
	if [ "${1:-}" = --fail-on-inconclusive ]; then
		strict=1
		extra=(--fail-on-inconclusive)
	fi
	local d=$out/$name
	mkdir -p "$d"
	set +e
	"$TLSAUDIT" check --db "$db" --scan "$scan" "${pols_now[@]}" --fail-on "$gate" "${extra[@]}" \
		--format json -o "$d/check.json"
	local rc_json=$?
	"$TLSAUDIT" check --db "$db" --scan "$scan" "${pols_now[@]}" --fail-on "$gate" "${extra[@]}" \
		-o "$d/check.txt"
	local rc_text=$?
	set -e
	verdicts_of check-json "$d/check.json" >"$d/want"
	# the policies this check evaluated (the scan may have runs of others)
	jq -r '.policies[] | " \(.id) "' "$d/check.json" >"$d/pols"
	local want
	want=$(cat "$d/want")
	t_match "$name: there are verdicts" . "$want"
	local fails
	fails=$(fails_gate "$want" "$strict")
	t_eq "$name: check --format json exits 1 exactly when a verdict fails the gate" "$fails" \
		"$([ "$rc_json" = 1 ] && echo 1 || echo 0)"
	t_eq "$name: check's JSON names its exit code" "$rc_json" "$(jq '.summary.exit_code' "$d/check.json")"
	t_eq "$name: check (text) exits as check --format json" "$rc_json" "$rc_text"
	t_eq "$name: check text: the same verdicts" "$want" "$(verdicts_of check-text "$d/check.txt")"
	for f in text:report-text json:report-json csv:csv junit:junit markdown:markdown html:html; do
		"$TLSAUDIT" report --db "$db" --scan "$scan" --format "${f%%:*}" -o "$d/report.${f%%:*}"
		if got=$(JUNIT_FAILS=non-compliant$([ "$strict" = 1 ] && echo ,not-demonstrated) \
			verdicts_of "${f#*:}" "$d/report.${f%%:*}" 2>"$d/err.${f%%:*}"); then
			t_eq "$name: report --format ${f%%:*}: the same verdicts" "$want" \
				"$(grep -F -f "$d/pols" <<<"$got" || true)"
		else
			t_fail "$name: report --format ${f%%:*}: readable, failures as the gate says" \
				"$(cat "$d/err.${f%%:*}")"
		fi
	done
	for f in check.json report.json; do
		if o=$(python3 "$top_srcdir/tests/report/validate_json.py" \
			"$top_srcdir/docs/schema/tlsaudit-v1.schema.json" "$d/$f" 2>&1); then
			t_ok "$name: $f matches the JSON Schema"
		else
			t_fail "$name: $f matches the JSON Schema" "$o"
		fi
	done
	if o=$(python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' \
		"$d/report.junit" 2>&1); then
		t_ok "$name: JUnit is well-formed XML"
	else
		t_fail "$name: JUnit is well-formed XML" "$o"
	fi
	# the newest run of each policy: the text check's
	local newest
	newest=$(for p in $(jq -r '.policies[].id' "$d/check.json"); do
		sqlite3 "$db" "SELECT max(id) FROM policy_runs WHERE scan_id = $scan AND policy_id = '$p'"
	done | sort -n | paste -sd,)
	t_eq "$name: report renders the newest run of each policy, at the gate stored with it" \
		"$newest $gate $([ "$strict" = 1 ] && echo true || echo false)" \
		"$(jq -r --slurpfile c "$d/check.json" '[.policy_runs[] | select(.policy as $p | $c[0].policies | map(.id) | index($p))] | "\([.[].run_id] | sort | map(tostring) | join(",")) \([.[] | "\(.fail_on) \(.fail_on_inconclusive)"] | unique | join(","))"' "$d/report.json")"
	t_eq "$name: report renders one run per policy" \
		"$(jq '[.policy_runs[].policy] | unique | length' "$d/report.json")" \
		"$(jq '.policy_runs | length' "$d/report.json")"
	# report --fail-on re-judges (here at the same gate): the same exit code.
	set +e
	"$TLSAUDIT" report --db "$db" --scan "$scan" --fail-on "$gate" "${extra[@]}" --format csv \
		-o "$d/rejudged.csv"
	local rc_report=$?
	set -e
	t_eq "$name: report --fail-on $gate exits as check" "$fails" "$rc_report"
	t_eq "$name: report --fail-on $gate: the same verdicts" "$want" \
		"$(verdicts_of csv "$d/rejudged.csv" | grep -F -f "$d/pols" || true)"
}

pols_now=("${pols[@]}")
consistent high 1 high
consistent medium 1 medium
consistent critical 1 critical
# (the lab's findings are high ones: at critical the verdicts change)
t_eq "the gate matters: some verdict differs between high and critical" 1 \
	"$(cmp -s "$out/high/want" "$out/critical/want" && echo 0 || echo 1)"
t_eq "high: expired fails pci-dss-4.0" "$(label expired) pci-dss-4.0 non-compliant" \
	"$(grep "^$(label expired) pci-dss-4.0 " "$out/high/want")"
t_eq "high: the self-signed leaf fails pci-dss-4.0 (untrusted)" "$(label selfsigned) pci-dss-4.0 non-compliant" \
	"$(grep "^$(label selfsigned) pci-dss-4.0 " "$out/high/want")"
t_eq "high: good-rsa is not demonstrated for pci-dss-4.0 (revocation could not be checked)" \
	"$(label good-rsa) pci-dss-4.0 not-demonstrated" "$(grep "^$(label good-rsa) pci-dss-4.0 " "$out/high/want")"
t_eq "high: the self-signed leaf's revocation: no revocation information" \
	"inconclusive|leaf: no revocation information (self-signed, no OCSP or CRL URL): nothing demonstrates it is not revoked" \
	"$(jq -r --arg p "$(lab_port selfsigned)" '.targets[] | select(.port == ($p | tonumber)) | .policies[] | select(.policy == "pci-dss-4.0") | .findings[] | select(.rule_id == "pci-4.2.1-not-revoked") | "\(.verdict)|\(.evidence)"' "$out/high/check.json")"
t_eq "check JSON: not demonstrated is not compliant" "false not-demonstrated" \
	"$(jq -r --arg p "$(lab_port good-rsa)" '.targets[] | select(.port == ($p | tonumber)) | .policies[] | select(.policy == "pci-dss-4.0") | "\(.compliant) \(.verdict)"' "$out/high/check.json")"

# --run ID: an older run for its policy, with its own gate (the scan's: high).
first=$(sqlite3 "$db" "SELECT min(id) FROM policy_runs WHERE policy_id = 'pci-dss-4.0'")
t_run 0 "$TLSAUDIT" report --db "$db" --scan 1 --run "$first" --format json -o "$out/run.json"
t_eq "report --run: that run for pci-dss-4.0, the newest for the other" \
	"$first high,$(sqlite3 "$db" "SELECT max(id) FROM policy_runs WHERE policy_id = 'mozilla-intermediate'") critical" \
	"$(jq -r '[.policy_runs[] | "\(.run_id) \(.fail_on)"] | join(",")' "$out/run.json")"
t_run 2 "$TLSAUDIT" report --db "$db" --scan 1 --run 999999
t_match "report --run of another scan: the reason" "no policy run 999999 in scan 1" "$T_ERR"

# --- not demonstrated: good-rsa alone, PCI DSS ---------------------------------------
set +e
"$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 5 "$(lab_target good-rsa | cut -d' ' -f1)" \
	--sni good-rsa.lab.test --policy pci-dss-4.0 -o "$out/nd-scan.txt" 2>/dev/null
rc_nd=$?
"$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 5 "$(lab_target good-rsa | cut -d' ' -f1)" \
	--sni good-rsa.lab.test --policy pci-dss-4.0 --fail-on-inconclusive -o "$out/nd-scan-strict.txt" \
	2>/dev/null
rc_nd_strict=$?
set -e
t_eq "scan --policy: not demonstrated exits 0 without --fail-on-inconclusive" 0 "$rc_nd"
t_match "scan --policy: the text says not demonstrated" "pci-dss-4.0: NOT DEMONSTRATED at --fail-on high" \
	"$(cat "$out/nd-scan.txt")"
t_eq "scan --policy --fail-on-inconclusive: exit 1" 1 "$rc_nd_strict"
nd=$(sqlite3 "$db" 'SELECT max(id) FROM scans')
pols_now=(--policy pci-dss-4.0)
consistent nd "$nd" high
t_eq "nd: good-rsa not demonstrated everywhere" "$(label good-rsa) pci-dss-4.0 not-demonstrated" "$(cat "$out/nd/want")"
consistent nd-strict "$nd" high --fail-on-inconclusive
t_eq "nd-strict: a JUnit failure for the revocation rule" 1 \
	"$(python3 -c 'import sys, xml.etree.ElementTree as E; print(sum(1 for t in E.parse(sys.argv[1]).iter("testcase") if t.get("name") == "pci-4.2.1-not-revoked" and t.find("failure") is not None))' "$out/nd-strict/report.junit")"
t_run 0 "$TLSAUDIT" report --db "$db" --scan "$nd" --fail-on high --format json -o "$out/nd-rejudged.json"
t_eq "report --fail-on high re-judges a strict run without the flag: exit 0, still not demonstrated" \
	"high false not-demonstrated" \
	"$(jq -r '.policy_runs[0] | "\(.fail_on) \(.fail_on_inconclusive) \(.verdicts[0].verdict)"' "$out/nd-rejudged.json")"

# A waiver covers it (an internal PKI whose revocation cannot be checked).
cat >"$LAB_DIR/waived.yaml" <<EOF
id: pci-dss-4.0-waived
title: PCI DSS with the lab's revocation waived
version: "1"
extends: $TLSAUDIT_POLICY_DIR/pci-dss-4.0.yaml
waivers:
  - rule: pci-4.2.1-not-revoked
    targets: ["$(label good-rsa)"]
    justification: lab PKI, its OCSP responder is not reachable from the scanner
    owner: pki-team
    expires: 2099-12-31
EOF
# (a scan of its own: report --fail-on judges every policy run of a scan)
t_run 0 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 5 \
	"$(lab_target good-rsa | cut -d' ' -f1)" --sni good-rsa.lab.test -o /dev/null
pols_now=(--policy "$LAB_DIR/waived.yaml")
consistent waived "$(sqlite3 "$db" 'SELECT max(id) FROM scans')" high --fail-on-inconclusive
t_eq "waived: compliant at the strict gate" "$(label good-rsa) pci-dss-4.0-waived compliant" "$(cat "$out/waived/want")"
t_eq "waived: the finding is waived, says it was inconclusive, with owner and expiry" \
	"waived true pki-team 2099-12-31" \
	"$(jq -r '.targets[0].policies[0].findings[] | select(.rule_id == "pci-4.2.1-not-revoked") | "\(.verdict) \(.evidence | endswith("[inconclusive, waived]")) \(.waiver.owner) \(.waiver.expires)"' "$out/waived/check.json")"
t_eq "waived: JUnit skips it with the justification" 1 \
	"$(python3 -c 'import sys, xml.etree.ElementTree as E; print(sum(1 for t in E.parse(sys.argv[1]).iter("testcase") if t.get("name") == "pci-4.2.1-not-revoked" and (t.find("skipped") is not None and "waived: lab PKI" in t.find("skipped").get("message"))))' "$out/waived/report.junit")"
t_done
