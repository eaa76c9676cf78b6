#!/usr/bin/env python3
"""legacy_server.py - a scripted SSL/TLS server that answers ClientHellos the
way an old (or broken) server would, for testing tlsaudit's raw prober.

It never completes a handshake and does no cryptography: it reads the
client's first flight (an SSLv2 CLIENT-HELLO, a TLS ClientHello, or a TLS
ClientHello in the SSLv2-compatible format), answers with the server's first
flight (ServerHello, Certificate, ServerKeyExchange, ServerHelloDone; an SSLv2
SERVER-HELLO; a TLS 1.3 ServerHello / HelloRetryRequest; or an alert), then
waits for the client to close. Every parameter a scanner measures is
configurable: versions, suites per version, SSLv2 cipher kinds, server or
client preference, groups, DH / export RSA sizes, signature algorithms, echoed
extensions, ALPN, record layout, and hostile behaviours.

Python 3 standard library only. See README.md next to this file.
"""

import argparse
import base64
import ipaddress
import os
import random
import signal
import socket
import struct
import sys
import threading
import time

import mode_conv  # the conversation probes' modes (heartbeat, early CCS)
import mode_hello
import mode_ticket
import mode_robot
import mode_starttls

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, HERE)
import mode_kex  # noqa: E402  (--kex-reuse)

# --- constants -------------------------------------------------------------------

VERSIONS = {'ssl2': 0x0002, 'ssl3': 0x0300, 'tls1.0': 0x0301, 'tls1.1': 0x0302,
            'tls1.2': 0x0303, 'tls1.3': 0x0304}
VNAME = {v: k for k, v in VERSIONS.items()}
REG_VERSIONS = {'SSL2': 0x0002, 'SSL3': 0x0300, 'TLS1.0': 0x0301, 'TLS1.1': 0x0302,
                'TLS1.2': 0x0303, 'TLS1.3': 0x0304}
TLS_FAMILY = (0x0300, 0x0301, 0x0302, 0x0303, 0x0304)

ALERTS = {0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac',
          21: 'decryption_failed', 22: 'record_overflow', 30: 'decompression_failure',
          40: 'handshake_failure', 41: 'no_certificate', 42: 'bad_certificate',
          43: 'unsupported_certificate', 44: 'certificate_revoked',
          45: 'certificate_expired', 46: 'certificate_unknown', 47: 'illegal_parameter',
          48: 'unknown_ca', 49: 'access_denied', 50: 'decode_error', 51: 'decrypt_error',
          60: 'export_restriction', 70: 'protocol_version', 71: 'insufficient_security',
          80: 'internal_error', 86: 'inappropriate_fallback', 90: 'user_canceled',
          100: 'no_renegotiation', 109: 'missing_extension', 110: 'unsupported_extension',
          111: 'certificate_unobtainable', 112: 'unrecognized_name',
          113: 'bad_certificate_status_response', 114: 'bad_certificate_hash_value',
          115: 'unknown_psk_identity', 116: 'certificate_required',
          120: 'no_application_protocol'}

EXT = {'server_name': 0, 'status_request': 5, 'supported_groups': 10,
       'ec_point_formats': 11, 'signature_algorithms': 13, 'heartbeat': 15, 'alpn': 16,
       'encrypt_then_mac': 22, 'extended_master_secret': 23, 'session_ticket': 35,
       'supported_versions': 43, 'key_share': 51, 'renegotiation_info': 0xFF01}
ECHO_NAMES = ('renegotiation_info', 'extended_master_secret', 'encrypt_then_mac',
              'status_request', 'session_ticket', 'heartbeat', 'server_name')

HRR_RANDOM = bytes.fromhex('CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C')
DOWNGRADE_TLS12 = b'DOWNGRD\x01'
DOWNGRADE_TLS11 = b'DOWNGRD\x00'
# An OCSPResponse with responseStatus tryLater(3) and no responseBytes.
OCSP_TRY_LATER = bytes.fromhex('3003 0a01 03')

MISBEHAVIOURS = ('silence', 'close', 'reset', 'reset-mid', 'truncate', 'bad-length',
                 'bad-hs-length', 'oversize', 'wrong-suite', 'wrong-version',
                 'alert-instead', 'garbage', 'trickle', 'duplicate-ext', 'empty-hello',
                 'scsv-suite', 'fallback-scsv-suite', 'dtls-version', 'unsent-share',
                 'compression')

MAX_HELLO = 1 << 17          # largest ClientHello we accept (bytes)
MAX_RECORD = 16384 + 2048    # largest client record we accept

# Fallback group table when data/groups.tsv is missing: code -> (name, kind, bits).
BUILTIN_GROUPS = {23: ('secp256r1', 'ecdhe', 256), 24: ('secp384r1', 'ecdhe', 384),
                  25: ('secp521r1', 'ecdhe', 521), 29: ('x25519', 'ecdhe', 255),
                  30: ('x448', 'ecdhe', 448), 256: ('ffdhe2048', 'ffdhe', 2048),
                  257: ('ffdhe3072', 'ffdhe', 3072), 258: ('ffdhe4096', 'ffdhe', 4096),
                  4588: ('X25519MLKEM768', 'hybrid-pq', 255)}
# Server key_share / ECPoint sizes that do not follow from "kind ecdhe, bits".
SHARE_LEN = {29: 32, 30: 56, 256: 256, 257: 384, 258: 512, 259: 768, 260: 1024,
             512: 768, 513: 1088, 514: 1568, 4587: 65 + 1088, 4588: 1088 + 32,
             4589: 97 + 1568, 25497: 32 + 1088, 25498: 65 + 1088}

DEFAULT_SUITES = '0x0005,0x0004,0x000A,0x002F,0x0035,0x0009,0x0003,0x1301,0x1302,0x1303'
DEFAULT_SSL2 = '0x0700C0,0x010080,0x030080,0x050080,0x060040,0x020080,0x040080'
DEFAULT_SIGALGS = ('0x0804,0x0805,0x0806,0x0401,0x0501,0x0601,0x0201,'
                   '0x0403,0x0503,0x0603,0x0203,0x0402,0x0202,0x0807')


class BadInput(Exception):
    """The client sent something we cannot parse: a malformed ClientHello is
    answered with decode_error, bytes that are no TLS/SSL at all with a close."""

    def __init__(self, why, alert=True):
        super().__init__(why)
        self.alert = alert


class Fatal(Exception):
    """The client's hello must be answered with a fatal alert."""

    def __init__(self, desc, why=''):
        super().__init__(why or ALERTS.get(desc, str(desc)))
        self.desc = desc


class ClientGone(Exception):
    """The client closed, reset, or stayed silent too long."""


class Shutdown(BaseException):
    pass


# --- byte helpers ------------------------------------------------------------------

def u8(n):
    return bytes([n & 0xFF])


def u16(n):
    return struct.pack('!H', n & 0xFFFF)


def u24(n):
    return (n & 0xFFFFFF).to_bytes(3, 'big')


def v8(b):
    return u8(len(b)) + b


def v16(b):
    return u16(len(b)) + b


def v24(b):
    return u24(len(b)) + b


def hs_msg(t, body):
    return u8(t) + v24(body)


def record(ctype, version, payload):
    return u8(ctype) + u16(version) + v16(payload)


class Reader:
    def __init__(self, b):
        self.b = bytes(b)
        self.i = 0

    def left(self):
        return len(self.b) - self.i

    def take(self, n):
        if n < 0 or self.i + n > len(self.b):
            raise BadInput('truncated field (want %d, have %d)' % (n, self.left()))
        r = self.b[self.i:self.i + n]
        self.i += n
        return r

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack('!H', self.take(2))[0]

    def u24(self):
        return int.from_bytes(self.take(3), 'big')

    def v8(self):
        return self.take(self.u8())

    def v16(self):
        return self.take(self.u16())

    def u16list(self, data):
        if len(data) % 2:
            raise BadInput('odd-length list')
        return [struct.unpack('!H', data[i:i + 2])[0] for i in range(0, len(data), 2)]


def hexcode(c, width=4):
    return '0x%0*X' % (width, c)


# --- registry --------------------------------------------------------------------

class SuiteInfo:
    __slots__ = ('code', 'name', 'ossl', 'kx', 'auth', 'mode', 'export', 'versions')

    def __init__(self, code, name, ossl, kx, auth, mode, export, versions):
        self.code, self.name, self.ossl = code, name, ossl
        self.kx, self.auth, self.mode = kx, auth, mode
        self.export, self.versions = export, versions


