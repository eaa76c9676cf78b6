#!/usr/bin/env python3
"""data/capture-hello.py - capture one client's ClientHello as a clients.tsv row.

    data/capture-hello.py --name NAME --version VER -- COMMAND ARGS...

Listens on 127.0.0.1 on an ephemeral port, runs COMMAND with every "{PORT}"
in its arguments replaced by that port, reads the first ClientHello that
arrives (at most 64 KiB, 20 s), closes the connection, stops the command
(by its PID) and prints one data/clients.tsv row on stdout: the versions
offered (supported_versions, else legacy_version), the cipher suites in
order (GREASE values dropped, RFC 8701), supported_groups, key_share
groups, signature_algorithms, and the extensions that matter to the
simulation. Nothing but 127.0.0.1 is contacted. Run by
data/capture-clients.sh, by hand, when a Debian client changes.

The bytes are parsed per RFC 8446 section 4.1.2 (ClientHello) and 4.2
(extensions); a malformed hello stops the capture with the offset.
"""

import argparse
import os
import signal
import socket
import struct
import subprocess
import sys
import time

EXT_SNI, EXT_STATUS, EXT_GROUPS, EXT_SIGALGS, EXT_ALPN = 0, 5, 10, 13, 16
EXT_ETM, EXT_EMS, EXT_TICKET, EXT_VERSIONS, EXT_KEY_SHARE = 22, 23, 35, 43, 51
EXT_RENEG = 0xFF01
WIRE_NAMES = {0x0300: "SSL3", 0x0301: "TLS1.0", 0x0302: "TLS1.1", 0x0303: "TLS1.2",
              0x0304: "TLS1.3"}


def grease(v):
    return (v & 0x0F0F) == 0x0A0A and (v >> 8) == (v & 0xFF)


class Reader:
    def __init__(self, data, base=0):
        self.d, self.i, self.base = data, 0, base

    def take(self, n):
        if self.i + n > len(self.d):
            raise ValueError("truncated at offset %d (need %d bytes)" % (self.base + self.i, n))
        b = self.d[self.i:self.i + n]
        self.i += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]

    def vec(self, width):
        n = int.from_bytes(self.take(width), "big")
        return Reader(self.take(n), self.base + self.i - n)

    def u16_list(self):
        out = []
        while self.i < len(self.d):
            out.append(self.u16())
        return out

    def done(self):
        return self.i == len(self.d)


def read_hello(conn):
    """The ClientHello's body, reassembled from handshake records."""
    buf, body, deadline = b"", b"", time.time() + 20
    need = None
    while need is None or len(body) < need:
        while len(buf) < 5 or len(buf) < 5 + struct.unpack(">H", buf[3:5])[0]:
            conn.settimeout(max(0.1, deadline - time.time()))
            chunk = conn.recv(65536)
            if not chunk:
                raise ValueError("the client closed before a whole ClientHello")
            buf += chunk
            if len(buf) > 65536:
                raise ValueError("over 64 KiB without a whole ClientHello")
        rtype, rlen = buf[0], struct.unpack(">H", buf[3:5])[0]
        if rtype != 22:
            raise ValueError("record type %d, not handshake" % rtype)
        body += buf[5:5 + rlen]
        buf = buf[5 + rlen:]
        if need is None and len(body) >= 4:
            if body[0] != 1:
                raise ValueError("handshake type %d, not ClientHello" % body[0])
            need = 4 + int.from_bytes(body[1:4], "big")
    return body[4:need]


def parse_hello(body):
    r = Reader(body, 4)
    out = {"legacy": r.u16(), "exts": []}
    r.take(32)
    r.vec(1)
    out["suites"] = [s for s in r.vec(2).u16_list() if not grease(s)]
    r.vec(1)
    exts = r.vec(2) if not r.done() else Reader(b"")
    seen = set()
    while not exts.done():
        etype = exts.u16()
        e = exts.vec(2)
        if etype in seen:
            raise ValueError("extension %d twice" % etype)
        seen.add(etype)
        if grease(etype):
            continue
        out["exts"].append(etype)
        if etype == EXT_GROUPS:
            out["groups"] = [g for g in e.vec(2).u16_list() if not grease(g)]
        elif etype == EXT_SIGALGS:
            out["sigalgs"] = e.vec(2).u16_list()
        elif etype == EXT_VERSIONS:
            out["versions"] = [v for v in e.vec(1).u16_list() if not grease(v)]
        elif etype == EXT_KEY_SHARE:
            shares, ks = e.vec(2), []
            while not shares.done():
                g = shares.u16()
                shares.vec(2)
                if not grease(g):
                    ks.append(g)
            out["key_shares"] = ks
        elif etype == EXT_ALPN:
            alpn, names = e.vec(2), []
            while not alpn.done():
                name = alpn.vec(1)
                names.append(name.take(len(name.d)).decode("ascii", "replace"))
            out["alpn"] = names
    if not r.done():
        raise ValueError("bytes after the extensions")
    return out


def versions_of(h):
    if "versions" in h:
        wires = sorted(v for v in h["versions"] if v in WIRE_NAMES)
    else:
        wires = [v for v in WIRE_NAMES if 0x0301 <= v <= h["legacy"]]
    return ",".join(WIRE_NAMES[v] for v in sorted(wires)) or "-"


def ext_words(h):
    words = []
    for etype, word in ((EXT_SNI, "sni"), (EXT_EMS, "ems"), (EXT_ETM, "etm"),
                        (EXT_RENEG, "reneg"), (EXT_STATUS, "status_request"),
                        (EXT_TICKET, "ticket"), (EXT_ALPN, "alpn")):
        if etype in h["exts"]:
            words.append(word)
    if 0x00FF in h["suites"] and "reneg" not in words:
        words.append("reneg")
    return ",".join(words) or "-"


def hexes(codes):
    return ",".join("0x%04x" % c for c in codes) or "-"


def row(args, h):
    note = args.note
    if "alpn" in h:
        note = (note + "; " if note else "") + "alpn " + " ".join(h["alpn"])
    return "\t".join([args.name, args.version, "captured", args.source, versions_of(h),
                      hexes(h["suites"]), hexes(h.get("groups", [])),
                      hexes(h.get("key_shares", [])), hexes(h.get("sigalgs", [])),
                      ext_words(h), args.min_dh, args.max_dh, args.min_rsa, note or "-"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--name", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--source", required=True, help="how it was captured (package version)")
    ap.add_argument("--min-dh", default="-")
    ap.add_argument("--max-dh", default="-")
    ap.add_argument("--min-rsa", default="-")
    ap.add_argument("--note", default="")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = [a for a in args.command if a != "--"]
    if not cmd:
        ap.error("no client command after --")
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(4)
    port = str(lsock.getsockname()[1])
    cmd = [a.replace("{PORT}", port) for a in cmd]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        lsock.settimeout(30)
        conn, _ = lsock.accept()
        with conn:
            hello = parse_hello(read_hello(conn))
    except (OSError, ValueError) as e:
        sys.exit("capture-hello: %s: %s" % (args.name, e))
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        proc.wait()
    print(row(args, hello))


if __name__ == "__main__":
    main()
