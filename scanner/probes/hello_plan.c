/*
 * scanner/probes/hello_plan.c - the hellos of the extra-ClientHello probes
 * and the judging of their answers (see hello_probes.h). Pure: facts in,
 * a hello's parameters out; a first flight in, one probe_result row out.
 *
 * Invariants: a hello offers only suites the enumeration saw the server
 * accept under the version asked (so a refusal is about what the probe
 * adds, not about the suites); negative and positive need an answer the
 * parser read (a ServerHello, an alert) or, for the intolerance probes, a
 * close or reset where a ServerHello belongs; every other end (timeout,
 * garbage, a choice not offered) is could-not-test with what came back.
 */
#include "scanner/probes/hello_probes.h"

#include <stdio.h>
#include <string.h>

#include "common/util.h"

static const char *const hp_ids[HP_COUNT] = {
    [HP_COMPRESSION] = "compression",           [HP_FALLBACK_SCSV] = "fallback_scsv",
    [HP_GREASE] = "grease_intolerance",         [HP_VERSION] = "version_intolerance",
    [HP_LONG_HELLO] = "long_hello_intolerance",
};

const char *hp_id(enum hp_kind k)
{
    return k < HP_COUNT ? hp_ids[k] : "unknown";
}

/* ---- plans ------------------------------------------------------------------- */

static bool accepted(const struct enum_facts *e, enum tls_version v)
{
    return e->versions[v].state == PROBE_ACCEPTED && e->versions[v].n_suites > 0;
}

/* The highest accepted version in [lo, hi], or TLSV_COUNT. */
static enum tls_version highest_in(const struct enum_facts *e, enum tls_version lo,
                                   enum tls_version hi)
{
    for (int v = (int)hi; v >= (int)lo; v--) {
        if (accepted(e, (enum tls_version)v)) {
            return (enum tls_version)v;
        }
    }
    return TLSV_COUNT;
}

/* Appends v's accepted suites to p (each once, at most HP_MAX_SUITES). */
static void add_suites(struct hp_plan *p, const struct enum_facts *e, enum tls_version v)
{
    const struct enum_version_fact *vf = &e->versions[v];
    for (size_t i = 0; i < vf->n_suites && p->n_suites < HP_MAX_SUITES; i++) {
        bool dup = false;
        for (size_t j = 0; j < p->n_suites && !dup; j++) {
            dup = p->suites[j] == vf->suites[i].code;
        }
        if (!dup) {
            p->suites[p->n_suites++] = vf->suites[i].code;
        }
    }
}

/* The hello's defaults at version v with v's accepted suites. */
static void plan_base(struct hp_plan *p, const struct enum_facts *e, enum tls_version v,
                      const char *sni)
{
    p->wv = v;
    p->expect = v;
    add_suites(p, e, v);
    hello_params_init(&p->params, tls_version_wire(v));
    p->params.sni = sni;
}

static void plan_suites(struct hp_plan *p)
{
    p->params.suites = p->suites;
    p->params.n_suites = p->n_suites;
}

static bool refuse(enum probe_result_state st, const char *text, enum probe_result_state *out_state,
                   char *why, size_t why_len)
{
    *out_state = st;
    util_copy(why, why_len, text);
    return false;
}

/* CRIME: DEFLATE(1) then null(0) at the highest accepted SSL 3.0 .. TLS 1.2. */
static bool plan_compression(struct hp_plan *p, const struct enum_facts *e, const char *sni,
                             enum probe_result_state *st, char *why, size_t why_len)
{
    enum tls_version v = highest_in(e, TLSV_SSL3, TLSV_TLS12);
    if (v == TLSV_COUNT) {
        bool only13 = accepted(e, TLSV_TLS13);
        for (int o = TLSV_SSL3; o <= TLSV_TLS12; o++) {
            only13 = only13 && e->versions[o].state == PROBE_REFUSED;
        }
        if (only13) {
            return refuse(PR_NOT_APPLICABLE,
                          "only TLS 1.3 accepted, which has no compression (RFC 8446 §4.1.2)", st,
                          why, why_len);
        }
        return refuse(PR_COULD_NOT_TEST, "no SSL 3.0 to TLS 1.2 version found accepted", st, why,
                      why_len);
    }
    plan_base(p, e, v, sni);
    p->params.options |= HELLO_OPT_DEFLATE;
    snprintf(p->sent, sizeof(p->sent),
             "a %s ClientHello offering compression DEFLATE(1), null(0) with %zu accepted suites",
             tls_version_name(v), p->n_suites);
    return true;
}

