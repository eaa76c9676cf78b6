#!/usr/bin/env bash
# tests/integration/expiring_quiet.sh - `--fail-on-expiring DAYS` (scan,
# check) and `--quiet` (scan, check, diff) against real servers: the lab's
# good-rsa (a 90-day leaf), an openssl s_server with a leaf that expires
# in 5 days (issued by the lab intermediate at test time) and the lab's
# expired server.
#
# Checks: --fail-on-expiring 10 fails (exit 1) naming exactly the
# short-lived leaf on stderr, the same certificate `report --expiring 10`
# lists; --fail-on-expiring 3 passes (and `--expiring 3` lists nothing);
# 0 fails only on the expired leaf; `check` gives the same over the stored
# scan; a bad DAYS is exit 2; --quiet leaves stdout empty for text (a
# file given with -o still gets the report, --format json still goes to
# stdout) and writes one summary line on stderr, for scan, check and diff.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies
lab_init
lab_certs >/dev/null
c=$LAB_CERTS

# A leaf for short.lab.test valid for 5 days, issued by the lab intermediate.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$c/short.key" 2>/dev/null
cat >"$c/short.tmpl" <<EOF
organization = "tlsaudit lab"
cn = "short.lab.test"
dns_name = "short.lab.test"
expiration_days = 5
tls_www_server
signing_key
encryption_key
EOF
certtool --generate-certificate --load-privkey "$c/short.key" --load-ca-certificate "$c/int.crt" \
	--load-ca-privkey "$c/int.key" --template "$c/short.tmpl" --outfile "$c/short.crt" >/dev/null 2>&1
