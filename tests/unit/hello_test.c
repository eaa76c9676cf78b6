/*
 * tests/unit/hello_test.c - unit tests for scanner/hello: the ClientHello
 * builders (parsed back field by field), the first-flight parsers and the
 * record reassembler.
 *
 * Real bytes: tests/data/hello/NAME.bin are first flights captured from
 * openssl s_server and gnutls-serv by tests/fuzz/capture.sh (which says how
 * each server was configured). Each is checked for what the server was set
 * up to answer, fed whole, byte by byte, split at every offset, truncated
 * at every offset (NEED_MORE until the last needed byte, never DONE early),
 * and re-framed into records of other sizes (several messages per record,
 * messages spanning records). Hostile bytes are built here: length fields at
 * 0 / len+1 / max, trailing bytes, duplicate extensions, alerts where a
 * hello belongs, messages out of order, answers we did not offer, caps.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "scanner/hello.h"
#include "common/model/registry.h"

#ifndef HELLO_TEST_SRCDIR
#define HELLO_TEST_SRCDIR "."
#endif

/* ---- helpers ------------------------------------------------------------- */

#define BIG 70000

static uint32_t all_suites[512];

/* Every registry suite of one REG_* version, SCSVs left out (as capture.c offers). */
static size_t suites_of(unsigned reg, uint32_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < registry_n_suites && n < cap; i++) {
        const struct suite_info *s = &registry_suites[i];
        if ((s->versions & reg) && !registry_suite_is_scsv(s)) {
            out[n++] = s->code;
        }
    }
    return n;
}

/* The offer tests/fuzz/capture.c made for VERSION. */
static void capture_params(const char *version, struct hello_params *p)
{
    static const char *const alpn[] = {"h2", "http/1.1"};
    unsigned reg;
    if (strcmp(version, "ssl2") == 0) {
        hello_params_init(p, TLS_WIRE_SSL2);
        reg = TLSV_BIT(TLSV_SSL2);
    } else if (strcmp(version, "tls10") == 0) {
        hello_params_init(p, TLS_WIRE_TLS10);
        reg = TLSV_BIT(TLSV_TLS10);
    } else if (strcmp(version, "tls11") == 0) {
        hello_params_init(p, TLS_WIRE_TLS11);
        reg = TLSV_BIT(TLSV_TLS11);
    } else if (strncmp(version, "tls12", 5) == 0) {
        hello_params_init(p, TLS_WIRE_TLS12);
        reg = TLSV_BIT(TLSV_TLS12);
        if (strcmp(version, "tls12-alpn") == 0) {
            p->alpn = alpn;
            p->n_alpn = 2;
            p->ext |= HELLO_EXT_HEARTBEAT;
        }
    } else {
        hello_params_init(p, TLS_WIRE_TLS13);
        reg = TLSV_BIT(TLSV_TLS13);
        if (strcmp(version, "tls13-hrr") == 0) {
            p->shares = 0;
        }
    }
    p->suites = all_suites;
    p->n_suites = suites_of(reg, all_suites, sizeof(all_suites) / sizeof(all_suites[0]));
}

/* Reads tests/data/hello/NAME.bin into buf; returns its length. */
static size_t load(const char *name, uint8_t *buf, size_t cap)
{
    char path[1024];
    const char *top = getenv("top_srcdir");
    snprintf(path, sizeof(path), "%s/tests/data/hello/%s.bin",
             top != NULL ? top : HELLO_TEST_SRCDIR, name);
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    size_t n = fread(buf, 1, cap, fp);
    ck_assert(!ferror(fp));
    fclose(fp);
    ck_assert_msg(n > 0 && n < cap, "%s: %zu bytes", path, n);
    return n;
}

/* Runs a flight over data in reads of at most step bytes (0: one read). */
static enum hello_status feed(struct hello_flight *f, const struct hello_params *p, unsigned flags,
                              const uint8_t *data, size_t len, size_t step)
{
    ck_assert_int_eq(hello_flight_init(f, p, flags, 0), HELLO_OK);
    enum hello_status st = HELLO_NEED_MORE;
    size_t pos = 0;
    if (step == 0) {
        return hello_flight_feed(f, data, len);
    }
    while (pos < len && st == HELLO_NEED_MORE) {
        size_t n = len - pos < step ? len - pos : step;
        st = hello_flight_feed(f, data + pos, n);
        pos += n;
    }
    return st;
}

static bool views_equal(const struct rbuf *a, const struct rbuf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* Everything two flights learned must match. */
static void expect_same(const struct hello_flight *a, const struct hello_flight *b)
{
    const struct hello_result *x = hello_flight_result(a);
    const struct hello_result *y = hello_flight_result(b);
    ck_assert_int_eq(x->answer, y->answer);
    ck_assert_uint_eq(x->record_version, y->record_version);
    ck_assert_uint_eq(x->sh.version, y->sh.version);
    ck_assert_uint_eq(x->sh.suite, y->sh.suite);
    ck_assert_uint_eq(x->sh.exts, y->sh.exts);
    ck_assert_mem_eq(x->sh.random, y->sh.random, 32);
    ck_assert_uint_eq(x->sh.key_share_group, y->sh.key_share_group);
    ck_assert_int_eq(x->have_certificate, y->have_certificate);
    ck_assert_uint_eq(x->certificate.n_certs, y->certificate.n_certs);
    for (size_t i = 0; i < x->certificate.n_certs; i++) {
        ck_assert(views_equal(&x->certificate.certs[i], &y->certificate.certs[i]));
    }
    ck_assert_int_eq(x->have_ske, y->have_ske);
    ck_assert_uint_eq(x->ske.dh_p_bits, y->ske.dh_p_bits);
    ck_assert_uint_eq(x->ske.ec_group, y->ske.ec_group);
    ck_assert(views_equal(&x->ske.dh_p, &y->ske.dh_p));
    ck_assert(views_equal(&x->ske.ec_point, &y->ske.ec_point));
    ck_assert(views_equal(&x->ske.signature, &y->ske.signature));
    ck_assert_int_eq(x->have_done, y->have_done);
    ck_assert_int_eq(x->have_alert, y->have_alert);
    ck_assert_uint_eq(x->alert.description, y->alert.description);
    ck_assert_int_eq(x->trailing_bytes, y->trailing_bytes);
    ck_assert_uint_eq(x->n_bytes, y->n_bytes);
}

/* Test-side builders of server bytes. */
static size_t put_record(uint8_t *out, size_t cap, uint8_t type, uint16_t version,
                         const uint8_t *body, size_t len)
{
    struct wbuf w;
    wbuf_init_fixed(&w, out, cap);
    wbuf_put_u8(&w, type);
    wbuf_put_u16(&w, version);
    wbuf_put_u16(&w, (uint16_t)len);
    wbuf_put_bytes(&w, body, len);
    ck_assert(wbuf_ok(&w));
    return wbuf_len(&w);
}

static size_t put_msg(uint8_t *out, size_t cap, uint8_t type, const uint8_t *body, size_t len)
{
    struct wbuf w;
    wbuf_init_fixed(&w, out, cap);
    wbuf_put_u8(&w, type);
    wbuf_put_u24(&w, (uint32_t)len);
    wbuf_put_bytes(&w, body, len);
    ck_assert(wbuf_ok(&w));
    return wbuf_len(&w);
}

/* A ServerHello body; exts NULL: no extensions block at all. */
static size_t put_sh(uint8_t *out, size_t cap, uint16_t version, uint16_t suite,
                     const uint8_t *exts, size_t exts_len)
{
    struct wbuf w;
    uint8_t random[32];
    memset(random, 0x5a, sizeof(random));
    wbuf_init_fixed(&w, out, cap);
    wbuf_put_u16(&w, version);
    wbuf_put_bytes(&w, random, sizeof(random));
    wbuf_put_u8(&w, 0); /* no session id */
    wbuf_put_u16(&w, suite);
    wbuf_put_u8(&w, 0);
    if (exts != NULL) {
        wbuf_put_u16(&w, (uint16_t)exts_len);
        wbuf_put_bytes(&w, exts, exts_len);
    }
    ck_assert(wbuf_ok(&w));
    return wbuf_len(&w);
}

/* A whole first record holding the ServerHello (version, suite, exts). */
static size_t sh_record(uint8_t *out, size_t cap, uint16_t version, uint16_t suite,
                        const uint8_t *exts, size_t exts_len)
{
    uint8_t body[1024];
    uint8_t msg[1100];
    size_t n = put_sh(body, sizeof(body), version, suite, exts, exts_len);
    n = put_msg(msg, sizeof(msg), TLS_HS_SERVER_HELLO, body, n);
    return put_record(out, cap, TLS_CT_HANDSHAKE, TLS_WIRE_TLS12, msg, n);
}

static void tls12_params(struct hello_params *p)
{
    capture_params("tls12", p);
}

/* Runs a flight over data for a TLS 1.2 offer; caller cleans up. */
static enum hello_status run12(struct hello_flight *f, const uint8_t *data, size_t len)
{
    struct hello_params p;
    tls12_params(&p);
    return feed(f, &p, 0, data, len, 0);
}

/* ---- builders ------------------------------------------------------------- */

/* A minimal ClientHello parser (RFC 8446 §4.1.2) over a built hello. */
struct ch {
    uint16_t record_version;
    uint16_t version;
    uint8_t random[32];
    size_t sid_len;
    size_t n_suites;
    uint16_t suites[2048];
    struct rbuf compression;
    bool has_exts;
    size_t n_exts;
    uint16_t ext_types[64];
    struct rbuf ext_bodies[64];
    size_t msg_len; /* handshake message, header included */
};

static void parse_ch(const uint8_t *data, size_t len, struct ch *ch)
{
    struct rbuf r;
    struct rbuf rec;
    struct rbuf body;
    struct rbuf v;
    uint8_t u8;
    memset(ch, 0, sizeof(*ch));
    rbuf_init(&r, data, len);
    ck_assert(rbuf_get_u8(&r, &u8));
    ck_assert_uint_eq(u8, TLS_CT_HANDSHAKE);
    ck_assert(rbuf_get_u16(&r, &ch->record_version));
    ck_assert(rbuf_get_vec16(&r, &rec));
    ck_assert(rbuf_at_end(&r));
    ck_assert(rbuf_get_u8(&rec, &u8));
    ck_assert_uint_eq(u8, TLS_HS_CLIENT_HELLO);
    ck_assert(rbuf_get_vec24(&rec, &body));
    ck_assert(rbuf_at_end(&rec));
    ch->msg_len = 4 + body.len;
    ck_assert(rbuf_get_u16(&body, &ch->version));
    ck_assert(rbuf_copy_bytes(&body, ch->random, 32));
    ck_assert(rbuf_get_vec8(&body, &v));
    ch->sid_len = v.len;
    ck_assert(rbuf_get_vec16(&body, &v));
    ck_assert(v.len % 2 == 0);
    while (!rbuf_at_end(&v)) {
        ck_assert(rbuf_get_u16(&v, &ch->suites[ch->n_suites++]));
    }
    ck_assert(rbuf_get_vec8(&body, &ch->compression));
    if (rbuf_at_end(&body)) {
        return;
    }
    ch->has_exts = true;
    ck_assert(rbuf_get_vec16(&body, &v));
    ck_assert(rbuf_at_end(&body));
    while (!rbuf_at_end(&v)) {
        uint16_t type;
        ck_assert(rbuf_get_u16(&v, &type));
        for (size_t i = 0; i < ch->n_exts; i++) {
            ck_assert_msg(ch->ext_types[i] != type, "duplicate extension %u", type);
        }
        ck_assert(rbuf_get_vec16(&v, &ch->ext_bodies[ch->n_exts]));
        ch->ext_types[ch->n_exts++] = type;
    }
}

static const struct rbuf *ch_ext(const struct ch *ch, uint16_t type)
{
    for (size_t i = 0; i < ch->n_exts; i++) {
        if (ch->ext_types[i] == type) {
            return &ch->ext_bodies[i];
        }
    }
    return NULL;
}

static void expect_u16_list(const struct rbuf *body, int prefix, const uint16_t *want, size_t n)
{
    struct rbuf r = *body;
    struct rbuf list;
    ck_assert(prefix == 1 ? rbuf_get_vec8(&r, &list) : rbuf_get_vec16(&r, &list));
    ck_assert(rbuf_at_end(&r));
    ck_assert_uint_eq(list.len, 2 * n);
    for (size_t i = 0; i < n; i++) {
        uint16_t v;
        ck_assert(rbuf_get_u16(&list, &v));
        ck_assert_uint_eq(v, want[i]);
    }
}

START_TEST(test_build_tls12_roundtrip)
{
    static const uint32_t suites[] = {0xC02F, 0x0005, 0x0000, 0xFFFF, 0x5600};
    static const uint16_t groups[] = {29, 23, 0x11ec};
    static const uint16_t sigalgs[] = {0x0401, 0x0804};
    static const char *const alpn[] = {"h2", "http/1.1"};
    uint8_t random[32];
    uint8_t out[HELLO_MAX_LEN];
    struct hello_params p;
    struct wbuf w;
    struct ch ch;

    memset(random, 0xab, sizeof(random));
    memset(&p, 0, sizeof(p));
    p.version = TLS_WIRE_TLS12;
    p.suites = suites;
    p.n_suites = 5;
    p.groups = groups;
    p.n_groups = 3;
    p.sigalgs = sigalgs;
    p.n_sigalgs = 2;
    p.sni = "example.test";
    p.alpn = alpn;
    p.n_alpn = 2;
    p.random = random;
    p.ext = HELLO_EXT_EC_POINT_FORMATS | HELLO_EXT_RENEGOTIATION_INFO | HELLO_EXT_STATUS_REQUEST |
            HELLO_EXT_EXTENDED_MASTER_SECRET | HELLO_EXT_ENCRYPT_THEN_MAC |
            HELLO_EXT_SESSION_TICKET | HELLO_EXT_HEARTBEAT;
    p.options = HELLO_OPT_SCSV_RENEGOTIATION | HELLO_OPT_DEFLATE;
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_OK);
    parse_ch(wbuf_data(&w), wbuf_len(&w), &ch);
    ck_assert_uint_eq(ch.record_version, TLS_WIRE_TLS10);
    ck_assert_uint_eq(ch.version, TLS_WIRE_TLS12);
    ck_assert_mem_eq(ch.random, random, 32);
    ck_assert_uint_eq(ch.sid_len, 0);
    ck_assert_uint_eq(ch.n_suites, 6);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_uint_eq(ch.suites[i], suites[i]);
    }
    ck_assert_uint_eq(ch.suites[5], TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    ck_assert_uint_eq(ch.compression.len, 2);
    ck_assert_uint_eq(ch.compression.data[0], 1);
    ck_assert_uint_eq(ch.compression.data[1], 0);

    static const uint16_t want_types[] = {TLS_EXT_SERVER_NAME,
                                          TLS_EXT_STATUS_REQUEST,
                                          TLS_EXT_SUPPORTED_GROUPS,
                                          TLS_EXT_EC_POINT_FORMATS,
                                          TLS_EXT_SIGNATURE_ALGORITHMS,
                                          TLS_EXT_HEARTBEAT,
                                          TLS_EXT_ALPN,
                                          TLS_EXT_ENCRYPT_THEN_MAC,
                                          TLS_EXT_EXTENDED_MASTER_SECRET,
                                          TLS_EXT_SESSION_TICKET,
                                          TLS_EXT_RENEGOTIATION_INFO};
    ck_assert_uint_eq(ch.n_exts, sizeof(want_types) / sizeof(want_types[0]));
    for (size_t i = 0; i < ch.n_exts; i++) {
        ck_assert_uint_eq(ch.ext_types[i], want_types[i]);
    }
    static const uint8_t sni[] = {0x00, 0x0f, 0x00, 0x00, 0x0c, 'e', 'x', 'a', 'm',
                                  'p',  'l',  'e',  '.',  't',  'e', 's', 't'};
    const struct rbuf *e = ch_ext(&ch, TLS_EXT_SERVER_NAME);
    ck_assert_uint_eq(e->len, sizeof(sni));
    ck_assert_mem_eq(e->data, sni, sizeof(sni));
    static const uint8_t status[] = {0x01, 0x00, 0x00, 0x00, 0x00};
    e = ch_ext(&ch, TLS_EXT_STATUS_REQUEST);
    ck_assert_uint_eq(e->len, sizeof(status));
    ck_assert_mem_eq(e->data, status, sizeof(status));
    expect_u16_list(ch_ext(&ch, TLS_EXT_SUPPORTED_GROUPS), 2, groups, 3);
    expect_u16_list(ch_ext(&ch, TLS_EXT_SIGNATURE_ALGORITHMS), 2, sigalgs, 2);
    e = ch_ext(&ch, TLS_EXT_EC_POINT_FORMATS);
    ck_assert_uint_eq(e->len, 2);
    ck_assert_mem_eq(e->data, "\x01\x00", 2);
    e = ch_ext(&ch, TLS_EXT_HEARTBEAT);
    ck_assert_uint_eq(e->len, 1);
    ck_assert_uint_eq(e->data[0], 1);
    static const uint8_t alpn_want[] = {0x00, 0x0c, 0x02, 'h', '2', 0x08, 'h',
                                        't',  't',  'p',  '/', '1', '.',  '1'};
    e = ch_ext(&ch, TLS_EXT_ALPN);
    ck_assert_uint_eq(e->len, sizeof(alpn_want));
    ck_assert_mem_eq(e->data, alpn_want, sizeof(alpn_want));
    ck_assert_uint_eq(ch_ext(&ch, TLS_EXT_ENCRYPT_THEN_MAC)->len, 0);
    ck_assert_uint_eq(ch_ext(&ch, TLS_EXT_EXTENDED_MASTER_SECRET)->len, 0);
    ck_assert_uint_eq(ch_ext(&ch, TLS_EXT_SESSION_TICKET)->len, 0);
    e = ch_ext(&ch, TLS_EXT_RENEGOTIATION_INFO);
    ck_assert_uint_eq(e->len, 1);
    ck_assert_uint_eq(e->data[0], 0);

    /* a given random makes the bytes reproducible */
    uint8_t again[HELLO_MAX_LEN];
    struct wbuf w2;
    wbuf_init_fixed(&w2, again, sizeof(again));
    ck_assert_int_eq(hello_build(&p, &w2), HELLO_OK);
    ck_assert_uint_eq(wbuf_len(&w2), wbuf_len(&w));
    ck_assert_mem_eq(again, out, wbuf_len(&w));
}
END_TEST

