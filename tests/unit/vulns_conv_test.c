/*
 * tests/unit/vulns_conv_test.c - the conversation vulnerability probes'
 * shared parts (scanner/probes/conv.h): the reader of what a server sends
 * after its flight over good and hostile bytes (an alert, a heartbeat
 * response, records cut at every offset, wrong types and versions, empty
 * and over-long records, a heartbeat whose payload_length claims 65535
 * bytes, a reader that stays failed, the byte cap), the heartbeat parser,
 * and the choice of version and suite from the enumeration's facts.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/probes/conv.h"

/* Feeds n bytes in pieces of step (0: at once); returns the kinds of the
 * events in kinds[] (at most max) and their count; the last event in *last. */
static size_t feed(struct conv_reader *r, const uint8_t *b, size_t n, size_t step,
                   enum conv_kind *kinds, size_t max, struct conv_event *last)
{
    size_t count = 0;
    size_t pos = 0;
    while (pos < n) {
        size_t len = step == 0 || step > n - pos ? n - pos : step;
        const uint8_t *in = b + pos;
        size_t left = len;
        struct conv_event ev;
        enum conv_kind k;
        while ((k = conv_reader_next(r, &in, &left, &ev)) != CONV_NEED_MORE) {
            ck_assert_uint_lt(count, max);
            kinds[count++] = k;
            *last = ev;
            if (k == CONV_ERROR) {
                return count;
            }
        }
        ck_assert_uint_eq(left, 0); /* NEED_MORE: every byte taken */
        ck_assert_uint_le(r->head_len, CONV_HEAD_MAX);
        pos += len;
    }
    return count;
}

static const uint8_t alert_10[] = {21, 3, 3, 0, 2, 2, 10};

START_TEST(test_alert_every_split)
{
    for (size_t step = 0; step <= sizeof(alert_10); step++) {
        struct conv_reader r;
        conv_reader_init(&r);
        enum conv_kind k[4];
        struct conv_event ev;
        ck_assert_uint_eq(feed(&r, alert_10, sizeof(alert_10), step, k, 4, &ev), 1);
        ck_assert_int_eq(k[0], CONV_ALERT);
        ck_assert_uint_eq(ev.alert.level, 2);
        ck_assert_uint_eq(ev.alert.description, 10);
        ck_assert_uint_eq(ev.version, 0x0303);
    }
}
END_TEST

START_TEST(test_truncated_never_completes)
{
    for (size_t cut = 0; cut < sizeof(alert_10); cut++) {
        struct conv_reader r;
        conv_reader_init(&r);
        enum conv_kind k[4];
        struct conv_event ev;
        ck_assert_uint_eq(feed(&r, alert_10, cut, 1, k, 4, &ev), 0);
    }
}
END_TEST

/* A heartbeat response record: payload_length claimed, sent payload bytes
 * of mark, padding bytes; returns its length in b. */
static size_t hb_record(uint8_t *b, uint16_t claimed, size_t sent, uint8_t mark, size_t padding)
{
    size_t body = 3 + sent + padding;
    b[0] = 24;
    b[1] = 3;
    b[2] = 3;
    b[3] = (uint8_t)(body >> 8);
    b[4] = (uint8_t)body;
    b[5] = CONV_HB_RESPONSE;
    b[6] = (uint8_t)(claimed >> 8);
    b[7] = (uint8_t)claimed;
    memset(b + 8, mark, sent);
    memset(b + 8 + sent, 0, padding);
    return 5 + body;
}

START_TEST(test_heartbeat_response)
{
    uint8_t b[64];
    size_t n = hb_record(b, 32, 32, 0xA5, 16); /* what a vulnerable server answers */
    for (size_t step = 0; step <= n; step += 7) {
        struct conv_reader r;
        conv_reader_init(&r);
        enum conv_kind k[4];
        struct conv_event ev;
        ck_assert_uint_eq(feed(&r, b, n, step, k, 4, &ev), 1);
        ck_assert_int_eq(k[0], CONV_HEARTBEAT);
        ck_assert_uint_eq(ev.hb.type, CONV_HB_RESPONSE);
        ck_assert_uint_eq(ev.hb.payload_length, 32);
        ck_assert_uint_eq(ev.hb.record_len, 51);
        ck_assert(ev.hb.fits);
        /* only the first 16 payload bytes are kept, never the rest */
        ck_assert_uint_eq(ev.hb.head_len, CONV_HEAD_MAX - 3);
    }
}
END_TEST

