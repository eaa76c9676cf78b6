# tests/lab/lab.sh - the tlsaudit server lab (a bash library; source it).
#
# Starts real TLS servers (openssl s_server, nginx, gnutls-serv) on 127.0.0.1
# with certificates generated at run time, for the integration tests, the
# lab self-test and the demo.  See tests/lab/README.md for the server table.
#
#   . "$top_srcdir/tests/lab/lab.sh"
#   lab_netns "$0" "$@"        # re-exec inside a private network namespace
#   lab_init                   # work dir + cleanup trap
#   lab_certs                  # CA, intermediate and leaves (once per dir)
#   lab_start good-rsa         # prints 127.0.0.1:PORT, sets LAB_PORT_good_rsa
#   "$TLSAUDIT" scan --ca-file "$LAB_CA" "127.0.0.1:$LAB_PORT_good_rsa"
#
# Works under `set -eu`.  Every function returns non-zero on failure after
# saying why on stderr.

# The library is bash; a test run by /bin/sh (dash) re-runs itself with bash.
if [ -z "${BASH_VERSION-}" ]; then
	exec bash "$0" "$@"
fi

_LAB_NL=$'\n'
LAB_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_SERVERS_TXT=${LAB_SERVERS_TXT:-$LAB_HOME/servers.txt}

# Every lab server: the leaf certificate it serves (the table in servers.txt
# says what each one is expected to accept).
LAB_SERVERS="good-rsa good-ecdsa expired notyet selfsigned wronghost rsa1024 sha1
longlived noint wrongorder tls13-only modern12 legacy gnutls-legacy gnutls-13 gnutls-noreneg hostile
dualcert"

# Leaves.  Besides the problem leaves, each server without a problem leaf
# gets a good leaf named after it, so SNI <server>.lab.test always matches.
LAB_LEAVES="good-rsa good-ecdsa expired notyet selfsigned wronghost rsa1024 sha1
longlived noint wrongorder tls13-only modern12 legacy gnutls-legacy gnutls-13 gnutls-noreneg
dualcert dualcert-ecdsa"

LAB_ROOT_CN="tlsaudit lab root"
LAB_INT_CN="tlsaudit lab intermediate"

# gnutls-serv priority strings (checked with gnutls-cli --list).
LAB_GNUTLS_LEGACY_PRIO='NORMAL:-VERS-TLS1.3:+VERS-TLS1.0:+VERS-TLS1.1:+3DES-CBC:+ARCFOUR-128:+CAMELLIA-128-CBC:+CAMELLIA-256-CBC:+RSA:+DHE-RSA:+SHA1'
LAB_GNUTLS_13_PRIO='NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2'
# TLS 1.2 without RFC 5746: no renegotiation_info in the ServerHello (CVE-2009-3555 class).
LAB_GNUTLS_NORENEG_PRIO='NORMAL:-VERS-ALL:+VERS-TLS1.2:%DISABLE_SAFE_RENEGOTIATION'

# nginx cipher strings.
LAB_NGINX_MODERN_CIPHERS='ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305'
LAB_NGINX_LEGACY_CIPHERS='HIGH:!aNULL:!MD5:@SECLEVEL=0'
# dualcert: RSA before ECDSA, so that only an ECDSA-only client gets the ECDSA leaf.
LAB_NGINX_DUALCERT_CIPHERS='ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384'
LAB_NGINX_DUALCERT_SIGALGS='rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:rsa_pkcs1_sha256:rsa_pkcs1_sha384:rsa_pkcs1_sha512:ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384'

# The 1024-bit MODP group of RFC 2409 (Oakley group 2), for the legacy
# server's DHE suites: a weak DH group the scanner must report.
LAB_DH1024_PEM='-----BEGIN DH PARAMETERS-----
MIGHAoGBAP//////////yQ/aoiFowjTExmKLgNwc0SkCTgiKZ8x0Agu+pjsTmyJR
Sgh5jjQE3e+VGbPNOkMbMCsKbfJfFDdP4TVtbVHCReSFtXZiXn7G9ExC6aY37WsL
/1y29Aa37e44a/taiZ+lrp8kEXxLH+ZJKGZR7OZTgf//////////AgEC
-----END DH PARAMETERS-----'

lab_log() { printf 'lab: %s\n' "$*" >&2; }

# lab_skip MESSAGE: exit 77, the automake "skipped" status.
lab_skip() {
	printf 'SKIP: %s\n' "$*" >&2
	exit 77
}

# --- network namespace -------------------------------------------------------

# True when this process sees no network interface but the loopback one:
# nothing sent here can leave the machine.
_lab_isolated() {
	local links
	links=$(ip -o link show 2>/dev/null) || return 1
	[ -n "$links" ] || return 1
	! printf '%s\n' "$links" | grep -qv '^[0-9]*: lo[:@]'
}

# lab_netns SCRIPT [ARGS...]: call as `lab_netns "$0" "$@"` at the top of a
# test.  Unless already inside a private network namespace, re-executes
# SCRIPT with bash under `unshare -n` (root) or `unshare -rn` (unprivileged
# user namespace) with the loopback interface up, and TLSAUDIT_LAB_NETNS=1.
# Exits 77 (skip) when no namespace can be made.  Returns 0 in the namespace.
lab_netns() {
	lab_try_netns "$@" || lab_skip "$LAB_NETNS_WHY"
}

