/*
 * tests/unit/revocation_test.c - unit tests for the parsing and
 * verification pieces of scanner/revocation.c (CRL judgement, hostile OCSP
 * bytes, the fetch cache) and scanner/http.c (the HSTS header parser).
 *
 * The CA, the certificates and the CRLs are generated here with the
 * GnuTLS API; nothing touches the network. The OCSP path with real
 * responses is covered end to end by tests/integration/revocation.sh.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "scanner/http.h"
#include "scanner/revocation.h"

#define DAY 86400

struct blob {
    unsigned char *p;
    size_t n;
};

static gnutls_x509_privkey_t ca_key, other_key, leaf_key;
static gnutls_x509_crt_t ca_crt;
static struct blob ca_der, other_ca_der, leaf_der, leaf2_der;
static int64_t now;

static void fx(int r, const char *what)
{
    if (r < 0) {
        fprintf(stderr, "revocation_test fixture: %s: %s\n", what, gnutls_strerror(r));
        abort();
    }
}

static gnutls_x509_privkey_t fx_key(void)
{
    gnutls_x509_privkey_t k = NULL;
    fx(gnutls_x509_privkey_init(&k), "privkey_init");
    fx(gnutls_x509_privkey_generate(k, GNUTLS_PK_ECDSA,
                                    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
       "generate");
    return k;
}

static void fx_export(gnutls_x509_crt_t c, struct blob *out)
{
    gnutls_datum_t d = {NULL, 0};
    fx(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_DER, &d), "export");
    out->p = malloc(d.size);
    memcpy(out->p, d.data, d.size);
    out->n = d.size;
    gnutls_free(d.data);
}

/* fx_crt makes a certificate for key, signed by (issuer, issuer_key), or
 * self-signed when issuer is NULL. */
static gnutls_x509_crt_t fx_crt(const char *cn, gnutls_x509_privkey_t key, unsigned char serial,
                                gnutls_x509_crt_t issuer, gnutls_x509_privkey_t issuer_key, bool ca,
                                struct blob *out)
{
    gnutls_x509_crt_t c = NULL;
    fx(gnutls_x509_crt_init(&c), "crt_init");
    fx(gnutls_x509_crt_set_version(c, 3), "version");
    unsigned char sn[2] = {0x10, serial};
    fx(gnutls_x509_crt_set_serial(c, sn, sizeof(sn)), "serial");
    fx(gnutls_x509_crt_set_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME, 0, cn, (unsigned)strlen(cn)),
       "cn");
    fx(gnutls_x509_crt_set_key(c, key), "key");
    fx(gnutls_x509_crt_set_activation_time(c, (time_t)(now - DAY)), "activation");
    fx(gnutls_x509_crt_set_expiration_time(c, (time_t)(now + 30 * DAY)), "expiration");
    fx(gnutls_x509_crt_set_basic_constraints(c, ca ? 1 : 0, -1), "basic");
    if (ca) {
        fx(gnutls_x509_crt_set_key_usage(c, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), "ku");
    }
    unsigned char id[64];
    size_t id_len = sizeof(id);
    fx(gnutls_x509_crt_get_key_id(c, 0, id, &id_len), "key id");
    fx(gnutls_x509_crt_set_subject_key_id(c, id, id_len), "ski");
    fx(gnutls_x509_crt_sign2(c, issuer ? issuer : c, issuer_key ? issuer_key : key,
                             GNUTLS_DIG_SHA256, 0),
       "sign");
    fx_export(c, out);
    return c;
}

/* fx_crl makes a CRL by (issuer, key) listing serial (0: none), with the
 * given thisUpdate / nextUpdate. DER in out. */
static void fx_crl(gnutls_x509_crt_t issuer, gnutls_x509_privkey_t key, unsigned char serial,
                   int64_t this_update, int64_t next_update, struct blob *out)
{
    gnutls_x509_crl_t crl = NULL;
    fx(gnutls_x509_crl_init(&crl), "crl_init");
    fx(gnutls_x509_crl_set_version(crl, 2), "crl version");
    fx(gnutls_x509_crl_set_this_update(crl, (time_t)this_update), "this update");
    fx(gnutls_x509_crl_set_next_update(crl, (time_t)next_update), "next update");
    if (serial != 0) {
        unsigned char sn[2] = {0x10, serial};
        fx(gnutls_x509_crl_set_crt_serial(crl, sn, sizeof(sn), (time_t)(now - 3600)), "entry");
    }
    fx(gnutls_x509_crl_sign2(crl, issuer, key, GNUTLS_DIG_SHA256, 0), "crl sign");
    gnutls_datum_t d = {NULL, 0};
    fx(gnutls_x509_crl_export2(crl, GNUTLS_X509_FMT_DER, &d), "crl export");
    out->p = malloc(d.size);
    memcpy(out->p, d.data, d.size);
    out->n = d.size;
    gnutls_free(d.data);
    gnutls_x509_crl_deinit(crl);
}

