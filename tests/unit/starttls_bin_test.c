/*
 * tests/unit/starttls_bin_test.c - unit tests for the binary pre-TLS
 * dialogues (scanner/starttls/binary.h: LDAP, PostgreSQL, MySQL, XMPP)
 * over byte sequences shaped as the protocols' specifications and real
 * servers' answers have them: the go-ahead, refusals, and hostile input
 * (oversized, truncated, garbage, never-ending, bytes after the go-ahead).
 * Every case is fed at once, one byte at a time and split in two at every
 * offset, and must end the same way with the same reason and the same
 * bytes to send.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "scanner/starttls/binary.h"

/* What one run of a dialogue over some server bytes gave. */
struct run {
    enum net_dialogue_step step;
    char why[128];
    uint8_t out[2048]; /* everything the dialogue asked to send */
    size_t out_len;
    void *ctx; /* owned: free() */
};

static void take_out(struct run *r, struct wbuf *w)
{
    ck_assert(wbuf_ok(w));
    ck_assert_uint_le(r->out_len + wbuf_len(w), sizeof(r->out));
    if (wbuf_len(w) > 0) {
        memcpy(r->out + r->out_len, wbuf_data(w), wbuf_len(w));
    }
    r->out_len += wbuf_len(w);
    wbuf_cleanup(w);
}

/* Runs ops over in[0..n), cut into pieces at cut (0: not cut) or, when
 * bytewise, one byte at a time; stops at the first READY or FAILED. */
static void run_feed(const struct net_dialogue_ops *ops, const void *arg, const uint8_t *in,
                     size_t n, size_t cut, bool bytewise, struct run *r)
{
    memset(r, 0, sizeof(*r));
    r->ctx = calloc(1, ops->ctx_size);
    ck_assert_ptr_nonnull(r->ctx);
    struct wbuf w;
    wbuf_init(&w, NET_MAX_OUT);
    r->step = ops->start(r->ctx, arg, &w, r->why, sizeof(r->why));
    take_out(r, &w);
    size_t at = 0;
    while (r->step == NET_DIALOGUE_MORE && at < n) {
        size_t piece = bytewise ? 1 : cut > at ? cut - at : n - at;
        wbuf_init(&w, NET_MAX_OUT);
        r->step = ops->on_bytes(r->ctx, arg, in + at, piece, &w, r->why, sizeof(r->why));
        take_out(r, &w);
        at += piece;
    }
    if (r->step == NET_DIALOGUE_READY) {
        ck_assert_uint_eq(at, n); /* the cases never have bytes after a READY */
    }
}

static void same_run(const struct run *a, const struct run *b, size_t cut)
{
    ck_assert_msg(a->step == b->step, "cut at %zu: step %d, not %d", cut, b->step, a->step);
    ck_assert_msg(strcmp(a->why, b->why) == 0, "cut at %zu: \"%s\", not \"%s\"", cut, b->why,
                  a->why);
    ck_assert_uint_eq(a->out_len, b->out_len);
    ck_assert(memcmp(a->out, b->out, a->out_len) == 0);
}

/* Runs the case every way; *whole is the run fed at once (caller frees
 * whole->ctx). want_why: a part of the reason, or NULL for none. */
static void run_case(const struct net_dialogue_ops *ops, const void *arg, const void *bytes,
                     size_t n, enum net_dialogue_step want, const char *want_why, struct run *whole)
{
    const uint8_t *in = bytes;
    struct run other;
    run_feed(ops, arg, in, n, 0, false, whole);
    ck_assert_msg(whole->step == want, "step %d, not %d (why \"%s\")", whole->step, want,
                  whole->why);
    if (want_why != NULL) {
        ck_assert_msg(strstr(whole->why, want_why) != NULL, "why \"%s\" lacks \"%s\"", whole->why,
                      want_why);
    }
    for (size_t i = 0; whole->why[i] != '\0'; i++) {
        ck_assert(whole->why[i] >= 0x20 && whole->why[i] < 0x7f);
    }
    run_feed(ops, arg, in, n, 0, true, &other);
    same_run(whole, &other, 1);
    free(other.ctx);
    for (size_t cut = 1; cut < n; cut++) {
        run_feed(ops, arg, in, n, cut, false, &other);
        same_run(whole, &other, cut);
        free(other.ctx);
    }
}

static void check_case(const struct net_dialogue_ops *ops, const void *arg, const void *bytes,
                       size_t n, enum net_dialogue_step want, const char *want_why)
{
    struct run r;
    run_case(ops, arg, bytes, n, want, want_why, &r);
    free(r.ctx);
}

#define LIT(s) s, sizeof(s) - 1

/* --- LDAP ------------------------------------------------------------- */

static const char ldap_request[] = "\x30\x1d\x02\x01\x01\x77\x18\x80\x16"
                                   "1.3.6.1.4.1.1466.20037";

/* OpenLDAP's answer: success, empty matchedDN and diagnostic, and the
 * responseName. */
static const char ldap_ok[] = "\x30\x24\x02\x01\x01\x78\x1f\x0a\x01\x00\x04\x00\x04\x00"
                              "\x8a\x16"
                              "1.3.6.1.4.1.1466.20037";

