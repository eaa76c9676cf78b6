#!/usr/bin/env bash
# tests/integration/scripted_scan.sh - the enumeration against what no
# Debian server speaks any more: SSLv2, SSLv3, EXPORT, RC4, NULL, anon,
# DES suites, served by tests/scripted/legacy_server.py. tlsaudit must find
# exactly what each server is configured with (--show-config), in its
# order, and survive every hostile behaviour with a recorded fact.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/scripted.sh"

# start NAME ARGS...: starts a scripted server, sets PORT.
start() { scripted_start "$@"; }

# expect_config NAME JSON ARGS...: compares the scan of one server with
# its --show-config lists for every version.
expect_config() {
	local name=$1 json=$2 order
	shift 2
	"$PY" "$SERVER" "$@" --show-config >"$work/$name.config"
	order=$(awk '$1 == "order" { print $2 }' "$work/$name.config")
	local v label want got
	for v in ssl2 ssl3 tls1.0 tls1.1 tls1.2 tls1.3; do
		case $v in
		ssl2) label="SSL 2.0" ;; ssl3) label="SSL 3.0" ;; tls1.0) label="TLS 1.0" ;;
		tls1.1) label="TLS 1.1" ;; tls1.2) label="TLS 1.2" ;; tls1.3) label="TLS 1.3" ;;
		esac
		want=$(awk -v v="$v" '$1 == v { print $2 }' "$work/$name.config" | tr 'a-f' 'A-F' | sed 's/0X/0x/g')
		got=$(jq -r --arg l "$label" '.targets[0].enumeration.versions[] | select(.version == $l) | [.suites[].code] | join(",")' <<<"$json")
		if [ "$v" = ssl2 ] || [ "$order" = client ]; then
			want=$(tr ',' '\n' <<<"$want" | sort | paste -sd, -)
			got=$(tr ',' '\n' <<<"$got" | sort | paste -sd, -)
		fi
		t_eq "$name: $label suites" "$want" "$got"
		if [ -n "$want" ] && [ "$(tr ',' '\n' <<<"$want" | wc -l)" -gt 1 ] && [ "$v" != ssl2 ]; then
			t_eq "$name: $label order" "$order" \
				"$(jq -r --arg l "$label" '.targets[0].enumeration.versions[] | select(.version == $l) | .order' <<<"$json")"
		fi
	done
}

scan() { # TARGET [OPTIONS]: JSON of a scan of one target
	"$TLSAUDIT" scan --db "$work/db" --timeout 3 --format json "$@" || true
}

# 1. An SSLv2/SSLv3/TLS 1.0 server of the 1990s, server order.
args=(--versions ssl2,ssl3,tls1.0 --order server --dh-bits 1024
	--suites 0x0004,0x0005,0x0003,0x0009,0x0014,0x0001,0x0002,0x0018,0x000A,0x0006,0x0008,0x0007
	--ssl2-ciphers 0x010080,0x020080,0x030080,0x040080,0x060040,0x0700C0)
start old "${args[@]}"
json=$(scan "127.0.0.1:$PORT")
expect_config old "$json" "${args[@]}"
t_eq "old: EXPORT RSA key size recorded" 512 \
	"$(jq -r '.targets[0].enumeration.versions[1].suites[] | select(.code == "0x0003") | .kx_bits' <<<"$json")"
t_eq "old: DH_anon prime size recorded" 1024 \
	"$(jq -r '.targets[0].enumeration.versions[1].suites[] | select(.code == "0x0018") | .kx_bits' <<<"$json")"
t_eq "old: TLS 1.1+ refused" "refused,refused,refused" \
	"$(jq -r '[.targets[0].enumeration.versions[3:][] | .state] | join(",")' <<<"$json")"
t_eq "old: no anomaly" null "$(jq -r '.targets[0].enumeration.anomalies' <<<"$json")"