START_TEST(test_heartbeat_claims_too_much)
{
    uint8_t b[64];
    /* payload_length 65535 in a 19-byte record: read, not trusted */
    size_t n = hb_record(b, 0xFFFF, 16, 0x41, 0);
    struct conv_reader r;
    conv_reader_init(&r);
    enum conv_kind k[4];
    struct conv_event ev;
    ck_assert_uint_eq(feed(&r, b, n, 0, k, 4, &ev), 1);
    ck_assert_int_eq(k[0], CONV_HEARTBEAT);
    ck_assert_uint_eq(ev.hb.payload_length, 0xFFFF);
    ck_assert(!ev.hb.fits);
    ck_assert_uint_eq(ev.hb.head_len, 16);
    /* a payload shorter than what is kept: the padding is not payload */
    n = hb_record(b, 4, 4, 0x41, 16);
    conv_reader_init(&r);
    ck_assert_uint_eq(feed(&r, b, n, 0, k, 4, &ev), 1);
    ck_assert_uint_eq(ev.hb.head_len, 4);
    ck_assert(ev.hb.fits);
}
END_TEST

/* One malformed record must give exactly one CONV_ERROR, and the reader
 * stays failed afterwards. */
static void want_error(const uint8_t *b, size_t n)
{
    struct conv_reader r;
    conv_reader_init(&r);
    enum conv_kind k[4];
    struct conv_event ev;
    ck_assert_uint_eq(feed(&r, b, n, 0, k, 4, &ev), 1);
    ck_assert_int_eq(k[0], CONV_ERROR);
    ck_assert_ptr_nonnull(ev.why);
    const uint8_t *in = alert_10;
    size_t left = sizeof(alert_10);
    ck_assert_int_eq(conv_reader_next(&r, &in, &left, &ev), CONV_ERROR);
}

START_TEST(test_hostile_headers)
{
    static const uint8_t bad_type[] = {25, 3, 3, 0, 2, 2, 10};
    static const uint8_t type_0[] = {0, 3, 3, 0, 2, 2, 10};
    static const uint8_t bad_version[] = {21, 0x7f, 3, 0, 2, 2, 10};
    static const uint8_t empty[] = {23, 3, 3, 0, 0};
    static const uint8_t huge[] = {23, 3, 3, 0xff, 0xff};
    static const uint8_t alert_1[] = {21, 3, 3, 0, 1, 2};
    static const uint8_t hb_2[] = {24, 3, 3, 0, 2, 2, 0};
    static const uint8_t sslv2[] = {0x80, 0x2e, 0x04, 0, 1};
    want_error(bad_type, sizeof(bad_type));
    want_error(type_0, sizeof(type_0));
    want_error(bad_version, sizeof(bad_version));
    want_error(empty, sizeof(empty));
    want_error(huge, sizeof(huge));
    want_error(alert_1, sizeof(alert_1));
    want_error(hb_2, sizeof(hb_2));
    want_error(sslv2, sizeof(sslv2));
}
END_TEST

START_TEST(test_records_in_one_read)
{
    /* a CCS, a 3-byte handshake record, two alerts in one record */
    static const uint8_t b[] = {20, 3, 1,  0, 1, 1, 22, 3, 1, 0, 3, 14,
                                0,  0, 21, 3, 1, 0, 4,  1, 0, 2, 20};
    struct conv_reader r;
    conv_reader_init(&r);
    enum conv_kind k[8];
    struct conv_event ev;
    ck_assert_uint_eq(feed(&r, b, sizeof(b), 0, k, 8, &ev), 3);
    ck_assert_int_eq(k[0], CONV_OTHER);
    ck_assert_int_eq(k[1], CONV_OTHER);
    ck_assert_int_eq(k[2], CONV_ALERT);
    ck_assert_uint_eq(ev.alert.level, 1); /* the first alert of the record */
    ck_assert_uint_eq(ev.raw_offset, 14);
}
END_TEST

