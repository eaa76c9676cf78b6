#!/bin/bash
# tests/lab/selftest.sh - checks that every lab server is what
# tests/lab/servers.txt says it is, measured with openssl s_client and
# gnutls-cli against the running servers.
#
#   tests/lab/selftest.sh [--full] [NAME...]
#       start the servers (all, or the NAMEs), measure them, compare with
#       servers.txt: one line per check, then "N passed, M failed"; exit 1 on
#       any failure.  --full also enumerates every accepted cipher suite and
#       the server order (fields order= and suites.*=; slower).
#   tests/lab/selftest.sh --measure [--full] [NAME...]
#       print the measured table in the format of servers.txt instead.
#
# Runs inside the lab's private network namespace (lab_netns in lab.sh): as
# root, or with unprivileged user namespaces; otherwise it is skipped (77).
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lab.sh"
lab_netns "$0" "$@"

mode=check full=0
while [ $# -gt 0 ]; do
	case $1 in
	--measure) mode=measure ;;
	--full) full=1 ;;
	-h | --help)
		sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	-*)
		echo "usage: $0 [--measure] [--full] [NAME...]" >&2
		exit 2
		;;
	*) break ;;
	esac
	shift
done
names=${*:-$LAB_SERVERS}
for t in openssl gnutls-cli gnutls-serv certtool nginx timeout awk; do
	command -v "$t" >/dev/null 2>&1 || lab_skip "$t not found"
done

t_start=$(date +%s.%N)
lab_init

VERSIONS="TLS1.0 TLS1.1 TLS1.2 TLS1.3"
# The servers whose suites and order are listed in servers.txt (the other
# certificate servers run the same s_server defaults as good-rsa).
SUITE_SERVERS="good-rsa good-ecdsa tls13-only modern12 legacy gnutls-legacy gnutls-13 gnutls-noreneg"
TLS13_SUITES='TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256'
OSSL_ALL='ALL:COMPLEMENTOFALL'
# gnutls-cli: everything GnuTLS 3.7 can still offer, for the version probes
GNUTLS_ANY='NORMAL:-VERS-ALL:+3DES-CBC:+ARCFOUR-128:+CAMELLIA-128-CBC:+CAMELLIA-256-CBC:+RSA:+DHE-RSA:+SHA1'
NL=$'\n'

declare -A VFLAG=([TLS1.0]=-tls1 [TLS1.1]=-tls1_1 [TLS1.2]=-tls1_2 [TLS1.3]=-tls1_3)

# Process creation is the cost here, so the probes avoid $(...) and text
# tools: output goes to the file $OUTF and is read into OUT with builtins.

# ossl PORT SNI ARGS...: one s_client handshake; OUT = its output; status 0
# when it completed.  No trust store unless ARGS has -CAfile (loading the
# system one costs more than the handshake). -legacy_server_connect: also
# servers without RFC 5746 (gnutls-noreneg), which OpenSSL 3 refuses.
ossl() {
	local port=$1 sni=$2 noca=(-no-CAfile -no-CApath -no-CAstore) rc=0
	shift 2
	case " $* " in *" -CAfile "*) noca=() ;; esac
	timeout 10 openssl s_client -legacy_server_connect -connect "127.0.0.1:$port" -servername "$sni" "${noca[@]}" "$@" \
		</dev/null >"$OUTF" 2>&1 || rc=$?
	OUT=''
	IFS= read -r -d '' OUT <"$OUTF"
	return $rc
}

# gtls PORT SNI PRIORITY: one gnutls-cli handshake; status 0 when it completed.
gtls() {
	timeout 10 gnutls-cli --insecure --sni-hostname "$2" --priority "$3" -p "$1" 127.0.0.1 \
		</dev/null >/dev/null 2>&1
}

# match REGEX: sets M to the first group of REGEX in OUT; status 1 if none.
match() {
	M=''
	[[ $OUT =~ $1 ]] || return 1
	M=${BASH_REMATCH[1]}
}

# codes NAME...: the IANA codes (0xHHHH) of OpenSSL / GnuTLS suite names.
codes() {
	[ $# -gt 0 ] || return 0
	printf '%s\n' "$@" | awk 'NR == FNR { c[$1] = $2; next }
		{ print (($1 in c) ? c[$1] : "?" $1) }' "$LAB_RUN/codes" -
}

make_codes() {
	{
		openssl ciphers -V -ciphersuites "$TLS13_SUITES" "$OSSL_ALL:@SECLEVEL=0" |
			awk '{ split($1, b, ","); print $3, "0x" toupper(substr(b[1], 3) substr(b[2], 3)) }'
		gnutls-cli --list 2>/dev/null |
			awk '/^TLS_/ && $2 ~ /^0x/ { a = $2; b = $3; sub(/,$/, "", a)
				print $1, "0x" toupper(substr(a, 3) substr(b, 3)) }'
	} >"$LAB_RUN/codes"
}

