#!/usr/bin/env bash
# tests/integration/starttls_scripted.sh - the SMTP STARTTLS dialogue
# against the scripted server's failure modes (tests/scripted/
# mode_starttls.py: what no Debian mail server does on purpose): every
# probe runs after the dialogue (the enumeration finds exactly the
# configured suites behind it), a reply split at every byte changes
# nothing, and no STARTTLS capability, a refusal, an oversized line, TLS
# bytes before the reply and a greeting that never ends each become a
# stored target error with the reason and exit 3, never a hang; a greeting
# late on the first connection is retried once. The negative control: the
# same server scanned as direct TLS (--starttls none) accepts nothing.
# The injection probe (CVE-2011-0411 class): the inject mode keeps the
# plaintext sent with STARTTLS and answers it inside real TLS (positive,
# the PCI rule fails); purge, the same server discarding it, is negative.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/scripted.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }

db=$work/s.db
SUITES=0xC02F,0x009C,0x002F
# scan NAME WANT_EXIT ARGS...: scans 127.0.0.1:$PORT into $work/NAME.json.
scan() {
	local name=$1 want=$2
	shift 2
	t_run "$want" "$TLSAUDIT" scan --db "$db" --offline --format json --timeout 2 \
		--greeting-timeout 1 -o "$work/$name.json" "$@" "127.0.0.1:$PORT"
}
q() { jq -r "$2" "$work/$1.json"; }

# --- the server that upgrades: everything behind the dialogue ------------
scripted_start ok --starttls ok --versions tls1.2 --suites "$SUITES"
scan ok 0 --starttls smtp
t_eq "ok: status" "ok" "$(q ok '.targets[0].status')"
t_eq "ok: protocol stored and shown" "smtp" "$(q ok '.targets[0].starttls')"
t_eq "ok: dialogue upgraded, STARTTLS offered, AUTH before TLS" "true true true true" \
	"$(q ok '.targets[0].starttls_dialogue | "\(.upgraded) \(.offered) \(.capabilities_read) \(.plaintext_auth)"')"
t_eq "ok: capabilities seen before TLS" "AUTH=PLAIN AUTH=LOGIN STARTTLS" \
	"$(q ok '.targets[0].starttls_dialogue.capabilities')"
t_eq "ok: the enumeration behind the dialogue finds exactly the configured suites" \
	"0xC02F,0x009C,0x002F" \
	"$(q ok '[.targets[0].enumeration.versions[] | select(.version == "TLS 1.2") | .suites[].code] | join(",")')"
t_eq "ok: no other version accepted by the enumeration" "TLS 1.2" \
	"$(q ok '[.targets[0].enumeration.versions[] | select(.state == "accepted") | .version] | join(",")')"
t_eq "ok: the GnuTLS handshake behind the dialogue" "accepted" \
	"$(q ok '.targets[0].versions[] | select(.version == "TLS 1.2") | .state')"
t_eq "ok: probe rows" "starttls_missing=negative plaintext_auth=positive" \
	"$(q ok '[.targets[0].probes[] | select(.id == "starttls_missing" or .id == "plaintext_auth") | "\(.id)=\(.state)"] | join(" ")')"
t_run 0 "$TLSAUDIT" report --db "$db" --format text
t_match "ok: the text report names the protocol" "127.0.0.1:$PORT \[?.*starttls=smtp  ok" "$T_OUT"
t_match "ok: the text report shows the dialogue" "STARTTLS offered and accepted; before TLS: AUTH=PLAIN" "$T_OUT"

# the policy: AUTH before STARTTLS fails pci-no-plaintext-auth (medium),
# STARTTLS offered passes pci-starttls-offered
t_run 1 "$TLSAUDIT" check --db "$db" --latest --policy pci-dss-4.0 --fail-on medium --format json
t_eq "ok: pci-no-plaintext-auth fails, pci-starttls-offered passes" "fail pass" \
	"$(jq -r '[.targets[0].policies[0].findings[] | select(.rule_id == "pci-no-plaintext-auth" or .rule_id == "pci-starttls-offered")] | sort_by(.rule_id) | map(.verdict) | join(" ")' <<<"$T_OUT")"
t_match "ok: the finding's evidence names the probe" "plaintext_auth: positive: smtp: a plaintext login is offered before TLS" \
	"$(jq -r '.targets[0].policies[0].findings[] | select(.rule_id == "pci-no-plaintext-auth") | .evidence' <<<"$T_OUT")"

