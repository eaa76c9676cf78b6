#!/usr/bin/env python3
"""data/gen-dh-primes.py - the list of well-known Diffie-Hellman primes.

Writes data/dh-primes.tsv (name, bits, SHA-256 of the prime's big-endian
bytes, source), which the build turns into scanner/probes/dh_primes_table.c
(data/gen-dh-primes.awk) for Logjam's well-known-prime check. Run by hand
when the list changes; the TSV is committed and reviewed in diffs.

Every prime comes from an authoritative source, never typed from memory:
  - RFC 2409 §6.1 / §6.2 (Oakley groups 1 and 2, the same values as RFC 7296
    Appendix B): the hex of the RFC text below, checked here against the
    RFC's own formula 2^n - 2^(n-64) - 1 + 2^64 * ([2^(n-130) pi] + c), with
    pi computed exactly by Machin's formula;
  - RFC 3526 groups 5, 14-18 and RFC 7919 ffdhe2048-8192 and RFC 5114 §2.1-2.3:
    OpenSSL's built-in named groups (`openssl genpkey -genparam -pkeyopt
    group:NAME`: modp_*, ffdhe*, dh_1024_160, dh_2048_224, dh_2048_256), the
    RFC 3526 groups 5 and 14 also checked against RFC 3526's formula.

    data/gen-dh-primes.py                 # rewrite data/dh-primes.tsv
    data/gen-dh-primes.py --pem NAME      # the prime as PEM DH PARAMETERS (g from
                                          # the source), for test servers
"""
import base64
import hashlib
import os
import subprocess
import sys

# RFC 2409 §6.1, "First Oakley Default Group" (768-bit MODP), generator 2.
RFC2409_1 = """
FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1
29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD
EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245
E485B576 625E7EC6 F44C42E9 A63A3620 FFFFFFFF FFFFFFFF
"""
# RFC 2409 §6.2, "Second Oakley Group" (1024-bit MODP), generator 2.
RFC2409_2 = """
FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1
29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD
EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245
E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED
EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE65381
FFFFFFFF FFFFFFFF
"""

# name, source (what the evidence says), how: ("hex", text, (n, c)) or
# ("openssl", algorithm, group, (n, c) or None); (n, c) is the RFC formula.
PRIMES = [
    ("rfc2409-oakley1", "RFC 2409 Oakley group 1 (768-bit MODP)", ("hex", RFC2409_1, (768, 149686))),
    # The most common 1024-bit prime (the Logjam paper; Apache 2.4 mod_ssl's
    # built-in 1024-bit parameters are this group).
    ("rfc2409-oakley2", "RFC 2409 Oakley group 2 (1024-bit MODP)", ("hex", RFC2409_2, (1024, 129093))),
    ("rfc5114-1024-160", "RFC 5114 section 2.1 (1024-bit MODP with 160-bit subgroup)",
     ("openssl", "DHX", "dh_1024_160", None)),
    ("rfc3526-group5", "RFC 3526 group 5 (1536-bit MODP)", ("openssl", "DH", "modp_1536", (1536, 741804))),
    ("rfc3526-group14", "RFC 3526 group 14 (2048-bit MODP)", ("openssl", "DH", "modp_2048", (2048, 124476))),
    ("rfc3526-group15", "RFC 3526 group 15 (3072-bit MODP)", ("openssl", "DH", "modp_3072", None)),
    ("rfc3526-group16", "RFC 3526 group 16 (4096-bit MODP)", ("openssl", "DH", "modp_4096", None)),
    ("rfc3526-group17", "RFC 3526 group 17 (6144-bit MODP)", ("openssl", "DH", "modp_6144", None)),
    ("rfc3526-group18", "RFC 3526 group 18 (8192-bit MODP)", ("openssl", "DH", "modp_8192", None)),
    ("rfc5114-2048-224", "RFC 5114 section 2.2 (2048-bit MODP with 224-bit subgroup)",
     ("openssl", "DHX", "dh_2048_224", None)),
    ("rfc5114-2048-256", "RFC 5114 section 2.3 (2048-bit MODP with 256-bit subgroup)",
     ("openssl", "DHX", "dh_2048_256", None)),
    ("ffdhe2048", "RFC 7919 ffdhe2048", ("openssl", "DH", "ffdhe2048", None)),
    ("ffdhe3072", "RFC 7919 ffdhe3072", ("openssl", "DH", "ffdhe3072", None)),
    ("ffdhe4096", "RFC 7919 ffdhe4096", ("openssl", "DH", "ffdhe4096", None)),
    ("ffdhe6144", "RFC 7919 ffdhe6144", ("openssl", "DH", "ffdhe6144", None)),
    ("ffdhe8192", "RFC 7919 ffdhe8192", ("openssl", "DH", "ffdhe8192", None)),
]


