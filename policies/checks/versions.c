/*
 * policies/checks/versions.c - protocol versions: the checks
 * protocols_forbidden, protocols_allowed, protocols_required and
 * server_order_required, the spelling of versions in policies, and what
 * every check that looks at versions and suites shares: one view of each
 * version (enumeration and GnuTLS handshakes together) and of the suites
 * accepted under it.
 *
 * Where it sits: check_table (table.c) -> [load, describe, eval here].
 * Invariant: versions and suites come from the raw-ClientHello enumeration
 * when it was collected; the GnuTLS handshakes fill in TLS 1.0-1.3
 * otherwise or where the enumeration has no answer, and evidence names the
 * source ("(enumeration)", "(GnuTLS handshake)").
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/model/registry.h"
#include "policies/checks/checks.h"

/* ---- names in checks -------------------------------------------------------- */

static const struct {
    const char *name;
    enum tls_version v;
} load_version_names[] = {
    {"SSLv2", TLSV_SSL2},    {"SSL2", TLSV_SSL2},     {"SSL2.0", TLSV_SSL2},
    {"SSLv3", TLSV_SSL3},    {"SSL3", TLSV_SSL3},     {"SSL3.0", TLSV_SSL3},
    {"TLS1.0", TLSV_TLS10},  {"TLSv1", TLSV_TLS10},   {"TLSv1.0", TLSV_TLS10},
    {"TLS1", TLSV_TLS10},    {"TLS1.1", TLSV_TLS11},  {"TLSv1.1", TLSV_TLS11},
    {"TLS1.2", TLSV_TLS12},  {"TLSv1.2", TLSV_TLS12}, {"TLS1.3", TLSV_TLS13},
    {"TLSv1.3", TLSV_TLS13},
};

/* The canonical spelling, indexed by enum tls_version. */
static const char *const load_version_canon[TLSV_COUNT] = {"SSLv2",  "SSLv3",  "TLS1.0",
                                                           "TLS1.1", "TLS1.2", "TLS1.3"};

const char *check_version_canon(enum tls_version v)
{
    return (unsigned)v < TLSV_COUNT ? load_version_canon[v] : "?";
}

bool load_version(struct pfile *f, const yaml_node_t *n, enum tls_version *out)
{
    const char *v = load_text(f, n, "a protocol version");
    if (v == NULL) {
        return false;
    }
    for (size_t i = 0; i < sizeof(load_version_names) / sizeof(load_version_names[0]); i++) {
        if (strcasecmp(v, load_version_names[i].name) == 0) {
            *out = load_version_names[i].v;
            return true;
        }
    }
    return load_fail(f, n,
                     "unknown protocol version '%s': expected SSLv2, SSLv3, TLS1.0, TLS1.1, "
                     "TLS1.2 or TLS1.3",
                     v);
}

bool load_versions(struct pfile *f, const yaml_node_t *n, unsigned *out)
{
    if (!load_list(f, n, "a list of protocol versions", false)) {
        return false;
    }
    *out = 0;
    for (size_t i = 0; i < load_seq_len(n); i++) {
        enum tls_version v;
        if (!load_version(f, load_seq_item(f, n, i), &v)) {
            return false;
        }
        *out |= 1u << v;
    }
    return true;
}

bool load_c_versions(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    return load_versions(f, v, &c->versions);
}
bool load_c_server_order(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    if (load_is_list(v)) {
        return load_versions(f, v, &c->versions);
    }
    if (!load_true(f, v, "server_order_required (or a list of protocol versions)")) {
        return false;
    }
    c->versions = (1u << TLSV_COUNT) - 1;
    return true;
}
void load_describe_versions(struct load_buf *b, unsigned versions)
{
    bool first = true;
    for (unsigned v = 0; v < TLSV_COUNT; v++) {
        if (versions & (1u << v)) {
            load_buf_add(b, "%s%s", first ? "" : ", ", load_version_canon[v]);
            first = false;
        }
    }
}
/* ---- versions and suites ---------------------------------------------------- */

#define SRC_ENUM "enumeration"
#define SRC_GNUTLS "GnuTLS handshake"

const struct version_fact *eval_gnutls(const struct target_result *r, enum tls_version v)
{
    if (!tls_version_is_hs(v)) {
        return NULL; /* GnuTLS speaks neither SSLv2 nor SSLv3 */
    }
    return &r->versions[v];
}

/* eval_version: acceptance seen by either source is acceptance (the
 * server did answer with that version). Otherwise an inconclusive answer
 * from either source keeps the version undetermined: a refusal from the
 * other one does not override it, since the two probes offer different
 * hellos and a hostile answer (a malformed ServerHello, an unoffered
 * choice) to one of them is no refusal. Refused needs every source that
 * answered to have refused. */
