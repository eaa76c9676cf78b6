#!/usr/bin/env bash
# tests/integration/vulns_kex.sh - the checks over the key-exchange values
# the enumeration keeps by hash (enumeration.kex_values), on real servers:
#
# - Logjam's well-known primes: openssl s_server with RFC 2409 Oakley group
#   2 (written by data/gen-dh-primes.py --pem) is positive naming it; with
#   RFC 7919 ffdhe2048 (openssl genpkey) negative plus an info row naming
#   it; with a fresh random 1024-bit prime (the same size as Oakley group 2:
#   only the hash tells them apart) negative.
# - key_reuse (Raccoon): OpenSSL 3 and GnuTLS make fresh DHE and ECDHE keys
#   (negative); the scripted server with --kex-reuse dhe positive, with
#   --kex-reuse ecdhe negative plus info.
# - drown_shared_key (store_drown_shared_key, after the scan is stored):
#   three scripted servers in one scan, one with SSLv2 and certificate X, one
#   TLS-only with the same X, one TLS-only with another key, plus a real
#   s_server: the TLS-only one with X is positive naming the SSLv2 one, the
#   others negative with the number of endpoints compared; a later scan of
#   the X server alone still sees the SSLv2 endpoint stored before; the
#   stored rows reach report and check (pci-asv-drown-shared-key).
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/scripted.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)" >&2; exit 99; }
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies

lab_init
lab_certs >/dev/null
db=$work/kex.db

# scan NAME TARGET...: scans the targets in one scan; JSON in $work/NAME.json.
scan() {
	local name=$1
	shift
	printf '%s\n' "$@" >"$work/$name.targets"
	"$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 5 --offline --format json \
		-f "$work/$name.targets" >"$work/$name.json" || true
	sqlite3 "$db" 'SELECT max(id) FROM scans' >"$work/$name.id"
}
# states NAME PROBE [I]: the states of PROBE's rows of target I (0) of NAME.
states() {
	jq -r --arg p "$2" --argjson i "${3:-0}" \
		'[.targets[$i].probes[] | select(.id == $p) | .state] | join(",")' "$work/$1.json"
}
field() { # NAME PROBE STATE FIELD [I]
	jq -r --arg p "$2" --arg s "$3" --arg f "$4" --argjson i "${5:-0}" \
		'.targets[$i].probes[] | select(.id == $p and .state == $s) | .[$f]' "$work/$1.json"
}
# s_server NAME DHPARAM: an s_server with DHE (TLS 1.2 and older) on those parameters.
s_server() {
	local port
	port=$(lab_free_port)
	_lab_spawn "$1" "$port" openssl s_server -www -accept "127.0.0.1:$port" \
		-cert "$LAB_CERTS/good-rsa.crt" -key "$LAB_CERTS/good-rsa.key" \
		-no-CAfile -no-CApath -no-CAstore -max_protocol TLSv1.2 \
		-cipher 'DHE:ECDHE:@SECLEVEL=0' -dhparam "$2"
	echo "127.0.0.1:$port"
}

# --- Logjam: the well-known primes ------------------------------------------------
"$PY" "$top_srcdir/data/gen-dh-primes.py" --pem rfc2409-oakley2 >"$work/oakley2.pem"
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$work/ffdhe2048.pem"
openssl genpkey -genparam -algorithm DH -pkeyopt dh_paramgen_prime_len:1024 \
	-out "$work/random1024.pem" 2>/dev/null
scan oakley2 "$(s_server oakley2 "$work/oakley2.pem")"
scan ffdhe "$(s_server ffdhe "$work/ffdhe2048.pem")"
scan random "$(s_server random "$work/random1024.pem")"

t_eq "oakley2: the enumeration kept one DH prime of 1024 bits" "1 1024" \
	"$(jq -r '[.targets[0].enumeration.kex_values[] | select(.kind == "dh_prime")] | "\(length) \(.[0].bits)"' "$work/oakley2.json")"
t_eq "oakley2: its hash is the one of data/dh-primes.tsv" \
	"$(awk -F'\t' '$1 == "rfc2409-oakley2" { print $3 }' "$top_srcdir/data/dh-primes.tsv")" \
	"$(jq -r '.targets[0].enumeration.kex_values[] | select(.kind == "dh_prime") | .sha256' "$work/oakley2.json")"
