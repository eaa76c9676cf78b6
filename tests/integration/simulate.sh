#!/usr/bin/env bash
# tests/integration/simulate.sh - `tlsaudit simulate` against real handshakes.
#
# Lab servers of every kind (openssl s_server with RSA, ECDSA and TLS 1.3
# only; nginx imposing its order with an ECDSA leaf, nginx legacy TLS 1.0-1.2
# with DH 1024, nginx with two certificates; gnutls-serv legacy (RC4, 3DES,
# client order) and TLS 1.2/1.3) are scanned, `simulate` predicts for each
# installed client (openssl s_client, gnutls-cli, python3 ssl, curl; libcurl
# with GnuTLS, wget, Java, Go, NSS tstclnt and Chromium when installed: the
# profiles data/clients.tsv captured from these very packages) what it negotiates; then each real client connects through
# sim_proxy.py, which reads the ServerHello off the wire, and the version and
# suite must be the simulated ones (or no ServerHello where the simulation
# says the handshake fails before one). The what-if is checked the same way:
# gnutls-serv started again without its CBC suites must give every client
# the simulated "after" of `--without-suites cbc`, s_server without TLS 1.3
# that of `--without tls1.3`. Then the what-if's
# breaks (exit 1), a policy what-if, and the error messages (exit 2).
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v curl >/dev/null || { echo "curl is needed (apt-get install curl)" >&2; exit 99; }
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies
PROXY=$top_srcdir/tests/integration/sim_proxy.py

lab_init
lab_certs >/dev/null
servers="good-rsa good-ecdsa tls13-only modern12 legacy dualcert gnutls-legacy gnutls-13"
: >"$LAB_DIR/targets"
for s in $servers; do
	lab_start "$s" >/dev/null
	lab_target "$s" >>"$LAB_DIR/targets"
done
# A client-side refusal: s_server offering only DHE with the RFC 2409 1024-bit
# group (OpenSSL's clients at SECLEVEL 2 refuse it after the ServerHello).
_lab_pick_port
dport=$LAB_FREE_PORT
_lab_spawn dhe1024 "$dport" openssl s_server -www -accept "127.0.0.1:$dport" \
	-cert "$LAB_CERTS/good-rsa.crt" -key "$LAB_CERTS/good-rsa.key" -no-CAfile -no-CApath \
	-no-CAstore -no_tls1_3 -cipher 'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA:@SECLEVEL=0' \
	-dhparam "$LAB_CERTS/dh1024.pem"
echo "127.0.0.1:$dport sni=good-rsa.lab.test" >>"$LAB_DIR/targets"
# The what-if's server: gnutls-legacy without its CBC suites (the same leaf).
nocbc_prio="$LAB_GNUTLS_LEGACY_PRIO:-AES-128-CBC:-AES-256-CBC:-CAMELLIA-128-CBC:-CAMELLIA-256-CBC:-3DES-CBC"
db=$LAB_DIR/sim.db

t_run 0 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 10 --no-vulns \
	-f "$LAB_DIR/targets" --format json -o "$LAB_DIR/scan.json"
t_run 0 "$TLSAUDIT" simulate --db "$db" --format json -o "$LAB_DIR/sim.json"
t_eq "simulate JSON: schema" '"tlsaudit-simulate"' "$(jq -c .schema "$LAB_DIR/sim.json")"
t_eq "simulate JSON: every target" 9 "$(jq '.targets | length' "$LAB_DIR/sim.json")"
validate() { # FILE: valid against docs/schema's simulate_document
	if out=$(python3 "$top_srcdir/tests/report/validate_json.py" \
		"$top_srcdir/docs/schema/tlsaudit-v1.schema.json" "$1" tlsaudit-simulate 2>&1); then
		t_ok "$(basename "$1"): valid against the JSON schema"
	else
		t_fail "$(basename "$1"): valid against the JSON schema" "$out"
	fi
}
validate "$LAB_DIR/sim.json"

