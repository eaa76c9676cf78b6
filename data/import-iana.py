#!/usr/bin/env python3
"""data/import-iana.py - one-time importer of the IANA TLS registries.

Turns the IANA "TLS Parameters" CSV exports (kept outside the tree, in
../shared/data/) into the project's own committed tables:

    data/cipher-suites.tsv   every IANA cipher suite + the SSLv2 cipher kinds
    data/groups.tsv          every IANA supported group
    data/sigschemes.tsv      every IANA signature scheme

A developer runs this by hand when IANA changes; the build never does. The
build only reads the TSV files (data/gen-registry.awk turns them into
common/model/registry_tables.c). Review the diff of the TSVs before committing.

The derived columns (kx, auth, cipher, bits, mode, mac, aead, pfs, export,
versions) come from parsing the IANA names with the rules documented in
data/README.md. Names the rules do not know make the import fail, so a new
IANA entry is looked at by a person rather than guessed at.

Other inputs (facts, read here only):
  - OpenSSL names: `openssl ciphers -V ALL:COMPLEMENTOFALL:@SECLEVEL=0`, then
    the Debian testssl.sh package's /etc/testssl/cipher-mapping.txt for the
    suites current OpenSSL no longer has (it also lists the SSLv2 kinds).
  - GnuTLS names: `gnutls-cli --list` (every suite the library knows).

Usage: data/import-iana.py [--iana-date YYYY-MM-DD] [--revision N] [IANA_DIR]
IANA_DIR defaults to ../shared/data next to the source tree.
Only the Python standard library is used.
"""

import argparse
import csv
import os
import re
import subprocess
import sys

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
DEFAULT_IANA_DIR = os.path.normpath(os.path.join(SCRIPT_DIR, "..", "..", "shared", "data"))
TESTSSL_MAPPING = "/etc/testssl/cipher-mapping.txt"

SUITES_CSV = "iana-tls-cipher-suites.csv"
GROUPS_CSV = "iana-tls-supported-groups.csv"
SIGSCHEMES_CSV = "iana-tls-signature-schemes.csv"

VERSION_ORDER = ["SSL2", "SSL3", "TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3"]

# Key-exchange / authentication part of TLS_<KX>_<AUTH>_WITH_...: (kx, auth, export).
# Anonymous DH is ephemeral (RFC 5246 sec. 7.4.3, RFC 8422 sec. 2.3), so it is
# listed as DHE/ECDHE with auth "anon".
KXAUTH = {
    "NULL": ("NULL", "NULL", False),
    "RSA": ("RSA", "RSA", False),
    "RSA_EXPORT": ("RSA", "RSA", True),
    "DH_DSS": ("DH", "DSS", False),
    "DH_DSS_EXPORT": ("DH", "DSS", True),
    "DH_RSA": ("DH", "RSA", False),
    "DH_RSA_EXPORT": ("DH", "RSA", True),
    "DHE_DSS": ("DHE", "DSS", False),
    "DHE_DSS_EXPORT": ("DHE", "DSS", True),
    "DHE_RSA": ("DHE", "RSA", False),
    "DHE_RSA_EXPORT": ("DHE", "RSA", True),
    "DH_anon": ("DHE", "anon", False),
    "DH_anon_EXPORT": ("DHE", "anon", True),
    "KRB5": ("KRB5", "KRB5", False),
    "KRB5_EXPORT": ("KRB5", "KRB5", True),
    "PSK": ("PSK", "PSK", False),
    "DHE_PSK": ("DHE_PSK", "PSK", False),
    "PSK_DHE": ("DHE_PSK", "PSK", False),  # 0xC0AA/0xC0AB, RFC 6655 spelling
    "RSA_PSK": ("RSA_PSK", "RSA", False),
    "ECDHE_PSK": ("ECDHE_PSK", "PSK", False),
    "ECDH_ECDSA": ("ECDH", "ECDSA", False),
    "ECDHE_ECDSA": ("ECDHE", "ECDSA", False),
    "ECDH_RSA": ("ECDH", "RSA", False),
    "ECDHE_RSA": ("ECDHE", "RSA", False),
    "ECDH_anon": ("ECDHE", "anon", False),
    "SRP_SHA": ("SRP", "SRP", False),
    "SRP_SHA_RSA": ("SRP", "RSA", False),
    "SRP_SHA_DSS": ("SRP", "DSS", False),
    "ECCPWD": ("ECCPWD", "ECCPWD", False),
    "GOSTR341112_256": ("GOST", "GOST", False),
}