void eval_version(const struct target_result *r, enum tls_version v, struct vview *out)
{
    const struct version_fact *g = eval_gnutls(r, v);
    const struct enum_version_fact *e =
        fact_collected(&r->enumeration.header) ? &r->enumeration.versions[v] : NULL;
    bool e_unsure = e != NULL && e->state == PROBE_INCONCLUSIVE;
    bool g_unsure = g != NULL && g->state == PROBE_INCONCLUSIVE;
    out->why = "";
    if (e != NULL && e->state == PROBE_ACCEPTED) {
        out->state = PROBE_ACCEPTED;
        out->source = SRC_ENUM;
    } else if (g != NULL && g->state == PROBE_ACCEPTED) {
        out->state = PROBE_ACCEPTED;
        out->source = SRC_GNUTLS;
    } else if (e != NULL && e->state == PROBE_REFUSED && !g_unsure) {
        out->state = PROBE_REFUSED;
        out->source = SRC_ENUM;
    } else if (g != NULL && g->state == PROBE_REFUSED && !e_unsure) {
        out->state = PROBE_REFUSED;
        out->source = SRC_GNUTLS;
    } else {
        out->state = PROBE_INCONCLUSIVE;
        out->source = e_unsure || (e != NULL && !g_unsure) ? SRC_ENUM : SRC_GNUTLS;
        if (e_unsure && e->reason[0] != '\0') {
            out->why = e->reason;
        } else if (g_unsure && g->reason[0] != '\0') {
            out->why = g->reason;
        } else if (e_unsure || g_unsure) {
            out->why = "inconclusive answer";
        } else if (e == NULL && g == NULL) {
            out->why = "not probed: the enumeration was not collected";
        } else {
            out->why = "not tested";
        }
    }
}

void eval_suites(const struct target_result *r, enum tls_version v, const struct vview *vv,
                 struct vsuites *out)
{
    const struct version_fact *g = eval_gnutls(r, v);
    out->list = NULL;
    out->n_list = 0;
    out->has_extra = false;
    out->extra = 0;
    out->complete = vv->state == PROBE_REFUSED;
    out->why = vv->why;
    if (vv->state != PROBE_ACCEPTED) {
        return;
    }
    const struct enum_version_fact *e = &r->enumeration.versions[v];
    bool listed = fact_collected(&r->enumeration.header) && e->state == PROBE_ACCEPTED;
    if (listed) {
        out->list = e->suites;
        out->n_list = e->n_suites;
        out->complete = !e->incomplete;
        out->why = e->incomplete_why[0] != '\0' ? e->incomplete_why : "enumeration incomplete";
    } else if (!fact_collected(&r->enumeration.header)) {
        out->why = "suites not enumerated (enumeration not collected)";
    } else {
        out->why = "the enumeration did not see this version accepted";
    }
    if (g != NULL && g->state == PROBE_ACCEPTED && g->suite != 0) {
        bool seen = false;
        for (size_t i = 0; i < out->n_list && !seen; i++) {
            seen = out->list[i].code == g->suite;
        }
        if (!seen) {
            out->has_extra = true;
            out->extra = g->suite;
            if (listed) {
                out->complete = false;
                out->why = "the GnuTLS handshake negotiated a suite the enumeration missed";
            }
        }
    }
}

size_t vs_count(const struct vsuites *s)
{
    return s->n_list + (s->has_extra ? 1 : 0);
}

uint32_t vs_code(const struct vsuites *s, size_t i)
{
    return i < s->n_list ? s->list[i].code : s->extra;
}

/* vs_kx_bits: the key-exchange size seen with suite i (0: unknown). */
int vs_kx_bits(const struct target_result *r, enum tls_version v, const struct vsuites *s, size_t i)
{
    if (i < s->n_list) {
        return s->list[i].kx_bits;
    }
    const struct version_fact *g = eval_gnutls(r, v);
    return g != NULL ? g->dh_bits : 0;
}

/* eval_suite_name writes the IANA name of code (or its hex value). */
const char *eval_suite_name(uint32_t code, char *buf, size_t buf_size)
{
    const struct suite_info *s = registry_suite_by_code(code);
    if (s != NULL) {
        return s->iana_name;
    }
    snprintf(buf, buf_size, code > 0xFFFF ? "0x%06X" : "0x%04X", (unsigned)code);
    return buf;
}

void ev_suites(struct ev *e, const struct vsuites *s)
{
    char hex[16];
    for (size_t i = 0; i < vs_count(s); i++) {
        ev_add(e, "%s%s", i ? ", " : "", eval_suite_name(vs_code(s, i), hex, sizeof(hex)));
    }
}

/* ev_version_accepted: "TLS 1.0 accepted (enumeration); suites: A, B". */
void ev_version_accepted(struct ev *e, const struct target_result *r, enum tls_version v,
                         const struct vview *vv)
{
    struct vsuites s;
    eval_suites(r, v, vv, &s);
    ev_add(e, "%s accepted (%s)", tls_version_name(v), vv->source);
    if (vs_count(&s) > 0) {
        ev_add(e, "; suite%s: ", vs_count(&s) == 1 ? "" : "s");
        ev_suites(e, &s);
    }
}

