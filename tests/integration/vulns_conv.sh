#!/usr/bin/env bash
# tests/integration/vulns_conv.sh - the conversation vulnerability probes
# heartbleed (CVE-2014-0160) and ccs_injection (CVE-2014-0224),
# scanner/probes/heartbleed.c and ccs_injection.c, against real servers and
# the scripted one, and their pci-dss-4.0 rules:
#
#   negatives (no false positive): openssl s_server (no heartbeat; alert
#   unexpected_message after an early CCS), gnutls-serv --heartbeat (the
#   extension negotiated, the HeartbeatRequests refused), nginx (the lab's
#   legacy, TLS 1.0-1.2), the scripted server with a patched heartbeat
#   (the over-long request dropped, the well-formed one answered);
#   positives: the scripted server's --heartbleed (the claimed length
#   answered with marker bytes), --ccs-bad-mac (bad_record_mac after the
#   second CCS) and --ccs-accept (silence, the connection open); a
#   heartbeat response claiming 65535 bytes in 35 (could-not-test);
#   not-applicable on a TLS 1.3-only server, not-run under --ids-friendly
#   and --no-vulns, could-not-test under --no-enumerate; check fails the
#   vulnerable server on pci-asv-heartbleed / pci-asv-ccs-injection.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/scripted.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)" >&2; exit 99; }
command -v gnutls-serv >/dev/null || { echo "gnutls-serv is needed (apt-get install gnutls-bin)" >&2; exit 99; }
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies

lab_init
lab_certs >/dev/null
db=$work/conv.db

# scan NAME TARGET ARGS...: scans TARGET alone; JSON in $work/NAME.json,
# the scan id in $work/NAME.id.
scan() {
	local name=$1
	printf '%s\n' "$2" >"$work/$name.targets"
	shift 2
	"$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 3 --offline --format json "$@" \
		-f "$work/$name.targets" >"$work/$name.json" || true
	sqlite3 "$db" 'SELECT max(id) FROM scans' >"$work/$name.id"
}

# field NAME PROBE FIELD: FIELD of PROBE's rows in NAME's scan.
field() {
	jq -r --arg p "$2" --arg f "$3" \
		'[.targets[0].probes[] | select(.id == $p) | .[$f] // "null"] | join(",")' "$work/$1.json"
}
want() { t_eq "$1: $2 is $3" "$3" "$(field "$1" "$2" state)"; }
evidence() { t_match "$1: $2 evidence: $3" "$3" "$(field "$1" "$2" evidence)"; }
detail() { t_match "$1: $2 detail: $3" "$3" "$(field "$1" "$2" detail)"; }

check() {
	"$TLSAUDIT" check --db "$db" --scan "$(cat "$work/$1.id")" --policy pci-dss-4.0 --format json \
		>"$work/$1.check" || true
}
rule() {
	t_eq "$1: pci-dss-4.0 $2 is $3" "$3" \
		"$(jq -r --arg r "$2" '.targets[0].policies[].findings[] | select(.rule_id == $r) | .verdict' \
			"$work/$1.check")"
}

# --- real servers: the negative controls --------------------------------------
for s in good-rsa legacy tls13-only; do
	lab_start "$s" >/dev/null
	scan "$s" "$(lab_target "$s")"
done
_lab_pick_port
gport=$LAB_FREE_PORT
_lab_spawn gnutls-hb "$gport" gnutls-serv --http --disable-client-cert -p "$gport" \
	--x509certfile "$LAB_CERTS/good-rsa.chain.pem" --x509keyfile "$LAB_CERTS/good-rsa.key" \
	--heartbeat --priority 'NORMAL:-VERS-TLS1.3'
scan gnutls-hb "127.0.0.1:$gport"

# --- the scripted server: the positives and a patched heartbeat ----------------
base=(--versions tls1.0,tls1.1,tls1.2 --suites 0x002F,0x0035,0x000A --timeout 30)
scripted_start bleed "${base[@]}" --heartbleed --ccs-bad-mac
bleed=$PORT
scan bleed "127.0.0.1:$bleed"
scan ids "127.0.0.1:$bleed" --ids-friendly
scan novulns "127.0.0.1:$bleed" --no-vulns
scan noenum "127.0.0.1:$bleed" --no-enumerate
scripted_start silent "${base[@]}" --heartbeat-patched --ccs-accept
scan silent "127.0.0.1:$PORT"
scripted_start lies "${base[@]}" --heartbeat-lies
scan lies "127.0.0.1:$PORT"
scripted_start plain "${base[@]}"
scan plain "127.0.0.1:$PORT"
lab_stop_all >/dev/null 2>&1 || true