t_eq "oakley2: logjam positive" positive "$(states oakley2 logjam)"
t_match "oakley2: the detail names the group" 'well-known 1024-bit DH prime is in use \(RFC 2409 Oakley group 2' \
	"$(field oakley2 logjam positive detail)"
t_match "oakley2: the evidence names it with a suite" 'rfc2409-oakley2 \(1024 bits.*TLS_DHE_RSA_' \
	"$(field oakley2 logjam positive evidence)"
t_eq "ffdhe2048: logjam negative, then info" "negative,info" "$(states ffdhe logjam)"
t_match "ffdhe2048: the info row names the group" 'well-known prime \(RFC 7919 ffdhe2048\)' \
	"$(field ffdhe logjam info detail)"
t_eq "random 1024-bit prime: logjam negative" negative "$(states random logjam)"
t_match "random: the negative says what was compared" '1 distinct primes compared with [0-9]+ well-known' \
	"$(field random logjam negative detail)"

# --- key reuse ------------------------------------------------------------------
lab_start gnutls-legacy >/dev/null
scan gnutls "$(lab_target gnutls-legacy)"
for s in oakley2 gnutls; do
	t_eq "$s: key_reuse negative (fresh keys)" negative "$(states $s key_reuse)"
done
t_match "oakley2: several DHE and ECDHE handshakes were compared" \
	'no DHE public value reused: ([2-9]|[1-9][0-9]+) DHE handshakes, ([2-9]|[1-9][0-9]+) ECDHE handshakes, every value distinct' \
	"$(field oakley2 key_reuse negative detail)"
t_match "gnutls: several DHE handshakes were compared" '([2-9]|[1-9][0-9]+) DHE handshakes' \
	"$(field gnutls key_reuse negative detail)"
kargs=(--versions tls1.0,tls1.2,tls1.3 --suites 0x0033,0x0039,0x009E,0xC02F,0xC013,0x1301,0x1302)
scripted_start reuse-dhe "${kargs[@]}" --kex-reuse dhe
scan reuse-dhe "127.0.0.1:$PORT"
scripted_start reuse-ec "${kargs[@]}" --kex-reuse ecdhe
scan reuse-ec "127.0.0.1:$PORT"
scripted_start fresh "${kargs[@]}"
scan fresh "127.0.0.1:$PORT"
t_eq "scripted --kex-reuse dhe: key_reuse positive" positive "$(states reuse-dhe key_reuse)"
t_match "reuse-dhe: CVE and the count" 'CVE-2020-1968 \(Raccoon\).*1 reused of ([3-9]|[1-9][0-9]+) DHE handshakes' \
	"$(field reuse-dhe key_reuse positive detail)"
t_match "reuse-dhe: the evidence names the value" 'dh_public TLS 1\.[02] TLS_DHE_RSA_[A-Z0-9_]* [0-9a-f]{16}\.\.\. in [0-9]+ handshakes' \
	"$(field reuse-dhe key_reuse positive evidence)"
t_eq "scripted --kex-reuse ecdhe: negative, then info" "negative,info" "$(states reuse-ec key_reuse)"
t_match "reuse-ec: the info row says it is not Raccoon" 'ECDHE public value.*not Raccoon' \
	"$(field reuse-ec key_reuse info detail)"
t_eq "scripted, fresh values: key_reuse negative" negative "$(states fresh key_reuse)"

# --- DROWN through another endpoint's key -----------------------------------------
dargs=(--suites 0x002F,0xC02F --ssl2-ciphers 0x010080,0x0700C0)
scripted_start v2 --versions ssl2,tls1.0 "${dargs[@]}" --cert "$top_srcdir/tests/scripted/certs/rsa.pem"
p2=$PORT
scripted_start same --versions tls1.2 "${dargs[@]}" --cert "$top_srcdir/tests/scripted/certs/rsa.pem"
p_same=$PORT
scripted_start other --versions tls1.2 "${dargs[@]}" --cert "$top_srcdir/tests/scripted/certs/ecdsa.pem" \
	--suites 0xC02B
