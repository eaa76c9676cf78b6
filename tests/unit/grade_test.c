/*
 * tests/unit/grade_test.c - unit tests for common/model/grade: hand-built
 * fact sets, one per cap (each asserts the cap's id, the letter it leads
 * to and that the modern baseline without it has no such cap), the three
 * category scores and the total on sets whose numbers are worked out by
 * hand from the rating guide's tables, Table 1's thresholds at every
 * boundary, T / M over the letter, A+ and what withholds it, STARTTLS
 * without a blanket cap, handshake-only facts and a target not scanned.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/model/facts.h"
#include "common/model/grade.h"
#include "common/model/probe_result.h"

/* ---- building facts ---------------------------------------------------- */

/* set_suites gives version v the accepted suites codes[0..n) in the
 * server's order (server_order) or the client's, each with kx_bits. */
static void set_suites(struct target_result *r, enum tls_version v, const uint32_t *codes, size_t n,
                       bool server_order, int kx_bits, uint16_t group)
{
    struct enum_version_fact *ev = &r->enumeration.versions[v];
    free(ev->suites);
    ev->suites = calloc(n > 0 ? n : 1, sizeof(*ev->suites));
    ck_assert_ptr_nonnull(ev->suites);
    for (size_t i = 0; i < n; i++) {
        ev->suites[i].code = codes[i];
        ev->suites[i].server_rank = server_order ? (int)i : -1;
        ev->suites[i].kx_bits = kx_bits;
        ev->suites[i].ec_group = group;
    }
    ev->n_suites = n;
    ev->state = n > 0 ? PROBE_ACCEPTED : PROBE_REFUSED;
    ev->order = n < 2 ? ORDER_UNKNOWN : server_order ? ORDER_SERVER : ORDER_CLIENT;
}

static void set_leaf(struct target_result *r, const char *type, int bits, const char *sig)
{
    struct cert_fact *c = &r->certs[0];
    snprintf(c->key_type, sizeof(c->key_type), "%s", type);
    c->key_bits = bits;
    snprintf(c->sig_alg, sizeof(c->sig_alg), "%s", sig);
}

