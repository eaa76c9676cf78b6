/*
 * tests/unit/hello_probes_test.c - the extra-ClientHello probes
 * (scanner/probes/hello_plan.c) without a network: each probe's hello made
 * from hand-built enumeration facts and read back byte by byte (the
 * compression list, TLS_FALLBACK_SCSV among the suites, a GREASE value in
 * every list and the GREASE extension first, padding to the long size, the
 * unknown versions), the rows recorded instead of a hello (one version,
 * TLS 1.3 only, nothing accepted), and the judging of answers fed through
 * the first-flight parser: the positive and negative answers, and hostile
 * ones (truncated, lying lengths, an unoffered or GREASE choice, a close,
 * a reset, a timeout) that must never read as negative.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/model/facts.h"
#include "scanner/hello.h"
#include "scanner/probes/hello_probes.h"

static struct enum_suite suites12[] = {{.code = 0xC02F}, {.code = 0x002F}};
static struct enum_suite suites11[] = {{.code = 0x002F}};
static struct enum_suite suites13[] = {{.code = 0x1301}, {.code = 0x1302}};

/* Facts with the versions in mask accepted (their suites above), every
 * other version refused. */
static void facts(struct enum_facts *e, unsigned mask)
{
    memset(e, 0, sizeof(*e));
    for (int v = 0; v < TLSV_COUNT; v++) {
        e->versions[v].state = PROBE_REFUSED;
    }
    static const struct {
        enum tls_version v;
        struct enum_suite *s;
        size_t n;
    } acc[] = {{TLSV_TLS10, suites11, 1},
               {TLSV_TLS11, suites11, 1},
               {TLSV_TLS12, suites12, 2},
               {TLSV_TLS13, suites13, 2}};
    for (size_t i = 0; i < sizeof(acc) / sizeof(acc[0]); i++) {
        if (mask & TLSV_BIT(acc[i].v)) {
            e->versions[acc[i].v].state = PROBE_ACCEPTED;
            e->versions[acc[i].v].suites = acc[i].s;
            e->versions[acc[i].v].n_suites = acc[i].n;
        }
    }
    fact_mark(&e->header, true);
}

/* A parsed view of a built hello. */
struct ch {
    uint8_t bytes[HELLO_MAX_LEN];
    size_t len;
    size_t msg_len; /* handshake message, header included */
    uint16_t legacy_version;
    uint16_t suites[300];
    size_t n_suites;
    uint8_t comp[8];
    size_t n_comp;
    uint16_t ext_types[64];
    struct rbuf ext_bodies[64];
    size_t n_exts;
};

static void build(const struct hp_plan *p, struct ch *c)
{
    struct wbuf w;
    struct rbuf r, v, exts;
    uint8_t u8;
    uint16_t u16;
    uint32_t u24;
    memset(c, 0, sizeof(*c));
    wbuf_init_fixed(&w, c->bytes, sizeof(c->bytes));
    ck_assert_int_eq(hello_build(&p->params, &w), HELLO_OK);
    c->len = wbuf_len(&w);
    rbuf_init(&r, c->bytes, c->len);
    ck_assert(rbuf_skip(&r, 5) && rbuf_get_u8(&r, &u8) && u8 == TLS_HS_CLIENT_HELLO);
    ck_assert(rbuf_get_u24(&r, &u24));
    c->msg_len = 4 + u24;
    ck_assert(rbuf_get_u16(&r, &c->legacy_version) && rbuf_skip(&r, 32));
    ck_assert(rbuf_get_vec8(&r, &v));
    ck_assert(rbuf_get_vec16(&r, &v));
    while (rbuf_get_u16(&v, &u16)) {
        c->suites[c->n_suites++] = u16;
    }
    ck_assert(rbuf_get_vec8(&r, &v));
    while (rbuf_get_u8(&v, &u8)) {
        c->comp[c->n_comp++] = u8;
    }
    if (rbuf_at_end(&r)) {
        return;
    }
    ck_assert(rbuf_get_vec16(&r, &exts) && rbuf_at_end(&r));
    while (rbuf_get_u16(&exts, &u16)) {
        c->ext_types[c->n_exts] = u16;
        ck_assert(rbuf_get_vec16(&exts, &c->ext_bodies[c->n_exts]));
        c->n_exts++;
    }
}

static const struct rbuf *ext(const struct ch *c, uint16_t type)
{
    for (size_t i = 0; i < c->n_exts; i++) {
        if (c->ext_types[i] == type) {
            return &c->ext_bodies[i];
        }
    }
    return NULL;
}

