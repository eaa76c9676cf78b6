#!/usr/bin/env python3
"""probe.py - a tiny hand-built-ClientHello client for legacy_server.py's
selftest (and for poking at any server on the loopback).

Sends one ClientHello (TLS, SSLv2, or TLS in the SSLv2-compatible format),
reads the server's first flight and prints a one-line summary, e.g.

    SH ver=0x0300 suite=0x0004 msgs=2,11,14
    SH ver=0x0303 suite=0xC02F ext=ff01,0017 msgs=2,11,12,14 ske=ecdhe:0x0017 sigalg=0x0804
    SH ver=0x0304 suite=0x1301 group=0x001D
    HRR suite=0x1301 group=0x0017
    ALERT 40
    SSL2 ver=0x0002 kinds=0x010080,0x020080 cert=1
    SSL2-ERROR 1
    EOF after 0 bytes / RESET after 12 bytes / TIMEOUT after 0 bytes
    OVERSIZE claim=16777215

`probe.py msg` summarises `openssl s_client -msg` output read from stdin the
same way. Standard library only; refuses non-loopback hosts.
"""

import argparse
import collections
import ipaddress
import os
import socket
import struct
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import legacy_server as ls  # noqa: E402

REG = None

CLIENT_EXT = {'renegotiation_info': (0xFF01, b'\x00'), 'extended_master_secret': (23, b''),
              'encrypt_then_mac': (22, b''), 'status_request': (5, b'\x01\x00\x00\x00\x00'),
              'session_ticket': (35, b''), 'heartbeat': (15, b'\x01'),
              'ec_point_formats': (11, b'\x01\x00')}
CAP = 1 << 18      # bytes we are willing to buffer from a server


def registry():
    global REG
    if REG is None:
        base = os.path.join(ls.TOP, 'data')
        REG = ls.Registry(os.path.join(base, 'cipher-suites.tsv'),
                          os.path.join(base, 'groups.tsv'), os.path.join(base, 'sigschemes.tsv'))
    return REG


# --- building hellos ------------------------------------------------------------------

def tls_hello(o, key_share_groups=None, session_id=None):
    reg = registry()
    suites = ls.parse_suites(o.suites, reg)
    version = ls.norm_version(o.version)
    exts = []
    if o.sni:
        name = o.sni.encode()
        exts.append((0, ls.v16(b'\x00' + ls.v16(name))))
    if o.groups:
        groups = ls.parse_groups(o.groups, reg)
        exts.append((10, ls.v16(b''.join(ls.u16(g) for g in groups))))
        exts.append(CLIENT_EXT['ec_point_formats'])
    if o.sigalgs:
        exts.append((13, ls.v16(b''.join(ls.u16(s) for s in ls.parse_sigalgs(o.sigalgs, reg)))))
    if o.alpn:
        exts.append((16, ls.v16(b''.join(ls.v8(p.encode()) for p in ls.split_list(o.alpn)))))
    for name in ls.split_list(o.ext):
        exts.append(CLIENT_EXT[name])
    if o.sv:
        exts.append((43, ls.v8(b''.join(ls.u16(ls.norm_version(v)) for v in ls.split_list(o.sv)))))
    ks = key_share_groups if key_share_groups is not None else \
        (ls.parse_groups(o.keyshare, reg) if o.keyshare else None)
    if ks is not None:
        exts.append((51, ls.v16(b''.join(ls.u16(g) + ls.v16(os.urandom(reg.share_len(g)))
                                         for g in ks))))
    ext_bytes = b''.join(ls.u16(t) + ls.v16(d) for t, d in exts)
    sid = session_id if session_id is not None else (os.urandom(32) if o.session_id else b'')
    body = (ls.u16(version) + os.urandom(32) + ls.v8(sid) +
            ls.v16(b''.join(ls.u16(c) for c in suites)) + b'\x01\x00' +
            (ls.v16(ext_bytes) if exts else b''))
    rv = int(o.record_version, 16) if o.record_version else min(version, 0x0301)
    msg = ls.hs_msg(1, body)
    if o.client_fragment:
        n = o.client_fragment
        return b''.join(ls.record(22, rv, msg[i:i + n]) for i in range(0, len(msg), n)), sid
    return ls.record(22, rv, msg), sid