static void add_probe(struct target_result *r, const char *id, enum probe_result_state st)
{
    ck_assert_int_eq(probe_list_add(&r->probes, id, PROBE_NO_VERSION, 0, st, "hand-built", NULL),
                     0);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const uint32_t tls13[] = {0x1302, 0x1301};    /* AES-256-GCM, AES-128-GCM */
static const uint32_t modern12[] = {0xC030, 0xC02F}; /* ECDHE-RSA AES-256/128-GCM */

/* modern: TLS 1.2 + 1.3, ECDHE AEAD only, RSA 2048 trusted and matching,
 * HSTS one year, fallback SCSV: an A+ by every rule. */
static void modern(struct target_result *r)
{
    target_result_init(r);
    r->host = strdup("a.test");
    r->port = 443;
    snprintf(r->starttls, sizeof(r->starttls), "none");
    r->status = TARGET_OK;
    r->enumeration.header.state = FACT_COLLECTED;
    set_suites(r, TLSV_TLS13, tls13, N(tls13), true, 255, 0x001D);
    set_suites(r, TLSV_TLS12, modern12, N(modern12), true, 256, 0x0017);
    r->chain_header.state = FACT_COLLECTED;
    r->certs = calloc(2, sizeof(*r->certs));
    ck_assert_ptr_nonnull(r->certs);
    cert_fact_init(&r->certs[0]);
    cert_fact_init(&r->certs[1]);
    r->n_certs = 2;
    set_leaf(r, "RSA", 2048, "RSA-SHA256");
    snprintf(r->certs[1].key_type, sizeof(r->certs[1].key_type), "RSA");
    r->certs[1].key_bits = 4096;
    snprintf(r->certs[1].sig_alg, sizeof(r->certs[1].sig_alg), "RSA-SHA256");
    r->chain.trusted = true;
    r->chain.hostname_checked = true;
    r->chain.hostname_match = true;
    snprintf(r->chain.hostname, sizeof(r->chain.hostname), "a.test");
    snprintf(r->chain.ocsp_status, sizeof(r->chain.ocsp_status), "none");
    r->chain.min_days_left = 60;
    r->http.hsts.state = FACT_COLLECTED;
    r->http.hsts_present = true;
    r->http.hsts_valid = true;
    r->http.hsts_max_age = 31536000;
    r->probes.header.state = FACT_COLLECTED;
    add_probe(r, "fallback_scsv", PR_NEGATIVE);
    add_probe(r, "heartbleed", PR_NEGATIVE);
}

static const struct grade_cap *cap_of(const struct grade *g, const char *id)
{
    for (size_t i = 0; i < g->n_caps; i++) {
        if (strcmp(g->caps[i].id, id) == 0) {
            return &g->caps[i];
        }
    }
    return NULL;
}

/* EXPECT grades R_, checks the letter W_ and that cap ID_ applied (NULL:
 * no cap at all), then frees R_. */
#define EXPECT(R_, W_, ID_)                                                                        \
    do {                                                                                           \
        struct grade g_;                                                                           \
        grade_target(&(R_), &g_);                                                                  \
        ck_assert(g_.graded);                                                                      \
        if ((ID_) == NULL) {                                                                       \
            ck_assert_msg(g_.n_caps == 0, "unexpected cap %s (%s)",                                \
                          g_.n_caps ? g_.caps[0].id : "", g_.n_caps ? g_.caps[0].evidence : "");   \
        } else {                                                                                   \
            const struct grade_cap *c_ = cap_of(&g_, (ID_));                                       \
            ck_assert_msg(c_ != NULL, "no cap %s", (const char *)(ID_));                           \
            ck_assert(c_->reason[0] != '\0' && c_->source[0] != '\0');                             \
            ck_assert_msg(c_->evidence[0] != '\0', "cap %s without evidence", c_->id);             \
        }                                                                                          \
        ck_assert_msg(g_.letter == (W_), "letter %s, want %s", grade_letter_name(g_.letter),       \
                      grade_letter_name(W_));                                                      \
        target_result_cleanup(&(R_));                                                              \
    } while (0)

/* ---- scores -------------------------------------------------------------- */

START_TEST(test_modern_a_plus)
{
    struct target_result r;
    modern(&r);
    struct grade g;
    grade_target(&r, &g);
    /* protocol (100 + 100) / 2; key exchange min(RSA 2048, P-256 ~ 3072) = 2048 -> 90;
     * cipher (256 -> 100, 128 -> 80) / 2 = 90; 0.3*100 + 0.3*90 + 0.4*90 = 93. */
    ck_assert_int_eq(g.protocol, 100);
    ck_assert_int_eq(g.key_exchange, 90);
    ck_assert_int_eq(g.cipher, 90);
    ck_assert_int_eq(g.score, 93);
    ck_assert_int_eq(g.score_letter, GRADE_A);
    ck_assert(g.from_enumeration);
    ck_assert_str_eq(g.note, "");
    target_result_cleanup(&r);
    modern(&r);
    EXPECT(r, GRADE_A_PLUS, NULL);
}
END_TEST

START_TEST(test_scores_b_and_c)
{
    /* TLS 1.2 only with AES-256-GCM and NULL-SHA256, RSA 1024: protocol 100,
     * key exchange 80, cipher (100 + 0) / 2 = 50: 30 + 24 + 20 = 74 -> B. */
    struct target_result r;
    modern(&r);
    set_suites(&r, TLSV_TLS13, NULL, 0, true, 0, 0);
    static const uint32_t s12[] = {0x009D, 0x003B}; /* RSA AES-256-GCM, RSA NULL-SHA256 */
    set_suites(&r, TLSV_TLS12, s12, N(s12), true, 0, 0);
    set_leaf(&r, "RSA", 1024, "RSA-SHA256");
    struct grade g;
    grade_target(&r, &g);
    ck_assert_int_eq(g.protocol, 100);
    ck_assert_int_eq(g.key_exchange, 80);
    ck_assert_int_eq(g.cipher, 50);
    ck_assert_int_eq(g.score, 74);
    ck_assert_int_eq(g.score_letter, GRADE_B);
    ck_assert_int_eq(g.letter, GRADE_F); /* NULL: cipher below 112 bits */
    target_result_cleanup(&r);

    /* SSL 3.0 + TLS 1.0 with AES-128 and EXPORT RC4-40, RSA 2048: protocol
     * (90 + 80) / 2 = 85, key exchange export 40, cipher (80 + 20) / 2 = 50:
     * 25.5 + 12 + 20 = 57.5 -> 58 -> C. */
    modern(&r);
    set_suites(&r, TLSV_TLS13, NULL, 0, true, 0, 0);
    set_suites(&r, TLSV_TLS12, NULL, 0, true, 0, 0);
    static const uint32_t old[] = {0x002F, 0x0003}; /* RSA AES-128-CBC-SHA, EXPORT RC4-40 */
    set_suites(&r, TLSV_TLS10, old, N(old), true, 0, 0);
    set_suites(&r, TLSV_SSL3, old, N(old), true, 0, 0);
    grade_target(&r, &g);
    ck_assert_int_eq(g.protocol, 85);
    ck_assert_int_eq(g.key_exchange, 40);
    ck_assert_int_eq(g.cipher, 50);
    ck_assert_int_eq(g.score, 58);
    ck_assert_int_eq(g.score_letter, GRADE_C);
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_zero_category)
{
    /* Anonymous DH: key exchange 0 makes the score 0 whatever the rest. */
    struct target_result r;
    modern(&r);
    static const uint32_t anon[] = {0xC02F, 0x0034};
    set_suites(&r, TLSV_TLS12, anon, N(anon), true, 0, 0);
    struct grade g;
    grade_target(&r, &g);
    ck_assert_int_eq(g.key_exchange, 0);
    ck_assert_int_eq(g.score, 0);
    ck_assert_int_eq(g.score_letter, GRADE_F);
    ck_assert_ptr_nonnull(cap_of(&g, "anon_kx"));
    ck_assert_int_eq(g.letter, GRADE_F);
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_kex_unknown)
{
    /* No chain collected and RSA key transport only: no key-exchange size
     * known; scored on protocol and cipher: (30 * 100 + 40 * 90) / 70 = 94. */
    struct target_result r;
    modern(&r);
    set_suites(&r, TLSV_TLS13, NULL, 0, true, 0, 0);
    static const uint32_t rsa[] = {0x009D, 0x009C};
    set_suites(&r, TLSV_TLS12, rsa, N(rsa), true, 0, 0);
    r.chain_header.state = FACT_COULD_NOT_TEST;
    struct grade g;
    grade_target(&r, &g);
    ck_assert_int_eq(g.key_exchange, -1);
    ck_assert_int_eq(g.score, 94);
    ck_assert(strstr(g.note, "no key-exchange size known") != NULL);
    ck_assert_ptr_nonnull(cap_of(&g, "plus_chain_unknown"));
    ck_assert_ptr_nonnull(cap_of(&g, "no_forward_secrecy"));
    ck_assert_int_eq(g.letter, GRADE_B);
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_thresholds)
{
    static const struct {
        int score;
        enum grade_letter want;
    } t[] = {{100, GRADE_A}, {80, GRADE_A}, {79, GRADE_B}, {65, GRADE_B},
             {64, GRADE_C},  {50, GRADE_C}, {49, GRADE_D}, {35, GRADE_D},
             {34, GRADE_E},  {20, GRADE_E}, {19, GRADE_F}, {0, GRADE_F}};
    for (size_t i = 0; i < N(t); i++) {
        ck_assert_msg(grade_score_letter(t[i].score) == t[i].want, "score %d: %s", t[i].score,
                      grade_letter_name(grade_score_letter(t[i].score)));
    }
    ck_assert_str_eq(grade_letter_name(GRADE_A_PLUS), "A+");
    ck_assert_str_eq(grade_letter_name(GRADE_A_MINUS), "A-");
    ck_assert_str_eq(grade_letter_name(GRADE_T), "T");
    ck_assert_str_eq(grade_letter_name(GRADE_M), "M");
    ck_assert_str_eq(grade_letter_name(GRADE_NONE), "-");
    ck_assert_str_eq(grade_letter_name((enum grade_letter)99), "?");
}
END_TEST

/* ---- protocol caps ---------------------------------------------------------- */

START_TEST(test_protocol_caps)
{
    struct target_result r;
    static const uint32_t cbc[] = {0xC013}; /* ECDHE-RSA AES-128-CBC-SHA */
    modern(&r);
    set_suites(&r, TLSV_TLS10, cbc, N(cbc), true, 256, 0x0017);
    EXPECT(r, GRADE_B, "tls10_tls11");
    modern(&r);
    set_suites(&r, TLSV_TLS11, cbc, N(cbc), true, 256, 0x0017);
    EXPECT(r, GRADE_B, "tls10_tls11");

    static const uint32_t v2[] = {0x010080};
    modern(&r);
    set_suites(&r, TLSV_SSL2, v2, N(v2), true, 0, 0);
    EXPECT(r, GRADE_F, "sslv2");

    static const uint32_t v3[] = {0x002F};
    modern(&r);
    set_suites(&r, TLSV_SSL3, v3, N(v3), true, 0, 0);
    EXPECT(r, GRADE_B, "sslv3");
    modern(&r);
    set_suites(&r, TLSV_SSL3, v3, N(v3), true, 0, 0);
    add_probe(&r, "poodle", PR_POSITIVE);
    EXPECT(r, GRADE_C, "sslv3_poodle");
    modern(&r);
    set_suites(&r, TLSV_TLS13, NULL, 0, true, 0, 0);
    set_suites(&r, TLSV_TLS12, NULL, 0, true, 0, 0);
    set_suites(&r, TLSV_SSL3, v3, N(v3), true, 0, 0);
    EXPECT(r, GRADE_F, "sslv3_only");

    /* TLS 1.0 and 1.1 only: no TLS 1.2 caps at C (below the B of TLS 1.0). */
    modern(&r);
    set_suites(&r, TLSV_TLS13, NULL, 0, true, 0, 0);
    set_suites(&r, TLSV_TLS12, NULL, 0, true, 0, 0);
    set_suites(&r, TLSV_TLS11, cbc, N(cbc), true, 256, 0x0017);
    set_suites(&r, TLSV_TLS10, cbc, N(cbc), true, 256, 0x0017);
    EXPECT(r, GRADE_C, "no_tls12");
    /* TLS 1.3 only: no "no TLS 1.2" cap. */
    modern(&r);
    set_suites(&r, TLSV_TLS12, NULL, 0, true, 0, 0);
    EXPECT(r, GRADE_A_PLUS, NULL);
}
END_TEST

/* ---- cipher caps -------------------------------------------------------------- */

START_TEST(test_rc4_caps)
{
    struct target_result r;
    /* RC4 first in the server's TLS 1.2 order: used with modern clients: C. */
    static const uint32_t rc4_first[] = {0x0005, 0xC02F};
    modern(&r);
    set_suites(&r, TLSV_TLS12, rc4_first, N(rc4_first), true, 256, 0x0017);
    EXPECT(r, GRADE_C, "rc4_modern");
    /* RC4 last in the server's order: supported, not used with them: B. */
    static const uint32_t rc4_last[] = {0xC02F, 0x0005};
    modern(&r);
    set_suites(&r, TLSV_TLS12, rc4_last, N(rc4_last), true, 256, 0x0017);
    EXPECT(r, GRADE_B, "rc4");
    /* RC4 with TLS 1.0 only: B. */
    static const uint32_t rc4[] = {0x0005};
    modern(&r);
    set_suites(&r, TLSV_TLS10, rc4, N(rc4), true, 0, 0);
    EXPECT(r, GRADE_B, "rc4");
    /* The client's order with AES beside it: the client picks AES: B, not C. */
    modern(&r);
    set_suites(&r, TLSV_TLS12, rc4_first, N(rc4_first), false, 256, 0x0017);
    struct grade g;
    grade_target(&r, &g);
    ck_assert_ptr_null(cap_of(&g, "rc4_modern"));
    ck_assert_ptr_nonnull(cap_of(&g, "rc4"));
    target_result_cleanup(&r);
    /* RC4 and nothing else: F. */
    modern(&r);
    set_suites(&r, TLSV_TLS13, NULL, 0, true, 0, 0);
    set_suites(&r, TLSV_TLS12, rc4, N(rc4), true, 0, 0);
    EXPECT(r, GRADE_F, "rc4_only");
}
END_TEST

START_TEST(test_block64_caps)
{
    struct target_result r;
    static const uint32_t des3_first[] = {0x000A, 0xC02F};
    modern(&r);
    set_suites(&r, TLSV_TLS12, des3_first, N(des3_first), true, 256, 0x0017);
    EXPECT(r, GRADE_C, "block64_modern");
    /* 3DES kept at the end of the server's order: not affected. */
    static const uint32_t des3_last[] = {0xC02F, 0x000A};
    modern(&r);
    set_suites(&r, TLSV_TLS12, des3_last, N(des3_last), true, 256, 0x0017);
    EXPECT(r, GRADE_A_PLUS, NULL);
    /* 3DES the only TLS 1.2 suite (and no TLS 1.3): C. */
    static const uint32_t des3[] = {0x000A};
    modern(&r);
    set_suites(&r, TLSV_TLS13, NULL, 0, true, 0, 0);
    set_suites(&r, TLSV_TLS12, des3, N(des3), true, 0, 0);
    EXPECT(r, GRADE_C, "block64_modern");
    /* The client's order: what tlsaudit's own GnuTLS handshake (which
     * offers every suite GnuTLS has, no real client's offer) got at TLS 1.2
     * says nothing of the server's order: 3DES there is no cap. */
    static const uint32_t both[] = {0xC02F, 0x000A};
    modern(&r);
    set_suites(&r, TLSV_TLS12, both, N(both), false, 256, 0x0017);
    r.versions[TLSV_TLS12].state = PROBE_ACCEPTED;
    r.versions[TLSV_TLS12].suite = 0x000A;
    EXPECT(r, GRADE_A_PLUS, NULL);
    /* RC4 and 3DES only, the client's order: a client takes 3DES over RC4:
     * block64_modern (C) and rc4 (B), not rc4_modern. */
    static const uint32_t weak[] = {0x0005, 0x000A};
    modern(&r);
    set_suites(&r, TLSV_TLS13, NULL, 0, true, 0, 0);
    set_suites(&r, TLSV_TLS12, weak, N(weak), false, 0, 0);
    struct grade g;
    grade_target(&r, &g);
    ck_assert_ptr_nonnull(cap_of(&g, "block64_modern"));
    ck_assert_ptr_nonnull(cap_of(&g, "rc4"));
    ck_assert_ptr_null(cap_of(&g, "rc4_modern"));
    ck_assert_int_eq(g.letter, GRADE_C);
    target_result_cleanup(&r);
    /* DES (56 bits): below 112 bits: F. */
    static const uint32_t des[] = {0xC02F, 0x0009};
    modern(&r);
    set_suites(&r, TLSV_TLS12, des, N(des), true, 256, 0x0017);
    EXPECT(r, GRADE_F, "cipher_below_112");
}
END_TEST

START_TEST(test_fs_aead_caps)
{
    struct target_result r;
    /* TLS 1.2 only, RSA key transport with GCM: no forward secrecy: B. */
    static const uint32_t rsa_gcm[] = {0x009C};
    modern(&r);
    set_suites(&r, TLSV_TLS13, NULL, 0, true, 0, 0);
    set_suites(&r, TLSV_TLS12, rsa_gcm, N(rsa_gcm), true, 0, 0);
    EXPECT(r, GRADE_B, "no_forward_secrecy");
    /* The same beside TLS 1.3: only TLS 1.2 clients lack it: A-. */
    modern(&r);
    set_suites(&r, TLSV_TLS12, rsa_gcm, N(rsa_gcm), true, 0, 0);
    EXPECT(r, GRADE_A_MINUS, "no_forward_secrecy_tls12");
    /* ECDHE first in the server's order, RSA after: not penalised. */
    static const uint32_t fs_first[] = {0xC02F, 0x009C};
    modern(&r);
    set_suites(&r, TLSV_TLS13, NULL, 0, true, 0, 0);
    set_suites(&r, TLSV_TLS12, fs_first, N(fs_first), true, 256, 0x0017);
    EXPECT(r, GRADE_A_PLUS, NULL);
    /* The server prefers RSA key transport: B. */
    static const uint32_t rsa_first[] = {0x009C, 0xC02F};
    modern(&r);
    set_suites(&r, TLSV_TLS13, NULL, 0, true, 0, 0);
    set_suites(&r, TLSV_TLS12, rsa_first, N(rsa_first), true, 256, 0x0017);
    EXPECT(r, GRADE_B, "no_forward_secrecy");
    /* CBC only at TLS 1.2 without TLS 1.3: no AEAD: B. */
    static const uint32_t cbc[] = {0xC013};
    modern(&r);
    set_suites(&r, TLSV_TLS13, NULL, 0, true, 0, 0);
    set_suites(&r, TLSV_TLS12, cbc, N(cbc), true, 256, 0x0017);
    EXPECT(r, GRADE_B, "no_aead");
    modern(&r);
    set_suites(&r, TLSV_TLS12, cbc, N(cbc), true, 256, 0x0017);
    EXPECT(r, GRADE_A_MINUS, "no_aead_tls12");
}
END_TEST

/* ---- key-exchange caps ---------------------------------------------------- */

START_TEST(test_kex_caps)
{
    struct target_result r;
    static const uint32_t dhe[] = {0x009E};
    modern(&r);
    set_suites(&r, TLSV_TLS12, dhe, N(dhe), true, 1024, 0);
    EXPECT(r, GRADE_B, "dh_below_2048");
    modern(&r);
    set_suites(&r, TLSV_TLS12, dhe, N(dhe), true, 768, 0);
    EXPECT(r, GRADE_F, "dh_below_1024");
    modern(&r);
    set_suites(&r, TLSV_TLS12, dhe, N(dhe), true, 2048, 0);
    EXPECT(r, GRADE_A_PLUS, NULL);
    modern(&r);
    set_leaf(&r, "RSA", 1024, "RSA-SHA256");
    EXPECT(r, GRADE_B, "key_below_2048");
    modern(&r);
    set_leaf(&r, "RSA", 512, "RSA-SHA256");
    EXPECT(r, GRADE_F, "key_below_1024");
    /* An ECDSA P-256 leaf is 3072 RSA-equivalent: no cap. */
    static const uint32_t ecdsa[] = {0xC02C, 0xC02B};
    modern(&r);
    set_leaf(&r, "EC", 256, "ECDSA-SHA256");
    set_suites(&r, TLSV_TLS12, ecdsa, N(ecdsa), true, 256, 0x0017);
    struct grade g;
    grade_target(&r, &g);
    ck_assert_int_eq(g.key_exchange, 90); /* P-256 ~ 3072: < 4096 */
    ck_assert_int_eq(g.letter, GRADE_A_PLUS);
    target_result_cleanup(&r);
}
END_TEST

/* ---- probe caps -------------------------------------------------------------- */

START_TEST(test_probe_caps)
{
    static const struct {
        const char *probe;
        const char *cap;
        enum grade_letter letter;
    } t[] = {
        {"heartbleed", "heartbleed", GRADE_F},
        {"ccs_injection", "ccs_injection", GRADE_F},
        {"ticketbleed", "ticketbleed", GRADE_F},
        {"robot", "robot", GRADE_F},
        {"drown_sslv2", "drown", GRADE_F},
        {"drown_shared_key", "drown", GRADE_F},
        {"client_renegotiation", "insecure_renegotiation", GRADE_F},
        {"compression", "crime", GRADE_B},
    };
    for (size_t i = 0; i < N(t); i++) {
        struct target_result r;
        modern(&r);
        add_probe(&r, t[i].probe, PR_POSITIVE);
        EXPECT(r, t[i].letter, t[i].cap);
        /* negative: no cap */
        modern(&r);
        add_probe(&r, t[i].probe, PR_NEGATIVE);
        EXPECT(r, GRADE_A_PLUS, NULL);
    }
}
END_TEST

/* ---- certificate caps: T, M ------------------------------------------------ */

START_TEST(test_trust_caps)
{
    struct target_result r;
    struct grade g;
    modern(&r);
    r.chain.trusted = false;
    snprintf(r.chain.verify_text, sizeof(r.chain.verify_text), "signer not found");
    grade_target(&r, &g);
    ck_assert_int_eq(g.letter, GRADE_T);
    ck_assert_int_eq(g.trust_ignored, GRADE_A_PLUS);
    ck_assert_str_eq(cap_of(&g, "not_trusted")->evidence, "RSA: signer not found");
    target_result_cleanup(&r);

    modern(&r);
    r.chain.trusted = false;
    r.chain.self_signed = true;
    r.certs[0].self_signed = true;
    EXPECT(r, GRADE_T, "self_signed");
    modern(&r);
    r.chain.expired = true;
    r.chain.min_days_left = -3;
    EXPECT(r, GRADE_T, "expired");
    modern(&r);
    r.chain.not_yet_valid = true;
    EXPECT(r, GRADE_T, "not_yet_valid");
    modern(&r);
    snprintf(r.chain.ocsp_status, sizeof(r.chain.ocsp_status), "revoked");
    EXPECT(r, GRADE_T, "revoked");
    modern(&r);
    set_leaf(&r, "RSA", 2048, "RSA-MD5");
    EXPECT(r, GRADE_T, "insecure_signature");
    /* A name mismatch is M, and wins over T; trust_ignored keeps the letter. */
    modern(&r);
    r.chain.hostname_match = false;
    r.chain.trusted = false;
    r.chain.expired = true;
    add_probe(&r, "compression", PR_POSITIVE);
    grade_target(&r, &g);
    ck_assert_int_eq(g.letter, GRADE_M);
    ck_assert_int_eq(g.trust_ignored, GRADE_B);
    ck_assert_ptr_nonnull(cap_of(&g, "name_mismatch"));
    ck_assert_ptr_nonnull(cap_of(&g, "expired"));
    target_result_cleanup(&r);
    /* No name to check (an IP without SNI): no M. */
    modern(&r);
    r.chain.hostname_checked = false;
    r.chain.hostname_match = false;
    EXPECT(r, GRADE_A_PLUS, NULL);
    /* A further deployment (ECDSA) that is expired: T; the chain served
     * without SNI, mismatching and untrusted: not graded (no M, no T). */
    modern(&r);
    r.deployments = calloc(2, sizeof(*r.deployments));
    ck_assert_ptr_nonnull(r.deployments);
    r.n_deployments = 2;
    for (size_t i = 0; i < 2; i++) {
        struct deployment *d = &r.deployments[i];
        deployment_init(d);
        snprintf(d->label, sizeof(d->label), "%s", i == 0 ? "no SNI" : "ECDSA");
        d->chain_header.state = FACT_COLLECTED;
        d->certs = calloc(1, sizeof(*d->certs));
        ck_assert_ptr_nonnull(d->certs);
        cert_fact_init(&d->certs[0]);
        d->n_certs = 1;
        snprintf(d->certs[0].key_type, sizeof(d->certs[0].key_type), "EC");
        d->certs[0].key_bits = 256;
        snprintf(d->certs[0].sig_alg, sizeof(d->certs[0].sig_alg), "RSA-SHA256");
        d->chain.hostname_checked = true;
        d->chain.hostname_match = i == 1;
        d->chain.trusted = i == 1;
        d->chain.expired = i == 1;
    }
    grade_target(&r, &g);
    ck_assert_int_eq(g.letter, GRADE_T);
    ck_assert_str_eq(cap_of(&g, "expired")->evidence, "ECDSA: 0 days left");
    ck_assert_ptr_null(cap_of(&g, "name_mismatch"));
    ck_assert_ptr_null(cap_of(&g, "not_trusted"));
    target_result_cleanup(&r);
    /* Incomplete, trusted only through AIA: B. */
    modern(&r);
    r.chain.trusted = false;
    r.chain.incomplete = true;
    r.chain.aia_completed = true;
    r.chain.aia_trusted = true;
    snprintf(r.chain.aia_detail, sizeof(r.chain.aia_detail), "fetched 1 issuer");
    EXPECT(r, GRADE_B, "chain_incomplete");
}
END_TEST

/* ---- A+ ----------------------------------------------------------------------- */

START_TEST(test_plus_caps)
{
    struct target_result r;
    modern(&r);
    r.http.hsts_present = false;
    r.http.hsts_valid = false;
    r.http.hsts_max_age = -1;
    EXPECT(r, GRADE_A, "plus_hsts");
    modern(&r);
    r.http.hsts_max_age = 86400;
    EXPECT(r, GRADE_A, "plus_hsts");
    modern(&r);
    r.http.hsts.state = FACT_NOT_COLLECTED;
    EXPECT(r, GRADE_A, "plus_hsts");
    modern(&r);
    r.probes.items[0].state = PR_POSITIVE; /* fallback_scsv: no SCSV */
    EXPECT(r, GRADE_A, "plus_fallback_scsv");
    modern(&r);
    r.probes.items[0].state = PR_NOT_RUN;
    EXPECT(r, GRADE_A, "plus_fallback_scsv");
    modern(&r);
    set_leaf(&r, "RSA", 2048, "RSA-SHA1");
    EXPECT(r, GRADE_A, "plus_sha1_chain");
    /* A capped grade stays at its cap: A- with a missing HSTS is A-. */
    static const uint32_t cbc[] = {0xC013};
    modern(&r);
    set_suites(&r, TLSV_TLS12, cbc, N(cbc), true, 256, 0x0017);
    r.http.hsts.state = FACT_NOT_COLLECTED;
    EXPECT(r, GRADE_A_MINUS, "no_aead_tls12");
}
END_TEST

START_TEST(test_starttls_no_blanket_cap)
{
    /* An SMTP server with no HTTP at all: HSTS is not asked of it. */
    struct target_result r;
    modern(&r);
    snprintf(r.starttls, sizeof(r.starttls), "smtp");
    r.port = 25;
    memset(&r.http, 0, sizeof(r.http));
    EXPECT(r, GRADE_A_PLUS, NULL);
    modern(&r);
    snprintf(r.starttls, sizeof(r.starttls), "imaps");
    r.port = 993;
    memset(&r.http, 0, sizeof(r.http));
    EXPECT(r, GRADE_A_PLUS, NULL);
}
END_TEST

/* ---- other fact sets ---------------------------------------------------------- */

START_TEST(test_handshakes_only)
{
    struct target_result r;
    modern(&r);
    enum_facts_cleanup(&r.enumeration); /* --no-enumerate */
    r.enumeration.header.state = FACT_NOT_COLLECTED;
    r.versions[TLSV_TLS12].state = PROBE_ACCEPTED;
    r.versions[TLSV_TLS12].suite = 0xC02F;
    snprintf(r.versions[TLSV_TLS12].group, sizeof(r.versions[TLSV_TLS12].group), "secp256r1");
    r.versions[TLSV_TLS10].state = PROBE_ACCEPTED;
    r.versions[TLSV_TLS10].suite = 0xC013;
    struct grade g;
    grade_target(&r, &g);
    ck_assert(!g.from_enumeration);
    ck_assert(strstr(g.note, "no enumeration") != NULL);
    ck_assert_int_eq(g.protocol, 95); /* (100 + 90) / 2 */
    ck_assert_int_eq(g.letter, GRADE_B);
    ck_assert_ptr_nonnull(cap_of(&g, "tls10_tls11"));
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_not_scanned)
{
    struct target_result r;
    modern(&r);
    r.status = TARGET_UNREACHABLE;
    struct grade g;
    grade_target(&r, &g);
    ck_assert(!g.graded);
    ck_assert_int_eq(g.letter, GRADE_NONE);
    ck_assert_str_eq(g.why_not, "not graded: target unreachable");
    target_result_cleanup(&r);
    /* The same facts, scanned, are graded the same twice (a pure function). */
    modern(&r);
    struct grade a, b;
    grade_target(&r, &a);
    grade_target(&r, &b);
    ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
    target_result_cleanup(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("grade");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_modern_a_plus);
    tcase_add_test(tc, test_scores_b_and_c);
    tcase_add_test(tc, test_zero_category);
    tcase_add_test(tc, test_kex_unknown);
    tcase_add_test(tc, test_thresholds);
    tcase_add_test(tc, test_protocol_caps);
    tcase_add_test(tc, test_rc4_caps);
    tcase_add_test(tc, test_block64_caps);
    tcase_add_test(tc, test_fs_aead_caps);
    tcase_add_test(tc, test_kex_caps);
    tcase_add_test(tc, test_probe_caps);
    tcase_add_test(tc, test_trust_caps);
    tcase_add_test(tc, test_plus_caps);
    tcase_add_test(tc, test_starttls_no_blanket_cap);
    tcase_add_test(tc, test_handshakes_only);
    tcase_add_test(tc, test_not_scanned);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
