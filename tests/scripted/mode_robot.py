"""mode_robot.py - the ROBOT behaviour of the scripted server (legacy_server.py):
a Bleichenbacher padding oracle, or a server that answers every premaster
block the same way (a negative control), for tests/integration/vulns_robot.sh.

Options (added to legacy_server.py's parser by add_options):
  --robot-key FILE        the RSA private key (PEM, PKCS#8 or PKCS#1, unencrypted)
                          of the --cert leaf; a throwaway key the test generates
  --robot-oracle MODE     strong | weak | none | noisy (default none)

With --robot-key, after the first flight of a TLS_RSA_* (not EXPORT) suite the
server reads the client's second flight (Certificate, ClientKeyExchange,
ChangeCipherSpec, Finished), decrypts the ClientKeyExchange with Python's
pow(c, d, n) and answers with one fatal alert, then closes:

  strong  PKCS#1 v1.5 structure valid (00 02, >= 8 non-zero padding bytes, a 00
          after them) -> bad_record_mac (20); else decrypt_error (51). The
          block whose 00 is misplaced still has a 00, so its answer differs from
          the other malformed ones: a strong oracle.
  weak    only a valid structure holding a 48-byte premaster -> bad_record_mac;
          everything else decrypt_error: only the well-formed block (and the one
          with the wrong version) stand out: a weak oracle.
  none    bad_record_mac for everything, as a fixed server does.
  noisy   bad_record_mac for everything but the first block without a 00
          after 00 02 the server sees (decrypt_error): the same block gets two
          answers, as on a flaky or load-balanced server (no GnuTLS client and
          no enumeration hello sends such a block, so the count is the probe's).

Python 3 standard library only; no cryptographic library (the test's key is
throwaway, and only the private operation is needed).
"""

import base64
import struct
import threading
import time

ORACLES = ('strong', 'weak', 'none', 'noisy')
RSA_ENCRYPTION = bytes.fromhex('2a864886f70d010101')


def add_options(add):
    add('--robot-key', metavar='FILE',
        help='RSA private key (PEM) of the --cert leaf: answer the ClientKeyExchange of '
             'TLS_RSA_* suites as a padding oracle (see mode_robot.py)')
    add('--robot-oracle', choices=ORACLES, default='none',
        help='with --robot-key: strong / weak oracle, none (one answer for all) or noisy '
             '(the first block without a 00 answered differently from the next)')


def configure(cfg, args):
    cfg.robot = None
    cfg.robot_seen = {'no-00': 0, 'lock': threading.Lock()}
    if args.robot_key:
        with open(args.robot_key, encoding='ascii') as f:
            cfg.robot = (read_rsa_key(f.read()), args.robot_oracle)


# --- the key -----------------------------------------------------------------------

def _tlv(b, i):
    """(tag, start, end) of the DER element at b[i]."""
    if i + 2 > len(b):
        raise ValueError('short DER')
    tag, ln = b[i], b[i + 1]
    i += 2
    if ln & 0x80:
        n = ln & 0x7F
        if not 1 <= n <= 4 or i + n > len(b):
            raise ValueError('bad DER length')
        ln = int.from_bytes(b[i:i + n], 'big')
        i += n
    if i + ln > len(b):
        raise ValueError('DER overrun')
    return tag, i, i + ln


def _children(b, start, end):
    out, i = [], start
    while i < end:
        t, s, e = _tlv(b, i)
        out.append((t, s, e))
        i = e
    return out


def _rsa_private_key(der):
    """(n, d) of a PKCS#1 RSAPrivateKey (RFC 8017 A.1.2)."""
    _, s, e = _tlv(der, 0)
    f = _children(der, s, e)
    if len(f) < 4 or any(t != 0x02 for t, _, _ in f[:4]):
        raise ValueError('not an RSAPrivateKey')
    n = int.from_bytes(der[f[1][1]:f[1][2]], 'big')
    d = int.from_bytes(der[f[3][1]:f[3][2]], 'big')
    return n, d


