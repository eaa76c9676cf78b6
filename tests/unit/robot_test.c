/*
 * tests/unit/robot_test.c - the connection-free parts of the ROBOT probe
 * (scanner/probes/robot_pkcs1.c, robot.h), the raw RSA public operation
 * (scanner/rsa_raw.c) and the certificate key reader
 * (scanner/gnutls/x509_rsa.c): every block's bytes for 1024-, 2048- and
 * 4096-bit moduli (and the size limits), the second flight's framing under
 * TLS and SSL 3.0, the reaction reader over hostile bytes (split at every
 * offset, garbage, odd alert sizes, floods of warnings), the verdict rules,
 * and a round trip: a block encrypted to a GnuTLS-made key with rsa_raw is
 * decrypted by GnuTLS's own PKCS#1 v1.5 code exactly as the variant says.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/model/registry.h"
#include "common/util.h"
#include "scanner/hello.h"
#include "scanner/probes/registry.h"
#include "scanner/probes/robot.h"
#include "scanner/rsa_raw.h"
#include "scanner/scan.h"
#include "scanner/x509.h"

static const size_t sizes[] = {128, 256, 512}; /* 1024, 2048, 4096 bits */

/* How many zero bytes out[from..k) holds, and where the first is. */
static size_t zeros(const uint8_t *out, size_t from, size_t k, size_t *first)
{
    size_t n = 0;
    *first = k;
    for (size_t i = from; i < k; i++) {
        if (out[i] == 0) {
            if (n++ == 0) {
                *first = i;
            }
        }
    }
    return n;
}

static void check_block(enum robot_variant v, size_t k, const uint8_t *rnd)
{
    uint8_t out[ROBOT_MAX_BLOCK + 1];
    memset(out, 0xee, sizeof(out));
    ck_assert_int_eq(robot_pkcs1_block(v, TLS_WIRE_TLS12, rnd, k, out), 0);
    ck_assert_uint_eq(out[k], 0xee); /* nothing past k bytes */
    size_t first = 0;
    size_t nz = zeros(out, 2, k, &first);
    size_t sep = k - 49; /* where the well-formed 00 sits */
    switch (v) {
    case ROBOT_WELL_FORMED:
    case ROBOT_WRONG_FIRST_BYTES:
    case ROBOT_WRONG_VERSION:
        ck_assert_uint_eq(out[0], v == ROBOT_WRONG_FIRST_BYTES ? 0x41 : 0x00);
        ck_assert_uint_eq(out[1], v == ROBOT_WRONG_FIRST_BYTES ? 0x17 : 0x02);
        ck_assert_uint_eq(nz, 1);
        ck_assert_uint_eq(first, sep);
        ck_assert_uint_eq(out[sep + 1], v == ROBOT_WRONG_VERSION ? 0x02 : 0x03);
        ck_assert_uint_eq(out[sep + 2], v == ROBOT_WRONG_VERSION ? 0x02 : 0x03);
        break;
    case ROBOT_WRONG_00_POSITION:
        ck_assert_uint_eq(out[0], 0x00);
        ck_assert_uint_eq(out[1], 0x02);
        ck_assert_uint_eq(nz, 1);
        ck_assert_uint_eq(first, k - 2);
        ck_assert_uint_eq(out[k - 1], 0x11);
        ck_assert_uint_eq(out[sep], 0x11);
        break;
    case ROBOT_NO_00:
        ck_assert_uint_eq(out[0], 0x00);
        ck_assert_uint_eq(out[1], 0x02);
        ck_assert_uint_eq(nz, 0);
        ck_assert_uint_eq(out[sep], 0x11);
        ck_assert_uint_eq(out[sep + 1], 0x11);
        ck_assert_uint_eq(out[sep + 2], 0x11);
        break;
    case ROBOT_N_VARIANTS:
        ck_abort();
    }
}

