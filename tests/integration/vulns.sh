#!/usr/bin/env bash
# tests/integration/vulns.sh - the derived vulnerability probes
# (scanner/probes/vulns_derived.c: facts the enumeration collected, no new
# connection) against real servers, and their pci-dss-4.0 rules
# (pci-asv-*, `probe` checks): the lab's legacy (nginx, TLS 1.0-1.2 with
# CBC and 1024-bit DHE) and gnutls-legacy (3DES, RC4) give the positives
# their configuration implies, good-rsa and tls13-only the negatives, and
# the scripted server of the 1990s (SSLv2, SSLv3 CBC, EXPORT, NULL, anon)
# the POODLE, FREAK, Logjam and DROWN positives. check fails the new rules
# on the positive servers and passes them on good-rsa.
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
db=$work/vulns.db

# scan NAME TARGET ARGS...: scans TARGET (a targets-file line) alone; its
# JSON in $work/NAME.json, its scan id in $work/NAME.id.
scan() {
	local name=$1
	printf '%s\n' "$2" >"$work/$name.targets"
	shift 2
	"$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 5 --offline --format json "$@" \
		-f "$work/$name.targets" >"$work/$name.json" || true
	sqlite3 "$db" 'SELECT max(id) FROM scans' >"$work/$name.id"
}

# states NAME: "id=state" of every vulnerability probe row of NAME's scan,
# sorted (the STARTTLS rows, not-applicable on these direct-TLS targets,
# are not vulnerability checks).
states() {
	jq -r '[.targets[0].probes[] | select(.id != "starttls_missing" and .id != "plaintext_auth")
		| "\(.id)=\(.state)"] | sort | join(" ")' "$work/$name.json"
}

# want NAME PROBE STATE: the row of PROBE in NAME's scan has STATE.
want() {
	t_eq "$1: $2 is $3" "$3" \
		"$(jq -r --arg p "$2" '[.targets[0].probes[] | select(.id == $p) | .state] | join(",")' \
			"$work/$1.json")"
}

# rule NAME RULE VERDICT: pci-dss-4.0's RULE on NAME's stored scan.
rule() {
	t_eq "$1: pci-dss-4.0 $2 is $3" "$3" \
		"$(jq -r --arg r "$2" '.targets[0].policies[].findings[] | select(.rule_id == $r) | .verdict' \
			"$work/$1.check")"
}
check() {
	"$TLSAUDIT" check --db "$db" --scan "$(cat "$work/$1.id")" --policy pci-dss-4.0 --format json \
		>"$work/$1.check" || true
}

for s in legacy gnutls-legacy good-rsa tls13-only; do
	lab_start "$s" >/dev/null
	scan "$s" "$(lab_target "$s")"
done
args=(--versions ssl2,ssl3,tls1.0 --order server --dh-bits 1024
	--suites 0x0004,0x0005,0x0003,0x0009,0x0014,0x0001,0x0002,0x0018,0x000A,0x0006,0x0008,0x0007
	--ssl2-ciphers 0x010080,0x020080,0x030080,0x040080,0x060040,0x0700C0)
scripted_start old "${args[@]}"
scan old "127.0.0.1:$PORT"
# The same server's facts without the enumeration: every row could-not-test.
scan noenum "127.0.0.1:$PORT" --no-enumerate
lab_stop_all >/dev/null 2>&1 || true

all="poodle beast sweet32 freak logjam rc4 null_anon lucky13 drown_sslv2"
# legacy: nginx TLS 1.0-1.2 with CBC suites, 1024-bit DHE (not under 1024);
# HIGH:!aNULL has no 3DES in OpenSSL 3, so no SWEET32.
want legacy beast positive
want legacy lucky13 info
for p in poodle sweet32 freak logjam rc4 null_anon drown_sslv2; do want legacy $p negative; done
t_match "legacy: beast evidence names TLS 1.0 CBC suites" 'TLS 1\.0: .*CBC' \
	"$(jq -r '.targets[0].probes[] | select(.id == "beast") | .evidence' "$work/legacy.json")"
t_match "legacy: beast evidence says the server's first choice" "first choice under TLS 1.0|not known" \
	"$(jq -r '.targets[0].probes[] | select(.id == "beast") | .evidence' "$work/legacy.json")"
# gnutls-legacy: 3DES and RC4.
for p in sweet32 rc4; do want gnutls-legacy $p positive; done
want gnutls-legacy lucky13 info
t_match "gnutls-legacy: rc4 cites its CVEs" 'CVE-2013-2566' \
	"$(jq -r '.targets[0].probes[] | select(.id == "rc4") | .detail' "$work/gnutls-legacy.json")"
# Modern servers: nothing, each decided; good-rsa (OpenSSL's defaults)
# still has AES-CBC under TLS 1.2, which lucky13 reports as information.
for p in $all; do want tls13-only "$p" negative; done
for p in poodle beast sweet32 freak logjam rc4 null_anon drown_sslv2; do want good-rsa "$p" negative; done
want good-rsa lucky13 info
# The scripted server of the 1990s: every positive it implies.
for p in poodle beast sweet32 freak logjam rc4 null_anon drown_sslv2; do want old "$p" positive; done
want old lucky13 info
t_match "old: freak evidence names an RSA EXPORT suite" 'SSL 3.0: .*RSA_EXPORT' \
	"$(jq -r '.targets[0].probes[] | select(.id == "freak") | .evidence' "$work/old.json")"
t_eq "noenum: every row could-not-test" \
	"$(for p in $all; do echo "$p=could-not-test"; done | sort | paste -sd' ')" "$(name=noenum states)"

# The policy: the rules fail where the probes are positive, pass on good-rsa.
for s in legacy gnutls-legacy good-rsa old noenum; do check "$s"; done
rule legacy pci-asv-beast fail
for r in pci-asv-poodle pci-asv-sweet32 pci-asv-rc4 pci-asv-drown; do rule legacy $r pass; done
for r in pci-asv-sweet32 pci-asv-rc4; do rule gnutls-legacy $r fail; done
for r in poodle beast sweet32 freak logjam rc4 null-anon drown; do
	rule good-rsa "pci-asv-$r" pass
	rule old "pci-asv-$r" fail
	rule noenum "pci-asv-$r" inconclusive
done
t_eq "old: the new rules fail at the default gate (high)" high \
	"$(jq -r '[.targets[0].policies[].findings[] | select(.rule_id == "pci-asv-drown") | .severity] | join(",")' "$work/old.check")"
t_run 1 "$TLSAUDIT" check --db "$db" --scan "$(cat "$work/old.id")" --policy pci-dss-4.0
t_done
