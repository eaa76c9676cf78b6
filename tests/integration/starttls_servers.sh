#!/usr/bin/env bash
# tests/integration/starttls_servers.sh - STARTTLS and direct TLS against
# real Debian servers, each started here (in the lab's private network
# namespace, on ephemeral ports of 127.0.0.1, from a config directory of
# its own) and stopped by PID:
#
#   postfix   smtp (STARTTLS, AUTH offered before it), submission
#             (smtpd_tls_auth_only: no AUTH before it), smtps (direct)
#             TLS 1.2 only, ECDHE-RSA-AES256-GCM-SHA384 : ECDHE-RSA-AES128-GCM-SHA256
#   dovecot   imap, imaps, pop3, pop3s, managesieve, lmtp (and the SASL
#             service postfix authenticates against); TLS >= 1.2,
#             ECDHE-RSA-CHACHA20-POLY1305 : ECDHE-RSA-AES128-GCM-SHA256, and
#             only TLS_AES_256_GCM_SHA384 in TLS 1.3 (dovecot 2.3.19's lmtp
#             does not apply ssl_cipher_suites: OpenSSL's three there)
#   vsftpd    ftp (AUTH TLS); TLS 1.2 AES256-GCM-SHA384 : AES128-SHA256 (RSA
#             key exchange), TLS 1.3 OpenSSL's defaults
#   nnrpd     INN 2.7's reader (inn2), nntp (STARTTLS, RFC 4642), standalone
#             (-D) from its own INNCONF; TLS 1.2 only, ECDHE-RSA-AES256-SHA :
#             ECDHE-RSA-CAMELLIA256-SHA384 (the second is one GnuTLS cannot
#             do: the enumeration finds it, the GnuTLS handshake uses the first)
#
# Not here: ngircd (Debian 12's 26.1), the IRC server the issue names, has
# no STARTTLS (TLS only on dedicated ports; its IRCv3 capabilities are
# multi-prefix alone) and silently ignores the command from an
# unregistered client, so the irc dialogue can only time out against it;
# the scripted transcripts (tests/unit/starttls_test.c) cover IRC.
#
# Every configuration differs, so each scan must find exactly its server's
# suites per version behind the dialogue (enumeration) and a GnuTLS
# handshake must complete behind it; the dialogue's facts (STARTTLS
# offered, plaintext logins before TLS) are as each server is configured.
# Dovecot counts a connection from its own address as secure (rip == lip),
# so on 127.0.0.1 it offers plaintext logins before TLS: that is what it
# does, and what the facts must say. A missing server package skips.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
for p in postfix dovecot vsftpd; do
	command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] ||
		lab_skip "$p is not installed (apt-get install postfix dovecot-imapd dovecot-pop3d dovecot-managesieved dovecot-lmtpd vsftpd)"
done
[ -x /usr/lib/news/bin/nnrpd ] && [ -x /usr/lib/news/bin/makehistory ] ||
	lab_skip "INN's nnrpd is not installed (apt-get install inn2; setup.sh says how to configure it)"
for b in imap-login pop3-login managesieve-login lmtp; do
	[ -x "/usr/lib/dovecot/$b" ] ||
		lab_skip "dovecot's $b is not installed (apt-get install dovecot-imapd dovecot-pop3d dovecot-managesieved dovecot-lmtpd)"
done
lab_init
lab_certs

. "$top_srcdir/tests/lab/starttls_lab.sh"
stls_lab_start
stls_nntp_start
srv=$STLS_SRV