# Key exchanges with forward secrecy (ephemeral keys on both sides).
PFS_KX = {"DHE", "ECDHE", "DHE_PSK", "ECDHE_PSK", "SRP", "ECCPWD", "any"}

# Bulk cipher part: regex over the text between WITH_ and the MAC -> (cipher, bits, mode).
# Order matters: the first match wins.
CIPHER_RULES = [
    (r"NULL", lambda m: ("NULL", 0, "NULL")),
    (r"RC4_(40|128)", lambda m: ("RC4", int(m[1]), "stream")),
    (r"RC2_CBC_40", lambda m: ("RC2", 40, "CBC")),
    (r"IDEA_CBC", lambda m: ("IDEA", 128, "CBC")),
    (r"DES40_CBC|DES_CBC_40", lambda m: ("DES", 40, "CBC")),
    (r"DES_CBC", lambda m: ("DES", 56, "CBC")),
    (r"3DES_EDE_CBC", lambda m: ("3DES", 168, "CBC")),
    (r"(AES|CAMELLIA|ARIA)_(128|256)_(CBC|GCM|CCM_8|CCM)",
     lambda m: (m[1], int(m[2]), m[3])),
    (r"SEED_CBC", lambda m: ("SEED", 128, "CBC")),
    (r"CHACHA20_POLY1305", lambda m: ("CHACHA20", 256, "POLY1305")),
    (r"SM4_(GCM|CCM)", lambda m: ("SM4", 128, m[1])),
    (r"ASCONAEAD128", lambda m: ("ASCON", 128, "AEAD")),
    (r"AEGIS_(256|128L)", lambda m: ("AEGIS", 256 if m[1] == "256" else 128, "AEAD")),
    (r"(KUZNYECHIK|MAGMA)_CTR", lambda m: (m[1], 256, "CTR")),
    (r"(KUZNYECHIK|MAGMA)_MGM", lambda m: (m[1], 256, "MGM")),
    (r"28147_CNT", lambda m: ("GOST28147", 256, "CNT")),
]
AEAD_MODES = {"GCM", "CCM", "CCM_8", "POLY1305", "MGM", "AEAD"}
MAC_TOKENS = "NULL|MD5|SHA|SHA256|SHA384|SHA512|SM3|ASCONHASH256|OMAC|IMIT|L|S"

# PSK key exchanges: their HMAC-SHA256/SHA384 CBC and NULL suites are specified for
# TLS 1.0 and later (RFC 5487 sec. 3.2, RFC 5489, the PSK parts of RFC 6209 and
# RFC 6367), where the other SHA-256/384 suites are TLS 1.2 only.
PSK_KX = {"PSK", "DHE_PSK", "RSA_PSK", "ECDHE_PSK"}