# lab_try_netns SCRIPT [ARGS...]: lab_netns, but returns 1 (the reason in
# LAB_NETNS_WHY) instead of skipping when no namespace can be made.
lab_try_netns() {
	local script=$1 why='' flags
	shift
	if _lab_isolated; then
		# Only the loopback interface: a lab namespace, or a machine
		# without network.  Either way nothing can leave the host.
		ip link set lo up 2>/dev/null || true
		TLSAUDIT_LAB_NETNS=1
		export TLSAUDIT_LAB_NETNS
		return 0
	fi
	if [ "${TLSAUDIT_LAB_NETNS-}" = 1 ]; then
		printf 'lab: TLSAUDIT_LAB_NETNS=1 but this is not a private network namespace\n' >&2
		exit 99
	fi
	LAB_NETNS_WHY="unshare (util-linux) not found: cannot make a private network namespace"
	command -v unshare >/dev/null 2>&1 || return 1
	LAB_NETNS_WHY="ip (iproute2) not found: cannot bring up lo in a network namespace"
	command -v ip >/dev/null 2>&1 || return 1
	case $script in
	/*) ;;
	*) script=$PWD/$script ;;
	esac
	local inner='ip link set lo up || exit 99; TLSAUDIT_LAB_NETNS=1; export TLSAUDIT_LAB_NETNS; exec "$BASH" "$0" "$@"'
	for flags in -n -rn; do
		if [ "$flags" = -n ] && [ "$(id -u)" != 0 ]; then
			continue
		fi
		if why=$(unshare $flags -- ip link set lo up 2>&1); then
			exec unshare $flags -- bash -c "$inner" "$script" "$@"
		fi
	done
	LAB_NETNS_WHY="cannot create a private network namespace (needs root for 'unshare -n' or unprivileged user namespaces for 'unshare -rn'): ${why:-not root}"
	return 1
}

# --- work directory and cleanup ------------------------------------------------

# lab_init: sets LAB_DIR (mktemp -d, or $LAB_DIR if set: then it is kept and
# only the run state is removed), LAB_RUN (this run's pids, ports, logs,
# configs), LAB_CERTS and LAB_CA; traps EXIT/INT/TERM/HUP to stop every
# server and remove the temporary directory (kept when LAB_KEEP=1).
lab_init() {
	# The trap first: an interrupt at any point below leaves nothing behind.
	_LAB_PID=$$
	_LAB_OWN_DIR=0
	LAB_RUN=''
	trap _lab_on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	if [ -n "${LAB_DIR-}" ]; then
		mkdir -p "$LAB_DIR" || return 1
		case $LAB_DIR in
		/*) ;;
		*) LAB_DIR=$PWD/$LAB_DIR ;;
		esac
	else
		_LAB_OWN_DIR=1
		_lab_mkdtemp "${TMPDIR:-/tmp}/tlsaudit-lab" LAB_DIR || return 1
	fi
	_lab_mkdtemp "$LAB_DIR/run" LAB_RUN || return 1
	LAB_CERTS=$LAB_DIR/certs
	LAB_CA=$LAB_CERTS/ca.pem
	export LAB_DIR LAB_RUN LAB_CERTS LAB_CA
}

# _lab_mkdtemp PREFIX VAR: mkdir -m 700 PREFIX.<random>, its name in VAR
# (mktemp -d without a command substitution that a signal could cut short;
# the exit trap removes a directory caught half made, if still empty).
_lab_mkdtemp() {
	local d i
	for ((i = 0; i < 100; i++)); do
		d=$1.$RANDOM$RANDOM
		_LAB_CANDIDATE=$d
		if mkdir -m 700 "$d" 2>/dev/null; then
			printf -v "$2" '%s' "$d"
			_LAB_CANDIDATE=''
			return 0
		fi
		_LAB_CANDIDATE=''
		[ -d "${1%/*}" ] || break
	done
	lab_log "cannot create a directory $1.*"
	return 1
}

_lab_on_exit() {
	local rc=$?
	set +e
	trap - EXIT INT TERM HUP
	# A $(...) subshell of the test does not clean up the parent's lab.
	if [ "${BASHPID:-$$}" = "${_LAB_PID-}" ]; then
		if declare -F lab_user_cleanup >/dev/null; then
			lab_user_cleanup || true
		fi
		lab_stop_all
		[ -n "${_LAB_CANDIDATE-}" ] && rmdir "$_LAB_CANDIDATE" 2>/dev/null
		[ -n "${_LAB_CERTS_TMP-}" ] && rm -rf "$_LAB_CERTS_TMP"
		local gone=${LAB_RUN-}
		[ "${_LAB_OWN_DIR-}" = 1 ] && gone=${LAB_DIR-}
		if [ -z "$gone" ]; then
			:
		elif [ "${LAB_KEEP-}" = 1 ]; then
			lab_log "kept $LAB_DIR"
		elif ! rm -rf "$gone" 2>/dev/null; then
			# a helper that was just killed may still have written a file
			sleep 0.2
			rm -rf "$gone"
		fi
	fi
	exit "$rc"
}

_lab_need_init() {
	if [ -z "${LAB_RUN-}" ] || [ ! -d "$LAB_RUN" ]; then
		lab_log "call lab_init first"
		return 1
	fi
}

# --- certificates ---------------------------------------------------------------

_lab_now() { LAB_NOW=${EPOCHSECONDS:-$(date -u +%s)}; }

# _lab_date EPOCH: sets LAB_DATE to the certtool form of that UTC time.
_lab_date() { TZ=UTC0 printf -v LAB_DATE '%(%Y-%m-%d %H:%M:%S)T UTC' "$1"; }

# _lab_tmpl FILE CN VALID_FROM VALID_TO [KIND]: a certtool template.
# KIND: leaf (default; SAN CN + IP 127.0.0.1, AIA, CRL DP, the CA/B
# domain-validated policy 2.23.140.1.2.1), wronghost,
# selfsigned (no AIA/CRL), rsa-leaf adds keyEncipherment, ca, int.
_lab_tmpl() {
	local f=$1 cn=$2 from=$3 to=$4 kind=${5:-leaf}
	{
		echo 'organization = "tlsaudit lab"'
		echo "cn = \"$cn\""
		_lab_date "$from"
		echo "activation_date = \"$LAB_DATE\""
		_lab_date "$to"
		echo "expiration_date = \"$LAB_DATE\""
		case $kind in
		ca | int)
			echo ca
			echo cert_signing_key
			echo crl_signing_key
			[ "$kind" = int ] && echo 'path_len = 0'
			;;
		*)
			echo "dns_name = \"$cn\""
			[ "$kind" != wronghost ] && echo 'ip_address = "127.0.0.1"'
			echo tls_www_server
			echo signing_key
			echo encryption_key
			if [ "$kind" != selfsigned ]; then
				echo 'ocsp_uri = "http://127.0.0.1:9/ocsp"'
				echo 'ca_issuers_uri = "http://127.0.0.1:9/int.crt"'
				echo 'crl_dist_points = "http://127.0.0.1:9/int.crl"'
				echo 'policy1 = 2.23.140.1.2.1'
			fi
			;;
		esac
	} >"$f"
}

_lab_genkey() { # FILE rsa BITS | FILE ec
	if [ "$2" = ec ]; then
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
	else
		openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$3" -out "$1" 2>/dev/null
	fi
}

_lab_certtool() { # ERRLOG ARGS...
	local err=$1
	shift
	if ! certtool "$@" >/dev/null 2>"$err"; then
		cat "$err" >&2
		return 1
	fi
}

# _lab_hostile_make DIR ERRLOG: the `hostile` server's self-signed leaf
# (so its issuer is as hostile as its subject), made with openssl req since
# certtool templates cannot carry these bytes: subject CN with markup,
# quotes and four NUL bytes (written by tests/lab/nul_resign.py, which signs
# the certificate again), OU a spreadsheet formula, O a newline, an ANSI
# colour escape and HTML; SAN DNS names with markup, a formula, a newline
# and an escape, plus hostile.lab.test and 127.0.0.1 so the name matches.
# Uses the RSA leaf key in DIR/leaf-rsa.key.
_lab_hostile_make() {
	local d=$1 err=$2 esc
	esc=$(printf '\033')
	cat >"$d/hostile.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
string_mask = utf8only
utf8 = yes
[dn]
CN = <script>alert(1)</script> \"q\" \'s\' NUL:QQQQ
OU = =HYPERLINK(\"http://x\")
O = line1\nline2 ${esc}[31mred${esc}[0m &amp; <b>
[v3]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = @san
[san]
DNS.1 = hostile.lab.test
DNS.2 = <script>alert(1)</script>
DNS.3 = =HYPERLINK(\"http://x\")
DNS.4 = evil\nline${esc}[31m
IP.1 = 127.0.0.1
EOF
	cp "$d/leaf-rsa.key" "$d/hostile.key"
	chmod 600 "$d/hostile.key" 2>/dev/null || true
	if ! openssl req -x509 -new -key "$d/hostile.key" -config "$d/hostile.cnf" -extensions v3 \
		-days 90 -sha256 -utf8 -outform der -out "$d/hostile.pre.der" 2>"$err" ||
		! python3 "$LAB_HOME/nul_resign.py" "$d/hostile.pre.der" "$d/hostile.der" \
			"$d/hostile.key" QQQQ 2>>"$err" ||
		! openssl x509 -inform der -in "$d/hostile.der" -out "$d/hostile.crt" 2>>"$err"; then
		cat "$err" >&2
		return 1
	fi
	rm -f "$d/hostile.cnf" "$d/hostile.pre.der" "$d/hostile.der"
	: >"$d/hostile.extra.pem"
	cp "$d/hostile.crt" "$d/hostile.chain.pem"
}

# shellcheck disable=SC2120
# lab_certs [DIR]: generates the lab PKI into DIR (default $LAB_CERTS) once:
# skipped when DIR/.done exists.  Files:
#   root.crt root.key int.crt int.key   the CAs (RSA-2048)
#   ca.pem                              the root only: the scanner's --ca-file
#   NAME.key NAME.crt                   each leaf (see LAB_LEAVES)
#   NAME.chain.pem                      what the server sends, in that order:
#                                       leaf + int; leaf only for noint and
#                                       selfsigned; leaf, root, int for
#                                       wrongorder
#   NAME.extra.pem                      the chain minus the leaf (s_server)
# One RSA-2048 key is shared by the RSA leaves to keep this fast.
lab_certs() {
	local dir=${1:-${LAB_CERTS-}}
	if [ -z "$dir" ]; then
		lab_log "lab_certs: no directory (call lab_init first)"
		return 1
	fi
	[ -f "$dir/.done" ] && return 0
	case $dir in */*) ;; *) dir=./$dir ;; esac
	local t
	mkdir -p "${dir%/*}" || return 1
	_lab_mkdtemp "${dir%/*}/.certs" _LAB_CERTS_TMP || return 1
	t=$_LAB_CERTS_TMP
	if ! _lab_certs_make "$t"; then
		rm -rf "$t"
		_LAB_CERTS_TMP=''
		lab_log "certificate generation failed"
		return 1
	fi
	: >"$t/.done"
	# Atomic: a concurrent run sharing LAB_DIR may have won the race.
	if ! mv -T "$t" "$dir" 2>/dev/null; then
		rm -rf "$t"
		_LAB_CERTS_TMP=''
		[ -f "$dir/.done" ] || {
			lab_log "lab_certs: cannot create $dir"
			return 1
		}
	fi
	_LAB_CERTS_TMP=''
}

