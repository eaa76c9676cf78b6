#!/usr/bin/env bash
# tests/integration/grade.sh - the approximate SSL Labs-style grade
# (common/model/grade.c) of real lab servers configured to hit different
# grades, in every format that shows it:
#
# - nginx, TLS 1.2/1.3, ECDHE AEAD only in its own order, with HSTS of a year
#   (--hsts): A+, no cap; the same nginx without the header: A, only
#   plus_hsts ("no HSTS header").
# - openssl s_server at @SECLEVEL=0 with TLS 1.0 and 1.1 enabled: B,
#   capped by tls10_tls11 and by nothing worse.
# - gnutls-serv offering only 3DES and RC4 (TLS 1.0 and 1.2): C, by
#   block64_modern (3DES is what a TLS 1.2 client gets), with rc4 (B: a
#   client picks 3DES over it), no_forward_secrecy, no_aead.
# - the lab's self-signed s_server: T (trust_ignored kept), self_signed;
#   the expired one: T, expired; the wrong-host one: M, name_mismatch.
# - no blanket cap for STARTTLS: the scripted server with the same suites
#   and certificate, once behind SMTP STARTTLS and once as direct TLS, gets
#   the same caps but plus_hsts, which only the direct-TLS one is asked for.
# - the text, CSV, Markdown, JUnit and HTML reports of the scan carry the
#   same grades; `history` lists the grade of each scan of an endpoint.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/scripted.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }

lab_init
lab_certs >/dev/null
c=$LAB_CERTS
db=$LAB_DIR/grade.db

port=$(lab_free_port)
_lab_nginx modern-hsts "$port" modern12 'TLSv1.2 TLSv1.3' "$LAB_NGINX_MODERN_CIPHERS" \
	'ssl_ecdh_curve X25519:prime256v1:secp384r1; add_header Strict-Transport-Security "max-age=31536000" always;'
t_hsts="127.0.0.1:$port sni=modern12.lab.test"
lab_start modern12 >/dev/null
t_nohsts=$(lab_target modern12)

port=$(lab_free_port)
_lab_s_server good-rsa "$port" -min_protocol TLSv1 -cipher 'DEFAULT:@SECLEVEL=0'
t_tls10="127.0.0.1:$port sni=good-rsa.lab.test"

port=$(lab_free_port)
_lab_gnutls weak-ciphers "$port" gnutls-legacy \
	'NONE:+VERS-TLS1.2:+VERS-TLS1.0:+3DES-CBC:+ARCFOUR-128:+SHA1:+RSA:+COMP-NULL:+SIGN-ALL:+CURVE-ALL'
t_weak="127.0.0.1:$port sni=gnutls-legacy.lab.test"

for n in selfsigned expired wronghost; do lab_start "$n" >/dev/null; done
printf '%s\n' "$t_hsts" "$t_nohsts" "$t_tls10" "$t_weak" "$(lab_target selfsigned)" \
	"$(lab_target expired)" "$(lab_target wronghost)" >"$LAB_DIR/targets"

json=$LAB_DIR/scan.json
t_run 0 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 5 --hsts -j 4 \
	-f "$LAB_DIR/targets" --format json -o "$json"
t_eq "seven targets scanned" 7 "$(jq '[.targets[] | select(.status == "ok")] | length' "$json")"

# g SNI JQ: JQ over the grade of the target with that SNI and port.
g() { jq -r --arg t "$1" ".targets[] | select(\"\(.ip):\(.port) sni=\(.sni)\" == \$t) | .grade | $2" "$json"; }
caps() { g "$1" '[.caps[] | "\(.cap):\(.id)"] | join(" ")'; }

t_eq "every grade is labelled approximate" \
	"approximate (SSL Labs rating guide 2009 + later caps)" \
	"$(jq -r '[.targets[].grade.label] | unique | join("|")' "$json")"

t_eq "nginx modern + HSTS: A+" "A+" "$(g "$t_hsts" .grade)"
t_eq "nginx modern + HSTS: no cap" "" "$(caps "$t_hsts")"
t_eq "nginx modern + HSTS: score 93 = 100 / 90 / 90" "93 100 90 90" \
	"$(g "$t_hsts" '"\(.score) \(.protocol) \(.key_exchange) \(.cipher)"')"
t_eq "nginx modern, no HSTS header: A" "A" "$(g "$t_nohsts" .grade)"
t_eq "nginx modern, no HSTS header: only plus_hsts" "A:plus_hsts" "$(caps "$t_nohsts")"
t_eq "nginx modern, no HSTS header: the evidence says so" "no HSTS header" \
	"$(g "$t_nohsts" '.caps[0].evidence')"

t_eq "s_server TLS 1.0: B" "B" "$(g "$t_tls10" .grade)"
t_match "s_server TLS 1.0: capped by tls10_tls11" '(^| )B:tls10_tls11( |$)' "$(caps "$t_tls10")"
t_match "s_server TLS 1.0: the evidence names the versions" 'TLS 1\.0 TLS 1\.1' \
	"$(g "$t_tls10" '.caps[] | select(.id == "tls10_tls11") | .evidence')"
t_eq "s_server TLS 1.0: no cap below B" "" \
	"$(g "$t_tls10" '[.caps[] | select(.cap | IN("C", "D", "E", "F", "T", "M"))] | map(.id) | join(" ")')"

t_eq "gnutls-serv 3DES + RC4: C" "C" "$(g "$t_weak" .grade)"
for want in C:block64_modern B:rc4 B:no_forward_secrecy B:no_aead B:tls10_tls11; do
	t_match "gnutls-serv 3DES + RC4: $want" "(^| )$want( |$)" "$(caps "$t_weak")"
