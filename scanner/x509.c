/*
 * scanner/x509.c - certificate facts and chain validation: the GnuTLS X.509 adapter.
 *
 * Sits between the handshake (which hands over the DER certificates and the
 * stapled OCSP response a server sent) and the store: it turns each DER
 * certificate into a struct cert_fact and the served chain into a struct
 * chain_fact. GnuTLS does every ASN.1 decode; nothing here parses DER.
 *
 * Invariants and decisions:
 * - Everything read here came from a server. Text taken from a certificate
 *   keeps its full length: bytes that could hide or fake content in a C
 *   string are escaped as \xNN (two lowercase hex digits). In SAN, URL and
 *   OID texts (IA5String, ASCII only) that is every byte below 0x20, 0x7f,
 *   every byte >= 0x80 and the backslash itself, so "\x00" in a fact always
 *   means a NUL byte in the certificate and a name with a NUL inside never
 *   reads as a shorter valid name ("DNS:evil.test\x00.good.test"). In
 *   subject/issuer DNs (RFC 4514 text from GnuTLS, which already escapes
 *   the backslash as "\\" and prints values with control bytes as #hex)
 *   control bytes and 0x7f are escaped the same way; UTF-8 is kept.
 * - x509_cert_facts returns -1 only when the bytes are not a certificate
 *   (or memory runs out). A certificate that parses but carries a malformed
 *   extension still returns 0: that field is left empty and err holds a
 *   warning ("malformed subjectAltName ignored"); err is "" otherwise.
 * - chain_fact.trusted is true exactly when verify_status is 0: the chain
 *   verifies to a trust anchor, for TLS server use, with every certificate of
 *   the validation path (and the anchor) valid at `now`. The hostname is
 *   NOT part of it: hostname_match is reported separately.
 * - Validity periods are checked against the caller's `now`, never the
 *   clock: GnuTLS verifies with its time checks disabled and the times are
 *   compared here. chain_fact.expired/not_yet_valid cover every served
 *   certificate; only those on the validation path make the chain untrusted
 *   (an extra expired cross-certificate does not break a path that clients
 *   build without it).
 * - No network here: the stapled OCSP response is judged here; fetched
 *   OCSP responses, CRLs and AIA issuers are scanner/revocation.c's, which
 *   asks x509_anchor_issuer for issuers held only by the trust store.
 */
#include "scanner/x509.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/ocsp.h>
#include <gnutls/x509-ext.h>
#include <gnutls/x509.h>

#include "common/infile.h"
#include "scanner/ocsp.h"

#define X509_OID_SAN "2.5.29.17"
#define X509_OID_EKU "2.5.29.37"
#define X509_OID_CRLDP "2.5.29.31"
#define X509_OID_AIA "1.3.6.1.5.5.7.1.1"
#define X509_OID_TLSFEATURE "1.3.6.1.5.5.7.1.24"
#define X509_OID_CT_SCTS "1.3.6.1.4.1.11129.2.4.2"
#define X509_OID_AD_OCSP "1.3.6.1.5.5.7.48.1"
#define X509_OID_AD_CAISSUERS "1.3.6.1.5.5.7.48.2"

/* RFC 7633 §4: the TLS feature status_request (RFC 6066 extension 5). */
#define X509_TLSFEATURE_STATUS_REQUEST 5

#define X509_SECONDS_PER_DAY 86400
/* Served certificates considered in a chain; handshake.c caps it lower. */
#define X509_MAX_CHAIN 64
/* bytes of a --ca-file: room for every public CA many times over */
#define X509_MAX_CA_FILE (64 * 1024 * 1024)

/* Verification: time checks are done here against the caller's `now`. */
#define X509_VERIFY_FLAGS                                                                          \
    (GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS)

struct x509_trust {
    gnutls_x509_trust_list_t tl;
};

static const char x509_hexdig[] = "0123456789abcdef";

/* --- small helpers ------------------------------------------------------- */

