/*
 * tests/unit/vulns_kex_test.c - the checks over the key-exchange values by
 * hash: the table of well-known DH primes (scanner/probes/dh_primes.c,
 * generated from data/dh-primes.tsv) against primes GnuTLS ships (an
 * independent source: gnutls_ffdhe_*_group_prime), Logjam's verdicts on a
 * well-known 1024-bit prime, a well-known 2048-bit one and an unknown one,
 * and key reuse (scanner/probes/vulns_kex.c): DHE reuse positive, ECDHE
 * reuse info, distinct values negative, too few samples could-not-test;
 * and kex_list_add's merging and cap (common/model/kex.c).
 */
#include <check.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/model/probe_result.h"
#include "scanner/probes/dh_primes.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

static void sha256_hex(const gnutls_datum_t *d, char out[65])
{
    unsigned char h[32];
    ck_assert_int_eq(gnutls_hash_fast(GNUTLS_DIG_SHA256, d->data, d->size, h), 0);
    for (int i = 0; i < 32; i++) {
        snprintf(out + 2 * i, 3, "%02x", h[i]);
    }
}

START_TEST(test_table_matches_gnutls)
{
    const struct {
        const gnutls_datum_t *p;
        const char *name;
        unsigned bits;
    } want[] = {
        {&gnutls_ffdhe_2048_group_prime, "ffdhe2048", 2048},
        {&gnutls_ffdhe_3072_group_prime, "ffdhe3072", 3072},
        {&gnutls_ffdhe_4096_group_prime, "ffdhe4096", 4096},
        {&gnutls_ffdhe_6144_group_prime, "ffdhe6144", 6144},
        {&gnutls_ffdhe_8192_group_prime, "ffdhe8192", 8192},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        char h[65];
        sha256_hex(want[i].p, h);
        const struct dh_known_prime *k = dh_known_prime_find(h);
        ck_assert_msg(k != NULL, "%s not in the table", want[i].name);
        ck_assert_str_eq(k->name, want[i].name);
        ck_assert_uint_eq(k->bits, want[i].bits);
    }
    ck_assert_ptr_null(dh_known_prime_find(""));
    ck_assert_ptr_null(dh_known_prime_find(NULL));
    ck_assert_ptr_null(
        dh_known_prime_find("0000000000000000000000000000000000000000000000000000000000000000"));
    /* Every row: a 64-digit hash, a size, a source; no hash twice. */
    ck_assert_uint_ge(dh_known_primes_count, 16);
    for (size_t i = 0; i < dh_known_primes_count; i++) {
        ck_assert_uint_eq(strlen(dh_known_primes[i].sha256), 64);
        ck_assert_uint_ge(dh_known_primes[i].bits, 768);
        ck_assert_ptr_eq(dh_known_prime_find(dh_known_primes[i].sha256), &dh_known_primes[i]);
    }
    const struct dh_known_prime *o2 = NULL;
    for (size_t i = 0; i < dh_known_primes_count; i++) {
        if (strcmp(dh_known_primes[i].name, "rfc2409-oakley2") == 0) {
            o2 = &dh_known_primes[i];
        }
    }
    ck_assert_ptr_nonnull(o2);
    ck_assert_uint_eq(o2->bits, 1024);
}
END_TEST

/* A target whose enumeration ran: TLS 1.2 accepted with one DHE suite (a
 * bits-sized prime), every other version refused. */
static void fx_init(struct target_result *r, int bits)
{
    target_result_init(r);
    fact_mark(&r->enumeration.header, true);
    fact_mark(&r->enumeration.kex.header, true);
    for (int v = 0; v < TLSV_COUNT; v++) {
        r->enumeration.versions[v].state = PROBE_REFUSED;
    }
    struct enum_version_fact *vf = &r->enumeration.versions[TLSV_TLS12];
    vf->state = PROBE_ACCEPTED;
    vf->suites = calloc(1, sizeof(*vf->suites));
    ck_assert_ptr_nonnull(vf->suites);
    vf->n_suites = 1;
    vf->suites[0].code = 0x009E; /* TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 */
    vf->suites[0].kx_bits = bits;
    vf->suites[0].server_rank = -1;
}