def ssl2_hello(o, compat=False):
    reg = registry()
    specs = b''
    if compat:
        specs += b''.join(b'\x00' + ls.u16(c) for c in ls.parse_suites(o.suites, reg))
    if o.kinds:
        specs += b''.join(k.to_bytes(3, 'big') for k in ls.parse_suites(o.kinds, reg, ssl2=True))
    version = ls.norm_version(o.version) if compat else 0x0002
    challenge = os.urandom(32 if compat else 16)
    body = (b'\x01' + ls.u16(version) + ls.u16(len(specs)) + ls.u16(0) + ls.u16(len(challenge)) +
            specs + challenge)
    return ls.u16(0x8000 | len(body)) + body


# --- reading and summarising -------------------------------------------------------------

class Flight:
    """Accumulates what the server sent and summarises it."""

    def __init__(self):
        self.hs = bytearray()
        self.msgs = []          # (type, body)
        self.alert = None
        self.done = False
        self.oversize = None
        self.ssl2 = None

    def add_handshake(self, data):
        self.hs += data
        while len(self.hs) >= 4:
            t = self.hs[0]
            n = int.from_bytes(self.hs[1:4], 'big')
            if n > 1 << 16:
                self.oversize = n
                self.done = True
                return
            if len(self.hs) < 4 + n:
                return
            self.msgs.append((t, bytes(self.hs[4:4 + n])))
            del self.hs[:4 + n]
            if t == 14:
                self.done = True
            if t == 2 and is_tls13(self.msgs[-1][1]):
                self.done = True

    def summary(self):
        if self.ssl2 is not None:
            return self.ssl2
        if self.oversize is not None:
            return 'OVERSIZE claim=%d' % self.oversize
        parts = []
        for i, (t, body) in enumerate(self.msgs):
            if t == 2:
                parts.append(summarise_sh(body, self.msgs[i + 1:]))
        if self.alert is not None:
            parts.append('ALERT %d' % self.alert)
        return ' | '.join(parts)


def is_tls13(sh):
    try:
        return sh_fields(sh)[4].get(43) is not None or sh[2:34] == ls.HRR_RANDOM
    except ls.BadInput:
        return False


def sh_fields(sh):
    r = ls.Reader(sh)
    ver = r.u16()
    rnd = r.take(32)
    r.v8()
    suite = r.u16()
    r.u8()
    exts = collections.OrderedDict()
    order = []
    if r.left():
        e = ls.Reader(r.v16())
        while e.left():
            t = e.u16()
            d = e.v16()
            order.append(t)
            exts.setdefault(t, d)
    return ver, rnd, suite, order, exts


def summarise_sh(sh, rest):
    try:
        ver, rnd, suite, order, exts = sh_fields(sh)
    except ls.BadInput as e:
        return 'BAD-SH (%s)' % e
    if 43 in exts:
        sv = struct.unpack('!H', exts[43][:2])[0]
        ks = exts.get(51, b'')
        group = struct.unpack('!H', ks[:2])[0] if len(ks) >= 2 else None
        tag = 'HRR' if rnd == ls.HRR_RANDOM else 'SH ver=0x%04X' % sv
        s = '%s suite=0x%04X' % (tag, suite)
        if tag == 'HRR' and sv != 0x0304:
            s += ' sv=0x%04X' % sv
        if group is not None:
            s += ' group=0x%04X' % group
        if len(order) != len(set(order)):
            s += ' dup-ext'
        return s
    s = 'SH ver=0x%04X suite=0x%04X' % (ver, suite)
    if order:
        s += ' ext=' + ','.join('%04x' % t for t in order)
    if 16 in exts:
        r = ls.Reader(exts[16])
        s += ' alpn=' + ls.Reader(r.v16()).v8().decode('ascii', 'replace')
    if rnd[24:] in (ls.DOWNGRADE_TLS12, ls.DOWNGRADE_TLS11):
        s += ' downgrade'
    types = [2] + [t for t, _ in rest]
    s += ' msgs=' + ','.join(str(t) for t in types)
    for t, body in rest:
        if t == 11:
            r = ls.Reader(body)
            certs = ls.Reader(r.take(r.u24()))
            n = 0
            while certs.left():
                certs.take(certs.u24())
                n += 1
            s += ' certs=%d' % n
        if t == 12:
            s += ' ' + summarise_ske(body, suite, ver)
    return s


