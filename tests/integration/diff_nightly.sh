#!/usr/bin/env bash
# tests/integration/diff_nightly.sh - issue 15's 29 simulated nights of a
# cron job: one nginx serving three server_names on ONE address and port
# (good-rsa.lab.test, good-ecdsa.lab.test, expired.lab.test: a known broken
# vhost), scanned every night with `scan --policy pci-dss-4.0 -j 1` from a
# targets file whose lines come in another order each night (so the
# targets are stored in another order), then `tlsaudit diff` of the last
# two scans, as a nightly job would.
#
# Night 15 is the one real regression: good-ecdsa.lab.test starts serving a
# self-signed certificate (and keeps it). Night 20 nginx is down (a host
# that stops answering), night 21 it is back (a flap).
#
# Checks: exactly nights 15 and 20 are "worse" (diff exit 1), every other
# night exits 0; night 15 names good-ecdsa.lab.test and the self-signed
# chain, nothing else; night 20 lists each target as "unreachable now, was
# reachable" and its failing rules as not evaluated, never "resolved";
# night 21 shows no new failing finding; the JSON of every diff pairs the
# three SNI names with themselves; the diff of the same two scans is the
# same bytes whichever order the targets finished in.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v nginx >/dev/null || lab_skip "nginx is not installed"

export TLSAUDIT_POLICY_DIR=$top_srcdir/policies
lab_init
lab_certs >/dev/null
c=$LAB_CERTS
db=$LAB_DIR/nightly.db
port=$(lab_free_port)

# nginx_conf ECDSA_LEAF: three server blocks on one port; good-ecdsa's
# block serves ECDSA_LEAF's certificate.
nginx_conf() {
	local d=$LAB_RUN/vhosts ecdsa=$1
	mkdir -p "$d"
	{
		cat <<EOF
daemon off;
master_process off;
user root root;
worker_processes 1;
pid $d/nginx.pid;
lock_file $d/nginx.lock;
error_log $d/error.log notice;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
EOF
		for v in good-rsa:good-rsa good-ecdsa:$ecdsa expired:expired; do
			cat <<EOF
    server {
        listen 127.0.0.1:$port ssl;
        server_name ${v%%:*}.lab.test;
        ssl_certificate $c/${v#*:}.chain.pem;
        ssl_certificate_key $c/${v#*:}.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / { return 200 "lab\n"; }
    }
EOF
		done
		echo "}"
	} >"$d/nginx.conf"
}
nginx_up() {
	nginx_conf "$1"
	_lab_spawn vhosts "$port" nginx -p "$LAB_RUN/vhosts" -e "$LAB_RUN/vhosts/error.log" \
		-c "$LAB_RUN/vhosts/nginx.conf"
}

names=(good-rsa good-ecdsa expired)
# targets NIGHT: the three lines, rotated and reversed by the night number.
targets() {
	local n=$1 i k
	: >"$LAB_DIR/targets"
	for ((i = 0; i < 3; i++)); do
		k=$(((i + n) % 3))
		((n % 2)) && k=$((2 - k))
		echo "127.0.0.1:$port sni=${names[$k]}.lab.test" >>"$LAB_DIR/targets"
	done
}

worse_nights=''
orders=''
nginx_up good-ecdsa
for ((night = 1; night <= 29; night++)); do
	case $night in
	15)
		lab_stop vhosts
		nginx_up selfsigned
		;;
	20) lab_stop vhosts ;;
	21) nginx_up selfsigned ;;
	esac
	targets "$night"
	set +e
	"$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --offline --no-enumerate -j 1 --timeout 5 \
		--policy pci-dss-4.0 --format json -f "$LAB_DIR/targets" >"$LAB_DIR/scan.json" \
		2>"$LAB_DIR/scan.err"
	st=$?
	set -e
	case $st in
	0 | 1 | 3) ;;
	*) t_fail "night $night: scan exits $st" "$(cat "$LAB_DIR/scan.err")" ;;
	esac
	orders+="$(jq -r '[.targets[].sni] | join(",")' "$LAB_DIR/scan.json")"$'\n'
	[ "$night" = 1 ] && continue
	set +e
	"$TLSAUDIT" diff --db "$db" >"$LAB_DIR/diff.$night.txt" 2>"$LAB_DIR/diff.err"
	st=$?
	"$TLSAUDIT" diff --db "$db" --format json >"$LAB_DIR/diff.$night.json" 2>>"$LAB_DIR/diff.err"
	set -e
	case $st in
	0) ;;
	1) worse_nights+=" $night" ;;
	*) t_fail "night $night: diff exits $st" "$(cat "$LAB_DIR/diff.err")" ;;
	esac
	# Every target present in both scans, paired with its own SNI.
	t_eq "night $night: each SNI paired with itself" "both both both" \
		"$(jq -r '[.targets[].presence] | join(" ")' "$LAB_DIR/diff.$night.json")"