# 2. TLS 1.0-1.2, client order, extensions echoed, ALPN.
args=(--versions tls1.0,tls1.1,tls1.2 --order client --echo-ext all --alpn h2,http/1.1
	--suites 0x002F,0x0035,0x003C,0xC013,0xC014,0xC02F,0xC030,0x009E,0x0033,0x000A
	--groups secp384r1,x25519 --dh-bits 2048)
start modern "${args[@]}"
json=$(scan "127.0.0.1:$PORT")
expect_config modern "$json" "${args[@]}"
for x in secure_renegotiation extended_master_secret encrypt_then_mac status_request session_ticket heartbeat; do
	t_eq "modern: $x echoed" true "$(jq -r ".targets[0].enumeration.extensions.$x" <<<"$json")"
done
t_eq "modern: ALPN" h2 "$(jq -r '.targets[0].enumeration.extensions.alpn' <<<"$json")"
t_eq "modern: TLS 1.2 groups" "secp384r1,x25519" \
	"$(jq -r '[.targets[0].enumeration.groups.tls12[].name] | sort | join(",")' <<<"$json")"
t_eq "modern: DHE size" 2048 \
	"$(jq -r '.targets[0].enumeration.versions[4].suites[] | select(.code == "0x0033") | .kx_bits' <<<"$json")"

# 3. No extensions echoed: the tri-states say no.
args=(--versions tls1.2 --suites 0xC02F,0x002F)
start plain "${args[@]}"
json=$(scan "127.0.0.1:$PORT")
expect_config plain "$json" "${args[@]}"
t_eq "plain: no secure renegotiation" false "$(jq -r '.targets[0].enumeration.extensions.secure_renegotiation' <<<"$json")"
t_eq "plain: no EMS" false "$(jq -r '.targets[0].enumeration.extensions.extended_master_secret' <<<"$json")"

# 4. TLS 1.3 with a group the client does not share at first (HRR).
args=(--versions tls1.2,tls1.3 --suites 0x1302,0x1301,0x1303,0xC02F --order server
	--tls13-groups secp384r1,x25519)
start hrr "${args[@]}"
json=$(scan "127.0.0.1:$PORT")
expect_config hrr "$json" "${args[@]}"
t_eq "hrr: TLS 1.3 groups in server order" "secp384r1,x25519" \
	"$(jq -r '[.targets[0].enumeration.groups.tls13[].name] | join(",")' <<<"$json")"

# 4b. DHE only for clients that offer an FFDHE group (RFC 7919 §4): the
# suite probes offer EC groups only, so the DHE suites must come from the
# follow-up probe with FFDHE groups, and the server order (DHE suites
# between the others) from elimination.
args=(--versions tls1.0,tls1.2 --order server --dhe-needs-ffdhe --dh-bits 2048
	--suites 0xC02F,0x009E,0xC013,0x0033,0x002F,0x0039,0x0035)
start ffdhe "${args[@]}"
json=$(scan "127.0.0.1:$PORT")
expect_config ffdhe "$json" "${args[@]}"
t_eq "ffdhe: DHE size recorded" 2048,2048 \
	"$(jq -r '[.targets[0].enumeration.versions[4].suites[] | select(.code == "0x009E" or .code == "0x0033") | .kx_bits] | join(",")' <<<"$json")"
t_eq "ffdhe: order complete" false,false \
	"$(jq -r '[.targets[0].enumeration.versions[2,4].incomplete] | join(",")' <<<"$json")"
t_eq "ffdhe: no anomaly" null "$(jq -r '.targets[0].enumeration.anomalies' <<<"$json")"

# 4c. TLS 1.2 groups and signature schemes come from one elimination (each
# signed ECDHE answer names both); when one list runs out the other goes on
# alone. Both ways round: schemes run out first, then groups.
args=(--versions tls1.2 --suites 0xC02F,0xC030,0x002F --order server
	--groups secp384r1,x25519,secp256r1 --sigalgs 0x0501)
start kx-schemes-first "${args[@]}"
json=$(scan "127.0.0.1:$PORT")
expect_config kx-schemes-first "$json" "${args[@]}"
t_eq "kx-schemes-first: TLS 1.2 groups, server order" "secp384r1,x25519,secp256r1" \
	"$(jq -r '[.targets[0].enumeration.groups.tls12[].name] | join(",")' <<<"$json")"
