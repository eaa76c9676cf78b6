#!/bin/bash
# bench/compare.sh - tlsaudit against sslscan, nmap and testssl.sh on lab servers.
#
#   bench/compare.sh [OPTIONS] [path/to/tlsaudit]
#
# A benchmark, not a test: it never fails on a timing.  In a private network
# namespace (tests/lab/lab.sh) it starts the lab servers `legacy` (nginx,
# server order, 44 TLS 1.2 suites) and `gnutls-legacy` (gnutls-serv, client
# order, 3DES/RC4/CAMELLIA), then for each server, one run each:
#
#   tlsaudit scan --format json   (the full default scan: SSLv2..TLS 1.3,
#                                  whole registry, order, groups, sigalgs,
#                                  GnuTLS handshakes, certificate checks)
#   sslscan --no-colour --xml=FILE 127.0.0.1:PORT
#   nmap -n -Pn -p PORT --script ssl-enum-ciphers -oX FILE 127.0.0.1
#   testssl.sh -e --jsonfile FILE 127.0.0.1:PORT   (sockets mode, 370 suites)
#
# and prints wall-clock times (date +%s%N), the ratio tool/tlsaudit, max RSS
# (/usr/bin/time -f %M), the suites each tool found per protocol version, and
# every suite another tool found that tlsaudit did not (a tlsaudit bug).
# testssl.sh -e does not say under which version a suite was accepted (it
# probes with the highest one): its suites are checked against the union of
# tlsaudit's TLS suites ("any").  Then a scaling run: tlsaudit scans of
# 1, 10, 50 and 100 targets (the nginx servers legacy and modern12 in turn,
# one target per line), with the default caps (--max-conn 4,
# --max-conn-total 64) and again with --max-conn-total 16.
#
# Options:
#   --servers "A B"   lab servers to compare on (default "legacy gnutls-legacy")
#   --testssl-on "A"  the servers testssl.sh runs on (default "all": every
#                     server).  testssl.sh is CPU-bound bash: on this 2-CPU
#                     machine it needs 2-6 minutes for legacy and 1-2 for
#                     gnutls-legacy, most of the run; --testssl-on gnutls-legacy
#                     or --skip testssl for a shorter one
#   --skip "T..."     leave tools out: sslscan nmap testssl scale
#   --scale "N..."    target counts of the scaling run (default "1 10 50 100")
#   --caps "N..."     --max-conn-total values of the scaling run (default "64 16")
#   --repeat N        run tlsaudit, sslscan and nmap N times per server and
#                     report the median wall time (default 1: one run each;
#                     testssl.sh always runs once); the suites are checked
#                     from the last run
#   --out DIR         keep every raw output (XML, JSON, logs) in DIR
#   -h, --help
#
# tlsaudit defaults to $TLSAUDIT, then ./tlsaudit.  Nothing is installed:
# a missing tool is named and its comparison skipped.  Needs root or
# unprivileged user namespaces (else exit 77), jq and awk.
# Exit status: 0 done; 1 tlsaudit missed a suite another tool found (or a
# tool's suite name could not be mapped to a code); 2 setup error.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

servers="legacy gnutls-legacy"
testssl_on="all"
skip=""
scale="1 10 50 100"
caps="64 16"
repeat=1
keep=""
prog=""
args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help)
		sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//p}' "$0"
		exit 0
		;;
	--servers) servers=$2; shift ;;
	--testssl-on) testssl_on=$2; shift ;;
	--testssl-on=*) testssl_on=${1#*=} ;;
	--skip) skip=$2; shift ;;
	--scale) scale=$2; shift ;;
	--caps) caps=$2; shift ;;
	--repeat) repeat=$2; shift ;;
	--repeat=*) repeat=${1#*=} ;;
	--out) keep=$2; shift ;;
	--servers=*) servers=${1#*=} ;;
	--skip=*) skip=${1#*=} ;;
	--scale=*) scale=${1#*=} ;;
	--caps=*) caps=${1#*=} ;;
	--out=*) keep=${1#*=} ;;
	-*) echo "compare: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) prog=$1 ;;
	esac
	shift
done

case $repeat in
'' | *[!0-9]* | 0) echo "compare: --repeat wants a number >= 1" >&2; exit 2 ;;
esac
# shellcheck source=bench/paths.sh
. "$here/paths.sh"
bench_paths compare "$prog" "$keep"