/* The first u16 of a list extension (after its prefix of pfx bytes). */
static uint16_t first_u16(const struct ch *c, uint16_t type, size_t pfx)
{
    const struct rbuf *b = ext(c, type);
    ck_assert_ptr_nonnull(b);
    struct rbuf r = *b;
    uint16_t v = 0;
    ck_assert(rbuf_skip(&r, pfx) && rbuf_get_u16(&r, &v));
    return v;
}

static bool has_suite(const struct ch *c, uint16_t s)
{
    for (size_t i = 0; i < c->n_suites; i++) {
        if (c->suites[i] == s) {
            return true;
        }
    }
    return false;
}

static void make(enum hp_kind k, unsigned mask, struct hp_plan *p)
{
    struct enum_facts e;
    enum probe_result_state st;
    char why[FACT_TEXT];
    facts(&e, mask);
    ck_assert_msg(hp_plan_make(k, &e, "example.test", p, &st, why, sizeof(why)), "%s", why);
}

START_TEST(compression_hello)
{
    static struct hp_plan p;
    static struct ch c;
    make(HP_COMPRESSION, TLSV_BIT(TLSV_TLS12) | TLSV_BIT(TLSV_TLS13), &p);
    ck_assert_int_eq(p.wv, TLSV_TLS12);
    build(&p, &c);
    ck_assert_uint_eq(c.legacy_version, TLS_WIRE_TLS12);
    ck_assert_uint_eq(c.n_comp, 2);
    ck_assert_uint_eq(c.comp[0], 1); /* DEFLATE */
    ck_assert_uint_eq(c.comp[1], 0); /* null */
    ck_assert_uint_eq(c.n_suites, 2);
    ck_assert(has_suite(&c, 0xC02F) && has_suite(&c, 0x002F));
    ck_assert_ptr_null(ext(&c, TLS_GREASE_EXT));
}
END_TEST

START_TEST(fallback_hello)
{
    static struct hp_plan p;
    static struct ch c;
    make(HP_FALLBACK_SCSV, TLSV_BIT(TLSV_TLS11) | TLSV_BIT(TLSV_TLS12) | TLSV_BIT(TLSV_TLS13), &p);
    ck_assert_int_eq(p.wv, TLSV_TLS12); /* below the highest */
    ck_assert_int_eq(p.highest, TLSV_TLS13);
    build(&p, &c);
    ck_assert_uint_eq(c.legacy_version, TLS_WIRE_TLS12);
    ck_assert(has_suite(&c, TLS_FALLBACK_SCSV));
    ck_assert(has_suite(&c, 0xC02F));
    ck_assert_ptr_null(ext(&c, TLS_EXT_SUPPORTED_VERSIONS));
    ck_assert_uint_eq(c.n_comp, 1);
}
END_TEST

START_TEST(grease_hello)
{
    static struct hp_plan p;
    static struct ch c;
    make(HP_GREASE, TLSV_BIT(TLSV_TLS12) | TLSV_BIT(TLSV_TLS13), &p);
    ck_assert_int_eq(p.wv, TLSV_TLS13);
    build(&p, &c);
    ck_assert_uint_eq(c.suites[0], TLS_GREASE_SUITE);
    ck_assert(has_suite(&c, 0x1301));
    ck_assert_uint_eq(c.ext_types[0], TLS_GREASE_EXT);
    ck_assert_uint_eq(c.ext_bodies[0].len, 0);
    ck_assert_uint_eq(first_u16(&c, TLS_EXT_SUPPORTED_GROUPS, 2), TLS_GREASE_GROUP);
    ck_assert_uint_eq(first_u16(&c, TLS_EXT_SIGNATURE_ALGORITHMS, 2), TLS_GREASE_SIGALG);
    ck_assert_uint_eq(first_u16(&c, TLS_EXT_SUPPORTED_VERSIONS, 1), TLS_GREASE_VERSION);
    ck_assert_uint_eq(first_u16(&c, TLS_EXT_KEY_SHARE, 2), TLS_GREASE_GROUP);
    /* the GREASE share is one byte, then the real shares follow */
    struct rbuf ks = *ext(&c, TLS_EXT_KEY_SHARE);
    struct rbuf list, key;
    uint16_t g;
    ck_assert(rbuf_get_vec16(&ks, &list) && rbuf_get_u16(&list, &g) && rbuf_get_vec16(&list, &key));
    ck_assert_uint_eq(key.len, 1);
    ck_assert(rbuf_get_u16(&list, &g) && g == TLS_GROUP_X25519);
    for (unsigned i = 0; i < 16; i++) {
        ck_assert(hello_is_grease((uint16_t)(0x0a0a + i * 0x1010)));
    }
    ck_assert(!hello_is_grease(0x0a1a) && !hello_is_grease(0x0303) && !hello_is_grease(0x0b0b));
}
END_TEST