# sim_want JSON PORT CLIENT FIELD: the ServerHello the simulation predicts
# ("TLS1.3 0x1302", "none" when the server sends none) and whether the
# client completes the handshake ("ok", else "fail" or "unknown").
sim_want() {
	jq -r --argjson p "$2" --arg c "$3" --arg f "$4" '.targets[] | select(.port == $p)
		| .clients[] | select(.client == $c) | .[$f]
		| (if .suite_code then "\(.version | sub(" "; "")) \(.suite_code)" else "none" end)
		  + " " + .outcome' "$1"
}

# The real clients: the profile's name, then the command (PORT, SNI replaced).
JAVA_DIR=$LAB_DIR/java
if command -v javac >/dev/null && command -v java >/dev/null; then
	mkdir -p "$JAVA_DIR"
	cat >"$JAVA_DIR/Sim.java" <<'J'
import java.security.cert.X509Certificate;
import javax.net.ssl.*;
public class Sim {
    public static void main(String[] a) throws Exception {
        /* trust anything: the handshake, not the chain, is what is compared */
        TrustManager[] all = {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String t) {}
            public void checkServerTrusted(X509Certificate[] c, String t) {}
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }};
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, all, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", Integer.parseInt(a[0]));
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(java.util.List.of(new SNIHostName(a[1])));
        s.setSSLParameters(p);
        s.startHandshake();
        s.close();
    }
}
J
	javac -d "$JAVA_DIR" "$JAVA_DIR/Sim.java" || rm -rf "$JAVA_DIR"
fi
CHROMIUM=$(command -v chromium || true)
# libcurl with GnuTLS (Debian's curl binary uses OpenSSL): a small program.
CG=$LAB_DIR/curl-gnutls
cat >"$CG.c" <<'C'
#include <curl/curl.h>
int main(int argc, char **argv)
{
    CURL *c = curl_easy_init();
    struct curl_slist *r = curl_slist_append(NULL, argv[1]);
    curl_easy_setopt(c, CURLOPT_URL, argv[2]);
    curl_easy_setopt(c, CURLOPT_RESOLVE, r);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    return argc == 3 && curl_easy_perform(c) == CURLE_OK ? 0 : 1;
}
C
if ! cc -o "$CG" "$CG.c" -lcurl 2>/dev/null || ! ldd "$CG" | grep -q libcurl-gnutls; then
	rm -f "$CG"
fi
GO=$LAB_DIR/hello-go
if command -v go >/dev/null; then
	mkdir -p "$LAB_DIR/go"
	cat >"$LAB_DIR/go/hello.go" <<'G'
package main

import (
	"crypto/tls"
	"os"
)

func main() {
	c, err := tls.Dial("tcp", "127.0.0.1:"+os.Args[1], &tls.Config{ServerName: os.Args[2], InsecureSkipVerify: true})
	if err != nil {
		os.Exit(1)
	}
	c.Close()
}
G
	(cd "$LAB_DIR/go" && GOCACHE=$LAB_DIR/go/cache GOPATH=$LAB_DIR/go/path GO111MODULE=off \
		go build -o "$GO" hello.go) >/dev/null 2>&1 || rm -f "$GO"
fi
NSSDB=$LAB_DIR/nss
if command -v tstclnt >/dev/null && command -v certutil >/dev/null; then
	mkdir -p "$NSSDB"
	certutil -N -d "sql:$NSSDB" --empty-password || rm -rf "$NSSDB"
fi

run_client() { # CLIENT SNI SERVER_PORT: prints the proxy's first line
	local sni=$2 port=$3
	case $1 in
	"OpenSSL s_client") python3 "$PROXY" "$port" -- openssl s_client -connect '127.0.0.1:{PORT}' -servername "$sni" ;;
	gnutls-cli) python3 "$PROXY" "$port" -- gnutls-cli --insecure --sni-hostname "$sni" -p '{PORT}' 127.0.0.1 ;;
	"Python ssl") python3 "$PROXY" "$port" -- python3 -c 'import socket,ssl,sys
