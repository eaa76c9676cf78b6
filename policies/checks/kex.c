/*
 * policies/checks/kex.c - key exchange: groups_allowed, groups_required,
 * dh_min_bits and ecdh_min_bits, group names (IANA names and the usual
 * aliases), their parameters and their verdicts.
 *
 * Where it sits: check_table (table.c) -> [load, describe, eval here].
 * Invariant: the groups a server offers come from the enumeration's group
 * lists and the key exchanges seen with its suites; a list not known to be
 * complete never passes an allowlist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "common/model/registry.h"
#include "policies/checks/checks.h"

/* Other spellings of group names (OpenSSL's, NIST's) -> IANA names. */
static const struct {
    const char *alias;
    const char *iana;
} load_group_aliases[] = {
    {"prime256v1", "secp256r1"}, {"P-256", "secp256r1"},   {"P256", "secp256r1"},
    {"P-384", "secp384r1"},      {"P384", "secp384r1"},    {"P-521", "secp521r1"},
    {"P521", "secp521r1"},       {"curve25519", "x25519"}, {"curve448", "x448"},
};

const struct group_info *load_group_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof(load_group_aliases) / sizeof(load_group_aliases[0]); i++) {
        if (strcasecmp(name, load_group_aliases[i].alias) == 0) {
            return registry_group_by_name(load_group_aliases[i].iana);
        }
    }
    return registry_group_by_name(name);
}

static bool load_groups(struct pfile *f, const yaml_node_t *n, struct check *c)
{
    if (!load_list(f, n, "a list of group names", false)) {
        return false;
    }
    for (size_t i = 0; i < load_seq_len(n); i++) {
        yaml_node_t *item = load_seq_item(f, n, i);
        const char *v = load_text(f, item, "a group name");
        if (v == NULL) {
            return false;
        }
        const struct group_info *g = load_group_lookup(v);
        if (g == NULL) {
            return load_fail(f, item,
                             "unknown group '%s': expected an IANA group name such as x25519, "
                             "secp256r1, ffdhe2048 or X25519MLKEM768",
                             v);
        }
        bool dup = false;
        for (size_t j = 0; j < c->n_groups; j++) {
            dup = dup || c->groups[j] == g->code;
        }
        if (dup) {
            continue;
        }
        if (c->n_groups == CHECK_MAX_GROUPS) {
            return load_fail(f, item, "expected at most %d groups", CHECK_MAX_GROUPS);
        }
        c->groups[c->n_groups++] = g->code;
    }
    return true;
}

bool load_c_groups(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    return load_groups(f, v, c);
}

bool load_c_min_bits(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    return load_int(f, v, "a minimum size in bits", 1, 16384, &c->min_bits);
}
static void load_describe_groups(struct load_buf *b, const struct check *c)
{
    for (size_t i = 0; i < c->n_groups; i++) {
        const struct group_info *g = registry_group_by_code(c->groups[i]);
        load_buf_add(b, "%s%s", i ? ", " : "", g != NULL ? g->name : "?");
    }
}

/* ---- groups and key-exchange sizes ------------------------------------------ */

#define EVAL_MAX_GROUPS 160

/* The groups a server accepts, from every fact that names one. */
struct gset {
    uint16_t codes[EVAL_MAX_GROUPS];
    size_t n;
    bool complete;
    const char *why;
};

static void gset_add(struct gset *g, uint16_t code)
{
    if (code == 0) {
        return;
    }
    for (size_t i = 0; i < g->n; i++) {
        if (g->codes[i] == code) {
            return;
        }
    }
    if (g->n < EVAL_MAX_GROUPS) {
        g->codes[g->n++] = code;
    }
}

static bool eval_kx_is(const struct suite_info *s, const char *const *kxs)
{
    for (; *kxs != NULL; kxs++) {
        if (strcmp(s->kx, *kxs) == 0) {
            return true;
        }
    }
    return false;
}

static const char *const eval_kx_ecdh[] = {"ECDHE", "ECDH", "ECDHE_PSK", NULL};
static const char *const eval_kx_ffdh[] = {"DHE", "DH", "DHE_PSK", NULL};