# The SSLv2 cipher kinds (3-byte codes, SSL 2.0 draft sec. C.4 plus SSLeay's
# extras that testssl.sh lists): name -> (cipher, bits, mode, mac, export).
SSL2_KINDS = {
    "SSL_CK_RC4_128_WITH_MD5": ("RC4", 128, "stream", "MD5", False),
    "SSL_CK_RC4_128_EXPORT40_WITH_MD5": ("RC4", 40, "stream", "MD5", True),
    "SSL_CK_RC2_128_CBC_WITH_MD5": ("RC2", 128, "CBC", "MD5", False),
    "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5": ("RC2", 40, "CBC", "MD5", True),
    "SSL_CK_IDEA_128_CBC_WITH_MD5": ("IDEA", 128, "CBC", "MD5", False),
    "SSL_CK_DES_64_CBC_WITH_MD5": ("DES", 56, "CBC", "MD5", False),
    "SSL_CK_DES_64_CBC_WITH_SHA": ("DES", 56, "CBC", "SHA", False),
    "SSL_CK_DES_192_EDE3_CBC_WITH_MD5": ("3DES", 168, "CBC", "MD5", False),
    "SSL_CK_DES_192_EDE3_CBC_WITH_SHA": ("3DES", 168, "CBC", "SHA", False),
    "SSL_CK_RC4_64_WITH_MD5": ("RC4", 64, "stream", "MD5", False),
    "SSL_CK_DES_64_CFB64_WITH_MD5_1": ("DES", 56, "CFB", "MD5", False),
    "SSL_CK_NULL": ("NULL", 0, "NULL", "NULL", False),
}
# SSL_CK_NULL_WITH_MD5 (0x000000) is left out: as a number it equals
# TLS_NULL_WITH_NULL_NULL (0x0000), and no SSL 2.0 text defines it.
SSL2_SKIPPED = {0x000000}

# testssl.sh labels 0x0000 "NULL": an OpenSSL cipher-string keyword, never a suite name.
OPENSSL_NAME_SKIP = {0x0000}