/* RFC 7507: the SCSV at the version below the highest accepted. */
static bool plan_fallback(struct hp_plan *p, const struct enum_facts *e, const char *sni,
                          enum probe_result_state *st, char *why, size_t why_len)
{
    enum tls_version top = highest_in(e, TLSV_SSL3, TLSV_TLS13);
    enum tls_version v = top == TLSV_COUNT || top == TLSV_SSL3
                             ? TLSV_COUNT
                             : highest_in(e, TLSV_SSL3, (enum tls_version)(top - 1));
    if (top == TLSV_COUNT) {
        return refuse(PR_COULD_NOT_TEST, "no version found accepted", st, why, why_len);
    }
    if (v == TLSV_COUNT) {
        char t[FACT_TEXT];
        snprintf(t, sizeof(t), "only %s accepted: there is no lower version to fall back to",
                 tls_version_name(top));
        return refuse(PR_NOT_APPLICABLE, t, st, why, why_len);
    }
    plan_base(p, e, v, sni);
    p->highest = top;
    p->suites[p->n_suites++] = TLS_FALLBACK_SCSV;
    snprintf(p->sent, sizeof(p->sent),
             "a %s ClientHello with TLS_FALLBACK_SCSV (0x5600), the server accepting %s",
             tls_version_name(v), tls_version_name(top));
    return true;
}

/* The intolerance probes: at the highest accepted version with extensions. */
static bool plan_tolerance(struct hp_plan *p, enum hp_kind k, const struct enum_facts *e,
                           const char *sni, enum probe_result_state *st, char *why, size_t why_len)
{
    enum tls_version top = highest_in(e, TLSV_SSL3, TLSV_TLS13);
    if (top == TLSV_COUNT) {
        return refuse(PR_COULD_NOT_TEST, "no version found accepted", st, why, why_len);
    }
    if (top == TLSV_SSL3 && k != HP_VERSION) {
        return refuse(PR_NOT_APPLICABLE, "only SSL 3.0 accepted, whose hello has no extensions", st,
                      why, why_len);
    }
    plan_base(p, e, top, sni);
    p->highest = top;
    const char *vn = tls_version_name(top);
    switch (k) {
    case HP_GREASE:
        p->params.options |= HELLO_OPT_GREASE;
        snprintf(p->sent, sizeof(p->sent),
                 "a %s ClientHello with RFC 8701 GREASE values in the suites, extensions, %s", vn,
                 top == TLSV_TLS13   ? "groups, key_share, signature algorithms and "
                                       "supported_versions"
                 : top == TLSV_TLS12 ? "groups and signature algorithms"
                                     : "and groups");
        break;
    case HP_VERSION:
        if (top == TLSV_TLS13) {
            p->versions[0] = HP_FUTURE_VERSION;
            p->versions[1] = TLS_WIRE_TLS13;
            p->n_versions = 2;
            p->params.versions = p->versions;
            p->params.n_versions = p->n_versions;
            snprintf(p->sent, sizeof(p->sent),
                     "a ClientHello with supported_versions 0x%04x (unknown), 0x0304",
                     HP_FUTURE_VERSION);
        } else {
            p->params.version = TLS_WIRE_TLS13;
            snprintf(p->sent, sizeof(p->sent),
                     "a ClientHello with legacy_version 0x0304 (above %s) and no "
                     "supported_versions",
                     vn);
        }
        break;
    default:
        p->params.pad_to = HP_LONG_HELLO_LEN;
        p->params.ext |= HELLO_EXT_PADDING;
        snprintf(p->sent, sizeof(p->sent), "a %s ClientHello padded to %d bytes (RFC 7685)", vn,
                 HP_LONG_HELLO_LEN);
        break;
    }
    return true;
}

bool hp_plan_make(enum hp_kind k, const struct enum_facts *e, const char *sni, struct hp_plan *p,
                  enum probe_result_state *out_state, char *why, size_t why_len)
{
    bool ok = false;
    memset(p, 0, sizeof(*p));
    p->kind = k;
    switch (k) {
    case HP_COMPRESSION:
        ok = plan_compression(p, e, sni, out_state, why, why_len);
        break;
    case HP_FALLBACK_SCSV:
        ok = plan_fallback(p, e, sni, out_state, why, why_len);
        break;
    case HP_GREASE:
    case HP_VERSION:
    case HP_LONG_HELLO:
        ok = plan_tolerance(p, k, e, sni, out_state, why, why_len);
        break;
    case HP_COUNT:
        ok = refuse(PR_COULD_NOT_TEST, "an unknown probe", out_state, why, why_len);
        break;
    }
    if (ok) {
        plan_suites(p);
    }
    return ok;
}