START_TEST(test_ldap_ready)
{
    struct run r;
    run_case(&starttls_ldap_ops, NULL, LIT(ldap_ok), NET_DIALOGUE_READY, NULL, &r);
    ck_assert_uint_eq(r.out_len, sizeof(ldap_request) - 1);
    ck_assert(memcmp(r.out, ldap_request, r.out_len) == 0);
    free(r.ctx);
    /* the same in long-form lengths, without responseName */
    check_case(&starttls_ldap_ops, NULL,
               LIT("\x30\x81\x0e\x02\x01\x01\x78\x82\x00\x07\x0a\x01\x00\x04\x00\x04\x00"),
               NET_DIALOGUE_READY, NULL);
}
END_TEST

START_TEST(test_ldap_refused)
{
    check_case(&starttls_ldap_ops, NULL,
               LIT("\x30\x2a\x02\x01\x01\x78\x25\x0a\x01\x02\x04\x00\x04\x1e"
                   "unsupported extended operation"),
               NET_DIALOGUE_FAILED,
               "LDAP StartTLS refused: resultCode 2 (protocolError): unsupported extended "
               "operation");
    check_case(&starttls_ldap_ops, NULL,
               LIT("\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x34\x04\x00\x04\x00"), NET_DIALOGUE_FAILED,
               "LDAP StartTLS refused: resultCode 52 (unavailable)");
    check_case(&starttls_ldap_ops, NULL,
               LIT("\x30\x0d\x02\x01\x01\x78\x08\x0a\x02\x03\xe7\x04\x00\x04\x00"),
               NET_DIALOGUE_FAILED, "resultCode 999 (unknown)");
    /* a notice of disconnection (messageID 0), a reply to another ID */
    check_case(&starttls_ldap_ops, NULL,
               LIT("\x30\x2b\x02\x01\x00\x78\x26\x0a\x01\x34\x04\x00\x04\x07"
                   "go away"
                   "\x8a\x16"
                   "1.3.6.1.4.1.1466.20036"),
               NET_DIALOGUE_FAILED,
               "notice of disconnection: resultCode 52 (unavailable): go away");
    check_case(&starttls_ldap_ops, NULL,
               LIT("\x30\x0c\x02\x01\x07\x78\x07\x0a\x01\x00\x04\x00\x04\x00"), NET_DIALOGUE_FAILED,
               "another messageID");
    /* a BindResponse instead */
    check_case(&starttls_ldap_ops, NULL,
               LIT("\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00"), NET_DIALOGUE_FAILED,
               "protocolOp 0x61");
}
END_TEST

START_TEST(test_ldap_hostile)
{
    check_case(&starttls_ldap_ops, NULL, LIT("\x30\x84\x7f\xff\xff\xff"), NET_DIALOGUE_FAILED,
               "LDAPMessage of 2147483647 bytes (cap 4096)");
    check_case(&starttls_ldap_ops, NULL, LIT("\x30\x80\x02\x01\x01"), NET_DIALOGUE_FAILED,
               "indefinite length");
    check_case(&starttls_ldap_ops, NULL, LIT("\x30\x85\x01\x00\x00\x00\x00"), NET_DIALOGUE_FAILED,
               "oversized length");
    check_case(&starttls_ldap_ops, NULL, LIT("HTTP/1.1 400 Bad Request\r\n"), NET_DIALOGUE_FAILED,
               "not an LDAPMessage (first byte 0x48)");
    /* inner lengths running past the message, an empty message */
    check_case(&starttls_ldap_ops, NULL,
               LIT("\x30\x0c\x02\x01\x01\x78\x20\x0a\x01\x00\x04\x00\x04\x00"), NET_DIALOGUE_FAILED,
               "malformed LDAPMessage");
    check_case(&starttls_ldap_ops, NULL, LIT("\x30\x00"), NET_DIALOGUE_FAILED, "malformed");
    check_case(&starttls_ldap_ops, NULL,
               LIT("\x30\x0a\x02\x01\x01\x78\x05\x0a\x01\x00\x04\x00\x00\x00"), NET_DIALOGUE_FAILED,
               "malformed ExtendedResponse");
    /* a high tag number, a 5-byte messageID */
    check_case(&starttls_ldap_ops, NULL,
               LIT("\x30\x0d\x02\x01\x01\x7f\x18\x07\x0a\x01\x00\x04\x00\x04\x00"),
               NET_DIALOGUE_FAILED, "malformed LDAPMessage");
    check_case(&starttls_ldap_ops, NULL,
               LIT("\x30\x10\x02\x05\x00\x00\x00\x00\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00"),
               NET_DIALOGUE_FAILED, "malformed LDAPMessage");
    /* a diagnostic with control bytes is quoted printable */
    check_case(&starttls_ldap_ops, NULL,
               LIT("\x30\x0f\x02\x01\x01\x78\x0a\x0a\x01\x01\x04\x00\x04\x03"
                   "a\x1b"
                   "b"),
               NET_DIALOGUE_FAILED, "(operationsError): a?b");
    /* truncated: every prefix of the go-ahead waits for more */
    for (size_t n = 0; n + 1 < sizeof(ldap_ok) - 1; n++) {
        check_case(&starttls_ldap_ops, NULL, ldap_ok, n, NET_DIALOGUE_MORE, NULL);
    }
    /* bytes after the go-ahead: a server that does not wait for our hello */
    uint8_t after[sizeof(ldap_ok)];
    memcpy(after, ldap_ok, sizeof(ldap_ok) - 1);
    after[sizeof(ldap_ok) - 1] = 0x16;
    struct run r;
    run_feed(&starttls_ldap_ops, NULL, after, sizeof(after), 0, false, &r);
    ck_assert_int_eq(r.step, NET_DIALOGUE_FAILED);
    ck_assert_ptr_nonnull(strstr(r.why, "go-ahead (the ExtendedResponse), before TLS"));
    free(r.ctx);
}
END_TEST

