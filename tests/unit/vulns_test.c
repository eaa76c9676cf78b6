/*
 * tests/unit/vulns_test.c - the derived vulnerability probes
 * (scanner/probes/vulns_derived.c) over hand-built target_results, run
 * through the default table's derived track: each check's positive (with
 * the suites as evidence), negative (every relevant version decided) and
 * could-not-test (a version inconclusive, suites incomplete, the
 * enumeration not run) paths.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/model/probe_result.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

static const char *const all_ids[] = {"poodle", "beast",     "sweet32", "freak",       "logjam",
                                      "rc4",    "null_anon", "lucky13", "drown_sslv2", "key_reuse"};
#define N_IDS (sizeof(all_ids) / sizeof(all_ids[0]))

/* One key-exchange value of kind whose hash is 64 times c, seen n times. */
static void fx_kex(struct target_result *r, enum kex_kind kind, char c, unsigned n)
{
    struct kex_value v = {.kind = kind, .version = TLSV_TLS12, .suite = 0xC02F};
    memset(v.sha256, c, 64);
    for (unsigned i = 0; i < n; i++) {
        ck_assert_int_eq(kex_list_add(&r->enumeration.kex, &v), 0);
    }
}

/* A target whose enumeration ran and refused every version; its two ECDHE
 * handshakes had distinct public values. */
static void fx_init(struct target_result *r)
{
    target_result_init(r);
    fact_mark(&r->enumeration.header, true);
    fact_mark(&r->enumeration.kex.header, true);
    fx_kex(r, KEX_ECDH_PUBLIC, 'a', 1);
    fx_kex(r, KEX_ECDH_PUBLIC, 'b', 1);
    for (int v = 0; v < TLSV_COUNT; v++) {
        r->enumeration.versions[v].state = PROBE_REFUSED;
    }
}

/* Version v accepted with codes (server order when server), each with kx_bits. */
static void fx_accept(struct target_result *r, enum tls_version v, const uint32_t *codes, size_t n,
                      bool server, int kx_bits)
{
    struct enum_version_fact *vf = &r->enumeration.versions[v];
    vf->state = PROBE_ACCEPTED;
    vf->order = server ? ORDER_SERVER : ORDER_UNKNOWN;
    vf->suites = calloc(n, sizeof(*vf->suites));
    ck_assert_ptr_nonnull(vf->suites);
    vf->n_suites = n;
    for (size_t i = 0; i < n; i++) {
        vf->suites[i].code = codes[i];
        vf->suites[i].server_rank = server ? (int)i : -1;
        vf->suites[i].kx_bits = kx_bits;
    }
}

static void fx_run(struct target_result *r)
{
    struct scan_options o;
    memset(&o, 0, sizeof(o));
    struct probe_ctx c;
    probe_ctx_init(&c, NULL, NULL, &o, r, 0);
    probe_track_run(&probe_table_default, PROBE_TRACK_DERIVED, &c);
}

static const struct probe_result *row(const struct target_result *r, const char *id)
{
    const struct probe_result *found = NULL;
    for (size_t i = 0; i < r->probes.n_items; i++) {
        if (strcmp(r->probes.items[i].id, id) == 0) {
            ck_assert_msg(found == NULL, "two rows for %s", id);
            found = &r->probes.items[i];
        }
    }
    ck_assert_msg(found != NULL, "no row for %s", id);
    return found;
}

static void want(const struct target_result *r, const char *id, enum probe_result_state st)
{
    const struct probe_result *p = row(r, id);
    ck_assert_msg(p->state == st, "%s: want %s, got %s (%s)", id, probe_result_state_name(st),
                  probe_result_state_name(p->state), p->detail);
}

static void want_evidence(const struct target_result *r, const char *id, const char *part)
{
    const struct probe_result *p = row(r, id);
    ck_assert_msg(p->evidence != NULL && strstr(p->evidence, part) != NULL,
                  "%s: evidence '%s' lacks '%s'", id, p->evidence ? p->evidence : "(none)", part);
}