SCSV_NAMES = {"TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "TLS_FALLBACK_SCSV"}

SUITE_COLUMNS = ["code", "iana_name", "openssl_name", "gnutls_name", "kx", "auth", "cipher",
                 "bits", "mode", "mac", "aead", "pfs", "export", "versions", "recommended"]


def die(msg):
    sys.stderr.write("import-iana: %s\n" % msg)
    sys.exit(1)


def read_csv(path):
    """Returns the rows of an IANA CSV (header dropped) as lists of strings."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    if not rows or rows[0][0] != "Value":
        die("%s: not an IANA CSV export (no Value header)" % path)
    return rows[1:]


def run(cmd):
    """Returns the stdout of a command, or dies naming the command."""
    try:
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        die("running %s failed: %s" % (" ".join(cmd), e))
    return res.stdout


def openssl_names():
    """code -> OpenSSL name from the installed OpenSSL."""
    out = run(["openssl", "ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"])
    names = {}
    for line in out.splitlines():
        m = re.match(r"\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)", line)
        if m:
            names[int(m[1] + m[2], 16)] = m[3]
    return names


def gnutls_names():
    """code -> GnuTLS name from gnutls-cli --list (all suites the library knows)."""
    out = run(["gnutls-cli", "--list"])
    names = {}
    for line in out.splitlines():
        m = re.match(r"(TLS_\S+)\s+0x([0-9a-f]{2}), 0x([0-9a-f]{2})\s", line)
        if m:
            names[int(m[2] + m[3], 16)] = m[1]
    return names


def testssl_mapping(path):
    """Returns two dicts code -> dict(openssl, iana, minver, kx, au, enc, mac, export)
    from testssl.sh: the SSLv3/TLS suites and the SSLv2 kinds (their codes overlap:
    SSLv2's 0x000000 is numerically TLS's 0x0000)."""
    rows, ssl2 = {}, {}
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        die("%s: %s (apt-get install testssl.sh)" % (path, e.strerror))
    for line in lines:
        f = line.split()
        if len(f) < 9 or f[1] != "-":
            continue
        code = int("".join(b[2:] for b in f[0].split(",")), 16)
        (ssl2 if f[0].count(",") == 2 else rows)[code] = {
            "openssl": None if f[2] == "-" else f[2],
            "iana": None if f[3] == "-" else f[3],
            "minver": f[4],
            "kx": f[5][3:], "au": f[6][3:], "enc": f[7][4:], "mac": f[8][4:],
            "export": len(f) > 9 and f[9] == "export",
        }
    return rows, ssl2


def versions_between(first, last):
    i, j = VERSION_ORDER.index(first), VERSION_ORDER.index(last)
    return VERSION_ORDER[i:j + 1]


def derive_suite(name):
    """Parses one IANA suite name; returns the derived columns as a dict."""
    if name in SCSV_NAMES:
        return {"kx": "SCSV", "auth": "-", "cipher": "-", "bits": 0, "mode": "-", "mac": "-",
                "aead": 0, "pfs": 0, "export": 0,
                "versions": versions_between("SSL3", "TLS1.2")}
    body = name[len("TLS_"):]
    if "_WITH_" in body:
        kxauth, rest = body.split("_WITH_", 1)
        if kxauth not in KXAUTH:
            die("%s: unknown key exchange/authentication %r" % (name, kxauth))
        kx, auth, export = KXAUTH[kxauth]
    else:
        kx, auth, export = "any", "any", False  # TLS 1.3 style: the suite names no kx
        rest = body

    if rest in ("SHA256_SHA256", "SHA384_SHA384"):
        cipher_txt, mac = "NULL", rest.split("_")[0]  # RFC 9150 integrity-only
    else:
        m = re.fullmatch(r"(.+?)(?:_(%s))?" % MAC_TOKENS, rest)
        cipher_txt, mac = m[1], m[2] or ""
    for pattern, make in CIPHER_RULES:
        cm = re.fullmatch(pattern, cipher_txt)
        if cm:
            cipher, bits, mode = make(cm)
            break
    else:
        die("%s: unknown bulk cipher %r" % (name, cipher_txt))
    aead = mode in AEAD_MODES
    if aead:
        mac = "AEAD"
    elif mac in ("L", "S", ""):
        die("%s: no MAC in a non-AEAD suite" % name)

    tls13_only = kx == "any" or mode == "MGM"
    if mode == "MGM":
        kx, auth = "any", "any"  # RFC 9367: TLS 1.3 suites
    if tls13_only:
        versions = ["TLS1.3"]
    elif kx == "ECCPWD":
        versions = ["TLS1.2", "TLS1.3"]  # RFC 8492 sec. 4
    elif export:
        versions = versions_between("SSL3", "TLS1.0")  # RFC 4346 sec. A.5
    elif aead or cipher in ("KUZNYECHIK", "MAGMA", "GOST28147"):
        versions = ["TLS1.2"]  # RFC 5288 sec. 4 etc.; RFC 9189
    elif mac in ("SHA256", "SHA384"):
        if kx in PSK_KX:
            versions = versions_between("TLS1.0", "TLS1.2")
        else:
            versions = ["TLS1.2"]  # RFC 5246, 5289, 5932, 6209
    else:
        versions = versions_between("SSL3", "TLS1.2")

    return {"kx": kx, "auth": auth, "cipher": cipher, "bits": bits, "mode": mode, "mac": mac,
            "aead": int(aead), "pfs": int(kx in PFS_KX), "export": int(export),
            "versions": versions}


def derive_ssl2(name):
    if name not in SSL2_KINDS:
        die("%s: unknown SSLv2 cipher kind (add it to SSL2_KINDS)" % name)
    cipher, bits, mode, mac, export = SSL2_KINDS[name]
    kx = auth = "NULL" if cipher == "NULL" and mac == "NULL" else "RSA"
    return {"kx": kx, "auth": auth, "cipher": cipher, "bits": bits, "mode": mode, "mac": mac,
            "aead": 0, "pfs": 0, "export": int(export), "versions": ["SSL2"]}


def import_suites(iana_dir, ossl, gnutls, tss, tss2):
    rows = []
    seen = set()
    for r in read_csv(os.path.join(iana_dir, SUITES_CSV)):
        value, name, rec = r[0], r[1].strip(), r[3]
        m = re.fullmatch(r"0x([0-9A-F]{2}),0x([0-9A-F]{2})", value)
        if not m or not name.startswith("TLS_"):
            continue  # ranges, Reserved (incl. GREASE), Unassigned
        code = int(m[1] + m[2], 16)
        if code in seen:
            die("%s: duplicate code 0x%04X" % (SUITES_CSV, code))
        seen.add(code)
        d = derive_suite(name)
        t = tss.get(code) if code not in OPENSSL_NAME_SKIP else None
        d.update(code="0x%04X" % code, iana_name=name,
                 openssl_name=ossl.get(code) or (t["openssl"] if t else None),
                 gnutls_name=gnutls.get(code), recommended=rec or "-")
        rows.append(d)
    n_iana = len(rows)

    for code, t in sorted(tss2.items()):
        if code in SSL2_SKIPPED:
            continue
        d = derive_ssl2(t["iana"])
        d.update(code="0x%06X" % code, iana_name=t["iana"], openssl_name=t["openssl"],
                 gnutls_name=None, recommended="-")
        rows.append(d)
    rows.sort(key=lambda d: int(d["code"], 16))
    return rows, n_iana


def cross_check(rows, tss, tss2):
    """Prints where the derived columns disagree with testssl.sh's mapping (for review)."""
    mac_map = {"SHA1": "SHA", "Null": "NULL"}
    minver_map = {"SSLv2": "SSL2", "SSLv3": "SSL3", "TLSv1": "TLS1.0", "TLSv1.2": "TLS1.2",
                  "TLSv1.3": "TLS1.3"}
    n = 0
    for d in rows:
        t = (tss2 if d["versions"] == ["SSL2"] else tss).get(int(d["code"], 16))
        if t is None or d["kx"] == "SCSV":
            continue
        notes = []
        if t["iana"] and t["iana"] != d["iana_name"]:
            notes.append("name %s" % t["iana"])
        m = re.search(r"\((\d+)\)", t["enc"])
        bits = int(m[1]) if m else 0
        if bits != d["bits"]:
            notes.append("bits %d" % bits)
        if t["export"] != bool(d["export"]):
            notes.append("export %s" % t["export"])
        tmac = mac_map.get(t["mac"], t["mac"])
        if tmac != d["mac"]:
            notes.append("mac %s" % tmac)
        if minver_map.get(t["minver"]) != d["versions"][0]:
            notes.append("min version %s" % t["minver"])
        if notes:
            n += 1
            sys.stderr.write("  note %s %s: testssl says %s\n"
                             % (d["code"], d["iana_name"], ", ".join(notes)))
    sys.stderr.write("import-iana: %d rows differ from testssl.sh's mapping (see README)\n" % n)


def import_groups(iana_dir):
    rows = []
    for r in read_csv(os.path.join(iana_dir, GROUPS_CSV)):
        value, name, rec = r[0], r[1].strip(), r[3]
        if not re.fullmatch(r"\d+", value) or name in ("Reserved", "Unassigned"):
            continue
        name = re.sub(r"\s*\(OBSOLETE\)$", "", name)
        kind, bits = group_kind(name)
        rows.append({"code": int(value), "name": name, "kind": kind, "bits": bits,
                     "recommended": rec or "-"})
    return rows


def group_kind(name):
    """(kind, classical bits) of a group, from its IANA name; dies on an unknown name."""
    classical = {"x25519": 255, "x448": 448, "curveSM2": 256}
    m = re.fullmatch(r"(?:X25519|SecP(\d+)r1)(?:MLKEM\d+|Kyber768Draft00)", name)
    if m:
        return "hybrid-pq", int(m[1]) if m[1] else 255
    if re.fullmatch(r"MLKEM\d+", name):
        return "pq", 0
    m = re.fullmatch(r"ffdhe(\d+)", name)
    if m:
        return "ffdhe", int(m[1])
    m = re.fullmatch(r"(?:sec[pt](\d+)[kr]\d|brainpoolP(\d+)r1(?:tls13)?|GC(\d+)[A-D])", name)
    if m:
        return "ecdhe", int(m[1] or m[2] or m[3])
    if name in classical:
        return "ecdhe", classical[name]
    if name.startswith("arbitrary_explicit_"):
        return "other", 0
    die("%s: unknown group %r (extend group_kind)" % (GROUPS_CSV, name))
    return None


def import_sigschemes(iana_dir):
    rows = []
    for r in read_csv(os.path.join(iana_dir, SIGSCHEMES_CSV)):
        value, name, rec = r[0], r[1].strip(), r[2]
        if not re.fullmatch(r"0x[0-9A-Fa-f]{4}", value) or name.startswith(("Reserved",
                                                                            "Unassigned")):
            continue
        rows.append({"code": "0x%04X" % int(value, 16), "name": name, "recommended": rec or "-"})
    return rows


def cell(v):
    if v is None or v == "":
        return "-"
    s = str(v)
    if re.search(r"[\t\n\r]", s):
        die("field %r contains a tab or newline" % s)
    return s


def write_tsv(path, comments, columns, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for c in comments:
            f.write("# %s\n" % c)
        f.write("\t".join(columns) + "\n")
        for d in rows:
            vals = []
            for c in columns:
                v = d[c]
                vals.append(",".join(v) if isinstance(v, list) else cell(v))
            f.write("\t".join(vals) + "\n")


def iana_date_from_readme(iana_dir):
    """The IANA export date of the cipher-suite CSV, from ../shared/data/README.md."""
    try:
        with open(os.path.join(iana_dir, "README.md"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("| " + SUITES_CSV):
                    m = re.search(r"\| (\d{4}-\d{2}-\d{2}) \|", line)
                    if m:
                        return m[1]
    except OSError:
        pass
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("iana_dir", nargs="?", default=DEFAULT_IANA_DIR)
    ap.add_argument("--out", default=SCRIPT_DIR, help="where the TSVs go (default: data/)")
    ap.add_argument("--iana-date", help="date of the IANA export (default: from README.md)")
    ap.add_argument("--revision", type=int, default=1,
                    help="bump when the derivation rules change but IANA did not")
    ap.add_argument("--testssl-mapping", default=TESTSSL_MAPPING)
    args = ap.parse_args()

    date = args.iana_date or iana_date_from_readme(args.iana_dir)
    if not date:
        die("cannot tell the IANA export date; pass --iana-date YYYY-MM-DD")
    version = "iana-%s+tlsaudit-%d" % (date, args.revision)

    tss, tss2 = testssl_mapping(args.testssl_mapping)
    suites, n_iana = import_suites(args.iana_dir, openssl_names(), gnutls_names(), tss, tss2)
    cross_check(suites, tss, tss2)
    groups = import_groups(args.iana_dir)
    sigs = import_sigschemes(args.iana_dir)

    n_scsv = sum(1 for d in suites if d["kx"] == "SCSV")
    n_ssl2 = sum(1 for d in suites if d["versions"] == ["SSL2"])
    src = "generated by data/import-iana.py from the IANA TLS Parameters registry; see README.md"
    write_tsv(os.path.join(args.out, "cipher-suites.tsv"),
              ["tlsaudit cipher-suite registry (%s)" % src,
               "registry_version: %s" % version,
               "%d IANA suites (%d real + %d signalling values) + %d SSLv2 cipher kinds"
               % (n_iana, n_iana - n_scsv, n_scsv, n_ssl2)],
              SUITE_COLUMNS, suites)
    write_tsv(os.path.join(args.out, "groups.tsv"),
              ["tlsaudit supported-groups registry (%s)" % src],
              ["code", "name", "kind", "bits", "recommended"], groups)
    write_tsv(os.path.join(args.out, "sigschemes.tsv"),
              ["tlsaudit signature-scheme registry (%s)" % src],
              ["code", "name", "recommended"], sigs)
    print("import-iana: %s: %d suites (%d IANA incl. %d SCSV, %d SSLv2), %d groups, "
          "%d signature schemes" % (version, len(suites), n_iana, n_scsv, n_ssl2, len(groups),
                                    len(sigs)))


if __name__ == "__main__":
    main()
