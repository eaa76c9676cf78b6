/*
 * reports/sarif_private.h - the pieces of the SARIF log (reports/report_sarif.c)
 * that its streamed writer (reports/report_sarif_stream.c) puts together one
 * target at a time, so both write every rule, result and notification the
 * same way.
 *
 * Only reports/ includes this header (it exposes jansson types).
 *
 * Ownership: each json_t * returned is a new reference (NULL when out of
 * memory) that the caller passes on or releases with json_decref; rules
 * borrow their run and finding.
 */
#ifndef TLSAUDIT_REPORTS_SARIF_PRIVATE_H
#define TLSAUDIT_REPORTS_SARIF_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "reports/report.h"

/* How the log is dumped (report_write_sarif, and every piece the streamed
 * writer dumps alone at its depth). */
#define SARIF_DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

/* The rules of the document: (run, finding) of each rule's first finding,
 * one per (policy, rule) in run then stored order. */
struct sarif_rule {
    const struct store_run *run;
    const struct store_finding_row *f;
};

struct sarif_rules {
    struct sarif_rule *v;
    size_t n;
};

/* sarif_rule_index returns the index of run's rule_id in rules, or -1. */
long sarif_rule_index(const struct sarif_rules *rules, const struct store_run *run,
                      const char *rule_id);

/* sarif_rule: the reportingDescriptor of one rule. */
json_t *sarif_rule(const struct sarif_rule *sr);

/* sarif_is_result: whether finding f of run makes a result. */
bool sarif_is_result(const struct store_run *run, const struct store_finding_row *f);

/* sarif_result: the result of finding f of run on target t of d (named
 * name), whose rule is rules' rule_index. */
json_t *sarif_result(const struct report_data *d, size_t t, const char *name,
                     const struct store_run *run, const struct store_finding_row *f,
                     long rule_index);

/* sarif_target_notification: the error notification of target t of d (not
 * scanned), named name; sarif_state_notification: the one of a scan whose
 * state is not "complete". */
json_t *sarif_target_notification(const struct report_data *d, size_t t, const char *name);
json_t *sarif_state_notification(const struct report_data *d);

/* sarif_document: the whole log of d with rules, the invocation's
 * notifications and the results (the references of both arrays, or of what
 * stands in their place, taken); all_scanned: every target of d was
 * scanned; gate_fails: report_gate_fails of the whole scan. */
json_t *sarif_document(const struct report_data *d, const struct sarif_rules *rules,
                       json_t *notifications, json_t *results, bool all_scanned, bool gate_fails);

#endif