START_TEST(test_modern_all_negative)
{
    struct target_result r;
    fx_init(&r);
    static const uint32_t t12[] = {0xC02F, 0xC030}, t13[] = {0x1301, 0x1302};
    fx_accept(&r, TLSV_TLS12, t12, 2, true, 256);
    fx_accept(&r, TLSV_TLS13, t13, 2, true, 256);
    fx_run(&r);
    ck_assert_uint_eq(r.probes.n_items, N_IDS);
    ck_assert_int_eq(r.probes.header.state, FACT_COLLECTED);
    for (size_t i = 0; i < N_IDS; i++) {
        want(&r, all_ids[i], PR_NEGATIVE);
        ck_assert_ptr_null(row(&r, all_ids[i])->evidence);
    }
    ck_assert_int_eq(row(&r, "poodle")->version, TLSV_SSL3);
    ck_assert_int_eq(row(&r, "beast")->version, TLSV_TLS10);
    ck_assert_int_eq(row(&r, "drown_sslv2")->version, TLSV_SSL2);
    ck_assert_int_eq(row(&r, "rc4")->version, PROBE_NO_VERSION);
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_legacy_all_positive)
{
    struct target_result r;
    fx_init(&r);
    /* SSLv2 RC4-MD5; SSL 3.0 3DES-CBC and RC4; TLS 1.0 RC4 first, AES-CBC,
     * RSA EXPORT, DHE EXPORT, DH_anon; TLS 1.2 NULL-SHA. */
    static const uint32_t s2[] = {0x010080}, s3[] = {0x000A, 0x0005};
    static const uint32_t t10[] = {0x0005, 0x002F, 0x0003, 0x0014, 0x0018}, t12[] = {0x0002};
    fx_accept(&r, TLSV_SSL2, s2, 1, false, 0);
    fx_accept(&r, TLSV_SSL3, s3, 2, false, 0);
    fx_accept(&r, TLSV_TLS10, t10, 5, true, 2048);
    fx_accept(&r, TLSV_TLS12, t12, 1, false, 0);
    fx_kex(&r, KEX_DH_PUBLIC, 'c', 2); /* the same DHE public value twice */
    fx_run(&r);
    for (size_t i = 0; i < N_IDS; i++) {
        want(&r, all_ids[i], strcmp(all_ids[i], "lucky13") == 0 ? PR_INFO : PR_POSITIVE);
    }
    want_evidence(&r, "poodle", "SSL 3.0: TLS_RSA_WITH_3DES_EDE_CBC_SHA");
    ck_assert_ptr_null(strstr(row(&r, "poodle")->evidence, "RC4"));
    ck_assert_ptr_nonnull(strstr(row(&r, "poodle")->detail, "CVE-2014-3566"));
    want_evidence(&r, "beast", "TLS 1.0: TLS_RSA_WITH_AES_128_CBC_SHA");
    want_evidence(&r, "beast", "first choice under TLS 1.0 is TLS_RSA_WITH_RC4_128_SHA (RC4");
    ck_assert_ptr_nonnull(strstr(row(&r, "beast")->detail, "CVE-2011-3389"));
    want_evidence(&r, "sweet32", "SSL 3.0: TLS_RSA_WITH_3DES_EDE_CBC_SHA");
    ck_assert_ptr_nonnull(strstr(row(&r, "sweet32")->detail, "CVE-2016-2183"));
    want_evidence(&r, "freak", "TLS 1.0: TLS_RSA_EXPORT_WITH_RC4_40_MD5");
    ck_assert_ptr_null(strstr(row(&r, "freak")->evidence, "DHE"));
    ck_assert_ptr_nonnull(strstr(row(&r, "freak")->detail, "CVE-2015-0204"));
    want_evidence(&r, "logjam", "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA");
    ck_assert_ptr_nonnull(strstr(row(&r, "logjam")->detail, "CVE-2015-4000"));
    ck_assert_ptr_nonnull(strstr(row(&r, "key_reuse")->detail, "CVE-2020-1968"));
    want_evidence(&r, "rc4", "SSL 2.0: SSL_CK_RC4_128_WITH_MD5; SSL 3.0: TLS_RSA_WITH_RC4_128_SHA");
    ck_assert_ptr_nonnull(strstr(row(&r, "rc4")->detail, "CVE-2013-2566"));
    want_evidence(&r, "null_anon", "TLS_DH_anon_WITH_RC4_128_MD5");
    want_evidence(&r, "null_anon", "TLS 1.2: TLS_RSA_WITH_NULL_SHA");
    ck_assert_ptr_nonnull(strstr(row(&r, "lucky13")->detail, "information only"));
    want_evidence(&r, "drown_sslv2", "SSL_CK_RC4_128_WITH_MD5");
    ck_assert_ptr_nonnull(strstr(row(&r, "drown_sslv2")->detail, "CVE-2016-0800"));
    target_result_cleanup(&r);
}
END_TEST