# enum_ossl PORT SNI VERSION: the OpenSSL suite names the server picks,
# offering all OpenSSL has and dropping each pick: the server's order when
# it has one.
enum_ossl() {
	local port=$1 sni=$2 v=$3 excl='' list=() left=":$TLS13_SUITES:"
	while :; do
		if [ "$v" = TLS1.3 ]; then
			[ "$left" != : ] || break
			left=${left#:}
			ossl "$port" "$sni" -brief -tls1_3 -ciphersuites "${left%:}" || break
			left=:$left
		else
			ossl "$port" "$sni" -brief "${VFLAG[$v]}" -cipher "$OSSL_ALL$excl:@SECLEVEL=0" || break
		fi
		match "Ciphersuite: ([^$NL]+)" || break
		case " ${list[*]} " in *" $M "*) break ;; esac
		list+=("$M")
		excl="$excl:!$M"
		left=${left/:$M:/:}
	done
	echo "${list[*]}"
}

# server_order PORT SNI VERSION SUITE...: offers the suites reversed:
# "server" when the server still picks the first, "client" for the last.
server_order() {
	local port=$1 sni=$2 v=$3 rev='' s
	shift 3
	local first=$1 last=${!#}
	for s in "$@"; do rev="$s${rev:+:}$rev"; done
	if [ "$v" = TLS1.3 ]; then
		ossl "$port" "$sni" -brief -tls1_3 -ciphersuites "$rev"
	else
		ossl "$port" "$sni" -brief "${VFLAG[$v]}" -cipher "$rev:@SECLEVEL=0"
	fi
	match "Ciphersuite: ([^$NL]+)"
	if [ "$M" = "$first" ]; then
		echo server
	elif [ "$M" = "$last" ]; then
		echo client
	else
		echo "unknown($M)"
	fi
}

# gnutls_prio SUITE VERSION: sets P to a priority string that allows only
# that GnuTLS suite (TLS_<KX>_<CIPHER>_<MAC> as gnutls-cli --list names it).
gnutls_prio() {
	local s=${1#TLS_} v=$2 kx='' mac cipher
	case $s in
	ECDHE_ECDSA_*) kx=ECDHE-ECDSA s=${s#ECDHE_ECDSA_} ;;
	ECDHE_RSA_*) kx=ECDHE-RSA s=${s#ECDHE_RSA_} ;;
	DHE_RSA_*) kx=DHE-RSA s=${s#DHE_RSA_} ;;
	DHE_DSS_*) kx=DHE-DSS s=${s#DHE_DSS_} ;;
	RSA_*) kx=RSA s=${s#RSA_} ;;
	esac
	case $s in
	*GCM_SHA256 | *GCM_SHA384 | *POLY1305_SHA256 | *CCM_SHA256 | *CCM_8_SHA256)
		mac=AEAD cipher=${s%_SHA*} ;;
	*POLY1305 | *CCM | *CCM_8) mac=AEAD cipher=$s ;;
	*_SHA1) mac=SHA1 cipher=${s%_SHA1} ;;
	*_SHA256) mac=SHA256 cipher=${s%_SHA256} ;;
	*_SHA384) mac=SHA384 cipher=${s%_SHA384} ;;
	*_MD5) mac=MD5 cipher=${s%_MD5} ;;
	*) return 1 ;;
	esac
	cipher=${cipher//_/-}
	[ "$cipher" = 3DES-EDE-CBC ] && cipher=3DES-CBC
	P="NONE:+VERS-$v:+$cipher:+$mac${kx:+:+$kx}:+SIGN-ALL:+GROUP-ALL:+COMP-NULL"
}

