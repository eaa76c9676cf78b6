/*
 * policies/checks/cert_profile.c - the certificate profile a scan can see:
 * cert_signature_allowed (an allow-list of signature algorithms, leaf or
 * chain), cert_key_usage_valid (keyUsage bits per key type),
 * cert_serial_valid (positive, at most 20 octets, at least 64 bits),
 * cert_aia_required, cert_ocsp_url_required and cert_crl_url_required
 * (the leaf's AIA and CRL distribution point URLs), cert_policy_required
 * (a CA/B Forum reserved policy OID in the leaf's certificatePolicies),
 * their parameters and verdicts.
 *
 * Where it sits: check_table (table.c) -> [load, describe, eval here].
 * Invariant: like cert.c, certificates not collected are inconclusive;
 * every check here judges the leaf (certs[0]) unless its parameters say
 * `certificates: chain`, through the same accessors cert.c uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/bytes.h"
#include "common/util.h"
#include "policies/checks/checks.h"

/* ---- cert_signature_allowed ------------------------------------------------- */

/* The names a policy may use (the X.509 / RFC 5758 / RFC 8410 names, as
 * Mozilla's guidelines write them) and the name GnuTLS gives each
 * (cert_fact.sig_alg, scanner/gnutls/x509_facts.c). */
static const struct {
    const char *name;
    const char *gnutls;
} sig_names[] = {
    {"md5WithRSAEncryption", "RSA-MD5"},
    {"sha1WithRSAEncryption", "RSA-SHA1"},
    {"sha224WithRSAEncryption", "RSA-SHA224"},
    {"sha256WithRSAEncryption", "RSA-SHA256"},
    {"sha384WithRSAEncryption", "RSA-SHA384"},
    {"sha512WithRSAEncryption", "RSA-SHA512"},
    {"rsassa-pss-sha256", "RSA-PSS-SHA256"},
    {"rsassa-pss-sha384", "RSA-PSS-SHA384"},
    {"rsassa-pss-sha512", "RSA-PSS-SHA512"},
    {"ecdsa-with-SHA1", "ECDSA-SHA1"},
    {"ecdsa-with-SHA224", "ECDSA-SHA224"},
    {"ecdsa-with-SHA256", "ECDSA-SHA256"},
    {"ecdsa-with-SHA384", "ECDSA-SHA384"},
    {"ecdsa-with-SHA512", "ECDSA-SHA512"},
    {"ed25519", "EdDSA-Ed25519"},
    {"ed448", "EdDSA-Ed448"},
    {"dsa-with-SHA1", "DSA-SHA1"},
    {"dsa-with-SHA256", "DSA-SHA256"},
};
#define N_SIG_NAMES (sizeof(sig_names) / sizeof(sig_names[0]))

