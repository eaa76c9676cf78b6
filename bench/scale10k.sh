#!/bin/bash
# bench/scale10k.sh - tlsaudit at fleet size (issue 15, "Scale figures"):
# a 10,000-target scan and the commands an operator runs on its database.
# A benchmark, not a test: it prints figures and never fails on one.
#
#   bench/scale10k.sh [--targets N] [--addrs A] [--small M] [--nmap-subset S]
#                     [--shards K] [--jobs J] [--before BIN] [--keep DIR]
#                     [--skip "small text shards nmap"] [--run CMD]
#                     [path/to/tlsaudit]
#
# In the lab's private network namespace (tests/lab/lab.sh: `unshare -n`,
# lo up; nothing leaves 127.0.0.0/8) one nginx (worker_processes 2)
# listens on ceil(N/A) ports on each of A loopback addresses 127.0.0.1 ..
# 127.0.0.A (default N=10000, A=10: 1,000 ports x 10 addresses); every
# fifth address is a legacy server (TLS 1.0-1.2, the lab's 44-suite
# "legacy" cipher list, a 1024-bit DH group), the others the lab's
# modern12 (TLS 1.2 and 1.3). Each (address, port) is one target.
#
# Then, timing each with date and /usr/bin/time (wall, peak RSS):
#   1. scan A: the N targets, --format json -o /dev/null (database main.db);
#   2. scan B: the same N targets again, --format text > /dev/null (main.db);
#   3. the first M targets (default 1000) scanned with --format json and
#      --format text into small.db: peak RSS at M against N (flat?);
#   4. nmap --script ssl-enum-ciphers over S targets (default 200; nmap on
#      all N would take hours) and tlsaudit over the same S, one after the
#      other in this run: hosts/min of both, nmap's extrapolated to N;
#   5. on small.db and main.db, on the newest complete scan: check with the
#      six shipped policies (and with --before BIN, the same check by that
#      binary on a copy, its findings compared row by row), report --format
#      text / json, diff with the complete scan before it;
#   6. K shards (default 4): scan --shard k/K of the N targets one after the
#      other into K files, then merge --into main.db (time) and
#      check on the merged scan;
#   7. prune --keep-scans 1 on a copy of main.db (time, size before and after).
# The load average (uptime) is printed at the start and the end: the
# machine may be shared.
#
# Needs root or unprivileged user namespaces (exit 77 otherwise), nginx,
# nmap, sqlite3, /usr/bin/time. --keep DIR keeps the work directory.
# --run CMD runs only CMD (bash -c, in the lab once it answers) instead
# of the steps above, then stops the lab and exits with CMD's status; CMD
# finds TLSAUDIT, LAB_DIR, LAB_CA, TARGETS (the target file) and
# SCAN_OPTS (the scan options above, one string) in its environment, e.g.
#   --run 'head -n 500 $TARGETS >$LAB_DIR/t500; heaptrack -o $LAB_DIR/h500
#          $TLSAUDIT scan --db $LAB_DIR/a.db $SCAN_OPTS -f $LAB_DIR/t500 >/dev/null'
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
n=10000 addrs=10 small=1000 nsub=200 shards=4 jobs=8 before='' skip='' bin='' run_cmd=''
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
	--run) run_cmd=$2; shift 2 ;;
	--help) sed -n '2,45p' "$0"; exit 0 ;;
	-*) echo "scale10k.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) bin=$1; shift ;;
	esac
