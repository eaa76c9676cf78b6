#!/usr/bin/env bash
# tests/integration/history_diff.sh - `tlsaudit history` and `tlsaudit diff`
# over a database holding two scans of one lab endpoint that changed in
# between: first the good-rsa server (TLS 1.2 and 1.3), then, on the same
# port, an s_server that also accepts TLS 1.0 and 1.1 with a newly issued
# leaf (new key, new serial). Both scans run with --policy pci-dss-4.0.
#
# Checks: history lists two scans with the two leaf fingerprints (text,
# JSON, Markdown); diff reports TLS 1.0 enabled, TLS 1.0 suites added, the
# certificate rotated and new failing findings, and exits 1; the reverse
# diff (B A) reports the opposite and exits 0; -o writes the file; after a
# check of scan 2 at --fail-on critical, history, diff and report give the
# same verdict at the gate stored with each run; the
# errors (unknown scan, the same scan twice, a database with one scan,
# a newest scan sharing no target with an earlier one, an unknown target,
# bad options) exit 2.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }

export TLSAUDIT_POLICY_DIR=$top_srcdir/policies
[ -f "$TLSAUDIT_POLICY_DIR/pci-dss-4.0.yaml" ] || lab_skip "policies/pci-dss-4.0.yaml is missing"

lab_init
lab_certs >/dev/null

# fingerprint CRT: lowercase hex SHA-256 of the certificate's DER.
fingerprint() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'
}

# new_leaf NAME CN: a new RSA key and a leaf for CN issued by the lab
# intermediate, in $LAB_CERTS/NAME.{key,crt}; NAME.extra.pem = the
# intermediate (what the server sends after the leaf).
new_leaf() {
	local name=$1 cn=$2 c=$LAB_CERTS
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$c/$name.key" 2>/dev/null
	cat >"$c/$name.tmpl" <<EOF
organization = "tlsaudit lab"
cn = "$cn"
dns_name = "$cn"
ip_address = "127.0.0.1"
expiration_days = 60
tls_www_server
signing_key
encryption_key
EOF
	certtool --generate-certificate --load-privkey "$c/$name.key" \
		--load-ca-certificate "$c/int.crt" --load-ca-privkey "$c/int.key" \
		--template "$c/$name.tmpl" --outfile "$c/$name.crt" >/dev/null 2>&1
	cp "$c/int.crt" "$c/$name.extra.pem"
}

db=$LAB_DIR/history.db
scan() { # WANT_STATUS... -- ARGS: runs scan with --policy, status must be one of WANT
	local want=()
	while [ "$1" != -- ]; do
		want+=("$1")
		shift
	done
	shift
	set +e
	"$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 10 --policy pci-dss-4.0 "$@" \
		>"$LAB_DIR/scan.out" 2>"$LAB_DIR/scan.err"
	local st=$?
	set -e
	case " ${want[*]} " in
	*" $st "*) t_ok "scan $* exits $st" ;;
	*) t_fail "scan $* exits one of ${want[*]}" "got $st" "$(cat "$LAB_DIR/scan.err")" ;;
	esac
}

# --- scan 1: good-rsa as the lab runs it ------------------------------------
lab_start good-rsa >/dev/null
port=$(lab_port good-rsa)
target=127.0.0.1:$port
printf '%s sni=good-rsa.lab.test\n' "$target" >"$LAB_DIR/targets"
# 0 or 1: whether good-rsa passes PCI DSS is not what this test is about.
scan 0 1 -- -f "$LAB_DIR/targets"
fp1=$(fingerprint "$LAB_CERTS/good-rsa.crt")

# --- scan 2: the same port, TLS 1.0 and 1.1 enabled, a new leaf -------------
lab_stop good-rsa
new_leaf rotated good-rsa.lab.test
fp2=$(fingerprint "$LAB_CERTS/rotated.crt")
t_match "the new leaf differs from the old one" . "$([ "$fp1" != "$fp2" ] && echo yes)"
# lab.sh's own spawner: it records the pid so the exit trap stops it.
_lab_spawn rotated "$port" openssl s_server -www -accept "127.0.0.1:$port" \
	-cert "$LAB_CERTS/rotated.crt" -key "$LAB_CERTS/rotated.key" \
	-cert_chain "$LAB_CERTS/rotated.extra.pem" -no-CAfile -no-CApath -no-CAstore \
	-min_protocol TLSv1 -cipher 'DEFAULT:@SECLEVEL=0'
scan 1 -- -f "$LAB_DIR/targets"
lab_stop rotated
# From here on no server runs: history and diff read the database only.