def pi_floor(bits):
    """floor(pi * 2^bits), exactly (Machin: pi = 16 atan(1/5) - 4 atan(1/239))."""
    guard = 64
    one = 1 << (bits + guard)

    def atan_inv(x):
        total = term = one // x
        x2, n, sign = x * x, 1, -1
        while term:
            term //= x2
            n += 2
            total += sign * (term // n)
            sign = -sign
        return total

    return (16 * atan_inv(5) - 4 * atan_inv(239)) >> guard


def rfc_formula(n, c):
    """The MODP primes of RFC 2409 / 3526: 2^n - 2^(n-64) - 1 + 2^64 * ([2^(n-130) pi] + c)."""
    return (1 << n) - (1 << (n - 64)) - 1 + (1 << 64) * (pi_floor(n - 130) + c)


def der_len(data, i):
    b = data[i]
    if b < 0x80:
        return b, i + 1
    k = b & 0x7F
    return int.from_bytes(data[i + 1:i + 1 + k], "big"), i + 1 + k


def der_integers(der):
    """The INTEGERs directly inside the outer SEQUENCE of DH parameters."""
    assert der[0] == 0x30, "not a SEQUENCE"
    end, i = der_len(der, 1)
    end += i
    out = []
    while i < end:
        tag = der[i]
        n, j = der_len(der, i + 1)
        if tag == 0x02:
            out.append(int.from_bytes(der[j:j + n], "big"))
        i = j + n
    return out


def openssl_params(alg, group):
    out = subprocess.run(["openssl", "genpkey", "-genparam", "-algorithm", alg, "-pkeyopt",
                          "group:" + group], check=True, capture_output=True, text=True).stdout
    lines = out.strip().splitlines()
    assert lines[0].startswith("-----BEGIN ") and "DH PARAMETERS" in lines[0], lines[0]
    der = base64.b64decode("".join(l for l in lines if not l.startswith("-----")))
    ints = der_integers(der)
    return ints[0], ints[1]  # p, g (PKCS #3 and X9.42 both start with p, g)


def prime_of(how):
    if how[0] == "hex":
        p, g = int("".join(how[1].split()), 16), 2
        formula = how[2]
    else:
        p, g = openssl_params(how[1], how[2])
        formula = how[3]
    if formula is not None and rfc_formula(*formula) != p:
        sys.exit("gen-dh-primes: %r does not match its RFC's formula" % (how[:3],))
    return p, g


def be_bytes(p):
    return p.to_bytes((p.bit_length() + 7) // 8, "big")


def der_int(v):
    b = be_bytes(v)
    if b[0] & 0x80:
        b = b"\0" + b
    return b"\x02" + der_length(len(b)) + b


def der_length(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def pem(p, g):
    body = der_int(p) + der_int(g)
    der = b"\x30" + der_length(len(body)) + body
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN DH PARAMETERS-----\n" + "\n".join(lines) + "\n-----END DH PARAMETERS-----\n"


def main(argv):
    if len(argv) == 3 and argv[1] == "--pem":
        for name, _, how in PRIMES:
            if name == argv[2]:
                sys.stdout.write(pem(*prime_of(how)))
                return 0
        sys.exit("gen-dh-primes: unknown prime " + argv[2])
    if len(argv) != 1:
        sys.exit(__doc__)
    rows = ["# data/dh-primes.tsv - well-known DH primes, by SHA-256 of p's big-endian bytes.",
            "# Generated by data/gen-dh-primes.py (sources there); do not edit.",
            "# name\tbits\tsha256\tsource"]
    for name, source, how in PRIMES:
        p, _ = prime_of(how)
        rows.append("%s\t%d\t%s\t%s" % (name, p.bit_length(), hashlib.sha256(be_bytes(p)).hexdigest(),
                                        source))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dh-primes.tsv")
    with open(out, "w") as f:
        f.write("\n".join(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
