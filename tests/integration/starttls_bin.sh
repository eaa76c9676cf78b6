#!/usr/bin/env bash
# tests/integration/starttls_bin.sh - the binary pre-TLS dialogues
# (scanner/starttls/binary.h) against real servers, each started here in a
# private network namespace on 127.0.0.1 and stopped by PID, each with its
# own TLS configuration: slapd (StartTLS and ldaps; GnuTLS priority: TLS 1.3
# and 1.2, ECDHE-RSA with AES-GCM only), postgresql-15 (ssl=on, TLS 1.3
# only), mariadb-server (TLS 1.2 only, ECDHE-RSA-CHACHA20-POLY1305), prosody
# (client and server streams, TLS 1.2 only, ECDHE-RSA-AES128-GCM-SHA256).
# tests/integration/starttls_drive runs each dialogue and then one GnuTLS
# handshake per version through it; the negotiated version and suite must
# be what the server's configuration allows. Then a full `tlsaudit scan
# --starttls PROTO` of each (and `auto` on port 389, and a targets file with
# starttls=) must enumerate exactly the configured suites per version, with
# the starttls probe's rows (MySQL's and XMPP's capabilities as evidence,
# prosody's PLAIN before TLS as plaintext authentication), and exit 3 with
# the dialogue's reason where it fails. The negative controls: slapd
# without TLS (resultCode 2), PostgreSQL with ssl=off ('N'), MariaDB with
# --skip-ssl (no CLIENT_SSL), prosody without mod_tls and for a host it
# does not serve. PostgreSQL's plaintext_session row (a StartupMessage
# without SSLRequest) with pg_hba.conf three ways: host trust (positive,
# no password), hostssl only (negative, "no encryption"), host password
# (positive, a cleartext password), and under ssl=off (still asked).
# A server whose package is missing is reported skipped.
. "$(dirname "$0")/../lab/lab.sh"
lab_netns "$0" "$@"
set -eu
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
[ "$(id -u)" = 0 ] || lab_skip "needs root (the servers run as their own users)"
DRIVE=${top_builddir:-$top_srcdir}/tests/integration/starttls_drive
[ -x "$DRIVE" ] || { echo "no $DRIVE (make check builds it)" >&2; exit 99; }
lab_init

# The servers' users must reach their directories: not under LAB_DIR (0700).
W=$(mktemp -d /tmp/tlsaudit-stb.XXXXXX)
chmod 755 "$W"
lab_user_cleanup() { [ "${LAB_KEEP-}" = 1 ] || rm -rf "$W"; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 30 \
	-subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
chmod 644 "$W/key.pem"
SKIPPED=0

# bin_skip WHAT: a check that could not run, said so (never counted passed).
bin_skip() {
	SKIPPED=$((SKIPPED + 1))
	printf 'SKIP %s\n' "$1"
}

# as_USER CMD...: runs CMD as USER. setpriv execs CMD, so a background
# "${AS_X[@]}" CMD & has CMD's own PID in $! (a shell function would put a
# subshell's there, and the server would outlive the kill).
AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups --)
AS_MY=(setpriv --reuid=mysql --regid=mysql --init-groups --)
AS_XMPP=(setpriv --reuid=prosody --regid=prosody --init-groups --)

# bin_wait PORT PID: waits (up to 30 s) for a listener on PORT while PID lives.
bin_wait() {
	local i
	for ((i = 0; i < 300; i++)); do
		_lab_listening "$1" && return 0
		_lab_alive "$2" || return 1
		sleep 0.1
	done
	return 1
}

# bin_drive NAME WANT PROTO PORT [DOMAIN]: the driver's output must be WANT.
bin_drive() {
	local name=$1 want=$2
	shift 2
	t_eq "$name" "$want" "$("$DRIVE" "$@" 2>&1)"
}

