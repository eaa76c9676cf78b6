/*
 * scanner/enum/kex.c - the key-exchange values of the enumeration's
 * handshakes (enum.h, enum_collect_kex; facts.h, struct kex_list): every
 * answer that picked a suite gives its DHE prime, its DH or ECDH public
 * value (TLS <= 1.2 ServerKeyExchange, TLS 1.3 key_share) and its leaf
 * certificate's SubjectPublicKeyInfo (TLS <= 1.2 Certificate, SSLv2
 * SERVER-HELLO), each by SHA-256 (digest.c through hello.h), so that the
 * derived checks can look primes up in the list of well-known ones and see
 * a public value that came back (Raccoon), and the store can compare
 * certificate keys across targets (DROWN). The bytes are read where the
 * first-flight parser left them, never kept.
 */
#include "scanner/enum/enum.h"

#include <string.h>

#include "common/util.h"

/* An FFDHE named group (RFC 7919 §2: 0x0100-0x01FF). */
static bool group_is_ffdhe(uint16_t g)
{
    return g >= 0x0100 && g <= 0x01FF;
}

static void add_value(struct job *j, enum kex_kind kind, enum tls_version wv, uint32_t suite,
                      uint16_t group, const char *sha256, unsigned bits, uint64_t generator)
{
    if (sha256[0] == '\0') {
        return;
    }
    struct kex_value v = {
        .kind = kind,
        .version = wv,
        .suite = suite,
        .group = group,
        .bits = bits,
        .generator = generator,
    };
    util_copy(v.sha256, sizeof(v.sha256), sha256);
    (void)kex_list_add(&j->out->kex, &v);
}

/* The ServerKeyExchange's values: p and Ys of DHE kinds, the point of ECDHE
 * kinds (named curves and explicit ones alike: the point is the value). */
static void collect_ske(struct job *j, enum tls_version wv, const struct hello_result *res)
{
    const struct hello_ske *k = &res->ske;
    char h[65];
    switch (k->kx) {
    case HELLO_KX_DHE:
    case HELLO_KX_DH_ANON:
    case HELLO_KX_DHE_PSK:
        if (hello_sha256_hex(k->dh_p.data, k->dh_p.len, h)) {
            add_value(j, KEX_DH_PRIME, wv, res->sh.suite, 0, h, k->dh_p_bits, k->dh_g_value);
        }
        if (hello_sha256_hex(k->dh_ys.data, k->dh_ys.len, h)) {
            add_value(j, KEX_DH_PUBLIC, wv, res->sh.suite, 0, h, 0, 0);
        }
        break;
    case HELLO_KX_ECDHE:
    case HELLO_KX_ECDH_ANON:
    case HELLO_KX_ECDHE_PSK:
        if (hello_sha256_hex(k->ec_point.data, k->ec_point.len, h)) {
            add_value(j, KEX_ECDH_PUBLIC, wv, res->sh.suite,
                      k->ec_curve_type == 3 ? k->ec_group : 0, h, 0, 0);
        }
        break;
    default:
        break;
    }
}

/* The leaf's SPKI, parsed only when the leaf differs from the last one. */
static void collect_leaf(struct job *j, enum tls_version wv, uint32_t suite, const struct rbuf *der)
{
    char h[65];
    if (der->len == 0 || !hello_sha256_hex(der->data, der->len, h)) {
        return;
    }
    if (strcmp(h, j->leaf_der_sha256) != 0) {
        util_copy(j->leaf_der_sha256, sizeof(j->leaf_der_sha256), h);
        if (!hello_spki_sha256_hex(der->data, der->len, j->leaf_spki_sha256)) {
            j->leaf_spki_sha256[0] = '\0';
        }
    }
    add_value(j, KEX_CERT_SPKI, wv, suite, 0, j->leaf_spki_sha256, 0, 0);
}

void enum_collect_kex(struct job *j, enum tls_version wv, const struct hello_result *res)
{
    if (res == NULL) {
        return;
    }
    if (res->answer == HELLO_ANS_SSL2_SERVER_HELLO) {
        if (res->ssl2.certificate_type == 1) {
            collect_leaf(j, wv, 0, &res->ssl2.certificate);
        }
        return;
    }
    if (res->answer != HELLO_ANS_SERVER_HELLO || res->sh.hrr) {
        return;
    }
    if (res->have_ske) {
        collect_ske(j, wv, res);
    }
    if (res->have_certificate && res->certificate.n_certs > 0) {
        collect_leaf(j, wv, res->sh.suite, &res->certificate.certs[0]);
    }
    if (wv == TLSV_TLS13 && res->sh.key_share_sha256[0] != '\0') {
        uint16_t g = res->sh.key_share_group;
        add_value(j, group_is_ffdhe(g) ? KEX_DH_PUBLIC : KEX_ECDH_PUBLIC, wv, res->sh.suite, g,
                  res->sh.key_share_sha256, 0, 0);
    }
}
