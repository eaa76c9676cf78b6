/*
 * tests/unit/enumerate_test.c - the parts of the enumeration
 * (scanner/enum/, scanner/enumerate.c).
 *
 * The decision logic is driven by hand: a job whose probes are recorded
 * instead of queued (job->submit), answered with canned first flights fed
 * to each probe's parser, then handed to enum_task_done as the loop would.
 * One whole enumeration runs end-to-end on the conversation loop against a
 * listener thread on 127.0.0.1 that answers with canned ServerHellos.
 */
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/model/facts.h"
#include "common/model/registry.h"
#include "scanner/enum/enum.h"
#include "scanner/enumerate.h"
#include "scanner/hello.h"
#include "scanner/net/loop.h"

/* TLS_RSA_WITH_AES_128_GCM_SHA256, ..._256_GCM_SHA384, ..._128_CBC_SHA:
 * suites the server signs nothing for, so a first flight is ServerHello,
 * Certificate, ServerHelloDone. */
#define RSA_GCM128 0x009C
#define RSA_GCM256 0x009D
#define RSA_CBC128 0x002F

/* ---- canned server bytes ------------------------------------------------ */

/* One handshake message (type, body) appended to w. */
static void put_hs(struct wbuf *w, uint8_t type, const uint8_t *body, size_t len)
{
    struct wbuf m;
    wbuf_put_u8(w, type);
    wbuf_open_vec24(w, &m);
    wbuf_put_bytes(&m, body, len);
    wbuf_close(&m);
}

/* A record of one handshake type ServerHello (version, random, suite,
 * extensions: NULL for none) followed by n_more messages (type, body). */
static size_t canned_record(uint8_t *out, size_t cap, uint16_t version, const uint8_t *random,
                            uint16_t suite, const uint8_t *exts, size_t exts_len,
                            const uint8_t *more_types, const struct rbuf *more, size_t n_more)
{
    uint8_t sh[128];
    struct wbuf w, rec, b;
    wbuf_init_fixed(&b, sh, sizeof(sh));
    wbuf_put_u16(&b, version);
    wbuf_put_bytes(&b, random, 32);
    wbuf_put_u8(&b, 0); /* session id */
    wbuf_put_u16(&b, suite);
    wbuf_put_u8(&b, 0); /* compression */
    if (exts != NULL) {
        wbuf_put_u16(&b, (uint16_t)exts_len);
        wbuf_put_bytes(&b, exts, exts_len);
    }
    ck_assert(wbuf_ok(&b));
    wbuf_init_fixed(&w, out, cap);
    wbuf_put_u8(&w, TLS_CT_HANDSHAKE);
    wbuf_put_u16(&w, version);
    wbuf_open_vec16(&w, &rec);
    put_hs(&rec, TLS_HS_SERVER_HELLO, sh, wbuf_len(&b));
    for (size_t i = 0; i < n_more; i++) {
        put_hs(&rec, more_types[i], more[i].data, more[i].len);
    }
    wbuf_close(&rec);
    ck_assert(wbuf_ok(&w));
    return wbuf_len(&w);
}

/* A TLS <= 1.2 first flight in one record: ServerHello (version, suite, no
 * extensions), a one-certificate Certificate, ServerHelloDone. */
static size_t canned_flight(uint8_t *out, size_t cap, uint16_t version, uint16_t suite)
{
    static const uint8_t cert[] = {0x00, 0x00, 0x04, 0x00, 0x00, 0x01, 0x30};
    static const uint8_t types[] = {TLS_HS_CERTIFICATE, TLS_HS_SERVER_HELLO_DONE};
    const struct rbuf more[] = {{cert, sizeof(cert)}, {NULL, 0}};
    static const uint8_t random[32] = {0x5a};
    return canned_record(out, cap, version, random, suite, NULL, 0, types, more, 2);
}

