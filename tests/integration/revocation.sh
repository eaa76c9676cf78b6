#!/usr/bin/env bash
# tests/integration/revocation.sh - revocation (OCSP, CRL), AIA chasing, the
# fetch cache, --offline and HSTS against real local services: a PKI of
# the test's own (lab_revoc_pki) whose URLs point at `openssl ocsp`
# responders and an nginx serving the CRLs and the intermediate, all on
# 127.0.0.1 ports picked now, inside the lab's network namespace.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
lab_init

op=$(lab_free_port)
bp=$(lab_free_port)
hp=$(lab_free_port)
dp=$(lab_free_port) # nothing ever listens there
P=$LAB_DIR/pki
lab_revoc_pki "$P" "$op" "$bp" "$hp" "$dp"
lab_ocsp ocsp "$op" "$P/int-index.txt" "$P/int.crt" "$P/int.crt" "$P/int.key"
lab_ocsp badocsp "$bp" "$P/int-index.txt" "$P/int.crt" "$P/other.crt" "$P/other.key"
lab_http_static crlsrv "$hp" "$P/www"
ocsp_log=$LAB_RUN/ocsp.log
access_log=$LAB_RUN/crlsrv/access.log

leaves="good revoked crlrev stale down downcrl garbage wrongkey aia muststaple"
: >"$LAB_DIR/targets"
for n in $leaves; do
	p=$(lab_free_port)
	lab_https "https-$n" "$p" "$P" "$n"
	echo "127.0.0.1:$p sni=$n.lab.test" >>"$LAB_DIR/targets"
done
p=$(lab_free_port)
lab_https https-hsts "$p" "$P" good \
	'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;'
hsts_target="127.0.0.1:$p"
p=$(lab_free_port)
lab_https https-nohsts "$p" "$P" good
nohsts_target="127.0.0.1:$p"

ocsp_requests() { grep -c 'OCSP Request Data:' "$ocsp_log" || true; }
gets() { grep -c "\"$1 " "$access_log" || true; } # "GET /int.crl" ...

db=$LAB_DIR/r.db
json=$LAB_DIR/scan1.json
t_run 0 "$TLSAUDIT" scan --db "$db" --no-enumerate -j 4 --timeout 5 --ca-file "$P/root.crt" \
	-f "$LAB_DIR/targets" --format json -o "$json"
t_eq "every target scanned" 10 "$(jq '.targets | length' "$json")"

# rev NAME JQ: JQ over the target with SNI NAME.lab.test
rev() { jq -r --arg s "$1.lab.test" ".targets[] | select(.sni == \$s) | $2" "$json"; }

t_eq "good: OCSP good" "good ocsp" "$(rev good '.revocation[0] | "\(.status) \(.method)"')"
t_eq "good: intermediate good via the root's CRL" "good crl" \
	"$(rev good '.revocation[1] | "\(.status) \(.method)"')"
t_match "good: OCSP nextUpdate recorded" '^20[0-9-]+T' "$(rev good '.revocation[0].next_update')"
t_eq "revoked: revoked via OCSP with reason" "revoked ocsp keyCompromise" \
	"$(rev revoked '.revocation[0] | "\(.status) \(.method) \(.reason)"')"
t_match "revoked: revocation time" '^20[0-9-]+T' "$(rev revoked '.revocation[0].revoked_at')"
t_eq "crlrev: revoked via the CRL only" "revoked crl" \
	"$(rev crlrev '.revocation[0] | "\(.status) \(.method)"')"
t_eq "stale CRL: inconclusive" inconclusive "$(rev stale '.revocation[0].status')"
t_match "stale CRL: says stale" 'stale CRL: nextUpdate 2020-01-02' "$(rev stale '.revocation[0].detail')"
t_eq "responder down: inconclusive" inconclusive "$(rev down '.revocation[0].status')"
t_match "responder down: says why" "port $dp|[Cc]onnect" "$(rev down '.revocation[0].detail')"
t_eq "responder down, CRL present: decided by the CRL" "good crl" \
	"$(rev downcrl '.revocation[0] | "\(.status) \(.method)"')"
t_match "responder down, CRL present: OCSP failure kept" "OCSP http://127.0.0.1:$dp/" \
	"$(rev downcrl '.revocation[0].detail')"