START_TEST(long_hello)
{
    static struct hp_plan p;
    static struct ch c;
    make(HP_LONG_HELLO, TLSV_BIT(TLSV_TLS12), &p);
    build(&p, &c);
    ck_assert_uint_ge(c.msg_len, 512);
    ck_assert_uint_ge(c.msg_len, HP_LONG_HELLO_LEN);
    ck_assert_uint_le(c.msg_len, HP_LONG_HELLO_LEN + 4);
    ck_assert_uint_eq(c.ext_types[c.n_exts - 1], TLS_EXT_PADDING); /* padding last */
    /* the same hello without pad_to stays short: the size is the probe's */
    p.params.pad_to = 0;
    build(&p, &c);
    ck_assert_uint_lt(c.msg_len, 512);
}
END_TEST

START_TEST(version_hellos)
{
    static struct hp_plan p;
    static struct ch c;
    /* TLS 1.3 accepted: supported_versions with the unknown one first */
    make(HP_VERSION, TLSV_BIT(TLSV_TLS12) | TLSV_BIT(TLSV_TLS13), &p);
    build(&p, &c);
    ck_assert_uint_eq(c.legacy_version, TLS_WIRE_TLS12);
    ck_assert_uint_eq(first_u16(&c, TLS_EXT_SUPPORTED_VERSIONS, 1), HP_FUTURE_VERSION);
    ck_assert_int_eq(p.expect, TLSV_TLS13);
    /* TLS 1.2 at most: legacy_version 0x0304, no supported_versions */
    make(HP_VERSION, TLSV_BIT(TLSV_TLS11) | TLSV_BIT(TLSV_TLS12), &p);
    build(&p, &c);
    ck_assert_uint_eq(c.legacy_version, TLS_WIRE_TLS13);
    ck_assert_ptr_null(ext(&c, TLS_EXT_SUPPORTED_VERSIONS));
    ck_assert_int_eq(p.expect, TLSV_TLS12);
}
END_TEST

START_TEST(rows_instead_of_hellos)
{
    static struct hp_plan p;
    struct enum_facts e;
    enum probe_result_state st;
    char why[FACT_TEXT];
    facts(&e, TLSV_BIT(TLSV_TLS12));
    ck_assert(!hp_plan_make(HP_FALLBACK_SCSV, &e, NULL, &p, &st, why, sizeof(why)));
    ck_assert_int_eq(st, PR_NOT_APPLICABLE);
    ck_assert_str_eq(why, "only TLS 1.2 accepted: there is no lower version to fall back to");
    facts(&e, TLSV_BIT(TLSV_TLS13));
    ck_assert(!hp_plan_make(HP_COMPRESSION, &e, NULL, &p, &st, why, sizeof(why)));
    ck_assert_int_eq(st, PR_NOT_APPLICABLE);
    ck_assert_ptr_nonnull(strstr(why, "RFC 8446"));
    /* TLS 1.2 undecided: compression could not be tested */
    e.versions[TLSV_TLS12].state = PROBE_INCONCLUSIVE;
    ck_assert(!hp_plan_make(HP_COMPRESSION, &e, NULL, &p, &st, why, sizeof(why)));
    ck_assert_int_eq(st, PR_COULD_NOT_TEST);
    facts(&e, 0);
    for (int k = 0; k < HP_COUNT; k++) {
        ck_assert(!hp_plan_make((enum hp_kind)k, &e, NULL, &p, &st, why, sizeof(why)));
        ck_assert_int_eq(st, PR_COULD_NOT_TEST);
    }
}
END_TEST

/* ---- answers ------------------------------------------------------------------ */