# enum_gnutls PORT SNI VERSION PRIORITY: probes one by one each suite that
# the server's priority string lists for VERSION; prints the accepted codes.
enum_gnutls() {
	local port=$1 sni=$2 v=$3 prio=$4 s min ok=()
	while read -r s min; do
		case $v/$min in
		TLS1.3/TLS1.3 | TLS1.2/TLS1.2 | TLS1.2/TLS1.0 | TLS1.2/SSL3.0) ;;
		TLS1.1/TLS1.0 | TLS1.1/SSL3.0 | TLS1.0/TLS1.0 | TLS1.0/SSL3.0) ;;
		*) continue ;;
		esac
		if ! gnutls_prio "$s" "$v"; then
			ok+=("?$s")
			continue
		fi
		gtls "$port" "$sni" "$P" && ok+=("$s")
	done < <(gnutls-cli --list --priority "$prio" 2>/dev/null | awk '/^TLS_/ { print $1, $NF }')
	codes "${ok[@]}" | sort | paste -sd, -
}

# pem_norm TEXT: sets PEM to the base64 body of the first certificate in
# TEXT (whitespace removed), for comparing certificates without openssl.
pem_norm() {
	local t=${1#*-----BEGIN CERTIFICATE-----}
	t=${t%%-----END CERTIFICATE-----*}
	PEM=${t//[$' \t\r\n']/}
}

# cert_facts LEAF SNI: sets FACTS (key= sig= days=) and PROBS for a leaf file.
cert_facts() {
	local f=$LAB_CERTS/$1.crt sni=$2 nb na now bits kt
	openssl x509 -in "$f" -noout -subject -issuer -startdate -enddate -checkhost "$sni" -text \
		>"$OUTF" 2>&1
	IFS= read -r -d '' OUT <"$OUTF"
	match "notBefore=([^$NL]+)"
	nb=$M
	match "notAfter=([^$NL]+)"
	printf '%s\n%s\n' "$nb" "$M" | date -u -f - +%s >"$OUTF"
	{ read -r nb && read -r na; } <"$OUTF"
	now=$(date -u +%s)
	match 'Public-Key: \(([0-9]+) bit\)'
	bits=$M
	kt=RSA
	[[ $OUT == *id-ecPublicKey* ]] && kt=EC
	match "Signature Algorithm: ([^$NL]+)"
	FACTS="key=$kt-$bits sig=$M days=$(((na - nb + 43200) / 86400))"
	PROBS=''
	[ "$na" -lt "$now" ] && PROBS="$PROBS,expired"
	[ "$nb" -gt "$now" ] && PROBS="$PROBS,notyet"
	local subj iss
	match "subject=([^$NL]+)" && subj=$M
	match "issuer=([^$NL]+)" && iss=$M
	[ "$subj" = "$iss" ] && PROBS="$PROBS,selfsigned"
	[[ $OUT == *"Hostname $sni does match"* ]] || PROBS="$PROBS,hostname"
	[ "$kt" = RSA ] && [ "${bits:-0}" -lt 2048 ] && PROBS="$PROBS,weakkey"
	[[ $OUT == *"Signature Algorithm: sha1"* ]] && PROBS="$PROBS,sha1"
	[ $(((na - nb) / 86400)) -gt 398 ] && PROBS="$PROBS,longlived"
	return 0
}

# measure NAME: prints the measured table line of running server NAME.
measure() {
	local name=$1 m=$LAB_RUN/m.$1 port sni pid kind='' v vo='' vg='' first='' c n
	local leaf=unknown chain='' role verify dh order list suites p rest
	OUTF=$m/out
	read -r port <"$LAB_RUN/$name.port"
	read -r pid _ <"$LAB_RUN/$name.pid"
	read -r kind <"/proc/$pid/comm"
	case $kind in
	openssl | nginx) ;;
	gnutls-serv) kind=gnutls ;;
	*) kind=unknown ;;
	esac
	sni=$name.lab.test

	# versions, by both clients; they must agree
	for v in $VERSIONS; do
		ossl "$port" "$sni" -brief "${VFLAG[$v]}" -cipher "$OSSL_ALL:@SECLEVEL=0" && vo="$vo,$v"
		gtls "$port" "$sni" "$GNUTLS_ANY:+VERS-$v" && vg="$vg,$v"
	done
	vo=${vo#,} vg=${vg#,}
	local versions=${vo:-none}
	[ "$vo" = "$vg" ] || versions="DISAGREE(openssl:${vo:-none};gnutls:${vg:-none})"

	# the served chain and OpenSSL's verdict on it, at the first version spoken
	for v in TLS1.2 TLS1.3 TLS1.0 TLS1.1; do
		case ",$vo," in *",$v,"*) first=$v && break ;; esac
	done
	ossl "$port" "$sni" "${VFLAG[${first:-TLS1.2}]}" -cipher "$OSSL_ALL:@SECLEVEL=0" \
		-showcerts -CAfile "$LAB_CA" -verify_hostname "$sni" -auth_level 2
	match 'Verify return code: ([0-9]+)'
	verify=${M:-none}
	rest=$OUT n=0
	while [[ $rest == *"-----BEGIN CERTIFICATE-----"* ]]; do
		pem_norm "$rest"
		rest=${rest#*-----END CERTIFICATE-----}
		n=$((n + 1))
		role=other
		for c in "${!CERT_PEM[@]}"; do
			[ "${CERT_PEM[$c]}" = "$PEM" ] || continue
			case $c in
			root | int) role=$c ;;
			*) [ $n = 1 ] && role=leaf leaf=$c ;;
			esac
			break
		done
		chain="$chain,$role"
	done
	chain=${chain#,}
	FACTS='' PROBS=''
	[ "$leaf" != unknown ] && cert_facts "$leaf" "$sni"
	case $chain in
	leaf)
		# a lone leaf that is not its own issuer: the intermediate is missing
		case $PROBS in *selfsigned*) ;; *) PROBS="$PROBS,incomplete" ;; esac
		;;
	leaf,int | leaf,int,root) ;;
	*) PROBS="$PROBS,order" ;;
	esac
	PROBS=${PROBS#,}

	# size of the DHE group, at the highest version below TLS 1.3
	dh=none
	for v in TLS1.2 TLS1.1 TLS1.0; do
		case ",$vo," in *",$v,"*) ;; *) continue ;; esac
		ossl "$port" "$sni" "${VFLAG[$v]}" -cipher 'kDHE:@SECLEVEL=0' &&
			match 'Server Temp Key: DH, ([0-9]+) bits' && dh=$M
		break
	done

	printf '%s server=%s cert=%s sni=%s versions=%s chain=%s problems=%s verify=%s %s dh=%s' \
		"$name" "$kind" "$leaf" "$sni" "$versions" "${chain:-none}" "${PROBS:-none}" \
		"$verify" "$FACTS" "$dh"
	local all=$full
	case " $SUITE_SERVERS " in *" $name "*) ;; *) all=0 ;; esac
	if [ "$all" = 0 ]; then
		echo
		return 0
	fi

	# server order: from the first version with two suites or more
	order=none
	declare -A OSSL_LIST=()
	for v in TLS1.2 TLS1.3 TLS1.1 TLS1.0; do
		case ",$vo," in *",$v,"*) ;; *) continue ;; esac
		list=$(enum_ossl "$port" "$sni" "$v")
		OSSL_LIST[$v]=$list
		# shellcheck disable=SC2086
		set -- $list
		if [ $# -ge 2 ] && [ "$order" = none ]; then
			order=$(server_order "$port" "$sni" "$v" "$@")
		fi
	done
	printf ' order=%s' "$order"

	# accepted suites per version: IANA codes, in the server's order when it
	# has one, else sorted.  GnuTLS servers: probed one suite at a time with
	# gnutls-cli (OpenSSL lacks 3DES, RC4, CAMELLIA-GCM).
	for v in $VERSIONS; do
		case ",$vo," in *",$v,"*) ;; *) continue ;; esac
		if [ "$kind" = gnutls ]; then
			case $name in
			gnutls-legacy) p=$LAB_GNUTLS_LEGACY_PRIO ;;
			gnutls-13) p=$LAB_GNUTLS_13_PRIO ;;
			gnutls-noreneg) p=$LAB_GNUTLS_NORENEG_PRIO ;;
			*) p=NORMAL ;;
			esac
			suites=$(enum_gnutls "$port" "$sni" "$v" "$p")
		else
			# shellcheck disable=SC2086
			suites=$(codes ${OSSL_LIST[$v]})
			if [ "$order" = server ]; then
				suites=$(grep . <<<"$suites" | paste -sd, -)
			else
				suites=$(grep . <<<"$suites" | sort | paste -sd, -)
			fi
		fi
		printf ' suites.%s=%s' "$v" "${suites:-none}"
	done
	echo
}

