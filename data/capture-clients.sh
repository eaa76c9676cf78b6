#!/bin/sh
# data/capture-clients.sh - capture the ClientHello of every TLS client installed
# here (Debian's packages) and print data/clients.tsv rows on stdout.
#
#   data/capture-clients.sh > /tmp/captured.tsv   # then review and paste into clients.tsv
#
# Each client is pointed at data/capture-hello.py's listener on 127.0.0.1 (an
# ephemeral port; names that must carry SNI resolve to 127.0.0.1 through each
# client's own option, or "localhost"); nothing else is contacted. A client that
# is not installed is named on stderr and skipped. Run by hand when Debian's
# clients change; the build never runs it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cap="$here/capture-hello.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pkgver() { dpkg-query -W -f '${Package} ${Version}' "$1" 2>/dev/null || echo "$1 (version unknown)"; }
have() { command -v "$1" >/dev/null 2>&1 || { echo "capture-clients: $1 not installed, skipped" >&2; return 1; }; }

if have openssl; then
    python3 "$cap" --name "OpenSSL s_client" --version "$(openssl version | awk '{print $2}')" \
        --source "captured: openssl s_client -connect 127.0.0.1:PORT -servername localhost ($(pkgver openssl), Debian 12 defaults, SECLEVEL 2)" \
        --min-rsa 2048 --min-dh 2048 \
        -- sh -c 'sleep 5 | openssl s_client -connect 127.0.0.1:{PORT} -servername localhost'
fi
if have gnutls-cli; then
    python3 "$cap" --name "gnutls-cli" --version "$(gnutls-cli --version | awk 'NR==1{print $2}')" \
        --source "captured: gnutls-cli -p PORT localhost ($(pkgver gnutls-bin), priority NORMAL)" \
        --min-dh 1024 \
        -- sh -c 'sleep 5 | gnutls-cli --insecure -p {PORT} localhost'
fi
if have curl; then
    python3 "$cap" --name "curl (OpenSSL)" --version "$(curl --version | awk 'NR==1{print $2}')" \
        --source "captured: curl https://test.example:PORT/ --resolve ($(pkgver curl), libcurl4 with OpenSSL 3.0)" \
        --min-rsa 2048 --min-dh 2048 \
        -- curl -sk --resolve "test.example:{PORT}:127.0.0.1" "https://test.example:{PORT}/"
fi
if [ -e /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -e /usr/include/curl/curl.h ]; then
    cat > "$tmp/cg.c" <<'C'
#include <curl/curl.h>
#include <stdio.h>
int main(int argc, char **argv)
{
    CURL *c = curl_easy_init();
    struct curl_slist *r = curl_slist_append(NULL, argv[1]);
    curl_easy_setopt(c, CURLOPT_URL, argv[2]);
    curl_easy_setopt(c, CURLOPT_RESOLVE, r);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_perform(c);
    printf("%s\n", curl_version());
    return argc > 3;
}
C
    if cc -o "$tmp/cg" "$tmp/cg.c" -lcurl 2>/dev/null && "$tmp/cg" x x 2>/dev/null | grep -q GnuTLS; then
        python3 "$cap" --name "libcurl (GnuTLS)" --version "$("$tmp/cg" x x | sed 's,^libcurl/\([^ ]*\).*,\1,')" \
            --source "captured: a libcurl program linked with libcurl-gnutls ($(pkgver libcurl3-gnutls))" \
            --min-dh 1024 \
            -- "$tmp/cg" "test.example:{PORT}:127.0.0.1" "https://test.example:{PORT}/"
    else
        echo "capture-clients: libcurl-gnutls not found (libcurl4-gnutls-dev), skipped" >&2
    fi
fi
if have wget; then
    python3 "$cap" --name "wget" --version "$(wget --version | awk 'NR==1{print $3}')" \
        --source "captured: wget https://localhost:PORT/ ($(pkgver wget), GnuTLS backend)" \
        --min-dh 1024 \
        -- wget -q -O /dev/null --no-check-certificate --tries=1 "https://localhost:{PORT}/"
