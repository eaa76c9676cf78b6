/*
 * reports/simulate.c - the client handshake simulation (reports/simulate.h):
 * what a stored server negotiates with one client profile, as the server is
 * or after a change, from the enumeration's facts only.
 *
 * Invariants: a fact the scan did not decide is never taken as a refusal:
 * a version between the client's highest and the one chosen whose answer
 * is unknown, an incomplete suite list under the chosen version, or no
 * enumeration at all make the result "unknown" with the reason. A change
 * only removes (versions, suites); it never adds what the server lacks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/model/registry.h"
#include "common/util.h"
#include "policies/policy.h"
#include "reports/simulate.h"

const char *sim_outcome_name(enum sim_outcome o)
{
    switch (o) {
    case SIM_OK:
        return "ok";
    case SIM_FAIL:
        return "fail";
    case SIM_UNKNOWN:
        break;
    }
    return "unknown";
}

bool sim_change_active(const struct sim_change *c)
{
    return c != NULL &&
           (c->versions != 0 || c->attrs != 0 || c->no_fs || c->n_suites > 0 || c->policy != NULL);
}

bool sim_same(const struct sim_result *a, const struct sim_result *b)
{
    if (a->outcome != b->outcome) {
        return false;
    }
    return a->outcome != SIM_OK || (a->version == b->version && a->suite == b->suite);
}

/* ---- what a change removes --------------------------------------------------- */

static bool sim_version_removed(const struct target_result *r, const struct sim_change *ch,
                                enum tls_version v)
{
    if (ch == NULL) {
        return false;
    }
    if (ch->versions & TLSV_BIT(v)) {
        return true;
    }
    return ch->policy != NULL && !policy_permits_version(ch->policy, &r->tags, v, NULL, 0);
}

static bool sim_suite_removed(const struct target_result *r, const struct sim_change *ch,
                              enum tls_version v, uint32_t code)
{
    if (ch == NULL) {
        return false;
    }
    const struct suite_info *si = registry_suite_by_code(code);
    if (si != NULL && ((si->attrs & ch->attrs) != 0 || (ch->no_fs && !si->pfs))) {
        return true;
    }
    for (size_t i = 0; i < ch->n_suites; i++) {
        if (ch->suites[i] == code) {
            return true;
        }
    }
    return ch->policy != NULL && !policy_permits_suite(ch->policy, &r->tags, v, code, NULL, 0);
}

/* ---- the client's lists ------------------------------------------------------ */

static bool sim_has16(const uint16_t *list, size_t n, uint32_t code)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] == code) {
            return true;
        }
    }
    return false;
}

static long sim_index16(const uint16_t *list, size_t n, uint32_t code)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] == code) {
            return (long)i;
        }
    }
    return -1;
}

/* sim_pick_group: the first group of `first` (in its order) that `other`
 * has; 0 when none. */
static uint16_t sim_pick_group(const uint16_t *first, size_t n_first, const uint16_t *other,
                               size_t n_other)
{
    for (size_t i = 0; i < n_first; i++) {
        if (sim_has16(other, n_other, first[i])) {
            return first[i];
        }
    }
    return 0;
}

/* sim_group12: the TLS <= 1.2 ECDHE group, or 0 when client and server
 * share none. A client without supported_groups gets the server's first
 * (RFC 8422 section 4: any curve may be used then). */
static uint16_t sim_group12(const struct enum_facts *e, const struct enum_version_fact *vf,
                            const struct sim_client *c)
{
    if (c->n_groups == 0) {
        return e->n_groups12 > 0 ? e->groups12[0] : 0;
    }
    if (vf->order == ORDER_SERVER) {
        return sim_pick_group(e->groups12, e->n_groups12, c->groups, c->n_groups);
    }
    return sim_pick_group(c->groups, c->n_groups, e->groups12, e->n_groups12);
}

/* ---- the server's choice of suite -------------------------------------------- */

struct sim_pick {
    const struct enum_suite *suite; /* NULL: none */
    size_t n_common;                /* suites both have (after the group filter) */
    bool no_group;                  /* common ECDHE suites were dropped for want of a group */
};

