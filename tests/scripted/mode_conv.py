"""tests/scripted/mode_conv.py - the scripted server's answers to the
conversation vulnerability probes (scanner/probes/heartbleed.c,
ccs_injection.c): what a server does with the records a client sends after
the server's first flight (ServerHelloDone).

Modes (legacy_server.py options, combinable):
  --heartbleed         echo the heartbeat extension (RFC 6520) and answer every
                       HeartbeatRequest with a response whose payload_length is
                       the one claimed, as OpenSSL 1.0.1-1.0.1f did: the bytes
                       the client sent, then a fixed marker pattern (b'LEAK')
                       for the claimed bytes it did not send. Never real memory.
  --heartbeat-patched  echo the heartbeat extension and behave as RFC 6520 §4
                       says: a request whose payload_length does not fit its
                       record is discarded, a well-formed one is answered.
  --heartbeat-lies     echo the heartbeat extension and answer every request
                       with a response claiming payload_length 65535 in a
                       record of 35 bytes (a hostile answer: no verdict).
  --ccs-accept         take an early ChangeCipherSpec and stay silent, the
                       connection open, until the client closes.
  --ccs-bad-mac        take the first early ChangeCipherSpec; answer the next
                       record with a fatal bad_record_mac alert, as an unpatched
                       OpenSSL reading it under keys from an empty master secret.
Without them (or for any other record) the server answers what comes after
its flight with a fatal handshake_failure alert, as before.

legacy_server.py calls add_options, configure and, after a TLS <= 1.2 flight,
after_flight; active(cfg) says whether one of these modes is on.
"""
import struct
import time

MARKER = b'LEAK'
CT_CCS, CT_ALERT, CT_HANDSHAKE, CT_HEARTBEAT = 20, 21, 22, 24
HB_REQUEST, HB_RESPONSE = 1, 2
MAX_RECORD = 16384 + 2048


def add_options(a):
    a('--heartbleed', action='store_true',
      help='answer HeartbeatRequests with the payload_length claimed (marker bytes, '
           'never memory): CVE-2014-0160 (see mode_conv.py)')
    a('--heartbeat-patched', action='store_true',
      help='echo heartbeat and answer only well-formed HeartbeatRequests (RFC 6520)')
    a('--heartbeat-lies', action='store_true',
      help='answer HeartbeatRequests claiming 65535 payload bytes in a short record')
    a('--ccs-accept', action='store_true',
      help='stay silent after an early ChangeCipherSpec: CVE-2014-0224')
    a('--ccs-bad-mac', action='store_true',
      help='take an early ChangeCipherSpec, answer the next record with bad_record_mac')


def configure(cfg, args):
    cfg.conv_heartbleed = args.heartbleed
    cfg.conv_heartbeat = args.heartbleed or args.heartbeat_patched or args.heartbeat_lies
    cfg.conv_lies = args.heartbeat_lies
    cfg.conv_ccs = 'accept' if args.ccs_accept else ('bad-mac' if args.ccs_bad_mac else None)
    if cfg.conv_heartbeat:
        cfg.echo = set(cfg.echo) | {'heartbeat'}


def active(cfg):
    return cfg.conv_heartbeat or cfg.conv_ccs is not None


def _record(ctype, version, payload):
    return struct.pack('!BHH', ctype, version, len(payload)) + payload


def _read_record(conn, deadline):
    conn.need(5, deadline)
    ctype, ver, ln = struct.unpack('!BHH', bytes(conn.buf[:5]))
    if ln > MAX_RECORD:
        ln = MAX_RECORD
    conn.need(5 + ln, deadline)
    rec = conn.take(5 + ln)
    return ctype, ver, rec[5:]


def _heartbeat(cfg, version, body):
    """The response to one heartbeat record, or None (discarded)."""
    if len(body) < 3 or body[0] != HB_REQUEST:
        return None
    claimed = struct.unpack('!H', body[1:3])[0]
    if cfg.conv_lies:
        msg = bytes([HB_RESPONSE]) + b'\xff\xff' + MARKER * 4 + b'\x00' * 16
        return _record(CT_HEARTBEAT, version, msg)
    sent = body[3:3 + claimed]
    if not cfg.conv_heartbleed and 3 + claimed + 16 > len(body):
        return None                 # RFC 6520 §4: silently discarded
    claimed = min(claimed, 16384 - 3 - 16)
    payload = sent[:claimed]
    fill = claimed - len(payload)
    payload += (MARKER * (fill // len(MARKER) + 1))[:fill]
    msg = bytes([HB_RESPONSE]) + struct.pack('!H', claimed) + payload + b'\x00' * 16
    return _record(CT_HEARTBEAT, version, msg)


def after_flight(conn, cfg, a):
    """Reads the client's records after the flight until it closes; returns a
    note for the log. Raises ClientGone (from conn) when the client goes."""
    deadline = time.monotonic() + cfg.timeout
    ccs_taken = False
    notes = []
    while True:
        try:
            ctype, ver, body = _read_record(conn, deadline)
        except Exception as e:      # ClientGone: the client closed or timed out
            if type(e).__name__ != 'ClientGone':
                raise
            notes.append('(%s)' % e)
            return ' '.join(notes)
        if ccs_taken and cfg.conv_ccs == 'bad-mac':
            conn.send(_record(CT_ALERT, a.version, b'\x02\x14'))
            notes.append('record after an early CCS -> alert bad_record_mac(20)')
            return ' '.join(notes)
        if ctype == CT_HEARTBEAT and cfg.conv_heartbeat:
            resp = _heartbeat(cfg, a.version, body)
            if resp is None:
                notes.append('heartbeat request discarded')
                continue
            conn.send(resp)
            notes.append('heartbeat response of %d bytes' % (len(resp) - 5))
            continue
        if ctype == CT_CCS and cfg.conv_ccs is not None and not ccs_taken:
            ccs_taken = True
            notes.append('early CCS taken')
            continue
        if ctype == CT_CCS and cfg.conv_ccs == 'accept':
            notes.append('another CCS, silent')
            continue
        conn.send(_record(CT_ALERT, a.version, b'\x02\x28'))
        notes.append('record type %d -> alert handshake_failure(40)' % ctype)
        return ' '.join(notes)
