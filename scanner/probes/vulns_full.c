/*
 * scanner/probes/vulns_full.c - the vulnerability and behaviour probes
 * that need complete GnuTLS handshakes (worker track, after the other
 * worker rows; each needs an accepted version): client-initiated
 * renegotiation, session resumption by id and by ticket, TLS 1.3 early
 * data, and Ticketbleed. The sessions themselves are scanner/hs_session.c;
 * this file picks the version, takes the timeout from the target's budget
 * and records one probe_result row per question (docs/ARCHITECTURE.md
 * lists the connections each one opens).
 *
 * States: a row is could-not-test when the sessions gave no evidence
 * (timeout, reset, a failed first handshake), not-applicable when the
 * version it is about was not accepted, and never negative without an
 * answer from the server.
 */
#include <stdio.h>

#include "common/util.h"
#include "scanner/hs_session.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

/* The newest version from..TLSV_HS_FIRST the GnuTLS handshakes accepted,
 * or TLSV_COUNT when none. */
static enum tls_version newest_from(const struct target_result *r, enum tls_version from)
{
    for (int v = (int)from; v >= TLSV_HS_FIRST; v--) {
        if (r->versions[v].state == PROBE_ACCEPTED) {
            return (enum tls_version)v;
        }
    }
    return TLSV_COUNT;
}

/* The time one session test may take: its connections share it (n of
 * them; probe_handshake_timeout leaves at least half the budget, so two
 * fit). 0 when the budget is spent (the row then says so). */
static int session_timeout(struct probe_ctx *c, int n)
{
    int t = probe_handshake_timeout(c);
    if (t == 0) {
        c->out_of_time = true;
    }
    return t * (n > 1 ? 2 : 1);
}

/* The evidence of out: what it said and how many connections it took. */
static void evidence(const struct hs_sess_out *out, char *buf, size_t len)
{
    snprintf(buf, len, "%s (%u connection%s)", out->why, out->n_conns,
             out->n_conns == 1 ? "" : "s");
}

/* Records the rows an out of no evidence gets; true when out was one. */
static bool record_no_evidence(struct probe_ctx *c, const char *id, enum tls_version v,
                               const struct hs_sess_out *out)
{
    char ev[FACT_TEXT + 32];
    evidence(out, ev, sizeof(ev));
    switch (out->state) {
    case HS_SESS_STOPPED:
        probe_record(c, id, v, 0, PR_COULD_NOT_TEST, "interrupted", ev);
        return true;
    case HS_SESS_UNKNOWN:
        probe_record(c, id, v, 0, PR_COULD_NOT_TEST, out->why, ev);
        return true;
    default:
        return false;
    }
}

enum probe_step probe_client_renegotiation_run(struct probe_ctx *c)
{
    static const char id[] = "client_renegotiation";
    enum tls_version v = newest_from(c->r, TLSV_TLS12);
    if (v == TLSV_COUNT) {
        probe_record(c, id, PROBE_NO_VERSION, 0, PR_NOT_APPLICABLE,
                     "no version before TLS 1.3 accepted (TLS 1.3 has no renegotiation)", NULL);
        return PROBE_NEXT;
    }
    int tmo = session_timeout(c, 1);
    if (tmo == 0) {
        probe_record(c, id, v, 0, PR_COULD_NOT_TEST, PROBE_NOT_TESTED_BUDGET, NULL);
        return PROBE_NEXT;
    }
    const struct sockaddr *sa = (const struct sockaddr *)&c->addr->sa;
    struct hs_sess_out out;
    (void)hs_renegotiate(sa, c->addr->sa_len, &c->hso, v, tmo, &out);
    if (record_no_evidence(c, id, v, &out)) {
        return PROBE_NEXT;
    }
    char ev[FACT_TEXT + 32];
    evidence(&out, ev, sizeof(ev));
    if (out.state == HS_SESS_YES && !out.secure) {
        probe_record(c, id, v, 0, PR_POSITIVE,
                     "accepted, insecure: client-initiated renegotiation without RFC 5746 "
                     "(CVE-2009-3555)",
                     ev);
    } else if (out.state == HS_SESS_YES) {
        /* Not CVE-2009-3555; still a handshake any client can make the
         * server repeat (the DoS vector testssl.sh reports). */
        probe_record(c, id, v, 0, PR_NEGATIVE,
                     "accepted, secure (RFC 5746): not CVE-2009-3555, but a client can make the "
                     "server renegotiate at will (a DoS vector)",
                     ev);
    } else {
        probe_record(c, id, v, 0, PR_NEGATIVE, "refused", ev);
    }
    return PROBE_NEXT;
}