# The namespace first: nothing below can reach another machine.
# shellcheck source=tests/lab/lab.sh
. "$top/tests/lab/lab.sh"
lab_netns "$0" "${args[@]}"

skipped() { case " $skip " in *" $1 "*) return 0 ;; esac; return 1; }
say() { printf '%s\n' "$*"; }
hr() { say "------------------------------------------------------------------------"; }

# --- tools -------------------------------------------------------------------

for t in jq date awk; do
	command -v "$t" >/dev/null 2>&1 || { echo "compare: $t is needed (apt-get install $t)" >&2; exit 2; }
done
TIME_BIN=/usr/bin/time
if ! "$TIME_BIN" -f %M -o /dev/null true 2>/dev/null; then
	say "note: /usr/bin/time (Debian package 'time') is missing: no max-RSS figures (apt-get install time)"
	TIME_BIN=""
fi
SSLSCAN=$(command -v sslscan 2>/dev/null || true)
NMAP=$(command -v nmap 2>/dev/null || true)
TESTSSL=$(command -v testssl.sh 2>/dev/null || command -v testssl 2>/dev/null || true)
missing=""
[ -n "$SSLSCAN" ] || missing="$missing sslscan"
[ -n "$NMAP" ] || missing="$missing nmap"
[ -n "$TESTSSL" ] || missing="$missing testssl.sh"
skipped sslscan && SSLSCAN=""
skipped nmap && NMAP=""
skipped testssl && TESTSSL=""
tools="tlsaudit"
[ -n "$SSLSCAN" ] && tools="$tools sslscan"
[ -n "$NMAP" ] && tools="$tools nmap"
[ -n "$TESTSSL" ] && tools="$tools testssl"

lab_init
# shellcheck disable=SC2317 # called by the lab's exit trap
lab_user_cleanup() {
	if [ -n "$keep" ] && [ -d "${B-}" ]; then
		cp -a "$B"/. "$keep"/ 2>/dev/null || true
	fi
}
B=$LAB_DIR/bench
mkdir -p "$B" || exit 2

ver_of() { # tool version lines for the header
	case $1 in
	tlsaudit) "$prog" version 2>/dev/null | head -1 ;;
	sslscan) echo "sslscan $("$SSLSCAN" --version 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | grep -m1 -o '[0-9][0-9.]*[0-9]')" ;;
	nmap) "$NMAP" --version 2>/dev/null | head -1 | sed 's/ (.*//' ;;
	testssl) echo "testssl.sh $(sed -n 's/^declare -r VERSION="\(.*\)"/\1/p' "$TESTSSL" | head -1) ($TESTSSL)" ;;
	esac
}

say "tlsaudit speed and coverage benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
say "tlsaudit: $prog"
for t in $tools; do say "  $(ver_of "$t")"; done
[ -n "$missing" ] && say "missing (comparison skipped, install with apt-get):$missing"
[ -n "$skip" ] && say "skipped on request: $skip"

# --- the registry: names -> codes ----------------------------------------------

# $B/names: "KIND NAME CODE" lines, KIND ssl2 or tls, from the project's
# registry (IANA, OpenSSL and GnuTLS names), else from `tlsaudit ciphers`.
reg=$top/data/cipher-suites.tsv
if [ -r "$reg" ]; then
	awk -F'\t' '/^#/ || $1 == "code" { next }
		{ k = ($14 == "SSL2") ? "ssl2" : "tls"
		  for (i = 2; i <= 4; i++) if ($i != "-" && $i != "") print k, $i, $1 }' "$reg" >"$B/names"
else
	"$prog" ciphers 2>/dev/null | awk 'NR > 1 && $1 ~ /^0x/ {
		k = ($NF == "-" && $(NF-1) == "SSL2") ? "ssl2" : "tls"
		if ($2 != "-") print k, $2, $1; if ($3 != "-") print k, $3, $1 }' >"$B/names"
fi
if [ ! -s "$B/names" ]; then
	echo "compare: cannot read the cipher-suite registry ($reg or '$prog ciphers')" >&2
	exit 2
fi

# Normalised codes: 0x + 4 upper-case hex digits (SSLv2 kinds: 6).
NORM_AWK='function norm(c) { c = toupper(c); sub(/^0X/, "", c); sub(/^X/, "", c)
	while (length(c) < 4) c = "0" c; if (length(c) == 5) c = "0" c; return "0x" c }'