START_TEST(test_byte_cap)
{
    /* application-data records of 16 KiB each, past CONV_MAX_RAW */
    size_t rec = 5 + 16384;
    size_t n = rec * 5;
    uint8_t *b = calloc(1, n);
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < 5; i++) {
        uint8_t *h = b + i * rec;
        h[0] = 23;
        h[1] = 3;
        h[2] = 3;
        h[3] = 0x40;
        h[4] = 0;
    }
    struct conv_reader r;
    conv_reader_init(&r);
    enum conv_kind k[8];
    struct conv_event ev;
    size_t count = feed(&r, b, n, 1000, k, 8, &ev);
    ck_assert_int_eq(k[count - 1], CONV_ERROR);
    ck_assert_uint_eq(count, 4); /* three records, then the cap */
    ck_assert_uint_le(r.n_raw, CONV_MAX_RAW);
    free(b);
}
END_TEST

START_TEST(test_parse_heartbeat_short)
{
    struct conv_heartbeat hb;
    const char *why = NULL;
    static const uint8_t h[] = {2, 0};
    ck_assert(!conv_parse_heartbeat(h, sizeof(h), 2, &hb, &why));
    ck_assert_ptr_nonnull(why);
}
END_TEST

/* ---- conv_pick over hand-built facts ------------------------------------ */

static void fx_accept(struct enum_facts *e, enum tls_version v, const uint32_t *codes,
                      const int *ranks, size_t n)
{
    struct enum_version_fact *vf = &e->versions[v];
    vf->state = PROBE_ACCEPTED;
    vf->suites = calloc(n, sizeof(*vf->suites));
    ck_assert_ptr_nonnull(vf->suites);
    vf->n_suites = n;
    for (size_t i = 0; i < n; i++) {
        vf->suites[i].code = codes[i];
        vf->suites[i].server_rank = ranks[i];
    }
}

START_TEST(test_pick)
{
    struct enum_facts e;
    enum_facts_init(&e);
    for (int v = 0; v < TLSV_COUNT; v++) {
        e.versions[v].state = PROBE_REFUSED;
    }
    struct conv_pick p;
    bool na = false;
    char why[FACT_TEXT];
    ck_assert(!conv_pick(&e, &p, &na, why, sizeof(why)));
    ck_assert(na); /* every version refused: not applicable */
    e.versions[TLSV_TLS11].state = PROBE_INCONCLUSIVE;
    ck_assert(!conv_pick(&e, &p, &na, why, sizeof(why)));
    ck_assert(!na);
    ck_assert_ptr_nonnull(strstr(why, "TLS 1.1"));
    /* TLS 1.3 alone is not enough */
    static const uint32_t c13[] = {0x1301};
    static const int r0[] = {0, 1, 2};
    fx_accept(&e, TLSV_TLS13, c13, r0, 1);
    e.versions[TLSV_TLS11].state = PROBE_REFUSED;
    ck_assert(!conv_pick(&e, &p, &na, why, sizeof(why)));
    ck_assert(na);
    /* TLS 1.0 and 1.2: the newest, its rank-0 suite */
    static const uint32_t c10[] = {0x002F};
    static const uint32_t c12[] = {0x009C, 0xC02F, 0x002F};
    static const int r12[] = {2, 0, 1};
    fx_accept(&e, TLSV_TLS10, c10, r0, 1);
    fx_accept(&e, TLSV_TLS12, c12, r12, 3);
    ck_assert(conv_pick(&e, &p, &na, why, sizeof(why)));
    ck_assert_int_eq(p.version, TLSV_TLS12);
    ck_assert_uint_eq(p.suite, 0xC02F);
    /* client order (ranks -1): the first listed */
    static const int unranked[] = {-1, -1, -1};
    for (size_t i = 0; i < 3; i++) {
        e.versions[TLSV_TLS12].suites[i].server_rank = unranked[i];
    }
    ck_assert(conv_pick(&e, &p, &na, why, sizeof(why)));
    ck_assert_uint_eq(p.suite, 0x009C);
    enum_facts_cleanup(&e);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vulns_conv");
    TCase *tc = tcase_create("reader");
    tcase_add_test(tc, test_alert_every_split);
    tcase_add_test(tc, test_truncated_never_completes);
    tcase_add_test(tc, test_heartbeat_response);
    tcase_add_test(tc, test_heartbeat_claims_too_much);
    tcase_add_test(tc, test_hostile_headers);
    tcase_add_test(tc, test_records_in_one_read);
    tcase_add_test(tc, test_byte_cap);
    tcase_add_test(tc, test_parse_heartbeat_short);
    tcase_add_test(tc, test_pick);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