# bin_scan NAME WANT_EXIT PROTO PORT [SCAN OPTIONS...]: a full `tlsaudit
# scan --starttls PROTO` of 127.0.0.1:PORT into $W/NAME.json; T_JSON is the
# target's object.
bin_scan() {
	local name=$1 want=$2 proto=$3 port=$4
	shift 4
	t_run "$want" "$TLSAUDIT" scan --db "$W/scan.db" --starttls "$proto" --format json \
		-o "$W/$name.json" "$@" "127.0.0.1:$port"
	T_JSON=$(jq -c '.targets[0]' "$W/$name.json" 2>/dev/null || echo '{}')
	t_eq "$name: the target's protocol is stored and reported" "$proto" \
		"$(jq -r .starttls <<<"$T_JSON")"
}

# bin_suites NAME SPEC: the scan's enumeration must have accepted exactly
# the versions and suites of SPEC ("TLS1.2=0xC02F,0xC030 TLS1.3=0x1301"),
# every other version refused, nothing incomplete; the GnuTLS handshakes
# must agree on the versions.
bin_suites() {
	local name=$1 spec=$2 item v want vers=''
	for item in $spec; do
		v=${item%%=*}
		want=$(tr ',' '\n' <<<"${item#*=}" | sort | paste -sd, -)
		vers=${vers:+$vers,}$v
		t_eq "$name: $v suites" "$want" "$(jq -r '.enumeration.versions[] |
			select((.version | sub(" "; "")) == "'"$v"'") | [.suites[].code] | sort | join(",")' \
			<<<"$T_JSON")"
	done
	t_eq "$name: enumerated versions" "$vers" "$(jq -r '[.enumeration.versions[] |
		select(.state == "accepted") | .version | sub(" "; "")] | join(",")' <<<"$T_JSON")"
	t_eq "$name: enumeration complete" "" "$(jq -r '[.enumeration.versions[] |
		select(.incomplete or .state == "inconclusive") | .version] | join(",")' <<<"$T_JSON")"
	t_eq "$name: handshake versions" "$vers" "$(jq -r '[.versions[] |
		select(.state == "accepted") | .version | sub(" "; "")] | join(",")' <<<"$T_JSON")"
}

