#!/usr/bin/env python3
"""tests/integration/sim_proxy.py - what a real client negotiated, read off the wire.

    sim_proxy.py SERVER_PORT -- CLIENT ARGS...

Listens on 127.0.0.1 (ephemeral port), runs CLIENT with "{PORT}" replaced by
that port, relays the first connection to 127.0.0.1:SERVER_PORT byte for byte
and reads the server's records as they pass: the first ServerHello that is
not a HelloRetryRequest (RFC 8446 section 4.1.3, 4.1.4) gives the version
(supported_versions, else legacy_version) and the suite. Prints one line:

    TLS1.3 0x1302 hrr=0          a ServerHello was sent
    none alert=40                the server answered with an alert
    none closed                  no ServerHello

and the client's exit status on a second line ("client=N"). The relay ends 1.5 s
after the ServerHello; the client is stopped by its PID after 20 s. Only 127.0.0.1 is contacted.
"""

import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")
NAMES = {0x0300: "SSL3", 0x0301: "TLS1.0", 0x0302: "TLS1.1", 0x0303: "TLS1.2", 0x0304: "TLS1.3"}


class Watch:
    """Reads the server-to-client records until a ServerHello or an alert."""

    def __init__(self):
        self.buf = b""
        self.hs = b""
        self.result = None
        self.hrr = False

    def feed(self, data):
        if self.result is not None:
            return
        self.buf += data
        while len(self.buf) >= 5 and self.result is None:
            rtype, rlen = self.buf[0], struct.unpack(">H", self.buf[3:5])[0]
            if len(self.buf) < 5 + rlen:
                return
            body, self.buf = self.buf[5:5 + rlen], self.buf[5 + rlen:]
            if rtype == 21 and len(body) >= 2:
                self.result = "none alert=%d" % body[1]
            elif rtype == 22:
                self.hs += body
                self.handshake()
            elif rtype == 23:
                self.result = "none encrypted-before-hello"

    def handshake(self):
        while len(self.hs) >= 4 and self.result is None:
            mlen = int.from_bytes(self.hs[1:4], "big")
            if len(self.hs) < 4 + mlen:
                return
            mtype, msg, self.hs = self.hs[0], self.hs[4:4 + mlen], self.hs[4 + mlen:]
            if mtype != 2:
                continue
            self.server_hello(msg)

    def server_hello(self, m):
        legacy = struct.unpack(">H", m[0:2])[0]
        rnd = m[2:34]
        sid_len = m[34]
        i = 35 + sid_len
        suite = struct.unpack(">H", m[i:i + 2])[0]
        i += 3
        version = legacy
        if i + 2 <= len(m):
            end = i + 2 + struct.unpack(">H", m[i:i + 2])[0]
            i += 2
            while i + 4 <= end:
                etype, elen = struct.unpack(">HH", m[i:i + 4])
                if etype == 43 and elen == 2:
                    version = struct.unpack(">H", m[i + 4:i + 6])[0]
                i += 4 + elen
        if rnd == HRR_RANDOM:
            self.hrr = True
            return
        self.result = "%s 0x%04X hrr=%d" % (NAMES.get(version, "0x%04X" % version), suite,
                                            int(self.hrr))


def relay(client, server, watch, deadline):
    socks = [client, server]
    seen = None
    while time.time() < deadline:
        if watch.result is not None:
            seen = seen or time.time()
            if time.time() - seen > 1.5:
                return
        ready, _, _ = select.select(socks, [], [], 0.2)
        for s in ready:
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                return
            other = server if s is client else client
            if s is server:
                watch.feed(data)
            try:
                other.sendall(data)
            except OSError:
                return


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: sim_proxy.py SERVER_PORT -- CLIENT ARGS...")
    server_port = int(sys.argv[1])
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(8)
    port = str(lsock.getsockname()[1])
    cmd = [a.replace("{PORT}", port) for a in sys.argv[3:]]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    proc.stdin.close()
    deadline = time.time() + 20
    watch = Watch()
    try:
        lsock.settimeout(20)
        client, _ = lsock.accept()
        server = socket.create_connection(("127.0.0.1", server_port), timeout=5)
        relay(client, server, watch, deadline)
        client.close()
        server.close()
    except OSError as e:
        watch.result = watch.result or "none proxy-error:%s" % type(e).__name__
    try:
        rc = proc.wait(timeout=max(0.1, deadline - time.time()))
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        rc = proc.wait()
    print(watch.result or "none closed")
    print("client=%d" % rc)


if __name__ == "__main__":
    main()