START_TEST(test_build_tls13_shares)
{
    uint8_t out[HELLO_MAX_LEN];
    struct hello_params p;
    struct wbuf w;
    struct ch ch;
    static const uint32_t suites[] = {0x1301, 0x1302, 0x1303};

    hello_params_init(&p, TLS_WIRE_TLS13);
    p.suites = suites;
    p.n_suites = 3;
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_OK);
    parse_ch(wbuf_data(&w), wbuf_len(&w), &ch);
    ck_assert_uint_eq(ch.version, TLS_WIRE_TLS12);
    ck_assert_uint_eq(ch.sid_len, 32); /* RFC 8446 §D.4 compatibility mode */
    const uint16_t v13[] = {TLS_WIRE_TLS13};
    expect_u16_list(ch_ext(&ch, TLS_EXT_SUPPORTED_VERSIONS), 1, v13, 1);
    const struct rbuf *modes = ch_ext(&ch, TLS_EXT_PSK_KEY_EXCHANGE_MODES);
    ck_assert_uint_eq(modes->len, 2);
    ck_assert_mem_eq(modes->data, "\x01\x01", 2);

    struct rbuf ks = *ch_ext(&ch, TLS_EXT_KEY_SHARE);
    struct rbuf list;
    struct rbuf x25519;
    struct rbuf p256;
    uint16_t g;
    ck_assert(rbuf_get_vec16(&ks, &list));
    ck_assert(rbuf_at_end(&ks));
    ck_assert(rbuf_get_u16(&list, &g));
    ck_assert_uint_eq(g, TLS_GROUP_X25519);
    ck_assert(rbuf_get_vec16(&list, &x25519));
    ck_assert_uint_eq(x25519.len, 32);
    ck_assert(rbuf_get_u16(&list, &g));
    ck_assert_uint_eq(g, TLS_GROUP_SECP256R1);
    ck_assert(rbuf_get_vec16(&list, &p256));
    ck_assert_uint_eq(p256.len, 65);
    ck_assert_uint_eq(p256.data[0], 0x04); /* uncompressed point */
    ck_assert(rbuf_at_end(&list));
    static const uint8_t zero[32] = {0};
    ck_assert(memcmp(x25519.data, zero, 32) != 0);
    ck_assert(memcmp(p256.data + 1, zero, 32) != 0);
    /* padded (RFC 7685): this hello would be 256..511 bytes otherwise */
    ck_assert_uint_eq(ch.msg_len, 512);
    ck_assert_ptr_nonnull(ch_ext(&ch, TLS_EXT_PADDING));

    /* the shares are made once per process: a second hello has the same ones */
    uint8_t out2[HELLO_MAX_LEN];
    struct ch ch2;
    wbuf_init_fixed(&w, out2, sizeof(out2));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_OK);
    parse_ch(wbuf_data(&w), wbuf_len(&w), &ch2);
    const struct rbuf *ks2 = ch_ext(&ch2, TLS_EXT_KEY_SHARE);
    const struct rbuf *ks1 = ch_ext(&ch, TLS_EXT_KEY_SHARE);
    ck_assert(views_equal(ks1, ks2));
    ck_assert(memcmp(ch.random, ch2.random, 32) != 0); /* but a fresh random */

    /* an empty key_share (to provoke a HelloRetryRequest) */
    p.shares = 0;
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_OK);
    parse_ch(wbuf_data(&w), wbuf_len(&w), &ch);
    ks = *ch_ext(&ch, TLS_EXT_KEY_SHARE);
    ck_assert_uint_eq(ks.len, 2);
    ck_assert_mem_eq(ks.data, "\x00\x00", 2);

    /* only x25519 */
    p.shares = HELLO_SHARE_X25519;
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_OK);
    parse_ch(wbuf_data(&w), wbuf_len(&w), &ch);
    ck_assert_uint_eq(ch_ext(&ch, TLS_EXT_KEY_SHARE)->len, 2 + 4 + 32);
}
END_TEST

START_TEST(test_build_ssl3_no_extensions)
{
    uint8_t out[HELLO_MAX_LEN];
    struct hello_params p;
    struct wbuf w;
    struct ch ch;
    static const uint32_t suites[] = {0x000A, 0x0005};

    hello_params_init(&p, TLS_WIRE_SSL3);
    p.suites = suites;
    p.n_suites = 2;
    p.ext = HELLO_EXT_EXTENDED_MASTER_SECRET; /* ignored: SSLv3 has no extensions */
    p.sni = "example.test";
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_OK);
    parse_ch(wbuf_data(&w), wbuf_len(&w), &ch);
    ck_assert_uint_eq(ch.record_version, TLS_WIRE_SSL3);
    ck_assert_uint_eq(ch.version, TLS_WIRE_SSL3);
    ck_assert(!ch.has_exts);
    ck_assert_uint_eq(wbuf_len(&w), 5 + 4 + 2 + 32 + 1 + 2 + 4 + 2);

    /* TLS 1.0 with nothing to extend: no extensions block either */
    memset(&p, 0, sizeof(p));
    p.version = TLS_WIRE_TLS10;
    p.suites = suites;
    p.n_suites = 2;
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_OK);
    parse_ch(wbuf_data(&w), wbuf_len(&w), &ch);
    ck_assert(!ch.has_exts);
    ck_assert_uint_eq(ch.record_version, TLS_WIRE_TLS10);
}
END_TEST

START_TEST(test_build_ssl2)
{
    uint8_t out[HELLO_MAX_LEN];
    uint8_t challenge[32];
    struct hello_params p;
    struct wbuf w;
    static const uint32_t kinds[] = {0x010080, 0x0700c0, 0x060040, 0x00000a};

    for (size_t i = 0; i < sizeof(challenge); i++) {
        challenge[i] = (uint8_t)i;
    }
    hello_params_init(&p, TLS_WIRE_SSL2);
    p.suites = kinds;
    p.n_suites = 4;
    p.random = challenge;
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_OK);

    struct rbuf r;
    struct rbuf v;
    uint16_t u16;
    uint8_t u8;
    uint32_t u24;
    rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
    ck_assert(rbuf_get_u16(&r, &u16));
    ck_assert_uint_eq(u16, 0x8000 | (9 + 12 + 16));
    ck_assert_uint_eq(rbuf_remaining(&r), 9 + 12 + 16);
    ck_assert(rbuf_get_u8(&r, &u8));
    ck_assert_uint_eq(u8, SSL2_MT_CLIENT_HELLO);
    ck_assert(rbuf_get_u16(&r, &u16));
    ck_assert_uint_eq(u16, TLS_WIRE_SSL2);
    ck_assert(rbuf_get_u16(&r, &u16));
    ck_assert_uint_eq(u16, 12);
    ck_assert(rbuf_get_u16(&r, &u16));
    ck_assert_uint_eq(u16, 0);
    ck_assert(rbuf_get_u16(&r, &u16));
    ck_assert_uint_eq(u16, 16);
    for (size_t i = 0; i < 4; i++) {
        ck_assert(rbuf_get_u24(&r, &u24));
        ck_assert_uint_eq(u24, kinds[i]);
    }
    ck_assert(rbuf_get_bytes(&r, &v, 16));
    ck_assert_mem_eq(v.data, challenge, 16);
    ck_assert(rbuf_at_end(&r));

    static const uint32_t bad[] = {0x1000000};
    p.suites = bad;
    p.n_suites = 1;
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_E_PARAM);
}
END_TEST

START_TEST(test_build_errors)
{
    static uint32_t many[9000];
    static const uint32_t too_big[] = {0x010080};
    uint8_t out[HELLO_MAX_LEN];
    struct hello_params p;
    struct wbuf w;
    char long_name[300];

    hello_params_init(&p, TLS_WIRE_TLS12);
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_E_PARAM); /* no suites */
    p.options = HELLO_OPT_SCSV_RENEGOTIATION;             /* the SCSV alone is a suite list */
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_OK);
    p.suites = too_big;
    p.n_suites = 1;
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_E_PARAM);
    for (size_t i = 0; i < 9000; i++) {
        many[i] = (uint32_t)i;
    }
    p.suites = many;
    p.n_suites = 9000; /* 18000 bytes: more than one record */
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_E_TOO_LONG);
    p.n_suites = 100;
    wbuf_init_fixed(&w, out, 100); /* the output buffer is too small */
    ck_assert_int_eq(hello_build(&p, &w), HELLO_E_TOO_LONG);
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    p.sni = long_name;
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_E_PARAM);
    p.sni = "";
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_E_PARAM);
    p.sni = NULL;
    static const char *const bad_alpn[] = {""};
    p.alpn = bad_alpn;
    p.n_alpn = 1;
    wbuf_init_fixed(&w, out, sizeof(out));
    ck_assert_int_eq(hello_build(&p, &w), HELLO_E_PARAM);
}
END_TEST