t_eq "kx-schemes-first: TLS 1.2 schemes" "rsa_pkcs1_sha384" \
	"$(jq -r '[.targets[0].enumeration.signature_schemes.tls12[].name] | join(",")' <<<"$json")"
args=(--versions tls1.2 --suites 0xC02F,0x002F --order server
	--groups x25519 --sigalgs 0x0601,0x0804,0x0401)
start kx-groups-first "${args[@]}"
json=$(scan "127.0.0.1:$PORT")
expect_config kx-groups-first "$json" "${args[@]}"
t_eq "kx-groups-first: TLS 1.2 groups" "x25519" \
	"$(jq -r '[.targets[0].enumeration.groups.tls12[].name] | join(",")' <<<"$json")"
t_eq "kx-groups-first: TLS 1.2 schemes, server order" "rsa_pkcs1_sha512,rsa_pss_rsae_sha256,rsa_pkcs1_sha256" \
	"$(jq -r '[.targets[0].enumeration.signature_schemes.tls12[].name] | join(",")' <<<"$json")"
t_eq "kx: no anomaly" null "$(jq -r '.targets[0].enumeration.anomalies' <<<"$json")"

# 5. Records split into tiny fragments and one message per record.
args=(--versions ssl3,tls1.0,tls1.2 --suites 0x0005,0x002F,0xC013,0x0033 --order server
	--split-records --fragment 7)
start fragmented "${args[@]}"
json=$(scan "127.0.0.1:$PORT")
expect_config fragmented "$json" "${args[@]}"

# 6. A server that resets hellos offering more than 20 suites: the prober
# splits its bundles and still finds every suite.
args=(--versions tls1.0,tls1.2 --suites 0x002F,0x0035,0xC013,0xC014,0xC02F,0xC030,0x0005
	--order server --max-hello-suites 20)
start shorthello "${args[@]}"
json=$(scan "127.0.0.1:$PORT")
expect_config shorthello "$json" "${args[@]}"
t_eq "shorthello: nothing marked incomplete" "" \
	"$(jq -r '[.targets[0].enumeration.versions[] | select(.state == "accepted" and .incomplete) | .version] | join(",")' <<<"$json")"

# 7. Hostile servers: every one ends with a recorded fact, never a crash or
# a hang (the scan is bounded by its timeouts; exit 0 or 3, not a signal).
for mode in silence close reset reset-mid truncate bad-length bad-hs-length oversize \
	wrong-suite wrong-version alert-instead garbage duplicate-ext empty-hello scsv-suite \
	fallback-scsv-suite dtls-version compression; do
	start "hostile-$mode" --versions tls1.0,tls1.2 --suites 0x002F,0xC02F --misbehave "$mode"
	t0=$(date +%s)
	set +e
	out=$("$TLSAUDIT" scan --db "$work/db" --timeout 2 --format json "127.0.0.1:$PORT")
	status=$?
	set -e
	elapsed=$(($(date +%s) - t0))
	echo "# $mode: $elapsed s"
	case $status in 0 | 3) t_ok "$mode: exit $status" ;; *) t_fail "$mode: exit $status" ;; esac
	t_eq "$mode: valid JSON with the target" 1 "$(jq '.targets | length' <<<"$out")"
	# The bound comes from the scan's own figures: one target, its recorded
	# budget, plus two attempts of --timeout for what the budget cannot cut
	# (the store, the last connect), plus a second for start-up.
	budget_ms=$(jq -r '.scan.target_budget_ms // 0' <<<"$out")
	if [ "$budget_ms" -gt 0 ] && [ "$elapsed" -le $((budget_ms / 1000 + 2 * 2 + 1)) ]; then
		t_ok "$mode: within its recorded budget (${elapsed} s, budget $((budget_ms / 1000)) s)"
	else
		t_fail "$mode: within its recorded budget" "took ${elapsed} s, budget ${budget_ms} ms"
	fi
	# Nothing is reported accepted that the server did not properly accept.
	accepted=$(jq -r '[.targets[0].enumeration.versions[]? | select(.state == "accepted") | .suites[].code] | join(",")' <<<"$out")
	case $mode in
	wrong-suite)
		t_match "$mode: anomaly recorded" "not offered" "$(jq -r '.targets[0].enumeration.anomalies' <<<"$out")"
		;;
	duplicate-ext)
		t_eq "$mode: hello with duplicate extensions not accepted" "" "$accepted"
		;;
	silence)
		t_eq "$mode: not scanned" unreachable "$(jq -r '.targets[0].status' <<<"$out")"
		;;
	truncate | reset-mid | bad-length | bad-hs-length)
		# The ServerHello may have arrived whole before the damage: then the
		# pick is a fact, but it must be one the server is configured with.
		t_eq "$mode: only configured suites accepted" "" \
			"$(tr ',' '\n' <<<"$accepted" | grep -v -x -e 0x002F -e 0xC02F -e '' | paste -sd, -)"
		;;
	*)
		t_eq "$mode: no suite accepted" "" "$accepted"
		;;
	esac