# --- the scan ----------------------------------------------------------------
db=$LAB_DIR/starttls.db
cat >"$LAB_DIR/targets" <<EOF
127.0.0.1:$P_SMTP starttls=smtp
127.0.0.1:$P_SUB starttls=smtp
127.0.0.1:$P_SMTPS starttls=smtps
127.0.0.1:$P_IMAP starttls=imap
127.0.0.1:$P_IMAPS starttls=imaps
127.0.0.1:$P_POP3 starttls=pop3
127.0.0.1:$P_POP3S starttls=pop3s
127.0.0.1:$P_SIEVE starttls=sieve
127.0.0.1:$P_FTP starttls=ftp
127.0.0.1:$P_LMTP starttls=lmtp
127.0.0.1:$P_NNTP starttls=nntp
EOF
t_run 0 "$TLSAUDIT" scan --db "$db" --offline --format json --timeout 5 -j 4 \
	--ca-file "$LAB_CA" -f "$LAB_DIR/targets" -o "$LAB_DIR/scan.json"
J=$LAB_DIR/scan.json
tq() { jq -r --arg p "$1" ".targets[] | select(.port == (\$p | tonumber)) | $2" "$J"; }
suites() { tq "$1" "[.enumeration.versions[] | select(.version == \"$2\") | .suites[].code] | sort | join(\",\")"; }
accepted() { tq "$1" '[.enumeration.versions[] | select(.state == "accepted") | .version] | join(",")'; }

# expect NAME PORT PROTO VERSIONS TLS12 TLS13: status ok, the protocol, the
# versions the enumeration accepts, the suites of TLS 1.2 and TLS 1.3, and
# a GnuTLS handshake completed behind the dialogue (TLS 1.2).
expect() {
	local name=$1 p=$2 proto=$3 versions=$4 s12=$5 s13=$6
	t_eq "$name: status, protocol" "ok $proto" "$(tq "$p" '"\(.status) \(.starttls)"')"
	t_eq "$name: versions the enumeration accepts" "$versions" "$(accepted "$p")"
	t_eq "$name: TLS 1.2 suites" "$s12" "$(suites "$p" "TLS 1.2")"
	t_eq "$name: TLS 1.3 suites" "$s13" "$(suites "$p" "TLS 1.3")"
	t_eq "$name: GnuTLS TLS 1.2 handshake behind it" "accepted" \
		"$(tq "$p" '.versions[] | select(.version == "TLS 1.2") | .state')"
	t_eq "$name: the chain was collected" "2" "$(tq "$p" '.certificates | length')"
}
PF12=0xC02F,0xC030
DV12=0xC02F,0xCCA8
expect "postfix smtp" "$P_SMTP" smtp "TLS 1.2" "$PF12" ""
expect "postfix submission" "$P_SUB" smtp "TLS 1.2" "$PF12" ""
expect "postfix smtps" "$P_SMTPS" smtps "TLS 1.2" "$PF12" ""
expect "dovecot imap" "$P_IMAP" imap "TLS 1.2,TLS 1.3" "$DV12" 0x1302
expect "dovecot imaps" "$P_IMAPS" imaps "TLS 1.2,TLS 1.3" "$DV12" 0x1302
expect "dovecot pop3" "$P_POP3" pop3 "TLS 1.2,TLS 1.3" "$DV12" 0x1302
expect "dovecot pop3s" "$P_POP3S" pop3s "TLS 1.2,TLS 1.3" "$DV12" 0x1302
expect "dovecot managesieve" "$P_SIEVE" sieve "TLS 1.2,TLS 1.3" "$DV12" 0x1302
expect "dovecot lmtp" "$P_LMTP" lmtp "TLS 1.2,TLS 1.3" "$DV12" 0x1301,0x1302,0x1303
expect "vsftpd ftp" "$P_FTP" ftp "TLS 1.2,TLS 1.3" 0x003C,0x009D 0x1301,0x1302,0x1303
expect "inn nnrpd nntp" "$P_NNTP" nntp "TLS 1.2" 0xC014,0xC077 ""

# The dialogues' facts, as each server is configured.
dlg() { tq "$1" '.starttls_dialogue | "\(.upgraded) \(.offered) \(.plaintext_auth)"'; }
row() { tq "$1" "[.probes[] | select(.id == \"$2\") | .state] | join(\",\")"; }
t_eq "postfix smtp: upgraded, offered, AUTH before STARTTLS" "true true true" "$(dlg "$P_SMTP")"
t_match "postfix smtp: AUTH mechanisms seen before TLS" "AUTH=PLAIN.*AUTH=LOGIN.*STARTTLS|STARTTLS.*AUTH=PLAIN" \
	"$(tq "$P_SMTP" '.starttls_dialogue.capabilities')"