/* Default groups: every EC group in each TLS version; the RFC 7919 FFDHE
 * groups (256-511) only for TLS 1.3, so that a TLS <= 1.2 server answers
 * DHE suites with its own parameters. */
START_TEST(test_default_groups)
{
    static const uint16_t versions[] = {TLS_WIRE_TLS10, TLS_WIRE_TLS11, TLS_WIRE_TLS12,
                                        TLS_WIRE_TLS13};
    for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
        struct hello_params p;
        hello_params_init(&p, versions[v]);
        size_t n_ffdhe = 0, n_ec = 0;
        for (size_t i = 0; i < p.n_groups; i++) {
            if (p.groups[i] >= 256 && p.groups[i] <= 511) {
                n_ffdhe++;
            }
            if (p.groups[i] == 29 || p.groups[i] == 23 || p.groups[i] == 24 || p.groups[i] == 25 ||
                p.groups[i] == 30) {
                n_ec++;
            }
        }
        ck_assert_uint_eq(n_ec, 5);
        ck_assert_uint_eq(n_ffdhe, versions[v] == TLS_WIRE_TLS13 ? 5 : 0);
    }
}
END_TEST

/* hello_max_suites: the largest count that fits, with padding in play. */
START_TEST(test_max_suites)
{
    static uint32_t many[9000];
    uint8_t out[HELLO_MAX_LEN];
    struct hello_params p;
    struct wbuf w;

    for (size_t i = 0; i < 9000; i++) {
        many[i] = (uint32_t)(i + 1);
    }
    for (int v = 0; v < 3; v++) {
        static const uint16_t versions[] = {TLS_WIRE_SSL2, TLS_WIRE_TLS12, TLS_WIRE_TLS13};
        hello_params_init(&p, versions[v]);
        p.suites = many;
        p.n_suites = 9000;
        static const size_t limits[] = {100, 300, 511, 512, 600, 2000, 16389, 20000};
        for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
            size_t n = hello_max_suites(&p, limits[i]);
            struct hello_params q = p;
            if (n > 0) {
                q.n_suites = n;
                wbuf_init_fixed(&w, out, sizeof(out));
                ck_assert_int_eq(hello_build(&q, &w), HELLO_OK);
                ck_assert_msg(wbuf_len(&w) <= limits[i], "v%d limit %zu: %zu", v, limits[i],
                              wbuf_len(&w));
            }
            q.n_suites = n + 1;
            wbuf_init_fixed(&w, out, sizeof(out));
            int rc = hello_build(&q, &w);
            ck_assert_msg(rc != HELLO_OK || wbuf_len(&w) > limits[i], "v%d limit %zu: n %zu", v,
                          limits[i], n);
        }
    }
}
END_TEST

/* With padding on, no hello is 256..511 bytes long (RFC 7685, the F5 bug). */
START_TEST(test_padding_window)
{
    static uint32_t many[300];
    uint8_t out[HELLO_MAX_LEN];
    struct hello_params p;
    struct wbuf w;
    struct ch ch;

    for (size_t i = 0; i < 300; i++) {
        many[i] = (uint32_t)(i + 1);
    }
    hello_params_init(&p, TLS_WIRE_TLS12);
    p.suites = many;
    bool saw_padding = false;
    for (size_t n = 1; n <= 300; n++) {
        p.n_suites = n;
        wbuf_init_fixed(&w, out, sizeof(out));
        ck_assert_int_eq(hello_build(&p, &w), HELLO_OK);
        parse_ch(wbuf_data(&w), wbuf_len(&w), &ch);
        ck_assert_msg(ch.msg_len < 256 || ch.msg_len >= 512, "n %zu: %zu", n, ch.msg_len);
        const struct rbuf *pad = ch_ext(&ch, TLS_EXT_PADDING);
        if (pad != NULL) {
            saw_padding = true;
            ck_assert_uint_ge(pad->len, 1);
            ck_assert_uint_eq(ch.ext_types[ch.n_exts - 1], TLS_EXT_PADDING);
        }
    }
    ck_assert(saw_padding);
}
END_TEST

/* ---- captured flights ---------------------------------------------------- */

struct capture_case {
    const char *name;
    const char *version; /* the offer capture.c made */
    enum hello_answer answer;
    uint16_t version_got;
    uint16_t suite;
    size_t n_certs;
    enum hello_kx kx;
    unsigned dh_bits;   /* DHE: prime size */
    uint16_t group;     /* ECDHE: SKE named curve; TLS 1.3: key_share group */
    uint8_t alert;      /* answer ALERT: description */
    bool done_msg;      /* ServerHelloDone expected */
    uint16_t downgrade; /* RFC 8446 §4.1.3 sentinel expected */
};

static const struct capture_case captures[] = {
    {"openssl-tls12-ecdhe-rsa", "tls12", HELLO_ANS_SERVER_HELLO, TLS_WIRE_TLS12, 0xC02F, 2,
     HELLO_KX_ECDHE, 0, 29, 0, true, 0},
    {"openssl-tls12-dhe-rsa", "tls12", HELLO_ANS_SERVER_HELLO, TLS_WIRE_TLS12, 0x009F, 2,
     HELLO_KX_DHE, 2048, 0, 0, true, 0},
    {"openssl-tls12-dhe1024", "tls12", HELLO_ANS_SERVER_HELLO, TLS_WIRE_TLS12, 0x0033, 2,
     HELLO_KX_DHE, 1024, 0, 0, true, 0},
    {"openssl-tls12-certreq", "tls12", HELLO_ANS_SERVER_HELLO, TLS_WIRE_TLS12, 0x003C, 2,
     HELLO_KX_NONE, 0, 0, 0, true, 0},
    {"openssl-tls12-ecdsa-alpn", "tls12-alpn", HELLO_ANS_SERVER_HELLO, TLS_WIRE_TLS12, 0xC009, 1,
     HELLO_KX_ECDHE, 0, 29, 0, true, 0},
    {"openssl-tls11-ecdhe", "tls11", HELLO_ANS_SERVER_HELLO, TLS_WIRE_TLS11, 0xC013, 2,
     HELLO_KX_ECDHE, 0, 29, 0, true, 0},
    {"openssl-tls13", "tls13", HELLO_ANS_SERVER_HELLO, TLS_WIRE_TLS13, 0x1301, 0, HELLO_KX_NONE, 0,
     29, 0, false, 0},
    {"openssl-tls13-p256", "tls13", HELLO_ANS_SERVER_HELLO, TLS_WIRE_TLS13, 0x1301, 0,
     HELLO_KX_NONE, 0, 23, 0, false, 0},
    {"openssl-tls13-hrr", "tls13-hrr", HELLO_ANS_HRR, TLS_WIRE_TLS13, 0x1301, 0, HELLO_KX_NONE, 0,
     29, 0, false, 0},
    {"openssl-alert-version", "tls10", HELLO_ANS_ALERT, 0, 0, 0, HELLO_KX_NONE, 0, 0, 70, false, 0},
    {"openssl-alert-nosuite", "tls12", HELLO_ANS_ALERT, 0, 0, 0, HELLO_KX_NONE, 0, 0, 40, false, 0},
    {"openssl-ssl2", "ssl2", HELLO_ANS_ALERT, 0, 0, 0, HELLO_KX_NONE, 0, 0, 70, false, 0},
    {"gnutls-tls12", "tls12", HELLO_ANS_SERVER_HELLO, TLS_WIRE_TLS12, 0x002F, 1, HELLO_KX_NONE, 0,
     0, 0, true, 0},
    {"gnutls-tls13", "tls13", HELLO_ANS_SERVER_HELLO, TLS_WIRE_TLS13, 0x1301, 0, HELLO_KX_NONE, 0,
     29, 0, false, 0},
    {"gnutls-tls12-dhe", "tls12", HELLO_ANS_SERVER_HELLO, TLS_WIRE_TLS12, 0x0033, 1, HELLO_KX_DHE,
     2048, 0, 0, true, 0},
    {"openssl-tls12-downgrade", "tls12", HELLO_ANS_SERVER_HELLO, TLS_WIRE_TLS12, 0xC030, 2,
     HELLO_KX_ECDHE, 0, 29, 0, true, TLS_WIRE_TLS12},
    {"gnutls-tls12-downgrade", "tls12", HELLO_ANS_SERVER_HELLO, TLS_WIRE_TLS12, 0x002F, 1,
     HELLO_KX_NONE, 0, 0, 0, true, TLS_WIRE_TLS12},
};
#define N_CAPTURES (sizeof(captures) / sizeof(captures[0]))

static uint8_t cap_buf[BIG];

START_TEST(test_capture_facts)
{
    const struct capture_case *c = &captures[_i];
    struct hello_params p;
    struct hello_flight f;
    size_t len = load(c->name, cap_buf, sizeof(cap_buf));

    capture_params(c->version, &p);
    enum hello_status st = feed(&f, &p, 0, cap_buf, len, 0);
    const struct hello_result *res = hello_flight_result(&f);
    ck_assert_msg(st == HELLO_DONE, "%s: status %d: %s at %zu", c->name, st,
                  hello_flight_error(&f)->reason, hello_flight_error(&f)->offset);
    ck_assert_int_eq(res->answer, c->answer);
    ck_assert(!res->suite_not_offered);
    ck_assert(!res->version_not_offered);
    ck_assert(!res->group_not_offered);
    ck_assert(!res->compression_not_offered);
    ck_assert_msg(res->exts_not_offered == 0, "%s: 0x%x", c->name, res->exts_not_offered);
    ck_assert(!res->trailing_bytes);
    ck_assert_uint_le(res->n_bytes, len);
    if (c->answer == HELLO_ANS_ALERT) {
        ck_assert(res->have_alert);
        ck_assert_uint_eq(res->alert.level, 2);
        ck_assert_uint_eq(res->alert.description, c->alert);
        ck_assert_uint_eq(res->n_bytes, 7);
        goto out;
    }
    ck_assert_msg(res->sh.version == c->version_got, "%s: 0x%04x", c->name, res->sh.version);
    ck_assert_msg(res->sh.suite == c->suite, "%s: 0x%04x", c->name, res->sh.suite);
    ck_assert_uint_eq(res->sh.compression, 0);
    ck_assert_uint_eq(res->record_version >> 8, 3);
    ck_assert_int_eq(res->have_done, c->done_msg);
    ck_assert_uint_eq(res->certificate.n_certs, c->n_certs);
    for (size_t i = 0; i < res->certificate.n_certs; i++) {
        /* each certificate is a DER SEQUENCE with a two-byte length */
        ck_assert_uint_ge(res->certificate.certs[i].len, 300);
        ck_assert_uint_eq(res->certificate.certs[i].data[0], 0x30);
        ck_assert_uint_eq(res->certificate.certs[i].data[1], 0x82);
    }
    if (c->version_got == TLS_WIRE_TLS13) {
        ck_assert_uint_eq(res->sh.legacy_version, TLS_WIRE_TLS12);
        ck_assert(res->sh.exts & HELLO_EXT_SUPPORTED_VERSIONS);
        ck_assert(res->sh.exts & HELLO_EXT_KEY_SHARE);
        ck_assert_uint_eq(res->sh.key_share_group, c->group);
        ck_assert_int_eq(res->sh.hrr, c->answer == HELLO_ANS_HRR);
        if (!res->sh.hrr) {
            ck_assert_uint_eq(res->sh.key_share_len, c->group == 29 ? 32 : 65);
            ck_assert_uint_eq(res->sh.downgrade, 0);
        }
        ck_assert(!res->have_certificate);
        /* the server echoes our 32-byte legacy_session_id (RFC 8446 §4.1.3) */
        ck_assert_uint_eq(res->sh.session_id_len, 32);
        goto out;
    }
    /* TLS <= 1.2 from a server with TLS 1.3 enabled carries the downgrade sentinel */
    ck_assert_uint_eq(res->sh.downgrade, c->downgrade);
    ck_assert(res->sh.exts & HELLO_EXT_RENEGOTIATION_INFO);
    ck_assert_uint_eq(res->sh.reneg_info_len, 0);
    ck_assert_int_eq(res->kx, c->kx);
    ck_assert_int_eq(res->have_ske, c->kx != HELLO_KX_NONE);
    if (c->kx == HELLO_KX_DHE) {
        ck_assert_uint_eq(res->ske.dh_p_bits, c->dh_bits);
        ck_assert_uint_eq(res->ske.dh_g_value, 2);
        ck_assert_uint_le(res->ske.dh_ys.len, res->ske.dh_p.len);
    }
    if (c->kx == HELLO_KX_ECDHE) {
        ck_assert_uint_eq(res->ske.ec_curve_type, 3);
        ck_assert_uint_eq(res->ske.ec_group, c->group);
        ck_assert_uint_eq(res->ske.ec_point.len, 32);
    }
    if (res->have_ske) {
        ck_assert(res->ske.has_signature);
        ck_assert_uint_ge(res->ske.signature.len, 64);
        /* TLS 1.2 names the signature algorithm; TLS 1.1 does not have the field */
        ck_assert_int_eq(res->ske.sig_scheme != 0, c->version_got == TLS_WIRE_TLS12);
    }
out:
    hello_flight_cleanup(&f);
}
END_TEST