static void setup(void)
{
    if (ca_key != NULL) {
        return;
    }
    now = (int64_t)time(NULL);
    ca_key = fx_key();
    other_key = fx_key();
    leaf_key = fx_key();
    ca_crt = fx_crt("test CA", ca_key, 1, NULL, NULL, true, &ca_der);
    /* Same name as the CA, another key: a CRL signed by it must not count. */
    gnutls_x509_crt_t other = fx_crt("test CA", other_key, 2, NULL, NULL, true, &other_ca_der);
    gnutls_x509_crt_deinit(other);
    gnutls_x509_crt_t l1 = fx_crt("leaf.test", leaf_key, 0x21, ca_crt, ca_key, false, &leaf_der);
    gnutls_x509_crt_t l2 = fx_crt("leaf2.test", leaf_key, 0x22, ca_crt, ca_key, false, &leaf2_der);
    gnutls_x509_crt_deinit(l1);
    gnutls_x509_crt_deinit(l2);
}

static struct revoc_fact judge_crl(const struct blob *crl, const struct blob *leaf,
                                   const struct blob *issuer)
{
    struct revoc_fact f;
    memset(&f, 0, sizeof(f));
    revoc_judge_crl(crl->p, crl->n, leaf->p, leaf->n, issuer->p, issuer->n, now, &f);
    return f;
}

START_TEST(test_crl_good_and_revoked)
{
    setup();
    struct blob crl;
    fx_crl(ca_crt, ca_key, 0x21, now - 3600, now + DAY, &crl);
    struct revoc_fact f = judge_crl(&crl, &leaf_der, &ca_der);
    ck_assert_int_eq(f.status, REVOC_REVOKED);
    ck_assert_int_eq(f.revoked_at, now - 3600);
    ck_assert_int_eq(f.next_update, now + DAY);
    f = judge_crl(&crl, &leaf2_der, &ca_der);
    ck_assert_int_eq(f.status, REVOC_GOOD);
    ck_assert_str_eq(f.detail, "CRL: not listed");
    free(crl.p);
}
END_TEST

START_TEST(test_crl_stale_and_future)
{
    setup();
    struct blob crl;
    fx_crl(ca_crt, ca_key, 0, now - 3 * DAY, now - DAY, &crl);
    struct revoc_fact f = judge_crl(&crl, &leaf2_der, &ca_der);
    ck_assert_int_eq(f.status, REVOC_INCONCLUSIVE);
    ck_assert_msg(strstr(f.detail, "stale CRL") != NULL, "%s", f.detail);
    free(crl.p);
    /* A stale CRL that lists the certificate is not trusted either way. */
    fx_crl(ca_crt, ca_key, 0x21, now - 3 * DAY, now - DAY, &crl);
    f = judge_crl(&crl, &leaf_der, &ca_der);
    ck_assert_int_eq(f.status, REVOC_INCONCLUSIVE);
    free(crl.p);
    fx_crl(ca_crt, ca_key, 0, now + DAY, now + 2 * DAY, &crl);
    f = judge_crl(&crl, &leaf2_der, &ca_der);
    ck_assert_int_eq(f.status, REVOC_INCONCLUSIVE);
    ck_assert_msg(strstr(f.detail, "in the future") != NULL, "%s", f.detail);
    free(crl.p);
}
END_TEST

