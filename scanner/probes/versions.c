/*
 * scanner/probes/versions.c - the "versions" probe (worker track): one
 * GnuTLS handshake per protocol version, TLS 1.3 down to TLS 1.0, each
 * offering only that version. The first accepted one (the newest) keeps
 * its certificate chain in the context for chain.c. Decides the target's
 * status: unreachable, no TLS, ok (or error / interrupted), and ends the
 * worker track when nothing else can be asked.
 */
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

/* What the walk over the versions learnt. */
struct walk {
    bool connected;
    bool any_answer; /* some version was accepted or refused */
    int n_silent;    /* versions that got no answer */
    char connect_error[FACT_TEXT];
    char last_reason[FACT_TEXT];
};

/* Marks versions from..TLSV_HS_FIRST inconclusive with why: nothing was asked. */
static void mark_rest(struct target_result *r, int from, const char *why)
{
    for (int w = from; w >= TLSV_HS_FIRST; w--) {
        r->versions[w].state = PROBE_INCONCLUSIVE;
        util_copy(r->versions[w].reason, sizeof(r->versions[w].reason), why);
    }
}

static void interrupted(struct target_result *r)
{
    r->status = TARGET_INTERRUPTED;
    util_copy(r->error, sizeof(r->error), "scan interrupted");
}

/* Asks every version in turn into c->r and w. Returns 1 to go on to the
 * verdict, 0 when the track ends here (the status is set). */
static int ask_versions(struct probe_ctx *c, struct walk *w)
{
    struct target_result *r = c->r;
    const struct target_addr *a = c->addr;
    for (int v = TLSV_TLS13; v >= TLSV_HS_FIRST; v--) {
        if (probe_stopping(c->o)) {
            interrupted(r);
            return 0;
        }
        struct version_fact *vf = &r->versions[v];
        int tmo = probe_handshake_timeout(c);
        if (tmo == 0) {
            /* Inconclusive, never "refused": nothing was asked. */
            mark_rest(r, v, PROBE_NOT_TESTED_BUDGET);
            c->out_of_time = true;
            break;
        }
        enum hs_result hr =
            handshake_probe((const struct sockaddr *)&a->sa, a->sa_len, &c->hso,
                            (enum tls_version)v, tmo, vf, c->have_chain ? NULL : &c->cap);
        if (probe_stopping(c->o)) {
            /* The probe may have been cut short: this target is unfinished. */
            interrupted(r);
            return 0;
        }
        if (hr == HS_CONNECT_FAILED) {
            util_copy(w->connect_error, sizeof(w->connect_error), vf->reason);
            if (!w->connected) {
                /* Nothing listens (or answers) there: do not try the other
                 * versions against a dead address. */
                break;
            }
            continue;
        }
        if (hr == HS_LOCAL_ERROR) {
            r->status = TARGET_ERROR;
            util_copy(r->error, sizeof(r->error), vf->reason);
            return 0;
        }
        w->connected = true;
        if (vf->state == PROBE_INCONCLUSIVE) {
            util_copy(w->last_reason, sizeof(w->last_reason), vf->reason);
            if (!w->any_answer && ++w->n_silent == 2 && v > TLSV_HS_FIRST) {
                /* TLS 1.3 and 1.2 both went unanswered (after a retry
                 * each): do not wait for the older versions too. */
                mark_rest(r, v - 1, "not tried: the server answered no newer version");
                break;
            }
        } else {
            w->any_answer = true;
        }
        if (vf->state == PROBE_ACCEPTED) {
            c->any_accepted = true;
            if (!c->have_chain && c->cap.n_certs > 0) {
                c->have_chain = true;
            }
        }
    }
    return 1;
}

enum probe_step probe_versions_run(struct probe_ctx *c)
{
    struct target_result *r = c->r;
    struct walk w = {0};
    if (ask_versions(c, &w) == 0) {
        return PROBE_END_TRACK;
    }
    if (!w.connected) {
        r->status = TARGET_UNREACHABLE;
        for (int v = TLSV_HS_FIRST; v < TLSV_COUNT; v++) {
            memset(&r->versions[v], 0, sizeof(r->versions[v]));
        }
        util_copy(r->error, sizeof(r->error), w.connect_error);
        return PROBE_END_TRACK;
    }
    if (!w.any_answer) {
        /* Connections were accepted but no handshake got an answer: a
         * silent (or dying) server, not one that refuses TLS. */
        r->status = TARGET_UNREACHABLE;
        char text[FACT_TEXT + 32]; /* cut to FACT_TEXT by util_copy, as every fact text */
        snprintf(text, sizeof(text), "no answer to any handshake (%s)", w.last_reason);
        util_copy(r->error, sizeof(r->error), text);
        return PROBE_END_TRACK;
    }
    r->status = c->any_accepted ? TARGET_OK : TARGET_NO_TLS;
    if (!c->any_accepted) {
        util_copy(r->error, sizeof(r->error), "no protocol version accepted");
    }
    return PROBE_NEXT;
}