/* --- PostgreSQL ------------------------------------------------------- */

START_TEST(test_postgres)
{
    struct run r;
    run_case(&starttls_postgres_ops, NULL, LIT("S"), NET_DIALOGUE_READY, NULL, &r);
    ck_assert_uint_eq(r.out_len, 8);
    ck_assert(memcmp(r.out, "\x00\x00\x00\x08\x04\xd2\x16\x2f", 8) == 0);
    free(r.ctx);
    check_case(&starttls_postgres_ops, NULL, LIT("N"), NET_DIALOGUE_FAILED,
               "server does not accept SSL (SSLRequest answered N)");
    /* protocol 3's ErrorResponse, as a full server sends it */
    check_case(&starttls_postgres_ops, NULL,
               LIT("E\x00\x00\x00\x55"
                   "SFATAL\0VFATAL\0C53300\0Msorry, too many clients already\0"
                   "Fproc.c\0L362\0RInitProcess\0\0"),
               NET_DIALOGUE_FAILED,
               "server answered SSLRequest with an error: FATAL 53300: sorry, too many clients "
               "already");
    /* protocol 2's, as older servers send it */
    check_case(&starttls_postgres_ops, NULL, LIT("EFATAL:  unsupported frontend protocol\n\0"),
               NET_DIALOGUE_FAILED,
               "server answered SSLRequest with an error: FATAL:  unsupported frontend protocol?");
}
END_TEST

/* The plaintext_session reader: a StartupMessage out, the first answer in. */
static void pg_plain_case(const void *bytes, size_t n, enum starttls_pg_answer want,
                          const char *want_text)
{
    struct run r;
    run_case(&starttls_pg_plain_ops, NULL, bytes, n,
             want == STARTTLS_PG_BAD ? NET_DIALOGUE_FAILED : NET_DIALOGUE_READY,
             want == STARTTLS_PG_BAD ? want_text : NULL, &r);
    const struct starttls_pg_reply *rep = &((const struct starttls_pg_plain *)r.ctx)->reply;
    ck_assert_int_eq(rep->answer, want);
    if (want == STARTTLS_PG_ERROR) {
        ck_assert_str_eq(rep->message, want_text);
    }
    free(r.ctx);
}

START_TEST(test_pg_plain)
{
    struct run r;
    run_case(&starttls_pg_plain_ops, NULL, LIT("R\0\0\0\x08\0\0\0\x03"), NET_DIALOGUE_READY, NULL,
             &r);
    static const char startup[] = "\0\0\0\x43\0\x03\0\0user\0tlsaudit\0database\0tlsaudit\0"
                                  "application_name\0tlsaudit\0\0";
    ck_assert_uint_eq(r.out_len, sizeof(startup) - 1);
    ck_assert(memcmp(r.out, startup, r.out_len) == 0);
    ck_assert_uint_eq(((struct starttls_pg_plain *)r.ctx)->reply.auth_code, 3);
    free(r.ctx);
    pg_plain_case(LIT("R\0\0\0\x17\0\0\0\x0aSCRAM-SHA-256\0\0"), STARTTLS_PG_AUTH, NULL);
    /* PostgreSQL 15's refusal of a plaintext session (hostssl only) */
    static const char nohba[] =
        "E\0\0\0\x9d"
        "SFATAL\0VFATAL\0C28000\0Mno pg_hba.conf entry for host \"127.0.0.1\", user "
        "\"tlsaudit\", database \"tlsaudit\", no "
        "encryption\0Fauth.c\0L543\0RClientAuthentication\0\0";
    struct run e;
    run_case(&starttls_pg_plain_ops, NULL, LIT(nohba), NET_DIALOGUE_READY, NULL, &e);
    const struct starttls_pg_reply *rep = &((const struct starttls_pg_plain *)e.ctx)->reply;
    ck_assert_int_eq(rep->answer, STARTTLS_PG_ERROR);
    ck_assert_str_eq(rep->sqlstate, "28000");
    ck_assert_str_eq(rep->severity, "FATAL");
    ck_assert_str_eq(rep->message, "no pg_hba.conf entry for host \"127.0.0.1\", user "
                                   "\"tlsaudit\", database \"tlsaudit\", no encryption");
    free(e.ctx);
    pg_plain_case(LIT("EFATAL:  unsupported frontend protocol\n\0"), STARTTLS_PG_ERROR,
                  "FATAL:  unsupported frontend protocol?");
    /* hostile: a huge or tiny length, a short request, no message, another type */
    pg_plain_case(LIT("R\xff\xff\xff\xff"), STARTTLS_PG_BAD, "of length 4294967295");
    pg_plain_case(LIT("E\0\0\0\x04"), STARTTLS_PG_BAD, "of length 4");
    pg_plain_case(LIT("R\0\0\0\x06\0\0"), STARTTLS_PG_BAD, "of length 6");
    pg_plain_case(LIT("E\0\0\0\x0b"
                      "C28000\0\0"),
                  STARTTLS_PG_BAD, "without a message");
    pg_plain_case(LIT("N"), STARTTLS_PG_BAD, "type byte 0x4e");
    /* a protocol 2 text that never ends: cut at the cap */
    uint8_t longtext[STARTTLS_PG_MAX_MSG + 3];
    memset(longtext, 'x', sizeof(longtext));
    longtext[0] = 'E';
    pg_plain_case(longtext, sizeof(longtext), STARTTLS_PG_BAD, "longer than 2048 bytes");
    /* every prefix of a whole answer is MORE, and a field without its NUL is no field */
    struct starttls_pg_reply out;
    for (size_t k = 0; k < sizeof(nohba) - 1; k++) {
        ck_assert_int_eq(starttls_pg_plain_parse((const uint8_t *)nohba, k, &out),
                         STARTTLS_PG_MORE);
    }
    ck_assert_str_eq(starttls_pg_auth_name(3), "a cleartext password");
    ck_assert_str_eq(starttls_pg_auth_name(99), "an unknown method");
}
END_TEST