c=ssl.create_default_context(); c.check_hostname=False; c.verify_mode=ssl.CERT_NONE
c.wrap_socket(socket.create_connection(("127.0.0.1",int(sys.argv[1]))),server_hostname=sys.argv[2]).close()' '{PORT}' "$sni" ;;
	"curl (OpenSSL)") python3 "$PROXY" "$port" -- curl -sk --max-time 10 --resolve "$sni:{PORT}:127.0.0.1" "https://$sni:{PORT}/" ;;
	"Java (OpenJDK)") python3 "$PROXY" "$port" -- java -cp "$JAVA_DIR" Sim '{PORT}' "$sni" ;;
	"libcurl (GnuTLS)") python3 "$PROXY" "$port" -- "$CG" "$sni:{PORT}:127.0.0.1" "https://$sni:{PORT}/" ;;
	wget) python3 "$PROXY" "$port" -- wget -q -O /dev/null --no-check-certificate --tries=1 \
		--timeout=10 'https://127.0.0.1:{PORT}/' ;;
	"Go crypto/tls") python3 "$PROXY" "$port" -- "$GO" '{PORT}' "$sni" ;;
	"NSS tstclnt") python3 "$PROXY" "$port" -- tstclnt -d "sql:$NSSDB" -h 127.0.0.1 -a "$sni" -p '{PORT}' -o -Q ;;
	Chromium) python3 "$PROXY" "$port" -- "$CHROMIUM" --headless --disable-gpu --no-sandbox \
		--user-data-dir="$LAB_DIR/chromium" --no-first-run --disable-background-networking \
		--disable-component-update --dump-dom --host-resolver-rules="MAP $sni 127.0.0.1" \
		"https://$sni:{PORT}/" ;;
	esac
}

# real CLIENT SNI PORT: "TLS1.2 0xC02F ok" as sim_want writes it; the
# client's exit status says whether it completed (Chromium's is not read:
# it exits 0 on a failed page too, so it is "ok" whenever a ServerHello came).
real() {
	local out hello rc
	out=$(run_client "$@")
	hello=$(printf '%s\n' "$out" | sed -n 1p)
	hello=${hello% hrr=*}
	case $hello in none*) hello=none ;; esac
	rc=$(printf '%s\n' "$out" | sed -n 's/^client=//p')
	if [ "$1" = Chromium ]; then
		[ "$hello" = none ] && rc=1 || rc=0
	fi
	[ "$rc" = 0 ] && echo "$hello ok" || echo "$hello fail"
}

clients=("OpenSSL s_client" gnutls-cli "Python ssl" "curl (OpenSSL)")
[ -x "$CG" ] && clients+=("libcurl (GnuTLS)")
command -v wget >/dev/null && clients+=(wget)
[ -d "$JAVA_DIR" ] && clients+=("Java (OpenJDK)")
[ -x "$GO" ] && clients+=("Go crypto/tls")
[ -d "$NSSDB" ] && clients+=("NSS tstclnt")
[ -n "$CHROMIUM" ] && clients+=(Chromium)
t_ok "real clients compared: ${clients[*]}"

n_ok=0
n_fail=0
for s in $servers dhe1024; do
	if [ "$s" = dhe1024 ]; then port=$dport sni=good-rsa.lab.test; else
		port=$(lab_port "$s")
		sni=$(lab_expect "$s" sni)
	fi
	for c in "${clients[@]}"; do
		want=$(sim_want "$LAB_DIR/sim.json" "$port" "$c" result)
		got=$(real "$c" "$sni" "$port")
		t_eq "$s / $c: the real handshake is the simulated one" "$want" "$got"
		case $want in *" ok") n_ok=$((n_ok + 1)) ;; *) n_fail=$((n_fail + 1)) ;; esac
	done
done
# The comparison must hold both kinds: handshakes that complete and fail.
[ "$n_ok" -ge 30 ] && t_ok "$n_ok handshakes completed as simulated" ||
	t_fail "only $n_ok simulated handshakes complete"
[ "$n_fail" -ge 2 ] && t_ok "$n_fail handshakes failed as simulated" ||
	t_fail "only $n_fail simulated handshakes fail"
