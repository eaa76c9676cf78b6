/*
 * tests/unit/hello_bytes_test.c - the ClientHello builders' output, pinned
 * byte for byte.
 *
 * For every protocol version and every kind of hello the enumeration builds
 * (scanner/enumerate.c task_params: suite bundles with and without SNI, the
 * FFDHE follow-up, group / signature-scheme / key-exchange eliminations, the
 * TLS 1.3 empty key_share, the extension probe with ALPN, plus the options
 * and the error cases), hellos are built with a fixed random at several
 * suite counts (across the RFC 7685 padding window) and hashed: SHA-256
 * over each hello's build result, length and bytes, and hello_max_suites.
 * The expected digests were computed with the builders as they were before
 * the extension table (issue 11) and must never change by accident: a
 * builder change that alters one byte of any hello fails here.
 *
 * The key shares are the one part that differs between processes (fresh
 * keys per process): their key_exchange bytes are zeroed before hashing,
 * their groups and lengths are kept. HELLO_BYTES_PRINT=1 prints the table
 * of digests instead of checking it (to regenerate it on a deliberate
 * change, and say why in the commit).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "common/bytes.h"
#include "scanner/hello.h"

enum variant {
    V_SUITES,    /* T_SUITES: hello_params_init defaults */
    V_SNI,       /* the same with a server name */
    V_FFDHE,     /* the FFDHE follow-up's groups */
    V_GROUPS12,  /* a group elimination list */
    V_GROUPS13,  /* groups with an empty key_share (HRR probe) */
    V_SIGALGS12, /* a signature-scheme elimination list */
    V_KX12,      /* groups and schemes */
    V_EXTS,      /* T_EXTS / T_ETM: every flagged extension and ALPN */
    V_OPTIONS,   /* SCSV, DEFLATE, session id, record version, heartbeat alone */
    V_NOEXT,     /* no extension at all */
    V_ERRORS,    /* names that cannot be encoded */
    N_VARIANTS
};

static const uint16_t versions[] = {TLS_WIRE_SSL2,  TLS_WIRE_SSL3,  TLS_WIRE_TLS10,
                                    TLS_WIRE_TLS11, TLS_WIRE_TLS12, TLS_WIRE_TLS13};
#define N_VERSIONS (sizeof(versions) / sizeof(versions[0]))

/* Suite counts: the smallest hellos, the padding window (256..511 bytes),
 * past it, and large bundles. */
static const size_t counts[] = {1, 8, 40, 70, 100, 120, 160, 300};

static const uint16_t ffdhe_groups[] = {29, 23, 24, 25, 30, 26, 27,  28,  22,  21,  20, 19,
                                        18, 17, 16, 15, 14, 13, 12,  11,  10,  9,   8,  7,
                                        6,  5,  4,  3,  2,  1,  256, 257, 258, 259, 260};
static const uint16_t some_groups[] = {23, 24, 29, 256};
static const uint16_t some_sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0201};
static const char *const alpn[] = {"h2", "http/1.1"};
static const char *const bad_alpn[] = {"h2", ""};