START_TEST(test_postgres_hostile)
{
    check_case(&starttls_postgres_ops, NULL, LIT("HTTP/1.0 400"), NET_DIALOGUE_FAILED,
               "unexpected answer 0x48 to SSLRequest");
    check_case(&starttls_postgres_ops, NULL, LIT("\x16\x03\x01"), NET_DIALOGUE_FAILED,
               "unexpected answer 0x16");
    check_case(&starttls_postgres_ops, NULL, LIT("E\x00\x10\x00\x00"), NET_DIALOGUE_FAILED,
               "error message of 1048576 bytes (cap 2048)");
    check_case(&starttls_postgres_ops, NULL, LIT("E\x00\x00\x00\x04"), NET_DIALOGUE_FAILED,
               "error message of 4 bytes");
    check_case(&starttls_postgres_ops, NULL, LIT("E\x00\x00\x00\x08Mabc"), NET_DIALOGUE_FAILED,
               "malformed error message");
    check_case(&starttls_postgres_ops, NULL, LIT("E\x00\x00\x00\x05\0"), NET_DIALOGUE_FAILED,
               "malformed error message");
    check_case(&starttls_postgres_ops, NULL, LIT("E\x00\x00\x00\x0bMa\x01\x7f\xff\0\0"),
               NET_DIALOGUE_FAILED, "an error: a???");
    /* a protocol 2 text that never ends */
    static uint8_t endless[4096];
    endless[0] = 'E';
    memset(endless + 1, 'x', sizeof(endless) - 1);
    check_case(&starttls_postgres_ops, NULL, endless, sizeof(endless), NET_DIALOGUE_FAILED,
               "error message longer than 2048 bytes");
    /* truncated error messages wait */
    check_case(&starttls_postgres_ops, NULL, LIT("E\x00\x00\x00\x20Mabc\0"), NET_DIALOGUE_MORE,
               NULL);
    check_case(&starttls_postgres_ops, NULL, LIT("EFATAL"), NET_DIALOGUE_MORE, NULL);
    /* 'S' and then bytes: not TLS from us yet */
    struct run r;
    run_feed(&starttls_postgres_ops, NULL, (const uint8_t *)LIT("S\x16\x03"), 0, false, &r);
    ck_assert_int_eq(r.step, NET_DIALOGUE_FAILED);
    ck_assert_ptr_nonnull(strstr(r.why, "go-ahead ('S'), before TLS"));
    free(r.ctx);
}
END_TEST

/* --- MySQL / MariaDB -------------------------------------------------- */

/* A protocol 10 handshake as MariaDB 10.11 sends it: version, connection
 * id, scramble, filler, capabilities (lower caps_lo), charset, status,
 * upper capabilities, scramble length, filler and MariaDB's extended
 * capabilities, the scramble's rest, the auth plugin. */
static size_t mysql_handshake(uint8_t *buf, size_t size, uint8_t proto, uint16_t caps_lo)
{
    static const char version[] = "5.5.5-10.11.6-MariaDB-0+deb12u1";
    static const char plugin[] = "mysql_native_password";
    struct wbuf w, body;
    wbuf_init_fixed(&w, buf, size);
    (void)wbuf_put_bytes(&w, (const uint8_t *)"\0\0\0\0", 4); /* header, patched below */
    body = w;
    (void)wbuf_put_u8(&w, proto);
    (void)wbuf_put_bytes(&w, (const uint8_t *)version, sizeof(version));
    (void)wbuf_put_bytes(&w, (const uint8_t *)"\x07\x00\x00\x00", 4);
    (void)wbuf_put_bytes(&w, (const uint8_t *)"abcdefgh", 8);
    (void)wbuf_put_u8(&w, 0);
    (void)wbuf_put_u8(&w, (uint8_t)caps_lo);
    (void)wbuf_put_u8(&w, (uint8_t)(caps_lo >> 8));
    (void)wbuf_put_bytes(&w, (const uint8_t *)"\x2d\x02\x00\xff\x81\x15", 6);
    (void)wbuf_put_zeros(&w, 6);
    (void)wbuf_put_bytes(&w, (const uint8_t *)"\x1d\x00\x00\x00", 4);
    (void)wbuf_put_bytes(&w, (const uint8_t *)"ijklmnopqrst", 13);
    (void)wbuf_put_bytes(&w, (const uint8_t *)plugin, sizeof(plugin));
    ck_assert(wbuf_ok(&w));
    (void)body;
    size_t len = wbuf_len(&w) - 4;
    buf[0] = (uint8_t)len;
    buf[1] = (uint8_t)(len >> 8);
    buf[2] = (uint8_t)(len >> 16);
    buf[3] = 0;
    return wbuf_len(&w);
}