done

# 8. Malformed or unoffered answers to TLS 1.0/1.1 hellos while TLS 1.2 is
# served normally (issue 17): a zero-length ServerHello, a ServerHello
# picking an SCSV, the DTLS 1.2 version 0xFEFD, a compression method that was
# not offered. None is a refusal and none is support: both probes (the
# enumeration and GnuTLS) store the version inconclusive with the reason,
# and the PCI DSS no-TLS-1.0/1.1 rules are inconclusive, never a pass. The
# check's exit code follows only its blocking findings (inconclusive ones
# never change it: README "Exit codes").
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies
pci_rule() { # VERSION: the pci-dss-4.0 rule forbidding exactly that version
	awk -v v="[$1]" '$1 == "-" && $2 == "id:" { id = $3 }
		$1 == "protocols_forbidden:" && $2 == v { print id }' \
		"$top_srcdir/policies/pci-dss-4.0.yaml"
}
rule10=$(pci_rule TLS1.0)
rule11=$(pci_rule TLS1.1)
[ -n "$rule10" ] && [ -n "$rule11" ] || { echo "pci-dss-4.0: no TLS 1.0/1.1 rule" >&2; exit 99; }
for mode in empty-hello scsv-suite fallback-scsv-suite dtls-version compression; do
	start "bad-$mode" --versions tls1.0,tls1.1,tls1.2 --suites 0x002F,0xC02F \
		--misbehave "$mode" --misbehave-versions tls1.0,tls1.1
	mdb=$work/bad-$mode.db
	set +e
	"$TLSAUDIT" scan --db "$mdb" --timeout 2 --format json "127.0.0.1:$PORT" >/dev/null
	set -e
	stored=$("$TLSAUDIT" report --db "$mdb" --latest --format json)
	for l in "TLS 1.0" "TLS 1.1"; do
		t_eq "$mode: $l stored inconclusive by the enumeration, with a reason" "inconclusive true" \
			"$(jq -r --arg l "$l" '.targets[0].enumeration.versions[] | select(.version == $l) |
				"\(.state) \((.reason // "") != "")"' <<<"$stored")"
		t_eq "$mode: $l stored inconclusive by GnuTLS, with a reason" "inconclusive true" \
			"$(jq -r --arg l "$l" '.targets[0].versions[] | select(.version == $l) |
				"\(.state) \((.reason // "") != "")"' <<<"$stored")"
	done
	t_eq "$mode: TLS 1.2 served normally" "accepted 0x002F,0xC02F" \
		"$(jq -r '.targets[0].enumeration.versions[] | select(.version == "TLS 1.2") |
			"\(.state) \([.suites[].code] | sort | join(","))"' <<<"$stored")"
	set +e
	"$TLSAUDIT" check --db "$mdb" --latest --policy pci-dss-4.0 --format json >"$work/check.json"
	status=$?
	set -e
	chk=$(cat "$work/check.json")
	for rule in "$rule10" "$rule11"; do
		t_eq "$mode: $rule inconclusive (not pass)" inconclusive \
			"$(jq -r --arg r "$rule" '.targets[0].policies[0].findings[] | select(.rule_id == $r) | .verdict' <<<"$chk")"
	done
	t_eq "$mode: check exit code as documented (blocking findings only)" \
		"$(jq -r 'if .summary.blocking_findings > 0 then 1 else 0 end' <<<"$chk") $(jq -r .summary.exit_code <<<"$chk")" \
		"$status $status"
