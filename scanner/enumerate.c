/*
 * scanner/enumerate.c - complete enumeration with raw ClientHellos (see
 * enumerate.h).
 *
 * A job (one target) runs tasks; a task is one probe: a hello built from
 * its offer, and a first-flight parser for the answer. Phases per version:
 *   1. SUITES: the version's registry suites cut into bundles, one chain
 *      of probes per bundle; each answer's suite is recorded and dropped
 *      from the bundle, which is offered again until the server refuses.
 *      A bundle answered by a reset, silence or garbage is split in two
 *      (servers that choke on long hellos) down to ENUM_MIN_SPLIT suites;
 *      after a timeout only once per version (the halves of a timed-out
 *      bundle are not split again: a slow server would otherwise cost a
 *      timeout per split).
 *      TLS 1.0-1.2 suite probes offer EC groups only; when the chains end,
 *      one more chain offers the DHE suites not accepted yet with the RFC
 *      7919 FFDHE groups too (enum/ffdhe.c).
 *   2. ORDER (two or more suites): two offers of the accepted suites with
 *      different first suites (forward, and reversed with, where possible,
 *      a suite the server signs nothing for first); the same pick both
 *      ways means the server decides. With one bundle, the chain's first
 *      probe (every candidate, registry order) is the forward offer, and
 *      the chain's picks are already the server's order; otherwise both
 *      offers are probed and an elimination chain over the accepted
 *      suites yields the order.
 * The TLS 1.2 ECDHE groups and signature schemes are found by one
 * elimination (each signed ECDHE answer names both: enum/kx12.c), started as
 * soon as the TLS 1.2 chain picks a signed ECDHE suite (enum_early_extras),
 * alongside the chains. After the last version (enum/extras.c): those two
 * for the newest pre-1.3 version accepted if they have not started, TLS 1.3
 * groups by
 * HelloRetryRequest elimination, and one probe for echoed extensions plus
 * one with CBC suites only for encrypt_then_mac. Where the choice does not
 * change what is learnt, probes offer the suites that cost a server least
 * (no signature, ECDHE before DHE): a single-process server's CPU is what
 * bounds a scan's wall time.
 *
 * A job may have a deadline (the target's time budget, enforced by the
 * probe loop for the job's group): from the first probe that ends with
 * NET_EXPIRED on, nothing new is queued, and what was not finished is
 * recorded as inconclusive (a version with no suite yet) or incomplete (an
 * accepted one), with the reason; enum_facts.budget_ran_out says so.
 *
 * This file is the driver: it starts every version (enum_start), hands
 * each finished probe to its part (enum_task_done) and ends the job; the
 * parts are in scanner/enum/ (see scanner/enum/enum.h for which is where).
 *
 * Invariant: job->pending counts the job's probes queued or in flight;
 * when it drops to zero no phase can start any more and the job ends.
 */
#include "scanner/enumerate.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "scanner/enum/enum.h"

void enum_task_done(void *ctx, enum net_outcome o, const char *pwhy)
{
    struct task *t = ctx;
    struct job *j = t->job;
    const struct hello_result *res = NULL;
    char why[FACT_TEXT] = "";
    enum answer a =
        t->flight_ready ? enum_classify(t, o, pwhy, &res, why, sizeof(why)) : ANS_INCONCLUSIVE;
    if (!t->flight_ready) {
        util_copy(why, sizeof(why), "parser could not be set up");
    }
    t->outcome = o;
    if (a == ANS_PICK) {
        enum_collect_kex(j, t->wv, res);
    }
    if (o == NET_TIMEOUT || o == NET_CONNECT_FAILED) {
        /* Old-format hellos (SSLv2, SSLv3) may go unanswered by servers
         * that answer TLS: only TLS hellos count towards "silent". */
        if (t->wv >= TLSV_TLS10) {
            j->n_timeouts++;
        }
    } else if (o == NET_EXPIRED) {
        /* The loop ends every other probe of the job the same way. */
        j->out_of_time = true;
        j->out->budget_ran_out = true;
    } else if (o != NET_CANCELLED && o != NET_LOCAL_ERROR) {
        j->any_answer = true;
    }
    if (!j->any_answer && !j->silent && j->n_timeouts >= 2) {
        /* Two TLS probes timed out (each after a retry) or could not
         * connect, and nothing ever answered: stop queueing work for this
         * server. */
        j->silent = true;
        net_cancel_queued(j->loop, j->group);
    }
    switch (t->kind) {
    case T_SUITES:
    case T_SSL2:
        enum_on_suites(t, a, res, why);
        if (j->vs[t->wv].bundles_left == 0) {
            enum_suites_finished(j, t->wv);
        }
        break;
    case T_ORDER_FWD:
    case T_ORDER_REV:
    case T_ORDER_ELIM:
        enum_on_order(t, a, res, why);
        break;
    case T_GROUPS12:
    case T_GROUPS13:
    case T_SIGALGS12:
        enum_on_list(t, a, res);
        break;
    case T_KX12:
        enum_on_kx(t, a, res);
        break;
    case T_EXTS:
    case T_ETM:
        enum_on_exts(t, a, res);
        break;
    }
    j->pending--;
    enum_task_free(t);
    enum_job_maybe_finish(j);
}

