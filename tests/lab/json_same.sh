#!/bin/bash
# tests/lab/json_same.sh - does a change keep the scan JSON of every lab server?
#
#   tests/lab/json_same.sh OLD-TLSAUDIT NEW-TLSAUDIT [SERVER...]
#
# Starts the lab servers once (all of LAB_SERVERS, or the ones named), scans
# them with both programs (the same targets file, a database each,
# --format json), removes what differs between any two runs (times,
# durations, the scan id, the database path) and compares the rest.
# Prints the differences and exits 1 when there are any, 0 when the two
# documents agree, 77 when the lab cannot run here. A key that only NEW
# writes is listed as "added" and does not count as a difference (a schema
# change may add fields), unless --strict is given first.
#
# For refactorings (issue 11: "the JSON of a scan of every lab server is
# identical before and after"): build the old tree's tlsaudit, copy it
# aside, then run this with the new one.
set -u
# --strict survives the re-run inside the lab's network namespace through
# the environment.
strict=${JSON_SAME_STRICT:-0}
if [ "${1-}" = --strict ]; then
	strict=1
	shift
fi
export JSON_SAME_STRICT=$strict
case ${1-} in
-h | --help | '')
	sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
	[ -n "${1-}" ]
	exit $?
	;;
esac
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
if [ -z "${TLSAUDIT_LAB_NETNS-}" ]; then
	for p in "$1" "${2-}"; do
		if [ ! -x "$p" ]; then
			echo "json_same: $p is not an executable program" >&2
			exit 2
		fi
	done
	old=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
	new=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
	shift 2
	set -- "$old" "$new" "$@"
fi
. "$here/lab.sh"
lab_netns "$0" "$@"
old=$1 new=$2
shift 2
servers=${*:-$LAB_SERVERS}

lab_init
lab_certs
targets=$LAB_DIR/targets
for s in $servers; do
	lab_start "$s" >/dev/null || exit 1
	lab_target "$s" >>"$targets"
done

run() { # PROGRAM NAME
	"$1" scan -f "$targets" --ca-file "$LAB_CA" --db "$LAB_DIR/$2.db" --format json \
		-o "$LAB_DIR/$2.json" 2>"$LAB_DIR/$2.err"
	echo "json_same: $2 exited $?" >&2
}
run "$old" old
run "$new" new

python3 - "$LAB_DIR/old.json" "$LAB_DIR/new.json" "$strict" <<'EOF'
import json, re, sys

VOLATILE = re.compile(r'(^|_)(ms|time|started|finished|duration|elapsed|id|db|database|path)$')


def norm(v):
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items() if not VOLATILE.search(k)}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, str):
        # Which worker fetched a URL first and how long a refused connect
        # took differ from run to run (the fetch cache shares one failure).
        v = re.sub(r"after \d+ ms", "after N ms", v)
        # The shared failure carries a prefix, so the text is cut at
        # FACT_TEXT at another place: compare the first 180 bytes.
        return v.replace("failed earlier in this scan: ", "")[:180]
    return v


def key(t):
    return (t.get("host"), t.get("port"), t.get("sni"), t.get("ip"))


old = json.load(open(sys.argv[1]))
new = json.load(open(sys.argv[2]))
strict = sys.argv[3] == "1"
diffs, added = [], []


def walk(a, b, where):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            if k not in b:
                diffs.append(f"{where}.{k}: removed")
            else:
                walk(a[k], b[k], f"{where}.{k}")
        for k in b:
            if k not in a:
                added.append(f"{where}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            diffs.append(f"{where}: {len(a)} items -> {len(b)} items")
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{where}[{i}]")
    elif a != b:
        diffs.append(f"{where}: {json.dumps(a)} -> {json.dumps(b)}")


ot = {key(t): norm(t) for t in old.get("targets", [])}
nt = {key(t): norm(t) for t in new.get("targets", [])}
if set(ot) != set(nt):
    diffs.append(f"targets: {sorted(map(str, ot))} -> {sorted(map(str, nt))}")
for k in sorted(set(ot) & set(nt), key=str):
    walk(ot[k], nt[k], f"{k[0]}:{k[1]}")
rest_old = norm({k: v for k, v in old.items() if k != "targets"})
rest_new = norm({k: v for k, v in new.items() if k != "targets"})
walk(rest_old, rest_new, "scan")
for a in sorted(set(added)):
    print("added:", a)
for d in diffs:
    print("differs:", d)
n = len(diffs) + (len(set(added)) if strict else 0)
print(f"json_same: {len(ot)} targets, {len(diffs)} differences, {len(set(added))} added keys")
sys.exit(1 if n else 0)
EOF
