/*
 * reports/diff_findings.c - the policy side of the diff (reports/diff.h):
 * which policies were evaluated over both scans, and per paired target the
 * findings that newly fail, no longer fail or changed verdict, and each
 * policy's verdict on the target at the gate stored with its run (the
 * verdict `report` gives, report_run_verdict); also the per-policy counts
 * and verdicts `tlsaudit history` prints.
 *
 * Pipeline position: diff_compute (reports/diff.c) -> [diff_split_policies,
 * diff_cmp_findings] -> entries in the model; reports/history.c ->
 * [diff_policy_counts].
 *
 * Invariants: of each policy only the newest run in a scan counts; findings
 * are matched by (policy id, rule id) on the paired target. Reads its
 * inputs only; every string in an entry is a copy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/diff_private.h"

const struct store_run *diff_newest_run(const struct report_data *d, const char *policy_id)
{
    const struct store_run *found = NULL;
    for (size_t i = 0; i < d->n_runs; i++) {
        if (d->runs[i].policy_id != NULL && strcmp(d->runs[i].policy_id, policy_id) == 0) {
            found = &d->runs[i];
        }
    }
    return found;
}

size_t diff_policy_counts(const struct report_data *d, size_t t, struct diff_policy_counts *out,
                          size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_runs && n < cap; i++) {
        const char *pid = d->runs[i].policy_id;
        bool seen = false;
        for (size_t k = 0; k < n; k++) {
            seen = seen || strcmp(out[k].policy_id, pid) == 0;
        }
        if (pid == NULL || seen) {
            continue;
        }
        const struct store_run *run = diff_newest_run(d, pid);
        struct diff_policy_counts *c = &out[n];
        memset(c, 0, sizeof(*c));
        c->policy_id = pid;
        c->gate = run->gate;
        c->verdict = report_run_verdict(run, d->target_ids[t]);
        size_t total = 0;
        for (size_t k = 0; k < run->n_findings; k++) {
            const struct store_finding_row *f = &run->findings[k];
            if (f->target_id != d->target_ids[t] || f->verdict == NULL) {
                continue;
            }
            total++;
            enum verdict v;
            size_t *count[VERDICT_COUNT] = {[VERDICT_FAIL] = &c->n_fail,
                                            [VERDICT_WARN] = &c->n_warn,
                                            [VERDICT_INCONCLUSIVE] = &c->n_inconclusive,
                                            [VERDICT_WAIVED] = &c->n_waived,
                                            [VERDICT_PASS] = &c->n_pass};
            if (verdict_parse(f->verdict, &v)) {
                (*count[v])++;
            }
        }
        if (total > 0) {
            n++;
        }
    }
    return n;
}

/* find_rule returns the finding of rule_id on target tid in run, or NULL. */
static const struct store_finding_row *find_rule(const struct store_run *run, int64_t tid,
                                                 const char *rule_id)
{
    for (size_t i = 0; i < run->n_findings; i++) {
        const struct store_finding_row *f = &run->findings[i];
        if (f->target_id == tid && f->rule_id != NULL && strcmp(f->rule_id, rule_id) == 0) {
            return f;
        }
    }
    return NULL;
}

static bool is_fail(const struct store_finding_row *f)
{
    return f != NULL && verdict_is(f->verdict, VERDICT_FAIL);
}

/* n_failing counts the findings of target tid in run that fail (at any
 * severity: the detail of a verdict change). */
static size_t n_failing(const struct store_run *run, int64_t tid)
{
    size_t n = 0;
    for (size_t i = 0; i < run->n_findings; i++) {
        n += run->findings[i].target_id == tid && is_fail(&run->findings[i]);
    }
    return n;
}

/* gate_text writes the gate g as its options ("--fail-on high", with
 * " --fail-on-inconclusive" when set) into buf. */
static const char *gate_text(const struct gate *g, char *buf, size_t len)
{
    snprintf(buf, len, "--fail-on %s%s", severity_name(g->fail_on),
             g->fail_on_inconclusive ? " --fail-on-inconclusive" : "");
    return buf;
}