/* A TLS <= 1.2 ServerHello record: version, suite, compression. */
static size_t server_hello(uint8_t *out, uint16_t version, uint16_t suite, uint8_t comp)
{
    struct wbuf w, rec, msg, sid;
    wbuf_init_fixed(&w, out, 256);
    wbuf_put_u8(&w, TLS_CT_HANDSHAKE);
    wbuf_put_u16(&w, version);
    wbuf_open_vec16(&w, &rec);
    wbuf_put_u8(&rec, TLS_HS_SERVER_HELLO);
    wbuf_open_vec24(&rec, &msg);
    wbuf_put_u16(&msg, version);
    wbuf_put_zeros(&msg, 32);
    wbuf_open_vec8(&msg, &sid);
    wbuf_close(&sid);
    wbuf_put_u16(&msg, suite);
    wbuf_put_u8(&msg, comp);
    wbuf_close(&msg);
    wbuf_close(&rec);
    ck_assert(wbuf_ok(&w));
    return wbuf_len(&w);
}

static size_t alert(uint8_t *out, uint8_t desc)
{
    const uint8_t a[] = {TLS_CT_ALERT, 3, 3, 0, 2, 2, desc};
    memcpy(out, a, sizeof(a));
    return sizeof(a);
}

/* Judges p's answer bytes (fed in one piece) ending with outcome o. */
static void judge(const struct hp_plan *p, const uint8_t *b, size_t n, enum net_outcome o,
                  struct hp_verdict *v)
{
    struct hello_flight f;
    ck_assert_int_eq(hello_flight_init(&f, &p->params, HELLO_FLIGHT_HELLO_ONLY, 0), HELLO_OK);
    enum hello_status s = n > 0 ? hello_flight_feed(&f, b, n) : HELLO_NEED_MORE;
    if (o == NET_COMPLETED) {
        ck_assert_int_eq(s, HELLO_DONE);
    }
    hp_judge(p, o, "", &f, v);
    hello_flight_cleanup(&f);
    ck_assert(strncmp(v->evidence, "sent: ", 6) == 0);
}

START_TEST(judge_compression)
{
    static struct hp_plan p;
    uint8_t b[300];
    struct hp_verdict v;
    make(HP_COMPRESSION, TLSV_BIT(TLSV_TLS12), &p);
    judge(&p, b, server_hello(b, TLS_WIRE_TLS12, 0xC02F, 1), NET_COMPLETED, &v);
    ck_assert_int_eq(v.state, PR_POSITIVE);
    ck_assert_ptr_nonnull(strstr(v.detail, "CVE-2012-4929"));
    ck_assert_ptr_nonnull(strstr(v.evidence, "compression 1"));
    ck_assert_uint_eq(v.suite, 0xC02F);
    judge(&p, b, server_hello(b, TLS_WIRE_TLS12, 0xC02F, 0), NET_COMPLETED, &v);
    ck_assert_int_eq(v.state, PR_NEGATIVE);
    /* a method never offered (64, LZS): an anomaly, not an answer */
    judge(&p, b, server_hello(b, TLS_WIRE_TLS12, 0xC02F, 64), NET_COMPLETED, &v);
    ck_assert_int_eq(v.state, PR_COULD_NOT_TEST);
    /* a refusal says nothing about compression */
    judge(&p, b, alert(b, 40), NET_COMPLETED, &v);
    ck_assert_int_eq(v.state, PR_COULD_NOT_TEST);
    /* truncated at every length: never negative */
    size_t n = server_hello(b, TLS_WIRE_TLS12, 0xC02F, 0);
    for (size_t cut = 0; cut < n; cut++) {
        judge(&p, b, cut, NET_CLOSED, &v);
        ck_assert_int_eq(v.state, PR_COULD_NOT_TEST);
    }
    /* a ServerHello length that claims more than the record holds */
    b[8] = (uint8_t)(b[8] + 9);
    judge(&p, b, n, NET_CLOSED, &v);
    ck_assert_int_eq(v.state, PR_COULD_NOT_TEST);
}
END_TEST