static void x509_errf(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* x509_errf writes a message into err (when err has room). */
static void x509_errf(char *err, size_t err_len, const char *fmt, ...)
{
    if (err == NULL || err_len == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

static void x509_warn(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* x509_warn appends a warning to err, "; "-separated, truncating. */
static void x509_warn(char *err, size_t err_len, const char *fmt, ...)
{
    if (err == NULL || err_len == 0) {
        return;
    }
    size_t used = strnlen(err, err_len - 1);
    if (used > 0 && used + 2 < err_len) {
        memcpy(err + used, "; ", 3);
        used += 2;
    }
    if (used + 1 >= err_len) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + used, err_len - used, fmt, ap);
    va_end(ap);
}

/* x509_set copies s into the fixed field dst of dst_len bytes, truncating. */
static void x509_set(char *dst, size_t dst_len, const char *s)
{
    snprintf(dst, dst_len, "%s", s);
}

/* x509_hex writes n bytes as lowercase hex into out (out_len >= 1). When
 * they do not fit, as many as fit are written followed by "..". */
static void x509_hex(const unsigned char *p, size_t n, char *out, size_t out_len)
{
    size_t o = 0;
    bool cut = n * 2 + 1 > out_len;
    size_t room = cut ? (out_len > 3 ? (out_len - 3) / 2 : 0) : n;
    for (size_t i = 0; i < room; i++) {
        out[o++] = x509_hexdig[p[i] >> 4];
        out[o++] = x509_hexdig[p[i] & 0x0f];
    }
    if (cut && out_len >= 3) {
        out[o++] = '.';
        out[o++] = '.';
    }
    out[o] = '\0';
}

/* x509_escape returns a new string: prefix, then the n bytes at p with the
 * bytes described in the file header written as \xNN (ia5 selects the
 * strict ASCII rule). NULL when out of memory. */
static char *x509_escape(const char *prefix, const unsigned char *p, size_t n, bool ia5)
{
    size_t plen = strlen(prefix);
    if (n > (SIZE_MAX - plen - 1) / 4) {
        return NULL;
    }
    char *s = malloc(plen + 4 * n + 1);
    if (s == NULL) {
        return NULL;
    }
    memcpy(s, prefix, plen);
    size_t o = plen;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = p[i];
        bool esc = b < 0x20 || b == 0x7f || (ia5 && (b >= 0x80 || b == '\\'));
        if (esc) {
            s[o++] = '\\';
            s[o++] = 'x';
            s[o++] = x509_hexdig[b >> 4];
            s[o++] = x509_hexdig[b & 0x0f];
        } else {
            s[o++] = (char)b;
        }
    }
    s[o] = '\0';
    return s;
}

/* x509_list_add appends prefix + escaped bytes to l. Returns 0 or -1 (OOM). */
static int x509_list_add(struct strlist *l, const char *prefix, const unsigned char *p, size_t n,
                         bool ia5)
{
    char *s = x509_escape(prefix, p, n, ia5);
    if (s == NULL) {
        return -1;
    }
    int rc = strlist_add(l, s);
    free(s);
    return rc;
}

/* x509_datum_is reports whether the OID text in d equals oid (GnuTLS may
 * count a trailing NUL in the size). */
static bool x509_datum_is(const gnutls_datum_t *d, const char *oid)
{
    size_t n = d->size;
    while (n > 0 && d->data[n - 1] == '\0') {
        n--;
    }
    return d->data != NULL && n == strlen(oid) && memcmp(d->data, oid, n) == 0;
}

/* x509_days_left returns floor((not_after - now) / 86400). */
static int64_t x509_days_left(int64_t not_after, int64_t now)
{
    int64_t d = not_after - now;
    int64_t q = d / X509_SECONDS_PER_DAY;
    if (d % X509_SECONDS_PER_DAY != 0 && d < 0) {
        q--;
    }
    return q;
}

/* x509_crt_times reads the validity period of crt. */
static void x509_crt_times(gnutls_x509_crt_t crt, int64_t *not_before, int64_t *not_after)
{
    *not_before = (int64_t)gnutls_x509_crt_get_activation_time(crt);
    *not_after = (int64_t)gnutls_x509_crt_get_expiration_time(crt);
}

/* x509_crt_self_signed reports whether crt names itself as issuer
 * (subject/issuer and key identifiers, gnutls_x509_crt_check_issuer) and its
 * signature verifies with its own key. CA bit, time and algorithm strength
 * do not matter here: a SHA-1 self-signed leaf is still self-signed. */
static bool x509_crt_self_signed(gnutls_x509_crt_t crt)
{
    if (!gnutls_x509_crt_check_issuer(crt, crt)) {
        return false;
    }
    /* DO_NOT_ALLOW_SAME: otherwise GnuTLS accepts a certificate found in
     * the CA list without checking any signature. */
    unsigned flags = GNUTLS_VERIFY_DO_NOT_ALLOW_SAME | GNUTLS_VERIFY_DISABLE_CA_SIGN |
                     GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
                     GNUTLS_VERIFY_ALLOW_BROKEN;
    unsigned status = 0;
    gnutls_x509_crt_t self[1] = {crt};
    if (gnutls_x509_crt_verify(crt, self, 1, flags, &status) < 0) {
        return false;
    }
    return status == 0;
}

/* x509_ext_get fetches the value of the extension oid into val (free with
 * gnutls_free). Returns 1 when present, 0 when absent or unreadable (then
 * warned in err). */
static int x509_ext_get(gnutls_x509_crt_t crt, const char *oid, const char *what,
                        gnutls_datum_t *val, char *err, size_t err_len)
{
    unsigned critical = 0;
    val->data = NULL;
    val->size = 0;
    int r = gnutls_x509_crt_get_extension_by_oid2(crt, oid, 0, val, &critical);
    if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
        return 0;
    }
    if (r < 0) {
        x509_warn(err, err_len, "unreadable %s ignored: %s", what, gnutls_strerror(r));
        return 0;
    }
    return 1;
}

/* --- x509_cert_facts, one field group at a time ------------------------- */
/* Each filler returns 0, or -1 when out of memory; a malformed field only
 * adds a warning to err. */

static int x509_fill_names(gnutls_x509_crt_t crt, struct cert_fact *out, char *err, size_t err_len)
{
    /* Flags 0: true RFC 4514 order (most specific RDN first, "CN=..,O=..,C=.."),
     * unlike GNUTLS_X509_DN_FLAG_COMPAT which keeps the pre-3.5.6 order. */
    for (int which = 0; which < 2; which++) {
        gnutls_datum_t dn = {NULL, 0};
        int r = which == 0 ? gnutls_x509_crt_get_dn3(crt, &dn, 0)
                           : gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0);
        if (r < 0 && r != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
            x509_warn(err, err_len, "unreadable %s name: %s", which == 0 ? "subject" : "issuer",
                      gnutls_strerror(r));
        }
        char *s = x509_escape("", r < 0 ? NULL : dn.data, r < 0 ? 0 : dn.size, false);
        gnutls_free(dn.data);
        if (s == NULL) {
            return -1;
        }
        if (which == 0) {
            out->subject = s;
        } else {
            out->issuer = s;
        }
    }
    return 0;
}

static int x509_fill_serial(gnutls_x509_crt_t crt, struct cert_fact *out, char *err, size_t err_len)
{
    unsigned char small[64];
    unsigned char *buf = small;
    size_t size = sizeof(small);
    int r = gnutls_x509_crt_get_serial(crt, buf, &size);
    if (r == GNUTLS_E_SHORT_MEMORY_BUFFER) {
        buf = malloc(size);
        if (buf == NULL) {
            return -1;
        }
        r = gnutls_x509_crt_get_serial(crt, buf, &size);
    }
    if (r < 0) {
        x509_warn(err, err_len, "unreadable serial number: %s", gnutls_strerror(r));
        goto out;
    }
    /* Drop leading zero bytes (the DER sign pad), as other tools print serials. */
    const unsigned char *p = buf;
    while (size > 1 && p[0] == 0) {
        p++;
        size--;
    }
    x509_hex(p, size, out->serial, sizeof(out->serial));
out:
    if (buf != small) {
        free(buf);
    }
    return 0;
}

static void x509_fill_validity(gnutls_x509_crt_t crt, int64_t now, struct cert_fact *out, char *err,
                               size_t err_len)
{
    x509_crt_times(crt, &out->not_before, &out->not_after);
    if (out->not_before == -1 || out->not_after == -1) {
        x509_warn(err, err_len, "unreadable validity period");
    }
    out->days_left = x509_days_left(out->not_after, now);
}

