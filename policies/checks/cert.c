/*
 * policies/checks/cert.c - the served certificates: cert_key (key types,
 * sizes, curves, RSA modulus multiple; leaf or whole chain),
 * cert_signature_forbidden,
 * cert_max_lifetime (date-dependent steps), cert_expiry, cert_san_required
 * and cert_server_auth_eku_required, their parameters and verdicts; the
 * date-dependent steps and the validity period cert_profile.c shares.
 *
 * Where it sits: check_table (table.c) -> [load, describe, eval here].
 * Invariant: certificates are numbered as served: the leaf is "leaf" (#0),
 * then "certificate #1", "#2", ...; no certificates collected is
 * inconclusive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "common/model/registry.h"
#include "policies/checks/checks.h"

static const struct {
    const char *name;
    const char *canon; /* as scanner/gnutls/x509_facts.c writes cert_fact.key_type */
} load_key_types[] = {
    {"RSA", "RSA"},         {"RSA-PSS", "RSA-PSS"}, {"EC", "EC"},   {"ECDSA", "EC"},
    {"Ed25519", "Ed25519"}, {"Ed448", "Ed448"},     {"DSA", "DSA"},
};

/* load_curves reads cert_key.curves: the allowed EC curves. */
static bool load_curves(struct pfile *f, const yaml_node_t *curves, struct check *c)
{
    if (!load_list(f, curves, "a list of curve names", false)) {
        return false;
    }
    for (size_t i = 0; i < load_seq_len(curves); i++) {
        yaml_node_t *item = load_seq_item(f, curves, i);
        const char *name = load_text(f, item, "a curve name");
        if (name == NULL) {
            return false;
        }
        const struct group_info *g = load_group_lookup(name);
        if (g == NULL || strcmp(g->kind, "ecdhe") != 0) {
            return load_fail(f, item,
                             "unknown curve '%s': expected an elliptic curve name such as "
                             "secp256r1 (P-256), secp384r1 (P-384) or secp521r1 (P-521)",
                             name);
        }
        if (c->n_curves == CHECK_MAX_CURVES) {
            return load_fail(f, item, "expected at most %d curves", CHECK_MAX_CURVES);
        }
        util_copy(c->curves[c->n_curves++], sizeof(c->curves[0]), g->name);
    }
    return true;
}

bool load_which_certs(struct pfile *f, const struct load_map *m, struct check *c)
{
    yaml_node_t *which = load_map_get(f, m, "certificates", NULL);
    if (which == NULL) {
        return true;
    }
    const char *w = load_text(f, which, "'leaf' or 'chain'");
    if (w == NULL) {
        return false;
    }
    if (strcmp(w, "chain") == 0) {
        c->whole_chain = true;
    } else if (strcmp(w, "leaf") != 0) {
        return load_fail(f, which, "expected 'leaf' or 'chain', found '%s'", w);
    }
    return true;
}