done
t_eq "gnutls-serv 3DES + RC4: not rc4_modern (a TLS 1.2 client gets 3DES)" "" \
	"$(g "$t_weak" '[.caps[] | select(.id == "rc4_modern" or .id == "rc4_only")] | map(.evidence) | join(" ")')"

ss=$(lab_target selfsigned)
t_eq "self-signed: T" "T" "$(g "$ss" .grade)"
t_match "self-signed: self_signed cap" '(^| )T:self_signed( |$)' "$(caps "$ss")"
t_eq "self-signed: trust ignored, A (no HSTS header)" "A" "$(g "$ss" .trust_ignored)"
ex=$(lab_target expired)
t_eq "expired: T" "T" "$(g "$ex" .grade)"
t_match "expired: expired cap" '(^| )T:expired( |$)' "$(caps "$ex")"
wh=$(lab_target wronghost)
t_eq "wrong host: M" "M" "$(g "$wh" .grade)"
t_match "wrong host: name_mismatch cap" '(^| )M:name_mismatch( |$)' "$(caps "$wh")"

# --- STARTTLS: no cap for being one ----------------------------------------------------
scripted_start smtp --starttls ok --versions tls1.2 --suites 0xC02F,0xC030
p_smtp=$PORT
scripted_start direct --versions tls1.2 --suites 0xC02F,0xC030
p_direct=$PORT
t_run 0 "$TLSAUDIT" scan --db "$LAB_DIR/stls.db" --offline --timeout 5 --greeting-timeout 2 \
	--format json -o "$LAB_DIR/stls.json" "127.0.0.1:$p_smtp" --starttls smtp
t_run 0 "$TLSAUDIT" scan --db "$LAB_DIR/stls.db" --offline --timeout 5 --format json \
	-o "$LAB_DIR/direct.json" "127.0.0.1:$p_direct"
sc() { jq -r '.targets[0].grade | [.caps[] | "\(.cap):\(.id)"] | join(" ")' "$1"; }
t_eq "smtp: graded behind the dialogue" "smtp true" \
	"$(jq -r '.targets[0] | "\(.starttls) \(.grade.graded)"' "$LAB_DIR/stls.json")"
t_match "direct TLS: plus_hsts asked for" '(^| )A:plus_hsts( |$)' "$(sc "$LAB_DIR/direct.json")"
t_eq "smtp: the direct-TLS caps but plus_hsts, and nothing else" \
	"$(sc "$LAB_DIR/direct.json" | tr ' ' '\n' | grep -v '^A:plus_hsts$' | tr '\n' ' ')" \
	"$(sc "$LAB_DIR/stls.json" | tr ' ' '\n' | tr '\n' ' ')"
t_eq "smtp: the same score as direct TLS" \
	"$(jq -r '.targets[0].grade.score' "$LAB_DIR/direct.json")" \
	"$(jq -r '.targets[0].grade.score' "$LAB_DIR/stls.json")"

# --- the other formats of the same scan -----------------------------------------------
t_run 0 "$TLSAUDIT" report --db "$db" --latest --format text
t_match "text: the B target's Grade line" 'Grade    B, score [0-9]+: protocol' "$T_OUT"
t_match "text: its cap line" 'capped at B: TLS 1\.0 or TLS 1\.1 is accepted' "$T_OUT"
t_match "text: labelled approximate" 'approximate \(SSL Labs rating guide 2009 \+ later caps\)' "$T_OUT"
t_run 0 "$TLSAUDIT" report --db "$db" --latest --format csv
t_eq "csv: one grade_cap row per cap of the JSON" \
	"$(jq '[.targets[].grade.caps[]] | length' "$json")" \
	"$(printf '%s\n' "$T_OUT" | grep -c '^"grade_cap",')"
t_match "csv: the C target's row carries its grade" '"ok",.*"C","[0-9]+","approximate' \
	"$(printf '%s\n' "$T_OUT" | grep '^"target",' | grep gnutls-legacy)"
t_run 0 "$TLSAUDIT" report --db "$db" --latest --format markdown
t_match "markdown: the grades section" '### Grades, approximate' "$T_OUT"
t_match "markdown: the M target" '\*\*M \(A(\+)? if the name matched\)\*\*' "$T_OUT"
t_run 0 "$TLSAUDIT" report --db "$db" --latest --format junit
t_match "junit: a grade property" '<property name="grade" value="A\+; approximate' "$T_OUT"
t_run 0 "$TLSAUDIT" report --db "$db" --latest --format html
t_match "html: a Grade block with a cap" '<td class="mono">block64_modern</td>' "$T_OUT"
t_match "html: the summary's grade column" '<th>Grade \(approximate\)</th>' "$T_OUT"
t_match "html: the C badge in the summary" '<td><span class="badge v-warn">C</span></td>' "$T_OUT"

# --- history: the grade of each scan -------------------------------------------------------
echo "$t_tls10" >"$LAB_DIR/one"
t_run 0 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 5 --offline -f "$LAB_DIR/one" \
	--quiet
hp=${t_tls10#127.0.0.1:}
hp=${hp%% *}
t_run 0 "$TLSAUDIT" history --db "$db" "127.0.0.1:$hp" --format json
t_eq "history: two scans, each with its grade" "B B" \
	"$(printf '%s' "$T_OUT" | jq -r '[.scans[].grade.grade] | join(" ")')"
t_run 0 "$TLSAUDIT" history --db "$db" "127.0.0.1:$hp"
t_eq "history text: grade B on both rows" 2 "$(printf '%s\n' "$T_OUT" | grep -c '  grade B  ')"

lab_stop_all
t_done
