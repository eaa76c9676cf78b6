#!/usr/bin/env bash
# tests/integration/vulns_robot.sh - the robot probe (scanner/probes/robot.c:
# ROBOT, a Bleichenbacher padding oracle on RSA key exchange) end to end, in
# the lab's network namespace: the scripted server with a throwaway RSA key
# as a strong oracle, a weak oracle, a consistent server and a noisy one
# (mode_robot.py);
# the same server holding only an ECDSA certificate (could-not-test);
# openssl s_server (also asking for a client certificate), gnutls-serv and
# nginx with RSA key exchange enabled
# (negative: both libraries are fixed); nginx with ECDHE suites only
# (not-applicable); --ids-friendly and --no-vulns (not-run); and
# pci-dss-4.0's pci-asv-robot over them.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/scripted.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)" >&2; exit 99; }
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies

lab_init
lab_user_cleanup() { cleanup; }
lab_certs >/dev/null
db=$work/robot.db

# A throwaway RSA key and its certificate for the scripted oracle (it
# decrypts with pow(c, d, n)); no key of the repository is involved.
openssl genrsa -out "$work/robot.key" 2048 2>/dev/null
openssl req -x509 -new -key "$work/robot.key" -out "$work/robot.crt" -days 2 \
	-subj /CN=robot.test 2>/dev/null
# and a 4096-bit one for the weak oracle (the largest block size in use).
openssl genrsa -out "$work/robot4096.key" 4096 2>/dev/null
openssl req -x509 -new -key "$work/robot4096.key" -out "$work/robot4096.crt" -days 2 \
	-subj /CN=robot.test 2>/dev/null

# scan NAME TARGET ARGS...: scans TARGET alone; its JSON in $work/NAME.json,
# its scan id in $work/NAME.id.
scan() {
	local name=$1
	printf '%s\n' "$2" >"$work/$name.targets"
	shift 2
	"$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 5 --offline --format json "$@" \
		-f "$work/$name.targets" >"$work/$name.json" || true
	sqlite3 "$db" 'SELECT max(id) FROM scans' >"$work/$name.id"
}

# field NAME FIELD: FIELD of the robot row(s) of NAME's scan, joined by ",".
field() {
	jq -r --arg f "$2" '[.targets[0].probes[] | select(.id == "robot") | .[$f] // "null"] | join(",")' \
		"$work/$1.json"
}
want() { t_eq "$1: robot is $2" "$2" "$(field "$1" state)"; }

rule() {
	"$TLSAUDIT" check --db "$db" --scan "$(cat "$work/$1.id")" --policy pci-dss-4.0 --format json \
		>"$work/$1.check" || true
	t_eq "$1: pci-asv-robot is $2" "$2" \
		"$(jq -r '[.targets[0].policies[].findings[] | select(.rule_id == "pci-asv-robot") | .verdict] | join(",")' \
			"$work/$1.check")"
}

scripted=(--versions tls1.0,tls1.2 --suites 0x002F,0x0035,0xC013 --cert "$work/robot.crt"
	--robot-key "$work/robot.key")

# --- the scripted oracle -----------------------------------------------------------
scripted_start strong "${scripted[@]}" --robot-oracle strong
strong_port=$PORT
scan strong "127.0.0.1:$PORT"
want strong positive
t_match "strong: the detail says strong oracle" '^vulnerable \(strong oracle' "$(field strong detail)"
t_eq "strong: TLS 1.2 with an RSA key-exchange suite" "TLS 1.2 0x002F" \
	"$(field strong version) $(field strong suite)"
ev=$(field strong evidence)
t_match "strong: 2048-bit key, two rounds of five" '2048-bit RSA key; 10 connections' "$ev"
t_match "strong: well-formed got bad_record_mac" 'round 1, well-formed: fatal alert bad_record_mac\(20\)' "$ev"
t_match "strong: 41 17 got decrypt_error" 'round 2, wrong first bytes \(41 17\): fatal alert decrypt_error\(51\)' "$ev"
t_match "strong: the misplaced 00 answered like a good block" 'round 1, 00 misplaced: fatal alert bad_record_mac' "$ev"
rule strong fail

scripted_start weak --versions tls1.0,tls1.2 --suites 0x002F,0x0035,0xC013 \
	--cert "$work/robot4096.crt" --robot-key "$work/robot4096.key" --robot-oracle weak