/* What each server chose to echo, and the details that differ between them. */
START_TEST(test_capture_details)
{
    struct hello_params p;
    struct hello_flight f;
    size_t len;
    const struct hello_result *res;

    len = load("openssl-tls12-ecdsa-alpn", cap_buf, sizeof(cap_buf));
    capture_params("tls12-alpn", &p);
    ck_assert_int_eq(feed(&f, &p, 0, cap_buf, len, 0), HELLO_DONE);
    res = hello_flight_result(&f);
    ck_assert(res->sh.exts & HELLO_EXT_ALPN);
    ck_assert_uint_eq(res->sh.alpn_len, 2);
    ck_assert_mem_eq(res->sh.alpn, "h2", 2);
    ck_assert(!(res->sh.exts & HELLO_EXT_HEARTBEAT)); /* OpenSSL 3 has no heartbeat */
    ck_assert(res->sh.exts & HELLO_EXT_EXTENDED_MASTER_SECRET);
    ck_assert(res->sh.exts & HELLO_EXT_EC_POINT_FORMATS);
    /* OpenSSL lists all three point formats though we offered only uncompressed */
    ck_assert_uint_eq(res->sh.ec_point_formats, 0x07);
    /* ECDHE_ECDSA with a P-256 key: SHA-256 ECDSA or its TLS 1.3 name */
    ck_assert_uint_eq(res->ske.sig_scheme, 0x0403);
    hello_flight_cleanup(&f);

    len = load("openssl-tls12-certreq", cap_buf, sizeof(cap_buf));
    capture_params("tls12", &p);
    ck_assert_int_eq(feed(&f, &p, 0, cap_buf, len, 0), HELLO_DONE);
    ck_assert(hello_flight_result(&f)->have_certificate_request);
    hello_flight_cleanup(&f);

    /* gnutls-serv asks for a client certificate by default */
    len = load("gnutls-tls12", cap_buf, sizeof(cap_buf));
    ck_assert_int_eq(feed(&f, &p, 0, cap_buf, len, 0), HELLO_DONE);
    res = hello_flight_result(&f);
    ck_assert(res->have_certificate_request);
    ck_assert(res->sh.exts & HELLO_EXT_ENCRYPT_THEN_MAC); /* CBC suite: GnuTLS agrees to ETM */
    ck_assert_uint_eq(res->sh.session_id_len, 32);
    hello_flight_cleanup(&f);

    /* openssl's HRR is followed by a ChangeCipherSpec (RFC 8446 §D.4): not read */
    len = load("openssl-tls13-hrr", cap_buf, sizeof(cap_buf));
    capture_params("tls13-hrr", &p);
    ck_assert_int_eq(feed(&f, &p, 0, cap_buf, len, 0), HELLO_DONE);
    res = hello_flight_result(&f);
    ck_assert(res->sh.hrr);
    ck_assert_uint_eq(res->n_bytes, len - 6);
    hello_flight_cleanup(&f);

    /* hello-only mode stops right after the ServerHello */
    len = load("openssl-tls12-dhe-rsa", cap_buf, sizeof(cap_buf));
    capture_params("tls12", &p);
    ck_assert_int_eq(feed(&f, &p, HELLO_FLIGHT_HELLO_ONLY, cap_buf, len, 0), HELLO_DONE);
    res = hello_flight_result(&f);
    ck_assert_int_eq(res->answer, HELLO_ANS_SERVER_HELLO);
    ck_assert(!res->have_certificate);
    ck_assert_uint_lt(res->n_bytes, 200);
    hello_flight_cleanup(&f);
}
END_TEST

/* Byte by byte, and split in two at every offset: the same result. */
START_TEST(test_capture_splits)
{
    const struct capture_case *c = &captures[_i];
    struct hello_params p;
    struct hello_flight whole;
    struct hello_flight f;
    size_t len = load(c->name, cap_buf, sizeof(cap_buf));

    capture_params(c->version, &p);
    ck_assert_int_eq(feed(&whole, &p, 0, cap_buf, len, 0), HELLO_DONE);
    ck_assert_int_eq(feed(&f, &p, 0, cap_buf, len, 1), HELLO_DONE);
    expect_same(&whole, &f);
    hello_flight_cleanup(&f);
    for (size_t cut = 1; cut < len; cut++) {
        ck_assert_int_eq(hello_flight_init(&f, &p, 0, 0), HELLO_OK);
        enum hello_status st = hello_flight_feed(&f, cap_buf, cut);
        if (st == HELLO_NEED_MORE) {
            st = hello_flight_feed(&f, cap_buf + cut, len - cut);
        }
        ck_assert_int_eq(st, HELLO_DONE);
        expect_same(&whole, &f);
        hello_flight_cleanup(&f);
    }
    hello_flight_cleanup(&whole);
}
END_TEST

/* Every prefix shorter than the needed bytes: NEED_MORE, then FAILED at EOF. */
START_TEST(test_capture_truncations)
{
    const struct capture_case *c = &captures[_i];
    struct hello_params p;
    struct hello_flight f;
    size_t len = load(c->name, cap_buf, sizeof(cap_buf));

    capture_params(c->version, &p);
    ck_assert_int_eq(feed(&f, &p, 0, cap_buf, len, 0), HELLO_DONE);
    size_t needed = hello_flight_result(&f)->n_bytes;
    hello_flight_cleanup(&f);
    for (size_t cut = 0; cut < needed; cut++) {
        enum hello_status st = feed(&f, &p, 0, cap_buf, cut, 0);
        ck_assert_msg(st == HELLO_NEED_MORE, "%s: cut %zu: %d", c->name, cut, st);
        ck_assert_int_eq(hello_flight_eof(&f), HELLO_FAILED);
        ck_assert_ptr_nonnull(hello_flight_error(&f)->reason);
        ck_assert_uint_eq(hello_flight_error(&f)->offset, cut);
        hello_flight_cleanup(&f);
    }
    ck_assert_int_eq(feed(&f, &p, 0, cap_buf, needed, 0), HELLO_DONE);
    hello_flight_cleanup(&f);
}
END_TEST

/* The handshake bytes of a capture framed again in records of frag bytes:
 * several messages per record, and messages spread over many records. */
static size_t reframe(const uint8_t *in, size_t len, size_t frag, uint8_t *out, size_t cap)
{
    static uint8_t hs[BIG];
    size_t hs_len = 0;
    size_t rest_at = len;
    struct rbuf r;
    rbuf_init(&r, in, len);
    while (!rbuf_at_end(&r)) {
        struct rbuf at = r;
        uint8_t type;
        uint16_t version;
        struct rbuf body;
        ck_assert(rbuf_get_u8(&r, &type) && rbuf_get_u16(&r, &version) &&
                  rbuf_get_vec16(&r, &body));
        if (type != TLS_CT_HANDSHAKE) {
            rest_at = (size_t)(at.data - in);
            break;
        }
        size_t n = body.len;
        ck_assert(rbuf_copy_bytes(&body, hs + hs_len, n));
        hs_len += n;
    }
    struct wbuf w;
    wbuf_init_fixed(&w, out, cap);
    for (size_t pos = 0; pos < hs_len; pos += frag) {
        size_t n = hs_len - pos < frag ? hs_len - pos : frag;
        wbuf_put_u8(&w, TLS_CT_HANDSHAKE);
        wbuf_put_u16(&w, TLS_WIRE_TLS12);
        wbuf_put_u16(&w, (uint16_t)n);
        wbuf_put_bytes(&w, hs + pos, n);
    }
    wbuf_put_bytes(&w, in + rest_at, len - rest_at);
    ck_assert(wbuf_ok(&w));
    return wbuf_len(&w);
}

START_TEST(test_capture_reframed)
{
    static uint8_t framed[BIG * 2];
    static const size_t frags[] = {5, 7, 64, 1000, 16384};
    const struct capture_case *c = &captures[_i];
    struct hello_params p;
    struct hello_flight whole;
    struct hello_flight f;
    size_t len = load(c->name, cap_buf, sizeof(cap_buf));

    capture_params(c->version, &p);
    ck_assert_int_eq(feed(&whole, &p, 0, cap_buf, len, 0), HELLO_DONE);
    const struct hello_result *wr = hello_flight_result(&whole);
    for (size_t i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
        size_t n = reframe(cap_buf, len, frags[i], framed, sizeof(framed));
        enum hello_status st = feed(&f, &p, 0, framed, n, 0);
        ck_assert_msg(st == HELLO_DONE, "%s frag %zu: %s", c->name, frags[i],
                      hello_flight_error(&f)->reason);
        const struct hello_result *fr = hello_flight_result(&f);
        ck_assert_int_eq(fr->answer, wr->answer);
        ck_assert_uint_eq(fr->sh.suite, wr->sh.suite);
        ck_assert_uint_eq(fr->certificate.n_certs, wr->certificate.n_certs);
        for (size_t k = 0; k < fr->certificate.n_certs; k++) {
            ck_assert(views_equal(&fr->certificate.certs[k], &wr->certificate.certs[k]));
        }
        ck_assert_uint_eq(fr->ske.dh_p_bits, wr->ske.dh_p_bits);
        ck_assert(views_equal(&fr->ske.signature, &wr->ske.signature));
        ck_assert_int_eq(fr->have_done, wr->have_done);
        ck_assert(!fr->trailing_bytes);
        hello_flight_cleanup(&f);
        /* the same split into single-byte reads */
        ck_assert_int_eq(feed(&f, &p, 0, framed, n, 1), HELLO_DONE);
        ck_assert_uint_eq(hello_flight_result(&f)->certificate.n_certs, wr->certificate.n_certs);
        hello_flight_cleanup(&f);
    }
    hello_flight_cleanup(&whole);
}
END_TEST

/* More handshake records than HELLO_MAX_RECORDS: refused, at a clear offset. */
START_TEST(test_record_count_cap)
{
    static uint8_t framed[BIG * 4];
    struct hello_params p;
    struct hello_flight f;
    size_t len = load("openssl-tls12-dhe-rsa", cap_buf, sizeof(cap_buf));
    size_t n = reframe(cap_buf, len, 2, framed, sizeof(framed));

    capture_params("tls12", &p);
    ck_assert_int_eq(feed(&f, &p, 0, framed, n, 0), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "record: too many handshake records");
    ck_assert_uint_eq(hello_flight_error(&f)->offset, HELLO_MAX_RECORDS * 7);
    /* what came before the cap was learned */
    ck_assert_int_eq(hello_flight_result(&f)->answer, HELLO_ANS_SERVER_HELLO);
    hello_flight_cleanup(&f);
}
END_TEST

/* The bytes-per-probe cap. */
START_TEST(test_byte_cap)
{
    struct hello_params p;
    struct hello_flight f;
    size_t len = load("openssl-tls12-dhe-rsa", cap_buf, sizeof(cap_buf));

    capture_params("tls12", &p);
    ck_assert_int_eq(hello_flight_init(&f, &p, 0, 1000), HELLO_OK);
    ck_assert_int_eq(hello_flight_feed(&f, cap_buf, len), HELLO_FAILED);
    ck_assert_ptr_nonnull(strstr(hello_flight_error(&f)->reason, "per probe"));
    ck_assert_uint_le(hello_flight_result(&f)->n_bytes, 1000);
    hello_flight_cleanup(&f);
}
END_TEST

/* ---- parsers over built bytes ---------------------------------------------- */

/* The ServerHello parser: every prefix fails, except the one that ends right
 * after compression_method (a ServerHello without extensions is valid). */
START_TEST(test_sh_prefixes)
{
    static const uint8_t exts[] = {0x00, 0x17, 0x00, 0x00, 0xff, 0x01, 0x00, 0x01, 0x00};
    uint8_t body[256];
    size_t n = put_sh(body, sizeof(body), TLS_WIRE_TLS12, 0xC02F, exts, sizeof(exts));
    struct hello_server_hello sh;
    struct hello_error err;

    ck_assert(hello_parse_server_hello(&(struct rbuf){body, n}, &sh, &err));
    ck_assert_uint_eq(sh.exts, HELLO_EXT_EXTENDED_MASTER_SECRET | HELLO_EXT_RENEGOTIATION_INFO);
    ck_assert_uint_eq(sh.n_ext_types, 2);
    ck_assert_uint_eq(sh.ext_types[1], TLS_EXT_RENEGOTIATION_INFO);
    for (size_t cut = 0; cut < n; cut++) {
        bool ok = hello_parse_server_hello(&(struct rbuf){body, cut}, &sh, &err);
        ck_assert_msg(ok == (cut == 38), "cut %zu", cut);
        if (!ok) {
            ck_assert_ptr_nonnull(err.reason);
            ck_assert_uint_le(err.offset, cut);
        }
    }
}
END_TEST

/* Length fields at 0, len+1 and max, and trailing bytes, in a ServerHello. */
START_TEST(test_sh_lengths)
{
    static const uint8_t ems[] = {0x00, 0x17, 0x00, 0x00};
    uint8_t body[256];
    size_t n = put_sh(body, sizeof(body), TLS_WIRE_TLS12, 0xC02F, ems, sizeof(ems));
    struct hello_server_hello sh;
    struct hello_error err;
    uint8_t m[260];

    /* extensions length: 0 (then 4 bytes trail), len+1, max */
    static const uint16_t ext_lens[] = {0, 5, 0xffff};
    for (size_t i = 0; i < 3; i++) {
        memcpy(m, body, n);
        m[38] = (uint8_t)(ext_lens[i] >> 8);
        m[39] = (uint8_t)ext_lens[i];
        ck_assert(!hello_parse_server_hello(&(struct rbuf){m, n}, &sh, &err));
    }
    memcpy(m, body, n);
    m[38] = 0;
    m[39] = 0;
    ck_assert(!hello_parse_server_hello(&(struct rbuf){m, n}, &sh, &err));
    ck_assert_str_eq(err.reason, "ServerHello: trailing bytes after extensions");
    ck_assert_uint_eq(err.offset, 40);
    /* an empty extensions block is fine on its own */
    ck_assert(hello_parse_server_hello(&(struct rbuf){m, 40}, &sh, &err));
    ck_assert_uint_eq(sh.n_ext_types, 0);

    /* one extension's length: len+1 and max */
    memcpy(m, body, n);
    m[43] = 1;
    ck_assert(!hello_parse_server_hello(&(struct rbuf){m, n}, &sh, &err));
    ck_assert_uint_eq(err.offset, 40);
    m[42] = 0xff;
    m[43] = 0xff;
    ck_assert(!hello_parse_server_hello(&(struct rbuf){m, n}, &sh, &err));

    /* a byte after the extensions block */
    memcpy(m, body, n);
    m[n] = 0;
    ck_assert(!hello_parse_server_hello(&(struct rbuf){m, n + 1}, &sh, &err));
    ck_assert_uint_eq(err.offset, n);

    /* session_id: 32 fine, 33 too long, 0xff longer than the message */
    uint8_t sid[80];
    struct wbuf w;
    for (size_t len = 32; len <= 33; len++) {
        wbuf_init_fixed(&w, sid, sizeof(sid));
        wbuf_put_u16(&w, TLS_WIRE_TLS12);
        wbuf_put_zeros(&w, 32);
        wbuf_put_u8(&w, (uint8_t)len);
        wbuf_put_zeros(&w, len);
        wbuf_put_u16(&w, 0x002F);
        wbuf_put_u8(&w, 0);
        ck_assert(wbuf_ok(&w));
        bool ok = hello_parse_server_hello(&(struct rbuf){sid, wbuf_len(&w)}, &sh, &err);
        ck_assert_int_eq(ok, len == 32);
    }
    sid[34] = 0xff;
    ck_assert(!hello_parse_server_hello(&(struct rbuf){sid, 38}, &sh, &err));
}
END_TEST

