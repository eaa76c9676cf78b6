#!/usr/bin/env bash
# tests/integration/check.sh - `tlsaudit check` against the lab: each lab
# server is scanned into its own scan of one database, the servers are
# stopped (check must not touch the network), and the shipped policies are
# evaluated over the stored scans. Checks the verdicts the issue asks for
# (legacy fails pci-dss-4.0 on TLS 1.0 and its weak suites, tls13-only
# passes mozilla-modern's version and suite rules and fails its certificate type, modern12 fails mozilla-modern on TLS 1.2 and passes
# mozilla-intermediate, the certificate servers fail the certificate rules;
# issue 12: tls13-only passes NIST's TLS 1.2-or-1.3 rule, sha1 fails
# Mozilla's signature allow-list, wrongorder warns on the order rule, noint
# fails the complete-chain rule with the AIA outcome in the evidence,
# good-rsa and good-ecdsa pass the CA/B Forum profile rules),
# the exit codes and their precedence (2 > 1 > 3 > 0), what is stored, and
# that an invalid policy or a missing scan stores nothing.
#
# Rule ids are read from the shipped policy files (rules_of below), so a
# renamed rule does not need this file changed; a rule that disappears
# makes the test fail.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)" >&2; exit 99; }

export TLSAUDIT_POLICY_DIR=$top_srcdir/policies
for p in pci-dss-4.0 mozilla-modern mozilla-intermediate cabf-baseline nist-sp800-52r2; do
	[ -f "$TLSAUDIT_POLICY_DIR/$p.yaml" ] || lab_skip "shipped policy $p.yaml is not in policies/"
done

lab_init
lab_certs >/dev/null