/* One resumption row: by ticket (ticket) or by session id, at version v. */
static void resumption(struct probe_ctx *c, const char *id, enum tls_version v, bool ticket)
{
    int tmo = session_timeout(c, 2);
    if (tmo == 0) {
        probe_record(c, id, v, 0, PR_COULD_NOT_TEST, PROBE_NOT_TESTED_BUDGET, NULL);
        return;
    }
    const struct sockaddr *sa = (const struct sockaddr *)&c->addr->sa;
    struct hs_sess_out out;
    (void)hs_resume(sa, c->addr->sa_len, &c->hso, v, ticket, tmo, &out);
    if (record_no_evidence(c, id, v, &out)) {
        return;
    }
    char ev[FACT_TEXT + 32];
    evidence(&out, ev, sizeof(ev));
    const char *what = out.state == HS_SESS_YES ? "supported" : "not supported";
    char detail[96];
    snprintf(detail, sizeof(detail), "%s (%s%s)", what, tls_version_name(v),
             !ticket           ? ", session id"
             : v == TLSV_TLS13 ? ", PSK ticket"
                               : ", session ticket");
    probe_record(c, id, v, 0, PR_INFO, detail, ev);
}

enum probe_step probe_resumption_id_run(struct probe_ctx *c)
{
    enum tls_version v = newest_from(c->r, TLSV_TLS12);
    if (v == TLSV_COUNT) {
        probe_record(c, "resumption_id", PROBE_NO_VERSION, 0, PR_NOT_APPLICABLE,
                     "no version before TLS 1.3 accepted (TLS 1.3 resumes by ticket only)", NULL);
        return PROBE_NEXT;
    }
    resumption(c, "resumption_id", v, false);
    return PROBE_NEXT;
}

enum probe_step probe_resumption_ticket_run(struct probe_ctx *c)
{
    enum tls_version v12 = newest_from(c->r, TLSV_TLS12);
    bool has13 = c->r->versions[TLSV_TLS13].state == PROBE_ACCEPTED;
    if (v12 != TLSV_COUNT) {
        resumption(c, "resumption_ticket", v12, true);
    }
    if (has13 && !probe_stopping(c->o)) {
        resumption(c, "resumption_ticket", TLSV_TLS13, true);
    }
    return PROBE_NEXT;
}

enum probe_step probe_early_data_run(struct probe_ctx *c)
{
    static const char id[] = "early_data";
    if (c->r->versions[TLSV_TLS13].state != PROBE_ACCEPTED) {
        probe_record(c, id, PROBE_NO_VERSION, 0, PR_NOT_APPLICABLE,
                     "TLS 1.3 not accepted (early data is TLS 1.3 only)", NULL);
        return PROBE_NEXT;
    }
    int tmo = session_timeout(c, 2);
    if (tmo == 0) {
        probe_record(c, id, TLSV_TLS13, 0, PR_COULD_NOT_TEST, PROBE_NOT_TESTED_BUDGET, NULL);
        return PROBE_NEXT;
    }
    const struct sockaddr *sa = (const struct sockaddr *)&c->addr->sa;
    struct hs_sess_out out;
    (void)hs_early_data(sa, c->addr->sa_len, &c->hso, tmo, &out);
    if (record_no_evidence(c, id, TLSV_TLS13, &out)) {
        return PROBE_NEXT;
    }
    char ev[FACT_TEXT + 32];
    evidence(&out, ev, sizeof(ev));
    if (out.state == HS_SESS_YES) {
        probe_record(c, id, TLSV_TLS13, 0, PR_POSITIVE,
                     "accepted: 0-RTT data can be replayed (RFC 8446 §8)", ev);
    } else {
        probe_record(c, id, TLSV_TLS13, 0, PR_NEGATIVE,
                     out.state == HS_SESS_NA ? "no TLS 1.3 ticket, so no early data" : "rejected",
                     ev);
    }
    return PROBE_NEXT;
}

enum probe_step probe_ticketbleed_run(struct probe_ctx *c)
{
    static const char id[] = "ticketbleed";
    enum tls_version v = newest_from(c->r, TLSV_TLS12);
    if (v == TLSV_COUNT) {
        probe_record(c, id, PROBE_NO_VERSION, 0, PR_NOT_APPLICABLE,
                     "no version before TLS 1.3 accepted (Ticketbleed is a TLS 1.2 ticket bug)",
                     NULL);
        return PROBE_NEXT;
    }
    int tmo = session_timeout(c, 2);
    if (tmo == 0) {
        probe_record(c, id, v, 0, PR_COULD_NOT_TEST, PROBE_NOT_TESTED_BUDGET, NULL);
        return PROBE_NEXT;
    }
    const struct sockaddr *sa = (const struct sockaddr *)&c->addr->sa;
    struct hs_sess_out out;
    (void)hs_ticketbleed(sa, c->addr->sa_len, &c->hso, v, tmo, &out);
    if (record_no_evidence(c, id, v, &out)) {
        return PROBE_NEXT;
    }
    char ev[FACT_TEXT + 32];
    evidence(&out, ev, sizeof(ev));
    switch (out.state) {
    case HS_SESS_YES:
        probe_record(c, id, v, 0, PR_POSITIVE,
                     "vulnerable: the echoed session id carries server memory (CVE-2016-9244)", ev);
        break;
    case HS_SESS_NA:
        probe_record(c, id, v, 0, PR_NOT_APPLICABLE, "no session ticket issued", ev);
        break;
    default:
        probe_record(c, id, v, 0, PR_NEGATIVE, "the session id was echoed as sent", ev);
        break;
    }
    return PROBE_NEXT;
}
