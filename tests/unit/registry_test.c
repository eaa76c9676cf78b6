/*
 * tests/unit/registry_test.c - unit tests for common/model/registry: the tables
 * generated from the data/ TSV files (counts, order, invariants between
 * columns) and the lookups, with every derived column checked for a sample of
 * suites whose IANA names are awkward to parse (EXPORT, anon, KRB5, PSK, GOST,
 * TLS 1.3, integrity-only, CCM_8, SSLv2 kinds, signalling values).
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/model/registry.h"

#define SSL3_TO_TLS12                                                                              \
    (TLSV_BIT(TLSV_SSL3) | TLSV_BIT(TLSV_TLS10) | TLSV_BIT(TLSV_TLS11) | TLSV_BIT(TLSV_TLS12))
#define ALL_VERSIONS                                                                               \
    (TLSV_BIT(TLSV_SSL2) | TLSV_BIT(TLSV_SSL3) | TLSV_BIT(TLSV_TLS10) | TLSV_BIT(TLSV_TLS11) |     \
     TLSV_BIT(TLSV_TLS12) | TLSV_BIT(TLSV_TLS13))

/* Expected registry size: IANA's 354 suites + 2 signalling values (the IANA
 * export of 2026-01-13) + the SSLv2 kinds testssl.sh lists, less
 * SSL_CK_NULL_WITH_MD5 whose code 0x000000 is TLS_NULL_WITH_NULL_NULL's. */
#define N_IANA_REAL 354
#define N_SCSV 2
#define N_SSL2 12
#define N_GROUPS 56
#define N_SIGSCHEMES 37

/* Compares every field of the registry row for want->code with *want. */
static void expect_suite(const struct suite_info *want)
{
    const struct suite_info *s = registry_suite_by_code(want->code);
    ck_assert_msg(s != NULL, "no suite 0x%04X", (unsigned)want->code);
    ck_assert_uint_eq(s->code, want->code);
    ck_assert_pstr_eq(s->iana_name, want->iana_name);
    ck_assert_pstr_eq(s->openssl_name, want->openssl_name);
    ck_assert_pstr_eq(s->gnutls_name, want->gnutls_name);
    ck_assert_pstr_eq(s->kx, want->kx);
    ck_assert_pstr_eq(s->auth, want->auth);
    ck_assert_pstr_eq(s->cipher, want->cipher);
    ck_assert_int_eq(s->bits, want->bits);
    ck_assert_pstr_eq(s->mode, want->mode);
    ck_assert_pstr_eq(s->mac, want->mac);
    ck_assert_msg(s->aead == want->aead, "%s: aead", want->iana_name);
    ck_assert_msg(s->pfs == want->pfs, "%s: pfs", want->iana_name);
    ck_assert_msg(s->export_grade == want->export_grade, "%s: export", want->iana_name);
    ck_assert_msg(s->versions == want->versions, "%s: versions 0x%02X, want 0x%02X",
                  want->iana_name, s->versions, want->versions);
    ck_assert_int_eq(s->recommended, want->recommended);
}

START_TEST(test_counts)
{
    size_t n_scsv = 0;
    size_t n_ssl2 = 0;
    for (size_t i = 0; i < registry_n_suites; i++) {
        n_scsv += registry_suite_is_scsv(&registry_suites[i]);
        n_ssl2 += registry_suites[i].versions == TLSV_BIT(TLSV_SSL2);
    }
    ck_assert_uint_eq(n_scsv, N_SCSV);
    ck_assert_uint_eq(n_ssl2, N_SSL2);
    ck_assert_uint_eq(registry_n_suites - n_scsv - n_ssl2, N_IANA_REAL);
    ck_assert_uint_eq(registry_n_groups, N_GROUPS);
    ck_assert_uint_eq(registry_n_sigschemes, N_SIGSCHEMES);
    ck_assert(strncmp(registry_version, "iana-", 5) == 0);
    ck_assert_ptr_nonnull(strstr(registry_version, "+tlsaudit-"));
}
END_TEST

