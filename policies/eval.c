/*
 * policies/eval.c - policy_eval: every rule of a loaded policy against the
 * facts of one target (common/model/facts.h), one finding per rule in scope.
 *
 * Where it sits: store/scan -> struct target_result -> [eval] -> findings
 * -> store and reports. Pure computation: no I/O, no allocation except the
 * finding list.
 *
 * Invariants:
 * - "pass" needs the facts: a check whose fact was not collected (no
 *   enumeration, no certificates, a version whose probe was inconclusive,
 *   an enumeration marked incomplete, an extension test that gave no
 *   answer) is "inconclusive" unless a fact that was collected already
 *   fails it. A failure seen in partial facts is still a failure.
 * - Versions and suites come from the raw-ClientHello enumeration when it
 *   was collected; the GnuTLS handshakes (versions[]) fill in TLS 1.0-1.3
 *   otherwise or where the enumeration has no answer. Evidence names the
 *   source: "(enumeration)" or "(GnuTLS handshake)".
 * - Certificates are numbered as served: the leaf is "leaf" (#0), then
 *   "certificate #1", "#2", ...
 * - A waiver turns "fail" or "warn" into "waived" only while it is in
 *   force (now before the end of its `expires` day, UTC) and its pattern
 *   matches "host:port"; an expired one is named in the evidence and
 *   changes nothing.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "policies/policy.h"
#include "policies/policy_int.h"
#include "common/model/registry.h"

#define EVAL_TEXT 1024 /* = sizeof(struct finding.evidence) */

/* ---- evidence text ------------------------------------------------------- */

/* A bounded text under construction; too much text ends in "...". */
struct ev {
    char buf[EVAL_TEXT];
    size_t len;
    bool cut;
};

static void ev_init(struct ev *e)
{
    e->buf[0] = '\0';
    e->len = 0;
    e->cut = false;
}

__attribute__((format(printf, 2, 3))) static void ev_add(struct ev *e, const char *fmt, ...)
{
    if (e->cut) {
        return;
    }
    size_t room = sizeof(e->buf) - e->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->buf + e->len, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        e->buf[e->len] = '\0';
        return;
    }
    if ((size_t)n < room) {
        e->len += (size_t)n;
        return;
    }
    e->cut = true;
    e->len = sizeof(e->buf) - 1;
    memcpy(e->buf + sizeof(e->buf) - 4, "...", 4);
}

/* ev_sep starts a new item: "; " unless e is empty. */
static void ev_sep(struct ev *e)
{
    if (e->len > 0) {
        ev_add(e, "; ");
    }
}

/* The three outcomes a check collects evidence for, and a warning level. */
struct judge {
    struct ev fail;
    struct ev warn;
    struct ev unknown;
    struct ev ok;
    bool failed;
    bool warned;
    bool unsure;
};

static void judge_init(struct judge *j)
{
    ev_init(&j->fail);
    ev_init(&j->warn);
    ev_init(&j->unknown);
    ev_init(&j->ok);
    j->failed = false;
    j->warned = false;
    j->unsure = false;
}

/* judge_fail / judge_warn / judge_unknown / judge_ok return the buffer to
 * write the next item to (separator added). */
static struct ev *judge_fail(struct judge *j)
{
    j->failed = true;
    ev_sep(&j->fail);
    return &j->fail;
}

static struct ev *judge_warn(struct judge *j)
{
    j->warned = true;
    ev_sep(&j->warn);
    return &j->warn;
}

static struct ev *judge_unknown(struct judge *j)
{
    j->unsure = true;
    ev_sep(&j->unknown);
    return &j->unknown;
}

static struct ev *judge_ok(struct judge *j)
{
    ev_sep(&j->ok);
    return &j->ok;
}

/* judge_end picks the verdict (fail > inconclusive > warn > pass) and its
 * evidence; a failure also mentions what could not be determined. */
static enum verdict judge_end(struct judge *j, char *out, size_t out_size)
{
    if (j->failed) {
        if (j->unsure) {
            ev_add(&j->fail, " (not determined: %s)", j->unknown.buf);
        }
        util_copy(out, out_size, j->fail.buf);
        return VERDICT_FAIL;
    }
    if (j->unsure) {
        util_copy(out, out_size, j->unknown.buf);
        return VERDICT_INCONCLUSIVE;
    }
    if (j->warned) {
        util_copy(out, out_size, j->warn.buf);
        return VERDICT_WARN;
    }
    util_copy(out, out_size, j->ok.buf);
    return VERDICT_PASS;
}

/* ---- versions and suites ---------------------------------------------------- */

#define SRC_ENUM "enumeration"
#define SRC_GNUTLS "GnuTLS handshake"

/* What is known about one protocol version. */
struct vview {
    enum probe_state state; /* ACCEPTED, REFUSED or INCONCLUSIVE (also: not tested) */
    const char *source;
    const char *why; /* INCONCLUSIVE: why */
};

