#!/usr/bin/env python3
# tests/fuzz/seed_corpus.py - writes the seed corpora of the fuzz targets
# from the captured flights in tests/data/hello/ (see capture.sh):
#
#   corpus/record/  byte 0 = read-size / cap mode, then server bytes
#   corpus/flight/  byte 0 = offer (0 TLS 1.2, 1 TLS 1.2 hello only, 2 TLS 1.3,
#                   3 SSLv3, 4 SSLv2, 5 TLS 1.0 + SCSV), byte 1 = read sizes,
#                   then server bytes
#
# Each capture goes in whole, truncated at a few offsets, re-framed into
# small records, and with a few deterministic byte flips; some synthetic
# SSLv2 answers are added. Deterministic: re-running gives the same files.
import os
import random
import struct
import sys

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
data = os.path.join(top, "tests", "data", "hello")
out = os.path.join(top, "tests", "fuzz", "corpus")


def offer_of(name):
    if "tls13" in name:
        return 2
    if "ssl2" in name:
        return 4
    if "alert-version" in name:
        return 5
    return 0


def reframe(buf, frag):
    hs = b""
    pos = 0
    while pos + 5 <= len(buf) and buf[pos] == 22:
        n = struct.unpack(">H", buf[pos + 3:pos + 5])[0]
        hs += buf[pos + 5:pos + 5 + n]
        pos += 5 + n
    rest = buf[pos:]
    recs = b"".join(b"\x16\x03\x03" + struct.pack(">H", len(hs[i:i + frag])) + hs[i:i + frag]
                    for i in range(0, len(hs), frag))
    return recs + rest


def ssl2_hello(kinds, cid):
    cert = bytes.fromhex("3003020105")
    body = bytes([4, 0, 1]) + struct.pack(">HHHH", 2, len(cert), 3 * len(kinds), cid) + cert
    body += b"".join(struct.pack(">I", k)[1:] for k in kinds) + bytes(range(cid))
    return struct.pack(">H", 0x8000 | len(body)) + body


def main():
    rng = random.Random(1)
    flights = {}
    for f in sorted(os.listdir(data)):
        if f.endswith(".bin"):
            with open(os.path.join(data, f), "rb") as fp:
                flights[f[:-4]] = fp.read()
    flights["synthetic-ssl2-hello"] = ssl2_hello([0x010080, 0x0700C0, 0x020080], 16)
    flights["synthetic-ssl2-error"] = b"\x80\x03\x00\x00\x01"
    for target in ("record", "flight"):
        os.makedirs(os.path.join(out, target), exist_ok=True)
    n = 0

    def put(target, name, blob):
        nonlocal n
        with open(os.path.join(out, target, name), "wb") as fp:
            fp.write(blob)
        n += 1

    for name, buf in flights.items():
        offer = offer_of(name)
        variants = {"whole": buf}
        for cut in sorted({len(buf) // 3, len(buf) // 2, len(buf) - 1}):
            variants["cut%d" % cut] = buf[:cut]
        if buf[:1] == b"\x16":
            variants["frag7"] = reframe(buf, 7)
            variants["frag300"] = reframe(buf, 300)
        for i in range(3):
            b = bytearray(buf)
            for _ in range(1 + i):
                pos = rng.randrange(len(b))
                b[pos] ^= 1 << rng.randrange(8)
            variants["flip%d" % i] = bytes(b)
        for vname, blob in variants.items():
            put("flight", "%s-%s" % (name, vname), bytes([offer, len(blob) % 97]) + blob)
            put("record", "%s-%s" % (name, vname), bytes([(len(blob) * 4) % 256]) + blob)
        if offer == 0:
            put("flight", "%s-hello-only" % name, bytes([1, 3]) + buf)
    print("seed_corpus: %d files" % n, file=sys.stderr)


main()