t_eq "garbage answer: inconclusive" inconclusive "$(rev garbage '.revocation[0].status')"
t_match "garbage answer: cannot parse" 'cannot parse' "$(rev garbage '.revocation[0].detail')"
t_eq "wrong signing key: inconclusive" inconclusive "$(rev wrongkey '.revocation[0].status')"
t_match "wrong signing key: bad signature" 'bad response signature' \
	"$(rev wrongkey '.revocation[0].detail')"
t_eq "aia: the server sends an incomplete chain" "true 1" \
	"$(rev aia '"\(.chain.incomplete) \(.certificates | length)"')"
t_eq "aia: completed through AIA and trusted" "true true true 1" \
	"$(rev aia '.chain.aia | "\(.attempted) \(.completed) \(.trusted) \(.fetched)"')"
t_eq "aia: leaf revocation still checked (issuer from AIA)" good "$(rev aia '.revocation[0].status')"
t_eq "must-staple leaf without a staple" "true false" \
	"$(rev muststaple '"\(.certificates[0].must_staple) \(.chain.ocsp_staple.present)"')"
t_eq "no status is good without an answer" "" \
	"$(jq -r '.targets[] | select(.sni | test("^(down|garbage|wrongkey|stale)[.]")) | .revocation[0] | select(.status == "good") | .status' "$json")"

# One CRL fetch for the whole scan, though 5 leaves name it (and 4 workers ran).
t_eq "CRL fetched once in the scan" 1 "$(gets 'GET /int.crl')"
t_eq "root CRL fetched once in the scan" 1 "$(gets 'GET /root.crl')"
t_eq "OCSP: one request per certificate (good, revoked, aia, muststaple)" 4 "$(ocsp_requests)"
t_eq "fetched answers kept in the database" "ocsp:4 crl:2 cert:1" \
	"$(sqlite3 "$db" "SELECT group_concat(kind || ':' || n, ' ') FROM (SELECT kind, count(*) n FROM fetch_cache GROUP BY kind ORDER BY kind DESC)")"

# --- a responder that accepts and never answers: a timeout, inconclusive ---------------
lab_start_silent slow-ocsp "$dp" >/dev/null
sjson=$LAB_DIR/slow.json
start=$SECONDS
t_run 0 "$TLSAUDIT" scan --db "$LAB_DIR/slow.db" --no-enumerate --timeout 1 --ca-file "$P/root.crt" \
	"$(grep 'sni=down\.' "$LAB_DIR/targets" | cut -d' ' -f1)" --sni down.lab.test --format json -o "$sjson"
t_eq "slow responder: inconclusive" inconclusive "$(jq -r '.targets[0].revocation[0].status' "$sjson")"
t_match "slow responder: timed out" 'timed out after 1000 ms' "$(jq -r '.targets[0].revocation[0].detail' "$sjson")"
t_match "slow responder: the scan does not hang" '^([0-9]|1[0-9])$' "$((SECONDS - start))"
lab_stop slow-ocsp

# --- a failure is remembered for the scan, but it is not a cached answer ------------------
djson=$LAB_DIR/down-twice.json
daddr=$(grep 'sni=down\.' "$LAB_DIR/targets" | cut -d' ' -f1)
t_run 0 "$TLSAUDIT" scan --db "$LAB_DIR/down-twice.db" --no-enumerate -j 1 --ca-file "$P/root.crt" \
	"$daddr" "$daddr" --sni down.lab.test --format json -o "$djson"
t_eq "responder down, same certificate twice: inconclusive both times" "inconclusive inconclusive" \
	"$(jq -r '[.targets[].revocation[0].status] | join(" ")' "$djson")"
t_eq "responder down twice: the second says it failed earlier in the scan" 1 \
	"$(jq -r '.targets[].revocation[0].detail' "$djson" | grep -c 'failed earlier in this scan')"
t_eq "responder down twice: neither is labelled a cached answer" "false false" \
	"$(jq -r '[.targets[].revocation[0].from_cache | tostring] | join(" ")' "$djson")"