START_TEST(test_mysql_ready)
{
    uint8_t hs[256];
    size_t n = mysql_handshake(hs, sizeof(hs), 10, 0xfffe);
    struct run r;
    run_case(&starttls_mysql_ops, NULL, hs, n, NET_DIALOGUE_READY, NULL, &r);
    static const uint8_t want[] = {0x20, 0x00, 0x00, 0x01, 0x05, 0xaa, 0x08, 0x00, 0x00,
                                   0x00, 0x00, 0x01, 0x21, 0,    0,    0,    0,    0,
                                   0,    0,    0,    0,    0,    0,    0,    0,    0,
                                   0,    0,    0,    0,    0,    0,    0,    0,    0};
    ck_assert_uint_eq(r.out_len, sizeof(want));
    ck_assert(memcmp(r.out, want, sizeof(want)) == 0);
    ck_assert_str_eq(starttls_mysql_server_version(r.ctx), "5.5.5-10.11.6-MariaDB-0+deb12u1");
    const struct starttls_seen *seen = r.ctx; /* the row says seen: the state starts with it */
    ck_assert(seen->greeted && seen->capabilities_read && seen->offered && !seen->plain_auth);
    ck_assert(!seen->auth_known);
    ck_assert_str_eq(seen->banner, "5.5.5-10.11.6-MariaDB-0+deb12u1");
    ck_assert_str_eq(seen->caps, "CLIENT_SSL auth=mysql_native_password");
    free(r.ctx);
    /* a default plugin that sends the password as it is */
    n = mysql_handshake(hs, sizeof(hs), 10, 0xf7fe);
    memcpy(hs + n - 22, "mysql_clear_password\0\0", 22);
    run_case(&starttls_mysql_ops, NULL, hs, n, NET_DIALOGUE_FAILED, "does not offer TLS", &r);
    seen = r.ctx;
    ck_assert(seen->greeted && seen->capabilities_read && !seen->offered && seen->plain_auth);
    ck_assert(seen->auth_known);
    ck_assert_str_eq(seen->caps, "auth=mysql_clear_password");
    free(r.ctx);
}
END_TEST

START_TEST(test_mysql_refused)
{
    uint8_t hs[256];
    size_t n = mysql_handshake(hs, sizeof(hs), 10, 0xf7fe);
    check_case(
        &starttls_mysql_ops, NULL, hs, n, NET_DIALOGUE_FAILED,
        "server does not offer TLS (no CLIENT_SSL; version 5.5.5-10.11.6-MariaDB-0+deb12u1)");
    n = mysql_handshake(hs, sizeof(hs), 10, 0x0800);
    check_case(&starttls_mysql_ops, NULL, hs, n, NET_DIALOGUE_FAILED, "CLIENT_PROTOCOL_41");
    n = mysql_handshake(hs, sizeof(hs), 9, 0xfffe);
    check_case(&starttls_mysql_ops, NULL, hs, n, NET_DIALOGUE_FAILED,
               "handshake protocol version 9");
    /* ERR packets: with and without SQLSTATE */
    check_case(&starttls_mysql_ops, NULL,
               LIT("\x1d\x00\x00\x00\xff\x10\x04#08004Too many connections"), NET_DIALOGUE_FAILED,
               "server sent error 1040: Too many connections");
    check_case(&starttls_mysql_ops, NULL,
               LIT("\x2d\x00\x00\x00\xff\x6a\x04"
                   "Host '127.0.0.1' is not allowed to connect"),
               NET_DIALOGUE_FAILED,
               "server sent error 1130: Host '127.0.0.1' is not allowed to connect");
}
END_TEST

START_TEST(test_mysql_hostile)
{
    uint8_t hs[256];
    check_case(&starttls_mysql_ops, NULL, LIT("\xff\xff\xff\x00"), NET_DIALOGUE_FAILED,
               "handshake packet of 16777215 bytes (cap 2048)");
    check_case(&starttls_mysql_ops, NULL, LIT("\x05\x00\x00\x01\x0a"), NET_DIALOGUE_FAILED,
               "sequence id 1");
    check_case(&starttls_mysql_ops, NULL, LIT("\x00\x00\x00\x00"), NET_DIALOGUE_FAILED,
               "empty handshake packet");
    check_case(&starttls_mysql_ops, NULL,
               LIT("\x06\x00\x00\x00\x0a"
                   "5.5.5"),
               NET_DIALOGUE_FAILED, "without the end of the server version");
    check_case(&starttls_mysql_ops, NULL,
               LIT("\x0a\x00\x00\x00\x0a"
                   "8.0\0\1\0\0\0\1"),
               NET_DIALOGUE_FAILED, "handshake packet too short");
    check_case(&starttls_mysql_ops, NULL, LIT("\x02\x00\x00\x00\xff\x10"), NET_DIALOGUE_FAILED,
               "truncated error packet");
    check_case(&starttls_mysql_ops, NULL, LIT("\x0b\x00\x00\x00\xff\x10\x04\x1b[2J\r\n\x07!"),
               NET_DIALOGUE_FAILED,
               "error 1040: ?[2J??"
               "?!");
    /* truncated: every prefix waits */
    size_t n = mysql_handshake(hs, sizeof(hs), 10, 0xfffe);
    for (size_t k = 0; k < n; k++) {
        check_case(&starttls_mysql_ops, NULL, hs, k, NET_DIALOGUE_MORE, NULL);
    }
    /* bytes after the handshake */
    hs[n] = 0x01;
    struct run r;
    run_feed(&starttls_mysql_ops, NULL, hs, n + 1, 0, false, &r);
    ck_assert_int_eq(r.step, NET_DIALOGUE_FAILED);
    ck_assert_ptr_nonnull(strstr(r.why, "go-ahead (its handshake packet), before TLS"));
    free(r.ctx);
}
END_TEST