static void fx_kex(struct target_result *r, enum kex_kind kind, enum tls_version v,
                   const char *sha256, unsigned bits, unsigned n)
{
    struct kex_value k = {.kind = kind, .version = v, .suite = 0x009E, .bits = bits};
    snprintf(k.sha256, sizeof(k.sha256), "%s", sha256);
    for (unsigned i = 0; i < n; i++) {
        ck_assert_int_eq(kex_list_add(&r->enumeration.kex, &k), 0);
    }
}

/* A fake hash: 64 times c. */
static const char *fake(char c)
{
    static char buf[4][65];
    static int next;
    char *b = buf[next++ % 4];
    memset(b, c, 64);
    b[64] = '\0';
    return b;
}

static const struct probe_result *run_row(struct target_result *r, const char *id)
{
    struct scan_options o;
    memset(&o, 0, sizeof(o));
    struct probe_ctx c;
    probe_ctx_init(&c, NULL, NULL, &o, r, 0);
    probe_track_run(&probe_table_default, PROBE_TRACK_DERIVED, &c);
    for (size_t i = 0; i < r->probes.n_items; i++) {
        if (strcmp(r->probes.items[i].id, id) == 0) {
            return &r->probes.items[i];
        }
    }
    ck_abort_msg("no %s row", id);
    return NULL;
}

static const char *known_hash(const char *name)
{
    for (size_t i = 0; i < dh_known_primes_count; i++) {
        if (strcmp(dh_known_primes[i].name, name) == 0) {
            return dh_known_primes[i].sha256;
        }
    }
    ck_abort_msg("%s not in the table", name);
    return NULL;
}