/* IANA's Recommended column, over the 356 IANA rows (shared/data/README.md). */
START_TEST(test_recommended_counts)
{
    size_t y = 0;
    size_t n = 0;
    size_t d = 0;
    for (size_t i = 0; i < registry_n_suites; i++) {
        const struct suite_info *s = &registry_suites[i];
        if (s->versions == TLSV_BIT(TLSV_SSL2)) {
            ck_assert_int_eq(s->recommended, '-');
            continue;
        }
        y += s->recommended == 'Y';
        n += s->recommended == 'N';
        d += s->recommended == 'D';
    }
    ck_assert_uint_eq(y, 24);
    ck_assert_uint_eq(n, 306);
    ck_assert_uint_eq(d, 26);
}
END_TEST

START_TEST(test_sorted_unique)
{
    for (size_t i = 1; i < registry_n_suites; i++) {
        ck_assert_msg(registry_suites[i - 1].code < registry_suites[i].code,
                      "suites not sorted at %zu", i);
    }
    for (size_t i = 1; i < registry_n_groups; i++) {
        ck_assert_uint_lt(registry_groups[i - 1].code, registry_groups[i].code);
    }
    for (size_t i = 1; i < registry_n_sigschemes; i++) {
        ck_assert_uint_lt(registry_sigschemes[i - 1].code, registry_sigschemes[i].code);
    }
}
END_TEST

/* Invariants between columns, for every row. */
START_TEST(test_row_invariants)
{
    for (size_t i = 0; i < registry_n_suites; i++) {
        const struct suite_info *s = &registry_suites[i];
        const char *n = s->iana_name;
        ck_assert_ptr_nonnull(n);
        ck_assert_ptr_nonnull(s->kx);
        ck_assert_ptr_nonnull(s->auth);
        ck_assert_ptr_nonnull(s->cipher);
        ck_assert_ptr_nonnull(s->mode);
        ck_assert_ptr_nonnull(s->mac);
        ck_assert_msg(s->versions != 0 && (s->versions & ~ALL_VERSIONS) == 0, "%s", n);
        /* 3-byte codes are the SSLv2 kinds, and only they are SSLv2-only. */
        ck_assert_msg((s->code > 0xFFFF) == (s->versions == TLSV_BIT(TLSV_SSL2)), "%s", n);
        ck_assert_msg((s->code > 0xFFFF) == (strncmp(n, "SSL_CK_", 7) == 0), "%s", n);
        ck_assert_msg(!s->aead || strcmp(s->mac, "AEAD") == 0, "%s", n);
        ck_assert_msg(!s->aead || (s->versions & (TLSV_BIT(TLSV_SSL3) | TLSV_BIT(TLSV_TLS10) |
                                                  TLSV_BIT(TLSV_TLS11))) == 0,
                      "%s: AEAD before TLS 1.2", n);
        ck_assert_msg(!s->export_grade || s->bits <= 56, "%s", n);
        ck_assert_msg(!s->export_grade ||
                          (s->versions & (TLSV_BIT(TLSV_TLS11) | TLSV_BIT(TLSV_TLS12))) == 0,
                      "%s: EXPORT after TLS 1.0", n);
        ck_assert_msg((strcmp(s->cipher, "NULL") == 0) == (s->bits == 0) ||
                          registry_suite_is_scsv(s),
                      "%s: bits", n);
        /* The TLS 1.3 suites name no key exchange; 0x13xx are all TLS 1.3. */
        ck_assert_msg((strcmp(s->kx, "any") == 0) == ((s->versions & TLSV_BIT(TLSV_TLS13)) != 0) ||
                          strcmp(s->kx, "ECCPWD") == 0,
                      "%s: kx any vs TLS 1.3", n);
        if ((s->code & 0xFF00) == 0x1300) {
            ck_assert_uint_eq(s->versions, TLSV_BIT(TLSV_TLS13));
        }
        ck_assert_msg(s->recommended == 'Y' || s->recommended == 'N' || s->recommended == 'D' ||
                          s->recommended == '-',
                      "%s", n);
    }
}
END_TEST

