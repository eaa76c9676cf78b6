/*
 * scanner/enum/kx12.c - the TLS 1.2 groups and signature schemes found by
 * one elimination for both (each signed ECDHE answer names both), started
 * at the TLS 1.2 chain's first signed ECDHE pick, alongside the chains.
 */
#include "scanner/enum/enum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* Queues a T_KX12 probe: ECDHE suites with groups (gdone: the whole list)
 * and signature schemes (sdone: the whole list). */
bool enum_spawn_kx(struct job *j, const uint32_t *suites, size_t n_suites, const uint16_t *groups,
                   size_t n_groups, bool gdone, const uint16_t *schemes, size_t n_schemes,
                   bool sdone)
{
    if (j->silent || j->out_of_time) {
        return false;
    }
    struct task *t = enum_task_new(j, T_KX12, TLSV_TLS12, suites, n_suites, groups, n_groups);
    if (t == NULL) {
        return false;
    }
    t->list2 = malloc((n_schemes ? n_schemes : 1) * sizeof(*t->list2));
    if (t->list2 == NULL) {
        enum_task_free(t);
        return false;
    }
    if (n_schemes) {
        memcpy(t->list2, schemes, n_schemes * sizeof(*schemes));
    }
    t->n_list2 = n_schemes;
    t->gdone = gdone;
    t->sdone = sdone;
    return enum_task_submit(t) == 0;
}

/* One side of a T_KX12 pick: records and drops v, or, when v was not
 * offered, notes the anomaly. Returns whether that side is finished. */
static bool kx_side(struct job *j, uint16_t *list, size_t *n, bool group, uint16_t v)
{
    if (!enum_list_drop(list, n, v)) {
        enum_not_offered(j, group, v);
        return true;
    }
    (void)enum_list_append(group ? &j->out->groups12 : &j->out->sigalgs12,
                           group ? &j->out->n_groups12 : &j->out->n_sigalgs12, v);
    return *n == 0;
}

/* TLS 1.2 groups and signature schemes by one elimination: every signed
 * ECDHE answer names both, so each probe drops the group and the scheme
 * the server chose. A refusal means that one of the two lists ran out,
 * but not which: the two go on separately from there, each with the other
 * list offered whole. A side that ran out alone ends at its refusal. */
void enum_on_kx(struct task *t, enum answer a, const struct hello_result *res)
{
    struct job *j = t->job;
    uint16_t all[ENUM_MAX_LIST];
    bool gdone = t->gdone, sdone = t->sdone;
    if (a == ANS_PICK) {
        if (!res->have_ske || res->ske.ec_curve_type != 3 || !res->ske.has_signature) {
            return; /* only signed ECDHE suites were offered: nothing to learn */
        }
        if (!gdone) {
            gdone = kx_side(j, t->list, &t->n_list, true, res->ske.ec_group);
        }
        if (!sdone) {
            sdone = kx_side(j, t->list2, &t->n_list2, false, res->ske.sig_scheme);
        }
        if (gdone && sdone) {
            return;
        }
        if (gdone && !t->gdone) {
            (void)enum_spawn_kx(j, t->suites, t->n_suites, all,
                                enum_groups_of_kind(all, ENUM_MAX_LIST, false), true, t->list2,
                                t->n_list2, false);
        } else if (sdone && !t->sdone) {
            (void)enum_spawn_kx(j, t->suites, t->n_suites, t->list, t->n_list, false, all,
                                enum_sigschemes_all(all, ENUM_MAX_LIST), true);
        } else {
            (void)enum_spawn_kx(j, t->suites, t->n_suites, t->list, t->n_list, gdone, t->list2,
                                t->n_list2, sdone);
        }
        return;
    }
    if (!gdone && !sdone) {
        uint16_t all2[ENUM_MAX_LIST];
        (void)enum_spawn_kx(j, t->suites, t->n_suites, all,
                            enum_groups_of_kind(all, ENUM_MAX_LIST, false), true, t->list2,
                            t->n_list2, false);
        (void)enum_spawn_kx(j, t->suites, t->n_suites, t->list, t->n_list, false, all2,
                            enum_sigschemes_all(all2, ENUM_MAX_LIST), true);
    }
}

/* The TLS 1.2 group and signature-scheme eliminations need only one suite
 * of a kind the server accepts, not the whole list: they start at the
 * discovery chain's first such pick and run alongside the chains, so that
 * the scan's longest sequence of probes is the TLS 1.2 chain alone. They
 * offer every registry suite of that kind; the server picks among the ones
 * it accepts, as it would among the accepted ones (enum_start_extras). A pick
 * proves TLS 1.2 accepted, so TLS 1.2 is the version enum_start_extras would
 * choose too. */
void enum_early_extras(struct job *j, uint32_t pick)
{
    const struct suite_info *p = registry_suite_by_code(pick);
    uint32_t s[ENUM_MAX_LIST];
    uint16_t l[ENUM_MAX_LIST];
    if (p == NULL || j->silent || j->out_of_time || j->extras_started) {
        return;
    }
    if (!j->groups12_started && !j->sigalgs12_started && enum_is_ecdhe_signed(p)) {
        uint16_t l2[ENUM_MAX_LIST];
        size_t n = enum_candidates_where(TLSV_TLS12, enum_is_ecdhe_signed, s, ENUM_MAX_LIST);
        bool ok = enum_spawn_kx(j, s, n, l, enum_groups_of_kind(l, ENUM_MAX_LIST, false), false, l2,
                                enum_sigschemes_all(l2, ENUM_MAX_LIST), false);
        j->groups12_started = j->sigalgs12_started = ok;
    }
}