START_TEST(test_logjam_known_primes)
{
    struct target_result r;
    /* The common 1024-bit prime: positive, named. */
    fx_init(&r, 1024);
    fx_kex(&r, KEX_DH_PRIME, TLSV_TLS12, known_hash("rfc2409-oakley2"), 1024, 3);
    const struct probe_result *p = run_row(&r, "logjam");
    ck_assert_int_eq(p->state, PR_POSITIVE);
    ck_assert_ptr_nonnull(strstr(p->detail, "RFC 2409 Oakley group 2"));
    ck_assert_ptr_nonnull(strstr(p->evidence, "rfc2409-oakley2 (1024 bits"));
    ck_assert_ptr_nonnull(strstr(p->evidence, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"));
    target_result_cleanup(&r);

    /* A well-known 2048-bit prime: negative (a policy passes it), then an
     * info row naming the group. */
    fx_init(&r, 2048);
    fx_kex(&r, KEX_DH_PRIME, TLSV_TLS12, known_hash("ffdhe2048"), 2048, 1);
    p = run_row(&r, "logjam");
    ck_assert_int_eq(p->state, PR_NEGATIVE);
    ck_assert_ptr_nonnull(strstr(p->detail, "1 distinct primes compared"));
    ck_assert(strcmp(p[1].id, "logjam") == 0);
    ck_assert_int_eq(p[1].state, PR_INFO);
    ck_assert_ptr_nonnull(strstr(p[1].detail, "well-known prime (RFC 7919 ffdhe2048)"));
    ck_assert_ptr_nonnull(strstr(p[1].evidence, "ffdhe2048 (2048 bits"));
    target_result_cleanup(&r);

    /* An unknown 1024-bit prime: negative, with the count compared. */
    fx_init(&r, 1024);
    fx_kex(&r, KEX_DH_PRIME, TLSV_TLS12, fake('e'), 1024, 1);
    p = run_row(&r, "logjam");
    ck_assert_int_eq(p->state, PR_NEGATIVE);
    ck_assert_ptr_nonnull(strstr(p->detail, "1 distinct primes compared"));
    target_result_cleanup(&r);

    /* A prime under 1024 bits stays positive, the known one named too. */
    fx_init(&r, 768);
    fx_kex(&r, KEX_DH_PRIME, TLSV_TLS12, known_hash("rfc2409-oakley1"), 768, 1);
    p = run_row(&r, "logjam");
    ck_assert_int_eq(p->state, PR_POSITIVE);
    ck_assert_ptr_nonnull(strstr(p->evidence, "rfc2409-oakley1"));
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_key_reuse)
{
    struct target_result r;
    /* The same DHE public value twice under TLS 1.2: Raccoon's precondition. */
    fx_init(&r, 2048);
    fx_kex(&r, KEX_DH_PUBLIC, TLSV_TLS12, fake('1'), 0, 2);
    fx_kex(&r, KEX_DH_PUBLIC, TLSV_TLS12, fake('2'), 0, 1);
    const struct probe_result *p = run_row(&r, "key_reuse");
    ck_assert_int_eq(p->state, PR_POSITIVE);
    ck_assert_ptr_nonnull(strstr(p->detail, "CVE-2020-1968"));
    ck_assert_ptr_nonnull(strstr(p->detail, "1 reused of 3 DHE handshakes"));
    ck_assert_ptr_nonnull(strstr(p->evidence, "dh_public TLS 1.2"));
    ck_assert_ptr_nonnull(strstr(p->evidence, "1111111111111111... in 2 handshakes"));
    target_result_cleanup(&r);

    /* ECDHE reuse only: Raccoon negative, then info (not Raccoon). */
    fx_init(&r, 2048);
    fx_kex(&r, KEX_ECDH_PUBLIC, TLSV_TLS12, fake('3'), 0, 5);
    fx_kex(&r, KEX_DH_PUBLIC, TLSV_TLS12, fake('4'), 0, 1);
    fx_kex(&r, KEX_DH_PUBLIC, TLSV_TLS12, fake('5'), 0, 1);
    p = run_row(&r, "key_reuse");
    ck_assert_int_eq(p->state, PR_NEGATIVE);
    ck_assert_ptr_nonnull(strstr(p->detail, "no DHE public value reused: 2 DHE handshakes"));
    ck_assert(strcmp(p[1].id, "key_reuse") == 0);
    ck_assert_int_eq(p[1].state, PR_INFO);
    ck_assert_ptr_nonnull(strstr(p[1].detail, "ECDHE public value"));
    ck_assert_ptr_nonnull(strstr(p[1].detail, "not Raccoon"));
    ck_assert_ptr_nonnull(strstr(p[1].evidence, "ecdh_public TLS 1.2"));
    target_result_cleanup(&r);

    /* A TLS 1.3 FFDHE key share reused: info (Raccoon needs TLS <= 1.2). */
    fx_init(&r, 2048);
    fx_kex(&r, KEX_DH_PUBLIC, TLSV_TLS13, fake('6'), 0, 2);
    p = run_row(&r, "key_reuse");
    ck_assert_int_eq(p->state, PR_NEGATIVE);
    ck_assert_int_eq(p[1].state, PR_INFO);
    ck_assert_ptr_nonnull(strstr(p[1].detail, "TLS 1.3 DHE"));
    target_result_cleanup(&r);

    /* ECDHE only, distinct: negative, no DHE. */
    fx_init(&r, 2048);
    fx_kex(&r, KEX_ECDH_PUBLIC, TLSV_TLS12, fake('b'), 0, 1);
    fx_kex(&r, KEX_ECDH_PUBLIC, TLSV_TLS13, fake('c'), 0, 1);
    p = run_row(&r, "key_reuse");
    ck_assert_int_eq(p->state, PR_NEGATIVE);
    ck_assert_ptr_nonnull(strstr(p->detail, "Raccoon does not arise"));
    ck_assert_ptr_nonnull(strstr(p->detail, "every value distinct"));
    target_result_cleanup(&r);

    /* Distinct values: negative; the primes (same one every time) do not count. */
    fx_init(&r, 2048);
    fx_kex(&r, KEX_DH_PRIME, TLSV_TLS12, known_hash("ffdhe2048"), 2048, 9);
    fx_kex(&r, KEX_DH_PUBLIC, TLSV_TLS12, fake('7'), 0, 1);
    fx_kex(&r, KEX_DH_PUBLIC, TLSV_TLS12, fake('8'), 0, 1);
    p = run_row(&r, "key_reuse");
    ck_assert_int_eq(p->state, PR_NEGATIVE);
    ck_assert_ptr_nonnull(strstr(p->detail, "2 DHE handshakes, 0 ECDHE handshakes (too few"));
    ck_assert(p + 1 == r.probes.items + r.probes.n_items || strcmp(p[1].id, "key_reuse") != 0);
    target_result_cleanup(&r);

    /* One sample of each: could not test. */
    fx_init(&r, 2048);
    fx_kex(&r, KEX_DH_PUBLIC, TLSV_TLS12, fake('9'), 0, 1);
    fx_kex(&r, KEX_ECDH_PUBLIC, TLSV_TLS12, fake('a'), 0, 1);
    p = run_row(&r, "key_reuse");
    ck_assert_int_eq(p->state, PR_COULD_NOT_TEST);
    ck_assert_ptr_nonnull(strstr(p->detail, "fewer than two DHE handshakes (1; 1 ECDHE)"));
    target_result_cleanup(&r);

    /* Not collected: could not test, saying so. */
    fx_init(&r, 2048);
    fact_mark(&r.enumeration.kex.header, false);
    p = run_row(&r, "key_reuse");
    ck_assert_int_eq(p->state, PR_COULD_NOT_TEST);
    ck_assert_str_eq(p->detail, "the key-exchange values were not collected");
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_kex_list_merge_and_cap)
{
    struct kex_list l;
    memset(&l, 0, sizeof(l));
    struct kex_value v = {.kind = KEX_DH_PUBLIC, .n_seen = 99};
    memset(v.sha256, 'f', 64);
    ck_assert_int_eq(kex_list_add(&l, &v), 0);
    ck_assert_int_eq(kex_list_add(&l, &v), 0);
    ck_assert_uint_eq(l.n_items, 1);
    ck_assert_uint_eq(l.items[0].n_seen, 2);
    v.kind = KEX_ECDH_PUBLIC; /* same hash, another kind: another item */
    ck_assert_int_eq(kex_list_add(&l, &v), 0);
    ck_assert_uint_eq(l.n_items, 2);
    for (unsigned i = 0; l.n_items < KEX_VALUES_MAX; i++) {
        snprintf(v.sha256, sizeof(v.sha256), "%064x", i);
        ck_assert_int_eq(kex_list_add(&l, &v), 0);
    }
    snprintf(v.sha256, sizeof(v.sha256), "%064x", 0xfffffu);
    ck_assert_int_eq(kex_list_add(&l, &v), -1);
    ck_assert_uint_eq(l.n_items, KEX_VALUES_MAX);
    ck_assert_uint_eq(l.n_dropped, 1);
    snprintf(v.sha256, sizeof(v.sha256), "%064x", 0u); /* present: still counted */
    ck_assert_int_eq(kex_list_add(&l, &v), 0);
    ck_assert_ptr_nonnull(kex_list_find(&l, KEX_ECDH_PUBLIC, v.sha256));
    kex_list_cleanup(&l);
    ck_assert_uint_eq(l.n_items, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vulns_kex");
    TCase *tc = tcase_create("kex");
    tcase_add_test(tc, test_table_matches_gnutls);
    tcase_add_test(tc, test_logjam_known_primes);
    tcase_add_test(tc, test_key_reuse);
    tcase_add_test(tc, test_kex_list_merge_and_cap);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