def summarise_ske(body, suite, ver):
    info = registry().suite(suite)
    kind = ls.ske_kind(info)
    r = ls.Reader(body)
    try:
        if kind in ('DHE_PSK', 'ECDHE_PSK'):
            r.v16()
        if kind in ('DHE', 'DHE_PSK'):
            p = r.v16()
            r.v16()
            r.v16()
            s = 'ske=dhe:%d' % int.from_bytes(p, 'big').bit_length()
        elif kind in ('ECDHE', 'ECDHE_PSK'):
            r.u8()
            s = 'ske=ecdhe:0x%04X' % r.u16()
            r.v8()
        elif kind == 'RSA_EXPORT':
            m = r.v16()
            r.v16()
            s = 'ske=rsa:%d' % int.from_bytes(m, 'big').bit_length()
        elif kind == 'SRP':
            n = r.v16()
            r.v16()
            r.v8()
            r.v16()
            s = 'ske=srp:%d' % int.from_bytes(n, 'big').bit_length()
        else:
            return 'ske=%s' % kind
        if ls.ske_signed(info):
            if ver == 0x0303:
                s += ' sigalg=0x%04X' % r.u16()
            r.v16()
        if r.left():
            s += ' ske-trailing=%d' % r.left()
        return s
    except ls.BadInput as e:
        return 'ske=BAD(%s)' % e


def summarise_ssl2(msg):
    r = ls.Reader(msg)
    t = r.u8()
    if t == 0:
        return 'SSL2-ERROR %d' % r.u16()
    if t != 4:
        return 'SSL2-MSG %d' % t
    r.u8()
    r.u8()
    ver = r.u16()
    cl, sl, il = r.u16(), r.u16(), r.u16()
    r.take(cl)
    specs = r.take(sl)
    r.take(il)
    kinds = [int.from_bytes(specs[i:i + 3], 'big') for i in range(0, sl, 3)]
    return 'SSL2 ver=0x%04X kinds=%s cert=%d' % (ver, ','.join('0x%06X' % k for k in kinds),
                                                 1 if cl else 0)


def read_flight(sock, deadline):
    """Read the server's first flight; returns (Flight, status) where status is
    '' (complete) or 'EOF/RESET/TIMEOUT after N bytes'."""
    f = Flight()
    buf = bytearray()
    total = 0
    while not f.done:
        # consume what we can
        while True:
            if f.ssl2 is None and buf[:1] and buf[0] & 0x80 and not f.msgs:
                if len(buf) >= 2:
                    n = ((buf[0] & 0x7F) << 8) | buf[1]
                    if len(buf) >= 2 + n:
                        try:
                            f.ssl2 = summarise_ssl2(bytes(buf[2:2 + n]))
                        except ls.BadInput as e:
                            f.ssl2 = 'SSL2-BAD (%s)' % e
                        return f, ''
                break
            if len(buf) < 5:
                break
            ctype, ver, n = struct.unpack('!BHH', bytes(buf[:5]))
            if ctype not in (20, 21, 22, 23) or ver >> 8 != 3:
                return f, 'GARBAGE after %d bytes (%s)' % (total, bytes(buf[:5]).hex())
            if len(buf) < 5 + n:
                break
            payload = bytes(buf[5:5 + n])
            del buf[:5 + n]
            if ctype == 21:
                f.alert = payload[1] if len(payload) >= 2 else -1
                return f, ''
            if ctype == 22:
                f.add_handshake(payload)
                if f.done:
                    return f, ''
        left = deadline - time.monotonic()
        if left <= 0:
            return f, 'TIMEOUT after %d bytes' % total
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except socket.timeout:
            return f, 'TIMEOUT after %d bytes' % total
        except ConnectionResetError:
            return f, 'RESET after %d bytes' % total
        if not data:
            return f, 'EOF after %d bytes' % total
        total += len(data)
        buf += data
        if total > CAP:
            return f, 'CAP after %d bytes' % total
    return f, ''