/* ---- judging ----------------------------------------------------------------- */

/* What came back, in words, into got. */
static void describe_answer(const struct hello_result *res, enum net_outcome o, const char *why,
                            const struct hello_flight *f, char *got, size_t got_len)
{
    enum tls_version v;
    const char *vn = "?";
    switch (res->answer) {
    case HELLO_ANS_SERVER_HELLO:
    case HELLO_ANS_HRR:
        vn = tls_version_from_wire(res->sh.version, &v) ? tls_version_name(v) : "";
        snprintf(got, got_len, "%s version 0x%04x%s%s%s, suite 0x%04X, compression %u",
                 res->sh.hrr ? "HelloRetryRequest" : "ServerHello", res->sh.version,
                 vn[0] ? " (" : "", vn, vn[0] ? ")" : "", res->sh.suite,
                 (unsigned)res->sh.compression);
        return;
    case HELLO_ANS_ALERT:
        snprintf(got, got_len, "alert %s(%u)", hello_alert_name(res->alert.description),
                 (unsigned)res->alert.description);
        return;
    case HELLO_ANS_SSL2_SERVER_HELLO:
    case HELLO_ANS_SSL2_ERROR:
        util_copy(got, got_len, "an SSLv2 answer to a TLS hello");
        return;
    case HELLO_ANS_NONE:
        break;
    }
    if (o == NET_CLOSED && res->n_bytes == 0) {
        util_copy(got, got_len, "the connection closed without a byte");
    } else if (o == NET_CLOSED) {
        snprintf(got, got_len, "the connection closed inside the answer after %zu bytes",
                 res->n_bytes);
    } else if (o == NET_BAD_ANSWER) {
        const struct hello_error *e = hello_flight_error(f);
        snprintf(got, got_len, "an unparsable answer at byte %zu: %s", e->offset,
                 e->reason != NULL ? e->reason : "?");
    } else if (o == NET_RESET) {
        util_copy(got, got_len, "a connection reset (on the retry too)");
    } else {
        snprintf(got, got_len, "no answer: %s%s%s", net_outcome_name(o),
                 why != NULL && why[0] ? ": " : "", why != NULL ? why : "");
    }
}

static void verdict(struct hp_verdict *out, enum probe_result_state st, const char *detail)
{
    out->state = st;
    util_copy(out->detail, sizeof(out->detail), detail);
}

/* Whether the answer is a ServerHello or HRR. */
static bool is_hello(const struct hello_result *res)
{
    return res->answer == HELLO_ANS_SERVER_HELLO || res->answer == HELLO_ANS_HRR;
}

/* A choice the server made that was not offered, in words into t, or false. */
static bool unoffered(const struct hello_result *res, char *t, size_t t_len)
{
    const struct hello_server_hello *sh = &res->sh;
    if (hello_is_grease(sh->suite) || hello_is_grease(sh->version) ||
        (sh->key_share_group != 0 && hello_is_grease(sh->key_share_group)) ||
        (sh->exts & HELLO_EXT_GREASE)) {
        snprintf(t, t_len,
                 "the server chose or echoed a GREASE value (suite 0x%04X, version 0x%04x, "
                 "group 0x%04x), which RFC 8701 §3.2 forbids",
                 sh->suite, sh->version, sh->key_share_group);
        return true;
    }
    if (res->suite_not_offered || res->version_not_offered || res->group_not_offered ||
        res->compression_not_offered) {
        snprintf(t, t_len, "the server chose a %s that was not offered",
                 res->suite_not_offered     ? "suite"
                 : res->version_not_offered ? "version"
                 : res->group_not_offered   ? "group"
                                            : "compression method");
        return true;
    }
    return false;
}

static void judge_compression(const struct hp_plan *p, const struct hello_result *res,
                              struct hp_verdict *out)
{
    char t[FACT_TEXT];
    if (!is_hello(res) || res->sh.hrr) {
        verdict(out, PR_COULD_NOT_TEST, "no ServerHello to the hello offering DEFLATE");
    } else if (res->compression_not_offered) {
        snprintf(t, sizeof(t), "the server chose compression method %u, which was not offered",
                 (unsigned)res->sh.compression);
        verdict(out, PR_COULD_NOT_TEST, t);
    } else if (res->sh.compression == 1) {
        snprintf(t, sizeof(t), "DEFLATE compression negotiated under %s (CRIME, CVE-2012-4929)",
                 tls_version_name(p->wv));
        verdict(out, PR_POSITIVE, t);
    } else {
        verdict(out, PR_NEGATIVE, "null compression chosen although DEFLATE was offered");
    }
}