START_TEST(test_crl_wrong_signer)
{
    setup();
    /* Signed by a key that is not the issuer's (same issuer name). */
    struct blob crl;
    gnutls_x509_crt_t other = NULL;
    fx(gnutls_x509_crt_init(&other), "init");
    gnutls_datum_t d = {other_ca_der.p, (unsigned)other_ca_der.n};
    fx(gnutls_x509_crt_import(other, &d, GNUTLS_X509_FMT_DER), "import");
    fx_crl(other, other_key, 0, now - 3600, now + DAY, &crl);
    gnutls_x509_crt_deinit(other);
    struct revoc_fact f = judge_crl(&crl, &leaf2_der, &ca_der);
    ck_assert_int_eq(f.status, REVOC_INCONCLUSIVE);
    ck_assert_msg(strstr(f.detail, "signature") != NULL, "%s", f.detail);
    free(crl.p);
    /* Checked against the wrong issuer certificate. */
    fx_crl(ca_crt, ca_key, 0, now - 3600, now + DAY, &crl);
    f = judge_crl(&crl, &leaf2_der, &other_ca_der);
    ck_assert_int_eq(f.status, REVOC_INCONCLUSIVE);
    free(crl.p);
}
END_TEST

START_TEST(test_crl_truncated_and_garbage)
{
    setup();
    struct blob crl;
    fx_crl(ca_crt, ca_key, 0x21, now - 3600, now + DAY, &crl);
    for (size_t n = 0; n < crl.n; n++) {
        struct blob cut = {crl.p, n};
        struct revoc_fact f = judge_crl(&cut, &leaf2_der, &ca_der);
        ck_assert_msg(f.status == REVOC_INCONCLUSIVE, "truncated at %zu: %d", n, f.status);
    }
    for (size_t i = 0; i < crl.n; i += 7) {
        crl.p[i] ^= 0x5a;
        struct revoc_fact f = judge_crl(&crl, &leaf2_der, &ca_der);
        ck_assert_msg(f.status == REVOC_INCONCLUSIVE, "flipped byte %zu: %d", i, f.status);
        crl.p[i] ^= 0x5a;
    }
    free(crl.p);
}
END_TEST

START_TEST(test_ocsp_hostile_bytes)
{
    setup();
    static const unsigned char garbage[] = "this is not an OCSP response";
    /* OCSPResponse { responseStatus tryLater(3) } */
    static const unsigned char try_later[] = {0x30, 0x03, 0x0a, 0x01, 0x03};
    struct revoc_fact f;
    memset(&f, 0, sizeof(f));
    revoc_judge_ocsp(garbage, sizeof(garbage), leaf_der.p, leaf_der.n, ca_der.p, ca_der.n, NULL, 0,
                     now, &f);
    ck_assert_int_eq(f.status, REVOC_INCONCLUSIVE);
    ck_assert_msg(strstr(f.detail, "cannot parse") != NULL, "%s", f.detail);
    revoc_judge_ocsp(try_later, sizeof(try_later), leaf_der.p, leaf_der.n, ca_der.p, ca_der.n, NULL,
                     0, now, &f);
    ck_assert_int_eq(f.status, REVOC_INCONCLUSIVE);
    ck_assert_msg(strstr(f.detail, "not successful") != NULL, "%s", f.detail);
    for (size_t n = 0; n < sizeof(try_later); n++) {
        revoc_judge_ocsp(try_later, n, leaf_der.p, leaf_der.n, ca_der.p, ca_der.n, NULL, 0, now,
                         &f);
        ck_assert_int_eq(f.status, REVOC_INCONCLUSIVE);
    }
    revoc_judge_ocsp(try_later, sizeof(try_later), NULL, 0, ca_der.p, ca_der.n, NULL, 0, now, &f);
    ck_assert_int_eq(f.status, REVOC_INCONCLUSIVE);
}
END_TEST

struct drained {
    int n;
    char last_kind[16];
    int64_t last_expires;
};

static int drain_cb(void *arg, const char *kind, const char *key, const unsigned char *data,
                    size_t len, int64_t expires)
{
    struct drained *d = arg;
    (void)key;
    (void)data;
    (void)len;
    d->n++;
    snprintf(d->last_kind, sizeof(d->last_kind), "%s", kind);
    d->last_expires = expires;
    return 0;
}

START_TEST(test_cache_preload_not_drained)
{
    struct revoc_cache *c = revoc_cache_new();
    ck_assert_ptr_nonnull(c);
    static const unsigned char data[] = {1, 2, 3};
    ck_assert_int_eq(revoc_cache_preload(c, REVOC_KIND_CRL, "http://x/a.crl", data, 3, 100), 0);
    ck_assert_int_eq(revoc_cache_preload(c, REVOC_KIND_CRL, "http://x/a.crl", data, 2, 200), 0);
    struct drained d = {0, "", 0};
    ck_assert_int_eq(revoc_cache_drain(c, drain_cb, &d), 0);
    ck_assert_int_eq(d.n, 0); /* it came from the store: not written back */
    ck_assert_uint_eq(revoc_cache_n_fetches(c), 0);
    revoc_cache_free(c);
    revoc_cache_free(NULL);
}
END_TEST

