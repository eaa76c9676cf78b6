#!/bin/bash
# bench/starttls.sh - a STARTTLS full scan by tlsaudit against sslscan
# --starttls-PROTO and testssl.sh -t PROTO on the same real servers in the
# same run.
#
#   bench/starttls.sh [--protos "smtp imap pop3 ftp"] [--skip "sslscan testssl"] [TLSAUDIT]
#
# A benchmark, not a test: it never fails on a timing. In a private network
# namespace (tests/lab/lab.sh) it starts the lab's STARTTLS servers
# (tests/lab/starttls_lab.sh: postfix, dovecot, vsftpd, each with its own
# TLS configuration), then for each protocol, one run each:
#
#   tlsaudit scan --offline --format json --starttls PROTO   (the full scan)
#   sslscan --no-colour --starttls-PROTO --xml=FILE 127.0.0.1:PORT
#   testssl -t PROTO -E --jsonfile FILE 127.0.0.1:PORT   (ciphers per protocol)
#
# and prints the wall time (date +%s%N), the connections the server saw
# (postfix: "connect from" lines of its maillog; dovecot: its login
# processes' lines; vsftpd keeps no log: "-"), and the TLS 1.2 and 1.3
# suites each found, with every suite another tool found that tlsaudit did
# not (a tlsaudit bug). testssl.sh is CPU-bound bash: minutes per protocol
# on a 2-CPU machine (--skip testssl for a short run).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
top_srcdir=$top
export top_srcdir
. "$top/tests/lab/lab.sh"
lab_netns "$0" "$@"

protos="smtp imap pop3 ftp"
skip=""
while [ $# -gt 0 ]; do
	case $1 in
	--protos) protos=$2; shift 2 ;;
	--skip) skip=$2; shift 2 ;;
	-h | --help) sed -n '2,22p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
TLSAUDIT=${1:-$top/tlsaudit}
command -v jq >/dev/null || { echo "bench: jq is needed" >&2; exit 2; }
lab_init
lab_certs
. "$top/tests/lab/starttls_lab.sh"
stls_lab_start
W=$LAB_DIR/bench
mkdir -p "$W"

skipped() { case " $skip " in *" $1 "*) return 0 ;; esac; return 1; }
now_ns() { date +%s%N; }
# conns PROTO: the connections the server has logged so far.
conns() {
	local f pat n
	case $1 in
	smtp) f=$STLS_SRV/postfix/maillog pat='connect from' ;;
	imap) f=$STLS_SRV/dovecot/dovecot.log pat='imap-login:' ;;
	pop3) f=$STLS_SRV/dovecot/dovecot.log pat='pop3-login:' ;;
	*) echo - && return ;;
	esac
	n=$(grep -c "$pat" "$f" 2>/dev/null || true)
	echo "${n:-0}"
}
port_of() {
	case $1 in smtp) echo "$P_SMTP" ;; imap) echo "$P_IMAP" ;; pop3) echo "$P_POP3" ;; ftp) echo "$P_FTP" ;; esac
}
# run NAME PROTO CMD...: runs CMD, prints "NAME PROTO ms conns".
run() {
	local name=$1 proto=$2 c0 c1 t0 t1
	shift 2
	c0=$(conns "$proto")
	t0=$(now_ns)
	"$@" >"$W/$name-$proto.out" 2>&1 || true
	t1=$(now_ns)
	sleep 0.5 # the servers' last log lines
	c1=$(conns "$proto")
	local dc=-
	[ "$c0" = - ] || dc=$((c1 - c0))
	printf '%-9s %-5s %8d ms  %5s connections\n' "$name" "$proto" $(((t1 - t0) / 1000000)) "$dc"
}
lc() { tr 'A-F' 'a-f'; }

for proto in $protos; do
	p=$(port_of "$proto")
	[ -n "$p" ] || { echo "bench: unknown protocol $proto" >&2; continue; }
	run tlsaudit "$proto" "$TLSAUDIT" scan --db "$W/db" --offline --format json --starttls "$proto" \
		-o "$W/tlsaudit-$proto.json" "127.0.0.1:$p"
	for v in "TLS 1.2" "TLS 1.3"; do
		jq -r --arg v "$v" '.targets[0].enumeration.versions[] | select(.version == $v) | .suites[].code' \
			"$W/tlsaudit-$proto.json" | lc | sort -u >"$W/tlsaudit-$proto-${v// /}"
	done
	if ! skipped sslscan && command -v sslscan >/dev/null; then
		run sslscan "$proto" sslscan --no-colour --show-sigs=no "--starttls-$proto" \
			--xml="$W/sslscan-$proto.xml" "127.0.0.1:$p"
		for v in 1.2 1.3; do
			grep -o "<cipher status=\"[a-z]*\" sslversion=\"TLSv$v\"[^>]*id=\"0x[0-9a-fA-F]*\"" \
				"$W/sslscan-$proto.xml" 2>/dev/null | sed 's/.*id="\(0x[0-9a-fA-F]*\)"/\1/' | lc |
				sort -u >"$W/sslscan-$proto-TLS$v" || true
		done
	fi
	if ! skipped testssl && command -v testssl >/dev/null; then
		run testssl "$proto" testssl --quiet --warnings off -t "$proto" -E \
			--jsonfile "$W/testssl-$proto.json" "127.0.0.1:$p"
		for v in 1_2:1.2 1_3:1.3; do
			jq -r --arg k "cipher-tls${v%%:*}_x" '.[] | select(.id | startswith($k)) | .id' \
				"$W/testssl-$proto.json" 2>/dev/null | sed 's/.*_x/0x/' | lc | sort -u \
				>"$W/testssl-$proto-TLS${v##*:}" || true
		done
	fi
	for v in TLS1.2 TLS1.3; do
		for tool in tlsaudit sslscan testssl; do
			f=$W/$tool-$proto-$v
			[ -f "$f" ] || continue
			printf '  %-9s %s %s: %s\n' "$tool" "$proto" "$v" "$(paste -sd, "$f")"
			if [ "$tool" != tlsaudit ]; then
				missed=$(comm -13 "$W/tlsaudit-$proto-$v" "$f" | paste -sd, -)
				[ -z "$missed" ] || echo "  MISSED by tlsaudit ($tool found): $missed"
			fi
		done
	done
done