def probe_once(o):
    host = o.host
    if not ipaddress.ip_address(host).is_loopback:
        raise SystemExit('probe: refusing non-loopback host %s' % host)
    fam = socket.AF_INET6 if ':' in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(o.timeout)
    try:
        s.connect((host, o.port))
        sid = None
        if o.kind == 'tls':
            hello, sid = tls_hello(o)
        elif o.kind == 'ssl2':
            hello = ssl2_hello(o)
        elif o.kind == 'v2compat':
            hello = ssl2_hello(o, compat=True)
        else:
            hello = bytes.fromhex(o.hex)
        s.sendall(hello)
        deadline = time.monotonic() + o.timeout
        f, status = read_flight(s, deadline)
        out = f.summary()
        if o.follow_hrr and f.msgs and f.msgs[-1][0] == 2 and \
                f.msgs[-1][1][2:34] == ls.HRR_RANDOM:
            group = struct.unpack('!H', sh_fields(f.msgs[-1][1])[4][51][:2])[0]
            hello2, _ = tls_hello(o, key_share_groups=[group], session_id=sid)
            if sid:
                s.sendall(ls.record(20, 0x0303, b'\x01'))
            s.sendall(hello2)
            f2, status = read_flight(s, time.monotonic() + o.timeout)
            out += ' | ' + f2.summary()
        if status:
            out = (out + ' ' + status).strip()
        return out
    except ConnectionResetError:
        return 'RESET after 0 bytes'
    except OSError as e:
        return 'ERROR %s' % e
    finally:
        s.close()


def mutate(rng, base):
    b = bytearray(base)
    how = rng.randrange(6)
    if how == 0:                                   # truncate anywhere
        del b[rng.randrange(len(b)):]
    elif how == 1:                                 # flip bytes
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif how == 2:                                 # lie in a length field
        i = rng.choice([3, 6, 43, 44, 45, 46, 47] + [rng.randrange(len(b) - 1)])
        i = min(i, len(b) - 2)
        b[i:i + 2] = rng.choice([b'\x00\x00', b'\xff\xff', b'\x00\x01',
                                 (len(b) + 1).to_bytes(2, 'big')])
    elif how == 3:                                 # trailing junk
        b += bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    elif how == 4:                                 # SSLv2-looking header
        b = bytearray([0x80 | rng.randrange(128), rng.randrange(256)]) + b[2:]
    else:                                          # pure noise
        b = bytearray(rng.randrange(256) for _ in range(rng.randint(1, 300)))
    return bytes(b)


