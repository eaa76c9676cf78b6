#!/usr/bin/env bash
# tests/integration/lab_scan.sh - scans every lab server and compares what
# tlsaudit reports with what the server is configured to do
# (tests/lab/servers.txt): the accepted protocol versions and every
# certificate problem, present where configured and absent elsewhere; then
# the store, unreachable and silent targets, and multi-address names.
set -eu
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
lab_init
lab_certs >/dev/null

servers=$(echo $LAB_SERVERS)
: >"$LAB_DIR/targets"
for s in $servers; do
	lab_start "$s" >/dev/null
	lab_target "$s" >>"$LAB_DIR/targets"
done

db=$LAB_DIR/lab.db
json=$LAB_DIR/scan.json
t_run 0 "$TLSAUDIT" scan --db "$db" -j 4 --timeout 10 --ca-file "$LAB_CA" -f "$LAB_DIR/targets" \
	--format json -o "$json"
t_eq "one result per server" "$(echo $servers | wc -w)" "$(jq '.targets | length' "$json")"
t_eq "scan complete" complete "$(jq -r .scan.state "$json")"

# What tlsaudit says about one certificate problem (true/false).
got_problem() { # JSON-of-target PROBLEM
	local t=$1
	case $2 in
	expired) jq -r '.chain.expired' <<<"$t" ;;
	notyet) jq -r '.chain.not_yet_valid' <<<"$t" ;;
	selfsigned) jq -r '.chain.self_signed' <<<"$t" ;;
	hostname) jq -r '.chain.hostname.checked and (.chain.hostname.match | not)' <<<"$t" ;;
	weakkey) jq -r '.certificates[0].key | (.type == "RSA" and .bits < 2048)' <<<"$t" ;;
	sha1) jq -r '.certificates[0].signature_algorithm | test("SHA1")' <<<"$t" ;;
	longlived) jq -r '.certificates[0] | ((.not_after | fromdateiso8601) - (.not_before | fromdateiso8601)) > 398 * 86400' <<<"$t" ;;
	incomplete) jq -r '.chain.incomplete' <<<"$t" ;;
	order) jq -r '.chain.wrong_order' <<<"$t" ;;
	esac
}
all_problems="expired notyet selfsigned hostname weakkey sha1 longlived incomplete order"
# Problems that make a chain untrusted by themselves.
untrusting="expired notyet selfsigned sha1 incomplete"

