/*
 * policies/run.c - the policy-run service (policies/run.h): every policy
 * on every scanned target of a stored scan, the findings mapped to store
 * rows and stored one transaction per policy. Moved out of cli/cmd_check.c
 * so that `check` and `scan --policy` are thin callers.
 *
 * Invariants:
 * - Every policy is evaluated on every target before anything is stored:
 *   an evaluation that runs out of memory stores nothing.
 * - All the findings of one policy over one scan are one transaction, so a
 *   stored policy run is always complete.
 * - Only targets that were scanned (status ok or no-tls) are evaluated;
 *   the others keep an empty finding list.
 * - Nothing is printed and no exit code is chosen here.
 */
#include "policies/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "config.h"

/* ---- loading policies ------------------------------------------------- */

int policy_run_load_policies(char *const *names, size_t n_names, struct policy ***out_pols,
                             char *err, size_t err_len)
{
    struct policy **pols = NULL;
    size_t n = 0;
    *out_pols = NULL;
    pols = calloc(n_names ? n_names : 1, sizeof(*pols));
    if (pols == NULL) {
        snprintf(err, err_len, "out of memory");
        goto fail;
    }
    for (n = 0; n < n_names; n++) {
        pols[n] = policy_load(names[n], err, err_len);
        if (pols[n] == NULL) {
            goto fail;
        }
    }
    *out_pols = pols;
    return 0;
fail:
    policy_run_free_policies(pols, n);
    return -1;
}

void policy_run_free_policies(struct policy **pols, size_t n_pols)
{
    if (pols == NULL) {
        return;
    }
    for (size_t i = 0; i < n_pols; i++) {
        policy_free(pols[i]);
    }
    free(pols);
}

/* ---- evaluation --------------------------------------------------------- */

bool policy_run_target_scanned(const struct target_result *t)
{
    return t->status == TARGET_OK || t->status == TARGET_NO_TLS;
}

const struct finding_list *policy_run_findings(const struct policy_run *r, size_t p, size_t t)
{
    return &r->results[p * r->n_targets + t];
}

/* run_eval runs every policy on every scanned target. */
static int run_eval(struct policy_run *r, char *err, size_t err_len)
{
    size_t n = r->n_pols * r->n_targets;
    r->results = calloc(n ? n : 1, sizeof(*r->results));
    if (r->results == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        finding_list_init(&r->results[i]);
    }
    int64_t now = r->evaluated_ms / 1000;
    for (size_t p = 0; p < r->n_pols; p++) {
        for (size_t t = 0; t < r->n_targets; t++) {
            const struct target_result *tr = &r->targets[t];
            if (!policy_run_target_scanned(tr)) {
                continue;
            }
            if (policy_eval(r->pols[p], tr, &tr->tags, now, &r->results[p * r->n_targets + t]) !=
                0) {
                snprintf(err, err_len, "evaluating policy %s: out of memory",
                         policy_id(r->pols[p]));
                return -1;
            }
        }
    }
    return 0;
}

/* run_store stores the findings of policy p over every target in one
 * transaction (store_put_findings). */