def read_rsa_key(pem):
    """(n, d) of an unencrypted PEM RSA key: PKCS#8 PRIVATE KEY or RSA PRIVATE KEY."""
    lines = pem.strip().splitlines()
    begin = next(i for i, l in enumerate(lines) if l.startswith('-----BEGIN'))
    end = next(i for i, l in enumerate(lines) if l.startswith('-----END'))
    der = base64.b64decode(''.join(lines[begin + 1:end]))
    if 'RSA PRIVATE KEY' in lines[begin]:
        return _rsa_private_key(der)
    _, s, e = _tlv(der, 0)
    f = _children(der, s, e)       # version, AlgorithmIdentifier, privateKey
    alg = _children(der, f[1][1], f[1][2])
    if der[alg[0][1]:alg[0][2]] != RSA_ENCRYPTION or f[2][0] != 0x04:
        raise ValueError('not an RSA PKCS#8 key')
    return _rsa_private_key(der[f[2][1]:f[2][2]])


# --- the oracle --------------------------------------------------------------------

def padding_answer(block, oracle, seen=None):
    """The alert description the server answers a decrypted block with."""
    if oracle == 'none':
        return 20
    if oracle == 'noisy':
        if len(block) > 2 and block[:2] == b'\x00\x02' and b'\x00' not in block[2:]:
            with seen['lock']:
                seen['no-00'] += 1
                first = seen['no-00'] == 1
            return 51 if first else 20
        return 20
    ok = len(block) >= 11 and block[0] == 0 and block[1] == 2
    sep = block.find(b'\x00', 2) if ok else -1
    ok = ok and sep >= 10       # at least 8 padding bytes before the 00
    if oracle == 'weak':
        ok = ok and len(block) - sep - 1 == 48
    return 20 if ok else 51


def chosen_suite(a):
    """The suite of the ServerHello in Answer a (its first message)."""
    sh = a.messages[0]
    sid_len = sh[4 + 34]
    return struct.unpack('!H', sh[4 + 35 + sid_len:4 + 37 + sid_len])[0]


def applies(cfg, a):
    """Whether the answer a just sent is one the oracle goes on with."""
    if cfg.robot is None or a.kind != 'tls' or a.hrr or not a.messages or \
            a.negotiated not in (0x0300, 0x0301, 0x0302, 0x0303):
        return False
    info = cfg.reg.suite(chosen_suite(a))
    return info is not None and info.kx == 'RSA' and not info.export


def _read_record(conn, deadline):
    conn.need(5, deadline)
    ctype, _, ln = struct.unpack('!BHH', bytes(conn.buf[:5]))
    if ln > 16384 + 2048:
        raise ValueError('record of %d bytes' % ln)
    conn.need(5 + ln, deadline)
    rec = conn.take(5 + ln)
    return ctype, rec[5:]


def _client_key_exchange(conn, version, deadline):
    """The encrypted premaster of the client's ClientKeyExchange."""
    hs = b''
    while True:
        ctype, body = _read_record(conn, deadline)
        if ctype != 22:
            raise ValueError('record type %d before the ClientKeyExchange' % ctype)
        hs += body
        while len(hs) >= 4:
            mlen = int.from_bytes(hs[1:4], 'big')
            if len(hs) < 4 + mlen:
                break
            mtype, msg, hs = hs[0], hs[4:4 + mlen], hs[4 + mlen:]
            if mtype == 16:
                if version == 0x0300:
                    return msg
                if len(msg) < 2 or int.from_bytes(msg[:2], 'big') != len(msg) - 2:
                    raise ValueError('ClientKeyExchange length')
                return msg[2:]
            if mtype != 11:
                raise ValueError('handshake type %d before the ClientKeyExchange' % mtype)


def react(conn, cfg, a):
    """Reads the second flight, answers as the configured oracle; a log note."""
    (n, d), oracle = cfg.robot
    deadline = time.monotonic() + cfg.timeout
    k = (n.bit_length() + 7) // 8
    try:
        enc = _client_key_exchange(conn, a.negotiated, deadline)
        c = int.from_bytes(enc, 'big')
        block = pow(c, d, n).to_bytes(k, 'big') if len(enc) == k and c < n else b''
        desc = padding_answer(block, oracle, cfg.robot_seen)
        # A real server answers once the Finished fails: ChangeCipherSpec, Finished.
        for want in (20, 22):
            ctype, _ = _read_record(conn, deadline)
            if ctype != want:
                raise ValueError('record type %d, not %d' % (ctype, want))
    except ValueError as e:
        conn.send(struct.pack('!BHHBB', 21, a.version, 2, 2, 10))
        return 'robot: unexpected_message (%s)' % e
    conn.send(struct.pack('!BHHBB', 21, a.version, 2, 2, desc))
    return 'robot %s: block %s.. -> alert %d' % (oracle, block[:2].hex(), desc)
