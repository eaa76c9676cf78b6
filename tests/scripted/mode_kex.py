"""tests/scripted/mode_kex.py - key reuse for the scripted server.

`--kex-reuse dhe|ecdhe|both` makes the server send the same DHE public
value (Ys) for a given prime, and/or the same ECDHE point (ServerKeyExchange
and TLS 1.3 key_share) for a given group, in every handshake, as a server
with a static or cached "ephemeral" key does (Raccoon, CVE-2020-1968, needs
the DHE case under TLS <= 1.2). The default, `none`, leaves every value
fresh. legacy_server.py calls add_options, configure and the two value
hooks; nothing else of it changes.
"""
import threading

CHOICES = ('none', 'dhe', 'ecdhe', 'both')


def add_options(a):
    a('--kex-reuse', choices=CHOICES, default='none',
      help='send one fixed DHE public value per prime (dhe), one fixed ECDHE point per group '
           '(ecdhe, also the TLS 1.3 key_share), or both, in every handshake')


def configure(cfg, args):
    cfg.kex_reuse = args.kex_reuse
    cfg.kex_fixed = {}
    cfg.kex_lock = threading.Lock()


def _fixed(cfg, key, fresh):
    with cfg.kex_lock:
        return cfg.kex_fixed.setdefault(key, fresh)


def dh_public(cfg, p, fresh):
    """The Ys to send for prime p: fresh, or the first one sent for p."""
    if cfg.kex_reuse in ('dhe', 'both'):
        return _fixed(cfg, ('dh', bytes(p)), fresh)
    return fresh


def ec_public(cfg, group, fresh):
    """The ECDHE point / key share to send for group: fresh, or the first one."""
    if cfg.kex_reuse in ('ecdhe', 'both'):
        return _fixed(cfg, ('ec', group), fresh)
    return fresh