bool load_c_cert_key(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    static const char *const keys[] = {"certificates", "min_bits", "curves", "rsa_multiple_of",
                                       NULL};
    struct load_map m;
    if (!load_map_open(f, v, "cert_key", keys, "certificates, min_bits, curves or rsa_multiple_of",
                       &m)) {
        return false;
    }
    yaml_node_t *mult = load_map_get(f, &m, "rsa_multiple_of", NULL);
    if (mult != NULL && !load_int(f, mult, "rsa_multiple_of (RSA modulus bits divisible by it)", 1,
                                  4096, &c->rsa_multiple_of)) {
        return false;
    }
    if (!load_which_certs(f, &m, c)) {
        return false;
    }
    yaml_node_t *mins = load_map_get(f, &m, "min_bits", NULL);
    if (mins == NULL) {
        return load_fail(f, v,
                         "cert_key has no 'min_bits': expected the allowed key types with their "
                         "minimum sizes, e.g. {RSA: 2048, EC: 256}");
    }
    struct load_map km;
    if (!load_map_open(f, mins, "min_bits (key types with their sizes)", NULL, NULL, &km)) {
        return false;
    }
    if (km.n_pairs == 0 || km.n_pairs > CHECK_MAX_KEY_TYPES) {
        return load_fail(f, mins, "expected 1 to %d key types", CHECK_MAX_KEY_TYPES);
    }
    for (size_t i = 0; i < km.n_pairs; i++) {
        yaml_node_t *k = load_map_key(f, &km, i);
        const char *t = load_text(f, k, "a key type");
        size_t j = 0;
        while (j < sizeof(load_key_types) / sizeof(load_key_types[0]) &&
               strcasecmp(t, load_key_types[j].name) != 0) {
            j++;
        }
        if (j == sizeof(load_key_types) / sizeof(load_key_types[0])) {
            return load_fail(f, k,
                             "unknown key type '%s': expected RSA, RSA-PSS, EC (or ECDSA), "
                             "Ed25519, Ed448 or DSA",
                             t);
        }
        for (size_t x = 0; x < c->n_keys; x++) {
            if (strcmp(c->keys[x].type, load_key_types[j].canon) == 0) {
                return load_fail(f, k, "duplicate key type '%s': expected each type once", t);
            }
        }
        struct key_min *km1 = &c->keys[c->n_keys];
        util_copy(km1->type, sizeof(km1->type), load_key_types[j].canon);
        if (!load_int(f, load_map_value(f, &km, i), "a minimum key size in bits", 0, 16384,
                      &km1->min_bits)) {
            return false;
        }
        c->n_keys++;
    }
    yaml_node_t *curves = load_map_get(f, &m, "curves", NULL);
    return curves == NULL || load_curves(f, curves, c);
}

bool load_c_sig_forbidden(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    if (!load_list(f, v, "a list of signature hashes", false)) {
        return false;
    }
    for (size_t i = 0; i < load_seq_len(v); i++) {
        yaml_node_t *item = load_seq_item(f, v, i);
        const char *h = load_text(f, item, "a signature hash");
        if (h == NULL) {
            return false;
        }
        if (strcasecmp(h, "md2") == 0) {
            c->sig_hashes |= SIGHASH_MD2;
        } else if (strcasecmp(h, "md5") == 0) {
            c->sig_hashes |= SIGHASH_MD5;
        } else if (strcasecmp(h, "sha1") == 0) {
            c->sig_hashes |= SIGHASH_SHA1;
        } else {
            return load_fail(f, item, "unknown signature hash '%s': expected md2, md5 or sha1", h);
        }
    }
    return true;
}

bool load_steps(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    static const char *const keys[] = {"from", "max_days", NULL};
    if (!load_list(f, v, "a list of {from: DATE, max_days: N} steps", false)) {
        return false;
    }
    if (load_seq_len(v) > CHECK_MAX_STEPS) {
        return load_fail(f, v, "expected at most %d steps", CHECK_MAX_STEPS);
    }
    for (size_t i = 0; i < load_seq_len(v); i++) {
        yaml_node_t *item = load_seq_item(f, v, i);
        struct load_map m;
        if (!load_map_open(f, item, "a lifetime step", keys, "from or max_days", &m)) {
            return false;
        }
        struct lifetime_step *s = &c->steps[c->n_steps];
        yaml_node_t *from = load_map_get(f, &m, "from", NULL);
        yaml_node_t *days = load_map_get(f, &m, "max_days", NULL);
        if (days == NULL) {
            return load_fail(f, item, "lifetime step has no 'max_days': expected a number of days");
        }
        if (!load_int(f, days, "max_days", 1, 36500, &s->max_days)) {
            return false;
        }
        if (from == NULL) {
            if (i != 0) {
                return load_fail(f, item,
                                 "lifetime step has no 'from': expected a date YYYY-MM-DD (only "
                                 "the first step may omit it)");
            }
            s->from = INT64_MIN;
            s->from_text[0] = '\0';
        } else {
            if (!load_date(f, from, "from", &s->from, s->from_text)) {
                return false;
            }
            if (i > 0 && s->from <= c->steps[i - 1].from) {
                return load_fail(f, from,
                                 "expected steps in date order: %s is not after the previous "
                                 "step",
                                 s->from_text);
            }
        }
        c->n_steps++;
    }
    return true;
}