/* A TLS 1.3 HelloRetryRequest (RFC 8446 §4.1.4) asking for group. */
static size_t canned_hrr(uint8_t *out, size_t cap, uint16_t group)
{
    static const uint8_t hrr_random[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
                                           0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
                                           0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
                                           0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
    /* supported_versions: TLS 1.3; key_share: the group */
    const uint8_t exts[] = {
        0x00,          0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x02, (uint8_t)(group >> 8),
        (uint8_t)group};
    return canned_record(out, cap, TLS_WIRE_TLS12, hrr_random, 0x1301, exts, sizeof(exts), NULL,
                         NULL, 0);
}

/* A fatal handshake_failure alert record. */
static size_t canned_alert(uint8_t *out, size_t cap)
{
    static const uint8_t alert[] = {TLS_CT_ALERT, 0x03, 0x03, 0x00, 0x02, 0x02, 40};
    ck_assert(cap >= sizeof(alert));
    memcpy(out, alert, sizeof(alert));
    return sizeof(alert);
}

/* ---- a job whose probes are answered by hand ---------------------------- */

#define MAX_REC 64
static struct task *rec[MAX_REC];
static size_t n_rec;
static struct enum_facts facts;
static struct job *job;

static int record_submit(struct net_loop *l, const struct net_req *r)
{
    (void)l;
    ck_assert_uint_lt(n_rec, MAX_REC);
    rec[n_rec++] = r->ctx;
    return 0;
}

static void never_done(void *arg)
{
    (void)arg;
    ck_abort_msg("the held job must not end");
}

static void setup(void)
{
    struct sockaddr_storage sa;
    memset(&sa, 0, sizeof(sa));
    sa.ss_family = AF_INET;
    n_rec = 0;
    enum_facts_init(&facts);
    job = enum_job_new(NULL, 0, &sa, sizeof(struct sockaddr_in), NULL, &facts, never_done, NULL);
    ck_assert_ptr_nonnull(job);
    job->submit = record_submit;
    job->pending = 1; /* held open: the job never ends (no loop to end on) */
}

static void teardown(void)
{
    for (size_t i = 0; i < n_rec; i++) {
        if (rec[i] != NULL) {
            enum_task_free(rec[i]);
        }
    }
    free(job->sni);
    free(job);
    enum_facts_cleanup(&facts);
}

/* Index of the i-th recorded probe still unanswered of kind k (-1: none). */
static int pending_of(enum task_kind k, enum tls_version wv, size_t nth)
{
    for (size_t i = 0; i < n_rec; i++) {
        if (rec[i] != NULL && rec[i]->kind == k && rec[i]->wv == wv && nth-- == 0) {
            return (int)i;
        }
    }
    return -1;
}

static bool offers(const struct task *t, uint32_t suite)
{
    for (size_t i = 0; i < t->n_suites; i++) {
        if (t->suites[i] == suite) {
            return true;
        }
    }
    return false;
}

/* Answers recorded probe i with data (may be empty) and outcome o. */
static void answer(int i, const uint8_t *data, size_t len, enum net_outcome o)
{
    ck_assert_int_ge(i, 0);
    struct task *t = rec[i];
    rec[i] = NULL;
    if (len > 0) {
        (void)hello_flight_feed(&t->flight, data, len);
    }
    enum_task_done(t, o, "");
}

static void answer_pick(int i, uint16_t version, uint16_t suite)
{
    uint8_t buf[256];
    answer(i, buf, canned_flight(buf, sizeof(buf), version, suite), NET_COMPLETED);
}

static void answer_alert(int i)
{
    uint8_t buf[16];
    answer(i, buf, canned_alert(buf, sizeof(buf)), NET_COMPLETED);
}

/* Refuses every unanswered SUITES probe of wv (follow-ups included). */
static void refuse_all_suites(enum tls_version wv)
{
    int i;
    while ((i = pending_of(T_SUITES, wv, 0)) >= 0) {
        answer_alert(i);
    }
}

static size_t suite_rank(const struct enum_version_fact *vf, uint32_t code)
{
    for (size_t i = 0; i < vf->n_suites; i++) {
        if (vf->suites[i].code == code) {
            return (size_t)vf->suites[i].server_rank;
        }
    }
    ck_abort_msg("suite 0x%04x not accepted", code);
    return 0;
}

/* ---- which suites go in the next bundle --------------------------------- */

START_TEST(test_bundle_size)
{
    size_t n;
    /* a hello holds 300: 1000 suites in 4 even bundles */
    ck_assert_uint_eq(enum_bundle_size(1000, 300, &n), 250);
    ck_assert_uint_eq(n, 4);
    /* everything fits: one bundle */
    ck_assert_uint_eq(enum_bundle_size(100, 600, &n), 100);
    ck_assert_uint_eq(n, 1);
    /* ENUM_MAX_BUNDLE caps a bundle even when the hello holds more */
    ck_assert_uint_eq(enum_bundle_size(600, 2000, &n), 300);
    ck_assert_uint_eq(n, 2);
    /* a hello that holds nothing still offers one suite per bundle */
    ck_assert_uint_eq(enum_bundle_size(3, 0, &n), 1);
    ck_assert_uint_eq(n, 3);
}
END_TEST

START_TEST(test_start_offers_every_candidate)
{
    uint32_t all[ENUM_MAX_LIST];
    size_t n = enum_candidates(TLSV_TLS12, all, ENUM_MAX_LIST);
    ck_assert_uint_gt(n, 100);
    enum_start_version(job, TLSV_TLS12);
    ck_assert_uint_ge(n_rec, 1);
    ck_assert_int_eq(job->vs[TLSV_TLS12].bundles_left, (int)n_rec);
    ck_assert(job->vs[TLSV_TLS12].single_bundle == (n_rec == 1));
    size_t offered = 0;
    for (size_t i = 0; i < n_rec; i++) {
        ck_assert_int_eq(rec[i]->kind, T_SUITES);
        ck_assert_uint_le(rec[i]->n_suites, ENUM_MAX_BUNDLE);
        ck_assert(!rec[i]->ffdhe);
        offered += rec[i]->n_suites;
    }
    /* each candidate in exactly one bundle */
    ck_assert_uint_eq(offered, n);
    for (size_t k = 0; k < n; k++) {
        size_t in = 0;
        for (size_t i = 0; i < n_rec; i++) {
            in += offers(rec[i], all[k]);
        }
        ck_assert_uint_eq(in, 1);
    }
    ck_assert_uint_eq(facts.n_probes, n_rec);
}
END_TEST

/* A pick is recorded, dropped, and the rest of the bundle offered again. */
START_TEST(test_pick_drops_and_offers_rest)
{
    enum_start_version(job, TLSV_TLS12);
    int i = 0;
    while (!offers(rec[i], RSA_GCM128)) {
        i++;
    }
    size_t before = rec[i]->n_suites;
    int left = job->vs[TLSV_TLS12].bundles_left;
    size_t first_new = n_rec;
    answer_pick(i, TLS_WIRE_TLS12, RSA_GCM128);
    const struct enum_version_fact *vf = &facts.versions[TLSV_TLS12];
    ck_assert_uint_eq(vf->n_suites, 1);
    ck_assert_uint_eq(vf->suites[0].code, RSA_GCM128);
    ck_assert_int_eq(job->vs[TLSV_TLS12].bundles_left, left); /* the chain goes on */
    ck_assert_uint_eq(n_rec, first_new + 1);
    ck_assert_int_eq(rec[first_new]->kind, T_SUITES);
    ck_assert_uint_eq(rec[first_new]->n_suites, before - 1);
    ck_assert(!offers(rec[first_new], RSA_GCM128));
    ck_assert(!facts.unoffered_choice);
}
END_TEST

/* Refusals everywhere, the FFDHE follow-up included: refused, with the
 * first refusal as the reason. */
START_TEST(test_refused)
{
    enum_start_version(job, TLSV_TLS12);
    size_t bundles = n_rec;
    refuse_all_suites(TLSV_TLS12);
    /* the FFDHE follow-up was offered (DHE suites, FFDHE groups) and refused */
    ck_assert_uint_eq(n_rec, bundles + 1);
    ck_assert(job->vs[TLSV_TLS12].ffdhe_tried);
    const struct enum_version_fact *vf = &facts.versions[TLSV_TLS12];
    ck_assert_int_eq(vf->state, PROBE_REFUSED);
    ck_assert_str_eq(vf->reason, "alert: handshake_failure");
    ck_assert_uint_eq(vf->n_suites, 0);
    ck_assert(job->vs[TLSV_TLS12].done);
}
END_TEST

START_TEST(test_ffdhe_followup_offers_dhe_only)
{
    enum_start_version(job, TLSV_TLS12);
    size_t bundles = n_rec;
    for (size_t i = 0; i < bundles; i++) {
        answer_alert((int)i);
    }
    ck_assert_uint_eq(n_rec, bundles + 1);
    const struct task *f = rec[bundles];
    ck_assert(f->ffdhe);
    ck_assert_uint_gt(f->n_suites, 0);
    for (size_t k = 0; k < f->n_suites; k++) {
        ck_assert(enum_is_ffdhe_kx(registry_suite_by_code(f->suites[k])));
    }
    /* the hello offers the FFDHE groups after the EC ones */
    ck_assert_ptr_eq(f->params.groups, enum_groups_ffdhe);
}
END_TEST

/* A suite the hello did not offer is an anomaly: inconclusive, never
 * support, and no split of the bundle after it. */
START_TEST(test_unoffered_suite_is_inconclusive)
{
    enum_start_version(job, TLSV_TLS12);
    size_t bundles = n_rec;
    answer_pick(0, TLS_WIRE_TLS12, 0x0A0A); /* a GREASE value we never offer */
    ck_assert(facts.unoffered_choice);
    ck_assert_ptr_nonnull(strstr(facts.anomalies, "not offered"));
    /* no split, no chain: at most the FFDHE follow-up (when that was the
     * only bundle) */
    for (size_t i = bundles; i < n_rec; i++) {
        ck_assert(rec[i]->ffdhe);
    }
    ck_assert_uint_le(n_rec, bundles + 1);
    refuse_all_suites(TLSV_TLS12);
    const struct enum_version_fact *vf = &facts.versions[TLSV_TLS12];
    ck_assert_int_eq(vf->state, PROBE_INCONCLUSIVE);
    ck_assert_ptr_nonnull(strstr(vf->reason, "0x0A0A that was not offered"));
    ck_assert_uint_eq(vf->n_suites, 0);
}
END_TEST

/* An older version in the answer is a refusal of the offered one. */
START_TEST(test_lower_version_is_refusal)
{
    enum_start_version(job, TLSV_TLS12);
    answer_pick(0, TLS_WIRE_TLS11, RSA_GCM128);
    ck_assert(!facts.unoffered_choice);
    ck_assert(job->vs[TLSV_TLS12].any_refused);
    ck_assert_str_eq(job->vs[TLSV_TLS12].refusal, "server answered with version 0x0302");
    ck_assert_uint_eq(facts.versions[TLSV_TLS12].n_suites, 0);
}
END_TEST

/* A reset bundle is split in two halves; the halves count as chains. */
START_TEST(test_reset_splits_bundle)
{
    enum_start_version(job, TLSV_TLS12);
    size_t first_new = n_rec, n = rec[0]->n_suites;
    int left = job->vs[TLSV_TLS12].bundles_left;
    uint32_t head = rec[0]->suites[0], tail = rec[0]->suites[n - 1];
    answer(0, NULL, 0, NET_RESET);
    ck_assert_uint_eq(n_rec, first_new + 2);
    ck_assert_uint_eq(rec[first_new]->n_suites + rec[first_new + 1]->n_suites, n);
    ck_assert_uint_eq(rec[first_new]->n_suites, n / 2);
    ck_assert(offers(rec[first_new], head));
    ck_assert(offers(rec[first_new + 1], tail));
    ck_assert_int_eq(job->vs[TLSV_TLS12].bundles_left, left + 1);
    ck_assert(!job->vs[TLSV_TLS12].single_bundle);
    ck_assert(!job->vs[TLSV_TLS12].any_inconclusive);
}
END_TEST

/* A close before the server sent a byte is a refusal. */
START_TEST(test_close_before_bytes_is_refusal)
{
    enum_start_version(job, TLSV_TLS11);
    answer(0, NULL, 0, NET_CLOSED);
    ck_assert(job->vs[TLSV_TLS11].any_refused);
    ck_assert_str_eq(job->vs[TLSV_TLS11].refusal, "connection closed by the server");
}
END_TEST

/* ---- order decisions ---------------------------------------------------- */

/* Three accepted TLS 1.2 suites, found in this order, by split bundles. */
static struct enum_version_fact *accepted3(void)
{
    static const uint32_t found[] = {RSA_GCM128, RSA_GCM256, RSA_CBC128};
    struct enum_version_fact *vf = &facts.versions[TLSV_TLS12];
    vf->suites = calloc(3, sizeof(*vf->suites));
    ck_assert_ptr_nonnull(vf->suites);
    for (size_t i = 0; i < 3; i++) {
        vf->suites[i].code = found[i];
        vf->suites[i].server_rank = -1;
    }
    vf->n_suites = 3;
    vf->state = PROBE_ACCEPTED;
    return vf;
}

/* The order offers of accepted3(), answered with these picks. */
static struct enum_version_fact *order_answered(uint16_t fwd_pick, uint16_t rev_pick)
{
    struct enum_version_fact *vf = accepted3();
    enum_order_start(job, TLSV_TLS12);
    answer_pick(pending_of(T_ORDER_FWD, TLSV_TLS12, 0), TLS_WIRE_TLS12, fwd_pick);
    answer_pick(pending_of(T_ORDER_REV, TLSV_TLS12, 0), TLS_WIRE_TLS12, rev_pick);
    return vf;
}

START_TEST(test_order_offers)
{
    accepted3();
    enum_order_start(job, TLSV_TLS12);
    int f = pending_of(T_ORDER_FWD, TLSV_TLS12, 0), r = pending_of(T_ORDER_REV, TLSV_TLS12, 0);
    ck_assert_int_ge(f, 0);
    ck_assert_int_ge(r, 0);
    static const uint32_t fwd[] = {RSA_GCM128, RSA_GCM256, RSA_CBC128};
    static const uint32_t rev[] = {RSA_CBC128, RSA_GCM256, RSA_GCM128};
    ck_assert_uint_eq(rec[f]->n_suites, 3);
    ck_assert_uint_eq(rec[r]->n_suites, 3);
    ck_assert_mem_eq(rec[f]->suites, fwd, sizeof(fwd));
    ck_assert_mem_eq(rec[r]->suites, rev, sizeof(rev));
    ck_assert_uint_eq(job->vs[TLSV_TLS12].rev_first, RSA_CBC128);
}
END_TEST

START_TEST(test_order_client)
{
    struct enum_version_fact *vf = accepted3();
    enum_order_start(job, TLSV_TLS12);
    answer_pick(pending_of(T_ORDER_FWD, TLSV_TLS12, 0), TLS_WIRE_TLS12, RSA_GCM128);
    ck_assert(!job->vs[TLSV_TLS12].done); /* one answer of two */
    answer_pick(pending_of(T_ORDER_REV, TLSV_TLS12, 0), TLS_WIRE_TLS12, RSA_CBC128);
    ck_assert_int_eq(vf->order, ORDER_CLIENT);
    ck_assert(job->vs[TLSV_TLS12].done);
    ck_assert_int_eq(pending_of(T_ORDER_ELIM, TLSV_TLS12, 0), -1);
}
END_TEST

/* The same pick both ways: the server decides; the elimination ranks the
 * rest and the suites end sorted by the server's order. */
START_TEST(test_order_server_elimination)
{
    struct enum_version_fact *vf = order_answered(RSA_GCM256, RSA_GCM256);
    ck_assert_int_eq(vf->order, ORDER_SERVER);
    int e = pending_of(T_ORDER_ELIM, TLSV_TLS12, 0);
    ck_assert_int_ge(e, 0);
    static const uint32_t rest[] = {RSA_GCM128, RSA_CBC128};
    ck_assert_uint_eq(rec[e]->n_suites, 2);
    ck_assert_mem_eq(rec[e]->suites, rest, sizeof(rest));
    answer_pick(e, TLS_WIRE_TLS12, RSA_CBC128);
    /* one left: ranked last without a probe */
    ck_assert_int_eq(pending_of(T_ORDER_ELIM, TLSV_TLS12, 0), -1);
    ck_assert(job->vs[TLSV_TLS12].done);
    ck_assert_uint_eq(vf->suites[0].code, RSA_GCM256);
    ck_assert_uint_eq(vf->suites[1].code, RSA_CBC128);
    ck_assert_uint_eq(vf->suites[2].code, RSA_GCM128);
    ck_assert_uint_eq(suite_rank(vf, RSA_GCM128), 2);
    ck_assert(!vf->incomplete);
}
END_TEST

/* A refused elimination offer: the order is known only that far. */
START_TEST(test_order_elimination_refused)
{
    struct enum_version_fact *vf = order_answered(RSA_GCM128, RSA_GCM128);
    answer_alert(pending_of(T_ORDER_ELIM, TLSV_TLS12, 0));
    ck_assert_int_eq(vf->order, ORDER_SERVER);
    ck_assert(vf->incomplete);
    ck_assert_str_eq(vf->incomplete_why, "alert: handshake_failure");
    ck_assert(job->vs[TLSV_TLS12].done);
}
END_TEST

/* ---- TLS 1.3 groups by HelloRetryRequest -------------------------------- */

/* Only TLS 1.3 accepted: the extras are the TLS 1.3 group elimination; each
 * HRR's group is recorded and dropped, a refusal ends it, a group not
 * offered is an anomaly. */
START_TEST(test_groups13_hrr_elimination)
{
    uint8_t buf[256];
    struct enum_version_fact *v13 = &facts.versions[TLSV_TLS13];
    v13->suites = calloc(1, sizeof(*v13->suites));
    ck_assert_ptr_nonnull(v13->suites);
    v13->suites[0].code = 0x1301;
    v13->n_suites = 1;
    v13->state = PROBE_ACCEPTED;
    enum_start_extras(job);
    ck_assert_uint_eq(n_rec, 1);
    ck_assert_int_eq(rec[0]->kind, T_GROUPS13);
    ck_assert_uint_eq(rec[0]->params.shares, 0); /* empty key_share */
    size_t n = rec[0]->n_list;
    ck_assert_uint_gt(n, 2);
    answer(0, buf, canned_hrr(buf, sizeof(buf), 23), NET_COMPLETED);
    ck_assert_uint_eq(facts.n_groups13, 1);
    ck_assert_uint_eq(facts.groups13[0], 23);
    ck_assert_uint_eq(n_rec, 2);
    ck_assert_uint_eq(rec[1]->n_list, n - 1);
    for (size_t i = 0; i < rec[1]->n_list; i++) {
        ck_assert_uint_ne(rec[1]->list[i], 23);
    }
    answer(1, buf, canned_hrr(buf, sizeof(buf), 29), NET_COMPLETED);
    ck_assert_uint_eq(facts.n_groups13, 2);
    ck_assert_uint_eq(facts.groups13[1], 29);
    /* a group the hello did not list */
    answer(2, buf, canned_hrr(buf, sizeof(buf), 0x0A0A), NET_COMPLETED);
    ck_assert(facts.unoffered_choice);
    ck_assert_uint_eq(facts.n_groups13, 2);
    ck_assert_uint_eq(n_rec, 3); /* the elimination ends there */
}
END_TEST

/* ---- settling the facts ------------------------------------------------- */

START_TEST(test_version_settle)
{
    struct vstate vs;
    struct enum_version_fact vf;
    struct enum_suite one = {.code = RSA_GCM128, .server_rank = -1};
    /* a suite and an unclear bundle: accepted, incomplete */
    memset(&vs, 0, sizeof(vs));
    memset(&vf, 0, sizeof(vf));
    vs.any_inconclusive = true;
    strcpy(vs.inconclusive, "timeout");
    vf.suites = &one;
    vf.n_suites = 1;
    enum_version_settle(&vs, &vf, TLSV_TLS12);
    ck_assert_int_eq(vf.state, PROBE_ACCEPTED);
    ck_assert(vf.incomplete);
    ck_assert_str_eq(vf.incomplete_why, "timeout");
    ck_assert_int_eq(one.server_rank, 0); /* the only suite is the first */
    /* no suite, an unclear bundle: inconclusive, even with a refusal */
    memset(&vf, 0, sizeof(vf));
    vs.any_refused = true;
    strcpy(vs.refusal, "alert: handshake_failure");
    enum_version_settle(&vs, &vf, TLSV_TLS12);
    ck_assert_int_eq(vf.state, PROBE_INCONCLUSIVE);
    ck_assert_str_eq(vf.reason, "timeout");
    /* refusals only */
    memset(&vf, 0, sizeof(vf));
    vs.any_inconclusive = false;
    enum_version_settle(&vs, &vf, TLSV_TLS12);
    ck_assert_int_eq(vf.state, PROBE_REFUSED);
    ck_assert_str_eq(vf.reason, "alert: handshake_failure");
}
END_TEST

/* enum_facts_settle: a version with an accepted suite ends accepted. */
START_TEST(test_facts_settle)
{
    struct enum_version_fact *vf = &facts.versions[TLSV_TLS11];
    vf->suites = calloc(1, sizeof(*vf->suites));
    ck_assert_ptr_nonnull(vf->suites);
    vf->suites[0].code = RSA_GCM128;
    vf->n_suites = 1;
    vf->state = PROBE_INCONCLUSIVE;
    strcpy(vf->reason, "timeout");
    facts.versions[TLSV_TLS10].state = PROBE_REFUSED;
    enum_facts_settle(&facts);
    ck_assert_int_eq(vf->state, PROBE_ACCEPTED);
    ck_assert(vf->incomplete);
    ck_assert_str_eq(vf->reason, "");
    ck_assert_str_eq(vf->incomplete_why,
                     "1 suite accepted but the version was left inconclusive: timeout");
    ck_assert_int_eq(facts.versions[TLSV_TLS10].state, PROBE_REFUSED);
}
END_TEST

/* ---- end to end on the conversation loop -------------------------------- */

/* The listener accepts TLS 1.2 with RSA_GCM128 only: a ClientHello with
 * client_version 0x0303 offering it gets a canned ServerHello flight,
 * anything else a handshake_failure alert. */
static int listen_fd = -1;

static bool read_full(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0) {
            return false;
        }
        got += (size_t)r;
    }
    return true;
}