START_TEST(test_suite_export_rc4)
{
    expect_suite(&(struct suite_info){.code = 0x0003,
                                      .iana_name = "TLS_RSA_EXPORT_WITH_RC4_40_MD5",
                                      .openssl_name = "EXP-RC4-MD5",
                                      .gnutls_name = NULL,
                                      .kx = "RSA",
                                      .auth = "RSA",
                                      .cipher = "RC4",
                                      .bits = 40,
                                      .mode = "stream",
                                      .mac = "MD5",
                                      .aead = false,
                                      .pfs = false,
                                      .export_grade = true,
                                      .versions = TLSV_BIT(TLSV_SSL3) | TLSV_BIT(TLSV_TLS10),
                                      .recommended = 'N'});
    expect_suite(&(struct suite_info){.code = 0x0026,
                                      .iana_name = "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA",
                                      .openssl_name = "EXP-KRB5-DES-CBC-SHA",
                                      .gnutls_name = NULL,
                                      .kx = "KRB5",
                                      .auth = "KRB5",
                                      .cipher = "DES",
                                      .bits = 40,
                                      .mode = "CBC",
                                      .mac = "SHA",
                                      .aead = false,
                                      .pfs = false,
                                      .export_grade = true,
                                      .versions = TLSV_BIT(TLSV_SSL3) | TLSV_BIT(TLSV_TLS10),
                                      .recommended = 'D'});
}
END_TEST

START_TEST(test_suite_classic)
{
    expect_suite(&(struct suite_info){.code = 0x000A,
                                      .iana_name = "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
                                      .openssl_name = "DES-CBC3-SHA",
                                      .gnutls_name = "TLS_RSA_3DES_EDE_CBC_SHA1",
                                      .kx = "RSA",
                                      .auth = "RSA",
                                      .cipher = "3DES",
                                      .bits = 168,
                                      .mode = "CBC",
                                      .mac = "SHA",
                                      .aead = false,
                                      .pfs = false,
                                      .export_grade = false,
                                      .versions = SSL3_TO_TLS12,
                                      .recommended = 'N'});
    expect_suite(&(struct suite_info){.code = 0x0018,
                                      .iana_name = "TLS_DH_anon_WITH_RC4_128_MD5",
                                      .openssl_name = "ADH-RC4-MD5",
                                      .gnutls_name = "TLS_DH_ANON_ARCFOUR_128_MD5",
                                      .kx = "DHE",
                                      .auth = "anon",
                                      .cipher = "RC4",
                                      .bits = 128,
                                      .mode = "stream",
                                      .mac = "MD5",
                                      .aead = false,
                                      .pfs = true,
                                      .export_grade = false,
                                      .versions = SSL3_TO_TLS12,
                                      .recommended = 'N'});
    expect_suite(&(struct suite_info){.code = 0x002C,
                                      .iana_name = "TLS_PSK_WITH_NULL_SHA",
                                      .openssl_name = "PSK-NULL-SHA",
                                      .gnutls_name = "TLS_PSK_NULL_SHA1",
                                      .kx = "PSK",
                                      .auth = "PSK",
                                      .cipher = "NULL",
                                      .bits = 0,
                                      .mode = "NULL",
                                      .mac = "SHA",
                                      .aead = false,
                                      .pfs = false,
                                      .export_grade = false,
                                      .versions = SSL3_TO_TLS12,
                                      .recommended = 'D'});
    /* PSK HMAC-SHA256 CBC suites are TLS 1.0+ (RFC 5487), unlike RSA's (TLS 1.2). */
    expect_suite(&(struct suite_info){.code = 0x00AE,
                                      .iana_name = "TLS_PSK_WITH_AES_128_CBC_SHA256",
                                      .openssl_name = "PSK-AES128-CBC-SHA256",
                                      .gnutls_name = "TLS_PSK_AES_128_CBC_SHA256",
                                      .kx = "PSK",
                                      .auth = "PSK",
                                      .cipher = "AES",
                                      .bits = 128,
                                      .mode = "CBC",
                                      .mac = "SHA256",
                                      .aead = false,
                                      .pfs = false,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_TLS10) | TLSV_BIT(TLSV_TLS11) |
                                                  TLSV_BIT(TLSV_TLS12),
                                      .recommended = 'N'});
    expect_suite(&(struct suite_info){.code = 0x003C,
                                      .iana_name = "TLS_RSA_WITH_AES_128_CBC_SHA256",
                                      .openssl_name = "AES128-SHA256",
                                      .gnutls_name = "TLS_RSA_AES_128_CBC_SHA256",
                                      .kx = "RSA",
                                      .auth = "RSA",
                                      .cipher = "AES",
                                      .bits = 128,
                                      .mode = "CBC",
                                      .mac = "SHA256",
                                      .aead = false,
                                      .pfs = false,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_TLS12),
                                      .recommended = 'N'});
}
END_TEST

