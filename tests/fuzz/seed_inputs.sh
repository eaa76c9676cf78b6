#!/usr/bin/env bash
# tests/fuzz/seed_inputs.sh - writes the seed corpora of the fuzz targets
# for certificates, revocation answers, HTTP headers, policies and targets
# files (the handshake targets' seeds come from seed_corpus.py):
#
#   corpus/x509/        DER certificates: the scripted server's RSA, ECDSA
#                       and DSA ones, a CA and a leaf made here with every
#                       extension tlsaudit reads, one cut short
#   corpus/revocation/  byte 0 = mode (bit 0: CRL, bit 1: nonce expected),
#                       4 bytes "now", issuer DER and leaf DER (2-byte
#                       lengths), [nonce], then the answer: OCSP good,
#                       revoked, unknown and with a nonce, CRLs in DER and
#                       PEM, all signed by a CA made here (openssl)
#   corpus/http/        byte 0 even: an HSTS value; odd: 2 bytes of status,
#                       then a Location value
#   corpus/policy/      policy files: the good fixtures and a few bad ones
#   corpus/targets/     targets files
#
# Run it from anywhere; it rewrites those five directories (keeping any
# crash-* input found by the fuzzer). Needs openssl and python3. The keys
# and dates differ on each run, so only re-run it to change the seeds.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/tests/fuzz/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in x509 revocation http policy targets; do
	mkdir -p "$out/$d"
	find "$out/$d" -type f ! -name 'crash-*' -delete
done

