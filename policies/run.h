/*
 * policies/run.h - the policy-run service: evaluate policies over a stored
 * scan and store the findings. What `tlsaudit check` and `tlsaudit scan
 * --policy` call; the report (reports/check_report.c) and the exit code
 * (cli/) are the callers' part: this prints nothing and decides no exit.
 *
 * Pipeline position: store (store_load_targets) -> [policy_eval per
 * policy and scanned target] -> store (store_put_findings, one transaction
 * per policy) -> the caller's report.
 *
 * Ownership: policy_run_load_policies returns an array freed with
 * policy_run_free_policies. struct policy_run owns what it holds (the
 * scan row, the targets read back, the findings) until
 * policy_run_cleanup; it borrows the policies. Error text goes to the
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

/* What one policy_run_scan call evaluated and stored. */
struct policy_run {
    int64_t scan_id;
    int64_t evaluated_ms; /* the evaluation's "now" (Unix ms) */
    struct gate gate;     /* the gate judged at, stored with each policy run */
    struct store_scan_info info;
    struct policy *const *pols; /* borrowed */
    size_t n_pols;
    struct target_result *targets; /* every target of the scan, read back */
    int64_t *ids;                  /* targets.id of each */
    size_t n_targets;
    struct finding_list *results; /* [p * n_targets + t]; empty for targets not scanned */
    int64_t *run_ids;             /* per policy: policy_runs.id; 0 until stored */
    size_t n_stored;              /* policy runs stored (the first n_stored of pols) */
    /* "policy run 7 (pci-dss-4.0) of scan 3", "policy runs 7 (a), 8 (b) of
     * scan 3"; "" when none was stored. Filled in even when a later step
     * fails, for the caller's message. */
    char stored[1024];
};

/* What decides an exit code (cli/check.h says which). */
struct policy_run_summary {
    size_t n_blocking;       /* FAIL findings at or above fail_on (waived ones are not FAIL) */
    size_t n_failing;        /* (target, policy) pairs non-compliant at the gate */
    size_t n_undemonstrated; /* (target, policy) pairs not demonstrated at the gate */
    bool gate_fails;         /* some pair makes the gate fail (gate_exit_fails): exit 1 */
    size_t n_not_scanned;    /* targets whose status is neither ok nor no-tls */
    bool complete;           /* the scan's state is "complete" */
};

/* policy_run_load_policies loads every one of names (shipped names or
 * paths) with policy_load. All or nothing: returns 0 and a malloc'ed
 * array of n_names policies in *out_pols, or -1 with policy_load's
 * "FILE:LINE:COLUMN: ..." message in err and nothing loaded. */
__attribute__((warn_unused_result)) int policy_run_load_policies(char *const *names, size_t n_names,
                                                                 struct policy ***out_pols,
                                                                 char *err, size_t err_len);

/* policy_run_free_policies frees the policies and the array; accepts NULL. */
void policy_run_free_policies(struct policy **pols, size_t n_pols);

/* policy_run_scan loads every target of scan_id from s, evaluates each
 * policy on each target that was scanned (status ok or no-tls), and stores
 * the findings of each policy in its own transaction (store_put_findings),
 * with the gate they are judged at (stored with the run), at now_ms (Unix
 * ms; 0: the clock). Returns 0 with *out filled, or -1
 * with the reason in err (no such scan, database or memory error); policy
 * runs stored before a failure stay stored, each complete, and
 * out->stored names them. Either way the caller calls policy_run_cleanup. */
__attribute__((warn_unused_result)) int policy_run_scan(struct store *s, int64_t scan_id,
                                                        struct policy *const *pols, size_t n_pols,
                                                        const struct gate *gate, int64_t now_ms,
                                                        struct policy_run *out, char *err,
                                                        size_t err_len);

/* policy_run_findings returns the findings of policy p on target t. */
const struct finding_list *policy_run_findings(const struct policy_run *r, size_t p, size_t t);

/* policy_run_verdict: the verdict of target t for policy p at r's gate
 * (common/model/gate.h; not-evaluated for a target not scanned). */
enum target_verdict policy_run_verdict(const struct policy_run *r, size_t p, size_t t);

/* policy_run_summarize counts what decides the exit code of r at r's gate. */
void policy_run_summarize(const struct policy_run *r, struct policy_run_summary *out);

/* policy_run_target_scanned: status ok or no-tls (the targets evaluated). */
bool policy_run_target_scanned(const struct target_result *t);

/* policy_run_cleanup frees what r owns; r may be zeroed or half filled. */
void policy_run_cleanup(struct policy_run *r);

#endif
