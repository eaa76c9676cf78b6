/*
 * policies/eval.c - policy_eval: every rule of a loaded policy against the
 * facts of one target (common/model/facts.h), one finding per rule in scope.
 *
 * Where it sits: store/scan -> struct target_result -> [eval] -> findings
 * -> store and reports. Pure computation: no I/O, no allocation except the
 * finding list.
 *
 * Each rule's check is judged by its eval function in the table of
 * checks (policies/checks/table.c, one file per family); this file keeps
 * what is common to every rule: scope, verdict, waivers.
 *
 * Invariants:
 * - "pass" needs the facts: a check whose fact was not collected (no
 *   enumeration, no certificates, a version whose probe was inconclusive,
 *   an enumeration marked incomplete, an extension test that gave no
 *   answer) is "inconclusive" unless a fact that was collected already
 *   fails it. A failure seen in partial facts is still a failure (every
 *   check file keeps this).
 * - A waiver turns "fail", "warn" or "inconclusive" into "waived" only
 *   while it is in force (now before the end of its `expires` day, UTC)
 *   and its pattern matches "host:port"; an expired one is named in the
 *   evidence and changes nothing. A waived inconclusive finding says so in
 *   its evidence ("[inconclusive, waived]"): what was accepted is that the
 *   rule cannot be demonstrated (e.g. an internal PKI with no reachable
 *   revocation source), not that it was shown to hold.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "policies/policy.h"
#include "policies/policy_int.h"
#include "policies/checks/checks.h"

/* ---- rules, scope and waivers ------------------------------------------------ */

static void eval_rule(const struct rule *rule, const struct target_result *r, int64_t now,
                      struct finding *out)
{
    const struct check *c = &rule->check;
    struct judge j;
    judge_init(&j);
    if ((unsigned)c->kind < CHECK_COUNT && check_table[c->kind].per_deployment) {
        eval_each_deployment(r, c, now, &j, check_table[c->kind].eval);
    } else if ((unsigned)c->kind < CHECK_COUNT) {
        check_table[c->kind].eval(r, c, now, &j);
    } else {
        ev_add(judge_unknown(&j), "no check");
    }
    out->verdict = judge_end(&j, out->evidence, sizeof(out->evidence));
}

/* eval_in_scope: a rule with applies_to needs one of its tags on the target. */
bool eval_in_scope(const struct rule *rule, const struct strlist *tags)
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

/* eval_waive applies the first matching waiver in force to a fail, warn
 * or inconclusive finding. */
static void eval_waive(const struct policy *p, const char *target, int64_t now, struct finding *f)
{
    if (f->verdict != VERDICT_FAIL && f->verdict != VERDICT_WARN &&
        f->verdict != VERDICT_INCONCLUSIVE) {
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
        if (f->verdict == VERDICT_INCONCLUSIVE) {
            size_t len = strlen(f->evidence);
            snprintf(f->evidence + len, sizeof(f->evidence) - len, " [inconclusive, waived]");
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
