/*
 * scanner/enum/lists.c - elimination over a list of groups or signature
 * schemes (TLS 1.2 groups, TLS 1.2 signature schemes, TLS 1.3 groups by
 * HelloRetryRequest): record the server's choice, drop it, offer the rest.
 */
#include "scanner/enum/enum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* Removes v from list; false when it was not there. */
bool enum_list_drop(uint16_t *list, size_t *n, uint16_t v)
{
    for (size_t i = 0; i < *n; i++) {
        if (list[i] == v) {
            memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof(*list));
            (*n)--;
            return true;
        }
    }
    return false;
}

/* Appends v to a list of the server's choices; false when out of memory. */
bool enum_list_append(uint16_t **dst, size_t *n_dst, uint16_t v)
{
    uint16_t *grown = realloc(*dst, (*n_dst + 1) * sizeof(**dst));
    if (grown == NULL) {
        return false;
    }
    *dst = grown;
    (*dst)[(*n_dst)++] = v;
    return true;
}

/* A group or signature scheme the server chose without its being offered. */
void enum_not_offered(struct job *j, bool group, uint16_t v)
{
    char what[96];
    snprintf(what, sizeof(what), "server chose %s 0x%04x that was not offered",
             group ? "group" : "signature scheme", v);
    enum_anomaly(j, what);
}

/* Elimination over a list (groups or signature schemes): record the
 * server's choice, drop it, offer the rest. */
void enum_on_list(struct task *t, enum answer a, const struct hello_result *res)
{
    struct job *j = t->job;
    struct enum_facts *e = j->out;
    uint16_t choice = 0;
    if (a == ANS_PICK) {
        if (t->kind == T_GROUPS13) {
            choice = res->sh.key_share_group;
        } else if (t->kind == T_GROUPS12 && res->have_ske && res->ske.ec_curve_type == 3) {
            choice = res->ske.ec_group;
        } else if (t->kind == T_SIGALGS12 && res->have_ske && res->ske.has_signature) {
            choice = res->ske.sig_scheme;
        }
    }
    if (choice == 0) {
        return; /* refused, or nothing more to learn */
    }
    if (!enum_list_drop(t->list, &t->n_list, choice)) {
        enum_not_offered(j, t->kind != T_SIGALGS12, choice);
        return;
    }
    uint16_t **dst = t->kind == T_GROUPS12   ? &e->groups12
                     : t->kind == T_GROUPS13 ? &e->groups13
                                             : &e->sigalgs12;
    size_t *n_dst = t->kind == T_GROUPS12   ? &e->n_groups12
                    : t->kind == T_GROUPS13 ? &e->n_groups13
                                            : &e->n_sigalgs12;
    if (enum_list_append(dst, n_dst, choice) && t->n_list > 0) {
        enum_spawn(j, t->kind, t->wv, t->suites, t->n_suites, t->list, t->n_list);
    }
}