def fuzz(o):
    """Send o.count mutated hellos (o.parallel at a time); each connection
    reads for at most o.timeout. Prints how many connections got any answer."""
    import random
    rng = random.Random(o.seed)
    o2 = argparse.Namespace(**vars(o))
    o2.groups, o2.sigalgs, o2.ext = 'x25519,secp256r1', '0x0401,0x0804', 'renegotiation_info'
    o2.sv, o2.keyshare, o2.alpn, o2.sni = 'tls1.3,tls1.2', 'x25519', 'h2', 'a.test'
    bases = [tls_hello(o2)[0], tls_hello(o)[0], ssl2_hello(o), ssl2_hello(o, compat=True)]
    cases = [mutate(rng, rng.choice(bases)) for _ in range(o.count)]
    answered = [0]
    lock = threading.Lock()
    sem = threading.Semaphore(max(1, o.parallel))

    def one(data):
        with sem:
            s = socket.socket(socket.AF_INET6 if ':' in o.host else socket.AF_INET)
            s.settimeout(o.timeout)
            try:
                s.connect((o.host, o.port))
                s.sendall(data)
                if s.recv(1):
                    with lock:
                        answered[0] += 1
            except OSError:
                pass
            finally:
                s.close()

    threads = [threading.Thread(target=one, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print('fuzz %d sent, %d answered' % (len(cases), answered[0]))


def parse_msg_output(text):
    """Summarise `openssl s_client -msg` output (the server's messages)."""
    blocks = []
    cur = None
    for line in text.splitlines():
        if line.startswith('<<< ') or line.startswith('>>> '):
            cur = [line, bytearray()] if line.startswith('<<< ') else None
            if cur:
                blocks.append(cur)
        elif cur is not None and line.startswith('    '):
            try:
                cur[1] += bytes.fromhex(line.strip())
            except ValueError:
                cur = None
        else:
            cur = None
    f = Flight()
    for head, data in blocks:
        if 'RecordHeader' in head or 'InnerContent' in head:
            continue
        if ', Handshake ' in head:
            f.add_handshake(bytes(data))
            f.done = False
        elif ', Alert ' in head and len(data) >= 2 and f.alert is None:
            f.alert = data[1]
    return f.summary() or 'NOTHING'


def batch(parser, o):
    """Read one probe per stdin line (probe.py arguments, e.g. `tls --version ssl3
    --suites 0x0004`), run them o.parallel at a time, print one result line per
    input line, in input order. --port/--timeout/--host given to batch are the
    defaults of every line."""
    import shlex
    lines = [ln for ln in sys.stdin.read().splitlines() if ln.strip()]
    base = ['--host', o.host, '--timeout', str(o.timeout)]
    if o.port is not None:
        base += ['--port', str(o.port)]
    results = [None] * len(lines)
    sem = threading.Semaphore(max(1, o.parallel))

    def run(i, line):
        with sem:
            try:
                lo = parser.parse_args(base + shlex.split(line))
                if lo.kind in ('batch', 'msg', 'fuzz'):
                    results[i] = 'ERROR kind %s not allowed in a batch' % lo.kind
                else:
                    results[i] = probe_once(lo)
            except SystemExit:
                results[i] = 'ERROR bad probe line: %s' % line
            except Exception as e:     # a probe bug must not hide other results
                results[i] = 'ERROR %s: %s' % (type(e).__name__, e)

    threads = [threading.Thread(target=run, args=(i, ln)) for i, ln in enumerate(lines)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        print(r)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('kind', choices=('tls', 'ssl2', 'v2compat', 'raw', 'msg', 'fuzz', 'batch'))
    p.add_argument('files', nargs='*', help='msg: s_client -msg output files (default stdin)')
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--port', type=int)
    p.add_argument('--timeout', type=float, default=3)
    p.add_argument('--version', default='tls1.2', help='ClientHello legacy_version')
    p.add_argument('--record-version', help='record-layer version (hex)')
    p.add_argument('--suites', default='0x002F,0x0035,0x000A,0x0005,0x0004')
    p.add_argument('--kinds', default='', help='SSLv2 cipher kinds')
    p.add_argument('--groups', default='')
    p.add_argument('--keyshare', default=None)
    p.add_argument('--sv', default='', help='supported_versions list')
    p.add_argument('--sigalgs', default='')
    p.add_argument('--alpn', default='')
    p.add_argument('--sni', default='')
    p.add_argument('--ext', default='', help=','.join(CLIENT_EXT))
    p.add_argument('--session-id', action='store_true')
    p.add_argument('--follow-hrr', action='store_true')
    p.add_argument('--client-fragment', type=int, default=0,
                   help='send the ClientHello in records of N bytes')
    p.add_argument('--hex', default='', help='raw bytes to send (kind raw)')
    p.add_argument('--count', type=int, default=200, help='fuzz: hellos to send')
    p.add_argument('--seed', type=int, default=1, help='fuzz: random seed')
    p.add_argument('--parallel', type=int, default=1,
                   help='run N probes at once; print "COUNT x SUMMARY" lines')
    o = p.parse_args()
    if o.kind == 'msg':
        if not o.files:
            print(parse_msg_output(sys.stdin.read()))
        for name in o.files:
            with open(name, errors='replace') as f:
                print(parse_msg_output(f.read()))
        return 0
    if o.kind == 'batch':
        return batch(p, o)
    if o.port is None:
        p.error('--port is required')
    if not ipaddress.ip_address(o.host).is_loopback:
        raise SystemExit('probe: refusing non-loopback host %s' % o.host)
    if o.kind == 'fuzz':
        fuzz(o)
        return 0
    if o.parallel <= 1:
        print(probe_once(o))
        return 0
    results = []
    lock = threading.Lock()

    def run():
        r = probe_once(o)
        with lock:
            results.append(r)

    threads = [threading.Thread(target=run) for _ in range(o.parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r, n in sorted(collections.Counter(results).items()):
        print('%d x %s' % (n, r))
    return 0


if __name__ == '__main__':
    sys.exit(main())