done
TLSAUDIT=${bin:-${TLSAUDIT:-$top/tlsaudit}}
case $TLSAUDIT in /*) ;; *) TLSAUDIT=$PWD/$TLSAUDIT ;; esac
case $before in '' | /*) ;; *) before=$PWD/$before ;; esac
export top_srcdir=$top TLSAUDIT TLSAUDIT_POLICY_DIR=$top/policies
# shellcheck source=tests/lab/lab.sh
. "$top/tests/lab/lab.sh"
lab_netns "$0" "${args[@]}"
for c in nginx sqlite3 /usr/bin/time; do
	command -v "$c" >/dev/null || { echo "scale10k.sh: $c is needed" >&2; exit 2; }
done
skipped() { case " $skip " in *" $1 "*) return 0 ;; esac; return 1; }
lab_init
lab_certs >/dev/null
ulimit -n 65536 2>/dev/null || ulimit -n 16384 2>/dev/null || true
echo "scale10k: $n targets, $addrs addresses, $("$TLSAUDIT" --version), ulimit -n $(ulimit -n)"
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

ms() { date +%s%3N; }
exec 3>&1 # run's own line goes here, whatever the command's stdout is
# run LABEL CMD...: runs CMD under /usr/bin/time, prints LABEL, exit, wall
# ms and peak RSS; the wall ms is left in $wall, the exit in $rc, the
# peak RSS (KiB) in $rss_kb.
run() {
	local label=$1 t0 t1
	shift
	t0=$(ms)
	/usr/bin/time -f '%M' -o "$LAB_DIR/rss" "$@"
	rc=$?
	t1=$(ms)
	wall=$((t1 - t0))
	rss_kb=$(tail -n 1 "$LAB_DIR/rss")
	printf '%-44s exit %d, %8d ms, peak RSS %7d KiB\n' "$label" "$rc" "$wall" "$rss_kb" >&3
}
dbsize() { sqlite3 "$1" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null; stat -c %s "$1"; }
per_min() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", n * 60000 / (ms > 0 ? ms : 1) }'; }
scan_opts=(--ca-file "$LAB_CA" --offline -j "$jobs" --max-conn-total 256)
if [ -n "$run_cmd" ]; then
	TARGETS=$LAB_DIR/targets SCAN_OPTS="${scan_opts[*]}" bash -c "$run_cmd"
	rc=$?
	lab_stop fleet
	exit "$rc"
fi

main=$LAB_DIR/main.db
run "scan A ($n, --format json)" "$TLSAUDIT" scan --db "$main" "${scan_opts[@]}" \
	-f "$LAB_DIR/targets" --format json -o /dev/null 2>"$LAB_DIR/scan-a.err"
rss_json=$rss_kb rss_text=''
echo "  $(per_min "$n" "$wall") hosts/min; database $(($(dbsize "$main") / 1024)) KiB;" \
	"$(tail -n 1 "$LAB_DIR/scan-a.err")"
if ! skipped text; then
	run "scan B ($n, --format text)" "$TLSAUDIT" scan --db "$main" "${scan_opts[@]}" \
		-f "$LAB_DIR/targets" --format text >/dev/null 2>"$LAB_DIR/scan-b.err"
	rss_text=$rss_kb
	echo "  $(per_min "$n" "$wall") hosts/min; database $(($(dbsize "$main") / 1024)) KiB"
fi
sqlite3 "$main" "SELECT 'scan ' || id || ': ' || state || ', ' || (SELECT count(*) FROM targets t
	WHERE t.scan_id = s.id) || ' targets, ' || (SELECT count(*) FROM targets t WHERE t.scan_id = s.id
	AND t.status = 'ok') || ' ok' FROM scans s" | sed 's/^/  /'

smalldb=$LAB_DIR/small.db
if ! skipped small; then
	run "scan ($small, --format json)" "$TLSAUDIT" scan --db "$smalldb" "${scan_opts[@]}" \
		-f "$LAB_DIR/targets.small" --format json -o /dev/null 2>/dev/null
	ratio="json $(awk -v a="$rss_json" -v b="$rss_kb" 'BEGIN { printf "%.2f", a / b }')"
	run "scan ($small, --format text)" "$TLSAUDIT" scan --db "$smalldb" "${scan_opts[@]}" \
		-f "$LAB_DIR/targets.small" --format text >/dev/null 2>/dev/null
	[ -n "$rss_text" ] &&
		ratio="$ratio, text $(awk -v a="$rss_text" -v b="$rss_kb" 'BEGIN { printf "%.2f", a / b }')"
	# Flat memory: about 1 (what a scan holds is bounded by -j and the caps).
	echo "  peak RSS at $n targets / at $small: $ratio"
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
	run "tlsaudit scan (the same $nmap_n)" "$TLSAUDIT" scan --db "$LAB_DIR/nmap.db" \
		"${scan_opts[@]}" -f "$LAB_DIR/targets.nmap" --format json -o /dev/null 2>/dev/null
	echo "  nmap $(per_min "$nmap_n" "$nmap_ms") hosts/min, tlsaudit $(per_min "$nmap_n" "$wall")" \
		"hosts/min on the same $nmap_n; nmap on $n extrapolated (linear):" \
		"$((nmap_ms * n / nmap_n / 1000)) s;" \
		"$(grep -c 'id="ssl-enum-ciphers"' "$LAB_DIR/nmap.xml") nmap script results"
fi

six=(--policy pci-dss-4.0 --policy nist-sp800-52r2 --policy mozilla-modern
	--policy mozilla-intermediate --policy bsi-tr-02102-2 --policy cabf-baseline)
# findings_of DB: every finding of the newest run of each policy of the
# newest scan, without ids, sorted (what two evaluations must agree on).
findings_of() {
	sqlite3 "$1" "SELECT r.policy_id, t.host, t.port, t.sni, f.rule_id, f.severity, f.verdict,
		coalesce(f.evidence, ''), coalesce(f.title, ''), coalesce(f.ref, '')
		FROM findings f JOIN policy_runs r ON r.id = f.run_id JOIN targets t ON t.id = f.target_id
		WHERE r.id IN (SELECT max(id) FROM policy_runs WHERE scan_id = (SELECT max(id) FROM scans)
		GROUP BY policy_id) ORDER BY 1, 2, 3, 4, 5, 6, 7, 8" | sha256sum | cut -c1-16
}
for db in "$smalldb" "$main"; do
	[ -f "$db" ] || continue
	# The newest complete scan (a scan cut short must not be what is measured).
	sid=$(sqlite3 "$db" "SELECT max(id) FROM scans WHERE state = 'complete'")
	[ -n "$sid" ] || continue
	nt=$(sqlite3 "$db" "SELECT count(*) FROM targets WHERE scan_id = $sid")
	echo "on $(basename "$db") (scan $sid: $nt targets, $(($(dbsize "$db") / 1024)) KiB):"
	if [ -n "$before" ]; then
		cp "$db" "$LAB_DIR/before.db"
		run "  check, six policies (--before)" "$before" check --db "$LAB_DIR/before.db" \
			--scan "$sid" "${six[@]}" --format json -o "$LAB_DIR/check-before.json"
		bsum=$(findings_of "$LAB_DIR/before.db")
	fi
	run "  check, six policies (text)" "$TLSAUDIT" check --db "$db" --scan "$sid" "${six[@]}" \
		>/dev/null
	run "  check, six policies (json)" "$TLSAUDIT" check --db "$db" --scan "$sid" "${six[@]}" \
		--format json -o "$LAB_DIR/check.json"
	asum=$(findings_of "$db")
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
	if [ -n "$prev" ]; then
		run "  diff (scans $prev and $sid)" "$TLSAUDIT" diff --db "$db" "$prev" "$sid" -o /dev/null
	fi
done

if ! skipped shards && [ "$shards" -gt 1 ]; then
	t0=$(ms)
	for ((k = 1; k <= shards; k++)); do
		run "scan --shard $k/$shards" "$TLSAUDIT" scan --db "$LAB_DIR/shard$k.db" "${scan_opts[@]}" \
			--shard "$k/$shards" --run-id bench -f "$LAB_DIR/targets" --format json \
			-o /dev/null 2>/dev/null
	done
	echo "  $shards shards one after the other: $(($(ms) - t0)) ms"
	shard_files=()
	for ((k = 1; k <= shards; k++)); do shard_files+=("$LAB_DIR/shard$k.db"); done
	run "merge --into main.db ($shards shards)" "$TLSAUDIT" merge --into "$main" "${shard_files[@]}"
	run "check, six policies (merged scan)" "$TLSAUDIT" check --db "$main" "${six[@]}" >/dev/null
fi

# On a copy: main.db stays for a look afterwards (--keep).
cp "$main" "$LAB_DIR/prune.db"
before_size=$(dbsize "$LAB_DIR/prune.db")
run "prune --keep-scans 1 (a copy of main.db)" "$TLSAUDIT" prune --db "$LAB_DIR/prune.db" \
	--keep-scans 1
echo "  database $((before_size / 1024)) KiB -> $(($(dbsize "$LAB_DIR/prune.db") / 1024)) KiB"
echo "load at end: $(uptime)"
lab_stop fleet