/* Extension bodies: trailing bytes, bad lengths, duplicates, the cap. */
START_TEST(test_sh_extensions)
{
    struct hello_server_hello sh;
    struct hello_error err;
    uint8_t body[1024];
    size_t n;

#define SH_EXTS(...)                                                                               \
    (n = put_sh(body, sizeof(body), TLS_WIRE_TLS12, 0xC02F, (const uint8_t[]){__VA_ARGS__},        \
                sizeof((const uint8_t[]){__VA_ARGS__})),                                           \
     hello_parse_server_hello(&(struct rbuf){body, n}, &sh, &err))

    ck_assert(!SH_EXTS(0x00, 0x17, 0x00, 0x01, 0x00)); /* EMS with a byte */
    ck_assert_str_eq(err.reason, "ServerHello: extension with trailing bytes");
    ck_assert_uint_eq(err.offset, 44);
    ck_assert(!SH_EXTS(0x00, 0x17, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00));
    ck_assert_str_eq(err.reason, "ServerHello: duplicate extension");
    ck_assert_uint_eq(err.offset, 44);
    ck_assert(!SH_EXTS(0x00, 0x17, 0x00));                   /* truncated header */
    ck_assert(!SH_EXTS(0xff, 0x01, 0x00, 0x02, 0x05, 0x00)); /* reneg vector len+1 */
    ck_assert(SH_EXTS(0xff, 0x01, 0x00, 0x02, 0x01, 0x00));
    ck_assert_uint_eq(sh.reneg_info_len, 1);
    ck_assert(!SH_EXTS(0x00, 0x0b, 0x00, 0x01, 0x00));       /* empty point format list */
    ck_assert(!SH_EXTS(0x00, 0x10, 0x00, 0x02, 0x00, 0x00)); /* ALPN: empty list */
    ck_assert(!SH_EXTS(0x00, 0x10, 0x00, 0x08, 0x00, 0x06, 0x02, 'h', '2', 0x01, 'x', 0x00));
    ck_assert(!SH_EXTS(0x00, 0x10, 0x00, 0x03, 0x00, 0x01, 0x00)); /* empty name */
    ck_assert(SH_EXTS(0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h', '2'));
    ck_assert_uint_eq(sh.alpn_len, 2);
    ck_assert(SH_EXTS(0x00, 0x0f, 0x00, 0x01, 0x02)); /* heartbeat */
    ck_assert_uint_eq(sh.heartbeat_mode, 2);
    ck_assert(!SH_EXTS(0x00, 0x0f, 0x00, 0x00));
    ck_assert(!SH_EXTS(0x00, 0x2b, 0x00, 0x01, 0x03)); /* supported_versions short */
    ck_assert(!SH_EXTS(0x00, 0x33, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x00)); /* empty share */
    ck_assert(SH_EXTS(0x00, 0x33, 0x00, 0x05, 0x00, 0x1d, 0x00, 0x01, 0x09));
    ck_assert_uint_eq(sh.key_share_group, 29);
    ck_assert_uint_eq(sh.key_share_len, 1);
    ck_assert(SH_EXTS(0x12, 0x34, 0x00, 0x02, 0xaa, 0xbb)); /* unknown: kept, not parsed */
    ck_assert_uint_eq(sh.exts, HELLO_EXT_OTHER);
    ck_assert_uint_eq(sh.ext_types[0], 0x1234);

    /* HELLO_MAX_EXTS distinct extensions parse; one more is refused */
    uint8_t many[4 * (HELLO_MAX_EXTS + 1)];
    for (size_t i = 0; i <= HELLO_MAX_EXTS; i++) {
        many[4 * i] = 0x70;
        many[4 * i + 1] = (uint8_t)i;
        many[4 * i + 2] = 0;
        many[4 * i + 3] = 0;
    }
    n = put_sh(body, sizeof(body), TLS_WIRE_TLS12, 0xC02F, many, 4 * HELLO_MAX_EXTS);
    ck_assert(hello_parse_server_hello(&(struct rbuf){body, n}, &sh, &err));
    n = put_sh(body, sizeof(body), TLS_WIRE_TLS12, 0xC02F, many, sizeof(many));
    ck_assert(!hello_parse_server_hello(&(struct rbuf){body, n}, &sh, &err));
    ck_assert_str_eq(err.reason, "ServerHello: too many extensions");
#undef SH_EXTS
}
END_TEST

START_TEST(test_hrr_and_downgrade)
{
    static const uint8_t hrr_random[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
                                           0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
                                           0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
                                           0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
    static const uint8_t exts[] = {0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x02,
                                   0x00, 0x17, 0x00, 0x2c, 0x00, 0x03, 0x00, 0x01, 0xee};
    uint8_t body[256];
    struct hello_server_hello sh;
    struct hello_error err;
    size_t n = put_sh(body, sizeof(body), TLS_WIRE_TLS12, 0x1301, exts, sizeof(exts));

    memcpy(body + 2, hrr_random, 32);
    ck_assert(hello_parse_server_hello(&(struct rbuf){body, n}, &sh, &err));
    ck_assert(sh.hrr);
    ck_assert_uint_eq(sh.version, TLS_WIRE_TLS13);
    ck_assert_uint_eq(sh.key_share_group, 23);
    ck_assert(sh.exts & HELLO_EXT_COOKIE);

    /* the flight: an HRR for a group we listed but did not share for is fine... */
    uint8_t msg[300];
    uint8_t rec[320];
    struct hello_params p;
    struct hello_flight f;
    size_t m = put_msg(msg, sizeof(msg), TLS_HS_SERVER_HELLO, body, n);
    size_t r = put_record(rec, sizeof(rec), TLS_CT_HANDSHAKE, TLS_WIRE_TLS12, msg, m);
    capture_params("tls13", &p);
    p.shares = HELLO_SHARE_X25519;
    ck_assert_int_eq(feed(&f, &p, 0, rec, r, 0), HELLO_DONE);
    ck_assert_int_eq(hello_flight_result(&f)->answer, HELLO_ANS_HRR);
    ck_assert(!hello_flight_result(&f)->group_not_offered);
    ck_assert_uint_eq(hello_flight_result(&f)->exts_not_offered, 0);
    hello_flight_cleanup(&f);
    /* ...one we already sent a share for is not (RFC 8446 §4.1.4) */
    p.shares = HELLO_SHARE_X25519 | HELLO_SHARE_SECP256R1;
    ck_assert_int_eq(feed(&f, &p, 0, rec, r, 0), HELLO_DONE);
    ck_assert(hello_flight_result(&f)->group_not_offered);
    hello_flight_cleanup(&f);

    /* the downgrade sentinels */
    n = put_sh(body, sizeof(body), TLS_WIRE_TLS12, 0x002F, NULL, 0);
    memcpy(body + 2 + 24, "DOWNGRD\x01", 8);
    ck_assert(hello_parse_server_hello(&(struct rbuf){body, n}, &sh, &err));
    ck_assert_uint_eq(sh.downgrade, TLS_WIRE_TLS12);
    ck_assert(!sh.hrr);
    body[2 + 31] = 0;
    ck_assert(hello_parse_server_hello(&(struct rbuf){body, n}, &sh, &err));
    ck_assert_uint_eq(sh.downgrade, TLS_WIRE_TLS11);
    body[2 + 31] = 2;
    ck_assert(hello_parse_server_hello(&(struct rbuf){body, n}, &sh, &err));
    ck_assert_uint_eq(sh.downgrade, 0);
}
END_TEST

START_TEST(test_certificate)
{
    struct hello_certificate c;
    struct hello_error err;
    static const uint8_t two[] = {0x00, 0x00, 0x09, 0x00, 0x00, 0x02,
                                  0x30, 0x00, 0x00, 0x00, 0x01, 0x30};
    static const uint8_t empty_list[] = {0x00, 0x00, 0x00};
    static const uint8_t empty_cert[] = {0x00, 0x00, 0x03, 0x00, 0x00, 0x00};

    ck_assert(hello_parse_certificate(&(struct rbuf){two, sizeof(two)}, HELLO_MAX_CERTS, &c, &err));
    ck_assert_uint_eq(c.n_certs, 2);
    ck_assert_uint_eq(c.certs[0].len, 2);
    ck_assert_uint_eq(c.certs[1].len, 1);
    ck_assert_ptr_eq(c.certs[1].data, two + 11);
    ck_assert(!hello_parse_certificate(&(struct rbuf){two, sizeof(two)}, 1, &c, &err));
    ck_assert_str_eq(err.reason, "Certificate: too many certificates");
    ck_assert_uint_eq(err.offset, 8);
    for (size_t cut = 0; cut < sizeof(two); cut++) {
        ck_assert(!hello_parse_certificate(&(struct rbuf){two, cut}, 4, &c, &err));
    }
    uint8_t m[sizeof(two) + 1];
    memcpy(m, two, sizeof(two));
    m[sizeof(two)] = 0;
    ck_assert(!hello_parse_certificate(&(struct rbuf){m, sizeof(m)}, 4, &c, &err));
    ck_assert_str_eq(err.reason, "Certificate: trailing bytes");
    m[2] = 0x0a; /* list length len+1 */
    ck_assert(!hello_parse_certificate(&(struct rbuf){m, sizeof(two)}, 4, &c, &err));
    ck_assert(hello_parse_certificate(&(struct rbuf){empty_list, 3}, 4, &c, &err));
    ck_assert_uint_eq(c.n_certs, 0);
    ck_assert(!hello_parse_certificate(&(struct rbuf){empty_cert, 6}, 4, &c, &err));
    ck_assert_str_eq(err.reason, "Certificate: bad certificate length");
}
END_TEST

/* ServerKeyExchange for every kind, prefixes, trailing bytes. */
START_TEST(test_ske_kinds)
{
    struct hello_ske s;
    struct hello_error err;
    static const uint8_t dhe12[] = {0x00, 0x02, 0x80, 0x01, 0x00, 0x01, 0x02, 0x00,
                                    0x01, 0x07, 0x04, 0x01, 0x00, 0x02, 0xaa, 0xbb};
    static const uint8_t dh_anon[] = {0x00, 0x03, 0x00, 0xff, 0xff, 0x00,
                                      0x01, 0x05, 0x00, 0x01, 0x07};
    static const uint8_t ecdhe11[] = {0x03, 0x00, 0x17, 0x01, 0x04, 0x00, 0x01, 0x99};
    static const uint8_t explicit_prime[] = {0x01, 0x02, 0x01, 0x00, 0x01, 0xa1, 0x01, 0xb1,
                                             0x01, 0x04, 0x01, 0x0f, 0x01, 0x01, 0x01, 0x04};
    static const uint8_t char2[] = {0x02, 0x00, 0xa3, 0x02, 0x01, 0x07, 0x01, 0x06,
                                    0x01, 0x03, 0x01, 0xa1, 0x01, 0xb1, 0x01, 0x04,
                                    0x01, 0x0f, 0x01, 0x02, 0x01, 0x04};
    static const uint8_t rsa_export[] = {0x00, 0x02, 0x01, 0xff, 0x00,
                                         0x01, 0x03, 0x00, 0x01, 0x55};
    static const uint8_t psk[] = {0x00, 0x02, 'i', 'd'};
    static const uint8_t dhe_psk[] = {0x00, 0x00, 0x00, 0x01, 0x17, 0x00,
                                      0x01, 0x05, 0x00, 0x01, 0x03};
    static const uint8_t ecdhe_psk[] = {0x00, 0x01, 'x', 0x03, 0x00, 0x1d, 0x01, 0x09};
    static const uint8_t srp[] = {0x00, 0x01, 0xc5, 0x00, 0x01, 0x02, 0x01, 0x33, 0x00, 0x01, 0x44};

#define SKE(buf, kx, v)                                                                            \
    hello_parse_server_key_exchange(&(struct rbuf){buf, sizeof(buf)}, kx, v, &s, &err)
    ck_assert(SKE(dhe12, HELLO_KX_DHE, TLS_WIRE_TLS12));
    ck_assert_uint_eq(s.dh_p_bits, 16);
    ck_assert_uint_eq(s.dh_g_value, 2);
    ck_assert_uint_eq(s.sig_scheme, 0x0401);
    ck_assert_uint_eq(s.signature.len, 2);
    ck_assert(!SKE(dhe12, HELLO_KX_DHE, TLS_WIRE_TLS11)); /* no algorithm field: misread */
    ck_assert(SKE(dh_anon, HELLO_KX_DH_ANON, TLS_WIRE_TLS12));
    ck_assert_uint_eq(s.dh_p_bits, 16); /* the leading zero byte does not count */
    ck_assert(!s.has_signature);
    ck_assert(SKE(ecdhe11, HELLO_KX_ECDHE, TLS_WIRE_TLS11));
    ck_assert_uint_eq(s.ec_group, 23);
    ck_assert_uint_eq(s.sig_scheme, 0);
    ck_assert_uint_eq(s.signature.len, 1);
    ck_assert(SKE(explicit_prime, HELLO_KX_ECDH_ANON, TLS_WIRE_TLS12));
    ck_assert_uint_eq(s.ec_curve_type, 1);
    ck_assert_uint_eq(s.ec_field_bits, 9);
    ck_assert(SKE(char2, HELLO_KX_ECDH_ANON, TLS_WIRE_TLS12));
    ck_assert_uint_eq(s.ec_field_bits, 163);
    ck_assert(SKE(rsa_export, HELLO_KX_RSA_EXPORT, TLS_WIRE_TLS10));
    ck_assert_uint_eq(s.rsa_modulus_bits, 9);
    ck_assert(SKE(psk, HELLO_KX_PSK, TLS_WIRE_TLS12));
    ck_assert_uint_eq(s.psk_hint.len, 2);
    ck_assert(SKE(dhe_psk, HELLO_KX_DHE_PSK, TLS_WIRE_TLS12));
    ck_assert_uint_eq(s.psk_hint.len, 0);
    ck_assert_uint_eq(s.dh_p_bits, 5);
    ck_assert(SKE(ecdhe_psk, HELLO_KX_ECDHE_PSK, TLS_WIRE_TLS12));
    ck_assert_uint_eq(s.ec_group, 29);
    ck_assert(SKE(srp, HELLO_KX_SRP, TLS_WIRE_TLS12));
    ck_assert_uint_eq(s.srp_n_bits, 8);
    ck_assert(!SKE(srp, HELLO_KX_SRP_SIGNED, TLS_WIRE_TLS12));
    ck_assert(SKE(srp, HELLO_KX_UNKNOWN, TLS_WIRE_TLS12)); /* opaque */
    ck_assert(!SKE(psk, HELLO_KX_NONE, TLS_WIRE_TLS12));

    /* every proper prefix fails (each ends with a non-optional field) */
    struct {
        const uint8_t *buf;
        size_t len;
        enum hello_kx kx;
        uint16_t v;
    } all[] = {{dhe12, sizeof(dhe12), HELLO_KX_DHE, TLS_WIRE_TLS12},
               {dh_anon, sizeof(dh_anon), HELLO_KX_DH_ANON, TLS_WIRE_TLS12},
               {ecdhe11, sizeof(ecdhe11), HELLO_KX_ECDHE, TLS_WIRE_TLS11},
               {explicit_prime, sizeof(explicit_prime), HELLO_KX_ECDH_ANON, TLS_WIRE_TLS12},
               {char2, sizeof(char2), HELLO_KX_ECDH_ANON, TLS_WIRE_TLS12},
               {rsa_export, sizeof(rsa_export), HELLO_KX_RSA_EXPORT, TLS_WIRE_TLS10},
               {dhe_psk, sizeof(dhe_psk), HELLO_KX_DHE_PSK, TLS_WIRE_TLS12},
               {ecdhe_psk, sizeof(ecdhe_psk), HELLO_KX_ECDHE_PSK, TLS_WIRE_TLS12},
               {srp, sizeof(srp), HELLO_KX_SRP, TLS_WIRE_TLS12}};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        uint8_t m[64];
        for (size_t cut = 0; cut < all[i].len; cut++) {
            ck_assert_msg(!hello_parse_server_key_exchange(&(struct rbuf){all[i].buf, cut},
                                                           all[i].kx, all[i].v, &s, &err),
                          "case %zu cut %zu", i, cut);
            ck_assert_uint_le(err.offset, cut);
        }
        memcpy(m, all[i].buf, all[i].len);
        m[all[i].len] = 0;
        ck_assert(!hello_parse_server_key_exchange(&(struct rbuf){m, all[i].len + 1}, all[i].kx,
                                                   all[i].v, &s, &err));
        ck_assert_str_eq(err.reason, "ServerKeyExchange: trailing bytes");
        ck_assert_uint_eq(err.offset, all[i].len);
    }
    /* a zero-length dh_p, an unknown curve type */
    static const uint8_t zero_p[] = {0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x01, 0x02};
    ck_assert(!SKE(zero_p, HELLO_KX_DH_ANON, TLS_WIRE_TLS12));
    ck_assert_uint_eq(err.offset, 0);
    static const uint8_t curve9[] = {0x09, 0x00, 0x17, 0x01, 0x04};
    ck_assert(!SKE(curve9, HELLO_KX_ECDH_ANON, TLS_WIRE_TLS12));
    ck_assert_str_eq(err.reason, "ECParameters: unknown curve_type");
#undef SKE
}
END_TEST

START_TEST(test_small_parsers)
{
    struct hello_alert a;
    struct hello_error err;

    ck_assert(hello_parse_alert(&(struct rbuf){(const uint8_t *)"\x02\x28", 2}, &a, &err));
    ck_assert_uint_eq(a.level, 2);
    ck_assert_uint_eq(a.description, 40);
    ck_assert_str_eq(hello_alert_name(a.description), "handshake_failure");
    ck_assert_str_eq(hello_alert_level_name(a.level), "fatal");
    ck_assert(!hello_parse_alert(&(struct rbuf){(const uint8_t *)"\x02\x28\x00", 3}, &a, &err));
    ck_assert_uint_eq(err.offset, 2);
    ck_assert(!hello_parse_alert(&(struct rbuf){(const uint8_t *)"\x02", 1}, &a, &err));
    ck_assert(!hello_parse_alert(&(struct rbuf){(const uint8_t *)"\x03\x28", 2}, &a, &err));
    ck_assert_str_eq(hello_alert_name(200), "unknown");
    ck_assert_str_eq(hello_alert_level_name(7), "unknown");
    ck_assert_str_eq(hello_alert_name(86), "inappropriate_fallback");
    ck_assert_str_eq(hello_handshake_name(TLS_HS_SERVER_KEY_EXCHANGE), "ServerKeyExchange");
    ck_assert_str_eq(hello_handshake_name(99), "unknown");

    ck_assert(hello_parse_server_hello_done(&(struct rbuf){(const uint8_t *)"", 0}, &err));
    ck_assert(!hello_parse_server_hello_done(&(struct rbuf){(const uint8_t *)"x", 1}, &err));
    ck_assert_str_eq(err.reason, "ServerHelloDone: not empty");

    ck_assert_int_eq(hello_kx_of_suite(0xC02F), HELLO_KX_ECDHE);
    ck_assert_int_eq(hello_kx_of_suite(0x0033), HELLO_KX_DHE);
    ck_assert_int_eq(hello_kx_of_suite(0x0018), HELLO_KX_DH_ANON);
    ck_assert_int_eq(hello_kx_of_suite(0xC018), HELLO_KX_ECDH_ANON);
    ck_assert_int_eq(hello_kx_of_suite(0x002F), HELLO_KX_NONE);
    ck_assert_int_eq(hello_kx_of_suite(0x0003), HELLO_KX_RSA_EXPORT);
    ck_assert_int_eq(hello_kx_of_suite(0x0014), HELLO_KX_DHE); /* DHE export: same SKE */
    ck_assert_int_eq(hello_kx_of_suite(0x008C), HELLO_KX_PSK);
    ck_assert_int_eq(hello_kx_of_suite(0x0094), HELLO_KX_PSK); /* RSA_PSK: hint only */
    ck_assert_int_eq(hello_kx_of_suite(0x0090), HELLO_KX_DHE_PSK);
    ck_assert_int_eq(hello_kx_of_suite(0xC035), HELLO_KX_ECDHE_PSK);
    ck_assert_int_eq(hello_kx_of_suite(0xC01D), HELLO_KX_SRP);
    ck_assert_int_eq(hello_kx_of_suite(0xC01E), HELLO_KX_SRP_SIGNED);
    ck_assert_int_eq(hello_kx_of_suite(0x000D), HELLO_KX_NONE); /* static DH */
    ck_assert_int_eq(hello_kx_of_suite(0x1301), HELLO_KX_NONE);
    ck_assert_int_eq(hello_kx_of_suite(0xEEEE), HELLO_KX_UNKNOWN);
}
END_TEST

/* ---- the flight over built bytes ------------------------------------------- */

static uint8_t fl[8192];

START_TEST(test_flight_record_errors)
{
    struct hello_flight f;
    size_t n = sh_record(fl, sizeof(fl), TLS_WIRE_TLS12, 0xC02F, NULL, 0);

    /* record length 0 */
    fl[3] = 0;
    fl[4] = 0;
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "record: empty");
    ck_assert_uint_eq(hello_flight_error(&f)->offset, 3);
    hello_flight_cleanup(&f);
    /* record length max: over the cap at once */
    fl[3] = 0xff;
    fl[4] = 0xff;
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "record: longer than 2^14 + 2048");
    hello_flight_cleanup(&f);
    /* record length len+1: the flight waits for the byte... */
    n = sh_record(fl, sizeof(fl), TLS_WIRE_TLS12, 0xC02F, NULL, 0);
    fl[4]++;
    ck_assert_int_eq(run12(&f, fl, n), HELLO_NEED_MORE);
    ck_assert_int_eq(hello_flight_result(&f)->answer, HELLO_ANS_SERVER_HELLO);
    ck_assert_int_eq(hello_flight_eof(&f), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "connection closed inside the flight");
    hello_flight_cleanup(&f);
    /* ...and a stray byte after the ServerHello is a message that never completes */
    fl[n] = TLS_HS_CERTIFICATE;
    ck_assert_int_eq(run12(&f, fl, n + 1), HELLO_NEED_MORE);
    hello_flight_cleanup(&f);

    /* handshake length 0 / len+1 / max */
    n = sh_record(fl, sizeof(fl), TLS_WIRE_TLS12, 0xC02F, NULL, 0);
    uint8_t save[3] = {fl[6], fl[7], fl[8]};
    fl[6] = fl[7] = fl[8] = 0;
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "ServerHello: truncated version");
    ck_assert_uint_eq(hello_flight_error(&f)->offset, 9);
    hello_flight_cleanup(&f);
    memcpy(fl + 6, save, 3);
    fl[8]++;
    ck_assert_int_eq(run12(&f, fl, n), HELLO_NEED_MORE);
    hello_flight_cleanup(&f);
    fl[6] = fl[7] = fl[8] = 0xff;
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason,
                     "handshake message longer than the bytes allowed per probe");
    ck_assert_uint_eq(hello_flight_error(&f)->offset, 6);
    hello_flight_cleanup(&f);

    /* record version not 3.x, unknown content type, garbage */
    n = sh_record(fl, sizeof(fl), TLS_WIRE_TLS12, 0xC02F, NULL, 0);
    fl[1] = 2;
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "record: version is not 3.x");
    ck_assert_uint_eq(hello_flight_error(&f)->offset, 1);
    hello_flight_cleanup(&f);
    fl[1] = 3;
    fl[0] = 99;
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "record: unknown content type");
    hello_flight_cleanup(&f);
    static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
    ck_assert_int_eq(run12(&f, (const uint8_t *)http, sizeof(http) - 1), HELLO_FAILED);
    ck_assert_uint_eq(hello_flight_error(&f)->offset, 0);
    hello_flight_cleanup(&f);

    /* a ChangeCipherSpec or application data where the hello belongs */
    n = put_record(fl, sizeof(fl), TLS_CT_CHANGE_CIPHER_SPEC, TLS_WIRE_TLS12,
                   (const uint8_t *)"\x01", 1);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "unexpected ChangeCipherSpec record");
    hello_flight_cleanup(&f);
    n = put_record(fl, sizeof(fl), TLS_CT_APPLICATION_DATA, TLS_WIRE_TLS12, (const uint8_t *)"", 0);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    hello_flight_cleanup(&f);

    /* a handshake message other than a ServerHello first */
    uint8_t msg[8];
    size_t m = put_msg(msg, sizeof(msg), TLS_HS_SERVER_HELLO_DONE, NULL, 0);
    n = put_record(fl, sizeof(fl), TLS_CT_HANDSHAKE, TLS_WIRE_TLS12, msg, m);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "expected a ServerHello");
    hello_flight_cleanup(&f);

    /* nothing at all */
    ck_assert_int_eq(run12(&f, fl, 0), HELLO_NEED_MORE);
    ck_assert_int_eq(hello_flight_eof(&f), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "connection closed before any byte");
    hello_flight_cleanup(&f);
}
END_TEST