/* --- XMPP -------------------------------------------------------------- */

static const struct starttls_xmpp_arg xmpp_c2s = {.domain = "localhost", .server = false};
static const struct starttls_xmpp_arg xmpp_s2s = {.domain = "example.test", .server = true};

#define XMPP_HEADER                                                                                \
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "                                   \
    "xmlns:stream='http://etherx.jabber.org/streams' id='6c3b1f2a-0d' from='localhost' "           \
    "version='1.0' xml:lang='en'>"
#define XMPP_STARTTLS "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
#define XMPP_PROCEED "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"

/* prosody's shape (single quotes, <required/>) */
static const char xmpp_prosody[] = XMPP_HEADER
    "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
    "</stream:features>" XMPP_PROCEED;

START_TEST(test_xmpp_ready)
{
    static const char want_c2s[] = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                                   "xmlns:stream='http://etherx.jabber.org/streams' "
                                   "to='localhost' version='1.0'>" XMPP_STARTTLS;
    struct run r;
    run_case(&starttls_xmpp_ops, &xmpp_c2s, LIT(xmpp_prosody), NET_DIALOGUE_READY, NULL, &r);
    ck_assert_uint_eq(r.out_len, sizeof(want_c2s) - 1);
    ck_assert(memcmp(r.out, want_c2s, r.out_len) == 0);
    const struct starttls_seen *seen = r.ctx;
    ck_assert(seen->greeted && seen->capabilities_read && seen->offered && !seen->plain_auth);
    ck_assert(seen->auth_known);
    ck_assert_str_eq(seen->banner, "localhost");
    ck_assert_str_eq(seen->caps, "STARTTLS STARTTLS-REQUIRED");
    free(r.ctx);
    /* ejabberd's shape: double quotes, no declaration, mechanisms first,
     * whitespace between elements, <proceed></proceed> */
    check_case(&starttls_xmpp_ops, &xmpp_c2s,
               LIT("<stream:stream xmlns:stream=\"http://etherx.jabber.org/streams\" "
                   "xmlns=\"jabber:client\" version=\"1.0\" from=\"localhost\">\n "
                   "<stream:features><mechanisms xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\">"
                   "<mechanism>PLAIN</mechanism></mechanisms><c xmlns='x' hash='a>b'/>"
                   "<starttls xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"></starttls>"
                   "</stream:features>\n<proceed xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\">"
                   "</proceed>"),
               NET_DIALOGUE_READY, NULL);
    /* a server-to-server stream says jabber:server */
    run_case(&starttls_xmpp_ops, &xmpp_s2s, LIT(xmpp_prosody), NET_DIALOGUE_READY, NULL, &r);
    ck_assert_ptr_nonnull(memmem(r.out, r.out_len, "xmlns='jabber:server'", 21));
    ck_assert_ptr_nonnull(memmem(r.out, r.out_len, "to='example.test'", 17));
    free(r.ctx);
}
END_TEST

