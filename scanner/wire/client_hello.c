/*
 * scanner/wire/client_hello.c - the ClientHello builders of the raw prober
 * (hello.h): SSLv2 record format, SSLv3 and TLS 1.0-1.3, and the key
 * shares. The extensions block is written by the extension table
 * (wire/extensions.c).
 *
 * The only process-wide state is the pair of key shares (x25519 and
 * secp256r1 public keys), generated once with GnuTLS under pthread_once: the
 * handshake never gets past the ServerHello, so the private halves are
 * discarded, but the shares are genuine points a server will accept.
 */
#include "scanner/hello.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "common/model/registry.h"
#include "scanner/wire/wire.h"

#define HELLO_SSL2_CHALLENGE_LEN 16
#define HELLO_RANDOM_LEN 32
#define HELLO_X25519_LEN 32
#define HELLO_P256_LEN 65

/* ---- defaults --------------------------------------------------------------- */

/* Modern groups first, then every older curve and the FFDHE groups, so a
 * TLS <= 1.2 server with any ECDHE curve picks an ECDHE suite it has. */
static const uint16_t hello_default_groups[] = {29, 23, 24, 25, 30, 256, 257, 258, 259, 260, 26, 27,
                                                28, 22, 21, 20, 19, 18,  17,  16,  15,  14,  13, 12,
                                                11, 10, 9,  8,  7,  6,   5,   4,   3,   2,   1};

/* TLS 1.3 schemes, then the TLS 1.2 hash/signature pairs down to MD5 and SHA-1. */
static const uint16_t hello_default_sigalgs[] = {
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a,
    0x080b, 0x081a, 0x081b, 0x081c, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302,
    0x0402, 0x0502, 0x0602, 0x0203, 0x0201, 0x0202, 0x0101, 0x0102, 0x0103};

/* The same without the RFC 7919 FFDHE groups (256-260), for TLS 1.2 and
 * older: see hello_params_init. */
static const uint16_t hello_default_groups12[] = {29, 23, 24, 25, 30, 26, 27, 28, 22, 21,
                                                  20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                  10, 9,  8,  7,  6,  5,  4,  3,  2,  1};

static const uint16_t hello_versions_tls13[] = {TLS_WIRE_TLS13};

void hello_params_init(struct hello_params *p, uint16_t version)
{
    memset(p, 0, sizeof(*p));
    p->version = version;
    if (version == TLS_WIRE_SSL2 || version == TLS_WIRE_SSL3) {
        return;
    }
    if (version >= TLS_WIRE_TLS13) {
        p->groups = hello_default_groups;
        p->n_groups = sizeof(hello_default_groups) / sizeof(hello_default_groups[0]);
    } else {
        p->groups = hello_default_groups12;
        p->n_groups = sizeof(hello_default_groups12) / sizeof(hello_default_groups12[0]);
    }
    p->ext = HELLO_EXT_EC_POINT_FORMATS | HELLO_EXT_RENEGOTIATION_INFO |
             HELLO_EXT_EXTENDED_MASTER_SECRET | HELLO_EXT_ENCRYPT_THEN_MAC |
             HELLO_EXT_SESSION_TICKET | HELLO_EXT_PADDING;
    if (version >= TLS_WIRE_TLS12) {
        p->sigalgs = hello_default_sigalgs;
        p->n_sigalgs = sizeof(hello_default_sigalgs) / sizeof(hello_default_sigalgs[0]);
    }
    if (version >= TLS_WIRE_TLS13) {
        p->version = TLS_WIRE_TLS12;
        p->versions = hello_versions_tls13;
        p->n_versions = 1;
        p->ext |= HELLO_EXT_KEY_SHARE | HELLO_EXT_PSK_KEY_EXCHANGE_MODES;
        p->shares = HELLO_SHARE_X25519 | HELLO_SHARE_SECP256R1;
        p->options = HELLO_OPT_SESSION_ID;
    }
}

/* ---- key shares ---------------------------------------------------------- */

static pthread_once_t hello_keys_once = PTHREAD_ONCE_INIT;
static int hello_keys_status = HELLO_E_KEY;
static uint8_t hello_x25519_pub[HELLO_X25519_LEN];
static uint8_t hello_p256_pub[HELLO_P256_LEN];

/* Copies the unsigned big-endian value d into out, left-padded to out_len. */
static bool hello_copy_padded(const gnutls_datum_t *d, uint8_t *out, size_t out_len)
{
    size_t skip = 0;
    while (skip < d->size && d->data[skip] == 0) {
        skip++;
    }
    size_t n = d->size - skip;
    if (n > out_len) {
        return false;
    }
    memset(out, 0, out_len - n);
    if (n > 0) {
        memcpy(out + out_len - n, d->data + skip, n);
    }
    return true;
}

/* Generates one key pair of pk/curve and writes its public part: the raw
 * x25519 key, or the uncompressed point 04 || x || y (SEC 1 §2.3.3). */
