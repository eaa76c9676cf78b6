#!/bin/bash
# bench/fleet_html.sh - the HTML report at fleet size (issue 15): one nginx
# (worker_processes 2) listening on N ports in the lab's private network
# namespace, one tlsaudit scan of the N targets with --policy pci-dss-4.0,
# then `tlsaudit report --format html` in the fleet layout (the default above
# 100 targets) and with --detail all, each rendered by headless Chromium
# (time until the DOM is there) and printed to PDF (time, pages).
#
#   bench/fleet_html.sh [N] [path/to/tlsaudit]     # default N=1000
#   LAYOUTS=default bench/fleet_html.sh 1000         # skip the --detail all render
#
# A benchmark, not a test: it never fails on a timing. It prints one line per
# measure: the scan's wall time, peak RSS and DB size, each HTML's size and
# render time, Chromium's DOM and PDF times and the PDF's pages. Needs
# root (the namespace), nginx, chromium, pdfinfo (poppler-utils), jq.
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
n=${1:-1000}
TLSAUDIT=${2:-${TLSAUDIT:-$top/tlsaudit}}
case $TLSAUDIT in /*) ;; *) TLSAUDIT=$PWD/$TLSAUDIT ;; esac
export top_srcdir=$top TLSAUDIT
. "$top/tests/lab/lab.sh"
lab_netns "$0" "$@"
for c in nginx chromium pdfinfo jq; do
	command -v "$c" >/dev/null || { echo "fleet_html.sh: $c is needed" >&2; exit 2; }
done
lab_init
lab_certs >/dev/null

# One nginx, n ports (consecutive free ones from a base), one certificate.
d=$LAB_DIR/nginx
mkdir -p "$d"
base=$(lab_free_port)
listen=""
for i in $(seq 0 $((n - 1))); do
	listen="$listen        listen 127.0.0.1:$((base + i)) ssl;
"
done
cat >"$d/nginx.conf" <<EOF
daemon off;
worker_processes 2;
worker_rlimit_nofile 16384;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    server {
$listen        server_name good-rsa.lab.test;
        ssl_certificate $LAB_CERTS/good-rsa.chain.pem;
        ssl_certificate_key $LAB_CERTS/good-rsa.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / { return 200 "fleet\n"; }
    }
}
EOF
ulimit -n 16384 2>/dev/null || true
nginx -p "$d" -e "$d/error.log" -c "$d/nginx.conf" &
lab_track $!
for _ in $(seq 100); do
	nc_ok=$( (exec 3<>"/dev/tcp/127.0.0.1/$((base + n - 1))") 2>/dev/null && echo y)
	[ "$nc_ok" = y ] && break
	sleep 0.1
done
[ "${nc_ok-}" = y ] || { echo "fleet_html.sh: nginx did not start" >&2; cat "$d/error.log" >&2; exit 2; }
for i in $(seq 0 $((n - 1))); do echo "127.0.0.1:$((base + i)) sni=good-rsa.lab.test"; done \
	>"$LAB_DIR/targets"

ms() { date +%s%3N; }
db=$LAB_DIR/fleet.db
t0=$(ms)
/usr/bin/time -f '%M' -o "$LAB_DIR/scan.rss" "$TLSAUDIT" scan --db "$db" -j 8 --offline \
	--ca-file "$LAB_CA" -f "$LAB_DIR/targets" --policy pci-dss-4.0 --format json \
	-o /dev/null 2>"$LAB_DIR/scan.err"
rc=$?
t1=$(ms)
echo "scan: $n targets, exit $rc, $((t1 - t0)) ms, peak RSS $(cat "$LAB_DIR/scan.rss" 2>/dev/null) KiB, db $(($(stat -c %s "$db") / 1024)) KiB"

CHR=$LAB_DIR/chromium
mkdir -p "$CHR/home" "$CHR/run"
chmod 700 "$CHR/run"
chromium_run() {
	HOME=$CHR/home XDG_RUNTIME_DIR=$CHR/run DBUS_SESSION_BUS_ADDRESS=disabled: \
		timeout -k 5 600 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-extensions \
		--user-data-dir="$CHR/profile" "$@" 2>>"$CHR/stderr"
}
for layout in ${LAYOUTS:-default all}; do
	html=$LAB_DIR/fleet-$layout.html
	opt=()
	[ "$layout" = all ] && opt=(--detail all)
	t0=$(ms)
	"$TLSAUDIT" report --db "$db" --format html "${opt[@]}" -o "$html"
	t1=$(ms)
	chromium_run --dump-dom "file://$html" >"$html.dom"
	t2=$(ms)
	chromium_run --print-to-pdf="$html.pdf" "file://$html" >/dev/null
	t3=$(ms)
	pages=$(pdfinfo "$html.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
	echo "html ($layout layout): $(($(stat -c %s "$html") / 1024)) KiB, written in $((t1 - t0)) ms;" \
		"chromium DOM $((t2 - t1)) ms, PDF $((t3 - t2)) ms, ${pages:-?} pages," \
		"$(grep -c '<article class="target"' "$html") targets in detail"
done