static bool sim_usable(const struct target_result *r, const struct sim_change *ch,
                       enum tls_version v, const struct enum_suite *s, const struct sim_client *c,
                       bool *no_group)
{
    if (s->code > 0xFFFF || !sim_has16(c->suites, c->n_suites, s->code) ||
        sim_suite_removed(r, ch, v, s->code)) {
        return false;
    }
    const struct suite_info *si = registry_suite_by_code(s->code);
    if (v < TLSV_TLS13 && si != NULL && (si->attrs & SUITE_KX_ECDHE) != 0 &&
        r->enumeration.n_groups12 > 0 &&
        sim_group12(&r->enumeration, &r->enumeration.versions[v], c) == 0) {
        *no_group = true;
        return false;
    }
    return true;
}

static void sim_pick_suite(const struct target_result *r, const struct sim_change *ch,
                           enum tls_version v, const struct sim_client *c, struct sim_pick *out)
{
    const struct enum_version_fact *vf = &r->enumeration.versions[v];
    long best = -1;
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < vf->n_suites; i++) {
        const struct enum_suite *s = &vf->suites[i];
        if (!sim_usable(r, ch, v, s, c, &out->no_group)) {
            continue;
        }
        out->n_common++;
        long key = vf->order == ORDER_SERVER && s->server_rank >= 0
                       ? s->server_rank
                       : sim_index16(c->suites, c->n_suites, s->code);
        if (best < 0 || key < best) {
            best = key;
            out->suite = s;
        }
    }
}

/* sim_server_has: the server, as changed, accepts some suite under v: 1,
 * refuses v: 0 (*emptied when it is the change that left v no suite),
 * unknown: -1. */
static int sim_server_has(const struct target_result *r, const struct sim_change *ch,
                          enum tls_version v, bool *emptied)
{
    const struct enum_version_fact *vf = &r->enumeration.versions[v];
    if (vf->state == PROBE_REFUSED || sim_version_removed(r, ch, v)) {
        return 0;
    }
    if (vf->state != PROBE_ACCEPTED) {
        return -1;
    }
    for (size_t i = 0; i < vf->n_suites; i++) {
        if (!sim_suite_removed(r, ch, v, vf->suites[i].code)) {
            return 1;
        }
    }
    /* every accepted suite removed: unknown if some may be missing */
    *emptied = !vf->incomplete;
    return vf->incomplete ? -1 : 0;
}

/* ---- the certificate and the client's limits ---------------------------------- */

static bool sim_scheme_for(const struct sim_client *c, const char *key_type, enum tls_version v)
{
    static const struct {
        const char *key;
        uint16_t code;
        bool tls13;
    } schemes[] = {
        {"RSA", 0x0804, true},     {"RSA", 0x0805, true},     {"RSA", 0x0806, true},
        {"RSA", 0x0401, false},    {"RSA", 0x0501, false},    {"RSA", 0x0601, false},
        {"RSA", 0x0201, false},    {"RSA-PSS", 0x0809, true}, {"RSA-PSS", 0x080a, true},
        {"RSA-PSS", 0x080b, true}, {"EC", 0x0403, true},      {"EC", 0x0503, true},
        {"EC", 0x0603, true},      {"EC", 0x0203, false},     {"Ed25519", 0x0807, true},
        {"Ed448", 0x0808, true},   {"DSA", 0x0402, false},    {"DSA", 0x0202, false},
    };
    if (v < TLSV_TLS12 || c->n_sigschemes == 0) {
        return v < TLSV_TLS13; /* no signature_algorithms: SHA-1 implied (RFC 5246 7.4.1.4.1) */
    }
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        if (strcmp(schemes[i].key, key_type) == 0 && (v < TLSV_TLS13 || schemes[i].tls13) &&
            sim_has16(c->sigschemes, c->n_sigschemes, schemes[i].code)) {
            return true;
        }
    }
    return false;
}

/* sim_key_fits: a leaf of key_type can authenticate suite si. */
static bool sim_key_fits(const struct suite_info *si, const char *key_type)
{
    if (si == NULL || strcmp(si->auth, "any") == 0) {
        return true;
    }
    if (strcmp(si->auth, "RSA") == 0) {
        return strncmp(key_type, "RSA", 3) == 0;
    }
    if (strcmp(si->auth, "ECDSA") == 0) {
        return strcmp(key_type, "EC") == 0 || strncmp(key_type, "Ed", 2) == 0;
    }
    if (strcmp(si->auth, "DSS") == 0) {
        return strcmp(key_type, "DSA") == 0;
    }
    return true; /* anon, PSK: no certificate */
}