# --- stapled responses, verified and compared with the fetched ones ---------------------
# good.lab.test staples its real status; revoked.lab.test staples a "good"
# response made from an index in which it is not revoked (a server that
# lies, or an old response): the fetched answer must win and the
# disagreement be recorded.
lab_ocsp_response "$P" "$P/int-index.txt" good "$LAB_DIR/good.ocsp"
sed 's/^R\t\([^\t]*\)\t[^\t]*\t/V\t\1\t\t/' "$P/int-index.txt" >"$LAB_DIR/all-good-index.txt"
lab_ocsp_response "$P" "$LAB_DIR/all-good-index.txt" revoked "$LAB_DIR/revoked-good.ocsp"
before_ocsp=$(ocsp_requests)
p1=$(lab_free_port)
lab_s_server_staple staple-good "$p1" "$P" good "$LAB_DIR/good.ocsp"
p2=$(lab_free_port)
lab_s_server_staple staple-lie "$p2" "$P" revoked "$LAB_DIR/revoked-good.ocsp"
sjson=$LAB_DIR/staple.json
printf '127.0.0.1:%s sni=good.lab.test\n127.0.0.1:%s sni=revoked.lab.test\n' "$p1" "$p2" >"$LAB_DIR/t-staple"
t_run 0 "$TLSAUDIT" scan --db "$LAB_DIR/staple.db" --no-enumerate --timeout 5 --ca-file "$P/root.crt" \
	-f "$LAB_DIR/t-staple" --format json -o "$sjson"
st() { jq -r --arg s "$1.lab.test" ".targets[] | select(.sni == \$s) | $2" "$sjson"; }
t_eq "staple good, fetched good: agrees" "good good agrees" \
	"$(st good '"\(.chain.ocsp_staple.status) \(.revocation[0].status) \(.revocation[0].staple)"')"
t_eq "staple good, fetched revoked: disagrees, revoked wins" "good revoked disagrees" \
	"$(st revoked '"\(.chain.ocsp_staple.status) \(.revocation[0].status) \(.revocation[0].staple)"')"
t_eq "stapled scan asked the responder twice (no cache in a new database)" $((before_ocsp + 2)) "$(ocsp_requests)"
J=$("$TLSAUDIT" check --db "$LAB_DIR/staple.db" --policy pci-dss-4.0 --format json) || true
t_eq "pci: a lying good staple does not hide a revocation" fail \
	"$(jq -r '.targets[] | select(.sni == "revoked.lab.test") | .policies[].findings[] | select(.rule_id == "pci-4.2.1-not-revoked") | .verdict' <<<"$J")"
lab_stop staple-good
lab_stop staple-lie

# --- the policy over the stored scan (store_read) -------------------------------------
verdict() { # JSON-of-check SNI RULE
	jq -r --arg s "$2.lab.test" --arg r "$3" '.targets[] | select(.sni == $s) | .policies[].findings[] | select(.rule_id == $r) | .verdict' <<<"$1"
}
J=$("$TLSAUDIT" check --db "$db" --scan 1 --policy pci-dss-4.0 --format json) || true
t_eq "pci not-revoked: good passes" pass "$(verdict "$J" good pci-4.2.1-not-revoked)"
t_eq "pci not-revoked: OCSP revoked fails" fail "$(verdict "$J" revoked pci-4.2.1-not-revoked)"
t_eq "pci not-revoked: CRL revoked fails" fail "$(verdict "$J" crlrev pci-4.2.1-not-revoked)"
for n in stale down garbage wrongkey; do
	t_eq "pci not-revoked: $n is inconclusive" inconclusive "$(verdict "$J" $n pci-4.2.1-not-revoked)"
done
t_eq "pci not-revoked: OCSP down + CRL good passes" pass "$(verdict "$J" downcrl pci-4.2.1-not-revoked)"
t_match "pci chain-complete: fails for what was sent, names the AIA completion" \
	'^fail .*not sent.*completed through AIA: trusted' \
	"$(jq -r '.targets[] | select(.sni == "aia.lab.test") | .policies[].findings[] | select(.rule_id == "pci-4.2.1-chain-complete") | "\(.verdict) \(.evidence)"' <<<"$J")"
J=$("$TLSAUDIT" check --db "$db" --scan 1 --policy nist-sp800-52r2 --format json) || true
t_eq "nist: must-staple without a staple fails" fail "$(verdict "$J" muststaple nist-3.4.1-must-staple)"
t_eq "nist: must-staple rule passes without must-staple" pass "$(verdict "$J" good nist-3.4.1-must-staple)"
t_run 1 "$TLSAUDIT" check --db "$db" --scan 1 --policy pci-dss-4.0
t_match "text report shows the revoked leaf" 'pci-4.2.1-not-revoked.*revoked' "$T_OUT"

# --- the cache across scans -------------------------------------------------------------
before_ocsp=$(ocsp_requests)
before_crl=$(gets 'GET /int.crl')
grep -E 'sni=(good|revoked|crlrev)\.' "$LAB_DIR/targets" >"$LAB_DIR/targets2"
json=$LAB_DIR/scan2.json
t_run 0 "$TLSAUDIT" scan --db "$db" --no-enumerate -j 2 --timeout 5 --ca-file "$P/root.crt" \
	-f "$LAB_DIR/targets2" --format json -o "$json"
