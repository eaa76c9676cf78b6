/*
 * policies/checks/deployments.c - every certificate deployment judged by a
 * certificate, chain or revocation check (cert.c, chain.c, revocation.c).
 *
 * A server that serves several chains (common/model/facts.h: deployment 0
 * and target_result.deployments) passes such a rule only when every chain
 * passes: each deployment is judged on its own, through a view of the
 * target whose certificates, chain and revocation are that deployment's,
 * and its evidence is kept under its name ("ECDSA deployment: leaf
 * expired ..."); the verdict is the worst of them (judge.c's order). A
 * server with one chain is judged exactly as before, without a name.
 *
 * Where it sits: check_table (table.c) -> eval_* -> [here] -> the check.
 */
#include "policies/checks/checks.h"

/* Adds from's text to the pile to, under the deployment's name. */
static void keep(struct ev *to, const struct ev *from, const char *label)
{
    ev_add(to, "%s deployment: %s", label, from->buf);
}

void eval_each_deployment(const struct target_result *r, const struct check *c, int64_t now,
                          struct judge *j, check_eval_fn one)
{
    size_t n = target_n_deployments(r);
    if (n == 1) {
        one(r, c, now, j);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct deployment_view d;
        target_deployment(r, i, &d);
        /* A shallow copy: the view borrows every pointer, frees none. */
        struct target_result view = *r;
        view.deployments = NULL;
        view.n_deployments = 0;
        if (i > 0) {
            const struct deployment *dp = &r->deployments[i - 1];
            fact_mark(&view.chain_header, fact_collected(&dp->chain_header));
            view.certs = dp->certs;
            view.n_certs = dp->n_certs;
            view.chain = dp->chain;
            fact_mark(&view.revoc_header, fact_collected(&dp->revoc_header));
            view.revoc = dp->revoc;
            view.n_revoc = dp->n_revoc;
        }
        struct judge sub;
        judge_init(&sub);
        one(&view, c, now, &sub);
        if (sub.failed) {
            keep(judge_fail(j), &sub.fail, d.label);
        }
        if (sub.warned) {
            keep(judge_warn(j), &sub.warn, d.label);
        }
        if (sub.unsure) {
            keep(judge_unknown(j), &sub.unknown, d.label);
        }
        if (sub.ok.len > 0) {
            keep(judge_ok(j), &sub.ok, d.label);
        }
    }
}