/* ---- protocol checks -------------------------------------------------------- */

static void check_protocols_not(const struct target_result *r, unsigned forbidden, bool allowlist,
                                struct judge *j)
{
    for (unsigned v = 0; v < TLSV_COUNT; v++) {
        struct vview vv;
        eval_version(r, (enum tls_version)v, &vv);
        bool bad = (forbidden & (1u << v)) != 0;
        if (!bad) {
            if (vv.state == PROBE_ACCEPTED) {
                ev_add(judge_ok(j), "%s accepted (%s)", tls_version_name((enum tls_version)v),
                       vv.source);
            }
            continue;
        }
        switch (vv.state) {
        case PROBE_ACCEPTED:
            ev_version_accepted(judge_fail(j), r, (enum tls_version)v, &vv);
            if (allowlist) {
                ev_add(&j->fail, " (not allowed)");
            }
            break;
        case PROBE_REFUSED:
            ev_add(judge_ok(j), "%s refused (%s)", tls_version_name((enum tls_version)v),
                   vv.source);
            break;
        default:
            ev_add(judge_unknown(j), "%s not determined: %s", tls_version_name((enum tls_version)v),
                   vv.why);
            break;
        }
    }
}

static void check_protocols_required(const struct target_result *r, unsigned required,
                                     struct judge *j)
{
    for (unsigned v = 0; v < TLSV_COUNT; v++) {
        if ((required & (1u << v)) == 0) {
            continue;
        }
        struct vview vv;
        eval_version(r, (enum tls_version)v, &vv);
        const char *name = tls_version_name((enum tls_version)v);
        if (vv.state == PROBE_ACCEPTED) {
            ev_add(judge_ok(j), "%s accepted (%s)", name, vv.source);
        } else if (vv.state == PROBE_REFUSED) {
            ev_add(judge_fail(j), "%s not accepted (refused: %s)", name, vv.source);
        } else {
            ev_add(judge_unknown(j), "%s not determined: %s", name, vv.why);
        }
    }
}

static void check_server_order(const struct target_result *r, const struct check *c,
                               struct judge *j)
{
    if (!fact_collected(&r->enumeration.header)) {
        ev_add(judge_unknown(j), "the server's order is not known (enumeration not collected)");
        return;
    }
    for (unsigned v = 0; v < TLSV_COUNT; v++) {
        if ((c->versions & (1u << v)) == 0) {
            continue;
        }
        const char *name = tls_version_name((enum tls_version)v);
        struct vview vv;
        eval_version(r, (enum tls_version)v, &vv);
        const struct enum_version_fact *e = &r->enumeration.versions[v];
        if (vv.state == PROBE_REFUSED) {
            continue;
        }
        if (vv.state == PROBE_INCONCLUSIVE) {
            ev_add(judge_unknown(j), "%s not determined: %s", name, vv.why);
            continue;
        }
        if (e->state != PROBE_ACCEPTED) {
            ev_add(judge_unknown(j), "%s: accepted, but not enumerated", name);
            continue;
        }
        if (e->n_suites < 2) {
            ev_add(judge_ok(j), "%s: one suite, no order to choose", name);
        } else if (e->order == ORDER_SERVER) {
            ev_add(judge_ok(j), "%s: the server's order (%zu suites)", name, e->n_suites);
        } else if (e->order == ORDER_CLIENT) {
            ev_add(judge_fail(j), "%s: the client's order decides (%zu suites)", name, e->n_suites);
        } else {
            ev_add(judge_unknown(j), "%s: order not determined", name);
        }
    }
    if (j->ok.len == 0) {
        ev_add(judge_ok(j), "no version in scope accepted");
    }
}

/* ---- the table's functions -------------------------------------------------- */

void describe_versions(struct load_buf *b, const struct check *c)
{
    load_describe_versions(b, c->versions);
}

void describe_server_order(struct load_buf *b, const struct check *c)
{
    if (c->versions == (1u << TLSV_COUNT) - 1) {
        load_buf_add(b, "true");
    } else {
        load_describe_versions(b, c->versions);
    }
}

void eval_protocols_forbidden(const struct target_result *r, const struct check *c, int64_t now,
                              struct judge *j)
{
    (void)now;
    check_protocols_not(r, c->versions, false, j);
}

void eval_protocols_allowed(const struct target_result *r, const struct check *c, int64_t now,
                            struct judge *j)
{
    (void)now;
    check_protocols_not(r, ((1u << TLSV_COUNT) - 1) & ~c->versions, true, j);
}

void eval_protocols_required(const struct target_result *r, const struct check *c, int64_t now,
                             struct judge *j)
{
    (void)now;
    check_protocols_required(r, c->versions, j);
}

void eval_server_order(const struct target_result *r, const struct check *c, int64_t now,
                       struct judge *j)
{
    (void)now;
    check_server_order(r, c, j);
}
