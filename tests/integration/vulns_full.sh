#!/usr/bin/env bash
# tests/integration/vulns_full.sh - the full-handshake probes
# (scanner/probes/vulns_full.c over scanner/hs_session.c: client_renegotiation,
# resumption_id, resumption_ticket, early_data, ticketbleed) against real
# servers in the lab's namespace:
#   client renegotiation: openssl s_server refuses it (OpenSSL 3's
#     default), s_server -rev -client_renegotiation and gnutls-serv accept it
#     securely, gnutls-serv %DISABLE_SAFE_RENEGOTIATION insecurely (the
#     only positive);
#   resumption: s_server resumes by id and by ticket, -no_ticket by id only
#     (TLS 1.2), nginx with its defaults (tickets on, no session cache) by
#     ticket only, nginx with ssl_session_tickets off and a shared cache by
#     id only;
#   early data: s_server -early_data accepts 0-RTT, its default rejects it;
#   Ticketbleed: every real server echoes the session id as sent; the
#     scripted server's Ticketbleed mode (tests/scripted/mode_ticket.py, in
#     front of s_server for the handshakes that get the ticket) echoes 32
#     bytes for 16.
# Then --no-vulns (every row not-run), --ids-friendly (ticketbleed not-run,
# the others run) and pci-dss-4.0's rules over them.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/scripted.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)" >&2; exit 99; }
command -v nginx >/dev/null || { echo "nginx is needed (apt-get install nginx-light)" >&2; exit 99; }
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies

lab_init
lab_certs >/dev/null
db=$work/full.db
c=$LAB_CERTS
full="client_renegotiation resumption_id resumption_ticket early_data ticketbleed"

# scan NAME TARGET ARGS...: scans TARGET (a targets-file line) alone, without
# the enumeration (these probes do not need it); JSON in $work/NAME.json.
scan() {
	local name=$1
	printf '%s\n' "$2" >"$work/$name.targets"
	shift 2
	"$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 5 --offline --no-enumerate \
		--format json "$@" -f "$work/$name.targets" >"$work/$name.json" || true
	sqlite3 "$db" 'SELECT max(id) FROM scans' >"$work/$name.id"
}

# row NAME PROBE [VERSION] FIELD: FIELD (state, detail, evidence) of PROBE's
# rows in NAME's scan (of VERSION only: "TLS 1.2"), joined by ",".
row() {
	local name=$1 probe=$2 ver=$3 field=$4
	jq -r --arg p "$probe" --arg v "$ver" --arg f "$field" \
		'[.targets[0].probes[] | select(.id == $p and ($v == "" or .version == $v)) | .[$f]]
		 | map(tostring) | join(",")' "$work/$name.json"
}
want() { # NAME PROBE VERSION STATE
	t_eq "$1: $2${3:+ $3} is $4" "$4" "$(row "$1" "$2" "$3" state)"
}
want_detail() { # NAME PROBE VERSION REGEX
	t_match "$1: $2${3:+ $3} detail matches '$4'" "$4" "$(row "$1" "$2" "$3" detail)"
}

# A 127.0.0.1:PORT sni=good-rsa.lab.test line for a server on PORT with the
# good-rsa leaf.
target() { echo "127.0.0.1:$1 sni=good-rsa.lab.test"; }
s_server() { # NAME PORT OPTIONS...: openssl s_server with the good-rsa leaf
	local name=$1 port=$2
	shift 2
	_lab_spawn "$name" "$port" openssl s_server -accept "127.0.0.1:$port" \
		-cert "$c/good-rsa.crt" -key "$c/good-rsa.key" -cert_chain "$c/good-rsa.extra.pem" \
		-no-CAfile -no-CApath -no-CAstore "$@"
}

# s_server in its -www mode: refuses client renegotiation, resumes both ways.
lab_start good-rsa >/dev/null
scan plain "$(lab_target good-rsa)"
p=$(lab_free_port)
s_server reneg "$p" -rev -client_renegotiation
scan reneg "$(target "$p")"
p=$(lab_free_port)
s_server noticket "$p" -www -no_ticket
scan noticket "$(target "$p")"
# -early_data cannot go with -www: the interactive mode, whose standard
# input must stay open (s_server stops at its end): a FIFO held by fd 7.
mkfifo "$work/early.in"
exec 7<>"$work/early.in"
p=$(lab_free_port)
_lab_spawn early "$p" sh -c 'exec "$@" <"$0"' "$work/early.in" openssl s_server \
	-accept "127.0.0.1:$p" -cert "$c/good-rsa.crt" -key "$c/good-rsa.key" \
	-no-CAfile -no-CApath -no-CAstore -early_data
scan early "$(target "$p")"
for s in gnutls-13 gnutls-noreneg; do
	lab_start "$s" >/dev/null
	scan "$s" "$(lab_target "$s")"
done
p=$(lab_free_port)
_lab_nginx nginx-tickets "$p" good-rsa 'TLSv1.2 TLSv1.3' "$LAB_NGINX_MODERN_CIPHERS"
scan nginx-tickets "$(target "$p")"
p=$(lab_free_port)
_lab_nginx nginx-cache "$p" good-rsa 'TLSv1.2 TLSv1.3' "$LAB_NGINX_MODERN_CIPHERS" \
	'ssl_session_tickets off; ssl_session_cache shared:lab:1m;'