short_fp=$(openssl x509 -in "$c/short.crt" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
port=$(lab_free_port)
_lab_spawn short "$port" openssl s_server -www -accept "127.0.0.1:$port" -cert "$c/short.crt" \
	-key "$c/short.key" -cert_chain "$c/int.crt" -no-CAfile -no-CApath -no-CAstore
lab_start good-rsa >/dev/null
{
	lab_target good-rsa
	echo "127.0.0.1:$port sni=short.lab.test"
} >"$LAB_DIR/targets"
db=$LAB_DIR/exp.db
scan() { "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --offline --no-enumerate "$@"; }

# --- scan --fail-on-expiring -----------------------------------------------------
t_run 1 scan --fail-on-expiring 10 -f "$LAB_DIR/targets"
t_match "10 days: the short-lived leaf is named" \
	"^tlsaudit scan: --fail-on-expiring 10: 1 certificate expires within 10 days:$" "$(grep -- --fail-on-expiring <<<"$T_ERR")"
t_match "10 days: its line" "127\.0\.0\.1:$port SNI short\.lab\.test: leaf CN=short\.lab\.test,O=tlsaudit lab expires [0-9-]+ \(in [45] days\), sha256 ${short_fp:0:16}" "$T_ERR"
t_eq "10 days: good-rsa is not listed" 0 "$(grep -c good-rsa <<<"$T_ERR" || true)"
t_run 0 "$TLSAUDIT" report --db "$db" --expiring 10 --format json
t_eq "report --expiring 10 lists the same certificate" "${short_fp}" \
	"$(jq -r '[.expiring.certificates[].sha256] | join(",")' <<<"$T_OUT")"
t_run 0 scan --fail-on-expiring 3 -f "$LAB_DIR/targets"
t_eq "3 days: nothing on stderr" "" "$T_ERR"
t_run 0 "$TLSAUDIT" report --db "$db" --expiring 3 --format json
t_eq "report --expiring 3 lists nothing either" 0 "$(jq '.expiring.certificates | length' <<<"$T_OUT")"
t_run 2 scan --fail-on-expiring x -f "$LAB_DIR/targets"
t_eq "a bad DAYS" "tlsaudit scan: --fail-on-expiring: 'x' is not a number of days (0 to 36500)" "$T_ERR"

lab_start expired >/dev/null
t_run 1 scan --fail-on-expiring 0 -f "$LAB_DIR/targets" "$(lab_target expired | cut -d' ' -f1)"
t_match "0 days: the expired leaf only" "1 certificate expires within 0 days:.*CN=expired\.lab\.test,O=tlsaudit lab expired [0-9-]+, sha256" "$(tr '\n' ' ' <<<"$T_ERR")"
expired_scan=$(jq -n "$(sqlite3 "$db" 'SELECT max(id) FROM scans')")

# --- check --fail-on-expiring over the stored scans ---------------------------
t_run 1 "$TLSAUDIT" check --db "$db" --scan 1 --policy pci-dss-4.0 --fail-on critical --fail-on-expiring 10
t_match "check --scan 1, 10 days: the leaf named" "check: --fail-on-expiring 10: 1 certificate.*short\.lab\.test" "$(tr '\n' ' ' <<<"$T_ERR")"
t_run 0 "$TLSAUDIT" check --db "$db" --scan 1 --policy pci-dss-4.0 --fail-on critical --fail-on-expiring 3
t_run 1 "$TLSAUDIT" check --db "$db" --scan "$expired_scan" --policy pci-dss-4.0 --fail-on critical --fail-on-expiring 0

# --- --quiet ------------------------------------------------------------------------
t_run 1 scan --quiet --fail-on-expiring 10 -f "$LAB_DIR/targets"
t_eq "scan --quiet: nothing on stdout" "" "$T_OUT"
n=$(sqlite3 "$db" 'SELECT max(id) FROM scans')
t_eq "scan --quiet: the listing and one summary line on stderr" \
	"tlsaudit scan: scan $n complete: 2 targets scanned, 0 not scanned; certificates expire within --fail-on-expiring; stored in $db; exit 1" \
	"$(tail -n 1 <<<"$T_ERR")"
t_eq "scan --quiet: nothing else" 3 "$(grep -c . <<<"$T_ERR")"
t_run 0 scan --quiet --format json -f "$LAB_DIR/targets"
t_eq "scan --quiet --format json: the document on stdout" 2 "$(jq '.targets | length' <<<"$T_OUT")"
t_match "scan --quiet --format json: one line on stderr" "^tlsaudit scan: scan [0-9]+ complete: 2 targets scanned, 0 not scanned; stored in .*; exit 0$" "$T_ERR"
t_run 0 scan --quiet -o "$LAB_DIR/scan.txt" -f "$LAB_DIR/targets"
t_match "scan --quiet -o FILE: the file gets the text" "short\.lab\.test" "$(cat "$LAB_DIR/scan.txt")"
t_eq "scan --quiet -o FILE: stdout empty" "" "$T_OUT"

t_run 0 "$TLSAUDIT" check --db "$db" --quiet --policy pci-dss-4.0 --fail-on critical
t_eq "check --quiet: nothing on stdout" "" "$T_OUT"
t_match "check --quiet: one summary line" "^tlsaudit check: stored policy run [0-9]+ \(pci-dss-4\.0\) of scan [0-9]+ in .*; compliant; exit 0$" "$T_ERR"
t_run 0 "$TLSAUDIT" check --db "$db" --quiet --format json --policy pci-dss-4.0 --fail-on critical
t_eq "check --quiet --format json: the document on stdout" tlsaudit-check "$(jq -r .schema <<<"$T_OUT")"

t_run 0 "$TLSAUDIT" diff --db "$db" --quiet
t_eq "diff --quiet: nothing on stdout" "" "$T_OUT"
t_match "diff --quiet: one summary line" "^tlsaudit diff: scan [0-9]+ -> scan [0-9]+: [0-9]+ changes?, 0 worse; exit 0$" "$T_ERR"
t_run 0 "$TLSAUDIT" diff --db "$db" --quiet --format json
t_eq "diff --quiet --format json: the document on stdout" tlsaudit-diff "$(jq -r .schema <<<"$T_OUT")"
t_done