bool load_c_lifetime(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    return load_steps(f, v, c);
}

bool load_c_expiry(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    static const char *const keys[] = {"warn_days", "fail_days", NULL};
    struct load_map m;
    if (!load_map_open(f, v, "cert_expiry", keys, "warn_days or fail_days", &m)) {
        return false;
    }
    yaml_node_t *warn = load_map_get(f, &m, "warn_days", NULL);
    yaml_node_t *fail = load_map_get(f, &m, "fail_days", NULL);
    if (warn == NULL && fail == NULL) {
        return load_fail(f, v, "expected 'warn_days' and/or 'fail_days' (numbers of days)");
    }
    c->fail_days = 0;
    if (fail != NULL && !load_int(f, fail, "fail_days", 0, 3650, &c->fail_days)) {
        return false;
    }
    c->warn_days = c->fail_days;
    if (warn != NULL && !load_int(f, warn, "warn_days", 0, 3650, &c->warn_days)) {
        return false;
    }
    if (c->warn_days < c->fail_days) {
        return load_fail(f, warn, "expected warn_days (%d) >= fail_days (%d)", c->warn_days,
                         c->fail_days);
    }
    return true;
}

/* ---- certificates ----------------------------------------------------------- */

/* eval_cert_label: "leaf" for #0, else "certificate #N". */
const char *eval_cert_label(size_t i, char *buf, size_t buf_size)
{
    if (i == 0) {
        return "leaf";
    }
    snprintf(buf, buf_size, "certificate #%zu", i);
    return buf;
}

bool eval_have_certs(const struct target_result *r, struct judge *j)
{
    if (!fact_collected(&r->chain_header) || r->n_certs == 0 || r->certs == NULL) {
        ev_add(judge_unknown(j), "certificates not collected");
        return false;
    }
    return true;
}

static void check_cert_key(const struct target_result *r, const struct check *c, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    char lbuf[40];
    size_t n = c->whole_chain ? r->n_certs : 1;
    for (size_t i = 0; i < n; i++) {
        const struct cert_fact *cf = &r->certs[i];
        const char *label = eval_cert_label(i, lbuf, sizeof(lbuf));
        if (cf->key_type[0] == '\0' || strcmp(cf->key_type, "unknown") == 0) {
            ev_add(judge_unknown(j), "%s: key type not recognised", label);
            continue;
        }
        const struct key_min *km = NULL;
        for (size_t k = 0; k < c->n_keys && km == NULL; k++) {
            km = strcmp(c->keys[k].type, cf->key_type) == 0 ? &c->keys[k] : NULL;
        }
        if (km == NULL) {
            struct ev *e = judge_fail(j);
            ev_add(e, "%s key type %s not allowed (allowed:", label, cf->key_type);
            for (size_t k = 0; k < c->n_keys; k++) {
                ev_add(e, " %s", c->keys[k].type);
            }
            ev_add(e, ")");
            continue;
        }
        if (cf->key_bits < km->min_bits) {
            ev_add(judge_fail(j), "%s %s %d bits < %d", label, cf->key_type, cf->key_bits,
                   km->min_bits);
            continue;
        }
        if (c->rsa_multiple_of > 0 && strncmp(cf->key_type, "RSA", 3) == 0 &&
            cf->key_bits % c->rsa_multiple_of != 0) {
            ev_add(judge_fail(j), "%s %s modulus of %d bits is not a multiple of %d", label,
                   cf->key_type, cf->key_bits, c->rsa_multiple_of);
            continue;
        }
        if (c->n_curves > 0 && strcmp(cf->key_type, "EC") == 0) {
            bool ok = false;
            for (size_t k = 0; k < c->n_curves && !ok; k++) {
                ok = strcasecmp(c->curves[k], cf->curve) == 0;
            }
            if (!ok) {
                struct ev *e = judge_fail(j);
                ev_add(e, "%s EC curve %s not allowed (allowed:", label,
                       cf->curve[0] != '\0' ? cf->curve : "unknown");
                for (size_t k = 0; k < c->n_curves; k++) {
                    ev_add(e, " %s", c->curves[k]);
                }
                ev_add(e, ")");
                continue;
            }
        }
        if (cf->curve[0] != '\0') {
            ev_add(judge_ok(j), "%s %s %d bits (%s)", label, cf->key_type, cf->key_bits, cf->curve);
        } else {
            ev_add(judge_ok(j), "%s %s %d bits", label, cf->key_type, cf->key_bits);
        }
    }
}