static bool all_versions_done(const struct job *j)
{
    for (int v = 0; v < TLSV_COUNT; v++) {
        if (!j->vs[v].done) {
            return false;
        }
    }
    return true;
}

void enum_phase_after_suites(struct job *j, enum tls_version wv)
{
    (void)wv;
    if (!j->extras_started && all_versions_done(j)) {
        enum_start_extras(j);
    }
}

void enum_job_maybe_finish(struct job *j)
{
    if (j->pending > 0) {
        return;
    }
    /* Versions whose work could not be queued end here. */
    for (int v = 0; v < TLSV_COUNT; v++) {
        j->vs[v].done = true;
    }
    if (!j->extras_started) {
        enum_start_extras(j);
        if (j->pending > 0) {
            return;
        }
    }
    enum_facts_settle(j->out);
    fact_mark(&j->out->header, true);
    fact_mark(&j->out->kex.header, true);
    /* The group's deadline has nothing left to end; a passing deadline
     * costs the loop a walk of its queue. */
    int rc = net_group_deadline(j->loop, j->group, 0);
    (void)rc;
    void (*cb)(void *) = j->on_done;
    void *arg = j->arg;
    free(j->sni);
    free(j);
    cb(arg);
}

/* Makes a job (its probes queued with net_submit); NULL when out of
 * memory. */
struct job *enum_job_new(struct net_loop *l, unsigned group, const struct sockaddr_storage *sa,
                         socklen_t sa_len, const char *sni, struct enum_facts *out,
                         void (*on_done)(void *arg), void *arg)
{
    struct job *j = calloc(1, sizeof(*j));
    if (j == NULL) {
        return NULL;
    }
    j->loop = l;
    j->group = group;
    j->sa = *sa;
    j->sa_len = sa_len;
    j->sni = sni ? strdup(sni) : NULL;
    j->out = out;
    j->on_done = on_done;
    j->arg = arg;
    j->submit = net_submit;
    if (sni != NULL && j->sni == NULL) {
        free(j);
        return NULL;
    }
    return j;
}

int enum_start(struct net_loop *l, unsigned group, const struct sockaddr_storage *sa,
               socklen_t sa_len, const char *sni, const struct net_dialogue *dialogue,
               int64_t deadline_ms, struct enum_facts *out, void (*on_done)(void *arg), void *arg)
{
    if (net_group_deadline(l, group, deadline_ms) != 0) {
        return -1;
    }
    struct job *j = enum_job_new(l, group, sa, sa_len, sni, out, on_done, arg);
    if (j == NULL) {
        return -1;
    }
    j->dialogue = dialogue;
    /* Hold the job open while the first probes are queued. */
    j->pending = 1;
    for (int v = 0; v < TLSV_COUNT; v++) {
        enum_start_version(j, (enum tls_version)v);
    }
    j->pending--;
    if (j->pending == 0 && out->n_probes == 0) {
        free(j->sni);
        free(j);
        return -1;
    }
    enum_job_maybe_finish(j);
    return 0;
}
