#!/usr/bin/env python3
"""data/import-clients.py - historical client profiles from published hellos.

    data/import-clients.py [CLIENT_SIMULATION_TXT] > /tmp/published.tsv

Reads SSL Labs' client list (api.ssllabs.com/api/v3/getClients) as testssl.sh
3.x republishes it in etc/client-simulation.txt (Debian's testssl.sh package:
/etc/testssl/client-simulation.txt), keeps the clients named in WANTED, parses
each one's recorded ClientHello bytes with data/capture-hello.py's parser
(our code) and prints one data/clients.tsv row per client: the facts only
(versions, suites, groups, key shares, signature schemes, extensions,
minimum/maximum DH and minimum RSA sizes as SSL Labs lists them). Nothing of
the file is copied but those facts. Run by hand; the build never runs it.
"""

import importlib.util
import os
import re
import sys

WANTED = [
    "Android 4.4.2", "Android 5.0.0", "Android 6.0", "Android 7.0 (native)",
    "Android 8.1 (native)", "Android 9.0 (native)", "Android 10.0 (native)",
    "Android 11 (native)",
    "IE 8 XP", "IE 11 Win 7", "IE 11 Win 8.1", "IE 11 Win 10", "Edge 15 Win 10",
    "Safari 6 iOS 6.0.1", "Safari 7 iOS 7.1", "Safari 8 iOS 8.4", "Safari 9 iOS 9",
    "Safari 10 iOS 10", "Safari 7 OS X 10.9", "Safari 9 OS X 10.11",
    "Safari 12.1 (macOS 10.13.6)",
    "Chrome 49 XP SP3", "Firefox 49 XP SP3",
    "Java 6u45", "Java 7u25", "Java 8u31", "Java 8u161",
    "OpenSSL 1.0.1l", "OpenSSL 1.0.2e",
]
FIELD = re.compile(r'^\s*(\w+)\+=\((.*)\)\s*$')


def load_parser():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("capture_hello",
                                                  os.path.join(here, "capture-hello.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def records(path):
    rec = None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            m = FIELD.match(line)
            if not m:
                continue
            key, val = m.group(1), m.group(2).strip()
            if val.startswith('"') and val.endswith('"'):
                val = val[1:-1]
            if key == "names":
                if rec:
                    yield rec
                rec = {"line": lineno}
            if rec is not None:
                rec[key] = val
    if rec:
        yield rec


def size(v):
    return "-" if v in ("", "-1") else v


def split_name(full):
    m = re.match(r"^(\S+(?: \S+)??) (\d[\w.]*)(?: (.*))?$", full)
    if not m:
        return full, "-"
    return full, m.group(2)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/etc/testssl/client-simulation.txt"
    cap = load_parser()
    by_name = {r["names"]: r for r in records(path)}
    for want in WANTED:
        r = by_name.get(want)
        if r is None:
            sys.exit("import-clients: %s: no client named %r" % (path, want))
        raw = bytes.fromhex(r["handshakebytes"])
        if raw[0] != 22:
            print("import-clients: %s: not a TLS record (SSLv2 hello?), skipped" % want,
                  file=sys.stderr)
            continue
        body = raw[5 + 4:]
        h = cap.parse_hello(body)
        if "versions" not in h:
            lo = int(r["lowest_protocol"], 16)
            hi = int(r["highest_protocol"], 16)
            h["versions"] = [v for v in cap.WIRE_NAMES if lo <= v <= hi]
        name, version = split_name(want)

        class A:
            pass
        a = A()
        a.name, a.version = name, version
        a.source = ("published: SSL Labs getClients, as testssl.sh etc/client-simulation.txt "
                    "line %d republishes it; hello bytes parsed by data/import-clients.py" % r["line"])
        a.min_dh, a.max_dh = size(r.get("minDhBits", "")), size(r.get("maxDhBits", ""))
        a.min_rsa = size(r.get("minRsaBits", ""))
        a.note = ""
        print(cap.row(a, h).replace("\tcaptured\t", "\tpublished\t", 1))


if __name__ == "__main__":
    main()