/* Whether a ClientHello record body offers TLS 1.2 and RSA_GCM128. */
static bool hello_wants_ours(const uint8_t *body, size_t len)
{
    struct rbuf r = {body, len}, suites;
    uint8_t type;
    uint32_t mlen;
    uint16_t version;
    struct rbuf skip;
    if (!rbuf_get_u8(&r, &type) || !rbuf_get_u24(&r, &mlen) || !rbuf_get_u16(&r, &version) ||
        !rbuf_get_bytes(&r, &skip, 32) || !rbuf_get_vec8(&r, &skip) ||
        !rbuf_get_vec16(&r, &suites)) {
        return false;
    }
    if (type != 1 || version != TLS_WIRE_TLS12) {
        return false;
    }
    uint16_t s;
    bool tls13 = false, ours = false;
    while (rbuf_get_u16(&suites, &s)) {
        tls13 |= s >= 0x1301 && s <= 0x1305;
        ours |= s == RSA_GCM128;
    }
    return ours && !tls13;
}

static void serve_one(int c)
{
    uint8_t hdr[5], body[16384], out[256];
    size_t n;
    if (!read_full(c, hdr, 2)) {
        return;
    }
    if (hdr[0] & 0x80) { /* SSLv2 record: 2-byte header */
        n = (size_t)((hdr[0] & 0x7f) << 8 | hdr[1]);
        if (n > sizeof(body) || !read_full(c, body, n)) {
            return;
        }
        n = canned_alert(out, sizeof(out));
    } else {
        if (!read_full(c, hdr + 2, 3)) {
            return;
        }
        n = (size_t)(hdr[3] << 8 | hdr[4]);
        if (n > sizeof(body) || !read_full(c, body, n)) {
            return;
        }
        n = hello_wants_ours(body, n) ? canned_flight(out, sizeof(out), TLS_WIRE_TLS12, RSA_GCM128)
                                      : canned_alert(out, sizeof(out));
    }
    (void)!write(c, out, n);
}