START_TEST(test_suite_aead)
{
    expect_suite(&(struct suite_info){.code = 0xC02F,
                                      .iana_name = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                                      .openssl_name = "ECDHE-RSA-AES128-GCM-SHA256",
                                      .gnutls_name = "TLS_ECDHE_RSA_AES_128_GCM_SHA256",
                                      .kx = "ECDHE",
                                      .auth = "RSA",
                                      .cipher = "AES",
                                      .bits = 128,
                                      .mode = "GCM",
                                      .mac = "AEAD",
                                      .aead = true,
                                      .pfs = true,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_TLS12),
                                      .recommended = 'Y'});
    expect_suite(&(struct suite_info){.code = 0xCCA8,
                                      .iana_name = "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                                      .openssl_name = "ECDHE-RSA-CHACHA20-POLY1305",
                                      .gnutls_name = "TLS_ECDHE_RSA_CHACHA20_POLY1305",
                                      .kx = "ECDHE",
                                      .auth = "RSA",
                                      .cipher = "CHACHA20",
                                      .bits = 256,
                                      .mode = "POLY1305",
                                      .mac = "AEAD",
                                      .aead = true,
                                      .pfs = true,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_TLS12),
                                      .recommended = 'Y'});
    expect_suite(&(struct suite_info){.code = 0xC0AC,
                                      .iana_name = "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
                                      .openssl_name = "ECDHE-ECDSA-AES128-CCM",
                                      .gnutls_name = "TLS_ECDHE_ECDSA_AES_128_CCM",
                                      .kx = "ECDHE",
                                      .auth = "ECDSA",
                                      .cipher = "AES",
                                      .bits = 128,
                                      .mode = "CCM",
                                      .mac = "AEAD",
                                      .aead = true,
                                      .pfs = true,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_TLS12),
                                      .recommended = 'N'});
    expect_suite(&(struct suite_info){.code = 0xC0AE,
                                      .iana_name = "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
                                      .openssl_name = "ECDHE-ECDSA-AES128-CCM8",
                                      .gnutls_name = "TLS_ECDHE_ECDSA_AES_128_CCM_8",
                                      .kx = "ECDHE",
                                      .auth = "ECDSA",
                                      .cipher = "AES",
                                      .bits = 128,
                                      .mode = "CCM_8",
                                      .mac = "AEAD",
                                      .aead = true,
                                      .pfs = true,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_TLS12),
                                      .recommended = 'N'});
    expect_suite(&(struct suite_info){.code = 0xC0B0,
                                      .iana_name = "TLS_ECCPWD_WITH_AES_128_GCM_SHA256",
                                      .openssl_name = NULL,
                                      .gnutls_name = NULL,
                                      .kx = "ECCPWD",
                                      .auth = "ECCPWD",
                                      .cipher = "AES",
                                      .bits = 128,
                                      .mode = "GCM",
                                      .mac = "AEAD",
                                      .aead = true,
                                      .pfs = true,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_TLS12) | TLSV_BIT(TLSV_TLS13),
                                      .recommended = 'N'});
}
END_TEST