_lab_certs_make() {
	local d=$1 err=$1/certtool.err
	local now day=86400 name from to kind key hash cn int root crt extra
	_lab_now
	now=$LAB_NOW
	(
		_lab_genkey "$d/root.key" rsa 2048 &
		_lab_genkey "$d/int.key" rsa 2048 &
		_lab_genkey "$d/leaf-rsa.key" rsa 2048 &
		_lab_genkey "$d/leaf-1024.key" rsa 1024 &
		_lab_genkey "$d/leaf-ec.key" ec &
		fail=0
		for _ in 1 2 3 4 5; do wait -n || fail=1; done
		exit $fail
	) || return 1

	_lab_tmpl "$d/root.tmpl" "$LAB_ROOT_CN" $((now - 3650 * day)) $((now + 7300 * day)) ca
	_lab_certtool "$err" --generate-self-signed --load-privkey "$d/root.key" \
		--template "$d/root.tmpl" --outfile "$d/root.crt" || return 1
	_lab_tmpl "$d/int.tmpl" "$LAB_INT_CN" $((now - 3000 * day)) $((now + 3650 * day)) int
	_lab_certtool "$err" --generate-certificate --load-privkey "$d/int.key" \
		--load-ca-certificate "$d/root.crt" --load-ca-privkey "$d/root.key" \
		--template "$d/int.tmpl" --outfile "$d/int.crt" || return 1
	cp "$d/root.crt" "$d/ca.pem"
	IFS= read -r -d '' root <"$d/root.crt" || true
	IFS= read -r -d '' int <"$d/int.crt" || true
	declare -A keys
	for key in leaf-rsa leaf-1024 leaf-ec; do
		IFS= read -r -d '' "keys[$key]" <"$d/$key.key" || true
	done

	for name in $LAB_LEAVES; do
		from=$((now - 3600))
		# 90 days counted as the CA/B Forum counts a validity period
		# (notBefore and notAfter both included), as Let's Encrypt
		# issues them: the good leaves meet a 90-day maximum lifespan.
		to=$((from + 90 * day - 1))
		kind=leaf
		key='leaf-rsa'
		hash=SHA256
		cn=$name.lab.test
		case $name in
		good-ecdsa | modern12) key='leaf-ec' ;;
		dualcert-ecdsa)
			# dualcert's second certificate: ECDSA, expired, same name.
			key='leaf-ec'
			cn=dualcert.lab.test
			from=$((now - 120 * day))
			to=$((now - 30 * day))
			;;
		expired)
			from=$((now - 120 * day))
			to=$((now - 30 * day))
			;;
		notyet)
			from=$((now + 30 * day))
			to=$((now + 120 * day))
			;;
		selfsigned) kind=selfsigned ;;
		wronghost) kind=wronghost ;;
		rsa1024) key='leaf-1024' ;;
		sha1) hash=SHA1 ;;
		longlived) to=$((from + 825 * day)) ;;
		esac
		printf '%s' "${keys[$key]}" >"$d/$name.key"
		chmod 600 "$d/$name.key" 2>/dev/null || true
		if [ "$kind" = wronghost ]; then
			_lab_tmpl "$d/$name.tmpl" other.example.org "$from" "$to" wronghost
		else
			_lab_tmpl "$d/$name.tmpl" "$cn" "$from" "$to" "$kind"
		fi
		if [ "$kind" = selfsigned ]; then
			_lab_certtool "$err" --generate-self-signed --hash "$hash" \
				--load-privkey "$d/$name.key" --template "$d/$name.tmpl" \
				--outfile "$d/$name.crt" || return 1
		else
			_lab_certtool "$err" --generate-certificate --hash "$hash" \
				--load-privkey "$d/$name.key" \
				--load-ca-certificate "$d/int.crt" --load-ca-privkey "$d/int.key" \
				--template "$d/$name.tmpl" --outfile "$d/$name.crt" || return 1
		fi
		IFS= read -r -d '' crt <"$d/$name.crt" || true
		case $name in
		noint | selfsigned) extra='' ;;
		wrongorder) extra=$root$int ;;
		*) extra=$int ;;
		esac
		printf '%s' "$extra" >"$d/$name.extra.pem"
		printf '%s%s' "$crt" "$extra" >"$d/$name.chain.pem"
	done
	_lab_hostile_make "$d" "$err" || return 1
	printf '%s\n' "$LAB_DH1024_PEM" >"$d/dh1024.pem"
	rm -f "$d"/*.tmpl "$err" "$d/leaf-rsa.key" "$d/leaf-1024.key" "$d/leaf-ec.key"
}

# --- ports ------------------------------------------------------------------------

# _lab_tcp PORT [STATE]: true when a local TCP socket (IPv4 or IPv6) uses
# PORT, in STATE if given (0A = listening), per /proc/net/tcp{,6}: no
# process started, no connection made.  Without /proc: a bash connect.
_lab_tcp() {
	local hex f addr st
	printf -v hex '%04X' "$1"
	if [ ! -r /proc/net/tcp ]; then
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
		return
	fi
	for f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$f" ] || continue
		while read -r _ addr _ st _; do
			[ "${addr##*:}" = "$hex" ] || continue
			[ -z "${2-}" ] || [ "$st" = "$2" ] || continue
			return 0
		done <"$f"
	done
	return 1
}

_lab_port_used() { _lab_tcp "$1"; }
_lab_listening() { _lab_tcp "$1" 0A; }

# _lab_pick_port: sets LAB_FREE_PORT to a TCP port nobody uses on 127.0.0.1,
# chosen below the kernel's ephemeral range and never handed out twice in a
# run (recorded in $LAB_RUN/ports, so it works from subshells too).
_lab_pick_port() {
	local p i used=''
	if [ -n "${LAB_RUN-}" ] && [ -f "$LAB_RUN/ports" ]; then
		IFS= read -r -d '' used <"$LAB_RUN/ports" || true
	fi
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		case "$_LAB_NL$used" in *"$_LAB_NL$p$_LAB_NL"*) continue ;; esac
		_lab_port_used "$p" && continue
		[ -n "${LAB_RUN-}" ] && echo "$p" >>"$LAB_RUN/ports"
		LAB_FREE_PORT=$p
		return 0
	done
	lab_log "no free TCP port found"
	return 1
}

# lab_free_port: prints an unused TCP port on 127.0.0.1.
lab_free_port() {
	_lab_pick_port || return 1
	echo "$LAB_FREE_PORT"
}

# lab_closed_port: prints 127.0.0.1:PORT with nothing listening on PORT.
lab_closed_port() {
	_lab_pick_port || return 1
	echo "127.0.0.1:$LAB_FREE_PORT"
}

# --- processes ----------------------------------------------------------------------

# _lab_record FILE PID: writes "PID STARTTIME" (the start time from
# /proc/PID/stat, so that a recycled PID is never signalled).
_lab_record() {
	local line='' f=() st=''
	if [ -r "/proc/$2/stat" ] && read -r line <"/proc/$2/stat" 2>/dev/null; then
		read -r -a f <<<"${line##*) }"
		st=${f[19]-}
	fi
	echo "$2 $st" >"$1"
}

# _lab_same PID STARTTIME: PID is still the process that was recorded.
_lab_same() {
	local line='' f=()
	[ -n "${2-}" ] || return 0
	[ -r "/proc/$1/stat" ] || return 0
	read -r line <"/proc/$1/stat" 2>/dev/null || return 1
	read -r -a f <<<"${line##*) }"
	[ "${f[19]-}" = "$2" ]
}

_lab_alive() { # PID: running (not a zombie)
	local st=''
	kill -0 "$1" 2>/dev/null || return 1
	[ -r "/proc/$1/stat" ] || return 0
	read -r st <"/proc/$1/stat" 2>/dev/null || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# _lab_kill PID: SIGTERM (and SIGCONT for a stopped one), SIGKILL after 3 s.
_lab_kill() {
	local pid=$1 i
	_lab_alive "$pid" || {
		wait "$pid" 2>/dev/null || true
		return 0
	}
	kill -TERM "$pid" 2>/dev/null || true
	kill -CONT "$pid" 2>/dev/null || true
	for ((i = 0; i < 150; i++)); do
		_lab_alive "$pid" || break
		sleep 0.02
	done
	if _lab_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

_lab_var() { LAB_VAR=${1//[!A-Za-z0-9_]/_}; }

# lab_stop NAME: stops lab server NAME (also nginx's process from its pid file).
lab_stop() {
	local name=$1 pid st f
	_lab_need_init || return 1
	for f in "$LAB_RUN/$name.pid" "$LAB_RUN/$name/nginx.pid"; do
		[ -s "$f" ] || continue
		read -r pid st <"$f" || continue
		case $pid in
		'' | *[!0-9]*) continue ;;
		esac
		_lab_same "$pid" "$st" && _lab_kill "$pid"
	done
	rm -f "$LAB_RUN/$name.pid" "$LAB_RUN/$name/nginx.pid"
}

# lab_track PID...: has lab_stop_all (and so the exit trap) stop these
# processes too, e.g. a scanner started in the background.
lab_track() {
	_lab_need_init || return 1
	local pid
	for pid in "$@"; do
		_lab_record "$LAB_RUN/track.$pid.pid" "$pid"
	done
}

# lab_untrack PID...: forget processes given to lab_track (e.g. ended ones).
lab_untrack() {
	_lab_need_init || return 1
	local pid
	for pid in "$@"; do
		rm -f "$LAB_RUN/track.$pid.pid"
	done
}

# lab_stop_all: stops every server this run started and every tracked
# process: SIGTERM (and SIGCONT) to all, SIGKILL to those still running
# after 3 s.
lab_stop_all() {
	local f pid st pids=() left i
	[ -n "${LAB_RUN-}" ] && [ -d "$LAB_RUN" ] || return 0
	for f in "$LAB_RUN"/*.pid "$LAB_RUN"/*/nginx.pid; do
		[ -s "$f" ] || continue
		read -r pid st <"$f" || continue
		rm -f "$f"
		case $pid in
		'' | *[!0-9]*) continue ;;
		esac
		case " ${pids[*]} " in *" $pid "*) continue ;; esac
		_lab_same "$pid" "$st" || continue
		pids+=("$pid")
		kill -TERM "$pid" 2>/dev/null || true
		kill -CONT "$pid" 2>/dev/null || true
	done
	[ ${#pids[@]} -gt 0 ] || return 0
	for ((i = 0; i < 150; i++)); do
		left=0
		for pid in "${pids[@]}"; do
			_lab_alive "$pid" && left=1 && break
		done
		[ $left = 1 ] || break
		sleep 0.02
	done
	for pid in "${pids[@]}"; do
		if _lab_alive "$pid"; then
			lab_log "process $pid ignored SIGTERM; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		# reap the servers that are our children
		wait "$pid" 2>/dev/null || true
	done
}

# _lab_spawn NAME PORT CMD...: runs CMD in the background (log in
# $LAB_RUN/NAME.log), waits up to 10 s for PORT to listen.
_lab_spawn() {
	local name=$1 port=$2 pid i
	shift 2
	"$@" </dev/null >"$LAB_RUN/$name.log" 2>&1 &
	pid=$!
	_lab_record "$LAB_RUN/$name.pid" "$pid"
	echo "$port" >"$LAB_RUN/$name.port"
	for ((i = 0; i < 500; i++)); do
		if ! _lab_alive "$pid"; then
			lab_log "$name exited at start; its log:"
			sed 's/^/  /' "$LAB_RUN/$name.log" >&2
			lab_stop "$name"
			return 1
		fi
		_lab_listening "$port" && return 0
		sleep 0.02
	done
	lab_log "$name does not listen on port $port after 10 s; its log:"
	sed 's/^/  /' "$LAB_RUN/$name.log" >&2
	lab_stop "$name"
	return 1
}

# --- servers ------------------------------------------------------------------------

_lab_s_server() { # NAME PORT [EXTRA OPTIONS...]: s_server -www with leaf NAME
	local name=$1 port=$2 c=$LAB_CERTS
	shift 2
	local chainopt=()
	[ -s "$c/$name.extra.pem" ] && chainopt=(-cert_chain "$c/$name.extra.pem")
	_lab_spawn "$name" "$port" openssl s_server -www -accept "127.0.0.1:$port" \
		-cert "$c/$name.crt" -key "$c/$name.key" "${chainopt[@]}" \
		-no-CAfile -no-CApath -no-CAstore "$@"
}

_lab_nginx() { # NAME PORT LEAF PROTOCOLS CIPHERS [EXTRA DIRECTIVES]
	local name=$1 port=$2 leaf=$3 protocols=$4 ciphers=$5 extra=${6-}
	local d=$LAB_RUN/$name c=$LAB_CERTS
	mkdir -p "$d"
	cat >"$d/nginx.conf" <<EOF
# generated by tests/lab/lab.sh
daemon off;
master_process off;
user root root;
worker_processes 1;
pid $d/nginx.pid;
lock_file $d/nginx.lock;
error_log $d/error.log notice;
events { worker_connections 256; }
http {
    access_log $d/access.log;
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    default_type text/plain;
    server {
        listen 127.0.0.1:$port ssl;
        server_name $leaf.lab.test;
        ssl_certificate $c/$leaf.chain.pem;
        ssl_certificate_key $c/$leaf.key;
        ssl_protocols $protocols;
        ssl_ciphers '$ciphers';
        ssl_prefer_server_ciphers on;
        $extra
        location / { return 200 "tlsaudit lab: $name\n"; }
    }
}
EOF
	_lab_spawn "$name" "$port" nginx -p "$d" -e "$d/error.log" -c "$d/nginx.conf"
}

_lab_gnutls() { # NAME PORT LEAF PRIORITY
	local name=$1 port=$2 leaf=$3 prio=$4 c=$LAB_CERTS
	if [ "${TLSAUDIT_LAB_NETNS-}" != 1 ] || ! _lab_isolated; then
		lab_log "$name: gnutls-serv binds every address; it runs only inside the lab network namespace (lab_netns)"
		return 77
	fi
	_lab_spawn "$name" "$port" gnutls-serv --http --disable-client-cert -p "$port" \
		--x509certfile "$c/$leaf.chain.pem" --x509keyfile "$c/$leaf.key" \
		--priority "$prio"
}

# lab_start NAME: starts lab server NAME (one of LAB_SERVERS), waits until it
# listens, sets LAB_PORT_<NAME> (dashes as underscores) and LAB_ADDR, and
# prints 127.0.0.1:PORT.  Also usable as addr=$(lab_start NAME) (then only
# the output and lab_port NAME tell the port).  Returns 77 for gnutls
# servers outside the lab namespace, 1 on any other failure.
lab_start() {
	local name=$1 rc=0
	_lab_need_init || return 1
	case " ${LAB_SERVERS//$_LAB_NL/ } " in
	*" $name "*) ;;
	*)
		lab_log "unknown lab server '$name' (known: ${LAB_SERVERS//$_LAB_NL/ })"
		return 1
		;;
	esac
	local old=''
	[ -s "$LAB_RUN/$name.pid" ] && read -r old _ <"$LAB_RUN/$name.pid"
	if [ -n "$old" ] && _lab_alive "$old"; then
		lab_log "$name is already running"
		return 1
	fi
	lab_certs || return 1
	_lab_pick_port || return 1
	local port=$LAB_FREE_PORT
	case $name in
	tls13-only)
		_lab_s_server "$name" "$port" -tls1_3 || rc=$?
		;;
	rsa1024 | sha1)
		# OpenSSL refuses to load these at its default security level.
		_lab_s_server "$name" "$port" -no_ssl3 -no_tls1 -no_tls1_1 \
			-cipher 'DEFAULT:@SECLEVEL=0' || rc=$?
		;;
	modern12)
		_lab_nginx "$name" "$port" "$name" 'TLSv1.2 TLSv1.3' \
			"$LAB_NGINX_MODERN_CIPHERS" 'ssl_ecdh_curve X25519:prime256v1:secp384r1;' || rc=$?
		;;
	legacy)
		_lab_nginx "$name" "$port" "$name" 'TLSv1 TLSv1.1 TLSv1.2' \
			"$LAB_NGINX_LEGACY_CIPHERS" "ssl_dhparam $LAB_CERTS/dh1024.pem;" || rc=$?
		;;
	dualcert)
		# Two certificates (nginx picks by the client's offer): a good RSA
		# leaf that every client offering RSA gets (RSA suites and
		# signature algorithms first, in the server's order) and an
		# expired ECDSA one that ECDSA-only clients get.
		_lab_nginx "$name" "$port" "$name" 'TLSv1.2 TLSv1.3' "$LAB_NGINX_DUALCERT_CIPHERS" \
			"ssl_certificate $LAB_CERTS/dualcert-ecdsa.chain.pem; ssl_certificate_key $LAB_CERTS/dualcert-ecdsa.key; ssl_conf_command SignatureAlgorithms $LAB_NGINX_DUALCERT_SIGALGS;" || rc=$?
		;;
	gnutls-legacy)
		_lab_gnutls "$name" "$port" "$name" "$LAB_GNUTLS_LEGACY_PRIO" || rc=$?
		;;
	gnutls-13)
		_lab_gnutls "$name" "$port" "$name" "$LAB_GNUTLS_13_PRIO" || rc=$?
		;;
	gnutls-noreneg)
		_lab_gnutls "$name" "$port" "$name" "$LAB_GNUTLS_NORENEG_PRIO" || rc=$?
		;;
	*)
		_lab_s_server "$name" "$port" -no_ssl3 -no_tls1 -no_tls1_1 || rc=$?
		;;
	esac
	[ "$rc" = 0 ] || return "$rc"
	_lab_var "$name"
	printf -v "LAB_PORT_$LAB_VAR" '%s' "$port"
	LAB_ADDR=127.0.0.1:$port
	echo "$LAB_ADDR"
}

