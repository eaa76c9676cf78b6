# tests/integration/scripted.sh - sourced by the tests that run
# tests/scripted/legacy_server.py (after lab_netns and common.sh): sets PY,
# SERVER and a work dir removed on exit with every server started here,
# and defines scripted_start.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || { echo "python3 is needed" >&2; exit 99; }
SERVER=$top_srcdir/tests/scripted/legacy_server.py
work=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
# A test that calls lab_init afterwards (tests/lab/lab.sh) replaces that
# trap with the lab's, which calls lab_user_cleanup: the scripted servers
# are stopped there too (they were left running before).
lab_user_cleanup() { cleanup; }

# scripted_start NAME ARGS...: starts a scripted server with ARGS on an
# ephemeral port of 127.0.0.1, its output in $work/NAME.out and .err; sets
# PORT once the server has printed it (up to 20 s: a loaded machine), else
# exits 99 with the server's error output. The output file may not exist
# yet when the first look comes (the server is still starting): that is
# "not yet", not a failure of the test.
scripted_start() {
	local name=$1 i
	shift
	"$PY" "$SERVER" --listen 127.0.0.1:0 "$@" >"$work/$name.out" 2>"$work/$name.err" &
	pids="$pids $!"
	PORT=
	for i in $(seq 1 400); do
		if [ -s "$work/$name.out" ]; then
			PORT=$(awk '/^PORT/ { print $2; exit }' "$work/$name.out" 2>/dev/null || true)
			[ -n "$PORT" ] && return 0
		fi
		sleep 0.05
	done
	echo "scripted server $name did not start: $(cat "$work/$name.err" 2>/dev/null)" >&2
	exit 99
}