/* verdict_entry adds the change of policy pid's verdict on the target, each
 * side at the gate stored with its run; worse when B's is worse. */
static void verdict_entry(struct diff_build *c, size_t t, const char *pid,
                          const struct store_run *run_a, int64_t tid_a,
                          const struct store_run *run_b, int64_t tid_b)
{
    enum target_verdict va = report_run_verdict(run_a, tid_a);
    enum target_verdict vb = report_run_verdict(run_b, tid_b);
    if (va == TV_NOT_EVALUATED || vb == TV_NOT_EVALUATED || va == vb) {
        return;
    }
    struct diff_entry *e = diff_add_entry(c, DIFF_POLICY_VERDICT, t, vb > va);
    if (e == NULL) {
        return;
    }
    size_t nfa = n_failing(run_a, tid_a), nfb = n_failing(run_b, tid_b);
    char ga[64], gb[64];
    gate_text(&run_a->gate, ga, sizeof(ga));
    gate_text(&run_b->gate, gb, sizeof(gb));
    e->policy_id = diff_dup_str(c, pid);
    e->before = diff_dup_str(c, target_verdict_name(va));
    e->after = diff_dup_str(c, target_verdict_name(vb));
    if (strcmp(ga, gb) == 0) {
        e->detail = diff_fmt_str(c, "at %s; %zu failing rule%s before, %zu now", gb, nfa,
                                 nfa == 1 ? "" : "s", nfb);
    } else {
        e->detail = diff_fmt_str(c, "before at %s, now at %s; %zu failing rule%s before, %zu now",
                                 ga, gb, nfa, nfa == 1 ? "" : "s", nfb);
    }
}

/* fails_gate: finding f fails at gate g (a fail at or above its severity;
 * a severity that does not parse counts as failing, never as harmless). */
static bool fails_gate(const struct store_finding_row *f, const struct gate *g)
{
    enum severity sev;
    return is_fail(f) && (f->severity == NULL || !severity_parse(f->severity, &sev) ||
                          gate_blocks(g, VERDICT_FAIL, sev));
}

/* finding_entry adds a change of one rule's finding; worse: it newly fails
 * at the gate stored with B's run. */
static void finding_entry(struct diff_build *c, size_t t, enum diff_kind k, const char *pid,
                          const struct store_finding_row *fa, const struct store_finding_row *fb,
                          bool worse)
{
    const struct store_finding_row *f = fb != NULL ? fb : fa;
    struct diff_entry *e = diff_add_entry(c, k, t, worse);
    if (e == NULL) {
        return;
    }
    e->policy_id = diff_dup_str(c, pid);
    e->rule_id = diff_dup_str(c, f->rule_id);
    e->name = diff_dup_str(c, f->title);
    e->severity = diff_dup_str(c, f->severity);
    e->before = diff_dup_str(c, fa != NULL ? fa->verdict : NULL);
    e->after = diff_dup_str(c, fb != NULL ? fb->verdict : NULL);
    e->detail = diff_dup_str(c, f->evidence);
}

/* not_evaluated_entry adds, when the side that was scanned has failing
 * findings, that they were not evaluated on the other: a target that did
 * not answer keeps its failures unknown (not resolved), and one that
 * answers again has nothing to compare them with (not new). */
static void not_evaluated_entry(struct diff_build *c, size_t t, const char *pid,
                                const struct store_run *run_a, int64_t tid_a,
                                const struct store_run *run_b, int64_t tid_b, bool scanned_a)
{
    size_t n = scanned_a ? n_failing(run_a, tid_a) : n_failing(run_b, tid_b);
    if (n == 0) {
        return;
    }
    struct diff_entry *e = diff_add_entry(c, DIFF_NOT_EVALUATED, t, false);
    if (e == NULL) {
        return;
    }
    e->policy_id = diff_dup_str(c, pid);
    e->before = diff_dup_str(c, scanned_a ? target_verdict_name(report_run_verdict(run_a, tid_a))
                                          : target_verdict_name(TV_NOT_EVALUATED));
    e->after = diff_dup_str(c, scanned_a ? target_verdict_name(TV_NOT_EVALUATED)
                                         : target_verdict_name(report_run_verdict(run_b, tid_b)));
    e->detail = diff_fmt_str(c,
                             scanned_a ? "%zu failing rule%s of scan %lld not evaluated now (the "
                                         "target was not scanned), not resolved"
                                       : "%zu failing rule%s now, not compared: scan %lld did "
                                         "not scan the target",
                             n, n == 1 ? "" : "s", (long long)c->d->scan_a);
}