# s_server: no heartbeat extension, unexpected_message after the early CCS.
want good-rsa heartbleed negative
detail good-rsa heartbleed 'heartbeat extension not negotiated'
evidence good-rsa heartbleed 'no HeartbeatRequest sent'
want good-rsa ccs_injection negative
evidence good-rsa ccs_injection 'two ChangeCipherSpec.*received: alert fatal unexpected_message \(10\)'
t_eq "good-rsa: the row names its version" "TLS 1.2" "$(field good-rsa heartbleed version)"
t_match "good-rsa: the row names a suite" '^0x[0-9A-F]{4}$' "$(field good-rsa ccs_injection suite)"
# gnutls-serv --heartbeat: the extension negotiated, the requests refused.
want gnutls-hb heartbleed negative
evidence gnutls-hb heartbleed 'HeartbeatRequest payload_length 32 with 16 payload bytes'
t_eq "gnutls-hb: heartbeat negotiated (not the 'not negotiated' negative)" 0 \
	"$(field gnutls-hb heartbleed detail | grep -c 'not negotiated' || true)"
want gnutls-hb ccs_injection negative
# nginx (OpenSSL 3), TLS 1.0-1.2.
want legacy heartbleed negative
want legacy ccs_injection negative
evidence legacy ccs_injection 'unexpected_message'
# TLS 1.3 only: nothing to test.
want tls13-only heartbleed not-applicable
want tls13-only ccs_injection not-applicable

# The scripted positives.
want bleed heartbleed positive
evidence bleed heartbleed 'payload_length 32 in a 51-byte record: 16 bytes past the 16 sent'
t_eq "bleed: no marker byte in the evidence (bytes are never printed)" 0 \
	"$(field bleed heartbleed evidence | grep -c LEAK || true)"
want bleed ccs_injection positive
evidence bleed ccs_injection 'bad_record_mac \(20\)'
want silent ccs_injection positive
evidence silent ccs_injection 'no answer before the 3000 ms deadline of the attempt \(tried twice\), the connection open'
want silent heartbleed negative
evidence silent heartbleed 'echoing the well-formed request'
# A heartbeat response that lies about its length: no verdict either way.
want lies heartbleed could-not-test
evidence lies heartbleed 'payload_length 65535, record 35 bytes \(too short'
# The scripted server's default: handshake_failure to anything after the flight.
want plain heartbleed negative
want plain ccs_injection negative
evidence plain ccs_injection 'handshake_failure \(40\)'

# Left out: a not-run row naming the option, never silence.
for p in heartbleed ccs_injection; do
	want ids "$p" not-run
	detail ids "$p" 'ids-friendly'
	want novulns "$p" not-run
	detail novulns "$p" 'no-vulns'
	want noenum "$p" could-not-test
	detail noenum "$p" 'the enumeration did not run'
done
t_eq "ids: the derived probes still ran" negative "$(field ids drown_sslv2 state)"

# The text report shows the rows with their evidence.
"$TLSAUDIT" report --db "$db" --scan "$(cat "$work/bleed.id")" --format text >"$work/bleed.txt"
t_match "report text: heartbleed positive with evidence" 'heartbleed.*positive' "$(cat "$work/bleed.txt")"
t_match "report text: the evidence" 'payload_length 32' "$(cat "$work/bleed.txt")"

# The policy: the new rules fail the vulnerable server, pass the others.
for s in bleed good-rsa gnutls-hb tls13-only ids noenum; do check "$s"; done
rule bleed pci-asv-heartbleed fail
rule bleed pci-asv-ccs-injection fail
for s in good-rsa gnutls-hb tls13-only; do
	rule "$s" pci-asv-heartbleed pass
	rule "$s" pci-asv-ccs-injection pass
done
rule ids pci-asv-heartbleed inconclusive
rule ids pci-asv-ccs-injection inconclusive
rule noenum pci-asv-heartbleed inconclusive
rule noenum pci-asv-ccs-injection inconclusive
t_run 1 "$TLSAUDIT" check --db "$db" --scan "$(cat "$work/bleed.id")" --policy pci-dss-4.0
t_done