fi
if have python3; then
    python3 "$cap" --name "Python ssl" --version "$(python3 -c 'import ssl,sys; print("%d.%d.%d" % sys.version_info[:3])')" \
        --source "captured: ssl.create_default_context() (python3 $(python3 -c 'import ssl; print(ssl.OPENSSL_VERSION)'))" \
        --min-rsa 2048 --min-dh 2048 \
        -- python3 -c 'import socket,ssl,sys
c=ssl.create_default_context(); c.check_hostname=False; c.verify_mode=ssl.CERT_NONE
s=c.wrap_socket(socket.create_connection(("127.0.0.1",int(sys.argv[1]))),server_hostname="localhost")' "{PORT}"
fi
if have java && have javac; then
    cat > "$tmp/Hello.java" <<'J'
import javax.net.ssl.*;
public class Hello {
    public static void main(String[] a) throws Exception {
        /* JSSE sends SNI for a dotted host name (never for "localhost"): connect to
           127.0.0.1 and name test.example, as a connection to that name would. */
        SSLSocket s = (SSLSocket) SSLSocketFactory.getDefault().createSocket("127.0.0.1", Integer.parseInt(a[0]));
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(java.util.List.of(new SNIHostName("test.example")));
        s.setSSLParameters(p);
        s.startHandshake();
    }
}
J
    javac -d "$tmp" "$tmp/Hello.java" && \
    python3 "$cap" --name "Java (OpenJDK)" --version "$(java -version 2>&1 | awk -F'"' 'NR==1{print $2}')" \
        --source "captured: SSLSocketFactory.getDefault() to 127.0.0.1, SNI test.example ($(pkgver openjdk-17-jre-headless), default java.security)" \
        --min-dh 1024 --max-dh 8192 --min-rsa 1024 \
        -- java -cp "$tmp" Hello "{PORT}"
fi
if have go; then
    cat > "$tmp/hello.go" <<'G'
package main

import ("crypto/tls"; "os")

func main() {
	c, err := tls.Dial("tcp", "127.0.0.1:"+os.Args[1], &tls.Config{ServerName: "localhost", InsecureSkipVerify: true})
	if err == nil { c.Close() }
}
G
    (cd "$tmp" && GOCACHE="$tmp/gocache" GOPATH="$tmp/gopath" GO111MODULE=off go build -o hello-go hello.go) && \
    python3 "$cap" --name "Go crypto/tls" --version "$(go version | awk '{print $3}' | sed 's/^go//')" \
        --source "captured: tls.Dial with a default tls.Config ($(pkgver golang-go))" \
        -- "$tmp/hello-go" "{PORT}"
fi
if have tstclnt; then
    python3 "$cap" --name "NSS tstclnt" --version "$(pkgver libnss3 | awk '{print $2}' | sed 's/^2://;s/-.*//')" \
        --source "captured: tstclnt -d (empty database) -h 127.0.0.1 -a localhost -p PORT -o ($(pkgver libnss3-tools), default policy)" \
        --min-rsa 1023 --min-dh 1023 \
        -- sh -c "mkdir -p '$tmp/nss' && certutil -N -d 'sql:$tmp/nss' --empty-password && sleep 5 | tstclnt -d 'sql:$tmp/nss' -h 127.0.0.1 -a localhost -p {PORT} -o"
fi
if have chromium; then
    python3 "$cap" --name "Chromium" --version "$(chromium --version 2>/dev/null | awk '{print $2}')" \
        --source "captured: chromium --headless https://test.example:PORT/ ($(pkgver chromium))" \
        --min-rsa 1024 --min-dh 1024 \
        -- chromium --headless --disable-gpu --no-sandbox --user-data-dir="$tmp/chromium" \
        --no-first-run --disable-background-networking --disable-component-update \
        --host-resolver-rules="MAP test.example 127.0.0.1" "https://test.example:{PORT}/"
fi
if have firefox-esr; then
    python3 "$cap" --name "Firefox ESR" --version "$(firefox-esr --version 2>/dev/null | awk '{print $3}')" \
        --source "captured: firefox-esr --headless --screenshot https://localhost:PORT/ ($(pkgver firefox-esr))" \
        --min-rsa 1023 --min-dh 1023 \
        -- env HOME="$tmp" firefox-esr --headless --no-remote --profile "$tmp" --screenshot "$tmp/ff.png" "https://localhost:{PORT}/"
fi