t_eq "postfix smtp: plaintext_auth positive" "positive" "$(row "$P_SMTP" plaintext_auth)"
t_eq "postfix submission (smtpd_tls_auth_only): no AUTH before STARTTLS" "true true false" "$(dlg "$P_SUB")"
t_eq "postfix submission: plaintext_auth negative" "negative" "$(row "$P_SUB" plaintext_auth)"
t_eq "postfix smtps: direct TLS, no dialogue" "null not-applicable" \
	"$(tq "$P_SMTPS" '.starttls_dialogue') $(row "$P_SMTPS" starttls_missing)"
t_eq "dovecot imap: upgraded; logins offered on the trusted loopback" "true true true" "$(dlg "$P_IMAP")"
t_match "dovecot imap: greeting" "Dovecot" "$(tq "$P_IMAP" '.starttls_dialogue.banner')"
t_eq "dovecot pop3: upgraded, STLS, USER" "true true true" "$(dlg "$P_POP3")"
t_match "dovecot pop3: capabilities" "STLS USER" "$(tq "$P_POP3" '.starttls_dialogue.capabilities')"
t_eq "dovecot managesieve: upgraded" "true true true" "$(dlg "$P_SIEVE")"
t_eq "dovecot lmtp: LHLO, STARTTLS, no AUTH" "true true false negative" "$(dlg "$P_LMTP") $(row "$P_LMTP" plaintext_auth)"
t_eq "vsftpd: AUTH TLS accepted; logins not listed by FTP" "true true false could-not-test" \
	"$(dlg "$P_FTP") $(row "$P_FTP" plaintext_auth)"
t_eq "inn nntp: 382 go-ahead, STARTTLS listed, no plaintext login listed" "true true false negative" \
	"$(dlg "$P_NNTP") $(row "$P_NNTP" plaintext_auth)"
t_match "inn nntp: greeting" "InterNetNews NNRP server INN 2" "$(tq "$P_NNTP" '.starttls_dialogue.banner')"
t_eq "every STARTTLS target: starttls_missing negative" "negative negative negative negative negative negative negative negative" \
	"$(for p in $P_SMTP $P_SUB $P_IMAP $P_POP3 $P_SIEVE $P_FTP $P_LMTP $P_NNTP; do row "$p" starttls_missing; done | paste -sd' ' -)"

# CVE-2011-0411 class (starttls_injection): each server gets its upgrade
# command and a harmless one in one write; all three are patched, each in
# its own way. Postfix discards the pipelined bytes and completes TLS
# (nothing answered inside TLS); dovecot closes the connection before its
# ServerHello; vsftpd reads the bytes as TLS and fails ("500 OOPS") in
# plaintext; INN's nnrpd (fixed since CVE-2012-3523) completes TLS and
# answers nothing inside it. smtps (direct TLS) is not applicable.
inj() { tq "$1" '.probes[] | select(.id == "starttls_injection") | "\(.state) \(.detail)"'; }
for p in $P_SMTP $P_SUB; do
	t_match "postfix smtp $p: starttls_injection negative, TLS completed, nothing answered" \
		"^negative smtp: the command sent with STARTTLS was not answered inside TLS \(TLS 1.2: 0 bytes inside TLS" "$(inj "$p")"
done
t_match "postfix: the evidence says what was sent and the go-ahead" \
	'^sent in one write: STARTTLS\\r\\nNOOP\\r\\n; before TLS: 220 2.0.0 Ready to start TLS\\r\\n; inside TLS: $' \
	"$(tq "$P_SMTP" '.probes[] | select(.id == "starttls_injection") | .evidence')"
