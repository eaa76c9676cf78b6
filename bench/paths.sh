# bench/paths.sh - sourced by bench scripts: the tlsaudit program and the
# output folder as absolute paths, so the scripts can cd freely.
#
#   bench_paths NAME PROG KEEP
# NAME is the script's name for messages. PROG is the program asked for
# (empty: $TLSAUDIT, else ./tlsaudit; a bare name is looked up in PATH).
# KEEP is the output folder asked for (may be empty; created if missing).
# Sets prog and keep to absolute paths; exits 2 with a message naming the
# script when PROG is not an executable file or KEEP cannot be created.
bench_paths() {
	local name=$1
	prog=${2:-${TLSAUDIT:-./tlsaudit}}
	keep=$3
	case $prog in
	*/*) ;;
	*) prog=$(command -v "$prog" 2>/dev/null || echo "$prog") ;;
	esac
	if [ ! -x "$prog" ] || [ -d "$prog" ]; then
		echo "$name: no tlsaudit program at '$prog': name it (bench/$name.sh path/to/tlsaudit) or set TLSAUDIT" >&2
		exit 2
	fi
	prog=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
	if [ -n "$keep" ]; then
		mkdir -p "$keep" || exit 2
		keep=$(cd "$keep" && pwd)
	fi
}