# lab_port NAME: prints the port of running lab server NAME.
lab_port() {
	_lab_need_init || return 1
	if [ ! -s "$LAB_RUN/$1.port" ]; then
		lab_log "lab server $1 was not started"
		return 1
	fi
	cat "$LAB_RUN/$1.port"
}

# lab_start_silent [NAME [PORT]]: a TCP listener on 127.0.0.1 that accepts
# (the kernel completes handshakes into the backlog) but never sends a
# byte: an s_server stopped with SIGSTOP.  NAME defaults to "silent", PORT
# to a free one (give one from lab_free_port).  Prints
# 127.0.0.1:PORT and sets LAB_PORT_<NAME> and LAB_ADDR like lab_start.
lab_start_silent() {
	local name=${1:-silent} pid port=${2-}
	_lab_need_init || return 1
	lab_certs || return 1
	if [ -z "$port" ]; then
		_lab_pick_port || return 1
		port=$LAB_FREE_PORT
	fi
	local c=$LAB_CERTS
	_lab_spawn "$name" "$port" openssl s_server -www -accept "127.0.0.1:$port" \
		-cert "$c/good-rsa.crt" -key "$c/good-rsa.key" -no-CAfile -no-CApath -no-CAstore ||
		return 1
	read -r pid _ <"$LAB_RUN/$name.pid"
	kill -STOP "$pid"
	_lab_var "$name"
	printf -v "LAB_PORT_$LAB_VAR" '%s' "$port"
	LAB_ADDR=127.0.0.1:$port
	echo "$LAB_ADDR"
}