# bin_probe NAME ID WANT_STATE [EVIDENCE]: the target's probe row ID.
bin_probe() {
	t_eq "$1: $2" "$3${4:+ $4}" "$(jq -r '.probes[] | select(.id == "'"$2"'") |
		.state + (if (.evidence // "") != "" then " " + .evidence else "" end)' <<<"$T_JSON")"
}

# --- slapd --------------------------------------------------------------------
slapd_conf() { # DIR TLS(0|1)
	{
		echo "include /etc/ldap/schema/core.schema"
		echo "pidfile $1/slapd.pid"
		echo "argsfile $1/slapd.args"
		echo "modulepath /usr/lib/ldap"
		echo "moduleload back_mdb"
		if [ "$2" = 1 ]; then
			echo "TLSCertificateFile $W/cert.pem"
			echo "TLSCertificateKeyFile $W/key.pem"
			echo "TLSCipherSuite NONE:+VERS-TLS1.3:+VERS-TLS1.2:+ECDHE-RSA:+AES-256-GCM:+AES-128-GCM:+AEAD:+SIGN-ALL:+COMP-NULL:+GROUP-ALL"
		fi
		echo "database mdb"
		echo 'suffix "dc=test"'
		echo "directory $1/db"
	} >"$1/slapd.conf"
}
if command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ]; then
	mkdir -p "$W/ldap/db" "$W/ldap0/db"
	slapd_conf "$W/ldap" 1
	slapd_conf "$W/ldap0" 0
	LDAP_PORT=$(lab_free_port)
	LDAPS_PORT=$(lab_free_port)
	LDAP0_PORT=$(lab_free_port)
	/usr/sbin/slapd -d 0 -f "$W/ldap/slapd.conf" \
		-h "ldap://127.0.0.1:$LDAP_PORT/ ldaps://127.0.0.1:$LDAPS_PORT/ ldap://127.0.0.1:389/" \
		>"$W/ldap/log" 2>&1 &
	SLAPD=$!
	lab_track "$SLAPD"
	/usr/sbin/slapd -d 0 -f "$W/ldap0/slapd.conf" -h "ldap://127.0.0.1:$LDAP0_PORT/" \
		>"$W/ldap0/log" 2>&1 &
	SLAPD0=$!
	lab_track "$SLAPD0"
else
	bin_skip "slapd: not installed (Debian package slapd)"
fi

# --- postgresql-15 ------------------------------------------------------------
PG_BIN=/usr/lib/postgresql/15/bin
# pg_first: the first message's type and code (R3, E28000) a StartupMessage
# without SSLRequest gets from 127.0.0.1:$PG_PORT ("-" when none).
pg_first() {
	python3 - "$PG_PORT" <<'EOPY'
import socket, struct, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
    p = b"user\0tlsaudit\0database\0tlsaudit\0\0"
    s.sendall(struct.pack("!II", 8 + len(p), 196608) + p)
    d = b""
    while len(d) < 9:
        b = s.recv(4096)
        if not b:
            break
        d += b
    if d[:1] == b"R":
        print("R%d" % struct.unpack("!I", d[5:9])[0])
    else:
        i = d.find(b"\0C")
        print("E" + d[i + 2:i + 7].decode() if d[:1] == b"E" and i > 0 else "-")
except OSError:
    print("-")
EOPY
}
# pg_hba LINE WANT: pg_hba.conf becomes the socket's trust line and LINE,
# reloaded (SIGHUP), polled until pg_first says WANT.
pg_hba() {
	printf 'local all all trust\n%s\n' "$1" >"$W/pg/data/pg_hba.conf"
	kill -HUP "$PG"
	local i got=''
	for ((i = 0; i < 100; i++)); do
		got=$(pg_first)
		[ "$got" = "$2" ] && break
		sleep 0.1
	done
	t_eq "pg_hba.conf '$1' in force" "$2" "$got"
}
if [ -x "$PG_BIN/postgres" ] && id postgres >/dev/null 2>&1; then
	mkdir -p "$W/pg"
	cp "$W/cert.pem" "$W/key.pem" "$W/pg/"
	chmod 600 "$W/pg/key.pem"
	chown -R postgres "$W/pg"
	PG_PORT=$(lab_free_port)
	"${AS_PG[@]}" "$PG_BIN/initdb" -D "$W/pg/data" -A trust -U postgres >"$W/pg/initdb.log" 2>&1 ||
		{ cat "$W/pg/initdb.log" >&2; exit 99; }
	cat >>"$W/pg/data/postgresql.conf" <<EOC
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$W/pg'
ssl = on
ssl_cert_file = '$W/pg/cert.pem'
ssl_key_file = '$W/pg/key.pem'
ssl_min_protocol_version = 'TLSv1.3'
EOC
	"${AS_PG[@]}" "$PG_BIN/postgres" -D "$W/pg/data" >"$W/pg/log" 2>&1 &
	PG=$!
	lab_track "$PG"
else
	bin_skip "postgresql: not installed (Debian package postgresql-15)"
fi

# --- mariadb-server -----------------------------------------------------------
mariadb_start() { # EXTRA OPTIONS...
	"${AS_MY[@]}" /usr/sbin/mariadbd --no-defaults --datadir="$W/my/data" --socket="$W/my/sock" \
		--pid-file="$W/my/pid" --port="$MY_PORT" --bind-address=127.0.0.1 --skip-grant-tables \
		--skip-name-resolve --max-connect-errors=1000000 "$@" >>"$W/my/log" 2>&1 &
	MY=$!
	lab_track "$MY"
}
if [ -x /usr/sbin/mariadbd ] && id mysql >/dev/null 2>&1; then
	mkdir -p "$W/my"
	cp "$W/cert.pem" "$W/key.pem" "$W/my/"
	chown -R mysql "$W/my"
	MY_PORT=$(lab_free_port)
	"${AS_MY[@]}" mariadb-install-db --no-defaults --datadir="$W/my/data" --skip-test-db \
		--auth-root-authentication-method=normal >"$W/my/install.log" 2>&1 ||
		{ tail -20 "$W/my/install.log" >&2; exit 99; }
	mariadb_start --ssl-cert="$W/my/cert.pem" --ssl-key="$W/my/key.pem" --tls-version=TLSv1.2 \
		--ssl-cipher=ECDHE-RSA-CHACHA20-POLY1305
else
	bin_skip "mariadb: not installed (Debian package mariadb-server)"
fi

# --- prosody ------------------------------------------------------------------
prosody_conf() { # DIR C2S S2S TLS(0|1)
	local tls='"tls"; '
	[ "$4" = 1 ] || tls=''
	cat >"$1/prosody.cfg.lua" <<EOC
pidfile = "$1/prosody.pid"
data_path = "$1/data"
log = { info = "$1/log"; error = "$1/err" }
modules_enabled = { ${tls}"saslauth"; "dialback"; "disco" }
modules_disabled = { "posix" }
interfaces = { "127.0.0.1" }
c2s_ports = { $2 }
s2s_ports = { $3 }
http_ports = { }
https_ports = { }
c2s_direct_tls_ports = { }
s2s_direct_tls_ports = { }
ssl = { certificate = "$1/cert.pem"; key = "$1/key.pem"; protocol = "tlsv1_2"; ciphers = "ECDHE-RSA-AES128-GCM-SHA256" }
c2s_require_encryption = $([ "$4" = 1 ] && echo true || echo false)
s2s_require_encryption = false
s2s_secure_auth = false
allow_unencrypted_plain_auth = $([ "$4" = 1 ] && echo false || echo true)
VirtualHost "localhost"
EOC
}
if command -v prosody >/dev/null 2>&1 && id prosody >/dev/null 2>&1; then
	for d in xmpp xmpp0; do
		mkdir -p "$W/$d/data"
		cp "$W/cert.pem" "$W/key.pem" "$W/$d/"
	done
	C2S_PORT=$(lab_free_port)
	S2S_PORT=$(lab_free_port)
	C2S0_PORT=$(lab_free_port)
	S2S0_PORT=$(lab_free_port)
	prosody_conf "$W/xmpp" "$C2S_PORT" "$S2S_PORT" 1
	prosody_conf "$W/xmpp0" "$C2S0_PORT" "$S2S0_PORT" 0
	chown -R prosody "$W/xmpp" "$W/xmpp0"
	"${AS_XMPP[@]}" prosody --config "$W/xmpp/prosody.cfg.lua" >"$W/xmpp/out" 2>&1 &
	XMPP=$!
	lab_track "$XMPP"
	"${AS_XMPP[@]}" prosody --config "$W/xmpp0/prosody.cfg.lua" >"$W/xmpp0/out" 2>&1 &
	XMPP0=$!
	lab_track "$XMPP0"
else
	bin_skip "prosody: not installed (Debian package prosody)"
fi

# --- the dialogues ------------------------------------------------------------
T13_ONLY="TLS 1.0: refused alert: Error in protocol version
TLS 1.1: refused alert: Error in protocol version
TLS 1.2: refused alert: Error in protocol version"
T12_ONLY_PRE="TLS 1.0: refused alert: Error in protocol version
TLS 1.1: refused alert: Error in protocol version"
T13_REFUSED="TLS 1.3: refused alert: Error in protocol version"

if [ -n "${SLAPD-}" ]; then
	if bin_wait "$LDAP_PORT" "$SLAPD" && bin_wait "$LDAP0_PORT" "$SLAPD0"; then
		SLAPD_WANT="TLS 1.0: refused connection closed by the server
TLS 1.1: refused connection closed by the server
TLS 1.2: accepted TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
TLS 1.3: accepted TLS_AES_256_GCM_SHA384"
		bin_drive "slapd StartTLS" "dialogue: ready
$SLAPD_WANT" ldap "$LDAP_PORT"
		bin_drive "slapd ldaps (the same TLS configuration, direct)" "dialogue: ready
$SLAPD_WANT" tls "$LDAPS_PORT"
		bin_drive "slapd without TLS refuses StartTLS" \
			"dialogue: failed: ldap: LDAP StartTLS refused: resultCode 2 (protocolError): unsupported extended operation" \
			ldap "$LDAP0_PORT"
		SLAPD_SUITES="TLS1.2=0xC02F,0xC030 TLS1.3=0x1301,0x1302"
		bin_scan slapd 0 ldap "$LDAP_PORT"
		t_eq "slapd: scan status" ok "$(jq -r .status <<<"$T_JSON")"
		bin_suites "slapd StartTLS scan" "$SLAPD_SUITES"
		bin_probe "slapd" starttls_missing negative
		# port 389 (the namespace is ours): auto picks ldap
		t_run 0 "$TLSAUDIT" scan --db "$W/scan.db" --format json -o "$W/slapd-auto.json" \
			127.0.0.1:389
		T_JSON=$(jq -c '.targets[0]' "$W/slapd-auto.json" 2>/dev/null || echo '{}')
		bin_suites "slapd on 389, --starttls auto" "$SLAPD_SUITES"
		t_eq "slapd on 389: auto picked ldap" ldap "$(jq -r .starttls <<<"$T_JSON")"
		bin_scan slapd-ldaps 0 ldaps "$LDAPS_PORT"
		bin_suites "slapd ldaps scan" "$SLAPD_SUITES"
		bin_scan slapd-notls 3 ldap "$LDAP0_PORT"
		t_match "slapd without TLS: the scan says why" \
			'LDAP StartTLS refused: resultCode 2 \(protocolError\)' "$(jq -r .error <<<"$T_JSON")"
		bin_probe "slapd without TLS" starttls_missing positive
	else
		t_fail "slapd did not start" "$(tail -5 "$W/ldap/log" "$W/ldap0/log")"
	fi
fi

if [ -n "${PG-}" ]; then
	if bin_wait "$PG_PORT" "$PG"; then
		bin_drive "postgresql SSLRequest" "dialogue: ready
$T13_ONLY
TLS 1.3: accepted TLS_AES_256_GCM_SHA384" postgres "$PG_PORT"
		bin_scan postgres 0 postgres "$PG_PORT"
		bin_suites "postgresql scan" "TLS1.3=0x1301,0x1302,0x1303"
		bin_probe "postgresql" starttls_missing negative
		# plaintext_session: initdb -A trust left "host all all 127.0.0.1/32
		# trust": a StartupMessage without SSLRequest is let in at once
		bin_probe "postgresql host trust" plaintext_session positive \
			"sent: StartupMessage (protocol 3.0) user=tlsaudit database=tlsaudit, no SSLRequest; received: AuthenticationRequest 0"
		t_eq "postgresql host trust: the detail names the method" \
			"postgres: a session without TLS is accepted (user tlsaudit): the server asked for no password at all (AuthenticationOk: trust)" \
			"$(jq -r '.probes[] | select(.id == "plaintext_session") | .detail' <<<"$T_JSON")"
		pg_check=$("$TLSAUDIT" check --db "$W/scan.db" --latest --policy pci-dss-4.0 --format json || true)
		t_eq "postgresql host trust: pci-no-plaintext-session fails (medium)" "fail medium" \
			"$(jq -r '.targets[0].policies[0].findings[] | select(.rule_id == "pci-no-plaintext-session") | "\(.verdict) \(.severity)"' <<<"$pg_check")"
		# hostssl only: refused for want of TLS (28000, "no encryption")
		pg_hba 'hostssl all all 127.0.0.1/32 scram-sha-256' E28000
		bin_scan postgres-hostssl 0 postgres "$PG_PORT" --no-enumerate
		t_match "postgresql hostssl only: plaintext_session negative" \
			'^negative postgres: a session without TLS is refused: no pg_hba.conf entry for host "127.0.0.1", user "tlsaudit", database "tlsaudit", no encryption$' \
			"$(jq -r '.probes[] | select(.id == "plaintext_session") | "\(.state) \(.detail)"' <<<"$T_JSON")"
		t_match "postgresql hostssl only: the evidence quotes the ErrorResponse" \
			'received: ErrorResponse FATAL 28000: no pg_hba.conf entry' \
			"$(jq -r '.probes[] | select(.id == "plaintext_session") | .evidence' <<<"$T_JSON")"
		pg_check=$("$TLSAUDIT" check --db "$W/scan.db" --latest --policy pci-dss-4.0 --format json || true)
		t_eq "postgresql hostssl only: pci-no-plaintext-session passes" "pass" \
			"$(jq -r '.targets[0].policies[0].findings[] | select(.rule_id == "pci-no-plaintext-session") | .verdict' <<<"$pg_check")"
		# host with "password": plaintext accepted, the password asked in clear
		pg_hba 'host all all 127.0.0.1/32 password' R3
		bin_scan postgres-password 0 postgres "$PG_PORT" --no-enumerate
		t_eq "postgresql host password: plaintext_session positive, cleartext password" \
			"positive postgres: a session without TLS is accepted (user tlsaudit): the server asked for a cleartext password" \
			"$(jq -r '.probes[] | select(.id == "plaintext_session") | "\(.state) \(.detail)"' <<<"$T_JSON")"
		# ssl=off by a reload: the answer becomes 'N' (polled: the reload is asynchronous)
		sed -i 's/^ssl = on$/ssl = off/' "$W/pg/data/postgresql.conf"
		kill -HUP "$PG"
		got=''
		for ((i = 0; i < 100; i++)); do
			got=$("$DRIVE" postgres "$PG_PORT" 2>&1 | head -1)
			[ "$got" != "dialogue: ready" ] && break
			sleep 0.1
		done
		t_eq "postgresql ssl=off answers N" \
			"dialogue: failed: postgres: server does not accept SSL (SSLRequest answered N)" "$got"
		bin_scan postgres-nossl 3 postgres "$PG_PORT"
		t_match "postgresql ssl=off: the scan says why" 'SSLRequest answered N' \
			"$(jq -r .error <<<"$T_JSON")"
		t_eq "postgresql ssl=off: plaintext_session still asked (before the dialogue)" \
			"positive AuthenticationRequest 3" \
			"$(jq -r '.probes[] | select(.id == "plaintext_session") | "\(.state) \(.evidence | sub(".*received: "; ""))"' <<<"$T_JSON")"
	else
		t_fail "postgresql did not start" "$(tail -5 "$W/pg/log")"
	fi
fi

if [ -n "${MY-}" ]; then
	if bin_wait "$MY_PORT" "$MY"; then
		bin_drive "mariadb SSLRequest" "dialogue: ready
$T12_ONLY_PRE
TLS 1.2: accepted TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
$T13_REFUSED" mysql "$MY_PORT"
		bin_scan mariadb 0 mysql "$MY_PORT"
		bin_suites "mariadb scan" "TLS1.2=0xCCA8"
		bin_probe "mariadb" starttls_missing negative "CLIENT_SSL auth=mysql_native_password"
		# the handshake names the default plugin only: no answer for every account
		bin_probe "mariadb" plaintext_auth could-not-test
		t_match "mariadb: the version as banner" '^5\.5\.5-10\.[0-9.]+-MariaDB' \
			"$(jq -r .starttls_dialogue.banner <<<"$T_JSON")"
		lab_untrack "$MY"
		_lab_kill "$MY"
		mariadb_start --skip-ssl
		if bin_wait "$MY_PORT" "$MY"; then
			out=$("$DRIVE" mysql "$MY_PORT" 2>&1)
			t_match "mariadb --skip-ssl does not offer TLS" \
				'^dialogue: failed: mysql: server does not offer TLS \(no CLIENT_SSL; version 5\.5\.5-10\.[0-9.]+-MariaDB' "$out"
			bin_scan mariadb-nossl 3 mysql "$MY_PORT"
			t_match "mariadb --skip-ssl: the scan says why" 'server does not offer TLS' \
				"$(jq -r .error <<<"$T_JSON")"
		else
			t_fail "mariadb --skip-ssl did not start" "$(tail -5 "$W/my/log")"
		fi
	else
		t_fail "mariadb did not start" "$(tail -5 "$W/my/log")"
	fi
fi

if [ -n "${XMPP-}" ]; then
	if bin_wait "$C2S_PORT" "$XMPP" && bin_wait "$S2S_PORT" "$XMPP" &&
		bin_wait "$C2S0_PORT" "$XMPP0"; then
		PROSODY_WANT="dialogue: ready
$T12_ONLY_PRE
TLS 1.2: accepted TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
$T13_REFUSED"
		bin_drive "prosody c2s STARTTLS" "$PROSODY_WANT" xmpp "$C2S_PORT" localhost
		bin_drive "prosody s2s STARTTLS" "$PROSODY_WANT" xmpp-server "$S2S_PORT" localhost
		bin_drive "prosody: a host it does not serve" \
			"dialogue: failed: xmpp: stream error: host-unknown (the to= domain: --xmpp-host)" xmpp "$C2S_PORT" nosuch.test
		bin_drive "prosody without mod_tls" \
			"dialogue: failed: xmpp: server does not offer STARTTLS" xmpp "$C2S0_PORT" localhost
		bin_scan prosody-c2s 0 xmpp "$C2S_PORT" --xmpp-host localhost
		bin_suites "prosody c2s scan" "TLS1.2=0xC02F"
		bin_probe "prosody c2s" starttls_missing negative "STARTTLS STARTTLS-REQUIRED"
		bin_probe "prosody c2s" plaintext_auth negative "STARTTLS STARTTLS-REQUIRED"
		bin_scan prosody-s2s 0 xmpp-server "$S2S_PORT" --xmpp-host localhost
		bin_suites "prosody s2s scan" "TLS1.2=0xC02F"
		bin_scan prosody-unknown 3 xmpp "$C2S_PORT" --xmpp-host nosuch.test
		t_match "prosody, a host it does not serve: the scan says why" \
			'stream error: host-unknown' "$(jq -r .error <<<"$T_JSON")"
		bin_scan prosody-notls 3 xmpp "$C2S0_PORT" --xmpp-host localhost
		t_match "prosody without mod_tls: the scan says why" 'server does not offer STARTTLS' \
			"$(jq -r .error <<<"$T_JSON")"
		# (prosody lists its mechanisms in no fixed order)
		t_match "prosody without mod_tls: plaintext_auth" '^positive (.* )?SASL=PLAIN( |$)' \
			"$(jq -r '.probes[] | select(.id == "plaintext_auth") | .state + " " + .evidence' \
				<<<"$T_JSON")"
	else
		t_fail "prosody did not start" "$(tail -5 "$W/xmpp/out" "$W/xmpp/err" "$W/xmpp0/err" 2>&1)"
	fi
fi

# A targets file naming each target's protocol (starttls=), one scan.
if [ -n "${SLAPD-}" ] && [ -n "${XMPP-}" ]; then
	printf '127.0.0.1:%s starttls=ldap\n127.0.0.1:%s starttls=xmpp-server\n' "$LDAP_PORT" \
		"$S2S_PORT" >"$W/targets"
	t_run 0 "$TLSAUDIT" scan --db "$W/scan.db" --xmpp-host localhost --format json \
		-o "$W/file.json" -f "$W/targets"
	want=$(printf '%s\n' "$LDAP_PORT 0xC02F,0xC030" "$S2S_PORT 0xC02F" | LC_ALL=C sort | paste -sd';' -)
	t_eq "targets file: TLS 1.2 suites per target" "$want" \
		"$(jq -r '[.targets[] | "\(.port) " + ([.enumeration.versions[] |
			select(.version == "TLS 1.2") | .suites[].code] | sort | join(","))] |
			sort | join(";")' "$W/file.json")"
fi

[ "$SKIPPED" -lt 4 ] || lab_skip "none of slapd, postgresql-15, mariadb-server, prosody is installed"
t_done
