/*
 * scanner/gnutls/x509_facts.c - certificate facts from DER: the GnuTLS X.509
 * adapter's reading half (x509_chain.c is the validating half; both
 * implement scanner/x509.h).
 *
 * Sits between the handshake (which hands over the DER certificates a
 * server sent) and the store: it turns each DER certificate into a struct
 * cert_fact. GnuTLS does every ASN.1 decode; nothing here parses DER. Also
 * home of the helpers x509_private.h declares for x509_chain.c and ocsp.c.
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
 * - The list extensions (EKU, SAN, AIA, CRL distribution points,
 *   certificatePolicies, TLS features, SCTs) share one walk (x509_fill_ext):
 *   fetch the value, let the extension's decoder import it, x509_walk read
 *   its items with the extension's item reader until the end, free it.
 */
#include "scanner/x509.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509-ext.h>
#include <gnutls/x509.h>

#include "scanner/gnutls/x509_private.h"

#define X509_OID_SAN "2.5.29.17"
#define X509_OID_EKU "2.5.29.37"
#define X509_OID_CRLDP "2.5.29.31"
#define X509_OID_POLICIES "2.5.29.32"
#define X509_OID_AIA "1.3.6.1.5.5.7.1.1"
#define X509_OID_TLSFEATURE "1.3.6.1.5.5.7.1.24"
#define X509_OID_CT_SCTS "1.3.6.1.4.1.11129.2.4.2"
#define X509_OID_AD_OCSP "1.3.6.1.5.5.7.48.1"
#define X509_OID_AD_CAISSUERS "1.3.6.1.5.5.7.48.2"

/* RFC 7633 §4: the TLS feature status_request (RFC 6066 extension 5). */
#define X509_TLSFEATURE_STATUS_REQUEST 5

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
    static const struct x509_flag_word ku_names[] = {
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
        if ((usage & ku_names[i].flag) != 0 &&
            strlist_add(&out->key_usage, ku_names[i].word) != 0) {
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

/* --- the list extensions ------------------------------------------------- */
/* A decoder reads one extension's value (val) into out: 0, or -1 when out
 * of memory; a malformed value (name: the extension in the warning) only
 * warns. */

/* x509_import_ok reports whether r, a decoder's import of the value,
 * succeeded; else warns that the extension is ignored. */
static bool x509_import_ok(int r, const char *name, char *err, size_t err_len)
{
    if (r < 0) {
        x509_warn(err, err_len, "malformed %s ignored: %s", name, gnutls_strerror(r));
        return false;
    }
    return true;
}

/* x509_item_end reports whether r, the read of the next item of a decoded
 * list, ends the walk: the end of the list, or an error (warned; what was
 * read before it is kept). */
static bool x509_item_end(int r, const char *name, char *err, size_t err_len)
{
    if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
        return true;
    }
    if (r < 0) {
        x509_warn(err, err_len, "malformed %s: %s", name, gnutls_strerror(r));
        return true;
    }
    return false;
}

/* An item reader reads item i of the decoded list h into out. Returns the
 * GnuTLS code of the read (GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE past the
 * end); *oom is set when keeping the item ran out of memory. */
typedef int (*x509_item_reader)(void *h, unsigned i, struct cert_fact *out, bool *oom);

/* x509_walk reads the items of h one by one with read until the end, an
 * error (x509_item_end) or out of memory. Returns 0, or -1 when out of
 * memory. */
static int x509_walk(void *h, x509_item_reader read, const char *name, struct cert_fact *out,
                     char *err, size_t err_len)
{
    bool oom = false;
    for (unsigned i = 0; !oom; i++) {
        if (x509_item_end(read(h, i, out, &oom), name, err, err_len)) {
            break;
        }
    }
    return oom ? -1 : 0;
}

/* x509_add_eku appends the name of the key purpose oid, or its escaped
 * dotted text when it has none here. */
static int x509_add_eku(struct strlist *l, const gnutls_datum_t *oid)
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
    for (size_t k = 0; k < sizeof(eku_names) / sizeof(eku_names[0]); k++) {
        if (x509_datum_is(oid, eku_names[k].oid)) {
            return strlist_add(l, eku_names[k].name);
        }
    }
    return x509_list_add(l, "", oid->data, strnlen((const char *)oid->data, oid->size), true);
}

static int x509_eku_item(void *h, unsigned i, struct cert_fact *out, bool *oom)
{
    gnutls_datum_t oid = {NULL, 0};
    int r = gnutls_x509_key_purpose_get(h, i, &oid);
    *oom = r >= 0 && x509_add_eku(&out->eku, &oid) != 0;
    return r;
}