done
lab_stop vhosts

t_match "the targets were stored in different orders" '.' \
	"$([ "$(sort -u <<<"$orders" | grep -c .)" -ge 2 ] && echo yes)"
t_eq "worse exactly on the regression night and the night nginx was down" " 15 20" "$worse_nights"

n15=$(cat "$LAB_DIR/diff.15.txt")
t_match "night 15: good-ecdsa.lab.test changed" "SNI good-ecdsa\.lab\.test: [0-9]+ changes?, [1-9]" "$n15"
t_match "night 15: its chain became self-signed (worse)" "\+ WORSE chain problem appeared: self-signed" "$n15"
t_eq "night 15: only one target changed" 1 \
	"$(jq '[.targets[] | select(.changes | length > 0)] | length' "$LAB_DIR/diff.15.json")"

n20=$(cat "$LAB_DIR/diff.20.txt")
t_eq "night 20: every target listed as unreachable now" 3 \
	"$(grep -c 'WORSE unreachable now, was reachable: status ok -> unreachable' <<<"$n20" || true)"
t_match "night 20: the broken vhost's failures are not evaluated" \
	"findings of pci-dss-4\.0 not evaluated: non-compliant -> not-evaluated" "$n20"
t_eq "night 20: no finding resolved" 0 "$(grep -c 'resolved finding' <<<"$n20" || true)"
t_eq "night 20: json kinds" "findings_not_evaluated status_changed" \
	"$(jq -r '[.targets[].changes[].kind] | unique | join(" ")' "$LAB_DIR/diff.20.json")"
n21=$(cat "$LAB_DIR/diff.21.txt")
t_eq "night 21: no new failing finding" 0 "$(grep -c 'new failing finding' <<<"$n21" || true)"
t_eq "night 21: nothing worse" 0 "$(jq '.summary.worse' "$LAB_DIR/diff.21.json")"
t_match "night 21: back, not compared" "not compared: scan 20 did not scan the target" "$n21"

# The same diff whatever the stored order: nights 16 and 17 stored the
# same facts in other orders; diff 16 17 and 17 16 are empty, and diff
# 15 16 equals diff 15 17 but for the scan ids.
t_run 0 "$TLSAUDIT" diff --db "$db" 16 17
t_match "nights 16 -> 17: nothing changed" "0 targets changed, 3 unchanged" "$T_OUT"
t_run 1 "$TLSAUDIT" diff --db "$db" --format json 14 16
a=$(jq -c 'del(.scan_a, .scan_b) | .targets[].changes |= map(del(.detail))' <<<"$T_OUT")
t_run 1 "$TLSAUDIT" diff --db "$db" --format json 14 17
b=$(jq -c 'del(.scan_a, .scan_b) | .targets[].changes |= map(del(.detail))' <<<"$T_OUT")
t_eq "diff 14 16 and 14 17 are the same (other stored orders)" "$a" "$b"
t_done