static void x509_fill_key(gnutls_x509_crt_t crt, struct cert_fact *out, char *err, size_t err_len)
{
    unsigned bits = 0;
    int pk = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
    const char *type = "unknown";
    switch (pk) {
    case GNUTLS_PK_RSA:
        type = "RSA";
        break;
    case GNUTLS_PK_RSA_PSS:
        /* An RSA key restricted to PSS signatures (RFC 4055 id-RSASSA-PSS). */
        type = "RSA-PSS";
        break;
    case GNUTLS_PK_ECDSA:
        type = "EC";
        break;
    case GNUTLS_PK_EDDSA_ED25519:
        type = "Ed25519";
        break;
    case GNUTLS_PK_EDDSA_ED448:
        type = "Ed448";
        break;
    case GNUTLS_PK_DSA:
        type = "DSA";
        break;
    default:
        if (pk < 0) {
            x509_warn(err, err_len, "unreadable public key: %s", gnutls_strerror(pk));
        }
        break;
    }
    x509_set(out->key_type, sizeof(out->key_type), type);
    out->key_bits = bits > INT_MAX ? INT_MAX : (int)bits;
    if (pk != GNUTLS_PK_ECDSA) {
        return;
    }
    gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
    gnutls_datum_t x = {NULL, 0};
    gnutls_datum_t y = {NULL, 0};
    int r = gnutls_x509_crt_get_pk_ecc_raw(crt, &curve, &x, &y);
    gnutls_free(x.data);
    gnutls_free(y.data);
    const char *name = r < 0 ? NULL : gnutls_ecc_curve_get_name(curve);
    if (name == NULL) {
        /* A curve GnuTLS does not know (brainpool, ...). */
        x509_set(out->curve, sizeof(out->curve), "unknown");
        return;
    }
    /* GnuTLS says "SECP256R1"; the SEC 2 / IANA names are lowercase. */
    size_t i = 0;
    for (; name[i] != '\0' && i + 1 < sizeof(out->curve); i++) {
        char c = name[i];
        out->curve[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out->curve[i] = '\0';
}

static void x509_fill_sig(gnutls_x509_crt_t crt, struct cert_fact *out, char *err, size_t err_len)
{
    int s = gnutls_x509_crt_get_signature_algorithm(crt);
    const char *name = s > 0 ? gnutls_sign_get_name((gnutls_sign_algorithm_t)s) : NULL;
    if (name != NULL) {
        x509_set(out->sig_alg, sizeof(out->sig_alg), name);
        return;
    }
    /* Unknown to GnuTLS: record the dotted OID instead. */
    char oid[128];
    size_t size = sizeof(oid);
    int r = gnutls_x509_crt_get_signature_oid(crt, oid, &size);
    if (r < 0) {
        x509_warn(err, err_len, "unreadable signature algorithm: %s", gnutls_strerror(r));
        x509_set(out->sig_alg, sizeof(out->sig_alg), "unknown");
        return;
    }
    char *esc = x509_escape("", (const unsigned char *)oid, strnlen(oid, size), true);
    x509_set(out->sig_alg, sizeof(out->sig_alg), esc != NULL ? esc : "unknown");
    free(esc);
}

static int x509_fill_key_usage(gnutls_x509_crt_t crt, struct cert_fact *out, char *err,
                               size_t err_len)
{
    static const struct {
        unsigned bit;
        const char *name;
    } ku_names[] = {
        {GNUTLS_KEY_DIGITAL_SIGNATURE, "digitalSignature"},
        {GNUTLS_KEY_NON_REPUDIATION, "nonRepudiation"},
        {GNUTLS_KEY_KEY_ENCIPHERMENT, "keyEncipherment"},
        {GNUTLS_KEY_DATA_ENCIPHERMENT, "dataEncipherment"},
        {GNUTLS_KEY_KEY_AGREEMENT, "keyAgreement"},
        {GNUTLS_KEY_KEY_CERT_SIGN, "keyCertSign"},
        {GNUTLS_KEY_CRL_SIGN, "cRLSign"},
        {GNUTLS_KEY_ENCIPHER_ONLY, "encipherOnly"},
        {GNUTLS_KEY_DECIPHER_ONLY, "decipherOnly"},
    };
    unsigned usage = 0;
    unsigned critical = 0;
    int r = gnutls_x509_crt_get_key_usage(crt, &usage, &critical);
    if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
        return 0;
    }
    if (r < 0) {
        x509_warn(err, err_len, "malformed keyUsage ignored: %s", gnutls_strerror(r));
        return 0;
    }
    out->has_key_usage = true;
    for (size_t i = 0; i < sizeof(ku_names) / sizeof(ku_names[0]); i++) {
        if ((usage & ku_names[i].bit) != 0 && strlist_add(&out->key_usage, ku_names[i].name) != 0) {
            return -1;
        }
    }
    return 0;
}

static void x509_fill_basic_constraints(gnutls_x509_crt_t crt, struct cert_fact *out, char *err,
                                        size_t err_len)
{
    unsigned critical = 0;
    unsigned ca = 0;
    int path_len = -1;
    int r = gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca, &path_len);
    if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
        return;
    }
    if (r < 0) {
        x509_warn(err, err_len, "malformed basicConstraints ignored: %s", gnutls_strerror(r));
        return;
    }
    out->ca = ca ? 1 : 0;
    out->path_len = path_len < 0 ? -1 : path_len;
}

static int x509_fill_eku(gnutls_x509_crt_t crt, struct cert_fact *out, char *err, size_t err_len)
{
    static const struct {
        const char *oid;
        const char *name;
    } eku_names[] = {
        {GNUTLS_KP_TLS_WWW_SERVER, "serverAuth"},  {GNUTLS_KP_TLS_WWW_CLIENT, "clientAuth"},
        {GNUTLS_KP_CODE_SIGNING, "codeSigning"},   {GNUTLS_KP_EMAIL_PROTECTION, "emailProtection"},
        {GNUTLS_KP_TIME_STAMPING, "timeStamping"}, {GNUTLS_KP_OCSP_SIGNING, "OCSPSigning"},
        {GNUTLS_KP_ANY, "anyExtendedKeyUsage"},
    };
    gnutls_datum_t val;
    if (x509_ext_get(crt, X509_OID_EKU, "extendedKeyUsage", &val, err, err_len) == 0) {
        return 0;
    }
    int rc = 0;
    gnutls_x509_key_purposes_t kp = NULL;
    if (gnutls_x509_key_purpose_init(&kp) < 0) {
        rc = -1;
        goto out;
    }
    int r = gnutls_x509_ext_import_key_purposes(&val, kp, 0);
    if (r < 0) {
        x509_warn(err, err_len, "malformed extendedKeyUsage ignored: %s", gnutls_strerror(r));
        goto out;
    }
    for (unsigned i = 0;; i++) {
        gnutls_datum_t oid = {NULL, 0};
        r = gnutls_x509_key_purpose_get(kp, i, &oid);
        if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
            break;
        }
        if (r < 0) {
            x509_warn(err, err_len, "malformed extendedKeyUsage: %s", gnutls_strerror(r));
            break;
        }
        const char *name = NULL;
        for (size_t k = 0; k < sizeof(eku_names) / sizeof(eku_names[0]); k++) {
            if (x509_datum_is(&oid, eku_names[k].oid)) {
                name = eku_names[k].name;
                break;
            }
        }
        int ar = name != NULL ? strlist_add(&out->eku, name)
                              : x509_list_add(&out->eku, "", oid.data,
                                              strnlen((const char *)oid.data, oid.size), true);
        if (ar != 0) {
            rc = -1;
            goto out;
        }
    }
