"""tests/scripted/mode_starttls.py - the SMTP STARTTLS dialogue of the
scripted server (legacy_server.py --starttls MODE), and its failure modes:
what no Debian mail server can be made to do on purpose.

The dialogue runs on the accepted socket before the TLS part; run() returns
True when the TLS part should follow (the client's ClientHello comes next),
False when the connection is done. Modes:

  ok              220 greeting, EHLO with STARTTLS and AUTH, STARTTLS, 220
  split           the same, every byte of every reply sent on its own
  no-starttls     the EHLO reply lacks STARTTLS (and offers AUTH PLAIN)
  refuse          STARTTLS answered 454 4.7.0 TLS not available
  endless         a multi-line greeting that never ends (a 220- line every
                  20 ms until the client goes)
  oversized       one EHLO line of 5000 bytes
  tls-early       the 220 go-ahead and TLS-looking bytes in one write
  late-first      as ok, but the first connection's greeting comes 4 s late
                  (a busy server: the client's one retry gets a prompt one)
  inject          CVE-2011-0411: the upgrade is real TLS (Python's ssl, with
                  --starttls-keypair), and whatever plaintext came after the
                  STARTTLS line in the same read is kept and answered inside
                  TLS as if the client had sent it there (Postfix < 2.8.4)
  purge           the same real TLS, but the plaintext after STARTTLS is
                  discarded (the fix): the negative control of inject
"""

import socket
import ssl
import time

MODES = ('ok', 'split', 'no-starttls', 'refuse', 'endless', 'oversized', 'tls-early',
         'late-first', 'inject', 'purge')
REAL_TLS = ('inject', 'purge')

EHLO_OK = (b'250-scripted.lab.test\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n'
           b'250-STARTTLS\r\n250 8BITMIME\r\n')
EHLO_NO_TLS = b'250-scripted.lab.test\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n'


class _Gone(Exception):
    pass


def _send(sock, data, split):
    if not split:
        sock.sendall(data)
        return
    for i in range(len(data)):
        sock.sendall(data[i:i + 1])
        time.sleep(0.001)


def _line(sock, buf, deadline):
    """Reads one LF-ended line (at most 4 KiB) into bytes; buf keeps the rest."""
    while b'\n' not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or len(buf) > 4096:
            raise _Gone()
        sock.settimeout(left)
        try:
            data = sock.recv(4096)
        except (socket.timeout, OSError):
            raise _Gone()
        if not data:
            raise _Gone()
        buf += data
    i = buf.index(b'\n')
    line = bytes(buf[:i]).rstrip(b'\r')
    del buf[:i + 1]
    return line


def _answer(line):
    verb = line.split(b' ', 1)[0].upper()
    if verb in (b'EHLO', b'HELO', b'LHLO'):
        return b'250-scripted.lab.test\r\n250 8BITMIME\r\n'
    if verb in (b'NOOP', b'RSET'):
        return b'250 2.0.0 Ok\r\n'
    if verb == b'QUIT':
        return b'221 2.0.0 Bye\r\n'
    return b'502 5.5.2 Error: command not recognized\r\n'


def _real_tls(sock, mode, kept, keypair, deadline):
    """The TLS part of inject and purge: a real handshake, then SMTP inside
    TLS; inject first answers the kept plaintext lines. False (the
    connection is done)."""
    cert, _, key = keypair.partition(',')
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if mode == 'purge':
        kept.clear()
    sock.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        tls = ctx.wrap_socket(sock, server_side=True)
    except (ssl.SSLError, OSError):
        return False
    try:
        while True:
            line = _line(tls, kept, deadline)
            tls.sendall(_answer(line))
            if line.upper().startswith(b'QUIT'):
                return False
    except (_Gone, ssl.SSLError, OSError):
        return False


def run(sock, mode, index=0, timeout=10.0, keypair=''):
    """Speaks the server's side of SMTP STARTTLS in mode on the index-th
    connection; True when the scripted TLS follows."""
    if mode == 'late-first' and index == 0:
        time.sleep(4)
    deadline = time.monotonic() + timeout
    split = mode == 'split'
    buf = bytearray()
    try:
        if mode == 'endless':
            while time.monotonic() < deadline:
                sock.sendall(b'220-scripted.lab.test still greeting you\r\n')
                time.sleep(0.02)
            return False
        _send(sock, b'220 scripted.lab.test ESMTP ready\r\n', split)
        while True:
            line = _line(sock, buf, deadline)
            verb = line.split(b' ', 1)[0].upper()
            if verb in (b'EHLO', b'HELO', b'LHLO'):
                if mode == 'no-starttls':
                    _send(sock, EHLO_NO_TLS, split)
                elif mode == 'oversized':
                    _send(sock, b'250-' + b'x' * 5000 + b'\r\n250 STARTTLS\r\n', split)
                else:
                    _send(sock, EHLO_OK, split)
            elif verb == b'STARTTLS':
                if mode == 'refuse':
                    _send(sock, b'454 4.7.0 TLS not available due to local problem\r\n', split)
                    continue
                if mode == 'tls-early':
                    sock.sendall(b'220 2.0.0 go ahead\r\n\x16\x03\x03\x00\x02\x02\x28')
                    return False
                _send(sock, b'220 2.0.0 Ready to start TLS\r\n', split)
                if mode in REAL_TLS:
                    return _real_tls(sock, mode, buf, keypair, deadline)
                return True
            elif verb == b'QUIT':
                _send(sock, b'221 2.0.0 Bye\r\n', split)
                return False
            else:
                _send(sock, b'502 5.5.2 Error: command not recognized\r\n', split)
    except (_Gone, OSError):
        return False