START_TEST(test_offline_checks_nothing)
{
    setup();
    struct target_result r;
    target_result_init(&r);
    fact_mark(&r.chain_header, true);
    r.certs = calloc(1, sizeof(*r.certs));
    ck_assert_ptr_nonnull(r.certs);
    cert_fact_init(&r.certs[0]);
    char err[256];
    ck_assert_int_eq(x509_cert_facts(leaf_der.p, leaf_der.n, now, &r.certs[0], err, sizeof(err)),
                     0);
    r.n_certs = 1;
    ck_assert_int_eq(strlist_add(&r.certs[0].crl_urls, "http://127.0.0.1:9/x.crl"), 0);
    r.chain.incomplete = true;
    struct revoc_options o = {.offline = true, .timeout_ms = 1000};
    ck_assert_int_eq(revocation_check(&o, &r, now), 0);
    ck_assert(fact_collected(&r.revoc_header));
    ck_assert_uint_eq(r.n_revoc, 1);
    ck_assert_int_eq(r.revoc[0].status, REVOC_NOT_CHECKED);
    ck_assert_str_eq(r.revoc[0].detail, "not checked: --offline");
    ck_assert(!r.chain.aia_attempted);
    target_result_cleanup(&r);
}
END_TEST

static bool hsts(const char *v, struct http_fact *h)
{
    memset(h, 0, sizeof(*h));
    return http_parse_hsts(v, h);
}

START_TEST(test_hsts_parse)
{
    struct http_fact h;
    ck_assert(hsts("max-age=31536000; includeSubDomains; preload", &h));
    ck_assert_int_eq(h.hsts_max_age, 31536000);
    ck_assert(h.hsts_include_subdomains && h.hsts_preload);
    ck_assert(hsts("  MAX-AGE=\"600\" ;includesubdomains", &h));
    ck_assert_int_eq(h.hsts_max_age, 600);
    ck_assert(h.hsts_include_subdomains && !h.hsts_preload);
    ck_assert(hsts("max-age=0", &h));
    ck_assert_int_eq(h.hsts_max_age, 0);
    ck_assert(hsts("max-age=10; unknown=\"x;y\"; other", &h)); /* unknown directives ignored */
    ck_assert(hsts("max-age=10;", &h));
    /* invalid: RFC 6797 §6.1 */
    ck_assert(!hsts("", &h));
    ck_assert_int_eq(h.hsts_max_age, -1);
    ck_assert(!hsts("includeSubDomains", &h));
    ck_assert(!h.hsts_include_subdomains); /* an invalid header says nothing */
    ck_assert(!hsts("max-age=10; max-age=20", &h));
    ck_assert_int_eq(h.hsts_max_age, -1);
    ck_assert(!hsts("max-age=-1", &h));
    ck_assert(!hsts("max-age=1e6", &h));
    ck_assert(!hsts("max-age", &h));
    ck_assert(!hsts("max-age=\"10", &h));
    ck_assert(!hsts("max-age=10; preload; preload", &h));
    ck_assert(!h.hsts_preload && h.hsts_max_age == -1);
    ck_assert(!hsts("max-age=10; includeSubDomains=1", &h));
    ck_assert(!hsts("max-age=10 garbage", &h));
}
END_TEST

static Suite *revocation_suite(void)
{
    Suite *s = suite_create("revocation");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_crl_good_and_revoked);
    tcase_add_test(tc, test_crl_stale_and_future);
    tcase_add_test(tc, test_crl_wrong_signer);
    tcase_add_test(tc, test_crl_truncated_and_garbage);
    tcase_add_test(tc, test_ocsp_hostile_bytes);
    tcase_add_test(tc, test_cache_preload_not_drained);
    tcase_add_test(tc, test_offline_checks_nothing);
    tcase_add_test(tc, test_hsts_parse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gnutls_global_init();
    SRunner *sr = srunner_create(revocation_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    gnutls_global_deinit();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