out:
    if (kp != NULL) {
        gnutls_x509_key_purpose_deinit(kp);
    }
    gnutls_free(val.data);
    return rc;
}

/* x509_add_ip appends "IP:<text>" for a 4- or 16-byte address, else
 * "IP:invalid:<hex>". */
static int x509_add_ip(struct strlist *l, const gnutls_datum_t *ip)
{
    char text[INET6_ADDRSTRLEN + 4];
    memcpy(text, "IP:", 4);
    if ((ip->size == 4 && inet_ntop(AF_INET, ip->data, text + 3, sizeof(text) - 3) != NULL) ||
        (ip->size == 16 && inet_ntop(AF_INET6, ip->data, text + 3, sizeof(text) - 3) != NULL)) {
        return strlist_add(l, text);
    }
    char hex[2 * 32 + 3];
    x509_hex(ip->data, ip->size, hex, sizeof(hex));
    return x509_list_add(l, "IP:invalid:", (const unsigned char *)hex, strlen(hex), true);
}

/* x509_add_general_name appends one SAN GeneralName in its textual form. */
static int x509_add_general_name(struct strlist *l, unsigned type, const gnutls_datum_t *san,
                                 const gnutls_datum_t *othername_oid)
{
    switch (type) {
    case GNUTLS_SAN_DNSNAME:
        return x509_list_add(l, "DNS:", san->data, san->size, true);
    case GNUTLS_SAN_RFC822NAME:
        return x509_list_add(l, "email:", san->data, san->size, true);
    case GNUTLS_SAN_URI:
        return x509_list_add(l, "URI:", san->data, san->size, true);
    case GNUTLS_SAN_IPADDRESS:
        return x509_add_ip(l, san);
    case GNUTLS_SAN_REGISTERED_ID:
        return x509_list_add(l, "RID:", san->data, strnlen((const char *)san->data, san->size),
                             true);
    case GNUTLS_SAN_DN: {
        gnutls_datum_t text = {NULL, 0};
        int r = gnutls_x509_rdn_get2(san, &text, 0);
        int rc = r < 0 ? x509_list_add(l, "DirName:", (const unsigned char *)"?", 1, true)
                       : x509_list_add(l, "DirName:", text.data, text.size, false);
        gnutls_free(text.data);
        return rc;
    }
    case GNUTLS_SAN_OTHERNAME:
        return x509_list_add(l, "otherName:", othername_oid->data,
                             othername_oid->data == NULL
                                 ? 0
                                 : strnlen((const char *)othername_oid->data, othername_oid->size),
                             true);
    default: {
        char other[32];
        snprintf(other, sizeof(other), "other:%u", type);
        return strlist_add(l, other);
    }
    }
}

static int x509_fill_san(gnutls_x509_crt_t crt, struct cert_fact *out, char *err, size_t err_len)
{
    gnutls_datum_t val;
    if (x509_ext_get(crt, X509_OID_SAN, "subjectAltName", &val, err, err_len) == 0) {
        return 0;
    }
    int rc = 0;
    gnutls_subject_alt_names_t sans = NULL;
    if (gnutls_subject_alt_names_init(&sans) < 0) {
        rc = -1;
        goto out;
    }
    int r = gnutls_x509_ext_import_subject_alt_names(&val, sans, 0);
    if (r < 0) {
        x509_warn(err, err_len, "malformed subjectAltName ignored: %s", gnutls_strerror(r));
        goto out;
    }
    for (unsigned i = 0;; i++) {
        unsigned type = 0;
        gnutls_datum_t san = {NULL, 0};
        gnutls_datum_t othername_oid = {NULL, 0};
        r = gnutls_subject_alt_names_get(sans, i, &type, &san, &othername_oid);
        if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
            break;
        }
        if (r < 0) {
            x509_warn(err, err_len, "malformed subjectAltName: %s", gnutls_strerror(r));
            break;
        }
        if (x509_add_general_name(&out->san, type, &san, &othername_oid) != 0) {
            rc = -1;
            goto out;
        }
    }
out:
    if (sans != NULL) {
        gnutls_subject_alt_names_deinit(sans);
    }
    gnutls_free(val.data);
    return rc;
}

static int x509_fill_aia(gnutls_x509_crt_t crt, struct cert_fact *out, char *err, size_t err_len)
{
    gnutls_datum_t val;
    if (x509_ext_get(crt, X509_OID_AIA, "authorityInfoAccess", &val, err, err_len) == 0) {
        return 0;
    }
    int rc = 0;
    gnutls_x509_aia_t aia = NULL;
    if (gnutls_x509_aia_init(&aia) < 0) {
        rc = -1;
        goto out;
    }
    int r = gnutls_x509_ext_import_aia(&val, aia, 0);
    if (r < 0) {
        x509_warn(err, err_len, "malformed authorityInfoAccess ignored: %s", gnutls_strerror(r));
        goto out;
    }
    for (unsigned i = 0;; i++) {
        gnutls_datum_t oid = {NULL, 0};
        gnutls_datum_t san = {NULL, 0};
        unsigned type = 0;
        r = gnutls_x509_aia_get(aia, i, &oid, &type, &san);
        if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
            break;
        }
        if (r < 0) {
            x509_warn(err, err_len, "malformed authorityInfoAccess: %s", gnutls_strerror(r));
            break;
        }
        if (type != GNUTLS_SAN_URI) {
            continue;
        }
        struct strlist *l = x509_datum_is(&oid, X509_OID_AD_OCSP)        ? &out->ocsp_urls
                            : x509_datum_is(&oid, X509_OID_AD_CAISSUERS) ? &out->ca_issuer_urls
                                                                         : NULL;
        if (l != NULL && x509_list_add(l, "", san.data, san.size, true) != 0) {
            rc = -1;
            goto out;
        }
    }
out:
    if (aia != NULL) {
        gnutls_x509_aia_deinit(aia);
    }
    gnutls_free(val.data);
    return rc;
}