# --- history -------------------------------------------------------------------
t_run 0 "$TLSAUDIT" history --db "$db" "$target"
rows=$(printf '%s\n' "$T_OUT" | grep -E '^[0-9]{4}-' || true)
t_eq "history: two rows" 2 "$(printf '%s\n' "$rows" | grep -c .)"
t_match "history: row 1 is scan 1 with the first leaf" " scan 1 .*${fp1:0:16}" "$(sed -n 1p <<<"$rows")"
t_match "history: row 2 is scan 2 with the new leaf" " scan 2 .*${fp2:0:16}" "$(sed -n 2p <<<"$rows")"
t_match "history: row 1 accepts TLS 1.2 and 1.3 only" " TLS1\.2,TLS1\.3 " "$(sed -n 1p <<<"$rows")"
t_match "history: row 2 accepts TLS 1.0" " TLS1\.0,TLS1\.1,TLS1\.2,TLS1\.3 " "$(sed -n 2p <<<"$rows")"
t_match "history: row 2 fails PCI DSS" "pci-dss-4\.0 FAIL at --fail-on high \([1-9]" "$(sed -n 2p <<<"$rows")"

# The port defaults to 443: this target was never scanned on 443.
t_run 2 "$TLSAUDIT" history --db "$db" 127.0.0.1
t_match "history: unknown target named" "no scan of 127\.0\.0\.1 \(host 127\.0\.0\.1, port 443\)" "$T_ERR"
t_run 2 "$TLSAUDIT" history --db "$db" "[::1]:$port"
t_run 2 "$TLSAUDIT" history --db "$db" "127.0.0.1:99999"
t_match "history: bad target explained" "TARGET '127\.0\.0\.1:99999'" "$T_ERR"
t_run 2 "$TLSAUDIT" history --db "$db"
t_run 2 "$TLSAUDIT" history --db "$db" --format csv "$target"

t_run 0 "$TLSAUDIT" history --db "$db" --format json "$target"
J=$T_OUT
# validates NAME KIND JSON-TEXT: JSON-TEXT validates against the project's
# JSON Schema (docs/schema/tlsaudit-v1.schema.json) as document KIND.
validates() {
	printf '%s' "$3" >"$LAB_DIR/validate.json"
	if out=$(python3 "$top_srcdir/tests/report/validate_json.py" \
		"$top_srcdir/docs/schema/tlsaudit-v1.schema.json" "$LAB_DIR/validate.json" "$2" 2>&1); then
		t_ok "$1"
	else
		t_fail "$1" "$out"
	fi
}
validates "history json: validates against the schema" tlsaudit-history "$J"
t_eq "history json: schema" "tlsaudit-history 2" "$(jq -r '"\(.schema) \(.schema_version)"' <<<"$J")"
t_eq "history json: two scans" 2 "$(jq '.scans | length' <<<"$J")"
t_eq "history json: scan ids" "1 2" "$(jq -r '[.scans[].scan_id] | join(" ")' <<<"$J")"
t_eq "history json: fingerprints" "$fp1 $fp2" "$(jq -r '[.scans[].leaf.sha256] | join(" ")' <<<"$J")"
t_eq "history json: versions of scan 1" "TLS 1.2,TLS 1.3" "$(jq -r '.scans[0].versions | join(",")' <<<"$J")"
t_eq "history json: versions of scan 2" "TLS 1.0,TLS 1.1,TLS 1.2,TLS 1.3" \
	"$(jq -r '.scans[1].versions | join(",")' <<<"$J")"
t_eq "history json: more suites in scan 2" true "$(jq '.scans[1].suites > .scans[0].suites' <<<"$J")"
t_eq "history json: pci verdict of scan 2" non-compliant \
	"$(jq -r '.scans[1].policies[] | select(.policy == "pci-dss-4.0") | .verdict' <<<"$J")"
t_eq "history json: sni" good-rsa.lab.test "$(jq -r '.scans[1].sni' <<<"$J")"
t_eq "history json: every deployment's leaf (RSA first)" "RSA:$fp2" \
	"$(jq -r '.scans[1].leaves[0] | "\(.deployment):\(.sha256)"' <<<"$J")"

t_run 0 "$TLSAUDIT" history --db "$db" --format markdown "$target"
t_eq "history markdown: header + separator + two rows" 4 "$(grep -c '^|' <<<"$T_OUT")"
t_match "history markdown: the new leaf" "\| RSA:${fp2:0:16}[ ,]" "$T_OUT"