static void eval_groups(const struct target_result *r, struct gset *g)
{
    const struct enum_facts *e = &r->enumeration;
    g->n = 0;
    g->complete = fact_collected(&e->header);
    g->why = fact_collected(&e->header) ? "" : "groups not enumerated (enumeration not collected)";
    bool ecdhe12 = false;
    bool tls13 = false;
    for (size_t i = 0; fact_collected(&e->header) && i < e->n_groups12; i++) {
        gset_add(g, e->groups12[i]);
    }
    for (size_t i = 0; fact_collected(&e->header) && i < e->n_groups13; i++) {
        gset_add(g, e->groups13[i]);
    }
    for (unsigned v = TLSV_SSL3; v < TLSV_COUNT; v++) {
        struct vview vv;
        struct vsuites s;
        eval_version(r, (enum tls_version)v, &vv);
        eval_suites(r, (enum tls_version)v, &vv, &s);
        if (vv.state == PROBE_INCONCLUSIVE && v >= TLSV_TLS10 && g->complete) {
            g->complete = false;
            g->why = "a protocol version was not determined";
        }
        if (vv.state == PROBE_ACCEPTED && !s.complete && g->complete) {
            g->complete = false;
            g->why = s.why;
        }
        for (size_t i = 0; i < s.n_list; i++) {
            gset_add(g, s.list[i].ec_group);
            const struct suite_info *si = registry_suite_by_code(s.list[i].code);
            ecdhe12 = ecdhe12 || (v < TLSV_TLS13 && si != NULL && eval_kx_is(si, eval_kx_ecdh));
        }
        tls13 = tls13 || (v == TLSV_TLS13 && vv.state == PROBE_ACCEPTED);
        const struct version_fact *gf = eval_gnutls(r, (enum tls_version)v);
        if (vv.state == PROBE_ACCEPTED && gf != NULL && gf->state == PROBE_ACCEPTED &&
            gf->group[0] != '\0') {
            const struct group_info *gi = registry_group_by_name(gf->group);
            if (gi != NULL) {
                gset_add(g, gi->code);
            }
        }
    }
    if (g->complete && ecdhe12 && e->n_groups12 == 0) {
        g->complete = false;
        g->why = "ECDHE suites accepted but the enumeration found no TLS 1.2 group";
    }
    if (g->complete && tls13 && e->n_groups13 == 0) {
        g->complete = false;
        g->why = "TLS 1.3 accepted but the enumeration found no TLS 1.3 group";
    }
}

static void ev_group_list(struct ev *e, const struct gset *g)
{
    if (g->n == 0) {
        ev_add(e, "none");
    }
    for (size_t i = 0; i < g->n; i++) {
        const struct group_info *gi = registry_group_by_code(g->codes[i]);
        if (gi != NULL) {
            ev_add(e, "%s%s", i ? ", " : "", gi->name);
        } else {
            ev_add(e, "%s0x%04X", i ? ", " : "", g->codes[i]);
        }
    }
}

static bool eval_has_group(const uint16_t *codes, size_t n, uint16_t code)
{
    for (size_t i = 0; i < n; i++) {
        if (codes[i] == code) {
            return true;
        }
    }
    return false;
}

static const char *eval_group_name(uint16_t code, char *buf, size_t buf_size)
{
    const struct group_info *gi = registry_group_by_code(code);
    if (gi != NULL) {
        return gi->name;
    }
    snprintf(buf, buf_size, "0x%04X", code);
    return buf;
}

static void check_groups(const struct target_result *r, const struct check *c, bool required,
                         struct judge *j)
{
    struct gset g;
    char hex[16];
    eval_groups(r, &g);
    if (!required) {
        size_t n_bad = 0;
        for (size_t i = 0; i < g.n; i++) {
            if (eval_has_group(c->groups, c->n_groups, g.codes[i])) {
                continue;
            }
            if (n_bad++ == 0) {
                ev_add(judge_fail(j), "groups accepted outside the allowlist: ");
            } else {
                ev_add(&j->fail, ", ");
            }
            ev_add(&j->fail, "%s", eval_group_name(g.codes[i], hex, sizeof(hex)));
        }
    } else {
        for (size_t i = 0; i < c->n_groups; i++) {
            if (eval_has_group(g.codes, g.n, c->groups[i])) {
                continue;
            }
            const char *name = eval_group_name(c->groups[i], hex, sizeof(hex));
            if (g.complete) {
                ev_add(judge_fail(j), "%s not accepted", name);
            } else {
                ev_add(judge_unknown(j), "%s not seen (%s)", name, g.why);
            }
        }
    }
    if (j->failed) {
        ev_add(&j->fail, " (groups in use: ");
        ev_group_list(&j->fail, &g);
        ev_add(&j->fail, ")");
    }
    if (!required && !g.complete) {
        ev_add(judge_unknown(j), "%s", g.why);
    }
    ev_add(judge_ok(j), "groups in use: ");
    ev_group_list(&j->ok, &g);
}

/* eval_ecdh_bits: x25519 is a 255-bit field with 256-bit keys, counted as
 * 256 so that it stands with P-256 (docs/policy-language.md). */
