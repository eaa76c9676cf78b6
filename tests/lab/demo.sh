#!/bin/bash
# tests/lab/demo.sh - scan a handful of lab servers with tlsaudit.
#
#   tests/lab/demo.sh [path/to/tlsaudit] [DB] [SCAN-OPTIONS...]
#
# Starts six TLS servers on 127.0.0.1 (good-rsa, expired, wronghost,
# tls13-only, legacy, gnutls-legacy) with certificates made on the spot,
# writes a targets file for them and runs
#
#   tlsaudit scan -f TARGETS --ca-file ca.pem --db DB [SCAN-OPTIONS...]
#
# then stops the servers and exits with tlsaudit's status.  tlsaudit
# defaults to $TLSAUDIT, else the one built in the source tree, else the one
# in PATH; DB to ./tlsaudit.db in the directory the demo is started from.
#
# As root (or with unprivileged user namespaces) everything runs in a
# private network namespace: nothing can reach another machine.  Otherwise
# the servers listen on 127.0.0.1 only and gnutls-serv (which cannot bind to
# one address) is left out.
set -u

here=$(cd "$(dirname "$0")" && pwd)

if [ -z "${TLSAUDIT_LAB_NETNS-}" ]; then
	# Resolve the program and the database before entering the namespace.
	case ${1-} in
	-h | --help)
		sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	esac
	prog=${1:-${TLSAUDIT:-}}
	if [ -z "$prog" ]; then
		for prog in "$here/../../tlsaudit" "$(command -v tlsaudit 2>/dev/null)"; do
			[ -n "$prog" ] && [ -x "$prog" ] && break
		done
	fi
	case $prog in
	*/*) ;;
	?*) prog=$(command -v "$prog" 2>/dev/null || echo "$prog") ;;
	esac
	if [ -z "$prog" ] || [ ! -x "$prog" ] || [ -d "$prog" ]; then
		echo "demo: no tlsaudit program${prog:+ at $prog}: build it (./configure && make) or name it: $0 path/to/tlsaudit [DB]" >&2
		exit 2
	fi
	prog=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
	db=${2:-tlsaudit.db}
	case $db in
	/*) ;;
	*) db=$PWD/$db ;;
	esac
	if [ $# -gt 2 ]; then shift 2; else set --; fi
	set -- "$prog" "$db" "$@"
fi

. "$here/lab.sh"
lab_try_netns "$0" "$@" || echo "demo: $LAB_NETNS_WHY; running without one: servers on 127.0.0.1 only, no gnutls-serv" >&2

prog=$1 db=$2
shift 2

lab_init
echo "demo: generating the lab certificates" >&2
lab_certs || exit 1

servers="good-rsa expired wronghost tls13-only legacy gnutls-legacy"
targets=$LAB_DIR/targets
{
	echo "# tlsaudit demo: lab servers on 127.0.0.1 (tests/lab/servers.txt says what each one is)"
	for s in $servers; do
		if [ "${TLSAUDIT_LAB_NETNS-}" != 1 ] && [ "${s#gnutls-}" != "$s" ]; then
			echo "# $s left out: gnutls-serv runs only in a private network namespace"
			continue
		fi
		if ! lab_start "$s" >/dev/null; then
			echo "demo: lab server $s did not start" >&2
			exit 1
		fi
		echo "$LAB_ADDR sni=$s.lab.test"
	done
} >"$targets" || exit 1

echo "demo: targets ($targets):" >&2
sed 's/^/    /' "$targets" >&2
echo "demo: $prog scan -f $targets --ca-file $LAB_CA --db $db $*" >&2
"$prog" scan -f "$targets" --ca-file "$LAB_CA" --db "$db" "$@"
rc=$?
echo "demo: tlsaudit exited with status $rc; stopping the servers" >&2
# The audit report of the scan just stored (no network: read from the store).
report=${db%.db}-report.html
if "$prog" report --db "$db" --latest --format html --expiring 30 -o "$report"; then
	echo "demo: HTML audit report written to $report" >&2
else
	echo "demo: the HTML report could not be written" >&2
	[ "$rc" = 0 ] && rc=2
fi
exit $rc