static int x509_fill_crldp(gnutls_x509_crt_t crt, struct cert_fact *out, char *err, size_t err_len)
{
    gnutls_datum_t val;
    if (x509_ext_get(crt, X509_OID_CRLDP, "cRLDistributionPoints", &val, err, err_len) == 0) {
        return 0;
    }
    int rc = 0;
    gnutls_x509_crl_dist_points_t cdp = NULL;
    if (gnutls_x509_crl_dist_points_init(&cdp) < 0) {
        rc = -1;
        goto out;
    }
    int r = gnutls_x509_ext_import_crl_dist_points(&val, cdp, 0);
    if (r < 0) {
        x509_warn(err, err_len, "malformed cRLDistributionPoints ignored: %s", gnutls_strerror(r));
        goto out;
    }
    for (unsigned i = 0;; i++) {
        unsigned type = 0;
        unsigned reasons = 0;
        gnutls_datum_t dist = {NULL, 0};
        r = gnutls_x509_crl_dist_points_get(cdp, i, &type, &dist, &reasons);
        if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
            break;
        }
        if (r < 0) {
            x509_warn(err, err_len, "malformed cRLDistributionPoints: %s", gnutls_strerror(r));
            break;
        }
        if (type == GNUTLS_SAN_URI &&
            x509_list_add(&out->crl_urls, "", dist.data, dist.size, true) != 0) {
            rc = -1;
            goto out;
        }
    }
out:
    if (cdp != NULL) {
        gnutls_x509_crl_dist_points_deinit(cdp);
    }
    gnutls_free(val.data);
    return rc;
}

static int x509_fill_tlsfeatures(gnutls_x509_crt_t crt, struct cert_fact *out, char *err,
                                 size_t err_len)
{
    gnutls_datum_t val;
    if (x509_ext_get(crt, X509_OID_TLSFEATURE, "TLS feature", &val, err, err_len) == 0) {
        return 0;
    }
    int rc = 0;
    gnutls_x509_tlsfeatures_t feat = NULL;
    if (gnutls_x509_tlsfeatures_init(&feat) < 0) {
        rc = -1;
        goto out;
    }
    int r = gnutls_x509_ext_import_tlsfeatures(&val, feat, 0);
    if (r < 0) {
        x509_warn(err, err_len, "malformed TLS feature extension ignored: %s", gnutls_strerror(r));
        goto out;
    }
    for (unsigned i = 0;; i++) {
        unsigned f = 0;
        if (gnutls_x509_tlsfeatures_get(feat, i, &f) < 0) {
            break;
        }
        if (f == X509_TLSFEATURE_STATUS_REQUEST) {
            out->must_staple = true;
        }
    }
out:
    if (feat != NULL) {
        gnutls_x509_tlsfeatures_deinit(feat);
    }
    gnutls_free(val.data);
    return rc;
}

static int x509_fill_scts(gnutls_x509_crt_t crt, struct cert_fact *out, char *err, size_t err_len)
{
    gnutls_datum_t val;
    if (x509_ext_get(crt, X509_OID_CT_SCTS, "SCT list", &val, err, err_len) == 0) {
        return 0;
    }
    int rc = 0;
    gnutls_x509_ct_scts_t scts = NULL;
    if (gnutls_x509_ext_ct_scts_init(&scts) < 0) {
        rc = -1;
        goto out;
    }
    /* RFC 6962 §3.3: an OCTET STRING holding a SignedCertificateTimestampList. */
    int r = gnutls_x509_ext_ct_import_scts(&val, scts, 0);
    if (r < 0) {
        x509_warn(err, err_len, "malformed SCT list ignored: %s", gnutls_strerror(r));
        goto out;
    }
    for (unsigned i = 0; i < INT_MAX; i++) {
        unsigned version = 0;
        if (gnutls_x509_ct_sct_get_version(scts, i, &version) < 0) {
            break;
        }
        out->n_scts++;
    }
out:
    if (scts != NULL) {
        gnutls_x509_ext_ct_scts_deinit(scts);
    }
    gnutls_free(val.data);
    return rc;
}

int x509_cert_facts(const unsigned char *der, size_t der_len, int64_t now, struct cert_fact *out,
                    char *err, size_t err_len)
{
    gnutls_x509_crt_t crt = NULL;
    int rc = -1;
    x509_errf(err, err_len, "%s", "");
    if (der == NULL && der_len > 0) {
        x509_errf(err, err_len, "no certificate bytes");
        goto out;
    }
    out->der = malloc(der_len > 0 ? der_len : 1);
    if (out->der == NULL) {
        x509_errf(err, err_len, "out of memory");
        goto out;
    }
    if (der_len > 0) {
        memcpy(out->der, der, der_len);
    }
    out->der_len = der_len;

    unsigned char digest[32];
    int r = gnutls_hash_fast(GNUTLS_DIG_SHA256, out->der, der_len, digest);
    if (r < 0) {
        x509_errf(err, err_len, "SHA-256 failed: %s", gnutls_strerror(r));
        goto out;
    }
    x509_hex(digest, sizeof(digest), out->sha256, sizeof(out->sha256));
    if (der_len > UINT_MAX) {
        x509_errf(err, err_len, "certificate of %zu bytes is too large", der_len);
        goto out;
    }

    if (gnutls_x509_crt_init(&crt) < 0) {
        crt = NULL;
        x509_errf(err, err_len, "out of memory");
        goto out;
    }
    gnutls_datum_t d = {out->der, (unsigned)der_len};
    r = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER);
    if (r < 0) {
        x509_errf(err, err_len, "not an X.509 certificate: %s", gnutls_strerror(r));
        goto out;
    }

    if (x509_fill_names(crt, out, err, err_len) != 0 ||
        x509_fill_serial(crt, out, err, err_len) != 0) {
        goto oom;
    }
    x509_fill_validity(crt, now, out, err, err_len);
    x509_fill_key(crt, out, err, err_len);
    x509_fill_sig(crt, out, err, err_len);
    x509_fill_basic_constraints(crt, out, err, err_len);
    if (x509_fill_key_usage(crt, out, err, err_len) != 0 ||
        x509_fill_eku(crt, out, err, err_len) != 0 || x509_fill_san(crt, out, err, err_len) != 0 ||
        x509_fill_aia(crt, out, err, err_len) != 0 ||
        x509_fill_crldp(crt, out, err, err_len) != 0 ||
        x509_fill_tlsfeatures(crt, out, err, err_len) != 0 ||
        x509_fill_scts(crt, out, err, err_len) != 0) {
        goto oom;
    }
    out->self_signed = strcmp(out->subject, out->issuer) == 0 && x509_crt_self_signed(crt);
    rc = 0;
    goto out;
oom:
    x509_errf(err, err_len, "out of memory");
out:
    if (crt != NULL) {
        gnutls_x509_crt_deinit(crt);
    }
    return rc;
}

/* --- trust anchors --------------------------------------------------------- */