for s in $servers; do
	port=$(lab_port "$s")
	t=$(jq -c ".targets[] | select(.port == $port)" "$json")
	t_eq "$s: status" ok "$(jq -r .status <<<"$t")"
	want=$(lab_expect "$s" versions)
	got=$(jq -r '[.versions[] | select(.state == "accepted") | .version | sub(" "; "")] | join(",")' <<<"$t")
	t_eq "$s: accepted versions" "$want" "$got"
	# Every version not accepted is refused (not inconclusive) on a healthy server.
	t_eq "$s: the other versions are refused" "" \
		"$(jq -r '[.versions[] | select(.state != "accepted" and .state != "refused") | .version] | join(",")' <<<"$t")"
	# Every accepted version names its suite by IANA name and code.
	t_eq "$s: accepted suites are named" "" \
		"$(jq -r '[.versions[] | select(.state == "accepted") | select((.suite.name | test("^TLS_")) and (.suite.code != "0x0000") | not) | .version] | join(",")' <<<"$t")"
	probs=",$(lab_expect "$s" problems | sed 's/^none$//'),"
	trusted=true
	for p in $all_problems; do
		case $probs in
		*",$p,"*)
			t_eq "$s: reports $p" true "$(got_problem "$t" "$p")"
			case " $untrusting " in *" $p "*) trusted=false ;; esac
			;;
		*) t_eq "$s: no $p" false "$(got_problem "$t" "$p")" ;;
		esac
	done
	case $probs in *",weakkey,"* | *",hostname,"*) ;; *)
		t_eq "$s: chain trusted" "$trusted" "$(jq -r .chain.trusted <<<"$t")" ;;
	esac
	# The leaf as served is the lab's leaf, byte for byte.
	leaf=$(lab_expect "$s" cert)
	t_eq "$s: leaf fingerprint" "$(openssl x509 -in "$LAB_CERTS/$leaf.crt" -outform der | sha256sum | cut -d' ' -f1)" \
		"$(jq -r '.certificates[0].sha256' <<<"$t")"
	# The raw-ClientHello enumeration agrees on the versions (SSLv2 and
	# SSLv3 refused everywhere: no Debian server speaks them) ...
	t_eq "$s: enumerated versions" "$want" \
		"$(jq -r '[.enumeration.versions[] | select(.state == "accepted") | .version | sub(" "; "")] | join(",")' <<<"$t")"
	t_eq "$s: enumeration complete" "" \
		"$(jq -r '[.enumeration.versions[] | select(.incomplete or .state == "inconclusive") | .version] | join(",")' <<<"$t")"
	# ... and finds exactly the suites the server is configured with, in
	# its order when it enforces one.
	order=$(lab_expect "$s" order 2>/dev/null || true)
	if [ -n "$order" ]; then
		t_eq "$s: server order detected" "$order" \
			"$(jq -r '[.enumeration.versions[] | select(.state == "accepted") | .order] | unique | join(",")' <<<"$t")"
	fi
	for v in TLS1.0 TLS1.1 TLS1.2 TLS1.3; do
		want_suites=$(lab_expect "$s" "suites.$v" 2>/dev/null || true)
		[ -n "$want_suites" ] || continue
		sel='.enumeration.versions[] | select((.version | sub(" "; "")) == "'$v'") | [.suites[].code]'
		if [ "$order" = server ]; then
			got_suites=$(jq -r "$sel | join(\",\")" <<<"$t")
		else
			got_suites=$(jq -r "$sel | sort | join(\",\")" <<<"$t")
			want_suites=$(tr ',' '\n' <<<"$want_suites" | sort | paste -sd, -)
		fi
		t_eq "$s: $v suites${order:+ ($order order)}" "$want_suites" "$got_suites"
	done
	# Days until expiry for every certificate of the chain, intermediates too.
	t_eq "$s: days_left for every certificate" true \
		"$(jq -r '[.certificates[] | .days_left | type == "number"] | all' <<<"$t")"
done

# TLS 1.3 key exchange: a group is named; the legacy server's DHE prime.
t=$(jq -c ".targets[] | select(.port == $(lab_port tls13-only))" "$json")
t_match "tls13-only: TLS 1.3 group named" '^(x25519|secp256r1|secp384r1|x448|ffdhe[0-9]+)$' \
	"$(jq -r '.versions[3].group' <<<"$t")"
t_eq "tls13-only: no HelloRetryRequest" false "$(jq -r '.versions[3].hello_retry_request' <<<"$t")"
t=$(jq -c ".targets[] | select(.port == $(lab_port good-rsa))" "$json")
t_eq "good-rsa: SAN" '["DNS:good-rsa.lab.test","IP:127.0.0.1"]' "$(jq -c '.certificates[0].san' <<<"$t")"
t_eq "good-rsa: key" '{"type":"RSA","bits":2048,"curve":null}' "$(jq -c '.certificates[0].key' <<<"$t")"
t_eq "good-rsa: EKU" '["serverAuth"]' "$(jq -c '.certificates[0].extended_key_usage' <<<"$t")"
t_eq "good-rsa: OCSP URL" '["http://127.0.0.1:9/ocsp"]' "$(jq -c '.certificates[0].ocsp_urls' <<<"$t")"
t_eq "good-rsa: intermediate is a CA" true "$(jq -r '.certificates[1].basic_constraints.ca' <<<"$t")"
t_eq "good-rsa: no staple" none "$(jq -r '.chain.ocsp_staple.status' <<<"$t")"
# modern12 (nginx: ssl_ecdh_curve X25519:prime256v1:secp384r1) offers
# exactly those groups under TLS 1.3, in that order (server preference).
# Under TLS 1.2 its ECDSA P-256 certificate needs P-256 offered, so the
# elimination can only go as far as P-256 (see docs/json-output.md).
t=$(jq -c ".targets[] | select(.port == $(lab_port modern12))" "$json")
t_eq "modern12: TLS 1.2 groups, as far as the ECDSA curve" "x25519,secp256r1" \
	"$(jq -r '[.enumeration.groups.tls12[].name] | join(",")' <<<"$t")"
