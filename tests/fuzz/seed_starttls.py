#!/usr/bin/env python3
"""tests/fuzz/seed_starttls.py - writes corpus/starttls_bin/ and
corpus/pg_plain/ (the server's first answer to a StartupMessage without
SSLRequest, for fuzz_pg_plain), the seeds of
fuzz_starttls_bin (byte 0: the dialogue, 0 ldap, 1 postgres, 2 mysql, 3 xmpp
client, 4 xmpp server; byte 1: the chunk seed; then the server's bytes):
each protocol's go-ahead and refusals, shaped as in
tests/unit/starttls_bin_test.c. Rewrites the directory (keeps crash-*)."""
import os
import struct

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
out = os.path.join(top, "tests", "fuzz", "corpus", "starttls_bin")
os.makedirs(out, exist_ok=True)
for f in os.listdir(out):
    if not f.startswith("crash-"):
        os.remove(os.path.join(out, f))


def put(name, kind, body, seed=7):
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([kind, seed]) + body)


oid = b"1.3.6.1.4.1.1466.20037"
put("ldap-ok", 0, b"\x30\x24\x02\x01\x01\x78\x1f\x0a\x01\x00\x04\x00\x04\x00\x8a\x16" + oid)
put("ldap-long-form", 0, b"\x30\x81\x0e\x02\x01\x01\x78\x82\x00\x07\x0a\x01\x00\x04\x00\x04\x00")
diag = b"unsupported extended operation"
put("ldap-refused", 0, b"\x30\x2a\x02\x01\x01\x78\x25\x0a\x01\x02\x04\x00\x04\x1e" + diag)
put("ldap-notice", 0, b"\x30\x2b\x02\x01\x00\x78\x26\x0a\x01\x34\x04\x00\x04\x07go away\x8a\x16"
    + b"1.3.6.1.4.1.1466.20036")
put("ldap-oversized", 0, b"\x30\x84\x7f\xff\xff\xff")
put("ldap-trailing", 0, b"\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00\x16\x03")

put("pg-ok", 1, b"S")
put("pg-no", 1, b"N")
fields = (b"SFATAL\0VFATAL\0C53300\0Msorry, too many clients already\0Fproc.c\0L362\0"
          b"RInitProcess\0\0")
put("pg-error3", 1, b"E" + struct.pack(">I", len(fields) + 4) + fields)
put("pg-error2", 1, b"EFATAL:  unsupported frontend protocol\n\0")
put("pg-trailing", 1, b"S\x16\x03\x01")

def mysql(caps_lo, proto=10):
    p = (bytes([proto]) + b"5.5.5-10.11.6-MariaDB-0+deb12u1\0" + b"\x07\0\0\0" + b"abcdefgh\0"
         + struct.pack("<H", caps_lo) + b"\x2d\x02\x00\xff\x81\x15" + b"\0" * 6
         + b"\x1d\0\0\0" + b"ijklmnopqrst\0" + b"mysql_native_password\0")
    return struct.pack("<I", len(p))[:3] + b"\0" + p


put("mysql-ok", 2, mysql(0xfffe))
put("mysql-no-ssl", 2, mysql(0xf7fe))
put("mysql-proto9", 2, mysql(0xfffe, 9))
put("mysql-err", 2, b"\x1d\x00\x00\x00\xff\x10\x04#08004Too many connections")
put("mysql-trailing", 2, mysql(0xfffe) + b"\x01")

hdr = (b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
       b"xmlns:stream='http://etherx.jabber.org/streams' id='6c3b1f2a-0d' from='localhost' "
       b"version='1.0' xml:lang='en'>")
tls = b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
proceed = b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
put("xmpp-ok", 3, hdr + b"<stream:features>" + tls + b"</stream:features>" + proceed)
put("xmpp-s2s-ok", 4, hdr + b"<stream:features>" + tls + b"</stream:features>" + proceed)
put("xmpp-no-tls", 3, hdr + b"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
    b"<mechanism>PLAIN</mechanism></mechanisms></stream:features>")
put("xmpp-failure", 3, hdr + b"<stream:features>" + tls + b"</stream:features>"
    b"<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>")
put("xmpp-error", 3, hdr + b"<stream:error><host-unknown "
    b"xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>")
put("xmpp-dquote", 3, b"<stream:stream xmlns:stream=\"http://etherx.jabber.org/streams\" "
    b"xmlns=\"jabber:client\" version=\"1.0\">\n<stream:features><c hash='a>b'/>"
    b"<starttls xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"></starttls></stream:features>"
    b"<proceed xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"></proceed>")
put("xmpp-trailing", 3, hdr + b"<stream:features>" + tls + b"</stream:features>" + proceed + b" ")


# fuzz_pg_plain: what a server answers a StartupMessage without SSLRequest
pg = os.path.join(top, "tests", "fuzz", "corpus", "pg_plain")
os.makedirs(pg, exist_ok=True)
for f in os.listdir(pg):
    if not f.startswith("crash-"):
        os.remove(os.path.join(pg, f))


def pgput(name, body):
    with open(os.path.join(pg, name), "wb") as f:
        f.write(body)


pgput("auth-ok", b"R" + struct.pack(">II", 8, 0) + b"S\0\0\0\x19application_name\0x\0")
pgput("auth-cleartext", b"R" + struct.pack(">II", 8, 3))
pgput("auth-md5", b"R" + struct.pack(">II", 12, 5) + b"salt")
pgput("auth-sasl", b"R" + struct.pack(">II", 23, 10) + b"SCRAM-SHA-256\0\0")
nohba = (b"SFATAL\0VFATAL\0C28000\0Mno pg_hba.conf entry for host \"127.0.0.1\", user "
         b"\"tlsaudit\", database \"tlsaudit\", no encryption\0Fauth.c\0L543\0\0")
pgput("error-no-encryption", b"E" + struct.pack(">I", len(nohba) + 4) + nohba)
busy = b"SFATAL\0C53300\0Msorry, too many clients already\0\0"
pgput("error-busy", b"E" + struct.pack(">I", len(busy) + 4) + busy)
pgput("error-no-message", b"E" + struct.pack(">I", 12) + b"C28000\0\0")
pgput("error-v2", b"EFATAL:  unsupported frontend protocol\n\0")
pgput("bad-type", b"N")
pgput("bad-length", b"R" + struct.pack(">I", 0xFFFFFFFF))
pgput("short-auth", b"R" + struct.pack(">I", 6) + b"\0\0")
