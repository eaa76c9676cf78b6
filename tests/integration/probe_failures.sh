#!/usr/bin/env bash
# tests/integration/probe_failures.sh - connections that fail the moment
# they start (issue 17, item 1): an address with no route, a name whose
# IPv6 address cannot be used, and too few file descriptors. Each must
# become a recorded fact for its target, never a crash, and every other
# target must be scanned and stored in full.
#
# Runs in the lab's private network namespace, where it changes the
# routing of the loopback range (127.0.0.9 made unreachable) and turns
# IPv6 off; the name is given two addresses by a hosts file bound over
# /etc/hosts in a private mount namespace. Every address is 127.0.0.0/8 or
# ::1.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/scripted.sh"

# The scripted server the real targets are: five versions, a few suites.
SRV_ARGS=(--versions ssl3,tls1.0,tls1.1,tls1.2,tls1.3 --order server
	--suites 0xC02F,0x002F,0x0035,0x000A,0x0005,0x1301,0x1302)
scripted_start srv "${SRV_ARGS[@]}"
"$PY" "$SERVER" "${SRV_ARGS[@]}" --show-config >"$work/config"

# connect_errno ADDR: the errno name of a non-blocking connect to ADDR
# port 443 (EINPROGRESS when it did not fail at once).
connect_errno() {
	"$PY" - "$1" <<'EOF'
import errno, socket, sys
addr = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ':' in addr else socket.AF_INET, socket.SOCK_STREAM)
s.setblocking(False)
try:
    s.connect((addr, 443))
    print('connected')
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
EOF
}

# suites_of JSON IP: "version=codes;..." of the enumeration of that address.
suites_of() {
	jq -r --arg ip "$2" '[.targets[] | select(.ip == $ip) | .enumeration.versions[]
		| "\(.version)=\([.suites[].code] | join(","))"] | join(";")' <<<"$1"
}

# The suites the server is configured with, as suites_of prints them.
want_suites() {
	local v label out=""
	for v in ssl2 ssl3 tls1.0 tls1.1 tls1.2 tls1.3; do
		case $v in
		ssl2) label="SSL 2.0" ;; ssl3) label="SSL 3.0" ;; tls1.0) label="TLS 1.0" ;;
		tls1.1) label="TLS 1.1" ;; tls1.2) label="TLS 1.2" ;; tls1.3) label="TLS 1.3" ;;
		esac
		out="$out${out:+;}$label=$(awk -v v="$v" '$1 == v { print $2 }' "$work/config" |
			tr 'a-f' 'A-F' | sed 's/0X/0x/g')"
	done
	printf '%s' "$out"
}
WANT=$(want_suites)

# scan_status DB ARGS...: runs a scan into DB (JSON in $work/out.json,
# stderr in $work/err), prints its exit status.
scan_status() {
	local db=$1
	shift
	set +e
	"$TLSAUDIT" scan --db "$db" --offline --timeout 3 --format json "$@" >"$work/out.json" 2>"$work/err"
	local st=$?
	set -e
	echo "$st"
}

# stored DB: the latest scan in DB as the report document.
stored() {
	"$TLSAUDIT" report --db "$1" --latest --format json 2>/dev/null || true
}

# 1. An address with no route, scanned together with a real server: the
# loopback range is made unroutable except 127.0.0.1, and 127.0.0.9 gets an
# explicit "unreachable" route.
ip route del local 127.0.0.0/8 dev lo table local 2>/dev/null || true
ip route replace local 127.0.0.1/32 dev lo table local
ip route add unreachable 127.0.0.9/32 2>/dev/null || true
e=$(connect_errno 127.0.0.9)
case $e in
ENETUNREACH | EHOSTUNREACH) t_ok "127.0.0.9 fails at once ($e)" ;;
*) t_fail "127.0.0.9 fails at once" "connect gave $e" ;;
esac
st=$(scan_status "$work/unreach.db" "127.0.0.9:$PORT" "127.0.0.1:$PORT")
t_eq "unreachable + real: exit 3 (one target not scanned), no crash" 3 "$st"
json=$(cat "$work/out.json")
t_eq "unreachable + real: both targets in the output" 2 "$(jq '.targets | length' <<<"$json")"
t_eq "real target: every configured suite" "$WANT" "$(suites_of "$json" 127.0.0.1)"
t_eq "unreachable target: status" unreachable \
	"$(jq -r '.targets[] | select(.ip == "127.0.0.9") | .status' <<<"$json")"
t_match "unreachable target: the reason" "^connect: (No route to host|Network is unreachable)" \
	"$(jq -r '.targets[] | select(.ip == "127.0.0.9") | .error' <<<"$json")"