static void judge_fallback(const struct hp_plan *p, const struct hello_result *res,
                           struct hp_verdict *out)
{
    char t[FACT_TEXT];
    if (res->answer == HELLO_ANS_ALERT && res->alert.description == 86) {
        snprintf(t, sizeof(t),
                 "TLS_FALLBACK_SCSV honoured: inappropriate_fallback to a %s hello (RFC 7507)",
                 tls_version_name(p->wv));
        verdict(out, PR_NEGATIVE, t);
    } else if (is_hello(res) && !res->version_not_offered) {
        snprintf(t, sizeof(t),
                 "no downgrade protection: a %s hello with TLS_FALLBACK_SCSV got a ServerHello "
                 "although %s is accepted (RFC 7507 §3)",
                 tls_version_name(p->wv), tls_version_name(p->highest));
        verdict(out, PR_POSITIVE, t);
    } else if (res->answer == HELLO_ANS_ALERT) {
        verdict(out, PR_COULD_NOT_TEST, "an alert other than inappropriate_fallback (86)");
    } else {
        verdict(out, PR_COULD_NOT_TEST, "neither a ServerHello nor an alert");
    }
}

static void judge_tolerance(const struct hp_plan *p, const struct hello_result *res,
                            enum net_outcome o, struct hp_verdict *out)
{
    static const char *const what[HP_COUNT] = {
        [HP_GREASE] = "the hello with GREASE values",
        [HP_VERSION] = "the hello with an unknown higher version",
        [HP_LONG_HELLO] = "the long hello",
    };
    char t[FACT_TEXT];
    enum tls_version v;
    const char *w = what[p->kind] != NULL ? what[p->kind] : "the hello";
    if (is_hello(res)) {
        if (unoffered(res, t, sizeof(t))) {
            verdict(out,
                    hello_is_grease(res->sh.suite) || hello_is_grease(res->sh.version) ||
                            (res->sh.exts & HELLO_EXT_GREASE) ||
                            hello_is_grease(res->sh.key_share_group)
                        ? PR_POSITIVE
                        : PR_COULD_NOT_TEST,
                    t);
        } else if (res->sh.version == tls_version_wire(p->expect)) {
            snprintf(t, sizeof(t), "tolerant: %s was answered normally (%s negotiated)", w,
                     tls_version_name(p->expect));
            verdict(out, PR_NEGATIVE, t);
        } else if (tls_version_from_wire(res->sh.version, &v) && v < p->expect) {
            snprintf(t, sizeof(t), "intolerant: %s made the server negotiate %s, not %s", w,
                     tls_version_name(v), tls_version_name(p->expect));
            verdict(out, PR_POSITIVE, t);
        } else {
            snprintf(t, sizeof(t), "the server chose version 0x%04x, which no TLS defines",
                     res->sh.version);
            verdict(out, PR_COULD_NOT_TEST, t);
        }
        return;
    }
    bool refused = res->answer == HELLO_ANS_ALERT || o == NET_RESET ||
                   (o == NET_CLOSED && res->n_bytes == 0 && res->answer == HELLO_ANS_NONE);
    if (refused) {
        snprintf(t, sizeof(t), "intolerant: %s was refused although %s is accepted", w,
                 tls_version_name(p->highest));
        verdict(out, PR_POSITIVE, t);
    } else if (o == NET_TIMEOUT) {
        verdict(out, PR_COULD_NOT_TEST,
                "no answer before the timeout: a server that hangs on it cannot be told from a "
                "slow one");
    } else {
        verdict(out, PR_COULD_NOT_TEST, "neither a ServerHello nor a refusal");
    }
}

void hp_judge(const struct hp_plan *p, enum net_outcome o, const char *why, struct hello_flight *f,
              struct hp_verdict *out)
{
    char got[200];
    memset(out, 0, sizeof(*out));
    out->version = p->wv;
    if (o == NET_CLOSED) {
        (void)hello_flight_eof(f);
    }
    const struct hello_result *res = hello_flight_result(f);
    describe_answer(res, o, why, f, got, sizeof(got));
    if (is_hello(res)) {
        out->suite = res->sh.suite;
    }
    switch (p->kind) {
    case HP_COMPRESSION:
        judge_compression(p, res, out);
        break;
    case HP_FALLBACK_SCSV:
        judge_fallback(p, res, out);
        break;
    default:
        judge_tolerance(p, res, o, out);
        break;
    }
    snprintf(out->evidence, sizeof(out->evidence), "sent: %s; got: %s", p->sent, got);
}
