/*
 * policies/run.c - the policy-run service (policies/run.h): every policy
 * on every scanned target of a stored scan, the findings mapped to store
 * rows and stored one transaction per policy. Moved out of cli/cmd_check.c
 * so that `check` and `scan --policy` are thin callers.
 *
 * Invariants:
 * - Every policy is evaluated on every target before anything is stored:
 *   an evaluation that runs out of memory stores nothing. The findings
 *   wait in the store's staging table (a temporary table), not in memory:
 *   one target and its findings are in memory at a time, whatever the
 *   number of targets.
 * - All the findings of one policy over one scan are one transaction, so a
 *   stored policy run is always complete; they are stored in the order of
 *   the targets, then of the rules, as when they were held in memory.
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

/* One policy_run_scan call while it walks the targets. */
struct run_walk {
    struct store *s;
    struct policy_run *r;
    struct finding_list *lists; /* [n_pols]: the current target's findings */
    struct store_finding *rows; /* the current policy's findings as store rows */
    size_t rows_cap;
    policy_run_target_fn fn;
    void *arg;
    char *err;
    size_t err_len;
};

/* walk_stage stages the findings l of policy p on target tid. */
static int walk_stage(struct run_walk *w, size_t p, int64_t tid, const struct finding_list *l)
{
    if (l->n_items > w->rows_cap) {
        struct store_finding *n = realloc(w->rows, l->n_items * sizeof(*n));
        if (n == NULL) {
            snprintf(w->err, w->err_len, "out of memory");
            return -1;
        }
        w->rows = n;
        w->rows_cap = l->n_items;
    }
    for (size_t i = 0; i < l->n_items; i++) {
        const struct finding *f = &l->items[i];
        w->rows[i] = (struct store_finding){
            .target_id = tid,
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
    if (store_stage_findings(w->s, p, w->rows, l->n_items) != 0) {
        snprintf(w->err, w->err_len, "%s", store_errmsg(w->s));
        return -1;
    }
    return 0;
}

/* walk_sum adds target t's findings to the run's summary. */
static void walk_sum(struct policy_run *r, const struct policy_run_target *t)
{
    if (!t->scanned) {
        r->sum.n_not_scanned++;
        return;
    }
    for (size_t p = 0; p < r->n_pols; p++) {
        const struct finding_list *l = &t->findings[p];
        for (size_t i = 0; i < l->n_items; i++) {
            r->sum.n_blocking += gate_blocks(&r->gate, l->items[i].verdict, l->items[i].severity);
        }
        enum target_verdict v = policy_run_verdict(&r->gate, l);
        r->sum.n_failing += v == TV_NON_COMPLIANT;
        r->sum.n_undemonstrated += v == TV_NOT_DEMONSTRATED;
        r->sum.gate_fails = r->sum.gate_fails || gate_exit_fails(&r->gate, v);
    }
}

/* walk_target evaluates every policy on one target (store_each_target's
 * callback), hands it to the caller and stages its findings. */
static int walk_target(void *arg, struct target_result *tr, int64_t tid)
{
    struct run_walk *w = arg;
    struct policy_run *r = w->r;
    struct policy_run_target t = {
        .index = r->n_targets, .id = tid, .target = tr, .findings = w->lists};
    t.scanned = policy_run_target_scanned(tr);
    int64_t now = r->evaluated_ms / 1000;
    int ret = 0;
    for (size_t p = 0; p < r->n_pols; p++) {
        finding_list_init(&w->lists[p]);
    }
    for (size_t p = 0; ret == 0 && t.scanned && p < r->n_pols; p++) {
        if (policy_eval(r->pols[p], tr, &tr->tags, now, &w->lists[p]) != 0) {
            snprintf(w->err, w->err_len, "evaluating policy %s: out of memory",
                     policy_id(r->pols[p]));
            ret = -1;
        }
    }
    if (ret == 0 && w->fn != NULL && w->fn(w->arg, r, &t) != 0) {
        snprintf(w->err, w->err_len, "stopped");
        ret = 1;
    }
    for (size_t p = 0; ret == 0 && p < r->n_pols; p++) {
        ret = walk_stage(w, p, tid, &w->lists[p]);
    }
    if (ret == 0) {
        walk_sum(r, &t);
        r->n_targets++;
    }
    for (size_t p = 0; p < r->n_pols; p++) {
        finding_list_cleanup(&w->lists[p]);
    }
    return ret;
}

/* run_store stores the findings staged for policy p in one transaction. */
static int run_store(struct store *s, struct policy_run *r, size_t p, char *err, size_t err_len)
{
    const struct policy *pol = r->pols[p];
    struct store_policy_run run = {
        .policy_id = policy_id(pol),
        .policy_version = policy_version(pol),
        .policy_sha256 = policy_sha256(pol),
        .policy_path = policy_path(pol),
        .evaluated_ms = r->evaluated_ms,
        .tool_version = PACKAGE_VERSION,
        .gate = &r->gate,
    };
    int rc = store_stage_commit(s, r->scan_id, p, &run, &r->run_ids[p]);
    if (rc != 0) {
        snprintf(err, err_len, "%s", store_errmsg(s));
    }
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

/* run_walk evaluates every target (store_each_target), staging the
 * findings. Returns 0 or -1 with err set. */
static int run_walk(struct store *s, struct policy_run *r, policy_run_target_fn fn, void *arg,
                    char *err, size_t err_len)
{
    struct run_walk w = {.s = s, .r = r, .fn = fn, .arg = arg, .err = err, .err_len = err_len};
    w.lists = calloc(r->n_pols ? r->n_pols : 1, sizeof(*w.lists));
    if (w.lists == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    err[0] = '\0';
    int rc = store_each_target(s, r->scan_id, walk_target, &w);
    if (rc != 0 && err[0] == '\0') {
        snprintf(err, err_len, "%s", store_errmsg(s)); /* the store's own failure */
    }
    free(w.lists);
    free(w.rows);
    return rc != 0 ? -1 : 0;
}

int policy_run_scan(struct store *s, int64_t scan_id, struct policy *const *pols, size_t n_pols,
                    const struct gate *gate, int64_t now_ms, policy_run_target_fn fn, void *arg,
                    struct policy_run *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    out->scan_id = scan_id;
    out->gate = gate != NULL ? *gate : GATE_DEFAULT;
    out->pols = pols;
    out->n_pols = n_pols;
    out->evaluated_ms = now_ms > 0 ? now_ms : util_now_ms();
    if (store_scan_info(s, scan_id, &out->info) != 0 || store_stage_begin(s) != 0) {
        snprintf(err, err_len, "%s", store_errmsg(s));
        return -1;
    }
    out->sum.complete = strcmp(out->info.state, "complete") == 0;
    out->run_ids = calloc(n_pols ? n_pols : 1, sizeof(*out->run_ids));
    if (out->run_ids == NULL) {
        snprintf(err, err_len, "out of memory");
        store_stage_end(s);
        return -1;
    }
    int ret = run_walk(s, out, fn, arg, err, err_len);
    for (size_t p = 0; ret == 0 && p < n_pols; p++) {
        ret = run_store(s, out, p, err, err_len);
        if (ret == 0) {
            out->n_stored = p + 1;
            run_name_stored(out);
        }
    }
    store_stage_end(s);
    return ret;
}

enum target_verdict policy_run_verdict(const struct gate *gate, const struct finding_list *l)
{
    enum target_verdict v = TV_NOT_EVALUATED;
    for (size_t i = 0; i < l->n_items; i++) {
        v = gate_step(v, gate, l->items[i].verdict, l->items[i].severity);
    }
    return v;
}

void policy_run_summarize(const struct policy_run *r, struct policy_run_summary *out)
{
    *out = r->sum;
}

void policy_run_cleanup(struct policy_run *r)
{
    free(r->run_ids);
    store_scan_info_cleanup(&r->info);
    memset(r, 0, sizeof(*r));
}