START_TEST(test_suite_tls13_and_odd)
{
    expect_suite(&(struct suite_info){.code = 0x1301,
                                      .iana_name = "TLS_AES_128_GCM_SHA256",
                                      .openssl_name = "TLS_AES_128_GCM_SHA256",
                                      .gnutls_name = "TLS_AES_128_GCM_SHA256",
                                      .kx = "any",
                                      .auth = "any",
                                      .cipher = "AES",
                                      .bits = 128,
                                      .mode = "GCM",
                                      .mac = "AEAD",
                                      .aead = true,
                                      .pfs = true,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_TLS13),
                                      .recommended = 'Y'});
    expect_suite(&(struct suite_info){.code = 0x00C6,
                                      .iana_name = "TLS_SM4_GCM_SM3",
                                      .openssl_name = NULL,
                                      .gnutls_name = NULL,
                                      .kx = "any",
                                      .auth = "any",
                                      .cipher = "SM4",
                                      .bits = 128,
                                      .mode = "GCM",
                                      .mac = "AEAD",
                                      .aead = true,
                                      .pfs = true,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_TLS13),
                                      .recommended = 'N'});
    /* RFC 9150 integrity-only: no encryption at all. */
    expect_suite(&(struct suite_info){.code = 0xC0B4,
                                      .iana_name = "TLS_SHA256_SHA256",
                                      .openssl_name = NULL,
                                      .gnutls_name = NULL,
                                      .kx = "any",
                                      .auth = "any",
                                      .cipher = "NULL",
                                      .bits = 0,
                                      .mode = "NULL",
                                      .mac = "SHA256",
                                      .aead = false,
                                      .pfs = true,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_TLS13),
                                      .recommended = 'D'});
    expect_suite(&(struct suite_info){.code = 0xC100,
                                      .iana_name = "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC",
                                      .openssl_name = NULL,
                                      .gnutls_name = NULL,
                                      .kx = "GOST",
                                      .auth = "GOST",
                                      .cipher = "KUZNYECHIK",
                                      .bits = 256,
                                      .mode = "CTR",
                                      .mac = "OMAC",
                                      .aead = false,
                                      .pfs = false,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_TLS12),
                                      .recommended = 'N'});
    expect_suite(&(struct suite_info){.code = 0xC103,
                                      .iana_name = "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L",
                                      .openssl_name = NULL,
                                      .gnutls_name = NULL,
                                      .kx = "any",
                                      .auth = "any",
                                      .cipher = "KUZNYECHIK",
                                      .bits = 256,
                                      .mode = "MGM",
                                      .mac = "AEAD",
                                      .aead = true,
                                      .pfs = true,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_TLS13),
                                      .recommended = 'N'});
    expect_suite(&(struct suite_info){.code = 0x00FF,
                                      .iana_name = "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
                                      .openssl_name = NULL,
                                      .gnutls_name = NULL,
                                      .kx = "SCSV",
                                      .auth = "-",
                                      .cipher = "-",
                                      .bits = 0,
                                      .mode = "-",
                                      .mac = "-",
                                      .aead = false,
                                      .pfs = false,
                                      .export_grade = false,
                                      .versions = SSL3_TO_TLS12,
                                      .recommended = 'N'});
    ck_assert(registry_suite_is_scsv(registry_suite_by_code(0x5600)));
    ck_assert(!registry_suite_is_scsv(registry_suite_by_code(0xC02F)));
    ck_assert(!registry_suite_is_scsv(NULL));
}
END_TEST

START_TEST(test_suite_ssl2)
{
    expect_suite(&(struct suite_info){.code = 0x010080,
                                      .iana_name = "SSL_CK_RC4_128_WITH_MD5",
                                      .openssl_name = "RC4-MD5",
                                      .gnutls_name = NULL,
                                      .kx = "RSA",
                                      .auth = "RSA",
                                      .cipher = "RC4",
                                      .bits = 128,
                                      .mode = "stream",
                                      .mac = "MD5",
                                      .aead = false,
                                      .pfs = false,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_SSL2),
                                      .recommended = '-'});
    expect_suite(&(struct suite_info){.code = 0x020080,
                                      .iana_name = "SSL_CK_RC4_128_EXPORT40_WITH_MD5",
                                      .openssl_name = "EXP-RC4-MD5",
                                      .gnutls_name = NULL,
                                      .kx = "RSA",
                                      .auth = "RSA",
                                      .cipher = "RC4",
                                      .bits = 40,
                                      .mode = "stream",
                                      .mac = "MD5",
                                      .aead = false,
                                      .pfs = false,
                                      .export_grade = true,
                                      .versions = TLSV_BIT(TLSV_SSL2),
                                      .recommended = '-'});
    expect_suite(&(struct suite_info){.code = 0x060040,
                                      .iana_name = "SSL_CK_DES_64_CBC_WITH_MD5",
                                      .openssl_name = "DES-CBC-MD5",
                                      .gnutls_name = NULL,
                                      .kx = "RSA",
                                      .auth = "RSA",
                                      .cipher = "DES",
                                      .bits = 56,
                                      .mode = "CBC",
                                      .mac = "MD5",
                                      .aead = false,
                                      .pfs = false,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_SSL2),
                                      .recommended = '-'});
    expect_suite(&(struct suite_info){.code = 0x0700C0,
                                      .iana_name = "SSL_CK_DES_192_EDE3_CBC_WITH_MD5",
                                      .openssl_name = "DES-CBC3-MD5",
                                      .gnutls_name = NULL,
                                      .kx = "RSA",
                                      .auth = "RSA",
                                      .cipher = "3DES",
                                      .bits = 168,
                                      .mode = "CBC",
                                      .mac = "MD5",
                                      .aead = false,
                                      .pfs = false,
                                      .export_grade = false,
                                      .versions = TLSV_BIT(TLSV_SSL2),
                                      .recommended = '-'});
    /* The seven kinds of the SSL 2.0 specification are all there. */
    static const uint32_t spec_kinds[] = {0x010080, 0x020080, 0x030080, 0x040080,
                                          0x050080, 0x060040, 0x0700C0};
    for (size_t i = 0; i < sizeof(spec_kinds) / sizeof(spec_kinds[0]); i++) {
        const struct suite_info *s = registry_suite_by_code(spec_kinds[i]);
        ck_assert_ptr_nonnull(s);
        ck_assert_uint_eq(s->versions, TLSV_BIT(TLSV_SSL2));
    }
}
END_TEST

