#!/usr/bin/env python3
"""Put NUL bytes into a certificate's names and sign it again.

usage: nul_resign.py IN.der OUT.der SIGNING_KEY.pem MARKER

Every occurrence of the ASCII MARKER inside the TBSCertificate of IN.der is
replaced by as many NUL bytes (same length, so no DER length changes), and
the TBSCertificate is signed again with SIGNING_KEY (openssl dgst -sha256
-sign: RSA PKCS#1 v1.5 with SHA-256, the algorithm IN.der must already
name). Used by tests/lab/lab.sh for the `hostile` server: no certificate
tool writes a NUL into a name, but a server can send one.
Only the standard library and the openssl command are used.
"""
import subprocess
import sys


def der_len(buf, pos):
    """Length of the DER element whose length octets start at pos: (len, header end)."""
    first = buf[pos]
    if first < 0x80:
        return first, pos + 1
    n = first & 0x7F
    return int.from_bytes(buf[pos + 1:pos + 1 + n], "big"), pos + 1 + n


def der_elem(buf, pos):
    """(start, end) of the DER element starting at pos."""
    length, body = der_len(buf, pos + 1)
    return pos, body + length


def der_header(tag, length):
    if length < 0x80:
        return bytes([tag, length])
    n = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | n]) + length.to_bytes(n, "big")


def main():
    src, dst, key, marker = sys.argv[1:5]
    cert = open(src, "rb").read()
    if cert[0] != 0x30:
        sys.exit("not a DER certificate")
    _, body = der_len(cert, 1)
    tbs_s, tbs_e = der_elem(cert, body)
    alg_s, alg_e = der_elem(cert, tbs_e)
    tbs = cert[tbs_s:tbs_e]
    m = marker.encode()
    if m not in tbs:
        sys.exit(f"marker {marker!r} not in the TBSCertificate")
    tbs = tbs.replace(m, b"\0" * len(m))
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=tbs,
                         stdout=subprocess.PIPE, check=True).stdout
    bitstring = der_header(0x03, len(sig) + 1) + b"\0" + sig
    inner = tbs + cert[alg_s:alg_e] + bitstring
    open(dst, "wb").write(der_header(0x30, len(inner)) + inner)


if __name__ == "__main__":
    main()
