#!/bin/bash
# tests/scripted/selftest.sh - checks legacy_server.py: starts it in several
# configurations on 127.0.0.1 ephemeral ports and checks its answers with
# `openssl s_client -msg` (TLS 1.0-1.3 with suites OpenSSL 3.0 still offers)
# and with probe.py's hand-built hellos (SSLv2, SSLv3, EXPORT, RC4, NULL,
# anon, record layouts, hostile modes, fuzzing, concurrency, SIGTERM).
#
#   tests/scripted/selftest.sh            one line per check, then "N passed, M failed";
#                                         exit 1 on a failure, 77 without python3
#   VERBOSE=1 tests/scripted/selftest.sh  also print the server log of a failed check
#
# Environment: PYTHON (default /usr/bin/python3, else python3 from PATH),
# OPENSSL (default openssl; the s_client checks are skipped without it).
set -u

here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${PYTHON-}" ]; then
	PY=$PYTHON
elif [ -x /usr/bin/python3 ]; then
	PY=/usr/bin/python3
else
	PY=$(command -v python3) || { echo "SKIP: python3 not found"; exit 77; }
fi
export PYTHONDONTWRITEBYTECODE=1
OPENSSL=${OPENSSL:-openssl}
have_openssl=1
command -v "$OPENSSL" >/dev/null 2>&1 || have_openssl=0
command -v timeout >/dev/null 2>&1 || { echo "SKIP: timeout(1) not found"; exit 77; }

tmp=$(mktemp -d)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

PASS=0
FAIL=0
t_start=$(date +%s.%N)

ok() {
	PASS=$((PASS + 1))
	printf 'ok   %s\n' "$1"
}