START_TEST(test_suite_by_code_missing)
{
    ck_assert_ptr_null(registry_suite_by_code(0x0A0A)); /* GREASE */
    ck_assert_ptr_null(registry_suite_by_code(0x1300));
    ck_assert_ptr_null(registry_suite_by_code(0x001C)); /* reserved (Fortezza) */
    ck_assert_ptr_null(registry_suite_by_code(0xFFFF));
    ck_assert_ptr_null(registry_suite_by_code(0xFFFFFFFFu));
    ck_assert_ptr_nonnull(registry_suite_by_code(0x0000));
    ck_assert_str_eq(registry_suite_by_code(0x0000)->iana_name, "TLS_NULL_WITH_NULL_NULL");
    /* First and last rows are found (binary-search edges). */
    ck_assert_ptr_eq(registry_suite_by_code(registry_suites[0].code), &registry_suites[0]);
    ck_assert_ptr_eq(registry_suite_by_code(registry_suites[registry_n_suites - 1].code),
                     &registry_suites[registry_n_suites - 1]);
}
END_TEST

START_TEST(test_suite_by_name)
{
    const struct suite_info *s = registry_suite_by_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->code, 0xC02F);
    s = registry_suite_by_name("ecdhe-rsa-aes128-gcm-sha256");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->code, 0xC02F);
    s = registry_suite_by_name("TLS_ECDHE_RSA_AES_128_GCM_SHA256");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->code, 0xC02F);
    s = registry_suite_by_name("tls_aes_256_gcm_sha384");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->code, 0x1302);
    /* OpenSSL reuses "RC4-MD5" for the SSLv2 kind: the SSLv3/TLS suite wins. */
    s = registry_suite_by_name("RC4-MD5");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->code, 0x0004);
    s = registry_suite_by_name("SSL_CK_RC4_128_WITH_MD5");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->code, 0x010080);
    ck_assert_ptr_null(registry_suite_by_name("TLS_ECDHE_RSA_WITH_AES_128_GCM"));
    /* "NULL" is old OpenSSL's name of SSL2_CK_NULL, not of TLS_NULL_WITH_NULL_NULL. */
    s = registry_suite_by_name("null");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->code, 0xFF8010);
    ck_assert_ptr_null(registry_suite_by_name("-"));
    ck_assert_ptr_null(registry_suite_by_name(""));
    ck_assert_ptr_null(registry_suite_by_name(NULL));
}
END_TEST

START_TEST(test_groups)
{
    const struct group_info *g = registry_group_by_code(29);
    ck_assert_ptr_nonnull(g);
    ck_assert_str_eq(g->name, "x25519");
    ck_assert_str_eq(g->kind, "ecdhe");
    ck_assert_int_eq(g->bits, 255);
    ck_assert_int_eq(g->recommended, 'Y');

    g = registry_group_by_code(4588);
    ck_assert_ptr_nonnull(g);
    ck_assert_str_eq(g->name, "X25519MLKEM768");
    ck_assert_str_eq(g->kind, "hybrid-pq");
    ck_assert_int_eq(g->bits, 255);
    ck_assert_ptr_eq(registry_group_by_name("x25519mlkem768"), g);

    g = registry_group_by_code(23);
    ck_assert_ptr_nonnull(g);
    ck_assert_str_eq(g->name, "secp256r1");
    ck_assert_int_eq(g->bits, 256);
    g = registry_group_by_code(256);
    ck_assert_ptr_nonnull(g);
    ck_assert_str_eq(g->name, "ffdhe2048");
    ck_assert_str_eq(g->kind, "ffdhe");
    ck_assert_int_eq(g->bits, 2048);
    g = registry_group_by_code(513);
    ck_assert_ptr_nonnull(g);
    ck_assert_str_eq(g->name, "MLKEM768");
    ck_assert_str_eq(g->kind, "pq");
    g = registry_group_by_name("X25519Kyber768Draft00"); /* "(OBSOLETE)" dropped */
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(g->code, 25497);

    ck_assert_ptr_null(registry_group_by_code(0));
    ck_assert_ptr_null(registry_group_by_code(2570)); /* GREASE */
    ck_assert_ptr_null(registry_group_by_code(65535));
    ck_assert_ptr_null(registry_group_by_name("x25518"));
    ck_assert_ptr_null(registry_group_by_name(NULL));
}
END_TEST

