#!/usr/bin/env bash
# tests/integration/vulns_hello.sh - the extra-ClientHello probes
# (scanner/probes/hello_conv.c: compression, fallback_scsv,
# grease_intolerance, version_intolerance, long_hello_intolerance) against
# real servers and the scripted one, and their pci-dss-4.0 rules.
#
# Negatives on real servers: OpenSSL s_server (good-rsa: TLS 1.2-1.3),
# gnutls-serv (gnutls-13: TLS 1.2-1.3) and nginx (legacy: TLS 1.0-1.2)
# honour TLS_FALLBACK_SCSV, never pick compression and tolerate GREASE, an
# unknown version and a long hello; tls13-only has neither compression nor
# a lower version (not-applicable). Positives from the scripted server,
# each configured with one behaviour (tests/scripted/mode_hello.py) and
# found exactly: DEFLATE picked, SCSV ignored (its default), GREASE,
# version (TLS 1.3 and TLS 1.2 servers) and long-hello intolerance. Under
# --no-vulns every row is not-run, under --no-enumerate could-not-test.
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
db=$work/hello.db
all="compression fallback_scsv grease_intolerance version_intolerance long_hello_intolerance"

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

# field NAME PROBE FIELD: FIELD of PROBE's rows in NAME's scan.
field() {
	jq -r --arg p "$2" --arg f "$3" '[.targets[0].probes[] | select(.id == $p) | .[$f]] | join(",")' \
		"$work/$1.json"
}

# want NAME PROBE STATE: the row of PROBE in NAME's scan has STATE (exactly one row).
want() {
	t_eq "$1: $2 is $3" "$3" "$(field "$1" "$2" state)"
}

# only NAME PROBE: PROBE is positive in NAME's scan, every other probe of the set negative.
only() {
	local p
	for p in $all; do
		if [ "$p" = "$2" ]; then want "$1" "$p" positive; else want "$1" "$p" negative; fi
	done
}

rule() {
	t_eq "$1: pci-dss-4.0 $2 is $3" "$3" \
		"$(jq -r --arg r "$2" '.targets[0].policies[].findings[] | select(.rule_id == $r) | .verdict' \
			"$work/$1.check")"
}
check() {
	"$TLSAUDIT" check --db "$db" --scan "$(cat "$work/$1.id")" --policy pci-dss-4.0 --format json \
		>"$work/$1.check" || true
}

# Real servers.
for s in good-rsa gnutls-13 legacy tls13-only; do
	lab_start "$s" >/dev/null
	scan "$s" "$(lab_target "$s")"
done
scan novulns "$(lab_target good-rsa)" --no-vulns
lab_stop_all >/dev/null 2>&1 || true

for s in good-rsa gnutls-13 legacy; do
	for p in $all; do want "$s" "$p" negative; done
done
t_match "good-rsa: fallback_scsv evidence says what was sent and what came back" \
	'^sent: a TLS 1\.2 ClientHello with TLS_FALLBACK_SCSV .*TLS 1\.3; got: alert inappropriate_fallback\(86\)$' \
	"$(field good-rsa fallback_scsv evidence)"
t_eq "good-rsa: fallback_scsv is about TLS 1.2" "TLS 1.2" "$(field good-rsa fallback_scsv version)"
t_match "legacy: fallback_scsv falls back to TLS 1.1" 'a TLS 1\.1 ClientHello' \
	"$(field legacy fallback_scsv evidence)"
t_match "gnutls-13: compression evidence names the method byte" 'got: ServerHello .*compression 0$' \
	"$(field gnutls-13 compression evidence)"
t_match "good-rsa: version_intolerance offered the unknown version" 'supported_versions 0x0305' \
	"$(field good-rsa version_intolerance evidence)"
t_match "legacy: version_intolerance sent legacy_version 0x0304" 'legacy_version 0x0304.*got: ServerHello version 0x0303' \
	"$(field legacy version_intolerance evidence)"
want tls13-only compression not-applicable
want tls13-only fallback_scsv not-applicable
t_match "tls13-only: fallback_scsv says why" 'only TLS 1\.3 accepted' "$(field tls13-only fallback_scsv detail)"
for p in grease_intolerance version_intolerance long_hello_intolerance; do want tls13-only "$p" negative; done
for p in $all; do want novulns "$p" not-run; done

