/*
 * common/model/grade_suites.c - the accepted suites of a target as the
 * grade reads them (the enumeration's, or the GnuTLS handshakes' when it
 * did not run), the leaf keys' sizes, and the rating guide's three
 * category scores (grade.c says where each number comes from).
 */
#include <stdint.h>
#include <string.h>

#include "common/model/grade_private.h"

bool grade_from_enumeration(const struct target_result *r)
{
    return fact_collected(&r->enumeration.header);
}

/* hs_suite: the suite GnuTLS's handshake at v negotiated, as a gsuite.
 * That handshake offers every suite GnuTLS has (no real client's offer),
 * so its pick says nothing of the server's order: rank -1. */
static bool hs_suite(const struct target_result *r, enum tls_version v, struct gsuite *out)
{
    const struct version_fact *hv = &r->versions[v];
    if (!tls_version_is_hs(v) || hv->state != PROBE_ACCEPTED) {
        return false;
    }
    const struct suite_info *s = registry_suite_by_code(hv->suite);
    if (s == NULL) {
        return false;
    }
    const struct group_info *gi = hv->group[0] != '\0' ? registry_group_by_name(hv->group) : NULL;
    *out = (struct gsuite){s, v, -1, hv->dh_bits > 0 ? hv->dh_bits : (gi != NULL ? gi->bits : 0),
                           gi != NULL ? gi->code : 0};
    return true;
}

/* suite_next gives the next accepted suite of it, version by version
 * (only version it->v onwards); false at the end. */
bool grade_suite_next(struct suite_it *it, struct gsuite *out)
{
    const struct target_result *r = it->r;
    for (; it->v < TLSV_COUNT; it->v++, it->i = 0) {
        enum tls_version v = (enum tls_version)it->v;
        if (!grade_from_enumeration(r)) {
            if (it->i++ == 0 && hs_suite(r, v, out)) {
                return true;
            }
            continue;
        }
        const struct enum_version_fact *ev = &r->enumeration.versions[v];
        while (it->i < ev->n_suites) {
            const struct enum_suite *es = &ev->suites[it->i++];
            const struct suite_info *s = registry_suite_by_code(es->code);
            if (s == NULL || registry_suite_is_scsv(s)) {
                continue;
            }
            *out = (struct gsuite){s, v, ev->order == ORDER_SERVER ? es->server_rank : -1,
                                   es->kx_bits, es->ec_group};
            return true;
        }
    }
    return false;
}

bool grade_accepted(const struct target_result *r, enum tls_version v)
{
    if (grade_from_enumeration(r) && r->enumeration.versions[v].n_suites > 0) {
        return true;
    }
    return tls_version_is_hs(v) && r->versions[v].state == PROBE_ACCEPTED;
}

/* ---- sizes ------------------------------------------------------------------ */

/* ec_equiv maps an elliptic-curve size to its RSA-equivalent (NIST SP
 * 800-57 Part 1 Table 2); 0 stays unknown. */
static int ec_equiv(int bits)
{
    if (bits <= 0) {
        return 0;
    }
    static const int table[][2] = {
        {512, 15360}, {384, 7680}, {255, 3072}, {224, 2048}, {160, 1024}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (bits >= table[i][0]) {
            return table[i][1];
        }
    }
    return 512;
}

static void min_in(int *slot, int bits)
{
    if (bits > 0 && (*slot == 0 || bits < *slot)) {
        *slot = bits;
    }
}

void grade_leaf_bits(const struct target_result *r, struct leaf_bits *lb)
{
    memset(lb, 0, sizeof(*lb));
    for (size_t i = 0; i < target_n_deployments(r); i++) {
        struct deployment_view d;
        target_deployment(r, i, &d);
        if (!fact_collected(&d.chain_header) || d.n_certs == 0) {
            continue;
        }
        lb->any_chain = true;
        const struct cert_fact *c = &d.certs[0];
        int bits = 0;
        if (strcmp(c->key_type, "RSA") == 0) {
            bits = c->key_bits;
            min_in(&lb->rsa, bits);
        } else if (strcmp(c->key_type, "DSA") == 0) {
            bits = c->key_bits;
            min_in(&lb->dsa, bits);
        } else if (strcmp(c->key_type, "EC") == 0) {
            bits = ec_equiv(c->key_bits);
            min_in(&lb->ec, bits);
        } else if (strcmp(c->key_type, "Ed25519") == 0) {
            bits = 3072;
            min_in(&lb->ec, bits);
        } else if (strcmp(c->key_type, "Ed448") == 0) {
            bits = 7680;
            min_in(&lb->ec, bits);
        }
        int before = lb->all;
        min_in(&lb->all, bits);
        if (lb->all != before) {
            lb->all_label = d.label;
        }
    }
}

/* kx_bits: the size of the separate key exchange of g (DHE prime, ECDHE
 * curve as RSA-equivalent), 0 when there is none or it is unknown. */