# map_names FILE: "VERSION NAME" lines in, "VERSION CODE" out; a name not in
# the registry is looked up with `tlsaudit ciphers NAME`, else printed as
# "VERSION UNMAPPED:NAME".
map_names() {
	local v n c
	while read -r v n; do
		[ -n "$n" ] || continue
		# nmap 7.93 names the TLS 1.3 suites as in the drafts:
		# TLS_AKE_WITH_AES_128_GCM_SHA256 = TLS_AES_128_GCM_SHA256.
		case $n in TLS_AKE_WITH_*) n=TLS_${n#TLS_AKE_WITH_} ;; esac
		if [ "$v" = SSLv2 ]; then
			c=$(awk -v n="$n" '$1 == "ssl2" && $2 == n { print $3; exit }' "$B/names")
		else
			c=$(awk -v n="$n" '$1 == "tls" && $2 == n { print $3; exit }' "$B/names")
		fi
		if [ -z "$c" ]; then
			c=$("$prog" ciphers "$n" 2>/dev/null | awk -v n="$n" '$2 == n || $3 == n { print $1; exit }')
		fi
		say "$v ${c:-UNMAPPED:$n}"
	done <"$1"
}

# --- parsers: each writes "VERSION CODE" lines, VERSION SSLv2 .. TLS1.3 --------