/* eval_sig_hashes returns the enum sig_hash bits named in a GnuTLS signature
 * algorithm name ("RSA-SHA1", "ECDSA-SHA256"), or -1 when it is not a name
 * (a dotted OID, "unknown"). */
static int eval_sig_hashes(const char *alg)
{
    if (alg[0] == '\0' || strcmp(alg, "unknown") == 0 || (alg[0] >= '0' && alg[0] <= '9')) {
        return -1;
    }
    int bits = 0;
    const char *p = alg;
    while (*p != '\0') {
        size_t n = strcspn(p, "-");
        if (n == 3 && strncasecmp(p, "MD2", 3) == 0) {
            bits |= SIGHASH_MD2;
        } else if (n == 3 && strncasecmp(p, "MD5", 3) == 0) {
            bits |= SIGHASH_MD5;
        } else if (n == 4 && strncasecmp(p, "SHA1", 4) == 0) {
            bits |= SIGHASH_SHA1;
        }
        p += n;
        if (*p == '-') {
            p++;
        }
    }
    return bits;
}

static void check_cert_sig(const struct target_result *r, const struct check *c, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    char lbuf[40];
    for (size_t i = 0; i < r->n_certs; i++) {
        const struct cert_fact *cf = &r->certs[i];
        const char *label = eval_cert_label(i, lbuf, sizeof(lbuf));
        if (cf->self_signed && i > 0) {
            /* A trust anchor: its own signature is not what the client relies on. */
            ev_add(judge_ok(j), "%s self-signed (%s, not relied on)", label, cf->sig_alg);
            continue;
        }
        int h = eval_sig_hashes(cf->sig_alg);
        if (h < 0) {
            ev_add(judge_unknown(j), "%s signature algorithm not recognised (%s)", label,
                   cf->sig_alg[0] != '\0' ? cf->sig_alg : "none");
        } else if ((unsigned)h & c->sig_hashes) {
            ev_add(judge_fail(j), "%s signed with %s", label, cf->sig_alg);
        } else {
            ev_add(judge_ok(j), "%s %s", label, cf->sig_alg);
        }
    }
}

const struct lifetime_step *eval_step_in_force(const struct check *c, int64_t t)
{
    const struct lifetime_step *step = NULL;
    for (size_t i = 0; i < c->n_steps; i++) {
        if (c->steps[i].from <= t) {
            step = &c->steps[i];
        }
    }
    return step;
}

int64_t eval_validity_period(const struct cert_fact *cf)
{
    /* CA/B BR §6.3.2: the validity period includes both notBefore and notAfter. */
    return cf->not_after >= cf->not_before ? cf->not_after - cf->not_before + 1 : 0;
}

