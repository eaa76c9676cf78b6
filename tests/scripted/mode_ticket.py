"""mode_ticket.py - the Ticketbleed mode of legacy_server.py (CVE-2016-9244,
F5 BIG-IP): `--ticketbleed-backend PORT`.

A Ticketbleed check needs a real session ticket first (the bug is in
resumption), and the scripted server does no cryptography. So in this mode
it sits in front of a real TLS server on 127.0.0.1:PORT (openssl s_server):
every connection is forwarded byte for byte to it, and full handshakes
(the ones that obtain the ticket) complete there. Only a ClientHello that
carries a non-empty session_ticket extension (RFC 5077 §3.2) together with
a session id shorter than 32 bytes is answered here, the way the F5 bug
answered it: a TLS 1.2 ServerHello whose session id is 32 bytes, the
client's bytes followed by filler standing in for the server memory the
bug leaked. Then the client is expected to give up (it has what it
asked for).

Python 3 standard library only; called from legacy_server.Server.run_one.
"""

import select
import socket
import struct
import time

FILLER = 0xA5          # the "memory" after the client's session id bytes
MAX_HELLO = 1 << 17    # the largest ClientHello read before deciding


def _hello_in(raw):
    """The ClientHello body once raw (the client's first bytes) holds all of
    it in complete handshake records; b'' when raw is not that; None: more
    bytes are needed."""
    hs = bytearray()
    off = 0
    while off + 5 <= len(raw):
        ln = struct.unpack('!H', raw[off + 3:off + 5])[0]
        if raw[off] != 22:
            return b''
        if off + 5 + ln > len(raw):
            break
        hs += raw[off + 5:off + 5 + ln]
        off += 5 + ln
    if len(hs) >= 4:
        if hs[0] != 1:
            return b''
        mlen = int.from_bytes(hs[1:4], 'big')
        if len(hs) >= 4 + mlen:
            return bytes(hs[4:4 + mlen])
    return None


def _read_hello(sock, deadline):
    """(raw, body): the client's first bytes up to the end of its ClientHello
    and the ClientHello body; body None when they are not a TLS ClientHello
    (then they are only forwarded)."""
    raw = bytearray()
    while len(raw) <= MAX_HELLO:
        body = _hello_in(raw)
        if body is not None:
            return bytes(raw), body or None
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except (OSError, socket.timeout):
            break
        if not data:
            break
        raw += data
    return bytes(raw), None


def _ticket_and_id(body):
    """(session_id, ticket, first offered TLS 1.2 suite) of a ClientHello body,
    or None when it does not parse."""
    try:
        p = 2 + 32
        sid_len = body[p]
        sid = body[p + 1:p + 1 + sid_len]
        p += 1 + sid_len
        cs_len = struct.unpack('!H', body[p:p + 2])[0]
        suites = [struct.unpack('!H', body[i:i + 2])[0] for i in range(p + 2, p + 2 + cs_len, 2)]
        p += 2 + cs_len
        p += 1 + body[p]
        ticket = b''
        if p + 2 <= len(body):
            end = p + 2 + struct.unpack('!H', body[p:p + 2])[0]
            p += 2
            while p + 4 <= end:
                t, ln = struct.unpack('!HH', body[p:p + 4])
                if t == 35:
                    ticket = body[p + 4:p + 4 + ln]
                p += 4 + ln
        real = [s for s in suites if s not in (0x00FF, 0x5600) and s >> 8 != 0x13]
        return sid, ticket, (real[0] if real else 0x002F)
    except (IndexError, struct.error):
        return None


def _server_hello(sid, suite):
    """A TLS 1.2 ServerHello record echoing sid padded to 32 bytes."""
    echo = sid + bytes([FILLER]) * (32 - len(sid))
    body = struct.pack('!H', 0x0303) + bytes(range(32)) + bytes([32]) + echo + \
        struct.pack('!HB', suite, 0)
    msg = bytes([2]) + len(body).to_bytes(3, 'big') + body
    return struct.pack('!BHH', 22, 0x0303, len(msg)) + msg


def _pump(a, b, timeout):
    """Forwards bytes both ways until one side closes or timeout seconds pass
    without traffic."""
    socks = [a, b]
    while True:
        r, _, _ = select.select(socks, [], [], timeout)
        if not r:
            return 'idle'
        for s in r:
            try:
                data = s.recv(65536)
            except OSError:
                return 'reset'
            if not data:
                return 'closed'
            other = b if s is a else a
            try:
                other.sendall(data)
            except OSError:
                return 'reset'


def handle(conn, backend_port):
    """Answers one connection of legacy_server's Conn in the Ticketbleed mode;
    returns its one-line summary."""
    timeout = conn.cfg.timeout
    raw, body = _read_hello(conn.sock, time.monotonic() + timeout)
    parsed = _ticket_and_id(body) if body is not None else None
    if parsed is not None:
        sid, ticket, suite = parsed
        if ticket and 0 < len(sid) < 32:
            conn.sock.sendall(_server_hello(sid, suite))
            conn.sock.settimeout(timeout)
            try:
                conn.sock.recv(1)        # the client gives up: wait for its close
            except (OSError, socket.timeout):
                pass
            return 'ticket with a %d-byte session id -> ServerHello echoing 32 bytes' % len(sid)
    try:
        back = socket.create_connection(('127.0.0.1', backend_port), timeout=timeout)
    except OSError as e:
        return 'backend: %s' % e
    try:
        back.sendall(raw)
        conn.sock.settimeout(None)
        back.settimeout(None)
        return 'forwarded (%s)' % _pump(conn.sock, back, timeout)
    except OSError as e:
        return 'forwarded (%s)' % e
    finally:
        back.close()