parse_tlsaudit() { # JSON -> suites
	jq -r '.targets[0].enumeration.versions[]? | .version as $v
		| ({"SSL 2.0":"SSLv2","SSL 3.0":"SSLv3","TLS 1.0":"TLS1.0","TLS 1.1":"TLS1.1","TLS 1.2":"TLS1.2","TLS 1.3":"TLS1.3"}[$v] // $v) as $n
		| .suites[]? | "\($n) \(.code)"' "$1" | awk "$NORM_AWK"'{ print $1, norm($2) }'
}

parse_sslscan() { # XML -> suites (the id attribute; the name if there is none)
	awk "$NORM_AWK"'
		/<cipher / {
			v = ""; id = ""; nm = ""
			if (match($0, /sslversion="[^"]*"/)) v = substr($0, RSTART + 12, RLENGTH - 13)
			if (match($0, / id="[^"]*"/)) id = substr($0, RSTART + 5, RLENGTH - 6)
			if (match($0, / cipher="[^"]*"/)) nm = substr($0, RSTART + 9, RLENGTH - 10)
			sub(/^TLSv/, "TLS", v); if (v == "TLS1") v = "TLS1.0"
			if (id != "") print v, norm(id); else print v, "NAME", nm
		}' "$1" >"$1.raw"
	awk '$2 != "NAME"' "$1.raw"
	awk '$2 == "NAME" { print $1, $3 }' "$1.raw" >"$1.names"
	[ -s "$1.names" ] && map_names "$1.names"
}

parse_nmap() { # XML -> suites (IANA names under <table key="TLSv1.x">)
	awk '
		/<table key="(SSLv2|SSLv3|TLSv1\.[0-3])">/ {
			match($0, /key="[^"]*"/); v = substr($0, RSTART + 5, RLENGTH - 6)
			sub(/^TLSv/, "TLS", v)
		}
		/<elem key="name">/ && v != "" {
			n = $0; sub(/.*<elem key="name">/, "", n); sub(/<\/elem>.*/, "", n)
			print v, n
		}' "$1" >"$1.names"
	map_names "$1.names"
}

parse_testssl() { # JSON -> suites, version "any" (-e names no version)
	jq -r '.[] | select(.id | test("^cipher_x[0-9a-fA-F]+$")) | .id | sub("^cipher_"; "")' "$1" |
		awk "$NORM_AWK"'{ c = norm($1); print (length(c) == 8 ? "SSLv2" : "any"), c }'
}

# --- timing --------------------------------------------------------------------

# timed TAG CMD...: runs CMD (stdout/stderr to $B/TAG.out/.err); sets T_MS
# (wall ms), T_RSS (max RSS kB or "-"), T_CPU (user+sys s or "-"), T_RC,
# T_SRV (CPU ms the lab servers named in $SRV used meanwhile).
SRV=""
timed() {
	local tag=$1 t0 t1 last c0
	shift
	# shellcheck disable=SC2086 # SRV is a list of names
	c0=$(srv_ticks $SRV)
	t0=$(date +%s%N)
	if [ -n "$TIME_BIN" ]; then
		"$TIME_BIN" -f '%M %U %S' -o "$B/$tag.time" "$@" >"$B/$tag.out" 2>"$B/$tag.err"
	else
		"$@" >"$B/$tag.out" 2>"$B/$tag.err"
	fi
	T_RC=$?
	t1=$(date +%s%N)
	T_MS=$(((t1 - t0) / 1000000))
	# shellcheck disable=SC2086
	T_SRV=$((($(srv_ticks $SRV) - c0) * TICK_MS))
	T_RSS=- T_CPU=-
	if [ -n "$TIME_BIN" ] && [ -s "$B/$tag.time" ]; then
		last=$(tail -n 1 "$B/$tag.time")
		T_RSS=${last%% *}
		T_CPU=$(echo "$last" | awk '{ printf "%.1f", $2 + $3 }')
	fi
}

# timed_n TAG CMD...: timed, $repeat times (each with a fresh $B/db.d for
# tlsaudit's database); T_MS becomes the median wall time, T_SRV the
# median server CPU, T_WALLS the list; the rest is from the last run.
timed_n() {
	local r walls="" srvs=""
	for ((r = 0; r < repeat; r++)); do
		rm -rf "$B/db.d"
		mkdir -p "$B/db.d"
		timed "$@"
		walls="$walls $T_MS" srvs="$srvs $T_SRV"
		[ "$T_RC" = 0 ] || break
	done
	T_WALLS=${walls# }
	if [ "$r" -gt 0 ]; then
		# shellcheck disable=SC2086 # lists of numbers
		T_MS=$(median $walls)
		# shellcheck disable=SC2086
		T_SRV=$(median $srvs)
	fi
}
runs_note() { [ "$repeat" -gt 1 ] && printf ' [median of: %s]' "$T_WALLS"; }
# shellcheck disable=SC2317
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# srv_ticks NAME...: CPU clock ticks (user+sys) used so far by these lab
# servers' processes (nginx runs without a master, gnutls-serv alone).
srv_ticks() {
	local n pid t=0 st
	for n in "$@"; do
		read -r pid _ <"$LAB_RUN/$n.pid" 2>/dev/null || continue
		read -r -a st <"/proc/$pid/stat" 2>/dev/null || continue
		# utime and stime: fields 14 and 15 (the comm has no space)
		t=$((t + st[13] + st[14]))
	done
	echo "$t"
}
TICK_MS=$((1000 / $(getconf CLK_TCK 2>/dev/null || echo 100)))

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }

# --- comparison runs -------------------------------------------------------------

VERSIONS="SSLv2 SSLv3 TLS1.0 TLS1.1 TLS1.2 TLS1.3"
misses=0
unmapped=0
problems=""
declare -A MS RSS CPU SCPU COUNT STATUS NOENUM

for s in $servers; do
	hr
	if ! lab_start "$s" >/dev/null; then
		echo "compare: lab server $s did not start" >&2
		exit 2
	fi
	port=$(lab_port "$s")
	SRV=$s
	sni=$(lab_expect "$s" sni 2>/dev/null || echo "$s.lab.test")
	say "server $s: $(lab_target "$s") ($(lab_expect "$s" server 2>/dev/null), order=$(lab_expect "$s" order 2>/dev/null))"

	# tlsaudit: the full default scan, fresh database.
	timed_n "$s.tlsaudit" "$prog" scan --format json --db "$B/db.d/tlsaudit.db" \
		--ca-file "$LAB_CA" --sni "$sni" "127.0.0.1:$port"
	MS[$s,tlsaudit]=$T_MS RSS[$s,tlsaudit]=$T_RSS CPU[$s,tlsaudit]=$T_CPU SCPU[$s,tlsaudit]=$T_SRV
	if [ "$T_RC" != 0 ] || ! parse_tlsaudit "$B/$s.tlsaudit.out" >"$B/$s.tlsaudit.suites" ||
		[ ! -s "$B/$s.tlsaudit.suites" ]; then
		echo "compare: tlsaudit failed on $s (exit $T_RC); its stderr:" >&2
		sed 's/^/  /' "$B/$s.tlsaudit.err" >&2
		exit 2
	fi
	STATUS[$s,tlsaudit]=ok
	say "  tlsaudit  $(printf '%6d' "$T_MS") ms  ($(jq -r '.targets[0].enumeration.probes' "$B/$s.tlsaudit.out") enumeration connections, server CPU $T_SRV ms)$(runs_note)"
	# The probes after it: one connection per row that sent a hello (the
	# extra ClientHellos, Heartbleed and CCS injection; retries not counted).
	say "            + $(jq -r '[.targets[0].probes[] | select((.evidence // "") | startswith("sent: "))] | length' "$B/$s.tlsaudit.out") extra connections (compression, fallback SCSV, intolerance, Heartbleed, CCS injection; at most 7)"
	# Where tlsaudit's time goes: the same scan without the enumeration
	# (GnuTLS handshakes, certificate checks, the database).
	timed_n "$s.tlsaudit-noenum" "$prog" scan --format json --no-enumerate \
		--db "$B/db.d/noenum.db" --ca-file "$LAB_CA" --sni "$sni" "127.0.0.1:$port"
	NOENUM[$s]=$T_MS
	say "            $(printf '%6d' "$T_MS") ms  the same with --no-enumerate (GnuTLS handshakes, certificates, database)$(runs_note)"
	jq -r '.targets[0].enumeration.versions[] | select(.incomplete == true)
		| "  note: tlsaudit marks \(.version) incomplete: \(.incomplete_reason // "?")"' "$B/$s.tlsaudit.out"

	if [ -n "$SSLSCAN" ]; then
		timed_n "$s.sslscan" "$SSLSCAN" --no-colour --xml="$B/$s.sslscan.xml" "127.0.0.1:$port"
		MS[$s,sslscan]=$T_MS RSS[$s,sslscan]=$T_RSS CPU[$s,sslscan]=$T_CPU SCPU[$s,sslscan]=$T_SRV
		if [ "$T_RC" = 0 ] && [ -s "$B/$s.sslscan.xml" ]; then
			parse_sslscan "$B/$s.sslscan.xml" >"$B/$s.sslscan.suites"
			STATUS[$s,sslscan]=ok
		else
			STATUS[$s,sslscan]="failed (exit $T_RC)"
		fi
		say "  sslscan   $(printf '%6d' "$T_MS") ms  ${STATUS[$s,sslscan]} (server CPU $T_SRV ms)$(runs_note)"
	fi

	if [ -n "$NMAP" ]; then
		timed_n "$s.nmap" "$NMAP" -n -Pn -p "$port" --script ssl-enum-ciphers \
			-oX "$B/$s.nmap.xml" 127.0.0.1
		MS[$s,nmap]=$T_MS RSS[$s,nmap]=$T_RSS CPU[$s,nmap]=$T_CPU SCPU[$s,nmap]=$T_SRV
		if [ "$T_RC" = 0 ] && grep -q 'id="ssl-enum-ciphers"' "$B/$s.nmap.xml" 2>/dev/null; then
			parse_nmap "$B/$s.nmap.xml" >"$B/$s.nmap.suites"
			STATUS[$s,nmap]=ok
		else
			STATUS[$s,nmap]="failed (exit $T_RC, no ssl-enum-ciphers output)"
		fi
		say "  nmap      $(printf '%6d' "$T_MS") ms  ${STATUS[$s,nmap]} (server CPU $T_SRV ms)$(runs_note)"
	fi

	run_testssl=0
	case " $testssl_on " in *" all "* | *" $s "*) run_testssl=1 ;; esac
	if [ -n "$TESTSSL" ] && [ "$run_testssl" = 0 ]; then
		say "  testssl   not run on $s (--testssl-on)"
	fi
	if [ -n "$TESTSSL" ] && [ "$run_testssl" = 1 ]; then
		# Sockets mode (not --fast, which reports only the preferred suite).
		# --nodns none: no lookups (--ip one cannot go with it: fatal error);
		# the target is an address anyway.  --sneaky changes only HTTP
		# request headers, which -e does not send.
		timed "$s.testssl" "$TESTSSL" -e --warnings off --openssl /usr/bin/openssl \
			--nodns none --color 0 --jsonfile "$B/$s.testssl.json" "127.0.0.1:$port"
		MS[$s,testssl]=$T_MS RSS[$s,testssl]=$T_RSS CPU[$s,testssl]=$T_CPU SCPU[$s,testssl]=$T_SRV
		if [ "$T_RC" = 0 ] && jq -e 'type == "array"' "$B/$s.testssl.json" >/dev/null 2>&1; then
			parse_testssl "$B/$s.testssl.json" >"$B/$s.testssl.suites"
			STATUS[$s,testssl]=ok
		else
			STATUS[$s,testssl]="failed (exit $T_RC)"
		fi
		say "  testssl   $(printf '%6d' "$T_MS") ms  ${STATUS[$s,testssl]} (server CPU $T_SRV ms)"
	fi

	# Suite counts per version, and what tlsaudit missed.
	ta=$B/$s.tlsaudit.sorted
	sort -u "$B/$s.tlsaudit.suites" >"$ta"
	awk '$1 != "SSLv2" { print "any", $2 }' "$ta" | sort -u >"$B/$s.tlsaudit.any"
	say ""
	line=$(printf '  %-8s %5s' version lab)
	for t in $tools; do line=$(printf '%s %9s' "$line" "$t"); done
	say "$line"
	for v in $VERSIONS any; do
		if [ "$v" = any ]; then
			lab=$(for w in $VERSIONS; do lab_expect "$s" "suites.$w" 2>/dev/null; done | tr ',' '\n' | grep . | sort -u | wc -l)
		elif lab_expect "$s" versions 2>/dev/null | tr ',' '\n' | grep -qx "$v"; then
			lab=$(lab_expect "$s" "suites.$v" 2>/dev/null | tr ',' '\n' | grep -c . || true)
		else
			lab=0
		fi
		line=$(printf '  %-8s %5s' "$v" "$lab")
		for t in $tools; do
			f=$B/$s.$t.suites
			if [ "${STATUS[$s,$t]-}" != ok ]; then
				n=-
			elif [ "$v" = any ]; then
				n=$(awk '$1 != "SSLv2" { print $2 }' "$f" | sort -u | wc -l)
			elif [ "$t" = testssl ] && [ "$v" != SSLv2 ]; then
				n=-
			else
				n=$(awk -v v="$v" '$1 == v' "$f" | sort -u | wc -l)
			fi
			COUNT[$s,$t,$v]=$n
			line=$(printf '%s %9s' "$line" "$n")
		done
		say "$line"
	done
	if [ "${STATUS[$s,testssl]-}" = ok ]; then
		say "  (lab: tests/lab/servers.txt; testssl -e does not say which version: see 'any')"
	else
		say "  (lab: tests/lab/servers.txt)"
	fi

	for t in $tools; do
		[ "$t" = tlsaudit ] && continue
		[ "${STATUS[$s,$t]-}" = ok ] || continue
		f=$B/$s.$t.suites
		u=$(grep -c 'UNMAPPED:' "$f" || true)
		if [ "$u" -gt 0 ]; then
			unmapped=$((unmapped + u))
			grep 'UNMAPPED:' "$f" | sort -u | while read -r v n; do
				say "  CANNOT CHECK: $t reports ${n#UNMAPPED:} under $v: not a registry name"
			done
			problems="$problems\n$s: $t suite names not in the registry: $u"
		fi
		# Every (version, code) the tool found must be in tlsaudit's list;
		# testssl's "any" against the union of tlsaudit's TLS versions.
		grep -v 'UNMAPPED:' "$f" | sort -u >"$f.sorted"
		cat "$ta" "$B/$s.tlsaudit.any" | sort -u >"$ta.all"
		comm -23 "$f.sorted" "$ta.all" >"$B/$s.$t.missed"
		if [ -s "$B/$s.$t.missed" ]; then
			while read -r v c; do
				n=$(awk -v c="$c" '$3 == c && $2 ~ /^(TLS|SSL)_/ { print $2; exit }' "$B/names")
				say "  MISSED by tlsaudit: server=$s version=$v code=$c ${n:-?} (found by $t)"
				misses=$((misses + 1))
			done <"$B/$s.$t.missed"
		fi
		# Informative: what tlsaudit found that the tool did not.
		if [ "$t" = testssl ]; then
			awk '$1 == "any"' "$f.sorted" | comm -13 - "$B/$s.tlsaudit.any" >"$B/$s.$t.extra"
		else
			comm -13 "$f.sorted" "$ta" >"$B/$s.$t.extra"
		fi
		if [ -s "$B/$s.$t.extra" ]; then
			say "  tlsaudit found $(wc -l <"$B/$s.$t.extra") (version, suite) pairs $t did not:" \
				"$(awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }' "$B/$s.$t.extra")"
		fi
	done
	lab_stop "$s"
done

# --- scaling ------------------------------------------------------------------------

declare -A SC_MS SC_RSS SC_PROBES SC_SRV SC_ONE
if ! skipped scale; then
	hr
	say "scaling: tlsaudit scan -f TARGETS (legacy and modern12 in turn, one target per line)"
	for s in legacy modern12; do
		if ! lab_start "$s" >/dev/null; then
			echo "compare: lab server $s did not start" >&2
			exit 2
		fi
	done
	tl=$(lab_target legacy) tm=$(lab_target modern12)
	SRV="legacy modern12"
	sc_ticks() { # legacy and modern12 CPU ms so far
		echo "$(($(srv_ticks legacy) * TICK_MS)) $(($(srv_ticks modern12) * TICK_MS))"
	}
	for cap in $caps; do
		say ""
		say "  --max-conn 4 --max-conn-total $cap, -j 4 (1 target: median of 3 runs; overlap = targets x time(first row)/its targets / time)"
		say "  targets   wall_ms  ms/target  overlap  maxRSS_kB  enum_conns  scanned  cpu_s: tlsaudit  legacy  modern12"
		for n in $scale; do
			tf=$B/targets.$n
			for ((i = 0; i < n; i++)); do
				if ((i % 2 == 0)); then echo "$tl"; else echo "$tm"; fi
			done >"$tf"
			# One target is the baseline of the overlap column: the
			# median of 3 runs (a single ~150 ms run is too noisy);
			# the CPU columns then cover all 3.
			reps=1
			[ "$n" = 1 ] && reps=3
			read -r l0 m0 <<<"$(sc_ticks)"
			walls=""
			for ((r = 0; r < reps; r++)); do
				rm -rf "$B/scale.$cap.$n.d"
				mkdir -p "$B/scale.$cap.$n.d"
				timed "scale.$cap.$n" "$prog" scan -f "$tf" --format json \
					--db "$B/scale.$cap.$n.d/tlsaudit.db" --ca-file "$LAB_CA" \
					--max-conn-total "$cap"
				walls="$walls $T_MS"
			done
			[ "$reps" -gt 1 ] && T_MS=$(echo "$walls" | tr ' ' '\n' | grep . | sort -n | sed -n 2p)
			SC_MS[$cap,$n]=$T_MS SC_RSS[$cap,$n]=$T_RSS
			scanned=$(jq -r '.summary.scanned' "$B/scale.$cap.$n.out" 2>/dev/null || echo '?')
			SC_PROBES[$cap,$n]=$(jq '[.targets[].enumeration.probes // 0] | add' "$B/scale.$cap.$n.out" 2>/dev/null || echo '?')
			if [ "$T_RC" != 0 ]; then
				problems="$problems\nscaling: $n targets, cap $cap: tlsaudit exit $T_RC ($(head -c 200 "$B/scale.$cap.$n.err"))"
			fi
			read -r l1 m1 <<<"$(sc_ticks)"
			SC_SRV[$cap,$n]=$(awk -v a=$((l1 - l0)) -v b=$((m1 - m0)) 'BEGIN { printf "%7.1f %9.1f", a / 1000, b / 1000 }')
			# per-target time of the first (smallest) row: the baseline
			[ -n "${SC_ONE[$cap]-}" ] || SC_ONE[$cap]=$(ratio "$T_MS" "$n")
			say "$(printf '  %7s %9s %10s %8s %10s %11s %8s %15s %s' "$n" "$T_MS" "$(ratio "$T_MS" "$n")" "$(awk -v n="$n" -v o="${SC_ONE[$cap]}" -v t="$T_MS" 'BEGIN { printf "%.1f", (t > 0) ? n * o / t : 0 }')x" "$T_RSS" "${SC_PROBES[$cap,$n]}" "$scanned/$n" "$T_CPU" "${SC_SRV[$cap,$n]}")"
		done
	done
	lab_stop legacy
	lab_stop modern12
fi

# --- summary -------------------------------------------------------------------------

hr
say "SUMMARY ($(date -u '+%Y-%m-%d'), $(nproc) CPUs, load at end $(cut -d' ' -f1-3 /proc/loadavg))"
say ""
say "$(printf '  %-14s %-9s %9s %8s %9s %6s %7s  %s' server tool wall_ms ratio maxRSS_kB cpu_s srv_cpu 'suites SSLv3/1.0/1.1/1.2/1.3; any')"
for s in $servers; do
	for t in $tools; do
		[ -n "${MS[$s,$t]-}" ] || continue
		if [ "${STATUS[$s,$t]-}" = ok ]; then
			if [ "$t" = testssl ]; then
				c="-; ${COUNT[$s,$t,any]}"
			else
				c="${COUNT[$s,$t,SSLv3]}/${COUNT[$s,$t,TLS1.0]}/${COUNT[$s,$t,TLS1.1]}/${COUNT[$s,$t,TLS1.2]}/${COUNT[$s,$t,TLS1.3]}; ${COUNT[$s,$t,any]}"
			fi
		else
			c=${STATUS[$s,$t]-}
		fi
		say "$(printf '  %-14s %-9s %9s %8s %9s %6s %7s  %s' "$s" "$t" "${MS[$s,$t]}" "$(ratio "${MS[$s,$t]}" "${MS[$s,tlsaudit]}")x" "${RSS[$s,$t]}" "${CPU[$s,$t]}" "${SCPU[$s,$t]}" "$c")"
	done
done
if [ "$repeat" -gt 1 ]; then
	say "  (wall_ms: tlsaudit, sslscan, nmap: median of $repeat runs, testssl: one run; cpu_s, maxRSS: the last run;"
	say "   cpu_s: the tool's user+sys; srv_cpu: median ms of CPU the lab server used meanwhile)"
else
	say "  (wall_ms: one run each; cpu_s: the tool's user+sys; srv_cpu: ms of CPU the lab server used meanwhile)"
fi
for s in $servers; do
	say "  $s: tlsaudit --no-enumerate alone took ${NOENUM[$s]} ms of tlsaudit's ${MS[$s,tlsaudit]} ms"
	for t in $tools; do
		[ "$t" = tlsaudit ] && continue
		[ -n "${MS[$s,$t]-}" ] || continue
		say "  $s: $t took $(ratio "${MS[$s,$t]}" "${MS[$s,tlsaudit]}")x as long as tlsaudit (${MS[$s,$t]} ms vs ${MS[$s,tlsaudit]} ms)"
	done
done
if ! skipped scale; then
	say ""
	say "$(printf '  %-10s' 'targets')$(for cap in $caps; do printf ' %22s' "cap $cap: ms (RSS kB)"; done)"
	for n in $scale; do
		line=$(printf '  %-10s' "$n")
		for cap in $caps; do line="$line$(printf ' %22s' "${SC_MS[$cap,$n]} (${SC_RSS[$cap,$n]})")"; done
		say "$line"
	done
	# shellcheck disable=SC2086 # a list of numbers
	set -- $scale
	if [ $# -ge 2 ]; then
		# time(100)/time(10) by default: the last count over 10 (else
		# over the first count)
		lo=$1 hi=$1
		eval "hi=\${$#}"
		case " $scale " in *" 10 "*) [ "$hi" != 10 ] && lo=10 ;; esac
		for cap in $caps; do
			say "  cap $cap: time($hi)/time($lo) = $(ratio "${SC_MS[$cap,$hi]}" "${SC_MS[$cap,$lo]}") (targets x$(ratio "$hi" "$lo"))"
		done
	fi
fi
say ""
if [ "$misses" -gt 0 ]; then
	say "RESULT: tlsaudit MISSED $misses suite(s) another tool found (MISSED lines above)"
elif [ "$unmapped" -gt 0 ]; then
	say "RESULT: $unmapped suite name(s) could not be mapped to a code: not checked (CANNOT CHECK lines above)"
else
	checked=""
	for k in "${!STATUS[@]}"; do
		t=${k#*,}
		[ "$t" != tlsaudit ] && [ "${STATUS[$k]}" = ok ] && case " $checked " in *" $t "*) ;; *) checked="$checked $t" ;; esac
	done
	if [ -n "$checked" ]; then
		say "RESULT: tlsaudit found every suite the other tools found (checked against:$checked)"
	else
		say "RESULT: no other tool ran: coverage not checked"
	fi
fi
[ -n "$problems" ] && printf 'problems:%b\n' "$problems"
[ -n "$keep" ] && say "raw outputs: $keep"
[ "$misses" -gt 0 ] || [ "$unmapped" -gt 0 ] && exit 1
exit 0