fail() {
	FAIL=$((FAIL + 1))
	printf 'FAIL %s\n' "$1"
	shift
	[ $# -gt 0 ] && printf '     %s\n' "$@"
	if [ -n "${VERBOSE-}" ] && [ -n "${NAME-}" ] && [ -f "$tmp/$NAME.err" ]; then
		sed 's/^/     | /' "$tmp/$NAME.err"
	fi
	return 0
}

# check NAME REGEX GOT
check() {
	if printf '%s' "$3" | grep -qE -- "$2"; then
		ok "$1"
	else
		fail "$1" "want: $2" "got:  $3"
	fi
}

# start NAME ARGS...: start a server; sets NAME, PORT and SPID.
start() {
	NAME=$1
	shift
	"$PY" "$here/legacy_server.py" --pidfile "$tmp/$NAME.pid" --timeout 2 --verbose "$@" \
		>"$tmp/$NAME.out" 2>"$tmp/$NAME.err" &
	SPID=$!
	PIDS+=("$SPID")
	PORT=
	local i tag p
	for i in $(seq 200); do
		if read -r tag p <"$tmp/$NAME.out" 2>/dev/null && [ "$tag" = PORT ]; then
			PORT=$p
			return 0
		fi
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
	done
	fail "start $NAME" "$(cat "$tmp/$NAME.err")"
	return 1
}

stop() {
	kill -TERM "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
}

# Checks are collected per server and run in one python process:
#   ossl NAME REGEX S_CLIENT_ARGS...   an s_client run (now), summarised later
#   pcase NAME REGEX PROBE_ARGS...     a probe.py line for the batch
#   run_cases                          runs the batch, summarises, checks in order
CASES=()
: >"$tmp/batch"
ossl() {
	local name=$1 want=$2 n=${#CASES[@]}
	shift 2
	timeout 5 "$OPENSSL" s_client -connect "127.0.0.1:$PORT" -legacy_server_connect -msg "$@" \
		</dev/null >"$tmp/ossl.$n" 2>&1
	CASES+=("ossl~$name~$want")
}
pcase() {
	local name=$1 want=$2
	shift 2
	printf '%s\n' "$*" >>"$tmp/batch"
	CASES+=("probe~$name~$want")
}
run_cases() {
	local files=() i kind name want
	for i in "${!CASES[@]}"; do
		[ "${CASES[$i]%%~*}" = ossl ] && files+=("$tmp/ossl.$i")
	done
	: >"$tmp/ossl.res"
	[ ${#files[@]} -gt 0 ] && "$PY" "$here/probe.py" msg "${files[@]}" >"$tmp/ossl.res" 2>&1
	: >"$tmp/probe.res"
	[ -s "$tmp/batch" ] && "$PY" "$here/probe.py" batch --port "$PORT" --timeout 2 --parallel 8 \
		<"$tmp/batch" >"$tmp/probe.res" 2>&1
	local oi=1 pi=1 got
	for i in "${!CASES[@]}"; do
		IFS='~' read -r kind name want <<<"${CASES[$i]}"
		if [ "$kind" = ossl ]; then
			got=$(sed -n "${oi}p" "$tmp/ossl.res")
			oi=$((oi + 1))
		else
			got=$(sed -n "${pi}p" "$tmp/probe.res")
			pi=$((pi + 1))
		fi
		check "$name" "$want" "$got"
	done
	CASES=()
	: >"$tmp/batch"
	rm -f "$tmp"/ossl.[0-9]*
}

# --- OpenSSL s_client against TLS 1.0-1.3 configurations -------------------------------

if [ $have_openssl = 1 ]; then
	if start modern --versions tls1.0,tls1.1,tls1.2,tls1.3 \
		--suites 0x009E,0xC02F,0xC030,0x002F,0x0035,0x0002,0x1302,0x1301 \
		--groups secp384r1,x25519 --echo-ext all --alpn h2,http/1.1 --order server; then
		ossl "s_client tls1.2: server order picks ECDHE-RSA-AES128-GCM (0xC02F)" \
			'^SH ver=0x0303 suite=0xC02F ' -tls1_2 -cipher 'AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256'
		ossl "s_client tls1.2: ECDHE group by server order (secp384r1), RSA-PSS sigalg" \
			'ske=ecdhe:0x0018 sigalg=0x0804' \
			-tls1_2 -cipher 'ECDHE-RSA-AES128-GCM-SHA256' -groups X25519:P-384
		ossl "s_client tls1.2: server order over client order (AES128-SHA before AES256-SHA)" \
			'^SH ver=0x0303 suite=0x002F ' -tls1_2 -cipher 'AES256-SHA:AES128-SHA'
		ossl "s_client tls1.2: renegotiation_info, ETM (CBC), EMS echoed; Certificate, ServerHelloDone" \
			'suite=0x002F ext=ff01,.*0016,0017 .*msgs=2,11,14 certs=1' -tls1_2 -cipher AES128-SHA
		ossl "s_client tls1.2: ALPN by server preference (h2)" \
			'alpn=h2' -tls1_2 -cipher AES128-SHA -alpn http/1.1,h2
		ossl "s_client tls1.0: GCM suites not negotiable, AES128-SHA (0x002F)" \
			'^SH ver=0x0301 suite=0x002F ' -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
		ossl "s_client tls1.2: NULL-SHA (0x0002)" \
			'^SH ver=0x0303 suite=0x0002 ' -tls1_2 -cipher 'NULL-SHA:@SECLEVEL=0'
		ossl "s_client tls1.2: no shared suite -> handshake_failure" \
			'^ALERT 40$' -tls1_2 -cipher AES256-GCM-SHA384
		ossl "s_client tls1.3: key_share secp384r1 -> ServerHello 0x1302 secp384r1" \
			'^SH ver=0x0304 suite=0x1302 group=0x0018' -tls1_3 -groups P-384:X25519
		ossl "s_client tls1.3: key_share P-256 only -> HelloRetryRequest x25519, then ServerHello" \
			'^HRR suite=0x1302 group=0x001D \| SH ver=0x0304 suite=0x1302 group=0x001D' \
			-tls1_3 -groups P-256:X25519
		ossl "s_client tls1.2 to a 1.3-capable server: downgrade sentinel" \
			'downgrade' -tls1_2 -cipher AES128-SHA
		run_cases
		stop
	fi

	if start old --versions tls1.0,tls1.1 --suites 0x002F,0x0035,0x0033 --order client \
		--dh-bits 1024; then
		ossl "s_client offering tls1.2 to a tls1.0/1.1 server: ServerHello 0x0302" \
			'^SH ver=0x0302 ' -no_tls1_3 -cipher 'DEFAULT:@SECLEVEL=0'
		ossl "s_client tls1.1: no extensions echoed by default (no renegotiation_info)" \
			'^SH ver=0x0302 suite=0x002F msgs=2,11,14 certs=1' -tls1_1 -cipher 'AES128-SHA:@SECLEVEL=0'
		ossl "s_client tls1.1: client order picks the client's first (AES256-SHA)" \
			'^SH ver=0x0302 suite=0x0035 ' -tls1_1 -cipher 'AES256-SHA:AES128-SHA:@SECLEVEL=0'
		ossl "s_client tls1.1: DHE prime of --dh-bits 1024" \
			'suite=0x0033 .*ske=dhe:1024$' -tls1_1 -cipher 'DHE-RSA-AES128-SHA:@SECLEVEL=0'
		run_cases
		stop
	fi

	if start ecdsa --versions tls1.2 --suites 0xC02B,0xC009 --groups secp256r1 \
		--sigalgs ecdsa_secp256r1_sha256,rsa_pss_rsae_sha256; then
		ossl "s_client tls1.2: ECDHE-ECDSA with the ECDSA certificate and an ECDSA sigalg" \
			'suite=0xC02B .*ske=ecdhe:0x0017 sigalg=0x0403' \
			-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups P-256
		ossl "s_client tls1.0 hello to a tls1.2-only server -> protocol_version" \
			'^ALERT 70$' -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
		ossl "s_client tls1.2: no shared signature algorithm -> handshake_failure" \
			'^ALERT 40$' -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -sigalgs ECDSA+SHA384
		run_cases
		stop
	fi
else
	echo "skip openssl s_client checks: $OPENSSL not found"
fi

# --- hand-built hellos: SSLv2, SSLv3, EXPORT, RC4, NULL, anon ----------------------------

if start legacy --versions ssl2,ssl3,tls1.0 \
	--suites 0x0004,0x0005,0x0003,0x0014,0x0001,0x0018,0x000A \
	--ssl2-ciphers 0x010080,0x020080,0x0700C0 --echo-ext renegotiation_info; then
	pcase "ssl2: SERVER-HELLO lists the shared kinds in server order, with a certificate" \
		'^SSL2 ver=0x0002 kinds=0x010080,0x020080 cert=1$' ssl2 --kinds 0x060040,0x020080,0x010080
	pcase "ssl2: no shared kind -> ERROR NO-CIPHER" \
		'^SSL2-ERROR 1$' ssl2 --kinds 0x060040,0x080080
	pcase "ssl3: RC4-MD5 by server order" \
		'^SH ver=0x0300 suite=0x0004 msgs=2,11,14 certs=1$' tls --version ssl3 --suites 0x0005,0x0004
	pcase "ssl3: RSA_EXPORT_WITH_RC4_40_MD5 sends a 512-bit RSA ServerKeyExchange" \
		'^SH ver=0x0300 suite=0x0003 msgs=2,11,12,14 certs=1 ske=rsa:512$' \
		tls --version ssl3 --suites 0x0003
	pcase "tls1.0: DHE_RSA_EXPORT_WITH_DES40 sends a 512-bit DH prime" \
		'^SH ver=0x0301 suite=0x0014 msgs=2,11,12,14 certs=1 ske=dhe:512$' \
		tls --version tls1.0 --suites 0x0014
	pcase "tls1.2 hello to an ssl3/tls1.0 server: ServerHello 0x0301" \
		'^SH ver=0x0301 suite=0x0005 ' tls --version tls1.2 --suites 0x0035,0x0005
	pcase "DH_anon_WITH_RC4_128_MD5: no Certificate, DH ServerKeyExchange" \
		'^SH ver=0x0301 suite=0x0018 msgs=2,12,14 ske=dhe:1024$' tls --version tls1.0 --suites 0x0018
	pcase "RSA_WITH_NULL_MD5 (0x0001)" \
		'^SH ver=0x0301 suite=0x0001 ' tls --version tls1.0 --suites 0x0001
	pcase "renegotiation_info echoed for the SCSV (0x00FF)" \
		'^SH ver=0x0300 suite=0x0004 ext=ff01 ' tls --version ssl3 --suites 0x0004,0x00FF
	pcase "TLS hello in SSLv2-compatible format -> TLS ServerHello" \
		'^SH ver=0x0301 suite=0x0004 ' v2compat --version tls1.0 --suites 0x0004 --kinds 0x010080
	pcase "SSLv2-compatible hello, no shared TLS suite -> SSLv2 SERVER-HELLO" \
		'^SSL2 ver=0x0002 kinds=0x010080 ' v2compat --version tls1.0 --suites 0x0035 --kinds 0x010080
	pcase "ClientHello split over 7-byte client records" \
		'^SH ver=0x0300 suite=0x0004 ' tls --version ssl3 --suites 0x0004 --client-fragment 7
	run_cases
	check "40 parallel connections all answered" '^40 x SH ver=0x0300 suite=0x0004 ' \
		"$("$PY" "$here/probe.py" --port "$PORT" tls --version ssl3 --suites 0x0004 --parallel 40)"
	"$PY" "$here/probe.py" fuzz --port "$PORT" --count 300 --parallel 60 --timeout 0.3 >/dev/null
	pcase "still answering after 300 fuzzed hellos" \
		'^SH ver=0x0300 suite=0x0004 ' tls --version ssl3 --suites 0x0004
	run_cases
	if grep -q 'internal error' "$tmp/legacy.err"; then
		fail "no internal error on fuzzed input" "$(grep 'internal error' "$tmp/legacy.err" | head -3)"
	else
		ok "no internal error on fuzzed input"
	fi
	kill -TERM "$SPID"
	wait "$SPID"
	rc=$?
	check "SIGTERM: exit 0, pidfile removed" '^0 gone$' \
		"$rc $([ -e "$tmp/legacy.pid" ] && echo present || echo gone)"
fi

if start tls11 --versions tls1.1,tls1.2 --suites 0x0003,0x0005,0xC013 --split-records \
	--fragment 100 --groups secp256r1; then
	pcase "EXPORT suite not negotiated in TLS 1.1 (registry versions column)" \
		'^SH ver=0x0302 suite=0x0005 ' tls --version tls1.1 --suites 0x0003,0x0005
	pcase "--split-records --fragment 100: flight reassembled" \
		'^SH ver=0x0303 suite=0xC013 ext=000b msgs=2,11,12,14 certs=1 ske=ecdhe:0x0017 sigalg=0x0201$' \
		tls --version tls1.2 --suites 0xC013 --groups x25519,secp256r1
	pcase "ECDHE suite skipped without a shared group" \
		'^SH ver=0x0303 suite=0x0005 ' tls --version tls1.2 --suites 0xC013,0x0005 --groups x448
	run_cases
	stop
fi

if start chunk --versions tls1.2 --suites 0x002F --tcp-chunk 7 --write-delay-ms 1; then
	pcase "--tcp-chunk 7: flight reassembled across writes" \
		'^SH ver=0x0303 suite=0x002F msgs=2,11,14 certs=1$' tls --suites 0x002F
	run_cases
	stop
fi

cat >"$tmp/conf.json" <<'EOF'
{"versions": ["ssl3"], "suites": ["RC4-SHA", "0x0004"], "order": "client"}
EOF
if start json --config "$tmp/conf.json"; then
	pcase "--config JSON: ssl3, client order" \
		'^SH ver=0x0300 suite=0x0004 ' tls --version tls1.0 --suites 0x0004,0x0005
	run_cases
	stop
fi

check "--show-config: per-version lists filtered by the registry" '^tls1.1 0x0005$' \
	"$("$PY" "$here/legacy_server.py" --show-config --versions tls1.0,tls1.1 --suites 0x0003,0x0005 |
		grep '^tls1.1')"

# --- hostile modes (one server, the mode chosen by the probe's SNI) ------------------------

if start hostile --versions tls1.2,tls1.3 --suites 0x002F,0x0035,0x1301 --misbehave-by-sni \
	--trickle-ms 0.2; then
	# hcase MODE REGEX [PROBE ARGS...]
	hcase() {
		local mode=$1 want=$2
		shift 2
		pcase "misbehave $mode${*:+ (tls1.3)}" "$want" tls --timeout 1 --sni "$mode.test" \
			--suites 0x002F "$@"
	}
	# shellcheck disable=SC2054
	T13=(--sv tls1.3,tls1.2 --suites 0x1301 --groups x25519 --keyshare x25519)
	hcase silence '^TIMEOUT after 0 bytes$'
	hcase close '^EOF after 0 bytes$'
	hcase reset '^RESET after 0 bytes$'
	hcase reset-mid '^RESET after [1-9][0-9]* bytes$'
	hcase truncate '^EOF after [1-9][0-9]* bytes$'
	hcase bad-length '^EOF after [1-9][0-9]* bytes$'
	hcase bad-hs-length '^EOF after [1-9][0-9]* bytes$'
	hcase oversize '^OVERSIZE claim=16777215$'
	hcase wrong-suite '^SH ver=0x0303 suite=0x0035 '
	hcase wrong-version '^SH ver=0x0304 suite=0x002F '
	hcase alert-instead '^ALERT [0-9]+$'
	hcase garbage '^(GARBAGE|EOF|TIMEOUT|SSL2|SH|ALERT|OVERSIZE)'
	hcase trickle '^SH ver=0x0303 suite=0x002F .*msgs=2,11,14 certs=1$'
	hcase duplicate-ext '^SH ver=0x0303 suite=0x002F ext=ff01,ff01 '
	hcase empty-hello '^BAD-SH '
	hcase scsv-suite '^SH ver=0x0303 suite=0x00FF '
	hcase fallback-scsv-suite '^SH ver=0x0303 suite=0x5600 '
	hcase dtls-version '^GARBAGE after [0-9]+ bytes \(16fefd'
	hcase wrong-version '^SH ver=0x0302 suite=0x1301 group=0x001D$' "${T13[@]}"
	hcase duplicate-ext '^SH ver=0x0304 suite=0x1301 group=0x001D dup-ext$' "${T13[@]}"
	hcase none '^SH ver=0x0304 suite=0x1301 group=0x001D$' "${T13[@]}"
	run_cases
	stop
fi

if start count --versions tls1.2 --suites 0x002F --misbehave reset --misbehave-count 1; then
	a=$("$PY" "$here/probe.py" --port "$PORT" tls --suites 0x002F)
	b=$("$PY" "$here/probe.py" --port "$PORT" tls --suites 0x002F)
	check "--misbehave-count 1: first connection reset, second answered" \
		'^RESET after 0 bytes / SH ver=0x0303 suite=0x002F ' "$a / $b"
	stop
fi

awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "selftest took %.1f s\n", b - a }'
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
