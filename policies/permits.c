/*
 * policies/permits.c - what a policy's version and suite rules allow, asked
 * of one version or one (version, suite), without a target's facts.
 *
 * Pipeline position: a loaded policy (policy_int.h) -> reports/simulate.c,
 * which removes from a stored server everything the policy forbids
 * (`tlsaudit simulate --policy P`) before simulating the clients again.
 *
 * The rules asked are the ones that forbid a version or a suite outright:
 * protocols_forbidden, protocols_allowed, suites_allowed (per version, a
 * version without a list is not restricted) and suites_forbidden
 * (attributes, minimum strength), each only when in scope for the target's
 * tags. Waivers are not applied: the question is "the server as it would be
 * after removing everything P forbids". Other checks (groups, DH sizes,
 * certificates) do not remove a version or a suite and are not asked.
 */
#include <stdio.h>
#include <string.h>

#include "common/model/registry.h"
#include "policies/policy.h"
#include "policies/policy_int.h"

static void permits_why(char *why, size_t why_len, const struct rule *r)
{
    if (why != NULL && why_len > 0) {
        snprintf(why, why_len, "%s (%s)", r->id, policy_check_name(r->check.kind));
    }
}

bool policy_permits_version(const struct policy *p, const struct strlist *tags, enum tls_version v,
                            char *why, size_t why_len)
{
    for (size_t i = 0; i < p->n_rules; i++) {
        const struct rule *r = &p->rules[i];
        if (!eval_in_scope(r, tags)) {
            continue;
        }
        bool listed = (r->check.versions & TLSV_BIT(v)) != 0;
        if ((r->check.kind == CHECK_PROTOCOLS_FORBIDDEN && listed) ||
            (r->check.kind == CHECK_PROTOCOLS_ALLOWED && !listed)) {
            permits_why(why, why_len, r);
            return false;
        }
    }
    return true;
}

/* permits_listed: suites_allowed's list for v has code (or v has no list). */
static bool permits_listed(const struct check *c, enum tls_version v, uint32_t code)
{
    if ((c->suite_versions & TLSV_BIT(v)) == 0) {
        return true;
    }
    for (size_t k = 0; k < c->n_suites[v]; k++) {
        if (c->suites[v][k] == code) {
            return true;
        }
    }
    return false;
}

bool policy_permits_suite(const struct policy *p, const struct strlist *tags, enum tls_version v,
                          uint32_t code, char *why, size_t why_len)
{
    if (!policy_permits_version(p, tags, v, why, why_len)) {
        return false;
    }
    const struct suite_info *si = registry_suite_by_code(code);
    for (size_t i = 0; i < p->n_rules; i++) {
        const struct rule *r = &p->rules[i];
        if (!eval_in_scope(r, tags)) {
            continue;
        }
        const struct check *c = &r->check;
        bool forbidden = false;
        if (c->kind == CHECK_SUITES_ALLOWED) {
            forbidden = !permits_listed(c, v, code);
        } else if (c->kind == CHECK_SUITES_FORBIDDEN) {
            /* a suite the registry does not know is judged inconclusive by
             * the check; here it is kept (nothing says it is forbidden) */
            forbidden = si != NULL && ((check_suite_attrs(si) & c->attrs) != 0 ||
                                       (c->min_bits > 0 && si->strength < c->min_bits));
        }
        if (forbidden) {
            permits_why(why, why_len, r);
            return false;
        }
    }
    return true;
}
