/*
 * reports/check_report.h - the report of one policy evaluation over a
 * stored scan (`tlsaudit check`, `scan --policy`): text for the terminal
 * and the `tlsaudit-check` JSON document (docs/json-output.md).
 *
 * Pipeline position: policies (findings, stored by cli/cmd_check.c) ->
 * [this] -> out. The CLI evaluates and stores; this only renders and counts.
 *
 * Ownership: struct check_report borrows everything it points to.
 */
#ifndef TLSAUDIT_REPORTS_CHECK_REPORT_H
#define TLSAUDIT_REPORTS_CHECK_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policies/policy.h"
#include "common/model/facts.h"
#include "common/model/gate.h"
#include "store/store.h"

#define CHECK_N_VERDICTS VERDICT_COUNT

/* One evaluation: n_pols policies over n_targets targets. */
struct check_report {
    int64_t scan_id;
    const struct store_scan_info *info; /* the scan's row */
    const char *db_path;                /* named in the report; may be NULL */
    struct gate gate;                   /* FAIL at or above gate.fail_on (not waived) blocks */
    int64_t evaluated_ms;               /* the evaluation's "now" */
    struct policy *const *pols;
    size_t n_pols;
    const int64_t *run_ids; /* per policy: policy_runs.id */
    const struct target_result *targets;
    const int64_t *ids; /* targets.id of each target */
    size_t n_targets;
    const struct finding_list *results; /* [p * n_targets + t]; empty when not scanned */
};

/* Verdict counts of one policy on one target, or over everything. */
struct check_counts {
    size_t verdicts[CHECK_N_VERDICTS];
    size_t blocking; /* findings that fail the gate (check_report_blocking) */
};

struct check_totals {
    struct check_counts total;
    size_t n_failing_targets; /* targets non-compliant under some policy */
    size_t n_undemonstrated;  /* targets not demonstrated (and non-compliant under none) */
    size_t n_not_scanned;     /* targets whose status is neither ok nor no-tls */
};

/* check_report_blocking: f fails the gate (gate_fails_ci: fail at or
 * above fail_on; with fail_on_inconclusive, inconclusive there too). */
bool check_report_blocking(const struct check_report *c, const struct finding *f);

/* check_report_verdict: the verdict of target t for policy p at the gate;
 * check_report_target_verdict: the worst over every policy. */
enum target_verdict check_report_verdict(const struct check_report *c, size_t p, size_t t);
enum target_verdict check_report_target_verdict(const struct check_report *c, size_t t);

/* check_report_count counts the verdicts of l. */
void check_report_count(const struct check_report *c, const struct finding_list *l,
                        struct check_counts *out);

/* check_report_totals counts over every scanned target and policy. */
void check_report_totals(const struct check_report *c, struct check_totals *out);

/* check_report_text writes the terminal report. */
void check_report_text(FILE *out, const struct check_report *c);

/* check_report_json writes the tlsaudit-check document with exit_code in
 * its summary. Returns 0, or -1 (out of memory, write error). */
__attribute__((warn_unused_result)) int check_report_json(FILE *out, const struct check_report *c,
                                                          int exit_code);

#endif