int x509_trust_new(const char *ca_file, struct x509_trust **out, char *err, size_t err_len)
{
    struct x509_trust *t = NULL;
    char *ca = NULL;
    size_t ca_len = 0;
    int rc = -1;
    *out = NULL;
    x509_errf(err, err_len, "%s", "");

    if (ca_file != NULL) {
        /* read here, not by GnuTLS: it would wait on a FIFO and read a
         * device such as /dev/zero without end, and say only "error
         * parsing" for a missing or empty file */
        ca = infile_read(ca_file, "CA file", X509_MAX_CA_FILE, &ca_len, err, err_len);
        if (ca == NULL) {
            goto out;
        }
        if (ca_len == 0) {
            x509_errf(err, err_len, "CA file %s is empty", ca_file);
            goto out;
        }
    }

    t = calloc(1, sizeof(*t));
    if (t == NULL || gnutls_x509_trust_list_init(&t->tl, 0) < 0) {
        x509_errf(err, err_len, "out of memory");
        free(t);
        t = NULL;
        goto out;
    }
    if (ca_file == NULL) {
        int r = gnutls_x509_trust_list_add_system_trust(t->tl, 0, 0);
        if (r < 0) {
            x509_errf(err, err_len, "cannot load the system trust store: %s", gnutls_strerror(r));
            goto out;
        }
        if (r == 0) {
            x509_errf(err, err_len, "the system trust store holds no certificate");
            goto out;
        }
    } else {
        gnutls_datum_t d = {(unsigned char *)ca, (unsigned)ca_len};
        int r = gnutls_x509_trust_list_add_trust_mem(t->tl, &d, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
        if (r <= 0) {
            r = gnutls_x509_trust_list_add_trust_mem(t->tl, &d, NULL, GNUTLS_X509_FMT_DER, 0, 0);
        }
        if (r <= 0) {
            x509_errf(err, err_len, "no certificate found in CA file %s (PEM or DER)", ca_file);
            goto out;
        }
    }
    *out = t;
    t = NULL;
    rc = 0;
out:
    x509_trust_free(t);
    free(ca);
    return rc;
}

void x509_trust_free(struct x509_trust *t)
{
    if (t == NULL) {
        return;
    }
    if (t->tl != NULL) {
        gnutls_x509_trust_list_deinit(t->tl, 1);
    }
    free(t);
}

/* --- chain validation --------------------------------------------------- */

/* x509_text_add appends a phrase to a fixed text field, ", "-separated. */
static void x509_text_add(char *text, size_t text_len, const char *phrase)
{
    size_t used = strnlen(text, text_len - 1);
    snprintf(text + used, text_len - used, "%s%s", used > 0 ? ", " : "", phrase);
}

/* x509_status_words appends the words for the GnuTLS status flags. */
static void x509_status_words(unsigned status, bool incomplete, bool top_self_signed, char *text,
                              size_t text_len)
{
    static const struct {
        unsigned flag;
        const char *word;
    } words[] = {
        {GNUTLS_CERT_REVOKED, "revoked"},
        {GNUTLS_CERT_SIGNER_NOT_CA, "issuer is not a CA"},
        {GNUTLS_CERT_INSECURE_ALGORITHM, "insecure algorithm"},
        {GNUTLS_CERT_NOT_ACTIVATED, "not yet valid"},
        {GNUTLS_CERT_EXPIRED, "expired"},
        {GNUTLS_CERT_SIGNATURE_FAILURE, "bad signature"},
        {GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED, "revocation data superseded"},
        {GNUTLS_CERT_UNEXPECTED_OWNER, "hostname mismatch"},
        {GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE, "revocation data issued in the future"},
        {GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, "issuer constraints violated"},
        {GNUTLS_CERT_MISMATCH, "certificate mismatch"},
        {GNUTLS_CERT_PURPOSE_MISMATCH, "not valid for TLS server use"},
        {GNUTLS_CERT_MISSING_OCSP_STATUS, "missing OCSP status"},
        {GNUTLS_CERT_INVALID_OCSP_STATUS, "invalid OCSP status"},
        {GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS, "unknown critical extension"},
    };
    if (status & GNUTLS_CERT_SIGNER_NOT_FOUND) {
        x509_text_add(text, text_len,
                      incomplete        ? "issuer not found (incomplete chain)"
                      : top_self_signed ? "self-signed certificate not trusted"
                                        : "issuer not found");
    }
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (status & words[i].flag) {
            x509_text_add(text, text_len, words[i].word);
        }
    }
}

/* The served chain imported into GnuTLS. crts[i] is NULL when certs[i] is
 * not a certificate. */
struct x509_chain {
    gnutls_x509_crt_t *crts;
    size_t n;
};

static void x509_chain_free(struct x509_chain *c)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->crts[i] != NULL) {
            gnutls_x509_crt_deinit(c->crts[i]);
        }
    }
    free(c->crts);
    c->crts = NULL;
    c->n = 0;
}

/* x509_chain_import imports certs; returns 0, or -1 when out of memory. */
static int x509_chain_import(const struct cert_fact *certs, size_t n, struct x509_chain *c)
{
    c->crts = calloc(n, sizeof(*c->crts));
    c->n = 0;
    if (c->crts == NULL) {
        return -1;
    }
    c->n = n;
    for (size_t i = 0; i < n; i++) {
        gnutls_x509_crt_t crt = NULL;
        if (gnutls_x509_crt_init(&crt) < 0) {
            return -1;
        }
        gnutls_datum_t d = {certs[i].der, (unsigned)certs[i].der_len};
        if (certs[i].der == NULL || certs[i].der_len > UINT_MAX ||
            gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0) {
            gnutls_x509_crt_deinit(crt);
            crt = NULL;
        }
        c->crts[i] = crt;
    }
    return 0;
}

/* x509_issued_by reports whether c names `by` as its issuer (DN and key
 * identifiers; no signature check). */
static bool x509_issued_by(gnutls_x509_crt_t c, gnutls_x509_crt_t by)
{
    return c != NULL && by != NULL && gnutls_x509_crt_check_issuer(c, by) != 0;
}

/* x509_wrong_order reports whether some certificate is not followed by its
 * issuer although that issuer was served elsewhere in the list (RFC 8446
 * §4.4.2 / RFC 5246 §7.4.2: each certificate certifies the one before). */
static bool x509_wrong_order(const struct x509_chain *c)
{
    for (size_t i = 0; i < c->n; i++) {
        gnutls_x509_crt_t ci = c->crts[i];
        if (ci == NULL || x509_issued_by(ci, ci)) {
            continue;
        }
        if (i + 1 < c->n && x509_issued_by(ci, c->crts[i + 1])) {
            continue;
        }
        for (size_t j = 0; j < c->n; j++) {
            if (j != i && x509_issued_by(ci, c->crts[j])) {
                return true;
            }
        }
    }
    return false;
}

