/*
 * reports/expiry_acc.h - the --expiring list of a report read one target at
 * a time (report_each_target): each target's expiring certificates are
 * rendered as the walk reaches them into a temporary file, and only a
 * small key per certificate (notAfter, target, deployment, position, where
 * its text is) stays in memory; at the end the keys are sorted as
 * report_expiring sorts its list and the texts copied out in that order.
 * The bytes are those of the whole-scan renderer's loop over
 * report_expiring; memory grows with the number of expiring certificates
 * (48 bytes each), not with the targets.
 *
 * Pipeline position: report_each_target's callback (report_text.c,
 * report_json_stream.c, report_markdown.c) -> [this file] -> the report.
 *
 * Ownership: expiry_acc_init fills caller storage that expiry_acc_cleanup
 * frees (it accepts a zeroed struct).
 */
#ifndef TLSAUDIT_REPORTS_EXPIRY_ACC_H
#define TLSAUDIT_REPORTS_EXPIRY_ACC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reports/report.h"

/* What expiry_acc_add calls per expiring certificate e of the one-target
 * view one (e->target is 0): write its text to f. Returns 0 or -1. */
typedef int (*expiry_render_fn)(FILE *f, const struct report_data *one,
                                const struct report_expiry *e, void *arg);

struct expiry_key; /* expiry_acc.c */

struct expiry_acc {
    FILE *f;                 /* the rendered texts, in walk order */
    struct expiry_key *keys; /* one per certificate so far */
    size_t n, cap;
    size_t n_targets; /* targets added so far: the next one's index */
    int64_t now_ms;
    int days;
};

/* expiry_acc_init prepares a for the certificates expiring within days of
 * now_ms. Returns 0, or -1 (no temporary file) with a zeroed. */
__attribute__((warn_unused_result)) int expiry_acc_init(struct expiry_acc *a, int64_t now_ms,
                                                        int days);

/* expiry_acc_add lists the expiring certificates of one (a one-target
 * view: report_each_target's callback argument; called once per target,
 * in walk order), each rendered by fn. Returns 0, or -1 (out of memory,
 * fn failed, the temporary file). */
__attribute__((warn_unused_result)) int
expiry_acc_add(struct expiry_acc *a, const struct report_data *one, expiry_render_fn fn, void *arg);

/* expiry_acc_write writes every text added, soonest first (then target
 * order, deployment, chain position: report_expiring's order), sep between
 * two of them. Returns 0 or -1 (a read or write failed). */
__attribute__((warn_unused_result)) int expiry_acc_write(struct expiry_acc *a, FILE *out,
                                                         const char *sep);

/* expiry_acc_cleanup closes and frees what a holds. */
void expiry_acc_cleanup(struct expiry_acc *a);

#endif
