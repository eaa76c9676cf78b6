# tests/lab/starttls_lab.sh - the lab's STARTTLS servers (a bash library;
# source it after tests/lab/lab.sh, lab_netns, lab_init and lab_certs):
# postfix (smtp, submission, smtps), dovecot (imap, imaps, pop3, pop3s,
# managesieve, lmtp, and the SASL service postfix uses) and vsftpd (ftp with
# AUTH TLS), each from a config directory of its own with its own TLS
# configuration (tests/integration/starttls_servers.sh says which), on
# ephemeral ports of 127.0.0.1, stopped by PID with the lab (lab_stop_all).
#
#   stls_lab_start     starts all three; sets P_SMTP P_SUB P_SMTPS P_IMAP
#                      P_IMAPS P_POP3 P_POP3S P_SIEVE P_LMTP P_FTP (and
#                      P_AUTH), STLS_SRV (their files), the logs
#                      $STLS_SRV/postfix/maillog and $STLS_SRV/dovecot/dovecot.log
#   stls_nntp_start    after it: INN's nnrpd (inn2) with STARTTLS; sets P_NNTP
#
# Used by tests/integration/starttls_servers.sh and bench/starttls.sh.

stls_lab_start() {
# The servers' files: readable by their unprivileged users (postfix,
# dovenull, dovecot), so not under the lab's private (0700) directory.
srv=$(mktemp -d /tmp/tlsaudit-starttls.XXXXXX)
chmod 755 "$srv"
lab_user_cleanup() { rm -rf "$srv"; }
cp "$LAB_CERTS/good-rsa.chain.pem" "$srv/chain.pem"
cp "$LAB_CERTS/good-rsa.key" "$srv/key.pem"
chmod 644 "$srv/chain.pem"
chmod 600 "$srv/key.pem"

port() { _lab_pick_port && echo "$LAB_FREE_PORT"; }
P_SMTP=$(port) P_SUB=$(port) P_SMTPS=$(port)
P_IMAP=$(port) P_IMAPS=$(port) P_POP3=$(port) P_POP3S=$(port) P_SIEVE=$(port) P_AUTH=$(port)
P_LMTP=$(port)
P_FTP=$(port)

# wait_ports NAME PORT...: every PORT listens within 20 s, or the log.
wait_ports() {
	local name=$1 p i
	shift
	for p in "$@"; do
		for ((i = 0; i < 1000; i++)); do
			_lab_listening "$p" && break
			sleep 0.02
		done
		_lab_listening "$p" || {
			sed 's/^/  /' "$LAB_RUN/$name.log" "$srv/$name"/*.log 2>/dev/null >&2
			echo "$name does not listen on $p" >&2
			exit 99
		}
	done
}

# --- dovecot ---------------------------------------------------------------
d=$srv/dovecot
mkdir -p "$d/base" "$d/state"
cat >"$d/dovecot.conf" <<EOF
protocols = imap pop3 sieve lmtp
listen = 127.0.0.1
base_dir = $d/base
state_dir = $d/state
log_path = $d/dovecot.log
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
ssl = yes
ssl_cert = <$srv/chain.pem
ssl_key = <$srv/key.pem
ssl_min_protocol = TLSv1.2
ssl_cipher_list = ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256
ssl_cipher_suites = TLS_AES_256_GCM_SHA384
ssl_prefer_server_ciphers = yes
auth_mechanisms = plain login
passdb {
  driver = static
  args = password=not-used
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$d/home
}
service imap-login {
  chroot =
  inet_listener imap {
    port = $P_IMAP
  }
  inet_listener imaps {
    port = $P_IMAPS
    ssl = yes
  }
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    port = $P_POP3
  }
  inet_listener pop3s {
    port = $P_POP3S
    ssl = yes
  }
}
service managesieve-login {
  chroot =
  inet_listener sieve {
    port = $P_SIEVE
  }
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = $P_AUTH
  }
}
service anvil {
  chroot =
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $P_LMTP
  }
}
EOF
_lab_spawn dovecot "$P_IMAP" dovecot -F -c "$d/dovecot.conf"
wait_ports dovecot "$P_IMAPS" "$P_POP3" "$P_POP3S" "$P_SIEVE" "$P_AUTH" "$P_LMTP"

# --- postfix ---------------------------------------------------------------
pf=$srv/postfix
mkdir -p "$pf/conf" "$pf/queue" "$pf/data"
chown postfix "$pf/data"
cat >"$pf/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
meta_directory = $(postconf -h meta_directory)
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.lab.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
smtpd_tls_chain_files = $srv/key.pem, $srv/chain.pem
smtpd_tls_security_level = may
smtpd_tls_protocols = TLSv1.2
smtpd_tls_mandatory_protocols = TLSv1.2
smtpd_tls_ciphers = high
smtpd_tls_mandatory_ciphers = high
tls_high_cipherlist = ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256
tls_preempt_cipherlist = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$P_AUTH
smtpd_tls_auth_only = no
EOF
sed -e '/^smtp *inet/d' -e 's/^\([a-z]\{1,\} *unix *[-n] *[-n] *\)y/\1n/' /etc/postfix/master.cf |
	grep -v '^ ' | grep -v '^#' | grep -v '^$' |
	grep -E '^(pickup|cleanup|qmgr|tlsmgr|rewrite|bounce|defer|trace|verify|flush|proxymap|proxywrite|smtp|relay|showq|error|retry|discard|local|virtual|lmtp|anvil|scache|postlog) ' \
		>"$pf/conf/master.cf"
cat >>"$pf/conf/master.cf" <<EOF
127.0.0.1:$P_SMTP inet n - n - - smtpd
127.0.0.1:$P_SUB inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_tls_auth_only=yes
127.0.0.1:$P_SMTPS inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
EOF
_lab_spawn postfix "$P_SMTP" postfix -c "$pf/conf" start-fg
wait_ports postfix "$P_SUB" "$P_SMTPS"
# start-fg runs master as a child of postfix-script (not exec'ed unless it
# is PID 1): stopping the wrapper would leave master running, so the lab
# stops master itself, by the PID it wrote.
local mpid=''
read -r mpid <"$pf/queue/pid/master.pid" || true
case $mpid in
'' | *[!0-9]*)
	echo "postfix wrote no master PID" >&2
	exit 99
	;;
esac
lab_track "$mpid"

# --- vsftpd ----------------------------------------------------------------
f=$srv/vsftpd
mkdir -p "$f/empty"
cat >"$f/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$P_FTP
background=NO
anonymous_enable=NO
local_enable=YES
secure_chroot_dir=$f/empty
ssl_enable=YES
rsa_cert_file=$srv/chain.pem
rsa_private_key_file=$srv/key.pem
ssl_sslv2=NO
ssl_sslv3=NO
ssl_tlsv1=NO
ssl_ciphers=AES256-GCM-SHA384:AES128-SHA256
require_ssl_reuse=NO
force_local_logins_ssl=YES
xferlog_enable=NO
seccomp_sandbox=NO
EOF
# vsftpd writes its errors to descriptor 0
: >"$f/stdin"
_lab_spawn vsftpd "$P_FTP" sh -c 'exec vsftpd "$1" 0<>"$2"' vsftpd "$f/vsftpd.conf" "$f/stdin"

STLS_SRV=$srv
}

# stls_nntp_start: INN's nnrpd (Debian's inn2) as a standalone NNTP reader
# with STARTTLS on an ephemeral port (P_NNTP), from a config directory of
# its own under $STLS_SRV/inn (INNCONF; no innd, no system spool): TLS 1.2
# only, ECDHE-RSA-AES256-SHA : ECDHE-RSA-CAMELLIA256-SHA384 (tlsciphers,
# tlsprotocols). Call after stls_lab_start. nnrpd -D binds as root and
# then runs as news, so its files are news's; it logs to syslog only.
stls_nntp_start() {
local n=$STLS_SRV/inn
_lab_pick_port && P_NNTP=$LAB_FREE_PORT
mkdir -p "$n/etc" "$n/run" "$n/log" "$n/db" "$n/spool/articles" "$n/spool/overview" \
	"$n/spool/tmp" "$n/spool/incoming/tmp" "$n/spool/outgoing" "$n/spool/archive"
cp "$STLS_SRV/chain.pem" "$n/chain.pem"
cp "$STLS_SRV/key.pem" "$n/key.pem"
cat >"$n/etc/inn.conf" <<EOF
domain: lab.test
fromhost: lab.test
pathhost: news.lab.test
organization: "tlsaudit lab"
mta: "/bin/false %s"
pathnews: /usr/lib/news
pathbin: /usr/lib/news/bin
pathcontrol: /usr/lib/news/bin/control
pathfilter: /etc/news/filter
pathetc: $n/etc
pathrun: $n/run
pathlog: $n/log
pathdb: $n/db
pathhttp: $n/log
pathspool: $n/spool
patharticles: $n/spool/articles
pathoverview: $n/spool/overview
pathtmp: $n/spool/tmp
pathincoming: $n/spool/incoming
pathoutgoing: $n/spool/outgoing
patharchive: $n/spool/archive
ovmethod: tradindexed
hismethod: hisv6
readerswhenstopped: true
nnrpdloadlimit: 0
tlscertfile: $n/chain.pem
tlskeyfile: $n/key.pem
tlsprotocols: [ TLSv1.2 ]
tlsciphers: "ECDHE-RSA-AES256-SHA:ECDHE-RSA-CAMELLIA256-SHA384"
tlspreferserverciphers: true
EOF
printf '%s\n' 'auth "lab" {' '    hosts: "127.0.0.1"' '    default: "<lab>"' '}' \
	'access "lab" {' '    users: "*"' '    newsgroups: "*"' '    access: R' '}' \
	>"$n/etc/readers.conf"
printf '%s\n' 'method timehash {' '    newsgroups: *' '    class: 0' '}' >"$n/etc/storage.conf"
printf '%s\n' 'lab.test 0000000000 0000000001 y' >"$n/db/active"
: >"$n/db/active.times"
: >"$n/db/newsgroups"
chown -R news:news "$n"
chmod 600 "$n/key.pem"
# nnrpd reads the overview index: makehistory -O makes an empty one
if ! su news -s /bin/sh -c "INNCONF='$n/etc/inn.conf' /usr/lib/news/bin/makehistory -O -x" \
	>"$n/log/makehistory.log" 2>&1; then
	sed 's/^/  /' "$n/log/makehistory.log" >&2
	echo "inn2: makehistory -O failed" >&2
	exit 99
fi
_lab_spawn nnrpd "$P_NNTP" env INNCONF="$n/etc/inn.conf" /usr/lib/news/bin/nnrpd -D -f \
	-b 127.0.0.1 -p "$P_NNTP" || exit 99
}
