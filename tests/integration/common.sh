# tests/integration/common.sh - assertions shared by the integration tests
# (bash; source it). Each check prints "ok" or "FAIL" with what it saw; the
# script's exit status is 1 if any check failed (call t_done at the end).

: "${TLSAUDIT:?TLSAUDIT must name the tlsaudit binary (make check sets it)}"
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

T_PASS=0
T_FAIL=0

t_ok() {
	T_PASS=$((T_PASS + 1))
	printf 'ok   %s\n' "$1"
}

t_fail() {
	T_FAIL=$((T_FAIL + 1))
	printf 'FAIL %s\n' "$1"
	shift
	[ $# -gt 0 ] && printf '     %s\n' "$@"
	return 0
}

# t_eq NAME WANT GOT
t_eq() {
	if [ "$2" = "$3" ]; then
		t_ok "$1"
	else
		t_fail "$1" "want: $2" "got:  $3"
	fi
}

# t_match NAME REGEX TEXT
t_match() {
	if printf '%s' "$3" | grep -qE -- "$2"; then
		t_ok "$1"
	else
		t_fail "$1" "want match: $2" "got: $3"
	fi
}

# t_run WANT_STATUS: runs the rest, keeps stdout in T_OUT, stderr in T_ERR
# and the status in T_STATUS; checks the status.
t_run() {
	local want=$1
	shift
	local tmp
	tmp=$(mktemp -d)
	set +e
	"$@" >"$tmp/out" 2>"$tmp/err"
	T_STATUS=$?
	set -e
	T_OUT=$(cat "$tmp/out")
	T_ERR=$(cat "$tmp/err")
	rm -rf "$tmp"
	if [ "$T_STATUS" = "$want" ]; then
		t_ok "exit $want: $*"
	else
		t_fail "exit $want: $*" "got exit $T_STATUS" "stderr: $T_ERR" "stdout: $(printf '%s' "$T_OUT" | head -c 2000)"
	fi
}

t_done() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" = 0 ]
}