t_eq "second scan: no new OCSP request" "$before_ocsp" "$(ocsp_requests)"
t_eq "second scan: no new CRL fetch" "$before_crl" "$(gets 'GET /int.crl')"
t_eq "second scan: same answers, from the cache" "good true|revoked true|revoked true" \
	"$(for n in good revoked crlrev; do rev $n '.revocation[0] | "\(.status) \(.from_cache)"'; done | paste -sd'|')"
t_run 0 "$TLSAUDIT" scan --db "$db" --no-enumerate --ca-file "$P/root.crt" \
	"$(grep 'sni=revoked\.' "$LAB_DIR/targets" | cut -d' ' -f1)" --sni revoked.lab.test
t_match "text summary: revoked leaf" 'REVOKED' "$T_OUT"
t_match "text summary: revocation line" 'Revoked\? #0 revoked via ocsp \(cached\)' "$T_OUT"

# --- --offline ------------------------------------------------------------------------------
before_ocsp=$(ocsp_requests)
before_http=$(wc -l <"$access_log")
json=$LAB_DIR/scan3.json
t_run 0 "$TLSAUDIT" scan --db "$LAB_DIR/offline.db" --offline --no-enumerate --timeout 5 \
	--ca-file "$P/root.crt" -f "$LAB_DIR/targets" --hsts --format json -o "$json"
t_eq "--offline: every certificate not checked" "not-checked" \
	"$(jq -r '[.targets[].revocation[].status] | unique | join(",")' "$json")"
t_eq "--offline: AIA not tried" "false" "$(rev aia '.chain.aia.attempted')"
t_eq "--offline: no HTTP check" "null" "$(rev good '.http')"
t_eq "--offline: no OCSP request" "$before_ocsp" "$(ocsp_requests)"
t_eq "--offline: no HTTP request" "$before_http" "$(wc -l <"$access_log")"
J=$("$TLSAUDIT" check --db "$LAB_DIR/offline.db" --policy pci-dss-4.0 --format json) || true
t_eq "--offline: not-revoked is inconclusive" inconclusive "$(verdict "$J" good pci-4.2.1-not-revoked)"

# --- HSTS and the port-80 redirect -------------------------------------------------------------
lab_http_static redirect80 80 "$P/www" 'location / { return 301 https://$host$request_uri; }'
json=$LAB_DIR/scan4.json
t_run 0 "$TLSAUDIT" scan --db "$LAB_DIR/hsts.db" --no-enumerate --timeout 5 --ca-file "$P/root.crt" \
	--sni good.lab.test --hsts --http-redirect "$hsts_target" "$nohsts_target" --format json -o "$json"
h() { jq -r --arg t "$1" '.targets[] | select("\(.host):\(.port)" == $t) | '"$2" "$json"; }
t_eq "HSTS header read" "true true 31536000 true false" \
	"$(h "$hsts_target" '.http.hsts | "\(.present) \(.valid) \(.max_age) \(.include_subdomains) \(.preload)"')"
t_eq "no HSTS header" "false null" "$(h "$nohsts_target" '.http.hsts | "\(.present) \(.max_age)"')"
t_eq "port 80 redirects to HTTPS" "true 301" \
	"$(h "$hsts_target" '.http.http_redirect | "\(.redirects_to_https) \(.status)"')"
J=$("$TLSAUDIT" check --db "$LAB_DIR/hsts.db" --policy mozilla-intermediate --format json) || true
hv() { jq -r --arg p "${1##*:}" '.targets[] | select((.port|tostring) == $p) | .policies[].findings[] | select(.rule_id == "moz-int-hsts") | .verdict' <<<"$J"; }
t_eq "mozilla: HSTS max-age one year fails (6.0 asks for two years)" fail "$(hv "$hsts_target")"
t_eq "mozilla: no HSTS fails" fail "$(hv "$nohsts_target")"
lab_stop redirect80
t_run 0 "$TLSAUDIT" scan --db "$LAB_DIR/hsts.db" --no-enumerate --timeout 5 --ca-file "$P/root.crt" \
	--sni good.lab.test --http-redirect "$hsts_target" --format json -o "$json"
t_match "nothing on port 80: a reason, no verdict" '[Cc]onnect|refused' \
	"$(h "$hsts_target" '.http.http_redirect.error')"

t_done