scan weak "127.0.0.1:$PORT"
want weak positive
t_match "weak: a 4096-bit key" '4096-bit RSA key; 10 connections' "$(field weak evidence)"
t_match "weak: the detail says weak oracle" '^vulnerable \(weak oracle' "$(field weak detail)"
t_match "weak: the misplaced 00 answered like the other malformed blocks" \
	'round 2, 00 misplaced: fatal alert decrypt_error\(51\)' "$(field weak evidence)"
rule weak fail

scripted_start none "${scripted[@]}" --robot-oracle none
scan none "127.0.0.1:$PORT"
want none negative
t_match "none: five connections, one answer" '5 connections' "$(field none evidence)"
t_eq "none: every block bad_record_mac" 5 \
	"$(field none evidence | grep -o 'round 1, [^;]*: fatal alert bad_record_mac(20)' | wc -l)"
rule none pass

# Noise: the block without a 00 gets decrypt_error once, then what every
# block gets: the rounds disagree, so nothing is claimed.
scripted_start noisy "${scripted[@]}" --robot-oracle noisy
scan noisy "127.0.0.1:$PORT"
want noisy could-not-test
t_match "noisy: the reason is the rounds' disagreement" 'different answers in the two rounds' \
	"$(field noisy detail)"
t_match "noisy: the evidence shows both answers" \
	'round 1, no 00 separator: fatal alert decrypt_error.*round 2, no 00 separator: fatal alert bad_record_mac' \
	"$(field noisy evidence)"
rule noisy inconclusive

# An RSA suite served with an ECDSA certificate: no RSA key to encrypt to.
scripted_start ecdsa --versions tls1.2 --suites 0x002F --cert "$top_srcdir/tests/scripted/certs/ecdsa.pem"
scan ecdsa "127.0.0.1:$PORT"
want ecdsa could-not-test
t_match "ecdsa: the reason names the key" 'not RSA' "$(field ecdsa detail)"
rule ecdsa inconclusive

# Left out on request: one not-run row each, no connection of its own.
scan ids "127.0.0.1:$strong_port" --ids-friendly
want ids not-run
t_match "ids: the detail names --ids-friendly" 'ids-friendly' "$(field ids detail)"
rule ids inconclusive
scan novulns "127.0.0.1:$strong_port" --no-vulns
want novulns not-run

# --- real servers: negative controls and not-applicable ---------------------------
c=$LAB_CERTS
port=$(lab_free_port)
_lab_spawn ossl-rsa "$port" openssl s_server -www -accept "127.0.0.1:$port" \
	-cert "$c/good-rsa.crt" -key "$c/good-rsa.key" -no-CAfile -no-CApath -no-CAstore \
	-no_tls1_3 -cipher 'AES128-SHA:AES128-GCM-SHA256:@SECLEVEL=0'
scan ossl "127.0.0.1:$port"
want ossl negative
t_match "ossl: an RSA key-exchange suite under TLS 1.2" '^TLS 1\.2 TLS_RSA_WITH_AES_128_' "$(field ossl evidence)"
rule ossl pass

# The same asking for a client certificate (CertificateRequest): the probe
# answers with an empty Certificate first, as a client without one does.
port=$(lab_free_port)
_lab_spawn ossl-rsa-verify "$port" openssl s_server -www -accept "127.0.0.1:$port" \
	-cert "$c/good-rsa.crt" -key "$c/good-rsa.key" -no-CAfile -no-CApath -no-CAstore \
	-no_tls1_3 -cipher 'AES128-SHA:@SECLEVEL=0' -verify 1 -CAfile "$LAB_CA"
scan osslverify "127.0.0.1:$port"
want osslverify negative
t_match "osslverify: every block reached the MAC check" \
	'round 1, well-formed: fatal alert bad_record_mac\(20\);.*wrong premaster version \(02 02\): fatal alert bad_record_mac\(20\)$' \
	"$(field osslverify evidence)"

port=$(lab_free_port)
if _lab_gnutls gnutls-rsa "$port" good-rsa 'NORMAL:+RSA'; then
	scan gnutls "127.0.0.1:$port"
	want gnutls negative
	t_match "gnutls: an RSA key-exchange suite" 'TLS_RSA_WITH_' "$(field gnutls evidence)"
	rule gnutls pass
else
	echo "SKIP gnutls-serv could not start (see the lab log)"
fi

addr=$(lab_start legacy)
scan nginx "$addr"
want nginx negative
t_match "nginx: an RSA key-exchange suite" 'TLS_RSA_WITH_' "$(field nginx evidence)"

addr=$(lab_start modern12)
scan ecdhe "$addr"
want ecdhe not-applicable
t_eq "ecdhe: the reason" "no RSA key-exchange suite accepted" "$(field ecdhe detail)"
rule ecdhe pass
t_done