/* sim_certificate: the deployment the server would authenticate with (the
 * first whose key fits the suite and the client's schemes); false with the
 * reason when the client can verify none. No collected chain: key unknown. */
static bool sim_certificate(const struct target_result *r, const struct sim_client *c,
                            const struct suite_info *si, enum tls_version v, struct sim_result *out)
{
    bool any = false;
    for (size_t i = 0; i < target_n_deployments(r); i++) {
        struct deployment_view d;
        target_deployment(r, i, &d);
        if (!fact_collected(&d.chain_header) || d.n_certs == 0) {
            continue;
        }
        const struct cert_fact *leaf = &d.certs[0];
        if (!sim_key_fits(si, leaf->key_type)) {
            continue;
        }
        any = true;
        if (sim_scheme_for(c, leaf->key_type, v)) {
            util_copy(out->key_type, sizeof(out->key_type), leaf->key_type);
            out->key_bits = leaf->key_bits;
            return true;
        }
    }
    if (any) {
        snprintf(out->reason, sizeof(out->reason),
                 "no common signature scheme for the server's certificate key");
        out->suite = 0; /* the server cannot sign: an alert before any ServerHello */
        return false;
    }
    return true;
}

static bool sim_limits(const struct sim_client *c, const struct suite_info *si,
                       struct sim_result *out)
{
    bool dhe = si != NULL && (si->attrs & SUITE_KX_DHE) != 0;
    if (dhe && out->kx_bits > 0 && c->min_dh > 0 && out->kx_bits < c->min_dh) {
        snprintf(out->reason, sizeof(out->reason), "DH too small (%d bits < the client's %d)",
                 out->kx_bits, c->min_dh);
        return false;
    }
    if (dhe && out->kx_bits > 0 && c->max_dh > 0 && out->kx_bits > c->max_dh) {
        snprintf(out->reason, sizeof(out->reason), "DH too large for the client (%d bits > its %d)",
                 out->kx_bits, c->max_dh);
        return false;
    }
    if (strcmp(out->key_type, "RSA") == 0 && c->min_rsa > 0 && out->key_bits > 0 &&
        out->key_bits < c->min_rsa) {
        snprintf(out->reason, sizeof(out->reason), "RSA key too small (%d bits < the client's %d)",
                 out->key_bits, c->min_rsa);
        return false;
    }
    return true;
}

/* ---- the handshake ----------------------------------------------------------- */

/* sim_fail ends the handshake: outcome o, the reason "what" followed by
 * "arg" (a version name, a detail; "" none). */
static void sim_fail(struct sim_result *out, enum sim_outcome o, const char *what, const char *arg)
{
    out->outcome = o;
    snprintf(out->reason, sizeof(out->reason), "%s%.128s", what, arg);
}

/* sim_version: the version the server would pick; -1 with out filled when
 * the handshake ends before a suite is chosen. */
static int sim_version(const struct target_result *r, const struct sim_change *ch,
                       const struct sim_client *c, struct sim_result *out)
{
    bool emptied = false;
    for (int v = TLSV_TLS13; v >= TLSV_SSL3; v--) {
        if ((c->versions & TLSV_BIT(v)) == 0) {
            continue;
        }
        int has = sim_server_has(r, ch, (enum tls_version)v, &emptied);
        if (has == 1) {
            return v;
        }
        if (has < 0) {
            sim_fail(out, SIM_UNKNOWN,
                     "not determined by the scan: ", tls_version_name((enum tls_version)v));
            return -1;
        }
    }
    sim_fail(out, SIM_FAIL, "no common protocol version",
             emptied ? " (the change leaves a version the client offers without suites)" : "");
    return -1;
}

static bool sim_group13(const struct target_result *r, const struct sim_client *c,
                        struct sim_result *out)
{
    const struct enum_facts *e = &r->enumeration;
    if (e->n_groups13 == 0) {
        return true; /* the groups were not enumerated: not judged */
    }
    for (size_t i = 0; i < c->n_key_shares; i++) {
        if (sim_has16(e->groups13, e->n_groups13, c->key_shares[i])) {
            out->group = c->key_shares[i];
            return true;
        }
    }
    out->group = sim_pick_group(e->groups13, e->n_groups13, c->groups, c->n_groups);
    out->hrr = out->group != 0;
    if (out->group == 0) {
        sim_fail(out, SIM_FAIL, "no common group for the TLS 1.3 key exchange", "");
        return false;
    }
    return true;
}

