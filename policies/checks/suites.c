/*
 * policies/checks/suites.c - cipher suites: suites_allowed (an allowlist
 * per protocol version) and suites_forbidden (suite attributes and a
 * minimum effective strength), their parameters and their verdicts.
 *
 * Where it sits: check_table (table.c) -> [load, describe, eval here];
 * the suites accepted per version come from versions.c's views.
 * Invariant: every suite name was resolved at load time (registry), and a
 * suite list that is not known to be complete never passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/model/registry.h"
#include "policies/checks/checks.h"

bool load_c_suites_allowed(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    struct load_map m;
    if (!load_map_open(f, v, "suites_allowed (protocol versions with their suites)", NULL, NULL,
                       &m)) {
        return false;
    }
    if (m.n_pairs == 0) {
        return load_fail(f, v, "expected at least one protocol version with its suite list");
    }
    for (size_t i = 0; i < m.n_pairs; i++) {
        yaml_node_t *k = load_map_key(f, &m, i);
        yaml_node_t *list = load_map_value(f, &m, i);
        enum tls_version ver;
        if (!load_version(f, k, &ver)) {
            return false;
        }
        if (c->suite_versions & TLSV_BIT(ver)) {
            return load_fail(f, k, "duplicate protocol version %s: expected each version once",
                             check_version_canon(ver));
        }
        c->suite_versions |= TLSV_BIT(ver);
        if (!load_list(f, list, "a list of cipher suite names", true)) {
            return false;
        }
        size_t len = load_seq_len(list);
        c->suites[ver] = calloc(len ? len : 1, sizeof(uint32_t));
        if (c->suites[ver] == NULL) {
            return load_oom(f);
        }
        for (size_t j = 0; j < len; j++) {
            yaml_node_t *item = load_seq_item(f, list, j);
            const char *name = load_text(f, item, "a cipher suite name");
            if (name == NULL) {
                return false;
            }
            const struct suite_info *s = registry_suite_by_name(name);
            if (s == NULL) {
                return load_fail(f, item,
                                 "unknown cipher suite '%s': expected an IANA, OpenSSL or GnuTLS "
                                 "suite name (see tlsaudit ciphers)",
                                 name);
            }
            if (registry_suite_is_scsv(s)) {
                return load_fail(f, item, "'%s' is a signalling value: expected a cipher suite",
                                 name);
            }
            if ((s->versions & TLSV_BIT(ver)) == 0) {
                return load_fail(f, item,
                                 "cipher suite '%s' cannot be negotiated with %s: expected a "
                                 "suite of that version",
                                 name, check_version_canon(ver));
            }
            c->suites[ver][c->n_suites[ver]++] = s->code;
        }
    }
    return true;
}

static const struct {
    const char *name;
    unsigned bit;
} load_attrs[] = {
    {"null", ATTR_NULL},
    {"anon", ATTR_ANON},
    {"export", ATTR_EXPORT},
    {"rc4", ATTR_RC4},
    {"rc2", ATTR_RC2},
    {"des", ATTR_DES},
    {"3des", ATTR_3DES},
    {"idea", ATTR_IDEA},
    {"md5", ATTR_MD5},
    {"cbc", ATTR_CBC},
    {"no_forward_secrecy", ATTR_NO_FS},
    {"no_aead", ATTR_NO_AEAD},
};
#define LOAD_N_ATTRS (sizeof(load_attrs) / sizeof(load_attrs[0]))

bool load_c_suites_forbidden(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    static const char *const keys[] = {"attributes", "min_bits", NULL};
    struct load_map m;
    if (!load_map_open(f, v, "suites_forbidden", keys, "attributes or min_bits", &m)) {
        return false;
    }
    yaml_node_t *attrs = load_map_get(f, &m, "attributes", NULL);
    yaml_node_t *bits = load_map_get(f, &m, "min_bits", NULL);
    if (attrs == NULL && bits == NULL) {
        return load_fail(f, v, "expected 'attributes' (a list) and/or 'min_bits' (a number)");
    }
    if (bits != NULL && !load_int(f, bits, "min_bits", 1, 512, &c->min_bits)) {
        return false;
    }
    if (attrs == NULL) {
        return true;
    }
    if (!load_list(f, attrs, "a list of suite attributes", false)) {
        return false;
    }
    for (size_t i = 0; i < load_seq_len(attrs); i++) {
        yaml_node_t *item = load_seq_item(f, attrs, i);
        /* The attribute `null` is a word here, not YAML's null. */
        const char *a =
            load_scalar_is(item, "null") ? "null" : load_text(f, item, "a suite attribute");
        if (a == NULL) {
            return false;
        }
        size_t j = 0;
        while (j < LOAD_N_ATTRS && strcasecmp(a, load_attrs[j].name) != 0) {
            j++;
        }
        if (j == LOAD_N_ATTRS) {
            return load_fail(f, item,
                             "unknown suite attribute '%s': expected null, anon, export, rc4, "
                             "rc2, des, 3des, idea, md5, cbc, no_forward_secrecy or no_aead",
                             a);
        }
        c->attrs |= load_attrs[j].bit;
    }
    return true;
}

