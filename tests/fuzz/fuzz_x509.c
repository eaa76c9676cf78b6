/*
 * tests/fuzz/fuzz_x509.c - fuzz target for the certificate facts
 * (x509_cert_facts in scanner/x509.c), which every certificate a server
 * sends goes through.
 *
 * Input: the DER bytes of one certificate. The facts are taken twice and
 * must agree; the DER must be kept whole either way; on failure the reason
 * is set; every string and list of the facts is read in full so ASan sees
 * one that is unterminated or dangling. Any broken invariant aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "common/model/facts.h"
#include "scanner/x509.h"
#include "tests/fuzz/fuzz.h"

/* 2026-12-02T00:00:00Z: a fixed "now", so a run does not depend on the date */
#define FUZZ_X509_NOW ((int64_t)1796169600)

static void x509_fz_str(const char *s, size_t cap)
{
    if (s == NULL || memchr(s, '\0', cap) == NULL) {
        abort();
    }
}

static size_t x509_fz_list(const struct strlist *l)
{
    size_t total = 0;
    for (size_t i = 0; i < l->n_items; i++) {
        if (l->items[i] == NULL) {
            abort();
        }
        total += strlen(l->items[i]);
    }
    return total;
}

static void x509_fz_check(const uint8_t *data, size_t size, int rc, const struct cert_fact *cf,
                          const char *err)
{
    if (rc != 0 && rc != -1) {
        abort();
    }
    if (rc != 0 && err[0] == '\0') {
        abort();
    }
    if (cf->der_len != size || (size > 0 && memcmp(cf->der, data, size) != 0)) {
        abort();
    }
    x509_fz_str(cf->sha256, sizeof(cf->sha256));
    if (strlen(cf->sha256) != 64) {
        abort();
    }
    if (rc != 0) {
        return;
    }
    x509_fz_str(cf->subject, 1u << 20);
    x509_fz_str(cf->issuer, 1u << 20);
    x509_fz_str(cf->serial, sizeof(cf->serial));
    x509_fz_str(cf->key_type, sizeof(cf->key_type));
    x509_fz_str(cf->curve, sizeof(cf->curve));
    x509_fz_str(cf->sig_alg, sizeof(cf->sig_alg));
    (void)x509_fz_list(&cf->key_usage);
    (void)x509_fz_list(&cf->eku);
    (void)x509_fz_list(&cf->san);
    (void)x509_fz_list(&cf->ocsp_urls);
    (void)x509_fz_list(&cf->ca_issuer_urls);
    (void)x509_fz_list(&cf->crl_urls);
    (void)x509_fz_list(&cf->policy_oids);
    if (cf->ca < -1 || cf->ca > 1 || cf->path_len < -1 || cf->n_scts < 0 || cf->key_bits < 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cert_fact a;
    struct cert_fact b;
    char err_a[256] = "";
    char err_b[256] = "";
    cert_fact_init(&a);
    cert_fact_init(&b);
    int rc_a = x509_cert_facts(data, size, FUZZ_X509_NOW, &a, err_a, sizeof(err_a));
    int rc_b = x509_cert_facts(data, size, FUZZ_X509_NOW, &b, err_b, sizeof(err_b));
    x509_fz_check(data, size, rc_a, &a, err_a);
    if (rc_a != rc_b || strcmp(err_a, err_b) != 0 || strcmp(a.sha256, b.sha256) != 0) {
        abort();
    }
    if (rc_a == 0 &&
        (strcmp(a.subject, b.subject) != 0 || strcmp(a.issuer, b.issuer) != 0 ||
         strcmp(a.serial, b.serial) != 0 || a.not_before != b.not_before ||
         a.not_after != b.not_after || a.days_left != b.days_left || a.key_bits != b.key_bits ||
         a.san.n_items != b.san.n_items || a.self_signed != b.self_signed)) {
        abort();
    }
    cert_fact_cleanup(&a);
    cert_fact_cleanup(&b);
    return 0;
}