static bool hello_gen_share(gnutls_pk_algorithm_t pk, gnutls_ecc_curve_t curve, uint8_t *out,
                            size_t out_len)
{
    bool ok = false;
    gnutls_privkey_t key = NULL;
    gnutls_ecc_curve_t got;
    gnutls_datum_t x = {NULL, 0};
    gnutls_datum_t y = {NULL, 0};
    gnutls_datum_t k = {NULL, 0};

    if (gnutls_privkey_init(&key) < 0) {
        goto out;
    }
    if (gnutls_privkey_generate2(key, pk, GNUTLS_CURVE_TO_BITS(curve), 0, NULL, 0) < 0) {
        goto out;
    }
    if (gnutls_privkey_export_ecc_raw2(key, &got, &x, &y, &k, 0) < 0 || got != curve) {
        goto out;
    }
    if (pk == GNUTLS_PK_ECDH_X25519) {
        ok = x.size == out_len && out_len == HELLO_X25519_LEN;
        if (ok) {
            memcpy(out, x.data, out_len);
        }
        goto out;
    }
    size_t half = (out_len - 1) / 2;
    out[0] = 0x04;
    ok = hello_copy_padded(&x, out + 1, half) && hello_copy_padded(&y, out + 1 + half, half);
out:
    if (k.data != NULL) {
        gnutls_memset(k.data, 0, k.size);
        gnutls_free(k.data);
    }
    gnutls_free(x.data);
    gnutls_free(y.data);
    if (key != NULL) {
        gnutls_privkey_deinit(key);
    }
    return ok;
}

static void hello_keys_init(void)
{
    if (hello_gen_share(GNUTLS_PK_ECDH_X25519, GNUTLS_ECC_CURVE_X25519, hello_x25519_pub,
                        sizeof(hello_x25519_pub)) &&
        hello_gen_share(GNUTLS_PK_ECDSA, GNUTLS_ECC_CURVE_SECP256R1, hello_p256_pub,
                        sizeof(hello_p256_pub))) {
        hello_keys_status = HELLO_OK;
    }
}

int hello_key_shares(struct rbuf *out_x25519, struct rbuf *out_p256)
{
    if (pthread_once(&hello_keys_once, hello_keys_init) != 0) {
        return HELLO_E_KEY;
    }
    if (hello_keys_status == HELLO_OK) {
        rbuf_init(out_x25519, hello_x25519_pub, sizeof(hello_x25519_pub));
        rbuf_init(out_p256, hello_p256_pub, sizeof(hello_p256_pub));
    }
    return hello_keys_status;
}

/* ---- builders ------------------------------------------------------------ */

bool hello_is_grease(uint16_t v)
{
    return (v & 0x0f0fu) == 0x0a0au && (v >> 8) == (v & 0xffu);
}

static int hello_random(uint8_t *out, size_t len, const uint8_t *given)
{
    if (given != NULL) {
        memcpy(out, given, len);
        return HELLO_OK;
    }
    return gnutls_rnd(GNUTLS_RND_NONCE, out, len) < 0 ? HELLO_E_KEY : HELLO_OK;
}

/* SSL 2.0 CLIENT-HELLO (draft-hickman-netscape-ssl-00, "Client Only Protocol
 * Messages") in a 2-byte-header SSLv2 record: the header's top bit set, then
 * a 15-bit length. The body length is known in advance, so it is written
 * directly rather than patched. */
static int hello_build_ssl2(const struct hello_params *p, size_t n_suites, struct wbuf *out)
{
    uint8_t challenge[HELLO_SSL2_CHALLENGE_LEN];
    if (n_suites == 0 || n_suites > (HELLO_MAX_LEN - 11 - sizeof(challenge)) / 3) {
        return n_suites == 0 ? HELLO_E_PARAM : HELLO_E_TOO_LONG;
    }
    for (size_t i = 0; i < n_suites; i++) {
        if (p->suites[i] > 0xffffffu) {
            return HELLO_E_PARAM;
        }
    }
    int rc = hello_random(challenge, sizeof(challenge), p->random);
    if (rc != HELLO_OK) {
        return rc;
    }
    size_t body_len = 9 + 3 * n_suites + sizeof(challenge);
    wbuf_put_u16(out, (uint16_t)(0x8000u | body_len));
    wbuf_put_u8(out, SSL2_MT_CLIENT_HELLO);
    wbuf_put_u16(out, p->version);
    wbuf_put_u16(out, (uint16_t)(3 * n_suites));
    wbuf_put_u16(out, 0); /* no session id */
    wbuf_put_u16(out, sizeof(challenge));
    for (size_t i = 0; i < n_suites; i++) {
        wbuf_put_u24(out, p->suites[i]);
    }
    wbuf_put_bytes(out, challenge, sizeof(challenge));
    return wbuf_ok(out) ? HELLO_OK : HELLO_E_TOO_LONG;
}

/* cipher_suites<2..2^16-2>: a GREASE value first when asked (RFC 8701
 * §3.1), the first n_suites of p, the renegotiation SCSV when asked. */