/* The validation path as clients build it: the leaf, then served issuers,
 * until a trust anchor issued (or is) the top certificate. */
struct x509_path {
    size_t idx[X509_MAX_CHAIN]; /* indexes into the served chain */
    size_t n;
    gnutls_x509_crt_t anchor; /* owned copy, NULL when none was found */
    bool top_self_signed;     /* no anchor: the top certificate is self-signed */
};

static void x509_path_build(const struct x509_trust *t, const struct x509_chain *c,
                            struct x509_path *p)
{
    bool used[X509_MAX_CHAIN] = {false};
    memset(p, 0, sizeof(*p));
    if (c->n == 0 || c->crts[0] == NULL) {
        return;
    }
    size_t cur = 0;
    used[0] = true;
    p->idx[p->n++] = 0;
    for (;;) {
        gnutls_x509_crt_t crt = c->crts[cur];
        gnutls_x509_crt_t anchor = NULL;
        if (gnutls_x509_trust_list_get_issuer(t->tl, crt, &anchor, GNUTLS_TL_GET_COPY) == 0 &&
            anchor != NULL) {
            p->anchor = anchor;
            return;
        }
        if (x509_issued_by(crt, crt)) {
            p->top_self_signed = x509_crt_self_signed(crt);
            return;
        }
        size_t next = c->n;
        for (size_t j = 0; j < c->n && j < X509_MAX_CHAIN; j++) {
            if (!used[j] && x509_issued_by(crt, c->crts[j])) {
                next = j;
                break;
            }
        }
        if (next == c->n || p->n == X509_MAX_CHAIN) {
            return;
        }
        used[next] = true;
        p->idx[p->n++] = next;
        cur = next;
    }
}

/* x509_time_status returns the GnuTLS flags for crt's validity at now. */
static unsigned x509_time_status(gnutls_x509_crt_t crt, int64_t now)
{
    int64_t nb = 0;
    int64_t na = 0;
    x509_crt_times(crt, &nb, &na);
    unsigned status = 0;
    if (now > na) {
        status |= GNUTLS_CERT_EXPIRED | GNUTLS_CERT_INVALID;
    }
    if (now < nb) {
        status |= GNUTLS_CERT_NOT_ACTIVATED | GNUTLS_CERT_INVALID;
    }
    return status;
}

/* x509_check_name fills the hostname fields from the leaf. */
static void x509_check_name(gnutls_x509_crt_t leaf, const char *hostname, const char *ip,
                            struct chain_fact *out)
{
    if (hostname != NULL) {
        out->hostname_checked = true;
        x509_set(out->hostname, sizeof(out->hostname), hostname);
        out->hostname_match =
            leaf != NULL && gnutls_x509_crt_check_hostname2(leaf, hostname, 0) != 0;
        return;
    }
    if (ip == NULL) {
        return;
    }
    out->hostname_checked = true;
    x509_set(out->hostname, sizeof(out->hostname), ip);
    unsigned char raw[16];
    unsigned raw_len = 0;
    if (inet_pton(AF_INET, ip, raw) == 1) {
        raw_len = 4;
    } else if (inet_pton(AF_INET6, ip, raw) == 1) {
        raw_len = 16;
    }
    out->hostname_match =
        leaf != NULL && raw_len > 0 && gnutls_x509_crt_check_ip(leaf, raw, raw_len, 0) != 0;
}

/* x509_fmt_time writes t as "YYYY-MM-DD HH:MM:SS UTC". */
void x509_fmt_time(int64_t t, char *buf, size_t buf_len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, buf_len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
        snprintf(buf, buf_len, "%lld", (long long)t);
    }
}

/* x509_crl_reason_name names an RFC 5280 §5.3.1 CRLReason. */
const char *x509_crl_reason_name(unsigned reason)
{
    static const char *const names[] = {
        "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
        "superseded",    "cessationOfOperation", "certificateHold", NULL,
        "removeFromCRL", "privilegeWithdrawn",   "aACompromise",
    };
    if (reason < sizeof(names) / sizeof(names[0]) && names[reason] != NULL) {
        return names[reason];
    }
    return "unknown reason";
}

/* x509_ocsp_issuer returns the issuer of the leaf: a served certificate
 * (borrowed, *owned false) or a trust anchor copy (*owned true), or NULL. */
static gnutls_x509_crt_t x509_ocsp_issuer(const struct x509_trust *t, const struct x509_chain *c,
                                          bool *owned)
{
    *owned = false;
    for (size_t j = 1; j < c->n; j++) {
        if (x509_issued_by(c->crts[0], c->crts[j])) {
            return c->crts[j];
        }
    }
    gnutls_x509_crt_t anchor = NULL;
    if (gnutls_x509_trust_list_get_issuer(t->tl, c->crts[0], &anchor, GNUTLS_TL_GET_COPY) == 0 &&
        anchor != NULL) {
        *owned = true;
        return anchor;
    }
    return NULL;
}

/* x509_ocsp_check judges the stapled OCSP response (RFC 6960) for the leaf
 * with the one verifier (scanner/ocsp.c): parsed, successful, about the
 * leaf, signed by the leaf's issuer (or a responder it delegated to), fresh
 * at now. Fills ocsp_status ("good", "revoked", "unknown", "invalid") and
 * ocsp_detail. */
static void x509_ocsp_check(const struct x509_trust *t, const struct x509_chain *c,
                            const unsigned char *ocsp, size_t ocsp_len, int64_t now,
                            struct chain_fact *out)
{
    static const char *const names[] = {[OCSP_GOOD] = "good",
                                        [OCSP_REVOKED] = "revoked",
                                        [OCSP_UNKNOWN] = "unknown",
                                        [OCSP_INVALID] = "invalid"};
    bool issuer_owned = false;
    gnutls_x509_crt_t leaf = c->n > 0 ? c->crts[0] : NULL;
    gnutls_x509_crt_t issuer = leaf != NULL ? x509_ocsp_issuer(t, c, &issuer_owned) : NULL;
    struct ocsp_input in = {
        .resp = ocsp, .resp_len = ocsp_len, .cert = leaf, .issuer = issuer, .now = now};
    struct ocsp_result res;
    ocsp_judge(&in, &res);
    out->ocsp_staple = true;
    x509_set(out->ocsp_status, sizeof(out->ocsp_status), names[res.verdict]);
    x509_set(out->ocsp_detail, sizeof(out->ocsp_detail),
             res.verdict == OCSP_GOOD ? "" : res.detail);
    if (issuer_owned) {
        gnutls_x509_crt_deinit(issuer);
    }
}

