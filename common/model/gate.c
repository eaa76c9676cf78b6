/*
 * common/model/gate.c - a target's verdict for a policy at a gate
 * (common/model/gate.h).
 */
#include "common/model/gate.h"

#include <string.h>

static const char *const tv_names[TV_COUNT] = {
    [TV_NOT_EVALUATED] = "not-evaluated",
    [TV_COMPLIANT] = "compliant",
    [TV_NOT_DEMONSTRATED] = "not-demonstrated",
    [TV_NON_COMPLIANT] = "non-compliant",
};

static const char *const tv_labels[TV_COUNT] = {
    [TV_NOT_EVALUATED] = "not evaluated",
    [TV_COMPLIANT] = "pass",
    [TV_NOT_DEMONSTRATED] = "not demonstrated",
    [TV_NON_COMPLIANT] = "fail",
};

const char *target_verdict_name(enum target_verdict v)
{
    return (unsigned)v < TV_COUNT ? tv_names[v] : "?";
}

const char *target_verdict_label(enum target_verdict v)
{
    return (unsigned)v < TV_COUNT ? tv_labels[v] : "?";
}

bool target_verdict_parse(const char *name, enum target_verdict *out)
{
    for (int i = 0; name != NULL && i < TV_COUNT; i++) {
        if (strcmp(name, tv_names[i]) == 0) {
            *out = (enum target_verdict)i;
            return true;
        }
    }
    return false;
}

bool gate_blocks(const struct gate *g, enum verdict v, enum severity s)
{
    return v == VERDICT_FAIL && s >= g->fail_on;
}

bool gate_undemonstrated(const struct gate *g, enum verdict v, enum severity s)
{
    return v == VERDICT_INCONCLUSIVE && s >= g->fail_on;
}

bool gate_fails_ci(const struct gate *g, enum verdict v, enum severity s)
{
    return gate_blocks(g, v, s) || (g->fail_on_inconclusive && gate_undemonstrated(g, v, s));
}

enum target_verdict target_verdict_worst(enum target_verdict a, enum target_verdict b)
{
    return a > b ? a : b;
}

enum target_verdict gate_step(enum target_verdict acc, const struct gate *g, enum verdict v,
                              enum severity s)
{
    enum target_verdict here = gate_blocks(g, v, s)           ? TV_NON_COMPLIANT
                               : gate_undemonstrated(g, v, s) ? TV_NOT_DEMONSTRATED
                                                              : TV_COMPLIANT;
    return target_verdict_worst(acc, here);
}

bool gate_exit_fails(const struct gate *g, enum target_verdict v)
{
    return v == TV_NON_COMPLIANT || (g->fail_on_inconclusive && v == TV_NOT_DEMONSTRATED);
}