/* Alerts: instead of the hello, split over records, warnings, close_notify. */
START_TEST(test_flight_alerts)
{
    struct hello_flight f;
    size_t n;

    n = put_record(fl, sizeof(fl), TLS_CT_ALERT, TLS_WIRE_TLS12, (const uint8_t *)"\x02\x28", 2);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_DONE);
    ck_assert_int_eq(hello_flight_result(&f)->answer, HELLO_ANS_ALERT);
    ck_assert_uint_eq(hello_flight_result(&f)->alert.description, 40);
    hello_flight_cleanup(&f);
    /* one alert split over two records */
    n = put_record(fl, sizeof(fl), TLS_CT_ALERT, TLS_WIRE_TLS12, (const uint8_t *)"\x02", 1);
    n += put_record(fl + n, sizeof(fl) - n, TLS_CT_ALERT, TLS_WIRE_TLS12, (const uint8_t *)"\x46",
                    1);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_DONE);
    ck_assert_uint_eq(hello_flight_result(&f)->alert.description, 70);
    hello_flight_cleanup(&f);
    /* half an alert, then a handshake record */
    n = put_record(fl, sizeof(fl), TLS_CT_ALERT, TLS_WIRE_TLS12, (const uint8_t *)"\x02", 1);
    n += sh_record(fl + n, sizeof(fl) - n, TLS_WIRE_TLS12, 0xC02F, NULL, 0);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "record: alert split around another record");
    hello_flight_cleanup(&f);
    /* a bad alert level */
    n = put_record(fl, sizeof(fl), TLS_CT_ALERT, TLS_WIRE_TLS12, (const uint8_t *)"\x05\x28", 2);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    hello_flight_cleanup(&f);
    /* a warning (unrecognized_name) before the hello: noted, the flight goes on */
    n = put_record(fl, sizeof(fl), TLS_CT_ALERT, TLS_WIRE_TLS12, (const uint8_t *)"\x01\x70", 2);
    n += sh_record(fl + n, sizeof(fl) - n, TLS_WIRE_TLS12, 0xC02F, NULL, 0);
    struct hello_params p;
    tls12_params(&p);
    ck_assert_int_eq(feed(&f, &p, HELLO_FLIGHT_HELLO_ONLY, fl, n, 0), HELLO_DONE);
    ck_assert_int_eq(hello_flight_result(&f)->answer, HELLO_ANS_SERVER_HELLO);
    ck_assert(hello_flight_result(&f)->have_warning);
    ck_assert_uint_eq(hello_flight_result(&f)->warning.description, 112);
    ck_assert(!hello_flight_result(&f)->have_alert);
    hello_flight_cleanup(&f);
    /* a warning-level close_notify ends it */
    n = put_record(fl, sizeof(fl), TLS_CT_ALERT, TLS_WIRE_TLS12, (const uint8_t *)"\x01\x00", 2);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_DONE);
    ck_assert_int_eq(hello_flight_result(&f)->answer, HELLO_ANS_ALERT);
    hello_flight_cleanup(&f);
    /* a fatal alert after the ServerHello: the hello stays the answer */
    n = sh_record(fl, sizeof(fl), TLS_WIRE_TLS12, 0xC02F, NULL, 0);
    n += put_record(fl + n, sizeof(fl) - n, TLS_CT_ALERT, TLS_WIRE_TLS12,
                    (const uint8_t *)"\x02\x50", 2);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_DONE);
    ck_assert_int_eq(hello_flight_result(&f)->answer, HELLO_ANS_SERVER_HELLO);
    ck_assert(hello_flight_result(&f)->have_alert);
    ck_assert_uint_eq(hello_flight_result(&f)->alert.description, 80);
    hello_flight_cleanup(&f);
}
END_TEST