static void sim_kex(const struct target_result *r, enum tls_version v, const struct sim_client *c,
                    const struct suite_info *si, const struct enum_suite *s, struct sim_result *out)
{
    if (v < TLSV_TLS13 && si != NULL && (si->attrs & SUITE_KX_ECDHE) != 0) {
        out->group = r->enumeration.n_groups12 > 0
                         ? sim_group12(&r->enumeration, &r->enumeration.versions[v], c)
                         : s->ec_group;
    } else if (si != NULL && (si->attrs & SUITE_KX_DHE) != 0) {
        out->kx_bits = s->kx_bits;
    }
    if (out->group != 0) {
        const struct group_info *g = registry_group_by_code(out->group);
        out->kx_bits = g != NULL ? g->bits : 0;
    }
}

static void sim_notes(const struct target_result *r, const struct enum_version_fact *vf,
                      const struct sim_client *c, const struct sim_pick *p, struct sim_result *out)
{
    const char *sep = "";
    size_t len = 0;
    if (vf->order == ORDER_UNKNOWN && p->n_common > 1) {
        len += (size_t)snprintf(out->note + len, sizeof(out->note) - len,
                                "the server's suite order is unknown: the client's assumed");
        sep = "; ";
    }
    if (vf->incomplete && len < sizeof(out->note)) {
        len += (size_t)snprintf(out->note + len, sizeof(out->note) - len,
                                "%sthe suite list of this version is incomplete", sep);
        sep = "; ";
    }
    if (r->sni != NULL && (c->exts & SIM_EXT_SNI) == 0 && len < sizeof(out->note)) {
        snprintf(out->note + len, sizeof(out->note) - len,
                 "%sthe client sends no SNI: the server's default certificate applies", sep);
    }
}

void sim_negotiate(const struct target_result *r, const struct sim_change *ch,
                   const struct sim_client *c, struct sim_result *out)
{
    memset(out, 0, sizeof(*out));
    out->outcome = SIM_OK;
    if (!fact_collected(&r->enumeration.header)) {
        sim_fail(out, SIM_UNKNOWN, "the scan has no suite enumeration: ",
                 r->enumeration.header.detail[0] ? r->enumeration.header.detail : "not collected");
        return;
    }
    int v = sim_version(r, ch, c, out);
    if (v < 0) {
        return;
    }
    const struct enum_version_fact *vf = &r->enumeration.versions[v];
    struct sim_pick p;
    sim_pick_suite(r, ch, (enum tls_version)v, c, &p);
    out->version = (enum tls_version)v;
    if (p.suite == NULL) {
        char what[128];
        snprintf(what, sizeof(what), "no common suite in %s%s",
                 tls_version_name((enum tls_version)v),
                 p.no_group ? " (the common ECDHE suites lack a common group)" : "");
        sim_fail(out, vf->incomplete ? SIM_UNKNOWN : SIM_FAIL, what,
                 vf->incomplete ? " (the suite list is incomplete)" : "");
        return;
    }
    out->suite = p.suite->code;
    const struct suite_info *si = registry_suite_by_code(p.suite->code);
    if (v == TLSV_TLS13 && !sim_group13(r, c, out)) {
        out->suite = 0; /* a handshake_failure alert instead of a ServerHello */
        return;
    }
    sim_kex(r, (enum tls_version)v, c, si, p.suite, out);
    if (!sim_certificate(r, c, si, (enum tls_version)v, out) || !sim_limits(c, si, out)) {
        out->outcome = SIM_FAIL;
        return;
    }
    sim_notes(r, vf, c, &p, out);
}

/* ---- parsing a change ---------------------------------------------------------- */

static bool sim_next_word(const char **s, char *w, size_t w_len)
{
    while (**s == ',' || **s == ' ') {
        (*s)++;
    }
    size_t n = strcspn(*s, ",");
    if (n == 0) {
        return false;
    }
    while (n > 0 && (*s)[n - 1] == ' ') {
        n--;
    }
    snprintf(w, w_len, "%.*s", (int)n, *s);
    *s += strcspn(*s, ",");
    return true;
}