/* ---- suite checks ----------------------------------------------------------- */

static void check_suites_allowed(const struct target_result *r, const struct check *c,
                                 struct judge *j)
{
    char hex[16];
    for (unsigned v = 0; v < TLSV_COUNT; v++) {
        if ((c->suite_versions & TLSV_BIT(v)) == 0) {
            continue;
        }
        const char *name = tls_version_name((enum tls_version)v);
        struct vview vv;
        struct vsuites s;
        eval_version(r, (enum tls_version)v, &vv);
        eval_suites(r, (enum tls_version)v, &vv, &s);
        size_t n_bad = 0;
        for (size_t i = 0; i < vs_count(&s); i++) {
            uint32_t code = vs_code(&s, i);
            bool allowed = false;
            for (size_t k = 0; k < c->n_suites[v] && !allowed; k++) {
                allowed = c->suites[v][k] == code;
            }
            if (allowed) {
                continue;
            }
            if (n_bad++ == 0) {
                ev_add(judge_fail(j), "%s accepts suites outside the allowlist (%s): ", name,
                       vv.source);
            } else {
                ev_add(&j->fail, ", ");
            }
            ev_add(&j->fail, "%s", eval_suite_name(code, hex, sizeof(hex)));
        }
        if (vv.state == PROBE_REFUSED) {
            ev_add(judge_ok(j), "%s refused (%s)", name, vv.source);
        } else if (!s.complete) {
            ev_add(judge_unknown(j), "%s: %s", name, s.why);
        } else if (n_bad == 0) {
            ev_add(judge_ok(j), "%s: %zu suite%s accepted, all allowed (%s)", name, vs_count(&s),
                   vs_count(&s) == 1 ? "" : "s", vv.source);
        }
    }
}

static const struct {
    unsigned bit;
    const char *name;
} eval_attr_names[] = {
    {ATTR_NULL, "null"},
    {ATTR_ANON, "anon"},
    {ATTR_EXPORT, "export"},
    {ATTR_RC4, "rc4"},
    {ATTR_RC2, "rc2"},
    {ATTR_DES, "des"},
    {ATTR_3DES, "3des"},
    {ATTR_IDEA, "idea"},
    {ATTR_MD5, "md5"},
    {ATTR_CBC, "cbc"},
    {ATTR_NO_FS, "no_forward_secrecy"},
    {ATTR_NO_AEAD, "no_aead"},
};

/* eval_effective_bits: the cipher's strength; 3DES gives 112 bits, not 168
 * (the registry's build-time strength). */
static int eval_effective_bits(const struct suite_info *s)
{
    return s->strength;
}

/* check_suite_attrs: the policy language's suite attributes (policy_int.h)
 * from the registry's build-time bits (common/model/registry.h); also what
 * policy_permits_suite (policies/permits.c) tests. */
unsigned check_suite_attrs(const struct suite_info *s)
{
    static const struct {
        unsigned suite, attr;
    } map[] = {
        {SUITE_NULL_CIPHER, ATTR_NULL}, {SUITE_ANON, ATTR_ANON}, {SUITE_EXPORT, ATTR_EXPORT},
        {SUITE_RC4, ATTR_RC4},          {SUITE_RC2, ATTR_RC2},   {SUITE_DES, ATTR_DES},
        {SUITE_3DES, ATTR_3DES},        {SUITE_IDEA, ATTR_IDEA}, {SUITE_MD5, ATTR_MD5},
        {SUITE_CBC, ATTR_CBC},
    };
    unsigned a = 0;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        a |= (s->attrs & map[i].suite) != 0 ? map[i].attr : 0;
    }
    a |= (s->attrs & SUITE_FS) == 0 ? ATTR_NO_FS : 0;
    a |= (s->attrs & SUITE_AEAD) == 0 ? ATTR_NO_AEAD : 0;
    return a;
}