# lab_expect NAME [FIELD]: the expectation line of server NAME from
# servers.txt (without the name), or the value of one FIELD (versions,
# problems, chain, cert, sni, server, weak, suites12, suites13).
lab_expect() {
	local name=$1 field=${2-} line
	line=$(awk -v n="$name" '$1 == n { $1 = ""; sub(/^ +/, ""); print; exit }' "$LAB_SERVERS_TXT")
	if [ -z "$line" ]; then
		lab_log "no expectation for '$name' in $LAB_SERVERS_TXT"
		return 1
	fi
	if [ -z "$field" ]; then
		echo "$line"
		return 0
	fi
	printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$field=//p" | grep . || {
		lab_log "server $name has no field $field"
		return 1
	}
}

# lab_target NAME: a targets-file line for running server NAME:
# "127.0.0.1:PORT sni=HOST" with the host name of its expectation.
lab_target() {
	local port sni
	port=$(lab_port "$1") || return 1
	sni=$(lab_expect "$1" sni) || return 1
	echo "127.0.0.1:$port sni=$sni"
}

# --- revocation lab (OCSP responder, CRL and CA-issuer server) ------------------

# lab_revoc_pki DIR OCSP_PORT BAD_OCSP_PORT HTTP_PORT DOWN_PORT: a PKI of
# its own (openssl ca, so that `openssl ocsp` can answer from its index)
# whose URLs point at 127.0.0.1 services on these ports:
#   OCSP_PORT      the real responder (lab_ocsp), signing with the intermediate
#   BAD_OCSP_PORT  a responder signing with an unrelated key
#   HTTP_PORT      plain HTTP (lab_http_static): /int.crl /root.crl
#                  /stale.crl /int.der /garbage
#   DOWN_PORT      nothing listens
# Files in DIR: root.crt (the scanner's --ca-file), int.crt, int.key,
# int-index.txt, other.crt/other.key (the wrong signer), www/ (what
# HTTP_PORT serves), and for each leaf NAME.crt, NAME.key, NAME.chain.pem
# (leaf + intermediate; leaf only for "aia"):
#   good       OCSP + CRL + CA issuers            not revoked
#   revoked    OCSP + CRL                         revoked (keyCompromise)
#   crlrev     CRL only                           revoked
#   stale      CRL only (/stale.crl, nextUpdate passed)
#   down       OCSP at DOWN_PORT only
#   downcrl    OCSP at DOWN_PORT, then the CRL    not revoked
#   garbage    OCSP URL that answers garbage
#   wrongkey   OCSP at BAD_OCSP_PORT only
#   aia        OCSP + CRL + CA issuers, served without the intermediate
#   muststaple OCSP + CRL + TLS feature status_request
lab_revoc_pki() {
	local d=$1 op=$2 bp=$3 hp=$4 dp=$5 n
	mkdir -p "$d/newcerts" "$d/www" || return 1
	: >"$d/int-index.txt"
	: >"$d/root-index.txt"
	echo 1000 >"$d/int-serial"
	echo 01 >"$d/root-serial"
	echo 01 >"$d/int-crlnumber"
	echo 01 >"$d/root-crlnumber"
	# What every leaf has (openssl has no section inheritance).
	local base='basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:${ENV::LAB_LEAF}.lab.test,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
'
	cat >"$d/ca.cnf" <<EOF2
[ int_ca ]
database = $d/int-index.txt
new_certs_dir = $d/newcerts
certificate = $d/int.crt
private_key = $d/int.key
serial = $d/int-serial
crlnumber = $d/int-crlnumber
default_md = sha256
default_days = 90
default_crl_days = 2
policy = pol_any
unique_subject = no
[ root_ca ]
database = $d/root-index.txt
new_certs_dir = $d/newcerts
certificate = $d/root.crt
private_key = $d/root.key
serial = $d/root-serial
crlnumber = $d/root-crlnumber
default_md = sha256
default_days = 3650
default_crl_days = 2
policy = pol_any
unique_subject = no
[ pol_any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = req_dn
[ req_dn ]
[ ext_root ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ ext_int ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:$hp/root.crl
[ ext_good ]
${base}authorityInfoAccess = OCSP;URI:http://127.0.0.1:$op/,caIssuers;URI:http://127.0.0.1:$hp/int.der
crlDistributionPoints = URI:http://127.0.0.1:$hp/int.crl
[ ext_crl ]
${base}crlDistributionPoints = URI:http://127.0.0.1:$hp/int.crl
[ ext_stale ]
${base}crlDistributionPoints = URI:http://127.0.0.1:$hp/stale.crl
[ ext_down ]
${base}authorityInfoAccess = OCSP;URI:http://127.0.0.1:$dp/
[ ext_downcrl ]
${base}authorityInfoAccess = OCSP;URI:http://127.0.0.1:$dp/
crlDistributionPoints = URI:http://127.0.0.1:$hp/int.crl
[ ext_garbage ]
${base}authorityInfoAccess = OCSP;URI:http://127.0.0.1:$hp/garbage
[ ext_wrongkey ]
${base}authorityInfoAccess = OCSP;URI:http://127.0.0.1:$bp/
[ ext_muststaple ]
${base}authorityInfoAccess = OCSP;URI:http://127.0.0.1:$op/
crlDistributionPoints = URI:http://127.0.0.1:$hp/int.crl
tlsfeature = status_request
EOF2
	local cnf=$d/ca.cnf log=$d/openssl.log
	_lab_genkey "$d/root.key" rsa 2048 || return 1
	_lab_genkey "$d/int.key" rsa 2048 || return 1
	_lab_genkey "$d/leaf.key" rsa 2048 || return 1
	_lab_genkey "$d/other.key" rsa 2048 || return 1
	{
		LAB_LEAF=x openssl req -config "$cnf" -new -x509 -key "$d/root.key" -days 3650 \
			-subj "/O=tlsaudit lab/CN=tlsaudit revocation root" -extensions ext_root \
			-out "$d/root.crt" &&
			LAB_LEAF=x openssl req -config "$cnf" -new -x509 -key "$d/other.key" -days 3650 \
				-subj "/CN=tlsaudit wrong OCSP signer" -extensions ext_root \
				-out "$d/other.crt" &&
			LAB_LEAF=x openssl req -config "$cnf" -new -key "$d/int.key" \
				-subj "/O=tlsaudit lab/CN=tlsaudit revocation intermediate" -out "$d/int.csr" &&
			LAB_LEAF=x openssl ca -batch -config "$cnf" -name root_ca -extensions ext_int \
				-notext -in "$d/int.csr" -out "$d/int.crt"
	} >"$log" 2>&1 || {
		cat "$log" >&2
		return 1
	}
	local ext
	for n in good revoked crlrev stale down downcrl garbage wrongkey aia muststaple; do
		case $n in
		good | aia) ext=ext_good ;;
		revoked) ext=ext_good ;;
		crlrev) ext=ext_crl ;;
		*) ext=ext_$n ;;
		esac
		cp "$d/leaf.key" "$d/$n.key"
		{
			LAB_LEAF=$n openssl req -config "$cnf" -new -key "$d/$n.key" \
				-subj "/O=tlsaudit lab/CN=$n.lab.test" -out "$d/$n.csr" &&
				LAB_LEAF=$n openssl ca -batch -config "$cnf" -name int_ca -extensions "$ext" \
					-notext -in "$d/$n.csr" -out "$d/$n.crt"
		} >"$log" 2>&1 || {
			cat "$log" >&2
			return 1
		}
		if [ "$n" = aia ]; then
			cp "$d/$n.crt" "$d/$n.chain.pem"
		else
			cat "$d/$n.crt" "$d/int.crt" >"$d/$n.chain.pem"
		fi
	done
	{
		LAB_LEAF=x openssl ca -config "$cnf" -name int_ca -revoke "$d/revoked.crt" \
			-crl_reason keyCompromise &&
			LAB_LEAF=x openssl ca -config "$cnf" -name int_ca -revoke "$d/crlrev.crt" \
				-crl_reason superseded &&
			LAB_LEAF=x openssl ca -batch -config "$cnf" -name int_ca -gencrl -out "$d/int.crl.pem" &&
			LAB_LEAF=x openssl ca -batch -config "$cnf" -name int_ca -gencrl \
				-crl_lastupdate 20200101000000Z -crl_nextupdate 20200102000000Z \
				-out "$d/stale.crl.pem" &&
			LAB_LEAF=x openssl ca -batch -config "$cnf" -name root_ca -gencrl -out "$d/root.crl.pem" &&
			openssl crl -in "$d/int.crl.pem" -outform DER -out "$d/www/int.crl" &&
			openssl crl -in "$d/stale.crl.pem" -outform DER -out "$d/www/stale.crl" &&
			openssl crl -in "$d/root.crl.pem" -outform DER -out "$d/www/root.crl" &&
			openssl x509 -in "$d/int.crt" -outform DER -out "$d/www/int.der"
	} >"$log" 2>&1 || {
		cat "$log" >&2
		return 1
	}
	rm -f "$d"/*.csr
}

# lab_ocsp NAME PORT INDEX CA SIGNER_CRT SIGNER_KEY: `openssl ocsp` as a
# responder for CA's certificates in INDEX (an openssl ca database),
# signing with SIGNER; nextUpdate one day ahead; (it binds every address:
# run it inside the lab namespace only); every request and answer
# is logged as text in $LAB_RUN/NAME.log ("OCSP Request Data:" per request).
lab_ocsp() {
	local name=$1 port=$2
	_lab_need_init || return 1
	_lab_spawn "$name" "$port" openssl ocsp -index "$3" -port "$port" -CA "$4" \
		-rsigner "$5" -rkey "$6" -ndays 1 -text
}

# lab_http_static NAME PORT ROOT [EXTRA]: nginx serving the files of ROOT
# over plain HTTP on 127.0.0.1:PORT, /garbage answering 200 with text that
# is no OCSP response; EXTRA goes into the server block (e.g. a location
# that redirects); access log in $LAB_RUN/NAME/access.log.
lab_http_static() {
	local name=$1 port=$2 root=$3 extra=${4-}
	_lab_need_init || return 1
	local d=$LAB_RUN/$name
	mkdir -p "$d"
	cat >"$d/nginx.conf" <<EOF2
# generated by tests/lab/lab.sh
daemon off;
master_process off;
user root root;
worker_processes 1;
pid $d/nginx.pid;
lock_file $d/nginx.lock;
error_log $d/error.log notice;
events { worker_connections 256; }
http {
    access_log $d/access.log;
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$port;
        root $root;
        location = /garbage { return 200 "this is not an OCSP response\n"; }
        $extra
    }
}
EOF2
	_lab_spawn "$name" "$port" nginx -p "$d" -e "$d/error.log" -c "$d/nginx.conf"
}

# lab_https NAME PORT CERTDIR LEAF [EXTRA DIRECTIVES]: nginx over TLS 1.2/1.3
# serving CERTDIR/LEAF.chain.pem (e.g. a lab_revoc_pki leaf); EXTRA goes
# into the server block (an add_header for HSTS, ...).
lab_https() {
	local name=$1 port=$2 dir=$3 leaf=$4 extra=${5-}
	_lab_need_init || return 1
	LAB_CERTS=$dir _lab_nginx "$name" "$port" "$leaf" 'TLSv1.2 TLSv1.3' 'HIGH:!aNULL' "$extra"
}

# lab_s_server_staple NAME PORT CERTDIR LEAF RESPONSE: openssl s_server
# serving CERTDIR/LEAF.crt with CERTDIR/int.crt, stapling the DER OCSP
# response file RESPONSE to every client that asks (status_request).
lab_s_server_staple() {
	local name=$1 port=$2 dir=$3 leaf=$4 resp=$5
	_lab_need_init || return 1
	_lab_spawn "$name" "$port" openssl s_server -www -accept "127.0.0.1:$port" \
		-cert "$dir/$leaf.crt" -key "$dir/$leaf.key" -cert_chain "$dir/int.crt" \
		-status_file "$resp" -no-CAfile -no-CApath -no-CAstore
}

# lab_ocsp_response DIR INDEX LEAF OUT: a DER OCSP response about
# DIR/LEAF.crt from INDEX (an openssl ca database), signed by DIR/int.key,
# made offline (no responder, no request logged anywhere).
lab_ocsp_response() {
	local d=$1 index=$2 leaf=$3 out=$4
	openssl ocsp -issuer "$d/int.crt" -cert "$d/$leaf.crt" -no_nonce -reqout "$out.req" \
		>/dev/null 2>&1 &&
		openssl ocsp -index "$index" -CA "$d/int.crt" -rsigner "$d/int.crt" -rkey "$d/int.key" \
			-ndays 1 -reqin "$out.req" -respout "$out" >/dev/null 2>&1
}