START_TEST(test_xmpp_refused)
{
    check_case(&starttls_xmpp_ops, &xmpp_c2s,
               LIT(XMPP_HEADER "<stream:features><mechanisms "
                               "xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN"
                               "</mechanism></mechanisms></stream:features>"),
               NET_DIALOGUE_FAILED, "server does not offer STARTTLS");
    struct run r;
    run_case(&starttls_xmpp_ops, &xmpp_c2s,
             LIT(XMPP_HEADER
                 "<stream:features><mechanisms "
                 "xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism> PLAIN "
                 "</mechanism><mechanism>SCRAM-SHA-1</mechanism></mechanisms>"
                 "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
                 "</stream:features><failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
             NET_DIALOGUE_FAILED, "server refused STARTTLS", &r);
    const struct starttls_seen *seen = r.ctx;
    ck_assert(seen->capabilities_read && seen->offered && seen->plain_auth && seen->auth_known);
    ck_assert_str_eq(seen->caps, "SASL=PLAIN SASL=SCRAM-SHA-1 STARTTLS");
    free(r.ctx);
    check_case(&starttls_xmpp_ops, &xmpp_c2s, LIT(XMPP_HEADER "<stream:features/>"),
               NET_DIALOGUE_FAILED, "server does not offer STARTTLS");
    /* <starttls> in another namespace is not the feature */
    check_case(&starttls_xmpp_ops, &xmpp_c2s,
               LIT(XMPP_HEADER "<stream:features><starttls xmlns='urn:x'/></stream:features>"),
               NET_DIALOGUE_FAILED, "server does not offer STARTTLS");
    check_case(&starttls_xmpp_ops, &xmpp_c2s,
               LIT(XMPP_HEADER "<stream:features>" XMPP_STARTTLS "</stream:features>"
                               "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
                               "</stream:stream>"),
               NET_DIALOGUE_FAILED, "server refused STARTTLS (<failure/>)");
    check_case(&starttls_xmpp_ops, &xmpp_c2s,
               LIT(XMPP_HEADER "<stream:error><host-unknown "
                               "xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='x'>"
                               "no such host</text></stream:error></stream:stream>"),
               NET_DIALOGUE_FAILED, "stream error: host-unknown (the to= domain: --xmpp-host)");
    check_case(&starttls_xmpp_ops, &xmpp_c2s, LIT(XMPP_HEADER "</stream:stream>"),
               NET_DIALOGUE_FAILED, "server closed the stream");
    /* a pre-1.0 server has no features */
    check_case(&starttls_xmpp_ops, &xmpp_c2s,
               LIT("<stream:stream xmlns='jabber:client' "
                   "xmlns:stream='http://etherx.jabber.org/streams' id='1'>"),
               NET_DIALOGUE_FAILED, "without version='1.0'");
    /* <proceed> in the wrong namespace, or something else */
    check_case(&starttls_xmpp_ops, &xmpp_c2s,
               LIT(XMPP_HEADER "<stream:features>" XMPP_STARTTLS
                               "</stream:features><proceed xmlns='urn:x'/>"),
               NET_DIALOGUE_FAILED, "unexpected <proceed> instead of <proceed/>");
    check_case(&starttls_xmpp_ops, &xmpp_c2s, LIT(XMPP_HEADER "<message to='x'/>"),
               NET_DIALOGUE_FAILED, "unexpected <message> before <stream:features>");
}
END_TEST

START_TEST(test_xmpp_hostile)
{
    check_case(&starttls_xmpp_ops, &xmpp_c2s, LIT("HTTP/1.1 400 Bad Request\r\n"),
               NET_DIALOGUE_FAILED, "text 0x48 before the stream header");
    check_case(&starttls_xmpp_ops, &xmpp_c2s, LIT("<html><body>"), NET_DIALOGUE_FAILED,
               "expected the stream header, got <html>");
    check_case(&starttls_xmpp_ops, &xmpp_c2s, LIT(XMPP_HEADER "junk"), NET_DIALOGUE_FAILED,
               "text 0x6a directly in the stream");
    check_case(&starttls_xmpp_ops, &xmpp_c2s, LIT(XMPP_HEADER "<!-- x -->"), NET_DIALOGUE_FAILED,
               "XML comment");
    check_case(&starttls_xmpp_ops, &xmpp_c2s, LIT("<!DOCTYPE x [<!ENTITY a 'b'>]>"),
               NET_DIALOGUE_FAILED, "XML comment, CDATA or DTD");
    check_case(&starttls_xmpp_ops, &xmpp_c2s, LIT(XMPP_HEADER "<?php x?>"), NET_DIALOGUE_FAILED,
               "processing instruction");
    check_case(&starttls_xmpp_ops, &xmpp_c2s, LIT(XMPP_HEADER "<stream:features a=b>"),
               NET_DIALOGUE_FAILED, "malformed tag");
    check_case(&starttls_xmpp_ops, &xmpp_c2s, LIT(XMPP_HEADER "<a <b>"), NET_DIALOGUE_FAILED,
               "'<' inside a tag");
    check_case(&starttls_xmpp_ops, &xmpp_c2s,
               LIT(XMPP_HEADER "<stream:features><x></y></stream:features>"), NET_DIALOGUE_FAILED,
               "server does not offer STARTTLS");
    check_case(&starttls_xmpp_ops, &xmpp_c2s, LIT(XMPP_HEADER "<stream:features></stream:feature>"),
               NET_DIALOGUE_FAILED, "mismatched end tag");
    /* nesting, an endless tag, endless whitespace */
    static char deep[1024];
    size_t n = (size_t)snprintf(deep, sizeof(deep), "%s<stream:features>", XMPP_HEADER);
    for (int i = 0; i < 20; i++) {
        n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<a>");
    }
    check_case(&starttls_xmpp_ops, &xmpp_c2s, deep, n, NET_DIALOGUE_FAILED,
               "elements nested deeper than 16");
    static char big[2048];
    n = (size_t)snprintf(big, sizeof(big), "%s<stream:features x='", XMPP_HEADER);
    memset(big + n, 'a', sizeof(big) - n);
    check_case(&starttls_xmpp_ops, &xmpp_c2s, big, sizeof(big), NET_DIALOGUE_FAILED,
               "tag longer than 1024 bytes");
    size_t huge = NET_DIALOGUE_MAX_IN + 16;
    char *blank = malloc(huge);
    ck_assert_ptr_nonnull(blank);
    memcpy(blank, XMPP_HEADER, sizeof(XMPP_HEADER) - 1);
    memset(blank + sizeof(XMPP_HEADER) - 1, ' ', huge - (sizeof(XMPP_HEADER) - 1));
    struct run r;
    run_feed(&starttls_xmpp_ops, &xmpp_c2s, (const uint8_t *)blank, huge, 0, false, &r);
    ck_assert_int_eq(r.step, NET_DIALOGUE_FAILED);
    ck_assert_str_eq(r.why, "more than 65536 bytes without <proceed/>");
    free(r.ctx);
    run_feed(&starttls_xmpp_ops, &xmpp_c2s, (const uint8_t *)blank, huge, 0, true, &r);
    ck_assert_str_eq(r.why, "more than 65536 bytes without <proceed/>");
    free(r.ctx);
    free(blank);
    /* truncated: every prefix of the exchange waits */
    for (size_t k = 0; k + 1 < sizeof(xmpp_prosody) - 1; k += 7) {
        check_case(&starttls_xmpp_ops, &xmpp_c2s, xmpp_prosody, k, NET_DIALOGUE_MORE, NULL);
    }
    /* data after <proceed/> */
    char after[sizeof(xmpp_prosody)];
    memcpy(after, xmpp_prosody, sizeof(xmpp_prosody) - 1);
    after[sizeof(xmpp_prosody) - 1] = ' ';
    run_feed(&starttls_xmpp_ops, &xmpp_c2s, (const uint8_t *)after, sizeof(after), 0, false, &r);
    ck_assert_int_eq(r.step, NET_DIALOGUE_FAILED);
    ck_assert_ptr_nonnull(strstr(r.why, "go-ahead (<proceed/>), before TLS"));
    free(r.ctx);
}
END_TEST

START_TEST(test_xmpp_domain)
{
    static const struct starttls_xmpp_arg bad[] = {
        {.domain = NULL},
        {.domain = ""},
        {.domain = "a'b"},
        {.domain = "a><x"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct run r;
        run_feed(&starttls_xmpp_ops, &bad[i], (const uint8_t *)"", 0, 0, false, &r);
        ck_assert_int_eq(r.step, NET_DIALOGUE_FAILED);
        ck_assert_uint_eq(r.out_len, 0);
        ck_assert_ptr_nonnull(strstr(r.why, "--xmpp-host"));
        free(r.ctx);
    }
    struct run r;
    run_feed(&starttls_xmpp_ops, NULL, (const uint8_t *)"", 0, 0, false, &r);
    ck_assert_int_eq(r.step, NET_DIALOGUE_FAILED);
    free(r.ctx);
    static const struct starttls_xmpp_arg v6 = {.domain = "[::1]"};
    run_feed(&starttls_xmpp_ops, &v6, (const uint8_t *)"", 0, 0, false, &r);
    ck_assert_int_eq(r.step, NET_DIALOGUE_MORE);
    ck_assert_ptr_nonnull(memmem(r.out, r.out_len, "to='[::1]'", 10));
    free(r.ctx);
}
END_TEST

START_TEST(test_table_rows)
{
    ck_assert_ptr_eq(starttls_for_port(389)->ops, &starttls_ldap_ops);
    ck_assert_ptr_eq(starttls_for_port(5432)->ops, &starttls_postgres_ops);
    ck_assert_ptr_eq(starttls_for_port(3306)->ops, &starttls_mysql_ops);
    ck_assert_str_eq(starttls_for_port(5222)->name, "xmpp");
    ck_assert_str_eq(starttls_for_port(5269)->name, "xmpp-server");
    ck_assert(starttls_find("mysql")->seen && starttls_find("xmpp")->seen);
    ck_assert(!starttls_find("ldap")->seen && !starttls_find("postgres")->seen);
    char why[128] = "";
    void *a = NULL;
    struct starttls_params p = {.host = "127.0.0.1", .sni = "xmpp.example", .xmpp_host = NULL};
    ck_assert_int_eq(starttls_find("xmpp")->arg_new(&p, &a, why, sizeof(why)), 0);
    ck_assert_str_eq(((struct starttls_xmpp_arg *)a)->domain, "xmpp.example");
    ck_assert(!((struct starttls_xmpp_arg *)a)->server);
    free(a);
    p.xmpp_host = "chat.example";
    ck_assert_int_eq(starttls_find("xmpp-server")->arg_new(&p, &a, why, sizeof(why)), 0);
    ck_assert_str_eq(((struct starttls_xmpp_arg *)a)->domain, "chat.example");
    ck_assert(((struct starttls_xmpp_arg *)a)->server);
    free(a);
    p.xmpp_host = NULL;
    p.sni = NULL;
    ck_assert_int_eq(starttls_xmpp_arg_new(&p, &a, why, sizeof(why)), 0);
    ck_assert_str_eq(((struct starttls_xmpp_arg *)a)->domain, "127.0.0.1");
    free(a);
    p.xmpp_host = "bad'host";
    ck_assert_int_eq(starttls_xmpp_arg_new(&p, &a, why, sizeof(why)), -1);
    ck_assert_ptr_null(a);
    ck_assert_ptr_nonnull(strstr(why, "--xmpp-host"));
}
END_TEST

START_TEST(test_bin_text)
{
    char buf[8];
    starttls_bin_text(buf, sizeof(buf), (const unsigned char *)"ab\ncd", 5);
    ck_assert_str_eq(buf, "ab?cd");
    starttls_bin_text(buf, sizeof(buf), (const unsigned char *)"abcdefghij", 10);
    ck_assert_str_eq(buf, "abcd...");
    starttls_bin_text(buf, sizeof(buf), (const unsigned char *)"abcdefg", 7);
    ck_assert_str_eq(buf, "abcdefg");
    starttls_bin_text(buf, 1, (const unsigned char *)"abc", 3);
    ck_assert_str_eq(buf, "");
}
END_TEST

static Suite *starttls_bin_suite(void)
{
    Suite *s = suite_create("starttls_bin");
    TCase *tc = tcase_create("dialogues");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ldap_ready);
    tcase_add_test(tc, test_ldap_refused);
    tcase_add_test(tc, test_ldap_hostile);
    tcase_add_test(tc, test_postgres);
    tcase_add_test(tc, test_postgres_hostile);
    tcase_add_test(tc, test_pg_plain);
    tcase_add_test(tc, test_mysql_ready);
    tcase_add_test(tc, test_mysql_refused);
    tcase_add_test(tc, test_mysql_hostile);
    tcase_add_test(tc, test_xmpp_ready);
    tcase_add_test(tc, test_xmpp_refused);
    tcase_add_test(tc, test_xmpp_hostile);
    tcase_add_test(tc, test_xmpp_domain);
    tcase_add_test(tc, test_table_rows);
    tcase_add_test(tc, test_bin_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(starttls_bin_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