static void hello_put_suites(const struct hello_params *p, size_t n_suites, bool scsv,
                             struct wbuf *msg)
{
    struct wbuf v;
    wbuf_open_vec16(msg, &v);
    if (p->options & HELLO_OPT_GREASE) {
        wbuf_put_u16(&v, TLS_GREASE_SUITE);
    }
    for (size_t i = 0; i < n_suites; i++) {
        wbuf_put_u16(&v, (uint16_t)p->suites[i]);
    }
    if (scsv) {
        wbuf_put_u16(&v, TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    }
    wbuf_close(&v);
}

/* TLS ClientHello (RFC 5246 §7.4.1.2, RFC 8446 §4.1.2) as one handshake
 * message (§7.4) in one record (§6.2.1), using the first n_suites suites. */
static int hello_build_tls(const struct hello_params *p, size_t n_suites, struct wbuf *out)
{
    uint8_t random[HELLO_RANDOM_LEN];
    uint8_t session_id[32];
    bool scsv = (p->options & HELLO_OPT_SCSV_RENEGOTIATION) != 0;
    bool ssl3 = p->version <= TLS_WIRE_SSL3;
    struct wbuf rec;
    struct wbuf msg;
    struct wbuf v;
    struct wbuf exts;
    int rc;

    if (n_suites + scsv == 0) {
        return HELLO_E_PARAM;
    }
    for (size_t i = 0; i < n_suites; i++) {
        if (p->suites[i] > 0xffffu) {
            return HELLO_E_PARAM;
        }
    }
    if (p->n_groups > HELLO_MAX_GROUPS) {
        return HELLO_E_PARAM;
    }
    rc = hello_random(random, sizeof(random), p->random);
    if (rc == HELLO_OK && (p->options & HELLO_OPT_SESSION_ID)) {
        /* RFC 8446 §D.4 middlebox compatibility; reuses a given random so a
         * caller asking for fixed bytes gets them */
        rc = hello_random(session_id, sizeof(session_id), p->random);
    }
    if (rc != HELLO_OK) {
        return rc;
    }

    uint16_t rec_version = p->record_version;
    if (rec_version == 0) {
        rec_version = ssl3 ? TLS_WIRE_SSL3 : TLS_WIRE_TLS10;
    }
    wbuf_put_u8(out, TLS_CT_HANDSHAKE);
    wbuf_put_u16(out, rec_version);
    wbuf_open_vec16(out, &rec);
    wbuf_put_u8(&rec, TLS_HS_CLIENT_HELLO);
    wbuf_open_vec24(&rec, &msg);
    wbuf_put_u16(&msg, p->version);
    wbuf_put_bytes(&msg, random, sizeof(random));
    wbuf_open_vec8(&msg, &v);
    if (p->options & HELLO_OPT_SESSION_ID) {
        wbuf_put_bytes(&v, session_id, sizeof(session_id));
    }
    wbuf_close(&v);
    hello_put_suites(p, n_suites, scsv, &msg);
    wbuf_open_vec8(&msg, &v);
    if (p->options & HELLO_OPT_DEFLATE) {
        wbuf_put_u8(&v, 1);
    }
    wbuf_put_u8(&v, 0);
    wbuf_close(&v);
    /* RFC 5246 §7.4.1.2: without extensions the block is left out (servers
     * older than RFC 3546 reject even an empty one); SSLv3 never has one. */
    if (!ssl3 && hello_has_extensions(p)) {
        wbuf_open_vec16(&msg, &exts);
        rc = hello_put_extensions(p, &msg, &exts);
        wbuf_close(&exts);
        if (rc != HELLO_OK) {
            return rc;
        }
    }
    wbuf_close(&msg);
    if (wbuf_len(&rec) > 16384) {
        return HELLO_E_TOO_LONG;
    }
    wbuf_close(&rec);
    return wbuf_ok(out) ? HELLO_OK : HELLO_E_TOO_LONG;
}

static int hello_build_n(const struct hello_params *p, size_t n_suites, struct wbuf *out)
{
    if (n_suites > 0 && p->suites == NULL) {
        return HELLO_E_PARAM;
    }
    if ((p->n_groups > 0 && p->groups == NULL) || (p->n_sigalgs > 0 && p->sigalgs == NULL) ||
        (p->n_versions > 0 && p->versions == NULL) || (p->n_alpn > 0 && p->alpn == NULL)) {
        return HELLO_E_PARAM;
    }
    if (p->version == TLS_WIRE_SSL2) {
        return hello_build_ssl2(p, n_suites, out);
    }
    return hello_build_tls(p, n_suites, out);
}

int hello_build(const struct hello_params *p, struct wbuf *out)
{
    return hello_build_n(p, p->n_suites, out);
}

/* Built length with the first n suites, or SIZE_MAX when it cannot be built. */
static size_t hello_len_with(const struct hello_params *p, size_t n)
{
    struct wbuf w;
    wbuf_init(&w, HELLO_MAX_LEN);
    size_t len = hello_build_n(p, n, &w) == HELLO_OK ? wbuf_len(&w) : SIZE_MAX;
    wbuf_cleanup(&w);
    return len;
}

size_t hello_max_suites(const struct hello_params *p, size_t max_len)
{
    /* the length only grows with n (padding included), so bisect */
    size_t lo = 0;
    size_t hi = p->n_suites;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (hello_len_with(p, mid) <= max_len) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}