t_match "dhe1024: s_client refuses the 1024-bit group" '"DH too small \(1024 bits < the client.s 2048\)"' \
	"$(jq -c --argjson p "$dport" '.targets[] | select(.port == $p) | .clients[]
		| select(.client == "OpenSSL s_client") | .result.reason' "$LAB_DIR/sim.json")"

# What-if validated: gnutls-legacy without CBC, simulated, then started so.
gport=$(lab_port gnutls-legacy)
gsni=$(lab_expect gnutls-legacy sni)
t_run 0 "$TLSAUDIT" simulate --db "$db" --format json --without-suites cbc \
	-o "$LAB_DIR/nocbc.json" "127.0.0.1:$gport"
_lab_pick_port
nport=$LAB_FREE_PORT
_lab_gnutls gnutls-nocbc "$nport" gnutls-legacy "$nocbc_prio"
for c in "${clients[@]}"; do
	want=$(sim_want "$LAB_DIR/nocbc.json" "$gport" "$c" after)
	got=$(real "$c" "$gsni" "$nport")
	t_eq "gnutls-legacy without CBC / $c: the real handshake is the simulated 'after'" "$want" "$got"
done
lab_stop gnutls-nocbc
# And a version what-if: good-rsa (s_server) without TLS 1.3.
rport=$(lab_port good-rsa)
rsni=$(lab_expect good-rsa sni)
t_run 0 "$TLSAUDIT" simulate --db "$db" --format json --without tls1.3 \
	-o "$LAB_DIR/no13.json" "127.0.0.1:$rport"
_lab_pick_port
n13=$LAB_FREE_PORT
_lab_spawn good-rsa-no13 "$n13" openssl s_server -www -accept "127.0.0.1:$n13" \
	-cert "$LAB_CERTS/good-rsa.crt" -key "$LAB_CERTS/good-rsa.key" -no-CAfile -no-CApath \
	-no-CAstore -no_ssl3 -no_tls1 -no_tls1_1 -no_tls1_3
for c in "${clients[@]}"; do
	want=$(sim_want "$LAB_DIR/no13.json" "$rport" "$c" after)
	got=$(real "$c" "$rsni" "$n13")
	t_eq "good-rsa without TLS 1.3 / $c: the real handshake is the simulated 'after'" "$want" "$got"
done
lab_stop good-rsa-no13

# Breaks: the legacy nginx without TLS 1.0 and 1.1 loses Java 7 (SSL 3.0 /
# TLS 1.0 only), not Python (TLS 1.2 and 1.3).
lport=$(lab_port legacy)
t_run 1 "$TLSAUDIT" simulate --db "$db" --format json --without tls1.0,tls1.1 "127.0.0.1:$lport"
printf '%s\n' "$T_OUT" >"$LAB_DIR/wo.json"
brk() { jq -r --arg c "$1" '.targets[0].clients[] | select(.client == $c) | .breaks' "$LAB_DIR/wo.json"; }
t_eq "without TLS 1.0/1.1: Java 7u25 breaks on legacy" true "$(brk "Java 7u25")"
t_eq "without TLS 1.0/1.1: Java 7u25's reason" '"no common protocol version"' \
	"$(jq -c '.targets[0].clients[] | select(.client == "Java 7u25") | .after.reason' "$LAB_DIR/wo.json")"
t_eq "without TLS 1.0/1.1: Python ssl does not break" false "$(brk "Python ssl")"
validate "$LAB_DIR/wo.json"
validate "$LAB_DIR/nocbc.json"
t_eq "without TLS 1.0/1.1: the count" "$(jq '[.targets[].clients[] | select(.breaks)] | length' "$LAB_DIR/wo.json")" \
	"$(jq .breaks "$LAB_DIR/wo.json")"