# auto by port does not pick smtp for an ephemeral port: direct TLS finds
# nothing (the negative control: the dialogue is what makes it work)
scan direct 3 --starttls none --no-enumerate
t_eq "direct TLS on the SMTP server: no version accepted" "" \
	"$(q direct '[.targets[0].versions[] | select(.state == "accepted") | .version] | join(",")')"
t_eq "direct TLS: no dialogue stored" "none null" "$(q direct '.targets[0] | "\(.starttls) \(.starttls_dialogue)"')"

# --- every reply split into single bytes: the same outcome ---------------
scripted_start split --starttls split --versions tls1.2 --suites "$SUITES"
scan split 0 --starttls smtp
t_eq "split: the same dialogue facts as unsplit" \
	"$(q ok '.targets[0].starttls_dialogue | del(.banner)')" "$(q split '.targets[0].starttls_dialogue | del(.banner)')"
t_eq "split: the same suites" "0xC02F,0x009C,0x002F" \
	"$(q split '[.targets[0].enumeration.versions[] | select(.version == "TLS 1.2") | .suites[].code] | join(",")')"

# --- failures: a stored error with the reason, exit 3 ----------------------
# fails MODE REASON_REGEX STATUS: the scan of that mode's server.
fails() {
	local mode=$1 want=$2 status=$3
	scripted_start "$mode" --starttls "$mode" --versions tls1.2 --suites "$SUITES"
	scan "$mode" 3 --starttls smtp --no-enumerate
	t_eq "$mode: target status" "$status" "$(q "$mode" '.targets[0].status')"
	t_match "$mode: the reason" "$want" "$(q "$mode" '.targets[0].error')"
	t_eq "$mode: no version tested as accepted" "" \
		"$(q "$mode" '[.targets[0].versions[] | select(.state == "accepted")] | map(.version) | join(",")')"
}
fails no-starttls '^smtp: server does not offer STARTTLS$' error
t_eq "no-starttls: the finding's facts" "false true true false" \
	"$(q no-starttls '.targets[0].starttls_dialogue | "\(.offered) \(.capabilities_read) \(.plaintext_auth) \(.upgraded)"')"
t_eq "no-starttls: starttls_missing is positive" "positive" \
	"$(q no-starttls '.targets[0].probes[] | select(.id == "starttls_missing") | .state')"
fails refuse '^smtp: STARTTLS refused: 454 4.7.0 TLS not available due to local problem$' error
fails oversized '^smtp: line longer than 4096 bytes$' error
fails tls-early "^smtp: 7 bytes after the server's go-ahead, before TLS$" error
fails endless '^smtp dialogue: timed out waiting for the server$' unreachable
t_eq "endless: the dialogue could not be tested" "could-not-test" \
	"$(q endless '.targets[0].starttls_dialogue.state')"
# stored as reported: each failure a target row with its reason and its dialogue row
command -v sqlite3 >/dev/null || { echo "the sqlite3 shell is needed" >&2; exit 99; }
t_eq "every failure stored with its reason and its dialogue" "5" \
	"$(sqlite3 "$db" "SELECT count(*) FROM targets t JOIN starttls_dialogues d ON d.target_id = t.id
		WHERE t.starttls = 'smtp' AND t.status != 'ok' AND t.error IS NOT NULL AND t.error != ''")"
t_eq "the refusal stored as the dialogue's failure" "smtp: STARTTLS refused: 454 4.7.0 TLS not available due to local problem" \
	"$(sqlite3 "$db" "SELECT d.failure FROM starttls_dialogues d JOIN targets t ON t.id = d.target_id
		WHERE t.error LIKE '%refused: 454%'")"

# --- a greeting late on the first connection: one retry ------------------
scripted_start late --starttls late-first --versions tls1.2 --suites "$SUITES"
scan late 0 --starttls smtp --no-enumerate
t_eq "late greeting: retried and upgraded" "ok true" \
	"$(q late '.targets[0] | "\(.status) \(.starttls_dialogue.upgraded)"')"

# --- CVE-2011-0411: a command pipelined with STARTTLS ----------------------
# The scripted TLS does no cryptography, so behind the ok server the
# injection probe's handshake cannot complete: could-not-test, never a
# negative without an answer.
t_eq "ok: starttls_injection could not be tested (no real TLS behind it)" "could-not-test" \
	"$(q ok '.targets[0].probes[] | select(.id == "starttls_injection") | .state')"