START_TEST(test_blocks)
{
    static uint8_t rnd[ROBOT_MAX_BLOCK];
    for (int pass = 0; pass < 3; pass++) {
        /* all zeros (every byte must become non-zero), all 0xff, a pattern with zeros */
        for (size_t i = 0; i < sizeof(rnd); i++) {
            rnd[i] = pass == 0 ? 0 : pass == 1 ? 0xff : (uint8_t)(i * 7);
        }
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            for (int v = 0; v < ROBOT_N_VARIANTS; v++) {
                check_block((enum robot_variant)v, sizes[s], rnd);
            }
        }
        check_block(ROBOT_WELL_FORMED, ROBOT_MIN_BLOCK, rnd);
        check_block(ROBOT_NO_00, ROBOT_MAX_BLOCK, rnd);
    }
    uint8_t out[ROBOT_MAX_BLOCK + 1];
    ck_assert_int_eq(robot_pkcs1_block(ROBOT_WELL_FORMED, 0x0303, rnd, ROBOT_MIN_BLOCK - 1, out),
                     -1);
    ck_assert_int_eq(robot_pkcs1_block(ROBOT_WELL_FORMED, 0x0303, rnd, ROBOT_MAX_BLOCK + 1, out),
                     -1);
    ck_assert_int_eq(robot_pkcs1_block(ROBOT_N_VARIANTS, 0x0303, rnd, 128, out), -1);
    ck_assert_int_eq(robot_pkcs1_block(ROBOT_WELL_FORMED, 0x0303, NULL, 128, out), -1);
    /* the premaster carries the hello's version */
    ck_assert_int_eq(robot_pkcs1_block(ROBOT_WELL_FORMED, 0x0301, rnd, 128, out), 0);
    ck_assert_uint_eq(out[128 - 48], 0x03);
    ck_assert_uint_eq(out[128 - 47], 0x01);
}
END_TEST

START_TEST(test_key_exchange_flight)
{
    uint8_t enc[256], filler[ROBOT_FINISHED_LEN], buf[1024];
    memset(enc, 0xab, sizeof(enc));
    memset(filler, 0xcd, sizeof(filler));
    struct wbuf w;
    wbuf_init_fixed(&w, buf, sizeof(buf));
    ck_assert(robot_build_key_exchange(TLS_WIRE_TLS12, true, enc, 256, filler, &w));
    const uint8_t *p = wbuf_data(&w);
    /* handshake record: Certificate (7 bytes) + ClientKeyExchange (4 + 2 + 256) */
    size_t hs = 7 + 4 + 2 + 256;
    static const uint8_t head[] = {22, 3, 3, 0, 0, 11, 0, 0, 3, 0, 0, 0, 16, 0, 1, 2, 1, 0};
    ck_assert_mem_eq(p, head, 3);
    ck_assert_uint_eq((size_t)(p[3] << 8 | p[4]), hs);
    ck_assert_mem_eq(p + 5, head + 5, sizeof(head) - 5);
    ck_assert_mem_eq(p + 5 + hs - 256, enc, 256);
    static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1, 22, 3, 3, 0, ROBOT_FINISHED_LEN};
    ck_assert_mem_eq(p + 5 + hs, ccs, sizeof(ccs));
    ck_assert_mem_eq(p + 5 + hs + sizeof(ccs), filler, ROBOT_FINISHED_LEN);
    ck_assert_uint_eq(wbuf_len(&w), 5 + hs + sizeof(ccs) + ROBOT_FINISHED_LEN);

    /* SSL 3.0: no empty Certificate, no length before the ciphertext */
    wbuf_init_fixed(&w, buf, sizeof(buf));
    ck_assert(robot_build_key_exchange(TLS_WIRE_SSL3, true, enc, 128, filler, &w));
    p = wbuf_data(&w);
    static const uint8_t ssl3[] = {22, 3, 0, 0, 4 + 128, 16, 0, 0, 128};
    ck_assert_mem_eq(p, ssl3, sizeof(ssl3));
    ck_assert_uint_eq(wbuf_len(&w), 5 + 4 + 128 + 6 + 5 + ROBOT_FINISHED_LEN);

    /* a buffer too small fails, never overruns */
    for (size_t cap = 0; cap < 5 + 4 + 2 + 256 + 6 + 5 + ROBOT_FINISHED_LEN; cap += 7) {
        wbuf_init_fixed(&w, buf, cap);
        ck_assert(!robot_build_key_exchange(TLS_WIRE_TLS12, false, enc, 256, filler, &w));
    }
}
END_TEST

/* Feeds the whole of in, cut into pieces of step bytes; the reaction. */
static struct robot_reaction feed(const uint8_t *in, size_t len, size_t step, bool *decided)
{
    struct robot_reader rd;
    robot_reader_init(&rd);
    *decided = false;
    for (size_t i = 0; i < len; i += step) {
        size_t n = len - i < step ? len - i : step;
        *decided = robot_reader_feed(&rd, in + i, n);
    }
    return rd.reaction;
}