/* Expected digests: [version][variant], hex SHA-256. */
static const char *const expected[N_VERSIONS][N_VARIANTS] = {
    {
        "c78b07a387ca86893290db5f0b82e3368a204da0e596182e2e0e6760bfe4f996",
        "c78b07a387ca86893290db5f0b82e3368a204da0e596182e2e0e6760bfe4f996",
        "c78b07a387ca86893290db5f0b82e3368a204da0e596182e2e0e6760bfe4f996",
        "c78b07a387ca86893290db5f0b82e3368a204da0e596182e2e0e6760bfe4f996",
        "c78b07a387ca86893290db5f0b82e3368a204da0e596182e2e0e6760bfe4f996",
        "c78b07a387ca86893290db5f0b82e3368a204da0e596182e2e0e6760bfe4f996",
        "c78b07a387ca86893290db5f0b82e3368a204da0e596182e2e0e6760bfe4f996",
        "c78b07a387ca86893290db5f0b82e3368a204da0e596182e2e0e6760bfe4f996",
        "c78b07a387ca86893290db5f0b82e3368a204da0e596182e2e0e6760bfe4f996",
        "c78b07a387ca86893290db5f0b82e3368a204da0e596182e2e0e6760bfe4f996",
        "c78b07a387ca86893290db5f0b82e3368a204da0e596182e2e0e6760bfe4f996",
    },
    {
        "86dd0dbfdbdde54231b7cc7be1a30b2c9d78893d064fd1a453d69080861be7c1",
        "86dd0dbfdbdde54231b7cc7be1a30b2c9d78893d064fd1a453d69080861be7c1",
        "86dd0dbfdbdde54231b7cc7be1a30b2c9d78893d064fd1a453d69080861be7c1",
        "86dd0dbfdbdde54231b7cc7be1a30b2c9d78893d064fd1a453d69080861be7c1",
        "86dd0dbfdbdde54231b7cc7be1a30b2c9d78893d064fd1a453d69080861be7c1",
        "86dd0dbfdbdde54231b7cc7be1a30b2c9d78893d064fd1a453d69080861be7c1",
        "86dd0dbfdbdde54231b7cc7be1a30b2c9d78893d064fd1a453d69080861be7c1",
        "86dd0dbfdbdde54231b7cc7be1a30b2c9d78893d064fd1a453d69080861be7c1",
        "e234ae0837394b8857451a2f89293442a582978eb7487b9606c757f4436bf286",
        "86dd0dbfdbdde54231b7cc7be1a30b2c9d78893d064fd1a453d69080861be7c1",
        "86dd0dbfdbdde54231b7cc7be1a30b2c9d78893d064fd1a453d69080861be7c1",
    },
    {
        "82aa77b71e49500307f89e1f1797bf463466cfe9437e5ba49a05825a5c9172e8",
        "515ed4c91bf6fc804ad119f050186d27a19e1dcd0170b56d3f6b0a58b0a3cd3f",
        "f314ab4969b94eb83fa2378bc06095e8f7a469b20fa30d993d4617764accd6f6",
        "1962b77a4ab41e82c59152f732fe3fe2fa4a3505cb12e220b000e4d3ded28393",
        "977a82ea7ef8ce38921a477ac7a9deef5e077b1a34c0525f56d15fe35e87be55",
        "150e25044cf6d067069ebfdef6408ee21ccbfa16101aa690947d97c9dbbaefcd",
        "56444e75385fb874631a7ac0e1558361b2fb407ba245f1b57c25effc1066514e",
        "25afdb3c4fc8e1eac894a529c85351f078e22b5185550a8c69ab1892339e83e9",
        "6b39119a92015b7e39e35b9ce6d390588eb677a30f34d1c97f6a3db75022ae06",
        "b6ab8c2da5170ac7a4695656a50c7ba278b55ea977d3c8d516b44b884096241e",
        "d3032efa823ce406d31e2f0a81bf94f76b7fe51a348d617f560c03b0c2e52dc5",
    },
    {
        "28e8446f6ee43451f313ebde9584088762ab94cdf555b193e1f0865d84a1a532",
        "a5be6b73ca968b06930fa3d9d94ea43584ee80319ccf7678fffd7fa36cc3dd54",
        "9ab15378e47e72e4e9792c6189f5d42a355765bcf9ddf56b5be28f6dfe4ae5e0",
        "519614478dcb7aa3b296c4c3a15fd693883f5a54605c6ae32fe37584d24ffce2",
        "ca7df9c2908e62eac32d93a68af48779c2dcacf010c56223a7203ccb7e88efbd",
        "cb2f56a4156ceda7dc874baed52978f48cdb5a4f4db5b391f751797487f0ca1e",
        "4794a9be084724011b17df0ec9bd782a093593a17a8dd940055b6da286245c3b",
        "ff50ab72bfee6ea4d508b6e4959b73df19690cbf6fbfa469929a382fa1533cb8",
        "3be6091204649b82af4c5c0642bf075a88ba8b067558779dc999d0d4d17da8ce",
        "f9324373743bac7c03ff9faf082bc559bf49cb4d447cc5b838efe07ad9c80205",
        "d3032efa823ce406d31e2f0a81bf94f76b7fe51a348d617f560c03b0c2e52dc5",
    },
    {
        "3ba32c5fab44de3aadd709e1e62b9425d35676591516efd1ee0979f7f3b1ee66",
        "28e9dbf0bf6bbee860d666d6d7ef40ddac7d717a5de71442d8f7980b1aa8f48d",
        "63bd473370bdf74ee16058d67feeef9cb876ad9c928a50e8b33021897377b863",
        "06c1d0ef7594e4d379482b6aa6d5ea4a455edcf501a321e617a7598f7e299438",
        "0db74adebe8e5c562db27eba5a37ffec0b565e845d87ef834fa5d64a7864fe4a",
        "02a6d3ea047e7a2069d6d162a1c0ef3cca350eab0dcad252d388d46347a401e6",
        "bf7d2ae978d2ab3a3d29c768b7ffb7dc1d83298c303731e860435b42751dd643",
        "64c5512d857040f5787c2464a19c63f05467ae75aa2b83a565d18cdb060b12c0",
        "333cbe16c6f4bcc5e7abb53d4da85d57aa6c3f394b48546c2162abf654f0cd27",
        "97ec63f989296488ae8c803c14c515ecbae536d71da8923e36cd263905d6e647",
        "bb2b9024928355ad3db356d1d7ba989c71b1b114da01bace7ea3ea32d94c1e39",
    },
    {
        "f4021738db5b41972eccd6205def019244c93a54b597b66bbe77a7a937a38c79",
        "82ec52805a14a2d000b20f09e0f8d8344fbbf32568a7b00329663a0722b2d866",
        "56f553f4926c0615d813083173a064e20d40fdbdd29960a510b5100399bd3f64",
        "51ec2c3407564bbdabce0ffb42838908e92830ff05b29b8698f6c97b2986612c",
        "96d3d3b21d08334f95e42f92b89a97223090b53973aaa5b6f41c1f3de1e98fec",
        "fa332fc3af59b42129f04debe38215774000cd366e54e6ce7de9107fa9c18d86",
        "1a3f2d2115fac489a19bca1906a2bf817f76ae070f7ccc163b7c71b7761fe56e",
        "407a4b2c6df773acb82b8dee7f746edec5ad50c21fe9a40058b0218e84c6ff0f",
        "76da8e975a4b00f400c674a0260c21b7baa8ef43249db525b3cec8d4e39e5556",
        "0e8368ee5adef82ac1fb67a39f6234b118756bc66b8dffae2d826da680f570a1",
        "b45dea1e9d0fd44dbdb31f440045715b8b3f4048cdbdf37b83b5dfde89918698",
    },
};