/* Builds SH + messages (type, body) into one record; returns its length. */
static size_t flight12(uint8_t *out, size_t cap, uint16_t suite, const uint8_t *types,
                       const struct rbuf *bodies, size_t n)
{
    static uint8_t hs[4096];
    uint8_t shb[128];
    size_t len = put_sh(shb, sizeof(shb), TLS_WIRE_TLS12, suite, NULL, 0);
    size_t pos = put_msg(hs, sizeof(hs), TLS_HS_SERVER_HELLO, shb, len);
    for (size_t i = 0; i < n; i++) {
        pos += put_msg(hs + pos, sizeof(hs) - pos, types[i], bodies[i].data, bodies[i].len);
    }
    return put_record(out, cap, TLS_CT_HANDSHAKE, TLS_WIRE_TLS12, hs, pos);
}

START_TEST(test_flight_order)
{
    struct hello_flight f;
    static const uint8_t cert[] = {0x00, 0x00, 0x04, 0x00, 0x00, 0x01, 0x30};
    static const uint8_t ske[] = {0x03, 0x00, 0x1d, 0x01, 0x09, 0x04, 0x03, 0x00, 0x01, 0x55};
    const struct rbuf c = {cert, sizeof(cert)};
    const struct rbuf k = {ske, sizeof(ske)};
    const struct rbuf e = {(const uint8_t *)"", 0};
    size_t n;

    /* the normal order, all in one record */
    n = flight12(
        fl, sizeof(fl), 0xC02F,
        (const uint8_t[]){TLS_HS_CERTIFICATE, TLS_HS_SERVER_KEY_EXCHANGE, TLS_HS_SERVER_HELLO_DONE},
        (const struct rbuf[]){c, k, e}, 3);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_DONE);
    ck_assert(hello_flight_result(&f)->have_ske);
    ck_assert_uint_eq(hello_flight_result(&f)->ske.ec_group, 29);
    ck_assert(!hello_flight_result(&f)->trailing_bytes);
    hello_flight_cleanup(&f);
    /* a byte after ServerHelloDone in the same record */
    fl[4]++;
    fl[n] = 0;
    ck_assert_int_eq(run12(&f, fl, n + 1), HELLO_DONE);
    ck_assert(hello_flight_result(&f)->trailing_bytes);
    hello_flight_cleanup(&f);
    /* ServerKeyExchange before Certificate */
    n = flight12(fl, sizeof(fl), 0xC02F,
                 (const uint8_t[]){TLS_HS_SERVER_KEY_EXCHANGE, TLS_HS_CERTIFICATE},
                 (const struct rbuf[]){k, c}, 2);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "handshake message out of order");
    ck_assert(hello_flight_result(&f)->have_ske);
    hello_flight_cleanup(&f);
    /* two Certificates */
    n = flight12(fl, sizeof(fl), 0xC02F, (const uint8_t[]){TLS_HS_CERTIFICATE, TLS_HS_CERTIFICATE},
                 (const struct rbuf[]){c, c}, 2);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    hello_flight_cleanup(&f);
    /* an unknown message type */
    n = flight12(fl, sizeof(fl), 0xC02F, (const uint8_t[]){99}, (const struct rbuf[]){e}, 1);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "unexpected handshake message type");
    hello_flight_cleanup(&f);
    /* a ServerKeyExchange for plain RSA */
    n = flight12(fl, sizeof(fl), 0x002F, (const uint8_t[]){TLS_HS_SERVER_KEY_EXCHANGE},
                 (const struct rbuf[]){k}, 1);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    hello_flight_cleanup(&f);
    /* a bad SKE: the offset points into it in the raw bytes */
    uint8_t bad[sizeof(ske)];
    memcpy(bad, ske, sizeof(ske));
    bad[0] = 7;
    n = flight12(fl, sizeof(fl), 0xC02F, (const uint8_t[]){TLS_HS_SERVER_KEY_EXCHANGE},
                 (const struct rbuf[]){{bad, sizeof(bad)}}, 1);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "ECParameters: unknown curve_type");
    ck_assert_uint_eq(hello_flight_error(&f)->offset, 5 + 4 + 38 + 4 + 1);
    hello_flight_cleanup(&f);
    /* CertificateStatus and CertificateRequest in their places */
    static const uint8_t status[] = {0x01, 0x00, 0x00, 0x02, 0x30, 0x00};
    static const uint8_t req[] = {0x01, 0x01, 0x00, 0x02, 0x04, 0x01, 0x00, 0x00};
    n = flight12(fl, sizeof(fl), 0x002F,
                 (const uint8_t[]){TLS_HS_CERTIFICATE, TLS_HS_CERTIFICATE_STATUS,
                                   TLS_HS_CERTIFICATE_REQUEST, TLS_HS_SERVER_HELLO_DONE},
                 (const struct rbuf[]){c, {status, sizeof(status)}, {req, sizeof(req)}, e}, 4);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_DONE);
    ck_assert(hello_flight_result(&f)->have_certificate_status);
    ck_assert(hello_flight_result(&f)->have_certificate_request);
    hello_flight_cleanup(&f);
    /* a ServerHelloDone with a body */
    n = flight12(fl, sizeof(fl), 0x002F, (const uint8_t[]){TLS_HS_SERVER_HELLO_DONE},
                 (const struct rbuf[]){{(const uint8_t *)"x", 1}}, 1);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "ServerHelloDone: not empty");
    hello_flight_cleanup(&f);
    /* a handshake message split around an alert record (RFC 8446 §5.1) */
    n = flight12(fl, sizeof(fl), 0x002F, (const uint8_t[]){TLS_HS_CERTIFICATE},
                 (const struct rbuf[]){c}, 1);
    fl[4] = (uint8_t)(fl[4] - 3); /* the record ends 3 bytes early */
    memmove(fl + n + 4, fl + n - 3, 3);
    put_record(fl + n - 3, 7, TLS_CT_ALERT, TLS_WIRE_TLS12, (const uint8_t *)"\x01\x70", 2);
    ck_assert_int_eq(run12(&f, fl, n + 4), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason,
                     "record: handshake message split around another record");
    hello_flight_cleanup(&f);
}
END_TEST