static int run_store(struct store *s, struct policy_run *r, size_t p, char *err, size_t err_len)
{
    const struct policy *pol = r->pols[p];
    size_t n = 0;
    for (size_t t = 0; t < r->n_targets; t++) {
        n += policy_run_findings(r, p, t)->n_items;
    }
    struct store_finding *sf = calloc(n ? n : 1, sizeof(*sf));
    if (sf == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    size_t k = 0;
    for (size_t t = 0; t < r->n_targets; t++) {
        const struct finding_list *l = policy_run_findings(r, p, t);
        for (size_t i = 0; i < l->n_items; i++) {
            const struct finding *f = &l->items[i];
            sf[k++] = (struct store_finding){
                .target_id = r->ids[t],
                .rule_id = f->rule_id,
                .title = f->title,
                .ref = f->ref,
                .severity = severity_name(f->severity),
                .verdict = verdict_name(f->verdict),
                .evidence = f->evidence,
                .waiver_reason = f->waiver_reason,
                .waiver_owner = f->waiver_owner,
                .waiver_expires = f->waiver_expires,
            };
        }
    }
    struct store_policy_run run = {
        .policy_id = policy_id(pol),
        .policy_version = policy_version(pol),
        .policy_sha256 = policy_sha256(pol),
        .policy_path = policy_path(pol),
        .evaluated_ms = r->evaluated_ms,
        .tool_version = PACKAGE_VERSION,
        .gate = &r->gate,
    };
    int rc = store_put_findings(s, r->scan_id, &run, sf, n, &r->run_ids[p]);
    if (rc != 0) {
        snprintf(err, err_len, "%s", store_errmsg(s));
    }
    free(sf);
    return rc;
}

/* run_name_stored rewrites r->stored for the first r->n_stored runs. */
static void run_name_stored(struct policy_run *r)
{
    size_t len = sizeof(r->stored);
    r->stored[0] = '\0';
    for (size_t p = 0; p < r->n_stored; p++) {
        size_t used = strlen(r->stored);
        snprintf(r->stored + used, len - used, "%s%lld (%s)",
                 p == 0 ? (r->n_pols == 1 ? "policy run " : "policy runs ") : ", ",
                 (long long)r->run_ids[p], policy_id(r->pols[p]));
    }
    if (r->n_stored > 0) {
        size_t used = strlen(r->stored);
        snprintf(r->stored + used, len - used, " of scan %lld", (long long)r->scan_id);
    }
}

int policy_run_scan(struct store *s, int64_t scan_id, struct policy *const *pols, size_t n_pols,
                    const struct gate *gate, int64_t now_ms, struct policy_run *out, char *err,
                    size_t err_len)
{
    memset(out, 0, sizeof(*out));
    out->scan_id = scan_id;
    out->gate = gate != NULL ? *gate : GATE_DEFAULT;
    out->pols = pols;
    out->n_pols = n_pols;
    out->evaluated_ms = now_ms > 0 ? now_ms : util_now_ms();
    if (store_scan_info(s, scan_id, &out->info) != 0 ||
        store_load_targets(s, scan_id, &out->targets, &out->ids, &out->n_targets) != 0) {
        snprintf(err, err_len, "%s", store_errmsg(s));
        return -1;
    }
    out->run_ids = calloc(n_pols ? n_pols : 1, sizeof(*out->run_ids));
    if (out->run_ids == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    if (run_eval(out, err, err_len) != 0) {
        return -1;
    }
    for (size_t p = 0; p < n_pols; p++) {
        if (run_store(s, out, p, err, err_len) != 0) {
            return -1;
        }
        out->n_stored = p + 1;
        run_name_stored(out);
    }
    return 0;
}

enum target_verdict policy_run_verdict(const struct policy_run *r, size_t p, size_t t)
{
    enum target_verdict v = TV_NOT_EVALUATED;
    const struct finding_list *l = policy_run_findings(r, p, t);
    for (size_t i = 0; i < l->n_items; i++) {
        v = gate_step(v, &r->gate, l->items[i].verdict, l->items[i].severity);
    }
    return v;
}

void policy_run_summarize(const struct policy_run *r, struct policy_run_summary *out)
{
    memset(out, 0, sizeof(*out));
    out->complete = strcmp(r->info.state, "complete") == 0;
    for (size_t t = 0; t < r->n_targets; t++) {
        if (!policy_run_target_scanned(&r->targets[t])) {
            out->n_not_scanned++;
            continue;
        }
        for (size_t p = 0; p < r->n_pols; p++) {
            const struct finding_list *l = policy_run_findings(r, p, t);
            for (size_t i = 0; i < l->n_items; i++) {
                out->n_blocking += gate_blocks(&r->gate, l->items[i].verdict, l->items[i].severity);
            }
            enum target_verdict v = policy_run_verdict(r, p, t);
            out->n_failing += v == TV_NON_COMPLIANT;
            out->n_undemonstrated += v == TV_NOT_DEMONSTRATED;
            out->gate_fails = out->gate_fails || gate_exit_fails(&r->gate, v);
        }
    }
}

void policy_run_cleanup(struct policy_run *r)
{
    if (r->results != NULL) {
        for (size_t i = 0; i < r->n_pols * r->n_targets; i++) {
            finding_list_cleanup(&r->results[i]);
        }
        free(r->results);
    }
    free(r->run_ids);
    store_targets_free(r->targets, r->n_targets);
    free(r->ids);
    store_scan_info_cleanup(&r->info);
    memset(r, 0, sizeof(*r));
}