/* Positives and negatives that hang on one attribute or one number. */
START_TEST(test_boundaries)
{
    struct target_result r;
    fx_init(&r);
    static const uint32_t s3[] = {0x0005}, t10[] = {0x002F}, t12[] = {0x0033};
    fx_accept(&r, TLSV_SSL3, s3, 1, false, 0);      /* SSL 3.0 with RC4 only */
    fx_accept(&r, TLSV_TLS10, t10, 1, false, 0);    /* CBC, order not known */
    fx_accept(&r, TLSV_TLS12, t12, 1, false, 1024); /* DHE with a 1024-bit prime */
    fx_run(&r);
    want(&r, "poodle", PR_NEGATIVE);
    ck_assert_str_eq(row(&r, "poodle")->detail, "SSL 3.0 accepted without a CBC suite");
    want(&r, "beast", PR_POSITIVE);
    want_evidence(&r, "beast", "not known");
    want(&r, "logjam", PR_NEGATIVE);
    want(&r, "freak", PR_NEGATIVE);
    want(&r, "sweet32", PR_NEGATIVE);
    target_result_cleanup(&r);

    fx_init(&r);
    fx_accept(&r, TLSV_TLS12, t12, 1, false, 768); /* under 1024 bits */
    fx_run(&r);
    want(&r, "logjam", PR_POSITIVE);
    ck_assert_ptr_nonnull(strstr(row(&r, "logjam")->detail, "768 bits"));
    want(&r, "beast", PR_NEGATIVE);
    ck_assert_str_eq(row(&r, "beast")->detail, "TLS 1.0 refused");
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_undecided_could_not_test)
{
    struct target_result r;
    fx_init(&r);
    struct enum_facts *e = &r.enumeration;
    e->versions[TLSV_SSL2].state = PROBE_NOT_TESTED;
    e->versions[TLSV_SSL3].state = PROBE_INCONCLUSIVE;
    strcpy(e->versions[TLSV_SSL3].reason, "timeout");
    e->versions[TLSV_TLS10].state = PROBE_INCONCLUSIVE;
    static const uint32_t t12[] = {0xC02F};
    fx_accept(&r, TLSV_TLS12, t12, 1, false, 256);
    e->versions[TLSV_TLS12].incomplete = true;
    strcpy(e->versions[TLSV_TLS12].incomplete_why, "a bundle timed out");
    e->versions[TLSV_TLS13].state = PROBE_INCONCLUSIVE;
    fx_run(&r);
    for (size_t i = 0; i < N_IDS; i++) {
        if (strcmp(all_ids[i], "key_reuse") == 0) {
            continue; /* about the handshakes seen, not about undecided versions */
        }
        want(&r, all_ids[i], PR_COULD_NOT_TEST);
        ck_assert_ptr_nonnull(strstr(row(&r, all_ids[i])->detail, "not decided: "));
    }
    ck_assert_str_eq(row(&r, "poodle")->detail, "not decided: SSL 3.0 inconclusive: timeout");
    ck_assert_str_eq(row(&r, "logjam")->detail, "not decided: SSL 3.0 inconclusive: timeout");
    ck_assert_str_eq(row(&r, "drown_sslv2")->detail, "not decided: SSL 2.0 not-tested");
    target_result_cleanup(&r);

    /* Only the incomplete version is undecided: it is named, with why. */
    fx_init(&r);
    fx_accept(&r, TLSV_TLS12, t12, 1, false, 256);
    r.enumeration.versions[TLSV_TLS12].incomplete = true;
    strcpy(r.enumeration.versions[TLSV_TLS12].incomplete_why, "a bundle timed out");
    fx_run(&r);
    ck_assert_str_eq(row(&r, "rc4")->detail,
                     "not decided: TLS 1.2 suites incomplete: a bundle timed out");
    want(&r, "poodle", PR_NEGATIVE); /* about SSL 3.0 only, which was refused */
    want(&r, "drown_sslv2", PR_NEGATIVE);
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_no_enumeration)
{
    struct target_result r;
    target_result_init(&r);
    fx_run(&r);
    ck_assert_uint_eq(r.probes.n_items, N_IDS);
    for (size_t i = 0; i < N_IDS; i++) {
        want(&r, all_ids[i], PR_COULD_NOT_TEST);
        ck_assert_str_eq(row(&r, all_ids[i])->detail, "the enumeration did not run");
    }
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_default_table_well_formed)
{
    char why[256];
    ck_assert_msg(probe_table_check(&probe_table_default, why, sizeof(why)) == 0, "%s", why);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vulns");
    TCase *tc = tcase_create("derived");
    tcase_add_test(tc, test_modern_all_negative);
    tcase_add_test(tc, test_legacy_all_positive);
    tcase_add_test(tc, test_boundaries);
    tcase_add_test(tc, test_undecided_could_not_test);
    tcase_add_test(tc, test_no_enumeration);
    tcase_add_test(tc, test_default_table_well_formed);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