static void check_lifetime(const struct target_result *r, const struct check *c, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    const struct cert_fact *cf = &r->certs[0];
    char issued[16];
    util_iso_date(cf->not_before, issued, sizeof(issued));
    const struct lifetime_step *step = eval_step_in_force(c, cf->not_before);
    int64_t period = eval_validity_period(cf);
    long long days = (long long)(period / 86400);
    long long rem = (long long)(period % 86400);
    if (step == NULL) {
        ev_add(judge_ok(j), "leaf issued %s: before the first limit (from %s)", issued,
               c->steps[0].from_text);
        return;
    }
    char limit[64];
    if (step->from_text[0] != '\0') {
        snprintf(limit, sizeof(limit), "%d days (limit from %s)", step->max_days, step->from_text);
    } else {
        snprintf(limit, sizeof(limit), "%d days", step->max_days);
    }
    char span[64];
    if (days >= step->max_days && rem > 0) {
        snprintf(span, sizeof(span), "%lld days + %lld s", days, rem);
    } else {
        snprintf(span, sizeof(span), "%lld days", days);
    }
    if (period > (int64_t)step->max_days * 86400) {
        ev_add(judge_fail(j), "leaf valid %s (issued %s) > %s", span, issued, limit);
    } else {
        ev_add(judge_ok(j), "leaf valid %s (issued %s) <= %s", span, issued, limit);
    }
}

static void check_expiry(const struct target_result *r, const struct check *c, struct judge *j,
                         int64_t now)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    int64_t scanned = r->started_ms > 0 ? r->started_ms / 1000 : now;
    char lbuf[40];
    char date[16];
    size_t soonest = 0;
    for (size_t i = 0; i < r->n_certs; i++) {
        const struct cert_fact *cf = &r->certs[i];
        const char *label = eval_cert_label(i, lbuf, sizeof(lbuf));
        long long d = (long long)cf->days_left;
        if (cf->not_before > scanned) {
            ev_add(judge_fail(j), "%s not valid before %s", label,
                   util_iso_date(cf->not_before, date, sizeof(date)));
        } else if (cf->days_left < 0) {
            ev_add(judge_fail(j), "%s expired %lld day%s ago (%s)", label, -d, d == -1 ? "" : "s",
                   util_iso_date(cf->not_after, date, sizeof(date)));
        } else if (cf->days_left < c->fail_days) {
            ev_add(judge_fail(j), "%s expires in %lld day%s (< %d)", label, d, d == 1 ? "" : "s",
                   c->fail_days);
        } else if (cf->days_left < c->warn_days) {
            ev_add(judge_warn(j), "%s expires in %lld day%s (< %d)", label, d, d == 1 ? "" : "s",
                   c->warn_days);
        }
        if (cf->days_left < r->certs[soonest].days_left) {
            soonest = i;
        }
    }
    ev_add(judge_ok(j), "%zu certificate%s; the first to expire: %s in %lld days (%s)", r->n_certs,
           r->n_certs == 1 ? "" : "s", eval_cert_label(soonest, lbuf, sizeof(lbuf)),
           (long long)r->certs[soonest].days_left,
           util_iso_date(r->certs[soonest].not_after, date, sizeof(date)));
}

static void check_san(const struct target_result *r, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    const struct strlist *san = &r->certs[0].san;
    size_t n = 0;
    struct ev names;
    ev_init(&names);
    for (size_t i = 0; i < san->n_items; i++) {
        if (strncmp(san->items[i], "DNS:", 4) == 0 || strncmp(san->items[i], "IP:", 3) == 0) {
            ev_add(&names, "%s%s", n++ ? ", " : "", san->items[i]);
        }
    }
    if (n == 0) {
        ev_add(judge_fail(j), "leaf has no DNS or IP subjectAltName");
    } else {
        ev_add(judge_ok(j), "leaf subjectAltName: %s", names.buf);
    }
}