# rules_of POLICY CHECK...: the ids of the rules of shipped POLICY (and of
# what it extends) whose check is one of CHECK (YAML keys such as
# protocols_forbidden), one per line. A rule is a list item with an `id:`;
# its check is a key of that item.
rules_of() {
	local policy=$1 file ext
	shift
	file=$TLSAUDIT_POLICY_DIR/$policy.yaml
	ext=$(sed -n 's/^extends:[[:space:]]*["'\'']\{0,1\}\([^"'\'' #]*\).*/\1/p' "$file")
	if [ -n "$ext" ]; then
		rules_of "$(basename "$ext" .yaml)" "$@"
	fi
	awk -v checks=" $* " '
		function flush() { if (id != "" && hit) print id; id = ""; hit = 0 }
		# A list item that starts with id: starts a rule (waivers use rule:).
		match($0, /^[[:space:]]*-[[:space:]]+id:[[:space:]]*/) {
			flush(); ind = RLENGTH
			id = substr($0, RLENGTH + 1); sub(/[[:space:]]+#.*$/, "", id)
			gsub(/["\047[:space:]]/, "", id); next
		}
		/^[^[:space:]#]/ { flush() }   # a top-level key ends the rules
		id != "" {
			key = $0; sub(/^[[:space:]]*/, "", key)
			if (key ~ /^[a-z0-9_]+:/) {
				sub(/:.*/, "", key)
				if (index(checks, " " key " ") > 0) hit = 1
			}
		}
		END { flush() }
	' "$file"
}

# one_of ID LIST: true when ID is one of the lines of LIST.
one_of() { [ -n "$1" ] && printf '%s\n' "$2" | grep -qxF -- "$1"; }

# The servers, each scanned alone (scan id in SCAN_<name>).
servers="legacy gnutls-legacy tls13-only modern12 expired rsa1024 sha1 selfsigned wronghost good-rsa gnutls-noreneg wrongorder noint good-ecdsa"
db=$LAB_DIR/check.db
for s in $servers; do
	lab_start "$s" >/dev/null
	printf '%s tags=lab,%s\n' "$(lab_target "$s")" "${s//-/_}" >"$LAB_DIR/$s.targets"
	t_run 0 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 10 -f "$LAB_DIR/$s.targets"
	printf -v "SCAN_${s//[!A-Za-z0-9_]/_}" '%s' "$(sqlite3 "$db" 'SELECT max(id) FROM scans')"
done
scan_of() { local v="SCAN_${1//[!A-Za-z0-9_]/_}"; echo "${!v}"; }
# A scan of a server and a closed port (exit 3 of the scan itself).
closed=$(lab_closed_port)
t_run 3 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 5 \
	"127.0.0.1:$(lab_port tls13-only)" "$closed"
scan_mixed_ok=$(sqlite3 "$db" 'SELECT max(id) FROM scans')
t_run 3 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 5 \
	"127.0.0.1:$(lab_port legacy)" "$closed"
scan_mixed_fail=$(sqlite3 "$db" 'SELECT max(id) FROM scans')

# From here on no server runs: check works on stored facts alone.
lab_stop_all >/dev/null 2>&1 || true

# findings: "FINDINGS/RUNS" stored, to prove a failed check stored nothing.
findings() {
	sqlite3 "$db" "SELECT (SELECT count(*) FROM findings) || '/' || (SELECT count(*) FROM policy_runs)"
}

# check_json NAME WANT_STATUS POLICY...: runs check --format json on the
# scan of server NAME; the document is in J, the exit status checked unless
# WANT_STATUS is "any".
check_json() {
	local name=$1 want=$2
	shift 2
	local args=()
	for p in "$@"; do args+=(--policy "$p"); done
	if [ "$want" = any ]; then
		J=$("$TLSAUDIT" check --db "$db" --scan "$(scan_of "$name")" --format json "${args[@]}") || true
	else
		t_run "$want" "$TLSAUDIT" check --db "$db" --scan "$(scan_of "$name")" --format json "${args[@]}"
		J=$T_OUT
	fi
}

# fails_of POLICY: "rule_id<TAB>severity<TAB>evidence" of every failing
# finding of POLICY in J (the scan's only target), blocking or not.
fails_of() {
	jq -r --arg p "$1" '.targets[0].policies[] | select(.policy == $p) | .findings[]
		| select(.verdict == "fail") | "\(.rule_id)\t\(.severity)\t\(.evidence)"' <<<"$J"
}

# want_rule_fails NAME POLICY REGEX CHECK...: some failing finding of POLICY
# on server NAME (J, from check_json) comes from a rule with one of the
# CHECKs, and its evidence matches REGEX; check exits 1 with --fail-on at
# that rule's severity.
want_rule_fails() {
	local name=$1 policy=$2 re=$3 ids hit='' sev=''
	shift 3
	ids=$(rules_of "$policy" "$@")
	if [ -z "$ids" ]; then
		t_fail "$name: $policy has a rule with check $*" "none found in $policy.yaml"
		return 0
	fi
	while IFS=$'\t' read -r rule rsev ev; do
		if one_of "$rule" "$ids" && printf '%s' "$ev" | grep -qE -- "$re"; then
			hit=$rule
			sev=$rsev
			break
		fi
	done < <(fails_of "$policy")
	if [ -n "$hit" ]; then
		t_ok "$name fails $policy rule $hit ($*) with evidence /$re/"
		t_run 1 "$TLSAUDIT" check --db "$db" --scan "$(scan_of "$name")" --policy "$policy" \
			--fail-on "$sev"
	else
		t_fail "$name fails $policy on a rule with check $* (ids: $(echo $ids)) and evidence /$re/" \
			"blocking findings: $(fails_of "$policy" | tr '\n' ';')"
	fi
}

# want_rule_passes NAME POLICY CHECK...: no failing finding of POLICY on
# server NAME comes from a rule with one of the CHECKs (the control case).
want_rule_passes() {
	local name=$1 policy=$2 ids bad=''
	shift 2
	ids=$(rules_of "$policy" "$@")
	while IFS=$'\t' read -r rule _ ev; do
		if one_of "$rule" "$ids"; then bad="$bad $rule: $ev;"; fi
	done < <(fails_of "$policy")
	t_eq "$name: no $policy failure on $*" "" "$bad"
}

# want_rule_warns NAME POLICY REGEX CHECK...: some finding of POLICY on
# server NAME from a rule with one of the CHECKs is a warning whose
# evidence matches REGEX.
want_rule_warns() {
	local name=$1 policy=$2 re=$3 ids hit=''
	shift 3
	ids=$(rules_of "$policy" "$@")
	while IFS=$'\t' read -r rule ev; do
		if one_of "$rule" "$ids" && printf '%s' "$ev" | grep -qE -- "$re"; then
			hit=$rule
			break
		fi
	done < <(jq -r --arg p "$policy" '.targets[0].policies[] | select(.policy == $p)
		| .findings[] | select(.verdict == "warn") | "\(.rule_id)\t\(.evidence)"' <<<"$J")
	if [ -n "$hit" ]; then
		t_ok "$name warns on $policy rule $hit ($*) with evidence /$re/"
	else
		t_fail "$name warns on $policy on a rule with check $* (ids: $(echo $ids)) and evidence /$re/" \
			"$(jq -c --arg p "$policy" '[.targets[0].policies[] | select(.policy == $p) | .findings[] | select(.verdict != "pass")]' <<<"$J")"
	fi
}

# --- legacy fails pci-dss-4.0: TLS 1.0 and the weak suites it accepts ----------
check_json legacy 1 pci-dss-4.0
t_eq "legacy: JSON schema" "tlsaudit-check 1" "$(jq -r '"\(.schema) \(.schema_version)"' <<<"$J")"
want_rule_fails legacy pci-dss-4.0 'TLS ?1\.0' protocols_forbidden protocols_allowed
# nginx 'HIGH' with a 1024-bit DH group: the DHE suites are the weak ones.
want_rule_fails legacy pci-dss-4.0 'TLS_DHE_RSA_WITH_|1024' suites_forbidden suites_allowed dh_min_bits
t_eq "legacy: target not compliant" false "$(jq -r '.targets[0].compliant' <<<"$J")"
t_eq "legacy: exit code in the summary" 1 "$(jq -r '.summary.exit_code' <<<"$J")"
check_json gnutls-legacy 1 pci-dss-4.0
want_rule_fails gnutls-legacy pci-dss-4.0 'TLS_RSA_WITH_RC4_128_SHA|RC4' suites_forbidden suites_allowed
want_rule_fails gnutls-legacy pci-dss-4.0 '3DES' suites_forbidden suites_allowed

# --- the Mozilla profiles ------------------------------------------------------
# tls13-only follows Modern's versions and suites but serves an RSA leaf
# signed with RSA: Modern's certificate type (ECDSA) and its signature
# allow-list (ECDSA signatures, policy 1.2) fail the default gate.
check_json tls13-only 1 mozilla-modern
want_rule_fails tls13-only mozilla-modern 'RSA' cert_key
want_rule_fails tls13-only mozilla-modern 'sha256WithRSAEncryption, not in the allow-list' \
	cert_signature_allowed
want_rule_passes tls13-only mozilla-modern protocols_allowed protocols_required suites_allowed
t_eq "tls13-only: two blocking findings (the certificate type and signature)" 2 \
	"$(jq -r '.summary.blocking_findings' <<<"$J")"
check_json modern12 1 mozilla-modern
want_rule_fails modern12 mozilla-modern 'TLS ?1\.2' protocols_forbidden protocols_allowed
check_json modern12 0 mozilla-intermediate
t_eq "modern12: compliant with mozilla-intermediate" true "$(jq -r '.targets[0].compliant' <<<"$J")"

# --- certificate rules ------------------------------------------------------------
check_json expired 1 pci-dss-4.0
want_rule_fails expired pci-dss-4.0 '[Ee]xpired' cert_expiry
want_rule_fails expired pci-dss-4.0 '[Ee]xpired' chain_trusted_required
check_json selfsigned 1 pci-dss-4.0
want_rule_fails selfsigned pci-dss-4.0 '[Ss]elf.?signed|not trusted|untrusted|signer' chain_trusted_required
# A host-name mismatch is an ASV automatic failure: the default gate fails it
# (pci-dss-4.0 1.1; at medium it passed with exit 0).
check_json wronghost 1 pci-dss-4.0
want_rule_fails wronghost pci-dss-4.0 'wronghost\.lab\.test|match' hostname_match_required
check_json wronghost 1 mozilla-intermediate
want_rule_fails wronghost mozilla-intermediate 'wronghost\.lab\.test|match' hostname_match_required
# No RFC 5746 (gnutls-serv %DISABLE_SAFE_RENEGOTIATION): CVE-2009-3555 class,
# an ASV automatic failure; Mozilla and NIST require the extension too.
for p in pci-dss-4.0 mozilla-intermediate nist-sp800-52r2; do
	check_json gnutls-noreneg 1 "$p"
	want_rule_fails gnutls-noreneg "$p" 'renegotiation|5746' secure_renegotiation_required
done
check_json good-rsa any pci-dss-4.0
want_rule_passes good-rsa pci-dss-4.0 secure_renegotiation_required
check_json rsa1024 1 cabf-baseline
want_rule_fails rsa1024 cabf-baseline 'RSA.*1024|1024.*RSA' cert_key
check_json rsa1024 1 pci-dss-4.0
want_rule_fails rsa1024 pci-dss-4.0 'RSA.*1024|1024.*RSA' cert_key
check_json sha1 1 cabf-baseline
want_rule_fails sha1 cabf-baseline 'SHA-?1' cert_signature_forbidden
check_json sha1 1 pci-dss-4.0
want_rule_fails sha1 pci-dss-4.0 'SHA-?1' cert_signature_forbidden
# The control: a good certificate fails none of them.
check_json good-rsa any pci-dss-4.0 cabf-baseline
want_rule_passes good-rsa pci-dss-4.0 cert_expiry chain_trusted_required hostname_match_required \
	cert_key cert_signature_forbidden protocols_forbidden
want_rule_passes good-rsa cabf-baseline cert_key cert_signature_forbidden

# --- issue 12: the rules that needed new checks ------------------------------------
# NIST: a TLS 1.3-only server meets "TLS 1.2 (or TLS 1.3)" and the TLS 1.3 rule.
check_json tls13-only any nist-sp800-52r2
want_rule_passes tls13-only nist-sp800-52r2 protocols_required
t_eq "tls13-only: nist-3.1-tls12 passes" pass "$(jq -r '.targets[0].policies[0].findings[]
	| select(.rule_id == "nist-3.1-tls12") | .verdict' <<<"$J")"
# Mozilla's signature allow-list: the SHA-1 leaf fails it, a SHA-256 RSA leaf passes.
check_json sha1 any mozilla-intermediate
want_rule_fails sha1 mozilla-intermediate 'sha1WithRSAEncryption, not in the allow-list' \
	cert_signature_allowed
check_json good-rsa any mozilla-intermediate cabf-baseline
want_rule_passes good-rsa mozilla-intermediate cert_signature_allowed chain_order_required
# The CA/B Forum profile rules on a lab leaf with AIA, CRL DP, a random serial and RSA key usage.
want_rule_passes good-rsa cabf-baseline cert_aia_required cert_crl_url_required \
	cert_serial_valid cert_key_usage_valid
t_eq "good-rsa: the cabf-baseline profile rules pass" "pass pass pass pass" \
	"$(jq -r '[.targets[0].policies[] | select(.policy == "cabf-baseline") | .findings[]
	| select(.rule_id | test("aia|crl-dp|serial|key-usage")) | .verdict] | join(" ")' <<<"$J")"
# The lab leaves carry the CA/B domain-validated policy OID (tests/lab/lab.sh).
t_eq "good-rsa: cabf-7.1.2.7.9-certificate-policies passes on 2.23.140.1.2.1" \
	"pass: leaf certificatePolicies has 2.23.140.1.2.1 (domain-validated)" \
	"$(jq -r '.targets[0].policies[] | select(.policy == "cabf-baseline") | .findings[]
	| select(.rule_id == "cabf-7.1.2.7.9-certificate-policies") | "\(.verdict): \(.evidence)"' <<<"$J")"
# An EC leaf with digitalSignature only meets the ECC key usage.
check_json good-ecdsa any cabf-baseline
want_rule_passes good-ecdsa cabf-baseline cert_key_usage_valid cert_serial_valid cert_aia_required
t_eq "good-ecdsa: cabf-7.1.2.7.11-key-usage passes" pass "$(jq -r '.targets[0].policies[0].findings[]
	| select(.rule_id == "cabf-7.1.2.7.11-key-usage") | .verdict' <<<"$J")"
# A chain served out of order warns (Mozilla, PCI DSS) and fails no order rule.
check_json wrongorder any mozilla-intermediate pci-dss-4.0
want_rule_warns wrongorder mozilla-intermediate 'followed by its issuer' chain_order_required
want_rule_warns wrongorder pci-dss-4.0 'followed by its issuer' chain_order_required
want_rule_passes wrongorder mozilla-intermediate chain_order_required
# A chain the server did not complete fails, and the evidence says what AIA gave.
check_json noint any mozilla-intermediate
want_rule_fails noint mozilla-intermediate 'was not sent.*AIA' chain_complete_required

# --- what is stored -------------------------------------------------------------
before=$(findings)
check_json legacy 1 pci-dss-4.0 mozilla-modern
run1=$(jq -r '.policies[0].run_id' <<<"$J")
run2=$(jq -r '.policies[1].run_id' <<<"$J")
t_eq "one policy run per policy" "$((run1 + 1))" "$run2"
t_eq "stored run: policy id, version, hash, scan" \
	"$(jq -r '.policies[0] | "\(.id)|\(.version)|\(.sha256)"' <<<"$J")|$(scan_of legacy)" \
	"$(sqlite3 "$db" "SELECT policy_id || '|' || policy_version || '|' || policy_sha256 || '|' || scan_id FROM policy_runs WHERE id = $run1")"
t_eq "every finding of the report is stored" \
	"$(jq '[.targets[].policies[].findings[]] | length' <<<"$J")" \
	"$(sqlite3 "$db" "SELECT count(*) FROM findings WHERE run_id IN ($run1, $run2)")"
t_eq "stored fails are the report's fails" \
	"$(jq -r '[.targets[].policies[0].findings[] | select(.verdict == "fail") | .rule_id] | sort | join(",")' <<<"$J")" \
	"$(sqlite3 "$db" "SELECT group_concat(rule_id, ',') FROM (SELECT rule_id FROM findings WHERE run_id = $run1 AND verdict = 'fail' ORDER BY rule_id)")"
t_eq "findings reference the scanned target" "$(jq -r '.targets[0].target_id' <<<"$J")" \
	"$(sqlite3 "$db" "SELECT DISTINCT target_id FROM findings WHERE run_id = $run1")"
t_eq "tags come back from the store" '["lab","legacy"]' "$(jq -c '.targets[0].tags' <<<"$J")"
t_eq "the policy hash is 64 hex digits" 1 \
	"$(sqlite3 "$db" "SELECT count(*) FROM policy_runs WHERE id = $run1 AND policy_sha256 GLOB '$(printf '[0-9a-f]%.0s' $(seq 64))'")"

# The text report names the rule, its severity, its clause and the evidence.
t_run 1 "$TLSAUDIT" check --db "$db" --scan "$(scan_of legacy)" --policy pci-dss-4.0
t_match "text: a failing rule with severity" "FAIL +(critical|high|medium|low|info) +[^ ]" "$T_OUT"
t_match "text: the TLS 1.0 evidence" "evidence: .*TLS ?1\.0" "$T_OUT"
t_match "text: the summary" "^Summary: 1 target, 1 with findings at or above high" "$T_OUT"
# --fail-on: with only critical counting, the exit code follows the findings.
want=0
jq -e '[.targets[].policies[].findings[] | select(.verdict == "fail" and .severity == "critical")] | length > 0' \
	<<<"$J" >/dev/null && want=1
t_run "$want" "$TLSAUDIT" check --db "$db" --scan "$(scan_of legacy)" --policy pci-dss-4.0 --fail-on critical
t_run 1 "$TLSAUDIT" check --db "$db" --scan "$(scan_of tls13-only)" --policy mozilla-modern --fail-on info \
	--format json -o "$LAB_DIR/info.json"
t_eq "-o writes the JSON document" tlsaudit-check "$(jq -r .schema "$LAB_DIR/info.json")"
t_eq "--fail-on info: info failures block" true \
	"$(jq -r '[.targets[].policies[].findings[] | select(.blocking)] | length > 0' "$LAB_DIR/info.json")"

# --- exit code precedence: 1 > 3 > 0 ------------------------------------------------
# mozilla-intermediate: tls13-only meets it (TLS 1.3 alone is enough, policy 1.1).
t_run 3 "$TLSAUDIT" check --db "$db" --scan "$scan_mixed_ok" --policy mozilla-intermediate --format json
t_eq "not scanned target reported" "1 false" \
	"$(jq -r '"\(.summary.not_scanned) \([.targets[] | select(.status != "ok") | .evaluated][0])"' <<<"$T_OUT")"
t_run 1 "$TLSAUDIT" check --db "$db" --scan "$scan_mixed_fail" --policy pci-dss-4.0
t_match "text: the unscanned target is named" "NOT SCANNED: unreachable" "$T_OUT"
# --latest is the default and picks the newest scan.
t_run 1 "$TLSAUDIT" check --db "$db" --policy pci-dss-4.0 --format json
t_eq "--latest by default" "$scan_mixed_fail" "$(jq -r .scan.id <<<"$T_OUT")"
t_run 1 "$TLSAUDIT" check --db "$db" --latest --policy pci-dss-4.0 --format json
t_eq "--latest" "$scan_mixed_fail" "$(jq -r .scan.id <<<"$T_OUT")"

# --- errors: exit 2, nothing stored ----------------------------------------------------
before=$(findings)
t_run 2 "$TLSAUDIT" check --db "$db" --scan 99999 --policy pci-dss-4.0
t_match "missing scan is named" "no scan 99999" "$T_ERR"
t_eq "missing scan: nothing stored" "$before" "$(findings)"

printf 'id: broken\ntitle: Broken\nversion: "1"\nrules:\n  - id: r1\n    title: x\n    severity: high\n    no_such_check: [TLSv1.0]\n' \
	>"$LAB_DIR/broken.yaml"
t_run 2 "$TLSAUDIT" check --db "$db" --scan "$(scan_of legacy)" --policy pci-dss-4.0 \
	--policy "$LAB_DIR/broken.yaml"
t_match "invalid policy: FILE:LINE:COLUMN" "broken\.yaml:[0-9]+:[0-9]+: " "$T_ERR"
t_eq "invalid policy: nothing stored, not even the valid policy's run" "$before" "$(findings)"
printf 'rules: [\n' >"$LAB_DIR/yaml-error.yaml"
t_run 2 "$TLSAUDIT" check --db "$db" --policy "$LAB_DIR/yaml-error.yaml"
t_match "invalid YAML: FILE:LINE:COLUMN" "yaml-error\.yaml:[0-9]+:[0-9]+: " "$T_ERR"
t_run 2 "$TLSAUDIT" check --db "$db" --policy no-such-policy
t_eq "unknown policy: nothing stored" "$before" "$(findings)"

t_run 2 "$TLSAUDIT" check --db "$LAB_DIR/absent.db" --policy pci-dss-4.0
t_match "missing database is named" "absent\.db" "$T_ERR"
t_eq "a missing database is not created" no "$([ -e "$LAB_DIR/absent.db" ] && echo yes || echo no)"
t_run 2 "$TLSAUDIT" check --db "$db" --scan 1 --latest --policy pci-dss-4.0
t_run 2 "$TLSAUDIT" check --db "$db" --scan 1
t_match "no policy" "no policy" "$T_ERR"
t_run 2 "$TLSAUDIT" check --db "$db" --policy pci-dss-4.0 --fail-on severe
t_match "bad --fail-on is named" "--fail-on: 'severe'" "$T_ERR"
t_run 2 "$TLSAUDIT" check --db "$db" --policy pci-dss-4.0 --scan abc
t_run 2 "$TLSAUDIT" check --db "$db" --policy pci-dss-4.0 --format xml
t_eq "usage errors: nothing stored" "$before" "$(findings)"
t_run 0 "$TLSAUDIT" check --help
t_match "--help documents the precedence" "first that applies" "$T_OUT"

t_eq "store: integrity" ok "$(sqlite3 "$db" 'PRAGMA integrity_check')"
t_eq "store: foreign keys" 0 "$(sqlite3 "$db" 'SELECT count(*) FROM pragma_foreign_key_check')"
t_done