int sim_parse_versions(struct sim_change *c, const char *list, char *err, size_t err_len)
{
    static const struct {
        const char *word;
        enum tls_version v;
    } words[] = {
        {"ssl3", TLSV_SSL3},    {"sslv3", TLSV_SSL3},   {"tls1.0", TLSV_TLS10},
        {"tls1", TLSV_TLS10},   {"tls1.1", TLSV_TLS11}, {"tls1.2", TLSV_TLS12},
        {"tls1.3", TLSV_TLS13},
    };
    char w[64];
    const char *s = list;
    bool any = false;
    while (sim_next_word(&s, w, sizeof(w))) {
        enum tls_version v;
        bool ok = tls_version_parse(w, &v);
        for (size_t i = 0; !ok && i < sizeof(words) / sizeof(words[0]); i++) {
            ok = strcasecmp(w, words[i].word) == 0;
            v = words[i].v;
        }
        if (!ok || v == TLSV_SSL2) {
            snprintf(err, err_len,
                     "'%s' is not a protocol version (ssl3, tls1.0, tls1.1, tls1.2, tls1.3)", w);
            return -1;
        }
        c->versions |= TLSV_BIT(v);
        any = true;
    }
    if (!any) {
        snprintf(err, err_len, "an empty list: give versions such as tls1.0,tls1.1");
        return -1;
    }
    return 0;
}

static const struct {
    const char *word;
    unsigned attrs;
} sim_classes[] = {
    {"cbc", SUITE_CBC},    {"3des", SUITE_3DES},     {"des", SUITE_DES},
    {"rc4", SUITE_RC4},    {"rc2", SUITE_RC2},       {"idea", SUITE_IDEA},
    {"sha1", SUITE_SHA1},  {"md5", SUITE_MD5},       {"rsa-kex", SUITE_KX_RSA},
    {"dhe", SUITE_KX_DHE}, {"export", SUITE_EXPORT}, {"null", SUITE_NULL_CIPHER},
    {"anon", SUITE_ANON},  {"64bit", SUITE_BLOCK64}, {"psk", SUITE_PSK},
};

/* sim_hex: "0xC013" as a suite code (1 to 4 hex digits). */
static bool sim_hex(const char *w, unsigned long *out)
{
    if (strncasecmp(w, "0x", 2) != 0 || w[2] == '\0' || strlen(w + 2) > 4 ||
        strspn(w + 2, "0123456789abcdefABCDEF") != strlen(w + 2)) {
        return false;
    }
    *out = strtoul(w + 2, NULL, 16);
    return true;
}

int sim_parse_suites(struct sim_change *c, const char *list, char *err, size_t err_len)
{
    char w[128];
    const char *s = list;
    bool any = false;
    while (sim_next_word(&s, w, sizeof(w))) {
        any = true;
        if (strcasecmp(w, "non-fs") == 0) {
            c->no_fs = true;
            continue;
        }
        size_t i = 0;
        while (i < sizeof(sim_classes) / sizeof(sim_classes[0]) &&
               strcasecmp(w, sim_classes[i].word) != 0) {
            i++;
        }
        if (i < sizeof(sim_classes) / sizeof(sim_classes[0])) {
            c->attrs |= sim_classes[i].attrs;
            continue;
        }
        unsigned long code = 0;
        const struct suite_info *si = registry_suite_by_name(w);
        if (si == NULL && sim_hex(w, &code)) {
            si = registry_suite_by_code((uint32_t)code);
        }
        if (si == NULL) {
            snprintf(err, err_len,
                     "'%s' is not a suite class (cbc, 3des, des, rc4, rc2, idea, sha1, md5, "
                     "rsa-kex, non-fs, dhe, export, null, anon, 64bit, psk), suite name or code",
                     w);
            return -1;
        }
        if (c->n_suites == SIM_MAX_SUITES) {
            snprintf(err, err_len, "more than %d suites named", SIM_MAX_SUITES);
            return -1;
        }
        c->suites[c->n_suites++] = si->code;
    }
    if (!any) {
        snprintf(err, err_len, "an empty list: give classes or suites such as cbc,3des");
        return -1;
    }
    return 0;
}