# inject keeps the plaintext after STARTTLS and answers it inside real TLS
# (Python's ssl); purge is the same server discarding it (the fix).
command -v openssl >/dev/null || { echo "openssl is needed" >&2; exit 99; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=scripted.lab.test -keyout "$work/inj.key" -out "$work/inj.pem" 2>/dev/null
KP=$work/inj.pem,$work/inj.key
inj() { q "$1" '.targets[0].probes[] | select(.id == "starttls_injection") | "\(.state)|\(.version)|\(.detail)|\(.evidence)"'; }
scripted_start inject --starttls inject --starttls-keypair "$KP"
scan inject 0 --starttls smtp --no-enumerate
t_eq "inject: the GnuTLS handshakes behind the dialogue (real TLS)" "ok accepted" \
	"$(q inject '.targets[0] | "\(.status) \(.versions[] | select(.version == "TLS 1.3") | .state)"')"
IFS='|' read -r st ver det ev <<<"$(inj inject)"
t_eq "inject: starttls_injection positive, on the newest version" "positive TLS 1.3" "$st $ver"
t_match "inject: the detail names the class" "smtp: the server answered, inside TLS, a command sent in plaintext with its STARTTLS \(CVE-2011-0411 class\)" "$det"
t_eq "inject: the evidence: what was sent, the go-ahead, the answer inside TLS" \
	'sent in one write: STARTTLS\r\nNOOP\r\n; before TLS: 220 2.0.0 Ready to start TLS\r\n; inside TLS: 250 2.0.0 Ok\r\n' "$ev"
t_run 1 "$TLSAUDIT" check --db "$db" --latest --policy pci-dss-4.0 --fail-on high --format json
t_eq "inject: pci-asv-starttls-injection fails (high)" "fail high" \
	"$(jq -r '.targets[0].policies[0].findings[] | select(.rule_id == "pci-asv-starttls-injection") | "\(.verdict) \(.severity)"' <<<"$T_OUT")"
scan inject-ids 0 --starttls smtp --no-enumerate --ids-friendly
t_eq "inject: --ids-friendly still runs it (a STARTTLS and a NOOP)" "positive" "$(inj inject-ids | cut -d'|' -f1)"
scan inject-novulns 0 --starttls smtp --no-enumerate --no-vulns
t_match "inject: --no-vulns leaves it out, saying so" '^not-run\|.*--no-vulns' "$(inj inject-novulns)"
# (exit 1: the self-signed test certificate fails rules of its own)
t_run 1 "$TLSAUDIT" check --db "$db" --latest --policy pci-dss-4.0 --fail-on high --format json
t_eq "inject under --no-vulns: the rule is inconclusive, not a pass" "inconclusive" \
	"$(jq -r '.targets[0].policies[0].findings[] | select(.rule_id == "pci-asv-starttls-injection") | .verdict' <<<"$T_OUT")"
scripted_start purge --starttls purge --starttls-keypair "$KP"
scan purge 0 --starttls smtp --no-enumerate
IFS='|' read -r st ver det ev <<<"$(inj purge)"
t_eq "purge: the same server discarding the plaintext: negative" "negative TLS 1.3" "$st $ver"
t_match "purge: nothing answered inside TLS" "not answered inside TLS \(TLS 1.3: 0 bytes inside TLS within 2000 ms\)" "$det"

# --- targets file: starttls= and its errors --------------------------------
printf '127.0.0.1:%s starttls=smtp\n' "$PORT" >"$work/t.txt"
t_run 0 "$TLSAUDIT" scan --db "$db" --offline --no-enumerate --format json --timeout 2 -f "$work/t.txt"
t_eq "targets file: starttls=smtp used" "smtp ok" "$(jq -r '.targets[0] | "\(.starttls) \(.status)"' <<<"$T_OUT")"
printf '127.0.0.1:25\n127.0.0.1:%s starttls=smtpx\n' "$PORT" >"$work/bad.txt"
t_run 2 "$TLSAUDIT" scan --db "$db" -f "$work/bad.txt"
t_match "targets file: an unknown protocol names file, line and the names" \
	"bad.txt:2: unknown starttls protocol 'smtpx' \(expected one of: auto, none, .*smtp" "$T_ERR"
t_run 2 "$TLSAUDIT" scan --db "$db" --starttls bogus 127.0.0.1:1
t_match "--starttls: an unknown protocol is named" "--starttls: unknown protocol 'bogus'" "$T_ERR"
t_done