static const struct version_fact *eval_gnutls(const struct target_result *r, enum wire_version v)
{
    if (v < WV_TLS10) {
        return NULL; /* GnuTLS speaks neither SSLv2 nor SSLv3 */
    }
    return &r->versions[PV_TLS10 + (v - WV_TLS10)];
}

/* eval_version: acceptance seen by either source is acceptance (the
 * server did answer with that version). Otherwise an inconclusive answer
 * from either source keeps the version undetermined: a refusal from the
 * other one does not override it, since the two probes offer different
 * hellos and a hostile answer (a malformed ServerHello, an unoffered
 * choice) to one of them is no refusal. Refused needs every source that
 * answered to have refused. */
static void eval_version(const struct target_result *r, enum wire_version v, struct vview *out)
{
    const struct version_fact *g = eval_gnutls(r, v);
    const struct enum_version_fact *e =
        r->enumeration.collected ? &r->enumeration.versions[v] : NULL;
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

/* The suites known to be accepted under one version. */
struct vsuites {
    const struct enum_suite *list; /* the enumeration's, when it saw the version */
    size_t n_list;
    uint32_t extra; /* the GnuTLS handshake's suite when the list lacks it */
    bool has_extra;
    bool complete;   /* every accepted suite is known */
    const char *why; /* !complete: why */
};

static void eval_suites(const struct target_result *r, enum wire_version v, const struct vview *vv,
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
    bool listed = r->enumeration.collected && e->state == PROBE_ACCEPTED;
    if (listed) {
        out->list = e->suites;
        out->n_list = e->n_suites;
        out->complete = !e->incomplete;
        out->why = e->incomplete_why[0] != '\0' ? e->incomplete_why : "enumeration incomplete";
    } else if (!r->enumeration.collected) {
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

static size_t vs_count(const struct vsuites *s)
{
    return s->n_list + (s->has_extra ? 1 : 0);
}

static uint32_t vs_code(const struct vsuites *s, size_t i)
{
    return i < s->n_list ? s->list[i].code : s->extra;
}

/* vs_kx_bits: the key-exchange size seen with suite i (0: unknown). */
static int vs_kx_bits(const struct target_result *r, enum wire_version v, const struct vsuites *s,
                      size_t i)
{
    if (i < s->n_list) {
        return s->list[i].kx_bits;
    }
    const struct version_fact *g = eval_gnutls(r, v);
    return g != NULL ? g->dh_bits : 0;
}

/* eval_suite_name writes the IANA name of code (or its hex value). */
static const char *eval_suite_name(uint32_t code, char *buf, size_t buf_size)
{
    const struct suite_info *s = registry_suite_by_code(code);
    if (s != NULL) {
        return s->iana_name;
    }
    snprintf(buf, buf_size, code > 0xFFFF ? "0x%06X" : "0x%04X", (unsigned)code);
    return buf;
}

static void ev_suites(struct ev *e, const struct vsuites *s)
{
    char hex[16];
    for (size_t i = 0; i < vs_count(s); i++) {
        ev_add(e, "%s%s", i ? ", " : "", eval_suite_name(vs_code(s, i), hex, sizeof(hex)));
    }
}

/* ev_version_accepted: "TLS 1.0 accepted (enumeration); suites: A, B". */
static void ev_version_accepted(struct ev *e, const struct target_result *r, enum wire_version v,
                                const struct vview *vv)
{
    struct vsuites s;
    eval_suites(r, v, vv, &s);
    ev_add(e, "%s accepted (%s)", wire_version_name(v), vv->source);
    if (vs_count(&s) > 0) {
        ev_add(e, "; suite%s: ", vs_count(&s) == 1 ? "" : "s");
        ev_suites(e, &s);
    }
}

/* ---- protocol checks -------------------------------------------------------- */

static void check_protocols_not(const struct target_result *r, unsigned forbidden, bool allowlist,
                                struct judge *j)
{
    for (unsigned v = 0; v < WV_COUNT; v++) {
        struct vview vv;
        eval_version(r, (enum wire_version)v, &vv);
        bool bad = (forbidden & (1u << v)) != 0;
        if (!bad) {
            if (vv.state == PROBE_ACCEPTED) {
                ev_add(judge_ok(j), "%s accepted (%s)", wire_version_name((enum wire_version)v),
                       vv.source);
            }
            continue;
        }
        switch (vv.state) {
        case PROBE_ACCEPTED:
            ev_version_accepted(judge_fail(j), r, (enum wire_version)v, &vv);
            if (allowlist) {
                ev_add(&j->fail, " (not allowed)");
            }
            break;
        case PROBE_REFUSED:
            ev_add(judge_ok(j), "%s refused (%s)", wire_version_name((enum wire_version)v),
                   vv.source);
            break;
        default:
            ev_add(judge_unknown(j), "%s not determined: %s",
                   wire_version_name((enum wire_version)v), vv.why);
            break;
        }
    }
}

static void check_protocols_required(const struct target_result *r, unsigned required,
                                     struct judge *j)
{
    for (unsigned v = 0; v < WV_COUNT; v++) {
        if ((required & (1u << v)) == 0) {
            continue;
        }
        struct vview vv;
        eval_version(r, (enum wire_version)v, &vv);
        const char *name = wire_version_name((enum wire_version)v);
        if (vv.state == PROBE_ACCEPTED) {
            ev_add(judge_ok(j), "%s accepted (%s)", name, vv.source);
        } else if (vv.state == PROBE_REFUSED) {
            ev_add(judge_fail(j), "%s not accepted (refused: %s)", name, vv.source);
        } else {
            ev_add(judge_unknown(j), "%s not determined: %s", name, vv.why);
        }
    }
}

/* ---- suite checks ----------------------------------------------------------- */

static void check_suites_allowed(const struct target_result *r, const struct check *c,
                                 struct judge *j)
{
    char hex[16];
    for (unsigned v = 0; v < WV_COUNT; v++) {
        if ((c->suite_versions & (1u << v)) == 0) {
            continue;
        }
        const char *name = wire_version_name((enum wire_version)v);
        struct vview vv;
        struct vsuites s;
        eval_version(r, (enum wire_version)v, &vv);
        eval_suites(r, (enum wire_version)v, &vv, &s);
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

/* eval_suite_attrs: the policy language's suite attributes (policy_int.h)
 * from the registry's build-time bits (common/model/registry.h). */
static unsigned eval_suite_attrs(const struct suite_info *s)
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
    for (unsigned v = 0; v < WV_COUNT; v++) {
        const char *name = wire_version_name((enum wire_version)v);
        struct vview vv;
        struct vsuites s;
        eval_version(r, (enum wire_version)v, &vv);
        eval_suites(r, (enum wire_version)v, &vv, &s);
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
            unsigned hit = eval_suite_attrs(si) & c->attrs;
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
    g->complete = e->collected;
    g->why = e->collected ? "" : "groups not enumerated (enumeration not collected)";
    bool ecdhe12 = false;
    bool tls13 = false;
    for (size_t i = 0; e->collected && i < e->n_groups12; i++) {
        gset_add(g, e->groups12[i]);
    }
    for (size_t i = 0; e->collected && i < e->n_groups13; i++) {
        gset_add(g, e->groups13[i]);
    }
    for (unsigned v = WV_SSL3; v < WV_COUNT; v++) {
        struct vview vv;
        struct vsuites s;
        eval_version(r, (enum wire_version)v, &vv);
        eval_suites(r, (enum wire_version)v, &vv, &s);
        if (vv.state == PROBE_INCONCLUSIVE && v >= WV_TLS10 && g->complete) {
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
            ecdhe12 = ecdhe12 || (v < WV_TLS13 && si != NULL && eval_kx_is(si, eval_kx_ecdh));
        }
        tls13 = tls13 || (v == WV_TLS13 && vv.state == PROBE_ACCEPTED);
        const struct version_fact *gf = eval_gnutls(r, (enum wire_version)v);
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
    for (unsigned v = WV_SSL3; v < WV_TLS13; v++) {
        struct vview vv;
        struct vsuites s;
        eval_version(r, (enum wire_version)v, &vv);
        eval_suites(r, (enum wire_version)v, &vv, &s);
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
            int bits = vs_kx_bits(r, (enum wire_version)v, &s, i);
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
        const char *name = wire_version_name((enum wire_version)v);
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

static void check_server_order(const struct target_result *r, const struct check *c,
                               struct judge *j)
{
    if (!r->enumeration.collected) {
        ev_add(judge_unknown(j), "the server's order is not known (enumeration not collected)");
        return;
    }
    for (unsigned v = 0; v < WV_COUNT; v++) {
        if ((c->versions & (1u << v)) == 0) {
            continue;
        }
        const char *name = wire_version_name((enum wire_version)v);
        struct vview vv;
        eval_version(r, (enum wire_version)v, &vv);
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

/* ---- extensions ------------------------------------------------------------ */

/* eval_legacy: SSLv3-TLS 1.2 (where renegotiation, EMS and ETM exist):
 * ACCEPTED when one is, REFUSED when all are, else INCONCLUSIVE. */
static enum probe_state eval_legacy(const struct target_result *r)
{
    bool all_refused = true;
    for (unsigned v = WV_SSL3; v < WV_TLS13; v++) {
        struct vview vv;
        eval_version(r, (enum wire_version)v, &vv);
        if (vv.state == PROBE_ACCEPTED) {
            return PROBE_ACCEPTED;
        }
        all_refused = all_refused && vv.state == PROBE_REFUSED;
    }
    return all_refused ? PROBE_REFUSED : PROBE_INCONCLUSIVE;
}

static void check_tri(const struct target_result *r, enum fact_tri t, const char *ext,
                      const char *what_if_missing, struct judge *j)
{
    enum probe_state legacy = eval_legacy(r);
    if (legacy == PROBE_REFUSED) {
        /* Nothing before TLS 1.3: the check applies only if TLS 1.3 is
         * known to be accepted; with nothing accepted there is nothing to
         * test, which is no pass. */
        struct vview v13;
        eval_version(r, WV_TLS13, &v13);
        if (v13.state == PROBE_ACCEPTED) {
            ev_add(judge_ok(j), "not applicable: only TLS 1.3 accepted (%s is built in)", ext);
        } else if (v13.state == PROBE_REFUSED) {
            ev_add(judge_unknown(j), "%s not tested: no protocol version accepted", ext);
        } else {
            ev_add(judge_unknown(j),
                   "%s not tested: SSL 3.0-TLS 1.2 refused, TLS 1.3 not "
                   "determined: %s",
                   ext, v13.why);
        }
        return;
    }
    if (!r->enumeration.collected) {
        ev_add(judge_unknown(j), "%s not tested (enumeration not collected)", ext);
        return;
    }
    if (t == TRI_YES) {
        ev_add(judge_ok(j), "%s echoed by the server (enumeration)", ext);
    } else if (t == TRI_NO) {
        ev_add(judge_fail(j), "%s not echoed by the server (enumeration): %s", ext,
               what_if_missing);
    } else {
        ev_add(judge_unknown(j), "%s: the test gave no answer", ext);
    }
}

static void check_etm(const struct target_result *r, struct judge *j)
{
    char hex[16];
    size_t n_cbc = 0;
    bool complete = true;
    const char *why = "";
    struct ev cbc;
    ev_init(&cbc);
    for (unsigned v = WV_TLS10; v < WV_TLS13; v++) {
        struct vview vv;
        struct vsuites s;
        eval_version(r, (enum wire_version)v, &vv);
        eval_suites(r, (enum wire_version)v, &vv, &s);
        if (vv.state != PROBE_REFUSED && !s.complete && complete) {
            complete = false;
            why = s.why;
        }
        for (size_t i = 0; i < vs_count(&s); i++) {
            const struct suite_info *si = registry_suite_by_code(vs_code(&s, i));
            if (si != NULL && (si->attrs & SUITE_CBC) != 0) {
                if (n_cbc++ < 4) {
                    ev_add(&cbc, "%s%s", n_cbc > 1 ? ", " : "",
                           eval_suite_name(vs_code(&s, i), hex, sizeof(hex)));
                }
            }
        }
    }
    if (n_cbc == 0) {
        if (complete) {
            ev_add(judge_ok(j), "not applicable: no CBC suite accepted in TLS 1.0-1.2");
        } else {
            ev_add(judge_unknown(j), "CBC suites not known: %s", why);
        }
        return;
    }
    enum fact_tri t = r->enumeration.collected ? r->enumeration.encrypt_then_mac : TRI_UNKNOWN;
    if (t == TRI_YES) {
        ev_add(judge_ok(j), "encrypt_then_mac echoed with CBC suites (%zu CBC suites accepted)",
               n_cbc);
    } else if (t == TRI_NO) {
        ev_add(judge_fail(j), "%zu CBC suites accepted without encrypt_then_mac: %s%s", n_cbc,
               cbc.buf, n_cbc > 4 ? ", ..." : "");
    } else {
        ev_add(judge_unknown(j), "%zu CBC suites accepted; encrypt_then_mac not tested%s", n_cbc,
               r->enumeration.collected ? "" : " (enumeration not collected)");
    }
}

/* ---- certificates ----------------------------------------------------------- */

/* eval_cert_label: "leaf" for #0, else "certificate #N". */
static const char *eval_cert_label(size_t i, char *buf, size_t buf_size)
{
    if (i == 0) {
        return "leaf";
    }
    snprintf(buf, buf_size, "certificate #%zu", i);
    return buf;
}

static bool eval_have_certs(const struct target_result *r, struct judge *j)
{
    if (!r->chain_collected || r->n_certs == 0 || r->certs == NULL) {
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

static void check_lifetime(const struct target_result *r, const struct check *c, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    const struct cert_fact *cf = &r->certs[0];
    char issued[16];
    util_iso_date(cf->not_before, issued, sizeof(issued));
    const struct lifetime_step *step = NULL;
    for (size_t i = 0; i < c->n_steps; i++) {
        if (c->steps[i].from <= cf->not_before) {
            step = &c->steps[i];
        }
    }
    /* CA/B BR §6.3.2: the validity period includes both notBefore and notAfter. */
    int64_t period = cf->not_after >= cf->not_before ? cf->not_after - cf->not_before + 1 : 0;
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

static void check_chain(const struct target_result *r, enum check_kind k, struct judge *j)
{
    if (!r->chain_collected) {
        ev_add(judge_unknown(j), "certificate chain not collected");
        return;
    }
    const struct chain_fact *ch = &r->chain;
    switch (k) {
    case CHECK_CHAIN_TRUSTED_REQUIRED:
        if (ch->trusted) {
            ev_add(judge_ok(j), "the chain verifies to a trust anchor");
        } else {
            ev_add(judge_fail(j), "the chain does not verify to a trust anchor: %s",
                   ch->verify_text[0] != '\0' ? ch->verify_text : "not trusted");
        }
        break;
    case CHECK_CHAIN_COMPLETE_REQUIRED:
        if (ch->incomplete) {
            struct ev *e = judge_fail(j);
            ev_add(e,
                   "an issuer needed to reach a trust anchor was not sent "
                   "(%zu certificate%s served)",
                   r->n_certs, r->n_certs == 1 ? "" : "s");
            if (ch->aia_attempted) {
                ev_add(e, "; %s",
                       !ch->aia_completed ? "not completed through AIA"
                       : ch->aia_trusted  ? "completed through AIA: trusted"
                                          : "completed through AIA: not trusted");
            }
        } else {
            ev_add(judge_ok(j), "the served chain is complete (%zu certificate%s)", r->n_certs,
                   r->n_certs == 1 ? "" : "s");
        }
        break;
    case CHECK_CHAIN_ORDER_REQUIRED:
        if (ch->wrong_order) {
            ev_add(judge_fail(j), "not every certificate is followed by its issuer");
        } else {
            ev_add(judge_ok(j), "every certificate is followed by its issuer");
        }
        break;
    case CHECK_HOSTNAME_MATCH_REQUIRED:
        if (!ch->hostname_checked) {
            ev_add(judge_unknown(j), "no host name (SNI) or IP address to check the leaf against");
        } else if (ch->hostname_match) {
            ev_add(judge_ok(j), "leaf matches %s", ch->hostname);
        } else {
            ev_add(judge_fail(j), "leaf does not match %s", ch->hostname);
        }
        break;
    default:
        break;
    }
}

static void check_ocsp_staple(const struct target_result *r, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    const struct cert_fact *leaf = &r->certs[0];
    const struct chain_fact *ch = &r->chain;
    if (leaf->ocsp_urls.n_items == 0 && !leaf->must_staple) {
        ev_add(judge_ok(j), "not applicable: the leaf has no OCSP URL");
        return;
    }
    const char *url = leaf->ocsp_urls.n_items > 0 ? leaf->ocsp_urls.items[0] : "none";
    if (!ch->ocsp_staple) {
        ev_add(judge_fail(j), "no OCSP response stapled; the leaf has OCSP URL %s%s", url,
               leaf->must_staple ? " and must-staple" : "");
    } else if (strcmp(ch->ocsp_status, "good") == 0) {
        ev_add(judge_ok(j), "OCSP response stapled: good");
    } else if (strcmp(ch->ocsp_status, "unknown") == 0) {
        ev_add(judge_warn(j), "OCSP response stapled, but the responder does not know the leaf");
    } else {
        ev_add(judge_fail(j), "OCSP response stapled: %s%s%s", ch->ocsp_status,
               ch->ocsp_detail[0] != '\0' ? ": " : "", ch->ocsp_detail);
    }
}

/* check_not_revoked_staple judges from the stapled response alone: scans
 * stored before revocation was fetched (schema 1) and --offline scans. */
static void check_not_revoked_staple(const struct target_result *r, struct judge *j)
{
    const struct chain_fact *ch = &r->chain;
    if (ch->ocsp_staple && strcmp(ch->ocsp_status, "revoked") == 0) {
        ev_add(judge_fail(j), "the stapled OCSP response says the leaf is revoked%s%s",
               ch->ocsp_detail[0] != '\0' ? ": " : "", ch->ocsp_detail);
    } else if (ch->ocsp_staple && strcmp(ch->ocsp_status, "good") == 0) {
        ev_add(judge_ok(j), "the stapled OCSP response says the leaf is good");
    } else {
        ev_add(judge_unknown(j), "revocation status not known (OCSP staple: %s)",
               ch->ocsp_status[0] != '\0' ? ch->ocsp_status : "none");
    }
}

/* check_not_revoked: PCI DSS v4.0.1 Req 4.2.1 "not revoked". Any served
 * certificate found revoked (fetched OCSP/CRL, or the staple) fails; the
 * leaf must be known good (fetched, or a valid staple); an intermediate
 * that names a revocation source must be known good too. Anything else is
 * inconclusive with the reason, never a pass. */
static void check_not_revoked(const struct target_result *r, struct judge *j)
{
    if (!r->chain_collected) {
        ev_add(judge_unknown(j), "certificate chain not collected");
        return;
    }
    if (!r->revoc_collected || r->n_revoc != r->n_certs || r->n_certs == 0) {
        check_not_revoked_staple(r, j);
        return;
    }
    const struct chain_fact *ch = &r->chain;
    bool staple_good = ch->ocsp_staple && strcmp(ch->ocsp_status, "good") == 0;
    bool staple_revoked = ch->ocsp_staple && strcmp(ch->ocsp_status, "revoked") == 0;
    if (staple_revoked) {
        ev_add(judge_fail(j), "the stapled OCSP response says the leaf is revoked%s%s",
               ch->ocsp_detail[0] != '\0' ? ": " : "", ch->ocsp_detail);
    }
    for (size_t i = 0; i < r->n_revoc; i++) {
        const struct revoc_fact *f = &r->revoc[i];
        const struct cert_fact *c = &r->certs[i];
        char buf[48];
        const char *label = eval_cert_label(i, buf, sizeof(buf));
        bool has_source = c->ocsp_urls.n_items > 0 || c->crl_urls.n_items > 0;
        switch (f->status) {
        case REVOC_REVOKED:
            ev_add(judge_fail(j), "%s is revoked (%s%s%s)", label, f->detail,
                   f->url[0] != '\0' ? " from " : "", f->url);
            break;
        case REVOC_GOOD:
            ev_add(judge_ok(j), "%s not revoked (%s%s)", label, f->detail,
                   f->from_cache ? ", cached" : "");
            break;
        case REVOC_UNKNOWN:
            if (i == 0 && staple_good) {
                ev_add(judge_ok(j), "leaf: stapled OCSP response good (responder: unknown)");
            } else {
                ev_add(judge_unknown(j), "%s: the OCSP responder does not know it", label);
            }
            break;
        case REVOC_INCONCLUSIVE:
            if (i == 0 && staple_good) {
                ev_add(judge_ok(j), "leaf: stapled OCSP response good (fetch: %s)", f->detail);
            } else {
                ev_add(judge_unknown(j), "%s: %s", label, f->detail);
            }
            break;
        case REVOC_NOT_CHECKED:
            if (c->self_signed) {
                break; /* a root (or self-signed leaf) has no revocation */
            }
            if (i == 0 && staple_good) {
                ev_add(judge_ok(j), "leaf: stapled OCSP response good");
            } else if (i == 0 || has_source) {
                ev_add(judge_unknown(j), "%s: %s", label,
                       f->detail[0] != '\0' ? f->detail : "not checked");
            }
            break;
        }
    }
}

/* check_must_staple: RFC 7633 §4.2.3: a client that honours the TLS
 * feature extension rejects a handshake without the status it promises. */
static void check_must_staple(const struct target_result *r, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    const struct cert_fact *leaf = &r->certs[0];
    const struct chain_fact *ch = &r->chain;
    if (!leaf->must_staple) {
        ev_add(judge_ok(j), "not applicable: the leaf does not require stapling");
    } else if (!ch->ocsp_staple) {
        ev_add(judge_fail(j), "the leaf requires OCSP stapling (TLS feature status_request) but "
                              "the server stapled no response: clients honouring it refuse");
    } else if (strcmp(ch->ocsp_status, "good") == 0) {
        ev_add(judge_ok(j), "must-staple leaf, good OCSP response stapled");
    } else {
        ev_add(judge_fail(j), "must-staple leaf, stapled response %s%s%s", ch->ocsp_status,
               ch->ocsp_detail[0] != '\0' ? ": " : "", ch->ocsp_detail);
    }
}

/* check_hsts: RFC 6797; the header must be present, valid, and its
 * max-age at least the policy's minimum. */
static void check_hsts(const struct target_result *r, const struct check *c, struct judge *j)
{
    const struct http_fact *h = &r->http;
    if (!h->hsts_checked) {
        ev_add(judge_unknown(j), "HSTS not checked (only port 443 is asked unless the scan runs "
                                 "with --hsts; never with --offline)");
    } else if (h->hsts_error[0] != '\0') {
        ev_add(judge_unknown(j), "HTTPS request failed: %s", h->hsts_error);
    } else if (!h->hsts_present) {
        ev_add(judge_fail(j), "no Strict-Transport-Security header (HTTP status %ld)",
               h->https_status);
    } else if (!h->hsts_valid) {
        ev_add(judge_fail(j), "invalid Strict-Transport-Security header (ignored by browsers): %s",
               h->hsts_header);
    } else if (h->hsts_max_age < c->min_max_age) {
        ev_add(judge_fail(j), "HSTS max-age %lld is below %d seconds", (long long)h->hsts_max_age,
               c->min_max_age);
    } else {
        ev_add(judge_ok(j), "HSTS max-age=%lld%s%s (>= %d)", (long long)h->hsts_max_age,
               h->hsts_include_subdomains ? "; includeSubDomains" : "",
               h->hsts_preload ? "; preload" : "", c->min_max_age);
    }
}

static void check_http_redirect(const struct target_result *r, struct judge *j)
{
    const struct http_fact *h = &r->http;
    if (!h->redirect_checked) {
        ev_add(judge_unknown(j), "plain HTTP not checked (scan with --http-redirect)");
    } else if (h->redirect_error[0] != '\0') {
        ev_add(judge_unknown(j), "HTTP request to port 80 failed: %s", h->redirect_error);
    } else if (h->redirects_to_https) {
        ev_add(judge_ok(j), "HTTP %ld redirect to %s", h->http_status, h->redirect_location);
    } else {
        ev_add(judge_fail(j), "plain HTTP answers %ld without a redirect to HTTPS%s%s",
               h->http_status, h->redirect_location[0] != '\0' ? " (Location: " : "",
               h->redirect_location[0] != '\0' ? h->redirect_location : "");
        if (h->redirect_location[0] != '\0') {
            ev_add(&j->fail, ")");
        }
    }
}

/* ---- inventories (PCI DSS 4.2.1.1, 12.3.3) ------------------------------------ */

/* eval_cn returns the CN= value of an RFC 4514 name, or the whole name. */
static void eval_cn(const char *dn, char *out, size_t out_size)
{
    const char *p = dn != NULL ? strstr(dn, "CN=") : NULL;
    if (dn == NULL) {
        util_copy(out, out_size, "?");
        return;
    }
    if (p == NULL) {
        util_copy(out, out_size, dn);
        return;
    }
    p += 3;
    size_t n = 0;
    while (p[n] != '\0' && !(p[n] == ',' && (n == 0 || p[n - 1] != '\\'))) {
        n++;
    }
    if (n >= out_size) {
        n = out_size - 1;
    }
    memcpy(out, p, n);
    out[n] = '\0';
}

static void check_inventory(const struct target_result *r, const struct check *c, struct judge *j)
{
    char lbuf[40];
    char date[16];
    char cn[96];
    if (c->inventory == INVENTORY_CERTIFICATES) {
        if (!eval_have_certs(r, j)) {
            return;
        }
        struct ev *e = judge_ok(j);
        ev_add(e, "%zu certificate%s in use", r->n_certs, r->n_certs == 1 ? "" : "s");
        for (size_t i = 0; i < r->n_certs; i++) {
            const struct cert_fact *cf = &r->certs[i];
            eval_cn(cf->subject, cn, sizeof(cn));
            ev_add(e, "; %s: CN=%s, %s %d, %s, expires %s, sha256 %.16s",
                   eval_cert_label(i, lbuf, sizeof(lbuf)), cn, cf->key_type, cf->key_bits,
                   cf->sig_alg, util_iso_date(cf->not_after, date, sizeof(date)), cf->sha256);
        }
        return;
    }
    struct ev *e = judge_ok(j);
    size_t n_accepted = 0;
    for (unsigned v = 0; v < WV_COUNT; v++) {
        struct vview vv;
        struct vsuites s;
        eval_version(r, (enum wire_version)v, &vv);
        eval_suites(r, (enum wire_version)v, &vv, &s);
        const char *name = wire_version_name((enum wire_version)v);
        if (vv.state == PROBE_INCONCLUSIVE) {
            ev_add(judge_unknown(j), "%s not determined: %s", name, vv.why);
        }
        if (vv.state != PROBE_ACCEPTED) {
            continue;
        }
        if (!s.complete) {
            ev_add(judge_unknown(j), "%s: %s", name, s.why);
        }
        ev_add(e, "%s%s (%s): ", n_accepted++ ? "; " : "", name, vv.source);
        ev_suites(e, &s);
    }
    if (n_accepted == 0) {
        ev_add(e, "no protocol version accepted");
    }
}

/* ---- rules, scope and waivers ------------------------------------------------ */

static void eval_rule(const struct rule *rule, const struct target_result *r, int64_t now,
                      struct finding *out)
{
    const struct check *c = &rule->check;
    struct judge judge;
    struct judge *j = &judge;
    judge_init(j);
    switch (c->kind) {
    case CHECK_PROTOCOLS_FORBIDDEN:
        check_protocols_not(r, c->versions, false, j);
        break;
    case CHECK_PROTOCOLS_ALLOWED:
        check_protocols_not(r, ((1u << WV_COUNT) - 1) & ~c->versions, true, j);
        break;
    case CHECK_PROTOCOLS_REQUIRED:
        check_protocols_required(r, c->versions, j);
        break;
    case CHECK_SUITES_ALLOWED:
        check_suites_allowed(r, c, j);
        break;
    case CHECK_SUITES_FORBIDDEN:
        check_suites_forbidden(r, c, j);
        break;
    case CHECK_GROUPS_ALLOWED:
        check_groups(r, c, false, j);
        break;
    case CHECK_GROUPS_REQUIRED:
        check_groups(r, c, true, j);
        break;
    case CHECK_DH_MIN_BITS:
        check_kx_min(r, c, false, j);
        break;
    case CHECK_ECDH_MIN_BITS:
        check_kx_min(r, c, true, j);
        break;
    case CHECK_SERVER_ORDER_REQUIRED:
        check_server_order(r, c, j);
        break;
    case CHECK_SECURE_RENEGOTIATION_REQUIRED:
        check_tri(r, r->enumeration.secure_renegotiation, "renegotiation_info",
                  "insecure renegotiation (RFC 5746, CVE-2009-3555)", j);
        break;
    case CHECK_EXTENDED_MASTER_SECRET_REQUIRED:
        check_tri(r, r->enumeration.extended_master_secret, "extended_master_secret",
                  "no session hash (RFC 7627, triple handshake)", j);
        break;
    case CHECK_ENCRYPT_THEN_MAC_REQUIRED:
        check_etm(r, j);
        break;
    case CHECK_CERT_KEY:
        check_cert_key(r, c, j);
        break;
    case CHECK_CERT_SIGNATURE_FORBIDDEN:
        check_cert_sig(r, c, j);
        break;
    case CHECK_CERT_MAX_LIFETIME:
        check_lifetime(r, c, j);
        break;
    case CHECK_CERT_EXPIRY:
        check_expiry(r, c, j, now);
        break;
    case CHECK_CERT_SAN_REQUIRED:
        check_san(r, j);
        break;
    case CHECK_CERT_SERVER_AUTH_EKU_REQUIRED:
        check_eku(r, j);
        break;
    case CHECK_CHAIN_TRUSTED_REQUIRED:
    case CHECK_CHAIN_COMPLETE_REQUIRED:
    case CHECK_CHAIN_ORDER_REQUIRED:
    case CHECK_HOSTNAME_MATCH_REQUIRED:
        check_chain(r, c->kind, j);
        break;
    case CHECK_OCSP_STAPLE_REQUIRED:
        check_ocsp_staple(r, j);
        break;
    case CHECK_CERT_NOT_REVOKED_REQUIRED:
        check_not_revoked(r, j);
        break;
    case CHECK_MUST_STAPLE_HONOURED:
        check_must_staple(r, j);
        break;
    case CHECK_HSTS_MIN_MAX_AGE:
        check_hsts(r, c, j);
        break;
    case CHECK_HTTP_REDIRECT_REQUIRED:
        check_http_redirect(r, j);
        break;
    case CHECK_INVENTORY:
        check_inventory(r, c, j);
        break;
    case CHECK_COUNT:
        ev_add(judge_unknown(j), "no check");
        break;
    }
    out->verdict = judge_end(j, out->evidence, sizeof(out->evidence));
}

/* eval_in_scope: a rule with applies_to needs one of its tags on the target. */
static bool eval_in_scope(const struct rule *rule, const struct strlist *tags)
{
    if (rule->applies_to.n_items == 0) {
        return true;
    }
    for (size_t i = 0; tags != NULL && i < tags->n_items; i++) {
        for (size_t k = 0; k < rule->applies_to.n_items; k++) {
            if (strcmp(tags->items[i], rule->applies_to.items[k]) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* eval_waive applies the first matching waiver in force to a fail or warn. */
static void eval_waive(const struct policy *p, const char *target, int64_t now, struct finding *f)
{
    if (f->verdict != VERDICT_FAIL && f->verdict != VERDICT_WARN) {
        return;
    }
    const struct waiver *expired = NULL;
    for (size_t i = 0; i < p->n_waivers; i++) {
        const struct waiver *w = &p->waivers[i];
        if (strcmp(w->rule, f->rule_id) != 0) {
            continue;
        }
        bool match = false;
        for (size_t k = 0; k < w->targets.n_items && !match; k++) {
            match = fnmatch(w->targets.items[k], target, FNM_CASEFOLD) == 0;
        }
        if (!match) {
            continue;
        }
        if (now >= w->end) {
            expired = expired != NULL ? expired : w;
            continue;
        }
        f->verdict = VERDICT_WAIVED;
        util_copy(f->waiver_reason, sizeof(f->waiver_reason), w->justification);
        util_copy(f->waiver_owner, sizeof(f->waiver_owner), w->owner);
        util_copy(f->waiver_expires, sizeof(f->waiver_expires), w->expires);
        return;
    }
    if (expired != NULL) {
        size_t len = strlen(f->evidence);
        snprintf(f->evidence + len, sizeof(f->evidence) - len,
                 " [waiver by %s expired %s: no longer applies]", expired->owner, expired->expires);
    }
}

static int eval_push(struct finding_list *l, struct finding **out)
{
    if (l->n_items == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 32;
        struct finding *n = realloc(l->items, ncap * sizeof(*n));
        if (n == NULL) {
            return -1;
        }
        l->items = n;
        l->cap = ncap;
    }
    *out = &l->items[l->n_items++];
    memset(*out, 0, sizeof(**out));
    return 0;
}

int policy_eval(const struct policy *p, const struct target_result *r, const struct strlist *tags,
                int64_t now, struct finding_list *out)
{
    char target[320];
    const char *host = r->host != NULL ? r->host : "";
    if (strchr(host, ':') != NULL) {
        snprintf(target, sizeof(target), "[%s]:%u", host, (unsigned)r->port);
    } else {
        snprintf(target, sizeof(target), "%s:%u", host, (unsigned)r->port);
    }
    for (size_t i = 0; i < p->n_rules; i++) {
        const struct rule *rule = &p->rules[i];
        if (!eval_in_scope(rule, tags)) {
            continue;
        }
        struct finding *f = NULL;
        if (eval_push(out, &f) != 0) {
            return -1;
        }
        util_copy(f->rule_id, sizeof(f->rule_id), rule->id);
        util_copy(f->title, sizeof(f->title), rule->title);
        util_copy(f->ref, sizeof(f->ref), rule->ref);
        f->severity = rule->severity;
        eval_rule(rule, r, now, f);
        eval_waive(p, target, now, f);
    }
    return 0;
}