static int x509_decode_eku(const gnutls_datum_t *val, const char *name, struct cert_fact *out,
                           char *err, size_t err_len)
{
    gnutls_x509_key_purposes_t h = NULL;
    if (gnutls_x509_key_purpose_init(&h) < 0) {
        return -1;
    }
    int r = gnutls_x509_ext_import_key_purposes(val, h, 0);
    int rc = x509_import_ok(r, name, err, err_len)
                 ? x509_walk(h, x509_eku_item, name, out, err, err_len)
                 : 0;
    gnutls_x509_key_purpose_deinit(h);
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

static int x509_san_item(void *h, unsigned i, struct cert_fact *out, bool *oom)
{
    unsigned type = 0;
    gnutls_datum_t san = {NULL, 0};
    gnutls_datum_t othername_oid = {NULL, 0};
    int r = gnutls_subject_alt_names_get(h, i, &type, &san, &othername_oid);
    *oom = r >= 0 && x509_add_general_name(&out->san, type, &san, &othername_oid) != 0;
    return r;
}

static int x509_decode_san(const gnutls_datum_t *val, const char *name, struct cert_fact *out,
                           char *err, size_t err_len)
{
    gnutls_subject_alt_names_t h = NULL;
    if (gnutls_subject_alt_names_init(&h) < 0) {
        return -1;
    }
    int r = gnutls_x509_ext_import_subject_alt_names(val, h, 0);
    int rc = x509_import_ok(r, name, err, err_len)
                 ? x509_walk(h, x509_san_item, name, out, err, err_len)
                 : 0;
    gnutls_subject_alt_names_deinit(h);
    return rc;
}

/* x509_aia_list returns the list an AIA accessMethod oid goes to, or NULL. */
static struct strlist *x509_aia_list(const gnutls_datum_t *oid, struct cert_fact *out)
{
    if (x509_datum_is(oid, X509_OID_AD_OCSP)) {
        return &out->ocsp_urls;
    }
    return x509_datum_is(oid, X509_OID_AD_CAISSUERS) ? &out->ca_issuer_urls : NULL;
}

static int x509_aia_item(void *h, unsigned i, struct cert_fact *out, bool *oom)
{
    gnutls_datum_t oid = {NULL, 0};
    gnutls_datum_t san = {NULL, 0};
    unsigned type = 0;
    int r = gnutls_x509_aia_get(h, i, &oid, &type, &san);
    struct strlist *l = r >= 0 && type == GNUTLS_SAN_URI ? x509_aia_list(&oid, out) : NULL;
    *oom = l != NULL && x509_list_add(l, "", san.data, san.size, true) != 0;
    return r;
}

static int x509_decode_aia(const gnutls_datum_t *val, const char *name, struct cert_fact *out,
                           char *err, size_t err_len)
{
    gnutls_x509_aia_t h = NULL;
    if (gnutls_x509_aia_init(&h) < 0) {
        return -1;
    }
    int r = gnutls_x509_ext_import_aia(val, h, 0);
    int rc = x509_import_ok(r, name, err, err_len)
                 ? x509_walk(h, x509_aia_item, name, out, err, err_len)
                 : 0;
    gnutls_x509_aia_deinit(h);
    return rc;
}

static int x509_crldp_item(void *h, unsigned i, struct cert_fact *out, bool *oom)
{
    unsigned type = 0;
    unsigned reasons = 0;
    gnutls_datum_t dist = {NULL, 0};
    int r = gnutls_x509_crl_dist_points_get(h, i, &type, &dist, &reasons);
    *oom = r >= 0 && type == GNUTLS_SAN_URI &&
           x509_list_add(&out->crl_urls, "", dist.data, dist.size, true) != 0;
    return r;
}

static int x509_decode_crldp(const gnutls_datum_t *val, const char *name, struct cert_fact *out,
                             char *err, size_t err_len)
{
    gnutls_x509_crl_dist_points_t h = NULL;
    if (gnutls_x509_crl_dist_points_init(&h) < 0) {
        return -1;
    }
    int r = gnutls_x509_ext_import_crl_dist_points(val, h, 0);
    int rc = x509_import_ok(r, name, err, err_len)
                 ? x509_walk(h, x509_crldp_item, name, out, err, err_len)
                 : 0;
    gnutls_x509_crl_dist_points_deinit(h);
    return rc;
}

/* RFC 5280 §4.2.1.4: each PolicyInformation's policyIdentifier, as dotted
 * text (escaped like the other OID texts); the qualifiers are not kept. */
static int x509_policy_item(void *h, unsigned i, struct cert_fact *out, bool *oom)
{
    struct gnutls_x509_policy_st policy;
    memset(&policy, 0, sizeof(policy));
    int r = gnutls_x509_policies_get(h, i, &policy);
    *oom = r >= 0 && policy.oid != NULL &&
           x509_list_add(&out->policy_oids, "", (const unsigned char *)policy.oid,
                         strlen(policy.oid), true) != 0;
    return r;
}

static int x509_decode_policies(const gnutls_datum_t *val, const char *name, struct cert_fact *out,
                                char *err, size_t err_len)
{
    gnutls_x509_policies_t h = NULL;
    if (gnutls_x509_policies_init(&h) < 0) {
        return -1;
    }
    int r = gnutls_x509_ext_import_policies(val, h, 0);
    int rc = x509_import_ok(r, name, err, err_len)
                 ? x509_walk(h, x509_policy_item, name, out, err, err_len)
                 : 0;
    gnutls_x509_policies_deinit(h);
    return rc;
}

/* The TLS feature and SCT lists end at the first item that cannot be read,
 * without a warning. */
static int x509_tlsfeatures_item(void *h, unsigned i, struct cert_fact *out, bool *oom)
{
    unsigned f = 0;
    *oom = false;
    if (gnutls_x509_tlsfeatures_get(h, i, &f) < 0) {
        return GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE;
    }
    if (f == X509_TLSFEATURE_STATUS_REQUEST) {
        out->must_staple = true;
    }
    return 0;
}

static int x509_decode_tlsfeatures(const gnutls_datum_t *val, const char *name,
                                   struct cert_fact *out, char *err, size_t err_len)
{
    gnutls_x509_tlsfeatures_t h = NULL;
    if (gnutls_x509_tlsfeatures_init(&h) < 0) {
        return -1;
    }
    int r = gnutls_x509_ext_import_tlsfeatures(val, h, 0);
    int rc = x509_import_ok(r, name, err, err_len)
                 ? x509_walk(h, x509_tlsfeatures_item, name, out, err, err_len)
                 : 0;
    gnutls_x509_tlsfeatures_deinit(h);
    return rc;
}

static int x509_scts_item(void *h, unsigned i, struct cert_fact *out, bool *oom)
{
    unsigned version = 0;
    *oom = false;
    if (i >= INT_MAX || gnutls_x509_ct_sct_get_version(h, i, &version) < 0) {
        return GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE;
    }
    out->n_scts++;
    return 0;
}

/* RFC 6962 §3.3: an OCTET STRING holding a SignedCertificateTimestampList. */
static int x509_decode_scts(const gnutls_datum_t *val, const char *name, struct cert_fact *out,
                            char *err, size_t err_len)
{
    gnutls_x509_ct_scts_t h = NULL;
    if (gnutls_x509_ext_ct_scts_init(&h) < 0) {
        return -1;
    }
    int r = gnutls_x509_ext_ct_import_scts(val, h, 0);
    int rc = x509_import_ok(r, name, err, err_len)
                 ? x509_walk(h, x509_scts_item, name, out, err, err_len)
                 : 0;
    gnutls_x509_ext_ct_scts_deinit(h);
    return rc;
}

/* The list extensions in the order they are read. */
static const struct {
    const char *oid;
    const char *what; /* in "unreadable %s ignored" */
    const char *name; /* in "malformed %s ignored" and "malformed %s" */
    int (*decode)(const gnutls_datum_t *val, const char *name, struct cert_fact *out, char *err,
                  size_t err_len);
} x509_list_exts[] = {
    {X509_OID_EKU, "extendedKeyUsage", "extendedKeyUsage", x509_decode_eku},
    {X509_OID_SAN, "subjectAltName", "subjectAltName", x509_decode_san},
    {X509_OID_AIA, "authorityInfoAccess", "authorityInfoAccess", x509_decode_aia},
    {X509_OID_CRLDP, "cRLDistributionPoints", "cRLDistributionPoints", x509_decode_crldp},
    {X509_OID_POLICIES, "certificatePolicies", "certificatePolicies", x509_decode_policies},
    {X509_OID_TLSFEATURE, "TLS feature", "TLS feature extension", x509_decode_tlsfeatures},
    {X509_OID_CT_SCTS, "SCT list", "SCT list", x509_decode_scts},
};

/* x509_fill_exts reads every list extension present in crt with its
 * decoder. Returns 0, or -1 when out of memory (the rest is not read). */
static int x509_fill_exts(gnutls_x509_crt_t crt, struct cert_fact *out, char *err, size_t err_len)
{
    for (size_t i = 0; i < sizeof(x509_list_exts) / sizeof(x509_list_exts[0]); i++) {
        gnutls_datum_t val;
        if (x509_ext_get(crt, x509_list_exts[i].oid, x509_list_exts[i].what, &val, err, err_len) ==
            0) {
            continue;
        }
        int rc = x509_list_exts[i].decode(&val, x509_list_exts[i].name, out, err, err_len);
        gnutls_free(val.data);
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
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
        x509_fill_exts(crt, out, err, err_len) != 0) {
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