for x in "imap $P_IMAP" "pop3 $P_POP3" "sieve $P_SIEVE" "lmtp $P_LMTP"; do
	set -- $x
	t_match "dovecot $1: starttls_injection negative, closed before the ServerHello" \
		"^negative $1: the server would not carry the command sent with STARTTLS into TLS \(the handshake failed: the server closed the connection, before any ServerHello\)" \
		"$(inj "$2")"
done
# vsftpd reads the pipelined NOOP as the start of a TLS record and answers
# "500 OOPS" in plaintext; whether that arrives before our ClientHello is
# sent or during the handshake is a race, and both are the same negative.
t_match "vsftpd: starttls_injection negative, the bytes refused as TLS in plaintext" \
	"^negative ftp: (the server did not start TLS after the command sent with STARTTLS .*bytes after the server's go-ahead|the server would not carry the command sent with STARTTLS into TLS \(the handshake failed: .*before any ServerHello\))" "$(inj "$P_FTP")"
t_match "vsftpd: the evidence shows both commands in one write and the go-ahead" "sent in one write: AUTH TLS.*NOOP.*before TLS: 234 " \
	"$(tq "$P_FTP" '.probes[] | select(.id == "starttls_injection") | .evidence')"
t_match "inn nntp: starttls_injection negative, TLS completed, DATE not answered" \
	"^negative nntp: the command sent with STARTTLS was not answered inside TLS \\(TLS 1.2: 0 bytes inside TLS" "$(inj "$P_NNTP")"
t_eq "postfix smtps: starttls_injection not applicable (direct TLS)" \
	"not-applicable direct TLS: no plaintext dialogue" "$(inj "$P_SMTPS")"

# The wrong protocol on a real server: a clear error, never a hang.
t_run 3 "$TLSAUDIT" scan --db "$db" --offline --no-enumerate --format json --timeout 3 \
	--starttls pop3 "127.0.0.1:$P_IMAP"
t_match "imap server scanned as pop3: the greeting refused" \
	'pop3: greeting refused: \* OK' "$(jq -r '.targets[0].error' <<<"$T_OUT")"
# Direct TLS against a STARTTLS port: nothing accepted (the dialogue is
# what made the scans above work).
t_run 3 "$TLSAUDIT" scan --db "$db" --offline --no-enumerate --format json --timeout 3 \
	--starttls none "127.0.0.1:$P_SMTP"
t_eq "postfix smtp as direct TLS: no version accepted" "" \
	"$(jq -r '[.targets[0].versions[] | select(.state == "accepted") | .version] | join(",")' <<<"$T_OUT")"

# Stored and reported: the protocol in every format.
t_run 0 "$TLSAUDIT" report --db "$db" --scan 1 --format csv
t_eq "csv: the starttls column" "smtp" \
	"$(python3 -c 'import csv,sys; r=list(csv.DictReader(sys.stdin)); print(sorted({x["starttls"] for x in r if x["record"]=="target" and x["port"]==sys.argv[1]})[0])' "$P_SMTP" <<<"$T_OUT")"
t_run 0 "$TLSAUDIT" report --db "$db" --scan 1 --format junit
t_match "junit: the protocol in the suite name" "name=\"127.0.0.1:$P_IMAP \(imap\)\"" "$T_OUT"
t_run 0 "$TLSAUDIT" report --db "$db" --scan 1 --format text
t_match "text: the protocol and the dialogue" "127.0.0.1:$P_POP3 starttls=pop3  ok" "$T_OUT"
t_run 0 "$TLSAUDIT" history --db "$db" --format json "127.0.0.1:$P_SMTP"
t_eq "history: both protocols of the endpoint, each named" "smtp none" \
	"$(jq -r '[.scans[].starttls] | join(" ")' <<<"$T_OUT")"
t_run 0 "$TLSAUDIT" history --db "$db" --format json --starttls smtp "127.0.0.1:$P_SMTP"
t_eq "history --starttls smtp: only that one" "smtp" \
	"$(jq -r '[.scans[].starttls] | join(" ")' <<<"$T_OUT")"
t_done