scan nginx-cache "$(target "$p")"
# The scripted Ticketbleed server, in front of the plain s_server.
scripted_start bleed -v --ticketbleed-backend "$(lab_port good-rsa)"
scan bleed "127.0.0.1:$PORT sni=good-rsa.lab.test"
scan novulns "$(lab_target good-rsa)" --no-vulns
scan ids "$(lab_target good-rsa)" --ids-friendly

# client_renegotiation
want plain client_renegotiation "TLS 1.2" negative
want_detail plain client_renegotiation "TLS 1.2" '^refused$'
t_match "plain: the refusal's evidence names the alert" 'renegotiation refused: alert' \
	"$(row plain client_renegotiation "TLS 1.2" evidence)"
for s in reneg gnutls-13; do
	want "$s" client_renegotiation "TLS 1.2" negative
	want_detail "$s" client_renegotiation "TLS 1.2" '^accepted, secure \(RFC 5746\)'
done
want gnutls-noreneg client_renegotiation "TLS 1.2" positive
want_detail gnutls-noreneg client_renegotiation "TLS 1.2" '^accepted, insecure.*CVE-2009-3555'
want early client_renegotiation "TLS 1.2" negative

# resumption
want_detail plain resumption_id "TLS 1.2" '^supported \(TLS 1.2, session id\)$'
want_detail plain resumption_ticket "TLS 1.2" '^supported \(TLS 1.2, session ticket\)$'
want_detail plain resumption_ticket "TLS 1.3" '^supported \(TLS 1.3, PSK ticket\)$'
for s in plain noticket nginx-tickets nginx-cache; do
	want "$s" resumption_id "TLS 1.2" info
	want "$s" resumption_ticket "TLS 1.2" info
done
want_detail noticket resumption_id "TLS 1.2" '^supported'
want_detail noticket resumption_ticket "TLS 1.2" '^not supported'
want_detail nginx-tickets resumption_id "TLS 1.2" '^not supported'
want_detail nginx-tickets resumption_ticket "TLS 1.2" '^supported'
want_detail nginx-cache resumption_id "TLS 1.2" '^supported'
want_detail nginx-cache resumption_ticket "TLS 1.2" '^not supported'
want gnutls-noreneg resumption_ticket "TLS 1.3" ""

# early data
want early early_data "TLS 1.3" positive
t_match "early: the evidence names the ticket's limit and what was sent" \
	'max_early_data_size [1-9][0-9]*; 2 bytes of early data accepted' \
	"$(row early early_data "TLS 1.3" evidence)"
for s in plain gnutls-13 nginx-tickets; do want "$s" early_data "TLS 1.3" negative; done
want gnutls-noreneg early_data "" not-applicable

# Ticketbleed
for s in plain reneg gnutls-13 gnutls-noreneg nginx-tickets; do
	want "$s" ticketbleed "TLS 1.2" negative
done
want noticket ticketbleed "TLS 1.2" not-applicable
want bleed ticketbleed "TLS 1.2" positive
t_match "bleed: the evidence counts the bytes, never shows them" \
	'16-byte session id .* echoed 32 bytes: the 16 bytes after ours' \
	"$(row bleed ticketbleed "TLS 1.2" evidence)"
t_eq "bleed: no filler byte in the stored evidence" 0 \
	"$(grep -ci 'a5a5' "$work/bleed.json" || true)"
t_match "bleed: the scripted server answered the ticket itself" 'ServerHello echoing 32 bytes' \
	"$(cat "$work/bleed.err")"

# --no-vulns, --ids-friendly
for p in $full; do
	want novulns "$p" "" not-run
done
want ids ticketbleed "" not-run
want_detail ids ticketbleed "" 'ids-friendly'
want ids client_renegotiation "TLS 1.2" negative
want ids early_data "TLS 1.3" negative

# pci-dss-4.0: insecure renegotiation and Ticketbleed fail, the rest pass.
check() {
	"$TLSAUDIT" check --db "$db" --scan "$(cat "$work/$1.id")" --policy pci-dss-4.0 --format json \
		>"$work/$1.check" || true
}
rule() { # NAME RULE VERDICT
	t_eq "$1: pci-dss-4.0 $2 is $3" "$3" \
		"$(jq -r --arg r "$2" '.targets[0].policies[].findings[] | select(.rule_id == $r) | .verdict' \
			"$work/$1.check")"
}
for s in plain gnutls-13 gnutls-noreneg bleed novulns; do check "$s"; done
rule plain pci-asv-client-renegotiation pass
rule gnutls-13 pci-asv-client-renegotiation pass
rule gnutls-noreneg pci-asv-client-renegotiation fail
rule plain pci-asv-ticketbleed pass
rule bleed pci-asv-ticketbleed fail
rule novulns pci-asv-ticketbleed inconclusive
lab_stop_all >/dev/null 2>&1 || true
t_done