done

# An older version in the answer is still a refusal (RFC 5246 §E.1: the
# server does not speak the one offered), for both probes.
start older --versions tls1.0 --suites 0x002F,0xC013
json=$(scan "127.0.0.1:$PORT")
want="refused server answered with version 0x0301,refused server answered with version 0x0301"
t_eq "older: TLS 1.1/1.2 refused by GnuTLS, the version named" "$want" \
	"$(jq -r '[.targets[0].versions[1,2] | "\(.state) \(.reason)"] | join(",")' <<<"$json")"
t_eq "older: TLS 1.1/1.2 refused by the enumeration, the version named" "$want" \
	"$(jq -r '[.targets[0].enumeration.versions[3,4] | "\(.state) \(.reason)"] | join(",")' <<<"$json")"

# 9. What the parser flags as not offered is never support (issue 17): a
# TLS 1.3 ServerHello whose key_share names a group the client listed in
# supported_groups but sent no share for, where a HelloRetryRequest belongs.
# The HRR elimination of the TLS 1.3 groups gets only such answers: no group
# is recorded, the anomaly is.
start unsent-share --versions tls1.2,tls1.3 --suites 0xC02F,0x1301,0x1302 \
	--tls13-groups x25519,secp384r1 --misbehave unsent-share
json=$(scan "127.0.0.1:$PORT")
t_eq "unsent-share: TLS 1.3 suites (answered with the share sent)" "0x1301,0x1302" \
	"$(jq -r '[.targets[0].enumeration.versions[5].suites[].code] | sort | join(",")' <<<"$json")"
t_eq "unsent-share: no TLS 1.3 group recorded as supported" "" \
	"$(jq -r '[.targets[0].enumeration.groups.tls13[]?.name] | join(",")' <<<"$json")"
t_match "unsent-share: anomaly recorded" "without a key share sent for it" \
	"$(jq -r '.targets[0].enumeration.anomalies' <<<"$json")"
# A server whose favourite group always lacks the share: TLS 1.3 itself is
# not shown to be accepted.
start unsent-share-only --versions tls1.2,tls1.3 --suites 0xC02F,0x1301 \
	--tls13-groups secp384r1 --misbehave unsent-share
json=$(scan "127.0.0.1:$PORT")
t_eq "unsent-share-only: TLS 1.3 inconclusive, no suite" "inconclusive 0" \
	"$(jq -r '.targets[0].enumeration.versions[5] | "\(.state) \(.suites | length)"' <<<"$json")"
t_match "unsent-share-only: the reason names the group" "group 0x0018 without a key share" \
	"$(jq -r '.targets[0].enumeration.versions[5].reason' <<<"$json")"
t_eq "unsent-share-only: no TLS 1.3 group recorded" "" \
	"$(jq -r '[.targets[0].enumeration.groups.tls13[]?.name] | join(",")' <<<"$json")"

# A trickling server (one byte at a time, every connection) still gets its
# answer read. TLS 1.3 keeps the flight short: the prober stops after the
# ServerHello.
start trickle --versions tls1.3 --suites 0x1301,0x1302 --misbehave trickle --trickle-ms 2 \
	--misbehave-count 100000
json=$(scan "127.0.0.1:$PORT" --timeout 20)
t_eq "trickle: suites found" "0x1301,0x1302" \
	"$(jq -r '[.targets[0].enumeration.versions[5].suites[].code] | sort | join(",")' <<<"$json")"

t_done