START_TEST(test_sigschemes)
{
    const struct sigscheme_info *s = registry_sigscheme_by_code(0x0804);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->name, "rsa_pss_rsae_sha256");
    ck_assert_int_eq(s->recommended, 'Y');
    ck_assert_ptr_eq(registry_sigscheme_by_name("RSA_PSS_RSAE_SHA256"), s);

    s = registry_sigscheme_by_code(0x0201);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->name, "rsa_pkcs1_sha1");
    ck_assert_int_eq(s->recommended, 'N');
    s = registry_sigscheme_by_code(0x0807);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->name, "ed25519");

    ck_assert_ptr_null(registry_sigscheme_by_code(0x0202)); /* reserved */
    ck_assert_ptr_null(registry_sigscheme_by_code(0xFE00));
    ck_assert_ptr_null(registry_sigscheme_by_name("rsa_pss_sha256"));
}
END_TEST

/* The build-time attribute bits agree with the registry's words for every
 * suite (gen-registry.awk decides them; this re-derives them in C). */
START_TEST(test_suite_attrs_every_row)
{
    for (size_t i = 0; i < registry_n_suites; i++) {
        const struct suite_info *s = &registry_suites[i];
        unsigned want = 0;
        want |= strcmp(s->cipher, "NULL") == 0 ? SUITE_NULL_CIPHER : 0;
        want |= strcmp(s->auth, "anon") == 0 || strcmp(s->auth, "NULL") == 0 ? SUITE_ANON : 0;
        want |= s->export_grade ? SUITE_EXPORT : 0;
        want |= strcmp(s->cipher, "RC4") == 0 ? SUITE_RC4 : 0;
        want |= strcmp(s->cipher, "RC2") == 0 ? SUITE_RC2 : 0;
        want |= strcmp(s->cipher, "DES") == 0 ? SUITE_DES : 0;
        want |= strcmp(s->cipher, "3DES") == 0 ? SUITE_3DES : 0;
        want |= strcmp(s->cipher, "IDEA") == 0 ? SUITE_IDEA : 0;
        want |= strcmp(s->mac, "MD5") == 0 ? SUITE_MD5 : 0;
        want |= strcmp(s->mac, "SHA") == 0 ? SUITE_SHA1 : 0;
        want |= strcmp(s->mode, "CBC") == 0 ? SUITE_CBC : 0;
        want |= strstr(s->kx, "PSK") != NULL || strcmp(s->auth, "PSK") == 0 ? SUITE_PSK : 0;
        want |= s->aead ? SUITE_AEAD : 0;
        want |= s->pfs ? SUITE_FS : 0;
        want |= strcmp(s->kx, "SCSV") == 0 ? SUITE_SCSV : 0;
        want |= strcmp(s->kx, "RSA") == 0 ? SUITE_KX_RSA : 0;
        bool ffdhe = strcmp(s->kx, "DHE") == 0 || strcmp(s->kx, "DHE_PSK") == 0 ||
                     (strcmp(s->kx, "DH") == 0 && strcmp(s->auth, "anon") == 0);
        want |= ffdhe ? SUITE_KX_DHE : 0;
        want |= strcmp(s->kx, "ECDHE") == 0 ? SUITE_KX_ECDHE : 0;
        want |= strcmp(s->auth, "RSA") == 0 ? SUITE_AUTH_RSA : 0;
        const char *c = s->cipher;
        bool b64 = strcmp(c, "DES") == 0 || strcmp(c, "3DES") == 0 || strcmp(c, "IDEA") == 0 ||
                   strcmp(c, "RC2") == 0 || strcmp(c, "GOST28147") == 0 || strcmp(c, "MAGMA") == 0;
        want |= b64 ? SUITE_BLOCK64 : 0;
        ck_assert_msg(s->attrs == want, "%s: attrs 0x%x, want 0x%x", s->iana_name, s->attrs, want);
        ck_assert_int_eq(s->strength, strcmp(c, "3DES") == 0 ? 112 : s->bits);
    }
}
END_TEST