static void check_eku(const struct target_result *r, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    const struct strlist *eku = &r->certs[0].eku;
    if (eku->n_items == 0) {
        ev_add(judge_fail(j), "leaf has no extKeyUsage (serverAuth required)");
        return;
    }
    for (size_t i = 0; i < eku->n_items; i++) {
        if (strcmp(eku->items[i], "serverAuth") == 0 ||
            strcmp(eku->items[i], "1.3.6.1.5.5.7.3.1") == 0) {
            ev_add(judge_ok(j), "leaf extKeyUsage includes serverAuth");
            return;
        }
    }
    struct ev *e = judge_fail(j);
    ev_add(e, "leaf extKeyUsage lacks serverAuth (has:");
    for (size_t i = 0; i < eku->n_items; i++) {
        ev_add(e, " %s", eku->items[i]);
    }
    ev_add(e, ")");
}

/* ---- the table's functions -------------------------------------------------- */

void describe_cert_key(struct load_buf *b, const struct check *c)
{
    load_buf_add(b, "%s:", c->whole_chain ? "chain" : "leaf");
    for (size_t i = 0; i < c->n_keys; i++) {
        load_buf_add(b, "%s %s >= %d", i ? "," : "", c->keys[i].type, c->keys[i].min_bits);
    }
    for (size_t i = 0; i < c->n_curves; i++) {
        load_buf_add(b, "%s%s", i ? ", " : "; curves ", c->curves[i]);
    }
    if (c->rsa_multiple_of > 0) {
        load_buf_add(b, "; RSA bits multiple of %d", c->rsa_multiple_of);
    }
}

void describe_sig_forbidden(struct load_buf *b, const struct check *c)
{
    load_buf_add(b, "%s", (c->sig_hashes & SIGHASH_MD2) ? "md2" : "");
    load_buf_add(b, "%s%s", (c->sig_hashes & SIGHASH_MD5) && b->len ? ", " : "",
                 (c->sig_hashes & SIGHASH_MD5) ? "md5" : "");
    load_buf_add(b, "%s%s", (c->sig_hashes & SIGHASH_SHA1) && b->len ? ", " : "",
                 (c->sig_hashes & SIGHASH_SHA1) ? "sha1" : "");
}

void describe_lifetime(struct load_buf *b, const struct check *c)
{
    load_describe_steps(b, c);
}

void load_describe_steps(struct load_buf *b, const struct check *c)
{
    for (size_t i = 0; i < c->n_steps; i++) {
        if (c->steps[i].from_text[0] == '\0') {
            load_buf_add(b, "%s%d days", i ? "; " : "", c->steps[i].max_days);
        } else {
            load_buf_add(b, "%s%d days from %s", i ? "; " : "", c->steps[i].max_days,
                         c->steps[i].from_text);
        }
    }
}

void describe_expiry(struct load_buf *b, const struct check *c)
{
    load_buf_add(b, "warn < %d days, fail < %d days", c->warn_days, c->fail_days);
}

void eval_cert_key(const struct target_result *r, const struct check *c, int64_t now,
                   struct judge *j)
{
    (void)now;
    check_cert_key(r, c, j);
}

void eval_cert_sig(const struct target_result *r, const struct check *c, int64_t now,
                   struct judge *j)
{
    (void)now;
    check_cert_sig(r, c, j);
}

void eval_lifetime(const struct target_result *r, const struct check *c, int64_t now,
                   struct judge *j)
{
    (void)now;
    check_lifetime(r, c, j);
}

void eval_expiry(const struct target_result *r, const struct check *c, int64_t now, struct judge *j)
{
    check_expiry(r, c, j, now);
}

void eval_san(const struct target_result *r, const struct check *c, int64_t now, struct judge *j)
{
    (void)c;
    (void)now;
    check_san(r, j);
}

void eval_eku(const struct target_result *r, const struct check *c, int64_t now, struct judge *j)
{
    (void)c;
    (void)now;
    check_eku(r, j);
}
