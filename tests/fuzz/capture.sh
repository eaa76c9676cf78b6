#!/usr/bin/env bash
# tests/fuzz/capture.sh - captures real servers' first flights into
# tests/data/hello/ (the parser tests' data) and seeds the fuzz corpus.
# Run by hand after changing the builder, not by make check:
#
#     tests/fuzz/capture.sh BUILDDIR
#
# BUILDDIR holds a configured and built tree (libscanner.a, libcommon.a).
# Starts openssl s_server and gnutls-serv on 127.0.0.1 (inside a private
# network namespace when run as root) with throwaway certificates, sends
# each a hello from tests/fuzz/capture.c and saves what it answers. The
# servers are stopped by PID.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: capture.sh BUILDDIR}" && pwd)

if [ "$(id -u)" = 0 ] && [ -z "${CAPTURE_NETNS-}" ]; then
	exec env CAPTURE_NETNS=1 unshare -n bash -c 'ip link set lo up && exec bash "$0" "$@"' "$0" "$@"
fi

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

out=$top/tests/data/hello
mkdir -p "$out"

cc -std=c11 -D_GNU_SOURCE -I"$top" -I"$build" -o "$work/capture" "$top/tests/fuzz/capture.c" \
	"$build/libscanner.a" "$build/libcommon.a" -lgnutls -pthread

# Certificates: a root CA, an RSA leaf and an ECDSA leaf signed by it.
cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 \
	-subj "/CN=capture root" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.csr -subj /CN=localhost 2>/dev/null
openssl x509 -req -in rsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out rsa.pem -days 30 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.csr \
	-subj /CN=localhost 2>/dev/null
openssl x509 -req -in ec.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out ec.pem -days 30 2>/dev/null
openssl dhparam -out dh2048.pem 2048 2>/dev/null
# RFC 2409 Oakley group 2, the 1024-bit prime weak servers still use
cat > dh1024.pem <<'PEM'
-----BEGIN DH PARAMETERS-----
MIGHAoGBAP//////////yQ/aoiFowjTExmKLgNwc0SkCTgiKZ8x0Agu+pjsTmyJR
Sgh5jjQE3e+VGbPNOkMbMCsKbfJfFDdP4TVtbVHCReSFtXZiXn7G9ExC6aY37WsL
/1y29Aa37e44a/taiZ+lrp8kEXxLH+ZJKGZR7OZTgf//////////AgEC
-----END DH PARAMETERS-----
PEM

# s_server quits when its stdin ends: give it a FIFO we keep open.
mkfifo stdin.fifo
exec 3<>stdin.fifo

# ossl NAME VERSION [SUITES] -- s_server options: one capture from a fresh s_server
ossl() {
	local name=$1 version=$2 suites=$3
	shift 3
	[ "$1" = -- ] && shift
	openssl s_server -accept 127.0.0.1:0 -naccept 1 "$@" <&3 >"$name.log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	local port="" i
	for i in $(seq 50); do
		port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$name.log")
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || { echo "capture: $name: s_server did not start" >&2; cat "$name.log" >&2; return 1; }
	# shellcheck disable=SC2086
	"$work/capture" "$port" "$version" "$out/$name.bin" $suites 2>&1 | sed "s/^/$name: /"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# gnu NAME VERSION PRIORITY: one capture from gnutls-serv
gnu() {
	local name=$1 version=$2 prio=$3 port
	port=$(free_port)
	gnutls-serv --port "$port" --x509certfile rsa.pem --x509keyfile rsa.key \
		--priority "$prio" >"$name.log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	local i
	for i in $(seq 50); do
		grep -q "Echo Server listening" "$name.log" 2>/dev/null && break
		sleep 0.1
	done
	"$work/capture" "$port" "$version" "$out/$name.bin" 2>&1 | sed "s/^/$name: /"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

chain=(-cert rsa.pem -key rsa.key -cert_chain ca.pem)
ossl openssl-tls12-ecdhe-rsa tls12 "" -- "${chain[@]}" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
ossl openssl-tls12-dhe-rsa tls12 "" -- "${chain[@]}" -tls1_2 -dhparam dh2048.pem \
	-cipher DHE-RSA-AES256-GCM-SHA384
ossl openssl-tls12-dhe1024 tls12 "" -- "${chain[@]}" -tls1_2 -dhparam dh1024.pem \
	-cipher 'DHE-RSA-AES128-SHA:@SECLEVEL=0'
ossl openssl-tls12-certreq tls12 "" -- "${chain[@]}" -tls1_2 -verify 1 -cipher AES128-SHA256
ossl openssl-tls12-ecdsa-alpn tls12-alpn "" -- -cert ec.pem -key ec.key -tls1_2 -alpn h2
ossl openssl-tls11-ecdhe tls11 "" -- "${chain[@]}" -tls1_1 -cipher 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'
ossl openssl-tls13 tls13 "" -- "${chain[@]}" -tls1_3
ossl openssl-tls13-p256 tls13 "" -- "${chain[@]}" -tls1_3 -groups P-256
ossl openssl-tls13-hrr tls13-hrr "" -- "${chain[@]}" -tls1_3
ossl openssl-tls12-downgrade tls12 "" -- "${chain[@]}" -cipher 'ECDHE-RSA-AES256-GCM-SHA384'
ossl openssl-alert-version tls10 "" -- "${chain[@]}" -tls1_2
ossl openssl-alert-nosuite tls12 "002f" -- "${chain[@]}" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
ossl openssl-ssl2 ssl2 "" -- "${chain[@]}"
gnu gnutls-tls12 tls12 'NORMAL:-VERS-TLS1.3'
gnu gnutls-tls13 tls13 'NORMAL'
gnu gnutls-tls12-dhe tls12 'NORMAL:-VERS-TLS1.3:-KX-ALL:+DHE-RSA'
gnu gnutls-tls12-downgrade tls12 'NORMAL'

ls -l "$out"
python3 "$top/tests/fuzz/seed_corpus.py"
