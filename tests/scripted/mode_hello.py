"""mode_hello.py - the scripted server's ClientHello-feature modes (issue 13):
what no Debian server does any more, for tlsaudit's extra-ClientHello
probes (scanner/probes/hello_plan.c).

  --compression deflate   a TLS <= 1.2 ServerHello picks DEFLATE (1) whenever
                          the client offers it (CRIME, CVE-2012-4929)
  --intolerant MODE       refuse a hello that carries what MODE names, the way
                          intolerant servers and middleboxes do; any other
                          hello is answered normally:
     grease    a GREASE value (RFC 8701: 0x?A?A) among the suites, extension
               types, supported_groups, signature_algorithms or
               supported_versions: fatal handshake_failure (40)
     version   legacy_version above 0x0303, or supported_versions with a value
               above 0x0304 that is not GREASE: fatal protocol_version (70)
     long      a ClientHello handshake message of --intolerant-long-bytes or
               more (default 1000): the connection closed without a byte

legacy_server.py calls add_options (its parser), configure (its Config),
refusal (after each hello is read) and compression (the ServerHello's
compression byte). Python 3 standard library only.
"""

import struct
import sys

MODES = ('grease', 'version', 'long')


def add_options(a):
    a('--compression', choices=('null', 'deflate'), default='null',
      help='deflate: a TLS<=1.2 ServerHello picks DEFLATE (1) when offered (CRIME)')
    a('--intolerant', choices=MODES, action='append', default=[],
      help='refuse hellos with GREASE values, an unknown higher version, or a long '
           'hello (repeatable; see mode_hello.py)')
    a('--intolerant-long-bytes', type=int, default=1000, metavar='N',
      help='--intolerant long: the hello size (handshake message) from which it refuses')


def configure(cfg, args):
    cfg.compression = args.compression
    cfg.intolerant = set(args.intolerant)
    cfg.intolerant_long = max(1, args.intolerant_long_bytes)


def is_grease(v):
    return (v & 0x0F0F) == 0x0A0A and (v >> 8) == (v & 0xFF)


def hello_len(h):
    """The handshake message length of a parsed TLS hello (header included)."""
    n = 4 + 2 + 32 + 1 + len(h.session_id) + 2 + 2 * len(h.suites) + 1 + len(h.compressions)
    if h.exts:
        n += 2 + sum(4 + len(d) for _, d in h.exts)
    return n


def _greased(h):
    lists = [h.suites, [t for t, _ in h.exts], h.groups or [], h.sigalgs or [],
             h.supported_versions or [], list(h.key_shares)]
    return any(is_grease(v) for lst in lists for v in lst)


def _future_version(h):
    if h.legacy_version > 0x0303:
        return True
    return any(v > 0x0304 and not is_grease(v) for v in (h.supported_versions or []))


def refusal(conn, cfg, h):
    """Refuses h as --intolerant says: sends the alert or nothing, returns the
    log note (the caller closes); None when h is to be answered."""
    if not cfg.intolerant or h.fmt != 'tls':
        return None
    version = max(0x0301, min(h.legacy_version, 0x0303))
    if 'grease' in cfg.intolerant and _greased(h):
        conn.send(struct.pack('!BHHBB', 21, version, 2, 2, 40))
        return 'intolerant: GREASE value -> alert handshake_failure(40)'
    if 'version' in cfg.intolerant and _future_version(h):
        conn.send(struct.pack('!BHHBB', 21, version, 2, 2, 70))
        return 'intolerant: version above TLS 1.3 -> alert protocol_version(70)'
    if 'long' in cfg.intolerant and hello_len(h) >= cfg.intolerant_long:
        return 'intolerant: %d-byte hello -> closed without answer' % hello_len(h)
    if cfg.verbose:
        print('mode_hello: %d-byte hello tolerated' % hello_len(h), file=sys.stderr)
    return None


def compression(cfg, h, byte):
    """The TLS <= 1.2 ServerHello's compression byte: DEFLATE with
    --compression deflate when offered, else what the server would send."""
    if cfg.compression == 'deflate' and 1 in h.compressions:
        return b'\x01'
    return byte