# The scripted server, one behaviour per configuration.
base=(--suites 0x002F,0xC02F,0x0035)
scripted_start deflate --versions tls1.0,tls1.1,tls1.2 "${base[@]}" --compression deflate --fallback-scsv
scan deflate "127.0.0.1:$PORT"
scan noenum "127.0.0.1:$PORT" --no-enumerate
scripted_start noscsv --versions tls1.0,tls1.1,tls1.2 "${base[@]}"
scan noscsv "127.0.0.1:$PORT"
scripted_start grease --versions tls1.0,tls1.1,tls1.2 "${base[@]}" --fallback-scsv --intolerant grease
scan grease "127.0.0.1:$PORT"
scripted_start version13 --versions tls1.2,tls1.3 --suites 0x1301,0x1302,0xC02F,0x002F \
	--fallback-scsv --intolerant version
scan version13 "127.0.0.1:$PORT"
scripted_start version12 --versions tls1.0,tls1.1,tls1.2 "${base[@]}" --fallback-scsv --intolerant version
scan version12 "127.0.0.1:$PORT"
scripted_start long --versions tls1.2 "${base[@]}" --intolerant long
scan long "127.0.0.1:$PORT"

only deflate compression
t_match "deflate: evidence names the DEFLATE byte" 'DEFLATE\(1\), null\(0\).*got: ServerHello .*compression 1$' \
	"$(field deflate compression evidence)"
t_match "deflate: detail cites CRIME" 'CVE-2012-4929' "$(field deflate compression detail)"
only noscsv fallback_scsv
t_match "noscsv: evidence shows the ServerHello to the SCSV hello" \
	'TLS_FALLBACK_SCSV .*got: ServerHello version 0x0302 \(TLS 1\.1\)' "$(field noscsv fallback_scsv evidence)"
only grease grease_intolerance
t_match "grease: evidence shows the alert" 'got: alert handshake_failure\(40\)' \
	"$(field grease grease_intolerance evidence)"
only version13 version_intolerance
only version12 version_intolerance
t_match "version12: the legacy_version hello was refused" 'legacy_version 0x0304.*protocol_version\(70\)' \
	"$(field version12 version_intolerance evidence)"
want long long_hello_intolerance positive
want long fallback_scsv not-applicable
for p in compression grease_intolerance version_intolerance; do want long "$p" negative; done
t_match "long: evidence shows the close" 'padded to 1024 bytes.*got: the connection closed without a byte' \
	"$(field long long_hello_intolerance evidence)"
for p in $all; do want noenum "$p" could-not-test; done
t_eq "noenum: the reason" "the enumeration did not run" "$(field noenum compression detail)"

# The policy: CRIME fails at high, a missing SCSV at medium, intolerance at info.
for s in good-rsa deflate noscsv grease noenum tls13-only; do check "$s"; done
rule good-rsa pci-asv-crime pass
rule good-rsa pci-fallback-scsv pass
rule good-rsa pci-info-grease-tolerance pass
rule deflate pci-asv-crime fail
rule noscsv pci-fallback-scsv fail
rule noscsv pci-asv-crime pass
rule grease pci-info-grease-tolerance fail
rule noenum pci-asv-crime inconclusive
rule tls13-only pci-asv-crime pass
rule tls13-only pci-fallback-scsv pass
t_eq "deflate: pci-asv-crime is high" high \
	"$(jq -r '[.targets[0].policies[].findings[] | select(.rule_id == "pci-asv-crime") | .severity] | join(",")' "$work/deflate.check")"
t_run 1 "$TLSAUDIT" check --db "$db" --scan "$(cat "$work/deflate.id")" --policy pci-dss-4.0
# A missing SCSV is medium, GREASE intolerance info: below the default gate.
t_eq "noscsv: pci-fallback-scsv is medium" medium \
	"$(jq -r '[.targets[0].policies[].findings[] | select(.rule_id == "pci-fallback-scsv") | .severity] | join(",")' "$work/noscsv.check")"
t_eq "grease: pci-info-grease-tolerance is info" info \
	"$(jq -r '[.targets[0].policies[].findings[] | select(.rule_id == "pci-info-grease-tolerance") | .severity] | join(",")' "$work/grease.check")"
t_done