static void check_suites_forbidden(const struct target_result *r, const struct check *c,
                                   struct judge *j)
{
    char hex[16];
    size_t n_checked = 0;
    struct ev versions;
    ev_init(&versions);
    for (unsigned v = 0; v < TLSV_COUNT; v++) {
        const char *name = tls_version_name((enum tls_version)v);
        struct vview vv;
        struct vsuites s;
        eval_version(r, (enum tls_version)v, &vv);
        eval_suites(r, (enum tls_version)v, &vv, &s);
        if (vv.state == PROBE_ACCEPTED) {
            ev_add(&versions, "%s%s", versions.len ? ", " : "", name);
        }
        size_t n_bad = 0;
        for (size_t i = 0; i < vs_count(&s); i++) {
            uint32_t code = vs_code(&s, i);
            const struct suite_info *si = registry_suite_by_code(code);
            n_checked++;
            if (si == NULL) {
                ev_add(judge_unknown(j), "%s: suite 0x%04X is not in the registry", name,
                       (unsigned)code);
                continue;
            }
            unsigned hit = check_suite_attrs(si) & c->attrs;
            bool weak = c->min_bits > 0 && eval_effective_bits(si) < c->min_bits;
            if (hit == 0 && !weak) {
                continue;
            }
            if (n_bad++ == 0) {
                ev_add(judge_fail(j), "%s (%s): ", name, vv.source);
            } else {
                ev_add(&j->fail, ", ");
            }
            ev_add(&j->fail, "%s (", eval_suite_name(code, hex, sizeof(hex)));
            bool first = true;
            for (size_t k = 0; k < sizeof(eval_attr_names) / sizeof(eval_attr_names[0]); k++) {
                if (hit & eval_attr_names[k].bit) {
                    ev_add(&j->fail, "%s%s", first ? "" : ", ", eval_attr_names[k].name);
                    first = false;
                }
            }
            if (weak) {
                ev_add(&j->fail, "%s%d bits < %d", first ? "" : ", ", eval_effective_bits(si),
                       c->min_bits);
            }
            ev_add(&j->fail, ")");
        }
        if (vv.state == PROBE_INCONCLUSIVE) {
            ev_add(judge_unknown(j), "%s not determined: %s", name, vv.why);
        } else if (vv.state == PROBE_ACCEPTED && !s.complete) {
            ev_add(judge_unknown(j), "%s: %s", name, s.why);
        }
    }
    if (versions.len == 0) {
        ev_add(judge_ok(j), "no protocol version accepted");
    } else {
        ev_add(judge_ok(j), "none of the %zu accepted suites (%s) is forbidden", n_checked,
               versions.buf);
    }
}

/* ---- the table's functions -------------------------------------------------- */

void describe_suites_allowed(struct load_buf *b, const struct check *c)
{
    for (unsigned v = 0, first = 1; v < TLSV_COUNT; v++) {
        if ((c->suite_versions & TLSV_BIT(v)) == 0) {
            continue;
        }
        load_buf_add(b, "%s%s: [", first ? "" : "; ", check_version_canon((enum tls_version)v));
        first = 0;
        for (size_t i = 0; i < c->n_suites[v]; i++) {
            const struct suite_info *s = registry_suite_by_code(c->suites[v][i]);
            load_buf_add(b, "%s%s", i ? ", " : "", s != NULL ? s->iana_name : "?");
        }
        load_buf_add(b, "]");
    }
}

void describe_suites_forbidden(struct load_buf *b, const struct check *c)
{
    bool first = true;
    for (size_t i = 0; i < LOAD_N_ATTRS; i++) {
        if (c->attrs & load_attrs[i].bit) {
            load_buf_add(b, "%s%s", first ? "" : ", ", load_attrs[i].name);
            first = false;
        }
    }
    if (c->min_bits > 0) {
        load_buf_add(b, "%sfewer than %d bits", first ? "" : ", ", c->min_bits);
    }
}

void eval_suites_allowed(const struct target_result *r, const struct check *c, int64_t now,
                         struct judge *j)
{
    (void)now;
    check_suites_allowed(r, c, j);
}

void eval_suites_forbidden(const struct target_result *r, const struct check *c, int64_t now,
                           struct judge *j)
{
    (void)now;
    check_suites_forbidden(r, c, j);
}