START_TEST(test_reader)
{
    static const uint8_t fatal[] = {21, 3, 3, 0, 2, 2, 20};
    static const uint8_t warn_fatal[] = {21, 3, 1, 0, 2, 1, 0, 21, 3, 1, 0, 2, 2, 51, 0xff, 0xff};
    bool done = false;
    for (size_t step = 1; step <= sizeof(warn_fatal); step++) {
        struct robot_reaction a = feed(fatal, sizeof(fatal), step, &done);
        ck_assert(done);
        ck_assert_int_eq(a.end, ROBOT_END_FATAL);
        ck_assert_uint_eq(a.n_alerts, 1);
        ck_assert_uint_eq(a.alerts[0][1], 20);
        struct robot_reaction b = feed(warn_fatal, sizeof(warn_fatal), step, &done);
        ck_assert(done);
        ck_assert_int_eq(b.end, ROBOT_END_FATAL);
        ck_assert_uint_eq(b.n_alerts, 2);
        ck_assert_uint_eq(b.alerts[1][1], 51);
        ck_assert(!robot_reaction_same(&a, &b));
        /* truncated at every offset: never decided */
        for (size_t cut = 0; cut < sizeof(fatal); cut++) {
            feed(fatal, cut, step, &done);
            ck_assert(!done);
        }
    }
    /* warnings only, then the close */
    struct robot_reader rd;
    robot_reader_init(&rd);
    ck_assert(!robot_reader_feed(&rd, warn_fatal, 7));
    robot_reader_end(&rd, ROBOT_END_CLOSED);
    ck_assert_int_eq(rd.reaction.end, ROBOT_END_CLOSED);
    robot_reader_end(&rd, ROBOT_END_RESET); /* decided: stays */
    ck_assert_int_eq(rd.reaction.end, ROBOT_END_CLOSED);
    char text[128];
    robot_reaction_text(&rd.reaction, text, sizeof(text));
    ck_assert_str_eq(text, "warning alert close_notify(0), then closed");
    /* a flood of warnings stops at the cap */
    uint8_t flood[7 * 10];
    for (size_t i = 0; i < 10; i++) {
        memcpy(flood + 7 * i, warn_fatal, 7);
    }
    struct robot_reaction m = feed(flood, sizeof(flood), 3, &done);
    ck_assert(done);
    ck_assert_int_eq(m.end, ROBOT_END_MANY);
    ck_assert_uint_eq(m.n_alerts, ROBOT_MAX_ALERTS);
    /* garbage, an alert of the wrong size, another record type */
    static const uint8_t http[] = "HTTP/1.1 400 Bad Request\r\n";
    ck_assert_int_eq(feed(http, sizeof(http) - 1, 1, &done).end, ROBOT_END_GARBAGE);
    static const uint8_t long_alert[] = {21, 3, 3, 0, 3, 2, 20, 0};
    ck_assert_int_eq(feed(long_alert, sizeof(long_alert), 1, &done).end, ROBOT_END_GARBAGE);
    static const uint8_t empty_alert[] = {21, 3, 3, 0, 0};
    ck_assert_int_eq(feed(empty_alert, sizeof(empty_alert), 2, &done).end, ROBOT_END_GARBAGE);
    static const uint8_t hs[] = {22, 3, 3, 0xff, 0xff};
    struct robot_reaction r = feed(hs, sizeof(hs), 5, &done);
    ck_assert_int_eq(r.end, ROBOT_END_RECORD);
    ck_assert_uint_eq(r.record_type, 22);
    robot_reaction_text(&r, text, sizeof(text));
    ck_assert_str_eq(text, "record type 22");
    /* an odd level is no warning; names of unknown descriptions */
    static const uint8_t odd[] = {21, 3, 3, 0, 2, 7, 250};
    r = feed(odd, sizeof(odd), 1, &done);
    ck_assert_int_eq(r.end, ROBOT_END_FATAL);
    robot_reaction_text(&r, text, sizeof(text));
    ck_assert_str_eq(text, "odd-level alert unknown(250)");
    /* a tiny buffer truncates, NUL-terminated */
    robot_reaction_text(&m, text, 10);
    ck_assert_uint_eq(strlen(text), 9);
    robot_reader_init(&rd);
    ck_assert(!robot_reader_feed(&rd, NULL, 0));
}
END_TEST

