/*
 * cli/check.h - evaluating policies over a stored scan, storing the
 * findings and reporting them: `tlsaudit check`, and `tlsaudit scan
 * --policy` right after its scan.
 *
 * Pipeline position: store -> [policy evaluation] -> findings (store) ->
 * report. Nothing here touches the network: the facts are read back from
 * the store one target at a time (store_each_target, through
 * policy_run_scan), so memory does not grow with the number of targets.
 *
 * Exit codes (cli/cli.h), in this order of precedence: 2 (usage, policy,
 * database or output error) > 1 (a FAIL finding at or above --fail-on that
 * is not waived; with --fail-on-inconclusive also a target whose verdict is
 * "not demonstrated": common/model/gate.h) > 3 (a target of the scan could not be scanned, or the
 * scan did not complete) > 0.
 *
 * The evaluation and the storing are the policy-run service
 * (policies/run.h: policy_run_load_policies, policy_run_scan); this adds
 * the report (reports/check_report.h) and the exit code. Error text goes
 * to the caller's buffer.
 */
#ifndef TLSAUDIT_CLI_CHECK_H
#define TLSAUDIT_CLI_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policies/policy.h"
#include "policies/run.h"
#include "store/store.h"

struct check_options {
    struct gate gate;    /* FAIL findings at or above gate.fail_on (not waived) give exit 1,
                          * and with gate.fail_on_inconclusive a target not demonstrated */
    bool json;           /* write the JSON document (docs/json-output.md) instead of text */
    bool json_ascii;     /* with every non-ASCII character escaped: the scan document, which
                          * nests it (json_report_attach_file), is written so */
    bool sarif;          /* or the SARIF log of the runs just stored (reports/report_sarif.c) */
    int64_t now_ms;      /* Unix ms of the evaluation (waivers, dated limits); 0: now */
    const char *db_path; /* the database, named in the report; may be NULL */
};

/* check_evaluate_scan runs the policy-run service (policy_run_scan: each
 * policy on each scanned target, the findings of each policy stored in one
 * transaction; the targets not scanned are reported as such), then writes
 * the report to out. The scan should be finished (store_scan_finish) first: a scan that
 * is not "complete" gives exit 3 like a target that was not scanned.
 * Returns 0 and *out_exit = EXIT_FINDINGS, EXIT_SCAN_ERROR or EXIT_OK (in
 * that precedence); or -1 with the reason in err (no such scan, database,
 * memory or output error: the caller exits EXIT_USAGE; policy runs stored
 * before the failure stay, each one complete). Either way stored says
 * which policy runs were stored ("policy run 7 (pci-dss-4.0) of scan 3";
 * "" for none), for the caller's message when the output then fails. */
__attribute__((warn_unused_result)) int
check_evaluate_scan(struct store *s, int64_t scan_id, struct policy *const *pols, size_t n_pols,
                    const struct check_options *opts, FILE *out, int *out_exit, char *stored,
                    size_t stored_len, char *err, size_t err_len);

/* cmd_check runs `tlsaudit check` (see check_usage in cmd_check.c). */
int cmd_check(int argc, char **argv);

#endif