static uint32_t suites[400];

static void params_for(struct hello_params *p, uint16_t version, enum variant v, size_t n)
{
    static const uint8_t random[32] = {0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
                                       0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                       0xa5, 0x5a, 0xc3, 0x3c, 0x0f, 0xf0, 0x99, 0x66,
                                       0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    hello_params_init(p, version);
    p->suites = suites;
    p->n_suites = n;
    p->random = random;
    switch (v) {
    case V_SUITES:
        break;
    case V_SNI:
        p->sni = "www.example.test";
        break;
    case V_FFDHE:
        p->groups = ffdhe_groups;
        p->n_groups = sizeof(ffdhe_groups) / sizeof(ffdhe_groups[0]);
        break;
    case V_GROUPS12:
        p->groups = some_groups;
        p->n_groups = 4;
        break;
    case V_GROUPS13:
        p->groups = some_groups;
        p->n_groups = 4;
        p->ext |= HELLO_EXT_KEY_SHARE;
        p->shares = 0;
        break;
    case V_SIGALGS12:
        p->sigalgs = some_sigalgs;
        p->n_sigalgs = 4;
        break;
    case V_KX12:
        p->groups = some_groups;
        p->n_groups = 3;
        p->sigalgs = some_sigalgs;
        p->n_sigalgs = 3;
        break;
    case V_EXTS:
        p->sni = "a.example";
        p->ext |= HELLO_EXT_EXTENDED_MASTER_SECRET | HELLO_EXT_ENCRYPT_THEN_MAC |
                  HELLO_EXT_STATUS_REQUEST | HELLO_EXT_SESSION_TICKET | HELLO_EXT_HEARTBEAT |
                  HELLO_EXT_RENEGOTIATION_INFO;
        p->alpn = alpn;
        p->n_alpn = 2;
        break;
    case V_OPTIONS:
        p->options |= HELLO_OPT_SCSV_RENEGOTIATION | HELLO_OPT_DEFLATE | HELLO_OPT_SESSION_ID;
        p->record_version = TLS_WIRE_TLS12;
        p->ext = HELLO_EXT_HEARTBEAT | (p->ext & HELLO_EXT_KEY_SHARE);
        p->shares &= HELLO_SHARE_SECP256R1;
        break;
    case V_NOEXT:
        p->ext = 0;
        p->n_groups = 0;
        p->n_sigalgs = 0;
        p->n_versions = 0;
        break;
    case V_ERRORS:
        /* alternately an empty SNI and an empty ALPN name */
        if (n % 2 == 0) {
            p->sni = "";
        } else {
            p->alpn = bad_alpn;
            p->n_alpn = 2;
        }
        break;
    default:
        break;
    }
}

/* Zeroes the key_exchange bytes of every KeyShareEntry of a built TLS hello
 * (RFC 8446 §4.2.8), which differ per process. */
static void mask_key_shares(uint8_t *buf, size_t len)
{
    struct rbuf r;
    struct rbuf v;
    struct rbuf exts;
    uint8_t u8;
    uint16_t u16;
    uint32_t u24;
    rbuf_init(&r, buf, len);
    if (!rbuf_get_u8(&r, &u8) || u8 != TLS_CT_HANDSHAKE || !rbuf_get_u16(&r, &u16) ||
        !rbuf_get_u16(&r, &u16) || !rbuf_get_u8(&r, &u8) || !rbuf_get_u24(&r, &u24) ||
        !rbuf_get_u16(&r, &u16) || !rbuf_get_bytes(&r, &v, 32) || !rbuf_get_vec8(&r, &v) ||
        !rbuf_get_vec16(&r, &v) || !rbuf_get_vec8(&r, &v) || !rbuf_get_vec16(&r, &exts)) {
        return;
    }
    while (rbuf_get_u16(&exts, &u16) && rbuf_get_vec16(&exts, &v)) {
        struct rbuf list;
        struct rbuf key;
        if (u16 != TLS_EXT_KEY_SHARE || !rbuf_get_vec16(&v, &list)) {
            continue;
        }
        while (rbuf_get_u16(&list, &u16) && rbuf_get_vec16(&list, &key)) {
            memset(buf + (key.data - buf), 0, key.len);
        }
    }
}

static void digest_case(uint16_t version, enum variant v, char *hex)
{
    static uint8_t out[HELLO_MAX_LEN];
    gnutls_hash_hd_t h;
    uint8_t md[32];
    ck_assert_int_eq(gnutls_hash_init(&h, GNUTLS_DIG_SHA256), 0);
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        struct hello_params p;
        struct wbuf w;
        params_for(&p, version, v, counts[i]);
        wbuf_init_fixed(&w, out, sizeof(out));
        int rc = hello_build(&p, &w);
        size_t len = wbuf_len(&w);
        size_t fit = hello_max_suites(&p, 512);
        size_t fit_max = hello_max_suites(&p, HELLO_MAX_LEN);
        uint8_t head[16] = {(uint8_t)(rc & 0xff),
                            (uint8_t)(len >> 8),
                            (uint8_t)len,
                            (uint8_t)(fit >> 8),
                            (uint8_t)fit,
                            (uint8_t)(fit_max >> 8),
                            (uint8_t)fit_max,
                            (uint8_t)counts[i],
                            (uint8_t)(counts[i] >> 8),
                            0};
        ck_assert_int_eq(gnutls_hash(h, head, sizeof(head)), 0);
        if (rc == HELLO_OK) {
            mask_key_shares(out, len);
            ck_assert_int_eq(gnutls_hash(h, out, len), 0);
        }
    }
    gnutls_hash_deinit(h, md);
    for (size_t i = 0; i < sizeof(md); i++) {
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    }
}

