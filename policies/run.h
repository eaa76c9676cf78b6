/*
 * policies/run.h - the policy-run service: evaluate policies over a stored
 * scan and store the findings. What `tlsaudit check` and `tlsaudit scan
 * --policy` call; the report (reports/check_report.c) and the exit code
 * (cli/) are the callers' part: this prints nothing and decides no exit.
 *
 * Pipeline position: store (store_each_target: one target at a time) ->
 * [policy_eval per policy on the target] -> the caller's callback (the
 * report's part for the target) and the store's staging table -> store
 * (store_stage_commit, one transaction per policy) -> the caller's report.
 *
 * Ownership: policy_run_load_policies returns an array freed with
 * policy_run_free_policies. struct policy_run owns what it holds (the
 * scan row, the run ids) until policy_run_cleanup; it borrows the
 * policies. A target and its findings live only during the callback. Error text goes to the
 * caller's buffer.
 */
#ifndef TLSAUDIT_POLICIES_RUN_H
#define TLSAUDIT_POLICIES_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/facts.h"
#include "common/model/gate.h"
#include "policies/policy.h"
#include "store/store.h"

/* What decides an exit code (cli/check.h says which). */
struct policy_run_summary {
    size_t n_blocking;       /* FAIL findings at or above fail_on (waived ones are not FAIL) */
    size_t n_failing;        /* (target, policy) pairs non-compliant at the gate */
    size_t n_undemonstrated; /* (target, policy) pairs not demonstrated at the gate */
    bool gate_fails;         /* some pair makes the gate fail (gate_exit_fails): exit 1 */
    size_t n_not_scanned;    /* targets whose status is neither ok nor no-tls */
    bool complete;           /* the scan's state is "complete" */
};

/* What one policy_run_scan call evaluated and stored. The findings are not
 * kept: each target's are handed to the caller's policy_run_target_fn as
 * it is evaluated, then freed. */
struct policy_run {
    int64_t scan_id;
    int64_t evaluated_ms; /* the evaluation's "now" (Unix ms) */
    struct gate gate;     /* the gate judged at, stored with each policy run */
    struct store_scan_info info;
    struct policy *const *pols; /* borrowed */
    size_t n_pols;
    size_t n_targets;              /* targets of the scan (scanned or not) */
    struct policy_run_summary sum; /* over every target, at the gate */
    int64_t *run_ids;              /* per policy: policy_runs.id; 0 until stored */
    size_t n_stored;               /* policy runs stored (the first n_stored of pols) */
    /* "policy run 7 (pci-dss-4.0) of scan 3", "policy runs 7 (a), 8 (b) of
     * scan 3"; "" when none was stored. Filled in even when a later step
     * fails, for the caller's message. */
    char stored[1024];
};

/* One target as evaluated: what policy_run_scan hands its caller. */
struct policy_run_target {
    size_t index; /* 0 .. n_targets - 1, in the order stored */
    int64_t id;   /* targets.id */
    const struct target_result *target;
    bool scanned;                        /* status ok or no-tls: evaluated */
    const struct finding_list *findings; /* [n_pols]; empty lists when not scanned */
};

/* Called for each target once every policy was evaluated on it, before
 * anything is stored; the target and its findings are freed when it
 * returns. Returns 0 to go on, non-zero to stop the run (nothing stored). */
typedef int (*policy_run_target_fn)(void *arg, const struct policy_run *r,
                                    const struct policy_run_target *t);

/* policy_run_load_policies loads every one of names (shipped names or
 * paths) with policy_load. All or nothing: returns 0 and a malloc'ed
 * array of n_names policies in *out_pols, or -1 with policy_load's
 * "FILE:LINE:COLUMN: ..." message in err and nothing loaded. */
__attribute__((warn_unused_result)) int policy_run_load_policies(char *const *names, size_t n_names,
                                                                 struct policy ***out_pols,
                                                                 char *err, size_t err_len);

/* policy_run_free_policies frees the policies and the array; accepts NULL. */
void policy_run_free_policies(struct policy **pols, size_t n_pols);

/* policy_run_scan reads the targets of scan_id from s one at a time
 * (store_each_target), evaluates each policy on each target that was
 * scanned (status ok or no-tls), hands the target and its findings to fn
 * (may be NULL) and stages the findings (store_stage_findings), so memory
 * does not grow with the number of targets; then stores the findings of
 * each policy in its own transaction (store_stage_commit), with the gate
 * they are judged at (stored with the run), at now_ms (Unix ms; 0: the
 * clock). Returns 0 with *out filled, or -1 with the reason in err (no such
 * scan, database or memory error, fn stopped it: "stopped"); policy runs
 * stored before a failure stay stored, each complete, and out->stored
 * names them. Either way the caller calls policy_run_cleanup. */
__attribute__((warn_unused_result)) int
policy_run_scan(struct store *s, int64_t scan_id, struct policy *const *pols, size_t n_pols,
                const struct gate *gate, int64_t now_ms, policy_run_target_fn fn, void *arg,
                struct policy_run *out, char *err, size_t err_len);

/* policy_run_verdict: the verdict at gate of one target for one policy
 * whose findings are l (common/model/gate.h; not-evaluated for none). */
enum target_verdict policy_run_verdict(const struct gate *gate, const struct finding_list *l);

/* policy_run_summarize copies what decides the exit code of r at r's gate. */
void policy_run_summarize(const struct policy_run *r, struct policy_run_summary *out);

/* policy_run_target_scanned: status ok or no-tls (the targets evaluated). */
bool policy_run_target_scanned(const struct target_result *t);

/* policy_run_cleanup frees what r owns; r may be zeroed or half filled. */
void policy_run_cleanup(struct policy_run *r);

#endif
