#!/bin/bash
# bench/db_growth.sh - how much the database grows per nightly scan of
# 1,000 targets, and what `tlsaudit prune` gives back (issue 15,
# "Retention"). A benchmark, not a test: it prints figures, never fails on
# one.
#
#   bench/db_growth.sh [--targets N] [--scans K] [--policy P] [path/to/tlsaudit]
#
# In the lab's private network namespace (tests/lab/lab.sh) one nginx
# (TLS 1.2 and 1.3, the lab's modern12 leaf and intermediate) listens on N
# ports (default 1000): N distinct targets. tlsaudit scans them K times
# (default 3) into a fresh database, each scan the full default scan
# (enumeration, handshakes, certificate work; --offline: the lab has no
# OCSP responder) followed by --policy P (default pci-dss-4.0), as a
# nightly cron job would; after each scan the WAL is checkpointed and the
# file size read. Then `prune --keep-scans 1` and the size again. Prints
# bytes per scan, per target, and per scan per 1,000 targets.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
n=1000 scans=3 policy=pci-dss-4.0 bin=
args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	--targets) n=$2; shift 2 ;;
	--scans) scans=$2; shift 2 ;;
	--policy) policy=$2; shift 2 ;;
	--help) sed -n '2,17p' "$0"; exit 0 ;;
	*) bin=$1; shift ;;
	esac
done
bin=${bin:-${TLSAUDIT:-$top/tlsaudit}}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
export TLSAUDIT_POLICY_DIR=$top/policies
top_srcdir=$top
# shellcheck source=tests/lab/lab.sh
. "$top/tests/lab/lab.sh"
lab_netns "$0" "${args[@]}"
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed" >&2; exit 1; }
lab_init
lab_certs >/dev/null
c=$LAB_CERTS d=$LAB_RUN/many
mkdir -p "$d"
ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null || true

ports=()
base=20000
for ((i = 0; i < n; i++)); do ports+=($((base + i))); done
{
	cat <<EOF
daemon off;
master_process off;
user root root;
worker_processes 1;
worker_rlimit_nofile 65536;
pid $d/nginx.pid;
error_log $d/error.log crit;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
    server {
EOF
	for p in "${ports[@]}"; do echo "        listen 127.0.0.1:$p ssl;"; done
	cat <<EOF
        server_name modern12.lab.test;
        ssl_certificate $c/modern12.chain.pem;
        ssl_certificate_key $c/modern12.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers '$LAB_NGINX_MODERN_CIPHERS';
        location / { return 200 "lab\n"; }
    }
}
EOF
} >"$d/nginx.conf"
_lab_spawn many "${ports[$((n - 1))]}" nginx -p "$d" -e "$d/error.log" -c "$d/nginx.conf"
for p in "${ports[@]}"; do echo "127.0.0.1:$p sni=modern12.lab.test"; done >"$LAB_DIR/targets"

db=$LAB_DIR/growth.db
size() { sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null; stat -c %s "$db"; }
echo "db_growth: $n targets (one nginx, $n ports), $scans scans, --policy $policy, $("$bin" --version)"
prev=0
sizes=()
for ((k = 1; k <= scans; k++)); do
	t0=$(date +%s%N)
	set +e
	"$bin" scan --db "$db" --ca-file "$LAB_CA" --offline --quiet --policy "$policy" \
		-f "$LAB_DIR/targets" 2>"$LAB_DIR/scan.err"
	st=$?
	set -e
	t1=$(date +%s%N)
	s=$(size)
	sizes+=("$s")
	printf 'scan %d: exit %d, %d s, database %d bytes (+%d)\n' "$k" "$st" $(((t1 - t0) / 1000000000)) \
		"$s" $((s - prev))
	tail -n 1 "$LAB_DIR/scan.err"
	prev=$s
done
rows=$(sqlite3 "$db" 'SELECT (SELECT count(*) FROM targets), (SELECT count(*) FROM findings),
	(SELECT count(*) FROM enum_suites), (SELECT count(*) FROM probe_results), (SELECT count(*) FROM certificates)')
echo "rows (targets|findings|enum_suites|probe_results|certificates): $rows"
if [ "$scans" -ge 2 ]; then
	per=$(((sizes[scans - 1] - sizes[0]) / (scans - 1)))
	printf 'growth per scan after the first: %d bytes = %d bytes per target = %.1f MB per scan per 1,000 targets\n' \
		"$per" $((per / n)) "$(awk -v p="$per" -v n="$n" 'BEGIN { print p * 1000 / n / 1000000 }')"
fi
t0=$(date +%s%N)
"$bin" prune --db "$db" --keep-scans 1
t1=$(date +%s%N)
printf 'prune --keep-scans 1: %d ms, database %d bytes\n' $(((t1 - t0) / 1000000)) "$(size)"
lab_stop many