START_TEST(judge_fallback)
{
    static struct hp_plan p;
    uint8_t b[300];
    struct hp_verdict v;
    make(HP_FALLBACK_SCSV, TLSV_BIT(TLSV_TLS11) | TLSV_BIT(TLSV_TLS12), &p);
    ck_assert_int_eq(p.wv, TLSV_TLS11);
    judge(&p, b, alert(b, 86), NET_COMPLETED, &v);
    ck_assert_int_eq(v.state, PR_NEGATIVE);
    ck_assert_ptr_nonnull(strstr(v.evidence, "inappropriate_fallback(86)"));
    judge(&p, b, server_hello(b, TLS_WIRE_TLS11, 0x002F, 0), NET_COMPLETED, &v);
    ck_assert_int_eq(v.state, PR_POSITIVE);
    ck_assert_int_eq(v.version, TLSV_TLS11);
    /* the SCSV "chosen" as a suite is still a ServerHello: not protected */
    judge(&p, b, server_hello(b, TLS_WIRE_TLS11, TLS_FALLBACK_SCSV, 0), NET_COMPLETED, &v);
    ck_assert_int_eq(v.state, PR_POSITIVE);
    /* a version above the one offered: an anomaly */
    judge(&p, b, server_hello(b, TLS_WIRE_TLS12, 0x002F, 0), NET_COMPLETED, &v);
    ck_assert_int_eq(v.state, PR_COULD_NOT_TEST);
    judge(&p, b, alert(b, 40), NET_COMPLETED, &v);
    ck_assert_int_eq(v.state, PR_COULD_NOT_TEST);
    judge(&p, b, 0, NET_CLOSED, &v);
    ck_assert_int_eq(v.state, PR_COULD_NOT_TEST);
    judge(&p, b, 0, NET_TIMEOUT, &v);
    ck_assert_int_eq(v.state, PR_COULD_NOT_TEST);
    const uint8_t junk[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0xff, 0xff, 0xff};
    judge(&p, junk, sizeof(junk), NET_BAD_ANSWER, &v);
    ck_assert_int_eq(v.state, PR_COULD_NOT_TEST);
}
END_TEST

START_TEST(judge_intolerance)
{
    static struct hp_plan p;
    uint8_t b[300];
    struct hp_verdict v;
    for (int k = HP_GREASE; k <= HP_LONG_HELLO; k++) {
        make((enum hp_kind)k, TLSV_BIT(TLSV_TLS11) | TLSV_BIT(TLSV_TLS12), &p);
        judge(&p, b, server_hello(b, TLS_WIRE_TLS12, 0xC02F, 0), NET_COMPLETED, &v);
        ck_assert_int_eq(v.state, PR_NEGATIVE);
        /* answered, but with an older version: intolerant */
        judge(&p, b, server_hello(b, TLS_WIRE_TLS11, 0x002F, 0), NET_COMPLETED, &v);
        ck_assert_msg(v.state == PR_POSITIVE || v.state == PR_COULD_NOT_TEST, "%s", v.detail);
        judge(&p, b, alert(b, 40), NET_COMPLETED, &v);
        ck_assert_int_eq(v.state, PR_POSITIVE);
        judge(&p, b, 0, NET_CLOSED, &v);
        ck_assert_int_eq(v.state, PR_POSITIVE);
        judge(&p, b, 0, NET_RESET, &v);
        ck_assert_int_eq(v.state, PR_POSITIVE);
        /* silence, bytes then a close, garbage: not decided */
        judge(&p, b, 0, NET_TIMEOUT, &v);
        ck_assert_int_eq(v.state, PR_COULD_NOT_TEST);
        size_t n = server_hello(b, TLS_WIRE_TLS12, 0xC02F, 0);
        judge(&p, b, n / 2, NET_CLOSED, &v);
        ck_assert_int_eq(v.state, PR_COULD_NOT_TEST);
        judge(&p, b, server_hello(b, TLS_WIRE_TLS12, 0x1234, 0), NET_COMPLETED, &v);
        ck_assert_int_eq(v.state, PR_COULD_NOT_TEST);
    }
    /* a GREASE value chosen back */
    make(HP_GREASE, TLSV_BIT(TLSV_TLS12), &p);
    judge(&p, b, server_hello(b, TLS_WIRE_TLS12, TLS_GREASE_SUITE, 0), NET_COMPLETED, &v);
    ck_assert_int_eq(v.state, PR_POSITIVE);
    ck_assert_ptr_nonnull(strstr(v.detail, "RFC 8701"));
    /* version: the unknown version itself chosen is no TLS version */
    make(HP_VERSION, TLSV_BIT(TLSV_TLS12), &p);
    judge(&p, b, server_hello(b, TLS_WIRE_TLS13, 0xC02F, 0), NET_COMPLETED, &v);
    ck_assert_int_eq(v.state, PR_COULD_NOT_TEST);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hello_probes");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, compression_hello);
    tcase_add_test(tc, fallback_hello);
    tcase_add_test(tc, grease_hello);
    tcase_add_test(tc, long_hello);
    tcase_add_test(tc, version_hellos);
    tcase_add_test(tc, rows_instead_of_hellos);
    tcase_add_test(tc, judge_compression);
    tcase_add_test(tc, judge_fallback);
    tcase_add_test(tc, judge_intolerance);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