t_eq "modern12: TLS 1.3 groups" "x25519,secp256r1,secp384r1" \
	"$(jq -r '[.enumeration.groups.tls13[].name] | join(",")' <<<"$t")"
t_eq "modern12: TLS 1.3 schemes (ECDSA P-256 key)" "ecdsa_secp256r1_sha256" \
	"$(jq -r '[.enumeration.signature_schemes.tls13[].name] | join(",")' <<<"$t")"
t=$(jq -c ".targets[] | select(.port == $(lab_port legacy))" "$json")
t_eq "legacy: DHE suites use the 1024-bit group" "1024" \
	"$(jq -r '[.enumeration.versions[] | .suites[] | select(.name | test("_DHE_")) | .kx_bits] | unique | join(",")' <<<"$t")"
# legacy (nginx, OpenSSL's default groups X25519:P-256:X448:P-521:P-384,
# server preference) with RSA: the whole TLS 1.2 list in that order.
t_eq "legacy: TLS 1.2 groups in server order" "x25519,secp256r1,x448,secp521r1,secp384r1" \
	"$(jq -r '[.enumeration.groups.tls12[].name] | join(",")' <<<"$t")"
t_eq "legacy: secure renegotiation echoed" true "$(jq -r '.enumeration.extensions.secure_renegotiation' <<<"$t")"
t=$(jq -c ".targets[] | select(.port == $(lab_port good-ecdsa))" "$json")
t_eq "good-ecdsa: key" '{"type":"EC","bits":256,"curve":"secp256r1"}' "$(jq -c '.certificates[0].key' <<<"$t")"

# The store holds the same facts, and the DER of every certificate.
t_eq "store: one scan, complete" "1|complete" "$(sqlite3 "$db" 'SELECT count(*), max(state) FROM scans')"
t_eq "store: every target" "$(echo $servers | wc -w)" "$(sqlite3 "$db" 'SELECT count(*) FROM targets')"
t_eq "store: every DER stored" 0 "$(sqlite3 "$db" 'SELECT count(*) FROM certificates WHERE der IS NULL OR length(der) = 0')"
leaf_hash=$(openssl x509 -in "$LAB_CERTS/good-rsa.crt" -outform der | sha256sum | cut -d' ' -f1)
t_eq "store: DER round trip" "$leaf_hash" \
	"$(sqlite3 "$db" "SELECT hex(der) FROM certificates WHERE sha256 = '$leaf_hash'" | xxd -r -p | sha256sum | cut -d' ' -f1)"
t_eq "store: versions as in the JSON" \
	"$(jq '[.targets[].versions[] | select(.state == "accepted")] | length' "$json")" \
	"$(sqlite3 "$db" "SELECT count(*) FROM versions WHERE state = 'accepted'")"
t_eq "store: integrity" ok "$(sqlite3 "$db" 'PRAGMA integrity_check')"

# The text summary names the problems.
t_run 0 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" "$(lab_target expired | cut -d' ' -f1)" \
	--sni expired.lab.test --color never
t_match "text: expired named" "Problems +.*expired" "$T_OUT"
t_match "text: version lines" "TLS 1.2 +accepted +TLS_" "$T_OUT"

# scan --policy evaluates right after the scan, from the stored facts:
# findings stored, exit 1 on a failure at or above --fail-on, the check
# document nested in the JSON output.
pdb=$LAB_DIR/policy.db
t_run 1 "$TLSAUDIT" scan --db "$pdb" --ca-file "$LAB_CA" --policy pci-dss-4.0 --color never \
	"$(lab_target legacy | cut -d' ' -f1)" --sni legacy.lab.test
t_match "scan --policy: TLS 1.0 finding printed" "FAIL +high +pci-4.2.1-no-tls10" "$T_OUT"
t_eq "scan --policy: one policy run stored" 1 "$(sqlite3 "$pdb" 'SELECT count(*) FROM policy_runs WHERE scan_id = 1')"
t_eq "scan --policy: failing findings stored" 1 \
	"$(sqlite3 "$pdb" "SELECT count(*) > 0 FROM findings WHERE verdict = 'fail' AND rule_id = 'pci-4.2.1-no-tls10'")"
{ lab_target legacy; lab_target modern12; } >"$LAB_DIR/targets.policy"
t_run 1 "$TLSAUDIT" scan --db "$pdb" --ca-file "$LAB_CA" --policy pci-dss-4.0 --format json \
	-f "$LAB_DIR/targets.policy" -o "$LAB_DIR/policy.json"