static int eval_ecdh_bits(int bits)
{
    return bits == 255 ? 256 : bits;
}

static void check_kx_min(const struct target_result *r, const struct check *c, bool ecdh,
                         struct judge *j)
{
    const char *kind = ecdh ? "ECDH" : "DH";
    struct gset g;
    char hex[16];
    eval_groups(r, &g);
    int smallest = 0;
    /* Named groups: every one the server accepts. */
    for (size_t i = 0; i < g.n; i++) {
        const struct group_info *gi = registry_group_by_code(g.codes[i]);
        if (gi == NULL || gi->bits == 0) {
            continue;
        }
        bool fits = ecdh ? (strcmp(gi->kind, "ecdhe") == 0 || strcmp(gi->kind, "hybrid-pq") == 0)
                         : strcmp(gi->kind, "ffdhe") == 0;
        if (!fits) {
            continue;
        }
        int bits = ecdh ? eval_ecdh_bits(gi->bits) : gi->bits;
        smallest = smallest == 0 || bits < smallest ? bits : smallest;
        if (bits < c->min_bits) {
            ev_add(judge_fail(j), "group %s: %d bits < %d", gi->name, bits, c->min_bits);
        }
    }
    /* Suites whose parameters are not a named group (DHE primes, explicit curves). */
    for (unsigned v = TLSV_SSL3; v < TLSV_TLS13; v++) {
        struct vview vv;
        struct vsuites s;
        eval_version(r, (enum tls_version)v, &vv);
        eval_suites(r, (enum tls_version)v, &vv, &s);
        size_t n_low = 0, n_unknown = 0;
        int low = 0;
        uint32_t low_code = 0;
        for (size_t i = 0; i < vs_count(&s); i++) {
            const struct suite_info *si = registry_suite_by_code(vs_code(&s, i));
            if (si == NULL || !eval_kx_is(si, ecdh ? eval_kx_ecdh : eval_kx_ffdh)) {
                continue;
            }
            if (ecdh && i < s.n_list && s.list[i].ec_group != 0) {
                continue; /* a named group: judged above */
            }
            int bits = vs_kx_bits(r, (enum tls_version)v, &s, i);
            if (ecdh && i >= s.n_list) {
                continue; /* the GnuTLS handshake names its curve: in the group set */
            }
            if (bits == 0) {
                n_unknown++;
                continue;
            }
            bits = ecdh ? eval_ecdh_bits(bits) : bits;
            smallest = smallest == 0 || bits < smallest ? bits : smallest;
            if (bits < c->min_bits) {
                if (n_low++ == 0 || bits < low) {
                    low = bits;
                    low_code = vs_code(&s, i);
                }
            }
        }
        const char *name = tls_version_name((enum tls_version)v);
        if (n_low > 0) {
            ev_add(judge_fail(j), "%s: %s %d bits < %d (%zu suite%s, e.g. %s; %s)", name, kind, low,
                   c->min_bits, n_low, n_low == 1 ? "" : "s",
                   eval_suite_name(low_code, hex, sizeof(hex)), vv.source);
        }
        if (n_unknown > 0) {
            ev_add(judge_unknown(j), "%s: %s size not seen for %zu suite%s", name, kind, n_unknown,
                   n_unknown == 1 ? "" : "s");
        }
    }
    if (!g.complete) {
        ev_add(judge_unknown(j), "%s", g.why);
    }
    if (smallest == 0) {
        ev_add(judge_ok(j), "no %s key exchange accepted",
               ecdh ? "elliptic-curve" : "finite-field DH");
    } else {
        ev_add(judge_ok(j), "smallest %s: %d bits (>= %d)", kind, smallest, c->min_bits);
    }
}

/* ---- the table's functions -------------------------------------------------- */

void describe_groups(struct load_buf *b, const struct check *c)
{
    load_describe_groups(b, c);
}

void describe_min_bits(struct load_buf *b, const struct check *c)
{
    load_buf_add(b, "%d", c->min_bits);
}

void eval_groups_allowed(const struct target_result *r, const struct check *c, int64_t now,
                         struct judge *j)
{
    (void)now;
    check_groups(r, c, false, j);
}

void eval_groups_required(const struct target_result *r, const struct check *c, int64_t now,
                          struct judge *j)
{
    (void)now;
    check_groups(r, c, true, j);
}

void eval_dh_min_bits(const struct target_result *r, const struct check *c, int64_t now,
                      struct judge *j)
{
    (void)now;
    check_kx_min(r, c, false, j);
}

void eval_ecdh_min_bits(const struct target_result *r, const struct check *c, int64_t now,
                        struct judge *j)
{
    (void)now;
    check_kx_min(r, c, true, j);
}