static struct robot_reaction alert(uint8_t desc)
{
    struct robot_reaction a = {.end = ROBOT_END_FATAL, .n_alerts = 1};
    a.alerts[0][0] = 2;
    a.alerts[0][1] = desc;
    return a;
}

START_TEST(test_judge)
{
    struct robot_reaction r[2 * ROBOT_N_VARIANTS];
    for (int i = 0; i < 2 * ROBOT_N_VARIANTS; i++) {
        r[i] = alert(20);
    }
    ck_assert_int_eq(robot_judge(r, 1), ROBOT_V_NOT_VULNERABLE);
    ck_assert_int_eq(robot_judge(r, 0), ROBOT_V_MORE);
    struct robot_reaction t = {.end = ROBOT_END_TIMEOUT};
    struct robot_reaction all_t[ROBOT_N_VARIANTS] = {t, t, t, t, t};
    ck_assert_int_eq(robot_judge(all_t, 1), ROBOT_V_NO_ANSWER);
    /* the strong oracle: 41 17 and no-00 get 51, the misplaced 00 20 */
    for (int round = 0; round < 2; round++) {
        r[round * ROBOT_N_VARIANTS + ROBOT_WRONG_FIRST_BYTES] = alert(51);
        r[round * ROBOT_N_VARIANTS + ROBOT_NO_00] = alert(51);
    }
    ck_assert_int_eq(robot_judge(r, 1), ROBOT_V_MORE);
    ck_assert_int_eq(robot_judge(r, 2), ROBOT_V_STRONG);
    /* weak: the misplaced 00 too */
    for (int round = 0; round < 2; round++) {
        r[round * ROBOT_N_VARIANTS + ROBOT_WRONG_00_POSITION] = alert(51);
    }
    ck_assert_int_eq(robot_judge(r, 2), ROBOT_V_WEAK);
    /* a close instead of an alert is a reaction of its own */
    r[ROBOT_WELL_FORMED] = (struct robot_reaction){.end = ROBOT_END_CLOSED};
    r[ROBOT_N_VARIANTS + ROBOT_WELL_FORMED] = r[ROBOT_WELL_FORMED];
    ck_assert_int_eq(robot_judge(r, 2), ROBOT_V_WEAK);
    /* noise: one block answered differently the second time */
    r[ROBOT_N_VARIANTS + ROBOT_WRONG_VERSION] = alert(40);
    ck_assert_int_eq(robot_judge(r, 2), ROBOT_V_INCONSISTENT);
}
END_TEST

START_TEST(test_rsa_raw)
{
    /* n = 61 * 53 = 3233, e = 17: 65^17 mod 3233 = 2790 (the textbook example) */
    static const uint8_t n[] = {0x0c, 0xa1}, e[] = {17}, m[] = {0x00, 0x41};
    uint8_t c[2];
    ck_assert_int_eq(rsa_raw_public(n, 2, e, 1, m, 2, c, 2), 0);
    ck_assert_uint_eq((unsigned)(c[0] << 8 | c[1]), 2790);
    /* m >= n is reduced: (3233 + 65) gives the same */
    static const uint8_t big[] = {0x0c, 0xe2};
    ck_assert_int_eq(rsa_raw_public(n, 2, e, 1, big, 2, c, 2), 0);
    ck_assert_uint_eq((unsigned)(c[0] << 8 | c[1]), 2790);
    /* a result with a leading zero byte is padded: 0^e = 0 */
    static const uint8_t zero[] = {0, 0};
    ck_assert_int_eq(rsa_raw_public(n, 2, e, 1, zero, 2, c, 2), 0);
    ck_assert_uint_eq(c[0] | c[1], 0);
    static const uint8_t even[] = {0x0c, 0xa2}, one[] = {0x00, 0x01};
    ck_assert_int_eq(rsa_raw_public(even, 2, e, 1, m, 2, c, 2), -1);
    ck_assert_int_eq(rsa_raw_public(one, 2, e, 1, m, 2, c, 2), -1);
    ck_assert_int_eq(rsa_raw_public(n, 2, e, 1, m, 1, c, 2), -1);
    ck_assert_int_eq(rsa_raw_public(n, 2, e, 1, m, 2, c, 1), -1);
    ck_assert_int_eq(rsa_raw_public(n, 2, e, 0, m, 2, c, 2), -1);
}
END_TEST