static void *serve(void *arg)
{
    (void)arg;
    for (;;) {
        int c = accept(listen_fd, NULL, NULL);
        if (c < 0) {
            return NULL; /* the test closed the listener */
        }
        serve_one(c);
        close(c);
    }
}

static void on_done(void *arg)
{
    *(bool *)arg = true;
}

START_TEST(test_end_to_end)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sin);
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(listen_fd, 0);
    ck_assert_int_eq(bind(listen_fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    ck_assert_int_eq(listen(listen_fd, 64), 0);
    ck_assert_int_eq(getsockname(listen_fd, (struct sockaddr *)&sin, &sl), 0);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, serve, NULL), 0);

    struct net_loop *loop = net_loop_new(4, 4, 5000, NULL);
    ck_assert_ptr_nonnull(loop);
    struct sockaddr_storage sa;
    memset(&sa, 0, sizeof(sa));
    memcpy(&sa, &sin, sizeof(sin));
    struct enum_facts e;
    enum_facts_init(&e);
    bool done = false;
    ck_assert_int_eq(
        enum_start(loop, 1, &sa, sizeof(sin), "localhost", NULL, 0, &e, on_done, &done), 0);
    ck_assert_int_eq(net_loop_run(loop), 0);
    net_loop_free(loop);
    shutdown(listen_fd, SHUT_RDWR);
    pthread_join(th, NULL);
    close(listen_fd);

    ck_assert(done);
    ck_assert(fact_collected(&e.header));
    ck_assert(!e.unoffered_choice);
    ck_assert(!e.budget_ran_out);
    const struct enum_version_fact *v12 = &e.versions[TLSV_TLS12];
    ck_assert_int_eq(v12->state, PROBE_ACCEPTED);
    ck_assert(!v12->incomplete);
    ck_assert_uint_eq(v12->n_suites, 1);
    ck_assert_uint_eq(v12->suites[0].code, RSA_GCM128);
    ck_assert_int_eq(v12->suites[0].server_rank, 0);
    for (int v = 0; v < TLSV_COUNT; v++) {
        if (v != TLSV_TLS12) {
            ck_assert_msg(e.versions[v].state == PROBE_REFUSED, "version %d: %s", v,
                          probe_state_name(e.versions[v].state));
        }
    }
    ck_assert_str_eq(e.versions[TLSV_TLS13].reason, "alert: handshake_failure");
    /* the extensions probe ran on the accepted suite: nothing echoed */
    ck_assert_int_eq(e.extended_master_secret, TRI_NO);
    ck_assert_int_eq(e.secure_renegotiation, TRI_NO);
    ck_assert_uint_gt(e.n_probes, TLSV_COUNT);
    enum_facts_cleanup(&e);
}
END_TEST