void diff_cmp_findings(struct diff_build *c, size_t t, int64_t tid_a, int64_t tid_b, bool scanned_a,
                       bool scanned_b)
{
    const struct strlist *pols = &c->d->policies_compared;
    for (size_t p = 0; p < pols->n_items && !c->oom; p++) {
        const char *pid = pols->items[p];
        const struct store_run *run_a = diff_newest_run(c->a, pid);
        const struct store_run *run_b = diff_newest_run(c->b, pid);
        if (!scanned_a || !scanned_b) {
            if (scanned_a || scanned_b) {
                not_evaluated_entry(c, t, pid, run_a, tid_a, run_b, tid_b, scanned_a);
            }
            continue;
        }
        for (size_t i = 0; i < run_b->n_findings; i++) {
            const struct store_finding_row *fb = &run_b->findings[i];
            if (fb->target_id != tid_b || fb->rule_id == NULL) {
                continue;
            }
            const struct store_finding_row *fa = find_rule(run_a, tid_a, fb->rule_id);
            if (is_fail(fb) && !is_fail(fa)) {
                finding_entry(c, t, DIFF_FINDING_NEW, pid, fa, fb, fails_gate(fb, &run_b->gate));
            } else if (is_fail(fa) && !is_fail(fb)) {
                finding_entry(c, t, DIFF_FINDING_RESOLVED, pid, fa, fb, false);
            } else if (fa != NULL && fa->verdict != NULL && fb->verdict != NULL &&
                       strcmp(fa->verdict, fb->verdict) != 0) {
                finding_entry(c, t, DIFF_FINDING_CHANGED, pid, fa, fb, false);
            }
        }
        /* A rule that failed in A and has no finding in B (removed from the
         * policy, or out of scope now) no longer fails. */
        for (size_t i = 0; i < run_a->n_findings; i++) {
            const struct store_finding_row *fa = &run_a->findings[i];
            if (fa->target_id == tid_a && fa->rule_id != NULL && is_fail(fa) &&
                find_rule(run_b, tid_b, fa->rule_id) == NULL) {
                finding_entry(c, t, DIFF_FINDING_RESOLVED, pid, fa, NULL, false);
            }
        }
        verdict_entry(c, t, pid, run_a, tid_a, run_b, tid_b);
    }
}

static bool in_list(const struct strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n_items; i++) {
        if (strcmp(l->items[i], s) == 0) {
            return true;
        }
    }
    return false;
}

void diff_split_policies(struct diff_build *c)
{
    struct diff *d = c->d;
    for (size_t i = 0; i < c->b->n_runs && !c->oom; i++) {
        const char *pid = c->b->runs[i].policy_id;
        if (pid == NULL || in_list(&d->policies_compared, pid) ||
            in_list(&d->policies_only_b, pid)) {
            continue;
        }
        struct strlist *to =
            diff_newest_run(c->a, pid) != NULL ? &d->policies_compared : &d->policies_only_b;
        if (strlist_add(to, pid) != 0) {
            c->oom = true;
        }
    }
    for (size_t i = 0; i < c->a->n_runs && !c->oom; i++) {
        const char *pid = c->a->runs[i].policy_id;
        if (pid == NULL || in_list(&d->policies_compared, pid) ||
            in_list(&d->policies_only_a, pid)) {
            continue;
        }
        if (strlist_add(&d->policies_only_a, pid) != 0) {
            c->oom = true;
        }
    }
}