class Registry:
    def __init__(self, suites_path, groups_path, sig_path):
        self.suites = {}       # 2-byte code -> SuiteInfo
        self.ssl2 = {}         # 3-byte code -> SuiteInfo
        self.by_name = {}      # upper-case IANA / OpenSSL name -> [codes]
        self.groups = dict(BUILTIN_GROUPS)
        self.group_by_name = {}
        self.sig_by_name = {}
        self.sig_names = {}
        self._load_suites(suites_path)
        self._load_groups(groups_path)
        self._load_sigs(sig_path)

    @staticmethod
    def _rows(path):
        header = None
        with open(path, encoding='utf-8') as f:
            for line in f:
                line = line.rstrip('\n')
                if not line or line.startswith('#'):
                    continue
                cols = line.split('\t')
                if header is None:
                    header = cols
                    continue
                yield dict(zip(header, cols))

    def _load_suites(self, path):
        for r in self._rows(path):
            code = int(r['code'], 16)
            vers = set(REG_VERSIONS[v] for v in r['versions'].split(',') if v in REG_VERSIONS)
            info = SuiteInfo(code, r['iana_name'], r['openssl_name'], r['kx'], r['auth'],
                             r['mode'], r['export'] == '1', vers)
            if len(r['code']) > 6:
                self.ssl2[code] = info
            else:
                self.suites[code] = info
            for n in (r['iana_name'], r['openssl_name'], r['gnutls_name']):
                if n and n != '-':
                    self.by_name.setdefault(n.upper(), []).append(code)

    def _load_groups(self, path):
        try:
            for r in self._rows(path):
                self.groups[int(r['code'])] = (r['name'], r['kind'], int(r['bits']))
        except OSError:
            pass
        for code, (name, _, _) in self.groups.items():
            self.group_by_name[name.lower()] = code
        self.group_by_name.update({'p-256': 23, 'p-384': 24, 'p-521': 25,
                                   'prime256v1': 23})

    def _load_sigs(self, path):
        try:
            for r in self._rows(path):
                code = int(r['code'], 16)
                self.sig_by_name[r['name'].lower()] = code
                self.sig_names[code] = r['name']
        except OSError:
            pass

    def suite(self, code):
        info = self.suites.get(code)
        if info is None:   # a code the registry does not know: a private RSA suite
            tls13 = 0x1300 <= code <= 0x13FF
            info = SuiteInfo(code, 'UNKNOWN_' + hexcode(code), '-', 'any' if tls13 else 'RSA',
                             'any' if tls13 else 'RSA', 'CBC', False,
                             {0x0304} if tls13 else {0x0300, 0x0301, 0x0302, 0x0303})
        return info

    def group_name(self, code):
        g = self.groups.get(code)
        return g[0] if g else hexcode(code)

    def group_kind(self, code):
        g = self.groups.get(code)
        return g[1] if g else 'other'

    def share_len(self, code):
        if code in SHARE_LEN:
            return SHARE_LEN[code]
        g = self.groups.get(code)
        if g and g[1] == 'ecdhe' and g[2] > 0:
            return 1 + 2 * ((g[2] + 7) // 8)
        if g and g[1] == 'ffdhe' and g[2] > 0:
            return g[2] // 8
        return 32


# --- certificates ------------------------------------------------------------------

def der_tlv(b, i):
    """(tag, content_start, content_end) of the DER element at b[i]."""
    if i + 2 > len(b):
        raise ValueError('short DER')
    tag, ln = b[i], b[i + 1]
    i += 2
    if ln & 0x80:
        n = ln & 0x7F
        if n == 0 or n > 4 or i + n > len(b):
            raise ValueError('bad DER length')
        ln = int.from_bytes(b[i:i + n], 'big')
        i += n
    if i + ln > len(b):
        raise ValueError('DER overrun')
    return tag, i, i + ln


def der_children(b, start, end):
    out = []
    i = start
    while i < end:
        tag, s, e = der_tlv(b, i)
        out.append((tag, s, e))
        i = e
    return out


OID_RSA = bytes.fromhex('2a864886f70d010101')
OID_RSAPSS = bytes.fromhex('2a864886f70d01010a')
OID_EC = bytes.fromhex('2a8648ce3d0201')
OID_DSA = bytes.fromhex('2a8648ce380401')
OID_ED25519 = bytes.fromhex('2b6570')
OID_ED448 = bytes.fromhex('2b6571')
EC_CURVE_BYTES = {bytes.fromhex('2a8648ce3d030107'): 32, bytes.fromhex('2b81040022'): 48,
                  bytes.fromhex('2b81040023'): 66}


def cert_key(der):
    """(keytype, signature length) of a certificate: keytype is rsa, ecdsa,
    dsa or eddsa; the length is what a signature by that key takes."""
    try:
        _, s, e = der_tlv(der, 0)
        tbs = der_children(der, s, e)[0]
        kids = der_children(der, tbs[1], tbs[2])
        if kids[0][0] == 0xA0:
            kids = kids[1:]
        spki = kids[5]
        alg, bits = der_children(der, spki[1], spki[2])[:2]
        algk = der_children(der, alg[1], alg[2])
        oid = der[algk[0][1]:algk[0][2]]
        if oid in (OID_RSA, OID_RSAPSS):
            seq = der_tlv(der, bits[1] + 1)
            n = der_children(der, seq[1], seq[2])[0]
            mod = der[n[1]:n[2]].lstrip(b'\x00')
            return 'rsa', len(mod)
        if oid == OID_EC:
            curve = der[algk[1][1]:algk[1][2]] if len(algk) > 1 else b''
            return 'ecdsa', 2 * EC_CURVE_BYTES.get(curve, 32) + 8
        if oid == OID_DSA:
            q = 32
            if len(algk) > 1 and algk[1][0] == 0x30:
                pqg = der_children(der, algk[1][1], algk[1][2])
                q = len(der[pqg[1][1]:pqg[1][2]].lstrip(b'\x00'))
            return 'dsa', 2 * q + 6
        if oid in (OID_ED25519, OID_ED448):
            return 'eddsa', 64 if oid == OID_ED25519 else 114
    except (ValueError, IndexError):
        pass
    return 'rsa', 256


def load_cert_file(path):
    with open(path, 'rb') as f:
        data = f.read()
    ders = []
    if b'-----BEGIN' in data:
        text = data.decode('ascii', 'replace')
        for block in text.split('-----BEGIN CERTIFICATE-----')[1:]:
            body = block.split('-----END CERTIFICATE-----')[0]
            ders.append(base64.b64decode(''.join(body.split())))
    else:
        ders.append(data)
    if not ders:
        raise ValueError('%s: no certificate found' % path)
    return ders


def generate_certs():
    """Throwaway self-signed RSA and ECDSA certificates made with the openssl CLI
    (used only when certs/ is missing and no --cert is given)."""
    import subprocess
    import tempfile
    out = {}
    with tempfile.TemporaryDirectory() as d:
        for kind, args in (('rsa', ['-newkey', 'rsa:2048']),
                           ('ecdsa', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'])):
            crt = os.path.join(d, kind + '.pem')
            subprocess.run(['openssl', 'req', '-x509', '-nodes', '-days', '3650',
                            '-subj', '/CN=legacy.test', '-keyout', os.path.join(d, kind + '.key'),
                            '-out', crt] + args, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            out[kind] = load_cert_file(crt)
    return out


# --- configuration -------------------------------------------------------------------

def split_list(s):
    if s is None:
        return []
    if isinstance(s, (list, tuple)):
        s = ','.join(str(x) for x in s)
    return [t for t in s.replace(':', ',').replace(' ', ',').split(',') if t]


def norm_version(tok):
    t = tok.strip().lower().replace('_', '.').replace('v', '')
    t = {'ssl2.0': 'ssl2', 'ssl3.0': 'ssl3', 'tls1': 'tls1.0', 'tls10': 'tls1.0',
         'tls11': 'tls1.1', 'tls12': 'tls1.2', 'tls13': 'tls1.3'}.get(t, t)
    if t not in VERSIONS:
        raise SystemExit('legacy_server: unknown version %r' % tok)
    return VERSIONS[t]


def parse_suites(spec, reg, ssl2=False):
    out = []
    for tok in split_list(spec):
        up = tok.upper()
        if up == 'ALL':
            pool = reg.ssl2 if ssl2 else reg.suites
            out.extend(c for c in sorted(pool) if ssl2 or pool[c].kx != 'SCSV')
            continue
        if up.startswith('0X'):
            try:
                code = int(tok, 16)
            except ValueError:
                raise SystemExit('legacy_server: bad suite code %r' % tok)
            if code > (0xFFFFFF if ssl2 else 0xFFFF):
                raise SystemExit('legacy_server: suite code %r too large' % tok)
            out.append(code)
            continue
        codes = reg.by_name.get(up, [])
        codes = [c for c in codes if (c in reg.ssl2) == ssl2]
        if not codes:
            raise SystemExit('legacy_server: unknown %s %r' %
                             ('SSLv2 cipher kind' if ssl2 else 'cipher suite', tok))
        out.append(codes[0])
    seen = set()
    return [c for c in out if not (c in seen or seen.add(c))]


def parse_groups(spec, reg):
    out = []
    for tok in split_list(spec):
        t = tok.lower()
        if t.startswith('0x'):
            out.append(int(t, 16))
        elif t.isdigit():
            out.append(int(t))
        elif t in reg.group_by_name:
            out.append(reg.group_by_name[t])
        else:
            raise SystemExit('legacy_server: unknown group %r' % tok)
    return out


def parse_sigalgs(spec, reg):
    out = []
    for tok in split_list(spec):
        t = tok.lower()
        if t.startswith('0x'):
            out.append(int(t, 16))
        elif t in reg.sig_by_name:
            out.append(reg.sig_by_name[t])
        else:
            raise SystemExit('legacy_server: unknown signature scheme %r' % tok)
    return out


def sigalg_keytype(c):
    hi, lo = c >> 8, c & 0xFF
    if c in (0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B):
        return 'rsa'
    if c in (0x081A, 0x081B, 0x081C):
        return 'ecdsa'
    if c in (0x0807, 0x0808):
        return 'eddsa'
    if hi <= 6 and lo == 1 or c in (0x0420, 0x0520, 0x0620):
        return 'rsa'
    if hi <= 6 and lo == 2:
        return 'dsa'
    if hi <= 6 and lo == 3:
        return 'ecdsa'
    return 'other'


PER_VERSION_OPTS = (('ssl3', 'suites_ssl3'), ('tls1.0', 'suites_tls1_0'),
                    ('tls1.1', 'suites_tls1_1'), ('tls1.2', 'suites_tls1_2'),
                    ('tls1.3', 'suites_tls1_3'))


def build_parser():
    p = argparse.ArgumentParser(
        prog='legacy_server.py',
        description='Scripted SSL/TLS server answering ClientHellos like an old server '
                    '(first flight only, no crypto). Prints "PORT <n>" on stdout.')
    a = p.add_argument
    a('--config', metavar='FILE', help='JSON object of options (keys = long option names)')
    a('--listen', default='127.0.0.1:0', help='loopback HOST:PORT (port 0 = ephemeral)')
    a('--pidfile', metavar='FILE')
    a('--versions', default='ssl3,tls1.0,tls1.1,tls1.2',
      help='accepted versions: ssl2,ssl3,tls1.0,tls1.1,tls1.2,tls1.3')
    a('--suites', default=DEFAULT_SUITES,
      help='accepted suites, in server preference order: 0xHHHH codes, IANA or OpenSSL '
           'names, or ALL; each version keeps those the registry allows in it')
    for v, dest in PER_VERSION_OPTS:
        a('--suites-' + v, dest=dest, metavar='LIST', help='suites for %s only' % v)
    a('--ssl2-ciphers', default=DEFAULT_SSL2, help='SSLv2 cipher kinds (0xHHHHHH or names)')
    a('--order', choices=('server', 'client'), default='server',
      help='whose preference picks suites, groups and signature algorithms')
    a('--groups', default='x25519,secp256r1,secp384r1',
      help='ECDHE groups (names or codes), server preference order')
    a('--tls13-groups', help='TLS 1.3 key_share groups (default: --groups)')
    a('--tls13-prefer-keyshare', action='store_true',
      help='TLS 1.3: use any acceptable group the client sent a key_share for before '
           'asking for the preferred one with a HelloRetryRequest (OpenSSL-like)')
    a('--dh-bits', type=int, default=1024, help='DH prime size for DHE suites')
    a('--export-dh-bits', type=int, default=512, help='DH prime size for EXPORT DHE suites')
    a('--dhe-needs-ffdhe', action='store_true',
      help='choose a DHE suite only when the client offers an FFDHE group (RFC 7919 groups '
           '256-511 in supported_groups), as a server without DH parameters of its own does')
    a('--export-rsa-bits', type=int, default=512,
      help='RSA modulus in the ServerKeyExchange of RSA_EXPORT suites')
    a('--sigalgs', default=DEFAULT_SIGALGS,
      help='TLS 1.2 ServerKeyExchange signature schemes (names or codes)')
    a('--cert', action='append', default=[], metavar='FILE',
      help='certificate (chain) PEM or DER; repeat for RSA / ECDSA / DSA keys '
           '(default: certs/*.pem next to this script)')
    a('--echo-ext', default='', metavar='LIST',
      help='extensions to echo when the client sends them: ' + ','.join(ECHO_NAMES) + ',all')
    a('--alpn', default='', help='ALPN protocols, server preference order')
    a('--alpn-strict', action='store_true',
      help='fatal no_application_protocol when ALPN was offered but nothing matches')
    a('--fallback-scsv', action='store_true',
      help='honour TLS_FALLBACK_SCSV (inappropriate_fallback)')
    a('--any-version-suites', action='store_true',
      help='accept a configured TLS<=1.2 suite in every TLS<=1.2 version, ignoring the '
           'registry versions column (a buggy server)')
    a('--split-records', action='store_true', help='one record per handshake message')
    a('--fragment', type=int, default=0, metavar='N',
      help='cut records into N-byte pieces, written separately with small delays')
    a('--tcp-chunk', type=int, default=0, metavar='N',
      help='write the byte stream N bytes at a time (crosses record boundaries)')
    a('--write-delay-ms', type=float, default=None,
      help='delay between separate writes (default 10 with --fragment/--tcp-chunk)')
    a('--starttls', choices=mode_starttls.MODES, metavar='MODE',
      help='speak SMTP STARTTLS first (mode_starttls.py: ok, split, no-starttls, refuse, '
           'endless, oversized, tls-early, late-first, inject, purge)')
    a('--starttls-keypair', default='', metavar='CERT,KEY',
      help='PEM certificate chain and key of the real TLS (Python ssl) the inject and '
           'purge STARTTLS modes speak after the upgrade')
    a('--misbehave', choices=MISBEHAVIOURS, help='hostile behaviour (see README)')
    a('--misbehave-count', type=int, default=0, metavar='N',
      help='only the first N connections misbehave (0 = all)')
    a('--misbehave-versions', default='', metavar='LIST',
      help='only hellos the server answers with one of these versions misbehave '
           '(e.g. tls1.0,tls1.1; default: every version)')
    a('--max-hello-suites', type=int, default=0, metavar='N',
      help='reset the connection when a hello offers more than N suites, as servers and '
           'middleboxes that choke on long hellos do (0 = no limit)')
    a('--misbehave-by-sni', action='store_true',
      help='a TLS client whose SNI is MODE.anything gets that misbehaviour (one '
           'server for many hostile cases)')
    a('--trickle-ms', type=float, default=50, help='byte interval for --misbehave trickle')
    a('--timeout', type=float, default=10,
      help='seconds to wait for a hello, and for the client to close afterwards')
    a('--seed', type=int, help='seed for the random choices (reproducible runs)')
    a('--registry', default=os.path.join(TOP, 'data', 'cipher-suites.tsv'),
      help='cipher-suite registry TSV (groups.tsv, sigschemes.tsv next to it)')
    a('--show-config', action='store_true',
      help='print the effective per-version lists and exit')
    a('--ticketbleed-backend', type=int, default=0, metavar='PORT',
      help='Ticketbleed mode (mode_ticket.py): forward to the TLS server on 127.0.0.1:PORT, '
           'except a ticket with a short session id, answered with a 32-byte echo')
    a('--verbose', '-v', action='store_true', help='one stderr line per connection')
    mode_conv.add_options(a)
    mode_hello.add_options(a)
    mode_robot.add_options(a)
    mode_kex.add_options(a)
    return p


def parse_args(argv):
    p = build_parser()
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument('--config')
    known, _ = pre.parse_known_args(argv)
    if known.config:
        import json
        with open(known.config, encoding='utf-8') as f:
            cfg = json.load(f)
        if not isinstance(cfg, dict):
            raise SystemExit('legacy_server: %s: not a JSON object' % known.config)
        dests = {act.dest: act for act in p._actions}
        defaults = {}
        for k, v in cfg.items():
            dest = k.lstrip('-').replace('-', '_').replace('.', '_')
            if dest not in dests:
                raise SystemExit('legacy_server: %s: unknown option %r' % (known.config, k))
            act = dests[dest]
            if isinstance(act, argparse._AppendAction):
                v = v if isinstance(v, list) else [v]
            elif isinstance(v, list):
                v = ','.join(str(x) for x in v)
            defaults[dest] = v
        p.set_defaults(**defaults)
    return p.parse_args(argv)


class Config:
    def __init__(self, args):
        reg_path = args.registry
        d = os.path.dirname(reg_path)
        self.reg = reg = Registry(reg_path, os.path.join(d, 'groups.tsv'),
                                  os.path.join(d, 'sigschemes.tsv'))
        self.versions = set(norm_version(v) for v in split_list(args.versions))
        base = parse_suites(args.suites, reg)
        self.suites = {}
        for name, dest in PER_VERSION_OPTS:
            v = VERSIONS[name]
            lst = parse_suites(getattr(args, dest), reg) if getattr(args, dest) else base
            self.suites[v] = [c for c in lst if self.suite_allowed(c, v, args.any_version_suites)]
        self.ssl2 = parse_suites(args.ssl2_ciphers, reg, ssl2=True)
        self.order = args.order
        self.groups = parse_groups(args.groups, reg)
        self.ec_groups = [g for g in self.groups if reg.group_kind(g) == 'ecdhe']
        self.tls13_groups = (parse_groups(args.tls13_groups, reg) if args.tls13_groups
                             else list(self.groups))
        self.prefer_keyshare = args.tls13_prefer_keyshare
        self.dh_bits, self.export_dh_bits = args.dh_bits, args.export_dh_bits
        self.dhe_needs_ffdhe = args.dhe_needs_ffdhe
        mode_kex.configure(self, args)
        self.export_rsa_bits = args.export_rsa_bits
        for b in (self.dh_bits, self.export_dh_bits, self.export_rsa_bits):
            if not 16 <= b <= 16384:
                raise SystemExit('legacy_server: key size %d out of range' % b)
        self.sigalgs = parse_sigalgs(args.sigalgs, reg)
        echo = set(split_list(args.echo_ext))
        if 'all' in echo:
            echo = set(ECHO_NAMES)
        bad = echo - set(ECHO_NAMES)
        if bad:
            raise SystemExit('legacy_server: unknown --echo-ext %s' % ','.join(sorted(bad)))
        self.echo = echo
        mode_conv.configure(self, args)
        self.alpn = [t.encode() for t in split_list(args.alpn)]
        self.alpn_strict = args.alpn_strict
        self.fallback_scsv = args.fallback_scsv
        mode_hello.configure(self, args)
        self.split_records = args.split_records
        self.fragment = max(0, args.fragment)
        self.tcp_chunk = max(0, args.tcp_chunk)
        wd = args.write_delay_ms
        if wd is None:
            wd = 10.0 if (self.fragment or self.tcp_chunk) else 0.0
        self.write_delay = wd / 1000.0
        self.misbehave = args.misbehave
        self.starttls = args.starttls
        self.starttls_keypair = args.starttls_keypair
        if args.starttls in mode_starttls.REAL_TLS and not args.starttls_keypair:
            raise OSError('--starttls %s needs --starttls-keypair CERT,KEY' % args.starttls)
        self.misbehave_count = args.misbehave_count
        self.misbehave_versions = set(norm_version(v) for v in
                                      split_list(args.misbehave_versions))
        self.max_hello_suites = args.max_hello_suites
        self.misbehave_by_sni = args.misbehave_by_sni
        self.trickle = args.trickle_ms / 1000.0
        self.timeout = args.timeout
        self.verbose = args.verbose
        self.rng = random.Random(args.seed)
        self.rng_lock = threading.Lock()
        self.dh_primes = {}
        self.certs = {}     # keytype -> (chain of DER, signature length)
        self._load_certs(args.cert)
        mode_robot.configure(self, args)

    def suite_allowed(self, code, v, any_version):
        """May this server pick the suite in version v (registry versions column)?"""
        info = self.reg.suite(code)
        if info.kx == 'SCSV':
            return False
        if v == 0x0304:
            return 0x0304 in info.versions
        if any_version:
            return info.versions != {0x0304}
        return v in info.versions

    def _load_certs(self, files):
        chains = []
        if files:
            chains = [load_cert_file(f) for f in files]
        else:
            d = os.path.join(HERE, 'certs')
            names = [n for n in ('rsa.pem', 'ecdsa.pem', 'dsa.pem')
                     if os.path.exists(os.path.join(d, n))]
            if names:
                chains = [load_cert_file(os.path.join(d, n)) for n in names]
            else:
                chains = list(generate_certs().values())
        for chain in chains:
            kt, siglen = cert_key(chain[0])
            self.certs.setdefault(kt, (chain, siglen))

    def cert_for(self, auth):
        """Certificate chain and its key type for a suite's authentication."""
        want = {'RSA': 'rsa', 'DSS': 'dsa', 'ECDSA': 'ecdsa'}.get(auth, 'rsa')
        for kt in (want, 'eddsa' if want == 'ecdsa' else want, 'rsa', 'ecdsa', 'dsa', 'eddsa'):
            if kt in self.certs:
                return kt, self.certs[kt]
        raise RuntimeError('no certificate loaded')

    def rand(self, n):
        with self.rng_lock:
            return self.rng.randbytes(n)

    def randint(self, a, b):
        with self.rng_lock:
            return self.rng.randint(a, b)

    def choice(self, seq):
        with self.rng_lock:
            return self.rng.choice(seq)

    def odd_number(self, bits):
        """bits-long odd number with the top bit set, as big-endian bytes."""
        with self.rng_lock:
            n = self.rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        return n.to_bytes((bits + 7) // 8, 'big')

    def dh_prime(self, bits):
        with self.rng_lock:
            p = self.dh_primes.get(bits)
        if p is None:
            p = self.odd_number(bits)
            with self.rng_lock:
                p = self.dh_primes.setdefault(bits, p)
        return p

    def below(self, p):
        """A random value of the same length as p, smaller than p."""
        b = bytearray(self.rand(len(p)))
        b[0] = self.randint(1, max(1, p[0] - 1)) if p[0] > 1 else 0
        return bytes(b)

    def show(self, out):
        out.write('versions %s\n' % ','.join(VNAME[v] for v in sorted(self.versions)))
        if 0x0002 in self.versions:
            out.write('ssl2 %s\n' % ','.join(hexcode(c, 6) for c in self.ssl2))
        for v in sorted(self.versions):
            if v != 0x0002:
                out.write('%s %s\n' % (VNAME[v], ','.join(hexcode(c) for c in self.suites[v])))
        out.write('order %s\n' % self.order)
        out.write('groups %s\n' % ','.join(self.reg.group_name(g) for g in self.groups))
        out.write('tls13-groups %s\n' % ','.join(self.reg.group_name(g) for g in self.tls13_groups))
        out.write('certs %s\n' % ','.join(sorted(self.certs)))


# --- ClientHello parsing --------------------------------------------------------------

class Hello:
    def __init__(self):
        self.fmt = 'tls'            # tls | v2compat | ssl2
        self.record_version = None
        self.legacy_version = 0
        self.random = b''
        self.session_id = b''
        self.suites = []
        self.ssl2_kinds = []        # v2 formats: 3-byte kinds (first byte non-zero)
        self.compressions = b'\x00'
        self.exts = []              # (type, data) in client order
        self.ext_types = set()
        self.supported_versions = None
        self.groups = None
        self.key_shares = {}
        self.sigalgs = None
        self.alpn = None
        self.sni = None


def parse_client_hello(body, record_version):
    r = Reader(body)
    h = Hello()
    h.record_version = record_version
    h.legacy_version = r.u16()
    h.random = r.take(32)
    h.session_id = r.v8()
    if len(h.session_id) > 32:
        raise BadInput('session_id longer than 32')
    cs = r.v16()
    if not cs:
        raise BadInput('no cipher suites')
    h.suites = r.u16list(cs)
    h.compressions = r.v8()
    if not h.compressions:
        raise BadInput('no compression methods')
    if r.left():
        e = Reader(r.v16())
        while e.left():
            t = e.u16()
            d = e.v16()
            h.exts.append((t, d))
            if t in h.ext_types:
                raise Fatal(47, 'duplicate client extension %d' % t)
            h.ext_types.add(t)
            _parse_ext(h, t, d)
    return h


def _parse_ext(h, t, d):
    x = Reader(d)
    if t == 43:
        h.supported_versions = x.u16list(x.v8())
    elif t == 10:
        h.groups = x.u16list(x.v16())
    elif t == 13:
        h.sigalgs = x.u16list(x.v16())
    elif t == 51:
        ks = Reader(x.v16())
        while ks.left():
            g = ks.u16()
            key = ks.v16()
            h.key_shares.setdefault(g, key)
    elif t == 16:
        lst = Reader(x.v16())
        h.alpn = []
        while lst.left():
            h.alpn.append(lst.v8())
    elif t == 0 and d:
        lst = Reader(x.v16())
        while lst.left():
            typ = lst.u8()
            name = lst.v16()
            if typ == 0 and h.sni is None:
                h.sni = name.decode('ascii', 'replace')


def parse_v2_hello(msg):
    """SSLv2 CLIENT-HELLO (msg = the bytes after the 2-byte record header)."""
    r = Reader(msg)
    if r.u8() != 1:
        raise BadInput('SSLv2 record is not a CLIENT-HELLO')
    h = Hello()
    version = r.u16()
    cs_len, sid_len, ch_len = r.u16(), r.u16(), r.u16()
    if cs_len == 0 or cs_len % 3:
        raise BadInput('SSLv2 cipher-specs length %d' % cs_len)
    specs = r.take(cs_len)
    h.session_id = r.take(sid_len)
    challenge = r.take(ch_len)
    kinds = [int.from_bytes(specs[i:i + 3], 'big') for i in range(0, cs_len, 3)]
    h.legacy_version = version
    h.record_version = 0x0002
    h.fmt = 'ssl2' if version < 0x0300 else 'v2compat'
    h.ssl2_kinds = [k for k in kinds if k >> 16]
    h.suites = [k for k in kinds if not k >> 16]
    h.random = challenge[-32:].rjust(32, b'\x00')
    if h.fmt == 'v2compat':
        h.session_id = b''
    return h


# --- the connection -----------------------------------------------------------------------

class Conn:
    def __init__(self, sock, peer, cfg, index):
        self.sock = sock
        self.peer = peer
        self.cfg = cfg
        self.index = index
        self.buf = bytearray()

    def recv_more(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise ClientGone('timeout')
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise ClientGone('timeout')
        except OSError as e:
            raise ClientGone('recv: %s' % e.strerror)
        if not data:
            raise ClientGone('client closed')
        self.buf += data

    def need(self, n, deadline):
        while len(self.buf) < n:
            self.recv_more(deadline)

    def take(self, n):
        b = bytes(self.buf[:n])
        del self.buf[:n]
        return b

    def send(self, data):
        self.sock.settimeout(self.cfg.timeout)
        try:
            self.sock.sendall(data)
        except (OSError, socket.timeout) as e:
            raise ClientGone('send: %s' % (getattr(e, 'strerror', None) or e))

    def send_writes(self, writes, delay):
        for i, w in enumerate(writes):
            if i and delay:
                time.sleep(delay)
            self.send(w)

    def read_hello(self, deadline, first):
        """Read one ClientHello; returns a Hello (raises BadInput / Fatal / ClientGone)."""
        self.need(1, deadline)
        if first and self.buf[0] & 0x80:
            self.need(2, deadline)
            ln = ((self.buf[0] & 0x7F) << 8) | self.buf[1]
            if ln < 9:
                raise BadInput('SSLv2 record too short', False)
            self.need(2 + ln, deadline)
            try:
                return parse_v2_hello(self.take(2 + ln)[2:])
            except BadInput as e:
                raise BadInput('SSLv2 hello: %s' % e, False)
        hs = bytearray()
        rec_version = None
        while True:
            self.need(5, deadline)
            ctype, ver, ln = struct.unpack('!BHH', bytes(self.buf[:5]))
            if ctype not in (20, 21, 22) or ver >> 8 != 3:
                if first and not hs:
                    raise BadInput('not a TLS handshake record (%02x %04x)' % (ctype, ver), False)
                raise Fatal(10, 'record type %d' % ctype)
            if ln > MAX_RECORD:
                raise Fatal(22, 'record of %d bytes' % ln)
            self.need(5 + ln, deadline)
            rec = self.take(5 + ln)
            if ctype == 21:
                raise ClientGone('client sent alert %s' % rec[5:].hex())
            if ctype == 20:
                if first or hs:
                    raise Fatal(10, 'ChangeCipherSpec before ClientHello')
                continue          # TLS 1.3 middlebox-compatibility CCS after an HRR
            if ln == 0:
                raise Fatal(10, 'empty handshake record')
            if rec_version is None:
                rec_version = ver
            hs += rec[5:]
            if len(hs) >= 4:
                if hs[0] != 1:
                    raise Fatal(10, 'handshake type %d instead of ClientHello' % hs[0])
                mlen = int.from_bytes(hs[1:4], 'big')
                if mlen > MAX_HELLO:
                    raise Fatal(22, 'ClientHello of %d bytes' % mlen)
                if len(hs) >= 4 + mlen:
                    return parse_client_hello(bytes(hs[4:4 + mlen]), rec_version)

    def wait_close(self, deadline, polite_version=None):
        """After the answer: wait for the client to close. If it sends more (it
        goes on with the handshake we cannot finish), answer handshake_failure
        (TLS) or just close."""
        try:
            self.recv_more(deadline)
        except ClientGone:
            return
        if polite_version is not None:
            try:
                self.send(record(21, polite_version, b'\x02\x28'))
            except ClientGone:
                pass

    def drain(self, deadline):
        """Read and discard until the client closes or the deadline passes."""
        try:
            while True:
                self.recv_more(deadline)
                self.buf.clear()
        except ClientGone:
            pass


def pick(server_list, client_list, order, ok=lambda c: True):
    """The first acceptable item by the preference rule."""
    cset = set(client_list)
    sset = set(server_list)
    if order == 'server':
        for c in server_list:
            if c in cset and ok(c):
                return c
    else:
        for c in client_list:
            if c in sset and ok(c):
                return c
    return None


def ordered_shared(server_list, client_list, order):
    cset, sset = set(client_list), set(server_list)
    if order == 'server':
        return [c for c in server_list if c in cset]
    return [c for c in client_list if c in sset]


class Answer:
    """What to send: a TLS first flight (messages), an alert, or SSLv2 bytes."""

    def __init__(self):
        self.kind = 'tls'          # tls | alert | ssl2 | none
        self.version = 0x0301       # record version
        self.messages = []          # handshake messages (with headers)
        self.trailer = []           # raw records after the handshake messages (TLS 1.3)
        self.raw = b''              # ssl2 / alert bytes
        self.hrr = False
        self.negotiated = None      # the version the server chose (wire code)
        self.summary = ''
        self.alert = None


# --- TLS <= 1.2 --------------------------------------------------------------------

def needs_cert(info):
    return info.auth in ('RSA', 'DSS', 'ECDSA', 'GOST')


def ske_kind(info):
    """Which ServerKeyExchange a suite sends (None: none)."""
    kx = info.kx
    if kx in ('DHE', 'ECDHE', 'DHE_PSK', 'ECDHE_PSK', 'SRP', 'ECCPWD'):
        return kx
    if kx == 'RSA' and info.export:
        return 'RSA_EXPORT'
    return None


def ske_signed(info):
    return ske_kind(info) in ('DHE', 'ECDHE', 'SRP', 'RSA_EXPORT') and needs_cert(info)


def is_ec(info):
    return info.kx in ('ECDHE', 'ECDH', 'ECDHE_PSK', 'ECCPWD') or info.auth == 'ECDSA'


def choose_sigalg(cfg, h, keytype):
    """TLS 1.2 signature scheme for a key type (None: no shared scheme)."""
    if h.sigalgs is None:
        return {'rsa': 0x0201, 'dsa': 0x0202, 'ecdsa': 0x0203}.get(keytype, 0x0201)
    mine = [s for s in cfg.sigalgs if sigalg_keytype(s) == keytype]
    return pick(mine, h.sigalgs, cfg.order)


def choose_group(cfg, h):
    if not cfg.ec_groups:
        return None
    if h.groups is None:
        return cfg.ec_groups[0]
    return pick(cfg.ec_groups, h.groups, cfg.order)


def tls12_answer(cfg, h, version, mis):
    reg = cfg.reg
    choice = {}

    def ok(code):
        info = reg.suite(code)
        if (cfg.dhe_needs_ffdhe and info.kx in ('DHE', 'DHE_PSK') and
                not any(256 <= g <= 511 for g in (h.groups or []))):
            return False
        group = choose_group(cfg, h) if info.kx in ('ECDHE', 'ECDHE_PSK', 'ECCPWD') else None
        if info.kx in ('ECDHE', 'ECDHE_PSK', 'ECCPWD') and group is None:
            return False
        sigalg = None
        if version == 0x0303 and ske_signed(info):
            kt = cfg.cert_for(info.auth)[0]
            sigalg = choose_sigalg(cfg, h, kt)
            if sigalg is None:
                return False
        choice[code] = (group, sigalg)
        return True

    suite = pick(cfg.suites[version], h.suites, cfg.order, ok)
    if mis == 'wrong-suite':
        suite = not_offered(cfg, h, version)
        ok(suite)
        choice.setdefault(suite, (cfg.ec_groups[0] if cfg.ec_groups else 23, 0x0401))
    if suite is None:
        raise Fatal(40, 'no shared cipher suite')
    real_suite = suite
    if mis in ('scsv-suite', 'fallback-scsv-suite'):
        # A signalling value is never a suite (RFC 5746 §3.3, RFC 7507 §2):
        # the rest of the flight is the one of the suite really chosen.
        suite = 0x00FF if mis == 'scsv-suite' else 0x5600
    info = reg.suite(real_suite)
    group, sigalg = choice[real_suite]
    if group is None and (info.kx in ('ECDHE', 'ECDHE_PSK', 'ECCPWD')):
        group = cfg.ec_groups[0] if cfg.ec_groups else 23
    wire_version = version
    if mis == 'wrong-version':
        wire_version = min(h.legacy_version, 0x0303) + 1 if h.supported_versions is None \
            else not_offered_version(h)
    if mis == 'dtls-version':
        wire_version = 0xFEFD       # DTLS 1.2, never a TLS version

    # ServerHello
    rnd = bytearray(cfg.rand(32))
    if 0x0304 in cfg.versions:
        rnd[24:] = DOWNGRADE_TLS12 if version == 0x0303 else DOWNGRADE_TLS11
    exts = []
    sent = h.ext_types
    echo = cfg.echo
    if 'renegotiation_info' in echo and (0xFF01 in sent or 0x00FF in h.suites):
        exts.append((0xFF01, b'\x00'))
    if 'server_name' in echo and 0 in sent:
        exts.append((0, b''))
    if is_ec(info) and 11 in sent:
        exts.append((11, b'\x01\x00'))
    if 'session_ticket' in echo and 35 in sent:
        exts.append((35, b''))
    stapling = 'status_request' in echo and 5 in sent and needs_cert(info)
    if stapling:
        exts.append((5, b''))
    if cfg.alpn and h.alpn is not None:
        proto = pick(cfg.alpn, h.alpn, 'server')
        if proto is not None:
            exts.append((16, v16(v8(proto))))
        elif cfg.alpn_strict:
            raise Fatal(120, 'no shared ALPN protocol')
    if 'encrypt_then_mac' in echo and 22 in sent and info.mode == 'CBC' and version >= 0x0301:
        exts.append((22, b''))
    if 'extended_master_secret' in echo and 23 in sent:
        exts.append((23, b''))
    if 'heartbeat' in echo and 15 in sent:
        exts.append((15, b'\x01'))
    if mis == 'duplicate-ext':
        exts.append(exts[0] if exts else (0xFF01, b'\x00'))
        if len(exts) == 1:
            exts.append(exts[0])
    ext_bytes = b''.join(u16(t) + v16(d) for t, d in exts)
    sh = (u16(wire_version) + bytes(rnd) + v8(cfg.rand(32)) + u16(suite) +
          mode_hello.compression(cfg, h, compression_byte(h, mis)) +
          (v16(ext_bytes) if exts else b''))
    if mis == 'empty-hello':
        sh = b''
    msgs = [hs_msg(2, sh)]
    keytype = None
    if needs_cert(info):
        keytype, (chain, siglen) = cfg.cert_for(info.auth)
        msgs.append(hs_msg(11, v24(b''.join(v24(c) for c in chain))))
        if stapling:
            msgs.append(hs_msg(22, b'\x01' + v24(OCSP_TRY_LATER)))
    ske = build_ske(cfg, info, version, group, sigalg, keytype)
    if ske is not None:
        msgs.append(hs_msg(12, ske))
    msgs.append(hs_msg(14, b''))

    a = Answer()
    a.version = wire_version
    a.negotiated = version
    a.messages = msgs
    extra = ''
    if group is not None and ske_kind(info) in ('ECDHE', 'ECDHE_PSK', 'ECCPWD'):
        extra += ' group=%s' % reg.group_name(group)
    if ske_kind(info) in ('DHE', 'DHE_PSK'):
        extra += ' dh=%d' % (cfg.export_dh_bits if info.export else cfg.dh_bits)
    if sigalg is not None and version == 0x0303 and ske is not None and ske_signed(info):
        extra += ' sigalg=%s' % hexcode(sigalg)
    a.summary = '%s %s %s%s%s' % (VNAME.get(version, hexcode(version)), hexcode(suite),
                                  reg.suite(suite).name, extra,
                                  ' ext=' + ','.join('%04x' % t for t, _ in exts) if exts else '')
    return a


def ec_point(cfg, group):
    n = cfg.reg.share_len(group)
    if group in (29, 30) or cfg.reg.group_kind(group) != 'ecdhe':
        return cfg.rand(n)
    return b'\x04' + cfg.rand(n - 1)


def build_ske(cfg, info, version, group, sigalg, keytype):
    kind = ske_kind(info)
    if kind is None:
        return None
    if kind in ('DHE', 'DHE_PSK'):
        p = cfg.dh_prime(cfg.export_dh_bits if info.export else cfg.dh_bits)
        params = v16(p) + v16(b'\x02') + v16(mode_kex.dh_public(cfg, p, cfg.below(p)))
        if kind == 'DHE_PSK':
            params = v16(b'') + params
    elif kind in ('ECDHE', 'ECDHE_PSK'):
        params = b'\x03' + u16(group) + v8(mode_kex.ec_public(cfg, group, ec_point(cfg, group)))
        if kind == 'ECDHE_PSK':
            params = v16(b'') + params
    elif kind == 'RSA_EXPORT':
        params = v16(cfg.odd_number(cfg.export_rsa_bits)) + v16(b'\x01\x00\x01')
    elif kind == 'SRP':
        n = cfg.dh_prime(cfg.dh_bits)
        params = v16(n) + v16(b'\x02') + v8(cfg.rand(16)) + v16(cfg.below(n))
    else:  # ECCPWD (RFC 8492): salt, ECParameters, element, scalar
        params = (v8(cfg.rand(32)) + b'\x03' + u16(group) + v8(ec_point(cfg, group)) +
                  v8(cfg.rand(32)))
    if not ske_signed(info):
        return params
    kt, (_, siglen) = cfg.cert_for(info.auth)
    if kt == 'ecdsa' or kt == 'dsa':
        half = (siglen - 6) // 2
        r = bytes([cfg.randint(1, 0x7F)]) + cfg.rand(half - 1)
        s = bytes([cfg.randint(1, 0x7F)]) + cfg.rand(half - 1)
        sig = b'\x30' + v8(b'\x02' + v8(r) + b'\x02' + v8(s))
    else:
        sig = cfg.rand(siglen)
    if version == 0x0303:
        return params + u16(sigalg if sigalg is not None else 0x0401) + v16(sig)
    return params + v16(sig)


def not_offered(cfg, h, version):
    offered = set(h.suites)
    for c in cfg.suites.get(version, []):
        if c not in offered:
            return c
    for c in sorted(cfg.reg.suites):
        info = cfg.reg.suites[c]
        if c not in offered and version in info.versions and info.kx != 'SCSV':
            return c
    return 0xFFFE


def compression_byte(h, mis):
    """The ServerHello compression_method: null, or with --misbehave compression
    one the client did not offer (DEFLATE, or LZS when DEFLATE was offered)."""
    if mis != 'compression':
        return b'\x00'
    return b'\x40' if 1 in h.compressions else b'\x01'


def not_offered_version(h):
    offered = set(h.supported_versions or [])
    for v in (0x0304, 0x0303, 0x0302, 0x0301, 0x0300):
        if v not in offered:
            return v
    return 0x0305


# --- TLS 1.3 -------------------------------------------------------------------------

def tls13_answer(cfg, h, mis, hrr_group=None):
    suite = pick(cfg.suites[0x0304], h.suites, cfg.order)
    if mis == 'wrong-suite':
        suite = not_offered(cfg, h, 0x0304)
    if suite is None:
        raise Fatal(40, 'no shared TLS 1.3 suite')
    if h.groups is None:
        raise Fatal(109, 'no supported_groups')
    shared = ordered_shared(cfg.tls13_groups, h.groups, cfg.order)
    if not shared:
        raise Fatal(40, 'no shared TLS 1.3 group')
    group = shared[0]
    if hrr_group is not None:
        group = hrr_group
        if group not in h.key_shares:
            raise Fatal(47, 'second ClientHello lacks the key_share asked for')
    elif cfg.prefer_keyshare:
        with_share = [g for g in shared if g in h.key_shares]
        if with_share:
            group = with_share[0]
    # unsent-share: where a HelloRetryRequest belongs, a ServerHello with a
    # key_share for the group the client listed but sent no share for
    # (RFC 8446 §4.2.8 forbids it).
    unsent = hrr_group is None and mis == 'unsent-share' and group not in h.key_shares
    hrr = group not in h.key_shares and not unsent
    sv = not_offered_version(h) if mis == 'wrong-version' else 0x0304
    exts = [(43, u16(sv))]
    if hrr:
        exts.append((51, u16(group)))
    else:
        exts.append((51, u16(group) + v16(mode_kex.ec_public(
            cfg, group, cfg.rand(cfg.reg.share_len(group))))))
    if mis == 'duplicate-ext':
        exts.append(exts[0])
    ext_bytes = b''.join(u16(t) + v16(d) for t, d in exts)
    rnd = HRR_RANDOM if hrr else cfg.rand(32)
    if mis in ('scsv-suite', 'fallback-scsv-suite'):
        suite = 0x00FF if mis == 'scsv-suite' else 0x5600
    sh = (u16(0x0303) + rnd + v8(h.session_id) + u16(suite) + compression_byte(h, mis) +
          v16(ext_bytes))
    if mis == 'empty-hello':
        sh = b''
    a = Answer()
    a.version = 0x0303
    a.negotiated = sv
    a.messages = [hs_msg(2, sh)]
    a.hrr = hrr
    if h.session_id:
        a.trailer.append(record(20, 0x0303, b'\x01'))
    if not hrr:
        # Stand-in for the encrypted EncryptedExtensions..Finished flight.
        chain = cfg.cert_for('RSA')[1][0]
        a.trailer.append(record(23, 0x0303, cfg.rand(sum(len(c) for c in chain) + 400)))
    a.summary = '%s %s %s %s=%s' % ('tls1.3', hexcode(suite), cfg.reg.suite(suite).name,
                                    'hrr' if hrr else 'group', cfg.reg.group_name(group))
    return a


# --- SSLv2 ---------------------------------------------------------------------------

def ssl2_frame(body):
    return u16(0x8000 | len(body)) + body


def ssl2_answer(cfg, h, mis):
    kinds = ordered_shared(cfg.ssl2, h.ssl2_kinds, cfg.order)
    a = Answer()
    a.kind = 'ssl2'
    a.version = 0x0002
    a.negotiated = 0x0002
    if mis == 'wrong-suite':
        offered = set(h.ssl2_kinds)
        kinds = [k for k in list(cfg.ssl2) + sorted(cfg.reg.ssl2) if k not in offered][:1] \
            or [0xFFFFFF]
    if mis == 'alert-instead':
        code = cfg.randint(1, 6)
        a.raw = ssl2_frame(b'\x00' + u16(code))
        a.summary = 'ssl2 ERROR %d (alert-instead)' % code
        return a
    if not kinds:
        a.raw = ssl2_frame(b'\x00\x00\x01')
        a.summary = 'ssl2 ERROR NO-CIPHER'
        a.alert = 'ssl2-no-cipher'
        return a
    cert = cfg.cert_for('RSA')[1][0][0]
    specs = b''.join(k.to_bytes(3, 'big') for k in kinds)
    version = 0x0300 if mis == 'wrong-version' else 0x0002
    body = (b'\x04\x00\x01' + u16(version) + u16(len(cert)) + u16(len(specs)) + u16(16) +
            cert + specs + cfg.rand(16))
    if len(body) > 0x7FFF:
        raise RuntimeError('certificate too large for an SSLv2 record')
    a.raw = ssl2_frame(body)
    a.messages = [body]
    a.summary = 'ssl2 %s' % ','.join(hexcode(k, 6) for k in kinds)
    return a


# --- negotiation ----------------------------------------------------------------------

def alert_version(h):
    if h.fmt == 'ssl2':
        return 0x0300
    return max(0x0300, min(h.legacy_version, 0x0303))


def negotiate(cfg, h, mis, hrr_group=None):
    """An Answer for a parsed hello (raises Fatal for alert answers)."""
    tls_versions = [v for v in cfg.versions if v >= 0x0300]
    if h.fmt == 'ssl2':
        if 0x0002 not in cfg.versions:
            a = Answer()
            a.kind = 'none'
            a.summary = 'SSLv2 hello, SSLv2 disabled: close'
            return a
        return ssl2_answer(cfg, h, mis)
    if h.legacy_version >> 8 != 3:
        raise Fatal(70, 'legacy_version %s' % hexcode(h.legacy_version))
    if 0x0304 in cfg.versions and h.supported_versions is not None and h.fmt == 'tls':
        cands = [v for v in h.supported_versions if v in tls_versions]
    else:
        cap = min(h.legacy_version, 0x0303)
        cands = [v for v in tls_versions if v <= cap and v != 0x0304]
    if not cands:
        if h.fmt == 'v2compat' and 0x0002 in cfg.versions:
            return ssl2_answer(cfg, h, mis)
        if mis == 'wrong-version':
            cands = [0x0303]
        else:
            raise Fatal(70, 'no shared version')
    version = max(cands)
    if cfg.fallback_scsv and 0x5600 in h.suites and version < max(tls_versions):
        raise Fatal(86, 'TLS_FALLBACK_SCSV with %s' % VNAME[version])
    if version == 0x0304:
        return tls13_answer(cfg, h, mis, hrr_group)
    if h.fmt == 'v2compat' and 0x0002 in cfg.versions and \
            pick(cfg.suites[version], h.suites, cfg.order) is None and h.ssl2_kinds:
        return ssl2_answer(cfg, h, mis)
    return tls12_answer(cfg, h, version, mis)


def alert_answer(version, desc, why=''):
    a = Answer()
    a.kind = 'alert'
    a.version = version
    a.raw = record(21, version, bytes([2, desc]))
    a.alert = desc
    a.summary = 'alert %s(%d)%s' % (ALERTS.get(desc, '?'), desc, ' [%s]' % why if why else '')
    return a


# --- sending ---------------------------------------------------------------------------

def serialize(cfg, a):
    """The list of writes for an Answer (record layout per --split-records,
    --fragment and --tcp-chunk)."""
    if a.kind in ('ssl2', 'alert'):
        writes = [a.raw]
    else:
        size = cfg.fragment or 16384
        payloads = a.messages if cfg.split_records else [b''.join(a.messages)]
        recs = []
        for p in payloads:
            for i in range(0, len(p), size):
                recs.append(record(22, a.version, p[i:i + size]))
        recs += a.trailer
        writes = recs if (cfg.fragment or cfg.split_records) else [b''.join(recs)]
    if cfg.tcp_chunk:
        stream = b''.join(writes)
        writes = [stream[i:i + cfg.tcp_chunk] for i in range(0, len(stream), cfg.tcp_chunk)]
    return writes


def misbehave_send(conn, cfg, a, mis, deadline):
    """Send an Answer the hostile way; returns a note for the log."""
    stream = b''.join(serialize(cfg, a)) if a.kind != 'none' else b''
    if mis == 'truncate':
        conn.send(stream[:max(1, len(stream) // 2)])
        return 'sent %d of %d bytes, closed' % (max(1, len(stream) // 2), len(stream))
    if mis == 'reset-mid':
        conn.send(stream[:max(1, len(stream) // 2)])
        time.sleep(0.05)
        rst(conn.sock)
        return 'sent %d of %d bytes, reset' % (max(1, len(stream) // 2), len(stream))
    if mis == 'trickle':
        for i in range(len(stream)):
            conn.send(stream[i:i + 1])
            time.sleep(cfg.trickle)
        return 'trickled %d bytes' % len(stream)
    if mis == 'bad-length':
        if a.kind == 'ssl2':
            body = a.raw[2:]
            conn.send(u16(0x8000 | min(0x7FFF, len(body) + 100)) + body)
            return 'SSLv2 header claims %d more bytes, closed' % 100
        first = b''.join(a.messages)[:16384]
        conn.send(u8(22) + u16(a.version) + u16(min(0xFFFF, len(first) + 100)) + first)
        return 'record length %d for %d bytes, closed' % (min(0xFFFF, len(first) + 100),
                                                          len(first))
    if mis == 'bad-hs-length':
        if a.kind == 'ssl2' or not a.messages:
            conn.send(stream)
            return 'no handshake messages to lie about'
        m = a.messages[0]
        claimed = int.from_bytes(m[1:4], 'big') + 1000
        bad = m[:1] + u24(claimed) + m[4:]
        conn.send(record(22, a.version, bad))
        return 'ServerHello length %d for %d bytes, closed' % (claimed, len(m) - 4)
    raise AssertionError(mis)


def rst(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def send_oversize(conn, cfg, a, deadline):
    if a.kind == 'ssl2':
        body = b'\x04\x00\x01\x00\x02\xFF\xFF\x00\x03\x00\x10'
        conn.send(u16(0xFFFF) + body + cfg.rand(0x7FFF - len(body)))
        return 'SSLv2 SERVER-HELLO claiming a 65535-byte certificate'
    total = 0
    claim = 0xFFFFFF
    first = True
    while total < claim + 4 and time.monotonic() < deadline:
        chunk = cfg.rand(16384 - (4 if first else 0))
        payload = (u8(2) + u24(claim) + chunk) if first else chunk
        first = False
        conn.send(record(22, a.version if a.kind == 'tls' else 0x0303, payload))
        total += len(payload)
    return 'handshake message claiming %d bytes, sent %d' % (claim, total)


def handle(conn):
    cfg = conn.cfg
    mis = cfg.misbehave if (cfg.misbehave_count <= 0 or conn.index < cfg.misbehave_count) \
        else None
    deadline = time.monotonic() + cfg.timeout
    desc = ''
    h = None
    hrr_group = None
    first = True
    try:
        while True:
            try:
                h = conn.read_hello(deadline, first)
            except BadInput as e:
                if not e.alert:
                    return 'closed: %s' % e
                conn.send(record(21, 0x0301 if h is None else 0x0303, b'\x02\x32'))
                return 'alert decode_error(50) [%s]' % e
            except Fatal as e:
                a = alert_answer(0x0301 if h is None else alert_version(h), e.desc, str(e))
                conn.send(a.raw)
                return a.summary
            desc = hello_desc(h) if first else desc + ' | 2nd ' + hello_desc(h)
            first = False
            if cfg.misbehave_by_sni and h.sni and h.sni.split('.')[0] in MISBEHAVIOURS:
                mis = h.sni.split('.')[0]
            if mis and cfg.misbehave_versions and \
                    negotiated_version(cfg, h, hrr_group) not in cfg.misbehave_versions:
                mis = None
            if mis in ('silence', 'close', 'reset', 'garbage'):
                return do_blunt(conn, cfg, mis, deadline, h)
            note = mode_hello.refusal(conn, cfg, h)
            if note is not None:
                return '%s -> %s' % (desc, note)
            if cfg.max_hello_suites and h.fmt != 'ssl2' and len(h.suites) > cfg.max_hello_suites:
                return do_blunt(conn, cfg, 'reset', deadline, h)
            try:
                a = negotiate(cfg, h, mis, hrr_group)
            except Fatal as e:
                a = alert_answer(alert_version(h), e.desc, str(e))
            if a.kind == 'none':
                return a.summary
            if mis == 'alert-instead' and a.kind != 'ssl2':
                d = cfg.choice(sorted(ALERTS))
                a = alert_answer(a.version if a.kind == 'tls' else alert_version(h), d)
            if mis == 'oversize':
                note = send_oversize(conn, cfg, a, deadline + cfg.timeout)
                conn.drain(time.monotonic() + cfg.timeout)
                return 'oversize: ' + note
            if mis in ('truncate', 'reset-mid', 'trickle', 'bad-length', 'bad-hs-length'):
                note = misbehave_send(conn, cfg, a, mis, deadline)
                if mis == 'trickle':
                    conn.wait_close(time.monotonic() + cfg.timeout)
                return '%s -> %s: %s' % (desc, a.summary, mis + ' ' + note)
            conn.send_writes(serialize(cfg, a), cfg.write_delay)
            if mode_robot.applies(cfg, a):
                return '%s -> %s | %s' % (desc, a.summary, mode_robot.react(conn, cfg, a))
            if a.kind == 'tls' and a.hrr:
                hrr_group = _hrr_group(a)
                desc += ' -> ' + a.summary
                deadline = time.monotonic() + cfg.timeout
                continue
            if a.kind == 'tls' and mode_conv.active(cfg):
                return '%s -> %s: %s' % (desc, a.summary, mode_conv.after_flight(conn, cfg, a))
            if a.kind != 'alert':          # after a fatal alert a server just closes
                conn.wait_close(time.monotonic() + cfg.timeout,
                                a.version if a.kind == 'tls' else None)
            return '%s -> %s%s' % (desc, a.summary, ' [%s]' % mis if mis else '')
    except ClientGone as e:
        return '%s%s(%s)' % (desc, ' -> ' if desc else '', e)


def negotiated_version(cfg, h, hrr_group):
    """The version a well-behaved answer to h has (None: an alert or a close)."""
    try:
        return negotiate(cfg, h, None, hrr_group).negotiated
    except Fatal:
        return None


def _hrr_group(a):
    sh = a.messages[0][4:]
    r = Reader(sh)
    r.take(2 + 32)
    r.v8()
    r.take(3)
    e = Reader(r.v16())
    while e.left():
        t = e.u16()
        d = e.v16()
        if t == 51:
            return struct.unpack('!H', d[:2])[0]
    return None


def do_blunt(conn, cfg, mis, deadline, h):
    d = hello_desc(h)
    if mis == 'silence':
        conn.drain(time.monotonic() + cfg.timeout)
        return '%s -> silence' % d
    if mis == 'close':
        return '%s -> closed without answer' % d
    if mis == 'reset':
        rst(conn.sock)
        return '%s -> reset' % d
    n = cfg.randint(16, 2048)
    conn.send(cfg.rand(n))
    conn.wait_close(time.monotonic() + cfg.timeout)
    return '%s -> %d bytes of garbage' % (d, n)


def hello_desc(h):
    if h.fmt == 'ssl2':
        return 'ssl2-hello kinds=%d' % len(h.ssl2_kinds)
    v = VNAME.get(h.legacy_version, hexcode(h.legacy_version))
    s = '%s%s rec=%s suites=%d' % ('v2compat ' if h.fmt == 'v2compat' else '', v,
                                   hexcode(h.record_version), len(h.suites))
    if h.supported_versions:
        s += ' sv=' + ','.join(VNAME.get(x, hexcode(x)) for x in h.supported_versions
                               if x in VNAME)
    if h.groups is not None:
        s += ' groups=%d' % len(h.groups)
    if h.fmt == 'v2compat' and h.ssl2_kinds:
        s += ' kinds=%d' % len(h.ssl2_kinds)
    return s


# --- server ------------------------------------------------------------------------------

class Server:
    def __init__(self, cfg, listen):
        self.cfg = cfg
        host, port = parse_listen(listen)
        fam = socket.AF_INET6 if ':' in host else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(256)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self.lock = threading.Lock()
        self.active = threading.BoundedSemaphore(1024)

    def serve(self):
        while True:
            try:
                s, peer = self.sock.accept()
            except OSError as e:
                log('accept: %s' % e)
                time.sleep(0.05)
                continue
            if not self.active.acquire(blocking=False):
                s.close()
                continue
            with self.lock:
                idx = self.count
                self.count += 1
            t = threading.Thread(target=self.run_one, args=(s, peer, idx), daemon=True)
            t.start()

    def run_one(self, s, peer, idx):
        conn = Conn(s, peer, self.cfg, idx)
        try:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.cfg.starttls and not mode_starttls.run(s, self.cfg.starttls, idx,
                                                              keypair=self.cfg.starttls_keypair):
                result = 'starttls %s: no TLS' % self.cfg.starttls
                return
            if self.cfg.ticketbleed_backend:
                result = mode_ticket.handle(conn, self.cfg.ticketbleed_backend)
            else:
                result = handle(conn)
        except Exception as e:   # never die on a client; log internal errors always
            result = 'internal error: %s: %s' % (type(e).__name__, e)
            log('#%d %s' % (idx, result))
        finally:
            try:
                s.close()
            except OSError:
                pass
            self.active.release()
        if self.cfg.verbose:
            log('#%d %s:%d %s' % (idx, peer[0], peer[1], result))


def parse_listen(s):
    if s.startswith('['):
        host, _, port = s[1:].partition(']:')
    else:
        host, _, port = s.rpartition(':')
    try:
        port = int(port)
        if not ipaddress.ip_address(host).is_loopback:
            raise SystemExit('legacy_server: refusing to listen on non-loopback %s' % host)
    except ValueError:
        raise SystemExit('legacy_server: --listen wants LOOPBACK-IP:PORT, not %r' % s)
    return host, port


def log(msg):
    try:
        sys.stderr.write('legacy_server: %s\n' % msg)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        cfg = Config(args)
    except OSError as e:
        raise SystemExit('legacy_server: %s' % e)
    cfg.ticketbleed_backend = args.ticketbleed_backend
    if args.show_config:
        cfg.show(sys.stdout)
        return 0
    srv = Server(cfg, args.listen)

    def stop(signum, frame):
        raise Shutdown()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.pidfile:
        with open(args.pidfile, 'w') as f:
            f.write('%d\n' % os.getpid())
    try:
        sys.stdout.write('PORT %d\n' % srv.port)
        sys.stdout.flush()
    except OSError:
        pass
    if cfg.verbose:
        log('listening on %s port %d (versions %s)' %
            (args.listen.rsplit(':', 1)[0], srv.port,
             ','.join(VNAME[v] for v in sorted(cfg.versions))))
    try:
        srv.serve()
    except Shutdown:
        pass
    finally:
        try:
            srv.sock.close()
        except OSError:
            pass
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass
    if cfg.verbose:
        log('stopped after %d connections' % srv.count)
    return 0


if __name__ == '__main__':
    sys.exit(main())