int x509_chain_check(const struct x509_trust *t, const struct cert_fact *certs, size_t n_certs,
                     const char *hostname, const char *ip, const unsigned char *ocsp,
                     size_t ocsp_len, int64_t now, struct chain_fact *out)
{
    struct x509_chain chain = {NULL, 0};
    struct x509_path path;
    gnutls_x509_crt_t *vlist = NULL;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    memset(&path, 0, sizeof(path));
    x509_set(out->ocsp_status, sizeof(out->ocsp_status), "none");
    if (n_certs > X509_MAX_CHAIN) {
        n_certs = X509_MAX_CHAIN;
    }
    if (n_certs == 0) {
        out->verify_status = GNUTLS_CERT_INVALID;
        x509_set(out->verify_text, sizeof(out->verify_text), "no certificate");
        x509_check_name(NULL, hostname, ip, out);
        if (ocsp != NULL) {
            x509_ocsp_check(t, &chain, ocsp, ocsp_len, now, out);
        }
        rc = 0;
        goto out;
    }
    if (x509_chain_import(certs, n_certs, &chain) != 0) {
        goto out;
    }

    /* Facts over every served certificate. */
    bool have_days = false;
    size_t n_good = 0;
    size_t first_bad = n_certs;
    for (size_t i = 0; i < n_certs; i++) {
        gnutls_x509_crt_t crt = chain.crts[i];
        if (crt == NULL) {
            if (first_bad == n_certs) {
                first_bad = i;
            }
            continue;
        }
        n_good++;
        unsigned ts = x509_time_status(crt, now);
        out->expired |= (ts & GNUTLS_CERT_EXPIRED) != 0;
        out->not_yet_valid |= (ts & GNUTLS_CERT_NOT_ACTIVATED) != 0;
        int64_t nb = 0;
        int64_t na = 0;
        x509_crt_times(crt, &nb, &na);
        int64_t days = x509_days_left(na, now);
        if (!have_days || days < out->min_days_left) {
            out->min_days_left = days;
            have_days = true;
        }
    }
    gnutls_x509_crt_t leaf = chain.crts[0];
    x509_check_name(leaf, hostname, ip, out);
    out->self_signed = leaf != NULL && x509_crt_self_signed(leaf);
    out->wrong_order = x509_wrong_order(&chain);

    /* GnuTLS verifies (and, as clients do, sorts) the served certificates;
     * times are disabled there and checked below against `now`. */
    unsigned status = 0;
    char why[FACT_TEXT] = "";
    if (leaf == NULL) {
        status |= GNUTLS_CERT_INVALID;
        snprintf(why, sizeof(why), "the leaf is not a certificate");
    } else {
        if (first_bad != n_certs) {
            status |= GNUTLS_CERT_INVALID;
            snprintf(why, sizeof(why), "served certificate #%zu of %zu is not a certificate",
                     first_bad + 1, n_certs);
        }
        vlist = calloc(n_good, sizeof(*vlist));
        if (vlist == NULL) {
            goto out;
        }
        size_t m = 0;
        for (size_t i = 0; i < n_certs; i++) {
            if (chain.crts[i] != NULL) {
                vlist[m++] = chain.crts[i];
            }
        }
        gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID,
                                         (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER, 0};
        unsigned vstatus = 0;
        int r = gnutls_x509_trust_list_verify_crt2(t->tl, vlist, (unsigned)m, &purpose, 1,
                                                   X509_VERIFY_FLAGS, &vstatus, NULL);
        if (r == GNUTLS_E_MEMORY_ERROR) {
            goto out;
        }
        if (r < 0) {
            status |= GNUTLS_CERT_INVALID;
            snprintf(why, sizeof(why), "verification failed: %s", gnutls_strerror(r));
        } else {
            status |= vstatus;
        }

        /* Validity of the path clients build, and of its anchor. */
        x509_path_build(t, &chain, &path);
        for (size_t k = 0; k < path.n; k++) {
            status |= x509_time_status(chain.crts[path.idx[k]], now);
        }
        if (path.anchor != NULL) {
            unsigned as = x509_time_status(path.anchor, now);
            if (as != 0) {
                status |= as;
                x509_text_add(why, sizeof(why),
                              (as & GNUTLS_CERT_EXPIRED) ? "trust anchor expired"
                                                         : "trust anchor not yet valid");
            }
        }
    }
    out->incomplete = leaf != NULL && (status & GNUTLS_CERT_SIGNER_NOT_FOUND) != 0 &&
                      path.anchor == NULL && !path.top_self_signed;
    out->verify_status = status;
    out->trusted = status == 0;
    x509_status_words(status, out->incomplete, path.top_self_signed, out->verify_text,
                      sizeof(out->verify_text));
    if (why[0] != '\0') {
        x509_text_add(out->verify_text, sizeof(out->verify_text), why);
    }
    if (status != 0 && out->verify_text[0] == '\0') {
        x509_set(out->verify_text, sizeof(out->verify_text), "not trusted");
    }

    if (ocsp != NULL) {
        x509_ocsp_check(t, &chain, ocsp, ocsp_len, now, out);
    }
    rc = 0;
out:
    if (path.anchor != NULL) {
        gnutls_x509_crt_deinit(path.anchor);
    }
    free(vlist);
    x509_chain_free(&chain);
    return rc;
}

int x509_anchor_issuer(const struct x509_trust *t, const unsigned char *der, size_t der_len,
                       unsigned char **out_der, size_t *out_len)
{
    gnutls_x509_crt_t crt = NULL;
    gnutls_x509_crt_t anchor = NULL;
    gnutls_datum_t out = {NULL, 0};
    int rc = -1;
    *out_der = NULL;
    *out_len = 0;
    if (der_len == 0 || der_len > UINT_MAX || gnutls_x509_crt_init(&crt) < 0) {
        return -1;
    }
    gnutls_datum_t d = {(unsigned char *)der, (unsigned)der_len};
    if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0) {
        goto out;
    }
    if (gnutls_x509_trust_list_get_issuer(t->tl, crt, &anchor, GNUTLS_TL_GET_COPY) != 0 ||
        anchor == NULL) {
        rc = 0;
        goto out;
    }
    if (!x509_issued_by(crt, anchor)) {
        rc = 0;
        goto out;
    }
    if (gnutls_x509_crt_export2(anchor, GNUTLS_X509_FMT_DER, &out) < 0) {
        goto out;
    }
    *out_der = malloc(out.size ? out.size : 1);
    if (*out_der == NULL) {
        goto out;
    }
    memcpy(*out_der, out.data, out.size);
    *out_len = out.size;
    rc = 1;
out:
    gnutls_free(out.data);
    if (anchor != NULL) {
        gnutls_x509_crt_deinit(anchor);
    }
    gnutls_x509_crt_deinit(crt);
    return rc;
}
