#!/usr/bin/env bash
# tests/integration/ci_templates.sh - the CI templates of contrib/ci/:
# syntax, structure, and their gate run for real.
#
# What is checked, offline:
#   - yamllint (Debian's yamllint, strict, line length 110, `on:` allowed as
#     a key) on both files, and that it does flag a broken copy; SKIP said
#     when yamllint is missing;
#   - PyYAML parses both, and tests/integration/ci_templates.py asserts
#     their structure (the scan keeps its exit code and the job ends with
#     it; the JUnit, HTML and SARIF files written are the ones published);
#     a copy publishing another JUnit file than the one written is refused;
#   - the gate scripts themselves (GitLab's script lines; GitHub's Scan and
#     Gate steps) run under bash -eo pipefail, as the runners run them, with
#     the templates' variables, against the lab: legacy nginx fails
#     pci-dss-4.0 (exit 1) and the reports are written and valid (JUnit
#     against junit-10.xsd, SARIF against the SARIF 2.1.0 schema); good-rsa
#     alone passes at --fail-on critical (exit 0).
# What is not: the runners themselves (GitLab's and GitHub's own schema
# checks, `include:`, artifact upload, actions/checkout, upload-sarif, the
# ${{ }} expressions) and the install steps (they need the network).
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
python3 -c 'import yaml' 2>/dev/null || { echo "python3-yaml is needed (apt-get install python3-yaml)" >&2; exit 99; }
command -v xmllint >/dev/null || { echo "xmllint is needed (apt-get install libxml2-utils)" >&2; exit 99; }
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies
gitlab=$top_srcdir/contrib/ci/gitlab-ci.yml
github=$top_srcdir/contrib/ci/github-tls-gate.yml
helper=$top_srcdir/tests/integration/ci_templates.py
lint='{extends: default, rules: {line-length: {max: 110}, truthy: {check-keys: false}}}'

lab_init
w=$LAB_DIR/ci
mkdir -p "$w"

# --- syntax ------------------------------------------------------------------
if command -v yamllint >/dev/null; then
	for f in "$gitlab" "$github"; do
		if out=$(yamllint -s -d "$lint" "$f" 2>&1); then
			t_ok "yamllint: $(basename "$f")"
		else
			t_fail "yamllint: $(basename "$f")" "$out"
		fi
	done
	{ cat "$gitlab"; printf 'tlsaudit-gate:\n  script: [true]\n'; } >"$w/dup.yml"
	if yamllint -s -d "$lint" "$w/dup.yml" >/dev/null 2>&1; then
		t_fail "yamllint flags a duplicate job"
	else
		t_ok "yamllint flags a duplicate job"
	fi
else
	echo "SKIP yamllint: not installed (apt-get install yamllint); PyYAML's parse below still runs"
fi

# --- structure ---------------------------------------------------------------
for k in gitlab:"$gitlab" github:"$github"; do
	if out=$(python3 "$helper" check "${k%%:*}" "${k#*:}" 2>&1); then
		t_ok "structure: ${k%%:*} template"
	else
		t_fail "structure: ${k%%:*} template" "$out"
	fi
done
sed 's/junit: tlsaudit-junit.xml/junit: other.xml/' "$gitlab" >"$w/gitlab-bad.yml"
t_run 1 python3 "$helper" check gitlab "$w/gitlab-bad.yml"
t_match "a JUnit file published that is not the one written is named" "artifacts:reports:junit 'other.xml'" "$T_ERR"
sed 's/if: always()/if: success()/' "$github" >"$w/github-bad.yml"
t_run 1 python3 "$helper" check github "$w/github-bad.yml"
t_match "uploads skipped on a failed gate are named" "upload-sarif does not run when the gate fails" "$T_ERR"

# --- the gates, run -----------------------------------------------------------
lab_certs >/dev/null
lab_start good-rsa >/dev/null
lab_start legacy >/dev/null
mkdir -p "$w/bin"
ln -s "$TLSAUDIT" "$w/bin/tlsaudit"

# gate KIND FILE DIR TARGET...: runs KIND's gate script in DIR (the checkout)
# with the template's variables and a targets file; T_STATUS its exit code.
gate() {
	local kind=$1 file=$2 dir=$3
	shift 3
	mkdir -p "$dir"
	printf '%s\n' "$@" >"$dir/tls-targets.txt"
	python3 "$helper" env "$kind" "$file" >"$dir/env.sh"
	python3 "$helper" script "$kind" "$file" >"$dir/gate.sh"
	set +e
	(
		cd "$dir" &&
			. ./env.sh &&
			export PATH="$w/bin:$PATH" GITHUB_OUTPUT="$dir/github_output" &&
			export TLSAUDIT_SCAN_OPTIONS="--ca-file $LAB_CA --no-vulns --timeout 5" &&
			export TLSAUDIT_FAIL_ON="${FAIL_ON:-$TLSAUDIT_FAIL_ON}" &&
			bash -eo pipefail ./gate.sh
	) >"$dir/out" 2>&1
	T_STATUS=$?
	set -e
}
valid_reports() { # DIR: the three reports exist and are valid
	local d=$1 out
	if out=$(xmllint --noout --schema "$top_srcdir/tests/data/junit/junit-10.xsd" "$d/tlsaudit-junit.xml" 2>&1) &&
		out=$(python3 "$top_srcdir/tests/report/validate_sarif.py" \
			"$top_srcdir/docs/schema/sarif-schema-2.1.0.json" "$d/tlsaudit.sarif" 2>&1) &&
		grep -q '^<!DOCTYPE html>' "$d/tlsaudit-report.html"; then
		t_ok "$(basename "$d"): JUnit, SARIF and HTML reports written and valid"
	else
		t_fail "$(basename "$d"): JUnit, SARIF and HTML reports written and valid" "$out"
	fi
}
legacy="127.0.0.1:$LAB_PORT_legacy sni=legacy.lab.test"
good="127.0.0.1:$LAB_PORT_good_rsa sni=good-rsa.lab.test"
for k in gitlab:"$gitlab" github:"$github"; do
	kind=${k%%:*}
	FAIL_ON=""
	gate "$kind" "${k#*:}" "$w/$kind-fail" "$good" "$legacy"
	t_eq "$kind: legacy fails the gate: exit 1" 1 "$T_STATUS"
	t_match "$kind: the gate says why" "tlsaudit scan exited 1" "$(cat "$w/$kind-fail/out")"
	valid_reports "$w/$kind-fail"
	t_eq "$kind: the JUnit report has legacy's failures" 1 \
		"$(xmllint --xpath "count(//testsuite[@name='127.0.0.1:$LAB_PORT_legacy sni=legacy.lab.test'][testcase/failure])" "$w/$kind-fail/tlsaudit-junit.xml")"
	FAIL_ON=critical
	gate "$kind" "${k#*:}" "$w/$kind-pass" "$good"
	t_eq "$kind: good-rsa alone passes at --fail-on critical: exit 0" 0 "$T_STATUS"
	valid_reports "$w/$kind-pass"
done
t_done
