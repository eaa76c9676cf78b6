#!/bin/bash
# bench/scale10k.sh - tlsaudit at fleet size (issue 15, "Scale figures"):
# a 10,000-target scan and the commands an operator runs on its database.
# A benchmark, not a test: it prints figures and never fails on one.
#
#   bench/scale10k.sh [--targets N] [--addrs A] [--small M] [--nmap-subset S]
#                     [--shards K] [--jobs J] [--format-a json|text]
#                     [--b-shards] [--before BIN] [--keep DIR]
#                     [--scan-policy P] [--skip "scan small text shards nmap"]
#                     [--run CMD] [path/to/tlsaudit]
#   bench/scale10k.sh --reuse DIR [--before BIN] [--skip diff] [path/to/tlsaudit]
#
# In the lab's private network namespace (tests/lab/lab.sh: `unshare -n`,
# lo up; nothing leaves 127.0.0.0/8) one nginx (worker_processes 2)
# listens on ceil(N/A) ports on each of A loopback addresses 127.0.0.1 ..
# 127.0.0.A (default N=10000, A=10: 1,000 ports x 10 addresses); every
# fifth address is a legacy server (TLS 1.0-1.2, the lab's 44-suite
# "legacy" cipher list, a 1024-bit DH group), the others the lab's
# modern12 (TLS 1.2 and 1.3). Each (address, port) is one target.
#
# Then, timing each with date and /usr/bin/time (wall, peak RSS; each line
# ends with the 1-minute load average when the command ended):
#   1. scan A: the N targets, --format json -o /dev/null (--format-a text:
#      --format text > /dev/null) into main.db; a copy of main.db holding
#      only scan A is kept as a.db (for --reuse); --skip scan leaves out
#      steps 1, 2, 5 on main.db, 6 and 7;
#   1b. with --scan-policy P: the N targets scanned with --policy P --format
#      json -o FILE (the check nested in the scan document) into a new
#      database, and with --before BIN the same by BIN, each printed with
#      the document's size;
#   2. scan B: the same N targets again, --format text > /dev/null (main.db);
#      with --b-shards scan B is instead the K shards of step 6, merged
#      into main.db before step 5 (so main.db holds two complete scans of
#      the N targets, the second one made of shards);
#   3. the first M targets (default 1000) scanned with --format json and
#      --format text into small.db: peak RSS at M against N, printed as
#      the ratio N/M (about 1 when memory is flat in the targets);
#   4. nmap --script ssl-enum-ciphers over S targets (default 200; nmap on
#      all N would take hours) and tlsaudit over the same S, one after the
#      other in this run: hosts/min of both, nmap's extrapolated to N;
#   5. on small.db and main.db, on the newest complete scan: check with the
#      six shipped policies (and with --before BIN, the same check by that
#      binary on a copy, its findings compared row by row), report --format
#      text / json, diff (text and json) with the complete scan before it
#      (checked first with the six policies if it has no policy run, so
#      that findings and verdicts are compared too), history of the first
#      target;
#   6. K shards (default 4): scan --shard k/K of the N targets one after the
#      other into K files shard1.db .. shardK.db (--format json), then
#      merge --into main.db (time) and check on the merged scan (without
#      --b-shards: after step 5, as a third scan of main.db);
#   7. prune --keep-scans 1 on a copy of main.db (time, size before and after).
# The load average (uptime) is printed at the start and the end: the
# machine may be shared.
#
# --reuse DIR re-times only the database commands on the work directory
# DIR kept by an earlier run (--keep DIR): no server, no scan, no network
# namespace. In a scratch copy DIR/retime.PID (removed at the end; DIR is
# left unchanged): a.db plus DIR/shard*.db merged (merge --into, as step
# 6) when both are there, else a copy of DIR/main.db; then step 5 and
# step 7 on it. Run it with another binary to compare the commands alone.
# --skip diff (either mode) leaves out step 5's two diffs.
#
# --run CMD runs only CMD (bash -c, in the lab once it answers) instead
# of the steps above, then stops the lab and exits with CMD's status; CMD
# finds TLSAUDIT, LAB_DIR, LAB_CA, TARGETS (the target file) and
# SCAN_OPTS (the scan options above, one string) in its environment, e.g.
#   --run 'head -n 500 $TARGETS >$LAB_DIR/t500; heaptrack -o $LAB_DIR/h500
#          $TLSAUDIT scan --db $LAB_DIR/a.db $SCAN_OPTS -f $LAB_DIR/t500 >/dev/null'
#
# Needs root or unprivileged user namespaces (exit 77 otherwise), nginx,
# nmap, sqlite3, /usr/bin/time. --keep DIR keeps the work directory.
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
n=10000 addrs=10 small=1000 nsub=200 shards=4 jobs=8 before='' skip='' bin=''
fmt_a=json b_shards=0 reuse='' spol='' run_cmd=''
args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	--targets) n=$2; shift 2 ;;
	--addrs) addrs=$2; shift 2 ;;
	--small) small=$2; shift 2 ;;
	--nmap-subset) nsub=$2; shift 2 ;;
	--shards) shards=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--before) before=$2; shift 2 ;;
	--keep) export LAB_DIR=$2; shift 2 ;;
	--skip) skip=$2; shift 2 ;;
	--format-a) fmt_a=$2; shift 2 ;;
	--b-shards) b_shards=1; shift ;;
	--reuse) reuse=$2; shift 2 ;;
	--scan-policy) spol=$2; shift 2 ;;
	--run) run_cmd=$2; shift 2 ;;
	--help) sed -n '2,/^set -u$/p' "$0" | sed '$d'; exit 0 ;;
	-*) echo "scale10k.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) bin=$1; shift ;;
	esac