# --- a small PKI: EC keys keep the seeds small ---------------------------
cd "$tmp"
cat >ca.cnf <<'EOF'
[ ca ]
default_ca = ca_sect
[ ca_sect ]
database = index.txt
new_certs_dir = .
certificate = ca.crt
private_key = ca.key
serial = serial
crlnumber = crlnumber
default_md = sha256
default_days = 3650
default_crl_days = 3650
policy = pol_any
unique_subject = no
[ pol_any ]
commonName = supplied
[ req ]
distinguished_name = req_dn
[ req_dn ]
[ ext_ca ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ ext_leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:fuzz.lab.test,DNS:*.fuzz.lab.test,IP:127.0.0.1,IP:::1,email:a@fuzz.lab.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://127.0.0.1:1/,caIssuers;URI:http://127.0.0.1:1/ca.der
crlDistributionPoints = URI:http://127.0.0.1:1/ca.crl
tlsfeature = status_request
EOF
: >index.txt
echo 1000 >serial
echo 01 >crlnumber
{
	openssl ecparam -name prime256v1 -genkey -noout -out ca.key
	openssl ecparam -name prime256v1 -genkey -noout -out leaf.key
	openssl req -config ca.cnf -new -x509 -key ca.key -days 3650 -subj "/CN=tlsaudit fuzz CA" \
		-extensions ext_ca -out ca.crt
	for n in good revoked; do
		openssl req -config ca.cnf -new -key leaf.key -subj "/CN=$n.fuzz.lab.test" -out "$n.csr"
		openssl ca -batch -config ca.cnf -extensions ext_leaf -notext -in "$n.csr" -out "$n.crt"
	done
	openssl req -config ca.cnf -new -key leaf.key -subj "/CN=stranger.fuzz.lab.test" \
		-out stranger.csr
	openssl x509 -req -in stranger.csr -CA ca.crt -CAkey ca.key -set_serial 77 -days 30 \
		-out stranger.crt
	openssl ca -config ca.cnf -revoke revoked.crt -crl_reason keyCompromise
	openssl ca -batch -config ca.cnf -gencrl -out ca.crl.pem
	openssl crl -in ca.crl.pem -outform DER -out ca.crl
	for n in ca good revoked stranger; do
		openssl x509 -in "$n.crt" -outform DER -out "$n.der"
	done
	for n in good revoked stranger; do
		openssl ocsp -issuer ca.crt -cert "$n.crt" -no_nonce -reqout "$n.req"
		openssl ocsp -index index.txt -CA ca.crt -rsigner ca.crt -rkey ca.key -ndays 3650 \
			-reqin "$n.req" -respout "$n.ocsp"
	done
	openssl ocsp -issuer ca.crt -cert good.crt -nonce -reqout nonce.req
	openssl ocsp -index index.txt -CA ca.crt -rsigner ca.crt -rkey ca.key -ndays 3650 \
		-reqin nonce.req -respout nonce.ocsp
} >openssl.log 2>&1 || {
	cat openssl.log >&2
	exit 1
}

# --- x509 ------------------------------------------------------------------
for k in rsa ecdsa dsa; do
	openssl x509 -in "$top/tests/scripted/certs/$k.pem" -outform DER -out "$out/x509/scripted-$k.der"
done
cp ca.der "$out/x509/fuzz-ca.der"
cp good.der "$out/x509/fuzz-leaf-all-extensions.der"
head -c 200 good.der >"$out/x509/fuzz-leaf-cut200.der"

# --- revocation, http, policy, targets ---------------------------------------
python3 - "$out" "$top" <<'PY'
import os, struct, sys, time
out, top = sys.argv[1], sys.argv[2]
now = int(time.time()) + 86400
def rd(n):
    with open(n, "rb") as f:
        return f.read()
def put(d, name, data):
    with open(os.path.join(out, d, name), "wb") as f:
        f.write(data)
ca = rd("ca.der")
def revoc(mode, leaf, answer, nonce=None):
    b = bytes([mode]) + struct.pack(">I", now)
    b += struct.pack(">H", len(ca)) + ca + struct.pack(">H", len(leaf)) + leaf
    if nonce is not None:
        b += bytes([len(nonce)]) + nonce
    return b + answer
good, revoked, stranger = rd("good.der"), rd("revoked.der"), rd("stranger.der")
put("revocation", "ocsp-good", revoc(0, good, rd("good.ocsp")))
put("revocation", "ocsp-revoked", revoc(0, revoked, rd("revoked.ocsp")))
put("revocation", "ocsp-unknown", revoc(0, stranger, rd("stranger.ocsp")))
put("revocation", "ocsp-wrong-cert", revoc(0, good, rd("revoked.ocsp")))
# the nonce as the response carries it: after id-pkix-ocsp-nonce, the
# extension's OCTET STRING holding an OCTET STRING (openssl: 16 bytes); one
# seed with the inner bytes, one with the inner TLV, so both the match and
# the mismatch are seeded whichever layer GnuTLS hands back
resp = rd("nonce.ocsp")
at = resp.index(bytes.fromhex("06092b0601050507300102")) + 11
inner = resp[at + 2:at + 2 + resp[at + 1]]
put("revocation", "ocsp-nonce", revoc(2, good, resp, inner[2:]))
put("revocation", "ocsp-nonce-tlv", revoc(2, good, resp, inner))
put("revocation", "ocsp-nonce-other", revoc(2, good, resp, b"\x00" * 16))
put("revocation", "crl-good-der", revoc(1, good, rd("ca.crl")))
put("revocation", "crl-revoked-der", revoc(1, revoked, rd("ca.crl")))
put("revocation", "crl-revoked-pem", revoc(1, revoked, rd("ca.crl.pem")))
put("revocation", "ocsp-garbage", revoc(0, good, b"<html>not found</html>"))

hsts = {
    "full": "max-age=31536000; includeSubDomains; preload",
    "quoted": '  MAX-AGE="600" ;includesubdomains',
    "unknown-directive": 'max-age=10; unknown="x;y"; other',
    "twice": "max-age=10; max-age=20",
    "no-max-age": "includeSubDomains",
    "control": "max-age=5\x01; preload",
}
for k, v in hsts.items():
    put("http", "hsts-" + k, b"\x00" + v.encode())
loc = {
    "https": (301, "https://fuzz.lab.test/"),
    "http": (302, "http://fuzz.lab.test/"),
    "upper": (308, "HTTPS://FUZZ.LAB.TEST/a?b#c"),
    "not-3xx": (200, "https://fuzz.lab.test/"),
    "control": (301, "https://x/\r\nSet-Cookie: a=b"),
}
for k, (st, v) in loc.items():
    put("http", "location-" + k, b"\x01" + struct.pack(">H", st) + v.encode())
put("http", "location-none", b"\x03" + struct.pack(">H", 301))

pol = os.path.join(top, "tests", "data", "policy")
for d, names in (("good", sorted(os.listdir(os.path.join(pol, "good")))),
                 ("bad", ["alias-bomb.yaml", "deep-nesting.yaml", "nul-byte.yaml",
                          "two-documents.yaml", "waiver-bad-date.yaml", "cycle-self.yaml"])):
    for n in names:
        if n.endswith(".yaml"):
            put("policy", d + "-" + n, rd(os.path.join(pol, d, n)))
put("policy", "shipped-mozilla-modern.yaml",
    rd(os.path.join(top, "policies", "mozilla-modern.yaml")))
put("policy", "anchors.yaml", b"id: a\ntitle: t\nversion: '1'\nx: &v [TLS1.0]\n"
    b"rules:\n  - {id: r, title: t, ref: x, severity: high, protocols_forbidden: *v}\n")

put("targets", "lab", b"# lab\n\n  127.0.0.1:4433   sni=good.lab.test  # the good one\r\n"
    b"[::1]:8443 tags=pan,prod-eu\nexample.com\t sni=www.example.com\nlast.example:1")
put("targets", "errors", b"a.example\nb.example:70000\n")
put("targets", "nul", b"a.example\nb.exa\x00mple\n")
put("targets", "utf8-comment", "# B\u00fcro\nhost.example # Z\u00fcrich\n".encode())
put("targets", "ipv6", b"::1\n[2001:db8::1]:443 sni=x.example tags=a\n2001:db8::2\n")
PY
echo "seeds written to $out/{x509,revocation,http,policy,targets}"
