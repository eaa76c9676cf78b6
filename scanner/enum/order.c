/*
 * scanner/enum/order.c - the server's order (see enum.h): two offers with
 * different first suites say whether the server or the client decides; the
 * server's order is the discovery chain's (one bundle) or an elimination
 * over the accepted suites.
 */
#include "scanner/enum/enum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static int cmp_rank(const void *a, const void *b)
{
    const struct enum_suite *x = a, *y = b;
    int rx = x->server_rank < 0 ? 1 << 30 : x->server_rank;
    int ry = y->server_rank < 0 ? 1 << 30 : y->server_rank;
    return (rx > ry) - (rx < ry);
}

void enum_version_final(struct job *j, enum tls_version wv)
{
    struct vstate *vs = &j->vs[wv];
    struct enum_version_fact *vf = &j->out->versions[wv];
    if (vs->done) {
        return;
    }
    vs->done = true;
    if (vf->order == ORDER_SERVER) {
        qsort(vf->suites, vf->n_suites, sizeof(*vf->suites), cmp_rank);
    }
    enum_phase_after_suites(j, wv);
}

/* Offers the accepted suites not ranked yet, in discovery order. */
static void order_elim_next(struct job *j, enum tls_version wv)
{
    struct enum_version_fact *vf = &j->out->versions[wv];
    uint32_t rest[ENUM_MAX_LIST];
    size_t n = 0;
    for (size_t i = 0; i < vf->n_suites && n < ENUM_MAX_LIST; i++) {
        if (vf->suites[i].server_rank < 0) {
            rest[n++] = vf->suites[i].code;
        }
    }
    if (n == 1) {
        enum_find_suite(vf, rest[0])->server_rank = j->vs[wv].next_rank++;
        n = 0;
    }
    if (n == 0 || !enum_spawn_x(j, T_ORDER_ELIM, wv, rest, n, NULL, 0, j->vs[wv].ffdhe_found)) {
        enum_version_final(j, wv);
    }
}

void enum_on_order(struct task *t, enum answer a, const struct hello_result *res, const char *why)
{
    struct job *j = t->job;
    struct vstate *vs = &j->vs[t->wv];
    struct enum_version_fact *vf = &j->out->versions[t->wv];
    uint32_t pick = a == ANS_PICK ? res->sh.suite : 0;
    if (t->kind == T_ORDER_ELIM) {
        struct enum_suite *s = a == ANS_PICK ? enum_find_suite(vf, pick) : NULL;
        if (s == NULL || s->server_rank >= 0) {
            /* Refused an offer of suites it accepted one by one, or answered
             * with something else: the order is known only this far. */
            vf->incomplete = true;
            enum_note(vf->incomplete_why, sizeof(vf->incomplete_why),
                      a == ANS_PICK ? "server order: unexpected pick" : why);
            enum_version_final(j, t->wv);
            return;
        }
        s->server_rank = vs->next_rank++;
        order_elim_next(j, t->wv);
        return;
    }
    if (t->kind == T_ORDER_FWD) {
        vs->order_fwd = pick;
    } else {
        vs->order_rev = pick;
    }
    if (++vs->order_answers < 2) {
        return;
    }
    uint32_t first_fwd = vf->suites[0].code;
    uint32_t first_rev = vs->rev_first;
    if (vs->order_fwd != 0 && vs->order_fwd == vs->order_rev) {
        vf->order = ORDER_SERVER;
        if (vs->single_bundle && vs->order_fwd == first_fwd) {
            /* One bundle held every candidate, so each pick of the
             * discovery chain was the server's favourite among all it had
             * left: the discovery order is the server's order. */
            for (size_t i = 0; i < vf->n_suites; i++) {
                vf->suites[i].server_rank = (int)i;
            }
            enum_version_final(j, t->wv);
            return;
        }
        enum_find_suite(vf, vs->order_fwd)->server_rank = vs->next_rank++;
        order_elim_next(j, t->wv);
        return;
    }
    if (vs->order_fwd == first_fwd && vs->order_rev == first_rev) {
        vf->order = ORDER_CLIENT;
    } else {
        vf->order = ORDER_UNKNOWN;
        if (vs->order_fwd == 0 || vs->order_rev == 0) {
            vf->incomplete = true;
            enum_note(vf->incomplete_why, sizeof(vf->incomplete_why), why);
        }
    }
    enum_version_final(j, t->wv);
}

/* Starts the order phase of wv (two or more accepted suites). */
void enum_order_start(struct job *j, enum tls_version wv)
{
    struct vstate *vs = &j->vs[wv];
    struct enum_version_fact *vf = &j->out->versions[wv];
    /* Two offers with different first suites, both holding every accepted
     * suite: a server that decides picks the same suite from both; one
     * that follows the client picks each offer's first. The reversed offer
     * starts, where possible, with a suite the server signs nothing for, so
     * that a client-order server answers it cheaply. */
    uint32_t fwd[ENUM_MAX_LIST], rev[ENUM_MAX_LIST];
    size_t n = vf->n_suites < ENUM_MAX_LIST ? vf->n_suites : ENUM_MAX_LIST;
    for (size_t i = 0; i < n; i++) {
        fwd[i] = vf->suites[i].code;
        rev[n - 1 - i] = vf->suites[i].code;
    }
    for (size_t i = 0; i + 1 < n; i++) {
        if (enum_is_unsigned_kx(rev[i])) {
            uint32_t c = rev[i];
            memmove(&rev[1], &rev[0], i * sizeof(*rev));
            rev[0] = c;
            break;
        }
    }
    vs->rev_first = rev[0];
    bool ok = true;
    if (vs->single_bundle) {
        /* The chain's first probe offered every candidate (registry
         * order) and got fwd[0]: that was the forward offer already. */
        vs->order_fwd = fwd[0];
        vs->order_answers = 1;
    } else {
        ok = enum_spawn_x(j, T_ORDER_FWD, wv, fwd, n, NULL, 0, vs->ffdhe_found);
    }
    ok = enum_spawn_x(j, T_ORDER_REV, wv, rev, n, NULL, 0, vs->ffdhe_found) && ok;
    if (!ok) {
        enum_version_final(j, wv);
    }
}