START_TEST(test_hello_bytes)
{
    uint16_t version = versions[_i];
    bool print = getenv("HELLO_BYTES_PRINT") != NULL;
    if (print) {
        printf("    {\n");
    }
    for (int v = 0; v < N_VARIANTS; v++) {
        char hex[65];
        digest_case(version, (enum variant)v, hex);
        if (print) {
            printf("        \"%s\",\n", hex);
            continue;
        }
        ck_assert_msg(strcmp(hex, expected[_i][v]) == 0,
                      "version 0x%04x variant %d: hello bytes changed (%s, expected %s)", version,
                      v, hex, expected[_i][v]);
    }
    if (print) {
        printf("    },\n");
    }
}
END_TEST

/* The masking must not hide anything but the key bytes: two hellos that
 * differ elsewhere hash differently (a check on the test itself). */
START_TEST(test_mask_keeps_the_rest)
{
    char a[65];
    char b[65];
    digest_case(TLS_WIRE_TLS13, V_SUITES, a);
    digest_case(TLS_WIRE_TLS13, V_SNI, b);
    ck_assert_str_ne(a, b);
    digest_case(TLS_WIRE_TLS13, V_SUITES, b);
    ck_assert_str_eq(a, b);
}
END_TEST

int main(void)
{
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        suites[i] = 0x0001 + (uint32_t)i * 7; /* SSLv2 kinds and TLS codes alike */
    }
    Suite *s = suite_create("hello_bytes");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_hello_bytes, 0, (int)N_VERSIONS);
    tcase_add_test(tc, test_mask_keeps_the_rest);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    if (getenv("HELLO_BYTES_PRINT") != NULL) {
        srunner_set_fork_status(sr, CK_NOFORK);
    }
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