# --- diff 1 -> 2: things got worse ------------------------------------------------
t_run 1 "$TLSAUDIT" diff --db "$db"
D=$T_OUT
t_match "diff text: scans 1 -> 2" "^tlsaudit diff: scan 1 .* -> scan 2 " "$D"
t_match "diff text: TLS 1.0 enabled, worse" "\+ WORSE TLS 1\.0 enabled \(refused -> accepted\)" "$D"
t_match "diff text: a TLS 1.0 suite added" "\+ WORSE TLS 1\.0 suite added: TLS_" "$D"
t_match "diff text: certificate rotated" "~ certificate rotated: $fp1 -> $fp2" "$D"
t_match "diff text: a new failing finding" "\+ WORSE new failing finding pci-dss-4\.0 " "$D"
t_match "diff text: policies compared" "Policies compared: pci-dss-4\.0" "$D"
t_run 1 "$TLSAUDIT" diff --db "$db" 1
t_eq "diff 1 = diff (default)" "$D" "$T_OUT"
t_run 1 "$TLSAUDIT" diff --db "$db" 1 2

t_run 1 "$TLSAUDIT" diff --db "$db" --format json
J=$T_OUT
validates "diff json: validates against the schema" tlsaudit-diff "$J"
t_eq "diff json: schema" "tlsaudit-diff 2" "$(jq -r '"\(.schema) \(.schema_version)"' <<<"$J")"
t_eq "diff json: scans" "1 2" "$(jq -r '"\(.scan_a.id) \(.scan_b.id)"' <<<"$J")"
t_eq "diff json: worse" true "$(jq .worse <<<"$J")"
t_eq "diff json: one target, in both" "1 both" "$(jq -r '"\(.targets | length) \(.targets[0].presence)"' <<<"$J")"
ch='.targets[0].changes'
t_eq "diff json: TLS 1.0 enabled" "true refused accepted" \
	"$(jq -r "$ch[] | select(.kind == \"version_enabled\" and .version == \"TLS 1.0\") | \"\(.worse) \(.before) \(.after)\"" <<<"$J")"