static int kx_bits(const struct gsuite *g)
{
    const struct group_info *gi = g->group != 0 ? registry_group_by_code(g->group) : NULL;
    bool ffdhe = gi != NULL && strcmp(gi->kind, "ffdhe") == 0;
    if ((g->s->attrs & SUITE_KX_DHE) != 0 || (g->v == TLSV_TLS13 && ffdhe)) {
        return g->kx_bits > 0 ? g->kx_bits : (gi != NULL ? gi->bits : 0);
    }
    if ((g->s->attrs & SUITE_KX_ECDHE) != 0 || g->v == TLSV_TLS13) {
        return ec_equiv(g->kx_bits > 0 ? g->kx_bits : (gi != NULL ? gi->bits : 0));
    }
    return 0;
}

/* auth_bits: the key of the certificate that authenticates g. */
static int auth_bits(const struct gsuite *g, const struct leaf_bits *lb)
{
    int b = 0;
    if ((g->s->attrs & SUITE_AUTH_RSA) != 0) {
        b = lb->rsa;
    } else if (strcmp(g->s->auth, "ECDSA") == 0) {
        b = lb->ec;
    } else if (strcmp(g->s->auth, "DSS") == 0) {
        b = lb->dsa;
    }
    return b > 0 ? b : lb->all;
}

/* ---- the three scores -------------------------------------------------------- */

static int protocol_points(enum tls_version v)
{
    /* Guide 2009 protocol table; TLS 1.3 (not in it) as TLS 1.2. */
    static const int points[TLSV_COUNT] = {20, 80, 90, 95, 100, 100};
    return points[v];
}

static int kex_points(int bits)
{
    static const int table[][2] = {{4096, 100}, {2048, 90}, {1024, 80}, {512, 40}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (bits >= table[i][0]) {
            return table[i][1];
        }
    }
    return 20;
}

static int cipher_points(int bits)
{
    if (bits <= 0) {
        return 0;
    }
    return bits >= 256 ? 100 : bits >= 128 ? 80 : 20;
}

static int protocol_score(const struct target_result *r)
{
    int best = -1, worst = 101;
    for (int v = 0; v < TLSV_COUNT; v++) {
        if (grade_accepted(r, (enum tls_version)v)) {
            int p = protocol_points((enum tls_version)v);
            best = p > best ? p : best;
            worst = p < worst ? p : worst;
        }
    }
    return best < 0 ? 0 : (best + worst) / 2;
}

/* suite_kex_points: the key-exchange points of g; -1 when its sizes are
 * unknown (left out). */
static int suite_kex_points(const struct gsuite *g, const struct leaf_bits *lb)
{
    if ((g->s->attrs & SUITE_ANON) != 0) {
        return 0;
    }
    int a = auth_bits(g, lb);
    int k = (g->s->attrs & SUITE_KX_RSA) != 0 ? 0 : kx_bits(g);
    int bits = a > 0 && k > 0 ? (a < k ? a : k) : (a > 0 ? a : k);
    if ((g->s->attrs & SUITE_EXPORT) != 0) {
        int p = bits > 0 ? kex_points(bits) : 40;
        return p < 40 ? p : 40; /* exportable key exchange: 40% */
    }
    return bits > 0 ? kex_points(bits) : -1;
}

void grade_scores(const struct target_result *r, const struct leaf_bits *lb, struct grade *g)
{
    g->protocol = protocol_score(r);
    int kex = 101, best = -1, worst = 101;
    struct suite_it it = {r, 0, 0};
    struct gsuite s;
    while (grade_suite_next(&it, &s)) {
        int p = suite_kex_points(&s, lb);
        if (p >= 0 && p < kex) {
            kex = p;
        }
        int c = cipher_points(s.s->bits); /* the guide counts 3DES as 168 bits */
        best = c > best ? c : best;
        worst = c < worst ? c : worst;
    }
    if (kex == 101) {
        /* No suite with known sizes: the leaf alone, else unknown (-1). */
        kex = lb->all > 0 ? kex_points(lb->all) : -1;
    }
    g->key_exchange = kex;
    g->cipher = best < 0 ? 0 : (best + worst) / 2;
    if (g->protocol == 0 || g->key_exchange == 0 || g->cipher == 0) {
        g->score = 0; /* the guide: one zero category zeroes the total */
    } else if (g->key_exchange < 0) {
        /* Without a size to score, the other two carry their weights. */
        g->score = (30 * g->protocol + 40 * g->cipher + 35) / 70;
    } else {
        g->score = (30 * g->protocol + 30 * g->key_exchange + 40 * g->cipher + 50) / 100;
    }
    g->score_letter = grade_score_letter(g->score);
}

enum grade_letter grade_score_letter(int score)
{
    /* Table 1 of the guide: A >= 80, B >= 65, C >= 50, D >= 35, E >= 20, else F. */
    static const struct {
        int min;
        enum grade_letter letter;
    } table[] = {{80, GRADE_A}, {65, GRADE_B}, {50, GRADE_C}, {35, GRADE_D}, {20, GRADE_E}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (score >= table[i].min) {
            return table[i].letter;
        }
    }
    return GRADE_F;
}