/* Answers we did not offer are reported, not taken silently. */
START_TEST(test_flight_not_offered)
{
    struct hello_params p;
    struct hello_flight f;
    static const uint32_t one[] = {0xC02F};
    static const uint8_t sv13[] = {0x00, 0x2b, 0x00, 0x02, 0x03, 0x04};
    static const uint8_t alpn[] = {0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h', '2'};
    size_t n;

    hello_params_init(&p, TLS_WIRE_TLS12);
    p.suites = one;
    p.n_suites = 1;
    n = sh_record(fl, sizeof(fl), TLS_WIRE_TLS12, 0x009C, NULL, 0);
    ck_assert_int_eq(feed(&f, &p, HELLO_FLIGHT_HELLO_ONLY, fl, n, 0), HELLO_DONE);
    ck_assert(hello_flight_result(&f)->suite_not_offered);
    ck_assert(!hello_flight_result(&f)->version_not_offered);
    hello_flight_cleanup(&f);
    /* TLS 1.3 through supported_versions, which we did not send */
    n = sh_record(fl, sizeof(fl), TLS_WIRE_TLS12, 0xC02F, sv13, sizeof(sv13));
    ck_assert_int_eq(feed(&f, &p, 0, fl, n, 0), HELLO_DONE);
    ck_assert(hello_flight_result(&f)->version_not_offered);
    ck_assert_uint_eq(hello_flight_result(&f)->exts_not_offered, HELLO_EXT_SUPPORTED_VERSIONS);
    hello_flight_cleanup(&f);
    /* a higher legacy version than offered; a lower one is a normal answer */
    n = sh_record(fl, sizeof(fl), TLS_WIRE_TLS13, 0xC02F, NULL, 0);
    ck_assert_int_eq(feed(&f, &p, 0, fl, n, 0), HELLO_DONE);
    ck_assert(hello_flight_result(&f)->version_not_offered);
    hello_flight_cleanup(&f);
    n = sh_record(fl, sizeof(fl), TLS_WIRE_TLS10, 0xC02F, NULL, 0);
    ck_assert_int_eq(feed(&f, &p, HELLO_FLIGHT_HELLO_ONLY, fl, n, 0), HELLO_DONE);
    ck_assert(!hello_flight_result(&f)->version_not_offered);
    ck_assert_uint_eq(hello_flight_result(&f)->sh.version, TLS_WIRE_TLS10);
    hello_flight_cleanup(&f);
    /* ALPN we did not ask for; compression we did not offer */
    n = sh_record(fl, sizeof(fl), TLS_WIRE_TLS12, 0xC02F, alpn, sizeof(alpn));
    fl[5 + 4 + 37] = 1;
    ck_assert_int_eq(feed(&f, &p, HELLO_FLIGHT_HELLO_ONLY, fl, n, 0), HELLO_DONE);
    ck_assert_uint_eq(hello_flight_result(&f)->exts_not_offered, HELLO_EXT_ALPN);
    ck_assert(hello_flight_result(&f)->compression_not_offered);
    hello_flight_cleanup(&f);
    p.options |= HELLO_OPT_DEFLATE;
    ck_assert_int_eq(feed(&f, &p, HELLO_FLIGHT_HELLO_ONLY, fl, n, 0), HELLO_DONE);
    ck_assert(!hello_flight_result(&f)->compression_not_offered);
    hello_flight_cleanup(&f);
    /* renegotiation_info answers the SCSV as well as the extension */
    static const uint8_t reneg[] = {0xff, 0x01, 0x00, 0x01, 0x00};
    hello_params_init(&p, TLS_WIRE_SSL3);
    p.suites = one;
    p.n_suites = 1;
    n = sh_record(fl, sizeof(fl), TLS_WIRE_SSL3, 0xC02F, reneg, sizeof(reneg));
    ck_assert_int_eq(feed(&f, &p, HELLO_FLIGHT_HELLO_ONLY, fl, n, 0), HELLO_DONE);
    ck_assert_uint_eq(hello_flight_result(&f)->exts_not_offered, HELLO_EXT_RENEGOTIATION_INFO);
    hello_flight_cleanup(&f);
    p.options = HELLO_OPT_SCSV_RENEGOTIATION;
    ck_assert_int_eq(feed(&f, &p, HELLO_FLIGHT_HELLO_ONLY, fl, n, 0), HELLO_DONE);
    ck_assert_uint_eq(hello_flight_result(&f)->exts_not_offered, 0);
    hello_flight_cleanup(&f);
    /* ... but the SCSV we sent is no suite a server may choose */
    n = sh_record(fl, sizeof(fl), TLS_WIRE_SSL3, TLS_EMPTY_RENEGOTIATION_INFO_SCSV, NULL, 0);
    ck_assert_int_eq(feed(&f, &p, HELLO_FLIGHT_HELLO_ONLY, fl, n, 0), HELLO_DONE);
    ck_assert(hello_flight_result(&f)->suite_not_offered);
    hello_flight_cleanup(&f);
    static const uint32_t with_fallback[] = {0xC02F, TLS_FALLBACK_SCSV};
    p.suites = with_fallback;
    p.n_suites = 2;
    n = sh_record(fl, sizeof(fl), TLS_WIRE_SSL3, TLS_FALLBACK_SCSV, NULL, 0);
    ck_assert_int_eq(feed(&f, &p, HELLO_FLIGHT_HELLO_ONLY, fl, n, 0), HELLO_DONE);
    ck_assert(hello_flight_result(&f)->suite_not_offered);
    hello_flight_cleanup(&f);
    /* a TLS 1.3 key_share for a group we sent no share for */
    static const uint8_t ks[] = {0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33,
                                 0x00, 0x05, 0x00, 0x18, 0x00, 0x01, 0x04};
    capture_params("tls13", &p);
    n = sh_record(fl, sizeof(fl), TLS_WIRE_TLS12, 0x1301, ks, sizeof(ks));
    ck_assert_int_eq(feed(&f, &p, 0, fl, n, 0), HELLO_DONE);
    ck_assert(hello_flight_result(&f)->group_not_offered);
    ck_assert(!hello_flight_result(&f)->version_not_offered);
    hello_flight_cleanup(&f);
    /* TLS 1.3: handshake bytes after the ServerHello in its record */
    fl[4]++;
    fl[n] = 8;
    ck_assert_int_eq(feed(&f, &p, 0, fl, n + 1, 0), HELLO_DONE);
    ck_assert(hello_flight_result(&f)->trailing_bytes);
    hello_flight_cleanup(&f);
}
END_TEST

/* An SSLv2 SERVER-HELLO record (2-byte header) with the given body. */
static size_t ssl2_record(uint8_t *out, size_t cap, const uint8_t *body, size_t len)
{
    struct wbuf w;
    wbuf_init_fixed(&w, out, cap);
    wbuf_put_u16(&w, (uint16_t)(0x8000 | len));
    wbuf_put_bytes(&w, body, len);
    ck_assert(wbuf_ok(&w));
    return wbuf_len(&w);
}

static size_t ssl2_server_hello(uint8_t *out, size_t cap, const uint32_t *kinds, size_t n_kinds,
                                size_t cid_len)
{
    uint8_t body[512];
    struct wbuf w;
    static const uint8_t cert[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    wbuf_init_fixed(&w, body, sizeof(body));
    wbuf_put_u8(&w, SSL2_MT_SERVER_HELLO);
    wbuf_put_u8(&w, 0);
    wbuf_put_u8(&w, 1);
    wbuf_put_u16(&w, TLS_WIRE_SSL2);
    wbuf_put_u16(&w, sizeof(cert));
    wbuf_put_u16(&w, (uint16_t)(3 * n_kinds));
    wbuf_put_u16(&w, (uint16_t)cid_len);
    wbuf_put_bytes(&w, cert, sizeof(cert));
    for (size_t i = 0; i < n_kinds; i++) {
        wbuf_put_u24(&w, kinds[i]);
    }
    for (size_t i = 0; i < cid_len; i++) {
        wbuf_put_u8(&w, (uint8_t)i);
    }
    ck_assert(wbuf_ok(&w));
    return ssl2_record(out, cap, body, wbuf_len(&w));
}

START_TEST(test_ssl2)
{
    static const uint32_t kinds[] = {0x010080, 0x0700c0, 0x020080};
    static const uint32_t offered[] = {0x010080, 0x020080, 0x030080, 0x0700c0};
    struct hello_params p;
    struct hello_flight f;
    size_t n = ssl2_server_hello(fl, sizeof(fl), kinds, 3, 16);

    hello_params_init(&p, TLS_WIRE_SSL2);
    p.suites = offered;
    p.n_suites = 4;
    ck_assert_int_eq(feed(&f, &p, 0, fl, n, 0), HELLO_DONE);
    const struct hello_result *res = hello_flight_result(&f);
    ck_assert_int_eq(res->answer, HELLO_ANS_SSL2_SERVER_HELLO);
    ck_assert_uint_eq(res->ssl2.version, TLS_WIRE_SSL2);
    ck_assert_uint_eq(res->ssl2.certificate_type, 1);
    ck_assert_uint_eq(res->ssl2.certificate.len, 5);
    ck_assert_uint_eq(res->ssl2.n_kinds, 3);
    ck_assert_uint_eq(res->ssl2.kinds[1], 0x0700c0);
    ck_assert_uint_eq(res->ssl2.connection_id.len, 16);
    ck_assert(!res->suite_not_offered);
    ck_assert(!res->version_not_offered);
    ck_assert_uint_eq(res->n_bytes, n);
    hello_flight_cleanup(&f);
    /* byte by byte, and every truncation */
    ck_assert_int_eq(feed(&f, &p, 0, fl, n, 1), HELLO_DONE);
    ck_assert_uint_eq(hello_flight_result(&f)->ssl2.n_kinds, 3);
    hello_flight_cleanup(&f);
    for (size_t cut = 0; cut < n; cut++) {
        ck_assert_int_eq(feed(&f, &p, 0, fl, cut, 0), HELLO_NEED_MORE);
        hello_flight_cleanup(&f);
    }
    /* the record is the message: every shorter record body is refused */
    for (size_t len = 1; len < n - 2; len++) {
        uint8_t rec[600];
        size_t r = ssl2_record(rec, sizeof(rec), fl + 2, len);
        ck_assert_int_eq(feed(&f, &p, 0, rec, r, 0), HELLO_FAILED);
        ck_assert_uint_ge(hello_flight_error(&f)->offset, len < 3 ? 0 : 2);
        hello_flight_cleanup(&f);
    }
    /* a kind we did not offer; an SSLv2 answer to a TLS hello */
    static const uint32_t odd[] = {0x080080};
    n = ssl2_server_hello(fl, sizeof(fl), odd, 1, 32);
    ck_assert_int_eq(feed(&f, &p, 0, fl, n, 0), HELLO_DONE);
    ck_assert(hello_flight_result(&f)->suite_not_offered);
    hello_flight_cleanup(&f);
    ck_assert_int_eq(run12(&f, fl, n), HELLO_DONE);
    ck_assert(hello_flight_result(&f)->version_not_offered);
    hello_flight_cleanup(&f);
    /* connection id out of 16..32, cipher specs not a multiple of 3 */
    n = ssl2_server_hello(fl, sizeof(fl), kinds, 3, 15);
    ck_assert_int_eq(feed(&f, &p, 0, fl, n, 0), HELLO_FAILED);
    hello_flight_cleanup(&f);
    n = ssl2_server_hello(fl, sizeof(fl), kinds, 3, 33);
    ck_assert_int_eq(feed(&f, &p, 0, fl, n, 0), HELLO_FAILED);
    hello_flight_cleanup(&f);
    n = ssl2_server_hello(fl, sizeof(fl), kinds, 3, 16);
    fl[2 + 8] = 8; /* CIPHER-SPECS-LENGTH 8 */
    ck_assert_int_eq(feed(&f, &p, 0, fl, n, 0), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason,
                     "SSLv2 SERVER-HELLO: cipher specs not 3-byte kinds");
    hello_flight_cleanup(&f);
    /* the SSLv2 ERROR message */
    n = ssl2_record(fl, sizeof(fl), (const uint8_t *)"\x00\x00\x01", 3);
    ck_assert_int_eq(feed(&f, &p, 0, fl, n, 0), HELLO_DONE);
    ck_assert_int_eq(hello_flight_result(&f)->answer, HELLO_ANS_SSL2_ERROR);
    ck_assert_uint_eq(hello_flight_result(&f)->ssl2_error, 1);
    hello_flight_cleanup(&f);
    n = ssl2_record(fl, sizeof(fl), (const uint8_t *)"\x00\x00\x01\x00", 4);
    ck_assert_int_eq(feed(&f, &p, 0, fl, n, 0), HELLO_FAILED);
    hello_flight_cleanup(&f);
    n = ssl2_record(fl, sizeof(fl), (const uint8_t *)"\x07\x00\x01", 3);
    ck_assert_int_eq(feed(&f, &p, 0, fl, n, 0), HELLO_FAILED);
    ck_assert_str_eq(hello_flight_error(&f)->reason, "SSLv2 record: not a server's first message");
    ck_assert_uint_eq(hello_flight_error(&f)->offset, 2);
    hello_flight_cleanup(&f);
    /* too short to be an SSLv2 message; garbage with the top bit set fails
     * at its first body byte instead of waiting for 32 KiB */
    ck_assert_int_eq(feed(&f, &p, 0, (const uint8_t *)"\x80\x02", 2, 0), HELLO_FAILED);
    hello_flight_cleanup(&f);
    ck_assert_int_eq(feed(&f, &p, 0, (const uint8_t *)"\xff\xff\x41", 3, 0), HELLO_FAILED);
    hello_flight_cleanup(&f);
}
END_TEST

/* The reader alone: coalesced records give their events one at a time. */
START_TEST(test_reader_events)
{
    struct hello_reader r;
    struct hello_rec_event ev;
    uint8_t hs[64];
    size_t n;
    size_t m = put_msg(hs, sizeof(hs), TLS_HS_SERVER_HELLO_DONE, NULL, 0);
    m += put_msg(hs + m, sizeof(hs) - m, TLS_HS_SERVER_HELLO_DONE, NULL, 0);
    n = put_record(fl, sizeof(fl), TLS_CT_HANDSHAKE, TLS_WIRE_TLS12, hs, m);
    n += put_record(fl + n, sizeof(fl) - n, TLS_CT_ALERT, TLS_WIRE_TLS12,
                    (const uint8_t *)"\x01\x70\x02\x28", 4);
    n += put_record(fl + n, sizeof(fl) - n, TLS_CT_CHANGE_CIPHER_SPEC, TLS_WIRE_TLS12,
                    (const uint8_t *)"\x01", 1);

    hello_reader_init(&r, 0);
    const uint8_t *in = fl;
    size_t in_len = n;
    ck_assert_int_eq(hello_reader_next(&r, &in, &in_len, &ev), HELLO_REC_HANDSHAKE);
    ck_assert_uint_eq(ev.type, TLS_HS_SERVER_HELLO_DONE);
    ck_assert_uint_eq(ev.raw_offset, 5);
    ck_assert_int_eq(hello_reader_next(&r, &in, &in_len, &ev), HELLO_REC_HANDSHAKE);
    ck_assert_uint_eq(ev.raw_offset, 9);
    ck_assert_uint_eq(ev.msg_offset, 4);
    ck_assert_int_eq(hello_reader_next(&r, &in, &in_len, &ev), HELLO_REC_ALERT);
    ck_assert_uint_eq(ev.alert.description, 112);
    ck_assert_int_eq(hello_reader_next(&r, &in, &in_len, &ev), HELLO_REC_ALERT);
    ck_assert_uint_eq(ev.alert.description, 40);
    ck_assert_uint_eq(ev.raw_offset, 13 + 5 + 2);
    ck_assert_int_eq(hello_reader_next(&r, &in, &in_len, &ev), HELLO_REC_OTHER);
    ck_assert_uint_eq(ev.type, TLS_CT_CHANGE_CIPHER_SPEC);
    ck_assert_int_eq(hello_reader_next(&r, &in, &in_len, &ev), HELLO_REC_NEED_MORE);
    ck_assert_uint_eq(in_len, 0);
    ck_assert(!hello_reader_pending(&r));
    ck_assert_uint_eq(r.n_raw, n);
    /* a failed reader stays failed */
    static const uint8_t junk[] = {0x42, 0x03, 0x03, 0x00, 0x01, 0x00};
    in = junk;
    in_len = sizeof(junk);
    ck_assert_int_eq(hello_reader_next(&r, &in, &in_len, &ev), HELLO_REC_ERROR);
    ck_assert_uint_eq(ev.err.offset, n);
    ck_assert_int_eq(hello_reader_next(&r, &in, &in_len, &ev), HELLO_REC_ERROR);
    hello_reader_cleanup(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hello");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_build_tls12_roundtrip);
    tcase_add_test(tc, test_build_tls13_shares);
    tcase_add_test(tc, test_build_ssl3_no_extensions);
    tcase_add_test(tc, test_build_ssl2);
    tcase_add_test(tc, test_build_errors);
    tcase_add_test(tc, test_default_groups);
    tcase_add_test(tc, test_max_suites);
    tcase_add_test(tc, test_padding_window);
    tcase_add_loop_test(tc, test_capture_facts, 0, N_CAPTURES);
    tcase_add_test(tc, test_capture_details);
    tcase_add_loop_test(tc, test_capture_splits, 0, N_CAPTURES);
    tcase_add_loop_test(tc, test_capture_truncations, 0, N_CAPTURES);
    tcase_add_loop_test(tc, test_capture_reframed, 0, N_CAPTURES);
    tcase_add_test(tc, test_record_count_cap);
    tcase_add_test(tc, test_byte_cap);
    tcase_add_test(tc, test_sh_prefixes);
    tcase_add_test(tc, test_sh_lengths);
    tcase_add_test(tc, test_sh_extensions);
    tcase_add_test(tc, test_hrr_and_downgrade);
    tcase_add_test(tc, test_certificate);
    tcase_add_test(tc, test_ske_kinds);
    tcase_add_test(tc, test_small_parsers);
    tcase_add_test(tc, test_flight_record_errors);
    tcase_add_test(tc, test_flight_alerts);
    tcase_add_test(tc, test_flight_order);
    tcase_add_test(tc, test_flight_not_offered);
    tcase_add_test(tc, test_ssl2);
    tcase_add_test(tc, test_reader_events);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