# --- start, measure, compare ------------------------------------------------------

pass=0 fail=0
ok() {
	pass=$((pass + 1))
	[ "$mode" = check ] && printf 'ok    %s\n' "$*"
	return 0
}
bad() {
	fail=$((fail + 1))
	printf 'FAIL  %s\n' "$*"
}

t0=$(date +%s.%N)
lab_certs || exit 1
t1=$(date +%s.%N)
make_codes
# every lab certificate, to recognise the served ones
declare -A CERT_PEM=()
for f in "$LAB_CERTS"/*.crt; do
	IFS= read -r -d '' OUT <"$f"
	pem_norm "$OUT"
	c=${f##*/}
	CERT_PEM[${c%.crt}]=$PEM
done

for name in $names; do
	if lab_start "$name" >/dev/null; then
		ok "$name started on port $(lab_port "$name")"
	else
		bad "$name did not start"
	fi
done
t2=$(date +%s.%N)

jobs_=()
for name in $names; do
	[ -s "$LAB_RUN/$name.pid" ] || continue
	mkdir -p "$LAB_RUN/m.$name"
	measure "$name" >"$LAB_RUN/m.$name/line" 2>"$LAB_RUN/m.$name/err" &
	jobs_+=($!)
	lab_track $!
done
# (not a bare `wait`: the servers are children too)
if [ ${#jobs_[@]} -gt 0 ]; then
	wait "${jobs_[@]}"
	lab_untrack "${jobs_[@]}"
fi
t3=$(date +%s.%N)

for name in $names; do
	[ -s "$LAB_RUN/$name.pid" ] || continue
	line=$(cat "$LAB_RUN/m.$name/line")
	if [ -z "$line" ]; then
		bad "$name: no measurement: $(head -c 300 "$LAB_RUN/m.$name/err")"
		continue
	fi
	if [ "$mode" = measure ]; then
		echo "$line"
		continue
	fi
	exp=$(lab_expect "$name") || {
		bad "$name: not in servers.txt"
		continue
	}
	# every measured field must be in the table with the same value, and
	# every table field measured (order/suites only with --full)
	declare -A E=()
	for kv in $exp; do E[${kv%%=*}]=${kv#*=}; done
	for kv in ${line#* }; do
		k=${kv%%=*} mv=${kv#*=}
		ev=${E[$k]-}
		if [ "$ev" != "$mv" ]; then
			bad "$name $k: servers.txt says '${ev:-<missing>}', measured '$mv'"
		elif [ "${k#suites.}" != "$k" ]; then
			n=${mv//[!,]/}
			ok "$name $k: $((${#n} + 1)) suites"
		else
			ok "$name $k=$mv"
		fi
	done
	for k in "${!E[@]}"; do
		case " ${line#* }" in *" $k="*) continue ;; esac
		case $k in order | suites.*) [ "$full" = 0 ] && continue ;; esac
		bad "$name $k: in servers.txt but not measured"
	done
done

# the silent listener and the closed port
if [ "$mode" = check ]; then
	if addr=$(lab_start_silent); then
		if (exec 3<>"/dev/tcp/127.0.0.1/${addr##*:}") 2>/dev/null; then
			ok "silent: TCP connect to $addr succeeds"
		else
			bad "silent: TCP connect to $addr fails"
		fi
		timeout 1 openssl s_client -no-CAfile -no-CApath -no-CAstore -connect "$addr" \
			</dev/null >/dev/null 2>&1
		rc=$?
		if [ "$rc" = 124 ]; then
			ok "silent: no TLS answer within 1 s"
		else
			bad "silent: s_client ended with status $rc instead of timing out"
		fi
	else
		bad "silent: did not start"
	fi
	addr=$(lab_closed_port)
	if (exec 3<>"/dev/tcp/127.0.0.1/${addr##*:}") 2>/dev/null; then
		bad "closed: $addr accepts connections"
	else
		ok "closed: $addr refuses connections"
	fi
fi

server_pids=$(cat "$LAB_RUN"/*.pid 2>/dev/null | cut -d' ' -f1)
t4=$(date +%s.%N)
lab_stop_all
t5=$(date +%s.%N)
if [ "$mode" = check ]; then
	left=''
	for pid in $server_pids; do
		_lab_alive "$pid" && left="$left $pid"
	done
	if [ -n "$left" ]; then
		bad "stop: still running:$left"
	else
		ok "stop: all $(wc -w <<<"$server_pids") server processes ended"
	fi
fi
t_end=$(date +%s.%N)
awk -v a="$t_start" -v b="$t0" -v c="$t1" -v d="$t2" -v e="$t3" -v f="$t4" -v g="$t5" \
	-v h="$t_end" 'BEGIN {
	printf "time: certs %.1fs, start %.1fs, measure %.1fs, compare %.1fs, stop %.1fs, total %.1fs\n",
		c - b, d - c, e - d, f - e, g - f, h - a }' >&2
if [ "$mode" = check ] || [ "$fail" != 0 ]; then
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ]