/* sig_lookup finds a policy name or a GnuTLS name (any case); -1 when unknown. */
static int sig_lookup(const char *name)
{
    for (size_t i = 0; i < N_SIG_NAMES; i++) {
        if (strcasecmp(name, sig_names[i].name) == 0 ||
            strcasecmp(name, sig_names[i].gnutls) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static bool load_sig_list(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    if (!load_list(f, v, "a list of signature algorithms", false)) {
        return false;
    }
    for (size_t i = 0; i < load_seq_len(v); i++) {
        yaml_node_t *item = load_seq_item(f, v, i);
        const char *name = load_text(f, item, "a signature algorithm");
        if (name == NULL) {
            return false;
        }
        int k = sig_lookup(name);
        if (k < 0) {
            return load_fail(f, item,
                             "unknown signature algorithm '%s': expected a name such as "
                             "sha256WithRSAEncryption, ecdsa-with-SHA256, rsassa-pss-sha256 or "
                             "ed25519",
                             name);
        }
        bool dup = false;
        for (size_t x = 0; x < c->n_sigs; x++) {
            dup = dup || c->sigs[x] == sig_names[k].gnutls;
        }
        if (!dup) {
            c->sigs[c->n_sigs++] = sig_names[k].gnutls; /* at most N_SIG_NAMES */
        }
    }
    return true;
}

bool load_c_sig_allowed(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    if (load_is_list(v)) {
        return load_sig_list(f, v, c);
    }
    static const char *const keys[] = {"certificates", "algorithms", NULL};
    struct load_map m;
    if (!load_map_open(f, v, "cert_signature_allowed (a list, or a mapping)", keys,
                       "certificates or algorithms", &m)) {
        return false;
    }
    if (!load_which_certs(f, &m, c)) {
        return false;
    }
    yaml_node_t *algs = load_map_get(f, &m, "algorithms", NULL);
    if (algs == NULL) {
        return load_fail(f, v,
                         "cert_signature_allowed has no 'algorithms': expected the allowed "
                         "signature algorithms, e.g. [ecdsa-with-SHA256, ecdsa-with-SHA384]");
    }
    return load_sig_list(f, algs, c);
}

/* sig_policy_name: the policy name of a GnuTLS name, or the name itself. */
static const char *sig_policy_name(const char *gnutls)
{
    for (size_t i = 0; i < N_SIG_NAMES; i++) {
        if (strcasecmp(gnutls, sig_names[i].gnutls) == 0) {
            return sig_names[i].name;
        }
    }
    return gnutls;
}

void describe_sig_allowed(struct load_buf *b, const struct check *c)
{
    load_buf_add(b, "%s:", c->whole_chain ? "chain" : "leaf");
    for (size_t i = 0; i < c->n_sigs; i++) {
        load_buf_add(b, "%s %s", i ? "," : "", sig_policy_name(c->sigs[i]));
    }
}

static void check_sig_allowed(const struct target_result *r, const struct check *c, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    char lbuf[40];
    size_t n = c->whole_chain ? r->n_certs : 1;
    for (size_t i = 0; i < n; i++) {
        const struct cert_fact *cf = &r->certs[i];
        const char *label = eval_cert_label(i, lbuf, sizeof(lbuf));
        if (cf->self_signed && i > 0) {
            ev_add(judge_ok(j), "%s self-signed (%s, not relied on)", label, cf->sig_alg);
            continue;
        }
        if (cf->sig_alg[0] == '\0' || strcmp(cf->sig_alg, "unknown") == 0) {
            ev_add(judge_unknown(j), "%s signature algorithm not collected", label);
            continue;
        }
        bool ok = false;
        for (size_t k = 0; k < c->n_sigs && !ok; k++) {
            ok = strcasecmp(cf->sig_alg, c->sigs[k]) == 0;
        }
        if (ok) {
            ev_add(judge_ok(j), "%s signed with %s", label, sig_policy_name(cf->sig_alg));
            continue;
        }
        struct ev *e = judge_fail(j);
        ev_add(e, "%s signed with %s, not in the allow-list (", label,
               sig_policy_name(cf->sig_alg));
        for (size_t k = 0; k < c->n_sigs; k++) {
            ev_add(e, "%s%s", k ? ", " : "", sig_policy_name(c->sigs[k]));
        }
        ev_add(e, ")");
    }
}

/* ---- cert_key_usage_valid ----------------------------------------------------- */

static bool has_word(const struct strlist *l, const char *w)
{
    for (size_t i = 0; i < l->n_items; i++) {
        if (strcmp(l->items[i], w) == 0) {
            return true;
        }
    }
    return false;
}

/* CA/B Forum BR §7.1.2.7.11: the bits a subscriber certificate may carry
 * per key type, and the one an ECC key must carry. */
static void check_key_usage(const struct target_result *r, struct judge *j)
{
    static const char *const rsa_ok[] = {"digitalSignature", "keyEncipherment", "dataEncipherment",
                                         NULL};
    static const char *const ec_ok[] = {"digitalSignature", "keyAgreement", NULL};
    if (!eval_have_certs(r, j)) {
        return;
    }
    const struct cert_fact *cf = &r->certs[0];
    bool rsa = strncmp(cf->key_type, "RSA", 3) == 0;
    bool ec = strcmp(cf->key_type, "EC") == 0;
    if (!rsa && !ec) {
        ev_add(judge_unknown(j), "leaf key type %s: key usage is judged for RSA and EC keys only",
               cf->key_type[0] != '\0' ? cf->key_type : "unknown");
        return;
    }
    if (!cf->has_key_usage) {
        ev_add(judge_warn(j), "leaf has no keyUsage extension (it SHOULD be present)");
        return;
    }
    const char *const *allowed = rsa ? rsa_ok : ec_ok;
    struct ev list;
    ev_init(&list);
    for (size_t i = 0; i < cf->key_usage.n_items; i++) {
        const char *w = cf->key_usage.items[i];
        ev_add(&list, "%s%s", i ? ", " : "", w);
        bool ok = false;
        for (const char *const *a = allowed; *a != NULL && !ok; a++) {
            ok = strcmp(*a, w) == 0;
        }
        if (!ok) {
            ev_add(judge_fail(j), "leaf %s key with keyUsage %s (not permitted)", cf->key_type, w);
        }
    }
    if (ec && !has_word(&cf->key_usage, "digitalSignature")) {
        ev_add(judge_fail(j), "leaf EC key without keyUsage digitalSignature");
    }
    if (rsa && !has_word(&cf->key_usage, "digitalSignature") &&
        !has_word(&cf->key_usage, "keyEncipherment")) {
        ev_add(judge_fail(j), "leaf RSA key with neither digitalSignature nor keyEncipherment");
    }
    ev_add(judge_ok(j), "leaf %s key, keyUsage: %s", cf->key_type,
           list.len > 0 ? list.buf : "none");
}

/* ---- cert_serial_valid -------------------------------------------------------- */

/* der_get reads one DER tag and length (short form, or long form up to 3
 * octets) and the content into out. */
static bool der_get(struct rbuf *r, uint8_t *tag, struct rbuf *out)
{
    uint8_t t, l;
    if (!rbuf_get_u8(r, &t) || !rbuf_get_u8(r, &l)) {
        return false;
    }
    size_t len = l;
    if (l & 0x80) {
        size_t n = l & 0x7F;
        if (n == 0 || n > 3) {
            return false;
        }
        len = 0;
        for (size_t i = 0; i < n; i++) {
            uint8_t b;
            if (!rbuf_get_u8(r, &b)) {
                return false;
            }
            len = len << 8 | b;
        }
    }
    *tag = t;
    return rbuf_get_bytes(r, out, len);
}

/* der_serial finds the serialNumber INTEGER's content octets (RFC 5280
 * §4.1: Certificate, tbsCertificate, optional [0] version, serialNumber). */
static bool der_serial(const struct cert_fact *cf, struct rbuf *out)
{
    struct rbuf r, cert, tbs;
    uint8_t tag;
    rbuf_init(&r, cf->der, cf->der_len);
    if (!der_get(&r, &tag, &cert) || tag != 0x30 || !der_get(&cert, &tag, &tbs) || tag != 0x30 ||
        !der_get(&tbs, &tag, out)) {
        return false;
    }
    if (tag == 0xA0 && !der_get(&tbs, &tag, out)) {
        return false;
    }
    return tag == 0x02 && out->len > 0;
}

static void check_serial(const struct target_result *r, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    const struct cert_fact *cf = &r->certs[0];
    struct rbuf s;
    if (cf->der == NULL || !der_serial(cf, &s)) {
        ev_add(judge_unknown(j), "leaf serial number not readable from the certificate");
        return;
    }
    const uint8_t *p = s.data;
    size_t len = s.len, lead = 0;
    while (lead < len && p[lead] == 0) {
        lead++;
    }
    size_t significant = len - lead;
    const char *hex = cf->serial[0] != '\0' ? cf->serial : "?";
    if (p[0] & 0x80) {
        ev_add(judge_fail(j), "leaf serial number %s is negative", hex);
    } else if (significant == 0) {
        ev_add(judge_fail(j), "leaf serial number is zero");
    }
    if (len > 20) {
        ev_add(judge_fail(j), "leaf serial number %s is %zu octets (> 20)", hex, len);
    }
    if (significant > 0 && significant < 8) {
        ev_add(judge_fail(j),
               "leaf serial number %s has %zu significant octets (< 8: fewer than 64 bits)", hex,
               significant);
    }
    ev_add(judge_ok(j), "leaf serial number %s: positive, %zu octets (%zu significant)", hex, len,
           significant);
}

/* ---- AIA and CRL distribution point URLs ------------------------------------- */

static void ev_urls(struct ev *e, const struct strlist *l)
{
    for (size_t i = 0; i < l->n_items; i++) {
        ev_add(e, "%s%s", i ? ", " : "", l->items[i]);
    }
}

static void check_aia(const struct target_result *r, bool ocsp_only, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    const struct cert_fact *cf = &r->certs[0];
    size_t n_ocsp = cf->ocsp_urls.n_items, n_issuers = cf->ca_issuer_urls.n_items;
    if (n_ocsp > 0) {
        struct ev *e = judge_ok(j);
        ev_add(e, "leaf OCSP responder: ");
        ev_urls(e, &cf->ocsp_urls);
    }
    if (!ocsp_only && n_issuers > 0) {
        struct ev *e = judge_ok(j);
        ev_add(e, "leaf CA issuers: ");
        ev_urls(e, &cf->ca_issuer_urls);
    }
    if (ocsp_only && n_ocsp == 0) {
        ev_add(judge_fail(j), "leaf has no OCSP responder URL (authorityInfoAccess id-ad-ocsp)");
    } else if (!ocsp_only && n_ocsp == 0 && n_issuers == 0) {
        ev_add(judge_fail(j),
               "leaf has no authorityInfoAccess URL (neither id-ad-ocsp nor id-ad-caIssuers)");
    }
}

bool load_c_crl_url(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    if (load_scalar_is(v, "true") || load_scalar_is(v, "false")) {
        return load_true(f, v, "cert_crl_url_required (or a mapping)");
    }
    static const char *const keys[] = {"unless_ocsp", "short_lived", NULL};
    struct load_map m;
    if (!load_map_open(f, v, "cert_crl_url_required (true, or a mapping)", keys,
                       "unless_ocsp or short_lived", &m)) {
        return false;
    }
    yaml_node_t *unless = load_map_get(f, &m, "unless_ocsp", NULL);
    if (unless != NULL) {
        if (!load_true(f, unless, "unless_ocsp")) {
            return false;
        }
        c->unless_ocsp = true;
    }
    yaml_node_t *steps = load_map_get(f, &m, "short_lived", NULL);
    return steps == NULL || load_steps(f, steps, c);
}

void describe_crl_url(struct load_buf *b, const struct check *c)
{
    load_buf_add(b, "true");
    if (c->unless_ocsp) {
        load_buf_add(b, "; unless the leaf names an OCSP responder");
    }
    if (c->n_steps > 0) {
        load_buf_add(b, "; not for short-lived leaves: ");
        load_describe_steps(b, c);
    }
}

static void check_crl_url(const struct target_result *r, const struct check *c, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    const struct cert_fact *cf = &r->certs[0];
    if (cf->crl_urls.n_items > 0) {
        struct ev *e = judge_ok(j);
        ev_add(e, "leaf CRL distribution point: ");
        ev_urls(e, &cf->crl_urls);
        return;
    }
    if (c->unless_ocsp && cf->ocsp_urls.n_items > 0) {
        struct ev *e = judge_ok(j);
        ev_add(e, "no CRL distribution point, none needed: the leaf names an OCSP responder (");
        ev_urls(e, &cf->ocsp_urls);
        ev_add(e, ")");
        return;
    }
    const struct lifetime_step *step = eval_step_in_force(c, cf->not_before);
    int64_t period = eval_validity_period(cf);
    char issued[16];
    util_iso_date(cf->not_before, issued, sizeof(issued));
    if (step != NULL && period <= (int64_t)step->max_days * 86400) {
        ev_add(judge_ok(j),
               "no CRL distribution point, none needed: short-lived leaf (valid %lld s, issued "
               "%s, <= %d days)",
               (long long)period, issued, step->max_days);
        return;
    }
    ev_add(judge_fail(j), "leaf has no CRL distribution point URL%s",
           c->unless_ocsp ? " and no OCSP responder URL" : "");
}

/* ---- cert_policy_required ---------------------------------------------------- */

/* The CA/Browser Forum's reserved policy identifiers (Baseline Requirements
 * §7.1.6.1; EV Guidelines §9.7). */
static const struct {
    const char *oid;
    const char *name;
} cabf_policies[] = {
    {"2.23.140.1.2.1", "domain-validated"},
    {"2.23.140.1.2.2", "organization-validated"},
    {"2.23.140.1.2.3", "individual-validated"},
    {"2.23.140.1.1", "extended-validation"},
};

static void check_policy_oid(const struct target_result *r, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    const struct strlist *l = &r->certs[0].policy_oids;
    for (size_t i = 0; i < l->n_items; i++) {
        for (size_t k = 0; k < sizeof(cabf_policies) / sizeof(cabf_policies[0]); k++) {
            if (strcmp(l->items[i], cabf_policies[k].oid) == 0) {
                ev_add(judge_ok(j), "leaf certificatePolicies has %s (%s)", cabf_policies[k].oid,
                       cabf_policies[k].name);
                return;
            }
        }
    }
    ev_add(judge_fail(j),
           "leaf certificatePolicies has no CA/B Forum reserved policy OID (2.23.140.1.2.1, "
           "2.23.140.1.2.2, 2.23.140.1.2.3 or 2.23.140.1.1)%s",
           l->n_items == 0 ? ": the extension is absent or empty" : "");
}

/* ---- the table's functions -------------------------------------------------- */

void eval_sig_allowed(const struct target_result *r, const struct check *c, int64_t now,
                      struct judge *j)
{
    (void)now;
    check_sig_allowed(r, c, j);
}

void eval_key_usage(const struct target_result *r, const struct check *c, int64_t now,
                    struct judge *j)
{
    (void)c;
    (void)now;
    check_key_usage(r, j);
}

void eval_serial(const struct target_result *r, const struct check *c, int64_t now, struct judge *j)
{
    (void)c;
    (void)now;
    check_serial(r, j);
}

void eval_aia(const struct target_result *r, const struct check *c, int64_t now, struct judge *j)
{
    (void)c;
    (void)now;
    check_aia(r, false, j);
}

void eval_ocsp_url(const struct target_result *r, const struct check *c, int64_t now,
                   struct judge *j)
{
    (void)c;
    (void)now;
    check_aia(r, true, j);
}

void eval_crl_url(const struct target_result *r, const struct check *c, int64_t now,
                  struct judge *j)
{
    (void)now;
    check_crl_url(r, c, j);
}

void eval_policy_oid(const struct target_result *r, const struct check *c, int64_t now,
                     struct judge *j)
{
    (void)c;
    (void)now;
    check_policy_oid(r, j);
}