/* A self-signed certificate of a new key of pk/bits: its DER (caller
 * frees with gnutls_free) and the key. */
static gnutls_x509_privkey_t make_cert(gnutls_pk_algorithm_t pk, unsigned bits, gnutls_datum_t *der)
{
    gnutls_x509_privkey_t key;
    gnutls_x509_crt_t crt;
    ck_assert_int_eq(gnutls_x509_privkey_init(&key), 0);
    ck_assert_int_eq(gnutls_x509_privkey_generate(key, pk, bits, 0), 0);
    ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
    ck_assert_int_eq(gnutls_x509_crt_set_key(crt, key), 0);
    ck_assert_int_eq(gnutls_x509_crt_set_version(crt, 3), 0);
    static const unsigned char serial[] = {1};
    ck_assert_int_eq(gnutls_x509_crt_set_serial(crt, serial, 1), 0);
    ck_assert_int_eq(gnutls_x509_crt_set_activation_time(crt, 1700000000), 0);
    ck_assert_int_eq(gnutls_x509_crt_set_expiration_time(crt, 1900000000), 0);
    ck_assert_int_eq(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "robot", 5),
                     0);
    ck_assert_int_eq(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), 0);
    ck_assert_int_eq(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, der), 0);
    gnutls_x509_crt_deinit(crt);
    return key;
}

START_TEST(test_round_trip)
{
    gnutls_datum_t der = {NULL, 0};
    gnutls_x509_privkey_t xkey = make_cert(GNUTLS_PK_RSA, 1024, &der);
    struct x509_rsa_key *key = malloc(sizeof(*key));
    ck_assert_ptr_nonnull(key);
    char why[256];
    ck_assert_int_eq(x509_rsa_public_key(der.data, der.size, key, why, sizeof(why)), 0);
    ck_assert_uint_eq(key->bits, 1024);
    ck_assert_uint_eq(key->n_len, 128);
    ck_assert_uint_eq(key->e_len, 3); /* 65537 */

    gnutls_privkey_t priv;
    ck_assert_int_eq(gnutls_privkey_init(&priv), 0);
    ck_assert_int_eq(gnutls_privkey_import_x509(priv, xkey, 0), 0);
    uint8_t rnd[128], block[128], enc[128];
    for (size_t i = 0; i < sizeof(rnd); i++) {
        rnd[i] = (uint8_t)(i * 13 + 1);
    }
    for (int v = 0; v < ROBOT_N_VARIANTS; v++) {
        ck_assert_int_eq(robot_pkcs1_block((enum robot_variant)v, TLS_WIRE_TLS12, rnd, 128, block),
                         0);
        ck_assert_int_eq(
            rsa_raw_public(key->n, key->n_len, key->e, key->e_len, block, 128, enc, 128), 0);
        gnutls_datum_t c = {enc, 128};
        gnutls_datum_t plain = {NULL, 0};
        int r = gnutls_privkey_decrypt_data(priv, 0, &c, &plain);
        /* GnuTLS's PKCS#1 v1.5 decoding: the 00 02 blocks with a 00 decode
         * (48 bytes with the version, 48 with 02 02, 1 byte when the 00 is
         * misplaced), the others do not. */
        switch (v) {
        case ROBOT_WELL_FORMED:
        case ROBOT_WRONG_VERSION:
            ck_assert_int_eq(r, 0);
            ck_assert_uint_eq(plain.size, 48);
            ck_assert_uint_eq(plain.data[0], v == ROBOT_WELL_FORMED ? 3 : 2);
            ck_assert_uint_eq(plain.data[1], v == ROBOT_WELL_FORMED ? 3 : 2);
            break;
        case ROBOT_WRONG_00_POSITION:
            ck_assert_int_eq(r, 0);
            ck_assert_uint_eq(plain.size, 1);
            ck_assert_uint_eq(plain.data[0], 0x11);
            break;
        default:
            ck_assert_int_lt(r, 0);
            break;
        }
        gnutls_free(plain.data);
    }
    gnutls_privkey_deinit(priv);
    gnutls_x509_privkey_deinit(xkey);
    gnutls_free(der.data);

    /* hostile and non-RSA certificates */
    ck_assert_int_eq(x509_rsa_public_key(NULL, 0, key, why, sizeof(why)), -1);
    static const unsigned char junk[] = {0x30, 0x82, 0xff, 0xff, 0x01};
    ck_assert_int_eq(x509_rsa_public_key(junk, sizeof(junk), key, why, sizeof(why)), -1);
    ck_assert_ptr_nonnull(strstr(why, "does not parse"));
    unsigned char *huge = calloc(1, X509_RSA_MAX_CERT + 1);
    ck_assert_ptr_nonnull(huge);
    ck_assert_int_eq(x509_rsa_public_key(huge, X509_RSA_MAX_CERT + 1, key, why, sizeof(why)), -1);
    free(huge);
    xkey = make_cert(GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), &der);
    ck_assert_int_eq(x509_rsa_public_key(der.data, der.size, key, why, sizeof(why)), -1);
    ck_assert_ptr_nonnull(strstr(why, "not RSA"));
    gnutls_x509_privkey_deinit(xkey);
    gnutls_free(der.data);
    free(key);
}
END_TEST