t_eq "scan --policy --format json: the check is nested" "tlsaudit-check" "$(jq -r '.policy_check.schema' "$LAB_DIR/policy.json")"
# The nested check is copied in from its own file (reports/json_splice.h):
# the bytes must still be jansson's dump of the whole tree, and its targets
# what `check` of the same scan says.
if out=$("$top_builddir/tests/report/make_fixture" same-dump "$LAB_DIR/policy.json" ascii 2>&1); then
	t_ok "scan --policy --format json: jansson's dump of its tree"
else
	t_fail "scan --policy --format json: jansson's dump of its tree" "$out"
fi
t_run 1 "$TLSAUDIT" check --db "$pdb" --scan "$(jq .scan.id "$LAB_DIR/policy.json")" --policy pci-dss-4.0 \
	--format json -o "$LAB_DIR/policy-check.json"
t_eq "scan --policy --format json: the nested targets are check's (2 targets)" "true 2" \
	"$(jq --slurpfile c "$LAB_DIR/policy-check.json" '"\(.policy_check.targets == $c[0].targets) \(.policy_check.targets | length)"' -r "$LAB_DIR/policy.json")"
t_run 0 "$TLSAUDIT" scan --db "$pdb" --ca-file "$LAB_CA" --policy mozilla-intermediate \
	"$(lab_target modern12 | cut -d' ' -f1)" --sni modern12.lab.test
t_run 1 "$TLSAUDIT" scan --db "$pdb" --ca-file "$LAB_CA" --policy mozilla-modern \
	"$(lab_target modern12 | cut -d' ' -f1)" --sni modern12.lab.test

# Unreachable, refusing and silent targets are recorded with the reason and
# do not stop the others; the exit code says some target was not scanned.
lab_start_silent silent >/dev/null
closed=$(lab_closed_port)
t_run 3 "$TLSAUDIT" scan --db "$db" --timeout 1 -j 3 --ca-file "$LAB_CA" --format json \
	"$closed" "127.0.0.1:$LAB_PORT_silent" "127.0.0.1:$(lab_port good-rsa)"
t_eq "closed port: unreachable" unreachable "$(jq -r ".targets[] | select(.ip == \"127.0.0.1\" and .port == ${closed##*:}) | .status" <<<"$T_OUT")"
t_match "closed port: reason" "refused" "$(jq -r ".targets[] | select(.port == ${closed##*:}) | .error" <<<"$T_OUT")"
t_eq "silent server: not scanned" unreachable "$(jq -r ".targets[] | select(.port == $LAB_PORT_silent) | .status" <<<"$T_OUT")"
t_match "silent server: reason" "timed out|no answer" "$(jq -r ".targets[] | select(.port == $LAB_PORT_silent) | .error" <<<"$T_OUT")"
t_eq "the good target is still scanned" ok "$(jq -r ".targets[] | select(.port == $(lab_port good-rsa)) | .status" <<<"$T_OUT")"

# A name with two addresses: both are scanned, unless --first-ip.
if [ "$(id -u)" = 0 ] && command -v mount >/dev/null; then
	printf '127.0.0.1 multi.lab.test\n::1 multi.lab.test\n' >"$LAB_DIR/hosts"
	multi() {
		unshare -m bash -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' _ "$LAB_DIR/hosts" "$@"
	}
	port=$(lab_port good-rsa)
	t_run 3 multi "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --format json "multi.lab.test:$port"
	t_eq "every address scanned" "127.0.0.1 ok,::1 unreachable" \
		"$(jq -r '[.targets[] | "\(.ip) \(.status)"] | sort | join(",")' <<<"$T_OUT")"
	t_eq "the name is the SNI" "multi.lab.test" "$(jq -r '.targets[0].sni' <<<"$T_OUT")"
	# Which address is first is the resolver's choice (RFC 6724 order).
	out=$(multi "$TLSAUDIT" scan --db "$db" --first-ip --ca-file "$LAB_CA" --format json "multi.lab.test:$port" || true)
	t_eq "--first-ip: one address" 1 "$(jq '.targets | length' <<<"$out")"
else
	echo "not root: the multi-address case is not run"
fi

t_done