t_run 1 "$TLSAUDIT" simulate --db "$db" --without tls1.0,tls1.1 "127.0.0.1:$lport"
t_match "text: Java 7u25 BREAKS" 'Java 7u25 +\[pub\.\] +BREAKS +TLS 1\.0 .* ->  FAIL: no common protocol version' "$T_OUT"
t_match "text: the count" ' [0-9]+ clients? would break, [0-9]+ unchanged' "$T_OUT"
gr=$(lab_port good-rsa)
t_run 0 "$TLSAUDIT" simulate --db "$db" --without tls1.0,tls1.1 "127.0.0.1:$gr"
t_match "good-rsa has no TLS 1.0/1.1: nothing breaks" ' 0 clients would break' "$T_OUT"

# A policy what-if: pci-dss-4.0 forbids TLS 1.0 on legacy as --without does.
t_run 1 "$TLSAUDIT" simulate --db "$db" --format json --policy pci-dss-4.0 "127.0.0.1:$lport"
t_eq "--policy pci-dss-4.0: Java 7u25 breaks on legacy" true \
	"$(printf '%s' "$T_OUT" | jq -r '.targets[0].clients[] | select(.client == "Java 7u25") | .breaks')"

# The simulation as it is, in text, with a client filter.
t_run 0 "$TLSAUDIT" simulate --db "$db" --client 'OpenSSL s_client' "127.0.0.1:$(lab_port tls13-only)"
t_match "text: s_client on tls13-only" 'OpenSSL s_client 3\.[0-9.]+ +\[here\] +TLS 1\.3 TLS_AES_' "$T_OUT"
t_run 0 "$TLSAUDIT" simulate --db "$db" --client 'IE 8 XP' "127.0.0.1:$(lab_port tls13-only)"
t_match "text: IE 8 on tls13-only fails" 'IE 8 XP +\[pub\.\] +FAIL: no common protocol version' "$T_OUT"

# Errors: exit 2 with the option and what was expected.
t_run 2 "$TLSAUDIT" simulate --db "$db" --without tls9
t_match "bad version named" "--without: 'tls9' is not a protocol version" "$T_ERR"
t_run 2 "$TLSAUDIT" simulate --db "$db" --without-suites cbc,blue
t_match "bad suite class named" "--without-suites: 'blue' is not a suite class" "$T_ERR"
t_run 2 "$TLSAUDIT" simulate --db "$db" --client 'Netscape*'
t_match "unknown client" "--client: 'Netscape\*' matches no client profile" "$T_ERR"
t_run 2 "$TLSAUDIT" simulate --db "$db" --policy no-such-policy
t_match "unknown policy" "--policy: " "$T_ERR"
t_run 2 "$TLSAUDIT" simulate --db "$db" 192.0.2.1:443
t_match "target not in the scan" "192.0.2.1:443: not a target of scan" "$T_ERR"
t_run 2 "$TLSAUDIT" simulate --db "$LAB_DIR/none.db"
t_run 2 "$TLSAUDIT" simulate --db "$db" --format csv
# data/gen-clients.awk refuses a malformed profile with file:line and why.
bad=$LAB_DIR/bad-clients.tsv
head -n "$(grep -n '^name' "$top_srcdir/data/clients.tsv" | cut -d: -f1)" "$top_srcdir/data/clients.tsv" >"$bad"
printf 'X\t1\tcaptured\tcaptured: x\tTLS1.9\t0x1301\t-\t-\t-\t-\t-\t-\t-\t-\n' >>"$bad"
printf 'Y\t1\tcaptured\tcaptured: y\tTLS1.3\t0x13011\t-\t-\t-\tsni,foo\t-\t-\tbig\t-\n' >>"$bad"
t_run 1 awk -f "$top_srcdir/data/gen-clients.awk" "$bad"
t_match "gen-clients.awk: the version named with its line" "bad-clients.tsv:[0-9]+: unknown version \"TLS1.9\"" "$T_ERR"
t_match "gen-clients.awk: a bad code" "suite \"0x13011\" is not 0xhhhh" "$T_ERR"
t_run 0 awk -f "$top_srcdir/data/gen-clients.awk" "$top_srcdir/data/clients.tsv"

t_run 0 "$TLSAUDIT" simulate --help
t_match "--help lists --without-suites" '--without-suites LIST' "$T_OUT"

t_done