/* A few suites by hand, so the test above cannot agree with a wrong
 * generator by sharing its mistake. */
START_TEST(test_suite_attrs_samples)
{
    const struct suite_info *s = registry_suite_by_code(0x000A); /* RSA_WITH_3DES_EDE_CBC_SHA */
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->attrs, SUITE_3DES | SUITE_BLOCK64 | SUITE_CBC | SUITE_SHA1 | SUITE_KX_RSA |
                                    SUITE_AUTH_RSA);
    ck_assert_int_eq(s->strength, 112);
    s = registry_suite_by_code(0x1301); /* TLS_AES_128_GCM_SHA256 */
    ck_assert_uint_eq(s->attrs, SUITE_AEAD | SUITE_FS);
    s = registry_suite_by_code(0x0018); /* DH_anon_WITH_RC4_128_MD5 */
    ck_assert_uint_eq(s->attrs & (SUITE_ANON | SUITE_RC4 | SUITE_MD5 | SUITE_KX_RSA),
                      SUITE_ANON | SUITE_RC4 | SUITE_MD5);
    s = registry_suite_by_code(0x5600); /* TLS_FALLBACK_SCSV */
    ck_assert(registry_suite_is_scsv(s));
    s = registry_suite_by_code(0xC030); /* ECDHE_RSA_WITH_AES_256_GCM_SHA384 */
    ck_assert_uint_eq(s->attrs, SUITE_AEAD | SUITE_FS | SUITE_KX_ECDHE | SUITE_AUTH_RSA);
    ck_assert_int_eq(s->strength, 256);
    ck_assert_uint_eq(registry_suite_attr_by_name("CBC"), SUITE_CBC);
    ck_assert_uint_eq(registry_suite_attr_by_name("block64"), SUITE_BLOCK64);
    ck_assert_uint_eq(registry_suite_attr_by_name("nonsense"), 0);
    unsigned all = 0;
    for (size_t i = 0; i < n_registry_suite_attr_names; i++) {
        ck_assert_uint_eq(all & registry_suite_attr_names[i].bit, 0); /* each bit once */
        all |= registry_suite_attr_names[i].bit;
    }
    ck_assert_uint_eq(all, (SUITE_AUTH_RSA << 1) - 1); /* every bit named */
}
END_TEST

START_TEST(test_version_names)
{
    ck_assert_str_eq(registry_version_name(TLSV_BIT(TLSV_SSL2)), "SSL2");
    ck_assert_str_eq(registry_version_name(TLSV_BIT(TLSV_SSL3)), "SSL3");
    ck_assert_str_eq(registry_version_name(TLSV_BIT(TLSV_TLS10)), "TLS1.0");
    ck_assert_str_eq(registry_version_name(TLSV_BIT(TLSV_TLS11)), "TLS1.1");
    ck_assert_str_eq(registry_version_name(TLSV_BIT(TLSV_TLS12)), "TLS1.2");
    ck_assert_str_eq(registry_version_name(TLSV_BIT(TLSV_TLS13)), "TLS1.3");
    ck_assert_ptr_null(registry_version_name(0));
    ck_assert_ptr_null(registry_version_name(TLSV_BIT(TLSV_TLS12) | TLSV_BIT(TLSV_TLS13)));
    ck_assert_ptr_null(registry_version_name(0x40));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_counts);
    tcase_add_test(tc, test_suite_attrs_every_row);
    tcase_add_test(tc, test_suite_attrs_samples);
    tcase_add_test(tc, test_recommended_counts);
    tcase_add_test(tc, test_sorted_unique);
    tcase_add_test(tc, test_row_invariants);
    tcase_add_test(tc, test_suite_export_rc4);
    tcase_add_test(tc, test_suite_classic);
    tcase_add_test(tc, test_suite_aead);
    tcase_add_test(tc, test_suite_tls13_and_odd);
    tcase_add_test(tc, test_suite_ssl2);
    tcase_add_test(tc, test_suite_by_code_missing);
    tcase_add_test(tc, test_suite_by_name);
    tcase_add_test(tc, test_groups);
    tcase_add_test(tc, test_sigschemes);
    tcase_add_test(tc, test_version_names);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
