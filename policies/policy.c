/*
 * policies/policy.c - the small parts of policies/policy.h: finding lists,
 * and the read-only accessors over a loaded policy (policy_int.h) that `tlsaudit policies show` and
 * the reports use.
 *
 * Invariant: a finding_list has n_items <= cap and owns items.
 */
#include <stdlib.h>

#include "policies/policy.h"
#include "policies/policy_int.h"

void finding_list_init(struct finding_list *l)
{
    l->items = NULL;
    l->n_items = 0;
    l->cap = 0;
}

void finding_list_cleanup(struct finding_list *l)
{
    free(l->items);
    finding_list_init(l);
}

bool finding_list_fails(const struct finding_list *l, enum severity min)
{
    for (size_t i = 0; i < l->n_items; i++) {
        if (l->items[i].verdict == VERDICT_FAIL && l->items[i].severity >= min) {
            return true;
        }
    }
    return false;
}

/* ---- ownership ------------------------------------------------------------- */

void policy_rule_cleanup(struct rule *r)
{
    strlist_cleanup(&r->applies_to);
    for (unsigned v = 0; v < TLSV_COUNT; v++) {
        free(r->check.suites[v]);
        r->check.suites[v] = NULL;
        r->check.n_suites[v] = 0;
    }
    free(r->params);
    r->params = NULL;
}

void policy_waiver_cleanup(struct waiver *w)
{
    strlist_cleanup(&w->targets);
    free(w->where);
    w->where = NULL;
}

void policy_free(struct policy *p)
{
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < p->n_rules; i++) {
        policy_rule_cleanup(&p->rules[i]);
    }
    free(p->rules);
    for (size_t i = 0; i < p->n_waivers; i++) {
        policy_waiver_cleanup(&p->waivers[i]);
    }
    free(p->waivers);
    strlist_cleanup(&p->sources);
    free(p->path);
    free(p);
}

/* ---- accessors ------------------------------------------------------------- */

const char *policy_id(const struct policy *p)
{
    return p->id;
}

const char *policy_title(const struct policy *p)
{
    return p->title;
}

const char *policy_version(const struct policy *p)
{
    return p->version;
}

const char *policy_sha256(const struct policy *p)
{
    return p->sha256;
}

const char *policy_path(const struct policy *p)
{
    return p->path;
}

const char *policy_extends(const struct policy *p)
{
    return p->extends;
}

const struct strlist *policy_sources(const struct policy *p)
{
    return &p->sources;
}

size_t policy_n_rules(const struct policy *p)
{
    return p->n_rules;
}

bool policy_rule_at(const struct policy *p, size_t i, struct policy_rule_info *out)
{
    if (i >= p->n_rules) {
        return false;
    }
    const struct rule *r = &p->rules[i];
    out->id = r->id;
    out->title = r->title;
    out->ref = r->ref;
    out->severity = r->severity;
    out->check = policy_check_name(r->check.kind);
    out->params = r->params != NULL ? r->params : "";
    out->applies_to = &r->applies_to;
    return true;
}

size_t policy_n_waivers(const struct policy *p)
{
    return p->n_waivers;
}

bool policy_waiver_at(const struct policy *p, size_t i, struct policy_waiver_info *out)
{
    if (i >= p->n_waivers) {
        return false;
    }
    const struct waiver *w = &p->waivers[i];
    out->rule = w->rule;
    out->targets = &w->targets;
    out->justification = w->justification;
    out->owner = w->owner;
    out->expires = w->expires;
    return true;
}
