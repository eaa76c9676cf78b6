#!/usr/bin/env bash
# tests/integration/vulns_cache.sh - vulnerability results reused within one
# scan (scanner/probes/cache.h) against a real server in the lab's
# namespace: the lab's nginx `legacy` (TLS 1.0-1.2, RSA and ECDHE suites, so
# every loop and worker probe runs) listed three times in one targets file,
# twice with sni=legacy.lab.test and once with sni=other.lab.test (nginx's
# default server: the same certificate and configuration), and once with
# sni=good-ecdsa.lab.test, a second server block on the same port with an
# ECDSA certificate: other suites, so nothing of it is shared either way.
#
# The same scan runs cached (the default, -j 3: the three units' worker
# tracks run at once, their loop tracks side by side on the loop) and with
# --no-vuln-cache, nginx running under strace (-e accept,accept4: the
# connections it accepted; the scanner itself is not traced, so a
# sanitizer build still checks it for leaks):
#   - results: per SNI the same rows (id, version, suite, state, detail and
#     evidence with the "reused from ..." prefix taken off) in both scans;
#   - reuse: each PROBE_REUSE_ADDR probe ran once for the three targets
#     (two rows name the target that ran it), each PROBE_REUSE_SNI probe once
#     per SNI (one of the two legacy.lab.test rows reused, the
#     other.lab.test row its own); the evidence names that target's line of
#     the targets file and its SNI; nothing reused without the cache or in
#     a scan of the target alone;
#   - connections: the cached scan made exactly as many fewer connections
#     as the reused rows had made (each row's own count: "(N connections)"
#     or "N connections;", one for a hello probe's "sent: ...", none for a
#     row recorded without a connection), the enumerations' own counts
#     (which are not shared) taken off both.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v strace >/dev/null || { echo "strace is needed (apt-get install strace)" >&2; exit 99; }
command -v nginx >/dev/null || { echo "nginx is needed (apt-get install nginx-light)" >&2; exit 99; }

lab_init
lab_certs >/dev/null
lab_start legacy >/dev/null
work=$LAB_DIR/cache
mkdir -p "$work"
port=$(lab_port legacy)
# The same nginx again, on the same port and configuration plus the ECDSA
# virtual host, under strace (the lab's exit trap stops it by its pid file).
lab_stop legacy
d=$LAB_RUN/legacy
sed '$d' "$d/nginx.conf" >"$work/nginx.conf" # all but the closing brace of http
cat >>"$work/nginx.conf" <<EOF
    server {
        listen 127.0.0.1:$port ssl;
        server_name good-ecdsa.lab.test;
        ssl_certificate $LAB_CERTS/good-ecdsa.chain.pem;
        ssl_certificate_key $LAB_CERTS/good-ecdsa.key;
        location / { return 200 "ecdsa\n"; }
    }
}
EOF
_lab_spawn legacy-traced "$port" strace -f -qq --seccomp-bpf -e trace=accept,accept4 \
	-o "$work/accepts" -- nginx -p "$d" -e "$d/error.log" -c "$work/nginx.conf" ||
	{ echo "nginx did not start under strace" >&2; exit 99; }
# accepts: the connections nginx accepted so far.
accepts() {
	local n
	n=$(grep -cE 'accept4?(\(| resumed).*\) = [0-9]+$' "$work/accepts") || true
	echo "${n:-0}"
}
tf=$work/three.targets
printf '127.0.0.1:%s sni=%s\n' "$port" legacy.lab.test "$port" legacy.lab.test \
	"$port" other.lab.test "$port" good-ecdsa.lab.test >"$tf"
printf '127.0.0.1:%s sni=legacy.lab.test\n' "$port" >"$work/one.targets"

addr_probes="heartbleed ccs_injection fallback_scsv grease_intolerance version_intolerance long_hello_intolerance"
sni_probes="compression robot client_renegotiation resumption_id resumption_ticket early_data ticketbleed"

# scan NAME TARGETS ARGS...: JSON in NAME.json, its exit status checked, the
# connections nginx accepted meanwhile in NAME.conns.
scan() {
	local name=$1 targets=$2 a0 rc=0
	shift 2
	sleep 0.3 # strace has written the last scan's accepts
	a0=$(accepts)
	"$TLSAUDIT" scan --db "$work/$name.db" --ca-file "$LAB_CA" --timeout 10 --offline \
		-j 3 --format json "$@" -f "$targets" >"$work/$name.json" 2>"$work/$name.err" || rc=$?
	t_eq "$name: exit 0" 0 "$rc"
	sleep 0.3
	echo $(($(accepts) - a0)) >"$work/$name.conns"
}
scan cached "$tf"
scan uncached "$tf" --no-vuln-cache
scan alone "$work/one.targets"

t_eq "cached: four targets" 4 "$(jq '.targets | length' "$work/cached.json")"
t_eq "uncached: four targets" 4 "$(jq '.targets | length' "$work/uncached.json")"