p_other=$PORT
lab_start good-rsa >/dev/null
scan drown "127.0.0.1:$p2" "127.0.0.1:$p_same" "127.0.0.1:$p_other" "$(lab_target good-rsa)"
sid=$(cat "$work/drown.id")
"$TLSAUDIT" report --db "$db" --scan "$sid" --format json -o "$work/drown.report.json"
# rows NAME PORT: "state|detail" of each drown_shared_key row of the stored target on PORT.
rows() {
	jq -r --argjson p "$2" '.targets[] | select(.port == $p) | .probes[] | select(.id == "drown_shared_key") | "\(.state)|\(.detail)"' \
		"$work/$1"
}
t_eq "the SSLv2 server and the same-key one share one leaf SPKI" 1 \
	"$(sqlite3 "$db" "SELECT count(DISTINCT k.sha256) FROM kex_values k JOIN targets t ON t.id = k.target_id WHERE t.scan_id = $sid AND t.port IN ($p2, $p_same) AND k.kind = 'cert_spki'")"
t_match "same key, TLS only: drown_shared_key positive naming the SSLv2 endpoint" \
	"^positive\|CVE-2016-0800 \(DROWN\): 127\.0\.0\.1:$p2 \[127\.0\.0\.1\] serves this target's certificate key and accepts SSLv2$" \
	"$(rows drown.report.json "$p_same")"
t_match "same key: the evidence gives the SPKI hash" "127\.0\.0\.1:$p2 \[127\.0\.0\.1\] \(scan $sid\) accepts SSLv2 with key SPKI SHA-256 [0-9a-f]{64}" \
	"$(jq -r --argjson p "$p_same" '.targets[] | select(.port == $p) | .probes[] | select(.id == "drown_shared_key") | .evidence' "$work/drown.report.json")"
t_eq "scan --format json carries the same drown_shared_key rows as the stored scan" \
	"$(for p in "$p2" "$p_same" "$p_other"; do rows drown.report.json "$p"; done)" \
	"$(for p in "$p2" "$p_same" "$p_other"; do rows drown.json "$p"; done)"
for p in "$p2" "$p_other" "$(lab_port good-rsa)"; do
	t_match "port $p: drown_shared_key negative, the endpoints compared counted" \
		'^negative\|no other scanned endpoint with this key accepts SSLv2 \(([3-9]|[1-9][0-9]+) endpoints compared; only endpoints in this database are seen\)$' \
		"$(rows drown.report.json "$p")"
done
t_eq "the SSLv2 server's own drown_sslv2 is positive" positive \
	"$(jq -r --argjson p "$p2" '.targets[] | select(.port == $p) | .probes[] | select(.id == "drown_sslv2") | .state' "$work/drown.report.json")"
# A later scan of the same-key server alone: the SSLv2 endpoint is in the store.
scan alone "127.0.0.1:$p_same"
"$TLSAUDIT" report --db "$db" --scan "$(cat "$work/alone.id")" --format json -o "$work/alone.report.json"
t_match "a later scan alone: still positive from the stored SSLv2 endpoint" "^positive\|.*127\.0\.0\.1:$p2 " \
	"$(rows alone.report.json "$p_same")"
# The policy sees the stored row.
"$TLSAUDIT" check --db "$db" --scan "$sid" --policy pci-dss-4.0 --format json >"$work/drown.check" || true
verdict() {
	jq -r --argjson p "$1" --arg r "$2" '.targets[] | select(.port == $p) | .policies[].findings[] | select(.rule_id == $r) | .verdict' "$work/drown.check"
}
t_eq "check: pci-asv-drown-shared-key fails the same-key server" fail "$(verdict "$p_same" pci-asv-drown-shared-key)"
t_eq "check: pci-asv-drown-shared-key passes good-rsa" pass "$(verdict "$(lab_port good-rsa)" pci-asv-drown-shared-key)"
t_eq "check: pci-4.2.1-key-reuse is low" low \
	"$(jq -r '[.targets[0].policies[].findings[] | select(.rule_id == "pci-4.2.1-key-reuse") | .severity] | unique | join(",")' "$work/drown.check")"
# --no-vulns: a not-run row naming the option.
printf '%s\n' "127.0.0.1:$p_same" >"$work/novulns.targets"
"$TLSAUDIT" scan --db "$db" --timeout 5 --offline --no-vulns -f "$work/novulns.targets" >/dev/null 2>&1 || true
t_eq "--no-vulns: drown_shared_key not-run naming the option" "not-run|1" \
	"$(sqlite3 "$db" "SELECT p.state || '|' || (p.detail LIKE '%--no-vulns%') FROM probe_results p JOIN targets t ON t.id = p.target_id WHERE t.scan_id = (SELECT max(id) FROM scans) AND p.probe_id = 'drown_shared_key'")"
lab_stop_all >/dev/null 2>&1 || true
t_done