/* The default table's row: after the enumeration on the loop track, its
 * needs, flags and unmet state as issue 13 asks. */
START_TEST(test_table_row)
{
    const struct probe_def *row = NULL;
    bool enum_before = false;
    for (size_t i = 0; i < probe_table_default.n_defs; i++) {
        const struct probe_def *d = &probe_table_default.defs[i];
        if (strcmp(d->id, "enumeration") == 0) {
            enum_before = true;
        }
        if (strcmp(d->id, "robot") == 0) {
            ck_assert(enum_before);
            row = d;
        }
    }
    ck_assert_ptr_nonnull(row);
    ck_assert_int_eq(row->track, PROBE_TRACK_LOOP);
    ck_assert_uint_eq(row->needs, NEED_ENUMERATION | NEED_RSA_KX);
    ck_assert_int_eq(row->unmet_state, PR_NOT_APPLICABLE);
    /* ROBOT's RSA key is the certificate's the SNI picks: reused per SNI only */
    ck_assert_uint_eq(row->flags, PROBE_VULN | PROBE_INTRUSIVE | PROBE_REUSE_SNI);
    ck_assert_ptr_nonnull(row->start);
    char why[256];
    ck_assert_int_eq(probe_table_check(&probe_table_default, why, sizeof(why)), 0);
}
END_TEST

static enum probe_step run_never(struct probe_ctx *c)
{
    (void)c;
    ck_abort_msg("a row whose needs are unmet ran");
    return PROBE_NEXT;
}

/* A row like robot's with unmet needs: not-applicable without an RSA
 * suite, but could-not-test when the enumeration's facts are missing
 * (nothing is known: not-applicable would pass a policy). */
START_TEST(test_unmet_states)
{
    static const struct probe_def defs[] = {{.id = "like_robot",
                                             .track = PROBE_TRACK_DERIVED,
                                             .needs = NEED_ENUMERATION | NEED_RSA_KX,
                                             .unmet_state = PR_NOT_APPLICABLE,
                                             .run = run_never}};
    static const struct probe_table t = {defs, 1};
    struct scan_options o = {.timeout_ms = 1000};
    for (int collected = 0; collected < 2; collected++) {
        struct target_result r;
        target_result_init(&r);
        fact_mark(&r.enumeration.header, collected == 1);
        struct probe_ctx c;
        probe_ctx_init(&c, NULL, NULL, &o, &r, 0);
        probe_track_run(&t, PROBE_TRACK_DERIVED, &c);
        ck_assert_uint_eq(r.probes.n_items, 1);
        ck_assert_int_eq(r.probes.items[0].state,
                         collected == 1 ? PR_NOT_APPLICABLE : PR_COULD_NOT_TEST);
        ck_assert_str_eq(r.probes.items[0].detail, collected == 1
                                                       ? "no RSA key-exchange suite accepted"
                                                       : "the enumeration did not run");
        probe_ctx_cleanup(&c);
        target_result_cleanup(&r);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("robot");
    TCase *tc = tcase_create("robot");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_blocks);
    tcase_add_test(tc, test_key_exchange_flight);
    tcase_add_test(tc, test_reader);
    tcase_add_test(tc, test_judge);
    tcase_add_test(tc, test_rsa_raw);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_table_row);
    tcase_add_test(tc, test_unmet_states);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