t_eq "diff json: TLS 1.0 suites added, all worse" true \
	"$(jq "[$ch[] | select(.kind == \"suite_added\" and .version == \"TLS 1.0\")] | length > 0 and all(.worse)" <<<"$J")"
t_eq "diff json: certificate rotated" "$fp1 $fp2" \
	"$(jq -r "$ch[] | select(.kind == \"certificate_rotated\") | \"\(.before) \(.after)\"" <<<"$J")"
t_eq "diff json: new failing findings of pci-dss-4.0" true \
	"$(jq "[$ch[] | select(.kind == \"finding_new\" and .policy == \"pci-dss-4.0\" and .after == \"fail\")] | length > 0" <<<"$J")"
t_eq "diff json: nothing resolved" 0 "$(jq "[$ch[] | select(.kind == \"finding_resolved\")] | length" <<<"$J")"
t_eq "diff json: summary.worse counts the worse changes" \
	"$(jq "[$ch[] | select(.worse)] | length" <<<"$J")" "$(jq .summary.worse <<<"$J")"

t_run 1 "$TLSAUDIT" diff --db "$db" --format markdown
t_match "diff markdown: title" "^## tlsaudit diff: scan 1 → scan 2" "$T_OUT"
t_match "diff markdown: TLS 1.0 enabled, worse" "^- \*\*worse\*\* TLS 1\.0 enabled" "$T_OUT"
t_match "diff markdown: suite names escaped" "suite added: TLS\\\\_" "$T_OUT"
t_match "diff markdown: certificate rotated" "^- certificate rotated: $fp1" "$T_OUT"

# -o: the file holds the same document.
t_run 1 "$TLSAUDIT" diff --db "$db" --format json -o "$LAB_DIR/diff.json"
t_eq "diff -o: nothing on stdout" "" "$T_OUT"
t_eq "diff -o: the file is the JSON" "$J" "$(cat "$LAB_DIR/diff.json")"

# --- diff 2 -> 1: things got better ------------------------------------------------
t_run 0 "$TLSAUDIT" diff --db "$db" 2 1
t_match "reverse: TLS 1.0 disabled" "- TLS 1\.0 disabled \(accepted -> refused\)" "$T_OUT"
t_match "reverse: suites removed" "- TLS 1\.0 suite removed: TLS_" "$T_OUT"
t_match "reverse: certificate rotated back" "certificate rotated: $fp2 -> $fp1" "$T_OUT"
t_match "reverse: resolved findings" "- resolved finding pci-dss-4\.0 " "$T_OUT"
t_match "reverse: none worse" "; 0 changes are worse\.$" "$T_OUT"
t_run 0 "$TLSAUDIT" diff --db "$db" --format json 2 1
t_eq "reverse json: not worse" "false 0" "$(jq -r '"\(.worse) \(.summary.worse)"' <<<"$T_OUT")"

# --- history and diff give report's verdict at the gate stored with the run --------
# Judge scan 2 again at --fail-on critical (a newer run of the policy, its gate
# stored with it): the TLS 1.0 findings (high) fail below that gate. history,
# diff and report must give the same verdict per (target, policy), at that gate.
"$TLSAUDIT" check --db "$db" --scan 2 --policy pci-dss-4.0 --fail-on critical \
	>"$LAB_DIR/check.out" 2>&1 || true
report_verdict() { # SCAN: report's verdict of the target under pci-dss-4.0
	"$TLSAUDIT" report --db "$db" --scan "$1" --format json |
		jq -r '.policy_runs[] | select(.policy == "pci-dss-4.0") | .verdicts[0].verdict'
}
rv1=$(report_verdict 1)
rv2=$(report_verdict 2)
echo "# report verdicts under pci-dss-4.0: scan 1 $rv1, scan 2 $rv2"
t_eq "report: scan 2's newest run is at --fail-on critical" critical \
	"$("$TLSAUDIT" report --db "$db" --scan 2 --format json | jq -r '.policy_runs[] | select(.policy == "pci-dss-4.0") | .fail_on')"
t_run 0 "$TLSAUDIT" history --db "$db" --format json "$target"
t_eq "history = report: verdicts at the stored gate" "$rv1 $rv2" \
	"$(jq -r '[.scans[].policies[] | select(.policy == "pci-dss-4.0") | .verdict] | join(" ")' <<<"$T_OUT")"
t_eq "history: scan 2 at --fail-on critical" critical \
	"$(jq -r '.scans[1].policies[] | select(.policy == "pci-dss-4.0") | .fail_on' <<<"$T_OUT")"
t_run 0 "$TLSAUDIT" history --db "$db" "$target"
t_match "history text: scan 2 judged at --fail-on critical" "pci-dss-4\.0 [A-Za-z ]+ at --fail-on critical \(" \
	"$(grep -E '^[0-9]{4}-' <<<"$T_OUT" | sed -n 2p)"
set +e
"$TLSAUDIT" diff --db "$db" --format json 1 2 >"$LAB_DIR/diff12.json" 2>"$LAB_DIR/diff12.err"
set -e
if [ "$rv1" = "$rv2" ]; then want_v=none; else want_v="$rv1 $rv2"; fi
t_eq "diff = report: the policy's verdict change at the stored gates" "$want_v" \
	"$(jq -r '[.targets[0].changes[] | select(.kind == "policy_verdict_changed") | "\(.before) \(.after)"] | if length == 0 then "none" else join(";") end' "$LAB_DIR/diff12.json")"

# --- errors ------------------------------------------------------------------------
t_run 2 "$TLSAUDIT" diff --db "$db" 99
t_match "unknown scan named" "no scan 99 in" "$T_ERR"
t_run 2 "$TLSAUDIT" diff --db "$db" 1 99
t_match "unknown SCAN_B named" "SCAN_B: no scan 99" "$T_ERR"
t_run 2 "$TLSAUDIT" diff --db "$db" 2
t_match "the newest scan alone" "scan 2 is the newest scan" "$T_ERR"
t_run 2 "$TLSAUDIT" diff --db "$db" 1 1
t_run 2 "$TLSAUDIT" diff --db "$db" one
t_run 2 "$TLSAUDIT" diff --db "$db" 1 2 3
t_run 2 "$TLSAUDIT" diff --db "$db" --format html
t_run 2 "$TLSAUDIT" diff --db "$LAB_DIR/missing.db"
t_eq "diff did not create a database" no "$([ -e "$LAB_DIR/missing.db" ] && echo yes || echo no)"

# A database with one scan only.
one=$LAB_DIR/one.db
lab_start tls13-only >/dev/null
t_run 0 "$TLSAUDIT" scan --db "$one" --ca-file "$LAB_CA" --timeout 10 "127.0.0.1:$(lab_port tls13-only)"
t_run 2 "$TLSAUDIT" diff --db "$one"
t_match "one scan: explained" "holds only one scan" "$T_ERR"

# The newest scan shares no target with an earlier one: no default pair.
t_run 0 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 10 "127.0.0.1:$(lab_port tls13-only)"
t_run 2 "$TLSAUDIT" diff --db "$db"
t_match "no sharing scan: explained" "no earlier scan shares a target" "$T_ERR"
# ...but an explicit pair of unrelated scans lists both targets as only in one.
t_run 0 "$TLSAUDIT" diff --db "$db" --format json 2 3
t_eq "unrelated scans: presence" "only_b only_a" "$(jq -r '[.targets[].presence] | join(" ")' <<<"$T_OUT")"
lab_stop tls13-only

t_done
