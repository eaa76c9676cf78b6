/*
 * scanner/wire/server_msgs.c - one parser per first-flight message a server
 * sends (hello.h): ServerHello / HelloRetryRequest (its extensions are
 * parsed by the extension table, wire/extensions.c),
 * Alert, Certificate, ServerKeyExchange, CertificateStatus,
 * CertificateRequest, ServerHelloDone, the SSLv2 SERVER-HELLO and ERROR;
 * and the names of alerts and handshake types.
 *
 * Everything the server sends is hostile: every byte is read through an
 * rbuf, every structure has one parse function that checks its lengths and
 * ends with a check that nothing trails, and every size the server controls
 * has a cap. A parse failure is an answer (offset + reason), never a crash.
 */
#include "scanner/hello.h"

#include <stdlib.h>
#include <string.h>

#include "common/model/registry.h"
#include "scanner/wire/wire.h"

/* RFC 8446 §4.1.3: the random of a HelloRetryRequest, SHA-256("HelloRetryRequest"). */
static const uint8_t hello_hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* RFC 8446 §4.1.3: the last 8 bytes of a ServerHello.random from a TLS 1.3
 * server that negotiated TLS 1.2 ("DOWNGRD" 01) or an older version (00). */
static const uint8_t hello_downgrade_prefix[7] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44};

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
bool hello_fail(struct hello_error *err, const struct rbuf *base, const struct rbuf *at,
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
bool hello_get_nonempty(struct rbuf *r, int prefix, struct rbuf *out)
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
            out->downgrade = TLS_WIRE_TLS12;
        } else if (out->random[31] == 0) {
            out->downgrade = TLS_WIRE_TLS11;
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

/* The PSK kinds (RFC 4279 §2, §3; RFC 5489 §2): opaque
 * psk_identity_hint<0..2^16-1> first, then DHE_PSK's ServerDHParams or
 * ECDHE_PSK's ServerECDHParams. */
static bool hello_parse_psk_params(struct rbuf *r, enum hello_kx kx, struct hello_ske *out,
                                   const struct rbuf *base, struct hello_error *err)
{
    if (!rbuf_get_vec16(r, &out->psk_hint)) {
        return hello_fail(err, base, r, "ServerKeyExchange: bad psk_identity_hint length");
    }
    if (kx == HELLO_KX_DHE_PSK && !hello_parse_server_dh_params(r, out, base, err)) {
        return false;
    }
    if (kx == HELLO_KX_ECDHE_PSK && !hello_parse_server_ecdh_params(r, out, base, err)) {
        return false;
    }
    return true;
}

/* ServerSRPParams (RFC 5054 §2.8.2): opaque srp_N<1..2^16-1>,
 * srp_g<1..2^16-1>, srp_s<1..2^8-1>, srp_B<1..2^16-1> */
static bool hello_parse_server_srp_params(struct rbuf *r, struct hello_ske *out,
                                          const struct rbuf *base, struct hello_error *err)
{
    if (!hello_get_nonempty(r, 2, &out->srp_n) || !hello_get_nonempty(r, 2, &out->srp_g) ||
        !hello_get_nonempty(r, 1, &out->srp_s) || !hello_get_nonempty(r, 2, &out->srp_b)) {
        return hello_fail(err, base, r, "ServerSRPParams: bad length");
    }
    out->srp_n_bits = hello_bn_bits(&out->srp_n);
    return true;
}

/* digitally-signed (RFC 5246 §4.7): TLS 1.2 prefixes the signature with a
 * SignatureAndHashAlgorithm; opaque signature<0..2^16-1>. */
static bool hello_parse_ske_signature(struct rbuf *r, uint16_t version, struct hello_ske *out,
                                      const struct rbuf *base, struct hello_error *err)
{
    out->has_signature = true;
    if (version >= TLS_WIRE_TLS12 && !rbuf_get_u16(r, &out->sig_scheme)) {
        return hello_fail(err, base, r, "ServerKeyExchange: truncated signature algorithm");
    }
    if (!rbuf_get_vec16(r, &out->signature)) {
        return hello_fail(err, base, r, "ServerKeyExchange: bad signature length");
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
        if (!hello_parse_psk_params(&r, kx, out, msg, err)) {
            return false;
        }
        break;
    case HELLO_KX_SRP_SIGNED:
    case HELLO_KX_SRP:
        is_signed = kx == HELLO_KX_SRP_SIGNED;
        if (!hello_parse_server_srp_params(&r, out, msg, err)) {
            return false;
        }
        break;
    default:
        return hello_fail(err, msg, &r, "ServerKeyExchange: unknown key exchange kind");
    }
    if (is_signed && !hello_parse_ske_signature(&r, version, out, msg, err)) {
        return false;
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
bool hello_parse_certificate_status(const struct rbuf *msg, struct hello_error *err)
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
bool hello_parse_certificate_request(const struct rbuf *msg, uint16_t version,
                                     struct hello_error *err)
{
    struct rbuf r = *msg;
    struct rbuf v;
    if (!hello_get_nonempty(&r, 1, &v)) {
        return hello_fail(err, msg, &r, "CertificateRequest: bad certificate_types length");
    }
    if (version >= TLS_WIRE_TLS12 && (!hello_get_nonempty(&r, 2, &v) || v.len % 2 != 0)) {
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
bool hello_parse_ssl2_error(const struct rbuf *msg, uint16_t *out_code, struct hello_error *err)
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
