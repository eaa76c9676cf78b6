/*
 * scanner/hello.c - raw ClientHello builders, the record reassembler and
 * the first-flight parsers used by enumeration (see hello.h).
 *
 * Everything the server sends is hostile: every byte is read through an
 * rbuf, every structure has one parse function that checks its lengths and
 * ends with a check that nothing trails, and every size the server controls
 * has a cap (record length, handshake message length, records per flight,
 * bytes per probe, certificates, extensions). A parse failure is an answer
 * (offset + reason), never a crash and never unbounded memory.
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

/* RFC 8446 §4.1.3: the random of a HelloRetryRequest, SHA-256("HelloRetryRequest"). */
static const uint8_t hello_hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* RFC 8446 §4.1.3: the last 8 bytes of a ServerHello.random from a TLS 1.3
 * server that negotiated TLS 1.2 ("DOWNGRD" 01) or an older version (00). */
static const uint8_t hello_downgrade_prefix[7] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44};

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

static const uint16_t hello_versions_tls13[] = {HELLO_TLS13};

void hello_params_init(struct hello_params *p, uint16_t version)
{
    memset(p, 0, sizeof(*p));
    p->version = version;
    if (version == HELLO_SSL2 || version == HELLO_SSL3) {
        return;
    }
    if (version >= HELLO_TLS13) {
        p->groups = hello_default_groups;
        p->n_groups = sizeof(hello_default_groups) / sizeof(hello_default_groups[0]);
    } else {
        p->groups = hello_default_groups12;
        p->n_groups = sizeof(hello_default_groups12) / sizeof(hello_default_groups12[0]);
    }
    p->ext = HELLO_EXT_EC_POINT_FORMATS | HELLO_EXT_RENEGOTIATION_INFO |
             HELLO_EXT_EXTENDED_MASTER_SECRET | HELLO_EXT_ENCRYPT_THEN_MAC |
             HELLO_EXT_SESSION_TICKET | HELLO_EXT_PADDING;
    if (version >= HELLO_TLS12) {
        p->sigalgs = hello_default_sigalgs;
        p->n_sigalgs = sizeof(hello_default_sigalgs) / sizeof(hello_default_sigalgs[0]);
    }
    if (version >= HELLO_TLS13) {
        p->version = HELLO_TLS12;
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

static int hello_keys(void)
{
    if (pthread_once(&hello_keys_once, hello_keys_init) != 0) {
        return HELLO_E_KEY;
    }
    return hello_keys_status;
}

/* ---- builders ------------------------------------------------------------ */

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

/* Opens one extension: its type, then a vec16 for its body. */
static void hello_ext_open(struct wbuf *exts, uint16_t type, struct wbuf *body)
{
    wbuf_put_u16(exts, type);
    wbuf_open_vec16(exts, body);
}

static void hello_ext_empty(struct wbuf *exts, uint16_t type)
{
    wbuf_put_u16(exts, type);
    wbuf_put_u16(exts, 0);
}

static void hello_put_u16_list(struct wbuf *w, const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        wbuf_put_u16(w, v[i]);
    }
}

/* The ClientHello extensions block contents (RFC 5246 §7.4.1.4, RFC 8446
 * §4.2), in a fixed order. msg is the handshake message being built, so the
 * padding extension (RFC 7685) can see its length. */
static int hello_put_extensions(const struct hello_params *p, struct wbuf *msg, struct wbuf *exts)
{
    struct wbuf body;
    struct wbuf list;
    struct wbuf item;

    if (p->sni != NULL) {
        /* RFC 6066 §3: ServerNameList { NameType host_name(0); HostName } */
        size_t n = strlen(p->sni);
        if (n == 0 || n > 255) {
            return HELLO_E_PARAM;
        }
        hello_ext_open(exts, TLS_EXT_SERVER_NAME, &body);
        wbuf_open_vec16(&body, &list);
        wbuf_put_u8(&list, 0);
        wbuf_open_vec16(&list, &item);
        wbuf_put_bytes(&item, (const uint8_t *)p->sni, n);
        wbuf_close(&item);
        wbuf_close(&list);
        wbuf_close(&body);
    }
    if (p->ext & HELLO_EXT_STATUS_REQUEST) {
        /* RFC 6066 §8: status_type ocsp(1), empty responder_id_list and extensions */
        hello_ext_open(exts, TLS_EXT_STATUS_REQUEST, &body);
        wbuf_put_u8(&body, 1);
        wbuf_put_u16(&body, 0);
        wbuf_put_u16(&body, 0);
        wbuf_close(&body);
    }
    if (p->n_groups > 0) {
        /* RFC 8422 §5.1.1, RFC 8446 §4.2.7 */
        hello_ext_open(exts, TLS_EXT_SUPPORTED_GROUPS, &body);
        wbuf_open_vec16(&body, &list);
        hello_put_u16_list(&list, p->groups, p->n_groups);
        wbuf_close(&list);
        wbuf_close(&body);
    }
    if (p->ext & HELLO_EXT_EC_POINT_FORMATS) {
        /* RFC 8422 §5.1.2: uncompressed only */
        hello_ext_open(exts, TLS_EXT_EC_POINT_FORMATS, &body);
        wbuf_open_vec8(&body, &list);
        wbuf_put_u8(&list, 0);
        wbuf_close(&list);
        wbuf_close(&body);
    }
    if (p->n_sigalgs > 0) {
        /* RFC 5246 §7.4.1.4.1, RFC 8446 §4.2.3 */
        hello_ext_open(exts, TLS_EXT_SIGNATURE_ALGORITHMS, &body);
        wbuf_open_vec16(&body, &list);
        hello_put_u16_list(&list, p->sigalgs, p->n_sigalgs);
        wbuf_close(&list);
        wbuf_close(&body);
    }
    if (p->ext & HELLO_EXT_HEARTBEAT) {
        /* RFC 6520 §2: peer_allowed_to_send(1) */
        hello_ext_open(exts, TLS_EXT_HEARTBEAT, &body);
        wbuf_put_u8(&body, 1);
        wbuf_close(&body);
    }
    if (p->n_alpn > 0) {
        /* RFC 7301 §3.1: ProtocolNameList of non-empty ProtocolName<1..255> */
        hello_ext_open(exts, TLS_EXT_ALPN, &body);
        wbuf_open_vec16(&body, &list);
        for (size_t i = 0; i < p->n_alpn; i++) {
            size_t n = p->alpn[i] != NULL ? strlen(p->alpn[i]) : 0;
            if (n == 0 || n > 255) {
                return HELLO_E_PARAM;
            }
            wbuf_open_vec8(&list, &item);
            wbuf_put_bytes(&item, (const uint8_t *)p->alpn[i], n);
            wbuf_close(&item);
        }
        wbuf_close(&list);
        wbuf_close(&body);
    }
    if (p->ext & HELLO_EXT_ENCRYPT_THEN_MAC) {
        hello_ext_empty(exts, TLS_EXT_ENCRYPT_THEN_MAC); /* RFC 7366 §2 */
    }
    if (p->ext & HELLO_EXT_EXTENDED_MASTER_SECRET) {
        hello_ext_empty(exts, TLS_EXT_EXTENDED_MASTER_SECRET); /* RFC 7627 §5.1 */
    }
    if (p->ext & HELLO_EXT_SESSION_TICKET) {
        hello_ext_empty(exts, TLS_EXT_SESSION_TICKET); /* RFC 5077 §3.2: no ticket */
    }
    if (p->n_versions > 0) {
        /* RFC 8446 §4.2.1: ProtocolVersion versions<2..254> */
        if (p->n_versions > HELLO_MAX_VERSIONS) {
            return HELLO_E_PARAM;
        }
        hello_ext_open(exts, TLS_EXT_SUPPORTED_VERSIONS, &body);
        wbuf_open_vec8(&body, &list);
        hello_put_u16_list(&list, p->versions, p->n_versions);
        wbuf_close(&list);
        wbuf_close(&body);
    }
    if (p->ext & HELLO_EXT_PSK_KEY_EXCHANGE_MODES) {
        /* RFC 8446 §4.2.9: psk_dhe_ke(1) */
        hello_ext_open(exts, TLS_EXT_PSK_KEY_EXCHANGE_MODES, &body);
        wbuf_open_vec8(&body, &list);
        wbuf_put_u8(&list, 1);
        wbuf_close(&list);
        wbuf_close(&body);
    }
    if (p->ext & HELLO_EXT_KEY_SHARE) {
        /* RFC 8446 §4.2.8: client_shares<0..2^16-1> of KeyShareEntry */
        if (p->shares != 0) {
            int rc = hello_keys();
            if (rc != HELLO_OK) {
                return rc;
            }
        }
        hello_ext_open(exts, TLS_EXT_KEY_SHARE, &body);
        wbuf_open_vec16(&body, &list);
        if (p->shares & HELLO_SHARE_X25519) {
            wbuf_put_u16(&list, TLS_GROUP_X25519);
            wbuf_open_vec16(&list, &item);
            wbuf_put_bytes(&item, hello_x25519_pub, sizeof(hello_x25519_pub));
            wbuf_close(&item);
        }
        if (p->shares & HELLO_SHARE_SECP256R1) {
            wbuf_put_u16(&list, TLS_GROUP_SECP256R1);
            wbuf_open_vec16(&list, &item);
            wbuf_put_bytes(&item, hello_p256_pub, sizeof(hello_p256_pub));
            wbuf_close(&item);
        }
        wbuf_close(&list);
        wbuf_close(&body);
    }
    if (p->ext & HELLO_EXT_RENEGOTIATION_INFO) {
        /* RFC 5746 §3.2: an empty renegotiated_connection */
        hello_ext_open(exts, TLS_EXT_RENEGOTIATION_INFO, &body);
        wbuf_put_u8(&body, 0);
        wbuf_close(&body);
    }
    if (p->ext & HELLO_EXT_PADDING) {
        /* RFC 7685; some F5 servers hang on hellos of 256..511 bytes (handshake
         * header included), so those are padded to 512, keeping at least one
         * byte of data because a few servers reject an empty last extension. */
        size_t msg_len = 4 + wbuf_len(msg);
        if (msg_len > 0xff && msg_len < 0x200) {
            size_t pad = 0x200 - msg_len;
            pad = pad >= 5 ? pad - 4 : 1;
            hello_ext_open(exts, TLS_EXT_PADDING, &body);
            wbuf_put_zeros(&body, pad);
            wbuf_close(&body);
        }
    }
    return HELLO_OK;
}

/* True when p asks for at least one ClientHello extension. */
static bool hello_has_extensions(const struct hello_params *p)
{
    const unsigned flagged = HELLO_EXT_STATUS_REQUEST | HELLO_EXT_EC_POINT_FORMATS |
                             HELLO_EXT_HEARTBEAT | HELLO_EXT_ENCRYPT_THEN_MAC |
                             HELLO_EXT_EXTENDED_MASTER_SECRET | HELLO_EXT_SESSION_TICKET |
                             HELLO_EXT_PSK_KEY_EXCHANGE_MODES | HELLO_EXT_KEY_SHARE |
                             HELLO_EXT_RENEGOTIATION_INFO | HELLO_EXT_PADDING;
    return p->sni != NULL || p->n_groups > 0 || p->n_sigalgs > 0 || p->n_alpn > 0 ||
           p->n_versions > 0 || (p->ext & flagged) != 0;
}

/* TLS ClientHello (RFC 5246 §7.4.1.2, RFC 8446 §4.1.2) as one handshake
 * message (§7.4) in one record (§6.2.1), using the first n_suites suites. */
static int hello_build_tls(const struct hello_params *p, size_t n_suites, struct wbuf *out)
{
    uint8_t random[HELLO_RANDOM_LEN];
    uint8_t session_id[32];
    bool scsv = (p->options & HELLO_OPT_SCSV_RENEGOTIATION) != 0;
    bool ssl3 = p->version <= HELLO_SSL3;
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
        rec_version = ssl3 ? HELLO_SSL3 : HELLO_TLS10;
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
    wbuf_open_vec16(&msg, &v);
    for (size_t i = 0; i < n_suites; i++) {
        wbuf_put_u16(&v, (uint16_t)p->suites[i]);
    }
    if (scsv) {
        wbuf_put_u16(&v, TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    }
    wbuf_close(&v);
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
    if (p->version == HELLO_SSL2) {
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

/* ---- names ----------------------------------------------------------------- */

struct hello_name {
    uint8_t code;
    const char *name;
};

/* RFC 8446 §6 and the older values of RFC 5246 §7.2, RFC 2246, RFC 6066, RFC 7301 */
static const struct hello_name hello_alert_names[] = {
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {30, "decompression_failure"},
    {40, "handshake_failure"},
    {41, "no_certificate"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {60, "export_restriction"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {86, "inappropriate_fallback"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {109, "missing_extension"},
    {110, "unsupported_extension"},
    {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {120, "no_application_protocol"},
};

/* RFC 8446 §4, RFC 5246 §7.4, RFC 6066 §5 and §8 */
static const struct hello_name hello_handshake_names[] = {
    {0, "HelloRequest"},        {1, "ClientHello"},      {2, "ServerHello"},
    {4, "NewSessionTicket"},    {5, "EndOfEarlyData"},   {6, "HelloRetryRequest"},
    {8, "EncryptedExtensions"}, {11, "Certificate"},     {12, "ServerKeyExchange"},
    {13, "CertificateRequest"}, {14, "ServerHelloDone"}, {15, "CertificateVerify"},
    {16, "ClientKeyExchange"},  {20, "Finished"},        {21, "CertificateURL"},
    {22, "CertificateStatus"},  {24, "KeyUpdate"},       {254, "MessageHash"},
};

static const char *hello_name_of(const struct hello_name *t, size_t n, uint8_t code)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].code == code) {
            return t[i].name;
        }
    }
    return "unknown";
}

const char *hello_alert_name(uint8_t description)
{
    return hello_name_of(hello_alert_names,
                         sizeof(hello_alert_names) / sizeof(hello_alert_names[0]), description);
}

const char *hello_alert_level_name(uint8_t level)
{
    return level == 1 ? "warning" : level == 2 ? "fatal" : "unknown";
}

const char *hello_handshake_name(uint8_t msg_type)
{
    return hello_name_of(hello_handshake_names,
                         sizeof(hello_handshake_names) / sizeof(hello_handshake_names[0]),
                         msg_type);
}

enum hello_kx hello_kx_of_suite(uint16_t suite)
{
    const struct suite_info *s = registry_suite_by_code(suite);
    if (s == NULL || s->kx == NULL || s->auth == NULL) {
        return HELLO_KX_UNKNOWN;
    }
    bool anon = strcmp(s->auth, "anon") == 0;
    if (strcmp(s->kx, "DHE") == 0) {
        return anon ? HELLO_KX_DH_ANON : HELLO_KX_DHE;
    }
    if (strcmp(s->kx, "ECDHE") == 0) {
        return anon ? HELLO_KX_ECDH_ANON : HELLO_KX_ECDHE;
    }
    if (strcmp(s->kx, "RSA") == 0) {
        return s->export_grade ? HELLO_KX_RSA_EXPORT : HELLO_KX_NONE;
    }
    if (strcmp(s->kx, "PSK") == 0 || strcmp(s->kx, "RSA_PSK") == 0) {
        return HELLO_KX_PSK;
    }
    if (strcmp(s->kx, "DHE_PSK") == 0) {
        return HELLO_KX_DHE_PSK;
    }
    if (strcmp(s->kx, "ECDHE_PSK") == 0) {
        return HELLO_KX_ECDHE_PSK;
    }
    if (strcmp(s->kx, "SRP") == 0) {
        return strcmp(s->auth, "SRP") == 0 ? HELLO_KX_SRP : HELLO_KX_SRP_SIGNED;
    }
    if (strcmp(s->kx, "DH") == 0 || strcmp(s->kx, "ECDH") == 0 || strcmp(s->kx, "KRB5") == 0 ||
        strcmp(s->kx, "GOST") == 0 || strcmp(s->kx, "NULL") == 0 || strcmp(s->kx, "any") == 0) {
        return HELLO_KX_NONE;
    }
    return HELLO_KX_UNKNOWN;
}

/* ---- parsers --------------------------------------------------------------- */

/* Records the first problem: at is where it is, base the structure's start. */
static bool hello_fail(struct hello_error *err, const struct rbuf *base, const struct rbuf *at,
                       const char *reason)
{
    if (err != NULL) {
        err->offset = base->data != NULL && at->data != NULL ? (size_t)(at->data - base->data) : 0;
        err->reason = reason;
    }
    return false;
}

/* Bits of an unsigned big-endian number, leading zero bytes ignored. */
static unsigned hello_bn_bits(const struct rbuf *v)
{
    struct rbuf r = *v;
    uint8_t b = 0;
    while (rbuf_get_u8(&r, &b) && b == 0) {
    }
    if (b == 0) {
        return 0;
    }
    unsigned bits = (unsigned)rbuf_remaining(&r) * 8;
    while (b != 0) {
        bits++;
        b >>= 1;
    }
    return bits;
}

/* Reads a non-empty vector of a 1-, 2- or 3-byte prefix. */
static bool hello_get_nonempty(struct rbuf *r, int prefix, struct rbuf *out)
{
    struct rbuf tmp = *r;
    bool ok = prefix == 1   ? rbuf_get_vec8(&tmp, out)
              : prefix == 2 ? rbuf_get_vec16(&tmp, out)
                            : rbuf_get_vec24(&tmp, out);
    if (!ok || out->len == 0) {
        return false;
    }
    *r = tmp;
    return true;
}

bool hello_parse_alert(const struct rbuf *msg, struct hello_alert *out, struct hello_error *err)
{
    /* RFC 5246 §7.2, RFC 8446 §6: struct { AlertLevel level; AlertDescription description; } */
    struct rbuf r = *msg;
    memset(out, 0, sizeof(*out));
    if (!rbuf_get_u8(&r, &out->level) || !rbuf_get_u8(&r, &out->description)) {
        return hello_fail(err, msg, &r, "Alert: truncated");
    }
    if (out->level != 1 && out->level != 2) {
        return hello_fail(err, msg, msg, "Alert: level is neither warning nor fatal");
    }
    if (!rbuf_at_end(&r)) {
        return hello_fail(err, msg, &r, "Alert: trailing bytes");
    }
    return true;
}

/* One ServerHello extension body: type-specific checks. base is the
 * ServerHello, for offsets. */
static bool hello_parse_sh_extension(uint16_t type, const struct rbuf *body,
                                     struct hello_server_hello *out, const struct rbuf *base,
                                     struct hello_error *err)
{
    struct rbuf r = *body;
    struct rbuf v;
    struct rbuf name;
    uint16_t u16;
    uint8_t u8;

    switch (type) {
    case TLS_EXT_SERVER_NAME: /* RFC 6066 §3: empty in the ServerHello */
        out->exts |= HELLO_EXT_SERVER_NAME;
        break;
    case TLS_EXT_MAX_FRAGMENT_LENGTH: /* RFC 6066 §4 */
        out->exts |= HELLO_EXT_MAX_FRAGMENT_LENGTH;
        if (!rbuf_get_u8(&r, &out->max_fragment_length)) {
            return hello_fail(err, base, &r, "max_fragment_length: truncated");
        }
        break;
    case TLS_EXT_STATUS_REQUEST: /* RFC 6066 §8: empty in the ServerHello */
        out->exts |= HELLO_EXT_STATUS_REQUEST;
        break;
    case TLS_EXT_SUPPORTED_GROUPS: /* RFC 8446 §4.2.7 (EncryptedExtensions, sent here by some) */
        out->exts |= HELLO_EXT_SUPPORTED_GROUPS;
        if (!rbuf_get_vec16(&r, &v) || v.len % 2 != 0) {
            return hello_fail(err, base, &r, "supported_groups: bad list length");
        }
        break;
    case TLS_EXT_EC_POINT_FORMATS: /* RFC 8422 §5.2: ec_point_format_list<1..2^8-1> */
        out->exts |= HELLO_EXT_EC_POINT_FORMATS;
        if (!hello_get_nonempty(&r, 1, &v)) {
            return hello_fail(err, base, &r, "ec_point_formats: bad list length");
        }
        while (rbuf_get_u8(&v, &u8)) {
            if (u8 < 8) {
                out->ec_point_formats |= (uint8_t)(1u << u8);
            }
        }
        break;
    case TLS_EXT_SIGNATURE_ALGORITHMS:
        out->exts |= HELLO_EXT_SIGNATURE_ALGORITHMS;
        r.len = 0; /* not a ServerHello extension: recorded, not parsed */
        break;
    case TLS_EXT_HEARTBEAT: /* RFC 6520 §2: HeartbeatMode mode */
        out->exts |= HELLO_EXT_HEARTBEAT;
        if (!rbuf_get_u8(&r, &out->heartbeat_mode)) {
            return hello_fail(err, base, &r, "heartbeat: truncated");
        }
        break;
    case TLS_EXT_ALPN: /* RFC 7301 §3.1: exactly one ProtocolName<1..2^8-1> */
        out->exts |= HELLO_EXT_ALPN;
        if (!hello_get_nonempty(&r, 2, &v) || !hello_get_nonempty(&v, 1, &name) ||
            !rbuf_at_end(&v)) {
            return hello_fail(err, base, &r, "ALPN: not exactly one protocol name");
        }
        out->alpn_len = (uint8_t)name.len;
        if (!rbuf_copy_bytes(&name, out->alpn, name.len)) {
            return hello_fail(err, base, &r, "ALPN: truncated");
        }
        break;
    case TLS_EXT_PADDING:
        out->exts |= HELLO_EXT_PADDING;
        r.len = 0;
        break;
    case TLS_EXT_ENCRYPT_THEN_MAC: /* RFC 7366 §2: empty */
        out->exts |= HELLO_EXT_ENCRYPT_THEN_MAC;
        break;
    case TLS_EXT_EXTENDED_MASTER_SECRET: /* RFC 7627 §5.1: empty */
        out->exts |= HELLO_EXT_EXTENDED_MASTER_SECRET;
        break;
    case TLS_EXT_SESSION_TICKET: /* RFC 5077 §3.2: empty in the ServerHello */
        out->exts |= HELLO_EXT_SESSION_TICKET;
        break;
    case TLS_EXT_PRE_SHARED_KEY: /* RFC 8446 §4.2.11: uint16 selected_identity */
        out->exts |= HELLO_EXT_PRE_SHARED_KEY;
        if (!rbuf_get_u16(&r, &u16)) {
            return hello_fail(err, base, &r, "pre_shared_key: truncated");
        }
        break;
    case TLS_EXT_SUPPORTED_VERSIONS: /* RFC 8446 §4.2.1: ProtocolVersion selected_version */
        out->exts |= HELLO_EXT_SUPPORTED_VERSIONS;
        if (!rbuf_get_u16(&r, &out->version)) {
            return hello_fail(err, base, &r, "supported_versions: truncated");
        }
        break;
    case TLS_EXT_COOKIE: /* RFC 8446 §4.2.2: opaque cookie<1..2^16-1> */
        out->exts |= HELLO_EXT_COOKIE;
        if (!hello_get_nonempty(&r, 2, &v)) {
            return hello_fail(err, base, &r, "cookie: bad length");
        }
        break;
    case TLS_EXT_PSK_KEY_EXCHANGE_MODES:
        out->exts |= HELLO_EXT_PSK_KEY_EXCHANGE_MODES;
        r.len = 0;
        break;
    case TLS_EXT_KEY_SHARE:
        /* RFC 8446 §4.2.8: KeyShareEntry server_share, or in an HRR
         * NamedGroup selected_group */
        out->exts |= HELLO_EXT_KEY_SHARE;
        if (!rbuf_get_u16(&r, &out->key_share_group)) {
            return hello_fail(err, base, &r, "key_share: truncated");
        }
        if (!out->hrr) {
            if (!hello_get_nonempty(&r, 2, &v)) {
                return hello_fail(err, base, &r, "key_share: bad key_exchange length");
            }
            out->key_share_len = v.len;
        }
        break;
    case TLS_EXT_RENEGOTIATION_INFO: /* RFC 5746 §3.2: opaque renegotiated_connection<0..255> */
        out->exts |= HELLO_EXT_RENEGOTIATION_INFO;
        if (!rbuf_get_vec8(&r, &v)) {
            return hello_fail(err, base, &r, "renegotiation_info: bad length");
        }
        out->reneg_info_len = (uint8_t)v.len;
        break;
    default:
        out->exts |= HELLO_EXT_OTHER;
        r.len = 0;
        break;
    }
    if (!rbuf_at_end(&r)) {
        return hello_fail(err, base, &r, "ServerHello: extension with trailing bytes");
    }
    return true;
}

bool hello_parse_server_hello(const struct rbuf *msg, struct hello_server_hello *out,
                              struct hello_error *err)
{
    /* RFC 5246 §7.4.1.3 / RFC 8446 §4.1.3:
     *   ProtocolVersion server_version; Random random; SessionID session_id<0..32>;
     *   CipherSuite cipher_suite; CompressionMethod compression_method;
     *   select (extensions_present) { Extension extensions<0..2^16-1>; } */
    struct rbuf r = *msg;
    struct rbuf sid;
    struct rbuf exts;

    memset(out, 0, sizeof(*out));
    if (!rbuf_get_u16(&r, &out->legacy_version)) {
        return hello_fail(err, msg, &r, "ServerHello: truncated version");
    }
    if (!rbuf_copy_bytes(&r, out->random, sizeof(out->random))) {
        return hello_fail(err, msg, &r, "ServerHello: truncated random");
    }
    out->hrr = memcmp(out->random, hello_hrr_random, sizeof(out->random)) == 0;
    if (memcmp(out->random + 24, hello_downgrade_prefix, sizeof(hello_downgrade_prefix)) == 0) {
        if (out->random[31] == 1) {
            out->downgrade = HELLO_TLS12;
        } else if (out->random[31] == 0) {
            out->downgrade = HELLO_TLS11;
        }
    }
    if (!rbuf_get_vec8(&r, &sid)) {
        return hello_fail(err, msg, &r, "ServerHello: bad session_id length");
    }
    if (sid.len > sizeof(out->session_id)) {
        return hello_fail(err, msg, &sid, "ServerHello: session_id longer than 32");
    }
    out->session_id_len = (uint8_t)sid.len;
    if (!rbuf_copy_bytes(&sid, out->session_id, sid.len)) {
        return hello_fail(err, msg, &sid, "ServerHello: truncated session_id");
    }
    if (!rbuf_get_u16(&r, &out->suite)) {
        return hello_fail(err, msg, &r, "ServerHello: truncated cipher_suite");
    }
    if (!rbuf_get_u8(&r, &out->compression)) {
        return hello_fail(err, msg, &r, "ServerHello: truncated compression_method");
    }
    if (!rbuf_at_end(&r)) {
        if (!rbuf_get_vec16(&r, &exts)) {
            return hello_fail(err, msg, &r, "ServerHello: bad extensions length");
        }
        if (!rbuf_at_end(&r)) {
            return hello_fail(err, msg, &r, "ServerHello: trailing bytes after extensions");
        }
        while (!rbuf_at_end(&exts)) {
            struct rbuf at = exts;
            uint16_t type;
            struct rbuf body;
            if (!rbuf_get_u16(&exts, &type) || !rbuf_get_vec16(&exts, &body)) {
                return hello_fail(err, msg, &at, "ServerHello: truncated extension");
            }
            for (size_t i = 0; i < out->n_ext_types; i++) {
                if (out->ext_types[i] == type) {
                    return hello_fail(err, msg, &at, "ServerHello: duplicate extension");
                }
            }
            if (out->n_ext_types == HELLO_MAX_EXTS) {
                return hello_fail(err, msg, &at, "ServerHello: too many extensions");
            }
            out->ext_types[out->n_ext_types++] = type;
            if (!hello_parse_sh_extension(type, &body, out, msg, err)) {
                return false;
            }
        }
    }
    if (!(out->exts & HELLO_EXT_SUPPORTED_VERSIONS)) {
        out->version = out->legacy_version;
    }
    return true;
}

bool hello_parse_certificate(const struct rbuf *msg, size_t max_certs,
                             struct hello_certificate *out, struct hello_error *err)
{
    /* RFC 5246 §7.4.2: opaque ASN.1Cert<1..2^24-1>;
     *   struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate; */
    struct rbuf r = *msg;
    struct rbuf list;

    memset(out, 0, sizeof(*out));
    if (max_certs > HELLO_MAX_CERTS) {
        max_certs = HELLO_MAX_CERTS;
    }
    if (!rbuf_get_vec24(&r, &list)) {
        return hello_fail(err, msg, &r, "Certificate: bad certificate_list length");
    }
    if (!rbuf_at_end(&r)) {
        return hello_fail(err, msg, &r, "Certificate: trailing bytes");
    }
    while (!rbuf_at_end(&list)) {
        struct rbuf at = list;
        struct rbuf cert;
        if (!hello_get_nonempty(&list, 3, &cert)) {
            return hello_fail(err, msg, &at, "Certificate: bad certificate length");
        }
        if (out->n_certs == max_certs) {
            return hello_fail(err, msg, &at, "Certificate: too many certificates");
        }
        out->certs[out->n_certs++] = cert;
    }
    return true;
}

/* ServerDHParams (RFC 5246 §7.4.3): opaque dh_p<1..2^16-1>, dh_g<1..2^16-1>, dh_Ys<1..2^16-1> */
static bool hello_parse_server_dh_params(struct rbuf *r, struct hello_ske *out,
                                         const struct rbuf *base, struct hello_error *err)
{
    if (!hello_get_nonempty(r, 2, &out->dh_p)) {
        return hello_fail(err, base, r, "ServerDHParams: bad dh_p length");
    }
    if (!hello_get_nonempty(r, 2, &out->dh_g)) {
        return hello_fail(err, base, r, "ServerDHParams: bad dh_g length");
    }
    if (!hello_get_nonempty(r, 2, &out->dh_ys)) {
        return hello_fail(err, base, r, "ServerDHParams: bad dh_Ys length");
    }
    out->dh_p_bits = hello_bn_bits(&out->dh_p);
    if (hello_bn_bits(&out->dh_g) <= 64) {
        struct rbuf g = out->dh_g;
        uint8_t b;
        out->dh_g_value = 0;
        while (rbuf_get_u8(&g, &b)) {
            out->dh_g_value = (out->dh_g_value << 8) | b;
        }
    } else {
        out->dh_g_value = UINT64_MAX;
    }
    return true;
}

/* ECCurve (RFC 4492 §5.4): opaque a<1..2^8-1>; opaque b<1..2^8-1>; then
 * ECPoint base, opaque order<1..2^8-1>, opaque cofactor<1..2^8-1>. */
static bool hello_parse_explicit_tail(struct rbuf *r)
{
    struct rbuf v;
    for (int i = 0; i < 5; i++) {
        if (!hello_get_nonempty(r, 1, &v)) {
            return false;
        }
    }
    return true;
}

/* ServerECDHParams (RFC 8422 §5.4, explicit curves from RFC 4492 §5.4):
 * ECParameters curve_params; ECPoint public (opaque point<1..2^8-1>). */
static bool hello_parse_server_ecdh_params(struct rbuf *r, struct hello_ske *out,
                                           const struct rbuf *base, struct hello_error *err)
{
    struct rbuf v;
    uint16_t m;
    uint8_t basis;

    if (!rbuf_get_u8(r, &out->ec_curve_type)) {
        return hello_fail(err, base, r, "ECParameters: truncated curve_type");
    }
    switch (out->ec_curve_type) {
    case 3: /* named_curve */
        if (!rbuf_get_u16(r, &out->ec_group)) {
            return hello_fail(err, base, r, "ECParameters: truncated namedcurve");
        }
        break;
    case 1: /* explicit_prime: opaque prime_p<1..2^8-1>; ECCurve; ... */
        if (!hello_get_nonempty(r, 1, &v)) {
            return hello_fail(err, base, r, "ECParameters: bad prime_p length");
        }
        out->ec_field_bits = hello_bn_bits(&v);
        if (!hello_parse_explicit_tail(r)) {
            return hello_fail(err, base, r, "ECParameters: bad explicit_prime curve");
        }
        break;
    case 2: /* explicit_char2: uint16 m; ECBasisType basis; ks; ECCurve; ... */
        if (!rbuf_get_u16(r, &m) || !rbuf_get_u8(r, &basis)) {
            return hello_fail(err, base, r, "ECParameters: truncated char2 field");
        }
        out->ec_field_bits = m;
        for (int i = 0; i < (basis == 1 ? 1 : basis == 2 ? 3 : 0); i++) {
            if (!hello_get_nonempty(r, 1, &v)) {
                return hello_fail(err, base, r, "ECParameters: bad char2 basis");
            }
        }
        if ((basis != 1 && basis != 2) || !hello_parse_explicit_tail(r)) {
            return hello_fail(err, base, r, "ECParameters: bad explicit_char2 curve");
        }
        break;
    default:
        return hello_fail(err, base, r, "ECParameters: unknown curve_type");
    }
    if (!hello_get_nonempty(r, 1, &out->ec_point)) {
        return hello_fail(err, base, r, "ServerECDHParams: bad public point length");
    }
    return true;
}

bool hello_parse_server_key_exchange(const struct rbuf *msg, enum hello_kx kx, uint16_t version,
                                     struct hello_ske *out, struct hello_error *err)
{
    /* RFC 5246 §7.4.3 (and RFC 2246 §7.4.3, RFC 4279, RFC 5489, RFC 5054, RFC 8422):
     * the kind's parameters, then for signed kinds digitally-signed (§4.7):
     * TLS 1.2 prefixes the signature with a SignatureAndHashAlgorithm. */
    struct rbuf r = *msg;
    bool is_signed = false;

    memset(out, 0, sizeof(*out));
    out->kx = kx;
    switch (kx) {
    case HELLO_KX_NONE:
        return hello_fail(err, msg, &r, "ServerKeyExchange: the suite's key exchange has none");
    case HELLO_KX_UNKNOWN:
        return true;
    case HELLO_KX_DHE:
    case HELLO_KX_DH_ANON:
        is_signed = kx == HELLO_KX_DHE;
        if (!hello_parse_server_dh_params(&r, out, msg, err)) {
            return false;
        }
        break;
    case HELLO_KX_ECDHE:
    case HELLO_KX_ECDH_ANON:
        is_signed = kx == HELLO_KX_ECDHE;
        if (!hello_parse_server_ecdh_params(&r, out, msg, err)) {
            return false;
        }
        break;
    case HELLO_KX_RSA_EXPORT:
        /* RFC 2246 §7.4.3: ServerRSAParams opaque rsa_modulus<1..2^16-1>,
         * rsa_exponent<1..2^16-1> */
        is_signed = true;
        if (!hello_get_nonempty(&r, 2, &out->rsa_modulus) ||
            !hello_get_nonempty(&r, 2, &out->rsa_exponent)) {
            return hello_fail(err, msg, &r, "ServerRSAParams: bad length");
        }
        out->rsa_modulus_bits = hello_bn_bits(&out->rsa_modulus);
        break;
    case HELLO_KX_PSK:
    case HELLO_KX_DHE_PSK:
    case HELLO_KX_ECDHE_PSK:
        /* RFC 4279 §2, §3; RFC 5489 §2: opaque psk_identity_hint<0..2^16-1> first */
        if (!rbuf_get_vec16(&r, &out->psk_hint)) {
            return hello_fail(err, msg, &r, "ServerKeyExchange: bad psk_identity_hint length");
        }
        if (kx == HELLO_KX_DHE_PSK && !hello_parse_server_dh_params(&r, out, msg, err)) {
            return false;
        }
        if (kx == HELLO_KX_ECDHE_PSK && !hello_parse_server_ecdh_params(&r, out, msg, err)) {
            return false;
        }
        break;
    case HELLO_KX_SRP_SIGNED:
    case HELLO_KX_SRP:
        is_signed = kx == HELLO_KX_SRP_SIGNED;
        /* RFC 5054 §2.8.2: opaque srp_N<1..2^16-1>, srp_g<1..2^16-1>,
         * srp_s<1..2^8-1>, srp_B<1..2^16-1> */
        if (!hello_get_nonempty(&r, 2, &out->srp_n) || !hello_get_nonempty(&r, 2, &out->srp_g) ||
            !hello_get_nonempty(&r, 1, &out->srp_s) || !hello_get_nonempty(&r, 2, &out->srp_b)) {
            return hello_fail(err, msg, &r, "ServerSRPParams: bad length");
        }
        out->srp_n_bits = hello_bn_bits(&out->srp_n);
        break;
    default:
        return hello_fail(err, msg, &r, "ServerKeyExchange: unknown key exchange kind");
    }
    if (is_signed) {
        out->has_signature = true;
        if (version >= HELLO_TLS12 && !rbuf_get_u16(&r, &out->sig_scheme)) {
            return hello_fail(err, msg, &r, "ServerKeyExchange: truncated signature algorithm");
        }
        if (!rbuf_get_vec16(&r, &out->signature)) {
            return hello_fail(err, msg, &r, "ServerKeyExchange: bad signature length");
        }
    }
    if (!rbuf_at_end(&r)) {
        return hello_fail(err, msg, &r, "ServerKeyExchange: trailing bytes");
    }
    return true;
}

bool hello_parse_server_hello_done(const struct rbuf *msg, struct hello_error *err)
{
    /* RFC 5246 §7.4.5: struct { } ServerHelloDone; */
    if (!rbuf_at_end(msg)) {
        return hello_fail(err, msg, msg, "ServerHelloDone: not empty");
    }
    return true;
}

/* RFC 6066 §8: struct { CertificateStatusType status_type; select (status_type)
 * { case ocsp: OCSPResponse; } } with opaque OCSPResponse<1..2^24-1>. */
static bool hello_parse_certificate_status(const struct rbuf *msg, struct hello_error *err)
{
    struct rbuf r = *msg;
    struct rbuf v;
    uint8_t type;
    if (!rbuf_get_u8(&r, &type)) {
        return hello_fail(err, msg, &r, "CertificateStatus: truncated");
    }
    if (type != 1) {
        return hello_fail(err, msg, msg, "CertificateStatus: unknown status_type");
    }
    if (!hello_get_nonempty(&r, 3, &v)) {
        return hello_fail(err, msg, &r, "CertificateStatus: bad OCSPResponse length");
    }
    if (!rbuf_at_end(&r)) {
        return hello_fail(err, msg, &r, "CertificateStatus: trailing bytes");
    }
    return true;
}

/* RFC 5246 §7.4.4: ClientCertificateType certificate_types<1..2^8-1>;
 * [TLS 1.2: SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;]
 * DistinguishedName certificate_authorities<0..2^16-1>. */
static bool hello_parse_certificate_request(const struct rbuf *msg, uint16_t version,
                                            struct hello_error *err)
{
    struct rbuf r = *msg;
    struct rbuf v;
    if (!hello_get_nonempty(&r, 1, &v)) {
        return hello_fail(err, msg, &r, "CertificateRequest: bad certificate_types length");
    }
    if (version >= HELLO_TLS12 && (!hello_get_nonempty(&r, 2, &v) || v.len % 2 != 0)) {
        return hello_fail(err, msg, &r, "CertificateRequest: bad signature algorithms length");
    }
    if (!rbuf_get_vec16(&r, &v)) {
        return hello_fail(err, msg, &r, "CertificateRequest: bad certificate_authorities length");
    }
    if (!rbuf_at_end(&r)) {
        return hello_fail(err, msg, &r, "CertificateRequest: trailing bytes");
    }
    return true;
}

bool hello_parse_ssl2_server_hello(const struct rbuf *msg, struct hello_ssl2_server_hello *out,
                                   struct hello_error *err)
{
    /* SSL 2.0: char MSG-SERVER-HELLO; SESSION-ID-HIT; CERTIFICATE-TYPE;
     * SERVER-VERSION[2]; CERTIFICATE-LENGTH[2]; CIPHER-SPECS-LENGTH[2];
     * CONNECTION-ID-LENGTH[2]; then the certificate, the 3-byte cipher specs
     * and the connection id (16 to 32 bytes). */
    struct rbuf r = *msg;
    struct rbuf specs;
    uint8_t type;
    uint16_t cert_len;
    uint16_t specs_len;
    uint16_t cid_len;

    memset(out, 0, sizeof(*out));
    if (!rbuf_get_u8(&r, &type) || !rbuf_get_u8(&r, &out->session_id_hit) ||
        !rbuf_get_u8(&r, &out->certificate_type) || !rbuf_get_u16(&r, &out->version) ||
        !rbuf_get_u16(&r, &cert_len) || !rbuf_get_u16(&r, &specs_len) ||
        !rbuf_get_u16(&r, &cid_len)) {
        return hello_fail(err, msg, &r, "SSLv2 SERVER-HELLO: truncated header");
    }
    if (type != SSL2_MT_SERVER_HELLO) {
        return hello_fail(err, msg, msg, "SSLv2 SERVER-HELLO: wrong message type");
    }
    if (specs_len % 3 != 0) {
        return hello_fail(err, msg, &r, "SSLv2 SERVER-HELLO: cipher specs not 3-byte kinds");
    }
    if (specs_len / 3 > HELLO_MAX_SSL2_KINDS) {
        return hello_fail(err, msg, &r, "SSLv2 SERVER-HELLO: too many cipher kinds");
    }
    if (cid_len < 16 || cid_len > 32) {
        return hello_fail(err, msg, &r, "SSLv2 SERVER-HELLO: connection id not 16..32 bytes");
    }
    if (!rbuf_get_bytes(&r, &out->certificate, cert_len)) {
        return hello_fail(err, msg, &r, "SSLv2 SERVER-HELLO: truncated certificate");
    }
    if (!rbuf_get_bytes(&r, &specs, specs_len)) {
        return hello_fail(err, msg, &r, "SSLv2 SERVER-HELLO: truncated cipher specs");
    }
    while (out->n_kinds < HELLO_MAX_SSL2_KINDS && rbuf_get_u24(&specs, &out->kinds[out->n_kinds])) {
        out->n_kinds++;
    }
    if (!rbuf_get_bytes(&r, &out->connection_id, cid_len)) {
        return hello_fail(err, msg, &r, "SSLv2 SERVER-HELLO: truncated connection id");
    }
    if (!rbuf_at_end(&r)) {
        return hello_fail(err, msg, &r, "SSLv2 SERVER-HELLO: trailing bytes");
    }
    return true;
}

/* SSL 2.0 ERROR: char MSG-ERROR; char ERROR-CODE-MSB, ERROR-CODE-LSB. */
static bool hello_parse_ssl2_error(const struct rbuf *msg, uint16_t *out_code,
                                   struct hello_error *err)
{
    struct rbuf r = *msg;
    uint8_t type;
    if (!rbuf_get_u8(&r, &type) || type != SSL2_MT_ERROR) {
        return hello_fail(err, msg, msg, "SSLv2 ERROR: wrong message type");
    }
    if (!rbuf_get_u16(&r, out_code)) {
        return hello_fail(err, msg, &r, "SSLv2 ERROR: truncated");
    }
    if (!rbuf_at_end(&r)) {
        return hello_fail(err, msg, &r, "SSLv2 ERROR: trailing bytes");
    }
    return true;
}

/* ---- record reassembly ------------------------------------------------------ */

void hello_reader_init(struct hello_reader *r, size_t max_bytes)
{
    memset(r, 0, sizeof(*r));
    if (max_bytes == 0) {
        max_bytes = HELLO_FLIGHT_DEFAULT_MAX;
    }
    r->max_bytes = max_bytes < HELLO_FLIGHT_MAX_MAX ? max_bytes : HELLO_FLIGHT_MAX_MAX;
}

void hello_reader_cleanup(struct hello_reader *r)
{
    free(r->hs);
    free(r->map);
    hello_reader_init(r, r->max_bytes);
}

static enum hello_rec_kind hello_reader_error(struct hello_reader *r, struct hello_rec_event *ev,
                                              size_t raw_offset, const char *reason)
{
    r->failed = true;
    r->err.offset = raw_offset;
    r->err.reason = reason;
    ev->kind = HELLO_REC_ERROR;
    ev->err = r->err;
    return HELLO_REC_ERROR;
}

/* Makes room for n more handshake bytes; false when out of memory. The total
 * never exceeds max_bytes, since each byte was counted against it. */
static bool hello_reader_grow(struct hello_reader *r, size_t n)
{
    if (n <= r->hs_alloc - r->hs_len) {
        return true;
    }
    size_t want = r->hs_len + n;
    size_t alloc = r->hs_alloc < 1024 ? 2048 : r->hs_alloc * 2;
    if (alloc < want) {
        alloc = want;
    }
    if (alloc > r->max_bytes) {
        alloc = r->max_bytes < want ? want : r->max_bytes;
    }
    uint8_t *p = realloc(r->hs, alloc);
    if (p == NULL) {
        return false;
    }
    r->hs = p;
    r->hs_alloc = alloc;
    return true;
}

size_t hello_reader_raw_offset(const struct hello_reader *r, size_t hs_offset)
{
    /* the last record whose body starts at or before hs_offset */
    size_t lo = 0;
    size_t hi = r->n_map;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->map[mid].hs_off <= hs_offset) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return hs_offset; /* an SSLv2 record, or nothing mapped yet */
    }
    return r->map[lo - 1].raw_off + (hs_offset - r->map[lo - 1].hs_off);
}

bool hello_reader_pending(const struct hello_reader *r)
{
    return r->in_record || r->hdr_len > 0 || r->alert_len > 0 || r->hs_pos < r->hs_len;
}

/* A complete handshake message at hs_pos becomes an event (RFC 5246 §7.4:
 * HandshakeType msg_type; uint24 length; body). */
static enum hello_rec_kind hello_reader_message(struct hello_reader *r, struct hello_rec_event *ev)
{
    struct rbuf rest;
    struct rbuf body;
    uint8_t type;
    uint32_t len;

    if (r->hs == NULL) {
        return HELLO_REC_NEED_MORE;
    }
    rbuf_init(&rest, r->hs + r->hs_pos, r->hs_len - r->hs_pos);
    if (!rbuf_get_u8(&rest, &type) || !rbuf_get_u24(&rest, &len)) {
        return HELLO_REC_NEED_MORE;
    }
    if (len > r->max_bytes) {
        return hello_reader_error(r, ev, hello_reader_raw_offset(r, r->hs_pos + 1),
                                  "handshake message longer than the bytes allowed per probe");
    }
    if (!rbuf_get_bytes(&rest, &body, len)) {
        return HELLO_REC_NEED_MORE;
    }
    ev->kind = HELLO_REC_HANDSHAKE;
    ev->type = type;
    ev->body = body;
    ev->msg_offset = r->hs_pos;
    ev->raw_offset = hello_reader_raw_offset(r, r->hs_pos);
    r->hs_pos += 4 + len;
    return HELLO_REC_HANDSHAKE;
}

/* Parses a complete record header (RFC 5246 §6.2.1, RFC 8446 §5.1):
 * ContentType type; ProtocolVersion version; uint16 length. */
static enum hello_rec_kind hello_reader_header(struct hello_reader *r, struct hello_rec_event *ev)
{
    size_t start = r->n_raw - r->hdr_len;
    struct rbuf h;
    uint16_t len;

    rbuf_init(&h, r->hdr, r->hdr_len);
    r->hdr_len = 0;
    if (r->ssl2) {
        /* SSL 2.0 two-byte header: top bit set, 15-bit length */
        /* the shortest first message a server sends is a 3-byte ERROR */
        if (!rbuf_get_u16(&h, &len) || (len & 0x7fff) < 3) {
            return hello_reader_error(r, ev, start, "SSLv2 record: too short");
        }
        r->rec_left = len & 0x7fff;
        r->in_record = true;
        r->seen_record = true;
        return HELLO_REC_NEED_MORE;
    }
    if (!rbuf_get_u8(&h, &r->rec_type) || !rbuf_get_u16(&h, &r->rec_version) ||
        !rbuf_get_u16(&h, &len)) {
        return hello_reader_error(r, ev, start, "record: truncated header");
    }
    if (r->rec_type < TLS_CT_CHANGE_CIPHER_SPEC || r->rec_type > TLS_CT_HEARTBEAT) {
        return hello_reader_error(r, ev, start, "record: unknown content type");
    }
    if ((r->rec_version >> 8) != 3) {
        return hello_reader_error(r, ev, start + 1, "record: version is not 3.x");
    }
    if (len > HELLO_RECORD_MAX) {
        return hello_reader_error(r, ev, start + 3, "record: longer than 2^14 + 2048");
    }
    if (len == 0 && r->rec_type != TLS_CT_APPLICATION_DATA) {
        /* RFC 5246 §6.2.1: no zero-length handshake, alert or CCS fragments */
        return hello_reader_error(r, ev, start + 3, "record: empty");
    }
    if (r->alert_len > 0 && r->rec_type != TLS_CT_ALERT) {
        return hello_reader_error(r, ev, start, "record: alert split around another record");
    }
    if (r->hs_pos < r->hs_len && r->rec_type != TLS_CT_HANDSHAKE) {
        /* RFC 8446 §5.1: handshake fragments must not be interleaved */
        return hello_reader_error(r, ev, start,
                                  "record: handshake message split around another record");
    }
    if (!r->seen_record) {
        r->first_version = r->rec_version;
    }
    r->seen_record = true;
    r->rec_left = len;
    r->in_record = true;
    r->n_records++;
    if (r->rec_type == TLS_CT_HANDSHAKE) {
        if (r->n_map == HELLO_MAX_RECORDS) {
            return hello_reader_error(r, ev, start, "record: too many handshake records");
        }
        if (r->n_map == r->map_alloc) {
            size_t n = r->map_alloc == 0 ? 8 : r->map_alloc * 2;
            struct hello_rec_map *m = realloc(r->map, n * sizeof(*m));
            if (m == NULL) {
                return hello_reader_error(r, ev, start, "out of memory");
            }
            r->map = m;
            r->map_alloc = n;
        }
        r->map[r->n_map].hs_off = r->hs_len;
        r->map[r->n_map].raw_off = r->n_raw;
        r->n_map++;
    }
    if (r->rec_type != TLS_CT_HANDSHAKE && r->rec_type != TLS_CT_ALERT) {
        ev->kind = HELLO_REC_OTHER;
        ev->type = r->rec_type;
        ev->raw_offset = start;
        return HELLO_REC_OTHER;
    }
    return HELLO_REC_NEED_MORE;
}

/* Bytes still missing from the handshake message at hs_pos (its header
 * first); only called when that message is incomplete. */
static size_t hello_reader_need(const struct hello_reader *r)
{
    struct rbuf rest;
    uint8_t type;
    uint32_t len;
    if (r->hs == NULL) {
        return 4;
    }
    rbuf_init(&rest, r->hs + r->hs_pos, r->hs_len - r->hs_pos);
    if (!rbuf_get_u8(&rest, &type) || !rbuf_get_u24(&rest, &len)) {
        return 4 - (r->hs_len - r->hs_pos);
    }
    return len - rbuf_remaining(&rest);
}

enum hello_rec_kind hello_reader_next(struct hello_reader *r, const uint8_t **in, size_t *in_len,
                                      struct hello_rec_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    if (r->failed) {
        ev->kind = HELLO_REC_ERROR;
        ev->err = r->err;
        return HELLO_REC_ERROR;
    }
    for (;;) {
        enum hello_rec_kind k = r->ssl2 ? HELLO_REC_NEED_MORE : hello_reader_message(r, ev);
        if (k != HELLO_REC_NEED_MORE) {
            return k;
        }
        if (*in_len == 0) {
            ev->kind = HELLO_REC_NEED_MORE;
            return HELLO_REC_NEED_MORE;
        }
        if (r->n_raw == r->max_bytes) {
            return hello_reader_error(r, ev, r->n_raw, "more bytes than allowed per probe");
        }
        size_t avail = *in_len;
        if (avail > r->max_bytes - r->n_raw) {
            avail = r->max_bytes - r->n_raw;
        }
        struct rbuf src;
        rbuf_init(&src, *in, avail);

        if (!r->in_record) {
            if (r->hdr_len == 0) {
                struct rbuf peek = src;
                uint8_t b0 = 0;
                r->ssl2 = !r->seen_record && rbuf_get_u8(&peek, &b0) && (b0 & 0x80) != 0;
            }
            size_t need = (r->ssl2 ? 2u : 5u) - r->hdr_len;
            size_t n = avail < need ? avail : need;
            if (!rbuf_copy_bytes(&src, r->hdr + r->hdr_len, n)) {
                return hello_reader_error(r, ev, r->n_raw, "internal: header copy");
            }
            r->hdr_len = (uint8_t)(r->hdr_len + n);
            r->n_raw += n;
            *in += n;
            *in_len -= n;
            if (n == need) {
                k = hello_reader_header(r, ev);
                if (k != HELLO_REC_NEED_MORE) {
                    return k;
                }
            }
            continue;
        }

        size_t n = avail < r->rec_left ? avail : r->rec_left;
        if (!r->ssl2 && r->rec_type == TLS_CT_HANDSHAKE) {
            /* take no more than the current message needs, so the bytes
             * consumed at an event do not depend on how reads were split */
            size_t need = hello_reader_need(r);
            n = n < need ? n : need;
        }
        if (r->ssl2 && r->hs_len == 0) {
            /* decide on the first byte: a server's first SSLv2 message is
             * an ERROR or a SERVER-HELLO, anything else is not SSLv2 */
            struct rbuf peek = src;
            uint8_t mt = 0xff;
            if (!rbuf_get_u8(&peek, &mt) || (mt != SSL2_MT_ERROR && mt != SSL2_MT_SERVER_HELLO)) {
                return hello_reader_error(r, ev, r->n_raw,
                                          "SSLv2 record: not a server's first message");
            }
        }
        if (r->ssl2 || r->rec_type == TLS_CT_HANDSHAKE) {
            if (!hello_reader_grow(r, n)) {
                return hello_reader_error(r, ev, r->n_raw, "out of memory");
            }
            if (!rbuf_copy_bytes(&src, r->hs + r->hs_len, n)) {
                return hello_reader_error(r, ev, r->n_raw, "internal: body copy");
            }
            r->hs_len += n;
        } else if (r->rec_type == TLS_CT_ALERT) {
            /* one alert at a time: stop after the byte that completes one */
            size_t want = 2u - r->alert_len;
            n = n < want ? n : want;
            if (!rbuf_copy_bytes(&src, r->alert + r->alert_len, n)) {
                return hello_reader_error(r, ev, r->n_raw, "internal: alert copy");
            }
            r->alert_len = (uint8_t)(r->alert_len + n);
        }
        r->n_raw += n;
        r->rec_left -= n;
        *in += n;
        *in_len -= n;
        if (r->rec_left == 0) {
            r->in_record = false;
        }
        if (r->ssl2 && !r->in_record) {
            r->ssl2 = false;
            ev->kind = HELLO_REC_SSL2;
            rbuf_init(&ev->body, r->hs, r->hs_len);
            r->hs_pos = r->hs_len;
            ev->raw_offset = 0;
            return HELLO_REC_SSL2;
        }
        if (!r->ssl2 && r->rec_type == TLS_CT_ALERT && r->alert_len == 2) {
            struct rbuf a;
            rbuf_init(&a, r->alert, 2);
            r->alert_len = 0;
            ev->kind = HELLO_REC_ALERT;
            ev->raw_offset = r->n_raw - 2; /* approximate when the alert was split */
            if (!hello_parse_alert(&a, &ev->alert, &ev->err)) {
                return hello_reader_error(r, ev, ev->raw_offset, ev->err.reason);
            }
            return HELLO_REC_ALERT;
        }
    }
}

/* ---- the first-flight driver -------------------------------------------------- */

/* Order of the TLS <= 1.2 messages after the ServerHello (RFC 5246 §7.3). */
enum {
    HELLO_STAGE_HELLO = 0,
    HELLO_STAGE_CERTIFICATE,
    HELLO_STAGE_CERTIFICATE_STATUS,
    HELLO_STAGE_SKE,
    HELLO_STAGE_CERTIFICATE_REQUEST,
    HELLO_STAGE_DONE,
};

/* The extensions a hello built from p sends, as HELLO_EXT_* bits. */
static unsigned hello_offered_exts(const struct hello_params *p)
{
    unsigned e = 0;
    if (p->version == HELLO_SSL2) {
        return 0;
    }
    if (p->version > HELLO_SSL3 && hello_has_extensions(p)) {
        e = p->ext &
            ~(HELLO_EXT_SERVER_NAME | HELLO_EXT_SUPPORTED_GROUPS | HELLO_EXT_SIGNATURE_ALGORITHMS |
              HELLO_EXT_ALPN | HELLO_EXT_SUPPORTED_VERSIONS | HELLO_EXT_COOKIE |
              HELLO_EXT_MAX_FRAGMENT_LENGTH | HELLO_EXT_PRE_SHARED_KEY | HELLO_EXT_OTHER);
        e |= p->sni != NULL ? HELLO_EXT_SERVER_NAME : 0;
        e |= p->n_groups > 0 ? HELLO_EXT_SUPPORTED_GROUPS : 0;
        e |= p->n_sigalgs > 0 ? HELLO_EXT_SIGNATURE_ALGORITHMS : 0;
        e |= p->n_alpn > 0 ? HELLO_EXT_ALPN : 0;
        e |= p->n_versions > 0 ? HELLO_EXT_SUPPORTED_VERSIONS : 0;
    }
    /* RFC 5746 §3.6: the SCSV asks for renegotiation_info as the extension does */
    if (p->options & HELLO_OPT_SCSV_RENEGOTIATION) {
        e |= HELLO_EXT_RENEGOTIATION_INFO;
    }
    return e;
}

int hello_flight_init(struct hello_flight *f, const struct hello_params *offer, unsigned flags,
                      size_t max_bytes)
{
    memset(f, 0, sizeof(*f));
    if (offer->n_versions > HELLO_MAX_VERSIONS || offer->n_groups > HELLO_MAX_GROUPS ||
        (offer->n_suites > 0 && offer->suites == NULL) ||
        (offer->n_versions > 0 && offer->versions == NULL) ||
        (offer->n_groups > 0 && offer->groups == NULL) || offer->n_suites > HELLO_MAX_LEN / 2) {
        return HELLO_E_PARAM;
    }
    size_t n = offer->n_suites + 1;
    f->offer_suites = malloc(n * sizeof(*f->offer_suites));
    if (f->offer_suites == NULL) {
        return HELLO_E_NOMEM;
    }
    if (offer->n_suites > 0) {
        memcpy(f->offer_suites, offer->suites, offer->n_suites * sizeof(*f->offer_suites));
    }
    f->n_offer_suites = offer->n_suites;
    if (offer->version != HELLO_SSL2 && (offer->options & HELLO_OPT_SCSV_RENEGOTIATION)) {
        f->offer_suites[f->n_offer_suites++] = TLS_EMPTY_RENEGOTIATION_INFO_SCSV;
    }
    f->ssl2_offer = offer->version == HELLO_SSL2;
    f->offer_version = offer->version;
    f->offer_exts = hello_offered_exts(offer);
    bool exts_sent = offer->version > HELLO_SSL3 && !f->ssl2_offer;
    if (exts_sent) {
        f->n_offer_versions = offer->n_versions;
        if (offer->n_versions > 0) {
            memcpy(f->offer_versions, offer->versions, offer->n_versions * sizeof(uint16_t));
        }
        f->n_offer_groups = offer->n_groups;
        if (offer->n_groups > 0) {
            memcpy(f->offer_groups, offer->groups, offer->n_groups * sizeof(uint16_t));
        }
        f->offer_shares = (offer->ext & HELLO_EXT_KEY_SHARE) ? offer->shares : 0;
    }
    f->offer_deflate = !f->ssl2_offer && (offer->options & HELLO_OPT_DEFLATE) != 0;
    f->flags = flags;
    f->status = HELLO_NEED_MORE;
    hello_reader_init(&f->rd, max_bytes);
    return HELLO_OK;
}

void hello_flight_cleanup(struct hello_flight *f)
{
    hello_reader_cleanup(&f->rd);
    free(f->offer_suites);
    memset(f, 0, sizeof(*f));
}

const struct hello_result *hello_flight_result(const struct hello_flight *f)
{
    return &f->res;
}

const struct hello_error *hello_flight_error(const struct hello_flight *f)
{
    return &f->err;
}

static enum hello_status hello_flight_fail(struct hello_flight *f, size_t offset,
                                           const char *reason)
{
    f->status = HELLO_FAILED;
    f->err.offset = offset;
    f->err.reason = reason;
    return HELLO_FAILED;
}

/* Fails *f for a parse error found err->offset bytes into the body of the
 * handshake message whose header starts at msg_offset in the handshake stream. */
static enum hello_status hello_flight_fail_msg(struct hello_flight *f, size_t msg_offset,
                                               const struct hello_error *err)
{
    size_t raw = hello_reader_raw_offset(&f->rd, msg_offset + 4 + err->offset);
    return hello_flight_fail(f, raw, err->reason);
}

static bool hello_offered_suite(const struct hello_flight *f, uint32_t code)
{
    for (size_t i = 0; i < f->n_offer_suites; i++) {
        if (f->offer_suites[i] == code) {
            return true;
        }
    }
    return false;
}

static bool hello_share_sent(const struct hello_flight *f, uint16_t group)
{
    return (group == TLS_GROUP_X25519 && (f->offer_shares & HELLO_SHARE_X25519)) ||
           (group == TLS_GROUP_SECP256R1 && (f->offer_shares & HELLO_SHARE_SECP256R1));
}

/* Compares a ServerHello / HRR with what we offered. */
static void hello_flight_check_offer(struct hello_flight *f)
{
    struct hello_result *res = &f->res;
    const struct hello_server_hello *sh = &res->sh;

    /* The SCSVs signal something to the server; they are never a choice. */
    res->suite_not_offered = !hello_offered_suite(f, sh->suite) ||
                             sh->suite == TLS_EMPTY_RENEGOTIATION_INFO_SCSV ||
                             sh->suite == TLS_FALLBACK_SCSV;
    res->compression_not_offered =
        sh->compression != 0 && !(sh->compression == 1 && f->offer_deflate);
    if (f->ssl2_offer) {
        res->version_not_offered = true;
    } else if (sh->exts & HELLO_EXT_SUPPORTED_VERSIONS) {
        bool found = false;
        for (size_t i = 0; i < f->n_offer_versions; i++) {
            found = found || f->offer_versions[i] == sh->version;
        }
        res->version_not_offered = !found;
    } else {
        /* RFC 5246 §E.1: any version up to the client's is acceptable to it */
        res->version_not_offered = sh->version > f->offer_version || sh->version < HELLO_SSL3;
    }
    unsigned allowed = f->offer_exts | (sh->hrr ? HELLO_EXT_COOKIE : 0);
    res->exts_not_offered = sh->exts & ~allowed;
    if (sh->exts & HELLO_EXT_KEY_SHARE) {
        if (sh->hrr) {
            /* RFC 8446 §4.1.4: in supported_groups, and not a group we sent a share for */
            bool listed = false;
            for (size_t i = 0; i < f->n_offer_groups; i++) {
                listed = listed || f->offer_groups[i] == sh->key_share_group;
            }
            res->group_not_offered = !listed || hello_share_sent(f, sh->key_share_group);
        } else {
            res->group_not_offered = !hello_share_sent(f, sh->key_share_group);
        }
    }
}

static bool hello_is_tls13(uint16_t version)
{
    /* TLS 1.3 and its drafts (0x7fxx) */
    return version >= HELLO_TLS13 || (version >> 8) == 0x7f;
}

static enum hello_status hello_flight_server_hello(struct hello_flight *f,
                                                   const struct hello_rec_event *ev)
{
    struct hello_error perr = {0, NULL};
    struct hello_result *res = &f->res;

    if (ev->type != TLS_HS_SERVER_HELLO) {
        return hello_flight_fail(f, ev->raw_offset, "expected a ServerHello");
    }
    if (!hello_parse_server_hello(&ev->body, &res->sh, &perr)) {
        return hello_flight_fail_msg(f, ev->msg_offset, &perr);
    }
    res->answer = res->sh.hrr ? HELLO_ANS_HRR : HELLO_ANS_SERVER_HELLO;
    hello_flight_check_offer(f);
    res->kx = hello_kx_of_suite(res->sh.suite);
    if (res->sh.hrr || hello_is_tls13(res->sh.version)) {
        /* RFC 8446 §5.1: nothing of the handshake may follow in the same record */
        res->kx = HELLO_KX_NONE;
        res->trailing_bytes =
            f->rd.hs_pos < f->rd.hs_len || (f->rd.in_record && f->rd.rec_type == TLS_CT_HANDSHAKE);
        f->status = HELLO_DONE;
    } else if (f->flags & HELLO_FLIGHT_HELLO_ONLY) {
        f->status = HELLO_DONE;
    }
    return f->status;
}

/* One TLS <= 1.2 message after the ServerHello (RFC 5246 §7.3 order). */
static enum hello_status hello_flight_message(struct hello_flight *f,
                                              const struct hello_rec_event *ev)
{
    struct hello_error perr = {0, NULL};
    struct hello_result *res = &f->res;
    uint16_t version = res->sh.version;
    int stage;

    switch (ev->type) {
    case TLS_HS_CERTIFICATE:
        stage = HELLO_STAGE_CERTIFICATE;
        break;
    case TLS_HS_CERTIFICATE_STATUS:
        stage = HELLO_STAGE_CERTIFICATE_STATUS;
        break;
    case TLS_HS_SERVER_KEY_EXCHANGE:
        stage = HELLO_STAGE_SKE;
        break;
    case TLS_HS_CERTIFICATE_REQUEST:
        stage = HELLO_STAGE_CERTIFICATE_REQUEST;
        break;
    case TLS_HS_SERVER_HELLO_DONE:
        stage = HELLO_STAGE_DONE;
        break;
    default:
        return hello_flight_fail(f, ev->raw_offset, "unexpected handshake message type");
    }
    if (stage <= f->stage) {
        return hello_flight_fail(f, ev->raw_offset, "handshake message out of order");
    }
    f->stage = stage;
    bool ok = true;
    switch (stage) {
    case HELLO_STAGE_CERTIFICATE:
        ok = hello_parse_certificate(&ev->body, HELLO_MAX_CERTS, &res->certificate, &perr);
        res->have_certificate = ok;
        f->cert_off = ev->msg_offset + 4;
        f->cert_len = ev->body.len;
        break;
    case HELLO_STAGE_CERTIFICATE_STATUS:
        ok = hello_parse_certificate_status(&ev->body, &perr);
        res->have_certificate_status = ok;
        break;
    case HELLO_STAGE_SKE:
        ok = hello_parse_server_key_exchange(&ev->body, res->kx, version, &res->ske, &perr);
        res->have_ske = ok;
        f->ske_off = ev->msg_offset + 4;
        f->ske_len = ev->body.len;
        break;
    case HELLO_STAGE_CERTIFICATE_REQUEST:
        ok = hello_parse_certificate_request(&ev->body, version, &perr);
        res->have_certificate_request = ok;
        break;
    default:
        ok = hello_parse_server_hello_done(&ev->body, &perr);
        res->have_done = ok;
        if (ok) {
            res->trailing_bytes = hello_reader_pending(&f->rd);
            f->status = HELLO_DONE;
        }
        break;
    }
    if (!ok) {
        return hello_flight_fail_msg(f, ev->msg_offset, &perr);
    }
    return f->status;
}

static enum hello_status hello_flight_ssl2(struct hello_flight *f, const struct hello_rec_event *ev)
{
    struct hello_error perr = {0, NULL};
    struct hello_result *res = &f->res;
    struct rbuf peek = ev->body;
    uint8_t type = 0xff;

    if (!rbuf_get_u8(&peek, &type) || (type != SSL2_MT_SERVER_HELLO && type != SSL2_MT_ERROR)) {
        return hello_flight_fail(f, 2, "SSLv2: neither SERVER-HELLO nor ERROR");
    }
    if (type == SSL2_MT_ERROR) {
        if (!hello_parse_ssl2_error(&ev->body, &res->ssl2_error, &perr)) {
            return hello_flight_fail(f, 2 + perr.offset, perr.reason);
        }
        res->answer = HELLO_ANS_SSL2_ERROR;
        f->status = HELLO_DONE;
        return f->status;
    }
    if (!hello_parse_ssl2_server_hello(&ev->body, &res->ssl2, &perr)) {
        return hello_flight_fail(f, 2 + perr.offset, perr.reason);
    }
    res->answer = HELLO_ANS_SSL2_SERVER_HELLO;
    res->version_not_offered = !f->ssl2_offer || res->ssl2.version != HELLO_SSL2;
    for (size_t i = 0; i < res->ssl2.n_kinds; i++) {
        if (!hello_offered_suite(f, res->ssl2.kinds[i])) {
            res->suite_not_offered = true;
        }
    }
    f->status = HELLO_DONE;
    return f->status;
}

static enum hello_status hello_flight_alert(struct hello_flight *f,
                                            const struct hello_rec_event *ev)
{
    struct hello_result *res = &f->res;
    if (ev->alert.level == 1 && ev->alert.description != 0) {
        /* a warning (unrecognized_name is common): the handshake goes on */
        res->have_warning = true;
        res->warning = ev->alert;
        return f->status;
    }
    res->have_alert = true;
    res->alert = ev->alert;
    if (res->answer == HELLO_ANS_NONE) {
        res->answer = HELLO_ANS_ALERT;
    }
    f->status = HELLO_DONE;
    return f->status;
}

/* Parses the Certificate and ServerKeyExchange again over the final buffer so
 * the result's views stay valid until cleanup (the buffer moved as it grew). */
static void hello_flight_finish(struct hello_flight *f)
{
    struct hello_result *res = &f->res;
    struct rbuf body;
    res->n_bytes = f->rd.n_raw;
    res->record_version = f->rd.first_version;
    if (res->have_certificate) {
        rbuf_init(&body, f->rd.hs + f->cert_off, f->cert_len);
        res->have_certificate =
            hello_parse_certificate(&body, HELLO_MAX_CERTS, &res->certificate, NULL);
    }
    if (res->have_ske) {
        rbuf_init(&body, f->rd.hs + f->ske_off, f->ske_len);
        res->have_ske =
            hello_parse_server_key_exchange(&body, res->kx, res->sh.version, &res->ske, NULL);
    }
}

enum hello_status hello_flight_feed(struct hello_flight *f, const uint8_t *data, size_t len)
{
    const uint8_t *in = data;
    size_t in_len = data != NULL ? len : 0;

    if (f->status != HELLO_NEED_MORE) {
        return f->status;
    }
    while (f->status == HELLO_NEED_MORE) {
        struct hello_rec_event ev;
        switch (hello_reader_next(&f->rd, &in, &in_len, &ev)) {
        case HELLO_REC_NEED_MORE:
            f->res.n_bytes = f->rd.n_raw;
            return f->status;
        case HELLO_REC_ERROR:
            hello_flight_fail(f, ev.err.offset, ev.err.reason);
            break;
        case HELLO_REC_OTHER:
            hello_flight_fail(f, ev.raw_offset,
                              ev.type == TLS_CT_CHANGE_CIPHER_SPEC
                                  ? "unexpected ChangeCipherSpec record"
                                  : "unexpected application data or heartbeat record");
            break;
        case HELLO_REC_ALERT:
            hello_flight_alert(f, &ev);
            break;
        case HELLO_REC_SSL2:
            hello_flight_ssl2(f, &ev);
            break;
        case HELLO_REC_HANDSHAKE:
            if (f->res.answer == HELLO_ANS_NONE) {
                hello_flight_server_hello(f, &ev);
            } else {
                hello_flight_message(f, &ev);
            }
            break;
        }
    }
    hello_flight_finish(f);
    return f->status;
}

enum hello_status hello_flight_eof(struct hello_flight *f)
{
    if (f->status != HELLO_NEED_MORE) {
        return f->status;
    }
    const char *reason = f->rd.n_raw == 0                  ? "connection closed before any byte"
                         : f->res.answer == HELLO_ANS_NONE ? "connection closed inside the answer"
                                                           : "connection closed inside the flight";
    hello_flight_fail(f, f->rd.n_raw, reason);
    hello_flight_finish(f);
    return f->status;
}