done
TLSAUDIT=${bin:-${TLSAUDIT:-$top/tlsaudit}}
case $TLSAUDIT in /*) ;; *) TLSAUDIT=$PWD/$TLSAUDIT ;; esac
case $before in '' | /*) ;; *) before=$PWD/$before ;; esac
case $fmt_a in json | text) ;; *) echo "scale10k.sh: --format-a json or text, not '$fmt_a'" >&2; exit 2 ;; esac
case $reuse in '' | /*) ;; *) reuse=$PWD/$reuse ;; esac
export top_srcdir=$top TLSAUDIT TLSAUDIT_POLICY_DIR=$top/policies
skipped() { case " $skip " in *" $1 "*) return 0 ;; esac; return 1; }
ms() { date +%s%3N; }
load1() { cut -d' ' -f1 /proc/loadavg; }
exec 3>&1 # run's own line goes here, whatever the command's stdout is
# run LABEL CMD...: runs CMD under /usr/bin/time, prints LABEL, exit, wall
# ms, peak RSS and the load average; the wall ms is left in $wall, the
# exit in $rc, the peak RSS (KiB) in $rss_kb.
run() {
	local label=$1 t0 t1
	shift
	t0=$(ms)
	/usr/bin/time -f '%M' -o "$LAB_DIR/rss" "$@"
	rc=$?
	t1=$(ms)
	wall=$((t1 - t0))
	rss_kb=$(tail -n 1 "$LAB_DIR/rss")
	printf '%-44s exit %d, %8d ms, peak RSS %7d KiB, load %s\n' "$label" "$rc" "$wall" \
		"$rss_kb" "$(load1)" >&3
}
dbsize() { sqlite3 "$1" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null; stat -c %s "$1"; }
per_min() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", n * 60000 / (ms > 0 ? ms : 1) }'; }
scans_of() {
	sqlite3 "$1" "SELECT 'scan ' || id || ': ' || state || ', ' || (SELECT count(*) FROM targets t
		WHERE t.scan_id = s.id) || ' targets, ' || (SELECT count(*) FROM targets t WHERE t.scan_id = s.id
		AND t.status = 'ok') || ' ok' FROM scans s" | sed 's/^/  /'
}
six=(--policy pci-dss-4.0 --policy nist-sp800-52r2 --policy mozilla-modern
	--policy mozilla-intermediate --policy bsi-tr-02102-2 --policy cabf-baseline)
# findings_of DB SCAN: every finding of the newest run of each policy of
# SCAN, without ids, sorted (what two evaluations must agree on).
findings_of() {
	sqlite3 "$1" "SELECT r.policy_id, t.host, t.port, t.sni, f.rule_id, f.severity, f.verdict,
		coalesce(f.evidence, ''), coalesce(f.title, ''), coalesce(f.ref, '')
		FROM findings f JOIN policy_runs r ON r.id = f.run_id JOIN targets t ON t.id = f.target_id
		WHERE r.id IN (SELECT max(id) FROM policy_runs WHERE scan_id = $2
		GROUP BY policy_id) ORDER BY 1, 2, 3, 4, 5, 6, 7, 8" | sha256sum | cut -c1-16
}
# db_steps DB: step 5 on the newest complete scan of DB.
db_steps() {
	local db=$1 sid nt prev first asum bsum same
	[ -f "$db" ] || return 0
	# The newest complete scan (a scan cut short must not be what is measured).
	sid=$(sqlite3 "$db" "SELECT max(id) FROM scans WHERE state = 'complete'")
	[ -n "$sid" ] || return 0
	nt=$(sqlite3 "$db" "SELECT count(*) FROM targets WHERE scan_id = $sid")
	echo "on $(basename "$db") (scan $sid: $nt targets, $(($(dbsize "$db") / 1024)) KiB):"
	if [ -n "$before" ]; then
		cp "$db" "$LAB_DIR/before.db"
		run "  check, six policies (--before)" "$before" check --db "$LAB_DIR/before.db" \
			--scan "$sid" "${six[@]}" --format json -o "$LAB_DIR/check-before.json"
		bsum=$(findings_of "$LAB_DIR/before.db" "$sid")
	fi
	run "  check, six policies (text)" "$TLSAUDIT" check --db "$db" --scan "$sid" "${six[@]}" \
		>/dev/null
	run "  check, six policies (json)" "$TLSAUDIT" check --db "$db" --scan "$sid" "${six[@]}" \
		--format json -o "$LAB_DIR/check.json"
	asum=$(findings_of "$db" "$sid")
	if [ -n "$before" ]; then
		same=differ
		[ "$asum" = "$bsum" ] && same=identical
		echo "  findings of both binaries: $same ($asum, $bsum)"
		rm -f "$LAB_DIR/before.db"*
	fi
	run "  report --format text" "$TLSAUDIT" report --db "$db" --scan "$sid" --format text \
		-o /dev/null
	run "  report --format json" "$TLSAUDIT" report --db "$db" --scan "$sid" --format json \
		-o /dev/null
	prev=$(sqlite3 "$db" "SELECT max(id) FROM scans WHERE state = 'complete' AND id < $sid")
	if [ -n "$prev" ] && [ "$(sqlite3 "$db" "SELECT count(*) FROM policy_runs
		WHERE scan_id = $prev")" = 0 ]; then
		# So that diff also compares findings and verdicts, as after
		# an operator's check of every scan.
		run "  check, six policies, scan $prev (text)" "$TLSAUDIT" check --db "$db" --scan "$prev" \
			"${six[@]}" >/dev/null
	fi
	if [ -n "$prev" ] && ! skipped diff; then
		run "  diff (scans $prev and $sid, text)" "$TLSAUDIT" diff --db "$db" "$prev" "$sid" \
			-o /dev/null
		run "  diff (scans $prev and $sid, json)" "$TLSAUDIT" diff --db "$db" "$prev" "$sid" \
			--format json -o /dev/null
	fi
	first=$(sqlite3 "$db" "SELECT host || ':' || port FROM targets WHERE scan_id = $sid
		ORDER BY id LIMIT 1")
	run "  history $first" "$TLSAUDIT" history --db "$db" "$first" >/dev/null
}
# merge_into DB SHARD...: merge --into DB (its last stderr lines shown).
merge_into() {
	local db=$1
	shift
	run "merge --into $(basename "$db") ($# shards)" "$TLSAUDIT" merge --into "$db" "$@" \
		>/dev/null 2>"$LAB_DIR/merge.err"
	tail -n 3 "$LAB_DIR/merge.err" | sed 's/^/  merge: /'
}
prune_copy() { # On a copy: DB stays for a look afterwards (--keep).
	local size
	cp "$1" "$LAB_DIR/prune.db"
	size=$(dbsize "$LAB_DIR/prune.db")
	run "prune --keep-scans 1 (a copy of $(basename "$1"))" "$TLSAUDIT" prune \
		--db "$LAB_DIR/prune.db" --keep-scans 1 >/dev/null
	echo "  database $((size / 1024)) KiB -> $(($(dbsize "$LAB_DIR/prune.db") / 1024)) KiB"
	rm -f "$LAB_DIR/prune.db"*
}
binary_id() {
	echo "$("$TLSAUDIT" --version) ($TLSAUDIT, sha256 $(sha256sum <"$TLSAUDIT" | cut -c1-16);" \
		"tree $(git -C "$top" rev-parse --short HEAD 2>/dev/null))"
}

if [ -n "$reuse" ]; then
	for c in sqlite3 /usr/bin/time; do
		command -v "$c" >/dev/null || { echo "scale10k.sh: $c is needed" >&2; exit 2; }
	done
	[ -f "$reuse/main.db" ] || [ -f "$reuse/a.db" ] ||
		{ echo "scale10k.sh: --reuse $reuse: no main.db or a.db there (a --keep directory?)" >&2; exit 2; }
	LAB_DIR=$reuse/retime.$$
	mkdir "$LAB_DIR" || exit 2
	trap 'rm -rf "$LAB_DIR"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	echo "scale10k --reuse $reuse: $(binary_id)"
	echo "load at start: $(uptime)"
	shard_files=("$reuse"/shard*.db)
	main=$LAB_DIR/main.db
	if [ -f "$reuse/a.db" ] && [ -f "${shard_files[0]}" ]; then
		cp "$reuse/a.db" "$main"
		echo "a.db ($(($(dbsize "$main") / 1024)) KiB) and ${#shard_files[@]} shards:"
		merge_into "$main" "${shard_files[@]}"
	else
		cp "$reuse/main.db" "$main"
	fi
	scans_of "$main"
	db_steps "$main"
	prune_copy "$main"
	echo "load at end: $(uptime)"
	exit 0
fi

# shellcheck source=tests/lab/lab.sh
. "$top/tests/lab/lab.sh"
lab_netns "$0" "${args[@]}"
for c in nginx sqlite3 /usr/bin/time; do
	command -v "$c" >/dev/null || { echo "scale10k.sh: $c is needed" >&2; exit 2; }
done
lab_init
lab_certs >/dev/null
ulimit -n 65536 2>/dev/null || ulimit -n 16384 2>/dev/null || true
echo "scale10k: $n targets, $addrs addresses, $(binary_id), ulimit -n $(ulimit -n)"
echo "load at start: $(uptime)"
# Loopback addresses beyond 127.0.0.1 are routed to lo already (127/8).
ip link set lo up 2>/dev/null || true
per=$(((n + addrs - 1) / addrs))
base=20000
d=$LAB_RUN/fleet c=$LAB_CERTS
mkdir -p "$d"
listen_block() { # FIRST_ADDR_INDEX STEP PREDICATE(legacy|modern)
	local a p
	for ((a = 1; a <= addrs; a++)); do
		if { [ "$1" = legacy ] && ((a % 5 == 0)); } || { [ "$1" = modern ] && ((a % 5 != 0)); }; then
			for ((p = 0; p < per; p++)); do echo "        listen 127.0.0.$a:$((base + p)) ssl;"; done
		fi
	done
}
{
	cat <<EOF
daemon off;
worker_processes 2;
worker_rlimit_nofile 65536;
pid $d/nginx.pid;
lock_file $d/nginx.lock;
error_log $d/error.log crit;
events { worker_connections 16384; }
http {
    access_log off;
    client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
    server {
$(listen_block modern)
        server_name modern12.lab.test;
        ssl_certificate $c/modern12.chain.pem;
        ssl_certificate_key $c/modern12.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers '$LAB_NGINX_MODERN_CIPHERS';
        ssl_ecdh_curve X25519:prime256v1:secp384r1;
        location / { return 200 "lab\n"; }
    }
EOF
	if ((addrs >= 5)); then
		cat <<EOF
    server {
$(listen_block legacy)
        server_name legacy.lab.test;
        ssl_certificate $c/legacy.chain.pem;
        ssl_certificate_key $c/legacy.key;
        ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
        ssl_ciphers '$LAB_NGINX_LEGACY_CIPHERS';
        ssl_prefer_server_ciphers on;
        ssl_dhparam $c/dh1024.pem;
        location / { return 200 "lab\n"; }
    }
EOF
	fi
	echo "}"
} >"$d/nginx.conf"
last_port=$((base + per - 1))
_lab_spawn fleet "$last_port" nginx -p "$d" -e "$d/error.log" -c "$d/nginx.conf" ||
	{ echo "scale10k.sh: nginx did not start" >&2; exit 2; }
# Every address answers once the last one does (one configuration).
for ((i = 0; i < 200; i++)); do
	(exec 3<>"/dev/tcp/127.0.0.$addrs/$last_port") 2>/dev/null && break
	sleep 0.1
done
k=0
: >"$LAB_DIR/targets"
for ((p = 0; p < per && k < n; p++)); do
	for ((a = 1; a <= addrs && k < n; a++)); do
		if ((a % 5 == 0)); then sni=legacy.lab.test; else sni=modern12.lab.test; fi
		echo "127.0.0.$a:$((base + p)) sni=$sni"
		k=$((k + 1))
	done
done >"$LAB_DIR/targets"
head -n "$small" "$LAB_DIR/targets" >"$LAB_DIR/targets.small"
head -n "$nsub" "$LAB_DIR/targets" >"$LAB_DIR/targets.nmap"
echo "targets: $(wc -l <"$LAB_DIR/targets") (ports $base-$last_port on 127.0.0.1-127.0.0.$addrs;" \
	"every fifth address legacy)"

scan_opts=(--ca-file "$LAB_CA" --offline -j "$jobs" --max-conn-total 256)
# scan_fmt FMT LABEL DB ERR ARGS...: one timed scan, --format FMT, the
# document to /dev/null.
scan_fmt() {
	local f=$1 label=$2 db=$3 err=$4
	shift 4
	if [ "$f" = text ]; then
		run "$label" "$TLSAUDIT" scan --db "$db" "${scan_opts[@]}" "$@" --format text \
			>/dev/null 2>"$err"
	else
		run "$label" "$TLSAUDIT" scan --db "$db" "${scan_opts[@]}" "$@" --format json \
			-o /dev/null 2>"$err"
	fi
}
# shard_scans: step 6's scans, their files in shard_files.
shard_scans() {
	local t0 k
	t0=$(ms)
	shard_files=()
	for ((k = 1; k <= shards; k++)); do
		rm -f "$LAB_DIR/shard$k.db"*
		scan_fmt json "scan --shard $k/$shards (json)" "$LAB_DIR/shard$k.db" \
			"$LAB_DIR/shard$k.err" --shard "$k/$shards" --run-id bench -f "$LAB_DIR/targets"
		echo "  $(sqlite3 "$LAB_DIR/shard$k.db" 'SELECT count(*) FROM targets') targets;" \
			"database $(($(dbsize "$LAB_DIR/shard$k.db") / 1024)) KiB"
		shard_files+=("$LAB_DIR/shard$k.db")
	done
	wall=$(($(ms) - t0))
	echo "  $shards shards one after the other: $wall ms ($(per_min "$n" "$wall") hosts/min)"
}

if [ -n "$run_cmd" ]; then
	TARGETS=$LAB_DIR/targets SCAN_OPTS="${scan_opts[*]}" bash -c "$run_cmd"
	rc=$?
	lab_stop fleet
	exit "$rc"
fi

main=$LAB_DIR/main.db
rss_a='' rss_b=''
if ! skipped scan; then
	rm -f "$main"* "$LAB_DIR/a.db"*
	scan_fmt "$fmt_a" "scan A ($n, --format $fmt_a)" "$main" "$LAB_DIR/scan-a.err" -f "$LAB_DIR/targets"
	rss_a=$rss_kb
	echo "  $(per_min "$n" "$wall") hosts/min; database $(($(dbsize "$main") / 1024)) KiB;" \
		"$(tail -n 1 "$LAB_DIR/scan-a.err")"
	cp "$main" "$LAB_DIR/a.db"
fi
if [ -n "$spol" ]; then
	# scan --policy P --format json: the check document nested in the scan's.
	for who in ${before:+before} after; do
		b=$TLSAUDIT
		[ "$who" = before ] && b=$before
		rm -f "$LAB_DIR/policy-$who.db"*
		run "scan --policy $spol ($n, json, $who)" "$b" scan --db "$LAB_DIR/policy-$who.db" \
			"${scan_opts[@]}" --policy "$spol" -f "$LAB_DIR/targets" --format json \
			-o "$LAB_DIR/policy-$who.json" 2>"$LAB_DIR/policy-$who.err"
		echo "  $(per_min "$n" "$wall") hosts/min; document $(($(stat -c %s "$LAB_DIR/policy-$who.json") / 1024)) KiB"
	done
fi
if skipped scan; then
	:
elif [ "$b_shards" = 1 ] && [ "$shards" -gt 1 ]; then
	shard_scans
	merge_into "$main" "${shard_files[@]}"
elif ! skipped text; then
	scan_fmt text "scan B ($n, --format text)" "$main" "$LAB_DIR/scan-b.err" -f "$LAB_DIR/targets"
	rss_b=$rss_kb
	echo "  $(per_min "$n" "$wall") hosts/min; database $(($(dbsize "$main") / 1024)) KiB"
fi
[ -f "$main" ] && scans_of "$main"

smalldb=$LAB_DIR/small.db
if ! skipped small; then
	rm -f "$smalldb"*
	scan_fmt json "scan ($small, --format json)" "$smalldb" /dev/null -f "$LAB_DIR/targets.small"
	rss_sj=$rss_kb
	scan_fmt text "scan ($small, --format text)" "$smalldb" /dev/null -f "$LAB_DIR/targets.small"
	rss_st=$rss_kb
	# Flat memory: about 1 (what a scan holds is bounded by -j and the caps).
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
	if [ -n "$rss_a" ]; then
		if [ "$fmt_a" = json ]; then r=$(ratio "$rss_a" "$rss_sj"); else r=$(ratio "$rss_a" "$rss_st"); fi
		echo "  peak RSS of scan A ($n, $fmt_a) / at $small: $r"
	fi
	[ -n "$rss_b" ] && echo "  peak RSS of scan B ($n, text) / at $small: $(ratio "$rss_b" "$rss_st")"
	echo "  database $(($(dbsize "$smalldb") / 1024)) KiB (2 scans)"
fi

if ! skipped nmap && command -v nmap >/dev/null; then
	# nmap scans every port on every address given; the subset is the
	# first S targets, i.e. ceil(S/A) ports on each address.
	np=$(((nsub + addrs - 1) / addrs))
	run "nmap ssl-enum-ciphers ($((np * addrs)) targets)" nmap -n -Pn -p "$base-$((base + np - 1))" \
		--script ssl-enum-ciphers -oX "$LAB_DIR/nmap.xml" "127.0.0.1-$addrs" >/dev/null 2>&1
	nmap_ms=$wall
	nmap_n=$((np * addrs))
	head -n "$nmap_n" "$LAB_DIR/targets" >"$LAB_DIR/targets.nmap"
	rm -f "$LAB_DIR/nmap.db"*
	scan_fmt json "tlsaudit scan (the same $nmap_n)" "$LAB_DIR/nmap.db" /dev/null \
		-f "$LAB_DIR/targets.nmap"
	echo "  nmap $(per_min "$nmap_n" "$nmap_ms") hosts/min, tlsaudit $(per_min "$nmap_n" "$wall")" \
		"hosts/min on the same $nmap_n; nmap on $n extrapolated (linear):" \
		"$((nmap_ms * n / nmap_n / 1000)) s;" \
		"$(grep -c 'id="ssl-enum-ciphers"' "$LAB_DIR/nmap.xml") nmap script results"
fi

db_steps "$smalldb"
db_steps "$main"

if ! skipped scan && [ "$b_shards" != 1 ] && ! skipped shards && [ "$shards" -gt 1 ]; then
	shard_scans
	merge_into "$main" "${shard_files[@]}"
	scans_of "$main"
	run "check, six policies (merged scan)" "$TLSAUDIT" check --db "$main" "${six[@]}" >/dev/null
fi

[ -f "$main" ] && prune_copy "$main"
echo "load at end: $(uptime)"
lab_stop fleet
