/*
 * reports/check_report.h - the report of one policy evaluation over a
 * stored scan (`tlsaudit check`, `scan --policy`): text for the terminal
 * and the `tlsaudit-check` JSON document (docs/json-output.md).
 *
 * Pipeline position: policies (findings, stored by cli/cmd_check.c) ->
 * [this] -> out. The CLI evaluates and stores; this only renders and counts,
 * one target at a time (the policy run hands them over one by one).
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
    const int64_t *run_ids; /* per policy: policy_runs.id (the head; known once stored) */
    size_t n_targets;       /* every target of the scan (the head and the summary) */
    bool ascii;             /* JSON: every non-ASCII character escaped (\uXXXX), as in the
                             * scan document, which nests this one (reports/json.h) */
};

/* One target of the evaluation with its findings per policy. */
struct check_target {
    const struct target_result *target;
    int64_t id;                          /* targets.id */
    const struct finding_list *findings; /* [n_pols]; empty when not scanned */
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

/* check_report_verdict: the verdict at the gate of the findings l of one
 * policy on one target; check_report_target_verdict: the worst over every
 * policy of t. */
enum target_verdict check_report_verdict(const struct check_report *c,
                                         const struct finding_list *l);
enum target_verdict check_report_target_verdict(const struct check_report *c,
                                                const struct check_target *t);

/* check_report_count counts the verdicts of l. */
void check_report_count(const struct check_report *c, const struct finding_list *l,
                        struct check_counts *out);

/* check_report_add_totals adds target t to tot (zeroed before the first). */
void check_report_add_totals(const struct check_report *c, const struct check_target *t,
                             struct check_totals *tot);

/* The terminal report, in two parts like the JSON document below:
 * check_report_text_target writes target t to a file of its own
 * (targets), each target in order; check_report_text_finish then writes
 * the scan, the gate, the policies and their runs, the targets' part (read
 * from its start) and the totals to out. Returns 0, or -1 when reading the
 * targets' part failed (write errors of out are the caller's to check). */
void check_report_text_target(FILE *targets, const struct check_report *c,
                              const struct check_target *t);
__attribute__((warn_unused_result)) int check_report_text_finish(FILE *out,
                                                                 const struct check_report *c,
                                                                 FILE *targets,
                                                                 const struct check_totals *tot);

/* The tlsaudit-check document, in two parts: check_report_json_target
 * writes target t as an element of the "targets" array (first: the first
 * element) to a file of its own (targets); check_report_json_finish then
 * writes the whole document to out, the n_written elements of targets
 * (read from its start) in their place and exit_code in its summary. Each
 * returns 0, or -1 (out of memory, write error). */
__attribute__((warn_unused_result)) int check_report_json_target(FILE *targets,
                                                                 const struct check_report *c,
                                                                 const struct check_target *t,
                                                                 bool first);
__attribute__((warn_unused_result)) int
check_report_json_finish(FILE *out, const struct check_report *c, FILE *targets, size_t n_written,
                         const struct check_totals *tot, int exit_code);

#endif