# rows NAME: every probe row as SNI, id, version, suite, state, detail and
# evidence without the reuse prefix, sorted.
rows() {
	jq -r '.targets[] | .sni as $s | .probes[] | [$s, .id, (.version // ""), (.suite // 0 | tostring),
		.state, .detail, ((.evidence // "") | sub("^reused from [^ ]+ \\([^)]*\\)(: )?"; ""))] | @tsv' \
		"$work/$1.json" | sort
}
rows cached >"$work/cached.rows"
rows uncached >"$work/uncached.rows"
if diff "$work/uncached.rows" "$work/cached.rows" >"$work/rows.diff"; then
	t_ok "the cached scan's rows are the uncached scan's ($(wc -l <"$work/cached.rows") rows)"
else
	t_fail "the cached scan's rows are the uncached scan's" "$(head -20 "$work/rows.diff")"
fi

# count NAME PROBE SNI REUSED: how many of PROBE's rows of the targets with
# SNI ("": the three RSA ones) say they were reused (REUSED true) or not.
count() {
	jq --arg p "$2" --arg s "$3" --argjson r "$4" '[.targets[]
		| select(($s == "" and .sni != "good-ecdsa.lab.test") or .sni == $s)
		| .probes[] | select(.id == $p)
		| select(((.evidence // "") | startswith("reused from ")) == $r)] | length' "$work/$1.json"
}
for p in $addr_probes; do
	t_eq "cached: $p ran once for the three targets" 1 "$(count cached "$p" "" false)"
	t_eq "cached: $p reused by the two others" 2 "$(count cached "$p" "" true)"
done
for p in $sni_probes; do
	n=$(count cached "$p" legacy.lab.test false)
	[ "$p" = resumption_ticket ] || t_eq "cached: $p ran once for sni=legacy.lab.test" 1 "$n"
	t_eq "cached: $p (one row a version) reused by the other legacy.lab.test target" \
		"$n" "$(count cached "$p" legacy.lab.test true)"
	t_eq "cached: $p not reused for sni=other.lab.test" 0 "$(count cached "$p" other.lab.test true)"
done
# The ECDSA virtual host's enumeration differs: it shares nothing.
t_eq "cached: the ECDSA host ran its own probes" 0 \
	"$(jq '[.targets[] | select(.sni == "good-ecdsa.lab.test") | .probes[]
		| select((.evidence // "") | startswith("reused"))] | length' "$work/cached.json")"
t_eq "cached: the ECDSA host ran heartbleed itself" 1 "$(count cached heartbleed good-ecdsa.lab.test false)"
t_eq "cached: nothing reused from the ECDSA host (line 4)" 0 \
	"$(jq --arg l "$tf:4 " '[.targets[].probes[] | select((.evidence // "") | startswith("reused from " + $l))]
		| length' "$work/cached.json")"
t_match "the ECDSA host's suites are ECDSA ones" 'ECDHE_ECDSA' \
	"$(jq -r '.targets[] | select(.sni == "good-ecdsa.lab.test") | [.probes[] | select(.id == "heartbleed") | .evidence][0]' \
		"$work/cached.json")"
# The derived checks and the enumeration are never shared.
t_eq "cached: no derived row reused" 0 "$(jq '[.targets[].probes[] | select(.id == "poodle" or .id == "key_reuse")
	| select((.evidence // "") | startswith("reused"))] | length' "$work/cached.json")"

# The evidence names the target that ran the probe: its line and SNI.
ev=$(jq -r '[.targets[] | select(.sni == "other.lab.test") | .probes[]
	| select(.id == "heartbleed") | .evidence][0]' "$work/cached.json")
t_match "cached: other.lab.test's heartbleed names a legacy.lab.test line" \
	"^reused from $tf:[12] \\(127\\.0\\.0\\.1:$port, sni legacy\\.lab\\.test, address 127\\.0\\.0\\.1\\): sent: " "$ev"
ev=$(jq -r '[.targets[].probes[] | select(.id == "robot") | (.evidence // "")
	| select(startswith("reused"))][0]' "$work/cached.json")
t_match "cached: the reused robot row names the other legacy.lab.test line" \
	"^reused from $tf:[12] \\(127\\.0\\.0\\.1:$port, sni legacy\\.lab\\.test, address 127\\.0\\.0\\.1\\): TLS 1\\.2 .*connections" "$ev"
t_eq "uncached: nothing reused" 0 "$(jq '[.targets[].probes[] | select((.evidence // "") | startswith("reused from"))] | length' "$work/uncached.json")"
t_eq "alone: nothing reused" 0 "$(jq '[.targets[].probes[] | select((.evidence // "") | startswith("reused from"))] | length' "$work/alone.json")"

# Connections: the saved ones are exactly the reused rows' own.
saved=$(jq '[.targets[].probes[] | select((.evidence // "") | startswith("reused from "))
	| (.evidence | sub("^reused from [^ ]+ \\([^)]*\\)(: )?"; "")) as $e
	| if ($e | test("[0-9]+ connections?")) then ($e | capture("(?<n>[0-9]+) connections?").n | tonumber)
	  elif ($e | startswith("sent: ")) then 1 else 0 end] | add' "$work/cached.json")
enum_c=$(jq '[.targets[].enumeration.probes] | add' "$work/cached.json")
enum_u=$(jq '[.targets[].enumeration.probes] | add' "$work/uncached.json")
conns_c=$(cat "$work/cached.conns")
conns_u=$(cat "$work/uncached.conns")
echo "# connections: cached $conns_c (enumeration $enum_c), uncached $conns_u (enumeration $enum_u); the reused rows had made $saved"
t_match "connections were counted" '^[1-9][0-9]*$' "$conns_c"
t_eq "cached: fewer connections by exactly the reused rows' ($saved)" "$saved" \
	"$(((conns_u - enum_u) - (conns_c - enum_c)))"
t_match "some connections were saved" '^[1-9][0-9]*$' "$saved"

t_done