t_eq "unreachable target: no version accepted or refused by the raw prober" "" \
	"$(jq -r '[.targets[] | select(.ip == "127.0.0.9") | .enumeration.versions[]? | select(.state == "accepted" or .state == "refused") | .version] | join(",")' <<<"$json")"
rep=$(stored "$work/unreach.db")
t_eq "both targets stored" "127.0.0.1,127.0.0.9" "$(jq -r '[.targets[].ip] | sort | join(",")' <<<"$rep")"
t_eq "real target stored in full" "$WANT" "$(suites_of "$rep" 127.0.0.1)"

# 2. A name with 127.0.0.1 and ::1 where IPv6 is off: ::1 fails at once.
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.lo.disable_ipv6=1 2>/dev/null || true
e=$(connect_errno ::1)
printf '127.0.0.1 dual.lab.test\n::1 dual.lab.test\n' >"$work/hosts"
if [ "$e" = EINPROGRESS ] || [ "$e" = connected ]; then
	t_fail "::1 fails at once with IPv6 off" "connect gave $e"
elif ! unshare -m true 2>/dev/null; then
	echo "# skip: no mount namespace for a hosts file (dual-stack name)"
else
	set +e
	unshare -m bash -c 'mount --bind "$1" /etc/hosts || exit 99; shift; exec "$@"' _ "$work/hosts" \
		"$TLSAUDIT" scan --db "$work/dual.db" --offline --timeout 3 --format json \
		"dual.lab.test:$PORT" >"$work/out.json" 2>"$work/err"
	st=$?
	set -e
	t_ok "::1 fails at once with IPv6 off ($e)"
	t_eq "dual-stack name: exit 3 (::1 not scanned), no crash" 3 "$st"
	json=$(cat "$work/out.json")
	t_eq "dual-stack name: both addresses in the output" "127.0.0.1,::1" \
		"$(jq -r '[.targets[].ip] | sort | join(",")' <<<"$json")"
	t_eq "IPv4 address: every configured suite" "$WANT" "$(suites_of "$json" 127.0.0.1)"
	t_eq "::1: unreachable" unreachable "$(jq -r '.targets[] | select(.ip == "::1") | .status' <<<"$json")"
	t_match "::1: the reason" "^connect: " "$(jq -r '.targets[] | select(.ip == "::1") | .error' <<<"$json")"
	rep=$(stored "$work/dual.db")
	t_eq "IPv4 result stored in full" "$WANT" "$(suites_of "$rep" 127.0.0.1)"
fi

# 3. Too few file descriptors for --max-conn-total: three targets on the
# server, every connection wanted at once. The scan finishes with what an
# unconstrained scan finds; the lower cap is said on stderr.
targets=("127.0.0.1:$PORT" "127.0.0.1:$PORT" "127.0.0.1:$PORT")
# facts FILE: one line per target: status, enumeration suites, GnuTLS states.
facts() {
	jq -r '.targets[] | [.status, ([.enumeration.versions[] | "\(.version)=\([.suites[].code] | join(","))"] | join(";")), ([.versions[] | .state] | join(","))] | join(" ")' "$1" 2>/dev/null | sort
}
st=$(scan_status "$work/fd-free.db" --max-conn 64 --max-conn-total 4096 "${targets[@]}")
t_eq "unconstrained: exit 0" 0 "$st"
free=$(facts "$work/out.json")
t_eq "unconstrained: three targets, every configured suite" "3 $WANT" \
	"$(jq -r '[.targets[] | [.enumeration.versions[] | "\(.version)=\([.suites[].code] | join(","))"] | join(";")] | "\(length) \(unique | join("|"))"' "$work/out.json")"
set +e
(
	ulimit -n 24
	exec "$TLSAUDIT" scan --db "$work/fd-24.db" --offline --timeout 3 --format json \
		--max-conn 64 --max-conn-total 4096 "${targets[@]}"
) >"$work/out.json" 2>"$work/err"
st=$?
set -e
t_eq "ulimit -n 24: exit 0, no crash" 0 "$st"
t_eq "ulimit -n 24: the same facts as unconstrained" "$free" "$(facts "$work/out.json")"
t_match "ulimit -n 24: the lower cap is said" "warning: .*(open-file limit|out of file descriptors)" "$(cat "$work/err")"
t_eq "ulimit -n 24: no descriptor shortage recorded" "" \
	"$(jq -r '[.targets[] | .error // empty, (.versions[].reason // empty), (.enumeration.versions[].reason // empty) | select(test("file descriptor|Too many open files"))] | join(";")' "$work/out.json" 2>/dev/null)"
rep=$(stored "$work/fd-24.db")
t_eq "ulimit -n 24: three targets stored" 3 "$(jq '.targets | length' <<<"$rep")"

t_done