static Suite *enumerate_suite(void)
{
    Suite *s = suite_create("enumerate");
    TCase *tc = tcase_create("decisions");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_start_offers_every_candidate);
    tcase_add_test(tc, test_pick_drops_and_offers_rest);
    tcase_add_test(tc, test_refused);
    tcase_add_test(tc, test_ffdhe_followup_offers_dhe_only);
    tcase_add_test(tc, test_unoffered_suite_is_inconclusive);
    tcase_add_test(tc, test_lower_version_is_refusal);
    tcase_add_test(tc, test_reset_splits_bundle);
    tcase_add_test(tc, test_close_before_bytes_is_refusal);
    tcase_add_test(tc, test_order_offers);
    tcase_add_test(tc, test_order_client);
    tcase_add_test(tc, test_order_server_elimination);
    tcase_add_test(tc, test_order_elimination_refused);
    tcase_add_test(tc, test_facts_settle);
    tcase_add_test(tc, test_groups13_hrr_elimination);
    suite_add_tcase(s, tc);
    TCase *pure = tcase_create("pure");
    tcase_add_test(pure, test_bundle_size);
    tcase_add_test(pure, test_version_settle);
    suite_add_tcase(s, pure);
    TCase *loop = tcase_create("loop");
    tcase_set_timeout(loop, 60);
    tcase_add_test(loop, test_end_to_end);
    suite_add_tcase(s, loop);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(enumerate_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
